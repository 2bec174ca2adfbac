//! The web UI in a real browser (Debian's headless Chromium through chromedriver): log in,
//! browse and filter enterprises, open one, import a file with a bad row and read the
//! report, in Chinese and then in English.
//!
//! Needs `chromium` and `chromium-driver` (scripts/test installs them). If they are missing
//! the test fails and says so: a browser test that skips itself checks nothing.

use crate::helpers::{PW, T0};
use fantoccini::{Client, ClientBuilder, Locator};
use inspectorate::clock::ManualClock;
use inspectorate::service::App;
use inspectorate::web::AppState;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

async fn start_driver() -> (Driver, u16) {
    let port = free_port();
    let driver = Driver(Command::new(std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into()))
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("chromedriver is required for the browser test ({e}); run ./scripts/test or apt-get install chromium chromium-driver")));
    // Wait until it listens (readiness, not a fixed sleep).
    for _ in 0..200 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
            return (driver, port);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("chromedriver did not start listening on port {port}");
}

async fn browser(driver_port: u16, profile: &std::path::Path) -> Client {
    let args = [
        "--headless=new".to_owned(),
        "--no-sandbox".into(),
        "--disable-gpu".into(),
        "--disable-dev-shm-usage".into(),
        "--disable-background-networking".into(),
        "--disable-component-update".into(),
        "--disable-sync".into(),
        "--disable-quic".into(),
        "--no-first-run".into(),
        "--window-size=1280,900".into(),
        format!("--user-data-dir={}", profile.display()),
    ];
    let mut caps = serde_json::Map::new();
    caps.insert("goog:chromeOptions".into(), serde_json::json!({"args": args, "binary": "/usr/bin/chromium"}));
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{driver_port}"))
        .await
        .expect("start a Chromium session")
}

/// The text of the first element matching `css` once `ok` accepts it. Clicks that navigate
/// return before the next page is there, so every read after one waits for its page.
async fn until(c: &Client, css: &str, ok: impl Fn(&str) -> bool) -> String {
    let mut last = String::new();
    for _ in 0..200 {
        if let Ok(e) = c.find(Locator::Css(css)).await
            && let Ok(t) = e.text().await
        {
            if ok(&t) {
                return t;
            }
            last = t;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{css} never matched; last text: {last}");
}

async fn text_is(c: &Client, css: &str, want: &str) {
    until(c, css, |t| t == want).await;
}

async fn body_has(c: &Client, want: &str) -> String {
    until(c, "body", |t| t.contains(want)).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_county_office_logs_in_browses_filters_and_imports_in_both_languages() {
    // The server, on SQLite with the demo data, on a loopback port.
    let tdb = store::testing::TestDb::new(store::Backend::Sqlite).await;
    let app = App { db: tdb.db.clone(), clock: Arc::new(ManualClock::at(T0)), root_region: "340000".into() };
    inspectorate::refdata::sync(&app.db).await.unwrap();
    inspectorate::demo::load(&app).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let state = Arc::new(AppState { app, cookie_secure: false });
    tokio::spawn(async move { axum::serve(listener, inspectorate::web::router(state)).await });

    let dir = tempfile::tempdir().unwrap();
    let (_driver, port) = start_driver().await;
    let c = browser(port, &dir.path().join("profile")).await;

    // Chinese first, chosen with the switch (the browser itself may prefer English).
    c.goto(&format!("{base}/lang/zh?next=/login")).await.unwrap();
    text_is(&c, "h1", "登录").await;
    c.find(Locator::Id("username")).await.unwrap().send_keys("huoqiu").await.unwrap();
    c.find(Locator::Id("password")).await.unwrap().send_keys(PW).await.unwrap();
    c.find(Locator::Id("login-submit")).await.unwrap().click().await.unwrap();
    text_is(&c, "h1", "工作台").await;
    body_has(&c, "霍邱县").await;
    let nav = until(&c, "nav.main", |_| true).await;
    assert!(nav.contains("名录导入") && !nav.contains("审计日志"), "navigation fits the role: {nav}");

    // Browse, paginate, filter.
    c.find(Locator::LinkText("生产经营单位")).await.unwrap().click().await.unwrap();
    text_is(&c, "#result-count", "共: 300").await;
    c.find(Locator::Id("next-page")).await.unwrap().click().await.unwrap();
    body_has(&c, "第 2 / 6").await;
    c.find(Locator::Css("#risk option[value='major']")).await.unwrap().click().await.unwrap();
    c.find(Locator::Id("filter-submit")).await.unwrap().click().await.unwrap();
    let count: i64 = until(&c, "#result-count", |t| t != "共: 300").await.trim_start_matches("共: ").parse().unwrap();
    assert!(count > 0 && count < 300, "filtered count {count}");
    let risks = c.find_all(Locator::Css("tbody .risk")).await.unwrap();
    for r in &risks {
        assert_eq!(r.text().await.unwrap(), "重大风险");
    }
    let first = c.find(Locator::Css("tbody td a")).await.unwrap();
    let name = first.text().await.unwrap();
    first.click().await.unwrap();
    text_is(&c, "h1", &name).await;
    body_has(&c, "统一社会信用代码").await;

    // Import a file with one bad row: nothing is written and the report names the row.
    let good = inspectorate::demo::demo_credit_code("341522", 8000);
    let mut bad = inspectorate::demo::demo_credit_code("341522", 8001).to_string();
    bad.replace_range(17..18, if bad.ends_with('0') { "1" } else { "0" });
    let file = dir.path().join("register.csv");
    std::fs::write(&file, format!("统一社会信用代码,单位名称,行政区划代码,行业,风险等级\n{good},浏览器测试甲公司,341522,商贸,低\n{bad},浏览器测试乙公司,341522,商贸,低\n")).unwrap();
    c.goto(&format!("{base}/import")).await.unwrap();
    c.find(Locator::Id("file")).await.unwrap().send_keys(file.to_str().unwrap()).await.unwrap();
    c.find(Locator::Id("import-submit")).await.unwrap().click().await.unwrap();
    let report = until(&c, "#import-report", |t| t.contains("存在错误，未写入任何数据")).await;
    assert!(report.contains("3 credit_code"), "row 3's credit code is reported: {report}");

    // Switch to English; the same page comes back in English. Import again, skipping the bad row.
    c.find(Locator::Id("lang-en")).await.unwrap().click().await.unwrap();
    text_is(&c, "h1", "Import registers").await;
    c.find(Locator::Id("file")).await.unwrap().send_keys(file.to_str().unwrap()).await.unwrap();
    c.find(Locator::Css("input[name='skip_bad']")).await.unwrap().click().await.unwrap();
    c.find(Locator::Id("import-submit")).await.unwrap().click().await.unwrap();
    let report = until(&c, "#import-report", |t| t.contains("Written.")).await;
    assert!(report.contains("Inserted: 1"), "{report}");
    assert!(report.contains("3 credit_code"), "{report}");

    // The imported enterprise is in the (English) list.
    c.goto(&format!("{base}/enterprises?q=%E6%B5%8F%E8%A7%88%E5%99%A8")).await.unwrap();
    text_is(&c, "#result-count", "Total: 1").await;
    body_has(&c, "浏览器测试甲公司").await;
    c.goto(&format!("{base}/officers")).await.unwrap();
    text_is(&c, "h1", "Officers").await;
    if let Ok(path) = std::env::var("INSPECTORATE_SCREENSHOT") {
        c.goto(&format!("{base}/lang/zh?next=/enterprises")).await.unwrap();
        text_is(&c, "h1", "生产经营单位").await;
        std::fs::write(path, c.screenshot().await.unwrap()).unwrap();
    }
    c.close().await.unwrap();
}
