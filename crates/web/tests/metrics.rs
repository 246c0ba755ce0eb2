//! The metric API and pages: every figure over a subtree and a period, the rows behind it,
//! who may see which rows, and clear answers to bad questions.

mod common;

use axum::http::{Method, StatusCode};
use common::{demo_app, TestApp};
use serde_json::json;

async fn sql(app: &TestApp, q: &str) {
    zeren_storage::sqlx::query(q)
        .execute(app.state.store.pool())
        .await
        .unwrap();
}

/// A study session of the committee and a training course of a village branch, written
/// directly so this test depends on the metric layer only.
async fn some_records(app: &TestApp) {
    let qs = app.state.store.org_by_code("qs").await.unwrap();
    let v1 = app.state.store.org_by_code("qs-v01").await.unwrap();
    let now = "2024-01-01T00:00:00.000Z";
    for (o, ty, day, pt) in [
        (&qs, "study_group", "2023-03-01", 20),
        (&qs, "study_group", "2023-09-01", 21),
        (&v1, "training", "2023-05-01", 48),
    ] {
        sql(app, &format!(
            "INSERT INTO work_records (org_id, org_path, type_code, title, held_on, person_times, created_at, updated_at) \
             VALUES ({}, '{}', '{ty}', '{ty}', '{day}', {pt}, '{now}', '{now}')",
            o.id, o.path.as_str()
        )).await;
    }
    sql(app, &format!(
        "INSERT INTO discipline_records (org_id, org_path, person_name, form, sanction, decided_on, created_at, updated_at) \
         VALUES ({}, '{}', '某某某', 1, '', '2023-06-01', '{now}', '{now}')",
        v1.id, v1.path.as_str()
    )).await;
}

fn value(list: &serde_json::Value, name: &str) -> serde_json::Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == name)
        .unwrap_or_else(|| panic!("no metric {name}"))["value"]
        .clone()
}

#[tokio::test]
async fn every_metric_over_a_subtree_and_a_period() {
    let app = demo_app().await;
    some_records(&app).await;
    let token = app.token("dangwu").await;
    let r = app
        .request(
            Method::GET,
            "/api/v1/metrics?org=qs&from=2023-01-01&to=2023-12-31",
            Some(&token),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let list = r.json();
    let catalog = app.state.store.metric_catalog().await.unwrap();
    assert_eq!(list.as_array().unwrap().len(), catalog.len());
    for m in list.as_array().unwrap() {
        assert_eq!(m.as_object().unwrap().len(), 3, "name, value, unit: {m}");
    }
    assert_eq!(value(&list, "理论学习中心组学习次数"), json!(2.0));
    assert_eq!(value(&list, "参训人次"), json!(48.0));
    assert_eq!(value(&list, "党支部数"), json!(16.0));
    assert_eq!(value(&list, "第一种形态人次"), json!(1.0));
    assert_eq!(value(&list, "巡察整改完成率"), json!(null));
    // A branch's subtree: its own figures only.
    let r = app
        .request(
            Method::GET,
            "/api/v1/metrics?org=qs-v01&from=2023-01-01&to=2023-12-31",
            Some(&token),
            None,
        )
        .await;
    assert_eq!(value(&r.json(), "理论学习中心组学习次数"), json!(0.0));
    assert_eq!(value(&r.json(), "参训人次"), json!(48.0));
    // Another year.
    let r = app
        .request(
            Method::GET,
            "/api/v1/metrics?org=qs&from=2022-01-01&to=2022-12-31",
            Some(&token),
            None,
        )
        .await;
    assert_eq!(value(&r.json(), "参训人次"), json!(0.0));
}

#[tokio::test]
async fn the_rows_behind_a_value() {
    let app = demo_app().await;
    some_records(&app).await;
    let token = app.token("dangwu").await;
    let r = app
        .request(
            Method::GET,
            "/api/v1/metrics/%E7%90%86%E8%AE%BA%E5%AD%A6%E4%B9%A0%E4%B8%AD%E5%BF%83%E7%BB%84%E5%AD%A6%E4%B9%A0%E6%AC%A1%E6%95%B0/records?org=qs&from=2023-01-01&to=2023-12-31",
            Some(&token),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let body = r.json();
    assert_eq!(body["value"], json!(2.0));
    assert_eq!(body["total"], json!(2));
    let rows = body["rows"].as_array().unwrap();
    assert_eq!(rows[0]["day"], "2023-09-01");
    assert!(rows[0]["href"].as_str().unwrap().starts_with("/records/"));
    assert_eq!(rows[0]["org"], "青石镇党委");
}

#[tokio::test]
async fn discipline_rows_are_for_the_secretary_and_inspector_only() {
    let app = demo_app().await;
    some_records(&app).await;
    let path = "/api/v1/metrics/%E7%AC%AC%E4%B8%80%E7%A7%8D%E5%BD%A2%E6%80%81%E4%BA%BA%E6%AC%A1/records?org=qs&from=2023-01-01&to=2023-12-31";
    for user in ["dangwu", "fushuji", "admin", "quwei", "zb-v01"] {
        let token = app.token(user).await;
        let r = app.request(Method::GET, path, Some(&token), None).await;
        assert!(
            r.status == StatusCode::FORBIDDEN || r.status == StatusCode::NOT_FOUND,
            "{user}: {}",
            r.status
        );
        assert!(!r.body.contains("某某某"), "{user} saw a name");
    }
    for user in ["shuji", "jiwei"] {
        let token = app.token(user).await;
        let r = app.request(Method::GET, path, Some(&token), None).await;
        assert_eq!(r.status, StatusCode::OK, "{user}");
        assert!(r.body.contains("某某某"));
    }
    // Everyone may see the count.
    let token = app.token("dangwu").await;
    let r = app
        .request(
            Method::GET,
            "/api/v1/metrics?org=qs&from=2023-01-01&to=2023-12-31",
            Some(&token),
            None,
        )
        .await;
    assert_eq!(value(&r.json(), "第一种形态人次"), json!(1.0));
}

#[tokio::test]
async fn bad_questions_get_clear_answers() {
    let app = demo_app().await;
    let token = app.token("zb-v01").await;
    // Outside the user's subtree: not revealed.
    let r = app
        .request(
            Method::GET,
            "/api/v1/metrics?org=qs-v02",
            Some(&token),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.json()["code"], "not_found");
    let r = app
        .request(
            Method::GET,
            "/api/v1/metrics?org=nosuch",
            Some(&token),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // Malformed and reversed periods.
    let r = app
        .request(
            Method::GET,
            "/api/v1/metrics?org=qs-v01&from=2023-13-01",
            Some(&token),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["field"], "from");
    let r = app
        .request(
            Method::GET,
            "/api/v1/metrics?org=qs-v01&from=2023-12-31&to=2023-01-01",
            Some(&token),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json()["message"].as_str().unwrap().contains("不能早于"));
    // An unknown metric.
    let r = app
        .request(
            Method::GET,
            "/api/v1/metrics/%E6%97%A0%E6%AD%A4%E6%8C%87%E6%A0%87/records?org=qs-v01",
            Some(&token),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.json()["message"].as_str().unwrap().contains("无此指标"));
    // Without org: the user's own organization.
    let r = app
        .request(
            Method::GET,
            "/api/v1/metrics?from=2023-01-01&to=2023-12-31",
            Some(&token),
            None,
        )
        .await;
    assert_eq!(value(&r.json(), "党支部数"), json!(1.0));
}

#[tokio::test]
async fn an_administrator_adds_a_metric_others_cannot() {
    let app = demo_app().await;
    some_records(&app).await;
    let def = json!({"name": "学习培训人次", "unit": "人次", "kind": "sum", "source": "records",
        "field": "person_times", "filter": {"types": ["study_group", "training"]}});
    let clerk = app.token("dangwu").await;
    let r = app
        .request(
            Method::POST,
            "/api/v1/metric-defs",
            Some(&clerk),
            Some(def.clone()),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let admin = app.token("admin").await;
    let r = app
        .request(
            Method::POST,
            "/api/v1/metric-defs",
            Some(&admin),
            Some(def.clone()),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let r = app
        .request(
            Method::GET,
            "/api/v1/metrics?org=qs&from=2023-01-01&to=2023-12-31",
            Some(&clerk),
            None,
        )
        .await;
    assert_eq!(value(&r.json(), "学习培训人次"), json!(89.0));
    // Errors name the field: a duplicate, an unknown filter, a ratio of an unknown metric.
    let r = app
        .request(Method::POST, "/api/v1/metric-defs", Some(&admin), Some(def))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["field"], "name");
    let bad = json!({"name": "某比率", "unit": "%", "kind": "ratio", "numerator": "参训人次", "denominator": "没有这个"});
    let r = app
        .request(Method::POST, "/api/v1/metric-defs", Some(&admin), Some(bad))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["field"], "denominator");
    let bad = json!({"name": "某计数", "unit": "个", "kind": "count", "source": "problems", "filter": {"types": ["x"]}});
    let r = app
        .request(Method::POST, "/api/v1/metric-defs", Some(&admin), Some(bad))
        .await;
    assert_eq!(r.json()["field"], "filter");
}

#[tokio::test]
async fn the_pages_link_every_figure_to_its_records() {
    let app = demo_app().await;
    some_records(&app).await;
    let (session, _) = app.login("dangwu", common::USER_PASSWORD).await;
    let page = app
        .get(
            "/metrics?org=qs&from=2023-01-01&to=2023-12-31",
            Some(&session),
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("理论学习中心组学习次数"));
    assert!(page.body.contains("/metrics/%E5%8F%82%E8%AE%AD%E4%BA%BA%E6%AC%A1?org=qs&#38;from=2023-01-01&#38;to=2023-12-31"));
    let detail = app
        .get(
            "/metrics/%E5%8F%82%E8%AE%AD%E4%BA%BA%E6%AC%A1?org=qs&from=2023-01-01&to=2023-12-31",
            Some(&session),
        )
        .await;
    assert_eq!(detail.status, StatusCode::OK);
    assert!(detail.body.contains("id=\"metric-value\">48<"));
    assert!(detail.body.contains("东岭村党支部"));
    let bad = app.get("/metrics?org=qs&from=xx", Some(&session)).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("无法识别"));
}
