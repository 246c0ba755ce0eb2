//! PDF through LibreOffice: the .docx converted by `soffice --headless --convert-to pdf` in a
//! private temporary directory, with the official fonts mapped to free ones by fontconfig.
//!
//! Each conversion starts its own LibreOffice with its own profile, so conversions may run side
//! by side (a shared profile would hand the job to an instance already running). It takes a
//! few seconds and blocks: call it from a blocking thread.

use std::ffi::OsString;
use std::fs;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::ExportError;

/// The fontconfig aliases for 仿宋_GB2312, 楷体_GB2312, 黑体, 方正小标宋简体 and 宋体 (the
/// repository's `crates/reports/fontconfig/zeren-fonts.conf`).
pub const FONT_ALIASES: &str = include_str!("../../fontconfig/zeren-fonts.conf");

/// How to run LibreOffice.
#[derive(Debug, Clone)]
pub struct PdfOptions {
    /// The `soffice` program; by default `$ZEREN_SOFFICE`, else `soffice` or `libreoffice` on
    /// the PATH, else the Debian location.
    pub soffice: Option<PathBuf>,
    /// The conversion is killed after this long.
    pub timeout: Duration,
}

impl Default for PdfOptions {
    fn default() -> Self {
        PdfOptions {
            soffice: None,
            timeout: Duration::from_secs(120),
        }
    }
}

/// Render a .docx (from [`super::to_docx`]) as PDF with LibreOffice.
pub fn to_pdf(docx: &[u8]) -> Result<Vec<u8>, ExportError> {
    to_pdf_with(docx, &PdfOptions::default())
}

pub fn to_pdf_with(docx: &[u8], options: &PdfOptions) -> Result<Vec<u8>, ExportError> {
    let soffice =
        find_soffice(options.soffice.as_deref()).ok_or(ExportError::LibreOfficeMissing)?;
    let dir = tempfile::Builder::new().prefix("zeren-pdf-").tempdir()?;
    let root = dir.path();
    let input = root.join("report.docx");
    fs::write(&input, docx)?;
    let aliases = root.join("zeren-fonts.conf");
    fs::write(&aliases, FONT_ALIASES)?;
    let fonts_conf = root.join("fonts.conf");
    fs::write(
        &fonts_conf,
        format!(
            "<?xml version=\"1.0\"?>\n<!DOCTYPE fontconfig SYSTEM \"urn:fontconfig:fonts.dtd\">\n\
             <fontconfig>\n  <include ignore_missing=\"yes\">/etc/fonts/fonts.conf</include>\n  \
             <include ignore_missing=\"no\">{}</include>\n</fontconfig>\n",
            xml_text(&aliases.to_string_lossy())
        ),
    )?;
    let log = fs::File::create(root.join("soffice.log"))?;

    let mut command = Command::new(&soffice);
    command
        .arg(format!(
            "-env:UserInstallation={}",
            file_url(&root.join("profile"))
        ))
        .args([
            "--headless",
            "--invisible",
            "--nologo",
            "--norestore",
            "--nolockcheck",
            "--nodefault",
            "--convert-to",
            "pdf:writer_pdf_Export",
            "--outdir",
        ])
        .arg(root)
        .arg(&input)
        .current_dir(root)
        .env("FONTCONFIG_FILE", &fonts_conf)
        // LibreOffice and its libraries write under $HOME; the service account may have none.
        .env("HOME", root)
        .stdin(Stdio::null())
        .stdout(log.try_clone()?)
        .stderr(log)
        // Its own process group: on timeout the launcher and soffice.bin are killed together.
        .process_group(0);
    let mut child = match command.spawn() {
        Ok(c) => c,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(ExportError::LibreOfficeMissing)
        }
        Err(e) => {
            return Err(ExportError::Pdf(format!(
                "无法启动 {}: {e}",
                soffice.display()
            )))
        }
    };
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if started.elapsed() > options.timeout {
            kill_group(child.id());
            let _ = child.kill();
            let _ = child.wait();
            return Err(ExportError::Timeout(options.timeout.as_secs()));
        }
        std::thread::sleep(Duration::from_millis(25));
    };
    let output = root.join("report.pdf");
    match fs::read(&output) {
        Ok(pdf) if status.success() && pdf.starts_with(b"%PDF") => Ok(pdf),
        _ => {
            let log = fs::read_to_string(root.join("soffice.log")).unwrap_or_default();
            let log: String = log.trim().chars().take(600).collect();
            Err(ExportError::Pdf(format!(
                "{status}{}{log}",
                if log.is_empty() { "" } else { ": " }
            )))
        }
    }
}

fn find_soffice(explicit: Option<&Path>) -> Option<PathBuf> {
    if let Some(p) = explicit {
        return Some(p.to_path_buf());
    }
    if let Some(p) = std::env::var_os("ZEREN_SOFFICE").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH").unwrap_or_else(|| OsString::from("/usr/bin:/bin"));
    for name in ["soffice", "libreoffice"] {
        for dir in std::env::split_paths(&path) {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Some(candidate);
            }
        }
    }
    [
        "/usr/lib/libreoffice/program/soffice",
        "/opt/libreoffice/program/soffice",
    ]
    .into_iter()
    .map(PathBuf::from)
    .find(|p| p.is_file())
}

fn kill_group(pid: u32) {
    let _ = Command::new("kill")
        .args(["-KILL", "--", &format!("-{pid}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

/// A `file://` URL for LibreOffice's `-env:UserInstallation`.
fn file_url(path: &Path) -> String {
    let mut url = String::from("file://");
    for b in path.to_string_lossy().bytes() {
        if b.is_ascii_alphanumeric() || b"/._-~".contains(&b) {
            url.push(b as char);
        } else {
            url.push_str(&format!("%{b:02X}"));
        }
    }
    url
}

fn xml_text(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profile_urls_are_percent_encoded() {
        assert_eq!(
            file_url(Path::new("/tmp/zeren pdf/个")),
            "file:///tmp/zeren%20pdf/%E4%B8%AA"
        );
    }

    /// A stand-in for soffice: a shell script in its own directory.
    fn fake_soffice(body: &str) -> (tempfile::TempDir, PathBuf) {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("soffice");
        fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).unwrap();
        (dir, path)
    }

    #[test]
    fn a_hanging_conversion_is_killed_at_the_timeout() {
        // The script starts a child of its own (as soffice starts soffice.bin) that would
        // outlive a plain kill of the script.
        let pid_file = tempfile::NamedTempFile::new().unwrap();
        let (_dir, soffice) = fake_soffice(&format!(
            "sleep 30 & echo $! > {}; wait",
            pid_file.path().display()
        ));
        let options = PdfOptions {
            soffice: Some(soffice),
            timeout: Duration::from_millis(300),
        };
        let started = Instant::now();
        let e = to_pdf_with(b"PK", &options).unwrap_err();
        assert!(matches!(e, ExportError::Timeout(_)), "{e}");
        assert!(started.elapsed() < Duration::from_secs(5));
        assert!(e.to_string().contains("超时"));
        let pid = fs::read_to_string(pid_file.path()).unwrap();
        let stat = format!("/proc/{}/stat", pid.trim());
        let deadline = Instant::now() + Duration::from_secs(2);
        // Gone, or a zombie waiting for init to reap it.
        while fs::read_to_string(&stat).is_ok_and(|s| !s.contains(") Z ")) {
            assert!(Instant::now() < deadline, "the launcher's child survived");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    #[test]
    fn a_failed_conversion_says_what_libreoffice_said() {
        let (_dir, soffice) = fake_soffice("echo 'Error: source file could not be loaded' >&2");
        let options = PdfOptions {
            soffice: Some(soffice),
            timeout: Duration::from_secs(10),
        };
        let e = to_pdf_with(b"PK", &options).unwrap_err();
        assert!(matches!(e, ExportError::Pdf(_)), "{e}");
        assert!(
            e.to_string().contains("source file could not be loaded"),
            "{e}"
        );
    }

    #[test]
    fn libreoffice_gets_a_private_profile_and_the_font_aliases() {
        // Writes what it was given where the PDF would go, so the call succeeds.
        let (_dir, soffice) = fake_soffice(
            "out=''; for a in \"$@\"; do [ \"$prev\" = --outdir ] && out=$a; prev=$a; done\n\
             { printf '%%PDF-1.7\\n'; printf '%s\\n' \"$@\"; echo \"FC=$FONTCONFIG_FILE\"; \
             cat \"$FONTCONFIG_FILE\"; } > \"$out/report.pdf\"",
        );
        let options = PdfOptions {
            soffice: Some(soffice),
            timeout: Duration::from_secs(10),
        };
        let pdf = String::from_utf8(to_pdf_with(b"PK", &options).unwrap()).unwrap();
        assert!(pdf.contains("-env:UserInstallation=file:///"), "{pdf}");
        assert!(
            pdf.contains("--headless") && pdf.contains("--convert-to"),
            "{pdf}"
        );
        assert!(pdf.contains("/etc/fonts/fonts.conf"), "{pdf}");
        assert!(pdf.contains("zeren-fonts.conf</include>"), "{pdf}");
    }

    #[test]
    fn a_missing_soffice_is_reported_as_such() {
        let options = PdfOptions {
            soffice: Some(PathBuf::from("/nonexistent/soffice")),
            timeout: Duration::from_secs(5),
        };
        let e = to_pdf_with(b"PK", &options).unwrap_err();
        assert!(matches!(e, ExportError::LibreOfficeMissing), "{e}");
        assert!(e.to_string().contains("libreoffice-writer-nogui"));
    }
}
