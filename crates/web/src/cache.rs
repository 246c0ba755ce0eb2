//! Answers and sessions kept for one data version ([`zeren_storage::Version`]): a ledger read
//! again with nothing changed in between is served from memory, and a session checked a moment
//! ago is not looked up again. Any change anywhere (every change is audited, which moves the
//! version) makes every entry stale; entries are per session, so nobody is ever served what
//! another account may see.

use crate::auth::{CurrentUser, RequestContext};
use crate::AppState;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use zeren_domain::date::Day;
use zeren_storage::Version;

/// The entries and a use counter: each entry remembers when it was last used.
type Entries<K, V> = (u64, HashMap<K, (u64, V)>);

/// A small map that forgets its least recently used entries beyond `capacity`.
pub struct Lru<K, V> {
    capacity: usize,
    entries: Mutex<Entries<K, V>>,
}

impl<K: Eq + Hash + Clone, V: Clone> Lru<K, V> {
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity,
            entries: Mutex::new((0, HashMap::new())),
        }
    }

    pub fn get(&self, key: &K) -> Option<V> {
        let mut guard = self.entries.lock().ok()?;
        let (clock, map) = &mut *guard;
        *clock += 1;
        let now = *clock;
        map.get_mut(key).map(|(used, v)| {
            *used = now;
            v.clone()
        })
    }

    pub fn put(&self, key: K, value: V) {
        let Ok(mut guard) = self.entries.lock() else {
            return;
        };
        let (clock, map) = &mut *guard;
        *clock += 1;
        map.insert(key, (*clock, value));
        if map.len() > self.capacity {
            // Drop the least recently used tenth at once, so eviction stays rare.
            let mut uses: Vec<u64> = map.values().map(|(u, _)| *u).collect();
            uses.sort_unstable();
            let cut = uses[uses.len() / 10];
            map.retain(|_, (u, _)| *u > cut);
        }
    }

    pub fn remove(&self, key: &K) {
        if let Ok(mut guard) = self.entries.lock() {
            guard.1.remove(key);
        }
    }
}

/// A session's row, account and grants as last read.
#[derive(Clone)]
pub struct CachedSession {
    /// The session row: ending a session (logout, password change, lock) is audited and so
    /// moves the version; expiry is checked against its `expires_at` on every request.
    pub session: zeren_storage::Session,
    /// When the row was read: after [`SESSION_ROW_TRUST`] it is read again, so that a session
    /// ended outside the application (in the database) is refused within a second too.
    pub session_read_at: Instant,
    pub user: CurrentUser,
    pub version: Version,
    /// When these were read: after a minute they are read again whatever the version.
    pub read_at: Instant,
}

/// How long a session's account and grants are trusted without reading them again.
pub const SESSION_TRUST: Duration = Duration::from_secs(60);

/// How long a session row is trusted without reading it again (at the same data version).
pub const SESSION_ROW_TRUST: Duration = Duration::from_secs(1);

#[derive(Clone)]
struct CachedAnswer {
    version: Version,
    content_type: HeaderValue,
    body: axum::body::Bytes,
}

/// The caches of one running application.
pub struct Caches {
    pub sessions: Lru<String, CachedSession>,
    answers: Lru<(String, String, Day), CachedAnswer>,
}

impl Default for Caches {
    fn default() -> Self {
        Self {
            sessions: Lru::new(4096),
            answers: Lru::new(1024),
        }
    }
}

impl Caches {
    /// Forgets every kept answer (the benchmark measures reads that find none).
    pub fn forget_answers(&self) {
        if let Ok(mut guard) = self.answers.entries.lock() {
            guard.1.clear();
        }
    }
}

/// The largest answer kept.
const MAX_KEPT: u64 = 2 * 1024 * 1024;

/// The ledgers' and figures' reading routes: lists a clerk reopens all day, and the pages that
/// show them, and the home page (工作台), whose desk reads four ledgers. Downloads, exports
/// and everything else are never kept.
fn cacheable(path: &str) -> bool {
    if path == "/" {
        return true;
    }
    const PREFIXES: [&str; 16] = [
        "/api/v1/problems",
        "/api/v1/records",
        "/api/v1/members",
        "/api/v1/lists",
        "/api/v1/risks",
        "/api/v1/metrics",
        "/api/v1/orgs",
        "/problems",
        "/records",
        "/members",
        "/lists",
        "/list-items",
        "/risks",
        "/metrics",
        "/meetings",
        "/orgs",
    ];
    PREFIXES.iter().any(|p| {
        path == *p
            || path
                .strip_prefix(p)
                .is_some_and(|rest| rest.starts_with('/') || rest.starts_with('?'))
    }) && !path.contains("/export")
        && !path.contains("/attachments")
}

/// Serves a GET of a ledger or figure route from memory when nothing has changed since it
/// was answered for this session, and keeps successful answers.
pub async fn answers(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if req.method() != Method::GET || !cacheable(req.uri().path()) {
        return next.run(req).await;
    }
    let Some(session) = req
        .extensions()
        .get::<RequestContext>()
        .and_then(|c| c.user.as_ref())
        .filter(|u| !u.account.must_change_password)
        .map(|u| u.token_hash.clone())
    else {
        return next.run(req).await;
    };
    let Ok(version) = state.store.data_version().await else {
        return next.run(req).await;
    };
    let uri = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_default();
    // Figures that depend on the date (overdue, due this month) change at midnight.
    let key = (session, uri, Day::today());
    if let Some(hit) = state.caches.answers.get(&key) {
        if hit.version == version {
            let mut resp = (StatusCode::OK, Body::from(hit.body)).into_response();
            resp.headers_mut()
                .insert(header::CONTENT_TYPE, hit.content_type);
            return resp;
        }
    }
    let resp = next.run(req).await;
    if resp.status() != StatusCode::OK || resp.headers().contains_key(header::SET_COOKIE) {
        return resp;
    }
    let Some(content_type) = resp.headers().get(header::CONTENT_TYPE).cloned() else {
        return resp;
    };
    // Only answers of a known, modest size are kept (pages and lists are; exports are not).
    if !matches!(axum::body::HttpBody::size_hint(resp.body()).exact(), Some(n) if n <= MAX_KEPT) {
        return resp;
    }
    let (parts, body) = resp.into_parts();
    match axum::body::to_bytes(body, MAX_KEPT as usize).await {
        Ok(bytes) => {
            state.caches.answers.put(
                key,
                CachedAnswer {
                    version,
                    content_type,
                    body: bytes.clone(),
                },
            );
            Response::from_parts(parts, Body::from(bytes))
        }
        Err(_) => (StatusCode::INTERNAL_SERVER_ERROR, "response too large").into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_least_recently_used_go_first() {
        let lru = Lru::new(10);
        for i in 0..10 {
            lru.put(i, i);
        }
        assert_eq!(lru.get(&0), Some(0));
        lru.put(10, 10);
        assert_eq!(lru.get(&0), Some(0), "recently used");
        assert_eq!(lru.get(&1), None, "least recently used");
        lru.remove(&0);
        assert_eq!(lru.get(&0), None);
    }

    #[test]
    fn only_ledger_readings_are_kept() {
        assert!(cacheable("/api/v1/problems"));
        assert!(cacheable("/"));
        assert!(cacheable("/problems/12"));
        assert!(cacheable("/metrics/参训人次"));
        assert!(!cacheable("/problems-batches"));
        assert!(!cacheable("/api/v1/records/5/attachments"));
        assert!(!cacheable("/api/v1/problems/export"));
        assert!(!cacheable("/me"));
        assert!(!cacheable("/api/v1/audit"));
    }
}
