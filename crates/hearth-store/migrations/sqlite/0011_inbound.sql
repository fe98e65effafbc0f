-- Inbound hooks (SMS, call events, chat, WhatsApp) and automated reminders (issue 6).

-- Per-org keys of the inbound hooks. `secret` signs SMS, call and chat
-- deliveries and the WhatsApp app secret signs Meta's; HMAC needs both as
-- they are, so they are stored raw and never returned by the API (only
-- `secret_hint`). The WhatsApp verify token is only compared: its SHA-256.
CREATE TABLE inbound_settings (
    org_id BLOB PRIMARY KEY REFERENCES orgs(id),
    secret TEXT,
    secret_hint TEXT,
    secret_rotated_at INTEGER,
    whatsapp_app_secret TEXT,
    whatsapp_verify_token_sha256 BLOB,
    whatsapp_updated_at INTEGER,
    version INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;

-- One row per provider delivery taken: a redelivery of the same message
-- (or the same call event) finds its key here and stores nothing.
CREATE TABLE inbound_receipts (
    org_id BLOB NOT NULL REFERENCES orgs(id),
    channel TEXT NOT NULL,
    provider_id TEXT NOT NULL,
    event TEXT NOT NULL,
    customer_id BLOB REFERENCES customers(id),
    lead_id BLOB REFERENCES leads(id),
    communication_id BLOB REFERENCES communications(id),
    received_at INTEGER NOT NULL,
    PRIMARY KEY (org_id, channel, provider_id, event)
) STRICT, WITHOUT ROWID;

-- Days ahead at which the worker raises each kind of reminder.
CREATE TABLE reminder_settings (
    org_id BLOB PRIMARY KEY REFERENCES orgs(id),
    warranty_days INTEGER NOT NULL,
    membership_days INTEGER NOT NULL,
    follow_up_days INTEGER NOT NULL,
    version INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;

-- Reminders for staff. The unique key is the event reminded of (a warranty
-- ending on a date, a renewal on a date, a task due on a date), so however
-- often and on however many workers the pass runs, one reminder per event.
CREATE TABLE reminders (
    id BLOB PRIMARY KEY,
    org_id BLOB NOT NULL REFERENCES orgs(id),
    kind TEXT NOT NULL,
    subject_id BLOB NOT NULL,
    event_on TEXT NOT NULL,
    title TEXT NOT NULL,
    customer_id BLOB REFERENCES customers(id),
    lead_id BLOB REFERENCES leads(id),
    assignee_id BLOB REFERENCES users(id),
    created_at INTEGER NOT NULL,
    dismissed_at INTEGER,
    dismissed_by TEXT,
    UNIQUE (org_id, kind, subject_id, event_on)
) STRICT;
-- The open reminders, soonest event first.
CREATE INDEX reminders_open ON reminders(org_id, event_on, id) WHERE dismissed_at IS NULL;
