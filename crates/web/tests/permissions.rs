//! The permission matrix: every route × every role, against an expected table written here
//! independently of the code. A route added to the route table without a row here fails.

mod common;

use axum::http::{Method, StatusCode};
use common::demo_app;
use std::collections::HashMap;
use zeren_domain::role::Role;
use zeren_web::routes::table;

/// Who may reach each route. `PUBLIC` also lets anonymous callers in; `ANY` is every logged-in
/// role.
enum Who {
    Public,
    Any,
    Only(&'static [Role]),
}

fn expected() -> HashMap<(&'static str, &'static str), Who> {
    use Role::*;
    use Who::*;
    const VIEW_ACCOUNTS: &[Role] = &[Admin, Secretary, Clerk];
    const ADMIN: &[Role] = &[Admin];
    const AUDIT: &[Role] = &[Admin, Inspector];
    const RECORD: &[Role] = &[Secretary, Leader, Inspector, Clerk, BranchSecretary];
    const DISCIPLINE: &[Role] = &[Secretary, Inspector];
    // 起草报告: those who answer for reports and write them, not the administrator or viewer.
    const REPORTS: &[Role] = &[Secretary, Leader, Inspector, Clerk, BranchSecretary];
    const TEMPLATES: &[Role] = &[Admin, Secretary, Clerk];
    HashMap::from([
        (("GET", "/healthz"), Public),
        (("GET", "/static/{name}"), Public),
        (("GET", "/login"), Public),
        (("POST", "/login"), Public),
        (("POST", "/logout"), Any),
        (("GET", "/"), Any),
        (("GET", "/me"), Any),
        (("GET", "/me/password"), Any),
        (("POST", "/me/password"), Any),
        (("GET", "/orgs"), Any),
        (("GET", "/orgs/new"), Only(ADMIN)),
        (("POST", "/orgs"), Only(ADMIN)),
        (("GET", "/orgs/{id}"), Any),
        (("POST", "/orgs/{id}"), Only(ADMIN)),
        (("GET", "/accounts"), Only(VIEW_ACCOUNTS)),
        (("GET", "/accounts/new"), Only(ADMIN)),
        (("POST", "/accounts"), Only(ADMIN)),
        (("GET", "/accounts/{id}"), Only(VIEW_ACCOUNTS)),
        (("POST", "/accounts/{id}"), Only(ADMIN)),
        (("POST", "/accounts/{id}/password"), Only(ADMIN)),
        (("POST", "/accounts/{id}/grants"), Only(ADMIN)),
        (
            ("POST", "/accounts/{id}/grants/{grant_id}/revoke"),
            Only(ADMIN),
        ),
        (("POST", "/orgs/{id}/check-rules"), Only(ADMIN)),
        (("GET", "/audit"), Only(AUDIT)),
        (("GET", "/check"), Any),
        (("POST", "/check"), Any),
        (("GET", "/api/v1/openapi.json"), Public),
        (("POST", "/api/v1/auth/token"), Public),
        (("POST", "/api/v1/auth/logout"), Any),
        (("POST", "/api/v1/me/password"), Any),
        (("GET", "/api/v1/orgs/{code}/check-rules"), Any),
        (("PUT", "/api/v1/orgs/{code}/check-rules"), Only(ADMIN)),
        (("GET", "/api/v1/accounts/{username}"), Only(VIEW_ACCOUNTS)),
        (("PATCH", "/api/v1/accounts/{username}"), Only(ADMIN)),
        (
            ("POST", "/api/v1/accounts/{username}/password"),
            Only(ADMIN),
        ),
        (("POST", "/api/v1/accounts/{username}/grants"), Only(ADMIN)),
        (
            ("DELETE", "/api/v1/accounts/{username}/grants/{id}"),
            Only(ADMIN),
        ),
        (("GET", "/api/v1/me"), Any),
        (("GET", "/api/v1/orgs"), Any),
        (("POST", "/api/v1/orgs"), Only(ADMIN)),
        (("GET", "/api/v1/orgs/{code}"), Any),
        (("PATCH", "/api/v1/orgs/{code}"), Only(ADMIN)),
        (("GET", "/api/v1/accounts"), Only(VIEW_ACCOUNTS)),
        (("POST", "/api/v1/accounts"), Only(ADMIN)),
        (("GET", "/api/v1/audit"), Only(AUDIT)),
        (("GET", "/api/v1/audit/verify"), Only(AUDIT)),
        (("POST", "/api/v1/check"), Any),
        (("POST", "/api/v1/check/upload"), Any),
        // 责任清单
        (("GET", "/lists"), Any),
        (("GET", "/lists/new"), Only(RECORD)),
        (("POST", "/lists"), Only(RECORD)),
        (("GET", "/lists/{id}"), Any),
        (("POST", "/lists/{id}"), Only(RECORD)),
        (("POST", "/lists/{id}/void"), Only(RECORD)),
        (("POST", "/lists/{id}/copy"), Only(RECORD)),
        (("POST", "/lists/{id}/hand-down"), Only(RECORD)),
        (("POST", "/lists/{id}/items"), Only(RECORD)),
        (("GET", "/list-items/{id}"), Any),
        (("POST", "/list-items/{id}"), Only(RECORD)),
        (("POST", "/list-items/{id}/void"), Only(RECORD)),
        (("POST", "/list-items/{id}/progress"), Only(RECORD)),
        (("POST", "/list-items/{id}/complete"), Only(RECORD)),
        (("POST", "/list-items/{id}/reopen"), Only(RECORD)),
        (("POST", "/list-items/{id}/records"), Only(RECORD)),
        (("POST", "/list-progress/{id}/void"), Only(RECORD)),
        (("GET", "/list-files/{id}"), Any),
        (("GET", "/api/v1/lists"), Any),
        (("POST", "/api/v1/lists"), Only(RECORD)),
        (("GET", "/api/v1/lists/{id}"), Any),
        (("PATCH", "/api/v1/lists/{id}"), Only(RECORD)),
        (("POST", "/api/v1/lists/{id}/void"), Only(RECORD)),
        (("POST", "/api/v1/lists/{id}/copy"), Only(RECORD)),
        (("POST", "/api/v1/lists/{id}/hand-down"), Only(RECORD)),
        (("POST", "/api/v1/lists/{id}/items"), Only(RECORD)),
        (("GET", "/api/v1/list-items/{id}"), Any),
        (("PATCH", "/api/v1/list-items/{id}"), Only(RECORD)),
        (("POST", "/api/v1/list-items/{id}/void"), Only(RECORD)),
        (("POST", "/api/v1/list-items/{id}/progress"), Only(RECORD)),
        (("POST", "/api/v1/list-items/{id}/complete"), Only(RECORD)),
        (
            ("POST", "/api/v1/list-items/{id}/attachments"),
            Only(RECORD),
        ),
        (("POST", "/api/v1/list-items/{id}/reopen"), Only(RECORD)),
        (("POST", "/api/v1/list-items/{id}/records"), Only(RECORD)),
        (("POST", "/api/v1/list-progress/{id}/void"), Only(RECORD)),
        (("GET", "/api/v1/list-categories"), Any),
        (("POST", "/api/v1/list-categories"), Only(ADMIN)),
        (("GET", "/api/v1/metrics"), Any),
        (("GET", "/api/v1/metrics/{name}/records"), Any),
        (("GET", "/api/v1/metric-defs"), Any),
        (("POST", "/api/v1/metric-defs"), Only(ADMIN)),
        (("GET", "/metrics"), Any),
        (("GET", "/metrics/{name}"), Any),
        // 问题整改台账
        (("GET", "/problems"), Any),
        (("GET", "/problems/new"), Only(RECORD)),
        (("POST", "/problems"), Only(RECORD)),
        (("GET", "/problem-batches/new"), Only(RECORD)),
        (("POST", "/problem-batches"), Only(RECORD)),
        (("GET", "/problems/{id}"), Any),
        (("POST", "/problems/{id}"), Only(RECORD)),
        (("POST", "/problems/{id}/void"), Only(RECORD)),
        (("POST", "/problems/{id}/measures"), Only(RECORD)),
        (("POST", "/problems/{id}/transitions"), Only(RECORD)),
        (("POST", "/problems/{id}/attachments"), Only(RECORD)),
        (("POST", "/measures/{id}"), Only(RECORD)),
        (("POST", "/measures/{id}/done"), Only(RECORD)),
        (("POST", "/measures/{id}/void"), Only(RECORD)),
        (("POST", "/measures/{id}/attachments"), Only(RECORD)),
        (("GET", "/api/v1/problems"), Any),
        (("POST", "/api/v1/problems"), Only(RECORD)),
        (("POST", "/api/v1/problem-batches"), Only(RECORD)),
        (("GET", "/api/v1/problem-batches/{id}"), Any),
        (("GET", "/api/v1/problems/{id}"), Any),
        (("PATCH", "/api/v1/problems/{id}"), Only(RECORD)),
        (("POST", "/api/v1/problems/{id}/void"), Only(RECORD)),
        (("POST", "/api/v1/problems/{id}/measures"), Only(RECORD)),
        (("POST", "/api/v1/problems/{id}/transitions"), Only(RECORD)),
        (("POST", "/api/v1/problems/{id}/attachments"), Only(RECORD)),
        (("GET", "/api/v1/measures/overdue"), Any),
        (("PATCH", "/api/v1/measures/{id}"), Only(RECORD)),
        (("POST", "/api/v1/measures/{id}/done"), Only(RECORD)),
        (("POST", "/api/v1/measures/{id}/void"), Only(RECORD)),
        (("POST", "/api/v1/measures/{id}/attachments"), Only(RECORD)),
        (("GET", "/api/v1/problem-sources"), Any),
        (("POST", "/api/v1/problem-sources"), Only(ADMIN)),
        // 廉政风险点
        (("GET", "/risks"), Any),
        (("GET", "/risks/new"), Only(RECORD)),
        (("POST", "/risks"), Only(RECORD)),
        (("GET", "/risks/{id}"), Any),
        (("POST", "/risks/{id}"), Only(RECORD)),
        (("POST", "/risks/{id}/void"), Only(RECORD)),
        (("POST", "/risks/{id}/review"), Only(RECORD)),
        (("POST", "/risks/{id}/measures"), Only(RECORD)),
        (("POST", "/risk-measures/{id}/void"), Only(RECORD)),
        (("GET", "/api/v1/risks"), Any),
        (("POST", "/api/v1/risks"), Only(RECORD)),
        (("GET", "/api/v1/risks/{id}"), Any),
        (("PATCH", "/api/v1/risks/{id}"), Only(RECORD)),
        (("POST", "/api/v1/risks/{id}/void"), Only(RECORD)),
        (("POST", "/api/v1/risks/{id}/measures"), Only(RECORD)),
        (("POST", "/api/v1/risks/{id}/review"), Only(RECORD)),
        (("POST", "/api/v1/risk-measures/{id}/void"), Only(RECORD)),
        // 执纪问责: 书记 and 纪检 only, not even the administrator.
        (("GET", "/discipline"), Only(DISCIPLINE)),
        (("GET", "/discipline/new"), Only(DISCIPLINE)),
        (("POST", "/discipline"), Only(DISCIPLINE)),
        (("GET", "/discipline/{id}"), Only(DISCIPLINE)),
        (("POST", "/discipline/{id}"), Only(DISCIPLINE)),
        (("POST", "/discipline/{id}/void"), Only(DISCIPLINE)),
        (("GET", "/api/v1/discipline"), Only(DISCIPLINE)),
        (("POST", "/api/v1/discipline"), Only(DISCIPLINE)),
        (("GET", "/api/v1/discipline/{id}"), Only(DISCIPLINE)),
        (("PATCH", "/api/v1/discipline/{id}"), Only(DISCIPLINE)),
        (("POST", "/api/v1/discipline/{id}/void"), Only(DISCIPLINE)),
        // Work records, evidence, 三会一课, member roster.
        (("GET", "/records"), Any),
        (("GET", "/records/new"), Only(RECORD)),
        (("POST", "/records"), Only(RECORD)),
        (("GET", "/records/{id}"), Any),
        (("GET", "/records/{id}/edit"), Only(RECORD)),
        (("POST", "/records/{id}"), Only(RECORD)),
        (("POST", "/records/{id}/void"), Only(RECORD)),
        (("POST", "/records/{id}/attachments"), Only(RECORD)),
        (
            ("POST", "/records/{id}/attachments/{att_id}/void"),
            Only(RECORD),
        ),
        (("POST", "/records/{id}/items"), Only(RECORD)),
        (
            ("POST", "/records/{id}/items/{item_id}/unlink"),
            Only(RECORD),
        ),
        (("GET", "/meetings"), Any),
        (("GET", "/members"), Any),
        (("GET", "/members/new"), Only(RECORD)),
        (("POST", "/members"), Only(RECORD)),
        (("GET", "/members/{id}"), Any),
        (("POST", "/members/{id}"), Only(RECORD)),
        (("POST", "/members/{id}/void"), Only(RECORD)),
        (("GET", "/api/v1/records"), Any),
        (("POST", "/api/v1/records"), Only(RECORD)),
        (("GET", "/api/v1/records/{id}"), Any),
        (("PATCH", "/api/v1/records/{id}"), Only(RECORD)),
        (("POST", "/api/v1/records/{id}/void"), Only(RECORD)),
        (("POST", "/api/v1/records/{id}/attachments"), Only(RECORD)),
        (("POST", "/api/v1/records/{id}/items"), Only(RECORD)),
        (
            ("DELETE", "/api/v1/records/{id}/items/{item_id}"),
            Only(RECORD),
        ),
        (("GET", "/api/v1/attachments/{id}"), Any),
        (("POST", "/api/v1/attachments/{id}/void"), Only(RECORD)),
        (("GET", "/api/v1/record-types"), Any),
        (("POST", "/api/v1/record-types"), Only(ADMIN)),
        (("GET", "/api/v1/meeting-rules"), Any),
        (("PUT", "/api/v1/meeting-rules"), Only(ADMIN)),
        (("GET", "/api/v1/orgs/{code}/meetings"), Any),
        (("GET", "/api/v1/members"), Any),
        (("POST", "/api/v1/members"), Only(RECORD)),
        (("GET", "/api/v1/members/{id}"), Any),
        (("PATCH", "/api/v1/members/{id}"), Only(RECORD)),
        (("POST", "/api/v1/members/{id}/void"), Only(RECORD)),
        // 报告起草
        (("GET", "/reports"), Only(REPORTS)),
        (("POST", "/reports"), Only(REPORTS)),
        (("GET", "/reports/{id}"), Only(REPORTS)),
        (("POST", "/reports/{id}"), Only(REPORTS)),
        (("GET", "/reports/{id}/edit"), Only(REPORTS)),
        (("POST", "/reports/{id}/refresh"), Only(REPORTS)),
        (("POST", "/reports/{id}/void"), Only(REPORTS)),
        (("GET", "/reports/{id}/versions"), Only(REPORTS)),
        (("GET", "/reports/{id}/export"), Only(REPORTS)),
        (("POST", "/api/v1/reports"), Only(REPORTS)),
        (("GET", "/api/v1/reports"), Only(REPORTS)),
        (("GET", "/api/v1/reports/{id}"), Only(REPORTS)),
        (("PUT", "/api/v1/reports/{id}"), Only(REPORTS)),
        (("POST", "/api/v1/reports/{id}/refresh"), Only(REPORTS)),
        (("GET", "/api/v1/reports/{id}/versions"), Only(REPORTS)),
        (("GET", "/api/v1/reports/{id}/diff"), Only(REPORTS)),
        (("GET", "/api/v1/reports/{id}/export"), Only(REPORTS)),
        (("POST", "/api/v1/reports/{id}/void"), Only(REPORTS)),
        // 报告模板: the county's format, kept by its administrator and office.
        (("GET", "/report-templates"), Only(TEMPLATES)),
        (("GET", "/report-templates/new"), Only(TEMPLATES)),
        (("POST", "/report-templates"), Only(TEMPLATES)),
        (("GET", "/report-templates/learn"), Only(TEMPLATES)),
        (("POST", "/report-templates/learn"), Only(TEMPLATES)),
        (("POST", "/report-templates/learn/confirm"), Only(TEMPLATES)),
        (("GET", "/report-templates/{code}"), Only(TEMPLATES)),
        (("POST", "/report-templates/{code}"), Only(TEMPLATES)),
        (
            ("POST", "/report-templates/{code}/restore"),
            Only(TEMPLATES),
        ),
        (("GET", "/api/v1/report-templates"), Only(TEMPLATES)),
        (("POST", "/api/v1/report-templates/learn"), Only(TEMPLATES)),
        (("GET", "/api/v1/report-templates/{code}"), Only(TEMPLATES)),
        (("PUT", "/api/v1/report-templates/{code}"), Only(TEMPLATES)),
        // Excel in and out: export with the ledger's view, import with its create route's.
        (("GET", "/api/v1/records/export"), Any),
        (("POST", "/api/v1/records/import"), Only(RECORD)),
        (("GET", "/api/v1/members/export"), Any),
        (("POST", "/api/v1/members/import"), Only(RECORD)),
        (("GET", "/api/v1/problems/export"), Any),
        (("POST", "/api/v1/problems/import"), Only(RECORD)),
        (("GET", "/api/v1/risks/export"), Any),
        (("POST", "/api/v1/risks/import"), Only(RECORD)),
        (("GET", "/api/v1/lists/export"), Any),
        (("POST", "/api/v1/lists/import"), Only(RECORD)),
        (("GET", "/records/export"), Any),
        (("POST", "/records/import"), Only(RECORD)),
        (("GET", "/members/export"), Any),
        (("POST", "/members/import"), Only(RECORD)),
        (("GET", "/problems/export"), Any),
        (("POST", "/problems/import"), Only(RECORD)),
        (("GET", "/risks/export"), Any),
        (("POST", "/risks/import"), Only(RECORD)),
        (("GET", "/lists/export"), Any),
        (("POST", "/lists/import"), Only(RECORD)),
    ])
}

fn demo_user(role: Role) -> &'static str {
    match role {
        Role::Admin => "admin",
        Role::Secretary => "shuji",
        Role::Leader => "fushuji",
        Role::Inspector => "jiwei",
        Role::Clerk => "dangwu",
        Role::BranchSecretary => "zb-v01",
        Role::Viewer => "quwei",
    }
}

/// Path parameters are filled with ids that do not exist, so an allowed request is answered
/// by the handler (404, 400 …) without changing anything, and a denied one by the guard (403).
fn concrete(path: &str) -> String {
    let mut out = String::new();
    let mut in_param = false;
    for c in path.chars() {
        match c {
            '{' => in_param = true,
            '}' => {
                in_param = false;
                out.push_str("999999");
            }
            _ if in_param => {}
            _ => out.push(c),
        }
    }
    out
}

#[tokio::test]
async fn every_route_has_an_expected_rule() {
    let expected = expected();
    let routes = table();
    for r in &routes {
        assert!(
            expected.contains_key(&(r.method.as_str(), r.path)),
            "route {} {} has no row in the permission matrix test",
            r.method,
            r.path
        );
    }
    assert_eq!(
        routes.len(),
        expected.len(),
        "the matrix lists a route that no longer exists"
    );
}

#[tokio::test]
async fn every_route_allows_and_denies_as_expected_for_every_role() {
    let app = demo_app().await;
    let expected = expected();
    let mut tokens = HashMap::new();
    for role in Role::ALL {
        tokens.insert(role, app.token(demo_user(role)).await);
    }
    let before = app.state.store.org_count().await.unwrap();
    for r in table() {
        let who = &expected[&(r.method.as_str(), r.path)];
        let uri = concrete(r.path);
        // Logout would end the token's session; it is exercised in its own tests.
        if r.path == "/logout" || r.path == "/api/v1/auth/logout" {
            continue;
        }
        for role in Role::ALL {
            let allowed = match who {
                Who::Public | Who::Any => true,
                Who::Only(roles) => roles.contains(&role),
            };
            let reply = app
                .request(r.method.clone(), &uri, Some(&tokens[&role]), None)
                .await;
            if allowed {
                assert!(
                    reply.status != StatusCode::FORBIDDEN
                        && reply.status != StatusCode::UNAUTHORIZED,
                    "{role:?} should reach {} {}, got {}: {}",
                    r.method,
                    r.path,
                    reply.status,
                    reply.body
                );
            } else {
                assert_eq!(
                    reply.status,
                    StatusCode::FORBIDDEN,
                    "{role:?} must be refused {} {}",
                    r.method,
                    r.path
                );
            }
            assert!(
                !reply.status.is_server_error(),
                "{} {} → {}",
                r.method,
                r.path,
                reply.status
            );
        }
        // Anonymous callers reach public routes only.
        let anon = app.request(r.method.clone(), &uri, None, None).await;
        match who {
            Who::Public => assert!(
                anon.status != StatusCode::UNAUTHORIZED && anon.status != StatusCode::FORBIDDEN,
                "anonymous should reach {} {}",
                r.method,
                r.path
            ),
            _ if r.path.starts_with("/api/") => {
                assert_eq!(
                    anon.status,
                    StatusCode::UNAUTHORIZED,
                    "{} {}",
                    r.method,
                    r.path
                )
            }
            _ => {
                assert_eq!(
                    anon.status,
                    StatusCode::SEE_OTHER,
                    "{} {}",
                    r.method,
                    r.path
                );
                assert!(anon.location().starts_with("/login?next="));
            }
        }
    }
    assert_eq!(app.state.store.org_count().await.unwrap(), before);
}

#[tokio::test]
async fn scope_limits_what_a_branch_secretary_sees() {
    let app = demo_app().await;
    let token = app.token("zb-v01").await;
    let orgs = app
        .request(Method::GET, "/api/v1/orgs", Some(&token), None)
        .await;
    let list = orgs.json();
    let codes: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, vec!["qs-v01"]);
    // Another branch is not revealed, by page or by API.
    let other = app.org_id("qs-v02").await;
    let page_token = app
        .request(Method::GET, &format!("/orgs/{other}"), Some(&token), None)
        .await;
    assert_eq!(page_token.status, StatusCode::NOT_FOUND);
    let api = app
        .request(Method::GET, "/api/v1/orgs/qs-v02", Some(&token), None)
        .await;
    assert_eq!(api.status, StatusCode::NOT_FOUND);
    assert_eq!(api.json()["code"], "not_found");
}

#[tokio::test]
async fn the_viewer_sees_everything_and_changes_nothing() {
    let app = demo_app().await;
    let token = app.token("quwei").await;
    let orgs = app
        .request(Method::GET, "/api/v1/orgs", Some(&token), None)
        .await;
    assert_eq!(orgs.json().as_array().unwrap().len(), 18);
    let r = app
        .request(
            Method::PATCH,
            "/api/v1/orgs/qs-v01",
            Some(&token),
            Some(serde_json::json!({"name": "改名"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.state.store.org_by_code("qs-v01").await.unwrap().name,
        "东岭村党支部"
    );
}
