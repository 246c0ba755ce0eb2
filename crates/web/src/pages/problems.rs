//! 问题整改: the ledger with its filters and overdue measures, one problem, one inspection's
//! feedback entered together, and a problem's page with its measures, evidence, moves and
//! history.

use super::{indented_choices, notice_text, render, render_status, Layout, PageForm, PageResult};
use crate::api::problems::{read_files, Upload};
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::extract::{Path, Query};
use crate::manage::problems::{
    self as manage, BatchInput, BatchProblemInput, EvidenceTarget, MeasureEdit, MeasureInput, Move,
    OwnerInput, ProblemEdit, ProblemInput,
};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;
use zeren_domain::date::Day;
use zeren_domain::permissions::Action;
use zeren_domain::problems::{parse_batch_text, ProblemStatus, CATEGORIES};
use zeren_domain::Invalid;
use zeren_storage::{
    AttachmentLink, Measure, OverdueMeasure, Problem, ProblemBatch, ProblemEvent, ProblemFilter,
};

/// A form's fields as sent (repeated names allowed: one measure per row).
pub struct Fields(pub Vec<(String, String)>);

impl Fields {
    pub fn get(&self, name: &str) -> String {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }
}

pub struct Choice {
    pub value: String,
    pub label: String,
}

/// Organizations in which the user may do `action`, indented, for a select box.
pub async fn org_choices(
    state: &AppState,
    user: &CurrentUser,
    action: Action,
) -> Result<Vec<Choice>, AppError> {
    let orgs = state.store.orgs_in(&user.perms.scope(action)).await?;
    Ok(indented_choices(&orgs)
        .into_iter()
        .map(|(id, label)| Choice {
            value: id.to_string(),
            label,
        })
        .collect())
}

async fn source_choices(state: &AppState) -> Result<Vec<Choice>, AppError> {
    Ok(state
        .store
        .problem_sources()
        .await?
        .into_iter()
        .map(|(value, label)| Choice { value, label })
        .collect())
}

fn categories() -> Vec<&'static str> {
    CATEGORIES.to_vec()
}

/// A query string of the given pairs (empty values left out).
pub fn query_string(pairs: &[(&str, String)]) -> String {
    let kept: Vec<(&str, &str)> = pairs
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| (*k, v.as_str()))
        .collect();
    if kept.is_empty() {
        String::new()
    } else {
        format!("?{}", serde_urlencoded::to_string(kept).unwrap_or_default())
    }
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    pub org: Option<String>,
    pub source: Option<String>,
    pub status: Option<String>,
    pub overdue: Option<String>,
    /// `1`: only problems with a measure the reader owns.
    pub mine: Option<String>,
    pub q: Option<String>,
    pub batch: Option<String>,
    pub voided: Option<String>,
    pub page: Option<String>,
    pub notice: Option<String>,
}

/// The filters as shown in the form (kept as typed).
#[derive(Default, Clone)]
pub struct ListForm {
    pub org: String,
    pub source: String,
    pub status: String,
    pub overdue: bool,
    pub mine: bool,
    pub q: String,
    pub batch: String,
    pub voided: bool,
}

impl ListForm {
    fn pairs(&self) -> Vec<(&'static str, String)> {
        vec![
            ("org", self.org.clone()),
            ("source", self.source.clone()),
            ("status", self.status.clone()),
            (
                "overdue",
                if self.overdue {
                    "1".into()
                } else {
                    String::new()
                },
            ),
            ("mine", if self.mine { "1".into() } else { String::new() }),
            ("q", self.q.clone()),
            ("batch", self.batch.clone()),
            (
                "voided",
                if self.voided {
                    "1".into()
                } else {
                    String::new()
                },
            ),
        ]
    }

    fn href(&self, page: i64) -> String {
        let mut pairs = self.pairs();
        if page > 1 {
            pairs.push(("page", page.to_string()));
        }
        format!("/problems{}", query_string(&pairs))
    }
}

pub struct Tab {
    pub label: &'static str,
    pub count: i64,
    pub href: String,
    pub active: bool,
    pub class: &'static str,
}

#[derive(Template)]
#[template(path = "problems.html")]
pub struct ProblemsPage {
    pub layout: Layout,
    pub rows: Vec<Problem>,
    pub total: i64,
    pub tabs: Vec<Tab>,
    pub orgs: Vec<Choice>,
    pub sources: Vec<Choice>,
    pub f: ListForm,
    pub overdue: Vec<OverdueMeasure>,
    pub overdue_total: i64,
    /// More overdue measures than listed.
    pub overdue_more: bool,
    pub overdue_href: String,
    pub batch: Option<ProblemBatch>,
    pub page: i64,
    pub pages: i64,
    pub prev_href: String,
    pub next_href: String,
    pub can_record: bool,
    pub excel: super::excel::ExcelBar,
}

const PER_PAGE: i64 = 50;

pub async fn index(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ListQuery>,
) -> PageResult {
    let scope = user.perms.scope(Action::ViewOrgs);
    let today = Day::today();
    let mut filter = ProblemFilter::new(scope.clone(), today);
    let mut form = ListForm::default();
    // Filters that do not apply (unknown or out of view) are dropped, not errors.
    let mut org_path = None;
    if let Some(org) = q.org.as_deref().filter(|o| !o.is_empty()) {
        if let Ok(o) = manage::org_by_ref(&state, org).await {
            if user.perms.can(Action::ViewOrgs, &o.path) {
                form.org = o.id.to_string();
                org_path = Some(o.path.clone());
                filter.org = Some(o.path);
            }
        }
    }
    if let Some(s) = q.source.as_deref().filter(|s| !s.is_empty()) {
        if let Ok(code) = manage::parse_source(&state, s).await {
            form.source = code.clone();
            filter.source = Some(code);
        }
    }
    if let Some(s) = q.status.as_deref().filter(|s| !s.is_empty()) {
        if let Ok(st) = ProblemStatus::parse(s) {
            form.status = st.code().to_string();
            filter.status = Some(st);
        }
    }
    let mut batch = None;
    if let Some(b) = q.batch.as_deref().filter(|b| !b.is_empty()) {
        if let Ok(found) = manage::visible_batch(&state, &user, b).await {
            form.batch = found.id.to_string();
            filter.batch_id = Some(found.id);
            batch = Some(found);
        }
    }
    form.overdue = q.overdue.as_deref() == Some("1");
    filter.overdue_only = form.overdue;
    form.mine = q.mine.as_deref() == Some("1");
    filter.measure_owner = form.mine.then_some(user.account.id);
    form.voided = q.voided.as_deref() == Some("1");
    filter.voided = form.voided;
    form.q = q.q.clone().unwrap_or_default().chars().take(50).collect();
    filter.text = Some(form.q.clone()).filter(|t| !t.trim().is_empty());
    let page_no = q
        .page
        .as_deref()
        .and_then(|p| p.parse::<i64>().ok())
        .unwrap_or(1)
        .clamp(1, 100_000);
    filter.page = page_no;
    filter.per_page = PER_PAGE;
    // The ledger, its overdue measures and the filter's choices are independent reads: on
    // PostgreSQL they run on separate connections at once.
    let (list, (overdue, overdue_total), orgs, sources) = tokio::try_join!(
        async { Ok::<_, AppError>(state.store.problems(&filter).await?) },
        async {
            Ok::<_, AppError>(
                state
                    .store
                    .overdue_measures(&scope, org_path.as_ref(), filter.measure_owner, today, 10)
                    .await?,
            )
        },
        org_choices(&state, &user, Action::ViewOrgs),
        source_choices(&state),
    )?;
    let pages = ((list.total + PER_PAGE - 1) / PER_PAGE).max(1);
    let all_count: i64 = list.by_status.iter().map(|(_, n)| n).sum();
    let mut tabs = vec![Tab {
        label: "全部",
        count: all_count,
        href: ListForm {
            status: String::new(),
            ..form.clone()
        }
        .href(1),
        active: form.status.is_empty(),
        class: "",
    }];
    for (s, n) in &list.by_status {
        tabs.push(Tab {
            label: s.label(),
            count: *n,
            href: ListForm {
                status: s.code().to_string(),
                ..form.clone()
            }
            .href(1),
            active: form.status == s.code(),
            class: s.code(),
        });
    }
    let excel = super::excel::ExcelBar::new(&user, "/problems", &query_string(&form.pairs()));
    let page = ProblemsPage {
        excel,
        layout: Layout::new(&user, "problems", "问题整改")
            .with_notice(notice_text(q.notice.as_deref())),
        total: list.total,
        rows: list.rows,
        tabs,
        orgs,
        sources,
        overdue_href: ListForm {
            overdue: true,
            ..form.clone()
        }
        .href(1),
        prev_href: form.href(page_no - 1),
        next_href: form.href(page_no + 1),
        f: form,
        overdue_more: overdue_total > overdue.len() as i64,
        overdue,
        overdue_total,
        batch,
        page: page_no,
        pages,
        can_record: user.perms.can_somewhere(Action::RecordWork),
    };
    Ok(render(&page))
}

/// One measure row of the new-problem form, as typed.
#[derive(Default, Clone)]
pub struct MeasureRow {
    pub description: String,
    pub owner: String,
    pub deadline: String,
}

#[derive(Default, Clone)]
pub struct NewForm {
    pub org: String,
    pub source: String,
    pub category: String,
    pub description: String,
    pub found_on: String,
    pub record_id: String,
    pub measures: Vec<MeasureRow>,
}

#[derive(Template)]
#[template(path = "problem_new.html")]
pub struct NewPage {
    pub layout: Layout,
    pub form: NewForm,
    pub error: super::FieldError,
    pub orgs: Vec<Choice>,
    pub sources: Vec<Choice>,
    pub categories: Vec<&'static str>,
}

#[derive(Deserialize, Default)]
pub struct NewQuery {
    pub org: Option<String>,
    pub record: Option<String>,
    pub source: Option<String>,
}

async fn new_page(
    state: &AppState,
    user: &CurrentUser,
    form: NewForm,
    error: Option<Invalid>,
) -> PageResult {
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = NewPage {
        layout: Layout::new(user, "problems", "录入问题"),
        form,
        error: super::FieldError(error),
        orgs: org_choices(state, user, Action::RecordWork).await?,
        sources: source_choices(state).await?,
        categories: categories(),
    };
    Ok(render_status(&page, status))
}

pub async fn new_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<NewQuery>,
) -> PageResult {
    let mut form = NewForm {
        org: q.org.unwrap_or_default(),
        source: q.source.unwrap_or_else(|| "self_check".into()),
        found_on: Day::today().text(),
        record_id: q.record.unwrap_or_default(),
        ..Default::default()
    };
    form.measures = vec![MeasureRow::default(); 3];
    new_page(&state, &user, form, None).await
}

pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    PageForm(fields): PageForm<Vec<(String, String)>>,
) -> PageResult {
    let f = Fields(fields);
    let descriptions = f.all("m_description");
    let owners = f.all("m_owner");
    let deadlines = f.all("m_deadline");
    let rows: Vec<MeasureRow> = (0..descriptions.len().max(deadlines.len()).min(20))
        .map(|i| MeasureRow {
            description: descriptions.get(i).cloned().unwrap_or_default(),
            owner: owners.get(i).cloned().unwrap_or_default(),
            deadline: deadlines.get(i).cloned().unwrap_or_default(),
        })
        .collect();
    let form = NewForm {
        org: f.get("org"),
        source: f.get("source"),
        category: f.get("category"),
        description: f.get("description"),
        found_on: f.get("found_on"),
        record_id: f.get("record_id"),
        measures: rows,
    };
    let result = async {
        let org =
            manage::org_for_recording(&user, manage::org_by_ref(&state, &form.org).await, "org")?;
        let record_id = match form.record_id.trim() {
            "" => None,
            t => Some(
                t.parse::<i64>()
                    .map_err(|_| Invalid::new("record_id", "关联纪实应填写纪实编号（数字）"))?,
            ),
        };
        let measures = form
            .measures
            .iter()
            .filter(|m| {
                !(m.description.trim().is_empty()
                    && m.owner.trim().is_empty()
                    && m.deadline.trim().is_empty())
            })
            .map(|m| MeasureInput {
                label: None,
                description: m.description.clone(),
                owner: OwnerInput::Guess(m.owner.clone()),
                deadline: m.deadline.clone(),
            })
            .collect();
        manage::create(
            &state,
            &user,
            &org,
            ProblemInput {
                source: form.source.clone(),
                category: form.category.clone(),
                description: form.description.clone(),
                found_on: form.found_on.clone(),
                record_id,
                measures,
            },
        )
        .await
    }
    .await;
    match result {
        Ok(p) => Ok(Redirect::to(&format!("/problems/{}?notice=created", p.id)).into_response()),
        Err(AppError::Invalid(inv)) => {
            let mut form = form;
            while form.measures.len() < 3 {
                form.measures.push(MeasureRow::default());
            }
            new_page(&state, &user, form, Some(inv)).await
        }
        Err(e) => Err(e.into()),
    }
}

/// A problem of a batch as shown in the preview.
pub struct PreviewRow {
    pub line: usize,
    pub org_name: String,
    pub category: String,
    pub description: String,
    pub measures: Vec<PreviewMeasure>,
}

pub struct PreviewMeasure {
    pub line: usize,
    pub description: String,
    pub owner: String,
    pub linked: bool,
    pub deadline: String,
}

#[derive(Default, Clone)]
pub struct BatchForm {
    pub org: String,
    pub source: String,
    pub title: String,
    pub received_on: String,
    pub lines: String,
}

#[derive(Template)]
#[template(path = "problem_batch_new.html")]
pub struct BatchPage {
    pub layout: Layout,
    pub form: BatchForm,
    pub error: super::FieldError,
    /// Lines that could not be read: (line number, message).
    pub line_errors: Vec<(usize, String)>,
    pub preview: Vec<PreviewRow>,
    pub preview_measures: usize,
    pub orgs: Vec<Choice>,
    pub sources: Vec<Choice>,
}

async fn batch_page(
    state: &AppState,
    user: &CurrentUser,
    form: BatchForm,
    error: Option<Invalid>,
    line_errors: Vec<(usize, String)>,
    preview: Vec<PreviewRow>,
) -> PageResult {
    let status = if error.is_some() || !line_errors.is_empty() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = BatchPage {
        layout: Layout::new(user, "problems", "批量录入反馈问题"),
        preview_measures: preview.iter().map(|p| p.measures.len()).sum(),
        form,
        error: super::FieldError(error),
        line_errors,
        preview,
        orgs: org_choices(state, user, Action::RecordWork).await?,
        sources: source_choices(state).await?,
    };
    Ok(render_status(&page, status))
}

pub async fn batch_form(State(state): State<AppState>, user: CurrentUser) -> PageResult {
    let form = BatchForm {
        source: "inspection_tour".into(),
        received_on: Day::today().text(),
        ..Default::default()
    };
    batch_page(&state, &user, form, None, Vec::new(), Vec::new()).await
}

/// Previews (`step=preview`) or records (`step=save`) one inspection's feedback typed one
/// problem a line.
pub async fn batch_create(
    State(state): State<AppState>,
    user: CurrentUser,
    PageForm(fields): PageForm<Vec<(String, String)>>,
) -> PageResult {
    let f = Fields(fields);
    let form = BatchForm {
        org: f.get("org"),
        source: f.get("source"),
        title: f.get("title"),
        received_on: f.get("received_on"),
        lines: f.get("lines"),
    };
    let save = f.get("step") == "save";
    let (lines, errors) = parse_batch_text(&form.lines);
    if !errors.is_empty() {
        let errors = errors.into_iter().map(|e| (e.line, e.message)).collect();
        return batch_page(&state, &user, form, None, errors, Vec::new()).await;
    }
    let checked = async {
        let org =
            manage::org_for_recording(&user, manage::org_by_ref(&state, &form.org).await, "org")?;
        let problems = lines
            .iter()
            .map(|l| BatchProblemInput {
                label: Some(format!("第{}行", l.line)),
                org: None,
                category: l.category.clone(),
                description: l.description.clone(),
                found_on: String::new(),
                measures: l
                    .measures
                    .iter()
                    .map(|m| MeasureInput {
                        label: Some(format!("第{}行", m.line)),
                        description: m.description.clone(),
                        owner: OwnerInput::Guess(m.owner.clone()),
                        deadline: m.deadline.text(),
                    })
                    .collect(),
            })
            .collect();
        manage::check_batch(
            &state,
            &user,
            &org,
            BatchInput {
                source: form.source.clone(),
                title: form.title.clone(),
                received_on: form.received_on.clone(),
            },
            problems,
        )
        .await
    }
    .await;
    let checked = match checked {
        Ok(c) => c,
        Err(AppError::Invalid(inv)) => {
            return batch_page(&state, &user, form, Some(inv), Vec::new(), Vec::new()).await
        }
        Err(e) => return Err(e.into()),
    };
    if save {
        return match manage::create_batch(&state, &user, checked).await {
            Ok((batch, _)) => Ok(Redirect::to(&format!(
                "/problems?batch={}&notice=batch_created",
                batch.id
            ))
            .into_response()),
            Err(AppError::Invalid(inv)) => {
                batch_page(&state, &user, form, Some(inv), Vec::new(), Vec::new()).await
            }
            Err(e) => Err(e.into()),
        };
    }
    let preview = lines
        .iter()
        .zip(checked.new.problems.iter())
        .zip(checked.org_names.iter())
        .map(|((l, p), org_name)| PreviewRow {
            line: l.line,
            org_name: org_name.clone(),
            category: p.category.clone(),
            description: p.description.clone(),
            measures: l
                .measures
                .iter()
                .zip(p.measures.iter())
                .map(|(typed, m)| PreviewMeasure {
                    line: typed.line,
                    description: m.description.clone(),
                    owner: typed.owner.clone(),
                    linked: m.owner_account_id.is_some(),
                    deadline: m.deadline.text(),
                })
                .collect(),
        })
        .collect();
    batch_page(&state, &user, form, None, Vec::new(), preview).await
}

/// A file size as shown beside a file: 字节, KB or MB.
pub fn size_text(bytes: &i64) -> String {
    let b = *bytes as f64;
    if *bytes < 1024 {
        format!("{bytes} 字节")
    } else if b < 1024.0 * 1024.0 {
        format!("{:.1} KB", b / 1024.0)
    } else {
        format!("{:.1} MB", b / 1024.0 / 1024.0)
    }
}

/// The hint in a move's note field.
pub fn note_hint(t: &zeren_domain::problems::Transition) -> &'static str {
    use zeren_domain::problems::Transition::*;
    match t {
        Close => "审核意见（选填）",
        Return => "退回原因（选填）",
        RecheckHolds | Reopen => "回头看情况（选填）",
        Start | Submit => "说明（选填）",
    }
}

/// A measure with what its row shows.
pub struct MeasureView {
    pub m: Measure,
    pub overdue: bool,
    pub evidence: Vec<AttachmentLink>,
}

/// A refused action on the problem's page, shown in the part of the page it came from.
pub struct SectionError {
    pub section: String,
    pub message: String,
}

impl SectionError {
    pub fn at(&self, section: &str) -> bool {
        self.section == section
    }

    pub fn at_measure(&self, id: &i64) -> bool {
        self.section == format!("measure-{id}")
    }
}

#[derive(Default, Clone)]
pub struct EditForm {
    pub source: String,
    pub category: String,
    pub description: String,
    pub found_on: String,
}

#[derive(Template)]
#[template(path = "problem_show.html")]
pub struct ShowPage {
    pub layout: Layout,
    pub p: Problem,
    pub batch: Option<ProblemBatch>,
    pub measures: Vec<MeasureView>,
    pub voided_measures: Vec<Measure>,
    pub evidence: Vec<AttachmentLink>,
    pub events: Vec<ProblemEvent>,
    pub moves: Vec<Move>,
    pub can_record: bool,
    pub can_edit: bool,
    pub measures_open: bool,
    pub error: Option<SectionError>,
    pub today: String,
    pub sources: Vec<Choice>,
    pub categories: Vec<&'static str>,
    pub form: EditForm,
}

async fn show_page(
    state: &AppState,
    user: &CurrentUser,
    p: Problem,
    error: Option<SectionError>,
    form: Option<EditForm>,
    notice: Option<String>,
) -> PageResult {
    let today = Day::today();
    let all = state.store.problem_measures(p.id, true).await?;
    let mut measures = Vec::new();
    let mut voided_measures = Vec::new();
    for m in all {
        if m.voided {
            voided_measures.push(m);
            continue;
        }
        let evidence = state.store.attachments_of("measure", m.id).await?;
        measures.push(MeasureView {
            overdue: m.is_overdue(today),
            m,
            evidence,
        });
    }
    let batch = match p.batch_id {
        Some(b) => state.store.problem_batch(b).await.ok(),
        None => None,
    };
    let can_record = user.perms.can(Action::RecordWork, &p.org_path) && !p.voided;
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = ShowPage {
        layout: Layout::new(user, "problems", format!("问题 #{}", p.id)).with_notice(notice),
        batch,
        measures,
        voided_measures,
        evidence: state.store.attachments_of("problem", p.id).await?,
        events: state.store.problem_events(p.id).await?,
        moves: manage::moves(user, &p),
        can_edit: can_record && p.status != ProblemStatus::Closed,
        measures_open: can_record
            && matches!(p.status, ProblemStatus::Pending | ProblemStatus::InProgress),
        can_record,
        error,
        today: today.text(),
        sources: source_choices(state).await?,
        categories: categories(),
        form: form.unwrap_or_else(|| EditForm {
            source: p.source_code.clone(),
            category: p.category.clone(),
            description: p.description.clone(),
            found_on: p.found_on.clone(),
        }),
        p,
    };
    Ok(render_status(&page, status))
}

pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(q): Query<super::NoticeQuery>,
) -> PageResult {
    let p = manage::visible(&state, &user, &id).await?;
    show_page(
        &state,
        &user,
        p,
        None,
        None,
        notice_text(q.notice.as_deref()),
    )
    .await
}

/// The outcome of an action on the problem's page: back to the page with a notice, or the
/// page again with the refusal shown in its section.
async fn after(
    state: &AppState,
    user: &CurrentUser,
    problem_id: i64,
    section: String,
    result: Result<&'static str, AppError>,
    form: Option<EditForm>,
) -> PageResult {
    match result {
        Ok(notice) => Ok(Redirect::to(&format!(
            "/problems/{problem_id}?notice={notice}#{section}"
        ))
        .into_response()),
        Err(AppError::Invalid(inv)) => {
            let p = state.store.problem(problem_id).await?;
            show_page(
                state,
                user,
                p,
                Some(SectionError {
                    section,
                    message: inv.message,
                }),
                form,
                None,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn update(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    PageForm(fields): PageForm<Vec<(String, String)>>,
) -> PageResult {
    let p = manage::visible(&state, &user, &id).await?;
    let f = Fields(fields);
    let form = EditForm {
        source: f.get("source"),
        category: f.get("category"),
        description: f.get("description"),
        found_on: f.get("found_on"),
    };
    let result = manage::update(
        &state,
        &user,
        &p,
        ProblemEdit {
            source: Some(form.source.clone()),
            category: Some(form.category.clone()),
            description: Some(form.description.clone()),
            found_on: Some(form.found_on.clone()),
        },
    )
    .await
    .map(|_| "saved");
    after(&state, &user, p.id, "edit".into(), result, Some(form)).await
}

pub async fn void(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    PageForm(fields): PageForm<Vec<(String, String)>>,
) -> PageResult {
    let p = manage::visible(&state, &user, &id).await?;
    let result = manage::void(&state, &user, &p, &Fields(fields).get("reason"))
        .await
        .map(|_| "voided");
    after(&state, &user, p.id, "void".into(), result, None).await
}

pub async fn add_measure(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    PageForm(fields): PageForm<Vec<(String, String)>>,
) -> PageResult {
    let p = manage::visible(&state, &user, &id).await?;
    let f = Fields(fields);
    let result = manage::add_measure(
        &state,
        &user,
        &p,
        MeasureInput {
            label: None,
            description: f.get("description"),
            owner: OwnerInput::Guess(f.get("owner")),
            deadline: f.get("deadline"),
        },
    )
    .await
    .map(|_| "measure_added");
    after(&state, &user, p.id, "measure-new".into(), result, None).await
}

pub async fn transition(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    PageForm(fields): PageForm<Vec<(String, String)>>,
) -> PageResult {
    let p = manage::visible(&state, &user, &id).await?;
    let f = Fields(fields);
    let result = manage::transition(
        &state,
        &user,
        &p,
        &f.get("action"),
        &f.get("note"),
        &f.get("date"),
    )
    .await
    .map(|_| "moved");
    after(&state, &user, p.id, "moves".into(), result, None).await
}

/// Files sent to a page upload: an unreadable upload is shown like any other refusal.
async fn page_files(multipart: Upload) -> Result<Vec<(String, Vec<u8>)>, AppError> {
    read_files(multipart).await.map_err(|e| e.0)
}

pub async fn attach_problem(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    multipart: Upload,
) -> PageResult {
    let p = manage::visible(&state, &user, &id).await?;
    let result = match page_files(multipart).await {
        Ok(files) => manage::attach(&state, &user, EvidenceTarget::Problem(&p), files)
            .await
            .map(|_| "evidence_added"),
        Err(e) => Err(e),
    };
    after(&state, &user, p.id, "evidence".into(), result, None).await
}

pub async fn update_measure(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    PageForm(fields): PageForm<Vec<(String, String)>>,
) -> PageResult {
    let (m, p) = manage::visible_measure(&state, &user, &id).await?;
    let f = Fields(fields);
    let result = manage::update_measure(
        &state,
        &user,
        &m,
        &p,
        MeasureEdit {
            description: Some(f.get("description")),
            owner: Some(OwnerInput::Guess(f.get("owner"))),
            deadline: Some(f.get("deadline")),
        },
    )
    .await
    .map(|_| "saved");
    after(
        &state,
        &user,
        p.id,
        format!("measure-{}", m.id),
        result,
        None,
    )
    .await
}

pub async fn complete_measure(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    PageForm(fields): PageForm<Vec<(String, String)>>,
) -> PageResult {
    let (m, p) = manage::visible_measure(&state, &user, &id).await?;
    let f = Fields(fields);
    let result = manage::complete_measure(&state, &user, &m, &p, &f.get("date"), &f.get("note"))
        .await
        .map(|_| "measure_done");
    after(
        &state,
        &user,
        p.id,
        format!("measure-{}", m.id),
        result,
        None,
    )
    .await
}

pub async fn void_measure(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    PageForm(fields): PageForm<Vec<(String, String)>>,
) -> PageResult {
    let (m, p) = manage::visible_measure(&state, &user, &id).await?;
    let result = manage::void_measure(&state, &user, &m, &p, &Fields(fields).get("reason"))
        .await
        .map(|_| "voided");
    after(
        &state,
        &user,
        p.id,
        format!("measure-{}", m.id),
        result,
        None,
    )
    .await
}

pub async fn attach_measure(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    multipart: Upload,
) -> PageResult {
    let (m, p) = manage::visible_measure(&state, &user, &id).await?;
    let result = match page_files(multipart).await {
        Ok(files) => manage::attach(&state, &user, EvidenceTarget::Measure(&m, &p), files)
            .await
            .map(|_| "evidence_added"),
        Err(e) => Err(e),
    };
    after(
        &state,
        &user,
        p.id,
        format!("measure-{}", m.id),
        result,
        None,
    )
    .await
}
