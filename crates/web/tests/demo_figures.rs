//! The demo township's 2023 produces, through the metric layer, every figure its annual
//! report cites (`FIGURES.md`), and the figures follow the records: add one, and the figure
//! moves.

mod common;

use axum::http::{Method, StatusCode};
use common::demo_app_with_year;
use serde_json::json;

/// The figures of the township report (FIGURES.md), written out here independently of the
/// demo loader: the metric, and the value the report cites. "1200余", "10余" and "1000余"
/// are checked as what they say (at least 1200, below 1300 …) as well as exactly.
const FIGURES: [(&str, f64); 50] = [
    ("理论学习中心组学习次数", 8.0),
    ("读书班期数", 3.0),
    ("集中学习研讨班次数", 4.0),
    ("培训人次", 210.0),
    ("培训班期数", 24.0),
    ("参训人次", 1236.0),
    ("网络专题学习项数", 45.0),
    ("网络专题学习学时", 450.0),
    ("党建工作会次数", 3.0),
    ("班子成员任务完成率", 100.0),
    ("履责汇报专题会议次数", 2.0),
    ("专项监督次数", 8.0),
    ("专项监督发现问题数", 24.0),
    ("党建巡查次数", 4.0),
    ("党建巡查通报问题数", 13.0),
    ("谈心谈话人次", 13.0),
    ("民主生活会查摆方面数", 6.0),
    ("民主生活会查摆问题数", 20.0),
    ("民主生活会整改措施数", 35.0),
    ("巡察反馈问题数", 45.0),
    ("巡察反馈已整改数", 42.0),
    ("巡察整改完成率", 93.3),
    ("村级巡察反馈问题数", 35.0),
    ("村级巡察反馈已整改数", 34.0),
    ("村级巡察整改完成率", 97.1),
    ("单位廉政风险点数", 8.0),
    ("单位廉政风险防控措施数", 16.0),
    ("个人廉政风险点数", 25.0),
    ("个人廉政风险防控措施数", 46.0),
    ("公众号文章数", 430.0),
    ("区级媒体采用数", 310.0),
    ("市级媒体采用数", 210.0),
    ("国家级媒体采用数", 24.0),
    ("志愿服务活动次数", 12.0),
    ("志愿服务参与人次", 1040.0),
    ("发展党员数", 56.0),
    ("发展党员35岁以下人数", 45.0),
    ("发展党员35岁以下占比", 80.3),
    ("党支部数", 16.0),
    ("党员信息完整率", 100.0),
    ("党员信息准确率", 100.0),
    ("警示教育大会和廉政培训次数", 5.0),
    ("廉政履职谈话人次", 243.0),
    ("心得体会篇数", 56.0),
    ("警示教育片部数", 4.0),
    ("第一种形态人次", 10.0),
    ("记过处分人次", 10.0),
    ("严重警告处分人次", 10.0),
    ("开除党籍人次", 10.0),
    ("一把手廉政谈话人次", 10.0),
];

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
