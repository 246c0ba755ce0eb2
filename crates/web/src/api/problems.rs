//! `/api/v1/problems`, `/api/v1/problem-batches`, `/api/v1/measures`, `/api/v1/problem-sources`:
//! the rectification ledger (问题整改台账) over JSON.

use super::{ApiError, ApiJson, ApiResult};
use crate::auth::CurrentUser;
use crate::error::{rejection, ErrorBody};
pub use crate::extract::Upload;
use crate::extract::{Path, Query};
use crate::manage::problems::{
    self as manage, BatchInput, BatchProblemInput, EvidenceTarget, MeasureEdit, MeasureInput,
    OwnerInput, ProblemEdit, ProblemInput,
};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use zeren_domain::date::Day;
use zeren_domain::permissions::Action;
use zeren_domain::problems::{MeasureStatus, ProblemStatus};
use zeren_domain::Invalid;
use zeren_storage::{AttachmentLink, Measure, Problem, ProblemEvent, ProblemFilter};

#[derive(Serialize, ToSchema)]
pub struct ProblemOut {
    pub id: i64,
    /// Code of the organization concerned.
    pub org: String,
    pub org_name: String,
    pub batch_id: Option<i64>,
    /// The work record that found it.
    pub record_id: Option<i64>,
    /// Source code, e.g. `inspection_tour`.
    pub source: String,
    /// 巡察反馈, 主体责任检查考核 …
    pub source_name: String,
    pub category: String,
    pub description: String,
    pub found_on: String,
    pub status: ProblemStatus,
    /// 待整改 / 整改中 / 已整改待审核 / 已销号
    pub status_label: String,
    pub measures: i64,
    pub open_measures: i64,
    pub overdue_measures: i64,
    /// Evidence files on the problem and its measures.
    pub evidence: i64,
    /// Display name of who submitted it for review.
    pub submitted_by: Option<String>,
    pub submitted_at: Option<String>,
    /// Display name of who closed it (销号).
    pub closed_by: Option<String>,
    pub closed_on: Option<String>,
    pub close_note: String,
    pub voided: bool,
    pub void_reason: String,
    pub created_at: String,
    pub updated_at: String,
}

pub fn problem_out(p: &Problem) -> ProblemOut {
    let name = |id: Option<i64>, n: &str| id.map(|_| n.to_string());
    ProblemOut {
        id: p.id,
        org: p.org_code.clone(),
        org_name: p.org_name.clone(),
        batch_id: p.batch_id,
        record_id: p.record_id,
        source: p.source_code.clone(),
        source_name: p.source_name.clone(),
        category: p.category.clone(),
        description: p.description.clone(),
        found_on: p.found_on.clone(),
        status: p.status,
        status_label: p.status.label().to_string(),
        measures: p.measures,
        open_measures: p.open_measures,
        overdue_measures: p.overdue_measures,
        evidence: p.evidence,
        submitted_by: name(p.submitted_by, &p.submitted_by_name),
        submitted_at: p.submitted_at.clone(),
        closed_by: name(p.closed_by, &p.closed_by_name),
        closed_on: p.closed_on.clone(),
        close_note: p.close_note.clone(),
        voided: p.voided,
        void_reason: p.void_reason.clone(),
        created_at: p.created_at.clone(),
        updated_at: p.updated_at.clone(),
    }
}

#[derive(Serialize, ToSchema)]
pub struct AttachmentOut {
    pub id: i64,
    pub file_name: String,
    pub size: i64,
    pub mime: String,
    pub sha256: String,
    pub created_at: String,
}

pub fn attachment_out(a: &AttachmentLink) -> AttachmentOut {
    AttachmentOut {
        id: a.id,
        file_name: a.file_name.clone(),
        size: a.size,
        mime: a.mime.clone(),
        sha256: a.sha256.clone(),
        created_at: a.created_at.clone(),
    }
}

#[derive(Serialize, ToSchema)]
pub struct MeasureOut {
    pub id: i64,
    pub problem_id: i64,
    pub description: String,
    /// The owner's username, when the owner has an account.
    pub owner: Option<String>,
    /// The owner's name (the account's display name, or the name typed).
    pub owner_name: String,
    pub deadline: String,
    pub status: MeasureStatus,
    pub status_label: String,
    /// Open and past its deadline today.
    pub overdue: bool,
    pub done_on: Option<String>,
    pub note: String,
    pub voided: bool,
    pub void_reason: String,
    pub evidence: Vec<AttachmentOut>,
}

pub fn measure_out(m: &Measure, evidence: &[AttachmentLink]) -> MeasureOut {
    MeasureOut {
        id: m.id,
        problem_id: m.problem_id,
        description: m.description.clone(),
        owner: m.owner_username.clone(),
        owner_name: m.owner_display.clone(),
        deadline: m.deadline.clone(),
        status: m.status,
        status_label: m.status.label().to_string(),
        overdue: m.is_overdue(Day::today()),
        done_on: m.done_on.clone(),
        note: m.note.clone(),
        voided: m.voided,
        void_reason: m.void_reason.clone(),
        evidence: evidence.iter().map(attachment_out).collect(),
    }
}

#[derive(Serialize, ToSchema)]
pub struct EventOut {
    /// created, start, submit, return, close, recheck_holds, reopen, measure_done, voided
    pub kind: String,
    pub label: String,
    pub on_date: String,
    pub note: String,
    /// Display name of who did it.
    pub actor: String,
    pub at: String,
}

fn event_out(e: &ProblemEvent) -> EventOut {
    EventOut {
        kind: e.kind.clone(),
        label: e.label().to_string(),
        on_date: e.on_date.clone(),
        note: e.note.clone(),
        actor: e.actor_name.clone(),
        at: e.created_at.clone(),
    }
}

/// A problem with its measures, evidence and history.
#[derive(Serialize, ToSchema)]
pub struct ProblemDetailOut {
    pub problem: ProblemOut,
    pub measures: Vec<MeasureOut>,
    /// Evidence attached to the problem itself (measures carry their own).
    pub evidence: Vec<AttachmentOut>,
    pub history: Vec<EventOut>,
}

async fn detail(state: &AppState, p: &Problem) -> Result<ProblemDetailOut, ApiError> {
    let measures = state.store.problem_measures(p.id, true).await?;
    let mut out = Vec::with_capacity(measures.len());
    for m in &measures {
        let files = state.store.attachments_of("measure", m.id).await?;
        out.push(measure_out(m, &files));
    }
    let evidence = state.store.attachments_of("problem", p.id).await?;
    let history = state.store.problem_events(p.id).await?;
    Ok(ProblemDetailOut {
        problem: problem_out(p),
        measures: out,
        evidence: evidence.iter().map(attachment_out).collect(),
        history: history.iter().map(event_out).collect(),
    })
}

#[derive(Deserialize, IntoParams)]
pub struct ProblemQuery {
    /// Organization code: that organization and those below it.
    pub org: Option<String>,
    /// Source code or name.
    pub source: Option<String>,
    /// pending, in_progress, awaiting_review, closed (or the Chinese label).
    pub status: Option<String>,
    pub batch: Option<i64>,
    /// `true`: only problems with an overdue measure.
    pub overdue: Option<bool>,
    /// Part of the description or category.
    pub q: Option<String>,
    /// `true`: voided problems instead of live ones.
    pub voided: Option<bool>,
    /// 1-based; default 1.
    pub page: Option<i64>,
    /// At most 500; default 50.
    pub per_page: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct ProblemListOut {
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
    pub items: Vec<ProblemOut>,
}

/// A visible organization named by code in a filter.
async fn filter_org(
    state: &AppState,
    user: &CurrentUser,
    code: Option<&str>,
    action: Action,
) -> Result<Option<zeren_domain::org::OrgPath>, ApiError> {
    match code.map(str::trim).filter(|c| !c.is_empty()) {
        None => Ok(None),
        Some(c) => match state.store.org_by_code(c).await {
            Ok(o) if user.perms.can(action, &o.path) => Ok(Some(o.path)),
            _ => Err(Invalid::new("org", "组织不存在或不在您的范围内").into()),
        },
    }
}

/// The ledger: problems the caller may see, filtered and paged.
#[utoipa::path(get, path = "/api/v1/problems", params(ProblemQuery), responses((status = 200, body = ProblemListOut), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ProblemQuery>,
) -> ApiResult<ProblemListOut> {
    let mut f = ProblemFilter::new(user.perms.scope(Action::ViewOrgs), Day::today());
    f.org = filter_org(&state, &user, q.org.as_deref(), Action::ViewOrgs).await?;
    if let Some(s) = q.source.as_deref().filter(|s| !s.trim().is_empty()) {
        f.source = Some(manage::parse_source(&state, s).await?);
    }
    if let Some(s) = q.status.as_deref().filter(|s| !s.trim().is_empty()) {
        f.status = Some(ProblemStatus::parse(s)?);
    }
    f.batch_id = q.batch;
    f.overdue_only = q.overdue.unwrap_or(false);
    f.voided = q.voided.unwrap_or(false);
    f.text = q.q;
    f.page = q.page.unwrap_or(1).clamp(1, 1_000_000);
    f.per_page = q.per_page.unwrap_or(50).clamp(1, 500);
    let page = state.store.problems(&f).await?;
    Ok(Json(ProblemListOut {
        total: page.total,
        page: f.page,
        per_page: f.per_page,
        items: page.rows.iter().map(problem_out).collect(),
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MeasureIn {
    pub description: String,
    /// Username of the owner's account.
    #[serde(default)]
    pub owner: Option<String>,
    /// Name of an owner without an account (used when `owner` is absent).
    #[serde(default)]
    pub owner_name: Option<String>,
    /// 整改期限, e.g. 2024-06-30.
    pub deadline: String,
}

fn owner_input(owner: Option<String>, owner_name: Option<String>) -> OwnerInput {
    match (
        owner.filter(|o| !o.trim().is_empty()),
        owner_name.filter(|n| !n.trim().is_empty()),
    ) {
        (Some(u), _) => OwnerInput::Username(u),
        (None, Some(n)) => OwnerInput::Name(n),
        (None, None) => OwnerInput::None,
    }
}

fn measure_input(m: MeasureIn) -> MeasureInput {
    MeasureInput {
        label: None,
        description: m.description,
        owner: owner_input(m.owner, m.owner_name),
        deadline: m.deadline,
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateProblem {
    /// Code of the organization concerned.
    pub org: String,
    /// Source code or name (巡察反馈 …).
    pub source: String,
    #[serde(default)]
    pub category: String,
    pub description: String,
    /// Default today.
    #[serde(default)]
    pub found_on: Option<String>,
    /// The work record that found it.
    #[serde(default)]
    pub record_id: Option<i64>,
    #[serde(default)]
    pub measures: Vec<MeasureIn>,
}

/// Records one problem with its measures.
#[utoipa::path(post, path = "/api/v1/problems", request_body = CreateProblem, responses((status = 201, body = ProblemDetailOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(req): ApiJson<CreateProblem>,
) -> Result<(StatusCode, Json<ProblemDetailOut>), ApiError> {
    let org = manage::org_for_recording(&user, manage::org_by_code(&state, &req.org).await, "org")?;
    let p = manage::create(
        &state,
        &user,
        &org,
        ProblemInput {
            source: req.source,
            category: req.category,
            description: req.description,
            found_on: req.found_on.unwrap_or_default(),
            record_id: req.record_id,
            measures: req.measures.into_iter().map(measure_input).collect(),
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(detail(&state, &p).await?)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BatchProblemIn {
    /// Code of the organization concerned; the batch's organization when absent. Must be it
    /// or one below it.
    #[serde(default)]
    pub org: Option<String>,
    #[serde(default)]
    pub category: String,
    pub description: String,
    /// Default: the day the feedback was received.
    #[serde(default)]
    pub found_on: Option<String>,
    #[serde(default)]
    pub measures: Vec<MeasureIn>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateBatch {
    /// Code of the organization inspected.
    pub org: String,
    /// Source code or name (巡察反馈 …).
    pub source: String,
    /// e.g. 区委第二巡察组反馈意见
    pub title: String,
    /// Default today.
    #[serde(default)]
    pub received_on: Option<String>,
    pub problems: Vec<BatchProblemIn>,
}

#[derive(Serialize, ToSchema)]
pub struct BatchOut {
    pub id: i64,
    pub org: String,
    pub org_name: String,
    pub source: String,
    pub source_name: String,
    pub title: String,
    pub received_on: String,
    /// Live problems, and of them closed (已销号).
    pub problem_count: i64,
    pub closed_count: i64,
    pub problems: Vec<ProblemOut>,
}

/// Records one inspection's findings together: all or nothing.
#[utoipa::path(post, path = "/api/v1/problem-batches", request_body = CreateBatch, responses((status = 201, body = BatchOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_batch(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(req): ApiJson<CreateBatch>,
) -> Result<(StatusCode, Json<BatchOut>), ApiError> {
    let org = manage::org_for_recording(&user, manage::org_by_code(&state, &req.org).await, "org")?;
    let problems = req
        .problems
        .into_iter()
        .map(|p| BatchProblemInput {
            label: None,
            org: p.org,
            category: p.category,
            description: p.description,
            found_on: p.found_on.unwrap_or_default(),
            measures: p.measures.into_iter().map(measure_input).collect(),
        })
        .collect();
    let checked = manage::check_batch(
        &state,
        &user,
        &org,
        BatchInput {
            source: req.source,
            title: req.title,
            received_on: req.received_on.unwrap_or_default(),
        },
        problems,
    )
    .await?;
    let (batch, problems) = manage::create_batch(&state, &user, checked).await?;
    Ok((
        StatusCode::CREATED,
        Json(BatchOut {
            id: batch.id,
            org: batch.org_code,
            org_name: batch.org_name,
            source: batch.source_code,
            source_name: batch.source_name,
            title: batch.title,
            received_on: batch.received_on,
            problem_count: batch.problems,
            closed_count: batch.closed,
            problems: problems.iter().map(problem_out).collect(),
        }),
    ))
}

/// One batch with the problems of it the caller may see.
#[utoipa::path(get, path = "/api/v1/problem-batches/{id}", params(("id" = i64, Path)), responses((status = 200, body = BatchOut), (status = 404, body = ErrorBody)))]
pub async fn show_batch(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<BatchOut> {
    let batch = manage::visible_batch(&state, &user, &id).await?;
    let mut f = ProblemFilter::new(user.perms.scope(Action::ViewOrgs), Day::today());
    f.batch_id = Some(batch.id);
    f.per_page = 500;
    let page = state.store.problems(&f).await?;
    Ok(Json(BatchOut {
        id: batch.id,
        org: batch.org_code,
        org_name: batch.org_name,
        source: batch.source_code,
        source_name: batch.source_name,
        title: batch.title,
        received_on: batch.received_on,
        problem_count: batch.problems,
        closed_count: batch.closed,
        problems: page.rows.iter().map(problem_out).collect(),
    }))
}

/// One problem with its measures, evidence and history.
#[utoipa::path(get, path = "/api/v1/problems/{id}", params(("id" = i64, Path)), responses((status = 200, body = ProblemDetailOut), (status = 404, body = ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<ProblemDetailOut> {
    let p = manage::visible(&state, &user, &id).await?;
    Ok(Json(detail(&state, &p).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateProblem {
    pub source: Option<String>,
    pub category: Option<String>,
    pub description: Option<String>,
    pub found_on: Option<String>,
}

/// Changes a problem's source, category, description or day found (not once closed).
#[utoipa::path(patch, path = "/api/v1/problems/{id}", params(("id" = i64, Path)), request_body = UpdateProblem, responses((status = 200, body = ProblemOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<UpdateProblem>,
) -> ApiResult<ProblemOut> {
    let p = manage::visible(&state, &user, &id).await?;
    let p = manage::update(
        &state,
        &user,
        &p,
        ProblemEdit {
            source: req.source,
            category: req.category,
            description: req.description,
            found_on: req.found_on,
        },
    )
    .await?;
    Ok(Json(problem_out(&p)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VoidIn {
    /// 作废原因
    pub reason: String,
}

/// Voids a problem (it stays in the ledger, marked void, with the reason).
#[utoipa::path(post, path = "/api/v1/problems/{id}/void", params(("id" = i64, Path)), request_body = VoidIn, responses((status = 200, body = ProblemOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn void(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<VoidIn>,
) -> ApiResult<ProblemOut> {
    let p = manage::visible(&state, &user, &id).await?;
    let p = manage::void(&state, &user, &p, &req.reason).await?;
    Ok(Json(problem_out(&p)))
}

/// Adds a measure (整改措施) to a problem being rectified.
#[utoipa::path(post, path = "/api/v1/problems/{id}/measures", params(("id" = i64, Path)), request_body = MeasureIn, responses((status = 201, body = MeasureOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_measure(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<MeasureIn>,
) -> Result<(StatusCode, Json<MeasureOut>), ApiError> {
    let p = manage::visible(&state, &user, &id).await?;
    let m = manage::add_measure(&state, &user, &p, measure_input(req)).await?;
    Ok((StatusCode::CREATED, Json(measure_out(&m, &[]))))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateMeasure {
    pub description: Option<String>,
    /// Username of the new owner.
    pub owner: Option<String>,
    /// Name of a new owner without an account.
    pub owner_name: Option<String>,
    pub deadline: Option<String>,
}

/// Changes a measure's text, owner or deadline.
#[utoipa::path(patch, path = "/api/v1/measures/{id}", params(("id" = i64, Path)), request_body = UpdateMeasure, responses((status = 200, body = MeasureOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_measure(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<UpdateMeasure>,
) -> ApiResult<MeasureOut> {
    let (m, p) = manage::visible_measure(&state, &user, &id).await?;
    let owner = if req.owner.is_some() || req.owner_name.is_some() {
        Some(owner_input(req.owner, req.owner_name))
    } else {
        None
    };
    let m = manage::update_measure(
        &state,
        &user,
        &m,
        &p,
        MeasureEdit {
            description: req.description,
            owner,
            deadline: req.deadline,
        },
    )
    .await?;
    let files = state.store.attachments_of("measure", m.id).await?;
    Ok(Json(measure_out(&m, &files)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DoneIn {
    /// Default today.
    #[serde(default)]
    pub date: Option<String>,
    /// What was done (整改情况).
    #[serde(default)]
    pub note: String,
}

/// Marks a measure done; a problem still 待整改 moves to 整改中.
#[utoipa::path(post, path = "/api/v1/measures/{id}/done", params(("id" = i64, Path)), request_body = DoneIn, responses((status = 200, body = MeasureOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn complete_measure(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<DoneIn>,
) -> ApiResult<MeasureOut> {
    let (m, p) = manage::visible_measure(&state, &user, &id).await?;
    let m = manage::complete_measure(
        &state,
        &user,
        &m,
        &p,
        req.date.as_deref().unwrap_or(""),
        &req.note,
    )
    .await?;
    let files = state.store.attachments_of("measure", m.id).await?;
    Ok(Json(measure_out(&m, &files)))
}

/// Voids a measure (it stays, marked void, with the reason).
#[utoipa::path(post, path = "/api/v1/measures/{id}/void", params(("id" = i64, Path)), request_body = VoidIn, responses((status = 200, body = MeasureOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn void_measure(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<VoidIn>,
) -> ApiResult<MeasureOut> {
    let (m, p) = manage::visible_measure(&state, &user, &id).await?;
    let m = manage::void_measure(&state, &user, &m, &p, &req.reason).await?;
    Ok(Json(measure_out(&m, &[])))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionIn {
    /// start, submit, return, close (销号), recheck_holds, reopen (回头看).
    pub action: String,
    #[serde(default)]
    pub note: String,
    /// Default today.
    #[serde(default)]
    pub date: Option<String>,
}

/// Moves the problem: start and submit need RecordWork; return, close (销号) and the re-checks
/// (回头看) need Approve, and close is refused to whoever submitted it.
#[utoipa::path(post, path = "/api/v1/problems/{id}/transitions", params(("id" = i64, Path)), request_body = TransitionIn, responses((status = 200, body = ProblemOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn transition(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<TransitionIn>,
) -> ApiResult<ProblemOut> {
    let p = manage::visible(&state, &user, &id).await?;
    let p = manage::transition(
        &state,
        &user,
        &p,
        &req.action,
        &req.note,
        req.date.as_deref().unwrap_or(""),
    )
    .await?;
    Ok(Json(problem_out(&p)))
}

/// Evidence files uploaded as multipart form data: one or more `file` parts.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct EvidenceUpload {
    #[schema(format = Binary, value_type = Vec<String>)]
    file: Vec<Vec<u8>>,
}

/// The `file` parts of an upload.
pub async fn read_files(Upload(mut multipart): Upload) -> Result<Vec<(String, Vec<u8>)>, ApiError> {
    let bad = |e: axum::extract::multipart::MultipartError| {
        rejection(e.status(), "上传的表单数据不完整，请重试")
    };
    let mut files = Vec::new();
    while let Some(field) = multipart.next_field().await.map_err(bad)? {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or("附件").to_string();
            let bytes = field.bytes().await.map_err(bad)?;
            if !bytes.is_empty() || !name.is_empty() {
                files.push((name, bytes.to_vec()));
            }
        }
    }
    Ok(files)
}

/// Attaches evidence (佐证材料) to a problem; files are recognised by their bytes.
#[utoipa::path(post, path = "/api/v1/problems/{id}/attachments", params(("id" = i64, Path)), request_body(content = EvidenceUpload, content_type = "multipart/form-data"), responses((status = 201, body = Vec<AttachmentOut>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn attach_problem(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    multipart: Upload,
) -> Result<(StatusCode, Json<Vec<AttachmentOut>>), ApiError> {
    let p = manage::visible(&state, &user, &id).await?;
    let files = read_files(multipart).await?;
    let links = manage::attach(&state, &user, EvidenceTarget::Problem(&p), files).await?;
    Ok((
        StatusCode::CREATED,
        Json(links.iter().map(attachment_out).collect()),
    ))
}

/// Attaches evidence (佐证材料) to a measure.
#[utoipa::path(post, path = "/api/v1/measures/{id}/attachments", params(("id" = i64, Path)), request_body(content = EvidenceUpload, content_type = "multipart/form-data"), responses((status = 201, body = Vec<AttachmentOut>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn attach_measure(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    multipart: Upload,
) -> Result<(StatusCode, Json<Vec<AttachmentOut>>), ApiError> {
    let (m, p) = manage::visible_measure(&state, &user, &id).await?;
    let files = read_files(multipart).await?;
    let links = manage::attach(&state, &user, EvidenceTarget::Measure(&m, &p), files).await?;
    Ok((
        StatusCode::CREATED,
        Json(links.iter().map(attachment_out).collect()),
    ))
}

#[derive(Deserialize, IntoParams)]
pub struct OverdueQuery {
    /// Organization code: that organization and those below it.
    pub org: Option<String>,
    /// Username of the measures' owner.
    pub owner: Option<String>,
    /// `true`: the caller's own measures.
    pub mine: Option<bool>,
    /// At most 1000; default 200.
    pub limit: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct OverdueOut {
    pub measure: MeasureOut,
    pub problem_id: i64,
    pub problem_description: String,
    pub org: String,
    pub org_name: String,
    pub days_overdue: i64,
}

#[derive(Serialize, ToSchema)]
pub struct OverdueListOut {
    pub total: i64,
    pub items: Vec<OverdueOut>,
}

/// Open measures past their deadline, most overdue first.
#[utoipa::path(get, path = "/api/v1/measures/overdue", params(OverdueQuery), responses((status = 200, body = OverdueListOut), (status = 422, body = ErrorBody)))]
pub async fn overdue(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<OverdueQuery>,
) -> ApiResult<OverdueListOut> {
    let org = filter_org(&state, &user, q.org.as_deref(), Action::ViewOrgs).await?;
    let owner = if q.mine.unwrap_or(false) {
        Some(user.account.id)
    } else {
        match q.owner.as_deref().map(str::trim).filter(|o| !o.is_empty()) {
            None => None,
            Some(u) => Some(
                state
                    .store
                    .account_by_username(u)
                    .await?
                    .ok_or_else(|| Invalid::new("owner", "没有该用户名的账户"))?
                    .id,
            ),
        }
    };
    let (rows, total) = state
        .store
        .overdue_measures(
            &user.perms.scope(Action::ViewOrgs),
            org.as_ref(),
            owner,
            Day::today(),
            q.limit.unwrap_or(200).clamp(1, 1000),
        )
        .await?;
    Ok(Json(OverdueListOut {
        total,
        items: rows
            .iter()
            .map(|o| OverdueOut {
                measure: measure_out(&o.measure, &[]),
                problem_id: o.measure.problem_id,
                problem_description: o.problem_description.clone(),
                org: o.org_code.clone(),
                org_name: o.org_name.clone(),
                days_overdue: o.days_overdue,
            })
            .collect(),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct SourceOut {
    pub code: String,
    pub name: String,
    /// Built in (not added by an administrator).
    pub builtin: bool,
}

/// The problem sources in use (问题来源): built in, then an administrator's additions.
#[utoipa::path(get, path = "/api/v1/problem-sources", responses((status = 200, body = Vec<SourceOut>)))]
pub async fn sources(State(state): State<AppState>) -> ApiResult<Vec<SourceOut>> {
    let builtin = zeren_domain::problems::builtin_sources();
    Ok(Json(
        state
            .store
            .problem_sources()
            .await?
            .into_iter()
            .map(|(code, name)| SourceOut {
                builtin: builtin.iter().any(|(c, _)| *c == code),
                code,
                name,
            })
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SourceIn {
    /// Lower-case letters, digits and `_`, e.g. `petition`.
    pub code: String,
    /// e.g. 信访举报
    pub name: String,
}

/// Adds a problem source (an administrator at the top organization).
#[utoipa::path(post, path = "/api/v1/problem-sources", request_body = SourceIn, responses((status = 201, body = SourceOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_source(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(req): ApiJson<SourceIn>,
) -> Result<(StatusCode, Json<SourceOut>), ApiError> {
    let (code, name) = manage::add_source(&state, &user, &req.code, &req.name).await?;
    Ok((
        StatusCode::CREATED,
        Json(SourceOut {
            code,
            name,
            builtin: false,
        }),
    ))
}
