-- Reminder delivery (issue 6): reminders also by email to staff and, by
-- their preferred contact method, to customers; and editable, pausable
-- webhook subscriptions.

-- The message texts are NULL until an organisation edits them: NULL is the
-- built-in text.
ALTER TABLE reminder_settings ADD COLUMN email_staff boolean NOT NULL DEFAULT false;
ALTER TABLE reminder_settings ADD COLUMN notify_warranty boolean NOT NULL DEFAULT false;
ALTER TABLE reminder_settings ADD COLUMN notify_membership boolean NOT NULL DEFAULT false;
ALTER TABLE reminder_settings ADD COLUMN warranty_email_subject text;
ALTER TABLE reminder_settings ADD COLUMN warranty_email_body text;
ALTER TABLE reminder_settings ADD COLUMN warranty_sms_body text;
ALTER TABLE reminder_settings ADD COLUMN membership_email_subject text;
ALTER TABLE reminder_settings ADD COLUMN membership_email_body text;
ALTER TABLE reminder_settings ADD COLUMN membership_sms_body text;

-- A paused subscription (active = false) is sent nothing for events meanwhile.
ALTER TABLE webhooks ADD COLUMN active boolean NOT NULL DEFAULT true;
ALTER TABLE webhooks ADD COLUMN version bigint NOT NULL DEFAULT 1;
ALTER TABLE webhooks ADD COLUMN updated_at timestamptz;
UPDATE webhooks SET updated_at = created_at;
ALTER TABLE webhooks ALTER COLUMN updated_at SET NOT NULL;
