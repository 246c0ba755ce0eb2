//! `/api/v1/report-templates`: the report templates (报告模板), saving them with every error
//! explained by line, and learning one from last year's report.

use super::{ApiError, ApiJson};
use crate::auth::CurrentUser;
use crate::error::{AppError, ErrorBody};
use crate::extract::{Path, Upload};
use crate::manage::report_templates::{self as manage, Entry, Problem, SaveError};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use zeren_domain::Invalid;
use zeren_reports::template::learn::Learned;
use zeren_reports::template::BuiltinTemplate;

#[derive(Serialize, ToSchema)]
pub struct TemplateOut {
    /// annual, accountability, self_inspection, quarterly, or an administrator's own code.
    pub code: String,
    /// The report kind: annual | accountability | self_inspection | quarterly.
    pub kind: String,
    pub kind_label: String,
    pub name: String,
    /// Ships with Zeren (内置).
    pub builtin: bool,
    /// A built-in template that was edited.
    pub modified: bool,
    /// Empty for a built-in template never saved.
    pub updated_at: String,
}

#[derive(Serialize, ToSchema)]
pub struct TemplateDetail {
    #[serde(flatten)]
    pub summary: TemplateOut,
    /// The template language's source (see the reports crate's `template` module).
    pub source: String,
}

fn out(e: &Entry) -> TemplateOut {
    TemplateOut {
        code: e.code.clone(),
        kind: e.kind.clone(),
        kind_label: manage::kind_label(&e.kind).to_string(),
        name: e.name.clone(),
        builtin: e.builtin,
        modified: e.modified,
        updated_at: e.updated_at.clone(),
    }
}

fn detail(e: Entry) -> TemplateDetail {
    TemplateDetail {
        summary: out(&e),
        source: e.source,
    }
}

/// Every report template: the built-in ones (as edited) and an administrator's own.
#[utoipa::path(get, path = "/api/v1/report-templates", responses((status = 200, body = Vec<TemplateOut>)))]
pub async fn list(
    State(state): State<AppState>,
    _user: CurrentUser,
) -> Result<Json<Vec<TemplateOut>>, ApiError> {
    Ok(Json(manage::list(&state).await?.iter().map(out).collect()))
}

/// One template with its source.
#[utoipa::path(get, path = "/api/v1/report-templates/{code}", params(("code" = String, Path)), responses((status = 200, body = TemplateDetail), (status = 404, body = ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    _user: CurrentUser,
    Path(code): Path<String>,
) -> Result<Json<TemplateDetail>, ApiError> {
    Ok(Json(detail(manage::get(&state, &code).await?)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TemplateIn {
    /// annual | accountability | self_inspection | quarterly (a built-in template keeps its own).
    pub kind: String,
    pub name: String,
    pub source: String,
}

/// A refused template: `errors` lists each problem with its line.
#[derive(Serialize, ToSchema)]
pub struct TemplateErrorBody {
    /// `invalid`
    pub code: String,
    pub message: String,
    /// `source`
    pub field: String,
    pub errors: Vec<Problem>,
}

/// The answer to a refused save: 422 with every template error, or the usual error body.
pub fn refused(e: SaveError) -> Response {
    match e {
        SaveError::App(e) => ApiError(e).into_response(),
        SaveError::Template(errors) => {
            let listed: Vec<String> = errors.iter().take(5).map(Problem::text).collect();
            let body = TemplateErrorBody {
                code: "invalid".into(),
                message: format!("模板有{}处错误：{}", errors.len(), listed.join("；")),
                field: "source".into(),
                errors,
            };
            (StatusCode::UNPROCESSABLE_ENTITY, Json(body)).into_response()
        }
    }
}

/// Saves a template (creates it when the code is new; a built-in code stores an edited
/// version). The source is checked against the metric catalogue and rendered on trial first:
/// any error refuses the save with 422, listing each with its line. Example body:
/// `{"kind": "annual", "name": "镇年度报告", "source": "% {{ 单位 }}关于{{ 年度 }}年度…"}`.
#[utoipa::path(put, path = "/api/v1/report-templates/{code}", params(("code" = String, Path)), request_body = TemplateIn, responses((status = 200, body = TemplateDetail), (status = 201, body = TemplateDetail), (status = 403, body = ErrorBody), (status = 422, body = TemplateErrorBody)))]
pub async fn put(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(code): Path<String>,
    ApiJson(body): ApiJson<TemplateIn>,
) -> Response {
    let exists = match state.store.report_template(&code).await {
        Ok(t) => t.is_some() || BuiltinTemplate::from_key(&code).is_some(),
        Err(e) => return ApiError::from(e).into_response(),
    };
    match manage::save(
        &state,
        &user,
        &code,
        &body.kind,
        &body.name,
        &body.source,
        !exists,
    )
    .await
    {
        Ok(saved) => {
            let status = if exists {
                StatusCode::OK
            } else {
                StatusCode::CREATED
            };
            match manage::get(&state, &saved.code).await {
                Ok(e) => (status, Json(detail(e))).into_response(),
                Err(e) => ApiError(e).into_response(),
            }
        }
        Err(e) => refused(e),
    }
}

#[derive(Serialize, ToSchema)]
pub struct CandidateOut {
    pub metric: String,
    /// 0 to 1: how well the metric's name and unit fit the figure's phrase.
    pub score: f64,
}

#[derive(Serialize, ToSchema)]
pub struct ProposalOut {
    /// Its index, for choices.
    pub index: usize,
    /// The line of `source` the figure is on.
    pub line: usize,
    /// The clause the figure sits in: "开展党委理论学习中心组学习8次".
    pub phrase: String,
    /// The figure as written: "8次", "1200余人次", "93.3％".
    pub original_text: String,
    pub value: f64,
    pub unit: String,
    /// Written rounded down with 余.
    pub approx: bool,
    /// Best first.
    pub candidates: Vec<CandidateOut>,
    /// The candidate `suggested_source` binds (null: left a marked blank).
    pub suggested: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct LearnOut {
    /// The old report's title.
    pub title: String,
    /// The year the old report was about; its years became the template's 年度 expressions.
    pub year: Option<i32>,
    /// The template with every figure a marked blank (`{{ 待补充("原为8次，请选择对应指标") }}`).
    pub source: String,
    /// The template with each figure bound to its suggested metric where there is one.
    pub suggested_source: String,
    pub proposals: Vec<ProposalOut>,
    /// What was left out or changed beyond the figures.
    pub notes: Vec<String>,
}

pub fn learn_out(l: &Learned) -> LearnOut {
    LearnOut {
        title: l.title.clone(),
        year: l.year,
        source: l.source.clone(),
        suggested_source: zeren_reports::template::learn::apply(l, &l.suggested_choices()),
        proposals: l
            .proposals
            .iter()
            .enumerate()
            .map(|(index, p)| ProposalOut {
                index,
                line: p.line,
                phrase: p.phrase.clone(),
                original_text: p.original_text.clone(),
                value: p.value,
                unit: p.unit.clone(),
                approx: p.approx,
                candidates: p
                    .candidates
                    .iter()
                    .map(|c| CandidateOut {
                        metric: c.metric.clone(),
                        score: c.score,
                    })
                    .collect(),
                suggested: p.suggested().map(|c| c.metric.clone()),
            })
            .collect(),
        notes: l.notes.clone(),
    }
}

/// Last year's report as a file (multipart form data): `file` (.docx, .md, or text in UTF-8,
/// GBK or UTF-16).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct LearnUpload {
    #[schema(format = Binary, value_type = String)]
    file: Vec<u8>,
}

/// Learns a template from last year's report: its structure and prose kept, its years made
/// the new period's, and each figure with its phrase and the metrics it may be, best first.
/// Nothing is saved: review the proposals, then PUT the chosen source.
#[utoipa::path(post, path = "/api/v1/report-templates/learn", request_body(content = LearnUpload, content_type = "multipart/form-data"), responses((status = 200, body = LearnOut), (status = 400, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn learn(
    State(state): State<AppState>,
    _user: CurrentUser,
    Upload(mut multipart): Upload,
) -> Result<Json<LearnOut>, ApiError> {
    let bad = |e: axum::extract::multipart::MultipartError| {
        crate::error::rejection(e.status(), "上传的表单数据不完整，请重试")
    };
    let mut file: Option<(String, Vec<u8>)> = None;
    while let Some(field) = multipart.next_field().await.map_err(bad)? {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or("report.txt").to_string();
            file = Some((name, field.bytes().await.map_err(bad)?.to_vec()));
        }
    }
    let (name, bytes) = file.filter(|(_, b)| !b.is_empty()).ok_or_else(|| {
        AppError::Invalid(Invalid::new("file", "请上传上年报告文件（.docx 或 .txt）"))
    })?;
    let learned = manage::learn_upload(&state, &name, bytes).await?;
    Ok(Json(learn_out(&learned)))
}
