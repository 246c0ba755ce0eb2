//! Storage behaviour, run on SQLite and (with ZEREN_TEST_BACKEND=postgres) on PostgreSQL.

use zeren_domain::account::{hash_password, Username};
use zeren_domain::org::{OrgCode, OrgKind, OrgName};
use zeren_domain::permissions::Scope;
use zeren_domain::role::Role;
use zeren_storage::testing::fresh_store;
use zeren_storage::{Actor, Backend, NewAccount, NewOrg, OrgChange, StorageError, Store};

fn new_org(parent: Option<i64>, code: &str, name: &str, kind: OrgKind) -> NewOrg {
    NewOrg {
        parent_id: parent,
        code: OrgCode::parse(code).unwrap(),
        name: OrgName::parse(name).unwrap(),
        kind,
        sort_order: 0,
    }
}

async fn township(store: &Store) -> (i64, i64, i64) {
    let actor = Actor::cli();
    let mut tx = store.begin_write().await.unwrap();
    let root = tx
        .create_org(
            new_org(None, "qs", "青石镇党委", OrgKind::Committee),
            &actor,
        )
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
            &actor,
        )
        .await
        .unwrap();
    let village = tx
        .create_org(
            new_org(Some(root.id), "qs-v01", "东岭村党支部", OrgKind::Branch),
            &actor,
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();
    (root.id, office.id, village.id)
}

#[tokio::test]
async fn migrations_apply_once_and_are_recorded() {
    let db = fresh_store().await;
    let applied = db.store.applied_migrations().await.unwrap();
    let versions: Vec<i64> = applied.iter().map(|m| m.0).collect();
    assert_eq!(versions, vec![1, 2, 3, 4, 7, 8, 9, 10]);
    // Opening again applies nothing new and keeps data.
    township(&db.store).await;
    let again = Store::open(&db.url).await.unwrap();
    assert_eq!(again.applied_migrations().await.unwrap(), applied);
    assert_eq!(again.org_count().await.unwrap(), 3);
}

#[tokio::test]
async fn subtree_queries_follow_the_path() {
    let db = fresh_store().await;
    let (root, office, village) = township(&db.store).await;
    let actor = Actor::cli();
    let mut tx = db.store.begin_write().await.unwrap();
    let branch = tx
        .create_org(
            new_org(Some(office), "qs-jg1", "机关第一党支部", OrgKind::Branch),
            &actor,
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let root_org = db.store.org(root).await.unwrap();
    assert_eq!(branch.path, root_org.path.child(office).child(branch.id));

    let all = db
        .store
        .orgs_in(&Scope {
            roots: vec![root_org.path.clone()],
        })
        .await
        .unwrap();
    let names: Vec<_> = all.iter().map(|o| o.name.as_str()).collect();
    // Tree order: each parent followed by its children.
    assert_eq!(
        names,
        vec![
            "青石镇党委",
            "东岭村党支部",
            "镇机关党总支",
            "机关第一党支部"
        ]
    );
    let office_org = db.store.org(office).await.unwrap();
    let below = db
        .store
        .orgs_in(&Scope {
            roots: vec![office_org.path.clone()],
        })
        .await
        .unwrap();
    assert_eq!(below.len(), 2);
    assert!(below.iter().all(|o| o.id != village));
}

#[tokio::test]
async fn moving_reroots_the_subtree_and_refuses_cycles() {
    let db = fresh_store().await;
    let (_root, office, village) = township(&db.store).await;
    let actor = Actor::cli();
    let mut tx = db.store.begin_write().await.unwrap();
    let branch = tx
        .create_org(
            new_org(Some(office), "qs-jg1", "机关第一党支部", OrgKind::Branch),
            &actor,
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let mut tx = db.store.begin_write().await.unwrap();
    let moved = tx
        .update_org(
            office,
            OrgChange {
                parent_id: Some(village),
                ..Default::default()
            },
            &actor,
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let village_org = db.store.org(village).await.unwrap();
    assert_eq!(moved.path, village_org.path.child(office));
    let branch = db.store.org(branch.id).await.unwrap();
    assert_eq!(branch.path, moved.path.child(branch.id));

    // Below its own descendant: refused, and nothing changes.
    let mut tx = db.store.begin_write().await.unwrap();
    let err = tx
        .update_org(
            village,
            OrgChange {
                parent_id: Some(branch.id),
                ..Default::default()
            },
            &actor,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StorageError::Rejected { .. }), "{err:?}");
    drop(tx);
    assert_eq!(db.store.org(village).await.unwrap().path, village_org.path);
}

#[tokio::test]
async fn deactivation_keeps_the_row_and_needs_empty_subtree() {
    let db = fresh_store().await;
    let (root, _office, village) = township(&db.store).await;
    let actor = Actor::cli();
    let mut tx = db.store.begin_write().await.unwrap();
    let err = tx
        .update_org(
            root,
            OrgChange {
                active: Some(false),
                ..Default::default()
            },
            &actor,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StorageError::Rejected { .. }));
    drop(tx);
    let mut tx = db.store.begin_write().await.unwrap();
    let off = tx
        .update_org(
            village,
            OrgChange {
                active: Some(false),
                name: Some(OrgName::parse("东岭村党支部（已合并）").unwrap()),
                ..Default::default()
            },
            &actor,
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert!(!off.active);
    assert_eq!(off.name, "东岭村党支部（已合并）");
    assert!(db.store.org(root).await.unwrap().active);
}

#[tokio::test]
async fn duplicate_codes_and_usernames_are_typed_errors() {
    let db = fresh_store().await;
    let (root, _, _) = township(&db.store).await;
    let actor = Actor::cli();
    let mut tx = db.store.begin_write().await.unwrap();
    let err = tx
        .create_org(
            new_org(Some(root), "qs-v01", "重复", OrgKind::Branch),
            &actor,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StorageError::Duplicate("code")), "{err:?}");
    drop(tx);

    let account = |name: &str| NewAccount {
        username: Username::parse(name).unwrap(),
        display_name: "张建国".into(),
        password_hash: hash_password("Qingshi@2023"),
        org_id: root,
        title: "镇党委书记".into(),
        portfolio: String::new(),
        must_change_password: false,
    };
    let mut tx = db.store.begin_write().await.unwrap();
    tx.create_account(account("shuji"), &actor).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = db.store.begin_write().await.unwrap();
    let err = tx
        .create_account(account("SHUJI"), &actor)
        .await
        .unwrap_err();
    assert!(
        matches!(err, StorageError::Duplicate("username")),
        "{err:?}"
    );
}

#[tokio::test]
async fn an_uncommitted_write_leaves_nothing() {
    let db = fresh_store().await;
    let (root, _, _) = township(&db.store).await;
    let before = db.store.audit_count().await.unwrap();
    let mut tx = db.store.begin_write().await.unwrap();
    tx.create_org(
        new_org(Some(root), "qs-v02", "西河村党支部", OrgKind::Branch),
        &Actor::cli(),
    )
    .await
    .unwrap();
    drop(tx);
    assert!(matches!(
        db.store.org_by_code("qs-v02").await,
        Err(StorageError::NotFound(_))
    ));
    assert_eq!(db.store.audit_count().await.unwrap(), before);
}

#[tokio::test]
async fn grants_lockout_and_booleans_round_trip() {
    let db = fresh_store().await;
    let (root, _, village) = township(&db.store).await;
    let actor = Actor::cli();
    let mut tx = db.store.begin_write().await.unwrap();
    let acc = tx
        .create_account(
            NewAccount {
                username: Username::parse("zb01").unwrap(),
                display_name: "李明".into(),
                password_hash: hash_password("Dongling#2023"),
                org_id: village,
                title: "支部书记".into(),
                portfolio: String::new(),
                must_change_password: true,
            },
            &actor,
        )
        .await
        .unwrap();
    tx.grant_role(acc.id, Role::BranchSecretary, village, &actor)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    // A failed statement ends the transaction on PostgreSQL: callers drop it, on both.
    let mut tx = db.store.begin_write().await.unwrap();
    let dup = tx
        .grant_role(acc.id, Role::BranchSecretary, village, &actor)
        .await;
    assert!(matches!(dup, Err(StorageError::Duplicate("role"))));
    drop(tx);
    let mut tx = db.store.begin_write().await.unwrap();
    let gid = tx
        .grant_role(acc.id, Role::Viewer, root, &actor)
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let acc = db.store.account(acc.id).await.unwrap();
    assert!(acc.must_change_password && acc.active && !acc.is_locked());
    let grants = db.store.grants(acc.id).await.unwrap();
    assert_eq!(grants.len(), 2);

    let mut tx = db.store.begin_write().await.unwrap();
    tx.revoke_grant(gid, &actor).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(db.store.grants(acc.id).await.unwrap().len(), 1);

    for i in 1..=5 {
        let current = db.store.account(acc.id).await.unwrap();
        let mut tx = db.store.begin_write().await.unwrap();
        let locked = tx
            .record_login_failure(&current, "127.0.0.1", "bad_password")
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(locked, i == 5);
    }
    assert!(db.store.account(acc.id).await.unwrap().is_locked());
}

#[tokio::test]
async fn the_audit_chain_holds_and_tampering_is_found() {
    let db = fresh_store().await;
    township(&db.store).await;
    let report = db.store.verify_audit_chain().await.unwrap();
    assert_eq!(report.entries, 3);
    assert!(report.broken.is_none());

    // Someone edits a row directly in the database.
    sqlx::query("UPDATE audit_log SET actor = 'mallory' WHERE seq = 2")
        .execute(db.store.pool())
        .await
        .unwrap();
    let report = db.store.verify_audit_chain().await.unwrap();
    assert_eq!(report.broken.as_ref().map(|b| b.seq), Some(2));
    assert_eq!(report.entries, 1);

    // Deleting a row is found too.
    let db = fresh_store().await;
    township(&db.store).await;
    sqlx::query("DELETE FROM audit_log WHERE seq = 2")
        .execute(db.store.pool())
        .await
        .unwrap();
    let report = db.store.verify_audit_chain().await.unwrap();
    assert_eq!(report.broken.map(|b| b.seq), Some(2));
}

#[tokio::test]
async fn every_change_is_audited_with_before_and_after() {
    let db = fresh_store().await;
    let (_, _, village) = township(&db.store).await;
    let mut tx = db.store.begin_write().await.unwrap();
    tx.update_org(
        village,
        OrgChange {
            name: Some(OrgName::parse("东岭村党总支").unwrap()),
            kind: Some(OrgKind::GeneralBranch),
            ..Default::default()
        },
        &Actor {
            id: None,
            name: "admin".into(),
            address: "10.0.0.8".into(),
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let page = db.store.audit_page(1, 0, Some("org.")).await.unwrap();
    let e = &page[0];
    assert_eq!(e.event.action, "org.update");
    assert_eq!(e.event.actor, "admin");
    assert_eq!(e.event.address, "10.0.0.8");
    assert!(e.event.before.as_deref().unwrap().contains("东岭村党支部"));
    assert!(e.event.after.as_deref().unwrap().contains("东岭村党总支"));
    assert!(e.event.after.as_deref().unwrap().contains("general_branch"));
}

#[tokio::test]
async fn backup_makes_a_consistent_copy_on_sqlite() {
    let db = fresh_store().await;
    township(&db.store).await;
    match db.store.backend() {
        Backend::Sqlite => {
            let target = db.data_dir().unwrap().join("backup.db");
            db.store.backup_to(&target).await.unwrap();
            let copy = Store::open(&format!("sqlite://{}", target.display()))
                .await
                .unwrap();
            assert_eq!(copy.org_count().await.unwrap(), 3);
            assert!(copy.verify_audit_chain().await.unwrap().broken.is_none());
            // Never overwrite an existing file.
            assert!(db.store.backup_to(&target).await.is_err());
        }
        Backend::Postgres => {
            let err = db
                .store
                .backup_to(std::path::Path::new("/nonexistent/x.db"))
                .await
                .unwrap_err();
            assert!(err.to_string().contains("pg_dump"));
        }
    }
}

#[tokio::test]
async fn sqlite_runs_in_wal_mode_with_foreign_keys() {
    let db = fresh_store().await;
    if db.store.backend() != Backend::Sqlite {
        // The PostgreSQL run checks the same contract in its own way: the foreign key.
        let r = sqlx::query("INSERT INTO role_grants (account_id, role, org_id, created_at) VALUES (999, 'admin', 999, 'x')")
            .execute(db.store.pool())
            .await;
        assert!(r.is_err());
        return;
    }
    let (mode,): (String,) = sqlx::query_as("PRAGMA journal_mode")
        .fetch_one(db.store.pool())
        .await
        .unwrap();
    assert_eq!(mode, "wal");
    let r = sqlx::query("INSERT INTO role_grants (account_id, role, org_id, created_at) VALUES (999, 'admin', 999, 'x')")
        .execute(db.store.pool())
        .await;
    assert!(r.is_err(), "foreign keys must be enforced");
}

#[tokio::test]
async fn check_rules_switched_off_above_apply_below() {
    let db = fresh_store().await;
    let (root, office, _) = township(&db.store).await;
    let actor = Actor::cli();
    let mut tx = db.store.begin_write().await.unwrap();
    tx.set_check_rules(root, &["time".to_string()], &actor)
        .await
        .unwrap();
    tx.set_check_rules(
        office,
        &["numbering.style".to_string(), "time".to_string()],
        &actor,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let office_org = db.store.org(office).await.unwrap();
    assert_eq!(
        db.store
            .check_rules_disabled_for(&office_org.path)
            .await
            .unwrap(),
        vec!["time".to_string(), "numbering.style".to_string()]
    );
    let root_org = db.store.org(root).await.unwrap();
    assert_eq!(
        db.store
            .check_rules_disabled_for(&root_org.path)
            .await
            .unwrap(),
        vec!["time".to_string()]
    );
    // Replacing keeps one row per organization.
    let mut tx = db.store.begin_write().await.unwrap();
    tx.set_check_rules(root, &[], &actor).await.unwrap();
    tx.commit().await.unwrap();
    assert!(db
        .store
        .check_rules_disabled_for(&root_org.path)
        .await
        .unwrap()
        .is_empty());
    let page = db
        .store
        .audit_page(1, 0, Some("check_rules."))
        .await
        .unwrap();
    assert_eq!(page[0].event.before.as_deref(), Some("[\"time\"]"));
}

#[tokio::test]
async fn like_is_case_sensitive_and_a_subtree_is_read_from_its_path_index() {
    let db = fresh_store().await;
    // The same LIKE on both databases (PostgreSQL's is case-sensitive).
    let (n,): (i64,) =
        sqlx::query_as("SELECT CAST(CASE WHEN 'ABC' LIKE 'abc%' THEN 1 ELSE 0 END AS BIGINT)")
            .fetch_one(db.store.pool())
            .await
            .unwrap();
    assert_eq!(n, 0);
    if db.store.backend() == Backend::Sqlite {
        // "This organization and everything below it" is a range of the path index, not a
        // read of every row, also with the prefix bound as a parameter.
        let plan: Vec<(i64, i64, i64, String)> = sqlx::query_as(
            "EXPLAIN QUERY PLAN SELECT COUNT(*) FROM problems WHERE org_path LIKE $1",
        )
        .bind("/1/7/%")
        .fetch_all(db.store.pool())
        .await
        .unwrap();
        let detail: Vec<&str> = plan.iter().map(|r| r.3.as_str()).collect();
        assert!(
            detail
                .iter()
                .any(|d| d.contains("USING") && d.contains("INDEX") && d.contains("org_path")),
            "{detail:?}"
        );
    }
}

#[tokio::test]
async fn the_kept_organization_tree_follows_changes_here_and_on_another_instance() {
    let db = fresh_store().await;
    let (root, office, village) = township(&db.store).await;
    // A second instance on the same database, as when several servers share PostgreSQL.
    let other = Store::connect(&db.url).await.unwrap();
    let root_path = db.store.org(root).await.unwrap().path;
    let scope = Scope {
        roots: vec![root_path],
    };
    let names = |orgs: Vec<zeren_storage::Org>| -> Vec<String> {
        orgs.into_iter().map(|o| o.name).collect()
    };
    assert_eq!(
        names(other.orgs_in(&scope).await.unwrap()),
        ["青石镇党委", "东岭村党支部", "镇机关党总支"]
    );
    let actor = Actor::cli();
    let mut tx = db.store.begin_write().await.unwrap();
    tx.create_org(
        new_org(Some(office), "qs-jg1", "机关第一党支部", OrgKind::Branch),
        &actor,
    )
    .await
    .unwrap();
    tx.update_org(
        village,
        OrgChange {
            name: Some(OrgName::parse("东岭村党总支").unwrap()),
            ..Default::default()
        },
        &actor,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let expected = [
        "青石镇党委",
        "东岭村党总支",
        "镇机关党总支",
        "机关第一党支部",
    ];
    // This instance sees its own change at once.
    assert_eq!(names(db.store.orgs_in(&scope).await.unwrap()), expected);
    // The other one within the data version's refresh.
    tokio::time::sleep(zeren_storage::VERSION_REFRESH + std::time::Duration::from_millis(100))
        .await;
    assert_eq!(names(other.orgs_in(&scope).await.unwrap()), expected);

    // A move re-roots the subtree in the kept tree too.
    let mut tx = other.begin_write().await.unwrap();
    tx.update_org(
        office,
        OrgChange {
            parent_id: Some(village),
            ..Default::default()
        },
        &actor,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    tokio::time::sleep(zeren_storage::VERSION_REFRESH + std::time::Duration::from_millis(100))
        .await;
    let village_path = db.store.org(village).await.unwrap().path;
    let below = db
        .store
        .orgs_in(&Scope {
            roots: vec![village_path],
        })
        .await
        .unwrap();
    assert_eq!(
        names(below),
        ["东岭村党总支", "镇机关党总支", "机关第一党支部"]
    );
    other.close().await;
}

#[test]
fn tree_order_puts_children_after_their_parent_by_sort_order_then_name() {
    use zeren_domain::org::OrgPath;
    let org = |id: i64, parent: Option<i64>, path: &str, name: &str, sort_order: i64| {
        zeren_storage::Org {
            id,
            parent_id: parent,
            path: OrgPath(path.to_string()),
            code: format!("o{id}"),
            name: name.to_string(),
            kind: OrgKind::Branch,
            sort_order,
            active: true,
            created_at: String::new(),
            updated_at: String::new(),
        }
    };
    let flat = vec![
        org(5, Some(2), "/1/2/5/", "二支部", 0),
        org(4, Some(2), "/1/2/4/", "一支部", 0),
        org(3, Some(1), "/1/3/", "机关", 0),
        org(2, Some(1), "/1/2/", "村", 1),
        org(1, None, "/1/", "镇党委", 0),
        // Its parent is not among them: shown as a root, after the first.
        org(9, Some(8), "/8/9/", "外部支部", 5),
    ];
    let ordered: Vec<i64> = zeren_storage::tree_order(flat)
        .iter()
        .map(|o| o.id)
        .collect();
    assert_eq!(ordered, vec![1, 3, 2, 4, 5, 9]);
}
