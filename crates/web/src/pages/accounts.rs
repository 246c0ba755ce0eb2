//! Accounts and their roles: list, create, edit, reset password, grant and revoke roles.

use super::{notice_text, render, FieldError, Layout, NoticeQuery, PageForm, PageResult};
use crate::auth::hash_password;
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::extract::Query;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use zeren_domain::account::{parse_display_name, PasswordPolicy, Username};
use zeren_domain::permissions::Action;
use zeren_domain::role::Role;
use zeren_domain::Invalid;
use zeren_storage::{Account, GrantRow, NewAccount, Org};

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
    pub can_manage: bool,
}

pub async fn index(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<NoticeQuery>,
) -> PageResult {
    let scope = user.perms.scope(Action::ViewAccounts);
    let accounts = state.store.accounts_in(&scope).await?;
    let orgs = state.store.orgs_in(&scope).await?;
    let mut rows = Vec::with_capacity(accounts.len());
    for a in accounts {
        let grants = state.store.grant_rows(a.id).await?;
        let mut roles: Vec<&str> = grants.iter().map(|g| g.role.label()).collect();
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
    let page = AccountsPage {
        layout: Layout::new(&user, "accounts", "账户与角色")
            .with_notice(notice_text(q.notice.as_deref())),
        rows,
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

fn limited(field: &'static str, label: &str, text: &str, max: usize) -> Result<String, Invalid> {
    let t = text.trim();
    if t.chars().count() > max {
        return Err(Invalid::new(field, format!("{label}不能超过{max}个字符")));
    }
    if t.chars().any(char::is_control) {
        return Err(Invalid::new(
            field,
            format!("{label}不能包含换行等控制字符"),
        ));
    }
    Ok(t.to_string())
}

/// The validated request to create an account with one role.
pub struct AccountRequest {
    pub new: NewAccount,
    pub role: Role,
    pub password: String,
    pub generated: bool,
}

/// Validates the create form's values; shared with the API.
pub async fn parse_account(
    username: &str,
    display_name: &str,
    org_id: i64,
    title: &str,
    portfolio: &str,
    role: &str,
    password: &str,
) -> Result<AccountRequest, Invalid> {
    let username = Username::parse(username)?;
    let display_name = parse_display_name(display_name)?;
    let title = limited("title", "职务", title, 40)?;
    let portfolio = limited("portfolio", "分管领域", portfolio, 200)?;
    let role = Role::parse(role)?;
    let (password, generated) = if password.is_empty() {
        (PasswordPolicy::generate(), true)
    } else {
        PasswordPolicy::check(password, username.as_str())?;
        (password.to_string(), false)
    };
    Ok(AccountRequest {
        new: NewAccount {
            username,
            display_name,
            password_hash: hash_password(&password)
                .await
                .map_err(|_| Invalid::new("password", "密码处理失败，请重试"))?,
            org_id,
            title,
            portfolio,
            // Created by an administrator: the person sets their own at first login.
            must_change_password: true,
        },
        role,
        password,
        generated,
    })
}

/// Creates the account and grants its role on its home organization. Shared with the API.
pub async fn create_account(
    state: &AppState,
    user: &CurrentUser,
    req: AccountRequest,
) -> Result<Account, AppError> {
    // Unknown and out-of-scope organizations get the same answer: existence is not revealed.
    let out_of_scope = || Invalid::new("org_id", "所属组织不存在或不在您的管理范围内");
    let org = state
        .store
        .org(req.new.org_id)
        .await
        .map_err(|_| out_of_scope())?;
    if !user.perms.can(Action::ManageAccounts, &org.path) {
        return Err(out_of_scope().into());
    }
    if !org.active {
        return Err(Invalid::new("org_id", "所属组织已停用").into());
    }
    let mut tx = state.store.begin_write().await?;
    let account = tx.create_account(req.new, &user.actor()).await?;
    tx.grant_role(account.id, req.role, org.id, &user.actor())
        .await?;
    tx.commit().await?;
    Ok(account)
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
    let outcome = match f.org_id.trim().parse::<i64>() {
        Err(_) => Err(AppError::Invalid(Invalid::new("org_id", "请选择所属组织"))),
        Ok(org_id) => match parse_account(
            &f.username,
            &f.display_name,
            org_id,
            &f.title,
            &f.portfolio,
            &f.role,
            &f.password,
        )
        .await
        {
            Err(inv) => Err(AppError::Invalid(inv)),
            Ok(req) => {
                let password = req.password.clone();
                create_account(&state, &user, req)
                    .await
                    .map(|a| (a, password))
            }
        },
    };
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
            let mut resp = render(&page);
            *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(resp)
        }
        Err(e) => Err(e.into()),
    }
}

/// An account the user may see (its home organization is in their scope), or 404.
async fn visible_account(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
    action: Action,
) -> Result<(Account, Org), AppError> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound("该账户"))?;
    let account = state.store.account(id).await?;
    let org = state.store.org(account.org_id).await?;
    if !user.perms.can(Action::ViewAccounts, &org.path) {
        return Err(AppError::NotFound("该账户"));
    }
    if !user.perms.can(action, &org.path) {
        return Err(AppError::Forbidden);
    }
    if action == Action::ManageAccounts {
        // Whoever resets or deactivates an account must be able to manage every organization
        // it holds a role on: a branch administrator cannot take over a committee account.
        for g in state.store.grants(account.id).await? {
            if !user.perms.may_grant(&g.org_path) {
                return Err(AppError::Forbidden);
            }
        }
    }
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
    let mut resp = render(&page);
    *resp.status_mut() = status;
    Ok(resp)
}

pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> PageResult {
    let (account, org) = visible_account(&state, &user, &id, Action::ViewAccounts).await?;
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
    let (account, org) = visible_account(&state, &user, &id, Action::ManageAccounts).await?;
    let parsed = (|| {
        Ok::<_, Invalid>((
            parse_display_name(&f.display_name)?,
            limited("title", "职务", &f.title, 40)?,
            limited("portfolio", "分管领域", &f.portfolio, 200)?,
        ))
    })();
    let (display_name, title, portfolio) = match parsed {
        Ok(v) => v,
        Err(inv) => return show_page(&state, &user, account, org, Some(f), Some(inv), None).await,
    };
    let active = f.active != "0";
    if !active && account.id == user.account.id {
        let inv = Invalid::new("active", "不能停用自己的账户");
        return show_page(&state, &user, account, org, Some(f), Some(inv), None).await;
    }
    let mut tx = state.store.begin_write().await.map_err(AppError::from)?;
    tx.update_account(
        account.id,
        display_name,
        title,
        portfolio,
        active,
        &user.actor(),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/accounts/{}?notice=saved", account.id)).into_response())
}

pub async fn reset_password(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> PageResult {
    let (account, _org) = visible_account(&state, &user, &id, Action::ManageAccounts).await?;
    let password = PasswordPolicy::generate();
    let hash = hash_password(&password).await?;
    let mut tx = state.store.begin_write().await.map_err(AppError::from)?;
    let account = tx
        .set_password(account.id, &hash, true, None, &user.actor())
        .await?;
    tx.commit().await?;
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
    let (account, org) = visible_account(&state, &user, &id, Action::ManageAccounts).await?;
    let parsed = (|| {
        let role = Role::parse(&f.role)?;
        let org_id = f
            .org_id
            .trim()
            .parse::<i64>()
            .map_err(|_| Invalid::new("org_id", "请选择授权范围"))?;
        Ok::<_, Invalid>((role, org_id))
    })();
    let result: Result<Response, AppError> = async {
        let (role, org_id) = parsed?;
        if account.id == user.account.id {
            return Err(Invalid::new("role", "不能给自己授予角色，请由其他管理员办理").into());
        }
        let out_of_scope = || Invalid::new("org_id", "授权范围不存在或不在您的管理范围内");
        let target = state.store.org(org_id).await.map_err(|_| out_of_scope())?;
        if !user.perms.may_grant(&target.path) {
            return Err(out_of_scope().into());
        }
        let mut tx = state.store.begin_write().await?;
        tx.grant_role(account.id, role, target.id, &user.actor())
            .await?;
        tx.commit().await?;
        Ok(Redirect::to(&format!("/accounts/{}?notice=granted", account.id)).into_response())
    }
    .await;
    match result {
        Ok(r) => Ok(r),
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
    let (account, _org) = visible_account(&state, &user, &id, Action::ManageAccounts).await?;
    let grant_id: i64 = grant_id.parse().map_err(|_| AppError::NotFound("该授权"))?;
    let grants = state.store.grant_rows(account.id).await?;
    let grant = grants
        .iter()
        .find(|g| g.id == grant_id)
        .ok_or(AppError::NotFound("该授权"))?;
    if !user.perms.may_grant(&grant.org_path) {
        return Err(AppError::Forbidden.into());
    }
    if account.id == user.account.id && grant.role == Role::Admin {
        return Err(AppError::Conflict("不能撤销自己的系统管理员角色".into()).into());
    }
    let mut tx = state.store.begin_write().await.map_err(AppError::from)?;
    tx.revoke_grant(grant_id, &user.actor()).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/accounts/{}?notice=revoked", account.id)).into_response())
}
