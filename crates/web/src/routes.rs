//! The route table. Every route names what it needs ([`Need`]); the router is built from this
//! table only, so a route cannot exist without a permission rule, and the permission-matrix
//! test walks the same table.

use crate::auth::{guard, Need};
use crate::{api, assets, pages, AppState, EVIDENCE_LIMIT, UPLOAD_LIMIT};
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
        // 工作纪实, 三会一课, 党员名册
        spec(
            GET,
            "/records",
            Action(ViewOrgs),
            get(pages::records::index),
        ),
        spec(
            GET,
            "/records/new",
            Action(RecordWork),
            get(pages::records::new_form),
        ),
        spec(
            POST,
            "/records",
            Action(RecordWork),
            post(pages::records::create),
        ),
        spec(
            GET,
            "/records/{id}",
            Action(ViewOrgs),
            get(pages::records::show),
        ),
        spec(
            GET,
            "/records/{id}/edit",
            Action(RecordWork),
            get(pages::records::edit_form),
        ),
        spec(
            POST,
            "/records/{id}",
            Action(RecordWork),
            post(pages::records::update),
        ),
        spec(
            POST,
            "/records/{id}/void",
            Action(RecordWork),
            post(pages::records::void),
        ),
        spec(
            POST,
            "/records/{id}/attachments",
            Action(RecordWork),
            post(pages::records::upload).layer(DefaultBodyLimit::max(EVIDENCE_LIMIT)),
        ),
        spec(
            POST,
            "/records/{id}/attachments/{att_id}/void",
            Action(RecordWork),
            post(pages::records::void_attachment),
        ),
        spec(
            POST,
            "/records/{id}/items",
            Action(RecordWork),
            post(pages::records::link_item),
        ),
        spec(
            POST,
            "/records/{id}/items/{item_id}/unlink",
            Action(RecordWork),
            post(pages::records::unlink_item),
        ),
        spec(
            GET,
            "/meetings",
            Action(ViewOrgs),
            get(pages::meetings::index),
        ),
        spec(
            GET,
            "/members",
            Action(ViewOrgs),
            get(pages::members::index),
        ),
        spec(
            GET,
            "/members/new",
            Action(RecordWork),
            get(pages::members::new_form),
        ),
        spec(
            POST,
            "/members",
            Action(RecordWork),
            post(pages::members::create),
        ),
        spec(
            GET,
            "/members/{id}",
            Action(ViewOrgs),
            get(pages::members::show),
        ),
        spec(
            POST,
            "/members/{id}",
            Action(RecordWork),
            post(pages::members::update),
        ),
        spec(
            POST,
            "/members/{id}/void",
            Action(RecordWork),
            post(pages::members::void),
        ),
        spec(GET, "/check", Action(CheckReports), get(pages::check::form)),
        spec(
            POST,
            "/check",
            Action(CheckReports),
            // Report drafts (.docx) may be larger than ordinary forms.
            post(pages::check::submit).layer(DefaultBodyLimit::max(UPLOAD_LIMIT)),
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
        // Work records (纪实), evidence, record types, 三会一课, member roster.
        spec(
            GET,
            "/api/v1/records",
            Action(ViewOrgs),
            get(api::records::list),
        ),
        spec(
            POST,
            "/api/v1/records",
            Action(RecordWork),
            post(api::records::create),
        ),
        spec(
            GET,
            "/api/v1/records/{id}",
            Action(ViewOrgs),
            get(api::records::show),
        ),
        spec(
            PATCH,
            "/api/v1/records/{id}",
            Action(RecordWork),
            patch(api::records::update),
        ),
        spec(
            POST,
            "/api/v1/records/{id}/void",
            Action(RecordWork),
            post(api::records::void),
        ),
        spec(
            POST,
            "/api/v1/records/{id}/attachments",
            Action(RecordWork),
            post(api::records::upload).layer(DefaultBodyLimit::max(EVIDENCE_LIMIT)),
        ),
        spec(
            POST,
            "/api/v1/records/{id}/items",
            Action(RecordWork),
            post(api::records::link_item),
        ),
        spec(
            DELETE,
            "/api/v1/records/{id}/items/{item_id}",
            Action(RecordWork),
            delete(api::records::unlink_item),
        ),
        spec(
            GET,
            "/api/v1/attachments/{id}",
            Action(ViewOrgs),
            get(api::records::download),
        ),
        spec(
            POST,
            "/api/v1/attachments/{id}/void",
            Action(RecordWork),
            post(api::records::void_attachment),
        ),
        spec(
            GET,
            "/api/v1/record-types",
            Action(ViewOrgs),
            get(api::records::types),
        ),
        spec(
            POST,
            "/api/v1/record-types",
            Action(ManageOrgs),
            post(api::records::add_type),
        ),
        spec(
            GET,
            "/api/v1/meeting-rules",
            Action(ViewOrgs),
            get(api::records::rules),
        ),
        spec(
            PUT,
            "/api/v1/meeting-rules",
            Action(ManageOrgs),
            put(api::records::set_rules),
        ),
        spec(
            GET,
            "/api/v1/orgs/{code}/meetings",
            Action(ViewOrgs),
            get(api::records::meetings),
        ),
        spec(
            GET,
            "/api/v1/members",
            Action(ViewOrgs),
            get(api::members::list),
        ),
        spec(
            POST,
            "/api/v1/members",
            Action(RecordWork),
            post(api::members::create),
        ),
        spec(
            GET,
            "/api/v1/members/{id}",
            Action(ViewOrgs),
            get(api::members::show),
        ),
        spec(
            PATCH,
            "/api/v1/members/{id}",
            Action(RecordWork),
            patch(api::members::update),
        ),
        spec(
            POST,
            "/api/v1/members/{id}/void",
            Action(RecordWork),
            post(api::members::void),
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
