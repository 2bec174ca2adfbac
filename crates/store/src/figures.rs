//! The figures of BRIEF §9 for a jurisdiction and a period, computed from the records (never
//! stored as totals), per county-level region so that any level (county, city, province) is a
//! sum over its regions. One GROUP BY per kind of record.

use crate::scope::scope_clause;
use crate::sql::Builder;
use crate::{Db, Result};
use domain::access::Scope;
use std::collections::BTreeMap;

/// A period: days (YYYY-MM-DD, inclusive) and the same bounds as instants (ms, `to_end_ms`
/// exclusive) for records timed in ms.
#[derive(Debug, Clone)]
pub struct Span {
    /// First day.
    pub from: String,
    /// Last day.
    pub to: String,
    /// First instant.
    pub from_ms: i64,
    /// The instant after the last day.
    pub to_end_ms: i64,
    /// Today (overdue is as of today).
    pub today: String,
}

/// The figures of one region for a period.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct RegionFigures {
    /// Hazards reported in the period.
    pub hazards_found: i64,
    /// Of those, verified or closed.
    pub hazards_rectified: i64,
    /// Major hazards reported in the period in a special action.
    pub major_found: i64,
    /// Of those, closed.
    pub major_closed: i64,
    /// Major hazards open past their deadline today (whenever reported).
    pub major_overdue: i64,
    /// Distinct enterprises with a completed spot check (an inspection of a drawn plan) in the period.
    pub enterprises_spot_checked: i64,
    /// Penalty decisions taken in the period.
    pub penalty_decisions: i64,
    /// Covert inspections completed in the period (counted in the region whose office planned them).
    pub covert_inspections: i64,
    /// Problems of those inspections, handled (hazard closed/verified and handover accepted).
    pub covert_problems_handled: i64,
    /// Hazards reported in the period through cross-inspections (in the inspected region).
    pub cross_hazards: i64,
    /// Accidents in the period.
    pub accidents: i64,
    /// Deaths in the period.
    pub deaths: i64,
}

impl RegionFigures {
    /// Adds another region's figures (a sum over regions is the figure of the larger region,
    /// except distinct enterprises, which are distinct per region already).
    pub fn add(&mut self, o: &Self) {
        self.hazards_found += o.hazards_found;
        self.hazards_rectified += o.hazards_rectified;
        self.major_found += o.major_found;
        self.major_closed += o.major_closed;
        self.major_overdue += o.major_overdue;
        self.enterprises_spot_checked += o.enterprises_spot_checked;
        self.penalty_decisions += o.penalty_decisions;
        self.covert_inspections += o.covert_inspections;
        self.covert_problems_handled += o.covert_problems_handled;
        self.cross_hazards += o.cross_hazards;
        self.accidents += o.accidents;
        self.deaths += o.deaths;
    }
}

async fn grouped(
    db: &Db,
    scope: &Scope,
    region_col: &str,
    sql: impl FnOnce(&mut Builder, &str) -> String,
    mut apply: impl FnMut(&mut BTreeMap<String, RegionFigures>, &crate::sql::Row) -> Result<()>,
    out: &mut BTreeMap<String, RegionFigures>,
) -> Result<()> {
    let mut b = Builder::default();
    let w = scope_clause(&mut b, scope, region_col, None);
    let text = sql(&mut b, &w);
    for r in b.build(text).fetch_all(db.reader()).await? {
        apply(out, &r)?;
    }
    Ok(())
}

/// The figures of every region with records in `scope` for the period, by region code.
pub async fn by_region(db: &Db, scope: &Scope, s: &Span) -> Result<BTreeMap<String, RegionFigures>> {
    let mut out = BTreeMap::new();
    grouped(
        db,
        scope,
        "region_code",
        |b, w| {
            let (from, to) = (b.arg(s.from_ms), b.arg(s.to_end_ms));
            format!(
                "SELECT region_code, COUNT(*) AS found,
                   CAST(SUM(CASE WHEN status IN ('verified', 'closed') THEN 1 ELSE 0 END) AS BIGINT) AS rectified,
                   CAST(SUM(CASE WHEN grade = 'major' AND campaign_id IS NOT NULL THEN 1 ELSE 0 END) AS BIGINT) AS major,
                   CAST(SUM(CASE WHEN grade = 'major' AND campaign_id IS NOT NULL AND status = 'closed' THEN 1 ELSE 0 END) AS BIGINT) AS major_closed,
                   CAST(SUM(CASE WHEN source = 'cross_inspection' THEN 1 ELSE 0 END) AS BIGINT) AS cross_found
                 FROM hazard WHERE {w} AND reported_at >= {from} AND reported_at < {to} GROUP BY region_code"
            )
        },
        |out, r| {
            let f = out.entry(r.text("region_code")?).or_default();
            f.hazards_found += r.int("found")?;
            f.hazards_rectified += r.int("rectified")?;
            f.major_found += r.int("major")?;
            f.major_closed += r.int("major_closed")?;
            f.cross_hazards += r.int("cross_found")?;
            Ok(())
        },
        &mut out,
    )
    .await?;
    grouped(
        db,
        scope,
        "region_code",
        |b, w| {
            let today = b.arg(s.today.as_str());
            format!(
                "SELECT region_code, COUNT(*) AS n FROM hazard
                 WHERE {w} AND grade = 'major' AND status NOT IN ('verified', 'closed') AND deadline < {today}
                 GROUP BY region_code"
            )
        },
        |out, r| {
            out.entry(r.text("region_code")?).or_default().major_overdue += r.int("n")?;
            Ok(())
        },
        &mut out,
    )
    .await?;
    grouped(
        db,
        scope,
        "region_code",
        |b, w| {
            let (from, to) = (b.arg(s.from.as_str()), b.arg(s.to.as_str()));
            format!(
                "SELECT region_code, COUNT(DISTINCT enterprise_id) AS n FROM inspection
                 WHERE {w} AND plan_id IS NOT NULL AND inspected_on >= {from} AND inspected_on <= {to} GROUP BY region_code"
            )
        },
        |out, r| {
            out.entry(r.text("region_code")?).or_default().enterprises_spot_checked += r.int("n")?;
            Ok(())
        },
        &mut out,
    )
    .await?;
    grouped(
        db,
        scope,
        "region_code",
        |b, w| {
            let (from, to) = (b.arg(s.from.as_str()), b.arg(s.to.as_str()));
            format!(
                "SELECT region_code, COUNT(*) AS n FROM penalty_case
                 WHERE {w} AND decided_on >= {from} AND decided_on <= {to} GROUP BY region_code"
            )
        },
        |out, r| {
            out.entry(r.text("region_code")?).or_default().penalty_decisions += r.int("n")?;
            Ok(())
        },
        &mut out,
    )
    .await?;
    grouped(
        db,
        scope,
        "region_code",
        |b, w| {
            let (from, to) = (b.arg(s.from.as_str()), b.arg(s.to.as_str()));
            format!(
                "SELECT region_code, COUNT(*) AS n, CAST(SUM(deaths) AS BIGINT) AS deaths FROM accident
                 WHERE {w} AND occurred_on >= {from} AND occurred_on <= {to} GROUP BY region_code"
            )
        },
        |out, r| {
            let f = out.entry(r.text("region_code")?).or_default();
            f.accidents += r.int("n")?;
            f.deaths += r.int("deaths")?;
            Ok(())
        },
        &mut out,
    )
    .await?;
    // Covert checks count in the planning region; their problems in the region they concern.
    grouped(
        db,
        scope,
        "region_code",
        |b, w| {
            let (from, to) = (b.arg(s.from_ms), b.arg(s.to_end_ms));
            format!(
                "SELECT region_code, COUNT(*) AS n FROM covert_plan
                 WHERE {w} AND status = 'done' AND done_at >= {from} AND done_at < {to} GROUP BY region_code"
            )
        },
        |out, r| {
            out.entry(r.text("region_code")?).or_default().covert_inspections += r.int("n")?;
            Ok(())
        },
        &mut out,
    )
    .await?;
    grouped(
        db,
        scope,
        "q.region_code",
        |b, w| {
            let (from, to) = (b.arg(s.from_ms), b.arg(s.to_end_ms));
            format!(
                "SELECT q.region_code AS region_code, COUNT(*) AS n FROM covert_problem q
                 JOIN covert_plan p ON p.id = q.plan_id LEFT JOIN hazard h ON h.id = q.hazard_id
                 WHERE {w} AND q.kind = 'covert' AND p.done_at >= {from} AND p.done_at < {to}
                   AND (q.hazard_id IS NULL OR h.status IN ('verified', 'closed'))
                   AND (q.handover_status IS NULL OR q.handover_status = 'accepted')
                 GROUP BY q.region_code"
            )
        },
        |out, r| {
            out.entry(r.text("region_code")?).or_default().covert_problems_handled += r.int("n")?;
            Ok(())
        },
        &mut out,
    )
    .await?;
    Ok(out)
}

/// Hazards reported in the period in `scope`, and how many of them are verified or closed
/// (the dashboard's monthly trend).
pub async fn hazards_found(db: &Db, scope: &Scope, s: &Span) -> Result<(i64, i64)> {
    let mut b = Builder::default();
    let w = scope_clause(&mut b, scope, "region_code", None);
    let (from, to) = (b.arg(s.from_ms), b.arg(s.to_end_ms));
    let r = b
        .build(format!(
            "SELECT COUNT(*) AS found, CAST(COALESCE(SUM(CASE WHEN status IN ('verified', 'closed') THEN 1 ELSE 0 END), 0) AS BIGINT) AS rectified
             FROM hazard WHERE {w} AND reported_at >= {from} AND reported_at < {to}"
        ))
        .fetch_one(db.reader())
        .await?;
    Ok((r.int("found")?, r.int("rectified")?))
}
