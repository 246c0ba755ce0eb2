//! The JSON API under `/api/v1`. Errors are `{code, message, field?}` with a 4xx status; the
//! OpenAPI document at `/api/v1/openapi.json` is generated from these handlers.

pub mod accounts;
pub mod audit;
pub mod auth;
pub mod check;
// Excel in and out for every ledger.
pub mod excel;
pub mod lists;
pub mod metrics;
pub mod orgs;
pub mod report_templates;
// The year's ledgers: problems and rectification, integrity risks, discipline records.
pub mod discipline;
pub mod members;
pub mod problems;
pub mod records;
pub mod risks;
// 报告起草: drafts from the records, versions, export.
pub mod reports;

use crate::error::{rejection, AppError, ErrorBody};
use crate::respond_error;
use axum::extract::{FromRequest, Request};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::de::DeserializeOwned;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

/// An API error, rendered as JSON.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl<E: Into<AppError>> From<E> for ApiError {
    fn from(e: E) -> Self {
        ApiError(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        respond_error(true, self.0)
    }
}

pub type ApiResult<T> = Result<Json<T>, ApiError>;

/// A JSON body whose rejection (malformed, wrong fields, too large) is a JSON 4xx.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(ApiJson(v)),
            Err(r) => Err(ApiError(rejection(r.status(), &r.body_text()))),
        }
    }
}

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Zeren 责任纪实 API", version = "1"),
    paths(
        auth::token,
        auth::logout,
        auth::me,
        auth::change_password,
        orgs::list,
        orgs::create,
        orgs::show,
        orgs::update,
        orgs::check_rules,
        orgs::set_check_rules,
        accounts::list,
        accounts::create,
        accounts::show,
        accounts::update,
        accounts::reset_password,
        accounts::grant,
        accounts::revoke,
        audit::list,
        audit::verify,
        check::check_draft,
        check::check_upload,
        lists::list,
        lists::create,
        lists::show,
        lists::update,
        lists::void,
        lists::copy,
        lists::hand_down,
        lists::create_item,
        lists::show_item,
        lists::update_item,
        lists::void_item,
        lists::add_progress,
        lists::complete,
        lists::upload,
        lists::reopen,
        lists::link_record,
        lists::void_progress,
        lists::categories,
        lists::add_category,
        metrics::list,
        metrics::records,
        metrics::catalog,
        metrics::add,
        problems::list,
        problems::create,
        problems::create_batch,
        problems::show_batch,
        problems::show,
        problems::update,
        problems::void,
        problems::add_measure,
        problems::update_measure,
        problems::complete_measure,
        problems::void_measure,
        problems::transition,
        problems::attach_problem,
        problems::attach_measure,
        problems::overdue,
        problems::sources,
        problems::add_source,
        risks::list,
        risks::create,
        risks::show,
        risks::update,
        risks::void,
        risks::add_measure,
        risks::void_measure,
        risks::review,
        discipline::list,
        discipline::create,
        discipline::show,
        discipline::update,
        discipline::void,
        records::list,
        records::create,
        records::show,
        records::update,
        records::void,
        records::upload,
        records::link_item,
        records::unlink_item,
        records::download,
        records::void_attachment,
        records::types,
        records::add_type,
        records::rules,
        records::set_rules,
        records::meetings,
        members::list,
        members::create,
        members::show,
        members::update,
        members::void,
        reports::create,
        reports::list,
        reports::show,
        reports::save,
        reports::refresh,
        reports::versions,
        reports::diff,
        reports::export,
        reports::void,
        report_templates::list,
        report_templates::show,
        report_templates::put,
        report_templates::learn,
        excel::export_records,
        excel::import_records,
        excel::export_members,
        excel::import_members,
        excel::export_problems,
        excel::import_problems,
        excel::export_risks,
        excel::import_risks,
        excel::export_lists,
        excel::import_lists,
    ),
    components(schemas(ErrorBody, excel::ImportFaults, crate::manage::excel::RowError, crate::manage::excel::ImportSummary)),
    modifiers(&BearerAuth),
    security(("bearer" = []))
)]
pub struct ApiDoc;

pub async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
