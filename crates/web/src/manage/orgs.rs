//! Organizations: look up within scope, create, change.

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::AppState;
use zeren_domain::permissions::Action;
use zeren_domain::Invalid;
use zeren_storage::{NewOrg, Org, OrgChange};

/// An organization the user may see, or 404 (its existence is not revealed).
fn visible(user: &CurrentUser, org: Result<Org, AppError>) -> Result<Org, AppError> {
    match org {
        Ok(org) if user.perms.can(Action::ViewOrgs, &org.path) => Ok(org),
        _ => Err(AppError::NotFound("该组织")),
    }
}

pub async fn by_id(state: &AppState, user: &CurrentUser, id: &str) -> Result<Org, AppError> {
    let org = match id.parse::<i64>() {
        Ok(id) => state.store.org(id).await.map_err(AppError::from),
        Err(_) => Err(AppError::NotFound("该组织")),
    };
    visible(user, org)
}

pub async fn by_code(state: &AppState, user: &CurrentUser, code: &str) -> Result<Org, AppError> {
    visible(
        user,
        state.store.org_by_code(code).await.map_err(AppError::from),
    )
}

/// A prospective parent the user may manage. Unknown and out-of-scope organizations get the
/// same answer, so a form does not reveal what exists outside the user's subtree.
pub async fn managed_parent(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
) -> Result<Org, AppError> {
    let out_of_scope = || Invalid::new("parent_id", "上级组织不存在或不在您的管理范围内");
    let parent = state.store.org(id).await.map_err(|_| out_of_scope())?;
    if !user.perms.can(Action::ManageOrgs, &parent.path) {
        return Err(out_of_scope().into());
    }
    Ok(parent)
}

/// Creates an organization below a parent the user may manage.
pub async fn create(state: &AppState, user: &CurrentUser, new: NewOrg) -> Result<Org, AppError> {
    let parent_id = new
        .parent_id
        .ok_or_else(|| Invalid::new("parent_id", "请选择上级组织"))?;
    let parent = managed_parent(state, user, parent_id).await?;
    if !parent.active {
        return Err(Invalid::new("parent_id", "上级组织已停用，不能在其下新建组织").into());
    }
    let mut tx = state.store.begin_write().await?;
    let org = tx.create_org(new, &user.actor()).await?;
    tx.commit().await?;
    Ok(org)
}

/// Changes an organization the user may manage (and, when moving it, the new parent too).
pub async fn change(
    state: &AppState,
    user: &CurrentUser,
    org: &Org,
    change: OrgChange,
) -> Result<Org, AppError> {
    if !user.perms.can(Action::ManageOrgs, &org.path) {
        return Err(AppError::Forbidden);
    }
    if let Some(pid) = change.parent_id {
        if Some(pid) != org.parent_id {
            managed_parent(state, user, pid).await?;
        }
    }
    let mut tx = state.store.begin_write().await?;
    let org = tx.update_org(org.id, change, &user.actor()).await?;
    tx.commit().await?;
    Ok(org)
}

/// Replaces the report-checker rules switched off on an organization the user manages.
pub async fn set_check_rules(
    state: &AppState,
    user: &CurrentUser,
    org: &Org,
    disabled: Vec<String>,
) -> Result<Vec<String>, AppError> {
    if !user.perms.can(Action::ManageOrgs, &org.path) {
        return Err(AppError::Forbidden);
    }
    let known = zeren_reports::checker::RULES;
    for d in &disabled {
        let top = d.split('.').next().unwrap_or("");
        if !known.iter().any(|r| r.id == top) {
            return Err(Invalid::new("disabled", format!("没有名为“{d}”的检查项")).into());
        }
    }
    let mut tx = state.store.begin_write().await?;
    tx.set_check_rules(org.id, &disabled, &user.actor()).await?;
    tx.commit().await?;
    Ok(disabled)
}
