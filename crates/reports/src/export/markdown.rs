//! A draft as Markdown: the title as `#`, headings one level below it, blanks in bold so they
//! stand out, issuer and date as the last two paragraphs.

use super::one_line;
use crate::draft::{Block, Draft, Inline};

pub fn to_markdown(draft: &Draft) -> String {
    let mut out = String::with_capacity(4096);
    let title = one_line(&draft.title);
    if !title.is_empty() {
        out.push_str("# ");
        push_escaped(&mut out, &title, true);
        out.push_str("\n\n");
    }
    let addressee = one_line(&draft.addressee);
    if !addressee.is_empty() {
        push_escaped(&mut out, &addressee, true);
        out.push_str("\n\n");
    }
    for block in &draft.blocks {
        match block {
            Block::Heading { level, content } => {
                // 一、 → ##, （一） → ###, 1. → ####, （1） → #####.
                for _ in 0..(*level).clamp(1, 4) + 1 {
                    out.push('#');
                }
                out.push(' ');
                inlines(&mut out, content, true);
            }
            Block::Paragraph { content } => inlines(&mut out, content, false),
        }
        out.push_str("\n\n");
    }
    for line in [&draft.issuer, &draft.date] {
        let line = one_line(line);
        if !line.is_empty() {
            push_escaped(&mut out, &line, true);
            out.push_str("\n\n");
        }
    }
    let kept = out.trim_end().len();
    out.truncate(kept);
    out.push('\n');
    out
}

fn inlines(out: &mut String, content: &[Inline], heading: bool) {
    let mut at_start = !heading;
    for inline in content {
        match inline {
            Inline::Text { text } | Inline::Figure { text, .. } => {
                let text = one_line(text);
                push_escaped(out, &text, at_start);
                at_start &= text.is_empty();
            }
            Inline::Blank { .. } => {
                out.push_str("**");
                push_escaped(out, &inline.printed(), false);
                out.push_str("**");
                at_start = false;
            }
        }
    }
}

/// Escape what Markdown would read as markup; `line_start` also guards what only matters at
/// the beginning of a line (`#`, `-`, `+`, `>`, and "1." which would start a list).
fn push_escaped(out: &mut String, text: &str, line_start: bool) {
    let mut chars = text.char_indices().peekable();
    if line_start {
        let digits = text.bytes().take_while(u8::is_ascii_digit).count();
        if digits > 0 && matches!(text.as_bytes().get(digits), Some(b'.') | Some(b')')) {
            out.push_str(&text[..digits]);
            out.push('\\');
            for _ in 0..digits {
                chars.next();
            }
        } else if let Some(&(_, c)) = chars.peek() {
            if matches!(c, '#' | '-' | '+' | '>' | '=') {
                out.push('\\');
            }
        }
    }
    for (_, c) in chars {
        if matches!(c, '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '|' | '~') {
            out.push('\\');
        }
        out.push(c);
    }
}
