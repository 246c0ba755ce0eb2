//! `/api/v1/discipline`: discipline records (执纪问责), for 纪检 and 书记 only (ViewDiscipline
//! over the organization). Names are restricted data.

use super::problems::VoidIn;
use super::{ApiError, ApiJson, ApiResult};
use crate::auth::CurrentUser;
use crate::error::ErrorBody;
use crate::extract::{Path, Query};
use crate::manage::discipline::{self as manage, DisciplineEdit, DisciplineInput};
use crate::manage::problems::org_by_code;
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use zeren_domain::permissions::Action;
use zeren_domain::Invalid;
use zeren_storage::{DisciplineFilter, DisciplineRecord};

#[derive(Serialize, ToSchema)]
pub struct DisciplineOut {
    pub id: i64,
    pub org: String,
    pub org_name: String,
    pub person_name: String,
    pub member_id: Option<i64>,
    pub post: String,
    /// 1–4.
    pub form: i64,
    /// 第一种形态 …
    pub form_label: String,
    /// Sanction code ('' for none).
    pub sanction: String,
    pub sanction_label: String,
    pub reason: String,
    pub decided_on: String,
    pub voided: bool,
    pub void_reason: String,
    pub created_at: String,
    pub updated_at: String,
}

fn out(r: &DisciplineRecord) -> DisciplineOut {
    DisciplineOut {
        id: r.id,
        org: r.org_code.clone(),
        org_name: r.org_name.clone(),
        person_name: r.person_name.clone(),
        member_id: r.member_id,
        post: r.post.clone(),
        form: r.form,
        form_label: r.form_label().to_string(),
        sanction: r.sanction.clone(),
        sanction_label: r.sanction_label().to_string(),
        reason: r.reason.clone(),
        decided_on: r.decided_on.clone(),
        voided: r.voided,
        void_reason: r.void_reason.clone(),
        created_at: r.created_at.clone(),
        updated_at: r.updated_at.clone(),
    }
}

#[derive(Deserialize, IntoParams)]
pub struct DisciplineQuery {
    /// Organization code: that organization and those below it.
    pub org: Option<String>,
    /// Decided in this year.
    pub year: Option<i32>,
    /// 1–4.
    pub form: Option<i64>,
    pub voided: Option<bool>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct DisciplineListOut {
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
    /// Matching records by form (第一种 … 第四种形态), ignoring the form filter.
    pub by_form: Vec<i64>,
    pub items: Vec<DisciplineOut>,
}

/// Discipline records the caller may see, newest decision first.
#[utoipa::path(get, path = "/api/v1/discipline", params(DisciplineQuery), responses((status = 200, body = DisciplineListOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<DisciplineQuery>,
) -> ApiResult<DisciplineListOut> {
    let mut f = DisciplineFilter::new(user.perms.scope(Action::ViewDiscipline));
    if let Some(code) = q.org.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        match state.store.org_by_code(code).await {
            Ok(o) if user.perms.can(Action::ViewDiscipline, &o.path) => f.org = Some(o.path),
            _ => return Err(Invalid::new("org", "组织不存在或不在您的范围内").into()),
        }
    }
    if let Some(y) = q.year {
        if !(1949..=2100).contains(&y) {
            return Err(Invalid::new("year", "年度应为四位年份，如 2023").into());
        }
        f.year = Some(y);
    }
    if let Some(form) = q.form {
        if !(1..=4).contains(&form) {
            return Err(Invalid::new("form", "形态应为1至4").into());
        }
        f.form = Some(form);
    }
    f.voided = q.voided.unwrap_or(false);
    f.page = q.page.unwrap_or(1).clamp(1, 1_000_000);
    f.per_page = q.per_page.unwrap_or(50).clamp(1, 500);
    let page = state.store.discipline_records(&f).await?;
    Ok(Json(DisciplineListOut {
        total: page.total,
        page: f.page,
        per_page: f.per_page,
        by_form: page.by_form.to_vec(),
        items: page.rows.iter().map(out).collect(),
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateDiscipline {
    pub org: String,
    pub person_name: String,
    /// The person on the member roster, if linked.
    #[serde(default)]
    pub member_id: Option<i64>,
    #[serde(default)]
    pub post: String,
    /// 1–4 or 第一种形态 …
    pub form: String,
    /// Sanction code or name (警告, 严重警告, 留党察看 …); empty for none.
    #[serde(default)]
    pub sanction: String,
    #[serde(default)]
    pub reason: String,
    pub decided_on: String,
}

/// Records a discipline decision.
#[utoipa::path(post, path = "/api/v1/discipline", request_body = CreateDiscipline, responses((status = 201, body = DisciplineOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(req): ApiJson<CreateDiscipline>,
) -> Result<(StatusCode, Json<DisciplineOut>), ApiError> {
    let org = manage::org_for_recording(&user, org_by_code(&state, &req.org).await)?;
    let r = manage::create(
        &state,
        &user,
        &org,
        DisciplineInput {
            person_name: req.person_name,
            member_id: req.member_id,
            post: req.post,
            form: req.form,
            sanction: req.sanction,
            reason: req.reason,
            decided_on: req.decided_on,
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(out(&r))))
}

/// One discipline record.
#[utoipa::path(get, path = "/api/v1/discipline/{id}", params(("id" = i64, Path)), responses((status = 200, body = DisciplineOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<DisciplineOut> {
    let r = manage::visible(&state, &user, &id).await?;
    Ok(Json(out(&r)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateDiscipline {
    pub person_name: Option<String>,
    /// `0` removes the link to the roster.
    pub member_id: Option<i64>,
    pub post: Option<String>,
    pub form: Option<String>,
    pub sanction: Option<String>,
    pub reason: Option<String>,
    pub decided_on: Option<String>,
}

/// Changes a discipline record.
#[utoipa::path(patch, path = "/api/v1/discipline/{id}", params(("id" = i64, Path)), request_body = UpdateDiscipline, responses((status = 200, body = DisciplineOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<UpdateDiscipline>,
) -> ApiResult<DisciplineOut> {
    let r = manage::visible(&state, &user, &id).await?;
    let r = manage::update(
        &state,
        &user,
        &r,
        DisciplineEdit {
            person_name: req.person_name,
            member_id: req.member_id.map(|m| (m > 0).then_some(m)),
            post: req.post,
            form: req.form,
            sanction: req.sanction,
            reason: req.reason,
            decided_on: req.decided_on,
        },
    )
    .await?;
    Ok(Json(out(&r)))
}

/// Voids a discipline record (it stays, marked void, with the reason).
#[utoipa::path(post, path = "/api/v1/discipline/{id}/void", params(("id" = i64, Path)), request_body = VoidIn, responses((status = 200, body = DisciplineOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn void(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<VoidIn>,
) -> ApiResult<DisciplineOut> {
    let r = manage::visible(&state, &user, &id).await?;
    let r = manage::void(&state, &user, &r, &req.reason).await?;
    Ok(Json(out(&r)))
}
