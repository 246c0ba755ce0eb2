-- The year's ledgers: members, work records (纪实) with attendance and evidence, responsibility
-- lists (责任清单), problems and rectification (问题整改台账), integrity risks (廉政风险点),
-- discipline records (执纪问责), and the configurable catalogues and metric definitions.
--
-- Conventions (the same on SQLite):
-- * Every ledger row carries `org_id` and `org_path`, a copy of the organization's
--   materialized path, so that "this organization and everything below it" is one indexed
--   predicate on the ledger row itself, without a join (the metric layer counts hundreds of
--   thousands of rows). Moving an organization rewrites the copies in the same transaction.
-- * Dates are 'YYYY-MM-DD' text, timestamps RFC 3339 UTC text: text order is time order.
-- * Nothing is hard-deleted: a row is voided (`voided`, `void_reason`, `voided_at`,
--   `voided_by`), and every change is in the audit chain.
-- * Booleans are BOOLEAN here, INTEGER 0/1 on SQLite.

-- Configurable catalogues beside the built-in ones: record types (纪实类型), problem sources
-- (问题来源), list categories (清单类别). `config` is JSON (for a record type: the fields it
-- has and its unit).
CREATE TABLE catalog_entries (
    id          BIGSERIAL PRIMARY KEY,
    kind        TEXT NOT NULL,
    code        TEXT NOT NULL,
    name        TEXT NOT NULL,
    sort_order  BIGINT NOT NULL DEFAULT 0,
    config      TEXT NOT NULL DEFAULT '{}',
    active      BOOLEAN NOT NULL DEFAULT TRUE,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    UNIQUE (kind, code),
    UNIQUE (kind, name)
);

-- Metric definitions a county administrator adds to the built-in catalogue.
CREATE TABLE metric_defs (
    id          BIGSERIAL PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    -- JSON of domain::metrics::MetricDef (kind, source, field, filters, ratio parts, unit).
    definition  TEXT NOT NULL,
    active      BOOLEAN NOT NULL DEFAULT TRUE,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

-- 三会一课 frequency rules per organization kind, overriding the built-in ones.
CREATE TABLE meeting_rules (
    id          BIGSERIAL PRIMARY KEY,
    org_kind    TEXT NOT NULL,
    type_code   TEXT NOT NULL,
    -- monthly | quarterly | yearly; `times` meetings per such period; 0 switches a rule off.
    frequency   TEXT NOT NULL,
    times       BIGINT NOT NULL DEFAULT 1,
    updated_at  TEXT NOT NULL,
    UNIQUE (org_kind, type_code)
);

-- The member roster (党员名册). Development stages and dues will hang off `members.id`.
CREATE TABLE members (
    id            BIGSERIAL PRIMARY KEY,
    org_id        BIGINT NOT NULL REFERENCES orgs(id),
    org_path      TEXT NOT NULL,
    name          TEXT NOT NULL,
    gender        TEXT NOT NULL DEFAULT '',
    birth_date    TEXT,
    -- 入党日期: the day the person became a probationary member (发展党员 counts these).
    joined_on     TEXT,
    -- 转正日期
    full_on       TEXT,
    -- full | probationary | transferred_out | deceased
    status        TEXT NOT NULL,
    education     TEXT NOT NULL DEFAULT '',
    post          TEXT NOT NULL DEFAULT '',
    phone         TEXT NOT NULL DEFAULT '',
    created_by    BIGINT,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    voided        BOOLEAN NOT NULL DEFAULT FALSE,
    void_reason   TEXT NOT NULL DEFAULT '',
    voided_at     TEXT,
    voided_by     BIGINT
);
CREATE INDEX members_path ON members(org_path text_pattern_ops);
CREATE INDEX members_joined ON members(joined_on);
CREATE INDEX members_org ON members(org_id);

-- Work records (纪实): one meeting or activity, recorded once by the unit that held it.
CREATE TABLE work_records (
    id            BIGSERIAL PRIMARY KEY,
    org_id        BIGINT NOT NULL REFERENCES orgs(id),
    org_path      TEXT NOT NULL,
    type_code     TEXT NOT NULL,
    title         TEXT NOT NULL,
    held_on       TEXT NOT NULL,
    place         TEXT NOT NULL DEFAULT '',
    host          TEXT NOT NULL DEFAULT '',
    recorder      TEXT NOT NULL DEFAULT '',
    -- 人次 (person-times); from the attendance when attendees are recorded.
    person_times  BIGINT,
    -- 学时
    hours         DOUBLE PRECISION,
    -- 期数
    sessions      BIGINT,
    -- 数量 (articles, study items, aspects …), counted in the type's unit.
    items         BIGINT,
    -- 刊发层级 of publicity: own | district | city | province | national
    outlet_level  TEXT NOT NULL DEFAULT '',
    content       TEXT NOT NULL DEFAULT '',
    created_by    BIGINT,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    voided        BOOLEAN NOT NULL DEFAULT FALSE,
    void_reason   TEXT NOT NULL DEFAULT '',
    voided_at     TEXT,
    voided_by     BIGINT
);
-- The metric layer's path: type, then period, then subtree.
CREATE INDEX work_records_type ON work_records(type_code, held_on, org_path);
CREATE INDEX work_records_path ON work_records(org_path text_pattern_ops, held_on);

-- Who attended a record (members of the organization), with absentees and reasons.
CREATE TABLE record_attendance (
    record_id      BIGINT NOT NULL REFERENCES work_records(id),
    member_id      BIGINT NOT NULL REFERENCES members(id),
    present        BOOLEAN NOT NULL,
    absence_reason TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (record_id, member_id)
);
CREATE INDEX record_attendance_member ON record_attendance(member_id);

-- Evidence files, content-addressed: the same bytes are kept once whoever uploads them.
CREATE TABLE attachments (
    sha256      TEXT PRIMARY KEY,
    size        BIGINT NOT NULL,
    mime        TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
-- The bytes, when evidence is kept in the database (PostgreSQL: instances share it).
CREATE TABLE attachment_blobs (
    sha256      TEXT PRIMARY KEY REFERENCES attachments(sha256),
    content     BYTEA NOT NULL
);
-- A file attached to a record, a progress report, a list item, a problem or a measure.
CREATE TABLE attachment_links (
    id           BIGSERIAL PRIMARY KEY,
    object_type  TEXT NOT NULL,
    object_id    BIGINT NOT NULL,
    sha256       TEXT NOT NULL REFERENCES attachments(sha256),
    file_name    TEXT NOT NULL,
    created_by   BIGINT,
    created_at   TEXT NOT NULL,
    voided       BOOLEAN NOT NULL DEFAULT FALSE,
    void_reason  TEXT NOT NULL DEFAULT '',
    voided_at    TEXT,
    voided_by    BIGINT
);
CREATE INDEX attachment_links_object ON attachment_links(object_type, object_id);

-- Responsibility lists (两清单 / 三级责任清单): one organization, one year.
CREATE TABLE resp_lists (
    id             BIGSERIAL PRIMARY KEY,
    org_id         BIGINT NOT NULL REFERENCES orgs(id),
    org_path       TEXT NOT NULL,
    year           BIGINT NOT NULL,
    -- responsibility (责任清单) | task (任务清单)
    kind           TEXT NOT NULL,
    title          TEXT NOT NULL,
    -- 上级下发: the list this one was handed down from; 复制: last year's list it copies.
    parent_list_id BIGINT REFERENCES resp_lists(id),
    copied_from_id BIGINT REFERENCES resp_lists(id),
    created_by     BIGINT,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    voided         BOOLEAN NOT NULL DEFAULT FALSE,
    void_reason    TEXT NOT NULL DEFAULT '',
    voided_at      TEXT,
    voided_by      BIGINT
);
CREATE INDEX resp_lists_path ON resp_lists(org_path text_pattern_ops, year);

CREATE TABLE list_items (
    id               BIGSERIAL PRIMARY KEY,
    list_id          BIGINT NOT NULL REFERENCES resp_lists(id),
    -- The organization that carries the item out (the list's own or one below it).
    org_id           BIGINT NOT NULL REFERENCES orgs(id),
    org_path         TEXT NOT NULL,
    category         TEXT NOT NULL,
    description      TEXT NOT NULL,
    -- 责任领导 (一岗双责): the leader whose portfolio the item belongs to.
    owner_account_id BIGINT REFERENCES accounts(id),
    deadline         TEXT,
    -- '' | monthly | quarterly
    recurrence       TEXT NOT NULL DEFAULT '',
    -- The date the metric layer files the item under: its deadline, or the list's year end.
    due_on           TEXT NOT NULL,
    -- 路线图
    steps            TEXT NOT NULL DEFAULT '',
    -- 量化指标: satisfied by a metric's value, not by a tick.
    target_metric    TEXT,
    target_value     DOUBLE PRECISION,
    -- open | done
    status           TEXT NOT NULL,
    completed_on     TEXT,
    completion_note  TEXT NOT NULL DEFAULT '',
    -- 下级细化: the item of the superior's list this one refines.
    parent_item_id   BIGINT REFERENCES list_items(id),
    sort_order       BIGINT NOT NULL DEFAULT 0,
    created_by       BIGINT,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    voided           BOOLEAN NOT NULL DEFAULT FALSE,
    void_reason      TEXT NOT NULL DEFAULT '',
    voided_at        TEXT,
    voided_by        BIGINT
);
CREATE INDEX list_items_list ON list_items(list_id);
CREATE INDEX list_items_path ON list_items(org_path text_pattern_ops, due_on);
CREATE INDEX list_items_owner ON list_items(owner_account_id, due_on);

-- 季度调度: progress reported on an item.
CREATE TABLE list_progress (
    id           BIGSERIAL PRIMARY KEY,
    item_id      BIGINT NOT NULL REFERENCES list_items(id),
    reported_on  TEXT NOT NULL,
    text         TEXT NOT NULL,
    created_by   BIGINT,
    created_at   TEXT NOT NULL,
    voided       BOOLEAN NOT NULL DEFAULT FALSE,
    void_reason  TEXT NOT NULL DEFAULT '',
    voided_at    TEXT,
    voided_by    BIGINT
);
CREATE INDEX list_progress_item ON list_progress(item_id);

-- A record fulfils list items.
CREATE TABLE record_item_links (
    record_id   BIGINT NOT NULL REFERENCES work_records(id),
    item_id     BIGINT NOT NULL REFERENCES list_items(id),
    created_at  TEXT NOT NULL,
    PRIMARY KEY (record_id, item_id)
);
CREATE INDEX record_item_links_item ON record_item_links(item_id);

-- One inspection's feedback (e.g. 区委第二巡察组反馈意见, 45 problems), entered together.
CREATE TABLE problem_batches (
    id           BIGSERIAL PRIMARY KEY,
    org_id       BIGINT NOT NULL REFERENCES orgs(id),
    org_path     TEXT NOT NULL,
    source_code  TEXT NOT NULL,
    title        TEXT NOT NULL,
    received_on  TEXT NOT NULL,
    created_by   BIGINT,
    created_at   TEXT NOT NULL,
    voided       BOOLEAN NOT NULL DEFAULT FALSE,
    void_reason  TEXT NOT NULL DEFAULT '',
    voided_at    TEXT,
    voided_by    BIGINT
);

-- Problems (问题整改台账): 待整改 → 整改中 → 已整改待审核 → 已销号, re-checked (回头看) after.
CREATE TABLE problems (
    id            BIGSERIAL PRIMARY KEY,
    org_id        BIGINT NOT NULL REFERENCES orgs(id),
    org_path      TEXT NOT NULL,
    batch_id      BIGINT REFERENCES problem_batches(id),
    -- The work record (专项监督, 党建巡查, 民主生活会 …) that found it, if any.
    record_id     BIGINT REFERENCES work_records(id),
    source_code   TEXT NOT NULL,
    category      TEXT NOT NULL DEFAULT '',
    description   TEXT NOT NULL,
    found_on      TEXT NOT NULL,
    -- pending | in_progress | awaiting_review | closed
    status        TEXT NOT NULL,
    submitted_by  BIGINT,
    submitted_at  TEXT,
    closed_by     BIGINT,
    closed_on     TEXT,
    close_note    TEXT NOT NULL DEFAULT '',
    created_by    BIGINT,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    voided        BOOLEAN NOT NULL DEFAULT FALSE,
    void_reason   TEXT NOT NULL DEFAULT '',
    voided_at     TEXT,
    voided_by     BIGINT
);
CREATE INDEX problems_source ON problems(source_code, found_on, org_path);
CREATE INDEX problems_path ON problems(org_path text_pattern_ops, status);
CREATE INDEX problems_batch ON problems(batch_id);
CREATE INDEX problems_record ON problems(record_id);

-- 整改措施: each with its owner and deadline.
CREATE TABLE problem_measures (
    id               BIGSERIAL PRIMARY KEY,
    problem_id       BIGINT NOT NULL REFERENCES problems(id),
    description      TEXT NOT NULL,
    owner_account_id BIGINT REFERENCES accounts(id),
    owner_name       TEXT NOT NULL DEFAULT '',
    deadline         TEXT NOT NULL,
    -- open | done
    status           TEXT NOT NULL,
    done_on          TEXT,
    note             TEXT NOT NULL DEFAULT '',
    created_by       BIGINT,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    voided           BOOLEAN NOT NULL DEFAULT FALSE,
    void_reason      TEXT NOT NULL DEFAULT '',
    voided_at        TEXT,
    voided_by        BIGINT
);
CREATE INDEX problem_measures_problem ON problem_measures(problem_id);
CREATE INDEX problem_measures_owner ON problem_measures(owner_account_id, status, deadline);
CREATE INDEX problem_measures_due ON problem_measures(status, deadline);

-- The problem's history: submitted, returned, closed (销号), re-checked (回头看), reopened.
CREATE TABLE problem_events (
    id          BIGSERIAL PRIMARY KEY,
    problem_id  BIGINT NOT NULL REFERENCES problems(id),
    kind        TEXT NOT NULL,
    on_date     TEXT NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    actor_id    BIGINT,
    created_at  TEXT NOT NULL
);
CREATE INDEX problem_events_problem ON problem_events(problem_id);

-- Integrity risk points (廉政风险点) of a unit, a post or a person.
CREATE TABLE risk_points (
    id            BIGSERIAL PRIMARY KEY,
    org_id        BIGINT NOT NULL REFERENCES orgs(id),
    org_path      TEXT NOT NULL,
    -- unit | post | person
    subject_kind  TEXT NOT NULL,
    subject       TEXT NOT NULL,
    description   TEXT NOT NULL,
    -- high | medium | low; from likelihood × impact (1–5 each) when those are scored.
    level         TEXT NOT NULL,
    likelihood    BIGINT,
    impact        BIGINT,
    identified_on TEXT NOT NULL,
    reviewed_on   TEXT,
    created_by    BIGINT,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    voided        BOOLEAN NOT NULL DEFAULT FALSE,
    void_reason   TEXT NOT NULL DEFAULT '',
    voided_at     TEXT,
    voided_by     BIGINT
);
CREATE INDEX risk_points_path ON risk_points(org_path text_pattern_ops, identified_on);

-- 防控措施
CREATE TABLE risk_measures (
    id           BIGSERIAL PRIMARY KEY,
    risk_id      BIGINT NOT NULL REFERENCES risk_points(id),
    description  TEXT NOT NULL,
    owner        TEXT NOT NULL DEFAULT '',
    created_by   BIGINT,
    created_at   TEXT NOT NULL,
    voided       BOOLEAN NOT NULL DEFAULT FALSE,
    void_reason  TEXT NOT NULL DEFAULT '',
    voided_at    TEXT,
    voided_by    BIGINT
);
CREATE INDEX risk_measures_risk ON risk_measures(risk_id);

-- Discipline records (四种形态, 党纪处分): restricted personal data.
CREATE TABLE discipline_records (
    id           BIGSERIAL PRIMARY KEY,
    org_id       BIGINT NOT NULL REFERENCES orgs(id),
    org_path     TEXT NOT NULL,
    person_name  TEXT NOT NULL,
    member_id    BIGINT REFERENCES members(id),
    post         TEXT NOT NULL DEFAULT '',
    -- 1–4 (第一种形态 … 第四种形态)
    form         BIGINT NOT NULL,
    -- '' or a sanction code (warning, serious_warning, demerit, removal, probation, expulsion …)
    sanction     TEXT NOT NULL DEFAULT '',
    reason       TEXT NOT NULL DEFAULT '',
    decided_on   TEXT NOT NULL,
    created_by   BIGINT,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    voided       BOOLEAN NOT NULL DEFAULT FALSE,
    void_reason  TEXT NOT NULL DEFAULT '',
    voided_at    TEXT,
    voided_by    BIGINT
);
CREATE INDEX discipline_records_path ON discipline_records(org_path text_pattern_ops, decided_on);
