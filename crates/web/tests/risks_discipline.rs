//! 廉政风险点 and 执纪问责 over the API and the pages; discipline names reach nobody without
//! ViewDiscipline.

mod common;

use axum::http::{Method, StatusCode};
use common::{demo_app, password_of, TestApp, USER_PASSWORD};
use serde_json::json;
use zeren_domain::date::Day;

async fn table_count(app: &TestApp, table: &str) -> i64 {
    let (n,): (i64,) = zeren_storage::sqlx::query_as(&format!("SELECT COUNT(*) FROM {table}"))
        .fetch_one(app.state.store.pool())
        .await
        .unwrap();
    n
}

#[tokio::test]
async fn risk_points_over_the_api() {
    let app = demo_app().await;
    let clerk = app.token("dangwu").await;
    let r = app
        .request(
            Method::POST,
            "/api/v1/risks",
            Some(&clerk),
            Some(json!({
                "org": "qs-v01", "subject_kind": "岗位", "subject": "村报账员",
                "description": "虚报冒领、截留挪用村集体资金", "likelihood": 4, "impact": 4,
                "identified_on": "2024-01-15",
                "measures": [{"description": "村级财务双签制度", "owner": "村党支部书记"},
                             {"description": "每季度公开账目"}]
            })),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let v = r.json();
    assert_eq!(v["risk"]["level"], "high");
    assert_eq!(v["risk"]["score"], 16);
    assert_eq!(v["risk"]["measures"], 2);
    assert_eq!(v["risk"]["review_due"], true);
    let id = v["risk"]["id"].as_i64().unwrap();

    // A level that contradicts the scores, a half score, no level at all: 422 with the field.
    let before = (
        table_count(&app, "risk_points").await,
        table_count(&app, "audit_log").await,
    );
    for (body, field) in [
        (
            json!({"org": "qs", "subject_kind": "unit", "subject": "镇财政所", "description": "x",
                   "level": "低", "likelihood": 5, "impact": 5}),
            "level",
        ),
        (
            json!({"org": "qs", "subject_kind": "unit", "subject": "镇财政所", "description": "x",
                   "likelihood": 3}),
            "impact",
        ),
        (
            json!({"org": "qs", "subject_kind": "unit", "subject": "镇财政所", "description": "x"}),
            "level",
        ),
        (
            json!({"org": "qs", "subject_kind": "单位", "subject": "镇财政所", "description": "x",
                   "likelihood": 6, "impact": 1}),
            "likelihood",
        ),
        (
            json!({"org": "qs", "subject_kind": "团体", "subject": "x", "description": "x", "level": "高"}),
            "subject_kind",
        ),
    ] {
        let r = app
            .request(Method::POST, "/api/v1/risks", Some(&clerk), Some(body))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(r.json()["field"], field, "{}", r.body);
    }
    assert_eq!(
        before,
        (
            table_count(&app, "risk_points").await,
            table_count(&app, "audit_log").await
        )
    );

    let r = app
        .request(
            Method::POST,
            "/api/v1/risks",
            Some(&clerk),
            Some(
                json!({"org": "qs", "subject_kind": "person", "subject": "张某（镇财政所会计）",
                        "description": "违规报销", "level": "中"}),
            ),
        )
        .await;
    assert_eq!(r.json()["risk"]["level"], "medium");
    let list = app
        .request(Method::GET, "/api/v1/risks?level=high", Some(&clerk), None)
        .await
        .json();
    assert_eq!(list["total"], 1);
    let list = app
        .request(
            Method::GET,
            "/api/v1/risks?kind=person&year=2024",
            Some(&clerk),
            None,
        )
        .await
        .json();
    assert_eq!(list["total"], 0);
    let zb = app.token("zb-v02").await;
    assert_eq!(
        app.request(Method::GET, &format!("/api/v1/risks/{id}"), Some(&zb), None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // Review, a measure added and one voided, the score changed, then voided.
    let r = app
        .request(
            Method::POST,
            &format!("/api/v1/risks/{id}/review"),
            Some(&clerk),
            Some(json!({})),
        )
        .await;
    assert_eq!(r.json()["reviewed_on"], Day::today().text());
    assert_eq!(r.json()["review_due"], false);
    let r = app
        .request(
            Method::POST,
            &format!("/api/v1/risks/{id}/measures"),
            Some(&clerk),
            Some(json!({"description": "镇三资中心季度抽查", "owner": "镇三资中心"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let first = app.state.store.risk_measures(id, false).await.unwrap()[0].id;
    let r = app
        .request(
            Method::POST,
            &format!("/api/v1/risk-measures/{first}/void"),
            Some(&clerk),
            Some(json!({"reason": "已并入新制度"})),
        )
        .await;
    assert_eq!(r.json()["voided"], true);
    let r = app
        .request(
            Method::PATCH,
            &format!("/api/v1/risks/{id}"),
            Some(&clerk),
            Some(json!({"likelihood": 2, "impact": 3})),
        )
        .await;
    assert_eq!(r.json()["level"], "low");
    assert_eq!(r.json()["measures"], 2);
    let viewer = app.token("quwei").await;
    let r = app
        .request(
            Method::POST,
            &format!("/api/v1/risks/{id}/void"),
            Some(&viewer),
            Some(json!({"reason": "x"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .request(
            Method::POST,
            &format!("/api/v1/risks/{id}/void"),
            Some(&clerk),
            Some(json!({"reason": "岗位撤并"})),
        )
        .await;
    assert_eq!(r.json()["voided"], true);
    let d = app
        .request(
            Method::GET,
            &format!("/api/v1/risks/{id}"),
            Some(&viewer),
            None,
        )
        .await
        .json();
    assert_eq!(d["risk"]["void_reason"], "岗位撤并");
    assert_eq!(d["measures"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn risk_pages_list_create_and_show() {
    let app = demo_app().await;
    let (session, csrf) = app.login("dangwu", USER_PASSWORD).await;
    assert_eq!(
        app.get("/risks", Some(&session)).await.status,
        StatusCode::OK
    );
    assert_eq!(
        app.get("/risks/new", Some(&session)).await.status,
        StatusCode::OK
    );
    let org = app.org_id("qs").await.to_string();
    let r = app
        .post_form(
            "/risks",
            &session,
            &[
                ("_csrf", &csrf),
                ("org", &org),
                ("subject_kind", "post"),
                ("subject", "镇财政所出纳"),
                ("description", "公款私存、挪用公款"),
                ("level", "low"),
                ("likelihood", "5"),
                ("impact", "4"),
                ("identified_on", "2024-02-01"),
                ("rm_description", "资金支付双人审核"),
                ("rm_owner", "财政所所长"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("风险等级与评分不符"), "{}", r.body);
    let r = app
        .post_form(
            "/risks",
            &session,
            &[
                ("_csrf", &csrf),
                ("org", &org),
                ("subject_kind", "post"),
                ("subject", "镇财政所出纳"),
                ("description", "公款私存、挪用公款"),
                ("level", ""),
                ("likelihood", "5"),
                ("impact", "4"),
                ("identified_on", "2024-02-01"),
                ("rm_description", "资金支付双人审核"),
                ("rm_owner", "财政所所长"),
                ("rm_description", ""),
                ("rm_owner", ""),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = app.get(r.location(), Some(&session)).await;
    assert!(page.body.contains("高风险"));
    assert!(page.body.contains("资金支付双人审核"));
    assert!(page.body.contains("待复核"));
    let id = r
        .location()
        .trim_start_matches("/risks/")
        .split('?')
        .next()
        .unwrap()
        .to_string();
    let r = app
        .post_form(
            &format!("/risks/{id}/review"),
            &session,
            &[("_csrf", &csrf), ("date", &Day::today().text())],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(r
        .location()
        .starts_with(&format!("/risks/{id}?notice=reviewed")));
    let page = app.get(r.location(), Some(&session)).await;
    assert!(page.body.contains("已完成年度复核"));
    assert!(!page.body.contains("badge-amber\">待复核"));
    let list = app.get("/risks", Some(&session)).await;
    assert!(list.body.contains("镇财政所出纳"));
}

const SECRET_NAME: &str = "钱某某甲";

#[tokio::test]
async fn discipline_is_for_the_secretary_and_the_inspector_only() {
    let app = demo_app().await;
    let inspector = app.token("jiwei").await;
    let r = app
        .request(
            Method::POST,
            "/api/v1/discipline",
            Some(&inspector),
            Some(
                json!({"org": "qs-v02", "person_name": SECRET_NAME, "post": "村委委员",
                        "form": "第二种形态", "sanction": "党内警告", "reason": "违规收受礼金",
                        "decided_on": "2024-03-01"}),
            ),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.json()["id"].as_i64().unwrap();
    assert_eq!(r.json()["sanction_label"], "警告");
    assert_eq!(r.json()["form_label"], "第二种形态");

    for allowed in ["shuji", "jiwei"] {
        let t = app.token(allowed).await;
        let list = app
            .request(Method::GET, "/api/v1/discipline", Some(&t), None)
            .await;
        assert_eq!(list.status, StatusCode::OK, "{allowed}");
        assert!(list.body.contains(SECRET_NAME));
        assert_eq!(list.json()["by_form"], json!([0, 1, 0, 0]));
        let (session, _) = app.login(allowed, password_of(allowed)).await;
        let page = app.get("/discipline", Some(&session)).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains(SECRET_NAME));
        assert!(page.body.contains("href=\"/discipline\""));
    }

    // Everyone else: refused, and the name is in nothing they can get.
    for user in ["admin", "dangwu", "fushuji", "quwei", "zb-v02"] {
        let t = app.token(user).await;
        for uri in [
            "/api/v1/discipline".to_string(),
            format!("/api/v1/discipline/{id}"),
            "/discipline".to_string(),
            format!("/discipline/{id}"),
            "/discipline/new".to_string(),
        ] {
            let r = app.request(Method::GET, &uri, Some(&t), None).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{user} {uri}");
            assert!(!r.body.contains(SECRET_NAME));
        }
        let r = app
            .request(
                Method::PATCH,
                &format!("/api/v1/discipline/{id}"),
                Some(&t),
                Some(json!({"reason": "x"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{user}");
        let (session, _) = app.login(user, password_of(user)).await;
        for uri in ["/", "/problems", "/risks", "/me", "/audit", "/orgs"] {
            let page = app.get(uri, Some(&session)).await;
            assert!(!page.body.contains(SECRET_NAME), "{user} {uri}");
            assert!(!page.body.contains("href=\"/discipline\""), "{user} {uri}");
        }
        for uri in [
            "/api/v1/audit?limit=500",
            "/api/v1/audit?action=discipline.",
        ] {
            let r = app.request(Method::GET, uri, Some(&t), None).await;
            assert!(!r.body.contains(SECRET_NAME), "{user} {uri}");
        }
    }
    // The administrator reads the trail: the entry is there, its contents are not.
    let admin = app.token("admin").await;
    let trail = app
        .request(
            Method::GET,
            "/api/v1/audit?action=discipline.",
            Some(&admin),
            None,
        )
        .await
        .json();
    assert_eq!(trail[0]["action"], "discipline.create");
    assert_eq!(trail[0]["after"], serde_json::Value::Null);
    // The inspector at the top sees the trail whole.
    let trail = app
        .request(
            Method::GET,
            "/api/v1/audit?action=discipline.",
            Some(&inspector),
            None,
        )
        .await;
    assert!(trail.body.contains(SECRET_NAME));
}

#[tokio::test]
async fn discipline_records_are_changed_and_voided_with_checks() {
    let app = demo_app().await;
    let secretary = app.token("shuji").await;
    let before = table_count(&app, "discipline_records").await;
    for (body, field) in [
        (
            json!({"org": "qs", "person_name": "某甲", "form": "1", "sanction": "警告", "decided_on": "2024-01-01"}),
            "sanction",
        ),
        (
            json!({"org": "qs", "person_name": "某甲", "form": "5", "decided_on": "2024-01-01"}),
            "form",
        ),
        (
            json!({"org": "qs", "person_name": "", "form": "1", "decided_on": "2024-01-01"}),
            "person_name",
        ),
        (
            json!({"org": "qs", "person_name": "某甲", "form": "2", "sanction": "罚款", "decided_on": "2024-01-01"}),
            "sanction",
        ),
        (
            json!({"org": "qs", "person_name": "某甲", "form": "2", "decided_on": ""}),
            "decided_on",
        ),
        (
            json!({"org": "qs", "person_name": "某甲", "form": "2", "decided_on": "2024-01-01", "member_id": 999}),
            "member_id",
        ),
        (
            json!({"org": "nowhere", "person_name": "某甲", "form": "2", "decided_on": "2024-01-01"}),
            "org",
        ),
    ] {
        let r = app
            .request(
                Method::POST,
                "/api/v1/discipline",
                Some(&secretary),
                Some(body),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(r.json()["field"], field, "{}", r.body);
    }
    assert_eq!(table_count(&app, "discipline_records").await, before);

    let r = app
        .request(
            Method::POST,
            "/api/v1/discipline",
            Some(&secretary),
            Some(
                json!({"org": "qs-v04", "person_name": "某乙", "form": "第一种形态",
                        "reason": "履职不力", "decided_on": "2024-05-06"}),
            ),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let id = r.json()["id"].as_i64().unwrap();
    let r = app
        .request(
            Method::PATCH,
            &format!("/api/v1/discipline/{id}"),
            Some(&secretary),
            Some(json!({"form": "3", "sanction": "留党察看"})),
        )
        .await;
    assert_eq!(r.json()["form"], 3);
    assert_eq!(r.json()["sanction"], "probation");
    let list = app
        .request(
            Method::GET,
            "/api/v1/discipline?year=2024&form=3&org=qs-v04",
            Some(&secretary),
            None,
        )
        .await
        .json();
    assert_eq!(list["total"], 1);
    let r = app
        .request(
            Method::POST,
            &format!("/api/v1/discipline/{id}/void"),
            Some(&secretary),
            Some(json!({"reason": "录入错误"})),
        )
        .await;
    assert_eq!(r.json()["voided"], true);
    assert_eq!(table_count(&app, "discipline_records").await, before + 1);

    // The pages: create with an error beside the field, then the record's page.
    let (session, csrf) = app.login("jiwei", USER_PASSWORD).await;
    let org = app.org_id("qs").await.to_string();
    let r = app
        .post_form(
            "/discipline",
            &session,
            &[
                ("_csrf", &csrf),
                ("org", &org),
                ("person_name", "某丙"),
                ("form", "1"),
                ("sanction", "expulsion"),
                ("decided_on", "2024-04-01"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("不给予处分"));
    let r = app
        .post_form(
            "/discipline",
            &session,
            &[
                ("_csrf", &csrf),
                ("org", &org),
                ("person_name", "某丙"),
                ("form", "4"),
                ("sanction", "expulsion"),
                ("decided_on", "2024-04-01"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    // The redirect names the record by number only.
    assert!(!r.location().contains("某丙"));
    let page = app.get(r.location(), Some(&session)).await;
    assert!(page.body.contains("某丙") && page.body.contains("开除党籍"));
}
