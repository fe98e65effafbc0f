-- Global search (hearth_store::search). Rows are derived from customers
-- (and later addresses and equipment) by search::reindex_customer only.
-- No foreign keys: customers are soft-deleted, and reindexing a deleted
-- customer removes its rows.

-- Per live customer: the text sources search matches against.
CREATE TABLE search_docs (
    customer_id BLOB PRIMARY KEY,
    org_id BLOB NOT NULL,
    body TEXT NOT NULL
) STRICT;

-- Every term of every document, in one B-tree ordered for prefix range
-- scans within an organisation. BINARY collation = byte order.
CREATE TABLE search_terms (
    org_id BLOB NOT NULL,
    term TEXT NOT NULL,
    customer_id BLOB NOT NULL,
    field TEXT NOT NULL,
    PRIMARY KEY (org_id, term, customer_id, field)
) STRICT, WITHOUT ROWID;

-- The organisation's vocabulary as one-deletion variants: a typed word's
-- variants are probed here to find the words within one typo.
CREATE TABLE search_fuzzy (
    org_id BLOB NOT NULL,
    variant TEXT NOT NULL,
    word TEXT NOT NULL,
    PRIMARY KEY (org_id, variant, word)
) STRICT, WITHOUT ROWID;

-- Customers that existed before this migration are indexed once, at the
-- next start (search::backfill_pending), which then deletes this row.
CREATE TABLE search_pending (name TEXT PRIMARY KEY) STRICT;
INSERT INTO search_pending (name) VALUES ('backfill');
