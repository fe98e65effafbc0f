-- Reminder delivery (issue 6): reminders also by email to staff and, by
-- their preferred contact method, to customers; and editable, pausable
-- webhook subscriptions.

-- 0/1 flags. The message texts are NULL until an organisation edits them:
-- NULL is the built-in text.
ALTER TABLE reminder_settings ADD COLUMN email_staff INTEGER NOT NULL DEFAULT 0;
ALTER TABLE reminder_settings ADD COLUMN notify_warranty INTEGER NOT NULL DEFAULT 0;
ALTER TABLE reminder_settings ADD COLUMN notify_membership INTEGER NOT NULL DEFAULT 0;
ALTER TABLE reminder_settings ADD COLUMN warranty_email_subject TEXT;
ALTER TABLE reminder_settings ADD COLUMN warranty_email_body TEXT;
ALTER TABLE reminder_settings ADD COLUMN warranty_sms_body TEXT;
ALTER TABLE reminder_settings ADD COLUMN membership_email_subject TEXT;
ALTER TABLE reminder_settings ADD COLUMN membership_email_body TEXT;
ALTER TABLE reminder_settings ADD COLUMN membership_sms_body TEXT;

-- A paused subscription (active = 0) is sent nothing for events meanwhile.
ALTER TABLE webhooks ADD COLUMN active INTEGER NOT NULL DEFAULT 1;
ALTER TABLE webhooks ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE webhooks ADD COLUMN updated_at INTEGER NOT NULL DEFAULT 0;
UPDATE webhooks SET updated_at = created_at;
