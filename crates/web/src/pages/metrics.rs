//! 数据指标: every figure of the catalogue over an organization's subtree and a period, each a
//! link to the records that make it (the drill-down).

use super::{render, Layout, PageResult};
use crate::auth::CurrentUser;
use crate::extract::{Path, Query};
use crate::manage::metrics;
use crate::AppState;
use askama::Template;
use axum::extract::State;
use serde::Deserialize;
use zeren_domain::date::{Day, Period};
use zeren_domain::metrics::{format_value, MetricKind, Source};
use zeren_domain::permissions::Action;
use zeren_storage::Org;

#[derive(Deserialize, Default)]
pub struct MetricsQuery {
    pub org: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub page: Option<i64>,
}

/// A metric name as one URL path segment (names are Chinese and may hold any character).
pub fn path_segment(text: &str) -> String {
    let mut out = String::new();
    for b in text.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(*b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `?org=…&from=…&to=…` for links that keep the chosen subtree and period.
pub fn scope_query(org: &Org, period: Period) -> String {
    serde_urlencoded::to_string([
        ("org", org.code.as_str()),
        ("from", &period.from.text()),
        ("to", &period.to.text()),
    ])
    .unwrap_or_default()
}

pub struct Figure {
    pub name: String,
    pub value: String,
    pub unit: String,
    pub description: String,
    pub href: String,
    pub empty: bool,
}

pub struct FigureGroup {
    pub label: &'static str,
    pub figures: Vec<Figure>,
}

pub struct YearLink {
    pub label: String,
    pub href: String,
    pub active: bool,
}

pub struct OrgChoice {
    pub code: String,
    pub label: String,
}

#[derive(Template)]
#[template(path = "metrics.html")]
pub struct MetricsPage {
    pub layout: Layout,
    pub org: Org,
    pub period_label: String,
    pub from: String,
    pub to: String,
    pub groups: Vec<FigureGroup>,
    pub years: Vec<YearLink>,
    pub orgs: Vec<OrgChoice>,
}

async fn org_choices(
    state: &AppState,
    user: &CurrentUser,
) -> Result<Vec<OrgChoice>, super::PageError> {
    let orgs = state
        .store
        .orgs_in(&user.perms.scope(Action::ViewOrgs))
        .await?;
    // Figures are asked of committees and branches, not of every office: keep the tree but
    // leave out deactivated units.
    let codes: std::collections::HashMap<i64, String> =
        orgs.iter().map(|o| (o.id, o.code.clone())).collect();
    Ok(super::indented_choices(&orgs)
        .into_iter()
        .filter_map(|(id, label)| {
            codes.get(&id).map(|c| OrgChoice {
                code: c.clone(),
                label,
            })
        })
        .collect())
}

pub async fn index(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<MetricsQuery>,
) -> PageResult {
    let period = metrics::period(q.from.as_deref(), q.to.as_deref())?;
    let org = metrics::org_for(&state, &user, q.org.as_deref()).await?;
    let catalog = state.store.metric_catalog().await?;
    let values = state.store.metric_values(&catalog, &org, period).await?;
    let query = scope_query(&org, period);
    let source_of = |name: &str| -> Option<Source> {
        let def = catalog.iter().find(|m| m.name == name)?;
        match def.kind {
            MetricKind::Ratio => catalog
                .iter()
                .find(|m| Some(&m.name) == def.denominator.as_ref())
                .and_then(|m| m.source),
            _ => def.source,
        }
    };
    let mut groups: Vec<FigureGroup> = Vec::new();
    for v in values {
        let label = source_of(&v.name).map(|s| s.label()).unwrap_or("其他");
        let figure = Figure {
            href: format!("/metrics/{}?{query}", path_segment(&v.name)),
            empty: v.value.is_none_or(|x| x == 0.0),
            value: format_value(v.value),
            unit: if v.value.is_some() {
                v.unit
            } else {
                String::new()
            },
            description: v.description,
            name: v.name,
        };
        match groups.iter_mut().find(|g| g.label == label) {
            Some(g) => g.figures.push(figure),
            None => groups.push(FigureGroup {
                label,
                figures: vec![figure],
            }),
        }
    }
    let this_year = Day::today().year();
    let years = (this_year - 3..=this_year)
        .rev()
        .map(|y| {
            let p = Period::year(y);
            YearLink {
                label: format!("{y}年"),
                href: format!("/metrics?{}", scope_query(&org, p)),
                active: p == period,
            }
        })
        .collect();
    let page = MetricsPage {
        layout: Layout::new(&user, "metrics", "数据指标"),
        period_label: period.label(),
        from: period.from.text(),
        to: period.to.text(),
        groups,
        years,
        orgs: org_choices(&state, &user).await?,
        org,
    };
    Ok(render(&page))
}

pub struct RowView {
    pub day: String,
    pub org: String,
    pub summary: String,
    pub href: String,
    pub amount: String,
    pub in_numerator: Option<bool>,
}

#[derive(Template)]
#[template(path = "metric_records.html")]
pub struct MetricRecordsPage {
    pub layout: Layout,
    pub name: String,
    pub value: String,
    pub unit: String,
    pub description: String,
    pub org: Org,
    pub period_label: String,
    pub back: String,
    pub is_sum: bool,
    pub is_ratio: bool,
    pub total: i64,
    pub rows: Vec<RowView>,
    pub page: i64,
    pub pages: i64,
    pub page_link: String,
}

const PAGE_SIZE: i64 = 50;

pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(name): Path<String>,
    Query(q): Query<MetricsQuery>,
) -> PageResult {
    let period = metrics::period(q.from.as_deref(), q.to.as_deref())?;
    let org = metrics::org_for(&state, &user, q.org.as_deref()).await?;
    let page = q.page.unwrap_or(1).clamp(1, 1_000_000);
    let r = metrics::records(
        &state,
        &user,
        &name,
        &org,
        period,
        PAGE_SIZE,
        (page - 1) * PAGE_SIZE,
    )
    .await?;
    let catalog = state.store.metric_catalog().await?;
    let def = catalog.iter().find(|m| m.name == name);
    let query = scope_query(&org, period);
    let pages = ((r.total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
    let view = MetricRecordsPage {
        layout: Layout::new(&user, "metrics", name.clone()),
        value: format_value(r.value),
        unit: if r.value.is_some() {
            r.unit.clone()
        } else {
            String::new()
        },
        description: def.map(|d| d.description.clone()).unwrap_or_default(),
        is_sum: def.is_some_and(|d| d.kind == MetricKind::Sum),
        is_ratio: def.is_some_and(|d| d.kind == MetricKind::Ratio),
        period_label: period.label(),
        back: format!("/metrics?{query}"),
        total: r.total,
        rows: r
            .rows
            .into_iter()
            .map(|row| RowView {
                href: metrics::href(row.kind, row.page_id),
                day: row.day,
                org: row.org_name,
                summary: row.summary,
                amount: format_value(Some(row.amount)),
                in_numerator: row.in_numerator,
            })
            .collect(),
        page,
        pages,
        page_link: format!("/metrics/{}?{query}", path_segment(&name)),
        name,
        org,
    };
    Ok(render(&view))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_become_one_path_segment() {
        assert_eq!(path_segment("a/b?c"), "a%2Fb%3Fc");
        assert_eq!(path_segment("培训"), "%E5%9F%B9%E8%AE%AD");
    }
}
