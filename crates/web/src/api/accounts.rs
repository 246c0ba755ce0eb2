//! `/api/v1/accounts`: accounts in the caller's scope, and managing them.

use super::{ApiError, ApiJson, ApiResult};
use crate::auth::CurrentUser;
use crate::error::{AppError, ErrorBody};
use crate::extract::Path;
use crate::manage::accounts::{self, AccountChange};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use utoipa::ToSchema;
use zeren_domain::permissions::Action;
use zeren_domain::role::Role;
use zeren_domain::Invalid;
use zeren_storage::{Account, GrantRow};

#[derive(Serialize, ToSchema)]
pub struct GrantOut {
    pub id: i64,
    pub role: Role,
    pub org_code: String,
}

#[derive(Serialize, ToSchema)]
pub struct AccountOut {
    pub username: String,
    pub display_name: String,
    pub org_code: String,
    pub title: String,
    pub portfolio: String,
    pub active: bool,
    pub locked: bool,
    pub must_change_password: bool,
    pub roles: Vec<Role>,
    pub grants: Vec<GrantOut>,
}

fn out(a: Account, org_code: String, grants: Vec<GrantRow>) -> AccountOut {
    AccountOut {
        org_code,
        locked: a.is_locked(),
        must_change_password: a.must_change_password,
        roles: grants.iter().map(|g| g.role).collect(),
        grants: grants
            .into_iter()
            .map(|g| GrantOut {
                id: g.id,
                role: g.role,
                org_code: g.org_code,
            })
            .collect(),
        username: a.username,
        display_name: a.display_name,
        title: a.title,
        portfolio: a.portfolio,
        active: a.active,
    }
}

/// One account with its organization's code and its grants.
async fn one(state: &AppState, a: Account) -> Result<AccountOut, ApiError> {
    let grants = state.store.grant_rows(a.id).await.map_err(ApiError::from)?;
    let org = state.store.org(a.org_id).await.map_err(ApiError::from)?;
    Ok(out(a, org.code, grants))
}

/// Accounts whose organization lies in the caller's scope.
#[utoipa::path(get, path = "/api/v1/accounts", responses((status = 200, body = Vec<AccountOut>), (status = 403, body = ErrorBody)))]
pub async fn list(State(state): State<AppState>, user: CurrentUser) -> ApiResult<Vec<AccountOut>> {
    let scope = user.perms.scope(Action::ViewAccounts);
    let found = state
        .store
        .accounts_in(&scope)
        .await
        .map_err(ApiError::from)?;
    let orgs = state.store.orgs_in(&scope).await.map_err(ApiError::from)?;
    let codes: HashMap<i64, String> = orgs.into_iter().map(|o| (o.id, o.code)).collect();
    let mut grants: HashMap<i64, Vec<GrantRow>> = HashMap::new();
    for g in state
        .store
        .grant_rows_in(&scope)
        .await
        .map_err(ApiError::from)?
    {
        grants.entry(g.account_id).or_default().push(g);
    }
    let list = found
        .into_iter()
        .map(|a| {
            let code = codes.get(&a.org_id).cloned().unwrap_or_default();
            let mine = grants.remove(&a.id).unwrap_or_default();
            out(a, code, mine)
        })
        .collect();
    Ok(Json(list))
}

/// The account, if the caller may do `action` on it (404 outside the caller's view).
async fn load(
    state: &AppState,
    user: &CurrentUser,
    username: &str,
    action: Action,
) -> Result<Account, AppError> {
    let account = accounts::by_username(state, username).await?;
    accounts::authorize(state, user, &account, action).await?;
    Ok(account)
}

/// One account by username.
#[utoipa::path(get, path = "/api/v1/accounts/{username}", params(("username" = String, Path)), responses((status = 200, body = AccountOut), (status = 404, body = ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(username): Path<String>,
) -> ApiResult<AccountOut> {
    let account = load(&state, &user, &username, Action::ViewAccounts).await?;
    Ok(Json(one(&state, account).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateAccount {
    pub username: String,
    pub display_name: String,
    pub org_code: String,
    /// The role, granted on `org_code` (covers its subtree).
    pub role: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub portfolio: String,
    /// Initial password; generated when empty. The person must change it at first login.
    #[serde(default)]
    pub password: String,
}

#[derive(Serialize, ToSchema)]
pub struct IssuedPassword {
    pub username: String,
    /// The initial password (the generated one, or the one given).
    pub initial_password: String,
    pub must_change_password: bool,
}

/// Creates an account with one role on its organization.
#[utoipa::path(post, path = "/api/v1/accounts", request_body = CreateAccount, responses((status = 201, body = IssuedPassword), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(req): ApiJson<CreateAccount>,
) -> Result<(StatusCode, Json<IssuedPassword>), ApiError> {
    let org = state
        .store
        .org_by_code(req.org_code.trim())
        .await
        .map_err(|_| Invalid::new("org_code", "所属组织不存在或不在您的管理范围内"))?;
    let parsed = accounts::parse_new(
        &req.username,
        &req.display_name,
        org.id,
        &req.title,
        &req.portfolio,
        &req.role,
        &req.password,
    )
    .await?;
    let password = parsed.password.clone();
    let account = accounts::create(&state, &user, parsed).await?;
    Ok((
        StatusCode::CREATED,
        Json(IssuedPassword {
            username: account.username,
            initial_password: password,
            must_change_password: account.must_change_password,
        }),
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateAccount {
    pub display_name: Option<String>,
    pub title: Option<String>,
    pub portfolio: Option<String>,
    pub active: Option<bool>,
}

/// Changes an account's name, title, portfolio or active flag.
#[utoipa::path(patch, path = "/api/v1/accounts/{username}", params(("username" = String, Path)), request_body = UpdateAccount, responses((status = 200, body = AccountOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(username): Path<String>,
    ApiJson(req): ApiJson<UpdateAccount>,
) -> ApiResult<AccountOut> {
    let account = load(&state, &user, &username, Action::ManageAccounts).await?;
    let change = AccountChange::parse(
        req.display_name.as_deref().unwrap_or(&account.display_name),
        req.title.as_deref().unwrap_or(&account.title),
        req.portfolio.as_deref().unwrap_or(&account.portfolio),
        req.active.unwrap_or(account.active),
    )?;
    let account = accounts::update(&state, &user, &account, change).await?;
    Ok(Json(one(&state, account).await?))
}

/// Resets the password to a generated one the person must change at next login.
#[utoipa::path(post, path = "/api/v1/accounts/{username}/password", params(("username" = String, Path)), responses((status = 200, body = IssuedPassword), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn reset_password(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(username): Path<String>,
) -> ApiResult<IssuedPassword> {
    let account = load(&state, &user, &username, Action::ViewAccounts).await?;
    let (account, password) = accounts::reset_password(&state, &user, &account).await?;
    Ok(Json(IssuedPassword {
        username: account.username,
        initial_password: password,
        must_change_password: true,
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GrantRequest {
    /// `admin`, `secretary`, `leader`, `inspector`, `clerk`, `branch_secretary`, `viewer`
    /// (or the Chinese name).
    pub role: String,
    /// The organization the role covers (with its subtree).
    pub org_code: String,
}

/// Grants a role on an organization.
#[utoipa::path(post, path = "/api/v1/accounts/{username}/grants", params(("username" = String, Path)), request_body = GrantRequest, responses((status = 201, body = AccountOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn grant(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(username): Path<String>,
    ApiJson(req): ApiJson<GrantRequest>,
) -> Result<(StatusCode, Json<AccountOut>), ApiError> {
    let account = load(&state, &user, &username, Action::ViewAccounts).await?;
    let target = state
        .store
        .org_by_code(req.org_code.trim())
        .await
        .map_err(AppError::from);
    accounts::grant(&state, &user, &account, &req.role, target).await?;
    Ok((StatusCode::CREATED, Json(one(&state, account).await?)))
}

/// Revokes one of the account's grants (ids are listed in `grants`).
#[utoipa::path(delete, path = "/api/v1/accounts/{username}/grants/{id}", params(("username" = String, Path), ("id" = String, Path)), responses((status = 200, body = AccountOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn revoke(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((username, id)): Path<(String, String)>,
) -> ApiResult<AccountOut> {
    let account = load(&state, &user, &username, Action::ViewAccounts).await?;
    accounts::revoke(&state, &user, &account, &id).await?;
    Ok(Json(one(&state, account).await?))
}
