//! Evidence files (佐证材料): photos, scans, PDFs and office documents. The type is decided
//! from the bytes, never from the file name, and only the kinds below are accepted.

use crate::Invalid;

/// The largest evidence file accepted.
pub const MAX_BYTES: usize = 20 * 1024 * 1024;

/// An accepted kind of file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileKind {
    pub mime: &'static str,
    pub label: &'static str,
}

const JPEG: FileKind = FileKind {
    mime: "image/jpeg",
    label: "JPEG 图片",
};
const PNG: FileKind = FileKind {
    mime: "image/png",
    label: "PNG 图片",
};
const GIF: FileKind = FileKind {
    mime: "image/gif",
    label: "GIF 图片",
};
const WEBP: FileKind = FileKind {
    mime: "image/webp",
    label: "WebP 图片",
};
const PDF: FileKind = FileKind {
    mime: "application/pdf",
    label: "PDF 文档",
};
const DOCX: FileKind = FileKind {
    mime: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    label: "Word 文档",
};
const XLSX: FileKind = FileKind {
    mime: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    label: "Excel 表格",
};
const OLE: FileKind = FileKind {
    mime: "application/x-ole-storage",
    label: "Word/Excel 97-2003 文档",
};
const OFD: FileKind = FileKind {
    mime: "application/ofd",
    label: "OFD 版式文档",
};

/// Recognises the file from its first bytes (and, for zip-based formats, the names of the
/// parts it holds); `None` for anything not on the list.
pub fn sniff(bytes: &[u8]) -> Option<FileKind> {
    let starts = |magic: &[u8]| bytes.len() >= magic.len() && &bytes[..magic.len()] == magic;
    if starts(&[0xFF, 0xD8, 0xFF]) {
        return Some(JPEG);
    }
    if starts(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        return Some(PNG);
    }
    if starts(b"GIF87a") || starts(b"GIF89a") {
        return Some(GIF);
    }
    if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        return Some(WEBP);
    }
    if starts(b"%PDF-") {
        return Some(PDF);
    }
    if starts(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        return Some(OLE);
    }
    if starts(b"PK\x03\x04") {
        // A zip: which office format is told by the names of its parts, which zip stores in
        // plain text in each local header.
        let has = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
        if has(b"word/") {
            return Some(DOCX);
        }
        if has(b"xl/") {
            return Some(XLSX);
        }
        if has(b"OFD.xml") {
            return Some(OFD);
        }
    }
    None
}

/// Checks an uploaded file: not empty, not too large, of an accepted kind.
pub fn check(file_name: &str, bytes: &[u8]) -> Result<FileKind, Invalid> {
    if bytes.is_empty() {
        return Err(Invalid::new(
            "file",
            format!("文件“{}”是空的", short(file_name)),
        ));
    }
    if bytes.len() > MAX_BYTES {
        return Err(Invalid::new(
            "file",
            format!(
                "文件“{}”超过{}MB，请压缩后再上传",
                short(file_name),
                MAX_BYTES / 1024 / 1024
            ),
        ));
    }
    sniff(bytes).ok_or_else(|| {
        Invalid::new(
            "file",
            format!(
                "文件“{}”不是可接受的佐证材料类型（照片 JPEG/PNG/GIF/WebP、PDF、Word、Excel、OFD）",
                short(file_name)
            ),
        )
    })
}

/// A file name as shown and stored: its last path component, without control characters,
/// at most 100 characters; "附件" when nothing is left.
pub fn clean_file_name(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let cleaned: String = last
        .chars()
        .filter(|c| !c.is_control())
        .take(100)
        .collect::<String>()
        .trim()
        .to_string();
    if cleaned.is_empty() || cleaned == "." || cleaned == ".." {
        "附件".into()
    } else {
        cleaned
    }
}

fn short(name: &str) -> String {
    name.chars().take(40).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_come_from_the_bytes_not_the_name() {
        assert_eq!(sniff(b"%PDF-1.7\n...").unwrap().mime, "application/pdf");
        assert_eq!(
            sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0]).unwrap().mime,
            "image/jpeg"
        );
        assert_eq!(
            sniff(b"PK\x03\x04....word/document.xml").unwrap().label,
            "Word 文档"
        );
        assert!(sniff(b"PK\x03\x04....evil.exe").is_none());
        assert!(sniff(b"MZ\x90\x00 this is an exe").is_none());
        assert!(check("photo.jpg", b"<html>not a photo</html>")
            .unwrap_err()
            .message
            .contains("photo.jpg"));
        assert!(check("x.pdf", b"").is_err());
        assert!(check("x.pdf", &vec![b'%'; MAX_BYTES + 1]).is_err());
    }

    #[test]
    fn file_names_are_cleaned() {
        assert_eq!(clean_file_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_file_name("C:\\照片\\会议.jpg"), "会议.jpg");
        assert_eq!(clean_file_name("a\u{0}b.pdf"), "ab.pdf");
        assert_eq!(clean_file_name(".."), "附件");
    }
}
