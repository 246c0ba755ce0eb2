//! 党员名册: the roster of the organizations a user may see; entries added, changed and
//! voided by those who record for the organization.

use super::records::{object_history, HistoryRow};
use super::{
    indented_choices, notice_text, render, render_status, FieldError, Layout, NoticeQuery,
    PageForm, PageResult,
};
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::extract::{Path, Query};
use crate::manage::{members, records};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;
use zeren_domain::date::Day;
use zeren_domain::members::{MemberStatus, MemberValues};
use zeren_domain::permissions::Action;
use zeren_domain::Invalid;
use zeren_storage::{Member, MemberQuery, Org};

const PAGE_SIZE: i64 = 30;

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

fn org_choices(orgs: &[Org], selected: &str) -> Vec<Choice> {
    indented_choices(orgs)
        .into_iter()
        .map(|(id, label)| Choice {
            selected: id.to_string() == selected,
            value: id.to_string(),
            label,
        })
        .collect()
}

fn status_choices(selected: &str) -> Vec<Choice> {
    MemberStatus::ALL
        .into_iter()
        .map(|s| Choice {
            value: s.code().to_string(),
            label: s.label().to_string(),
            selected: s.code() == selected,
        })
        .collect()
}

pub struct MemberRow {
    pub member: Member,
    pub age: String,
}

#[derive(Template)]
#[template(path = "members.html")]
pub struct MembersPage {
    pub layout: Layout,
    pub rows: Vec<MemberRow>,
    pub total: i64,
    pub page: i64,
    pub pages: i64,
    pub orgs: Vec<Choice>,
    pub statuses: Vec<Choice>,
    pub filter: MemberFilter,
    pub query: String,
    pub can_record: bool,
    pub excel: super::excel::ExcelBar,
}

#[derive(Deserialize, Default, serde::Serialize)]
pub struct MemberFilter {
    #[serde(default)]
    pub org: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub voided: String,
    #[serde(default, skip_serializing)]
    pub page: String,
    #[serde(default, skip_serializing)]
    pub notice: String,
}

pub async fn index(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(f): Query<MemberFilter>,
) -> PageResult {
    let visible = state
        .store
        .orgs_in(&user.perms.scope(Action::ViewOrgs))
        .await?;
    let chosen = zeren_storage::org_by_reference(&visible, &f.org);
    let roots = match chosen {
        Some(o) => vec![o.path.clone()],
        None => user.perms.scope(Action::ViewOrgs).roots,
    };
    let page = f
        .page
        .trim()
        .parse::<i64>()
        .unwrap_or(1)
        .clamp(1, 1_000_000);
    let result = state
        .store
        .members(&MemberQuery {
            roots,
            status: MemberStatus::parse(&f.status).ok(),
            name: Some(f.q.clone()),
            include_voided: f.voided == "1",
            limit: PAGE_SIZE,
            offset: (page - 1) * PAGE_SIZE,
        })
        .await?;
    let today = Day::today();
    let rows = result
        .rows
        .into_iter()
        .map(|m| MemberRow {
            age: m.age_on(today).map(|a| a.to_string()).unwrap_or_default(),
            member: m,
        })
        .collect();
    let view = MembersPage {
        layout: Layout::new(&user, "members", "党员名册")
            .with_notice(notice_text(Some(f.notice.as_str()))),
        rows,
        total: result.total,
        page,
        pages: ((result.total + PAGE_SIZE - 1) / PAGE_SIZE).max(1),
        orgs: org_choices(
            &visible,
            &chosen.map(|o| o.id.to_string()).unwrap_or_default(),
        ),
        statuses: status_choices(f.status.trim()),
        excel: super::excel::ExcelBar::new(
            &user,
            "/members",
            &serde_urlencoded::to_string(&f).unwrap_or_default(),
        ),
        query: serde_urlencoded::to_string(&f).unwrap_or_default(),
        filter: f,
        can_record: user.perms.can_somewhere(Action::RecordWork),
    };
    Ok(render(&view))
}

/// The form's fields as typed.
#[derive(Deserialize, Default, Clone)]
pub struct MemberForm {
    #[serde(default)]
    pub org_id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub gender: String,
    #[serde(default)]
    pub birth_date: String,
    #[serde(default)]
    pub joined_on: String,
    #[serde(default)]
    pub full_on: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub education: String,
    #[serde(default)]
    pub post: String,
    #[serde(default)]
    pub phone: String,
}

impl MemberForm {
    fn from_member(m: &Member) -> MemberForm {
        MemberForm {
            org_id: m.org_id.to_string(),
            name: m.name.clone(),
            gender: m.gender.clone(),
            birth_date: m.birth_date.clone().unwrap_or_default(),
            joined_on: m.joined_on.clone().unwrap_or_default(),
            full_on: m.full_on.clone().unwrap_or_default(),
            status: m.status.clone(),
            education: m.education.clone(),
            post: m.post.clone(),
            phone: m.phone.clone(),
        }
    }

    fn values(&self) -> Result<MemberValues, Invalid> {
        let day = |field: &'static str, t: &str| match t.trim() {
            "" => Ok(None),
            t => Day::parse(field, t).map(Some),
        };
        Ok(MemberValues {
            name: self.name.clone(),
            gender: self.gender.clone(),
            birth_date: day("birth_date", &self.birth_date)?,
            joined_on: day("joined_on", &self.joined_on)?,
            full_on: day("full_on", &self.full_on)?,
            status: MemberStatus::parse(&self.status)?,
            education: self.education.clone(),
            post: self.post.clone(),
            phone: self.phone.clone(),
        })
    }
}

#[derive(Template)]
#[template(path = "member_form.html")]
pub struct MemberPage {
    pub layout: Layout,
    /// `None` for a new entry.
    pub member: Option<Member>,
    pub can_write: bool,
    pub form: MemberForm,
    pub orgs: Vec<Choice>,
    /// The chosen organization is among `orgs`.
    pub org_listed: bool,
    pub statuses: Vec<Choice>,
    pub error: FieldError,
    pub history: Vec<HistoryRow>,
    pub today: String,
}

const MEMBER_LABELS: &[(&str, &str)] = &[
    ("org_name", "组织"),
    ("name", "姓名"),
    ("gender", "性别"),
    ("birth_date", "出生日期"),
    ("joined_on", "入党日期"),
    ("full_on", "转正日期"),
    ("status", "状态"),
    ("education", "学历"),
    ("post", "职务"),
    ("phone", "联系电话"),
    ("void_reason", "作废原因"),
];

async fn page(
    state: &AppState,
    user: &CurrentUser,
    member: Option<Member>,
    form: MemberForm,
    error: Option<Invalid>,
    notice: Option<String>,
) -> PageResult {
    let recordable: Vec<Org> = state
        .store
        .orgs_in(&user.perms.scope(Action::RecordWork))
        .await?;
    let can_write = match &member {
        Some(m) => user.perms.can(Action::RecordWork, &m.path()) && !m.voided,
        None => true,
    };
    let history = match &member {
        Some(m) => object_history(state, "member", m.id, MEMBER_LABELS).await?,
        None => Vec::new(),
    };
    let title = match &member {
        Some(m) => m.name.clone(),
        None => "登记党员".to_string(),
    };
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let orgs = org_choices(&recordable, form.org_id.trim());
    let view = MemberPage {
        layout: Layout::new(user, "members", title).with_notice(notice),
        org_listed: orgs.iter().any(|o| o.selected),
        orgs,
        statuses: status_choices(form.status.trim()),
        member,
        can_write,
        form,
        error: FieldError(error),
        history,
        today: Day::today().text(),
    };
    Ok(render_status(&view, status))
}

#[derive(Deserialize, Default)]
pub struct NewQuery {
    pub org: Option<String>,
}

pub async fn new_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<NewQuery>,
) -> PageResult {
    let form = MemberForm {
        org_id: q.org.unwrap_or_default(),
        status: MemberStatus::Full.code().to_string(),
        ..Default::default()
    };
    page(&state, &user, None, form, None, None).await
}

pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    PageForm(f): PageForm<MemberForm>,
) -> PageResult {
    let outcome = async {
        let org = records::org_by_id(&state, &user, &f.org_id).await?;
        members::create(&state, &user, &org, f.values()?).await
    }
    .await;
    match outcome {
        Ok(m) => {
            Ok(Redirect::to(&format!("/members/{}?notice=member_created", m.id)).into_response())
        }
        Err(AppError::Invalid(inv)) => page(&state, &user, None, f, Some(inv), None).await,
        Err(e) => Err(e.into()),
    }
}

pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> PageResult {
    let m = members::find(&state, &user, &id).await?;
    let form = MemberForm::from_member(&m);
    page(
        &state,
        &user,
        Some(m),
        form,
        None,
        notice_text(q.notice.as_deref()),
    )
    .await
}

pub async fn update(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    PageForm(f): PageForm<MemberForm>,
) -> PageResult {
    let m = members::find(&state, &user, &id).await?;
    members::writable(&user, &m)?;
    let outcome = async {
        let org = if f.org_id.trim() == m.org_id.to_string() {
            state.store.org(m.org_id).await?
        } else {
            records::org_by_id(&state, &user, &f.org_id).await?
        };
        members::change(&state, &user, &m, &org, f.values()?).await
    }
    .await;
    match outcome {
        Ok(m) => Ok(Redirect::to(&format!("/members/{}?notice=saved", m.id)).into_response()),
        Err(AppError::Invalid(inv)) => page(&state, &user, Some(m), f, Some(inv), None).await,
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
pub struct ReasonForm {
    #[serde(default)]
    pub reason: String,
}

pub async fn void(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    PageForm(f): PageForm<ReasonForm>,
) -> PageResult {
    let m = members::find(&state, &user, &id).await?;
    match members::void(&state, &user, &m, &f.reason).await {
        Ok(m) => {
            Ok(Redirect::to(&format!("/members/{}?notice=member_voided", m.id)).into_response())
        }
        Err(AppError::Invalid(inv)) => {
            let form = MemberForm::from_member(&m);
            page(&state, &user, Some(m), form, Some(inv), None).await
        }
        Err(e) => Err(e.into()),
    }
}
