//! `/api/v1/reports`: reports drafted from the records (报告起草) — generate, read with the
//! figures the records have since moved and the checker's findings, save versions, refresh
//! figures, compare versions, export (Word, PDF, Markdown, text), void.

use super::{ApiError, ApiJson, ApiResult};
use crate::auth::CurrentUser;
use crate::error::ErrorBody;
use crate::extract::{Path, Query};
use crate::manage::reports::{self as manage, DiffLine, DraftRequest, StaleFigure};
use crate::AppState;
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use zeren_domain::Invalid;
use zeren_reports::draft::Draft;
use zeren_storage::{Report, ReportVersion};

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateReport {
    /// annual | accountability | self_inspection | quarterly
    pub kind: String,
    /// Organization code; the report covers it and every organization below it.
    pub org: String,
    /// First day, `2023-01-01`.
    pub from: String,
    /// Last day, `2023-12-31`.
    pub to: String,
    /// 述责述廉报告: the username of the leader who reports (the caller when omitted).
    pub subject: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ReportOut {
    pub id: i64,
    /// Organization code.
    pub org: String,
    pub org_name: String,
    pub kind: String,
    /// 年度报告, 述责述廉报告, 自查报告, 季度调度报告.
    pub kind_label: String,
    pub from: String,
    pub to: String,
    pub title: String,
    /// The latest version.
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
    pub voided: bool,
    pub void_reason: String,
}

fn report_out(r: &Report) -> ReportOut {
    ReportOut {
        id: r.id,
        org: r.org_code.clone(),
        org_name: r.org_name.clone(),
        kind: r.kind.clone(),
        kind_label: manage::kind_label(&r.kind).to_string(),
        from: r.period_from.clone(),
        to: r.period_to.clone(),
        title: r.title.clone(),
        version: r.version,
        created_at: r.created_at.clone(),
        updated_at: r.updated_at.clone(),
        voided: r.voided,
        void_reason: r.void_reason.clone(),
    }
}

#[derive(Serialize, ToSchema)]
pub struct CreatedOut {
    pub id: i64,
    #[serde(flatten)]
    pub report: ReportOut,
    /// What the caller should know, e.g. that the period has no records at all.
    pub warnings: Vec<String>,
}

/// Drafts a report from the records and saves it as version 1. Every figure comes from the
/// metric layer over the organization's subtree and the period; where the records say
/// nothing the draft has a marked blank (待补充).
#[utoipa::path(post, path = "/api/v1/reports", request_body = CreateReport, responses((status = 201, body = CreatedOut), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(req): ApiJson<CreateReport>,
) -> Result<(StatusCode, Json<CreatedOut>), ApiError> {
    let g = manage::generate(
        &state,
        &user,
        DraftRequest {
            kind: &req.kind,
            org: &req.org,
            from: &req.from,
            to: &req.to,
            subject: req.subject.as_deref(),
        },
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedOut {
            id: g.report.id,
            report: report_out(&g.report),
            warnings: g.warnings,
        }),
    ))
}

#[derive(Deserialize, IntoParams)]
pub struct ListQuery {
    /// Only reports of this kind.
    pub kind: Option<String>,
    /// 1-based; 50 a page.
    pub page: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct ReportList {
    pub total: i64,
    pub reports: Vec<ReportOut>,
}

/// Live reports of the organizations the caller may draft for, newest first.
#[utoipa::path(get, path = "/api/v1/reports", params(ListQuery), responses((status = 200, body = ReportList)))]
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ListQuery>,
) -> ApiResult<ReportList> {
    let page = manage::list(&state, &user, q.kind.as_deref(), q.page.unwrap_or(1)).await?;
    Ok(Json(ReportList {
        total: page.total,
        reports: page.rows.iter().map(report_out).collect(),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct VersionOut {
    pub version: i64,
    pub note: String,
    /// Display name of who saved it.
    pub saved_by: Option<String>,
    pub saved_at: String,
}

fn version_out(v: &ReportVersion) -> VersionOut {
    VersionOut {
        version: v.version,
        note: v.note.clone(),
        saved_by: v.created_by_name.clone(),
        saved_at: v.created_at.clone(),
    }
}

#[derive(Serialize, ToSchema)]
pub struct ReportDetail {
    #[serde(flatten)]
    pub report: ReportOut,
    /// The version shown (the latest unless `?version=` asked for another).
    pub current: VersionOut,
    /// The draft: `{title, addressee, blocks: [{kind: heading|paragraph, level?, content:
    /// [{kind: text, text} | {kind: figure, metric, text, value, previous} | {kind: blank,
    /// hint}]}], issuer, date}`.
    #[schema(value_type = Object)]
    pub draft: serde_json::Value,
    /// Bound figures whose metric now says something else: refresh them with
    /// `POST /api/v1/reports/{id}/refresh`.
    pub stale: Vec<StaleFigure>,
    /// The report checker's findings on the draft (报告体检), each with `part` (title,
    /// addressee, block, issuer, date) and `block`.
    #[schema(value_type = Vec<Object>)]
    pub findings: serde_json::Value,
    /// Blanks (待补充) left to fill in.
    pub blanks: Vec<String>,
    pub warnings: Vec<String>,
}

#[derive(Deserialize, IntoParams)]
pub struct VersionQuery {
    /// A version number; the latest when omitted.
    pub version: Option<i64>,
}

async fn detail(
    state: &AppState,
    report: &Report,
    version: Option<i64>,
) -> Result<ReportDetail, ApiError> {
    let (v, draft) = manage::version(state, report, version).await?;
    let period = manage::report_period(report)?;
    let stale = manage::stale(state, report, &draft).await?;
    let disabled = manage::disabled_rules(state, report).await?;
    let findings = manage::findings(&draft, period.to.year(), &disabled);
    let mut warnings = Vec::new();
    let catalog = state.store.metric_catalog().await.map_err(ApiError::from)?;
    if !manage::recorded(&draft, &catalog) {
        let org = state.store.org(report.org_id).await?;
        warnings.push(manage::no_records_notice(&org, period));
    }
    Ok(ReportDetail {
        report: report_out(report),
        current: version_out(&v),
        blanks: draft.blanks().map(str::to_string).collect(),
        draft: serde_json::to_value(&draft).map_err(|e| ApiError::from(internal(e)))?,
        stale,
        findings: serde_json::to_value(&findings).map_err(|e| ApiError::from(internal(e)))?,
        warnings,
    })
}

fn internal(e: impl std::fmt::Display) -> crate::error::AppError {
    crate::error::AppError::Internal(e.to_string())
}

/// A report: its draft, the figures the records have since moved, the checker's findings.
#[utoipa::path(get, path = "/api/v1/reports/{id}", params(("id" = i64, Path), VersionQuery), responses((status = 200, body = ReportDetail), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(q): Query<VersionQuery>,
) -> ApiResult<ReportDetail> {
    let r = manage::visible(&state, &user, &id).await?;
    Ok(Json(detail(&state, &r, q.version).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SaveReport {
    /// The version the draft was edited from: refused (409) when someone saved since.
    pub version: i64,
    /// The whole draft, as `GET` gives it. Figures stay bound to their metrics; sending a
    /// figure as text unbinds it.
    #[schema(value_type = Object)]
    pub draft: serde_json::Value,
    /// 修改说明.
    #[serde(default)]
    pub note: String,
}

/// Saves an edited draft as a new version.
#[utoipa::path(put, path = "/api/v1/reports/{id}", params(("id" = i64, Path)), request_body = SaveReport, responses((status = 200, body = ReportDetail), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn save(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<SaveReport>,
) -> ApiResult<ReportDetail> {
    let r = manage::visible(&state, &user, &id).await?;
    let draft: Draft = serde_json::from_value(req.draft).map_err(|e| {
        ApiError::from(Invalid::new(
            "draft",
            format!(
                "草稿格式不正确：{}",
                e.to_string().chars().take(160).collect::<String>()
            ),
        ))
    })?;
    manage::save(&state, &user, &r, req.version, draft, &req.note).await?;
    let r = manage::visible(&state, &user, &id).await?;
    Ok(Json(detail(&state, &r, None).await?))
}

#[derive(Serialize, ToSchema)]
pub struct RefreshOut {
    /// Figures rewritten.
    pub changed: usize,
    /// Figures of metrics no longer in the catalogue, left as they are.
    pub unknown: usize,
    /// The new version, when something changed.
    pub version: Option<i64>,
    pub message: String,
}

/// Rewrites the figures the records have moved since (their text and value only, never the
/// prose around them) as a new version.
#[utoipa::path(post, path = "/api/v1/reports/{id}/refresh", params(("id" = i64, Path)), responses((status = 200, body = RefreshOut), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn refresh(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<RefreshOut> {
    let r = manage::visible(&state, &user, &id).await?;
    let done = manage::refresh(&state, &user, &r).await?;
    Ok(Json(RefreshOut {
        message: refresh_message(done.changed, done.unknown),
        changed: done.changed,
        unknown: done.unknown,
        version: done.version.map(|v| v.version),
    }))
}

pub fn refresh_message(changed: usize, unknown: usize) -> String {
    let mut m = if changed == 0 {
        "数字均与记录一致，无需刷新".to_string()
    } else {
        format!("已按最新记录刷新{changed}处数字，文字未改动")
    };
    if unknown > 0 {
        m.push_str(&format!(
            "；另有{unknown}处数字绑定的指标已停用，请解除绑定后手工核对"
        ));
    }
    m
}

/// Every version of a report, newest first.
#[utoipa::path(get, path = "/api/v1/reports/{id}/versions", params(("id" = i64, Path)), responses((status = 200, body = Vec<VersionOut>), (status = 404, body = ErrorBody)))]
pub async fn versions(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Vec<VersionOut>> {
    let r = manage::visible(&state, &user, &id).await?;
    let all = state
        .store
        .report_versions(r.id)
        .await
        .map_err(ApiError::from)?;
    Ok(Json(all.iter().map(version_out).collect()))
}

#[derive(Deserialize, IntoParams)]
pub struct DiffQuery {
    /// The older version; the one before `to` when omitted.
    pub from: Option<i64>,
    /// The newer version; the latest when omitted.
    pub to: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct DiffOut {
    pub from: i64,
    pub to: i64,
    /// Title, addressee, each block, signature and date; changed blocks by character.
    pub lines: Vec<DiffLine>,
}

/// The differences between two versions.
#[utoipa::path(get, path = "/api/v1/reports/{id}/diff", params(("id" = i64, Path), DiffQuery), responses((status = 200, body = DiffOut), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn diff(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(q): Query<DiffQuery>,
) -> ApiResult<DiffOut> {
    let r = manage::visible(&state, &user, &id).await?;
    let (b, new) = manage::version(&state, &r, q.to).await?;
    let from = q.from.unwrap_or((b.version - 1).max(1));
    let (a, old) = manage::version(&state, &r, Some(from)).await?;
    Ok(Json(DiffOut {
        from: a.version,
        to: b.version,
        lines: manage::diff(&old, &new),
    }))
}

#[derive(Deserialize, IntoParams)]
pub struct ExportQuery {
    /// docx (default), pdf, md or txt.
    pub format: Option<String>,
    /// A version number; the latest when omitted.
    pub version: Option<i64>,
}

/// The report as a file: Word in the official layout (GB/T 9704), PDF (LibreOffice; 503 when
/// it is not available), Markdown or text.
#[utoipa::path(get, path = "/api/v1/reports/{id}/export", params(("id" = i64, Path), ExportQuery), responses((status = 200, description = "the file"), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn export(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(q): Query<ExportQuery>,
) -> Result<Response, ApiError> {
    let r = manage::visible(&state, &user, &id).await?;
    let format = manage::format(q.format.as_deref())?;
    let file = manage::export(&state, &r, q.version, format).await?;
    Ok(file_response(r.id, file))
}

/// The exported bytes with their type and a Chinese file name.
pub fn file_response(report_id: i64, file: manage::Exported) -> Response {
    let mut resp = file.bytes.into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(file.format.content_type()),
    );
    if let Ok(v) = HeaderValue::from_str(&manage::content_disposition(
        &file.file_name,
        report_id,
        file.format,
    )) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    resp
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VoidReport {
    pub reason: String,
}

/// Voids a report (it is kept, with its versions).
#[utoipa::path(post, path = "/api/v1/reports/{id}/void", params(("id" = i64, Path)), request_body = VoidReport, responses((status = 200, body = ReportOut), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn void(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<VoidReport>,
) -> ApiResult<ReportOut> {
    let r = manage::visible(&state, &user, &id).await?;
    let r = manage::void(&state, &user, &r, &req.reason).await?;
    Ok(Json(report_out(&r)))
}
