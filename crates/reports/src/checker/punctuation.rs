//! Rule `punctuation`: mixed punctuation and common wrong characters.
//!
//! Sub-ids: `punctuation.halfwidth` (half-width , ; : ? ! ( ) . " beside Chinese text),
//! `punctuation.percent` (% and ％ both used in one document; the less used one is reported),
//! `punctuation.jiezhi` (截止目前 for 截至目前: 截止 means "to end", 截至 "up to"),
//! `punctuation.double` (doubled marks such as ，， or 。，), `punctuation.list` (a quoted
//! list of parallel phrases separated by both ， and 、: “不想腐，不敢腐、不能腐”).

use super::text::{self, is_cjk};
use super::{Ctx, Finding, Severity};

pub fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    let mut half_pct = Vec::new();
    let mut full_pct = Vec::new();
    for (p, para) in ctx.paras.iter().enumerate() {
        let cs = &para.chars;
        let mut i = 0;
        while i < cs.len() {
            let c = cs[i];
            match c {
                '%' => half_pct.push((p, i)),
                '％' => full_pct.push((p, i)),
                ',' | ';' | ':' | '?' | '!' | '.' | '"' | '(' | ')' => {
                    i = halfwidth(ctx, p, i, out);
                    continue;
                }
                '截' if cs.get(i + 1) == Some(&'止') => jiezhi(ctx, p, i, out),
                '，' | '。' | '；' | '：' => double(ctx, p, i, out),
                '“' => list(ctx, p, i, out),
                _ => {}
            }
            i += 1;
        }
    }
    // Report the minority; on a tie the half-width one.
    let minority = if half_pct.len() <= full_pct.len() {
        (&half_pct, '%', '％')
    } else {
        (&full_pct, '％', '%')
    };
    if !half_pct.is_empty() && !full_pct.is_empty() {
        let (list, this, other) = minority;
        for &(p, i) in list {
            out.push(ctx.finding(
                p,
                i,
                i + 1,
                "punctuation.percent",
                Severity::Warning,
                format!("同一文档中“%”与“％”混用，此处为“{this}”"),
                format!("统一写作“{other}”"),
            ));
        }
    }
}

fn prev_ns(cs: &[char], i: usize) -> Option<char> {
    cs[..i].iter().rev().find(|c| **c != ' ').copied()
}

fn next_ns(cs: &[char], i: usize) -> Option<char> {
    cs[i + 1..].iter().find(|c| **c != ' ').copied()
}

fn is_zh(c: Option<char>) -> bool {
    c.is_some_and(|c| is_cjk(c) || text::is_cn_punct(c))
}

/// Returns the index to continue at.
fn halfwidth(ctx: &Ctx, p: usize, i: usize, out: &mut Vec<Finding>) -> usize {
    let para = &ctx.paras[p];
    let cs = &para.chars;
    let c = cs[i];
    let (prev, next) = (prev_ns(cs, i), next_ns(cs, i));
    let digit = |c: Option<char>| c.is_some_and(|c| c.is_ascii_digit());
    let latin = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    let hit = match c {
        // 1,200 and 9:30 are figures; "http:" and "a.b" are Latin.
        ',' | ':' => {
            !(digit(prev) && digit(next)) && (is_cjk_c(prev) || is_cjk_c(next)) && !latin(prev)
        }
        ';' | '?' | '!' => is_cjk_c(prev) || (is_cjk_c(next) && !latin(prev)),
        // A full stop after Chinese text; not 1. numbering nor file.docx.
        '.' => is_cjk_c(prev) && !latin(next) && next != Some('.') && prev_raw(cs, i) != Some('.'),
        '"' => is_cjk_c(prev) || is_cjk_c(next),
        '(' => {
            // A heading number "(一)" is the numbering rule's.
            if para.marker.is_some_and(|m| m.start == i) {
                return i + 1;
            }
            let close = (i + 1..(i + 40).min(cs.len())).find(|&k| cs[k] == ')');
            let inner_zh = close.is_some_and(|k| cs[i + 1..k].iter().any(|c| is_cjk(*c)));
            if is_zh(prev) || is_zh(next) || inner_zh {
                let end = close.map_or(i + 1, |k| k + 1);
                out.push(ctx.finding(
                    p,
                    i,
                    end,
                    "punctuation.halfwidth",
                    Severity::Warning,
                    "中文行文中使用了半角括号“( )”",
                    "改为全角括号“（ ）”",
                ));
                return end;
            }
            false
        }
        ')' => {
            if para.marker.is_some_and(|m| i < m.start + m.len) {
                return i + 1;
            }
            is_zh(prev) || is_zh(next)
        }
        _ => false,
    };
    if hit {
        let full = match c {
            ',' => "，",
            ';' => "；",
            ':' => "：",
            '?' => "？",
            '!' => "！",
            '.' => "。",
            '"' => "“ ”",
            _ => "（ ）",
        };
        out.push(ctx.finding(
            p,
            i,
            i + 1,
            "punctuation.halfwidth",
            Severity::Warning,
            format!("中文行文中使用了半角标点“{c}”"),
            format!("改为全角标点“{full}”"),
        ));
    }
    i + 1
}

fn prev_raw(cs: &[char], i: usize) -> Option<char> {
    i.checked_sub(1).map(|k| cs[k])
}

fn is_cjk_c(c: Option<char>) -> bool {
    c.is_some_and(is_cjk)
}

fn jiezhi(ctx: &Ctx, p: usize, i: usize, out: &mut Vec<Finding>) {
    let cs = &ctx.paras[p].chars;
    // 截止 is right as "closing" (报名截止, 截止日期, 截止时间); before a point in time it
    // should be 截至.
    let after = i + 2;
    const TIME: &[&str] = &[
        "目前",
        "今",
        "到",
        "当前",
        "现在",
        "本月",
        "本年",
        "年底",
        "年末",
        "月底",
        "上半年",
        "此",
    ];
    let before_time = TIME.iter().any(|w| text::starts_with(cs, after, w))
        || cs.get(after).is_some_and(|c| c.is_ascii_digit());
    if !before_time || text::starts_with(cs, after, "日期") || text::starts_with(cs, after, "时间")
    {
        return;
    }
    let end = if text::starts_with(cs, after, "目前") {
        i + 4
    } else {
        i + 2
    };
    let text: String = cs[i..end].iter().collect();
    out.push(ctx.finding(
        p,
        i,
        end,
        "punctuation.jiezhi",
        Severity::Warning,
        format!("“{text}”用字不当：表示“到某时为止”应写“截至”"),
        format!("改为“{}”", text.replacen("截止", "截至", 1).replacen("截至到", "截至", 1)),
    ));
}

fn double(ctx: &Ctx, p: usize, i: usize, out: &mut Vec<Finding>) {
    let cs = &ctx.paras[p].chars;
    let Some(&next) = cs.get(i + 1) else { return };
    if !matches!(next, '，' | '。' | '；' | '：') {
        return;
    }
    // 。。。 is an ellipsis, reported by the placeholder rule.
    if cs[i] == '。' && next == '。' {
        return;
    }
    if i > 0 && matches!(cs[i - 1], '，' | '。' | '；' | '：') {
        return; // reported at the first mark of the run
    }
    out.push(ctx.finding(
        p,
        i,
        i + 2,
        "punctuation.double",
        Severity::Warning,
        format!("标点“{}{next}”重复", cs[i]),
        "删去多余的标点",
    ));
}

/// “甲甲，乙乙、丙丙”: parallel items of one length take one separator.
fn list(ctx: &Ctx, p: usize, i: usize, out: &mut Vec<Finding>) {
    let cs = &ctx.paras[p].chars;
    let limit = (i + 30).min(cs.len());
    let Some(k) = (i + 1..limit).find(|&k| cs[k] == '”') else {
        return;
    };
    let inner = &cs[i + 1..k];
    let parts: Vec<&[char]> = inner.split(|c| matches!(c, '，' | '、')).collect();
    let commas = inner.iter().filter(|c| **c == '，').count();
    let dunhao = inner.iter().filter(|c| **c == '、').count();
    let len = parts[0].len();
    let parallel = parts.len() >= 3
        && (2..=6).contains(&len)
        && parts
            .iter()
            .all(|p| p.len() == len && p.iter().all(|c| is_cjk(*c)));
    if !parallel || commas == 0 || dunhao == 0 {
        return;
    }
    // "有权必有责、用权受监督，失职要问责、违法要追究": groups of the same size, 、 inside and
    // ， between, are a deliberate structure.
    let sizes: Vec<usize> = inner
        .split(|c| *c == '，')
        .map(|g| g.split(|c| *c == '、').count())
        .collect();
    if sizes.len() >= 2 && sizes[0] >= 2 && sizes.iter().all(|&n| n == sizes[0]) {
        return;
    }
    out.push(ctx.finding(
        p,
        i,
        k + 1,
        "punctuation.list",
        Severity::Warning,
        "并列短语之间混用了逗号和顿号",
        "并列的词语之间统一用顿号“、”",
    ));
}

#[cfg(test)]
mod tests {
    use crate::checker::{check_text, CheckOptions};

    fn hits(t: &str) -> Vec<(String, String)> {
        check_text(t, &CheckOptions::all())
            .into_iter()
            .filter(|f| f.rule.starts_with("punctuation"))
            .map(|f| (f.rule, f.text))
            .collect()
    }

    fn h(rule: &str, text: &str) -> (String, String) {
        (rule.to_string(), text.to_string())
    }

    #[test]
    fn halfwidth() {
        assert_eq!(
            hits("加强学习,提高认识;推进工作:一是学习."),
            [
                h("punctuation.halfwidth", ","),
                h("punctuation.halfwidth", ";"),
                h("punctuation.halfwidth", ":"),
                h("punctuation.halfwidth", ".")
            ]
        );
        assert_eq!(
            hits("公务员(含参公)统计"),
            [h("punctuation.halfwidth", "(含参公)")]
        );
        let ok = [
            "参训1,200人次，9:30开会。",
            "访问 http://example.com 查看。",
            "1.强化教育引导。",
            "(一)加强领导",
            "文件名为报告.docx。",
            "English text, with commas; fine.",
        ];
        for t in ok {
            assert_eq!(hits(t), [], "{t}");
        }
    }

    #[test]
    fn percent_mix() {
        assert_eq!(
            hits("完成率93.3％，准确率100％，满意率98%。"),
            [h("punctuation.percent", "%")]
        );
        assert_eq!(hits("完成率93.3％，准确率100％。"), []);
    }

    #[test]
    fn jiezhi() {
        assert_eq!(
            hits("截止目前，已全面完成整改。"),
            [h("punctuation.jiezhi", "截止目前")]
        );
        assert_eq!(
            hits("截止2023年底，共发展党员56名。"),
            [h("punctuation.jiezhi", "截止")]
        );
        assert_eq!(hits("截至目前，报名截止日期为5月1日，报名已截止。"), []);
    }

    #[test]
    fn lists() {
        assert_eq!(
            hits("筑牢“不想腐，不敢腐、不去腐”的思想防线。"),
            [h("punctuation.list", "“不想腐，不敢腐、不去腐”")]
        );
        assert_eq!(
            hits("“敢说、愿说、能说”，“凭印象、靠嘴说、看材料”，“老办法不管用，新办法不会用”"),
            []
        );
        // Two groups of the same size: a structured slogan.
        assert_eq!(
            hits("牢记“有权必有责、用权受监督，失职要问责、违法要追究”。"),
            []
        );
        assert_eq!(hits("做到“学思想、强党性，重实践、建新功”。"), []);
    }

    #[test]
    fn doubled() {
        assert_eq!(
            hits("加强学习，，提高认识。"),
            [h("punctuation.double", "，，")]
        );
        assert_eq!(
            hits("加强学习。，提高认识"),
            [h("punctuation.double", "。，")]
        );
        assert_eq!(hits("他说：“好。”然后……"), []);
    }
}
