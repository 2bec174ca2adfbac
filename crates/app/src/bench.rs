//! `inspectorate bench`: measures hot paths against a baseline run in the same process, on
//! scratch databases it creates and drops, and prints what it measured.
//!
//! Import: the full path an operator uses (read the CSV, validate every row, check existing
//! records, upsert, audit) against the storage floor: the same rows, already validated,
//! written with plain multi-row INSERTs into an empty table.

use crate::clock::SystemClock;
use crate::generate::principal;
use crate::import::Limits;
use crate::service::registers::ImportOptions;
use crate::service::{Actor, App};
use domain::register_row::{ColumnMap, RegisterKind, parse_enterprise};
use std::sync::Arc;
use std::time::Instant;
use store::Backend;
use store::testing::TestDb;

mod http;
pub use http::{LoadResult, http, table as load_table};

/// One measured operation.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Measurement {
    /// What was measured.
    pub operation: String,
    /// `sqlite` or `postgres`.
    pub backend: &'static str,
    /// Rows (or items) per run.
    pub n: usize,
    /// Seconds the operation took (the median, for repeated operations).
    pub seconds: f64,
    /// 95th percentile in seconds (the same as `seconds` for an operation run once).
    pub p95_seconds: f64,
    /// Seconds the baseline took on the same data.
    pub baseline_seconds: f64,
}

impl Measurement {
    /// Items per second.
    pub fn rate(&self) -> f64 {
        self.n as f64 / self.seconds
    }
    /// How many times slower than the baseline.
    pub fn ratio(&self) -> f64 {
        self.seconds / self.baseline_seconds
    }
}

/// A deterministic enterprise register of `rows` rows spread over every county-level region.
pub fn enterprise_csv(rows: usize) -> String {
    let regions: Vec<_> = crate::refdata::regions()
        .unwrap_or_default()
        .into_iter()
        .filter(|r| matches!(r.level, domain::region::RegionLevel::County | domain::region::RegionLevel::DevZone))
        .collect();
    let sectors = ["chemicals", "machinery", "commerce-trade", "construction", "road-transport", "building-materials"];
    let risks = ["major", "high", "general", "general", "low", "low", "low"];
    let mut out = String::with_capacity(rows * 90);
    out.push_str("credit_code,name,region_code,sector,risk_level,address\n");
    for i in 0..rows {
        let r = &regions[i % regions.len()];
        let n = (i / regions.len()) as u32;
        let code = crate::demo::demo_credit_code(r.code.as_str(), n);
        out.push_str(&format!(
            "{code},{}基准测试企业{n},{},{},{},{}某路{n}号\n",
            r.name_zh,
            r.code,
            sectors[i % sectors.len()],
            risks[i % risks.len()],
            r.name_zh
        ));
    }
    out
}

fn backend_name(b: Backend) -> &'static str {
    match b {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    }
}

/// The application over a scratch database, as the server would build it (system clock,
/// Anhui as root, throw-away evidence directory and covert-plan keys).
fn scratch_app(db: &store::Db) -> App {
    App {
        db: db.clone(),
        clock: Arc::new(SystemClock),
        root_region: "340000".into(),
        evidence_dir: std::env::temp_dir().join(format!("inspectorate-bench-{}", store::new_id())),
        keys: crate::sealing::ephemeral_keys(),
        drawn: Default::default(),
    }
}

/// Measures importing `rows` enterprises from CSV on `backend`.
pub async fn import(backend: Backend, rows: usize) -> anyhow::Result<Measurement> {
    let csv = enterprise_csv(rows);
    let scratch = TestDb::new(backend).await;
    let app = scratch_app(&scratch.db);
    crate::refdata::sync(&app.db).await?;
    let options = ImportOptions { skip_bad: false, limits: Limits::CLI };
    let start = Instant::now();
    let report = app
        .import_register(&Actor::cli(), RegisterKind::Enterprises, "bench.csv", csv.as_bytes(), options, &|_| {})
        .await?;
    let seconds = start.elapsed().as_secs_f64();
    anyhow::ensure!(report.counts.inserted as usize == rows, "import wrote {} of {rows} rows", report.counts.inserted);
    // The import ends at its commit. SQLite then copies its WAL into the database file in the
    // background (PostgreSQL's checkpointer does the same); closing waits for that copy, so the
    // floor below starts on a quiet machine, and the copy's time is reported beside the table.
    let settle = Instant::now();
    scratch.db.close().await;
    if backend == Backend::Sqlite {
        eprintln!("sqlite: after the import, the WAL checkpoint at close took {:.2} s", settle.elapsed().as_secs_f64());
    }

    // Baseline: the same rows, validated beforehand (not timed), inserted into an empty table.
    let floor = TestDb::new(backend).await;
    crate::refdata::sync(&floor.db).await?;
    let reference = store::reference::load_reference(&floor.db).await?;
    let table = crate::import::read_table("bench.csv", csv.as_bytes(), Limits::CLI)?;
    let map = ColumnMap::from_headers(RegisterKind::Enterprises, &table.headers)?;
    let parsed: Vec<_> = table
        .rows
        .iter()
        .map(|(n, cells)| parse_enterprise(&map, *n, cells, &reference).map_err(|e| anyhow::anyhow!("{e:?}")))
        .collect::<anyhow::Result<_>>()?;
    let refs: Vec<_> = parsed.iter().collect();
    let start = Instant::now();
    let mut tx = floor.db.begin().await?;
    store::enterprise::insert_new(&mut tx, &refs, 0).await?;
    tx.commit().await?;
    let baseline_seconds = start.elapsed().as_secs_f64();
    floor.db.close().await;
    Ok(Measurement {
        operation: format!("import {rows} enterprises from CSV"),
        backend: backend_name(backend),
        n: rows,
        seconds,
        p95_seconds: seconds,
        baseline_seconds,
    })
}

/// Prints measurements as a Markdown table.
pub fn table(ms: &[Measurement]) -> String {
    let mut out = String::from(
        "| operation | backend | n | median (s) | p95 (s) | rate (/s) | baseline (s) | ratio to baseline |\n|---|---|---|---|---|---|---|---|\n",
    );
    for m in ms {
        out.push_str(&format!(
            "| {} | {} | {} | {:.4} | {:.4} | {:.0} | {:.4} | {:.2} |\n",
            m.operation,
            m.backend,
            m.n,
            m.seconds,
            m.p95_seconds,
            m.rate(),
            m.baseline_seconds,
            m.ratio()
        ));
    }
    out
}

/// Measures a spot-check draw at scale: `rows` enterprises and `officers` officers imported,
/// a plan over all of them drawing 5 % (20 % / 15 % / 10 % / 5 % of the strata, as counts)
/// with teams of two, committed and drawn through the use-cases — from the database to the
/// stored, published record — then the record verified as `draw verify` does. The baseline
/// is the core draw alone on the same inputs in memory (SHA-256 of the canonical text, sort
/// and shuffle), the floor the database path is compared with.
pub async fn draw(backend: Backend, rows: usize, officers: usize) -> anyhow::Result<Vec<Measurement>> {
    use domain::access::Role;
    use domain::region::RegionLevel;
    let scratch = TestDb::new(backend).await;
    let app = scratch_app(&scratch.db);
    crate::refdata::sync(&app.db).await?;
    let options = ImportOptions { skip_bad: false, limits: Limits::CLI };
    app.import_register(
        &Actor::cli(),
        RegisterKind::Enterprises,
        "bench.csv",
        enterprise_csv(rows).as_bytes(),
        options,
        &|_| {},
    )
    .await?;
    let mut officer_csv = String::from("badge_no,name,unit,department,region_code,cert_valid_until\n");
    for i in 0..officers {
        officer_csv.push_str(&format!("AH-B{i:05},官员{i},省应急管理厅,emergency,340000,2099-12-31\n"));
    }
    app.import_register(
        &Actor::cli(),
        RegisterKind::Officers,
        "officers.csv",
        officer_csv.as_bytes(),
        options,
        &|_| {},
    )
    .await?;
    // A register is imported long before it is drawn from; PostgreSQL's autovacuum has set
    // the new rows' visibility and statistics by then (a first read of fresh rows writes
    // their hint bits: 1.05 s instead of 0.21 s for the candidates).
    if backend == Backend::Postgres {
        store::sql::query("VACUUM ANALYZE").execute(app.db.reader()).await?;
    }
    let actor = Actor::user(&principal("340000", RegionLevel::Province, Role::CityOffice)?, "bench");
    let share = |per_mille: usize| (rows * per_mille / 1000 / 7 * 7).to_string();
    let input = crate::service::plans::PlanInput {
        name: "bench".into(),
        period_start: "2026-01-01".into(),
        period_end: "2026-12-31".into(),
        quotas: [share(20), share(15), share(10), share(5)],
        team_size: 2,
        ..Default::default()
    };
    let plan = app.create_plan(&actor, &input).await?;
    let start = Instant::now();
    let plan = app.commit_plan(&actor, &plan.id, plan.version).await?;
    let plan = app.draw_plan(&actor, &plan.id, plan.version, "bench beacon").await?;
    let seconds = start.elapsed().as_secs_f64();
    let (_, record) = app.published_plan(&plan.plan_no).await?;
    let parsed: domain::draw::record::SpotRecord = serde_json::from_str(&record)?;
    let selected = parsed.assignments.as_ref().map(Vec::len).unwrap_or(0);
    // Baseline: the same inputs, drawn in memory by the core alone.
    let inputs = domain::draw::spot::SpotInputs {
        kind: parsed.kind.clone(),
        team_size: parsed.team_size,
        candidates: parsed.candidates.iter().map(|c| (c.id.clone(), c.stratum.clone())).collect(),
        quotas: parsed.quotas.iter().map(|q| (q.stratum.clone(), q.count)).collect(),
        inspectors: parsed.inspectors.clone(),
        conflicts: parsed.conflicts.clone(),
    };
    let start = Instant::now();
    let baseline = domain::draw::record::SpotRecord::reveal(&inputs.freeze()?, &[7; 32], "bench beacon")?;
    let baseline_seconds = start.elapsed().as_secs_f64();
    anyhow::ensure!(baseline.assignments.map(|a| a.len()) == Some(selected), "baseline selected a different number");
    let start = Instant::now();
    let verdict = domain::draw::record::verify_json(&record)?;
    let verify_seconds = start.elapsed().as_secs_f64();
    anyhow::ensure!(
        matches!(verdict, domain::draw::record::Verdict::Verified { .. }),
        "the stored record does not verify"
    );
    scratch.db.close().await;
    Ok(vec![
        Measurement {
            operation: format!(
                "spot-check draw {rows} → {selected} with {officers} officers (commit + draw, database to stored record)"
            ),
            backend: backend_name(backend),
            n: selected,
            seconds,
            p95_seconds: seconds,
            baseline_seconds,
        },
        Measurement {
            operation: format!("draw verify of that record ({} bytes)", record.len()),
            backend: backend_name(backend),
            n: selected,
            seconds: verify_seconds,
            p95_seconds: verify_seconds,
            baseline_seconds,
        },
    ])
}

/// Median and 95th percentile of timings, in seconds.
/// Whether a repeated measurement has run long enough: `runs` times, or at least 5 times and
/// a minute (a slow operation at province scale would otherwise hold the run for many minutes).
/// Each operation also runs once before it is measured, uncounted: a server answers from a
/// warm page cache, and one cold run would otherwise be the p95.
fn done(times: &[f64], runs: usize) -> bool {
    times.len() >= runs || (times.len() >= 5 && times.iter().sum::<f64>() > 60.0)
}

fn stats(mut xs: Vec<f64>) -> (f64, f64) {
    xs.sort_by(f64::total_cmp);
    (quantile(&xs, 0.5), quantile(&xs, 0.95))
}

/// The `q` quantile of sorted timings (nearest rank; NaN when there are none).
fn quantile(sorted: &[f64], q: f64) -> f64 {
    sorted.get(((sorted.len().max(1) - 1) as f64 * q).round() as usize).copied().unwrap_or(f64::NAN)
}

/// The data a measurement runs on.
#[derive(Debug, Clone)]
pub enum Data {
    /// A scratch database (dropped afterwards) filled by the generator scaled to `hazards`
    /// hazards (`inspectorate generate`; half as many enterprises, 1.5 times as many
    /// inspections, a tenth as many penalty cases…).
    Scratch {
        /// Which backend.
        backend: Backend,
        /// Hazards to generate.
        hazards: usize,
    },
    /// A database filled before by `inspectorate generate` (generate once, measure often).
    /// The HTTP load adds hazards and an account to it.
    Existing(String),
}

/// A database with generated data, open; holds the scratch database while it is in use.
pub(crate) struct Opened {
    /// The application over it (system clock, scratch keys).
    pub app: App,
    /// Its URL, for the server the HTTP load starts.
    pub url: String,
    /// Hazards it holds.
    pub hazards: usize,
    /// Lu'an's special action of the last year.
    pub campaign: String,
    scratch: Option<TestDb>,
}

impl Opened {
    /// Closes the connections and drops a scratch database.
    pub(crate) async fn close(self) {
        self.app.db.close().await;
        drop(self.scratch);
    }
}

impl Data {
    /// Opens (and for a scratch database, fills) the data.
    pub(crate) async fn open(&self) -> anyhow::Result<Opened> {
        match self {
            Data::Scratch { backend, hazards } => {
                let scratch = TestDb::new(*backend).await;
                let app = scratch_app(&scratch.db);
                let spec = crate::generate::Spec { seed: 7, scale: *hazards as f64 / 2_000_000.0 };
                let summary = crate::generate::generate(&app, &spec, &|_, _, _| {}).await?;
                let url = scratch.url.clone();
                Ok(Opened {
                    app,
                    url,
                    hazards: summary.hazards,
                    campaign: summary.luan_campaign,
                    scratch: Some(scratch),
                })
            }
            Data::Existing(url) => {
                let db = store::Db::connect(url).await?;
                let hazards =
                    store::sql::query("SELECT COUNT(*) AS n FROM hazard").fetch_one(db.reader()).await?.int("n")?;
                let campaign = store::sql::query(
                    "SELECT id FROM campaign WHERE region_code = '341500' ORDER BY start_date DESC, id LIMIT 1",
                )
                .fetch_optional(db.reader())
                .await?
                .map(|r| r.text("id"))
                .transpose()?;
                let campaign = campaign.ok_or_else(|| {
                    anyhow::anyhow!("{url} holds no special action of Lu'an: run `inspectorate generate` on it")
                })?;
                Ok(Opened {
                    app: scratch_app(&db),
                    url: url.clone(),
                    hazards: hazards as usize,
                    campaign,
                    scratch: None,
                })
            }
        }
    }
}

/// Measures the hazard ledger at scale on the data of [`fill_ledger`]: ledger pages (50 rows
/// and the total count, filtered and sorted) for a county, a city and the province through the
/// use-case, 30 times each, and a city's special-action progress. Baseline: the store query
/// alone (the same SQL on the connection, without the use-case and its mapping).
pub async fn ledger(data: &Data) -> anyhow::Result<Vec<Measurement>> {
    use domain::access::Role;
    use domain::hazard::{Grade, Status};
    use domain::region::RegionLevel;
    use store::hazard::{HazardFilter, HazardSort};
    let opened = data.open().await?;
    let (app, campaign, hazards) = (&opened.app, &opened.campaign, opened.hazards);
    let backend = app.db.backend();
    let city = principal("341500", RegionLevel::City, Role::CityOffice)?;
    let today = app.today().to_string();
    let cases = [
        (
            "county 341522, status rectifying, by deadline",
            principal("341522", RegionLevel::County, Role::CountyOffice)?,
            HazardFilter { status: Some(Status::Rectifying), ..Default::default() },
            HazardSort::Deadline,
        ),
        (
            "city 341500, overdue, newest",
            city.clone(),
            HazardFilter { overdue_on: Some(today), ..Default::default() },
            HazardSort::Newest,
        ),
        (
            "province, major, newest",
            principal("340000", RegionLevel::Province, Role::ProvinceEvaluator)?,
            HazardFilter { grade: Some(Grade::Major), ..Default::default() },
            HazardSort::Newest,
        ),
    ];
    let mut out = Vec::new();
    let page = domain::page::PageRequest::new(Some(1), Some(50));
    for (label, p, filter, sort) in cases {
        let (mut full, mut base) = (Vec::new(), Vec::new());
        app.list_hazards(&p, &filter, sort, page).await?;
        while !done(&full, 30) {
            let t = Instant::now();
            app.list_hazards(&p, &filter, sort, page).await?;
            full.push(t.elapsed().as_secs_f64());
            let t = Instant::now();
            store::hazard::list(&app.db, &p.scope(), &filter, sort, page).await?;
            base.push(t.elapsed().as_secs_f64());
        }
        let (median, p95) = stats(full);
        out.push(Measurement {
            operation: format!("ledger page (50 rows + count) of {hazards} hazards: {label}"),
            backend: backend_name(backend),
            n: 50,
            seconds: median,
            p95_seconds: p95,
            baseline_seconds: stats(base).0,
        });
    }
    let (mut full, mut base) = (Vec::new(), Vec::new());
    app.campaign_progress(&city, campaign).await?;
    while !done(&full, 10) {
        let t = Instant::now();
        app.campaign_progress(&city, campaign).await?;
        full.push(t.elapsed().as_secs_f64());
        let t = Instant::now();
        store::campaign::progress(&app.db, &city.scope(), campaign, &app.today().to_string()).await?;
        base.push(t.elapsed().as_secs_f64());
    }
    let (median, p95) = stats(full);
    out.push(Measurement {
        operation: format!("special-action progress of a city ({hazards} hazards in the province)"),
        backend: backend_name(backend),
        n: 1,
        seconds: median,
        p95_seconds: p95,
        baseline_seconds: stats(base).0,
    });
    // Dashboards and the evaluation on the same data, for one quarter.
    let quarter = domain::period::Quarter::parse("2025Q3").expect("a quarter");
    let period = domain::period::Period { from: quarter.first_day(), to: quarter.last_day() };
    let span = store::figures::Span {
        from: period.from.to_string(),
        to: period.to.to_string(),
        from_ms: period.from.in_tz("Asia/Shanghai")?.timestamp().as_millisecond(),
        to_end_ms: period.to.tomorrow()?.in_tz("Asia/Shanghai")?.timestamp().as_millisecond(),
        today: app.today().to_string(),
    };
    let operator = Actor::cli();
    for (label, code, level) in
        [("a city (341500)", "341500", RegionLevel::City), ("the province", "340000", RegionLevel::Province)]
    {
        let scope = principal(code, level, Role::ProvinceEvaluator)?.scope();
        let (mut full, mut base) = (Vec::new(), Vec::new());
        app.figures(&operator, code, &period).await?;
        while !done(&full, 10) {
            let t = Instant::now();
            app.figures(&operator, code, &period).await?;
            full.push(t.elapsed().as_secs_f64());
            let t = Instant::now();
            store::figures::by_region(&app.db, &scope, &span).await?;
            base.push(t.elapsed().as_secs_f64());
        }
        let (median, p95) = stats(full);
        out.push(Measurement {
            operation: format!("dashboard of {label} for {} ({hazards} hazards)", quarter.label()),
            backend: backend_name(backend),
            n: 1,
            seconds: median,
            p95_seconds: p95,
            baseline_seconds: stats(base).0,
        });
    }
    let province = principal("340000", RegionLevel::Province, Role::ProvinceEvaluator)?.scope();
    let prev = quarter.prev();
    let prev_span = store::figures::Span {
        from: prev.first_day().to_string(),
        to: prev.last_day().to_string(),
        from_ms: prev.first_day().in_tz("Asia/Shanghai")?.timestamp().as_millisecond(),
        to_end_ms: quarter.first_day().in_tz("Asia/Shanghai")?.timestamp().as_millisecond(),
        today: app.today().to_string(),
    };
    let (mut full, mut base) = (Vec::new(), Vec::new());
    app.evaluation(&operator, "340000", quarter).await?;
    while !done(&full, 5) {
        let t = Instant::now();
        app.evaluation(&operator, "340000", quarter).await?;
        full.push(t.elapsed().as_secs_f64());
        let t = Instant::now();
        store::figures::by_region(&app.db, &province, &span).await?;
        store::figures::by_region(&app.db, &province, &prev_span).await?;
        base.push(t.elapsed().as_secs_f64());
    }
    let (median, p95) = stats(full);
    out.push(Measurement {
        operation: format!("evaluation run of the 16 cities for {} ({hazards} hazards)", quarter.label()),
        backend: backend_name(backend),
        n: 16,
        seconds: median,
        p95_seconds: p95,
        baseline_seconds: stats(base).0,
    });
    opened.close().await;
    Ok(out)
}
