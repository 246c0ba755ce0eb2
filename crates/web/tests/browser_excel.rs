//! In a real browser: a secretary uploads a 工作纪实台账 workbook with mistakes, reads every
//! fault in Chinese with its row and column, corrects the workbook and imports it.

mod browser_support;
mod common;

use browser_support::start;
use common::{demo_app, USER_PASSWORD};
use zeren_web::manage::excel::records::{workbook, RecordLine};

fn line(title: &str, held_on: &str) -> RecordLine {
    RecordLine {
        org_code: "qs".into(),
        type_name: "党建工作会".into(),
        title: title.into(),
        held_on: held_on.into(),
        ..Default::default()
    }
}

#[tokio::test]
async fn the_import_form_lists_each_fault_in_chinese_then_imports() {
    let app = demo_app().await;
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("纪实台账-有错.xlsx");
    let good = dir.path().join("纪实台账.xlsx");
    let rows = vec![
        line("一季度党建工作会", "2025-03-01"),
        line("", "2099-01-01"),
        line("三季度党建工作会", "2025-9-31"),
    ];
    std::fs::write(
        &bad,
        workbook("青石镇党委工作纪实台账", &rows).await.unwrap(),
    )
    .unwrap();
    let rows = vec![
        line("一季度党建工作会", "2025-03-01"),
        line("二季度党建工作会", "2025-06-30"),
    ];
    std::fs::write(
        &good,
        workbook("青石镇党委工作纪实台账", &rows).await.unwrap(),
    )
    .unwrap();

    let b = start(&app).await;
    b.login("shuji", USER_PASSWORD).await;
    b.goto("/records").await;
    b.click("#excel-bar summary").await;
    b.shot("x00-records-excel-bar").await;
    b.client
        .find(fantoccini::Locator::Css("#excel-file"))
        .await
        .unwrap()
        .send_keys(bad.to_str().unwrap())
        .await
        .unwrap();
    b.submit("#excel-import").await;
    assert!(b.text("#import-error").await.contains("未导入任何数据"));
    let errors = b.text("#import-errors").await;
    assert!(errors.contains("第4行 E列〔标题〕：请填写标题"), "{errors}");
    assert!(
        errors.contains("第4行 F列〔开展日期〕：开展日期不能晚于今天"),
        "{errors}"
    );
    assert!(
        errors.contains("第5行 F列〔开展日期〕：日期“2025-9-31”无法识别"),
        "{errors}"
    );
    b.shot("x01-import-errors").await;
    // Corrected, it goes in whole.
    b.client
        .find(fantoccini::Locator::Css("#excel-file"))
        .await
        .unwrap()
        .send_keys(good.to_str().unwrap())
        .await
        .unwrap();
    b.submit("#excel-import").await;
    assert!(b.text("#import-done").await.contains("新增 2 条"));
    b.click("#import-back").await;
    assert!(b.text("#records-table").await.contains("二季度党建工作会"));
}
