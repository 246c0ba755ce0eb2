//! From a template's rendered text to the draft's title and blocks: one block per non-empty
//! line, `%` for the title, `#`…`####` for headings numbered here (so numbers never skip),
//! headings of empty sections dropped, markers of figures, blanks and 一是 sequences turned
//! into [`Inline`]s.

use crate::draft::{Block, Inline};

use super::numerals::chinese_numeral;
use super::{TemplateError, BLANK, END, FIGURE, SEP, SEQUENCE};

/// A run of a line before sequence numbers are known.
#[derive(Debug, Clone, PartialEq)]
enum Piece {
    Inline(Inline),
    /// 序号: becomes 一是, 二是 … (the suffix) once the line's place is known.
    Sequence(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Title,
    Heading(u8),
    Paragraph,
}

struct Line {
    kind: Kind,
    pieces: Vec<Piece>,
}

/// Title and blocks of a rendered template.
pub(super) fn layout(rendered: &str) -> Result<(String, Vec<Block>), TemplateError> {
    let mut title: Option<String> = None;
    let mut lines: Vec<Line> = Vec::new();
    for text in joined_lines(rendered) {
        let (kind, rest) = classify(&text)?;
        let pieces = pieces(rest);
        if printed(&pieces).trim().is_empty() {
            // `# {{ 空 }}` leaves no heading; an empty paragraph is no paragraph.
            continue;
        }
        if kind == Kind::Title {
            if title.is_some() {
                return Err(TemplateError::Layout {
                    message: format!("模板输出了不止一个标题行（“% {}”）", printed(&pieces)),
                });
            }
            title = Some(printed(&pieces).trim().to_string());
            continue;
        }
        lines.push(Line { kind, pieces });
    }
    let keep = kept(&lines);
    let lone = lone_sequences(&lines, &keep);
    let mut section = 0usize;
    let mut blocks = Vec::new();
    let mut numbers = [0u32; 5];
    let mut sequences: Vec<(String, i64)> = Vec::new();
    for (line, keep) in lines.into_iter().zip(keep) {
        if !keep {
            continue;
        }
        let mut content = Vec::new();
        if let Kind::Heading(level) = line.kind {
            let l = level as usize;
            numbers[l] += 1;
            numbers[l + 1..].iter_mut().for_each(|n| *n = 0);
            sequences.clear();
            section += 1;
            content.push(Inline::Text {
                text: heading_number(level, numbers[l]),
            });
        }
        for piece in line.pieces {
            match piece {
                Piece::Inline(i) => content.push(i),
                // "一是" with no "二是" after it is no sequence: leave it out.
                Piece::Sequence(suffix) if lone.contains(&(section, suffix.clone())) => {}
                Piece::Sequence(suffix) => {
                    let n = match sequences.iter_mut().find(|(s, _)| *s == suffix) {
                        Some((_, n)) => {
                            *n += 1;
                            *n
                        }
                        None => {
                            sequences.push((suffix.clone(), 1));
                            1
                        }
                    };
                    content.push(Inline::Text {
                        text: format!("{}{suffix}", chinese_numeral(n)),
                    });
                }
            }
        }
        let content = merge(content);
        blocks.push(match line.kind {
            Kind::Heading(level) => Block::Heading { level, content },
            _ => Block::Paragraph { content },
        });
    }
    Ok((title.unwrap_or_default(), blocks))
}

/// (section, suffix) of the sequences used only once in their section (sections counted by
/// the kept headings before them).
fn lone_sequences(lines: &[Line], keep: &[bool]) -> Vec<(usize, String)> {
    let mut counts: Vec<((usize, String), usize)> = Vec::new();
    let mut section = 0usize;
    for line in lines.iter().zip(keep).filter(|(_, k)| **k).map(|(l, _)| l) {
        if matches!(line.kind, Kind::Heading(_)) {
            section += 1;
        }
        for p in &line.pieces {
            if let Piece::Sequence(suffix) = p {
                let key = (section, suffix.clone());
                match counts.iter_mut().find(|(k, _)| *k == key) {
                    Some((_, n)) => *n += 1,
                    None => counts.push((key, 1)),
                }
            }
        }
    }
    counts
        .into_iter()
        .filter(|(_, n)| *n == 1)
        .map(|(k, _)| k)
        .collect()
}

/// Output lines, trimmed, with a line ending in `\` joined to the next one. A conditional
/// part that vanished leaves an empty line (ending the paragraph) or a lone `\` (going on),
/// so the template's line structure decides; a title or heading line is never joined.
fn joined_lines(rendered: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut pending: Option<String> = None;
    for raw in rendered.lines() {
        let raw = raw.trim();
        if raw.starts_with(['#', '%']) {
            out.extend(pending.take().filter(|p| !p.is_empty()));
        }
        let mut cur = pending.take().unwrap_or_default();
        cur.push_str(raw);
        if let Some(stripped) = cur.strip_suffix('\\') {
            pending = Some(stripped.trim_end().to_string());
            continue;
        }
        if !cur.is_empty() {
            out.push(cur);
        }
    }
    out.extend(pending.filter(|p| !p.is_empty()));
    out
}

fn classify(line: &str) -> Result<(Kind, &str), TemplateError> {
    if line == "%" {
        return Ok((Kind::Title, ""));
    }
    if let Some(rest) = line.strip_prefix("% ") {
        return Ok((Kind::Title, rest));
    }
    let hashes = line.chars().take_while(|c| *c == '#').count();
    if hashes > 0 {
        let rest = &line[hashes..];
        if rest.is_empty() || rest.starts_with(' ') {
            if hashes > 4 {
                return Err(TemplateError::Layout {
                    message: format!("标题最多四级（# 至 ####）：“{line}”"),
                });
            }
            return Ok((Kind::Heading(hashes as u8), rest.trim_start()));
        }
    }
    Ok((Kind::Paragraph, line))
}

/// Which lines stay: every paragraph, and a heading whose section (up to the next heading of
/// its level or above) holds a paragraph or a heading carrying its own text ("1.标题。正文").
fn kept(lines: &[Line]) -> Vec<bool> {
    let has_own_text = |l: &Line| match l.kind {
        Kind::Paragraph => true,
        Kind::Heading(_) => run_in(&l.pieces),
        Kind::Title => false,
    };
    (0..lines.len())
        .map(|i| match lines[i].kind {
            Kind::Heading(level) => {
                has_own_text(&lines[i])
                    || lines[i + 1..]
                        .iter()
                        .take_while(|l| !matches!(l.kind, Kind::Heading(m) if m <= level))
                        .any(has_own_text)
            }
            _ => true,
        })
        .collect()
}

/// A heading followed by its body on the same line: text after the first sentence end.
fn run_in(pieces: &[Piece]) -> bool {
    let text = printed(pieces);
    match text.find(['。', '；', '！', '？']) {
        Some(k) => {
            let end = text[k..].chars().next().map_or(0, char::len_utf8);
            !text[k + end..].trim().is_empty()
        }
        None => false,
    }
}

fn heading_number(level: u8, n: u32) -> String {
    match level {
        1 => format!("{}、", chinese_numeral(n.into())),
        2 => format!("（{}）", chinese_numeral(n.into())),
        3 => format!("{n}."),
        _ => format!("（{n}）"),
    }
}

fn printed(pieces: &[Piece]) -> String {
    pieces
        .iter()
        .map(|p| match p {
            Piece::Inline(i) => i.printed(),
            Piece::Sequence(s) => format!("一{s}"),
        })
        .collect()
}

/// Adjacent text runs joined into one.
fn merge(content: Vec<Inline>) -> Vec<Inline> {
    let mut out: Vec<Inline> = Vec::with_capacity(content.len());
    for i in content {
        match (out.last_mut(), i) {
            (_, Inline::Text { text }) if text.is_empty() => {}
            (Some(Inline::Text { text: prev }), Inline::Text { text }) => prev.push_str(&text),
            (_, i) => out.push(i),
        }
    }
    out
}

/// The runs of one line: marked figures, blanks and sequence numbers; any stray marker
/// character (a marker cut by a filter, [`NO_MARKUP`]) is dropped, never printed.
fn pieces(line: &str) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut text = String::new();
    let mut rest = line;
    while let Some(c) = rest.chars().next() {
        let after = &rest[c.len_utf8()..];
        let marked = match c {
            FIGURE | BLANK | SEQUENCE => after
                .find(END)
                .map(|k| (&after[..k], &after[k + END.len_utf8()..]))
                .filter(|(body, _)| !body.contains([FIGURE, BLANK, SEQUENCE])),
            _ => None,
        };
        let piece = marked.and_then(|(body, next)| {
            let piece = match c {
                FIGURE => Piece::Inline(decode_figure(body)?),
                BLANK => Piece::Inline(Inline::Blank {
                    hint: body.to_string(),
                }),
                _ => Piece::Sequence(body.to_string()),
            };
            Some((piece, next))
        });
        let Some((piece, next)) = piece else {
            if !super::is_marker(c) {
                text.push(c);
            }
            rest = after;
            continue;
        };
        if !text.is_empty() {
            out.push(Piece::Inline(Inline::Text {
                text: std::mem::take(&mut text),
            }));
        }
        out.push(piece);
        rest = next;
    }
    if !text.is_empty() {
        out.push(Piece::Inline(Inline::Text { text }));
    }
    out
}

/// `metric SEP value SEP c|p SEP text` (see [`super::encode_figure`]).
fn decode_figure(body: &str) -> Option<Inline> {
    let mut parts = body.splitn(4, SEP);
    let metric = parts.next()?.to_string();
    let value = parts.next()?;
    let previous = parts.next()? == "p";
    let text = parts.next()?.to_string();
    Some(Inline::Figure {
        metric,
        text,
        value: value.parse::<f64>().ok(),
        previous,
    })
}

#[cfg(test)]
mod tests {
    use super::super::NO_MARKUP;
    use super::*;
    use crate::draft::block_text;

    fn texts(rendered: &str) -> Vec<String> {
        layout(rendered).unwrap().1.iter().map(block_text).collect()
    }

    #[test]
    fn continued_lines_and_empty_lines() {
        assert_eq!(
            texts("甲。\\\n乙。\\\n\\\n丙。\n\n丁。\\\n\n戊。\\\n# 己\\\n## 庚\n辛\\"),
            ["甲。乙。丙。", "丁。", "戊。", "一、己", "（一）庚", "辛"]
        );
    }

    #[test]
    fn run_in_headings_keep_their_section() {
        assert_eq!(
            texts("# 甲\n### 标题。正文\n### 空标题。\n# 乙\n## 空"),
            ["一、甲", "1.标题。正文"]
        );
    }

    #[test]
    fn stray_markers_are_dropped() {
        let s = format!("a{FIGURE}b{SEP}c d{BLANK}e{END}{NO_MARKUP}#");
        assert_eq!(texts(&s), ["abc d【待补充：e】#"]);
    }
}
