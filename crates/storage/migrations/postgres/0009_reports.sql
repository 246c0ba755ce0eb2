-- Reports (报告): drafts rendered from a template over an organization's subtree and a period,
-- kept as numbered versions (the draft as JSON of reports::draft::Draft), and the templates
-- (报告模板) a county administrator adds or edits beside the built-in ones.

CREATE TABLE report_templates (
    id          BIGSERIAL PRIMARY KEY,
    -- annual | accountability | self_inspection | quarterly, or an administrator's own code.
    code        TEXT NOT NULL UNIQUE,
    kind        TEXT NOT NULL,
    name        TEXT NOT NULL,
    source      TEXT NOT NULL,
    active      BOOLEAN NOT NULL DEFAULT TRUE,
    created_by  BIGINT,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

CREATE TABLE reports (
    id            BIGSERIAL PRIMARY KEY,
    org_id        BIGINT NOT NULL REFERENCES orgs(id),
    org_path      TEXT NOT NULL,
    kind          TEXT NOT NULL,
    -- The template's code and source as drafted: a later edit of the template leaves this
    -- report's figures and refreshes explainable.
    template_code TEXT NOT NULL,
    period_from   TEXT NOT NULL,
    period_to     TEXT NOT NULL,
    -- 述责述廉: the leader whose portfolio the report covers.
    subject_account_id BIGINT,
    title         TEXT NOT NULL,
    version       BIGINT NOT NULL DEFAULT 1,
    created_by    BIGINT,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    voided        BOOLEAN NOT NULL DEFAULT FALSE,
    void_reason   TEXT NOT NULL DEFAULT '',
    voided_at     TEXT,
    voided_by     BIGINT
);
CREATE INDEX reports_path ON reports(org_path text_pattern_ops, period_to);

CREATE TABLE report_versions (
    report_id   BIGINT NOT NULL REFERENCES reports(id),
    version     BIGINT NOT NULL,
    -- JSON of reports::draft::Draft.
    body        TEXT NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    created_by  BIGINT,
    created_at  TEXT NOT NULL,
    PRIMARY KEY (report_id, version)
);
