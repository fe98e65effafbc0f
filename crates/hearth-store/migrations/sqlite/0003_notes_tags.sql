-- Notes, tags and call status on customers (seeds 001, 002, 003).

CREATE TABLE notes (
    id BLOB PRIMARY KEY,
    org_id BLOB NOT NULL REFERENCES orgs(id),
    customer_id BLOB NOT NULL REFERENCES customers(id),
    body TEXT NOT NULL,
    pinned INTEGER NOT NULL,
    author_kind TEXT NOT NULL,
    author_id BLOB,
    author_name TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    edited_at INTEGER,
    deleted_at INTEGER
) STRICT;
-- A customer's notes, pinned first then newest; also counts pinned notes.
CREATE INDEX notes_customer ON notes(org_id, customer_id, pinned DESC, created_at DESC, id DESC)
    WHERE deleted_at IS NULL;

CREATE TABLE tags (
    id BLOB PRIMARY KEY,
    org_id BLOB NOT NULL REFERENCES orgs(id),
    name TEXT NOT NULL,
    -- The name lower-cased: what makes two names the same tag.
    name_key TEXT NOT NULL,
    colour TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    deleted_at INTEGER
) STRICT;
-- Unique names per org, the alphabetical list, and look-up by name.
CREATE UNIQUE INDEX tags_org_name ON tags(org_id, name_key) WHERE deleted_at IS NULL;

CREATE TABLE customer_tags (
    org_id BLOB NOT NULL REFERENCES orgs(id),
    customer_id BLOB NOT NULL REFERENCES customers(id),
    tag_id BLOB NOT NULL REFERENCES tags(id),
    added_at INTEGER NOT NULL,
    PRIMARY KEY (org_id, customer_id, tag_id)
) STRICT, WITHOUT ROWID;
-- Customers carrying a tag (usage counts, segments).
CREATE INDEX customer_tags_tag ON customer_tags(org_id, tag_id, customer_id);

-- The last call status of a customer. Its own table so setting it never
-- bumps the customer's version and never conflicts with a profile edit.
CREATE TABLE call_statuses (
    org_id BLOB NOT NULL REFERENCES orgs(id),
    customer_id BLOB NOT NULL REFERENCES customers(id),
    status TEXT NOT NULL,
    set_by_kind TEXT NOT NULL,
    set_by_id BLOB,
    set_by_name TEXT NOT NULL,
    set_at INTEGER NOT NULL,
    PRIMARY KEY (org_id, customer_id)
) STRICT, WITHOUT ROWID;
