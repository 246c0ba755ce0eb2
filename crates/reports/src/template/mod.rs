//! Report templates (报告模板) as data: minijinja source that renders to a [`Draft`] whose
//! figures are bound to the metrics they came from.
//!
//! # The template language
//!
//! A template is [minijinja](https://docs.rs/minijinja) (Jinja2) source. What it renders is
//! read line by line; every non-empty line becomes one block of the draft:
//!
//! | line | becomes |
//! | --- | --- |
//! | `% 标题` | the draft's title (at most one per rendering) |
//! | `# 文字` … `#### 文字` | a heading of level 1–4, numbered `一、` `（一）` `1.` `（1）` |
//! | anything else | a paragraph |
//!
//! Heading numbers are written by the renderer, never by the template: they restart under
//! each parent and never skip. A heading whose section ends up with nothing in it (no
//! paragraph, and no heading below it with text) vanishes, so a section whose sentences all
//! depend on figures that are zero leaves no empty numbered heading. A heading that carries
//! its own text after a full stop (`### 强化教育引导。结合主题教育……`) counts as text.
//! Leading and trailing spaces of a line are ignored (indent freely inside `{% if %}`).
//! A line ending in `\` is joined to the next line, so a long paragraph can be written over
//! several source lines, one conditional sentence a line:
//!
//! ```text
//! 加强教育培训。\
//! {% if 指标值("培训班期数") > 0 %}举办培训班{{ 指标("培训班期数") }}期。{% endif %}\
//! {% if 指标值("网络专题学习项数") > 0 %}完成网络专题学习{{ 指标("网络专题学习项数") }}项。{% endif %}
//! ```
//!
//! A vanished sentence leaves a lone `\` (the paragraph goes on) or, on the last line, an
//! empty line (the paragraph ends). A title or heading line is never joined to the line
//! before it.
//!
//! ## Functions (and filters)
//!
//! | call | gives |
//! | --- | --- |
//! | `指标("名")` | the figure as printed ("12", "93.3%"), bound to the metric |
//! | `指标("名", 余=true)` | rounded down with 余 ("1200余", see [`numerals::approximate`]) |
//! | `指标("名", 单位=true)` | with the metric's unit ("12次"; rates keep only "%") |
//! | `指标值("名")` | the raw number for conditions and arithmetic; 0 when missing |
//! | `有数据("名")` | whether the metric has a value (a rate over nothing has none) |
//! | `上年指标("名")`, `上年指标值("名")`, `有上年数据("名")` | the same for the previous period |
//! | `较上年("名")` | "较上年增加3次" / "较上年减少2次" / "与上年持平" (rates: "提高N个百分点") |
//! | `较上年("名", 方式="增长率")` | "较上年增长12.5%" / "较上年下降25%" |
//! | `约数(x)` or `x \| 约数` | a number or a figure rounded down with 余 |
//! | `中文数字(n)` or `n \| 中文数字` | 一, 十一, 二十 … |
//! | `待补充("提示")` | a visibly marked blank, [`Inline::Blank`] |
//! | `序号()` / `序号("要")` | 一是, 二是 … (一要, 二要 …), counted from each heading; a lone 一是 is left out |
//! | `x \| 成句` | the text with its end punctuation replaced by "。" (a list item as a sentence) |
//! | `x \| 去句末标点` | the text without its end punctuation (to go on with "，…") |
//!
//! A figure without a value prints as a blank naming the metric, never as a made-up number;
//! write `{% if 指标值("x") > 0 %}…{% endif %}` so that a sentence vanishes when its figure
//! is zero, and `{% if 有数据("x") %}` around rates.
//!
//! The metric name must be a quoted literal in every call of the metric functions: names are
//! checked against the catalogue when the template is saved ([`Template::parse`]), in
//! branches a given rendering does not take as well, and the caller fetches exactly the
//! metrics the template names ([`Template::metric_names`]) before rendering. A name built at
//! run time (`指标(名)` with a variable) could be neither checked nor fetched, so it is
//! refused.
//! Calls of functions that exist neither here, in minijinja, nor as a macro or variable of the
//! template are refused at save too. A rendering that does too much work (huge loops) stops
//! with an error rather than holding the server.
//!
//! ## Variables
//!
//! The [`DraftContext`] fields under Chinese (or English) names: `单位`, `简称`, `发文机关`,
//! `年度`, `上年度`, `季度`, `季度中文`, `起始日期`, `截止日期`, `报告日期`, `主送`, `报告人`
//! (`.姓名` `.职务` `.分管`), and the lists `存在问题`, `下一步`, `清单事项`, `逾期措施`,
//! `支部`, whose fields are listed on [`ProblemLine`], [`ItemLine`], [`MeasureLine`] and
//! [`BranchLine`]. Printing a variable or field that does not exist is an error with its line.
//!
//! ## Learning a template from last year's report
//!
//! [`learn::learn`] turns an old report into a template: its structure and prose kept, its
//! years made the report year's, each figure a proposal of the metrics it may be, which
//! [`learn::apply`] binds as the user confirms.

mod builtin;
mod context;
mod layout;
pub mod learn;
pub mod numerals;
mod scan;

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use minijinja::value::{Kwargs, ValueKind};
use minijinja::{AutoEscape, Environment, Error, ErrorKind, UndefinedBehavior, Value};
use serde::{Deserialize, Serialize};
use zeren_domain::metrics::MetricDef;

use crate::draft::Draft;
#[cfg(doc)]
use crate::draft::Inline;

pub use builtin::BuiltinTemplate;
pub use context::{BranchLine, DraftContext, ItemLine, MeasureLine, ProblemLine, Reporter};
use numerals::{approximate, change_phrase, chinese_numeral, figure_text, Change};

/// The figures a template is rendered with, for the organization subtree and period of the
/// draft. The caller fetches [`Template::metric_names`] (and, for the previous period,
/// [`Template::previous_metric_names`]) before rendering.
pub trait Figures {
    /// The metric's value in the period; `None` when it has none (a rate over nothing).
    fn value(&self, metric: &str) -> Option<f64>;
    /// The metric's value in the previous period (the year before), for 较上年 phrases.
    fn previous(&self, metric: &str) -> Option<f64>;
    /// The metric's unit (次, 人次, %, …); rates are the metrics whose unit is "%".
    fn unit(&self, metric: &str) -> Option<String>;
}

/// One metric's figures in a [`FigureMap`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FigureEntry {
    pub value: Option<f64>,
    pub previous: Option<f64>,
    pub unit: String,
}

/// Pre-fetched figures: the simplest [`Figures`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct FigureMap(pub HashMap<String, FigureEntry>);

impl FigureMap {
    pub fn new() -> Self {
        Self::default()
    }

    /// Units from the catalogue (`zeren_domain::metrics::builtin()` plus custom metrics).
    pub fn with_units(catalogue: &[MetricDef]) -> Self {
        let mut m = Self::new();
        for d in catalogue {
            m.entry(&d.name).unit = d.unit.clone();
        }
        m
    }

    fn entry(&mut self, metric: &str) -> &mut FigureEntry {
        self.0.entry(metric.to_string()).or_default()
    }

    /// Sets the value in the period.
    pub fn set(&mut self, metric: &str, value: Option<f64>) -> &mut Self {
        self.entry(metric).value = value;
        self
    }

    /// Sets the value in the previous period.
    pub fn set_previous(&mut self, metric: &str, value: Option<f64>) -> &mut Self {
        self.entry(metric).previous = value;
        self
    }

    pub fn set_unit(&mut self, metric: &str, unit: &str) -> &mut Self {
        self.entry(metric).unit = unit.to_string();
        self
    }
}

impl Figures for FigureMap {
    fn value(&self, metric: &str) -> Option<f64> {
        self.0.get(metric).and_then(|e| e.value)
    }
    fn previous(&self, metric: &str) -> Option<f64> {
        self.0.get(metric).and_then(|e| e.previous)
    }
    fn unit(&self, metric: &str) -> Option<String> {
        self.0
            .get(metric)
            .map(|e| e.unit.clone())
            .filter(|u| !u.is_empty())
    }
}

/// Why a template was refused at save, or failed to render. Displays in Chinese with the
/// 1-based line of the template where there is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TemplateError {
    /// minijinja could not compile the source.
    Syntax {
        line: Option<usize>,
        message: String,
    },
    /// A metric function names a metric the catalogue does not have.
    UnknownMetric { line: usize, name: String },
    /// A metric function's first argument is not a quoted name.
    MetricNotLiteral { line: usize, function: String },
    /// A call of a function that does not exist.
    UnknownFunction { line: usize, name: String },
    /// A heading marked with more than four `#`.
    HeadingLevel { line: usize },
    /// An error while rendering (an undefined variable, a bad argument, too much work).
    Render {
        line: Option<usize>,
        message: String,
    },
    /// The rendered text cannot be laid out (two titles, a heading of level 5).
    Layout { message: String },
    /// The caller's context is not usable (a malformed date).
    Context { message: String },
}

impl TemplateError {
    /// The 1-based line of the template the error is on, when known.
    pub fn line(&self) -> Option<usize> {
        match self {
            TemplateError::Syntax { line, .. } | TemplateError::Render { line, .. } => *line,
            TemplateError::UnknownMetric { line, .. }
            | TemplateError::MetricNotLiteral { line, .. }
            | TemplateError::UnknownFunction { line, .. }
            | TemplateError::HeadingLevel { line } => Some(*line),
            TemplateError::Layout { .. } | TemplateError::Context { .. } => None,
        }
    }
}

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(line) = self.line() {
            write!(f, "第{line}行：")?;
        }
        match self {
            TemplateError::Syntax { message, .. } => write!(f, "模板语法错误：{message}"),
            TemplateError::UnknownMetric { name, .. } => write!(f, "未知指标“{name}”"),
            TemplateError::MetricNotLiteral { function, .. } => write!(
                f,
                "{function}()的第一个参数须是加引号的指标名称，如 {function}(\"巡察反馈问题数\")，\
                 以便保存时核对指标、生成草稿前取数"
            ),
            TemplateError::UnknownFunction { name, .. } => write!(f, "未知函数“{name}”"),
            TemplateError::HeadingLevel { .. } => write!(f, "标题最多四级（# 至 ####）"),
            TemplateError::Render { message, .. }
            | TemplateError::Layout { message }
            | TemplateError::Context { message } => f.write_str(message),
        }
    }
}

impl std::error::Error for TemplateError {}

// Markers in rendered text (Unicode private use area), parsed back into inlines by `layout`.
const FIGURE: char = '\u{E000}';
const SEP: char = '\u{E001}';
const END: char = '\u{E002}';
const BLANK: char = '\u{E003}';
const SEQUENCE: char = '\u{E004}';
/// Put before a caller's value that starts with `#` or `%`, so it stays text.
const NO_MARKUP: char = '\u{E005}';

fn is_marker(c: char) -> bool {
    ('\u{E000}'..='\u{E00F}').contains(&c)
}

/// The name minijinja reports errors under.
const NAME: &str = "模板";

/// Work a rendering may do (minijinja fuel: instructions and allocations); the built-in
/// templates need a small fraction of it. Stops a template that loops over huge ranges.
const FUEL: u64 = 2_000_000;

/// A checked template, ready to render.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    source: String,
    metrics: Vec<String>,
    previous: Vec<String>,
}

impl Template {
    /// Checks a template for saving: minijinja syntax, metric names (every literal in every
    /// call of a metric function, whether or not its branch is taken), calls of unknown
    /// functions and heading levels. Returns the first error by line; see [`Template::check`]
    /// for all of them.
    pub fn parse(
        source: &str,
        known_metric: impl Fn(&str) -> bool,
    ) -> Result<Template, TemplateError> {
        let (template, mut errors) = Self::analyse(source, &known_metric);
        if errors.is_empty() {
            Ok(template)
        } else {
            Err(errors.remove(0))
        }
    }

    /// Every error of a template, in line order (a syntax error stops the analysis).
    pub fn check(source: &str, known_metric: impl Fn(&str) -> bool) -> Vec<TemplateError> {
        Self::analyse(source, &known_metric).1
    }

    fn analyse(source: &str, known: &dyn Fn(&str) -> bool) -> (Template, Vec<TemplateError>) {
        let source: String = source.chars().filter(|c| !is_marker(*c)).collect();
        let mut t = Template {
            source,
            metrics: Vec::new(),
            previous: Vec::new(),
        };
        let env = Environment::new();
        if let Err(e) = env.template_from_named_str(NAME, &t.source) {
            return (t, vec![from_minijinja(&e)]);
        }
        let found = scan::scan(&t.source);
        let mut errors: Vec<TemplateError> = found
            .findings
            .into_iter()
            .map(|f| match f {
                scan::Finding::NotLiteral { line, function } => {
                    TemplateError::MetricNotLiteral { line, function }
                }
                scan::Finding::UnknownFunction { line, name } => {
                    TemplateError::UnknownFunction { line, name }
                }
                scan::Finding::Unclosed { line } => TemplateError::Syntax {
                    line: Some(line),
                    message: "标签没有闭合".into(),
                },
            })
            .collect();
        for (line, function, name) in found.calls {
            if !known(&name) {
                errors.push(TemplateError::UnknownMetric { line, name });
                continue;
            }
            if !t.metrics.contains(&name) {
                t.metrics.push(name.clone());
            }
            let previous = scan::PREVIOUS_FUNCTIONS.contains(&function.as_str());
            if previous && !t.previous.contains(&name) {
                t.previous.push(name);
            }
        }
        for (k, line) in t.source.lines().enumerate() {
            if line.trim_start().starts_with("#####") {
                errors.push(TemplateError::HeadingLevel { line: k + 1 });
            }
        }
        errors.sort_by_key(|e| e.line());
        (t, errors)
    }

    /// The template's source (as saved).
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Every metric the template names, in order of first use: the figures to fetch for the
    /// period before [`Template::render`].
    pub fn metric_names(&self) -> &[String] {
        &self.metrics
    }

    /// The metrics the template compares with the previous period (较上年, 上年指标): fetch
    /// [`Figures::previous`] for these.
    pub fn previous_metric_names(&self) -> &[String] {
        &self.previous
    }

    /// Renders a draft. Errors carry the template's line where there is one; nothing here
    /// panics on any template or context.
    pub fn render(
        &self,
        ctx: &DraftContext,
        figures: &dyn Figures,
    ) -> Result<Draft, TemplateError> {
        let fetched: HashMap<String, FigureEntry> = self
            .metrics
            .iter()
            .map(|m| {
                let entry = FigureEntry {
                    value: figures.value(m).filter(|v| v.is_finite()),
                    previous: figures.previous(m).filter(|v| v.is_finite()),
                    unit: figures
                        .unit(m)
                        .map(|u| context::strip(u.trim()))
                        .unwrap_or_default(),
                };
                (m.clone(), entry)
            })
            .collect();
        let env = environment(Arc::new(fetched));
        let vars = ctx.to_value()?;
        let rendered = env
            .template_from_named_str(NAME, &self.source)
            .and_then(|t| t.render(vars))
            .map_err(|e| from_minijinja(&e))?;
        let (title, blocks) = layout::layout(&rendered)?;
        Ok(Draft {
            title,
            addressee: context::clean(&ctx.addressee),
            blocks,
            issuer: context::clean(&ctx.issuer),
            date: context::chinese_date(&ctx.report_date, "报告日期")?,
        })
    }
}

fn from_minijinja(e: &Error) -> TemplateError {
    let detail = e.detail().unwrap_or_default().to_string();
    // Our own functions explain themselves in Chinese.
    let ours = detail.chars().next().is_some_and(|c| c > '\u{2E80}');
    let label = match e.kind() {
        ErrorKind::SyntaxError | ErrorKind::BadEscape | ErrorKind::InvalidDelimiter => {
            return TemplateError::Syntax {
                line: e.line(),
                message: syntax_message(&detail),
            }
        }
        ErrorKind::UnknownFunction => "未知函数",
        ErrorKind::UnknownFilter => "未知过滤器",
        ErrorKind::UnknownTest => "未知判断",
        ErrorKind::UnknownMethod => "未知方法",
        ErrorKind::UndefinedError => "使用了不存在的变量或字段",
        ErrorKind::TooManyArguments => "参数过多或参数名有误",
        ErrorKind::MissingArgument => "缺少参数",
        ErrorKind::OutOfFuel => "模板运算量超出限制（循环过大）",
        ErrorKind::InvalidOperation if ours => "",
        _ => "模板运行出错",
    };
    let message = match (label.is_empty(), detail.is_empty()) {
        (true, _) => detail,
        (false, true) => label.to_string(),
        (false, false) => format!("{label}：{detail}"),
    };
    TemplateError::Render {
        line: e.line(),
        message,
    }
}

/// minijinja's syntax error in Chinese, with its own words after it for the specifics.
fn syntax_message(detail: &str) -> String {
    let what = if let Some(name) = detail.strip_prefix("unknown statement ") {
        format!("未知语句“{name}”")
    } else if detail.contains("end of input") {
        "模板提前结束，可能缺少 {% endif %}、{% endfor %}、}} 或 %}".into()
    } else if detail.contains("end of string") {
        "字符串缺少结束引号".into()
    } else if detail.contains("end of comment") {
        "注释 {# 缺少结束的 #}".into()
    } else {
        "无法识别的写法".into()
    };
    if detail.is_empty() {
        what
    } else {
        format!("{what}（{detail}）")
    }
}

fn fail(message: String) -> Error {
    Error::new(ErrorKind::InvalidOperation, message)
}

/// `FIGURE metric SEP value SEP c|p SEP text END`, parsed back by `layout`.
fn encode_figure(metric: &str, text: &str, value: Option<f64>, previous: bool) -> String {
    format!(
        "{FIGURE}{metric}{SEP}{}{SEP}{}{SEP}{text}{END}",
        value.map(|v| v.to_string()).unwrap_or_default(),
        if previous { "p" } else { "c" },
    )
}

fn encode_blank(hint: &str) -> String {
    format!("{BLANK}{hint}{END}")
}

/// A number as minijinja should see it: whole numbers as integers (printed "8", not "8.0").
fn number(v: f64) -> Value {
    if (v - v.round()).abs() < 1e-9 && v.abs() < 9e15 {
        Value::from(v.round() as i64)
    } else {
        Value::from(v)
    }
}

type Fetched = Arc<HashMap<String, FigureEntry>>;

fn lookup<'a>(
    figures: &'a HashMap<String, FigureEntry>,
    name: &str,
) -> Result<&'a FigureEntry, Error> {
    figures
        .get(name)
        .ok_or_else(|| fail(format!("未知指标“{name}”")))
}

/// The printed figure of `指标` / `上年指标`.
fn figure(
    figures: &HashMap<String, FigureEntry>,
    name: &str,
    kw: &Kwargs,
    previous: bool,
) -> Result<Value, Error> {
    let approx: Option<bool> = kw.get("余")?;
    let with_unit: Option<bool> = kw.get("单位")?;
    kw.assert_all_used()?;
    let e = lookup(figures, name)?;
    let value = if previous { e.previous } else { e.value };
    let Some(v) = value else {
        let period = if previous { "上年" } else { "" };
        return Ok(Value::from(encode_blank(&format!(
            "{period}{name}（记录中无此数据）"
        ))));
    };
    Ok(Value::from(encode_figure(
        name,
        &printed_figure(
            v,
            &e.unit,
            approx.unwrap_or(false),
            with_unit.unwrap_or(false),
        ),
        Some(v),
        previous,
    )))
}

fn printed_figure(v: f64, unit: &str, approx: bool, with_unit: bool) -> String {
    let mut text = if approx && unit != "%" {
        approximate(v)
    } else {
        figure_text(v, unit)
    };
    if with_unit && unit != "%" {
        text.push_str(unit);
    }
    text
}

fn environment(figures: Fetched) -> Environment<'static> {
    let mut env = Environment::new();
    env.set_auto_escape_callback(|_| AutoEscape::None);
    env.set_undefined_behavior(UndefinedBehavior::SemiStrict);
    env.set_fuel(Some(FUEL));

    let f = figures.clone();
    env.add_function("指标", move |name: String, kw: Kwargs| {
        figure(&f, &name, &kw, false)
    });
    let f = figures.clone();
    env.add_function("上年指标", move |name: String, kw: Kwargs| {
        figure(&f, &name, &kw, true)
    });
    let f = figures.clone();
    env.add_function("指标值", move |name: String| -> Result<Value, Error> {
        Ok(number(lookup(&f, &name)?.value.unwrap_or(0.0)))
    });
    let f = figures.clone();
    env.add_function(
        "上年指标值",
        move |name: String| -> Result<Value, Error> {
            Ok(number(lookup(&f, &name)?.previous.unwrap_or(0.0)))
        },
    );
    let f = figures.clone();
    env.add_function("有数据", move |name: String| -> Result<bool, Error> {
        Ok(lookup(&f, &name)?.value.is_some())
    });
    let f = figures.clone();
    env.add_function(
        "有上年数据",
        move |name: String| -> Result<bool, Error> { Ok(lookup(&f, &name)?.previous.is_some()) },
    );
    let f = figures.clone();
    env.add_function(
        "较上年",
        move |name: String, kw: Kwargs| -> Result<Value, Error> {
            let how: Option<String> = kw.get("方式")?;
            kw.assert_all_used()?;
            let how = match how.as_deref() {
                None | Some("增减") => Change::Difference,
                Some("增长率") => Change::Growth,
                Some(other) => {
                    return Err(fail(format!(
                        "较上年()的方式应为“增减”或“增长率”，不能是“{other}”"
                    )))
                }
            };
            let e = lookup(&f, &name)?;
            Ok(Value::from(match (e.value, e.previous) {
                (Some(cur), Some(prev)) => encode_figure(
                    &name,
                    &change_phrase(cur, prev, &e.unit, how),
                    Some(prev),
                    true,
                ),
                _ => encode_blank(&format!("{name}较上年变化（记录中无上年数据）")),
            }))
        },
    );
    let f = figures;
    let approx = move |x: Value| -> Result<Value, Error> { approximate_value(&f, x) };
    env.add_function("约数", approx.clone());
    env.add_filter("约数", approx);
    let numeral = |n: Value| -> Result<String, Error> {
        match i64::try_from(n.clone()) {
            Ok(n) => Ok(chinese_numeral(n)),
            Err(_) => Err(fail(format!("中文数字()需要整数，不能是“{n}”"))),
        }
    };
    env.add_function("中文数字", numeral);
    env.add_filter("中文数字", numeral);
    env.add_function("去句末标点", |s: String| {
        trim_sentence_end(&s).to_string()
    });
    env.add_filter("去句末标点", |s: String| {
        trim_sentence_end(&s).to_string()
    });
    let sentence = |s: String| -> String {
        let t = trim_sentence_end(&s);
        if t.is_empty() {
            String::new()
        } else {
            format!("{t}。")
        }
    };
    env.add_function("成句", sentence);
    env.add_filter("成句", sentence);
    env.add_function("待补充", |hint: Option<String>| -> Value {
        let hint = hint.map(|h| context::clean(&h)).unwrap_or_default();
        let hint = hint.trim_start_matches(NO_MARKUP);
        Value::from(encode_blank(if hint.is_empty() {
            "请补充内容"
        } else {
            hint
        }))
    });
    env.add_function("序号", |suffix: Option<String>| -> Value {
        let suffix = suffix.map(|s| context::clean(&s)).unwrap_or_default();
        let suffix = suffix.trim_start_matches(NO_MARKUP);
        let suffix = if suffix.is_empty() { "是" } else { suffix };
        Value::from(format!("{SEQUENCE}{suffix}{END}"))
    });
    env
}

/// Text without the punctuation and spaces it ends with, to write a sentence end of our own.
fn trim_sentence_end(s: &str) -> &str {
    s.trim_end_matches(|c: char| c.is_whitespace() || "。；，、：.;,:！？!?".contains(c))
}

/// `约数(x)`: a number, or a figure from `指标(…)`, rounded down with 余.
fn approximate_value(figures: &HashMap<String, FigureEntry>, x: Value) -> Result<Value, Error> {
    match x.kind() {
        ValueKind::Number => {
            let v = f64::try_from(x).map_err(|e| fail(format!("约数()无法读取数字：{e}")))?;
            Ok(Value::from(approximate(v)))
        }
        ValueKind::String => {
            let s = x.as_str().unwrap_or_default();
            let body = s
                .strip_prefix(FIGURE)
                .and_then(|b| b.strip_suffix(END))
                .filter(|b| !b.contains(END));
            if let Some(body) = body {
                let parts: Vec<&str> = body.splitn(4, SEP).collect();
                if let [metric, value, flag, text] = parts[..] {
                    let e = lookup(figures, metric)?;
                    let v: f64 = value
                        .parse()
                        .map_err(|_| fail("约数()无法读取指标值".into()))?;
                    let with_unit = !e.unit.is_empty() && text.ends_with(e.unit.as_str());
                    let rounded = printed_figure(v, &e.unit, true, with_unit && e.unit != "%");
                    return Ok(Value::from(encode_figure(
                        metric,
                        &rounded,
                        Some(v),
                        flag == "p",
                    )));
                }
            }
            if s.starts_with(BLANK) {
                // A figure without a value stays the blank it is.
                return Ok(x);
            }
            match s.trim().parse::<f64>() {
                Ok(v) if v.is_finite() => Ok(Value::from(approximate(v))),
                _ => Err(fail(format!("约数()需要数字或指标，不能是“{s}”"))),
            }
        }
        _ => Err(fail(format!("约数()需要数字或指标，不能是“{x}”"))),
    }
}
