-- Notes, tags and call status on customers (seeds 001, 002, 003).

CREATE TABLE notes (
    id uuid PRIMARY KEY,
    org_id uuid NOT NULL REFERENCES orgs(id),
    customer_id uuid NOT NULL REFERENCES customers(id),
    body text NOT NULL,
    pinned boolean NOT NULL,
    author_kind text NOT NULL,
    author_id uuid,
    author_name text NOT NULL,
    version bigint NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    edited_at timestamptz,
    deleted_at timestamptz
);
-- A customer's notes, pinned first then newest; also counts pinned notes.
CREATE INDEX notes_customer ON notes(org_id, customer_id, pinned DESC, created_at DESC, id DESC)
    WHERE deleted_at IS NULL;

CREATE TABLE tags (
    id uuid PRIMARY KEY,
    org_id uuid NOT NULL REFERENCES orgs(id),
    name text NOT NULL,
    -- The name lower-cased: what makes two names the same tag.
    name_key text NOT NULL COLLATE "C",
    colour text NOT NULL,
    version bigint NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    deleted_at timestamptz
);
-- Unique names per org, the alphabetical list, and look-up by name.
CREATE UNIQUE INDEX tags_org_name ON tags(org_id, name_key) WHERE deleted_at IS NULL;

CREATE TABLE customer_tags (
    org_id uuid NOT NULL REFERENCES orgs(id),
    customer_id uuid NOT NULL REFERENCES customers(id),
    tag_id uuid NOT NULL REFERENCES tags(id),
    added_at timestamptz NOT NULL,
    PRIMARY KEY (org_id, customer_id, tag_id)
);
-- Customers carrying a tag (usage counts, segments).
CREATE INDEX customer_tags_tag ON customer_tags(org_id, tag_id, customer_id);

-- The last call status of a customer. Its own table so setting it never
-- bumps the customer's version and never conflicts with a profile edit.
CREATE TABLE call_statuses (
    org_id uuid NOT NULL REFERENCES orgs(id),
    customer_id uuid NOT NULL REFERENCES customers(id),
    status text NOT NULL,
    set_by_kind text NOT NULL,
    set_by_id uuid,
    set_by_name text NOT NULL,
    set_at timestamptz NOT NULL,
    PRIMARY KEY (org_id, customer_id)
);
