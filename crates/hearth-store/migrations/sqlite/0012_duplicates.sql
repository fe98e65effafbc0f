-- Duplicate detection, merges and CSV imports (issue 7).

-- Set on the customer merged away: its id keeps answering, as a redirect
-- to the record it was merged into, and its phone and email keep finding it.
ALTER TABLE customers ADD COLUMN merged_into BLOB;
CREATE INDEX customers_org_merged ON customers(org_id, merged_into) WHERE merged_into IS NOT NULL;

-- One merge of `merged_id` into `kept_id`, kept for inspection and undo.
CREATE TABLE merges (
    id BLOB PRIMARY KEY,
    org_id BLOB NOT NULL REFERENCES orgs(id),
    kept_id BLOB NOT NULL REFERENCES customers(id),
    merged_id BLOB NOT NULL REFERENCES customers(id),
    -- The per-field choices as sent, and the kept record's fields before
    -- and after (JSON of CustomerFields): undo puts `kept_before` back.
    choices TEXT NOT NULL,
    kept_before TEXT NOT NULL,
    kept_after TEXT NOT NULL,
    actor_kind TEXT NOT NULL,
    actor_id BLOB,
    actor_name TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    undone_at INTEGER,
    undone_by TEXT
) STRICT;
CREATE INDEX merges_org ON merges(org_id, id);
CREATE INDEX merges_kept ON merges(org_id, kept_id, id);
CREATE INDEX merges_merged ON merges(org_id, merged_id, id);

-- Every row a merge moved from the merged-away customer to the kept one,
-- by table; undo moves exactly these back. `row_id` is the row's id, or
-- the tag id for customer_tags and the customer id for call_statuses.
CREATE TABLE merge_moves (
    merge_id BLOB NOT NULL REFERENCES merges(id),
    table_name TEXT NOT NULL,
    row_id BLOB NOT NULL,
    PRIMARY KEY (merge_id, table_name, row_id)
) STRICT, WITHOUT ROWID;

-- What creating a customer does when it looks like an existing one.
CREATE TABLE duplicate_settings (
    org_id BLOB PRIMARY KEY REFERENCES orgs(id),
    on_create TEXT NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;

-- CSV imports: each imported customer carries its import, so a finished
-- import can be reverted as a whole.
CREATE TABLE imports (
    id BLOB PRIMARY KEY,
    org_id BLOB NOT NULL REFERENCES orgs(id),
    kind TEXT NOT NULL,
    rows_imported INTEGER NOT NULL,
    rows_skipped INTEGER NOT NULL,
    actor_name TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    reverted_at INTEGER
) STRICT;
CREATE INDEX imports_org ON imports(org_id, id);
ALTER TABLE customers ADD COLUMN import_id BLOB;
CREATE INDEX customers_org_import ON customers(org_id, import_id) WHERE import_id IS NOT NULL;
