//! Attacks and edge cases: concurrent guessing, username probing, subtree administrators,
//! sessions after a password change, malformed query strings.

mod common;

use axum::http::{Method, StatusCode};
use common::{demo_app, ADMIN_PASSWORD, USER_PASSWORD};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn simultaneous_wrong_passwords_are_all_counted() {
    use axum::body::Body;
    use axum::http::{header, Request};
    use tower::ServiceExt;
    let app = demo_app().await;
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..8 {
        let router = app.router.clone();
        set.spawn(async move {
            let req = Request::post("/api/v1/auth/token")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(
                    r#"{"username":"zuzhi","password":"Guess#12345"}"#,
                ))
                .unwrap();
            router.oneshot(req).await.unwrap().status()
        });
    }
    while let Some(status) = set.join_next().await {
        assert!(status.unwrap().is_client_error());
    }
    let account = app.account("zuzhi").await;
    assert!(
        account.is_locked(),
        "8 simultaneous failures must lock the account"
    );
    let r = app
        .request(
            Method::POST,
            "/api/v1/auth/token",
            None,
            Some(json!({"username": "zuzhi", "password": USER_PASSWORD})),
        )
        .await;
    assert_eq!(r.status.as_u16(), 423);
}

#[tokio::test]
async fn unknown_usernames_and_wrong_passwords_look_the_same() {
    let app = demo_app().await;
    let unknown = app
        .request(
            Method::POST,
            "/api/v1/auth/token",
            None,
            Some(json!({"username": "nosuchuser", "password": "Guess#12345"})),
        )
        .await;
    let wrong = app
        .request(
            Method::POST,
            "/api/v1/auth/token",
            None,
            Some(json!({"username": "shuji", "password": "Guess#12345"})),
        )
        .await;
    assert_eq!(unknown.status, wrong.status);
    assert_eq!(unknown.body, wrong.body);
    // A deactivated account answers the same way.
    let admin = app.token("admin").await;
    let (session, csrf) = app.login("admin", ADMIN_PASSWORD).await;
    let id = app.account("tongzhan").await.id;
    let r = app
        .post_form(
            &format!("/accounts/{id}"),
            &session,
            &[("display_name", "郑华"), ("active", "0"), ("_csrf", &csrf)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let inactive = app
        .request(
            Method::POST,
            "/api/v1/auth/token",
            None,
            Some(json!({"username": "tongzhan", "password": USER_PASSWORD})),
        )
        .await;
    assert_eq!(inactive.body, wrong.body);
    let _ = admin;
}

/// An administrator granted on one general branch manages that subtree and nothing else.
#[tokio::test]
async fn a_subtree_administrator_stays_in_the_subtree() {
    let app = demo_app().await;
    let admin = app.token("admin").await;
    // The top administrator creates a branch-level administrator.
    let r = app
        .request(Method::POST, "/api/v1/accounts", Some(&admin),
            Some(json!({"username": "jg-admin", "display_name": "机关管理员", "org_code": "qs-jg", "role": "admin", "password": "Jiguan#2026x"})))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    // And a person homed in a branch below it who also holds a role at the committee.
    let r = app
        .request(Method::POST, "/api/v1/accounts", Some(&admin),
            Some(json!({"username": "jg1-clerk", "display_name": "双重角色", "org_code": "qs-jg1", "role": "clerk"})))
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let (s, c) = app.login("admin", ADMIN_PASSWORD).await;
    let dual = app.account("jg1-clerk").await.id;
    let root = app.org_id("qs").await.to_string();
    let r = app
        .post_form(
            &format!("/accounts/{dual}/grants"),
            &s,
            &[("role", "inspector"), ("org_id", &root), ("_csrf", &c)],
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::SEE_OTHER,
        "{}",
        r.body
            .chars()
            .filter(|c| *c > '\u{4e00}')
            .collect::<String>()
    );

    // The branch administrator changes its initial password first.
    let (session, csrf) = app.login("jg-admin", "Jiguan#2026x").await;
    let r = app
        .post_form(
            "/me/password",
            &session,
            &[
                ("current", "Jiguan#2026x"),
                ("new_password", "Jiguan#2027y"),
                ("confirm", "Jiguan#2027y"),
                ("_csrf", &csrf),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);

    let jg = app.org_id("qs-jg").await.to_string();
    let r = app
        .post_form(
            "/orgs",
            &session,
            &[
                ("parent_id", &jg),
                ("code", "qs-jg3"),
                ("name", "镇机关第三党支部"),
                ("kind", "branch"),
                ("_csrf", &csrf),
            ],
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::SEE_OTHER,
        "inside the subtree: {}",
        r.body
    );
    // Outside: the same answer as for an organization that does not exist.
    let r = app
        .post_form(
            "/orgs",
            &session,
            &[
                ("parent_id", &root),
                ("code", "qs-x"),
                ("name", "越权支部"),
                ("kind", "branch"),
                ("_csrf", &csrf),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("上级组织不存在或不在您的管理范围内"));
    let r = app
        .post_form(
            "/orgs",
            &session,
            &[
                ("parent_id", "987654"),
                ("code", "qs-y"),
                ("name", "不存在"),
                ("kind", "branch"),
                ("_csrf", &csrf),
            ],
        )
        .await;
    assert!(r.body.contains("上级组织不存在或不在您的管理范围内"));

    // It cannot take over an account that holds a role above its subtree.
    let r = app
        .post_form(
            &format!("/accounts/{dual}/password"),
            &session,
            &[("_csrf", &csrf)],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let shuji = app.account("shuji").await.id;
    let r = app
        .post_form(
            &format!("/accounts/{shuji}/password"),
            &session,
            &[("_csrf", &csrf)],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // Nor grant itself anything.
    let me = app.account("jg-admin").await.id;
    let r = app
        .post_form(
            &format!("/accounts/{me}/grants"),
            &session,
            &[("role", "inspector"), ("org_id", &jg), ("_csrf", &csrf)],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("不能给自己授予角色"));
    // The audit trail covers every unit: not for a subtree administrator.
    assert_eq!(
        app.get("/audit", Some(&session)).await.status,
        StatusCode::FORBIDDEN
    );
    assert!(!app
        .get("/", Some(&session))
        .await
        .body
        .contains("href=\"/audit"));
    // Its org list holds its subtree only.
    let t = app.token_with("jg-admin", "Jiguan#2027y").await;
    let orgs = app
        .request(Method::GET, "/api/v1/orgs", Some(&t), None)
        .await
        .json();
    let mut codes: Vec<&str> = orgs
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes[0], "qs-jg");
    codes.sort_unstable();
    assert_eq!(codes, vec!["qs-jg", "qs-jg1", "qs-jg2", "qs-jg3"]);
    // The parent of its top organization is outside its view: not revealed.
    assert_eq!(orgs[0]["parent_code"], serde_json::Value::Null);
}

#[tokio::test]
async fn changing_a_password_ends_the_other_sessions() {
    let app = demo_app().await;
    let (first, _) = app.login("xuanchuan", USER_PASSWORD).await;
    let token = app.token("xuanchuan").await;
    let (second, csrf) = app.login("xuanchuan", USER_PASSWORD).await;
    let r = app
        .post_form(
            "/me/password",
            &second,
            &[
                ("current", USER_PASSWORD),
                ("new_password", "Propaganda#26"),
                ("confirm", "Propaganda#26"),
                ("_csrf", &csrf),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.get("/", Some(&second)).await.status,
        StatusCode::OK,
        "the session that changed it stays"
    );
    assert_eq!(
        app.get("/", Some(&first)).await.status,
        StatusCode::SEE_OTHER
    );
    let r = app
        .request(Method::GET, "/api/v1/me", Some(&token), None)
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn guessing_the_current_password_locks_and_logs_out() {
    let app = demo_app().await;
    let (session, csrf) = app.login("wuzhuang", USER_PASSWORD).await;
    // A form sent with the field left empty is not a guess: asked for, not counted.
    for _ in 0..6 {
        let r = app
            .post_form(
                "/me/password",
                &session,
                &[
                    ("current", ""),
                    ("new_password", "Wuzhuang#2026"),
                    ("confirm", "Wuzhuang#2026"),
                    ("_csrf", &csrf),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("请输入当前密码"));
    }
    assert!(!app.account("wuzhuang").await.is_locked());
    for i in 1..=5 {
        let r = app
            .post_form(
                "/me/password",
                &session,
                &[
                    ("current", "Guess#1234"),
                    ("new_password", "Wuzhuang#2026"),
                    ("confirm", "Wuzhuang#2026"),
                    ("_csrf", &csrf),
                ],
            )
            .await;
        if i < 5 {
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
            assert!(r.body.contains("当前密码不正确"));
        } else {
            assert_eq!(r.location(), "/login");
        }
    }
    assert_eq!(
        app.get("/", Some(&session)).await.status,
        StatusCode::SEE_OTHER
    );
    assert!(app.account("wuzhuang").await.is_locked());
}

#[tokio::test]
async fn malformed_query_strings_are_4xx_in_the_callers_language() {
    let app = demo_app().await;
    let admin = app.token("admin").await;
    let r = app
        .request(Method::GET, "/api/v1/audit?limit=many", Some(&admin), None)
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.json()["code"], "bad_request");
    let (s, _) = app.login("admin", ADMIN_PASSWORD).await;
    let r = app.get("/orgs?notice=a&notice=b", Some(&s)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("提交的数据格式不正确"));
    let r = app.get("/audit?page=9223372036854775807", Some(&s)).await;
    assert_eq!(r.status, StatusCode::OK);
    // An open redirect through the login form is refused.
    let r = app.get("/login?next=/%09/evil.example", None).await;
    assert!(r.body.contains("name=\"next\" value=\"/\""), "{}", r.body);
}

#[tokio::test]
async fn nothing_moves_under_a_deactivated_organization() {
    let app = demo_app().await;
    let admin = app.token("admin").await;
    let r = app
        .request(
            Method::PATCH,
            "/api/v1/orgs/qs-v10",
            Some(&admin),
            Some(json!({"active": false})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let r = app
        .request(
            Method::PATCH,
            "/api/v1/orgs/qs-v09",
            Some(&admin),
            Some(json!({"parent_code": "qs-v10"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json()["message"].as_str().unwrap().contains("已停用"));
    let r = app
        .request(Method::POST, "/api/v1/orgs", Some(&admin), Some(json!({"parent_code": "qs-v10", "code": "qs-v10a", "name": "小组", "kind": "branch"})))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
}

/// Whoever resets a password learns it: for accounts that may see discipline records that is
/// left to the server's command line, so the administrator cannot read them that way.
#[tokio::test]
async fn passwords_of_discipline_roles_are_not_reset_in_the_web() {
    let app = demo_app().await;
    let admin = app.token("admin").await;
    for user in ["shuji", "jiwei"] {
        let r = app
            .request(
                Method::POST,
                &format!("/api/v1/accounts/{user}/password"),
                Some(&admin),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{user}");
        assert!(r.json()["message"]
            .as_str()
            .unwrap()
            .contains("zeren user reset-password"));
    }
    let r = app
        .request(
            Method::POST,
            "/api/v1/accounts/zuzhi/password",
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
}
