//! `inspectorate generate`: a deterministic province-scale data set for benchmarks and load
//! tests (issue #7, BRIEF §10). At `--scale 1` it is Anhui with 1,000,000 enterprises over
//! the county-level regions (a few big counties, many small), 5,000 officers, three years of
//! work (2024-01-01 to [`LAST_DAY`]): 3,000,000 inspections, 2,000,000 hazards, 200,000
//! penalty cases, 20,000 accidents, a special action per city and year, spot-check plans
//! drawn per city and year, covert visits and cross-inspection rounds. `--scale 0.01` makes
//! a hundredth of each count (never fewer than a working minimum).
//!
//! Everything is written through the product's own paths: the registers through the import,
//! the plans, draws, covert visits, rounds and special actions through the use-cases on a
//! simulated clock, and the bulk of the records (inspections, hazards, penalty cases,
//! accidents) through the store's bulk paths for records made elsewhere.
//!
//! The same seed gives the same data, except what the draws pick (spot-check plans, covert
//! targets, cross-inspection pairs): their secrets come from the OS as in real use. The
//! inspections of drawn enterprises follow the draws; every other record, number and date is
//! a function of the seed. Record ids are fresh UUIDv7s.

mod activity;
mod records;
mod registers;

use crate::service::App;
use std::time::Instant;

/// First day of the generated history.
pub const FIRST_DAY: jiff::civil::Date = jiff::civil::date(2024, 1, 1);
/// Last day of the generated history (fixed, so that the same seed gives the same data).
pub const LAST_DAY: jiff::civil::Date = jiff::civil::date(2026, 11, 27);
const DAY_MS: i64 = 86_400_000;
/// Who the generated records say recorded them.
const RECORDER: &str = "generator";

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spec {
    /// Seed of every random choice the generator makes.
    pub seed: u64,
    /// Fraction of the province-scale counts.
    pub scale: f64,
}

impl Spec {
    fn count(&self, full: f64, minimum: usize) -> usize {
        ((full * self.scale).round() as usize).max(minimum)
    }
    /// Enterprises in the register.
    pub fn enterprises(&self) -> usize {
        self.count(1_000_000.0, 200)
    }
    /// Officers (at least three per county-level region, so that every county can field a
    /// team of two with a conflict to spare).
    pub fn officers(&self, counties: usize) -> usize {
        self.count(5_000.0, 0).max(3 * counties + 20)
    }
    /// Inspections (those of drawn enterprises included).
    pub fn inspections(&self) -> usize {
        self.count(3_000_000.0, 300)
    }
    /// Hazards.
    pub fn hazards(&self) -> usize {
        self.count(2_000_000.0, 200)
    }
    /// Penalty cases.
    pub fn penalties(&self) -> usize {
        self.count(200_000.0, 20)
    }
    /// Accidents.
    pub fn accidents(&self) -> usize {
        self.count(20_000.0, 20)
    }
    /// Covert visits (four per city and year at full scale; at least one per city).
    pub fn covert_visits(&self) -> usize {
        self.count(192.0, 16)
    }
    /// Spot-check draw quotas per stratum (major, high, general, low) for a city's yearly
    /// plan: the brief's example rates, smaller data sets drawing the same shares.
    pub fn plan_quotas(&self) -> [String; 4] {
        ["30%", "20%", "5%", "3%"].map(String::from)
    }
}

/// What a run wrote.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Summary {
    /// Enterprises imported.
    pub enterprises: usize,
    /// Officers imported.
    pub officers: usize,
    /// Special actions created.
    pub campaigns: usize,
    /// Spot-check plans committed and drawn (cross-inspection pair plans included).
    pub plans: usize,
    /// Inspections written (of drawn enterprises and routine).
    pub inspections: usize,
    /// Of those, inspections of drawn enterprises.
    pub drawn_inspections: usize,
    /// Hazards written.
    pub hazards: usize,
    /// Penalty cases written.
    pub penalties: usize,
    /// Accidents written.
    pub accidents: usize,
    /// Covert visits planned and completed.
    pub covert_visits: usize,
    /// Cross-inspection rounds grouped and drawn.
    pub cross_rounds: usize,
    /// The special action of Lu'an (341500) for the last year, which the benchmarks read.
    pub luan_campaign: String,
    /// Seconds the run took.
    pub seconds: f64,
}

/// Reports progress: the stage, and how far it is of how much.
pub type Progress<'a> = &'a (dyn Fn(&str, u64, u64) + Sync);

/// Generates the data set of `spec` into the application's database, which must hold no
/// enterprises yet (the register is the spine of every other record).
pub async fn generate(app: &App, spec: &Spec, progress: Progress<'_>) -> anyhow::Result<Summary> {
    let started = Instant::now();
    crate::refdata::sync(&app.db).await?;
    let existing = store::enterprise::all_keys(&app.db).await?.len();
    anyhow::ensure!(
        existing == 0,
        "the database already holds {existing} enterprises; generate into an empty database"
    );
    let mut summary = Summary::default();
    let register = registers::load(app, spec, progress).await?;
    summary.enterprises = register.enterprises.len();
    summary.officers = register.officers;
    let drawn = activity::play(app, spec, &register, &mut summary, progress).await?;
    records::write(app, spec, &register, drawn, &mut summary, progress).await?;
    if app.db.backend() == store::Backend::Postgres {
        // A bulk load leaves PostgreSQL without statistics and visibility map until
        // autovacuum comes by; a database in use has both.
        progress("analyse", 0, 1);
        store::sql::query("VACUUM ANALYZE").execute(app.db.reader()).await?;
    }
    summary.seconds = started.elapsed().as_secs_f64();
    Ok(summary)
}

/// A signed-in user of `role` at region `code` of `level`, for calling the use-cases directly.
pub fn principal(
    code: &str,
    level: domain::region::RegionLevel,
    role: domain::access::Role,
) -> anyhow::Result<domain::access::Principal> {
    let region = domain::region::RegionCode::parse(code)?;
    Ok(domain::access::Principal {
        user_id: RECORDER.into(),
        username: RECORDER.into(),
        role,
        region_prefix: domain::region::RegionPrefix::of(&region, level),
        region,
        enterprise_id: None,
        department: None,
    })
}

/// Milliseconds of a Beijing local time on `day`, `minute` minutes after 08:00.
fn at(day: jiff::civil::Date, minute: i64) -> i64 {
    day.at(8, 0, 0, 0).in_tz("Asia/Shanghai").map(|z| z.timestamp().as_millisecond()).unwrap_or_default()
        + minute * 60_000
}

/// Day `n` of the history.
fn day(n: i64) -> jiff::civil::Date {
    FIRST_DAY.checked_add(jiff::Span::new().days(n)).unwrap_or(LAST_DAY).min(LAST_DAY)
}

/// Days in the history.
fn days() -> i64 {
    (LAST_DAY - FIRST_DAY).get_days() as i64 + 1
}

/// How many of `total` items fall on day `d` when spread evenly over the history.
fn on_day(total: usize, d: i64) -> usize {
    let n = days() as u128;
    (((d as u128 + 1) * total as u128 / n) - (d as u128 * total as u128 / n)) as usize
}

/// Whether item `i` of `of` is one of `k` spread evenly among them.
fn one_in(i: usize, k: usize, of: usize) -> bool {
    of > 0 && ((i + 1) * k / of) > (i * k / of)
}

#[cfg(test)]
mod tests {
    #[test]
    fn items_spread_over_the_days_add_up() {
        let total: usize = (0..super::days()).map(|d| super::on_day(12_345, d)).sum();
        assert_eq!(total, 12_345);
        let picked = (0..1000).filter(|i| super::one_in(*i, 67, 1000)).count();
        assert_eq!(picked, 67);
    }
}
