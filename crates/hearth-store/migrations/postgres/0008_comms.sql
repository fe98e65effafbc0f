-- Communications, engagements, tasks and attachments (seeds 001, 003, 004).

CREATE TABLE communications (
    id uuid PRIMARY KEY,
    org_id uuid NOT NULL REFERENCES orgs(id),
    customer_id uuid REFERENCES customers(id),
    lead_id uuid REFERENCES leads(id),
    channel text NOT NULL,
    direction text NOT NULL,
    subject text,
    body text NOT NULL,
    status text NOT NULL,
    duration_seconds bigint,
    outcome text,
    author_kind text NOT NULL,
    author_id uuid,
    author_name text NOT NULL,
    occurred_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL,
    CHECK (customer_id IS NOT NULL OR lead_id IS NOT NULL)
);
-- A customer's log, newest first.
CREATE INDEX communications_customer ON communications(org_id, customer_id, occurred_at DESC, id DESC)
    WHERE customer_id IS NOT NULL;
-- One channel of a customer's log, and the per-channel counts of the insights strip.
CREATE INDEX communications_customer_channel ON communications(org_id, customer_id, channel, occurred_at DESC, id DESC)
    WHERE customer_id IS NOT NULL;
CREATE INDEX communications_lead ON communications(org_id, lead_id, occurred_at DESC, id DESC)
    WHERE lead_id IS NOT NULL;

-- An organisation's contact types; none stored means the defaults.
CREATE TABLE engagement_types (
    org_id uuid NOT NULL REFERENCES orgs(id),
    position bigint NOT NULL,
    name text NOT NULL,
    PRIMARY KEY (org_id, position)
);

CREATE TABLE engagements (
    id uuid PRIMARY KEY,
    org_id uuid NOT NULL REFERENCES orgs(id),
    customer_id uuid NOT NULL REFERENCES customers(id),
    subject text NOT NULL,
    date date NOT NULL,
    contact_id uuid REFERENCES customer_contacts(id),
    duration_minutes bigint,
    contacted_by uuid NOT NULL REFERENCES users(id),
    contact_type text,
    follow_up boolean NOT NULL,
    follow_up_assignee uuid REFERENCES users(id),
    follow_up_date date,
    follow_up_completed boolean NOT NULL,
    notes text NOT NULL,
    version bigint NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    deleted_at timestamptz
);
-- A customer's engagements, newest first.
CREATE INDEX engagements_customer ON engagements(org_id, customer_id, date DESC, id DESC)
    WHERE deleted_at IS NULL;

CREATE TABLE tasks (
    id uuid PRIMARY KEY,
    org_id uuid NOT NULL REFERENCES orgs(id),
    customer_id uuid REFERENCES customers(id),
    lead_id uuid REFERENCES leads(id),
    title text NOT NULL,
    assignee_id uuid REFERENCES users(id),
    due_at timestamptz,
    remind_at timestamptz,
    completed_at timestamptz,
    engagement_id uuid REFERENCES engagements(id),
    version bigint NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    deleted_at timestamptz
);
-- Someone's open tasks by due time ("my tasks", overdue first).
CREATE INDEX tasks_assignee_open ON tasks(org_id, assignee_id, due_at, id)
    WHERE completed_at IS NULL AND deleted_at IS NULL;
-- Every task by due time (all tasks, closed ones included).
CREATE INDEX tasks_due ON tasks(org_id, due_at, id) WHERE deleted_at IS NULL;
-- An engagement has at most one follow-up task.
CREATE UNIQUE INDEX tasks_engagement ON tasks(org_id, engagement_id)
    WHERE engagement_id IS NOT NULL AND deleted_at IS NULL;

CREATE TABLE attachments (
    id uuid PRIMARY KEY,
    org_id uuid NOT NULL REFERENCES orgs(id),
    engagement_id uuid NOT NULL REFERENCES engagements(id),
    filename text NOT NULL,
    content_type text NOT NULL,
    size_bytes bigint NOT NULL,
    sha256 text NOT NULL,
    storage_key text NOT NULL,
    author_kind text NOT NULL,
    author_id uuid,
    author_name text NOT NULL,
    created_at timestamptz NOT NULL
);
CREATE INDEX attachments_engagement ON attachments(org_id, engagement_id, id);
