//! `zeren check FILE…`: read files, check them, print findings for people or as JSON.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::text::display_width;
use super::{check, CheckError, CheckOptions, Document, Finding, Severity};

/// A finding with the file it was found in, as printed by `--json`.
#[derive(Serialize)]
struct FileFinding<'a> {
    file: &'a str,
    #[serde(flatten)]
    finding: &'a Finding,
}

/// Decodes a plain-text draft. Offices save text as UTF-8 (with or without a BOM), as GBK
/// (Windows' "ANSI" for Chinese; read as its superset GB18030) or as UTF-16 with a BOM
/// (Notepad's "Unicode"). Returns `None` when the bytes are none of these.
pub fn decode_text(bytes: &[u8]) -> Option<String> {
    if let Some((encoding, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, had_errors) = encoding.decode_without_bom_handling(&bytes[bom..]);
        return (!had_errors).then(|| text.into_owned());
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Some(text.to_string());
    }
    encoding_rs::GB18030
        .decode_without_bom_handling_and_without_replacement(bytes)
        .map(|t| t.into_owned())
}

/// Read a file as a document, choosing the parser by extension: `.docx`, `.md`/`.markdown`,
/// anything else as plain text (see [`decode_text`]).
pub fn read_document(path: &Path) -> Result<Document, CheckError> {
    let bytes = std::fs::read(path).map_err(|source| CheckError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    if ext == "docx" {
        return Document::from_docx(&bytes);
    }
    let text = decode_text(&bytes).ok_or_else(|| CheckError::Encoding {
        path: path.to_path_buf(),
    })?;
    Ok(match ext.as_str() {
        "md" | "markdown" => Document::from_markdown(&text),
        _ => Document::from_text(&text),
    })
}

/// Run `zeren check`: check every file and write the findings to `out`, as one JSON array of
/// `{"file","rule","severity","line","column","end_line","end_column","text","message",
/// "suggestion"}` when `json`, else for people. Returns the exit code: 1 when any finding is a
/// 错误, else 0. A file that cannot be read is an error, and nothing is printed for it.
pub fn run_check_command(
    paths: &[PathBuf],
    json: bool,
    opts: &CheckOptions,
    out: &mut dyn Write,
) -> Result<i32, CheckError> {
    let mut results = Vec::with_capacity(paths.len());
    for path in paths {
        let doc = read_document(path)?;
        let findings = check(&doc, opts);
        results.push((path.display().to_string(), doc, findings));
    }
    let any_error = results
        .iter()
        .any(|(_, _, fs)| fs.iter().any(|f| f.severity == Severity::Error));
    if json {
        let all: Vec<FileFinding> = results
            .iter()
            .flat_map(|(file, _, fs)| fs.iter().map(move |f| FileFinding { file, finding: f }))
            .collect();
        serde_json::to_writer_pretty(&mut *out, &all).map_err(std::io::Error::from)?;
        writeln!(out)?;
    } else {
        for (file, doc, fs) in &results {
            out.write_all(format_human(file, doc, fs).as_bytes())?;
        }
        let count = |s: Severity| {
            results
                .iter()
                .map(|(_, _, fs)| fs.iter().filter(|f| f.severity == s).count())
                .sum::<usize>()
        };
        writeln!(
            out,
            "共 {} 个文件：错误 {}，警告 {}，提示 {}",
            results.len(),
            count(Severity::Error),
            count(Severity::Warning),
            count(Severity::Hint)
        )?;
    }
    Ok(i32::from(any_error))
}

/// Characters of context shown on each side of a span in a quoted line.
const CONTEXT: usize = 24;

/// Human output: `file:line:column: 错误[rule] message`, the line quoted (cut to the span's
/// neighbourhood) with the span underlined by `^` (CJK characters are two columns), then
/// `建议：…`.
pub fn format_human(file: &str, doc: &Document, findings: &[Finding]) -> String {
    let lines: Vec<&str> = doc.source().split('\n').collect();
    let mut s = String::new();
    for f in findings {
        s.push_str(&format!(
            "{file}:{}:{}: {}[{}] {}\n",
            f.line, f.column, f.severity, f.rule, f.message
        ));
        let line: Vec<char> = lines
            .get(f.line.wrapping_sub(1))
            .map(|l| l.trim_end_matches('\r').chars().collect())
            .unwrap_or_default();
        let a = f.column.saturating_sub(1).min(line.len());
        let b = f.end_column.saturating_sub(1).clamp(a, line.len());
        let from = a.saturating_sub(CONTEXT);
        let to = (b + CONTEXT).min(line.len());
        let mut quoted = String::new();
        let mut marks = String::new();
        if from > 0 {
            quoted.push('…');
            marks.push(' ');
        }
        for (k, &c) in line.iter().enumerate().take(to).skip(from) {
            let c = if c == '\t' { ' ' } else { c };
            quoted.push(c);
            let w = display_width(c);
            let m = if (a..b).contains(&k) { '^' } else { ' ' };
            marks.extend(std::iter::repeat_n(m, w));
        }
        if to < line.len() {
            quoted.push('…');
        }
        let gutter = f.line.to_string();
        let pad = " ".repeat(gutter.len());
        s.push_str(&format!(
            "{gutter} | {quoted}\n{pad} | {}\n",
            marks.trim_end()
        ));
        s.push_str(&format!("{pad} = 建议：{}\n\n", f.suggestion));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str, content: &[u8]) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("zeren-reports-cli-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join(name);
        std::fs::write(&p, content).unwrap();
        p
    }

    #[test]
    fn human_output_underlines_wide_characters() {
        let p = temp("a.txt", "一、甲\n三、乙".as_bytes());
        let mut out = Vec::new();
        let code = run_check_command(
            std::slice::from_ref(&p),
            false,
            &CheckOptions::all(),
            &mut out,
        )
        .unwrap();
        let s = String::from_utf8(out).unwrap();
        assert_eq!(code, 1);
        let want = format!("{}:2:1: 错误[numbering.gap]", p.display());
        assert!(s.starts_with(&want), "{s}");
        assert!(s.contains("2 | 三、乙\n  | ^^^^\n  = 建议："), "{s}");
        assert!(s.contains("共 1 个文件：错误 1，警告 0，提示 0"), "{s}");
    }

    #[test]
    fn json_output() {
        let p = temp(
            "b.md",
            "# 2023年度工作总结\n\n完成率100%，准确率98％，满意率99％。".as_bytes(),
        );
        let mut out = Vec::new();
        let code = run_check_command(
            std::slice::from_ref(&p),
            true,
            &CheckOptions::all(),
            &mut out,
        )
        .unwrap();
        assert_eq!(code, 0);
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        let arr = v.as_array().unwrap();
        assert_eq!(arr.len(), 1);
        let text = String::from_utf8(out.clone()).unwrap();
        let first = &text[text.find('{').unwrap()..=text.find('}').unwrap()];
        let keys = crate::checker::tests::json_keys(first);
        assert_eq!(
            keys,
            [
                "file",
                "rule",
                "severity",
                "line",
                "column",
                "end_line",
                "end_column",
                "text",
                "message",
                "suggestion"
            ]
        );
        assert_eq!(arr[0]["rule"], "punctuation.percent");
        assert_eq!(arr[0]["severity"], "警告");
        assert_eq!(
            (arr[0]["line"].as_u64(), arr[0]["column"].as_u64()),
            (Some(3), Some(7))
        );
        assert_eq!(arr[0]["end_column"].as_u64(), Some(8));
        assert_eq!(arr[0]["file"], p.display().to_string());
    }

    #[test]
    fn unreadable_file_is_an_error() {
        let mut out = Vec::new();
        let missing = PathBuf::from("/nonexistent/zeren/report.txt");
        assert!(matches!(
            run_check_command(&[missing], false, &CheckOptions::all(), &mut out),
            Err(CheckError::Io { .. })
        ));
        let bad = temp("binary.txt", &[0x81, 0x20, 0xff, 0xff, 0x80]);
        assert!(matches!(
            run_check_command(&[bad], true, &CheckOptions::all(), &mut out),
            Err(CheckError::Encoding { .. })
        ));
        // GBK (报告) is text, not an error.
        let gbk = temp("gbk.txt", &[0xb1, 0xa8, 0xb8, 0xe6]);
        assert!(run_check_command(&[gbk], true, &CheckOptions::all(), &mut out).is_ok());
    }

    #[test]
    fn long_lines_are_cut() {
        let line = format!("{}XX{}", "甲".repeat(100), "乙".repeat(100));
        let doc = Document::from_text(&line);
        let fs = check(&doc, &CheckOptions::all());
        let s = format_human("f", &doc, &fs);
        let quoted = s.lines().nth(1).unwrap();
        assert!(quoted.chars().count() < 70, "{quoted}");
        assert!(quoted.contains("…甲") && quoted.contains("乙…"));
    }

    #[test]
    fn text_in_gbk_utf16_and_utf8_is_read_alike() {
        let text = "一、强化理论武装\n全年开展学习8次。";
        let (gbk, _, _) = encoding_rs::GBK.encode(text);
        assert_eq!(super::decode_text(&gbk).as_deref(), Some(text));
        let mut utf16 = vec![0xff, 0xfe];
        for u in text.encode_utf16() {
            utf16.extend_from_slice(&u.to_le_bytes());
        }
        assert_eq!(super::decode_text(&utf16).as_deref(), Some(text));
        let mut bom = vec![0xef, 0xbb, 0xbf];
        bom.extend_from_slice(text.as_bytes());
        assert_eq!(super::decode_text(&bom).as_deref(), Some(text));
        assert_eq!(super::decode_text(text.as_bytes()).as_deref(), Some(text));
        // Bytes that are no text at all.
        assert_eq!(super::decode_text(&[0x81, 0x20, 0xff, 0xff, 0x80]), None);
    }
}
