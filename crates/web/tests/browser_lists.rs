//! 责任清单 in a real browser: the clerk builds the committee's 2023 list, hands an item down
//! to 东岭村党支部, whose secretary reports progress with a photo; screenshots of every page at
//! desktop and phone width go to `target/screenshots/`.

mod browser_support;
mod common;

use browser_support::start;
use common::{demo_app, USER_PASSWORD};
use fantoccini::Locator;

/// A small PNG (the bytes are checked, not the name).
fn png() -> Vec<u8> {
    let mut bytes = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
    bytes.extend_from_slice(b"\0\0\0\rIHDR meeting photo");
    bytes
}

#[tokio::test]
async fn clerk_builds_and_hands_down_a_list_and_the_branch_reports_progress() {
    let app = demo_app().await;
    let b = start(&app).await;
    let fushuji = app.account("fushuji").await;
    let v01 = app.org_id("qs-v01").await;

    // The clerk creates the committee's 2023 list.
    b.login("dangwu", USER_PASSWORD).await;
    b.goto("/lists").await;
    assert!(b.text("nav.sidebar").await.contains("责任清单"));
    b.click("#new-list").await;
    b.fill("#list-year", "2023").await;
    b.submit("#list-submit").await;
    assert_eq!(b.text("#list-title").await, "青石镇党委2023年责任清单");
    assert!(b.text(".notice").await.contains("清单已创建"));
    b.shot("lists-01-new-list-empty").await;

    // First item: owned by the deputy secretary, with a deadline and steps.
    b.select("#item-category", "组织建设").await;
    b.fill(
        "#item-description",
        "规范落实“三会一课”制度，每季度开展一次支部工作检查",
    )
    .await;
    b.select("#item-owner", &fushuji.id.to_string()).await;
    b.client
        .execute(
            "document.querySelector('#item-deadline').value = '2023-12-20';",
            vec![],
        )
        .await
        .unwrap();
    b.select("#item-recurrence", "quarterly").await;
    b.fill(
        "#item-steps",
        "3月底前制定检查方案\n每季度末开展检查并通报\n12月形成年度总结",
    )
    .await;
    b.submit("#item-submit").await;
    assert!(b.text(".notice").await.contains("事项已添加"));

    // A mistake is shown beside its field, and what was typed stays.
    b.select("#item-category", "思想建设").await;
    b.fill("#item-description", "理论学习中心组学习不少于12次")
        .await;
    b.select("#item-target-metric", "理论学习中心组学习次数")
        .await;
    b.submit("#item-submit").await;
    assert_eq!(b.text("#add-item .field-error").await, "请填写目标值");
    let kept = b
        .client
        .find(Locator::Css("#item-description"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap()
        .unwrap_or_default();
    assert_eq!(kept, "理论学习中心组学习不少于12次");
    b.shot("lists-02-item-error").await;
    b.fill("#item-target-value", "12").await;
    b.submit("#item-submit").await;
    assert!(b.text(".notice").await.contains("事项已添加"));
    assert_eq!(b.text("#stat-items").await, "2");
    b.shot("lists-02b-list-with-two-items").await;
    let list = app
        .state
        .store
        .list_summaries(
            &zeren_domain::permissions::Scope {
                roots: vec![app.state.store.org_by_code("qs").await.unwrap().path],
            },
            Some(2023),
            zeren_domain::date::Day::today(),
        )
        .await
        .unwrap()
        .remove(0);
    let items = app.state.store.list_items(list.list.id).await.unwrap();
    let first = items
        .iter()
        .find(|i| i.item.category == "组织建设")
        .unwrap();
    assert_eq!(first.owner.as_ref().unwrap().username, "fushuji");
    assert_eq!(first.item.deadline.as_deref(), Some("2023-12-20"));
    assert!(b.text("main").await.contains("分管"));

    // Hand the first item down to 东岭村党支部 only.
    for i in &items {
        if i.item.id != first.item.id {
            b.click(&format!(
                "#hand-down-form input[name=item][value='{}']",
                i.item.id
            ))
            .await;
        }
    }
    b.click(&format!("#hand-org-{v01}")).await;
    b.shot("lists-03-list-with-items").await;
    b.submit("#hand-down-submit").await;
    assert!(b.text(".notice").await.contains("已下发"));
    assert!(b
        .text("#children")
        .await
        .contains("东岭村党支部2023年责任清单"));
    b.client.set_window_size(1440, 2200).await.unwrap();
    b.goto(&format!("/lists/{}", list.list.id)).await;
    b.shot("lists-03b-list-full-page").await;
    b.client.set_window_size(1440, 1000).await.unwrap();
    b.goto("/lists?year=2023").await;
    b.shot("lists-04-overview").await;
    b.logout().await;

    // The branch secretary sees his branch's list and reports progress with a photo.
    b.login("zb-v01", USER_PASSWORD).await;
    b.goto("/lists?year=2023").await;
    let overview = b.text("#lists-table").await;
    assert!(overview.contains("东岭村党支部2023年责任清单"));
    assert!(!overview.contains("青石镇党委2023年责任清单"));
    b.client
        .find(Locator::LinkText("东岭村党支部2023年责任清单"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert_eq!(b.text("#list-title").await, "东岭村党支部2023年责任清单");
    assert!(b.text("#parent-list").await.contains("青石镇党委"));
    b.client
        .find(Locator::Css(".item-link"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert!(b.text("#item-title").await.contains("三会一课"));
    b.fill(
        "#progress-text",
        "一季度：已召开支部党员大会1次、支委会3次，讲党课1次。",
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let photo = dir.path().join("党员大会.png");
    std::fs::write(&photo, png()).unwrap();
    b.client
        .find(Locator::Css("#progress-file"))
        .await
        .unwrap()
        .send_keys(&photo.display().to_string())
        .await
        .unwrap();
    b.submit("#progress-submit").await;
    assert!(b.text(".notice").await.contains("进展已报送"));
    let timeline = b.text("#progress-list").await;
    assert!(timeline.contains("已召开支部党员大会1次"));
    assert!(timeline.contains("党员大会.png"));
    assert!(timeline.contains("李"), "the reporter's name: {timeline}");
    b.shot("lists-05-item-progress").await;
    b.client
        .execute(
            "document.querySelector('#progress-list').scrollIntoView();",
            vec![],
        )
        .await
        .unwrap();
    b.shot("lists-05b-item-timeline").await;
    b.client.set_window_size(375, 812).await.unwrap();
    b.shot("lists-06-item-progress-phone").await;
    b.goto("/lists?year=2023").await;
    b.shot("lists-07-overview-phone").await;
    b.client.set_window_size(1440, 1000).await.unwrap();
    b.logout().await;

    // The committee sees the branch's progress on its own item.
    b.login("dangwu", USER_PASSWORD).await;
    b.goto(&format!("/list-items/{}", first.item.id)).await;
    let handed = b.text("#handed").await;
    assert!(handed.contains("东岭村党支部"));
    assert!(handed.contains("1 次"));
    b.shot("lists-08-committee-item").await;
    b.client.set_window_size(375, 812).await.unwrap();
    b.goto(&format!("/lists/{}", list.list.id)).await;
    b.shot("lists-09-list-phone").await;
}
