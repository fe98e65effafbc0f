-- The customer portal (seed 000): magic-link sign-in, customer sessions
-- and per-organisation branding. Links and sessions are stored only as
-- SHA-256 digests of 256-bit random tokens.

-- Branding and what customers may do; the defaults until first saved.
CREATE TABLE portal_settings (
    org_id uuid PRIMARY KEY REFERENCES orgs(id),
    business_name text,
    primary_color text NOT NULL,
    accent_color text NOT NULL,
    -- Requests with this Host header serve this organisation's portal.
    host text UNIQUE,
    logo_key text,
    logo_content_type text,
    allow_pause boolean NOT NULL,
    allow_cancel boolean NOT NULL,
    payment_instructions text,
    -- Bookable hours (UTC) and slot length for service requests.
    day_start_hour bigint NOT NULL,
    day_end_hour bigint NOT NULL,
    slot_minutes bigint NOT NULL,
    version bigint NOT NULL,
    updated_at timestamptz NOT NULL
);

-- Every link request, matched or not, so the rate limits hold across
-- instances and answer the same for known and unknown addresses.
-- `address_hash` is the SHA-256 of the normalised email or E.164 phone.
CREATE TABLE portal_link_requests (
    id uuid PRIMARY KEY,
    org_id uuid NOT NULL REFERENCES orgs(id),
    address_hash bytea NOT NULL,
    ip text NOT NULL,
    at timestamptz NOT NULL
);
CREATE INDEX portal_link_requests_address ON portal_link_requests(org_id, address_hash, at);
CREATE INDEX portal_link_requests_ip ON portal_link_requests(ip, at);

CREATE TABLE portal_tokens (
    id uuid PRIMARY KEY,
    token_hash bytea NOT NULL UNIQUE,
    org_id uuid NOT NULL REFERENCES orgs(id),
    customer_id uuid NOT NULL REFERENCES customers(id),
    channel text NOT NULL,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    used_at timestamptz
);
CREATE INDEX portal_tokens_expiry ON portal_tokens(expires_at);

CREATE TABLE portal_sessions (
    id uuid PRIMARY KEY,
    token_hash bytea NOT NULL UNIQUE,
    org_id uuid NOT NULL REFERENCES orgs(id),
    customer_id uuid NOT NULL REFERENCES customers(id),
    created_at timestamptz NOT NULL,
    last_seen_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL
);
CREATE INDEX portal_sessions_customer ON portal_sessions(org_id, customer_id);
CREATE INDEX portal_sessions_expiry ON portal_sessions(expires_at);
