//! `inspectorate bench http`: the server under a mixed load, as its users would load it.
//!
//! The server is the real binary, started as a child process on the generated data of
//! [`super::Data`] (a scratch database, or one `inspectorate generate` filled before), so that
//! its peak memory (RSS) is its own.
//! A load generator in this process opens `connections` keep-alive HTTP/1.1 connections to it
//! on 127.0.0.1, each signed in as a county office with a bearer token, and sends requests one
//! after another for `seconds`:
//! - 70 % reads: ledger pages of the county (four filters, five pages) and the county's
//!   dashboard figures for one of eight quarters;
//! - 20 % hazard transitions: each connection moves its own hazard between "submitted" and
//!   "rectifying" (submit a rectification, reject it), with the version it last read;
//! - 10 % creates: a new general hazard at one of the county's enterprises.
//!
//! The baseline is the same server answering `GET /healthz` on the same connections for the
//! same time, measured first. Any answer but 2xx counts as an error.

use super::backend_name;
use anyhow::Context;
use axum::body::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::{Method, Request};
use std::path::Path;
use std::time::{Duration, Instant};

/// The county the load's account works in (Huoqiu, in Lu'an).
const COUNTY: &str = "341522";
const USERNAME: &str = "bench_county";
const PASSWORD: &str = "bench-password-1";

/// What a load run measured.
#[derive(Debug, Clone, serde::Serialize)]
pub struct LoadResult {
    /// What was measured.
    pub operation: String,
    /// `sqlite` or `postgres`.
    pub backend: &'static str,
    /// Concurrent keep-alive connections.
    pub connections: usize,
    /// Seconds the load ran.
    pub seconds: f64,
    /// Requests answered.
    pub requests: usize,
    /// Answers other than 2xx, and failed connections.
    pub errors: usize,
    /// The first error seen, for the report.
    pub first_error: Option<String>,
    /// Median latency in seconds.
    pub p50_seconds: f64,
    /// 99th percentile latency in seconds.
    pub p99_seconds: f64,
    /// Peak resident memory of the server process in bytes, when the OS reports it.
    pub peak_rss_bytes: Option<u64>,
    /// CPU time (user and system) the server process spent during the run, in seconds, when
    /// the OS reports it: divided by the requests, what a request costs the server, which
    /// another tenant of the machine changes less than it changes the rate.
    pub server_cpu_seconds: Option<f64>,
    /// Per kind of request: name, requests, median and 99th percentile latency in seconds,
    /// and the mean size of its answers' bodies in bytes (what both ends of the load handle).
    pub by_kind: Vec<(&'static str, usize, f64, f64, f64)>,
}

impl LoadResult {
    /// Requests per second.
    pub fn rate(&self) -> f64 {
        self.requests as f64 / self.seconds
    }

    /// Server CPU milliseconds per request answered.
    pub fn cpu_ms_per_request(&self) -> Option<f64> {
        self.server_cpu_seconds.map(|s| s * 1e3 / self.requests.max(1) as f64)
    }
}

/// Prints load results as a Markdown table, each run beside its baseline's rate.
pub fn table(runs: &[(LoadResult, LoadResult)]) -> String {
    let mut out = String::from(
        "| operation | backend | connections | s | requests | req/s | p50 (ms) | p99 (ms) | errors | baseline req/s | baseline p99 (ms) | ratio of rates | server CPU per request (ms) | baseline (ms) | server peak RSS (MB) |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n",
    );
    for (run, base) in runs {
        let rss = run.peak_rss_bytes.map_or("n/a".to_owned(), |b| format!("{:.0}", b as f64 / 1_048_576.0));
        let cpu = |r: &LoadResult| r.cpu_ms_per_request().map_or("n/a".to_owned(), |ms| format!("{ms:.3}"));
        out.push_str(&format!(
            "| {} | {} | {} | {:.0} | {} | {:.0} | {:.1} | {:.1} | {} | {:.0} | {:.1} | {:.2} | {} | {} | {rss} |\n",
            run.operation,
            run.backend,
            run.connections,
            run.seconds,
            run.requests,
            run.rate(),
            run.p50_seconds * 1e3,
            run.p99_seconds * 1e3,
            run.errors,
            base.rate(),
            base.p99_seconds * 1e3,
            base.rate() / run.rate(),
            cpu(run),
            cpu(base),
        ));
    }
    out.push_str(
        "\n| backend | request | share | p50 (ms) | p99 (ms) | answer (bytes, mean) |\n|---|---|---|---|---|---|\n",
    );
    for (run, _) in runs {
        for (name, n, p50, p99, bytes) in &run.by_kind {
            out.push_str(&format!(
                "| {} | {name} | {:.0} % | {:.1} | {:.1} | {bytes:.0} |\n",
                run.backend,
                *n as f64 * 100.0 / run.requests.max(1) as f64,
                p50 * 1e3,
                p99 * 1e3
            ));
        }
    }
    out
}

/// Runs the mixed load against `server` (the `inspectorate` binary) on `backend` with
/// `hazards` hazards of generated data; returns the run and its `/healthz` baseline.
pub async fn http(
    data: &super::Data,
    server: &Path,
    seconds: f64,
    connections: usize,
) -> anyhow::Result<(LoadResult, LoadResult)> {
    let opened = data.open().await?;
    let (app, hazards, backend) = (&opened.app, opened.hazards, opened.app.db.backend());
    // The load's account (already there when an existing database was measured before).
    let exists = store::user::by_username(&app.db, USERNAME).await?.is_some();
    let mut tx = app.db.begin().await?;
    let account = store::user::NewUser {
        username: USERNAME.into(),
        display_name: "基准测试县应急管理局".into(),
        role: domain::access::Role::CountyOffice,
        region_code: COUNTY.into(),
        enterprise_id: None,
        department: None,
        password_hash: crate::service::auth::hash_password(PASSWORD).await?,
        must_change_password: false,
    };
    if !exists {
        crate::demo::create_account(app, &mut tx, &crate::service::Actor::cli(), &account).await?;
    }
    tx.commit().await?;
    let enterprises: Vec<String> = store::enterprise::all_keys(&app.db)
        .await?
        .into_iter()
        .filter(|e| e.1 == COUNTY)
        .take(200)
        .map(|e| e.0)
        .collect();
    anyhow::ensure!(!enterprises.is_empty(), "no enterprise in {COUNTY}: generate more rows");
    let child = Server::start(server, &opened.url).await?;
    let deadline = app.today().checked_add(jiff::Span::new().days(30))?.to_string();
    let outcome = load(&child, &enterprises, &deadline, seconds, connections).await;
    let rss = child.peak_rss();
    child.stop().await;
    opened.close().await;
    let (mut run, mut base) = outcome?;
    run.peak_rss_bytes = rss;
    base.peak_rss_bytes = rss;
    run.backend = backend_name(backend);
    base.backend = backend_name(backend);
    run.operation = format!("HTTP mixed load (70 % reads, 20 % transitions, 10 % creates; {hazards} hazards)");
    Ok((run, base))
}

async fn load(
    server: &Server,
    enterprises: &[String],
    deadline: &str,
    seconds: f64,
    connections: usize,
) -> anyhow::Result<(LoadResult, LoadResult)> {
    let mut workers = Vec::with_capacity(connections);
    for _ in 0..connections.max(1) {
        workers.push(Connection::open(server.addr).await?);
    }
    let token = workers[0].login().await?;
    for w in &mut workers {
        w.token = token.clone();
        w.deadline = deadline.to_owned();
    }
    let duration = Duration::from_secs_f64(seconds);
    let cpu = server.cpu_seconds();
    let mut baseline = phase(&mut workers, duration, |_, _| Op::Health).await;
    baseline.server_cpu_seconds = cpu.zip(server.cpu_seconds()).map(|(before, after)| after - before);
    for (i, w) in workers.iter_mut().enumerate() {
        w.own_hazard(&enterprises[i % enterprises.len()]).await.context("preparing a connection's hazard")?;
    }
    let enterprises = enterprises.to_vec();
    let cpu = server.cpu_seconds();
    let mut run = phase(&mut workers, duration, move |i, r| match r % 100 {
        0..=39 => Op::Ledger(r / 100 % 20),
        40..=69 => Op::Dashboard(r / 100 % 8),
        70..=89 => Op::Transition,
        _ => Op::Create(enterprises[(i + (r / 100) as usize) % enterprises.len()].clone()),
    })
    .await;
    run.server_cpu_seconds = cpu.zip(server.cpu_seconds()).map(|(before, after)| after - before);
    Ok((run, LoadResult { operation: "GET /healthz (baseline)".into(), ..baseline }))
}

/// One kind of request of the mix.
enum Op {
    Health,
    Ledger(u64),
    Dashboard(u64),
    Transition,
    Create(String),
}

impl Op {
    /// Names of the kinds, indexed by [`Op::kind`].
    const KINDS: [&'static str; 5] = ["healthz", "ledger page", "dashboard", "transition", "create"];

    fn kind(&self) -> usize {
        match self {
            Op::Health => 0,
            Op::Ledger(_) => 1,
            Op::Dashboard(_) => 2,
            Op::Transition => 3,
            Op::Create(_) => 4,
        }
    }
}

/// Median and 99th percentile of sorted latencies.
fn percentiles(sorted: &[f64]) -> (f64, f64) {
    (super::quantile(sorted, 0.5), super::quantile(sorted, 0.99))
}

/// Runs every connection for `duration`, each choosing its requests with `choose(index, random)`.
async fn phase(
    workers: &mut Vec<Connection>,
    duration: Duration,
    choose: impl Fn(usize, u64) -> Op + Clone + Send + 'static,
) -> LoadResult {
    let deadline = Instant::now() + duration;
    let started = Instant::now();
    let tasks: Vec<_> = workers
        .drain(..)
        .enumerate()
        .map(|(i, mut c)| {
            let choose = choose.clone();
            tokio::spawn(async move {
                let mut rng = crate::demo::SplitMix(i as u64 + 1);
                let (mut times, mut errors, mut first_error) = (Vec::new(), 0usize, None);
                while Instant::now() < deadline {
                    let op = choose(i, rng.next());
                    let kind = op.kind();
                    let (t, answered) = (Instant::now(), c.answered_bytes);
                    match c.send(op).await {
                        Ok(()) => times.push((kind, t.elapsed().as_secs_f64(), c.answered_bytes - answered)),
                        Err(e) => {
                            errors += 1;
                            first_error.get_or_insert_with(|| format!("{e:#}"));
                            if c.broken {
                                break;
                            }
                        }
                    }
                }
                (c, times, errors, first_error)
            })
        })
        .collect();
    let (mut times, mut errors, mut first_error) = (Vec::new(), 0, None);
    for t in tasks {
        match t.await {
            Ok((c, ts, e, fe)) => {
                workers.push(c);
                times.extend(ts);
                errors += e;
                first_error = first_error.or(fe);
            }
            Err(e) => {
                errors += 1;
                first_error = first_error.or(Some(e.to_string()));
            }
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    times.sort_by(|a: &(usize, f64, usize), b| a.1.total_cmp(&b.1));
    let by_kind = Op::KINDS
        .iter()
        .enumerate()
        .filter_map(|(k, name)| {
            let mine: Vec<f64> = times.iter().filter(|t| t.0 == k).map(|t| t.1).collect();
            let bytes: usize = times.iter().filter(|t| t.0 == k).map(|t| t.2).sum();
            let (p50, p99) = percentiles(&mine);
            (!mine.is_empty()).then(|| (*name, mine.len(), p50, p99, bytes as f64 / mine.len() as f64))
        })
        .collect();
    let all: Vec<f64> = times.iter().map(|t| t.1).collect();
    let (p50_seconds, p99_seconds) = percentiles(&all);
    LoadResult {
        operation: String::new(),
        backend: "",
        connections: workers.len(),
        seconds: elapsed,
        requests: times.len(),
        errors,
        first_error,
        p50_seconds,
        p99_seconds,
        peak_rss_bytes: None,
        server_cpu_seconds: None,
        by_kind,
    }
}

/// One keep-alive connection of the load generator, with the hazard it moves.
struct Connection {
    sender: hyper::client::conn::http1::SendRequest<Full<Bytes>>,
    host: String,
    token: String,
    /// The deadline of the hazards it creates (a month from today).
    deadline: String,
    hazard: Option<(String, i64, bool)>,
    broken: bool,
    /// Bytes of answer bodies received so far.
    answered_bytes: usize,
}

impl Connection {
    async fn open(addr: std::net::SocketAddr) -> anyhow::Result<Self> {
        let stream = tokio::net::TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        let (sender, conn) = hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream)).await?;
        tokio::spawn(conn);
        Ok(Self {
            sender,
            host: addr.to_string(),
            token: String::new(),
            deadline: String::new(),
            hazard: None,
            broken: false,
            answered_bytes: 0,
        })
    }

    /// Sends one request and reads the whole answer; an answer but 2xx is an error.
    async fn call(&mut self, method: Method, path: &str, body: Option<serde_json::Value>) -> anyhow::Result<Bytes> {
        let mut req = Request::builder().method(method).uri(path).header("host", &self.host);
        if !self.token.is_empty() {
            req = req.header("authorization", format!("Bearer {}", self.token));
        }
        let body = match body {
            Some(json) => {
                req = req.header("content-type", "application/json");
                Full::new(Bytes::from(json.to_string()))
            }
            None => Full::new(Bytes::new()),
        };
        self.sender.ready().await.inspect_err(|_| self.broken = true)?;
        let res = self.sender.send_request(req.body(body)?).await.inspect_err(|_| self.broken = true)?;
        let status = res.status();
        let bytes = res.into_body().collect().await.inspect_err(|_| self.broken = true)?.to_bytes();
        self.answered_bytes += bytes.len();
        anyhow::ensure!(
            status.is_success(),
            "{path}: {status}: {}",
            String::from_utf8_lossy(&bytes[..bytes.len().min(200)])
        );
        Ok(bytes)
    }

    async fn login(&mut self) -> anyhow::Result<String> {
        let body = serde_json::json!({"username": USERNAME, "password": PASSWORD});
        let answer: serde_json::Value =
            serde_json::from_slice(&self.call(Method::POST, "/api/v1/auth/login", Some(body)).await?)?;
        answer["token"].as_str().map(str::to_owned).context("no token in the login answer")
    }

    /// Creates and assigns the hazard this connection will move back and forth.
    async fn own_hazard(&mut self, enterprise: &str) -> anyhow::Result<()> {
        let created = self.create(enterprise).await?;
        let id = created["id"].as_str().context("no id")?.to_owned();
        let version = created["version"].as_i64().context("no version")?;
        let step = serde_json::json!({"action": "assign", "version": version,
            "responsible_unit": "设备科", "responsible_person": "张三"});
        let assigned: serde_json::Value = serde_json::from_slice(
            &self.call(Method::POST, &format!("/api/v1/hazards/{id}/transitions"), Some(step)).await?,
        )?;
        self.hazard = Some((id, assigned["version"].as_i64().context("no version")?, false));
        Ok(())
    }

    async fn create(&mut self, enterprise: &str) -> anyhow::Result<serde_json::Value> {
        let body = serde_json::json!({"enterprise_id": enterprise, "description": "基准测试：消防通道堵塞",
            "grade": "general", "source": "department_inspection", "deadline": self.deadline});
        Ok(serde_json::from_slice(&self.call(Method::POST, "/api/v1/hazards", Some(body)).await?)?)
    }

    async fn send(&mut self, op: Op) -> anyhow::Result<()> {
        match op {
            Op::Health => {
                self.call(Method::GET, "/healthz", None).await?;
            }
            Op::Ledger(v) => {
                let filter =
                    ["", "&status=rectifying&sort=deadline", "&grade=major", "&overdue=true"][(v % 4) as usize];
                let path = format!("/api/v1/hazards?page={}&per_page=50{filter}", v / 4 + 1);
                self.call(Method::GET, &path, None).await?;
            }
            Op::Dashboard(q) => {
                let path = format!("/api/v1/figures?region={COUNTY}&period={}Q{}", 2024 + q / 4, q % 4 + 1);
                self.call(Method::GET, &path, None).await?;
            }
            Op::Transition => {
                let (id, version, submitted) = self.hazard.clone().context("no hazard of its own")?;
                let step = if submitted {
                    serde_json::json!({"action": "reject", "version": version, "note": "整改不到位，退回"})
                } else {
                    serde_json::json!({"action": "submit_rectification", "version": version, "note": "已清理通道"})
                };
                let path = format!("/api/v1/hazards/{id}/transitions");
                let answer: serde_json::Value =
                    serde_json::from_slice(&self.call(Method::POST, &path, Some(step)).await?)?;
                self.hazard = Some((id, answer["version"].as_i64().context("no version")?, !submitted));
            }
            Op::Create(enterprise) => {
                self.create(&enterprise).await?;
            }
        }
        Ok(())
    }
}

/// The server binary running as a child process on a scratch database.
struct Server {
    child: tokio::process::Child,
    addr: std::net::SocketAddr,
    dir: std::path::PathBuf,
}

impl Server {
    /// Starts `exe serve` on a free loopback port and waits until it listens.
    async fn start(exe: &Path, database: &str) -> anyhow::Result<Self> {
        let dir = std::env::temp_dir().join(format!("inspectorate-bench-{}", store::new_id()));
        std::fs::create_dir_all(&dir)?;
        let config = dir.join("bench.toml");
        std::fs::write(
            &config,
            format!(
                "evidence_dir = {:?}\ncovert_key_file = {:?}\n",
                dir.join("evidence").display().to_string(),
                dir.join("covert.key").display().to_string()
            ),
        )?;
        let log = dir.join("server.log");
        let child = tokio::process::Command::new(exe)
            .arg("--config")
            .arg(&config)
            .args(["--database", database, "serve", "--addr", "127.0.0.1:0"])
            .stdout(std::process::Stdio::null())
            .stderr(std::fs::File::create(&log)?)
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("starting {}", exe.display()))?;
        let started = Instant::now();
        loop {
            let text = std::fs::read_to_string(&log).unwrap_or_default();
            if let Some(rest) = text.split("serving on http://").nth(1) {
                let addr = rest.split_whitespace().next().unwrap_or_default().parse()?;
                return Ok(Self { child, addr, dir });
            }
            anyhow::ensure!(started.elapsed() < Duration::from_secs(120), "the server did not start: {text}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The server's peak resident set (VmHWM), on Linux.
    fn peak_rss(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()?)).ok()?;
        let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
        line.split_whitespace().nth(1)?.parse::<u64>().ok().map(|kb| kb * 1024)
    }

    /// CPU time the server has used so far (user and system), on Linux: `/proc/<pid>/stat`
    /// counts it in clock ticks of 1/100 s (`USER_HZ`, fixed at 100 for user space there).
    fn cpu_seconds(&self) -> Option<f64> {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.child.id()?)).ok()?;
        // Fields after the command name (which is in parentheses and may hold spaces):
        // state is field 3, utime field 14 and stime field 15.
        let rest = stat.rsplit_once(')')?.1;
        let fields: Vec<&str> = rest.split_whitespace().collect();
        let ticks = |i: usize| fields.get(i - 3)?.parse::<u64>().ok();
        Some((ticks(14)? + ticks(15)?) as f64 / 100.0)
    }

    async fn stop(mut self) {
        let _ = self.child.kill().await;
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
