//! Configurable catalogues: record types (纪实类型), problem sources (问题来源) and list
//! categories (清单类别). The built-in entries live in the domain crate; an administrator's
//! additions are rows of `catalog_entries` and extend them (they never replace a built-in).

use crate::orgs::Actor;
use crate::{map_unique, Result, StorageError, Store, WriteTx};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::Row;
use zeren_domain::clock;
use zeren_domain::records::{builtin_types, RecordType};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CatalogKind {
    RecordType,
    ProblemSource,
    ListCategory,
}

impl CatalogKind {
    pub fn code(self) -> &'static str {
        match self {
            CatalogKind::RecordType => "record_type",
            CatalogKind::ProblemSource => "problem_source",
            CatalogKind::ListCategory => "list_category",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            CatalogKind::RecordType => "纪实类型",
            CatalogKind::ProblemSource => "问题来源",
            CatalogKind::ListCategory => "清单类别",
        }
    }
}

/// An administrator's addition to a catalogue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CatalogEntry {
    pub id: i64,
    pub kind: String,
    pub code: String,
    pub name: String,
    pub sort_order: i64,
    /// JSON; for a record type, the [`RecordType`] itself.
    pub config: String,
    pub active: bool,
    pub created_at: String,
    pub updated_at: String,
}

const COLUMNS: &str = "id, kind, code, name, sort_order, config, active, created_at, updated_at";

fn from_row(row: &AnyRow) -> Result<CatalogEntry> {
    Ok(CatalogEntry {
        id: row.try_get("id")?,
        kind: row.try_get("kind")?,
        code: row.try_get("code")?,
        name: row.try_get("name")?,
        sort_order: row.try_get("sort_order")?,
        config: row.try_get("config")?,
        active: crate::get_bool(row, "active")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

/// The built-in (code, name) pairs of a catalogue.
pub fn builtin_entries(kind: CatalogKind) -> Vec<(String, String)> {
    match kind {
        CatalogKind::RecordType => builtin_types()
            .into_iter()
            .map(|t| (t.code, t.name))
            .collect(),
        CatalogKind::ProblemSource => zeren_domain::problems::builtin_sources()
            .into_iter()
            .map(|(c, n)| (c.to_string(), n.to_string()))
            .collect(),
        CatalogKind::ListCategory => zeren_domain::lists::BUILTIN_CATEGORIES
            .iter()
            .map(|c| (c.to_string(), c.to_string()))
            .collect(),
    }
}

impl Store {
    /// An administrator's additions to one catalogue (active or not), in display order.
    pub async fn catalog_entries(&self, kind: CatalogKind) -> Result<Vec<CatalogEntry>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM catalog_entries WHERE kind = $1 ORDER BY sort_order, id"
        ))
        .bind(kind.code())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(from_row).collect()
    }

    /// Every record type in use: the built-in ones, then the active additions.
    pub async fn record_types(&self) -> Result<Vec<RecordType>> {
        let mut types = builtin_types();
        for e in self.catalog_entries(CatalogKind::RecordType).await? {
            if !e.active {
                continue;
            }
            if let Ok(mut t) = serde_json::from_str::<RecordType>(&e.config) {
                t.code = e.code;
                t.name = e.name;
                t.custom = true;
                types.push(t);
            }
        }
        Ok(types)
    }

    /// One record type by code (built-in or an active addition).
    pub async fn record_type(&self, code: &str) -> Result<Option<RecordType>> {
        Ok(self
            .record_types()
            .await?
            .into_iter()
            .find(|t| t.code == code))
    }

    /// (code, name) of every problem source in use.
    pub async fn problem_sources(&self) -> Result<Vec<(String, String)>> {
        self.codes_and_names(CatalogKind::ProblemSource).await
    }

    /// The list item categories in use.
    pub async fn list_categories(&self) -> Result<Vec<String>> {
        Ok(self
            .codes_and_names(CatalogKind::ListCategory)
            .await?
            .into_iter()
            .map(|(_, n)| n)
            .collect())
    }

    async fn codes_and_names(&self, kind: CatalogKind) -> Result<Vec<(String, String)>> {
        let mut out = builtin_entries(kind);
        for e in self.catalog_entries(kind).await? {
            if e.active {
                out.push((e.code, e.name));
            }
        }
        Ok(out)
    }
}

impl WriteTx {
    /// Adds an entry to a catalogue; its code and name must not clash with a built-in one or
    /// an earlier addition. Audited.
    pub async fn add_catalog_entry(
        &mut self,
        kind: CatalogKind,
        code: &str,
        name: &str,
        config: &str,
        actor: &Actor,
    ) -> Result<CatalogEntry> {
        for (c, n) in builtin_entries(kind) {
            if c == code {
                return Err(StorageError::Rejected {
                    field: "code",
                    message: format!("编码“{code}”已是内置{}", kind.label()),
                });
            }
            if n == name {
                return Err(StorageError::Rejected {
                    field: "name",
                    message: format!("“{name}”已是内置{}", kind.label()),
                });
            }
        }
        let now = clock::now_text();
        let (count,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM catalog_entries WHERE kind = $1")
                .bind(kind.code())
                .fetch_one(&mut *self.tx)
                .await?;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO catalog_entries (kind, code, name, sort_order, config, active, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, TRUE, $6, $6) RETURNING id",
        )
        .bind(kind.code())
        .bind(code)
        .bind(name)
        .bind(count + 1)
        .bind(config)
        .bind(&now)
        .fetch_one(&mut *self.tx)
        .await
        .map_err(|e| map_unique(e, "catalog entry"))?;
        let entry = self.catalog_entry(id).await?;
        self.audit(actor.event("catalog.add", kind.code(), id, None::<&()>, Some(&entry)))
            .await?;
        Ok(entry)
    }

    /// Switches an addition on or off (records that use it keep it). Audited.
    pub async fn set_catalog_entry_active(
        &mut self,
        id: i64,
        active: bool,
        actor: &Actor,
    ) -> Result<CatalogEntry> {
        let before = self.catalog_entry(id).await?;
        sqlx::query("UPDATE catalog_entries SET active = $1, updated_at = $2 WHERE id = $3")
            .bind(active)
            .bind(clock::now_text())
            .bind(id)
            .execute(&mut *self.tx)
            .await?;
        let after = self.catalog_entry(id).await?;
        self.audit(actor.event(
            "catalog.update",
            &before.kind,
            id,
            Some(&before),
            Some(&after),
        ))
        .await?;
        Ok(after)
    }

    async fn catalog_entry(&mut self, id: i64) -> Result<CatalogEntry> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM catalog_entries WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&mut *self.tx)
        .await?
        .ok_or(StorageError::NotFound("catalog entry"))?;
        from_row(&row)
    }
}
