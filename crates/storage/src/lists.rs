//! Responsibility lists (两清单 / 三级责任清单): a list of one organization for one year, its
//! items (category, 责任领导, 承办单位, 时间表, 路线图, 量化指标), progress reports (季度调度)
//! and completion with evidence. A list is copied from last year (`copy_list`) and handed down
//! to branches (`hand_down`, 上级下发), which refine their copies (下级细化).
//!
//! Every change is audited with before and after; nothing is deleted (voided with a reason).

use crate::orgs::Actor;
use crate::qbuild::{bind, bind_as, Where};
use crate::{Result, StorageError, Store, WriteTx};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::Row;
use zeren_domain::clock;
use zeren_domain::date::{Day, Period};
use zeren_domain::lists::{self, ItemStatus, ListKind, Recurrence};
use zeren_domain::metrics::MetricDef;
use zeren_domain::org::OrgPath;
use zeren_domain::permissions::Scope;

/// A responsibility or task list of one organization for one year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RespList {
    pub id: i64,
    pub org_id: i64,
    pub org_path: String,
    pub year: i64,
    pub kind: ListKind,
    pub title: String,
    /// 上级下发: the superior's list this one was handed down from.
    pub parent_list_id: Option<i64>,
    /// The earlier year's list this one was copied from.
    pub copied_from_id: Option<i64>,
    pub created_by: Option<i64>,
    pub created_at: String,
    pub updated_at: String,
    pub voided: bool,
    pub void_reason: String,
    pub voided_at: Option<String>,
    pub voided_by: Option<i64>,
}

/// One item of a list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ListItem {
    pub id: i64,
    pub list_id: i64,
    /// The organization that carries the item out (承办单位).
    pub org_id: i64,
    pub org_path: String,
    pub category: String,
    pub description: String,
    /// 责任领导 (一岗双责).
    pub owner_account_id: Option<i64>,
    pub deadline: Option<String>,
    pub recurrence: Recurrence,
    /// The deadline, or the last day of the list's year.
    pub due_on: String,
    /// 路线图
    pub steps: String,
    /// 量化指标: the metric whose value must reach `target_value`.
    pub target_metric: Option<String>,
    pub target_value: Option<f64>,
    pub status: ItemStatus,
    pub completed_on: Option<String>,
    pub completion_note: String,
    /// 下级细化: the superior's item this one was handed down from.
    pub parent_item_id: Option<i64>,
    pub sort_order: i64,
    pub created_by: Option<i64>,
    pub created_at: String,
    pub updated_at: String,
    pub voided: bool,
    pub void_reason: String,
    pub voided_at: Option<String>,
    pub voided_by: Option<i64>,
}

impl ListItem {
    pub fn has_target(&self) -> bool {
        self.target_metric.is_some()
    }

    pub fn is_overdue(&self, today: Day) -> bool {
        !self.voided && lists::is_overdue(self.status, &self.due_on, today)
    }
}

/// A progress report (季度调度) on an item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Progress {
    pub id: i64,
    pub item_id: i64,
    pub reported_on: String,
    pub text: String,
    pub created_by: Option<i64>,
    pub created_at: String,
    pub voided: bool,
    pub void_reason: String,
    pub voided_at: Option<String>,
    pub voided_by: Option<i64>,
}

/// A progress report as shown: with the reporter's name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProgressView {
    pub progress: Progress,
    pub reporter: Option<String>,
}

/// The leader an item belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Owner {
    pub id: i64,
    pub username: String,
    pub name: String,
    pub title: String,
    /// 分管领域
    pub portfolio: String,
}

/// An item as shown: with its owner, its organization and its list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemView {
    pub item: ListItem,
    pub org_name: String,
    pub org_code: String,
    pub owner: Option<Owner>,
    pub list_year: i64,
    pub list_title: String,
    pub list_org_id: i64,
    pub list_org_path: String,
    pub list_voided: bool,
    /// Live progress reports.
    pub progress_count: i64,
    pub last_progress_on: Option<String>,
}

/// A list with its counts, for overviews.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ListSummary {
    pub list: RespList,
    pub org_name: String,
    pub org_code: String,
    /// Live items.
    pub items: i64,
    pub done: i64,
    /// Open items whose due day has passed.
    pub overdue: i64,
}

impl ListSummary {
    /// Done ÷ items as a whole percentage (0 for an empty list), for progress bars.
    pub fn done_percent(&self) -> i64 {
        if self.items == 0 {
            0
        } else {
            self.done * 100 / self.items
        }
    }
}

/// A work record linked to an item (the records ledger writes the links).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LinkedRecord {
    pub id: i64,
    pub title: String,
    pub held_on: String,
    pub org_id: i64,
    pub org_name: String,
}

/// A new list.
#[derive(Debug, Clone)]
pub struct NewList {
    pub org_id: i64,
    pub year: i32,
    pub kind: ListKind,
    pub title: String,
}

/// A change to a list; `None` keeps a field. (The year is fixed: items are filed by it.)
#[derive(Debug, Clone, Default)]
pub struct ListChange {
    pub title: Option<String>,
    pub kind: Option<ListKind>,
}

/// The fields of an item, for creating and for replacing. Texts are already validated by
/// the domain's parsers; what needs the database (the organization, the owner, the category,
/// the deadline against the list's year) is checked here.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemFields {
    pub category: String,
    pub description: String,
    pub owner_account_id: Option<i64>,
    /// 承办单位: the list's organization or one below it.
    pub org_id: i64,
    pub deadline: Option<Day>,
    pub recurrence: Recurrence,
    pub steps: String,
    /// (metric name, target value); the caller checks the name against the catalogue.
    pub target: Option<(String, f64)>,
}

impl ItemFields {
    /// The fields of an existing item (to change some of them).
    pub fn of(item: &ListItem) -> ItemFields {
        ItemFields {
            category: item.category.clone(),
            description: item.description.clone(),
            owner_account_id: item.owner_account_id,
            org_id: item.org_id,
            deadline: item.deadline.as_deref().and_then(Day::from_stored),
            recurrence: item.recurrence,
            steps: item.steps.clone(),
            target: match (&item.target_metric, item.target_value) {
                (Some(m), Some(v)) => Some((m.clone(), v)),
                _ => None,
            },
        }
    }
}

const LIST_COLUMNS: &str = "id, org_id, org_path, year, kind, title, parent_list_id, \
    copied_from_id, created_by, created_at, updated_at, voided, void_reason, voided_at, voided_by";

const ITEM_COLUMNS: &str = "id, list_id, org_id, org_path, category, description, \
    owner_account_id, deadline, recurrence, due_on, steps, target_metric, target_value, status, \
    completed_on, completion_note, parent_item_id, sort_order, created_by, created_at, \
    updated_at, voided, void_reason, voided_at, voided_by";

const PROGRESS_COLUMNS: &str = "id, item_id, reported_on, text, created_by, created_at, voided, \
    void_reason, voided_at, voided_by";

/// `a.x, a.y, …` for a column list.
fn prefixed(columns: &str, alias: &str) -> String {
    columns
        .split(',')
        .map(|c| format!("{alias}.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn list_from_row(row: &AnyRow) -> Result<RespList> {
    let kind: String = row.try_get("kind")?;
    Ok(RespList {
        id: row.try_get("id")?,
        org_id: row.try_get("org_id")?,
        org_path: row.try_get("org_path")?,
        year: row.try_get("year")?,
        kind: ListKind::parse(&kind).unwrap_or(ListKind::Responsibility),
        title: row.try_get("title")?,
        parent_list_id: row.try_get("parent_list_id")?,
        copied_from_id: row.try_get("copied_from_id")?,
        created_by: row.try_get("created_by")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        voided: crate::get_bool(row, "voided")?,
        void_reason: row.try_get("void_reason")?,
        voided_at: row.try_get("voided_at")?,
        voided_by: row.try_get("voided_by")?,
    })
}

fn item_from_row(row: &AnyRow) -> Result<ListItem> {
    let recurrence: String = row.try_get("recurrence")?;
    let status: String = row.try_get("status")?;
    Ok(ListItem {
        id: row.try_get("id")?,
        list_id: row.try_get("list_id")?,
        org_id: row.try_get("org_id")?,
        org_path: row.try_get("org_path")?,
        category: row.try_get("category")?,
        description: row.try_get("description")?,
        owner_account_id: row.try_get("owner_account_id")?,
        deadline: row.try_get("deadline")?,
        recurrence: Recurrence::parse(&recurrence).unwrap_or(Recurrence::Once),
        due_on: row.try_get("due_on")?,
        steps: row.try_get("steps")?,
        target_metric: row.try_get("target_metric")?,
        target_value: row.try_get("target_value")?,
        status: ItemStatus::parse(&status).unwrap_or(ItemStatus::Open),
        completed_on: row.try_get("completed_on")?,
        completion_note: row.try_get("completion_note")?,
        parent_item_id: row.try_get("parent_item_id")?,
        sort_order: row.try_get("sort_order")?,
        created_by: row.try_get("created_by")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        voided: crate::get_bool(row, "voided")?,
        void_reason: row.try_get("void_reason")?,
        voided_at: row.try_get("voided_at")?,
        voided_by: row.try_get("voided_by")?,
    })
}

fn progress_from_row(row: &AnyRow) -> Result<Progress> {
    Ok(Progress {
        id: row.try_get("id")?,
        item_id: row.try_get("item_id")?,
        reported_on: row.try_get("reported_on")?,
        text: row.try_get("text")?,
        created_by: row.try_get("created_by")?,
        created_at: row.try_get("created_at")?,
        voided: crate::get_bool(row, "voided")?,
        void_reason: row.try_get("void_reason")?,
        voided_at: row.try_get("voided_at")?,
        voided_by: row.try_get("voided_by")?,
    })
}

/// Items with their organization, owner, list and progress counts.
fn item_view_select() -> String {
    format!(
        "SELECT {}, o.name AS org_name, o.code AS org_code, \
         a.id AS owner_id, a.username AS owner_username, a.display_name AS owner_name, \
         a.title AS owner_title, a.portfolio AS owner_portfolio, \
         l.year AS list_year, l.title AS list_title, l.org_id AS list_org_id, \
         l.org_path AS list_org_path, l.voided AS list_voided, \
         (SELECT COUNT(*) FROM list_progress p WHERE p.item_id = i.id AND p.voided = FALSE) AS progress_count, \
         (SELECT MAX(p.reported_on) FROM list_progress p WHERE p.item_id = i.id AND p.voided = FALSE) AS last_progress_on \
         FROM list_items i JOIN orgs o ON o.id = i.org_id JOIN resp_lists l ON l.id = i.list_id \
         LEFT JOIN accounts a ON a.id = i.owner_account_id",
        prefixed(ITEM_COLUMNS, "i")
    )
}

fn item_view_from_row(row: &AnyRow) -> Result<ItemView> {
    let owner = match row.try_get::<Option<i64>, _>("owner_id")? {
        Some(id) => Some(Owner {
            id,
            username: row.try_get("owner_username")?,
            name: row.try_get("owner_name")?,
            title: row.try_get("owner_title")?,
            portfolio: row.try_get("owner_portfolio")?,
        }),
        None => None,
    };
    Ok(ItemView {
        item: item_from_row(row)?,
        org_name: row.try_get("org_name")?,
        org_code: row.try_get("org_code")?,
        owner,
        list_year: row.try_get("list_year")?,
        list_title: row.try_get("list_title")?,
        list_org_id: row.try_get("list_org_id")?,
        list_org_path: row.try_get("list_org_path")?,
        list_voided: crate::get_bool(row, "list_voided")?,
        progress_count: row.try_get("progress_count")?,
        last_progress_on: row.try_get("last_progress_on")?,
    })
}

/// Lists with their counts of live items, done and overdue items: one grouped query.
fn summary_select() -> String {
    format!(
        "SELECT {}, o.name AS org_name, o.code AS org_code, \
         COUNT(i.id) AS items, \
         CAST(COALESCE(SUM(CASE WHEN i.status = 'done' THEN 1 ELSE 0 END), 0) AS BIGINT) AS done, \
         CAST(COALESCE(SUM(CASE WHEN i.status = 'open' AND i.due_on < $1 THEN 1 ELSE 0 END), 0) AS BIGINT) AS overdue \
         FROM resp_lists l JOIN orgs o ON o.id = l.org_id \
         LEFT JOIN list_items i ON i.list_id = l.id AND i.voided = FALSE",
        prefixed(LIST_COLUMNS, "l")
    )
}

const SUMMARY_GROUP: &str = " GROUP BY l.id, o.id";

fn summary_from_row(row: &AnyRow) -> Result<ListSummary> {
    Ok(ListSummary {
        list: list_from_row(row)?,
        org_name: row.try_get("org_name")?,
        org_code: row.try_get("org_code")?,
        items: row.try_get("items")?,
        done: row.try_get("done")?,
        overdue: row.try_get("overdue")?,
    })
}

/// Newest year first, then down the tree (by path), then by title and id.
fn sort_summaries(v: &mut [ListSummary]) {
    v.sort_by(|a, b| {
        (
            std::cmp::Reverse(a.list.year),
            a.list.org_path.matches('/').count(),
            &a.list.org_path,
            &a.list.title,
            a.list.id,
        )
            .cmp(&(
                std::cmp::Reverse(b.list.year),
                b.list.org_path.matches('/').count(),
                &b.list.org_path,
                &b.list.title,
                b.list.id,
            ))
    });
}

fn rejected(field: &'static str, message: impl Into<String>) -> StorageError {
    StorageError::Rejected {
        field,
        message: message.into(),
    }
}

/// The target value bound as text and cast in SQL: sqlx's Any driver binds a NULL `f64` as
/// a `float4` parameter on PostgreSQL, after which the cached statement refuses an `f64`.
fn target_value_text(fields: &ItemFields) -> Option<String> {
    fields.target.as_ref().map(|t| t.1.to_string())
}

/// Who the system's own status moves are audited as.
pub fn system_actor() -> Actor {
    Actor {
        id: None,
        name: "system".into(),
        address: "system".into(),
    }
}

/// A domain validation failure, as storage reports it.
fn inv(e: zeren_domain::Invalid) -> StorageError {
    rejected(e.field, e.message)
}

fn subtree(path: &str) -> String {
    format!("{path}%")
}

/// The conditions of [`Store::desk_items`].
fn desk_where(account_id: i64, view: &Scope, charge: &Scope, today: Day) -> Where {
    let mut w = Where::default();
    w.push("i.status = 'open' AND i.voided = FALSE AND l.voided = FALSE".into());
    w.scope("i.org_path", view);
    let me = w.int(account_id);
    let mut whose = vec![format!("i.owner_account_id = {me}")];
    for root in &charge.roots {
        let p = w.text(subtree(root.as_str()));
        whose.push(format!("i.org_path LIKE {p}"));
    }
    w.push(format!("({})", whose.join(" OR ")));
    let month_end = w.text(today.month_end().text());
    let year = w.int(i64::from(today.year()));
    let mut when = vec![
        format!("i.due_on <= {month_end}"),
        format!("(i.recurrence = 'monthly' AND l.year = {year})"),
    ];
    // A quarterly item is due again in each quarter's last month.
    if today.month().is_multiple_of(3) {
        when.push(format!("(i.recurrence = 'quarterly' AND l.year = {year})"));
    }
    w.push(format!("({})", when.join(" OR ")));
    w
}

/// A person's list items on the home page: the first rows and the counts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeskItems {
    /// Overdue first, then soonest due.
    pub rows: Vec<ItemView>,
    /// Every item that matched.
    pub total: i64,
    /// Of which past their due day.
    pub overdue: i64,
}

impl Store {
    /// One list, voided or not.
    pub async fn resp_list(&self, id: i64) -> Result<RespList> {
        let row = sqlx::query(&format!(
            "SELECT {LIST_COLUMNS} FROM resp_lists WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StorageError::NotFound("list"))?;
        list_from_row(&row)
    }

    /// The live lists of organizations inside the scope, with their counts (`today` decides
    /// what is overdue); of one year, or of every year. Newest year first, then by tree.
    pub async fn list_summaries(
        &self,
        scope: &Scope,
        year: Option<i32>,
        today: Day,
    ) -> Result<Vec<ListSummary>> {
        let mut out = Vec::new();
        for root in &scope.roots {
            let mut sql = format!(
                "{} WHERE l.org_path LIKE $2 AND l.voided = FALSE",
                summary_select()
            );
            if year.is_some() {
                sql.push_str(" AND l.year = $3");
            }
            sql.push_str(SUMMARY_GROUP);
            let mut q = sqlx::query(&sql)
                .bind(today.text())
                .bind(subtree(root.as_str()));
            if let Some(y) = year {
                q = q.bind(y as i64);
            }
            for row in q.fetch_all(&self.pool).await? {
                out.push(summary_from_row(&row)?);
            }
        }
        sort_summaries(&mut out);
        Ok(out)
    }

    /// One list with its counts.
    pub async fn list_summary(&self, id: i64, today: Day) -> Result<ListSummary> {
        let row = sqlx::query(&format!(
            "{} WHERE l.id = $2{SUMMARY_GROUP}",
            summary_select()
        ))
        .bind(today.text())
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StorageError::NotFound("list"))?;
        summary_from_row(&row)
    }

    /// The live lists handed down from a list (上级下发), with their counts.
    pub async fn child_lists(&self, list_id: i64, today: Day) -> Result<Vec<ListSummary>> {
        let rows = sqlx::query(&format!(
            "{} WHERE l.parent_list_id = $2 AND l.voided = FALSE{SUMMARY_GROUP}",
            summary_select()
        ))
        .bind(today.text())
        .bind(list_id)
        .fetch_all(&self.pool)
        .await?;
        let mut out = rows
            .iter()
            .map(summary_from_row)
            .collect::<Result<Vec<_>>>()?;
        sort_summaries(&mut out);
        Ok(out)
    }

    /// The years that have live lists inside the scope, newest first.
    pub async fn list_years(&self, scope: &Scope) -> Result<Vec<i64>> {
        let mut years = Vec::new();
        for root in &scope.roots {
            let rows: Vec<(i64,)> = sqlx::query_as(
                "SELECT DISTINCT year FROM resp_lists WHERE org_path LIKE $1 AND voided = FALSE",
            )
            .bind(subtree(root.as_str()))
            .fetch_all(&self.pool)
            .await?;
            years.extend(rows.into_iter().map(|(y,)| y));
        }
        years.sort_unstable_by(|a, b| b.cmp(a));
        years.dedup();
        Ok(years)
    }

    /// The live items of a list, in the list's order.
    pub async fn list_items(&self, list_id: i64) -> Result<Vec<ItemView>> {
        let rows = sqlx::query(&format!(
            "{} WHERE i.list_id = $1 AND i.voided = FALSE ORDER BY i.sort_order, i.id",
            item_view_select()
        ))
        .bind(list_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(item_view_from_row).collect()
    }

    /// One item, voided or not.
    pub async fn list_item(&self, id: i64) -> Result<ItemView> {
        let row = sqlx::query(&format!("{} WHERE i.id = $1", item_view_select()))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StorageError::NotFound("list item"))?;
        item_view_from_row(&row)
    }

    /// The live items handed down from an item to branches (下级细化), in the order they
    /// were handed down.
    pub async fn handed_down_items(&self, item_id: i64) -> Result<Vec<ItemView>> {
        let rows = sqlx::query(&format!(
            "{} WHERE i.parent_item_id = $1 AND i.voided = FALSE AND l.voided = FALSE \
             ORDER BY i.id",
            item_view_select()
        ))
        .bind(item_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(item_view_from_row).collect()
    }

    /// The open items of live lists owned by an account and due between `from` and `to`
    /// inclusive (the home page's "my items due this month"), soonest first.
    pub async fn items_due_for_owner(
        &self,
        account_id: i64,
        from: Day,
        to: Day,
    ) -> Result<Vec<ItemView>> {
        let rows = sqlx::query(&format!(
            "{} WHERE i.owner_account_id = $1 AND i.status = 'open' AND i.voided = FALSE \
             AND l.voided = FALSE AND i.due_on >= $2 AND i.due_on <= $3 ORDER BY i.due_on, i.id",
            item_view_select()
        ))
        .bind(account_id)
        .bind(from.text())
        .bind(to.text())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(item_view_from_row).collect()
    }

    /// A person's list items for the home page (工作台): open items of live lists inside
    /// `view` that are the account's own (责任领导) or carried out inside `charge` (the
    /// organizations the person answers for as a whole), and that fall due by the end of
    /// `today`'s month — due this month, overdue whatever their year, or recurring this month
    /// (monthly items of this year's lists; quarterly ones in a quarter's last month).
    /// Overdue first, then soonest due; at most `limit` rows, with the counts.
    pub async fn desk_items(
        &self,
        account_id: i64,
        view: &Scope,
        charge: &Scope,
        today: Day,
        limit: i64,
    ) -> Result<DeskItems> {
        let from = " FROM list_items i JOIN resp_lists l ON l.id = i.list_id";
        let mut w = desk_where(account_id, view, charge, today);
        let t = w.text(today.text());
        let (total, overdue): (i64, i64) = bind_as(
            sqlx::query_as(&format!(
                "SELECT COUNT(*), \
                 CAST(COALESCE(SUM(CASE WHEN i.due_on < {t} THEN 1 ELSE 0 END), 0) AS BIGINT)\
                 {from}{}",
                w.sql()
            )),
            w.args(),
        )
        .fetch_one(&self.pool)
        .await?;
        let mut w = desk_where(account_id, view, charge, today);
        let lim = w.int(limit.clamp(1, 1000));
        let rows = bind(
            sqlx::query(&format!(
                "{}{} ORDER BY i.due_on, i.id LIMIT {lim}",
                item_view_select(),
                w.sql()
            )),
            w.args(),
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(DeskItems {
            rows: rows.iter().map(item_view_from_row).collect::<Result<_>>()?,
            total,
            overdue,
        })
    }

    /// The open items of live lists carried out inside the subtree whose due day is before
    /// `today`, most overdue first.
    pub async fn overdue_items(
        &self,
        root: &OrgPath,
        today: Day,
        limit: i64,
    ) -> Result<Vec<ItemView>> {
        let rows = sqlx::query(&format!(
            "{} WHERE i.org_path LIKE $1 AND i.status = 'open' AND i.voided = FALSE \
             AND l.voided = FALSE AND i.due_on < $2 ORDER BY i.due_on, i.id LIMIT $3",
            item_view_select()
        ))
        .bind(subtree(root.as_str()))
        .bind(today.text())
        .bind(limit.clamp(0, 10_000))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(item_view_from_row).collect()
    }

    /// Items of a year's live lists of organizations above the subtree that are carried out
    /// inside it (上级交办): what a branch must do for its superiors' lists.
    pub async fn items_assigned_to(&self, root: &OrgPath, year: i32) -> Result<Vec<ItemView>> {
        let rows = sqlx::query(&format!(
            "{} WHERE i.org_path LIKE $1 AND l.org_path NOT LIKE $1 AND l.year = $2 \
             AND i.voided = FALSE AND l.voided = FALSE ORDER BY i.due_on, i.id",
            item_view_select()
        ))
        .bind(subtree(root.as_str()))
        .bind(year as i64)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(item_view_from_row).collect()
    }

    /// The live target items of a year's live lists whose carrying-out organization is the
    /// one at `path`, above it or below it: those whose metric a change at `path` can move.
    pub async fn target_items_touching(&self, path: &OrgPath, year: i32) -> Result<Vec<ItemView>> {
        let rows = sqlx::query(&format!(
            "{} WHERE l.year = $1 AND i.target_metric IS NOT NULL AND i.voided = FALSE \
             AND l.voided = FALSE AND (i.org_path LIKE $2 OR $3 LIKE (i.org_path || '%')) \
             ORDER BY i.id",
            item_view_select()
        ))
        .bind(year as i64)
        .bind(subtree(path.as_str()))
        .bind(path.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(item_view_from_row).collect()
    }

    /// A target item's metric now: over its carrying-out organization's subtree and its list's
    /// year. `None` without a target, for a metric no longer in the catalogue, or for a ratio
    /// of nothing.
    pub async fn item_target_value(
        &self,
        catalog: &[MetricDef],
        item: &ItemView,
    ) -> Result<Option<f64>> {
        let Some(metric) = &item.item.target_metric else {
            return Ok(None);
        };
        if !catalog.iter().any(|m| &m.name == metric) {
            return Ok(None);
        }
        let org = self.org(item.item.org_id).await?;
        let period = Period::year(item.list_year as i32);
        match self.metric_value(catalog, metric, &org, period).await {
            Ok(v) => Ok(v),
            Err(StorageError::NotFound("metric")) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Sets the status of target items from their metrics: done when the value reaches the
    /// target, open when it does not (any more). Reads the metrics, then writes the changes in
    /// one transaction of its own, audited as the system: call it after committing, never
    /// while holding a [`WriteTx`]. Returns the items whose status changed.
    async fn apply_targets(&self, items: Vec<ItemView>) -> Result<Vec<ListItem>> {
        if items.is_empty() {
            return Ok(Vec::new());
        }
        let catalog = self.metric_catalog().await?;
        let today = Day::today();
        let mut moves = Vec::new();
        for v in &items {
            let (Some(metric), Some(target)) = (&v.item.target_metric, v.item.target_value) else {
                continue;
            };
            if !catalog.iter().any(|m| &m.name == metric) {
                continue;
            }
            let value = self.item_target_value(&catalog, v).await?;
            let met = value.is_some_and(|x| lists::target_met(x, target));
            let want = if met {
                ItemStatus::Done
            } else {
                ItemStatus::Open
            };
            if want != v.item.status {
                let year_end = Period::year(v.list_year as i32).to;
                let on = if today < year_end { today } else { year_end };
                let note = format!(
                    "{metric} {} / 目标 {}（系统按纪实自动统计）",
                    zeren_domain::metrics::format_value(value),
                    zeren_domain::metrics::format_value(Some(target))
                );
                moves.push((v.item.id, met, on, note));
            }
        }
        if moves.is_empty() {
            return Ok(Vec::new());
        }
        let actor = system_actor();
        let mut tx = self.begin_write().await?;
        let mut changed = Vec::new();
        for (id, met, on, note) in moves {
            if let Some(item) = tx.set_target_status(id, met, on, &note, &actor).await? {
                changed.push(item);
            }
        }
        tx.commit().await?;
        Ok(changed)
    }

    /// Re-evaluates the target items a change at `path` in `year` can move (after a work
    /// record is saved, an item changed, a list copied or handed down): those carried out by
    /// the organization at `path`, above it or below it. Sets each done or open by its metric,
    /// audited as the system. Call after committing. Returns the items whose status changed.
    pub async fn refresh_list_targets(&self, path: &OrgPath, year: i32) -> Result<Vec<ListItem>> {
        let items = self.target_items_touching(path, year).await?;
        self.apply_targets(items).await
    }

    /// Re-evaluates one item's target (after it is saved). Call after committing.
    pub async fn refresh_item_target(&self, item_id: i64) -> Result<Option<ListItem>> {
        let v = self.list_item(item_id).await?;
        if v.item.voided || v.list_voided || !v.item.has_target() {
            return Ok(None);
        }
        Ok(self.apply_targets(vec![v]).await?.pop())
    }

    /// The live progress reports of an item, newest first, with the reporter's name.
    pub async fn item_progress(&self, item_id: i64) -> Result<Vec<ProgressView>> {
        let rows = sqlx::query(&format!(
            "SELECT {}, a.display_name AS reporter FROM list_progress p \
             LEFT JOIN accounts a ON a.id = p.created_by \
             WHERE p.item_id = $1 AND p.voided = FALSE ORDER BY p.reported_on DESC, p.id DESC",
            prefixed(PROGRESS_COLUMNS, "p")
        ))
        .bind(item_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(ProgressView {
                    progress: progress_from_row(row)?,
                    reporter: row.try_get("reporter")?,
                })
            })
            .collect()
    }

    /// One progress report, voided or not.
    pub async fn progress_entry(&self, id: i64) -> Result<Progress> {
        let row = sqlx::query(&format!(
            "SELECT {PROGRESS_COLUMNS} FROM list_progress WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StorageError::NotFound("progress"))?;
        progress_from_row(&row)
    }

    /// The live work records linked to an item, oldest first.
    pub async fn linked_records(&self, item_id: i64) -> Result<Vec<LinkedRecord>> {
        let rows = sqlx::query(
            "SELECT r.id, r.title, r.held_on, r.org_id, o.name FROM record_item_links k \
             JOIN work_records r ON r.id = k.record_id JOIN orgs o ON o.id = r.org_id \
             WHERE k.item_id = $1 AND r.voided = FALSE ORDER BY r.held_on, r.id",
        )
        .bind(item_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(LinkedRecord {
                    id: row.try_get(0)?,
                    title: row.try_get(1)?,
                    held_on: row.try_get(2)?,
                    org_id: row.try_get(3)?,
                    org_name: row.try_get(4)?,
                })
            })
            .collect()
    }

    /// Live work records of a subtree held in a year that are not yet linked to the item:
    /// the choices for linking from the item's side, newest first (at most 200).
    pub async fn linkable_records(
        &self,
        item_id: i64,
        root: &OrgPath,
        year: i32,
    ) -> Result<Vec<LinkedRecord>> {
        let period = zeren_domain::date::Period::year(year);
        let rows = sqlx::query(
            "SELECT r.id, r.title, r.held_on, r.org_id, o.name FROM work_records r \
             JOIN orgs o ON o.id = r.org_id \
             WHERE r.org_path LIKE $1 AND r.held_on >= $2 AND r.held_on <= $3 AND r.voided = FALSE \
             AND NOT EXISTS (SELECT 1 FROM record_item_links k WHERE k.record_id = r.id AND k.item_id = $4) \
             ORDER BY r.held_on DESC, r.id DESC LIMIT 200",
        )
        .bind(subtree(root.as_str()))
        .bind(period.from.text())
        .bind(period.to.text())
        .bind(item_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(LinkedRecord {
                    id: row.try_get(0)?,
                    title: row.try_get(1)?,
                    held_on: row.try_get(2)?,
                    org_id: row.try_get(3)?,
                    org_name: row.try_get(4)?,
                })
            })
            .collect()
    }
}

impl WriteTx {
    async fn resp_list(&mut self, id: i64) -> Result<RespList> {
        let row = sqlx::query(&format!(
            "SELECT {LIST_COLUMNS} FROM resp_lists WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&mut *self.tx)
        .await?
        .ok_or(StorageError::NotFound("list"))?;
        list_from_row(&row)
    }

    async fn list_item(&mut self, id: i64) -> Result<ListItem> {
        let row = sqlx::query(&format!(
            "SELECT {ITEM_COLUMNS} FROM list_items WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&mut *self.tx)
        .await?
        .ok_or(StorageError::NotFound("list item"))?;
        item_from_row(&row)
    }

    async fn live_items_of(&mut self, list_id: i64) -> Result<Vec<ListItem>> {
        let rows = sqlx::query(&format!(
            "SELECT {ITEM_COLUMNS} FROM list_items WHERE list_id = $1 AND voided = FALSE \
             ORDER BY sort_order, id"
        ))
        .bind(list_id)
        .fetch_all(&mut *self.tx)
        .await?;
        rows.iter().map(item_from_row).collect()
    }

    async fn progress_entry(&mut self, id: i64) -> Result<Progress> {
        let row = sqlx::query(&format!(
            "SELECT {PROGRESS_COLUMNS} FROM list_progress WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&mut *self.tx)
        .await?
        .ok_or(StorageError::NotFound("progress"))?;
        progress_from_row(&row)
    }

    /// (path, active) of an organization.
    async fn org_path_of(&mut self, org_id: i64) -> Result<(String, bool)> {
        let row = sqlx::query("SELECT path, active FROM orgs WHERE id = $1")
            .bind(org_id)
            .fetch_optional(&mut *self.tx)
            .await?
            .ok_or(StorageError::NotFound("organization"))?;
        Ok((row.try_get("path")?, crate::get_bool(&row, "active")?))
    }

    fn live_list(list: &RespList) -> Result<()> {
        if list.voided {
            return Err(rejected("list", "该清单已作废，不能再修改"));
        }
        Ok(())
    }

    /// Creates a list for an organization and a year. Audited.
    pub async fn create_list(&mut self, new: NewList, actor: &Actor) -> Result<RespList> {
        self.insert_list(new, None, None, "list.create", actor)
            .await
    }

    async fn insert_list(
        &mut self,
        new: NewList,
        parent_list_id: Option<i64>,
        copied_from_id: Option<i64>,
        action: &str,
        actor: &Actor,
    ) -> Result<RespList> {
        let year = lists::check_year("year", new.year).map_err(inv)?;
        let title = lists::parse_title(&new.title).map_err(inv)?;
        let (path, active) = self.org_path_of(new.org_id).await?;
        if !active {
            return Err(rejected("org", "该组织已停用，不能新建清单"));
        }
        let now = clock::now_text();
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO resp_lists (org_id, org_path, year, kind, title, parent_list_id, \
             copied_from_id, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id",
        )
        .bind(new.org_id)
        .bind(&path)
        .bind(year as i64)
        .bind(new.kind.code())
        .bind(&title)
        .bind(parent_list_id)
        .bind(copied_from_id)
        .bind(actor.id)
        .bind(&now)
        .fetch_one(&mut *self.tx)
        .await?;
        let list = self.resp_list(id).await?;
        self.audit(actor.event(action, "list", id, None::<&()>, Some(&list)))
            .await?;
        Ok(list)
    }

    /// Renames a list or changes its kind. Audited.
    pub async fn update_list(
        &mut self,
        id: i64,
        change: ListChange,
        actor: &Actor,
    ) -> Result<RespList> {
        let before = self.resp_list(id).await?;
        Self::live_list(&before)?;
        let title = match &change.title {
            Some(t) => lists::parse_title(t).map_err(inv)?,
            None => before.title.clone(),
        };
        sqlx::query("UPDATE resp_lists SET title = $1, kind = $2, updated_at = $3 WHERE id = $4")
            .bind(&title)
            .bind(change.kind.unwrap_or(before.kind).code())
            .bind(clock::now_text())
            .bind(id)
            .execute(&mut *self.tx)
            .await?;
        let after = self.resp_list(id).await?;
        self.audit(actor.event("list.update", "list", id, Some(&before), Some(&after)))
            .await?;
        Ok(after)
    }

    /// Voids a list and its live items (each audited). Lists handed down from it stay: they
    /// are the branches' own now.
    pub async fn void_list(&mut self, id: i64, reason: &str, actor: &Actor) -> Result<RespList> {
        let reason = lists::parse_reason(reason).map_err(inv)?;
        let before = self.resp_list(id).await?;
        Self::live_list(&before)?;
        let now = clock::now_text();
        for item in self.live_items_of(id).await? {
            self.void_item_row(&item, &format!("清单作废：{reason}"), &now, actor)
                .await?;
        }
        sqlx::query(
            "UPDATE resp_lists SET voided = TRUE, void_reason = $1, voided_at = $2, voided_by = $3, \
             updated_at = $2 WHERE id = $4",
        )
        .bind(&reason)
        .bind(&now)
        .bind(actor.id)
        .bind(id)
        .execute(&mut *self.tx)
        .await?;
        let after = self.resp_list(id).await?;
        self.audit(actor.event("list.void", "list", id, Some(&before), Some(&after)))
            .await?;
        Ok(after)
    }

    /// Copies a list to a later year (复制上年清单): a new list of the same organization with
    /// every live item (category, description, owner, organization, recurrence, steps,
    /// target; deadlines moved by the years between; status open). Audited.
    pub async fn copy_list(
        &mut self,
        list_id: i64,
        to_year: i32,
        actor: &Actor,
    ) -> Result<RespList> {
        let from = self.resp_list(list_id).await?;
        Self::live_list(&from)?;
        let to_year = lists::check_year("year", to_year).map_err(inv)?;
        if (to_year as i64) <= from.year {
            return Err(rejected(
                "year",
                format!("只能复制到{}年以后的年度", from.year),
            ));
        }
        let shift = to_year - from.year as i32;
        let title = from
            .title
            .replace(&from.year.to_string(), &to_year.to_string());
        let title = if title == from.title {
            format!("{to_year}年{}", from.title)
        } else {
            title
        };
        let title: String = title.chars().take(100).collect();
        let list = self
            .insert_list(
                NewList {
                    org_id: from.org_id,
                    year: to_year,
                    kind: from.kind,
                    title,
                },
                None,
                Some(from.id),
                "list.copy",
                actor,
            )
            .await?;
        for item in self.live_items_of(from.id).await? {
            let mut fields = ItemFields::of(&item);
            fields.deadline = fields.deadline.map(|d| lists::shift_years(d, shift));
            // An owner who has left (deactivated) is not carried into the new year.
            if let Some(owner) = fields.owner_account_id {
                if !self.owner_usable(owner, &list.org_path).await? {
                    fields.owner_account_id = None;
                }
            }
            self.insert_item(&list, fields, None, actor, false).await?;
        }
        Ok(list)
    }

    /// Hands items of a list down to organizations below it (上级下发): each gets a list of
    /// its own for the year (`parent_list_id`; the one it already has from this list, if any)
    /// with a copy of each item (`parent_item_id`) carried out by that organization, without
    /// an owner (the branch names its own). Items already handed to an organization are not
    /// handed again. `item_ids` empty means every live item. Audited.
    pub async fn hand_down(
        &mut self,
        list_id: i64,
        item_ids: &[i64],
        to_org_ids: &[i64],
        actor: &Actor,
    ) -> Result<Vec<RespList>> {
        let from = self.resp_list(list_id).await?;
        Self::live_list(&from)?;
        if to_org_ids.is_empty() {
            return Err(rejected("orgs", "请选择下发的下级组织"));
        }
        let all = self.live_items_of(list_id).await?;
        let items: Vec<ListItem> = if item_ids.is_empty() {
            all
        } else {
            let mut chosen = Vec::new();
            for id in item_ids {
                match all.iter().find(|i| i.id == *id) {
                    Some(i) if !chosen.iter().any(|c: &ListItem| c.id == i.id) => {
                        chosen.push(i.clone())
                    }
                    Some(_) => {}
                    None => {
                        return Err(rejected("items", format!("事项 {id} 不在该清单中或已作废")))
                    }
                }
            }
            chosen
        };
        if items.is_empty() {
            return Err(rejected("items", "该清单还没有可下发的事项"));
        }
        let from_path = OrgPath(from.org_path.clone());
        let mut out = Vec::new();
        for org_id in to_org_ids {
            let row = sqlx::query("SELECT name, path, active FROM orgs WHERE id = $1")
                .bind(org_id)
                .fetch_optional(&mut *self.tx)
                .await?
                .ok_or_else(|| rejected("orgs", "下发对象不存在"))?;
            let name: String = row.try_get("name")?;
            let path = OrgPath(row.try_get("path")?);
            if !crate::get_bool(&row, "active")? {
                return Err(rejected("orgs", format!("{name}已停用，不能下发")));
            }
            if path == from_path || !from_path.covers(&path) {
                return Err(rejected(
                    "orgs",
                    format!("{name}不是本清单所属组织的下级组织"),
                ));
            }
            let existing = sqlx::query(&format!(
                "SELECT {LIST_COLUMNS} FROM resp_lists WHERE parent_list_id = $1 AND org_id = $2 \
                 AND voided = FALSE ORDER BY id"
            ))
            .bind(from.id)
            .bind(org_id)
            .fetch_optional(&mut *self.tx)
            .await?;
            let list = match existing {
                Some(row) => list_from_row(&row)?,
                None => {
                    let title: String = format!("{name}{}年{}", from.year, from.kind.label())
                        .chars()
                        .take(100)
                        .collect();
                    self.insert_list(
                        NewList {
                            org_id: *org_id,
                            year: from.year as i32,
                            kind: from.kind,
                            title,
                        },
                        Some(from.id),
                        None,
                        "list.hand_down",
                        actor,
                    )
                    .await?
                }
            };
            let have: Vec<(Option<i64>,)> = sqlx::query_as(
                "SELECT parent_item_id FROM list_items WHERE list_id = $1 AND voided = FALSE",
            )
            .bind(list.id)
            .fetch_all(&mut *self.tx)
            .await?;
            for item in &items {
                if have.iter().any(|(p,)| *p == Some(item.id)) {
                    continue;
                }
                let mut fields = ItemFields::of(item);
                fields.org_id = *org_id;
                fields.owner_account_id = None;
                self.insert_item(&list, fields, Some(item.id), actor, false)
                    .await?;
            }
            out.push(list);
        }
        Ok(out)
    }

    /// Whether an account may own items of a list of the organization at `list_path`: active,
    /// and at home in that organization's subtree.
    async fn owner_usable(&mut self, account_id: i64, list_path: &str) -> Result<bool> {
        let row = sqlx::query(
            "SELECT a.active, o.path FROM accounts a JOIN orgs o ON o.id = a.org_id WHERE a.id = $1",
        )
        .bind(account_id)
        .fetch_optional(&mut *self.tx)
        .await?;
        let Some(row) = row else {
            return Ok(false);
        };
        let path: String = row.try_get("path")?;
        Ok(crate::get_bool(&row, "active")? && path.starts_with(list_path))
    }

    /// The item categories in use (built-in and active additions).
    async fn category_names(&mut self) -> Result<Vec<String>> {
        let mut names: Vec<String> = lists::BUILTIN_CATEGORIES
            .iter()
            .map(|c| c.to_string())
            .collect();
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT name FROM catalog_entries WHERE kind = 'list_category' AND active = TRUE",
        )
        .fetch_all(&mut *self.tx)
        .await?;
        names.extend(rows.into_iter().map(|(n,)| n));
        Ok(names)
    }

    /// Checks the fields that need the database: organization inside the list's subtree,
    /// owner at home there, known category, deadline in the list's year. `before` is the item
    /// being changed (its category and organization may stay as they are even if no longer
    /// offered).
    async fn check_item_fields(
        &mut self,
        list: &RespList,
        fields: &ItemFields,
        before: Option<&ListItem>,
    ) -> Result<String> {
        let description = lists::parse_description(&fields.description).map_err(inv)?;
        lists::parse_steps(&fields.steps).map_err(inv)?;
        let keeps_category = before.is_some_and(|b| b.category == fields.category);
        if !keeps_category && !self.category_names().await?.contains(&fields.category) {
            return Err(rejected("category", "请选择有效的类别"));
        }
        let (path, active) = self
            .org_path_of(fields.org_id)
            .await
            .map_err(|_| rejected("org", "承办单位不存在"))?;
        if !path.starts_with(&list.org_path) {
            return Err(rejected("org", "承办单位应为本清单所属组织或其下级组织"));
        }
        let keeps_org = before.is_some_and(|b| b.org_id == fields.org_id);
        if !active && !keeps_org {
            return Err(rejected("org", "承办单位已停用"));
        }
        if let Some(owner) = fields.owner_account_id {
            let keeps_owner = before.is_some_and(|b| b.owner_account_id == Some(owner));
            if !keeps_owner && !self.owner_usable(owner, &list.org_path).await? {
                return Err(rejected(
                    "owner",
                    "责任领导应为本清单所属组织（或其下级组织）在用的账户",
                ));
            }
        }
        if let Some(d) = fields.deadline {
            lists::check_deadline(d, list.year as i32).map_err(inv)?;
        }
        if let Some((metric, value)) = &fields.target {
            if metric.trim().is_empty() {
                return Err(rejected("target_metric", "请选择目标值对应的指标"));
            }
            lists::check_target_value(*value).map_err(inv)?;
        }
        Ok(description)
    }

    async fn insert_item(
        &mut self,
        list: &RespList,
        fields: ItemFields,
        parent_item_id: Option<i64>,
        actor: &Actor,
        check: bool,
    ) -> Result<ListItem> {
        let description = if check {
            self.check_item_fields(list, &fields, None).await?
        } else {
            fields.description.clone()
        };
        let (org_path, _) = self.org_path_of(fields.org_id).await?;
        let (max,): (Option<i64>,) =
            sqlx::query_as("SELECT MAX(sort_order) FROM list_items WHERE list_id = $1")
                .bind(list.id)
                .fetch_one(&mut *self.tx)
                .await?;
        let due = lists::due_on(fields.deadline, list.year as i32);
        let now = clock::now_text();
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO list_items (list_id, org_id, org_path, category, description, \
             owner_account_id, deadline, recurrence, due_on, steps, target_metric, target_value, \
             status, parent_item_id, sort_order, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, CAST($12 AS DOUBLE PRECISION), 'open', $13, $14, $15, $16, $16) \
             RETURNING id",
        )
        .bind(list.id)
        .bind(fields.org_id)
        .bind(&org_path)
        .bind(&fields.category)
        .bind(&description)
        .bind(fields.owner_account_id)
        .bind(fields.deadline.map(|d| d.text()))
        .bind(fields.recurrence.code())
        .bind(due.text())
        .bind(&fields.steps)
        .bind(fields.target.as_ref().map(|t| t.0.clone()))
        .bind(target_value_text(&fields))
        .bind(parent_item_id)
        .bind(max.unwrap_or(0) + 1)
        .bind(actor.id)
        .bind(&now)
        .fetch_one(&mut *self.tx)
        .await?;
        let item = self.list_item(id).await?;
        self.audit(actor.event(
            "list_item.create",
            "list_item",
            id,
            None::<&()>,
            Some(&item),
        ))
        .await?;
        Ok(item)
    }

    /// Adds an item to a live list (下级细化: a branch adds its own). Audited.
    pub async fn create_item(
        &mut self,
        list_id: i64,
        fields: ItemFields,
        actor: &Actor,
    ) -> Result<ListItem> {
        let list = self.resp_list(list_id).await?;
        Self::live_list(&list)?;
        self.insert_item(&list, fields, None, actor, true).await
    }

    /// Replaces an item's fields (its status stays; a target item's status is computed).
    /// Audited.
    pub async fn update_item(
        &mut self,
        id: i64,
        fields: ItemFields,
        actor: &Actor,
    ) -> Result<ListItem> {
        let before = self.list_item(id).await?;
        if before.voided {
            return Err(rejected("item", "该事项已作废，不能再修改"));
        }
        let list = self.resp_list(before.list_id).await?;
        Self::live_list(&list)?;
        let description = self
            .check_item_fields(&list, &fields, Some(&before))
            .await?;
        let (org_path, _) = self.org_path_of(fields.org_id).await?;
        let due = lists::due_on(fields.deadline, list.year as i32);
        // A target's completion was computed: without the target the item is open again,
        // to be signed off with evidence.
        if before.has_target() && fields.target.is_none() && before.status == ItemStatus::Done {
            sqlx::query(
                "UPDATE list_items SET status = 'open', completed_on = NULL, completion_note = '' \
                 WHERE id = $1",
            )
            .bind(id)
            .execute(&mut *self.tx)
            .await?;
        }
        sqlx::query(
            "UPDATE list_items SET org_id = $1, org_path = $2, category = $3, description = $4, \
             owner_account_id = $5, deadline = $6, recurrence = $7, due_on = $8, steps = $9, \
             target_metric = $10, target_value = CAST($11 AS DOUBLE PRECISION), updated_at = $12 WHERE id = $13",
        )
        .bind(fields.org_id)
        .bind(&org_path)
        .bind(&fields.category)
        .bind(&description)
        .bind(fields.owner_account_id)
        .bind(fields.deadline.map(|d| d.text()))
        .bind(fields.recurrence.code())
        .bind(due.text())
        .bind(&fields.steps)
        .bind(fields.target.as_ref().map(|t| t.0.clone()))
        .bind(target_value_text(&fields))
        .bind(clock::now_text())
        .bind(id)
        .execute(&mut *self.tx)
        .await?;
        let after = self.list_item(id).await?;
        self.audit(actor.event(
            "list_item.update",
            "list_item",
            id,
            Some(&before),
            Some(&after),
        ))
        .await?;
        Ok(after)
    }

    async fn void_item_row(
        &mut self,
        before: &ListItem,
        reason: &str,
        now: &str,
        actor: &Actor,
    ) -> Result<ListItem> {
        sqlx::query(
            "UPDATE list_items SET voided = TRUE, void_reason = $1, voided_at = $2, voided_by = $3, \
             updated_at = $2 WHERE id = $4",
        )
        .bind(reason)
        .bind(now)
        .bind(actor.id)
        .bind(before.id)
        .execute(&mut *self.tx)
        .await?;
        let after = self.list_item(before.id).await?;
        self.audit(actor.event(
            "list_item.void",
            "list_item",
            before.id,
            Some(before),
            Some(&after),
        ))
        .await?;
        Ok(after)
    }

    /// Voids an item with a reason. Audited.
    pub async fn void_item(&mut self, id: i64, reason: &str, actor: &Actor) -> Result<ListItem> {
        let reason = lists::parse_reason(reason).map_err(inv)?;
        let before = self.list_item(id).await?;
        if before.voided {
            return Err(rejected("item", "该事项已作废"));
        }
        self.void_item_row(&before, &reason, &clock::now_text(), actor)
            .await
    }

    async fn live_item(&mut self, id: i64) -> Result<(ListItem, RespList)> {
        let item = self.list_item(id).await?;
        if item.voided {
            return Err(rejected("item", "该事项已作废，不能再修改"));
        }
        let list = self.resp_list(item.list_id).await?;
        Self::live_list(&list)?;
        Ok((item, list))
    }

    /// Reports progress on an item (季度调度). Evidence is attached to the report
    /// (`attach("progress", id, …)`). Audited.
    pub async fn add_progress(
        &mut self,
        item_id: i64,
        reported_on: Day,
        text: &str,
        actor: &Actor,
    ) -> Result<Progress> {
        let text = lists::parse_progress_text(text).map_err(inv)?;
        self.live_item(item_id).await?;
        if reported_on > Day::today() {
            return Err(rejected("reported_on", "调度日期不能晚于今天"));
        }
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO list_progress (item_id, reported_on, text, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(item_id)
        .bind(reported_on.text())
        .bind(&text)
        .bind(actor.id)
        .bind(clock::now_text())
        .fetch_one(&mut *self.tx)
        .await?;
        let p = self.progress_entry(id).await?;
        self.audit(actor.event(
            "list_progress.create",
            "list_progress",
            id,
            None::<&()>,
            Some(&p),
        ))
        .await?;
        Ok(p)
    }

    /// Voids a progress report with a reason. Audited.
    pub async fn void_progress(
        &mut self,
        id: i64,
        reason: &str,
        actor: &Actor,
    ) -> Result<Progress> {
        let reason = lists::parse_reason(reason).map_err(inv)?;
        let before = self.progress_entry(id).await?;
        if before.voided {
            return Err(rejected("progress", "该进展已作废"));
        }
        sqlx::query(
            "UPDATE list_progress SET voided = TRUE, void_reason = $1, voided_at = $2, voided_by = $3 \
             WHERE id = $4",
        )
        .bind(&reason)
        .bind(clock::now_text())
        .bind(actor.id)
        .bind(id)
        .execute(&mut *self.tx)
        .await?;
        let after = self.progress_entry(id).await?;
        self.audit(actor.event(
            "list_progress.void",
            "list_progress",
            id,
            Some(&before),
            Some(&after),
        ))
        .await?;
        Ok(after)
    }

    /// Signs off an item without a target as done (销项). A clerk must prove it: the item
    /// needs at least one evidence file (`attach("item", …)`, in this transaction or before)
    /// or a linked work record. An item with a target is done when its metric says so, never
    /// by a tick. Audited.
    pub async fn complete_item(
        &mut self,
        id: i64,
        completed_on: Day,
        note: &str,
        actor: &Actor,
    ) -> Result<ListItem> {
        let note = lists::parse_note("note", "完成情况说明", note).map_err(inv)?;
        let (before, list) = self.live_item(id).await?;
        if before.has_target() {
            return Err(rejected(
                "status",
                "该事项设有量化指标，按指标完成情况自动判定，不能手工销项",
            ));
        }
        if before.status == ItemStatus::Done {
            return Err(rejected("status", "该事项已完成"));
        }
        if completed_on > Day::today() {
            return Err(rejected("completed_on", "完成日期不能晚于今天"));
        }
        if (completed_on.year() as i64) < list.year {
            return Err(rejected(
                "completed_on",
                format!("完成日期不能早于{}年", list.year),
            ));
        }
        let files = self.attachment_count("item", id).await?;
        let (records,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM record_item_links k JOIN work_records r ON r.id = k.record_id \
             WHERE k.item_id = $1 AND r.voided = FALSE",
        )
        .bind(id)
        .fetch_one(&mut *self.tx)
        .await?;
        if files == 0 && records == 0 {
            return Err(rejected(
                "file",
                "请上传完成佐证材料，或关联体现完成情况的工作纪实",
            ));
        }
        self.set_status(
            &before,
            ItemStatus::Done,
            Some(completed_on),
            &note,
            "list_item.complete",
            actor,
        )
        .await
    }

    /// Takes back a sign-off (the item is open again), with a reason. Audited.
    pub async fn reopen_item(&mut self, id: i64, reason: &str, actor: &Actor) -> Result<ListItem> {
        let reason = lists::parse_reason(reason).map_err(inv)?;
        let (before, _) = self.live_item(id).await?;
        if before.has_target() {
            return Err(rejected(
                "status",
                "该事项设有量化指标，按指标完成情况自动判定",
            ));
        }
        if before.status != ItemStatus::Done {
            return Err(rejected("status", "该事项尚未完成"));
        }
        self.set_status(
            &before,
            ItemStatus::Open,
            None,
            &format!("撤销完成：{reason}"),
            "list_item.reopen",
            actor,
        )
        .await
    }

    async fn set_status(
        &mut self,
        before: &ListItem,
        status: ItemStatus,
        on: Option<Day>,
        note: &str,
        action: &str,
        actor: &Actor,
    ) -> Result<ListItem> {
        let now = clock::now_text();
        sqlx::query(
            "UPDATE list_items SET status = $1, completed_on = $2, completion_note = $3, \
             updated_at = $4 WHERE id = $5",
        )
        .bind(status.code())
        .bind(on.map(|d| d.text()))
        .bind(note)
        .bind(&now)
        .bind(before.id)
        .execute(&mut *self.tx)
        .await?;
        let after = self.list_item(before.id).await?;
        self.audit(actor.event(action, "list_item", before.id, Some(before), Some(&after)))
            .await?;
        Ok(after)
    }

    /// Sets a target item's computed status (done when its metric reaches the target on
    /// `on`, open again when it no longer does). Does nothing when the status is already
    /// right. Audited (as whoever the caller names, normally the system).
    pub async fn set_target_status(
        &mut self,
        id: i64,
        done: bool,
        on: Day,
        note: &str,
        actor: &Actor,
    ) -> Result<Option<ListItem>> {
        let before = self.list_item(id).await?;
        if before.voided || !before.has_target() {
            return Ok(None);
        }
        let status = if done {
            ItemStatus::Done
        } else {
            ItemStatus::Open
        };
        if before.status == status {
            return Ok(None);
        }
        let after = self
            .set_status(
                &before,
                status,
                done.then_some(on),
                note,
                "list_item.status",
                actor,
            )
            .await?;
        Ok(Some(after))
    }

    /// Links a work record to an item from the item's side (the record fulfils it). The
    /// record must be live and held by the item's organization or one below it. Audited.
    pub async fn link_record(&mut self, item_id: i64, record_id: i64, actor: &Actor) -> Result<()> {
        let (item, _) = self.live_item(item_id).await?;
        let row = sqlx::query("SELECT org_path, voided, title FROM work_records WHERE id = $1")
            .bind(record_id)
            .fetch_optional(&mut *self.tx)
            .await?
            .ok_or_else(|| rejected("record_id", "该工作纪实不存在"))?;
        let path: String = row.try_get("org_path")?;
        if crate::get_bool(&row, "voided")? || !path.starts_with(&item.org_path) {
            return Err(rejected(
                "record_id",
                "只能关联承办单位（或其下级）的有效工作纪实",
            ));
        }
        let (n,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM record_item_links WHERE record_id = $1 AND item_id = $2",
        )
        .bind(record_id)
        .bind(item_id)
        .fetch_one(&mut *self.tx)
        .await?;
        if n > 0 {
            return Err(rejected("record_id", "该工作纪实已关联本事项"));
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
        let title: String = row.try_get("title")?;
        self.audit(actor.event(
            "list_item.link_record",
            "list_item",
            item_id,
            None::<&()>,
            Some(&serde_json::json!({"record_id": record_id, "item_id": item_id, "record_title": title, "created_at": now})),
        ))
        .await?;
        Ok(())
    }
}

impl WriteTx {
    /// The live items of a list, in order (for loaders that complete them).
    pub async fn item_ids_of_list(&mut self, list_id: i64) -> Result<Vec<i64>> {
        let rows: Vec<(i64,)> = sqlx::query_as(
            "SELECT id FROM list_items WHERE list_id = $1 AND voided = FALSE ORDER BY sort_order, id",
        )
        .bind(list_id)
        .fetch_all(&mut *self.tx)
        .await?;
        Ok(rows.into_iter().map(|(id,)| id).collect())
    }
}
