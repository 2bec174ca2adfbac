//! Special actions (campaigns) and their progress figures, computed from the hazard ledger.

use crate::scope::scope_clause;
use crate::sql::{Builder, Row, query};
use crate::{Db, Result, Tx, new_id};
use domain::access::Scope;

/// A campaign as stored (lists as JSON text).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Campaign {
    /// Id.
    pub id: String,
    /// Region running it (a city).
    pub region_code: String,
    /// Name.
    pub name: String,
    /// Region codes in scope (JSON array; empty = all under the running region).
    pub regions: String,
    /// Sector codes in scope (JSON array; empty = all).
    pub sectors: String,
    /// First day.
    pub start_date: String,
    /// Last day.
    pub end_date: String,
    /// Stages (JSON array of {name, start, end}).
    pub stages: String,
    /// Targets (text).
    pub targets: String,
    /// Creator.
    pub created_by: String,
    /// Version.
    pub version: i64,
}

const COLUMNS: &str =
    "id, region_code, name, regions, sectors, start_date, end_date, stages, targets, created_by, version";

fn from_row(r: &Row) -> Result<Campaign> {
    Ok(Campaign {
        id: r.text("id")?,
        region_code: r.text("region_code")?,
        name: r.text("name")?,
        regions: r.text("regions")?,
        sectors: r.text("sectors")?,
        start_date: r.text("start_date")?,
        end_date: r.text("end_date")?,
        stages: r.text("stages")?,
        targets: r.text("targets")?,
        created_by: r.text("created_by")?,
        version: r.int("version")?,
    })
}

/// Creates a campaign.
pub async fn create(tx: &mut Tx, c: &Campaign, now_ms: i64) -> Result<String> {
    let id = new_id();
    query(
        "INSERT INTO campaign (region_code, id, name, regions, sectors, start_date, end_date, stages, targets, created_by,
         created_at, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 1)",
    )
    .bind(c.region_code.as_str())
    .bind(id.as_str())
    .bind(c.name.as_str())
    .bind(c.regions.as_str())
    .bind(c.sectors.as_str())
    .bind(c.start_date.as_str())
    .bind(c.end_date.as_str())
    .bind(c.stages.as_str())
    .bind(c.targets.as_str())
    .bind(c.created_by.as_str())
    .bind(now_ms)
    .execute(tx.ex())
    .await?;
    Ok(id)
}

/// Campaigns run by a region the caller can see, or covering the caller's region: a county
/// sees the city's campaigns that include it.
pub async fn list(db: &Db, scope: &Scope, own_region: &str) -> Result<Vec<Campaign>> {
    let mut b = Builder::default();
    let scoped = scope_clause(&mut b, scope, "region_code", None);
    let city = b.arg(format!("{}00", &own_region[..4.min(own_region.len())]));
    let province = b.arg(format!("{}0000", &own_region[..2.min(own_region.len())]));
    let rows = b
        .build(format!(
            "SELECT {COLUMNS} FROM campaign WHERE {scoped} OR region_code = {city} OR region_code = {province} ORDER BY start_date DESC, id"
        ))
        .fetch_all(db.reader())
        .await?;
    rows.iter().map(from_row).collect()
}

/// One campaign by id (visibility is the caller's check, through [`list`]'s rule).
pub async fn get(db: &Db, id: &str) -> Result<Campaign> {
    from_row(
        &crate::sql::dynamic_query(format!("SELECT {COLUMNS} FROM campaign WHERE id = $1"))
            .bind(id)
            .fetch_one(db.reader())
            .await?,
    )
}

/// Hazard counts of a campaign, per region, source and grade.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ProgressRow {
    /// Region (county).
    pub region_code: String,
    /// Source.
    pub source: String,
    /// Grade.
    pub grade: String,
    /// Hazards found.
    pub found: i64,
    /// Rectified (verified or closed out).
    pub rectified: i64,
    /// Open and past the deadline on the given day.
    pub overdue: i64,
    /// Listed for supervision.
    pub listed: i64,
    /// Distinct enterprises with a hazard.
    pub enterprises: i64,
}

/// The campaign's hazards grouped by region, source and grade, within the caller's scope.
pub async fn progress(db: &Db, scope: &Scope, campaign_id: &str, today: &str) -> Result<Vec<ProgressRow>> {
    let mut b = Builder::default();
    let scoped = scope_clause(&mut b, scope, "region_code", Some("enterprise_id"));
    let (cid, day) = (b.arg(campaign_id), b.arg(today));
    let rows = b
        .build(format!(
            "SELECT region_code, source, grade, COUNT(*) AS found,
               SUM(CASE WHEN status IN ('verified', 'closed') THEN 1 ELSE 0 END) AS rectified,
               SUM(CASE WHEN status NOT IN ('verified', 'closed') AND deadline < {day} THEN 1 ELSE 0 END) AS overdue,
               SUM(CASE WHEN listed_level IS NOT NULL THEN 1 ELSE 0 END) AS listed,
               COUNT(DISTINCT enterprise_id) AS enterprises
             FROM hazard WHERE campaign_id = {cid} AND {scoped}
             GROUP BY region_code, source, grade ORDER BY region_code, source, grade"
        ))
        .fetch_all(db.reader())
        .await?;
    rows.iter()
        .map(|r| {
            Ok(ProgressRow {
                region_code: r.text("region_code")?,
                source: r.text("source")?,
                grade: r.text("grade")?,
                found: r.int("found")?,
                rectified: r.int("rectified")?,
                overdue: r.int("overdue")?,
                listed: r.int("listed")?,
                enterprises: r.int("enterprises")?,
            })
        })
        .collect()
}

/// Distinct enterprises with a campaign hazard, per region (the per-group counts above cannot
/// be added up without double counting).
pub async fn enterprises_covered(db: &Db, scope: &Scope, campaign_id: &str) -> Result<Vec<(String, i64)>> {
    let mut b = Builder::default();
    let scoped = scope_clause(&mut b, scope, "region_code", Some("enterprise_id"));
    let cid = b.arg(campaign_id);
    let rows = b
        .build(format!(
            "SELECT region_code, COUNT(DISTINCT enterprise_id) AS n FROM hazard WHERE campaign_id = {cid} AND {scoped} GROUP BY region_code"
        ))
        .fetch_all(db.reader())
        .await?;
    rows.iter().map(|r| Ok((r.text("region_code")?, r.int("n")?))).collect()
}
