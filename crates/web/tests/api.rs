//! The JSON API: tokens, organizations, accounts, audit, and how it answers bad input.

mod common;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use common::{demo_app, ADMIN_PASSWORD, USER_PASSWORD};
use serde_json::json;

#[tokio::test]
async fn health_and_openapi_are_public() {
    let app = demo_app().await;
    let h = app.request(Method::GET, "/healthz", None, None).await;
    assert_eq!((h.status, h.body.as_str()), (StatusCode::OK, "ok"));
    let doc = app
        .request(Method::GET, "/api/v1/openapi.json", None, None)
        .await;
    assert_eq!(doc.status, StatusCode::OK);
    let doc = doc.json();
    assert_eq!(
        doc["openapi"].as_str().map(|v| v.starts_with('3')),
        Some(true)
    );
    for path in [
        "/api/v1/auth/token",
        "/api/v1/orgs",
        "/api/v1/orgs/{code}",
        "/api/v1/accounts",
        "/api/v1/audit/verify",
    ] {
        assert!(doc["paths"].get(path).is_some(), "OpenAPI lacks {path}");
    }
    assert!(doc["components"]["schemas"].get("ErrorBody").is_some());
}

#[tokio::test]
async fn orgs_list_has_the_documented_fields() {
    let app = demo_app().await;
    let token = app.token("shuji").await;
    let r = app
        .request(Method::GET, "/api/v1/orgs", Some(&token), None)
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let list = r.json();
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 18);
    assert_eq!(list[0]["code"], "qs");
    assert_eq!(list[0]["parent_code"], serde_json::Value::Null);
    let v01 = list.iter().find(|o| o["code"] == "qs-v01").unwrap();
    assert_eq!(v01["name"], "东岭村党支部");
    assert_eq!(v01["kind"], "branch");
    assert_eq!(v01["parent_code"], "qs");
    let jg1 = list.iter().find(|o| o["code"] == "qs-jg1").unwrap();
    assert_eq!(jg1["parent_code"], "qs-jg");
    assert_eq!(list.iter().filter(|o| o["kind"] == "branch").count(), 16);
}

#[tokio::test]
async fn admin_creates_moves_and_deactivates_orgs_with_audit() {
    let app = demo_app().await;
    let token = app.token("admin").await;
    let audit_before = app.state.store.audit_count().await.unwrap();
    let r = app
        .request(
            Method::POST,
            "/api/v1/orgs",
            Some(&token),
            Some(json!({"parent_code": "qs", "code": "qs-v11", "name": "青山村党支部", "kind": "党支部"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.json()["parent_code"], "qs");
    let r = app
        .request(
            Method::PATCH,
            "/api/v1/orgs/qs-v11",
            Some(&token),
            Some(json!({"parent_code": "qs-jg", "name": "青山村党总支", "kind": "general_branch"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["parent_code"], "qs-jg");
    assert_eq!(r.json()["depth"], 3);
    let r = app
        .request(
            Method::PATCH,
            "/api/v1/orgs/qs-v11",
            Some(&token),
            Some(json!({"active": false})),
        )
        .await;
    assert_eq!(r.json()["active"], false);
    // Still there, never deleted.
    let r = app
        .request(Method::GET, "/api/v1/orgs/qs-v11", Some(&token), None)
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let audit = app
        .request(
            Method::GET,
            "/api/v1/audit?action=org.&limit=3",
            Some(&token),
            None,
        )
        .await
        .json();
    let actions: Vec<&str> = audit
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, vec!["org.deactivate", "org.move", "org.create"]);
    assert_eq!(audit[0]["actor"], "admin");
    assert!(app.state.store.audit_count().await.unwrap() >= audit_before + 3);
    let v = app
        .request(Method::GET, "/api/v1/audit/verify", Some(&token), None)
        .await
        .json();
    assert_eq!(v["ok"], true);
}

#[tokio::test]
async fn moving_an_org_below_itself_is_a_422_with_field() {
    let app = demo_app().await;
    let token = app.token("admin").await;
    let r = app
        .request(
            Method::PATCH,
            "/api/v1/orgs/qs-jg",
            Some(&token),
            Some(json!({"parent_code": "qs-jg1"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["field"], "parent_id");
    assert_eq!(
        app.state
            .store
            .org_by_code("qs-jg")
            .await
            .unwrap()
            .parent_id,
        Some(app.org_id("qs").await)
    );
}

#[tokio::test]
async fn admin_creates_an_account_that_must_change_its_password() {
    let app = demo_app().await;
    let token = app.token("admin").await;
    let r = app
        .request(
            Method::POST,
            "/api/v1/accounts",
            Some(&token),
            Some(json!({"username": "zb-v11", "display_name": "钱进", "org_code": "qs-v01", "role": "clerk"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let created = r.json();
    assert_eq!(created["must_change_password"], true);
    let pw = created["initial_password"].as_str().unwrap().to_string();
    let t = app
        .request(
            Method::POST,
            "/api/v1/auth/token",
            None,
            Some(json!({"username": "zb-v11", "password": pw})),
        )
        .await;
    assert_eq!(t.status, StatusCode::OK);
    let new_token = t.json()["token"].as_str().unwrap().to_string();
    let r = app
        .request(Method::GET, "/api/v1/orgs", Some(&new_token), None)
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.json()["code"], "password_change_required");
    let list = app
        .request(Method::GET, "/api/v1/accounts", Some(&token), None)
        .await
        .json();
    let acc = list
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["username"] == "zb-v11")
        .unwrap()
        .clone();
    assert_eq!(acc["roles"], json!(["clerk"]));
    assert_eq!(acc["org_code"], "qs-v01");
}

#[tokio::test]
async fn lockout_after_five_failures_holds_even_for_the_right_password() {
    let app = demo_app().await;
    for i in 1..=5 {
        let r = app
            .request(
                Method::POST,
                "/api/v1/auth/token",
                None,
                Some(json!({"username": "shuji", "password": "Wrong#pass1"})),
            )
            .await;
        let expected = if i < 5 {
            StatusCode::UNAUTHORIZED
        } else {
            StatusCode::from_u16(423).unwrap()
        };
        assert_eq!(r.status, expected, "attempt {i}: {}", r.body);
        assert!(r.json()["message"]
            .as_str()
            .unwrap()
            .chars()
            .any(|c| c > '\u{4e00}'));
    }
    let r = app
        .request(
            Method::POST,
            "/api/v1/auth/token",
            None,
            Some(json!({"username": "shuji", "password": USER_PASSWORD})),
        )
        .await;
    assert_eq!(r.status.as_u16(), 423);
    assert_eq!(r.json()["code"], "locked");
    assert!(r.json()["message"].as_str().unwrap().contains("锁定"));
    // Other accounts are unaffected, and every failure is in the audit trail.
    let admin = app.token("admin").await;
    let audit = app
        .request(
            Method::GET,
            "/api/v1/audit?action=login.failure&limit=50",
            Some(&admin),
            None,
        )
        .await
        .json();
    assert_eq!(
        audit
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["actor"] == "shuji")
            .count(),
        6
    );
    let _ = ADMIN_PASSWORD;
}

/// Every API error is JSON `{code, message}` with a 4xx status, and a rejected request writes
/// nothing.
#[tokio::test]
async fn every_api_error_is_json_with_a_4xx_status() {
    let app = demo_app().await;
    let admin = app.token("admin").await;
    let orgs_before = app.state.store.org_count().await.unwrap();
    let accounts_before = app.state.store.account_count().await.unwrap();
    let raw =
        |method: Method, uri: &str, ctype: Option<&str>, body: Vec<u8>, token: Option<&str>| {
            let mut b = Request::builder().method(method).uri(uri);
            if let Some(c) = ctype {
                b = b.header(header::CONTENT_TYPE, c);
            }
            if let Some(t) = token {
                b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
            }
            b.body(Body::from(body)).unwrap()
        };
    let json_ct = Some("application/json");
    let cases: Vec<(Request<Body>, u16)> = vec![
        (raw(Method::POST, "/api/v1/orgs", json_ct, b"{not json".to_vec(), Some(&admin)), 400),
        (raw(Method::POST, "/api/v1/orgs", Some("text/plain"), b"x".to_vec(), Some(&admin)), 415),
        (raw(Method::POST, "/api/v1/orgs", json_ct, br#"{"code": 5}"#.to_vec(), Some(&admin)), 422),
        (raw(Method::POST, "/api/v1/orgs", json_ct, serde_json::to_vec(&json!({"parent_code":"qs","code":"a b","name":"x","kind":"branch"})).unwrap(), Some(&admin)), 422),
        (raw(Method::POST, "/api/v1/orgs", json_ct, serde_json::to_vec(&json!({"parent_code":"qs","code":"qs-v01","name":"重复编码","kind":"branch"})).unwrap(), Some(&admin)), 422),
        (raw(Method::POST, "/api/v1/orgs", json_ct, serde_json::to_vec(&json!({"parent_code":"nope","code":"zz","name":"x","kind":"branch"})).unwrap(), Some(&admin)), 422),
        (raw(Method::POST, "/api/v1/orgs", json_ct, serde_json::to_vec(&json!({"parent_code":"qs","code":"zz","name":"x","kind":"村委会"})).unwrap(), Some(&admin)), 422),
        (raw(Method::POST, "/api/v1/orgs", json_ct, serde_json::to_vec(&json!({"parent_code":"qs","code":"zz","name":"x","kind":"branch","extra":1})).unwrap(), Some(&admin)), 422),
        (raw(Method::POST, "/api/v1/orgs", json_ct, vec![b'a'; 2 * 1024 * 1024], Some(&admin)), 413),
        (raw(Method::POST, "/api/v1/accounts", json_ct, serde_json::to_vec(&json!({"username":"ab","display_name":"x","org_code":"qs","role":"clerk"})).unwrap(), Some(&admin)), 422),
        (raw(Method::POST, "/api/v1/accounts", json_ct, serde_json::to_vec(&json!({"username":"newguy","display_name":"x","org_code":"qs","role":"clerk","password":"short"})).unwrap(), Some(&admin)), 422),
        (raw(Method::POST, "/api/v1/accounts", json_ct, serde_json::to_vec(&json!({"username":"shuji","display_name":"x","org_code":"qs","role":"clerk"})).unwrap(), Some(&admin)), 422),
        (raw(Method::POST, "/api/v1/accounts", json_ct, serde_json::to_vec(&json!({"username":"newguy","display_name":"x","org_code":"qs","role":"emperor"})).unwrap(), Some(&admin)), 422),
        (raw(Method::GET, "/api/v1/orgs/nope", None, vec![], Some(&admin)), 404),
        (raw(Method::GET, "/api/v1/nothing-here", None, vec![], Some(&admin)), 404),
        (raw(Method::GET, "/api/v1/orgs", None, vec![], Some("bogus-token")), 401),
        (raw(Method::GET, "/api/v1/orgs", None, vec![], None), 401),
        (raw(Method::POST, "/api/v1/auth/token", json_ct, br#"{"username":"admin"}"#.to_vec(), None), 422),
        (raw(Method::POST, "/api/v1/auth/token", json_ct, br#"{"username":"","password":""}"#.to_vec(), None), 401),
        (raw(Method::POST, "/api/v1/auth/token", json_ct, br#"{"username":"nobody","password":"Xx#12345"}"#.to_vec(), None), 401),
        (raw(Method::PATCH, "/api/v1/orgs/qs-v01", json_ct, br#"{"sort_order": 100000}"#.to_vec(), Some(&admin)), 422),
        (raw(Method::PATCH, "/api/v1/orgs/qs-v01", json_ct, br#"{"name": ""}"#.to_vec(), Some(&admin)), 422),
        (raw(Method::PATCH, "/api/v1/orgs/qs", json_ct, br#"{"active": false}"#.to_vec(), Some(&admin)), 422),
        (raw(Method::DELETE, "/api/v1/orgs/qs", None, vec![], Some(&admin)), 405),
    ];
    for (i, (req, expected)) in cases.into_iter().enumerate() {
        let label = format!("case {i}: {} {}", req.method(), req.uri());
        let r = app.send(req).await;
        assert_eq!(r.status.as_u16(), expected, "{label}: {}", r.body);
        let ct = r
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        assert!(
            ct.starts_with("application/json"),
            "{label}: content-type {ct}"
        );
        let body = r.json();
        assert!(body["code"].is_string(), "{label}: {body}");
        let msg = body["message"].as_str().unwrap_or("");
        assert!(
            msg.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
            "{label}: message not Chinese: {msg}"
        );
    }
    assert_eq!(app.state.store.org_count().await.unwrap(), orgs_before);
    assert_eq!(
        app.state.store.account_count().await.unwrap(),
        accounts_before
    );
}

#[tokio::test]
async fn the_field_is_named_in_validation_errors() {
    let app = demo_app().await;
    let admin = app.token("admin").await;
    let r = app
        .request(
            Method::POST,
            "/api/v1/orgs",
            Some(&admin),
            Some(json!({"parent_code":"qs","code":"ok-code","name":"","kind":"branch"})),
        )
        .await;
    assert_eq!(r.json()["field"], "name");
    assert_eq!(r.json()["message"], "请填写组织名称");
}

#[tokio::test]
async fn accounts_are_managed_over_the_api_as_on_the_pages() {
    let app = demo_app().await;
    let admin = app.token("admin").await;
    let r = app
        .request(Method::GET, "/api/v1/accounts/zb-v01", Some(&admin), None)
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["org_code"], "qs-v01");
    assert_eq!(r.json()["roles"], json!(["branch_secretary"]));

    let r = app
        .request(
            Method::PATCH,
            "/api/v1/accounts/zb-v01",
            Some(&admin),
            Some(json!({"title": "东岭村党支部书记、村委会主任"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["title"], "东岭村党支部书记、村委会主任");
    assert_eq!(
        r.json()["display_name"],
        "李明",
        "fields not sent stay as they were"
    );

    let r = app
        .request(
            Method::POST,
            "/api/v1/accounts/zb-v01/grants",
            Some(&admin),
            Some(json!({"role": "viewer", "org_code": "qs"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let grants = r.json()["grants"].clone();
    let viewer = grants
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["role"] == "viewer")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let r = app
        .request(
            Method::DELETE,
            &format!("/api/v1/accounts/zb-v01/grants/{viewer}"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["roles"], json!(["branch_secretary"]));

    // A reset password must be changed before anything else, over the API too.
    let r = app
        .request(
            Method::POST,
            "/api/v1/accounts/zb-v01/password",
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let initial = r.json()["initial_password"].as_str().unwrap().to_string();
    let t = app.token_with("zb-v01", &initial).await;
    let r = app
        .request(Method::GET, "/api/v1/orgs", Some(&t), None)
        .await;
    assert_eq!(r.json()["code"], "password_change_required");
    let r = app
        .request(
            Method::POST,
            "/api/v1/me/password",
            Some(&t),
            Some(json!({"current": initial, "new_password": "abc"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["field"], "new_password");
    let r = app
        .request(
            Method::POST,
            "/api/v1/me/password",
            Some(&t),
            Some(json!({"current": initial, "new_password": "Dongling#2027"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = app
        .request(Method::GET, "/api/v1/orgs", Some(&t), None)
        .await;
    assert_eq!(r.status, StatusCode::OK);
    // Logging out ends the token.
    let r = app
        .request(Method::POST, "/api/v1/auth/logout", Some(&t), None)
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let r = app.request(Method::GET, "/api/v1/me", Some(&t), None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);

    // Deactivating: the account can no longer log in, and is never deleted.
    let r = app
        .request(
            Method::PATCH,
            "/api/v1/accounts/zb-v01",
            Some(&admin),
            Some(json!({"active": false})),
        )
        .await;
    assert_eq!(r.json()["active"], false);
    let r = app
        .request(
            Method::POST,
            "/api/v1/auth/token",
            None,
            Some(json!({"username": "zb-v01", "password": "Dongling#2027"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    // Nobody deactivates themselves or grants themselves roles.
    let r = app
        .request(
            Method::PATCH,
            "/api/v1/accounts/admin",
            Some(&admin),
            Some(json!({"active": false})),
        )
        .await;
    assert_eq!(r.json()["field"], "active");
    let r = app
        .request(
            Method::POST,
            "/api/v1/accounts/admin/grants",
            Some(&admin),
            Some(json!({"role": "inspector", "org_code": "qs"})),
        )
        .await;
    assert_eq!(r.json()["field"], "role");
    let r = app
        .request(Method::GET, "/api/v1/accounts/nobody", Some(&admin), None)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn check_rules_are_read_and_set_per_organization() {
    let app = demo_app().await;
    let admin = app.token("admin").await;
    let r = app
        .request(
            Method::PUT,
            "/api/v1/orgs/qs-jg/check-rules",
            Some(&admin),
            Some(json!({"disabled": ["time", "numbering.style"]})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = app
        .request(
            Method::GET,
            "/api/v1/orgs/qs-jg/check-rules",
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(r.json()["disabled"], json!(["time", "numbering.style"]));
    let r = app
        .request(
            Method::PUT,
            "/api/v1/orgs/qs-jg/check-rules",
            Some(&admin),
            Some(json!({"disabled": ["spelling"]})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["field"], "disabled");
    let branch = app.token("zb-jg1").await;
    let r = app
        .request(
            Method::PUT,
            "/api/v1/orgs/qs-jg1/check-rules",
            Some(&branch),
            Some(json!({"disabled": []})),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

/// The OpenAPI document and the route table describe the same API: every `/api/v1` route is
/// documented with its method, and nothing documented is missing from the router.
#[tokio::test]
async fn the_openapi_document_matches_the_route_table() {
    let app = demo_app().await;
    let doc = app
        .request(Method::GET, "/api/v1/openapi.json", None, None)
        .await
        .json();
    let mut documented: Vec<(String, String)> = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            documented.push((method.to_uppercase(), path.clone()));
        }
    }
    documented.sort();
    let mut routed: Vec<(String, String)> = zeren_web::routes::table()
        .iter()
        .filter(|r| r.path.starts_with("/api/v1/") && r.path != "/api/v1/openapi.json")
        .map(|r| (r.method.to_string(), r.path.to_string()))
        .collect();
    routed.sort();
    assert_eq!(documented, routed);
}
