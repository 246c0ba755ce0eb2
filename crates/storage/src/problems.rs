//! Problems and rectification (问题整改台账): problems with their measures (整改措施), the
//! batches one inspection's findings arrive in, status moves decided by
//! [`zeren_domain::problems::apply`], and each problem's history (`problem_events`).
//!
//! Lists are one query for the page and one grouped count, whatever the filters: the counts a
//! row shows (measures, open and overdue measures, evidence) are computed for the page's rows
//! only.

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
use zeren_domain::problems::{
    self as rules, event_label, MeasureStatus, MoveContext, ProblemStatus, Transition,
};

/// A problem as the ledger shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub id: i64,
    pub org_id: i64,
    pub org_path: OrgPath,
    pub org_code: String,
    pub org_name: String,
    /// The inspection's feedback it arrived with, if any.
    pub batch_id: Option<i64>,
    /// The work record (专项监督, 党建巡查 …) that found it, if any.
    pub record_id: Option<i64>,
    pub source_code: String,
    pub source_name: String,
    pub category: String,
    pub description: String,
    pub found_on: String,
    pub status: ProblemStatus,
    pub submitted_by: Option<i64>,
    pub submitted_by_name: String,
    pub submitted_at: Option<String>,
    pub closed_by: Option<i64>,
    pub closed_by_name: String,
    pub closed_on: Option<String>,
    pub close_note: String,
    pub created_by: Option<i64>,
    pub created_at: String,
    pub updated_at: String,
    pub voided: bool,
    pub void_reason: String,
    pub voided_at: Option<String>,
    pub voided_by: Option<i64>,
    /// Live measures.
    pub measures: i64,
    pub open_measures: i64,
    /// Open measures whose deadline has passed (as of the day the row was read).
    pub overdue_measures: i64,
    /// Live evidence files on the problem and its live measures.
    pub evidence: i64,
}

/// One inspection's feedback (e.g. 区委第二巡察组反馈意见), entered together.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProblemBatch {
    pub id: i64,
    pub org_id: i64,
    pub org_path: OrgPath,
    pub org_code: String,
    pub org_name: String,
    pub source_code: String,
    pub source_name: String,
    pub title: String,
    pub received_on: String,
    pub created_by: Option<i64>,
    pub created_at: String,
    pub voided: bool,
    pub void_reason: String,
    /// Live problems of the batch.
    pub problems: i64,
    /// Of which closed (已销号).
    pub closed: i64,
}

/// A rectification measure (整改措施).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Measure {
    pub id: i64,
    pub problem_id: i64,
    pub description: String,
    pub owner_account_id: Option<i64>,
    /// The owner's username, when the owner is an account.
    pub owner_username: Option<String>,
    /// The name typed for an owner without an account.
    pub owner_name: String,
    pub deadline: String,
    pub status: MeasureStatus,
    pub done_on: Option<String>,
    pub note: String,
    pub created_by: Option<i64>,
    pub created_at: String,
    pub updated_at: String,
    pub voided: bool,
    pub void_reason: String,
    pub voided_at: Option<String>,
    pub voided_by: Option<i64>,
    /// The account's display name, or the typed name.
    pub owner_display: String,
}

impl Measure {
    /// Open and past its deadline on `today`.
    pub fn is_overdue(&self, today: Day) -> bool {
        !self.voided && self.status == MeasureStatus::Open && self.deadline < today.text()
    }
}

/// An entry of a problem's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProblemEvent {
    pub id: i64,
    pub problem_id: i64,
    pub kind: String,
    pub on_date: String,
    pub note: String,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub created_at: String,
}

impl ProblemEvent {
    pub fn label(&self) -> &'static str {
        event_label(&self.kind)
    }
}

/// An overdue measure with the problem and organization it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OverdueMeasure {
    pub measure: Measure,
    pub problem_description: String,
    pub problem_status: ProblemStatus,
    pub org_id: i64,
    pub org_code: String,
    pub org_name: String,
    /// Days since the deadline.
    pub days_overdue: i64,
}

/// A new measure; values already validated.
#[derive(Debug, Clone)]
pub struct NewMeasure {
    pub description: String,
    pub owner_account_id: Option<i64>,
    pub owner_name: String,
    pub deadline: Day,
}

/// A new problem; values already validated.
#[derive(Debug, Clone)]
pub struct NewProblem {
    pub org_id: i64,
    /// Ignored inside a batch (the batch's source counts).
    pub source_code: String,
    pub category: String,
    pub description: String,
    pub found_on: Day,
    pub record_id: Option<i64>,
    pub measures: Vec<NewMeasure>,
}

/// One inspection's findings, entered together.
#[derive(Debug, Clone)]
pub struct NewBatch {
    pub org_id: i64,
    pub source_code: String,
    pub title: String,
    pub received_on: Day,
    pub problems: Vec<NewProblem>,
}

/// A change to a problem's description fields; `None` keeps a field.
#[derive(Debug, Clone, Default)]
pub struct ProblemChange {
    pub source_code: Option<String>,
    pub category: Option<String>,
    pub description: Option<String>,
    pub found_on: Option<Day>,
}

/// A change to a measure; `None` keeps a field. `owner` replaces both owner fields.
#[derive(Debug, Clone, Default)]
pub struct MeasureChange {
    pub description: Option<String>,
    pub owner: Option<(Option<i64>, String)>,
    pub deadline: Option<Day>,
}

/// What the ledger lists.
#[derive(Debug, Clone)]
pub struct ProblemFilter {
    /// What the reader may see (the roots of their ViewOrgs scope).
    pub scope: Scope,
    /// This organization's subtree only.
    pub org: Option<OrgPath>,
    pub source: Option<String>,
    /// Any of these sources (in addition to `source`, when both are given).
    pub sources: Vec<String>,
    /// Found on or after this day.
    pub found_from: Option<Day>,
    /// Found on or before this day.
    pub found_to: Option<Day>,
    pub status: Option<ProblemStatus>,
    pub batch_id: Option<i64>,
    /// Problems with an open measure past its deadline.
    pub overdue_only: bool,
    /// Problems with a live measure owned by this account (with `overdue_only`: an overdue
    /// one), for "my measures".
    pub measure_owner: Option<i64>,
    /// Part of the description or category.
    pub text: Option<String>,
    /// Voided problems instead of live ones.
    pub voided: bool,
    pub today: Day,
    /// 1-based.
    pub page: i64,
    pub per_page: i64,
}

impl ProblemFilter {
    pub fn new(scope: Scope, today: Day) -> Self {
        Self {
            scope,
            org: None,
            source: None,
            sources: Vec::new(),
            found_from: None,
            found_to: None,
            status: None,
            batch_id: None,
            overdue_only: false,
            measure_owner: None,
            text: None,
            voided: false,
            today,
            page: 1,
            per_page: 50,
        }
    }
}

/// A page of the ledger.
#[derive(Debug, Clone)]
pub struct ProblemPage {
    pub rows: Vec<Problem>,
    /// Rows matching every filter.
    pub total: i64,
    /// Rows matching every filter but the status one, by status (for the tabs).
    pub by_status: Vec<(ProblemStatus, i64)>,
}

/// The problem columns with their counts; `today` is the placeholder bound to today's date.
fn select(today: &str) -> String {
    SELECT.replace("{today}", today)
}

const SELECT: &str = "SELECT p.id, p.org_id, p.org_path, o.code AS org_code, o.name AS org_name, \
     p.batch_id, p.record_id, p.source_code, COALESCE(ce.name, '') AS source_custom, p.category, \
     p.description, p.found_on, p.status, p.submitted_by, COALESCE(sa.display_name, '') AS submitted_by_name, \
     p.submitted_at, p.closed_by, COALESCE(ca.display_name, '') AS closed_by_name, p.closed_on, \
     p.close_note, p.created_by, p.created_at, p.updated_at, p.voided, p.void_reason, p.voided_at, \
     p.voided_by, \
     (SELECT COUNT(*) FROM problem_measures m WHERE m.problem_id = p.id AND m.voided = FALSE) AS n_measures, \
     (SELECT COUNT(*) FROM problem_measures m WHERE m.problem_id = p.id AND m.voided = FALSE \
        AND m.status = 'open') AS n_open, \
     (SELECT COUNT(*) FROM problem_measures m WHERE m.problem_id = p.id AND m.voided = FALSE \
        AND m.status = 'open' AND m.deadline < {today}) AS n_overdue, \
     (SELECT COUNT(*) FROM attachment_links l WHERE l.object_type = 'problem' AND l.object_id = p.id \
        AND l.voided = FALSE) \
     + (SELECT COUNT(*) FROM attachment_links l JOIN problem_measures m ON m.id = l.object_id \
        WHERE l.object_type = 'measure' AND m.problem_id = p.id AND m.voided = FALSE \
        AND l.voided = FALSE) AS n_evidence \
     FROM problems p JOIN orgs o ON o.id = p.org_id \
     LEFT JOIN catalog_entries ce ON ce.kind = 'problem_source' AND ce.code = p.source_code \
     LEFT JOIN accounts sa ON sa.id = p.submitted_by \
     LEFT JOIN accounts ca ON ca.id = p.closed_by";

/// The name of a source: an administrator's addition, a built-in one, or the code itself.
fn source_name(code: &str, custom: String) -> String {
    if !custom.is_empty() {
        return custom;
    }
    rules::builtin_sources()
        .into_iter()
        .find(|(c, _)| *c == code)
        .map(|(_, n)| n.to_string())
        .unwrap_or_else(|| code.to_string())
}

fn problem_from_row(row: &AnyRow) -> Result<Problem> {
    let status: String = row.try_get("status")?;
    let source_code: String = row.try_get("source_code")?;
    Ok(Problem {
        id: row.try_get("id")?,
        org_id: row.try_get("org_id")?,
        org_path: OrgPath(row.try_get("org_path")?),
        org_code: row.try_get("org_code")?,
        org_name: row.try_get("org_name")?,
        batch_id: row.try_get("batch_id")?,
        record_id: row.try_get("record_id")?,
        source_name: source_name(&source_code, row.try_get("source_custom")?),
        source_code,
        category: row.try_get("category")?,
        description: row.try_get("description")?,
        found_on: row.try_get("found_on")?,
        status: ProblemStatus::parse(&status).unwrap_or(ProblemStatus::Pending),
        submitted_by: row.try_get("submitted_by")?,
        submitted_by_name: row.try_get("submitted_by_name")?,
        submitted_at: row.try_get("submitted_at")?,
        closed_by: row.try_get("closed_by")?,
        closed_by_name: row.try_get("closed_by_name")?,
        closed_on: row.try_get("closed_on")?,
        close_note: row.try_get("close_note")?,
        created_by: row.try_get("created_by")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        voided: crate::get_bool(row, "voided")?,
        void_reason: row.try_get("void_reason")?,
        voided_at: row.try_get("voided_at")?,
        voided_by: row.try_get("voided_by")?,
        measures: row.try_get("n_measures")?,
        open_measures: row.try_get("n_open")?,
        overdue_measures: row.try_get("n_overdue")?,
        evidence: row.try_get("n_evidence")?,
    })
}

const BATCH_SELECT: &str =
    "SELECT b.id, b.org_id, b.org_path, o.code AS org_code, o.name AS org_name, \
     b.source_code, COALESCE(ce.name, '') AS source_custom, b.title, b.received_on, b.created_by, \
     b.created_at, b.voided, b.void_reason, \
     (SELECT COUNT(*) FROM problems p WHERE p.batch_id = b.id AND p.voided = FALSE) AS n_problems, \
     (SELECT COUNT(*) FROM problems p WHERE p.batch_id = b.id AND p.voided = FALSE \
        AND p.status = 'closed') AS n_closed \
     FROM problem_batches b JOIN orgs o ON o.id = b.org_id \
     LEFT JOIN catalog_entries ce ON ce.kind = 'problem_source' AND ce.code = b.source_code";

fn batch_from_row(row: &AnyRow) -> Result<ProblemBatch> {
    let source_code: String = row.try_get("source_code")?;
    Ok(ProblemBatch {
        id: row.try_get("id")?,
        org_id: row.try_get("org_id")?,
        org_path: OrgPath(row.try_get("org_path")?),
        org_code: row.try_get("org_code")?,
        org_name: row.try_get("org_name")?,
        source_name: source_name(&source_code, row.try_get("source_custom")?),
        source_code,
        title: row.try_get("title")?,
        received_on: row.try_get("received_on")?,
        created_by: row.try_get("created_by")?,
        created_at: row.try_get("created_at")?,
        voided: crate::get_bool(row, "voided")?,
        void_reason: row.try_get("void_reason")?,
        problems: row.try_get("n_problems")?,
        closed: row.try_get("n_closed")?,
    })
}

const MEASURE_SELECT: &str = "SELECT m.id, m.problem_id, m.description, m.owner_account_id, \
     a.username AS owner_username, COALESCE(a.display_name, '') AS owner_account_name, m.owner_name, \
     m.deadline, m.status, m.done_on, m.note, m.created_by, m.created_at, m.updated_at, m.voided, \
     m.void_reason, m.voided_at, m.voided_by \
     FROM problem_measures m LEFT JOIN accounts a ON a.id = m.owner_account_id";

fn measure_from_row(row: &AnyRow) -> Result<Measure> {
    let status: String = row.try_get("status")?;
    let account_name: String = row.try_get("owner_account_name")?;
    let owner_name: String = row.try_get("owner_name")?;
    Ok(Measure {
        id: row.try_get("id")?,
        problem_id: row.try_get("problem_id")?,
        description: row.try_get("description")?,
        owner_account_id: row.try_get("owner_account_id")?,
        owner_username: row.try_get("owner_username")?,
        owner_display: if account_name.is_empty() {
            owner_name.clone()
        } else {
            account_name
        },
        owner_name,
        deadline: row.try_get("deadline")?,
        status: MeasureStatus::from_code(&status),
        done_on: row.try_get("done_on")?,
        note: row.try_get("note")?,
        created_by: row.try_get("created_by")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        voided: crate::get_bool(row, "voided")?,
        void_reason: row.try_get("void_reason")?,
        voided_at: row.try_get("voided_at")?,
        voided_by: row.try_get("voided_by")?,
    })
}

fn days_between(from: &str, to: Day) -> i64 {
    Day::from_stored(from)
        .map(|d| (to.date() - d.date()).whole_days())
        .unwrap_or(0)
}

fn rejected(field: &'static str, message: impl Into<String>) -> StorageError {
    StorageError::Rejected {
        field,
        message: message.into(),
    }
}

/// The conditions of a list, except the status (the grouped count ignores it).
fn list_where(f: &ProblemFilter) -> Where {
    let mut w = Where::default();
    w.scope("p.org_path", &f.scope);
    if let Some(org) = &f.org {
        let p = w.text(format!("{}%", org.as_str()));
        w.push(format!("p.org_path LIKE {p}"));
    }
    w.push(if f.voided {
        "p.voided = TRUE".into()
    } else {
        "p.voided = FALSE".into()
    });
    if let Some(s) = &f.source {
        let p = w.text(s.clone());
        w.push(format!("p.source_code = {p}"));
    }
    if !f.sources.is_empty() {
        let marks: Vec<String> = f.sources.iter().map(|s| w.text(s.clone())).collect();
        w.push(format!("p.source_code IN ({})", marks.join(", ")));
    }
    if let Some(d) = f.found_from {
        let p = w.text(d.text());
        w.push(format!("p.found_on >= {p}"));
    }
    if let Some(d) = f.found_to {
        let p = w.text(d.text());
        w.push(format!("p.found_on <= {p}"));
    }
    if let Some(b) = f.batch_id {
        let p = w.int(b);
        w.push(format!("p.batch_id = {p}"));
    }
    let mut measure = Vec::new();
    if f.overdue_only {
        let today = w.text(f.today.text());
        measure.push(format!("m.status = 'open' AND m.deadline < {today}"));
    }
    if let Some(o) = f.measure_owner {
        let owner = w.int(o);
        measure.push(format!("m.owner_account_id = {owner}"));
    }
    if !measure.is_empty() {
        w.push(format!(
            "p.id IN (SELECT m.problem_id FROM problem_measures m WHERE {} AND m.voided = FALSE)",
            measure.join(" AND ")
        ));
    }
    if let Some(t) = f.text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        w.contains(&["p.description", "p.category"], t);
    }
    w
}

impl Store {
    pub async fn problem(&self, id: i64) -> Result<Problem> {
        let row = sqlx::query(&format!("{} WHERE p.id = $2", select("$1")))
            .bind(Day::today().text())
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StorageError::NotFound("problem"))?;
        problem_from_row(&row)
    }

    /// A page of the ledger and the counts by status, in two queries.
    pub async fn problems(&self, f: &ProblemFilter) -> Result<ProblemPage> {
        if !crate::storable(f.text.as_deref().unwrap_or(""))
            || !crate::storable(f.source.as_deref().unwrap_or(""))
        {
            return Ok(ProblemPage {
                rows: Vec::new(),
                total: 0,
                by_status: Vec::new(),
            });
        }
        let base = list_where(f);
        let counts: Vec<(String, i64)> = bind_as(
            sqlx::query_as(&format!(
                "SELECT p.status, COUNT(*) FROM problems p{} GROUP BY p.status",
                base.sql()
            )),
            base.args(),
        )
        .fetch_all(&self.pool)
        .await?;
        let by_status: Vec<(ProblemStatus, i64)> = ProblemStatus::ALL
            .into_iter()
            .map(|s| {
                let n = counts
                    .iter()
                    .filter(|(c, _)| c == s.code())
                    .map(|(_, n)| *n)
                    .sum();
                (s, n)
            })
            .collect();
        let total = by_status
            .iter()
            .filter(|(s, _)| f.status.is_none_or(|want| want == *s))
            .map(|(_, n)| n)
            .sum();
        let mut w = base;
        if let Some(s) = f.status {
            let p = w.text(s.code());
            w.push(format!("p.status = {p}"));
        }
        let per_page = f.per_page.clamp(1, 500);
        let offset = (f.page.max(1) - 1).saturating_mul(per_page);
        let order = if f.batch_id.is_some() {
            "p.id"
        } else {
            "p.found_on DESC, p.id DESC"
        };
        let limit = w.int(per_page);
        let off = w.int(offset);
        let today = w.text(f.today.text());
        // The page's ids first, so that the per-row counts are computed for them only.
        let sql = format!(
            "{} WHERE p.id IN (SELECT p.id FROM problems p{} ORDER BY {order} \
             LIMIT {limit} OFFSET {off}) ORDER BY {order}",
            select(&today),
            w.sql()
        );
        let rows = bind(sqlx::query(&sql), w.args())
            .fetch_all(&self.pool)
            .await?;
        Ok(ProblemPage {
            rows: rows.iter().map(problem_from_row).collect::<Result<_>>()?,
            total,
            by_status,
        })
    }

    pub async fn problem_batch(&self, id: i64) -> Result<ProblemBatch> {
        let row = sqlx::query(&format!("{BATCH_SELECT} WHERE b.id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StorageError::NotFound("problem batch"))?;
        batch_from_row(&row)
    }

    /// The measures of a problem, oldest first; voided ones only when asked.
    pub async fn problem_measures(
        &self,
        problem_id: i64,
        with_voided: bool,
    ) -> Result<Vec<Measure>> {
        let rows = sqlx::query(&format!(
            "{MEASURE_SELECT} WHERE m.problem_id = $1{} ORDER BY m.id",
            if with_voided {
                ""
            } else {
                " AND m.voided = FALSE"
            }
        ))
        .bind(problem_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(measure_from_row).collect()
    }

    /// The live measures of many problems (for workbooks), by problem, oldest first.
    pub async fn measures_of_problems(&self, ids: &[i64]) -> Result<Vec<Measure>> {
        let mut out = Vec::new();
        for chunk in ids.chunks(500) {
            let list = chunk
                .iter()
                .map(|i| i.to_string())
                .collect::<Vec<_>>()
                .join(",");
            let rows = sqlx::query(&format!(
                "{MEASURE_SELECT} WHERE m.problem_id IN ({list}) AND m.voided = FALSE \
                 ORDER BY m.problem_id, m.id"
            ))
            .fetch_all(&self.pool)
            .await?;
            for r in &rows {
                out.push(measure_from_row(r)?);
            }
        }
        Ok(out)
    }

    pub async fn problem_measure(&self, id: i64) -> Result<Measure> {
        let row = sqlx::query(&format!("{MEASURE_SELECT} WHERE m.id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StorageError::NotFound("measure"))?;
        measure_from_row(&row)
    }

    /// A problem's history, oldest first.
    pub async fn problem_events(&self, problem_id: i64) -> Result<Vec<ProblemEvent>> {
        let rows = sqlx::query(
            "SELECT e.id, e.problem_id, e.kind, e.on_date, e.note, e.actor_id, \
             COALESCE(a.display_name, '') AS actor_name, e.created_at \
             FROM problem_events e LEFT JOIN accounts a ON a.id = e.actor_id \
             WHERE e.problem_id = $1 ORDER BY e.id",
        )
        .bind(problem_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(ProblemEvent {
                    id: row.try_get("id")?,
                    problem_id: row.try_get("problem_id")?,
                    kind: row.try_get("kind")?,
                    on_date: row.try_get("on_date")?,
                    note: row.try_get("note")?,
                    actor_id: row.try_get("actor_id")?,
                    actor_name: row.try_get("actor_name")?,
                    created_at: row.try_get("created_at")?,
                })
            })
            .collect()
    }

    /// Open measures past their deadline on `today`, of live problems in the scope (and in
    /// `org`'s subtree, and owned by `owner`, when given); most overdue first. Returns at most
    /// `limit` of them and how many there are.
    pub async fn overdue_measures(
        &self,
        scope: &Scope,
        org: Option<&OrgPath>,
        owner: Option<i64>,
        today: Day,
        limit: i64,
    ) -> Result<(Vec<OverdueMeasure>, i64)> {
        let mut w = Where::default();
        let t = w.text(today.text());
        w.push(format!(
            "m.status = 'open' AND m.voided = FALSE AND m.deadline < {t} AND p.voided = FALSE"
        ));
        // The measure's own copy of the path: a range of `problem_measures_open`.
        w.scope("m.org_path", scope);
        if let Some(org) = org {
            let p = w.text(format!("{}%", org.as_str()));
            w.push(format!("m.org_path LIKE {p}"));
        }
        if let Some(o) = owner {
            let p = w.int(o);
            w.push(format!("m.owner_account_id = {p}"));
        }
        let from = "FROM problem_measures m JOIN problems p ON p.id = m.problem_id \
                    JOIN orgs o ON o.id = p.org_id LEFT JOIN accounts a ON a.id = m.owner_account_id";
        let (total,): (i64,) = bind_as(
            sqlx::query_as(&format!("SELECT COUNT(*) {from}{}", w.sql())),
            w.args(),
        )
        .fetch_one(&self.pool)
        .await?;
        let lim = w.int(limit.clamp(1, 1000));
        let rows = bind(
            sqlx::query(&format!(
                "SELECT m.id, m.problem_id, m.description, m.owner_account_id, \
                 a.username AS owner_username, COALESCE(a.display_name, '') AS owner_account_name, \
                 m.owner_name, m.deadline, m.status, m.done_on, m.note, m.created_by, m.created_at, \
                 m.updated_at, m.voided, m.void_reason, m.voided_at, m.voided_by, \
                 p.description AS problem_description, p.status AS problem_status, p.org_id, \
                 o.code AS org_code, o.name AS org_name \
                 {from}{} ORDER BY m.deadline, m.id LIMIT {lim}",
                w.sql()
            )),
            w.args(),
        )
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            let measure = measure_from_row(row)?;
            let status: String = row.try_get("problem_status")?;
            out.push(OverdueMeasure {
                days_overdue: days_between(&measure.deadline, today),
                measure,
                problem_description: row.try_get("problem_description")?,
                problem_status: ProblemStatus::parse(&status).unwrap_or(ProblemStatus::Pending),
                org_id: row.try_get("org_id")?,
                org_code: row.try_get("org_code")?,
                org_name: row.try_get("org_name")?,
            });
        }
        Ok((out, total))
    }

    /// Live problems waiting for 销号 review (已整改待审核) inside `scope` — where the reader
    /// may approve — except those `reviewer` submitted himself, since 销号 is by someone other
    /// than the submitter. Longest waiting first; at most `limit` of them and how many there
    /// are.
    pub async fn awaiting_review(
        &self,
        scope: &Scope,
        reviewer: i64,
        today: Day,
        limit: i64,
    ) -> Result<(Vec<Problem>, i64)> {
        let conditions = |w: &mut Where| {
            w.scope("p.org_path", scope);
            let s = w.text(ProblemStatus::AwaitingReview.code());
            let r = w.int(reviewer);
            w.push(format!(
                "p.voided = FALSE AND p.status = {s} \
                 AND (p.submitted_by IS NULL OR p.submitted_by <> {r})"
            ));
        };
        let mut w = Where::default();
        conditions(&mut w);
        let (total,): (i64,) = bind_as(
            sqlx::query_as(&format!("SELECT COUNT(*) FROM problems p{}", w.sql())),
            w.args(),
        )
        .fetch_one(&self.pool)
        .await?;
        let mut w = Where::default();
        let t = w.text(today.text());
        conditions(&mut w);
        let lim = w.int(limit.clamp(1, 1000));
        let order = "p.submitted_at, p.id";
        let rows = bind(
            sqlx::query(&format!(
                "{} WHERE p.id IN (SELECT p.id FROM problems p{} ORDER BY {order} LIMIT {lim}) \
                 ORDER BY {order}",
                select(&t),
                w.sql()
            )),
            w.args(),
        )
        .fetch_all(&self.pool)
        .await?;
        Ok((
            rows.iter().map(problem_from_row).collect::<Result<_>>()?,
            total,
        ))
    }

    /// The organization path of a live work record (the record that found a problem), or
    /// `None` when there is no such record.
    pub async fn finding_record_path(&self, record_id: i64) -> Result<Option<OrgPath>> {
        let row: Option<(String,)> =
            sqlx::query_as("SELECT org_path FROM work_records WHERE id = $1 AND voided = FALSE")
                .bind(record_id)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.map(|(p,)| OrgPath(p)))
    }
}

/// What a transaction needs to know of an organization.
struct OrgRef {
    path: String,
}

impl WriteTx {
    async fn org_ref(&mut self, id: i64) -> Result<OrgRef> {
        let row = sqlx::query("SELECT path FROM orgs WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *self.tx)
            .await?
            .ok_or(StorageError::NotFound("organization"))?;
        Ok(OrgRef {
            path: row.try_get("path")?,
        })
    }

    async fn check_source(&mut self, code: &str) -> Result<()> {
        if rules::builtin_sources().iter().any(|(c, _)| *c == code) {
            return Ok(());
        }
        let (n,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM catalog_entries WHERE kind = 'problem_source' AND code = $1 \
             AND active = TRUE",
        )
        .bind(code)
        .fetch_one(&mut *self.tx)
        .await?;
        if n == 0 {
            return Err(rejected("source", "请选择有效的问题来源"));
        }
        Ok(())
    }

    async fn problem_row(&mut self, id: i64) -> Result<Problem> {
        let row = sqlx::query(&format!("{} WHERE p.id = $2", select("$1")))
            .bind(Day::today().text())
            .bind(id)
            .fetch_optional(&mut *self.tx)
            .await?
            .ok_or(StorageError::NotFound("problem"))?;
        problem_from_row(&row)
    }

    async fn measure_row(&mut self, id: i64) -> Result<Measure> {
        let row = sqlx::query(&format!("{MEASURE_SELECT} WHERE m.id = $1"))
            .bind(id)
            .fetch_optional(&mut *self.tx)
            .await?
            .ok_or(StorageError::NotFound("measure"))?;
        measure_from_row(&row)
    }

    async fn batch_row(&mut self, id: i64) -> Result<ProblemBatch> {
        let row = sqlx::query(&format!("{BATCH_SELECT} WHERE b.id = $1"))
            .bind(id)
            .fetch_optional(&mut *self.tx)
            .await?
            .ok_or(StorageError::NotFound("problem batch"))?;
        batch_from_row(&row)
    }

    async fn problem_event(
        &mut self,
        problem_id: i64,
        kind: &str,
        on: Day,
        note: &str,
        actor: &Actor,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO problem_events (problem_id, kind, on_date, note, actor_id, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(problem_id)
        .bind(kind)
        .bind(on.text())
        .bind(note)
        .bind(actor.id)
        .bind(clock::now_text())
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// Inserts a problem with its measures (the source already checked); audited.
    async fn insert_problem(
        &mut self,
        new: NewProblem,
        source_code: &str,
        batch: Option<(i64, &str)>,
        actor: &Actor,
    ) -> Result<Problem> {
        let (org_id, org_path) = self
            .active_org(new.org_id, "org")
            .await
            .map(|o| (o.id, o.path.0))?;
        if new.found_on > Day::today() {
            return Err(rejected("found_on", "发现日期不能晚于今天"));
        }
        if let Some(r) = new.record_id {
            let found: Option<(i64,)> =
                sqlx::query_as("SELECT id FROM work_records WHERE id = $1 AND voided = FALSE")
                    .bind(r)
                    .fetch_optional(&mut *self.tx)
                    .await?;
            if found.is_none() {
                return Err(rejected("record_id", "关联的工作纪实不存在"));
            }
        }
        let now = clock::now_text();
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO problems (org_id, org_path, batch_id, record_id, source_code, category, \
             description, found_on, status, close_note, created_by, created_at, updated_at, voided, void_reason) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending', '', $9, $10, $10, FALSE, '') RETURNING id",
        )
        .bind(org_id)
        .bind(&org_path)
        .bind(batch.map(|b| b.0))
        .bind(new.record_id)
        .bind(source_code)
        .bind(&new.category)
        .bind(&new.description)
        .bind(new.found_on.text())
        .bind(actor.id)
        .bind(&now)
        .fetch_one(&mut *self.tx)
        .await?;
        self.problem_event(
            id,
            "created",
            new.found_on,
            batch.map(|b| b.1).unwrap_or(""),
            actor,
        )
        .await?;
        let created = self.problem_row(id).await?;
        self.audit(actor.event("problem.create", "problem", id, None::<&()>, Some(&created)))
            .await?;
        for m in new.measures {
            self.insert_measure(&created, m, actor).await?;
        }
        self.problem_row(id).await
    }

    async fn insert_measure(
        &mut self,
        problem: &Problem,
        m: NewMeasure,
        actor: &Actor,
    ) -> Result<Measure> {
        if let Some(found) = Day::from_stored(&problem.found_on) {
            if m.deadline < found {
                return Err(rejected("deadline", "整改期限不能早于问题发现日期"));
            }
        }
        if let Some(owner) = m.owner_account_id {
            let known: Option<(i64,)> = sqlx::query_as("SELECT id FROM accounts WHERE id = $1")
                .bind(owner)
                .fetch_optional(&mut *self.tx)
                .await?;
            if known.is_none() {
                return Err(rejected("owner", "责任人账户不存在"));
            }
        }
        let now = clock::now_text();
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO problem_measures (problem_id, org_path, description, owner_account_id, \
             owner_name, deadline, status, note, created_by, created_at, updated_at, voided, \
             void_reason) \
             VALUES ($1, $2, $3, $4, $5, $6, 'open', '', $7, $8, $8, FALSE, '') RETURNING id",
        )
        .bind(problem.id)
        .bind(problem.org_path.as_str())
        .bind(&m.description)
        .bind(m.owner_account_id)
        .bind(&m.owner_name)
        .bind(m.deadline.text())
        .bind(actor.id)
        .bind(&now)
        .fetch_one(&mut *self.tx)
        .await?;
        let created = self.measure_row(id).await?;
        self.audit(actor.event("measure.create", "measure", id, None::<&()>, Some(&created)))
            .await?;
        Ok(created)
    }

    /// Records one problem (with its measures); audited.
    pub async fn create_problem(&mut self, new: NewProblem, actor: &Actor) -> Result<Problem> {
        let source = new.source_code.clone();
        self.check_source(&source).await?;
        self.insert_problem(new, &source, None, actor).await
    }

    /// Records one inspection's findings together: the batch and every problem with its
    /// measures, each audited. Any refused problem refuses the whole batch (the transaction
    /// is then dropped, so nothing is written). Problems must concern the batch's
    /// organization or one below it.
    pub async fn create_problem_batch(
        &mut self,
        new: NewBatch,
        actor: &Actor,
    ) -> Result<(ProblemBatch, Vec<Problem>)> {
        if new.problems.is_empty() {
            return Err(rejected("problems", "请至少录入一个问题"));
        }
        if new.problems.len() > rules::MAX_BATCH {
            return Err(rejected(
                "problems",
                format!("一次最多录入{}个问题", rules::MAX_BATCH),
            ));
        }
        self.check_source(&new.source_code).await?;
        let (org_id, org_path) = self
            .active_org(new.org_id, "org")
            .await
            .map(|o| (o.id, o.path.0))?;
        if new.received_on > Day::today() {
            return Err(rejected("received_on", "反馈日期不能晚于今天"));
        }
        let now = clock::now_text();
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO problem_batches (org_id, org_path, source_code, title, received_on, \
             created_by, created_at, voided, void_reason) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, FALSE, '') RETURNING id",
        )
        .bind(org_id)
        .bind(&org_path)
        .bind(&new.source_code)
        .bind(&new.title)
        .bind(new.received_on.text())
        .bind(actor.id)
        .bind(&now)
        .fetch_one(&mut *self.tx)
        .await?;
        let batch = self.batch_row(id).await?;
        self.audit(actor.event(
            "problem_batch.create",
            "problem_batch",
            id,
            None::<&()>,
            Some(&batch),
        ))
        .await?;
        let mut problems = Vec::with_capacity(new.problems.len());
        for (i, p) in new.problems.into_iter().enumerate() {
            let org = self
                .org_ref(p.org_id)
                .await
                .map_err(|_| rejected("org", format!("第{}个问题：所涉组织不存在", i + 1)))?;
            if !OrgPath(org_path.clone()).covers(&OrgPath(org.path.clone())) {
                return Err(rejected(
                    "org",
                    format!("第{}个问题：所涉组织须为被检查组织或其下级组织", i + 1),
                ));
            }
            let created = self
                .insert_problem(p, &new.source_code, Some((id, &new.title)), actor)
                .await
                .map_err(|e| match e {
                    StorageError::Rejected { field, message } => StorageError::Rejected {
                        field,
                        message: format!("第{}个问题：{message}", i + 1),
                    },
                    other => other,
                })?;
            problems.push(created);
        }
        let batch = self.batch_row(id).await?;
        Ok((batch, problems))
    }

    fn editable(p: &Problem) -> Result<()> {
        if p.voided {
            return Err(rejected("id", "该问题已作废"));
        }
        Ok(())
    }

    /// Measures change only while the problem is being rectified.
    fn measures_editable(p: &Problem) -> Result<()> {
        Self::editable(p)?;
        match p.status {
            ProblemStatus::Pending | ProblemStatus::InProgress => Ok(()),
            s => Err(rejected(
                "status",
                format!(
                    "“{}”的问题不能再变更整改措施，如需调整请先退回或重新整改",
                    s.label()
                ),
            )),
        }
    }

    /// Changes a problem's description fields (not once it is closed); audited.
    pub async fn update_problem(
        &mut self,
        id: i64,
        change: ProblemChange,
        actor: &Actor,
    ) -> Result<Problem> {
        let before = self.problem_row(id).await?;
        Self::editable(&before)?;
        if before.status == ProblemStatus::Closed {
            return Err(rejected(
                "status",
                "已销号的问题不能修改；如问题反弹，请通过回头看重新整改",
            ));
        }
        if let Some(s) = &change.source_code {
            self.check_source(s).await?;
        }
        if let Some(f) = change.found_on {
            if f > Day::today() {
                return Err(rejected("found_on", "发现日期不能晚于今天"));
            }
        }
        sqlx::query(
            "UPDATE problems SET source_code = $1, category = $2, description = $3, found_on = $4, \
             updated_at = $5 WHERE id = $6",
        )
        .bind(change.source_code.as_deref().unwrap_or(&before.source_code))
        .bind(change.category.as_deref().unwrap_or(&before.category))
        .bind(change.description.as_deref().unwrap_or(&before.description))
        .bind(change.found_on.map(|d| d.text()).unwrap_or_else(|| before.found_on.clone()))
        .bind(clock::now_text())
        .bind(id)
        .execute(&mut *self.tx)
        .await?;
        let after = self.problem_row(id).await?;
        self.audit(actor.event("problem.update", "problem", id, Some(&before), Some(&after)))
            .await?;
        Ok(after)
    }

    /// Voids a problem with a reason (never deleted); audited.
    pub async fn void_problem(&mut self, id: i64, reason: &str, actor: &Actor) -> Result<Problem> {
        let before = self.problem_row(id).await?;
        Self::editable(&before)?;
        let now = clock::now_text();
        sqlx::query(
            "UPDATE problems SET voided = TRUE, void_reason = $1, voided_at = $2, voided_by = $3, \
             updated_at = $2 WHERE id = $4",
        )
        .bind(reason)
        .bind(&now)
        .bind(actor.id)
        .bind(id)
        .execute(&mut *self.tx)
        .await?;
        self.problem_event(id, "voided", Day::today(), reason, actor)
            .await?;
        let after = self.problem_row(id).await?;
        self.audit(actor.event("problem.void", "problem", id, Some(&before), Some(&after)))
            .await?;
        Ok(after)
    }

    /// Adds a measure to a problem being rectified; audited.
    pub async fn add_measure(
        &mut self,
        problem_id: i64,
        m: NewMeasure,
        actor: &Actor,
    ) -> Result<Measure> {
        let problem = self.problem_row(problem_id).await?;
        Self::measures_editable(&problem)?;
        self.insert_measure(&problem, m, actor).await
    }

    async fn measure_and_problem(&mut self, id: i64) -> Result<(Measure, Problem)> {
        let m = self.measure_row(id).await?;
        if m.voided {
            return Err(rejected("id", "该整改措施已作废"));
        }
        let p = self.problem_row(m.problem_id).await?;
        Self::measures_editable(&p)?;
        Ok((m, p))
    }

    /// Changes a measure's text, owner or deadline; audited.
    pub async fn update_measure(
        &mut self,
        id: i64,
        change: MeasureChange,
        actor: &Actor,
    ) -> Result<Measure> {
        let (before, problem) = self.measure_and_problem(id).await?;
        if let Some(d) = change.deadline {
            if Day::from_stored(&problem.found_on).is_some_and(|f| d < f) {
                return Err(rejected("deadline", "整改期限不能早于问题发现日期"));
            }
        }
        let (owner_id, owner_name) = change
            .owner
            .clone()
            .unwrap_or((before.owner_account_id, before.owner_name.clone()));
        if let Some(o) = owner_id {
            let known: Option<(i64,)> = sqlx::query_as("SELECT id FROM accounts WHERE id = $1")
                .bind(o)
                .fetch_optional(&mut *self.tx)
                .await?;
            if known.is_none() {
                return Err(rejected("owner", "责任人账户不存在"));
            }
        }
        sqlx::query(
            "UPDATE problem_measures SET description = $1, owner_account_id = $2, owner_name = $3, \
             deadline = $4, updated_at = $5 WHERE id = $6",
        )
        .bind(change.description.as_deref().unwrap_or(&before.description))
        .bind(owner_id)
        .bind(&owner_name)
        .bind(change.deadline.map(|d| d.text()).unwrap_or_else(|| before.deadline.clone()))
        .bind(clock::now_text())
        .bind(id)
        .execute(&mut *self.tx)
        .await?;
        let after = self.measure_row(id).await?;
        self.audit(actor.event("measure.update", "measure", id, Some(&before), Some(&after)))
            .await?;
        Ok(after)
    }

    /// Marks a measure done. A problem still 待整改 moves to 整改中 with it (its own history
    /// entry and audit entry). Audited.
    pub async fn complete_measure(
        &mut self,
        id: i64,
        done_on: Day,
        note: &str,
        actor: &Actor,
    ) -> Result<Measure> {
        let (before, problem) = self.measure_and_problem(id).await?;
        if before.status == MeasureStatus::Done {
            return Err(rejected("id", "该整改措施已完成"));
        }
        if done_on > Day::today() {
            return Err(rejected("date", "完成日期不能晚于今天"));
        }
        if Day::from_stored(&problem.found_on).is_some_and(|f| done_on < f) {
            return Err(rejected("date", "完成日期不能早于问题发现日期"));
        }
        sqlx::query(
            "UPDATE problem_measures SET status = 'done', done_on = $1, note = $2, updated_at = $3 \
             WHERE id = $4",
        )
        .bind(done_on.text())
        .bind(note)
        .bind(clock::now_text())
        .bind(id)
        .execute(&mut *self.tx)
        .await?;
        let after = self.measure_row(id).await?;
        self.audit(actor.event("measure.done", "measure", id, Some(&before), Some(&after)))
            .await?;
        self.problem_event(
            problem.id,
            "measure_done",
            done_on,
            &after.description,
            actor,
        )
        .await?;
        if problem.status == ProblemStatus::Pending {
            sqlx::query(
                "UPDATE problems SET status = 'in_progress', updated_at = $1 WHERE id = $2",
            )
            .bind(clock::now_text())
            .bind(problem.id)
            .execute(&mut *self.tx)
            .await?;
            self.problem_event(
                problem.id,
                "start",
                done_on,
                "整改措施开始落实，自动转为整改中",
                actor,
            )
            .await?;
            let moved = self.problem_row(problem.id).await?;
            self.audit(actor.event(
                "problem.start",
                "problem",
                problem.id,
                Some(&problem),
                Some(&moved),
            ))
            .await?;
        }
        Ok(after)
    }

    /// Voids a measure with a reason; audited.
    pub async fn void_measure(&mut self, id: i64, reason: &str, actor: &Actor) -> Result<Measure> {
        let (before, _) = self.measure_and_problem(id).await?;
        let now = clock::now_text();
        sqlx::query(
            "UPDATE problem_measures SET voided = TRUE, void_reason = $1, voided_at = $2, \
             voided_by = $3, updated_at = $2 WHERE id = $4",
        )
        .bind(reason)
        .bind(&now)
        .bind(actor.id)
        .bind(id)
        .execute(&mut *self.tx)
        .await?;
        let after = self.measure_row(id).await?;
        self.audit(actor.event("measure.void", "measure", id, Some(&before), Some(&after)))
            .await?;
        Ok(after)
    }

    /// Moves a problem's status as the rules allow, with the counts read inside this
    /// transaction; writes the history entry and the audit entry. The caller has checked the
    /// permission the move needs ([`Transition::needs_approver`]).
    pub async fn move_problem(
        &mut self,
        id: i64,
        t: Transition,
        on: Day,
        note: &str,
        actor: &Actor,
    ) -> Result<Problem> {
        let before = self.problem_row(id).await?;
        if before.voided {
            return Err(rejected("action", "该问题已作废"));
        }
        if on > Day::today() {
            return Err(rejected("date", "日期不能晚于今天"));
        }
        let ctx = MoveContext {
            status: before.status,
            measures: before.measures as usize,
            open_measures: before.open_measures as usize,
            evidence: before.evidence as usize,
            submitted_by: before.submitted_by,
            actor: actor.id.unwrap_or(0),
        };
        let status = rules::apply(t, &ctx).map_err(|e| rejected(e.field, e.message))?;
        let now = clock::now_text();
        match t {
            Transition::Submit => {
                sqlx::query(
                    "UPDATE problems SET status = $1, submitted_by = $2, submitted_at = $3, \
                     updated_at = $3 WHERE id = $4",
                )
                .bind(status.code())
                .bind(actor.id)
                .bind(&now)
                .bind(id)
                .execute(&mut *self.tx)
                .await?;
            }
            Transition::Close => {
                sqlx::query(
                    "UPDATE problems SET status = $1, closed_by = $2, closed_on = $3, close_note = $4, \
                     updated_at = $5 WHERE id = $6",
                )
                .bind(status.code())
                .bind(actor.id)
                .bind(on.text())
                .bind(note)
                .bind(&now)
                .bind(id)
                .execute(&mut *self.tx)
                .await?;
            }
            // A returned or reopened problem is submitted (and closed) afresh.
            Transition::Return | Transition::Reopen => {
                sqlx::query(
                    "UPDATE problems SET status = $1, submitted_by = NULL, submitted_at = NULL, \
                     closed_by = NULL, closed_on = NULL, close_note = '', updated_at = $2 WHERE id = $3",
                )
                .bind(status.code())
                .bind(&now)
                .bind(id)
                .execute(&mut *self.tx)
                .await?;
            }
            Transition::Start | Transition::RecheckHolds => {
                sqlx::query("UPDATE problems SET status = $1, updated_at = $2 WHERE id = $3")
                    .bind(status.code())
                    .bind(&now)
                    .bind(id)
                    .execute(&mut *self.tx)
                    .await?;
            }
        }
        self.problem_event(id, t.code(), on, note, actor).await?;
        let after = self.problem_row(id).await?;
        self.audit(actor.event(
            &format!("problem.{}", t.code()),
            "problem",
            id,
            Some(&before),
            Some(&after),
        ))
        .await?;
        Ok(after)
    }
}

impl WriteTx {
    /// The live measures of a problem, oldest first (for loaders that complete them).
    pub async fn measure_ids(&mut self, problem_id: i64) -> Result<Vec<i64>> {
        let rows: Vec<(i64,)> = sqlx::query_as(
            "SELECT id FROM problem_measures WHERE problem_id = $1 AND voided = FALSE ORDER BY id",
        )
        .bind(problem_id)
        .fetch_all(&mut *self.tx)
        .await?;
        Ok(rows.into_iter().map(|(id,)| id).collect())
    }
}
