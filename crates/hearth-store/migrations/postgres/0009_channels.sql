-- The last outcome of each delivery channel per org (issue 6, channel health).
CREATE TABLE channel_health (
    org_id uuid NOT NULL REFERENCES orgs(id),
    channel text NOT NULL,
    last_success_at timestamptz,
    last_failure_at timestamptz,
    last_error text,
    PRIMARY KEY (org_id, channel)
);
