-- Reports (报告): drafts rendered from a template over an organization's subtree and a period,
-- kept as numbered versions (the draft as JSON of reports::draft::Draft), and the templates
-- (报告模板) a county administrator adds or edits beside the built-in ones.

CREATE TABLE report_templates (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    -- annual | accountability | self_inspection | quarterly, or an administrator's own code.
    code        TEXT NOT NULL UNIQUE,
    kind        TEXT NOT NULL,
    name        TEXT NOT NULL,
    source      TEXT NOT NULL,
    active      INTEGER NOT NULL DEFAULT 1,
    created_by  INTEGER,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

CREATE TABLE reports (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id        INTEGER NOT NULL REFERENCES orgs(id),
    org_path      TEXT NOT NULL,
    kind          TEXT NOT NULL,
    -- The template's code and source as drafted: a later edit of the template leaves this
    -- report's figures and refreshes explainable.
    template_code TEXT NOT NULL,
    period_from   TEXT NOT NULL,
    period_to     TEXT NOT NULL,
    -- 述责述廉: the leader whose portfolio the report covers.
    subject_account_id INTEGER,
    title         TEXT NOT NULL,
    version       INTEGER NOT NULL DEFAULT 1,
    created_by    INTEGER,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    voided        INTEGER NOT NULL DEFAULT 0,
    void_reason   TEXT NOT NULL DEFAULT '',
    voided_at     TEXT,
    voided_by     INTEGER
);
CREATE INDEX reports_path ON reports(org_path, period_to);

CREATE TABLE report_versions (
    report_id   INTEGER NOT NULL REFERENCES reports(id),
    version     INTEGER NOT NULL,
    -- JSON of reports::draft::Draft.
    body        TEXT NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    created_by  INTEGER,
    created_at  TEXT NOT NULL,
    PRIMARY KEY (report_id, version)
);
