//! Rule `time`: terms bound to a time cited for a report year they do not fit.
//!
//! The table `data/time_terms.json` lists Party congresses (党代会, e.g. 党的二十大 2022),
//! plenary sessions of the Central Committee (中全会) and of the discipline commission,
//! five-year plans (十四五 = 2021–2025) and campaigns (集中教育, e.g. 党史学习教育 2021).
//! Sub-ids: `time.future` (the term did not exist yet in the report's year: 党的二十大 in a
//! report for 2021), `time.outdated` (an ended term cited as current: "学习贯彻党的十九大精神"
//! or "深入开展党史学习教育" in a report for 2023). Spans and history are fine: "十八大以来",
//! "十三五期间", "巩固党史学习教育成果", "2019年开展的…主题教育".

use std::sync::LazyLock;

use serde::Deserialize;

use super::text::{self, digit, is_cn_numeral, Patterns};
use super::{Ctx, Document, Finding, Severity};

/// What sort of time-bounded term.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TimeTermKind {
    /// 党的全国代表大会 (a Party congress).
    Congress,
    /// 中央全会 or 中央纪委全会 (a plenary session).
    Plenum,
    /// 五年规划 (a five-year plan period).
    Plan,
    /// 集中学习教育 (a Party-wide study campaign).
    Campaign,
}

/// One row of the time-term table.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
pub struct TimeTerm {
    pub name: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    pub kind: TimeTermKind,
    /// Year held or begun.
    pub from: i32,
    /// Last year it can be cited as current; `None` when open-ended.
    pub until: Option<i32>,
    pub note: String,
}

#[derive(Deserialize)]
struct Table {
    terms: Vec<TimeTerm>,
}

struct Index {
    terms: Vec<TimeTerm>,
    /// (term index) for every name and alias, in pattern order.
    owner: Vec<usize>,
    names: Vec<String>,
    patterns: Patterns,
}

static INDEX: LazyLock<Index> = LazyLock::new(|| {
    let table: Table = serde_json::from_str(include_str!("../../data/time_terms.json"))
        .expect("data/time_terms.json is valid (checked by a unit test)");
    let mut owner = Vec::new();
    let mut names = Vec::new();
    for (i, t) in table.terms.iter().enumerate() {
        for n in std::iter::once(&t.name).chain(&t.aliases) {
            owner.push(i);
            names.push(n.clone());
        }
    }
    let patterns = Patterns::new(&names);
    Index {
        terms: table.terms,
        owner,
        names,
        patterns,
    }
});

/// The whole table, for documentation and settings pages.
pub fn time_terms() -> &'static [TimeTerm] {
    &INDEX.terms
}

/// Every name and alias in the table.
pub fn term_names() -> impl Iterator<Item = &'static str> {
    INDEX.names.iter().map(|s| s.as_str())
}

/// The latest Party congress held by `year` ("二十大" for 2023).
pub fn current_congress(year: i32) -> Option<&'static str> {
    current(TimeTermKind::Congress, year)
}

fn current(kind: TimeTermKind, year: i32) -> Option<&'static str> {
    INDEX
        .terms
        .iter()
        .filter(|t| t.kind == kind && t.from <= year)
        .max_by_key(|t| t.from)
        .map(|t| t.name.as_str())
}

/// A year written as "2023年" (1990–2100) starting at `cs[i]`.
fn year_at(cs: &[char], i: usize) -> Option<i32> {
    if cs.get(i + 4) != Some(&'年') || (i > 0 && digit(cs[i - 1]).is_some()) {
        return None;
    }
    let mut y = 0i32;
    for c in &cs[i..i + 4] {
        y = y * 10 + digit(*c)? as i32;
    }
    (1990..=2100).contains(&y).then_some(y)
}

/// The first year written as "2023年" (1990–2100) in a paragraph.
pub fn year_in(cs: &[char]) -> Option<i32> {
    (0..cs.len()).find_map(|i| year_at(cs, i))
}

/// The report year as the checker would detect it: from the title or the first paragraphs.
pub fn detect_year(doc: &Document) -> Option<i32> {
    doc.paragraphs.iter().take(3).find_map(|p| {
        let cs: Vec<char> = p.text.chars().collect();
        year_in(&cs)
    })
}

/// What the report's year was taken from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum YearBasis {
    /// Given by the user (or the report's period).
    Given,
    /// Written in the title or the opening ("2023年度…", "2023年，…").
    Heading,
    /// The year the dates in the text name most often.
    Dates,
    /// The newest congress or plenum the text cites (the report cannot be older).
    Terms,
}

/// The year the time rules were applied to, and why, in Chinese for the checker's output.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AssumedYear {
    pub year: i32,
    pub basis: YearBasis,
    pub reason: String,
}

/// The year the checker applies the time rules to: the one given, else the one in the title
/// or opening, else the one the text itself points to ([`infer_year`]).
pub fn assumed_year(doc: &Document, given: Option<i32>) -> Option<AssumedYear> {
    if let Some(year) = given {
        return Some(AssumedYear {
            year,
            basis: YearBasis::Given,
            reason: format!("按指定的报告年份{year}年检查"),
        });
    }
    if let Some(year) = detect_year(doc) {
        return Some(AssumedYear {
            year,
            basis: YearBasis::Heading,
            reason: format!("标题或开头写明“{year}年”，按{year}年检查"),
        });
    }
    infer_year(doc)
}

/// The report's year read from the text when neither the user nor the title gives it: the
/// year its dates name most often (a report for 2023 names 2023 throughout, and 2024 only in
/// its plans and date), checked against the newest congress or plenum it cites, which the
/// report cannot predate. With no dates, that meeting's year is the floor assumed.
pub fn infer_year(doc: &Document) -> Option<AssumedYear> {
    let idx = &*INDEX;
    let mut counts: std::collections::BTreeMap<i32, usize> = Default::default();
    let mut newest: Option<&TimeTerm> = None;
    for p in &doc.paragraphs {
        let cs: Vec<char> = p.text.chars().filter(|c| !QUOTES.contains(c)).collect();
        let mut i = 0;
        while i < cs.len() {
            if let Some(y) = year_at(&cs, i) {
                *counts.entry(y).or_default() += 1;
                i += 5;
                continue;
            }
            match idx.patterns.at(&cs, i) {
                Some((pat, len)) => {
                    let term = &idx.terms[idx.owner[pat]];
                    let tail_of_longer = i > 0 && is_cn_numeral(cs[i - 1]);
                    let meeting =
                        matches!(term.kind, TimeTermKind::Congress | TimeTermKind::Plenum);
                    if meeting && !tail_of_longer && newest.is_none_or(|n| term.from > n.from) {
                        newest = Some(term);
                    }
                    i += len;
                }
                None => i += 1,
            }
        }
    }
    // Most often named; on a tie the later year (the plans of the year before name it too).
    let by_dates = counts
        .iter()
        .max_by_key(|(y, n)| (**n, **y))
        .map(|(y, n)| (*y, *n));
    match (by_dates, newest) {
        (Some((year, n)), newest) => {
            let mut reason =
                format!("标题和开头未写年份，正文所写日期以{year}年最多（{n}处），按{year}年检查");
            match newest {
                Some(t) if t.from > year => reason.push_str(&format!(
                    "；但正文引用了{}年召开的“{}”，请核对报告年份",
                    t.from, t.name
                )),
                Some(t) => reason.push_str(&format!(
                    "；引用的最新会议“{}”（{}年）与之相符",
                    t.name, t.from
                )),
                None => {}
            }
            Some(AssumedYear {
                year,
                basis: YearBasis::Dates,
                reason,
            })
        }
        (None, Some(t)) => Some(AssumedYear {
            year: t.from,
            basis: YearBasis::Terms,
            reason: format!(
                "标题和正文都未写年份；引用的最新会议为“{}”（{}年召开），报告不会早于该年，按{}年检查",
                t.name, t.from, t.from
            ),
        }),
        (None, None) => None,
    }
}

const QUOTES: &[char] = &['“', '”', '‘', '’', '"', '「', '」', '『', '』'];

pub fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    // Say which year the rules below assumed, and why, when the report does not state it.
    if let Some(a) = &ctx.inferred_year {
        if let Some(p) = ctx.paras.iter().position(|p| !p.chars.is_empty()) {
            out.push(ctx.finding(
                p,
                0,
                ctx.paras[p].chars.len().min(12),
                "time.year",
                Severity::Hint,
                a.reason.clone(),
                "在标题或开头写明报告年度（如“2023年度”），或在检查时指定年份",
            ));
        }
    }
    let idx = &*INDEX;
    for (p, para) in ctx.paras.iter().enumerate() {
        let Some(year) = para.year else { continue };
        let cs = &para.chars;
        if !cs.iter().any(|&c| idx.patterns.may_start(c)) {
            continue;
        }
        // Match on the text without quotation marks ("不忘初心、牢记使命”主题教育"), keeping
        // each character's index in the paragraph.
        let mut norm = Vec::with_capacity(cs.len());
        let mut map = Vec::with_capacity(cs.len());
        for (i, &c) in cs.iter().enumerate() {
            if !QUOTES.contains(&c) {
                norm.push(c);
                map.push(i);
            }
        }
        let mut hits: Vec<(usize, usize, usize)> = Vec::new();
        let mut i = 0;
        while i < norm.len() {
            match idx.patterns.at(&norm, i) {
                Some((pat, len)) => {
                    hits.push((idx.owner[pat], i, i + len));
                    i += len;
                }
                None => i += 1,
            }
        }
        for &(t, s, e) in &hits {
            let term = &idx.terms[t];
            // 二十八大… : the name is the tail of a longer number.
            if s > 0 && is_cn_numeral(norm[s - 1]) {
                continue;
            }
            let finding = if year < term.from {
                future(&norm, s, e, term, year)
            } else if term.until.is_some_and(|u| year > u) {
                outdated(&norm, s, e, term, year, &hits, &idx.terms)
            } else {
                None
            };
            if let Some((rule, sev, msg, sugg)) = finding {
                let (a, b) = (map[s], map[e - 1] + 1);
                out.push(ctx.finding(p, a, b, rule, sev, msg, sugg));
            }
        }
    }
}

type Verdict = Option<(&'static str, Severity, String, String)>;

fn sentence(norm: &[char], s: usize, e: usize) -> (usize, usize) {
    (text::sentence_start(norm, s), text::sentence_end(norm, e))
}

/// The clause holding `s..e`: between the marks ，；。：！？ around it. Words that frame a plan
/// or campaign as history ("巩固…成果") belong to the same clause as the term; elsewhere in
/// the sentence they may be about something else ("巩固党纪学习教育成果，持续推进“十三五”…").
fn clause(norm: &[char], s: usize, e: usize) -> (usize, usize) {
    let is_mark = |c: char| text::is_clause_end(c);
    let cs = norm[..s.min(norm.len())]
        .iter()
        .rposition(|&c| is_mark(c))
        .map_or(0, |k| k + 1);
    let ce = norm[e.min(norm.len())..]
        .iter()
        .position(|&c| is_mark(c))
        .map_or(norm.len(), |k| e + k);
    (cs, ce)
}

fn what(term: &TimeTerm) -> &'static str {
    match term.kind {
        TimeTermKind::Congress | TimeTermKind::Plenum => "召开",
        TimeTermKind::Plan | TimeTermKind::Campaign => "开始",
    }
}

fn future(norm: &[char], s: usize, e: usize, term: &TimeTerm, year: i32) -> Verdict {
    let (ss, se) = sentence(norm, s, e);
    const AHEAD: &[&str] = &[
        "迎接",
        "喜迎",
        "迎来",
        "即将",
        "筹备",
        "将于",
        "前夕",
        "召开前",
        "胜利召开",
        "展望",
    ];
    if text::contains_any(norm, ss, se, AHEAD) {
        return None;
    }
    let (sev, when) = if term.kind == TimeTermKind::Plan {
        // The year before a plan starts is the year it is drafted.
        const DRAFT: &[&str] = &[
            "编制", "谋划", "制定", "前期", "研究", "思路", "衔接", "起草", "开局",
        ];
        if year >= term.from - 1 || text::contains_any(norm, ss, se, DRAFT) {
            return None;
        }
        (Severity::Warning, "开始")
    } else {
        (Severity::Error, what(term))
    };
    Some((
        "time.future",
        sev,
        format!(
            "报告年份为{year}年，而“{}”{}年才{when}（{}）",
            term.name, term.from, term.note
        ),
        "核对是否误用了其他年份的报告内容，或报告年份是否有误".to_string(),
    ))
}

fn outdated(
    norm: &[char],
    s: usize,
    e: usize,
    term: &TimeTerm,
    year: i32,
    hits: &[(usize, usize, usize)],
    terms: &[TimeTerm],
) -> Verdict {
    let (ss, se) = sentence(norm, s, e);
    const SPAN: &[&str] = &["以来", "以后", "之后", "后", "期间", "时期", "至今"];
    if SPAN.iter().any(|w| text::starts_with(norm, e, w)) {
        return None;
    }
    let past_year = (ss..s).any(|k| year_at(norm, k).is_some_and(|y| y < year));
    if past_year {
        return None;
    }
    const RETRO: &[&str] = &[
        "成果",
        "巩固",
        "拓展",
        "延伸",
        "总结",
        "经验",
        "回顾",
        "以来",
        "期间",
        "时期",
        "收官",
        "圆满",
        "胜利完成",
        "过去",
        "曾",
        "先后",
        "历次",
        "常态化",
        "制度化",
        "回头看",
        "末",
        "相比",
        "较",
        "成就",
        "成绩",
        "完成了",
    ];
    let current_name;
    let (kind_name, suggestion) = match term.kind {
        TimeTermKind::Congress | TimeTermKind::Plenum => {
            const STUDY: &[&str] = &["学习", "贯彻", "落实", "传达", "宣传", "领会"];
            let before = s.saturating_sub(12).max(ss);
            let studied = text::contains_any(norm, before, s, STUDY)
                && text::contains_any(norm, e, (e + 6).min(se), &["精神"]);
            // "十九大和二十大精神", "十九届历次全会和二十届二中全会精神": the current one is
            // cited too.
            let with_current = hits.iter().any(|&(t, hs, _)| {
                hs >= ss
                    && hs < se
                    && matches!(terms[t].kind, TimeTermKind::Congress | TimeTermKind::Plenum)
                    && terms[t].until.is_none_or(|u| year <= u)
                    && terms[t].from <= year
            });
            if !studied || with_current || text::contains_any(norm, ss, se, &["以来"]) {
                return None;
            }
            current_name = current(TimeTermKind::Congress, year).unwrap_or("");
            (
                if term.kind == TimeTermKind::Congress {
                    "党代会"
                } else {
                    "全会"
                },
                format!(
                    "核对是否沿用了旧报告；{year}年应学习贯彻“党的{current_name}”及其后全会精神"
                ),
            )
        }
        TimeTermKind::Plan => {
            let (cs, ce) = clause(norm, s, e);
            if text::contains_any(norm, cs, ce, RETRO) {
                return None;
            }
            current_name = current(TimeTermKind::Plan, year).unwrap_or("");
            (
                "规划期",
                format!(
                    "{year}年所在的规划期是“{current_name}”；如为回顾，请写明“{}期间”",
                    term.name
                ),
            )
        }
        TimeTermKind::Campaign => {
            const DOING: &[&str] = &["开展", "启动", "部署", "推进", "参加", "投入"];
            let before = s.saturating_sub(8).max(ss);
            let (cs, ce) = clause(norm, s, e);
            if !text::contains_any(norm, before, s, DOING)
                || text::contains_any(norm, cs, ce, RETRO)
            {
                return None;
            }
            (
                "集中教育",
                "核对是否沿用了旧报告；如指巩固成果，请写明".to_string(),
            )
        }
    };
    Some((
        "time.outdated",
        Severity::Warning,
        format!(
            "“{}”是{}年的{kind_name}（{}），在{year}年的报告中被当作当前工作引用",
            term.name, term.from, term.note
        ),
        suggestion,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checker::{check_text, CheckOptions};

    fn hits(t: &str) -> Vec<(String, String)> {
        check_text(t, &CheckOptions::all())
            .into_iter()
            .filter(|f| f.rule.starts_with("time"))
            .map(|f| (f.rule, f.text))
            .collect()
    }

    fn h(rule: &str, text: &str) -> (String, String) {
        (rule.to_string(), text.to_string())
    }

    fn assumed(t: &str) -> Option<AssumedYear> {
        assumed_year(&Document::from_text(t), None)
    }

    #[test]
    fn the_year_comes_from_the_title_before_the_text() {
        let a = assumed("关于2023年度落实主体责任情况的报告\n2022年以来，我们……").unwrap();
        assert_eq!((a.year, a.basis), (2023, YearBasis::Heading));
        let given = assumed_year(&Document::from_text("2019年工作总结"), Some(2021)).unwrap();
        assert_eq!((given.year, given.basis), (2021, YearBasis::Given));
    }

    #[test]
    fn without_a_year_at_the_top_the_dates_in_the_text_decide() {
        let t =
            "关于落实全面从严治党主体责任情况的报告\n今年，镇党委深入学习贯彻党的二十大精神。\n\
                 一、工作开展情况\n2023年3月召开党建工作会议；2023年6月开展警示教育；\
                 2023年9月完成巡察整改。\n二、下一步打算\n2024年，我们将继续……";
        let a = assumed(t).unwrap();
        assert_eq!((a.year, a.basis), (2023, YearBasis::Dates));
        assert!(a.reason.contains("2023年最多（3处）"), "{}", a.reason);
        assert!(
            a.reason.contains("“二十大”（2022年）与之相符"),
            "{}",
            a.reason
        );
        // The time rules run for that year: the 十九大 cited as current is outdated in 2023.
        let stale = t.replace("党的二十大精神", "党的十九大精神");
        assert!(
            hits(&stale).iter().any(|(r, _)| r == "time.outdated"),
            "{:?}",
            hits(&stale)
        );
        // The checker's output says which year it assumed and why, as a hint.
        let said: Vec<String> = hits(t).into_iter().map(|(r, _)| r).collect();
        assert_eq!(said, vec!["time.year".to_string()]);
        let hint = check_text(t, &CheckOptions::all())
            .into_iter()
            .find(|f| f.rule == "time.year")
            .unwrap();
        assert_eq!((hint.severity, hint.line), (Severity::Hint, 1));
        assert!(hint.message.contains("按2023年检查"), "{}", hint.message);
    }

    #[test]
    fn a_cited_meeting_newer_than_the_dates_is_pointed_out() {
        let a = assumed(
            "工作总结\n一年来，我们认真履职。\n一、主要工作\n2023年5月，全面贯彻党的二十届三中全会精神。",
        )
        .unwrap();
        assert_eq!(a.year, 2023);
        assert!(a.reason.contains("请核对报告年份"), "{}", a.reason);
    }

    #[test]
    fn without_dates_the_newest_meeting_cited_is_the_floor() {
        let a = assumed("工作总结\n深入学习贯彻党的二十大和二十届二中全会精神。").unwrap();
        assert_eq!((a.year, a.basis), (2023, YearBasis::Terms), "{}", a.reason);
        assert!(assumed("工作总结\n认真做好各项工作。").is_none());
    }

    #[test]
    fn table_loads() {
        assert!(time_terms().len() > 50);
        assert_eq!(current_congress(2023), Some("二十大"));
        assert_eq!(current_congress(2021), Some("十九大"));
        assert_eq!(current(TimeTermKind::Plan, 2023), Some("十四五"));
        for t in time_terms() {
            assert!(t.until.is_none_or(|u| u >= t.from), "{}", t.name);
        }
    }

    #[test]
    fn years() {
        let y = |s: &str| year_in(&s.chars().collect::<Vec<_>>());
        assert_eq!(
            y("2023年度镇落实全面从严治党主体责任情况的报告"),
            Some(2023)
        );
        assert_eq!(y("关于12023年的"), None);
        assert_eq!(y("报告"), None);
        assert_eq!(y("2023"), None);
    }

    #[test]
    fn future_terms() {
        assert_eq!(
            hits("2021年度工作总结\n深入学习贯彻党的二十大精神。"),
            [h("time.future", "二十大")]
        );
        assert_eq!(
            hits("2023年度工作总结\n认真学习二十届三中全会精神。"),
            [h("time.future", "二十届三中全会")]
        );
        assert_eq!(
            hits("2023年度工作总结\n扎实开展党纪学习教育。"),
            [h("time.future", "党纪学习教育")]
        );
        // Looking ahead is fine.
        assert_eq!(
            hits("2021年度工作总结\n以优异成绩迎接党的二十大胜利召开。"),
            []
        );
        assert_eq!(hits("2020年度工作总结\n科学编制“十四五”规划。"), []);
    }

    #[test]
    fn outdated_terms() {
        assert_eq!(
            hits("2023年度工作总结\n深入学习贯彻党的十九大精神。"),
            [h("time.outdated", "十九大")]
        );
        assert_eq!(
            hits("2023年度工作总结\n深入学习贯彻十八届六中全会精神。"),
            [h("time.outdated", "十八届六中全会")]
        );
        assert_eq!(
            hits("2023年度工作总结\n确保“十三五”规划目标任务落实。"),
            [h("time.outdated", "十三五")]
        );
        assert_eq!(
            hits("2023年，深入开展党史学习教育。"),
            [h("time.outdated", "党史学习教育")]
        );
        assert_eq!(
            hits("2018年度工作总结\n深入开展“不忘初心、牢记使命”主题教育。"),
            [h("time.future", "不忘初心、牢记使命”主题教育")]
        );
        // Words of history elsewhere in the sentence do not cover the term's own clause.
        assert_eq!(
            hits(
                "2024年度工作总结\n支部将巩固党纪学习教育成果，持续推进“十三五”乡村振兴规划落实。"
            ),
            [h("time.outdated", "十三五")]
        );
        assert_eq!(
            hits("2024年度工作总结\n巩固主题教育成果，深入开展党史学习教育。"),
            [h("time.outdated", "党史学习教育")]
        );
    }

    #[test]
    fn spans_and_history_are_fine() {
        let ok = [
            "2023年度工作总结\n党的十八大以来，全面从严治党取得历史性成就。",
            "2023年度工作总结\n十八大以来党中央的决策部署。",
            "2023年度工作总结\n“十三五”期间累计建成120个。",
            "2023年度工作总结\n巩固拓展党史学习教育成果。",
            "2023年度工作总结\n2019年开展的“不忘初心、牢记使命”主题教育。",
            "2023年度工作总结\n认真落实十八届六中全会通过的《准则》。",
            "2023年度工作总结\n推进“两学一做”学习教育常态化制度化。",
            "2021年度工作总结\n巩固“十三五”发展成果。“十三五”期间累计投资186亿元。",
            "2021年度工作总结\n站在“十三五”圆满收官、“十四五”开局起步的新起点上。",
            "2022年度工作总结\n深入学习贯彻党的十九大和十九届历次全会精神。",
            "2023年度工作总结\n深入学习贯彻党的二十大和二十届二中全会精神。",
        ];
        for t in ok {
            assert_eq!(hits(t), [], "{t}");
        }
        // No year anywhere: the 十九大 it cites is the floor (2017), said as a hint, no more.
        let t = "工作总结\n深入学习贯彻党的十九大精神。";
        assert_eq!(hits(t), [h("time.year", "工作总结")], "{t}");
    }

    #[test]
    fn explicit_year_option() {
        let o = CheckOptions::all().with_year(2021);
        let fs = check_text("深入学习贯彻党的二十大精神。", &o);
        assert_eq!(fs[0].rule, "time.future");
    }
}
