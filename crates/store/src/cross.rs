//! Cross-inspection rounds: the grouping's commit → beacon → reveal, like a spot-check plan's.
//! The secret is read only by [`secret_for_grouping`]. A round is visible to its city's
//! jurisdiction and to each participating county.

use crate::scope::scope_clause;
use crate::sql::{Builder, Row, query};
use crate::{Db, Result, StoreError, Tx, new_id};
use domain::access::Scope;
use domain::page::{PageRequest, Paged};
use domain::plan::PlanStatus;

/// A stored round (without its secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Round {
    /// Id.
    pub id: String,
    /// Document number (`HC-341500-2026-01`).
    pub round_no: String,
    /// The organising city.
    pub region_code: String,
    /// Title.
    pub name: String,
    /// First day.
    pub date_from: String,
    /// Last day.
    pub date_to: String,
    /// Participating counties (JSON array of region codes).
    pub participants: String,
    /// Officers per visiting team.
    pub team_size: i64,
    /// Enterprises per pair by risk stratum (JSON, as a plan's quotas).
    pub quotas: String,
    /// draft → committed → drawn (grouped).
    pub status: PlanStatus,
    /// Optimistic version.
    pub version: i64,
    /// Creator.
    pub created_by: String,
    /// Creation time (ms).
    pub created_at: i64,
    /// Commit time (ms).
    pub committed_at: Option<i64>,
    /// Grouping time (ms).
    pub drawn_at: Option<i64>,
    /// Inputs digest (hex).
    pub inputs_digest: Option<String>,
    /// Commitment (hex).
    pub commitment: Option<String>,
    /// Beacon.
    pub beacon: Option<String>,
    /// `[visiting, inspected]` pairs (JSON), once grouped.
    pub pairs: Option<String>,
}

const TABLE: &str = "cross_round";

const COLUMNS: &str = "id, round_no, region_code, name, date_from, date_to, participants, team_size, quotas, status, \
    version, created_by, created_at, committed_at, drawn_at, inputs_digest, commitment, beacon, pairs";

fn from_row(r: &Row) -> Result<Round> {
    Ok(Round {
        id: r.text("id")?,
        round_no: r.text("round_no")?,
        region_code: r.text("region_code")?,
        name: r.text("name")?,
        date_from: r.text("date_from")?,
        date_to: r.text("date_to")?,
        participants: r.text("participants")?,
        team_size: r.int("team_size")?,
        quotas: r.text("quotas")?,
        status: PlanStatus::parse(&r.text("status")?).ok_or_else(|| StoreError::Corrupt("round status".into()))?,
        version: r.int("version")?,
        created_by: r.text("created_by")?,
        created_at: r.int("created_at")?,
        committed_at: r.opt_int("committed_at")?,
        drawn_at: r.opt_int("drawn_at")?,
        inputs_digest: r.opt_text("inputs_digest")?,
        commitment: r.opt_text("commitment")?,
        beacon: r.opt_text("beacon")?,
        pairs: r.opt_text("pairs")?,
    })
}

/// A new draft round.
#[derive(Debug, Clone)]
pub struct NewRound {
    /// Organising city.
    pub region_code: String,
    /// Title.
    pub name: String,
    /// First day.
    pub date_from: String,
    /// Last day.
    pub date_to: String,
    /// Participants (JSON array).
    pub participants: String,
    /// Team size.
    pub team_size: i64,
    /// Quotas (JSON).
    pub quotas: String,
    /// Creator.
    pub created_by: String,
}

/// Creates a draft round numbered in its city and year.
pub async fn create(tx: &mut Tx, r: &NewRound, year: i16, now_ms: i64) -> Result<Round> {
    let prefix = format!("HC-{}-{year}-", r.region_code);
    let round_no = crate::sql::next_number(tx, &prefix, 2).await?;
    let id = new_id();
    query(
        "INSERT INTO cross_round (region_code, id, round_no, name, date_from, date_to, participants, team_size, quotas,
         status, version, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'draft', 1, $10, $11)",
    )
    .bind(r.region_code.as_str())
    .bind(id.as_str())
    .bind(round_no.as_str())
    .bind(r.name.as_str())
    .bind(r.date_from.as_str())
    .bind(r.date_to.as_str())
    .bind(r.participants.as_str())
    .bind(r.team_size)
    .bind(r.quotas.as_str())
    .bind(r.created_by.as_str())
    .bind(now_ms)
    .execute(tx.ex())
    .await?;
    from_row(
        &crate::sql::dynamic_query(format!("SELECT {COLUMNS} FROM cross_round WHERE id = $1"))
            .bind(id.as_str())
            .fetch_one(tx.ex())
            .await?,
    )
}

/// Rounds the viewer may see: its jurisdiction's, or those its county takes part in.
fn visible(b: &mut Builder, scope: &Scope, own_region: &str) -> String {
    let scoped = scope_clause(b, scope, "region_code", None);
    let member = b.arg(format!("%\"{own_region}\"%"));
    format!("({scoped} OR participants LIKE {member})")
}

/// One round the viewer may see.
pub async fn get(db: &Db, scope: &Scope, own_region: &str, id: &str) -> Result<Round> {
    let mut b = Builder::default();
    let vis = if scope.region_prefix().is_some() { visible(&mut b, scope, own_region) } else { "(1 = 0)".into() };
    let id = b.arg(id);
    from_row(
        &b.build(format!("SELECT {COLUMNS} FROM cross_round WHERE id = {id} AND {vis}")).fetch_one(db.reader()).await?,
    )
}

/// Rounds the viewer may see, newest first.
pub async fn list(db: &Db, scope: &Scope, own_region: &str, page: PageRequest) -> Result<Paged<Round>> {
    let mut b = Builder::default();
    let vis = if scope.region_prefix().is_some() { visible(&mut b, scope, own_region) } else { "(1 = 0)".into() };
    crate::sql::paged(db, b, COLUMNS, &format!("cross_round WHERE {vis}"), "created_at DESC, id", page, from_row).await
}

/// The pairs of the city's last grouped round (the `previous` pairs to avoid).
pub async fn last_pairs(db: &Db, city: &str, except: &str) -> Result<Option<String>> {
    let row = query(
        "SELECT pairs FROM cross_round WHERE region_code = $1 AND status = 'drawn' AND id <> $2
         ORDER BY drawn_at DESC, id DESC LIMIT 1",
    )
    .bind(city)
    .bind(except)
    .fetch_optional(db.reader())
    .await?;
    Ok(row.map(|r| r.opt_text("pairs")).transpose()?.flatten())
}

/// Records the commitment (status committed) if the round is still a draft at `version`.
pub async fn commit(tx: &mut Tx, id: &str, version: i64, c: &crate::reveal::Commitment<'_>, now_ms: i64) -> Result<()> {
    crate::reveal::commit(tx, TABLE, id, version, c, now_ms).await
}

/// The committed record and secret, for the grouping only.
pub async fn secret_for_grouping(tx: &mut Tx, id: &str) -> Result<(String, String)> {
    crate::reveal::committed_secret(tx, TABLE, id).await
}

/// Records the grouping: status drawn, beacon, pairs and the full record.
pub async fn record_grouping(
    tx: &mut Tx,
    id: &str,
    version: i64,
    beacon: &str,
    pairs: &str,
    record: &str,
    now_ms: i64,
) -> Result<()> {
    let n = query(
        "UPDATE cross_round SET status = 'drawn', version = version + 1, drawn_at = $1, beacon = $2, pairs = $3,
         record = $4 WHERE id = $5 AND version = $6 AND status = 'committed'",
    )
    .bind(now_ms)
    .bind(beacon)
    .bind(pairs)
    .bind(record)
    .bind(id)
    .bind(version)
    .execute(tx.ex())
    .await?;
    crate::reveal::check_one(tx, TABLE, id, version, n).await
}

/// A published round and its record (the committed record before the grouping, the full
/// record after). Drafts are not found.
pub async fn published(db: &Db, round_no: &str) -> Result<(Round, String)> {
    crate::reveal::published(db, TABLE, COLUMNS, None, ("round_no", round_no), from_row).await
}

/// Committed and grouped rounds, newest first (the public list).
pub async fn list_published(db: &Db, page: PageRequest) -> Result<Paged<Round>> {
    crate::sql::paged(
        db,
        Builder::default(),
        COLUMNS,
        "cross_round WHERE status <> 'draft'",
        "committed_at DESC, id",
        page,
        from_row,
    )
    .await
}

/// What a pair has produced so far: (enterprises inspected, hazards found as (grade, status)).
pub async fn pair_results(
    db: &Db,
    plan_id: &str,
    visiting: &str,
    inspected_since: i64,
) -> Result<(i64, Vec<(String, String)>)> {
    let inspected = query("SELECT COUNT(DISTINCT enterprise_id) AS n FROM inspection WHERE plan_id = $1")
        .bind(plan_id)
        .fetch_one(db.reader())
        .await?
        .int("n")?;
    let plan_region =
        query("SELECT region_code FROM spot_check_plan WHERE id = $1").bind(plan_id).fetch_one(db.reader()).await?;
    let rows = query(
        "SELECT grade, status FROM hazard WHERE region_code = $1 AND source = 'cross_inspection' AND found_by_region = $2
         AND reported_at >= $3",
    )
    .bind(plan_region.text("region_code")?)
    .bind(visiting)
    .bind(inspected_since)
    .fetch_all(db.reader())
    .await?;
    Ok((inspected, rows.iter().map(|r| Ok((r.text("grade")?, r.text("status")?))).collect::<Result<_>>()?))
}
