//! No input produces a 500: every route of the table, as a user who passes its guard (the
//! administrator for administration, the secretary for recording, approving and discipline),
//! with malformed path parameters, query strings and bodies.

mod common;

use axum::body::Body;
use axum::http::{header, Request};
use common::demo_app;
use zeren_domain::role::Role;
use zeren_web::auth::Need;
use zeren_web::routes::table;

const PARAMS: &[&str] = &[
    "abc",
    "-1",
    "0",
    "99999999999999999999999",
    "%FF%FE",
    "..%2F..%2Fetc%2Fpasswd",
    "%27%3B%20DROP%20TABLE%20orgs%3B--",
    "%E4%B8%9C%E5%B2%AD",
    "%00",
    "a%00b",
];

fn bodies() -> Vec<(&'static str, Vec<u8>)> {
    let json = "application/json";
    let form = "application/x-www-form-urlencoded";
    vec![
        (json, b"".to_vec()),
        (json, b"null".to_vec()),
        (json, b"[]".to_vec()),
        (
            json,
            b"{\"name\": {\"deep\": [1, 2, {\"x\": null}]}}".to_vec(),
        ),
        (json, b"{\"code\": \"\\u0000\", \"name\": 1e999}".to_vec()),
        (json, b"{\"username\": \"ad\\u0000min\", \"password\": \"x\\u0000\", \"org_code\": \"q\\u0000s\", \"parent_code\": \"\\u0000\", \"role\": \"clerk\", \"display_name\": \"x\", \"code\": \"x\", \"name\": \"x\", \"kind\": \"branch\"}".to_vec()),
        (json, vec![0xff, 0xfe, 0x7b]),
        (
            json,
            format!("{{\"text\": \"{}\"}}", "很长的文本".repeat(20_000)).into_bytes(),
        ),
        (form, b"a=%ZZ&&&=&_csrf".to_vec()),
        (form, "name=".to_string().into_bytes()),
        (
            form,
            format!("name={}&code=x&kind=branch&parent_id=1", "党".repeat(5000)).into_bytes(),
        ),
        ("text/plain", b"hello".to_vec()),
        ("multipart/form-data; boundary=x", b"--x\r\nbroken".to_vec()),
        // An upload whose file is not a workbook (the Excel imports, the evidence uploads).
        (
            "multipart/form-data; boundary=x",
            b"--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.xlsx\"\r\n\r\nnot a workbook\r\n--x--\r\n".to_vec(),
        ),
    ]
}

#[tokio::test]
async fn no_route_answers_500_to_malformed_input() {
    let app = demo_app().await;
    let admin = app.token("admin").await;
    let secretary = app.token("shuji").await;
    let mut checked = 0;
    for r in table() {
        if r.path.contains("logout") {
            continue;
        }
        let token = match r.need {
            Need::Action(a) if !a.allowed_roles().contains(&Role::Admin) => &secretary,
            _ => &admin,
        };
        for param in PARAMS {
            let uri = fill(r.path, param);
            for query in [
                "",
                "?page=-5&limit=abc&notice=%FF",
                "?q=%00&filter=x&verify=2",
            ] {
                let uri = format!("{uri}{query}");
                if r.method == "GET" {
                    let req = Request::builder()
                        .method(r.method.clone())
                        .uri(&uri)
                        .header(header::AUTHORIZATION, format!("Bearer {token}"))
                        .body(Body::empty())
                        .unwrap();
                    let reply = app.send(req).await;
                    assert!(
                        !reply.status.is_server_error(),
                        "GET {uri} → {}",
                        reply.status
                    );
                    checked += 1;
                    continue;
                }
                for (ctype, body) in bodies() {
                    let req = Request::builder()
                        .method(r.method.clone())
                        .uri(&uri)
                        .header(header::AUTHORIZATION, format!("Bearer {token}"))
                        .header(header::CONTENT_TYPE, ctype)
                        .body(Body::from(body))
                        .unwrap();
                    let reply = app.send(req).await;
                    assert!(
                        !reply.status.is_server_error(),
                        "{} {uri} ({ctype}) → {}: {}",
                        r.method,
                        reply.status,
                        reply.body.chars().take(300).collect::<String>()
                    );
                    if uri.starts_with("/api/") && reply.status.is_client_error() {
                        assert!(
                            reply.body.starts_with('{'),
                            "{} {uri} ({ctype}): not JSON: {}",
                            r.method,
                            reply.body
                        );
                    }
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 1000, "{checked}");
    // After all that, the audit chain still holds.
    assert!(app
        .state
        .store
        .verify_audit_chain()
        .await
        .unwrap()
        .broken
        .is_none());
}

fn fill(path: &str, param: &str) -> String {
    let mut out = String::new();
    let mut in_param = false;
    for c in path.chars() {
        match c {
            '{' => in_param = true,
            '}' => {
                in_param = false;
                out.push_str(param);
            }
            _ if in_param => {}
            _ => out.push(c),
        }
    }
    out
}
