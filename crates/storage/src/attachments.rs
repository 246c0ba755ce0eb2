//! Evidence files (佐证材料), content-addressed by SHA-256: the same bytes are kept once,
//! however often they are attached. The bytes live in a folder beside the SQLite file
//! (`attachments/ab/cd/<sha256>`) or, on PostgreSQL, in the database, so that several
//! instances sharing one database share the evidence too. The links that attach a file to a
//! record, a progress report, a problem or a measure are rows of their own, audited and voided,
//! never deleted.

use crate::orgs::Actor;
use crate::{Result, StorageError, Store, WriteTx};
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::any::AnyRow;
use sqlx::Row;
use std::path::{Path, PathBuf};
use zeren_domain::clock;

/// A file attached to something.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttachmentLink {
    pub id: i64,
    /// `record`, `progress`, `item`, `problem`, `measure` …
    pub object_type: String,
    pub object_id: i64,
    pub sha256: String,
    pub file_name: String,
    pub size: i64,
    pub mime: String,
    pub created_by: Option<i64>,
    pub created_at: String,
    pub voided: bool,
    pub void_reason: String,
}

impl AttachmentLink {
    pub fn is_image(&self) -> bool {
        self.mime.starts_with("image/")
    }
}

const LINK_SELECT: &str = "SELECT l.id, l.object_type, l.object_id, l.sha256, l.file_name, \
     a.size, a.mime, l.created_by, l.created_at, l.voided, l.void_reason \
     FROM attachment_links l JOIN attachments a ON a.sha256 = l.sha256";

fn link_from_row(row: &AnyRow) -> Result<AttachmentLink> {
    Ok(AttachmentLink {
        id: row.try_get("id")?,
        object_type: row.try_get("object_type")?,
        object_id: row.try_get("object_id")?,
        sha256: row.try_get("sha256")?,
        file_name: row.try_get("file_name")?,
        size: row.try_get("size")?,
        mime: row.try_get("mime")?,
        created_by: row.try_get("created_by")?,
        created_at: row.try_get("created_at")?,
        voided: crate::get_bool(row, "voided")?,
        void_reason: row.try_get("void_reason")?,
    })
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// `<dir>/ab/cd/<sha256>`: two levels of folders keep each folder small.
fn blob_path(dir: &Path, sha: &str) -> PathBuf {
    dir.join(&sha[0..2]).join(&sha[2..4]).join(sha)
}

fn valid_sha(sha: &str) -> bool {
    sha.len() == 64
        && sha
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
}

impl Store {
    /// Live (not voided) links of one object, oldest first.
    pub async fn attachments_of(
        &self,
        object_type: &str,
        object_id: i64,
    ) -> Result<Vec<AttachmentLink>> {
        let rows = sqlx::query(&format!(
            "{LINK_SELECT} WHERE l.object_type = $1 AND l.object_id = $2 AND l.voided = FALSE ORDER BY l.id"
        ))
        .bind(object_type)
        .bind(object_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(link_from_row).collect()
    }

    /// Live links of many objects of one type (for lists: one query instead of one per row).
    pub async fn attachment_counts(
        &self,
        object_type: &str,
        ids: &[i64],
    ) -> Result<Vec<(i64, i64)>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let list = ids
            .iter()
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(",");
        let rows: Vec<(i64, i64)> = sqlx::query_as(&format!(
            "SELECT object_id, COUNT(*) FROM attachment_links WHERE object_type = $1 \
             AND voided = FALSE AND object_id IN ({list}) GROUP BY object_id"
        ))
        .bind(object_type)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows)
    }

    pub async fn attachment_link(&self, id: i64) -> Result<AttachmentLink> {
        let row = sqlx::query(&format!("{LINK_SELECT} WHERE l.id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StorageError::NotFound("attachment"))?;
        link_from_row(&row)
    }

    /// The bytes of a stored file.
    pub async fn attachment_bytes(&self, sha: &str) -> Result<Vec<u8>> {
        if !valid_sha(sha) {
            return Err(StorageError::NotFound("attachment"));
        }
        if let Some(dir) = &self.blob_dir {
            match tokio::fs::read(blob_path(dir, sha)).await {
                Ok(bytes) => return Ok(bytes),
                // Not in the folder: it may have been stored in the database (a database
                // restored from another deployment); fall through.
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(e.into()),
            }
        }
        let row: Option<(Vec<u8>,)> =
            sqlx::query_as("SELECT content FROM attachment_blobs WHERE sha256 = $1")
                .bind(sha)
                .fetch_optional(&self.pool)
                .await?;
        row.map(|(b,)| b)
            .ok_or(StorageError::NotFound("attachment"))
    }
}

impl Store {
    /// The organization path of the object a file is attached to, which decides who may see
    /// and void the file; `None` when the object is unknown.
    pub async fn attachment_owner_path(
        &self,
        object_type: &str,
        object_id: i64,
    ) -> Result<Option<zeren_domain::org::OrgPath>> {
        let sql = match object_type {
            "record" => "SELECT org_path FROM work_records WHERE id = $1",
            "item" => "SELECT org_path FROM list_items WHERE id = $1",
            "progress" => {
                "SELECT i.org_path FROM list_progress p JOIN list_items i ON i.id = p.item_id \
                 WHERE p.id = $1"
            }
            "problem" => "SELECT org_path FROM problems WHERE id = $1",
            "measure" => {
                "SELECT p.org_path FROM problem_measures m JOIN problems p ON p.id = m.problem_id \
                 WHERE m.id = $1"
            }
            _ => return Ok(None),
        };
        let row: Option<(String,)> = sqlx::query_as(sql)
            .bind(object_id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|(p,)| zeren_domain::org::OrgPath(p)))
    }
}

impl WriteTx {
    /// Stores the bytes (once per content; `mime` is what the caller established from the
    /// bytes themselves) and attaches them to an object; audited.
    pub async fn attach(
        &mut self,
        object_type: &str,
        object_id: i64,
        file_name: &str,
        bytes: &[u8],
        mime: &str,
        actor: &Actor,
    ) -> Result<AttachmentLink> {
        let sha = sha256_hex(bytes);
        let now = clock::now_text();
        let known: Option<(String,)> =
            sqlx::query_as("SELECT sha256 FROM attachments WHERE sha256 = $1")
                .bind(&sha)
                .fetch_optional(&mut *self.tx)
                .await?;
        if known.is_none() {
            sqlx::query(
                "INSERT INTO attachments (sha256, size, mime, created_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(&sha)
            .bind(bytes.len() as i64)
            .bind(mime)
            .bind(&now)
            .execute(&mut *self.tx)
            .await?;
        }
        match &self.blob_dir {
            // Written even for known content: a folder restored without its files must not
            // leave links to nothing. An existing file is kept as it is.
            Some(dir) => write_blob(dir, &sha, bytes).await?,
            None if known.is_none() => {
                sqlx::query("INSERT INTO attachment_blobs (sha256, content) VALUES ($1, $2)")
                    .bind(&sha)
                    .bind(bytes.to_vec())
                    .execute(&mut *self.tx)
                    .await?;
            }
            None => {}
        }
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO attachment_links (object_type, object_id, sha256, file_name, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(object_type)
        .bind(object_id)
        .bind(&sha)
        .bind(file_name)
        .bind(actor.id)
        .bind(&now)
        .fetch_one(&mut *self.tx)
        .await?;
        let link = self.attachment_link(id).await?;
        self.audit(actor.event(
            "attachment.add",
            object_type,
            object_id,
            None::<&()>,
            Some(&link),
        ))
        .await?;
        Ok(link)
    }

    async fn attachment_link(&mut self, id: i64) -> Result<AttachmentLink> {
        let row = sqlx::query(&format!("{LINK_SELECT} WHERE l.id = $1"))
            .bind(id)
            .fetch_optional(&mut *self.tx)
            .await?
            .ok_or(StorageError::NotFound("attachment"))?;
        link_from_row(&row)
    }

    /// Voids a link (the bytes stay: other links, and the audit trail, may refer to them).
    pub async fn void_attachment(
        &mut self,
        id: i64,
        reason: &str,
        actor: &Actor,
    ) -> Result<AttachmentLink> {
        let before = self.attachment_link(id).await?;
        if before.voided {
            return Err(StorageError::Rejected {
                field: "id",
                message: "该附件已作废".into(),
            });
        }
        sqlx::query(
            "UPDATE attachment_links SET voided = TRUE, void_reason = $1, voided_at = $2, voided_by = $3 WHERE id = $4",
        )
        .bind(reason)
        .bind(clock::now_text())
        .bind(actor.id)
        .bind(id)
        .execute(&mut *self.tx)
        .await?;
        let after = self.attachment_link(id).await?;
        self.audit(actor.event(
            "attachment.void",
            &before.object_type,
            before.object_id,
            Some(&before),
            Some(&after),
        ))
        .await?;
        Ok(after)
    }

    /// Live evidence of one object, counted inside the transaction (e.g. before 销号).
    pub async fn attachment_count(&mut self, object_type: &str, object_id: i64) -> Result<i64> {
        let (n,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM attachment_links WHERE object_type = $1 AND object_id = $2 AND voided = FALSE",
        )
        .bind(object_type)
        .bind(object_id)
        .fetch_one(&mut *self.tx)
        .await?;
        Ok(n)
    }
}

/// Writes a blob atomically (temporary file, then rename); an existing file is kept.
async fn write_blob(dir: &Path, sha: &str, bytes: &[u8]) -> Result<()> {
    let path = blob_path(dir, sha);
    if tokio::fs::metadata(&path).await.is_ok() {
        return Ok(());
    }
    let parent = path.parent().unwrap_or(dir);
    tokio::fs::create_dir_all(parent).await?;
    let tmp = parent.join(format!(".{sha}.{}.tmp", std::process::id()));
    tokio::fs::write(&tmp, bytes).await?;
    tokio::fs::rename(&tmp, &path).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blobs_are_spread_over_two_folder_levels() {
        let sha = sha256_hex(b"x");
        let p = blob_path(Path::new("/d"), &sha);
        assert_eq!(
            p,
            PathBuf::from(format!("/d/{}/{}/{sha}", &sha[0..2], &sha[2..4]))
        );
        assert!(valid_sha(&sha));
        assert!(!valid_sha("../../etc/passwd"));
        assert!(!valid_sha(&sha.to_uppercase()));
    }
}
