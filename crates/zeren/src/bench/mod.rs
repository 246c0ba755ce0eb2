//! `zeren bench`: a county-scale installation (hundreds of units, thousands of accounts) in a
//! throwaway database, and the time the main pages and API calls take on it, measured through
//! the real router.

pub mod ledgers;
pub mod reports;

use anyhow::{Context, Result};
use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use std::time::{Duration, Instant};
use tower::ServiceExt;
use zeren_domain::account::{hash_password, Username};
use zeren_domain::org::{OrgCode, OrgKind, OrgName};
use zeren_domain::role::Role;
use zeren_storage::{Actor, NewAccount, NewOrg, Store};
use zeren_web::{app, AppState, Config};

const ADMIN_PASSWORD: &str = "Bench#2026ok";

pub struct Scale {
    pub units: usize,
    pub branches_per_unit: usize,
    pub accounts_per_unit: usize,
}

fn org(parent: Option<i64>, code: String, name: String, kind: OrgKind) -> Result<NewOrg> {
    let e = |e: zeren_domain::Invalid| anyhow::anyhow!(e.message);
    Ok(NewOrg {
        parent_id: parent,
        code: OrgCode::parse(&code).map_err(e)?,
        name: OrgName::parse(&name).map_err(e)?,
        kind,
        sort_order: 0,
    })
}

/// A county working committee over `units` departments, each with its Party group, branches
/// and accounts. Returns (organizations, accounts, seconds taken).
async fn load(store: &Store, scale: &Scale) -> Result<(usize, usize, f64)> {
    let started = Instant::now();
    let actor = Actor::cli();
    let hash = hash_password(ADMIN_PASSWORD);
    let mut tx = store.begin_write().await?;
    let root = tx
        .create_org(
            org(
                None,
                "county".into(),
                "县直机关工委".into(),
                OrgKind::WorkingCommittee,
            )?,
            &actor,
        )
        .await?;
    let admin = tx
        .create_account(
            NewAccount {
                username: Username::parse("admin").map_err(|e| anyhow::anyhow!(e.message))?,
                display_name: "管理员".into(),
                password_hash: hash.clone(),
                org_id: root.id,
                title: String::new(),
                portfolio: String::new(),
                must_change_password: false,
            },
            &actor,
        )
        .await?;
    tx.grant_role(admin.id, Role::Admin, root.id, &actor)
        .await?;
    let (mut orgs, mut accounts) = (1usize, 1usize);
    for u in 0..scale.units {
        let unit = tx
            .create_org(
                org(
                    Some(root.id),
                    format!("u{u:04}"),
                    format!("县第{}单位党组", u + 1),
                    OrgKind::PartyGroup,
                )?,
                &actor,
            )
            .await?;
        orgs += 1;
        let mut homes = vec![unit.id];
        for b in 0..scale.branches_per_unit {
            let branch = tx
                .create_org(
                    org(
                        Some(unit.id),
                        format!("u{u:04}-b{b}"),
                        format!("县第{}单位第{}党支部", u + 1, b + 1),
                        OrgKind::Branch,
                    )?,
                    &actor,
                )
                .await?;
            orgs += 1;
            homes.push(branch.id);
        }
        for a in 0..scale.accounts_per_unit {
            let home = homes[a % homes.len()];
            let account = tx
                .create_account(
                    NewAccount {
                        username: Username::parse(&format!("u{u:04}-a{a}"))
                            .map_err(|e| anyhow::anyhow!(e.message))?,
                        display_name: format!("干部{u}-{a}"),
                        password_hash: hash.clone(),
                        org_id: home,
                        title: String::new(),
                        portfolio: String::new(),
                        must_change_password: false,
                    },
                    &actor,
                )
                .await?;
            let role = if a == 0 { Role::Secretary } else { Role::Clerk };
            tx.grant_role(account.id, role, home, &actor).await?;
            accounts += 1;
        }
    }
    tx.commit().await?;
    Ok((orgs, accounts, started.elapsed().as_secs_f64()))
}

pub(crate) async fn call(
    router: &axum::Router,
    method: Method,
    uri: &str,
    token: &str,
    body: Option<String>,
) -> Result<StatusCode> {
    let mut b = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::AUTHORIZATION, format!("Bearer {token}"));
    let body = match body {
        Some(j) => {
            b = b.header(header::CONTENT_TYPE, "application/json");
            Body::from(j)
        }
        None => Body::empty(),
    };
    let resp = router.clone().oneshot(b.body(body)?).await?;
    let status = resp.status();
    axum::body::to_bytes(resp.into_body(), usize::MAX).await?;
    Ok(status)
}

/// Median and worst of `runs` timed calls.
async fn time_calls(
    router: &axum::Router,
    uri: &str,
    token: &str,
    runs: usize,
) -> Result<(Duration, Duration)> {
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        let status = call(router, Method::GET, uri, token, None).await?;
        times.push(t.elapsed());
        anyhow::ensure!(status == StatusCode::OK, "{uri} answered {status}");
    }
    times.sort();
    Ok((times[times.len() / 2], times[times.len() - 1]))
}

pub async fn run(url: &str, scale: Scale) -> Result<()> {
    let store = Store::open(url)
        .await
        .context("open the benchmark database")?;
    anyhow::ensure!(
        store.org_count().await? == 0,
        "the benchmark needs an empty database"
    );
    let (orgs, accounts, load_secs) = load(&store, &scale).await?;
    println!(
        "county of {} units: {orgs} organizations, {accounts} accounts, loaded with audit in {load_secs:.2} s ({:.0} audited changes/s)",
        scale.units,
        store.audit_count().await? as f64 / load_secs
    );
    let router = app(AppState::new(store.clone(), Config::default()));
    let login = Instant::now();
    let resp = router
        .clone()
        .oneshot(
            Request::post("/api/v1/auth/token")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(format!(
                    r#"{{"username":"admin","password":"{ADMIN_PASSWORD}"}}"#
                )))?,
        )
        .await?;
    let login_time = login.elapsed();
    let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX).await?;
    let token = serde_json::from_slice::<serde_json::Value>(&bytes)?["token"]
        .as_str()
        .context("no token")?
        .to_string();
    println!(
        "login (argon2id verify + session): {:.1} ms",
        login_time.as_secs_f64() * 1e3
    );
    println!(
        "{:<38} {:>10} {:>10}",
        "request (admin, whole county)", "median", "worst"
    );
    let runs = 15;
    let one_unit = format!("/api/v1/orgs/u{:04}", scale.units / 2);
    for (label, uri) in [
        ("GET /api/v1/orgs", "/api/v1/orgs"),
        ("GET /api/v1/accounts", "/api/v1/accounts"),
        ("GET /orgs (page)", "/orgs"),
        ("GET /accounts (page)", "/accounts"),
        ("GET / (home page)", "/"),
        ("GET /api/v1/orgs/{code} (one unit)", one_unit.as_str()),
    ] {
        let (median, worst) = time_calls(&router, uri, &token, runs).await?;
        println!(
            "{label:<38} {:>8.2}ms {:>8.2}ms",
            median.as_secs_f64() * 1e3,
            worst.as_secs_f64() * 1e3
        );
    }
    let t = Instant::now();
    let report = store.verify_audit_chain().await?;
    let secs = t.elapsed().as_secs_f64();
    anyhow::ensure!(report.broken.is_none(), "the fresh chain must verify");
    println!(
        "audit chain verify: {} entries in {:.1} ms ({:.0} entries/s)",
        report.entries,
        secs * 1e3,
        report.entries as f64 / secs
    );
    let t = Instant::now();
    let n = 50;
    for i in 0..n {
        let status = call(
            &router,
            Method::PATCH,
            &format!("/api/v1/orgs/u{:04}", i % scale.units.max(1)),
            &token,
            Some(format!(r#"{{"sort_order": {}}}"#, i % 100)),
        )
        .await?;
        anyhow::ensure!(status == StatusCode::OK, "PATCH answered {status}");
    }
    println!(
        "PATCH /api/v1/orgs/{{code}} (audited write): {:.2} ms each",
        t.elapsed().as_secs_f64() * 1e3 / n as f64
    );
    store.close().await;
    Ok(())
}
