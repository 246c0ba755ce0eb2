-- Report checker (报告体检) rules switched off per organization. The rules in force for a
-- draft are those not switched off on the organization or any organization above it.
CREATE TABLE check_settings (
    org_id         BIGINT PRIMARY KEY REFERENCES orgs(id),
    -- JSON array of rule ids or id prefixes, e.g. ["time", "numbering.style"].
    disabled_rules TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);
