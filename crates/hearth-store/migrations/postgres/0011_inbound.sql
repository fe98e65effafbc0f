-- Inbound hooks (SMS, call events, chat, WhatsApp) and automated reminders (issue 6).

-- Per-org keys of the inbound hooks. `secret` signs SMS, call and chat
-- deliveries and the WhatsApp app secret signs Meta's; HMAC needs both as
-- they are, so they are stored raw and never returned by the API (only
-- `secret_hint`). The WhatsApp verify token is only compared: its SHA-256.
CREATE TABLE inbound_settings (
    org_id uuid PRIMARY KEY REFERENCES orgs(id),
    secret text,
    secret_hint text,
    secret_rotated_at timestamptz,
    whatsapp_app_secret text,
    whatsapp_verify_token_sha256 bytea,
    whatsapp_updated_at timestamptz,
    version bigint NOT NULL,
    updated_at timestamptz NOT NULL
);

-- One row per provider delivery taken: a redelivery of the same message
-- (or the same call event) finds its key here and stores nothing.
CREATE TABLE inbound_receipts (
    org_id uuid NOT NULL REFERENCES orgs(id),
    channel text NOT NULL,
    provider_id text NOT NULL,
    event text NOT NULL,
    customer_id uuid REFERENCES customers(id),
    lead_id uuid REFERENCES leads(id),
    communication_id uuid REFERENCES communications(id),
    received_at timestamptz NOT NULL,
    PRIMARY KEY (org_id, channel, provider_id, event)
);

-- Days ahead at which the worker raises each kind of reminder.
CREATE TABLE reminder_settings (
    org_id uuid PRIMARY KEY REFERENCES orgs(id),
    warranty_days bigint NOT NULL,
    membership_days bigint NOT NULL,
    follow_up_days bigint NOT NULL,
    version bigint NOT NULL,
    updated_at timestamptz NOT NULL
);

-- Reminders for staff. The unique key is the event reminded of (a warranty
-- ending on a date, a renewal on a date, a task due on a date), so however
-- often and on however many workers the pass runs, one reminder per event.
CREATE TABLE reminders (
    id uuid PRIMARY KEY,
    org_id uuid NOT NULL REFERENCES orgs(id),
    kind text NOT NULL,
    subject_id uuid NOT NULL,
    event_on date NOT NULL,
    title text NOT NULL,
    customer_id uuid REFERENCES customers(id),
    lead_id uuid REFERENCES leads(id),
    assignee_id uuid REFERENCES users(id),
    created_at timestamptz NOT NULL,
    dismissed_at timestamptz,
    dismissed_by text,
    UNIQUE (org_id, kind, subject_id, event_on)
);
-- The open reminders, soonest event first.
CREATE INDEX reminders_open ON reminders(org_id, event_on, id) WHERE dismissed_at IS NULL;
