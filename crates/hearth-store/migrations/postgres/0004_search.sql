-- Global search (hearth_store::search). Rows are derived from customers
-- (and later addresses and equipment) by search::reindex_customer only.
-- No foreign keys: customers are soft-deleted, and reindexing a deleted
-- customer removes its rows.
--
-- pg_trgm serves substring filters over free text (the bin search of the
-- customers list, LIKE '%…%' on search_text, see customers_bin_trgm). The
-- global search itself uses the B-tree terms below on both engines. The
-- extension lives in public, whatever the search_path, and is named with
-- its schema, so every schema of the database can use it.
CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;

-- Per live customer: the text sources search matches against.
CREATE TABLE search_docs (
    customer_id uuid PRIMARY KEY,
    org_id uuid NOT NULL,
    body text NOT NULL
);

-- Every term of every document, in one B-tree ordered for prefix range
-- scans within an organisation. "C" collation = byte order, as in SQLite.
CREATE TABLE search_terms (
    org_id uuid NOT NULL,
    term text COLLATE "C" NOT NULL,
    customer_id uuid NOT NULL,
    field text NOT NULL,
    PRIMARY KEY (org_id, term, customer_id, field)
);

-- The organisation's vocabulary as one-deletion variants: a typed word's
-- variants are probed here to find the words within one typo.
CREATE TABLE search_fuzzy (
    org_id uuid NOT NULL,
    variant text COLLATE "C" NOT NULL,
    word text COLLATE "C" NOT NULL,
    PRIMARY KEY (org_id, variant, word)
);

-- Substring search among an organisation's deleted customers (the bin).
CREATE INDEX customers_bin_trgm ON customers USING gin (search_text public.gin_trgm_ops)
    WHERE deleted_at IS NOT NULL;

-- Customers that existed before this migration are indexed once, at the
-- next start (search::backfill_pending), which then deletes this row.
CREATE TABLE search_pending (name TEXT PRIMARY KEY);
INSERT INTO search_pending (name) VALUES ('backfill');
