//! `POST /api/v1/auth/token` and `GET /api/v1/me`.

use super::{ApiError, ApiJson, ApiResult};
use crate::auth::{self, CurrentUser, RequestContext};
use crate::error::{AppError, ErrorBody};
use crate::manage::accounts;
use crate::AppState;
use axum::extract::State;
use axum::{Extension, Json};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use zeren_domain::permissions::Action;
use zeren_domain::role::Role;
use zeren_storage::SessionKind;

#[derive(Deserialize, ToSchema)]
pub struct TokenRequest {
    pub username: String,
    pub password: String,
}

#[derive(Serialize, ToSchema)]
pub struct TokenResponse {
    /// Send as `Authorization: Bearer TOKEN`. Valid for 12 hours.
    pub token: String,
}

/// Exchanges a username and password for a bearer token (same lockout rules as the login page).
#[utoipa::path(
    post,
    path = "/api/v1/auth/token",
    request_body = TokenRequest,
    responses(
        (status = 200, body = TokenResponse),
        (status = 401, body = ErrorBody, description = "wrong username or password"),
        (status = 423, body = ErrorBody, description = "account locked"),
    ),
    security(())
)]
pub async fn token(
    State(state): State<AppState>,
    Extension(ctx): Extension<RequestContext>,
    ApiJson(req): ApiJson<TokenRequest>,
) -> ApiResult<TokenResponse> {
    let account = auth::authenticate(&state, &req.username, &req.password, &ctx.address).await?;
    let token = auth::start_session(&state, &account, SessionKind::Api, &ctx.address).await?;
    Ok(Json(TokenResponse { token }))
}

#[derive(Serialize, ToSchema)]
pub struct GrantOut {
    pub role: Role,
    pub role_label: String,
    pub org_code: String,
    pub org_name: String,
}

#[derive(Serialize, ToSchema)]
pub struct MeOut {
    pub username: String,
    pub display_name: String,
    pub title: String,
    pub portfolio: String,
    pub grants: Vec<GrantOut>,
    /// Every action the caller may take somewhere.
    pub actions: Vec<Action>,
}

/// The caller's account, roles and permitted actions.
#[utoipa::path(get, path = "/api/v1/me", responses((status = 200, body = MeOut), (status = 401, body = ErrorBody)))]
pub async fn me(State(state): State<AppState>, user: CurrentUser) -> ApiResult<MeOut> {
    let grants = state
        .store
        .grant_rows(user.account.id)
        .await
        .map_err(ApiError::from)?;
    Ok(Json(MeOut {
        username: user.account.username.clone(),
        display_name: user.account.display_name.clone(),
        title: user.account.title.clone(),
        portfolio: user.account.portfolio.clone(),
        grants: grants
            .into_iter()
            .map(|g| GrantOut {
                role: g.role,
                role_label: g.role.label().to_string(),
                org_code: g.org_code,
                org_name: g.org_name,
            })
            .collect(),
        actions: user.perms.actions(),
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePassword {
    pub current: String,
    pub new_password: String,
}

#[derive(Serialize, ToSchema)]
pub struct Done {
    pub ok: bool,
}

/// Changes the caller's own password (also the way out of `password_change_required`).
/// Other sessions and tokens of the account end; this token stays valid.
#[utoipa::path(post, path = "/api/v1/me/password", request_body = ChangePassword, responses((status = 200, body = Done), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn change_password(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(req): ApiJson<ChangePassword>,
) -> ApiResult<Done> {
    match accounts::change_own_password(
        &state,
        &user,
        &req.current,
        &req.new_password,
        &req.new_password,
    )
    .await?
    {
        accounts::OwnPassword::Changed => Ok(Json(Done { ok: true })),
        accounts::OwnPassword::Locked => Err(AppError::Unauthorized.into()),
    }
}

/// Ends the caller's token (or session).
#[utoipa::path(post, path = "/api/v1/auth/logout", responses((status = 200, body = Done), (status = 401, body = ErrorBody)))]
pub async fn logout(State(state): State<AppState>, user: CurrentUser) -> ApiResult<Done> {
    let mut tx = state.store.begin_write().await.map_err(ApiError::from)?;
    tx.end_session(&user.token_hash, &user.actor())
        .await
        .map_err(ApiError::from)?;
    tx.commit().await.map_err(ApiError::from)?;
    Ok(Json(Done { ok: true }))
}
