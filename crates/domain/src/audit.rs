//! The audit trail (全程留痕): an append-only hash chain.
//!
//! Each entry stores the SHA-256 of its own content together with the previous entry's hash,
//! so altering or deleting any row in the database breaks the chain at that row, and
//! [`verify_chain`] names the first broken link.

use serde::Serialize;
use sha2::{Digest, Sha256};

/// The `prev_hash` of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What happened, before it is sealed into the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEvent {
    pub actor_id: Option<i64>,
    /// The username (or `system`), kept as text so the entry reads alone.
    pub actor: String,
    /// Client address, e.g. `127.0.0.1`; `cli` for the command line.
    pub address: String,
    /// e.g. `login.success`, `login.failure`, `org.create`, `account.reset_password`.
    pub action: String,
    pub object_type: String,
    pub object_id: String,
    /// JSON of the object before and after the change, where there is one.
    pub before: Option<String>,
    pub after: Option<String>,
}

/// A sealed entry as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: String,
    #[serde(flatten)]
    pub event: AuditEvent,
    pub prev_hash: String,
    pub hash: String,
}

/// SHA-256 over the previous hash and every field, each length-prefixed so that no two
/// different entries serialise to the same bytes.
pub fn entry_hash(seq: i64, at: &str, event: &AuditEvent, prev_hash: &str) -> String {
    let mut h = Sha256::new();
    let mut field = |s: &str| {
        h.update((s.len() as u64).to_be_bytes());
        h.update(s.as_bytes());
    };
    field(prev_hash);
    field(&seq.to_string());
    field(at);
    field(&event.actor_id.map(|i| i.to_string()).unwrap_or_default());
    field(&event.actor);
    field(&event.address);
    field(&event.action);
    field(&event.object_type);
    field(&event.object_id);
    field(event.before.as_deref().unwrap_or("\u{0}null"));
    field(event.after.as_deref().unwrap_or("\u{0}null"));
    hex::encode(h.finalize())
}

impl AuditEntry {
    pub fn seal(seq: i64, at: String, event: AuditEvent, prev_hash: String) -> Self {
        let hash = entry_hash(seq, &at, &event, &prev_hash);
        Self {
            seq,
            at,
            event,
            prev_hash,
            hash,
        }
    }
}

/// The first place where the chain does not hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("审计链在第 {seq} 条断开：{reason}")]
pub struct BrokenLink {
    pub seq: i64,
    pub reason: String,
}

/// Checks entries one at a time in `seq` order, so a long trail can be verified page by page.
#[derive(Debug, Clone)]
pub struct ChainVerifier {
    prev: String,
    expected_seq: i64,
    count: u64,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        Self {
            prev: GENESIS.to_string(),
            expected_seq: 1,
            count: 0,
        }
    }
}

impl ChainVerifier {
    pub fn push(&mut self, e: &AuditEntry) -> Result<(), BrokenLink> {
        if e.seq != self.expected_seq {
            return Err(BrokenLink {
                seq: self.expected_seq,
                reason: format!(
                    "缺少第 {} 条（下一条为第 {} 条），记录被删除",
                    self.expected_seq, e.seq
                ),
            });
        }
        if e.prev_hash != self.prev {
            return Err(BrokenLink {
                seq: e.seq,
                reason: "前序哈希与上一条不符，记录被删除或改动".into(),
            });
        }
        if entry_hash(e.seq, &e.at, &e.event, &e.prev_hash) != e.hash {
            return Err(BrokenLink {
                seq: e.seq,
                reason: "内容与哈希不符，记录被改动".into(),
            });
        }
        self.prev.clone_from(&e.hash);
        self.expected_seq += 1;
        self.count += 1;
        Ok(())
    }

    /// Entries that held so far.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// The hash of the last entry that held. Written down outside the system (a printout, a
    /// superior's records), it also reveals rows later deleted from the end of the chain.
    pub fn head(&self) -> &str {
        &self.prev
    }
}

/// Walks entries in `seq` order and checks every link. Returns how many entries held.
pub fn verify_chain<I>(entries: I) -> Result<u64, BrokenLink>
where
    I: IntoIterator<Item = AuditEntry>,
{
    let mut v = ChainVerifier::default();
    for e in entries {
        v.push(&e)?;
    }
    Ok(v.count())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(action: &str) -> AuditEvent {
        AuditEvent {
            actor_id: Some(1),
            actor: "admin".into(),
            address: "127.0.0.1".into(),
            action: action.into(),
            object_type: "org".into(),
            object_id: "7".into(),
            before: None,
            after: Some(r#"{"name":"东岭村党支部"}"#.into()),
        }
    }

    fn chain(n: i64) -> Vec<AuditEntry> {
        let mut out: Vec<AuditEntry> = Vec::new();
        for seq in 1..=n {
            let prev = out.last().map(|e| e.hash.clone()).unwrap_or(GENESIS.into());
            out.push(AuditEntry::seal(
                seq,
                format!("2026-11-22T00:00:0{seq}.000Z"),
                event("org.update"),
                prev,
            ));
        }
        out
    }

    #[test]
    fn an_untouched_chain_verifies() {
        assert_eq!(verify_chain(chain(5)), Ok(5));
        assert_eq!(verify_chain(Vec::new()), Ok(0));
    }

    #[test]
    fn an_altered_field_is_found() {
        let mut c = chain(5);
        c[2].event.after = Some(r#"{"name":"改过的"}"#.into());
        assert_eq!(verify_chain(c).unwrap_err().seq, 3);
    }

    #[test]
    fn a_deleted_row_is_found() {
        let mut c = chain(5);
        c.remove(1);
        assert_eq!(verify_chain(c).unwrap_err().seq, 2);
    }

    #[test]
    fn a_rehashed_row_still_breaks_the_next_link() {
        let mut c = chain(4);
        c[1].event.actor = "mallory".into();
        c[1].hash = entry_hash(c[1].seq, &c[1].at, &c[1].event, &c[1].prev_hash);
        assert_eq!(verify_chain(c).unwrap_err().seq, 3);
    }

    #[test]
    fn null_and_empty_differ() {
        let mut a = event("x");
        a.before = None;
        let mut b = event("x");
        b.before = Some(String::new());
        assert_ne!(
            entry_hash(1, "t", &a, GENESIS),
            entry_hash(1, "t", &b, GENESIS)
        );
    }
}
