-- A measure carries its problem's organization path, as every ledger row does (0003), so that
-- "overdue measures under this organization" is one range of a small index of open measures
-- instead of every open measure of the county joined to its problem.
ALTER TABLE problem_measures ADD COLUMN org_path TEXT NOT NULL DEFAULT '';
UPDATE problem_measures m SET org_path = p.org_path FROM problems p WHERE p.id = m.problem_id;
CREATE INDEX problem_measures_open ON problem_measures(org_path text_pattern_ops, deadline)
    INCLUDE (owner_account_id, problem_id) WHERE status = 'open' AND voided = FALSE;

-- Counts changes to the organization tree, so that a process keeping the tree in memory knows,
-- by reading one number, whether any instance has changed it.
CREATE TABLE org_tree_version (
    id  BIGINT PRIMARY KEY,
    n   BIGINT NOT NULL
);
INSERT INTO org_tree_version (id, n) VALUES (1, 0);

-- Problems waiting for 销号 review (the desk of every approver): one status within a subtree.
CREATE INDEX problems_review ON problems(status, org_path text_pattern_ops) WHERE voided = FALSE;
