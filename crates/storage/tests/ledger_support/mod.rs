//! A small township for the ledger tests: 青石镇党委 with an office general branch and two
//! village branches, a clerk (整改人) and a leader (审核人).
#![allow(dead_code)]

use zeren_domain::account::Username;
use zeren_domain::date::Day;
use zeren_domain::org::{OrgCode, OrgKind, OrgName};
use zeren_domain::permissions::Scope;
use zeren_storage::{Actor, NewAccount, NewOrg, Org, Store};

pub struct Town {
    pub root: Org,
    pub office: Org,
    pub v01: Org,
    pub v02: Org,
    pub clerk: Actor,
    pub leader: Actor,
}

impl Town {
    pub fn all(&self) -> Scope {
        Scope {
            roots: vec![self.root.path.clone()],
        }
    }

    pub fn only(&self, org: &Org) -> Scope {
        Scope {
            roots: vec![org.path.clone()],
        }
    }
}

fn new_org(parent: Option<i64>, code: &str, name: &str, kind: OrgKind) -> NewOrg {
    NewOrg {
        parent_id: parent,
        code: OrgCode::parse(code).unwrap(),
        name: OrgName::parse(name).unwrap(),
        kind,
        sort_order: 0,
    }
}

pub async fn town(store: &Store) -> Town {
    let cli = Actor::cli();
    let mut tx = store.begin_write().await.unwrap();
    let root = tx
        .create_org(new_org(None, "qs", "青石镇党委", OrgKind::Committee), &cli)
        .await
        .unwrap();
    let office = tx
        .create_org(
            new_org(
                Some(root.id),
                "qs-jg",
                "镇机关党总支",
                OrgKind::GeneralBranch,
            ),
            &cli,
        )
        .await
        .unwrap();
    let v01 = tx
        .create_org(
            new_org(Some(root.id), "qs-v01", "东岭村党支部", OrgKind::Branch),
            &cli,
        )
        .await
        .unwrap();
    let v02 = tx
        .create_org(
            new_org(Some(root.id), "qs-v02", "西河村党支部", OrgKind::Branch),
            &cli,
        )
        .await
        .unwrap();
    let actor = |username: &str, name: &str| {
        let username = username.to_string();
        let name = name.to_string();
        (username, name)
    };
    let people = [actor("dangwu", "陈静"), actor("fushuji", "李红梅")];
    let mut actors = Vec::new();
    for (u, n) in people {
        let a = tx
            .create_account(
                NewAccount {
                    username: Username::parse(&u).unwrap(),
                    display_name: n,
                    password_hash: "x".into(),
                    org_id: root.id,
                    title: String::new(),
                    portfolio: String::new(),
                    must_change_password: false,
                },
                &cli,
            )
            .await
            .unwrap();
        actors.push(Actor {
            id: Some(a.id),
            name: a.username,
            address: "127.0.0.1".into(),
        });
    }
    tx.commit().await.unwrap();
    let leader = actors.pop().unwrap();
    let clerk = actors.pop().unwrap();
    Town {
        root,
        office,
        v01,
        v02,
        clerk,
        leader,
    }
}

pub fn day(text: &str) -> Day {
    Day::parse("d", text).unwrap()
}

pub async fn count(store: &Store, table: &str) -> i64 {
    let (n,): (i64,) = zeren_storage::sqlx::query_as(&format!("SELECT COUNT(*) FROM {table}"))
        .fetch_one(store.pool())
        .await
        .unwrap();
    n
}

/// Row counts of every table a ledger write touches, to show a refused write left nothing.
pub async fn footprint(store: &Store) -> Vec<i64> {
    let mut out = Vec::new();
    for t in [
        "problem_batches",
        "problems",
        "problem_measures",
        "problem_events",
        "risk_points",
        "risk_measures",
        "discipline_records",
        "attachment_links",
        "audit_log",
    ] {
        out.push(count(store, t).await);
    }
    out
}
