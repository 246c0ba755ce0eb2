//! Reports (报告): drafts kept as numbered versions, and report templates (报告模板).
//!
//! The storage layer keeps a draft as opaque JSON (the reports crate's `Draft`): what a draft
//! says is the reports crate's business, that every version is kept and audited is this one's.

use crate::orgs::Actor;
use crate::qbuild::{bind, bind_as, Where};
use crate::{Result, StorageError, Store, WriteTx};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::Row;
use zeren_domain::clock;
use zeren_domain::date::Day;
use zeren_domain::org::OrgPath;
use zeren_domain::permissions::Scope;

/// A report of an organization over a period, at its latest version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    pub id: i64,
    pub org_id: i64,
    pub org_path: OrgPath,
    pub org_code: String,
    pub org_name: String,
    /// annual | accountability | self_inspection | quarterly
    pub kind: String,
    pub template_code: String,
    pub period_from: String,
    pub period_to: String,
    /// 述责述廉: the leader whose portfolio the report covers.
    pub subject_account_id: Option<i64>,
    pub title: String,
    pub version: i64,
    pub created_by: Option<i64>,
    pub created_at: String,
    pub updated_at: String,
    pub voided: bool,
    pub void_reason: String,
}

/// One saved version of a report's draft.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReportVersion {
    pub report_id: i64,
    pub version: i64,
    /// JSON of the draft.
    pub body: String,
    pub note: String,
    pub created_by: Option<i64>,
    pub created_by_name: Option<String>,
    pub created_at: String,
}

#[derive(Debug, Clone)]
pub struct NewReport {
    pub org_id: i64,
    pub kind: String,
    pub template_code: String,
    pub period_from: Day,
    pub period_to: Day,
    pub subject_account_id: Option<i64>,
    pub title: String,
    pub body: String,
}

#[derive(Debug, Clone)]
pub struct ReportFilter {
    pub scope: Scope,
    pub org: Option<OrgPath>,
    pub kind: Option<String>,
    pub page: i64,
    pub per_page: i64,
}

impl ReportFilter {
    pub fn new(scope: Scope) -> Self {
        Self {
            scope,
            org: None,
            kind: None,
            page: 1,
            per_page: 50,
        }
    }
}

#[derive(Debug, Clone)]
pub struct ReportPage {
    pub rows: Vec<Report>,
    pub total: i64,
}

/// A report template (报告模板): built-in ones are stored on first use, an administrator edits
/// them or adds his own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReportTemplate {
    pub id: i64,
    pub code: String,
    pub kind: String,
    pub name: String,
    pub source: String,
    pub active: bool,
    pub created_by: Option<i64>,
    pub created_at: String,
    pub updated_at: String,
}

const SELECT: &str = "SELECT r.id, r.org_id, r.org_path, o.code AS org_code, o.name AS org_name, \
     r.kind, r.template_code, r.period_from, r.period_to, r.subject_account_id, r.title, r.version, \
     r.created_by, r.created_at, r.updated_at, r.voided, r.void_reason \
     FROM reports r JOIN orgs o ON o.id = r.org_id";

fn report_from_row(row: &AnyRow) -> Result<Report> {
    Ok(Report {
        id: row.try_get("id")?,
        org_id: row.try_get("org_id")?,
        org_path: OrgPath(row.try_get("org_path")?),
        org_code: row.try_get("org_code")?,
        org_name: row.try_get("org_name")?,
        kind: row.try_get("kind")?,
        template_code: row.try_get("template_code")?,
        period_from: row.try_get("period_from")?,
        period_to: row.try_get("period_to")?,
        subject_account_id: row.try_get("subject_account_id")?,
        title: row.try_get("title")?,
        version: row.try_get("version")?,
        created_by: row.try_get("created_by")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        voided: crate::get_bool(row, "voided")?,
        void_reason: row.try_get("void_reason")?,
    })
}

const VERSION_SELECT: &str = "SELECT v.report_id, v.version, v.body, v.note, v.created_by, \
     a.display_name AS created_by_name, v.created_at \
     FROM report_versions v LEFT JOIN accounts a ON a.id = v.created_by";

fn version_from_row(row: &AnyRow) -> Result<ReportVersion> {
    Ok(ReportVersion {
        report_id: row.try_get("report_id")?,
        version: row.try_get("version")?,
        body: row.try_get("body")?,
        note: row.try_get("note")?,
        created_by: row.try_get("created_by")?,
        created_by_name: row.try_get("created_by_name")?,
        created_at: row.try_get("created_at")?,
    })
}

const TEMPLATE_SELECT: &str = "SELECT id, code, kind, name, source, active, created_by, \
     created_at, updated_at FROM report_templates";

fn template_from_row(row: &AnyRow) -> Result<ReportTemplate> {
    Ok(ReportTemplate {
        id: row.try_get("id")?,
        code: row.try_get("code")?,
        kind: row.try_get("kind")?,
        name: row.try_get("name")?,
        source: row.try_get("source")?,
        active: crate::get_bool(row, "active")?,
        created_by: row.try_get("created_by")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

fn rejected(field: &'static str, message: impl Into<String>) -> StorageError {
    StorageError::Rejected {
        field,
        message: message.into(),
    }
}

impl Store {
    pub async fn report(&self, id: i64) -> Result<Report> {
        let row = sqlx::query(&format!("{SELECT} WHERE r.id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StorageError::NotFound("report"))?;
        report_from_row(&row)
    }

    /// A page of reports in scope, newest first.
    pub async fn reports(&self, f: &ReportFilter) -> Result<ReportPage> {
        let mut w = Where::default();
        w.scope("r.org_path", &f.scope);
        if let Some(org) = &f.org {
            let p = w.text(format!("{}%", org.as_str()));
            w.push(format!("r.org_path LIKE {p}"));
        }
        w.push("r.voided = FALSE".into());
        if let Some(kind) = &f.kind {
            if !crate::storable(kind) {
                return Ok(ReportPage {
                    rows: Vec::new(),
                    total: 0,
                });
            }
            let p = w.text(kind.clone());
            w.push(format!("r.kind = {p}"));
        }
        let (total,): (i64,) = bind_as(
            sqlx::query_as(&format!("SELECT COUNT(*) FROM reports r{}", w.sql())),
            w.args(),
        )
        .fetch_one(&self.pool)
        .await?;
        let per_page = f.per_page.clamp(1, 500);
        let offset = (f.page.max(1) - 1).saturating_mul(per_page);
        let limit = w.int(per_page);
        let off = w.int(offset);
        let rows = bind(
            sqlx::query(&format!(
                "{SELECT}{} ORDER BY r.updated_at DESC, r.id DESC LIMIT {limit} OFFSET {off}",
                w.sql()
            )),
            w.args(),
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(ReportPage {
            rows: rows.iter().map(report_from_row).collect::<Result<_>>()?,
            total,
        })
    }

    /// One version of a report's draft (the latest when `version` is `None`).
    pub async fn report_version(&self, id: i64, version: Option<i64>) -> Result<ReportVersion> {
        let row = match version {
            Some(v) => {
                sqlx::query(&format!(
                    "{VERSION_SELECT} WHERE v.report_id = $1 AND v.version = $2"
                ))
                .bind(id)
                .bind(v)
                .fetch_optional(&self.pool)
                .await?
            }
            None => {
                sqlx::query(&format!(
                    "{VERSION_SELECT} WHERE v.report_id = $1 ORDER BY v.version DESC LIMIT 1"
                ))
                .bind(id)
                .fetch_optional(&self.pool)
                .await?
            }
        };
        version_from_row(&row.ok_or(StorageError::NotFound("report version"))?)
    }

    /// Every version of a report, newest first.
    pub async fn report_versions(&self, id: i64) -> Result<Vec<ReportVersion>> {
        let rows = sqlx::query(&format!(
            "{VERSION_SELECT} WHERE v.report_id = $1 ORDER BY v.version DESC"
        ))
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(version_from_row).collect()
    }

    pub async fn report_templates(&self) -> Result<Vec<ReportTemplate>> {
        let rows = sqlx::query(&format!("{TEMPLATE_SELECT} ORDER BY id"))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(template_from_row).collect()
    }

    pub async fn report_template(&self, code: &str) -> Result<Option<ReportTemplate>> {
        // A code PostgreSQL cannot even compare (a NUL byte) names no template.
        if !crate::storable(code) {
            return Ok(None);
        }
        let row = sqlx::query(&format!("{TEMPLATE_SELECT} WHERE code = $1"))
            .bind(code)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(template_from_row).transpose()
    }
}

impl WriteTx {
    async fn report_row(&mut self, id: i64) -> Result<Report> {
        let row = sqlx::query(&format!("{SELECT} WHERE r.id = $1"))
            .bind(id)
            .fetch_optional(&mut *self.tx)
            .await?
            .ok_or(StorageError::NotFound("report"))?;
        report_from_row(&row)
    }

    async fn insert_version(
        &mut self,
        id: i64,
        version: i64,
        body: &str,
        note: &str,
        actor: &Actor,
        now: &str,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO report_versions (report_id, version, body, note, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id)
        .bind(version)
        .bind(body)
        .bind(note)
        .bind(actor.id)
        .bind(now)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// Saves a newly drafted report as its version 1; audited.
    pub async fn create_report(&mut self, new: NewReport, actor: &Actor) -> Result<Report> {
        let org = self.active_org(new.org_id, "org").await?;
        if new.period_from > new.period_to {
            return Err(rejected("from", "起始日期不能晚于截止日期"));
        }
        let now = clock::now_text();
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO reports (org_id, org_path, kind, template_code, period_from, period_to, \
             subject_account_id, title, version, created_by, created_at, updated_at, voided, \
             void_reason) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9, $10, $10, FALSE, '') \
             RETURNING id",
        )
        .bind(org.id)
        .bind(org.path.as_str())
        .bind(&new.kind)
        .bind(&new.template_code)
        .bind(new.period_from.text())
        .bind(new.period_to.text())
        .bind(new.subject_account_id)
        .bind(&new.title)
        .bind(actor.id)
        .bind(&now)
        .fetch_one(&mut *self.tx)
        .await?;
        self.insert_version(id, 1, &new.body, "生成初稿", actor, &now)
            .await?;
        let created = self.report_row(id).await?;
        self.audit(actor.event("report.create", "report", id, None::<&()>, Some(&created)))
            .await?;
        Ok(created)
    }

    /// Saves a new version of a live report's draft. `expected` is the version the user edited:
    /// when someone saved in between, the save is refused rather than overwriting their work.
    pub async fn save_report_version(
        &mut self,
        id: i64,
        expected: i64,
        title: &str,
        body: &str,
        note: &str,
        actor: &Actor,
    ) -> Result<ReportVersion> {
        let before = self.report_row(id).await?;
        if before.voided {
            return Err(rejected("id", "该报告已作废"));
        }
        if before.version != expected {
            return Err(rejected(
                "version",
                format!(
                    "该报告已由他人保存为第{}版，请刷新后在最新版本上修改",
                    before.version
                ),
            ));
        }
        let now = clock::now_text();
        let version = before.version + 1;
        self.insert_version(id, version, body, note, actor, &now)
            .await?;
        sqlx::query("UPDATE reports SET version = $1, title = $2, updated_at = $3 WHERE id = $4")
            .bind(version)
            .bind(title)
            .bind(&now)
            .bind(id)
            .execute(&mut *self.tx)
            .await?;
        let after = self.report_row(id).await?;
        let event = serde_json::json!({ "report": after, "note": note });
        self.audit(actor.event("report.save", "report", id, Some(&before), Some(&event)))
            .await?;
        let row = sqlx::query(&format!(
            "{VERSION_SELECT} WHERE v.report_id = $1 AND v.version = $2"
        ))
        .bind(id)
        .bind(version)
        .fetch_one(&mut *self.tx)
        .await?;
        version_from_row(&row)
    }

    /// Voids a report with a reason (never deleted); audited.
    pub async fn void_report(&mut self, id: i64, reason: &str, actor: &Actor) -> Result<Report> {
        let before = self.report_row(id).await?;
        if before.voided {
            return Err(rejected("id", "该报告已作废"));
        }
        let now = clock::now_text();
        sqlx::query(
            "UPDATE reports SET voided = TRUE, void_reason = $1, voided_at = $2, voided_by = $3, \
             updated_at = $2 WHERE id = $4",
        )
        .bind(reason)
        .bind(&now)
        .bind(actor.id)
        .bind(id)
        .execute(&mut *self.tx)
        .await?;
        let after = self.report_row(id).await?;
        self.audit(actor.event("report.void", "report", id, Some(&before), Some(&after)))
            .await?;
        Ok(after)
    }

    /// Creates or changes a template by its code; audited with before/after.
    pub async fn save_report_template(
        &mut self,
        code: &str,
        kind: &str,
        name: &str,
        source: &str,
        actor: &Actor,
    ) -> Result<ReportTemplate> {
        let now = clock::now_text();
        let before = sqlx::query(&format!("{TEMPLATE_SELECT} WHERE code = $1"))
            .bind(code)
            .fetch_optional(&mut *self.tx)
            .await?
            .as_ref()
            .map(template_from_row)
            .transpose()?;
        if before.is_some() {
            sqlx::query(
                "UPDATE report_templates SET kind = $1, name = $2, source = $3, updated_at = $4 \
                 WHERE code = $5",
            )
            .bind(kind)
            .bind(name)
            .bind(source)
            .bind(&now)
            .bind(code)
            .execute(&mut *self.tx)
            .await?;
        } else {
            sqlx::query(
                "INSERT INTO report_templates (code, kind, name, source, active, created_by, \
                 created_at, updated_at) VALUES ($1, $2, $3, $4, TRUE, $5, $6, $6)",
            )
            .bind(code)
            .bind(kind)
            .bind(name)
            .bind(source)
            .bind(actor.id)
            .bind(&now)
            .execute(&mut *self.tx)
            .await?;
        }
        let after = template_from_row(
            &sqlx::query(&format!("{TEMPLATE_SELECT} WHERE code = $1"))
                .bind(code)
                .fetch_one(&mut *self.tx)
                .await?,
        )?;
        self.audit(actor.event(
            "report_template.save",
            "report_template",
            after.id,
            before.as_ref(),
            Some(&after),
        ))
        .await?;
        Ok(after)
    }
}
