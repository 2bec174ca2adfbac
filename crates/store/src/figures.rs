//! The figures of BRIEF §9 for a jurisdiction and a period, computed from the records (never
//! stored as totals), per county-level region so that any level (county, city, province) is a
//! sum over its regions. One GROUP BY per kind of record, sent as two statements.

use crate::scope::region_list_clause;
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

/// Which field of [`RegionFigures`] a count fills.
type Field = fn(&mut RegionFigures) -> &mut i64;

/// Figures counted per region, run as one statement: a `UNION ALL` of one GROUP BY per figure,
/// each row tagged with its figure. A dashboard is a request users repeat all day, and on
/// SQLite every statement is a round trip to the connection's thread, which cost more than
/// these small counts themselves.
struct Counts<'a> {
    b: Builder,
    scope: &'a Scope,
    parts: Vec<String>,
    fields: Vec<Field>,
}

impl<'a> Counts<'a> {
    fn new(scope: &'a Scope) -> Self {
        Self { b: Builder::default(), scope, parts: Vec::new(), fields: Vec::new() }
    }

    /// Adds `SELECT <region_col>, <count> FROM <tail> GROUP BY <region_col>` filling `field`;
    /// `tail` gets the builder and the scope condition and returns the text after `FROM`.
    fn add(
        &mut self,
        region_col: &str,
        count: &str,
        tail: impl FnOnce(&mut Builder, &str) -> String,
        field: Field,
    ) -> &mut Self {
        let w = region_list_clause(&mut self.b, self.scope, region_col, None);
        let tail = tail(&mut self.b, &w);
        let i = self.parts.len();
        self.parts.push(format!(
            "SELECT CAST({i} AS BIGINT) AS figure, {region_col} AS region_code, {count} AS n FROM {tail} \
             GROUP BY {region_col}"
        ));
        self.fields.push(field);
        self
    }

    /// Runs the statement and adds each count to its region's figures in `out`.
    async fn run(self, db: &Db, out: &mut BTreeMap<String, RegionFigures>) -> Result<()> {
        for r in self.b.build(self.parts.join(" UNION ALL ")).fetch_all(db.reader()).await? {
            let field = usize::try_from(r.int("figure")?).ok().and_then(|i| self.fields.get(i)).copied();
            if let (Some(field), Some(n)) = (field, r.opt_int("n")?) {
                *field(out.entry(r.text("region_code")?).or_default()) += n;
            }
        }
        Ok(())
    }
}

/// The figures of every region with records in `scope` for the period, by region code.
pub async fn by_region(db: &Db, scope: &Scope, s: &Span) -> Result<BTreeMap<String, RegionFigures>> {
    Ok(with_trend(db, scope, s, &[]).await?.0)
}

/// [`by_region`] and, for consecutive spans of the period (`edges` are their bounds in ms,
/// from `s.from_ms` to `s.to_end_ms`: span `i` is `edges[i] .. edges[i + 1]`), the hazards
/// reported in `scope` and how many of them are verified or closed (the dashboard's monthly
/// trend). For a period of whole months whose spans are its months (a quarter, a year) the
/// hazard figures are sums of `hazard_month_tally`, a row per region, month and status (a
/// province's quarter: a few thousand rows); for any other period, one pass over the hazards
/// reported in it grouped by region, with each span's counts as columns (a province's quarter:
/// 170,000 index entries). Empty `edges`: no trend.
pub async fn with_trend(
    db: &Db,
    scope: &Scope,
    s: &Span,
    edges: &[i64],
) -> Result<(BTreeMap<String, RegionFigures>, Vec<(i64, i64)>)> {
    let spans = edges.len().saturating_sub(1);
    if let [first, .., last] = edges
        && (*first != s.from_ms || *last != s.to_end_ms)
    {
        return Err(crate::StoreError::Corrupt("the trend's spans must cover the period exactly".into()));
    }
    // Hazards: five figures, from the monthly tally when the period is whole months (a quarter,
    // a year), else from one pass over the hazards reported in it.
    let months = whole_months(s, edges);
    let hazards = match &months {
        Some(months) => tally_pass(scope, months),
        None => hazard_pass(scope, s, edges),
    }
    .fetch_all(db.reader());
    let days = |b: &mut Builder| (b.arg(s.from.as_str()), b.arg(s.to.as_str()));
    let instants = |b: &mut Builder| (b.arg(s.from_ms), b.arg(s.to_end_ms));
    // `<table> WHERE <scope> [AND <condition>] AND <day column> within the period`.
    let dated = |table: &'static str, condition: &'static str, day: &'static str| {
        move |b: &mut Builder, w: &str| {
            let (from, to) = days(b);
            format!("{table} WHERE {w}{condition} AND {day} >= {from} AND {day} <= {to}")
        }
    };
    let accident_days = dated("accident", "", "occurred_on");
    let mut counts = Counts::new(scope);
    counts
        .add(
            "region_code",
            "COUNT(*)",
            |b, w| {
                let today = b.arg(s.today.as_str());
                format!("hazard WHERE {w} AND grade = 'major' AND status IN ({OPEN_STATUSES}) AND deadline < {today}")
            },
            |f| &mut f.major_overdue,
        )
        .add(
            "region_code",
            "COUNT(DISTINCT enterprise_id)",
            dated("inspection", " AND plan_id IS NOT NULL", "inspected_on"),
            |f| &mut f.enterprises_spot_checked,
        )
        .add("region_code", "COUNT(*)", dated("penalty_case", "", "decided_on"), |f| &mut f.penalty_decisions)
        .add("region_code", "COUNT(*)", accident_days, |f| &mut f.accidents)
        .add("region_code", "CAST(SUM(deaths) AS BIGINT)", accident_days, |f| &mut f.deaths)
        .add(
            "region_code",
            "COUNT(*)",
            dated("accident", " AND grade IN ('major', 'especially_major')", "occurred_on"),
            |f| &mut f.serious_accidents,
        )
        .add("region_code", "COUNT(*)", dated("inspection", "", "inspected_on"), |f| &mut f.inspections)
        // The register's size is a tally kept with the register (`store::enterprise`).
        .add(
            "region_code",
            "CAST(SUM(active) AS BIGINT)",
            |_, w| format!("enterprise_tally WHERE {w} AND active <> 0"),
            |f| &mut f.enterprises,
        )
        .add(
            "q.region_code",
            "COUNT(*)",
            |b, w| {
                let (from, to) = instants(b);
                format!(
                    "covert_problem q JOIN covert_plan p ON p.id = q.plan_id
                     WHERE {w} AND q.kind = 'covert' AND p.done_at >= {from} AND p.done_at < {to}"
                )
            },
            |f| &mut f.covert_problems,
        )
        // Covert checks count in the planning region; their problems in the region they concern.
        .add(
            "region_code",
            "COUNT(*)",
            |b, w| {
                let (from, to) = instants(b);
                format!("covert_plan WHERE {w} AND status = 'done' AND done_at >= {from} AND done_at < {to}")
            },
            |f| &mut f.covert_inspections,
        )
        .add(
            "q.region_code",
            "COUNT(*)",
            |b, w| {
                let (from, to) = instants(b);
                format!(
                    "covert_problem q JOIN covert_plan p ON p.id = q.plan_id LEFT JOIN hazard h ON h.id = q.hazard_id
                     WHERE {w} AND q.kind = 'covert' AND p.done_at >= {from} AND p.done_at < {to}
                       AND (q.hazard_id IS NULL OR h.status IN ('verified', 'closed'))
                       AND (q.handover_status IS NULL OR q.handover_status = 'accepted')"
                )
            },
            |f| &mut f.covert_problems_handled,
        );
    // The hazards' pass and the other figures run side by side (SQLite has several readers).
    let mut out: BTreeMap<String, RegionFigures> = BTreeMap::new();
    let (hazards, ()) = tokio::try_join!(hazards, counts.run(db, &mut out))?;
    let mut trend = vec![(0, 0); spans];
    for r in hazards {
        let f = out.entry(r.text("region_code")?).or_default();
        let (found, rectified) = (r.int("found")?, r.int("rectified")?);
        f.hazards_found += found;
        f.hazards_rectified += rectified;
        f.major_found += r.int("major")?;
        f.major_closed += r.int("major_closed")?;
        f.cross_hazards += r.int("cross_found")?;
        match &months {
            // A row per region and month: the month is the trend's span (when there is a trend).
            Some(months) if spans > 0 => {
                let month = r.text("month")?;
                if let Some(slot) = months.iter().position(|m| m.0 == month).and_then(|i| trend.get_mut(i)) {
                    *slot = (slot.0 + found, slot.1 + rectified);
                }
            }
            Some(_) => {}
            None => {
                for (i, slot) in trend.iter_mut().enumerate() {
                    slot.0 += r.int(&format!("found_{i}"))?;
                    slot.1 += r.int(&format!("rectified_{i}"))?;
                }
            }
        }
    }
    Ok((out, trend))
}

/// The months of the period when it is whole months and the trend's spans (if any) are those
/// months: then the hazard figures can be read from `hazard_month_tally`.
fn whole_months(s: &Span, edges: &[i64]) -> Option<Vec<(String, i64)>> {
    let months = domain::period::whole_months(s.from_ms, s.to_end_ms)?;
    let month_edges = months.iter().map(|m| m.1).chain([s.to_end_ms]);
    (edges.is_empty() || edges.iter().copied().eq(month_edges)).then_some(months)
}

fn sum(cond: &str, of: &str) -> String {
    format!("CAST(SUM(CASE WHEN {cond} THEN {of} ELSE 0 END) AS BIGINT)")
}

/// The hazard figures of `months` per region and month, from the tally (migration 0024).
fn tally_pass(scope: &Scope, months: &[(String, i64)]) -> crate::sql::Query {
    let mut b = Builder::default();
    let w = region_list_clause(&mut b, scope, "region_code", None);
    let first = b.arg(months.first().map_or("", |m| m.0.as_str()));
    let last = b.arg(months.last().map_or("", |m| m.0.as_str()));
    let text = format!(
        "SELECT region_code, month, CAST(SUM(n) AS BIGINT) AS found, {} AS rectified, {} AS major,
                {} AS major_closed, {} AS cross_found
         FROM hazard_month_tally WHERE {w} AND month >= {first} AND month <= {last} GROUP BY region_code, month",
        sum("status IN ('verified', 'closed')", "n"),
        sum("major_in_campaign = 1", "n"),
        sum("major_in_campaign = 1 AND status = 'closed'", "n"),
        sum("cross_inspection = 1", "n"),
    );
    b.build(text)
}

/// The hazard figures of the period per region from the hazards themselves, with each span of
/// the trend's counts as columns (`found_i`, `rectified_i`).
fn hazard_pass(scope: &Scope, s: &Span, edges: &[i64]) -> crate::sql::Query {
    let mut b = Builder::default();
    let w = region_list_clause(&mut b, scope, "region_code", None);
    let (from, to) = (b.arg(s.from_ms), b.arg(s.to_end_ms));
    let count = |cond: &str| sum(cond, "1");
    // Each span's counts are columns of the region's row (not a second grouping key), so that
    // the rows are grouped in the index's order without a sort.
    let mut per_span = String::new();
    for (i, pair) in edges.windows(2).enumerate() {
        let (lo, hi) = (b.arg(pair[0]), b.arg(pair[1]));
        let inside = format!("reported_at >= {lo} AND reported_at < {hi}");
        per_span.push_str(&format!(
            ", {} AS found_{i}, {} AS rectified_{i}",
            count(&inside),
            count(&format!("{inside} AND status IN ('verified', 'closed')"))
        ));
    }
    let text = format!(
        "SELECT region_code, COUNT(*) AS found, {} AS rectified, {} AS major, {} AS major_closed, {} AS cross_found
           {per_span}
         FROM hazard WHERE {w} AND reported_at >= {from} AND reported_at < {to} GROUP BY region_code",
        count("status IN ('verified', 'closed')"),
        count("grade = 'major' AND campaign_id IS NOT NULL"),
        count("grade = 'major' AND campaign_id IS NOT NULL AND status = 'closed'"),
        count("source = 'cross_inspection'"),
    );
    b.build(text)
}

/// Hazard statuses before verification (an SQL list): the open ones, listed rather than
/// negated so that an index on the status is searched, not scanned.
pub(crate) const OPEN_STATUSES: &str = "'reported', 'assigned', 'rectifying', 'submitted'";

#[cfg(test)]
mod tests {
    use domain::hazard::STATUSES;

    #[test]
    fn open_statuses_are_every_status_before_verification() {
        let open: Vec<String> = STATUSES.iter().filter(|s| s.is_open()).map(|s| format!("'{}'", s.as_str())).collect();
        assert_eq!(super::OPEN_STATUSES, open.join(", "));
    }
}
