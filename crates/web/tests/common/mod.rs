//! Shared by the web tests: the real application on a fresh database with the demo loaded.
#![allow(dead_code)]

pub mod figures;

use axum::body::Body;
use axum::http::{header, HeaderMap, Method, Request, StatusCode};
use axum::Router;
use tower::ServiceExt;
use zeren_storage::testing::{fresh_store, TestDb};
use zeren_web::demo::{self, DemoOptions};
use zeren_web::{app, AppState, Config};

pub const ADMIN_PASSWORD: &str = "Qingshi#2026";
pub const USER_PASSWORD: &str = "Demo#2026ok";

pub struct TestApp {
    pub db: TestDb,
    pub state: AppState,
    pub router: Router,
}

pub async fn demo_app() -> TestApp {
    app_with(false).await
}

/// The demo with its whole year of records (2023 and a slice of the current year): slower to
/// load, for the tests of figures and desks.
pub async fn demo_app_with_year() -> TestApp {
    app_with(true).await
}

async fn app_with(with_year: bool) -> TestApp {
    let db = fresh_store().await;
    demo::load(
        &db.store,
        DemoOptions {
            admin_password: Some(ADMIN_PASSWORD.into()),
            user_password: Some(USER_PASSWORD.into()),
            with_year,
        },
    )
    .await
    .expect("demo loads");
    let state = AppState::new(db.store.clone(), Config::default());
    let router = app(state.clone());
    TestApp { db, state, router }
}

pub fn password_of(username: &str) -> &'static str {
    if username == "admin" {
        ADMIN_PASSWORD
    } else {
        USER_PASSWORD
    }
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Reply {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    pub fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// `name=value` of a Set-Cookie header.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .filter_map(|v| v.split(';').next())
            .find(|kv| kv.starts_with(&format!("{name}=")))
            .map(|kv| kv[name.len() + 1..].to_string())
    }
}

impl TestApp {
    pub async fn send(&self, req: Request<Body>) -> Reply {
        let resp = self.router.clone().oneshot(req).await.expect("infallible");
        let status = resp.status();
        let headers = resp.headers().clone();
        let bytes = axum::body::to_bytes(resp.into_body(), 64 * 1024 * 1024)
            .await
            .expect("body");
        Reply {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).to_string(),
        }
    }

    pub async fn request(
        &self,
        method: Method,
        uri: &str,
        token: Option<&str>,
        json: Option<serde_json::Value>,
    ) -> Reply {
        let mut b = Request::builder().method(method).uri(uri);
        if let Some(t) = token {
            b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        let body = match json {
            Some(j) => {
                b = b.header(header::CONTENT_TYPE, "application/json");
                Body::from(j.to_string())
            }
            None => Body::empty(),
        };
        self.send(b.body(body).unwrap()).await
    }

    pub async fn token(&self, username: &str) -> String {
        self.token_with(username, password_of(username)).await
    }

    pub async fn token_with(&self, username: &str, password: &str) -> String {
        let r = self
            .request(
                Method::POST,
                "/api/v1/auth/token",
                None,
                Some(serde_json::json!({"username": username, "password": password})),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "token for {username}: {}", r.body);
        r.json()["token"].as_str().unwrap().to_string()
    }

    /// Logs in through the login form; returns (session cookie, csrf token of the session).
    pub async fn login(&self, username: &str, password: &str) -> (String, String) {
        let form = self.get("/login", None).await;
        let login_csrf = form.cookie("zeren_login_csrf").expect("login csrf cookie");
        let body = serde_urlencoded::to_string([
            ("username", username),
            ("password", password),
            ("next", "/"),
            ("_csrf", login_csrf.as_str()),
        ])
        .unwrap();
        let r = self
            .send(
                Request::post("/login")
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .header(header::COOKIE, format!("zeren_login_csrf={login_csrf}"))
                    .body(Body::from(body))
                    .unwrap(),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::SEE_OTHER,
            "login {username}: {}",
            r.body
        );
        let session = r.cookie("zeren_session").expect("session cookie");
        let mut page = self.get("/me", Some(&session)).await;
        if page.status == StatusCode::SEE_OTHER {
            // An account that must change its password first is sent to that form.
            let to = page.location().to_string();
            page = self.get(&to, Some(&session)).await;
        }
        let csrf = extract_csrf(&page.body).expect("a page with the session's CSRF token");
        (session, csrf)
    }

    pub async fn get(&self, uri: &str, session: Option<&str>) -> Reply {
        let mut b = Request::get(uri);
        if let Some(s) = session {
            b = b.header(header::COOKIE, format!("zeren_session={s}"));
        }
        self.send(b.body(Body::empty()).unwrap()).await
    }

    pub async fn post_form(&self, uri: &str, session: &str, fields: &[(&str, &str)]) -> Reply {
        let body = serde_urlencoded::to_string(fields).unwrap();
        self.send(
            Request::post(uri)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::COOKIE, format!("zeren_session={session}"))
                .body(Body::from(body))
                .unwrap(),
        )
        .await
    }

    pub async fn account(&self, username: &str) -> zeren_storage::Account {
        self.state
            .store
            .account_by_username(username)
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("no account {username}"))
    }

    pub async fn org_id(&self, code: &str) -> i64 {
        self.state.store.org_by_code(code).await.unwrap().id
    }
}

pub fn extract_csrf(html: &str) -> Option<String> {
    let marker = "name=\"_csrf\" value=\"";
    let start = html.find(marker)? + marker.len();
    let end = html[start..].find('"')? + start;
    Some(html[start..end].to_string())
}

/// `rule=<id>` form fields for every checker rule except `off`, as the rule checkboxes send.
pub fn rule_fields_except<'a>(off: &[&str]) -> Vec<(&'a str, &'a str)> {
    zeren_reports::checker::RULES
        .iter()
        .filter(|r| !off.contains(&r.id))
        .map(|r| ("rule", r.id))
        .collect()
}

/// A multipart/form-data body: the text fields, then each file in a field named `file`.
/// Returns (content type, body).
pub fn multipart(fields: &[(&str, &str)], files: &[(&str, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "zerenTestBoundary7MA4YWxk";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    for (name, bytes) in files {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}
