//! 报告模板 in the web application: saving checks every line against the live metric
//! catalogue (a refusal names the line and writes nothing), saving is audited, built-in
//! templates are edited and restored, only those allowed change templates, and a template is
//! learned from last year's report, its figures confirmed and bound to metrics.

mod common;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use common::{demo_app, TestApp, USER_PASSWORD};
use serde_json::{json, Value};
use zeren_reports::template::{BuiltinTemplate, Template};

const VALID: &str = "% {{ 单位 }}关于{{ 年度 }}年度工作情况的报告\n\
# 理论学习\n\
{% if 指标值(\"理论学习中心组学习次数\") > 0 %}\n\
全年开展党委理论学习中心组学习{{ 指标(\"理论学习中心组学习次数\") }}次。\n\
{% endif %}\n";

/// Last year's report, as a township would upload it.
const OLD_REPORT: &str = "中共青石镇委员会关于2023年度落实全面从严治党主体责任情况的报告\n\
区委：\n\
2023年，青石镇党委坚持以习近平新时代中国特色社会主义思想为指导。现将有关情况报告如下：\n\
一、强化理论武装\n\
一是深入开展理论学习。今年以来，开展党委理论学习中心组学习8次，举办专题读书班3期。\n\
二是加强教育培训。举办培训班24期，参训人次达1200余人次。\n\
二、抓好问题整改\n\
召开专题民主生活会，查摆问题21条，制定整改措施35条。反馈镇党委的45个问题中，42个已整改完成，完成率93.3％。\n\
中共青石镇委员会\n\
2024年1月5日\n";

/// (figure as written, the metric it is).
const OLD_FIGURES: [(&str, &str); 9] = [
    ("8次", "理论学习中心组学习次数"),
    ("3期", "读书班期数"),
    ("24期", "培训班期数"),
    ("1200余人次", "参训人次"),
    ("21条", "民主生活会查摆问题数"),
    ("35条", "民主生活会整改措施数"),
    ("45个", "巡察反馈问题数"),
    ("42个", "巡察反馈已整改数"),
    ("93.3％", "巡察整改完成率"),
];

fn multipart(file: (&str, &[u8])) -> (String, Vec<u8>) {
    let boundary = "zerenboundary7";
    let mut body = Vec::new();
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{}\"\r\n\
             Content-Type: application/octet-stream\r\n\r\n",
            file.0
        )
        .as_bytes(),
    );
    body.extend_from_slice(file.1);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn put(app: &TestApp, token: &str, code: &str, body: Value) -> common::Reply {
    app.request(
        Method::PUT,
        &format!("/api/v1/report-templates/{code}"),
        Some(token),
        Some(body),
    )
    .await
}

fn known(catalog: &[zeren_domain::metrics::MetricDef]) -> impl Fn(&str) -> bool + '_ {
    move |n| catalog.iter().any(|m| m.name == n)
}

/// Askama's escaping undone, for a value carried in a page.
fn unescape(s: &str) -> String {
    s.replace("&#34;", "\"")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker).unwrap_or_else(|| panic!("no {name}")) + marker.len();
    let end = html[start..].find('"').unwrap() + start;
    unescape(&html[start..end])
}

#[tokio::test]
async fn a_valid_template_is_saved_and_audited() {
    let app = demo_app().await;
    let token = app.token("dangwu").await;
    let body = json!({"kind": "annual", "name": "镇年度报告", "source": VALID});
    let r = put(&app, &token, "town_annual", body.clone()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.json()["source"], VALID);
    assert_eq!(r.json()["builtin"], false);
    let stored = app
        .state
        .store
        .report_template("town_annual")
        .await
        .unwrap()
        .expect("stored");
    assert_eq!(
        (stored.kind.as_str(), stored.name.as_str()),
        ("annual", "镇年度报告")
    );
    let audit = app
        .state
        .store
        .audit_of("report_template", &stored.id.to_string(), 10)
        .await
        .unwrap();
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].event.action, "report_template.save");
    assert_eq!(audit[0].event.actor, "dangwu");
    assert!(audit[0].event.before.is_none());
    // Saved again: 200, audited with before and after.
    let changed = VALID.replace("理论学习\n", "思想建设\n");
    let r = put(
        &app,
        &token,
        "town_annual",
        json!({"kind": "annual", "name": "镇年度报告", "source": changed}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let audit = app
        .state
        .store
        .audit_of("report_template", &stored.id.to_string(), 10)
        .await
        .unwrap();
    assert_eq!(audit.len(), 2);
    assert!(audit[1]
        .event
        .before
        .as_deref()
        .unwrap()
        .contains("理论学习"));
    assert!(audit[1]
        .event
        .after
        .as_deref()
        .unwrap()
        .contains("思想建设"));
    // Listed after the built-in ones; read back with its source.
    let list = app
        .request(Method::GET, "/api/v1/report-templates", Some(&token), None)
        .await
        .json();
    let codes: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        [
            "annual",
            "accountability",
            "self_inspection",
            "quarterly",
            "town_annual"
        ]
    );
    let one = app
        .request(
            Method::GET,
            "/api/v1/report-templates/town_annual",
            Some(&token),
            None,
        )
        .await;
    assert_eq!(one.json()["source"], changed);
    let missing = app
        .request(
            Method::GET,
            "/api/v1/report-templates/nothing",
            Some(&token),
            None,
        )
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_unknown_metric_or_a_syntax_error_is_refused_with_its_line() {
    let app = demo_app().await;
    let token = app.token("shuji").await;
    let audit_before = app.state.store.audit_count().await.unwrap();
    let source = VALID.replace(
        "{{ 指标(\"理论学习中心组学习次数\") }}次",
        "{{ 指标(\"理论学习次数\") }}次",
    );
    let r = put(
        &app,
        &token,
        "town_annual",
        json!({"kind": "annual", "name": "镇年度报告", "source": source}),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let j = r.json();
    assert_eq!(j["code"], "invalid");
    assert_eq!(j["field"], "source");
    assert_eq!(
        j["errors"],
        json!([{"line": 4, "message": "未知指标“理论学习次数”"}])
    );
    assert!(j["message"]
        .as_str()
        .unwrap()
        .contains("第4行：未知指标“理论学习次数”"));
    // A syntax error: the line and a Chinese explanation.
    let r = put(
        &app,
        &token,
        "town_annual",
        json!({"kind": "annual", "name": "镇年度报告", "source": "% 标题\n正文\n{{ 年度 }\n"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let e = &r.json()["errors"][0];
    assert_eq!(e["line"], 3, "{e}");
    assert!(
        e["message"].as_str().unwrap().contains("模板语法错误"),
        "{e}"
    );
    // A variable that does not exist, found by the trial rendering.
    let r = put(
        &app,
        &token,
        "town_annual",
        json!({"kind": "annual", "name": "镇年度报告", "source": "% 标题\n\n{{ 单位名称 }}好\n"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.json()["errors"][0]["line"], 3, "{}", r.body);
    // Fields: a bad code, kind or name, and a built-in template's kind.
    for (code, body, field) in [
        (
            "Bad_Code",
            json!({"kind": "annual", "name": "镇年度报告", "source": VALID}),
            "code",
        ),
        (
            "town_x",
            json!({"kind": "branch", "name": "镇年度报告", "source": VALID}),
            "kind",
        ),
        (
            "town_x",
            json!({"kind": "annual", "name": "", "source": VALID}),
            "name",
        ),
        (
            "town_x",
            json!({"kind": "annual", "name": "镇年度报告", "source": "  "}),
            "source",
        ),
        (
            "annual",
            json!({"kind": "quarterly", "name": "年度", "source": VALID}),
            "kind",
        ),
    ] {
        let r = put(&app, &token, code, body).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{code}: {}",
            r.body
        );
        assert_eq!(r.json()["field"], field, "{}", r.body);
    }
    // Nothing stored, nothing audited.
    assert!(app.state.store.report_templates().await.unwrap().is_empty());
    assert_eq!(app.state.store.audit_count().await.unwrap(), audit_before);
}

#[tokio::test]
async fn a_builtin_template_is_edited_and_restored() {
    let app = demo_app().await;
    let token = app.token("admin").await;
    let annual = BuiltinTemplate::Annual;
    let edited = annual.source().replace("# 工作开展情况", "# 主要工作");
    let r = put(
        &app,
        &token,
        "annual",
        json!({"kind": "annual", "name": "年度报告（本县格式）", "source": edited}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        (r.json()["builtin"].clone(), r.json()["modified"].clone()),
        (json!(true), json!(true))
    );
    // The drafting pages read the stored version by its code.
    let stored = app
        .state
        .store
        .report_template("annual")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.source, edited);
    // The page offers 恢复内置模板; it puts the shipped source back, audited.
    let (session, csrf) = app.login("admin", common::ADMIN_PASSWORD).await;
    let page = app.get("/report-templates/annual", Some(&session)).await;
    assert!(page.body.contains("id=\"restore-template\""));
    assert!(page.body.contains("已修改"));
    let r = app
        .post_form(
            "/report-templates/annual/restore",
            &session,
            &[("_csrf", &csrf)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(
        r.location(),
        "/report-templates/annual?notice=template_restored"
    );
    let stored = app
        .state
        .store
        .report_template("annual")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.source, annual.source());
    assert_eq!(stored.name, annual.label());
    let audit = app
        .state
        .store
        .audit_of("report_template", &stored.id.to_string(), 10)
        .await
        .unwrap();
    assert_eq!(audit.len(), 2);
    let list = app.get("/report-templates", Some(&session)).await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("内置"));
    assert!(!list.body.contains("已修改"));
}

#[tokio::test]
async fn only_those_allowed_change_templates() {
    let app = demo_app().await;
    let body = json!({"kind": "annual", "name": "镇年度报告", "source": VALID});
    // A leader and a viewer may neither read nor change them.
    for user in ["fushuji", "quwei", "jiwei"] {
        let token = app.token(user).await;
        assert_eq!(
            put(&app, &token, "town_annual", body.clone()).await.status,
            StatusCode::FORBIDDEN
        );
        let r = app
            .request(Method::GET, "/api/v1/report-templates", Some(&token), None)
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{user}");
    }
    // A clerk of one village reads them, but templates serve every unit: changing them needs
    // a grant at the top.
    let admin = app.token("admin").await;
    let r = app
        .request(
            Method::POST,
            "/api/v1/accounts/zb-v01/grants",
            Some(&admin),
            Some(json!({"role": "clerk", "org_code": "qs-v01"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let village = app.token("zb-v01").await;
    let r = app
        .request(
            Method::GET,
            "/api/v1/report-templates/annual",
            Some(&village),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let r = put(&app, &village, "town_annual", body).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert!(r.json()["message"].as_str().unwrap().contains("顶层"));
    assert!(app.state.store.report_templates().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_template_is_learned_from_last_years_report_over_the_api() {
    let app = demo_app().await;
    let token = app.token("dangwu").await;
    let (ct, body) = multipart(("2023年报告.txt", OLD_REPORT.as_bytes()));
    let r = app
        .send(
            Request::post("/api/v1/report-templates/learn")
                .header(header::CONTENT_TYPE, ct)
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .body(Body::from(body))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let j = r.json();
    assert_eq!(j["year"], 2023);
    let proposals = j["proposals"].as_array().unwrap();
    for (figure, metric) in OLD_FIGURES {
        let p = proposals
            .iter()
            .find(|p| p["original_text"] == figure)
            .unwrap_or_else(|| panic!("{figure}"));
        assert_eq!(p["candidates"][0]["metric"], metric, "{figure}: {p}");
        assert_eq!(p["suggested"], metric, "{figure}");
    }
    let p = proposals
        .iter()
        .find(|p| p["original_text"] == "8次")
        .unwrap();
    assert_eq!(p["phrase"], "开展党委理论学习中心组学习8次");
    // Nothing saved by learning; the suggested source is saved like any template.
    assert!(app.state.store.report_templates().await.unwrap().is_empty());
    let source = j["suggested_source"].as_str().unwrap();
    assert!(
        source.starts_with("% {{ 单位 }}关于{{ 年度 }}年度"),
        "{source}"
    );
    let r = put(
        &app,
        &token,
        "learned_2023",
        json!({"kind": "annual", "name": "镇年度报告（学习所得）", "source": source}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let catalog = app.state.store.metric_catalog().await.unwrap();
    let stored = app
        .state
        .store
        .report_template("learned_2023")
        .await
        .unwrap()
        .unwrap();
    let t = Template::parse(&stored.source, known(&catalog)).unwrap();
    for (_, metric) in OLD_FIGURES {
        assert!(t.metric_names().iter().any(|m| m == metric), "{metric}");
    }
    // Not a report: a clear answer, never a 500.
    for (name, bytes) in [
        ("x.docx", b"not a zip".as_slice()),
        ("x.txt", b"".as_slice()),
        ("x.doc", b"abc".as_slice()),
    ] {
        let (ct, body) = multipart((name, bytes));
        let r = app
            .send(
                Request::post("/api/v1/report-templates/learn")
                    .header(header::CONTENT_TYPE, ct)
                    .header(header::AUTHORIZATION, format!("Bearer {token}"))
                    .body(Body::from(body))
                    .unwrap(),
            )
            .await;
        assert!(
            r.status.is_client_error(),
            "{name}: {} {}",
            r.status,
            r.body
        );
        assert!(
            r.json()["message"]
                .as_str()
                .unwrap()
                .chars()
                .any(|c| c > '\u{2E80}'),
            "{}",
            r.body
        );
    }
}

#[tokio::test]
async fn a_template_is_learned_confirmed_and_saved_through_the_pages() {
    let app = demo_app().await;
    let (session, csrf) = app.login("dangwu", USER_PASSWORD).await;
    let form = app.get("/report-templates/learn", Some(&session)).await;
    assert_eq!(form.status, StatusCode::OK);
    let (ct, body) = multipart(("2023年报告.txt", OLD_REPORT.as_bytes()));
    let r = app
        .send(
            Request::post(format!("/report-templates/learn?_csrf={csrf}"))
                .header(header::CONTENT_TYPE, ct)
                .header(header::COOKIE, format!("zeren_session={session}"))
                .body(Body::from(body))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("开展党委理论学习中心组学习8次"));
    assert!(r.body.contains("已略去主送机关“区委：”"));
    // The top candidate is preselected.
    assert!(r
        .body
        .contains("<option value=\"m:理论学习中心组学习次数\" selected>"));
    let learned_json = hidden(&r.body, "learned");
    let learned: Value = serde_json::from_str(&learned_json).unwrap();
    let proposals = learned["proposals"].as_array().unwrap();
    let index = |figure: &str| {
        proposals
            .iter()
            .position(|p| p["original_text"] == figure)
            .unwrap()
    };
    // Confirm all but 42个 (left a blank) and 35条 (typed in by hand).
    let mut fields: Vec<(String, String)> = vec![
        ("_csrf".into(), csrf.clone()),
        ("learned".into(), learned_json.clone()),
        ("code".into(), "learned_2023".into()),
        ("kind".into(), "annual".into()),
        ("name".into(), "镇年度报告（学习所得）".into()),
    ];
    for (figure, metric) in OLD_FIGURES {
        let i = index(figure);
        match figure {
            "42个" => fields.push((format!("c{i}"), "blank".into())),
            "35条" => {
                fields.push((format!("c{i}"), "blank".into()));
                fields.push((format!("o{i}"), metric.into()));
            }
            _ => fields.push((format!("c{i}"), format!("m:{metric}"))),
        }
    }
    // A typed-in name that is no metric: refused with the line, nothing saved.
    let mut bad = fields.clone();
    bad.push((format!("o{}", index("3期")), "读书班数量".into()));
    let body = serde_urlencoded::to_string(&bad).unwrap();
    let post = |body: String| {
        Request::post("/report-templates/learn/confirm")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, format!("zeren_session={session}"))
            .body(Body::from(body))
            .unwrap()
    };
    let r = app.send(post(body)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let line = proposals[index("3期")]["line"].as_u64().unwrap();
    assert!(
        r.body
            .contains(&format!("第{line}行：未知指标“读书班数量”")),
        "{}",
        r.body
    );
    assert!(app
        .state
        .store
        .report_template("learned_2023")
        .await
        .unwrap()
        .is_none());
    // The choices made are kept on the page shown again.
    assert!(r.body.contains("value=\"读书班数量\""));
    let r = app
        .send(post(serde_urlencoded::to_string(&fields).unwrap()))
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(
        r.location(),
        "/report-templates/learned_2023?notice=template_learned"
    );
    let stored = app
        .state
        .store
        .report_template("learned_2023")
        .await
        .unwrap()
        .unwrap();
    let catalog = app.state.store.metric_catalog().await.unwrap();
    let t = Template::parse(&stored.source, known(&catalog)).unwrap();
    for (figure, metric) in OLD_FIGURES {
        let bound = t.metric_names().iter().any(|m| m == metric);
        assert_eq!(bound, figure != "42个", "{figure} {metric}");
    }
    assert!(stored
        .source
        .contains("{{ 待补充(\"原为42个，请选择对应指标\") }}已整改完成"));
    assert!(stored
        .source
        .contains("参训人次达{{ 指标(\"参训人次\", 余=true) }}人次"));
    // The saved template opens in the editor.
    let page = app
        .get(
            "/report-templates/learned_2023?notice=template_learned",
            Some(&session),
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("已由上年报告生成模板"));
    // Broken page data: a clear 400, nothing saved.
    let r = app
        .send(post(
            serde_urlencoded::to_string([
                ("_csrf", csrf.as_str()),
                ("learned", "{broken"),
                ("code", "x_y"),
            ])
            .unwrap(),
        ))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("请重新上传"));
}

#[tokio::test]
async fn the_editor_shows_errors_beside_the_source_and_saves_when_fixed() {
    let app = demo_app().await;
    let (session, csrf) = app.login("dangwu", USER_PASSWORD).await;
    let new = app.get("/report-templates/new", Some(&session)).await;
    assert_eq!(new.status, StatusCode::OK);
    assert!(new.body.contains("id=\"metric-list\""));
    assert!(new.body.contains("data-name=\"理论学习中心组学习次数\""));
    let bad = VALID.replace("理论学习中心组学习次数\") }}", "理论学习次数\") }}");
    let r = app
        .post_form(
            "/report-templates",
            &session,
            &[
                ("_csrf", &csrf),
                ("code", "town_annual"),
                ("kind", "annual"),
                ("name", "镇年度报告"),
                ("source", &bad.replace('\n', "\r\n")),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        r.body.contains("第4行</a>：未知指标“理论学习次数”"),
        "{}",
        r.body
    );
    assert!(r.body.contains("data-error-lines=\"4\""));
    assert!(app
        .state
        .store
        .report_template("town_annual")
        .await
        .unwrap()
        .is_none());
    let r = app
        .post_form(
            "/report-templates",
            &session,
            &[
                ("_csrf", &csrf),
                ("code", "town_annual"),
                ("kind", "annual"),
                ("name", "镇年度报告"),
                ("source", &VALID.replace('\n', "\r\n")),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let stored = app
        .state
        .store
        .report_template("town_annual")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        stored.source, VALID,
        "line ends as the template language reads them"
    );
    // Creating it again: the code is taken.
    let r = app
        .post_form(
            "/report-templates",
            &session,
            &[
                ("_csrf", &csrf),
                ("code", "town_annual"),
                ("kind", "annual"),
                ("name", "另一个"),
                ("source", VALID),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("该模板编码已被使用"));
    // The navigation offers 报告模板 to those who keep them only.
    let home = app.get("/", Some(&session)).await;
    assert!(home.body.contains("href=\"/report-templates\""));
    let (leader, _) = app.login("fushuji", USER_PASSWORD).await;
    let home = app.get("/", Some(&leader)).await;
    assert!(!home.body.contains("href=\"/report-templates\""));
}
