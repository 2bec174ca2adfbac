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
    let url = c.current_url().await.map(|u| u.to_string()).unwrap_or_default();
    let body = match c.find(Locator::Css("main")).await {
        Ok(e) => e.text().await.unwrap_or_default(),
        Err(_) => String::new(),
    };
    panic!("{css} never matched; last text: {last:?}; page {url}: {body}");
}

async fn text_is(c: &Client, css: &str, want: &str) {
    until(c, css, |t| t == want).await;
}

async fn body_has(c: &Client, want: &str) -> String {
    until(c, "body", |t| t.contains(want)).await
}

/// A server on SQLite with the demo data on a loopback port, chromedriver, and a browser.
struct Session {
    base: String,
    c: Client,
    dir: tempfile::TempDir,
    _driver: Driver,
    _db: store::testing::TestDb,
}

async fn start() -> Session {
    start_with(false).await
}

/// A session on the demo registers, or on the reference scenario of BRIEF §9.
async fn start_with(scenario: bool) -> Session {
    let tdb = store::testing::TestDb::new(store::Backend::Sqlite).await;
    let app = App {
        db: tdb.db.clone(),
        clock: Arc::new(ManualClock::at(T0)),
        root_region: "340000".into(),
        evidence_dir: std::env::temp_dir().join("inspectorate-evidence"),
        keys: inspectorate::sealing::ephemeral_keys(),
        drawn: Default::default(),
    };
    inspectorate::refdata::sync(&app.db).await.unwrap();
    if scenario {
        assert!(inspectorate::demo::scenario::load(&app, &|_, _| {}).await.unwrap());
    } else {
        inspectorate::demo::load(&app).await.unwrap();
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let state = Arc::new(AppState { app, cookie_secure: false });
    tokio::spawn(async move { axum::serve(listener, inspectorate::web::router(state)).await });
    let dir = tempfile::tempdir().unwrap();
    let (driver, port) = start_driver().await;
    let c = browser(port, &dir.path().join("profile")).await;
    Session { base, c, dir, _driver: driver, _db: tdb }
}

async fn fill(c: &Client, id: &str, value: &str) {
    let e = c.find(Locator::Id(id)).await.unwrap_or_else(|e| panic!("#{id}: {e}"));
    e.clear().await.unwrap();
    e.send_keys(value).await.unwrap();
}

async fn click(c: &Client, id: &str) {
    c.find(Locator::Id(id)).await.unwrap_or_else(|e| panic!("#{id}: {e}")).click().await.unwrap();
}

async fn login(s: &Session, user: &str) {
    s.c.goto(&format!("{}/lang/zh?next=/login", s.base)).await.unwrap();
    text_is(&s.c, "h1", "登录").await;
    fill(&s.c, "username", user).await;
    fill(&s.c, "password", PW).await;
    click(&s.c, "login-submit").await;
    text_is(&s.c, "h1", "工作台").await;
}

async fn logout(s: &Session) {
    s.c.goto(&format!("{}/", s.base)).await.unwrap();
    text_is(&s.c, "h1", "工作台").await;
    s.c.find(Locator::Css("header form button")).await.unwrap().click().await.unwrap();
    text_is(&s.c, "h1", "登录").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_major_hazard_is_recorded_rectified_verified_and_closed_in_the_browser() {
    let s = start().await;
    let c = &s.c;
    let code = inspectorate::demo::demo_credit_code("341522", 0).to_string();
    // The city launches a special action covering today.
    login(&s, "luan").await;
    c.goto(&format!("{}/campaigns", s.base)).await.unwrap();
    fill(c, "name", "重大事故隐患专项排查整治").await;
    c.execute("document.getElementById('start_date').value = '2026-11-01'; document.getElementById('end_date').value = '2026-12-31'", vec![])
        .await
        .unwrap();
    fill(c, "stages", "动员部署,2026-11-01,2026-11-15").await;
    click(c, "create-campaign").await;
    text_is(c, "h1", "重大事故隐患专项排查整治").await;
    let campaign_url = c.current_url().await.unwrap().to_string();
    logout(&s).await;

    login(&s, "inspector1").await;
    c.goto(&format!("{}/enterprises?q={code}", s.base)).await.unwrap();
    text_is(c, "#result-count", "共: 1").await;
    c.find(Locator::Css("tbody td a")).await.unwrap().click().await.unwrap();
    body_has(c, &code).await;
    click(c, "report-hazard-link").await;
    text_is(c, "h1", "登记隐患").await;
    fill(c, "description", "液氨储罐区未设置泄漏报警装置").await;
    c.find(Locator::Css("#grade option[value='major']")).await.unwrap().click().await.unwrap();
    c.find(Locator::Css("#criterion option[value='chemicals']")).await.unwrap().click().await.unwrap();
    fill(c, "criterion_clause", "第十条").await;
    fill(c, "five_responsibility", "总经理").await;
    fill(c, "five_measures", "加装报警并联锁").await;
    fill(c, "five_funds_yuan", "120000").await;
    // Typing into a date input depends on the browser's locale; set its value directly.
    c.execute("document.getElementById('five_deadline').value = '2026-12-20'", vec![]).await.unwrap();
    fill(c, "five_contingency_plan", "泄漏专项预案").await;
    fill(c, "rectification_plan", "12月20日前完成").await;
    click(c, "report-hazard").await;
    text_is(c, "#hazard-status", "已登记").await;
    let url = c.current_url().await.unwrap().to_string();
    // A photo of the finding, attached from the hazard's page.
    let photo = s.dir.path().join("before.jpg");
    std::fs::write(&photo, [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F']).unwrap();
    c.find(Locator::Id("evidence-file")).await.unwrap().send_keys(photo.to_str().unwrap()).await.unwrap();
    fill(c, "evidence-note", "储罐区现场照片").await;
    click(c, "attach-evidence").await;
    until(c, "#timeline", |t| t.contains("储罐区现场照片")).await;
    assert_eq!(
        c.find_all(Locator::Css("#timeline a.evidence")).await.unwrap().len(),
        1,
        "the photo is linked from the timeline"
    );
    logout(&s).await;

    login(&s, "huoqiu").await;
    c.goto(&url).await.unwrap();
    fill(c, "unit-assign", "生产部").await;
    fill(c, "person-assign", "李四").await;
    click(c, "act-assign").await;
    text_is(c, "#hazard-status", "已交办").await;
    logout(&s).await;

    login(&s, "enterprise1").await;
    c.find(Locator::LinkText("隐患台账")).await.unwrap().click().await.unwrap();
    text_is(c, "#result-count", "共: 1").await;
    c.goto(&url).await.unwrap();
    fill(c, "note-submit_rectification", "已安装报警装置并与切断阀联锁").await;
    click(c, "act-submit_rectification").await;
    text_is(c, "#hazard-status", "已提交整改").await;
    logout(&s).await;

    login(&s, "huoqiu").await;
    c.goto(&url).await.unwrap();
    click(c, "act-verify").await;
    text_is(c, "#hazard-status", "已验收").await;
    click(c, "act-close").await;
    text_is(c, "#hazard-status", "已销号").await;
    let timeline = until(c, "#timeline", |t| t.contains("销号")).await;
    for who in ["inspector1", "huoqiu", "enterprise1"] {
        assert!(timeline.contains(who), "{who} in the timeline: {timeline}");
    }
    c.goto(&format!("{}/hazards?status=closed&grade=major", s.base)).await.unwrap();
    text_is(c, "#result-count", "共: 1").await;
    // The special action's progress counts the hazard as found and rectified.
    c.goto(&campaign_url).await.unwrap();
    let progress = until(c, "#progress", |t| t.contains("霍邱县")).await;
    assert!(progress.contains("100.0%"), "{progress}");
    s.c.clone().close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_county_draws_a_spot_check_records_an_inspection_decides_a_penalty_and_the_public_sees_it() {
    let s = start().await;
    let c = &s.c;
    login(&s, "huoqiu").await;
    c.goto(&format!("{}/plans/new", s.base)).await.unwrap();
    fill(c, "name", "第四季度双随机抽查").await;
    c.execute("document.getElementById('period_start').value = '2026-10-01'; document.getElementById('period_end').value = '2026-12-31'", vec![])
        .await
        .unwrap();
    fill(c, "check_items", "安全生产责任制；隐患排查治理").await;
    click(c, "create-plan").await;
    text_is(c, "#plan-status", "草稿").await;
    click(c, "commit-plan").await;
    text_is(c, "#plan-status", "已冻结，待抽取").await;
    fill(c, "beacon", "2026-11-27 福彩3D 4 1 7").await;
    click(c, "draw-plan").await;
    text_is(c, "#plan-status", "已抽取并公示").await;
    // Anyone can see it on the public page, with the record to download.
    click(c, "public-link").await;
    let result = until(c, "#draw-result", |t| t.contains("91341522")).await;
    assert!(result.lines().count() > 5, "{result}");
    assert!(c.find(Locator::Id("record-link")).await.is_ok());
    c.back().await.unwrap();
    // Record the inspection of the first drawn enterprise, with a finding.
    let drawn_code = c.find(Locator::Css("#assignments tbody td")).await.unwrap().text().await.unwrap();
    c.find(Locator::Css("#assignments tbody a")).await.unwrap().click().await.unwrap();
    text_is(c, "h1", "录入检查").await;
    let officers = c.find(Locator::Id("officers")).await.unwrap().prop("value").await.unwrap().unwrap_or_default();
    assert_eq!(officers.split(',').count(), 2, "the drawn team is filled in: {officers}");
    c.find(Locator::Css("#outcome option[value='order_to_correct']")).await.unwrap().click().await.unwrap();
    fill(c, "finding_description", "应急照明损坏").await;
    c.execute("document.getElementById('finding_deadline').value = '2026-12-20'", vec![]).await.unwrap();
    click(c, "record-inspection").await;
    let list = until(c, "#inspections", |t| t.contains("JC-341522")).await;
    assert!(list.contains("责令改正"), "{list}");
    c.goto(&format!("{}/hazards?source=spot_check", s.base)).await.unwrap();
    text_is(c, "#result-count", "共: 1").await;
    // The result is public, without anyone's name.
    c.goto(&format!("{}/public/inspections", s.base)).await.unwrap();
    let public = until(c, "#public-results", |t| t.contains("发现问题")).await;
    assert!(!public.contains("AH341522"), "officers are not listed: {public}");
    // A penalty case for the drawn enterprise, decided and published.
    c.goto(&format!("{}/penalties?code={drawn_code}", s.base)).await.unwrap();
    fill(c, "facts", "应急照明损坏且拒不整改").await;
    c.find(Locator::Css("#legal_basis option[value='wsl-102']")).await.unwrap().click().await.unwrap();
    fill(c, "fine_yuan", "20000").await;
    click(c, "file-case").await;
    text_is(c, "#case-status", "已立案").await;
    click(c, "case-investigate").await;
    text_is(c, "#case-status", "调查终结").await;
    click(c, "case-notify").await;
    text_is(c, "#case-status", "已告知（陈述申辩期）").await;
    assert_eq!(
        until(c, "#case-deadline", |t| !t.is_empty()).await,
        "2026-12-02",
        "3 working days after a Saturday notice"
    );
    click(c, "case-decide").await;
    text_is(c, "#case-status", "已决定").await;
    c.goto(&format!("{}/public/penalties", s.base)).await.unwrap();
    let decisions = until(c, "#public-results", |t| t.contains(&drawn_code)).await;
    assert!(decisions.contains("20000.00") && decisions.contains("第一百零二条"), "{decisions}");
    assert!(!decisions.contains("拒不整改"), "facts are not published");
    s.c.clone().close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_county_office_logs_in_browses_filters_and_imports_in_both_languages() {
    let s = start().await;
    let (base, c, dir) = (&s.base, &s.c, &s.dir);

    // Chinese first, chosen with the switch (the browser itself may prefer English).
    c.goto(&format!("{base}/lang/zh?next=/login")).await.unwrap();
    text_is(c, "h1", "登录").await;
    c.find(Locator::Id("username")).await.unwrap().send_keys("huoqiu").await.unwrap();
    c.find(Locator::Id("password")).await.unwrap().send_keys(PW).await.unwrap();
    c.find(Locator::Id("login-submit")).await.unwrap().click().await.unwrap();
    text_is(c, "h1", "工作台").await;
    body_has(c, "霍邱县").await;
    let nav = until(c, "nav.main", |_| true).await;
    assert!(nav.contains("名录导入") && !nav.contains("审计日志"), "navigation fits the role: {nav}");

    // Browse, paginate, filter.
    c.find(Locator::LinkText("生产经营单位")).await.unwrap().click().await.unwrap();
    text_is(c, "#result-count", "共: 300").await;
    c.find(Locator::Id("next-page")).await.unwrap().click().await.unwrap();
    body_has(c, "第 2 / 6").await;
    c.find(Locator::Css("#risk option[value='major']")).await.unwrap().click().await.unwrap();
    c.find(Locator::Id("filter-submit")).await.unwrap().click().await.unwrap();
    let count: i64 = until(c, "#result-count", |t| t != "共: 300").await.trim_start_matches("共: ").parse().unwrap();
    assert!(count > 0 && count < 300, "filtered count {count}");
    let risks = c.find_all(Locator::Css("tbody .risk")).await.unwrap();
    for r in &risks {
        assert_eq!(r.text().await.unwrap(), "重大风险");
    }
    let first = c.find(Locator::Css("tbody td a")).await.unwrap();
    let name = first.text().await.unwrap();
    first.click().await.unwrap();
    text_is(c, "h1", &name).await;
    body_has(c, "统一社会信用代码").await;

    // Import a file with one bad row: nothing is written and the report names the row.
    let good = inspectorate::demo::demo_credit_code("341522", 8000);
    let mut bad = inspectorate::demo::demo_credit_code("341522", 8001).to_string();
    bad.replace_range(17..18, if bad.ends_with('0') { "1" } else { "0" });
    let file = dir.path().join("register.csv");
    std::fs::write(&file, format!("统一社会信用代码,单位名称,行政区划代码,行业,风险等级\n{good},浏览器测试甲公司,341522,商贸,低\n{bad},浏览器测试乙公司,341522,商贸,低\n")).unwrap();
    c.goto(&format!("{base}/import")).await.unwrap();
    c.find(Locator::Id("file")).await.unwrap().send_keys(file.to_str().unwrap()).await.unwrap();
    c.find(Locator::Id("import-submit")).await.unwrap().click().await.unwrap();
    let report = until(c, "#import-report", |t| t.contains("存在错误，未写入任何数据")).await;
    assert!(report.contains("3 统一社会信用代码 校验码为"), "row 3's credit code is reported in Chinese: {report}");

    // Switch to English; the same page comes back in English. Import again, skipping the bad row.
    c.find(Locator::Id("lang-en")).await.unwrap().click().await.unwrap();
    text_is(c, "h1", "Import registers").await;
    c.find(Locator::Id("file")).await.unwrap().send_keys(file.to_str().unwrap()).await.unwrap();
    c.find(Locator::Css("input[name='skip_bad']")).await.unwrap().click().await.unwrap();
    c.find(Locator::Id("import-submit")).await.unwrap().click().await.unwrap();
    let report = until(c, "#import-report", |t| t.contains("Written.")).await;
    assert!(report.contains("Inserted: 1"), "{report}");
    assert!(report.contains("3 credit_code"), "{report}");

    // The imported enterprise is in the (English) list.
    c.goto(&format!("{base}/enterprises?q=%E6%B5%8F%E8%A7%88%E5%99%A8")).await.unwrap();
    text_is(c, "#result-count", "Total: 1").await;
    body_has(c, "浏览器测试甲公司").await;
    c.goto(&format!("{base}/officers")).await.unwrap();
    text_is(c, "h1", "Officers").await;
    if let Ok(path) = std::env::var("INSPECTORATE_SCREENSHOT") {
        c.goto(&format!("{base}/lang/zh?next=/enterprises")).await.unwrap();
        text_is(c, "h1", "生产经营单位").await;
        std::fs::write(path, c.screenshot().await.unwrap()).unwrap();
    }
    s.c.clone().close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_covert_plan_stays_sealed_until_the_visit_and_its_problem_is_handed_over_and_answered() {
    let s = start().await;
    let c = &s.c;
    login(&s, "luan").await;
    c.goto(&format!("{}/covert/new", s.base)).await.unwrap();
    fill(c, "name", "霍邱县危化企业暗访").await;
    c.execute("document.getElementById('date_from').value = '2026-11-28'; document.getElementById('date_to').value = '2026-12-05'", vec![])
        .await
        .unwrap();
    fill(c, "members", "inspector1").await;
    // Tick the first high-risk enterprise of Huoqiu.
    let picked = c
        .execute(
            "const row = [...document.querySelectorAll('#candidates tbody tr')].find(r => r.cells[3].textContent === '霍邱县');
             row.querySelector('input').click(); return row.cells[1].textContent;",
            vec![],
        )
        .await
        .unwrap();
    let target = picked.as_str().unwrap().to_owned();
    click(c, "create-covert").await;
    text_is(c, "#covert-status", "密封").await;
    let no = until(c, "#covert-no", |t| t.starts_with("AC-341500-")).await;
    let url = c.current_url().await.unwrap().to_string();
    logout(&s).await;

    // The county concerned does not know the plan exists.
    login(&s, "huoqiu").await;
    c.goto(&format!("{}/covert", s.base)).await.unwrap();
    text_is(c, "#result-count", "共: 0").await;
    c.goto(&url).await.unwrap();
    let body = body_has(c, "未找到").await;
    assert!(!body.contains(&target) && !body.contains(&no), "{body}");
    logout(&s).await;

    // The city records the visit and a problem handed to Huoqiu's government.
    login(&s, "luan").await;
    c.goto(&url).await.unwrap();
    c.execute("document.getElementById('visited_at').value = '2026-11-28T09:30'", vec![]).await.unwrap();
    fill(c, "place", "霍邱县经济开发区").await;
    click(c, "record-visit").await;
    text_is(c, "#covert-status", "已检查").await;
    fill(c, "description", "动火作业未审批").await;
    c.execute(
        "document.getElementById('enterprise_id').selectedIndex = 1;
         document.getElementById('hazard_deadline').value = '2026-12-15';
         document.getElementById('body_region').value = '341522';
         document.getElementById('handover_deadline').value = '2026-12-10';",
        vec![],
    )
    .await
    .unwrap();
    fill(c, "responsible_unit", "生产部").await;
    click(c, "add-problem").await;
    let problems = until(c, "#problems", |t| t.contains("JB-341500-2026-0001")).await;
    assert!(problems.contains("待反馈") && problems.contains(&target), "{problems}");
    logout(&s).await;

    // Now Huoqiu sees the plan, the hazard in its ledger and the handover, and answers it.
    login(&s, "huoqiu").await;
    c.goto(&format!("{}/covert", s.base)).await.unwrap();
    until(c, "#covert-plans", |t| t.contains(&no)).await;
    c.goto(&format!("{}/hazards?source=covert_check", s.base)).await.unwrap();
    text_is(c, "#result-count", "共: 1").await;
    c.goto(&format!("{}/covert/handovers", s.base)).await.unwrap();
    c.find(Locator::Css("#problems tbody a")).await.unwrap().click().await.unwrap();
    text_is(c, "#handover-status", "待反馈").await;
    fill(c, "note", "已责令企业停止动火作业并立案调查").await;
    click(c, "answer-handover").await;
    text_is(c, "#handover-status", "已反馈").await;
    let problem_url = c.current_url().await.unwrap().to_string();
    logout(&s).await;

    // The city accepts the answer.
    login(&s, "luan").await;
    c.goto(&problem_url).await.unwrap();
    text_is(c, "#handover-answer", "已责令企业停止动火作业并立案调查").await;
    click(c, "accept-handover").await;
    text_is(c, "#handover-status", "已销号").await;
    until(c, "#timeline", |t| t.contains("反馈") && t.contains("认可销号")).await;
    s.c.clone().close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cross_inspection_round_is_grouped_drawn_and_finds_a_hazard_for_the_inspected_county() {
    let s = start().await;
    let c = &s.c;
    login(&s, "luan").await;
    c.goto(&format!("{}/cross", s.base)).await.unwrap();
    fill(c, "name", "2026年冬季交叉互查").await;
    c.execute("document.getElementById('date_from').value = '2026-11-28'; document.getElementById('date_to').value = '2026-12-20'", vec![])
        .await
        .unwrap();
    click(c, "create-round").await;
    text_is(c, "#round-status", "草稿").await;
    click(c, "commit-round").await;
    text_is(c, "#round-status", "已冻结，待分组").await;
    fill(c, "beacon", "2026-11-27 福彩3D 3 0 8").await;
    click(c, "group-round").await;
    text_is(c, "#round-status", "已分组").await;
    fill(c, "team-beacon", "2026-11-28 福彩3D 5 5 1").await;
    click(c, "draw-teams").await;
    until(c, "#pairs", |t| t.matches("已抽取并公示").count() == 7).await;
    // Huoqiu's pair: where its team goes.
    let href = c
        .execute(
            "const row = [...document.querySelectorAll('#pairs tbody tr')].find(r => r.cells[0].textContent === '霍邱县');
             return row.cells[2].querySelector('a').getAttribute('href');",
            vec![],
        )
        .await
        .unwrap();
    let plan_url = format!("{}{}", s.base, href.as_str().unwrap());
    logout(&s).await;

    login(&s, "huoqiu").await;
    c.goto(&plan_url).await.unwrap();
    c.find(Locator::Css("#assignments tbody a")).await.unwrap().click().await.unwrap();
    text_is(c, "h1", "录入检查").await;
    c.find(Locator::Css("#outcome option[value='order_to_correct']")).await.unwrap().click().await.unwrap();
    fill(c, "finding_description", "消防通道堵塞").await;
    c.execute("document.getElementById('finding_deadline').value = '2026-12-20'", vec![]).await.unwrap();
    click(c, "record-inspection").await;
    until(c, "#inspections", |t| t.contains("JC-")).await;
    c.goto(&format!("{}/hazards?source=cross_inspection", s.base)).await.unwrap();
    text_is(c, "#result-count", "共: 0").await; // the hazard is the inspected county's, not Huoqiu's
    logout(&s).await;

    login(&s, "luan").await;
    c.goto(&format!("{}/hazards?source=cross_inspection", s.base)).await.unwrap();
    text_is(c, "#result-count", "共: 1").await;
    c.goto(&format!("{}/cross", s.base)).await.unwrap();
    c.find(Locator::Css("#rounds tbody a")).await.unwrap().click().await.unwrap();
    let row = c
        .execute(
            "return [...document.querySelectorAll('#pairs tbody tr')].find(r => r.cells[0].textContent === '霍邱县').innerText;",
            vec![],
        )
        .await
        .unwrap();
    let cells: Vec<&str> = row.as_str().unwrap().split('\t').collect();
    assert_eq!((cells[4], cells[5]), ("1", "1"), "one enterprise inspected, one general hazard: {cells:?}");
    s.c.clone().close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_province_ranks_the_cities_drills_into_an_indicator_and_prints_the_bulletin() {
    let s = start().await;
    let c = &s.c;
    // A major accident in Lu'an this quarter: Lu'an is vetoed and falls to the last place.
    login(&s, "huoqiu").await;
    c.goto(&format!("{}/accidents", s.base)).await.unwrap();
    c.execute("document.getElementById('occurred_at').value = '2026-11-20T10:00'", vec![]).await.unwrap();
    fill(c, "place", "霍邱县某化工厂").await;
    fill(c, "deaths", "10").await;
    fill(c, "description", "爆炸").await;
    click(c, "record-accident").await;
    until(c, "body", |t| t.contains("重大事故")).await;
    logout(&s).await;

    login(&s, "province").await;
    c.goto(&format!("{}/evaluation?period=2026Q4", s.base)).await.unwrap();
    let table = until(c, "#ranking", |t| t.contains("六安市")).await;
    assert_eq!(table.lines().filter(|l| l.contains('市')).count(), 16, "{table}");
    let luan = c
        .execute("return [...document.querySelectorAll('#ranking tbody tr')].find(r => r.cells[1].textContent === '六安市').innerText;", vec![])
        .await
        .unwrap();
    let cells: Vec<String> = luan.as_str().unwrap().split('\t').map(str::to_owned).collect();
    assert_eq!((cells[0].as_str(), cells[3].as_str()), ("16", "不合格 ⛔"), "{cells:?}");
    assert_eq!(cells[5], "▼15", "first of 16 last quarter (no records), last now");
    // Drill into Lu'an's accident indicator: the accidents behind it.
    c.execute(
        "const row = [...document.querySelectorAll('#ranking tbody tr')].find(r => r.cells[1].textContent === '六安市');
         row.cells[12].querySelector('a').click();",
        vec![],
    )
    .await
    .unwrap();
    until(c, "body", |t| t.contains("霍邱县某化工厂")).await;
    // The bulletin prints as an A4 notice in Chinese.
    c.goto(&format!("{}/evaluation?period=2026Q4", s.base)).await.unwrap();
    click(c, "bulletin-link").await;
    let title = until(c, "#bulletin-title", |t| !t.is_empty()).await;
    assert_eq!(title, "关于2026年第4季度各市安全生产工作考核情况的通报");
    let body = body_has(c, "一票否决").await;
    assert!(body.contains("六安市") && body.contains("下降15位"), "{body}");
    s.c.clone().close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_the_reference_scenario_the_province_sees_luan_first_in_2023q3_drills_down_and_prints() {
    let s = start_with(true).await;
    let c = &s.c;
    login(&s, "province").await;
    c.goto(&format!("{}/evaluation?period=2023Q3", s.base)).await.unwrap();
    let table = until(c, "#ranking", |t| t.contains("六安市")).await;
    assert_eq!(table.lines().filter(|l| l.contains('市')).count(), 16, "{table}");
    let first = c.execute("return document.querySelector('#ranking tbody tr').innerText;", vec![]).await.unwrap();
    let cells: Vec<String> = first.as_str().unwrap().split('\t').map(str::to_owned).collect();
    assert_eq!((cells[0].as_str(), cells[1].as_str(), cells[5].as_str()), ("1", "六安市", "▲13"), "{cells:?}");
    // Drill into the cross-inspection indicator: the 321 hazards behind it.
    c.execute("document.querySelector('#ranking tbody tr').cells[11].querySelector('a').click();", vec![])
        .await
        .unwrap();
    let ledger = until(c, "body", |t| t.contains("交叉互查")).await;
    assert!(ledger.contains("321"), "the drill-down lists the quarter's cross-inspection hazards: {ledger}");
    // The bulletin of the quarter, to print.
    c.goto(&format!("{}/evaluation?period=2023Q3", s.base)).await.unwrap();
    click(c, "bulletin-link").await;
    let title = until(c, "#bulletin-title", |t| !t.is_empty()).await;
    assert_eq!(title, "关于2023年第3季度各市安全生产工作考核情况的通报");
    let body = body_has(c, "六安市").await;
    assert!(body.contains("上升13位"), "{body}");
    s.c.clone().close().await.unwrap();
}
