//! 报告: the reports drafted from the records — the list with the form that generates one, a
//! report shown as a document whose every figure opens its records, the editor, versions with
//! their differences, and export.

use super::problems::Fields;
use super::{notice_text, render, render_status, FieldError, Layout, PageForm, PageResult};
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::extract::{Path, Query};
use crate::manage::reports::{self as manage, DiffLine, DraftRequest, LineChange, StaleFigure};
use crate::pages::metrics::{path_segment, scope_query};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;
use zeren_domain::clock::display_cst;
use zeren_domain::date::{Day, Period};
use zeren_domain::metrics::{MetricDef, MetricKind, Source};
use zeren_domain::permissions::Action;
use zeren_domain::Invalid;
use zeren_reports::draft::{Block, Draft, Inline};
use zeren_reports::template::BuiltinTemplate;
use zeren_reports::Severity;
use zeren_storage::{Org, Report};

pub struct Choice {
    pub value: String,
    pub label: String,
}

/// A period offered in the form: whole years and quarters.
fn presets(today: Day) -> Vec<Choice> {
    let y = today.year();
    // The last year first: an annual report is written after its year.
    let mut out: Vec<Choice> = [y - 1, y, y - 2, y - 3]
        .into_iter()
        .map(|year| Choice {
            value: year.to_string(),
            label: format!("{year}年度"),
        })
        .collect();
    for q in (1..=today.quarter()).rev() {
        out.push(Choice {
            value: format!("{y}Q{q}"),
            label: format!("{y}年第{}季度", ["一", "二", "三", "四"][q as usize - 1]),
        });
    }
    for q in (1..=4u8).rev() {
        out.push(Choice {
            value: format!("{}Q{q}", y - 1),
            label: format!(
                "{}年第{}季度",
                y - 1,
                ["一", "二", "三", "四"][q as usize - 1]
            ),
        });
    }
    out
}

/// The period of a preset: `2023` or `2023Q2`.
fn preset_period(value: &str) -> Option<Period> {
    let (year, quarter) = match value.split_once('Q') {
        Some((y, q)) => (y.parse::<i32>().ok()?, Some(q.parse::<u8>().ok()?)),
        None => (value.parse::<i32>().ok()?, None),
    };
    if !(1949..=2100).contains(&year) {
        return None;
    }
    match quarter {
        None => Some(Period::year(year)),
        Some(q @ 1..=4) => {
            let from = Day::from_ymd(year, (q - 1) * 3 + 1, 1)?;
            let to = Day::from_ymd(year, (q - 1) * 3 + 3, 1)?.month_end();
            Some(Period { from, to })
        }
        Some(_) => None,
    }
}

fn kind_choices() -> Vec<Choice> {
    BuiltinTemplate::ALL
        .into_iter()
        .map(|k| Choice {
            value: k.key().into(),
            label: manage::kind_label(k.key()).into(),
        })
        .collect()
}

#[derive(Default, Clone)]
pub struct NewForm {
    pub kind: String,
    pub org: String,
    pub preset: String,
    pub from: String,
    pub to: String,
    pub subject: String,
}

pub struct ReportRow {
    pub id: i64,
    pub title: String,
    pub org_name: String,
    pub kind_label: String,
    pub period: String,
    pub version: i64,
    pub updated_at: String,
}

#[derive(Template)]
#[template(path = "reports.html")]
pub struct ReportsPage {
    pub layout: Layout,
    pub rows: Vec<ReportRow>,
    pub total: i64,
    pub kinds: Vec<Choice>,
    pub orgs: Vec<Choice>,
    pub presets: Vec<Choice>,
    pub form: NewForm,
    pub error: FieldError,
    pub page: i64,
    pub pages: i64,
}

#[derive(Deserialize, Default)]
pub struct IndexQuery {
    pub page: Option<i64>,
    pub notice: Option<String>,
}

fn period_label(r: &Report) -> String {
    match manage::report_period(r) {
        Ok(p) => match quarter_label(p) {
            Some(q) => q,
            None => p.label(),
        },
        Err(_) => format!("{} 至 {}", r.period_from, r.period_to),
    }
}

fn quarter_label(p: Period) -> Option<String> {
    let q = p.from.quarter();
    let exact = preset_period(&format!("{}Q{q}", p.from.year())) == Some(p);
    exact.then(|| {
        format!(
            "{}年第{}季度",
            p.from.year(),
            ["一", "二", "三", "四"][q as usize - 1]
        )
    })
}

async fn index_page(
    state: &AppState,
    user: &CurrentUser,
    page: i64,
    form: NewForm,
    error: Option<Invalid>,
    notice: Option<String>,
) -> PageResult {
    let list = manage::list(state, user, None, page).await?;
    let orgs = manage::draftable_orgs(state, user).await?;
    let codes: std::collections::HashMap<i64, String> =
        orgs.iter().map(|o| (o.id, o.code.clone())).collect();
    let orgs = super::indented_choices(&orgs)
        .into_iter()
        .filter_map(|(id, label)| {
            codes.get(&id).map(|c| Choice {
                value: c.clone(),
                label,
            })
        })
        .collect();
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let view = ReportsPage {
        layout: Layout::new(user, "reports", "报告").with_notice(notice),
        rows: list
            .rows
            .iter()
            .map(|r| ReportRow {
                id: r.id,
                title: r.title.clone(),
                org_name: r.org_name.clone(),
                kind_label: manage::kind_label(&r.kind).to_string(),
                period: period_label(r),
                version: r.version,
                updated_at: display_cst(&r.updated_at),
            })
            .collect(),
        total: list.total,
        kinds: kind_choices(),
        orgs,
        presets: presets(Day::today()),
        form,
        error: FieldError(error),
        page: page.max(1),
        pages: ((list.total + 49) / 50).max(1),
    };
    Ok(render_status(&view, status))
}

fn default_form(user: &CurrentUser, state_orgs: Option<&Org>) -> NewForm {
    let _ = user;
    NewForm {
        kind: "annual".into(),
        org: state_orgs.map(|o| o.code.clone()).unwrap_or_default(),
        preset: (Day::today().year() - 1).to_string(),
        ..Default::default()
    }
}

/// `GET /reports`: the reports in scope and the form that drafts a new one.
pub async fn index(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<IndexQuery>,
) -> PageResult {
    let home = state.store.org(user.account.org_id).await.ok();
    let home = home.filter(|o| manage::may_draft(&user, &o.path));
    let form = default_form(&user, home.as_ref());
    index_page(
        &state,
        &user,
        q.page.unwrap_or(1),
        form,
        None,
        notice_text(q.notice.as_deref()),
    )
    .await
}

/// `POST /reports`: drafts a report and opens it.
pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    PageForm(fields): PageForm<Vec<(String, String)>>,
) -> PageResult {
    let f = Fields(fields);
    let form = NewForm {
        kind: f.get("kind"),
        org: f.get("org"),
        preset: f.get("preset"),
        from: f.get("from"),
        to: f.get("to"),
        subject: f.get("subject"),
    };
    // Days typed in win over the chosen preset.
    let typed = !form.from.trim().is_empty() || !form.to.trim().is_empty();
    let (from, to) = match preset_period(&form.preset).filter(|_| !typed) {
        Some(p) => (p.from.text(), p.to.text()),
        None => (form.from.clone(), form.to.clone()),
    };
    let result = manage::generate(
        &state,
        &user,
        DraftRequest {
            kind: &form.kind,
            org: &form.org,
            from: &from,
            to: &to,
            subject: Some(form.subject.as_str()),
        },
    )
    .await;
    match result {
        Ok(g) => Ok(
            Redirect::to(&format!("/reports/{}?notice=report_created", g.report.id))
                .into_response(),
        ),
        Err(AppError::Invalid(inv)) => index_page(&state, &user, 1, form, Some(inv), None).await,
        Err(AppError::NotFound(_)) => {
            let inv = Invalid::new("org", "组织不存在或不在您的范围内");
            index_page(&state, &user, 1, form, Some(inv), None).await
        }
        Err(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------------------------------
// A report as a document.

/// A run of a block as shown.
pub struct Run {
    /// text, figure, stale, blank
    pub kind: &'static str,
    pub text: String,
    /// The figure's records (empty: not a link).
    pub href: String,
    /// Shown on hover: the metric, or what the records say now.
    pub title: String,
    /// The metric of a figure.
    pub metric: String,
}

pub struct BlockView {
    pub index: usize,
    pub heading: bool,
    pub level: u8,
    pub runs: Vec<Run>,
    /// Worst finding in the block: sev-error, sev-warning, sev-hint or empty.
    pub flag: &'static str,
}

pub struct FindingView {
    pub class: &'static str,
    pub severity: &'static str,
    pub place: String,
    pub anchor: String,
    pub text: String,
    pub message: String,
    pub suggestion: String,
}

pub struct BlankView {
    pub hint: String,
    pub anchor: String,
}

pub struct StaleView {
    pub metric: String,
    pub old: String,
    pub new: String,
    pub anchor: String,
}

#[derive(Template)]
#[template(path = "report_show.html")]
pub struct ShowPage {
    pub layout: Layout,
    pub r: Report,
    pub kind_label: String,
    pub period: String,
    pub version: i64,
    pub latest: bool,
    pub saved_by: String,
    pub saved_at: String,
    pub note: String,
    pub draft: Draft,
    pub blocks: Vec<BlockView>,
    pub findings: Vec<FindingView>,
    pub errors: usize,
    pub warnings: usize,
    pub hints: usize,
    pub blanks: Vec<BlankView>,
    pub stale: Vec<StaleView>,
    pub figures: usize,
    pub no_records: Option<String>,
    pub error: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct ShowQuery {
    pub version: Option<i64>,
    pub notice: Option<String>,
}

fn sev_class(s: Severity) -> &'static str {
    match s {
        Severity::Error => "sev-error",
        Severity::Warning => "sev-warning",
        Severity::Hint => "sev-hint",
    }
}

/// The source a metric's rows come from (a ratio's: its denominator's).
fn source_of(catalog: &[MetricDef], name: &str) -> Option<Source> {
    let def = catalog.iter().find(|m| m.name == name)?;
    match def.kind {
        MetricKind::Ratio => catalog
            .iter()
            .find(|m| Some(&m.name) == def.denominator.as_ref())
            .and_then(|m| m.source),
        _ => def.source,
    }
}

fn place(part: &str, block: Option<usize>) -> (String, String) {
    match (part, block) {
        ("block", Some(b)) => (format!("第{}段", b + 1), format!("#b{b}")),
        ("title", _) => ("标题".into(), "#doc-title".into()),
        ("addressee", _) => ("主送机关".into(), "#doc-title".into()),
        ("issuer", _) => ("署名".into(), "#doc-sign".into()),
        _ => ("成文日期".into(), "#doc-sign".into()),
    }
}

fn finding_views(found: &[manage::DraftFinding]) -> Vec<FindingView> {
    found
        .iter()
        .map(|f| {
            let (place, anchor) = place(f.part, f.block);
            FindingView {
                class: sev_class(f.finding.severity),
                severity: f.finding.severity.as_str(),
                place,
                anchor,
                text: f.finding.text.clone(),
                message: f.finding.message.clone(),
                suggestion: f.finding.suggestion.clone(),
            }
        })
        .collect()
}

async fn show_page(
    state: &AppState,
    user: &CurrentUser,
    r: Report,
    version: Option<i64>,
    notice: Option<String>,
    error: Option<String>,
) -> PageResult {
    let (v, draft) = manage::version(state, &r, version).await?;
    let latest = v.version == r.version;
    let period = manage::report_period(&r)?;
    let org = state.store.org(r.org_id).await?;
    let catalog = state.store.metric_catalog().await?;
    let stale = if latest && !r.voided {
        manage::stale(state, &r, &draft).await?
    } else {
        Vec::new()
    };
    let disabled = manage::disabled_rules(state, &r).await?;
    let found = manage::findings(&draft, period.to.year(), &disabled);
    let now_query = scope_query(&org, period);
    let before_query = scope_query(&org, period.previous_year());
    let may_see_discipline = user.perms.can(Action::ViewDiscipline, &org.path);
    let stale_at = |b: usize, i: usize| -> Option<&StaleFigure> {
        stale.iter().find(|s| s.block == b && s.inline == i)
    };
    let blocks: Vec<BlockView> = draft
        .blocks
        .iter()
        .enumerate()
        .map(|(b, block)| {
            let runs = block
                .content()
                .iter()
                .enumerate()
                .map(|(i, inline)| match inline {
                    Inline::Text { text } => Run {
                        kind: "text",
                        text: text.clone(),
                        href: String::new(),
                        title: String::new(),
                        metric: String::new(),
                    },
                    Inline::Blank { hint } => Run {
                        kind: "blank",
                        text: inline.printed(),
                        href: String::new(),
                        title: format!("待补充：{hint}"),
                        metric: String::new(),
                    },
                    Inline::Figure {
                        metric,
                        text,
                        previous,
                        ..
                    } => {
                        let hidden = source_of(&catalog, metric) == Some(Source::Discipline)
                            && !may_see_discipline;
                        let href = if hidden {
                            String::new()
                        } else {
                            format!(
                                "/metrics/{}?{}",
                                path_segment(metric),
                                if *previous { &before_query } else { &now_query }
                            )
                        };
                        let what = if *previous {
                            format!("上年·{metric}")
                        } else {
                            metric.clone()
                        };
                        match stale_at(b, i) {
                            Some(s) => Run {
                                kind: "stale",
                                text: text.clone(),
                                href,
                                title: format!(
                                    "{what}：记录已变化，现为{}",
                                    s.current_text.clone().unwrap_or_else(|| "无数据".into())
                                ),
                                metric: metric.clone(),
                            },
                            None => Run {
                                kind: "figure",
                                text: text.clone(),
                                href,
                                title: if hidden {
                                    format!("{what}（执纪问责明细仅限纪检、书记查看）")
                                } else {
                                    format!("{what}：点击查看构成该数字的记录")
                                },
                                metric: metric.clone(),
                            },
                        }
                    }
                })
                .collect();
            let worst = found
                .iter()
                .filter(|f| f.block == Some(b))
                .map(|f| f.finding.severity)
                .max();
            BlockView {
                index: b,
                heading: matches!(block, Block::Heading { .. }),
                level: match block {
                    Block::Heading { level, .. } => *level,
                    Block::Paragraph { .. } => 0,
                },
                runs,
                flag: worst.map(sev_class).unwrap_or(""),
            }
        })
        .collect();
    let count = |s: Severity| found.iter().filter(|f| f.finding.severity == s).count();
    let findings = finding_views(&found);
    let mut blanks = Vec::new();
    for (b, block) in draft.blocks.iter().enumerate() {
        for inline in block.content() {
            if let Inline::Blank { hint } = inline {
                blanks.push(BlankView {
                    hint: hint.clone(),
                    anchor: format!("#b{b}"),
                });
            }
        }
    }
    let stale_views = stale
        .iter()
        .map(|s| StaleView {
            metric: if s.previous {
                format!("上年·{}", s.metric)
            } else {
                s.metric.clone()
            },
            old: s.text.clone(),
            new: s.current_text.clone().unwrap_or_else(|| {
                if s.known {
                    "无数据".into()
                } else {
                    "指标已停用".into()
                }
            }),
            anchor: format!("#b{}", s.block),
        })
        .collect();
    let figures = draft.figures().count();
    let view = ShowPage {
        layout: Layout::new(user, "reports", r.title.clone()).with_notice(notice),
        kind_label: manage::kind_label(&r.kind).to_string(),
        period: period_label(&r),
        version: v.version,
        latest,
        saved_by: v.created_by_name.clone().unwrap_or_default(),
        saved_at: display_cst(&v.created_at),
        note: v.note.clone(),
        errors: count(Severity::Error),
        warnings: count(Severity::Warning),
        hints: count(Severity::Hint),
        findings,
        blanks,
        stale: stale_views,
        figures,
        no_records: (!manage::recorded(&draft, &catalog))
            .then(|| manage::no_records_notice(&org, period)),
        blocks,
        draft,
        r,
        error,
    };
    Ok(render(&view))
}

/// `GET /reports/{id}`: the draft as a document, figures linked to their records.
pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(q): Query<ShowQuery>,
) -> PageResult {
    let r = manage::visible(&state, &user, &id).await?;
    show_page(
        &state,
        &user,
        r,
        q.version,
        notice_text(q.notice.as_deref()),
        None,
    )
    .await
}

/// `POST /reports/{id}/refresh`: rewrites the figures the records have moved.
pub async fn refresh(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> PageResult {
    let r = manage::visible(&state, &user, &id).await?;
    match manage::refresh(&state, &user, &r).await {
        Ok(done) => {
            let key = if done.changed > 0 {
                "refreshed"
            } else {
                "up_to_date"
            };
            Ok(Redirect::to(&format!("/reports/{}?notice={key}", r.id)).into_response())
        }
        Err(e @ AppError::Conflict(_)) => {
            let message = e.to_string();
            show_page(&state, &user, r, None, None, Some(message)).await
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /reports/{id}/void`: voids the report (kept with its versions).
pub async fn void(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    PageForm(fields): PageForm<Vec<(String, String)>>,
) -> PageResult {
    let r = manage::visible(&state, &user, &id).await?;
    let f = Fields(fields);
    match manage::void(&state, &user, &r, &f.get("reason")).await {
        Ok(_) => Ok(Redirect::to("/reports?notice=report_voided").into_response()),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            let message = match &e {
                AppError::Invalid(i) => i.message.clone(),
                other => other.to_string(),
            };
            show_page(&state, &user, r, None, None, Some(message)).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
pub struct ExportQuery {
    pub format: Option<String>,
    pub version: Option<i64>,
}

/// `GET /reports/{id}/export`: the file, or a Chinese page saying why not.
pub async fn export(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(q): Query<ExportQuery>,
) -> PageResult {
    let r = manage::visible(&state, &user, &id).await?;
    let format = manage::format(q.format.as_deref())?;
    let file = manage::export(&state, &r, q.version, format).await?;
    Ok(crate::api::reports::file_response(r.id, file))
}

// ---------------------------------------------------------------------------------------
// Editing.

pub struct FigureChip {
    /// `block.k`: the form value that unbinds it.
    pub key: String,
    pub text: String,
    pub metric: String,
    pub unbind: bool,
}

pub struct EditBlock {
    pub index: usize,
    pub heading: bool,
    pub text: String,
    pub rows: usize,
    pub figures: Vec<FigureChip>,
}

#[derive(Template)]
#[template(path = "report_edit.html")]
pub struct EditPage {
    pub layout: Layout,
    pub r: Report,
    pub version: i64,
    pub title: String,
    pub addressee: String,
    pub issuer: String,
    pub date: String,
    pub note: String,
    pub blocks: Vec<EditBlock>,
    pub error: Option<String>,
    pub conflict: bool,
    /// The checker's findings on the text as edited, when the user asked for them.
    pub checked: Option<Vec<FindingView>>,
}

#[derive(Deserialize, Default)]
pub struct EditQuery {
    pub version: Option<i64>,
}

fn edit_blocks(draft: &Draft, texts: Option<&Fields>, unbind: &[String]) -> Vec<EditBlock> {
    draft
        .blocks
        .iter()
        .enumerate()
        .map(|(b, block)| {
            let text = match texts {
                Some(f) if f.0.iter().any(|(k, _)| k == &format!("b{b}")) => {
                    f.get(&format!("b{b}"))
                }
                _ => manage::edit_text(block),
            };
            let figures = block
                .content()
                .iter()
                .filter_map(|i| match i {
                    Inline::Figure {
                        metric,
                        text,
                        previous,
                        ..
                    } => Some((metric, text, previous)),
                    _ => None,
                })
                .enumerate()
                .map(|(k, (metric, text, previous))| {
                    let key = format!("{b}.{k}");
                    FigureChip {
                        unbind: unbind.contains(&key),
                        key,
                        text: text.clone(),
                        metric: if *previous {
                            format!("上年·{metric}")
                        } else {
                            metric.clone()
                        },
                    }
                })
                .collect();
            let chars = text.chars().count();
            EditBlock {
                index: b,
                heading: matches!(block, Block::Heading { .. }),
                rows: (chars / 40 + 2).clamp(2, 14),
                text,
                figures,
            }
        })
        .collect()
}

/// `GET /reports/{id}/edit`: every block in a box of its own, figures as ⟦chips⟧.
pub async fn edit_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(q): Query<EditQuery>,
) -> PageResult {
    let r = manage::visible(&state, &user, &id).await?;
    if r.voided {
        return Err(AppError::Conflict("该报告已作废，不能再修改".into()).into());
    }
    let (v, draft) = manage::version(&state, &r, q.version).await?;
    let view = EditPage {
        layout: Layout::new(&user, "reports", format!("编辑：{}", r.title)),
        version: v.version,
        title: draft.title.clone(),
        addressee: draft.addressee.clone(),
        issuer: draft.issuer.clone(),
        date: draft.date.clone(),
        note: String::new(),
        blocks: edit_blocks(&draft, None, &[]),
        error: None,
        conflict: false,
        checked: None,
        r,
    };
    Ok(render(&view))
}

/// `POST /reports/{id}`: saves the edited blocks as a new version.
pub async fn save(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    PageForm(fields): PageForm<Vec<(String, String)>>,
) -> PageResult {
    let r = manage::visible(&state, &user, &id).await?;
    let f = Fields(fields);
    let Ok(expected) = f.get("version").trim().parse::<i64>() else {
        return Err(AppError::BadRequest("缺少版本号，请刷新页面后重试".into()).into());
    };
    let (_, original) = manage::version(&state, &r, Some(expected)).await?;
    let unbind = f.all("unbind");
    let edited = (|| {
        let mut blocks = Vec::new();
        for (b, block) in original.blocks.iter().enumerate() {
            let name = format!("b{b}");
            if !f.0.iter().any(|(k, _)| k == &name) {
                blocks.push(block.clone());
                continue;
            }
            let picked: Vec<usize> = unbind
                .iter()
                .filter_map(|u| u.split_once('.'))
                .filter(|(ub, _)| *ub == b.to_string())
                .filter_map(|(_, k)| k.parse().ok())
                .collect();
            blocks.extend(manage::apply_edit(block, &f.get(&name), &picked, b + 1)?);
        }
        Ok::<_, Invalid>(Draft {
            title: f.get("title"),
            addressee: f.get("addressee"),
            blocks,
            issuer: f.get("issuer"),
            date: f.get("date"),
        })
    })();
    let page =
        |error: Option<String>, conflict: bool, checked: Option<Vec<FindingView>>| EditPage {
            layout: Layout::new(&user, "reports", format!("编辑：{}", r.title)),
            version: expected,
            title: f.get("title"),
            addressee: f.get("addressee"),
            issuer: f.get("issuer"),
            date: f.get("date"),
            note: f.get("note"),
            blocks: edit_blocks(&original, Some(&f), &unbind),
            error,
            conflict,
            checked,
            r: r.clone(),
        };
    // 体检 without saving: the checker over the text as it stands in the form.
    if f.get("action") == "check" {
        let catalog = state.store.metric_catalog().await?;
        let checked = edited.and_then(|d| manage::validate(d, &catalog));
        return Ok(match checked {
            Ok(draft) => {
                let period = manage::report_period(&r)?;
                let disabled = manage::disabled_rules(&state, &r).await?;
                let found = manage::findings(&draft, period.to.year(), &disabled);
                render(&page(None, false, Some(finding_views(&found))))
            }
            Err(e) => render_status(
                &page(Some(e.message), false, None),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
        });
    }
    let result = match edited {
        Ok(draft) => manage::save(&state, &user, &r, expected, draft, &f.get("note")).await,
        Err(e) => Err(e.into()),
    };
    match result {
        Ok(_) => {
            Ok(Redirect::to(&format!("/reports/{}?notice=report_saved", r.id)).into_response())
        }
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            let conflict = matches!(e, AppError::Conflict(_));
            let message = match &e {
                AppError::Invalid(i) => i.message.clone(),
                other => other.to_string(),
            };
            let status = if conflict {
                StatusCode::CONFLICT
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            Ok(render_status(&page(Some(message), conflict, None), status))
        }
        Err(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------------------------------
// Versions.

pub struct VersionRow {
    pub version: i64,
    pub saved_by: String,
    pub saved_at: String,
    pub note: String,
}

#[derive(Template)]
#[template(path = "report_versions.html")]
pub struct VersionsPage {
    pub layout: Layout,
    pub r: Report,
    pub rows: Vec<VersionRow>,
    pub from: i64,
    pub to: i64,
    pub lines: Vec<DiffRow>,
    pub changes: usize,
}

/// A line of the diff as shown; long runs of unchanged blocks fold into one `gap` row.
pub struct DiffRow {
    /// same, added, removed, changed or gap
    pub class: &'static str,
    /// (same|added|removed, text)
    pub spans: Vec<(&'static str, String)>,
    /// For a gap: how many unchanged blocks it stands for.
    pub hidden: usize,
}

fn change_class(c: LineChange) -> &'static str {
    match c {
        LineChange::Same => "same",
        LineChange::Added => "added",
        LineChange::Removed => "removed",
        LineChange::Changed => "changed",
    }
}

/// Unchanged runs longer than five lines keep one line of context at each end.
fn diff_rows(lines: &[DiffLine]) -> Vec<DiffRow> {
    let row = |l: &DiffLine| DiffRow {
        class: change_class(l.change),
        spans: l
            .spans
            .iter()
            .map(|s| (change_class(s.change), s.text.clone()))
            .collect(),
        hidden: 0,
    };
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if lines[i].change != LineChange::Same {
            out.push(row(&lines[i]));
            i += 1;
            continue;
        }
        let end = (i..lines.len())
            .find(|&k| lines[k].change != LineChange::Same)
            .unwrap_or(lines.len());
        let run = end - i;
        if run > 5 {
            let keep_head = usize::from(i > 0);
            let keep_tail = usize::from(end < lines.len());
            out.extend(lines[i..i + keep_head].iter().map(row));
            out.push(DiffRow {
                class: "gap",
                spans: Vec::new(),
                hidden: run - keep_head - keep_tail,
            });
            out.extend(lines[end - keep_tail..end].iter().map(row));
        } else {
            out.extend(lines[i..end].iter().map(row));
        }
        i = end;
    }
    out
}

#[derive(Deserialize, Default)]
pub struct VersionsQuery {
    pub from: Option<i64>,
    pub to: Option<i64>,
}

/// `GET /reports/{id}/versions`: every version, and what changed between two of them.
pub async fn versions(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(q): Query<VersionsQuery>,
) -> PageResult {
    let r = manage::visible(&state, &user, &id).await?;
    let all = state.store.report_versions(r.id).await?;
    let to = q.to.unwrap_or(r.version);
    let from = q.from.unwrap_or((to - 1).max(1));
    let (b, new) = manage::version(&state, &r, Some(to)).await?;
    let (a, old) = manage::version(&state, &r, Some(from)).await?;
    let lines = manage::diff(&old, &new);
    let changes = lines
        .iter()
        .filter(|l| l.change != LineChange::Same)
        .count();
    let view = VersionsPage {
        layout: Layout::new(&user, "reports", format!("版本：{}", r.title)),
        rows: all
            .iter()
            .map(|v| VersionRow {
                version: v.version,
                saved_by: v.created_by_name.clone().unwrap_or_default(),
                saved_at: display_cst(&v.created_at),
                note: v.note.clone(),
            })
            .collect(),
        from: a.version,
        to: b.version,
        lines: diff_rows(&lines),
        changes,
        r,
    };
    Ok(render(&view))
}
