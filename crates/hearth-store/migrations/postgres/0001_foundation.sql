CREATE TABLE orgs (
    id uuid PRIMARY KEY,
    slug text NOT NULL UNIQUE,
    name text NOT NULL,
    default_region text NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);

CREATE TABLE users (
    id uuid PRIMARY KEY,
    org_id uuid NOT NULL REFERENCES orgs(id),
    email text NOT NULL UNIQUE,
    name text NOT NULL,
    role text NOT NULL,
    password_hash text NOT NULL,
    disabled_at timestamptz,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);
CREATE INDEX users_org ON users(org_id, email);

CREATE TABLE sessions (
    id uuid PRIMARY KEY,
    token_hash bytea NOT NULL UNIQUE,
    org_id uuid NOT NULL REFERENCES orgs(id),
    user_id uuid NOT NULL REFERENCES users(id),
    created_at timestamptz NOT NULL,
    last_seen_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);
CREATE INDEX sessions_expiry ON sessions(expires_at);

CREATE TABLE api_keys (
    id uuid PRIMARY KEY,
    org_id uuid NOT NULL REFERENCES orgs(id),
    name text NOT NULL,
    prefix text NOT NULL,
    key_hash bytea NOT NULL UNIQUE,
    role text NOT NULL,
    created_at timestamptz NOT NULL,
    last_used_at timestamptz,
    revoked_at timestamptz
);
CREATE INDEX api_keys_org ON api_keys(org_id, created_at);

CREATE TABLE login_failures (
    id uuid PRIMARY KEY,
    email text NOT NULL,
    ip text NOT NULL,
    at timestamptz NOT NULL
);
CREATE INDEX login_failures_email ON login_failures(email, at);
CREATE INDEX login_failures_ip ON login_failures(ip, at);

CREATE TABLE customers (
    id uuid PRIMARY KEY,
    org_id uuid NOT NULL REFERENCES orgs(id),
    first_name text,
    last_name text,
    business_name text,
    email text,
    phone text,
    preferred_contact_method text NOT NULL,
    customer_since date NOT NULL,
    sort_name text NOT NULL COLLATE "C",
    search_text text NOT NULL,
    version bigint NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    deleted_at timestamptz
);
CREATE INDEX customers_org_name ON customers(org_id, sort_name, id) WHERE deleted_at IS NULL;
CREATE INDEX customers_org_deleted ON customers(org_id, deleted_at) WHERE deleted_at IS NOT NULL;
CREATE INDEX customers_org_phone ON customers(org_id, phone) WHERE phone IS NOT NULL;
CREATE INDEX customers_org_email ON customers(org_id, email) WHERE email IS NOT NULL;
CREATE INDEX customers_org_updated ON customers(org_id, updated_at) WHERE deleted_at IS NULL;

CREATE TABLE audit_log (
    id uuid PRIMARY KEY,
    org_id uuid NOT NULL REFERENCES orgs(id),
    entity text NOT NULL,
    entity_id uuid NOT NULL,
    customer_id uuid,
    action text NOT NULL,
    field text,
    before jsonb,
    after jsonb,
    actor_kind text NOT NULL,
    actor_id uuid,
    actor_name text NOT NULL,
    at timestamptz NOT NULL
);
CREATE INDEX audit_entity ON audit_log(org_id, entity_id, id);
CREATE INDEX audit_customer ON audit_log(org_id, customer_id, id) WHERE customer_id IS NOT NULL;
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();

CREATE TABLE events (
    id uuid PRIMARY KEY,
    org_id uuid NOT NULL REFERENCES orgs(id),
    customer_id uuid NOT NULL,
    kind text NOT NULL,
    action text NOT NULL,
    summary text NOT NULL,
    data jsonb NOT NULL,
    actor_kind text NOT NULL,
    actor_id uuid,
    actor_name text NOT NULL,
    at timestamptz NOT NULL
);
CREATE INDEX events_customer ON events(org_id, customer_id, at DESC, id DESC);
CREATE INDEX events_customer_kind ON events(org_id, customer_id, kind, at DESC, id DESC);
