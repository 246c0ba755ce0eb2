//! 三会一课: for every branch under an organization, how many meetings of each kind it should
//! have held in the period (应开, by the rules of its kind) and how many it held (已开).

use super::{indented_choices, render, render_status, FieldError, Layout, PageResult};
use crate::auth::CurrentUser;
use crate::extract::Query;
use crate::manage::records;
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use zeren_domain::date::{Day, Period};
use zeren_domain::permissions::Action;
use zeren_storage::MeetingRow;

pub struct Column {
    pub type_code: String,
    pub name: String,
    pub rule: String,
}

pub struct Cell {
    pub type_code: String,
    pub held: i64,
    pub should: i64,
    pub short: bool,
    pub present: bool,
}

pub struct Row {
    pub org_id: i64,
    pub org_code: String,
    pub org_name: String,
    pub short: bool,
    pub cells: Vec<Cell>,
}

pub struct OrgChoice {
    pub id: i64,
    pub label: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "meetings.html")]
pub struct MeetingsPage {
    pub layout: Layout,
    pub orgs: Vec<OrgChoice>,
    pub from: String,
    pub to: String,
    pub today: String,
    pub period_label: String,
    pub columns: Vec<Column>,
    pub rows: Vec<Row>,
    pub short_count: usize,
    pub error: FieldError,
}

#[derive(Deserialize, Default)]
pub struct MeetingsQuery {
    pub org: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
}

fn table(rows: &[MeetingRow]) -> (Vec<Column>, Vec<Row>) {
    let mut columns: Vec<Column> = Vec::new();
    for r in rows {
        for c in &r.cells {
            if !columns.iter().any(|x| x.type_code == c.type_code) {
                columns.push(Column {
                    type_code: c.type_code.clone(),
                    name: c.type_name.clone(),
                    rule: if c.times == 1 {
                        c.frequency.label().to_string()
                    } else {
                        format!("{}{}次", c.frequency.label(), c.times)
                    },
                });
            }
        }
    }
    let out = rows
        .iter()
        .map(|r| Row {
            org_id: r.org_id,
            org_code: r.org_code.clone(),
            org_name: r.org_name.clone(),
            short: r.short(),
            cells: columns
                .iter()
                .map(
                    |col| match r.cells.iter().find(|c| c.type_code == col.type_code) {
                        Some(c) => Cell {
                            type_code: c.type_code.clone(),
                            held: c.held,
                            should: c.should,
                            short: c.short(),
                            present: true,
                        },
                        None => Cell {
                            type_code: col.type_code.clone(),
                            held: 0,
                            should: 0,
                            short: false,
                            present: false,
                        },
                    },
                )
                .collect(),
        })
        .collect();
    (columns, out)
}

pub async fn index(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<MeetingsQuery>,
) -> PageResult {
    let visible = state
        .store
        .orgs_in(&user.perms.scope(Action::ViewOrgs))
        .await?;
    let org = zeren_storage::org_by_reference(&visible, q.org.as_deref().unwrap_or_default())
        .or_else(|| visible.first())
        .cloned();
    let (period, error) = match Period::parse(q.from.as_deref(), q.to.as_deref()) {
        Ok(p) => (p, None),
        Err(e) => (Period::year(Day::today().year()), Some(e)),
    };
    let rows = match &org {
        Some(o) => records::meetings(&state, o, period).await?,
        None => Vec::new(),
    };
    let (columns, rows) = table(&rows);
    let page = MeetingsPage {
        layout: Layout::new(&user, "meetings", "三会一课"),
        orgs: indented_choices(&visible)
            .into_iter()
            .map(|(id, label)| OrgChoice {
                id,
                label,
                selected: org.as_ref().is_some_and(|o| o.id == id),
            })
            .collect(),
        from: period.from.text(),
        to: period.to.text(),
        today: Day::today().text(),
        period_label: period.label(),
        short_count: rows.iter().filter(|r| r.short).count(),
        columns,
        rows,
        error: FieldError(error.clone()),
    };
    Ok(if error.is_some() {
        render_status(&page, StatusCode::UNPROCESSABLE_ENTITY)
    } else {
        render(&page)
    })
}
