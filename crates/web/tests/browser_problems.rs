//! 问题整改 in a real browser: the clerk enters an inspection's feedback, marks the measures of
//! one problem done, uploads evidence and submits it; the leader closes it (销号). Screenshots
//! of the ledger and the problem's page, desktop and phone, and of the risk and discipline
//! pages, go to `target/screenshots/`.

mod browser_support;
mod common;

use axum::http::Method;
use browser_support::start;
use common::{demo_app, USER_PASSWORD};
use fantoccini::Locator;
use serde_json::json;
use zeren_domain::date::Day;

#[tokio::test]
async fn feedback_entered_rectified_submitted_and_closed() {
    let app = demo_app().await;
    // Something overdue already, so the ledger shows it at the top.
    let clerk_token = app.token("dangwu").await;
    let r = app
        .request(
            Method::POST,
            "/api/v1/problems",
            Some(&clerk_token),
            Some(
                json!({"org": "qs-v03", "source": "branch_inspection", "category": "组织建设",
                "description": "南庄村“三会一课”记录不完整，党小组会记录缺失",
                "found_on": Day::today().plus_days(-70).text(),
                "measures": [{"description": "补齐党小组会记录并规范记录本", "owner": "zb-v03",
                              "deadline": Day::today().plus_days(-12).text()}]}),
            ),
        )
        .await;
    assert_eq!(r.status.as_u16(), 201, "{}", r.body);

    let b = start(&app).await;
    b.login("dangwu", USER_PASSWORD).await;
    b.text("#current-user").await;
    b.goto("/problems").await;
    b.click("#new-batch").await;
    let root = app.org_id("qs").await.to_string();
    b.select("#batch-org", &root).await;
    b.select("#batch-source", "inspection_tour").await;
    b.fill("#batch-title", "区委第二巡察组反馈意见").await;
    b.fill("#batch-received", &Day::today().plus_days(-3).text())
        .await;
    let due = Day::today().plus_days(60).text();
    let lines = format!(
        "政治建设｜1.理论学习中心组学习流于形式，研讨不深入｜制定年度学习计划并落实专题研讨｜李红梅｜{due}\n\
         ｜｜建立学习考勤和研讨发言台账｜陈静｜{due}\n\
         作风建设｜2.落实中央八项规定精神不够严格，公务接待审批不规范｜修订公务接待管理办法｜吴刚｜{due}\n\
         组织建设｜3.发展党员程序把关不严，个别材料不全｜逐一核查近三年发展党员材料｜孙丽｜{due}\n\
         纪律建设｜4.村级“三资”监管存在薄弱环节"
    );
    b.fill("#batch-lines", &lines).await;
    b.shot("60-problem-batch-form").await;
    b.submit("#batch-preview").await;
    let preview = b.text("#batch-preview-table").await;
    assert!(preview.contains("4 个问题"), "{preview}");
    assert!(preview.contains("已关联账户"));
    b.shot("61-problem-batch-preview").await;
    b.submit("#batch-save").await;
    assert_eq!(b.path().await, "/problems");
    assert!(b.text(".notice").await.contains("反馈问题已全部录入"));
    assert!(b.text("#batch").await.contains("共 4 个问题"));
    b.shot("62-problem-ledger-batch").await;

    // The first problem: both measures done, evidence uploaded, submitted.
    let (first,): (i64,) =
        zeren_storage::sqlx::query_as("SELECT MIN(id) FROM problems WHERE batch_id IS NOT NULL")
            .fetch_one(app.state.store.pool())
            .await
            .unwrap();
    b.goto(&format!("/problems/{first}")).await;
    assert_eq!(b.text("#problem-status").await, "待整改");
    for m in app
        .state
        .store
        .problem_measures(first, false)
        .await
        .unwrap()
    {
        b.submit(&format!("#measure-done-{}", m.id)).await;
        assert!(b.text(".notice").await.contains("整改措施已标记完成"));
    }
    assert_eq!(b.text("#problem-status").await, "整改中");
    let dir = tempfile::tempdir().unwrap();
    let photo = dir.path().join("中心组学习研讨照片.png");
    std::fs::write(&photo, b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR study session").unwrap();
    b.client
        .find(Locator::Css("#evidence-file"))
        .await
        .unwrap()
        .send_keys(&photo.display().to_string())
        .await
        .unwrap();
    b.submit("#evidence-submit").await;
    assert!(b.text("#evidence").await.contains("中心组学习研讨照片.png"));
    // The answer scrolled to the evidence; back to the top of the page, as a person would.
    b.goto(&format!("/problems/{first}")).await;
    b.submit("#move-submit").await;
    assert_eq!(b.text("#problem-status").await, "已整改待审核");
    // The clerk is offered no 销号.
    assert!(b.client.find(Locator::Css("#move-close")).await.is_err());
    b.goto(&format!("/problems/{first}")).await;
    b.text("#problem-status").await;
    b.shot("63-problem-detail-submitted").await;
    b.logout().await;

    // The leader closes it.
    b.login("fushuji", USER_PASSWORD).await;
    b.text("#current-user").await;
    b.goto(&format!("/problems/{first}")).await;
    b.fill("#move-note-close", "整改措施落实到位，佐证齐全，同意销号")
        .await;
    b.submit("#move-close").await;
    assert_eq!(b.text("#problem-status").await, "已销号");
    assert!(b.text("#history").await.contains("审核销号"));
    b.goto(&format!("/problems/{first}")).await;
    assert_eq!(b.text("#problem-status").await, "已销号");
    b.shot("64-problem-detail-closed").await;
    b.goto("/problems").await;
    assert!(b.text("#overdue").await.contains("逾期整改措施 1 条"));
    assert!(b.text("#problem-table").await.contains("已销号"));
    b.shot("65-problem-ledger").await;

    // Phone.
    b.client.set_window_size(375, 812).await.unwrap();
    b.goto("/problems").await;
    b.text("#problem-table").await;
    b.shot("66-problem-ledger-phone").await;
    b.goto(&format!("/problems/{first}")).await;
    b.text("#problem-status").await;
    b.shot("67-problem-detail-phone").await;
    b.client.set_window_size(1440, 1000).await.unwrap();
    b.client.clone().close().await.unwrap();
}

#[tokio::test]
async fn risk_and_discipline_pages() {
    let app = demo_app().await;
    let clerk = app.token("dangwu").await;
    for (org, kind, subject, text, l, i) in [
        (
            "qs-v01",
            "post",
            "村报账员",
            "虚报冒领、截留挪用村集体资金",
            4,
            4,
        ),
        ("qs", "unit", "镇财政所", "专项资金拨付审核把关不严", 3, 3),
        (
            "qs",
            "person",
            "镇党委委员、武装部长",
            "分管领域工程项目插手干预风险",
            2,
            3,
        ),
    ] {
        let r = app
            .request(
                Method::POST,
                "/api/v1/risks",
                Some(&clerk),
                Some(json!({"org": org, "subject_kind": kind, "subject": subject,
                    "description": text, "likelihood": l, "impact": i,
                    "measures": [{"description": "重大事项集体决策、全程留痕", "owner": "班子成员"},
                                 {"description": "纪委定期监督检查"}]})),
            )
            .await;
        assert_eq!(r.status.as_u16(), 201, "{}", r.body);
    }
    let inspector = app.token("jiwei").await;
    for (name, form, sanction) in [
        ("王某某", "1", ""),
        ("李某某", "2", "党内警告"),
        ("赵某某", "3", "留党察看"),
    ] {
        let r = app
            .request(
                Method::POST,
                "/api/v1/discipline",
                Some(&inspector),
                Some(
                    json!({"org": "qs-v02", "person_name": name, "post": "村委委员",
                    "form": form, "sanction": sanction, "reason": "违反廉洁纪律",
                    "decided_on": Day::today().plus_days(-30).text()}),
                ),
            )
            .await;
        assert_eq!(r.status.as_u16(), 201, "{}", r.body);
    }
    let b = start(&app).await;
    b.login("dangwu", USER_PASSWORD).await;
    b.text("#current-user").await;
    b.goto("/risks").await;
    assert!(b.text("#risk-table").await.contains("村报账员"));
    b.shot("68-risks").await;
    b.click("#new-risk").await;
    b.fill("#risk-subject", "村会计").await;
    b.fill("#risk-description", "村级财务收支不入账、坐收坐支")
        .await;
    b.select("#risk-likelihood", "5").await;
    b.select("#risk-impact", "3").await;
    b.shot("69-risk-new").await;
    b.submit("#risk-submit").await;
    assert!(b.text("#risk-level-badge").await.contains("高风险"));
    b.fill("#risk-measure-text", "村财乡管、每月对账").await;
    b.submit("#risk-measure-submit").await;
    assert!(b.text("#measures").await.contains("村财乡管"));
    let path = b.path().await;
    b.goto(&path).await;
    b.text("#risk-level-badge").await;
    b.shot("70-risk-detail").await;
    // No 执纪问责 for the clerk.
    assert!(!b.text(".sidebar").await.contains("执纪问责"));
    b.logout().await;

    b.login("jiwei", USER_PASSWORD).await;
    b.text("#current-user").await;
    assert!(b.text(".sidebar").await.contains("执纪问责"));
    b.goto("/discipline").await;
    assert!(b.text("#discipline-table").await.contains("赵某某"));
    b.shot("71-discipline").await;
    b.client.set_window_size(375, 812).await.unwrap();
    b.goto("/risks").await;
    b.text("#risk-table").await;
    b.shot("72-risks-phone").await;
    b.client.clone().close().await.unwrap();
}
