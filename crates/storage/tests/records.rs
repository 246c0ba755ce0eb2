//! Work records (纪实), attendance, evidence, list-item links, 三会一课 and the member roster,
//! on SQLite and (with ZEREN_TEST_BACKEND=postgres) on PostgreSQL.

use zeren_domain::date::{Day, Period};
use zeren_domain::meetings::{Frequency, MeetingRule};
use zeren_domain::members::{MemberStatus, MemberValues};
use zeren_domain::org::{OrgCode, OrgKind, OrgName, OrgPath};
use zeren_domain::records::{OutletLevel, RecordValues};
use zeren_storage::testing::fresh_store;
use zeren_storage::{
    Actor, Attendance, Backend, MemberQuery, NewMember, NewOrg, NewRecord, RecordChange,
    RecordQuery, StorageError, Store,
};

fn day(t: &str) -> Day {
    Day::parse("d", t).unwrap()
}

struct Town {
    root: i64,
    root_path: OrgPath,
    v01: i64,
    v01_path: OrgPath,
    v02: i64,
}

async fn town(store: &Store) -> Town {
    let actor = Actor::cli();
    let mut tx = store.begin_write().await.unwrap();
    let mk = |parent, code: &str, name: &str, kind| NewOrg {
        parent_id: parent,
        code: OrgCode::parse(code).unwrap(),
        name: OrgName::parse(name).unwrap(),
        kind,
        sort_order: 0,
    };
    let root = tx
        .create_org(mk(None, "qs", "青石镇党委", OrgKind::Committee), &actor)
        .await
        .unwrap();
    let v01 = tx
        .create_org(
            mk(Some(root.id), "qs-v01", "东岭村党支部", OrgKind::Branch),
            &actor,
        )
        .await
        .unwrap();
    let v02 = tx
        .create_org(
            mk(Some(root.id), "qs-v02", "西河村党支部", OrgKind::Branch),
            &actor,
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();
    Town {
        root: root.id,
        root_path: root.path,
        v01: v01.id,
        v01_path: v01.path,
        v02: v02.id,
    }
}

fn member_values(name: &str, birth: &str) -> MemberValues {
    MemberValues {
        name: name.into(),
        gender: "男".into(),
        birth_date: Some(day(birth)),
        joined_on: Some(day("2015-07-01")),
        full_on: Some(day("2016-07-01")),
        status: MemberStatus::Full,
        education: "大专".into(),
        post: String::new(),
        phone: String::new(),
    }
}

async fn add_member(store: &Store, org: i64, name: &str) -> i64 {
    let mut tx = store.begin_write().await.unwrap();
    let m = tx
        .create_member(
            NewMember {
                org_id: org,
                values: member_values(name, "1985-03-01"),
            },
            &Actor::cli(),
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();
    m.id
}

fn values(title: &str, held_on: &str) -> RecordValues {
    RecordValues {
        title: title.into(),
        held_on: day(held_on),
        place: "村部会议室".into(),
        host: "李明".into(),
        recorder: "王芳".into(),
        person_times: None,
        hours: None,
        sessions: None,
        items: None,
        outlet_level: None,
        content: "学习传达上级会议精神".into(),
    }
}

fn present(id: i64) -> Attendance {
    Attendance {
        member_id: id,
        present: true,
        absence_reason: String::new(),
    }
}

async fn count(store: &Store, table: &str) -> i64 {
    let (n,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) FROM {table}"))
        .fetch_one(store.pool())
        .await
        .unwrap();
    n
}

async fn create(store: &Store, new: NewRecord) -> Result<zeren_storage::WorkRecord, StorageError> {
    let mut tx = store.begin_write().await.unwrap();
    let r = tx.create_record(new, &Actor::cli()).await?;
    tx.commit().await.unwrap();
    Ok(r)
}

#[tokio::test]
async fn records_are_created_changed_listed_and_voided_with_audit() {
    let db = fresh_store().await;
    let t = town(&db.store).await;
    let r = create(
        &db.store,
        NewRecord {
            org_id: t.v01,
            type_code: "branch_committee".into(),
            values: values("3月支委会", "2024-03-05"),
            attendance: None,
        },
    )
    .await
    .unwrap();
    assert_eq!(r.org_code, "qs-v01");
    assert_eq!(r.org_path, t.v01_path.as_str());
    assert_eq!(r.person_times, None);
    let publicity = create(
        &db.store,
        NewRecord {
            org_id: t.root,
            type_code: "publicity".into(),
            values: RecordValues {
                place: String::new(),
                host: String::new(),
                recorder: String::new(),
                items: Some(3),
                outlet_level: Some(OutletLevel::City),
                ..values("乡村振兴报道", "2024-04-01")
            },
            attendance: None,
        },
    )
    .await
    .unwrap();
    assert_eq!(publicity.outlet_level, "city");

    // A field the type lacks is refused and nothing is written.
    let records_before = count(&db.store, "work_records").await;
    let audit_before = db.store.audit_count().await.unwrap();
    let e = create(
        &db.store,
        NewRecord {
            org_id: t.root,
            type_code: "publicity".into(),
            values: values("带地点的稿件", "2024-04-01"),
            attendance: None,
        },
    )
    .await
    .unwrap_err();
    assert!(
        matches!(e, StorageError::Rejected { field: "place", .. }),
        "{e:?}"
    );
    let e = create(
        &db.store,
        NewRecord {
            org_id: t.root,
            type_code: "no_such_type".into(),
            values: values("x", "2024-04-01"),
            attendance: None,
        },
    )
    .await
    .unwrap_err();
    assert!(matches!(e, StorageError::Rejected { field: "type", .. }));
    assert_eq!(count(&db.store, "work_records").await, records_before);
    assert_eq!(db.store.audit_count().await.unwrap(), audit_before);

    // Listing: the committee sees both; the branch its own; filters by type, period, text.
    let all = |roots: Vec<OrgPath>| RecordQuery {
        roots,
        limit: 20,
        ..Default::default()
    };
    let page = db
        .store
        .records(&all(vec![t.root_path.clone()]))
        .await
        .unwrap();
    assert_eq!(page.total, 2);
    assert_eq!(page.rows[0].title, "乡村振兴报道"); // newest first
    let page = db
        .store
        .records(&all(vec![t.v01_path.clone()]))
        .await
        .unwrap();
    assert_eq!(page.total, 1);
    let mut q = all(vec![t.root_path.clone()]);
    q.type_code = Some("branch_committee".into());
    assert_eq!(db.store.records(&q).await.unwrap().total, 1);
    let mut q = all(vec![t.root_path.clone()]);
    q.from = Some(day("2024-03-10"));
    q.to = Some(day("2024-12-31"));
    assert_eq!(db.store.records(&q).await.unwrap().rows[0].id, publicity.id);
    let mut q = all(vec![t.root_path.clone()]);
    q.text = Some("支委".into());
    assert_eq!(db.store.records(&q).await.unwrap().rows[0].id, r.id);
    q.text = Some("100%".into());
    assert_eq!(db.store.records(&q).await.unwrap().total, 0);
    q.text = Some("a\u{0}b".into());
    assert_eq!(db.store.records(&q).await.unwrap().total, 0);
    assert_eq!(db.store.records(&all(vec![])).await.unwrap().total, 0);
    let mut q = all(vec![t.root_path.clone()]);
    q.limit = 1;
    q.offset = 1;
    let p = db.store.records(&q).await.unwrap();
    assert_eq!((p.total, p.rows.len(), p.rows[0].id), (2, 1, r.id));

    // Change: audited with before and after.
    let mut tx = db.store.begin_write().await.unwrap();
    let changed = tx
        .update_record(
            r.id,
            RecordChange {
                org_id: t.v01,
                type_code: "branch_committee".into(),
                values: RecordValues {
                    person_times: Some(7),
                    ..values("3月份支委会", "2024-03-06")
                },
                attendance: None,
            },
            &Actor::cli(),
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        (
            changed.title.as_str(),
            changed.held_on.as_str(),
            changed.person_times
        ),
        ("3月份支委会", "2024-03-06", Some(7))
    );
    let history = db
        .store
        .audit_of("record", &r.id.to_string(), 50)
        .await
        .unwrap();
    assert_eq!(
        history
            .iter()
            .map(|e| e.event.action.as_str())
            .collect::<Vec<_>>(),
        vec!["record.create", "record.update"]
    );
    let before: serde_json::Value =
        serde_json::from_str(history[1].event.before.as_deref().unwrap()).unwrap();
    let after: serde_json::Value =
        serde_json::from_str(history[1].event.after.as_deref().unwrap()).unwrap();
    assert_eq!(before["title"], "3月支委会");
    assert_eq!(after["title"], "3月份支委会");
    assert!(after["attendance"].is_array());

    // Void: needs a reason; then it no longer counts and cannot be changed.
    let mut tx = db.store.begin_write().await.unwrap();
    let e = tx.void_record(r.id, "  ", &Actor::cli()).await.unwrap_err();
    assert!(matches!(
        e,
        StorageError::Rejected {
            field: "reason",
            ..
        }
    ));
    drop(tx);
    let mut tx = db.store.begin_write().await.unwrap();
    let voided = tx
        .void_record(r.id, "重复录入", &Actor::cli())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert!(voided.voided);
    assert_eq!(voided.void_reason, "重复录入");
    assert_eq!(
        db.store
            .records(&all(vec![t.root_path.clone()]))
            .await
            .unwrap()
            .total,
        1
    );
    let mut q = all(vec![t.root_path.clone()]);
    q.include_voided = true;
    assert_eq!(db.store.records(&q).await.unwrap().total, 2);
    let mut tx = db.store.begin_write().await.unwrap();
    let e = tx
        .update_record(
            r.id,
            RecordChange {
                org_id: t.v01,
                type_code: "branch_committee".into(),
                values: values("x", "2024-03-06"),
                attendance: None,
            },
            &Actor::cli(),
        )
        .await
        .unwrap_err();
    assert!(matches!(e, StorageError::Rejected { .. }));
    drop(tx);
    // Still there, never deleted.
    assert_eq!(count(&db.store, "work_records").await, 2);
    assert!(db
        .store
        .verify_audit_chain()
        .await
        .unwrap()
        .broken
        .is_none());
}

#[tokio::test]
async fn attendance_gives_person_times_and_is_checked() {
    let db = fresh_store().await;
    let t = town(&db.store).await;
    let a = add_member(&db.store, t.v01, "张三").await;
    let b = add_member(&db.store, t.v01, "李四").await;
    let c = add_member(&db.store, t.v01, "王五").await;
    let other = add_member(&db.store, t.v02, "赵六").await;
    let absent = Attendance {
        member_id: c,
        present: false,
        absence_reason: "外出务工".into(),
    };
    let r = create(
        &db.store,
        NewRecord {
            org_id: t.v01,
            type_code: "branch_committee".into(),
            values: values("支委会", "2024-05-06"),
            attendance: Some(vec![present(a), present(b), absent.clone()]),
        },
    )
    .await
    .unwrap();
    // 人次 = members present, when not given.
    assert_eq!(r.person_times, Some(2));
    let rows = db.store.record_attendance(r.id).await.unwrap();
    assert_eq!(rows.len(), 3);
    let w = rows.iter().find(|x| x.member_id == c).unwrap();
    assert_eq!(
        (w.present, w.absence_reason.as_str(), w.member_name.as_str()),
        (false, "外出务工", "王五")
    );
    // A given figure is kept.
    let given = create(
        &db.store,
        NewRecord {
            org_id: t.v01,
            type_code: "branch_committee".into(),
            values: RecordValues {
                person_times: Some(10),
                ..values("扩大会议", "2024-05-07")
            },
            attendance: Some(vec![present(a)]),
        },
    )
    .await
    .unwrap();
    assert_eq!(given.person_times, Some(10));

    let records_before = count(&db.store, "work_records").await;
    let attendance_before = count(&db.store, "record_attendance").await;
    let refuse = |list: Vec<Attendance>, ty: &str| NewRecord {
        org_id: t.v01,
        type_code: ty.into(),
        values: values("被拒绝的纪实", "2024-05-08").keep_only(
            &zeren_domain::records::builtin_types()
                .into_iter()
                .find(|x| x.code == ty)
                .unwrap(),
        ),
        attendance: Some(list),
    };
    for (list, ty) in [
        // A member of another branch.
        (vec![present(a), present(other)], "branch_committee"),
        // An absence without its reason.
        (
            vec![Attendance {
                member_id: b,
                present: false,
                absence_reason: " ".into(),
            }],
            "branch_committee",
        ),
        // The same member twice.
        (vec![present(a), present(a)], "branch_committee"),
        // No such member.
        (vec![present(999_999)], "branch_committee"),
        // A type without attendance.
        (vec![present(a)], "special_supervision"),
    ] {
        let e = create(&db.store, refuse(list, ty)).await.unwrap_err();
        match e {
            StorageError::Rejected { field, .. } => assert_eq!(field, "attendees"),
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(count(&db.store, "work_records").await, records_before);
    assert_eq!(
        count(&db.store, "record_attendance").await,
        attendance_before
    );

    // Replacing attendance recomputes 人次 (not given); keeping it leaves it.
    let mut tx = db.store.begin_write().await.unwrap();
    let changed = tx
        .update_record(
            r.id,
            RecordChange {
                org_id: t.v01,
                type_code: "branch_committee".into(),
                values: values("支委会", "2024-05-06"),
                attendance: Some(vec![present(a), present(b), present(c)]),
            },
            &Actor::cli(),
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(changed.person_times, Some(3));
    // The committee's record can list members of its subtree.
    let committee = create(
        &db.store,
        NewRecord {
            org_id: t.root,
            type_code: "study_group".into(),
            values: values("中心组学习", "2024-05-09"),
            attendance: Some(vec![present(a), present(other)]),
        },
    )
    .await
    .unwrap();
    assert_eq!(committee.person_times, Some(2));
    // A member who left keeps his place on old records but cannot be added to new ones.
    let mut tx = db.store.begin_write().await.unwrap();
    tx.update_member(
        c,
        None,
        MemberValues {
            status: MemberStatus::TransferredOut,
            ..member_values("王五", "1985-03-01")
        },
        &Actor::cli(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let mut tx = db.store.begin_write().await.unwrap();
    tx.update_record(
        r.id,
        RecordChange {
            org_id: t.v01,
            type_code: "branch_committee".into(),
            values: values("支委会（补记）", "2024-05-06"),
            attendance: None,
        },
        &Actor::cli(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let e = create(&db.store, refuse(vec![present(c)], "branch_committee"))
        .await
        .unwrap_err();
    assert!(matches!(
        e,
        StorageError::Rejected {
            field: "attendees",
            ..
        }
    ));
}

#[tokio::test]
async fn identical_evidence_is_stored_once() {
    let db = fresh_store().await;
    let t = town(&db.store).await;
    let mk = |title: &str| NewRecord {
        org_id: t.v01,
        type_code: "theme_day".into(),
        values: values(title, "2024-06-01"),
        attendance: None,
    };
    let r1 = create(&db.store, mk("主题党日一")).await.unwrap();
    let r2 = create(&db.store, mk("主题党日二")).await.unwrap();
    let photo: Vec<u8> = [&[0xFF, 0xD8, 0xFF, 0xE0][..], b"JFIF photo bytes"].concat();
    let mime = zeren_domain::evidence::check("会场.jpg", &photo)
        .unwrap()
        .mime;
    let mut tx = db.store.begin_write().await.unwrap();
    let l1 = tx
        .attach("record", r1.id, "会场.jpg", &photo, mime, &Actor::cli())
        .await
        .unwrap();
    let l2 = tx
        .attach("record", r2.id, "合影.jpg", &photo, mime, &Actor::cli())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(l1.sha256, l2.sha256);
    assert_eq!(count(&db.store, "attachments").await, 1);
    assert_eq!(count(&db.store, "attachment_links").await, 2);
    assert_eq!(db.store.attachment_bytes(&l1.sha256).await.unwrap(), photo);
    assert_eq!(
        db.store.attachments_of("record", r2.id).await.unwrap()[0].file_name,
        "合影.jpg"
    );
    match db.store.backend() {
        Backend::Sqlite => {
            let dir = db.data_dir().unwrap().join("attachments");
            let file = dir
                .join(&l1.sha256[0..2])
                .join(&l1.sha256[2..4])
                .join(&l1.sha256);
            assert_eq!(std::fs::read(file).unwrap(), photo);
            assert_eq!(count(&db.store, "attachment_blobs").await, 0);
            // A backup carries the evidence: restored beside the copy, the file reads back.
            let restore = tempfile::tempdir().unwrap();
            let target = restore.path().join("zeren.db");
            db.store.backup_to(&target).await.unwrap();
            let files = zeren_storage::backup_attachments_dir(&target);
            std::fs::rename(&files, restore.path().join("attachments")).unwrap();
            let copy = zeren_storage::Store::open(&format!("sqlite://{}", target.display()))
                .await
                .unwrap();
            assert_eq!(copy.attachment_bytes(&l1.sha256).await.unwrap(), photo);
        }
        Backend::Postgres => assert_eq!(count(&db.store, "attachment_blobs").await, 1),
    }
    // Who may see a file is decided by the object it is attached to.
    assert_eq!(
        db.store
            .attachment_owner_path("record", r1.id)
            .await
            .unwrap(),
        Some(t.v01_path.clone())
    );
    assert_eq!(
        db.store
            .attachment_owner_path("record", 999_999)
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        db.store.attachment_owner_path("nope", r1.id).await.unwrap(),
        None
    );
    // The upload is in the record's history.
    let history = db
        .store
        .audit_of("record", &r1.id.to_string(), 50)
        .await
        .unwrap();
    assert!(history.iter().any(|e| e.event.action == "attachment.add"));
}

#[tokio::test]
async fn records_link_to_the_list_items_they_fulfil() {
    let db = fresh_store().await;
    let t = town(&db.store).await;
    let now = "2024-01-01T00:00:00.000Z";
    // The lists ledger is another module's; a list and two items are written directly.
    sqlx::query(
        "INSERT INTO resp_lists (org_id, org_path, year, kind, title, created_at, updated_at) \
         VALUES ($1, $2, 2024, 'task', '2024年任务清单', $3, $3)",
    )
    .bind(t.root)
    .bind(t.root_path.as_str())
    .bind(now)
    .execute(db.store.pool())
    .await
    .unwrap();
    let (list_id,): (i64,) = sqlx::query_as("SELECT id FROM resp_lists")
        .fetch_one(db.store.pool())
        .await
        .unwrap();
    for (desc, voided) in [("每月召开支委会", false), ("已作废事项", true)] {
        sqlx::query(
            "INSERT INTO list_items (list_id, org_id, org_path, category, description, due_on, \
             status, created_at, updated_at, voided) \
             VALUES ($1, $2, $3, '组织建设', $4, '2024-12-31', 'open', $5, $5, $6)",
        )
        .bind(list_id)
        .bind(t.root)
        .bind(t.root_path.as_str())
        .bind(desc)
        .bind(now)
        .bind(voided)
        .execute(db.store.pool())
        .await
        .unwrap();
    }
    let items: Vec<(i64,)> = sqlx::query_as("SELECT id FROM list_items ORDER BY id")
        .fetch_all(db.store.pool())
        .await
        .unwrap();
    let (live, dead) = (items[0].0, items[1].0);
    let r = create(
        &db.store,
        NewRecord {
            org_id: t.v01,
            type_code: "branch_committee".into(),
            values: values("支委会", "2024-02-02"),
            attendance: None,
        },
    )
    .await
    .unwrap();
    let linkable = db.store.linkable_items(&t.v01_path, 2024).await.unwrap();
    assert_eq!(
        linkable.iter().map(|i| i.id).collect::<Vec<_>>(),
        vec![live]
    );
    let mut tx = db.store.begin_write().await.unwrap();
    tx.link_record_item(r.id, live, &Actor::cli())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    for bad in [dead, live, 999_999] {
        let mut tx = db.store.begin_write().await.unwrap();
        let e = tx
            .link_record_item(r.id, bad, &Actor::cli())
            .await
            .unwrap_err();
        assert!(
            matches!(
                e,
                StorageError::Rejected {
                    field: "item_id",
                    ..
                }
            ),
            "{e:?}"
        );
    }
    assert_eq!(db.store.record_item_ids(r.id).await.unwrap(), vec![live]);
    assert_eq!(db.store.item_record_ids(live).await.unwrap(), vec![r.id]);
    assert_eq!(
        db.store.record_items(r.id).await.unwrap()[0].description,
        "每月召开支委会"
    );
    let mut tx = db.store.begin_write().await.unwrap();
    tx.unlink_record_item(r.id, live, &Actor::cli())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert!(db.store.record_item_ids(r.id).await.unwrap().is_empty());
    let history = db
        .store
        .audit_of("record", &r.id.to_string(), 50)
        .await
        .unwrap();
    let actions: Vec<&str> = history.iter().map(|e| e.event.action.as_str()).collect();
    assert_eq!(
        actions,
        vec!["record.create", "record.link_item", "record.unlink_item"]
    );
    assert!(history[2]
        .event
        .before
        .as_deref()
        .unwrap()
        .contains(&live.to_string()));
}

#[tokio::test]
async fn meetings_should_be_held_as_the_rules_say() {
    let db = fresh_store().await;
    let t = town(&db.store).await;
    let mk = |org, ty: &str, on: &str| NewRecord {
        org_id: org,
        type_code: ty.into(),
        values: values("会议", on),
        attendance: None,
    };
    for on in ["2023-01-10", "2023-02-10", "2023-03-10"] {
        create(&db.store, mk(t.v01, "branch_committee", on))
            .await
            .unwrap();
    }
    create(&db.store, mk(t.v01, "party_lecture", "2023-02-20"))
        .await
        .unwrap();
    // Outside the period, voided, or by the committee: not counted for the branch.
    create(&db.store, mk(t.v01, "branch_committee", "2023-04-10"))
        .await
        .unwrap();
    let voided = create(&db.store, mk(t.v02, "branch_committee", "2023-01-10"))
        .await
        .unwrap();
    let mut tx = db.store.begin_write().await.unwrap();
    tx.void_record(voided.id, "录错组织", &Actor::cli())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    create(&db.store, mk(t.root, "study_group", "2023-01-10"))
        .await
        .unwrap();

    let q1 = Period::new(day("2023-01-01"), day("2023-03-31")).unwrap();
    let rows = db
        .store
        .meeting_counts(&t.root_path, q1, day("2024-01-01"))
        .await
        .unwrap();
    // Only the branches have rules (built-in rules are for 党支部).
    assert_eq!(
        rows.iter().map(|r| r.org_code.as_str()).collect::<Vec<_>>(),
        vec!["qs-v01", "qs-v02"]
    );
    let cell = |row: usize, ty: &str| {
        let c = rows[row].cells.iter().find(|c| c.type_code == ty).unwrap();
        (c.should, c.held)
    };
    assert_eq!(cell(0, "branch_committee"), (3, 3));
    assert_eq!(cell(0, "party_lecture"), (1, 1));
    assert_eq!(cell(0, "theme_day"), (3, 0));
    assert_eq!(cell(1, "branch_committee"), (3, 0));
    assert!(rows[0].short() && rows[1].short());
    assert_eq!(
        rows[0]
            .cells
            .iter()
            .find(|c| c.type_code == "branch_committee")
            .unwrap()
            .type_name,
        "支委会"
    );
    // Asked in mid-February, only January is owed.
    let feb = db
        .store
        .meeting_counts(&t.v01_path, q1, day("2023-02-15"))
        .await
        .unwrap();
    assert_eq!(feb.len(), 1);
    assert_eq!(
        feb[0]
            .cells
            .iter()
            .find(|c| c.type_code == "branch_committee")
            .unwrap()
            .should,
        1
    );

    // Rules are configurable per organization kind: party lectures off, and committees hold
    // a study-group session every quarter.
    let mut rules: Vec<MeetingRule> = db
        .store
        .meeting_rules()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.type_code != "party_lecture")
        .collect();
    rules.push(MeetingRule {
        org_kind: "committee".into(),
        type_code: "study_group".into(),
        frequency: Frequency::Quarterly,
        times: 2,
    });
    let mut tx = db.store.begin_write().await.unwrap();
    tx.set_meeting_rules(&rules, &Actor::cli()).await.unwrap();
    tx.commit().await.unwrap();
    let rules_now = db.store.meeting_rules().await.unwrap();
    assert_eq!(
        rules_now
            .iter()
            .find(|r| r.type_code == "party_lecture")
            .unwrap()
            .times,
        0
    );
    let rows = db
        .store
        .meeting_counts(&t.root_path, q1, day("2024-01-01"))
        .await
        .unwrap();
    assert_eq!(rows[0].org_code, "qs");
    assert_eq!(
        (
            rows[0].cells[0].type_code.as_str(),
            rows[0].cells[0].should,
            rows[0].cells[0].held
        ),
        ("study_group", 2, 1)
    );
    assert!(rows[1].cells.iter().all(|c| c.type_code != "party_lecture"));
    // Duplicates and bad kinds are refused.
    let mut dup = rules.clone();
    dup.push(rules[0].clone());
    let mut tx = db.store.begin_write().await.unwrap();
    assert!(tx.set_meeting_rules(&dup, &Actor::cli()).await.is_err());
    drop(tx);
    let history = db.store.audit_count_with("meeting_rules.").await.unwrap();
    assert_eq!(history, 1);
}

#[tokio::test]
async fn the_roster_is_kept_and_members_are_voided_not_deleted() {
    let db = fresh_store().await;
    let t = town(&db.store).await;
    let a = add_member(&db.store, t.v01, "张三").await;
    add_member(&db.store, t.v01, "李四").await;
    add_member(&db.store, t.v02, "张红").await;
    let roster = |roots: Vec<OrgPath>| MemberQuery {
        roots,
        limit: 50,
        ..Default::default()
    };
    assert_eq!(
        db.store
            .members(&roster(vec![t.root_path.clone()]))
            .await
            .unwrap()
            .total,
        3
    );
    assert_eq!(
        db.store
            .members(&roster(vec![t.v01_path.clone()]))
            .await
            .unwrap()
            .total,
        2
    );
    let mut q = roster(vec![t.root_path.clone()]);
    q.name = Some("张".into());
    assert_eq!(db.store.members(&q).await.unwrap().total, 2);
    assert_eq!(db.store.members_of_org(t.v01).await.unwrap().len(), 2);

    // Bad values are refused with their field.
    let mut tx = db.store.begin_write().await.unwrap();
    let e = tx
        .create_member(
            NewMember {
                org_id: t.v01,
                values: MemberValues {
                    joined_on: Some(day("1970-01-01")),
                    ..member_values("错误", "1985-03-01")
                },
            },
            &Actor::cli(),
        )
        .await
        .unwrap_err();
    assert!(matches!(
        e,
        StorageError::Rejected {
            field: "joined_on",
            ..
        }
    ));
    drop(tx);

    // Move to another branch and become probationary → audited as a status move.
    let mut tx = db.store.begin_write().await.unwrap();
    let moved = tx
        .update_member(
            a,
            Some(t.v02),
            MemberValues {
                status: MemberStatus::Probationary,
                full_on: None,
                ..member_values("张三", "1985-03-01")
            },
            &Actor::cli(),
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        (moved.org_code.as_str(), moved.status.as_str()),
        ("qs-v02", "probationary")
    );
    assert_eq!(db.store.members_of_org(t.v01).await.unwrap().len(), 1);
    assert_eq!(moved.age_on(day("2024-03-01")), Some(39));

    let mut tx = db.store.begin_write().await.unwrap();
    let v = tx.void_member(a, "重复录入", &Actor::cli()).await.unwrap();
    tx.commit().await.unwrap();
    assert!(v.voided && !v.on_roster());
    assert_eq!(
        db.store
            .members(&roster(vec![t.root_path.clone()]))
            .await
            .unwrap()
            .total,
        2
    );
    assert_eq!(count(&db.store, "members").await, 3);
    let history = db
        .store
        .audit_of("member", &a.to_string(), 50)
        .await
        .unwrap();
    let actions: Vec<&str> = history.iter().map(|e| e.event.action.as_str()).collect();
    assert_eq!(
        actions,
        vec!["member.create", "member.status", "member.void"]
    );
    assert!(history[1]
        .event
        .before
        .as_deref()
        .unwrap()
        .contains("\"status\":\"full\""));
    assert!(history[1]
        .event
        .after
        .as_deref()
        .unwrap()
        .contains("\"status\":\"probationary\""));
}

/// A township with more records than the listing fetches by organization (5,000): its pages
/// walk the records newest first and check the subtree on each row; a branch's few are
/// fetched by organization and sorted. Either way a page is the same as a plain query's.
#[tokio::test]
async fn many_records_page_newest_first_whichever_way_they_are_read() {
    let db = fresh_store().await;
    let t = town(&db.store).await;
    // More branches, so subtrees are realistic.
    let v02_path = db.store.org(t.v02).await.unwrap().path;
    let mut branches = vec![(t.v01, t.v01_path.clone()), (t.v02, v02_path)];
    let mut tx = db.store.begin_write().await.unwrap();
    for i in 3..20 {
        let o = tx
            .create_org(
                NewOrg {
                    parent_id: Some(t.root),
                    code: OrgCode::parse(&format!("qs-b{i:02}")).unwrap(),
                    name: OrgName::parse(&format!("第{i}党支部")).unwrap(),
                    kind: OrgKind::Branch,
                    sort_order: i,
                },
                &Actor::cli(),
            )
            .await
            .unwrap();
        branches.push((o.id, o.path));
    }
    tx.commit().await.unwrap();
    let types = [
        "branch_committee",
        "group_meeting",
        "theme_day",
        "party_lecture",
        "heart_talk",
    ];
    let total = 12_000usize;
    let chunk = 500usize;
    let mut n = 0usize;
    while n < total {
        let mut sql = String::from(
            "INSERT INTO work_records (org_id, org_path, type_code, title, held_on, person_times, \
             created_at, updated_at) VALUES ",
        );
        for k in 0..chunk {
            let i = n + k;
            let (org, path) = &branches[i % branches.len()];
            let d = Day::from_ymd(
                2020 + ((i / 7) % 5) as i32,
                1 + (i % 12) as u8,
                1 + (i % 28) as u8,
            )
            .unwrap();
            if k > 0 {
                sql.push(',');
            }
            sql.push_str(&format!(
                "({org}, '{}', '{}', '第{i}次会议', '{}', {}, '2024-01-01T00:00:00.000Z', '2024-01-01T00:00:00.000Z')",
                path.as_str(),
                types[i % types.len()],
                d.text(),
                i % 30
            ));
        }
        sqlx::query(&sql).execute(db.store.pool()).await.unwrap();
        n += chunk;
    }
    if db.store.backend() == Backend::Postgres {
        // What autovacuum does on a live database (the visibility map lets counts read the
        // index alone).
        sqlx::query("VACUUM ANALYZE")
            .execute(db.store.pool())
            .await
            .unwrap();
    } else {
        sqlx::query("ANALYZE")
            .execute(db.store.pool())
            .await
            .unwrap();
    }
    let base = RecordQuery {
        roots: vec![t.root_path.clone()],
        limit: 20,
        ..Default::default()
    };
    let branch = branches[10].1.clone();
    // (query, the same selection as plain SQL)
    let cases: Vec<(RecordQuery, String)> = vec![
        (
            base.clone(),
            format!("org_path LIKE '{}%'", t.root_path.as_str()),
        ),
        (
            RecordQuery {
                offset: 2000,
                ..base.clone()
            },
            format!("org_path LIKE '{}%'", t.root_path.as_str()),
        ),
        (
            RecordQuery {
                roots: vec![branch.clone()],
                ..base.clone()
            },
            format!("org_path LIKE '{}%'", branch.as_str()),
        ),
        (
            RecordQuery {
                type_code: Some("theme_day".into()),
                from: Some(day("2023-01-01")),
                to: Some(day("2023-12-31")),
                ..base.clone()
            },
            "type_code = 'theme_day' AND held_on >= '2023-01-01' AND held_on <= '2023-12-31'"
                .into(),
        ),
        (
            RecordQuery {
                text: Some("第1234次".into()),
                ..base.clone()
            },
            "title LIKE '%第1234次%'".into(),
        ),
        (
            RecordQuery {
                text: Some("会议".into()),
                offset: 40,
                ..base.clone()
            },
            "title LIKE '%会议%'".into(),
        ),
    ];
    for (q, plain) in cases {
        let page = db.store.records(&q).await.unwrap();
        let (total,): (i64,) = sqlx::query_as(&format!(
            "SELECT COUNT(*) FROM work_records WHERE {plain} AND voided = FALSE"
        ))
        .fetch_one(db.store.pool())
        .await
        .unwrap();
        let expected: Vec<(i64,)> = sqlx::query_as(&format!(
            "SELECT id FROM work_records WHERE {plain} AND voided = FALSE \
             ORDER BY held_on DESC, id DESC LIMIT 20 OFFSET {}",
            q.offset
        ))
        .fetch_all(db.store.pool())
        .await
        .unwrap();
        assert!(total > 0, "{plain}");
        assert_eq!(page.total, total, "{plain}");
        let ids: Vec<i64> = page.rows.iter().map(|r| r.id).collect();
        let expected: Vec<i64> = expected.into_iter().map(|(id,)| id).collect();
        assert_eq!(ids, expected, "{plain}");
    }
}

#[tokio::test]
async fn many_records_are_checked_then_written_together_each_audited() {
    let db = fresh_store().await;
    let store = &db.store;
    let t = town(store).await;
    let m1 = add_member(store, t.v01, "张明").await;
    let m2 = add_member(store, t.v01, "李华").await;
    let outsider = add_member(store, t.v02, "赵强").await;
    let new = |org, ty: &str, v: RecordValues, attendance| NewRecord {
        org_id: org,
        type_code: ty.into(),
        values: v,
        attendance,
    };
    // One record created on its own first: ids and the chain go on from it.
    create(
        store,
        new(
            t.root,
            "building_meeting",
            values("年初党建工作会", "2024-01-05"),
            None,
        ),
    )
    .await
    .unwrap();
    let before = (
        count(store, "work_records").await,
        count(store, "audit_log").await,
    );
    // Refusals name the position of each record refused, and nothing is written.
    let mut no_outlet = values("宣传稿件", "2024-03-01");
    no_outlet.place.clear();
    no_outlet.host.clear();
    no_outlet.recorder.clear();
    no_outlet.items = Some(2);
    let mut tx = store.begin_write().await.unwrap();
    let refused = tx
        .create_records(
            vec![
                new(
                    t.v01,
                    "branch_committee",
                    values("3月支委会", "2024-03-05"),
                    None,
                ),
                new(t.v01, "publicity", no_outlet.clone(), None),
                new(t.v01, "nonsense", values("x", "2024-03-05"), None),
                new(
                    t.v01,
                    "branch_committee",
                    values("4月支委会", "2024-04-05"),
                    Some(vec![present(outsider)]),
                ),
            ],
            &Actor::cli(),
        )
        .await
        .unwrap()
        .unwrap_err();
    drop(tx);
    let positions: Vec<(usize, &str)> = refused
        .iter()
        .map(|(i, e)| match e {
            StorageError::Rejected { field, .. } => (*i, *field),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        positions,
        vec![(1, "outlet_level"), (2, "type"), (3, "attendees")]
    );
    assert_eq!(
        (
            count(store, "work_records").await,
            count(store, "audit_log").await
        ),
        before
    );
    // Accepted: all written, each with its own audit entry, the chain intact.
    let mut publicity = no_outlet;
    publicity.outlet_level = Some(OutletLevel::City);
    let mut tx = store.begin_write().await.unwrap();
    let created = tx
        .create_records(
            vec![
                new(
                    t.v01,
                    "branch_committee",
                    values("3月支委会", "2024-03-05"),
                    Some(vec![
                        present(m1),
                        Attendance {
                            member_id: m2,
                            present: false,
                            absence_reason: "病假".into(),
                        },
                    ]),
                ),
                new(t.v01, "publicity", publicity, None),
                new(
                    t.root,
                    "study_group",
                    values("中心组学习", "2024-02-01"),
                    None,
                ),
            ],
            &Actor::cli(),
        )
        .await
        .unwrap()
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(created.len(), 3);
    assert_eq!(
        created[0].person_times,
        Some(1),
        "counted from those present"
    );
    assert_eq!(created[1].outlet_level, "city");
    assert_eq!(created[2].org_path, t.root_path.as_str());
    assert!(created.windows(2).all(|w| w[1].id == w[0].id + 1));
    assert_eq!(store.record(created[0].id).await.unwrap(), created[0]);
    assert_eq!(
        store.record_attendance(created[0].id).await.unwrap().len(),
        2
    );
    assert_eq!(count(store, "work_records").await, before.0 + 3);
    assert_eq!(count(store, "audit_log").await, before.1 + 3);
    let (after,): (String,) = sqlx::query_as(
        "SELECT after_json FROM audit_log WHERE action = 'record.create' AND object_id = $1",
    )
    .bind(created[0].id.to_string())
    .fetch_one(store.pool())
    .await
    .unwrap();
    let after: serde_json::Value = serde_json::from_str(&after).unwrap();
    assert_eq!(after["title"], "3月支委会");
    assert_eq!(after["attendance"].as_array().unwrap().len(), 2);
    assert!(store.verify_audit_chain().await.unwrap().broken.is_none());
    // The database's own ids go on after them (PostgreSQL's sequence moved past).
    let next = create(
        store,
        new(
            t.root,
            "building_meeting",
            values("年中党建工作会", "2024-06-05"),
            None,
        ),
    )
    .await
    .unwrap();
    assert_eq!(next.id, created[2].id + 1);
}
