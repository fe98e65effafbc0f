-- The last outcome of each delivery channel per org (issue 6, channel health).
CREATE TABLE channel_health (
    org_id BLOB NOT NULL REFERENCES orgs(id),
    channel TEXT NOT NULL,
    last_success_at INTEGER,
    last_failure_at INTEGER,
    last_error TEXT,
    PRIMARY KEY (org_id, channel)
) STRICT, WITHOUT ROWID;
