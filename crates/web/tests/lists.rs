//! 责任清单 over the API and the pages: lists and items, hand-down to branches, copy to next
//! year, progress and completion with evidence, permissions by subtree, validation errors that
//! name their field and write nothing, the audit trail with before and after.

mod common;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use common::{demo_app, multipart, TestApp, USER_PASSWORD};
use serde_json::{json, Value};

const PDF: &[u8] = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n";

async fn count(app: &TestApp, table: &str) -> i64 {
    let (n,): (i64,) = zeren_storage::sqlx::query_as(&format!("SELECT COUNT(*) FROM {table}"))
        .fetch_one(app.state.store.pool())
        .await
        .unwrap();
    n
}

/// (action, before, after) of the audit entries of one object, oldest first.
async fn audit_of(
    app: &TestApp,
    object_type: &str,
    id: i64,
) -> Vec<(String, Option<String>, Option<String>)> {
    zeren_storage::sqlx::query_as(
        "SELECT action, before_json, after_json FROM audit_log WHERE object_type = $1 AND object_id = $2 ORDER BY seq",
    )
    .bind(object_type)
    .bind(id.to_string())
    .fetch_all(app.state.store.pool())
    .await
    .unwrap()
}

async fn post(app: &TestApp, token: &str, uri: &str, body: Value) -> common::Reply {
    app.request(Method::POST, uri, Some(token), Some(body))
        .await
}

async fn upload(
    app: &TestApp,
    token: &str,
    item: i64,
    fields: &[(&str, &str)],
    file: (&str, &[u8]),
) -> common::Reply {
    let (ctype, body) = multipart(fields, &[file]);
    app.send(
        Request::post(format!("/api/v1/list-items/{item}/attachments"))
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, ctype)
            .body(Body::from(body))
            .unwrap(),
    )
    .await
}

/// The committee's 2023 list with two items: one of the deputy secretary's portfolio, one
/// carried out by 东岭村 for the committee.
async fn committee_list(app: &TestApp, token: &str) -> (i64, i64, i64) {
    let r = post(
        app,
        token,
        "/api/v1/lists",
        json!({"org": "qs", "year": 2023, "title": "青石镇党委2023年全面从严治党主体责任清单"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let list = r.json()["id"].as_i64().unwrap();
    let r = post(
        app,
        token,
        &format!("/api/v1/lists/{list}/items"),
        json!({
            "category": "组织建设",
            "description": "规范落实“三会一课”制度",
            "owner": "fushuji",
            "deadline": "2023-12-20",
            "recurrence": "quarterly",
            "steps": "3月制定方案\n每季度检查",
        }),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let a = r.json()["id"].as_i64().unwrap();
    let r = post(
        app,
        token,
        &format!("/api/v1/lists/{list}/items"),
        json!({"category": "作风建设", "description": "东岭村为民办实事10件", "org": "qs-v01"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    (list, a, r.json()["id"].as_i64().unwrap())
}

#[tokio::test]
async fn the_clerk_builds_hands_down_and_copies_a_list_over_the_api() {
    let app = demo_app().await;
    let token = app.token("dangwu").await;
    let (list, a, b) = committee_list(&app, &token).await;

    let r = app
        .request(
            Method::GET,
            &format!("/api/v1/lists/{list}"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let detail = r.json();
    assert_eq!(detail["org"], "qs");
    assert_eq!(detail["kind"], "responsibility");
    assert_eq!(detail["items"].as_array().unwrap().len(), 2);
    let first = &detail["items"][0];
    assert_eq!(first["owner"]["username"], "fushuji");
    assert!(!first["owner"]["portfolio"].as_str().unwrap().is_empty());
    assert_eq!(first["due_on"], "2023-12-20");
    assert_eq!(first["recurrence"], "quarterly");
    assert_eq!(first["status"], "open");
    assert_eq!(detail["items"][1]["org"], "qs-v01");
    assert_eq!(detail["items"][1]["due_on"], "2023-12-31");

    let r = app
        .request(
            Method::PATCH,
            &format!("/api/v1/lists/{list}"),
            Some(&token),
            Some(json!({"title": "青石镇党委2023年责任清单"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = app
        .request(
            Method::PATCH,
            &format!("/api/v1/list-items/{a}"),
            Some(&token),
            Some(json!({"steps": "3月制定方案\n6月、9月、12月检查"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["steps"], "3月制定方案\n6月、9月、12月检查");
    assert_eq!(
        r.json()["owner"]["username"],
        "fushuji",
        "unchanged fields stay"
    );

    // 上级下发 to two branches.
    let r = post(
        &app,
        &token,
        &format!("/api/v1/lists/{list}/hand-down"),
        json!({"orgs": ["qs-v01", "qs-v02"], "items": [a]}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let handed = r.json();
    assert_eq!(handed.as_array().unwrap().len(), 2);
    assert_eq!(handed[0]["org"], "qs-v01");
    assert_eq!(handed[0]["parent_list_id"], list);
    assert_eq!(handed[0]["items"], 1);
    assert_eq!(handed[0]["title"], "东岭村党支部2023年责任清单");

    // 复制 to 2024.
    let r = post(
        &app,
        &token,
        &format!("/api/v1/lists/{list}/copy"),
        json!({"year": 2024}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let copy = r.json();
    assert_eq!(copy["year"], 2024);
    assert_eq!(copy["copied_from_id"], list);
    assert_eq!(copy["items"].as_array().unwrap().len(), 2);
    assert_eq!(copy["items"][0]["deadline"], "2024-12-20");
    assert_eq!(copy["title"], "青石镇党委2024年责任清单");

    // Listing by year and organization.
    let r = app
        .request(Method::GET, "/api/v1/lists?year=2023", Some(&token), None)
        .await;
    let lists = r.json();
    assert_eq!(lists.as_array().unwrap().len(), 3);
    let r = app
        .request(Method::GET, "/api/v1/lists?org=qs-v01", Some(&token), None)
        .await;
    assert_eq!(r.json().as_array().unwrap().len(), 1);

    // The audit trail has every step with before and after.
    let trail = audit_of(&app, "list", list).await;
    assert_eq!(trail[0].0, "list.create");
    assert_eq!(trail[1].0, "list.update");
    assert!(trail[1]
        .1
        .as_deref()
        .unwrap()
        .contains("全面从严治党主体责任清单"));
    assert!(trail[1]
        .2
        .as_deref()
        .unwrap()
        .contains("青石镇党委2023年责任清单"));
    let item_trail = audit_of(&app, "list_item", a).await;
    assert_eq!(
        item_trail.iter().map(|e| e.0.as_str()).collect::<Vec<_>>(),
        vec!["list_item.create", "list_item.update"]
    );
    let actor: (String,) = zeren_storage::sqlx::query_as(
        "SELECT actor FROM audit_log WHERE action = 'list.hand_down' ORDER BY seq LIMIT 1",
    )
    .fetch_one(app.state.store.pool())
    .await
    .unwrap();
    assert_eq!(actor.0, "dangwu");

    // Voiding: kept, with the reason.
    let r = post(
        &app,
        &token,
        &format!("/api/v1/list-items/{b}/void"),
        json!({"reason": "与其他事项重复"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["voided"], true);
    assert_eq!(r.json()["void_reason"], "与其他事项重复");
    let r = app
        .request(
            Method::GET,
            &format!("/api/v1/lists/{list}"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(r.json()["items"].as_array().unwrap().len(), 1);
    let r = post(
        &app,
        &token,
        &format!("/api/v1/lists/{list}/void"),
        json!({"reason": "重新制定"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["voided"], true);
    let r = app
        .request(
            Method::GET,
            "/api/v1/lists?year=2023&org=qs",
            Some(&token),
            None,
        )
        .await;
    assert!(r.json().as_array().unwrap().iter().all(|l| l["id"] != list));
    assert!(app
        .state
        .store
        .verify_audit_chain()
        .await
        .unwrap()
        .broken
        .is_none());
}

#[tokio::test]
async fn bad_input_is_a_422_naming_the_field_and_writes_nothing() {
    let app = demo_app().await;
    let token = app.token("dangwu").await;
    let (list, a, _) = committee_list(&app, &token).await;
    let before = (
        count(&app, "resp_lists").await,
        count(&app, "list_items").await,
        count(&app, "list_progress").await,
        count(&app, "audit_log").await,
    );
    let items = format!("/api/v1/lists/{list}/items");
    let item = format!("/api/v1/list-items/{a}");
    let cases: Vec<(Method, String, Value, &str)> = vec![
        (
            Method::POST,
            "/api/v1/lists".into(),
            json!({"org": "qs", "year": 1999, "title": "x年清单"}),
            "year",
        ),
        (
            Method::POST,
            "/api/v1/lists".into(),
            json!({"org": "qs", "year": 2023, "title": " "}),
            "title",
        ),
        (
            Method::POST,
            "/api/v1/lists".into(),
            json!({"org": "qs", "year": 2023, "title": "清单", "kind": "wish"}),
            "kind",
        ),
        (
            Method::POST,
            "/api/v1/lists".into(),
            json!({"org": "nowhere", "year": 2023, "title": "清单"}),
            "org",
        ),
        (
            Method::POST,
            items.clone(),
            json!({"category": "体育建设", "description": "x"}),
            "category",
        ),
        (
            Method::POST,
            items.clone(),
            json!({"category": "政治建设", "description": ""}),
            "description",
        ),
        (
            Method::POST,
            items.clone(),
            json!({"category": "政治建设", "description": "x", "owner": "nobody"}),
            "owner",
        ),
        (
            Method::POST,
            items.clone(),
            json!({"category": "政治建设", "description": "x", "deadline": "2024-03-01"}),
            "deadline",
        ),
        (
            Method::POST,
            items.clone(),
            json!({"category": "政治建设", "description": "x", "deadline": "三月"}),
            "deadline",
        ),
        (
            Method::POST,
            items.clone(),
            json!({"category": "政治建设", "description": "x", "recurrence": "weekly"}),
            "recurrence",
        ),
        (
            Method::POST,
            items.clone(),
            json!({"category": "政治建设", "description": "x", "org": "qs-xx"}),
            "org",
        ),
        (
            Method::POST,
            items.clone(),
            json!({"category": "政治建设", "description": "x", "target_metric": "喝茶次数", "target_value": 3}),
            "target_metric",
        ),
        (
            Method::POST,
            items.clone(),
            json!({"category": "政治建设", "description": "x", "target_metric": "理论学习中心组学习次数"}),
            "target_value",
        ),
        (
            Method::POST,
            items.clone(),
            json!({"category": "政治建设", "description": "x", "target_metric": "理论学习中心组学习次数", "target_value": -1}),
            "target_value",
        ),
        (
            Method::PATCH,
            item.clone(),
            json!({"deadline": "2022-01-01"}),
            "deadline",
        ),
        (
            Method::POST,
            format!("{item}/progress"),
            json!({"reported_on": "2023-03-31", "text": ""}),
            "text",
        ),
        (
            Method::POST,
            format!("{item}/progress"),
            json!({"reported_on": "2099-01-01", "text": "x"}),
            "reported_on",
        ),
        (
            Method::POST,
            format!("{item}/complete"),
            json!({"completed_on": "2023-12-01"}),
            "file",
        ),
        (
            Method::POST,
            format!("{item}/void"),
            json!({"reason": ""}),
            "reason",
        ),
        (
            Method::POST,
            format!("/api/v1/lists/{list}/copy"),
            json!({"year": 2023}),
            "year",
        ),
        (
            Method::POST,
            format!("/api/v1/lists/{list}/hand-down"),
            json!({"orgs": ["hs"]}),
            "orgs",
        ),
        (
            Method::POST,
            format!("/api/v1/lists/{list}/hand-down"),
            json!({"orgs": ["qs"]}),
            "orgs",
        ),
        (
            Method::POST,
            format!("/api/v1/lists/{list}/hand-down"),
            json!({"orgs": ["qs-v01"], "items": [999999]}),
            "items",
        ),
    ];
    for (method, uri, body, field) in cases {
        let r = app
            .request(method.clone(), &uri, Some(&token), Some(body.clone()))
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{method} {uri} {body}: {}",
            r.body
        );
        let j = r.json();
        assert_eq!(j["code"], "invalid");
        assert_eq!(j["field"], field, "{method} {uri} {body}: {}", r.body);
        assert!(!j["message"].as_str().unwrap().is_empty());
    }
    // The unknown metric is named.
    let r = post(&app, &token, &items, json!({"category": "政治建设", "description": "x", "target_metric": "喝茶次数", "target_value": 3})).await;
    assert_eq!(r.json()["message"], "没有名为“喝茶次数”的指标");
    // Unknown fields and malformed JSON are refused too.
    let r = post(
        &app,
        &token,
        &items,
        json!({"category": "政治建设", "description": "x", "colour": "red"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    // An evidence file is checked on its bytes.
    let r = upload(
        &app,
        &token,
        a,
        &[],
        ("photo.jpg", b"<html>not a photo</html>"),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["field"], "file");
    let r = upload(
        &app,
        &token,
        a,
        &[("progress_id", "999999")],
        ("a.pdf", PDF),
    )
    .await;
    assert_eq!(r.json()["field"], "progress_id");
    assert_eq!(
        (
            count(&app, "resp_lists").await,
            count(&app, "list_items").await,
            count(&app, "list_progress").await,
            count(&app, "audit_log").await,
        ),
        before
    );
    assert_eq!(count(&app, "attachment_links").await, 0);
}

#[tokio::test]
async fn progress_and_completion_need_evidence_and_targets_are_never_ticked() {
    let app = demo_app().await;
    let token = app.token("dangwu").await;
    let (_, a, _) = committee_list(&app, &token).await;
    let r = post(
        &app,
        &token,
        &format!("/api/v1/list-items/{a}/progress"),
        json!({"reported_on": "2023-03-31", "text": "一季度：已制定检查方案"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let progress = r.json()["id"].as_i64().unwrap();
    assert_eq!(r.json()["reporter"], "陈静");
    let r = upload(
        &app,
        &token,
        a,
        &[("progress_id", &progress.to_string())],
        ("方案.pdf", PDF),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.json()["mime"], "application/pdf");
    let file_url = r.json()["url"].as_str().unwrap().to_string();

    // Completion needs proof.
    let r = post(
        &app,
        &token,
        &format!("/api/v1/list-items/{a}/complete"),
        json!({"completed_on": "2023-12-15", "note": "全年检查4次"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["field"], "file");
    let r = upload(&app, &token, a, &[], ("检查通报.pdf", PDF)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let r = post(
        &app,
        &token,
        &format!("/api/v1/list-items/{a}/complete"),
        json!({"completed_on": "2023-12-15", "note": "全年检查4次"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["status"], "done");
    assert_eq!(r.json()["completed_on"], "2023-12-15");

    let r = app
        .request(
            Method::GET,
            &format!("/api/v1/list-items/{a}"),
            Some(&token),
            None,
        )
        .await;
    let d = r.json();
    assert_eq!(d["progress"].as_array().unwrap().len(), 1);
    assert_eq!(d["progress"][0]["attachments"][0]["file_name"], "方案.pdf");
    assert_eq!(d["attachments"][0]["file_name"], "检查通报.pdf");
    // The file itself, for whoever sees the item.
    let f = app
        .request(Method::GET, &file_url, Some(&token), None)
        .await;
    assert_eq!(f.status, StatusCode::OK);
    assert_eq!(f.headers[header::CONTENT_TYPE], "application/pdf");
    assert_eq!(f.body.as_bytes(), PDF);
    let other = app.token("zb-v02").await;
    let f = app
        .request(Method::GET, &file_url, Some(&other), None)
        .await;
    assert_eq!(f.status, StatusCode::NOT_FOUND);

    // Taking the sign-off back.
    let r = post(
        &app,
        &token,
        &format!("/api/v1/list-items/{a}/reopen"),
        json!({"reason": "检查通报缺少第四季度"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["status"], "open");
    let trail = audit_of(&app, "list_item", a).await;
    let actions: Vec<&str> = trail.iter().map(|e| e.0.as_str()).collect();
    assert!(
        actions.ends_with(&["list_item.complete", "list_item.reopen"]),
        "{actions:?}"
    );

    // An item with a quantified target is done by its metric, never by a tick.
    let list = d["list_id"].as_i64().unwrap();
    let r = post(
        &app,
        &token,
        &format!("/api/v1/lists/{list}/items"),
        json!({"category": "思想建设", "description": "理论学习中心组学习不少于12次", "target_metric": "理论学习中心组学习次数", "target_value": 12}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let t = r.json()["id"].as_i64().unwrap();
    assert_eq!(r.json()["target"]["metric"], "理论学习中心组学习次数");
    assert_eq!(r.json()["target"]["value"], 12.0);
    upload(&app, &token, t, &[], ("x.pdf", PDF)).await;
    let r = post(
        &app,
        &token,
        &format!("/api/v1/list-items/{t}/complete"),
        json!({"completed_on": "2023-12-15"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["field"], "status");
}

#[tokio::test]
async fn branches_see_and_report_on_what_is_theirs_only() {
    let app = demo_app().await;
    let clerk = app.token("dangwu").await;
    let (list, a, assigned) = committee_list(&app, &clerk).await;
    let r = post(
        &app,
        &clerk,
        &format!("/api/v1/lists/{list}/hand-down"),
        json!({"orgs": ["qs-v01", "qs-v02"], "items": [a]}),
    )
    .await;
    let handed = r.json();
    let v01_list = handed[0]["id"].as_i64().unwrap();
    let v02_list = handed[1]["id"].as_i64().unwrap();
    let v01_item = app.state.store.list_items(v01_list).await.unwrap()[0]
        .item
        .id;
    let v02_item = app.state.store.list_items(v02_list).await.unwrap()[0]
        .item
        .id;

    let zb = app.token("zb-v01").await;
    // His branch's list, not the committee's nor the other branch's.
    let r = app
        .request(Method::GET, "/api/v1/lists", Some(&zb), None)
        .await;
    let ids: Vec<i64> = r
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, vec![v01_list]);
    for uri in [
        format!("/api/v1/lists/{list}"),
        format!("/api/v1/lists/{v02_list}"),
        format!("/api/v1/list-items/{v02_item}"),
        format!("/api/v1/list-items/{a}"),
        format!("/lists/{v02_list}"),
        format!("/list-items/{v02_item}"),
    ] {
        let r = app.request(Method::GET, &uri, Some(&zb), None).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{uri}");
    }
    let r = post(
        &app,
        &zb,
        &format!("/api/v1/list-items/{v02_item}/progress"),
        json!({"reported_on": "2023-03-31", "text": "x"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // He reports on the item handed to his branch, and refines it (下级细化).
    let r = post(
        &app,
        &zb,
        &format!("/api/v1/list-items/{v01_item}/progress"),
        json!({"reported_on": "2023-03-31", "text": "一季度召开党员大会1次"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let r = app
        .request(
            Method::PATCH,
            &format!("/api/v1/list-items/{v01_item}"),
            Some(&zb),
            Some(json!({"description": "每月支委会、每季度党员大会和党课", "owner": "zb-v01"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["owner"]["username"], "zb-v01");
    assert_eq!(r.json()["parent_item_id"], a);
    // He adds an item of his own to his branch's list, but not to the committee's.
    let r = post(
        &app,
        &zb,
        &format!("/api/v1/lists/{v01_list}/items"),
        json!({"category": "作风建设", "description": "走访困难党员"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let r = post(
        &app,
        &zb,
        &format!("/api/v1/lists/{list}/items"),
        json!({"category": "作风建设", "description": "x"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // The committee's item carried out by his branch: he sees it and reports on it, but may
    // not void it nor move it to another branch.
    let r = app
        .request(
            Method::GET,
            &format!("/api/v1/list-items/{assigned}"),
            Some(&zb),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let r = post(
        &app,
        &zb,
        &format!("/api/v1/list-items/{assigned}/progress"),
        json!({"reported_on": "2023-06-30", "text": "已办实事5件"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let r = post(
        &app,
        &zb,
        &format!("/api/v1/list-items/{assigned}/void"),
        json!({"reason": "不想做"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .request(
            Method::PATCH,
            &format!("/api/v1/list-items/{assigned}"),
            Some(&zb),
            Some(json!({"org": "qs"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["field"], "org");
    // The committee sees the branches' refinement and progress on its item.
    let r = app
        .request(
            Method::GET,
            &format!("/api/v1/list-items/{a}"),
            Some(&clerk),
            None,
        )
        .await;
    let handed_down = r.json()["handed_down"].clone();
    assert_eq!(handed_down.as_array().unwrap().len(), 2);
    let mine = handed_down
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["org"] == "qs-v01")
        .unwrap();
    assert_eq!(mine["progress_count"], 1);
    assert_eq!(mine["description"], "每月支委会、每季度党员大会和党课");

    // The viewer reads everything and changes nothing.
    let viewer = app.token("quwei").await;
    let r = app
        .request(
            Method::GET,
            &format!("/api/v1/lists/{list}"),
            Some(&viewer),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let before = count(&app, "audit_log").await;
    for (method, uri, body) in [
        (
            Method::POST,
            "/api/v1/lists".to_string(),
            json!({"org": "qs", "year": 2023, "title": "清单"}),
        ),
        (
            Method::PATCH,
            format!("/api/v1/lists/{list}"),
            json!({"title": "改名"}),
        ),
        (
            Method::POST,
            format!("/api/v1/list-items/{a}/progress"),
            json!({"reported_on": "2023-03-31", "text": "x"}),
        ),
        (
            Method::POST,
            format!("/api/v1/list-items/{a}/void"),
            json!({"reason": "x"}),
        ),
    ] {
        let r = app.request(method, &uri, Some(&viewer), Some(body)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{uri}");
    }
    assert_eq!(count(&app, "audit_log").await, before);

    // The leader sees the items of his portfolio, and the home page's query finds them.
    let leader = app.token("fushuji").await;
    let r = app
        .request(
            Method::GET,
            &format!("/api/v1/lists/{list}"),
            Some(&leader),
            None,
        )
        .await;
    let items = r.json()["items"].clone();
    let mine = items
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["owner"]["username"] == "fushuji")
        .count();
    assert_eq!(mine, 1);
    let fushuji = app.account("fushuji").await;
    let due = app
        .state
        .store
        .items_due_for_owner(
            fushuji.id,
            zeren_domain::date::Day::parse("d", "2023-12-01").unwrap(),
            zeren_domain::date::Day::parse("d", "2023-12-31").unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(due.iter().map(|i| i.item.id).collect::<Vec<_>>(), vec![a]);
}

#[tokio::test]
async fn categories_are_read_by_all_and_added_by_the_administrator() {
    let app = demo_app().await;
    let clerk = app.token("dangwu").await;
    let r = app
        .request(Method::GET, "/api/v1/list-categories", Some(&clerk), None)
        .await;
    assert_eq!(r.json().as_array().unwrap().len(), 8);
    let admin = app.token("admin").await;
    let r = post(
        &app,
        &admin,
        "/api/v1/list-categories",
        json!({"name": "统战工作"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert!(r.json().as_array().unwrap().iter().any(|c| c == "统战工作"));
    let r = post(
        &app,
        &admin,
        "/api/v1/list-categories",
        json!({"name": "统战工作"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["field"], "name");
    let r = post(
        &app,
        &admin,
        "/api/v1/list-categories",
        json!({"name": "政治建设"}),
    )
    .await;
    assert_eq!(r.json()["field"], "name");
    let r = post(
        &app,
        &clerk,
        "/api/v1/list-categories",
        json!({"name": "其他"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // The new category is usable at once.
    let (list, _, _) = committee_list(&app, &clerk).await;
    let r = post(
        &app,
        &clerk,
        &format!("/api/v1/lists/{list}/items"),
        json!({"category": "统战工作", "description": "联系党外人士"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
}

#[tokio::test]
async fn the_pages_create_show_and_refuse_like_the_api() {
    let app = demo_app().await;
    let (session, csrf) = app.login("dangwu", USER_PASSWORD).await;
    let r = app.get("/lists", Some(&session)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("责任清单"));
    let r = app.get("/lists/new", Some(&session)).await;
    assert_eq!(r.status, StatusCode::OK);
    let qs = app.org_id("qs").await.to_string();
    // A bad year is shown beside the field; nothing is written.
    let before = count(&app, "resp_lists").await;
    let r = app
        .post_form(
            "/lists",
            &session,
            &[
                ("_csrf", &csrf),
                ("org", &qs),
                ("year", "20x3"),
                ("kind", "responsibility"),
                ("title", ""),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("field-error"));
    assert!(r.body.contains("年度应为四位数字"));
    assert_eq!(count(&app, "resp_lists").await, before);
    // An empty title gets the customary one.
    let r = app
        .post_form(
            "/lists",
            &session,
            &[
                ("_csrf", &csrf),
                ("org", &qs),
                ("year", "2023"),
                ("kind", "responsibility"),
                ("title", ""),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let to = r.location().to_string();
    let list: i64 = to
        .trim_start_matches("/lists/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let page = app.get(&to, Some(&session)).await;
    assert!(page.body.contains("青石镇党委2023年责任清单"));
    assert!(page.body.contains("清单已创建"));
    // Items: a refused one keeps what was typed.
    let fushuji = app.account("fushuji").await.id.to_string();
    let item_uri = format!("/lists/{list}/items");
    let r = app
        .post_form(
            &item_uri,
            &session,
            &[
                ("_csrf", &csrf),
                ("category", "纪律建设"),
                ("description", "开展警示教育"),
                ("owner", &fushuji),
                ("org", &qs),
                ("deadline", "2024-01-01"),
                ("recurrence", ""),
                ("steps", ""),
                ("target_metric", ""),
                ("target_value", ""),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("完成时限应在2023年内"));
    assert!(r.body.contains("开展警示教育"));
    let r = app
        .post_form(
            &item_uri,
            &session,
            &[
                ("_csrf", &csrf),
                ("category", "纪律建设"),
                ("description", "开展警示教育"),
                ("owner", &fushuji),
                ("org", &qs),
                ("deadline", "2023-06-30"),
                ("recurrence", ""),
                ("steps", "观看警示教育片\n撰写心得体会"),
                ("target_metric", ""),
                ("target_value", ""),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = app.get(&format!("/lists/{list}"), Some(&session)).await;
    assert!(page.body.contains("开展警示教育"));
    assert!(page.body.contains("纪律建设"));
    assert!(page.body.contains("撰写心得体会"));
    let item = app.state.store.list_items(list).await.unwrap()[0].item.id;

    // Progress with a file through the page's multipart form.
    let (ctype, body) = multipart(
        &[
            ("reported_on", "2023-04-10"),
            ("text", "已组织观看警示教育片"),
        ],
        &[("观影.pdf", PDF)],
    );
    let r = app
        .send(
            Request::post(format!("/list-items/{item}/progress?_csrf={csrf}"))
                .header(header::COOKIE, format!("zeren_session={session}"))
                .header(header::CONTENT_TYPE, ctype)
                .body(Body::from(body))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = app
        .get(&format!("/list-items/{item}"), Some(&session))
        .await;
    assert!(page.body.contains("已组织观看警示教育片"));
    assert!(page.body.contains("观影.pdf"));
    // Completion without evidence is refused on the page too.
    let (ctype, body) = multipart(&[("completed_on", "2023-06-20"), ("note", "")], &[]);
    let r = app
        .send(
            Request::post(format!("/list-items/{item}/complete?_csrf={csrf}"))
                .header(header::COOKIE, format!("zeren_session={session}"))
                .header(header::CONTENT_TYPE, ctype)
                .body(Body::from(body))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("请上传完成佐证材料"));
    let (ctype, body) = multipart(
        &[("completed_on", "2023-06-20"), ("note", "全体党员参加")],
        &[("签到表.pdf", PDF)],
    );
    let r = app
        .send(
            Request::post(format!("/list-items/{item}/complete?_csrf={csrf}"))
                .header(header::COOKIE, format!("zeren_session={session}"))
                .header(header::CONTENT_TYPE, ctype)
                .body(Body::from(body))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = app
        .get(&format!("/list-items/{item}"), Some(&session))
        .await;
    assert!(page.body.contains("2023-06-20"));
    assert!(page.body.contains("签到表.pdf"));
    // A form without its CSRF token changes nothing.
    let r = app
        .post_form(
            &format!("/list-items/{item}/void"),
            &session,
            &[("reason", "x")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // Hand down through the page; the branch secretary sees the list, another does not.
    let v01 = app.org_id("qs-v01").await.to_string();
    let r = app
        .post_form(
            &format!("/lists/{list}/hand-down"),
            &session,
            &[("_csrf", &csrf), ("item", &item.to_string()), ("org", &v01)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let child = app
        .state
        .store
        .child_lists(list, zeren_domain::date::Day::today())
        .await
        .unwrap();
    assert_eq!(child.len(), 1);
    let (zb, _) = app.login("zb-v01", USER_PASSWORD).await;
    let r = app
        .get(&format!("/lists/{}", child[0].list.id), Some(&zb))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("上级下发自"));
    let r = app.get(&format!("/lists/{list}"), Some(&zb)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let (zb2, _) = app.login("zb-v02", USER_PASSWORD).await;
    let r = app
        .get(&format!("/lists/{}", child[0].list.id), Some(&zb2))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // The viewer reads the pages without any form to change them.
    let (viewer, _) = app.login("quwei", USER_PASSWORD).await;
    let r = app.get(&format!("/lists/{list}"), Some(&viewer)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(!r.body.contains("id=\"item-form\""));
    let r = app.get(&format!("/list-items/{item}"), Some(&viewer)).await;
    assert!(!r.body.contains("id=\"progress-form\""));
}

async fn study_session(app: &TestApp, code: &str, day: &str) {
    let org = app.state.store.org_by_code(code).await.unwrap();
    zeren_storage::sqlx::query(
        "INSERT INTO work_records (org_id, org_path, type_code, title, held_on, created_at, updated_at) \
         VALUES ($1, $2, 'study_group', '理论学习中心组学习', $3, 'x', 'x')",
    )
    .bind(org.id)
    .bind(org.path.as_str())
    .bind(day)
    .execute(app.state.store.pool())
    .await
    .unwrap();
}

#[tokio::test]
async fn a_quantified_target_is_satisfied_by_its_metric_not_by_a_tick() {
    let app = demo_app().await;
    let token = app.token("dangwu").await;
    let (list, _, _) = committee_list(&app, &token).await;
    study_session(&app, "qs", "2023-02-10").await;
    study_session(&app, "qs", "2023-05-10").await;
    let items = format!("/api/v1/lists/{list}/items");
    // Already met when saved: done at once, by the system.
    let r = post(&app, &token, &items, json!({"category": "思想建设", "description": "中心组学习不少于2次", "target_metric": "理论学习中心组学习次数", "target_value": 2})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let met = r.json();
    assert_eq!(met["status"], "done");
    assert_eq!(met["target"]["current"], 2.0);
    assert_eq!(met["target"]["met"], true);
    let (actor,): (String,) = zeren_storage::sqlx::query_as(
        "SELECT actor FROM audit_log WHERE action = 'list_item.status' AND object_id = $1",
    )
    .bind(met["id"].as_i64().unwrap().to_string())
    .fetch_one(app.state.store.pool())
    .await
    .unwrap();
    assert_eq!(actor, "system");
    // Not yet met: open, with its live value on the API and the pages.
    let r = post(&app, &token, &items, json!({"category": "思想建设", "description": "理论学习中心组学习全年不少于12次", "target_metric": "理论学习中心组学习次数", "target_value": 12})).await;
    let open = r.json();
    assert_eq!(open["status"], "open");
    assert_eq!(open["target"]["current"], 2.0);
    assert_eq!(open["target"]["met"], false);
    let id = open["id"].as_i64().unwrap();
    let (session, _) = app.login("dangwu", USER_PASSWORD).await;
    let page = app.get(&format!("/lists/{list}"), Some(&session)).await;
    assert!(
        page.body.contains("<strong>2</strong> / 12次"),
        "live value on the list page"
    );
    let page = app.get(&format!("/list-items/{id}"), Some(&session)).await;
    assert!(page.body.contains("id=\"target-live\""));
    assert!(
        !page.body.contains("id=\"complete-form\""),
        "no tick for a target item"
    );
    // Ten more sessions, then the lead's hook after a record is saved: done.
    for m in 1..=10 {
        study_session(&app, "qs", &format!("2023-{m:02}-20")).await;
    }
    let qs = app.state.store.org_by_code("qs").await.unwrap();
    let changed = app
        .state
        .store
        .refresh_list_targets(&qs.path, 2023)
        .await
        .unwrap();
    assert_eq!(changed.iter().map(|i| i.id).collect::<Vec<_>>(), vec![id]);
    let r = app
        .request(
            Method::GET,
            &format!("/api/v1/list-items/{id}"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(r.json()["status"], "done");
    assert_eq!(r.json()["target"]["current"], 12.0);

    // An administrator's own metric can be a target too.
    let admin = app.token("admin").await;
    let def = json!({"name": "中心组专题研讨次数", "unit": "次", "kind": "count", "source": "records", "filter": {"types": ["study_group"]}});
    let r = post(&app, &admin, "/api/v1/metric-defs", def).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let r = post(&app, &token, &items, json!({"category": "思想建设", "description": "专题研讨", "target_metric": "中心组专题研讨次数", "target_value": 20})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.json()["target"]["current"], 12.0);
    // Changing the target value re-evaluates: 12 ≥ 10.
    let cid = r.json()["id"].as_i64().unwrap();
    let r = app
        .request(
            Method::PATCH,
            &format!("/api/v1/list-items/{cid}"),
            Some(&token),
            Some(json!({"target_value": 10})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["status"], "done");
}

#[tokio::test]
async fn a_target_follows_records_saved_changed_and_voided_through_the_api() {
    let app = demo_app().await;
    let token = app.token("dangwu").await;
    let (list, _, _) = committee_list(&app, &token).await;
    study_session(&app, "qs", "2023-02-10").await;
    let r = post(&app, &token, &format!("/api/v1/lists/{list}/items"), json!({"category": "思想建设", "description": "中心组学习不少于2次", "target_metric": "理论学习中心组学习次数", "target_value": 2})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.json()["status"], "open");
    let item = r.json()["id"].as_i64().unwrap();
    // The second session, recorded by the clerk: the item is done at once.
    let session = json!({"org": "qs", "type": "study_group", "title": "中心组专题学习", "held_on": "2023-06-08", "place": "党委会议室", "host": "书记", "content": "专题学习"});
    let r = post(&app, &token, "/api/v1/records", session).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let record = r.json()["id"].as_i64().unwrap();
    assert_eq!(
        item_status(&app, &token, item).await,
        ("done".to_string(), Some(2.0))
    );
    // Moved to the next year, it no longer counts for 2023: open again.
    let r = app
        .request(
            Method::PATCH,
            &format!("/api/v1/records/{record}"),
            Some(&token),
            Some(json!({"held_on": "2024-01-08"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        item_status(&app, &token, item).await,
        ("open".to_string(), Some(1.0))
    );
    // Back in 2023, then voided: done, then open.
    let r = app
        .request(
            Method::PATCH,
            &format!("/api/v1/records/{record}"),
            Some(&token),
            Some(json!({"held_on": "2023-06-08"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        item_status(&app, &token, item).await,
        ("done".to_string(), Some(2.0))
    );
    let r = post(
        &app,
        &token,
        &format!("/api/v1/records/{record}/void"),
        json!({"reason": "重复录入"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        item_status(&app, &token, item).await,
        ("open".to_string(), Some(1.0))
    );
}

async fn item_status(app: &TestApp, token: &str, item: i64) -> (String, Option<f64>) {
    let r = app
        .request(
            Method::GET,
            &format!("/api/v1/list-items/{item}"),
            Some(token),
            None,
        )
        .await;
    let v = r.json();
    (
        v["status"].as_str().unwrap().to_string(),
        v["target"]["current"].as_f64(),
    )
}
