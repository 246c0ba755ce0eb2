//! `/api/v1/members`: the member roster (党员名册). Organizations by `org` code, days as
//! `YYYY-MM-DD`.

use super::records::{nullable, optional_day, paging, VoidRequest};
use super::{ApiError, ApiJson, ApiResult};
use crate::auth::CurrentUser;
use crate::error::{AppError, ErrorBody};
use crate::extract::{Path, Query};
use crate::manage::{members, orgs, records};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use zeren_domain::members::{MemberStatus, MemberValues};
use zeren_domain::permissions::Action;
use zeren_storage::{Member, MemberQuery};

#[derive(Serialize, ToSchema)]
pub struct MemberOut {
    pub id: i64,
    pub org: String,
    pub org_name: String,
    pub name: String,
    /// '' | 男 | 女
    pub gender: String,
    pub birth_date: Option<String>,
    /// 入党日期
    pub joined_on: Option<String>,
    /// 转正日期
    pub full_on: Option<String>,
    /// full, probationary, transferred_out or deceased
    pub status: String,
    pub status_label: String,
    pub education: String,
    pub post: String,
    pub phone: String,
    pub voided: bool,
    pub void_reason: String,
    pub created_at: String,
    pub updated_at: String,
}

fn out(m: &Member) -> MemberOut {
    MemberOut {
        id: m.id,
        org: m.org_code.clone(),
        org_name: m.org_name.clone(),
        name: m.name.clone(),
        gender: m.gender.clone(),
        birth_date: m.birth_date.clone(),
        joined_on: m.joined_on.clone(),
        full_on: m.full_on.clone(),
        status: m.status.clone(),
        status_label: m.status_label().to_string(),
        education: m.education.clone(),
        post: m.post.clone(),
        phone: m.phone.clone(),
        voided: m.voided,
        void_reason: m.void_reason.clone(),
        created_at: m.created_at.clone(),
        updated_at: m.updated_at.clone(),
    }
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    pub org: Option<String>,
    pub status: Option<String>,
    pub q: Option<String>,
    pub page: Option<String>,
    pub per_page: Option<String>,
    pub voided: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct MemberList {
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
    pub members: Vec<MemberOut>,
}

/// Members the caller may see, by organization.
#[utoipa::path(get, path = "/api/v1/members",
    params(
        ("org" = Option<String>, Query, description = "organization code: its subtree"),
        ("status" = Option<String>, Query, description = "full, probationary, transferred_out, deceased"),
        ("q" = Option<String>, Query, description = "part of the name"),
        ("page" = Option<i64>, Query), ("per_page" = Option<i64>, Query),
        ("voided" = Option<bool>, Query, description = "include voided entries"),
    ),
    responses((status = 200, body = MemberList), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ListQuery>,
) -> ApiResult<MemberList> {
    let roots = match q.org.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        Some(code) => vec![orgs::by_code(&state, &user, code).await?.path],
        None => user.perms.scope(Action::ViewOrgs).roots,
    };
    let status = match q.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => Some(MemberStatus::parse(s)?),
        None => None,
    };
    let (page, per_page) = paging(q.page.as_deref(), q.per_page.as_deref());
    let result = state
        .store
        .members(&MemberQuery {
            roots,
            status,
            name: q.q,
            include_voided: matches!(q.voided.as_deref(), Some("1" | "true")),
            limit: per_page,
            offset: (page - 1) * per_page,
        })
        .await
        .map_err(ApiError::from)?;
    Ok(Json(MemberList {
        total: result.total,
        page,
        per_page,
        members: result.rows.iter().map(out).collect(),
    }))
}

/// One member.
#[utoipa::path(get, path = "/api/v1/members/{id}", params(("id" = i64, Path)), responses((status = 200, body = MemberOut), (status = 404, body = ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<MemberOut> {
    Ok(Json(out(&members::find(&state, &user, &id).await?)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateMember {
    pub org: String,
    pub name: String,
    #[serde(default)]
    pub gender: String,
    pub birth_date: Option<String>,
    pub joined_on: Option<String>,
    pub full_on: Option<String>,
    /// full (正式党员), probationary (预备党员), transferred_out, deceased
    pub status: String,
    #[serde(default)]
    pub education: String,
    #[serde(default)]
    pub post: String,
    #[serde(default)]
    pub phone: String,
}

/// Adds a member to an organization the caller records for.
#[utoipa::path(post, path = "/api/v1/members", request_body = CreateMember, responses((status = 201, body = MemberOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(req): ApiJson<CreateMember>,
) -> Result<(StatusCode, Json<MemberOut>), ApiError> {
    let org = records::org_by_code(&state, &user, &req.org).await?;
    let values = MemberValues {
        name: req.name,
        gender: req.gender,
        birth_date: optional_day("birth_date", req.birth_date.as_deref())?,
        joined_on: optional_day("joined_on", req.joined_on.as_deref())?,
        full_on: optional_day("full_on", req.full_on.as_deref())?,
        status: MemberStatus::parse(&req.status)?,
        education: req.education,
        post: req.post,
        phone: req.phone,
    };
    let m = members::create(&state, &user, &org, values).await?;
    Ok((StatusCode::CREATED, Json(out(&m))))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateMember {
    /// Move to another organization (its code).
    pub org: Option<String>,
    pub name: Option<String>,
    pub gender: Option<String>,
    /// `null` clears it.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub birth_date: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub joined_on: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub full_on: Option<Option<String>>,
    pub status: Option<String>,
    pub education: Option<String>,
    pub post: Option<String>,
    pub phone: Option<String>,
}

/// Changes a member's entry (only the fields given); a status move is audited as such.
#[utoipa::path(patch, path = "/api/v1/members/{id}", params(("id" = i64, Path)), request_body = UpdateMember, responses((status = 200, body = MemberOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<UpdateMember>,
) -> ApiResult<MemberOut> {
    let m = members::find(&state, &user, &id).await?;
    members::writable(&user, &m)?;
    let org = match req.org.as_deref() {
        Some(code) if code.trim() != m.org_code => {
            records::org_by_code(&state, &user, code).await?
        }
        _ => state.store.org(m.org_id).await.map_err(AppError::from)?,
    };
    let mut v = m.values();
    if let Some(n) = req.name {
        v.name = n;
    }
    if let Some(g) = req.gender {
        v.gender = g;
    }
    if let Some(d) = req.birth_date {
        v.birth_date = optional_day("birth_date", d.as_deref())?;
    }
    if let Some(d) = req.joined_on {
        v.joined_on = optional_day("joined_on", d.as_deref())?;
    }
    if let Some(d) = req.full_on {
        v.full_on = optional_day("full_on", d.as_deref())?;
    }
    if let Some(s) = req.status {
        v.status = MemberStatus::parse(&s)?;
    }
    if let Some(e) = req.education {
        v.education = e;
    }
    if let Some(p) = req.post {
        v.post = p;
    }
    if let Some(p) = req.phone {
        v.phone = p;
    }
    let m = members::change(&state, &user, &m, &org, v).await?;
    Ok(Json(out(&m)))
}

/// Voids a roster entry with a reason (a mistaken or duplicate entry); it stays on the
/// records it appears in.
#[utoipa::path(post, path = "/api/v1/members/{id}/void", params(("id" = i64, Path)), request_body = VoidRequest, responses((status = 200, body = MemberOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn void(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<VoidRequest>,
) -> ApiResult<MemberOut> {
    let m = members::find(&state, &user, &id).await?;
    let m = members::void(&state, &user, &m, &req.reason).await?;
    Ok(Json(out(&m)))
}
