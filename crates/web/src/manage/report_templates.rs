//! 报告模板 (report templates) shared by the pages and the API: the built-in templates with an
//! administrator's edits and additions, saving after the template language's checks against
//! the live metric catalogue and a trial rendering, and learning a template from last year's
//! report.
//!
//! Templates are one set for the whole installation (every unit drafts from them), so reading
//! needs [`Action::ManageTemplates`] anywhere, and changing them a grant of it at a top-level
//! organization, like the metric catalogue.

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::AppState;
use serde::Serialize;
use zeren_domain::metrics::MetricDef;
use zeren_domain::permissions::Action;
use zeren_domain::Invalid;
use zeren_reports::template::learn::{self, Learned};
use zeren_reports::template::{
    BranchLine, BuiltinTemplate, DraftContext, FigureMap, ItemLine, MeasureLine, ProblemLine,
    Reporter, Template, TemplateError,
};
use zeren_reports::Document;
use zeren_storage::ReportTemplate;

/// The longest template source accepted (characters); the built-in ones are under 10,000.
pub const MAX_SOURCE: usize = 200_000;

/// The longest report learned from (characters): a year's report is some 20,000.
pub const MAX_LEARN: usize = 300_000;

/// Codes that are pages of their own.
const RESERVED: [&str; 2] = ["new", "learn"];

/// A template as users see it: a built-in one (possibly edited) or an administrator's own.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    pub code: String,
    /// annual | accountability | self_inspection | quarterly
    pub kind: String,
    pub name: String,
    pub source: String,
    /// Ships with Zeren.
    pub builtin: bool,
    /// A built-in template whose stored source differs from the shipped one.
    pub modified: bool,
    /// When last saved; empty for a built-in template never saved.
    pub updated_at: String,
}

/// One reason a template was refused, with its 1-based line where there is one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Problem {
    pub line: Option<usize>,
    /// Chinese, without the line (e.g. 未知指标“某某数”).
    pub message: String,
}

impl Problem {
    fn from_error(e: &TemplateError) -> Problem {
        let line = e.line();
        let text = e.to_string();
        let message = match line {
            Some(l) => text
                .strip_prefix(&format!("第{l}行："))
                .unwrap_or(&text)
                .to_string(),
            None => text,
        };
        Problem { line, message }
    }

    /// "第3行：未知指标“某某数”".
    pub fn text(&self) -> String {
        match self.line {
            Some(l) => format!("第{l}行：{}", self.message),
            None => self.message.clone(),
        }
    }
}

/// Why a save was refused: a field, or the template's own errors.
#[derive(Debug)]
pub enum SaveError {
    App(AppError),
    Template(Vec<Problem>),
}

impl<E: Into<AppError>> From<E> for SaveError {
    fn from(e: E) -> Self {
        SaveError::App(e.into())
    }
}

/// The report kinds a template can be for: (key, label).
pub fn kinds() -> Vec<(&'static str, &'static str)> {
    BuiltinTemplate::ALL
        .iter()
        .map(|b| (b.key(), kind_label(b.key())))
        .collect()
}

/// What a kind is called.
pub fn kind_label(kind: &str) -> &'static str {
    match kind {
        "annual" => "年度主体责任报告",
        "accountability" => "述责述廉报告",
        "self_inspection" => "工作总结（自查报告）",
        "quarterly" => "季度调度报告",
        _ => "其他",
    }
}

fn entry_of(builtin: Option<BuiltinTemplate>, stored: Option<ReportTemplate>) -> Option<Entry> {
    match (builtin, stored) {
        (Some(b), Some(s)) => Some(Entry {
            modified: s.source != b.source() || s.name != b.label(),
            code: s.code,
            kind: s.kind,
            name: s.name,
            source: s.source,
            builtin: true,
            updated_at: s.updated_at,
        }),
        (Some(b), None) => Some(Entry {
            code: b.key().into(),
            kind: b.key().into(),
            name: b.label().into(),
            source: b.source().into(),
            builtin: true,
            modified: false,
            updated_at: String::new(),
        }),
        (None, Some(s)) => Some(Entry {
            code: s.code,
            kind: s.kind,
            name: s.name,
            source: s.source,
            builtin: false,
            modified: false,
            updated_at: s.updated_at,
        }),
        (None, None) => None,
    }
}

/// Every template: the built-in ones first (as edited, if they were), then the others in the
/// order they were added.
pub async fn list(state: &AppState) -> Result<Vec<Entry>, AppError> {
    let mut stored = state.store.report_templates().await?;
    let mut out = Vec::new();
    for b in BuiltinTemplate::ALL {
        let own = stored
            .iter()
            .position(|t| t.code == b.key())
            .map(|i| stored.remove(i));
        out.extend(entry_of(Some(b), own));
    }
    out.extend(stored.into_iter().filter_map(|s| entry_of(None, Some(s))));
    Ok(out)
}

/// One template by its code.
pub async fn get(state: &AppState, code: &str) -> Result<Entry, AppError> {
    let stored = state.store.report_template(code).await?;
    entry_of(BuiltinTemplate::from_key(code), stored).ok_or(AppError::NotFound("该报告模板"))
}

/// May the user change templates (a grant at a top-level organization)?
pub fn may_edit(user: &CurrentUser) -> bool {
    user.perms.can_at_top(Action::ManageTemplates)
}

fn require_edit(user: &CurrentUser) -> Result<(), AppError> {
    if may_edit(user) {
        Ok(())
    } else {
        Err(AppError::Status(
            axum::http::StatusCode::FORBIDDEN,
            "报告模板供全部单位使用，只有上级（顶层）组织的管理员、书记或党务工作者可以修改".into(),
        ))
    }
}

/// A new template's code: ASCII, so that it reads in addresses and files.
pub fn parse_code(code: &str) -> Result<String, Invalid> {
    let c = code.trim();
    let ok = (2..=40).contains(&c.len())
        && c.starts_with(|ch: char| ch.is_ascii_lowercase())
        && c.chars()
            .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '_' || ch == '-');
    if !ok {
        return Err(Invalid::new(
            "code",
            "模板编码应为2至40位小写英文字母、数字、下划线或连字符，以字母开头，如 town_annual",
        ));
    }
    if RESERVED.contains(&c) {
        return Err(Invalid::new(
            "code",
            format!("“{c}”是系统保留的编码，请换一个"),
        ));
    }
    Ok(c.to_string())
}

pub fn parse_kind(kind: &str) -> Result<String, Invalid> {
    BuiltinTemplate::from_key(kind.trim())
        .map(|b| b.key().to_string())
        .ok_or_else(|| {
            Invalid::new(
                "kind",
                "报告类型应为年度主体责任报告、述责述廉报告、工作总结（自查报告）或季度调度报告之一",
            )
        })
}

pub fn parse_name(name: &str) -> Result<String, Invalid> {
    let n = name.trim();
    let len = n.chars().count();
    if !(2..=60).contains(&len) || n.chars().any(char::is_control) {
        return Err(Invalid::new("name", "模板名称应为2至60个字"));
    }
    Ok(n.to_string())
}

fn check_source(source: &str) -> Result<(), Invalid> {
    if source.trim().is_empty() {
        return Err(Invalid::new("source", "模板内容不能为空"));
    }
    if source.chars().count() > MAX_SOURCE {
        return Err(Invalid::new(
            "source",
            format!("模板内容过长（不超过{MAX_SOURCE}字）"),
        ));
    }
    Ok(())
}

/// What a trial rendering fills in: one of everything a template of the kind may print, and
/// every metric it names at a value that takes `> 0` branches.
fn sample_context(kind: &str) -> DraftContext {
    let item = ItemLine {
        category: "思想建设".into(),
        description: "开展理论学习".into(),
        owner: "张三".into(),
        deadline: "2023-06-30".into(),
        status: "推进中".into(),
        progress: "已完成过半".into(),
    };
    DraftContext {
        organization: "中共示例镇委员会".into(),
        short_name: "示例镇党委".into(),
        issuer: "中共示例镇委员会".into(),
        year: 2023,
        quarter: (kind == "quarterly").then_some(2),
        period_from: "2023-01-01".into(),
        period_to: "2023-12-31".into(),
        report_date: "2024-01-05".into(),
        addressee: "县委：".into(),
        reporter: Some(Reporter {
            name: "张三".into(),
            post: "党委书记".into(),
            portfolio: "党建工作".into(),
        }),
        problems: vec![ProblemLine {
            description: "理论学习不够深入".into(),
            category: "思想建设".into(),
            source: "民主生活会".into(),
            status: "整改中".into(),
            org: "示例镇党委".into(),
        }],
        next_items: vec![item.clone()],
        items: vec![item],
        overdue_measures: vec![MeasureLine {
            problem: "台账不规范".into(),
            measure: "规范台账".into(),
            owner: "李四".into(),
            deadline: "2023-05-31".into(),
            days_overdue: 10,
            org: "示例村党支部".into(),
        }],
        branches: vec![BranchLine {
            name: "示例村党支部".into(),
            records: 12,
            should_hold: 20,
            held: 18,
        }],
    }
}

/// Every problem of a template: the language's checks against the catalogue, then a trial
/// rendering (a variable that does not exist, two titles …). CPU work: call off the async
/// workers.
pub fn problems(source: &str, kind: &str, catalog: &[MetricDef]) -> Vec<Problem> {
    let known = |n: &str| catalog.iter().any(|m| m.name == n);
    let errors = Template::check(source, known);
    if !errors.is_empty() {
        return errors.iter().map(Problem::from_error).collect();
    }
    let template = match Template::parse(source, known) {
        Ok(t) => t,
        Err(e) => return vec![Problem::from_error(&e)],
    };
    let mut figures = FigureMap::with_units(catalog);
    for name in template.metric_names() {
        let rate = catalog.iter().any(|m| m.name == *name && m.unit == "%");
        let v = if rate { 90.0 } else { 8.0 };
        figures.set(name, Some(v)).set_previous(name, Some(v - 1.0));
    }
    match template.render(&sample_context(kind), &figures) {
        Ok(_) => Vec::new(),
        Err(e) => vec![Problem {
            message: format!("试生成报告时出错：{}", Problem::from_error(&e).message),
            line: e.line(),
        }],
    }
}

/// Checks a template against the live catalogue (off the async workers).
pub async fn validate(state: &AppState, kind: &str, source: &str) -> Result<(), SaveError> {
    let catalog = state.store.metric_catalog().await?;
    let (kind, source) = (kind.to_string(), source.to_string());
    let found = tokio::task::spawn_blocking(move || problems(&source, &kind, &catalog))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    if found.is_empty() {
        Ok(())
    } else {
        Err(SaveError::Template(found))
    }
}

/// Saves a template under its code after every check; audited. `creating`: a code that is
/// already taken (stored or built-in) is refused rather than overwritten.
pub async fn save(
    state: &AppState,
    user: &CurrentUser,
    code: &str,
    kind: &str,
    name: &str,
    source: &str,
    creating: bool,
) -> Result<ReportTemplate, SaveError> {
    require_edit(user)?;
    let builtin = BuiltinTemplate::from_key(code);
    let code = match builtin {
        Some(b) if !creating => b.key().to_string(),
        _ => parse_code(code)?,
    };
    let kind = parse_kind(kind)?;
    let name = parse_name(name)?;
    check_source(source)?;
    if let Some(b) = builtin {
        if creating {
            return Err(Invalid::new("code", "该编码是内置模板，请在模板列表中打开它修改").into());
        }
        if kind != b.key() {
            return Err(Invalid::new("kind", "内置模板的报告类型不能更改").into());
        }
    }
    if creating && state.store.report_template(&code).await?.is_some() {
        return Err(Invalid::new("code", "该模板编码已被使用").into());
    }
    if !creating && builtin.is_none() && state.store.report_template(&code).await?.is_none() {
        return Err(AppError::NotFound("该报告模板").into());
    }
    validate(state, &kind, source).await?;
    let mut tx = state.store.begin_write().await?;
    let saved = tx
        .save_report_template(&code, &kind, &name, source, &user.actor())
        .await?;
    tx.commit().await?;
    Ok(saved)
}

/// Puts a built-in template back as shipped (its edits stay in the audit trail).
pub async fn restore(
    state: &AppState,
    user: &CurrentUser,
    code: &str,
) -> Result<ReportTemplate, AppError> {
    require_edit(user)?;
    let b = BuiltinTemplate::from_key(code).ok_or(AppError::NotFound("该内置模板"))?;
    let mut tx = state.store.begin_write().await?;
    let saved = tx
        .save_report_template(b.key(), b.key(), b.label(), b.source(), &user.actor())
        .await?;
    tx.commit().await?;
    Ok(saved)
}

/// Reads last year's report (.docx, .txt, .md) and learns a template from it against the
/// live catalogue. Reading and matching run off the async workers, a few at a time.
pub async fn learn_upload(
    state: &AppState,
    name: &str,
    bytes: Vec<u8>,
) -> Result<Learned, AppError> {
    let catalog = state.store.metric_catalog().await?;
    let _permit = crate::manage::check::CHECK_PERMITS
        .acquire()
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let name = name.to_string();
    tokio::task::spawn_blocking(move || {
        let doc: Document = crate::manage::check::parse_upload(&name, &bytes)?;
        if doc.paragraphs.is_empty() {
            return Err(AppError::Invalid(Invalid::new(
                "file",
                "文件中没有读出文字，请确认上传的是上年报告的 Word 或文本文件",
            )));
        }
        if doc.source().chars().count() > MAX_LEARN {
            return Err(AppError::Invalid(Invalid::new(
                "file",
                format!("报告过长（超过{MAX_LEARN}字），请只上传上年报告正文"),
            )));
        }
        Ok(learn::learn(&doc, &catalog))
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?
}

#[cfg(test)]
mod tests {
    use super::*;
    use zeren_domain::metrics::builtin;

    #[test]
    fn the_builtin_templates_pass_their_own_checks() {
        let catalog = builtin();
        for b in BuiltinTemplate::ALL {
            assert_eq!(problems(b.source(), b.key(), &catalog), [], "{}", b.key());
        }
    }

    #[test]
    fn problems_carry_lines_and_chinese() {
        let catalog = builtin();
        let p = problems(
            "% 标题\n开展学习{{ 指标(\"理论学习次数\") }}次",
            "annual",
            &catalog,
        );
        assert_eq!(
            p,
            [Problem {
                line: Some(2),
                message: "未知指标“理论学习次数”".into()
            }]
        );
        assert_eq!(p[0].text(), "第2行：未知指标“理论学习次数”");
        let p = problems("正文\n{% if 1 %}\n未闭合", "annual", &catalog);
        assert_eq!(p.len(), 1);
        assert!(p[0].message.contains("模板提前结束"), "{p:?}");
        // A variable that does not exist is found by the trial rendering.
        let p = problems("正文\n{{ 单位名称 }}", "annual", &catalog);
        assert_eq!(p[0].line, Some(2), "{p:?}");
        assert!(p[0].message.starts_with("试生成报告时出错"), "{p:?}");
    }

    #[test]
    fn codes_names_and_kinds() {
        assert_eq!(parse_code(" town_annual-2 ").unwrap(), "town_annual-2");
        for bad in ["", "a", "Town", "1abc", "中文", "new", "learn", "a b"] {
            assert!(parse_code(bad).is_err(), "{bad}");
        }
        assert!(parse_kind("annual").is_ok());
        assert!(parse_kind("branch").is_err());
        assert!(parse_name("模").is_err());
        assert_eq!(parse_name(" 镇年度报告 ").unwrap(), "镇年度报告");
    }
}
