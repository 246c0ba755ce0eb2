//! 执纪问责: discipline records, for 纪检 and 书记 only. Names appear on these pages and
//! nowhere else; URLs carry ids, notices carry fixed texts.

use super::problems::{org_choices, query_string, Choice, Fields, SectionError};
use super::{notice_text, render, render_status, FieldError, Layout, PageForm, PageResult};
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::extract::{Path, Query};
use crate::manage::discipline::{self as manage, DisciplineEdit, DisciplineInput};
use crate::manage::problems::org_by_ref;
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;
use zeren_domain::date::Day;
use zeren_domain::discipline::{form_label, SANCTIONS};
use zeren_domain::permissions::Action;
use zeren_domain::Invalid;
use zeren_storage::{DisciplineFilter, DisciplineRecord};

fn form_choices() -> Vec<Choice> {
    (1..=4)
        .map(|f| Choice {
            value: f.to_string(),
            label: form_label(f).into(),
        })
        .collect()
}

fn sanction_choices() -> Vec<Choice> {
    SANCTIONS
        .iter()
        .map(|(c, l)| Choice {
            value: c.to_string(),
            label: if c.is_empty() {
                "无处分".to_string()
            } else {
                l.to_string()
            },
        })
        .collect()
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    pub org: Option<String>,
    pub year: Option<String>,
    pub form: Option<String>,
    pub voided: Option<String>,
    pub page: Option<String>,
    pub notice: Option<String>,
}

#[derive(Default, Clone)]
pub struct ListForm {
    pub org: String,
    pub year: String,
    pub form: String,
    pub voided: bool,
}

impl ListForm {
    fn href(&self, page: i64) -> String {
        let mut pairs = vec![
            ("org", self.org.clone()),
            ("year", self.year.clone()),
            ("form", self.form.clone()),
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
        format!("/discipline{}", query_string(&pairs))
    }
}

pub struct FormStat {
    pub label: &'static str,
    pub count: i64,
    pub href: String,
    pub active: bool,
}

#[derive(Template)]
#[template(path = "discipline.html")]
pub struct ListPage {
    pub layout: Layout,
    pub rows: Vec<DisciplineRecord>,
    pub total: i64,
    pub stats: Vec<FormStat>,
    pub f: ListForm,
    pub orgs: Vec<Choice>,
    pub page: i64,
    pub pages: i64,
    pub prev_href: String,
    pub next_href: String,
    pub can_record: bool,
}

const PER_PAGE: i64 = 50;

pub async fn index(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ListQuery>,
) -> PageResult {
    let mut filter = DisciplineFilter::new(user.perms.scope(Action::ViewDiscipline));
    let mut form = ListForm::default();
    if let Some(org) = q.org.as_deref().filter(|o| !o.is_empty()) {
        if let Ok(o) = org_by_ref(&state, org).await {
            if user.perms.can(Action::ViewDiscipline, &o.path) {
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
    if let Some(f) = q
        .form
        .as_deref()
        .and_then(|f| f.trim().parse::<i64>().ok())
        .filter(|f| (1..=4).contains(f))
    {
        form.form = f.to_string();
        filter.form = Some(f);
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
    let list = state.store.discipline_records(&filter).await?;
    let stats = (1..=4)
        .map(|f| FormStat {
            label: form_label(f),
            count: list.by_form[(f - 1) as usize],
            href: ListForm {
                form: if form.form == f.to_string() {
                    String::new()
                } else {
                    f.to_string()
                },
                ..form.clone()
            }
            .href(1),
            active: form.form == f.to_string(),
        })
        .collect();
    let page = ListPage {
        layout: Layout::new(&user, "discipline", "执纪问责")
            .with_notice(notice_text(q.notice.as_deref())),
        pages: ((list.total + PER_PAGE - 1) / PER_PAGE).max(1),
        total: list.total,
        rows: list.rows,
        stats,
        prev_href: form.href(page_no - 1),
        next_href: form.href(page_no + 1),
        f: form,
        orgs: org_choices(&state, &user, Action::ViewDiscipline).await?,
        page: page_no,
        can_record: user.perms.can_somewhere(Action::RecordWork),
    };
    Ok(render(&page))
}

#[derive(Default, Clone)]
pub struct RecordForm {
    pub org: String,
    pub person_name: String,
    pub member_id: String,
    pub post: String,
    pub form: String,
    pub sanction: String,
    pub reason: String,
    pub decided_on: String,
}

impl RecordForm {
    fn from_fields(f: &Fields) -> Self {
        Self {
            org: f.get("org"),
            person_name: f.get("person_name"),
            member_id: f.get("member_id"),
            post: f.get("post"),
            form: f.get("form"),
            sanction: f.get("sanction"),
            reason: f.get("reason"),
            decided_on: f.get("decided_on"),
        }
    }

    fn member_id(&self) -> Result<Option<i64>, Invalid> {
        match self.member_id.trim() {
            "" => Ok(None),
            t => t
                .parse::<i64>()
                .ok()
                .filter(|n| *n > 0)
                .map(Some)
                .ok_or_else(|| Invalid::new("member_id", "党员编号应为数字")),
        }
    }
}

#[derive(Template)]
#[template(path = "discipline_new.html")]
pub struct NewPage {
    pub layout: Layout,
    pub form: RecordForm,
    pub fe: FieldError,
    pub orgs: Vec<Choice>,
    pub forms: Vec<Choice>,
    pub sanctions: Vec<Choice>,
}

async fn new_page(
    state: &AppState,
    user: &CurrentUser,
    form: RecordForm,
    error: Option<Invalid>,
) -> PageResult {
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = NewPage {
        layout: Layout::new(user, "discipline", "登记执纪问责"),
        form,
        fe: FieldError(error),
        orgs: org_choices(state, user, Action::ViewDiscipline).await?,
        forms: form_choices(),
        sanctions: sanction_choices(),
    };
    Ok(render_status(&page, status))
}

pub async fn new_form(State(state): State<AppState>, user: CurrentUser) -> PageResult {
    let form = RecordForm {
        form: "1".into(),
        decided_on: Day::today().text(),
        ..Default::default()
    };
    new_page(&state, &user, form, None).await
}

pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    PageForm(fields): PageForm<Vec<(String, String)>>,
) -> PageResult {
    let form = RecordForm::from_fields(&Fields(fields));
    let result = async {
        let org = manage::org_for_recording(&user, org_by_ref(&state, &form.org).await)?;
        manage::create(
            &state,
            &user,
            &org,
            DisciplineInput {
                person_name: form.person_name.clone(),
                member_id: form.member_id()?,
                post: form.post.clone(),
                form: form.form.clone(),
                sanction: form.sanction.clone(),
                reason: form.reason.clone(),
                decided_on: form.decided_on.clone(),
            },
        )
        .await
    }
    .await;
    match result {
        Ok(r) => Ok(Redirect::to(&format!("/discipline/{}?notice=created", r.id)).into_response()),
        Err(AppError::Invalid(inv)) => new_page(&state, &user, form, Some(inv)).await,
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "discipline_show.html")]
pub struct ShowPage {
    pub layout: Layout,
    pub r: DisciplineRecord,
    pub can_record: bool,
    pub error: Option<SectionError>,
    /// Field errors are shown in the section's alert on this page.
    pub fe: FieldError,
    pub form: RecordForm,
    pub forms: Vec<Choice>,
    pub sanctions: Vec<Choice>,
}

async fn show_page(
    user: &CurrentUser,
    r: DisciplineRecord,
    error: Option<SectionError>,
    form: Option<RecordForm>,
    notice: Option<String>,
) -> PageResult {
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = ShowPage {
        layout: Layout::new(user, "discipline", format!("执纪问责记录 #{}", r.id))
            .with_notice(notice),
        can_record: !r.voided
            && user.perms.can(Action::RecordWork, &r.org_path)
            && user.perms.can(Action::ViewDiscipline, &r.org_path),
        error,
        fe: FieldError(None),
        form: form.unwrap_or_else(|| RecordForm {
            org: r.org_id.to_string(),
            person_name: r.person_name.clone(),
            member_id: r.member_id.map(|m| m.to_string()).unwrap_or_default(),
            post: r.post.clone(),
            form: r.form.to_string(),
            sanction: r.sanction.clone(),
            reason: r.reason.clone(),
            decided_on: r.decided_on.clone(),
        }),
        forms: form_choices(),
        sanctions: sanction_choices(),
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
    show_page(&user, r, None, None, notice_text(q.notice.as_deref())).await
}

async fn after(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    section: &str,
    result: Result<&'static str, AppError>,
    form: Option<RecordForm>,
) -> PageResult {
    match result {
        Ok(notice) => {
            Ok(Redirect::to(&format!("/discipline/{id}?notice={notice}")).into_response())
        }
        Err(AppError::Invalid(inv)) => {
            let r = state.store.discipline_record(id).await?;
            show_page(
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
    let form = RecordForm::from_fields(&Fields(fields));
    let result = async {
        let edit = DisciplineEdit {
            person_name: Some(form.person_name.clone()),
            member_id: Some(form.member_id()?),
            post: Some(form.post.clone()),
            form: Some(form.form.clone()),
            sanction: Some(form.sanction.clone()),
            reason: Some(form.reason.clone()),
            decided_on: Some(form.decided_on.clone()),
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
