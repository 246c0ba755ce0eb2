//! The demo township's 2023 produces, through the metric layer, every figure its annual
//! report cites (`FIGURES.md`), and the figures follow the records: add one, and the figure
//! moves.

mod common;

use axum::http::{Method, StatusCode};
use common::demo_app_with_year;
use common::figures::FIGURES;
use serde_json::json;

fn value(list: &serde_json::Value, name: &str) -> Option<f64> {
    list.as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == name)
        .unwrap_or_else(|| panic!("no metric {name}"))["value"]
        .as_f64()
}

#[tokio::test]
async fn the_demo_township_produces_every_figure_of_its_annual_report() {
    let app = demo_app_with_year().await;
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
    let mut wrong = Vec::new();
    for (name, expected) in FIGURES {
        let got = value(&list, name);
        if got != Some(expected) {
            wrong.push(format!("{name}: expected {expected}, got {got:?}"));
        }
    }
    assert!(
        wrong.is_empty(),
        "figures that differ:\n{}",
        wrong.join("\n")
    );
    // The report's rounded figures say what the records hold.
    assert!(
        (1200.0..1300.0).contains(&value(&list, "参训人次").unwrap()),
        "1200余"
    );
    assert!(
        (10.0..20.0).contains(&value(&list, "志愿服务活动次数").unwrap()),
        "10余"
    );
    assert!(
        (1000.0..1100.0).contains(&value(&list, "志愿服务参与人次").unwrap()),
        "1000余"
    );
    // Every figure the report cites is in the catalogue's list of report figures, and the
    // other way round.
    let mut named: Vec<&str> = FIGURES.iter().map(|f| f.0).collect();
    let mut catalogue = zeren_domain::metrics::REPORT_FIGURES.to_vec();
    named.sort_unstable();
    catalogue.sort_unstable();
    assert_eq!(named, catalogue);
}

#[tokio::test]
async fn the_rows_behind_a_figure_are_the_records_that_make_it() {
    let app = demo_app_with_year().await;
    let token = app.token("dangwu").await;
    let r = app
        .request(
            Method::GET,
            "/api/v1/metrics/%E5%B7%A1%E5%AF%9F%E6%95%B4%E6%94%B9%E5%AE%8C%E6%88%90%E7%8E%87/records?org=qs&from=2023-01-01&to=2023-12-31&limit=100",
            Some(&token),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let body = r.json();
    assert_eq!(body["value"], json!(93.3));
    assert_eq!(body["total"], json!(45));
    let rows = body["rows"].as_array().unwrap();
    assert_eq!(
        rows.iter()
            .filter(|r| r["in_numerator"] == json!(true))
            .count(),
        42
    );
    for row in rows {
        let page = app.get(row["href"].as_str().unwrap(), None).await;
        // Each row links to its problem's page (behind the login).
        assert!(page.status == StatusCode::SEE_OTHER, "{}", row["href"]);
    }
}

#[tokio::test]
async fn figures_follow_records_added_through_the_api() {
    let app = demo_app_with_year().await;
    let token = app.token("dangwu").await;
    let url = "/api/v1/metrics?org=qs&from=2023-01-01&to=2023-12-31";
    let before = app
        .request(Method::GET, url, Some(&token), None)
        .await
        .json();
    // One more study session, one more training course (a village branch's: it counts for
    // the committee above it without being entered twice).
    let r = app
        .request(
            Method::POST,
            "/api/v1/records",
            Some(&token),
            Some(json!({"org": "qs", "type": "study_group", "title": "党委理论学习中心组补充学习", "held_on": "2023-12-30", "person_times": 15})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let r = app
        .request(
            Method::POST,
            "/api/v1/records",
            Some(&token),
            Some(json!({"org": "qs-v03", "type": "training", "title": "南庄村党员冬训班", "held_on": "2023-12-12", "person_times": 40, "sessions": 1})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let after = app
        .request(Method::GET, url, Some(&token), None)
        .await
        .json();
    assert_eq!(
        value(&after, "理论学习中心组学习次数"),
        Some(value(&before, "理论学习中心组学习次数").unwrap() + 1.0)
    );
    assert_eq!(
        value(&after, "培训班期数"),
        Some(value(&before, "培训班期数").unwrap() + 1.0)
    );
    assert_eq!(
        value(&after, "参训人次"),
        Some(value(&before, "参训人次").unwrap() + 40.0)
    );
    // A record in another year changes nothing of 2023.
    let r = app
        .request(
            Method::POST,
            "/api/v1/records",
            Some(&token),
            Some(json!({"org": "qs", "type": "study_group", "title": "次年学习", "held_on": "2024-01-05", "person_times": 15})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let later = app
        .request(Method::GET, url, Some(&token), None)
        .await
        .json();
    assert_eq!(
        value(&later, "理论学习中心组学习次数"),
        value(&after, "理论学习中心组学习次数")
    );
}
