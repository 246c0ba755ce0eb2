//! `/api/v1/metrics`: every figure over an organization's subtree and a period, and the rows
//! behind each one; `/api/v1/metric-defs`: the catalogue.

use super::{ApiError, ApiJson, ApiResult};
use crate::auth::CurrentUser;
use crate::error::ErrorBody;
use crate::extract::{Path, Query};
use crate::manage::metrics;
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use zeren_domain::metrics::MetricDef;

#[derive(Deserialize, IntoParams)]
pub struct MetricQuery {
    /// Organization code; the caller's top organization when omitted.
    pub org: Option<String>,
    /// First day, `2023-01-01`; the current year's first day when omitted.
    pub from: Option<String>,
    /// Last day, `2023-12-31`; the current year's last day when omitted.
    pub to: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct MetricOut {
    /// The metric's Chinese name, e.g. 理论学习中心组学习次数.
    pub name: String,
    /// A count, a sum, or a percentage such as 93.3 (truncated to one decimal); null for a
    /// ratio whose denominator is zero.
    pub value: Option<f64>,
    /// 次, 人次, 个, 篇, 学时, % …
    pub unit: String,
}

/// Every metric of the catalogue over the organization's subtree and the period.
#[utoipa::path(get, path = "/api/v1/metrics", params(MetricQuery), responses((status = 200, body = Vec<MetricOut>), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<MetricQuery>,
) -> ApiResult<Vec<MetricOut>> {
    let period = metrics::period(q.from.as_deref(), q.to.as_deref())?;
    let org = metrics::org_for(&state, &user, q.org.as_deref()).await?;
    let values = metrics::values(&state, &org, period).await?;
    Ok(Json(
        values
            .into_iter()
            .map(|v| MetricOut {
                name: v.name,
                value: v.value,
                unit: v.unit,
            })
            .collect(),
    ))
}

#[derive(Deserialize, IntoParams)]
pub struct RecordsQuery {
    pub org: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    /// At most 1000; default 100.
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct MetricRowOut {
    /// record, problem, measure, item, risk, risk_measure, discipline, member, org.
    pub kind: String,
    pub id: i64,
    /// The page that shows the row.
    pub href: String,
    pub org: String,
    /// The day that files the row under the period.
    pub day: String,
    pub summary: String,
    /// What the row adds to the value (1 for a count).
    pub amount: f64,
    /// For a ratio: whether the row is counted in the numerator as well.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub in_numerator: Option<bool>,
}

#[derive(Serialize, ToSchema)]
pub struct MetricRecordsOut {
    pub name: String,
    pub value: Option<f64>,
    pub unit: String,
    /// Rows in all (the page holds at most `limit`).
    pub total: i64,
    pub rows: Vec<MetricRowOut>,
}

/// The records behind one metric's value (a ratio: its denominator's, marked).
#[utoipa::path(get, path = "/api/v1/metrics/{name}/records", params(("name" = String, Path), RecordsQuery), responses((status = 200, body = MetricRecordsOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn records(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(name): Path<String>,
    Query(q): Query<RecordsQuery>,
) -> ApiResult<MetricRecordsOut> {
    let period = metrics::period(q.from.as_deref(), q.to.as_deref())?;
    let org = metrics::org_for(&state, &user, q.org.as_deref()).await?;
    let limit = q.limit.unwrap_or(100).clamp(1, 1000);
    let offset = q.offset.unwrap_or(0).clamp(0, i64::MAX / 2);
    let r = metrics::records(&state, &user, &name, &org, period, limit, offset).await?;
    Ok(Json(MetricRecordsOut {
        name: r.name,
        value: r.value,
        unit: r.unit,
        total: r.total,
        rows: r
            .rows
            .into_iter()
            .map(|row| MetricRowOut {
                href: metrics::href(row.kind, row.page_id),
                kind: row.kind.to_string(),
                id: row.id,
                org: row.org_name,
                day: row.day,
                summary: row.summary,
                amount: row.amount,
                in_numerator: row.in_numerator,
            })
            .collect(),
    }))
}

/// The catalogue: built-in metrics and an administrator's additions, with their definitions.
#[utoipa::path(get, path = "/api/v1/metric-defs", responses((status = 200, body = Vec<MetricDef>)))]
pub async fn catalog(
    State(state): State<AppState>,
    _user: CurrentUser,
) -> ApiResult<Vec<MetricDef>> {
    Ok(Json(
        state.store.metric_catalog().await.map_err(ApiError::from)?,
    ))
}

/// Adds a metric to the catalogue (an administrator of a top-level organization). Example:
/// `{"name": "谈心与志愿人次", "unit": "人次", "kind": "sum", "source": "records",
/// "field": "person_times", "filter": {"types": ["heart_talk", "volunteer"]}}`.
#[utoipa::path(post, path = "/api/v1/metric-defs", request_body = MetricDef, responses((status = 201, body = MetricDef), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(def): ApiJson<MetricDef>,
) -> Result<(StatusCode, Json<MetricDef>), ApiError> {
    let def = metrics::add(&state, &user, def).await?;
    Ok((StatusCode::CREATED, Json(def)))
}
