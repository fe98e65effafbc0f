-- Segments (seed 001). Membership is read, never stored: a segment is a
-- filter evaluated against `customer_facts` and the current time. The
-- facts are what a filter needs of a customer's jobs, payments and
-- memberships, one row per live customer, rewritten in the transaction of
-- every change to them (hearth_store::segments::facts), so a count is
-- right the moment the change commits and a day passing needs no job.

CREATE TABLE customer_facts (
    org_id uuid NOT NULL REFERENCES orgs(id),
    customer_id uuid NOT NULL REFERENCES customers(id),
    -- The customer's own created_at, copied for the New segment's index.
    created_at timestamptz NOT NULL,
    -- Jobs not cancelled (past and upcoming), and the latest one's start.
    bookings bigint NOT NULL,
    last_booking_at timestamptz,
    -- Payments received in the organisation's default currency.
    lifetime_minor bigint NOT NULL,
    -- active, paused, cancelled or none: the best of the customer's memberships.
    membership text NOT NULL,
    PRIMARY KEY (org_id, customer_id)
);
-- One index per built-in condition, so each built-in count is index ranges.
CREATE INDEX customer_facts_created ON customer_facts(org_id, created_at);
CREATE INDEX customer_facts_last_booking ON customer_facts(org_id, last_booking_at);
CREATE INDEX customer_facts_lifetime ON customer_facts(org_id, lifetime_minor);
CREATE INDEX customer_facts_bookings ON customer_facts(org_id, bookings, membership);
CREATE INDEX customer_facts_membership ON customer_facts(org_id, membership);

-- Filters an organisation saved; `definition` is the filter's JSON.
CREATE TABLE segments (
    id uuid PRIMARY KEY,
    org_id uuid NOT NULL REFERENCES orgs(id),
    name text NOT NULL,
    definition jsonb NOT NULL,
    version bigint NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    deleted_at timestamptz
);
CREATE INDEX segments_org ON segments(org_id, name, id) WHERE deleted_at IS NULL;

CREATE TABLE segment_settings (
    org_id uuid PRIMARY KEY REFERENCES orgs(id),
    vip_lifetime_value_minor bigint NOT NULL,
    vip_bookings bigint NOT NULL,
    at_risk_days bigint NOT NULL,
    new_days bigint NOT NULL,
    version bigint NOT NULL,
    updated_at timestamptz NOT NULL
);
