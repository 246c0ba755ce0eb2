//! `zeren bench --reports`: drafting reports from the records. On the demo township (its whole
//! 2023, loaded through the audited write paths into a throwaway database) the annual draft
//! (figures through the metric layer, 存在问题 and lists from the ledgers, the template
//! rendered), the same through the API with its save, and the .docx export; with `--county`,
//! the county committee's annual draft over the generated county.

use super::ledgers::token;
use anyhow::{Context, Result};
use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use std::time::{Duration, Instant};
use tower::ServiceExt;
use zeren_domain::date::Period;
use zeren_reports::export::to_docx;
use zeren_reports::template::BuiltinTemplate;
use zeren_storage::Store;
use zeren_web::demo::county::{self, CountyScale};
use zeren_web::demo::{self, DemoOptions};
use zeren_web::manage::reports as drafting;
use zeren_web::{app, AppState, Config};

const DEMO_PASSWORD: &str = "Bench#2026ok";
const RUNS: usize = 50;

/// Median, 99th percentile and worst, in milliseconds.
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

async fn post_report(router: &axum::Router, token: &str, body: &str) -> Result<StatusCode> {
    let resp = router
        .clone()
        .oneshot(
            Request::builder()
                .method(Method::POST)
                .uri("/api/v1/reports")
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body.to_string()))?,
        )
        .await?;
    let status = resp.status();
    axum::body::to_bytes(resp.into_body(), usize::MAX).await?;
    Ok(status)
}

/// Drafts (without saving) `runs` times and prints the times; returns the last draft.
async fn time_drafts(
    state: &AppState,
    label: &str,
    org_code: &str,
    period: Period,
    runs: usize,
    target_ms: f64,
) -> Result<zeren_reports::draft::Draft> {
    let org = state.store.org_by_code(org_code).await?;
    let mut times = Vec::with_capacity(runs);
    let mut last = None;
    for _ in 0..runs {
        let t = Instant::now();
        let (draft, _) = drafting::draft(state, BuiltinTemplate::Annual, &org, period, None)
            .await
            .map_err(|e| anyhow::anyhow!("drafting failed: {e}"))?;
        times.push(t.elapsed());
        last = Some(draft);
    }
    let draft = last.context("no run")?;
    let (median, p99, worst) = summary(times);
    println!(
        "{label}: annual draft ({} figures, {} blocks): median {median:.1} ms, p99 {p99:.1} ms, worst {worst:.1} ms (target < {target_ms:.0} ms)",
        draft.figures().count(),
        draft.blocks.len()
    );
    Ok(draft)
}

pub async fn run(demo_url: &str, county_url: Option<&str>, seed: u64) -> Result<()> {
    let store = Store::open(demo_url)
        .await
        .context("open the benchmark database")?;
    let backend = format!("{:?}", store.backend());
    let started = Instant::now();
    let loaded = demo::load(
        &store,
        DemoOptions {
            admin_password: Some(DEMO_PASSWORD.into()),
            user_password: Some(DEMO_PASSWORD.into()),
            with_year: true,
        },
    )
    .await
    .context("load the demo")?;
    anyhow::ensure!(loaded.loaded, "the benchmark needs an empty database");
    println!(
        "[{backend}] demo township loaded in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let state = AppState::new(store.clone(), Config::default());
    let router = app(state.clone());
    let year = Period::year(2023);
    let draft = time_drafts(
        &state,
        &format!("[{backend}] demo township (青石镇党委, 2023)"),
        "qs",
        year,
        RUNS,
        50.0,
    )
    .await?;

    // The same through the API: permission, drafting, the audited save of version 1.
    let resp = router
        .clone()
        .oneshot(
            Request::post("/api/v1/auth/token")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(format!(
                    r#"{{"username":"dangwu","password":"{DEMO_PASSWORD}"}}"#
                )))?,
        )
        .await?;
    let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX).await?;
    let clerk = serde_json::from_slice::<serde_json::Value>(&bytes)?["token"]
        .as_str()
        .context("no token")?
        .to_string();
    let body = r#"{"kind":"annual","org":"qs","from":"2023-01-01","to":"2023-12-31"}"#;
    let mut times = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let t = Instant::now();
        let status = post_report(&router, &clerk, body).await?;
        times.push(t.elapsed());
        anyhow::ensure!(
            status == StatusCode::CREATED,
            "POST /api/v1/reports answered {status}"
        );
    }
    let (median, p99, worst) = summary(times);
    println!("[{backend}] POST /api/v1/reports (draft and save, audited): median {median:.1} ms, p99 {p99:.1} ms, worst {worst:.1} ms");

    // .docx export of that draft.
    let mut times = Vec::with_capacity(RUNS);
    let mut size = 0;
    for _ in 0..RUNS {
        let t = Instant::now();
        size = to_docx(&draft)?.len();
        times.push(t.elapsed());
    }
    let (median, p99, worst) = summary(times);
    println!(
        "[{backend}] .docx export ({} KB): median {median:.1} ms, p99 {p99:.1} ms, worst {worst:.1} ms (target < 100 ms)",
        size / 1024
    );
    store.close().await;

    if let Some(url) = county_url {
        county_draft(url, seed).await?;
    }
    Ok(())
}

/// The county committee's annual draft over the generated county (generated here, or reused
/// from an earlier run in the same database).
async fn county_draft(url: &str, seed: u64) -> Result<()> {
    let store = Store::open(url).await.context("open the county database")?;
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
            "[{backend}] county generated in {:.1} s: {} organizations, {} records, {} problems",
            started.elapsed().as_secs_f64(),
            s.orgs,
            s.records,
            s.problems
        );
    }
    let state = AppState::new(store.clone(), Config::default());
    let router = app(state.clone());
    time_drafts(
        &state,
        &format!("[{backend}] county committee (县委, whole county, 2025)"),
        "xian",
        Period::year(2025),
        20,
        500.0,
    )
    .await?;
    let secretary = token(&router, "xianwei").await?;
    let body = r#"{"kind":"annual","org":"xian","from":"2025-01-01","to":"2025-12-31"}"#;
    let mut times = Vec::new();
    for _ in 0..10 {
        let t = Instant::now();
        let status = post_report(&router, &secretary, body).await?;
        times.push(t.elapsed());
        anyhow::ensure!(
            status == StatusCode::CREATED,
            "POST /api/v1/reports answered {status}"
        );
    }
    let (median, p99, worst) = summary(times);
    println!("[{backend}] POST /api/v1/reports for the county committee: median {median:.1} ms, p99 {p99:.1} ms, worst {worst:.1} ms");
    store.close().await;
    Ok(())
}
