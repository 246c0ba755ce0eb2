//! Extractors whose rejections are rendered like every other error: a Chinese page for
//! browsers, JSON `{code, message}` for the API, always with a 4xx status.

use crate::error::rejection;
use crate::{is_api, respond_error};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::Response;
use serde::de::DeserializeOwned;

/// A query string. A malformed one (a duplicated or mistyped parameter) is a 400 in the
/// caller's language, not axum's plain-text rejection.
pub struct Query<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(Query(v)),
            Err(r) => Err(respond_error(
                is_api(parts.uri.path()),
                rejection(r.status(), &r.body_text()),
            )),
        }
    }
}

/// Path parameters. A malformed one (e.g. invalid percent-encoding) is a 4xx in the caller's
/// language, like every other error.
pub struct Path<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for Path<T> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(v)) => Ok(Path(v)),
            Err(r) => Err(respond_error(
                is_api(parts.uri.path()),
                rejection(r.status(), &r.body_text()),
            )),
        }
    }
}

/// A multipart body (file uploads). A malformed one (not multipart, no boundary) is a 4xx in
/// the caller's language, like every other error.
pub struct Upload(pub axum::extract::Multipart);

impl<S: Send + Sync> axum::extract::FromRequest<S> for Upload {
    type Rejection = Response;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        let api = is_api(req.uri().path());
        match axum::extract::Multipart::from_request(req, state).await {
            Ok(m) => Ok(Upload(m)),
            Err(r) => Err(respond_error(api, rejection(r.status(), &r.body_text()))),
        }
    }
}
