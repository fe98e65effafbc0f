-- A card's place in its column is counted (leads before it). PostgreSQL
-- answers that count from the partial index leads_board alone (an
-- index-only scan), so it needs no change; SQLite's index changes.
SELECT 1;
