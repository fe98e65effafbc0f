-- A card's place in its column is counted (leads before it), so the board
-- index must answer that count alone: SQLite reads the table for a partial
-- index's deleted_at, so the column joins the index instead.
DROP INDEX leads_board;
CREATE INDEX leads_board ON leads(org_id, pipeline_id, stage_id, deleted_at, position);
