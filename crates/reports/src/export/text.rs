//! A draft as plain text: title, a blank line, the addressee, headings and paragraphs each
//! indented two full-width spaces as on paper, then a blank line and the issuer and date.

use super::one_line;
use crate::draft::{block_text, Draft};

/// Two full-width spaces: the first-line indent of official text.
const INDENT: &str = "\u{3000}\u{3000}";

pub fn to_text(draft: &Draft) -> String {
    let mut out = String::with_capacity(4096);
    let title = one_line(&draft.title);
    if !title.is_empty() {
        out.push_str(&title);
        out.push_str("\n\n");
    }
    let addressee = draft.addressee.trim();
    if !addressee.is_empty() {
        out.push_str(addressee);
        out.push('\n');
    }
    for block in &draft.blocks {
        // One paragraph, one line: readers of plain text take each line for a paragraph.
        let text = one_line(&block_text(block));
        if text.is_empty() {
            continue;
        }
        out.push_str(INDENT);
        out.push_str(&text);
        out.push('\n');
    }
    let (issuer, date) = (draft.issuer.trim(), draft.date.trim());
    if !issuer.is_empty() || !date.is_empty() {
        out.push('\n');
        for line in [issuer, date] {
            if !line.is_empty() {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    out
}
