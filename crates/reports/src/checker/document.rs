//! The document model: paragraphs with their place in the source text.

/// One paragraph: a line of a text file, a Markdown block line, or a Word paragraph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paragraph {
    /// The paragraph's text, without leading blanks or Markdown block marks; never has a
    /// line break.
    pub text: String,
    /// 1-based line in [`Document::source`].
    pub line: usize,
    /// 1-based column (in characters) of the paragraph's first character on that line.
    pub column: usize,
    /// 0-based character offset of the paragraph's first character in [`Document::source`].
    pub offset: usize,
    /// Heading level where the source says so: 0 = title, 1–4 = 标题 1–4 (Word styles or
    /// outline levels, Markdown `#`). Numbered headings in plain text are found by the rules.
    pub heading: Option<u8>,
    /// Inside a Word table cell: not checked for headings, page numbers or broken lines.
    pub in_table: bool,
}

/// A report draft to check.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Document {
    pub paragraphs: Vec<Paragraph>,
    /// The text that positions refer to: the input for text and Markdown; for .docx the
    /// paragraphs joined by `\n`. A web page shows this and highlights `start..end`.
    source: String,
}

impl Document {
    /// The text that findings' `start`/`end` character offsets index into.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Plain text: every non-blank line is a paragraph (these reports are written one
    /// paragraph per line; a paragraph broken over lines is itself reported).
    pub fn from_text(input: &str) -> Document {
        let input = input.strip_prefix('\u{feff}').unwrap_or(input);
        let mut paragraphs = Vec::new();
        let mut offset = 0usize;
        for (i, raw) in input.split('\n').enumerate() {
            let nchars = raw.chars().count();
            push_line(&mut paragraphs, raw, i + 1, offset, None);
            offset += nchars + 1;
        }
        Document {
            paragraphs,
            source: input.to_string(),
        }
    }

    /// Markdown: each line is a paragraph; `#` marks set the heading level (a single `#` is
    /// taken as level 1), list and quote marks are skipped, fenced code is not checked.
    pub fn from_markdown(input: &str) -> Document {
        let input = input.strip_prefix('\u{feff}').unwrap_or(input);
        let mut paragraphs = Vec::new();
        let mut offset = 0usize;
        let mut in_fence = false;
        for (i, raw) in input.split('\n').enumerate() {
            let nchars = raw.chars().count();
            let t = raw.trim_start();
            if t.starts_with("```") || t.starts_with("~~~") {
                in_fence = !in_fence;
            } else if !in_fence {
                let (skip, heading) = markdown_prefix(raw);
                let rest: String = raw.chars().skip(skip).collect();
                let mut before = paragraphs.len();
                push_line(&mut paragraphs, &rest, i + 1, offset + skip, heading);
                while before < paragraphs.len() {
                    paragraphs[before].column += skip;
                    before += 1;
                }
            }
            offset += nchars + 1;
        }
        Document {
            paragraphs,
            source: input.to_string(),
        }
    }

    /// Build from paragraphs given as (text, heading level); the source is their texts joined
    /// by `\n`, one line each. Line breaks inside a text start a new line and paragraph.
    pub fn from_paragraphs<'a>(items: impl IntoIterator<Item = (&'a str, Option<u8>)>) -> Document {
        Self::from_parts(items.into_iter().map(|(t, h)| (t, h, false)))
    }

    /// As [`Document::from_paragraphs`], with a table-cell flag for each paragraph.
    pub(crate) fn from_parts<'a>(
        items: impl IntoIterator<Item = (&'a str, Option<u8>, bool)>,
    ) -> Document {
        let mut source = String::new();
        let mut paragraphs = Vec::new();
        let mut offset = 0usize;
        let mut line = 1usize;
        for (text, heading, in_table) in items {
            for raw in text.split('\n') {
                if line > 1 {
                    source.push('\n');
                }
                source.push_str(raw);
                let before = paragraphs.len();
                push_line(&mut paragraphs, raw, line, offset, heading);
                if let Some(p) = paragraphs.get_mut(before) {
                    p.in_table = in_table;
                }
                offset += raw.chars().count() + 1;
                line += 1;
            }
        }
        Document { paragraphs, source }
    }

    /// Read a Word .docx: its paragraphs in order, with heading levels from paragraph styles
    /// (Heading 1–4, 标题 1–4, Title/标题) or outline levels.
    pub fn from_docx(bytes: &[u8]) -> Result<Document, super::CheckError> {
        super::docx::read(bytes)
    }
}

/// Push the line as a paragraph unless blank; `offset` is the line's first character.
fn push_line(out: &mut Vec<Paragraph>, raw: &str, line: usize, offset: usize, heading: Option<u8>) {
    let raw = raw.strip_suffix('\r').unwrap_or(raw);
    let is_blank = |c: char| c.is_whitespace() || c == '\u{feff}';
    let lead = raw.chars().take_while(|&c| is_blank(c)).count();
    let text = raw.trim_start_matches(is_blank).trim_end_matches(is_blank);
    if text.is_empty() {
        return;
    }
    out.push(Paragraph {
        text: text.to_string(),
        line,
        column: lead + 1,
        offset: offset + lead,
        heading,
        in_table: false,
    });
}

/// Characters of Markdown block marks at the start of a line, and the heading level.
fn markdown_prefix(raw: &str) -> (usize, Option<u8>) {
    let chars: Vec<char> = raw.chars().take(16).collect();
    let mut i = 0;
    while i < chars.len() && i < 3 && chars[i] == ' ' {
        i += 1;
    }
    let hashes = chars[i..].iter().take_while(|&&c| c == '#').count();
    if (1..=6).contains(&hashes) && chars.get(i + hashes).is_some_and(|c| *c == ' ') {
        return (i + hashes + 1, Some(hashes.min(4) as u8));
    }
    match (chars.get(i), chars.get(i + 1)) {
        (Some('>'), Some(' ')) | (Some('-' | '*' | '+'), Some(' ')) => (i + 2, None),
        _ => (0, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_positions() {
        let d = Document::from_text("\u{feff}标题\r\n\r\n  正文，第二段。\n");
        assert_eq!(d.paragraphs.len(), 2);
        assert_eq!(d.paragraphs[1].text, "正文，第二段。");
        assert_eq!((d.paragraphs[1].line, d.paragraphs[1].column), (3, 3));
        let src: Vec<char> = d.source().chars().collect();
        assert_eq!(src[d.paragraphs[1].offset], '正');
    }

    #[test]
    fn markdown_headings() {
        let d =
            Document::from_markdown("# 2023年度报告\n\n## 一、甲\n- 列表项\n```\nXX\n```\n正文");
        let p: Vec<(&str, Option<u8>, usize)> = d
            .paragraphs
            .iter()
            .map(|p| (p.text.as_str(), p.heading, p.column))
            .collect();
        assert_eq!(
            p,
            [
                ("2023年度报告", Some(1), 3),
                ("一、甲", Some(2), 4),
                ("列表项", None, 3),
                ("正文", None, 1)
            ]
        );
        let src: Vec<char> = d.source().chars().collect();
        assert_eq!(src[d.paragraphs[1].offset], '一');
    }

    #[test]
    fn paragraphs_join() {
        let d = Document::from_paragraphs([("标题", Some(0)), ("甲\n乙", None)]);
        assert_eq!(d.source(), "标题\n甲\n乙");
        assert_eq!(d.paragraphs[2].line, 3);
        assert_eq!(d.paragraphs[2].offset, 5);
    }
}
