//! `/api/v1/orgs`: the organizations the caller may see, and managing them.

use super::{ApiError, ApiJson, ApiResult};
use crate::auth::CurrentUser;
use crate::error::{AppError, ErrorBody};
use crate::extract::Path;
use crate::manage::orgs;
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use zeren_domain::org::{OrgCode, OrgKind, OrgName};
use zeren_domain::permissions::Action;
use zeren_domain::Invalid;
use zeren_storage::{NewOrg, Org, OrgChange};

#[derive(Serialize, ToSchema)]
pub struct OrgOut {
    pub code: String,
    pub name: String,
    pub kind: OrgKind,
    pub kind_label: String,
    pub parent_code: Option<String>,
    pub sort_order: i64,
    pub active: bool,
    pub depth: usize,
}

fn out(org: &Org, parent_code: Option<String>) -> OrgOut {
    OrgOut {
        code: org.code.clone(),
        name: org.name.clone(),
        kind: org.kind,
        kind_label: org.kind.label().to_string(),
        parent_code,
        sort_order: org.sort_order,
        active: org.active,
        depth: org.depth(),
    }
}

/// The parent's code, if the caller may see the parent.
async fn parent_code(
    state: &AppState,
    user: &CurrentUser,
    org: &Org,
) -> Result<Option<String>, AppError> {
    Ok(match org.parent_id {
        Some(p) => {
            let parent = state.store.org(p).await?;
            user.perms
                .can(Action::ViewOrgs, &parent.path)
                .then_some(parent.code)
        }
        None => None,
    })
}

/// Every organization the caller may see, in tree order.
#[utoipa::path(get, path = "/api/v1/orgs", responses((status = 200, body = Vec<OrgOut>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list(State(state): State<AppState>, user: CurrentUser) -> ApiResult<Vec<OrgOut>> {
    let orgs = state
        .store
        .orgs_in(&user.perms.scope(Action::ViewOrgs))
        .await
        .map_err(ApiError::from)?;
    let codes: std::collections::HashMap<i64, String> =
        orgs.iter().map(|o| (o.id, o.code.clone())).collect();
    Ok(Json(
        orgs.iter()
            .map(|o| out(o, o.parent_id.and_then(|p| codes.get(&p).cloned())))
            .collect(),
    ))
}

/// One organization by code.
#[utoipa::path(get, path = "/api/v1/orgs/{code}", params(("code" = String, Path)), responses((status = 200, body = OrgOut), (status = 404, body = ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(code): Path<String>,
) -> ApiResult<OrgOut> {
    let org = orgs::by_code(&state, &user, &code).await?;
    let parent = parent_code(&state, &user, &org).await?;
    Ok(Json(out(&org, parent)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateOrg {
    pub parent_code: String,
    pub code: String,
    pub name: String,
    /// `committee`, `general_branch`, `branch` … or the Chinese label (党支部).
    pub kind: String,
    #[serde(default)]
    pub sort_order: i64,
}

/// Creates an organization below one the caller manages.
#[utoipa::path(post, path = "/api/v1/orgs", request_body = CreateOrg, responses((status = 201, body = OrgOut), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(req): ApiJson<CreateOrg>,
) -> Result<(StatusCode, Json<OrgOut>), ApiError> {
    let parent = state
        .store
        .org_by_code(req.parent_code.trim())
        .await
        .map_err(|_| Invalid::new("parent_code", "上级组织不存在或不在您的管理范围内"))?;
    if !(0..=9999).contains(&req.sort_order) {
        return Err(Invalid::new("sort_order", "排序号应为0至9999的整数").into());
    }
    let new = NewOrg {
        parent_id: Some(parent.id),
        code: OrgCode::parse(&req.code)?,
        name: OrgName::parse(&req.name)?,
        kind: OrgKind::parse(&req.kind)?,
        sort_order: req.sort_order,
    };
    let org = orgs::create(&state, &user, new).await?;
    Ok((StatusCode::CREATED, Json(out(&org, Some(parent.code)))))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateOrg {
    pub name: Option<String>,
    pub kind: Option<String>,
    pub sort_order: Option<i64>,
    pub active: Option<bool>,
    /// Move below this organization.
    pub parent_code: Option<String>,
}

/// Renames, retypes, reorders, moves or (de)activates an organization.
#[utoipa::path(patch, path = "/api/v1/orgs/{code}", params(("code" = String, Path)), request_body = UpdateOrg, responses((status = 200, body = OrgOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(code): Path<String>,
    ApiJson(req): ApiJson<UpdateOrg>,
) -> ApiResult<OrgOut> {
    let org = orgs::by_code(&state, &user, &code).await?;
    if let Some(n) = req.sort_order {
        if !(0..=9999).contains(&n) {
            return Err(Invalid::new("sort_order", "排序号应为0至9999的整数").into());
        }
    }
    let parent_id = match req.parent_code.as_deref() {
        Some(pc) => Some(
            state
                .store
                .org_by_code(pc.trim())
                .await
                .map_err(|_| Invalid::new("parent_code", "上级组织不存在或不在您的管理范围内"))?
                .id,
        ),
        None => None,
    };
    let change = OrgChange {
        name: req.name.as_deref().map(OrgName::parse).transpose()?,
        kind: req.kind.as_deref().map(OrgKind::parse).transpose()?,
        sort_order: req.sort_order,
        active: req.active,
        parent_id,
    };
    let org = orgs::change(&state, &user, &org, change).await?;
    let parent = parent_code(&state, &user, &org).await?;
    Ok(Json(out(&org, parent)))
}

#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckRules {
    /// Report-checker rule ids (or `id.sub` prefixes) switched off on this organization and
    /// so on everything below it.
    pub disabled: Vec<String>,
}

/// The report-checker rules switched off on this organization itself.
#[utoipa::path(get, path = "/api/v1/orgs/{code}/check-rules", params(("code" = String, Path)), responses((status = 200, body = CheckRules), (status = 404, body = ErrorBody)))]
pub async fn check_rules(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(code): Path<String>,
) -> ApiResult<CheckRules> {
    let org = orgs::by_code(&state, &user, &code).await?;
    let disabled = state
        .store
        .check_rules_disabled_at(org.id)
        .await
        .map_err(ApiError::from)?;
    Ok(Json(CheckRules { disabled }))
}

/// Replaces the report-checker rules switched off on this organization.
#[utoipa::path(put, path = "/api/v1/orgs/{code}/check-rules", params(("code" = String, Path)), request_body = CheckRules, responses((status = 200, body = CheckRules), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_check_rules(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(code): Path<String>,
    ApiJson(req): ApiJson<CheckRules>,
) -> ApiResult<CheckRules> {
    let org = orgs::by_code(&state, &user, &code).await?;
    let disabled = orgs::set_check_rules(&state, &user, &org, req.disabled).await?;
    Ok(Json(CheckRules { disabled }))
}
