//! `POST /api/v1/check`: 报告体检 over the API.

use super::{ApiError, ApiJson, ApiResult};
use crate::auth::CurrentUser;
use crate::error::ErrorBody;
use crate::pages::check::org_disabled_rules;
use crate::AppState;
use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use zeren_domain::Invalid;
use zeren_reports::{check, CheckOptions, Document};

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
    let mut disabled = req.disabled;
    disabled.extend(
        org_disabled_rules(&state, &user)
            .await
            .map_err(ApiError::from)?,
    );
    let opts = CheckOptions {
        disabled,
        year: req.year,
    };
    // CPU work on a possibly large text: off the async workers.
    let findings = tokio::task::spawn_blocking(move || check(&doc, &opts))
        .await
        .map_err(|e| ApiError::from(crate::error::AppError::Internal(e.to_string())))?;
    Ok(Json(
        findings
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
            .collect(),
    ))
}
