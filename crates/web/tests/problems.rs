//! 问题整改台账 over the API and the pages: batches, the ladder with its permissions, evidence,
//! overdue measures, scope, and refusals that write nothing.

mod common;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use common::{demo_app, multipart, TestApp, USER_PASSWORD};
use serde_json::{json, Value};
use zeren_domain::date::Day;

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR evidence photo";

async fn table_count(app: &TestApp, table: &str) -> i64 {
    let (n,): (i64,) = zeren_storage::sqlx::query_as(&format!("SELECT COUNT(*) FROM {table}"))
        .fetch_one(app.state.store.pool())
        .await
        .unwrap();
    n
}

/// Row counts of everything a problem write touches.
async fn footprint(app: &TestApp) -> Vec<i64> {
    let mut out = Vec::new();
    for t in [
        "problem_batches",
        "problems",
        "problem_measures",
        "problem_events",
        "attachment_links",
        "audit_log",
    ] {
        out.push(table_count(app, t).await);
    }
    out
}

async fn upload(app: &TestApp, uri: &str, token: &str, files: &[(&str, &[u8])]) -> common::Reply {
    let (ctype, body) = multipart(&[], files);
    app.send(
        Request::post(uri)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, ctype)
            .body(Body::from(body))
            .unwrap(),
    )
    .await
}

fn ago(days: i64) -> String {
    Day::today().plus_days(-days).text()
}

fn ahead(days: i64) -> String {
    Day::today().plus_days(days).text()
}

async fn post(app: &TestApp, uri: &str, token: &str, body: Value) -> common::Reply {
    app.request(Method::POST, uri, Some(token), Some(body))
        .await
}

async fn get(app: &TestApp, uri: &str, token: &str) -> common::Reply {
    app.request(Method::GET, uri, Some(token), None).await
}

/// A problem of the committee with one measure, recorded by `who`; returns its id and the
/// measure's id.
async fn one_problem(app: &TestApp, who: &str, org: &str) -> (i64, i64) {
    let token = app.token(who).await;
    let r = post(
        app,
        "/api/v1/problems",
        &token,
        json!({
            "org": org, "source": "专项监督", "category": "作风建设",
            "description": "公务接待审批手续不全", "found_on": ago(20),
            "measures": [{"description": "建立公务接待审批台账", "owner": "fushuji", "deadline": ahead(30)}]
        }),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let v = r.json();
    (
        v["problem"]["id"].as_i64().unwrap(),
        v["measures"][0]["id"].as_i64().unwrap(),
    )
}

#[tokio::test]
async fn the_clerk_enters_an_inspections_feedback_as_one_batch() {
    let app = demo_app().await;
    let token = app.token("dangwu").await;
    let problems: Vec<Value> = (1..=12)
        .map(|i| {
            json!({
                "org": if i % 4 == 0 { "qs-v01" } else { "qs" },
                "category": "组织建设",
                "description": format!("巡察反馈问题{i}"),
                "measures": [
                    {"description": "制定整改方案", "owner": "fushuji", "deadline": ahead(60)},
                    {"description": "整改落实", "owner_name": "王支书", "deadline": ahead(90)}
                ]
            })
        })
        .collect();
    let r = post(
        &app,
        "/api/v1/problem-batches",
        &token,
        json!({"org": "qs", "source": "巡察反馈", "title": "区委第二巡察组反馈意见",
               "received_on": ago(3), "problems": problems}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let b = r.json();
    assert_eq!(b["source"], "inspection_tour");
    assert_eq!(b["problem_count"], 12);
    assert_eq!(b["problems"].as_array().unwrap().len(), 12);
    assert_eq!(b["problems"][3]["org"], "qs-v01");
    assert_eq!(b["problems"][0]["found_on"], ago(3));
    assert_eq!(b["problems"][0]["status"], "pending");
    let id = b["id"].as_i64().unwrap();
    let again = get(&app, &format!("/api/v1/problem-batches/{id}"), &token).await;
    assert_eq!(again.json()["problems"].as_array().unwrap().len(), 12);
    // The branch secretary of qs-v01 sees the batch's problems about his branch only.
    let zb = app.token("zb-v01").await;
    assert_eq!(
        get(&app, &format!("/api/v1/problem-batches/{id}"), &zb)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let mine = get(&app, &format!("/api/v1/problems?batch={id}"), &zb).await;
    assert_eq!(mine.json()["total"], 3);
    // A measure's owner by account and by name.
    let p = get(
        &app,
        &format!("/api/v1/problems/{}", b["problems"][0]["id"]),
        &token,
    )
    .await
    .json();
    assert_eq!(p["measures"][0]["owner"], "fushuji");
    assert_eq!(p["measures"][0]["owner_name"], "李红梅");
    assert_eq!(p["measures"][1]["owner"], Value::Null);
    assert_eq!(p["measures"][1]["owner_name"], "王支书");
    assert_eq!(p["history"][0]["kind"], "created");
    assert_eq!(p["history"][0]["note"], "区委第二巡察组反馈意见");
}

#[tokio::test]
async fn a_bad_batch_is_a_422_with_its_field_and_writes_nothing() {
    let app = demo_app().await;
    let token = app.token("dangwu").await;
    let before = footprint(&app).await;
    let good = |i: i64| {
        json!({"description": format!("问题{i}"),
               "measures": [{"description": "措施", "owner_name": "张三", "deadline": ahead(10)}]})
    };
    let cases = [
        // A deadline nobody can read, in the third problem.
        (
            json!({"org": "qs", "source": "inspection_tour", "title": "反馈", "problems": [good(1), good(2),
                {"description": "问题3", "measures": [{"description": "措施", "deadline": "明年六月"}]}]}),
            "problems",
            "第3个问题",
        ),
        // An owner account that does not exist.
        (
            json!({"org": "qs", "source": "inspection_tour", "title": "反馈", "problems": [good(1),
                {"description": "问题2", "measures": [{"description": "措施", "owner": "nobody", "deadline": ahead(5)}]}]}),
            "problems",
            "nobody",
        ),
        // A problem for an organization outside the inspected one.
        (
            json!({"org": "qs-v01", "source": "inspection_tour", "title": "反馈", "problems": [
                {"org": "qs-v02", "description": "问题1"}]}),
            "problems",
            "qs-v02",
        ),
        (
            json!({"org": "qs", "source": "道听途说", "title": "反馈", "problems": [good(1)]}),
            "source",
            "问题来源",
        ),
        (
            json!({"org": "qs-nowhere", "source": "inspection_tour", "title": "反馈", "problems": [good(1)]}),
            "org",
            "组织",
        ),
        (
            json!({"org": "qs", "source": "inspection_tour", "title": "", "problems": [good(1)]}),
            "title",
            "批次名称",
        ),
        (
            json!({"org": "qs", "source": "inspection_tour", "title": "反馈", "problems": []}),
            "problems",
            "至少",
        ),
        (
            json!({"org": "qs", "source": "inspection_tour", "title": "反馈", "received_on": ahead(3), "problems": [good(1)]}),
            "received_on",
            "晚于今天",
        ),
    ];
    for (body, field, text) in cases {
        let r = post(&app, "/api/v1/problem-batches", &token, body).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        let e = r.json();
        assert_eq!(e["code"], "invalid");
        assert_eq!(e["field"], field, "{e}");
        assert!(e["message"].as_str().unwrap().contains(text), "{e}");
    }
    // Single problems, measures and moves refused the same way.
    let r = post(
        &app,
        "/api/v1/problems",
        &token,
        json!({"org": "qs", "source": "self_check", "description": "  "}),
    )
    .await;
    assert_eq!(
        (r.status, r.json()["field"].clone()),
        (StatusCode::UNPROCESSABLE_ENTITY, json!("description"))
    );
    let r = post(
        &app,
        "/api/v1/problems",
        &token,
        json!({"org": "qs", "source": "self_check", "description": "x", "surprise": 1}),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = post(
        &app,
        "/api/v1/problems",
        &token,
        json!({"org": "qs", "source": "self_check", "description": "x", "record_id": 424242}),
    )
    .await;
    assert_eq!(r.json()["field"], "record_id");
    assert_eq!(footprint(&app).await, before);

    let (id, measure) = one_problem(&app, "dangwu", "qs").await;
    let before = footprint(&app).await;
    let r = post(
        &app,
        &format!("/api/v1/problems/{id}/transitions"),
        &token,
        json!({"action": "submit"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["field"], "action");
    assert!(r.json()["message"].as_str().unwrap().contains("1条"));
    let r = post(
        &app,
        &format!("/api/v1/problems/{id}/transitions"),
        &token,
        json!({"action": "fly"}),
    )
    .await;
    assert_eq!(r.json()["field"], "action");
    let r = post(
        &app,
        &format!("/api/v1/measures/{measure}/done"),
        &token,
        json!({"date": ahead(2)}),
    )
    .await;
    assert_eq!(r.json()["field"], "date");
    let r = post(
        &app,
        &format!("/api/v1/problems/{id}/void"),
        &token,
        json!({"reason": ""}),
    )
    .await;
    assert_eq!(r.json()["field"], "reason");
    // Evidence is judged by its bytes, not its name.
    let r = upload(
        &app,
        &format!("/api/v1/problems/{id}/attachments"),
        &token,
        &[("photo.jpg", b"<html>not a photo</html>")],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.json()["field"], "file");
    assert_eq!(footprint(&app).await, before);
}

#[tokio::test]
async fn the_ladder_with_who_may_do_what() {
    let app = demo_app().await;
    let clerk = app.token("dangwu").await;
    let leader = app.token("fushuji").await;
    let viewer = app.token("quwei").await;
    let secretary = app.token("shuji").await;
    let (id, measure) = one_problem(&app, "dangwu", "qs").await;
    let moves = format!("/api/v1/problems/{id}/transitions");

    // Done measure: 待整改 → 整改中 by itself.
    let r = post(
        &app,
        &format!("/api/v1/measures/{measure}/done"),
        &clerk,
        json!({"note": "台账已建立"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["status"], "done");
    let p = get(&app, &format!("/api/v1/problems/{id}"), &clerk)
        .await
        .json();
    assert_eq!(p["problem"]["status"], "in_progress");

    // Evidence on the measure, then submitted by the clerk.
    let r = upload(
        &app,
        &format!("/api/v1/measures/{measure}/attachments"),
        &clerk,
        &[("台账照片.png", PNG)],
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.json()[0]["mime"], "image/png");
    let r = post(&app, &moves, &clerk, json!({"action": "submit"})).await;
    assert_eq!(r.json()["status"], "awaiting_review");
    assert_eq!(r.json()["submitted_by"], "陈静");

    // The clerk cannot close (no Approve), nor can the viewer change anything.
    let before = footprint(&app).await;
    let r = post(&app, &moves, &clerk, json!({"action": "close"})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.json()["code"], "forbidden");
    let r = post(&app, &moves, &viewer, json!({"action": "close"})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .request(
            Method::PATCH,
            &format!("/api/v1/problems/{id}"),
            Some(&viewer),
            Some(json!({"description": "改写"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(footprint(&app).await, before);
    // The viewer reads it.
    let r = get(&app, &format!("/api/v1/problems/{id}"), &viewer).await;
    assert_eq!(r.status, StatusCode::OK);

    // The leader closes it (销号).
    let r = post(
        &app,
        &moves,
        &leader,
        json!({"action": "close", "note": "整改到位，同意销号"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let v = r.json();
    assert_eq!(v["status"], "closed");
    assert_eq!(v["status_label"], "已销号");
    assert_eq!(v["closed_by"], "李红梅");
    assert_eq!(v["closed_on"], Day::today().text());

    // 回头看 by the secretary: holds, then reopened.
    let r = post(
        &app,
        &moves,
        &secretary,
        json!({"action": "recheck_holds", "note": "未反弹"}),
    )
    .await;
    assert_eq!(r.json()["status"], "closed");
    let r = post(
        &app,
        &moves,
        &secretary,
        json!({"action": "reopen", "note": "问题反弹"}),
    )
    .await;
    assert_eq!(r.json()["status"], "in_progress");
    let p = get(&app, &format!("/api/v1/problems/{id}"), &clerk)
        .await
        .json();
    let kinds: Vec<&str> = p["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        vec![
            "created",
            "measure_done",
            "start",
            "submit",
            "close",
            "recheck_holds",
            "reopen"
        ]
    );
    assert_eq!(p["measures"][0]["evidence"][0]["file_name"], "台账照片.png");
    // Every move is in the audit trail with before and after.
    for action in ["problem.submit", "problem.close", "problem.reopen"] {
        let e = app
            .state
            .store
            .audit_page(5, 0, Some(action))
            .await
            .unwrap();
        assert!(
            e[0].event.before.is_some() && e[0].event.after.is_some(),
            "{action}"
        );
    }
}

#[tokio::test]
async fn whoever_submitted_cannot_close_even_with_approve() {
    let app = demo_app().await;
    let leader = app.token("fushuji").await;
    let (id, measure) = one_problem(&app, "fushuji", "qs").await;
    post(
        &app,
        &format!("/api/v1/measures/{measure}/done"),
        &leader,
        json!({}),
    )
    .await;
    let moves = format!("/api/v1/problems/{id}/transitions");
    // Without evidence it cannot even be closed by another.
    post(&app, &moves, &leader, json!({"action": "submit"})).await;
    let shuji = app.token("shuji").await;
    let r = post(&app, &moves, &shuji, json!({"action": "close"})).await;
    assert!(r.json()["message"].as_str().unwrap().contains("佐证"));
    let r = upload(
        &app,
        &format!("/api/v1/problems/{id}/attachments"),
        &leader,
        &[("整改报告.pdf", b"%PDF-1.7 report")],
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let r = post(&app, &moves, &leader, json!({"action": "close"})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json()["message"].as_str().unwrap().contains("整改人以外"));
    let r = post(&app, &moves, &shuji, json!({"action": "close"})).await;
    assert_eq!(r.json()["status"], "closed");
}

#[tokio::test]
async fn a_branch_secretary_sees_and_records_only_his_branch() {
    let app = demo_app().await;
    let (committee, _) = one_problem(&app, "dangwu", "qs").await;
    let (v01, _) = one_problem(&app, "dangwu", "qs-v01").await;
    let (v02, _) = one_problem(&app, "dangwu", "qs-v02").await;
    let zb = app.token("zb-v01").await;
    let list = get(&app, "/api/v1/problems", &zb).await.json();
    let ids: Vec<i64> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, vec![v01]);
    for other in [committee, v02] {
        let r = get(&app, &format!("/api/v1/problems/{other}"), &zb).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let r = post(
            &app,
            &format!("/api/v1/problems/{other}/transitions"),
            &zb,
            json!({"action": "start"}),
        )
        .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
    }
    // Another branch as the organization concerned is not his to choose.
    let r = post(
        &app,
        "/api/v1/problems",
        &zb,
        json!({"org": "qs-v02", "source": "self_check", "description": "x"}),
    )
    .await;
    assert_eq!(r.json()["field"], "org");
    let r = get(&app, "/api/v1/problems?org=qs", &zb).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    // His own branch: recorded and started.
    let r = post(
        &app,
        "/api/v1/problems",
        &zb,
        json!({"org": "qs-v01", "source": "组织生活会查摆", "description": "党员学习不经常"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let (session, _) = app.login("zb-v01", USER_PASSWORD).await;
    let page = app.get(&format!("/problems/{v02}"), Some(&session)).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    let page = app.get("/problems", Some(&session)).await;
    assert!(page.body.contains(&format!("/problems/{v01}")));
    assert!(!page.body.contains(&format!("/problems/{v02}\"")));
}

#[tokio::test]
async fn overdue_measures_show_at_once() {
    let app = demo_app().await;
    let clerk = app.token("dangwu").await;
    let r = post(
        &app,
        "/api/v1/problems",
        &clerk,
        json!({"org": "qs-v03", "source": "branch_inspection", "description": "村务公开栏未及时更新",
               "found_on": ago(60),
               "measures": [{"description": "每月更新村务公开栏", "owner": "zb-v03", "deadline": ago(10)},
                            {"description": "建立公开台账", "owner_name": "村会计", "deadline": ahead(10)}]}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.json()["problem"]["id"].as_i64().unwrap();
    assert_eq!(r.json()["problem"]["overdue_measures"], 1);
    assert_eq!(r.json()["measures"][0]["overdue"], true);
    let o = get(&app, "/api/v1/measures/overdue", &clerk).await.json();
    assert_eq!(o["total"], 1);
    assert_eq!(o["items"][0]["days_overdue"], 10);
    assert_eq!(o["items"][0]["problem_id"], id);
    assert_eq!(o["items"][0]["org"], "qs-v03");
    let by_owner = get(&app, "/api/v1/measures/overdue?owner=zb-v03", &clerk)
        .await
        .json();
    assert_eq!(by_owner["total"], 1);
    let zb = app.token("zb-v03").await;
    let mine = get(&app, "/api/v1/measures/overdue?mine=true", &zb)
        .await
        .json();
    assert_eq!(mine["total"], 1);
    let none = get(&app, "/api/v1/measures/overdue?org=qs-v01", &clerk)
        .await
        .json();
    assert_eq!(none["total"], 0);
    let list = get(&app, "/api/v1/problems?overdue=true", &clerk)
        .await
        .json();
    assert_eq!(list["total"], 1);

    let (session, _) = app.login("dangwu", USER_PASSWORD).await;
    let page = app.get("/problems", Some(&session)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("逾期整改措施 1 条"), "{}", page.body);
    assert!(page.body.contains("每月更新村务公开栏"));
    assert!(page.body.contains("逾期10天"));
    assert!(page.body.contains("row-overdue"));
}

#[tokio::test]
async fn problem_sources_are_configurable_by_the_administrator() {
    let app = demo_app().await;
    let admin = app.token("admin").await;
    let clerk = app.token("dangwu").await;
    let r = post(
        &app,
        "/api/v1/problem-sources",
        &admin,
        json!({"code": "petition", "name": "信访举报"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let r = post(
        &app,
        "/api/v1/problem-sources",
        &admin,
        json!({"code": "audit2", "name": "审计"}),
    )
    .await;
    assert_eq!(r.json()["field"], "name");
    let r = post(
        &app,
        "/api/v1/problem-sources",
        &admin,
        json!({"code": "Bad Code", "name": "坏"}),
    )
    .await;
    assert_eq!(r.json()["field"], "code");
    let r = post(
        &app,
        "/api/v1/problem-sources",
        &clerk,
        json!({"code": "x2", "name": "某来源"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let list = get(&app, "/api/v1/problem-sources", &clerk).await.json();
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"巡察反馈") && names.contains(&"信访举报"));
    let r = post(
        &app,
        "/api/v1/problems",
        &clerk,
        json!({"org": "qs", "source": "信访举报", "description": "群众反映低保评定不公开"}),
    )
    .await;
    assert_eq!(r.json()["problem"]["source"], "petition");
    assert_eq!(r.json()["problem"]["source_name"], "信访举报");
}

#[tokio::test]
async fn measures_change_and_void_and_voided_problems_stay() {
    let app = demo_app().await;
    let clerk = app.token("dangwu").await;
    let (id, measure) = one_problem(&app, "dangwu", "qs").await;
    let r = app
        .request(
            Method::PATCH,
            &format!("/api/v1/measures/{measure}"),
            Some(&clerk),
            Some(json!({"deadline": ahead(45), "owner": "zuzhi"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["owner_name"], "孙丽");
    let r = post(
        &app,
        &format!("/api/v1/problems/{id}/measures"),
        &clerk,
        json!({"description": "开展警示教育", "owner_name": "纪委", "deadline": ahead(20)}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let second = r.json()["id"].as_i64().unwrap();
    let r = post(
        &app,
        &format!("/api/v1/measures/{second}/void"),
        &clerk,
        json!({"reason": "与第一条重复"}),
    )
    .await;
    assert_eq!(r.json()["voided"], true);
    let r = app
        .request(
            Method::PATCH,
            &format!("/api/v1/problems/{id}"),
            Some(&clerk),
            Some(json!({"category": "纪律建设", "description": "公务接待审批手续不全、标准把关不严"})),
        )
        .await;
    assert_eq!(r.json()["category"], "纪律建设");
    let r = post(
        &app,
        &format!("/api/v1/problems/{id}/void"),
        &clerk,
        json!({"reason": "重复录入"}),
    )
    .await;
    assert_eq!(r.json()["voided"], true);
    assert_eq!(table_count(&app, "problems").await, 1);
    assert_eq!(
        get(&app, "/api/v1/problems", &clerk).await.json()["total"],
        0
    );
    assert_eq!(
        get(&app, "/api/v1/problems?voided=true", &clerk)
            .await
            .json()["total"],
        1
    );
    let p = get(&app, &format!("/api/v1/problems/{id}"), &clerk)
        .await
        .json();
    assert_eq!(p["problem"]["void_reason"], "重复录入");
    assert_eq!(p["measures"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn pages_batch_entry_with_preview_then_detail_and_moves() {
    let app = demo_app().await;
    let (session, csrf) = app.login("dangwu", USER_PASSWORD).await;
    let home = app.get("/", Some(&session)).await;
    assert!(home.body.contains("href=\"/problems\""));
    assert!(home.body.contains("href=\"/risks\""));
    assert!(!home.body.contains("href=\"/discipline\""));
    let form = app.get("/problem-batches/new", Some(&session)).await;
    assert_eq!(form.status, StatusCode::OK);
    let root = app.org_id("qs").await.to_string();
    let received = ago(2);
    let before = footprint(&app).await;

    // A line that cannot be read: the error names the line; nothing is written.
    let bad = "作风建设｜公务用车管理不规范｜完善用车登记｜李红梅｜2099-01-01\n｜｜补充措施｜陈静｜不知道哪天";
    let fields = |lines: &'static str, step: &'static str| {
        vec![
            ("_csrf", csrf.clone()),
            ("org", root.clone()),
            ("source", "inspection_tour".to_string()),
            ("title", "区委第一巡察组反馈意见".to_string()),
            ("received_on", received.clone()),
            ("lines", lines.to_string()),
            ("step", step.to_string()),
        ]
    };
    let send = |f: Vec<(&'static str, String)>| {
        let session = session.clone();
        let app = &app;
        async move {
            let plain: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
            app.post_form("/problem-batches", &session, &plain).await
        }
    };
    let r = send(fields(bad, "save")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("第2行"), "{}", r.body);
    assert!(r.body.contains("不知道哪天"));
    assert_eq!(footprint(&app).await, before);

    let good = "作风建设｜1.公务用车管理不规范｜完善用车登记｜李红梅｜2099-01-01\n｜｜开展专项检查｜陈静｜2099-02-01\n组织建设\t党员发展程序把关不严\n（3）意识形态阵地管理不到位";
    let r = send(fields(good, "preview")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.body.contains("预览：3 个问题，2 条整改措施"),
        "{}",
        r.body
    );
    assert!(r.body.contains("已关联账户"));
    assert!(r.body.contains("id=\"batch-save\""));
    assert_eq!(footprint(&app).await, before);
    let r = send(fields(good, "save")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(r.location().starts_with("/problems?batch="));
    let ledger = app.get(r.location(), Some(&session)).await;
    assert!(ledger.body.contains("区委第一巡察组反馈意见"));
    assert!(ledger.body.contains("公务用车管理不规范"));
    assert!(ledger.body.contains("意识形态阵地管理不到位"));
    assert!(ledger.body.contains("反馈问题已全部录入"));
    let page = app
        .state
        .store
        .audit_count_with("problem.create")
        .await
        .unwrap();
    assert_eq!(page, 3);

    // The first problem's page: measures, upload form, the moves the clerk may make.
    let first: i64 =
        zeren_storage::sqlx::query_as::<_, (i64,)>("SELECT id FROM problems ORDER BY id LIMIT 1")
            .fetch_one(app.state.store.pool())
            .await
            .unwrap()
            .0;
    let detail = app.get(&format!("/problems/{first}"), Some(&session)).await;
    assert_eq!(detail.status, StatusCode::OK);
    assert!(detail.body.contains("完善用车登记"));
    assert!(detail.body.contains("开展专项检查"));
    assert!(detail.body.contains("id=\"move-start\""));
    assert!(!detail.body.contains("id=\"move-close\""));
    assert!(detail.body.contains("还有2条整改措施未完成"));
    // A refused move is shown on the page with 422.
    let r = app
        .post_form(
            &format!("/problems/{first}/transitions"),
            &session,
            &[("_csrf", &csrf), ("action", "submit")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("move-error"));
    // Measures done from the page, evidence uploaded from the page, then submitted.
    let measures = app
        .state
        .store
        .problem_measures(first, false)
        .await
        .unwrap();
    for m in &measures {
        let r = app
            .post_form(
                &format!("/measures/{}/done", m.id),
                &session,
                &[
                    ("_csrf", &csrf),
                    ("date", &Day::today().text()),
                    ("note", "已完成"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    }
    let (ctype, body) = multipart(&[], &[("用车登记簿.pdf", b"%PDF-1.4 register")]);
    let r = app
        .send(
            Request::post(format!("/problems/{first}/attachments?_csrf={csrf}"))
                .header(header::COOKIE, format!("zeren_session={session}"))
                .header(header::CONTENT_TYPE, ctype)
                .body(Body::from(body))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = app
        .post_form(
            &format!("/problems/{first}/transitions"),
            &session,
            &[("_csrf", &csrf), ("action", "submit")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let detail = app.get(&format!("/problems/{first}"), Some(&session)).await;
    assert!(detail.body.contains("已整改待审核"));
    assert!(detail.body.contains("用车登记簿.pdf"));
    assert!(detail.body.contains("href=\"/attachments/"));
    assert!(!detail.body.contains("id=\"move-close\""));
    // The clerk posting a close anyway is refused.
    let r = app
        .post_form(
            &format!("/problems/{first}/transitions"),
            &session,
            &[("_csrf", &csrf), ("action", "close")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // The leader sees the close button and closes.
    let (lsession, lcsrf) = app.login("fushuji", USER_PASSWORD).await;
    let detail = app
        .get(&format!("/problems/{first}"), Some(&lsession))
        .await;
    assert!(detail.body.contains("id=\"move-close\""));
    assert!(detail.body.contains("id=\"move-return\""));
    let r = app
        .post_form(
            &format!("/problems/{first}/transitions"),
            &lsession,
            &[("_csrf", &lcsrf), ("action", "close"), ("note", "同意销号")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let detail = app
        .get(&format!("/problems/{first}"), Some(&lsession))
        .await;
    assert!(detail.body.contains("id=\"problem-status\">已销号"));
    assert!(detail.body.contains("id=\"move-recheck_holds\""));
    assert!(detail.body.contains("同意销号"));
}

#[tokio::test]
async fn the_single_problem_form_shows_errors_beside_the_fields() {
    let app = demo_app().await;
    let (session, csrf) = app.login("dangwu", USER_PASSWORD).await;
    let form = app.get("/problems/new", Some(&session)).await;
    assert_eq!(form.status, StatusCode::OK);
    let org = app.org_id("qs-v05").await.to_string();
    let before = footprint(&app).await;
    let r = app
        .post_form(
            "/problems",
            &session,
            &[
                ("_csrf", &csrf),
                ("org", &org),
                ("source", "self_check"),
                ("description", "主题党日活动形式单一"),
                ("found_on", &ago(1)),
                ("m_description", "丰富活动形式"),
                ("m_owner", "柳林村支书"),
                ("m_deadline", "下个月"),
                ("m_description", ""),
                ("m_owner", ""),
                ("m_deadline", ""),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("第1条整改措施"), "{}", r.body);
    assert!(r.body.contains("主题党日活动形式单一"));
    assert_eq!(footprint(&app).await, before);
    let deadline = ahead(30);
    let r = app
        .post_form(
            "/problems",
            &session,
            &[
                ("_csrf", &csrf),
                ("org", &org),
                ("source", "self_check"),
                ("category", "组织建设"),
                ("description", "主题党日活动形式单一"),
                ("found_on", &ago(1)),
                ("m_description", "丰富活动形式"),
                ("m_owner", "张玉兰"),
                ("m_deadline", &deadline),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let detail = app.get(r.location(), Some(&session)).await;
    assert!(detail.body.contains("丰富活动形式"));
    // The name of an account in view is linked to it.
    let m = &app
        .state
        .store
        .problem_measures(
            r.location()
                .trim_start_matches("/problems/")
                .split('?')
                .next()
                .unwrap()
                .parse()
                .unwrap(),
            false,
        )
        .await
        .unwrap()[0];
    assert_eq!(m.owner_username.as_deref(), Some("zb-v05"));
}

#[tokio::test]
async fn ledger_pages_filter_by_an_organizations_id_or_its_code() {
    let app = demo_app().await;
    let (v01, _) = one_problem(&app, "dangwu", "qs-v01").await;
    let (v02, _) = one_problem(&app, "dangwu", "qs-v02").await;
    let (session, _) = app.login("dangwu", USER_PASSWORD).await;
    let id = app.org_id("qs-v01").await;
    // The select box sends the id; a link typed or shared by hand names the code.
    for filter in [id.to_string(), "qs-v01".to_string()] {
        let page = app
            .get(&format!("/problems?org={filter}"), Some(&session))
            .await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            page.body.contains(&format!("/problems/{v01}\"")),
            "{filter}"
        );
        assert!(
            !page.body.contains(&format!("/problems/{v02}\"")),
            "{filter}"
        );
        // The filter shows as chosen.
        assert!(
            page.body.contains(&format!("value=\"{id}\" selected")),
            "{filter}"
        );
    }
    // An unknown organization is no filter at all, not an error.
    let page = app.get("/problems?org=no-such-org", Some(&session)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(&format!("/problems/{v02}\"")));
}
