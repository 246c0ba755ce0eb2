//! Export of a report draft: a Word file in the official document layout (GB/T 9704, 党政机关
//! 公文格式), a PDF rendered from it by LibreOffice, Markdown and plain text.

mod docx;
mod markdown;
mod pdf;
mod text;

use std::fmt;
use std::str::FromStr;

pub use docx::to_docx;
pub use markdown::to_markdown;
pub use pdf::{to_pdf, to_pdf_with, PdfOptions, FONT_ALIASES};
pub use text::to_text;

/// Why a draft could not be exported.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("生成 .docx 失败: {0}")]
    Docx(String),
    #[error(
        "未找到 LibreOffice（soffice），无法生成 PDF；请在服务器上安装 libreoffice-writer-nogui \
         和 fonts-noto-cjk，或改为导出 .docx"
    )]
    LibreOfficeMissing,
    #[error("LibreOffice 转换 PDF 超时（{0} 秒），请稍后重试或改为导出 .docx")]
    Timeout(u64),
    #[error("LibreOffice 转换 PDF 失败: {0}")]
    Pdf(String),
    #[error("临时文件读写失败: {0}")]
    Io(#[from] std::io::Error),
    #[error("不支持的导出格式“{0}”，可选 docx、pdf、md、txt")]
    UnknownFormat(String),
}

impl From<zip::result::ZipError> for ExportError {
    fn from(e: zip::result::ZipError) -> Self {
        ExportError::Docx(e.to_string())
    }
}

/// An export format, named as in URLs and the command line: `docx`, `pdf`, `md`, `txt`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    Docx,
    Pdf,
    Markdown,
    Text,
}

impl Format {
    pub const ALL: [Format; 4] = [Format::Docx, Format::Pdf, Format::Markdown, Format::Text];

    /// The name used in URLs and as the file extension.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Docx => "docx",
            Format::Pdf => "pdf",
            Format::Markdown => "md",
            Format::Text => "txt",
        }
    }

    /// The file extension (without the dot).
    pub fn extension(self) -> &'static str {
        self.as_str()
    }

    /// The media type of the exported bytes.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            Format::Pdf => "application/pdf",
            Format::Markdown => "text/markdown; charset=utf-8",
            Format::Text => "text/plain; charset=utf-8",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Format {
    type Err = ExportError;

    /// Accepts `docx`, `pdf`, `md`, `txt`, in any case and with or without a leading dot.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let name = s.trim().trim_start_matches('.').to_ascii_lowercase();
        Format::ALL
            .into_iter()
            .find(|f| f.as_str() == name)
            .ok_or_else(|| ExportError::UnknownFormat(s.trim().to_string()))
    }
}

/// Width of `s` in ems of the body font as Word lays it out: ASCII (digits and Latin letters
/// in Times New Roman) about half an em, everything else a whole em (Chinese characters, and
/// the marks shared with Latin text, which the runs' East Asian hint draws full-width).
pub(crate) fn em_width(s: &str) -> f64 {
    s.chars()
        .map(|c| if c.is_ascii() { 0.5 } else { 1.0 })
        .sum()
}

/// Text on one line for formats where a line break ends the paragraph: the lines joined
/// directly (Chinese needs no space), with a space only between two Latin words or numbers.
pub(crate) fn one_line(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for line in s
        .split(['\n', '\r'])
        .map(str::trim)
        .filter(|l| !l.is_empty())
    {
        let joins_words = out.ends_with(|c: char| c.is_ascii_alphanumeric())
            && line.starts_with(|c: char| c.is_ascii_alphanumeric());
        if joins_words {
            out.push(' ');
        }
        out.push_str(line);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_parse_from_their_names_only() {
        for f in Format::ALL {
            assert_eq!(f.as_str().parse::<Format>().unwrap(), f);
        }
        assert_eq!(".DOCX".parse::<Format>().unwrap(), Format::Docx);
        assert_eq!(" Txt ".parse::<Format>().unwrap(), Format::Text);
        for bad in ["", "doc", "markdown", "pdfx", "html"] {
            let e = bad.parse::<Format>().unwrap_err();
            assert!(matches!(e, ExportError::UnknownFormat(_)), "{bad}");
            assert!(e.to_string().contains("docx、pdf、md、txt"));
        }
    }

    #[test]
    fn em_width_counts_ascii_as_half() {
        assert_eq!(em_width("2024年1月5日"), 6.0);
        assert_eq!(em_width("中共××镇委员会"), 8.0);
    }

    #[test]
    fn lines_join_without_spaces_between_chinese() {
        assert_eq!(one_line("第一行\n第二行"), "第一行第二行");
        assert_eq!(one_line(" 共 12\r\n 次 "), "共 12次");
        assert_eq!(one_line("PDF\nexport 2\n3"), "PDF export 2 3");
        assert_eq!(one_line("\n\n"), "");
    }
}
