//! The user's own account: permissions and password.

use super::{notice_text, render, render_status, Layout, NoticeQuery, PageForm, PageResult};
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::extract::Query;
use crate::manage::accounts::{self, OwnPassword};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;
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
                // The audit trail is read only through a grant at a top organization.
                allowed: !scope.is_empty() && (a != Action::ViewAudit || user.perms.can_at_top(a)),
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
        Ok(render_status(&page, StatusCode::UNPROCESSABLE_ENTITY))
    };
    match accounts::change_own_password(&state, &user, &f.current, &f.new_password, &f.confirm)
        .await
    {
        Ok(OwnPassword::Changed) => {}
        Ok(OwnPassword::Locked) => return Ok(Redirect::to("/login").into_response()),
        Err(AppError::Invalid(inv)) => return fail(inv.field, inv.message),
        Err(e) => return Err(e.into()),
    }
    Ok(Redirect::to("/me?notice=password_changed").into_response())
}
