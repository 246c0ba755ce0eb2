//! Integrity risk points (廉政风险点): reading needs ViewOrgs over the risk's organization
//! (otherwise 404); recording, changing, reviewing and voiding need RecordWork.

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::manage::problems::{day_or_today, parse_id};
use crate::AppState;
use zeren_domain::permissions::Action;
use zeren_domain::problems::parse_void_reason;
use zeren_domain::risks::{RiskLevel, SubjectKind};
use zeren_domain::text;
use zeren_domain::Invalid;
use zeren_storage::{NewRisk, NewRiskMeasure, Org, RiskChange, RiskMeasure, RiskPoint};

pub async fn visible(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
) -> Result<RiskPoint, AppError> {
    let id = parse_id(id, "该风险点")?;
    match state.store.risk(id).await {
        Ok(r) if user.perms.can(Action::ViewOrgs, &r.org_path) => Ok(r),
        _ => Err(AppError::NotFound("该风险点")),
    }
}

pub async fn visible_measure(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
) -> Result<(RiskMeasure, RiskPoint), AppError> {
    let id = parse_id(id, "该防控措施")?;
    let m = state
        .store
        .risk_measure(id)
        .await
        .map_err(|_| AppError::NotFound("该防控措施"))?;
    match state.store.risk(m.risk_id).await {
        Ok(r) if user.perms.can(Action::ViewOrgs, &r.org_path) => Ok((m, r)),
        _ => Err(AppError::NotFound("该防控措施")),
    }
}

fn require(user: &CurrentUser, r: &RiskPoint) -> Result<(), AppError> {
    if user.perms.can(Action::RecordWork, &r.org_path) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// A score of 1–5 typed or sent; empty means "not scored".
pub fn parse_score(field: &'static str, label: &str, t: &str) -> Result<Option<i64>, Invalid> {
    let t = t.trim();
    if t.is_empty() {
        return Ok(None);
    }
    t.parse::<i64>()
        .ok()
        .filter(|n| (1..=5).contains(n))
        .map(Some)
        .ok_or_else(|| Invalid::new(field, format!("{label}应为1至5分")))
}

/// The level, from the scores when both are given (a level given as well must agree), or as
/// chosen.
pub fn parse_level(
    level: &str,
    likelihood: Option<i64>,
    impact: Option<i64>,
) -> Result<(RiskLevel, Option<i64>, Option<i64>), Invalid> {
    match (likelihood, impact) {
        (Some(l), Some(i)) => {
            let scored = RiskLevel::from_score(l, i)?;
            if !level.trim().is_empty() && RiskLevel::parse(level)? != scored {
                return Err(Invalid::new(
                    "level",
                    format!(
                        "风险等级与评分不符：可能性{l}×影响程度{i}={}分，应为“{}”",
                        l * i,
                        scored.label()
                    ),
                ));
            }
            Ok((scored, Some(l), Some(i)))
        }
        (Some(_), None) => Err(Invalid::new("impact", "请同时填写影响程度评分")),
        (None, Some(_)) => Err(Invalid::new("likelihood", "请同时填写发生可能性评分")),
        (None, None) => {
            if level.trim().is_empty() {
                return Err(Invalid::new(
                    "level",
                    "请选择风险等级，或填写可能性和影响程度评分",
                ));
            }
            Ok((RiskLevel::parse(level)?, None, None))
        }
    }
}

/// A risk point as typed or sent.
#[derive(Debug, Clone, Default)]
pub struct RiskInput {
    pub subject_kind: String,
    pub subject: String,
    pub description: String,
    pub level: String,
    pub likelihood: Option<i64>,
    pub impact: Option<i64>,
    pub identified_on: String,
    /// (description, owner)
    pub measures: Vec<(String, String)>,
}

pub fn parse_subject(t: &str) -> Result<String, Invalid> {
    let s = text::required("subject", "风险主体", t, 60)?;
    text::line("subject", "风险主体", &s, 60)
}

pub fn parse_description(t: &str) -> Result<String, Invalid> {
    text::required("description", "风险描述", t, 1000)
}

pub fn parse_measure(description: &str, owner: &str) -> Result<NewRiskMeasure, Invalid> {
    Ok(NewRiskMeasure {
        description: text::required("description", "防控措施", description, 1000)?,
        owner: text::line("owner", "责任人", owner, 40)?,
    })
}

pub async fn create(
    state: &AppState,
    user: &CurrentUser,
    org: &Org,
    input: RiskInput,
) -> Result<RiskPoint, AppError> {
    if !user.perms.can(Action::RecordWork, &org.path) {
        return Err(AppError::Forbidden);
    }
    let subject_kind = SubjectKind::parse(&input.subject_kind)?;
    let subject = parse_subject(&input.subject)?;
    let description = parse_description(&input.description)?;
    let (level, likelihood, impact) = parse_level(&input.level, input.likelihood, input.impact)?;
    let identified_on = day_or_today("identified_on", &input.identified_on)?;
    let mut measures = Vec::new();
    for (i, (d, o)) in input.measures.iter().enumerate() {
        measures.push(parse_measure(d, o).map_err(|e| {
            Invalid::new("measures", format!("第{}条防控措施：{}", i + 1, e.message))
        })?);
    }
    let mut tx = state.store.begin_write().await?;
    let r = tx
        .create_risk(
            NewRisk {
                org_id: org.id,
                subject_kind,
                subject,
                description,
                level,
                likelihood,
                impact,
                identified_on,
                measures,
            },
            &user.actor(),
        )
        .await?;
    tx.commit().await?;
    Ok(r)
}

/// New values; `None` keeps a field. Scores and level go together: when any of them is
/// given, the level is decided afresh from what is given.
#[derive(Debug, Clone, Default)]
pub struct RiskEdit {
    pub subject_kind: Option<String>,
    pub subject: Option<String>,
    pub description: Option<String>,
    pub level: Option<String>,
    pub likelihood: Option<i64>,
    pub impact: Option<i64>,
    pub identified_on: Option<String>,
}

pub async fn update(
    state: &AppState,
    user: &CurrentUser,
    r: &RiskPoint,
    edit: RiskEdit,
) -> Result<RiskPoint, AppError> {
    require(user, r)?;
    let level = if edit.level.is_some() || edit.likelihood.is_some() || edit.impact.is_some() {
        Some(parse_level(
            edit.level.as_deref().unwrap_or(""),
            edit.likelihood,
            edit.impact,
        )?)
    } else {
        None
    };
    let change = RiskChange {
        subject_kind: edit
            .subject_kind
            .as_deref()
            .map(SubjectKind::parse)
            .transpose()?,
        subject: edit.subject.as_deref().map(parse_subject).transpose()?,
        description: edit
            .description
            .as_deref()
            .map(parse_description)
            .transpose()?,
        level,
        identified_on: edit
            .identified_on
            .as_deref()
            .map(|d| zeren_domain::date::Day::parse("identified_on", d))
            .transpose()?,
    };
    let mut tx = state.store.begin_write().await?;
    let r = tx.update_risk(r.id, change, &user.actor()).await?;
    tx.commit().await?;
    Ok(r)
}

pub async fn review(
    state: &AppState,
    user: &CurrentUser,
    r: &RiskPoint,
    date: &str,
) -> Result<RiskPoint, AppError> {
    require(user, r)?;
    let on = day_or_today("date", date)?;
    let mut tx = state.store.begin_write().await?;
    let r = tx.review_risk(r.id, on, &user.actor()).await?;
    tx.commit().await?;
    Ok(r)
}

pub async fn void(
    state: &AppState,
    user: &CurrentUser,
    r: &RiskPoint,
    reason: &str,
) -> Result<RiskPoint, AppError> {
    require(user, r)?;
    let reason = parse_void_reason(reason)?;
    let mut tx = state.store.begin_write().await?;
    let r = tx.void_risk(r.id, &reason, &user.actor()).await?;
    tx.commit().await?;
    Ok(r)
}

pub async fn add_measure(
    state: &AppState,
    user: &CurrentUser,
    r: &RiskPoint,
    description: &str,
    owner: &str,
) -> Result<RiskMeasure, AppError> {
    require(user, r)?;
    let m = parse_measure(description, owner)?;
    let mut tx = state.store.begin_write().await?;
    let m = tx.add_risk_measure(r.id, m, &user.actor()).await?;
    tx.commit().await?;
    Ok(m)
}

pub async fn void_measure(
    state: &AppState,
    user: &CurrentUser,
    m: &RiskMeasure,
    r: &RiskPoint,
    reason: &str,
) -> Result<RiskMeasure, AppError> {
    require(user, r)?;
    let reason = parse_void_reason(reason)?;
    let mut tx = state.store.begin_write().await?;
    let m = tx.void_risk_measure(m.id, &reason, &user.actor()).await?;
    tx.commit().await?;
    Ok(m)
}
