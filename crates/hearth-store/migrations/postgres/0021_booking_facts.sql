-- The bookings that count for segment facts (hearth_store::segments::facts):
-- live and not cancelled, by customer, with their start. Recomputing every
-- customer's facts reads this index alone, in customer order, instead of
-- looking up each job's status in the table.
CREATE INDEX jobs_customer_bookings ON jobs(org_id, customer_id, scheduled_start)
    WHERE deleted_at IS NULL AND status <> 'cancelled';
