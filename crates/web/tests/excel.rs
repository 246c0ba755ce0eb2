//! Excel in and out for every ledger: export → import into a fresh database reproduces every
//! field; a workbook with bad rows reports each row and cell in Chinese and writes nothing;
//! imports need the create route's permission over every row's organization; what is not a
//! workbook gets a clear 4xx.

mod common;

use axum::body::Body;
use axum::http::{header, HeaderMap, Method, Request, StatusCode};
use calamine::{Data, Reader, Xlsx};
use common::{demo_app, TestApp};
use serde_json::{json, Value};
use std::io::Cursor;
use tower::ServiceExt;
use zeren_web::manage::excel::records::{AttendeeLine, RecordLine};
use zeren_web::manage::excel::sheet::{self, SheetOut, Value as Cell};

const BOUNDARY: &str = "zeren-test-boundary-7MA4YWxk";

/// A multipart body with the workbook as its `file` part.
fn multipart(bytes: &[u8]) -> Vec<u8> {
    let mut body = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"台账.xlsx\"\r\n\
         Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    body
}

/// The raw answer (a workbook is not text).
async fn raw(app: &TestApp, req: Request<Body>) -> (StatusCode, HeaderMap, Vec<u8>) {
    let resp = app.router.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let bytes = axum::body::to_bytes(resp.into_body(), 64 * 1024 * 1024)
        .await
        .unwrap();
    (status, headers, bytes.to_vec())
}

async fn export(app: &TestApp, token: &str, uri: &str) -> Vec<u8> {
    let (status, headers, bytes) = raw(
        app,
        Request::get(uri)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "{uri}: {}",
        String::from_utf8_lossy(&bytes)
    );
    assert_eq!(
        headers[header::CONTENT_TYPE],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    let disposition = headers[header::CONTENT_DISPOSITION].to_str().unwrap();
    assert!(
        disposition.starts_with("attachment; filename=\"") && disposition.contains("UTF-8''%E"),
        "{disposition}"
    );
    bytes
}

async fn import(app: &TestApp, token: &str, uri: &str, bytes: &[u8]) -> (StatusCode, Value) {
    let (status, _, body) = raw(
        app,
        Request::post(uri)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={BOUNDARY}"),
            )
            .body(Body::from(multipart(bytes)))
            .unwrap(),
    )
    .await;
    let json = serde_json::from_slice(&body)
        .unwrap_or_else(|e| panic!("{uri} → {status}, not JSON ({e}): {body:?}"));
    (status, json)
}

/// Every sheet of a workbook as text cells (rows as Excel shows them), read with calamine.
fn cells(bytes: &[u8]) -> Vec<(String, Vec<Vec<String>>)> {
    let mut wb: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes.to_vec())).unwrap();
    wb.sheet_names()
        .into_iter()
        .map(|name| {
            let range = wb.worksheet_range(&name).unwrap();
            let rows = range
                .rows()
                .map(|r| {
                    r.iter()
                        .map(|c| match c {
                            Data::Empty => String::new(),
                            other => other.to_string(),
                        })
                        .collect()
                })
                .collect();
            (name, rows)
        })
        .collect()
}

async fn count(app: &TestApp, table: &str) -> i64 {
    let (n,): (i64,) = zeren_storage::sqlx::query_as(&format!("SELECT COUNT(*) FROM {table}"))
        .fetch_one(app.state.store.pool())
        .await
        .unwrap();
    n
}

async fn audit_count(app: &TestApp, action: &str) -> i64 {
    let (n,): (i64,) =
        zeren_storage::sqlx::query_as("SELECT COUNT(*) FROM audit_log WHERE action = $1")
            .bind(action)
            .fetch_one(app.state.store.pool())
            .await
            .unwrap();
    n
}

async fn call(app: &TestApp, token: &str, method: Method, uri: &str, body: Value) -> Value {
    let r = app.request(method, uri, Some(token), Some(body)).await;
    assert!(r.status.is_success(), "{uri}: {} {}", r.status, r.body);
    r.json()
}

async fn get(app: &TestApp, token: &str, uri: &str) -> Value {
    let r = app.request(Method::GET, uri, Some(token), None).await;
    assert_eq!(r.status, StatusCode::OK, "{uri}: {}", r.body);
    r.json()
}

/// Fills every ledger of the demo township with entries using every field.
async fn fill(app: &TestApp, token: &str) {
    let post = Method::POST;
    let mut member_ids = Vec::new();
    for m in [
        json!({"org": "qs-v01", "name": "赵党员", "gender": "男", "birth_date": "1980-02-03",
               "joined_on": "2005-07-01", "full_on": "2006-07-01", "status": "full",
               "education": "大专", "post": "村委委员", "phone": "138-0000 0001"}),
        json!({"org": "qs-v01", "name": "钱预备", "gender": "女", "birth_date": "1999-12-31",
               "joined_on": "2025-06-30", "status": "probationary", "education": "本科"}),
        json!({"org": "qs-v01", "name": "孙党员", "status": "full"}),
        json!({"org": "qs-v02", "name": "李转出", "gender": "男", "status": "transferred_out"}),
    ] {
        member_ids.push(call(app, token, post.clone(), "/api/v1/members", m).await["id"].clone());
    }
    for r in [
        json!({"org": "qs-v01", "type": "branch_committee", "title": "3月支委会",
               "held_on": "2025-03-05", "place": "村部会议室", "host": "周书记", "recorder": "吴记录",
               "content": "学习《条例》\n研究发展党员工作",
               "attendees": [
                   {"member_id": member_ids[0], "present": true},
                   {"member_id": member_ids[1], "present": true},
                   {"member_id": member_ids[2], "present": false, "absence_reason": "外出务工"}]}),
        json!({"org": "qs", "type": "study_group", "title": "理论学习中心组第1次集中学习",
               "held_on": "2025-01-20", "person_times": 15, "hours": 2.5, "content": "专题学习"}),
        json!({"org": "qs", "type": "publicity", "title": "镇党委宣传稿件", "held_on": "2025-04-01",
               "items": 3, "outlet_level": "city", "content": "刊发于市级媒体"}),
        json!({"org": "qs-jg", "type": "training", "title": "党务干部培训班", "held_on": "2025-05-12",
               "place": "党校", "host": "组织委员", "person_times": 40, "hours": 16, "sessions": 2}),
    ] {
        call(app, token, post.clone(), "/api/v1/records", r).await;
    }
    let list = call(
        app,
        token,
        post.clone(),
        "/api/v1/lists",
        json!({"org": "qs", "year": 2025, "kind": "task", "title": "青石镇党委2025年任务清单"}),
    )
    .await;
    let list = list["list"]["id"].as_i64().or(list["id"].as_i64()).unwrap();
    let items = format!("/api/v1/lists/{list}/items");
    let a = call(
        app,
        token,
        post.clone(),
        &items,
        json!({"category": "组织建设", "description": "规范落实“三会一课”制度", "owner": "fushuji",
               "deadline": "2025-12-20", "recurrence": "quarterly",
               "steps": "3月制定方案\n每季度检查\n12月总结"}),
    )
    .await["id"]
        .clone();
    call(
        app,
        token,
        post.clone(),
        &items,
        json!({"category": "思想建设", "description": "理论学习中心组学习12次",
               "target_metric": "理论学习中心组学习次数", "target_value": 12}),
    )
    .await;
    call(
        app,
        token,
        post.clone(),
        &items,
        json!({"category": "作风建设", "description": "东岭村为民办实事10件", "org": "qs-v01"}),
    )
    .await;
    for (on, text) in [
        ("2025-03-31", "已制定方案"),
        ("2025-06-30", "二季度检查2个支部"),
    ] {
        call(
            app,
            token,
            post.clone(),
            &format!("/api/v1/list-items/{a}/progress"),
            json!({"reported_on": on, "text": text}),
        )
        .await;
    }
    // Problems: 整改中 with one measure done, 待整改 without measures, 已整改待审核.
    let p1 = call(
        app,
        token,
        post.clone(),
        "/api/v1/problems",
        json!({"org": "qs-v01", "source": "inspection_tour", "category": "组织建设",
               "description": "“三会一课”记录不规范\n部分会议无记录", "found_on": "2025-03-10",
               "measures": [
                   {"description": "补齐会议记录", "owner": "zb-v01", "deadline": "2025-04-30"},
                   {"description": "开展专题培训", "owner_name": "张三", "deadline": "2025-06-30"}]}),
    )
    .await;
    let p1 = p1["problem"]["id"].as_i64().or(p1["id"].as_i64()).unwrap();
    let detail = get(app, token, &format!("/api/v1/problems/{p1}")).await;
    let m1 = detail["measures"][0]["id"].clone();
    call(
        app,
        token,
        post.clone(),
        &format!("/api/v1/measures/{m1}/done"),
        json!({"date": "2025-04-20", "note": "已补齐12次记录"}),
    )
    .await;
    call(
        app,
        token,
        post.clone(),
        "/api/v1/problems",
        json!({"org": "qs", "source": "self_check", "category": "作风建设",
               "description": "督查检查过多", "found_on": "2025-05-01"}),
    )
    .await;
    let p3 = call(
        app,
        token,
        post.clone(),
        "/api/v1/problems",
        json!({"org": "qs-v02", "source": "special_supervision", "description": "村务公开不及时",
               "found_on": "2025-02-01",
               "measures": [{"description": "每月公开", "owner_name": "李四", "deadline": "2025-03-31"}]}),
    )
    .await;
    let p3 = p3["problem"]["id"].as_i64().or(p3["id"].as_i64()).unwrap();
    let detail = get(app, token, &format!("/api/v1/problems/{p3}")).await;
    let m3 = detail["measures"][0]["id"].clone();
    call(
        app,
        token,
        post.clone(),
        &format!("/api/v1/measures/{m3}/done"),
        json!({"date": "2025-03-20"}),
    )
    .await;
    call(
        app,
        token,
        post.clone(),
        &format!("/api/v1/problems/{p3}/transitions"),
        json!({"action": "submit"}),
    )
    .await;
    // Risks: scored, and chosen with a yearly review.
    call(
        app,
        token,
        post.clone(),
        "/api/v1/risks",
        json!({"org": "qs-v01", "subject_kind": "post", "subject": "村报账员",
               "description": "虚报冒领集体资金", "likelihood": 4, "impact": 4,
               "identified_on": "2025-01-15",
               "measures": [{"description": "资金支出双人审核", "owner": "周书记"},
                            {"description": "每季度公开账目"}]}),
    )
    .await;
    let r2 = call(
        app,
        token,
        post.clone(),
        "/api/v1/risks",
        json!({"org": "qs", "subject_kind": "person", "subject": "王某（分管领导）",
               "description": "插手工程项目", "level": "low", "identified_on": "2025-02-01"}),
    )
    .await;
    let r2 = r2["risk"]["id"].as_i64().or(r2["id"].as_i64()).unwrap();
    call(
        app,
        token,
        post,
        &format!("/api/v1/risks/{r2}/review"),
        json!({"date": "2025-11-30"}),
    )
    .await;
}

/// Removes what differs between two databases for the same entries (ids, times, who).
fn strip(v: &mut Value) {
    match v {
        Value::Object(map) => {
            for k in [
                "id",
                "created_at",
                "updated_at",
                "submitted_at",
                "problem_id",
                "risk_id",
                "member_id",
                "list_id",
                "url",
            ] {
                map.remove(k);
            }
            for (_, x) in map.iter_mut() {
                strip(x);
            }
        }
        Value::Array(a) => a.iter_mut().for_each(strip),
        _ => {}
    }
}

#[tokio::test]
async fn every_ledger_round_trips_into_a_fresh_database() {
    let a = demo_app().await;
    let b = demo_app().await;
    let ta = a.token("shuji").await;
    let tb = b.token("shuji").await;
    fill(&a, &ta).await;
    // Members first: attendance names them.
    let ledgers = [
        ("members", 4, 0),
        ("records", 4, 3),
        ("lists", 3, 2),
        ("problems", 3, 3),
        ("risks", 2, 2),
    ];
    for (ledger, created, details) in ledgers {
        let bytes = export(&a, &ta, &format!("/api/v1/{ledger}/export?org=qs")).await;
        let (status, summary) = import(&b, &tb, &format!("/api/v1/{ledger}/import"), &bytes).await;
        assert_eq!(status, StatusCode::OK, "{ledger}: {summary}");
        assert_eq!(summary["created"], created, "{ledger}: {summary}");
        assert_eq!(summary["details"], details, "{ledger}: {summary}");
        // The second database's export is the first's, cell for cell.
        let again = export(&b, &tb, &format!("/api/v1/{ledger}/export?org=qs")).await;
        let (before, after) = (cells(&bytes), cells(&again));
        assert_eq!(before, after, "{ledger}");
        assert!(before[0].1.len() >= 2 + created as usize, "{ledger}");
    }
    // Every field through the API, not only what the workbook shows.
    for uri in [
        "/api/v1/members?org=qs",
        "/api/v1/records?org=qs",
        "/api/v1/problems?org=qs",
        "/api/v1/risks?org=qs",
    ] {
        let (mut x, mut y) = (get(&a, &ta, uri).await, get(&b, &tb, uri).await);
        strip(&mut x);
        strip(&mut y);
        assert_eq!(x, y, "{uri}");
    }
    let (mut x, mut y) = (
        get(&a, &ta, "/api/v1/lists?org=qs").await,
        get(&b, &tb, "/api/v1/lists?org=qs").await,
    );
    strip(&mut x);
    strip(&mut y);
    assert_eq!(x, y);
    // Details: attendance, measures, progress.
    for (list_uri, detail) in [
        ("/api/v1/records?org=qs", "/api/v1/records/"),
        ("/api/v1/problems?org=qs", "/api/v1/problems/"),
        ("/api/v1/risks?org=qs", "/api/v1/risks/"),
    ] {
        let ids = |v: &Value| -> Vec<i64> {
            let rows = v
                .get("records")
                .or_else(|| v.get("items"))
                .unwrap()
                .as_array()
                .unwrap()
                .clone();
            rows.iter().map(|r| r["id"].as_i64().unwrap()).collect()
        };
        let (ia, ib) = (
            ids(&get(&a, &ta, list_uri).await),
            ids(&get(&b, &tb, list_uri).await),
        );
        assert_eq!(ia.len(), ib.len());
        for (x, y) in ia.iter().zip(&ib) {
            let mut dx = get(&a, &ta, &format!("{detail}{x}")).await;
            let mut dy = get(&b, &tb, &format!("{detail}{y}")).await;
            for d in [&mut dx, &mut dy] {
                strip(d);
                if let Some(o) = d.as_object_mut() {
                    // The history of moves is dated the day of the import.
                    o.remove("history");
                }
            }
            assert_eq!(dx, dy, "{detail}{x}");
        }
    }
    // Each entry was audited as the form's create is: the same entry for the same record.
    async fn created(app: &TestApp, title: &str) -> Value {
        let (after,): (String,) = zeren_storage::sqlx::query_as(
            "SELECT after_json FROM audit_log WHERE action = 'record.create' AND after_json LIKE $1",
        )
        .bind(format!("%{title}%"))
        .fetch_one(app.state.store.pool())
        .await
        .unwrap();
        let mut v: Value = serde_json::from_str(&after).unwrap();
        strip(&mut v);
        v
    }
    for title in ["3月支委会", "党务干部培训班"] {
        let entry = created(&b, title).await;
        assert_eq!(created(&a, title).await, entry, "{title}");
        assert_eq!(entry["title"], title);
    }
    assert_eq!(
        created(&b, "3月支委会").await["attendance"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    assert_eq!(audit_count(&b, "record.create").await, 4);
    assert_eq!(audit_count(&b, "member.create").await, 4);
    assert_eq!(audit_count(&b, "problem.create").await, 3);
    assert_eq!(audit_count(&b, "measure.done").await, 2);
    assert_eq!(audit_count(&b, "problem.submit").await, 1);
    assert_eq!(audit_count(&b, "risk.review").await, 1);
    assert_eq!(audit_count(&b, "list_progress.create").await, 2);
    assert!(b
        .state
        .store
        .verify_audit_chain()
        .await
        .unwrap()
        .broken
        .is_none());
}

fn line(org: &str, type_name: &str, title: &str, held_on: &str) -> RecordLine {
    RecordLine {
        org_code: org.into(),
        type_name: type_name.into(),
        title: title.into(),
        held_on: held_on.into(),
        ..Default::default()
    }
}

#[tokio::test]
async fn bad_rows_are_each_reported_and_nothing_is_written() {
    let app = demo_app().await;
    let token = app.token("shuji").await;
    let mut lines = vec![
        // Row 3: fine.
        line("qs", "党建工作会", "第一季度党建工作会", "2025-03-01"),
        // Row 4: unknown organization.
        line("qs-nowhere", "党建工作会", "会议", "2025-03-01"),
        // Row 5: no such type, and an impossible day.
        line("qs", "篮球赛", "比赛", "2025-02-30"),
        // Row 6: fine.
        line("qs-v01", "支委会", "4月支委会", "2025-04-02"),
        // Row 7: a day in the future and no title.
        line("qs", "党建工作会", "", "2099-01-01"),
        // Row 8: publicity without its outlet level.
        line("qs", "宣传稿件", "稿件", "2025-05-01"),
    ];
    lines[3].attendance = vec![AttendeeLine {
        org_code: "qs-v01".into(),
        name: "查无此人".into(),
        present: false,
        reason: String::new(),
    }];
    lines[5].items = Some(-3);
    let bytes = zeren_web::manage::excel::records::workbook("青石镇党委工作纪实台账", &lines)
        .await
        .unwrap();
    let before = (
        count(&app, "work_records").await,
        count(&app, "audit_log").await,
    );
    let (status, body) = import(&app, &token, "/api/v1/records/import", &bytes).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["code"], "invalid_rows");
    let errors = body["errors"].as_array().unwrap();
    let at = |row: i64, column: &str| {
        errors
            .iter()
            .find(|e| e["row"] == row && e["column"] == column)
            .unwrap_or_else(|| panic!("no error at row {row} column {column}: {body}"))
    };
    assert!(at(4, "B")["message"]
        .as_str()
        .unwrap()
        .starts_with("第4行 B列〔组织编码〕：组织编码“qs-nowhere”不存在或不在您的范围内"));
    assert!(at(5, "D")["message"]
        .as_str()
        .unwrap()
        .contains("没有名为“篮球赛”的纪实类型"));
    assert!(at(5, "F")["message"]
        .as_str()
        .unwrap()
        .contains("〔开展日期〕：日期“2025-02-30”无法识别"));
    assert!(at(7, "F")["message"]
        .as_str()
        .unwrap()
        .contains("开展日期不能晚于今天"));
    assert!(at(8, "M")["message"].as_str().unwrap().contains("应为0至"));
    // The attendance sheet: the absent member without a reason, and not on the roster.
    let att: Vec<&Value> = errors.iter().filter(|e| e["sheet"] == "参会人员").collect();
    assert!(
        att.iter()
            .any(|e| e["message"].as_str().unwrap().contains("缺席原因")),
        "{body}"
    );
    assert!(!errors
        .iter()
        .any(|e| e["sheet"].is_null() && (e["row"] == 3 || e["row"] == 6)));
    assert!(body["message"].as_str().unwrap().contains("未导入任何数据"));
    assert_eq!(
        (
            count(&app, "work_records").await,
            count(&app, "audit_log").await
        ),
        before,
        "nothing written, nothing audited"
    );

    // A workbook typed by hand: text where numbers belong, an unknown status.
    let rows = vec![
        vec![
            Cell::Int(1),
            "qs-v01".into(),
            Cell::Empty,
            "张三".into(),
            "男".into(),
            "1990年5月1日".into(),
            "2015/7/1".into(),
            Cell::Empty,
            "积极分子".into(),
            Cell::Empty,
            Cell::Empty,
            "电话号码".into(),
        ],
        vec![
            Cell::Empty,
            "qs-v01".into(),
            Cell::Empty,
            "李四".into(),
            "男".into(),
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
            "正式党员".into(),
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
        ],
    ];
    let bytes = sheet::write(&[SheetOut {
        name: "党员名册",
        title: "青石镇党委党员名册".into(),
        cols: &zeren_web::manage::excel::members::COLS,
        rows,
    }])
    .unwrap();
    let members = count(&app, "members").await;
    let (status, body) = import(&app, &token, "/api/v1/members/import", &bytes).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let messages: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["message"].as_str().unwrap())
        .collect();
    assert!(
        messages.contains(&"第3行 I列〔党员状态〕：党员状态应为正式党员、预备党员、已转出或已去世"),
        "{messages:?}"
    );
    assert!(
        messages.contains(&"第4行 A列〔序号〕：请填写序号"),
        "{messages:?}"
    );
    assert_eq!(count(&app, "members").await, members);
}

#[tokio::test]
async fn imports_need_the_create_permission_over_every_row() {
    let app = demo_app().await;
    let lines = vec![
        line("qs-v01", "支委会", "东岭村5月支委会", "2025-05-06"),
        line("qs-v02", "支委会", "另一村的支委会", "2025-05-07"),
    ];
    let bytes = zeren_web::manage::excel::records::workbook("纪实", &lines)
        .await
        .unwrap();
    // The viewer may export but not import.
    let viewer = app.token("quwei").await;
    let (status, body) = import(&app, &viewer, "/api/v1/records/import", &bytes).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["code"], "forbidden");
    export(&app, &viewer, "/api/v1/records/export").await;
    // A branch secretary records for his own branch only: the other row is refused, and so
    // is the whole workbook.
    let branch = app.token("zb-v01").await;
    let before = count(&app, "work_records").await;
    let (status, body) = import(&app, &branch, "/api/v1/records/import", &bytes).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let errors = body["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{body}");
    assert_eq!(errors[0]["row"], 4);
    assert_eq!(errors[0]["column"], "B");
    assert!(errors[0]["message"]
        .as_str()
        .unwrap()
        .contains("不存在或不在您的范围内"));
    assert_eq!(count(&app, "work_records").await, before);
    let bytes = zeren_web::manage::excel::records::workbook("纪实", &lines[..1])
        .await
        .unwrap();
    let (status, body) = import(&app, &branch, "/api/v1/records/import", &bytes).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["created"], 1);
    // The viewer sees only what he sees: the branch secretary's export holds his branch.
    let mine = cells(&export(&app, &branch, "/api/v1/records/export").await);
    assert_eq!(mine[0].0, "工作纪实台账");
    assert_eq!(mine[0].1[0][0], "东岭村党支部工作纪实台账");
    assert_eq!(mine[0].1[1][0], "序号");
    assert_eq!(mine[0].1.len(), 3);
}

#[tokio::test]
async fn what_is_not_a_good_workbook_gets_a_clear_4xx() {
    let app = demo_app().await;
    let token = app.token("shuji").await;
    let empty_sheet = sheet::write(&[SheetOut {
        name: "工作纪实台账",
        title: "工作纪实台账".into(),
        cols: &zeren_web::manage::excel::records::COLS,
        rows: Vec::new(),
    }])
    .unwrap();
    let wrong_headers = sheet::write(&[SheetOut {
        name: "工作纪实台账",
        title: "工作纪实台账".into(),
        cols: &[
            sheet::req("序号", 6.0),
            sheet::req("单位", 10.0),
            sheet::req("标题", 10.0),
        ],
        rows: vec![vec![Cell::Int(1), "qs".into(), "会议".into()]],
    }])
    .unwrap();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "not a workbook",
            b"just some text".to_vec(),
            "不是有效的 Excel",
        ),
        (
            "an old .xls",
            vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1],
            "另存为 .xlsx",
        ),
        ("an empty sheet", empty_sheet, "没有数据行"),
        (
            "a zip that is no workbook",
            {
                let mut buf = Cursor::new(Vec::new());
                let mut z = zip::ZipWriter::new(&mut buf);
                z.start_file("hello.txt", zip::write::SimpleFileOptions::default())
                    .unwrap();
                std::io::Write::write_all(&mut z, b"hi").unwrap();
                z.finish().unwrap();
                buf.into_inner()
            },
            "不是有效的 Excel",
        ),
    ];
    for ledger in ["records", "members", "problems", "risks", "lists"] {
        for (what, bytes, expect) in &cases {
            let (status, body) =
                import(&app, &token, &format!("/api/v1/{ledger}/import"), bytes).await;
            if *what == "an empty sheet" && ledger != "records" {
                // The records sheet's headers are not this ledger's.
                assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{ledger} {what}");
                continue;
            }
            assert_eq!(
                status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{ledger} {what}: {body}"
            );
            assert_eq!(body["field"], "file", "{ledger} {what}: {body}");
            assert!(
                body["message"].as_str().unwrap().contains(expect),
                "{ledger} {what}: {body}"
            );
        }
    }
    let (status, body) = import(&app, &token, "/api/v1/records/import", &wrong_headers).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let messages: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["message"].as_str().unwrap())
        .collect();
    assert!(
        messages
            .iter()
            .any(|m| m.starts_with("第2行 B列〔单位〕：不认识的列标题")),
        "{messages:?}"
    );
    assert!(
        messages.contains(&"第2行：缺少“组织编码”列"),
        "{messages:?}"
    );
    // No file part, a malformed body, not multipart at all.
    for (ctype, body, code) in [
        (
            format!("multipart/form-data; boundary={BOUNDARY}"),
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"other\"\r\n\r\nx\r\n--{BOUNDARY}--\r\n")
                .into_bytes(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            format!("multipart/form-data; boundary={BOUNDARY}"),
            b"--broken".to_vec(),
            StatusCode::BAD_REQUEST,
        ),
        (
            "application/json".to_string(),
            b"{}".to_vec(),
            StatusCode::BAD_REQUEST,
        ),
    ] {
        let (status, _, reply) = raw(
            &app,
            Request::post("/api/v1/problems/import")
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .header(header::CONTENT_TYPE, ctype.clone())
                .body(Body::from(body))
                .unwrap(),
        )
        .await;
        assert!(status.is_client_error(), "{ctype}: {status}");
        assert!(
            status == code || status == StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "{ctype}: {status}"
        );
        let json: Value = serde_json::from_slice(&reply).unwrap();
        assert!(json["code"].is_string() && json["message"].is_string());
    }
    // A filter naming an organization out of sight: not found, as in the list API.
    let branch = app.token("zb-v01").await;
    let r = app
        .request(
            Method::GET,
            "/api/v1/records/export?org=qs-v02",
            Some(&branch),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
}

#[tokio::test]
async fn a_closed_problem_or_a_ticked_item_is_refused_with_the_way_forward() {
    let app = demo_app().await;
    let token = app.token("shuji").await;
    let problems = sheet::write(&[SheetOut {
        name: "问题整改台账",
        title: "问题整改台账".into(),
        cols: &zeren_web::manage::excel::problems::COLS,
        rows: vec![vec![
            Cell::Int(1),
            "qs".into(),
            Cell::Empty,
            "巡察反馈".into(),
            "组织建设".into(),
            "问题".into(),
            "2025-01-01".into(),
            "已销号".into(),
            "2025-02-01".into(),
            Cell::Empty,
        ]],
    }])
    .unwrap();
    let (status, body) = import(&app, &token, "/api/v1/problems/import", &problems).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let e = &body["errors"][0];
    assert_eq!(
        (e["row"].as_i64(), e["column"].as_str()),
        (Some(3), Some("H"))
    );
    assert!(
        e["message"].as_str().unwrap().contains("已整改待审核"),
        "{body}"
    );
    let mut row = vec![Cell::Empty; 20];
    row[0] = Cell::Int(1);
    row[1] = "qs".into();
    row[3] = Cell::Int(2025);
    row[5] = "2025年清单".into();
    row[6] = "组织建设".into();
    row[7] = "任务".into();
    row[17] = "已完成".into();
    let lists = sheet::write(&[SheetOut {
        name: "责任清单台账",
        title: "责任清单台账".into(),
        cols: &zeren_web::manage::excel::lists::COLS,
        rows: vec![row],
    }])
    .unwrap();
    let (status, body) = import(&app, &token, "/api/v1/lists/import", &lists).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let e = &body["errors"][0];
    assert_eq!(
        (e["row"].as_i64(), e["column"].as_str()),
        (Some(3), Some("R"))
    );
    assert!(
        e["message"].as_str().unwrap().contains("佐证材料"),
        "{body}"
    );
    assert_eq!(count(&app, "resp_lists").await, 0);
    assert_eq!(count(&app, "problems").await, 0);
}

#[tokio::test]
async fn the_pages_link_the_workbooks_and_show_faults_in_chinese() {
    let app = demo_app().await;
    let (session, csrf) = app.login("shuji", common::USER_PASSWORD).await;
    for page in ["/records", "/members", "/problems", "/risks", "/lists"] {
        let r = app.get(page, Some(&session)).await;
        assert_eq!(r.status, StatusCode::OK, "{page}");
        assert!(
            r.body.contains(&format!("href=\"{page}/export")),
            "{page} has no export link"
        );
        assert!(
            r.body
                .contains(&format!("action=\"{page}/import?_csrf={csrf}\"")),
            "{page} has no import form"
        );
        let (status, headers, bytes) = raw(
            &app,
            Request::get(format!("{page}/export"))
                .header(header::COOKIE, format!("zeren_session={session}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{page}/export");
        assert!(headers[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .contains("filename*=UTF-8''"));
        assert!(!cells(&bytes).is_empty());
    }
    let lines = vec![line("qs", "党建工作会", "会议", "2099-01-01")];
    let bytes = zeren_web::manage::excel::records::workbook("纪实", &lines)
        .await
        .unwrap();
    let (status, _, body) = raw(
        &app,
        Request::post(format!("/records/import?_csrf={csrf}"))
            .header(header::COOKIE, format!("zeren_session={session}"))
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={BOUNDARY}"),
            )
            .body(Body::from(multipart(&bytes)))
            .unwrap(),
    )
    .await;
    let html = String::from_utf8(body).unwrap();
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    assert!(html.contains("未导入任何数据"), "{html}");
    assert!(html.contains("开展日期不能晚于今天"), "{html}");
    assert!(html.contains("第3行"), "{html}");
    // Without the session's token the upload is refused.
    let (status, _, _) = raw(
        &app,
        Request::post("/records/import")
            .header(header::COOKIE, format!("zeren_session={session}"))
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={BOUNDARY}"),
            )
            .body(Body::from(multipart(&bytes)))
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // A good workbook is imported and counted.
    let lines = vec![line("qs", "党建工作会", "年度党建工作会", "2025-01-08")];
    let bytes = zeren_web::manage::excel::records::workbook("纪实", &lines)
        .await
        .unwrap();
    let (status, _, body) = raw(
        &app,
        Request::post(format!("/records/import?_csrf={csrf}"))
            .header(header::COOKIE, format!("zeren_session={session}"))
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={BOUNDARY}"),
            )
            .body(Body::from(multipart(&bytes)))
            .unwrap(),
    )
    .await;
    let html = String::from_utf8(body).unwrap();
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("导入完成：新增 1 条"), "{html}");
}
