-- Billing, memberships, loyalty and support (seeds 000, 001, 002).
-- Money is INTEGER minor units beside a three-letter currency code; line
-- items are a JSON array on their quote or invoice (always read whole).
-- `job_id` columns carry no foreign key until jobs exist.

CREATE TABLE billing_settings (
    org_id BLOB PRIMARY KEY REFERENCES orgs(id),
    default_currency TEXT NOT NULL,
    quote_valid_days INTEGER NOT NULL,
    invoice_due_days INTEGER NOT NULL,
    loyalty_points_per_unit INTEGER NOT NULL,
    version INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;

CREATE TABLE quotes (
    id BLOB PRIMARY KEY,
    org_id BLOB NOT NULL REFERENCES orgs(id),
    customer_id BLOB NOT NULL REFERENCES customers(id),
    title TEXT,
    status TEXT NOT NULL,
    currency TEXT NOT NULL,
    lines TEXT NOT NULL,
    subtotal_minor INTEGER NOT NULL,
    tax_minor INTEGER NOT NULL,
    total_minor INTEGER NOT NULL,
    valid_until TEXT NOT NULL,
    notes TEXT,
    job_id BLOB,
    view_count INTEGER NOT NULL,
    last_viewed_at INTEGER,
    sent_at INTEGER,
    decided_at INTEGER,
    version INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;
-- The quote list, newest first, and a customer's quotes.
CREATE INDEX quotes_org ON quotes(org_id, id);
CREATE INDEX quotes_customer ON quotes(org_id, customer_id, id);

-- The last invoice number handed out; incremented in the transaction that
-- creates the invoice, so a failed creation leaves no gap.
CREATE TABLE invoice_counters (
    org_id BLOB PRIMARY KEY REFERENCES orgs(id),
    last_number INTEGER NOT NULL
) STRICT;

CREATE TABLE invoices (
    id BLOB PRIMARY KEY,
    org_id BLOB NOT NULL REFERENCES orgs(id),
    customer_id BLOB NOT NULL REFERENCES customers(id),
    number INTEGER NOT NULL,
    status TEXT NOT NULL,
    currency TEXT NOT NULL,
    lines TEXT NOT NULL,
    subtotal_minor INTEGER NOT NULL,
    tax_minor INTEGER NOT NULL,
    total_minor INTEGER NOT NULL,
    amount_paid_minor INTEGER NOT NULL,
    due_date TEXT NOT NULL,
    notes TEXT,
    job_id BLOB,
    issued_at INTEGER,
    paid_at INTEGER,
    voided_at INTEGER,
    version INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    CHECK (amount_paid_minor >= 0 AND amount_paid_minor <= total_minor)
) STRICT;
CREATE UNIQUE INDEX invoices_number ON invoices(org_id, number);
-- The invoice list (newest first), by customer, by status.
CREATE INDEX invoices_org ON invoices(org_id, id);
CREATE INDEX invoices_customer ON invoices(org_id, customer_id, id);
CREATE INDEX invoices_status ON invoices(org_id, status, id);

CREATE TABLE payments (
    id BLOB PRIMARY KEY,
    org_id BLOB NOT NULL REFERENCES orgs(id),
    invoice_id BLOB NOT NULL REFERENCES invoices(id),
    customer_id BLOB NOT NULL REFERENCES customers(id),
    amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
    currency TEXT NOT NULL,
    method TEXT NOT NULL,
    reference TEXT,
    provider TEXT NOT NULL,
    provider_payment_id TEXT,
    received_at INTEGER NOT NULL,
    actor_kind TEXT NOT NULL,
    actor_id BLOB,
    actor_name TEXT NOT NULL
) STRICT;
CREATE INDEX payments_invoice ON payments(org_id, invoice_id, id);
-- Spending insights sum a customer's payments per currency.
CREATE INDEX payments_customer ON payments(org_id, customer_id, currency);
-- A provider reports a payment once, however often its webhook arrives.
CREATE UNIQUE INDEX payments_provider ON payments(org_id, provider, provider_payment_id)
    WHERE provider_payment_id IS NOT NULL;

-- Hosted checkout sessions: the webhook finds its organisation and invoice
-- by the provider's session id.
CREATE TABLE checkout_sessions (
    id BLOB PRIMARY KEY,
    org_id BLOB NOT NULL REFERENCES orgs(id),
    invoice_id BLOB NOT NULL REFERENCES invoices(id),
    provider TEXT NOT NULL,
    provider_session_id TEXT NOT NULL,
    amount_minor INTEGER NOT NULL,
    currency TEXT NOT NULL,
    url TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    completed_at INTEGER
) STRICT;
CREATE UNIQUE INDEX checkout_sessions_provider ON checkout_sessions(provider, provider_session_id);
CREATE INDEX checkout_sessions_invoice ON checkout_sessions(org_id, invoice_id, id);

CREATE TABLE membership_plans (
    id BLOB PRIMARY KEY,
    org_id BLOB NOT NULL REFERENCES orgs(id),
    name TEXT NOT NULL,
    description TEXT,
    price_minor INTEGER NOT NULL,
    currency TEXT NOT NULL,
    billing_interval TEXT NOT NULL,
    included_visits INTEGER NOT NULL,
    archived INTEGER NOT NULL,
    version INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;
CREATE INDEX membership_plans_org ON membership_plans(org_id, id);

CREATE TABLE memberships (
    id BLOB PRIMARY KEY,
    org_id BLOB NOT NULL REFERENCES orgs(id),
    customer_id BLOB NOT NULL REFERENCES customers(id),
    plan_id BLOB NOT NULL REFERENCES membership_plans(id),
    status TEXT NOT NULL,
    started_on TEXT NOT NULL,
    periods INTEGER NOT NULL,
    cancelled_at INTEGER,
    version INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;
CREATE INDEX memberships_org ON memberships(org_id, id);
CREATE INDEX memberships_customer ON memberships(org_id, customer_id, id);
CREATE INDEX memberships_status ON memberships(org_id, status, id);

CREATE TABLE loyalty_ledger (
    id BLOB PRIMARY KEY,
    org_id BLOB NOT NULL REFERENCES orgs(id),
    customer_id BLOB NOT NULL REFERENCES customers(id),
    kind TEXT NOT NULL,
    points INTEGER NOT NULL,
    reason TEXT,
    invoice_id BLOB REFERENCES invoices(id),
    actor_kind TEXT NOT NULL,
    actor_id BLOB,
    actor_name TEXT NOT NULL,
    at INTEGER NOT NULL
) STRICT;
-- A customer's balance (sum) and entries, newest first.
CREATE INDEX loyalty_customer ON loyalty_ledger(org_id, customer_id, id);
-- A paid invoice earns points once.
CREATE UNIQUE INDEX loyalty_earned_once ON loyalty_ledger(org_id, invoice_id) WHERE kind = 'earned';

CREATE TABLE tickets (
    id BLOB PRIMARY KEY,
    org_id BLOB NOT NULL REFERENCES orgs(id),
    customer_id BLOB NOT NULL REFERENCES customers(id),
    subject TEXT NOT NULL,
    status TEXT NOT NULL,
    channel TEXT NOT NULL,
    priority TEXT NOT NULL,
    message_count INTEGER NOT NULL,
    last_message_at INTEGER,
    resolved_at INTEGER,
    version INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;
CREATE INDEX tickets_org ON tickets(org_id, id);
CREATE INDEX tickets_customer ON tickets(org_id, customer_id, id);
CREATE INDEX tickets_status ON tickets(org_id, status, id);

CREATE TABLE ticket_messages (
    id BLOB PRIMARY KEY,
    org_id BLOB NOT NULL REFERENCES orgs(id),
    ticket_id BLOB NOT NULL REFERENCES tickets(id),
    author TEXT NOT NULL,
    author_id BLOB,
    author_name TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX ticket_messages_ticket ON ticket_messages(org_id, ticket_id, id);
