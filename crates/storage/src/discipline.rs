//! Discipline records (执纪问责: 四种形态 and 党纪处分). Restricted personal data: the web layer
//! lets only holders of `Action::ViewDiscipline` read them; the metric layer counts them
//! without names.

use crate::orgs::Actor;
use crate::qbuild::{bind, bind_as, Where};
use crate::{Result, StorageError, Store, WriteTx};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::Row;
use zeren_domain::clock;
use zeren_domain::date::Day;
use zeren_domain::discipline::{form_label, sanction_label};
use zeren_domain::org::OrgPath;
use zeren_domain::permissions::Scope;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DisciplineRecord {
    pub id: i64,
    pub org_id: i64,
    pub org_path: OrgPath,
    pub org_code: String,
    pub org_name: String,
    pub person_name: String,
    pub member_id: Option<i64>,
    pub post: String,
    /// 1–4 (第一种形态 … 第四种形态).
    pub form: i64,
    /// '' or a sanction code.
    pub sanction: String,
    pub reason: String,
    pub decided_on: String,
    pub created_by: Option<i64>,
    pub created_at: String,
    pub updated_at: String,
    pub voided: bool,
    pub void_reason: String,
    pub voided_at: Option<String>,
    pub voided_by: Option<i64>,
}

impl DisciplineRecord {
    pub fn form_label(&self) -> &'static str {
        form_label(self.form)
    }

    pub fn sanction_label(&self) -> &'static str {
        sanction_label(&self.sanction)
    }
}

/// A new record; values already validated.
#[derive(Debug, Clone)]
pub struct NewDiscipline {
    pub org_id: i64,
    pub person_name: String,
    pub member_id: Option<i64>,
    pub post: String,
    pub form: i64,
    pub sanction: String,
    pub reason: String,
    pub decided_on: Day,
}

/// A change; `None` keeps a field (`member_id: Some(None)` removes the link to the roster).
#[derive(Debug, Clone, Default)]
pub struct DisciplineChange {
    pub person_name: Option<String>,
    pub member_id: Option<Option<i64>>,
    pub post: Option<String>,
    pub form: Option<i64>,
    pub sanction: Option<String>,
    pub reason: Option<String>,
    pub decided_on: Option<Day>,
}

#[derive(Debug, Clone)]
pub struct DisciplineFilter {
    pub scope: Scope,
    pub org: Option<OrgPath>,
    /// Decided in this year.
    pub year: Option<i32>,
    pub form: Option<i64>,
    pub voided: bool,
    pub page: i64,
    pub per_page: i64,
}

impl DisciplineFilter {
    pub fn new(scope: Scope) -> Self {
        Self {
            scope,
            org: None,
            year: None,
            form: None,
            voided: false,
            page: 1,
            per_page: 50,
        }
    }
}

#[derive(Debug, Clone)]
pub struct DisciplinePage {
    pub rows: Vec<DisciplineRecord>,
    pub total: i64,
    /// Matching rows by form (1–4), ignoring the form filter.
    pub by_form: [i64; 4],
}

const SELECT: &str = "SELECT d.id, d.org_id, d.org_path, o.code AS org_code, o.name AS org_name, \
     d.person_name, d.member_id, d.post, d.form, d.sanction, d.reason, d.decided_on, d.created_by, \
     d.created_at, d.updated_at, d.voided, d.void_reason, d.voided_at, d.voided_by \
     FROM discipline_records d JOIN orgs o ON o.id = d.org_id";

fn from_row(row: &AnyRow) -> Result<DisciplineRecord> {
    Ok(DisciplineRecord {
        id: row.try_get("id")?,
        org_id: row.try_get("org_id")?,
        org_path: OrgPath(row.try_get("org_path")?),
        org_code: row.try_get("org_code")?,
        org_name: row.try_get("org_name")?,
        person_name: row.try_get("person_name")?,
        member_id: row.try_get("member_id")?,
        post: row.try_get("post")?,
        form: row.try_get("form")?,
        sanction: row.try_get("sanction")?,
        reason: row.try_get("reason")?,
        decided_on: row.try_get("decided_on")?,
        created_by: row.try_get("created_by")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        voided: crate::get_bool(row, "voided")?,
        void_reason: row.try_get("void_reason")?,
        voided_at: row.try_get("voided_at")?,
        voided_by: row.try_get("voided_by")?,
    })
}

fn rejected(field: &'static str, message: impl Into<String>) -> StorageError {
    StorageError::Rejected {
        field,
        message: message.into(),
    }
}

fn check_form(form: i64) -> Result<()> {
    if (1..=4).contains(&form) {
        Ok(())
    } else {
        Err(rejected("form", "形态应为第一种至第四种形态"))
    }
}

impl Store {
    pub async fn discipline_record(&self, id: i64) -> Result<DisciplineRecord> {
        let row = sqlx::query(&format!("{SELECT} WHERE d.id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StorageError::NotFound("discipline record"))?;
        from_row(&row)
    }

    /// A page of records, newest decision first, with counts by form.
    pub async fn discipline_records(&self, f: &DisciplineFilter) -> Result<DisciplinePage> {
        let mut w = Where::default();
        w.scope("d.org_path", &f.scope);
        if let Some(org) = &f.org {
            let p = w.text(format!("{}%", org.as_str()));
            w.push(format!("d.org_path LIKE {p}"));
        }
        w.push(if f.voided {
            "d.voided = TRUE".into()
        } else {
            "d.voided = FALSE".into()
        });
        if let Some(y) = f.year {
            let from = w.text(format!("{y:04}-01-01"));
            let to = w.text(format!("{y:04}-12-31"));
            w.push(format!("d.decided_on >= {from} AND d.decided_on <= {to}"));
        }
        let counts: Vec<(i64, i64)> = bind_as(
            sqlx::query_as(&format!(
                "SELECT d.form, COUNT(*) FROM discipline_records d{} GROUP BY d.form",
                w.sql()
            )),
            w.args(),
        )
        .fetch_all(&self.pool)
        .await?;
        let mut by_form = [0i64; 4];
        for (form, n) in counts {
            if (1..=4).contains(&form) {
                by_form[(form - 1) as usize] += n;
            }
        }
        let total = match f.form {
            Some(form) if (1..=4).contains(&form) => by_form[(form - 1) as usize],
            Some(_) => 0,
            None => by_form.iter().sum(),
        };
        if let Some(form) = f.form {
            let p = w.int(form);
            w.push(format!("d.form = {p}"));
        }
        let per_page = f.per_page.clamp(1, 500);
        let offset = (f.page.max(1) - 1).saturating_mul(per_page);
        let limit = w.int(per_page);
        let off = w.int(offset);
        let rows = bind(
            sqlx::query(&format!(
                "{SELECT}{} ORDER BY d.decided_on DESC, d.id DESC LIMIT {limit} OFFSET {off}",
                w.sql()
            )),
            w.args(),
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(DisciplinePage {
            rows: rows.iter().map(from_row).collect::<Result<_>>()?,
            total,
            by_form,
        })
    }

    /// The organization path of a member on the roster (to link a record to the person), or
    /// `None` when there is no such member.
    pub async fn member_org_path(&self, member_id: i64) -> Result<Option<OrgPath>> {
        let row: Option<(String,)> =
            sqlx::query_as("SELECT org_path FROM members WHERE id = $1 AND voided = FALSE")
                .bind(member_id)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.map(|(p,)| OrgPath(p)))
    }
}

impl WriteTx {
    async fn discipline_row(&mut self, id: i64) -> Result<DisciplineRecord> {
        let row = sqlx::query(&format!("{SELECT} WHERE d.id = $1"))
            .bind(id)
            .fetch_optional(&mut *self.tx)
            .await?
            .ok_or(StorageError::NotFound("discipline record"))?;
        from_row(&row)
    }

    async fn check_member(&mut self, member_id: Option<i64>) -> Result<()> {
        if let Some(m) = member_id {
            let found: Option<(i64,)> =
                sqlx::query_as("SELECT id FROM members WHERE id = $1 AND voided = FALSE")
                    .bind(m)
                    .fetch_optional(&mut *self.tx)
                    .await?;
            if found.is_none() {
                return Err(rejected("member_id", "党员名册中没有该党员"));
            }
        }
        Ok(())
    }

    /// Records a discipline decision; audited (the trail's entries on these records are shown
    /// only to those who may see discipline records).
    pub async fn create_discipline(
        &mut self,
        new: NewDiscipline,
        actor: &Actor,
    ) -> Result<DisciplineRecord> {
        let (org_id, org_path) = self
            .active_org(new.org_id, "org")
            .await
            .map(|o| (o.id, o.path.0))?;
        check_form(new.form)?;
        if new.decided_on > Day::today() {
            return Err(rejected("decided_on", "决定日期不能晚于今天"));
        }
        self.check_member(new.member_id).await?;
        let now = clock::now_text();
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO discipline_records (org_id, org_path, person_name, member_id, post, form, \
             sanction, reason, decided_on, created_by, created_at, updated_at, voided, void_reason) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, FALSE, '') RETURNING id",
        )
        .bind(org_id)
        .bind(&org_path)
        .bind(&new.person_name)
        .bind(new.member_id)
        .bind(&new.post)
        .bind(new.form)
        .bind(&new.sanction)
        .bind(&new.reason)
        .bind(new.decided_on.text())
        .bind(actor.id)
        .bind(&now)
        .fetch_one(&mut *self.tx)
        .await?;
        let created = self.discipline_row(id).await?;
        self.audit(actor.event(
            "discipline.create",
            "discipline",
            id,
            None::<&()>,
            Some(&created),
        ))
        .await?;
        Ok(created)
    }

    /// Changes a record; audited.
    pub async fn update_discipline(
        &mut self,
        id: i64,
        change: DisciplineChange,
        actor: &Actor,
    ) -> Result<DisciplineRecord> {
        let before = self.discipline_row(id).await?;
        if before.voided {
            return Err(rejected("id", "该记录已作废"));
        }
        if change.decided_on.is_some_and(|d| d > Day::today()) {
            return Err(rejected("decided_on", "决定日期不能晚于今天"));
        }
        if let Some(f) = change.form {
            check_form(f)?;
        }
        let member_id = change.member_id.unwrap_or(before.member_id);
        self.check_member(member_id).await?;
        sqlx::query(
            "UPDATE discipline_records SET person_name = $1, member_id = $2, post = $3, form = $4, \
             sanction = $5, reason = $6, decided_on = $7, updated_at = $8 WHERE id = $9",
        )
        .bind(change.person_name.as_deref().unwrap_or(&before.person_name))
        .bind(member_id)
        .bind(change.post.as_deref().unwrap_or(&before.post))
        .bind(change.form.unwrap_or(before.form))
        .bind(change.sanction.as_deref().unwrap_or(&before.sanction))
        .bind(change.reason.as_deref().unwrap_or(&before.reason))
        .bind(
            change
                .decided_on
                .map(|d| d.text())
                .unwrap_or_else(|| before.decided_on.clone()),
        )
        .bind(clock::now_text())
        .bind(id)
        .execute(&mut *self.tx)
        .await?;
        let after = self.discipline_row(id).await?;
        self.audit(actor.event(
            "discipline.update",
            "discipline",
            id,
            Some(&before),
            Some(&after),
        ))
        .await?;
        Ok(after)
    }

    /// Voids a record with a reason (never deleted); audited.
    pub async fn void_discipline(
        &mut self,
        id: i64,
        reason: &str,
        actor: &Actor,
    ) -> Result<DisciplineRecord> {
        let before = self.discipline_row(id).await?;
        if before.voided {
            return Err(rejected("id", "该记录已作废"));
        }
        let now = clock::now_text();
        sqlx::query(
            "UPDATE discipline_records SET voided = TRUE, void_reason = $1, voided_at = $2, \
             voided_by = $3, updated_at = $2 WHERE id = $4",
        )
        .bind(reason)
        .bind(&now)
        .bind(actor.id)
        .bind(id)
        .execute(&mut *self.tx)
        .await?;
        let after = self.discipline_row(id).await?;
        self.audit(actor.event(
            "discipline.void",
            "discipline",
            id,
            Some(&before),
            Some(&after),
        ))
        .await?;
        Ok(after)
    }
}
