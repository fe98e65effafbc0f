-- Jobs (bookings) at a customer's service address, with the technicians
-- sent, the equipment serviced, line items, notes, photos and the status
-- history. Soft-deleted jobs keep their rows; live-row indexes are partial.

CREATE TABLE jobs (
    id BLOB PRIMARY KEY,
    org_id BLOB NOT NULL REFERENCES orgs(id),
    customer_id BLOB NOT NULL REFERENCES customers(id),
    address_id BLOB NOT NULL REFERENCES addresses(id),
    service_type TEXT NOT NULL,
    industry TEXT NOT NULL,
    description TEXT,
    scheduled_start INTEGER NOT NULL,
    scheduled_end INTEGER NOT NULL,
    status TEXT NOT NULL,
    cancel_reason TEXT,
    currency TEXT NOT NULL,
    -- Sum of the line totals, kept with every write for lists and spending.
    total_minor INTEGER NOT NULL,
    completed_at INTEGER,
    signed_off_at INTEGER,
    signed_off_by_id BLOB,
    signed_off_by_name TEXT,
    customer_signature_name TEXT,
    version INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    deleted_at INTEGER,
    CHECK (scheduled_end > scheduled_start)
) STRICT;
CREATE INDEX jobs_customer ON jobs(org_id, customer_id, scheduled_start, id) WHERE deleted_at IS NULL;
CREATE INDEX jobs_status ON jobs(org_id, status, scheduled_start, id) WHERE deleted_at IS NULL;
CREATE INDEX jobs_address ON jobs(org_id, address_id, scheduled_start, id) WHERE deleted_at IS NULL;
CREATE INDEX jobs_start ON jobs(org_id, scheduled_start, id) WHERE deleted_at IS NULL;

-- The job's start is copied here so "my jobs today" is one index range.
CREATE TABLE job_technicians (
    org_id BLOB NOT NULL REFERENCES orgs(id),
    job_id BLOB NOT NULL REFERENCES jobs(id),
    user_id BLOB NOT NULL REFERENCES users(id),
    scheduled_start INTEGER NOT NULL,
    PRIMARY KEY (org_id, job_id, user_id)
) STRICT;
CREATE INDEX job_technicians_user ON job_technicians(org_id, user_id, scheduled_start, job_id);

CREATE TABLE job_line_items (
    id BLOB PRIMARY KEY,
    org_id BLOB NOT NULL REFERENCES orgs(id),
    job_id BLOB NOT NULL REFERENCES jobs(id),
    position INTEGER NOT NULL,
    kind TEXT NOT NULL,
    description TEXT NOT NULL,
    -- Thousandths: 1.5 hours is 1500.
    quantity_milli INTEGER NOT NULL CHECK (quantity_milli > 0),
    unit_price_minor INTEGER NOT NULL CHECK (unit_price_minor >= 0),
    currency TEXT NOT NULL,
    total_minor INTEGER NOT NULL
) STRICT;
CREATE INDEX job_line_items_job ON job_line_items(org_id, job_id, position);

CREATE TABLE job_equipment (
    org_id BLOB NOT NULL REFERENCES orgs(id),
    job_id BLOB NOT NULL REFERENCES jobs(id),
    equipment_id BLOB NOT NULL REFERENCES equipment(id),
    PRIMARY KEY (org_id, job_id, equipment_id)
) STRICT;
CREATE INDEX job_equipment_equipment ON job_equipment(org_id, equipment_id);

-- Append-only: who moved a job from which status to which, and when.
CREATE TABLE job_status_history (
    id BLOB PRIMARY KEY,
    org_id BLOB NOT NULL REFERENCES orgs(id),
    job_id BLOB NOT NULL REFERENCES jobs(id),
    from_status TEXT,
    to_status TEXT NOT NULL,
    reason TEXT,
    actor_kind TEXT NOT NULL,
    actor_id BLOB,
    actor_name TEXT NOT NULL,
    at INTEGER NOT NULL
) STRICT;
CREATE INDEX job_status_history_job ON job_status_history(org_id, job_id, id);

CREATE TABLE job_notes (
    id BLOB PRIMARY KEY,
    org_id BLOB NOT NULL REFERENCES orgs(id),
    job_id BLOB NOT NULL REFERENCES jobs(id),
    customer_id BLOB NOT NULL REFERENCES customers(id),
    body TEXT NOT NULL,
    author_kind TEXT NOT NULL,
    author_id BLOB,
    author_name TEXT NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX job_notes_job ON job_notes(org_id, job_id, id);
-- Past job notes of a customer, for the technician on the next visit.
CREATE INDEX job_notes_customer ON job_notes(org_id, customer_id, id);

-- The bytes live in the attachment store under storage_key, which is made
-- of ids only, never of a client's file name.
CREATE TABLE job_photos (
    id BLOB PRIMARY KEY,
    org_id BLOB NOT NULL REFERENCES orgs(id),
    job_id BLOB NOT NULL REFERENCES jobs(id),
    customer_id BLOB NOT NULL REFERENCES customers(id),
    storage_key TEXT NOT NULL UNIQUE,
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    uploaded_by_kind TEXT NOT NULL,
    uploaded_by_id BLOB,
    uploaded_by_name TEXT NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX job_photos_job ON job_photos(org_id, job_id, id);
