//! Inspections: stored with their officers, check items and outcome (JSON lists), counted
//! per enterprise and year for the annual check cap.

use crate::scope::scope_clause;
use crate::sql::{Builder, Row, query};
use crate::{Db, Result, Tx, new_id};
use domain::access::Scope;
use domain::page::{PageRequest, Paged};
use std::collections::HashMap;

/// An inspection as stored.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Inspection {
    /// Id.
    pub id: String,
    /// Document number.
    pub inspection_no: String,
    /// Region (the enterprise's).
    pub region_code: String,
    /// The spot-check plan it carries out, if any.
    pub plan_id: Option<String>,
    /// Enterprise id.
    pub enterprise_id: String,
    /// Credit code.
    pub credit_code: String,
    /// Enterprise name.
    pub enterprise_name: String,
    /// When (ms).
    pub inspected_at: i64,
    /// Date in China.
    pub inspected_on: String,
    /// Badge numbers present (JSON array).
    pub officers: String,
    /// Substitutions for drawn officers (JSON array of {out, in, reason}).
    pub substitutions: String,
    /// Check items with results (JSON array of {item, result, note}).
    pub items: String,
    /// The enterprise's representative.
    pub representative: String,
    /// `no_problem`, `order_to_correct` or `penalty_case`.
    pub outcome: String,
    /// Hazards recorded from the findings (JSON array of ids).
    pub hazards: String,
    /// Why a visit beyond the annual cap was needed.
    pub cap_reason: Option<String>,
    /// Recorder.
    pub recorded_by: String,
}

const COLUMNS: &str = "id, inspection_no, region_code, plan_id, enterprise_id, credit_code, enterprise_name, inspected_at, \
    inspected_on, officers, substitutions, items, representative, outcome, hazards, cap_reason, recorded_by";

fn from_row(r: &Row) -> Result<Inspection> {
    Ok(Inspection {
        id: r.text("id")?,
        inspection_no: r.text("inspection_no")?,
        region_code: r.text("region_code")?,
        plan_id: r.opt_text("plan_id")?,
        enterprise_id: r.text("enterprise_id")?,
        credit_code: r.text("credit_code")?,
        enterprise_name: r.text("enterprise_name")?,
        inspected_at: r.int("inspected_at")?,
        inspected_on: r.text("inspected_on")?,
        officers: r.text("officers")?,
        substitutions: r.text("substitutions")?,
        items: r.text("items")?,
        representative: r.text("representative")?,
        outcome: r.text("outcome")?,
        hazards: r.text("hazards")?,
        cap_reason: r.opt_text("cap_reason")?,
        recorded_by: r.text("recorded_by")?,
    })
}

/// Stores an inspection with the next number of its region and year.
pub async fn create(tx: &mut Tx, i: &Inspection, now_ms: i64) -> Result<Inspection> {
    let prefix = format!("JC-{}-{}-", i.region_code, &i.inspected_on[..4]);
    let number = crate::sql::next_number(tx, &prefix, 5).await?;
    let id = new_id();
    query(
        "INSERT INTO inspection (region_code, id, inspection_no, plan_id, enterprise_id, credit_code, enterprise_name,
         inspected_at, inspected_on, officers, substitutions, items, representative, outcome, hazards, cap_reason,
         recorded_by, recorded_at, version)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, 1)",
    )
    .bind(i.region_code.as_str())
    .bind(id.as_str())
    .bind(number.clone())
    .bind(i.plan_id.as_deref())
    .bind(i.enterprise_id.as_str())
    .bind(i.credit_code.as_str())
    .bind(i.enterprise_name.as_str())
    .bind(i.inspected_at)
    .bind(i.inspected_on.as_str())
    .bind(i.officers.as_str())
    .bind(i.substitutions.as_str())
    .bind(i.items.as_str())
    .bind(i.representative.as_str())
    .bind(i.outcome.as_str())
    .bind(i.hazards.as_str())
    .bind(i.cap_reason.as_deref())
    .bind(i.recorded_by.as_str())
    .bind(now_ms)
    .execute(tx.ex())
    .await?;
    from_row(
        &crate::sql::dynamic_query(format!("SELECT {COLUMNS} FROM inspection WHERE id = $1"))
            .bind(id.as_str())
            .fetch_one(tx.ex())
            .await?,
    )
}

/// Writes inspections that already took place (generated data, or an archive migrated from
/// another system) as they are, ids and numbers included, and moves the number counters past
/// their numbers so that inspections recorded later get fresh ones.
pub async fn insert_historical(tx: &mut Tx, rows: &[Inspection], now_ms: i64) -> Result<()> {
    let values: Vec<Vec<crate::sql::Value>> = rows
        .iter()
        .map(|i| {
            vec![
                i.region_code.as_str().into(),
                i.id.as_str().into(),
                i.inspection_no.as_str().into(),
                i.plan_id.as_deref().into(),
                i.enterprise_id.as_str().into(),
                i.credit_code.as_str().into(),
                i.enterprise_name.as_str().into(),
                i.inspected_at.into(),
                i.inspected_on.as_str().into(),
                i.officers.as_str().into(),
                i.substitutions.as_str().into(),
                i.items.as_str().into(),
                i.representative.as_str().into(),
                i.outcome.as_str().into(),
                i.hazards.as_str().into(),
                i.cap_reason.as_deref().into(),
                i.recorded_by.as_str().into(),
                now_ms.into(),
                1_i64.into(),
            ]
        })
        .collect();
    let columns = "region_code, id, inspection_no, plan_id, enterprise_id, credit_code, enterprise_name, \
        inspected_at, inspected_on, officers, substitutions, items, representative, outcome, hazards, \
        cap_reason, recorded_by, recorded_at, version";
    crate::sql::insert_rows(tx, "inspection", columns, values).await?;
    crate::sql::raise_numbers(tx, rows.iter().map(|r| r.inspection_no.as_str())).await
}

/// One inspection in scope.
pub async fn get(db: &Db, scope: &Scope, id: &str) -> Result<Inspection> {
    let mut b = Builder::default();
    let w = visible(&mut b, scope);
    let id = b.arg(id);
    from_row(
        &b.build(format!("SELECT {COLUMNS} FROM inspection WHERE id = {id} AND {w}")).fetch_one(db.reader()).await?,
    )
}

/// Inspections a scope may see: its own region's (an enterprise: its own), and those of the
/// cross-inspection pair plans whose team it sent.
fn visible(b: &mut Builder, scope: &Scope) -> String {
    let own = scope_clause(b, scope, "region_code", Some("enterprise_id"));
    if !matches!(scope, Scope::Region(_)) {
        return own;
    }
    let sent = scope_clause(b, scope, "p.inspector_region", None);
    format!("({own} OR plan_id IN (SELECT p.id FROM spot_check_plan p WHERE p.round_id IS NOT NULL AND {sent}))")
}

/// Which inspections to list.
#[derive(Debug, Clone, Default)]
pub struct InspectionFilter {
    /// Of one plan.
    pub plan_id: Option<String>,
    /// In one region (and the regions under it).
    pub region: Option<domain::region::RegionPrefix>,
    /// Inspected on or after (YYYY-MM-DD).
    pub from: Option<String>,
    /// Inspected on or before (YYYY-MM-DD).
    pub to: Option<String>,
    /// Only spot checks (inspections of a drawn plan).
    pub spot_only: bool,
}

/// Inspections in scope matching the filter, newest first.
pub async fn list(db: &Db, scope: &Scope, f: &InspectionFilter, page: PageRequest) -> Result<Paged<Inspection>> {
    let mut b = Builder::default();
    let mut w = visible(&mut b, scope);
    if let Some(p) = &f.plan_id {
        w = format!("{w} AND plan_id = {}", b.arg(p.as_str()));
    }
    if let Some(r) = &f.region {
        w = format!("{w} AND {}", scope_clause(&mut b, &Scope::Region(r.clone()), "region_code", None));
    }
    if let Some(d) = &f.from {
        w = format!("{w} AND inspected_on >= {}", b.arg(d.as_str()));
    }
    if let Some(d) = &f.to {
        w = format!("{w} AND inspected_on <= {}", b.arg(d.as_str()));
    }
    if f.spot_only {
        w += " AND plan_id IS NOT NULL";
    }
    crate::sql::paged(db, b, COLUMNS, &format!("inspection WHERE {w}"), "inspected_at DESC, id", page, from_row).await
}

/// Completed inspections of one enterprise in a calendar year.
pub async fn count_in_year(db: &Db, enterprise_id: &str, year: i16) -> Result<i64> {
    query("SELECT COUNT(*) AS n FROM inspection WHERE enterprise_id = $1 AND inspected_on >= $2 AND inspected_on <= $3")
        .bind(enterprise_id)
        .bind(format!("{year}-01-01"))
        .bind(format!("{year}-12-31"))
        .fetch_one(db.reader())
        .await?
        .int("n")
}

/// Credit codes of the enterprises of a jurisdiction that already reached their annual cap
/// in `year` (they are not candidates for another draw that year).
pub async fn at_cap(db: &Db, region: &domain::region::RegionPrefix, year: i16) -> Result<Vec<String>> {
    let mut b = Builder::default();
    let scoped = scope_clause(&mut b, &Scope::Region(region.clone()), "e.region_code", None);
    let (from, to) = (b.arg(format!("{year}-01-01")), b.arg(format!("{year}-12-31")));
    let rows = b
        .build(format!(
            "SELECT e.credit_code FROM enterprise e JOIN (SELECT enterprise_id, COUNT(*) AS n FROM inspection
               WHERE inspected_on >= {from} AND inspected_on <= {to} GROUP BY enterprise_id) c ON c.enterprise_id = e.id
             WHERE {scoped} AND c.n >= e.annual_check_cap"
        ))
        .fetch_all(db.reader())
        .await?;
    rows.iter().map(|r| r.text("credit_code")).collect()
}

/// `(badge, credit code)` pairs of a plan's inspections: who inspected whom.
pub async fn pairs_of_plan(db: &Db, plan_id: &str) -> Result<Vec<(String, String)>> {
    let rows = query("SELECT officers, credit_code FROM inspection WHERE plan_id = $1")
        .bind(plan_id)
        .fetch_all(db.reader())
        .await?;
    let mut out = Vec::new();
    for r in rows {
        let officers: Vec<String> = serde_json::from_str(&r.text("officers")?).unwrap_or_default();
        let code = r.text("credit_code")?;
        out.extend(officers.into_iter().map(|o| (o, code.clone())));
    }
    Ok(out)
}

/// The most recent drawn plan of a region before `plan_id` (its inspections give the
/// "inspected it last time" conflicts).
pub async fn previous_drawn_plan(db: &Db, region_code: &str, before_created_plan: &str) -> Result<Option<String>> {
    let row = query(
        "SELECT id FROM spot_check_plan WHERE region_code = $1 AND status = 'drawn' AND id <> $2 ORDER BY drawn_at DESC LIMIT 1",
    )
    .bind(region_code)
    .bind(before_created_plan)
    .fetch_optional(db.reader())
    .await?;
    row.map(|r| r.text("id")).transpose()
}

/// Officer badge numbers that exist, are in service and certified on `day`, by badge.
pub async fn certified(db: &Db, badges: &[String], day: &str) -> Result<HashMap<String, String>> {
    if badges.is_empty() {
        return Ok(HashMap::new());
    }
    let mut b = Builder::default();
    let badges: Vec<&str> = badges.iter().map(String::as_str).collect();
    let set = b.text_set(db.backend(), &badges);
    let day = b.arg(day);
    let rows = b
        .build(format!(
            "SELECT badge_no, region_code FROM officer WHERE badge_no IN ({set}) AND status = 'active' AND cert_valid_until >= {day}"
        ))
        .fetch_all(db.reader())
        .await?;
    rows.iter().map(|r| Ok((r.text("badge_no")?, r.text("region_code")?))).collect()
}

/// Inspections that carried out a spot-check plan, newest first: the public results.
pub async fn published(db: &Db, page: PageRequest) -> Result<Paged<Inspection>> {
    crate::sql::paged(
        db,
        Builder::default(),
        COLUMNS,
        "inspection WHERE plan_id IS NOT NULL",
        "inspected_at DESC, id",
        page,
        from_row,
    )
    .await
}
