-- Covering indexes for the metric layer. A figure is a count or a sum over live (not voided)
-- rows of one type or source, in one period, under one subtree: each index below holds every
-- column such a query reads, and only live rows, so a figure over a county's year is read
-- from the index alone without visiting the table.
DROP INDEX work_records_type;
CREATE INDEX work_records_metric ON work_records(type_code, held_on, org_path, org_id,
    person_times, hours, sessions, items, outlet_level) WHERE voided = FALSE;

DROP INDEX problems_source;
CREATE INDEX problems_metric ON problems(source_code, found_on, org_path, org_id, status)
    WHERE voided = FALSE;
CREATE INDEX problems_period ON problems(found_on, org_path, org_id, status, source_code)
    WHERE voided = FALSE;
CREATE INDEX problem_measures_metric ON problem_measures(problem_id, status, deadline)
    WHERE voided = FALSE;

CREATE INDEX list_items_metric ON list_items(due_on, org_path, org_id, status,
    owner_account_id, list_id) WHERE voided = FALSE;

CREATE INDEX members_roster ON members(org_path, status, joined_on, birth_date, gender, org_id, name)
    WHERE voided = FALSE;
CREATE INDEX members_joined_metric ON members(joined_on, org_path, org_id, birth_date)
    WHERE voided = FALSE;
