//! 廉政风险: the register of integrity risk points, a new risk point, and a risk point's page
//! with its control measures and yearly review.

use super::problems::{org_choices, query_string, Choice, Fields, SectionError};
use super::{notice_text, render, render_status, FieldError, Layout, PageForm, PageResult};
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::extract::{Path, Query};
use crate::manage::problems::{org_by_ref, org_for_recording};
use crate::manage::risks::{self as manage, parse_score, RiskEdit, RiskInput};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;
use zeren_domain::date::Day;
use zeren_domain::permissions::Action;
use zeren_domain::risks::{RiskLevel, SubjectKind};
use zeren_domain::Invalid;
use zeren_storage::{RiskFilter, RiskMeasure, RiskPoint};

fn kind_choices() -> Vec<Choice> {
    SubjectKind::ALL
        .into_iter()
        .map(|k| Choice {
            value: k.code().into(),
            label: k.label().into(),
        })
        .collect()
}

fn level_choices() -> Vec<Choice> {
    RiskLevel::ALL
        .into_iter()
        .map(|l| Choice {
            value: l.code().into(),
            label: format!("{}风险", l.label()),
        })
        .collect()
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    pub org: Option<String>,
    pub year: Option<String>,
    pub kind: Option<String>,
    pub level: Option<String>,
    pub voided: Option<String>,
    pub page: Option<String>,
    pub notice: Option<String>,
}

#[derive(Default, Clone)]
pub struct ListForm {
    pub org: String,
    pub year: String,
    pub kind: String,
    pub level: String,
    pub voided: bool,
}

impl ListForm {
    fn href(&self, page: i64) -> String {
        let mut pairs = vec![
            ("org", self.org.clone()),
            ("year", self.year.clone()),
            ("kind", self.kind.clone()),
            ("level", self.level.clone()),
            (
                "voided",
                if self.voided {
                    "1".into()
                } else {
                    String::new()
                },
            ),
        ];
        if page > 1 {
            pairs.push(("page", page.to_string()));
        }
        format!("/risks{}", query_string(&pairs))
    }
}

pub struct RiskRow {
    pub r: RiskPoint,
    pub review_due: bool,
}

#[derive(Template)]
#[template(path = "risks.html")]
pub struct RisksPage {
    pub layout: Layout,
    pub rows: Vec<RiskRow>,
    pub total: i64,
    pub f: ListForm,
    pub orgs: Vec<Choice>,
    pub kinds: Vec<Choice>,
    pub levels: Vec<Choice>,
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
    let mut filter = RiskFilter::new(user.perms.scope(Action::ViewOrgs));
    let mut form = ListForm::default();
    if let Some(org) = q.org.as_deref().filter(|o| !o.is_empty()) {
        if let Ok(o) = org_by_ref(&state, org).await {
            if user.perms.can(Action::ViewOrgs, &o.path) {
                form.org = o.id.to_string();
                filter.org = Some(o.path);
            }
        }
    }
    if let Some(y) = q
        .year
        .as_deref()
        .and_then(|y| y.trim().parse::<i32>().ok())
        .filter(|y| (1949..=2100).contains(y))
    {
        form.year = y.to_string();
        filter.year = Some(y);
    }
    if let Some(k) = q.kind.as_deref().and_then(|k| SubjectKind::parse(k).ok()) {
        form.kind = k.code().into();
        filter.kind = Some(k);
    }
    if let Some(l) = q.level.as_deref().and_then(|l| RiskLevel::parse(l).ok()) {
        form.level = l.code().into();
        filter.level = Some(l);
    }
    form.voided = q.voided.as_deref() == Some("1");
    filter.voided = form.voided;
    let page_no = q
        .page
        .as_deref()
        .and_then(|p| p.parse::<i64>().ok())
        .unwrap_or(1)
        .clamp(1, 100_000);
    filter.page = page_no;
    filter.per_page = PER_PAGE;
    let list = state.store.risks(&filter).await?;
    let excel = super::excel::ExcelBar::new(
        &user,
        "/risks",
        &query_string(&[
            ("org", form.org.clone()),
            ("year", form.year.clone()),
            ("kind", form.kind.clone()),
            ("level", form.level.clone()),
        ]),
    );
    let page = RisksPage {
        excel,
        layout: Layout::new(&user, "risks", "廉政风险")
            .with_notice(notice_text(q.notice.as_deref())),
        pages: ((list.total + PER_PAGE - 1) / PER_PAGE).max(1),
        total: list.total,
        rows: list
            .rows
            .into_iter()
            .map(|r| RiskRow {
                review_due: !r.voided && r.review_due(Day::today()),
                r,
            })
            .collect(),
        prev_href: form.href(page_no - 1),
        next_href: form.href(page_no + 1),
        f: form,
        orgs: org_choices(&state, &user, Action::ViewOrgs).await?,
        kinds: kind_choices(),
        levels: level_choices(),
        page: page_no,
        can_record: user.perms.can_somewhere(Action::RecordWork),
    };
    Ok(render(&page))
}

#[derive(Default, Clone)]
pub struct MeasureRow {
    pub description: String,
    pub owner: String,
}

#[derive(Default, Clone)]
pub struct NewForm {
    pub org: String,
    pub subject_kind: String,
    pub subject: String,
    pub description: String,
    pub level: String,
    pub likelihood: String,
    pub impact: String,
    pub identified_on: String,
    pub measures: Vec<MeasureRow>,
}

#[derive(Template)]
#[template(path = "risk_new.html")]
pub struct NewPage {
    pub layout: Layout,
    pub form: NewForm,
    pub error: FieldError,
    pub orgs: Vec<Choice>,
    pub kinds: Vec<Choice>,
    pub levels: Vec<Choice>,
    pub scores: Vec<i64>,
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
        layout: Layout::new(user, "risks", "登记廉政风险点"),
        form,
        error: FieldError(error),
        orgs: org_choices(state, user, Action::RecordWork).await?,
        kinds: kind_choices(),
        levels: level_choices(),
        scores: (1..=5).collect(),
    };
    Ok(render_status(&page, status))
}

pub async fn new_form(State(state): State<AppState>, user: CurrentUser) -> PageResult {
    let form = NewForm {
        subject_kind: "post".into(),
        identified_on: Day::today().text(),
        measures: vec![MeasureRow::default(); 3],
        ..Default::default()
    };
    new_page(&state, &user, form, None).await
}

pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    PageForm(fields): PageForm<Vec<(String, String)>>,
) -> PageResult {
    let f = Fields(fields);
    let descriptions = f.all("rm_description");
    let owners = f.all("rm_owner");
    let form = NewForm {
        org: f.get("org"),
        subject_kind: f.get("subject_kind"),
        subject: f.get("subject"),
        description: f.get("description"),
        level: f.get("level"),
        likelihood: f.get("likelihood"),
        impact: f.get("impact"),
        identified_on: f.get("identified_on"),
        measures: (0..descriptions.len().min(20))
            .map(|i| MeasureRow {
                description: descriptions[i].clone(),
                owner: owners.get(i).cloned().unwrap_or_default(),
            })
            .collect(),
    };
    let result = async {
        let org = org_for_recording(&user, org_by_ref(&state, &form.org).await, "org")?;
        manage::create(
            &state,
            &user,
            &org,
            RiskInput {
                subject_kind: form.subject_kind.clone(),
                subject: form.subject.clone(),
                description: form.description.clone(),
                level: form.level.clone(),
                likelihood: parse_score("likelihood", "发生可能性", &form.likelihood)?,
                impact: parse_score("impact", "影响程度", &form.impact)?,
                identified_on: form.identified_on.clone(),
                measures: form
                    .measures
                    .iter()
                    .filter(|m| !(m.description.trim().is_empty() && m.owner.trim().is_empty()))
                    .map(|m| (m.description.clone(), m.owner.clone()))
                    .collect(),
            },
        )
        .await
    }
    .await;
    match result {
        Ok(r) => Ok(Redirect::to(&format!("/risks/{}?notice=created", r.id)).into_response()),
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

#[derive(Default, Clone)]
pub struct EditForm {
    pub subject_kind: String,
    pub subject: String,
    pub description: String,
    pub level: String,
    pub likelihood: String,
    pub impact: String,
    pub identified_on: String,
}

#[derive(Template)]
#[template(path = "risk_show.html")]
pub struct ShowPage {
    pub layout: Layout,
    pub r: RiskPoint,
    pub measures: Vec<RiskMeasure>,
    pub voided_measures: Vec<RiskMeasure>,
    pub review_due: bool,
    pub can_record: bool,
    pub error: Option<SectionError>,
    pub today: String,
    pub form: EditForm,
    pub kinds: Vec<Choice>,
    pub levels: Vec<Choice>,
    pub scores: Vec<i64>,
}

async fn show_page(
    state: &AppState,
    user: &CurrentUser,
    r: RiskPoint,
    error: Option<SectionError>,
    form: Option<EditForm>,
    notice: Option<String>,
) -> PageResult {
    let (voided_measures, measures) = state
        .store
        .risk_measures(r.id, true)
        .await?
        .into_iter()
        .partition(|m| m.voided);
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let opt = |v: Option<i64>| v.map(|n| n.to_string()).unwrap_or_default();
    let page = ShowPage {
        layout: Layout::new(user, "risks", format!("风险点 #{}", r.id)).with_notice(notice),
        measures,
        voided_measures,
        review_due: !r.voided && r.review_due(Day::today()),
        can_record: !r.voided && user.perms.can(Action::RecordWork, &r.org_path),
        error,
        today: Day::today().text(),
        form: form.unwrap_or_else(|| EditForm {
            subject_kind: r.subject_kind.code().into(),
            subject: r.subject.clone(),
            description: r.description.clone(),
            level: r.level.code().into(),
            likelihood: opt(r.likelihood),
            impact: opt(r.impact),
            identified_on: r.identified_on.clone(),
        }),
        kinds: kind_choices(),
        levels: level_choices(),
        scores: (1..=5).collect(),
        r,
    };
    Ok(render_status(&page, status))
}

pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(q): Query<super::NoticeQuery>,
) -> PageResult {
    let r = manage::visible(&state, &user, &id).await?;
    show_page(
        &state,
        &user,
        r,
        None,
        None,
        notice_text(q.notice.as_deref()),
    )
    .await
}

async fn after(
    state: &AppState,
    user: &CurrentUser,
    risk_id: i64,
    section: &str,
    result: Result<&'static str, AppError>,
    form: Option<EditForm>,
) -> PageResult {
    match result {
        Ok(notice) => Ok(
            Redirect::to(&format!("/risks/{risk_id}?notice={notice}#{section}")).into_response(),
        ),
        Err(AppError::Invalid(inv)) => {
            let r = state.store.risk(risk_id).await?;
            show_page(
                state,
                user,
                r,
                Some(SectionError {
                    section: section.into(),
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
    let r = manage::visible(&state, &user, &id).await?;
    let f = Fields(fields);
    let form = EditForm {
        subject_kind: f.get("subject_kind"),
        subject: f.get("subject"),
        description: f.get("description"),
        level: f.get("level"),
        likelihood: f.get("likelihood"),
        impact: f.get("impact"),
        identified_on: f.get("identified_on"),
    };
    let result = async {
        let edit = RiskEdit {
            subject_kind: Some(form.subject_kind.clone()),
            subject: Some(form.subject.clone()),
            description: Some(form.description.clone()),
            level: Some(form.level.clone()),
            likelihood: parse_score("likelihood", "发生可能性", &form.likelihood)?,
            impact: parse_score("impact", "影响程度", &form.impact)?,
            identified_on: Some(form.identified_on.clone()),
        };
        manage::update(&state, &user, &r, edit)
            .await
            .map(|_| "saved")
    }
    .await;
    after(&state, &user, r.id, "edit", result, Some(form)).await
}

pub async fn void(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    PageForm(fields): PageForm<Vec<(String, String)>>,
) -> PageResult {
    let r = manage::visible(&state, &user, &id).await?;
    let result = manage::void(&state, &user, &r, &Fields(fields).get("reason"))
        .await
        .map(|_| "voided");
    after(&state, &user, r.id, "void", result, None).await
}

pub async fn review(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    PageForm(fields): PageForm<Vec<(String, String)>>,
) -> PageResult {
    let r = manage::visible(&state, &user, &id).await?;
    let result = manage::review(&state, &user, &r, &Fields(fields).get("date"))
        .await
        .map(|_| "reviewed");
    after(&state, &user, r.id, "review", result, None).await
}

pub async fn add_measure(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    PageForm(fields): PageForm<Vec<(String, String)>>,
) -> PageResult {
    let r = manage::visible(&state, &user, &id).await?;
    let f = Fields(fields);
    let result = manage::add_measure(&state, &user, &r, &f.get("description"), &f.get("owner"))
        .await
        .map(|_| "measure_added");
    after(&state, &user, r.id, "measures", result, None).await
}

pub async fn void_measure(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    PageForm(fields): PageForm<Vec<(String, String)>>,
) -> PageResult {
    let (m, r) = manage::visible_measure(&state, &user, &id).await?;
    let result = manage::void_measure(&state, &user, &m, &r, &Fields(fields).get("reason"))
        .await
        .map(|_| "voided");
    after(&state, &user, r.id, "measures", result, None).await
}
