//! The Word writer: a draft as a .docx in the official document layout (GB/T 9704).
//!
//! The OOXML parts are written directly (a dozen small XML parts in a zip) rather than through
//! a document library: the layout needs exact control of a few elements (odd and even footers
//! with a PAGE field, the character grid, East Asian font slots) and a library would add
//! dependencies without saving much code. Every run carries its fonts and size directly, so a
//! paragraph copied into another document keeps its look; the styles carry the same values and
//! the heading levels (outline levels for Word's navigation pane).

use std::fmt::Write as _;
use std::io::{Cursor, Write};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use super::{em_width, ExportError};
use crate::draft::{Block, Draft, Inline};

// Page: A4 with the standard's margins (天头 37 mm, 订口 28 mm, 版心 156 × 225 mm), in twips.
const PAGE_W: u32 = 11906;
const PAGE_H: u32 = 16838;
const MARGIN_TOP: u32 = 2098;
const MARGIN_BOTTOM: u32 = 1984;
const MARGIN_LEFT: u32 = 1588;
const MARGIN_RIGHT: u32 = 1474;
/// Footer distance from the paper's bottom edge: puts the page number's top about 7 mm below
/// the text block (35 mm from the bottom).
const FOOTER_DIST: u32 = 1247;
const HEADER_DIST: u32 = 851;

/// Exact line spacing: 28 pt, 22 lines in the 225 mm text block.
const LINE: u32 = 560;
/// 28 characters a line: 156 mm hold 27.6 characters of 16 pt, so body text is condensed by
/// 0.25 pt (5 twentieths of a point) a character. Offices' templates get there with a
/// character grid instead, which LibreOffice renders with every character in two cells.
const CONDENSE: i32 = -5;
/// The line pitch Word's page setup offers if the user switches a grid on: 22 lines.
const GRID_LINE_PITCH: u32 = 579;

/// Sizes in half-points: 二号 22 pt, 三号 16 pt, 四号 14 pt.
const SZ_TITLE: u32 = 44;
const SZ_BODY: u32 = 32;
const SZ_PAGE_NUMBER: u32 = 28;
/// One character of body text (三号) and of the page number (四号), in twips.
const EM_BODY: u32 = 320;
const EM_PAGE_NUMBER: u32 = 280;
/// The widest title line: the text block holds 20 characters of 22 pt.
const TITLE_MAX_EM: f64 = 20.0;

const LATIN: &str = "Times New Roman";
const FONT_TITLE: &str = "方正小标宋简体";
const FONT_BODY: &str = "仿宋_GB2312";
const FONT_HEI: &str = "黑体";
const FONT_KAI: &str = "楷体_GB2312";
const FONT_SONG: &str = "宋体";

const NS_W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
const NS_R: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const XML_DECL: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n";

/// Font and weight of a heading level: 一、黑体, （一）楷体, 1. bold 仿宋, （1）仿宋.
fn heading_face(level: u8) -> (&'static str, bool) {
    match level {
        0 | 1 => (FONT_HEI, false),
        2 => (FONT_KAI, false),
        3 => (FONT_BODY, true),
        _ => (FONT_BODY, false),
    }
}

/// Write `draft` as a .docx in the GB/T 9704 layout. Takes about a millisecond for a
/// 20-page report.
pub fn to_docx(draft: &Draft) -> Result<Vec<u8>, ExportError> {
    let document = document_xml(draft);
    let parts: [(&str, &str); 11] = [
        ("[Content_Types].xml", CONTENT_TYPES),
        ("_rels/.rels", PACKAGE_RELS),
        ("docProps/core.xml", &core_xml(draft)),
        ("docProps/app.xml", APP_XML),
        ("word/document.xml", &document),
        ("word/_rels/document.xml.rels", DOCUMENT_RELS),
        ("word/styles.xml", &styles_xml()),
        ("word/settings.xml", &settings_xml()),
        ("word/fontTable.xml", &font_table_xml()),
        ("word/footer1.xml", &footer_xml(false)),
        ("word/footer2.xml", &footer_xml(true)),
    ];
    let mut zip = ZipWriter::new(Cursor::new(Vec::with_capacity(document.len() / 3 + 16_384)));
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .compression_level(Some(6));
    for (name, xml) in parts {
        zip.start_file(name, options)?;
        zip.write_all(xml.as_bytes())?;
    }
    Ok(zip.finish()?.into_inner())
}

// ---------------------------------------------------------------------------------------------
// document.xml

fn document_xml(draft: &Draft) -> String {
    let body_chars: usize = draft
        .blocks
        .iter()
        .flat_map(|b| b.content())
        .map(|i| match i {
            Inline::Text { text } | Inline::Figure { text, .. } => text.len(),
            Inline::Blank { hint } => hint.len() + 20,
        })
        .sum();
    let mut x = String::with_capacity(4096 + body_chars * 2 + draft.blocks.len() * 900);
    x.push_str(XML_DECL);
    let _ = write!(
        x,
        "<w:document xmlns:w=\"{NS_W}\" xmlns:r=\"{NS_R}\"><w:body>"
    );

    // 标题: centred, broken into balanced lines when longer than one line.
    let title = draft.title.trim();
    if !title.is_empty() {
        x.push_str("<w:p><w:pPr><w:pStyle w:val=\"Title\"/>");
        spacing(&mut x);
        x.push_str(
            "<w:ind w:firstLine=\"0\" w:firstLineChars=\"0\"/><w:jc w:val=\"center\"/></w:pPr>",
        );
        let lines = title_lines(title).join("\n");
        run(&mut x, &lines, FONT_TITLE, SZ_TITLE, Some(false), false);
        x.push_str("</w:p>");
        // The addressee (or the body) starts one blank line below the title.
        empty_paragraph(&mut x);
    }

    // 主送机关: flush left.
    let addressee = draft.addressee.trim();
    if !addressee.is_empty() {
        x.push_str("<w:p><w:pPr>");
        spacing(&mut x);
        x.push_str(
            "<w:ind w:firstLine=\"0\" w:firstLineChars=\"0\"/><w:jc w:val=\"left\"/></w:pPr>",
        );
        run(&mut x, addressee, FONT_BODY, SZ_BODY, None, false);
        x.push_str("</w:p>");
    }

    for block in &draft.blocks {
        match block {
            Block::Heading { level, content } => {
                let level = (*level).clamp(1, 4);
                let (font, bold) = heading_face(level);
                let _ = write!(
                    x,
                    "<w:p><w:pPr><w:pStyle w:val=\"Heading{level}\"/><w:keepNext/>"
                );
                spacing(&mut x);
                body_indent(&mut x);
                x.push_str("<w:jc w:val=\"both\"/></w:pPr>");
                inlines(&mut x, content, font, Some(bold));
                x.push_str("</w:p>");
            }
            Block::Paragraph { content } => {
                x.push_str("<w:p><w:pPr>");
                spacing(&mut x);
                body_indent(&mut x);
                x.push_str("<w:jc w:val=\"both\"/></w:pPr>");
                inlines(&mut x, content, FONT_BODY, None);
                x.push_str("</w:p>");
            }
        }
    }

    signature(&mut x, draft.issuer.trim(), draft.date.trim());

    let _ = write!(
        x,
        "<w:sectPr>\
         <w:footerReference w:type=\"default\" r:id=\"rIdFooterOdd\"/>\
         <w:footerReference w:type=\"even\" r:id=\"rIdFooterEven\"/>\
         <w:pgSz w:w=\"{PAGE_W}\" w:h=\"{PAGE_H}\"/>\
         <w:pgMar w:top=\"{MARGIN_TOP}\" w:right=\"{MARGIN_RIGHT}\" w:bottom=\"{MARGIN_BOTTOM}\" \
         w:left=\"{MARGIN_LEFT}\" w:header=\"{HEADER_DIST}\" w:footer=\"{FOOTER_DIST}\" w:gutter=\"0\"/>\
         <w:pgNumType w:fmt=\"decimal\"/>\
         <w:cols w:space=\"720\"/>\
         <w:docGrid w:linePitch=\"{GRID_LINE_PITCH}\"/>\
         </w:sectPr></w:body></w:document>"
    );
    x
}

/// 发文机关署名 and 成文日期 without a seal: one blank line after the body, the issuer two
/// characters from the right, the date on the next line starting two characters right of the
/// issuer's first character; a date longer than that keeps two characters from the right and
/// pushes the issuer left instead (GB/T 9704-2012 7.3.5.2).
fn signature(x: &mut String, issuer: &str, date: &str) {
    if issuer.is_empty() && date.is_empty() {
        return;
    }
    empty_paragraph(x);
    let (wi, wd) = (em_width(issuer), em_width(date));
    let (issuer_right, date_right) = if issuer.is_empty() {
        (2.0, 2.0)
    } else if date.is_empty() || wd <= wi {
        (2.0, (wi - wd).max(0.0))
    } else {
        (wd - wi + 4.0, 2.0)
    };
    for (text, right) in [(issuer, issuer_right), (date, date_right)] {
        if text.is_empty() {
            continue;
        }
        let twips = (right * EM_BODY as f64).round() as u32;
        let chars = (right * 100.0).round() as u32;
        x.push_str("<w:p><w:pPr>");
        spacing(x);
        let _ = write!(
            x,
            "<w:ind w:right=\"{twips}\" w:rightChars=\"{chars}\" w:firstLine=\"0\" \
             w:firstLineChars=\"0\"/><w:jc w:val=\"right\"/></w:pPr>"
        );
        run(x, text, FONT_BODY, SZ_BODY, None, false);
        x.push_str("</w:p>");
    }
}

/// Exact 28 pt lines, no space between paragraphs, and no extra space between Chinese and
/// digits or Latin letters ("2025年1月8日" stays tight, as official documents print it).
fn spacing(x: &mut String) {
    let _ = write!(
        x,
        "<w:autoSpaceDE w:val=\"0\"/><w:autoSpaceDN w:val=\"0\"/>\
         <w:spacing w:before=\"0\" w:after=\"0\" w:line=\"{LINE}\" w:lineRule=\"exact\"/>"
    );
}

/// First line indented two characters.
fn body_indent(x: &mut String) {
    let _ = write!(
        x,
        "<w:ind w:firstLine=\"{}\" w:firstLineChars=\"200\"/>",
        2 * EM_BODY
    );
}

fn empty_paragraph(x: &mut String) {
    x.push_str("<w:p><w:pPr>");
    spacing(x);
    x.push_str("<w:ind w:firstLine=\"0\" w:firstLineChars=\"0\"/><w:rPr>");
    run_fonts(x, FONT_BODY, LATIN);
    let _ = write!(
        x,
        "<w:spacing w:val=\"{CONDENSE}\"/><w:sz w:val=\"{SZ_BODY}\"/>\
         <w:szCs w:val=\"{SZ_BODY}\"/></w:rPr></w:pPr></w:p>"
    );
}

fn inlines(x: &mut String, content: &[Inline], font: &str, bold: Option<bool>) {
    for inline in content {
        match inline {
            Inline::Text { text } | Inline::Figure { text, .. } => {
                run(x, text, font, SZ_BODY, bold, false)
            }
            Inline::Blank { .. } => run(x, &inline.printed(), font, SZ_BODY, bold, true),
        }
    }
}

fn run_fonts(x: &mut String, east_asia: &str, latin: &str) {
    // hint="eastAsia": quotes, dashes and ellipses (shared by both scripts) take the Chinese
    // font, as in documents typed in Chinese Word.
    let _ = write!(
        x,
        "<w:rFonts w:ascii=\"{latin}\" w:hAnsi=\"{latin}\" w:eastAsia=\"{east_asia}\" \
         w:cs=\"{latin}\" w:hint=\"eastAsia\"/>"
    );
}

/// One run of text; `bold` None leaves the weight to the style, a blank is highlighted.
fn run(x: &mut String, text: &str, font: &str, sz: u32, bold: Option<bool>, highlight: bool) {
    if text.is_empty() {
        return;
    }
    x.push_str("<w:r><w:rPr>");
    run_fonts(x, font, LATIN);
    match bold {
        Some(true) => x.push_str("<w:b/><w:bCs/>"),
        Some(false) => x.push_str("<w:b w:val=\"0\"/><w:bCs w:val=\"0\"/>"),
        None => {}
    }
    if sz == SZ_BODY {
        let _ = write!(x, "<w:spacing w:val=\"{CONDENSE}\"/>");
    }
    let _ = write!(x, "<w:sz w:val=\"{sz}\"/><w:szCs w:val=\"{sz}\"/>");
    if highlight {
        x.push_str("<w:highlight w:val=\"yellow\"/>");
    }
    x.push_str("</w:rPr>");
    text_content(x, text);
    x.push_str("</w:r>");
}

/// The text of a run: line breaks and tabs as their elements, everything else escaped.
fn text_content(x: &mut String, text: &str) {
    let mut open = false;
    for c in text.chars() {
        match c {
            '\n' | '\t' => {
                if open {
                    x.push_str("</w:t>");
                    open = false;
                }
                x.push_str(if c == '\n' { "<w:br/>" } else { "<w:tab/>" });
            }
            '\r' => {}
            _ => {
                if !open {
                    x.push_str("<w:t xml:space=\"preserve\">");
                    open = true;
                }
                escape_char(x, c);
            }
        }
    }
    if open {
        x.push_str("</w:t>");
    }
}

fn escape_char(x: &mut String, c: char) {
    match c {
        '&' => x.push_str("&amp;"),
        '<' => x.push_str("&lt;"),
        '>' => x.push_str("&gt;"),
        '"' => x.push_str("&quot;"),
        // Not allowed in XML 1.0: dropped rather than making Word refuse the file.
        '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}' => {}
        _ => x.push(c),
    }
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\n' | '\t' | '\r' => out.push(' '),
            _ => escape_char(&mut out, c),
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Title lines

/// Phrases a title line may well start with, and end with: breaking there keeps words whole.
const BREAK_BEFORE: &[&str] = &[
    "关于",
    "落实",
    "履行",
    "全面从严治党",
    "党风廉政建设",
    "主体责任",
    "情况",
    "工作",
];
const BREAK_AFTER: &[&str] = &["关于", "年度", "委员会", "党委", "党组", "总支", "支部"];

/// A long title broken into lines of at most 20 characters of 22 pt, as even as the phrases
/// allow and, between two lines, the upper one not longer (a trapezoid). Line breaks the user
/// typed are kept as they are.
pub(crate) fn title_lines(title: &str) -> Vec<String> {
    if title.contains('\n') {
        return title
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(String::from)
            .collect();
    }
    let total = em_width(title);
    if total <= TITLE_MAX_EM {
        return vec![title.to_string()];
    }
    let chars: Vec<char> = title.chars().collect();
    let mut prefix = Vec::with_capacity(chars.len() + 1);
    prefix.push(0.0);
    for c in &chars {
        prefix.push(prefix.last().unwrap() + em_width(c.encode_utf8(&mut [0; 4])));
    }
    let n = (total / TITLE_MAX_EM).ceil() as usize;
    let tail = |i: usize| chars[i..].iter().collect::<String>();
    let head = |i: usize| chars[..i].iter().collect::<String>();
    let allowed = |i: usize| {
        let (prev, next) = (chars[i - 1], chars[i]);
        !prev.is_ascii_alphanumeric()
            && !"《（(“‘【〔".contains(prev)
            && !"》）)”’】〕，、。：；！？,.:;!?".contains(next)
    };
    let mut breaks = Vec::with_capacity(n - 1);
    let mut start = 0;
    for k in 1..n {
        let target = prefix[start] + (total - prefix[start]) / (n - k + 1) as f64;
        let mut best: Option<(f64, usize)> = None;
        for i in start + 1..chars.len() {
            let line = prefix[i] - prefix[start];
            if line > TITLE_MAX_EM {
                break;
            }
            if total - prefix[i] > (n - k) as f64 * TITLE_MAX_EM || !allowed(i) {
                continue;
            }
            let rest = (total - prefix[i]) / (n - k) as f64;
            let mut cost = (prefix[i] - target).abs() + (line - rest).max(0.0);
            let (before, after) = (tail(i), head(i));
            if BREAK_BEFORE.iter().any(|p| before.starts_with(p))
                || BREAK_AFTER.iter().any(|p| after.ends_with(p))
            {
                cost -= 3.0;
            }
            if best.is_none_or(|(c, _)| cost < c) {
                best = Some((cost, i));
            }
        }
        match best {
            Some((_, i)) => {
                breaks.push(i);
                start = i;
            }
            // No acceptable place (one unbroken Latin word): let Word wrap it.
            None => return vec![title.to_string()],
        }
    }
    let mut lines = Vec::with_capacity(n);
    let mut from = 0;
    for &b in breaks.iter().chain(std::iter::once(&chars.len())) {
        lines.push(chars[from..b].iter().collect());
        from = b;
    }
    lines
}

// ---------------------------------------------------------------------------------------------
// Footers: "— N —" in 四号宋体, odd pages right and even pages left, one character in.

fn footer_xml(even: bool) -> String {
    let (jc, side) = if even {
        ("left", "left")
    } else {
        ("right", "right")
    };
    let mut x = String::with_capacity(2048);
    x.push_str(XML_DECL);
    let _ = write!(
        x,
        "<w:ftr xmlns:w=\"{NS_W}\" xmlns:r=\"{NS_R}\"><w:p><w:pPr><w:pStyle w:val=\"Footer\"/>\
         <w:spacing w:before=\"0\" w:after=\"0\" w:line=\"240\" \
         w:lineRule=\"auto\"/><w:ind w:{side}=\"{EM_PAGE_NUMBER}\" w:{side}Chars=\"100\" \
         w:firstLine=\"0\" w:firstLineChars=\"0\"/><w:jc w:val=\"{jc}\"/></w:pPr>"
    );
    let rpr = {
        let mut r = String::from("<w:rPr>");
        run_fonts(&mut r, FONT_SONG, FONT_SONG);
        let _ = write!(
            r,
            "<w:sz w:val=\"{SZ_PAGE_NUMBER}\"/><w:szCs w:val=\"{SZ_PAGE_NUMBER}\"/></w:rPr>"
        );
        r
    };
    let _ = write!(
        x,
        "<w:r>{rpr}<w:t xml:space=\"preserve\">— </w:t></w:r>\
         <w:r>{rpr}<w:fldChar w:fldCharType=\"begin\"/></w:r>\
         <w:r>{rpr}<w:instrText xml:space=\"preserve\"> PAGE </w:instrText></w:r>\
         <w:r>{rpr}<w:fldChar w:fldCharType=\"separate\"/></w:r>\
         <w:r>{rpr}<w:t>1</w:t></w:r>\
         <w:r>{rpr}<w:fldChar w:fldCharType=\"end\"/></w:r>\
         <w:r>{rpr}<w:t xml:space=\"preserve\"> —</w:t></w:r>\
         </w:p></w:ftr>"
    );
    x
}

// ---------------------------------------------------------------------------------------------
// Styles, settings, fonts, package parts

fn styles_xml() -> String {
    let mut x = String::with_capacity(6144);
    x.push_str(XML_DECL);
    let _ = write!(
        x,
        "<w:styles xmlns:w=\"{NS_W}\"><w:docDefaults><w:rPrDefault><w:rPr>"
    );
    run_fonts(&mut x, FONT_BODY, LATIN);
    let _ = write!(
        x,
        "<w:kern w:val=\"2\"/><w:sz w:val=\"{SZ_BODY}\"/><w:szCs w:val=\"{SZ_BODY}\"/>\
         <w:lang w:val=\"en-US\" w:eastAsia=\"zh-CN\" w:bidi=\"ar-SA\"/></w:rPr></w:rPrDefault>\
         <w:pPrDefault><w:pPr><w:spacing w:before=\"0\" w:after=\"0\" w:line=\"{LINE}\" \
         w:lineRule=\"exact\"/></w:pPr></w:pPrDefault></w:docDefaults>"
    );
    // 正文
    let _ = write!(
        x,
        "<w:style w:type=\"paragraph\" w:default=\"1\" w:styleId=\"Normal\"><w:name w:val=\"Normal\"/>\
         <w:qFormat/><w:pPr><w:widowControl w:val=\"0\"/><w:autoSpaceDE w:val=\"0\"/>\
         <w:autoSpaceDN w:val=\"0\"/><w:spacing w:before=\"0\" w:after=\"0\" \
         w:line=\"{LINE}\" w:lineRule=\"exact\"/><w:ind w:firstLine=\"{}\" w:firstLineChars=\"200\"/>\
         <w:jc w:val=\"both\"/></w:pPr><w:rPr>",
        2 * EM_BODY
    );
    run_fonts(&mut x, FONT_BODY, LATIN);
    let _ = write!(
        x,
        "<w:spacing w:val=\"{CONDENSE}\"/><w:sz w:val=\"{SZ_BODY}\"/>\
         <w:szCs w:val=\"{SZ_BODY}\"/></w:rPr></w:style>"
    );
    x.push_str(
        "<w:style w:type=\"character\" w:default=\"1\" w:styleId=\"DefaultParagraphFont\">\
         <w:name w:val=\"Default Paragraph Font\"/><w:uiPriority w:val=\"1\"/><w:semiHidden/>\
         <w:unhideWhenUsed/></w:style>",
    );
    // 标题
    x.push_str(
        "<w:style w:type=\"paragraph\" w:styleId=\"Title\"><w:name w:val=\"Title\"/>\
         <w:basedOn w:val=\"Normal\"/><w:next w:val=\"Normal\"/><w:qFormat/><w:pPr>\
         <w:ind w:firstLine=\"0\" w:firstLineChars=\"0\"/>\
         <w:jc w:val=\"center\"/></w:pPr><w:rPr>",
    );
    run_fonts(&mut x, FONT_TITLE, LATIN);
    let _ = write!(
        x,
        "<w:b w:val=\"0\"/><w:bCs w:val=\"0\"/><w:sz w:val=\"{SZ_TITLE}\"/>\
         <w:szCs w:val=\"{SZ_TITLE}\"/></w:rPr></w:style>"
    );
    // 一级至四级标题
    for level in 1..=4u8 {
        let (font, bold) = heading_face(level);
        let _ = write!(
            x,
            "<w:style w:type=\"paragraph\" w:styleId=\"Heading{level}\">\
             <w:name w:val=\"heading {level}\"/><w:basedOn w:val=\"Normal\"/>\
             <w:next w:val=\"Normal\"/><w:qFormat/><w:pPr><w:keepNext/>\
             <w:outlineLvl w:val=\"{}\"/></w:pPr><w:rPr>",
            level - 1
        );
        run_fonts(&mut x, font, LATIN);
        let b = if bold { "" } else { " w:val=\"0\"" };
        let _ = write!(
            x,
            "<w:b{b}/><w:bCs{b}/><w:sz w:val=\"{SZ_BODY}\"/><w:szCs w:val=\"{SZ_BODY}\"/>\
             </w:rPr></w:style>"
        );
    }
    // 页脚
    x.push_str(
        "<w:style w:type=\"paragraph\" w:styleId=\"Footer\"><w:name w:val=\"footer\"/>\
         <w:basedOn w:val=\"Normal\"/><w:uiPriority w:val=\"99\"/><w:unhideWhenUsed/><w:pPr>\
         <w:spacing w:line=\"240\" w:lineRule=\"auto\"/>\
         <w:ind w:firstLine=\"0\" w:firstLineChars=\"0\"/></w:pPr><w:rPr>",
    );
    run_fonts(&mut x, FONT_SONG, FONT_SONG);
    let _ = write!(
        x,
        "<w:sz w:val=\"{SZ_PAGE_NUMBER}\"/><w:szCs w:val=\"{SZ_PAGE_NUMBER}\"/></w:rPr>\
         </w:style></w:styles>"
    );
    x
}

fn settings_xml() -> String {
    format!(
        "{XML_DECL}<w:settings xmlns:w=\"{NS_W}\"><w:zoom w:percent=\"100\"/>\
         <w:defaultTabStop w:val=\"420\"/><w:evenAndOddHeaders/>\
         <w:characterSpacingControl w:val=\"doNotCompress\"/>\
         <w:compat><w:useFELayout/><w:compatSetting w:name=\"compatibilityMode\" \
         w:uri=\"http://schemas.microsoft.com/office/word\" w:val=\"15\"/></w:compat>\
         <w:themeFontLang w:val=\"en-US\" w:eastAsia=\"zh-CN\"/>\
         <w:decimalSymbol w:val=\".\"/><w:listSeparator w:val=\",\"/></w:settings>"
    )
}

/// The fonts the document names, with their character set (86 = GB2312) so that Word picks
/// a Chinese substitute where one is missing, and the usual Windows names as alternates.
fn font_table_xml() -> String {
    let mut x = String::with_capacity(2048);
    x.push_str(XML_DECL);
    let _ = write!(x, "<w:fonts xmlns:w=\"{NS_W}\">");
    x.push_str(
        "<w:font w:name=\"Times New Roman\"><w:panose1 w:val=\"02020603050405020304\"/>\
         <w:charset w:val=\"00\"/><w:family w:val=\"roman\"/><w:pitch w:val=\"variable\"/></w:font>",
    );
    for (name, alt, family) in [
        (FONT_SONG, Some("SimSun"), "auto"),
        (FONT_BODY, Some("仿宋"), "modern"),
        (FONT_KAI, Some("楷体"), "modern"),
        (FONT_HEI, Some("SimHei"), "modern"),
        (FONT_TITLE, None, "script"),
    ] {
        let _ = write!(x, "<w:font w:name=\"{name}\">");
        if let Some(alt) = alt {
            let _ = write!(x, "<w:altName w:val=\"{alt}\"/>");
        }
        let _ = write!(
            x,
            "<w:charset w:val=\"86\"/><w:family w:val=\"{family}\"/><w:pitch w:val=\"variable\"/>\
             </w:font>"
        );
    }
    x.push_str("</w:fonts>");
    x
}

fn core_xml(draft: &Draft) -> String {
    let mut x = String::with_capacity(1024);
    x.push_str(XML_DECL);
    x.push_str(
        "<cp:coreProperties \
         xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" \
         xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:dcterms=\"http://purl.org/dc/terms/\" \
         xmlns:dcmitype=\"http://purl.org/dc/dcmitype/\" \
         xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">",
    );
    let _ = write!(x, "<dc:title>{}</dc:title>", escape(draft.title.trim()));
    if !draft.issuer.trim().is_empty() {
        let _ = write!(
            x,
            "<dc:creator>{}</dc:creator>",
            escape(draft.issuer.trim())
        );
    }
    x.push_str("<dc:language>zh-CN</dc:language></cp:coreProperties>");
    x
}

const APP_XML: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
<Properties xmlns=\"http://schemas.openxmlformats.org/officeDocument/2006/extended-properties\" \
xmlns:vt=\"http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes\">\
<Application>Zeren</Application><DocSecurity>0</DocSecurity></Properties>";

const CONTENT_TYPES: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
<Default Extension=\"xml\" ContentType=\"application/xml\"/>\
<Override PartName=\"/word/document.xml\" \
ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>\
<Override PartName=\"/word/styles.xml\" \
ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml\"/>\
<Override PartName=\"/word/settings.xml\" \
ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml\"/>\
<Override PartName=\"/word/fontTable.xml\" \
ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.fontTable+xml\"/>\
<Override PartName=\"/word/footer1.xml\" \
ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml\"/>\
<Override PartName=\"/word/footer2.xml\" \
ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml\"/>\
<Override PartName=\"/docProps/core.xml\" \
ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/>\
<Override PartName=\"/docProps/app.xml\" \
ContentType=\"application/vnd.openxmlformats-officedocument.extended-properties+xml\"/>\
</Types>";

const PACKAGE_RELS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
<Relationship Id=\"rId1\" \
Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" \
Target=\"word/document.xml\"/>\
<Relationship Id=\"rId2\" \
Type=\"http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties\" \
Target=\"docProps/core.xml\"/>\
<Relationship Id=\"rId3\" \
Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties\" \
Target=\"docProps/app.xml\"/>\
</Relationships>";

const DOCUMENT_RELS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
<Relationship Id=\"rIdStyles\" \
Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" \
Target=\"styles.xml\"/>\
<Relationship Id=\"rIdSettings\" \
Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/settings\" \
Target=\"settings.xml\"/>\
<Relationship Id=\"rIdFonts\" \
Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/fontTable\" \
Target=\"fontTable.xml\"/>\
<Relationship Id=\"rIdFooterOdd\" \
Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer\" \
Target=\"footer1.xml\"/>\
<Relationship Id=\"rIdFooterEven\" \
Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer\" \
Target=\"footer2.xml\"/>\
</Relationships>";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_titles_stay_on_one_line() {
        assert_eq!(
            title_lines("2023年度全面从严治党主体责任情况报告"),
            vec!["2023年度全面从严治党主体责任情况报告"]
        );
    }

    #[test]
    fn long_titles_break_at_phrases_with_the_upper_line_not_longer() {
        let lines = title_lines("中共某某镇委员会关于2023年度落实全面从严治党主体责任情况的报告");
        assert_eq!(
            lines,
            vec![
                "中共某某镇委员会关于2023年度",
                "落实全面从严治党主体责任情况的报告"
            ]
        );
        for l in &lines {
            assert!(em_width(l) <= TITLE_MAX_EM, "{l}");
        }
    }

    #[test]
    fn very_long_titles_take_three_lines_and_never_split_numbers() {
        let t = "中共某某县财政局党组关于2023年度落实全面从严治党主体责任和党风廉政建设责任制\
                 及意识形态工作责任制情况的报告";
        let lines = title_lines(t);
        assert_eq!(lines.len(), 3, "{lines:?}");
        assert_eq!(lines.concat(), t);
        for l in &lines {
            assert!(em_width(l) <= TITLE_MAX_EM, "{l}");
            assert!(!l.starts_with(|c: char| c.is_ascii_digit()) || l.starts_with("2023"));
        }
        assert!(!lines.iter().any(|l| l.ends_with("202")));
    }

    #[test]
    fn typed_line_breaks_are_kept() {
        assert_eq!(title_lines("第一行\n第二行"), vec!["第一行", "第二行"]);
    }

    #[test]
    fn text_is_escaped_and_control_characters_dropped() {
        let mut x = String::new();
        text_content(&mut x, "a<b>&\"c\u{1}\td\ne");
        assert_eq!(
            x,
            "<w:t xml:space=\"preserve\">a&lt;b&gt;&amp;&quot;c</w:t><w:tab/>\
             <w:t xml:space=\"preserve\">d</w:t><w:br/><w:t xml:space=\"preserve\">e</w:t>"
        );
    }
}
