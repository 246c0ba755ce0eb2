//! Work records (纪实), evidence files, 三会一课 and the member roster over the API and the
//! pages: permissions by subtree, validation with the field named, nothing written on
//! rejection, every change audited with before and after.

mod common;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use common::{demo_app, multipart, TestApp, ADMIN_PASSWORD, USER_PASSWORD};
use serde_json::{json, Value};

/// A JPEG by its first bytes (what the whitelist looks at).
fn jpeg(tag: &str) -> Vec<u8> {
    [
        &[0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10][..],
        b"JFIF\0",
        tag.as_bytes(),
    ]
    .concat()
}

async fn upload(app: &TestApp, token: &str, record: i64, files: &[(&str, &[u8])]) -> common::Reply {
    let (ctype, body) = multipart(&[], files);
    app.send(
        Request::post(format!("/api/v1/records/{record}/attachments"))
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, ctype)
            .body(Body::from(body))
            .unwrap(),
    )
    .await
}

async fn count(app: &TestApp, table: &str) -> i64 {
    let (n,): (i64,) = zeren_storage::sqlx::query_as(&format!("SELECT COUNT(*) FROM {table}"))
        .fetch_one(app.state.store.pool())
        .await
        .unwrap();
    n
}

/// Rows of the ledgers and of the audit trail, to show a rejection wrote nothing.
async fn footprint(app: &TestApp) -> Vec<i64> {
    let mut out = Vec::new();
    for t in [
        "work_records",
        "record_attendance",
        "members",
        "attachments",
        "attachment_links",
        "record_item_links",
        "catalog_entries",
        "meeting_rules",
    ] {
        out.push(count(app, t).await);
    }
    out.push(app.state.store.audit_count().await.unwrap());
    out
}

async fn add_member(app: &TestApp, token: &str, org: &str, name: &str, birth: &str) -> i64 {
    let r = app
        .request(
            Method::POST,
            "/api/v1/members",
            Some(token),
            Some(
                json!({"org": org, "name": name, "gender": "男", "birth_date": birth,
                "joined_on": "2010-07-01", "full_on": "2011-07-01", "status": "full"}),
            ),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.json()["id"].as_i64().unwrap()
}

fn committee_meeting(org: &str, members: &[i64]) -> Value {
    json!({
        "org": org,
        "type": "branch_committee",
        "title": "3月份支委会",
        "held_on": "2025-03-06",
        "place": "村部会议室",
        "host": "李明",
        "recorder": "王芳",
        "content": "学习传达全会精神，研究发展党员工作。",
        "attendees": members.iter().enumerate().map(|(i, m)| if i == 0 {
            json!({"member_id": m, "present": false, "absence_reason": "外出务工"})
        } else {
            json!({"member_id": m, "present": true})
        }).collect::<Vec<_>>()
    })
}

#[tokio::test]
async fn a_branch_records_its_meeting_once_and_the_committee_sees_it() {
    let app = demo_app().await;
    let zb = app.token("zb-v01").await;
    let m1 = add_member(&app, &zb, "qs-v01", "王大山", "1970-02-03").await;
    let m2 = add_member(&app, &zb, "qs-v01", "李小红", "1995-08-09").await;
    let m3 = add_member(&app, &zb, "qs-v01", "赵六", "1980-01-01").await;
    let r = app
        .request(
            Method::POST,
            "/api/v1/records",
            Some(&zb),
            Some(committee_meeting("qs-v01", &[m1, m2, m3])),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let rec = r.json();
    let id = rec["id"].as_i64().unwrap();
    assert_eq!(rec["org"], "qs-v01");
    assert_eq!(rec["type"], "branch_committee");
    assert_eq!(rec["type_name"], "支委会");
    assert_eq!(rec["held_on"], "2025-03-06");
    // 人次 = those present.
    assert_eq!(rec["person_times"], 2);
    let absent: Vec<&Value> = rec["attendees"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["present"] == false)
        .collect();
    assert_eq!(absent.len(), 1);
    assert_eq!(absent[0]["name"], "王大山");
    assert_eq!(absent[0]["absence_reason"], "外出务工");

    // The committee's secretary and the superior viewer see it without anyone re-entering it.
    for who in ["shuji", "quwei"] {
        let t = app.token(who).await;
        let list = app
            .request(
                Method::GET,
                "/api/v1/records?org=qs&type=branch_committee",
                Some(&t),
                None,
            )
            .await
            .json();
        assert_eq!(list["total"], 1, "{who}");
        assert_eq!(list["records"][0]["id"], id);
    }
    // Another branch does not (and cannot tell it exists).
    let other = app.token("zb-v02").await;
    let r = app
        .request(
            Method::GET,
            &format!("/api/v1/records/{id}"),
            Some(&other),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let list = app
        .request(Method::GET, "/api/v1/records", Some(&other), None)
        .await
        .json();
    assert_eq!(list["total"], 0);
    // Filters: period, text, paging.
    let shuji = app.token("shuji").await;
    let q = |uri: &'static str| app.request(Method::GET, uri, Some(&shuji), None);
    assert_eq!(
        q("/api/v1/records?from=2025-04-01").await.json()["total"],
        0
    );
    assert_eq!(
        q("/api/v1/records?from=2025-01-01&to=2025-03-31")
            .await
            .json()["total"],
        1
    );
    assert_eq!(q("/api/v1/records?q=支委").await.json()["total"], 1);
    assert_eq!(q("/api/v1/records?q=党课").await.json()["total"], 0);
    let bad = q("/api/v1/records?from=2025-13-01").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.json()["field"], "from");
    assert_eq!(q("/api/v1/records?org=qs-v02").await.json()["total"], 0);

    // A change: audited with the record before and after, attendance included.
    let r = app
        .request(
            Method::PATCH,
            &format!("/api/v1/records/{id}"),
            Some(&zb),
            Some(json!({"title": "3月份支委会（扩大）", "attendees": [
                {"member_id": m1, "present": true},
                {"member_id": m2, "present": true},
                {"member_id": m3, "present": true}]})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["person_times"], 3);
    assert_eq!(r.json()["place"], "村部会议室");
    let history = app
        .state
        .store
        .audit_of("record", &id.to_string(), 50)
        .await
        .unwrap();
    let update = history
        .iter()
        .find(|e| e.event.action == "record.update")
        .unwrap();
    let before: Value = serde_json::from_str(update.event.before.as_deref().unwrap()).unwrap();
    let after: Value = serde_json::from_str(update.event.after.as_deref().unwrap()).unwrap();
    assert_eq!(before["title"], "3月份支委会");
    assert_eq!(after["title"], "3月份支委会（扩大）");
    assert_eq!(before["attendance"].as_array().unwrap().len(), 3);
    assert_eq!(update.event.actor, "zb-v01");
    // A figure given is kept; null clears it, and it is counted from the attendance again.
    let r = app
        .request(
            Method::PATCH,
            &format!("/api/v1/records/{id}"),
            Some(&zb),
            Some(json!({"person_times": 12})),
        )
        .await;
    assert_eq!(r.json()["person_times"], 12);
    let r = app
        .request(
            Method::PATCH,
            &format!("/api/v1/records/{id}"),
            Some(&zb),
            Some(json!({"person_times": null})),
        )
        .await;
    assert_eq!(r.json()["person_times"], 3);

    // Void: a reason is required; then it no longer counts, and cannot be changed.
    let before = footprint(&app).await;
    let r = app
        .request(
            Method::POST,
            &format!("/api/v1/records/{id}/void"),
            Some(&zb),
            Some(json!({"reason": "  "})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["field"], "reason");
    assert_eq!(footprint(&app).await, before);
    let r = app
        .request(
            Method::POST,
            &format!("/api/v1/records/{id}/void"),
            Some(&zb),
            Some(json!({"reason": "与4月记录重复"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["voided"], true);
    assert_eq!(q("/api/v1/records").await.json()["total"], 0);
    assert_eq!(q("/api/v1/records?voided=1").await.json()["total"], 1);
    let r = app
        .request(
            Method::PATCH,
            &format!("/api/v1/records/{id}"),
            Some(&zb),
            Some(json!({"title": "改"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let void = app
        .state
        .store
        .audit_of("record", &id.to_string(), 50)
        .await
        .unwrap()
        .into_iter()
        .find(|e| e.event.action == "record.void")
        .unwrap();
    assert!(void.event.after.unwrap().contains("与4月记录重复"));
    assert!(void.event.before.unwrap().contains("\"voided\":false"));
}

#[tokio::test]
async fn recording_is_limited_to_ones_own_subtree() {
    let app = demo_app().await;
    let zb = app.token("zb-v01").await;
    let viewer = app.token("quwei").await;
    let clerk = app.token("dangwu").await;
    let before = footprint(&app).await;
    let mut body = committee_meeting("qs-v02", &[]);
    body["attendees"] = json!([]);
    // A branch secretary cannot record for another branch: not even its existence is told.
    let r = app
        .request(
            Method::POST,
            "/api/v1/records",
            Some(&zb),
            Some(body.clone()),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.json()["field"], "org");
    // …nor for the committee above him, which he cannot see either.
    body["org"] = json!("qs");
    let r = app
        .request(
            Method::POST,
            "/api/v1/records",
            Some(&zb),
            Some(body.clone()),
        )
        .await;
    assert_eq!(r.json()["field"], "org");
    // The superior's viewer reads but never records.
    body["org"] = json!("qs-v02");
    let r = app
        .request(
            Method::POST,
            "/api/v1/records",
            Some(&viewer),
            Some(body.clone()),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .request(
            Method::POST,
            "/api/v1/members",
            Some(&viewer),
            Some(json!({"org": "qs-v02", "name": "某某", "status": "full"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .request(
            Method::POST,
            "/api/v1/members",
            Some(&zb),
            Some(json!({"org": "qs-v02", "name": "某某", "status": "full"})),
        )
        .await;
    assert_eq!(r.json()["field"], "org");
    assert_eq!(footprint(&app).await, before);

    // The committee's clerk records for any organization below the committee.
    let r = app
        .request(Method::POST, "/api/v1/records", Some(&clerk), Some(body))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.json()["id"].as_i64().unwrap();
    // …and the other branch's secretary can neither see nor change it.
    for (method, uri, body) in [
        (Method::GET, format!("/api/v1/records/{id}"), None),
        (
            Method::PATCH,
            format!("/api/v1/records/{id}"),
            Some(json!({"title": "改"})),
        ),
        (
            Method::POST,
            format!("/api/v1/records/{id}/void"),
            Some(json!({"reason": "x"})),
        ),
    ] {
        let r = app.request(method, &uri, Some(&zb), body).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{uri}");
    }
    // The viewer sees it but may not change it.
    let r = app
        .request(
            Method::GET,
            &format!("/api/v1/records/{id}"),
            Some(&viewer),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let r = app
        .request(
            Method::PATCH,
            &format!("/api/v1/records/{id}"),
            Some(&viewer),
            Some(json!({"title": "改"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn bad_input_is_a_422_naming_the_field_and_writes_nothing() {
    let app = demo_app().await;
    let zb = app.token("zb-v01").await;
    let m = add_member(&app, &zb, "qs-v01", "王大山", "1970-02-03").await;
    let elsewhere = add_member(
        &app,
        &app.token("zb-v02").await,
        "qs-v02",
        "钱七",
        "1975-05-05",
    )
    .await;
    let before = footprint(&app).await;
    let base = committee_meeting("qs-v01", &[]);
    let with = |key: &str, value: Value| {
        let mut b = base.clone();
        b[key] = value;
        b
    };
    for (body, field) in [
        (with("held_on", json!("2025-02-30")), "held_on"),
        (with("held_on", json!("2999-01-01")), "held_on"),
        (with("title", json!("  ")), "title"),
        (with("type", json!("no_such_type")), "type"),
        (with("person_times", json!(-3)), "person_times"),
        (with("outlet_level", json!("city")), "outlet_level"),
        (with("hours", json!(2.0)), "hours"),
        (
            with("attendees", json!([{"member_id": m, "present": false}])),
            "attendees",
        ),
        (
            with(
                "attendees",
                json!([{"member_id": elsewhere, "present": true}]),
            ),
            "attendees",
        ),
        (
            with("attendees", json!([{"member_id": 999999, "present": true}])),
            "attendees",
        ),
        (with("item_ids", json!([999999])), "item_ids"),
    ] {
        let r = app
            .request(Method::POST, "/api/v1/records", Some(&zb), Some(body))
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}: {}",
            r.body
        );
        let j = r.json();
        assert_eq!(j["code"], "invalid", "{field}");
        assert_eq!(j["field"], field, "{}", r.body);
        assert!(
            j["message"]
                .as_str()
                .unwrap()
                .chars()
                .any(|c| c > '\u{2e80}'),
            "a Chinese message: {}",
            r.body
        );
    }
    // Publicity has no place, and needs its outlet level.
    let publicity = json!({"org": "qs-v01", "type": "publicity", "title": "稿件", "held_on": "2025-01-02", "place": "村部"});
    let r = app
        .request(Method::POST, "/api/v1/records", Some(&zb), Some(publicity))
        .await;
    assert_eq!(r.json()["field"], "place");
    // Unknown fields are refused.
    let r = app
        .request(
            Method::POST,
            "/api/v1/records",
            Some(&zb),
            Some(with("colour", json!("red"))),
        )
        .await;
    assert!(r.status.is_client_error());
    assert_eq!(footprint(&app).await, before);
    // A publicity item with its outlet level is fine.
    let ok = json!({"org": "qs-v01", "type": "publicity", "title": "村级换届报道", "held_on": "2025-01-02", "outlet_level": "市级媒体", "items": 2});
    let r = app
        .request(Method::POST, "/api/v1/records", Some(&zb), Some(ok))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.json()["outlet_level"], "city");
}

#[tokio::test]
async fn evidence_files_are_checked_on_their_bytes_and_kept_once() {
    let app = demo_app().await;
    let zb = app.token("zb-v01").await;
    let mut ids = Vec::new();
    for title in ["主题党日一", "主题党日二"] {
        let mut body = committee_meeting("qs-v01", &[]);
        body["type"] = json!("theme_day");
        body["title"] = json!(title);
        let r = app
            .request(Method::POST, "/api/v1/records", Some(&zb), Some(body))
            .await;
        ids.push(r.json()["id"].as_i64().unwrap());
    }
    let photo = jpeg("会场照片");
    let pdf = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n".to_vec();
    let r = upload(
        &app,
        &zb,
        ids[0],
        &[("会场.jpg", &photo), ("签到表.pdf", &pdf)],
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let files = r.json();
    assert_eq!(files[0]["mime"], "image/jpeg");
    assert_eq!(files[1]["mime"], "application/pdf");
    let r = upload(&app, &zb, ids[1], &[("合影.jpg", &photo)]).await;
    assert_eq!(r.status, StatusCode::CREATED);
    // The same photo twice: one stored file, two links.
    assert_eq!(count(&app, "attachments").await, 2);
    assert_eq!(count(&app, "attachment_links").await, 3);
    let link = files[0]["id"].as_i64().unwrap();
    let r = app
        .request(
            Method::GET,
            &format!("/api/v1/attachments/{link}"),
            Some(&zb),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.headers[header::CONTENT_TYPE], "image/jpeg");
    assert!(r.headers[header::CONTENT_DISPOSITION]
        .to_str()
        .unwrap()
        .contains("filename*=UTF-8''%E4%BC%9A%E5%9C%BA.jpg"));
    let raw = app
        .state
        .store
        .attachment_bytes(files[0]["sha256"].as_str().unwrap())
        .await
        .unwrap();
    assert_eq!(raw, photo);
    // Another branch cannot fetch it; the committee can.
    let other = app.token("zb-v02").await;
    let r = app
        .request(
            Method::GET,
            &format!("/api/v1/attachments/{link}"),
            Some(&other),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let shuji = app.token("shuji").await;
    let r = app
        .request(
            Method::GET,
            &format!("/api/v1/attachments/{link}"),
            Some(&shuji),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);

    // A program renamed .jpg is refused with a Chinese message, and nothing is stored (not
    // even the good file sent with it).
    let viewer = app.token("quwei").await;
    let before = footprint(&app).await;
    let exe = b"MZ\x90\x00\x03\x00\x00\x00This program cannot be run in DOS mode".to_vec();
    let r = upload(
        &app,
        &zb,
        ids[0],
        &[("好照片.jpg", &jpeg("另一张")), ("照片.jpg", &exe)],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let j = r.json();
    assert_eq!(j["field"], "file");
    assert!(j["message"].as_str().unwrap().contains("照片.jpg"));
    assert!(j["message"]
        .as_str()
        .unwrap()
        .contains("不是可接受的佐证材料类型"));
    let r = upload(&app, &zb, ids[0], &[]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = upload(&app, &zb, ids[0], &[("空.pdf", b"")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Not multipart at all: a JSON error, not plain text.
    let r = app
        .request(
            Method::POST,
            &format!("/api/v1/records/{}/attachments", ids[0]),
            Some(&zb),
            Some(json!({})),
        )
        .await;
    assert!(r.status.is_client_error());
    assert!(r.body.starts_with('{'), "{}", r.body);
    // The viewer may not upload.
    let r = upload(&app, &viewer, ids[0], &[("a.jpg", &photo)]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(footprint(&app).await, before);

    // Voiding a file needs a reason; a voided file is no longer served.
    let r = app
        .request(
            Method::POST,
            &format!("/api/v1/attachments/{link}/void"),
            Some(&zb),
            Some(json!({"reason": ""})),
        )
        .await;
    assert_eq!(r.json()["field"], "reason");
    let r = app
        .request(
            Method::POST,
            &format!("/api/v1/attachments/{link}/void"),
            Some(&zb),
            Some(json!({"reason": "照片不清晰"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = app
        .request(
            Method::GET,
            &format!("/api/v1/attachments/{link}"),
            Some(&zb),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let detail = app
        .request(
            Method::GET,
            &format!("/api/v1/records/{}", ids[0]),
            Some(&zb),
            None,
        )
        .await
        .json();
    assert_eq!(detail["attachments"].as_array().unwrap().len(), 1);
    // Both the upload and the void are in the record's history.
    let actions: Vec<String> = app
        .state
        .store
        .audit_of("record", &ids[0].to_string(), 50)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.event.action)
        .collect();
    assert!(actions.contains(&"attachment.add".to_string()));
    assert!(actions.contains(&"attachment.void".to_string()));
}

#[tokio::test]
async fn records_link_to_list_items_the_caller_can_see() {
    let app = demo_app().await;
    let store = &app.state.store;
    let v01 = store.org_by_code("qs-v01").await.unwrap();
    let v02 = store.org_by_code("qs-v02").await.unwrap();
    let now = "2025-01-01T00:00:00.000Z";
    // The lists ledger belongs to another module: a list with one item per branch.
    for org in [&v01, &v02] {
        zeren_storage::sqlx::query(
            "INSERT INTO resp_lists (org_id, org_path, year, kind, title, created_at, updated_at) \
             VALUES ($1, $2, 2025, 'task', '任务清单', $3, $3)",
        )
        .bind(org.id)
        .bind(org.path.as_str())
        .bind(now)
        .execute(store.pool())
        .await
        .unwrap();
        zeren_storage::sqlx::query(
            "INSERT INTO list_items (list_id, org_id, org_path, category, description, due_on, \
             status, created_at, updated_at) SELECT MAX(id), $1, $2, '组织建设', '每月召开支委会', \
             '2025-12-31', 'open', $3, $3 FROM resp_lists",
        )
        .bind(org.id)
        .bind(org.path.as_str())
        .bind(now)
        .execute(store.pool())
        .await
        .unwrap();
    }
    let items: Vec<(i64, i64)> =
        zeren_storage::sqlx::query_as("SELECT id, org_id FROM list_items ORDER BY id")
            .fetch_all(store.pool())
            .await
            .unwrap();
    let (own, foreign) = (items[0].0, items[1].0);
    let zb = app.token("zb-v01").await;
    let mut body = committee_meeting("qs-v01", &[]);
    body["item_ids"] = json!([own]);
    let r = app
        .request(Method::POST, "/api/v1/records", Some(&zb), Some(body))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.json()["id"].as_i64().unwrap();
    assert_eq!(r.json()["item_ids"], json!([own]));
    // Another branch's item is not visible: refused like one that does not exist.
    let before = footprint(&app).await;
    let r = app
        .request(
            Method::POST,
            &format!("/api/v1/records/{id}/items"),
            Some(&zb),
            Some(json!({"item_id": foreign})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["field"], "item_ids");
    assert_eq!(footprint(&app).await, before);
    let r = app
        .request(
            Method::DELETE,
            &format!("/api/v1/records/{id}/items/{own}"),
            Some(&zb),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json(), json!([]));
    let r = app
        .request(
            Method::POST,
            &format!("/api/v1/records/{id}/items"),
            Some(&zb),
            Some(json!({"item_id": own})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let actions: Vec<String> = store
        .audit_of("record", &id.to_string(), 50)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.event.action)
        .collect();
    assert_eq!(
        actions,
        vec![
            "record.create",
            "record.link_item",
            "record.unlink_item",
            "record.link_item"
        ]
    );
}

#[tokio::test]
async fn types_and_meeting_rules_are_configured_by_the_administrator() {
    let app = demo_app().await;
    let admin = app.token("admin").await;
    let shuji = app.token("shuji").await;
    let types = app
        .request(Method::GET, "/api/v1/record-types", Some(&shuji), None)
        .await
        .json();
    assert!(types
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["code"] == "study_group" && t["name"] == "理论学习中心组学习"));
    let river = json!({"code": "river_patrol", "name": "河长巡河", "fields": ["place", "content", "person_times"]});
    let r = app
        .request(
            Method::POST,
            "/api/v1/record-types",
            Some(&shuji),
            Some(river.clone()),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .request(
            Method::POST,
            "/api/v1/record-types",
            Some(&admin),
            Some(river.clone()),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(
        r.json()["fields"],
        json!(["place", "person_times", "content"])
    );
    let before = footprint(&app).await;
    for (body, field) in [
        (json!({"code": "river_patrol", "name": "巡河"}), "code"),
        (river.clone(), "name"),
        (json!({"code": "x2", "name": "支委会"}), "name"),
        (json!({"code": "Bad Code", "name": "新类型"}), "code"),
        (
            json!({"code": "abc", "name": "新类型", "fields": ["colour"]}),
            "fields",
        ),
    ] {
        let r = app
            .request(
                Method::POST,
                "/api/v1/record-types",
                Some(&admin),
                Some(body),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}: {}",
            r.body
        );
        assert_eq!(r.json()["field"], field, "{}", r.body);
    }
    assert_eq!(footprint(&app).await, before);
    // The new type is used at once.
    let zb = app.token("zb-v01").await;
    let r = app
        .request(
            Method::POST,
            "/api/v1/records",
            Some(&zb),
            Some(json!({"org": "qs-v01", "type": "river_patrol", "title": "巡查东岭河", "held_on": "2025-04-01", "place": "东岭河"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.json()["type_name"], "河长巡河");

    // 三会一课: the branches' figures; then the rules changed.
    for on in ["2025-01-08", "2025-02-08", "2025-03-08"] {
        let mut body = committee_meeting("qs-v01", &[]);
        body["held_on"] = json!(on);
        app.request(Method::POST, "/api/v1/records", Some(&zb), Some(body))
            .await;
    }
    let m = app
        .request(
            Method::GET,
            "/api/v1/orgs/qs/meetings?from=2025-01-01&to=2025-03-31",
            Some(&shuji),
            None,
        )
        .await;
    assert_eq!(m.status, StatusCode::OK, "{}", m.body);
    let m = m.json();
    let branches = m["branches"].as_array().unwrap();
    assert_eq!(branches.len(), 16);
    let v01 = branches.iter().find(|b| b["org"] == "qs-v01").unwrap();
    let bc = v01["meetings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["type"] == "branch_committee")
        .unwrap();
    assert_eq!(
        (
            bc["should"].as_i64(),
            bc["held"].as_i64(),
            bc["short"].as_bool()
        ),
        (Some(3), Some(3), Some(false))
    );
    let v02 = branches.iter().find(|b| b["org"] == "qs-v02").unwrap();
    assert_eq!(v02["short"], true);
    let zb_view = app
        .request(Method::GET, "/api/v1/orgs/qs/meetings", Some(&zb), None)
        .await;
    assert_eq!(zb_view.status, StatusCode::NOT_FOUND);
    let r = app
        .request(
            Method::GET,
            "/api/v1/orgs/qs/meetings?from=2025-05-01&to=2025-01-01",
            Some(&shuji),
            None,
        )
        .await;
    assert_eq!(r.json()["field"], "to");

    let rules = app
        .request(Method::GET, "/api/v1/meeting-rules", Some(&zb), None)
        .await
        .json();
    assert!(rules["rules"].as_array().unwrap().len() >= 7);
    let mut new_rules: Vec<Value> = rules["rules"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["type"] != "party_lecture")
        .cloned()
        .collect();
    new_rules.push(json!({"org_kind": "党总支", "type": "branch_committee", "frequency": "每季度", "times": 1}));
    let r = app
        .request(
            Method::PUT,
            "/api/v1/meeting-rules",
            Some(&shuji),
            Some(json!({"rules": new_rules.clone()})),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let before = footprint(&app).await;
    let mut bad = new_rules.clone();
    bad.push(json!({"org_kind": "branch", "type": "no_such", "frequency": "monthly", "times": 1}));
    let r = app
        .request(
            Method::PUT,
            "/api/v1/meeting-rules",
            Some(&admin),
            Some(json!({"rules": bad})),
        )
        .await;
    assert_eq!(r.json()["field"], "type");
    let mut bad = new_rules.clone();
    bad.push(json!({"org_kind": "branch", "type": "theme_day", "frequency": "weekly", "times": 1}));
    let r = app
        .request(
            Method::PUT,
            "/api/v1/meeting-rules",
            Some(&admin),
            Some(json!({"rules": bad})),
        )
        .await;
    assert_eq!(r.json()["field"], "frequency");
    assert_eq!(footprint(&app).await, before);
    let r = app
        .request(
            Method::PUT,
            "/api/v1/meeting-rules",
            Some(&admin),
            Some(json!({"rules": new_rules})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let rules = r.json();
    let lecture = rules["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["type"] == "party_lecture")
        .unwrap();
    assert_eq!(lecture["times"], 0);
    let m = app
        .request(
            Method::GET,
            "/api/v1/orgs/qs/meetings?from=2025-01-01&to=2025-03-31",
            Some(&shuji),
            None,
        )
        .await
        .json();
    let jg = m["branches"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["org"] == "qs-jg")
        .unwrap();
    assert_eq!(jg["meetings"][0]["type"], "branch_committee");
    assert_eq!(jg["meetings"][0]["should"], 1);
    assert!(m["branches"][1]["meetings"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["type"] != "party_lecture"));
    assert_eq!(
        app.state
            .store
            .audit_count_with("meeting_rules.")
            .await
            .unwrap(),
        1
    );
}

#[tokio::test]
async fn the_roster_over_the_api() {
    let app = demo_app().await;
    let zb = app.token("zb-v01").await;
    let id = add_member(&app, &zb, "qs-v01", "李小红", "1995-08-09").await;
    add_member(&app, &zb, "qs-v01", "王大山", "1970-02-03").await;
    add_member(
        &app,
        &app.token("zb-v02").await,
        "qs-v02",
        "钱七",
        "1975-05-05",
    )
    .await;
    let shuji = app.token("shuji").await;
    let list = app
        .request(Method::GET, "/api/v1/members", Some(&shuji), None)
        .await
        .json();
    assert_eq!(list["total"], 3);
    let mine = app
        .request(Method::GET, "/api/v1/members", Some(&zb), None)
        .await
        .json();
    assert_eq!(mine["total"], 2);
    let found = app
        .request(
            Method::GET,
            "/api/v1/members?q=小红&status=full",
            Some(&shuji),
            None,
        )
        .await
        .json();
    assert_eq!(found["members"][0]["id"], id);
    let before = footprint(&app).await;
    for (body, field) in [
        (json!({"joined_on": "1990-01-01"}), "joined_on"),
        (json!({"status": "dead"}), "status"),
        (json!({"status": "probationary"}), "full_on"),
        (json!({"phone": "电话"}), "phone"),
        (json!({"org": "qs-v02"}), "org"),
        (json!({"birth_date": "yesterday"}), "birth_date"),
    ] {
        let r = app
            .request(
                Method::PATCH,
                &format!("/api/v1/members/{id}"),
                Some(&zb),
                Some(body),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}: {}",
            r.body
        );
        assert_eq!(r.json()["field"], field);
    }
    assert_eq!(footprint(&app).await, before);
    // A status move, audited as such with before and after.
    let r = app
        .request(
            Method::PATCH,
            &format!("/api/v1/members/{id}"),
            Some(&zb),
            Some(json!({"status": "probationary", "full_on": null, "joined_on": "2024-06-01"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["status_label"], "预备党员");
    let history = app
        .state
        .store
        .audit_of("member", &id.to_string(), 50)
        .await
        .unwrap();
    let moved = history
        .iter()
        .find(|e| e.event.action == "member.status")
        .unwrap();
    assert!(moved
        .event
        .before
        .as_deref()
        .unwrap()
        .contains("\"status\":\"full\""));
    assert!(moved
        .event
        .after
        .as_deref()
        .unwrap()
        .contains("\"status\":\"probationary\""));
    // The clerk moves her to another branch; voiding needs a reason and keeps the row.
    let clerk = app.token("dangwu").await;
    let r = app
        .request(
            Method::PATCH,
            &format!("/api/v1/members/{id}"),
            Some(&clerk),
            Some(json!({"org": "qs-v02"})),
        )
        .await;
    assert_eq!(r.json()["org"], "qs-v02");
    let r = app
        .request(
            Method::GET,
            &format!("/api/v1/members/{id}"),
            Some(&zb),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app
        .request(
            Method::POST,
            &format!("/api/v1/members/{id}/void"),
            Some(&clerk),
            Some(json!({"reason": ""})),
        )
        .await;
    assert_eq!(r.json()["field"], "reason");
    let r = app
        .request(
            Method::POST,
            &format!("/api/v1/members/{id}/void"),
            Some(&clerk),
            Some(json!({"reason": "重复录入"})),
        )
        .await;
    assert_eq!(r.json()["voided"], true);
    assert_eq!(
        app.request(Method::GET, "/api/v1/members", Some(&shuji), None)
            .await
            .json()["total"],
        2
    );
    assert_eq!(count(&app, "members").await, 3);
}

#[tokio::test]
async fn pages_record_a_meeting_with_attendance_and_show_it() {
    let app = demo_app().await;
    let zb_api = app.token("zb-v01").await;
    let m1 = add_member(&app, &zb_api, "qs-v01", "王大山", "1970-02-03").await;
    let m2 = add_member(&app, &zb_api, "qs-v01", "李小红", "1995-08-09").await;
    let (session, csrf) = app.login("zb-v01", USER_PASSWORD).await;
    // The secretary of one branch starts at his branch: the checklist lists its members.
    let form = app.get("/records/new", Some(&session)).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("王大山") && form.body.contains("李小红"));
    assert!(form
        .body
        .contains("data-fields=\"place host recorder attendees person_times content\""));
    let v01 = app.org_id("qs-v01").await.to_string();
    let a1 = format!("att_{m1}");
    let r1 = format!("reason_{m1}");
    let a2 = format!("att_{m2}");
    let r2 = format!("reason_{m2}");
    let mut fields = vec![
        ("_csrf", csrf.as_str()),
        ("org_id", v01.as_str()),
        ("type", "branch_committee"),
        ("title", "4月份支委会"),
        ("held_on", "2025-04-03"),
        ("place", "村部"),
        ("host", "李明"),
        ("recorder", ""),
        ("person_times", ""),
        // Hidden fields of other types are posted too and dropped.
        ("outlet_level", ""),
        ("items", "9"),
        ("content", "研究发展党员"),
        ("attendance", "1"),
        (a1.as_str(), "0"),
        (r1.as_str(), ""),
        (a2.as_str(), "1"),
        (r2.as_str(), ""),
    ];
    // An absence without its reason: the form comes back with the message, nothing written.
    let before = footprint(&app).await;
    let r = app.post_form("/records", &session, &fields).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("请填写缺席人员的缺席原因"));
    assert!(r.body.contains("4月份支委会"));
    assert_eq!(footprint(&app).await, before);
    fields[14].1 = "生病住院";
    let r = app.post_form("/records", &session, &fields).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let location = r.location().to_string();
    assert!(location.ends_with("?notice=record_created"));
    let page = app.get(&location, Some(&session)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("纪实已登记"));
    assert!(page.body.contains("应到 2 人，实到 <strong>1</strong> 人"));
    assert!(page.body.contains("王大山：生病住院"));
    let id: i64 = location
        .trim_start_matches("/records/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let rec = app.state.store.record(id).await.unwrap();
    assert_eq!((rec.person_times, rec.items), (Some(1), None));

    // Upload on the record page: a photo is shown as a thumbnail; a disguised program refused.
    let (ctype, body) = multipart(&[], &[("会场.jpg", &jpeg("4月"))]);
    let r = app
        .send(
            Request::post(format!("/records/{id}/attachments?_csrf={csrf}"))
                .header(header::COOKIE, format!("zeren_session={session}"))
                .header(header::CONTENT_TYPE, ctype)
                .body(Body::from(body))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = app.get(&format!("/records/{id}"), Some(&session)).await;
    assert!(page.body.contains("<img src=\"/api/v1/attachments/"));
    let (ctype, body) = multipart(&[], &[("病毒.jpg", b"MZ\x90\x00 program")]);
    let r = app
        .send(
            Request::post(format!("/records/{id}/attachments?_csrf={csrf}"))
                .header(header::COOKIE, format!("zeren_session={session}"))
                .header(header::CONTENT_TYPE, ctype)
                .body(Body::from(body))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("不是可接受的佐证材料类型"));
    // Without the CSRF token the upload is refused.
    let (ctype, body) = multipart(&[], &[("会场.jpg", &jpeg("x"))]);
    let r = app
        .send(
            Request::post(format!("/records/{id}/attachments"))
                .header(header::COOKIE, format!("zeren_session={session}"))
                .header(header::CONTENT_TYPE, ctype)
                .body(Body::from(body))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // Editing keeps the form's shape; voiding needs a reason.
    let edit = app
        .get(&format!("/records/{id}/edit"), Some(&session))
        .await;
    assert_eq!(edit.status, StatusCode::OK);
    assert!(edit.body.contains("value=\"生病住院\""));
    let r = app
        .post_form(
            &format!("/records/{id}/void"),
            &session,
            &[("_csrf", &csrf), ("reason", "")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("请填写作废原因"));
    let r = app
        .post_form(
            &format!("/records/{id}/void"),
            &session,
            &[("_csrf", &csrf), ("reason", "日期录错")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let page = app.get(&format!("/records/{id}"), Some(&session)).await;
    assert!(page.body.contains("该纪实已作废"));
    assert!(page.body.contains("日期录错"));
    // The history on the page names each step.
    assert!(
        page.body.contains("登记")
            && page.body.contains("上传佐证材料")
            && page.body.contains("作废")
    );

    // Lists: the committee sees the record of its branch; another branch does not.
    let (shuji, _) = app.login("shuji", USER_PASSWORD).await;
    let list = app.get("/records?voided=1", Some(&shuji)).await;
    assert!(list.body.contains("4月份支委会"));
    let (other, _) = app.login("zb-v02", USER_PASSWORD).await;
    let list = app.get("/records?voided=1", Some(&other)).await;
    assert!(!list.body.contains("4月份支委会"));
    let r = app.get(&format!("/records/{id}"), Some(&other)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // The viewer has no 新增 button and cannot open the form.
    let (viewer, _) = app.login("quwei", USER_PASSWORD).await;
    let list = app.get("/records", Some(&viewer)).await;
    assert!(!list.body.contains("id=\"new-record\""));
    assert_eq!(
        app.get("/records/new", Some(&viewer)).await.status,
        StatusCode::FORBIDDEN
    );
    // Bad filter dates are shown beside the field, not a 500.
    let r = app.get("/records?from=2025-02-31", Some(&shuji)).await;
    assert!(r.body.contains("无法识别"));
}

#[tokio::test]
async fn meetings_and_roster_pages() {
    let app = demo_app().await;
    let (session, csrf) = app.login("zb-v01", USER_PASSWORD).await;
    let v01 = app.org_id("qs-v01").await.to_string();
    // The roster: add, with a mistake first.
    let mut fields = vec![
        ("_csrf", csrf.as_str()),
        ("org_id", v01.as_str()),
        ("name", "孙小梅"),
        ("gender", "女"),
        ("birth_date", "1996-03-04"),
        ("joined_on", "1990-01-01"),
        ("full_on", ""),
        ("status", "probationary"),
        ("education", "本科"),
        ("post", ""),
        ("phone", ""),
    ];
    let r = app.post_form("/members", &session, &fields).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("入党日期应晚于出生日期"));
    fields[5].1 = "2024-07-01";
    let r = app.post_form("/members", &session, &fields).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = app.get(r.location(), Some(&session)).await;
    assert!(page.body.contains("已登记到党员名册"));
    let list = app.get("/members", Some(&session)).await;
    assert!(list.body.contains("孙小梅") && list.body.contains("预备党员"));
    // Another branch's secretary cannot add to this branch's roster.
    let (other, other_csrf) = app.login("zb-v02", USER_PASSWORD).await;
    let mut foreign = fields.clone();
    foreign[0].1 = other_csrf.as_str();
    let before = footprint(&app).await;
    let r = app.post_form("/members", &other, &foreign).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(footprint(&app).await, before);

    // 三会一课: every branch short in a past quarter with no meetings, shown in red.
    let (shuji, _) = app.login("shuji", USER_PASSWORD).await;
    let page = app
        .get("/meetings?from=2025-01-01&to=2025-03-31", Some(&shuji))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("东岭村党支部"));
    assert!(page.body.contains("class=\"count short\""));
    assert!(page.body.contains("16</strong> 个未达到要求"));
    let r = app.get("/meetings?from=2025-13-01", Some(&shuji)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    // The admin sees the new menu items.
    let (admin, _) = app.login("admin", ADMIN_PASSWORD).await;
    let home = app.get("/", Some(&admin)).await;
    for item in ["工作纪实", "三会一课", "党员名册"] {
        assert!(home.body.contains(item), "{item}");
    }
}

/// The robustness test shares one administrator token across every route; here each of this
/// module's routes gets malformed input with fresh tokens of a role that passes its guard.
#[tokio::test]
async fn this_modules_routes_never_answer_500() {
    let app = demo_app().await;
    let admin = app.token("admin").await;
    let clerk = app.token("dangwu").await;
    let mine = [
        "/records",
        "/meetings",
        "/members",
        "/attachments",
        "/record-types",
        "/meeting-rules",
    ];
    let routes: Vec<_> = zeren_web::routes::table()
        .into_iter()
        .filter(|r| mine.iter().any(|m| r.path.contains(m)))
        .collect();
    assert!(routes.len() >= 35, "{}", routes.len());
    for r in routes {
        for param in [
            "abc",
            "-1",
            "0",
            "99999999999999999999999",
            "%FF",
            "a%00b",
            "1",
        ] {
            let path = r
                .path
                .replace("{id}", param)
                .replace("{att_id}", param)
                .replace("{item_id}", param)
                .replace("{code}", param);
            for query in ["", "?page=-5&per_page=abc&from=x&to=2025-02-30&org=%00&type=%00&q=%25%00&voided=2&status=x"] {
                let uri = format!("{path}{query}");
                for (ctype, body) in [
                    ("application/json", "{}"),
                    ("application/json", "{\"org\": \"qs\", \"type\": \"x\", \"title\": 1}"),
                    ("application/x-www-form-urlencoded", "org_id=abc&type=%00&att_x=1"),
                    ("multipart/form-data; boundary=x", "--x\r\nbroken"),
                ] {
                    for token in [&admin, &clerk] {
                        let req = Request::builder()
                            .method(r.method.clone())
                            .uri(&uri)
                            .header(header::AUTHORIZATION, format!("Bearer {token}"))
                            .header(header::CONTENT_TYPE, ctype)
                            .body(Body::from(body))
                            .unwrap();
                        let reply = app.send(req).await;
                        assert!(
                            !reply.status.is_server_error(),
                            "{} {uri} ({ctype}) → {}: {}",
                            r.method,
                            reply.status,
                            reply.body.chars().take(200).collect::<String>()
                        );
                        if uri.starts_with("/api/") && reply.status.is_client_error() {
                            assert!(reply.body.starts_with('{'), "{} {uri}: {}", r.method, reply.body);
                        }
                    }
                }
            }
        }
    }
}

#[tokio::test]
async fn the_records_page_filters_by_an_organizations_id_or_its_code() {
    let app = demo_app().await;
    let clerk = app.token("dangwu").await;
    let mut ids = Vec::new();
    for (org, title) in [
        ("qs-v01", "东岭村七月主题党日"),
        ("qs-v02", "西岭村七月主题党日"),
    ] {
        let r = app
            .request(
                Method::POST,
                "/api/v1/records",
                Some(&clerk),
                Some(json!({"org": org, "type": "theme_day", "title": title, "held_on": "2025-07-01"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        ids.push(r.json()["id"].as_i64().unwrap());
    }
    let (session, _) = app.login("dangwu", USER_PASSWORD).await;
    let id = app.org_id("qs-v01").await;
    for filter in [id.to_string(), "qs-v01".to_string()] {
        let page = app
            .get(&format!("/records?org={filter}"), Some(&session))
            .await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            page.body.contains(&format!("/records/{}\"", ids[0])),
            "{filter}"
        );
        assert!(
            !page.body.contains(&format!("/records/{}\"", ids[1])),
            "{filter}"
        );
        assert!(
            page.body.contains(&format!("value=\"{id}\" selected")),
            "{filter}"
        );
        // The roster and 三会一课 pages read the same filter.
        for page in ["/members", "/meetings"] {
            let r = app
                .get(&format!("{page}?org={filter}"), Some(&session))
                .await;
            assert_eq!(r.status, StatusCode::OK);
            assert!(
                r.body.contains(&format!("value=\"{id}\" selected")),
                "{page} {filter}"
            );
        }
    }
}
