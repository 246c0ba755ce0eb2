//! The generated county (`zeren demo --scale county`), at a small scale: deterministic from
//! its seed, consistent with the metric layer, and refused on a database that holds data.

use zeren_domain::date::Period;
use zeren_storage::testing::fresh_store;
use zeren_web::demo::county::{generate, CountyScale};

fn small(seed: u64) -> CountyScale {
    CountyScale {
        townships: 2,
        branches_per_township: 4,
        members_per_branch: 6,
        first_year: 2024,
        years: 2,
        seed,
    }
}

#[tokio::test]
async fn a_small_county_is_generated_the_same_way_every_time() {
    let a = fresh_store().await;
    let b = fresh_store().await;
    let sa = generate(&a.store, &small(7)).await.unwrap();
    let sb = generate(&b.store, &small(7)).await.unwrap();
    assert!(sa.generated);
    assert_eq!(sa.branches, 8);
    assert_eq!(sa.members, 48);
    assert_eq!(
        serde_json::to_value(&sa).unwrap(),
        serde_json::to_value(&sb).unwrap()
    );
    // The metric layer counts what was generated.
    let county = a.store.org_by_code("xian").await.unwrap();
    let cat = a.store.metric_catalog().await.unwrap();
    let years = Period::new(Period::year(2024).from, Period::year(2025).to).unwrap();
    let v = |n: &'static str| {
        let (cat, county, s) = (cat.clone(), county.clone(), a.store.clone());
        async move {
            s.metric_value(&cat, n, &county, years)
                .await
                .unwrap()
                .unwrap()
        }
    };
    assert_eq!(v("党支部数").await, 8.0);
    assert_eq!(v("党员数").await, 48.0);
    assert_eq!(v("问题总数").await as usize, sa.problems);
    assert_eq!(v("清单任务数").await as usize, sa.list_items);
    assert_eq!(v("理论学习中心组学习次数").await, 2.0 * 2.0 * 8.0);
    // The records behind a figure are as many as the figure says.
    let rows = a
        .store
        .metric_records(&cat, "问题总数", &county, years, 10, 0)
        .await
        .unwrap();
    assert_eq!(rows.total as usize, sa.problems);
    // The whole load is one audit entry, and the chain holds.
    let report = a.store.verify_audit_chain().await.unwrap();
    assert!(report.broken.is_none());
    // A second run on the same database generates nothing.
    let again = generate(&a.store, &small(7)).await.unwrap();
    assert!(!again.generated);
}
