//! Pages: login and sessions, CSRF, forced password change, form errors beside the field.

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::{demo_app, extract_csrf, ADMIN_PASSWORD, USER_PASSWORD};

#[tokio::test]
async fn login_shows_the_home_page_for_the_role() {
    let app = demo_app().await;
    let (session, csrf) = app.login("shuji", USER_PASSWORD).await;
    assert_eq!(csrf.len(), 64);
    let home = app.get("/", Some(&session)).await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.body.contains("张建国"));
    assert!(home.body.contains("青石镇党委"));
    assert!(home.body.contains("领导班子及分管领域"));
    assert!(home.body.contains("纪检监察、党风廉政建设"));
    // The secretary's own duty: first person responsible.
    assert!(home.body.contains("第一责任人职责"));
    // The secretary may not manage accounts: no such menu entry or shortcut.
    assert!(!home.body.contains("/accounts/new"));
    assert!(!home.body.contains("href=\"/audit"));
    let me = app.get("/me", Some(&session)).await;
    assert!(me.body.contains("书记"));
    assert!(me.body.contains("查看执纪问责信息"));
}

#[tokio::test]
async fn a_failed_login_shows_a_chinese_message_and_no_session() {
    let app = demo_app().await;
    let form = app.get("/login", None).await;
    let csrf = form.cookie("zeren_login_csrf").unwrap();
    let r = app
        .send(
            Request::post("/login")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::COOKIE, format!("zeren_login_csrf={csrf}"))
                .body(Body::from(format!(
                    "username=admin&password=wrong&_csrf={csrf}"
                )))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.body.contains("用户名或密码错误"));
    assert!(r.cookie("zeren_session").is_none());
    // Without the login form's token the attempt is refused before any check.
    let r = app
        .send(
            Request::post("/login")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(format!(
                    "username=admin&password={ADMIN_PASSWORD}&_csrf=forged"
                )))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.cookie("zeren_session").is_none());
}

#[tokio::test]
async fn changes_without_the_csrf_token_are_refused() {
    let app = demo_app().await;
    let (session, csrf) = app.login("admin", ADMIN_PASSWORD).await;
    let root = app.org_id("qs").await;
    let fields = [
        ("parent_id", root.to_string()),
        ("code", "qs-v11".into()),
        ("name", "青山村党支部".into()),
        ("kind", "branch".into()),
    ];
    let plain: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = app.post_form("/orgs", &session, &plain).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.body.contains("页面已过期"));
    let mut with_bad = plain.clone();
    with_bad.push(("_csrf", "0000"));
    assert_eq!(
        app.post_form("/orgs", &session, &with_bad).await.status,
        StatusCode::FORBIDDEN
    );
    assert!(app.state.store.org_by_code("qs-v11").await.is_err());
    let mut with_good = plain.clone();
    with_good.push(("_csrf", csrf.as_str()));
    let r = app.post_form("/orgs", &session, &with_good).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(r.location().ends_with("?notice=created"));
    assert_eq!(
        app.state.store.org_by_code("qs-v11").await.unwrap().name,
        "青山村党支部"
    );
}

#[tokio::test]
async fn form_errors_appear_beside_the_field_and_write_nothing() {
    let app = demo_app().await;
    let (session, csrf) = app.login("admin", ADMIN_PASSWORD).await;
    let root = app.org_id("qs").await.to_string();
    let audit_before = app.state.store.audit_count().await.unwrap();
    let r = app
        .post_form(
            "/orgs",
            &session,
            &[
                ("parent_id", &root),
                ("code", "qs-v01"),
                ("name", "重复编码"),
                ("kind", "branch"),
                ("_csrf", &csrf),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body
            .contains("<em class=\"field-error\">该组织编码已被使用</em>"),
        "{}",
        r.body
    );
    assert!(
        r.body.contains("value=\"重复编码\""),
        "the typed value is kept"
    );
    let r = app
        .post_form(
            "/orgs",
            &session,
            &[
                ("parent_id", &root),
                ("code", "ok"),
                ("name", "x"),
                ("kind", "branch"),
                ("sort_order", "abc"),
                ("_csrf", &csrf),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("排序号应为0至9999的整数"));
    let r = app
        .post_form(
            "/accounts",
            &session,
            &[
                ("username", "x y"),
                ("display_name", "钱进"),
                ("org_id", &root),
                ("role", "clerk"),
                ("_csrf", &csrf),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("用户名长度应为3至32个字符") || r.body.contains("用户名只能包含"));
    // Garbage form data: every field is checked, so it is refused beside the first field.
    let r = app
        .send(
            Request::post("/orgs")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::COOKIE, format!("zeren_session={session}"))
                .header("x-csrf-token", &csrf)
                .body(Body::from("parent_id=%ZZ&&&"))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r
        .body
        .contains("<em class=\"field-error\">请选择上级组织</em>"));
    // Not a form at all.
    let r = app
        .send(
            Request::post("/orgs")
                .header(header::CONTENT_TYPE, "application/json")
                .header(header::COOKIE, format!("zeren_session={session}"))
                .header("x-csrf-token", &csrf)
                .body(Body::from("{}"))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(r.body.contains("不支持的内容类型"), "{}", r.body);
    assert_eq!(app.state.store.audit_count().await.unwrap(), audit_before);
}

#[tokio::test]
async fn an_account_created_in_the_ui_must_change_its_password_first() {
    let app = demo_app().await;
    let (session, csrf) = app.login("admin", ADMIN_PASSWORD).await;
    let v01 = app.org_id("qs-v01").await.to_string();
    let r = app
        .post_form(
            "/accounts",
            &session,
            &[
                ("username", "wenshu01"),
                ("display_name", "钱进"),
                ("org_id", &v01),
                ("role", "clerk"),
                ("title", "东岭村党务工作者"),
                ("_csrf", &csrf),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let marker = "id=\"issued-password\">";
    let start = r.body.find(marker).unwrap() + marker.len();
    let password = r.body[start..start + r.body[start..].find('<').unwrap()].to_string();

    let form = app.get("/login", None).await;
    let lc = form.cookie("zeren_login_csrf").unwrap();
    let r = app
        .send(
            Request::post("/login")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::COOKIE, format!("zeren_login_csrf={lc}"))
                .body(Body::from(
                    serde_urlencoded::to_string([
                        ("username", "wenshu01"),
                        ("password", password.as_str()),
                        ("_csrf", lc.as_str()),
                        ("next", "/orgs"),
                    ])
                    .unwrap(),
                ))
                .unwrap(),
        )
        .await;
    assert_eq!(r.location(), "/me/password");
    let s = r.cookie("zeren_session").unwrap();
    // Every other page sends the user back to the password form.
    let r = app.get("/orgs", Some(&s)).await;
    assert_eq!(r.location(), "/me/password");
    let form = app.get("/me/password", Some(&s)).await;
    assert!(form.body.contains("请先设置自己的密码"));
    let csrf2 = extract_csrf(&form.body).unwrap();
    let r = app
        .post_form(
            "/me/password",
            &s,
            &[
                ("current", &password),
                ("new_password", "abc"),
                ("confirm", "abc"),
                ("_csrf", &csrf2),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("密码长度至少8位"));
    let r = app
        .post_form(
            "/me/password",
            &s,
            &[
                ("current", &password),
                ("new_password", "Dongling#88"),
                ("confirm", "Dongling#88"),
                ("_csrf", &csrf2),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = app.get("/orgs", Some(&s)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("东岭村党支部"));
    assert!(
        !r.body.contains("西河村党支部"),
        "a clerk of one branch sees only that branch"
    );
}

#[tokio::test]
async fn logout_ends_the_session() {
    let app = demo_app().await;
    let (session, csrf) = app.login("zuzhi", USER_PASSWORD).await;
    let r = app
        .post_form("/logout", &session, &[("_csrf", &csrf)])
        .await;
    assert_eq!(r.location(), "/login");
    let r = app.get("/", Some(&session)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(r.location().starts_with("/login"));
}

#[tokio::test]
async fn errors_are_chinese_pages_without_internals_and_headers_are_set() {
    let app = demo_app().await;
    let (session, _) = app.login("shuji", USER_PASSWORD).await;
    let r = app.get("/no/such/page", Some(&session)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.body.contains("页面不存在"));
    let r = app.get("/orgs/not-a-number", Some(&session)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(!r.body.contains("ParseIntError") && !r.body.contains("panicked"));
    let r = app.get("/accounts/new", Some(&session)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.body.contains("您没有权限执行此操作"));
    let csp = r
        .headers
        .get(header::CONTENT_SECURITY_POLICY)
        .unwrap()
        .to_str()
        .unwrap();
    assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"));
    assert_eq!(r.headers.get(header::X_FRAME_OPTIONS).unwrap(), "DENY");
    assert_eq!(
        r.headers.get(header::X_CONTENT_TYPE_OPTIONS).unwrap(),
        "nosniff"
    );
    let login = app.get("/login", None).await;
    let cookie = login
        .headers
        .get(header::SET_COOKIE)
        .unwrap()
        .to_str()
        .unwrap();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"));
    // Assets are served from the binary.
    let css = app.get("/static/app.css", None).await;
    assert_eq!(css.status, StatusCode::OK);
    assert!(css.body.contains("--red"));
    let js = app.get("/static/htmx.min.js", None).await;
    assert!(js.body.contains("htmx"));
}

#[tokio::test]
async fn the_audit_page_reports_the_first_broken_link() {
    let app = demo_app().await;
    let (session, _) = app.login("jiwei", USER_PASSWORD).await;
    let r = app.get("/audit", Some(&session)).await;
    assert!(
        r.body.contains("id=\"verify-chain\""),
        "verification is on request"
    );
    let r = app.get("/audit?verify=1", Some(&session)).await;
    assert!(r.body.contains("审计链校验通过"), "{}", r.body);
    zeren_storage::sqlx::query("UPDATE audit_log SET after_json = '{}' WHERE seq = 5")
        .execute(app.state.store.pool())
        .await
        .unwrap();
    let r = app.get("/audit?verify=1", Some(&session)).await;
    assert!(r.body.contains("审计链校验失败：第 5 条"), "{}", r.body);
}

#[tokio::test]
async fn an_idle_session_expires() {
    let app = demo_app().await;
    let (session, _) = app.login("shuji", USER_PASSWORD).await;
    zeren_storage::sqlx::query(
        "UPDATE sessions SET expires_at = '2000-01-01T00:00:00.000Z' WHERE kind = 'web'",
    )
    .execute(app.state.store.pool())
    .await
    .unwrap();
    // Ended in the database, outside the application: refused once the row is read again.
    tokio::time::sleep(zeren_web::cache::SESSION_ROW_TRUST).await;
    let r = app.get("/", Some(&session)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn the_account_list_filters_by_name_org_or_role() {
    let app = demo_app().await;
    let (session, _) = app.login("admin", ADMIN_PASSWORD).await;
    let r = app
        .get("/accounts?q=%E4%B8%9C%E5%B2%AD", Some(&session))
        .await; // 东岭
    assert!(r.body.contains("李明"));
    assert!(!r.body.contains("张建国"));
    let r = app
        .get("/accounts?q=%E7%BA%AA%E6%A3%80", Some(&session))
        .await; // 纪检
    assert!(r.body.contains("赵志强"));
    let r = app.get("/accounts?q=zzzz", Some(&session)).await;
    assert!(r.body.contains("没有符合条件的账户"));
}
