//! Audit chain storage: append inside a write transaction; read back for pages and verify.

use crate::{Result, Store};
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};
use zeren_domain::audit::{AuditEntry, AuditEvent, BrokenLink, ChainVerifier, GENESIS};
use zeren_domain::clock;

pub(crate) async fn append(tx: &mut Transaction<'static, Any>, event: AuditEvent) -> Result<i64> {
    let last: Option<(i64, String)> =
        sqlx::query_as("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
            .fetch_optional(&mut **tx)
            .await?;
    let (seq, prev) = match last {
        Some((seq, hash)) => (seq + 1, hash),
        None => (1, GENESIS.to_string()),
    };
    let entry = AuditEntry::seal(seq, clock::now_text(), event, prev);
    sqlx::query(
        "INSERT INTO audit_log (seq, at, actor_id, actor, address, action, object_type, \
         object_id, before_json, after_json, prev_hash, hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(entry.seq)
    .bind(&entry.at)
    .bind(entry.event.actor_id)
    .bind(&entry.event.actor)
    .bind(&entry.event.address)
    .bind(&entry.event.action)
    .bind(&entry.event.object_type)
    .bind(&entry.event.object_id)
    .bind(&entry.event.before)
    .bind(&entry.event.after)
    .bind(&entry.prev_hash)
    .bind(&entry.hash)
    .execute(&mut **tx)
    .await?;
    Ok(seq)
}

/// Appends many events in order (a workbook's import): the chain's head is read once and the
/// entries are inserted several hundred per statement.
pub(crate) async fn append_many(
    tx: &mut Transaction<'static, Any>,
    backend: crate::Backend,
    events: Vec<AuditEvent>,
) -> Result<()> {
    if events.is_empty() {
        return Ok(());
    }
    let last: Option<(i64, String)> =
        sqlx::query_as("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
            .fetch_optional(&mut **tx)
            .await?;
    let (mut seq, mut prev) = match last {
        Some((seq, hash)) => (seq, hash),
        None => (0, GENESIS.to_string()),
    };
    let mut entries = Vec::with_capacity(events.len());
    for event in events {
        seq += 1;
        let entry = AuditEntry::seal(seq, clock::now_text(), event, prev);
        prev = entry.hash.clone();
        entries.push(entry);
    }
    for chunk in entries.chunks(crate::rows_per_insert(backend, 12)) {
        let mut sql = format!("INSERT INTO audit_log ({COLUMNS}) VALUES ");
        for j in 0..chunk.len() {
            if j > 0 {
                sql.push_str(", ");
            }
            let b = j * 12;
            let cells: Vec<String> = (1..=12).map(|c| format!("${}", b + c)).collect();
            sql.push_str(&format!("({})", cells.join(", ")));
        }
        // Not cached on PostgreSQL: NULLs (no actor, no "before") must not fix a parameter's
        // type there.
        let mut q = sqlx::query(&sql).persistent(backend == crate::Backend::Sqlite);
        for e in chunk {
            q = q
                .bind(e.seq)
                .bind(e.at.as_str())
                .bind(e.event.actor_id)
                .bind(e.event.actor.as_str())
                .bind(e.event.address.as_str())
                .bind(e.event.action.as_str())
                .bind(e.event.object_type.as_str())
                .bind(e.event.object_id.as_str())
                .bind(e.event.before.as_deref())
                .bind(e.event.after.as_deref())
                .bind(e.prev_hash.as_str())
                .bind(e.hash.as_str());
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}

const COLUMNS: &str = "seq, at, actor_id, actor, address, action, object_type, object_id, \
                       before_json, after_json, prev_hash, hash";

fn from_row(row: &AnyRow) -> Result<AuditEntry> {
    Ok(AuditEntry {
        seq: row.try_get("seq")?,
        at: row.try_get("at")?,
        event: AuditEvent {
            actor_id: row.try_get("actor_id")?,
            actor: row.try_get("actor")?,
            address: row.try_get("address")?,
            action: row.try_get("action")?,
            object_type: row.try_get("object_type")?,
            object_id: row.try_get("object_id")?,
            before: row.try_get("before_json")?,
            after: row.try_get("after_json")?,
        },
        prev_hash: row.try_get("prev_hash")?,
        hash: row.try_get("hash")?,
    })
}

/// Outcome of walking the whole chain.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ChainReport {
    pub entries: u64,
    /// Hash of the last entry that held (the genesis value for an empty trail).
    pub head: String,
    pub broken: Option<BrokenLink>,
}

impl Store {
    /// Newest first, for the audit page. `action_prefix` filters e.g. `login.`.
    pub async fn audit_page(
        &self,
        limit: i64,
        offset: i64,
        action_prefix: Option<&str>,
    ) -> Result<Vec<AuditEntry>> {
        if !crate::storable(action_prefix.unwrap_or("")) {
            return Ok(Vec::new());
        }
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM audit_log \
             WHERE substr(action, 1, CAST($4 AS INTEGER)) = $1 \
             ORDER BY seq DESC LIMIT $2 OFFSET $3"
        ))
        // An exact, case-sensitive prefix on both databases (LIKE differs between them).
        .bind(action_prefix.unwrap_or(""))
        .bind(limit.max(0))
        .bind(offset.max(0))
        .bind(action_prefix.unwrap_or("").chars().count() as i64)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(from_row).collect()
    }

    /// The history of one object (e.g. `record`, 42), oldest first, at most `limit` entries.
    pub async fn audit_of(
        &self,
        object_type: &str,
        object_id: &str,
        limit: i64,
    ) -> Result<Vec<AuditEntry>> {
        if !crate::storable(object_type) || !crate::storable(object_id) {
            return Ok(Vec::new());
        }
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM audit_log WHERE object_type = $1 AND object_id = $2 \
             ORDER BY seq LIMIT $3"
        ))
        .bind(object_type)
        .bind(object_id)
        .bind(limit.max(0))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(from_row).collect()
    }

    /// Entries whose action starts with `prefix` (exactly, as in [`Store::audit_page`]).
    pub async fn audit_count_with(&self, prefix: &str) -> Result<i64> {
        if !crate::storable(prefix) {
            return Ok(0);
        }
        let (n,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM audit_log WHERE substr(action, 1, CAST($2 AS INTEGER)) = $1",
        )
        .bind(prefix)
        .bind(prefix.chars().count() as i64)
        .fetch_one(&self.pool)
        .await?;
        Ok(n)
    }

    pub async fn audit_count(&self) -> Result<i64> {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM audit_log")
            .fetch_one(&self.pool)
            .await?;
        Ok(n)
    }

    /// Walks the chain in pages (memory stays flat on a long trail) and reports the first
    /// broken link, if any.
    pub async fn verify_audit_chain(&self) -> Result<ChainReport> {
        const PAGE: i64 = 5000;
        let mut verifier = ChainVerifier::default();
        let mut after = 0i64;
        loop {
            let rows = sqlx::query(&format!(
                "SELECT {COLUMNS} FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2"
            ))
            .bind(after)
            .bind(PAGE)
            .fetch_all(&self.pool)
            .await?;
            for row in &rows {
                let entry = from_row(row)?;
                if let Err(broken) = verifier.push(&entry) {
                    return Ok(ChainReport {
                        entries: verifier.count(),
                        head: verifier.head().to_string(),
                        broken: Some(broken),
                    });
                }
                after = entry.seq;
            }
            if (rows.len() as i64) < PAGE {
                break;
            }
        }
        Ok(ChainReport {
            entries: verifier.count(),
            head: verifier.head().to_string(),
            broken: None,
        })
    }
}
