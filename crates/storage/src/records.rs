//! Work records (纪实): one meeting or activity, recorded once by the organization that held
//! it, with its attendance (members present, absentees with reasons), the list items it
//! fulfils and its evidence files (see `attachments.rs`, object type `record`). A record counts
//! in every figure of the organizations above it through its `org_path`; nobody re-enters it
//! upward. Records are voided with a reason, never deleted; every change is audited with the
//! record before and after (attendance included).
//!
//! Also here: the 三会一课 rules (built-in, overridden per organization kind in
//! `meeting_rules`) and "should hold vs. held" per branch over a period.

use crate::members::{bind_all, contains_pattern, invalid, roots_clause, Bind, LedgerOrg};
use crate::orgs::Actor;
use crate::{Result, StorageError, Store, WriteTx};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::Row;
use std::collections::HashMap;
use zeren_domain::clock;
use zeren_domain::date::{Day, Period};
use zeren_domain::meetings::{self, Frequency, MeetingRule};
use zeren_domain::org::{OrgKind, OrgPath};
use zeren_domain::permissions::Scope;

use zeren_domain::records::{builtin_types, OutletLevel, RecordField, RecordType, RecordValues};

/// A work record as stored, with its organization's code and name.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WorkRecord {
    pub id: i64,
    pub org_id: i64,
    pub org_path: String,
    pub org_code: String,
    pub org_name: String,
    pub type_code: String,
    pub title: String,
    pub held_on: String,
    pub place: String,
    pub host: String,
    pub recorder: String,
    pub person_times: Option<i64>,
    pub hours: Option<f64>,
    pub sessions: Option<i64>,
    pub items: Option<i64>,
    /// '' or an [`OutletLevel`] code.
    pub outlet_level: String,
    pub content: String,
    pub created_by: Option<i64>,
    pub created_at: String,
    pub updated_at: String,
    pub voided: bool,
    pub void_reason: String,
    pub voided_at: Option<String>,
    pub voided_by: Option<i64>,
}

impl WorkRecord {
    pub fn path(&self) -> OrgPath {
        OrgPath(self.org_path.clone())
    }

    pub fn outlet(&self) -> Option<OutletLevel> {
        OutletLevel::parse(&self.outlet_level).ok()
    }

    /// The values as the domain type (for changes that keep most fields).
    pub fn values(&self) -> RecordValues {
        RecordValues {
            title: self.title.clone(),
            held_on: Day::from_stored(&self.held_on).unwrap_or_else(Day::today),
            place: self.place.clone(),
            host: self.host.clone(),
            recorder: self.recorder.clone(),
            person_times: self.person_times,
            hours: self.hours,
            sessions: self.sessions,
            items: self.items,
            outlet_level: self.outlet(),
            content: self.content.clone(),
        }
    }
}

/// One member's attendance of a record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttendanceRow {
    pub member_id: i64,
    pub member_name: String,
    pub present: bool,
    pub absence_reason: String,
}

/// Attendance as given: present, or absent with a reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attendance {
    pub member_id: i64,
    pub present: bool,
    pub absence_reason: String,
}

/// A new record. The values are checked against the type on insert; `attendance: None`
/// means attendance is not recorded.
#[derive(Debug, Clone)]
pub struct NewRecord {
    pub org_id: i64,
    pub type_code: String,
    pub values: RecordValues,
    pub attendance: Option<Vec<Attendance>>,
}

/// A change to a record: the new organization, type and values (a full replacement);
/// `attendance: None` keeps the attendance as it is, `Some` replaces it.
#[derive(Debug, Clone)]
pub struct RecordChange {
    pub org_id: i64,
    pub type_code: String,
    pub values: RecordValues,
    pub attendance: Option<Vec<Attendance>>,
}

/// Which records to list.
#[derive(Debug, Clone, Default)]
pub struct RecordQuery {
    /// Subtrees to look in (the caller's scope, or one organization's subtree); empty: none.
    pub roots: Vec<OrgPath>,
    pub type_code: Option<String>,
    pub from: Option<Day>,
    pub to: Option<Day>,
    /// Part of the title.
    pub text: Option<String>,
    pub include_voided: bool,
    pub limit: i64,
    pub offset: i64,
}

#[derive(Debug, Clone)]
pub struct RecordPage {
    pub rows: Vec<WorkRecord>,
    /// All rows matching, for paging.
    pub total: i64,
}

/// A list item a record fulfils (read from the lists ledger).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ItemRef {
    pub id: i64,
    pub org_path: String,
    pub org_name: String,
    pub category: String,
    pub description: String,
    pub due_on: String,
    pub status: String,
    pub voided: bool,
}

/// A problem raised by a record (read from the rectification ledger).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub id: i64,
    pub description: String,
    pub status: String,
}

/// The record with its attendance, as the audit trail keeps it.
#[derive(Serialize)]
struct Snapshot<'a> {
    #[serde(flatten)]
    record: &'a WorkRecord,
    attendance: &'a [AttendanceRow],
}

const RECORD_SELECT: &str = "SELECT r.id, r.org_id, r.org_path, o.code AS org_code, \
     o.name AS org_name, r.type_code, r.title, r.held_on, r.place, r.host, r.recorder, \
     r.person_times, CAST(r.hours AS DOUBLE PRECISION) AS hours, r.sessions, r.items, \
     r.outlet_level, r.content, r.created_by, r.created_at, r.updated_at, r.voided, \
     r.void_reason, r.voided_at, r.voided_by FROM work_records r JOIN orgs o ON o.id = r.org_id";

fn from_row(row: &AnyRow) -> Result<WorkRecord> {
    Ok(WorkRecord {
        id: row.try_get("id")?,
        org_id: row.try_get("org_id")?,
        org_path: row.try_get("org_path")?,
        org_code: row.try_get("org_code")?,
        org_name: row.try_get("org_name")?,
        type_code: row.try_get("type_code")?,
        title: row.try_get("title")?,
        held_on: row.try_get("held_on")?,
        place: row.try_get("place")?,
        host: row.try_get("host")?,
        recorder: row.try_get("recorder")?,
        person_times: row.try_get("person_times")?,
        hours: row.try_get("hours")?,
        sessions: row.try_get("sessions")?,
        items: row.try_get("items")?,
        outlet_level: row.try_get("outlet_level")?,
        content: row.try_get("content")?,
        created_by: row.try_get("created_by")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        voided: crate::get_bool(row, "voided")?,
        void_reason: row.try_get("void_reason")?,
        voided_at: row.try_get("voided_at")?,
        voided_by: row.try_get("voided_by")?,
    })
}

const ATTENDANCE_SELECT: &str = "SELECT a.member_id, m.name AS member_name, a.present, \
     a.absence_reason FROM record_attendance a JOIN members m ON m.id = a.member_id \
     WHERE a.record_id = $1 ORDER BY a.present DESC, a.member_id";

fn attendance_from_row(row: &AnyRow) -> Result<AttendanceRow> {
    Ok(AttendanceRow {
        member_id: row.try_get("member_id")?,
        member_name: row.try_get("member_name")?,
        present: crate::get_bool(row, "present")?,
        absence_reason: row.try_get("absence_reason")?,
    })
}

const ITEM_SELECT: &str = "SELECT i.id, i.org_path, o.name AS org_name, i.category, \
     i.description, i.due_on, i.status, i.voided FROM list_items i JOIN orgs o ON o.id = i.org_id";

fn item_from_row(row: &AnyRow) -> Result<ItemRef> {
    Ok(ItemRef {
        id: row.try_get("id")?,
        org_path: row.try_get("org_path")?,
        org_name: row.try_get("org_name")?,
        category: row.try_get("category")?,
        description: row.try_get("description")?,
        due_on: row.try_get("due_on")?,
        status: row.try_get("status")?,
        voided: crate::get_bool(row, "voided")?,
    })
}

/// Record types from the built-in list and the catalogue rows given as (code, name, config,
/// active); inactive additions only when asked for (a record keeps a type switched off later).
fn types_from(
    entries: Vec<(String, String, String, bool)>,
    with_inactive: bool,
) -> Vec<RecordType> {
    let mut types = builtin_types();
    for (code, name, config, active) in entries {
        if !active && !with_inactive {
            continue;
        }
        if let Ok(mut t) = serde_json::from_str::<RecordType>(&config) {
            t.code = code;
            t.name = name;
            t.custom = true;
            types.push(t);
        }
    }
    types
}

/// A subtree condition on `r.org_path` that the planner cannot answer from the path index.
/// A township holds tens of thousands of records: through the path index SQLite reads and
/// sorts all of them for one page (~150 ms), while walking `work_records_held` newest first
/// stops after the page (< 1 ms).
fn unindexed(subtree: &str) -> String {
    subtree.replace("r.org_path LIKE", "r.org_path || '' LIKE")
}

impl Store {
    pub async fn record(&self, id: i64) -> Result<WorkRecord> {
        let row = sqlx::query(&format!("{RECORD_SELECT} WHERE r.id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StorageError::NotFound("record"))?;
        from_row(&row)
    }

    /// Every record type, including additions switched off since (to show old records).
    pub async fn record_types_all(&self) -> Result<Vec<RecordType>> {
        let rows = sqlx::query(
            "SELECT code, name, config, active FROM catalog_entries WHERE kind = 'record_type' \
             ORDER BY sort_order, id",
        )
        .fetch_all(&self.pool)
        .await?;
        let entries = rows
            .iter()
            .map(|r| {
                Ok((
                    r.try_get("code")?,
                    r.try_get("name")?,
                    r.try_get("config")?,
                    crate::get_bool(r, "active")?,
                ))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(types_from(entries, true))
    }

    /// Records in the subtrees, newest first, one page with the total count. The filters
    /// follow the indexes: type and period (`work_records_type`), subtree and period
    /// (`work_records_path`).
    pub async fn records(&self, q: &RecordQuery) -> Result<RecordPage> {
        let empty = RecordPage {
            rows: Vec::new(),
            total: 0,
        };
        if q.roots.is_empty()
            || q.text.as_deref().is_some_and(|t| !crate::storable(t))
            || q.type_code.as_deref().is_some_and(|t| !crate::storable(t))
        {
            return Ok(empty);
        }
        // The subtrees as organization ids (the organizations table is small): counting then
        // reads only the covering index `work_records_org`.
        let ids = self.org_ids_under(&q.roots).await?;
        if ids.is_empty() {
            return Ok(empty);
        }
        let id_list = ids
            .iter()
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(",");
        let mut binds = Vec::new();
        let mut conds = Vec::new();
        if let Some(t) = &q.type_code {
            binds.push(Bind::Text(t.clone()));
            conds.push(format!("r.type_code = ${}", binds.len()));
        }
        if let Some(f) = q.from {
            binds.push(Bind::Text(f.text()));
            conds.push(format!("r.held_on >= ${}", binds.len()));
        }
        if let Some(t) = q.to {
            binds.push(Bind::Text(t.text()));
            conds.push(format!("r.held_on <= ${}", binds.len()));
        }
        if !q.include_voided {
            conds.push("r.voided = FALSE".into());
        }
        if let Some(t) = q.text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            binds.push(Bind::Text(contains_pattern(t)));
            conds.push(format!("r.title LIKE ${} ESCAPE '\\'", binds.len()));
        }
        let rest: String = conds.iter().map(|c| format!(" AND {c}")).collect();
        let limit = q.limit.clamp(0, 1000);
        let offset = q.offset.max(0);
        if q.text.as_deref().is_some_and(|t| !t.trim().is_empty()) {
            // A search in the titles reads every row of the subtree anyway: one scan of the
            // table to count. Few matches: their ids and dates, ordered here, then the page by
            // id. Many: walk the records newest first, as below; matches are then dense.
            let subtree = roots_clause("r.org_path", &q.roots, &mut binds);
            let total: i64 = bind_all(
                sqlx::query(&format!(
                    "SELECT COUNT(*) AS n FROM work_records r WHERE {subtree}{rest}"
                )),
                &binds,
            )
            .fetch_one(&self.pool)
            .await?
            .try_get("n")?;
            if total == 0 || offset >= total {
                return Ok(RecordPage {
                    rows: Vec::new(),
                    total,
                });
            }
            if total > 5000 {
                return self
                    .record_page(&unindexed(&subtree), &rest, binds, limit, offset, total)
                    .await;
            }
            let found = bind_all(
                sqlx::query(&format!(
                    "SELECT r.id, r.held_on FROM work_records r WHERE {subtree}{rest}"
                )),
                &binds,
            )
            .fetch_all(&self.pool)
            .await?;
            let mut found = found
                .iter()
                .map(|r| {
                    Ok((
                        r.try_get::<String, _>("held_on")?,
                        r.try_get::<i64, _>("id")?,
                    ))
                })
                .collect::<Result<Vec<_>>>()?;
            found.sort_unstable_by(|a, b| b.cmp(a));
            let page: Vec<String> = found
                .iter()
                .skip(offset as usize)
                .take(limit as usize)
                .map(|(_, id)| id.to_string())
                .collect();
            if page.is_empty() {
                return Ok(RecordPage {
                    rows: Vec::new(),
                    total,
                });
            }
            let rows = sqlx::query(&format!(
                "{RECORD_SELECT} WHERE r.id IN ({}) ORDER BY r.held_on DESC, r.id DESC",
                page.join(",")
            ))
            .fetch_all(&self.pool)
            .await?;
            return Ok(RecordPage {
                rows: rows.iter().map(from_row).collect::<Result<_>>()?,
                total,
            });
        }
        let count_sql =
            format!("SELECT COUNT(*) AS n FROM work_records r WHERE r.org_id IN ({id_list}){rest}");
        let total: i64 = bind_all(sqlx::query(&count_sql), &binds)
            .fetch_one(&self.pool)
            .await?
            .try_get("n")?;
        if total == 0 || offset >= total {
            return Ok(RecordPage {
                rows: Vec::new(),
                total,
            });
        }
        // A few matching rows: fetch them by organization and sort them. Many: walk the
        // records newest first (`work_records_held`) and stop after the page, checking the
        // subtree on each row.
        let subtree = if total <= 5000 {
            format!("r.org_id IN ({id_list})")
        } else {
            unindexed(&roots_clause("r.org_path", &q.roots, &mut binds))
        };
        self.record_page(&subtree, &rest, binds, limit, offset, total)
            .await
    }

    /// One page of records, newest first.
    async fn record_page(
        &self,
        subtree: &str,
        rest: &str,
        mut binds: Vec<Bind>,
        limit: i64,
        offset: i64,
        total: i64,
    ) -> Result<RecordPage> {
        let n = binds.len();
        binds.push(Bind::Int(limit));
        binds.push(Bind::Int(offset));
        let sql = format!(
            "{RECORD_SELECT} WHERE {subtree}{rest} ORDER BY r.held_on DESC, r.id DESC LIMIT ${} OFFSET ${}",
            n + 1,
            n + 2
        );
        let rows = bind_all(sqlx::query(&sql), &binds)
            .fetch_all(&self.pool)
            .await?;
        Ok(RecordPage {
            rows: rows.iter().map(from_row).collect::<Result<_>>()?,
            total,
        })
    }

    /// The ids of the organizations in the subtrees (active or not).
    pub async fn org_ids_under(&self, roots: &[OrgPath]) -> Result<Vec<i64>> {
        if roots.is_empty() {
            return Ok(Vec::new());
        }
        let mut binds = Vec::new();
        let clause = roots_clause("path", roots, &mut binds);
        let rows = bind_all(
            sqlx::query(&format!("SELECT id FROM orgs WHERE {clause} ORDER BY id")),
            &binds,
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| r.try_get::<i64, _>("id").map_err(StorageError::from))
            .collect()
    }

    /// Who attended (present first).
    pub async fn record_attendance(&self, record_id: i64) -> Result<Vec<AttendanceRow>> {
        let rows = sqlx::query(ATTENDANCE_SELECT)
            .bind(record_id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(attendance_from_row).collect()
    }

    /// The attendance of many records (for workbooks), each row with the member's
    /// organization code: by record, present first.
    pub async fn attendance_of_records(
        &self,
        ids: &[i64],
    ) -> Result<Vec<(i64, String, AttendanceRow)>> {
        let mut out = Vec::new();
        for chunk in ids.chunks(500) {
            let list = chunk
                .iter()
                .map(|i| i.to_string())
                .collect::<Vec<_>>()
                .join(",");
            let rows = sqlx::query(&format!(
                "SELECT a.record_id, o.code AS member_org_code, a.member_id, \
                 m.name AS member_name, a.present, a.absence_reason FROM record_attendance a \
                 JOIN members m ON m.id = a.member_id JOIN orgs o ON o.id = m.org_id \
                 WHERE a.record_id IN ({list}) ORDER BY a.record_id, a.present DESC, a.member_id"
            ))
            .fetch_all(&self.pool)
            .await?;
            for r in &rows {
                out.push((
                    r.try_get("record_id")?,
                    r.try_get("member_org_code")?,
                    attendance_from_row(r)?,
                ));
            }
        }
        Ok(out)
    }

    /// The ids of the list items a record fulfils.
    pub async fn record_item_ids(&self, record_id: i64) -> Result<Vec<i64>> {
        let rows: Vec<(i64,)> = sqlx::query_as(
            "SELECT item_id FROM record_item_links WHERE record_id = $1 ORDER BY item_id",
        )
        .bind(record_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|(i,)| i).collect())
    }

    /// The list items a record fulfils, with their text.
    pub async fn record_items(&self, record_id: i64) -> Result<Vec<ItemRef>> {
        let rows = sqlx::query(&format!(
            "{ITEM_SELECT} JOIN record_item_links l ON l.item_id = i.id \
             WHERE l.record_id = $1 ORDER BY i.due_on, i.id"
        ))
        .bind(record_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(item_from_row).collect()
    }

    /// The ids of the records that fulfil a list item (for the lists ledger).
    pub async fn item_record_ids(&self, item_id: i64) -> Result<Vec<i64>> {
        let rows: Vec<(i64,)> = sqlx::query_as(
            "SELECT l.record_id FROM record_item_links l JOIN work_records r ON r.id = l.record_id \
             WHERE l.item_id = $1 AND r.voided = FALSE ORDER BY r.held_on, r.id",
        )
        .bind(item_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|(i,)| i).collect())
    }

    /// One list item, voided or not.
    pub async fn item_ref(&self, item_id: i64) -> Result<ItemRef> {
        let row = sqlx::query(&format!("{ITEM_SELECT} WHERE i.id = $1"))
            .bind(item_id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StorageError::NotFound("list item"))?;
        item_from_row(&row)
    }

    /// Items a record of `org_path` held in `year` may fulfil: live items due that year,
    /// carried out by the organization itself or one above it.
    pub async fn linkable_items(&self, org_path: &OrgPath, year: i32) -> Result<Vec<ItemRef>> {
        let ids = org_path.ids();
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let list = ids
            .iter()
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(",");
        let rows = sqlx::query(&format!(
            "{ITEM_SELECT} WHERE i.org_id IN ({list}) AND i.voided = FALSE \
             AND i.due_on >= $1 AND i.due_on <= $2 ORDER BY i.org_path, i.sort_order, i.id LIMIT 500"
        ))
        .bind(format!("{year:04}-01-01"))
        .bind(format!("{year:04}-12-31"))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(item_from_row).collect()
    }

    /// Problems raised by a record (their `record_id`), live ones only.
    pub async fn record_findings(&self, record_id: i64) -> Result<Vec<Finding>> {
        let rows: Vec<(i64, String, String)> = sqlx::query_as(
            "SELECT id, description, status FROM problems WHERE record_id = $1 AND voided = FALSE \
             ORDER BY id",
        )
        .bind(record_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(id, description, status)| Finding {
                id,
                description,
                status,
            })
            .collect())
    }

    /// The 三会一课 rules in force (built-in ones as overridden, then additions), including
    /// those switched off (`times == 0`).
    pub async fn meeting_rules(&self) -> Result<Vec<MeetingRule>> {
        let rows: Vec<(String, String, String, i64)> = sqlx::query_as(
            "SELECT org_kind, type_code, frequency, times FROM meeting_rules ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await?;
        let stored: Vec<MeetingRule> = rows
            .into_iter()
            .filter_map(|(org_kind, type_code, frequency, times)| {
                Some(MeetingRule {
                    org_kind,
                    type_code,
                    frequency: Frequency::parse(&frequency).ok()?,
                    times,
                })
            })
            .collect();
        Ok(meetings::effective_rules(&stored))
    }

    /// "Should hold vs. held" (应开 / 已开) for every active organization in the subtree that a
    /// rule applies to (by its kind), over `period`, owed as of `today`. Held meetings are
    /// counted in one grouped query over the subtree.
    pub async fn meeting_counts(
        &self,
        root: &OrgPath,
        period: Period,
        today: Day,
    ) -> Result<Vec<MeetingRow>> {
        let rules: Vec<MeetingRule> = self
            .meeting_rules()
            .await?
            .into_iter()
            .filter(|r| r.times > 0)
            .collect();
        let types = self.record_types_all().await?;
        let type_name = |code: &str| {
            types
                .iter()
                .find(|t| t.code == code)
                .map(|t| t.name.clone())
                .unwrap_or_else(|| code.to_string())
        };
        let orgs = self
            .orgs_in(&zeren_domain::permissions::Scope {
                roots: vec![root.clone()],
            })
            .await?;
        if orgs.is_empty() {
            return Ok(Vec::new());
        }
        let id_list = orgs
            .iter()
            .map(|o| o.id.to_string())
            .collect::<Vec<_>>()
            .join(",");
        // One grouped query over the covering index `work_records_org`.
        let held_rows: Vec<(i64, String, i64)> = sqlx::query_as(&format!(
            "SELECT org_id, type_code, COUNT(*) FROM work_records \
             WHERE org_id IN ({id_list}) AND voided = FALSE AND held_on >= $1 AND held_on <= $2 \
             GROUP BY org_id, type_code"
        ))
        .bind(period.from.text())
        .bind(period.to.text())
        .fetch_all(&self.pool)
        .await?;
        let held: HashMap<(i64, String), i64> =
            held_rows.into_iter().map(|(o, t, n)| ((o, t), n)).collect();
        let mut out = Vec::new();
        for org in orgs.into_iter().filter(|o| o.active) {
            let org_rules: Vec<&MeetingRule> = rules
                .iter()
                .filter(|r| r.org_kind == org.kind.code())
                .collect();
            if org_rules.is_empty() {
                continue;
            }
            let cells = org_rules
                .into_iter()
                .map(|r| MeetingCell {
                    type_code: r.type_code.clone(),
                    type_name: type_name(&r.type_code),
                    frequency: r.frequency,
                    times: r.times,
                    should: meetings::should_hold(r, period, today),
                    held: held
                        .get(&(org.id, r.type_code.clone()))
                        .copied()
                        .unwrap_or(0),
                })
                .collect();
            out.push(MeetingRow {
                org_id: org.id,
                org_code: org.code,
                org_name: org.name,
                org_kind: org.kind,
                org_path: org.path,
                cells,
            });
        }
        Ok(out)
    }
    /// The 三会一课 still owed in the running periods (本期尚需召开): for every active
    /// organization in the scope that a rule applies to, each rule whose meetings held in the
    /// month, quarter or year containing `today` are fewer than it asks for. Held meetings are
    /// counted in one grouped query; the periods ending soonest come first, then the tree.
    pub async fn meetings_due(&self, scope: &Scope, today: Day) -> Result<Vec<MeetingDue>> {
        let rules: Vec<MeetingRule> = self
            .meeting_rules()
            .await?
            .into_iter()
            .filter(|r| r.times > 0)
            .collect();
        let orgs: Vec<_> = self
            .orgs_in(scope)
            .await?
            .into_iter()
            .filter(|o| o.active && rules.iter().any(|r| r.org_kind == o.kind.code()))
            .collect();
        if orgs.is_empty() {
            return Ok(Vec::new());
        }
        let types = self.record_types_all().await?;
        let id_list = orgs
            .iter()
            .map(|o| o.id.to_string())
            .collect::<Vec<_>>()
            .join(",");
        let month = Frequency::Monthly.period_of(today);
        let quarter = Frequency::Quarterly.period_of(today);
        let year = Frequency::Yearly.period_of(today);
        // One pass over the year's records: each counted in the windows it falls in.
        let held_rows: Vec<(i64, String, i64, i64, i64)> = sqlx::query_as(&format!(
            "SELECT org_id, type_code, \
             CAST(COALESCE(SUM(CASE WHEN held_on >= $1 AND held_on <= $2 THEN 1 ELSE 0 END), 0) AS BIGINT), \
             CAST(COALESCE(SUM(CASE WHEN held_on >= $3 AND held_on <= $4 THEN 1 ELSE 0 END), 0) AS BIGINT), \
             COUNT(*) \
             FROM work_records WHERE org_id IN ({id_list}) AND voided = FALSE \
             AND held_on >= $5 AND held_on <= $6 GROUP BY org_id, type_code"
        ))
        .bind(month.from.text())
        .bind(month.to.text())
        .bind(quarter.from.text())
        .bind(quarter.to.text())
        .bind(year.from.text())
        .bind(year.to.text())
        .fetch_all(&self.pool)
        .await?;
        let held: HashMap<(i64, String), [i64; 3]> = held_rows
            .into_iter()
            .map(|(o, t, m, q, y)| ((o, t), [m, q, y]))
            .collect();
        let mut out = Vec::new();
        for (position, org) in orgs.iter().enumerate() {
            for (rule_no, r) in rules
                .iter()
                .filter(|r| r.org_kind == org.kind.code())
                .enumerate()
            {
                let counts = held
                    .get(&(org.id, r.type_code.clone()))
                    .copied()
                    .unwrap_or_default();
                let held = match r.frequency {
                    Frequency::Monthly => counts[0],
                    Frequency::Quarterly => counts[1],
                    Frequency::Yearly => counts[2],
                };
                if held >= r.times {
                    continue;
                }
                out.push((
                    (r.frequency.period_of(today).to, position, rule_no),
                    MeetingDue {
                        org_id: org.id,
                        org_code: org.code.clone(),
                        org_name: org.name.clone(),
                        type_code: r.type_code.clone(),
                        type_name: types
                            .iter()
                            .find(|t| t.code == r.type_code)
                            .map(|t| t.name.clone())
                            .unwrap_or_else(|| r.type_code.clone()),
                        frequency: r.frequency,
                        period: r.frequency.period_of(today),
                        should: r.times,
                        held,
                    },
                ));
            }
        }
        out.sort_by_key(|(key, _)| *key);
        Ok(out.into_iter().map(|(_, d)| d).collect())
    }
}

/// A kind of meeting an organization still owes in the running period (本期尚需召开).
#[derive(Debug, Clone, Serialize)]
pub struct MeetingDue {
    pub org_id: i64,
    pub org_code: String,
    pub org_name: String,
    pub type_code: String,
    pub type_name: String,
    pub frequency: Frequency,
    /// The month, quarter or year containing the day asked about.
    pub period: Period,
    /// 应开: what the rule asks for in the period.
    pub should: i64,
    /// 已开 so far in the period.
    pub held: i64,
}

/// One organization's 三会一课 figures over a period.
#[derive(Debug, Clone, Serialize)]
pub struct MeetingRow {
    pub org_id: i64,
    pub org_code: String,
    pub org_name: String,
    pub org_kind: OrgKind,
    pub org_path: OrgPath,
    /// One per rule that applies to the organization's kind, in rule order.
    pub cells: Vec<MeetingCell>,
}

impl MeetingRow {
    /// Some rule's meetings fall short.
    pub fn short(&self) -> bool {
        self.cells.iter().any(|c| c.short())
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct MeetingCell {
    pub type_code: String,
    pub type_name: String,
    pub frequency: Frequency,
    pub times: i64,
    /// 应开
    pub should: i64,
    /// 已开
    pub held: i64,
}

impl MeetingCell {
    pub fn short(&self) -> bool {
        self.held < self.should
    }
}

impl WriteTx {
    async fn record(&mut self, id: i64) -> Result<WorkRecord> {
        let row = sqlx::query(&format!("{RECORD_SELECT} WHERE r.id = $1"))
            .bind(id)
            .fetch_optional(&mut *self.tx)
            .await?
            .ok_or(StorageError::NotFound("record"))?;
        from_row(&row)
    }

    async fn attendance(&mut self, record_id: i64) -> Result<Vec<AttendanceRow>> {
        let rows = sqlx::query(ATTENDANCE_SELECT)
            .bind(record_id)
            .fetch_all(&mut *self.tx)
            .await?;
        rows.iter().map(attendance_from_row).collect()
    }

    /// The record types, read inside this transaction; switched-off additions only when asked.
    async fn record_type_list(&mut self, with_inactive: bool) -> Result<Vec<RecordType>> {
        let rows = sqlx::query(
            "SELECT code, name, config, active FROM catalog_entries WHERE kind = 'record_type'",
        )
        .fetch_all(&mut *self.tx)
        .await?;
        let entries = rows
            .iter()
            .map(|r| {
                Ok((
                    r.try_get("code")?,
                    r.try_get("name")?,
                    r.try_get("config")?,
                    crate::get_bool(r, "active")?,
                ))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(types_from(entries, with_inactive))
    }

    /// A record type by code; one switched off since is found only when `keep` names it
    /// (a record keeps its type).
    async fn record_type_for(&mut self, code: &str, keep: Option<&str>) -> Result<RecordType> {
        let with_inactive = keep == Some(code);
        self.record_type_list(with_inactive)
            .await?
            .into_iter()
            .find(|t| t.code == code)
            .ok_or_else(unknown_type)
    }

    /// Checks attendance: members of the organization's subtree, each once, not voided, on
    /// the roster (unless already listed on this record), an absence with its reason.
    async fn check_attendance(
        &mut self,
        org_path: &OrgPath,
        ty: &RecordType,
        list: &[Attendance],
        existing: &[AttendanceRow],
    ) -> Result<Vec<Attendance>> {
        if !list.is_empty() && !ty.has(RecordField::Attendees) {
            return Err(StorageError::Rejected {
                field: "attendees",
                message: format!("“{}”类纪实不登记参加人员", ty.name),
            });
        }
        if list.len() > 5000 {
            return Err(StorageError::Rejected {
                field: "attendees",
                message: "参加人员不能超过5000人".into(),
            });
        }
        let mut out = Vec::with_capacity(list.len());
        let mut seen = std::collections::HashSet::new();
        for a in list {
            if !seen.insert(a.member_id) {
                return Err(StorageError::Rejected {
                    field: "attendees",
                    message: "参加人员中有重复的党员".into(),
                });
            }
            let not_here = || StorageError::Rejected {
                field: "attendees",
                message: "参加人员应为本组织的党员".into(),
            };
            let m = match self.member(a.member_id).await {
                Ok(m) => m,
                Err(StorageError::NotFound(_)) => return Err(not_here()),
                Err(e) => return Err(e),
            };
            if m.voided || !org_path.covers(&m.path()) {
                return Err(not_here());
            }
            if !m.on_roster() && !existing.iter().any(|e| e.member_id == m.id) {
                return Err(StorageError::Rejected {
                    field: "attendees",
                    message: format!("{}已{}，不能登记参加", m.name, m.status_label()),
                });
            }
            let reason = zeren_domain::records::absence_reason(a.present, &a.absence_reason)
                .map_err(invalid)?;
            out.push(Attendance {
                member_id: a.member_id,
                present: a.present,
                absence_reason: reason,
            });
        }
        Ok(out)
    }

    async fn write_attendance(&mut self, record_id: i64, list: &[Attendance]) -> Result<()> {
        sqlx::query("DELETE FROM record_attendance WHERE record_id = $1")
            .bind(record_id)
            .execute(&mut *self.tx)
            .await?;
        for a in list {
            sqlx::query(
                "INSERT INTO record_attendance (record_id, member_id, present, absence_reason) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(record_id)
            .bind(a.member_id)
            .bind(a.present)
            .bind(&a.absence_reason)
            .execute(&mut *self.tx)
            .await?;
        }
        Ok(())
    }

    /// 人次 from the attendance (members present) when attendance is recorded and no figure
    /// was given.
    async fn fill_person_times(&mut self, record_id: i64, given: Option<i64>) -> Result<()> {
        if given.is_some() {
            return Ok(());
        }
        let (listed, present): (i64, i64) = sqlx::query_as(
            "SELECT COUNT(*), CAST(COALESCE(SUM(CASE WHEN present THEN 1 ELSE 0 END), 0) AS BIGINT) \
             FROM record_attendance WHERE record_id = $1",
        )
        .bind(record_id)
        .fetch_one(&mut *self.tx)
        .await?;
        if listed > 0 {
            sqlx::query("UPDATE work_records SET person_times = $1 WHERE id = $2")
                .bind(present)
                .bind(record_id)
                .execute(&mut *self.tx)
                .await?;
        }
        Ok(())
    }

    /// Records a meeting or activity for an organization; audited with its attendance.
    pub async fn create_record(&mut self, new: NewRecord, actor: &Actor) -> Result<WorkRecord> {
        let ty = self.record_type_for(&new.type_code, None).await?;
        let v = new.values.check(&ty, Day::today()).map_err(invalid)?;
        let org = self.active_org(new.org_id, "org").await?;
        let attendance = match &new.attendance {
            Some(list) => Some(self.check_attendance(&org.path, &ty, list, &[]).await?),
            None => None,
        };
        let now = clock::now_text();
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO work_records (org_id, org_path, type_code, title, held_on, place, host, \
             recorder, person_times, hours, sessions, items, outlet_level, content, created_by, \
             created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, CAST($10 AS DOUBLE PRECISION), $11, $12, \
             $13, $14, $15, $16, $16) \
             RETURNING id",
        )
        .bind(org.id)
        .bind(org.path.as_str())
        .bind(&ty.code)
        .bind(&v.title)
        .bind(v.held_on.text())
        .bind(&v.place)
        .bind(&v.host)
        .bind(&v.recorder)
        .bind(v.person_times)
        .bind(crate::real_text(v.hours))
        .bind(v.sessions)
        .bind(v.items)
        .bind(v.outlet_level.map(|l| l.code()).unwrap_or(""))
        .bind(&v.content)
        .bind(actor.id)
        .bind(&now)
        .fetch_one(&mut *self.tx)
        .await?;
        let rows = match &attendance {
            Some(list) => {
                self.write_attendance(id, list).await?;
                self.fill_person_times(id, v.person_times).await?;
                self.attendance(id).await?
            }
            // A new record without attendance has none to read back (one query less per
            // record, which counts when a workbook brings thousands).
            None => Vec::new(),
        };
        let record = self.record(id).await?;
        self.audit(actor.event(
            "record.create",
            "record",
            id,
            None::<&()>,
            Some(&Snapshot {
                record: &record,
                attendance: &rows,
            }),
        ))
        .await?;
        Ok(record)
    }

    /// Records many meetings or activities at once (a workbook's import). Each is checked as
    /// [`WriteTx::create_record`] checks it; when none is refused, all are written with
    /// multi-row inserts and each gets the audit entry `create_record` appends
    /// (`record.create`, with the record and its attendance), in order. Refusals come back
    /// with the position of the record concerned, and then nothing has been written.
    pub async fn create_records(
        &mut self,
        news: Vec<NewRecord>,
        actor: &Actor,
    ) -> Result<std::result::Result<Vec<WorkRecord>, Vec<(usize, StorageError)>>> {
        let today = Day::today();
        let types = self.record_type_list(false).await?;
        let mut ids: Vec<i64> = news.iter().map(|n| n.org_id).collect();
        ids.sort_unstable();
        ids.dedup();
        let mut orgs: HashMap<i64, LedgerOrg> = HashMap::new();
        for chunk in ids.chunks(500) {
            let list = chunk
                .iter()
                .map(|i| i.to_string())
                .collect::<Vec<_>>()
                .join(",");
            let rows = sqlx::query(&format!(
                "SELECT id, path, name, active FROM orgs WHERE id IN ({list})"
            ))
            .fetch_all(&mut *self.tx)
            .await?;
            for row in &rows {
                let org = LedgerOrg {
                    id: row.try_get("id")?,
                    path: OrgPath(row.try_get("path")?),
                    name: row.try_get("name")?,
                    active: crate::get_bool(row, "active")?,
                };
                orgs.insert(org.id, org);
            }
        }
        let mut refused = Vec::new();
        let mut checked = Vec::with_capacity(news.len());
        for (i, new) in news.into_iter().enumerate() {
            let Some(ty) = types.iter().find(|t| t.code == new.type_code) else {
                refused.push((i, unknown_type()));
                continue;
            };
            let v = match new.values.check(ty, today) {
                Ok(v) => v,
                Err(e) => {
                    refused.push((i, invalid(e)));
                    continue;
                }
            };
            let org = match orgs.get(&new.org_id) {
                None => {
                    refused.push((i, StorageError::NotFound("organization")));
                    continue;
                }
                Some(o) if !o.active => {
                    refused.push((
                        i,
                        StorageError::Rejected {
                            field: "org",
                            message: format!("“{}”已停用，不能再登记", o.name),
                        },
                    ));
                    continue;
                }
                Some(o) => o,
            };
            let attendance = match &new.attendance {
                Some(list) => match self.check_attendance(&org.path, ty, list, &[]).await {
                    Ok(a) => Some(a),
                    Err(e @ StorageError::Rejected { .. }) => {
                        refused.push((i, e));
                        continue;
                    }
                    Err(e) => return Err(e),
                },
                None => None,
            };
            checked.push((org.id, org.path.clone(), ty.code.clone(), v, attendance));
        }
        if !refused.is_empty() {
            return Ok(Err(refused));
        }
        if checked.is_empty() {
            return Ok(Ok(Vec::new()));
        }
        // Ids assigned here (writers are serialised), so that one statement inserts hundreds.
        let (max,): (Option<i64>,) = sqlx::query_as("SELECT MAX(id) FROM work_records")
            .fetch_one(&mut *self.tx)
            .await?;
        let first = max.unwrap_or(0) + 1;
        let now = clock::now_text();
        const COLUMNS: usize = 18;
        let per = crate::rows_per_insert(self.backend, COLUMNS);
        for (k, chunk) in checked.chunks(per).enumerate() {
            let mut sql = String::from(
                "INSERT INTO work_records (id, org_id, org_path, type_code, title, held_on, place, \
                 host, recorder, person_times, hours, sessions, items, outlet_level, content, \
                 created_by, created_at, updated_at) VALUES ",
            );
            for j in 0..chunk.len() {
                let b = j * COLUMNS;
                if j > 0 {
                    sql.push_str(", ");
                }
                let cells: Vec<String> = (1..=COLUMNS)
                    .map(|c| {
                        if c == 11 {
                            format!("CAST(${} AS DOUBLE PRECISION)", b + c)
                        } else {
                            format!("${}", b + c)
                        }
                    })
                    .collect();
                sql.push_str(&format!("({})", cells.join(", ")));
            }
            // Not cached on PostgreSQL: a cached statement keeps the parameter types of its
            // first use, and a NULL there would not take a number in a later chunk.
            let mut q = sqlx::query(&sql).persistent(self.backend == crate::Backend::Sqlite);
            for (j, (org_id, path, type_code, v, _)) in chunk.iter().enumerate() {
                q = q
                    .bind(first + (k * per + j) as i64)
                    .bind(*org_id)
                    .bind(path.as_str())
                    .bind(type_code.as_str())
                    .bind(v.title.as_str())
                    .bind(v.held_on.text())
                    .bind(v.place.as_str())
                    .bind(v.host.as_str())
                    .bind(v.recorder.as_str())
                    .bind(v.person_times)
                    .bind(crate::real_text(v.hours))
                    .bind(v.sessions)
                    .bind(v.items)
                    .bind(v.outlet_level.map(|l| l.code()).unwrap_or(""))
                    .bind(v.content.as_str())
                    .bind(actor.id)
                    .bind(now.as_str())
                    .bind(now.as_str());
            }
            q.execute(&mut *self.tx).await?;
        }
        let last = first + checked.len() as i64 - 1;
        if self.backend == crate::Backend::Postgres {
            sqlx::query("SELECT setval(pg_get_serial_sequence('work_records', 'id'), $1, true)")
                .bind(last)
                .execute(&mut *self.tx)
                .await?;
        }
        let mut attendance: HashMap<i64, Vec<AttendanceRow>> = HashMap::new();
        for (j, (_, _, _, v, list)) in checked.iter().enumerate() {
            if let Some(list) = list {
                let id = first + j as i64;
                self.write_attendance(id, list).await?;
                self.fill_person_times(id, v.person_times).await?;
                attendance.insert(id, self.attendance(id).await?);
            }
        }
        let rows = sqlx::query(&format!(
            "{RECORD_SELECT} WHERE r.id >= $1 AND r.id <= $2 ORDER BY r.id"
        ))
        .bind(first)
        .bind(last)
        .fetch_all(&mut *self.tx)
        .await?;
        let records = rows.iter().map(from_row).collect::<Result<Vec<_>>>()?;
        let none = Vec::new();
        let events = records
            .iter()
            .map(|r| {
                actor.event(
                    "record.create",
                    "record",
                    r.id,
                    None::<&()>,
                    Some(&Snapshot {
                        record: r,
                        attendance: attendance.get(&r.id).unwrap_or(&none),
                    }),
                )
            })
            .collect();
        self.audit_many(events).await?;
        Ok(Ok(records))
    }

    /// Changes a record (organization, type, values, and attendance when given); audited
    /// with the record before and after. A voided record cannot be changed.
    pub async fn update_record(
        &mut self,
        id: i64,
        change: RecordChange,
        actor: &Actor,
    ) -> Result<WorkRecord> {
        let before = self.record(id).await?;
        if before.voided {
            return Err(StorageError::Rejected {
                field: "id",
                message: "该纪实已作废，不能修改".into(),
            });
        }
        let before_rows = self.attendance(id).await?;
        let ty = self
            .record_type_for(&change.type_code, Some(&before.type_code))
            .await?;
        let v = change.values.check(&ty, Day::today()).map_err(invalid)?;
        let (org_id, org_path) = if change.org_id == before.org_id {
            (before.org_id, before.path())
        } else {
            let org = self.active_org(change.org_id, "org").await?;
            (org.id, org.path)
        };
        // The attendance as it will be: replaced, or kept (and then still checked against
        // a new organization or type).
        let list = match &change.attendance {
            Some(list) => list.clone(),
            None => before_rows
                .iter()
                .map(|r| Attendance {
                    member_id: r.member_id,
                    present: r.present,
                    absence_reason: r.absence_reason.clone(),
                })
                .collect(),
        };
        let list = self
            .check_attendance(&org_path, &ty, &list, &before_rows)
            .await?;
        sqlx::query(
            "UPDATE work_records SET org_id = $1, org_path = $2, type_code = $3, title = $4, \
             held_on = $5, place = $6, host = $7, recorder = $8, person_times = $9, \
             hours = CAST($10 AS DOUBLE PRECISION), \
             sessions = $11, items = $12, outlet_level = $13, content = $14, updated_at = $15 \
             WHERE id = $16",
        )
        .bind(org_id)
        .bind(org_path.as_str())
        .bind(&ty.code)
        .bind(&v.title)
        .bind(v.held_on.text())
        .bind(&v.place)
        .bind(&v.host)
        .bind(&v.recorder)
        .bind(v.person_times)
        .bind(crate::real_text(v.hours))
        .bind(v.sessions)
        .bind(v.items)
        .bind(v.outlet_level.map(|l| l.code()).unwrap_or(""))
        .bind(&v.content)
        .bind(clock::now_text())
        .bind(id)
        .execute(&mut *self.tx)
        .await?;
        if change.attendance.is_some() {
            self.write_attendance(id, &list).await?;
        }
        self.fill_person_times(id, v.person_times).await?;
        let after = self.record(id).await?;
        let after_rows = self.attendance(id).await?;
        self.audit(actor.event(
            "record.update",
            "record",
            id,
            Some(&Snapshot {
                record: &before,
                attendance: &before_rows,
            }),
            Some(&Snapshot {
                record: &after,
                attendance: &after_rows,
            }),
        ))
        .await?;
        Ok(after)
    }

    /// Voids a record with a reason (it no longer counts anywhere); audited.
    pub async fn void_record(
        &mut self,
        id: i64,
        reason: &str,
        actor: &Actor,
    ) -> Result<WorkRecord> {
        let reason = zeren_domain::records::void_reason(reason).map_err(invalid)?;
        let before = self.record(id).await?;
        if before.voided {
            return Err(StorageError::Rejected {
                field: "id",
                message: "该纪实已作废".into(),
            });
        }
        let rows = self.attendance(id).await?;
        sqlx::query(
            "UPDATE work_records SET voided = TRUE, void_reason = $1, voided_at = $2, \
             voided_by = $3, updated_at = $2 WHERE id = $4",
        )
        .bind(&reason)
        .bind(clock::now_text())
        .bind(actor.id)
        .bind(id)
        .execute(&mut *self.tx)
        .await?;
        let after = self.record(id).await?;
        self.audit(actor.event(
            "record.void",
            "record",
            id,
            Some(&Snapshot {
                record: &before,
                attendance: &rows,
            }),
            Some(&Snapshot {
                record: &after,
                attendance: &rows,
            }),
        ))
        .await?;
        Ok(after)
    }

    /// Records that a record fulfils a list item; audited. The item must exist and be live
    /// (whether the caller may see it is the caller's check).
    pub async fn link_record_item(
        &mut self,
        record_id: i64,
        item_id: i64,
        actor: &Actor,
    ) -> Result<()> {
        let record = self.record(record_id).await?;
        if record.voided {
            return Err(StorageError::Rejected {
                field: "id",
                message: "该纪实已作废".into(),
            });
        }
        let live: Option<(i64,)> =
            sqlx::query_as("SELECT id FROM list_items WHERE id = $1 AND voided = FALSE")
                .bind(item_id)
                .fetch_optional(&mut *self.tx)
                .await?;
        if live.is_none() {
            return Err(StorageError::Rejected {
                field: "item_id",
                message: "清单事项不存在或已作废".into(),
            });
        }
        let known: Option<(i64,)> = sqlx::query_as(
            "SELECT item_id FROM record_item_links WHERE record_id = $1 AND item_id = $2",
        )
        .bind(record_id)
        .bind(item_id)
        .fetch_optional(&mut *self.tx)
        .await?;
        if known.is_some() {
            return Err(StorageError::Rejected {
                field: "item_id",
                message: "该纪实已关联此清单事项".into(),
            });
        }
        let now = clock::now_text();
        sqlx::query(
            "INSERT INTO record_item_links (record_id, item_id, created_at) VALUES ($1, $2, $3)",
        )
        .bind(record_id)
        .bind(item_id)
        .bind(&now)
        .execute(&mut *self.tx)
        .await?;
        let link = LinkAudit {
            record_id,
            item_id,
            created_at: now,
        };
        self.audit(actor.event(
            "record.link_item",
            "record",
            record_id,
            None::<&()>,
            Some(&link),
        ))
        .await?;
        Ok(())
    }

    /// Removes a record ↔ list item link; audited (the link row is all there is to it).
    pub async fn unlink_record_item(
        &mut self,
        record_id: i64,
        item_id: i64,
        actor: &Actor,
    ) -> Result<()> {
        let known: Option<(String,)> = sqlx::query_as(
            "SELECT created_at FROM record_item_links WHERE record_id = $1 AND item_id = $2",
        )
        .bind(record_id)
        .bind(item_id)
        .fetch_optional(&mut *self.tx)
        .await?;
        let Some((created_at,)) = known else {
            return Err(StorageError::NotFound("record item link"));
        };
        sqlx::query("DELETE FROM record_item_links WHERE record_id = $1 AND item_id = $2")
            .bind(record_id)
            .bind(item_id)
            .execute(&mut *self.tx)
            .await?;
        let link = LinkAudit {
            record_id,
            item_id,
            created_at,
        };
        self.audit(actor.event(
            "record.unlink_item",
            "record",
            record_id,
            Some(&link),
            None::<&()>,
        ))
        .await?;
        Ok(())
    }

    /// Replaces the 三会一课 rules: afterwards the rules in force are exactly `rules` (a
    /// built-in rule left out is switched off). The caller checks each rule's type exists.
    pub async fn set_meeting_rules(&mut self, rules: &[MeetingRule], actor: &Actor) -> Result<()> {
        let mut checked: Vec<MeetingRule> = Vec::with_capacity(rules.len());
        for r in rules {
            let r = meetings::check_rule(r).map_err(invalid)?;
            if checked
                .iter()
                .any(|c| c.org_kind == r.org_kind && c.type_code == r.type_code)
            {
                return Err(StorageError::Rejected {
                    field: "rules",
                    message: format!("同一组织类型的“{}”规则重复", r.type_code),
                });
            }
            checked.push(r);
        }
        let before_rows: Vec<(String, String, String, i64)> = sqlx::query_as(
            "SELECT org_kind, type_code, frequency, times FROM meeting_rules ORDER BY id",
        )
        .fetch_all(&mut *self.tx)
        .await?;
        let before: Vec<MeetingRule> = before_rows
            .into_iter()
            .filter_map(|(org_kind, type_code, f, times)| {
                Some(MeetingRule {
                    org_kind,
                    type_code,
                    frequency: Frequency::parse(&f).ok()?,
                    times,
                })
            })
            .collect();
        let before = meetings::effective_rules(&before);
        let mut stored = checked.clone();
        for b in meetings::builtin_rules() {
            if !checked
                .iter()
                .any(|c| c.org_kind == b.org_kind && c.type_code == b.type_code)
            {
                stored.push(MeetingRule { times: 0, ..b });
            }
        }
        sqlx::query("DELETE FROM meeting_rules")
            .execute(&mut *self.tx)
            .await?;
        let now = clock::now_text();
        for r in &stored {
            sqlx::query(
                "INSERT INTO meeting_rules (org_kind, type_code, frequency, times, updated_at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(&r.org_kind)
            .bind(&r.type_code)
            .bind(r.frequency.code())
            .bind(r.times)
            .bind(&now)
            .execute(&mut *self.tx)
            .await?;
        }
        let after = meetings::effective_rules(&stored);
        self.audit(actor.event(
            "meeting_rules.update",
            "meeting_rules",
            "all",
            Some(&before),
            Some(&after),
        ))
        .await?;
        Ok(())
    }
}

fn unknown_type() -> StorageError {
    StorageError::Rejected {
        field: "type",
        message: "请选择有效的纪实类型".into(),
    }
}

#[derive(Serialize)]
struct LinkAudit {
    record_id: i64,
    item_id: i64,
    created_at: String,
}
