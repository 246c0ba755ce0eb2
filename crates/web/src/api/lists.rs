//! `/api/v1/lists`, `/api/v1/list-items`, `/api/v1/list-categories`: responsibility lists
//! (责任清单), their items, progress reports (季度调度), completion and evidence.
//! Organizations are referred to by code, owners by username, lists and items by id.

use super::{ApiError, ApiJson, ApiResult};
use crate::auth::CurrentUser;
use crate::error::{AppError, ErrorBody};
use crate::extract::{Path, Query};
use crate::manage::lists::{self as manage, Upload};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use zeren_domain::date::Day;
use zeren_domain::lists::{self, ItemStatus, ListKind, Recurrence};
use zeren_domain::metrics::MetricDef;
use zeren_domain::permissions::Action;
use zeren_domain::Invalid;
use zeren_storage::{
    AttachmentLink, ItemFields, ItemView, LinkedRecord, ListChange, ListSummary, ProgressView,
    RespList,
};

#[derive(Serialize, ToSchema)]
pub struct ListOut {
    pub id: i64,
    /// The organization's code.
    pub org: String,
    pub org_name: String,
    pub year: i64,
    pub kind: ListKind,
    pub kind_label: String,
    pub title: String,
    /// 上级下发: the list this one was handed down from.
    pub parent_list_id: Option<i64>,
    /// The earlier year's list this one was copied from.
    pub copied_from_id: Option<i64>,
    pub items: i64,
    pub done: i64,
    pub overdue: i64,
    /// done ÷ items, whole percent.
    pub done_percent: i64,
    pub voided: bool,
    pub void_reason: String,
}

fn list_out(s: &ListSummary) -> ListOut {
    ListOut {
        id: s.list.id,
        org: s.org_code.clone(),
        org_name: s.org_name.clone(),
        year: s.list.year,
        kind: s.list.kind,
        kind_label: s.list.kind.label().to_string(),
        title: s.list.title.clone(),
        parent_list_id: s.list.parent_list_id,
        copied_from_id: s.list.copied_from_id,
        items: s.items,
        done: s.done,
        overdue: s.overdue,
        done_percent: s.done_percent(),
        voided: s.list.voided,
        void_reason: s.list.void_reason.clone(),
    }
}

#[derive(Serialize, ToSchema)]
pub struct OwnerOut {
    pub username: String,
    pub name: String,
    pub title: String,
    /// 分管领域 (一岗双责)
    pub portfolio: String,
}

/// 量化指标: the metric, the target value, and the metric's value now.
#[derive(Serialize, ToSchema)]
pub struct TargetOut {
    pub metric: String,
    pub value: f64,
    /// The metric over the carrying-out organization's subtree and the list's year.
    pub current: Option<f64>,
    pub met: Option<bool>,
}

#[derive(Serialize, ToSchema)]
pub struct ItemOut {
    pub id: i64,
    pub list_id: i64,
    pub list_title: String,
    pub year: i64,
    pub category: String,
    pub description: String,
    /// 责任领导
    pub owner: Option<OwnerOut>,
    /// 承办单位 (code)
    pub org: String,
    pub org_name: String,
    pub deadline: Option<String>,
    pub recurrence: Recurrence,
    pub recurrence_label: String,
    pub due_on: String,
    /// 路线图
    pub steps: String,
    pub target: Option<TargetOut>,
    pub status: ItemStatus,
    pub status_label: String,
    pub overdue: bool,
    pub completed_on: Option<String>,
    pub completion_note: String,
    /// The superior's item this one was handed down from.
    pub parent_item_id: Option<i64>,
    pub progress_count: i64,
    pub last_progress_on: Option<String>,
    pub voided: bool,
    pub void_reason: String,
}

/// One item; the catalogue is read only when the item has a target.
pub(crate) async fn item_out(state: &AppState, v: &ItemView) -> Result<ItemOut, AppError> {
    let catalog = if v.item.has_target() {
        manage::metric_catalog(state).await?
    } else {
        Vec::new()
    };
    item_out_with(state, &catalog, v).await
}

async fn item_out_with(
    state: &AppState,
    catalog: &[MetricDef],
    v: &ItemView,
) -> Result<ItemOut, AppError> {
    let i = &v.item;
    let target = match (&i.target_metric, i.target_value) {
        (Some(metric), Some(value)) => {
            let current = manage::live_value(state, catalog, v).await?;
            Some(TargetOut {
                metric: metric.clone(),
                value,
                current,
                met: current.map(|c| lists::target_met(c, value)),
            })
        }
        _ => None,
    };
    Ok(ItemOut {
        id: i.id,
        list_id: i.list_id,
        list_title: v.list_title.clone(),
        year: v.list_year,
        category: i.category.clone(),
        description: i.description.clone(),
        owner: v.owner.as_ref().map(|o| OwnerOut {
            username: o.username.clone(),
            name: o.name.clone(),
            title: o.title.clone(),
            portfolio: o.portfolio.clone(),
        }),
        org: v.org_code.clone(),
        org_name: v.org_name.clone(),
        deadline: i.deadline.clone(),
        recurrence: i.recurrence,
        recurrence_label: i.recurrence.label().to_string(),
        due_on: i.due_on.clone(),
        steps: i.steps.clone(),
        target,
        status: i.status,
        status_label: i.status.label().to_string(),
        overdue: i.is_overdue(Day::today()),
        completed_on: i.completed_on.clone(),
        completion_note: i.completion_note.clone(),
        parent_item_id: i.parent_item_id,
        progress_count: v.progress_count,
        last_progress_on: v.last_progress_on.clone(),
        voided: i.voided,
        void_reason: i.void_reason.clone(),
    })
}

async fn items_out(state: &AppState, items: &[ItemView]) -> Result<Vec<ItemOut>, AppError> {
    let catalog = if items.iter().any(|v| v.item.has_target()) {
        manage::metric_catalog(state).await?
    } else {
        Vec::new()
    };
    let mut out = Vec::with_capacity(items.len());
    for v in items {
        out.push(item_out_with(state, &catalog, v).await?);
    }
    Ok(out)
}

#[derive(Serialize, ToSchema)]
pub struct ListDetail {
    #[serde(flatten)]
    pub list: ListOut,
    pub items: Vec<ItemOut>,
}

async fn list_detail(state: &AppState, list: &RespList) -> Result<ListDetail, AppError> {
    let summary = state.store.list_summary(list.id, Day::today()).await?;
    let items = state.store.list_items(list.id).await?;
    Ok(ListDetail {
        list: list_out(&summary),
        items: items_out(state, &items).await?,
    })
}

#[derive(Deserialize, IntoParams)]
pub struct ListQuery {
    /// Only lists of this year.
    pub year: Option<i32>,
    /// Only lists of this organization and those below it (code).
    pub org: Option<String>,
}

/// The lists the caller may see, with their counts; newest year first.
#[utoipa::path(get, path = "/api/v1/lists", params(ListQuery), responses((status = 200, body = Vec<ListOut>), (status = 404, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ListQuery>,
) -> ApiResult<Vec<ListOut>> {
    let mut scope = user.perms.scope(Action::ViewOrgs);
    if let Some(code) = q.org.as_deref() {
        let org = crate::manage::orgs::by_code(&state, &user, code).await?;
        scope = zeren_domain::permissions::Scope {
            roots: vec![org.path],
        };
    }
    let lists = state
        .store
        .list_summaries(&scope, q.year, Day::today())
        .await
        .map_err(ApiError::from)?;
    Ok(Json(lists.iter().map(list_out).collect()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateList {
    /// The organization's code.
    pub org: String,
    pub year: i32,
    /// `responsibility` (责任清单, the default) or `task` (任务清单).
    pub kind: Option<String>,
    pub title: String,
}

/// Creates a list for an organization and a year.
#[utoipa::path(post, path = "/api/v1/lists", request_body = CreateList, responses((status = 201, body = ListDetail), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(req): ApiJson<CreateList>,
) -> Result<(StatusCode, Json<ListDetail>), ApiError> {
    let org = manage::org_for_new_list(
        &user,
        state
            .store
            .org_by_code(req.org.trim())
            .await
            .map_err(AppError::from),
    )?;
    let year = lists::check_year("year", req.year)?;
    let kind = match req.kind.as_deref() {
        Some(k) => ListKind::parse(k)?,
        None => ListKind::Responsibility,
    };
    let title = lists::parse_title(&req.title)?;
    let list = manage::create_list(&state, &user, &org, year, kind, &title).await?;
    Ok((StatusCode::CREATED, Json(list_detail(&state, &list).await?)))
}

/// One list with its items.
#[utoipa::path(get, path = "/api/v1/lists/{id}", params(("id" = i64, Path)), responses((status = 200, body = ListDetail), (status = 404, body = ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<ListDetail> {
    let list = manage::list_by_id(&state, &user, &id).await?;
    Ok(Json(list_detail(&state, &list).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateList {
    pub title: Option<String>,
    pub kind: Option<String>,
}

/// Renames a list or changes its kind.
#[utoipa::path(patch, path = "/api/v1/lists/{id}", params(("id" = i64, Path)), request_body = UpdateList, responses((status = 200, body = ListDetail), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<UpdateList>,
) -> ApiResult<ListDetail> {
    let list = manage::list_by_id(&state, &user, &id).await?;
    let change = ListChange {
        title: req.title.as_deref().map(lists::parse_title).transpose()?,
        kind: req.kind.as_deref().map(ListKind::parse).transpose()?,
    };
    let list = manage::update_list(&state, &user, &list, change).await?;
    Ok(Json(list_detail(&state, &list).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VoidRequest {
    /// 作废原因
    pub reason: String,
}

/// Voids a list and its items (kept, with the reason, in the audit trail).
#[utoipa::path(post, path = "/api/v1/lists/{id}/void", params(("id" = i64, Path)), request_body = VoidRequest, responses((status = 200, body = ListOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn void(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<VoidRequest>,
) -> ApiResult<ListOut> {
    let list = manage::list_by_id(&state, &user, &id).await?;
    let list = manage::void_list(&state, &user, &list, &req.reason).await?;
    let summary = state
        .store
        .list_summary(list.id, Day::today())
        .await
        .map_err(ApiError::from)?;
    Ok(Json(list_out(&summary)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CopyRequest {
    /// The later year to copy to.
    pub year: i32,
}

/// Copies a list to a later year (复制上年清单): items reset to open, deadlines moved.
#[utoipa::path(post, path = "/api/v1/lists/{id}/copy", params(("id" = i64, Path)), request_body = CopyRequest, responses((status = 201, body = ListDetail), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn copy(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<CopyRequest>,
) -> Result<(StatusCode, Json<ListDetail>), ApiError> {
    let list = manage::list_by_id(&state, &user, &id).await?;
    let year = lists::check_year("year", req.year)?;
    let copy = manage::copy_list(&state, &user, &list, year).await?;
    Ok((StatusCode::CREATED, Json(list_detail(&state, &copy).await?)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HandDownRequest {
    /// Codes of organizations below the list's.
    pub orgs: Vec<String>,
    /// Item ids of the list; all items when absent or empty.
    pub items: Option<Vec<i64>>,
}

/// Hands items down to organizations below (上级下发): each gets its own list for the year.
#[utoipa::path(post, path = "/api/v1/lists/{id}/hand-down", params(("id" = i64, Path)), request_body = HandDownRequest, responses((status = 201, body = Vec<ListOut>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn hand_down(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<HandDownRequest>,
) -> Result<(StatusCode, Json<Vec<ListOut>>), ApiError> {
    let list = manage::list_by_id(&state, &user, &id).await?;
    if req.orgs.len() > 500 || req.items.as_ref().is_some_and(|i| i.len() > 1000) {
        return Err(Invalid::new("orgs", "一次下发的组织或事项过多").into());
    }
    let mut org_ids = Vec::new();
    for code in &req.orgs {
        let org = state
            .store
            .org_by_code(code.trim())
            .await
            .map_err(|_| Invalid::new("orgs", format!("下发对象“{}”不存在", short(code))))?;
        if !user.perms.can(Action::ViewOrgs, &org.path) {
            return Err(Invalid::new("orgs", format!("下发对象“{}”不存在", short(code))).into());
        }
        org_ids.push(org.id);
    }
    let lists = manage::hand_down(
        &state,
        &user,
        &list,
        req.items.as_deref().unwrap_or(&[]),
        &org_ids,
    )
    .await?;
    let mut out = Vec::new();
    for l in lists {
        let s = state
            .store
            .list_summary(l.id, Day::today())
            .await
            .map_err(ApiError::from)?;
        out.push(list_out(&s));
    }
    Ok((StatusCode::CREATED, Json(out)))
}

fn short(text: &str) -> String {
    text.chars().take(20).collect()
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateItem {
    /// One of `GET /api/v1/list-categories`.
    pub category: String,
    pub description: String,
    /// 责任领导's username.
    pub owner: Option<String>,
    /// 承办单位's code; the list's organization when absent.
    pub org: Option<String>,
    /// 完成时限, inside the list's year.
    pub deadline: Option<String>,
    /// `once` (default), `monthly`, `quarterly`.
    pub recurrence: Option<String>,
    /// 路线图
    pub steps: Option<String>,
    /// A metric of the catalogue; with `target_value`.
    pub target_metric: Option<String>,
    pub target_value: Option<f64>,
}

fn opt_day(field: &'static str, text: Option<&str>) -> Result<Option<Day>, Invalid> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => Day::parse(field, t).map(Some),
        None => Ok(None),
    }
}

fn target_of(metric: Option<&str>, value: Option<f64>) -> Result<Option<(String, f64)>, Invalid> {
    let metric = metric.map(str::trim).unwrap_or("");
    match (metric.is_empty(), value) {
        (true, None) => Ok(None),
        (false, Some(v)) => Ok(Some((metric.to_string(), lists::check_target_value(v)?))),
        (false, None) => Err(Invalid::new("target_value", "请填写目标值")),
        (true, Some(_)) => Err(Invalid::new("target_metric", "请选择目标值对应的指标")),
    }
}

/// Adds an item to a list.
#[utoipa::path(post, path = "/api/v1/lists/{id}/items", params(("id" = i64, Path)), request_body = CreateItem, responses((status = 201, body = ItemOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_item(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<CreateItem>,
) -> Result<(StatusCode, Json<ItemOut>), ApiError> {
    let list = manage::list_by_id(&state, &user, &id).await?;
    if !manage::can_edit_list(&user, &list) {
        return Err(AppError::Forbidden.into());
    }
    let org_id = match req.org.as_deref().filter(|o| !o.trim().is_empty()) {
        Some(code) => manage::item_org_id(&state, &user, code).await?,
        None => list.org_id,
    };
    let fields = ItemFields {
        category: req.category.trim().to_string(),
        description: lists::parse_description(&req.description)?,
        owner_account_id: manage::owner_id(&state, req.owner.as_deref().unwrap_or("")).await?,
        org_id,
        deadline: opt_day("deadline", req.deadline.as_deref())?,
        recurrence: Recurrence::parse(req.recurrence.as_deref().unwrap_or(""))?,
        steps: lists::parse_steps(req.steps.as_deref().unwrap_or(""))?,
        target: target_of(req.target_metric.as_deref(), req.target_value)?,
    };
    let item = manage::create_item(&state, &user, &list, fields).await?;
    let view = state
        .store
        .list_item(item.id)
        .await
        .map_err(ApiError::from)?;
    Ok((StatusCode::CREATED, Json(item_out(&state, &view).await?)))
}

#[derive(Serialize, ToSchema)]
pub struct AttachmentOut {
    pub id: i64,
    pub file_name: String,
    pub size: i64,
    pub mime: String,
    pub sha256: String,
    /// Where the file is read (with the same login).
    pub url: String,
    pub created_at: String,
}

fn attachment_out(a: &AttachmentLink) -> AttachmentOut {
    AttachmentOut {
        id: a.id,
        file_name: a.file_name.clone(),
        size: a.size,
        mime: a.mime.clone(),
        sha256: a.sha256.clone(),
        url: format!("/list-files/{}", a.id),
        created_at: a.created_at.clone(),
    }
}

#[derive(Serialize, ToSchema)]
pub struct ProgressOut {
    pub id: i64,
    pub item_id: i64,
    pub reported_on: String,
    pub text: String,
    pub reporter: Option<String>,
    pub attachments: Vec<AttachmentOut>,
}

async fn progress_out(state: &AppState, p: &ProgressView) -> Result<ProgressOut, AppError> {
    let files = state
        .store
        .attachments_of("progress", p.progress.id)
        .await?;
    Ok(ProgressOut {
        id: p.progress.id,
        item_id: p.progress.item_id,
        reported_on: p.progress.reported_on.clone(),
        text: p.progress.text.clone(),
        reporter: p.reporter.clone(),
        attachments: files.iter().map(attachment_out).collect(),
    })
}

#[derive(Serialize, ToSchema)]
pub struct LinkedRecordOut {
    pub id: i64,
    pub title: String,
    pub held_on: String,
    pub org_name: String,
}

fn record_out(r: &LinkedRecord) -> LinkedRecordOut {
    LinkedRecordOut {
        id: r.id,
        title: r.title.clone(),
        held_on: r.held_on.clone(),
        org_name: r.org_name.clone(),
    }
}

#[derive(Serialize, ToSchema)]
pub struct ItemDetail {
    #[serde(flatten)]
    pub item: ItemOut,
    /// 季度调度, newest first.
    pub progress: Vec<ProgressOut>,
    /// Completion evidence.
    pub attachments: Vec<AttachmentOut>,
    /// Work records that fulfil the item.
    pub records: Vec<LinkedRecordOut>,
    /// The copies handed down to branches that the caller may see (下级细化).
    pub handed_down: Vec<ItemOut>,
}

async fn item_detail(
    state: &AppState,
    user: &CurrentUser,
    v: &ItemView,
) -> Result<ItemDetail, AppError> {
    let mut progress = Vec::new();
    for p in state.store.item_progress(v.item.id).await? {
        progress.push(progress_out(state, &p).await?);
    }
    let files = state.store.attachments_of("item", v.item.id).await?;
    let records = state.store.linked_records(v.item.id).await?;
    let handed: Vec<ItemView> = state
        .store
        .handed_down_items(v.item.id)
        .await?
        .into_iter()
        .filter(|h| manage::sees_item(user, h))
        .collect();
    Ok(ItemDetail {
        item: item_out(state, v).await?,
        progress,
        attachments: files.iter().map(attachment_out).collect(),
        records: records.iter().map(record_out).collect(),
        handed_down: items_out(state, &handed).await?,
    })
}

/// One item with its progress reports, evidence and linked records.
#[utoipa::path(get, path = "/api/v1/list-items/{id}", params(("id" = i64, Path)), responses((status = 200, body = ItemDetail), (status = 404, body = ErrorBody)))]
pub async fn show_item(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<ItemDetail> {
    let item = manage::item_by_id(&state, &user, &id).await?;
    Ok(Json(item_detail(&state, &user, &item).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateItem {
    pub category: Option<String>,
    pub description: Option<String>,
    /// Username; `""` removes the owner.
    pub owner: Option<String>,
    /// Organization code.
    pub org: Option<String>,
    /// `""` removes the deadline (the item is then due at the year's end).
    pub deadline: Option<String>,
    pub recurrence: Option<String>,
    pub steps: Option<String>,
    /// `""` removes the target.
    pub target_metric: Option<String>,
    pub target_value: Option<f64>,
}

/// Changes an item (下级细化: a branch refines what was handed down).
#[utoipa::path(patch, path = "/api/v1/list-items/{id}", params(("id" = i64, Path)), request_body = UpdateItem, responses((status = 200, body = ItemOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_item(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<UpdateItem>,
) -> ApiResult<ItemOut> {
    let item = manage::item_by_id(&state, &user, &id).await?;
    if !manage::can_edit_item(&user, &item) {
        return Err(AppError::Forbidden.into());
    }
    let mut f = ItemFields::of(&item.item);
    if let Some(c) = &req.category {
        f.category = c.trim().to_string();
    }
    if let Some(d) = &req.description {
        f.description = lists::parse_description(d)?;
    }
    if let Some(o) = &req.owner {
        f.owner_account_id = manage::owner_id(&state, o).await?;
    }
    if let Some(code) = &req.org {
        f.org_id = manage::item_org_id(&state, &user, code).await?;
    }
    if let Some(d) = &req.deadline {
        f.deadline = opt_day("deadline", Some(d))?;
    }
    if let Some(r) = &req.recurrence {
        f.recurrence = Recurrence::parse(r)?;
    }
    if let Some(s) = &req.steps {
        f.steps = lists::parse_steps(s)?;
    }
    match (&req.target_metric, req.target_value) {
        (None, None) => {}
        (Some(m), v) if m.trim().is_empty() => {
            if v.is_some() {
                return Err(Invalid::new("target_metric", "请选择目标值对应的指标").into());
            }
            f.target = None;
        }
        (Some(m), v) => {
            let value = v
                .or(f.target.as_ref().map(|t| t.1))
                .ok_or_else(|| Invalid::new("target_value", "请填写目标值"))?;
            f.target = target_of(Some(m), Some(value))?;
        }
        (None, Some(v)) => match &f.target {
            Some((m, _)) => f.target = target_of(Some(&m.clone()), Some(v))?,
            None => return Err(Invalid::new("target_metric", "请选择目标值对应的指标").into()),
        },
    }
    let changed = manage::update_item(&state, &user, &item, f).await?;
    let view = state
        .store
        .list_item(changed.id)
        .await
        .map_err(ApiError::from)?;
    Ok(Json(item_out(&state, &view).await?))
}

/// Voids an item (kept, with the reason, in the audit trail).
#[utoipa::path(post, path = "/api/v1/list-items/{id}/void", params(("id" = i64, Path)), request_body = VoidRequest, responses((status = 200, body = ItemOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn void_item(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<VoidRequest>,
) -> ApiResult<ItemOut> {
    let item = manage::item_by_id(&state, &user, &id).await?;
    let voided = manage::void_item(&state, &user, &item, &req.reason).await?;
    let view = state
        .store
        .list_item(voided.id)
        .await
        .map_err(ApiError::from)?;
    Ok(Json(item_out(&state, &view).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProgressRequest {
    /// 调度日期
    pub reported_on: String,
    /// 进展情况
    pub text: String,
}

/// Reports progress on an item (季度调度); evidence follows by
/// `POST /api/v1/list-items/{id}/attachments` with `progress_id`.
#[utoipa::path(post, path = "/api/v1/list-items/{id}/progress", params(("id" = i64, Path)), request_body = ProgressRequest, responses((status = 201, body = ProgressOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_progress(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<ProgressRequest>,
) -> Result<(StatusCode, Json<ProgressOut>), ApiError> {
    let item = manage::item_by_id(&state, &user, &id).await?;
    if !manage::can_edit_item(&user, &item) {
        return Err(AppError::Forbidden.into());
    }
    let on = Day::parse("reported_on", &req.reported_on)?;
    let p = manage::add_progress(&state, &user, &item, on, &req.text, Vec::new()).await?;
    let view = ProgressView {
        progress: p,
        reporter: Some(user.account.display_name.clone()),
    };
    Ok((
        StatusCode::CREATED,
        Json(progress_out(&state, &view).await?),
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CompleteRequest {
    /// 完成日期
    pub completed_on: String,
    /// 完成情况说明
    pub note: Option<String>,
}

/// Signs an item without a target off as done. Needs evidence uploaded before
/// (`/attachments`) or a linked work record.
#[utoipa::path(post, path = "/api/v1/list-items/{id}/complete", params(("id" = i64, Path)), request_body = CompleteRequest, responses((status = 200, body = ItemOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn complete(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<CompleteRequest>,
) -> ApiResult<ItemOut> {
    let item = manage::item_by_id(&state, &user, &id).await?;
    if !manage::can_edit_item(&user, &item) {
        return Err(AppError::Forbidden.into());
    }
    let on = Day::parse("completed_on", &req.completed_on)?;
    let done = manage::complete_item(
        &state,
        &user,
        &item,
        on,
        req.note.as_deref().unwrap_or(""),
        Vec::new(),
    )
    .await?;
    let view = state
        .store
        .list_item(done.id)
        .await
        .map_err(ApiError::from)?;
    Ok(Json(item_out(&state, &view).await?))
}

/// An evidence file (multipart form data): `file`, and `progress_id` to attach it to one of
/// the item's progress reports rather than to the item.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct EvidenceUpload {
    #[schema(format = Binary, value_type = String)]
    file: Vec<u8>,
    progress_id: Option<i64>,
}

/// Uploads evidence for an item or one of its progress reports; the type is read from the
/// bytes (photos, PDF, Word, Excel, OFD).
#[utoipa::path(post, path = "/api/v1/list-items/{id}/attachments", params(("id" = i64, Path)), request_body(content = EvidenceUpload, content_type = "multipart/form-data"), responses((status = 201, body = AttachmentOut), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn upload(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    crate::extract::Upload(mut multipart): crate::extract::Upload,
) -> Result<(StatusCode, Json<AttachmentOut>), ApiError> {
    let item = manage::item_by_id(&state, &user, &id).await?;
    if !manage::can_edit_item(&user, &item) {
        return Err(AppError::Forbidden.into());
    }
    let bad = |e: axum::extract::multipart::MultipartError| {
        crate::error::rejection(e.status(), "上传的表单数据不完整，请重试")
    };
    let (mut file, mut progress) = (None, String::new());
    while let Some(field) = multipart.next_field().await.map_err(bad)? {
        match field.name().unwrap_or("") {
            "file" => {
                let name = field.file_name().unwrap_or("附件").to_string();
                file = Some(Upload {
                    name,
                    bytes: field.bytes().await.map_err(bad)?.to_vec(),
                });
            }
            "progress_id" => progress = field.text().await.map_err(bad)?,
            _ => {}
        }
    }
    let file = file.ok_or_else(|| Invalid::new("file", "请上传佐证材料"))?;
    let progress_id = match progress.trim() {
        "" => None,
        p => Some(
            p.parse::<i64>()
                .map_err(|_| Invalid::new("progress_id", "该事项没有这条进展"))?,
        ),
    };
    let link = manage::attach(&state, &user, &item, progress_id, file).await?;
    Ok((StatusCode::CREATED, Json(attachment_out(&link))))
}

/// The item categories in use (built-in and added).
#[utoipa::path(get, path = "/api/v1/list-categories", responses((status = 200, body = Vec<String>)))]
pub async fn categories(State(state): State<AppState>) -> ApiResult<Vec<String>> {
    Ok(Json(
        state
            .store
            .list_categories()
            .await
            .map_err(ApiError::from)?,
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CategoryRequest {
    /// 2–20 characters, e.g. 统战工作.
    pub name: String,
}

/// Adds an item category (an administrator of a top-level organization).
#[utoipa::path(post, path = "/api/v1/list-categories", request_body = CategoryRequest, responses((status = 201, body = Vec<String>), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_category(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(req): ApiJson<CategoryRequest>,
) -> Result<(StatusCode, Json<Vec<String>>), ApiError> {
    manage::add_category(&state, &user, &req.name).await?;
    let all = state
        .store
        .list_categories()
        .await
        .map_err(ApiError::from)?;
    Ok((StatusCode::CREATED, Json(all)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReopenRequest {
    /// Why the sign-off is taken back.
    pub reason: String,
}

/// Takes back an item's sign-off (it is open again).
#[utoipa::path(post, path = "/api/v1/list-items/{id}/reopen", params(("id" = i64, Path)), request_body = ReopenRequest, responses((status = 200, body = ItemOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn reopen(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<ReopenRequest>,
) -> ApiResult<ItemOut> {
    let item = manage::item_by_id(&state, &user, &id).await?;
    let open = manage::reopen_item(&state, &user, &item, &req.reason).await?;
    let view = state
        .store
        .list_item(open.id)
        .await
        .map_err(ApiError::from)?;
    Ok(Json(item_out(&state, &view).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkRequest {
    /// A work record of the item's organization (or below).
    pub record_id: i64,
}

/// Links a work record that fulfils the item (from the item's side).
#[utoipa::path(post, path = "/api/v1/list-items/{id}/records", params(("id" = i64, Path)), request_body = LinkRequest, responses((status = 201, body = Vec<LinkedRecordOut>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn link_record(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<LinkRequest>,
) -> Result<(StatusCode, Json<Vec<LinkedRecordOut>>), ApiError> {
    let item = manage::item_by_id(&state, &user, &id).await?;
    manage::link_record(&state, &user, &item, req.record_id).await?;
    let records = state
        .store
        .linked_records(item.item.id)
        .await
        .map_err(ApiError::from)?;
    Ok((
        StatusCode::CREATED,
        Json(records.iter().map(record_out).collect()),
    ))
}

/// Voids a progress report (kept, with the reason, in the audit trail).
#[utoipa::path(post, path = "/api/v1/list-progress/{id}/void", params(("id" = i64, Path)), request_body = VoidRequest, responses((status = 200, body = ProgressOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn void_progress(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<VoidRequest>,
) -> ApiResult<ProgressOut> {
    let (p, item) = manage::progress_by_id(&state, &user, &id).await?;
    let voided = manage::void_progress(&state, &user, &p, &item, &req.reason).await?;
    let view = ProgressView {
        progress: voided,
        reporter: None,
    };
    Ok(Json(progress_out(&state, &view).await?))
}
