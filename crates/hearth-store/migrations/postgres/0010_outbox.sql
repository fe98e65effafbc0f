-- Outbound messages (issue 6): the transactional outbox, message templates,
-- email tracking and outbound webhooks.

-- A sent email's first open and click; why a failed message failed.
ALTER TABLE communications ADD COLUMN opened_at timestamptz;
ALTER TABLE communications ADD COLUMN clicked_at timestamptz;
ALTER TABLE communications ADD COLUMN delivery_error text;

CREATE TABLE webhooks (
    id uuid PRIMARY KEY,
    org_id uuid NOT NULL REFERENCES orgs(id),
    url text NOT NULL,
    -- Space-separated event names.
    events text NOT NULL,
    -- Kept as given: signing needs the key itself. Never returned after creation.
    secret text NOT NULL,
    created_at timestamptz NOT NULL,
    deleted_at timestamptz
);
CREATE INDEX webhooks_org ON webhooks(org_id, id) WHERE deleted_at IS NULL;

-- One row per message to deliver, written in the transaction that caused it.
CREATE TABLE outbox (
    id uuid PRIMARY KEY,
    org_id uuid NOT NULL REFERENCES orgs(id),
    -- email | sms | webhook
    kind text NOT NULL,
    communication_id uuid REFERENCES communications(id),
    webhook_id uuid REFERENCES webhooks(id),
    payload text NOT NULL,
    -- pending | sent | failed
    status text NOT NULL,
    attempts bigint NOT NULL,
    next_attempt_at timestamptz NOT NULL,
    -- A claim's lease: a worker that dies mid-delivery loses the row when it ends.
    locked_until timestamptz,
    claim uuid,
    last_error text,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    sent_at timestamptz
);
-- What the workers claim next.
CREATE INDEX outbox_due ON outbox(next_attempt_at) WHERE status = 'pending';
-- Queue depth and dead letters per org and channel.
CREATE INDEX outbox_org_status ON outbox(org_id, kind, status) WHERE status <> 'sent';
-- A subscription's delivery history, newest first.
CREATE INDEX outbox_webhook ON outbox(org_id, webhook_id, id DESC) WHERE webhook_id IS NOT NULL;

CREATE TABLE message_templates (
    id uuid PRIMARY KEY,
    org_id uuid NOT NULL REFERENCES orgs(id),
    name text NOT NULL,
    channel text NOT NULL,
    subject text,
    body text NOT NULL,
    version bigint NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    deleted_at timestamptz
);
CREATE INDEX message_templates_org ON message_templates(org_id, name, id) WHERE deleted_at IS NULL;

-- Open pixels (url NULL) and redirecting links of sent email, by the
-- SHA-256 of the token in their URL.
CREATE TABLE message_links (
    token_hash bytea PRIMARY KEY,
    org_id uuid NOT NULL REFERENCES orgs(id),
    communication_id uuid NOT NULL REFERENCES communications(id),
    url text,
    clicked_at timestamptz
);
