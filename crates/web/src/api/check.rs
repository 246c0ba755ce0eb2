//! `POST /api/v1/check`: 报告体检 over the API.

use super::{ApiError, ApiJson, ApiResult};
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::error::ErrorBody;
use crate::manage::check::{self, org_disabled_rules};
use crate::AppState;
use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use zeren_domain::Invalid;
use zeren_reports::{CheckOptions, Document};

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckRequest {
    /// The draft's text.
    pub text: String,
    /// `text` (default) or `markdown`.
    #[serde(default)]
    pub format: Option<String>,
    /// The report's year; read from its title when absent.
    #[serde(default)]
    pub year: Option<i32>,
    /// Rule ids or prefixes to switch off, besides those the caller's organization switched off.
    #[serde(default)]
    pub disabled: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct FindingOut {
    pub rule: String,
    /// 错误 / 警告 / 提示
    pub severity: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    /// Exclusive.
    pub end_column: usize,
    pub text: String,
    pub message: String,
    pub suggestion: String,
}

/// Checks a draft report and returns every finding with its position.
#[utoipa::path(post, path = "/api/v1/check", request_body = CheckRequest, responses((status = 200, body = Vec<FindingOut>), (status = 400, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn check_draft(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(req): ApiJson<CheckRequest>,
) -> ApiResult<Vec<FindingOut>> {
    if req.text.trim().is_empty() {
        return Err(Invalid::new("text", "请提供报告文本").into());
    }
    if let Some(y) = req.year {
        if !(1949..=2100).contains(&y) {
            return Err(Invalid::new("year", "年度应为四位年份，如 2023").into());
        }
    }
    let doc = match req.format.as_deref() {
        None | Some("text") => Document::from_text(&req.text),
        Some("markdown") => Document::from_markdown(&req.text),
        Some(_) => return Err(Invalid::new("format", "格式应为 text 或 markdown").into()),
    };
    Ok(Json(run(&state, &user, doc, req.disabled, req.year).await?))
}

/// Checks a document with the caller's organization's rules and the given ones switched off.
async fn run(
    state: &AppState,
    user: &CurrentUser,
    doc: Document,
    mut disabled: Vec<String>,
    year: Option<i32>,
) -> Result<Vec<FindingOut>, ApiError> {
    for d in &disabled {
        let top = d.split('.').next().unwrap_or("");
        if !zeren_reports::checker::RULES.iter().any(|r| r.id == top) {
            return Err(Invalid::new("disabled", format!("没有名为“{d}”的检查项")).into());
        }
    }
    disabled.extend(org_disabled_rules(state, user).await?);
    let opts = CheckOptions { disabled, year };
    // CPU work on a possibly large text: off the async workers, a few at a time.
    let _permit = check::CHECK_PERMITS
        .acquire()
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let findings = tokio::task::spawn_blocking(move || zeren_reports::check(&doc, &opts))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(findings
        .into_iter()
        .map(|f| FindingOut {
            rule: f.rule,
            severity: f.severity.as_str().to_string(),
            line: f.line,
            column: f.column,
            end_line: f.end_line,
            end_column: f.end_column,
            text: f.text,
            message: f.message,
            suggestion: f.suggestion,
        })
        .collect())
}

/// A draft uploaded as a file (multipart form data): `file` (.docx, .md, or text in UTF-8,
/// GBK or UTF-16), optional `year`, and `disabled` (repeatable) for rules to switch off.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct CheckUpload {
    #[schema(format = Binary, value_type = String)]
    file: Vec<u8>,
    year: Option<i32>,
    disabled: Option<Vec<String>>,
}

/// Checks an uploaded draft (.docx, .md or text) and returns every finding with its position.
#[utoipa::path(post, path = "/api/v1/check/upload", request_body(content = CheckUpload, content_type = "multipart/form-data"), responses((status = 200, body = Vec<FindingOut>), (status = 400, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn check_upload(
    State(state): State<AppState>,
    user: CurrentUser,
    crate::extract::Upload(mut multipart): crate::extract::Upload,
) -> ApiResult<Vec<FindingOut>> {
    let bad = |e: axum::extract::multipart::MultipartError| {
        crate::error::rejection(e.status(), "上传的表单数据不完整，请重试")
    };
    let (mut file, mut year, mut disabled) = (None, String::new(), Vec::new());
    while let Some(field) = multipart.next_field().await.map_err(bad)? {
        match field.name().unwrap_or("") {
            "file" => {
                let name = field.file_name().unwrap_or("draft.txt").to_string();
                file = Some((name, field.bytes().await.map_err(bad)?));
            }
            "year" => year = field.text().await.map_err(bad)?,
            "disabled" => disabled.push(field.text().await.map_err(bad)?),
            _ => {}
        }
    }
    let (name, bytes) = file.ok_or_else(|| Invalid::new("file", "请上传报告文件"))?;
    let year = check::parse_year(&year)?;
    let doc = {
        let _permit = check::CHECK_PERMITS
            .acquire()
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?;
        tokio::task::spawn_blocking(move || check::parse_upload(&name, &bytes))
            .await
            .map_err(|e| AppError::Internal(e.to_string()))??
    };
    Ok(Json(run(&state, &user, doc, disabled, year).await?))
}
