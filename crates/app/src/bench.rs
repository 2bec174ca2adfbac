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
