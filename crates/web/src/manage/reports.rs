//! 报告起草: a report drafted from a template over an organization's subtree and a period, with
//! every figure read through the metric layer and bound to its metric; versions saved by
//! editing, figures that the records have since moved found and refreshed, the checker's
//! findings, diffs between versions and export. Pages and the API share these operations.
//!
//! Reading and writing a report needs `DraftReports` over its organization; unknown and
//! out-of-scope reports and organizations get the same answer (404).

use std::collections::HashMap;

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::AppState;
use serde::Serialize;
use zeren_domain::date::{Day, Period};
use zeren_domain::metrics::MetricDef;
use zeren_domain::org::OrgPath;
use zeren_domain::permissions::{Action, Scope};
use zeren_domain::Invalid;
use zeren_reports::draft::{block_text, Block, Draft, Inline};
use zeren_reports::export::{self, ExportError, Format};
use zeren_reports::template::numerals::{approximate, change_phrase, figure_text, Change};
use zeren_reports::template::{
    BranchLine, BuiltinTemplate, DraftContext, FigureMap, ItemLine, MeasureLine, ProblemLine,
    Reporter, Template,
};
use zeren_reports::{check, CheckOptions, Document, Finding, Severity};
use zeren_storage::{
    Account, NewReport, Org, ProblemFilter, RecordQuery, Report, ReportFilter, ReportPage,
    ReportVersion, StorageError,
};

/// Problem sources that are self-examination (查摆问题): what 存在问题 is drafted from.
pub const SELF_EXAMINATION: [&str; 3] = ["democratic_life", "org_life", "self_check"];

/// At most this many problems are drafted into 存在问题 (the organization's own first).
const MAX_PROBLEMS: usize = 10;

/// At most this many list items, overdue measures and branches in a quarterly report.
const MAX_LINES: usize = 200;

/// At most this many PDF conversions at once: each starts a LibreOffice of its own.
pub static PDF_PERMITS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

/// A report kind from its key (annual, accountability, self_inspection, quarterly).
pub fn kind(text: &str) -> Result<BuiltinTemplate, Invalid> {
    BuiltinTemplate::from_key(text.trim()).ok_or_else(|| {
        Invalid::new(
            "kind",
            "报告类型应为 annual（年度报告）、accountability（述责述廉报告）、\
             self_inspection（自查报告）或 quarterly（季度调度报告）",
        )
    })
}

/// The Chinese name of a report kind (the key itself when unknown).
pub fn kind_label(key: &str) -> &str {
    match BuiltinTemplate::from_key(key) {
        Some(BuiltinTemplate::Annual) => "年度报告",
        Some(BuiltinTemplate::Accountability) => "述责述廉报告",
        Some(BuiltinTemplate::SelfInspection) => "自查报告",
        Some(BuiltinTemplate::Quarterly) => "季度调度报告",
        None => key,
    }
}

/// The period of a report: both days are required.
pub fn period(from: &str, to: &str) -> Result<Period, AppError> {
    if from.trim().is_empty() {
        return Err(Invalid::new("from", "请填写起始日期").into());
    }
    if to.trim().is_empty() {
        return Err(Invalid::new("to", "请填写截止日期").into());
    }
    Ok(Period::parse(Some(from), Some(to))?)
}

/// An organization the user may draft reports for. Unknown and out-of-scope organizations
/// get the same answer.
pub async fn draftable_org(
    state: &AppState,
    user: &CurrentUser,
    code: &str,
) -> Result<Org, AppError> {
    let code = code.trim();
    if code.is_empty() {
        return Err(Invalid::new("org", "请选择组织").into());
    }
    let not_found = AppError::NotFound("该组织");
    if code.contains('\0') {
        return Err(not_found);
    }
    let org = match state.store.org_by_code(code).await {
        Ok(o) => o,
        Err(StorageError::NotFound(_)) => return Err(not_found),
        Err(e) => return Err(e.into()),
    };
    if !user.perms.can(Action::DraftReports, &org.path) {
        return Err(not_found);
    }
    if !org.active {
        return Err(Invalid::new("org", format!("“{}”已停用，不能再起草报告", org.name)).into());
    }
    Ok(org)
}

/// Organizations the user may draft for, in tree order.
pub async fn draftable_orgs(state: &AppState, user: &CurrentUser) -> Result<Vec<Org>, AppError> {
    let orgs = state
        .store
        .orgs_in(&user.perms.scope(Action::DraftReports))
        .await?;
    Ok(orgs.into_iter().filter(|o| o.active).collect())
}

/// A report the user may read and change, or 404.
pub async fn visible(state: &AppState, user: &CurrentUser, id: &str) -> Result<Report, AppError> {
    let not_found = AppError::NotFound("该报告");
    let Ok(id) = id.trim().parse::<i64>() else {
        return Err(not_found);
    };
    match state.store.report(id).await {
        Ok(r) if user.perms.can(Action::DraftReports, &r.org_path) => Ok(r),
        Ok(_) | Err(StorageError::NotFound(_)) => Err(not_found),
        Err(e) => Err(e.into()),
    }
}

/// Reports in the user's scope, newest first.
pub async fn list(
    state: &AppState,
    user: &CurrentUser,
    kind: Option<&str>,
    page: i64,
) -> Result<ReportPage, AppError> {
    let mut f = ReportFilter::new(user.perms.scope(Action::DraftReports));
    f.kind = kind
        .map(str::trim)
        .filter(|k| !k.is_empty() && !k.contains('\0'))
        .map(str::to_string);
    f.page = page.clamp(1, 1_000_000);
    Ok(state.store.reports(&f).await?)
}

/// One version of a report (the latest when `version` is `None`) and its draft.
pub async fn version(
    state: &AppState,
    report: &Report,
    version: Option<i64>,
) -> Result<(ReportVersion, Draft), AppError> {
    let v = match state.store.report_version(report.id, version).await {
        Ok(v) => v,
        Err(StorageError::NotFound(_)) => {
            return Err(
                Invalid::new("version", format!("该报告没有第{}版", version.unwrap_or(0))).into(),
            )
        }
        Err(e) => return Err(e.into()),
    };
    let draft: Draft = serde_json::from_str(&v.body)
        .map_err(|e| AppError::Internal(format!("report {} v{}: {e}", report.id, v.version)))?;
    Ok((v, draft))
}

/// `中共××委员会` from an organization's everyday name (青石镇党委 → 中共青石镇委员会); names
/// that fit no pattern are kept as they are.
pub fn formal_name(name: &str) -> String {
    let name = name.trim();
    if name.starts_with("中共") || name.starts_with("中国共产党") {
        return name.to_string();
    }
    const FORMS: [(&str, &str); 7] = [
        ("党工委", "工作委员会"),
        ("党委", "委员会"),
        ("党组", "党组"),
        ("党总支", "总支部委员会"),
        ("党支部", "支部委员会"),
        ("县委", "县委员会"),
        ("区委", "区委员会"),
    ];
    for (suffix, formal) in FORMS {
        if let Some(stem) = name.strip_suffix(suffix) {
            if !stem.is_empty() {
                return format!("中共{stem}{formal}");
            }
        }
    }
    name.to_string()
}

/// The quarter a period is exactly, if it is one.
fn quarter_of(period: Period) -> Option<u8> {
    let q = period.from.quarter();
    let start_month = (q - 1) * 3 + 1;
    let end = Day::from_ymd(period.from.year(), start_month + 2, 1)?.month_end();
    (period.from.month() == start_month && period.from.day() == 1 && period.to == end).then_some(q)
}

/// The template a kind drafts with: an administrator's stored template of that code when
/// there is an active one, else the built-in one.
pub async fn template_for(
    state: &AppState,
    kind: BuiltinTemplate,
    catalog: &[MetricDef],
) -> Result<Template, AppError> {
    match state.store.report_template(kind.key()).await? {
        Some(t) if t.active => Template::parse(&t.source, |n| catalog.iter().any(|m| m.name == n))
            .map_err(|e| {
                Invalid::new(
                    "template",
                    format!(
                        "报告模板“{}”有误，无法生成草稿：{e}。请联系模板管理员修改模板",
                        t.name
                    ),
                )
                .into()
            }),
        _ => Ok(kind.template()),
    }
}

/// The figures a template names, for the organization's subtree: the period's, and the
/// previous year's same span for year-on-year phrases. Two calls of the metric layer.
pub async fn figures(
    state: &AppState,
    catalog: &[MetricDef],
    template: &Template,
    org: &Org,
    period: Period,
) -> Result<FigureMap, AppError> {
    let names: Vec<&str> = template.metric_names().iter().map(String::as_str).collect();
    let previous: Vec<&str> = template
        .previous_metric_names()
        .iter()
        .map(String::as_str)
        .collect();
    let (now, before) = tokio::try_join!(
        state.store.metric_values_of(catalog, &names, org, period),
        state
            .store
            .metric_values_of(catalog, &previous, org, period.previous_year()),
    )?;
    let mut map = FigureMap::with_units(catalog);
    for v in now {
        map.set(&v.name, v.value);
    }
    for v in before {
        map.set_previous(&v.name, comparable_previous(v.value, &v.unit));
    }
    Ok(map)
}

/// Last year's value as a comparison base. A count of zero last year says that nothing was
/// recorded then (usually: the records were not kept in Zeren yet), not that the work grew
/// from nothing: no year-on-year phrase is drafted from it.
fn comparable_previous(value: Option<f64>, unit: &str) -> Option<f64> {
    value.filter(|v| unit == "%" || *v > 0.0)
}

/// A freshly drafted and saved report, with what the user should know about it.
pub struct Generated {
    pub report: Report,
    pub draft: Draft,
    pub warnings: Vec<String>,
}

/// What the user asked to draft.
pub struct DraftRequest<'a> {
    pub kind: &'a str,
    pub org: &'a str,
    pub from: &'a str,
    pub to: &'a str,
    /// 述责述廉: the leader (username) who reports; the user when empty.
    pub subject: Option<&'a str>,
}

/// Drafts a report and saves it as version 1.
pub async fn generate(
    state: &AppState,
    user: &CurrentUser,
    req: DraftRequest<'_>,
) -> Result<Generated, AppError> {
    let kind = kind(req.kind)?;
    let period = period(req.from, req.to)?;
    let org = draftable_org(state, user, req.org).await?;
    let subject = match kind {
        BuiltinTemplate::Accountability => Some(subject(state, user, &org, req.subject).await?),
        _ => None,
    };
    let (draft, warnings) = draft(state, kind, &org, period, subject.as_ref()).await?;
    let body = serde_json::to_string(&draft).map_err(|e| AppError::Internal(e.to_string()))?;
    let title = if draft.title.trim().is_empty() {
        kind.label().to_string()
    } else {
        draft.title.clone()
    };
    let mut tx = state.store.begin_write().await?;
    let report = tx
        .create_report(
            NewReport {
                org_id: org.id,
                kind: kind.key().to_string(),
                template_code: kind.key().to_string(),
                period_from: period.from,
                period_to: period.to,
                subject_account_id: subject.as_ref().map(|a| a.id),
                title,
                body,
            },
            &user.actor(),
        )
        .await?;
    tx.commit().await?;
    Ok(Generated {
        report,
        draft,
        warnings,
    })
}

/// The leader a 述责述廉报告 is written by: the named account (in the organization's subtree
/// and the user's scope) or the user.
async fn subject(
    state: &AppState,
    user: &CurrentUser,
    org: &Org,
    username: Option<&str>,
) -> Result<Account, AppError> {
    let Some(name) = username.map(str::trim).filter(|u| !u.is_empty()) else {
        return Ok(user.account.clone());
    };
    let refused = || Invalid::new("subject", "述责人不存在或不在该组织范围内");
    if name.contains('\0') {
        return Err(refused().into());
    }
    let account = state
        .store
        .account_by_username(name)
        .await?
        .filter(|a| a.active)
        .ok_or_else(refused)?;
    let home = state.store.org(account.org_id).await?;
    if !org.path.covers(&home.path) || !user.perms.can(Action::DraftReports, &home.path) {
        return Err(refused().into());
    }
    Ok(account)
}

/// Renders the draft: context from the ledgers, figures from the metric layer.
pub async fn draft(
    state: &AppState,
    kind: BuiltinTemplate,
    org: &Org,
    period: Period,
    subject: Option<&Account>,
) -> Result<(Draft, Vec<String>), AppError> {
    let catalog = state.store.metric_catalog().await?;
    let template = template_for(state, kind, &catalog).await?;
    let (figures, ctx) = tokio::try_join!(
        figures(state, &catalog, &template, org, period),
        context(state, kind, org, period, subject, &catalog),
    )?;
    let draft = template.render(&ctx, &figures).map_err(|e| {
        AppError::from(Invalid::new(
            "template",
            format!("报告模板无法生成草稿：{e}。请联系模板管理员修改模板"),
        ))
    })?;
    let mut warnings = Vec::new();
    if !recorded(&draft, &catalog) && ctx.problems.is_empty() && ctx.items.is_empty() {
        warnings.push(no_records_notice(org, period));
    }
    Ok((draft, warnings))
}

/// Whether a metric counts what happened in the period (a meeting held, a problem found)
/// rather than what stands (branches, the member roster), which every period has.
fn dated(catalog: &[MetricDef], name: &str) -> bool {
    let Some(def) = catalog.iter().find(|m| m.name == name) else {
        return false;
    };
    let plain = |d: &MetricDef| {
        d.source
            .is_some_and(|s| s != zeren_domain::metrics::Source::Orgs)
            && !d.filter.roster
    };
    match def.kind {
        zeren_domain::metrics::MetricKind::Ratio => [&def.numerator, &def.denominator]
            .into_iter()
            .filter_map(|p| catalog.iter().find(|m| Some(&m.name) == p.as_ref()))
            .any(plain),
        _ => plain(def),
    }
}

/// Whether the draft cites anything recorded in its period: a figure, other than the
/// standing ones (branches, roster), that is not zero.
pub fn recorded(draft: &Draft, catalog: &[MetricDef]) -> bool {
    draft.figures().any(|f| match f {
        Inline::Figure {
            metric,
            value,
            previous: false,
            ..
        } => value.is_some_and(|v| v != 0.0) && dated(catalog, metric),
        _ => false,
    })
}

/// The notice for a period in which nothing the report counts was recorded.
pub fn no_records_notice(org: &Org, period: Period) -> String {
    format!(
        "所选期间（{}）{}及其下级组织没有任何相关记录，草稿中的数字均为0，\
         各部分已标为“待补充”。请核对所选期间，或先补录工作纪实。",
        period.label(),
        org.name
    )
}

async fn context(
    state: &AppState,
    kind: BuiltinTemplate,
    org: &Org,
    period: Period,
    subject: Option<&Account>,
    catalog: &[MetricDef],
) -> Result<DraftContext, AppError> {
    let year = period.to.year();
    let parent = match org.parent_id {
        Some(id) => Some(state.store.org(id).await?),
        None => None,
    };
    let mut ctx = DraftContext {
        organization: formal_name(&org.name),
        short_name: org.name.clone(),
        issuer: formal_name(&org.name),
        year,
        quarter: quarter_of(period),
        period_from: period.from.text(),
        period_to: period.to.text(),
        report_date: Day::today().text(),
        addressee: parent.map(|p| format!("{}：", p.name)).unwrap_or_default(),
        ..Default::default()
    };
    if let Some(a) = subject {
        ctx.reporter = Some(Reporter {
            name: a.display_name.clone(),
            post: a.title.clone(),
            portfolio: portfolio(state, a, org, year).await?,
        });
    }
    let scope = Scope {
        roots: vec![org.path.clone()],
    };
    ctx.problems = problems(state, &scope, org, period).await?;
    ctx.next_items = next_items(state, &scope, org, year + 1).await?;
    if kind == BuiltinTemplate::Quarterly {
        ctx.items = period_items(state, catalog, org, period).await?;
        ctx.overdue_measures = overdue(state, catalog, &scope, org, period).await?;
        ctx.branches = branches(state, org, period).await?;
    }
    Ok(ctx)
}

/// 分管领域: the account's own, else the categories of the list items he owns this year.
async fn portfolio(
    state: &AppState,
    account: &Account,
    org: &Org,
    year: i32,
) -> Result<String, AppError> {
    if !account.portfolio.trim().is_empty() {
        return Ok(account.portfolio.trim().to_string());
    }
    let scope = Scope {
        roots: vec![org.path.clone()],
    };
    let mut categories: Vec<String> = Vec::new();
    for list in state
        .store
        .list_summaries(&scope, Some(year), Day::today())
        .await?
    {
        for item in state.store.list_items(list.list.id).await? {
            let c = item.item.category.trim();
            if item.item.owner_account_id == Some(account.id)
                && !c.is_empty()
                && !categories.iter().any(|x| x == c)
            {
                categories.push(c.to_string());
            }
        }
    }
    Ok(categories.join("、"))
}

/// 查摆问题 found in the period: the organization's own first, one line per description.
async fn problems(
    state: &AppState,
    scope: &Scope,
    org: &Org,
    period: Period,
) -> Result<Vec<ProblemLine>, AppError> {
    let mut f = ProblemFilter::new(scope.clone(), Day::today());
    f.org = Some(org.path.clone());
    f.sources = SELF_EXAMINATION.iter().map(|s| s.to_string()).collect();
    f.found_from = Some(period.from);
    f.found_to = Some(period.to);
    f.per_page = 500;
    let mut rows = state.store.problems(&f).await?.rows;
    rows.sort_by_key(|p| (p.org_id != org.id, p.found_on.clone(), p.id));
    let mut out: Vec<ProblemLine> = Vec::new();
    for p in rows {
        let d = p.description.trim();
        if d.is_empty() || out.iter().any(|l| l.description == d) {
            continue;
        }
        out.push(ProblemLine {
            description: d.to_string(),
            category: p.category.clone(),
            source: p.source_name.clone(),
            status: p.status.label().to_string(),
            org: p.org_name.clone(),
        });
        if out.len() == MAX_PROBLEMS {
            break;
        }
    }
    Ok(out)
}

/// 下一步工作: the items of the organization's own lists of the next year.
async fn next_items(
    state: &AppState,
    scope: &Scope,
    org: &Org,
    year: i32,
) -> Result<Vec<ItemLine>, AppError> {
    let mut out = Vec::new();
    for list in state
        .store
        .list_summaries(scope, Some(year), Day::today())
        .await?
        .into_iter()
        .filter(|l| l.list.org_id == org.id)
    {
        for v in state.store.list_items(list.list.id).await? {
            out.push(item_line(&v, String::new()));
        }
    }
    out.truncate(MAX_LINES);
    Ok(out)
}

fn item_line(v: &zeren_storage::ItemView, progress: String) -> ItemLine {
    ItemLine {
        category: v.item.category.clone(),
        description: v.item.description.clone(),
        owner: v.owner.as_ref().map(|o| o.name.clone()).unwrap_or_default(),
        deadline: v.item.deadline.clone().unwrap_or_default(),
        status: v.item.status.label().to_string(),
        progress,
    }
}

/// The list items due in the period: the rows behind 清单任务数, with their latest progress.
async fn period_items(
    state: &AppState,
    catalog: &[MetricDef],
    org: &Org,
    period: Period,
) -> Result<Vec<ItemLine>, AppError> {
    let rows = state
        .store
        .metric_records(catalog, "清单任务数", org, period, MAX_LINES as i64, 0)
        .await?
        .rows;
    let mut out = Vec::with_capacity(rows.len());
    for chunk in rows.chunks(8) {
        let views = futures_util::future::try_join_all(chunk.iter().map(|r| async move {
            let item = state.store.list_item(r.id).await?;
            let progress = state.store.item_progress(r.id).await?;
            let last = progress
                .into_iter()
                .filter(|p| !p.progress.voided && p.progress.reported_on <= period.to.text())
                .max_by(|a, b| a.progress.reported_on.cmp(&b.progress.reported_on))
                .map(|p| p.progress.text)
                .unwrap_or_default();
            Ok::<_, StorageError>((item, last))
        }))
        .await?;
        out.extend(views);
    }
    // The organization's own items first, then those handed down, unit by unit.
    out.sort_by(|(a, _), (b, _)| {
        (
            a.item.org_id != org.id,
            &a.org_code,
            &a.item.due_on,
            a.item.id,
        )
            .cmp(&(
                b.item.org_id != org.id,
                &b.org_code,
                &b.item.due_on,
                b.item.id,
            ))
    });
    Ok(out
        .into_iter()
        .map(|(v, progress)| {
            let mut line = item_line(&v, progress);
            if v.item.org_id != org.id {
                line.description = format!("{}：{}", v.org_name, line.description);
            }
            line
        })
        .collect())
}

/// Rectification measures past their deadline: the rows behind 逾期整改措施数, with owners.
async fn overdue(
    state: &AppState,
    catalog: &[MetricDef],
    scope: &Scope,
    org: &Org,
    period: Period,
) -> Result<Vec<MeasureLine>, AppError> {
    let rows = state
        .store
        .metric_records(catalog, "逾期整改措施数", org, period, 1000, 0)
        .await?
        .rows;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let (all, _) = state
        .store
        .overdue_measures(scope, Some(&org.path), None, Day::today(), 1000)
        .await?;
    Ok(all
        .into_iter()
        .filter(|m| rows.iter().any(|r| r.id == m.measure.id))
        .take(MAX_LINES)
        .map(|m| MeasureLine {
            problem: m.problem_description,
            measure: m.measure.description.clone(),
            owner: m.measure.owner_display.clone(),
            deadline: m.measure.deadline.clone(),
            days_overdue: m.days_overdue,
            org: m.org_name,
        })
        .collect())
}

/// Each branch's records and 三会一课 held against what was due in the period.
async fn branches(
    state: &AppState,
    org: &Org,
    period: Period,
) -> Result<Vec<BranchLine>, AppError> {
    let rows = state
        .store
        .meeting_counts(&org.path, period, Day::today())
        .await?;
    let rows: Vec<_> = rows
        .into_iter()
        .filter(|r| r.org_kind == zeren_domain::org::OrgKind::Branch)
        .take(MAX_LINES)
        .collect();
    let mut out = Vec::with_capacity(rows.len());
    for chunk in rows.chunks(8) {
        let totals = futures_util::future::try_join_all(chunk.iter().map(|r| async move {
            let q = RecordQuery {
                roots: vec![r.org_path.clone()],
                from: Some(period.from),
                to: Some(period.to),
                limit: 1,
                ..Default::default()
            };
            state.store.records(&q).await
        }))
        .await?;
        for (r, page) in chunk.iter().zip(totals) {
            out.push(BranchLine {
                name: r.org_name.clone(),
                records: page.total,
                should_hold: r.cells.iter().map(|c| c.should).sum(),
                // Held against what was due: extra meetings of one kind do not make up for
                // another kind left out.
                held: r.cells.iter().map(|c| c.held.min(c.should)).sum(),
            });
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------
// Figures the records have moved since drafting.

/// A bound figure whose metric now says something else.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StaleFigure {
    /// Index of the block in the draft.
    pub block: usize,
    /// Index of the figure among the block's inlines.
    pub inline: usize,
    pub metric: String,
    /// A figure of the previous year (上年指标, 较上年).
    pub previous: bool,
    /// As printed in the draft.
    pub text: String,
    pub value: Option<f64>,
    /// As it would be printed now; `null` when the metric has no value any more (a rate over
    /// nothing) or is no longer in the catalogue.
    pub current_text: Option<String>,
    pub current_value: Option<f64>,
    /// False when the metric is no longer in the catalogue: unbind the figure instead.
    pub known: bool,
}

/// A year-on-year phrase (较上年增加3次, 与上年持平) rather than a figure.
fn is_phrase(text: &str) -> bool {
    text.starts_with("较上年") || text == "与上年持平"
}

/// The figure as it prints with a new value, in the style it was printed in: rounded down
/// with 余, with its unit.
pub fn restyle(old: &str, value: f64, unit: &str) -> String {
    let approx = unit != "%" && old.contains('余');
    let with_unit = !unit.is_empty() && unit != "%" && old.ends_with(unit);
    let mut text = if approx {
        approximate(value)
    } else {
        figure_text(value, unit)
    };
    if with_unit {
        text.push_str(unit);
    }
    text
}

/// A year-on-year phrase with new values, worded as before.
pub fn rephrase(old: &str, current: f64, previous: f64, unit: &str) -> String {
    let growth =
        old.contains("增长") || (unit != "%" && old.contains("下降") && old.ends_with('%'));
    let how = if growth {
        Change::Growth
    } else {
        Change::Difference
    };
    change_phrase(current, previous, unit, how)
}

fn same_value(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (Some(x), Some(y)) => (x - y).abs() < 1e-9,
        (None, None) => true,
        _ => false,
    }
}

/// The draft's bound figures that differ from what the metric layer says now.
pub async fn stale(
    state: &AppState,
    report: &Report,
    draft: &Draft,
) -> Result<Vec<StaleFigure>, AppError> {
    struct Bound<'a> {
        block: usize,
        inline: usize,
        metric: &'a str,
        text: &'a str,
        value: Option<f64>,
        previous: bool,
    }
    let mut bound = Vec::new();
    for (b, block) in draft.blocks.iter().enumerate() {
        for (i, inline) in block.content().iter().enumerate() {
            if let Inline::Figure {
                metric,
                text,
                value,
                previous,
            } = inline
            {
                bound.push(Bound {
                    block: b,
                    inline: i,
                    metric,
                    text,
                    value: *value,
                    previous: *previous,
                });
            }
        }
    }
    if bound.is_empty() {
        return Ok(Vec::new());
    }
    let org = state.store.org(report.org_id).await?;
    let period = report_period(report)?;
    let catalog = state.store.metric_catalog().await?;
    let mut current: Vec<&str> = Vec::new();
    let mut previous: Vec<&str> = Vec::new();
    for f in &bound {
        let list = if f.previous {
            &mut previous
        } else {
            &mut current
        };
        if !list.contains(&f.metric) {
            list.push(f.metric);
        }
        if f.previous && is_phrase(f.text) && !current.contains(&f.metric) {
            current.push(f.metric);
        }
    }
    let (now, before) = tokio::try_join!(
        state
            .store
            .metric_values_of(&catalog, &current, &org, period),
        state
            .store
            .metric_values_of(&catalog, &previous, &org, period.previous_year()),
    )?;
    let now: HashMap<&str, (Option<f64>, &str)> = now
        .iter()
        .map(|v| (v.name.as_str(), (v.value, v.unit.as_str())))
        .collect();
    let before: HashMap<&str, Option<f64>> = before
        .iter()
        .map(|v| (v.name.as_str(), comparable_previous(v.value, &v.unit)))
        .collect();
    let unit_of = |m: &str| {
        catalog
            .iter()
            .find(|d| d.name == m)
            .map(|d| d.unit.clone())
            .unwrap_or_default()
    };
    let mut out = Vec::new();
    for f in bound {
        let known = catalog.iter().any(|d| d.name == f.metric);
        let unit = unit_of(f.metric);
        let (value, text) = if !known {
            (None, None)
        } else if f.previous && is_phrase(f.text) {
            let cur = now.get(f.metric).and_then(|x| x.0);
            let prev = before.get(f.metric).copied().flatten();
            match (cur, prev) {
                (Some(c), Some(p)) => (Some(p), Some(rephrase(f.text, c, p, &unit))),
                _ => (None, None),
            }
        } else {
            let v = if f.previous {
                before.get(f.metric).copied().flatten()
            } else {
                now.get(f.metric).and_then(|x| x.0)
            };
            (v, v.map(|v| restyle(f.text, v, &unit)))
        };
        let changed = !known || text.as_deref() != Some(f.text) || !same_value(value, f.value);
        if changed {
            out.push(StaleFigure {
                block: f.block,
                inline: f.inline,
                metric: f.metric.to_string(),
                previous: f.previous,
                text: f.text.to_string(),
                value: f.value,
                current_text: text,
                current_value: value,
                known,
            });
        }
    }
    Ok(out)
}

/// The report's period as stored.
pub fn report_period(report: &Report) -> Result<Period, AppError> {
    let day =
        |t: &str| Day::from_stored(t).ok_or_else(|| AppError::Internal(format!("report day {t}")));
    Ok(Period {
        from: day(&report.period_from)?,
        to: day(&report.period_to)?,
    })
}

/// What a refresh did.
pub struct Refreshed {
    /// The new version, when a figure changed.
    pub version: Option<ReportVersion>,
    pub changed: usize,
    /// Figures of metrics no longer in the catalogue, left as they are.
    pub unknown: usize,
}

/// Rewrites the stale figures of the latest version (their text and value only; the prose
/// around them stays as the user left it) and saves the result as a new version.
pub async fn refresh(
    state: &AppState,
    user: &CurrentUser,
    report: &Report,
) -> Result<Refreshed, AppError> {
    writable(report)?;
    let (v, mut draft) = version(state, report, None).await?;
    let stale = stale(state, report, &draft).await?;
    let mut changed = 0;
    let mut unknown = 0;
    for s in &stale {
        if !s.known {
            unknown += 1;
            continue;
        }
        let Some(inline) = inline_mut(&mut draft, s.block, s.inline) else {
            continue;
        };
        *inline = match (&s.current_text, s.current_value) {
            (Some(text), value) => Inline::Figure {
                metric: s.metric.clone(),
                text: text.clone(),
                value,
                previous: s.previous,
            },
            _ => Inline::Blank {
                hint: format!(
                    "{}{}（记录中无此数据）",
                    if s.previous { "上年" } else { "" },
                    s.metric
                ),
            },
        };
        changed += 1;
    }
    if changed == 0 {
        return Ok(Refreshed {
            version: None,
            changed,
            unknown,
        });
    }
    let saved = save_version(
        state,
        user,
        report,
        v.version,
        &draft,
        &format!("刷新数字（{changed}处）"),
    )
    .await?;
    Ok(Refreshed {
        version: Some(saved),
        changed,
        unknown,
    })
}

fn inline_mut(draft: &mut Draft, block: usize, inline: usize) -> Option<&mut Inline> {
    match draft.blocks.get_mut(block)? {
        Block::Heading { content, .. } | Block::Paragraph { content } => content.get_mut(inline),
    }
}

fn writable(report: &Report) -> Result<(), AppError> {
    if report.voided {
        return Err(AppError::Conflict("该报告已作废，不能再修改".into()));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Saving versions.

/// The longest title and note accepted, and the most blocks a draft may have.
const MAX_TITLE: usize = 200;
const MAX_NOTE: usize = 500;
const MAX_BLOCKS: usize = 5000;
const MAX_CHARS: usize = 500_000;

/// Text without control characters (a line break ends a block, it does not live inside one).
fn clean(s: &str) -> String {
    s.chars().filter(|c| !c.is_control()).collect()
}

/// Checks and tidies a draft a user sends: headings of level 1–4, figures bound to metrics of
/// the catalogue, no control characters, sizes within bounds.
pub fn validate(mut draft: Draft, catalog: &[MetricDef]) -> Result<Draft, Invalid> {
    draft.title = clean(draft.title.trim());
    draft.addressee = clean(draft.addressee.trim());
    draft.issuer = clean(draft.issuer.trim());
    draft.date = clean(draft.date.trim());
    if draft.title.is_empty() {
        return Err(Invalid::new("title", "请填写报告标题"));
    }
    if draft.title.chars().count() > MAX_TITLE {
        return Err(Invalid::new("title", "标题不能超过200字"));
    }
    if draft.blocks.len() > MAX_BLOCKS {
        return Err(Invalid::new("draft", "段落过多（最多5000段）"));
    }
    let mut chars = 0usize;
    for (n, block) in draft.blocks.iter_mut().enumerate() {
        let content = match block {
            Block::Heading { level, content } => {
                if !(1..=4).contains(level) {
                    return Err(Invalid::new(
                        "draft",
                        format!("第{}段：标题级别应为1至4", n + 1),
                    ));
                }
                content
            }
            Block::Paragraph { content } => content,
        };
        for inline in content.iter_mut() {
            match inline {
                Inline::Text { text } => *text = clean(text),
                Inline::Blank { hint } => *hint = clean(hint),
                Inline::Figure {
                    metric,
                    text,
                    value,
                    ..
                } => {
                    *text = clean(text.trim());
                    if !catalog.iter().any(|m| &m.name == metric) {
                        return Err(Invalid::new(
                            "draft",
                            format!("第{}段：数字绑定了未知指标“{}”", n + 1, clean(metric)),
                        ));
                    }
                    if text.is_empty() || text.chars().count() > 50 {
                        return Err(Invalid::new(
                            "draft",
                            format!("第{}段：绑定指标“{metric}”的数字为空或过长", n + 1),
                        ));
                    }
                    if value.is_some_and(|v| !v.is_finite()) {
                        *value = None;
                    }
                }
            }
        }
        content.retain(|i| !matches!(i, Inline::Text { text } if text.is_empty()));
        chars += block_text(block).chars().count();
    }
    if chars > MAX_CHARS {
        return Err(Invalid::new("draft", "报告正文过长（最多50万字）"));
    }
    Ok(draft)
}

/// Saves a user's draft as a new version on top of `expected`.
pub async fn save(
    state: &AppState,
    user: &CurrentUser,
    report: &Report,
    expected: i64,
    draft: Draft,
    note: &str,
) -> Result<ReportVersion, AppError> {
    writable(report)?;
    let catalog = state.store.metric_catalog().await?;
    let draft = validate(draft, &catalog)?;
    let note = clean(note.trim());
    if note.chars().count() > MAX_NOTE {
        return Err(Invalid::new("note", "修改说明不能超过500字").into());
    }
    save_version(state, user, report, expected, &draft, &note).await
}

async fn save_version(
    state: &AppState,
    user: &CurrentUser,
    report: &Report,
    expected: i64,
    draft: &Draft,
    note: &str,
) -> Result<ReportVersion, AppError> {
    let body = serde_json::to_string(draft).map_err(|e| AppError::Internal(e.to_string()))?;
    let mut tx = state.store.begin_write().await?;
    let saved = tx
        .save_report_version(
            report.id,
            expected,
            &draft.title,
            &body,
            note,
            &user.actor(),
        )
        .await
        .map_err(|e| match e {
            // Someone saved in between: never overwrite their work.
            StorageError::Rejected {
                field: "version",
                message,
            } => AppError::Conflict(message),
            other => other.into(),
        })?;
    tx.commit().await?;
    Ok(saved)
}

/// Voids a report (kept, never deleted).
pub async fn void(
    state: &AppState,
    user: &CurrentUser,
    report: &Report,
    reason: &str,
) -> Result<Report, AppError> {
    writable(report)?;
    let reason = clean(reason.trim());
    if reason.is_empty() {
        return Err(Invalid::new("reason", "请填写作废原因").into());
    }
    if reason.chars().count() > MAX_NOTE {
        return Err(Invalid::new("reason", "作废原因不能超过500字").into());
    }
    let mut tx = state.store.begin_write().await?;
    let r = tx.void_report(report.id, &reason, &user.actor()).await?;
    tx.commit().await?;
    Ok(r)
}

// ---------------------------------------------------------------------------------------
// Editing a block as text: figures written ⟦8⟧, blanks 【待补充：…】.

pub const FIGURE_OPEN: char = '⟦';
pub const FIGURE_CLOSE: char = '⟧';
const BLANK_OPEN: &str = "【待补充：";
const BLANK_CLOSE: char = '】';

/// A block as the user edits it: figures as ⟦text⟧ (kept bound), blanks as 【待补充：…】.
pub fn edit_text(block: &Block) -> String {
    block
        .content()
        .iter()
        .map(|i| match i {
            Inline::Text { text } => text.replace([FIGURE_OPEN, FIGURE_CLOSE], ""),
            Inline::Figure { text, .. } => format!("{FIGURE_OPEN}{text}{FIGURE_CLOSE}"),
            Inline::Blank { hint } => format!("{BLANK_OPEN}{hint}{BLANK_CLOSE}"),
        })
        .collect()
}

/// A piece of an edited line: text, or a ⟦figure⟧ token.
enum Piece {
    Text(String),
    Token(String),
}

fn pieces(line: &str) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut rest = line;
    while let Some(open) = rest.find(FIGURE_OPEN) {
        let after = &rest[open + FIGURE_OPEN.len_utf8()..];
        let Some(close) = after.find(FIGURE_CLOSE) else {
            break;
        };
        if open > 0 {
            out.push(Piece::Text(rest[..open].to_string()));
        }
        out.push(Piece::Token(after[..close].to_string()));
        rest = &after[close + FIGURE_CLOSE.len_utf8()..];
    }
    if !rest.is_empty() {
        out.push(Piece::Text(rest.to_string()));
    }
    out
}

/// Text with 【待补充：…】 turned back into blanks.
fn text_inlines(text: &str, out: &mut Vec<Inline>) {
    let mut rest = text;
    while let Some(open) = rest.find(BLANK_OPEN) {
        let after = &rest[open + BLANK_OPEN.len()..];
        let Some(close) = after.find(BLANK_CLOSE) else {
            break;
        };
        push_text(out, &rest[..open]);
        out.push(Inline::Blank {
            hint: after[..close].to_string(),
        });
        rest = &after[close + BLANK_CLOSE.len_utf8()..];
    }
    push_text(out, rest);
}

fn push_text(out: &mut Vec<Inline>, text: &str) {
    if text.is_empty() {
        return;
    }
    if let Some(Inline::Text { text: last }) = out.last_mut() {
        last.push_str(text);
    } else {
        out.push(Inline::Text {
            text: text.to_string(),
        });
    }
}

/// Applies an edit of one block. `text` is what the user left in the block's box (several
/// lines make several paragraphs; nothing removes the block); `unbind` are the indices, among
/// the block's figures, of those the user unbinds: they become plain text. Every other figure
/// must be left as its ⟦token⟧, in order and unchanged. `n` is the block's number for messages.
pub fn apply_edit(
    original: &Block,
    text: &str,
    unbind: &[usize],
    n: usize,
) -> Result<Vec<Block>, Invalid> {
    let figures: Vec<&Inline> = original
        .content()
        .iter()
        .filter(|i| matches!(i, Inline::Figure { .. }))
        .collect();
    let lines: Vec<Vec<Piece>> = text
        .split('\n')
        .map(|l| clean(l.trim()))
        .filter(|l| !l.is_empty())
        .map(|l| pieces(&l))
        .collect();
    let tokens: Vec<&str> = lines
        .iter()
        .flatten()
        .filter_map(|p| match p {
            Piece::Token(t) => Some(t.as_str()),
            Piece::Text(_) => None,
        })
        .collect();
    let printed = |f: &Inline| match f {
        Inline::Figure { text, .. } => text.clone(),
        _ => String::new(),
    };
    // Token k stands for figure map[k]: all figures in order, or (the unbound ones deleted)
    // the bound ones in order.
    let bound: Vec<usize> = (0..figures.len()).filter(|k| !unbind.contains(k)).collect();
    let map: Vec<usize> = if tokens.len() == figures.len() {
        (0..figures.len()).collect()
    } else if tokens.len() == bound.len() {
        bound.clone()
    } else {
        return Err(Invalid::new(
            "draft",
            format!(
                "第{n}段：取自记录的数字（⟦ ⟧中的内容）不能直接删除或添加；\
                 如需删除，请先勾选该数字的“解除绑定”"
            ),
        ));
    };
    for (t, k) in tokens.iter().zip(&map) {
        if !unbind.contains(k) && *t != printed(figures[*k]) {
            return Err(Invalid::new(
                "draft",
                format!(
                    "第{n}段：数字“{}”取自记录，不能直接改为“{t}”；\
                     如需改写，请先勾选该数字的“解除绑定”",
                    printed(figures[*k])
                ),
            ));
        }
    }
    let mut next = map.iter();
    let mut blocks = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let mut content = Vec::new();
        for piece in line {
            match piece {
                Piece::Text(t) => text_inlines(t, &mut content),
                Piece::Token(t) => {
                    let k = *next.next().unwrap_or(&usize::MAX);
                    match figures.get(k) {
                        Some(f) if !unbind.contains(&k) => content.push((*f).clone()),
                        _ => push_text(&mut content, t),
                    }
                }
            }
        }
        blocks.push(match original {
            Block::Heading { level, .. } if i == 0 => Block::Heading {
                level: *level,
                content,
            },
            _ => Block::Paragraph { content },
        });
    }
    Ok(blocks)
}

// ---------------------------------------------------------------------------------------
// The checker over a draft.

/// A finding of the checker on a draft, with the part of the draft it is in.
#[derive(Debug, Clone, Serialize)]
pub struct DraftFinding {
    #[serde(flatten)]
    pub finding: Finding,
    /// title, addressee, block, issuer or date.
    pub part: &'static str,
    /// The block's index when `part` is `block`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub block: Option<usize>,
}

/// The lines of [`Draft::plain_text`] with what each is, and the character spans of the
/// blanks and of the bound figures in each.
struct Lines {
    text: String,
    parts: Vec<(&'static str, Option<usize>)>,
    blanks: Vec<Vec<(usize, usize)>>,
    figures: Vec<Vec<(usize, usize)>>,
}

fn lines(draft: &Draft) -> Lines {
    let mut out = Lines {
        text: String::new(),
        parts: Vec::new(),
        blanks: Vec::new(),
        figures: Vec::new(),
    };
    let mut push = |part, block, text: String, blanks, figures| {
        if text.trim().is_empty() {
            return;
        }
        if !out.text.is_empty() {
            out.text.push('\n');
        }
        out.text.push_str(&text);
        out.parts.push((part, block));
        out.blanks.push(blanks);
        out.figures.push(figures);
    };
    push("title", None, draft.title.clone(), vec![], vec![]);
    push("addressee", None, draft.addressee.clone(), vec![], vec![]);
    for (b, block) in draft.blocks.iter().enumerate() {
        let mut at = 0;
        let mut blanks = Vec::new();
        let mut figures = Vec::new();
        let mut text = String::new();
        for inline in block.content() {
            let printed = inline.printed();
            let len = printed.chars().count();
            match inline {
                Inline::Blank { .. } => blanks.push((at, at + len)),
                Inline::Figure { .. } => figures.push((at, at + len)),
                Inline::Text { .. } => {}
            }
            at += len;
            text.push_str(&printed);
        }
        push("block", Some(b), text, blanks, figures);
    }
    push("issuer", None, draft.issuer.clone(), vec![], vec![]);
    push("date", None, draft.date.clone(), vec![], vec![]);
    out
}

/// The checker's findings on a draft, with the report's year and the organization's rules.
///
/// Two kinds of finding are about what the draft marks itself, and are adjusted: a blank
/// (【待补充：…】) is what the template leaves where the records say nothing — the page shows
/// every blank on its own, so the checker's "unfilled placeholder" on it is dropped; and a run
/// of equal figures ("10人次" four times) looks typed in, but when every figure in it is bound
/// to a metric the values are the records' own — kept as a 提示 to check the records.
pub fn findings(draft: &Draft, year: i32, disabled: &[String]) -> Vec<DraftFinding> {
    let l = lines(draft);
    let opts = CheckOptions {
        disabled: disabled.to_vec(),
        year: Some(year),
    };
    let covered = |spans: &[(usize, usize)], from: usize, to: usize| {
        spans.iter().any(|(s, e)| from < *e && *s < to)
    };
    let mut out = Vec::new();
    for mut f in check(&Document::from_text(&l.text), &opts) {
        let line = f.line.saturating_sub(1);
        let Some(&(part, block)) = l.parts.get(line) else {
            continue;
        };
        let (from, to) = (f.column.saturating_sub(1), f.end_column.saturating_sub(1));
        if f.rule.starts_with("placeholder") && covered(&l.blanks[line], from, to) {
            continue;
        }
        if f.rule.starts_with("suspicious.") && f.severity > Severity::Hint {
            let chars: Vec<char> = f.text.chars().collect();
            let all_bound = chars.iter().enumerate().all(|(k, c)| {
                !c.is_ascii_digit() || covered(&l.figures[line], from + k, from + k + 1)
            });
            if all_bound {
                f.severity = Severity::Hint;
                f.message = format!("{}；这些数字均取自记录，请点开核对记录", f.message);
                f.suggestion = "点击数字查看构成该数字的记录，确认记录无误".into();
            }
        }
        out.push(DraftFinding {
            finding: f,
            part,
            block,
        });
    }
    out
}

/// The rules the report's organization (and those above it) switched off.
pub async fn disabled_rules(state: &AppState, report: &Report) -> Result<Vec<String>, AppError> {
    Ok(state
        .store
        .check_rules_disabled_for(&report.org_path)
        .await?)
}

// ---------------------------------------------------------------------------------------
// Diffs between versions.

/// How a line of a diff differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LineChange {
    Same,
    Added,
    Removed,
    Changed,
}

/// A run of a changed line's text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Span {
    /// same, added or removed.
    pub change: LineChange,
    pub text: String,
}

/// One line (title, block, signature …) of a diff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct DiffLine {
    pub change: LineChange,
    pub spans: Vec<Span>,
}

/// A draft as lines for comparing: title, addressee, each block's text, issuer, date.
fn diff_lines(d: &Draft) -> Vec<String> {
    let mut out = vec![format!("标题：{}", d.title)];
    if !d.addressee.is_empty() {
        out.push(d.addressee.clone());
    }
    out.extend(d.blocks.iter().map(block_text));
    out.push(format!("署名：{}", d.issuer));
    out.push(format!("日期：{}", d.date));
    out
}

/// The differences between two drafts, block by block and, in a changed block, character by
/// character.
pub fn diff(old: &Draft, new: &Draft) -> Vec<DiffLine> {
    use similar::{capture_diff_slices, Algorithm, DiffOp};
    let a = diff_lines(old);
    let b = diff_lines(new);
    let whole = |change: LineChange, text: &str| DiffLine {
        change,
        spans: vec![Span {
            change,
            text: text.to_string(),
        }],
    };
    let mut out = Vec::new();
    for op in capture_diff_slices(Algorithm::Myers, &a, &b) {
        match op {
            DiffOp::Equal { old_index, len, .. } => out.extend(
                a[old_index..old_index + len]
                    .iter()
                    .map(|t| whole(LineChange::Same, t)),
            ),
            DiffOp::Delete {
                old_index, old_len, ..
            } => out.extend(
                a[old_index..old_index + old_len]
                    .iter()
                    .map(|t| whole(LineChange::Removed, t)),
            ),
            DiffOp::Insert {
                new_index, new_len, ..
            } => out.extend(
                b[new_index..new_index + new_len]
                    .iter()
                    .map(|t| whole(LineChange::Added, t)),
            ),
            DiffOp::Replace {
                old_index,
                old_len,
                new_index,
                new_len,
            } => {
                let pairs = old_len.min(new_len);
                for k in 0..pairs {
                    out.push(changed_line(&a[old_index + k], &b[new_index + k]));
                }
                out.extend(
                    a[old_index + pairs..old_index + old_len]
                        .iter()
                        .map(|t| whole(LineChange::Removed, t)),
                );
                out.extend(
                    b[new_index + pairs..new_index + new_len]
                        .iter()
                        .map(|t| whole(LineChange::Added, t)),
                );
            }
        }
    }
    out
}

fn changed_line(old: &str, new: &str) -> DiffLine {
    use similar::{ChangeTag, TextDiff};
    let diff = TextDiff::from_chars(old, new);
    let mut spans: Vec<Span> = Vec::new();
    for c in diff.iter_all_changes() {
        let change = match c.tag() {
            ChangeTag::Equal => LineChange::Same,
            ChangeTag::Insert => LineChange::Added,
            ChangeTag::Delete => LineChange::Removed,
        };
        match spans.last_mut() {
            Some(last) if last.change == change => last.text.push_str(c.value()),
            _ => spans.push(Span {
                change,
                text: c.value().to_string(),
            }),
        }
    }
    DiffLine {
        change: LineChange::Changed,
        spans,
    }
}

// ---------------------------------------------------------------------------------------
// Export.

/// A file to download.
pub struct Exported {
    pub bytes: Vec<u8>,
    pub format: Format,
    /// The file name, from the report's title.
    pub file_name: String,
}

/// The export format named in a URL.
pub fn format(text: Option<&str>) -> Result<Format, AppError> {
    let text = text
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .unwrap_or("docx");
    text.parse::<Format>()
        .map_err(|e| Invalid::new("format", e.to_string()).into())
}

/// A file name from a title: characters no file system accepts left out.
fn file_name(title: &str, format: Format) -> String {
    let stem: String = title
        .chars()
        .filter(|c| !c.is_control() && !"\\/:*?\"<>|".contains(*c))
        .take(80)
        .collect();
    let stem = stem.trim();
    let stem = if stem.is_empty() { "报告" } else { stem };
    format!("{stem}.{}", format.extension())
}

/// Exports one version of a report (the latest by default). PDF is converted by LibreOffice
/// on the blocking pool, at most two at a time.
pub async fn export(
    state: &AppState,
    report: &Report,
    version: Option<i64>,
    format: Format,
) -> Result<Exported, AppError> {
    let (_, draft) = self::version(state, report, version).await?;
    let file_name = file_name(&draft.title, format);
    let bytes = match format {
        Format::Markdown => export::to_markdown(&draft).into_bytes(),
        Format::Text => export::to_text(&draft).into_bytes(),
        Format::Docx => export::to_docx(&draft).map_err(export_error)?,
        Format::Pdf => {
            let _permit = PDF_PERMITS
                .acquire()
                .await
                .map_err(|e| AppError::Internal(e.to_string()))?;
            tokio::task::spawn_blocking(move || {
                let docx = export::to_docx(&draft)?;
                export::to_pdf(&docx)
            })
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?
            .map_err(export_error)?
        }
    };
    Ok(Exported {
        bytes,
        format,
        file_name,
    })
}

/// LibreOffice missing, failing or too slow is the server's condition, said in Chinese (503),
/// never an opaque error.
fn export_error(e: ExportError) -> AppError {
    match e {
        ExportError::UnknownFormat(_) => Invalid::new("format", e.to_string()).into(),
        ExportError::Docx(_) => AppError::Internal(e.to_string()),
        other => AppError::Status(
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            format!("{other}"),
        ),
    }
}

/// `Content-Disposition` with the Chinese name (RFC 5987) and an ASCII fallback.
pub fn content_disposition(file_name: &str, report_id: i64, format: Format) -> String {
    let mut encoded = String::new();
    for b in file_name.as_bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(b) {
            encoded.push(*b as char);
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    format!(
        "attachment; filename=\"report-{report_id}.{}\"; filename*=UTF-8''{encoded}",
        format.extension()
    )
}

/// Whether the path of an organization is inside the user's drafting scope (for links).
pub fn may_draft(user: &CurrentUser, path: &OrgPath) -> bool {
    user.perms.can(Action::DraftReports, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn figure(metric: &str, text: &str) -> Inline {
        Inline::Figure {
            metric: metric.into(),
            text: text.into(),
            value: Some(8.0),
            previous: false,
        }
    }

    fn text(t: &str) -> Inline {
        Inline::Text { text: t.into() }
    }

    #[test]
    fn formal_names_of_committees_and_branches() {
        assert_eq!(formal_name("青石镇党委"), "中共青石镇委员会");
        assert_eq!(formal_name("经开区党工委"), "中共经开区工作委员会");
        assert_eq!(formal_name("县财政局党组"), "中共县财政局党组");
        assert_eq!(formal_name("东岭村党支部"), "中共东岭村支部委员会");
        assert_eq!(formal_name("镇机关党总支"), "中共镇机关总支部委员会");
        assert_eq!(formal_name("中共青石镇委员会"), "中共青石镇委员会");
        assert_eq!(formal_name("青石社区"), "青石社区");
        assert_eq!(formal_name("党委"), "党委");
    }

    #[test]
    fn quarters_are_recognised_only_when_exact() {
        let p = |a: &str, b: &str| Period::parse(Some(a), Some(b)).unwrap();
        assert_eq!(quarter_of(p("2023-04-01", "2023-06-30")), Some(2));
        assert_eq!(quarter_of(p("2023-10-01", "2023-12-31")), Some(4));
        assert_eq!(quarter_of(p("2023-01-01", "2023-12-31")), None);
        assert_eq!(quarter_of(p("2023-04-02", "2023-06-30")), None);
    }

    #[test]
    fn figures_keep_their_style_when_refreshed() {
        assert_eq!(restyle("8", 9.0, "次"), "9");
        assert_eq!(restyle("1200余", 1336.0, "人次"), "1300余");
        assert_eq!(restyle("12次", 13.0, "次"), "13次");
        assert_eq!(restyle("93.3%", 95.5, "%"), "95.5%");
        assert_eq!(rephrase("较上年增加2次", 9.0, 6.0, "次"), "较上年增加3次");
        assert_eq!(rephrase("较上年增长12.5%", 9.0, 6.0, "次"), "较上年增长50%");
        assert_eq!(rephrase("较上年增加2次", 6.0, 6.0, "次"), "与上年持平");
    }

    #[test]
    fn an_edit_keeps_figures_bound_and_refuses_to_change_them() {
        let b = Block::Paragraph {
            content: vec![
                text("全年开展学习"),
                figure("理论学习中心组学习次数", "8"),
                text("次，培训"),
                figure("参训人次", "1200余"),
                text("人次。"),
            ],
        };
        assert_eq!(edit_text(&b), "全年开展学习⟦8⟧次，培训⟦1200余⟧人次。");
        let out = apply_edit(&b, "全年扎实开展学习⟦8⟧次，培训⟦1200余⟧人次。", &[], 3).unwrap();
        assert_eq!(
            out,
            vec![Block::Paragraph {
                content: vec![
                    text("全年扎实开展学习"),
                    figure("理论学习中心组学习次数", "8"),
                    text("次，培训"),
                    figure("参训人次", "1200余"),
                    text("人次。"),
                ]
            }]
        );
        // A changed or deleted figure is refused with the paragraph's number.
        let e = apply_edit(&b, "全年开展学习⟦9⟧次，培训⟦1200余⟧人次。", &[], 3).unwrap_err();
        assert!(
            e.message.contains("第3段") && e.message.contains("解除绑定"),
            "{e:?}"
        );
        assert!(apply_edit(&b, "全年开展学习次。培训⟦1200余⟧人次。", &[], 3).is_err());
        // Unbound, it may change or go.
        let out = apply_edit(&b, "全年开展学习⟦九⟧次，培训⟦1200余⟧人次。", &[0], 3).unwrap();
        assert_eq!(out[0].content()[0], text("全年开展学习九次，培训"));
        let out = apply_edit(&b, "培训⟦1200余⟧人次。", &[0], 3).unwrap();
        assert_eq!(out[0].content()[1], figure("参训人次", "1200余"));
        // Lines become paragraphs; an empty box removes the block.
        let out = apply_edit(&b, "学习⟦8⟧次。\n\n培训⟦1200余⟧人次。", &[], 3).unwrap();
        assert_eq!(out.len(), 2);
        assert!(apply_edit(&b, "  \n", &[0, 1], 3).unwrap().is_empty());
    }

    #[test]
    fn blanks_survive_an_edit_and_headings_stay_headings() {
        let b = Block::Heading {
            level: 1,
            content: vec![text("一、存在问题")],
        };
        let out = apply_edit(&b, "一、存在的问题\n【待补充：原因】补充说明", &[], 1).unwrap();
        assert_eq!(
            out,
            vec![
                Block::Heading {
                    level: 1,
                    content: vec![text("一、存在的问题")]
                },
                Block::Paragraph {
                    content: vec![
                        Inline::Blank {
                            hint: "原因".into()
                        },
                        text("补充说明")
                    ]
                }
            ]
        );
    }

    #[test]
    fn diffs_show_changed_blocks_by_character() {
        let d = |p: &str| Draft {
            title: "报告".into(),
            addressee: String::new(),
            blocks: vec![
                Block::Heading {
                    level: 1,
                    content: vec![text("一、工作")],
                },
                Block::Paragraph {
                    content: vec![text(p)],
                },
            ],
            issuer: "中共青石镇委员会".into(),
            date: "2024年1月5日".into(),
        };
        let lines = diff(&d("开展学习。"), &d("扎实开展学习。"));
        let changed: Vec<_> = lines
            .iter()
            .filter(|l| l.change != LineChange::Same)
            .collect();
        assert_eq!(changed.len(), 1);
        assert!(changed[0]
            .spans
            .iter()
            .any(|s| s.change == LineChange::Added && s.text == "扎实"));
    }

    #[test]
    fn file_names_keep_chinese_and_drop_what_file_systems_refuse() {
        assert_eq!(
            file_name("关于/2023年度\"报告\"", Format::Docx),
            "关于2023年度报告.docx"
        );
        assert_eq!(file_name("  ", Format::Pdf), "报告.pdf");
        let cd = content_disposition("报告.docx", 7, Format::Docx);
        assert!(cd.contains("filename=\"report-7.docx\""));
        assert!(cd.contains("filename*=UTF-8''%E6%8A%A5%E5%91%8A.docx"));
    }
}
