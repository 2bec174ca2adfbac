//! `inspectorate bench`: measures hot paths against a baseline run in the same process, on
//! scratch databases it creates and drops, and prints what it measured.
//!
//! Import: the full path an operator uses (read the CSV, validate every row, check existing
//! records, upsert, audit) against the storage floor: the same rows, already validated,
//! written with plain multi-row INSERTs into an empty table.

use crate::clock::SystemClock;
use crate::import::Limits;
use crate::service::registers::ImportOptions;
use crate::service::{Actor, App};
use domain::register_row::{ColumnMap, RegisterKind, parse_enterprise};
use std::sync::Arc;
use std::time::Instant;
use store::Backend;
use store::testing::TestDb;

/// One measured operation.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Measurement {
    /// What was measured.
    pub operation: String,
    /// `sqlite` or `postgres`.
    pub backend: &'static str,
    /// Rows (or items) per run.
    pub n: usize,
    /// Seconds the operation took.
    pub seconds: f64,
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

/// Measures importing `rows` enterprises from CSV on `backend`.
pub async fn import(backend: Backend, rows: usize) -> anyhow::Result<Measurement> {
    let csv = enterprise_csv(rows);
    let scratch = TestDb::new(backend).await;
    let app = App {
        db: scratch.db.clone(),
        clock: Arc::new(SystemClock),
        root_region: "340000".into(),
        evidence_dir: std::env::temp_dir().join("inspectorate-evidence"),
    };
    crate::refdata::sync(&app.db).await?;
    let options = ImportOptions { skip_bad: false, limits: Limits::CLI };
    let start = Instant::now();
    let report = app
        .import_register(&Actor::cli(), RegisterKind::Enterprises, "bench.csv", csv.as_bytes(), options, &|_| {})
        .await?;
    let seconds = start.elapsed().as_secs_f64();
    anyhow::ensure!(report.counts.inserted as usize == rows, "import wrote {} of {rows} rows", report.counts.inserted);

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
    scratch.db.close().await;
    floor.db.close().await;
    Ok(Measurement {
        operation: format!("import {rows} enterprises from CSV"),
        backend: backend_name(backend),
        n: rows,
        seconds,
        baseline_seconds,
    })
}

/// Prints measurements as a Markdown table.
pub fn table(ms: &[Measurement]) -> String {
    let mut out = String::from(
        "| operation | backend | n | time (s) | rate (/s) | baseline (s) | ratio to baseline |\n|---|---|---|---|---|---|---|\n",
    );
    for m in ms {
        out.push_str(&format!(
            "| {} | {} | {} | {:.3} | {:.0} | {:.3} | {:.2} |\n",
            m.operation,
            m.backend,
            m.n,
            m.seconds,
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
    use domain::access::{Principal, Role};
    use domain::region::{RegionCode, RegionLevel, RegionPrefix};
    let scratch = TestDb::new(backend).await;
    let dir = std::env::temp_dir().join(format!("inspectorate-bench-{}", store::new_id()));
    let app =
        App { db: scratch.db.clone(), clock: Arc::new(SystemClock), root_region: "340000".into(), evidence_dir: dir };
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
    let region = RegionCode::parse("340000")?;
    let principal = Principal {
        user_id: "bench".into(),
        username: "bench".into(),
        role: Role::CityOffice,
        region_prefix: RegionPrefix::of(&region, RegionLevel::Province),
        region,
        enterprise_id: None,
    };
    let actor = Actor::user(&principal, "bench");
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
            baseline_seconds,
        },
        Measurement {
            operation: format!("draw verify of that record ({} bytes)", record.len()),
            backend: backend_name(backend),
            n: selected,
            seconds: verify_seconds,
            baseline_seconds,
        },
    ])
}
