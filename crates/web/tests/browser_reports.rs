//! In a real browser: the demo township's clerk drafts the 2023 annual report, opens a figure
//! to the records behind it, edits a paragraph around a bound figure, sees the change between
//! versions, refreshes a figure the records have moved and downloads the Word file; desktop
//! and phone screenshots (r00–r12).

mod browser_support;
mod common;

use axum::http::{header, Method, StatusCode};
use browser_support::start;
use common::{demo_app_with_year, USER_PASSWORD};
use fantoccini::Locator;
use serde_json::json;

#[tokio::test]
async fn a_clerk_drafts_traces_edits_and_exports_the_annual_report() {
    let app = demo_app_with_year().await;
    let b = start(&app).await;
    b.login("dangwu", USER_PASSWORD).await;
    b.text("#current-user").await;
    b.goto("/reports").await;
    assert!(b.text("#new-report").await.contains("生成报告"));
    b.select("#report-kind", "annual").await;
    b.select("#report-org", "qs").await;
    b.select("#report-preset", "2023").await;
    b.shot("r00-reports-new").await;
    b.submit("#generate").await;
    assert!(b
        .text("#report-title")
        .await
        .contains("关于2023年度落实全面从严治党主体责任情况的报告"));
    let path = b.path().await;
    let id: i64 = path.trim_start_matches("/reports/").parse().unwrap();
    assert_eq!(b.text("#count-errors").await, "0");
    assert_eq!(b.text("#count-warnings").await, "0");
    b.shot("r01-report").await;

    // A figure opens to the records that make it.
    let figure = "a.fig[data-metric='理论学习中心组学习次数']";
    assert_eq!(b.text(figure).await, "8");
    b.click(figure).await;
    assert!(b.path().await.starts_with("/metrics/"));
    assert_eq!(b.text("#metric-value").await, "8");
    let rows = b
        .client
        .find_all(Locator::Css("#metric-rows tbody tr"))
        .await
        .unwrap();
    assert_eq!(rows.len(), 8);
    b.shot("r02-figure-records").await;
    b.client.back().await.unwrap();
    b.text("#report-title").await;

    // Edit the paragraph around the figure; the figure stays bound.
    b.click("#edit-report").await;
    b.text("#report-edit").await;
    let mut target = None;
    for t in b.client.find_all(Locator::Css("textarea")).await.unwrap() {
        let value = t.prop("value").await.unwrap().unwrap_or_default();
        if value.contains("全年开展党委理论学习中心组学习⟦8⟧次") {
            target = Some((t, value));
        }
    }
    let (area, value) = target.expect("the study paragraph");
    area.clear().await.unwrap();
    area.send_keys(&value.replace("全年开展", "全年扎实开展"))
        .await
        .unwrap();
    b.fill("#edit-note", "润色理论学习部分").await;
    b.client
        .execute(
            "arguments[0].scrollIntoView({block: 'center'});",
            vec![serde_json::to_value(&area).unwrap()],
        )
        .await
        .unwrap();
    b.shot("r03-edit").await;
    b.submit("#save-report").await;
    assert!(b.text(".notice").await.contains("已保存为新版本"));
    assert!(b
        .text("#report-doc")
        .await
        .contains("全年扎实开展党委理论学习中心组学习8次"));
    assert_eq!(b.text(figure).await, "8");
    assert_eq!(b.text("#report-version").await, "第2版");

    // The versions page shows what changed.
    b.click("#report-versions").await;
    assert!(b.text("#diff ins").await.contains("扎实"));
    b.shot("r04-versions").await;

    // The records move: the figure is marked, and a refresh rewrites it alone.
    let token = app.token("dangwu").await;
    let r = app
        .request(
            Method::POST,
            "/api/v1/records",
            Some(&token),
            Some(json!({"org": "qs", "type": "study_group", "title": "党委理论学习中心组补充学习", "held_on": "2023-12-30", "person_times": 15})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    b.goto(&path).await;
    assert!(b.text("#stale-bar").await.contains("1 处数字"));
    b.client
        .execute(
            "document.querySelector('#report-doc .fig-stale').scrollIntoView({block: 'center'});",
            vec![],
        )
        .await
        .unwrap();
    b.shot("r05-stale").await;
    b.client
        .execute("window.scrollTo(0, 0);", vec![])
        .await
        .unwrap();
    b.submit("#refresh-figures").await;
    assert!(b.text(".notice").await.contains("刷新数字"));
    assert_eq!(b.text(figure).await, "9");
    assert!(b
        .text("#report-doc")
        .await
        .contains("全年扎实开展党委理论学习中心组学习9次"));
    b.shot("r06-refreshed").await;

    // Word: the link the page offers answers with the file for this session.
    let href = b
        .client
        .find(Locator::Css("#export-docx"))
        .await
        .unwrap()
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(href, format!("/reports/{id}/export?format=docx&version=3"));
    let cookie = b
        .client
        .get_named_cookie("zeren_session")
        .await
        .unwrap()
        .value()
        .to_string();
    let file = app.get(&href, Some(&cookie)).await;
    assert_eq!(file.status, StatusCode::OK);
    assert_eq!(
        file.headers[header::CONTENT_TYPE],
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    );
    assert!(file.headers[header::CONTENT_DISPOSITION]
        .to_str()
        .unwrap()
        .contains("filename*=UTF-8''"));

    // The side panel further down, then the phone.
    b.goto(&format!("{path}#report-blanks")).await;
    b.shot("r07-report-side").await;
    b.client.set_window_size(375, 812).await.unwrap();
    b.goto(&path).await;
    b.text("#report-title").await;
    b.shot("r08-report-phone").await;
    b.goto(&format!("{path}#report-check")).await;
    b.shot("r09-report-check-phone").await;
    b.goto("/reports").await;
    b.text("#report-table").await;
    b.shot("r10-reports-phone").await;
    b.goto(&format!("/reports/{id}/edit")).await;
    b.text("#report-edit").await;
    b.shot("r11-edit-phone").await;
    b.goto(&format!("/reports/{id}/versions?from=1&to=3")).await;
    b.text("#diff").await;
    b.shot("r12-versions-phone").await;
    b.client.clone().close().await.unwrap();
}
