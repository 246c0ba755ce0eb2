use std::path::PathBuf;

/// Why a document could not be read or checked.
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    #[error("无法读取文件 {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "文件 {path} 不是可识别的文本（UTF-8、GBK 或 UTF-16），请另存为 UTF-8 或 .docx 后再检查"
    )]
    Encoding { path: PathBuf },
    #[error("不是有效的 .docx 文件: {0}")]
    Docx(String),
    #[error("写出结果失败: {0}")]
    Output(#[from] std::io::Error),
}

impl From<zip::result::ZipError> for CheckError {
    fn from(e: zip::result::ZipError) -> Self {
        CheckError::Docx(e.to_string())
    }
}

impl From<quick_xml::Error> for CheckError {
    fn from(e: quick_xml::Error) -> Self {
        CheckError::Docx(e.to_string())
    }
}
