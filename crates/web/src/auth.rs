//! Who is asking: sessions (cookie) and bearer tokens, login with lockout, CSRF, and the
//! per-route guard that applies each route's [`Need`].

use crate::error::AppError;
use crate::{is_api, respond_error, AppState};
use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::net::SocketAddr;
use zeren_domain::account::{self, LOCKOUT_MINUTES};
use zeren_domain::clock;
use zeren_domain::permissions::{Action, Permissions};
use zeren_storage::{Account, Actor, SessionKind};

pub const SESSION_COOKIE: &str = "zeren_session";
pub const LOGIN_CSRF_COOKIE: &str = "zeren_login_csrf";
pub const CSRF_FIELD: &str = "_csrf";
pub const CSRF_HEADER: &str = "x-csrf-token";

/// What a route requires of the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// Anyone (login page, health check, static files, OpenAPI document).
    Public,
    /// Logged in, even with a password still to change (change-password page, logout).
    Login,
    /// Logged in with a usable password.
    Member,
    /// Allowed to do this somewhere; the handler checks the organization itself.
    Action(Action),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    Cookie,
    Bearer,
}

/// The logged-in caller.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub account: Account,
    pub perms: Permissions,
    pub via: Via,
    pub token_hash: String,
    pub csrf: String,
    pub address: String,
}

impl CurrentUser {
    pub fn actor(&self) -> Actor {
        Actor {
            id: Some(self.account.id),
            name: self.account.username.clone(),
            address: self.address.clone(),
        }
    }
}

/// Set on every request by [`resolve_user`].
#[derive(Debug, Clone)]
pub struct RequestContext {
    pub user: Option<CurrentUser>,
    pub address: String,
}

pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

pub fn cookie_value(req_headers: &axum::http::HeaderMap, name: &str) -> Option<String> {
    req_headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

pub fn set_cookie(state: &AppState, name: &str, value: &str, max_age: Option<i64>) -> String {
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict");
    if state.config.secure_cookies {
        c.push_str("; Secure");
    }
    if let Some(age) = max_age {
        c.push_str(&format!("; Max-Age={age}"));
    }
    c
}

/// The client's address for the audit trail: the socket peer, or, behind a reverse proxy the
/// operator declared trusted, the last address of `X-Forwarded-For`.
fn client_address(state: &AppState, req: &Request) -> String {
    if state.config.trust_forwarded_for {
        // The last entry is the one the trusted proxy appended; earlier ones are whatever the
        // client sent.
        let forwarded = req
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .map(str::trim)
            .and_then(|ip| ip.parse::<std::net::IpAddr>().ok());
        if let Some(ip) = forwarded {
            return ip.to_string();
        }
    }
    req.extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "unknown".to_string())
}

/// Finds the caller from the bearer token or the session cookie.
pub async fn resolve_user(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let address = client_address(&state, &req);
    let api = is_api(req.uri().path());
    let bearer = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| (t.trim().to_string(), Via::Bearer));
    let found =
        bearer.or_else(|| cookie_value(req.headers(), SESSION_COOKIE).map(|t| (t, Via::Cookie)));
    let user = match found {
        Some((token, via)) => match load_user(&state, &token, via, &address).await {
            Ok(u) => u,
            Err(e) => return respond_error(api, e),
        },
        None => None,
    };
    req.extensions_mut()
        .insert(RequestContext { user, address });
    next.run(req).await
}

async fn load_user(
    state: &AppState,
    token: &str,
    via: Via,
    address: &str,
) -> Result<Option<CurrentUser>, AppError> {
    let hash = token_hash(token);
    // Read before anything else: whatever changes after this moves the version past it.
    let version = state.store.data_version().await?;
    let now = clock::now_text();
    // What was read for this session at this data version. Ending a session and changing an
    // account or a grant are audited and move the version, so a logout is refused at once
    // here and within the version's refresh by other instances; expiry is checked here.
    let cached = state
        .caches
        .sessions
        .get(&hash)
        .filter(|c| c.version == version && c.user.via == via);
    let kept_row = cached.as_ref().filter(|c| {
        c.session_read_at.elapsed() < crate::cache::SESSION_ROW_TRUST && c.session.expires_at > now
    });
    let (mut session, session_read_at, mut changed) = match kept_row {
        Some(c) => (c.session.clone(), c.session_read_at, false),
        None => match state.store.session(&hash).await? {
            Some(s) => (s, std::time::Instant::now(), true),
            None => return Ok(None),
        },
    };
    let expected = match via {
        Via::Bearer => SessionKind::Api,
        Via::Cookie => SessionKind::Web,
    };
    if session.kind != expected {
        return Ok(None);
    }
    // Slide the idle timeout, at most once a minute per session.
    if via == Via::Cookie {
        let stale = clock::parse(&session.last_seen_at)
            .map(|t| time::OffsetDateTime::now_utc() - t > time::Duration::seconds(60))
            .unwrap_or(true);
        if stale {
            // Sliding the idle timeout must never fail the request itself.
            match state.store.touch_session(&hash).await {
                Ok(()) => {
                    session.last_seen_at = now.clone();
                    changed = true;
                }
                Err(e) => tracing::warn!(error = %e, "could not slide the session's idle timeout"),
            }
        }
    }
    if let Some(c) = cached {
        if c.user.account.id == session.account_id
            && c.read_at.elapsed() < crate::cache::SESSION_TRUST
        {
            let mut user = c.user;
            user.address = address.to_string();
            user.csrf = session.csrf_token.clone();
            if changed {
                state.caches.sessions.put(
                    hash,
                    crate::cache::CachedSession {
                        session,
                        session_read_at,
                        user: user.clone(),
                        version,
                        read_at: c.read_at,
                    },
                );
            }
            return Ok(Some(user));
        }
    }
    let account = state.store.account(session.account_id).await?;
    if !account.active {
        return Ok(None);
    }
    let perms = Permissions::new(state.store.grants(account.id).await?);
    let user = CurrentUser {
        account,
        perms,
        via,
        token_hash: hash.clone(),
        csrf: session.csrf_token.clone(),
        address: address.to_string(),
    };
    state.caches.sessions.put(
        hash,
        crate::cache::CachedSession {
            session,
            session_read_at,
            user: user.clone(),
            version,
            read_at: std::time::Instant::now(),
        },
    );
    Ok(Some(user))
}

/// Verifies a password on the blocking pool: argon2 is deliberately slow and must not stall
/// the async workers.
pub async fn verify_password(password: &str, hash: &str) -> bool {
    let (password, hash) = (password.to_string(), hash.to_string());
    tokio::task::spawn_blocking(move || account::verify_password(&password, &hash))
        .await
        .unwrap_or(false)
}

/// Hashes a password on the blocking pool.
pub async fn hash_password(password: &str) -> Result<String, AppError> {
    let password = password.to_string();
    tokio::task::spawn_blocking(move || account::hash_password(&password))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))
}

/// The one answer for an unknown username, a wrong password and a deactivated account, so
/// that the answer does not tell which usernames exist.
const WRONG: &str = "用户名或密码错误";

fn locked_error(account: &Account) -> AppError {
    AppError::Status(
        StatusCode::from_u16(423).unwrap_or(StatusCode::FORBIDDEN),
        locked_message(account),
    )
}

/// Checks a username and password with the lockout rules, and audits the outcome.
/// Used by the login page and by `POST /api/v1/auth/token` alike.
pub async fn authenticate(
    state: &AppState,
    username: &str,
    password: &str,
    address: &str,
) -> Result<Account, AppError> {
    let username = username.trim();
    if username.is_empty() || password.is_empty() {
        // Audited too: every login attempt leaves a trace.
        let mut tx = state.store.begin_write().await?;
        tx.record_unknown_login(username, address).await?;
        tx.commit().await?;
        return Err(AppError::LoginFailed("请输入用户名和密码".into()));
    }
    let Some(account) = state.store.account_by_username(username).await? else {
        // Spend the same time as a real check, so usernames cannot be probed by timing.
        verify_password(password, account::dummy_hash()).await;
        let mut tx = state.store.begin_write().await?;
        tx.record_unknown_login(username, address).await?;
        tx.commit().await?;
        return Err(AppError::LoginFailed(WRONG.into()));
    };
    if account.is_locked() {
        // Same work as a real check, so a locked account cannot be told apart by timing.
        verify_password(password, account::dummy_hash()).await;
        let mut tx = state.store.begin_write().await?;
        tx.record_login_refused(&account, address, "locked").await?;
        tx.commit().await?;
        return Err(locked_error(&account));
    }
    let password_ok = verify_password(password, &account.password_hash).await;
    if !account.active {
        let mut tx = state.store.begin_write().await?;
        tx.record_login_failure(&account, address, "inactive")
            .await?;
        tx.commit().await?;
        return Err(AppError::LoginFailed(WRONG.into()));
    }
    if !password_ok {
        let mut tx = state.store.begin_write().await?;
        let locked = tx
            .record_login_failure(&account, address, "bad_password")
            .await?;
        tx.commit().await?;
        if locked {
            return Err(AppError::Status(
                StatusCode::from_u16(423).unwrap_or(StatusCode::FORBIDDEN),
                format!(
                    "连续{}次登录失败，账户已锁定{LOCKOUT_MINUTES}分钟",
                    account::MAX_FAILED_LOGINS
                ),
            ));
        }
        return Err(AppError::LoginFailed(WRONG.into()));
    }
    Ok(account)
}

fn locked_message(account: &Account) -> String {
    let minutes = account
        .locked_until
        .as_deref()
        .and_then(clock::parse)
        .map(|t| ((t - time::OffsetDateTime::now_utc()).whole_seconds() + 59) / 60)
        .unwrap_or(LOCKOUT_MINUTES)
        .clamp(1, LOCKOUT_MINUTES);
    format!("账户已锁定，请{minutes}分钟后再试")
}

/// Starts a session (web) or issues a token (api) for an authenticated account; audited.
/// Refused if the account was locked or deactivated since its password was checked.
pub async fn start_session(
    state: &AppState,
    account: &Account,
    kind: SessionKind,
    address: &str,
) -> Result<String, AppError> {
    let token = random_token();
    let csrf = random_token();
    let mut tx = state.store.begin_write().await?;
    let ok = tx
        .record_login_success(
            account,
            address,
            match kind {
                SessionKind::Web => "web",
                SessionKind::Api => "api",
            },
        )
        .await?;
    if !ok {
        return Err(locked_error(account));
    }
    tx.create_session(&token_hash(&token), account.id, kind, &csrf, address)
        .await?;
    tx.commit().await?;
    Ok(token)
}

/// Applies a route's [`Need`]: login, forced password change, permission, CSRF.
pub async fn guard(State(need): State<Need>, req: Request, next: Next) -> Response {
    let api = is_api(req.uri().path());
    if need == Need::Public {
        return next.run(req).await;
    }
    let Some(user) = req
        .extensions()
        .get::<RequestContext>()
        .and_then(|c| c.user.clone())
    else {
        if api {
            return respond_error(true, AppError::Unauthorized);
        }
        let target = req
            .uri()
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_else(|| "/".into());
        let next_q = serde_urlencoded::to_string([("next", target)]).unwrap_or_default();
        return Redirect::to(&format!("/login?{next_q}")).into_response();
    };
    if user.account.must_change_password && need != Need::Login {
        if api {
            return respond_error(true, AppError::PasswordChangeRequired);
        }
        return Redirect::to("/me/password").into_response();
    }
    if let Need::Action(action) = need {
        if !user.perms.can_somewhere(action) {
            return respond_error(api, AppError::Forbidden);
        }
    }
    let req = if user.via == Via::Cookie && !matches!(*req.method(), Method::GET | Method::HEAD) {
        match check_csrf(req, &user.csrf).await {
            Ok(req) => req,
            Err(e) => return respond_error(api, e),
        }
    } else {
        req
    };
    next.run(req).await
}

/// Cookie-authenticated changes must carry the session's CSRF token, in the `X-CSRF-Token`
/// header, the `_csrf` query parameter (multipart uploads) or the `_csrf` form field.
async fn check_csrf(req: Request, expected: &str) -> Result<Request, AppError> {
    if let Some(h) = req.headers().get(CSRF_HEADER).and_then(|v| v.to_str().ok()) {
        return if constant_eq(h, expected) {
            Ok(req)
        } else {
            Err(AppError::Csrf)
        };
    }
    if let Some(q) = req.uri().query() {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(q).unwrap_or_default();
        if let Some((_, v)) = pairs.iter().find(|(k, _)| k == CSRF_FIELD) {
            return if constant_eq(v, expected) {
                Ok(req)
            } else {
                Err(AppError::Csrf)
            };
        }
    }
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return Err(AppError::Csrf);
    }
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, crate::FORM_LIMIT)
        .await
        .map_err(|_| crate::error::rejection(StatusCode::PAYLOAD_TOO_LARGE, ""))?;
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes).unwrap_or_default();
    let ok = pairs
        .iter()
        .any(|(k, v)| k == CSRF_FIELD && constant_eq(v, expected));
    if !ok {
        return Err(AppError::Csrf);
    }
    Ok(Request::from_parts(parts, Body::from(bytes)))
}

fn constant_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_found_among_others() {
        let mut h = axum::http::HeaderMap::new();
        h.insert(
            header::COOKIE,
            "a=1; zeren_session=abc; b=2".parse().unwrap(),
        );
        assert_eq!(cookie_value(&h, SESSION_COOKIE).as_deref(), Some("abc"));
        assert_eq!(cookie_value(&h, "zz"), None);
    }

    #[test]
    fn forwarded_addresses_count_only_behind_a_trusted_proxy() {
        use axum::body::Body;
        use zeren_storage::Store;
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let dir = tempfile::tempdir().unwrap();
            let url = zeren_storage::sqlite_url_for_dir(dir.path()).unwrap();
            let store = Store::connect(&url).await.unwrap();
            let req = || {
                let mut r = Request::new(Body::empty());
                r.headers_mut()
                    .insert("x-forwarded-for", "6.6.6.6, 10.1.2.3".parse().unwrap());
                r.extensions_mut()
                    .insert(ConnectInfo(SocketAddr::from(([127, 0, 0, 1], 9))));
                r
            };
            let mut state = AppState::new(store, crate::Config::default());
            assert_eq!(client_address(&state, &req()), "127.0.0.1");
            state.config.trust_forwarded_for = true;
            assert_eq!(client_address(&state, &req()), "10.1.2.3");
        });
    }

    #[test]
    fn tokens_are_random_and_hashes_stable() {
        assert_ne!(random_token(), random_token());
        assert_eq!(random_token().len(), 64);
        assert_eq!(token_hash("x"), token_hash("x"));
        assert!(constant_eq("abc", "abc"));
        assert!(!constant_eq("abc", "abd"));
        assert!(!constant_eq("abc", "ab"));
    }
}
