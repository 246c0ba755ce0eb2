//! `/api/v1/accounts`: accounts in the caller's scope, and creating them.

use super::{ApiError, ApiJson, ApiResult};
use crate::auth::CurrentUser;
use crate::error::ErrorBody;
use crate::pages::accounts::{create_account, parse_account};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use zeren_domain::permissions::Action;
use zeren_domain::role::Role;
use zeren_domain::Invalid;

#[derive(Serialize, ToSchema)]
pub struct AccountOut {
    pub username: String,
    pub display_name: String,
    pub org_code: String,
    pub title: String,
    pub portfolio: String,
    pub active: bool,
    pub roles: Vec<Role>,
}

/// Accounts whose organization lies in the caller's scope.
#[utoipa::path(get, path = "/api/v1/accounts", responses((status = 200, body = Vec<AccountOut>), (status = 403, body = ErrorBody)))]
pub async fn list(State(state): State<AppState>, user: CurrentUser) -> ApiResult<Vec<AccountOut>> {
    let scope = user.perms.scope(Action::ViewAccounts);
    let accounts = state
        .store
        .accounts_in(&scope)
        .await
        .map_err(ApiError::from)?;
    let orgs = state.store.orgs_in(&scope).await.map_err(ApiError::from)?;
    let mut out = Vec::with_capacity(accounts.len());
    for a in accounts {
        let roles = state
            .store
            .grant_rows(a.id)
            .await
            .map_err(ApiError::from)?
            .into_iter()
            .map(|g| g.role)
            .collect();
        out.push(AccountOut {
            org_code: orgs
                .iter()
                .find(|o| o.id == a.org_id)
                .map(|o| o.code.clone())
                .unwrap_or_default(),
            username: a.username,
            display_name: a.display_name,
            title: a.title,
            portfolio: a.portfolio,
            active: a.active,
            roles,
        });
    }
    Ok(Json(out))
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
pub struct CreatedAccount {
    pub username: String,
    /// The initial password (the generated one, or the one given).
    pub initial_password: String,
    pub must_change_password: bool,
}

/// Creates an account with one role on its organization.
#[utoipa::path(post, path = "/api/v1/accounts", request_body = CreateAccount, responses((status = 201, body = CreatedAccount), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(req): ApiJson<CreateAccount>,
) -> Result<(StatusCode, Json<CreatedAccount>), ApiError> {
    let org = state
        .store
        .org_by_code(req.org_code.trim())
        .await
        .map_err(|_| Invalid::new("org_code", "所属组织不存在或不在您的管理范围内"))?;
    let parsed = parse_account(
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
    let account = create_account(&state, &user, parsed).await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedAccount {
            username: account.username,
            initial_password: password,
            must_change_password: account.must_change_password,
        }),
    ))
}
