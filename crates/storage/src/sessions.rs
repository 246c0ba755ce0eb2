//! Server-side sessions. The browser holds a random token; the database holds its SHA-256.

use crate::orgs::Actor;
use crate::{Result, Store, WriteTx};
use sqlx::any::AnyRow;
use sqlx::Row;
use time::Duration;
use zeren_domain::account::{API_TOKEN_HOURS, SESSION_IDLE_MINUTES};
use zeren_domain::clock;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionKind {
    /// A browser session: ends after 30 minutes idle.
    Web,
    /// A bearer token for integrations: ends 12 hours after it was issued.
    Api,
}

impl SessionKind {
    fn code(self) -> &'static str {
        match self {
            SessionKind::Web => "web",
            SessionKind::Api => "api",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub token_hash: String,
    pub account_id: i64,
    pub kind: SessionKind,
    pub csrf_token: String,
    pub last_seen_at: String,
    pub expires_at: String,
}

fn from_row(row: &AnyRow) -> Result<Session> {
    let kind: String = row.try_get("kind")?;
    Ok(Session {
        token_hash: row.try_get("token_hash")?,
        account_id: row.try_get("account_id")?,
        kind: if kind == "api" {
            SessionKind::Api
        } else {
            SessionKind::Web
        },
        csrf_token: row.try_get("csrf_token")?,
        last_seen_at: row.try_get("last_seen_at")?,
        expires_at: row.try_get("expires_at")?,
    })
}

fn expiry(kind: SessionKind) -> String {
    match kind {
        SessionKind::Web => clock::after(Duration::minutes(SESSION_IDLE_MINUTES)),
        SessionKind::Api => clock::after(Duration::hours(API_TOKEN_HOURS)),
    }
}

impl Store {
    /// The live session for a token hash; expired ones are not returned.
    pub async fn session(&self, token_hash: &str) -> Result<Option<Session>> {
        let row = sqlx::query(
            "SELECT token_hash, account_id, kind, csrf_token, last_seen_at, expires_at \
             FROM sessions WHERE token_hash = $1 AND expires_at > $2",
        )
        .bind(token_hash)
        .bind(clock::now_text())
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(from_row).transpose()
    }

    /// Slides a web session's idle expiry. Not audited: it is not a change of data.
    pub async fn touch_session(&self, token_hash: &str) -> Result<()> {
        sqlx::query(
            "UPDATE sessions SET last_seen_at = $1, expires_at = $2 WHERE token_hash = $3 AND kind = 'web'",
        )
        .bind(clock::now_text())
        .bind(expiry(SessionKind::Web))
        .bind(token_hash)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Removes expired sessions (housekeeping, not audited: no user data).
    pub async fn purge_expired_sessions(&self) -> Result<u64> {
        let done = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(clock::now_text())
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }
}

impl WriteTx {
    pub async fn create_session(
        &mut self,
        token_hash: &str,
        account_id: i64,
        kind: SessionKind,
        csrf_token: &str,
        address: &str,
    ) -> Result<()> {
        let now = clock::now_text();
        sqlx::query(
            "INSERT INTO sessions (token_hash, account_id, kind, csrf_token, address, created_at, last_seen_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $6, $7)",
        )
        .bind(token_hash)
        .bind(account_id)
        .bind(kind.code())
        .bind(csrf_token)
        .bind(address)
        .bind(&now)
        .bind(expiry(kind))
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    pub async fn end_session(&mut self, token_hash: &str, actor: &Actor) -> Result<()> {
        let done = sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&mut *self.tx)
            .await?;
        if done.rows_affected() > 0 {
            let id = actor.id.unwrap_or_default();
            self.audit(actor.event("logout", "account", id, None::<&()>, None::<&()>))
                .await?;
        }
        Ok(())
    }
}

impl WriteTx {
    /// Ends every session and token of an account (e.g. after it was locked); audited.
    pub async fn end_all_sessions(&mut self, account_id: i64, actor: &Actor) -> Result<u64> {
        let done = sqlx::query("DELETE FROM sessions WHERE account_id = $1")
            .bind(account_id)
            .execute(&mut *self.tx)
            .await?;
        if done.rows_affected() > 0 {
            let detail = serde_json::json!({ "sessions": done.rows_affected() });
            self.audit(actor.event(
                "session.end_all",
                "account",
                account_id,
                None::<&()>,
                Some(&detail),
            ))
            .await?;
        }
        Ok(done.rows_affected())
    }
}
