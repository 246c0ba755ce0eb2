//! Reports drafted from the records (报告起草): every figure of the demo township's 2023 annual
//! report comes from the metric layer and follows the records; edits are kept as versions and
//! survive a refresh of the figures; the checker finds nothing serious in a fresh draft; bad
//! requests get clear answers; exports are real files.

mod common;

use std::collections::HashMap;
use std::io::Read;

use axum::http::{header, Method, StatusCode};
use common::figures::FIGURES;
use common::{demo_app, demo_app_with_year, TestApp, USER_PASSWORD};
use serde_json::{json, Value};
use zeren_domain::metrics::REPORT_FIGURES;

const YEAR: (&str, &str) = ("2023-01-01", "2023-12-31");

async fn generate(app: &TestApp, token: &str, body: Value) -> common::Reply {
    app.request(Method::POST, "/api/v1/reports", Some(token), Some(body))
        .await
}

/// Drafts a report and returns its id.
async fn draft(app: &TestApp, token: &str, kind: &str, org: &str, from: &str, to: &str) -> i64 {
    let r = generate(
        app,
        token,
        json!({"kind": kind, "org": org, "from": from, "to": to}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{kind}: {}", r.body);
    r.json()["id"].as_i64().unwrap()
}

async fn detail(app: &TestApp, token: &str, id: i64) -> Value {
    let r = app
        .request(
            Method::GET,
            &format!("/api/v1/reports/{id}"),
            Some(token),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.json()
}

/// A bound figure of a draft: (block, inline, metric, text, value, previous).
type Figure = (usize, usize, String, String, Option<f64>, bool);

fn figures(draft: &Value) -> Vec<Figure> {
    let mut out = Vec::new();
    for (b, block) in draft["blocks"].as_array().unwrap().iter().enumerate() {
        for (i, inline) in block["content"].as_array().unwrap().iter().enumerate() {
            if inline["kind"] == "figure" {
                out.push((
                    b,
                    i,
                    inline["metric"].as_str().unwrap().to_string(),
                    inline["text"].as_str().unwrap().to_string(),
                    inline["value"].as_f64(),
                    inline["previous"].as_bool().unwrap_or(false),
                ));
            }
        }
    }
    out
}

/// Every text run of a draft, in order: the prose a refresh must not touch.
fn prose(draft: &Value) -> Vec<String> {
    draft["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|b| b["content"].as_array().unwrap().iter())
        .filter(|i| i["kind"] == "text")
        .map(|i| i["text"].as_str().unwrap().to_string())
        .collect()
}

fn serious(detail: &Value) -> Vec<Value> {
    detail["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "错误" || f["severity"] == "警告")
        .cloned()
        .collect()
}

async fn metric_values(app: &TestApp, token: &str) -> HashMap<String, Option<f64>> {
    let r = app
        .request(
            Method::GET,
            "/api/v1/metrics?org=qs&from=2023-01-01&to=2023-12-31",
            Some(token),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    r.json()
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["name"].as_str().unwrap().to_string(), m["value"].as_f64()))
        .collect()
}

#[tokio::test]
async fn the_townships_annual_report_cites_every_figure_from_the_metric_layer() {
    let app = demo_app_with_year().await;
    let token = app.token("dangwu").await;
    let id = draft(&app, &token, "annual", "qs", YEAR.0, YEAR.1).await;
    let d = detail(&app, &token, id).await;
    assert_eq!(
        d["draft"]["title"],
        "中共青石镇委员会关于2023年度落实全面从严治党主体责任情况的报告"
    );
    assert_eq!(d["draft"]["issuer"], "中共青石镇委员会");
    let bound = figures(&d["draft"]);
    let metrics = metric_values(&app, &token).await;
    let expected: HashMap<&str, f64> = FIGURES.iter().copied().collect();
    for name in REPORT_FIGURES {
        let found: Vec<&Figure> = bound.iter().filter(|f| f.2 == name && !f.5).collect();
        assert!(
            !found.is_empty(),
            "{name} is not a bound figure of the draft"
        );
        for f in found {
            assert_eq!(
                f.4, metrics[name],
                "{name}: the draft's value is the metric's"
            );
            assert_eq!(f.4, Some(expected[name]), "{name}: FIGURES.md says so too");
        }
    }
    // Printed as a report prints them: rates with %, rounded figures with 余.
    let text_of = |m: &str| bound.iter().find(|f| f.2 == m).unwrap().3.clone();
    assert_eq!(text_of("理论学习中心组学习次数"), "8");
    assert_eq!(text_of("巡察整改完成率"), "93.3%");
    assert_eq!(text_of("参训人次"), "1200余");
    assert_eq!(text_of("志愿服务活动次数"), "10余");
    assert_eq!(text_of("志愿服务参与人次"), "1000余");
    // Fresh from the records: nothing stale, nothing serious for the checker; the four
    // equal discipline figures are the records' own, so only a hint to check them.
    assert_eq!(d["stale"], json!([]));
    assert!(serious(&d).is_empty(), "{:#}", d["findings"]);
    assert!(d["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["rule"] == "suspicious.repeat" && f["severity"] == "提示"));
    // 存在问题 from the self-examination of 2023; 下一步 is a marked blank (no 2024 list).
    let text = app
        .request(
            Method::GET,
            &format!("/api/v1/reports/{id}/export?format=txt"),
            Some(&token),
            None,
        )
        .await
        .body;
    assert!(
        text.contains("一是理论学习的系统性和深入性不够。"),
        "{text}"
    );
    assert!(text.contains("【待补充：下一年度工作打算"), "{text}");
    assert_eq!(d["blanks"].as_array().unwrap().len(), 1);
    // Listed among the reports in scope.
    let list = app
        .request(Method::GET, "/api/v1/reports", Some(&token), None)
        .await
        .json();
    assert_eq!(list["reports"][0]["id"], json!(id));
    assert_eq!(list["reports"][0]["kind_label"], "年度报告");
}

#[tokio::test]
async fn a_new_record_moves_its_figure_and_a_refresh_keeps_the_users_prose() {
    let app = demo_app_with_year().await;
    let token = app.token("dangwu").await;
    let id = draft(&app, &token, "annual", "qs", YEAR.0, YEAR.1).await;
    let d = detail(&app, &token, id).await;
    let before = figures(&d["draft"]);
    // The user edits the paragraph that holds the study figure.
    let study = before
        .iter()
        .find(|f| f.2 == "理论学习中心组学习次数")
        .unwrap()
        .clone();
    let mut edited = d["draft"].clone();
    let runs = edited["blocks"][study.0]["content"].as_array_mut().unwrap();
    let prev = runs[study.1 - 1]["text"].as_str().unwrap().to_string();
    assert!(prev.ends_with("全年开展党委理论学习中心组学习"), "{prev}");
    runs[study.1 - 1]["text"] = json!(prev.replace("全年开展", "全年扎实开展"));
    let r = app
        .request(
            Method::PUT,
            &format!("/api/v1/reports/{id}"),
            Some(&token),
            Some(json!({"version": 1, "draft": edited, "note": "润色学习部分"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["version"], json!(2));
    let prose_before = prose(&r.json()["draft"]);
    assert!(prose_before.iter().any(|t| t.contains("全年扎实开展")));

    // One more study session recorded: the draft says its figure is stale.
    let r = app
        .request(
            Method::POST,
            "/api/v1/records",
            Some(&token),
            Some(json!({"org": "qs", "type": "study_group", "title": "党委理论学习中心组补充学习", "held_on": "2023-12-30", "person_times": 15})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let d = detail(&app, &token, id).await;
    let stale = d["stale"].as_array().unwrap();
    assert_eq!(stale.len(), 1, "{stale:?}");
    assert_eq!(stale[0]["metric"], "理论学习中心组学习次数");
    assert_eq!(stale[0]["text"], "8");
    assert_eq!(stale[0]["current_text"], "9");

    let r = app
        .request(
            Method::POST,
            &format!("/api/v1/reports/{id}/refresh"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["changed"], json!(1));
    assert_eq!(r.json()["version"], json!(3));
    let d = detail(&app, &token, id).await;
    assert_eq!(d["stale"], json!([]));
    let after = figures(&d["draft"]);
    assert_eq!(after.len(), before.len());
    for (a, b) in after.iter().zip(&before) {
        if a.2 == "理论学习中心组学习次数" {
            assert_eq!((a.3.as_str(), a.4), ("9", Some(9.0)));
        } else {
            assert_eq!(a, b, "only the moved figure changes");
        }
    }
    assert_eq!(
        prose(&d["draft"]),
        prose_before,
        "the user's prose is untouched"
    );
    // Nothing more to do.
    let r = app
        .request(
            Method::POST,
            &format!("/api/v1/reports/{id}/refresh"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(r.json()["changed"], json!(0));
    assert_eq!(r.json()["version"], Value::Null);
}

#[tokio::test]
async fn versions_conflicts_diffs_and_unbinding() {
    let app = demo_app_with_year().await;
    let token = app.token("dangwu").await;
    let id = draft(&app, &token, "annual", "qs", YEAR.0, YEAR.1).await;
    let d = detail(&app, &token, id).await;
    let mut edited = d["draft"].clone();
    edited["title"] = json!(format!(
        "{}（送审稿）",
        d["draft"]["title"].as_str().unwrap()
    ));
    let put = |body: Value| {
        let app = &app;
        let token = &token;
        async move {
            app.request(
                Method::PUT,
                &format!("/api/v1/reports/{id}"),
                Some(token),
                Some(body),
            )
            .await
        }
    };
    let r = put(json!({"version": 1, "draft": edited, "note": "改标题"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // A second save on top of version 1 would overwrite version 2: refused, in Chinese.
    let r = put(json!({"version": 1, "draft": d["draft"], "note": "旧稿"})).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert!(
        r.json()["message"].as_str().unwrap().contains("第2版"),
        "{}",
        r.body
    );
    // The diff shows the edit.
    let diff = app
        .request(
            Method::GET,
            &format!("/api/v1/reports/{id}/diff?from=1&to=2"),
            Some(&token),
            None,
        )
        .await
        .json();
    let changed: Vec<&Value> = diff["lines"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["change"] != "same")
        .collect();
    assert_eq!(changed.len(), 1, "{diff:#}");
    assert_eq!(changed[0]["change"], "changed");
    assert!(changed[0]["spans"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["change"] == "added" && s["text"] == "（送审稿）"));
    // Unbinding: a figure sent as text is no longer bound, so never stale.
    let mut unbound = edited.clone();
    let first = figures(&unbound)[0].clone();
    unbound["blocks"][first.0]["content"][first.1] = json!({"kind": "text", "text": "三"});
    let r = put(json!({"version": 2, "draft": unbound})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        figures(&r.json()["draft"]).len(),
        figures(&edited).len() - 1
    );
    // A figure bound to a metric that does not exist is refused.
    let mut bad = unbound.clone();
    bad["blocks"][first.0]["content"][first.1] =
        json!({"kind": "figure", "metric": "不存在的指标", "text": "3", "value": 3.0});
    let r = put(json!({"version": 3, "draft": bad})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("未知指标"), "{}", r.body);
    let r = put(json!({"version": 3, "draft": {"title": 5}})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.json()["field"], "draft");
    // Every version is kept.
    let versions = app
        .request(
            Method::GET,
            &format!("/api/v1/reports/{id}/versions"),
            Some(&token),
            None,
        )
        .await
        .json();
    let numbers: Vec<i64> = versions
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["version"].as_i64().unwrap())
        .collect();
    assert_eq!(numbers, [3, 2, 1]);
    assert_eq!(versions[2]["note"], "生成初稿");
    // Voided: kept, but no longer listed or changed.
    let r = app
        .request(
            Method::POST,
            &format!("/api/v1/reports/{id}/void"),
            Some(&token),
            Some(json!({"reason": "重复生成"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = put(json!({"version": 3, "draft": unbound})).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    let list = app
        .request(Method::GET, "/api/v1/reports", Some(&token), None)
        .await
        .json();
    assert_eq!(list["total"], json!(0));
}

#[tokio::test]
async fn every_kind_drafts_without_errors_or_warnings() {
    let app = demo_app_with_year().await;
    let token = app.token("dangwu").await;
    for (kind, from, to) in [
        ("annual", YEAR.0, YEAR.1),
        ("accountability", YEAR.0, YEAR.1),
        ("self_inspection", YEAR.0, YEAR.1),
        ("quarterly", "2023-10-01", "2023-12-31"),
    ] {
        let mut body = json!({"kind": kind, "org": "qs", "from": from, "to": to});
        if kind == "accountability" {
            body["subject"] = json!("fushuji");
        }
        let r = generate(&app, &token, body).await;
        assert_eq!(r.status, StatusCode::CREATED, "{kind}: {}", r.body);
        assert_eq!(r.json()["warnings"], json!([]), "{kind}");
        let id = r.json()["id"].as_i64().unwrap();
        let d = detail(&app, &token, id).await;
        assert!(serious(&d).is_empty(), "{kind}: {:#}", d["findings"]);
        assert!(!figures(&d["draft"]).is_empty(), "{kind}");
        let text = app
            .request(
                Method::GET,
                &format!("/api/v1/reports/{id}/export?format=txt"),
                Some(&token),
                None,
            )
            .await
            .body;
        match kind {
            "accountability" => {
                assert!(
                    text.contains("本人担任镇党委副书记，分管党建、意识形态、乡村振兴。"),
                    "{text}"
                );
            }
            "quarterly" => {
                assert!(text.contains("2023年第四季度"), "{text}");
                assert!(text.contains("东岭村党支部：本季度记录工作纪实"), "{text}");
            }
            _ => {}
        }
    }
    // A branch secretary drafts for his own branch.
    let branch = app.token("zb-v01").await;
    let id = draft(&app, &branch, "annual", "qs-v01", YEAR.0, YEAR.1).await;
    let d = detail(&app, &branch, id).await;
    assert_eq!(d["org"], "qs-v01");
    assert_eq!(d["draft"]["issuer"], "中共东岭村支部委员会");
    assert!(serious(&d).is_empty(), "{:#}", d["findings"]);
}

#[tokio::test]
async fn bad_requests_get_clear_answers() {
    let app = demo_app().await;
    let branch = app.token("zb-v01").await;
    let ok = json!({"kind": "annual", "org": "qs-v01", "from": "2023-01-01", "to": "2023-12-31"});
    // Outside the user's subtree and unknown: the same 404.
    let mut outside = ok.clone();
    outside["org"] = json!("qs");
    let a = generate(&app, &branch, outside).await;
    let mut unknown = ok.clone();
    unknown["org"] = json!("no-such-org");
    let b = generate(&app, &branch, unknown).await;
    assert_eq!(a.status, StatusCode::NOT_FOUND, "{}", a.body);
    assert_eq!(a.body, b.body);
    for (field, value, expected) in [
        ("kind", json!("yearly"), "kind"),
        ("from", json!("2023-13-01"), "from"),
        ("to", json!(""), "to"),
        ("from", json!("2024-01-01"), "to"),
        ("org", json!(""), "org"),
    ] {
        let mut body = ok.clone();
        body[field] = value.clone();
        let r = generate(&app, &branch, body).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}={value}: {}",
            r.body
        );
        assert_eq!(r.json()["field"], expected, "{}", r.body);
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
    // A period with no records at all: drafted, with blanks and a clear notice.
    let mut empty = ok.clone();
    empty["from"] = json!("2035-01-01");
    empty["to"] = json!("2035-12-31");
    let r = generate(&app, &branch, empty).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let warnings = r.json()["warnings"].clone();
    assert!(
        warnings[0].as_str().unwrap().contains("没有任何相关记录"),
        "{warnings}"
    );
    let id = r.json()["id"].as_i64().unwrap();
    let d = detail(&app, &branch, id).await;
    // Only what stands whatever the period (the branch itself) is cited.
    assert!(
        figures(&d["draft"]).iter().all(|f| f.2 == "党支部数"),
        "{:#}",
        d["draft"]
    );
    assert!(!d["blanks"].as_array().unwrap().is_empty());
    assert_eq!(d["warnings"], warnings);
    // Another branch's secretary cannot see it; the export format is checked.
    let other = app.token("zb-v02").await;
    let r = app
        .request(
            Method::GET,
            &format!("/api/v1/reports/{id}"),
            Some(&other),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app
        .request(
            Method::GET,
            &format!("/api/v1/reports/{id}/export?format=html"),
            Some(&branch),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["field"], "format");
    let r = app
        .request(
            Method::GET,
            &format!("/api/v1/reports/{id}?version=7"),
            Some(&branch),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
}

#[tokio::test]
async fn a_stored_template_that_fails_is_a_clear_422() {
    let app = demo_app().await;
    let token = app.token("dangwu").await;
    let body = json!({"kind": "annual", "org": "qs", "from": "2023-01-01", "to": "2023-12-31"});
    // Written straight into storage, as if the template admin's checks had been bypassed.
    for (source, expected) in [
        ("% 报告\n{{ 指标(\"不存在的指标\") }}", "未知指标"),
        ("% 报告\n{{ 报告人.不存在 }}", "报告模板"),
        ("% 报告\n{% if %}", "模板语法错误"),
    ] {
        let mut tx = app.state.store.begin_write().await.unwrap();
        tx.save_report_template(
            "annual",
            "annual",
            "测试模板",
            source,
            &zeren_storage::Actor::cli(),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let r = generate(&app, &token, body.clone()).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{source}: {}",
            r.body
        );
        assert_eq!(r.json()["field"], "template");
        assert!(r.body.contains(expected), "{source}: {}", r.body);
    }
    // A stored template that works is used instead of the built-in one.
    let mut tx = app.state.store.begin_write().await.unwrap();
    tx.save_report_template(
        "annual",
        "annual",
        "简版年度报告",
        "% {{ 单位 }}{{ 年度 }}年度简要报告\n全年开展学习{{ 指标(\"理论学习中心组学习次数\") }}次。",
        &zeren_storage::Actor::cli(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let r = generate(&app, &token, body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.json()["title"], "中共青石镇委员会2023年度简要报告");
}

fn unzip_document(bytes: &[u8]) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .expect("word/document.xml")
        .read_to_string(&mut xml)
        .unwrap();
    // The text without the markup.
    let mut text = String::new();
    let mut in_tag = false;
    for c in xml.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    text
}

#[tokio::test]
async fn exports_are_files_with_chinese_names() {
    let app = demo_app_with_year().await;
    let token = app.token("dangwu").await;
    let id = draft(&app, &token, "annual", "qs", YEAR.0, YEAR.1).await;
    let title = "中共青石镇委员会关于2023年度落实全面从严治党主体责任情况的报告";
    let get = |format: &'static str| {
        let app = &app;
        let token = &token;
        async move {
            let req =
                axum::http::Request::get(format!("/api/v1/reports/{id}/export?format={format}"))
                    .header(header::AUTHORIZATION, format!("Bearer {token}"))
                    .body(axum::body::Body::empty())
                    .unwrap();
            let resp = tower::ServiceExt::oneshot(app.router.clone(), req)
                .await
                .unwrap();
            let status = resp.status();
            let headers = resp.headers().clone();
            let bytes = axum::body::to_bytes(resp.into_body(), 64 << 20)
                .await
                .unwrap();
            (status, headers, bytes.to_vec())
        }
    };
    let (status, headers, docx) = get("docx").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        headers[header::CONTENT_TYPE],
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    );
    let disposition = headers[header::CONTENT_DISPOSITION].to_str().unwrap();
    assert!(disposition.starts_with("attachment;"), "{disposition}");
    assert!(
        disposition.contains(&format!("filename=\"report-{id}.docx\"")),
        "{disposition}"
    );
    // The Chinese name, percent-encoded (RFC 5987).
    assert!(
        disposition.contains("filename*=UTF-8''%E4%B8%AD%E5%85%B1"),
        "{disposition}"
    );
    let text = unzip_document(&docx);
    assert!(text.contains("中共青石镇委员会关于2023年度"), "{text}");
    assert!(text.contains("全年开展党委理论学习中心组学习8次"), "{text}");

    let (status, headers, md) = get("md").await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/markdown"));
    let md = String::from_utf8(md).unwrap();
    assert!(md.contains(title), "{md}");
    let (_, _, txt) = get("txt").await;
    assert!(String::from_utf8(txt).unwrap().starts_with(title));
    let (status, headers, pdf) = get("pdf").await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&pdf));
    assert_eq!(headers[header::CONTENT_TYPE], "application/pdf");
    assert!(pdf.starts_with(b"%PDF"));
}

#[tokio::test]
async fn the_pages_generate_show_edit_and_compare() {
    let app = demo_app_with_year().await;
    let (session, csrf) = app.login("dangwu", USER_PASSWORD).await;
    let page = app.get("/reports", Some(&session)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("生成草稿"));
    let r = app
        .post_form(
            "/reports",
            &session,
            &[
                ("_csrf", &csrf),
                ("kind", "annual"),
                ("org", "qs"),
                ("preset", "2023"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let at = r.location().to_string();
    assert!(at.ends_with("?notice=report_created"), "{at}");
    let id: i64 = at
        .trim_start_matches("/reports/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let show = app.get(&at, Some(&session)).await;
    assert_eq!(show.status, StatusCode::OK);
    // Every figure links to its records over the report's subtree and period.
    assert!(show.body.contains(
        "href=\"/metrics/%E7%90%86%E8%AE%BA%E5%AD%A6%E4%B9%A0%E4%B8%AD%E5%BF%83%E7%BB%84%E5%AD%A6%E4%B9%A0%E6%AC%A1%E6%95%B0?org=qs&#38;from=2023-01-01&#38;to=2023-12-31\""
    ), "{}", show.body);
    assert!(show.body.contains("class=\"blank\""));
    // Discipline rows are not the clerk's to open: those figures are not links for her.
    assert!(show.body.contains("执纪问责明细仅限纪检、书记查看"));

    // Edit the paragraph of the study figure; the figure is a ⟦token⟧ that must stay.
    let edit = app
        .get(&format!("/reports/{id}/edit"), Some(&session))
        .await;
    assert_eq!(edit.status, StatusCode::OK);
    let d = detail(&app, &app.token("dangwu").await, id).await;
    let study = figures(&d["draft"])
        .into_iter()
        .find(|f| f.2 == "理论学习中心组学习次数")
        .unwrap();
    let name = format!("b{}", study.0);
    let start = edit.body.find(&format!("name=\"{name}\"")).unwrap();
    let open = edit.body[start..].find('>').unwrap() + start + 1;
    let close = edit.body[open..].find("</textarea>").unwrap() + open;
    let text = edit.body[open..close].to_string();
    assert!(
        text.contains("全年开展党委理论学习中心组学习⟦8⟧次"),
        "{text}"
    );
    let title = d["draft"]["title"].as_str().unwrap().to_string();
    let issuer = d["draft"]["issuer"].as_str().unwrap().to_string();
    let date = d["draft"]["date"].as_str().unwrap().to_string();
    let save = |block_text: String, unbind: Option<String>| {
        let mut fields = vec![
            ("_csrf".to_string(), csrf.clone()),
            ("version".into(), "1".into()),
            ("title".into(), title.clone()),
            ("addressee".into(), String::new()),
            ("issuer".into(), issuer.clone()),
            ("date".into(), date.clone()),
            ("note".into(), "润色".into()),
            (name.clone(), block_text),
        ];
        if let Some(u) = unbind {
            fields.push(("unbind".into(), u));
        }
        let app = &app;
        let session = &session;
        async move {
            let refs: Vec<(&str, &str)> = fields
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            app.post_form(&format!("/reports/{id}"), session, &refs)
                .await
        }
    };
    // The checker over the text as edited, without saving: an instruction left in brackets
    // is an error.
    let mut check = vec![
        ("_csrf", csrf.as_str()),
        ("version", "1"),
        ("title", title.as_str()),
        ("issuer", issuer.as_str()),
        ("date", date.as_str()),
        ("action", "check"),
    ];
    let bad = text.replace("全年开展", "（此处填写）全年开展");
    check.push((name.as_str(), bad.as_str()));
    let r = app
        .post_form(&format!("/reports/{id}"), &session, &check)
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("体检结果（未保存）"), "{}", r.body);
    assert!(r.body.contains("（此处填写）"), "{}", r.body);
    assert!(r.body.contains("badge sev-error"), "{}", r.body);
    let d = detail(&app, &app.token("dangwu").await, id).await;
    assert_eq!(d["version"], json!(1), "nothing saved");
    // A figure typed over is refused with the paragraph's number and what to do.
    let r = save(text.replace("⟦8⟧", "⟦9⟧"), None).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("解除绑定"), "{}", r.body);
    let r = save(text.replace("全年开展", "全年扎实开展"), None).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let d = detail(&app, &app.token("dangwu").await, id).await;
    assert_eq!(d["version"], json!(2));
    let again = figures(&d["draft"])
        .into_iter()
        .find(|f| f.2 == "理论学习中心组学习次数");
    assert!(again.is_some(), "still bound");
    // The versions page shows the insertion.
    let v = app
        .get(&format!("/reports/{id}/versions"), Some(&session))
        .await;
    assert_eq!(v.status, StatusCode::OK);
    assert!(v.body.contains("<ins>扎实</ins>"), "{}", v.body);
    // Saving on top of version 1 again is a conflict, said on the form.
    let r = save(text.clone(), None).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.body.contains("第2版"), "{}", r.body);
    // The export link of the page answers with the file.
    let file = app
        .get(&format!("/reports/{id}/export?format=docx"), Some(&session))
        .await;
    assert_eq!(file.status, StatusCode::OK);
    // A generation with a bad period is shown again with the message beside the field.
    let r = app
        .post_form(
            "/reports",
            &session,
            &[
                ("_csrf", &csrf),
                ("kind", "annual"),
                ("org", "qs"),
                ("preset", "2023"),
                ("from", "2023-12-31"),
                ("to", "2023-01-01"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("结束日期不能早于开始日期"), "{}", r.body);
}
