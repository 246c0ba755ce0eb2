//! In a real browser: a branch secretary records a 支委会 with its attendance (one member
//! absent with a reason) and a photo, finds it in the list, and sees it counted in 三会一课.

mod browser_support;
mod common;

use axum::http::{Method, StatusCode};
use browser_support::start;
use common::{demo_app, USER_PASSWORD};
use fantoccini::Locator;
use serde_json::json;
use zeren_domain::date::Day;

#[tokio::test]
async fn a_branch_secretary_records_a_branch_committee_meeting() {
    let app = demo_app().await;
    // The branch's roster.
    let token = app.token("zb-v01").await;
    let mut members = Vec::new();
    for (name, birth) in [
        ("王大山", "1968-02-03"),
        ("李小红", "1995-08-09"),
        ("赵卫东", "1979-11-20"),
    ] {
        let r = app
            .request(
                Method::POST,
                "/api/v1/members",
                Some(&token),
                Some(json!({"org": "qs-v01", "name": name, "birth_date": birth, "joined_on": "2012-07-01", "status": "full"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        members.push(r.json()["id"].as_i64().unwrap());
    }
    let today = Day::today().text();
    let b = start(&app).await;
    b.login("zb-v01", USER_PASSWORD).await;
    b.goto("/records").await;
    assert!(b.text("main").await.contains("工作纪实"));
    b.click("#new-record").await;
    // One branch: its form at once, with its members to tick.
    assert_eq!(b.text("#record-org").await, "东岭村党支部");
    assert!(b.text("#attendance-table").await.contains("赵卫东"));
    b.shot("r01-record-form").await;
    // The fields follow the type: publicity has no place but an outlet level…
    b.select("#rec-type", "publicity").await;
    assert!(!b
        .client
        .find(Locator::Css("#rec-place"))
        .await
        .unwrap()
        .is_displayed()
        .await
        .unwrap());
    assert!(b
        .client
        .find(Locator::Css("#rec-outlet"))
        .await
        .unwrap()
        .is_displayed()
        .await
        .unwrap());
    assert_eq!(b.text("#items-label").await, "篇数");
    // …a 支委会 has place, host, recorder and attendance.
    b.select("#rec-type", "branch_committee").await;
    assert!(b
        .client
        .find(Locator::Css("#rec-place"))
        .await
        .unwrap()
        .is_displayed()
        .await
        .unwrap());
    b.fill("#rec-title", "支委会（研究发展党员工作）").await;
    b.client
        .execute(
            "document.getElementById('rec-held-on').value = arguments[0];",
            vec![json!(today)],
        )
        .await
        .unwrap();
    b.fill("#rec-place", "东岭村党群服务中心").await;
    b.fill("#rec-host", "李明").await;
    b.fill("#rec-recorder", "李小红").await;
    b.fill(
        "#rec-content",
        "一、学习传达上级会议精神；\n二、研究确定入党积极分子人选。",
    )
    .await;
    let absent = members[0];
    b.click(&format!("#att-{absent}-out")).await;
    b.fill(&format!("#reason-{absent}"), "外出务工").await;
    b.shot("r02-record-filled").await;
    b.submit("#record-submit").await;

    // The record page: attendance, and the photo uploaded there.
    assert_eq!(b.text("#record-title").await, "支委会（研究发展党员工作）");
    assert!(b.text(".notice").await.contains("纪实已登记"));
    assert!(b.text("#attendance-summary").await.contains("实到 2 人"));
    assert!(b.text("#absent-list").await.contains("王大山：外出务工"));
    let photo =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/meeting-photo.png");
    b.client
        .find(Locator::Css("#upload-file"))
        .await
        .unwrap()
        .send_keys(photo.to_str().unwrap())
        .await
        .unwrap();
    b.submit("#upload-submit").await;
    assert!(b.text(".notice").await.contains("佐证材料已上传"));
    let thumb = b.client.find(Locator::Css("#thumbs img")).await.unwrap();
    // The thumbnail really loaded (the image is served to this user).
    let width = b
        .client
        .execute(
            "return document.querySelector('#thumbs img').naturalWidth;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(width, json!(360));
    assert_eq!(
        thumb.attr("alt").await.unwrap().as_deref(),
        Some("meeting-photo.png")
    );
    assert!(b.text("#history").await.contains("上传佐证材料"));
    b.shot("r03-record-page").await;
    b.client
        .execute(
            "document.getElementById('evidence').scrollIntoView();",
            vec![],
        )
        .await
        .unwrap();
    b.shot("r03b-record-evidence").await;

    // In the list…
    b.goto("/records").await;
    assert!(b
        .text("#records-table")
        .await
        .contains("支委会（研究发展党员工作）"));
    b.shot("r04-records-list").await;
    // …and counted in 三会一课 for this year.
    b.goto("/meetings").await;
    let cell = b.text("#m-qs-v01-branch_committee").await;
    assert!(cell.starts_with("1/"), "{cell}");
    b.shot("r05-meetings-branch").await;

    // The committee's secretary sees the branch's meeting without anyone re-entering it.
    b.logout().await;
    b.login("shuji", USER_PASSWORD).await;
    b.goto("/meetings").await;
    assert!(b.text("#m-qs-v01-branch_committee").await.starts_with("1/"));
    assert!(b.text("#m-qs-v02-branch_committee").await.starts_with("0/"));
    b.shot("r06-meetings-committee").await;
    b.goto("/members").await;
    assert!(b.text("#members-table").await.contains("李小红"));
    b.shot("r07-members").await;
    b.goto(&format!("/members/{}", members[1])).await;
    b.shot("r07b-member").await;

    // Phones (375 px): the same pages stay usable.
    b.client.set_window_size(375, 900).await.unwrap();
    b.goto("/records").await;
    b.shot("r08-phone-records").await;
    let id = app
        .state
        .store
        .records(&zeren_storage::RecordQuery {
            roots: vec![app.state.store.org_by_code("qs").await.unwrap().path],
            limit: 1,
            ..Default::default()
        })
        .await
        .unwrap()
        .rows[0]
        .id;
    b.goto(&format!("/records/{id}")).await;
    b.shot("r09-phone-record").await;
    b.goto("/meetings").await;
    b.shot("r10-phone-meetings").await;
    b.goto("/records/new").await;
    b.shot("r11-phone-form").await;
}
