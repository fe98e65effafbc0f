-- The customer portal (seed 000): magic-link sign-in, customer sessions
-- and per-organisation branding. Links and sessions are stored only as
-- SHA-256 digests of 256-bit random tokens.

-- Branding and what customers may do; the defaults until first saved.
CREATE TABLE portal_settings (
    org_id BLOB PRIMARY KEY REFERENCES orgs(id),
    business_name TEXT,
    primary_color TEXT NOT NULL,
    accent_color TEXT NOT NULL,
    -- Requests with this Host header serve this organisation's portal.
    host TEXT UNIQUE,
    logo_key TEXT,
    logo_content_type TEXT,
    allow_pause INTEGER NOT NULL,
    allow_cancel INTEGER NOT NULL,
    payment_instructions TEXT,
    -- Bookable hours (UTC) and slot length for service requests.
    day_start_hour INTEGER NOT NULL,
    day_end_hour INTEGER NOT NULL,
    slot_minutes INTEGER NOT NULL,
    version INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;

-- Every link request, matched or not, so the rate limits hold across
-- instances and answer the same for known and unknown addresses.
-- `address_hash` is the SHA-256 of the normalised email or E.164 phone.
CREATE TABLE portal_link_requests (
    id BLOB PRIMARY KEY,
    org_id BLOB NOT NULL REFERENCES orgs(id),
    address_hash BLOB NOT NULL,
    ip TEXT NOT NULL,
    at INTEGER NOT NULL
) STRICT;
CREATE INDEX portal_link_requests_address ON portal_link_requests(org_id, address_hash, at);
CREATE INDEX portal_link_requests_ip ON portal_link_requests(ip, at);

CREATE TABLE portal_tokens (
    id BLOB PRIMARY KEY,
    token_hash BLOB NOT NULL UNIQUE,
    org_id BLOB NOT NULL REFERENCES orgs(id),
    customer_id BLOB NOT NULL REFERENCES customers(id),
    channel TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER
) STRICT;
CREATE INDEX portal_tokens_expiry ON portal_tokens(expires_at);

CREATE TABLE portal_sessions (
    id BLOB PRIMARY KEY,
    token_hash BLOB NOT NULL UNIQUE,
    org_id BLOB NOT NULL REFERENCES orgs(id),
    customer_id BLOB NOT NULL REFERENCES customers(id),
    created_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
) STRICT;
CREATE INDEX portal_sessions_customer ON portal_sessions(org_id, customer_id);
CREATE INDEX portal_sessions_expiry ON portal_sessions(expires_at);
