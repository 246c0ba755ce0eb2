//! Zeren's storage: one [`Store`] over SQLite (embedded default, WAL) or PostgreSQL
//! (scale-out), through sqlx's `Any` driver so that every query is written once.
//!
//! Every change goes through a [`WriteTx`], whose methods append the matching audit entry in
//! the same transaction: a change without its audit entry cannot be committed.

mod accounts;
mod attachments;
mod audit;
pub mod bulk;
mod catalog;
mod check_settings;
mod lists;
mod members;
mod metrics;
mod orgs;
mod records;
mod reports;
mod sessions;
mod version;
// Problems and rectification, integrity risks, discipline records.
mod discipline;
mod problems;
mod qbuild;
mod risks;

pub use accounts::{Account, GrantRow, NewAccount};
pub use attachments::{sha256_hex, AttachmentLink};
pub use audit::ChainReport;
pub use catalog::{CatalogEntry, CatalogKind};
pub use discipline::{
    DisciplineChange, DisciplineFilter, DisciplinePage, DisciplineRecord, NewDiscipline,
};
pub use lists::system_actor;
pub use lists::{
    DeskItems, ItemFields, ItemView, LinkedRecord, ListChange, ListItem, ListSummary, NewList,
    Owner, Progress, ProgressView, RespList,
};
pub use members::{Member, MemberPage, MemberQuery, NewMember};
pub use metrics::{MetricRecords, MetricRow, MetricValue};
pub use orgs::{org_by_reference, tree_order, Actor, NewOrg, Org, OrgChange};
pub use problems::{
    Measure, MeasureChange, NewBatch, NewMeasure, NewProblem, OverdueMeasure, Problem,
    ProblemBatch, ProblemChange, ProblemEvent, ProblemFilter, ProblemPage,
};
pub use records::{
    Attendance, AttendanceRow, Finding, ItemRef, MeetingCell, MeetingDue, MeetingRow, NewRecord,
    RecordChange, RecordPage, RecordQuery, WorkRecord,
};
pub use reports::{NewReport, Report, ReportFilter, ReportPage, ReportTemplate, ReportVersion};
pub use risks::{
    NewRisk, NewRiskMeasure, RiskChange, RiskFilter, RiskMeasure, RiskPage, RiskPoint,
};
pub use sessions::{Session, SessionKind};
/// Re-exported so tests and tools can run raw SQL on the same driver.
pub use sqlx;
pub use version::{Version, REFRESH as VERSION_REFRESH};

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor, Transaction};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Mutex, OwnedMutexGuard};
use zeren_domain::audit::AuditEvent;

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("unsupported database URL (use sqlite://… or postgres://…): {0}")]
    UnsupportedUrl(String),
    #[error("{0} not found")]
    NotFound(&'static str),
    /// A uniqueness rule was broken; the field names what was duplicated.
    #[error("duplicate {0}")]
    Duplicate(&'static str),
    /// A change that a rule forbids, e.g. moving an organization below itself; `field` names
    /// the input at fault so a form can show the message beside it.
    #[error("{message}")]
    Rejected {
        field: &'static str,
        message: String,
    },
    /// An operation this database cannot do (e.g. `backup` on PostgreSQL).
    #[error("{0}")]
    Unsupported(String),
    #[error("io error: {0}")]
    Io(#[from] std::io::Error),
}

pub type Result<T, E = StorageError> = std::result::Result<T, E>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The database handle the whole application shares.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// SQLite allows one writer; taking this lock first avoids busy errors and keeps the
    /// audit chain's "read last hash, append" step atomic within the process.
    write_lock: Arc<Mutex<()>>,
    /// Where evidence files are kept: a folder beside the SQLite file, or (PostgreSQL, and
    /// SQLite without a file) the database itself, so instances sharing it share evidence.
    blob_dir: Option<PathBuf>,
    /// Changes whenever data changes (see [`version`]).
    version: Arc<version::DataVersion>,
    /// The organization tree as last read (see [`orgs::KeptTree`]).
    org_tree: Arc<std::sync::Mutex<Option<orgs::KeptTree>>>,
}

/// The evidence folder beside a SQLite database file: `<dir>/attachments`.
fn blob_dir_for(url: &str) -> Option<PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let file = rest.split('?').next().unwrap_or(rest);
    if file.is_empty() || file.starts_with(':') {
        return None;
    }
    let parent = Path::new(file).parent()?;
    Some(parent.join("attachments"))
}

/// Where `zeren backup --to X.db` puts the evidence files: the folder `X.db.attachments`
/// beside it (restore it as `attachments` beside the database file).
pub fn backup_attachments_dir(target: &Path) -> PathBuf {
    let mut name = target.file_name().unwrap_or_default().to_os_string();
    name.push(".attachments");
    target.with_file_name(name)
}

/// Copies the files of a folder tree (leaving out unfinished `.tmp` writes).
fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let path = entry.path();
        let dest = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_tree(&path, &dest)?;
        } else if path.extension().is_none_or(|e| e != "tmp") {
            std::fs::copy(&path, &dest)?;
        }
    }
    Ok(())
}

/// A SQLite URL for a data folder: `<dir>/zeren.db`, created if missing.
pub fn sqlite_url_for_dir(dir: &Path) -> Result<String> {
    std::fs::create_dir_all(dir)?;
    let file = dir.join("zeren.db");
    Ok(format!("sqlite://{}?mode=rwc", file.display()))
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

impl Store {
    /// Connects to `sqlite://…` or `postgres://…`. Does not migrate.
    pub async fn connect(url: &str) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else {
            return Err(StorageError::UnsupportedUrl(redact(url)));
        };
        let options = AnyConnectOptions::from_str(url)?;
        let pool = AnyPoolOptions::new()
            .max_connections(if backend == Backend::Sqlite { 8 } else { 16 })
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // case_sensitive_like: LIKE as on PostgreSQL, and what lets SQLite
                        // answer "this organization and everything below it" (`org_path LIKE
                        // '/1/7/%'`) from the path indexes instead of reading every row.
                        conn.execute(
                            "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; \
                             PRAGMA busy_timeout = 5000; PRAGMA synchronous = NORMAL; \
                             PRAGMA case_sensitive_like = ON;",
                        )
                        .await?;
                    } else {
                        // Plan each statement for its values: a generic plan of `org_path LIKE
                        // $1` cannot know the prefix, so after a few runs PostgreSQL may settle
                        // on reading the whole table for one township's page.
                        conn.execute("SET plan_cache_mode = force_custom_plan")
                            .await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        Ok(Store {
            pool,
            backend,
            write_lock: Arc::new(Mutex::new(())),
            blob_dir: match backend {
                Backend::Sqlite => blob_dir_for(url),
                Backend::Postgres => None,
            },
            version: Arc::new(version::DataVersion::default()),
            org_tree: Arc::default(),
        })
    }

    /// Connects and applies every pending migration.
    pub async fn open(url: &str) -> Result<Store> {
        let store = Self::connect(url).await?;
        store.migrate().await?;
        Ok(store)
    }

    pub async fn migrate(&self) -> Result<()> {
        match self.backend {
            Backend::Sqlite => SQLITE_MIGRATIONS.run(&self.pool).await?,
            Backend::Postgres => POSTGRES_MIGRATIONS.run(&self.pool).await?,
        }
        Ok(())
    }

    /// The migrations applied, as (version, description), oldest first.
    pub async fn applied_migrations(&self) -> Result<Vec<(i64, String)>> {
        let rows: Vec<(i64, String)> = sqlx::query_as(
            "SELECT version, description FROM _sqlx_migrations WHERE success = TRUE ORDER BY version",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows)
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Answers when the database does.
    pub async fn ping(&self) -> Result<()> {
        let _: (i64,) = sqlx::query_as("SELECT CAST(1 AS BIGINT)")
            .fetch_one(&self.pool)
            .await?;
        Ok(())
    }

    /// Starts the only kind of transaction that may change data.
    pub async fn begin_write(&self) -> Result<WriteTx> {
        let guard = self.write_lock.clone().lock_owned().await;
        let tx = match self.backend {
            // IMMEDIATE takes SQLite's write lock at once, so a transaction that reads before
            // it writes cannot fail half-way because another process wrote in between.
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => {
                let mut tx = self.pool.begin().await?;
                // Serialises writers across every instance sharing the database, so each
                // audit entry sees the previous one.
                sqlx::query("LOCK TABLE audit_log IN SHARE ROW EXCLUSIVE MODE")
                    .execute(&mut *tx)
                    .await?;
                tx
            }
        };
        Ok(WriteTx {
            tx,
            _guard: guard,
            backend: self.backend,
            blob_dir: self.blob_dir.clone(),
            version: self.version.clone(),
        })
    }

    /// A consistent online copy of a SQLite database (`VACUUM INTO`), safe while serving.
    pub async fn backup_to(&self, target: &Path) -> Result<()> {
        if self.backend != Backend::Sqlite {
            return Err(StorageError::Unsupported(
                "PostgreSQL 请使用 pg_dump 备份（见 README）".into(),
            ));
        }
        if target.exists() {
            return Err(StorageError::Unsupported(format!(
                "备份文件已存在：{}",
                target.display()
            )));
        }
        let files_to = backup_attachments_dir(target);
        if files_to.exists() {
            return Err(StorageError::Unsupported(format!(
                "备份的证据文件目录已存在：{}",
                files_to.display()
            )));
        }
        let target = target.to_string_lossy().to_string();
        sqlx::query("VACUUM INTO $1")
            .bind(target)
            .execute(&self.pool)
            .await?;
        // Evidence files are written before the rows that name them commit, and never change
        // (named by their SHA-256): copying them after the database copy misses none it names.
        if let Some(from) = self.blob_dir.clone().filter(|d| d.is_dir()) {
            tokio::task::spawn_blocking(move || copy_tree(&from, &files_to))
                .await
                .map_err(|e| StorageError::Unsupported(e.to_string()))??;
        }
        Ok(())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// The data version now: read from the database at most every [`version::REFRESH`], so
    /// asking on every request costs nothing most of the time.
    pub async fn data_version(&self) -> Result<Version> {
        if self.version.stale() {
            let (seq,): (Option<i64>,) = sqlx::query_as("SELECT MAX(seq) FROM audit_log")
                .fetch_one(&self.pool)
                .await?;
            self.version.set_db(seq.unwrap_or(0));
        }
        Ok(self.version.current())
    }
}

/// Hides the password in a database URL before it is printed.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.find(':') {
                Some(c) => format!("{}{}:***{}", &url[..s + 3], &creds[..c], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// A write transaction holding the write lock. Dropping it without [`WriteTx::commit`]
/// rolls everything back, so a rejected request writes nothing.
pub struct WriteTx {
    tx: Transaction<'static, sqlx::Any>,
    _guard: OwnedMutexGuard<()>,
    backend: Backend,
    blob_dir: Option<PathBuf>,
    version: Arc<version::DataVersion>,
}

impl WriteTx {
    pub async fn commit(self) -> Result<()> {
        self.tx.commit().await?;
        self.version.bump();
        Ok(())
    }

    /// Appends an event to the audit chain inside this transaction.
    pub async fn audit(&mut self, event: AuditEvent) -> Result<i64> {
        audit::append(&mut self.tx, event).await
    }

    /// Appends events in order inside this transaction, several hundred per statement.
    pub async fn audit_many(&mut self, events: Vec<AuditEvent>) -> Result<()> {
        audit::append_many(&mut self.tx, self.backend, events).await
    }
}

/// Maps a unique-constraint failure to [`StorageError::Duplicate`].
pub(crate) fn map_unique(e: sqlx::Error, what: &'static str) -> StorageError {
    if let sqlx::Error::Database(db) = &e {
        if db.is_unique_violation() {
            return StorageError::Duplicate(what);
        }
    }
    StorageError::Database(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evidence_sits_beside_the_sqlite_file() {
        assert_eq!(
            blob_dir_for("sqlite:///srv/zeren-data/zeren.db?mode=rwc"),
            Some(PathBuf::from("/srv/zeren-data/attachments"))
        );
        assert_eq!(
            blob_dir_for("sqlite://./zeren-data/zeren.db"),
            Some(PathBuf::from("./zeren-data/attachments"))
        );
        assert_eq!(blob_dir_for("sqlite::memory:"), None);
    }

    #[test]
    fn redact_hides_password_only() {
        assert_eq!(
            redact("postgres://zeren:s3cret@127.0.0.1:5432/zeren"),
            "postgres://zeren:***@127.0.0.1:5432/zeren"
        );
        assert_eq!(redact("sqlite://x.db"), "sqlite://x.db");
    }
}

pub mod testing;

/// Whether a text can be compared with stored text on both databases: PostgreSQL refuses
/// the NUL character in text (an error), SQLite accepts it (no match). Lookups by such a text
/// answer "not found" on both without asking the database.
pub(crate) fn storable(text: &str) -> bool {
    !text.contains('\0')
}

/// An optional real bound as text and cast in SQL (`CAST($n AS DOUBLE PRECISION)`): sqlx's
/// Any driver declares a NULL real as `float4` on PostgreSQL, and a statement cached with that
/// declaration then refuses a real number on the same connection.
pub(crate) fn real_text(v: Option<f64>) -> Option<String> {
    v.map(|x| x.to_string())
}

/// How many rows one multi-row INSERT of `columns` columns should carry. SQLite looks a `$n`
/// parameter up by name, one at a time, so thousands of them in one statement cost more than
/// the statements they save: a few hundred parameters there; PostgreSQL takes thousands.
pub(crate) fn rows_per_insert(backend: Backend, columns: usize) -> usize {
    let params = match backend {
        Backend::Sqlite => 400,
        Backend::Postgres => 7200,
    };
    (params / columns.max(1)).max(1)
}

/// Reads a boolean column: BOOLEAN on PostgreSQL, INTEGER 0/1 on SQLite.
pub(crate) fn get_bool(row: &sqlx::any::AnyRow, column: &str) -> Result<bool> {
    use sqlx::Row;
    match row.try_get::<bool, _>(column) {
        Ok(b) => Ok(b),
        Err(_) => Ok(row.try_get::<i64, _>(column)? != 0),
    }
}
