-- The customer's child records: additional contacts, service addresses and
-- the equipment installed at each address. All soft-deleted; live-row
-- indexes are partial so the bin never slows a card down.

CREATE TABLE customer_contacts (
    id uuid PRIMARY KEY,
    org_id uuid NOT NULL REFERENCES orgs(id),
    customer_id uuid NOT NULL REFERENCES customers(id),
    name text NOT NULL,
    phone text,
    email text,
    position text,
    -- Percent × 100: 12.5 % is 1250.
    ownership_bp bigint CHECK (ownership_bp BETWEEN 0 AND 10000),
    customer_type text,
    additional_info text,
    version bigint NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    deleted_at timestamptz
);
CREATE INDEX customer_contacts_customer ON customer_contacts(org_id, customer_id, id) WHERE deleted_at IS NULL;

CREATE TABLE addresses (
    id uuid PRIMARY KEY,
    org_id uuid NOT NULL REFERENCES orgs(id),
    customer_id uuid NOT NULL REFERENCES customers(id),
    label text,
    line1 text NOT NULL,
    line2 text,
    city text,
    region text,
    postal_code text,
    country text NOT NULL,
    access_instructions text,
    is_primary boolean NOT NULL,
    version bigint NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    deleted_at timestamptz
);
CREATE INDEX addresses_customer ON addresses(org_id, customer_id, id) WHERE deleted_at IS NULL;
-- At most one primary per customer, whatever the application does.
CREATE UNIQUE INDEX addresses_one_primary ON addresses(customer_id) WHERE is_primary AND deleted_at IS NULL;

CREATE TABLE equipment (
    id uuid PRIMARY KEY,
    org_id uuid NOT NULL REFERENCES orgs(id),
    customer_id uuid NOT NULL REFERENCES customers(id),
    address_id uuid NOT NULL REFERENCES addresses(id),
    kind text NOT NULL,
    make text,
    model text,
    serial_number text,
    install_date date,
    expected_lifespan_years bigint CHECK (expected_lifespan_years BETWEEN 0 AND 100),
    warranty_expires_on date,
    notes text,
    -- Derived from completed jobs; written only by the system, never by input.
    last_service_date date,
    version bigint NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    deleted_at timestamptz
);
CREATE INDEX equipment_address ON equipment(org_id, address_id, id) WHERE deleted_at IS NULL;
CREATE INDEX equipment_warranty ON equipment(org_id, warranty_expires_on, id) WHERE deleted_at IS NULL AND warranty_expires_on IS NOT NULL;
CREATE INDEX equipment_serial ON equipment(org_id, serial_number) WHERE serial_number IS NOT NULL;
