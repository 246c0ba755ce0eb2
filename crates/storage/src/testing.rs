//! Throwaway databases for tests, on the backend the test run was started for.
//!
//! `ZEREN_TEST_BACKEND=sqlite` (the default) gives each test a fresh SQLite file;
//! `ZEREN_TEST_BACKEND=postgres` gives each test a fresh database on the server named by
//! `ZEREN_TEST_POSTGRES_URL` (the test script starts a throwaway cluster). A requested backend
//! that is not there fails the test: nothing is skipped.

use crate::{Backend, Store};
use rand::Rng;
use std::path::PathBuf;

/// Keeps the database alive for the test's duration.
pub struct TestDb {
    pub store: Store,
    pub url: String,
    /// SQLite: the folder holding the file (removed on drop).
    pub dir: Option<tempfile::TempDir>,
}

impl TestDb {
    pub fn data_dir(&self) -> Option<PathBuf> {
        self.dir.as_ref().map(|d| d.path().to_path_buf())
    }
}

pub fn requested_backend() -> Backend {
    match std::env::var("ZEREN_TEST_BACKEND").as_deref() {
        Ok("postgres") => Backend::Postgres,
        Ok("sqlite") | Err(_) => Backend::Sqlite,
        Ok(other) => panic!("ZEREN_TEST_BACKEND must be sqlite or postgres, not {other}"),
    }
}

/// An empty database URL on the requested backend (not migrated).
pub async fn fresh_url() -> (String, Option<tempfile::TempDir>) {
    match requested_backend() {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().expect("temp dir");
            let url = crate::sqlite_url_for_dir(dir.path()).expect("sqlite url");
            (url, Some(dir))
        }
        Backend::Postgres => {
            let admin = std::env::var("ZEREN_TEST_POSTGRES_URL").expect(
                "ZEREN_TEST_BACKEND=postgres needs ZEREN_TEST_POSTGRES_URL (scripts/test sets it)",
            );
            let name = format!("zt_{:016x}", rand::thread_rng().gen::<u64>());
            let admin_store = Store::connect(&admin)
                .await
                .expect("connect to the test PostgreSQL server");
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(admin_store.pool())
                .await
                .expect("create test database");
            admin_store.close().await;
            let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin);
            (format!("{base}/{name}"), None)
        }
    }
}

/// A fresh, migrated database.
pub async fn fresh_store() -> TestDb {
    let (url, dir) = fresh_url().await;
    let store = Store::open(&url).await.expect("open test database");
    TestDb { store, url, dir }
}
