//! 报告体检: paste or upload a draft and see every finding highlighted in the text.

use super::{render, render_status, Layout, PageResult};
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::manage::check;
use crate::AppState;
use askama::Template;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use zeren_reports::checker::{RuleInfo, RULES};
use zeren_reports::{check, CheckOptions, Document, Finding, Severity};

pub struct RuleChoice {
    pub id: &'static str,
    pub name: &'static str,
    pub enabled: bool,
    /// Switched off by the organization's settings (shown, not changeable here).
    pub org_disabled: bool,
}

fn rule_choices(disabled_here: &[String], org_disabled: &[String]) -> Vec<RuleChoice> {
    RULES
        .iter()
        .map(|r: &RuleInfo| RuleChoice {
            id: r.id,
            name: r.name,
            enabled: !disabled_here.iter().any(|d| d == r.id)
                && !org_disabled.iter().any(|d| d == r.id),
            org_disabled: org_disabled.iter().any(|d| d == r.id),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "check.html")]
pub struct CheckPage {
    pub layout: Layout,
    pub rules: Vec<RuleChoice>,
    pub text: String,
    pub year: String,
    pub error: Option<String>,
}

pub async fn form(State(state): State<AppState>, user: CurrentUser) -> PageResult {
    let org_disabled = check::org_disabled_rules(&state, &user).await?;
    Ok(render(&CheckPage {
        layout: Layout::new(&user, "check", "报告体检"),
        rules: rule_choices(&[], &org_disabled),
        text: String::new(),
        year: String::new(),
        error: None,
    }))
}

/// A run of the document's text, highlighted when a finding covers it.
pub struct Segment {
    pub text: String,
    pub finding: Option<usize>,
    pub class: &'static str,
}

pub struct FindingRow {
    pub index: usize,
    pub finding: Finding,
    pub class: &'static str,
}

#[derive(Template)]
#[template(path = "check_result.html")]
pub struct CheckResultPage {
    pub layout: Layout,
    pub name: String,
    pub segments: Vec<Segment>,
    pub rows: Vec<FindingRow>,
    pub errors: usize,
    pub warnings: usize,
    pub hints: usize,
    pub year: String,
    pub disabled: Vec<String>,
}

fn class(s: Severity) -> &'static str {
    match s {
        Severity::Error => "sev-error",
        Severity::Warning => "sev-warning",
        Severity::Hint => "sev-hint",
    }
}

/// Cuts the source into plain and highlighted runs. Findings are sorted by position; one that
/// overlaps an earlier highlight is listed but not highlighted again.
pub fn segments(source: &str, findings: &[Finding]) -> Vec<Segment> {
    let chars: Vec<char> = source.chars().collect();
    let mut out = Vec::new();
    let mut pos = 0usize;
    for (i, f) in findings.iter().enumerate() {
        let (start, end) = (f.start.min(chars.len()), f.end.min(chars.len()));
        if start < pos || end <= start {
            continue;
        }
        if start > pos {
            out.push(Segment {
                text: chars[pos..start].iter().collect(),
                finding: None,
                class: "",
            });
        }
        out.push(Segment {
            text: chars[start..end].iter().collect(),
            finding: Some(i),
            class: class(f.severity),
        });
        pos = end;
    }
    if pos < chars.len() {
        out.push(Segment {
            text: chars[pos..].iter().collect(),
            finding: None,
            class: "",
        });
    }
    out
}

pub async fn submit(
    State(state): State<AppState>,
    user: CurrentUser,
    mut multipart: Multipart,
) -> PageResult {
    let mut text = String::new();
    let mut upload: Option<(String, Vec<u8>)> = None;
    let mut year = String::new();
    let mut enabled: Vec<String> = Vec::new();
    // Keeps the multipart error's own status: 413 for an upload over the limit, 400 otherwise.
    let bad = |e: axum::extract::multipart::MultipartError| {
        crate::error::rejection(e.status(), "上传的表单数据不完整，请重试")
    };
    while let Some(field) = multipart.next_field().await.map_err(bad)? {
        match field.name().unwrap_or("") {
            "text" => text = field.text().await.map_err(bad)?,
            "year" => year = field.text().await.map_err(bad)?,
            "rule" => enabled.push(field.text().await.map_err(bad)?),
            "file" => {
                let name = field.file_name().unwrap_or("").to_string();
                let bytes = field.bytes().await.map_err(bad)?;
                if !bytes.is_empty() {
                    upload = Some((name, bytes.to_vec()));
                }
            }
            _ => {}
        }
    }
    let org_disabled = check::org_disabled_rules(&state, &user).await?;
    let fail = |msg: String, text: String, year: String| {
        let page = CheckPage {
            layout: Layout::new(&user, "check", "报告体检"),
            rules: rule_choices(&[], &org_disabled),
            text,
            year,
            error: Some(msg),
        };
        Ok(render_status(&page, StatusCode::UNPROCESSABLE_ENTITY))
    };
    let parsed_year = match check::parse_year(&year) {
        Ok(y) => y,
        Err(e) => return fail(e.body().message, text, year),
    };
    if upload.is_none() && text.trim().is_empty() {
        return fail("请粘贴报告文本或上传文件".into(), text, year);
    }
    let mut disabled: Vec<String> = RULES
        .iter()
        .filter(|r| !enabled.iter().any(|e| e == r.id))
        .map(|r| r.id.to_string())
        .collect();
    for d in org_disabled.iter().cloned() {
        if !disabled.contains(&d) {
            disabled.push(d);
        }
    }
    let opts = CheckOptions {
        disabled: disabled.clone(),
        year: parsed_year,
    };
    let pasted = text.clone();
    // Reading a .docx and checking megabytes of text is CPU work: keep it off the async workers.
    let _permit = check::CHECK_PERMITS
        .acquire()
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let checked = tokio::task::spawn_blocking(move || {
        let (name, doc) = match upload {
            Some((name, bytes)) => (name.clone(), check::parse_upload(&name, &bytes)?),
            None => ("粘贴的文本".to_string(), Document::from_text(&pasted)),
        };
        let findings = check(&doc, &opts);
        let year = opts
            .year
            .or_else(|| zeren_reports::checker::detect_year(&doc));
        Ok::<_, AppError>((name, doc, findings, year))
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?;
    let (name, doc, findings, detected_year) = match checked {
        Ok(v) => v,
        Err(e) => return fail(e.public_message(), text, year),
    };
    let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
    let page = CheckResultPage {
        layout: Layout::new(&user, "check", "体检结果"),
        name,
        segments: segments(doc.source(), &findings),
        errors: count(Severity::Error),
        warnings: count(Severity::Warning),
        hints: count(Severity::Hint),
        rows: findings
            .into_iter()
            .enumerate()
            .map(|(index, f)| FindingRow {
                index,
                class: class(f.severity),
                finding: f,
            })
            .collect(),
        year: detected_year
            .map(|y| y.to_string())
            .unwrap_or_else(|| "未识别".into()),
        disabled: disabled
            .iter()
            .filter_map(|d| RULES.iter().find(|r| r.id == d).map(|r| r.name.to_string()))
            .collect(),
    };
    Ok(render(&page))
}

#[cfg(test)]
mod tests {
    use super::*;
    use zeren_reports::check_text;

    #[test]
    fn segments_cover_the_whole_text_once() {
        let text = "一、总体情况\n2023年，XXX党委开展“学习。\n三、下一步";
        let findings = check_text(text, &CheckOptions::default());
        assert!(!findings.is_empty());
        let segs = segments(text, &findings);
        let joined: String = segs.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(joined, text);
        assert!(segs
            .iter()
            .any(|s| s.finding.is_some() && s.text.contains("XXX")));
    }

    #[test]
    fn years_are_checked() {
        assert_eq!(check::parse_year(" 2023 ").unwrap(), Some(2023));
        assert_eq!(check::parse_year("").unwrap(), None);
        assert!(check::parse_year("23年").is_err());
    }
}
