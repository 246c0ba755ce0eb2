//! 责任清单: lists by organization and year with their progress, one list with its items by
//! category, one item with its progress reports (季度调度), completion and linked records.

use super::{notice_text, render, render_status, Layout, NoticeQuery, PageForm, PageResult};
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::extract::{Path, Query};
use crate::manage::lists::{self as manage, Upload};
use crate::AppState;
use askama::Template;
use axum::extract::{FromRequest, Multipart, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use zeren_domain::date::Day;
use zeren_domain::lists::{self, ItemStatus, ListKind, Recurrence};
use zeren_domain::metrics::{format_value, MetricDef};
use zeren_domain::org::OrgPath;
use zeren_domain::permissions::{Action, Scope};
use zeren_domain::Invalid;
use zeren_storage::{
    AttachmentLink, ItemFields, ItemView, LinkedRecord, ListChange, ListSummary, ProgressView,
    RespList,
};

/// The fields of the item form, shown with their own messages.
const ITEM_FIELDS: [&str; 9] = [
    "category",
    "description",
    "owner",
    "org",
    "deadline",
    "recurrence",
    "steps",
    "target_metric",
    "target_value",
];

/// A form's rejected field: which form of the page, and the error.
pub struct FormError {
    pub form: &'static str,
    pub error: Option<Invalid>,
}

impl FormError {
    pub fn none() -> Self {
        FormError {
            form: "",
            error: None,
        }
    }

    pub fn of(form: &'static str, error: Invalid) -> Self {
        FormError {
            form,
            error: Some(error),
        }
    }

    /// The message for `field` of `form`, or empty.
    pub fn get(&self, form: &str, field: &str) -> String {
        match &self.error {
            Some(e) if self.form == form && e.field == field => e.message.clone(),
            _ => String::new(),
        }
    }

    /// The message when it concerns no field the form shows (e.g. `list`, `status`): shown
    /// above the form.
    pub fn general(&self, form: &str) -> String {
        let shown: &[&str] = match form {
            "item" | "edit" => &ITEM_FIELDS,
            "complete" => &["completed_on", "note", "file"],
            "progress" => &["reported_on", "text", "file"],
            _ => &[],
        };
        match &self.error {
            Some(e) if self.form == form && !shown.contains(&e.field) => e.message.clone(),
            _ => String::new(),
        }
    }

    pub fn is(&self, form: &str) -> bool {
        self.error.is_some() && self.form == form
    }
}

fn path_of(text: &str) -> OrgPath {
    OrgPath(text.to_string())
}

/// A list as a row of the overview.
pub struct ListRow {
    pub s: ListSummary,
    pub indent: usize,
    pub handed_down: bool,
}

/// A quantified target as shown.
pub struct TargetView {
    pub metric: String,
    pub value: String,
    pub unit: String,
    /// The metric's value now, formatted; empty when it cannot be evaluated yet.
    pub current: String,
    pub percent: u8,
    pub met: bool,
}

/// An item as a row of a list page.
pub struct ItemRow {
    pub v: ItemView,
    pub number: usize,
    pub overdue: bool,
    pub schedule: String,
    pub target: Option<TargetView>,
    pub status_label: &'static str,
    pub status_class: &'static str,
}

pub struct CategoryGroup {
    pub name: String,
    pub rows: Vec<ItemRow>,
    pub done: usize,
}

fn schedule(item: &zeren_storage::ListItem, year: i64) -> String {
    let by = match &item.deadline {
        Some(d) => format!("{d} 前"),
        None => format!("{year}年底前"),
    };
    match item.recurrence {
        Recurrence::Once => by,
        Recurrence::Monthly => format!("每月 · {by}"),
        Recurrence::Quarterly => format!("每季度 · {by}"),
    }
}

fn unit_of(catalog: &[MetricDef], metric: &str) -> String {
    catalog
        .iter()
        .find(|m| m.name == metric)
        .map(|m| m.unit.clone())
        .unwrap_or_default()
}

async fn target_view(
    state: &AppState,
    catalog: &[MetricDef],
    v: &ItemView,
) -> Result<Option<TargetView>, AppError> {
    let (Some(metric), Some(value)) = (&v.item.target_metric, v.item.target_value) else {
        return Ok(None);
    };
    let current = manage::live_value(state, catalog, v).await?;
    Ok(Some(TargetView {
        metric: metric.clone(),
        value: format_value(Some(value)),
        unit: unit_of(catalog, metric),
        current: current.map(|c| format_value(Some(c))).unwrap_or_default(),
        percent: current
            .map(|c| lists::target_percent(c, value))
            .unwrap_or(0),
        met: current.is_some_and(|c| lists::target_met(c, value)),
    }))
}

async fn item_row(
    state: &AppState,
    catalog: &[MetricDef],
    v: ItemView,
    number: usize,
    today: Day,
) -> Result<ItemRow, AppError> {
    let overdue = v.item.is_overdue(today);
    let (status_label, status_class) = match (v.item.status, overdue) {
        (ItemStatus::Done, _) => ("已完成", "badge-green"),
        (ItemStatus::Open, true) => ("已逾期", "badge-red"),
        (ItemStatus::Open, false) => ("推进中", "badge-amber"),
    };
    Ok(ItemRow {
        schedule: schedule(&v.item, v.list_year),
        target: target_view(state, catalog, &v).await?,
        overdue,
        status_label,
        status_class,
        number,
        v,
    })
}

/// Items grouped by category, in the catalogue's order (unknown categories last).
async fn grouped(
    state: &AppState,
    catalog: &[MetricDef],
    items: Vec<ItemView>,
    today: Day,
) -> Result<Vec<CategoryGroup>, AppError> {
    let order = state.store.list_categories().await?;
    let mut groups: Vec<CategoryGroup> = Vec::new();
    let mut items = items;
    items.sort_by_key(|i| {
        (
            order
                .iter()
                .position(|c| *c == i.item.category)
                .unwrap_or(usize::MAX),
            i.item.sort_order,
            i.item.id,
        )
    });
    for (n, v) in items.into_iter().enumerate() {
        let row = item_row(state, catalog, v, n + 1, today).await?;
        match groups.last_mut() {
            Some(g) if g.name == row.v.item.category => {
                g.done += usize::from(row.v.item.status == ItemStatus::Done);
                g.rows.push(row);
            }
            _ => groups.push(CategoryGroup {
                name: row.v.item.category.clone(),
                done: usize::from(row.v.item.status == ItemStatus::Done),
                rows: vec![row],
            }),
        }
    }
    Ok(groups)
}

// ------------------------------------------------------------------ overview

#[derive(Template)]
#[template(path = "lists.html")]
pub struct ListsPage {
    pub layout: Layout,
    pub years: Vec<i64>,
    pub year: Option<i64>,
    pub rows: Vec<ListRow>,
    pub total_items: i64,
    pub total_done: i64,
    pub total_overdue: i64,
    pub done_percent: i64,
    pub assigned: Vec<ItemRow>,
    pub overdue: Vec<ItemRow>,
    pub can_create: bool,
    pub excel: super::excel::ExcelBar,
}

impl ListsPage {
    pub fn is_year(&self, y: &i64) -> bool {
        self.year == Some(*y)
    }
}

#[derive(Deserialize, Default)]
pub struct IndexQuery {
    pub year: Option<String>,
    pub notice: Option<String>,
}

pub async fn index(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<IndexQuery>,
) -> PageResult {
    let today = Day::today();
    let catalog = manage::metric_catalog(&state).await?;
    let scope = user.perms.scope(Action::ViewOrgs);
    let mut years = state.store.list_years(&scope).await?;
    if !years.contains(&(today.year() as i64)) {
        years.push(today.year() as i64);
        years.sort_unstable_by(|a, b| b.cmp(a));
    }
    // `?year=all` shows every year; no year shows the newest year that has lists.
    let year: Option<i64> = match q.year.as_deref().map(str::trim) {
        Some("all") => None,
        Some(y) => Some(
            lists::parse_year("year", y)
                .map(i64::from)
                .unwrap_or(today.year() as i64),
        ),
        None => years.first().copied(),
    };
    // The lists with their counts, and the items due to superiors or overdue (each target
    // row reading its metric): independent reads, at once.
    let rows_of = |views: Vec<ItemView>| {
        futures_util::future::try_join_all(
            views
                .into_iter()
                .enumerate()
                .map(|(i, v)| item_row(&state, &catalog, v, i + 1, today)),
        )
    };
    let items = async {
        // What this user's organizations carry out for their superiors' lists (上级交办).
        let mut assigned_views = Vec::new();
        if let Some(y) = year {
            for root in &scope.roots {
                assigned_views.extend(state.store.items_assigned_to(root, y as i32).await?);
            }
        }
        let mut overdue_views = Vec::new();
        for root in &scope.roots {
            let room = 10 - overdue_views.len() as i64;
            overdue_views.extend(state.store.overdue_items(root, today, room).await?);
        }
        tokio::try_join!(rows_of(assigned_views), rows_of(overdue_views))
    };
    let (summaries, orgs, (assigned, overdue)) = tokio::try_join!(
        async {
            Ok::<_, AppError>(
                state
                    .store
                    .list_summaries(&scope, year.map(|y| y as i32), today)
                    .await?,
            )
        },
        async { Ok::<_, AppError>(state.store.orgs_in(&scope).await?) },
        items,
    )?;
    let min_depth = orgs.iter().map(|o| o.depth()).min().unwrap_or(1);
    // In tree order: each organization's lists below its superior's.
    let position = |org_id: i64| {
        orgs.iter()
            .position(|o| o.id == org_id)
            .unwrap_or(usize::MAX)
    };
    let mut summaries = summaries;
    summaries.sort_by_key(|s| {
        (
            std::cmp::Reverse(s.list.year),
            position(s.list.org_id),
            s.list.id,
        )
    });
    let (mut total_items, mut total_done, mut total_overdue) = (0, 0, 0);
    let rows: Vec<ListRow> = summaries
        .into_iter()
        .map(|s| {
            total_items += s.items;
            total_done += s.done;
            total_overdue += s.overdue;
            ListRow {
                indent: path_of(&s.list.org_path)
                    .depth()
                    .saturating_sub(min_depth)
                    .min(4),
                handed_down: s.list.parent_list_id.is_some(),
                s,
            }
        })
        .collect();
    let excel = super::excel::ExcelBar::new(
        &user,
        "/lists",
        &year.map(|y| format!("year={y}")).unwrap_or_default(),
    );
    let page = ListsPage {
        excel,
        layout: Layout::new(&user, "lists", "责任清单")
            .with_notice(notice_text(q.notice.as_deref())),
        years,
        year,
        done_percent: if total_items > 0 {
            total_done * 100 / total_items
        } else {
            0
        },
        total_items,
        total_done,
        total_overdue,
        rows,
        assigned,
        overdue,
        can_create: user.perms.can_somewhere(Action::RecordWork),
    };
    Ok(render(&page))
}

// ------------------------------------------------------------------ new list

pub struct Choice {
    pub value: String,
    pub label: String,
}

#[derive(Deserialize, Default, Clone)]
pub struct ListForm {
    #[serde(default)]
    pub org: String,
    #[serde(default)]
    pub year: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub title: String,
}

#[derive(Template)]
#[template(path = "list_new.html")]
pub struct ListNewPage {
    pub layout: Layout,
    pub form: ListForm,
    pub error: FormError,
    pub orgs: Vec<Choice>,
    pub kinds: Vec<Choice>,
}

fn kind_choices() -> Vec<Choice> {
    ListKind::ALL
        .into_iter()
        .map(|k| Choice {
            value: k.code().into(),
            label: k.label().into(),
        })
        .collect()
}

async fn org_choices(state: &AppState, user: &CurrentUser) -> Result<Vec<Choice>, AppError> {
    let orgs = manage::list_orgs(state, user).await?;
    Ok(super::indented_choices(&orgs)
        .into_iter()
        .map(|(id, label)| Choice {
            value: id.to_string(),
            label,
        })
        .collect())
}

pub async fn new_form(State(state): State<AppState>, user: CurrentUser) -> PageResult {
    let orgs = org_choices(&state, &user).await?;
    let page = ListNewPage {
        layout: Layout::new(&user, "lists", "新建清单"),
        form: ListForm {
            org: orgs.first().map(|o| o.value.clone()).unwrap_or_default(),
            year: Day::today().year().to_string(),
            kind: ListKind::Responsibility.code().into(),
            title: String::new(),
        },
        error: FormError::none(),
        orgs,
        kinds: kind_choices(),
    };
    Ok(render(&page))
}

pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    PageForm(f): PageForm<ListForm>,
) -> PageResult {
    let outcome = async {
        let org = match f.org.trim().parse::<i64>() {
            Ok(id) => state.store.org(id).await.map_err(AppError::from),
            Err(_) => Err(AppError::NotFound("该组织")),
        };
        let org = manage::org_for_new_list(&user, org)?;
        let year = lists::parse_year("year", &f.year)?;
        let kind = ListKind::parse(&f.kind)?;
        // Left empty, the title is the customary one: 青石镇党委2023年责任清单.
        let title = if f.title.trim().is_empty() {
            format!("{}{year}年{}", org.name, kind.label())
        } else {
            lists::parse_title(&f.title)?
        };
        manage::create_list(&state, &user, &org, year, kind, &title).await
    }
    .await;
    match outcome {
        Ok(list) => {
            Ok(Redirect::to(&format!("/lists/{}?notice=list_created", list.id)).into_response())
        }
        Err(AppError::Invalid(inv)) => {
            let page = ListNewPage {
                layout: Layout::new(&user, "lists", "新建清单"),
                form: f,
                error: FormError::of("list", inv),
                orgs: org_choices(&state, &user).await?,
                kinds: kind_choices(),
            };
            Ok(render_status(&page, StatusCode::UNPROCESSABLE_ENTITY))
        }
        Err(e) => Err(e.into()),
    }
}

// ------------------------------------------------------------------ one list

/// The item form's fields as typed (kept to show again after an error).
#[derive(Deserialize, Default, Clone)]
pub struct ItemForm {
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub owner: String,
    #[serde(default)]
    pub org: String,
    #[serde(default)]
    pub deadline: String,
    #[serde(default)]
    pub recurrence: String,
    #[serde(default)]
    pub steps: String,
    #[serde(default)]
    pub target_metric: String,
    #[serde(default)]
    pub target_value: String,
}

impl ItemForm {
    fn of(v: &ItemView) -> ItemForm {
        ItemForm {
            category: v.item.category.clone(),
            description: v.item.description.clone(),
            owner: v
                .item
                .owner_account_id
                .map(|i| i.to_string())
                .unwrap_or_default(),
            org: v.item.org_id.to_string(),
            deadline: v.item.deadline.clone().unwrap_or_default(),
            recurrence: v.item.recurrence.code().into(),
            steps: v.item.steps.clone(),
            target_metric: v.item.target_metric.clone().unwrap_or_default(),
            target_value: v
                .item
                .target_value
                .map(|t| format_value(Some(t)))
                .unwrap_or_default(),
        }
    }

    /// Parses what needs no database; ids are checked by storage.
    fn fields(&self) -> Result<ItemFields, Invalid> {
        let id = |field: &'static str, text: &str, message: &str| {
            text.trim()
                .parse::<i64>()
                .map_err(|_| Invalid::new(field, message))
        };
        Ok(ItemFields {
            category: self.category.trim().to_string(),
            description: lists::parse_description(&self.description)?,
            owner_account_id: match self.owner.trim() {
                "" => None,
                o => Some(id("owner", o, "请选择责任领导")?),
            },
            org_id: id("org", &self.org, "请选择承办单位")?,
            deadline: match self.deadline.trim() {
                "" => None,
                d => Some(Day::parse("deadline", d)?),
            },
            recurrence: Recurrence::parse(&self.recurrence)?,
            steps: lists::parse_steps(&self.steps)?,
            target: lists::parse_target(&self.target_metric, &self.target_value)?,
        })
    }
}

/// The choices of the item form for a list.
pub struct ItemChoices {
    pub categories: Vec<String>,
    pub owners: Vec<Choice>,
    pub orgs: Vec<Choice>,
    pub recurrences: Vec<Choice>,
    pub metrics: Vec<Choice>,
}

async fn item_choices(
    state: &AppState,
    catalog: &[MetricDef],
    list_org_path: &str,
) -> Result<ItemChoices, AppError> {
    let scope = Scope {
        roots: vec![path_of(list_org_path)],
    };
    let orgs = state.store.orgs_in(&scope).await?;
    let mut owners: Vec<Choice> = Vec::new();
    for o in &orgs {
        let mut here: Vec<_> = state
            .store
            .accounts_at(o.id)
            .await?
            .into_iter()
            .filter(|a| a.active)
            .collect();
        // Leaders with a portfolio first: items belong to a leader's portfolio (一岗双责).
        here.sort_by_key(|a| (a.portfolio.is_empty(), a.id));
        for a in here {
            let mut label = a.display_name.clone();
            if !a.title.is_empty() {
                label.push_str(&format!("（{}）", a.title));
            }
            if !a.portfolio.is_empty() {
                label.push_str(&format!(" 分管：{}", a.portfolio));
            }
            owners.push(Choice {
                value: a.id.to_string(),
                label,
            });
        }
    }
    Ok(ItemChoices {
        categories: state.store.list_categories().await?,
        owners,
        orgs: super::indented_choices(&orgs)
            .into_iter()
            .map(|(id, label)| Choice {
                value: id.to_string(),
                label,
            })
            .collect(),
        recurrences: Recurrence::ALL
            .into_iter()
            .map(|r| Choice {
                value: r.code().into(),
                label: r.label().into(),
            })
            .collect(),
        metrics: catalog
            .iter()
            .map(|m| Choice {
                label: if m.unit.is_empty() {
                    m.name.clone()
                } else {
                    format!("{}（{}）", m.name, m.unit)
                },
                value: m.name.clone(),
            })
            .collect(),
    })
}

/// A list shown as a link (a parent or the list copied from), if the user may see it.
pub struct ListLink {
    pub id: i64,
    pub title: String,
    /// A branch sees where its list came from, but opens it only if it may see it.
    pub visible: bool,
}

#[derive(Template)]
#[template(path = "list_show.html")]
pub struct ListShowPage {
    pub layout: Layout,
    pub s: ListSummary,
    pub groups: Vec<CategoryGroup>,
    pub parent: Option<ListLink>,
    pub copied_from: Option<ListLink>,
    pub children: Vec<ListSummary>,
    pub can_edit: bool,
    pub choices: Option<ItemChoices>,
    pub item_form: ItemForm,
    pub branches: Vec<Choice>,
    pub handed_orgs: Vec<i64>,
    pub next_year: String,
    pub error: FormError,
    pub edit_title: String,
    pub edit_kind: String,
    pub kinds: Vec<Choice>,
}

async fn list_link(state: &AppState, user: &CurrentUser, id: Option<i64>) -> Option<ListLink> {
    let l = state.store.resp_list(id?).await.ok()?;
    Some(ListLink {
        visible: user.perms.can(Action::ViewOrgs, &path_of(&l.org_path)),
        id: l.id,
        title: l.title,
    })
}

async fn list_page(
    state: &AppState,
    user: &CurrentUser,
    list: RespList,
    item_form: Option<ItemForm>,
    error: FormError,
    notice: Option<String>,
) -> PageResult {
    let today = Day::today();
    let catalog = manage::metric_catalog(state).await?;
    let s = state.store.list_summary(list.id, today).await?;
    let items = state.store.list_items(list.id).await?;
    let can_edit = manage::can_edit_list(user, &list);
    let choices = if can_edit {
        Some(item_choices(state, &catalog, &list.org_path).await?)
    } else {
        None
    };
    let children: Vec<ListSummary> = state
        .store
        .child_lists(list.id, today)
        .await?
        .into_iter()
        .filter(|c| user.perms.can(Action::ViewOrgs, &path_of(&c.list.org_path)))
        .collect();
    let branches = if can_edit {
        manage::hand_down_targets(state, &list)
            .await?
            .into_iter()
            .map(|o| Choice {
                value: o.id.to_string(),
                label: o.name,
            })
            .collect()
    } else {
        Vec::new()
    };
    let status = if error.error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = ListShowPage {
        layout: Layout::new(user, "lists", list.title.clone()).with_notice(notice),
        groups: grouped(state, &catalog, items, today).await?,
        parent: list_link(state, user, list.parent_list_id).await,
        copied_from: list_link(state, user, list.copied_from_id).await,
        handed_orgs: children.iter().map(|c| c.list.org_id).collect(),
        children,
        can_edit,
        item_form: item_form.unwrap_or_else(|| ItemForm {
            org: list.org_id.to_string(),
            ..Default::default()
        }),
        choices,
        branches,
        next_year: (list.year + 1).to_string(),
        error,
        edit_title: list.title.clone(),
        edit_kind: list.kind.code().into(),
        kinds: kind_choices(),
        s,
    };
    Ok(render_status(&page, status))
}

pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> PageResult {
    let list = manage::list_by_id(&state, &user, &id).await?;
    list_page(
        &state,
        &user,
        list,
        None,
        FormError::none(),
        notice_text(q.notice.as_deref()),
    )
    .await
}

/// Shows the list page again with the error beside the form's field, or fails.
async fn list_outcome<T>(
    state: &AppState,
    user: &CurrentUser,
    list: RespList,
    form: &'static str,
    outcome: Result<T, AppError>,
    to: impl FnOnce(T) -> String,
    item_form: Option<ItemForm>,
) -> PageResult {
    match outcome {
        Ok(v) => Ok(Redirect::to(&to(v)).into_response()),
        Err(AppError::Invalid(inv)) => {
            list_page(state, user, list, item_form, FormError::of(form, inv), None).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
pub struct EditListForm {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub kind: String,
}

pub async fn update(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    PageForm(f): PageForm<EditListForm>,
) -> PageResult {
    let list = manage::list_by_id(&state, &user, &id).await?;
    let outcome = async {
        let change = ListChange {
            title: Some(lists::parse_title(&f.title)?),
            kind: Some(ListKind::parse(&f.kind)?),
        };
        manage::update_list(&state, &user, &list, change).await
    }
    .await;
    let id = list.id;
    list_outcome(
        &state,
        &user,
        list,
        "edit",
        outcome,
        |_| format!("/lists/{id}?notice=saved"),
        None,
    )
    .await
}

#[derive(Deserialize, Default)]
pub struct ReasonForm {
    #[serde(default)]
    pub reason: String,
}

pub async fn void(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    PageForm(f): PageForm<ReasonForm>,
) -> PageResult {
    let list = manage::list_by_id(&state, &user, &id).await?;
    let outcome = manage::void_list(&state, &user, &list, &f.reason).await;
    list_outcome(
        &state,
        &user,
        list,
        "void",
        outcome,
        |_| "/lists?notice=voided".into(),
        None,
    )
    .await
}

#[derive(Deserialize, Default)]
pub struct CopyForm {
    #[serde(default)]
    pub year: String,
}

pub async fn copy(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    PageForm(f): PageForm<CopyForm>,
) -> PageResult {
    let list = manage::list_by_id(&state, &user, &id).await?;
    let outcome = async {
        let year = lists::parse_year("year", &f.year)?;
        manage::copy_list(&state, &user, &list, year).await
    }
    .await;
    list_outcome(
        &state,
        &user,
        list,
        "copy",
        outcome,
        |c| format!("/lists/{}?notice=copied", c.id),
        None,
    )
    .await
}

pub async fn hand_down(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    PageForm(fields): PageForm<Vec<(String, String)>>,
) -> PageResult {
    let list = manage::list_by_id(&state, &user, &id).await?;
    let ids = |key: &str| -> Vec<i64> {
        fields
            .iter()
            .filter(|(k, _)| k == key)
            .filter_map(|(_, v)| v.trim().parse::<i64>().ok())
            .collect()
    };
    let (orgs, items) = (ids("org"), ids("item"));
    let outcome = if items.is_empty() {
        Err(Invalid::new("items", "请选择要下发的事项").into())
    } else {
        manage::hand_down(&state, &user, &list, &items, &orgs).await
    };
    let id = list.id;
    list_outcome(
        &state,
        &user,
        list,
        "handdown",
        outcome,
        |_| format!("/lists/{id}?notice=handed_down#children"),
        None,
    )
    .await
}

pub async fn add_item(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    PageForm(f): PageForm<ItemForm>,
) -> PageResult {
    let list = manage::list_by_id(&state, &user, &id).await?;
    let outcome = match f.fields() {
        Ok(fields) => manage::create_item(&state, &user, &list, fields).await,
        Err(e) => Err(e.into()),
    };
    let id = list.id;
    list_outcome(
        &state,
        &user,
        list,
        "item",
        outcome,
        |i| format!("/lists/{id}?notice=item_added#item-{}", i.id),
        Some(f),
    )
    .await
}

// ------------------------------------------------------------------ one item

pub struct ProgressEntry {
    pub p: ProgressView,
    pub files: Vec<AttachmentLink>,
}

#[derive(Template)]
#[template(path = "list_item.html")]
pub struct ItemPage {
    pub layout: Layout,
    pub row: ItemRow,
    pub list_visible: bool,
    pub parent_item: Option<ItemView>,
    pub progress: Vec<ProgressEntry>,
    pub files: Vec<AttachmentLink>,
    pub records: Vec<LinkedRecord>,
    pub linkable: Vec<LinkedRecord>,
    pub handed: Vec<ItemRow>,
    pub can_edit: bool,
    pub can_void: bool,
    pub choices: Option<ItemChoices>,
    pub form: ItemForm,
    pub error: FormError,
    pub today: String,
    pub progress_text: String,
    pub note: String,
}

/// What was typed into the item page's forms, shown again after an error.
#[derive(Default)]
struct Typed {
    form: Option<ItemForm>,
    progress_text: String,
    note: String,
}

async fn item_page(
    state: &AppState,
    user: &CurrentUser,
    v: ItemView,
    error: FormError,
    typed: Typed,
    notice: Option<String>,
) -> PageResult {
    let today = Day::today();
    let catalog = manage::metric_catalog(state).await?;
    let can_edit = manage::can_edit_item(user, &v);
    let can_void = manage::can_void_item(user, &v);
    let mut progress = Vec::new();
    for p in state.store.item_progress(v.item.id).await? {
        let files = state
            .store
            .attachments_of("progress", p.progress.id)
            .await?;
        progress.push(ProgressEntry { p, files });
    }
    let parent_item = match v.item.parent_item_id {
        Some(pid) => state
            .store
            .list_item(pid)
            .await
            .ok()
            .filter(|p| manage::sees_item(user, p)),
        None => None,
    };
    let mut handed = Vec::new();
    for h in state.store.handed_down_items(v.item.id).await? {
        if manage::sees_item(user, &h) {
            let n = handed.len() + 1;
            handed.push(item_row(state, &catalog, h, n, today).await?);
        }
    }
    let linkable = if can_edit {
        state
            .store
            .linkable_records(v.item.id, &path_of(&v.item.org_path), v.list_year as i32)
            .await?
    } else {
        Vec::new()
    };
    // Refining (下级细化) is for whoever may change the item; the form offers the list's
    // subtree.
    let choices = if can_edit {
        Some(item_choices(state, &catalog, &v.list_org_path).await?)
    } else {
        None
    };
    let status = if error.error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = ItemPage {
        layout: Layout::new(user, "lists", "清单事项").with_notice(notice),
        list_visible: user.perms.can(Action::ViewOrgs, &path_of(&v.list_org_path)),
        files: state.store.attachments_of("item", v.item.id).await?,
        records: state.store.linked_records(v.item.id).await?,
        form: typed.form.unwrap_or_else(|| ItemForm::of(&v)),
        row: item_row(state, &catalog, v, 0, today).await?,
        parent_item,
        progress,
        linkable,
        handed,
        can_edit,
        can_void,
        choices,
        error,
        today: today.text(),
        progress_text: typed.progress_text,
        note: typed.note,
    };
    Ok(render_status(&page, status))
}

pub async fn show_item(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> PageResult {
    let v = manage::item_by_id(&state, &user, &id).await?;
    item_page(
        &state,
        &user,
        v,
        FormError::none(),
        Typed::default(),
        notice_text(q.notice.as_deref()),
    )
    .await
}

async fn item_outcome<T>(
    state: &AppState,
    user: &CurrentUser,
    v: ItemView,
    form: &'static str,
    outcome: Result<T, AppError>,
    notice: &str,
    typed: Typed,
) -> PageResult {
    let id = v.item.id;
    match outcome {
        Ok(_) => Ok(Redirect::to(&format!("/list-items/{id}?notice={notice}")).into_response()),
        Err(AppError::Invalid(inv)) => {
            item_page(state, user, v, FormError::of(form, inv), typed, None).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn update_item(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    PageForm(f): PageForm<ItemForm>,
) -> PageResult {
    let v = manage::item_by_id(&state, &user, &id).await?;
    let outcome = match f.fields() {
        Ok(fields) => manage::update_item(&state, &user, &v, fields).await,
        Err(e) => Err(e.into()),
    };
    item_outcome(
        &state,
        &user,
        v,
        "edit",
        outcome,
        "saved",
        Typed {
            form: Some(f),
            ..Default::default()
        },
    )
    .await
}

pub async fn void_item(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    PageForm(f): PageForm<ReasonForm>,
) -> PageResult {
    let v = manage::item_by_id(&state, &user, &id).await?;
    let list_id = v.item.list_id;
    match manage::void_item(&state, &user, &v, &f.reason).await {
        Ok(_) => Ok(Redirect::to(&format!("/lists/{list_id}?notice=voided")).into_response()),
        Err(AppError::Invalid(inv)) => {
            item_page(
                &state,
                &user,
                v,
                FormError::of("void", inv),
                Typed::default(),
                None,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn reopen_item(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    PageForm(f): PageForm<ReasonForm>,
) -> PageResult {
    let v = manage::item_by_id(&state, &user, &id).await?;
    let outcome = manage::reopen_item(&state, &user, &v, &f.reason).await;
    item_outcome(
        &state,
        &user,
        v,
        "reopen",
        outcome,
        "reopened",
        Typed::default(),
    )
    .await
}

#[derive(Deserialize, Default)]
pub struct LinkForm {
    #[serde(default)]
    pub record_id: String,
}

pub async fn link_record(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    PageForm(f): PageForm<LinkForm>,
) -> PageResult {
    let v = manage::item_by_id(&state, &user, &id).await?;
    let outcome = match f.record_id.trim().parse::<i64>() {
        Ok(rid) => manage::link_record(&state, &user, &v, rid).await,
        Err(_) => Err(Invalid::new("record_id", "请选择要关联的工作纪实").into()),
    };
    item_outcome(
        &state,
        &user,
        v,
        "link",
        outcome,
        "linked",
        Typed::default(),
    )
    .await
}

/// The fields of a multipart form: texts by name, and the files.
struct MultipartForm {
    texts: Vec<(String, String)>,
    files: Vec<Upload>,
}

impl MultipartForm {
    fn text(&self, name: &str) -> String {
        self.texts
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }
}

/// A multipart body whose rejection is a Chinese 4xx page.
pub struct PageMultipart(pub Multipart);

impl<S: Send + Sync> FromRequest<S> for PageMultipart {
    type Rejection = super::PageError;

    async fn from_request(
        req: axum::extract::Request,
        state: &S,
    ) -> Result<Self, super::PageError> {
        Multipart::from_request(req, state)
            .await
            .map(PageMultipart)
            .map_err(|r| super::PageError(crate::error::rejection(r.status(), &r.body_text())))
    }
}

async fn read_multipart(
    PageMultipart(mut multipart): PageMultipart,
) -> Result<MultipartForm, AppError> {
    // Keeps the multipart error's own status: 413 for an upload over the limit, 400 otherwise.
    let bad = |e: axum::extract::multipart::MultipartError| {
        crate::error::rejection(e.status(), "上传的表单数据不完整，请重试")
    };
    let mut form = MultipartForm {
        texts: Vec::new(),
        files: Vec::new(),
    };
    while let Some(field) = multipart.next_field().await.map_err(bad)? {
        let name = field.name().unwrap_or("").to_string();
        if name == "file" {
            let file_name = field.file_name().unwrap_or("").to_string();
            let bytes = field.bytes().await.map_err(bad)?;
            // A file input left empty sends an empty part without a name.
            if !(bytes.is_empty() && file_name.is_empty()) {
                if form.files.len() >= 10 {
                    return Err(Invalid::new("file", "一次最多上传10个文件").into());
                }
                form.files.push(Upload {
                    name: file_name,
                    bytes: bytes.to_vec(),
                });
            }
        } else if form.texts.len() < 20 {
            let text = field.text().await.map_err(bad)?;
            form.texts.push((name, text));
        }
    }
    Ok(form)
}

pub async fn add_progress(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    multipart: PageMultipart,
) -> PageResult {
    let v = manage::item_by_id(&state, &user, &id).await?;
    let form = read_multipart(multipart).await?;
    let text = form.text("text");
    let outcome = match Day::parse("reported_on", &form.text("reported_on")) {
        Ok(on) => manage::add_progress(&state, &user, &v, on, &text, form.files).await,
        Err(e) => Err(e.into()),
    };
    item_outcome(
        &state,
        &user,
        v,
        "progress",
        outcome,
        "progress_added",
        Typed {
            progress_text: text,
            ..Default::default()
        },
    )
    .await
}

pub async fn complete_item(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    multipart: PageMultipart,
) -> PageResult {
    let v = manage::item_by_id(&state, &user, &id).await?;
    let form = read_multipart(multipart).await?;
    let note = form.text("note");
    let outcome = match Day::parse("completed_on", &form.text("completed_on")) {
        Ok(on) => manage::complete_item(&state, &user, &v, on, &note, form.files).await,
        Err(e) => Err(e.into()),
    };
    item_outcome(
        &state,
        &user,
        v,
        "complete",
        outcome,
        "completed",
        Typed {
            note,
            ..Default::default()
        },
    )
    .await
}

pub async fn void_progress(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    PageForm(f): PageForm<ReasonForm>,
) -> PageResult {
    let (p, v) = manage::progress_by_id(&state, &user, &id).await?;
    let outcome = manage::void_progress(&state, &user, &p, &v, &f.reason).await;
    item_outcome(
        &state,
        &user,
        v,
        "void_progress",
        outcome,
        "voided",
        Typed::default(),
    )
    .await
}

/// An evidence file: photos and PDFs shown in the browser, other documents downloaded.
pub async fn file(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, super::PageError> {
    let (link, bytes) = manage::evidence_file(&state, &user, &id).await?;
    let inline = link.is_image() || link.mime == "application/pdf";
    let encoded: String = link
        .file_name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let disposition = format!(
        "{}; filename*=UTF-8''{encoded}",
        if inline { "inline" } else { "attachment" }
    );
    Ok((
        [
            (header::CONTENT_TYPE, link.mime.clone()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}
