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
    if counts.len() < 2 {
        return;
    }
    let part = counts[counts.len() - 1];
    let Some(whole) = counts[..counts.len() - 1]
        .iter()
        .rev()
        .find(|w| w.same_class(part) && w.value >= part.value)
    else {
        return;
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
    if explained {
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
    if parts.len() >= 2 && sum > whole.value + 1e-9 {
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
