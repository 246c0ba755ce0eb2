//! Integrity risk points (廉政风险点) and discipline records (执纪问责), on SQLite and
//! (ZEREN_TEST_BACKEND=postgres) PostgreSQL.

mod ledger_support;

use ledger_support::{count, day, footprint, town};
use zeren_domain::date::Day;
use zeren_domain::discipline::{parse_form, parse_sanction};
use zeren_domain::risks::{RiskLevel, SubjectKind};
use zeren_storage::testing::fresh_store;
use zeren_storage::{
    DisciplineChange, DisciplineFilter, NewDiscipline, NewRisk, NewRiskMeasure, RiskChange,
    RiskFilter,
};

fn risk(org_id: i64, kind: SubjectKind, subject: &str, level: RiskLevel) -> NewRisk {
    NewRisk {
        org_id,
        subject_kind: kind,
        subject: subject.into(),
        description: "村级工程项目招投标中可能存在暗箱操作".into(),
        level,
        likelihood: None,
        impact: None,
        identified_on: day("2023-02-20"),
        measures: vec![
            NewRiskMeasure {
                description: "重大事项“四议两公开”".into(),
                owner: "村党支部书记".into(),
            },
            NewRiskMeasure {
                description: "镇纪委全程监督".into(),
                owner: String::new(),
            },
        ],
    }
}

#[tokio::test]
async fn risk_points_with_scored_levels_measures_and_yearly_review() {
    let db = fresh_store().await;
    let t = town(&db.store).await;
    let scored = RiskLevel::from_score(5, 3).unwrap();
    assert_eq!(scored, RiskLevel::High);
    let mut tx = db.store.begin_write().await.unwrap();
    let mut first = risk(t.v01.id, SubjectKind::Post, "村报账员", scored);
    first.likelihood = Some(5);
    first.impact = Some(3);
    let a = tx.create_risk(first, &t.clerk).await.unwrap();
    let b = tx
        .create_risk(
            risk(t.v02.id, SubjectKind::Unit, "西河村", RiskLevel::Low),
            &t.clerk,
        )
        .await
        .unwrap();
    let mut third = risk(
        t.root.id,
        SubjectKind::Person,
        "张某（镇财政所）",
        RiskLevel::Medium,
    );
    third.identified_on = day("2024-01-10");
    third.measures.clear();
    let c = tx.create_risk(third, &t.clerk).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        (a.level, a.score(), a.measures),
        (RiskLevel::High, Some(15), 2)
    );
    assert_eq!(c.measures, 0);

    let all = RiskFilter::new(t.all());
    let page = db.store.risks(&all).await.unwrap();
    assert_eq!(page.total, 3);
    // High first.
    let levels: Vec<RiskLevel> = page.rows.iter().map(|r| r.level).collect();
    assert_eq!(
        levels,
        vec![RiskLevel::High, RiskLevel::Medium, RiskLevel::Low]
    );
    let mut f = all.clone();
    f.year = Some(2023);
    assert_eq!(db.store.risks(&f).await.unwrap().total, 2);
    let mut f = all.clone();
    f.kind = Some(SubjectKind::Person);
    assert_eq!(db.store.risks(&f).await.unwrap().rows[0].id, c.id);
    let mut f = all.clone();
    f.level = Some(RiskLevel::Low);
    assert_eq!(db.store.risks(&f).await.unwrap().rows[0].id, b.id);
    let branch = RiskFilter::new(t.only(&t.v01));
    assert_eq!(db.store.risks(&branch).await.unwrap().total, 1);

    // Review, a changed score, a further measure and a voided one.
    let today = Day::today();
    assert!(a.review_due(today));
    let mut tx = db.store.begin_write().await.unwrap();
    let reviewed = tx.review_risk(a.id, today, &t.leader).await.unwrap();
    assert!(!reviewed.review_due(today));
    assert_eq!(reviewed.reviewed_on, Some(today.text()));
    assert!(tx
        .review_risk(a.id, day("2022-01-01"), &t.leader)
        .await
        .is_err());
    let changed = tx
        .update_risk(
            a.id,
            RiskChange {
                level: Some((RiskLevel::from_score(2, 4).unwrap(), Some(2), Some(4))),
                ..Default::default()
            },
            &t.clerk,
        )
        .await
        .unwrap();
    assert_eq!(
        (changed.level, changed.score()),
        (RiskLevel::Medium, Some(8))
    );
    let extra = tx
        .add_risk_measure(
            a.id,
            NewRiskMeasure {
                description: "报账资料双人复核".into(),
                owner: "镇三资中心".into(),
            },
            &t.clerk,
        )
        .await
        .unwrap();
    let first_measure = db.store.risk_measures(a.id, false).await.unwrap()[0].id;
    tx.void_risk_measure(first_measure, "措施已合并", &t.clerk)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert!(extra.id > 0);
    let a_now = db.store.risk(a.id).await.unwrap();
    assert_eq!(a_now.measures, 2);
    assert_eq!(db.store.risk_measures(a.id, true).await.unwrap().len(), 3);

    // Voided, not deleted; nothing more happens to it.
    let mut tx = db.store.begin_write().await.unwrap();
    tx.void_risk(b.id, "村已合并", &t.clerk).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(count(&db.store, "risk_points").await, 3);
    assert_eq!(db.store.risks(&all).await.unwrap().total, 2);
    let before = footprint(&db.store).await;
    let mut tx = db.store.begin_write().await.unwrap();
    assert!(tx.review_risk(b.id, today, &t.clerk).await.is_err());
    drop(tx);
    assert_eq!(footprint(&db.store).await, before);

    for action in [
        "risk.create",
        "risk.update",
        "risk.review",
        "risk.void",
        "risk_measure.create",
        "risk_measure.void",
    ] {
        let e = db.store.audit_page(50, 0, Some(action)).await.unwrap();
        assert!(!e.is_empty(), "{action}");
        assert!(e[0].event.after.is_some());
        if action.ends_with("update") || action.ends_with("void") || action.ends_with("review") {
            assert!(e[0].event.before.is_some(), "{action}");
        }
    }
}

#[tokio::test]
async fn discipline_records_list_by_subtree_year_and_form() {
    let db = fresh_store().await;
    let t = town(&db.store).await;
    let mut tx = db.store.begin_write().await.unwrap();
    let mut ids = Vec::new();
    for (org, name, form, sanction, on) in [
        (t.v01.id, "王某某", "第一种形态", "", "2023-03-01"),
        (t.v01.id, "李某某", "第二种形态", "党内警告", "2023-05-01"),
        (t.v02.id, "赵某某", "第三种形态", "留党察看", "2023-08-01"),
        (t.root.id, "钱某某", "第四种形态", "开除党籍", "2024-02-01"),
    ] {
        let r = tx
            .create_discipline(
                NewDiscipline {
                    org_id: org,
                    person_name: name.into(),
                    member_id: None,
                    post: "村委委员".into(),
                    form: parse_form(form).unwrap(),
                    sanction: parse_sanction(sanction).unwrap().into(),
                    reason: "违反廉洁纪律".into(),
                    decided_on: day(on),
                },
                &t.leader,
            )
            .await
            .unwrap();
        ids.push(r.id);
    }
    tx.commit().await.unwrap();

    let all = DisciplineFilter::new(t.all());
    let page = db.store.discipline_records(&all).await.unwrap();
    assert_eq!(page.total, 4);
    assert_eq!(page.by_form, [1, 1, 1, 1]);
    // Newest decision first.
    assert_eq!(page.rows[0].person_name, "钱某某");
    assert_eq!(page.rows[0].sanction_label(), "开除党籍");
    assert_eq!(page.rows[0].form_label(), "第四种形态");
    let mut f = all.clone();
    f.year = Some(2023);
    assert_eq!(db.store.discipline_records(&f).await.unwrap().total, 3);
    f.form = Some(2);
    let page = db.store.discipline_records(&f).await.unwrap();
    assert_eq!(
        (page.total, page.rows[0].person_name.as_str()),
        (1, "李某某")
    );
    assert_eq!(page.by_form, [1, 1, 1, 0]);
    let branch = DisciplineFilter::new(t.only(&t.v01));
    let page = db.store.discipline_records(&branch).await.unwrap();
    assert_eq!(page.total, 2);
    assert!(page.rows.iter().all(|r| r.org_code == "qs-v01"));

    // Changed, then voided; a bad form or an unknown member is refused and writes nothing.
    let before = footprint(&db.store).await;
    let mut tx = db.store.begin_write().await.unwrap();
    assert!(tx
        .update_discipline(
            ids[0],
            DisciplineChange {
                form: Some(5),
                ..Default::default()
            },
            &t.leader
        )
        .await
        .is_err());
    drop(tx);
    let mut tx = db.store.begin_write().await.unwrap();
    assert!(tx
        .update_discipline(
            ids[0],
            DisciplineChange {
                member_id: Some(Some(424242)),
                ..Default::default()
            },
            &t.leader
        )
        .await
        .is_err());
    drop(tx);
    assert_eq!(footprint(&db.store).await, before);
    let mut tx = db.store.begin_write().await.unwrap();
    let changed = tx
        .update_discipline(
            ids[0],
            DisciplineChange {
                reason: Some("履职不力，予以提醒谈话".into()),
                ..Default::default()
            },
            &t.leader,
        )
        .await
        .unwrap();
    assert_eq!(changed.person_name, "王某某");
    tx.void_discipline(ids[0], "重复录入", &t.leader)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(count(&db.store, "discipline_records").await, 4);
    assert_eq!(db.store.discipline_records(&all).await.unwrap().total, 3);
    let mut voided = all.clone();
    voided.voided = true;
    assert_eq!(db.store.discipline_records(&voided).await.unwrap().total, 1);
    let e = db
        .store
        .audit_page(5, 0, Some("discipline."))
        .await
        .unwrap();
    assert_eq!(e[0].event.action, "discipline.void");
    assert_eq!(e[0].event.object_type, "discipline");
    assert!(e[0]
        .event
        .before
        .as_deref()
        .unwrap()
        .contains("\"voided\":false"));
}
