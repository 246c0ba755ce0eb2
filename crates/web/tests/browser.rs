//! Browser tests in a real headless Chromium driven through chromedriver. They start the real
//! application on a loopback port. A missing Chromium or chromedriver fails the test (the test
//! script installs both); screenshots of the main pages go to `target/screenshots/`.

mod browser_support;
mod common;

use browser_support::start;
use common::{demo_app, ADMIN_PASSWORD, USER_PASSWORD};
use fantoccini::Locator;
use std::time::Duration;

#[tokio::test]
async fn login_create_branch_and_account_then_logout() {
    let app = demo_app().await;
    let b = start(&app).await;

    b.goto("/").await;
    assert_eq!(b.path().await, "/login");
    b.shot("01-login").await;
    b.login("admin", ADMIN_PASSWORD).await;
    assert_eq!(b.text("#current-user").await, "王磊");
    assert!(b.text("main").await.contains("工作台"));
    b.shot("02-home-admin").await;

    // A new village branch.
    b.goto("/orgs").await;
    b.shot("03-org-tree").await;
    b.click("#new-org").await;
    b.fill("#org-code", "qs-v11").await;
    b.fill("#org-name", "青山村党支部").await;
    b.client
        .find(Locator::Css("#org-kind"))
        .await
        .unwrap()
        .select_by_value("branch")
        .await
        .unwrap();
    b.submit("#org-submit").await;
    assert_eq!(b.text("#org-title").await, "青山村党支部");
    assert!(b.text(".notice").await.contains("已创建"));
    b.shot("04-org-created").await;
    let org = app.state.store.org_by_code("qs-v11").await.unwrap();
    assert_eq!(org.parent_id, Some(app.org_id("qs").await));

    // A mistake is shown beside the field.
    b.goto("/orgs/new").await;
    b.fill("#org-code", "qs-v11").await;
    b.fill("#org-name", "重复的支部").await;
    b.submit("#org-submit").await;
    assert_eq!(b.text(".field-error").await, "该组织编码已被使用");
    b.shot("05-org-form-error").await;

    // An account for its secretary.
    b.goto("/accounts/new").await;
    b.fill("#acc-username", "zb-v11").await;
    b.fill("#acc-name", "钱进").await;
    b.client
        .find(Locator::Css("#acc-org"))
        .await
        .unwrap()
        .select_by_value(&org.id.to_string())
        .await
        .unwrap();
    b.client
        .find(Locator::Css("#acc-role"))
        .await
        .unwrap()
        .select_by_value("branch_secretary")
        .await
        .unwrap();
    b.fill("#acc-title", "青山村党支部书记").await;
    b.submit("#account-submit").await;
    let initial = b.text("#issued-password").await;
    assert!(initial.len() >= 8);
    b.shot("06-account-created").await;
    b.goto("/accounts").await;
    assert!(b.text("#accounts-table").await.contains("钱进"));
    b.shot("07-accounts").await;
    // Typing in the filter narrows the table in place (htmx), without a page load.
    b.fill("#account-search", "青山村").await;
    let mut narrowed = String::new();
    for _ in 0..100 {
        narrowed = b.text("#accounts-table").await;
        if !narrowed.contains("张建国") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        narrowed.contains("钱进") && !narrowed.contains("张建国"),
        "{narrowed}"
    );
    assert_eq!(b.path().await, "/accounts");
    b.shot("07b-accounts-filtered").await;
    let created = app.account("zb-v11").await;
    b.goto(&format!("/accounts/{}", created.id)).await;
    assert!(b.text("#grants").await.contains("青山村党支部"));
    b.shot("07c-account-detail").await;
    b.goto("/me").await;
    assert!(b.text("#my-actions").await.contains("管理账户"));
    b.shot("07d-my-permissions").await;
    b.goto("/audit").await;
    b.submit("#verify-chain").await;
    assert!(b.text("#chain-status").await.contains("校验通过"));
    b.shot("08-audit").await;
    b.logout().await;

    // The new secretary must set a password, then sees only the new branch.
    b.login("zb-v11", &initial).await;
    assert_eq!(b.path().await, "/me/password");
    b.shot("09-forced-password-change").await;
    b.fill("#current", &initial).await;
    b.fill("#new_password", "Qingshan#2026").await;
    b.fill("#confirm", "Qingshan#2026").await;
    b.submit("#password-submit").await;
    assert!(b.text("#my-grants").await.contains("青山村党支部"));
    b.goto("/orgs").await;
    let tree = b.text("#org-tree").await;
    assert!(tree.contains("青山村党支部") && !tree.contains("东岭村党支部"));
    b.logout().await;
    b.client.clone().close().await.unwrap();
}

#[tokio::test]
async fn failed_logins_show_the_message_and_lock_after_five() {
    let app = demo_app().await;
    let b = start(&app).await;
    b.login("shuji", "Wrong#pass1").await;
    assert!(b.text("#login-error").await.contains("用户名或密码错误"));
    b.shot("10-login-failed").await;
    for _ in 0..4 {
        b.login("shuji", "Wrong#pass1").await;
    }
    assert!(b.text("#login-error").await.contains("账户已锁定15分钟"));
    // The right password is refused while the lock holds.
    b.login("shuji", USER_PASSWORD).await;
    assert!(b.text("#login-error").await.contains("账户已锁定"));
    assert_eq!(b.path().await, "/login");
    b.shot("11-login-locked").await;

    // The secretary's home page, desktop and phone, for the record.
    b.login("zuzhi", USER_PASSWORD).await;
    assert_eq!(b.text("#current-user").await, "孙丽");
    b.shot("12-home-leader-desktop").await;
    b.client.set_window_size(375, 812).await.unwrap();
    b.goto("/").await;
    b.text("#current-user").await;
    b.shot("13-home-leader-phone").await;
    b.goto("/orgs").await;
    b.text("#org-tree").await;
    b.shot("14-org-tree-phone").await;
    b.client.clone().close().await.unwrap();
}

#[tokio::test]
async fn a_pasted_draft_comes_back_with_its_defects_highlighted() {
    let app = demo_app().await;
    let b = start(&app).await;
    b.login("dangwu", USER_PASSWORD).await;
    b.text("#current-user").await;
    b.goto("/check").await;
    b.shot("15-check-form").await;
    let draft = "2023年度青石镇落实全面从严治党主体责任情况的报告\n一、强化理论武装\n全年开展中心组学习8次，XXX党委组织“三会一课。\n三、下一步工作\n反馈的45个问题中，42个已整改完成，完成率95%。";
    b.fill("#check-text", draft).await;
    b.submit("#check-submit").await;
    let doc = b.text("#check-doc").await;
    assert!(doc.contains("XXX党委"));
    let marked = b.text(".mark.sev-error").await;
    assert!(!marked.is_empty());
    let errors: usize = b.text("#count-errors").await.parse().unwrap();
    assert!(
        errors >= 3,
        "placeholder, numbering gap, unclosed quote, wrong rate: {errors}"
    );
    assert!(b.text("#findings").await.contains("建议"));
    b.shot("16-check-result").await;
    b.client.set_window_size(375, 812).await.unwrap();
    b.text("#check-doc").await;
    b.shot("17-check-result-phone").await;
    b.client.clone().close().await.unwrap();
}
