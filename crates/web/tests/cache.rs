//! Answers kept in memory are never stale: a change made here is seen at once, a change made
//! by another instance sharing the database within the refresh interval, and an ended session
//! is refused at once.

mod common;

use axum::http::{Method, StatusCode};
use common::demo_app;
use serde_json::json;
use zeren_storage::Store;
use zeren_web::{AppState, Config};

async fn total(router: &axum::Router, token: &str) -> i64 {
    let resp = tower::ServiceExt::oneshot(
        router.clone(),
        axum::http::Request::get("/api/v1/records?org=qs")
            .header("authorization", format!("Bearer {token}"))
            .body(axum::body::Body::empty())
            .unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .unwrap();
    serde_json::from_slice::<serde_json::Value>(&bytes).unwrap()["total"]
        .as_i64()
        .unwrap()
}

fn study(title: &str) -> serde_json::Value {
    json!({"org": "qs", "type": "study_group", "title": title, "held_on": "2023-03-01", "person_times": 12})
}

#[tokio::test]
async fn a_change_is_seen_at_once_here_and_soon_by_another_instance() {
    let app = demo_app().await;
    let token = app.token("dangwu").await;
    assert_eq!(total(&app.router, &token).await, 0);
    // Asked again with nothing changed: the kept answer.
    assert_eq!(total(&app.router, &token).await, 0);
    let r = app
        .request(
            Method::POST,
            "/api/v1/records",
            Some(&token),
            Some(study("第一次")),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(
        total(&app.router, &token).await,
        1,
        "this instance sees its change at once"
    );

    // A second instance on the same database, with caches of its own.
    let second = Store::open(&app.db.url).await.unwrap();
    let other = zeren_web::app(AppState::new(second, Config::default()));
    assert_eq!(total(&other, &token).await, 1);
    let r = app
        .request(
            Method::POST,
            "/api/v1/records",
            Some(&token),
            Some(study("第二次")),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    tokio::time::sleep(zeren_storage::VERSION_REFRESH + std::time::Duration::from_millis(200))
        .await;
    assert_eq!(
        total(&other, &token).await,
        2,
        "another instance sees it after the refresh"
    );
}

#[tokio::test]
async fn an_ended_session_is_refused_at_once() {
    let app = demo_app().await;
    let token = app.token("dangwu").await;
    assert_eq!(total(&app.router, &token).await, 0);
    let r = app
        .request(Method::POST, "/api/v1/auth/logout", Some(&token), None)
        .await;
    assert!(r.status.is_success(), "{}", r.status);
    let r = app
        .request(Method::GET, "/api/v1/records?org=qs", Some(&token), None)
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_revoked_role_is_refused_at_once() {
    let app = demo_app().await;
    let clerk = app.token("dangwu").await;
    assert_eq!(total(&app.router, &clerk).await, 0);
    let admin = app.token("admin").await;
    let grants = app
        .request(Method::GET, "/api/v1/accounts/dangwu", Some(&admin), None)
        .await
        .json();
    let id = grants["grants"][0]["id"].as_i64().unwrap();
    let r = app
        .request(
            Method::DELETE,
            &format!("/api/v1/accounts/dangwu/grants/{id}"),
            Some(&admin),
            None,
        )
        .await;
    assert!(r.status.is_success(), "{}: {}", r.status, r.body);
    let r = app
        .request(Method::GET, "/api/v1/records?org=qs", Some(&clerk), None)
        .await;
    assert!(
        r.status == StatusCode::FORBIDDEN || r.status == StatusCode::NOT_FOUND,
        "{}",
        r.status
    );
}
