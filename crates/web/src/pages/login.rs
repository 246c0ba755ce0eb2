//! Login and logout.

use super::{render_status, PageError, PageForm, PageResult};
use crate::auth::{
    self, cookie_value, random_token, set_cookie, CurrentUser, RequestContext, LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
};
use crate::error::AppError;
use crate::extract::Query;
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use serde::Deserialize;
use zeren_storage::SessionKind;

#[derive(Template)]
#[template(path = "login.html")]
pub struct LoginPage {
    pub csrf: String,
    pub username: String,
    pub next: String,
    pub error: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct LoginQuery {
    pub next: Option<String>,
}

/// Only same-site paths, so the login page cannot be used to bounce users elsewhere. Browsers
/// drop tabs and newlines from URLs ("/\t/evil" becomes "//evil"), so any whitespace or control
/// character is refused outright.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.contains('\\')
                && n.len() <= 512
                && n.chars().all(|c| c > ' ' && c != '\u{7f}') =>
        {
            n.to_string()
        }
        _ => "/".to_string(),
    }
}

fn page(
    state: &AppState,
    status: StatusCode,
    username: String,
    next: String,
    error: Option<String>,
) -> Response {
    // Double-submit token: the login form has no session yet to hold one.
    let csrf = random_token();
    let page = LoginPage {
        csrf: csrf.clone(),
        username,
        next,
        error,
    };
    let mut resp = render_status(&page, status);
    if let Ok(v) = set_cookie(state, LOGIN_CSRF_COOKIE, &csrf, Some(1800)).parse() {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    resp
}

pub async fn form(
    State(state): State<AppState>,
    Extension(ctx): Extension<RequestContext>,
    Query(q): Query<LoginQuery>,
) -> Response {
    if ctx.user.is_some() {
        return Redirect::to("/").into_response();
    }
    page(
        &state,
        StatusCode::OK,
        String::new(),
        safe_next(q.next.as_deref()),
        None,
    )
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub next: String,
    #[serde(default, rename = "_csrf")]
    pub csrf: String,
}

pub async fn submit(
    State(state): State<AppState>,
    Extension(ctx): Extension<RequestContext>,
    headers: HeaderMap,
    PageForm(f): PageForm<LoginForm>,
) -> Response {
    let next = safe_next(Some(&f.next));
    let cookie = cookie_value(&headers, LOGIN_CSRF_COOKIE).unwrap_or_default();
    if cookie.is_empty() || cookie != f.csrf {
        return page(
            &state,
            StatusCode::FORBIDDEN,
            f.username,
            next,
            Some("页面已过期，请重新登录".into()),
        );
    }
    let account = match auth::authenticate(&state, &f.username, &f.password, &ctx.address).await {
        Ok(a) => a,
        Err(e) => {
            let status = e.status();
            if status.is_server_error() {
                return PageError(e).into_response();
            }
            return page(&state, status, f.username, next, Some(e.public_message()));
        }
    };
    let token = match auth::start_session(&state, &account, SessionKind::Web, &ctx.address).await {
        Ok(t) => t,
        Err(e) => return PageError(e).into_response(),
    };
    let target = if account.must_change_password {
        "/me/password".to_string()
    } else {
        next
    };
    let mut resp = Redirect::to(&target).into_response();
    if let Ok(v) = set_cookie(&state, SESSION_COOKIE, &token, None).parse() {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    if let Ok(v) = set_cookie(&state, LOGIN_CSRF_COOKIE, "", Some(0)).parse() {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    resp
}

pub async fn logout(State(state): State<AppState>, user: CurrentUser) -> PageResult {
    let mut tx = state.store.begin_write().await.map_err(AppError::from)?;
    tx.end_session(&user.token_hash, &user.actor()).await?;
    tx.commit().await?;
    let mut resp = Redirect::to("/login").into_response();
    if let Ok(v) = set_cookie(&state, SESSION_COOKIE, "", Some(0)).parse() {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(resp)
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(safe_next(Some("/orgs/3")), "/orgs/3");
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(Some("/\\evil")), "/");
        assert_eq!(safe_next(Some("/\t/evil.example")), "/");
        assert_eq!(safe_next(Some("/\r\nSet-Cookie: x")), "/");
        assert_eq!(safe_next(Some("/a b")), "/");
        assert_eq!(safe_next(None), "/");
    }
}
