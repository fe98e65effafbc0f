-- The customer's child records: additional contacts, service addresses and
-- the equipment installed at each address. All soft-deleted; live-row
-- indexes are partial so the bin never slows a card down.

CREATE TABLE customer_contacts (
    id BLOB PRIMARY KEY,
    org_id BLOB NOT NULL REFERENCES orgs(id),
    customer_id BLOB NOT NULL REFERENCES customers(id),
    name TEXT NOT NULL,
    phone TEXT,
    email TEXT,
    position TEXT,
    -- Percent × 100: 12.5 % is 1250.
    ownership_bp INTEGER CHECK (ownership_bp BETWEEN 0 AND 10000),
    customer_type TEXT,
    additional_info TEXT,
    version INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    deleted_at INTEGER
) STRICT;
CREATE INDEX customer_contacts_customer ON customer_contacts(org_id, customer_id, id) WHERE deleted_at IS NULL;

CREATE TABLE addresses (
    id BLOB PRIMARY KEY,
    org_id BLOB NOT NULL REFERENCES orgs(id),
    customer_id BLOB NOT NULL REFERENCES customers(id),
    label TEXT,
    line1 TEXT NOT NULL,
    line2 TEXT,
    city TEXT,
    region TEXT,
    postal_code TEXT,
    country TEXT NOT NULL,
    access_instructions TEXT,
    is_primary INTEGER NOT NULL,
    version INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    deleted_at INTEGER
) STRICT;
CREATE INDEX addresses_customer ON addresses(org_id, customer_id, id) WHERE deleted_at IS NULL;
-- At most one primary per customer, whatever the application does.
CREATE UNIQUE INDEX addresses_one_primary ON addresses(customer_id) WHERE is_primary = 1 AND deleted_at IS NULL;

CREATE TABLE equipment (
    id BLOB PRIMARY KEY,
    org_id BLOB NOT NULL REFERENCES orgs(id),
    customer_id BLOB NOT NULL REFERENCES customers(id),
    address_id BLOB NOT NULL REFERENCES addresses(id),
    kind TEXT NOT NULL,
    make TEXT,
    model TEXT,
    serial_number TEXT,
    install_date TEXT,
    expected_lifespan_years INTEGER CHECK (expected_lifespan_years BETWEEN 0 AND 100),
    warranty_expires_on TEXT,
    notes TEXT,
    -- Derived from completed jobs; written only by the system, never by input.
    last_service_date TEXT,
    version INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    deleted_at INTEGER
) STRICT;
CREATE INDEX equipment_address ON equipment(org_id, address_id, id) WHERE deleted_at IS NULL;
CREATE INDEX equipment_warranty ON equipment(org_id, warranty_expires_on, id) WHERE deleted_at IS NULL AND warranty_expires_on IS NOT NULL;
CREATE INDEX equipment_serial ON equipment(org_id, serial_number) WHERE serial_number IS NOT NULL;
