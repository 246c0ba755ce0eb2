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

/// The report routes with a real report behind them: malformed drafts, versions, formats and
/// forms are refused with a 4xx, never a 500, and leave the report readable.
#[tokio::test]
async fn report_routes_refuse_malformed_input_without_500() {
    use axum::http::{Method, StatusCode};
    let app = demo_app().await;
    let token = app.token("shuji").await;
    let r = app
        .request(
            Method::POST,
            "/api/v1/reports",
            Some(&token),
            Some(serde_json::json!({"kind": "annual", "org": "qs", "from": "2023-01-01", "to": "2023-12-31"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.json()["id"].as_i64().unwrap();
    let drafts = [
        "{\"version\": 1, \"draft\": {\"title\": \"t\", \"blocks\": [{\"kind\": \"heading\", \"level\": 300, \"content\": []}]}}",
        "{\"version\": 1, \"draft\": {\"title\": \"t\", \"blocks\": [{\"kind\": \"heading\", \"level\": 0, \"content\": []}]}}",
        "{\"version\": 1, \"draft\": {\"title\": \"t\\u0000\", \"blocks\": [{\"kind\": \"paragraph\", \"content\": [{\"kind\": \"text\", \"text\": \"a\\u0000b\"}]}]}}",
        "{\"version\": 1, \"draft\": {\"title\": \"t\", \"blocks\": [{\"kind\": \"paragraph\", \"content\": [{\"kind\": \"figure\", \"metric\": \"\\u0000\", \"text\": \"1\", \"value\": 1}]}]}}",
        "{\"version\": 1, \"draft\": {\"title\": \"t\", \"blocks\": [{\"kind\": \"paragraph\", \"content\": [{\"kind\": \"figure\", \"metric\": \"党支部数\", \"text\": \"\", \"value\": null}]}]}}",
        "{\"version\": 1, \"draft\": {\"title\": \"\", \"blocks\": []}}",
        "{\"version\": -1, \"draft\": {\"title\": \"t\", \"blocks\": []}}",
        "{\"version\": 99999999999999999999, \"draft\": {}}",
        "{\"version\": 1, \"draft\": {\"title\": \"t\", \"blocks\": [{\"kind\": \"table\"}]}}",
        "{\"version\": 1, \"draft\": [], \"note\": 5}",
        "{\"version\": 1, \"draft\": {\"title\": \"t\", \"blocks\": []}, \"extra\": 1}",
    ];
    for body in drafts {
        let req = Request::builder()
            .method("PUT")
            .uri(format!("/api/v1/reports/{id}"))
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body))
            .unwrap();
        let reply = app.send(req).await;
        // Refused, or (control characters) saved without them.
        assert!(
            !reply.status.is_server_error(),
            "{body} → {}: {}",
            reply.status,
            reply.body
        );
        assert!(!reply.body.contains("\\u0000"), "{body}: {}", reply.body);
        assert!(reply.body.starts_with('{'), "{body}: {}", reply.body);
    }
    for uri in [
        format!("/api/v1/reports/{id}?version=-3"),
        format!("/api/v1/reports/{id}?version=abc"),
        format!("/api/v1/reports/{id}/export?format=%00"),
        format!("/api/v1/reports/{id}/export?format=docx&version=0"),
        format!("/api/v1/reports/{id}/export?format=docx&version=99999999999999999999"),
        format!("/api/v1/reports/{id}/diff?from=-1&to=1"),
        format!("/api/v1/reports/{id}/diff?from=1&to=9"),
        "/api/v1/reports?kind=%00&page=-9".to_string(),
        "/api/v1/reports?page=99999999999".to_string(),
        format!("/reports/{id}?version=0"),
        format!("/reports/{id}/edit?version=-1"),
        format!("/reports/{id}/versions?from=0&to=-4"),
        format!("/reports/{id}/export?format=exe"),
        "/reports?page=-1".to_string(),
    ] {
        let reply = app.request(Method::GET, &uri, Some(&token), None).await;
        assert!(
            !reply.status.is_server_error(),
            "GET {uri} → {}: {}",
            reply.status,
            reply.body
        );
    }
    for body in [
        "{\"kind\": \"annual\", \"org\": \"qs\", \"from\": \"2023-01-01\", \"to\": \"2100-12-31\"}",
        "{\"kind\": \"annual\", \"org\": \"q\\u0000s\", \"from\": \"2023-01-01\", \"to\": \"2023-12-31\"}",
        "{\"kind\": \"accountability\", \"org\": \"qs\", \"from\": \"2023-01-01\", \"to\": \"2023-12-31\", \"subject\": \"\\u0000\"}",
        "{\"kind\": \"accountability\", \"org\": \"qs\", \"from\": \"2023-01-01\", \"to\": \"2023-12-31\", \"subject\": \"admin\"}",
        "{\"kind\": \"quarterly\", \"org\": \"qs\", \"from\": \"1949-01-01\", \"to\": \"1949-03-31\"}",
        "{\"kind\": \"\\u0000\", \"org\": \"qs\", \"from\": \"x\", \"to\": \"y\"}",
    ] {
        let req = Request::builder()
            .method("POST")
            .uri("/api/v1/reports")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body))
            .unwrap();
        let reply = app.send(req).await;
        assert!(!reply.status.is_server_error(), "{body} → {}: {}", reply.status, reply.body);
    }
    let void = Request::builder()
        .method("POST")
        .uri(format!("/api/v1/reports/{id}/void"))
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from("{\"reason\": \"\\u0000\"}"))
        .unwrap();
    assert!(app.send(void).await.status.is_client_error());
    // The forms of the pages.
    let (session, csrf) = app.login("shuji", common::USER_PASSWORD).await;
    let nul = "a\u{0}b".to_string();
    let forms: Vec<(String, Vec<(&str, &str)>)> = vec![
        (
            format!("/reports/{id}"),
            vec![("version", "abc"), ("b0", "x")],
        ),
        (
            format!("/reports/{id}"),
            vec![
                ("version", "1"),
                ("title", &nul),
                ("b0", "⟦⟦⟧⟧⟦"),
                ("unbind", "0.99999999999999999999"),
                ("unbind", "x.y"),
            ],
        ),
        (
            format!("/reports/{id}"),
            vec![("version", "99"), ("title", "t"), ("b999999", "x")],
        ),
        (
            "/reports".to_string(),
            vec![("kind", "annual"), ("org", "qs"), ("preset", "2023Q9")],
        ),
        (
            "/reports".to_string(),
            vec![("kind", "annual"), ("org", &nul), ("preset", "99999Q1")],
        ),
        (format!("/reports/{id}/void"), vec![("reason", "")]),
    ];
    for (uri, fields) in forms {
        let mut all = vec![("_csrf", csrf.as_str())];
        all.extend(fields.iter().copied());
        let reply = app.post_form(&uri, &session, &all).await;
        assert!(
            !reply.status.is_server_error(),
            "POST {uri} {fields:?} → {}",
            reply.status
        );
    }
    let page = app.get(&format!("/reports/{id}"), Some(&session)).await;
    assert_eq!(page.status, StatusCode::OK);
}
