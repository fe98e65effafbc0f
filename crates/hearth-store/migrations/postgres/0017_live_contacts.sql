-- The duplicates review groups live customers by phone and by email. The
-- older phone and email indexes also hold deleted and merged-away customers
-- (caller ID follows a merged number to the kept record), so grouping
-- through them reads every customer's row to check `deleted_at`; these
-- partial indexes make each grouping one index scan.
CREATE INDEX customers_live_phone ON customers(org_id, phone) WHERE deleted_at IS NULL AND phone IS NOT NULL;
CREATE INDEX customers_live_email ON customers(org_id, email) WHERE deleted_at IS NULL AND email IS NOT NULL;
