//! The metric layer as users reach it: values over an organization's subtree and a period, the
//! rows behind each value, and the catalogue an administrator extends. Pages, the API, the home
//! page and (later) reports all come through here.

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::manage::orgs;
use crate::AppState;
use zeren_domain::date::Period;
use zeren_domain::metrics::{MetricDef, Source};
use zeren_domain::permissions::Action;
use zeren_domain::Invalid;
use zeren_storage::{MetricRecords, MetricValue, Org, StorageError};

/// The organization a figure is asked for: by code, or the user's own top organization.
pub async fn org_for(
    state: &AppState,
    user: &CurrentUser,
    code: Option<&str>,
) -> Result<Org, AppError> {
    match code.map(str::trim).filter(|c| !c.is_empty()) {
        Some(code) => orgs::by_code(state, user, code).await,
        None => {
            let scope = user.perms.scope(Action::ViewOrgs);
            let root = scope.roots.first().ok_or(AppError::Forbidden)?;
            let id = *root.ids().last().ok_or(AppError::NotFound("该组织"))?;
            Ok(state.store.org(id).await?)
        }
    }
}

pub fn period(from: Option<&str>, to: Option<&str>) -> Result<Period, AppError> {
    Ok(Period::parse(from, to)?)
}

fn unknown(name: &str) -> AppError {
    AppError::Status(
        axum::http::StatusCode::NOT_FOUND,
        format!("没有名为“{name}”的指标"),
    )
}

fn map(name: &str, e: StorageError) -> AppError {
    match e {
        StorageError::NotFound("metric") => unknown(name),
        other => other.into(),
    }
}

/// Every metric of the catalogue over the organization's subtree.
pub async fn values(
    state: &AppState,
    org: &Org,
    period: Period,
) -> Result<Vec<MetricValue>, AppError> {
    let catalog = state.store.metric_catalog().await?;
    Ok(state.store.metric_values(&catalog, org, period).await?)
}

/// One metric's value.
pub async fn value(
    state: &AppState,
    name: &str,
    org: &Org,
    period: Period,
) -> Result<Option<f64>, AppError> {
    let catalog = state.store.metric_catalog().await?;
    state
        .store
        .metric_value(&catalog, name, org, period)
        .await
        .map_err(|e| map(name, e))
}

/// The rows behind one value. Discipline rows carry names: only for those who may see them.
pub async fn records(
    state: &AppState,
    user: &CurrentUser,
    name: &str,
    org: &Org,
    period: Period,
    limit: i64,
    offset: i64,
) -> Result<MetricRecords, AppError> {
    let catalog = state.store.metric_catalog().await?;
    let def = catalog
        .iter()
        .find(|m| m.name == name)
        .ok_or_else(|| unknown(name))?;
    let rows_source = match def.denominator.as_deref() {
        Some(d) => catalog.iter().find(|m| m.name == d).and_then(|m| m.source),
        None => def.source,
    };
    if rows_source == Some(Source::Discipline) && !user.perms.can(Action::ViewDiscipline, &org.path)
    {
        return Err(AppError::Status(
            axum::http::StatusCode::FORBIDDEN,
            "执纪问责明细仅限纪检、书记查看，其他人员只能查看统计数".into(),
        ));
    }
    state
        .store
        .metric_records(&catalog, name, org, period, limit, offset)
        .await
        .map_err(|e| map(name, e))
}

/// The page that shows a row of the drill-down.
pub fn href(kind: &str, page_id: i64) -> String {
    let base = match kind {
        "record" => "/records",
        "problem" | "measure" => "/problems",
        "item" => "/list-items",
        "risk" | "risk_measure" => "/risks",
        "discipline" => "/discipline",
        "member" => "/members",
        _ => "/orgs",
    };
    format!("{base}/{page_id}")
}

/// The catalogue is shared by every unit: only an administrator of a top-level organization
/// extends it.
pub async fn add(
    state: &AppState,
    user: &CurrentUser,
    def: MetricDef,
) -> Result<MetricDef, AppError> {
    if !user.perms.can_at_top(Action::ManageOrgs) {
        return Err(AppError::Forbidden);
    }
    let catalog = state.store.metric_catalog().await?;
    if catalog.iter().any(|m| m.name == def.name.trim()) {
        return Err(Invalid::new("name", format!("已有名为“{}”的指标", def.name.trim())).into());
    }
    let mut def = def;
    def.name = def.name.trim().to_string();
    def.unit = def.unit.trim().to_string();
    def.validate(|n| catalog.iter().find(|m| m.name == n).map(|m| m.kind))?;
    let mut tx = state.store.begin_write().await?;
    tx.add_metric_def(&def, &user.actor()).await?;
    tx.commit().await?;
    def.custom = true;
    Ok(def)
}
