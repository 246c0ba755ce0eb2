//! Zeren's web layer: server-rendered pages (askama), a JSON API under `/api/v1`, and the
//! route table that gives every route its permission rule.

pub mod api;
pub mod assets;
pub mod auth;
pub mod cache;
pub mod demo;
pub mod error;
pub mod extract;
pub mod manage;
pub mod pages;
pub mod routes;

use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Router;
use error::AppError;
use std::net::SocketAddr;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use zeren_storage::Store;

/// Largest accepted form or JSON body.
pub const FORM_LIMIT: usize = 1024 * 1024;
/// Largest accepted upload (report drafts).
pub const UPLOAD_LIMIT: usize = 20 * 1024 * 1024;
/// Largest accepted report template form or body: a template's source, or a learned report
/// carried through its confirmation, percent-encoded.
pub const TEMPLATE_FORM_LIMIT: usize = 8 * 1024 * 1024;
/// Largest accepted upload of evidence files (several at once, each at most
/// `zeren_domain::evidence::MAX_BYTES`).
pub const EVIDENCE_LIMIT: usize = 50 * 1024 * 1024;

#[derive(Debug, Clone, Default)]
pub struct Config {
    /// Mark cookies `Secure` (when served over HTTPS, e.g. behind a reverse proxy).
    pub secure_cookies: bool,
    /// Take the client address from `X-Forwarded-For` (only behind a reverse proxy that sets
    /// it; otherwise a client could write any address into the audit trail).
    pub trust_forwarded_for: bool,
}

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Config,
    /// Answers and sessions kept for one data version.
    pub caches: std::sync::Arc<cache::Caches>,
}

impl AppState {
    pub fn new(store: Store, config: Config) -> Self {
        Self {
            store,
            config,
            caches: Default::default(),
        }
    }
}

pub fn is_api(path: &str) -> bool {
    path.starts_with("/api/")
}

/// Renders an error for the API (JSON) or for a browser (a Chinese page).
pub fn respond_error(api: bool, err: AppError) -> Response {
    let status = err.status();
    if api {
        (status, axum::Json(err.body())).into_response()
    } else {
        let page = pages::ErrorPage {
            status: status.as_u16(),
            title: match status.as_u16() {
                401 => "请先登录",
                403 => "没有权限",
                404 => "页面不存在",
                413 => "内容过大",
                s if s >= 500 => "系统错误",
                _ => "无法完成请求",
            },
            message: err.public_message(),
        };
        (status, pages::render(&page)).into_response()
    }
}

/// The whole application, as tests and `zeren serve` start it.
pub fn app(state: AppState) -> Router {
    let router = routes::router(state.clone());
    router
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        // Inside `resolve_user`: answers are kept per session.
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            cache::answers,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::resolve_user,
        ))
        .layer(axum::extract::DefaultBodyLimit::max(FORM_LIMIT))
        .layer(CatchPanicLayer::custom(|_| {
            tracing::error!("a handler panicked");
            let mut resp = axum::http::StatusCode::INTERNAL_SERVER_ERROR.into_response();
            resp.headers_mut()
                .insert(PANIC_MARKER, HeaderValue::from_static("1"));
            resp
        }))
        .layer(axum::middleware::from_fn(render_panics))
        // One log line per request: method, path (never the query, which may carry a CSRF
        // token), status and latency.
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &axum::http::Request<_>| {
                    tracing::info_span!("request", method = %req.method(), path = %req.uri().path())
                })
                .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
        )
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                 font-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; \
                 base-uri 'self'; object-src 'none'",
            ),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
}

/// Set by the panic catcher so that [`render_panics`], which knows the path, renders the
/// opaque 500 as a page or as JSON.
const PANIC_MARKER: &str = "x-zeren-panic";

async fn render_panics(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let api = is_api(req.uri().path());
    let resp = next.run(req).await;
    if resp.headers().contains_key(PANIC_MARKER) {
        return respond_error(api, AppError::Internal("a handler panicked".into()));
    }
    resp
}

async fn not_found(uri: axum::http::Uri) -> Response {
    respond_error(is_api(uri.path()), AppError::NotFound("该页面"))
}

async fn method_not_allowed(uri: axum::http::Uri) -> Response {
    respond_error(
        is_api(uri.path()),
        AppError::Status(
            axum::http::StatusCode::METHOD_NOT_ALLOWED,
            "不支持该请求方法".into(),
        ),
    )
}

/// Ctrl-C, or SIGTERM from systemd or a container runtime.
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => {
                    let _ = tokio::signal::ctrl_c().await;
                    return;
                }
            };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Serves the application until Ctrl-C or SIGTERM, finishing requests in flight.
pub async fn serve(state: AppState, listener: tokio::net::TcpListener) -> std::io::Result<()> {
    let app = app(state.clone());
    let purge = state.store.clone();
    tokio::spawn(async move {
        loop {
            if let Err(e) = purge.purge_expired_sessions().await {
                tracing::warn!(error = %e, "session purge failed");
            }
            tokio::time::sleep(std::time::Duration::from_secs(600)).await;
        }
    });
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
}
