//! What a caller supplies besides figures: the organization, period and dates, and the lists
//! of records a report enumerates. Plain serde structs, easy to fill from the database.

use std::collections::BTreeMap;

use minijinja::Value;
use serde::{Deserialize, Serialize};

use super::numerals::chinese_numeral;
use super::TemplateError;

/// Everything a template may print besides metric figures.
///
/// In templates each field is available under a Chinese name (and its English one), listed
/// on each field as `模板名 / english`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DraftContext {
    /// `单位 / organization`: the organization's full name, e.g. "中共城关镇委员会".
    pub organization: String,
    /// `简称 / short_name`: how the body names it, e.g. "城关镇党委"; `organization` when empty.
    pub short_name: String,
    /// `发文机关 / issuer`: the signature under the report (usually the full name).
    pub issuer: String,
    /// `年度 / year`: the year reported on; `上年度 / previous_year` is one less.
    pub year: i32,
    /// `季度 / quarter` (1–4) for quarterly reports; `季度中文` prints it as 一…四.
    pub quarter: Option<u8>,
    /// `起始日期 / period_from`, `截止日期 / period_to`: the period, "YYYY-MM-DD"
    /// (printed "2023年1月1日").
    pub period_from: String,
    pub period_to: String,
    /// `报告日期 / report_date`: the date of the report, "YYYY-MM-DD"; also the draft's 成文日期.
    pub report_date: String,
    /// `主送 / addressee`: e.g. "县委：" (the draft's 主送机关 too).
    pub addressee: String,
    /// `报告人 / reporter`: the leader a 述责述廉 report is written by.
    pub reporter: Option<Reporter>,
    /// `存在问题 / problems`: problems found by self-examination (查摆问题) in the period.
    pub problems: Vec<ProblemLine>,
    /// `下一步 / next_items`: next year's list items (下一步工作), when they exist.
    pub next_items: Vec<ItemLine>,
    /// `清单事项 / items`: this period's list items with status and progress.
    pub items: Vec<ItemLine>,
    /// `逾期措施 / overdue_measures`: rectification measures past their deadline.
    pub overdue_measures: Vec<MeasureLine>,
    /// `支部 / branches`: per-branch records and 三会一课 held against what was due.
    pub branches: Vec<BranchLine>,
}

/// The leader who reports (述责述廉): `姓名 / name`, `职务 / post`, `分管 / portfolio`
/// (分管领域, e.g. "组织、宣传工作").
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Reporter {
    pub name: String,
    pub post: String,
    pub portfolio: String,
}

/// A problem (问题): `描述 / description`, `类别 / category` (e.g. 思想建设), `来源 / source`
/// (e.g. 民主生活会, 巡察), `状态 / status` (as users see it: 整改中, 已销号), `单位 / org`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProblemLine {
    pub description: String,
    pub category: String,
    pub source: String,
    pub status: String,
    pub org: String,
}

/// A list item (清单事项): `类别 / category`, `内容 / description`, `责任人 / owner`,
/// `期限 / deadline` ("YYYY-MM-DD", printed 2024年6月30日), `状态 / status` (已完成, 推进中),
/// `进展 / progress` (free text of the last dispatch, may be empty).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ItemLine {
    pub category: String,
    pub description: String,
    pub owner: String,
    pub deadline: String,
    pub status: String,
    pub progress: String,
}

/// A rectification measure (整改措施) past its deadline: `问题 / problem`, `措施 / measure`,
/// `责任人 / owner`, `期限 / deadline`, `逾期天数 / days_overdue`, `单位 / org`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MeasureLine {
    pub problem: String,
    pub measure: String,
    pub owner: String,
    pub deadline: String,
    pub days_overdue: i64,
    pub org: String,
}

/// One branch (党支部) in the period: `名称 / name`, `纪实数 / records` (work records kept),
/// `应开展 / should_hold` and `已开展 / held` (三会一课 and 主题党日 due and held).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct BranchLine {
    pub name: String,
    pub records: i64,
    pub should_hold: i64,
    pub held: i64,
}

/// Characters the renderer uses as markers (private use area): never let the caller's text
/// carry them, and never let a line break split a paragraph.
pub(super) fn clean(s: &str) -> String {
    let s = strip(s);
    let s = s.trim();
    // A value printed at the start of a line must not turn it into a heading or title.
    if s.starts_with('#') || s.starts_with('%') {
        format!("{}{s}", super::NO_MARKUP)
    } else {
        s.to_string()
    }
}

/// Text without marker characters, on one line.
pub(super) fn strip(s: &str) -> String {
    s.chars()
        .filter(|c| !super::is_marker(*c))
        .map(|c| if c == '\n' || c == '\r' { ' ' } else { c })
        .collect()
}

/// "2023-01-05" → "2023年1月5日"; empty stays empty.
pub(super) fn chinese_date(iso: &str, field: &str) -> Result<String, TemplateError> {
    let iso = iso.trim();
    if iso.is_empty() {
        return Ok(String::new());
    }
    let parts: Vec<&str> = iso.split('-').collect();
    let parsed = match parts.as_slice() {
        [y, m, d] if y.len() == 4 => y
            .parse::<i32>()
            .ok()
            .zip(m.parse::<u32>().ok())
            .zip(d.parse::<u32>().ok())
            .filter(|((_, m), d)| (1..=12).contains(m) && (1..=31).contains(d)),
        _ => None,
    };
    match parsed {
        Some(((y, m), d)) => Ok(format!("{y}年{m}月{d}日")),
        None => Err(TemplateError::Context {
            message: format!("{field}“{iso}”不是有效日期，应写作YYYY-MM-DD"),
        }),
    }
}

/// A map with each value under its Chinese and English names.
struct Entry(BTreeMap<String, Value>);

impl Entry {
    fn new() -> Self {
        Entry(BTreeMap::new())
    }
    fn put(&mut self, zh: &str, en: &str, v: impl Into<Value>) -> &mut Self {
        let v = v.into();
        self.0.insert(zh.into(), v.clone());
        self.0.insert(en.into(), v);
        self
    }
    fn text(&mut self, zh: &str, en: &str, s: &str) -> &mut Self {
        self.put(zh, en, clean(s))
    }
    fn value(&mut self) -> Value {
        Value::from(std::mem::take(&mut self.0))
    }
}

impl DraftContext {
    /// The template's variables.
    pub(super) fn to_value(&self) -> Result<Value, TemplateError> {
        let mut e = Entry::new();
        let short = if self.short_name.trim().is_empty() {
            &self.organization
        } else {
            &self.short_name
        };
        e.text("单位", "organization", &self.organization)
            .text("简称", "short_name", short)
            .text("发文机关", "issuer", &self.issuer)
            .put("年度", "year", self.year)
            .put("上年度", "previous_year", self.year - 1)
            .put(
                "季度",
                "quarter",
                self.quarter.map(Value::from).unwrap_or(Value::from(())),
            )
            .put(
                "季度中文",
                "quarter_chinese",
                self.quarter
                    .map(|q| chinese_numeral(q.into()))
                    .unwrap_or_default(),
            )
            .put(
                "起始日期",
                "period_from",
                chinese_date(&self.period_from, "起始日期")?,
            )
            .put(
                "截止日期",
                "period_to",
                chinese_date(&self.period_to, "截止日期")?,
            )
            .put(
                "报告日期",
                "report_date",
                chinese_date(&self.report_date, "报告日期")?,
            )
            .text("主送", "addressee", &self.addressee);
        let reporter = self.reporter.as_ref().map(|r| {
            Entry::new()
                .text("姓名", "name", &r.name)
                .text("职务", "post", &r.post)
                .text("分管", "portfolio", &r.portfolio)
                .value()
        });
        e.put("报告人", "reporter", reporter.unwrap_or(Value::from(())));
        let problems: Vec<Value> = self
            .problems
            .iter()
            .map(|p| {
                Entry::new()
                    .text("描述", "description", &p.description)
                    .text("类别", "category", &p.category)
                    .text("来源", "source", &p.source)
                    .text("状态", "status", &p.status)
                    .text("单位", "org", &p.org)
                    .value()
            })
            .collect();
        e.put("存在问题", "problems", problems);
        for (zh, en, list) in [
            ("下一步", "next_items", &self.next_items),
            ("清单事项", "items", &self.items),
        ] {
            let items = list
                .iter()
                .map(|i| {
                    Ok(Entry::new()
                        .text("类别", "category", &i.category)
                        .text("内容", "description", &i.description)
                        .text("责任人", "owner", &i.owner)
                        .put("期限", "deadline", chinese_date(&i.deadline, "期限")?)
                        .text("状态", "status", &i.status)
                        .text("进展", "progress", &i.progress)
                        .value())
                })
                .collect::<Result<Vec<Value>, TemplateError>>()?;
            e.put(zh, en, items);
        }
        let measures = self
            .overdue_measures
            .iter()
            .map(|m| {
                Ok(Entry::new()
                    .text("问题", "problem", &m.problem)
                    .text("措施", "measure", &m.measure)
                    .text("责任人", "owner", &m.owner)
                    .put("期限", "deadline", chinese_date(&m.deadline, "期限")?)
                    .put("逾期天数", "days_overdue", m.days_overdue)
                    .text("单位", "org", &m.org)
                    .value())
            })
            .collect::<Result<Vec<Value>, TemplateError>>()?;
        e.put("逾期措施", "overdue_measures", measures);
        let branches: Vec<Value> = self
            .branches
            .iter()
            .map(|b| {
                Entry::new()
                    .text("名称", "name", &b.name)
                    .put("纪实数", "records", b.records)
                    .put("应开展", "should_hold", b.should_hold)
                    .put("已开展", "held", b.held)
                    .value()
            })
            .collect();
        e.put("支部", "branches", branches);
        Ok(e.value())
    }
}
