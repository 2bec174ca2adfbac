//! The figures of BRIEF §9 for a jurisdiction and a period, computed from the records (never
//! stored as totals), per county-level region so that any level (county, city, province) is a
//! sum over its regions. One GROUP BY per kind of record.

use crate::scope::region_list_clause;
use crate::sql::Builder;
use crate::{Db, Result};
use domain::access::Scope;
use futures_util::FutureExt;
use futures_util::future::BoxFuture;
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
    /// Accidents of grade major or especially major in the period (the evaluation's veto).
    pub serious_accidents: i64,
    /// Inspections completed in the period.
    pub inspections: i64,
    /// Problems found by the covert inspections completed in the period.
    pub covert_problems: i64,
    /// Active enterprises in the register (now).
    pub enterprises: i64,
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
        self.serious_accidents += o.serious_accidents;
        self.inspections += o.inspections;
        self.covert_problems += o.covert_problems;
        self.enterprises += o.enterprises;
    }
}

/// `(region, n)` for `SELECT <region_col>, COUNT(*) FROM …` grouped by region: the shape of
/// most figures. `from_where` gets the builder and the scope condition and returns the text
/// after `FROM`.
async fn counts(
    db: &Db,
    scope: &Scope,
    region_col: &str,
    count: &str,
    from_where: impl FnOnce(&mut Builder, &str) -> String,
) -> Result<Vec<(String, i64)>> {
    let mut b = Builder::default();
    let w = region_list_clause(&mut b, scope, region_col, None);
    let tail = from_where(&mut b, &w);
    let text = format!("SELECT {region_col} AS region_code, {count} AS n FROM {tail} GROUP BY {region_col}");
    b.build(text).fetch_all(db.reader()).await?.iter().map(|r| Ok((r.text("region_code")?, r.int("n")?))).collect()
}

/// The figures of every region with records in `scope` for the period, by region code.
pub async fn by_region(db: &Db, scope: &Scope, s: &Span) -> Result<BTreeMap<String, RegionFigures>> {
    let mut out: BTreeMap<String, RegionFigures> = BTreeMap::new();
    // Hazards: five figures from one pass.
    let mut b = Builder::default();
    let w = region_list_clause(&mut b, scope, "region_code", None);
    let (from, to) = (b.arg(s.from_ms), b.arg(s.to_end_ms));
    let sum = |cond: &str| format!("CAST(SUM(CASE WHEN {cond} THEN 1 ELSE 0 END) AS BIGINT)");
    let text = format!(
        "SELECT region_code, COUNT(*) AS found, {} AS rectified, {} AS major, {} AS major_closed, {} AS cross_found
         FROM hazard WHERE {w} AND reported_at >= {from} AND reported_at < {to} GROUP BY region_code",
        sum("status IN ('verified', 'closed')"),
        sum("grade = 'major' AND campaign_id IS NOT NULL"),
        sum("grade = 'major' AND campaign_id IS NOT NULL AND status = 'closed'"),
        sum("source = 'cross_inspection'"),
    );
    let hazards = b.build(text).fetch_all(db.reader());
    let overdue = counts(db, scope, "region_code", "COUNT(*)", |b, w| {
        let today = b.arg(s.today.as_str());
        format!("hazard WHERE {w} AND grade = 'major' AND status IN ({OPEN_STATUSES}) AND deadline < {today}")
    });
    let spot = counts(db, scope, "region_code", "COUNT(DISTINCT enterprise_id)", |b, w| {
        let (from, to) = (b.arg(s.from.as_str()), b.arg(s.to.as_str()));
        format!("inspection WHERE {w} AND plan_id IS NOT NULL AND inspected_on >= {from} AND inspected_on <= {to}")
    });
    let penalties = counts(db, scope, "region_code", "COUNT(*)", |b, w| {
        let (from, to) = (b.arg(s.from.as_str()), b.arg(s.to.as_str()));
        format!("penalty_case WHERE {w} AND decided_on >= {from} AND decided_on <= {to}")
    });
    let accident_days = |b: &mut Builder, w: &str| {
        let (from, to) = (b.arg(s.from.as_str()), b.arg(s.to.as_str()));
        format!("accident WHERE {w} AND occurred_on >= {from} AND occurred_on <= {to}")
    };
    let accidents = counts(db, scope, "region_code", "COUNT(*)", accident_days);
    let deaths = counts(db, scope, "region_code", "CAST(SUM(deaths) AS BIGINT)", accident_days);
    let serious = counts(db, scope, "region_code", "COUNT(*)", |b, w| {
        let tail = accident_days(b, w);
        format!("{tail} AND grade IN ('major', 'especially_major')")
    });
    let inspections = counts(db, scope, "region_code", "COUNT(*)", |b, w| {
        let (from, to) = (b.arg(s.from.as_str()), b.arg(s.to.as_str()));
        format!("inspection WHERE {w} AND inspected_on >= {from} AND inspected_on <= {to}")
    });
    let enterprises = crate::enterprise::active_by_region(db, scope);
    let problems = counts(db, scope, "q.region_code", "COUNT(*)", |b, w| {
        let (from, to) = (b.arg(s.from_ms), b.arg(s.to_end_ms));
        format!(
            "covert_problem q JOIN covert_plan p ON p.id = q.plan_id
             WHERE {w} AND q.kind = 'covert' AND p.done_at >= {from} AND p.done_at < {to}"
        )
    });
    // Covert checks count in the planning region; their problems in the region they concern.
    let covert = counts(db, scope, "region_code", "COUNT(*)", |b, w| {
        let (from, to) = (b.arg(s.from_ms), b.arg(s.to_end_ms));
        format!("covert_plan WHERE {w} AND status = 'done' AND done_at >= {from} AND done_at < {to}")
    });
    let handled = counts(db, scope, "q.region_code", "COUNT(*)", |b, w| {
        let (from, to) = (b.arg(s.from_ms), b.arg(s.to_end_ms));
        format!(
            "covert_problem q JOIN covert_plan p ON p.id = q.plan_id LEFT JOIN hazard h ON h.id = q.hazard_id
             WHERE {w} AND q.kind = 'covert' AND p.done_at >= {from} AND p.done_at < {to}
               AND (q.hazard_id IS NULL OR h.status IN ('verified', 'closed'))
               AND (q.handover_status IS NULL OR q.handover_status = 'accepted')"
        )
    });
    type Field = fn(&mut RegionFigures) -> &mut i64;
    type Counts<'a> = BoxFuture<'a, Result<Vec<(String, i64)>>>;
    let parts: [(Counts<'_>, Field); 11] = [
        (overdue.boxed(), |f| &mut f.major_overdue),
        (spot.boxed(), |f| &mut f.enterprises_spot_checked),
        (penalties.boxed(), |f| &mut f.penalty_decisions),
        (accidents.boxed(), |f| &mut f.accidents),
        (deaths.boxed(), |f| &mut f.deaths),
        (covert.boxed(), |f| &mut f.covert_inspections),
        (handled.boxed(), |f| &mut f.covert_problems_handled),
        (serious.boxed(), |f| &mut f.serious_accidents),
        (inspections.boxed(), |f| &mut f.inspections),
        (enterprises.boxed(), |f| &mut f.enterprises),
        (problems.boxed(), |f| &mut f.covert_problems),
    ];
    let (queries, fields): (Vec<_>, Vec<Field>) = parts.into_iter().unzip();
    // The queries run side by side (SQLite has several reader connections).
    let (hazards, counted) = tokio::try_join!(hazards, futures_util::future::try_join_all(queries))?;
    for r in hazards {
        let f = out.entry(r.text("region_code")?).or_default();
        f.hazards_found += r.int("found")?;
        f.hazards_rectified += r.int("rectified")?;
        f.major_found += r.int("major")?;
        f.major_closed += r.int("major_closed")?;
        f.cross_hazards += r.int("cross_found")?;
    }
    for (rows, field) in counted.into_iter().zip(fields) {
        for (region, n) in rows {
            *field(out.entry(region).or_default()) += n;
        }
    }
    Ok(out)
}

/// Hazard statuses before verification (an SQL list): the open ones, listed rather than
/// negated so that an index on the status is searched, not scanned.
pub(crate) const OPEN_STATUSES: &str = "'reported', 'assigned', 'rectifying', 'submitted'";

/// For consecutive spans of time (`edges` are their bounds in ms: span `i` is
/// `edges[i] .. edges[i + 1]`), the hazards reported in `scope` and how many of them are
/// verified or closed (the dashboard's monthly trend): one pass over the whole range.
pub async fn hazards_found_by_span(db: &Db, scope: &Scope, edges: &[i64]) -> Result<Vec<(i64, i64)>> {
    let [first, .., last] = edges else { return Ok(Vec::new()) };
    let spans = edges.len() - 1;
    let mut b = Builder::default();
    let w = region_list_clause(&mut b, scope, "region_code", None);
    let (from, to) = (b.arg(*first), b.arg(*last));
    let mut bucket = String::from("CASE");
    for (i, edge) in edges[1..spans].iter().enumerate() {
        bucket.push_str(&format!(" WHEN reported_at < {} THEN {i}", b.arg(*edge)));
    }
    bucket.push_str(&format!(" ELSE {} END", spans - 1));
    let rows = b
        .build(format!(
            "SELECT CAST({bucket} AS BIGINT) AS span, COUNT(*) AS found,
               CAST(SUM(CASE WHEN status IN ('verified', 'closed') THEN 1 ELSE 0 END) AS BIGINT) AS rectified
             FROM hazard WHERE {w} AND reported_at >= {from} AND reported_at < {to} GROUP BY 1"
        ))
        .fetch_all(db.reader())
        .await?;
    let mut out = vec![(0, 0); spans];
    for r in rows {
        if let Some(slot) = usize::try_from(r.int("span")?).ok().and_then(|i| out.get_mut(i)) {
            *slot = (r.int("found")?, r.int("rectified")?);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use domain::hazard::STATUSES;

    #[test]
    fn open_statuses_are_every_status_before_verification() {
        let open: Vec<String> = STATUSES.iter().filter(|s| s.is_open()).map(|s| format!("'{}'", s.as_str())).collect();
        assert_eq!(super::OPEN_STATUSES, open.join(", "));
    }
}
