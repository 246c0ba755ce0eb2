//! In a real browser: the demo township's secretary opens the 工作台 and finds his desk — list
//! items due this month, meetings still owed, problems waiting for his review — and opens one;
//! desktop and phone screenshots (`target/screenshots/desk-desktop.png`, `desk-phone.png`).

mod browser_support;
mod common;

use browser_support::start;
use common::{demo_app_with_year, USER_PASSWORD};
use fantoccini::Locator;

#[tokio::test]
async fn the_secretary_works_from_his_desk() {
    let app = demo_app_with_year().await;
    let b = start(&app).await;
    b.login("shuji", USER_PASSWORD).await;
    b.text("#current-user").await;
    b.goto("/").await;
    for id in [
        "#desk-items",
        "#desk-measures",
        "#desk-meetings",
        "#desk-reviews",
    ] {
        b.text(id).await;
    }
    // The demo's current year: six committee items due at this month's end.
    let items = b.text("#desk-items").await;
    assert!(
        items.contains("召开年度民主生活会征求意见座谈会"),
        "{items}"
    );
    assert!(b
        .text("#desk-reviews")
        .await
        .contains("机关干部考勤管理制度执行不严"));
    b.shot("desk-desktop").await;
    // The whole page at once, for review.
    b.client.set_window_size(1440, 2400).await.unwrap();
    b.shot("desk-desktop-full").await;
    b.client.set_window_size(375, 812).await.unwrap();
    b.goto("/").await;
    b.text("#desk").await;
    b.shot("desk-phone").await;
    b.client.set_window_size(375, 3000).await.unwrap();
    b.shot("desk-phone-full").await;
    b.client.set_window_size(375, 812).await.unwrap();
    // A review opens the problem at its moves.
    b.click("#desk-reviews .desk-list li:first-child a").await;
    assert!(b.path().await.starts_with("/problems/"));
    b.text("#moves").await;
    b.client.set_window_size(1440, 1000).await.unwrap();
    // A branch secretary's desk opens the record form for a meeting still owed, prefilled.
    b.logout().await;
    b.login("zb-v01", USER_PASSWORD).await;
    b.goto("/").await;
    b.shot("desk-branch-desktop").await;
    let first = "#desk-meetings .desk-list li:first-child a";
    let href = b
        .client
        .find(Locator::Css(first))
        .await
        .unwrap()
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    let owed = href.rsplit("type=").next().unwrap().to_string();
    b.click(first).await;
    assert_eq!(b.path().await, "/records/new");
    assert_eq!(b.text("#record-org").await, "东岭村党支部");
    let chosen = b
        .client
        .find(Locator::Css("#rec-type"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap();
    assert_eq!(
        chosen.as_deref(),
        Some(owed.as_str()),
        "the kind owed is chosen"
    );
    b.client.clone().close().await.unwrap();
}
