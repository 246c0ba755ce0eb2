//! Bulk loading for generated data (`zeren demo --scale county`): hundreds of thousands of
//! ledger rows in multi-row INSERTs with ids assigned here, so that children (measures of a
//! problem, items of a list) can name their parents without a round trip per row.
//!
//! Rows loaded this way are not audited one by one: the whole load is one audit entry naming
//! what was generated. Only the generator uses it; users' changes always go through the
//! audited [`WriteTx`] methods.

use crate::orgs::Actor;
use crate::{Backend, Result, Store, WriteTx};

/// A value of a bulk row.
#[derive(Debug, Clone)]
pub enum Cell {
    Int(i64),
    OptInt(Option<i64>),
    Real(Option<f64>),
    Text(String),
    OptText(Option<String>),
    Bool(bool),
}

/// Rows for one table: the column names and, per row, one cell per column.
pub struct Batch {
    pub table: &'static str,
    pub columns: &'static [&'static str],
    pub rows: Vec<Vec<Cell>>,
}

/// The ledger tables a generator may fill.
const TABLES: [&str; 10] = [
    "members",
    "work_records",
    "resp_lists",
    "list_items",
    "problem_batches",
    "problems",
    "problem_measures",
    "risk_points",
    "risk_measures",
    "discipline_records",
];

impl Store {
    /// The next free id of a ledger table (ids of bulk rows are assigned by the caller).
    pub async fn next_id(&self, table: &str) -> Result<i64> {
        if !TABLES.contains(&table) {
            return Err(crate::StorageError::Unsupported(format!(
                "no bulk table {table}"
            )));
        }
        let (max,): (Option<i64>,) = sqlx::query_as(&format!("SELECT MAX(id) FROM {table}"))
            .fetch_one(&self.pool)
            .await?;
        Ok(max.unwrap_or(0) + 1)
    }
}

impl WriteTx {
    /// Inserts the rows, several hundred per statement.
    pub async fn bulk_insert(&mut self, batch: &Batch) -> Result<u64> {
        if !TABLES.contains(&batch.table) || batch.columns.is_empty() {
            return Err(crate::StorageError::Unsupported(format!(
                "no bulk table {}",
                batch.table
            )));
        }
        // Stay well under SQLite's and PostgreSQL's limits on bound parameters.
        let per_statement = (8000 / batch.columns.len()).max(1);
        let mut inserted = 0;
        for chunk in batch.rows.chunks(per_statement) {
            let mut sql = format!(
                "INSERT INTO {} ({}) VALUES ",
                batch.table,
                batch.columns.join(", ")
            );
            let mut n = 0;
            for (i, row) in chunk.iter().enumerate() {
                if i > 0 {
                    sql.push_str(", ");
                }
                sql.push('(');
                for j in 0..row.len() {
                    if j > 0 {
                        sql.push_str(", ");
                    }
                    n += 1;
                    sql.push_str(&format!("${n}"));
                }
                sql.push(')');
            }
            // Not cached: a cached statement keeps the parameter types of its first use, and a
            // NULL there would not take a number in a later chunk of the same shape.
            let mut q = sqlx::query(&sql).persistent(false);
            for row in chunk {
                debug_assert_eq!(row.len(), batch.columns.len());
                for cell in row {
                    q = match cell {
                        Cell::Int(v) => q.bind(*v),
                        Cell::OptInt(v) => q.bind(*v),
                        Cell::Real(v) => q.bind(*v),
                        Cell::Text(v) => q.bind(v.as_str()),
                        Cell::OptText(v) => q.bind(v.as_deref()),
                        Cell::Bool(v) => q.bind(*v),
                    };
                }
            }
            inserted += q.execute(&mut *self.tx).await?.rows_affected();
        }
        Ok(inserted)
    }

    /// After rows with explicit ids: PostgreSQL's sequences must move past them.
    pub async fn bulk_finish(&mut self, summary: &serde_json::Value, actor: &Actor) -> Result<()> {
        if self.backend == Backend::Postgres {
            for t in TABLES {
                sqlx::query(&format!(
                    "SELECT setval(pg_get_serial_sequence('{t}', 'id'), \
                     COALESCE((SELECT MAX(id) FROM {t}), 0) + 1, false)"
                ))
                .execute(&mut *self.tx)
                .await?;
            }
        }
        self.audit(actor.event(
            "demo.generate",
            "ledgers",
            "bulk",
            None::<&()>,
            Some(summary),
        ))
        .await?;
        Ok(())
    }
}

impl Store {
    /// Refreshes the planner's statistics after a bulk load (and, on PostgreSQL, the
    /// visibility map that lets covering indexes answer without visiting the table).
    pub async fn analyze(&self) -> Result<()> {
        let sql = match self.backend {
            Backend::Sqlite => "ANALYZE",
            Backend::Postgres => "VACUUM ANALYZE",
        };
        sqlx::query(sql).execute(&self.pool).await?;
        Ok(())
    }
}
