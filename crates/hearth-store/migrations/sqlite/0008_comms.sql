-- Communications, engagements, tasks and attachments (seeds 001, 003, 004).

CREATE TABLE communications (
    id BLOB PRIMARY KEY,
    org_id BLOB NOT NULL REFERENCES orgs(id),
    customer_id BLOB REFERENCES customers(id),
    lead_id BLOB REFERENCES leads(id),
    channel TEXT NOT NULL,
    direction TEXT NOT NULL,
    subject TEXT,
    body TEXT NOT NULL,
    status TEXT NOT NULL,
    duration_seconds INTEGER,
    outcome TEXT,
    author_kind TEXT NOT NULL,
    author_id BLOB,
    author_name TEXT NOT NULL,
    occurred_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    CHECK (customer_id IS NOT NULL OR lead_id IS NOT NULL)
) STRICT;
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
    org_id BLOB NOT NULL REFERENCES orgs(id),
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    PRIMARY KEY (org_id, position)
) STRICT, WITHOUT ROWID;

CREATE TABLE engagements (
    id BLOB PRIMARY KEY,
    org_id BLOB NOT NULL REFERENCES orgs(id),
    customer_id BLOB NOT NULL REFERENCES customers(id),
    subject TEXT NOT NULL,
    date TEXT NOT NULL,
    contact_id BLOB REFERENCES customer_contacts(id),
    duration_minutes INTEGER,
    contacted_by BLOB NOT NULL REFERENCES users(id),
    contact_type TEXT,
    follow_up INTEGER NOT NULL,
    follow_up_assignee BLOB REFERENCES users(id),
    follow_up_date TEXT,
    follow_up_completed INTEGER NOT NULL,
    notes TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    deleted_at INTEGER
) STRICT;
-- A customer's engagements, newest first.
CREATE INDEX engagements_customer ON engagements(org_id, customer_id, date DESC, id DESC)
    WHERE deleted_at IS NULL;

CREATE TABLE tasks (
    id BLOB PRIMARY KEY,
    org_id BLOB NOT NULL REFERENCES orgs(id),
    customer_id BLOB REFERENCES customers(id),
    lead_id BLOB REFERENCES leads(id),
    title TEXT NOT NULL,
    assignee_id BLOB REFERENCES users(id),
    due_at INTEGER,
    remind_at INTEGER,
    completed_at INTEGER,
    engagement_id BLOB REFERENCES engagements(id),
    version INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    deleted_at INTEGER
) STRICT;
-- Someone's open tasks by due time ("my tasks", overdue first).
CREATE INDEX tasks_assignee_open ON tasks(org_id, assignee_id, due_at, id)
    WHERE completed_at IS NULL AND deleted_at IS NULL;
-- Every task by due time (all tasks, closed ones included).
CREATE INDEX tasks_due ON tasks(org_id, due_at, id) WHERE deleted_at IS NULL;
-- An engagement has at most one follow-up task.
CREATE UNIQUE INDEX tasks_engagement ON tasks(org_id, engagement_id)
    WHERE engagement_id IS NOT NULL AND deleted_at IS NULL;

CREATE TABLE attachments (
    id BLOB PRIMARY KEY,
    org_id BLOB NOT NULL REFERENCES orgs(id),
    engagement_id BLOB NOT NULL REFERENCES engagements(id),
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    storage_key TEXT NOT NULL,
    author_kind TEXT NOT NULL,
    author_id BLOB,
    author_name TEXT NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX attachments_engagement ON attachments(org_id, engagement_id, id);
