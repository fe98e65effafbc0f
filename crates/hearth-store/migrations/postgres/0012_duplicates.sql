-- Duplicate detection, merges and CSV imports (issue 7).

-- Set on the customer merged away: its id keeps answering, as a redirect
-- to the record it was merged into, and its phone and email keep finding it.
ALTER TABLE customers ADD COLUMN merged_into uuid;
CREATE INDEX customers_org_merged ON customers(org_id, merged_into) WHERE merged_into IS NOT NULL;

-- One merge of `merged_id` into `kept_id`, kept for inspection and undo.
CREATE TABLE merges (
    id uuid PRIMARY KEY,
    org_id uuid NOT NULL REFERENCES orgs(id),
    kept_id uuid NOT NULL REFERENCES customers(id),
    merged_id uuid NOT NULL REFERENCES customers(id),
    -- The per-field choices as sent, and the kept record's fields before
    -- and after (JSON of CustomerFields): undo puts `kept_before` back.
    choices text NOT NULL,
    kept_before text NOT NULL,
    kept_after text NOT NULL,
    actor_kind text NOT NULL,
    actor_id uuid,
    actor_name text NOT NULL,
    created_at timestamptz NOT NULL,
    undone_at timestamptz,
    undone_by text
);
CREATE INDEX merges_org ON merges(org_id, id);
CREATE INDEX merges_kept ON merges(org_id, kept_id, id);
CREATE INDEX merges_merged ON merges(org_id, merged_id, id);

-- Every row a merge moved from the merged-away customer to the kept one,
-- by table; undo moves exactly these back. `row_id` is the row's id, or
-- the tag id for customer_tags and the customer id for call_statuses.
CREATE TABLE merge_moves (
    merge_id uuid NOT NULL REFERENCES merges(id),
    table_name text NOT NULL,
    row_id uuid NOT NULL,
    PRIMARY KEY (merge_id, table_name, row_id)
);

-- What creating a customer does when it looks like an existing one.
CREATE TABLE duplicate_settings (
    org_id uuid PRIMARY KEY REFERENCES orgs(id),
    on_create text NOT NULL,
    updated_at timestamptz NOT NULL
);

-- CSV imports: each imported customer carries its import, so a finished
-- import can be reverted as a whole.
CREATE TABLE imports (
    id uuid PRIMARY KEY,
    org_id uuid NOT NULL REFERENCES orgs(id),
    kind text NOT NULL,
    rows_imported bigint NOT NULL,
    rows_skipped bigint NOT NULL,
    actor_name text NOT NULL,
    created_at timestamptz NOT NULL,
    reverted_at timestamptz
);
CREATE INDEX imports_org ON imports(org_id, id);
ALTER TABLE customers ADD COLUMN import_id uuid;
CREATE INDEX customers_org_import ON customers(org_id, import_id) WHERE import_id IS NOT NULL;
