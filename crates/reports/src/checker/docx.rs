//! .docx reading: the paragraphs of `word/document.xml` with heading levels from styles.

use std::collections::HashMap;
use std::io::{Cursor, Read};

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use super::{CheckError, Document};

/// Larger parts are refused: a report's XML is a few MB at most, and a zip bomb must not
/// exhaust memory.
const MAX_PART: u64 = 32 * 1024 * 1024;

pub(super) fn read(bytes: &[u8]) -> Result<Document, CheckError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes))?;
    let body = part(&mut zip, "word/document.xml")?
        .ok_or_else(|| CheckError::Docx("缺少 word/document.xml".into()))?;
    let styles = match part(&mut zip, "word/styles.xml")? {
        Some(xml) => style_levels(&xml)?,
        None => HashMap::new(),
    };
    let paras = paragraphs(&body, &styles)?;
    Ok(Document::from_parts(
        paras.iter().map(|(t, h, tab)| (t.as_str(), *h, *tab)),
    ))
}

fn part(
    zip: &mut zip::ZipArchive<Cursor<&[u8]>>,
    name: &str,
) -> Result<Option<String>, CheckError> {
    let file = match zip.by_name(name) {
        Ok(f) => f,
        Err(zip::result::ZipError::FileNotFound) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let mut buf = Vec::new();
    file.take(MAX_PART)
        .read_to_end(&mut buf)
        .map_err(|e| CheckError::Docx(e.to_string()))?;
    String::from_utf8(buf)
        .map(Some)
        .map_err(|_| CheckError::Docx(format!("{name} 不是 UTF-8")))
}

fn attr(e: &BytesStart, local: &[u8]) -> Option<String> {
    e.attributes().flatten().find_map(|a| {
        (a.key.local_name().as_ref() == local)
            .then(|| String::from_utf8_lossy(&a.value).into_owned())
    })
}

/// Heading level of a style name or id: title 0, heading N → N.
fn level_of_name(name: &str) -> Option<u8> {
    let n = name.trim().to_lowercase().replace(' ', "");
    if n == "title" || n == "标题" {
        return Some(0);
    }
    for prefix in ["heading", "标题"] {
        if let Some(rest) = n.strip_prefix(prefix) {
            if let Ok(v) = rest.parse::<u8>() {
                if (1..=9).contains(&v) {
                    return Some(v);
                }
            }
        }
    }
    None
}

/// styleId → heading level, from each style's name or outline level.
fn style_levels(xml: &str) -> Result<HashMap<String, u8>, CheckError> {
    let mut out = HashMap::new();
    let mut reader = Reader::from_str(xml);
    let mut current: Option<String> = None;
    loop {
        match reader.read_event()? {
            Event::Start(e) | Event::Empty(e) => match e.local_name().as_ref() {
                b"style" => current = attr(&e, b"styleId"),
                b"name" => {
                    if let (Some(id), Some(name)) = (&current, attr(&e, b"val")) {
                        if let Some(l) = level_of_name(&name) {
                            out.insert(id.clone(), l);
                        }
                    }
                }
                b"outlineLvl" => {
                    if let (Some(id), Some(v)) = (&current, attr(&e, b"val")) {
                        if let Ok(v) = v.parse::<u8>() {
                            if v < 9 {
                                out.entry(id.clone()).or_insert(v + 1);
                            }
                        }
                    }
                }
                _ => {}
            },
            Event::End(e) if e.local_name().as_ref() == b"style" => current = None,
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(out)
}

struct OpenPara {
    text: String,
    style: Option<String>,
    outline: Option<u8>,
}

fn paragraphs(
    xml: &str,
    styles: &HashMap<String, u8>,
) -> Result<Vec<(String, Option<u8>, bool)>, CheckError> {
    let mut reader = Reader::from_str(xml);
    // Text boxes put paragraphs inside paragraphs, hence a stack.
    let mut open: Vec<OpenPara> = Vec::new();
    let mut out = Vec::new();
    let mut in_text = false;
    let mut tables = 0usize;
    loop {
        let ev = reader.read_event()?;
        match &ev {
            Event::Start(e) | Event::Empty(e) => {
                let empty = matches!(ev, Event::Empty(_));
                match e.local_name().as_ref() {
                    b"p" if !empty => open.push(OpenPara {
                        text: String::new(),
                        style: None,
                        outline: None,
                    }),
                    b"p" => out.push((String::new(), None, tables > 0)),
                    b"tbl" if !empty => tables += 1,
                    b"pStyle" => {
                        if let Some(p) = open.last_mut() {
                            p.style = attr(e, b"val");
                        }
                    }
                    b"outlineLvl" => {
                        if let Some(p) = open.last_mut() {
                            p.outline = attr(e, b"val").and_then(|v| v.parse::<u8>().ok());
                        }
                    }
                    b"t" if !empty => in_text = true,
                    b"tab" => push(&mut open, "\t"),
                    b"br" | b"cr" => push(&mut open, "\n"),
                    _ => {}
                }
            }
            Event::Text(t) if in_text => {
                let s = t.decode().map_err(|e| CheckError::Docx(e.to_string()))?;
                push(&mut open, &s);
            }
            Event::GeneralRef(r) if in_text => {
                if let Ok(Some(c)) = r.resolve_char_ref() {
                    push(&mut open, c.encode_utf8(&mut [0; 4]));
                } else {
                    let name = r.decode().map_err(|e| CheckError::Docx(e.to_string()))?;
                    let s = match name.as_ref() {
                        "amp" => "&",
                        "lt" => "<",
                        "gt" => ">",
                        "quot" => "\"",
                        "apos" => "'",
                        _ => "",
                    };
                    push(&mut open, s);
                }
            }
            Event::End(e) => match e.local_name().as_ref() {
                b"t" => in_text = false,
                b"tbl" => tables = tables.saturating_sub(1),
                b"p" => {
                    if let Some(p) = open.pop() {
                        let level = p
                            .style
                            .as_deref()
                            .and_then(|s| styles.get(s).copied().or_else(|| level_of_name(s)))
                            .or(p.outline.filter(|v| *v < 9).map(|v| v + 1));
                        out.push((p.text, level, tables > 0));
                    }
                }
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(out)
}

fn push(open: &mut [OpenPara], s: &str) {
    if let Some(p) = open.last_mut() {
        p.text.push_str(s);
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use std::io::Write;

    use super::*;

    /// A minimal .docx with the given document.xml body and styles.xml.
    pub(crate) fn make_docx(body: &str, styles: &str) -> Vec<u8> {
        let mut buf = Cursor::new(Vec::new());
        {
            let mut z = zip::ZipWriter::new(&mut buf);
            let o = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated);
            z.start_file("word/document.xml", o).unwrap();
            write!(
                z,
                r#"<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>"#
            )
            .unwrap();
            z.start_file("word/styles.xml", o).unwrap();
            write!(
                z,
                r#"<?xml version="1.0"?><w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">{styles}</w:styles>"#
            )
            .unwrap();
            z.finish().unwrap();
        }
        buf.into_inner()
    }

    #[test]
    fn reads_paragraphs_and_levels() {
        let styles = r#"<w:style w:styleId="1"><w:name w:val="heading 1"/></w:style><w:style w:styleId="a5"><w:name w:val="标题 2"/></w:style><w:style w:styleId="T"><w:name w:val="Title"/></w:style>"#;
        let body = r#"<w:p><w:pPr><w:pStyle w:val="T"/></w:pPr><w:r><w:t>2023年度报告</w:t></w:r></w:p><w:p><w:pPr><w:pStyle w:val="1"/></w:pPr><w:r><w:t>一、甲</w:t></w:r></w:p><w:p><w:pPr><w:pStyle w:val="a5"/></w:pPr><w:r><w:t xml:space="preserve">（一）乙</w:t></w:r></w:p><w:p><w:pPr><w:outlineLvl w:val="2"/></w:pPr><w:r><w:t>1.丙</w:t></w:r></w:p><w:p><w:r><w:t>正文&amp;“</w:t></w:r><w:r><w:t>引号”</w:t></w:r><w:r><w:delText>删</w:delText></w:r></w:p><w:p/><w:p><w:pPr><w:pStyle w:val="Heading4"/></w:pPr><w:r><w:t>（1）丁</w:t></w:r></w:p><w:tbl><w:tr><w:tc><w:p><w:r><w:t>12</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>3.</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"#;
        let d = Document::from_docx(&make_docx(body, styles)).unwrap();
        let got: Vec<(&str, Option<u8>)> = d
            .paragraphs
            .iter()
            .map(|p| (p.text.as_str(), p.heading))
            .collect();
        assert_eq!(
            got,
            [
                ("2023年度报告", Some(0)),
                ("一、甲", Some(1)),
                ("（一）乙", Some(2)),
                ("1.丙", Some(3)),
                ("正文&“引号”", None),
                ("（1）丁", Some(4)),
                ("12", None),
                ("3.", None),
            ]
        );
        assert!(d.paragraphs[6].in_table && !d.paragraphs[5].in_table);
        // Table cells are not page numbers nor headings.
        let fs = crate::checker::check(&d, &crate::checker::CheckOptions::all());
        assert!(fs.is_empty(), "{fs:?}");
        assert_eq!(d.paragraphs[5].line, 7);
    }

    #[test]
    fn bad_docx_is_an_error() {
        assert!(Document::from_docx(b"not a zip").is_err());
        assert!(Document::from_docx(&[]).is_err());
    }
}
