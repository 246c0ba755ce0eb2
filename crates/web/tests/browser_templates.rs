//! In a real browser: the clerk opens the annual report template, names a metric that does
//! not exist, sees the error beside the editor with its line, jumps to it, fixes it from the
//! metric catalogue and saves; then learns a template from last year's report. Desktop and
//! phone screenshots (t00-…).

mod browser_support;
mod common;

use browser_support::start;
use common::{demo_app, USER_PASSWORD};
use fantoccini::Locator;
use serde_json::json;
use zeren_reports::template::BuiltinTemplate;

const RIGHT: &str = "{{ 指标(\"理论学习中心组学习次数\") }}";
const WRONG: &str = "{{ 指标(\"理论学习次数\") }}";

const OLD_REPORT: &str = "中共青石镇委员会关于2023年度落实全面从严治党主体责任情况的报告\n\
区委：\n\
2023年，青石镇党委坚持以习近平新时代中国特色社会主义思想为指导。现将有关情况报告如下：\n\
一、强化理论武装\n\
一是深入开展理论学习。今年以来，开展党委理论学习中心组学习8次，举办专题读书班3期。\n\
二是加强教育培训。举办培训班24期，参训人次达1200余人次。\n\
二、抓好问题整改\n\
召开专题民主生活会，查摆问题21条，制定整改措施35条。对区委巡察反馈镇党委和10个行政村的问题整改情况进行“回头看”，反馈镇党委的45个问题中，42个已整改完成，完成率93.3％。\n\
中共青石镇委员会\n\
2024年1月5日\n";

#[tokio::test]
async fn a_clerk_fixes_an_unknown_metric_and_learns_last_years_report() {
    let app = demo_app().await;
    let b = start(&app).await;
    b.login("dangwu", USER_PASSWORD).await;
    b.text("#current-user").await;
    b.click("a.nav-item[href='/report-templates']").await;
    assert!(b
        .text("#template-list")
        .await
        .contains("年度落实全面从严治党主体责任情况的报告"));
    b.shot("t00-templates").await;

    b.click("#template-list tr[data-code='annual'] a").await;
    assert_eq!(b.path().await, "/report-templates/annual");
    b.text("#template-help").await;
    b.shot("t01-editor").await;

    // The clerk writes a metric name that is not in the catalogue.
    let source = BuiltinTemplate::Annual.source();
    let line = source
        .lines()
        .position(|l| l.contains(RIGHT))
        .expect("the annual template cites the study sessions")
        + 1;
    let wrong = source.replacen(RIGHT, WRONG, 1);
    b.client
        .execute(
            "document.getElementById('template-source').value = arguments[0];",
            vec![json!(wrong)],
        )
        .await
        .unwrap();
    b.submit("#template-save").await;
    let errors = b.text("#template-errors").await;
    assert!(
        errors.contains(&format!("第{line}行：未知指标“理论学习次数”")),
        "{errors}"
    );
    assert!(app
        .state
        .store
        .report_template("annual")
        .await
        .unwrap()
        .is_none());
    // The gutter marks the line; the error's link selects it in the editor.
    assert_eq!(b.text(".code-gutter .bad").await, line.to_string());
    b.click(".goto-line").await;
    let selected = b
        .client
        .execute(
            "var t = document.getElementById('template-source'); \
             return t.value.substring(t.selectionStart, t.selectionEnd);",
            vec![],
        )
        .await
        .unwrap();
    assert!(selected.as_str().unwrap().contains(WRONG), "{selected}");
    b.shot("t02-editor-error").await;

    // Fixed from the catalogue: the wrong call selected, the right metric searched and inserted.
    b.client
        .execute(
            "var t = document.getElementById('template-source'); var i = t.value.indexOf(arguments[0]); \
             t.focus(); t.setSelectionRange(i, i + arguments[0].length);",
            vec![json!(WRONG)],
        )
        .await
        .unwrap();
    b.fill("#metric-search", "中心组").await;
    let visible = b
        .client
        .execute(
            "return Array.from(document.querySelectorAll('#metric-list li')).filter(li => !li.hidden).length;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        visible.as_i64(),
        Some(1),
        "the search keeps 理论学习中心组学习次数 only"
    );
    b.click(".insert-metric[data-metric='理论学习中心组学习次数']")
        .await;
    let value = b
        .client
        .execute(
            "return document.getElementById('template-source').value;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(value.as_str().unwrap(), source);
    b.fill(
        "#template-name",
        "年度落实全面从严治党主体责任情况的报告（本县）",
    )
    .await;
    b.submit("#template-save").await;
    assert!(b.text(".notice").await.contains("报告模板已检查并保存"));
    let stored = app
        .state
        .store
        .report_template("annual")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.source, source);
    assert_eq!(
        stored.name,
        "年度落实全面从严治党主体责任情况的报告（本县）"
    );
    b.shot("t03-editor-saved").await;

    // Learning from last year's report.
    b.goto("/report-templates").await;
    b.click("#learn-template").await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("2023年度报告.txt");
    std::fs::write(&file, OLD_REPORT).unwrap();
    b.client
        .find(Locator::Css("#learn-file"))
        .await
        .unwrap()
        .send_keys(&file.display().to_string())
        .await
        .unwrap();
    b.submit("#learn-submit").await;
    assert_eq!(b.text("#figure-count").await, "10");
    let rows = b.text("#figure-rows").await;
    assert!(rows.contains("开展党委理论学习中心组学习8次"), "{rows}");
    b.shot("t04-learn-review").await;
    // "10个行政村" is no figure of the records: keep it as written.
    let ten = b
        .client
        .execute(
            "return Array.from(document.querySelectorAll('#figure-rows tr')).find(r => r.textContent.includes('10个')).getAttribute('data-index');",
            vec![],
        )
        .await
        .unwrap();
    b.select(&format!("#choice-{}", ten.as_str().unwrap()), "keep")
        .await;
    b.fill("#template-code", "town_2024").await;
    b.submit("#review-save").await;
    assert!(b.text(".notice").await.contains("已由上年报告生成模板"));
    assert_eq!(b.path().await, "/report-templates/town_2024");
    let learned = app
        .state
        .store
        .report_template("town_2024")
        .await
        .unwrap()
        .unwrap();
    assert!(learned.source.contains("和10个行政村的问题"));
    assert!(learned
        .source
        .contains("开展党委理论学习中心组学习{{ 指标(\"理论学习中心组学习次数\") }}次"));
    b.shot("t05-learned-template").await;

    // On a phone.
    b.client.set_window_size(375, 812).await.unwrap();
    b.goto("/report-templates").await;
    b.text("#template-list").await;
    b.shot("t06-templates-phone").await;
    b.goto("/report-templates/town_2024").await;
    b.client
        .execute(
            "document.getElementById('template-source').value = arguments[0];",
            vec![json!(learned.source.replacen("读书班期数", "读书班数", 1))],
        )
        .await
        .unwrap();
    b.submit("#template-save").await;
    assert!(b
        .text("#template-errors")
        .await
        .contains("未知指标“读书班数”"));
    b.shot("t07-editor-error-phone").await;
    b.goto("/report-templates/learn").await;
    b.client
        .find(Locator::Css("#learn-file"))
        .await
        .unwrap()
        .send_keys(&file.display().to_string())
        .await
        .unwrap();
    b.submit("#learn-submit").await;
    b.text("#figure-rows").await;
    b.client
        .execute(
            "document.querySelector('#figure-rows').scrollIntoView();",
            vec![],
        )
        .await
        .unwrap();
    b.shot("t08-learn-review-phone").await;
    b.client.clone().close().await.unwrap();
}
