//! The home page (工作台) as each person's desk: list items due this month, overdue measures
//! they own, 三会一课 their organizations still owe this period, problems waiting for their
//! 销号 review. A small scenario is built through the API (the normal write paths), then each
//! person's desk must show exactly their rows, or the friendly empty state.

mod common;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use common::{demo_app, TestApp, USER_PASSWORD};
use serde_json::{json, Value};
use zeren_domain::date::Day;

const PDF: &[u8] = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n";

fn ago(days: i64) -> String {
    Day::today().plus_days(-days).text()
}

fn ahead(days: i64) -> String {
    Day::today().plus_days(days).text()
}

async fn post(app: &TestApp, token: &str, uri: &str, body: Value) -> Value {
    let r = app
        .request(Method::POST, uri, Some(token), Some(body))
        .await;
    assert!(r.status.is_success(), "{uri}: {} {}", r.status, r.body);
    r.json()
}

/// Uploads one PDF as evidence (`file`) to an attachments route.
async fn upload(app: &TestApp, token: &str, uri: &str) {
    let boundary = "zerendeskboundary";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"佐证.pdf\"\r\n\
         Content-Type: application/pdf\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(PDF);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let r = app
        .send(
            Request::post(uri)
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .header(
                    header::CONTENT_TYPE,
                    format!("multipart/form-data; boundary={boundary}"),
                )
                .body(Body::from(body))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{uri}: {}", r.body);
}

/// One section of a desk as rendered: its count, the links of its rows, its whole text.
#[derive(Debug)]
struct Section {
    count: i64,
    /// The rows' links.
    links: Vec<String>,
    /// The links under the rows (meetings owed, by kind).
    chips: Vec<String>,
    html: String,
}

impl Section {
    fn empty_text(&self) -> Option<&str> {
        let start = self.html.find("class=\"desk-empty\">")? + "class=\"desk-empty\">".len();
        let end = self.html[start..].find('<')? + start;
        Some(&self.html[start..end])
    }
}

/// The person's desk: the home page, read with a fresh login.
struct Desk {
    body: String,
}

impl Desk {
    async fn of(app: &TestApp, username: &str) -> Desk {
        let (session, _) = app.login(username, USER_PASSWORD).await;
        Desk::read(app, &session).await
    }

    async fn read(app: &TestApp, session: &str) -> Desk {
        let r = app.get("/", Some(session)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        Desk { body: r.body }
    }

    fn section(&self, id: &str) -> Option<Section> {
        let start = self.body.find(&format!("id=\"{id}\""))?;
        let end = self.body[start..].find("</article>")? + start;
        let html = self.body[start..end].to_string();
        let count = {
            let at = html.find("data-count=\"").expect("a count") + "data-count=\"".len();
            let len = html[at..].find('"').unwrap();
            html[at..at + len].parse().unwrap()
        };
        let hrefs = |class: &str| -> Vec<String> {
            html.split(&format!("class=\"{class}\" href=\""))
                .skip(1)
                .map(|s| s[..s.find('"').unwrap()].replace("&#38;", "&"))
                .collect()
        };
        let (links, chips) = (hrefs("desk-link"), hrefs("desk-chip"));
        Some(Section {
            count,
            links,
            chips,
            html,
        })
    }

    fn must(&self, id: &str) -> Section {
        self.section(id)
            .unwrap_or_else(|| panic!("no section {id} in {}", self.body))
    }
}

fn items(ids: &[i64]) -> Vec<String> {
    ids.iter().map(|i| format!("/list-items/{i}")).collect()
}

/// A list of the committee for `year`, made by the clerk.
async fn list(app: &TestApp, clerk: &str, year: i32) -> i64 {
    post(
        app,
        clerk,
        "/api/v1/lists",
        json!({"org": "qs", "year": year, "title": format!("青石镇党委{year}年主体责任清单")}),
    )
    .await["id"]
        .as_i64()
        .unwrap()
}

async fn item(app: &TestApp, clerk: &str, list: i64, fields: Value) -> i64 {
    let mut body = json!({"category": "组织建设"});
    for (k, v) in fields.as_object().unwrap() {
        body[k] = v.clone();
    }
    post(app, clerk, &format!("/api/v1/lists/{list}/items"), body).await["id"]
        .as_i64()
        .unwrap()
}

/// A problem of `org` recorded by `who` with its measures; returns its id and the measures'.
async fn problem(
    app: &TestApp,
    who: &str,
    org: &str,
    text: &str,
    measures: Value,
) -> (i64, Vec<i64>) {
    let v = post(
        app,
        who,
        "/api/v1/problems",
        json!({"org": org, "source": "self_check", "category": "作风建设",
               "description": text, "found_on": ago(30), "measures": measures}),
    )
    .await;
    let ids = v["measures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_i64().unwrap())
        .collect();
    (v["problem"]["id"].as_i64().unwrap(), ids)
}

/// Marks the measures done, uploads evidence and submits the problem for review, as `who`.
async fn rectify_and_submit(app: &TestApp, who: &str, id: i64, measures: &[i64]) {
    for m in measures {
        post(
            app,
            who,
            &format!("/api/v1/measures/{m}/done"),
            json!({"note": "已完成"}),
        )
        .await;
    }
    upload(app, who, &format!("/api/v1/problems/{id}/attachments")).await;
    let v = post(
        app,
        who,
        &format!("/api/v1/problems/{id}/transitions"),
        json!({"action": "submit"}),
    )
    .await;
    assert_eq!(v["status"], "awaiting_review");
}

async fn meeting(app: &TestApp, who: &str, org: &str, type_code: &str) {
    post(
        app,
        who,
        "/api/v1/records",
        json!({"org": org, "type": type_code, "title": format!("{type_code} 会议"),
               "held_on": Day::today().text()}),
    )
    .await;
}

#[tokio::test]
async fn each_person_sees_exactly_their_own_desk() {
    let app = demo_app().await;
    let today = Day::today();
    let y = today.year();
    let month_end = today.month_end().text();
    let clerk = app.token("dangwu").await;

    // ---- Lists: this year's, last year's (overdue) and next year's (not yet due).
    let this = list(&app, &clerk, y).await;
    let a = item(
        &app,
        &clerk,
        this,
        json!({"description": "副书记本月到期事项", "owner": "fushuji", "deadline": month_end}),
    )
    .await;
    let b = item(
        &app,
        &clerk,
        this,
        json!({"description": "组织委员本月到期事项", "owner": "zuzhi", "deadline": month_end}),
    )
    .await;
    let monthly = item(
        &app,
        &clerk,
        this,
        json!({"description": "每月开展主题党日督导", "owner": "zuzhi", "recurrence": "monthly"}),
    )
    .await;
    let quarterly = item(
        &app,
        &clerk,
        this,
        json!({"description": "每季度调度清单进展", "owner": "zuzhi", "recurrence": "quarterly"}),
    )
    .await;
    let village = item(
        &app,
        &clerk,
        this,
        json!({"description": "东岭村本月完成党员积分公示", "org": "qs-v01", "deadline": month_end}),
    )
    .await;
    let done = item(
        &app,
        &clerk,
        this,
        json!({"description": "副书记已完成的事项", "owner": "fushuji", "deadline": month_end}),
    )
    .await;
    upload(
        &app,
        &clerk,
        &format!("/api/v1/list-items/{done}/attachments"),
    )
    .await;
    post(
        &app,
        &clerk,
        &format!("/api/v1/list-items/{done}/complete"),
        json!({"completed_on": today.text(), "note": "已完成"}),
    )
    .await;
    let voided = item(
        &app,
        &clerk,
        this,
        json!({"description": "副书记已作废的事项", "owner": "fushuji", "deadline": month_end}),
    )
    .await;
    post(
        &app,
        &clerk,
        &format!("/api/v1/list-items/{voided}/void"),
        json!({"reason": "重复录入"}),
    )
    .await;
    let last = list(&app, &clerk, y - 1).await;
    let overdue = item(
        &app,
        &clerk,
        last,
        json!({"description": "副书记去年未完成的事项", "owner": "fushuji",
               "deadline": format!("{}-06-30", y - 1)}),
    )
    .await;
    let next = list(&app, &clerk, y + 1).await;
    item(
        &app,
        &clerk,
        next,
        json!({"description": "副书记明年的事项", "owner": "fushuji",
               "deadline": format!("{}-01-31", y + 1)}),
    )
    .await;

    // ---- Measures: overdue, not yet due, done, another's, and a typed name (no account).
    let (p1, m) = problem(
        &app,
        &clerk,
        "qs",
        "机关值班制度落实不到位",
        json!([
            {"description": "副书记逾期的措施", "owner": "fushuji", "deadline": ago(5)},
            {"description": "副书记未到期的措施", "owner": "fushuji", "deadline": ahead(10)},
            {"description": "组织委员逾期的措施", "owner": "zuzhi", "deadline": ago(3)},
            {"description": "只写了姓名的措施", "owner_name": "李红梅", "deadline": ago(4)},
            {"description": "副书记已完成的措施", "owner": "fushuji", "deadline": ago(2)},
        ]),
    )
    .await;
    post(
        &app,
        &clerk,
        &format!("/api/v1/measures/{}/done", m[4]),
        json!({"note": "已完成"}),
    )
    .await;

    // ---- Reviews: one submitted by the branch secretary, one by the deputy secretary.
    let zb01 = app.token("zb-v01").await;
    let (p2, m2) = problem(
        &app,
        &zb01,
        "qs-v01",
        "东岭村党员活动室台账不全",
        json!([{"description": "补齐台账", "owner": "zb-v01", "deadline": ahead(20)}]),
    )
    .await;
    rectify_and_submit(&app, &zb01, p2, &m2).await;
    let fushuji = app.token("fushuji").await;
    let (p3, m3) = problem(
        &app,
        &clerk,
        "qs",
        "机关考勤制度执行不严",
        json!([{"description": "修订考勤办法", "owner": "fushuji", "deadline": ahead(20)}]),
    )
    .await;
    rectify_and_submit(&app, &fushuji, p3, &m3).await;

    // ---- Meetings: 东岭村 held its 支委会 this month; 西河村 held everything this period.
    meeting(&app, &zb01, "qs-v01", "branch_committee").await;
    let zb02 = app.token("zb-v02").await;
    for t in [
        "branch_committee",
        "group_meeting",
        "theme_day",
        "member_meeting",
        "party_lecture",
        "org_life",
        "member_appraisal",
    ] {
        meeting(&app, &zb02, "qs-v02", t).await;
    }

    // ================= The deputy secretary (班子成员): his own items and measures.
    let d = Desk::of(&app, "fushuji").await;
    let s = d.must("desk-items");
    assert_eq!(s.links, items(&[overdue, a]), "overdue first");
    assert_eq!(s.count, 2);
    assert!(s.html.contains("desk-alarm"), "an overdue item alarms");
    assert!(s.html.contains("badge-red"));
    assert!(s.html.contains("其中已逾期 1 项"));
    let s = d.must("desk-measures");
    assert_eq!(
        s.links,
        vec![format!("/problems/{p1}#measure-{}", m[0])],
        "only his own overdue, open measure"
    );
    assert!(s.html.contains("逾期5天"));
    assert!(
        d.section("desk-meetings").is_none(),
        "a leader answers for his portfolio, not for branches' meetings"
    );
    let s = d.must("desk-reviews");
    assert_eq!(
        s.links,
        vec![format!("/problems/{p2}#moves")],
        "not the one he submitted himself"
    );
    assert!(s.html.contains("李明 提交"), "{}", s.html);

    // ================= The organization member (班子成员): recurring items too.
    let d = Desk::of(&app, "zuzhi").await;
    let mut expected = vec![b, monthly];
    if today.month().is_multiple_of(3) {
        expected.push(quarterly);
    }
    assert_eq!(d.must("desk-items").links, items(&expected));
    assert_eq!(
        d.must("desk-measures").links,
        vec![format!("/problems/{p1}#measure-{}", m[2])]
    );

    // ================= The clerk (党务工作者 at the committee): the committee's items.
    let d = Desk::of(&app, "dangwu").await;
    // Overdue first, then by due day and entry: year-end recurring items come after this
    // month's (or among them, in December).
    let year_end = format!("{y}-12-31");
    let mut due = vec![
        (format!("{}-06-30", y - 1), overdue),
        (month_end.clone(), a),
        (month_end.clone(), b),
        (month_end.clone(), village),
        (year_end.clone(), monthly),
    ];
    if today.month().is_multiple_of(3) {
        due.push((year_end, quarterly));
    }
    due.sort();
    let expected: Vec<i64> = due.into_iter().map(|(_, id)| id).collect();
    let s = d.must("desk-items");
    assert_eq!(s.links, items(&expected));
    let s = d.must("desk-measures");
    assert_eq!(s.count, 0);
    assert_eq!(s.empty_text(), Some("没有逾期的整改措施"));
    // Every branch's meetings, 7 rules × 16 branches, less 东岭村's 支委会 and 西河村's 7:
    // branch by branch (15 owe), the first ten shown, each kind owed a link to record it.
    let s = d.must("desk-meetings");
    assert_eq!(s.count, 16 * 7 - 1 - 7);
    assert_eq!(s.links.len(), 10);
    let (v01, v02) = (app.org_id("qs-v01").await, app.org_id("qs-v02").await);
    assert!(s.links.contains(&format!("/meetings?org={v01}")));
    assert!(!s.links.contains(&format!("/meetings?org={v02}")));
    assert!(s
        .chips
        .contains(&format!("/records/new?org={v01}&type=group_meeting")));
    assert!(!s
        .chips
        .contains(&format!("/records/new?org={v01}&type=branch_committee")));
    assert!(s.html.contains("尚缺6次"), "东岭村 owes six");
    let root = app.org_id("qs").await;
    assert!(s
        .html
        .contains(&format!("href=\"/meetings?org={root}\">查看全部")));
    assert!(
        d.section("desk-reviews").is_none(),
        "a clerk does not approve"
    );

    // ================= The branch secretary of 东岭村: his branch's item and meetings.
    let d = Desk::of(&app, "zb-v01").await;
    assert_eq!(d.must("desk-items").links, items(&[village]));
    let s = d.must("desk-meetings");
    assert_eq!(s.count, 6);
    assert!(s.chips.is_empty(), "one branch: kind by kind");
    assert!(!s.links.iter().any(|l| l.contains("type=branch_committee")));
    assert!(
        s.links
            .contains(&format!("/records/new?org={v01}&type=group_meeting")),
        "{:?}",
        s.links
    );
    assert!(s.html.contains("东岭村党支部 · 党小组会"));
    assert!(s.html.contains("本月应开1次，已开0次"));
    assert!(s.html.contains("本年度应开1次，已开0次"));
    assert!(!s.html.contains("class=\"desk-more\""), "all rows shown");
    assert!(
        s.html.contains("class=\"desk-more phone-only\""),
        "a phone shows five, then the ledger"
    );
    let s = d.must("desk-reviews");
    assert!(s.links.is_empty(), "the submitter does not review his own");
    assert_eq!(s.empty_text(), Some("没有待您审核的问题"));

    // ================= The branch secretary of 西河村: nothing to do.
    let d = Desk::of(&app, "zb-v02").await;
    for (id, empty) in [
        ("desk-items", "本月没有到期的清单事项"),
        ("desk-measures", "没有逾期的整改措施"),
        ("desk-meetings", "本期“三会一课”均已按要求召开"),
        ("desk-reviews", "没有待您审核的问题"),
    ] {
        let s = d.must(id);
        assert_eq!((s.count, s.links.len()), (0, 0), "{id}");
        assert_eq!(s.empty_text(), Some(empty), "{id}");
    }

    // ================= The secretary (第一责任人): every review and the committee's items.
    let d = Desk::of(&app, "shuji").await;
    assert_eq!(
        d.must("desk-reviews").links,
        vec![
            format!("/problems/{p2}#moves"),
            format!("/problems/{p3}#moves")
        ]
    );
    assert_eq!(d.must("desk-items").count, expected.len() as i64);

    // ================= The inspector owns nothing; the viewer and the administrator have
    // no desk (they record nothing and own nothing).
    let d = Desk::of(&app, "jiwei").await;
    assert_eq!(
        d.must("desk-items").empty_text(),
        Some("本月没有到期的清单事项")
    );
    assert!(d.section("desk-reviews").is_none());
    for who in ["quwei", "admin"] {
        let (session, _) = app.login(who, common::password_of(who)).await;
        let d = Desk::read(&app, &session).await;
        assert!(!d.body.contains("id=\"desk\""), "{who}");
        assert!(d.body.contains("领导班子及分管领域"));
    }

    // ================= "查看全部" of the measures: the ledger filtered to the reader's own.
    let rows = |body: &str| -> Vec<i64> {
        let mut ids: Vec<i64> = body
            .split("<td><a href=\"/problems/")
            .skip(1)
            .map(|s| s[..s.find('"').unwrap()].parse().unwrap())
            .collect();
        ids.sort_unstable();
        ids
    };
    let (session, _) = app.login("fushuji", USER_PASSWORD).await;
    let page = app.get("/problems?overdue=1&mine=1", Some(&session)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(rows(&page.body), vec![p1]);
    assert!(page.body.contains("逾期整改措施 1 条"), "his own only");
    assert_eq!(
        rows(&app.get("/problems?mine=1", Some(&session)).await.body),
        vec![p1, p3]
    );
    let (session, _) = app.login("zb-v01", USER_PASSWORD).await;
    assert!(rows(
        &app.get("/problems?overdue=1&mine=1", Some(&session))
            .await
            .body
    )
    .is_empty());

    // ================= Once closed, a review leaves every desk.
    let shuji = app.token("shuji").await;
    post(
        &app,
        &shuji,
        &format!("/api/v1/problems/{p2}/transitions"),
        json!({"action": "close", "note": "同意销号"}),
    )
    .await;
    let d = Desk::of(&app, "fushuji").await;
    assert_eq!(d.must("desk-reviews").count, 0);
    let d = Desk::of(&app, "shuji").await;
    assert_eq!(
        d.must("desk-reviews").links,
        vec![format!("/problems/{p3}#moves")]
    );
}

#[tokio::test]
async fn the_desk_reads_through_each_persons_scope() {
    let app = demo_app().await;
    let clerk = app.token("dangwu").await;
    let zb03 = app.token("zb-v03").await;
    // A problem of 南庄村 waiting for review, and an overdue measure there owned by 西河村's
    // secretary: the 东岭村 secretary may approve neither branch.
    let (p, m) = problem(
        &app,
        &clerk,
        "qs-v03",
        "南庄村村务公开不及时",
        json!([{"description": "每月更新公开栏", "owner": "zb-v03", "deadline": ahead(5)}]),
    )
    .await;
    rectify_and_submit(&app, &zb03, p, &m).await;
    let d = Desk::of(&app, "zb-v01").await;
    assert!(d.must("desk-reviews").links.is_empty());
    assert!(!d.body.contains("南庄村村务公开不及时"));
    let d = Desk::of(&app, "zb-v03").await;
    assert!(d.must("desk-reviews").links.is_empty(), "own submission");
    let (session, _) = app.login("zuzhi", USER_PASSWORD).await;
    let d = Desk::read(&app, &session).await;
    assert_eq!(
        d.must("desk-reviews").links,
        vec![format!("/problems/{p}#moves")]
    );
    // The 工作台 still shows what it did before the desk.
    assert!(d.body.contains("我的职责"));
    assert!(d.body.contains("快捷入口"));
    // The same session reads the page again after a change: never a stale desk.
    let zuzhi = app.token("zuzhi").await;
    post(
        &app,
        &zuzhi,
        &format!("/api/v1/problems/{p}/transitions"),
        json!({"action": "return", "note": "佐证不充分"}),
    )
    .await;
    let d = Desk::read(&app, &session).await;
    assert_eq!(d.must("desk-reviews").count, 0);
}
