//! The route table. Every route names what it needs ([`Need`]); the router is built from this
//! table only, so a route cannot exist without a permission rule, and the permission-matrix
//! test walks the same table.

use crate::auth::{guard, Need};
use crate::{api, assets, pages, AppState, UPLOAD_LIMIT};
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
        // 责任清单 (responsibility lists)
        spec(GET, "/lists", Action(ViewOrgs), get(pages::lists::index)),
        spec(
            GET,
            "/lists/new",
            Action(RecordWork),
            get(pages::lists::new_form),
        ),
        spec(
            POST,
            "/lists",
            Action(RecordWork),
            post(pages::lists::create),
        ),
        spec(
            GET,
            "/lists/{id}",
            Action(ViewOrgs),
            get(pages::lists::show),
        ),
        spec(
            POST,
            "/lists/{id}",
            Action(RecordWork),
            post(pages::lists::update),
        ),
        spec(
            POST,
            "/lists/{id}/void",
            Action(RecordWork),
            post(pages::lists::void),
        ),
        spec(
            POST,
            "/lists/{id}/copy",
            Action(RecordWork),
            post(pages::lists::copy),
        ),
        spec(
            POST,
            "/lists/{id}/hand-down",
            Action(RecordWork),
            post(pages::lists::hand_down),
        ),
        spec(
            POST,
            "/lists/{id}/items",
            Action(RecordWork),
            post(pages::lists::add_item),
        ),
        spec(
            GET,
            "/list-items/{id}",
            Action(ViewOrgs),
            get(pages::lists::show_item),
        ),
        spec(
            POST,
            "/list-items/{id}",
            Action(RecordWork),
            post(pages::lists::update_item),
        ),
        spec(
            POST,
            "/list-items/{id}/void",
            Action(RecordWork),
            post(pages::lists::void_item),
        ),
        spec(
            POST,
            "/list-items/{id}/progress",
            Action(RecordWork),
            // Evidence files ride along with the report.
            post(pages::lists::add_progress).layer(DefaultBodyLimit::max(UPLOAD_LIMIT)),
        ),
        spec(
            POST,
            "/list-items/{id}/complete",
            Action(RecordWork),
            post(pages::lists::complete_item).layer(DefaultBodyLimit::max(UPLOAD_LIMIT)),
        ),
        spec(
            POST,
            "/list-items/{id}/reopen",
            Action(RecordWork),
            post(pages::lists::reopen_item),
        ),
        spec(
            POST,
            "/list-items/{id}/records",
            Action(RecordWork),
            post(pages::lists::link_record),
        ),
        spec(
            POST,
            "/list-progress/{id}/void",
            Action(RecordWork),
            post(pages::lists::void_progress),
        ),
        spec(
            GET,
            "/list-files/{id}",
            Action(ViewOrgs),
            get(pages::lists::file),
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
        // 责任清单 API
        spec(
            GET,
            "/api/v1/lists",
            Action(ViewOrgs),
            get(api::lists::list),
        ),
        spec(
            POST,
            "/api/v1/lists",
            Action(RecordWork),
            post(api::lists::create),
        ),
        spec(
            GET,
            "/api/v1/lists/{id}",
            Action(ViewOrgs),
            get(api::lists::show),
        ),
        spec(
            PATCH,
            "/api/v1/lists/{id}",
            Action(RecordWork),
            patch(api::lists::update),
        ),
        spec(
            POST,
            "/api/v1/lists/{id}/void",
            Action(RecordWork),
            post(api::lists::void),
        ),
        spec(
            POST,
            "/api/v1/lists/{id}/copy",
            Action(RecordWork),
            post(api::lists::copy),
        ),
        spec(
            POST,
            "/api/v1/lists/{id}/hand-down",
            Action(RecordWork),
            post(api::lists::hand_down),
        ),
        spec(
            POST,
            "/api/v1/lists/{id}/items",
            Action(RecordWork),
            post(api::lists::create_item),
        ),
        spec(
            GET,
            "/api/v1/list-items/{id}",
            Action(ViewOrgs),
            get(api::lists::show_item),
        ),
        spec(
            PATCH,
            "/api/v1/list-items/{id}",
            Action(RecordWork),
            patch(api::lists::update_item),
        ),
        spec(
            POST,
            "/api/v1/list-items/{id}/void",
            Action(RecordWork),
            post(api::lists::void_item),
        ),
        spec(
            POST,
            "/api/v1/list-items/{id}/progress",
            Action(RecordWork),
            post(api::lists::add_progress),
        ),
        spec(
            POST,
            "/api/v1/list-items/{id}/complete",
            Action(RecordWork),
            post(api::lists::complete),
        ),
        spec(
            POST,
            "/api/v1/list-items/{id}/attachments",
            Action(RecordWork),
            post(api::lists::upload).layer(DefaultBodyLimit::max(UPLOAD_LIMIT)),
        ),
        spec(
            POST,
            "/api/v1/list-items/{id}/reopen",
            Action(RecordWork),
            post(api::lists::reopen),
        ),
        spec(
            POST,
            "/api/v1/list-items/{id}/records",
            Action(RecordWork),
            post(api::lists::link_record),
        ),
        spec(
            POST,
            "/api/v1/list-progress/{id}/void",
            Action(RecordWork),
            post(api::lists::void_progress),
        ),
        spec(
            GET,
            "/api/v1/list-categories",
            Action(ViewOrgs),
            get(api::lists::categories),
        ),
        spec(
            POST,
            "/api/v1/list-categories",
            Action(ManageOrgs),
            post(api::lists::add_category),
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
