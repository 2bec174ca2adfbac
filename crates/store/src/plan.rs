//! Spot-check plans and what a draw needs from the registers: candidates, certified officers,
//! declared conflicts. The secret is read only by [`secret_for_draw`]; every other query
//! leaves it out, so no page or API can show it before the reveal.

use crate::scope::scope_clause;
use crate::sql::{Builder, Row, query};
use crate::{Db, Result, StoreError, Tx, new_id};
use domain::access::Scope;
use domain::page::{PageRequest, Paged};
use domain::plan::PlanStatus;
use domain::region::RegionPrefix;

/// A stored plan (without its secret).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Plan {
    /// Id.
    pub id: String,
    /// Document number users quote (`SC-341522-2023-0001`).
    pub plan_no: String,
    /// Region (jurisdiction) of the plan.
    pub region_code: String,
    /// Title.
    pub name: String,
    /// First day of the period.
    pub period_start: String,
    /// Last day of the period.
    pub period_end: String,
    /// Sector codes in scope (JSON array; empty means all).
    pub sectors: String,
    /// Quotas (JSON).
    pub quotas: String,
    /// Officers per team.
    pub team_size: i64,
    /// Check items to use.
    pub check_items: String,
    /// Life-cycle state.
    pub status: PlanStatus,
    /// Optimistic version.
    pub version: i64,
    /// Creator's username.
    pub created_by: String,
    /// Commit time (ms).
    pub committed_at: Option<i64>,
    /// Draw time (ms).
    pub drawn_at: Option<i64>,
    /// Inputs digest (hex), once committed.
    pub inputs_digest: Option<String>,
    /// Commitment (hex), once committed.
    pub commitment: Option<String>,
    /// Beacon, once drawn.
    pub beacon: Option<String>,
    /// The cross-inspection round this plan is a pair of (targets in this plan's county, the
    /// team from `inspector_region`).
    pub round_id: Option<String>,
    /// Where the officers come from, when not from the plan's own region (a visiting county).
    pub inspector_region: Option<String>,
}

/// A new draft plan.
#[derive(Debug, Clone)]
pub struct NewPlan {
    /// Jurisdiction.
    pub region_code: String,
    /// Title.
    pub name: String,
    /// Period start (YYYY-MM-DD).
    pub period_start: String,
    /// Period end (YYYY-MM-DD).
    pub period_end: String,
    /// Sectors (JSON array).
    pub sectors: String,
    /// Quotas (JSON).
    pub quotas: String,
    /// Team size.
    pub team_size: i64,
    /// Check items.
    pub check_items: String,
    /// Creator.
    pub created_by: String,
    /// Cross-inspection round, for a pair plan.
    pub round_id: Option<String>,
    /// Visiting county, for a pair plan.
    pub inspector_region: Option<String>,
}

const COLUMNS: &str = "id, plan_no, region_code, name, period_start, period_end, sectors, quotas, team_size, check_items, \
    status, version, created_by, committed_at, drawn_at, inputs_digest, commitment, beacon, \
    round_id, inspector_region";

fn from_row(r: &Row) -> Result<Plan> {
    Ok(Plan {
        id: r.text("id")?,
        plan_no: r.text("plan_no")?,
        region_code: r.text("region_code")?,
        name: r.text("name")?,
        period_start: r.text("period_start")?,
        period_end: r.text("period_end")?,
        sectors: r.text("sectors")?,
        quotas: r.text("quotas")?,
        team_size: r.int("team_size")?,
        check_items: r.text("check_items")?,
        status: PlanStatus::parse(&r.text("status")?).ok_or_else(|| StoreError::Corrupt("plan status".into()))?,
        version: r.int("version")?,
        created_by: r.text("created_by")?,
        committed_at: r.opt_int("committed_at")?,
        drawn_at: r.opt_int("drawn_at")?,
        inputs_digest: r.opt_text("inputs_digest")?,
        commitment: r.opt_text("commitment")?,
        beacon: r.opt_text("beacon")?,
        round_id: r.opt_text("round_id")?,
        inspector_region: r.opt_text("inspector_region")?,
    })
}

/// Creates a draft plan with the next document number of its region and year.
pub async fn create(tx: &mut Tx, p: &NewPlan, year: i32, now_ms: i64) -> Result<Plan> {
    let prefix = format!("SC-{}-{year}-", p.region_code);
    let number = crate::sql::next_number(tx, &prefix, 4).await?;
    let id = new_id();
    let plan_no = number.clone();
    query(
        "INSERT INTO spot_check_plan (region_code, id, plan_no, name, period_start, period_end, sectors, quotas,
         team_size, check_items, status, version, created_by, created_at, round_id, inspector_region)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'draft', 1, $11, $12, $13, $14)",
    )
    .bind(p.region_code.as_str())
    .bind(id.as_str())
    .bind(plan_no.as_str())
    .bind(p.name.as_str())
    .bind(p.period_start.as_str())
    .bind(p.period_end.as_str())
    .bind(p.sectors.as_str())
    .bind(p.quotas.as_str())
    .bind(p.team_size)
    .bind(p.check_items.as_str())
    .bind(p.created_by.as_str())
    .bind(now_ms)
    .bind(p.round_id.as_deref())
    .bind(p.inspector_region.as_deref())
    .execute(tx.ex())
    .await?;
    let row = crate::sql::dynamic_query(format!("SELECT {COLUMNS} FROM spot_check_plan WHERE id = $1"))
        .bind(id.as_str())
        .fetch_one(tx.ex())
        .await?;
    from_row(&row)
}

/// Plans a scope may see: its own region's, and the cross-inspection pair plans whose team it
/// sends (the visiting county inspects there).
fn visible(b: &mut Builder, scope: &Scope) -> String {
    let own = scope_clause(b, scope, "region_code", None);
    let visiting = scope_clause(b, scope, "inspector_region", None);
    format!("({own} OR {visiting})")
}

/// One plan in scope.
pub async fn get(db: &Db, scope: &Scope, id: &str) -> Result<Plan> {
    let mut b = Builder::default();
    let vis = visible(&mut b, scope);
    let id = b.arg(id);
    from_row(
        &b.build(format!("SELECT {COLUMNS} FROM spot_check_plan WHERE id = {id} AND {vis}"))
            .fetch_one(db.reader())
            .await?,
    )
}

/// The pair plans of a cross-inspection round, in creation order.
pub async fn of_round(db: &Db, round_id: &str) -> Result<Vec<Plan>> {
    let rows = crate::sql::dynamic_query(format!(
        "SELECT {COLUMNS} FROM spot_check_plan WHERE round_id = $1 ORDER BY created_at, id"
    ))
    .bind(round_id)
    .fetch_all(db.reader())
    .await?;
    rows.iter().map(from_row).collect()
}

/// Plans in scope, newest first.
pub async fn list(db: &Db, scope: &Scope, page: PageRequest) -> Result<Paged<Plan>> {
    let mut b = Builder::default();
    let scoped = visible(&mut b, scope);
    crate::sql::paged(db, b, COLUMNS, &format!("spot_check_plan WHERE {scoped}"), "created_at DESC, id", page, from_row)
        .await
}

/// Committed and drawn plans, newest first: the public list ("one public").
pub async fn list_published(db: &Db, page: PageRequest) -> Result<Paged<Plan>> {
    crate::sql::paged(
        db,
        Builder::default(),
        COLUMNS,
        "spot_check_plan WHERE status <> 'draft'",
        "committed_at DESC, id",
        page,
        from_row,
    )
    .await
}

/// A published plan by document number, with its published record (the committed record
/// before the draw, the full record after). Drafts are not found.
pub async fn published(db: &Db, plan_no: &str) -> Result<(Plan, String)> {
    crate::reveal::published(db, "spot_check_plan", COLUMNS, Some("reveal"), ("plan_no", plan_no), from_row).await
}

pub use crate::reveal::Commitment;

/// Records the commitment: status committed, inputs digest, commitment, secret and the
/// committed record. Fails with `Conflict` if the plan changed since `version` was read.
pub async fn commit(tx: &mut Tx, id: &str, version: i64, c: &Commitment<'_>, now_ms: i64) -> Result<()> {
    crate::reveal::commit(tx, "spot_check_plan", id, version, c, now_ms).await
}

/// The committed record and secret of a committed plan, for the draw only.
pub async fn secret_for_draw(tx: &mut Tx, id: &str) -> Result<(String, String)> {
    crate::reveal::committed_secret(tx, "spot_check_plan", id).await
}

/// Records the draw: status drawn, beacon and the reveal's members (a JSON object: secret,
/// beacon, seed, assignments, result digest), which follow the committed record to make the
/// full published record ([`published`]).
pub async fn record_draw(tx: &mut Tx, id: &str, version: i64, beacon: &str, reveal: &str, now_ms: i64) -> Result<()> {
    let n = query(
        "UPDATE spot_check_plan SET status = 'drawn', version = version + 1, drawn_at = $1, beacon = $2, reveal = $3
         WHERE id = $4 AND version = $5 AND status = 'committed'",
    )
    .bind(now_ms)
    .bind(beacon)
    .bind(reveal)
    .bind(id)
    .bind(version)
    .execute(tx.ex())
    .await?;
    crate::reveal::check_one(tx, "spot_check_plan", id, version, n).await
}

/// Active enterprises of a jurisdiction in the given sectors (all sectors when empty):
/// `(credit code, risk level)`.
pub async fn candidates(db: &Db, region: &RegionPrefix, sectors: &[String]) -> Result<Vec<(String, String)>> {
    let mut b = Builder::default();
    let mut conds =
        vec![scope_clause(&mut b, &Scope::Region(region.clone()), "region_code", None), "status = 'active'".to_owned()];
    if !sectors.is_empty() {
        let list: Vec<String> = sectors.iter().map(|s| b.arg(s.as_str())).collect();
        conds.push(format!("sector IN ({})", list.join(", ")));
    }
    // One row per region with its candidates packed as `code:risk,code:risk,…` (credit codes
    // and risk levels hold neither separator): a province-wide plan has a million candidates,
    // and on SQLite each row returned costs a hand-off between the connection's thread and
    // the runtime, which made reading them one per row most of a draw's time.
    let sql = format!(
        "SELECT string_agg(credit_code || ':' || risk_level, ',') AS packed FROM enterprise WHERE {} GROUP BY region_code",
        conds.join(" AND ")
    );
    let mut out = Vec::new();
    b.build(sql)
        .for_each(db.reader(), |r| {
            for pair in r.text("packed")?.split(',') {
                let (code, risk) =
                    pair.split_once(':').ok_or_else(|| StoreError::Corrupt(format!("enterprise candidate {pair}")))?;
                out.push((code.to_owned(), risk.to_owned()));
            }
            Ok(())
        })
        .await?;
    Ok(out)
}

/// Badge numbers of the officers of a jurisdiction certified on `day` (YYYY-MM-DD).
pub async fn certified_officers(db: &Db, region: &RegionPrefix, day: &str) -> Result<Vec<String>> {
    let mut b = Builder::default();
    let scoped = scope_clause(&mut b, &Scope::Region(region.clone()), "region_code", None);
    let day = b.arg(day);
    let rows = b
        .build(format!(
            "SELECT badge_no FROM officer WHERE {scoped} AND status = 'active' AND cert_valid_until >= {day}"
        ))
        .fetch_all(db.reader())
        .await?;
    rows.iter().map(|r| r.text("badge_no")).collect()
}

/// Declared conflicts of a jurisdiction's officers: `(badge no, credit code)`.
pub async fn conflicts(db: &Db, region: &RegionPrefix) -> Result<Vec<(String, String)>> {
    let mut b = Builder::default();
    let scoped = scope_clause(&mut b, &Scope::Region(region.clone()), "region_code", None);
    let rows = b
        .build(format!("SELECT badge_no, credit_code FROM officer_conflict WHERE {scoped}"))
        .fetch_all(db.reader())
        .await?;
    rows.iter().map(|r| Ok((r.text("badge_no")?, r.text("credit_code")?))).collect()
}

/// Declares a conflict of interest between an officer and an enterprise.
pub async fn declare_conflict(
    tx: &mut Tx,
    region_code: &str,
    badge_no: &str,
    credit_code: &str,
    reason: &str,
    by: &str,
    now_ms: i64,
) -> Result<String> {
    let id = new_id();
    query(
        "INSERT INTO officer_conflict (region_code, id, badge_no, credit_code, reason, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(region_code)
    .bind(id.as_str())
    .bind(badge_no)
    .bind(credit_code)
    .bind(reason)
    .bind(by)
    .bind(now_ms)
    .execute(tx.ex())
    .await?;
    Ok(id)
}

/// What a drawn plan's reveal produced, as JSON that parses as
/// `domain::draw::record::SpotReveal` (its teams, for checking an inspection against them):
/// the reveal's members, or the full record of a plan drawn before migration 0019.
pub async fn reveal_of(db: &Db, id: &str) -> Result<Option<String>> {
    let row =
        query("SELECT COALESCE(record, reveal) AS reveal FROM spot_check_plan WHERE id = $1 AND status = 'drawn'")
            .bind(id)
            .fetch_optional(db.reader())
            .await?;
    Ok(row.map(|r| r.opt_text("reveal")).transpose()?.flatten())
}
