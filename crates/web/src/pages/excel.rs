//! The ledger pages' 导出Excel links and 导入Excel forms: downloads take the page's own
//! filters (organizations by id, bad filters ignored as the page ignores them); an upload
//! shows what was imported, or every fault of the workbook in Chinese with nothing written.

use super::{render, render_status, Layout, PageError, PageResult};
use crate::api::excel::read_workbook;
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::extract::{Query, Upload};
use crate::manage::excel::{
    lists, members, problems, records, risks, Download, ImportError, ImportSummary, RowError,
};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use zeren_domain::date::Day;
use zeren_domain::members::MemberStatus;
use zeren_domain::permissions::Action;
use zeren_domain::problems::ProblemStatus;
use zeren_domain::risks::{RiskLevel, SubjectKind};
use zeren_storage::Org;

/// The export link and import form a ledger page shows (`excel_bar.html`).
pub struct ExcelBar {
    pub export_href: String,
    pub import_action: String,
    pub can_import: bool,
}

impl ExcelBar {
    /// For the ledger at `base` (e.g. `/records`), the page's filter as a query string
    /// (with or without its leading `?`).
    pub fn new(user: &CurrentUser, base: &str, query: &str) -> ExcelBar {
        let query = query.trim_start_matches('?');
        ExcelBar {
            export_href: if query.is_empty() {
                format!("{base}/export")
            } else {
                format!("{base}/export?{query}")
            },
            import_action: format!("{base}/import?_csrf={}", user.csrf),
            can_import: user.perms.can_somewhere(Action::RecordWork),
        }
    }
}

/// An organization of a page's filter (by id), when the user sees it.
async fn page_org(state: &AppState, user: &CurrentUser, id: Option<&str>) -> Option<Org> {
    let id = id?.trim().parse::<i64>().ok()?;
    let org = state.store.org(id).await.ok()?;
    user.perms.can(Action::ViewOrgs, &org.path).then_some(org)
}

fn text(t: Option<String>) -> Option<String> {
    t.map(|t| t.trim().to_string()).filter(|t| !t.is_empty())
}

fn day(t: Option<&str>) -> Option<Day> {
    Day::parse("date", t?).ok()
}

#[derive(Deserialize, Default)]
pub struct RecordsQuery {
    pub org: Option<String>,
    #[serde(rename = "type")]
    pub type_code: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub q: Option<String>,
}

pub async fn export_records(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<RecordsQuery>,
) -> Result<Download, PageError> {
    let f = records::RecordFilter {
        org: page_org(&state, &user, q.org.as_deref()).await,
        type_code: text(q.type_code),
        from: day(q.from.as_deref()),
        to: day(q.to.as_deref()),
        text: text(q.q),
    };
    Ok(records::export(&state, &user, f).await?)
}

#[derive(Deserialize, Default)]
pub struct MembersQuery {
    pub org: Option<String>,
    pub status: Option<String>,
    pub q: Option<String>,
}

pub async fn export_members(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<MembersQuery>,
) -> Result<Download, PageError> {
    let f = members::MemberFilter {
        org: page_org(&state, &user, q.org.as_deref()).await,
        status: q
            .status
            .as_deref()
            .and_then(|s| MemberStatus::parse(s).ok()),
        name: text(q.q),
    };
    Ok(members::export(&state, &user, f).await?)
}

#[derive(Deserialize, Default)]
pub struct ProblemsQuery {
    pub org: Option<String>,
    pub source: Option<String>,
    pub status: Option<String>,
    pub overdue: Option<String>,
    pub q: Option<String>,
    pub batch: Option<String>,
}

pub async fn export_problems(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ProblemsQuery>,
) -> Result<Download, PageError> {
    let source = match text(q.source) {
        Some(s) => crate::manage::problems::parse_source(&state, &s).await.ok(),
        None => None,
    };
    let f = problems::ProblemExport {
        org: page_org(&state, &user, q.org.as_deref()).await,
        source,
        status: q
            .status
            .as_deref()
            .and_then(|s| ProblemStatus::parse(s).ok()),
        overdue: matches!(q.overdue.as_deref(), Some("1" | "true")),
        text: text(q.q),
        batch: q.batch.as_deref().and_then(|b| b.trim().parse().ok()),
    };
    Ok(problems::export(&state, &user, f).await?)
}

#[derive(Deserialize, Default)]
pub struct RisksQuery {
    pub org: Option<String>,
    pub year: Option<String>,
    pub kind: Option<String>,
    pub level: Option<String>,
}

pub async fn export_risks(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<RisksQuery>,
) -> Result<Download, PageError> {
    let f = risks::RiskExport {
        org: page_org(&state, &user, q.org.as_deref()).await,
        year: q
            .year
            .as_deref()
            .and_then(|y| y.trim().parse::<i32>().ok())
            .filter(|y| (1949..=2100).contains(y)),
        kind: q.kind.as_deref().and_then(|k| SubjectKind::parse(k).ok()),
        level: q.level.as_deref().and_then(|l| RiskLevel::parse(l).ok()),
    };
    Ok(risks::export(&state, &user, f).await?)
}

#[derive(Deserialize, Default)]
pub struct ListsQuery {
    pub org: Option<String>,
    pub year: Option<String>,
}

pub async fn export_lists(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ListsQuery>,
) -> Result<Download, PageError> {
    let f = lists::ListExport {
        org: page_org(&state, &user, q.org.as_deref()).await,
        year: q
            .year
            .as_deref()
            .and_then(|y| zeren_domain::lists::parse_year("year", y).ok()),
    };
    Ok(lists::export(&state, &user, f).await?)
}

/// What an upload on a ledger page came to.
#[derive(Template)]
#[template(path = "excel_import.html")]
pub struct ImportPage {
    pub layout: Layout,
    /// The ledger's name, e.g. 工作纪实台账.
    pub ledger: &'static str,
    /// The ledger page, e.g. `/records`.
    pub back: &'static str,
    pub import_action: String,
    pub summary: Option<ImportSummary>,
    /// Why nothing was imported (a file-level fault, or the count of faults).
    pub message: Option<String>,
    pub errors: Vec<RowError>,
}

/// The ledgers a page may import into.
#[derive(Clone, Copy)]
enum Ledger {
    Records,
    Members,
    Problems,
    Risks,
    Lists,
}

impl Ledger {
    fn names(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Ledger::Records => (records::LEDGER, "/records", "records"),
            Ledger::Members => (members::LEDGER, "/members", "members"),
            Ledger::Problems => (problems::LEDGER, "/problems", "problems"),
            Ledger::Risks => (risks::LEDGER, "/risks", "risks"),
            Ledger::Lists => (lists::LEDGER, "/lists", "lists"),
        }
    }
}

async fn import_page(
    state: AppState,
    user: CurrentUser,
    mut upload: Upload,
    ledger: Ledger,
) -> PageResult {
    let outcome = match read_workbook(&mut upload.0).await {
        Err(e) => Err(ImportError::App(e)),
        Ok(bytes) => match ledger {
            Ledger::Records => records::import(&state, &user, bytes).await,
            Ledger::Members => members::import(&state, &user, bytes).await,
            Ledger::Problems => problems::import(&state, &user, bytes).await,
            Ledger::Risks => risks::import(&state, &user, bytes).await,
            Ledger::Lists => lists::import(&state, &user, bytes).await,
        },
    };
    let (name, back, nav) = ledger.names();
    let mut page = ImportPage {
        layout: Layout::new(&user, nav, format!("导入{name}")),
        ledger: name,
        back,
        import_action: format!("{back}/import?_csrf={}", user.csrf),
        summary: None,
        message: None,
        errors: Vec::new(),
    };
    match outcome {
        Ok(summary) => {
            page.summary = Some(summary);
            Ok(render(&page))
        }
        Err(ImportError::Rows(errors)) => {
            page.message = Some(ImportError::summary(&errors));
            page.errors = errors;
            Ok(render_status(&page, StatusCode::UNPROCESSABLE_ENTITY))
        }
        Err(ImportError::App(AppError::Invalid(e))) => {
            page.message = Some(e.message);
            Ok(render_status(&page, StatusCode::UNPROCESSABLE_ENTITY))
        }
        Err(ImportError::App(e)) => Err(PageError(e)),
    }
}

pub async fn import_records(
    State(state): State<AppState>,
    user: CurrentUser,
    upload: Upload,
) -> PageResult {
    import_page(state, user, upload, Ledger::Records).await
}

pub async fn import_members(
    State(state): State<AppState>,
    user: CurrentUser,
    upload: Upload,
) -> PageResult {
    import_page(state, user, upload, Ledger::Members).await
}

pub async fn import_problems(
    State(state): State<AppState>,
    user: CurrentUser,
    upload: Upload,
) -> PageResult {
    import_page(state, user, upload, Ledger::Problems).await
}

pub async fn import_risks(
    State(state): State<AppState>,
    user: CurrentUser,
    upload: Upload,
) -> PageResult {
    import_page(state, user, upload, Ledger::Risks).await
}

pub async fn import_lists(
    State(state): State<AppState>,
    user: CurrentUser,
    upload: Upload,
) -> PageResult {
    import_page(state, user, upload, Ledger::Lists).await
}
