//! 报告体检 shared by the page and the API: reading uploads, the rules an organization
//! switched off, and how many checks run at once.

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::AppState;
use zeren_reports::Document;

/// At most this many drafts are read and checked at once: a .docx may unpack to tens of MB,
/// and the machine may have two cores. Others wait their turn.
pub static CHECK_PERMITS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

/// Rules the user's organization (and those above it) switched off.
pub async fn org_disabled_rules(
    state: &AppState,
    user: &CurrentUser,
) -> Result<Vec<String>, AppError> {
    let org = state.store.org(user.account.org_id).await?;
    Ok(state.store.check_rules_disabled_for(&org.path).await?)
}

/// Reads an uploaded file by its name: .docx, .md, or UTF-8 text.
pub fn parse_upload(name: &str, bytes: &[u8]) -> Result<Document, AppError> {
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".docx") {
        return Document::from_docx(bytes)
            .map_err(|e| AppError::BadRequest(format!("无法读取该 Word 文件：{e}")));
    }
    if lower.ends_with(".doc") {
        return Err(AppError::BadRequest(
            "不支持旧版 .doc 文件，请在 Word 中另存为 .docx 后上传".into(),
        ));
    }
    let text = zeren_reports::checker::decode_text(bytes).ok_or_else(|| {
        AppError::BadRequest(
            "文件不是可识别的文本（UTF-8、GBK 或 UTF-16），请另存为 UTF-8 或上传 .docx".into(),
        )
    })?;
    Ok(if lower.ends_with(".md") || lower.ends_with(".markdown") {
        Document::from_markdown(&text)
    } else {
        Document::from_text(&text)
    })
}

pub fn parse_year(text: &str) -> Result<Option<i32>, AppError> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    t.parse::<i32>()
        .ok()
        .filter(|y| (1949..=2100).contains(y))
        .map(Some)
        .ok_or_else(|| {
            AppError::Invalid(zeren_domain::Invalid::new(
                "year",
                "年度应为四位年份，如 2023",
            ))
        })
}
