-- Leads and the sales pipeline (seeds 000 and 002).

CREATE TABLE pipelines (
    id uuid PRIMARY KEY,
    org_id uuid NOT NULL REFERENCES orgs(id),
    name text NOT NULL,
    is_default boolean NOT NULL,
    version bigint NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    deleted_at timestamptz
);
CREATE INDEX pipelines_org ON pipelines(org_id, created_at) WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX pipelines_one_default ON pipelines(org_id) WHERE is_default AND deleted_at IS NULL;

-- Deleted stages stay as rows: old leads and stage history still point at them.
CREATE TABLE pipeline_stages (
    id uuid PRIMARY KEY,
    org_id uuid NOT NULL REFERENCES orgs(id),
    pipeline_id uuid NOT NULL REFERENCES pipelines(id),
    name text NOT NULL,
    kind text NOT NULL CHECK (kind IN ('open', 'won', 'lost')),
    position bigint NOT NULL,
    version bigint NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    deleted_at timestamptz
);
CREATE INDEX pipeline_stages_order ON pipeline_stages(org_id, pipeline_id, position) WHERE deleted_at IS NULL;

CREATE TABLE leads (
    id uuid PRIMARY KEY,
    org_id uuid NOT NULL REFERENCES orgs(id),
    pipeline_id uuid NOT NULL REFERENCES pipelines(id),
    stage_id uuid NOT NULL REFERENCES pipeline_stages(id),
    position bigint NOT NULL,
    first_name text,
    last_name text,
    business_name text,
    email text,
    phone text,
    service_address text,
    source text NOT NULL,
    owner_id uuid REFERENCES users(id),
    value_minor bigint NOT NULL,
    currency text NOT NULL,
    expected_close_date date,
    notes text,
    lost_reason text,
    score bigint NOT NULL,
    score_breakdown jsonb NOT NULL,
    -- When the score was last computed; scores decay, so a job refreshes old ones.
    scored_at timestamptz,
    customer_id uuid REFERENCES customers(id),
    -- The order (job) the lead became; jobs arrive with the service work.
    order_id uuid,
    won_at timestamptz,
    lost_at timestamptz,
    stage_entered_at timestamptz NOT NULL,
    search_text text NOT NULL,
    version bigint NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    deleted_at timestamptz
);
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
    org_id uuid NOT NULL REFERENCES orgs(id),
    stage_id uuid NOT NULL REFERENCES pipeline_stages(id),
    currency text NOT NULL,
    leads bigint NOT NULL,
    value_minor bigint NOT NULL,
    PRIMARY KEY (org_id, stage_id, currency)
);

CREATE TABLE lead_signals (
    id uuid PRIMARY KEY,
    org_id uuid NOT NULL REFERENCES orgs(id),
    lead_id uuid NOT NULL REFERENCES leads(id),
    kind text NOT NULL,
    at timestamptz NOT NULL
);
CREATE INDEX lead_signals_lead ON lead_signals(org_id, lead_id, at);

-- Every arrival on a stage, for "average days in stage".
CREATE TABLE lead_stage_changes (
    id uuid PRIMARY KEY,
    org_id uuid NOT NULL REFERENCES orgs(id),
    lead_id uuid NOT NULL REFERENCES leads(id),
    from_stage_id uuid,
    to_stage_id uuid NOT NULL,
    -- When the lead arrived on from_stage.
    from_entered_at timestamptz,
    at timestamptz NOT NULL
);
CREATE INDEX lead_stage_changes_from ON lead_stage_changes(org_id, from_stage_id, at) WHERE from_stage_id IS NOT NULL;
CREATE INDEX lead_stage_changes_lead ON lead_stage_changes(org_id, lead_id, at);

-- A lead's timeline, written by history::record beside the customer timeline.
CREATE TABLE lead_events (
    id uuid PRIMARY KEY,
    org_id uuid NOT NULL REFERENCES orgs(id),
    lead_id uuid NOT NULL,
    kind text NOT NULL,
    action text NOT NULL,
    summary text NOT NULL,
    data jsonb NOT NULL,
    actor_kind text NOT NULL,
    actor_id uuid,
    actor_name text NOT NULL,
    at timestamptz NOT NULL
);
CREATE INDEX lead_events_lead ON lead_events(org_id, lead_id, at DESC, id DESC);

CREATE TABLE lead_forms (
    id uuid PRIMARY KEY,
    org_id uuid NOT NULL REFERENCES orgs(id),
    pipeline_id uuid NOT NULL REFERENCES pipelines(id),
    name text NOT NULL,
    public_key text NOT NULL UNIQUE,
    allowed_origins jsonb NOT NULL,
    redirect_url text,
    version bigint NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    deleted_at timestamptz
);
CREATE INDEX lead_forms_org ON lead_forms(org_id, created_at) WHERE deleted_at IS NULL;

-- Recent submissions per form and address, for the rate limit.
CREATE TABLE lead_form_hits (
    id uuid PRIMARY KEY,
    org_id uuid NOT NULL REFERENCES orgs(id),
    form_id uuid NOT NULL REFERENCES lead_forms(id),
    ip text NOT NULL,
    at timestamptz NOT NULL
);
CREATE INDEX lead_form_hits_ip ON lead_form_hits(form_id, ip, at);

-- Per-organisation lead settings; absent means the defaults.
CREATE TABLE lead_settings (
    org_id uuid PRIMARY KEY REFERENCES orgs(id),
    scoring jsonb NOT NULL,
    version bigint NOT NULL,
    updated_at timestamptz NOT NULL
);
