//! Rule `figures`: figures in one sentence that contradict each other.
//!
//! Sub-ids: `figures.rate` (a rate or share that no pair of counts beside it gives:
//! "45个问题中，42个已整改，完成率95%"), `figures.rounding` (the rate is the counts' ratio cut
//! off instead of rounded: 45/56 = 80.36% written 80.3%; 提示, since the figure is within the
//! last digit and some offices truncate on purpose, but GB/T 8170 rounding gives 80.4%),
//! `figures.part` (a "其中" part larger than its whole), `figures.parts` (the "其中" parts add
//! up to more than the whole), `figures.sum` (items stated with "共/合计" that do not add up).
//! Approximate figures (1200余, 约50) are never used in arithmetic.

use super::numbers::{Kind, Num};
use super::text::{self, is_sentence_end};
use super::{Ctx, Finding, Severity};

pub fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    for (p, para) in ctx.paras.iter().enumerate() {
        let nums = &para.nums;
        if nums.len() < 2 {
            continue;
        }
        for (k, n) in nums.iter().enumerate() {
            if n.kind == Kind::Percent && !n.approx {
                rate(ctx, p, k, out);
            }
        }
        let cs = &para.chars;
        for i in 0..cs.len() {
            match cs[i] {
                '其' if cs.get(i + 1) == Some(&'中') => parts(ctx, p, i, out),
                '中' if i > 0 && cs[i - 1] != '其' && cs.get(i + 1) == Some(&'，') => {
                    among(ctx, p, i, out)
                }
                '共' | '合' | '总' | '一' => sum(ctx, p, i, out),
                _ => {}
            }
        }
    }
}

/// Words right before a percentage that make it a ratio of two counts in the sentence.
const RATE_WORDS: &[&str] = &["率", "占比", "比例", "占", "比重"];
/// Words that make it a change against another period instead.
const CHANGE_WORDS: &[&str] = &[
    "增长", "下降", "同比", "环比", "提高", "提升", "增加", "减少", "降低", "增幅", "降幅", "上升",
    "增速", "超出", "高于", "低于",
];

/// A rate is right if it is the ratio rounded to its own number of decimals.
fn rounded(part: f64, whole: f64, decimals: u32) -> f64 {
    let scale = 10f64.powi(decimals as i32);
    (part / whole * 100.0 * scale + 1e-9).round() / scale
}

fn truncated(part: f64, whole: f64, decimals: u32) -> f64 {
    let scale = 10f64.powi(decimals as i32);
    (part / whole * 100.0 * scale + 1e-9).floor() / scale
}

fn same(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-6
}

fn rate(ctx: &Ctx, p: usize, k: usize, out: &mut Vec<Finding>) {
    let para = &ctx.paras[p];
    let (cs, nums) = (&para.chars, &para.nums);
    let pct = &nums[k];
    let back = pct.start.saturating_sub(5);
    let near = &cs[back..pct.start];
    if !text::contains_any(near, 0, near.len(), RATE_WORDS) {
        return;
    }
    let wider = &cs[pct.start.saturating_sub(10)..pct.start];
    if text::contains_any(wider, 0, wider.len(), CHANGE_WORDS) {
        return;
    }
    // Counts earlier in the same sentence, after any earlier percentage.
    let mut counts: Vec<&Num> = Vec::new();
    for n in nums[..k].iter().rev() {
        if n.sentence != pct.sentence || n.kind == Kind::Percent {
            break;
        }
        if n.is_exact_count() && n.value > 0.0 {
            counts.push(n);
        }
    }
    counts.reverse();
    // "覆盖率为75.0%（全街道共有住宅小区36个）": the counts may follow in a bracket that opens
    // right after the rate.
    let bracketed = bracket_counts(cs, nums, k);
    let before = counts.len();
    counts.extend(bracketed.iter());
    if counts.len() < 2 {
        return;
    }
    let (part, whole) = if before < counts.len() {
        // The part is the last count before the rate, else the bracket's last; the whole is
        // a larger count of the same sort in the bracket (the total it explains).
        let part = if before > 0 {
            counts[before - 1]
        } else {
            counts[counts.len() - 1]
        };
        let Some(whole) = counts[before..]
            .iter()
            .find(|w| !std::ptr::eq(**w, part) && w.same_class(part) && w.value >= part.value)
        else {
            return;
        };
        (part, *whole)
    } else {
        let part = counts[counts.len() - 1];
        let Some(whole) = counts[..counts.len() - 1]
            .iter()
            .rev()
            .find(|w| w.same_class(part) && w.value >= part.value)
        else {
            return;
        };
        (part, *whole)
    };
    let d = pct.decimals;
    let stated = pct.value;
    if same(rounded(part.value, whole.value, d), stated) {
        return;
    }
    // Any other pair of counts in the sentence that gives the rate means we picked wrong.
    let explained = counts.iter().enumerate().any(|(a, x)| {
        counts.iter().skip(a + 1).any(|y| {
            let (lo, hi) = if x.value <= y.value { (x, y) } else { (y, x) };
            lo.same_class(hi) && same(rounded(lo.value, hi.value, d), stated)
        })
    });
    if explained || other_denominator(cs, whole, pct) || numerator_unstated(cs, part, pct) {
        return;
    }
    let exact = part.value / whole.value * 100.0;
    let (pv, wv) = (part.value, whole.value);
    let right = rounded(pv, wv, d);
    let fmt = |v: f64| format!("{v:.*}%", d as usize);
    if same(truncated(pv, wv, d), stated) {
        out.push(ctx.finding(
            p,
            pct.start,
            pct.end,
            "figures.rounding",
            Severity::Hint,
            format!(
                "{pv}÷{wv}={exact:.3}%，四舍五入应为{}，此处写{}（截去了尾数）",
                fmt(right),
                fmt(stated)
            ),
            format!("按四舍五入写作“{}”，或核对计数", fmt(right)),
        ));
        return;
    }
    out.push(ctx.finding(
        p,
        pct.start,
        pct.end,
        "figures.rate",
        Severity::Error,
        format!("{pv}÷{wv}={exact:.2}%，与所写的{}不符", fmt(stated)),
        format!("核对计数和比率；按所列数字应为“{}”", fmt(right)),
    ));
}

/// "所带的28个班级中，有15个班级…": the count right after "N…中，" is a part of N and cannot
/// be larger. Only the first count of the next clause is taken: later ones may be anything.
fn among(ctx: &Ctx, p: usize, at: usize, out: &mut Vec<Finding>) {
    let para = &ctx.paras[p];
    let (cs, nums) = (&para.chars, &para.nums);
    // The whole names its things just before 中: "45个问题中", "28个班级中".
    let Some(whole) = nums.iter().rev().find(|n| n.end <= at) else {
        return;
    };
    let gap = &cs[whole.end..at];
    if !whole.is_exact_count()
        || whole.value <= 0.0
        || gap.len() > 8
        || gap.iter().any(|&c| !text::is_cjk(c))
    {
        return;
    }
    let clause_end = (at + 2..cs.len())
        .find(|&k| text::is_clause_end(cs[k]))
        .unwrap_or(cs.len());
    let Some(part) = nums
        .iter()
        .find(|n| n.start > at && n.end <= clause_end && n.is_count())
    else {
        return;
    };
    if part.approx || !part.same_class(whole) || part.value <= whole.value {
        return;
    }
    // The part must count the same things: it repeats the noun ("28个班级中，有30个班级") or
    // goes straight on to what happened to them ("45个问题中，42个已整改"). "12个县区中，共有
    // 40个单位参评" counts something else.
    let same_things = (!gap.is_empty() && cs[part.end..].starts_with(gap))
        || cs
            .get(part.end)
            .is_none_or(|c| "已均为是被经在尚未仍，。；、".contains(*c));
    if !same_things {
        return;
    }
    out.push(ctx.finding(
        p,
        part.start,
        part.end,
        "figures.part",
        Severity::Error,
        format!(
            "{}中的部分{}大于总数",
            span(ctx, p, whole),
            span(ctx, p, part)
        ),
        "核对总数和分项数字",
    ));
}

/// "受理信访举报56件，其中检举控告类38件、其他类18件，办结率100%": the counts are a total and
/// its breakdown, and how many were 办结 is not said. When the part is an item of a "其中"
/// breakdown and the rate's own word (办结 of 办结率) occurs nowhere before it in the sentence,
/// the numerator is not among the counts and nothing can be checked.
fn numerator_unstated(cs: &[char], part: &Num, pct: &Num) -> bool {
    let start = text::sentence_start(cs, pct.start);
    let in_breakdown =
        (start..part.start.saturating_sub(1)).any(|k| cs[k] == '其' && cs[k + 1] == '中');
    if !in_breakdown {
        return false;
    }
    // The word before 率: 办结率 → 办结, 整改完成率 → 完成.
    let Some(lv) = (pct.start.saturating_sub(6)..pct.start)
        .rev()
        .find(|&k| cs[k] == '率')
    else {
        return false;
    };
    if lv < 2 || !text::is_cjk(cs[lv - 1]) || !text::is_cjk(cs[lv - 2]) {
        return false;
    }
    let stem = [cs[lv - 2], cs[lv - 1]];
    !(start..lv.saturating_sub(2)).any(|k| cs[k] == stem[0] && cs.get(k + 1) == Some(&stem[1]))
}

/// The rate names what it is a share of ("占教师党支部总数的比例为100%") and that is not what
/// the whole counts ("52个党支部中"): a subset or another thing, so the two do not pair.
/// A scope word (全县党员, 所有问题) still names the same thing.
fn other_denominator(cs: &[char], whole: &Num, pct: &Num) -> bool {
    let Some(zhan) = (whole.end..pct.start).rev().find(|&k| cs[k] == '占') else {
        return false;
    };
    let d_end = (zhan + 1..pct.start)
        .find(|&k| matches!(cs[k], '的' | '比'))
        .unwrap_or(pct.start);
    let mut denom: String = cs[zhan + 1..d_end].iter().collect();
    for tail in ["总人数", "总数", "总量"] {
        if let Some(d) = denom.strip_suffix(tail) {
            denom = d.to_string();
        }
    }
    let noun: String = cs[whole.end..]
        .iter()
        .take(10)
        .take_while(|&&c| text::is_cjk(c) && !matches!(c, '中' | '的' | '里' | '内'))
        .collect();
    // 全县, 全镇, 所有: the scope of the same whole.
    let scoped = denom.starts_with('全') || denom.starts_with("所有");
    let bare: String = if scoped {
        denom.chars().skip(2).collect()
    } else {
        denom.clone()
    };
    if bare.is_empty() || noun.is_empty() || !bare.chars().all(text::is_cjk) {
        return false;
    }
    if !bare.contains(&noun) {
        return true;
    }
    bare != noun && !scoped
}

/// Exact counts inside a bracket that opens right after the percentage `nums[k]`.
fn bracket_counts<'a>(cs: &[char], nums: &'a [Num], k: usize) -> Vec<&'a Num> {
    let pct = &nums[k];
    if !matches!(cs.get(pct.end), Some('（' | '(')) {
        return Vec::new();
    }
    let Some(close) = cs[pct.end..]
        .iter()
        .take(60)
        .position(|&c| matches!(c, '）' | ')'))
        .map(|d| pct.end + d)
    else {
        return Vec::new();
    };
    nums[k + 1..]
        .iter()
        .take_while(|n| n.end <= close)
        .filter(|n| n.is_exact_count() && n.value > 0.0)
        .collect()
}

/// Counts after "其中" in the same sentence must fit in the count before it.
fn parts(ctx: &Ctx, p: usize, at: usize, out: &mut Vec<Finding>) {
    let para = &ctx.paras[p];
    let nums = &para.nums;
    let sentence_start = text::sentence_start(&para.chars, at);
    let Some(whole) = nums
        .iter()
        .rev()
        .find(|n| n.end <= at && n.start >= sentence_start && n.is_count())
    else {
        return;
    };
    if whole.approx || whole.value <= 0.0 {
        return;
    }
    let end = text::sentence_end(&para.chars, at);
    let parts: Vec<&Num> = nums
        .iter()
        .filter(|n| n.start > at && n.end <= end && n.is_count() && n.same_class(whole))
        .collect();
    if let Some(big) = parts.iter().find(|n| n.value > whole.value) {
        out.push(ctx.finding(
            p,
            big.start,
            big.end,
            "figures.part",
            Severity::Error,
            format!(
                "“其中”的部分{}大于总数{}",
                span(ctx, p, big),
                span(ctx, p, whole)
            ),
            "核对总数和分项数字",
        ));
        return;
    }
    let sum: f64 = parts.iter().map(|n| n.value).sum();
    if parts.len() >= 2 && sum > whole.value + 1e-9 && !crosscutting(&para.chars, at, &parts) {
        let (s, e) = (parts[0].start, parts[parts.len() - 1].end);
        out.push(ctx.finding(
            p,
            s,
            e,
            "figures.parts",
            Severity::Warning,
            format!("“其中”各项合计{sum}，超过总数{}", span(ctx, p, whole)),
            "核对总数和分项数字；如各项有交叉，请写明",
        ));
    }
}

/// Ways of dividing people that cut across each other: one new member can be young, a woman
/// and a graduate at once ("发展党员6名，其中35岁以下5名，具有硕士以上学历的3名").
const DIMENSIONS: &[&[&str]] = &[
    &["岁", "青年", "年轻"],
    &[
        "学历",
        "大专",
        "本科",
        "硕士",
        "博士",
        "研究生",
        "中专",
        "高中",
        "学位",
    ],
    &["女", "男"],
    &["民族"],
];

/// The "其中" parts describe people along different dimensions (age, education, sex,
/// ethnicity), so they may overlap and their sum says nothing. Parts along one dimension
/// ("35岁以下5名、35岁以上3名") are exclusive and still add up.
fn crosscutting(cs: &[char], at: usize, parts: &[&Num]) -> bool {
    let dim = |a: usize, b: usize| {
        DIMENSIONS
            .iter()
            .position(|words| text::contains_any(cs, a, b, words))
    };
    let end = text::sentence_end(cs, at);
    // The parts are described before their figures ("35岁以下5名") or after them ("5名在35岁
    // 以下"); the first part tells which.
    let described_before = dim(at + 2, parts[0].start).is_some();
    let mut seen: Option<Option<usize>> = None;
    for (k, n) in parts.iter().enumerate() {
        let d = if described_before {
            dim(if k == 0 { at + 2 } else { parts[k - 1].end }, n.start)
        } else {
            dim(n.end, parts.get(k + 1).map_or(end, |m| m.start))
        };
        match seen {
            None => seen = Some(d),
            Some(prev) if prev != d && (prev.is_some() || d.is_some()) => return true,
            _ => {}
        }
    }
    false
}

/// "A12次、B10次，共计22次": the listed items must add up to the total.
fn sum(ctx: &Ctx, p: usize, at: usize, out: &mut Vec<Finding>) {
    let para = &ctx.paras[p];
    let cs = &para.chars;
    const MARKERS: &[&str] = &["共计", "合计", "总计", "总共", "一共", "共"];
    let Some(m) = MARKERS.iter().find(|m| text::starts_with(cs, at, m)) else {
        return;
    };
    // "共" opens its clause: "，共召开会议22次"; not 共有 (those that exist), 共同, 公共….
    if !(at > 0 && matches!(cs[at - 1], '，' | '、' | ',')) {
        return;
    }
    let after = at + m.chars().count();
    if matches!(
        cs.get(after),
        Some('有' | '同' | '享' | '建' | '产' | '青' | '性' | '识')
    ) {
        return;
    }
    let nums = &para.nums;
    let Some(tk) = nums.iter().position(|n| n.start >= after) else {
        return;
    };
    let total = &nums[tk];
    let clause_end = (after..total.start).any(|k| text::is_clause_end(cs[k]));
    if clause_end || !total.is_exact_count() || total.start - after > 10 {
        return;
    }
    // Items: the counts of the same sort just before the marker, in the same sentence.
    let mut items: Vec<&Num> = Vec::new();
    for n in nums[..tk].iter().rev() {
        if n.sentence != total.sentence {
            break;
        }
        if n.is_count() && n.same_class(total) {
            if n.approx {
                return;
            }
            items.push(n);
        }
    }
    items.reverse();
    if items.len() < 2 || (items[0].start..at).any(|k| is_sentence_end(cs[k])) {
        return;
    }
    // If the last few items alone make the total, earlier ones are about something else.
    let mut acc = 0.0;
    for n in items.iter().rev() {
        acc += n.value;
        if same(acc, total.value) {
            return;
        }
    }
    let listed: Vec<String> = items.iter().map(|n| format!("{}", n.value)).collect();
    out.push(ctx.finding(
        p,
        total.start,
        total.end,
        "figures.sum",
        Severity::Warning,
        format!(
            "所列各项{}相加为{acc}，与合计{}不符",
            listed.join("+"),
            span(ctx, p, total)
        ),
        "核对各项数字与合计数",
    ));
}

fn span(ctx: &Ctx, p: usize, n: &Num) -> String {
    ctx.paras[p].chars[n.start..n.end].iter().collect()
}

#[cfg(test)]
mod tests {
    use crate::checker::{check_text, CheckOptions, Severity};

    fn hits(t: &str) -> Vec<(String, Severity, String)> {
        check_text(t, &CheckOptions::all())
            .into_iter()
            .filter(|f| f.rule.starts_with("figures"))
            .map(|f| (f.rule, f.severity, f.text))
            .collect()
    }

    fn h(rule: &str, sev: Severity, text: &str) -> (String, Severity, String) {
        (rule.to_string(), sev, text.to_string())
    }

    #[test]
    fn rates() {
        let ok = [
            "反馈镇党委的45个问题中，42个已整改完成，完成率93.3％；",
            "对10个行政村的问题进行“回头看”，反馈的45个问题中，42个已整改，完成率93.3%。",
            "35个问题中，34个已整改完成，完成率97.1％。",
            "发放问卷500份，回收480份，回收率96%。",
            "45个问题中，42个已整改，完成率93%。",
            "领导班子任务完成率均达到100％。",
            "召开会议12次，研究议题36个，通过率100%。",
            "实现增长15个，同比增长12.5%。",
        ];
        for t in ok {
            assert_eq!(hits(t), [], "{t}");
        }
        // A total and its breakdown, and a rate whose numerator is not given.
        assert_eq!(
            hits("全年共受理信访举报56件，其中检举控告类38件、其他类18件，办结率100%。"),
            []
        );
        assert_eq!(
            hits("反馈问题45个，其中已整改42个、正在整改3个，整改率95%。"),
            [h("figures.rate", Severity::Error, "95%")]
        );
        // The rate names a smaller whole than the count before it.
        assert_eq!(
            hits("52个党支部中，教师党支部书记由“双带头人”担任的有31个，占教师党支部总数的比例为100%。"),
            []
        );
        assert_eq!(
            hits("52个党支部中，书记由“双带头人”担任的有31个，占党支部总数的比例为100%。"),
            [h("figures.rate", Severity::Error, "100%")]
        );
        assert_eq!(
            hits("全县186个村级党组织中，软弱涣散的8个，占全县的5%。"),
            [h("figures.rate", Severity::Error, "5%")]
        );
        assert_eq!(
            hits("全县186个村级党组织中，软弱涣散的8个，占全县的4.3%。"),
            []
        );
        // "N…中，M…": M is a part of N.
        assert_eq!(
            hits("教师党员所带的28个班级中，有30个班级位居前列。"),
            [h("figures.part", Severity::Error, "30个")]
        );
        assert_eq!(hits("教师党员所带的28个班级中，有15个班级位居前列。"), []);
        assert_eq!(hits("在全市12个县区中，综合考核得分95分，排名第3。"), []);
        assert_eq!(hits("在12个县区中，共有40个单位参评。"), []);
        // The counts in a bracket right after the rate.
        assert_eq!(
            hits("在27个住宅小区成立党支部，覆盖率为75.0%（全街道共有住宅小区36个）。"),
            []
        );
        assert_eq!(
            hits("党员的比例达到87.5%（共有内设机构负责人48名，其中党员42名）。"),
            []
        );
        assert_eq!(
            hits("在27个住宅小区成立党支部，覆盖率为72.0%（全街道共有住宅小区36个）。"),
            [h("figures.rate", Severity::Error, "72.0%")]
        );
        assert_eq!(
            hits("党员的比例达到85.7%（共有内设机构负责人48名，其中党员42名）。"),
            [h("figures.rate", Severity::Error, "85.7%")]
        );
        // A bracket that is not about the counts: no pair, no finding.
        assert_eq!(hits("完成率达到98%（含市级任务）。"), []);
        assert_eq!(
            hits("45个问题中，42个已整改完成，完成率95%。"),
            [h("figures.rate", Severity::Error, "95%")]
        );
        assert_eq!(
            hits("发展56名党员，其中45人年龄在35岁以下，占比80.3％。"),
            [h("figures.rounding", Severity::Hint, "80.3％")]
        );
        assert_eq!(
            hits("发展56名党员，其中45人年龄在35岁以下，占比70%。"),
            [h("figures.rate", Severity::Error, "70%")]
        );
    }

    #[test]
    fn parts() {
        assert_eq!(
            hits("共发展党员20名，其中女党员25名。"),
            [h("figures.part", Severity::Error, "25名")]
        );
        assert_eq!(
            hits("全年召开会议20次，其中党委会12次、专题会10次。"),
            [h("figures.parts", Severity::Warning, "12次、专题会10次")]
        );
        assert_eq!(hits("全年召开会议22次，其中党委会12次、专题会10次。"), []);
        assert_eq!(hits("完成发展56名党员，其中45人年龄在35岁以下。"), []);
        assert_eq!(hits("参训1200余人次，其中青年干部1300人次。"), []);
        // Parts along different dimensions overlap: one member is young and a graduate.
        assert_eq!(
            hits("全年发展党员6名，其中35岁以下5名，具有硕士以上学历的3名。"),
            []
        );
        assert_eq!(hits("发展党员10名，其中女党员6名、大专以上学历8名。"), []);
        assert_eq!(hits("发展党员10名，其中8名为35岁以下，6名为女性。"), []);
        // Along one dimension they are exclusive and must fit.
        assert_eq!(
            hits("全年发展党员6名，其中35岁以下5名、35岁以上3名。"),
            [h("figures.parts", Severity::Warning, "5名、35岁以上3名")]
        );
    }

    #[test]
    fn sums() {
        assert_eq!(
            hits("召开党委会12次、专题会10次，共计20次。"),
            [h("figures.sum", Severity::Warning, "20次")]
        );
        assert_eq!(hits("召开党委会12次、专题会10次，共召开会议22次。"), []);
        // The total covers the last items only.
        assert_eq!(
            hits("发布文章430篇，区级转载310篇、市级210篇，共被转载520篇。"),
            []
        );
        assert_eq!(hits("新增5个、改造3个，共有120个。"), []);
        assert_eq!(hits("开办培训班、读书班共24期，参训1200人次。"), []);
    }
}
