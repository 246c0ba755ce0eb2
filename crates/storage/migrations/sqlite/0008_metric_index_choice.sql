-- Listing by type and period is served by the covering metric index (0007) as well, which the
-- planner must be left to choose for figures: without this narrower index it reads a county's
-- year of one record type from the index alone instead of visiting every row.
DROP INDEX work_records_type_live;
