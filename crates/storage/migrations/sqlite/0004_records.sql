-- Work records and the member roster: indexes for the records list and 三会一课.
--
-- The records list shows the newest records of a subtree first, a page at a time: with this
-- index the database walks the records in date order and stops after one page, instead of
-- sorting every record of the subtree.
CREATE INDEX work_records_held ON work_records(held_on, id);
-- Counting the records of a subtree (its organizations' ids) and "should hold vs. held" per
-- branch read this index alone, without the rows.
CREATE INDEX work_records_org ON work_records(org_id, voided, held_on, type_code);
-- The roster is listed by organization.
CREATE INDEX members_org_name ON members(org_id, name);
-- Counting the records of one type over a period (the records list filtered by type, and the
-- metric layer's counts) reads this index alone.
CREATE INDEX work_records_type_live ON work_records(type_code, voided, held_on, org_id);
