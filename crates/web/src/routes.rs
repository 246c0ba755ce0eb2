//! The route table. Every route names what it needs ([`Need`]); the router is built from this
//! table only, so a route cannot exist without a permission rule, and the permission-matrix
//! test walks the same table.

use crate::auth::{guard, Need};
use crate::{api, assets, pages, AppState, UPLOAD_LIMIT};

/// Largest evidence upload: the largest accepted file and the form around it.
const EVIDENCE_LIMIT: usize = zeren_domain::evidence::MAX_BYTES + 1024 * 1024;
use axum::extract::DefaultBodyLimit;
use axum::http::Method;
use axum::middleware::from_fn_with_state;
use axum::routing::{delete, get, patch, post, put, MethodRouter};
use axum::Router;
use zeren_domain::permissions::Action::*;

pub struct RouteSpec {
    pub method: Method,
    pub path: &'static str,
    pub need: Need,
    handler: MethodRouter<AppState>,
}

fn spec(
    method: Method,
    path: &'static str,
    need: Need,
    handler: MethodRouter<AppState>,
) -> RouteSpec {
    RouteSpec {
        method,
        path,
        need,
        handler,
    }
}

pub fn table() -> Vec<RouteSpec> {
    use Need::*;
    const GET: Method = Method::GET;
    const POST: Method = Method::POST;
    const PATCH: Method = Method::PATCH;
    const PUT: Method = Method::PUT;
    const DELETE: Method = Method::DELETE;
    vec![
        spec(GET, "/healthz", Public, get(pages::healthz)),
        spec(GET, "/static/{name}", Public, get(assets::serve)),
        spec(GET, "/login", Public, get(pages::login::form)),
        spec(POST, "/login", Public, post(pages::login::submit)),
        spec(POST, "/logout", Login, post(pages::login::logout)),
        spec(GET, "/", Member, get(pages::home::index)),
        spec(GET, "/me", Member, get(pages::me::index)),
        spec(GET, "/me/password", Login, get(pages::me::password_form)),
        spec(
            POST,
            "/me/password",
            Login,
            post(pages::me::password_submit),
        ),
        spec(GET, "/orgs", Action(ViewOrgs), get(pages::orgs::index)),
        spec(
            GET,
            "/orgs/new",
            Action(ManageOrgs),
            get(pages::orgs::new_form),
        ),
        spec(POST, "/orgs", Action(ManageOrgs), post(pages::orgs::create)),
        spec(GET, "/orgs/{id}", Action(ViewOrgs), get(pages::orgs::show)),
        spec(
            POST,
            "/orgs/{id}",
            Action(ManageOrgs),
            post(pages::orgs::update),
        ),
        spec(
            GET,
            "/accounts",
            Action(ViewAccounts),
            get(pages::accounts::index),
        ),
        spec(
            GET,
            "/accounts/new",
            Action(ManageAccounts),
            get(pages::accounts::new_form),
        ),
        spec(
            POST,
            "/accounts",
            Action(ManageAccounts),
            post(pages::accounts::create),
        ),
        spec(
            GET,
            "/accounts/{id}",
            Action(ViewAccounts),
            get(pages::accounts::show),
        ),
        spec(
            POST,
            "/accounts/{id}",
            Action(ManageAccounts),
            post(pages::accounts::update),
        ),
        spec(
            POST,
            "/accounts/{id}/password",
            Action(ManageAccounts),
            post(pages::accounts::reset_password),
        ),
        spec(
            POST,
            "/accounts/{id}/grants",
            Action(ManageAccounts),
            post(pages::accounts::grant),
        ),
        spec(
            POST,
            "/accounts/{id}/grants/{grant_id}/revoke",
            Action(ManageAccounts),
            post(pages::accounts::revoke),
        ),
        spec(
            POST,
            "/orgs/{id}/check-rules",
            Action(ManageOrgs),
            post(pages::orgs::save_check_rules),
        ),
        spec(GET, "/audit", Action(ViewAudit), get(pages::audit::index)),
        spec(GET, "/check", Action(CheckReports), get(pages::check::form)),
        spec(
            POST,
            "/check",
            Action(CheckReports),
            // Report drafts (.docx) may be larger than ordinary forms.
            post(pages::check::submit).layer(DefaultBodyLimit::max(UPLOAD_LIMIT)),
        ),
        // 问题整改 (pages)
        spec(
            GET,
            "/problems",
            Action(ViewOrgs),
            get(pages::problems::index),
        ),
        spec(
            GET,
            "/problems/new",
            Action(RecordWork),
            get(pages::problems::new_form),
        ),
        spec(
            POST,
            "/problems",
            Action(RecordWork),
            post(pages::problems::create),
        ),
        spec(
            GET,
            "/problem-batches/new",
            Action(RecordWork),
            get(pages::problems::batch_form),
        ),
        spec(
            POST,
            "/problem-batches",
            Action(RecordWork),
            post(pages::problems::batch_create),
        ),
        spec(
            GET,
            "/problems/{id}",
            Action(ViewOrgs),
            get(pages::problems::show),
        ),
        spec(
            POST,
            "/problems/{id}",
            Action(RecordWork),
            post(pages::problems::update),
        ),
        spec(
            POST,
            "/problems/{id}/void",
            Action(RecordWork),
            post(pages::problems::void),
        ),
        spec(
            POST,
            "/problems/{id}/measures",
            Action(RecordWork),
            post(pages::problems::add_measure),
        ),
        // Approve (销号, 退回, 回头看) is checked by the handler for the moves that need it.
        spec(
            POST,
            "/problems/{id}/transitions",
            Action(RecordWork),
            post(pages::problems::transition),
        ),
        spec(
            POST,
            "/problems/{id}/attachments",
            Action(RecordWork),
            post(pages::problems::attach_problem).layer(DefaultBodyLimit::max(EVIDENCE_LIMIT)),
        ),
        spec(
            POST,
            "/measures/{id}",
            Action(RecordWork),
            post(pages::problems::update_measure),
        ),
        spec(
            POST,
            "/measures/{id}/done",
            Action(RecordWork),
            post(pages::problems::complete_measure),
        ),
        spec(
            POST,
            "/measures/{id}/void",
            Action(RecordWork),
            post(pages::problems::void_measure),
        ),
        spec(
            POST,
            "/measures/{id}/attachments",
            Action(RecordWork),
            post(pages::problems::attach_measure).layer(DefaultBodyLimit::max(EVIDENCE_LIMIT)),
        ),
        // 廉政风险 (pages)
        spec(GET, "/risks", Action(ViewOrgs), get(pages::risks::index)),
        spec(
            GET,
            "/risks/new",
            Action(RecordWork),
            get(pages::risks::new_form),
        ),
        spec(
            POST,
            "/risks",
            Action(RecordWork),
            post(pages::risks::create),
        ),
        spec(
            GET,
            "/risks/{id}",
            Action(ViewOrgs),
            get(pages::risks::show),
        ),
        spec(
            POST,
            "/risks/{id}",
            Action(RecordWork),
            post(pages::risks::update),
        ),
        spec(
            POST,
            "/risks/{id}/void",
            Action(RecordWork),
            post(pages::risks::void),
        ),
        spec(
            POST,
            "/risks/{id}/review",
            Action(RecordWork),
            post(pages::risks::review),
        ),
        spec(
            POST,
            "/risks/{id}/measures",
            Action(RecordWork),
            post(pages::risks::add_measure),
        ),
        spec(
            POST,
            "/risk-measures/{id}/void",
            Action(RecordWork),
            post(pages::risks::void_measure),
        ),
        // 执纪问责 (pages): restricted to ViewDiscipline (纪检, 书记).
        spec(
            GET,
            "/discipline",
            Action(ViewDiscipline),
            get(pages::discipline::index),
        ),
        spec(
            GET,
            "/discipline/new",
            Action(ViewDiscipline),
            get(pages::discipline::new_form),
        ),
        spec(
            POST,
            "/discipline",
            Action(ViewDiscipline),
            post(pages::discipline::create),
        ),
        spec(
            GET,
            "/discipline/{id}",
            Action(ViewDiscipline),
            get(pages::discipline::show),
        ),
        spec(
            POST,
            "/discipline/{id}",
            Action(ViewDiscipline),
            post(pages::discipline::update),
        ),
        spec(
            POST,
            "/discipline/{id}/void",
            Action(ViewDiscipline),
            post(pages::discipline::void),
        ),
        // JSON API
        spec(GET, "/api/v1/openapi.json", Public, get(api::openapi_json)),
        spec(POST, "/api/v1/auth/token", Public, post(api::auth::token)),
        spec(POST, "/api/v1/auth/logout", Login, post(api::auth::logout)),
        spec(
            POST,
            "/api/v1/me/password",
            Login,
            post(api::auth::change_password),
        ),
        spec(
            GET,
            "/api/v1/orgs/{code}/check-rules",
            Action(ViewOrgs),
            get(api::orgs::check_rules),
        ),
        spec(
            PUT,
            "/api/v1/orgs/{code}/check-rules",
            Action(ManageOrgs),
            put(api::orgs::set_check_rules),
        ),
        spec(
            GET,
            "/api/v1/accounts/{username}",
            Action(ViewAccounts),
            get(api::accounts::show),
        ),
        spec(
            PATCH,
            "/api/v1/accounts/{username}",
            Action(ManageAccounts),
            patch(api::accounts::update),
        ),
        spec(
            POST,
            "/api/v1/accounts/{username}/password",
            Action(ManageAccounts),
            post(api::accounts::reset_password),
        ),
        spec(
            POST,
            "/api/v1/accounts/{username}/grants",
            Action(ManageAccounts),
            post(api::accounts::grant),
        ),
        spec(
            DELETE,
            "/api/v1/accounts/{username}/grants/{id}",
            Action(ManageAccounts),
            delete(api::accounts::revoke),
        ),
        spec(GET, "/api/v1/me", Member, get(api::auth::me)),
        spec(GET, "/api/v1/orgs", Action(ViewOrgs), get(api::orgs::list)),
        spec(
            POST,
            "/api/v1/orgs",
            Action(ManageOrgs),
            post(api::orgs::create),
        ),
        spec(
            GET,
            "/api/v1/orgs/{code}",
            Action(ViewOrgs),
            get(api::orgs::show),
        ),
        spec(
            PATCH,
            "/api/v1/orgs/{code}",
            Action(ManageOrgs),
            patch(api::orgs::update),
        ),
        spec(
            GET,
            "/api/v1/accounts",
            Action(ViewAccounts),
            get(api::accounts::list),
        ),
        spec(
            POST,
            "/api/v1/accounts",
            Action(ManageAccounts),
            post(api::accounts::create),
        ),
        spec(
            GET,
            "/api/v1/audit",
            Action(ViewAudit),
            get(api::audit::list),
        ),
        spec(
            GET,
            "/api/v1/audit/verify",
            Action(ViewAudit),
            get(api::audit::verify),
        ),
        spec(
            POST,
            "/api/v1/check",
            Action(CheckReports),
            post(api::check::check_draft).layer(DefaultBodyLimit::max(UPLOAD_LIMIT)),
        ),
        spec(
            POST,
            "/api/v1/check/upload",
            Action(CheckReports),
            post(api::check::check_upload).layer(DefaultBodyLimit::max(UPLOAD_LIMIT)),
        ),
        spec(
            GET,
            "/api/v1/metrics",
            Action(ViewOrgs),
            get(api::metrics::list),
        ),
        spec(
            GET,
            "/api/v1/metrics/{name}/records",
            Action(ViewOrgs),
            get(api::metrics::records),
        ),
        spec(
            GET,
            "/api/v1/metric-defs",
            Action(ViewOrgs),
            get(api::metrics::catalog),
        ),
        spec(
            POST,
            "/api/v1/metric-defs",
            Action(ManageOrgs),
            post(api::metrics::add),
        ),
        spec(
            GET,
            "/metrics",
            Action(ViewOrgs),
            get(pages::metrics::index),
        ),
        spec(
            GET,
            "/metrics/{name}",
            Action(ViewOrgs),
            get(pages::metrics::show),
        ),
        // 问题整改台账 (API)
        spec(
            GET,
            "/api/v1/problems",
            Action(ViewOrgs),
            get(api::problems::list),
        ),
        spec(
            POST,
            "/api/v1/problems",
            Action(RecordWork),
            post(api::problems::create),
        ),
        spec(
            POST,
            "/api/v1/problem-batches",
            Action(RecordWork),
            post(api::problems::create_batch),
        ),
        spec(
            GET,
            "/api/v1/problem-batches/{id}",
            Action(ViewOrgs),
            get(api::problems::show_batch),
        ),
        spec(
            GET,
            "/api/v1/problems/{id}",
            Action(ViewOrgs),
            get(api::problems::show),
        ),
        spec(
            PATCH,
            "/api/v1/problems/{id}",
            Action(RecordWork),
            patch(api::problems::update),
        ),
        spec(
            POST,
            "/api/v1/problems/{id}/void",
            Action(RecordWork),
            post(api::problems::void),
        ),
        spec(
            POST,
            "/api/v1/problems/{id}/measures",
            Action(RecordWork),
            post(api::problems::add_measure),
        ),
        // Approve (销号, 退回, 回头看) is checked by the handler for the moves that need it.
        spec(
            POST,
            "/api/v1/problems/{id}/transitions",
            Action(RecordWork),
            post(api::problems::transition),
        ),
        spec(
            POST,
            "/api/v1/problems/{id}/attachments",
            Action(RecordWork),
            post(api::problems::attach_problem).layer(DefaultBodyLimit::max(EVIDENCE_LIMIT)),
        ),
        spec(
            GET,
            "/api/v1/measures/overdue",
            Action(ViewOrgs),
            get(api::problems::overdue),
        ),
        spec(
            PATCH,
            "/api/v1/measures/{id}",
            Action(RecordWork),
            patch(api::problems::update_measure),
        ),
        spec(
            POST,
            "/api/v1/measures/{id}/done",
            Action(RecordWork),
            post(api::problems::complete_measure),
        ),
        spec(
            POST,
            "/api/v1/measures/{id}/void",
            Action(RecordWork),
            post(api::problems::void_measure),
        ),
        spec(
            POST,
            "/api/v1/measures/{id}/attachments",
            Action(RecordWork),
            post(api::problems::attach_measure).layer(DefaultBodyLimit::max(EVIDENCE_LIMIT)),
        ),
        spec(
            GET,
            "/api/v1/problem-sources",
            Action(ViewOrgs),
            get(api::problems::sources),
        ),
        spec(
            POST,
            "/api/v1/problem-sources",
            Action(ManageOrgs),
            post(api::problems::add_source),
        ),
        // 廉政风险点 (API)
        spec(
            GET,
            "/api/v1/risks",
            Action(ViewOrgs),
            get(api::risks::list),
        ),
        spec(
            POST,
            "/api/v1/risks",
            Action(RecordWork),
            post(api::risks::create),
        ),
        spec(
            GET,
            "/api/v1/risks/{id}",
            Action(ViewOrgs),
            get(api::risks::show),
        ),
        spec(
            PATCH,
            "/api/v1/risks/{id}",
            Action(RecordWork),
            patch(api::risks::update),
        ),
        spec(
            POST,
            "/api/v1/risks/{id}/void",
            Action(RecordWork),
            post(api::risks::void),
        ),
        spec(
            POST,
            "/api/v1/risks/{id}/measures",
            Action(RecordWork),
            post(api::risks::add_measure),
        ),
        spec(
            POST,
            "/api/v1/risks/{id}/review",
            Action(RecordWork),
            post(api::risks::review),
        ),
        spec(
            POST,
            "/api/v1/risk-measures/{id}/void",
            Action(RecordWork),
            post(api::risks::void_measure),
        ),
        // 执纪问责 (API): restricted to ViewDiscipline (纪检, 书记).
        spec(
            GET,
            "/api/v1/discipline",
            Action(ViewDiscipline),
            get(api::discipline::list),
        ),
        spec(
            POST,
            "/api/v1/discipline",
            Action(ViewDiscipline),
            post(api::discipline::create),
        ),
        spec(
            GET,
            "/api/v1/discipline/{id}",
            Action(ViewDiscipline),
            get(api::discipline::show),
        ),
        spec(
            PATCH,
            "/api/v1/discipline/{id}",
            Action(ViewDiscipline),
            patch(api::discipline::update),
        ),
        spec(
            POST,
            "/api/v1/discipline/{id}/void",
            Action(ViewDiscipline),
            post(api::discipline::void),
        ),
    ]
}

pub fn router(state: AppState) -> Router {
    let mut router = Router::new();
    for s in table() {
        router = router.route(
            s.path,
            s.handler.route_layer(from_fn_with_state(s.need, guard)),
        );
    }
    router.with_state(state)
}
