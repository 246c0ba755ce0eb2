//! 报告体检 in the web application: the page, the API and per-organization rule settings.

mod common;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use common::{
    demo_app, extract_csrf, multipart, rule_fields_except, ADMIN_PASSWORD, USER_PASSWORD,
};
use serde_json::json;

const DRAFT: &str = "2023年度青石镇落实全面从严治党主体责任情况的报告\n\
一、强化理论武装\n\
全年开展中心组学习8次，XXX党委组织“三会一课。\n\
三、下一步工作\n\
反馈的45个问题中，42个已整改完成，完成率95%。";

#[tokio::test]
async fn the_page_highlights_every_finding_in_the_text() {
    let app = demo_app().await;
    let (session, _) = app.login("dangwu", USER_PASSWORD).await;
    let form = app.get("/check", Some(&session)).await;
    assert_eq!(form.status, StatusCode::OK);
    let csrf = extract_csrf(&form.body).unwrap();
    let mut fields: Vec<(&str, &str)> = vec![("text", DRAFT), ("year", "")];
    fields.extend(rule_fields_except(&[]));
    let (ct, body) = multipart(&fields, &[]);
    let r = app
        .send(
            Request::post(format!("/check?_csrf={csrf}"))
                .header(header::CONTENT_TYPE, ct)
                .header(header::COOKIE, format!("zeren_session={session}"))
                .body(Body::from(body))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // Each defect is marked in the text and listed with its line.
    assert!(
        r.body.contains("class=\"mark sev-error\">XXX</a>"),
        "{}",
        r.body
    );
    assert!(r.body.contains("第 3 行"));
    assert!(r.body.contains("numbering"));
    assert!(r.body.contains("pairing"));
    assert!(r.body.contains("figures"));
    assert!(r.body.contains("报告年度 2023"));

    // Without the session's token the upload is refused.
    let (ct, body) = multipart(&fields, &[]);
    let r = app
        .send(
            Request::post("/check")
                .header(header::CONTENT_TYPE, ct)
                .header(header::COOKIE, format!("zeren_session={session}"))
                .body(Body::from(body))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // Unchecking a rule switches it off for this run.
    let fields: Vec<(&str, &str)> = vec![("text", DRAFT), ("rule", "numbering")];
    let (ct, body) = multipart(&fields, &[]);
    let r = app
        .send(
            Request::post(format!("/check?_csrf={csrf}"))
                .header(header::CONTENT_TYPE, ct)
                .header(header::COOKIE, format!("zeren_session={session}"))
                .body(Body::from(body))
                .unwrap(),
        )
        .await;
    assert!(!r.body.contains(">XXX</a>"));
    assert!(r.body.contains("numbering.gap"));
}

#[tokio::test]
async fn uploads_are_read_by_type_and_bad_ones_get_a_chinese_message() {
    let app = demo_app().await;
    let (session, csrf) = app.login("fushuji", USER_PASSWORD).await;
    let post = |ct: String, body: Vec<u8>| {
        Request::post(format!("/check?_csrf={csrf}"))
            .header(header::CONTENT_TYPE, ct)
            .header(header::COOKIE, format!("zeren_session={session}"))
            .body(Body::from(body))
            .unwrap()
    };
    let (ct, body) = multipart(
        &[("rule", "placeholder")],
        &[("draft.txt", DRAFT.as_bytes())],
    );
    let r = app.send(post(ct, body)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("draft.txt"));
    assert!(r.body.contains(">XXX</a>"));
    let (ct, body) = multipart(&[], &[("draft.txt", &[0x81, 0x20, 0xff, 0xff, 0x80])]);
    let r = app.send(post(ct, body)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("不是可识别的文本"), "{}", r.body);
    // A draft saved as GBK by an older Windows tool is read like UTF-8.
    let gbk: &[u8] = &[
        0xd2, 0xbb, 0xa1, 0xa2, 0xd1, 0xa7, 0xcf, 0xb0, 0x0a, // 一、学习\n
        0xc8, 0xfd, 0xa1, 0xa2, 0xd5, 0xfb, 0xb8, 0xc4, 0x0a, // 三、整改\n
    ];
    let (ct, body) = multipart(&[("rule", "numbering")], &[("draft.txt", gbk)]);
    let r = app.send(post(ct, body)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("numbering.gap"), "{}", r.body);
    let (ct, body) = multipart(&[], &[("draft.docx", b"not a zip")]);
    let r = app.send(post(ct, body)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("无法读取该 Word 文件"));
    let (ct, body) = multipart(&[("text", "  ")], &[]);
    let r = app.send(post(ct, body)).await;
    assert!(r.body.contains("请粘贴报告文本或上传文件"));
    let (ct, body) = multipart(&[("text", DRAFT), ("year", "二〇二三")], &[]);
    let r = app.send(post(ct, body)).await;
    assert!(r.body.contains("年度应为四位年份"));
    // A truncated multipart body.
    let r = app
        .send(post(
            "multipart/form-data; boundary=zz".into(),
            b"--zz\r\nContent-Disp".to_vec(),
        ))
        .await;
    assert!(r.status.is_client_error(), "{}", r.status);
}

#[tokio::test]
async fn the_api_returns_findings_with_positions() {
    let app = demo_app().await;
    let token = app.token("zb-v03").await;
    let r = app
        .request(
            Method::POST,
            "/api/v1/check",
            Some(&token),
            Some(json!({"text": DRAFT})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let findings = r.json();
    let xxx = findings
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["text"] == "XXX")
        .unwrap();
    assert_eq!(xxx["line"], 3);
    assert_eq!(xxx["column"], 13);
    assert_eq!(xxx["end_column"], 16);
    assert_eq!(xxx["severity"], "错误");
    assert!(xxx["rule"].as_str().unwrap().starts_with("placeholder"));
    let rate = findings
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "figures.rate");
    assert!(rate.is_some(), "42/45 is not 95%: {findings}");
    let r = app
        .request(
            Method::POST,
            "/api/v1/check",
            Some(&token),
            Some(json!({"text": DRAFT, "disabled": ["placeholder"]})),
        )
        .await;
    assert!(r
        .json()
        .as_array()
        .unwrap()
        .iter()
        .all(|f| !f["rule"].as_str().unwrap().starts_with("placeholder")));
    let r = app
        .request(
            Method::POST,
            "/api/v1/check",
            Some(&token),
            Some(json!({"text": ""})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["field"], "text");
    let r = app
        .request(
            Method::POST,
            "/api/v1/check",
            Some(&token),
            Some(json!({"text": "x", "format": "pdf"})),
        )
        .await;
    assert_eq!(r.json()["field"], "format");
}

#[tokio::test]
async fn rules_switched_off_on_an_organization_apply_to_its_users() {
    let app = demo_app().await;
    let (session, csrf) = app.login("admin", ADMIN_PASSWORD).await;
    let root = app.org_id("qs").await;
    // Leave every rule on except `placeholder`.
    let mut fields = rule_fields_except(&["placeholder"]);
    fields.push(("_csrf", &csrf));
    let r = app
        .post_form(&format!("/orgs/{root}/check-rules"), &session, &fields)
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = app.get(r.location(), Some(&session)).await;
    assert!(page.body.contains("报告体检规则已保存"));

    let token = app.token("zb-v05").await;
    let r = app
        .request(
            Method::POST,
            "/api/v1/check",
            Some(&token),
            Some(json!({"text": DRAFT})),
        )
        .await;
    let findings = r.json();
    assert!(findings
        .as_array()
        .unwrap()
        .iter()
        .all(|f| !f["rule"].as_str().unwrap().starts_with("placeholder")));
    assert!(findings
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["rule"] == "figures.rate"));
    let audit = app
        .state
        .store
        .audit_page(1, 0, Some("check_rules."))
        .await
        .unwrap();
    assert_eq!(audit.len(), 1);
}

#[tokio::test]
async fn files_are_checked_over_the_api_too() {
    let app = demo_app().await;
    let token = app.token("dangwu").await;
    let upload = |fields: &[(&str, &str)], file: Option<(&str, &[u8])>| {
        let (ct, body) = multipart(fields, file.as_slice());
        Request::post("/api/v1/check/upload")
            .header(header::CONTENT_TYPE, ct)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::from(body))
            .unwrap()
    };
    let r = app
        .send(upload(
            &[("year", "2023")],
            Some(("draft.md", DRAFT.as_bytes())),
        ))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let findings = r.json();
    assert!(findings
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["text"] == "XXX"));
    let r = app
        .send(upload(
            &[("disabled", "placeholder")],
            Some(("draft.txt", DRAFT.as_bytes())),
        ))
        .await;
    assert!(r
        .json()
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["text"] != "XXX"));
    let r = app
        .send(upload(
            &[("disabled", "grammar")],
            Some(("draft.txt", DRAFT.as_bytes())),
        ))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["field"], "disabled");
    let r = app.send(upload(&[], None)).await;
    assert_eq!(r.json()["field"], "file");
    let r = app
        .send(upload(&[], Some(("x.docx", b"PK not really"))))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.json()["code"], "bad_request");
}

#[tokio::test]
async fn saving_the_rules_form_keeps_sub_rules_and_does_not_copy_rules_from_above() {
    let app = demo_app().await;
    let admin = app.token("admin").await;
    app.request(
        Method::PUT,
        "/api/v1/orgs/qs/check-rules",
        Some(&admin),
        Some(json!({"disabled": ["time"]})),
    )
    .await;
    app.request(
        Method::PUT,
        "/api/v1/orgs/qs-jg/check-rules",
        Some(&admin),
        Some(json!({"disabled": ["numbering.style"]})),
    )
    .await;
    let (session, csrf) = app.login("admin", ADMIN_PASSWORD).await;
    let jg = app.org_id("qs-jg").await;
    // The form sends every box still ticked; `time` is disabled there (off above), so absent.
    let mut fields = rule_fields_except(&["time", "residue"]);
    fields.push(("_csrf", &csrf));
    let r = app
        .post_form(&format!("/orgs/{jg}/check-rules"), &session, &fields)
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = app
        .request(
            Method::GET,
            "/api/v1/orgs/qs-jg/check-rules",
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(r.json()["disabled"], json!(["numbering.style", "residue"]));
}
