//! Responsibility lists (责任清单), run on SQLite and (with ZEREN_TEST_BACKEND=postgres) on
//! PostgreSQL: create, copy to next year, hand down to branches and refine, progress and
//! completion with evidence, voiding, owner validation, overdue listings, the audit trail.

use zeren_domain::account::Username;
use zeren_domain::date::Day;
use zeren_domain::lists::{ItemStatus, ListKind, Recurrence};
use zeren_domain::org::{OrgCode, OrgKind, OrgName};
use zeren_domain::permissions::Scope;
use zeren_storage::testing::fresh_store;
use zeren_storage::{
    Actor, ItemFields, ListChange, NewAccount, NewList, NewOrg, Org, StorageError, Store,
};

struct Town {
    qs: Org,
    v01: Org,
    v02: Org,
    other: Org,
    /// 副书记 at the committee.
    leader: i64,
    /// 支部书记 of qs-v01.
    branch_secretary: i64,
    /// Someone of another township.
    outsider: i64,
}

fn day(s: &str) -> Day {
    Day::parse("d", s).unwrap()
}

fn actor() -> Actor {
    Actor {
        id: None,
        name: "dangwu".into(),
        address: "test".into(),
    }
}

async fn town(store: &Store) -> Town {
    let a = Actor::cli();
    let mut tx = store.begin_write().await.unwrap();
    let org = |parent: Option<i64>, code: &str, name: &str, kind: OrgKind| NewOrg {
        parent_id: parent,
        code: OrgCode::parse(code).unwrap(),
        name: OrgName::parse(name).unwrap(),
        kind,
        sort_order: 0,
    };
    let qs = tx
        .create_org(org(None, "qs", "青石镇党委", OrgKind::Committee), &a)
        .await
        .unwrap();
    let v01 = tx
        .create_org(
            org(Some(qs.id), "qs-v01", "东岭村党支部", OrgKind::Branch),
            &a,
        )
        .await
        .unwrap();
    let v02 = tx
        .create_org(
            org(Some(qs.id), "qs-v02", "西坡村党支部", OrgKind::Branch),
            &a,
        )
        .await
        .unwrap();
    let other = tx
        .create_org(org(None, "hs", "黑山镇党委", OrgKind::Committee), &a)
        .await
        .unwrap();
    let account = |username: &str, name: &str, org_id: i64, portfolio: &str| NewAccount {
        username: Username::parse(username).unwrap(),
        display_name: name.into(),
        password_hash: "x".into(),
        org_id,
        title: String::new(),
        portfolio: portfolio.into(),
        must_change_password: false,
    };
    let leader = tx
        .create_account(account("fushuji", "王建国", qs.id, "党建、组织"), &a)
        .await
        .unwrap()
        .id;
    let branch_secretary = tx
        .create_account(account("zb-v01", "李明", v01.id, ""), &a)
        .await
        .unwrap()
        .id;
    let outsider = tx
        .create_account(account("hs-shuji", "赵一", other.id, ""), &a)
        .await
        .unwrap()
        .id;
    tx.commit().await.unwrap();
    Town {
        qs,
        v01,
        v02,
        other,
        leader,
        branch_secretary,
        outsider,
    }
}

fn fields(org_id: i64, category: &str, description: &str) -> ItemFields {
    ItemFields {
        category: category.into(),
        description: description.into(),
        owner_account_id: None,
        org_id,
        deadline: None,
        recurrence: Recurrence::Once,
        steps: String::new(),
        target: None,
    }
}

async fn new_list(store: &Store, org_id: i64, year: i32, title: &str) -> zeren_storage::RespList {
    let mut tx = store.begin_write().await.unwrap();
    let list = tx
        .create_list(
            NewList {
                org_id,
                year,
                kind: ListKind::Responsibility,
                title: title.into(),
            },
            &actor(),
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();
    list
}

async fn add_item(store: &Store, list_id: i64, f: ItemFields) -> zeren_storage::ListItem {
    let mut tx = store.begin_write().await.unwrap();
    let item = tx.create_item(list_id, f, &actor()).await.unwrap();
    tx.commit().await.unwrap();
    item
}

async fn count(store: &Store, table: &str) -> i64 {
    let (n,): (i64,) = sqlx_count(store, &format!("SELECT COUNT(*) FROM {table}")).await;
    n
}

async fn sqlx_count(store: &Store, sql: &str) -> (i64,) {
    zeren_storage::sqlx::query_as(sql)
        .fetch_one(store.pool())
        .await
        .unwrap()
}

/// (action, before, after) of the audit entries about one object, oldest first.
async fn audit_of(
    store: &Store,
    object_type: &str,
    id: i64,
) -> Vec<(String, Option<String>, Option<String>)> {
    zeren_storage::sqlx::query_as(
        "SELECT action, before_json, after_json FROM audit_log WHERE object_type = $1 AND object_id = $2 ORDER BY seq",
    )
    .bind(object_type)
    .bind(id.to_string())
    .fetch_all(store.pool())
    .await
    .unwrap()
}

fn rejected_field(e: StorageError) -> &'static str {
    match e {
        StorageError::Rejected { field, .. } => field,
        other => panic!("expected a rejection, got {other:?}"),
    }
}

#[tokio::test]
async fn a_list_and_its_items_are_created_validated_and_audited() {
    let db = fresh_store().await;
    let store = &db.store;
    let t = town(store).await;
    let list = new_list(
        store,
        t.qs.id,
        2023,
        "青石镇党委2023年全面从严治党主体责任清单",
    )
    .await;
    assert_eq!(list.org_path, t.qs.path.as_str());
    assert_eq!(list.year, 2023);
    let mut f = fields(t.qs.id, "政治建设", "落实“第一议题”制度");
    f.owner_account_id = Some(t.leader);
    f.deadline = Some(day("2023-06-30"));
    f.steps = "1月制定计划\n6月中期检查".into();
    let item = add_item(store, list.id, f.clone()).await;
    assert_eq!(item.due_on, "2023-06-30");
    assert_eq!(item.status, ItemStatus::Open);
    assert_eq!(item.org_path, t.qs.path.as_str());
    // Without a deadline the item is filed under the year's end.
    let recurring = add_item(
        store,
        list.id,
        ItemFields {
            recurrence: Recurrence::Quarterly,
            ..fields(t.v01.id, "组织建设", "每季度召开党员大会")
        },
    )
    .await;
    assert_eq!(recurring.due_on, "2023-12-31");
    assert_eq!(recurring.org_path, t.v01.path.as_str());
    assert!(recurring.sort_order > item.sort_order);

    // Every refusal names its field and writes nothing.
    let items_before = count(store, "list_items").await;
    let audit_before = count(store, "audit_log").await;
    let cases: Vec<(ItemFields, &str)> = vec![
        (
            ItemFields {
                owner_account_id: Some(t.outsider),
                ..f.clone()
            },
            "owner",
        ),
        (
            ItemFields {
                owner_account_id: Some(999_999),
                ..f.clone()
            },
            "owner",
        ),
        (
            ItemFields {
                category: "体育建设".into(),
                ..f.clone()
            },
            "category",
        ),
        (
            ItemFields {
                org_id: t.other.id,
                ..f.clone()
            },
            "org",
        ),
        (
            ItemFields {
                deadline: Some(day("2024-01-10")),
                ..f.clone()
            },
            "deadline",
        ),
        (
            ItemFields {
                description: "   ".into(),
                ..f.clone()
            },
            "description",
        ),
        (
            ItemFields {
                target: Some(("理论学习中心组学习次数".into(), -3.0)),
                ..f.clone()
            },
            "target_value",
        ),
    ];
    for (bad, field) in cases {
        let mut tx = store.begin_write().await.unwrap();
        let e = tx.create_item(list.id, bad, &actor()).await.unwrap_err();
        assert_eq!(rejected_field(e), field);
        drop(tx);
    }
    assert_eq!(count(store, "list_items").await, items_before);
    assert_eq!(count(store, "audit_log").await, audit_before);

    // A branch's account may own items of the committee's list (it is inside the subtree),
    // but the committee's leader may not own items of a branch's list.
    let mut tx = store.begin_write().await.unwrap();
    tx.create_item(
        list.id,
        ItemFields {
            owner_account_id: Some(t.branch_secretary),
            ..fields(t.v01.id, "组织建设", "规范支部主题党日")
        },
        &actor(),
    )
    .await
    .unwrap();
    let branch_list = tx
        .create_list(
            NewList {
                org_id: t.v01.id,
                year: 2023,
                kind: ListKind::Task,
                title: "东岭村党支部2023年任务清单".into(),
            },
            &actor(),
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.begin_write().await.unwrap();
    let e = tx
        .create_item(
            branch_list.id,
            ItemFields {
                owner_account_id: Some(t.leader),
                ..fields(t.v01.id, "组织建设", "x")
            },
            &actor(),
        )
        .await
        .unwrap_err();
    assert_eq!(rejected_field(e), "owner");
    drop(tx);

    // Changing a list and an item: audited with before and after.
    let mut tx = store.begin_write().await.unwrap();
    let renamed = tx
        .update_list(
            list.id,
            ListChange {
                title: Some("青石镇党委2023年责任清单".into()),
                kind: None,
            },
            &actor(),
        )
        .await
        .unwrap();
    let changed = tx
        .update_item(
            item.id,
            ItemFields {
                description: "严格落实“第一议题”制度".into(),
                ..f.clone()
            },
            &actor(),
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(renamed.title, "青石镇党委2023年责任清单");
    assert_eq!(changed.description, "严格落实“第一议题”制度");
    let trail = audit_of(store, "list_item", item.id).await;
    assert_eq!(trail[0].0, "list_item.create");
    assert!(trail[0].1.is_none());
    assert_eq!(trail[1].0, "list_item.update");
    assert!(trail[1]
        .1
        .as_deref()
        .unwrap()
        .contains("落实“第一议题”制度"));
    assert!(trail[1].2.as_deref().unwrap().contains("严格落实"));
    let list_trail = audit_of(store, "list", list.id).await;
    assert_eq!(
        list_trail.iter().map(|e| e.0.as_str()).collect::<Vec<_>>(),
        vec!["list.create", "list.update"]
    );

    // The view carries the owner with his portfolio (一岗双责) and the organization.
    let items = store.list_items(list.id).await.unwrap();
    assert_eq!(items.len(), 3);
    let owner = items[0].owner.as_ref().unwrap();
    assert_eq!(owner.name, "王建国");
    assert_eq!(owner.portfolio, "党建、组织");
    assert_eq!(items[1].org_name, "东岭村党支部");
    assert!(store.verify_audit_chain().await.unwrap().broken.is_none());
}

#[tokio::test]
async fn a_list_is_copied_to_the_next_year() {
    let db = fresh_store().await;
    let store = &db.store;
    let t = town(store).await;
    let list = new_list(store, t.qs.id, 2023, "青石镇党委2023年责任清单").await;
    let mut f = fields(t.qs.id, "思想建设", "理论学习中心组学习");
    f.owner_account_id = Some(t.leader);
    f.deadline = Some(day("2023-11-30"));
    f.steps = "每月一次".into();
    f.target = Some(("理论学习中心组学习次数".into(), 12.0));
    f.recurrence = Recurrence::Monthly;
    let a = add_item(store, list.id, f).await;
    let b = add_item(store, list.id, fields(t.v01.id, "纪律建设", "开展警示教育")).await;
    let gone = add_item(store, list.id, fields(t.qs.id, "作风建设", "作废的事项")).await;
    let mut tx = store.begin_write().await.unwrap();
    tx.void_item(gone.id, "重复录入", &actor()).await.unwrap();
    // b is done in 2023 (with evidence).
    tx.attach(
        "item",
        b.id,
        "照片.png",
        b"\x89PNG\r\n\x1a\n....",
        "image/png",
        &actor(),
    )
    .await
    .unwrap();
    tx.complete_item(b.id, day("2023-09-01"), "已完成", &actor())
        .await
        .unwrap();
    tx.commit().await.unwrap();

    // Not to the same or an earlier year.
    let mut tx = store.begin_write().await.unwrap();
    assert_eq!(
        rejected_field(tx.copy_list(list.id, 2023, &actor()).await.unwrap_err()),
        "year"
    );
    drop(tx);
    let mut tx = store.begin_write().await.unwrap();
    let copy = tx.copy_list(list.id, 2024, &actor()).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(copy.year, 2024);
    assert_eq!(copy.title, "青石镇党委2024年责任清单");
    assert_eq!(copy.copied_from_id, Some(list.id));
    assert_eq!(copy.org_id, t.qs.id);
    let items = store.list_items(copy.id).await.unwrap();
    assert_eq!(items.len(), 2, "the voided item is not copied");
    let ca = &items[0].item;
    assert_eq!(ca.description, a.description);
    assert_eq!(ca.deadline.as_deref(), Some("2024-11-30"));
    assert_eq!(ca.due_on, "2024-11-30");
    assert_eq!(ca.owner_account_id, Some(t.leader));
    assert_eq!(ca.recurrence, Recurrence::Monthly);
    assert_eq!(ca.steps, "每月一次");
    assert_eq!(ca.target_metric.as_deref(), Some("理论学习中心组学习次数"));
    assert_eq!(ca.target_value, Some(12.0));
    let cb = &items[1].item;
    assert_eq!(cb.status, ItemStatus::Open, "copies start open");
    assert_eq!(cb.due_on, "2024-12-31");
    assert_eq!(cb.completed_on, None);
    assert_eq!(cb.org_id, t.v01.id);
    let trail = audit_of(store, "list", copy.id).await;
    assert_eq!(trail[0].0, "list.copy");
    // The original is untouched.
    assert_eq!(store.list_items(list.id).await.unwrap().len(), 2);
}

#[tokio::test]
async fn a_list_is_handed_down_and_refined_by_the_branches() {
    let db = fresh_store().await;
    let store = &db.store;
    let t = town(store).await;
    let list = new_list(store, t.qs.id, 2023, "青石镇党委2023年责任清单").await;
    let mut f = fields(t.qs.id, "组织建设", "规范落实“三会一课”制度");
    f.owner_account_id = Some(t.leader);
    f.deadline = Some(day("2023-12-20"));
    f.steps = "按季度检查".into();
    let a = add_item(store, list.id, f).await;
    let b = add_item(store, list.id, fields(t.qs.id, "纪律建设", "开展廉政谈话")).await;

    // Only to organizations below the list's.
    for (orgs, field) in [
        (vec![t.other.id], "orgs"),
        (vec![t.qs.id], "orgs"),
        (vec![], "orgs"),
        (vec![999_999], "orgs"),
    ] {
        let mut tx = store.begin_write().await.unwrap();
        let e = tx.hand_down(list.id, &[a.id], &orgs, &actor()).await;
        assert_eq!(rejected_field(e.unwrap_err()), field);
    }
    let mut tx = store.begin_write().await.unwrap();
    let e = tx
        .hand_down(list.id, &[999_999], &[t.v01.id], &actor())
        .await
        .unwrap_err();
    assert_eq!(rejected_field(e), "items");
    drop(tx);
    assert_eq!(count(store, "resp_lists").await, 1);

    let mut tx = store.begin_write().await.unwrap();
    let lists = tx
        .hand_down(list.id, &[a.id], &[t.v01.id, t.v02.id], &actor())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(lists.len(), 2);
    let v01_list = &lists[0];
    assert_eq!(v01_list.org_id, t.v01.id);
    assert_eq!(v01_list.parent_list_id, Some(list.id));
    assert_eq!(v01_list.year, 2023);
    assert_eq!(v01_list.title, "东岭村党支部2023年责任清单");
    let items = store.list_items(v01_list.id).await.unwrap();
    assert_eq!(items.len(), 1);
    let handed = &items[0].item;
    assert_eq!(handed.parent_item_id, Some(a.id));
    assert_eq!(handed.org_id, t.v01.id);
    assert_eq!(handed.org_path, t.v01.path.as_str());
    assert_eq!(
        handed.owner_account_id, None,
        "the branch names its own owner"
    );
    assert_eq!(handed.deadline.as_deref(), Some("2023-12-20"));
    assert_eq!(handed.steps, "按季度检查");
    assert_eq!(
        audit_of(store, "list", v01_list.id).await[0].0,
        "list.hand_down"
    );

    // Handing down again adds to the branch's list what it does not have yet.
    let mut tx = store.begin_write().await.unwrap();
    let again = tx
        .hand_down(list.id, &[], &[t.v01.id], &actor())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(again[0].id, v01_list.id);
    let items = store.list_items(v01_list.id).await.unwrap();
    assert_eq!(
        items
            .iter()
            .map(|i| i.item.parent_item_id)
            .collect::<Vec<_>>(),
        vec![Some(a.id), Some(b.id)]
    );
    let children = store.child_lists(list.id, day("2023-07-01")).await.unwrap();
    assert_eq!(children.len(), 2);
    assert_eq!(
        store.handed_down_items(a.id).await.unwrap().len(),
        2,
        "both branches carry item a"
    );

    // 下级细化: the branch refines the handed-down item and adds its own, owned by its
    // secretary.
    let mut tx = store.begin_write().await.unwrap();
    let mut refined = ItemFields::of(handed);
    refined.description = "每月召开支委会，每季度召开党员大会、讲党课".into();
    refined.steps = "3月、6月、9月、12月各召开一次党员大会".into();
    refined.owner_account_id = Some(t.branch_secretary);
    let refined = tx.update_item(handed.id, refined, &actor()).await.unwrap();
    let own = tx
        .create_item(
            v01_list.id,
            ItemFields {
                owner_account_id: Some(t.branch_secretary),
                ..fields(t.v01.id, "作风建设", "为民办实事10件")
            },
            &actor(),
        )
        .await
        .unwrap();
    // A branch's item cannot be carried out by another branch.
    let e = tx
        .create_item(v01_list.id, fields(t.v02.id, "作风建设", "x"), &actor())
        .await
        .unwrap_err();
    assert_eq!(rejected_field(e), "org");
    tx.commit().await.unwrap();
    assert_eq!(refined.parent_item_id, Some(a.id));
    assert_eq!(own.parent_item_id, None);
    // The superior's item is unchanged.
    let orig = store.list_item(a.id).await.unwrap();
    assert_eq!(orig.item.description, "规范落实“三会一课”制度");
    // 上级交办: what the branch carries out for its superior's lists (none: the handed-down
    // copies sit in its own list).
    assert!(store
        .items_assigned_to(&t.v01.path, 2023)
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn progress_and_completion_need_evidence() {
    let db = fresh_store().await;
    let store = &db.store;
    let t = town(store).await;
    let list = new_list(store, t.qs.id, 2023, "青石镇党委2023年责任清单").await;
    let item = add_item(
        store,
        list.id,
        fields(t.v01.id, "组织建设", "整顿软弱涣散党组织"),
    )
    .await;

    // 季度调度 with a file.
    let mut tx = store.begin_write().await.unwrap();
    let p = tx
        .add_progress(
            item.id,
            day("2023-03-31"),
            "一季度：已制定整顿方案",
            &actor(),
        )
        .await
        .unwrap();
    tx.attach(
        "progress",
        p.id,
        "方案.pdf",
        b"%PDF-1.7 plan",
        "application/pdf",
        &actor(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.begin_write().await.unwrap();
    tx.add_progress(item.id, day("2023-06-30"), "二季度：已完成整改", &actor())
        .await
        .unwrap();
    assert_eq!(
        rejected_field(
            tx.add_progress(item.id, day("2023-07-01"), "  ", &actor())
                .await
                .unwrap_err()
        ),
        "text"
    );
    tx.commit().await.unwrap();
    let progress = store.item_progress(item.id).await.unwrap();
    assert_eq!(progress.len(), 2);
    assert_eq!(
        progress[0].progress.reported_on, "2023-06-30",
        "newest first"
    );
    assert_eq!(
        store.attachments_of("progress", p.id).await.unwrap().len(),
        1
    );
    let view = store.list_item(item.id).await.unwrap();
    assert_eq!(view.progress_count, 2);
    assert_eq!(view.last_progress_on.as_deref(), Some("2023-06-30"));

    // Completion without evidence is refused and writes nothing.
    let audit_before = count(store, "audit_log").await;
    let mut tx = store.begin_write().await.unwrap();
    let e = tx
        .complete_item(item.id, day("2023-10-15"), "已完成", &actor())
        .await
        .unwrap_err();
    assert_eq!(rejected_field(e), "file");
    drop(tx);
    assert_eq!(count(store, "audit_log").await, audit_before);
    assert_eq!(
        store.list_item(item.id).await.unwrap().item.status,
        ItemStatus::Open
    );
    // With a file, attached in the same transaction, it is done.
    let mut tx = store.begin_write().await.unwrap();
    tx.attach(
        "item",
        item.id,
        "验收.jpg",
        b"\xff\xd8\xff\xe0 photo",
        "image/jpeg",
        &actor(),
    )
    .await
    .unwrap();
    let done = tx
        .complete_item(item.id, day("2023-10-15"), "经验收，整顿完成", &actor())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(done.status, ItemStatus::Done);
    assert_eq!(done.completed_on.as_deref(), Some("2023-10-15"));
    assert_eq!(done.completion_note, "经验收，整顿完成");
    let trail = audit_of(store, "list_item", item.id).await;
    let last = trail.last().unwrap();
    assert_eq!(last.0, "list_item.complete");
    assert!(last.1.as_deref().unwrap().contains("\"status\":\"open\""));
    assert!(last.2.as_deref().unwrap().contains("\"status\":\"done\""));
    // Twice is refused; taking it back needs a reason.
    let mut tx = store.begin_write().await.unwrap();
    assert_eq!(
        rejected_field(
            tx.complete_item(item.id, day("2023-10-16"), "", &actor())
                .await
                .unwrap_err()
        ),
        "status"
    );
    drop(tx);
    let mut tx = store.begin_write().await.unwrap();
    assert_eq!(
        rejected_field(tx.reopen_item(item.id, " ", &actor()).await.unwrap_err()),
        "reason"
    );
    drop(tx);
    let mut tx = store.begin_write().await.unwrap();
    let reopened = tx
        .reopen_item(item.id, "验收材料不全", &actor())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(reopened.status, ItemStatus::Open);
    assert_eq!(reopened.completed_on, None);

    // A linked work record is proof too.
    let other = add_item(store, list.id, fields(t.v01.id, "思想建设", "开展主题党日")).await;
    let (record_id,): (i64,) = zeren_storage::sqlx::query_as(
        "INSERT INTO work_records (org_id, org_path, type_code, title, held_on, created_at, updated_at) \
         VALUES ($1, $2, 'party_day', '5月主题党日', '2023-05-10', 'x', 'x') RETURNING id",
    )
    .bind(t.v01.id)
    .bind(t.v01.path.as_str())
    .fetch_one(store.pool())
    .await
    .unwrap();
    let mut tx = store.begin_write().await.unwrap();
    assert_eq!(
        store
            .linkable_records(other.id, &t.v01.path, 2023)
            .await
            .unwrap()
            .len(),
        1
    );
    tx.link_record(other.id, record_id, &actor()).await.unwrap();
    assert_eq!(
        rejected_field(
            tx.link_record(other.id, record_id, &actor())
                .await
                .unwrap_err()
        ),
        "record_id"
    );
    tx.commit().await.unwrap();
    let mut tx = store.begin_write().await.unwrap();
    tx.complete_item(other.id, day("2023-05-10"), "", &actor())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let linked = store.linked_records(other.id).await.unwrap();
    assert_eq!(linked.len(), 1);
    assert_eq!(linked[0].title, "5月主题党日");
    assert_eq!(linked[0].org_name, "东岭村党支部");

    // An item with a quantified target is never ticked: its metric decides.
    let target = add_item(
        store,
        list.id,
        ItemFields {
            target: Some(("理论学习中心组学习次数".into(), 12.0)),
            ..fields(t.qs.id, "思想建设", "理论学习中心组学习不少于12次")
        },
    )
    .await;
    let mut tx = store.begin_write().await.unwrap();
    tx.attach(
        "item",
        target.id,
        "a.pdf",
        b"%PDF-1.7 a",
        "application/pdf",
        &actor(),
    )
    .await
    .unwrap();
    assert_eq!(
        rejected_field(
            tx.complete_item(target.id, day("2023-12-01"), "", &actor())
                .await
                .unwrap_err()
        ),
        "status"
    );
    drop(tx);
    let system = Actor::cli();
    let mut tx = store.begin_write().await.unwrap();
    let moved = tx
        .set_target_status(target.id, true, day("2023-12-31"), "12 ≥ 12", &system)
        .await
        .unwrap();
    assert_eq!(moved.unwrap().status, ItemStatus::Done);
    assert!(tx
        .set_target_status(target.id, true, day("2023-12-31"), "", &system)
        .await
        .unwrap()
        .is_none());
    tx.commit().await.unwrap();
    let trail = audit_of(store, "list_item", target.id).await;
    assert_eq!(trail.last().unwrap().0, "list_item.status");
}

#[tokio::test]
async fn voiding_keeps_everything_and_stops_changes() {
    let db = fresh_store().await;
    let store = &db.store;
    let t = town(store).await;
    let list = new_list(store, t.qs.id, 2023, "青石镇党委2023年责任清单").await;
    let a = add_item(store, list.id, fields(t.qs.id, "政治建设", "事项一")).await;
    let b = add_item(store, list.id, fields(t.qs.id, "政治建设", "事项二")).await;
    let mut tx = store.begin_write().await.unwrap();
    let p = tx
        .add_progress(a.id, day("2023-03-01"), "进展", &actor())
        .await
        .unwrap();
    let voided_p = tx.void_progress(p.id, "填错事项", &actor()).await.unwrap();
    assert!(voided_p.voided);
    assert_eq!(voided_p.void_reason, "填错事项");
    let voided = tx.void_item(b.id, "与事项一重复", &actor()).await.unwrap();
    assert!(voided.voided);
    assert_eq!(
        rejected_field(
            tx.update_item(b.id, fields(t.qs.id, "政治建设", "改"), &actor())
                .await
                .unwrap_err()
        ),
        "item"
    );
    assert_eq!(
        rejected_field(tx.void_list(list.id, "", &actor()).await.unwrap_err()),
        "reason"
    );
    let vl = tx.void_list(list.id, "重新制定", &actor()).await.unwrap();
    assert!(vl.voided);
    assert_eq!(
        rejected_field(
            tx.create_item(list.id, fields(t.qs.id, "政治建设", "新"), &actor())
                .await
                .unwrap_err()
        ),
        "list"
    );
    tx.commit().await.unwrap();
    // Rows stay; live views leave them out.
    assert_eq!(count(store, "list_items").await, 2);
    assert_eq!(count(store, "list_progress").await, 1);
    assert!(store.item_progress(a.id).await.unwrap().is_empty());
    assert!(store.list_items(list.id).await.unwrap().is_empty());
    let item_a = store.list_item(a.id).await.unwrap().item;
    assert!(item_a.voided);
    assert_eq!(item_a.void_reason, "清单作废：重新制定");
    let scope = Scope {
        roots: vec![t.qs.path.clone()],
    };
    assert!(store
        .list_summaries(&scope, Some(2023), day("2023-07-01"))
        .await
        .unwrap()
        .is_empty());
    let trail = audit_of(store, "list", list.id).await;
    let (action, before, after) = trail.last().unwrap();
    assert_eq!(action, "list.void");
    assert!(before.as_deref().unwrap().contains("\"voided\":false"));
    assert!(after.as_deref().unwrap().contains("\"voided\":true"));
    assert_eq!(audit_of(store, "list_progress", p.id).await.len(), 2);
}

#[tokio::test]
async fn overviews_count_items_done_and_overdue() {
    let db = fresh_store().await;
    let store = &db.store;
    let t = town(store).await;
    let list = new_list(store, t.qs.id, 2023, "青石镇党委2023年责任清单").await;
    let branch = new_list(store, t.v01.id, 2023, "东岭村党支部2023年任务清单").await;
    new_list(store, t.qs.id, 2022, "青石镇党委2022年责任清单").await;
    let mut f = fields(t.qs.id, "政治建设", "上半年事项");
    f.deadline = Some(day("2023-06-30"));
    f.owner_account_id = Some(t.leader);
    let early = add_item(store, list.id, f.clone()).await;
    f.description = "三季度事项".into();
    f.deadline = Some(day("2023-09-30"));
    let q3 = add_item(store, list.id, f.clone()).await;
    f.description = "已完成事项".into();
    f.deadline = Some(day("2023-03-31"));
    let finished = add_item(store, list.id, f.clone()).await;
    let assigned = add_item(store, list.id, fields(t.v01.id, "组织建设", "交东岭村办理")).await;
    add_item(store, branch.id, fields(t.v01.id, "组织建设", "支部事项")).await;
    let mut tx = store.begin_write().await.unwrap();
    tx.attach(
        "item",
        finished.id,
        "x.pdf",
        b"%PDF-1.4 x",
        "application/pdf",
        &actor(),
    )
    .await
    .unwrap();
    tx.complete_item(finished.id, day("2023-03-30"), "", &actor())
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let today = day("2023-07-15");
    let scope = Scope {
        roots: vec![t.qs.path.clone()],
    };
    let all = store.list_summaries(&scope, None, today).await.unwrap();
    assert_eq!(all.len(), 3);
    assert_eq!(all[2].list.year, 2022, "newest year first");
    let y = store
        .list_summaries(&scope, Some(2023), today)
        .await
        .unwrap();
    assert_eq!(y.len(), 2);
    assert_eq!(y[0].list.id, list.id, "the committee before its branch");
    assert_eq!((y[0].items, y[0].done, y[0].overdue), (4, 1, 1));
    assert_eq!(y[0].done_percent(), 25);
    assert_eq!(y[0].org_code, "qs");
    assert_eq!((y[1].items, y[1].done, y[1].overdue), (1, 0, 0));
    let one = store.list_summary(list.id, today).await.unwrap();
    assert_eq!(one, y[0]);
    // A branch secretary's scope sees only his branch's lists.
    let branch_scope = Scope {
        roots: vec![t.v01.path.clone()],
    };
    let mine = store
        .list_summaries(&branch_scope, Some(2023), today)
        .await
        .unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].list.id, branch.id);
    assert_eq!(store.list_years(&scope).await.unwrap(), vec![2023, 2022]);

    // Overdue by subtree.
    let overdue = store.overdue_items(&t.qs.path, today, 100).await.unwrap();
    assert_eq!(
        overdue.iter().map(|i| i.item.id).collect::<Vec<_>>(),
        vec![early.id]
    );
    let later = store
        .overdue_items(&t.qs.path, day("2024-01-02"), 100)
        .await
        .unwrap();
    assert_eq!(later.len(), 4);
    // A page shows the most overdue few.
    let few = store
        .overdue_items(&t.qs.path, day("2024-01-02"), 2)
        .await
        .unwrap();
    assert_eq!(
        few.iter().map(|i| i.item.id).collect::<Vec<_>>(),
        later[..2].iter().map(|i| i.item.id).collect::<Vec<_>>()
    );
    assert_eq!(
        store
            .overdue_items(&t.v01.path, day("2024-01-02"), 100)
            .await
            .unwrap()
            .len(),
        2,
        "the branch's own item and the one it carries out for the committee"
    );
    assert!(store
        .overdue_items(&t.v02.path, day("2024-01-02"), 100)
        .await
        .unwrap()
        .is_empty());

    // My items due this month.
    let mine = store
        .items_due_for_owner(t.leader, day("2023-09-01"), day("2023-09-30"))
        .await
        .unwrap();
    assert_eq!(
        mine.iter().map(|i| i.item.id).collect::<Vec<_>>(),
        vec![q3.id]
    );
    assert!(
        store
            .items_due_for_owner(t.leader, day("2023-03-01"), day("2023-03-31"))
            .await
            .unwrap()
            .is_empty(),
        "done items are not due"
    );

    // 上级交办: the committee's item carried out by the branch.
    let assigned_items = store.items_assigned_to(&t.v01.path, 2023).await.unwrap();
    assert_eq!(
        assigned_items.iter().map(|i| i.item.id).collect::<Vec<_>>(),
        vec![assigned.id]
    );
    assert_eq!(assigned_items[0].list_title, "青石镇党委2023年责任清单");
}

#[tokio::test]
async fn moving_an_organization_moves_its_items_paths() {
    let db = fresh_store().await;
    let store = &db.store;
    let t = town(store).await;
    let list = new_list(store, t.v01.id, 2023, "东岭村党支部2023年任务清单").await;
    let item = add_item(store, list.id, fields(t.v01.id, "组织建设", "支部事项")).await;
    let mut tx = store.begin_write().await.unwrap();
    tx.update_org(
        t.v01.id,
        zeren_storage::OrgChange {
            parent_id: Some(t.v02.id),
            ..Default::default()
        },
        &Actor::cli(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let moved = store.org(t.v01.id).await.unwrap();
    assert_eq!(
        store.resp_list(list.id).await.unwrap().org_path,
        moved.path.as_str()
    );
    assert_eq!(
        store.list_item(item.id).await.unwrap().item.org_path,
        moved.path.as_str()
    );
}

async fn study_session(store: &Store, org: &Org, day: &str) -> i64 {
    let (id,): (i64,) = zeren_storage::sqlx::query_as(
        "INSERT INTO work_records (org_id, org_path, type_code, title, held_on, created_at, updated_at) \
         VALUES ($1, $2, 'study_group', '理论学习中心组学习', $3, 'x', 'x') RETURNING id",
    )
    .bind(org.id)
    .bind(org.path.as_str())
    .bind(day)
    .fetch_one(store.pool())
    .await
    .unwrap();
    id
}

#[tokio::test]
async fn target_items_follow_their_metric() {
    let db = fresh_store().await;
    let store = &db.store;
    let t = town(store).await;
    let list = new_list(store, t.qs.id, 2023, "青石镇党委2023年责任清单").await;
    let target = |org_id: i64, n: f64| ItemFields {
        target: Some(("理论学习中心组学习次数".into(), n)),
        ..fields(org_id, "思想建设", "理论学习中心组学习")
    };
    let committee = add_item(store, list.id, target(t.qs.id, 2.0)).await;
    let branch = add_item(store, list.id, target(t.v01.id, 1.0)).await;
    // Another year's list is not touched by 2023's records.
    let next = new_list(store, t.qs.id, 2024, "青石镇党委2024年责任清单").await;
    let later = add_item(store, next.id, target(t.qs.id, 1.0)).await;

    let catalog = store.metric_catalog().await.unwrap();
    let value = |id: i64| {
        let catalog = catalog.clone();
        async move {
            let v = store.list_item(id).await.unwrap();
            store.item_target_value(&catalog, &v).await.unwrap()
        }
    };
    assert_eq!(value(committee.id).await, Some(0.0));

    // A session of the committee, then one of the branch: counted over each item's subtree.
    study_session(store, &t.qs, "2023-03-10").await;
    let r2 = study_session(store, &t.v01, "2023-06-10").await;
    study_session(store, &t.v02, "2022-06-10").await;
    assert_eq!(value(committee.id).await, Some(2.0));
    assert_eq!(value(branch.id).await, Some(1.0));
    // A record saved at the branch moves the branch's item and the committee's above it.
    let changed = store.refresh_list_targets(&t.v01.path, 2023).await.unwrap();
    let mut ids: Vec<i64> = changed.iter().map(|i| i.id).collect();
    ids.sort_unstable();
    assert_eq!(ids, vec![committee.id, branch.id]);
    let done = store.list_item(committee.id).await.unwrap().item;
    assert_eq!(done.status, ItemStatus::Done);
    assert!(done.completed_on.is_some());
    assert!(done.completion_note.contains("理论学习中心组学习次数 2"));
    assert_eq!(
        store.list_item(later.id).await.unwrap().item.status,
        ItemStatus::Open
    );
    let (who, action): (String, String) = zeren_storage::sqlx::query_as(
        "SELECT actor, action FROM audit_log WHERE object_type = 'list_item' AND object_id = $1 ORDER BY seq DESC LIMIT 1",
    )
    .bind(committee.id.to_string())
    .fetch_one(store.pool())
    .await
    .unwrap();
    assert_eq!(
        (who.as_str(), action.as_str()),
        ("system", "list_item.status")
    );
    // Nothing to do: nothing written.
    let audit = count(store, "audit_log").await;
    assert!(store
        .refresh_list_targets(&t.qs.path, 2023)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(count(store, "audit_log").await, audit);

    // A record voided: the items fall back to open.
    zeren_storage::sqlx::query("UPDATE work_records SET voided = TRUE WHERE id = $1")
        .bind(r2)
        .execute(store.pool())
        .await
        .unwrap();
    store.refresh_list_targets(&t.v01.path, 2023).await.unwrap();
    assert_eq!(
        store.list_item(branch.id).await.unwrap().item.status,
        ItemStatus::Open
    );
    let reopened = store.list_item(committee.id).await.unwrap().item;
    assert_eq!(reopened.status, ItemStatus::Open);
    assert_eq!(reopened.completed_on, None);

    // One item alone; and a target removed leaves a computed completion open.
    study_session(store, &t.qs, "2023-09-10").await;
    assert_eq!(
        store
            .refresh_item_target(committee.id)
            .await
            .unwrap()
            .unwrap()
            .status,
        ItemStatus::Done
    );
    let mut tx = store.begin_write().await.unwrap();
    let plain = tx
        .update_item(
            committee.id,
            fields(t.qs.id, "思想建设", "理论学习中心组学习"),
            &actor(),
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(plain.status, ItemStatus::Open);
    assert_eq!(plain.target_metric, None);
    // An unknown metric (a custom one switched off) is left alone.
    zeren_storage::sqlx::query(
        "UPDATE list_items SET target_metric = '已停用的指标' WHERE id = $1",
    )
    .bind(branch.id)
    .execute(store.pool())
    .await
    .unwrap();
    assert_eq!(value(branch.id).await, None);
    assert!(store
        .refresh_item_target(branch.id)
        .await
        .unwrap()
        .is_none());
}
