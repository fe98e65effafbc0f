-- Ids are 16-byte UUIDv7 blobs, instants integer microseconds since the
-- epoch, dates 'YYYY-MM-DD' text (research/store.md).

CREATE TABLE orgs (
    id BLOB PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    default_region TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;

CREATE TABLE users (
    id BLOB PRIMARY KEY,
    org_id BLOB NOT NULL REFERENCES orgs(id),
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    disabled_at INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;
CREATE INDEX users_org ON users(org_id, email);

CREATE TABLE sessions (
    id BLOB PRIMARY KEY,
    token_hash BLOB NOT NULL UNIQUE,
    org_id BLOB NOT NULL REFERENCES orgs(id),
    user_id BLOB NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
) STRICT;
CREATE INDEX sessions_user ON sessions(user_id);
CREATE INDEX sessions_expiry ON sessions(expires_at);

CREATE TABLE api_keys (
    id BLOB PRIMARY KEY,
    org_id BLOB NOT NULL REFERENCES orgs(id),
    name TEXT NOT NULL,
    prefix TEXT NOT NULL,
    key_hash BLOB NOT NULL UNIQUE,
    role TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_used_at INTEGER,
    revoked_at INTEGER
) STRICT;
CREATE INDEX api_keys_org ON api_keys(org_id, created_at);

CREATE TABLE login_failures (
    id BLOB PRIMARY KEY,
    email TEXT NOT NULL,
    ip TEXT NOT NULL,
    at INTEGER NOT NULL
) STRICT;
CREATE INDEX login_failures_email ON login_failures(email, at);
CREATE INDEX login_failures_ip ON login_failures(ip, at);

CREATE TABLE customers (
    id BLOB PRIMARY KEY,
    org_id BLOB NOT NULL REFERENCES orgs(id),
    first_name TEXT,
    last_name TEXT,
    business_name TEXT,
    email TEXT,
    phone TEXT,
    preferred_contact_method TEXT NOT NULL,
    customer_since TEXT NOT NULL,
    sort_name TEXT NOT NULL,
    search_text TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    deleted_at INTEGER
) STRICT;
CREATE INDEX customers_org_name ON customers(org_id, sort_name, id) WHERE deleted_at IS NULL;
CREATE INDEX customers_org_deleted ON customers(org_id, deleted_at) WHERE deleted_at IS NOT NULL;
CREATE INDEX customers_org_phone ON customers(org_id, phone) WHERE phone IS NOT NULL;
CREATE INDEX customers_org_email ON customers(org_id, email) WHERE email IS NOT NULL;
CREATE INDEX customers_org_updated ON customers(org_id, updated_at) WHERE deleted_at IS NULL;

-- Append-only: survives the deletion of what it describes, so it holds no
-- foreign key to the record.
CREATE TABLE audit_log (
    id BLOB PRIMARY KEY,
    org_id BLOB NOT NULL REFERENCES orgs(id),
    entity TEXT NOT NULL,
    entity_id BLOB NOT NULL,
    customer_id BLOB,
    action TEXT NOT NULL,
    field TEXT,
    before TEXT,
    after TEXT,
    actor_kind TEXT NOT NULL,
    actor_id BLOB,
    actor_name TEXT NOT NULL,
    at INTEGER NOT NULL
) STRICT;
CREATE INDEX audit_entity ON audit_log(org_id, entity_id, id);
CREATE INDEX audit_customer ON audit_log(org_id, customer_id, id) WHERE customer_id IS NOT NULL;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

-- The customer timeline: one row per thing that happened.
CREATE TABLE events (
    id BLOB PRIMARY KEY,
    org_id BLOB NOT NULL REFERENCES orgs(id),
    customer_id BLOB NOT NULL,
    kind TEXT NOT NULL,
    action TEXT NOT NULL,
    summary TEXT NOT NULL,
    data TEXT NOT NULL,
    actor_kind TEXT NOT NULL,
    actor_id BLOB,
    actor_name TEXT NOT NULL,
    at INTEGER NOT NULL
) STRICT;
CREATE INDEX events_customer ON events(org_id, customer_id, at DESC, id DESC);
CREATE INDEX events_customer_kind ON events(org_id, customer_id, kind, at DESC, id DESC);
