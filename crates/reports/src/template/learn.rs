//! Learning a template from last year's report (学习上年报告): the old report's structure and
//! prose are kept, its years become the new period's, and each figure it cites is found with
//! the clause it sits in ("开展党委理论学习中心组学习8次") and matched against the metric
//! catalogue, so that a user can confirm which metric each figure is and turn the old report
//! into a template whose figures come from this year's records.
//!
//! [`learn`] reads a [`Document`] (a .docx, text or Markdown upload) into a [`Learned`]: its
//! source with every figure a visibly marked blank (`{{ 待补充("原为8次，请选择对应指标") }}`),
//! and a [`Proposal`] per figure with ranked [`Candidate`] metrics. [`apply`] writes the final
//! source from the user's [`Choice`]s: a confirmed figure becomes `{{ 指标("名") }}`, an
//! unconfirmed one stays a marked blank, and a number that is no figure of the records (a
//! count of villages, say) may be kept as it was written.
//!
//! What the source keeps and changes:
//! - the title becomes `% …`; a title "X关于2023年度…" names the organization as `{{ 单位 }}`;
//! - headings numbered `一、` `（一）` `1.` `（1）` (or styled as headings in Word) become `#` to
//!   `####` without their numbers, which the renderer writes (so they never skip);
//! - paragraphs opening a run of 一是、二是… under a heading start with `{{ 序号() }}`;
//! - years meaning the report's year become `{{ 年度 }}`, the year before `{{ 上年度 }}`, the
//!   year after `{{ 年度 + 1 }}`; other years stay as written;
//! - the addressee line (主送, "县委：") and the closing signature and date are left out: a
//!   draft takes them from its own settings. Each is told in [`Learned::notes`].

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use zeren_domain::metrics::MetricDef;

use crate::checker::numbering::marker;
use crate::checker::numbers::{self, Kind};
use crate::checker::text::{self, cn_digit, is_cjk, parse_cn_int};
use crate::checker::{assumed_year, Document, Paragraph};

/// Measure words of the figures a report cites. A number with another unit (a date, an age,
/// an ordinal, a duration) or none is prose.
const FIGURE_UNITS: &[&str] = &[
    "人次", "学时", "课时", "场次", "批次", "户次", "家次", "类次", "万元", "亿元", "元", "人",
    "名", "位", "个", "项", "件", "条", "处", "起", "次", "场", "轮", "期", "篇", "部", "份", "册",
    "本", "首", "幅", "张", "家", "户", "所", "座", "支", "队", "批", "类", "%",
];

/// A suggested candidate at or above this score is preselected for the user.
pub const CONFIDENT: f64 = 0.55;

/// At most this many figures are proposed (a year's report has some fifty); the numbers after
/// them stay as written.
pub const MAX_PROPOSALS: usize = 1000;

/// How many candidates a proposal lists.
const MAX_CANDIDATES: usize = 5;

/// A metric a figure may be, with how well it fits: 0 (hardly) to 1 (every word of the name
/// next to the figure, same unit).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    pub metric: String,
    pub score: f64,
}

/// A figure found in the old report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Proposal {
    /// 1-based line of the learned source the figure is on.
    pub line: usize,
    /// The clause the figure sits in, as written: "开展党委理论学习中心组学习8次".
    pub phrase: String,
    /// The figure as written, with its unit: "8次", "1200余人次", "93.3％".
    pub original_text: String,
    pub value: f64,
    /// The measure word ("次", "人次", "%").
    pub unit: String,
    /// Written rounded down with 余 (or 多): bound with `余=true`, so this year's figure is
    /// written the same way.
    pub approx: bool,
    /// Best first; empty when nothing in the catalogue fits.
    pub candidates: Vec<Candidate>,
}

impl Proposal {
    /// The best candidate when it fits well enough to be preselected.
    pub fn suggested(&self) -> Option<&Candidate> {
        self.candidates.first().filter(|c| c.score >= CONFIDENT)
    }
}

/// What the user decided for one figure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "metric", rename_all = "snake_case")]
pub enum Choice {
    /// Bound to this metric: `{{ 指标("名") }}`.
    Metric(String),
    /// Left open: a visibly marked blank naming the old figure.
    Blank,
    /// Not a figure of the records (a number of villages, say): kept as written.
    Keep,
}

impl From<Option<String>> for Choice {
    fn from(metric: Option<String>) -> Self {
        match metric {
            Some(m) => Choice::Metric(m),
            None => Choice::Blank,
        }
    }
}

/// A learned template before the user's choices.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Learned {
    /// The old report's title as written ("" when none was found).
    pub title: String,
    /// The year the old report was about, when it could be told.
    pub year: Option<i32>,
    /// The template with every figure a marked blank: parses as it is.
    pub source: String,
    pub proposals: Vec<Proposal>,
    /// What was left out or changed beyond the figures, in Chinese for the user.
    pub notes: Vec<String>,
    pieces: Vec<Piece>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
enum Piece {
    /// Template source (prose, already escaped, and code such as `{{ 年度 }}`).
    Text(String),
    /// The figure of proposal N.
    Figure(usize),
}

impl Learned {
    /// The choices a user starts from: the suggested candidate where there is one, else a blank.
    pub fn suggested_choices(&self) -> Vec<(usize, Choice)> {
        self.proposals
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let c = match p.suggested() {
                    Some(c) => Choice::Metric(c.metric.clone()),
                    None => Choice::Blank,
                };
                (i, c)
            })
            .collect()
    }
}

/// The final source: each figure as chosen (a figure without a choice stays a marked blank;
/// indexes that name no proposal are ignored).
pub fn apply(learned: &Learned, choices: &[(usize, Choice)]) -> String {
    let chosen: HashMap<usize, &Choice> = choices.iter().map(|(i, c)| (*i, c)).collect();
    let mut out = String::new();
    for piece in &learned.pieces {
        match piece {
            Piece::Text(t) => out.push_str(t),
            Piece::Figure(i) => {
                let Some(p) = learned.proposals.get(*i) else {
                    continue;
                };
                out.push_str(&figure_code(
                    p,
                    chosen.get(i).copied().unwrap_or(&Choice::Blank),
                ));
            }
        }
    }
    out
}

fn figure_code(p: &Proposal, choice: &Choice) -> String {
    match choice {
        Choice::Keep => escape(&p.original_text),
        Choice::Blank => format!(
            "{{{{ 待补充({}) }}}}",
            literal(&format!("原为{}，请选择对应指标", p.original_text))
        ),
        Choice::Metric(name) => {
            let call = if p.approx && p.unit != "%" {
                format!("指标({}, 余=true)", literal(name))
            } else {
                format!("指标({})", literal(name))
            };
            // A rate prints its own "%"; a count is followed by the unit as written.
            let unit = if p.unit == "%" { "" } else { p.unit.as_str() };
            format!("{{{{ {call} }}}}{unit}")
        }
    }
}

/// A minijinja string literal.
fn literal(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Prose as template source: a `{` that would open a tag, comment or expression is printed
/// by an expression instead, and the renderer's private marker characters are dropped.
fn escape(s: &str) -> String {
    let cs: Vec<char> = s
        .chars()
        .filter(|c| !('\u{E000}'..='\u{E0FF}').contains(c))
        .collect();
    let mut out = String::with_capacity(s.len());
    for (i, &c) in cs.iter().enumerate() {
        if c == '{' && matches!(cs.get(i + 1), Some('{' | '%' | '#')) {
            out.push_str("{{ \"{\" }}");
        } else {
            out.push(c);
        }
    }
    out
}

/// What a line of the old report is.
enum Role {
    Heading(u8),
    Paragraph,
}

/// A paragraph's content with what replaces parts of it, by character position.
struct Span {
    start: usize,
    end: usize,
    what: SpanKind,
}

enum SpanKind {
    Code(String),
    Figure(usize),
}

/// Reads the old report into a template and the figures to confirm. `catalog` is the metric
/// catalogue (built-in and an administrator's additions) the figures are matched against.
pub fn learn(doc: &Document, catalog: &[MetricDef]) -> Learned {
    let year = assumed_year(doc, None).map(|a| a.year);
    let mut notes = Vec::new();

    // Paragraphs with their content start (after web residue such as ##paidbegin##).
    let paras: Vec<(&Paragraph, Vec<char>)> = doc
        .paragraphs
        .iter()
        .filter_map(|p| {
            let cs = without_residue(&p.text.chars().collect::<Vec<_>>());
            let trimmed = trim_chars(&cs[text::lead(&cs)..]);
            (!trimmed.is_empty()).then_some((p, trimmed))
        })
        .collect();

    let mut first = 0;
    let mut last = paras.len();
    // The title: a Word title, or a first line that reads like one.
    let title_idx = paras
        .iter()
        .take(3)
        .position(|(p, _)| p.heading == Some(0))
        .or_else(|| {
            let (p, cs) = paras.first()?;
            let looks = p.heading.is_none()
                && marker(cs, 0).is_none()
                && cs.len() <= 80
                && !cs.last().is_some_and(|c| "。；！？，：;!?,:".contains(*c))
                && paras.len() > 1;
            looks.then_some(0)
        });
    let mut title = String::new();
    if let Some(t) = title_idx {
        title = paras[t].1.iter().collect();
        first = t + 1;
        // A long title is set on two lines in Word (GB/T 9704): one title.
        while paras.get(first).is_some_and(|(p, _)| p.heading == Some(0)) {
            title.extend(paras[first].1.iter());
            first += 1;
        }
    }
    // 主送 ("县委：") after the title: a draft takes it from its settings.
    if let Some((_, cs)) = paras.get(first) {
        if title_idx.is_some()
            && cs.len() <= 25
            && matches!(cs.last(), Some('：' | ':'))
            && !cs.iter().any(|c| "，。；,;".contains(*c))
        {
            notes.push(format!(
                "已略去主送机关“{}”，生成报告时按报告设置填写",
                cs.iter().collect::<String>()
            ));
            first += 1;
        }
    }
    // The signature and date at the end: a draft writes its own.
    if last > first && is_date_line(&paras[last - 1].1) {
        notes.push(format!(
            "已略去落款日期“{}”，生成报告时按报告日期填写",
            paras[last - 1].1.iter().collect::<String>()
        ));
        last -= 1;
        if last > first {
            let cs = &paras[last - 1].1;
            if cs.len() <= 30
                && marker(cs, 0).is_none()
                && !cs.iter().any(|c| "，。；：,;:！？".contains(*c))
            {
                notes.push(format!(
                    "已略去落款“{}”，生成报告时按发文机关填写",
                    cs.iter().collect::<String>()
                ));
                last -= 1;
            }
        }
    }

    // "中共城关镇委员会关于2023年度…的报告": the organization is the template's 单位.
    let org_name: Option<String> = title.find("关于").and_then(|at| {
        let name = title[..at].trim();
        (name.chars().count() >= 2).then(|| name.to_string())
    });
    if let Some(name) = &org_name {
        match short_name(name) {
            Some(short) => notes.push(format!("“{name}”“{short}”已替换为本单位的名称和简称")),
            None => notes.push(format!("“{name}”已替换为本单位名称")),
        }
    }

    let mut b = Builder {
        pieces: Vec::new(),
        line: 1,
        proposals: Vec::new(),
        year,
        short_name: org_name.as_deref().and_then(short_name),
        org_name: org_name.clone(),
        figures: Vec::new(),
        paragraph: 0,
        capped: false,
        years_replaced: 0,
    };
    if !title.is_empty() {
        let cs = markup_safe(&title.chars().collect::<Vec<_>>());
        b.text("% ");
        b.content(&cs, None);
        b.newline();
    }
    // 一是、二是… at the start of paragraphs under the current heading.
    let mut next_sequence: Option<u32> = Some(1);
    for (p, cs) in &paras[first..last] {
        let (role, body) = match marker(cs, 0) {
            Some(m) => {
                let rest = trim_chars(&cs[m.start + m.len..]);
                (Role::Heading(m.level), rest)
            }
            None => match p.heading {
                Some(l @ 1..=4) => (Role::Heading(l), cs.clone()),
                _ => (Role::Paragraph, cs.clone()),
            },
        };
        if body.is_empty() {
            continue;
        }
        let body = markup_safe(&body);
        match role {
            Role::Heading(level) => {
                next_sequence = Some(1);
                b.newline();
                b.text(&format!("{} ", "#".repeat(level as usize)));
                b.content(&body, None);
                b.newline();
            }
            Role::Paragraph => {
                let seq = sequence_at(&body);
                let seq = match (seq, next_sequence) {
                    (Some((n, len, suffix)), Some(expected)) if n == expected => {
                        next_sequence = Some(expected + 1);
                        Some((len, suffix))
                    }
                    (Some(_), _) => {
                        // A run that does not start at 一 or skips: leave it as written.
                        next_sequence = None;
                        None
                    }
                    (None, _) => None,
                };
                b.content(&body, seq);
                b.newline();
            }
        }
    }
    if b.years_replaced > 0 {
        if let Some(y) = year {
            notes.push(format!(
                "原报告中的“{y}年”等年份已改为随报告年度变化（{y}→年度，{}→上年度，{}→年度+1）",
                y - 1,
                y + 1
            ));
        }
    }
    if b.capped {
        notes.push(format!(
            "报告中的数字超过{MAX_PROPOSALS}个，只识别了前{MAX_PROPOSALS}个，其余保留原文"
        ));
    }
    let ranked = Matcher::new(catalog).rank(&b.figures);
    for (p, candidates) in b.proposals.iter_mut().zip(ranked) {
        p.candidates = candidates;
    }
    let mut learned = Learned {
        title,
        year,
        source: String::new(),
        proposals: b.proposals,
        notes,
        pieces: b.pieces,
    };
    learned.source = apply(&learned, &[]);
    learned
}

/// The name a committee's report calls it by: 中共青石镇委员会 → 青石镇党委,
/// 中共县直机关工作委员会 → 县直机关党工委, 中共某局党组 → 某局党组.
fn short_name(full: &str) -> Option<String> {
    let body = full.strip_prefix("中共")?;
    let short = if let Some(x) = body.strip_suffix("工作委员会") {
        format!("{x}党工委")
    } else if let Some(x) = body.strip_suffix("委员会") {
        format!("{x}党委")
    } else if body.ends_with("党组") || body.ends_with("党委") {
        body.to_string()
    } else {
        return None;
    };
    (short.chars().count() >= 3).then_some(short)
}

/// The text without web residue markers (`##paidbegin##`) a copy from a web page leaves.
fn without_residue(cs: &[char]) -> Vec<char> {
    let mut out = Vec::with_capacity(cs.len());
    let mut i = 0;
    while i < cs.len() {
        match text::residue_marker_len(cs, i) {
            Some(len) => i += len,
            None => {
                out.push(cs[i]);
                i += 1;
            }
        }
    }
    out
}

fn trim_chars(cs: &[char]) -> Vec<char> {
    let blank = |c: &char| c.is_whitespace() || *c == '\u{feff}';
    let start = cs.iter().position(|c| !blank(c)).unwrap_or(cs.len());
    let end = cs.iter().rposition(|c| !blank(c)).map_or(start, |e| e + 1);
    cs[start..end.max(start)].to_vec()
}

/// A line's text that must not read as markup of the template language: a leading `#` or `%`
/// would make it a heading or title, a trailing `\` would join it to the next line.
fn markup_safe(cs: &[char]) -> Vec<char> {
    let mut out = cs.to_vec();
    match out.first() {
        Some('#') => out[0] = '＃',
        Some('%') => out[0] = '％',
        _ => {}
    }
    if out.last() == Some(&'\\') {
        let n = out.len();
        out[n - 1] = '＼';
    }
    out
}

/// Where `pat` first occurs in `cs` at or after `from`.
fn find(cs: &[char], from: usize, pat: &str) -> Option<usize> {
    (from..cs.len()).find(|&k| text::starts_with(cs, k, pat))
}

/// "2023年12月28日", "二〇二三年十二月二十八日": a date on a line of its own.
fn is_date_line(cs: &[char]) -> bool {
    let has = |c: char| cs.contains(&c);
    cs.len() <= 16
        && has('年')
        && has('月')
        && cs.last() == Some(&'日')
        && cs.iter().all(|c| {
            text::digit(*c).is_some()
                || cn_digit(*c).is_some()
                || matches!(c, '十' | '年' | '月' | '日' | ' ' | '　')
        })
}

/// 一是 / 一要 at the start: (number, length in characters, suffix).
fn sequence_at(cs: &[char]) -> Option<(u32, usize, char)> {
    let (n, len) = parse_cn_int(cs)?;
    match cs.get(len) {
        Some(&s @ ('是' | '要')) => Some((n, len + 1, s)),
        _ => None,
    }
}

struct Builder {
    pieces: Vec<Piece>,
    line: usize,
    proposals: Vec<Proposal>,
    year: Option<i32>,
    org_name: Option<String>,
    /// How the report calls itself: 青石镇党委 for 中共青石镇委员会.
    short_name: Option<String>,
    /// Each proposal's figure in its context, ranked once the whole report is read.
    figures: Vec<Found>,
    /// Counts the lines read, so that figures of one sentence can be told.
    paragraph: usize,
    /// More figures than [`MAX_PROPOSALS`] were found.
    capped: bool,
    years_replaced: usize,
}

impl Builder {
    fn text(&mut self, s: &str) {
        if s.is_empty() {
            return;
        }
        self.line += s.matches('\n').count();
        match self.pieces.last_mut() {
            Some(Piece::Text(t)) => t.push_str(s),
            _ => self.pieces.push(Piece::Text(s.to_string())),
        }
    }

    fn newline(&mut self) {
        self.text("\n");
    }

    /// One line's content: prose with its years, organization name and figures replaced.
    /// `sequence`: the length of an opening 一是 to write as `序号()`, and its suffix.
    fn content(&mut self, cs: &[char], sequence: Option<(usize, char)>) {
        self.paragraph += 1;
        let mut spans: Vec<Span> = Vec::new();
        if let Some((len, suffix)) = sequence {
            let code = if suffix == '是' {
                "{{ 序号() }}".to_string()
            } else {
                format!("{{{{ 序号(\"{suffix}\") }}}}")
            };
            spans.push(Span {
                start: 0,
                end: len,
                what: SpanKind::Code(code),
            });
        }
        for (name, code) in [
            (&self.org_name, "{{ 单位 }}"),
            (&self.short_name, "{{ 简称 }}"),
        ] {
            let Some(name) = name else { continue };
            let name: Vec<char> = name.chars().collect();
            let mut i = 0;
            while i + name.len() <= cs.len() {
                if cs[i..i + name.len()] == name[..] {
                    spans.push(Span {
                        start: i,
                        end: i + name.len(),
                        what: SpanKind::Code(code.into()),
                    });
                    i += name.len();
                } else {
                    i += 1;
                }
            }
        }
        // A blank a draft left ("【待补充：…】") stays a blank.
        let mut i = 0;
        while let Some(at) = find(cs, i, "【待补充") {
            let Some(close) = (at..cs.len()).find(|&k| cs[k] == '】') else {
                break;
            };
            let hint: String = cs[at + 4..close]
                .iter()
                .collect::<String>()
                .trim_start_matches(['：', ':'])
                .to_string();
            spans.push(Span {
                start: at,
                end: close + 1,
                what: SpanKind::Code(format!("{{{{ 待补充({}) }}}}", literal(&hint))),
            });
            i = close + 1;
        }
        let nums = numbers::scan(cs);
        // Figures of this line: (start, end) of each, for the context of the others.
        let mut found: Vec<(usize, usize, usize)> = Vec::new(); // (num index, start, end)
        for (k, n) in nums.iter().enumerate() {
            let ndigits = (n.start..n.end)
                .take_while(|&i| text::digit(cs[i]).is_some())
                .count();
            if n.kind == Kind::Date && ndigits == 4 && cs.get(n.start + 4) == Some(&'年') {
                if let Some(code) = self.year_code(n.value) {
                    spans.push(Span {
                        start: n.start,
                        end: n.start + 4,
                        what: SpanKind::Code(code),
                    });
                    self.years_replaced += 1;
                }
                continue;
            }
            let figure = matches!(n.kind, Kind::Count | Kind::Percent)
                && FIGURE_UNITS.contains(&n.unit)
                && n.value.is_finite();
            if figure {
                if self.proposals.len() + found.len() >= MAX_PROPOSALS {
                    self.capped = true;
                    continue;
                }
                found.push((k, n.start, n.end));
            }
        }
        let bounds: Vec<(usize, usize)> = found.iter().map(|(_, s, e)| (*s, *e)).collect();
        for (k, start, end) in &found {
            let n = &nums[*k];
            let original: String = cs[*start..*end].iter().collect();
            let approx = cs[*start..*end].iter().any(|c| matches!(c, '余' | '多'));
            let ctx = Context::around(cs, *start, *end, &bounds);
            let unit = if n.unit == "%" { "%" } else { n.unit };
            let index = self.proposals.len();
            self.proposals.push(Proposal {
                line: 0,
                phrase: ctx.phrase.clone(),
                original_text: original,
                value: n.value,
                unit: unit.to_string(),
                approx,
                candidates: Vec::new(),
            });
            self.figures.push(Found {
                sentence: (self.paragraph, ctx.sentence),
                ctx,
                unit,
                value: n.value,
            });
            spans.push(Span {
                start: *start,
                end: *end,
                what: SpanKind::Figure(index),
            });
        }
        spans.sort_by_key(|s| (s.start, s.end));
        let mut pos = 0;
        for s in spans {
            if s.start < pos {
                continue; // overlaps what was replaced already
            }
            let prose: String = cs[pos..s.start].iter().collect();
            self.text(&escape(&prose));
            match s.what {
                SpanKind::Code(code) => self.text(&code),
                SpanKind::Figure(i) => {
                    self.proposals[i].line = self.line;
                    self.pieces.push(Piece::Figure(i));
                }
            }
            pos = s.end;
        }
        let prose: String = cs[pos..].iter().collect();
        self.text(&escape(&prose));
    }

    /// The expression for a year of the old report relative to its own year.
    fn year_code(&self, value: f64) -> Option<String> {
        let y = self.year?;
        let v = value as i32;
        if (v as f64 - value).abs() > 1e-9 {
            return None;
        }
        match v - y {
            0 => Some("{{ 年度 }}".into()),
            -1 => Some("{{ 上年度 }}".into()),
            1 => Some("{{ 年度 + 1 }}".into()),
            _ => None,
        }
    }
}

/// The words around a figure, each with how much it says about the figure: the words just
/// before it in its clause most, those after it in the clause (召开3次党建工作会) nearly as
/// much, earlier clauses of the sentence less the further back they are.
struct Context {
    phrase: String,
    weights: HashMap<(char, char), f64>,
    /// The word pairs right next to the figure: what it counts ("查摆问题21条", "45个问题").
    adjacent: Vec<(char, char)>,
    /// Where the figure's part of its sentence (up to a full stop or semicolon) starts.
    sentence: usize,
    /// The word pair right after the figure when a word follows it directly: the thing it
    /// counts ("10个行政村", "3次党建工作会") or what is said of it ("42个已整改").
    follow: Option<(char, char)>,
}

/// A figure to rank: its context, unit and value, and its sentence (line, start).
struct Found {
    ctx: Context,
    unit: &'static str,
    value: f64,
    sentence: (usize, usize),
}

fn is_clause_end(c: char) -> bool {
    text::is_clause_end(c)
}

fn is_sentence_end(c: char) -> bool {
    matches!(c, '。' | '！' | '？' | '!' | '?')
}

impl Context {
    /// `figures`: every figure of the line, in order.
    fn around(cs: &[char], start: usize, end: usize, figures: &[(usize, usize)]) -> Context {
        // Only words near the figure count; the window keeps a huge line from costing more
        // per figure than an ordinary one.
        let lo = start.saturating_sub(400);
        let hi = (end + 200).min(cs.len());
        let first = figures.partition_point(|(s, _)| *s < lo);
        let last = figures.partition_point(|(s, _)| *s < hi);
        let near: Vec<(usize, usize)> = figures[first..last]
            .iter()
            .filter(|(_, e)| *e <= hi)
            .map(|(s, e)| (s - lo, e - lo))
            .collect();
        let mut c = Self::within(&cs[lo..hi], start - lo, end - lo, &near);
        c.sentence += lo;
        c
    }

    fn within(cs: &[char], start: usize, end: usize, figures: &[(usize, usize)]) -> Context {
        let clause_start = (0..start)
            .rev()
            .find(|&i| is_clause_end(cs[i]))
            .map_or(0, |i| i + 1);
        let clause_end = (end..cs.len())
            .find(|&i| is_clause_end(cs[i]))
            .unwrap_or(cs.len());
        let prev_end = figures
            .iter()
            .filter(|(s, e)| *e <= start && *s >= clause_start)
            .map(|(_, e)| *e)
            .max()
            .unwrap_or(clause_start);
        let next_start = figures
            .iter()
            .filter(|(s, _)| *s >= end && *s < clause_end)
            .map(|(s, _)| *s)
            .min()
            .unwrap_or(clause_end);
        // After a figure, "、" starts the next item of a list (完整率100％、准确率100％).
        let after_end = (end..next_start)
            .find(|&i| cs[i] == '、')
            .unwrap_or(next_start);
        let mut c = Context {
            phrase: cs[clause_start..clause_end]
                .iter()
                .collect::<String>()
                .trim()
                .to_string(),
            weights: HashMap::new(),
            adjacent: Vec::new(),
            sentence: (0..start)
                .rev()
                .find(|&i| is_sentence_end(cs[i]) || matches!(cs[i], '；' | ';'))
                .map_or(0, |i| i + 1),
            follow: (end + 1 < after_end && is_word_char(cs[end]) && is_word_char(cs[end + 1]))
                .then(|| (cs[end], cs[end + 1])),
        };
        let before = bigrams(&cs[prev_end..start]);
        c.adjacent.extend(before.iter().rev().take(2));
        c.adjacent
            .extend(bigrams(&cs[end..after_end]).into_iter().take(3));
        c.add(&cs[prev_end..start], 1.0);
        c.add(&cs[end..after_end], 0.8);
        c.add(&cs[clause_start..prev_end], 0.5);
        c.add(&cs[after_end..clause_end], 0.15);
        // Earlier clauses of the sentence.
        let mut k = clause_start;
        let mut distance = 0;
        while k > 0 && !is_sentence_end(cs[k - 1]) {
            let stop = k - 1;
            let from = (0..stop)
                .rev()
                .find(|&i| is_clause_end(cs[i]))
                .map_or(0, |i| i + 1);
            distance += 1;
            let w = match distance {
                1 => 0.5,
                2 => 0.35,
                3 => 0.25,
                _ => 0.2,
            };
            c.add(&cs[from..stop], w);
            k = from;
        }
        // The paragraph before the sentence (its topic), and the next clause.
        c.add(&cs[..k], 0.1);
        if clause_end < cs.len() && !is_sentence_end(cs[clause_end]) {
            let next_end = (clause_end + 1..cs.len())
                .find(|&i| is_clause_end(cs[i]))
                .unwrap_or(cs.len());
            c.add(&cs[clause_end + 1..next_end], 0.15);
        }
        c
    }

    fn add(&mut self, cs: &[char], weight: f64) {
        for g in bigrams(cs) {
            let w = self.weights.entry(g).or_insert(0.0);
            if *w < weight {
                *w = weight;
            }
        }
    }

    fn weight(&self, g: &(char, char)) -> f64 {
        self.weights.get(g).copied().unwrap_or(0.0)
    }
}

fn is_word_char(c: char) -> bool {
    is_cjk(c) || c.is_alphanumeric()
}

/// Pairs of neighbouring characters inside runs of words (punctuation and quotes split runs).
fn bigrams(cs: &[char]) -> Vec<(char, char)> {
    cs.windows(2)
        .filter(|w| is_word_char(w[0]) && is_word_char(w[1]))
        .map(|w| (w[0], w[1]))
        .collect()
}

fn unique(mut v: Vec<(char, char)>) -> Vec<(char, char)> {
    let mut seen = Vec::new();
    v.retain(|g| {
        if seen.contains(g) {
            false
        } else {
            seen.push(*g);
            true
        }
    });
    v
}

/// Units that count the same sort of thing.
fn unit_class(u: &str) -> &str {
    match u {
        "人" | "名" | "位" => "人",
        "个" | "项" | "件" | "条" | "处" | "起" => "个",
        "次" | "场" | "轮" | "场次" => "次",
        other => other,
    }
}

/// How the figure's unit agrees with the metric's: `None` when they cannot be the same thing
/// (a rate and a count).
fn unit_score(figure: &str, metric: &str) -> Option<f64> {
    let (fp, mp) = (figure == "%", metric == "%");
    if fp != mp {
        return None;
    }
    Some(if fp || figure == metric {
        1.0
    } else if unit_class(figure) == unit_class(metric) {
        0.3
    } else {
        -1.5
    })
}

struct MetricWords {
    name: String,
    unit: String,
    /// Bigrams of the name without its unit ending.
    name_grams: Vec<(char, char)>,
    /// Bigrams of the description not in the name, each with how rare it is in the
    /// catalogue (1: this metric's alone): weaker evidence, and words every metric's
    /// description shares (党组织, 问题) hardly count.
    desc_grams: Vec<((char, char), f64)>,
    /// A rate's numerator and denominator (indexes into the matcher's metrics).
    ratio: Option<(usize, usize)>,
    /// The first two characters, for runs of figures of one kind (单位…, 单位…).
    head: String,
    /// The last pair of the name without its unit ending: the thing counted (问题, 学习).
    tail: Option<(char, char)>,
}

struct Matcher {
    metrics: Vec<MetricWords>,
}

impl Matcher {
    fn new(catalog: &[MetricDef]) -> Matcher {
        let mut metrics: Vec<MetricWords> = catalog
            .iter()
            .map(|m| {
                let core: Vec<char> = name_core(&m.name, m.unit.trim()).chars().collect();
                let all = bigrams(&core);
                let tail = all.last().copied();
                let name_grams = unique(all);
                let desc: Vec<char> = m.description.chars().collect();
                let desc_grams = unique(bigrams(&desc))
                    .into_iter()
                    .filter(|g| !name_grams.contains(g))
                    .map(|g| (g, 0.0))
                    .collect();
                MetricWords {
                    tail,
                    name: m.name.clone(),
                    unit: m.unit.trim().to_string(),
                    name_grams,
                    desc_grams,
                    ratio: None,
                    head: m.name.chars().take(2).collect(),
                }
            })
            .collect();
        // How many metrics use each word pair, in name or description.
        let mut df: HashMap<(char, char), usize> = HashMap::new();
        for m in &metrics {
            for g in m
                .name_grams
                .iter()
                .chain(m.desc_grams.iter().map(|(g, _)| g))
            {
                *df.entry(*g).or_default() += 1;
            }
        }
        let n = (metrics.len() as f64).max(2.0);
        let index = |name: &str, ms: &[MetricWords]| ms.iter().position(|m| m.name == name);
        let ratios: Vec<Option<(usize, usize)>> = catalog
            .iter()
            .map(|d| {
                let num = index(d.numerator.as_deref()?, &metrics)?;
                let den = index(d.denominator.as_deref()?, &metrics)?;
                Some((num, den))
            })
            .collect();
        for (m, ratio) in metrics.iter_mut().zip(ratios) {
            m.ratio = ratio;
            for (g, rarity) in m.desc_grams.iter_mut() {
                let d = df.get(g).copied().unwrap_or(1).max(1) as f64;
                *rarity = (n / d).ln() / n.ln();
            }
        }
        Matcher { metrics }
    }

    /// Candidates for each figure, best first. A report cites each figure once: a metric that
    /// fits another figure of a different value better is put behind for this one, and a
    /// figure following one of the same kind in its sentence leans to the same kind.
    fn rank(&self, figures: &[Found]) -> Vec<Vec<Candidate>> {
        let base: Vec<Vec<(usize, f64)>> = figures
            .iter()
            .map(|f| {
                self.metrics
                    .iter()
                    .enumerate()
                    .filter_map(|(k, m)| m.fit(&f.ctx, f.unit).map(|raw| (k, raw)))
                    .collect()
            })
            .collect();
        let mut base = base;
        self.ratio_agreement(figures, &mut base);
        // Each metric to one figure and each figure one metric, best fits first: a metric
        // another figure took is put behind (unless that figure has the same value: a figure
        // cited twice).
        let mut pairs: Vec<(f64, usize, usize)> = base
            .iter()
            .enumerate()
            .flat_map(|(i, s)| s.iter().map(move |(k, raw)| (*raw, i, *k)))
            .filter(|(raw, _, _)| *raw > 0.0)
            .collect();
        pairs.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
        let mut owner: HashMap<usize, usize> = HashMap::new();
        let mut placed = vec![false; figures.len()];
        for (_, i, k) in pairs {
            if !placed[i] && !owner.contains_key(&k) {
                owner.insert(k, i);
                placed[i] = true;
            }
        }
        let mut out = Vec::with_capacity(figures.len());
        let mut previous_top: Option<(usize, (usize, usize))> = None;
        for (i, (f, mut s)) in figures.iter().zip(base).enumerate() {
            for (k, raw) in s.iter_mut() {
                let m = &self.metrics[*k];
                if let Some(j) = owner.get(k) {
                    if *j != i && (figures[*j].value - f.value).abs() > 1e-9 {
                        *raw -= 1.5;
                    }
                }
                // "单位…8个，制定防控措施16条": the second figure leaves out the 单位 the first
                // one said.
                if let Some((top, sentence)) = previous_top {
                    let elided = m.name_grams.first().is_some_and(|g| f.ctx.weight(g) < 0.5);
                    if sentence == f.sentence && elided && self.metrics[top].head == m.head {
                        *raw += 1.5;
                    }
                }
            }
            s.retain(|(_, raw)| *raw > 0.0);
            s.sort_by(|a, b| {
                b.1.total_cmp(&a.1)
                    .then_with(|| self.metrics[a.0].name.cmp(&self.metrics[b.0].name))
            });
            previous_top = s.first().map(|(k, _)| (*k, f.sentence));
            out.push(
                s.into_iter()
                    .take(MAX_CANDIDATES)
                    .map(|(k, raw)| Candidate {
                        metric: self.metrics[k].name.clone(),
                        // Monotone in the raw score: ordering and display agree.
                        score: ((1.0 - (-raw / 3.0).exp()) * 100.0).round() / 100.0,
                    })
                    .collect(),
            );
        }
        out
    }
}

impl Matcher {
    /// "反馈的45个问题中，42个已整改完成，完成率93.3％": a rate that is two earlier figures
    /// of its paragraph divided (42 ÷ 45) leans to the rate metric whose numerator and
    /// denominator those figures fit, by how well they fit them.
    fn ratio_agreement(&self, figures: &[Found], base: &mut [Vec<(usize, f64)>]) {
        let fit = |base: &[Vec<(usize, f64)>], i: usize, k: usize| {
            base[i]
                .iter()
                .find(|(kk, _)| *kk == k)
                .map(|(_, raw)| *raw)
                .filter(|raw| *raw > 0.0)
        };
        for p in 0..figures.len() {
            if figures[p].unit != "%" {
                continue;
            }
            let line = figures[p].sentence.0;
            // The nearest earlier counts of the same line.
            let earlier: Vec<usize> = (0..p)
                .rev()
                .take_while(|&a| figures[a].sentence.0 == line)
                .filter(|&a| figures[a].unit != "%")
                .take(12)
                .collect();
            let mut bonus: Vec<(usize, f64)> = Vec::new();
            for (k, _) in &base[p] {
                let Some((num, den)) = self.metrics[*k].ratio else {
                    continue;
                };
                let mut best: Option<f64> = None;
                for &a in &earlier {
                    for &b in &earlier {
                        let (va, vb) = (figures[a].value, figures[b].value);
                        if a == b || vb <= 0.0 || (va / vb * 100.0 - figures[p].value).abs() > 0.1 {
                            continue;
                        }
                        if let (Some(fa), Some(fb)) = (fit(base, a, num), fit(base, b, den)) {
                            let both = (fa + fb) / 2.0;
                            if best.is_none_or(|x| both > x) {
                                best = Some(both);
                            }
                        }
                    }
                }
                if let Some(b) = best {
                    bonus.push((*k, 0.5 * b));
                }
            }
            for (k, extra) in bonus {
                if let Some(entry) = base[p].iter_mut().find(|(kk, _)| *kk == k) {
                    entry.1 += extra;
                }
            }
        }
    }
}

impl MetricWords {
    /// How well the metric fits a figure: the weights of the name's word pairs found around
    /// it, less for each pair not found, with its description as weaker evidence and the unit
    /// compared. `None` when nothing of the name is there or the units cannot agree.
    fn fit(&self, ctx: &Context, unit: &str) -> Option<f64> {
        let unit_part = unit_score(unit, &self.unit)?;
        let mut matched = 0.0;
        let mut missing = 0usize;
        for g in &self.name_grams {
            let w = ctx.weight(g);
            if w > 0.0 {
                matched += w;
            } else {
                missing += 1;
            }
        }
        if matched == 0.0 {
            return None;
        }
        let described: f64 = self
            .desc_grams
            .iter()
            .map(|(g, rarity)| ctx.weight(g) * rarity)
            .sum::<f64>()
            * 0.6;
        let mut raw = matched + described - 0.4 * missing as f64 + unit_part;
        // A word right after the figure that the name does not have: it counts something else.
        if ctx.follow.is_some_and(|g| !self.name_grams.contains(&g)) {
            raw -= 1.5;
        }
        // What the name counts stands right next to the figure.
        if self.tail.is_some_and(|t| ctx.adjacent.contains(&t)) {
            raw += 1.0;
        }
        Some(raw)
    }
}

/// A metric's name without the ending that repeats its unit: 理论学习中心组学习次数 →
/// 理论学习中心组学习, 培训人次 → 培训, 党支部数 → 党支部.
fn name_core(name: &str, unit: &str) -> String {
    let endings = [format!("{unit}数"), unit.to_string(), "数".to_string()];
    for e in endings
        .iter()
        .filter(|e| !e.is_empty() && e.as_str() != "%")
    {
        if let Some(core) = name.strip_suffix(e.as_str()) {
            if core.chars().count() >= 2 {
                return core.to_string();
            }
        }
    }
    name.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::{DraftContext, FigureMap, Template};
    use zeren_domain::metrics::builtin;

    const REPORT: &str = "中共城关镇委员会关于2023年度落实全面从严治党主体责任情况的报告\n\
县委：\n\
2023年，城关镇党委坚持以习近平新时代中国特色社会主义思想为指导。现将有关情况报告如下：\n\
一、工作开展情况\n\
（一）强化理论武装\n\
一是深入开展理论学习。今年以来，开展党委理论学习中心组学习8次，举办专题读书班3期。\n\
二是加强教育培训。举办培训班24期，参训人次达1200余人次。\n\
（二）抓好问题整改\n\
召开专题民主生活会，查摆问题21条，制定整改措施35条。反馈镇党委的45个问题中，42个已整改完成，完成率93.3％。\n\
二、下一步工作安排\n\
2024年，我们将对照2022年和2023年的问题清单，加强10个村的党建工作，{{ 不是模板 }}。\n\
中共城关镇委员会\n\
2024年1月5日";

    fn known(catalog: &[MetricDef]) -> impl Fn(&str) -> bool + '_ {
        move |n| catalog.iter().any(|m| m.name == n)
    }

    fn top(l: &Learned, original: &str) -> Option<String> {
        l.proposals
            .iter()
            .find(|p| p.original_text == original)
            .and_then(|p| p.candidates.first())
            .map(|c| c.metric.clone())
    }

    #[test]
    fn keeps_structure_and_marks_figures() {
        let catalog = builtin();
        let l = learn(&Document::from_text(REPORT), &catalog);
        assert_eq!(l.year, Some(2023));
        let lines: Vec<&str> = l.source.lines().collect();
        assert_eq!(
            lines[0],
            "% {{ 单位 }}关于{{ 年度 }}年度落实全面从严治党主体责任情况的报告"
        );
        assert!(!l.source.contains("县委："), "{}", l.source);
        assert!(!l.source.contains("1月5日"), "{}", l.source);
        assert!(l.source.contains("\n# 工作开展情况\n"), "{}", l.source);
        assert!(l.source.contains("\n## 强化理论武装\n"), "{}", l.source);
        assert!(
            l.source.contains("\n{{ 序号() }}深入开展理论学习。"),
            "{}",
            l.source
        );
        assert!(
            l.source.contains("\n{{ 序号() }}加强教育培训。"),
            "{}",
            l.source
        );
        assert!(l
            .source
            .contains("开展党委理论学习中心组学习{{ 待补充(\"原为8次，请选择对应指标\") }}，"));
        assert!(l
            .source
            .contains("{{ 年度 + 1 }}年，我们将对照{{ 上年度 }}年和{{ 年度 }}年的问题清单"));
        // Text that looks like template code stays text.
        assert!(
            l.source.contains("{{ \"{\" }}{ 不是模板 }}"),
            "{}",
            l.source
        );
        assert_eq!(l.notes.len(), 5, "{:?}", l.notes);
        assert!(
            l.source.contains("\n{{ 年度 }}年，{{ 简称 }}坚持"),
            "{}",
            l.source
        );
        // The learned source parses against the catalogue as it is.
        let t = Template::parse(&l.source, known(&catalog)).unwrap();
        assert!(t.metric_names().is_empty());
        // Each proposal's line is where its blank is.
        for p in &l.proposals {
            let line = lines[p.line - 1];
            assert!(line.contains(&format!("原为{}", p.original_text)), "{p:?}");
        }
        let p = l
            .proposals
            .iter()
            .find(|p| p.original_text == "8次")
            .unwrap();
        assert_eq!(p.phrase, "开展党委理论学习中心组学习8次");
        assert_eq!((p.value, p.unit.as_str(), p.approx), (8.0, "次", false));
        let p = l
            .proposals
            .iter()
            .find(|p| p.original_text == "1200余人次")
            .unwrap();
        assert!(p.approx);
        assert_eq!(p.unit, "人次");
    }

    #[test]
    fn proposes_the_metric_the_phrase_names() {
        let catalog = builtin();
        let l = learn(&Document::from_text(REPORT), &catalog);
        for (figure, metric) in [
            ("8次", "理论学习中心组学习次数"),
            ("3期", "读书班期数"),
            ("24期", "培训班期数"),
            ("1200余人次", "参训人次"),
            ("21条", "民主生活会查摆问题数"),
            ("35条", "民主生活会整改措施数"),
            ("45个", "巡察反馈问题数"),
            ("42个", "巡察反馈已整改数"),
            ("93.3％", "巡察整改完成率"),
        ] {
            assert_eq!(top(&l, figure).as_deref(), Some(metric), "{figure}");
        }
        // A rate is only ever proposed a rate.
        let p = l
            .proposals
            .iter()
            .find(|p| p.original_text == "93.3％")
            .unwrap();
        assert!(p
            .candidates
            .iter()
            .all(|c| { catalog.iter().find(|m| m.name == c.metric).unwrap().unit == "%" }));
        // "10个村" is no figure of the catalogue: nothing confident.
        let p = l
            .proposals
            .iter()
            .find(|p| p.original_text == "10个")
            .unwrap();
        assert!(p.suggested().is_none(), "{p:?}");
    }

    #[test]
    fn applying_choices_binds_figures_and_renders() {
        let catalog = builtin();
        let l = learn(&Document::from_text(REPORT), &catalog);
        let idx = |t: &str| {
            l.proposals
                .iter()
                .position(|p| p.original_text == t)
                .unwrap()
        };
        let mut choices = l.suggested_choices();
        choices.retain(|(i, _)| *i != idx("10个") && *i != idx("42个"));
        choices.push((idx("10个"), Choice::Keep));
        let source = apply(&l, &choices);
        assert!(source.contains("中心组学习{{ 指标(\"理论学习中心组学习次数\") }}次"));
        assert!(source.contains("参训人次达{{ 指标(\"参训人次\", 余=true) }}人次"));
        assert!(source.contains("完成率{{ 指标(\"巡察整改完成率\") }}。"));
        assert!(source.contains("加强10个村的党建工作"));
        assert!(source.contains("{{ 待补充(\"原为42个，请选择对应指标\") }}已整改完成"));
        let t = Template::parse(&source, known(&catalog)).unwrap();
        assert!(t
            .metric_names()
            .contains(&"理论学习中心组学习次数".to_string()));
        assert!(!t.metric_names().contains(&"巡察反馈已整改数".to_string()));

        let mut figures = FigureMap::with_units(&catalog);
        for m in t.metric_names() {
            figures.set(m, Some(5.0));
        }
        figures.set("参训人次", Some(1234.0));
        figures.set("巡察整改完成率", Some(97.5));
        let ctx = DraftContext {
            organization: "中共城关镇委员会".into(),
            year: 2024,
            ..Default::default()
        };
        let draft = t.render(&ctx, &figures).unwrap();
        assert_eq!(
            draft.title,
            "中共城关镇委员会关于2024年度落实全面从严治党主体责任情况的报告"
        );
        let text = draft.plain_text();
        assert!(text.contains("开展党委理论学习中心组学习5次"), "{text}");
        assert!(text.contains("参训人次达1200余人次"), "{text}");
        assert!(text.contains("完成率97.5%"), "{text}");
        assert!(
            text.contains("2025年，我们将对照2023年和2024年的问题清单"),
            "{text}"
        );
        assert!(text.contains("一、工作开展情况"), "{text}");
        assert!(text.contains("一是深入开展理论学习"), "{text}");
        // An unknown metric chosen by hand is refused at parse, with its line.
        let bad = apply(&l, &[(idx("8次"), Choice::Metric("没有这个指标".into()))]);
        match Template::parse(&bad, known(&catalog)) {
            Err(crate::template::TemplateError::UnknownMetric { line, name }) => {
                assert_eq!(name, "没有这个指标");
                assert_eq!(line, l.proposals[idx("8次")].line);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_huge_line_stays_quick_and_bounded() {
        let catalog = builtin();
        let line = "开展学习1次，".repeat(20_000);
        let started = std::time::Instant::now();
        let l = learn(
            &Document::from_text(&format!("标题\n{line}\n{line}")),
            &catalog,
        );
        assert_eq!(l.proposals.len(), MAX_PROPOSALS);
        assert!(l.notes.iter().any(|n| n.contains("只识别了前1000个")));
        assert!(Template::check(&l.source, known(&catalog)).is_empty());
        assert!(started.elapsed().as_secs() < 20, "{:?}", started.elapsed());
    }

    #[test]
    fn short_names_of_committees() {
        assert_eq!(
            short_name("中共青石镇委员会").as_deref(),
            Some("青石镇党委")
        );
        assert_eq!(
            short_name("中共县直机关工作委员会").as_deref(),
            Some("县直机关党工委")
        );
        assert_eq!(
            short_name("中共县财政局党组").as_deref(),
            Some("县财政局党组")
        );
        assert_eq!(short_name("青石镇人民政府"), None);
    }

    #[test]
    fn odd_inputs_still_parse() {
        let catalog = builtin();
        for input in [
            "",
            "标题",
            "#话题 {% if %} {# 注释 12次\n% 不是标题 3个\n末尾反斜杠\\\n一是\n二是孤立",
            "（一）\n1.\n一、",
            "{{{{ 8次 }}}} \"引号\"里有5次，反斜杠\\\"也有6个",
        ] {
            let l = learn(&Document::from_text(input), &catalog);
            let errors = Template::check(&l.source, known(&catalog));
            assert!(errors.is_empty(), "{input:?} → {errors:?}\n{}", l.source);
            let all_bound: Vec<(usize, Choice)> = (0..l.proposals.len())
                .map(|i| (i, Choice::Metric("培训人次".into())))
                .collect();
            let errors = Template::check(&apply(&l, &all_bound), known(&catalog));
            assert!(errors.is_empty(), "{input:?} → {errors:?}");
        }
    }
}
