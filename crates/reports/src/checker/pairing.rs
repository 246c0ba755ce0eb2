//! Rule `pairing`: paired punctuation that does not balance within a paragraph.
//!
//! Sub-ids: `pairing.unclosed` (an opening mark never closed), `pairing.unopened` (a closing
//! mark with no opening one), `pairing.mismatch` (“…》). Quotations in these reports do not
//! run across paragraphs, so each paragraph must balance on its own.

use super::text::is_clause_end;
use super::{Ctx, Finding, Severity};

fn closer_of(c: char) -> Option<char> {
    Some(match c {
        '“' => '”',
        '‘' => '’',
        '《' => '》',
        '（' => '）',
        '(' => ')',
        '【' => '】',
        '「' => '」',
        '『' => '』',
        '〈' => '〉',
        '〔' => '〕',
        _ => return None,
    })
}

fn opener_of(c: char) -> Option<char> {
    Some(match c {
        '”' => '“',
        '’' => '‘',
        '》' => '《',
        '）' => '（',
        ')' => '(',
        '】' => '【',
        '」' => '「',
        '』' => '『',
        '〉' => '〈',
        '〕' => '〔',
        _ => return None,
    })
}

fn name(c: char) -> &'static str {
    match c {
        '“' | '”' | '‘' | '’' | '「' | '」' | '『' | '』' => "引号",
        '《' | '》' | '〈' | '〉' => "书名号",
        '【' | '】' | '〔' | '〕' => "方括号",
        _ => "括号",
    }
}

/// Parentheses are the same mark in either width: （…) is a width slip, not a pairing error.
fn matches(open: char, close: char) -> bool {
    closer_of(open) == Some(close) || matches!((open, close), ('（', ')') | ('(', '）'))
}

pub fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    for (p, para) in ctx.paras.iter().enumerate() {
        let cs = &para.chars;
        let mut stack: Vec<(char, usize)> = Vec::new();
        for (i, &c) in cs.iter().enumerate() {
            if closer_of(c).is_some() {
                stack.push((c, i));
                continue;
            }
            if opener_of(c).is_none() {
                continue;
            }
            // An apostrophe in Latin text (don’t), or a list mark "1)" / "a)" at the start.
            if c == '’' && i > 0 && cs[i - 1].is_ascii_alphabetic() {
                continue;
            }
            if c == ')'
                && i <= para.lead + 2
                && cs[para.lead..i].iter().all(|c| c.is_ascii_alphanumeric())
            {
                continue;
            }
            match stack.iter().rposition(|&(o, _)| matches(o, c)) {
                Some(k) => {
                    // Anything opened after the match and not closed is unclosed.
                    for &(o, at) in &stack[k + 1..] {
                        out.push(unclosed(ctx, p, o, at, i));
                    }
                    stack.truncate(k);
                }
                None => out.push(unopened(ctx, p, c, i)),
            }
        }
        for &(o, at) in &stack {
            out.push(unclosed(ctx, p, o, at, cs.len()));
        }
    }
}

/// Span: the opening mark up to the end of its clause (where the closing mark was probably
/// meant to be), at most 20 characters and not past `limit`.
fn unclosed(ctx: &Ctx, p: usize, open: char, at: usize, limit: usize) -> Finding {
    let cs = &ctx.paras[p].chars;
    let max = (at + 20).min(limit).min(cs.len());
    let end = (at + 1..max)
        .find(|&k| is_clause_end(cs[k]))
        .map_or(max, |k| k + 1);
    let close = closer_of(open).unwrap_or(open);
    ctx.finding(
        p,
        at,
        end.max(at + 1),
        "pairing.unclosed",
        Severity::Error,
        format!("左{0}（{open}）没有配对的右{0}（{close}）", name(open)),
        format!("在应结束的位置补上（{close}），或删去多余的（{open}）"),
    )
}

fn unopened(ctx: &Ctx, p: usize, close: char, at: usize) -> Finding {
    let cs = &ctx.paras[p].chars;
    let min = at.saturating_sub(20);
    let start = (min..at)
        .rev()
        .find(|&k| is_clause_end(cs[k]))
        .map_or(min, |k| k + 1);
    let open = opener_of(close).unwrap_or(close);
    ctx.finding(
        p,
        start,
        at + 1,
        "pairing.unopened",
        Severity::Error,
        format!("右{0}（{close}）前面没有配对的左{0}（{open}）", name(close)),
        format!("在应开始的位置补上（{open}），或删去多余的（{close}）"),
    )
}

#[cfg(test)]
mod tests {
    use crate::checker::{check_text, CheckOptions};

    fn hits(t: &str) -> Vec<(String, String)> {
        check_text(t, &CheckOptions::all())
            .into_iter()
            .filter(|f| f.rule.starts_with("pairing"))
            .map(|f| (f.rule, f.text))
            .collect()
    }

    fn h(rule: &str, text: &str) -> (String, String) {
        (rule.to_string(), text.to_string())
    }

    #[test]
    fn unclosed_quote() {
        assert_eq!(
            hits("充分发挥“网络平台作用，积极组织“两新”党组织书记参加培训。"),
            [h("pairing.unclosed", "“网络平台作用，")]
        );
        assert_eq!(
            hits("制定《实施方案，印发。"),
            [h("pairing.unclosed", "《实施方案，")]
        );
    }

    #[test]
    fn unopened_and_mismatch() {
        assert_eq!(
            hits("推进三会一课”制度落实。"),
            [h("pairing.unopened", "推进三会一课”")]
        );
        assert_eq!(
            hits("学习“条例》精神。"),
            [
                h("pairing.unopened", "学习“条例》"),
                h("pairing.unclosed", "“条例》精神。")
            ]
        );
    }

    #[test]
    fn balanced() {
        let ok = [
            "《党委（党组）落实全面从严治党主体责任规定》",
            "“线上”“线下”同步，“‘四个意识’”",
            "公务员（含参公）统计(含附件)。",
            "1)第一项",
            "don’t worry",
            "【典型案例】（一）",
        ];
        for t in ok {
            assert_eq!(hits(t), [], "{t}");
        }
    }

    #[test]
    fn each_paragraph_balances_alone() {
        assert_eq!(hits("他说：“第一段。\n第二段。”").len(), 2);
    }
}
