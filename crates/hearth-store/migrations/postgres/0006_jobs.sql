-- Jobs (bookings) at a customer's service address, with the technicians
-- sent, the equipment serviced, line items, notes, photos and the status
-- history. Soft-deleted jobs keep their rows; live-row indexes are partial.

CREATE TABLE jobs (
    id uuid PRIMARY KEY,
    org_id uuid NOT NULL REFERENCES orgs(id),
    customer_id uuid NOT NULL REFERENCES customers(id),
    address_id uuid NOT NULL REFERENCES addresses(id),
    service_type text NOT NULL,
    industry text NOT NULL,
    description text,
    scheduled_start timestamptz NOT NULL,
    scheduled_end timestamptz NOT NULL,
    status text NOT NULL,
    cancel_reason text,
    currency text NOT NULL,
    -- Sum of the line totals, kept with every write for lists and spending.
    total_minor bigint NOT NULL,
    completed_at timestamptz,
    signed_off_at timestamptz,
    signed_off_by_id uuid,
    signed_off_by_name text,
    customer_signature_name text,
    version bigint NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    deleted_at timestamptz,
    CHECK (scheduled_end > scheduled_start)
);
CREATE INDEX jobs_customer ON jobs(org_id, customer_id, scheduled_start, id) WHERE deleted_at IS NULL;
CREATE INDEX jobs_status ON jobs(org_id, status, scheduled_start, id) WHERE deleted_at IS NULL;
CREATE INDEX jobs_address ON jobs(org_id, address_id, scheduled_start, id) WHERE deleted_at IS NULL;
CREATE INDEX jobs_start ON jobs(org_id, scheduled_start, id) WHERE deleted_at IS NULL;

-- The job's start is copied here so "my jobs today" is one index range.
CREATE TABLE job_technicians (
    org_id uuid NOT NULL REFERENCES orgs(id),
    job_id uuid NOT NULL REFERENCES jobs(id),
    user_id uuid NOT NULL REFERENCES users(id),
    scheduled_start timestamptz NOT NULL,
    PRIMARY KEY (org_id, job_id, user_id)
);
CREATE INDEX job_technicians_user ON job_technicians(org_id, user_id, scheduled_start, job_id);

CREATE TABLE job_line_items (
    id uuid PRIMARY KEY,
    org_id uuid NOT NULL REFERENCES orgs(id),
    job_id uuid NOT NULL REFERENCES jobs(id),
    position bigint NOT NULL,
    kind text NOT NULL,
    description text NOT NULL,
    -- Thousandths: 1.5 hours is 1500.
    quantity_milli bigint NOT NULL CHECK (quantity_milli > 0),
    unit_price_minor bigint NOT NULL CHECK (unit_price_minor >= 0),
    currency text NOT NULL,
    total_minor bigint NOT NULL
);
CREATE INDEX job_line_items_job ON job_line_items(org_id, job_id, position);

CREATE TABLE job_equipment (
    org_id uuid NOT NULL REFERENCES orgs(id),
    job_id uuid NOT NULL REFERENCES jobs(id),
    equipment_id uuid NOT NULL REFERENCES equipment(id),
    PRIMARY KEY (org_id, job_id, equipment_id)
);
CREATE INDEX job_equipment_equipment ON job_equipment(org_id, equipment_id);

-- Append-only: who moved a job from which status to which, and when.
CREATE TABLE job_status_history (
    id uuid PRIMARY KEY,
    org_id uuid NOT NULL REFERENCES orgs(id),
    job_id uuid NOT NULL REFERENCES jobs(id),
    from_status text,
    to_status text NOT NULL,
    reason text,
    actor_kind text NOT NULL,
    actor_id uuid,
    actor_name text NOT NULL,
    at timestamptz NOT NULL
);
CREATE INDEX job_status_history_job ON job_status_history(org_id, job_id, id);

CREATE TABLE job_notes (
    id uuid PRIMARY KEY,
    org_id uuid NOT NULL REFERENCES orgs(id),
    job_id uuid NOT NULL REFERENCES jobs(id),
    customer_id uuid NOT NULL REFERENCES customers(id),
    body text NOT NULL,
    author_kind text NOT NULL,
    author_id uuid,
    author_name text NOT NULL,
    created_at timestamptz NOT NULL
);
CREATE INDEX job_notes_job ON job_notes(org_id, job_id, id);
-- Past job notes of a customer, for the technician on the next visit.
CREATE INDEX job_notes_customer ON job_notes(org_id, customer_id, id);

-- The bytes live in the attachment store under storage_key, which is made
-- of ids only, never of a client's file name.
CREATE TABLE job_photos (
    id uuid PRIMARY KEY,
    org_id uuid NOT NULL REFERENCES orgs(id),
    job_id uuid NOT NULL REFERENCES jobs(id),
    customer_id uuid NOT NULL REFERENCES customers(id),
    storage_key text NOT NULL UNIQUE,
    file_name text NOT NULL,
    content_type text NOT NULL,
    size_bytes bigint NOT NULL,
    sha256 text NOT NULL,
    uploaded_by_kind text NOT NULL,
    uploaded_by_id uuid,
    uploaded_by_name text NOT NULL,
    created_at timestamptz NOT NULL
);
CREATE INDEX job_photos_job ON job_photos(org_id, job_id, id);
