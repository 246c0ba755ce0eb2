//! Accounts and their roles: list, create, edit, reset password, grant and revoke roles.

use super::{
    notice_text, render, render_status, FieldError, Layout, NoticeQuery, PageForm, PageResult,
};
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::extract::Path;
use crate::extract::Query;
use crate::manage::accounts::{self, AccountChange};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;
use zeren_domain::permissions::Action;
use zeren_domain::role::Role;
use zeren_domain::Invalid;
use zeren_storage::{Account, GrantRow, Org};

pub struct AccountRow {
    pub account: Account,
    pub org_name: String,
    pub roles: String,
}

#[derive(Template)]
#[template(path = "accounts.html")]
pub struct AccountsPage {
    pub layout: Layout,
    pub rows: Vec<AccountRow>,
    pub total: usize,
    pub can_manage: bool,
    pub q: String,
}

#[derive(Deserialize, Default)]
pub struct AccountsQuery {
    pub notice: Option<String>,
    /// Filter: part of a name, username, title or organization name.
    pub q: Option<String>,
}

pub async fn index(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<AccountsQuery>,
) -> PageResult {
    let scope = user.perms.scope(Action::ViewAccounts);
    let accounts = state.store.accounts_in(&scope).await?;
    let orgs = state.store.orgs_in(&scope).await?;
    let mut roles_of: std::collections::HashMap<i64, Vec<&str>> = Default::default();
    let all_grants = state.store.grant_rows_in(&scope).await?;
    for g in &all_grants {
        roles_of
            .entry(g.account_id)
            .or_default()
            .push(g.role.label());
    }
    let mut rows = Vec::with_capacity(accounts.len());
    for a in accounts {
        let mut roles = roles_of.remove(&a.id).unwrap_or_default();
        roles.sort_unstable();
        roles.dedup();
        rows.push(AccountRow {
            org_name: orgs
                .iter()
                .find(|o| o.id == a.org_id)
                .map(|o| o.name.clone())
                .unwrap_or_default(),
            roles: roles.join("、"),
            account: a,
        });
    }
    let total = rows.len();
    let needle = q.q.as_deref().unwrap_or("").trim().to_lowercase();
    if !needle.is_empty() {
        rows.retain(|r| {
            [
                r.account.display_name.as_str(),
                r.account.username.as_str(),
                r.account.title.as_str(),
                r.org_name.as_str(),
                r.roles.as_str(),
            ]
            .iter()
            .any(|f| f.to_lowercase().contains(&needle))
        });
    }
    let page = AccountsPage {
        layout: Layout::new(&user, "accounts", "账户与角色")
            .with_notice(notice_text(q.notice.as_deref())),
        rows,
        total,
        q: q.q.unwrap_or_default(),
        can_manage: user.perms.can_somewhere(Action::ManageAccounts),
    };
    Ok(render(&page))
}

pub struct Choice {
    pub value: String,
    pub label: String,
}

fn role_choices() -> Vec<Choice> {
    Role::ALL
        .into_iter()
        .map(|r| Choice {
            value: r.code().to_string(),
            label: r.label().to_string(),
        })
        .collect()
}

async fn org_choices(state: &AppState, user: &CurrentUser) -> Result<Vec<Choice>, AppError> {
    let orgs = state
        .store
        .orgs_in(&user.perms.scope(Action::ManageAccounts))
        .await?;
    Ok(super::indented_choices(&orgs)
        .into_iter()
        .map(|(id, label)| Choice {
            value: id.to_string(),
            label,
        })
        .collect())
}

#[derive(Deserialize, Default, Clone)]
pub struct AccountForm {
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub org_id: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub portfolio: String,
    #[serde(default)]
    pub role: String,
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub active: String,
}

#[derive(Template)]
#[template(path = "account_new.html")]
pub struct AccountNewPage {
    pub layout: Layout,
    pub form: AccountForm,
    pub error: FieldError,
    pub roles: Vec<Choice>,
    pub orgs: Vec<Choice>,
}

pub async fn new_form(State(state): State<AppState>, user: CurrentUser) -> PageResult {
    let page = AccountNewPage {
        layout: Layout::new(&user, "accounts", "新建账户"),
        form: AccountForm {
            role: Role::BranchSecretary.code().to_string(),
            ..Default::default()
        },
        error: FieldError(None),
        roles: role_choices(),
        orgs: org_choices(&state, &user).await?,
    };
    Ok(render(&page))
}

#[derive(Template)]
#[template(path = "password_issued.html")]
pub struct PasswordIssuedPage {
    pub layout: Layout,
    pub account: Account,
    pub password: String,
    pub heading: &'static str,
}

pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    PageForm(f): PageForm<AccountForm>,
) -> PageResult {
    let outcome = async {
        let org_id = f
            .org_id
            .trim()
            .parse::<i64>()
            .map_err(|_| Invalid::new("org_id", "请选择所属组织"))?;
        let req = accounts::parse_new(
            &f.username,
            &f.display_name,
            org_id,
            &f.title,
            &f.portfolio,
            &f.role,
            &f.password,
        )
        .await?;
        let password = req.password.clone();
        let account = accounts::create(&state, &user, req).await?;
        Ok::<_, AppError>((account, password))
    }
    .await;
    match outcome {
        Ok((account, password)) => Ok(render(&PasswordIssuedPage {
            layout: Layout::new(&user, "accounts", "账户已创建"),
            account,
            password,
            heading: "账户已创建",
        })),
        Err(AppError::Invalid(inv)) => {
            let mut form = f;
            form.password.clear();
            let page = AccountNewPage {
                layout: Layout::new(&user, "accounts", "新建账户"),
                form,
                error: FieldError(Some(inv)),
                roles: role_choices(),
                orgs: org_choices(&state, &user).await?,
            };
            Ok(render_status(&page, StatusCode::UNPROCESSABLE_ENTITY))
        }
        Err(e) => Err(e.into()),
    }
}

/// The account by id and its home organization, if the user may do `action` on it.
async fn load(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
    action: Action,
) -> Result<(Account, Org), AppError> {
    let account = accounts::by_id(state, id).await?;
    let org = accounts::authorize(state, user, &account, action).await?;
    Ok((account, org))
}

#[derive(Template)]
#[template(path = "account_show.html")]
pub struct AccountShowPage {
    pub layout: Layout,
    pub account: Account,
    pub org: Org,
    pub grants: Vec<GrantRow>,
    pub can_manage: bool,
    pub roles: Vec<Choice>,
    pub orgs: Vec<Choice>,
    pub form: AccountForm,
    pub error: FieldError,
}

async fn show_page(
    state: &AppState,
    user: &CurrentUser,
    account: Account,
    org: Org,
    form: Option<AccountForm>,
    error: Option<Invalid>,
    notice: Option<String>,
) -> PageResult {
    let can_manage = user.perms.can(Action::ManageAccounts, &org.path);
    let grants = state.store.grant_rows(account.id).await?;
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let form = form.unwrap_or_else(|| AccountForm {
        display_name: account.display_name.clone(),
        title: account.title.clone(),
        portfolio: account.portfolio.clone(),
        active: if account.active { "1" } else { "0" }.into(),
        org_id: org.id.to_string(),
        ..Default::default()
    });
    let page = AccountShowPage {
        layout: Layout::new(user, "accounts", account.display_name.clone()).with_notice(notice),
        account,
        org,
        grants,
        can_manage,
        roles: role_choices(),
        orgs: if can_manage {
            org_choices(state, user).await?
        } else {
            Vec::new()
        },
        form,
        error: FieldError(error),
    };
    Ok(render_status(&page, status))
}

pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> PageResult {
    let (account, org) = load(&state, &user, &id, Action::ViewAccounts).await?;
    show_page(
        &state,
        &user,
        account,
        org,
        None,
        None,
        notice_text(q.notice.as_deref()),
    )
    .await
}

pub async fn update(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    PageForm(f): PageForm<AccountForm>,
) -> PageResult {
    let (account, org) = load(&state, &user, &id, Action::ManageAccounts).await?;
    let outcome =
        match AccountChange::parse(&f.display_name, &f.title, &f.portfolio, f.active != "0") {
            Ok(change) => accounts::update(&state, &user, &account, change).await,
            Err(inv) => Err(inv.into()),
        };
    match outcome {
        Ok(a) => Ok(Redirect::to(&format!("/accounts/{}?notice=saved", a.id)).into_response()),
        Err(AppError::Invalid(inv)) => {
            show_page(&state, &user, account, org, Some(f), Some(inv), None).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn reset_password(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> PageResult {
    let account = accounts::by_id(&state, &id).await?;
    let (account, password) = accounts::reset_password(&state, &user, &account).await?;
    Ok(render(&PasswordIssuedPage {
        layout: Layout::new(&user, "accounts", "密码已重置"),
        account,
        password,
        heading: "密码已重置",
    }))
}

#[derive(Deserialize)]
pub struct GrantForm {
    #[serde(default)]
    pub role: String,
    #[serde(default)]
    pub org_id: String,
}

pub async fn grant(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    PageForm(f): PageForm<GrantForm>,
) -> PageResult {
    let (account, org) = load(&state, &user, &id, Action::ManageAccounts).await?;
    let target = match f.org_id.trim().parse::<i64>() {
        Ok(oid) => state.store.org(oid).await.map_err(AppError::from),
        Err(_) => Err(AppError::NotFound("该组织")),
    };
    match accounts::grant(&state, &user, &account, &f.role, target).await {
        Ok(_) => {
            Ok(Redirect::to(&format!("/accounts/{}?notice=granted", account.id)).into_response())
        }
        Err(AppError::Invalid(inv)) => {
            show_page(&state, &user, account, org, None, Some(inv), None).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn revoke(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, grant_id)): Path<(String, String)>,
) -> PageResult {
    let account = accounts::by_id(&state, &id).await?;
    accounts::revoke(&state, &user, &account, &grant_id).await?;
    Ok(Redirect::to(&format!("/accounts/{}?notice=revoked", account.id)).into_response())
}
