//! A real headless Chromium driven through chromedriver, against the real application on a
//! loopback port. A missing Chromium or chromedriver fails the test (the test script installs
//! both); screenshots go to `target/screenshots/`. Used by every browser test file.
#![allow(dead_code)]

use crate::common::TestApp;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;
use std::net::SocketAddr;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub struct Browser {
    pub client: Client,
    driver: Child,
    pub base: String,
    _profile: tempfile::TempDir,
}

impl Drop for Browser {
    fn drop(&mut self) {
        // chromedriver and the Chromium it started share a process group of their own: end
        // them all, or every test (and every failed one) would leave a browser behind.
        let _ = Command::new("kill")
            .args(["-s", "KILL", "--"])
            .arg(format!("-{}", self.driver.id()))
            .stderr(Stdio::null())
            .status();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub fn screenshots_dir() -> PathBuf {
    let dir = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../target/screenshots"
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub async fn start(app: &TestApp) -> Browser {
    // The application, on a real socket.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = app.router.clone();
    tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .unwrap();
    });
    // chromedriver, on another.
    let port = free_port();
    let driver = Command::new("chromedriver")
        .process_group(0)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver must be installed (scripts/test installs chromium-driver)");
    let profile = tempfile::tempdir().unwrap();
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": "/usr/bin/chromium",
            "args": [
                "--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--window-size=1440,1000", "--lang=zh-CN",
                format!("--user-data-dir={}", profile.path().display()),
            ]
        }),
    );
    let mut last_err = None;
    for _ in 0..50 {
        match ClientBuilder::new(HttpConnector::new())
            .capabilities(caps.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            Ok(client) => {
                return Browser {
                    client,
                    driver,
                    base: format!("http://{addr}"),
                    _profile: profile,
                }
            }
            Err(e) => {
                last_err = Some(e);
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
    }
    panic!("cannot start a Chromium session: {last_err:?}");
}

impl Browser {
    pub async fn goto(&self, path: &str) {
        self.client
            .goto(&format!("{}{path}", self.base))
            .await
            .unwrap();
    }

    pub async fn fill(&self, css: &str, text: &str) {
        let e = self.client.find(Locator::Css(css)).await.unwrap();
        e.clear().await.unwrap();
        e.send_keys(text).await.unwrap();
    }

    pub async fn click(&self, css: &str) {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
    }

    /// Clicks a submit button and waits until its page has been replaced, so what is read next
    /// comes from the answer, not from the form.
    pub async fn submit(&self, css: &str) {
        let button = self.client.find(Locator::Css(css)).await.unwrap();
        button.click().await.unwrap();
        for _ in 0..100 {
            if button.text().await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("submitting {css} did not load a new page");
    }

    /// The element's text, waiting for it to appear; a page still being replaced after a
    /// submit can hand back a stale element, so that is retried.
    pub async fn text(&self, css: &str) -> String {
        let mut last = String::new();
        for _ in 0..100 {
            match self.client.find(Locator::Css(css)).await {
                Ok(e) => match e.text().await {
                    Ok(t) => return t,
                    Err(err) => last = err.to_string(),
                },
                Err(err) => last = err.to_string(),
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("{css} not found: {last}");
    }

    pub async fn path(&self) -> String {
        self.client.current_url().await.unwrap().path().to_string()
    }

    pub async fn shot(&self, name: &str) {
        let png = self.client.screenshot().await.unwrap();
        std::fs::write(screenshots_dir().join(format!("{name}.png")), png).unwrap();
    }

    pub async fn login(&self, username: &str, password: &str) {
        self.goto("/login").await;
        self.fill("#username", username).await;
        self.fill("#password", password).await;
        self.submit("#login-submit").await;
    }

    pub async fn logout(&self) {
        self.submit("#logout").await;
        self.text("#login-submit").await;
    }
}

impl Browser {
    /// Chooses an option of a select box by its value.
    pub async fn select(&self, css: &str, value: &str) {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap()
            .select_by_value(value)
            .await
            .unwrap();
    }
}
