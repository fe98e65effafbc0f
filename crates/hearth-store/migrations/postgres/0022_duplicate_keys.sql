-- Duplicate detection (hearth_store::duplicates::find) looks for records
-- with the same phone, email, name key or address key: exact probes, in
-- place of two typo-tolerant searches that cost milliseconds per check.
-- The keys are written by the code that writes the names and addresses
-- (hearth_domain::duplicates::{name_key, address_key}); this migration's
-- Rust step fills them in for the rows that exist.
ALTER TABLE customers ADD COLUMN name_key TEXT;
ALTER TABLE addresses ADD COLUMN address_key TEXT;
CREATE INDEX customers_name_key ON customers(org_id, name_key) WHERE deleted_at IS NULL AND name_key IS NOT NULL;
CREATE INDEX addresses_key ON addresses(org_id, address_key) WHERE deleted_at IS NULL AND address_key IS NOT NULL;
