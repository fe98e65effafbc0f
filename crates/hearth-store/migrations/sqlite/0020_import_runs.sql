-- Imports that run in the background (issue 7): the page and `async=true`
-- start a run and follow it. `status` is `running`, `done` or `failed`;
-- a failed run imported nothing and says why (`error`, and `problems`: a
-- JSON array of {line, field, message}, at most 10,000 of `problem_count`).
-- The instance running an import renews `lease_until`; a `running` import
-- whose lease ran out belongs to a process that died and is marked failed.
-- Imports from before this migration finished synchronously: `done`.
ALTER TABLE imports ADD COLUMN status TEXT NOT NULL DEFAULT 'done';
ALTER TABLE imports ADD COLUMN rows_read INTEGER NOT NULL DEFAULT 0;
ALTER TABLE imports ADD COLUMN bytes_total INTEGER;
ALTER TABLE imports ADD COLUMN error TEXT;
ALTER TABLE imports ADD COLUMN problems TEXT;
ALTER TABLE imports ADD COLUMN problem_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE imports ADD COLUMN finished_at INTEGER;
ALTER TABLE imports ADD COLUMN started_by BLOB;
ALTER TABLE imports ADD COLUMN lease_until INTEGER;
UPDATE imports SET finished_at = created_at;
-- Running imports, for the sweep at start-up.
CREATE INDEX imports_running ON imports(lease_until) WHERE status = 'running';
