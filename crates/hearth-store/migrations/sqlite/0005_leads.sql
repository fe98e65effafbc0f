-- Leads and the sales pipeline (seeds 000 and 002).

CREATE TABLE pipelines (
    id BLOB PRIMARY KEY,
    org_id BLOB NOT NULL REFERENCES orgs(id),
    name TEXT NOT NULL,
    is_default INTEGER NOT NULL,
    version INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    deleted_at INTEGER
) STRICT;
CREATE INDEX pipelines_org ON pipelines(org_id, created_at) WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX pipelines_one_default ON pipelines(org_id) WHERE is_default = 1 AND deleted_at IS NULL;

-- Deleted stages stay as rows: old leads and stage history still point at them.
CREATE TABLE pipeline_stages (
    id BLOB PRIMARY KEY,
    org_id BLOB NOT NULL REFERENCES orgs(id),
    pipeline_id BLOB NOT NULL REFERENCES pipelines(id),
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('open', 'won', 'lost')),
    position INTEGER NOT NULL,
    version INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    deleted_at INTEGER
) STRICT;
CREATE INDEX pipeline_stages_order ON pipeline_stages(org_id, pipeline_id, position) WHERE deleted_at IS NULL;

CREATE TABLE leads (
    id BLOB PRIMARY KEY,
    org_id BLOB NOT NULL REFERENCES orgs(id),
    pipeline_id BLOB NOT NULL REFERENCES pipelines(id),
    stage_id BLOB NOT NULL REFERENCES pipeline_stages(id),
    position INTEGER NOT NULL,
    first_name TEXT,
    last_name TEXT,
    business_name TEXT,
    email TEXT,
    phone TEXT,
    service_address TEXT,
    source TEXT NOT NULL,
    owner_id BLOB REFERENCES users(id),
    value_minor INTEGER NOT NULL,
    currency TEXT NOT NULL,
    expected_close_date TEXT,
    notes TEXT,
    lost_reason TEXT,
    score INTEGER NOT NULL,
    score_breakdown TEXT NOT NULL,
    -- When the score was last computed; scores decay, so a job refreshes old ones.
    scored_at INTEGER,
    customer_id BLOB REFERENCES customers(id),
    -- The order (job) the lead became; jobs arrive with the service work.
    order_id BLOB,
    won_at INTEGER,
    lost_at INTEGER,
    stage_entered_at INTEGER NOT NULL,
    search_text TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    deleted_at INTEGER
) STRICT;
-- The board: one range scan per column, in card order.
CREATE INDEX leads_board ON leads(org_id, pipeline_id, stage_id, position) WHERE deleted_at IS NULL;
CREATE INDEX leads_recent ON leads(org_id, created_at, id) WHERE deleted_at IS NULL;
CREATE INDEX leads_hot ON leads(org_id, score, id) WHERE deleted_at IS NULL;
CREATE INDEX leads_phone ON leads(org_id, phone) WHERE phone IS NOT NULL AND deleted_at IS NULL;
CREATE INDEX leads_email ON leads(org_id, email) WHERE email IS NOT NULL AND deleted_at IS NULL;
CREATE INDEX leads_customer ON leads(org_id, customer_id) WHERE customer_id IS NOT NULL;
CREATE INDEX leads_owner ON leads(org_id, owner_id, created_at) WHERE owner_id IS NOT NULL AND deleted_at IS NULL;
CREATE INDEX leads_pipeline_created ON leads(org_id, pipeline_id, created_at) WHERE deleted_at IS NULL;
CREATE INDEX leads_pipeline_won ON leads(org_id, pipeline_id, won_at) WHERE won_at IS NOT NULL AND deleted_at IS NULL;
CREATE INDEX leads_pipeline_lost ON leads(org_id, pipeline_id, lost_at) WHERE lost_at IS NOT NULL AND deleted_at IS NULL;
-- The decay job: oldest scores first, across organisations.
CREATE INDEX leads_rescore ON leads(scored_at) WHERE score > 0 AND deleted_at IS NULL;

-- Count and value of live leads per stage and currency, kept in step with
-- every lead change so the board's column headers cost a few row reads.
CREATE TABLE lead_stage_totals (
    org_id BLOB NOT NULL REFERENCES orgs(id),
    stage_id BLOB NOT NULL REFERENCES pipeline_stages(id),
    currency TEXT NOT NULL,
    leads INTEGER NOT NULL,
    value_minor INTEGER NOT NULL,
    PRIMARY KEY (org_id, stage_id, currency)
) STRICT, WITHOUT ROWID;

CREATE TABLE lead_signals (
    id BLOB PRIMARY KEY,
    org_id BLOB NOT NULL REFERENCES orgs(id),
    lead_id BLOB NOT NULL REFERENCES leads(id),
    kind TEXT NOT NULL,
    at INTEGER NOT NULL
) STRICT;
CREATE INDEX lead_signals_lead ON lead_signals(org_id, lead_id, at);

-- Every arrival on a stage, for "average days in stage".
CREATE TABLE lead_stage_changes (
    id BLOB PRIMARY KEY,
    org_id BLOB NOT NULL REFERENCES orgs(id),
    lead_id BLOB NOT NULL REFERENCES leads(id),
    from_stage_id BLOB,
    to_stage_id BLOB NOT NULL,
    -- When the lead arrived on from_stage.
    from_entered_at INTEGER,
    at INTEGER NOT NULL
) STRICT;
CREATE INDEX lead_stage_changes_from ON lead_stage_changes(org_id, from_stage_id, at) WHERE from_stage_id IS NOT NULL;
CREATE INDEX lead_stage_changes_lead ON lead_stage_changes(org_id, lead_id, at);

-- A lead's timeline, written by history::record beside the customer timeline.
CREATE TABLE lead_events (
    id BLOB PRIMARY KEY,
    org_id BLOB NOT NULL REFERENCES orgs(id),
    lead_id BLOB NOT NULL,
    kind TEXT NOT NULL,
    action TEXT NOT NULL,
    summary TEXT NOT NULL,
    data TEXT NOT NULL,
    actor_kind TEXT NOT NULL,
    actor_id BLOB,
    actor_name TEXT NOT NULL,
    at INTEGER NOT NULL
) STRICT;
CREATE INDEX lead_events_lead ON lead_events(org_id, lead_id, at DESC, id DESC);

CREATE TABLE lead_forms (
    id BLOB PRIMARY KEY,
    org_id BLOB NOT NULL REFERENCES orgs(id),
    pipeline_id BLOB NOT NULL REFERENCES pipelines(id),
    name TEXT NOT NULL,
    public_key TEXT NOT NULL UNIQUE,
    allowed_origins TEXT NOT NULL,
    redirect_url TEXT,
    version INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    deleted_at INTEGER
) STRICT;
CREATE INDEX lead_forms_org ON lead_forms(org_id, created_at) WHERE deleted_at IS NULL;

-- Recent submissions per form and address, for the rate limit.
CREATE TABLE lead_form_hits (
    id BLOB PRIMARY KEY,
    org_id BLOB NOT NULL REFERENCES orgs(id),
    form_id BLOB NOT NULL REFERENCES lead_forms(id),
    ip TEXT NOT NULL,
    at INTEGER NOT NULL
) STRICT;
CREATE INDEX lead_form_hits_ip ON lead_form_hits(form_id, ip, at);

-- Per-organisation lead settings; absent means the defaults.
CREATE TABLE lead_settings (
    org_id BLOB PRIMARY KEY REFERENCES orgs(id),
    scoring TEXT NOT NULL,
    version INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;
