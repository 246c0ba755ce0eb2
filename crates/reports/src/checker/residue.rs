//! Rule `residue`: text carried over from the web page or PDF a report was copied from.
//!
//! Sub-ids: `residue.marker` (site markers such as `##paidbegin##`, HTML tags and entities),
//! `residue.web` (site chrome: VIP, 阅读全部, 展开全文, 下载文档 …), `residue.page` (a page
//! number or "第3页" pasted into the text), `residue.header` (a short line repeated like a
//! page header), `residue.linebreak` (a hard line break inside a sentence, from PDF copying).

use std::collections::HashMap;
use std::sync::LazyLock;

use super::text::{self, digit, is_cjk, Patterns};
use super::{Ctx, Finding, Severity};

const WEB: &[&str] = &[
    "阅读全部",
    "展开全文",
    "全文阅读",
    "阅读全文",
    "继续阅读",
    "点击查看",
    "查看全文",
    "下载文档",
    "文档下载",
    "免费下载",
    "付费阅读",
    "付费下载",
    "开通会员",
    "会员专享",
    "VIP专享",
    "原创力文档",
    "豆丁网",
    "道客巴巴",
    "百度文库",
    "第一范文网",
    "[email protected]",
    "本文档由",
    "下载券",
];

static WEB_PATTERNS: LazyLock<Patterns> = LazyLock::new(|| Patterns::new(WEB));

const ENTITIES: &[&str] = &["&nbsp;", "&amp;", "&lt;", "&gt;", "&quot;", "&#"];
const TAGS: &[&str] = &[
    "<br", "<p>", "</p>", "<div", "</div>", "<span", "</span>", "<strong>",
];

pub fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    let mut shorts: HashMap<&[char], Vec<usize>> = HashMap::new();
    for (p, para) in ctx.paras.iter().enumerate() {
        let cs = &para.chars;
        let mut i = 0;
        while i < cs.len() {
            let c = cs[i];
            if c == '#' {
                if let Some(len) = text::residue_marker_len(cs, i) {
                    let t: String = cs[i..i + len].iter().collect();
                    out.push(ctx.finding(
                        p,
                        i,
                        i + len,
                        "residue.marker",
                        Severity::Error,
                        format!("“{t}”是复制网页时带入的标记，不是报告内容"),
                        "删去该标记",
                    ));
                    i += len;
                    continue;
                }
            } else if c == '&' || c == '<' {
                let list = if c == '&' { ENTITIES } else { TAGS };
                if let Some(w) = list.iter().find(|w| text::starts_with(cs, i, w)) {
                    let close = if c == '&' { ';' } else { '>' };
                    let limit = (i + 12).min(cs.len());
                    let start = i + w.chars().count() - 1;
                    if let Some(k) = (start..limit).find(|&k| cs[k] == close) {
                        out.push(ctx.finding(
                            p,
                            i,
                            k + 1,
                            "residue.marker",
                            Severity::Error,
                            "这是复制网页时带入的HTML代码",
                            "删去该代码",
                        ));
                        i = k + 1;
                        continue;
                    }
                }
            } else if c == 'V' && text::starts_with(cs, i, "VIP") {
                let latin_before = i > 0 && cs[i - 1].is_ascii_alphabetic();
                let latin_after = cs.get(i + 3).is_some_and(|c| c.is_ascii_alphabetic());
                if !latin_before && !latin_after && !text::starts_with(cs, i, "VIP专享") {
                    out.push(web(ctx, p, i, i + 3));
                    i += 3;
                    continue;
                }
            } else if c == '—' || c == '-' || c == '－' {
                if let Some(end) = inline_page_number(cs, i) {
                    out.push(page(ctx, p, i, end));
                    i = end;
                    continue;
                }
            }
            if let Some((_, len)) = WEB_PATTERNS.at(cs, i) {
                out.push(web(ctx, p, i, i + len));
                i += len;
                continue;
            }
            i += 1;
        }
        if ctx.doc.paragraphs[p].in_table {
            continue;
        }
        let content = &cs[para.lead..];
        if is_page_line(content) {
            out.push(page(ctx, p, para.lead, cs.len()));
        } else if (2..=30).contains(&content.len())
            && para.marker.is_none()
            && !para.is_title
            && !content.iter().any(|c| matches!(c, '。' | '，' | '；'))
        {
            shorts.entry(content).or_default().push(p);
        }
        linebreak(ctx, p, out);
    }
    for (_, ps) in shorts {
        if ps.len() >= 3 && !section_label(ctx, &ps) {
            for &p in &ps[1..] {
                let para = &ctx.paras[p];
                out.push(ctx.finding(
                    p,
                    para.lead,
                    para.chars.len(),
                    "residue.header",
                    Severity::Warning,
                    format!(
                        "这一行在文中重复出现{}次，疑似复制时带入的页眉或页脚",
                        ps.len()
                    ),
                    "删去重复的页眉、页脚",
                ));
            }
        }
    }
}

/// A short line repeated once in each section ("一、… 主要做法 … 二、… 主要做法 …") labels the
/// parts of a section; it is not a page header. A header pasted from pages lands anywhere:
/// two in one section, or in the middle of a sentence.
fn section_label(ctx: &Ctx, ps: &[usize]) -> bool {
    let one_per_section = ps
        .windows(2)
        .all(|w| (w[0] + 1..w[1]).any(|q| ctx.paras[q].marker.is_some_and(|m| m.level <= 2)));
    let between_paragraphs = ps.iter().all(|&p| {
        // A page number pasted before the label says nothing about it: look past it.
        let Some(prev) = (0..p)
            .rev()
            .map(|q| &ctx.paras[q])
            .find(|q| !is_page_line(&q.chars[q.lead..]))
        else {
            return true;
        };
        let ends = prev.chars.iter().rev().find(|c| !c.is_whitespace());
        prev.marker.is_some() || prev.is_title || ends.is_some_and(|c| "。！？；：”）".contains(*c))
    });
    one_per_section && between_paragraphs
}

fn web(ctx: &Ctx, p: usize, s: usize, e: usize) -> Finding {
    let t: String = ctx.paras[p].chars[s..e].iter().collect();
    ctx.finding(
        p,
        s,
        e,
        "residue.web",
        Severity::Error,
        format!("“{t}”是网页上的文字，复制时带入了报告"),
        "删去网页残留文字",
    )
}

fn page(ctx: &Ctx, p: usize, s: usize, e: usize) -> Finding {
    ctx.finding(
        p,
        s,
        e,
        "residue.page",
        Severity::Warning,
        "疑似复制时带入的页码",
        "删去页码",
    )
}

fn is_dash(c: char) -> bool {
    matches!(c, '—' | '-' | '－' | '–')
}

/// "— 3 —" inside running text: dashes around a number of at most three digits.
fn inline_page_number(cs: &[char], i: usize) -> Option<usize> {
    let mut k = i;
    while k < cs.len() && is_dash(cs[k]) {
        k += 1;
    }
    while cs.get(k) == Some(&' ') {
        k += 1;
    }
    let ds = k;
    while k < cs.len() && digit(cs[k]).is_some() {
        k += 1;
    }
    if !(1..=3).contains(&(k - ds)) || (i > 0 && digit(cs[i - 1]).is_some()) {
        return None;
    }
    let spaced = cs.get(ds.wrapping_sub(1)) == Some(&' ') || cs.get(k) == Some(&' ');
    while cs.get(k) == Some(&' ') {
        k += 1;
    }
    let d2 = k;
    while k < cs.len() && is_dash(cs[k]) {
        k += 1;
    }
    // "1-2-3" style ranges have no spaces; page numbers are written "— 3 —".
    (k > d2 && (spaced || cs[i] == '—') && !cs.get(k).is_some_and(|c| c.is_ascii_digit()))
        .then_some(k)
}

/// A line that is only a page number: "3", "— 3 —", "第3页", "第 3 页 共 10 页", "3/10".
fn is_page_line(cs: &[char]) -> bool {
    let t: Vec<char> = cs.iter().copied().filter(|c| !c.is_whitespace()).collect();
    if t.is_empty() || t.len() > 16 {
        return false;
    }
    let core: Vec<char> = t.iter().copied().filter(|c| !is_dash(*c)).collect();
    let all_digits =
        |s: &[char]| !s.is_empty() && s.len() <= 3 && s.iter().all(|c| digit(*c).is_some());
    if all_digits(&core) {
        return true;
    }
    if let Some(slash) = core.iter().position(|c| *c == '/') {
        return all_digits(&core[..slash]) && all_digits(&core[slash + 1..]);
    }
    let s: String = core.iter().collect();
    if let Some(rest) = s.strip_prefix('第') {
        let (num, tail) = rest.split_at(rest.find('页').unwrap_or(rest.len()));
        let num: Vec<char> = num.chars().collect();
        return all_digits(&num)
            && (tail == "页" || (tail.starts_with("页共") && tail.ends_with('页')));
    }
    false
}

/// A paragraph that ends mid-sentence and is continued by the next line.
fn linebreak(ctx: &Ctx, p: usize, out: &mut Vec<Finding>) {
    let para = &ctx.paras[p];
    let Some(next) = ctx.paras.get(p + 1) else {
        return;
    };
    let (this_doc, next_doc) = (&ctx.doc.paragraphs[p], &ctx.doc.paragraphs[p + 1]);
    if next_doc.line != this_doc.line + 1
        || next_doc.in_table
        || para.marker.is_some()
        || para.is_title
        || this_doc.heading.is_some()
    {
        return;
    }
    let cs = &para.chars;
    let Some(&last) = cs.last() else { return };
    if next.marker.is_some() || next.is_title || next.lead > 0 || next.chars.is_empty() {
        return;
    }
    let first = next.chars[0];
    let ends_open = matches!(last, '，' | '、') || is_cjk(last);
    if !ends_open {
        return;
    }
    // Sure signs: the line ends on a comma, or the next one starts with a closing mark.
    let strong = matches!(last, '，' | '、')
        || matches!(first, '，' | '。' | '、' | '；' | '：' | '）' | '”' | '》');
    // Otherwise a line with sentences in it that stops on a character; headings have none.
    let has_sentence = cs[..cs.len() - 1].iter().any(|c| matches!(c, '。' | '；'));
    if !(strong || (has_sentence && cs.len() >= 10 && (is_cjk(first) || first.is_ascii_digit()))) {
        return;
    }
    let s = cs.len() - 1;
    let preview: String = next.chars.iter().take(8).collect();
    out.push(ctx.finding(
        p,
        s,
        cs.len(),
        "residue.linebreak",
        Severity::Warning,
        format!("句子在此处断行，下一行“{preview}…”是它的后半句（复制PDF时常见）"),
        "删去行末的换行，把两行接成一段",
    ));
}

#[cfg(test)]
mod tests {
    use crate::checker::{check_text, CheckOptions};

    fn hits(t: &str) -> Vec<(String, usize, String)> {
        check_text(t, &CheckOptions::all())
            .into_iter()
            .filter(|f| f.rule.starts_with("residue"))
            .map(|f| (f.rule, f.line, f.text))
            .collect()
    }

    fn h(rule: &str, line: usize, text: &str) -> (String, usize, String) {
        (rule.to_string(), line, text.to_string())
    }

    #[test]
    fn markers() {
        assert_eq!(
            hits("规范党员干部权##paidbegin##力运行。\n##paidend##"),
            [
                h("residue.marker", 1, "##paidbegin##"),
                h("residue.marker", 2, "##paidend##")
            ]
        );
        assert_eq!(
            hits("加强学习&nbsp;提高认识<br/>"),
            [
                h("residue.marker", 1, "&nbsp;"),
                h("residue.marker", 1, "<br/>")
            ]
        );
        assert_eq!(hits("## 一、标题\n#话题#讨论"), []);
    }

    #[test]
    fn web_chrome() {
        assert_eq!(
            hits("加强学习。VIP阅读全部\n\n展开全文"),
            [
                h("residue.web", 1, "VIP"),
                h("residue.web", 1, "阅读全部"),
                h("residue.web", 3, "展开全文")
            ]
        );
        assert_eq!(
            hits("VIPER模型，学习阅读全文件"),
            [h("residue.web", 1, "阅读全文")]
        );
    }

    #[test]
    fn page_numbers() {
        assert_eq!(
            hits("第一段。\n— 3 —\n第3页 共10页\n12\n推进工作 - 4 - 落实。"),
            [
                h("residue.page", 2, "— 3 —"),
                h("residue.page", 3, "第3页 共10页"),
                h("residue.page", 4, "12"),
                h("residue.page", 5, "- 4 -")
            ]
        );
        assert_eq!(hits("2021-2023年，1-2月，10—12月。"), []);
    }

    #[test]
    fn headers() {
        let t = "XX镇党委文件\n第一段。\nXX镇党委文件\n第二段。\nXX镇党委文件\n第三段。";
        let r: Vec<_> = hits(t)
            .into_iter()
            .filter(|x| x.0 == "residue.header")
            .collect();
        assert_eq!(
            r,
            [
                h("residue.header", 3, "XX镇党委文件"),
                h("residue.header", 5, "XX镇党委文件")
            ]
        );
    }

    #[test]
    fn section_labels_are_not_headers() {
        let t = "一、党建工作\n主要做法\n召开会议12次。\n存在问题\n学习不深。\n二、党风廉政\n主要做法\n谈话5人次。\n存在问题\n监督不严。\n三、意识形态\n主要做法\n发布信息20条。\n存在问题\n管理不严。";
        assert!(hits(t).is_empty(), "{:?}", hits(t));
        let t = "一、甲\n主要做法\n召开会议12次。\n二、乙\n— 2 —\n主要做法\n谈话5人次。\n三、丙\n主要做法\n发布信息20条。";
        assert_eq!(hits(t), [h("residue.page", 5, "— 2 —")]);
        // Twice in one section, or inside a sentence: a header.
        let t = "一、党建工作\nXX县财政局\n召开会议12次。\nXX县财政局\n学习不深。\n二、党风廉政\nXX县财政局\n谈话5人次。";
        assert_eq!(
            hits(t)
                .into_iter()
                .filter(|x| x.0 == "residue.header")
                .count(),
            2
        );
    }

    #[test]
    fn line_breaks() {
        assert_eq!(
            hits("坚持问题导向。针对考核反馈意见，成立整改工作\n领导小组，制定整改方案。"),
            [h("residue.linebreak", 1, "作")]
        );
        assert_eq!(
            hits("加强学习，\n提高认识。"),
            [h("residue.linebreak", 1, "，")]
        );
        let ok = [
            "一、加强领导\n正文第一句。",
            "强化理论武装，提高思想自觉\n正文第一句。",
            "2023年度工作总结\n正文。",
            "中共XX镇委员会\n2024年1月5日",
            "第一段。\n\n第二段。",
        ];
        for t in ok {
            let r: Vec<_> = hits(t)
                .into_iter()
                .filter(|x| x.0 == "residue.linebreak")
                .collect();
            assert_eq!(r, [], "{t}");
        }
    }
}
