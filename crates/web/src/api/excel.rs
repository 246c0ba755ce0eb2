//! `/api/v1/{ledger}/export` and `/api/v1/{ledger}/import`: every ledger as an .xlsx
//! workbook (layout: `manage::excel`). Export takes the filters of the ledger's list API and
//! answers the workbook; import takes a multipart `file`, answers 200 with what it created,
//! or 422 with every fault of the workbook (nothing is written then).

use super::records::optional_day;
use super::ApiError;
use crate::auth::CurrentUser;
use crate::error::{AppError, ErrorBody};
use crate::extract::{Query, Upload};
use crate::manage::excel::{
    lists, members, problems, records, risks, Download, ImportError, ImportSummary, RowError,
};
use crate::manage::orgs;
use crate::AppState;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use zeren_domain::members::MemberStatus;
use zeren_domain::problems::ProblemStatus;
use zeren_domain::risks::{RiskLevel, SubjectKind};
use zeren_domain::Invalid;
use zeren_storage::Org;

/// The workbook to import (multipart form data, one part named `file`).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct WorkbookUpload {
    #[schema(format = Binary, value_type = String)]
    file: Vec<u8>,
}

/// An import refused for faults in the workbook: each with its place.
#[derive(Serialize, ToSchema)]
pub struct ImportFaults {
    /// `invalid_rows`
    pub code: String,
    pub message: String,
    pub errors: Vec<RowError>,
}

/// The answer of an import: what was created, or why nothing was.
pub fn import_reply(outcome: Result<ImportSummary, ImportError>) -> Response {
    match outcome {
        Ok(summary) => (StatusCode::OK, Json(summary)).into_response(),
        Err(ImportError::Rows(errors)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(ImportFaults {
                code: "invalid_rows".into(),
                message: ImportError::summary(&errors),
                errors,
            }),
        )
            .into_response(),
        Err(ImportError::App(e)) => ApiError(e).into_response(),
    }
}

/// The bytes of the `file` part of an upload.
pub async fn read_workbook(multipart: &mut Multipart) -> Result<Vec<u8>, AppError> {
    let bad = |e: axum::extract::multipart::MultipartError| {
        crate::error::rejection(e.status(), "上传的表单数据不完整，请重试")
    };
    while let Some(field) = multipart.next_field().await.map_err(bad)? {
        if field.name() != Some("file") {
            continue;
        }
        let bytes = field.bytes().await.map_err(bad)?;
        if !bytes.is_empty() {
            return Ok(bytes.to_vec());
        }
    }
    Err(Invalid::new("file", "请选择要导入的 Excel 文件（.xlsx）").into())
}

async fn org_filter(
    state: &AppState,
    user: &CurrentUser,
    code: Option<&str>,
) -> Result<Option<Org>, AppError> {
    match code.map(str::trim).filter(|c| !c.is_empty()) {
        Some(c) => Ok(Some(orgs::by_code(state, user, c).await?)),
        None => Ok(None),
    }
}

fn nonempty(t: Option<String>) -> Option<String> {
    t.map(|t| t.trim().to_string()).filter(|t| !t.is_empty())
}

#[derive(Deserialize, IntoParams, Default)]
pub struct RecordExportQuery {
    /// Organization code: its subtree.
    pub org: Option<String>,
    /// Record type code.
    #[serde(rename = "type")]
    #[param(rename = "type")]
    pub type_code: Option<String>,
    /// YYYY-MM-DD
    pub from: Option<String>,
    /// YYYY-MM-DD
    pub to: Option<String>,
    /// Part of the title.
    pub q: Option<String>,
}

/// 工作纪实台账 as a workbook: the records the caller sees under the filters, with their
/// attendance on a second sheet.
#[utoipa::path(get, path = "/api/v1/records/export", params(RecordExportQuery),
    responses((status = 200, description = "the .xlsx workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn export_records(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<RecordExportQuery>,
) -> Result<Download, ApiError> {
    let f = records::RecordFilter {
        org: org_filter(&state, &user, q.org.as_deref()).await?,
        type_code: nonempty(q.type_code),
        from: optional_day("from", q.from.as_deref())?,
        to: optional_day("to", q.to.as_deref())?,
        text: nonempty(q.q),
    };
    Ok(records::export(&state, &user, f).await?)
}

/// Imports records (and attendance) from a workbook in the export's layout: all or nothing.
#[utoipa::path(post, path = "/api/v1/records/import",
    request_body(content = WorkbookUpload, content_type = "multipart/form-data"),
    responses((status = 200, body = ImportSummary), (status = 403, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ImportFaults)))]
pub async fn import_records(
    State(state): State<AppState>,
    user: CurrentUser,
    Upload(mut multipart): Upload,
) -> Response {
    let outcome = match read_workbook(&mut multipart).await {
        Ok(bytes) => records::import(&state, &user, bytes).await,
        Err(e) => Err(e.into()),
    };
    import_reply(outcome)
}

#[derive(Deserialize, IntoParams, Default)]
pub struct MemberExportQuery {
    /// Organization code: its subtree.
    pub org: Option<String>,
    /// full, probationary, transferred_out, deceased (or the Chinese label).
    pub status: Option<String>,
    /// Part of the name.
    pub q: Option<String>,
}

/// 党员名册 as a workbook.
#[utoipa::path(get, path = "/api/v1/members/export", params(MemberExportQuery),
    responses((status = 200, description = "the .xlsx workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn export_members(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<MemberExportQuery>,
) -> Result<Download, ApiError> {
    let f = members::MemberFilter {
        org: org_filter(&state, &user, q.org.as_deref()).await?,
        status: match nonempty(q.status) {
            Some(s) => Some(MemberStatus::parse(&s)?),
            None => None,
        },
        name: nonempty(q.q),
    };
    Ok(members::export(&state, &user, f).await?)
}

/// Imports roster entries from a workbook: all or nothing.
#[utoipa::path(post, path = "/api/v1/members/import",
    request_body(content = WorkbookUpload, content_type = "multipart/form-data"),
    responses((status = 200, body = ImportSummary), (status = 403, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ImportFaults)))]
pub async fn import_members(
    State(state): State<AppState>,
    user: CurrentUser,
    Upload(mut multipart): Upload,
) -> Response {
    let outcome = match read_workbook(&mut multipart).await {
        Ok(bytes) => members::import(&state, &user, bytes).await,
        Err(e) => Err(e.into()),
    };
    import_reply(outcome)
}

#[derive(Deserialize, IntoParams, Default)]
pub struct ProblemExportQuery {
    /// Organization code: its subtree.
    pub org: Option<String>,
    /// Source code or name.
    pub source: Option<String>,
    /// pending, in_progress, awaiting_review, closed (or the Chinese label).
    pub status: Option<String>,
    /// `true`: only problems with an overdue measure.
    pub overdue: Option<bool>,
    /// Part of the description or category.
    pub q: Option<String>,
    /// Only the problems of this batch.
    pub batch: Option<i64>,
}

/// 问题整改台账 as a workbook, with the measures on a second sheet.
#[utoipa::path(get, path = "/api/v1/problems/export", params(ProblemExportQuery),
    responses((status = 200, description = "the .xlsx workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn export_problems(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ProblemExportQuery>,
) -> Result<Download, ApiError> {
    let f = problems::ProblemExport {
        org: org_filter(&state, &user, q.org.as_deref()).await?,
        source: match nonempty(q.source) {
            Some(s) => Some(crate::manage::problems::parse_source(&state, &s).await?),
            None => None,
        },
        status: match nonempty(q.status) {
            Some(s) => Some(ProblemStatus::parse(&s)?),
            None => None,
        },
        overdue: q.overdue.unwrap_or(false),
        text: nonempty(q.q),
        batch: q.batch,
    };
    Ok(problems::export(&state, &user, f).await?)
}

/// Imports problems (and their measures) from a workbook: all or nothing.
#[utoipa::path(post, path = "/api/v1/problems/import",
    request_body(content = WorkbookUpload, content_type = "multipart/form-data"),
    responses((status = 200, body = ImportSummary), (status = 403, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ImportFaults)))]
pub async fn import_problems(
    State(state): State<AppState>,
    user: CurrentUser,
    Upload(mut multipart): Upload,
) -> Response {
    let outcome = match read_workbook(&mut multipart).await {
        Ok(bytes) => problems::import(&state, &user, bytes).await,
        Err(e) => Err(e.into()),
    };
    import_reply(outcome)
}

#[derive(Deserialize, IntoParams, Default)]
pub struct RiskExportQuery {
    /// Organization code: its subtree.
    pub org: Option<String>,
    /// Identified in this year.
    pub year: Option<i32>,
    /// unit, post, person (or 单位, 岗位, 个人).
    pub kind: Option<String>,
    /// high, medium, low (or 高, 中, 低).
    pub level: Option<String>,
}

/// 廉政风险点台账 as a workbook, with the control measures on a second sheet.
#[utoipa::path(get, path = "/api/v1/risks/export", params(RiskExportQuery),
    responses((status = 200, description = "the .xlsx workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn export_risks(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<RiskExportQuery>,
) -> Result<Download, ApiError> {
    if q.year.is_some_and(|y| !(1949..=2100).contains(&y)) {
        return Err(Invalid::new("year", "年度应为四位年份，如 2023").into());
    }
    let f = risks::RiskExport {
        org: org_filter(&state, &user, q.org.as_deref()).await?,
        year: q.year,
        kind: match nonempty(q.kind) {
            Some(k) => Some(SubjectKind::parse(&k)?),
            None => None,
        },
        level: match nonempty(q.level) {
            Some(l) => Some(RiskLevel::parse(&l)?),
            None => None,
        },
    };
    Ok(risks::export(&state, &user, f).await?)
}

/// Imports risk points (and their control measures) from a workbook: all or nothing.
#[utoipa::path(post, path = "/api/v1/risks/import",
    request_body(content = WorkbookUpload, content_type = "multipart/form-data"),
    responses((status = 200, body = ImportSummary), (status = 403, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ImportFaults)))]
pub async fn import_risks(
    State(state): State<AppState>,
    user: CurrentUser,
    Upload(mut multipart): Upload,
) -> Response {
    let outcome = match read_workbook(&mut multipart).await {
        Ok(bytes) => risks::import(&state, &user, bytes).await,
        Err(e) => Err(e.into()),
    };
    import_reply(outcome)
}

#[derive(Deserialize, IntoParams, Default)]
pub struct ListExportQuery {
    /// Organization code: lists of it and those below it.
    pub org: Option<String>,
    /// Only lists of this year.
    pub year: Option<i32>,
}

/// 责任清单台账 as a workbook: one row per item (with its list), progress reports on a
/// second sheet.
#[utoipa::path(get, path = "/api/v1/lists/export", params(ListExportQuery),
    responses((status = 200, description = "the .xlsx workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn export_lists(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ListExportQuery>,
) -> Result<Download, ApiError> {
    if let Some(y) = q.year {
        zeren_domain::lists::check_year("year", y)?;
    }
    let f = lists::ListExport {
        org: org_filter(&state, &user, q.org.as_deref()).await?,
        year: q.year,
    };
    Ok(lists::export(&state, &user, f).await?)
}

/// Imports lists and their items (and progress reports) from a workbook: all or nothing.
#[utoipa::path(post, path = "/api/v1/lists/import",
    request_body(content = WorkbookUpload, content_type = "multipart/form-data"),
    responses((status = 200, body = ImportSummary), (status = 403, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ImportFaults)))]
pub async fn import_lists(
    State(state): State<AppState>,
    user: CurrentUser,
    Upload(mut multipart): Upload,
) -> Response {
    let outcome = match read_workbook(&mut multipart).await {
        Ok(bytes) => lists::import(&state, &user, bytes).await,
        Err(e) => Err(e.into()),
    };
    import_reply(outcome)
}
