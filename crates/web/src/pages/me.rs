//! The user's own account: permissions and password.

use super::{notice_text, render, Layout, NoticeQuery, PageForm, PageResult};
use crate::auth::CurrentUser;
use crate::auth::{hash_password, verify_password};
use crate::error::AppError;
use crate::extract::Query;
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;
use zeren_domain::account::PasswordPolicy;
use zeren_domain::permissions::Action;
use zeren_storage::GrantRow;

pub struct ActionRow {
    pub label: &'static str,
    pub allowed: bool,
    pub where_: String,
}

#[derive(Template)]
#[template(path = "me.html")]
pub struct MePage {
    pub layout: Layout,
    pub username: String,
    pub grants: Vec<GrantRow>,
    pub actions: Vec<ActionRow>,
}

pub async fn index(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<NoticeQuery>,
) -> PageResult {
    let grants = state.store.grant_rows(user.account.id).await?;
    let actions = Action::ALL
        .into_iter()
        .map(|a| {
            let scope = user.perms.scope(a);
            let names: Vec<String> = grants
                .iter()
                .filter(|g| scope.roots.contains(&g.org_path))
                .map(|g| g.org_name.clone())
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect();
            ActionRow {
                label: a.label(),
                allowed: !scope.is_empty(),
                where_: names.join("、"),
            }
        })
        .collect();
    let page = MePage {
        layout: Layout::new(&user, "me", "我的权限").with_notice(notice_text(q.notice.as_deref())),
        username: user.account.username.clone(),
        grants,
        actions,
    };
    Ok(render(&page))
}

#[derive(Template)]
#[template(path = "password.html")]
pub struct PasswordPage {
    pub layout: Layout,
    pub forced: bool,
    pub error: Option<String>,
    pub error_field: &'static str,
}

pub async fn password_form(user: CurrentUser) -> PageResult {
    let page = PasswordPage {
        forced: user.account.must_change_password,
        layout: Layout::new(&user, "me", "修改密码"),
        error: None,
        error_field: "",
    };
    Ok(render(&page))
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    pub current: String,
    #[serde(default)]
    pub new_password: String,
    #[serde(default)]
    pub confirm: String,
}

pub async fn password_submit(
    State(state): State<AppState>,
    user: CurrentUser,
    PageForm(f): PageForm<PasswordForm>,
) -> PageResult {
    let fail = |field: &'static str, msg: String| {
        let page = PasswordPage {
            forced: user.account.must_change_password,
            layout: Layout::new(&user, "me", "修改密码"),
            error: Some(msg),
            error_field: field,
        };
        let mut resp = render(&page);
        *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        Ok(resp)
    };
    if !verify_password(&f.current, &user.account.password_hash).await {
        // Counted like a failed login, so a taken-over session cannot guess without limit.
        let mut tx = state.store.begin_write().await.map_err(AppError::from)?;
        let locked = tx
            .record_login_failure(&user.account, &user.address, "bad_current_password")
            .await?;
        if locked {
            tx.end_all_sessions(user.account.id, &user.actor()).await?;
        }
        tx.commit().await?;
        if locked {
            return Ok(Redirect::to("/login").into_response());
        }
        return fail("current", "当前密码不正确".into());
    }
    if let Err(e) = PasswordPolicy::check(&f.new_password, &user.account.username) {
        return fail("new_password", e.to_string());
    }
    if f.new_password != f.confirm {
        return fail("confirm", "两次输入的新密码不一致".into());
    }
    if f.new_password == f.current {
        return fail("new_password", "新密码不能与当前密码相同".into());
    }
    let hash = hash_password(&f.new_password).await?;
    let mut tx = state.store.begin_write().await.map_err(AppError::from)?;
    tx.set_password(
        user.account.id,
        &hash,
        false,
        Some(&user.token_hash),
        &user.actor(),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to("/me?notice=password_changed").into_response())
}
