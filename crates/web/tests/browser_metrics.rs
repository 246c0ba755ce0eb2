//! In a real browser: the demo township's figures for 2023, one opened to the records behind
//! it, and a record reached from there; desktop and phone screenshots.

mod browser_support;
mod common;

use browser_support::start;
use common::{demo_app_with_year, USER_PASSWORD};

#[tokio::test]
async fn a_figure_opens_to_the_records_that_make_it() {
    let app = demo_app_with_year().await;
    let b = start(&app).await;
    b.login("dangwu", USER_PASSWORD).await;
    b.text("#current-user").await;
    b.goto("/").await;
    b.shot("m00-desk-clerk").await;
    b.goto("/metrics?org=qs&from=2023-01-01&to=2023-12-31")
        .await;
    assert!(b.text("#metrics-scope").await.contains("青石镇党委"));
    b.shot("m01-metrics-2023").await;
    // 巡察整改完成率 93.3%: its records are the 45 problems fed back, 42 counted as closed.
    b.click("a[data-metric='巡察整改完成率']").await;
    assert_eq!(b.text("#metric-value").await, "93.3");
    assert!(b.text("main").await.contains("构成该数字的记录（45 条）"));
    b.shot("m02-metric-records").await;
    b.click("#metric-rows tbody tr:first-child a").await;
    assert!(b.path().await.starts_with("/problems/"));
    b.shot("m03-problem-from-figure").await;
    // A count of records opens to the records themselves.
    b.goto("/metrics?org=qs&from=2023-01-01&to=2023-12-31")
        .await;
    b.click("a[data-metric='理论学习中心组学习次数']").await;
    assert_eq!(b.text("#metric-value").await, "8");
    b.click("#metric-rows tbody tr:first-child a").await;
    assert!(b.path().await.starts_with("/records/"));
    b.shot("m04-record-from-figure").await;
    b.client.set_window_size(375, 812).await.unwrap();
    b.goto("/metrics?org=qs&from=2023-01-01&to=2023-12-31")
        .await;
    b.text("#metrics-scope").await;
    b.shot("m05-metrics-phone").await;
    for (path, name) in [
        ("/records", "m06-records-phone"),
        ("/problems", "m07-problems-phone"),
        ("/lists?year=2023", "m08-lists-phone"),
        ("/meetings", "m09-meetings-phone"),
    ] {
        b.goto(path).await;
        b.text("main").await;
        b.shot(name).await;
    }
    b.client.set_window_size(1440, 1000).await.unwrap();
    for (path, name) in [
        ("/records", "m10-records"),
        ("/problems", "m11-problems"),
        ("/lists?year=2023", "m12-lists"),
        (
            "/meetings?from=2023-01-01&to=2023-12-31",
            "m13-meetings-2023",
        ),
        ("/members", "m14-members"),
        ("/risks", "m15-risks"),
    ] {
        b.goto(path).await;
        b.text("main").await;
        b.shot(name).await;
    }
    b.client.clone().close().await.unwrap();
}
