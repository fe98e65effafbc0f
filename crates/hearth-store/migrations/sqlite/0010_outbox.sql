-- Outbound messages (issue 6): the transactional outbox, message templates,
-- email tracking and outbound webhooks.

-- A sent email's first open and click; why a failed message failed.
ALTER TABLE communications ADD COLUMN opened_at INTEGER;
ALTER TABLE communications ADD COLUMN clicked_at INTEGER;
ALTER TABLE communications ADD COLUMN delivery_error TEXT;

CREATE TABLE webhooks (
    id BLOB PRIMARY KEY,
    org_id BLOB NOT NULL REFERENCES orgs(id),
    url TEXT NOT NULL,
    -- Space-separated event names.
    events TEXT NOT NULL,
    -- Kept as given: signing needs the key itself. Never returned after creation.
    secret TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    deleted_at INTEGER
) STRICT;
CREATE INDEX webhooks_org ON webhooks(org_id, id) WHERE deleted_at IS NULL;

-- One row per message to deliver, written in the transaction that caused it.
CREATE TABLE outbox (
    id BLOB PRIMARY KEY,
    org_id BLOB NOT NULL REFERENCES orgs(id),
    -- email | sms | webhook
    kind TEXT NOT NULL,
    communication_id BLOB REFERENCES communications(id),
    webhook_id BLOB REFERENCES webhooks(id),
    payload TEXT NOT NULL,
    -- pending | sent | failed
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    next_attempt_at INTEGER NOT NULL,
    -- A claim's lease: a worker that dies mid-delivery loses the row when it ends.
    locked_until INTEGER,
    claim BLOB,
    last_error TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    sent_at INTEGER
) STRICT;
-- What the workers claim next.
CREATE INDEX outbox_due ON outbox(next_attempt_at) WHERE status = 'pending';
-- Queue depth and dead letters per org and channel.
CREATE INDEX outbox_org_status ON outbox(org_id, kind, status) WHERE status <> 'sent';
-- A subscription's delivery history, newest first.
CREATE INDEX outbox_webhook ON outbox(org_id, webhook_id, id DESC) WHERE webhook_id IS NOT NULL;

CREATE TABLE message_templates (
    id BLOB PRIMARY KEY,
    org_id BLOB NOT NULL REFERENCES orgs(id),
    name TEXT NOT NULL,
    channel TEXT NOT NULL,
    subject TEXT,
    body TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    deleted_at INTEGER
) STRICT;
CREATE INDEX message_templates_org ON message_templates(org_id, name, id) WHERE deleted_at IS NULL;

-- Open pixels (url NULL) and redirecting links of sent email, by the
-- SHA-256 of the token in their URL.
CREATE TABLE message_links (
    token_hash BLOB PRIMARY KEY,
    org_id BLOB NOT NULL REFERENCES orgs(id),
    communication_id BLOB NOT NULL REFERENCES communications(id),
    url TEXT,
    clicked_at INTEGER
) STRICT;
