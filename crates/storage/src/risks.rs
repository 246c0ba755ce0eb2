//! Integrity risk points (廉政风险点) of a unit, a post or a person, with their control
//! measures (防控措施) and the yearly review.

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
use zeren_domain::risks::{RiskLevel, SubjectKind};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RiskPoint {
    pub id: i64,
    pub org_id: i64,
    pub org_path: OrgPath,
    pub org_code: String,
    pub org_name: String,
    pub subject_kind: SubjectKind,
    /// The unit, post (e.g. 村报账员) or person concerned.
    pub subject: String,
    pub description: String,
    pub level: RiskLevel,
    /// 1–5 each, when the level comes from a likelihood × impact score.
    pub likelihood: Option<i64>,
    pub impact: Option<i64>,
    pub identified_on: String,
    pub reviewed_on: Option<String>,
    pub created_by: Option<i64>,
    pub created_at: String,
    pub updated_at: String,
    pub voided: bool,
    pub void_reason: String,
    pub voided_at: Option<String>,
    pub voided_by: Option<i64>,
    /// Live control measures.
    pub measures: i64,
}

impl RiskPoint {
    /// Not reviewed (or identified) within the last year: the yearly review is due.
    pub fn review_due(&self, today: Day) -> bool {
        let last = self.reviewed_on.as_deref().unwrap_or(&self.identified_on);
        Day::from_stored(last).is_none_or(|d| (today.date() - d.date()).whole_days() > 365)
    }

    /// likelihood × impact, when scored.
    pub fn score(&self) -> Option<i64> {
        Some(self.likelihood? * self.impact?)
    }
}

/// A control measure (防控措施).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RiskMeasure {
    pub id: i64,
    pub risk_id: i64,
    pub description: String,
    pub owner: String,
    pub created_by: Option<i64>,
    pub created_at: String,
    pub voided: bool,
    pub void_reason: String,
    pub voided_at: Option<String>,
    pub voided_by: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct NewRiskMeasure {
    pub description: String,
    pub owner: String,
}

/// A new risk point; values already validated (the level agrees with the scores).
#[derive(Debug, Clone)]
pub struct NewRisk {
    pub org_id: i64,
    pub subject_kind: SubjectKind,
    pub subject: String,
    pub description: String,
    pub level: RiskLevel,
    pub likelihood: Option<i64>,
    pub impact: Option<i64>,
    pub identified_on: Day,
    pub measures: Vec<NewRiskMeasure>,
}

/// A change to a risk point; `None` keeps a field. `level` sets the level with its scores.
#[derive(Debug, Clone, Default)]
pub struct RiskChange {
    pub subject_kind: Option<SubjectKind>,
    pub subject: Option<String>,
    pub description: Option<String>,
    pub level: Option<(RiskLevel, Option<i64>, Option<i64>)>,
    pub identified_on: Option<Day>,
}

#[derive(Debug, Clone)]
pub struct RiskFilter {
    pub scope: Scope,
    pub org: Option<OrgPath>,
    /// Identified in this year.
    pub year: Option<i32>,
    pub kind: Option<SubjectKind>,
    pub level: Option<RiskLevel>,
    pub voided: bool,
    pub page: i64,
    pub per_page: i64,
}

impl RiskFilter {
    pub fn new(scope: Scope) -> Self {
        Self {
            scope,
            org: None,
            year: None,
            kind: None,
            level: None,
            voided: false,
            page: 1,
            per_page: 50,
        }
    }
}

#[derive(Debug, Clone)]
pub struct RiskPage {
    pub rows: Vec<RiskPoint>,
    pub total: i64,
}

const SELECT: &str = "SELECT r.id, r.org_id, r.org_path, o.code AS org_code, o.name AS org_name, \
     r.subject_kind, r.subject, r.description, r.level, r.likelihood, r.impact, r.identified_on, \
     r.reviewed_on, r.created_by, r.created_at, r.updated_at, r.voided, r.void_reason, r.voided_at, \
     r.voided_by, \
     (SELECT COUNT(*) FROM risk_measures m WHERE m.risk_id = r.id AND m.voided = FALSE) AS n_measures \
     FROM risk_points r JOIN orgs o ON o.id = r.org_id";

fn risk_from_row(row: &AnyRow) -> Result<RiskPoint> {
    let kind: String = row.try_get("subject_kind")?;
    let level: String = row.try_get("level")?;
    Ok(RiskPoint {
        id: row.try_get("id")?,
        org_id: row.try_get("org_id")?,
        org_path: OrgPath(row.try_get("org_path")?),
        org_code: row.try_get("org_code")?,
        org_name: row.try_get("org_name")?,
        subject_kind: SubjectKind::parse(&kind).unwrap_or(SubjectKind::Unit),
        subject: row.try_get("subject")?,
        description: row.try_get("description")?,
        level: RiskLevel::parse(&level).unwrap_or(RiskLevel::High),
        likelihood: row.try_get("likelihood")?,
        impact: row.try_get("impact")?,
        identified_on: row.try_get("identified_on")?,
        reviewed_on: row.try_get("reviewed_on")?,
        created_by: row.try_get("created_by")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        voided: crate::get_bool(row, "voided")?,
        void_reason: row.try_get("void_reason")?,
        voided_at: row.try_get("voided_at")?,
        voided_by: row.try_get("voided_by")?,
        measures: row.try_get("n_measures")?,
    })
}

const MEASURE_SELECT: &str = "SELECT id, risk_id, description, owner, created_by, created_at, \
     voided, void_reason, voided_at, voided_by FROM risk_measures";

fn measure_from_row(row: &AnyRow) -> Result<RiskMeasure> {
    Ok(RiskMeasure {
        id: row.try_get("id")?,
        risk_id: row.try_get("risk_id")?,
        description: row.try_get("description")?,
        owner: row.try_get("owner")?,
        created_by: row.try_get("created_by")?,
        created_at: row.try_get("created_at")?,
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

impl Store {
    pub async fn risk(&self, id: i64) -> Result<RiskPoint> {
        let row = sqlx::query(&format!("{SELECT} WHERE r.id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StorageError::NotFound("risk"))?;
        risk_from_row(&row)
    }

    /// A page of the register (high risks first) and the number of matching rows.
    pub async fn risks(&self, f: &RiskFilter) -> Result<RiskPage> {
        let mut w = Where::default();
        w.scope("r.org_path", &f.scope);
        if let Some(org) = &f.org {
            let p = w.text(format!("{}%", org.as_str()));
            w.push(format!("r.org_path LIKE {p}"));
        }
        w.push(if f.voided {
            "r.voided = TRUE".into()
        } else {
            "r.voided = FALSE".into()
        });
        if let Some(y) = f.year {
            let from = w.text(format!("{y:04}-01-01"));
            let to = w.text(format!("{y:04}-12-31"));
            w.push(format!(
                "r.identified_on >= {from} AND r.identified_on <= {to}"
            ));
        }
        if let Some(k) = f.kind {
            let p = w.text(k.code());
            w.push(format!("r.subject_kind = {p}"));
        }
        if let Some(l) = f.level {
            let p = w.text(l.code());
            w.push(format!("r.level = {p}"));
        }
        let (total,): (i64,) = bind_as(
            sqlx::query_as(&format!("SELECT COUNT(*) FROM risk_points r{}", w.sql())),
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
                "{SELECT}{} ORDER BY CASE r.level WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END, \
                 r.id LIMIT {limit} OFFSET {off}",
                w.sql()
            )),
            w.args(),
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(RiskPage {
            rows: rows.iter().map(risk_from_row).collect::<Result<_>>()?,
            total,
        })
    }

    /// A risk point's control measures, oldest first; voided ones only when asked.
    pub async fn risk_measures(&self, risk_id: i64, with_voided: bool) -> Result<Vec<RiskMeasure>> {
        let rows = sqlx::query(&format!(
            "{MEASURE_SELECT} WHERE risk_id = $1{} ORDER BY id",
            if with_voided {
                ""
            } else {
                " AND voided = FALSE"
            }
        ))
        .bind(risk_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(measure_from_row).collect()
    }

    /// The live control measures of many risk points (for workbooks), by risk, oldest first.
    pub async fn measures_of_risks(&self, ids: &[i64]) -> Result<Vec<RiskMeasure>> {
        let mut out = Vec::new();
        for chunk in ids.chunks(500) {
            let list = chunk
                .iter()
                .map(|i| i.to_string())
                .collect::<Vec<_>>()
                .join(",");
            let rows = sqlx::query(&format!(
                "{MEASURE_SELECT} WHERE risk_id IN ({list}) AND voided = FALSE ORDER BY risk_id, id"
            ))
            .fetch_all(&self.pool)
            .await?;
            for r in &rows {
                out.push(measure_from_row(r)?);
            }
        }
        Ok(out)
    }

    pub async fn risk_measure(&self, id: i64) -> Result<RiskMeasure> {
        let row = sqlx::query(&format!("{MEASURE_SELECT} WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StorageError::NotFound("risk measure"))?;
        measure_from_row(&row)
    }
}

impl WriteTx {
    async fn risk_row(&mut self, id: i64) -> Result<RiskPoint> {
        let row = sqlx::query(&format!("{SELECT} WHERE r.id = $1"))
            .bind(id)
            .fetch_optional(&mut *self.tx)
            .await?
            .ok_or(StorageError::NotFound("risk"))?;
        risk_from_row(&row)
    }

    async fn risk_measure_row(&mut self, id: i64) -> Result<RiskMeasure> {
        let row = sqlx::query(&format!("{MEASURE_SELECT} WHERE id = $1"))
            .bind(id)
            .fetch_optional(&mut *self.tx)
            .await?
            .ok_or(StorageError::NotFound("risk measure"))?;
        measure_from_row(&row)
    }

    async fn live_risk(&mut self, id: i64) -> Result<RiskPoint> {
        let r = self.risk_row(id).await?;
        if r.voided {
            return Err(rejected("id", "该风险点已作废"));
        }
        Ok(r)
    }

    async fn insert_risk_measure(
        &mut self,
        risk_id: i64,
        m: NewRiskMeasure,
        actor: &Actor,
    ) -> Result<RiskMeasure> {
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO risk_measures (risk_id, description, owner, created_by, created_at, voided, \
             void_reason) VALUES ($1, $2, $3, $4, $5, FALSE, '') RETURNING id",
        )
        .bind(risk_id)
        .bind(&m.description)
        .bind(&m.owner)
        .bind(actor.id)
        .bind(clock::now_text())
        .fetch_one(&mut *self.tx)
        .await?;
        let created = self.risk_measure_row(id).await?;
        self.audit(actor.event(
            "risk_measure.create",
            "risk_measure",
            id,
            None::<&()>,
            Some(&created),
        ))
        .await?;
        Ok(created)
    }

    /// Records a risk point with its control measures; audited.
    pub async fn create_risk(&mut self, new: NewRisk, actor: &Actor) -> Result<RiskPoint> {
        let (org_id, org_path) = self
            .active_org(new.org_id, "org")
            .await
            .map(|o| (o.id, o.path.0))?;
        if new.identified_on > Day::today() {
            return Err(rejected("identified_on", "识别日期不能晚于今天"));
        }
        let now = clock::now_text();
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO risk_points (org_id, org_path, subject_kind, subject, description, level, \
             likelihood, impact, identified_on, created_by, created_at, updated_at, voided, void_reason) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, FALSE, '') RETURNING id",
        )
        .bind(org_id)
        .bind(&org_path)
        .bind(new.subject_kind.code())
        .bind(&new.subject)
        .bind(&new.description)
        .bind(new.level.code())
        .bind(new.likelihood)
        .bind(new.impact)
        .bind(new.identified_on.text())
        .bind(actor.id)
        .bind(&now)
        .fetch_one(&mut *self.tx)
        .await?;
        let created = self.risk_row(id).await?;
        self.audit(actor.event("risk.create", "risk", id, None::<&()>, Some(&created)))
            .await?;
        for m in new.measures {
            self.insert_risk_measure(id, m, actor).await?;
        }
        self.risk_row(id).await
    }

    /// Changes a risk point; audited.
    pub async fn update_risk(
        &mut self,
        id: i64,
        change: RiskChange,
        actor: &Actor,
    ) -> Result<RiskPoint> {
        let before = self.live_risk(id).await?;
        if change.identified_on.is_some_and(|d| d > Day::today()) {
            return Err(rejected("identified_on", "识别日期不能晚于今天"));
        }
        let (level, likelihood, impact) =
            change
                .level
                .unwrap_or((before.level, before.likelihood, before.impact));
        sqlx::query(
            "UPDATE risk_points SET subject_kind = $1, subject = $2, description = $3, level = $4, \
             likelihood = $5, impact = $6, identified_on = $7, updated_at = $8 WHERE id = $9",
        )
        .bind(change.subject_kind.unwrap_or(before.subject_kind).code())
        .bind(change.subject.as_deref().unwrap_or(&before.subject))
        .bind(change.description.as_deref().unwrap_or(&before.description))
        .bind(level.code())
        .bind(likelihood)
        .bind(impact)
        .bind(
            change
                .identified_on
                .map(|d| d.text())
                .unwrap_or_else(|| before.identified_on.clone()),
        )
        .bind(clock::now_text())
        .bind(id)
        .execute(&mut *self.tx)
        .await?;
        let after = self.risk_row(id).await?;
        self.audit(actor.event("risk.update", "risk", id, Some(&before), Some(&after)))
            .await?;
        Ok(after)
    }

    /// The yearly review (年度复核): sets the day reviewed; audited.
    pub async fn review_risk(&mut self, id: i64, on: Day, actor: &Actor) -> Result<RiskPoint> {
        let before = self.live_risk(id).await?;
        if on > Day::today() {
            return Err(rejected("date", "复核日期不能晚于今天"));
        }
        if Day::from_stored(&before.identified_on).is_some_and(|d| on < d) {
            return Err(rejected("date", "复核日期不能早于识别日期"));
        }
        sqlx::query("UPDATE risk_points SET reviewed_on = $1, updated_at = $2 WHERE id = $3")
            .bind(on.text())
            .bind(clock::now_text())
            .bind(id)
            .execute(&mut *self.tx)
            .await?;
        let after = self.risk_row(id).await?;
        self.audit(actor.event("risk.review", "risk", id, Some(&before), Some(&after)))
            .await?;
        Ok(after)
    }

    /// Voids a risk point with a reason (never deleted); audited.
    pub async fn void_risk(&mut self, id: i64, reason: &str, actor: &Actor) -> Result<RiskPoint> {
        let before = self.live_risk(id).await?;
        let now = clock::now_text();
        sqlx::query(
            "UPDATE risk_points SET voided = TRUE, void_reason = $1, voided_at = $2, voided_by = $3, \
             updated_at = $2 WHERE id = $4",
        )
        .bind(reason)
        .bind(&now)
        .bind(actor.id)
        .bind(id)
        .execute(&mut *self.tx)
        .await?;
        let after = self.risk_row(id).await?;
        self.audit(actor.event("risk.void", "risk", id, Some(&before), Some(&after)))
            .await?;
        Ok(after)
    }

    /// Adds a control measure to a live risk point; audited.
    pub async fn add_risk_measure(
        &mut self,
        risk_id: i64,
        m: NewRiskMeasure,
        actor: &Actor,
    ) -> Result<RiskMeasure> {
        self.live_risk(risk_id).await?;
        self.insert_risk_measure(risk_id, m, actor).await
    }

    /// Voids a control measure with a reason; audited.
    pub async fn void_risk_measure(
        &mut self,
        id: i64,
        reason: &str,
        actor: &Actor,
    ) -> Result<RiskMeasure> {
        let before = self.risk_measure_row(id).await?;
        if before.voided {
            return Err(rejected("id", "该防控措施已作废"));
        }
        self.live_risk(before.risk_id).await?;
        sqlx::query(
            "UPDATE risk_measures SET voided = TRUE, void_reason = $1, voided_at = $2, voided_by = $3 \
             WHERE id = $4",
        )
        .bind(reason)
        .bind(clock::now_text())
        .bind(actor.id)
        .bind(id)
        .execute(&mut *self.tx)
        .await?;
        let after = self.risk_measure_row(id).await?;
        self.audit(actor.event(
            "risk_measure.void",
            "risk_measure",
            id,
            Some(&before),
            Some(&after),
        ))
        .await?;
        Ok(after)
    }
}
