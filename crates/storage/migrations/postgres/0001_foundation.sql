-- Foundation: organizations, accounts, role grants, sessions, audit chain.
-- Timestamps are RFC 3339 text in UTC (fixed width, so text order is time order); the same
-- on PostgreSQL, so that both databases behave identically behind sqlx's Any driver.

-- The organization tree. `path` is the materialized path of ids (/1/7/42/): a subtree is
-- one indexed `path LIKE '/1/7/%'` on both databases.
CREATE TABLE orgs (
    id          BIGSERIAL PRIMARY KEY,
    parent_id   BIGINT REFERENCES orgs(id),
    path        TEXT NOT NULL,
    code        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL,
    sort_order  BIGINT NOT NULL DEFAULT 0,
    -- Organizations are deactivated, never deleted: records refer to them.
    active      BOOLEAN NOT NULL DEFAULT TRUE,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
-- text_pattern_ops lets `path LIKE '/1/7/%'` use the index whatever the collation.
CREATE INDEX orgs_path ON orgs(path text_pattern_ops);
CREATE INDEX orgs_parent ON orgs(parent_id);

CREATE TABLE accounts (
    id            BIGSERIAL PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    -- The organization the person belongs to (where they appear in the tree).
    org_id        BIGINT NOT NULL REFERENCES orgs(id),
    -- 职务, e.g. 镇党委副书记; 分管领域 (portfolio) for 班子成员.
    title         TEXT NOT NULL DEFAULT '',
    portfolio     TEXT NOT NULL DEFAULT '',
    active        BOOLEAN NOT NULL DEFAULT TRUE,
    -- Set for accounts an administrator created in the web UI: first login must change it.
    must_change_password BOOLEAN NOT NULL DEFAULT FALSE,
    failed_logins BIGINT NOT NULL DEFAULT 0,
    locked_until  TEXT,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE INDEX accounts_org ON accounts(org_id);

-- A role granted on an organization covers its subtree.
CREATE TABLE role_grants (
    id          BIGSERIAL PRIMARY KEY,
    account_id  BIGINT NOT NULL REFERENCES accounts(id),
    role        TEXT NOT NULL,
    org_id      BIGINT NOT NULL REFERENCES orgs(id),
    created_at  TEXT NOT NULL,
    UNIQUE (account_id, role, org_id)
);
CREATE INDEX role_grants_account ON role_grants(account_id);

-- Server-side sessions (web) and bearer tokens (api): several instances can share them.
-- Only the SHA-256 of the token is stored.
CREATE TABLE sessions (
    token_hash   TEXT PRIMARY KEY,
    account_id   BIGINT NOT NULL REFERENCES accounts(id),
    kind         TEXT NOT NULL,
    csrf_token   TEXT NOT NULL,
    address      TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at   TEXT NOT NULL
);
CREATE INDEX sessions_account ON sessions(account_id);

-- The audit trail: append-only, hash-chained, never pruned by the application.
CREATE TABLE audit_log (
    seq         BIGINT PRIMARY KEY,
    at          TEXT NOT NULL,
    actor_id    BIGINT,
    actor       TEXT NOT NULL,
    address     TEXT NOT NULL,
    action      TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id   TEXT NOT NULL,
    before_json TEXT,
    after_json  TEXT,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL
);
CREATE INDEX audit_log_object ON audit_log(object_type, object_id);
