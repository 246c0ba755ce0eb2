//! The data version: a number that changes whenever data changes, read on every request
//! without a query. Caches of answers and of sessions are valid for one version only.
//!
//! Every change goes through a [`crate::WriteTx`], which appends to the audit chain: the chain's
//! last sequence number is the database's version, seen by every instance sharing it. This
//! process also counts its own commits, so its own changes are seen at once; another
//! instance's changes are seen within [`REFRESH`].

use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// How long this process trusts the database's version it last read.
pub const REFRESH: Duration = Duration::from_millis(500);

#[derive(Debug)]
pub struct DataVersion {
    started: Instant,
    /// Commits made by this process.
    local: AtomicU64,
    /// The audit chain's last sequence number when last read.
    db: AtomicI64,
    /// When it was read, in milliseconds since `started` (0: never).
    read_at_ms: AtomicU64,
}

impl Default for DataVersion {
    fn default() -> Self {
        Self {
            started: Instant::now(),
            local: AtomicU64::new(0),
            db: AtomicI64::new(-1),
            read_at_ms: AtomicU64::new(0),
        }
    }
}

/// A version to compare: equal versions mean no change was seen in between.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Version {
    pub db: i64,
    pub local: u64,
}

impl DataVersion {
    pub(crate) fn bump(&self) {
        self.local.fetch_add(1, Ordering::SeqCst);
    }

    fn now_ms(&self) -> u64 {
        self.started.elapsed().as_millis() as u64 + 1
    }

    /// The database part needs reading again.
    pub(crate) fn stale(&self) -> bool {
        let at = self.read_at_ms.load(Ordering::Acquire);
        at == 0 || self.now_ms().saturating_sub(at) > REFRESH.as_millis() as u64
    }

    pub(crate) fn set_db(&self, seq: i64) {
        self.db.store(seq, Ordering::Release);
        self.read_at_ms.store(self.now_ms(), Ordering::Release);
    }

    pub fn current(&self) -> Version {
        Version {
            db: self.db.load(Ordering::Acquire),
            local: self.local.load(Ordering::Acquire),
        }
    }
}
