//! 报告体检: the report checker.
//!
//! A [`Document`] (plain text, Markdown or .docx) is checked by a set of rules, each with a
//! stable id that scripts and stored settings filter on:
//!
//! | id | catches |
//! | --- | --- |
//! | `placeholder` | unfilled template slots: `XX乡`, `党的XX大`, `某某`, `多少次`, `【填写】`, `赋予、的` |
//! | `numbering` | heading numbers that jump, repeat or go backwards; `1、` for `1.`; `一是/三是` gaps |
//! | `pairing` | unbalanced “ ” 《 》 （ ） 【 】 … inside a paragraph |
//! | `figures` | a rate, share, part or total that disagrees with the counts beside it |
//! | `suspicious` | figures that look unfilled: four `10人次` in a row, rates above 100% |
//! | `time` | terms cited for a year they do not fit: `党的二十大` in a 2021 report |
//! | `punctuation` | half-width `,;:()` in Chinese text, `%` beside `％`, `截止目前`, `，，` |
//! | `residue` | text pasted from the web or a PDF: `##paidbegin##`, `VIP`, page numbers, broken lines |
//!
//! A rule may report a sub-id (`numbering.gap`); disabling `numbering` disables all of them.
//! Positions: `line`/`column` are 1-based and counted in characters; `end_column` is
//! **exclusive** (the column just after the last character of the span); `start`/`end` are
//! 0-based character offsets into [`Document::source`], end exclusive.

mod cli;
mod document;
mod docx;
mod error;
mod figures;
pub(crate) mod numbering;
pub(crate) mod numbers;
mod pairing;
mod placeholder;
mod punctuation;
mod residue;
mod suspicious;
pub(crate) mod text;
mod time;

use serde::{Deserialize, Serialize};

pub use cli::{decode_text, format_human, read_document, run_check_command};
pub use document::{Document, Paragraph};
pub use error::CheckError;
pub use time::{
    assumed_year, current_congress, detect_year, infer_year, time_terms, AssumedYear, TimeTerm,
    TimeTermKind, YearBasis,
};

use numbers::Num;

/// How bad a finding is. Serialises as the Chinese word shown to users.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Severity {
    /// 提示: worth a look, may well be intended.
    #[serde(rename = "提示")]
    Hint,
    /// 警告: very likely a defect, but the checker cannot be sure.
    #[serde(rename = "警告")]
    Warning,
    /// 错误: a defect; the report should not go out with it.
    #[serde(rename = "错误")]
    Error,
}

impl Severity {
    /// The Chinese word: 错误 / 警告 / 提示.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "错误",
            Severity::Warning => "警告",
            Severity::Hint => "提示",
        }
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One defect found in a document.
///
/// Serialises to exactly `rule, severity, line, column, end_line, end_column, text, message,
/// suggestion` (the CLI adds `file`); `start`/`end` are for highlighting and not serialised.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Rule id, possibly with a sub-id: `placeholder.x`, `numbering.gap`, …
    pub rule: String,
    pub severity: Severity,
    /// 1-based line of the first character of the span.
    pub line: usize,
    /// 1-based column (in characters) of the first character of the span.
    pub column: usize,
    /// 1-based line of the end of the span (spans never cross a line today).
    pub end_line: usize,
    /// 1-based column just after the last character of the span (exclusive).
    pub end_column: usize,
    /// The exact text of the span.
    pub text: String,
    /// What is wrong, in Chinese.
    pub message: String,
    /// What to do about it, in Chinese.
    pub suggestion: String,
    /// 0-based character offset of the span in [`Document::source`].
    #[serde(skip)]
    pub start: usize,
    /// 0-based character offset just after the span in [`Document::source`].
    #[serde(skip)]
    pub end: usize,
}

/// Which rules run, and facts the checker cannot always find itself.
///
/// Stored per template or per organization by the web layer, hence serialisable.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CheckOptions {
    /// Rule ids or id prefixes to switch off: `"time"` switches off every `time.*` finding,
    /// `"numbering.style"` only that one.
    pub disabled: Vec<String>,
    /// The year the report covers. When `None` it is read from the title or opening
    /// ("2023年度…", "2023年，…").
    pub year: Option<i32>,
}

/// Another name for [`CheckOptions`], for code that thinks of it as the set of rules in force.
pub type RuleSet = CheckOptions;

impl CheckOptions {
    /// Options with every rule on.
    pub fn all() -> Self {
        Self::default()
    }

    /// Switch a rule id or prefix off.
    pub fn disable(mut self, id: impl Into<String>) -> Self {
        self.disabled.push(id.into());
        self
    }

    /// Set the report year explicitly.
    pub fn with_year(mut self, year: i32) -> Self {
        self.year = Some(year);
        self
    }

    /// Whether findings with this id are reported: an entry disables the id itself and every
    /// id below it (`"numbering"` covers `"numbering.gap"`, not `"numberingx"`).
    pub fn is_enabled(&self, id: &str) -> bool {
        !self.disabled.iter().any(|d| {
            let d = d.trim();
            !d.is_empty()
                && id.starts_with(d)
                && (id.len() == d.len() || id.as_bytes()[d.len()] == b'.')
        })
    }
}

/// A rule's id and what it is for, for documentation and settings pages.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct RuleInfo {
    pub id: &'static str,
    /// Chinese name shown in settings.
    pub name: &'static str,
    /// The severity of its most serious finding.
    pub severity: Severity,
}

/// Every top-level rule, in the order of the defect classes.
pub const RULES: &[RuleInfo] = &[
    RuleInfo {
        id: "placeholder",
        name: "未填写的占位符",
        severity: Severity::Error,
    },
    RuleInfo {
        id: "numbering",
        name: "序号",
        severity: Severity::Error,
    },
    RuleInfo {
        id: "pairing",
        name: "成对标点",
        severity: Severity::Error,
    },
    RuleInfo {
        id: "figures",
        name: "数字前后矛盾",
        severity: Severity::Error,
    },
    RuleInfo {
        id: "suspicious",
        name: "可疑数字",
        severity: Severity::Error,
    },
    RuleInfo {
        id: "time",
        name: "时间表述",
        severity: Severity::Error,
    },
    RuleInfo {
        id: "punctuation",
        name: "标点与用字",
        severity: Severity::Warning,
    },
    RuleInfo {
        id: "residue",
        name: "网页、PDF残留",
        severity: Severity::Error,
    },
];

/// What every rule sees of one paragraph: its characters and facts computed once.
pub(crate) struct Para {
    pub chars: Vec<char>,
    /// Index of the first character after leading blanks, residue markers and emphasis marks.
    pub lead: usize,
    /// A heading number at `lead`, if any.
    pub marker: Option<numbering::Marker>,
    pub is_title: bool,
    /// The year of the report this paragraph belongs to.
    pub year: Option<i32>,
    /// Figures in the paragraph; filled only when a rule needs them.
    pub nums: Vec<Num>,
}

/// The checked document as the rules see it.
pub(crate) struct Ctx<'a> {
    pub doc: &'a Document,
    pub paras: Vec<Para>,
    /// The year read from the text itself, when neither given nor written at the top.
    pub inferred_year: Option<time::AssumedYear>,
}

impl Ctx<'_> {
    /// A finding on paragraph `p`, characters `start..end` of it (clamped, never empty).
    #[allow(clippy::too_many_arguments)]
    pub fn finding(
        &self,
        p: usize,
        start: usize,
        end: usize,
        rule: &str,
        severity: Severity,
        message: impl Into<String>,
        suggestion: impl Into<String>,
    ) -> Finding {
        let para = &self.doc.paragraphs[p];
        let chars = &self.paras[p].chars;
        let len = chars.len();
        let start = start.min(len.saturating_sub(1));
        let end = end.clamp(start + 1, len.max(start + 1));
        let text: String = chars[start.min(len)..end.min(len)].iter().collect();
        Finding {
            rule: rule.to_string(),
            severity,
            line: para.line,
            column: para.column + start,
            end_line: para.line,
            end_column: para.column + end,
            text,
            message: message.into(),
            suggestion: suggestion.into(),
            start: para.offset + start,
            end: para.offset + end,
        }
    }
}

type RuleFn = fn(&Ctx, &mut Vec<Finding>);

const RULE_FNS: &[(&str, RuleFn)] = &[
    ("placeholder", placeholder::check),
    ("numbering", numbering::check),
    ("pairing", pairing::check),
    ("figures", figures::check),
    ("suspicious", suspicious::check),
    ("time", time::check),
    ("punctuation", punctuation::check),
    ("residue", residue::check),
];

/// Check a document; findings come sorted by position.
pub fn check(doc: &Document, opts: &CheckOptions) -> Vec<Finding> {
    let need_nums = opts.is_enabled("figures") || opts.is_enabled("suspicious");
    let mut paras = Vec::with_capacity(doc.paragraphs.len());
    let mut year = opts.year;
    // Paragraphs since the last title: a report states its year in the title or opening, and
    // a second title starts a new report (seed files hold more than one).
    let mut in_segment = 0usize;
    for p in &doc.paragraphs {
        let chars: Vec<char> = p.text.chars().collect();
        let lead = text::lead(&chars);
        // Table cells hold figures and short labels, never headings.
        let marker = if p.in_table {
            None
        } else {
            numbering::marker(&chars, lead).or_else(|| numbering::attachment(&chars, lead))
        };
        let is_title = p.heading == Some(0)
            || (!p.in_table
                && p.heading.is_none_or(|h| h <= 1)
                && marker.is_none()
                && is_title(&chars[lead..]));
        if opts.year.is_none() {
            if is_title {
                year = time::year_in(&chars);
                in_segment = 0;
            } else if year.is_none() && in_segment < 3 {
                year = time::year_in(&chars);
            }
        }
        in_segment += 1;
        let nums = if need_nums {
            numbers::scan(&chars)
        } else {
            Vec::new()
        };
        paras.push(Para {
            chars,
            lead,
            marker,
            is_title,
            year,
            nums,
        });
    }
    // The opening paragraph may state the year when the title does not: carry it back.
    if opts.year.is_none() {
        let mut later = None;
        for para in paras.iter_mut().rev() {
            if para.year.is_some() {
                later = para.year;
            } else {
                para.year = later;
            }
            if para.is_title {
                later = None;
            }
        }
    }
    // Neither given nor written at the top: the year the text itself points to.
    let mut inferred_year = None;
    if opts.year.is_none() && paras.iter().any(|p| p.year.is_none()) {
        inferred_year = time::infer_year(doc);
        if let Some(inferred) = &inferred_year {
            for para in paras.iter_mut().filter(|p| p.year.is_none()) {
                para.year = Some(inferred.year);
            }
        }
    }
    let ctx = Ctx {
        doc,
        paras,
        inferred_year,
    };
    let mut out = Vec::new();
    for (id, f) in RULE_FNS {
        if opts.is_enabled(id) {
            f(&ctx, &mut out);
        }
    }
    out.retain(|f| opts.is_enabled(&f.rule));
    out.sort_by(|a, b| {
        (a.start, a.end, &a.rule, &a.message).cmp(&(b.start, b.end, &b.rule, &b.message))
    });
    out.dedup_by(|a, b| a.start == b.start && a.end == b.end && a.rule == b.rule);
    out
}

/// Check plain text (one paragraph per line).
pub fn check_text(text: &str, opts: &CheckOptions) -> Vec<Finding> {
    check(&Document::from_text(text), opts)
}

/// A report title: one line naming a report, not numbered, with no sentence punctuation.
fn is_title(chars: &[char]) -> bool {
    let n = chars.len();
    if !(6..=60).contains(&n) {
        return false;
    }
    if chars
        .iter()
        .any(|c| matches!(c, '。' | '；' | '！' | '？' | '，' | '：'))
    {
        return false;
    }
    let s: String = chars.iter().collect();
    const WORDS: &[&str] = &[
        "报告",
        "总结",
        "述责述廉",
        "述职",
        "汇报",
        "自查",
        "情况的",
        "工作要点",
    ];
    WORDS.iter().any(|w| s.contains(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_prefixes() {
        let o = CheckOptions::all()
            .disable("numbering")
            .disable("time.future");
        assert!(!o.is_enabled("numbering"));
        assert!(!o.is_enabled("numbering.gap"));
        assert!(o.is_enabled("numberingx"));
        assert!(!o.is_enabled("time.future"));
        assert!(o.is_enabled("time.outdated"));
        assert!(o.is_enabled("time"));
        let json = serde_json::to_string(&o).unwrap();
        let back: CheckOptions = serde_json::from_str(&json).unwrap();
        assert_eq!(back, o);
        let empty: CheckOptions = serde_json::from_str("{}").unwrap();
        assert_eq!(empty, CheckOptions::default());
    }

    #[test]
    fn severity_serialises_in_chinese() {
        assert_eq!(serde_json::to_string(&Severity::Error).unwrap(), "\"错误\"");
        assert_eq!(
            serde_json::to_string(&Severity::Warning).unwrap(),
            "\"警告\""
        );
        assert_eq!(serde_json::to_string(&Severity::Hint).unwrap(), "\"提示\"");
        assert!(Severity::Error > Severity::Warning && Severity::Warning > Severity::Hint);
    }

    #[test]
    fn finding_json_fields() {
        let f = &check_text("一、甲\n三、乙", &CheckOptions::all())[0];
        let json = serde_json::to_string(f).unwrap();
        let keys = json_keys(&json);
        assert_eq!(
            keys,
            [
                "rule",
                "severity",
                "line",
                "column",
                "end_line",
                "end_column",
                "text",
                "message",
                "suggestion"
            ]
        );
        assert_eq!((f.line, f.column, f.end_column), (2, 1, 3));
        assert_eq!(f.text, "三、");
    }

    /// Top-level keys of a JSON object, in the order written.
    pub(crate) fn json_keys(json: &str) -> Vec<String> {
        let v: serde_json::Map<String, serde_json::Value> = serde_json::from_str(json).unwrap();
        let mut keys: Vec<(usize, String)> = v
            .keys()
            .map(|k| (json.find(&format!("\"{k}\":")).unwrap(), k.clone()))
            .collect();
        keys.sort();
        keys.into_iter().map(|(_, k)| k).collect()
    }

    #[test]
    fn disabled_rules_report_nothing() {
        let t = "2023年度XX镇工作总结\n一、甲\n三、乙“丙";
        let all = check_text(t, &CheckOptions::all());
        assert!(all.iter().any(|f| f.rule.starts_with("numbering")));
        let o = CheckOptions::all()
            .disable("numbering")
            .disable("placeholder")
            .disable("pairing");
        assert!(check_text(t, &o).is_empty());
    }

    #[test]
    fn odd_input_does_not_panic() {
        let long = "很长的一行没有标点".repeat(20_000);
        let inputs = [
            "",
            "\n\n\n",
            "。。。，，，“”《》（）",
            "\u{0}\u{7f}\u{feff}\u{200b}\u{10ffff}\u{1f600}",
            "（（（（（（",
            "）））））",
            "1.\n2、\n（一）\n一、\n十、\n九十九、",
            "XXXXXXXXXXXXXXXX",
            "99999999999999999999999999999999%",
            "0/0率0%，0个中0个，完成率NaN%",
            "##\n####\n##a",
            "\r\n\r\n一是\r\n三是",
            long.as_str(),
        ];
        for t in inputs {
            let fs = check_text(t, &CheckOptions::all());
            let src: Vec<char> = t.trim_start_matches('\u{feff}').chars().collect();
            for f in &fs {
                assert!(f.start < f.end && f.end <= src.len(), "{f:?}");
                assert_eq!(src[f.start..f.end].iter().collect::<String>(), f.text);
            }
            check(&Document::from_markdown(t), &CheckOptions::all());
        }
    }

    #[test]
    fn title_detection() {
        let t = |s: &str| is_title(&s.chars().collect::<Vec<_>>());
        assert!(t("2023年度全面从严治党述责述廉报告"));
        assert!(t("2023年度镇落实全面从严治党主体责任情况的报告"));
        assert!(!t("现将具体情况报告如下。"));
        assert!(!t("加强教育引导"));
    }
}
