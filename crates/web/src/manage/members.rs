//! The member roster (党员名册): reading needs ViewOrgs over the member's organization;
//! adding, changing and voiding need RecordWork over it (the branch keeps its own roster).

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::AppState;
use zeren_domain::members::MemberValues;
use zeren_domain::permissions::Action;
use zeren_storage::{Member, NewMember, Org, StorageError};

/// A member the user may see, or 404.
pub async fn find(state: &AppState, user: &CurrentUser, id: &str) -> Result<Member, AppError> {
    let not_found = AppError::NotFound("该党员");
    let Ok(id) = id.trim().parse::<i64>() else {
        return Err(not_found);
    };
    match state.store.member(id).await {
        Ok(m) if user.perms.can(Action::ViewOrgs, &m.path()) => Ok(m),
        Ok(_) | Err(StorageError::NotFound(_)) => Err(not_found),
        Err(e) => Err(e.into()),
    }
}

/// Adds a member to an organization the user records for (`org` from
/// [`super::records::recordable`]).
pub async fn create(
    state: &AppState,
    user: &CurrentUser,
    org: &Org,
    values: MemberValues,
) -> Result<Member, AppError> {
    if !user.perms.can(Action::RecordWork, &org.path) {
        return Err(AppError::Forbidden);
    }
    let mut tx = state.store.begin_write().await?;
    let member = tx
        .create_member(
            NewMember {
                org_id: org.id,
                values,
            },
            &user.actor(),
        )
        .await?;
    tx.commit().await?;
    Ok(member)
}

pub fn writable(user: &CurrentUser, member: &Member) -> Result<(), AppError> {
    if !user.perms.can(Action::RecordWork, &member.path()) {
        return Err(AppError::Forbidden);
    }
    if member.voided {
        return Err(zeren_domain::Invalid::new("id", "该党员信息已作废，不能再修改").into());
    }
    Ok(())
}

/// Changes a member's entry; moving to another organization needs RecordWork there too.
pub async fn change(
    state: &AppState,
    user: &CurrentUser,
    member: &Member,
    org: &Org,
    values: MemberValues,
) -> Result<Member, AppError> {
    writable(user, member)?;
    if !user.perms.can(Action::RecordWork, &org.path) {
        return Err(AppError::Forbidden);
    }
    let mut tx = state.store.begin_write().await?;
    let member = tx
        .update_member(member.id, Some(org.id), values, &user.actor())
        .await?;
    tx.commit().await?;
    Ok(member)
}

pub async fn void(
    state: &AppState,
    user: &CurrentUser,
    member: &Member,
    reason: &str,
) -> Result<Member, AppError> {
    writable(user, member)?;
    let reason = zeren_domain::records::void_reason(reason)?;
    let mut tx = state.store.begin_write().await?;
    let member = tx.void_member(member.id, &reason, &user.actor()).await?;
    tx.commit().await?;
    Ok(member)
}
