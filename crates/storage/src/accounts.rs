//! Accounts, role grants and the login bookkeeping (failure counts, lockout).

use crate::orgs::Actor;
use crate::{map_unique, Result, StorageError, Store, WriteTx};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::Row;
use time::Duration;
use zeren_domain::account::{Username, LOCKOUT_MINUTES, MAX_FAILED_LOGINS};
use zeren_domain::clock;
use zeren_domain::org::OrgPath;
use zeren_domain::permissions::{Grant, Scope};
use zeren_domain::role::Role;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Account {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    /// Never serialised: audit entries and API answers must not carry it.
    #[serde(skip)]
    pub password_hash: String,
    pub org_id: i64,
    /// 职务, e.g. 镇党委副书记.
    pub title: String,
    /// 分管领域 of a 班子成员.
    pub portfolio: String,
    pub active: bool,
    pub must_change_password: bool,
    pub failed_logins: i64,
    pub locked_until: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

impl Account {
    /// Locked now? (A lock whose time has passed no longer counts.)
    pub fn is_locked(&self) -> bool {
        self.locked_until
            .as_deref()
            .is_some_and(|t| t > clock::now_text().as_str())
    }
}

const COLUMNS: &str = "id, username, display_name, password_hash, org_id, title, portfolio, \
    active, must_change_password, failed_logins, locked_until, created_at, updated_at";

fn from_row(row: &AnyRow) -> Result<Account> {
    Ok(Account {
        id: row.try_get("id")?,
        username: row.try_get("username")?,
        display_name: row.try_get("display_name")?,
        password_hash: row.try_get("password_hash")?,
        org_id: row.try_get("org_id")?,
        title: row.try_get("title")?,
        portfolio: row.try_get("portfolio")?,
        active: crate::get_bool(row, "active")?,
        must_change_password: crate::get_bool(row, "must_change_password")?,
        failed_logins: row.try_get("failed_logins")?,
        locked_until: row.try_get("locked_until")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

#[derive(Debug, Clone)]
pub struct NewAccount {
    pub username: Username,
    pub display_name: String,
    pub password_hash: String,
    pub org_id: i64,
    pub title: String,
    pub portfolio: String,
    pub must_change_password: bool,
}

const GRANT_SELECT: &str = "SELECT g.id, g.account_id, g.role, g.org_id, o.name, o.code, o.path \
     FROM role_grants g JOIN orgs o ON o.id = g.org_id";

/// Rows of [`GRANT_SELECT`], ordered by organization path then role (in Rust: collations
/// differ between the databases).
fn grant_rows_from(rows: &[AnyRow]) -> Result<Vec<GrantRow>> {
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let role: String = row.try_get(2)?;
        let Ok(role) = Role::parse(&role) else {
            continue;
        };
        out.push(GrantRow {
            id: row.try_get(0)?,
            account_id: row.try_get(1)?,
            role,
            org_id: row.try_get(3)?,
            org_name: row.try_get(4)?,
            org_code: row.try_get(5)?,
            org_path: OrgPath(row.try_get(6)?),
        });
    }
    out.sort_by(|a, b| (&a.org_path.0, a.role.code()).cmp(&(&b.org_path.0, b.role.code())));
    Ok(out)
}

/// A grant as shown on pages: with the organization's name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GrantRow {
    pub id: i64,
    pub account_id: i64,
    pub role: Role,
    pub org_id: i64,
    pub org_name: String,
    pub org_code: String,
    pub org_path: OrgPath,
}

impl Store {
    pub async fn account(&self, id: i64) -> Result<Account> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM accounts WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StorageError::NotFound("account"))?;
        from_row(&row)
    }

    pub async fn account_by_username(&self, username: &str) -> Result<Option<Account>> {
        if !crate::storable(username) {
            return Ok(None);
        }
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM accounts WHERE username = $1"
        ))
        .bind(username.trim().to_ascii_lowercase())
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(from_row).transpose()
    }

    /// Accounts whose home organization lies inside the scope.
    pub async fn accounts_in(&self, scope: &Scope) -> Result<Vec<Account>> {
        let mut out = Vec::new();
        for root in &scope.roots {
            let rows = sqlx::query(&format!(
                "SELECT {} FROM accounts a JOIN orgs o ON o.id = a.org_id \
                 WHERE o.path LIKE $1",
                COLUMNS
                    .split(", ")
                    .map(|c| format!("a.{}", c.trim()))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
            .bind(format!("{}%", root.as_str()))
            .fetch_all(&self.pool)
            .await?;
            for row in &rows {
                out.push(from_row(row)?);
            }
        }
        // Ordered here, not in SQL: collations differ between SQLite and PostgreSQL.
        out.sort_by_key(|a| (a.org_id, a.id));
        Ok(out)
    }

    /// The accounts whose home is this organization itself.
    pub async fn accounts_at(&self, org_id: i64) -> Result<Vec<Account>> {
        let rows = sqlx::query(&format!("SELECT {COLUMNS} FROM accounts WHERE org_id = $1"))
            .bind(org_id)
            .fetch_all(&self.pool)
            .await?;
        let mut out = rows.iter().map(from_row).collect::<Result<Vec<_>>>()?;
        out.sort_by_key(|a| a.id);
        Ok(out)
    }

    pub async fn grant_rows(&self, account_id: i64) -> Result<Vec<GrantRow>> {
        let rows = sqlx::query(&format!("{GRANT_SELECT} WHERE g.account_id = $1"))
            .bind(account_id)
            .fetch_all(&self.pool)
            .await?;
        grant_rows_from(&rows)
    }

    /// The grants of every account homed inside the scope, in one query per scope root (a
    /// list page must not ask once per account).
    pub async fn grant_rows_in(&self, scope: &Scope) -> Result<Vec<GrantRow>> {
        let mut out = Vec::new();
        for root in &scope.roots {
            let rows = sqlx::query(&format!(
                "{GRANT_SELECT} JOIN accounts a ON a.id = g.account_id \
                 JOIN orgs home ON home.id = a.org_id WHERE home.path LIKE $1"
            ))
            .bind(format!("{}%", root.as_str()))
            .fetch_all(&self.pool)
            .await?;
            out.extend(grant_rows_from(&rows)?);
        }
        Ok(out)
    }

    /// The grants that make up an account's permissions (grants on inactive organizations
    /// still count: deactivating a branch must not hide its history from its superiors).
    pub async fn grants(&self, account_id: i64) -> Result<Vec<Grant>> {
        Ok(self
            .grant_rows(account_id)
            .await?
            .into_iter()
            .map(|g| Grant {
                role: g.role,
                org_id: g.org_id,
                org_path: g.org_path,
            })
            .collect())
    }

    pub async fn account_count(&self) -> Result<i64> {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM accounts")
            .fetch_one(&self.pool)
            .await?;
        Ok(n)
    }
}

impl WriteTx {
    async fn account(&mut self, id: i64) -> Result<Account> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM accounts WHERE id = $1"))
            .bind(id)
            .fetch_optional(&mut *self.tx)
            .await?
            .ok_or(StorageError::NotFound("account"))?;
        from_row(&row)
    }

    pub async fn create_account(&mut self, new: NewAccount, actor: &Actor) -> Result<Account> {
        let now = clock::now_text();
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO accounts (username, display_name, password_hash, org_id, title, portfolio, \
             active, must_change_password, failed_logins, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, TRUE, $7, 0, $8, $8) RETURNING id",
        )
        .bind(new.username.as_str())
        .bind(&new.display_name)
        .bind(&new.password_hash)
        .bind(new.org_id)
        .bind(&new.title)
        .bind(&new.portfolio)
        .bind(new.must_change_password)
        .bind(&now)
        .fetch_one(&mut *self.tx)
        .await
        .map_err(|e| map_unique(e, "username"))?;
        let account = self.account(id).await?;
        self.audit(actor.event("account.create", "account", id, None::<&()>, Some(&account)))
            .await?;
        Ok(account)
    }

    /// Sets a new password hash. `must_change` is true for an administrator's reset. Every
    /// session of the account ends except `keep` (the session that changed its own password).
    pub async fn set_password(
        &mut self,
        id: i64,
        password_hash: &str,
        must_change: bool,
        keep: Option<&str>,
        actor: &Actor,
    ) -> Result<Account> {
        let before = self.account(id).await?;
        sqlx::query(
            "UPDATE accounts SET password_hash = $1, must_change_password = $2, failed_logins = 0, \
             locked_until = NULL, updated_at = $3 WHERE id = $4",
        )
        .bind(password_hash)
        .bind(must_change)
        .bind(clock::now_text())
        .bind(id)
        .execute(&mut *self.tx)
        .await?;
        sqlx::query("DELETE FROM sessions WHERE account_id = $1 AND token_hash <> $2")
            .bind(id)
            .bind(keep.unwrap_or(""))
            .execute(&mut *self.tx)
            .await?;
        let after = self.account(id).await?;
        let action = if actor.id == Some(id) {
            "account.change_password"
        } else {
            "account.reset_password"
        };
        self.audit(actor.event(action, "account", id, Some(&before), Some(&after)))
            .await?;
        Ok(after)
    }

    /// Updates the descriptive fields and the active flag.
    pub async fn update_account(
        &mut self,
        id: i64,
        display_name: String,
        title: String,
        portfolio: String,
        active: bool,
        actor: &Actor,
    ) -> Result<Account> {
        let before = self.account(id).await?;
        sqlx::query(
            "UPDATE accounts SET display_name = $1, title = $2, portfolio = $3, active = $4, \
             updated_at = $5 WHERE id = $6",
        )
        .bind(&display_name)
        .bind(&title)
        .bind(&portfolio)
        .bind(active)
        .bind(clock::now_text())
        .bind(id)
        .execute(&mut *self.tx)
        .await?;
        if !active {
            sqlx::query("DELETE FROM sessions WHERE account_id = $1")
                .bind(id)
                .execute(&mut *self.tx)
                .await?;
        }
        let after = self.account(id).await?;
        let action = if before.active && !active {
            "account.deactivate"
        } else {
            "account.update"
        };
        self.audit(actor.event(action, "account", id, Some(&before), Some(&after)))
            .await?;
        Ok(after)
    }

    /// Counts a failed login and locks the account at the limit. Audited as `login.failure`.
    /// The count is incremented in the database, so simultaneous attempts are all counted.
    /// Returns whether the account is now locked.
    pub async fn record_login_failure(
        &mut self,
        account: &Account,
        address: &str,
        reason: &str,
    ) -> Result<bool> {
        let (failures,): (i64,) = sqlx::query_as(
            "UPDATE accounts SET failed_logins = failed_logins + 1 WHERE id = $1 RETURNING failed_logins",
        )
        .bind(account.id)
        .fetch_one(&mut *self.tx)
        .await?;
        let lock = failures >= MAX_FAILED_LOGINS;
        if lock {
            sqlx::query("UPDATE accounts SET failed_logins = 0, locked_until = $1 WHERE id = $2")
                .bind(clock::after(Duration::minutes(LOCKOUT_MINUTES)))
                .bind(account.id)
                .execute(&mut *self.tx)
                .await?;
        }
        self.audit_login(
            account,
            address,
            "login.failure",
            serde_json::json!({ "reason": reason, "failures": failures, "locked": lock }),
        )
        .await?;
        Ok(lock)
    }

    /// A login attempt on a locked account: audited, but not counted, so that nobody can keep
    /// an account locked for ever by trying a few times every quarter of an hour.
    pub async fn record_login_refused(
        &mut self,
        account: &Account,
        address: &str,
        reason: &str,
    ) -> Result<()> {
        self.audit_login(
            account,
            address,
            "login.failure",
            serde_json::json!({ "reason": reason }),
        )
        .await?;
        Ok(())
    }

    /// Appends a login event about a known account, as that account from `address`.
    async fn audit_login(
        &mut self,
        account: &Account,
        address: &str,
        action: &str,
        detail: serde_json::Value,
    ) -> Result<i64> {
        let actor = Actor {
            id: Some(account.id),
            name: account.username.clone(),
            address: address.to_string(),
        };
        self.audit(actor.event(action, "account", account.id, None::<&()>, Some(&detail)))
            .await
    }

    /// A login attempt with an unknown username: audited, nothing else.
    pub async fn record_unknown_login(&mut self, username: &str, address: &str) -> Result<()> {
        let actor = Actor {
            id: None,
            name: username
                .chars()
                .filter(|c| !c.is_control())
                .take(64)
                .collect(),
            address: address.to_string(),
        };
        let detail = serde_json::json!({ "reason": "unknown_user" });
        self.audit(actor.event("login.failure", "account", "", None::<&()>, Some(&detail)))
            .await?;
        Ok(())
    }

    /// Clears the failure count and audits `login.success`, unless the account was locked or
    /// deactivated in the meantime (then nothing is written and `false` is returned).
    pub async fn record_login_success(
        &mut self,
        account: &Account,
        address: &str,
        kind: &str,
    ) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE accounts SET failed_logins = 0, locked_until = NULL \
             WHERE id = $1 AND active = TRUE AND (locked_until IS NULL OR locked_until <= $2)",
        )
        .bind(account.id)
        .bind(clock::now_text())
        .execute(&mut *self.tx)
        .await?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        self.audit_login(
            account,
            address,
            "login.success",
            serde_json::json!({ "kind": kind }),
        )
        .await?;
        Ok(true)
    }

    pub async fn grant_role(
        &mut self,
        account_id: i64,
        role: Role,
        org_id: i64,
        actor: &Actor,
    ) -> Result<i64> {
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO role_grants (account_id, role, org_id, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(account_id)
        .bind(role.code())
        .bind(org_id)
        .bind(clock::now_text())
        .fetch_one(&mut *self.tx)
        .await
        .map_err(|e| map_unique(e, "role"))?;
        let detail =
            serde_json::json!({ "account_id": account_id, "role": role.code(), "org_id": org_id });
        self.audit(actor.event("grant.create", "role_grant", id, None::<&()>, Some(&detail)))
            .await?;
        Ok(id)
    }

    pub async fn revoke_grant(&mut self, grant_id: i64, actor: &Actor) -> Result<()> {
        let row: Option<(i64, String, i64)> =
            sqlx::query_as("SELECT account_id, role, org_id FROM role_grants WHERE id = $1")
                .bind(grant_id)
                .fetch_optional(&mut *self.tx)
                .await?;
        let (account_id, role, org_id) = row.ok_or(StorageError::NotFound("grant"))?;
        sqlx::query("DELETE FROM role_grants WHERE id = $1")
            .bind(grant_id)
            .execute(&mut *self.tx)
            .await?;
        let detail =
            serde_json::json!({ "account_id": account_id, "role": role, "org_id": org_id });
        self.audit(actor.event(
            "grant.revoke",
            "role_grant",
            grant_id,
            Some(&detail),
            None::<&()>,
        ))
        .await?;
        Ok(())
    }
}
