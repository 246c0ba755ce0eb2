//! Reports kept as numbered versions, and report templates, on SQLite and
//! (ZEREN_TEST_BACKEND=postgres) PostgreSQL.

mod ledger_support;

use ledger_support::{count, day, town};
use zeren_storage::testing::fresh_store;
use zeren_storage::{NewReport, ReportFilter, StorageError};

fn annual(org_id: i64, body: &str) -> NewReport {
    NewReport {
        org_id,
        kind: "annual".into(),
        template_code: "annual".into(),
        period_from: day("2023-01-01"),
        period_to: day("2023-12-31"),
        subject_account_id: None,
        title: "青石镇党委2023年度落实全面从严治党主体责任情况的报告".into(),
        body: body.into(),
    }
}

#[tokio::test]
async fn a_report_keeps_every_version_and_refuses_to_overwrite_a_newer_one() {
    let db = fresh_store().await;
    let t = town(&db.store).await;
    let mut tx = db.store.begin_write().await.unwrap();
    let r = tx
        .create_report(annual(t.root.id, "{\"v\":1}"), &t.clerk)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!((r.version, r.org_code.as_str()), (1, "qs"));
    let first = db.store.report_version(r.id, None).await.unwrap();
    assert_eq!((first.version, first.body.as_str()), (1, "{\"v\":1}"));

    let mut tx = db.store.begin_write().await.unwrap();
    let v2 = tx
        .save_report_version(r.id, 1, "新标题", "{\"v\":2}", "改了第一段", &t.leader)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!((v2.version, v2.note.as_str()), (2, "改了第一段"));
    let audit_before = count(&db.store, "audit_log").await;
    // Someone still editing version 1 cannot overwrite version 2.
    let mut tx = db.store.begin_write().await.unwrap();
    let err = tx
        .save_report_version(r.id, 1, "旧标题", "{\"v\":\"stale\"}", "", &t.clerk)
        .await
        .unwrap_err();
    drop(tx);
    assert!(
        matches!(
            err,
            StorageError::Rejected {
                field: "version",
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(count(&db.store, "audit_log").await, audit_before);
    assert_eq!(count(&db.store, "report_versions").await, 2);

    let report = db.store.report(r.id).await.unwrap();
    assert_eq!((report.version, report.title.as_str()), (2, "新标题"));
    let versions = db.store.report_versions(r.id).await.unwrap();
    assert_eq!(
        versions.iter().map(|v| v.version).collect::<Vec<_>>(),
        vec![2, 1]
    );
    assert_eq!(
        db.store.report_version(r.id, Some(1)).await.unwrap().body,
        "{\"v\":1}"
    );
    assert!(matches!(
        db.store.report_version(r.id, Some(9)).await,
        Err(StorageError::NotFound(_))
    ));

    // Voided, it leaves the list and takes no more versions; nothing is deleted.
    let mut tx = db.store.begin_write().await.unwrap();
    tx.void_report(r.id, "重复生成", &t.clerk).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = db.store.begin_write().await.unwrap();
    assert!(tx
        .save_report_version(r.id, 2, "x", "{}", "", &t.clerk)
        .await
        .is_err());
    drop(tx);
    assert_eq!(
        db.store
            .reports(&ReportFilter::new(t.all()))
            .await
            .unwrap()
            .total,
        0
    );
    assert_eq!(count(&db.store, "report_versions").await, 2);
}

#[tokio::test]
async fn reports_are_listed_by_subtree_and_templates_are_saved_by_code() {
    let db = fresh_store().await;
    let t = town(&db.store).await;
    let mut tx = db.store.begin_write().await.unwrap();
    tx.create_report(annual(t.root.id, "{}"), &t.clerk)
        .await
        .unwrap();
    let mut branch = annual(t.v01.id, "{}");
    branch.kind = "quarterly".into();
    tx.create_report(branch, &t.clerk).await.unwrap();
    let mut backwards = annual(t.v02.id, "{}");
    backwards.period_from = day("2024-01-01");
    assert!(tx.create_report(backwards, &t.clerk).await.is_err());
    tx.commit().await.unwrap();
    let all = db.store.reports(&ReportFilter::new(t.all())).await.unwrap();
    assert_eq!(all.total, 2);
    let only = db
        .store
        .reports(&ReportFilter::new(t.only(&t.v01)))
        .await
        .unwrap();
    assert_eq!(
        only.rows
            .iter()
            .map(|r| r.kind.as_str())
            .collect::<Vec<_>>(),
        vec!["quarterly"]
    );
    let mut f = ReportFilter::new(t.all());
    f.kind = Some("annual".into());
    assert_eq!(db.store.reports(&f).await.unwrap().rows[0].org_code, "qs");

    assert!(db.store.report_template("annual").await.unwrap().is_none());
    let mut tx = db.store.begin_write().await.unwrap();
    let a = tx
        .save_report_template("annual", "annual", "年度报告", "# 工作开展情况", &t.clerk)
        .await
        .unwrap();
    let b = tx
        .save_report_template("annual", "annual", "年度报告（县委格式）", "# 一", &t.clerk)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(a.id, b.id);
    let stored = db.store.report_template("annual").await.unwrap().unwrap();
    assert_eq!(
        (stored.name.as_str(), stored.source.as_str()),
        ("年度报告（县委格式）", "# 一")
    );
    assert_eq!(db.store.report_templates().await.unwrap().len(), 1);
}
