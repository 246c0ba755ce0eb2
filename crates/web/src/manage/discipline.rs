//! Discipline records (执纪问责): restricted personal data. Every operation needs
//! ViewDiscipline over the record's organization (纪检 and 书记 of it or above); records outside
//! it are "not found". Writing needs RecordWork as well. Names never go into URLs or notices.

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::manage::problems::{day_or_today, parse_id};
use crate::AppState;
use zeren_domain::discipline::{parse_form, parse_sanction};
use zeren_domain::permissions::Action;
use zeren_domain::problems::parse_void_reason;
use zeren_domain::text;
use zeren_domain::Invalid;
use zeren_storage::{DisciplineChange, DisciplineRecord, NewDiscipline, Org};

pub async fn visible(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
) -> Result<DisciplineRecord, AppError> {
    let id = parse_id(id, "该记录")?;
    match state.store.discipline_record(id).await {
        Ok(r) if user.perms.can(Action::ViewDiscipline, &r.org_path) => Ok(r),
        _ => Err(AppError::NotFound("该记录")),
    }
}

/// An organization to record against: one whose discipline records the user may see and
/// whose work the user may record. Unknown and out-of-scope organizations answer alike.
pub fn org_for_recording(user: &CurrentUser, org: Result<Org, AppError>) -> Result<Org, AppError> {
    let refuse = || Invalid::new("org", "组织不存在或不在您的工作范围内");
    let org = org.map_err(|_| refuse())?;
    if !user.perms.can(Action::ViewDiscipline, &org.path)
        || !user.perms.can(Action::RecordWork, &org.path)
    {
        return Err(refuse().into());
    }
    if !org.active {
        return Err(Invalid::new("org", "该组织已停用").into());
    }
    Ok(org)
}

fn require(user: &CurrentUser, r: &DisciplineRecord) -> Result<(), AppError> {
    if user.perms.can(Action::ViewDiscipline, &r.org_path)
        && user.perms.can(Action::RecordWork, &r.org_path)
    {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

fn parse_name(t: &str) -> Result<String, Invalid> {
    let n = text::required("person_name", "姓名", t, 40)?;
    text::line("person_name", "姓名", &n, 40)
}

fn parse_post(t: &str) -> Result<String, Invalid> {
    text::line("post", "职务", t, 60)
}

fn parse_reason(t: &str) -> Result<String, Invalid> {
    text::optional("reason", "事由", t, 1000)
}

/// 第一种形态 is criticism and talks: it carries no sanction.
fn check_pair(form: i64, sanction: &str) -> Result<(), Invalid> {
    if form == 1 && !sanction.is_empty() {
        return Err(Invalid::new(
            "sanction",
            "第一种形态为批评教育、谈话提醒等，不给予处分；有处分的请选择第二至第四种形态",
        ));
    }
    Ok(())
}

async fn check_member(
    state: &AppState,
    user: &CurrentUser,
    member_id: Option<i64>,
) -> Result<(), AppError> {
    if let Some(m) = member_id {
        let ok = state
            .store
            .member_org_path(m)
            .await?
            .is_some_and(|p| user.perms.can(Action::ViewDiscipline, &p));
        if !ok {
            return Err(Invalid::new("member_id", "党员名册中没有该党员，或不在您的范围内").into());
        }
    }
    Ok(())
}

/// A record as typed or sent.
#[derive(Debug, Clone, Default)]
pub struct DisciplineInput {
    pub person_name: String,
    pub member_id: Option<i64>,
    pub post: String,
    pub form: String,
    pub sanction: String,
    pub reason: String,
    pub decided_on: String,
}

pub async fn create(
    state: &AppState,
    user: &CurrentUser,
    org: &Org,
    input: DisciplineInput,
) -> Result<DisciplineRecord, AppError> {
    if !user.perms.can(Action::ViewDiscipline, &org.path)
        || !user.perms.can(Action::RecordWork, &org.path)
    {
        return Err(AppError::Forbidden);
    }
    let person_name = parse_name(&input.person_name)?;
    let post = parse_post(&input.post)?;
    let form = parse_form(&input.form)?;
    let sanction = parse_sanction(&input.sanction)?.to_string();
    check_pair(form, &sanction)?;
    let reason = parse_reason(&input.reason)?;
    if input.decided_on.trim().is_empty() {
        return Err(Invalid::new("decided_on", "请填写决定日期").into());
    }
    let decided_on = day_or_today("decided_on", &input.decided_on)?;
    check_member(state, user, input.member_id).await?;
    let mut tx = state.store.begin_write().await?;
    let r = tx
        .create_discipline(
            NewDiscipline {
                org_id: org.id,
                person_name,
                member_id: input.member_id,
                post,
                form,
                sanction,
                reason,
                decided_on,
            },
            &user.actor(),
        )
        .await?;
    tx.commit().await?;
    Ok(r)
}

/// New values; `None` keeps a field.
#[derive(Debug, Clone, Default)]
pub struct DisciplineEdit {
    pub person_name: Option<String>,
    pub member_id: Option<Option<i64>>,
    pub post: Option<String>,
    pub form: Option<String>,
    pub sanction: Option<String>,
    pub reason: Option<String>,
    pub decided_on: Option<String>,
}

pub async fn update(
    state: &AppState,
    user: &CurrentUser,
    r: &DisciplineRecord,
    edit: DisciplineEdit,
) -> Result<DisciplineRecord, AppError> {
    require(user, r)?;
    let form = edit.form.as_deref().map(parse_form).transpose()?;
    let sanction = edit
        .sanction
        .as_deref()
        .map(|s| parse_sanction(s).map(str::to_string))
        .transpose()?;
    check_pair(
        form.unwrap_or(r.form),
        sanction.as_deref().unwrap_or(&r.sanction),
    )?;
    if let Some(m) = edit.member_id {
        check_member(state, user, m).await?;
    }
    let change = DisciplineChange {
        person_name: edit.person_name.as_deref().map(parse_name).transpose()?,
        member_id: edit.member_id,
        post: edit.post.as_deref().map(parse_post).transpose()?,
        form,
        sanction,
        reason: edit.reason.as_deref().map(parse_reason).transpose()?,
        decided_on: edit
            .decided_on
            .as_deref()
            .map(|d| zeren_domain::date::Day::parse("decided_on", d))
            .transpose()?,
    };
    let mut tx = state.store.begin_write().await?;
    let r = tx.update_discipline(r.id, change, &user.actor()).await?;
    tx.commit().await?;
    Ok(r)
}

pub async fn void(
    state: &AppState,
    user: &CurrentUser,
    r: &DisciplineRecord,
    reason: &str,
) -> Result<DisciplineRecord, AppError> {
    require(user, r)?;
    let reason = parse_void_reason(reason)?;
    let mut tx = state.store.begin_write().await?;
    let r = tx.void_discipline(r.id, &reason, &user.actor()).await?;
    tx.commit().await?;
    Ok(r)
}
