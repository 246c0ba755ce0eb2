//! Zeren's reports: the report checker (报告体检), report templates that draft reports from
//! the metric layer ([`template`]), the draft itself ([`draft`]) and its export ([`export`]:
//! Word in the official layout, PDF, Markdown, text).
//!
//! 报告体检 checks a draft report — one Zeren generated, or one a user uploads or pastes — for
//! the defects that copying a template or last year's report leaves behind, and points at each
//! with its position, a Chinese explanation and a suggestion. See [`checker`].

pub mod checker;
pub mod draft;
pub mod export;
pub mod template;

pub use checker::{
    check, check_text, run_check_command, CheckError, CheckOptions, Document, Finding, Paragraph,
    Severity,
};
