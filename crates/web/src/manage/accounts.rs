//! Accounts: look up within scope, create, change, reset passwords, grant and revoke roles,
//! and a user's change of their own password.

use crate::auth::{hash_password, verify_password, CurrentUser};
use crate::error::AppError;
use crate::AppState;
use zeren_domain::account::{parse_display_name, PasswordPolicy, Username};
use zeren_domain::permissions::Action;
use zeren_domain::role::Role;
use zeren_domain::Invalid;
use zeren_storage::{Account, NewAccount, Org};

/// A free-text field with a length limit and no control characters.
pub fn limited(
    field: &'static str,
    label: &str,
    text: &str,
    max: usize,
) -> Result<String, Invalid> {
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
    /// The initial password, shown once to the administrator.
    pub password: String,
}

/// Validates the values of a new account. An empty password is generated.
pub async fn parse_new(
    username: &str,
    display_name: &str,
    org_id: i64,
    title: &str,
    portfolio: &str,
    role: &str,
    password: &str,
) -> Result<AccountRequest, AppError> {
    let username = Username::parse(username)?;
    let display_name = parse_display_name(display_name)?;
    let title = limited("title", "职务", title, 40)?;
    let portfolio = limited("portfolio", "分管领域", portfolio, 200)?;
    let role = Role::parse(role)?;
    let password = if password.is_empty() {
        PasswordPolicy::generate()
    } else {
        PasswordPolicy::check(password, username.as_str()).map_err(Invalid::from)?;
        password.to_string()
    };
    Ok(AccountRequest {
        new: NewAccount {
            username,
            display_name,
            password_hash: hash_password(&password).await?,
            org_id,
            title,
            portfolio,
            // Created by an administrator: the person sets their own at first login.
            must_change_password: true,
        },
        role,
        password,
    })
}

/// Creates the account and grants its role on its home organization.
pub async fn create(
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

pub async fn by_id(state: &AppState, id: &str) -> Result<Account, AppError> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound("该账户"))?;
    Ok(state.store.account(id).await?)
}

pub async fn by_username(state: &AppState, username: &str) -> Result<Account, AppError> {
    state
        .store
        .account_by_username(username)
        .await?
        .ok_or(AppError::NotFound("该账户"))
}

/// Checks that the user may do `action` on the account; returns its home organization.
/// An account outside the user's view is 404. To manage an account the user must be able to
/// manage every organization it holds a role on: a branch administrator cannot take over a
/// committee account.
pub async fn authorize(
    state: &AppState,
    user: &CurrentUser,
    account: &Account,
    action: Action,
) -> Result<Org, AppError> {
    let org = state.store.org(account.org_id).await?;
    if !user.perms.can(Action::ViewAccounts, &org.path) {
        return Err(AppError::NotFound("该账户"));
    }
    if !user.perms.can(action, &org.path) {
        return Err(AppError::Forbidden);
    }
    if action == Action::ManageAccounts {
        for g in state.store.grants(account.id).await? {
            if !user.perms.may_grant(&g.org_path) {
                return Err(AppError::Forbidden);
            }
        }
    }
    Ok(org)
}

/// New values for an account's descriptive fields and active flag.
pub struct AccountChange {
    pub display_name: String,
    pub title: String,
    pub portfolio: String,
    pub active: bool,
}

impl AccountChange {
    pub fn parse(
        display_name: &str,
        title: &str,
        portfolio: &str,
        active: bool,
    ) -> Result<Self, Invalid> {
        Ok(Self {
            display_name: parse_display_name(display_name)?,
            title: limited("title", "职务", title, 40)?,
            portfolio: limited("portfolio", "分管领域", portfolio, 200)?,
            active,
        })
    }
}

pub async fn update(
    state: &AppState,
    user: &CurrentUser,
    account: &Account,
    change: AccountChange,
) -> Result<Account, AppError> {
    authorize(state, user, account, Action::ManageAccounts).await?;
    if !change.active && account.id == user.account.id {
        return Err(Invalid::new("active", "不能停用自己的账户").into());
    }
    let mut tx = state.store.begin_write().await?;
    let account = tx
        .update_account(
            account.id,
            change.display_name,
            change.title,
            change.portfolio,
            change.active,
            &user.actor(),
        )
        .await?;
    tx.commit().await?;
    Ok(account)
}

/// Sets a generated password the person must change at next login; returns it.
pub async fn reset_password(
    state: &AppState,
    user: &CurrentUser,
    account: &Account,
) -> Result<(Account, String), AppError> {
    authorize(state, user, account, Action::ManageAccounts).await?;
    // Whoever resets a password learns it. For accounts that may see discipline records
    // (书记, 纪检) that would hand those records to the administrator, whom the policy keeps
    // away from them: such resets are done on the server's command line.
    let grants = state.store.grants(account.id).await?;
    if grants
        .iter()
        .any(|g| Action::ViewDiscipline.allowed_roles().contains(&g.role))
    {
        return Err(AppError::Conflict(
            "该账户可查看执纪问责信息，其密码须由服务器管理员用 zeren user reset-password 重置"
                .into(),
        ));
    }
    let password = PasswordPolicy::generate();
    let hash = hash_password(&password).await?;
    let mut tx = state.store.begin_write().await?;
    let account = tx
        .set_password(account.id, &hash, true, None, &user.actor())
        .await?;
    tx.commit().await?;
    Ok((account, password))
}

/// Grants a role on an organization the user manages. Nobody grants roles to themselves.
pub async fn grant(
    state: &AppState,
    user: &CurrentUser,
    account: &Account,
    role: &str,
    target: Result<Org, AppError>,
) -> Result<i64, AppError> {
    authorize(state, user, account, Action::ManageAccounts).await?;
    let role = Role::parse(role)?;
    if account.id == user.account.id {
        return Err(Invalid::new("role", "不能给自己授予角色，请由其他管理员办理").into());
    }
    let out_of_scope = || Invalid::new("org_id", "授权范围不存在或不在您的管理范围内");
    let target = target.map_err(|_| out_of_scope())?;
    if !user.perms.may_grant(&target.path) {
        return Err(out_of_scope().into());
    }
    let mut tx = state.store.begin_write().await?;
    let id = tx
        .grant_role(account.id, role, target.id, &user.actor())
        .await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn revoke(
    state: &AppState,
    user: &CurrentUser,
    account: &Account,
    grant_id: &str,
) -> Result<(), AppError> {
    authorize(state, user, account, Action::ManageAccounts).await?;
    let grant_id: i64 = grant_id.parse().map_err(|_| AppError::NotFound("该授权"))?;
    let grants = state.store.grant_rows(account.id).await?;
    let grant = grants
        .iter()
        .find(|g| g.id == grant_id)
        .ok_or(AppError::NotFound("该授权"))?;
    if !user.perms.may_grant(&grant.org_path) {
        return Err(AppError::Forbidden);
    }
    if account.id == user.account.id && grant.role == Role::Admin {
        return Err(AppError::Conflict("不能撤销自己的系统管理员角色".into()));
    }
    let mut tx = state.store.begin_write().await?;
    tx.revoke_grant(grant_id, &user.actor()).await?;
    tx.commit().await?;
    Ok(())
}

/// How a change of one's own password ended.
pub enum OwnPassword {
    Changed,
    /// Too many wrong current passwords: the account is locked and every session ended.
    Locked,
}

/// A user changes their own password. A wrong current password counts like a failed login,
/// so a taken-over session cannot guess without limit.
pub async fn change_own_password(
    state: &AppState,
    user: &CurrentUser,
    current: &str,
    new_password: &str,
    confirm: &str,
) -> Result<OwnPassword, AppError> {
    // An empty field is a form left unfilled, not a guess: it is not counted.
    if current.is_empty() {
        return Err(Invalid::new("current", "请输入当前密码").into());
    }
    if !verify_password(current, &user.account.password_hash).await {
        let mut tx = state.store.begin_write().await?;
        let locked = tx
            .record_login_failure(&user.account, &user.address, "bad_current_password")
            .await?;
        if locked {
            tx.end_all_sessions(user.account.id, &user.actor()).await?;
        }
        tx.commit().await?;
        if locked {
            return Ok(OwnPassword::Locked);
        }
        return Err(Invalid::new("current", "当前密码不正确").into());
    }
    PasswordPolicy::check(new_password, &user.account.username)
        .map_err(|e| Invalid::new("new_password", e.to_string()))?;
    if new_password != confirm {
        return Err(Invalid::new("confirm", "两次输入的新密码不一致").into());
    }
    if new_password == current {
        return Err(Invalid::new("new_password", "新密码不能与当前密码相同").into());
    }
    let hash = hash_password(new_password).await?;
    let mut tx = state.store.begin_write().await?;
    tx.set_password(
        user.account.id,
        &hash,
        false,
        Some(&user.token_hash),
        &user.actor(),
    )
    .await?;
    tx.commit().await?;
    Ok(OwnPassword::Changed)
}
