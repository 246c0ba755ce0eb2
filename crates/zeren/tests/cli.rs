//! The `zeren` binary as an operator uses it, on SQLite and (with ZEREN_TEST_BACKEND=postgres)
//! on PostgreSQL.

use std::process::{Command, Output};
use zeren_storage::testing::fresh_url;
use zeren_storage::{Backend, Store};

fn zeren(args: &[&str], url: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_zeren"))
        .args(args)
        .arg("--database")
        .arg(url)
        .env("RUST_BACKTRACE", "0")
        .output()
        .expect("run zeren")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).to_string()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

#[tokio::test]
async fn demo_user_audit_and_backup_from_the_command_line() {
    let (url, dir) = fresh_url().await;
    let o = zeren(
        &["demo", "--load-only", "--admin-password", "Qingshi#2026"],
        &url,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("18 个组织（16 个党支部）"), "{out}");
    assert!(out.contains("Qingshi#2026"));
    for user in ["admin", "shuji", "jiwei", "dangwu", "quwei", "zb-v10"] {
        assert!(out.contains(user), "{user} missing from {out}");
    }
    // Loading again changes nothing.
    let o = zeren(&["demo", "--load-only"], &url);
    assert!(stdout(&o).contains("未重复载入"));
    let o = zeren(
        &["demo", "--load-only", "--admin-password", "Other#2026pw"],
        &url,
    );
    assert!(
        stdout(&o).contains("--admin-password 未生效"),
        "{}",
        stdout(&o)
    );

    let o = zeren(&["migrate"], &url);
    assert!(stdout(&o).contains("0001") && stdout(&o).contains("0002"));

    let o = zeren(
        &[
            "user",
            "create",
            "--username",
            "wangwu",
            "--password",
            "Jiancha#2026x",
            "--role",
            "纪检",
            "--org",
            "qs-v02",
        ],
        &url,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let bad = zeren(
        &[
            "user",
            "create",
            "--username",
            "lisi",
            "--password",
            "short",
            "--role",
            "clerk",
            "--org",
            "qs",
        ],
        &url,
    );
    assert!(!bad.status.success());
    assert!(stderr(&bad).contains("密码长度至少8位"));
    let bad = zeren(
        &[
            "user",
            "create",
            "--username",
            "lisi",
            "--password",
            "Lisi#2026xx",
            "--role",
            "king",
            "--org",
            "qs",
        ],
        &url,
    );
    assert!(stderr(&bad).contains("请选择有效的角色"));

    let store = Store::open(&url).await.unwrap();
    let account = store.account_by_username("wangwu").await.unwrap().unwrap();
    assert!(
        !account.must_change_password,
        "a password set on the command line is final"
    );
    assert_eq!(
        store.grants(account.id).await.unwrap()[0].role.code(),
        "inspector"
    );

    let o = zeren(&["audit", "verify"], &url);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("审计链完好"));
    zeren_storage::sqlx::query("UPDATE audit_log SET actor = 'mallory' WHERE seq = 7")
        .execute(store.pool())
        .await
        .unwrap();
    let o = zeren(&["audit", "verify"], &url);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("第 7 条"), "{}", stderr(&o));

    match store.backend() {
        Backend::Sqlite => {
            let target = dir.as_ref().unwrap().path().join("copy.db");
            let o = zeren(&["backup", "--to", target.to_str().unwrap()], &url);
            assert!(o.status.success(), "{}", stderr(&o));
            let copy = Store::open(&format!("sqlite://{}", target.display()))
                .await
                .unwrap();
            assert_eq!(copy.org_count().await.unwrap(), 18);
        }
        Backend::Postgres => {
            let o = zeren(&["backup", "--to", "/tmp/never.db"], &url);
            assert!(!o.status.success());
            assert!(stderr(&o).contains("pg_dump"));
        }
    }
}

fn check(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_zeren"))
        .arg("check")
        .args(args)
        .env("RUST_BACKTRACE", "0")
        .output()
        .expect("run zeren check")
}

#[test]
fn check_exit_status_follows_the_worst_finding() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("draft.txt");
    std::fs::write(
        &bad,
        "2023年度工作总结\n一、学习\nXX乡党委开展学习。\n三、整改\n",
    )
    .unwrap();
    let clean = dir.path().join("clean.md");
    std::fs::write(
        &clean,
        "# 2023年度青石镇落实全面从严治党主体责任情况的报告\n\n一、强化理论武装\n\n全年开展中心组学习8次。\n\n二、抓好问题整改\n\n反馈的45个问题中，42个已整改完成，完成率93.3%。\n",
    )
    .unwrap();
    let o = check(&[bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(out.contains("draft.txt:3:1: 错误[placeholder"), "{out}");
    assert!(out.contains("^^"), "the span is underlined");
    assert!(out.contains("建议"));
    let o = check(&[clean.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let o = check(&["--json", bad.to_str().unwrap(), clean.to_str().unwrap()]);
    let findings: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let first = &findings[0];
    for key in [
        "file",
        "rule",
        "severity",
        "line",
        "column",
        "end_line",
        "end_column",
        "text",
        "message",
        "suggestion",
    ] {
        assert!(first.get(key).is_some(), "{key} missing in {first}");
    }
    let o = check(&[
        "--disable",
        "placeholder",
        "--disable",
        "numbering",
        bad.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let o = check(&[dir.path().join("missing.txt").to_str().unwrap()]);
    assert!(!o.status.success());
}

/// `zeren check` on the three real reports prints their real defects.
#[test]
fn check_finds_the_real_defects_of_the_seed_reports() {
    let seeds = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/domain/seeds/");
    let file = |n: &str| format!("{seeds}{n}");
    let o = check(&["--json", &file("township-2023-responsibility-report.txt")]);
    assert_eq!(o.status.code(), Some(1));
    let f: serde_json::Value =
        serde_json::from_slice(&o.stdout).expect("seed present and JSON out");
    let has = |rule: &str, line: u64, text: &str| {
        f.as_array().unwrap().iter().any(|x| {
            x["rule"].as_str().unwrap().starts_with(rule)
                && x["line"] == line
                && x["text"].as_str().unwrap().contains(text)
        })
    };
    assert!(has("numbering", 24, "六、"));
    assert!(has("residue", 7, "##paidbegin##"));
    assert!(has("pairing", 7, "“网络平台作用"));
    assert!(has("suspicious", 22, "10人次"));

    let o = check(&["--json", &file("township-2023-responsibility-summary.txt")]);
    let f: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let texts: Vec<&str> = f
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["text"].as_str().unwrap())
        .collect();
    assert!(
        texts.contains(&"XXX") && texts.iter().filter(|t| **t == "XX").count() >= 3,
        "{texts:?}"
    );

    let o = check(&[&file("county-dept-2023-accountability-report.txt")]);
    assert!(stdout(&o).contains("numbering.style"));
}

/// A fresh installation without the demo: the first organization and administrator come
/// from the command line.
#[tokio::test]
async fn a_fresh_installation_is_set_up_from_the_command_line() {
    let (url, _dir) = fresh_url().await;
    let o = zeren(
        &[
            "org",
            "create",
            "--code",
            "hx",
            "--name",
            "河西乡党委",
            "--kind",
            "党委",
        ],
        &url,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("已创建组织 河西乡党委"));
    let o = zeren(
        &[
            "org",
            "create",
            "--code",
            "hx-v01",
            "--name",
            "前进村党支部",
            "--kind",
            "branch",
            "--parent",
            "hx",
        ],
        &url,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let o = zeren(
        &[
            "org", "create", "--code", "hx-v02", "--name", "x", "--parent", "nope",
        ],
        &url,
    );
    assert!(stderr(&o).contains("上级组织编码 nope 不存在"));
    let o = zeren(
        &["org", "create", "--code", "bad code", "--name", "x"],
        &url,
    );
    assert!(stderr(&o).contains("组织编码只能包含"));
    let o = zeren(
        &[
            "user",
            "create",
            "--username",
            "itadmin",
            "--password",
            "Hexi#2026ok",
            "--role",
            "admin",
            "--org",
            "hx",
        ],
        &url,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let store = Store::open(&url).await.unwrap();
    let v01 = store.org_by_code("hx-v01").await.unwrap();
    assert_eq!(
        v01.parent_id,
        Some(store.org_by_code("hx").await.unwrap().id)
    );
    let account = store.account_by_username("itadmin").await.unwrap().unwrap();
    assert!(zeren_domain::account::verify_password(
        "Hexi#2026ok",
        &account.password_hash
    ));
    let o = zeren(&["user", "reset-password", "--username", "itadmin"], &url);
    assert!(stdout(&o).contains("新密码"));
    assert!(
        store
            .account_by_username("itadmin")
            .await
            .unwrap()
            .unwrap()
            .must_change_password
    );
}

/// `zeren bench` builds a county and prints its figures (here at a small scale).
#[tokio::test]
async fn bench_prints_figures_for_a_county() {
    let (url, _dir) = fresh_url().await;
    let o = zeren(
        &[
            "bench",
            "--units",
            "4",
            "--branches",
            "2",
            "--accounts",
            "3",
        ],
        &url,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("county of 4 units: 13 organizations, 13 accounts"),
        "{out}"
    );
    for line in [
        "GET /api/v1/orgs",
        "GET /accounts (page)",
        "audit chain verify",
        "PATCH /api/v1/orgs",
    ] {
        assert!(out.contains(line), "{line} missing: {out}");
    }
    // It refuses a database that already holds data.
    let o = zeren(&["bench", "--units", "1"], &url);
    assert!(!o.status.success());
}
