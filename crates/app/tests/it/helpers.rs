//! `TestApp`: a fresh database with the demo registers and accounts, the router, a clock
//! the test controls, and one method per kind of request.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use inspectorate::clock::ManualClock;
use inspectorate::service::App;
use inspectorate::web::{AppState, State, router};
use serde_json::Value;
use std::sync::Arc;
use store::Backend;
use store::testing::TestDb;
use tower::ServiceExt;

/// 2026-11-28T02:00:00Z, a fixed "now" for every test.
pub const T0: i64 = 1_795_831_200_000;

/// The password of every demo account.
pub const PW: &str = inspectorate::demo::DEMO_PASSWORD;

pub struct TestApp {
    /// Kept so the database lives (and is dropped) with the test.
    pub _tdb: TestDb,
    /// The test's evidence directory.
    pub evidence: tempfile::TempDir,
    pub state: State,
    pub clock: ManualClock,
}

/// A response, with its body read.
pub struct Reply {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
    pub fn location(&self) -> &str {
        self.headers.get(header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or("")
    }
}

/// A logged-in browser: its session cookie and the CSRF token its forms carry.
pub struct Browser {
    pub cookie: String,
    pub csrf: String,
}

impl TestApp {
    /// A fresh database on `backend` with reference data, demo registers and demo accounts.
    pub async fn new(backend: Backend) -> Self {
        let app = Self::bare(backend, inspectorate::sealing::ephemeral_keys()).await;
        inspectorate::demo::load(&app.state.app).await.unwrap();
        app
    }

    /// The reference scenario of BRIEF §9: on SQLite loaded by the `demo` command (the key
    /// file it writes beside the database opens its covert plans), on PostgreSQL in process.
    pub async fn with_scenario(backend: Backend) -> Self {
        let app = Self::bare(backend, inspectorate::sealing::ephemeral_keys()).await;
        match backend {
            Backend::Sqlite => {
                let (code, _, err) = run_cli(&app._tdb.url, &["demo"]);
                assert_eq!(code, Some(0), "{err}");
                assert!(err.contains("demo data (synthetic) loaded"), "{err}");
                let (_, _, again) = run_cli(&app._tdb.url, &["demo"]);
                assert!(again.contains("already present"), "loading twice changes nothing: {again}");
                let path = std::path::Path::new(app._tdb.url.trim_start_matches("sqlite://"));
                let keys = inspectorate::sealing::load_or_create(&path.with_file_name("covert.key")).unwrap();
                Self::bare_on(app._tdb, Arc::new(keys)).await
            }
            Backend::Postgres => {
                assert!(inspectorate::demo::scenario::load(&app.state.app, &|_, _| {}).await.unwrap());
                app
            }
        }
    }

    /// A fresh database on `backend` with reference data only.
    pub async fn empty(backend: Backend) -> Self {
        Self::bare(backend, inspectorate::sealing::ephemeral_keys()).await
    }

    async fn bare(backend: Backend, keys: Arc<domain::seal::Keyring>) -> Self {
        Self::bare_on(TestDb::new(backend).await, keys).await
    }

    async fn bare_on(tdb: TestDb, keys: Arc<domain::seal::Keyring>) -> Self {
        let clock = ManualClock::at(T0);
        let evidence = tempfile::tempdir().unwrap();
        let app = App {
            db: tdb.db.clone(),
            clock: Arc::new(clock.clone()),
            root_region: "340000".into(),
            evidence_dir: evidence.path().to_owned(),
            keys,
            drawn: Default::default(),
        };
        inspectorate::refdata::sync(&app.db).await.unwrap();
        let state = Arc::new(AppState { app, cookie_secure: false });
        Self { _tdb: tdb, evidence, state, clock }
    }

    pub async fn send(&self, req: Request<Body>) -> Reply {
        let res = router(self.state.clone()).oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        Reply { status, headers, body: String::from_utf8_lossy(&bytes).into_owned() }
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Reply {
        let mut req = Request::get(path);
        if let Some(t) = token {
            req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        self.send(req.body(Body::empty()).unwrap()).await
    }

    pub async fn post_json(&self, path: &str, token: Option<&str>, body: Value) -> Reply {
        let mut req = Request::post(path).header(header::CONTENT_TYPE, "application/json");
        if let Some(t) = token {
            req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        self.send(req.body(Body::from(body.to_string())).unwrap()).await
    }

    /// Logs in through the API and returns the bearer token.
    pub async fn token(&self, username: &str) -> String {
        let r =
            self.post_json("/api/v1/auth/login", None, serde_json::json!({"username": username, "password": PW})).await;
        assert_eq!(r.status, StatusCode::OK, "login of {username}: {}", r.body);
        r.json()["token"].as_str().unwrap().to_owned()
    }

    /// Uploads a register file through the API.
    pub async fn upload(&self, token: &str, kind: &str, query: &str, file_name: &str, bytes: &[u8]) -> Reply {
        let boundary = "XinspectorateX";
        let mut body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        )
        .into_bytes();
        body.extend_from_slice(bytes);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let req = Request::post(format!("/api/v1/imports/{kind}{query}"))
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
            .body(Body::from(body))
            .unwrap();
        self.send(req).await
    }

    /// Logs in through the login form and reads the CSRF token from the next page.
    pub async fn browser(&self, username: &str) -> Browser {
        let r = self.form("/login", None, &[("username", username), ("password", PW), ("next", "/")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "form login of {username}: {}", r.body);
        let set = r.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap();
        let cookie = set.split(';').next().unwrap().to_owned();
        let page = self.page("/account/password", &cookie).await;
        let csrf = page.body.split("name=\"csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
        Browser { cookie, csrf }
    }

    pub async fn page(&self, path: &str, cookie: &str) -> Reply {
        self.send(Request::get(path).header(header::COOKIE, cookie).body(Body::empty()).unwrap()).await
    }

    /// Submits a URL-encoded form, as a same-origin browser would.
    pub async fn form(&self, path: &str, cookie: Option<&str>, fields: &[(&str, &str)]) -> Reply {
        let body: Vec<String> =
            fields.iter().map(|(k, v)| format!("{k}={}", inspectorate::web::auth::urlencode(v))).collect();
        let mut req = Request::post(path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header("sec-fetch-site", "same-origin");
        if let Some(c) = cookie {
            req = req.header(header::COOKIE, c);
        }
        self.send(req.body(Body::from(body.join("&"))).unwrap()).await
    }

    pub async fn audit_actions(&self) -> Vec<(String, String, String)> {
        let page = store::audit::list(&self.state.app.db, &Default::default(), domain_page()).await.unwrap();
        page.items.into_iter().map(|e| (e.event.actor, e.event.action, e.event.result)).collect()
    }
}

fn domain_page() -> store::domain::page::PageRequest {
    store::domain::page::PageRequest::new(None, Some(200))
}

/// Runs the `inspectorate` binary on a database: (exit code, stdout, stderr).
pub fn run_cli(db: &str, args: &[&str]) -> (Option<i32>, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_inspectorate"))
        .args(args)
        .env("INSPECTORATE_DATABASE", db)
        .env("RUST_LOG", "warn")
        .output()
        .expect("run the inspectorate binary");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}
