//! Focused guidance: the per-county figures the lagging rules read, counties' control targets,
//! and guidance groups. A group is visible to its city's jurisdiction and to the county it
//! guides.

use crate::scope::scope_clause;
use crate::sql::{Builder, Row, query};
use crate::{Db, Result, StoreError, Tx, new_id};
use domain::access::Scope;
use domain::guidance::{Figures, Targets};
use domain::page::{PageRequest, Paged};
use domain::region::RegionPrefix;
use std::collections::BTreeMap;

/// The period the figures cover.
#[derive(Debug, Clone)]
pub struct Period {
    /// First day of the quarter.
    pub from: String,
    /// Last day of the quarter.
    pub to: String,
    /// First day of the previous quarter.
    pub prev_from: String,
    /// First day of the year (campaign progress counts from here to `to`).
    pub year_from: String,
    /// `year_from` as ms (hazards are timed in ms).
    pub year_from_ms: i64,
    /// The day after `to` as ms.
    pub to_end_ms: i64,
    /// Today (overdue is as of today).
    pub today: String,
}

/// Figures of every county-level region under `city` for `period`, by region code.
pub async fn county_figures(db: &Db, city: &RegionPrefix, period: &Period) -> Result<BTreeMap<String, Figures>> {
    let mut out: BTreeMap<String, Figures> = BTreeMap::new();
    let scope = Scope::Region(city.clone());
    let mut b = Builder::default();
    let w = scope_clause(&mut b, &scope, "region_code", None);
    let (from, to, prev) = (b.arg(period.from.as_str()), b.arg(period.to.as_str()), b.arg(period.prev_from.as_str()));
    let rows = b
        .build(format!(
            "SELECT region_code,
               CAST(SUM(CASE WHEN occurred_on >= {from} THEN 1 ELSE 0 END) AS BIGINT) AS accidents,
               CAST(SUM(CASE WHEN occurred_on >= {from} THEN deaths ELSE 0 END) AS BIGINT) AS deaths,
               CAST(SUM(CASE WHEN occurred_on < {from} THEN 1 ELSE 0 END) AS BIGINT) AS prev_accidents,
               CAST(SUM(CASE WHEN occurred_on < {from} THEN deaths ELSE 0 END) AS BIGINT) AS prev_deaths
             FROM accident WHERE {w} AND occurred_on >= {prev} AND occurred_on <= {to} GROUP BY region_code"
        ))
        .fetch_all(db.reader())
        .await?;
    for r in &rows {
        let f = out.entry(r.text("region_code")?).or_default();
        (f.accidents, f.deaths) = (r.int("accidents")?, r.int("deaths")?);
        (f.prev_accidents, f.prev_deaths) = (r.int("prev_accidents")?, r.int("prev_deaths")?);
    }
    let mut b = Builder::default();
    let w = scope_clause(&mut b, &scope, "region_code", None);
    let (start, end, today) = (b.arg(period.year_from_ms), b.arg(period.to_end_ms), b.arg(period.today.as_str()));
    let rows = b
        .build(format!(
            "SELECT region_code, COUNT(*) AS found,
               SUM(CASE WHEN status IN ('verified', 'closed') THEN 1 ELSE 0 END) AS rectified,
               SUM(CASE WHEN status NOT IN ('verified', 'closed') AND deadline < {today} THEN 1 ELSE 0 END) AS overdue
             FROM hazard WHERE {w} AND grade = 'major' AND reported_at >= {start} AND reported_at < {end}
             GROUP BY region_code"
        ))
        .fetch_all(db.reader())
        .await?;
    for r in &rows {
        let f = out.entry(r.text("region_code")?).or_default();
        (f.major_found, f.major_rectified, f.major_overdue) = (r.int("found")?, r.int("rectified")?, r.int("overdue")?);
    }
    let mut b = Builder::default();
    let w = scope_clause(&mut b, &scope, "region_code", None);
    let rows = b
        .build(format!(
            "SELECT region_code, COUNT(*) AS n FROM enterprise WHERE {w} AND status = 'active' GROUP BY region_code"
        ))
        .fetch_all(db.reader())
        .await?;
    for r in &rows {
        out.entry(r.text("region_code")?).or_default().enterprises = r.int("n")?;
    }
    let mut b = Builder::default();
    let w = scope_clause(&mut b, &scope, "region_code", None);
    let (from, to) = (b.arg(period.year_from.as_str()), b.arg(period.to.as_str()));
    let rows = b
        .build(format!(
            "SELECT region_code, COUNT(DISTINCT enterprise_id) AS n FROM inspection
             WHERE {w} AND inspected_on >= {from} AND inspected_on <= {to} GROUP BY region_code"
        ))
        .fetch_all(db.reader())
        .await?;
    for r in &rows {
        out.entry(r.text("region_code")?).or_default().inspected = r.int("n")?;
    }
    Ok(out)
}

/// The control targets of the counties under `city` for `year`.
pub async fn targets(db: &Db, city: &RegionPrefix, year: i64) -> Result<BTreeMap<String, Targets>> {
    let mut b = Builder::default();
    let w = scope_clause(&mut b, &Scope::Region(city.clone()), "region_code", None);
    let year = b.arg(year);
    let rows = b
        .build(format!("SELECT region_code, max_accidents, max_deaths FROM control_target WHERE {w} AND year = {year}"))
        .fetch_all(db.reader())
        .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.text("region_code")?,
                Targets { max_accidents: r.opt_int("max_accidents")?, max_deaths: r.opt_int("max_deaths")? },
            ))
        })
        .collect()
}

/// Sets (or replaces) a county's control targets for a year.
pub async fn set_target(tx: &mut Tx, county: &str, year: i64, t: &Targets, by: &str, now_ms: i64) -> Result<()> {
    query("DELETE FROM control_target WHERE region_code = $1 AND year = $2")
        .bind(county)
        .bind(year)
        .execute(tx.ex())
        .await?;
    query(
        "INSERT INTO control_target (region_code, year, max_accidents, max_deaths, set_by, set_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(county)
    .bind(year)
    .bind(t.max_accidents)
    .bind(t.max_deaths)
    .bind(by)
    .bind(now_ms)
    .execute(tx.ex())
    .await?;
    Ok(())
}

/// A guidance group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// Id.
    pub id: String,
    /// Document number (`DG-341500-2026-01`).
    pub group_no: String,
    /// The city that sends it.
    pub region_code: String,
    /// Title.
    pub name: String,
    /// The county it guides.
    pub county: String,
    /// Members (JSON array of {department, name, unit}).
    pub members: String,
    /// The flags that led to it, as seen when it was formed (JSON).
    pub reasons: String,
    /// Scheduled day of the one-on-one guidance visit.
    pub visit_on: String,
    /// When the visit took place (local time), once recorded.
    pub visited_at: Option<String>,
    /// What the group found and told the county.
    pub summary: Option<String>,
    /// `planned` or `visited`.
    pub status: String,
    /// Version.
    pub version: i64,
    /// Creator.
    pub created_by: String,
    /// Creation time (ms).
    pub created_at: i64,
}

const COLUMNS: &str = "id, group_no, region_code, name, county, members, reasons, visit_on, visited_at, summary, status, \
    version, created_by, created_at";

fn from_row(r: &Row) -> Result<Group> {
    Ok(Group {
        id: r.text("id")?,
        group_no: r.text("group_no")?,
        region_code: r.text("region_code")?,
        name: r.text("name")?,
        county: r.text("county")?,
        members: r.text("members")?,
        reasons: r.text("reasons")?,
        visit_on: r.text("visit_on")?,
        visited_at: r.opt_text("visited_at")?,
        summary: r.opt_text("summary")?,
        status: r.text("status")?,
        version: r.int("version")?,
        created_by: r.text("created_by")?,
        created_at: r.int("created_at")?,
    })
}

/// Creates a planned group; returns it.
pub async fn create(tx: &mut Tx, g: &Group, year: i16, now_ms: i64) -> Result<Group> {
    let prefix = format!("DG-{}-{year}-", g.region_code);
    let no = crate::sql::next_number(tx, &prefix, 2).await?;
    let id = new_id();
    query(
        "INSERT INTO guidance_group (region_code, id, group_no, name, county, members, reasons, visit_on, status, version,
         created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'planned', 1, $9, $10)",
    )
    .bind(g.region_code.as_str())
    .bind(id.as_str())
    .bind(no.as_str())
    .bind(g.name.as_str())
    .bind(g.county.as_str())
    .bind(g.members.as_str())
    .bind(g.reasons.as_str())
    .bind(g.visit_on.as_str())
    .bind(g.created_by.as_str())
    .bind(now_ms)
    .execute(tx.ex())
    .await?;
    from_row(
        &crate::sql::dynamic_query(format!("SELECT {COLUMNS} FROM guidance_group WHERE id = $1"))
            .bind(id.as_str())
            .fetch_one(tx.ex())
            .await?,
    )
}

fn visible(b: &mut Builder, scope: &Scope) -> String {
    let city = scope_clause(b, scope, "region_code", None);
    let county = scope_clause(b, scope, "county", None);
    format!("({city} OR {county})")
}

/// One group in scope.
pub async fn get(db: &Db, scope: &Scope, id: &str) -> Result<Group> {
    let mut b = Builder::default();
    let w = visible(&mut b, scope);
    let id = b.arg(id);
    from_row(
        &b.build(format!("SELECT {COLUMNS} FROM guidance_group WHERE id = {id} AND {w}"))
            .fetch_one(db.reader())
            .await?,
    )
}

/// Groups in scope, newest first.
pub async fn list(db: &Db, scope: &Scope, page: PageRequest) -> Result<Paged<Group>> {
    let mut b = Builder::default();
    let w = visible(&mut b, scope);
    crate::sql::paged(db, b, COLUMNS, &format!("guidance_group WHERE {w}"), "created_at DESC, id", page, from_row).await
}

/// Records the visit if the group is still at `version` and not yet visited.
pub async fn record_visit(tx: &mut Tx, g: &Group, version: i64, visited_at: &str, summary: &str) -> Result<()> {
    let n = query(
        "UPDATE guidance_group SET status = 'visited', visited_at = $1, summary = $2, version = version + 1
         WHERE region_code = $3 AND id = $4 AND version = $5 AND status = 'planned'",
    )
    .bind(visited_at)
    .bind(summary)
    .bind(g.region_code.as_str())
    .bind(g.id.as_str())
    .bind(version)
    .execute(tx.ex())
    .await?;
    if n == 0 {
        return Err(StoreError::Conflict { expected: version, actual: g.version });
    }
    Ok(())
}
