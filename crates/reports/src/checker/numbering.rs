//! Rule `numbering`: heading numbers and "一是/二是" sequences.
//!
//! GB/T 9704 orders heading levels 一、 → （一） → 1. → （1）; a level may be skipped
//! (一、 directly followed by 1.) but not reversed. Sub-ids: `numbering.gap` (一、二、四、),
//! `numbering.repeat`, `numbering.order` (backwards), `numbering.level` (a higher level used
//! inside a lower one), `numbering.style` ("1、" for "1."), `numbering.mixed` (（一） and (一)
//! on one level), `numbering.seq` (一是、二是、四是). A report title restarts numbering.

use super::text::{self, cn_numeral, digit, is_cjk, parse_cn_int};
use super::{Ctx, Finding, Severity};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// 一、
    CnComma,
    /// 一. (a misuse of 一、)
    CnDot,
    /// （一）
    CnParen,
    /// (一)
    CnParenHalf,
    /// 1.
    Dot,
    /// 1．
    DotFull,
    /// 1、 (a misuse of 1.)
    Comma,
    /// （1）
    Paren,
    /// (1)
    ParenHalf,
}

/// A heading number at the start of a paragraph.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Marker {
    /// 1 一、 · 2 （一） · 3 1. · 4 （1）
    pub level: u8,
    pub number: u32,
    pub style: Style,
    pub start: usize,
    pub len: usize,
}

/// Read a heading number at `cs[at..]`.
pub fn marker(cs: &[char], at: usize) -> Option<Marker> {
    let c0 = *cs.get(at)?;
    let mk = |level, number, style, len| {
        Some(Marker {
            level,
            number,
            style,
            start: at,
            len,
        })
    };
    if matches!(c0, '（' | '(') {
        let full = c0 == '（';
        if let Some((n, l)) = parse_cn_int(&cs[at + 1..]) {
            return match cs.get(at + 1 + l) {
                Some('）' | ')') => {
                    let style = if full {
                        Style::CnParen
                    } else {
                        Style::CnParenHalf
                    };
                    mk(2, n, style, l + 2)
                }
                _ => None,
            };
        }
        let (n, l) = digits(cs, at + 1)?;
        return match cs.get(at + 1 + l) {
            Some('）' | ')') => {
                let style = if full { Style::Paren } else { Style::ParenHalf };
                mk(4, n, style, l + 2)
            }
            _ => None,
        };
    }
    if let Some((n, l)) = parse_cn_int(&cs[at..]) {
        return match cs.get(at + l) {
            Some('、') => mk(1, n, Style::CnComma, l + 1),
            // 一.5 is not a heading; 一. followed by text is a misused 一、.
            Some('.' | '．') if cs.get(at + l + 1).is_some_and(|c| is_cjk(*c)) => {
                mk(1, n, Style::CnDot, l + 1)
            }
            _ => None,
        };
    }
    let (n, l) = digits(cs, at)?;
    let style = match cs.get(at + l) {
        Some('.') => Style::Dot,
        Some('．') => Style::DotFull,
        Some('、') => Style::Comma,
        _ => return None,
    };
    // 1.5万元, 2.3%: a decimal, not a heading. But "1.2024年3月底前…" is item 1 opening with
    // a date: no decimal has four places followed by 年.
    if cs.get(at + l + 1).and_then(|c| digit(*c)).is_some() && !year_follows(cs, at + l + 1) {
        return None;
    }
    mk(3, n, style, l + 1)
}

/// "附件：1.责任清单" followed by a line "2.问题台账": the list of attachments at the end of a
/// document (GB/T 9704) starts after 附件：, and its first item is numbered there.
pub fn attachment(cs: &[char], at: usize) -> Option<Marker> {
    let after = ["附件：", "附件:"]
        .iter()
        .find(|w| text::starts_with(cs, at, w))
        .map(|w| at + w.chars().count())?;
    marker(cs, after).filter(|m| m.level == 3)
}

/// A year written as four digits and 年 starts at `at` (and no fifth digit).
fn year_follows(cs: &[char], at: usize) -> bool {
    (at..at + 4).all(|k| cs.get(k).copied().and_then(digit).is_some())
        && cs.get(at + 4) == Some(&'年')
}

/// One or two digits with a value of at least 1.
fn digits(cs: &[char], at: usize) -> Option<(u32, usize)> {
    let d0 = cs.get(at).copied().and_then(digit)?;
    match cs.get(at + 1).copied().and_then(digit) {
        Some(d1) if cs.get(at + 2).copied().and_then(digit).is_none() => {
            Some((d0 * 10 + d1, 2)).filter(|v| v.0 > 0)
        }
        Some(_) => None,
        None => Some((d0, 1)).filter(|v| v.0 > 0),
    }
}

/// How a number is written at a level, for messages.
fn label(level: u8, n: u32) -> String {
    match level {
        1 => format!("{}、", cn_numeral(n)),
        2 => format!("（{}）", cn_numeral(n)),
        3 => format!("{n}."),
        _ => format!("（{n}）"),
    }
}

const LEVEL_NAMES: [&str; 5] = ["", "一级标题", "二级标题", "三级标题", "四级标题"];

struct Scope {
    level: u8,
    last: [u32; 5],
    first_child: Option<u8>,
}

impl Scope {
    fn new(level: u8) -> Self {
        Scope {
            level,
            last: [0; 5],
            first_child: None,
        }
    }
}

/// State of "一是、二是…" lists within a heading.
#[derive(Default)]
struct Seq {
    /// Last item that began a paragraph.
    outer: u32,
    /// Last item in running text.
    inner: u32,
    /// The running-text items continue the paragraph-start list.
    inner_from_outer: bool,
}

pub fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    let mut stack = vec![Scope::new(0)];
    let mut styles: [Option<Style>; 5] = [None; 5];
    let mut seq = Seq::default();
    for (p, para) in ctx.paras.iter().enumerate() {
        if para.is_title {
            stack.truncate(1);
            stack[0] = Scope::new(0);
            styles = [None; 5];
            seq = Seq::default();
            continue;
        }
        if let Some(m) = para.marker {
            heading(ctx, p, m, &mut stack, &mut styles, out);
            seq = Seq::default();
        }
        sequences(ctx, p, &mut seq, out);
    }
}

fn heading(
    ctx: &Ctx,
    p: usize,
    m: Marker,
    stack: &mut Vec<Scope>,
    styles: &mut [Option<Style>; 5],
    out: &mut Vec<Finding>,
) {
    let l = m.level;
    let (s, e) = (m.start, m.start + m.len);
    while stack.len() > 1 && stack.last().is_some_and(|t| t.level >= l) {
        stack.pop();
    }
    let parent = stack.last_mut().expect("root scope");
    let this = label(l, m.number);
    let name = LEVEL_NAMES[l as usize];
    match parent.first_child {
        Some(fc) if fc > l && parent.last[l as usize] == 0 => {
            out.push(ctx.finding(
                p,
                s,
                e,
                "numbering.level",
                Severity::Warning,
                format!(
                    "{name}“{this}”出现在下一级序号“{}”之后，层级顺序颠倒",
                    label(fc, 1).trim_end_matches(['.', '、'])
                ),
                "按“一、”→“（一）”→“1.”→“（1）”的顺序排列标题层级",
            ));
        }
        None => parent.first_child = Some(l),
        _ => {}
    }
    let last = parent.last[l as usize];
    let n = m.number;
    if n != last + 1 && n != 1 {
        let (rule, sev, msg) = if last == 0 {
            (
                "numbering.gap",
                Severity::Warning,
                format!("本级{name}从“{this}”开始，前面缺少“{}”", label(l, 1)),
            )
        } else if n == last {
            (
                "numbering.repeat",
                Severity::Error,
                format!("{name}序号“{this}”重复"),
            )
        } else if n > last {
            let missing: Vec<String> = (last + 1..n).take(5).map(|k| label(l, k)).collect();
            (
                "numbering.gap",
                Severity::Error,
                format!(
                    "{name}序号从“{}”跳到“{this}”，缺少“{}”",
                    label(l, last),
                    missing.join("”“")
                ),
            )
        } else {
            (
                "numbering.order",
                Severity::Error,
                format!("{name}序号“{this}”出现在“{}”之后，顺序颠倒", label(l, last)),
            )
        };
        out.push(ctx.finding(
            p,
            s,
            e,
            rule,
            sev,
            msg,
            format!("依次编号，此处应为“{}”", label(l, last + 1)),
        ));
    }
    parent.last[l as usize] = n;
    stack.push(Scope::new(l));

    match m.style {
        Style::Comma => out.push(ctx.finding(
            p,
            s,
            e,
            "numbering.style",
            Severity::Warning,
            format!("三级标题序号“{}”用了顿号", text_of(ctx, p, s, e)),
            format!("阿拉伯数字序号后用下脚点，写作“{n}.”"),
        )),
        Style::CnDot => out.push(ctx.finding(
            p,
            s,
            e,
            "numbering.style",
            Severity::Warning,
            format!("一级标题序号“{}”用了点号", text_of(ctx, p, s, e)),
            format!("汉字序号后用顿号，写作“{}、”", cn_numeral(n)),
        )),
        style => match styles[l as usize] {
            None => styles[l as usize] = Some(style),
            Some(first) if first != style => out.push(ctx.finding(
                p,
                s,
                e,
                "numbering.mixed",
                Severity::Warning,
                format!(
                    "同一级序号写法不一致：此处为“{}”，前文为“{}”",
                    text_of(ctx, p, s, e),
                    example(first, n)
                ),
                "统一使用全角括号“（一）”“（1）”和下脚点“1.”",
            )),
            _ => {}
        },
    }
}

fn example(style: Style, n: u32) -> String {
    match style {
        Style::CnComma => format!("{}、", cn_numeral(n)),
        Style::CnDot => format!("{}.", cn_numeral(n)),
        Style::CnParen => format!("（{}）", cn_numeral(n)),
        Style::CnParenHalf => format!("({})", cn_numeral(n)),
        Style::Dot => format!("{n}."),
        Style::DotFull => format!("{n}．"),
        Style::Comma => format!("{n}、"),
        Style::Paren => format!("（{n}）"),
        Style::ParenHalf => format!("({n})"),
    }
}

fn text_of(ctx: &Ctx, p: usize, s: usize, e: usize) -> String {
    ctx.paras[p].chars[s..e].iter().collect()
}

/// "一是……二是……": items at a paragraph's start continue across paragraphs under one
/// heading; items in running text form their own list, which may nest inside one.
fn sequences(ctx: &Ctx, p: usize, seq: &mut Seq, out: &mut Vec<Finding>) {
    let para = &ctx.paras[p];
    let cs = &para.chars;
    let mut i = para.lead;
    while i + 1 < cs.len() {
        if !(text::is_cn_numeral(cs[i]) || cs[i] == '十') {
            i += 1;
            continue;
        }
        let boundary = i == para.lead || !is_cjk(cs[i - 1]);
        let parsed = parse_cn_int(&cs[i..]).filter(|(_, l)| cs.get(i + l) == Some(&'是'));
        let Some((n, l)) = parsed.filter(|_| boundary) else {
            i += 1;
            continue;
        };
        // 是否 ("一是否…") is not an item.
        if cs.get(i + l + 1) == Some(&'否') {
            i += l + 1;
            continue;
        }
        let at_start = i == para.lead;
        let last = if at_start {
            if seq.outer == 0 && seq.inner > 0 && n == seq.inner + 1 {
                seq.inner // a running-text list broken across paragraphs
            } else {
                seq.outer
            }
        } else {
            seq.inner
        };
        if n != 1 && n != last + 1 {
            let this = format!("{}是", cn_numeral(n));
            let (sev, msg) = if last == 0 {
                (Severity::Warning, format!("“{this}”前面没有“一是”"))
            } else if n > last {
                (
                    Severity::Error,
                    format!("从“{}是”跳到“{this}”，中间缺项", cn_numeral(last)),
                )
            } else {
                (
                    Severity::Error,
                    format!("“{this}”出现在“{}是”之后，序号重复或颠倒", cn_numeral(last)),
                )
            };
            out.push(ctx.finding(
                p,
                i,
                i + l + 1,
                "numbering.seq",
                sev,
                msg,
                format!("依次编号，此处应为“{}是”", cn_numeral(last + 1)),
            ));
        }
        if at_start {
            seq.outer = n;
            seq.inner = n;
            seq.inner_from_outer = true;
        } else {
            if n == 1 {
                seq.inner_from_outer = false;
            }
            seq.inner = n;
            if seq.inner_from_outer {
                seq.outer = n;
            }
        }
        i += l + 1;
    }
}

#[cfg(test)]
mod tests {
    use crate::checker::{check_text, CheckOptions};

    fn hits(t: &str) -> Vec<(String, usize, String)> {
        check_text(t, &CheckOptions::all())
            .into_iter()
            .filter(|f| f.rule.starts_with("numbering"))
            .map(|f| (f.rule, f.line, f.text))
            .collect()
    }

    fn h(rule: &str, line: usize, text: &str) -> (String, usize, String) {
        (rule.to_string(), line, text.to_string())
    }

    #[test]
    fn gaps_repeats_order() {
        assert_eq!(
            hits("一、甲\n二、乙\n四、丁\n四、丁\n三、丙"),
            [
                h("numbering.gap", 3, "四、"),
                h("numbering.repeat", 4, "四、"),
                h("numbering.order", 5, "三、")
            ]
        );
        assert_eq!(hits("一、甲\n二、乙\n三、丙\n四、丁\n五、戊"), []);
    }

    #[test]
    fn nested_levels_restart() {
        let t = "一、甲\n（一）子\n（二）丑\n1.子\n2.丑\n（1）细\n（2）细\n（三）寅\n二、乙\n（一）子\n1.子";
        assert_eq!(hits(t), []);
        // Skipping a level is allowed: 一、 then 1.
        assert_eq!(hits("一、下一步\n1.甲。\n2.乙。\n3.丙。"), []);
        assert_eq!(
            hits("一、甲\n（一）子\n（三）寅"),
            [h("numbering.gap", 3, "（三）")]
        );
    }

    #[test]
    fn title_restarts() {
        let t = "2023年度工作总结\n一、甲\n二、乙\n2023年度述责述廉报告\n一、甲\n二、乙";
        assert_eq!(hits(t), []);
    }

    #[test]
    fn comma_after_digit() {
        assert_eq!(
            hits("一、甲\n1、认真履行责任。\n2、加强建设。"),
            [
                h("numbering.style", 2, "1、"),
                h("numbering.style", 3, "2、")
            ]
        );
        assert_eq!(hits("一.甲"), [h("numbering.style", 1, "一.")]);
    }

    #[test]
    fn mixed_styles() {
        assert_eq!(
            hits("一、甲\n（一）子\n(二)丑"),
            [h("numbering.mixed", 3, "(二)")]
        );
    }

    #[test]
    fn reversed_levels() {
        assert_eq!(
            hits("1.甲\n（一）子\n2.乙"),
            [
                h("numbering.level", 2, "（一）"),
                h("numbering.gap", 3, "2.")
            ]
        );
    }

    #[test]
    fn not_headings() {
        assert_eq!(
            hits("1.5万元用于建设。\n2023年度发展党员。\n10个村均达标。\n3.8%的增长。"),
            []
        );
    }

    #[test]
    fn attachments() {
        let t =
            "一、下一步工作\n1.加强学习。\n2.强化监督。\n附件：1.责任清单\n2.问题台账\n3.整改方案";
        assert_eq!(hits(t), []);
        assert_eq!(
            hits("附件：1.责任清单\n3.问题台账"),
            [h("numbering.gap", 2, "3.")]
        );
    }

    #[test]
    fn item_opening_with_a_year() {
        // "1.2024年3月底前…" is item 1 followed by a date, not the decimal 1.2024.
        let t = "一、整改措施\n1.2024年3月底前，完善制度。\n2.2024年6月底前，应建尽建。\n3.每季度开展1次检查。";
        assert_eq!(hits(t), []);
        assert_eq!(
            hits("一、整改措施\n1.2024年3月底前完善。\n3.2024年6月底前完成。"),
            [h("numbering.gap", 3, "3.")]
        );
        assert_eq!(hits("增长1.20245倍。\n1.2024万元。"), []);
    }

    #[test]
    fn yi_shi_sequences() {
        assert_eq!(
            hits("主要是：一是学习不够。二是落实不力。三是监督不严。"),
            []
        );
        assert_eq!(
            hits("主要是：一是学习不够。二是落实不力。四是监督不严。"),
            [h("numbering.seq", 1, "四是")]
        );
        // Paragraph-start items under one heading; a heading resets them.
        let t = "一、甲\n一是学习。\n二是落实。\n##paidbegin##三是监督。\n二、乙\n一是学习。\n三是监督。";
        assert_eq!(hits(t), [h("numbering.seq", 7, "三是")]);
        // A running-text list nested inside a paragraph-start item.
        let t =
            "一是加强学习：一是读原著，二是学原文，三是悟原理。\n二是狠抓落实。\n三是强化监督。";
        assert_eq!(hits(t), []);
        // All items in one paragraph, continued by the next.
        assert_eq!(hits("一是学习。二是落实。三是监督。\n四是问责。"), []);
        // Not items: words that end in a numeral.
        assert_eq!(hits("统一是前提，唯一是标准，第三是关键。一是否可行。"), []);
    }
}
