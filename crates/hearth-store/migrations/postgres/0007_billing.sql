-- Billing, memberships, loyalty and support (seeds 000, 001, 002).
-- Money is bigint minor units beside a three-letter currency code; line
-- items are a JSON array on their quote or invoice (always read whole).
-- `job_id` columns carry no foreign key until jobs exist.

CREATE TABLE billing_settings (
    org_id uuid PRIMARY KEY REFERENCES orgs(id),
    default_currency text NOT NULL,
    quote_valid_days bigint NOT NULL,
    invoice_due_days bigint NOT NULL,
    loyalty_points_per_unit bigint NOT NULL,
    version bigint NOT NULL,
    updated_at timestamptz NOT NULL
);

CREATE TABLE quotes (
    id uuid PRIMARY KEY,
    org_id uuid NOT NULL REFERENCES orgs(id),
    customer_id uuid NOT NULL REFERENCES customers(id),
    title text,
    status text NOT NULL,
    currency text NOT NULL,
    lines jsonb NOT NULL,
    subtotal_minor bigint NOT NULL,
    tax_minor bigint NOT NULL,
    total_minor bigint NOT NULL,
    valid_until date NOT NULL,
    notes text,
    job_id uuid,
    view_count bigint NOT NULL,
    last_viewed_at timestamptz,
    sent_at timestamptz,
    decided_at timestamptz,
    version bigint NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);
-- The quote list, newest first, and a customer's quotes.
CREATE INDEX quotes_org ON quotes(org_id, id);
CREATE INDEX quotes_customer ON quotes(org_id, customer_id, id);

-- The last invoice number handed out; incremented in the transaction that
-- creates the invoice, so a failed creation leaves no gap.
CREATE TABLE invoice_counters (
    org_id uuid PRIMARY KEY REFERENCES orgs(id),
    last_number bigint NOT NULL
);

CREATE TABLE invoices (
    id uuid PRIMARY KEY,
    org_id uuid NOT NULL REFERENCES orgs(id),
    customer_id uuid NOT NULL REFERENCES customers(id),
    number bigint NOT NULL,
    status text NOT NULL,
    currency text NOT NULL,
    lines jsonb NOT NULL,
    subtotal_minor bigint NOT NULL,
    tax_minor bigint NOT NULL,
    total_minor bigint NOT NULL,
    amount_paid_minor bigint NOT NULL,
    due_date date NOT NULL,
    notes text,
    job_id uuid,
    issued_at timestamptz,
    paid_at timestamptz,
    voided_at timestamptz,
    version bigint NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    CHECK (amount_paid_minor >= 0 AND amount_paid_minor <= total_minor)
);
CREATE UNIQUE INDEX invoices_number ON invoices(org_id, number);
-- The invoice list (newest first), by customer, by status.
CREATE INDEX invoices_org ON invoices(org_id, id);
CREATE INDEX invoices_customer ON invoices(org_id, customer_id, id);
CREATE INDEX invoices_status ON invoices(org_id, status, id);

CREATE TABLE payments (
    id uuid PRIMARY KEY,
    org_id uuid NOT NULL REFERENCES orgs(id),
    invoice_id uuid NOT NULL REFERENCES invoices(id),
    customer_id uuid NOT NULL REFERENCES customers(id),
    amount_minor bigint NOT NULL CHECK (amount_minor > 0),
    currency text NOT NULL,
    method text NOT NULL,
    reference text,
    provider text NOT NULL,
    provider_payment_id text,
    received_at timestamptz NOT NULL,
    actor_kind text NOT NULL,
    actor_id uuid,
    actor_name text NOT NULL
);
CREATE INDEX payments_invoice ON payments(org_id, invoice_id, id);
-- Spending insights sum a customer's payments per currency.
CREATE INDEX payments_customer ON payments(org_id, customer_id, currency);
-- A provider reports a payment once, however often its webhook arrives.
CREATE UNIQUE INDEX payments_provider ON payments(org_id, provider, provider_payment_id)
    WHERE provider_payment_id IS NOT NULL;

-- Hosted checkout sessions: the webhook finds its organisation and invoice
-- by the provider's session id.
CREATE TABLE checkout_sessions (
    id uuid PRIMARY KEY,
    org_id uuid NOT NULL REFERENCES orgs(id),
    invoice_id uuid NOT NULL REFERENCES invoices(id),
    provider text NOT NULL,
    provider_session_id text NOT NULL,
    amount_minor bigint NOT NULL,
    currency text NOT NULL,
    url text NOT NULL,
    created_at timestamptz NOT NULL,
    completed_at timestamptz
);
CREATE UNIQUE INDEX checkout_sessions_provider ON checkout_sessions(provider, provider_session_id);
CREATE INDEX checkout_sessions_invoice ON checkout_sessions(org_id, invoice_id, id);

CREATE TABLE membership_plans (
    id uuid PRIMARY KEY,
    org_id uuid NOT NULL REFERENCES orgs(id),
    name text NOT NULL,
    description text,
    price_minor bigint NOT NULL,
    currency text NOT NULL,
    billing_interval text NOT NULL,
    included_visits bigint NOT NULL,
    archived boolean NOT NULL,
    version bigint NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);
CREATE INDEX membership_plans_org ON membership_plans(org_id, id);

CREATE TABLE memberships (
    id uuid PRIMARY KEY,
    org_id uuid NOT NULL REFERENCES orgs(id),
    customer_id uuid NOT NULL REFERENCES customers(id),
    plan_id uuid NOT NULL REFERENCES membership_plans(id),
    status text NOT NULL,
    started_on date NOT NULL,
    periods bigint NOT NULL,
    cancelled_at timestamptz,
    version bigint NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);
CREATE INDEX memberships_org ON memberships(org_id, id);
CREATE INDEX memberships_customer ON memberships(org_id, customer_id, id);
CREATE INDEX memberships_status ON memberships(org_id, status, id);

CREATE TABLE loyalty_ledger (
    id uuid PRIMARY KEY,
    org_id uuid NOT NULL REFERENCES orgs(id),
    customer_id uuid NOT NULL REFERENCES customers(id),
    kind text NOT NULL,
    points bigint NOT NULL,
    reason text,
    invoice_id uuid REFERENCES invoices(id),
    actor_kind text NOT NULL,
    actor_id uuid,
    actor_name text NOT NULL,
    at timestamptz NOT NULL
);
-- A customer's balance (sum) and entries, newest first.
CREATE INDEX loyalty_customer ON loyalty_ledger(org_id, customer_id, id);
-- A paid invoice earns points once.
CREATE UNIQUE INDEX loyalty_earned_once ON loyalty_ledger(org_id, invoice_id) WHERE kind = 'earned';

CREATE TABLE tickets (
    id uuid PRIMARY KEY,
    org_id uuid NOT NULL REFERENCES orgs(id),
    customer_id uuid NOT NULL REFERENCES customers(id),
    subject text NOT NULL,
    status text NOT NULL,
    channel text NOT NULL,
    priority text NOT NULL,
    message_count bigint NOT NULL,
    last_message_at timestamptz,
    resolved_at timestamptz,
    version bigint NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);
CREATE INDEX tickets_org ON tickets(org_id, id);
CREATE INDEX tickets_customer ON tickets(org_id, customer_id, id);
CREATE INDEX tickets_status ON tickets(org_id, status, id);

CREATE TABLE ticket_messages (
    id uuid PRIMARY KEY,
    org_id uuid NOT NULL REFERENCES orgs(id),
    ticket_id uuid NOT NULL REFERENCES tickets(id),
    author text NOT NULL,
    author_id uuid,
    author_name text NOT NULL,
    body text NOT NULL,
    created_at timestamptz NOT NULL
);
CREATE INDEX ticket_messages_ticket ON ticket_messages(org_id, ticket_id, id);
