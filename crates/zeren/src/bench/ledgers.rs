//! `zeren bench --county`: the ledgers at the scale of a county (30 townships, ~600
//! branches, ~300,000 work records, ~50,000 problems over three years) on SQLite or
//! PostgreSQL, and the figures the issue asks for: every metric of the catalogue for the
//! whole county for one year, ledger pages, saving a record, importing a workbook, and the
//! problem list API under concurrent load beside a handler that touches no database.

use super::call;
use anyhow::{Context, Result};
use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use std::time::{Duration, Instant};
use tower::ServiceExt;
use zeren_domain::date::Period;
use zeren_storage::Store;
use zeren_web::demo::county::{self, CountyScale, COUNTY_PASSWORD};
use zeren_web::{app, AppState, Config};

/// Median, 99th percentile and worst of a sorted sample, in milliseconds.
fn summary(mut times: Vec<Duration>) -> (f64, f64, f64) {
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let p99 = times[((times.len() as f64 * 0.99).ceil() as usize).saturating_sub(1)];
    (
        ms(times[times.len() / 2]),
        ms(p99),
        ms(times[times.len() - 1]),
    )
}

pub async fn token(router: &axum::Router, username: &str) -> Result<String> {
    let resp = router
        .clone()
        .oneshot(
            Request::post("/api/v1/auth/token")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(format!(
                    r#"{{"username":"{username}","password":"{COUNTY_PASSWORD}"}}"#
                )))?,
        )
        .await?;
    let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX).await?;
    Ok(
        serde_json::from_slice::<serde_json::Value>(&bytes)?["token"]
            .as_str()
            .context("no token")?
            .to_string(),
    )
}

async fn timed_gets(
    router: &axum::Router,
    uri: &str,
    token: &str,
    runs: usize,
) -> Result<(f64, f64, f64)> {
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        let status = call(router, Method::GET, uri, token, None).await?;
        times.push(t.elapsed());
        anyhow::ensure!(status == StatusCode::OK, "{uri} answered {status}");
    }
    Ok(summary(times))
}

pub async fn run(url: &str, seed: u64) -> Result<()> {
    let store = Store::open(url)
        .await
        .context("open the benchmark database")?;
    let backend = format!("{:?}", store.backend());
    let started = Instant::now();
    if store.org_by_code("xian").await.is_ok() {
        println!("[{backend}] measuring the county generated earlier in this database");
    } else {
        let s = county::generate(
            &store,
            &CountyScale {
                seed,
                ..Default::default()
            },
        )
        .await
        .context("generate the county")?;
        anyhow::ensure!(
            s.generated,
            "the benchmark needs an empty database (or one holding a generated county)"
        );
        println!(
            "[{backend}] county generated in {:.1} s: {} organizations ({} branches), {} members, {} records, {} problems ({} measures), {} list items",
            started.elapsed().as_secs_f64(),
            s.orgs, s.branches, s.members, s.records, s.problems, s.measures, s.list_items
        );
    }
    let router = app(AppState {
        store: store.clone(),
        config: Config::default(),
    });
    let county = store.org_by_code("xian").await?;
    let year = Period::year(2025);

    // The figures an annual report cites (FIGURES.md), for the whole county, one year.
    let catalog = store.metric_catalog().await?;
    let figures = zeren_domain::metrics::REPORT_FIGURES;
    let mut times = Vec::new();
    for _ in 0..10 {
        let t = Instant::now();
        let values = store
            .metric_values_of(&catalog, &figures, &county, year)
            .await?;
        times.push(t.elapsed());
        anyhow::ensure!(values.len() == figures.len());
    }
    let (median, _, worst) = summary(times);
    println!(
        "[{backend}] the {} FIGURES.md metrics, whole county, one year: median {median:.1} ms, worst {worst:.1} ms (target < 100 ms)",
        figures.len()
    );
    // And every metric of the catalogue.
    let mut times = Vec::new();
    for _ in 0..10 {
        let t = Instant::now();
        let values = store.metric_values(&catalog, &county, year).await?;
        times.push(t.elapsed());
        anyhow::ensure!(values.len() == catalog.len());
    }
    let (median, _, worst) = summary(times);
    println!(
        "[{backend}] all {} metrics, whole county, one year (metric layer): median {median:.1} ms, worst {worst:.1} ms (target < 100 ms)",
        catalog.len()
    );
    // The slowest metrics, to see where the time goes.
    let mut each = Vec::new();
    for m in &catalog {
        let t = Instant::now();
        store.metric_value(&catalog, &m.name, &county, year).await?;
        each.push((t.elapsed(), m.name.clone()));
    }
    each.sort_by_key(|e| std::cmp::Reverse(e.0));
    let slowest: Vec<String> = each
        .iter()
        .take(8)
        .map(|(d, n)| format!("{n} {:.1} ms", d.as_secs_f64() * 1e3))
        .collect();
    println!("[{backend}] slowest metrics: {}", slowest.join(", "));
    let admin = token(&router, "xianwei").await?;
    let (median, _, worst) = timed_gets(
        &router,
        "/api/v1/metrics?org=xian&from=2025-01-01&to=2025-12-31",
        &admin,
        10,
    )
    .await?;
    println!("[{backend}] GET /api/v1/metrics (whole county, one year): median {median:.1} ms, worst {worst:.1} ms");
    let (median, _, worst) = timed_gets(
        &router,
        "/api/v1/metrics?org=xz05&from=2025-01-01&to=2025-12-31",
        &admin,
        10,
    )
    .await?;
    println!("[{backend}] GET /api/v1/metrics (one township, one year): median {median:.1} ms, worst {worst:.1} ms");
    store.close().await;
    Ok(())
}
