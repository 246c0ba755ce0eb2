//! The metric layer against real rows, on the database the run was started for (SQLite or
//! PostgreSQL). Rows are written with plain SQL here so that the metric layer is tested on its
//! own: the ledgers' own write paths have their own tests.

use zeren_domain::date::Period;
use zeren_domain::metrics::{MetricDef, MetricKind};
use zeren_domain::org::{OrgCode, OrgKind, OrgName};
use zeren_storage::testing::fresh_store;
use zeren_storage::{Actor, NewOrg, Org, OrgChange, StorageError, Store};

async fn org(store: &Store, parent: Option<&Org>, code: &str, name: &str, kind: OrgKind) -> Org {
    let mut tx = store.begin_write().await.unwrap();
    let o = tx
        .create_org(
            NewOrg {
                parent_id: parent.map(|p| p.id),
                code: OrgCode::parse(code).unwrap(),
                name: OrgName::parse(name).unwrap(),
                kind,
                sort_order: 0,
            },
            &Actor::cli(),
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();
    o
}

async fn exec(store: &Store, sql: &str) {
    sqlx::query(sql).execute(store.pool()).await.unwrap();
}

const NOW: &str = "2024-01-05T00:00:00.000Z";

async fn record(
    store: &Store,
    o: &Org,
    ty: &str,
    day: &str,
    person_times: Option<i64>,
    items: Option<i64>,
    voided: bool,
) {
    let pt = person_times.map(|v| v.to_string()).unwrap_or("NULL".into());
    let it = items.map(|v| v.to_string()).unwrap_or("NULL".into());
    exec(
        store,
        &format!(
            "INSERT INTO work_records (org_id, org_path, type_code, title, held_on, person_times, items, outlet_level, created_at, updated_at, voided) \
             VALUES ({}, '{}', '{ty}', '{ty} {day}', '{day}', {pt}, {it}, 'own', '{NOW}', '{NOW}', {})",
            o.id,
            o.path.as_str(),
            if voided { "TRUE" } else { "FALSE" }
        ),
    )
    .await;
}

async fn problem(store: &Store, o: &Org, source: &str, status: &str, day: &str) {
    exec(
        store,
        &format!(
            "INSERT INTO problems (org_id, org_path, source_code, description, found_on, status, created_at, updated_at) \
             VALUES ({}, '{}', '{source}', '问题', '{day}', '{status}', '{NOW}', '{NOW}')",
            o.id,
            o.path.as_str()
        ),
    )
    .await;
}

async fn member(store: &Store, o: &Org, birth: &str, joined: &str, gender: &str) {
    exec(
        store,
        &format!(
            "INSERT INTO members (org_id, org_path, name, gender, birth_date, joined_on, status, created_at, updated_at) \
             VALUES ({}, '{}', '党员', '{gender}', '{birth}', '{joined}', 'probationary', '{NOW}', '{NOW}')",
            o.id,
            o.path.as_str()
        ),
    )
    .await;
}

fn y2023() -> Period {
    Period::year(2023)
}

#[tokio::test]
async fn counts_and_sums_follow_the_subtree_the_period_and_voiding() {
    let db = fresh_store().await;
    let s = &db.store;
    let town = org(s, None, "t1", "甲镇党委", OrgKind::Committee).await;
    let village = org(s, Some(&town), "t1-v1", "一村党支部", OrgKind::Branch).await;
    let other = org(s, None, "t2", "乙镇党委", OrgKind::Committee).await;
    record(s, &town, "study_group", "2023-01-10", Some(9), None, false).await;
    record(s, &town, "study_group", "2023-12-31", None, None, false).await;
    record(s, &town, "study_group", "2024-01-01", None, None, false).await; // next year
    record(s, &town, "study_group", "2023-05-01", None, None, true).await; // voided
    record(s, &other, "study_group", "2023-05-01", None, None, false).await; // elsewhere
    record(s, &village, "training", "2023-03-01", Some(40), None, false).await;
    record(s, &village, "training", "2023-04-01", Some(35), None, false).await;
    record(
        s,
        &village,
        "publicity",
        "2023-04-01",
        None,
        Some(12),
        false,
    )
    .await;
    record(s, &village, "publicity", "2023-04-02", None, None, false).await; // counts as 1 article

    let cat = s.metric_catalog().await.unwrap();
    let v = |name: &'static str, o: &Org| {
        let cat = cat.clone();
        let o = o.clone();
        async move { s.metric_value(&cat, name, &o, y2023()).await.unwrap() }
    };
    assert_eq!(v("理论学习中心组学习次数", &town).await, Some(2.0));
    assert_eq!(v("理论学习中心组学习次数", &other).await, Some(1.0));
    assert_eq!(v("理论学习中心组学习次数", &village).await, Some(0.0));
    // The branch's training counts in the committee above it: recorded once.
    assert_eq!(v("培训班期数", &town).await, Some(2.0));
    assert_eq!(v("参训人次", &town).await, Some(75.0));
    assert_eq!(v("参训人次", &village).await, Some(75.0));
    assert_eq!(v("公众号文章数", &town).await, Some(13.0));

    // The rows behind a value are exactly those counted.
    let rows = s
        .metric_records(&cat, "参训人次", &town, y2023(), 50, 0)
        .await
        .unwrap();
    assert_eq!(rows.total, 2);
    assert_eq!(rows.rows.iter().map(|r| r.amount).sum::<f64>(), 75.0);
    assert!(rows
        .rows
        .iter()
        .all(|r| r.kind == "record" && r.org_name == "一村党支部"));
    assert_eq!(rows.rows[0].day, "2023-04-01", "newest first");

    // Every metric at once gives the same values.
    let all = s.metric_values(&cat, &town, y2023()).await.unwrap();
    assert_eq!(all.len(), cat.len());
    let get = |n: &str| all.iter().find(|m| m.name == n).unwrap().value;
    assert_eq!(get("参训人次"), Some(75.0));
    assert_eq!(get("党支部数"), Some(1.0));

    // Unknown metrics are a typed not-found.
    assert!(matches!(
        s.metric_value(&cat, "不存在的指标", &town, y2023()).await,
        Err(StorageError::NotFound("metric"))
    ));
}

#[tokio::test]
async fn the_committee_itself_and_the_branches_below_are_told_apart() {
    let db = fresh_store().await;
    let s = &db.store;
    let town = org(s, None, "t1", "甲镇党委", OrgKind::Committee).await;
    let village = org(s, Some(&town), "t1-v1", "一村党支部", OrgKind::Branch).await;
    for i in 0..45 {
        let status = if i < 42 { "closed" } else { "in_progress" };
        problem(s, &town, "inspection_tour", status, "2023-06-01").await;
    }
    for i in 0..35 {
        let status = if i < 34 { "closed" } else { "pending" };
        problem(s, &village, "inspection_tour", status, "2023-06-01").await;
    }
    problem(s, &town, "self_check", "pending", "2023-06-01").await;
    let cat = s.metric_catalog().await.unwrap();
    let v = |n: &str| {
        let cat = cat.clone();
        let n = n.to_string();
        let town = town.clone();
        async move { s.metric_value(&cat, &n, &town, y2023()).await.unwrap() }
    };
    assert_eq!(v("巡察反馈问题数").await, Some(45.0));
    assert_eq!(v("巡察反馈已整改数").await, Some(42.0));
    assert_eq!(v("巡察整改完成率").await, Some(93.3));
    assert_eq!(v("村级巡察反馈问题数").await, Some(35.0));
    assert_eq!(v("村级巡察反馈已整改数").await, Some(34.0));
    assert_eq!(v("村级巡察整改完成率").await, Some(97.1));
    assert_eq!(v("问题总数").await, Some(81.0));
    // A ratio of nothing has no value.
    assert_eq!(
        s.metric_value(&cat, "巡察整改完成率", &village, Period::year(2020))
            .await
            .unwrap(),
        None
    );
    // A ratio's rows are its denominator's, each marked whether the numerator counts it.
    let rows = s
        .metric_records(&cat, "巡察整改完成率", &town, y2023(), 100, 0)
        .await
        .unwrap();
    assert_eq!(rows.total, 45);
    assert_eq!(rows.value, Some(93.3));
    assert_eq!(
        rows.rows
            .iter()
            .filter(|r| r.in_numerator == Some(true))
            .count(),
        42
    );
}

#[tokio::test]
async fn members_under_35_and_the_quality_of_the_roster() {
    let db = fresh_store().await;
    let s = &db.store;
    let town = org(s, None, "t1", "甲镇党委", OrgKind::Committee).await;
    member(s, &town, "1990-03-01", "2023-03-01", "男").await; // 33
    member(s, &town, "1988-06-02", "2023-06-01", "女").await; // 34 and 364 days
    member(s, &town, "1988-06-01", "2023-06-01", "男").await; // 35 on the day
    member(s, &town, "1960-01-01", "1985-07-01", "").await; // gender missing, joined long ago
    member(s, &town, "2010-01-01", "2023-02-01", "女").await; // 13 on joining: inaccurate
    let cat = s.metric_catalog().await.unwrap();
    let v = |n: &str| {
        let cat = cat.clone();
        let n = n.to_string();
        let town = town.clone();
        async move { s.metric_value(&cat, &n, &town, y2023()).await.unwrap() }
    };
    assert_eq!(v("发展党员数").await, Some(4.0));
    assert_eq!(v("发展党员35岁以下人数").await, Some(3.0));
    assert_eq!(v("发展党员35岁以下占比").await, Some(75.0));
    assert_eq!(v("党员数").await, Some(5.0));
    assert_eq!(v("党员信息完整率").await, Some(80.0));
    assert_eq!(v("党员信息准确率").await, Some(80.0));
}

#[tokio::test]
async fn figures_follow_an_organization_that_moves() {
    let db = fresh_store().await;
    let s = &db.store;
    let a = org(s, None, "a", "甲镇党委", OrgKind::Committee).await;
    let b = org(s, None, "b", "乙镇党委", OrgKind::Committee).await;
    let v1 = org(s, Some(&a), "a-v1", "一村党支部", OrgKind::Branch).await;
    record(s, &v1, "theme_day", "2023-05-04", Some(20), None, false).await;
    let cat = s.metric_catalog().await.unwrap();
    assert_eq!(
        s.metric_value(&cat, "主题党日次数", &a, y2023())
            .await
            .unwrap(),
        Some(1.0)
    );
    let mut tx = s.begin_write().await.unwrap();
    tx.update_org(
        v1.id,
        OrgChange {
            parent_id: Some(b.id),
            ..Default::default()
        },
        &Actor::cli(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        s.metric_value(&cat, "主题党日次数", &a, y2023())
            .await
            .unwrap(),
        Some(0.0)
    );
    assert_eq!(
        s.metric_value(&cat, "主题党日次数", &b, y2023())
            .await
            .unwrap(),
        Some(1.0)
    );
}

#[tokio::test]
async fn an_administrator_extends_the_catalogue() {
    let db = fresh_store().await;
    let s = &db.store;
    let town = org(s, None, "t1", "甲镇党委", OrgKind::Committee).await;
    record(s, &town, "volunteer", "2023-05-04", Some(30), None, false).await;
    record(s, &town, "heart_talk", "2023-05-04", Some(5), None, false).await;
    let def: MetricDef = serde_json::from_str(
        r#"{"name":"服务与谈话人次","unit":"人次","kind":"sum","source":"records","field":"person_times",
            "filter":{"types":["volunteer","heart_talk"]}}"#,
    )
    .unwrap();
    let cat = s.metric_catalog().await.unwrap();
    def.validate(|n| cat.iter().find(|m| m.name == n).map(|m| m.kind))
        .unwrap();
    let mut tx = s.begin_write().await.unwrap();
    let id = tx.add_metric_def(&def, &Actor::cli()).await.unwrap();
    tx.commit().await.unwrap();
    let cat = s.metric_catalog().await.unwrap();
    let added = cat.iter().find(|m| m.name == "服务与谈话人次").unwrap();
    assert!(added.custom);
    assert_eq!(
        s.metric_value(&cat, "服务与谈话人次", &town, y2023())
            .await
            .unwrap(),
        Some(35.0)
    );
    // A built-in name cannot be redefined; a second definition of the same name is refused.
    let mut dup = def.clone();
    dup.name = "参训人次".into();
    let mut tx = s.begin_write().await.unwrap();
    assert!(matches!(
        tx.add_metric_def(&dup, &Actor::cli()).await,
        Err(StorageError::Rejected { field: "name", .. })
    ));
    drop(tx);
    let mut tx = s.begin_write().await.unwrap();
    assert!(tx.add_metric_def(&def, &Actor::cli()).await.is_err());
    drop(tx);
    // Switched off, it leaves the catalogue; the audit trail has both changes.
    let mut tx = s.begin_write().await.unwrap();
    tx.set_metric_def_active(id, false, &Actor::cli())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let cat = s.metric_catalog().await.unwrap();
    assert!(cat.iter().all(|m| m.name != "服务与谈话人次"));
    assert!(cat.iter().filter(|m| m.kind == MetricKind::Ratio).count() > 5);
    let (n,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM audit_log WHERE object_type = 'metric'")
            .fetch_one(s.pool())
            .await
            .unwrap();
    assert_eq!(n, 2);
}
