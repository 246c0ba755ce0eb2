//! `/api/v1/risks`, `/api/v1/risk-measures`: the integrity risk register (廉政风险点).

use super::problems::VoidIn;
use super::{ApiError, ApiJson, ApiResult};
use crate::auth::CurrentUser;
use crate::error::ErrorBody;
use crate::extract::{Path, Query};
use crate::manage::problems::{org_by_code, org_for_recording};
use crate::manage::risks::{self as manage, RiskEdit, RiskInput};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use zeren_domain::date::Day;
use zeren_domain::permissions::Action;
use zeren_domain::risks::{RiskLevel, SubjectKind};
use zeren_domain::Invalid;
use zeren_storage::{RiskFilter, RiskMeasure, RiskPoint};

#[derive(Serialize, ToSchema)]
pub struct RiskOut {
    pub id: i64,
    pub org: String,
    pub org_name: String,
    pub subject_kind: SubjectKind,
    /// 单位 / 岗位 / 个人
    pub subject_kind_label: String,
    pub subject: String,
    pub description: String,
    pub level: RiskLevel,
    /// 高 / 中 / 低
    pub level_label: String,
    pub likelihood: Option<i64>,
    pub impact: Option<i64>,
    pub score: Option<i64>,
    pub identified_on: String,
    pub reviewed_on: Option<String>,
    /// The yearly review is due.
    pub review_due: bool,
    pub measures: i64,
    pub voided: bool,
    pub void_reason: String,
}

pub fn risk_out(r: &RiskPoint) -> RiskOut {
    RiskOut {
        id: r.id,
        org: r.org_code.clone(),
        org_name: r.org_name.clone(),
        subject_kind: r.subject_kind,
        subject_kind_label: r.subject_kind.label().to_string(),
        subject: r.subject.clone(),
        description: r.description.clone(),
        level: r.level,
        level_label: r.level.label().to_string(),
        likelihood: r.likelihood,
        impact: r.impact,
        score: r.score(),
        identified_on: r.identified_on.clone(),
        reviewed_on: r.reviewed_on.clone(),
        review_due: !r.voided && r.review_due(Day::today()),
        measures: r.measures,
        voided: r.voided,
        void_reason: r.void_reason.clone(),
    }
}

#[derive(Serialize, ToSchema)]
pub struct RiskMeasureOut {
    pub id: i64,
    pub risk_id: i64,
    pub description: String,
    pub owner: String,
    pub created_at: String,
    pub voided: bool,
    pub void_reason: String,
}

fn measure_out(m: &RiskMeasure) -> RiskMeasureOut {
    RiskMeasureOut {
        id: m.id,
        risk_id: m.risk_id,
        description: m.description.clone(),
        owner: m.owner.clone(),
        created_at: m.created_at.clone(),
        voided: m.voided,
        void_reason: m.void_reason.clone(),
    }
}

#[derive(Serialize, ToSchema)]
pub struct RiskDetailOut {
    pub risk: RiskOut,
    /// 防控措施, voided ones included (marked).
    pub measures: Vec<RiskMeasureOut>,
}

async fn detail(state: &AppState, r: &RiskPoint) -> Result<RiskDetailOut, ApiError> {
    let measures = state.store.risk_measures(r.id, true).await?;
    Ok(RiskDetailOut {
        risk: risk_out(r),
        measures: measures.iter().map(measure_out).collect(),
    })
}

#[derive(Deserialize, IntoParams)]
pub struct RiskQuery {
    /// Organization code: that organization and those below it.
    pub org: Option<String>,
    /// Identified in this year.
    pub year: Option<i32>,
    /// unit, post, person (or 单位, 岗位, 个人).
    pub kind: Option<String>,
    /// high, medium, low (or 高, 中, 低).
    pub level: Option<String>,
    pub voided: Option<bool>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct RiskListOut {
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
    pub items: Vec<RiskOut>,
}

/// The register: risk points the caller may see, high risks first.
#[utoipa::path(get, path = "/api/v1/risks", params(RiskQuery), responses((status = 200, body = RiskListOut), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<RiskQuery>,
) -> ApiResult<RiskListOut> {
    let mut f = RiskFilter::new(user.perms.scope(Action::ViewOrgs));
    if let Some(code) = q.org.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        match state.store.org_by_code(code).await {
            Ok(o) if user.perms.can(Action::ViewOrgs, &o.path) => f.org = Some(o.path),
            _ => return Err(Invalid::new("org", "组织不存在或不在您的范围内").into()),
        }
    }
    if let Some(y) = q.year {
        if !(1949..=2100).contains(&y) {
            return Err(Invalid::new("year", "年度应为四位年份，如 2023").into());
        }
        f.year = Some(y);
    }
    if let Some(k) = q.kind.as_deref().filter(|k| !k.trim().is_empty()) {
        f.kind = Some(SubjectKind::parse(k)?);
    }
    if let Some(l) = q.level.as_deref().filter(|l| !l.trim().is_empty()) {
        f.level = Some(RiskLevel::parse(l)?);
    }
    f.voided = q.voided.unwrap_or(false);
    f.page = q.page.unwrap_or(1).clamp(1, 1_000_000);
    f.per_page = q.per_page.unwrap_or(50).clamp(1, 500);
    let page = state.store.risks(&f).await?;
    Ok(Json(RiskListOut {
        total: page.total,
        page: f.page,
        per_page: f.per_page,
        items: page.rows.iter().map(risk_out).collect(),
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RiskMeasureIn {
    pub description: String,
    #[serde(default)]
    pub owner: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateRisk {
    pub org: String,
    /// unit, post, person (or 单位, 岗位, 个人).
    pub subject_kind: String,
    /// The unit, post or person concerned.
    pub subject: String,
    pub description: String,
    /// high, medium, low (高, 中, 低); decided by the scores when both are given.
    #[serde(default)]
    pub level: Option<String>,
    /// 1–5.
    #[serde(default)]
    pub likelihood: Option<i64>,
    /// 1–5.
    #[serde(default)]
    pub impact: Option<i64>,
    /// Default today.
    #[serde(default)]
    pub identified_on: Option<String>,
    #[serde(default)]
    pub measures: Vec<RiskMeasureIn>,
}

/// Records a risk point with its control measures.
#[utoipa::path(post, path = "/api/v1/risks", request_body = CreateRisk, responses((status = 201, body = RiskDetailOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(req): ApiJson<CreateRisk>,
) -> Result<(StatusCode, Json<RiskDetailOut>), ApiError> {
    let org = org_for_recording(&user, org_by_code(&state, &req.org).await, "org")?;
    let r = manage::create(
        &state,
        &user,
        &org,
        RiskInput {
            subject_kind: req.subject_kind,
            subject: req.subject,
            description: req.description,
            level: req.level.unwrap_or_default(),
            likelihood: req.likelihood,
            impact: req.impact,
            identified_on: req.identified_on.unwrap_or_default(),
            measures: req
                .measures
                .into_iter()
                .map(|m| (m.description, m.owner))
                .collect(),
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(detail(&state, &r).await?)))
}

/// One risk point with its control measures.
#[utoipa::path(get, path = "/api/v1/risks/{id}", params(("id" = i64, Path)), responses((status = 200, body = RiskDetailOut), (status = 404, body = ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<RiskDetailOut> {
    let r = manage::visible(&state, &user, &id).await?;
    Ok(Json(detail(&state, &r).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateRisk {
    pub subject_kind: Option<String>,
    pub subject: Option<String>,
    pub description: Option<String>,
    pub level: Option<String>,
    pub likelihood: Option<i64>,
    pub impact: Option<i64>,
    pub identified_on: Option<String>,
}

/// Changes a risk point (level and scores are decided together).
#[utoipa::path(patch, path = "/api/v1/risks/{id}", params(("id" = i64, Path)), request_body = UpdateRisk, responses((status = 200, body = RiskOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<UpdateRisk>,
) -> ApiResult<RiskOut> {
    let r = manage::visible(&state, &user, &id).await?;
    let r = manage::update(
        &state,
        &user,
        &r,
        RiskEdit {
            subject_kind: req.subject_kind,
            subject: req.subject,
            description: req.description,
            level: req.level,
            likelihood: req.likelihood,
            impact: req.impact,
            identified_on: req.identified_on,
        },
    )
    .await?;
    Ok(Json(risk_out(&r)))
}

/// Voids a risk point (it stays, marked void, with the reason).
#[utoipa::path(post, path = "/api/v1/risks/{id}/void", params(("id" = i64, Path)), request_body = VoidIn, responses((status = 200, body = RiskOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn void(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<VoidIn>,
) -> ApiResult<RiskOut> {
    let r = manage::visible(&state, &user, &id).await?;
    let r = manage::void(&state, &user, &r, &req.reason).await?;
    Ok(Json(risk_out(&r)))
}

/// Adds a control measure (防控措施).
#[utoipa::path(post, path = "/api/v1/risks/{id}/measures", params(("id" = i64, Path)), request_body = RiskMeasureIn, responses((status = 201, body = RiskMeasureOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_measure(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<RiskMeasureIn>,
) -> Result<(StatusCode, Json<RiskMeasureOut>), ApiError> {
    let r = manage::visible(&state, &user, &id).await?;
    let m = manage::add_measure(&state, &user, &r, &req.description, &req.owner).await?;
    Ok((StatusCode::CREATED, Json(measure_out(&m))))
}

/// Voids a control measure.
#[utoipa::path(post, path = "/api/v1/risk-measures/{id}/void", params(("id" = i64, Path)), request_body = VoidIn, responses((status = 200, body = RiskMeasureOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn void_measure(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<VoidIn>,
) -> ApiResult<RiskMeasureOut> {
    let (m, r) = manage::visible_measure(&state, &user, &id).await?;
    let m = manage::void_measure(&state, &user, &m, &r, &req.reason).await?;
    Ok(Json(measure_out(&m)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewIn {
    /// Default today.
    #[serde(default)]
    pub date: Option<String>,
}

/// The yearly review (年度复核) of a risk point.
#[utoipa::path(post, path = "/api/v1/risks/{id}/review", params(("id" = i64, Path)), request_body = ReviewIn, responses((status = 200, body = RiskOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn review(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<ReviewIn>,
) -> ApiResult<RiskOut> {
    let r = manage::visible(&state, &user, &id).await?;
    let r = manage::review(&state, &user, &r, req.date.as_deref().unwrap_or("")).await?;
    Ok(Json(risk_out(&r)))
}
