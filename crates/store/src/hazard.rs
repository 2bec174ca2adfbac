//! The hazard ledger: scoped, filtered, paginated reads; the report; state changes with a
//! version check, each appending an event to the hazard's timeline in the same transaction.

use crate::scope::region_list_clause;
use crate::sql::{Builder, Row, like_pattern, query};
use crate::tally::{self, Counted};
use crate::{Db, Result, StoreError, Tx, new_id};
use domain::access::Scope;
use domain::hazard::{Grade, ListedLevel, Source, Status};
use domain::page::{PageRequest, Paged};
use domain::region::RegionPrefix;

/// A hazard as stored.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Hazard {
    /// Id.
    pub id: String,
    /// Document number users quote (`YH-341522-2023-000001`).
    pub hazard_no: String,
    /// Region (of the enterprise; the county that orders its rectification).
    pub region_code: String,
    /// Enterprise id.
    pub enterprise_id: String,
    /// Enterprise credit code.
    pub credit_code: String,
    /// Enterprise name at report time.
    pub enterprise_name: String,
    /// Enterprise sector.
    pub sector: String,
    /// What is wrong.
    pub description: String,
    /// Where.
    pub location: String,
    /// Grade.
    pub grade: Grade,
    /// For a major hazard: the criterion (reference data id).
    pub criterion: Option<String>,
    /// For a major hazard: the clause met.
    pub criterion_clause: Option<String>,
    /// Where it was found.
    pub source: Source,
    /// Rectification deadline (YYYY-MM-DD, Asia/Shanghai calendar).
    pub deadline: String,
    /// Responsible unit.
    pub responsible_unit: String,
    /// Responsible person.
    pub responsible_person: String,
    /// Current status.
    pub status: Status,
    /// Listed supervision level, if listed.
    pub listed_level: Option<ListedLevel>,
    /// Campaign it belongs to.
    pub campaign_id: Option<String>,
    /// For cross-inspections: the visiting county credited with the find.
    pub found_by_region: Option<String>,
    /// Five implementations (JSON) for a major hazard.
    pub five_implementations: Option<String>,
    /// Rectification plan.
    pub rectification_plan: String,
    /// Who reported it.
    pub reported_by: String,
    /// When (ms).
    pub reported_at: i64,
    /// When closed (ms).
    pub closed_at: Option<i64>,
    /// Optimistic version.
    pub version: i64,
}

/// One step of a hazard's timeline.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct HazardEvent {
    /// Position in the timeline, from 1.
    pub seq: i64,
    /// When (ms).
    pub at_ms: i64,
    /// Who.
    pub actor: String,
    /// Their role.
    pub role: String,
    /// What (`report` or an action name).
    pub action: String,
    /// Status before.
    pub from_status: Option<String>,
    /// Status after.
    pub to_status: String,
    /// Note (reason, what was done).
    pub note: String,
    /// Evidence (JSON array of SM3 hashes of uploaded files).
    pub evidence: String,
    /// The hazard's version after this step.
    pub version_after: i64,
}

const COLUMNS: &str = "id, hazard_no, region_code, enterprise_id, credit_code, enterprise_name, sector, description, location, \
    grade, criterion, criterion_clause, source, deadline, responsible_unit, responsible_person, status, listed_level, \
    campaign_id, found_by_region, five_implementations, rectification_plan, reported_by, reported_at, closed_at, version";

fn from_row(r: &Row) -> Result<Hazard> {
    let bad = |w: &str| StoreError::Corrupt(format!("hazard {w}"));
    Ok(Hazard {
        id: r.text("id")?,
        hazard_no: r.text("hazard_no")?,
        region_code: r.text("region_code")?,
        enterprise_id: r.text("enterprise_id")?,
        credit_code: r.text("credit_code")?,
        enterprise_name: r.text("enterprise_name")?,
        sector: r.text("sector")?,
        description: r.text("description")?,
        location: r.text("location")?,
        grade: Grade::parse(&r.text("grade")?).ok_or_else(|| bad("grade"))?,
        criterion: r.opt_text("criterion")?,
        criterion_clause: r.opt_text("criterion_clause")?,
        source: Source::parse(&r.text("source")?).ok_or_else(|| bad("source"))?,
        deadline: r.text("deadline")?,
        responsible_unit: r.text("responsible_unit")?,
        responsible_person: r.text("responsible_person")?,
        status: Status::parse(&r.text("status")?).ok_or_else(|| bad("status"))?,
        listed_level: r.opt_text("listed_level")?.and_then(|l| ListedLevel::parse(&l)),
        campaign_id: r.opt_text("campaign_id")?,
        found_by_region: r.opt_text("found_by_region")?,
        five_implementations: r.opt_text("five_implementations")?,
        rectification_plan: r.text("rectification_plan")?,
        reported_by: r.text("reported_by")?,
        reported_at: r.int("reported_at")?,
        closed_at: r.opt_int("closed_at")?,
        version: r.int("version")?,
    })
}

/// A hazard to record (validated by the service).
#[derive(Debug, Clone)]
pub struct NewHazard {
    /// The enterprise's region.
    pub region_code: String,
    /// Enterprise id.
    pub enterprise_id: String,
    /// Credit code.
    pub credit_code: String,
    /// Enterprise name.
    pub enterprise_name: String,
    /// Sector.
    pub sector: String,
    /// Description.
    pub description: String,
    /// Location.
    pub location: String,
    /// Grade.
    pub grade: Grade,
    /// Criterion id (major).
    pub criterion: Option<String>,
    /// Clause (major).
    pub criterion_clause: Option<String>,
    /// Source.
    pub source: Source,
    /// Deadline.
    pub deadline: String,
    /// Responsible unit.
    pub responsible_unit: String,
    /// Responsible person.
    pub responsible_person: String,
    /// Listed level.
    pub listed_level: Option<ListedLevel>,
    /// Campaign.
    pub campaign_id: Option<String>,
    /// Visiting county (cross-inspections).
    pub found_by_region: Option<String>,
    /// Five implementations (JSON).
    pub five_implementations: Option<String>,
    /// Rectification plan.
    pub rectification_plan: String,
    /// Reporter (username).
    pub reported_by: String,
    /// Reporter's role.
    pub reporter_role: String,
    /// Evidence of the finding (JSON array).
    pub evidence: String,
}

/// Records a hazard with the next document number of its region and year, and the first
/// event of its timeline.
pub async fn create(tx: &mut Tx, h: &NewHazard, year: i32, now_ms: i64) -> Result<Hazard> {
    let prefix = format!("YH-{}-{year}-", h.region_code);
    let number = crate::sql::next_number(tx, &prefix, 6).await?;
    let id = new_id();
    let hazard_no = number.clone();
    // RETURNING gives back the row as stored, without a second round trip to read it.
    let row = crate::sql::dynamic_query(format!(
        "INSERT INTO hazard (region_code, id, hazard_no, enterprise_id, credit_code, enterprise_name, sector, description,
         location, grade, criterion, criterion_clause, source, deadline, responsible_unit, responsible_person, status,
         listed_level, campaign_id, found_by_region, five_implementations, rectification_plan, reported_by, reported_at,
         version, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, 'reported', $17, $18, $19, $20, $21,
         $22, $23, 1, $23) RETURNING {COLUMNS}"
    ))
    .bind(h.region_code.as_str())
    .bind(id.as_str())
    .bind(hazard_no.as_str())
    .bind(h.enterprise_id.as_str())
    .bind(h.credit_code.as_str())
    .bind(h.enterprise_name.as_str())
    .bind(h.sector.as_str())
    .bind(h.description.as_str())
    .bind(h.location.as_str())
    .bind(h.grade.as_str())
    .bind(h.criterion.as_deref())
    .bind(h.criterion_clause.as_deref())
    .bind(h.source.as_str())
    .bind(h.deadline.as_str())
    .bind(h.responsible_unit.as_str())
    .bind(h.responsible_person.as_str())
    .bind(h.listed_level.map(|l| l.as_str()))
    .bind(h.campaign_id.as_deref())
    .bind(h.found_by_region.as_deref())
    .bind(h.five_implementations.as_deref())
    .bind(h.rectification_plan.as_str())
    .bind(h.reported_by.as_str())
    .bind(now_ms)
    .fetch_one(tx.ex())
    .await?;
    let event = NewEvent {
        actor: &h.reported_by,
        role: &h.reporter_role,
        action: "report",
        from: None,
        to: Status::Reported,
        note: "",
        evidence: &h.evidence,
    };
    append_event(tx, &h.region_code, &id, 1, &event, now_ms).await?;
    let counted = Counted::new(&h.region_code, h.grade, h.source, h.campaign_id.as_deref(), now_ms)?;
    tally::add(tx, &counted, Status::Reported.as_str(), 1).await?;
    from_row(&row)
}

/// A step to append to a timeline.
#[derive(Debug, Clone, Copy)]
pub struct NewEvent<'a> {
    /// Who.
    pub actor: &'a str,
    /// Role.
    pub role: &'a str,
    /// What.
    pub action: &'a str,
    /// Status before.
    pub from: Option<Status>,
    /// Status after.
    pub to: Status,
    /// Note.
    pub note: &'a str,
    /// Evidence (JSON array).
    pub evidence: &'a str,
}

async fn append_event(
    tx: &mut Tx,
    region: &str,
    hazard_id: &str,
    version_after: i64,
    e: &NewEvent<'_>,
    now_ms: i64,
) -> Result<()> {
    query(
        "INSERT INTO hazard_event (region_code, hazard_id, seq, at_ms, actor, role, action, from_status, to_status, note,
         evidence, version_after)
         VALUES ($1, $2, (SELECT COUNT(*) + 1 FROM hazard_event WHERE region_code = $1 AND hazard_id = $2), $3, $4, $5, $6,
         $7, $8, $9, $10, $11)",
    )
    .bind(region)
    .bind(hazard_id)
    .bind(now_ms)
    .bind(e.actor)
    .bind(e.role)
    .bind(e.action)
    .bind(e.from.map(|s| s.as_str()))
    .bind(e.to.as_str())
    .bind(e.note)
    .bind(e.evidence)
    .bind(version_after)
    .execute(tx.ex())
    .await?;
    Ok(())
}

/// Applies a state change if the hazard is still at `version` (else `Conflict`), and appends
/// its event. `assign` sets the responsible unit and person when given. Returns the hazard as
/// changed (from the update's RETURNING: no second read).
pub async fn apply(
    tx: &mut Tx,
    h: &Hazard,
    version: i64,
    event: &NewEvent<'_>,
    assign: Option<(&str, &str, &str)>,
    now_ms: i64,
) -> Result<Hazard> {
    let closed_at = (event.to == Status::Closed).then_some(now_ms);
    let (unit, person, deadline) = assign.unwrap_or((&h.responsible_unit, &h.responsible_person, &h.deadline));
    let changed = crate::sql::dynamic_query(format!(
        "UPDATE hazard SET status = $1, version = version + 1, updated_at = $2, closed_at = COALESCE($3, closed_at),
         responsible_unit = $4, responsible_person = $5, deadline = $6
         WHERE region_code = $7 AND id = $8 AND version = $9 RETURNING {COLUMNS}"
    ))
    .bind(event.to.as_str())
    .bind(now_ms)
    .bind(closed_at)
    .bind(unit)
    .bind(person)
    .bind(deadline)
    .bind(h.region_code.as_str())
    .bind(h.id.as_str())
    .bind(version)
    .fetch_optional(tx.ex())
    .await?;
    let Some(changed) = changed else {
        let actual = query("SELECT version FROM hazard WHERE region_code = $1 AND id = $2")
            .bind(h.region_code.as_str())
            .bind(h.id.as_str())
            .fetch_one(tx.ex())
            .await?
            .int("version")?;
        return Err(StoreError::Conflict { expected: version, actual });
    };
    append_event(tx, &h.region_code, &h.id, version + 1, event, now_ms).await?;
    if event.to != h.status {
        // The two tally rows in one order: on PostgreSQL each stays locked until commit, and
        // two steps moving hazards of a region between the same two statuses in opposite
        // directions (submit and reject) would otherwise deadlock.
        let counted = Counted::new(&h.region_code, h.grade, h.source, h.campaign_id.as_deref(), h.reported_at)?;
        let mut moves = [(h.status.as_str(), -1), (event.to.as_str(), 1)];
        moves.sort_unstable();
        for (status, delta) in moves {
            tally::add(tx, &counted, status, delta).await?;
        }
    }
    from_row(&changed)
}

/// One hazard, if the caller may see it.
pub async fn get(db: &Db, scope: &Scope, id: &str) -> Result<Hazard> {
    crate::sql::scoped_one(db, scope, COLUMNS, "hazard", Some("enterprise_id"), id, from_row).await
}

/// The timeline of a hazard (the caller has already seen the hazard itself).
pub async fn events(db: &Db, h: &Hazard) -> Result<Vec<HazardEvent>> {
    let rows = query(
        "SELECT seq, at_ms, actor, role, action, from_status, to_status, note, evidence, version_after FROM hazard_event
         WHERE region_code = $1 AND hazard_id = $2 ORDER BY seq",
    )
    .bind(h.region_code.as_str())
    .bind(h.id.as_str())
    .fetch_all(db.reader())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(HazardEvent {
                seq: r.int("seq")?,
                at_ms: r.int("at_ms")?,
                actor: r.text("actor")?,
                role: r.text("role")?,
                action: r.text("action")?,
                from_status: r.opt_text("from_status")?,
                to_status: r.text("to_status")?,
                note: r.text("note")?,
                evidence: r.text("evidence")?,
                version_after: r.int("version_after")?,
            })
        })
        .collect()
}

/// Ledger filters; empty fields do not filter.
#[derive(Debug, Clone, Default)]
pub struct HazardFilter {
    /// Region (and everything under it).
    pub region: Option<RegionPrefix>,
    /// Grade.
    pub grade: Option<Grade>,
    /// Status.
    pub status: Option<Status>,
    /// Source.
    pub source: Option<Source>,
    /// Sector.
    pub sector: Option<String>,
    /// Campaign.
    pub campaign: Option<String>,
    /// Only open hazards past their deadline on this date (YYYY-MM-DD).
    pub overdue_on: Option<String>,
    /// Listed level.
    pub listed: Option<ListedLevel>,
    /// Reported at or after (ms).
    pub from_ms: Option<i64>,
    /// Reported before (ms).
    pub to_ms: Option<i64>,
    /// Text in the description or enterprise name, or a number prefix.
    pub q: Option<String>,
}

/// Ledger order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HazardSort {
    /// Newest first.
    #[default]
    Newest,
    /// Earliest deadline first.
    Deadline,
    /// Region, then number.
    Region,
}

fn filter_sql(b: &mut Builder, scope: &Scope, f: &HazardFilter) -> String {
    let mut c = vec![region_list_clause(b, scope, "region_code", Some("enterprise_id"))];
    if let Some(r) = &f.region {
        c.push(region_list_clause(b, &Scope::Region(r.clone()), "region_code", None));
    }
    if let Some(g) = f.grade {
        c.push(format!("grade = {}", b.arg(g.as_str())));
    }
    if let Some(s) = f.status {
        c.push(format!("status = {}", b.arg(s.as_str())));
    }
    if let Some(s) = f.source {
        c.push(format!("source = {}", b.arg(s.as_str())));
    }
    if let Some(s) = &f.sector {
        c.push(format!("sector = {}", b.arg(s.as_str())));
    }
    if let Some(s) = &f.campaign {
        // `any`: found in any special action.
        c.push(if s == "any" {
            "campaign_id IS NOT NULL".to_owned()
        } else {
            format!("campaign_id = {}", b.arg(s.as_str()))
        });
    }
    if let Some(day) = &f.overdue_on {
        c.push(format!("status IN ({}) AND deadline < {}", crate::figures::OPEN_STATUSES, b.arg(day.as_str())));
    }
    if let Some(l) = f.listed {
        c.push(format!("listed_level = {}", b.arg(l.as_str())));
    }
    if let Some(ms) = f.from_ms {
        c.push(format!("reported_at >= {}", b.arg(ms)));
    }
    if let Some(ms) = f.to_ms {
        c.push(format!("reported_at < {}", b.arg(ms)));
    }
    if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let p = b.arg(like_pattern(&q.to_lowercase()));
        c.push(format!(
            "(lower(description) LIKE {p} ESCAPE '\\' OR lower(enterprise_name) LIKE {p} ESCAPE '\\' \\
             OR lower(hazard_no) LIKE {p} ESCAPE '\\' OR lower(credit_code) LIKE {p} ESCAPE '\\')"
        ));
    }
    c.join(" AND ")
}

/// Whether the ledger's count can come from `hazard_tally`: the filter asks only for regions, a
/// status and a grade (what the tally counts, in columns of the same names) in a region-wide
/// jurisdiction. Otherwise (a department's sectors, an enterprise, any other filter) the
/// hazards themselves are counted.
fn counted_by_tally(scope: &Scope, f: &HazardFilter) -> bool {
    // Every field named, so that a new filter cannot be forgotten here.
    let HazardFilter {
        region: _,
        grade: _,
        status: _,
        source,
        sector,
        campaign,
        overdue_on,
        listed,
        from_ms,
        to_ms,
        q,
    } = f;
    let q = q.as_deref().map(str::trim).filter(|q| !q.is_empty());
    let others = source.is_some()
        || sector.is_some()
        || campaign.is_some()
        || overdue_on.is_some()
        || listed.is_some()
        || from_ms.is_some()
        || to_ms.is_some()
        || q.is_some();
    !others && matches!(scope, Scope::Region(_))
}

fn order_sql(sort: HazardSort) -> &'static str {
    match sort {
        HazardSort::Newest => "reported_at DESC, id DESC",
        HazardSort::Deadline => "deadline, reported_at, id",
        HazardSort::Region => "region_code, hazard_no",
    }
}

/// The order in which SQLite chooses a page's rows. Overdue hazards newest first are sorted
/// rather than read in the region's report order (`+` keeps SQLite from taking that order's
/// index): they are few among a region's hazards and mostly old, so the report order walked
/// thousands of index entries to find a page of them, where the index of statuses and deadlines
/// (migration 0023) gives exactly them, to sort.
fn sqlite_page_order(f: &HazardFilter, sort: HazardSort) -> &'static str {
    match sort {
        HazardSort::Newest if f.overdue_on.is_some() => "+reported_at DESC, +id DESC",
        _ => order_sql(sort),
    }
}

/// On PostgreSQL, the code range of the regions a ledger page is chosen from region by
/// region: the filter's region if it has one (the narrower), else the jurisdiction's.
fn per_region_range(db: &Db, scope: &Scope, f: &HazardFilter) -> Option<(String, Option<String>)> {
    if db.backend() != crate::Backend::Postgres {
        return None;
    }
    f.region.as_ref().or(scope.region_prefix()).map(|r| r.range())
}

/// One page of the ledger, with the total count of the filtered ledger.
pub async fn list(
    db: &Db,
    scope: &Scope,
    f: &HazardFilter,
    sort: HazardSort,
    page: PageRequest,
) -> Result<Paged<Hazard>> {
    let mut b = Builder::default();
    let w = filter_sql(&mut b, scope, f);
    // The page's ids are chosen first, which the region's index (migration 0015) answers
    // without reading the table; only the page's rows are read. Sorting the whole filtered
    // set of full rows to keep 50 is what made a city's or the province's page slow.
    let order = order_sql(sort);
    let mut conn = db.read_conn().await?;
    // The same condition on the tally: it names only columns the tally has.
    let count = if counted_by_tally(scope, f) {
        "SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) AS n FROM hazard_tally"
    } else {
        "SELECT COUNT(*) AS n FROM hazard"
    };
    let total = b.snapshot().build(format!("{count} WHERE {w}")).fetch_one(conn.ex()).await?.int("n")?;
    let page_sql = crate::sql::limit_offset(page);
    let (key, ids) = match per_region_range(db, scope, f) {
        // PostgreSQL sorts every matching row of a province to keep 50 (a parallel scan of the
        // table, ~300 ms at 2,000,000 hazards); asked region by region for each region's
        // first page (an index scan each), it merges a few thousand (~11 ms). SQLite has no
        // LATERAL and already answers the flat query from the region index.
        Some((low, high)) => {
            let per_region = i64::from(page.size) + page.offset();
            let low = b.arg(low);
            let high = high.map(|h| format!(" AND r.code < {}", b.arg(h))).unwrap_or_default();
            let ids = format!(
                "SELECT x.id FROM region r CROSS JOIN LATERAL
                 (SELECT id, reported_at, deadline, region_code, hazard_no FROM hazard
                  WHERE region_code = r.code AND {w} ORDER BY {order} LIMIT {per_region}) x
                 WHERE r.code >= {low}{high} ORDER BY {order} {page_sql}"
            );
            ("id", ids)
        }
        // SQLite: the page's rows by rowid, which the index entries hold, rather than by id
        // through a second index (50 fewer index pages read per page).
        None if db.backend() == crate::Backend::Sqlite => {
            ("rowid", format!("SELECT rowid FROM hazard WHERE {w} ORDER BY {} {page_sql}", sqlite_page_order(f, sort)))
        }
        None => ("id", format!("SELECT id FROM hazard WHERE {w} ORDER BY {order} {page_sql}")),
    };
    let rows = b
        .build(format!("SELECT {COLUMNS} FROM hazard WHERE {key} IN ({ids}) ORDER BY {order}"))
        .fetch_all(conn.ex())
        .await?;
    crate::sql::page_of(rows, total, page, from_row)
}

/// Every hazard of the filtered ledger, streamed in ledger order (for exports), at most `max`.
pub async fn for_each(
    db: &Db,
    scope: &Scope,
    f: &HazardFilter,
    sort: HazardSort,
    max: i64,
    mut each: impl FnMut(Hazard),
) -> Result<()> {
    let mut b = Builder::default();
    let w = filter_sql(&mut b, scope, f);
    let limit = b.arg(max);
    b.build(format!("SELECT {COLUMNS} FROM hazard WHERE {w} ORDER BY {} LIMIT {limit}", order_sql(sort)))
        .for_each(db.reader(), |r| {
            each(from_row(&r)?);
            Ok(())
        })
        .await
}

/// A historical hazard brought in from another system (or generated for benchmarks): the
/// fields of [`NewHazard`] plus its number, status, dates and campaign as they already are.
#[derive(Debug, Clone)]
pub struct HistoricalHazard {
    /// The hazard as reported.
    pub hazard: NewHazard,
    /// Its document number.
    pub hazard_no: String,
    /// Its status now.
    pub status: Status,
    /// When it was reported (ms).
    pub reported_at: i64,
    /// When it was closed (ms), if closed.
    pub closed_at: Option<i64>,
}

/// Writes historical hazards with multi-row INSERTs, each with one `import` event in its
/// timeline, and moves the number counters past their numbers so that hazards reported later
/// get fresh ones. The bulk path for migrating a legacy ledger; the benchmarks use it to build
/// a province-scale ledger.
pub async fn insert_historical(tx: &mut Tx, rows: &[HistoricalHazard], now_ms: i64) -> Result<()> {
    let ids: Vec<String> = rows.iter().map(|_| new_id()).collect();
    let hazards: Vec<Vec<crate::sql::Value>> = rows
        .iter()
        .zip(&ids)
        .map(|(r, id)| {
            let h = &r.hazard;
            vec![
                h.region_code.as_str().into(),
                id.as_str().into(),
                r.hazard_no.as_str().into(),
                h.enterprise_id.as_str().into(),
                h.credit_code.as_str().into(),
                h.enterprise_name.as_str().into(),
                h.sector.as_str().into(),
                h.description.as_str().into(),
                h.location.as_str().into(),
                h.grade.as_str().into(),
                h.criterion.as_deref().into(),
                h.criterion_clause.as_deref().into(),
                h.source.as_str().into(),
                h.deadline.as_str().into(),
                h.responsible_unit.as_str().into(),
                h.responsible_person.as_str().into(),
                r.status.as_str().into(),
                h.listed_level.map(|l| l.as_str()).into(),
                h.campaign_id.as_deref().into(),
                h.found_by_region.as_deref().into(),
                h.five_implementations.as_deref().into(),
                h.rectification_plan.as_str().into(),
                h.reported_by.as_str().into(),
                r.reported_at.into(),
                r.closed_at.into(),
                1_i64.into(),
                r.reported_at.into(),
            ]
        })
        .collect();
    let columns = "region_code, id, hazard_no, enterprise_id, credit_code, enterprise_name, sector, description, \
        location, grade, criterion, criterion_clause, source, deadline, responsible_unit, responsible_person, status, \
        listed_level, campaign_id, found_by_region, five_implementations, rectification_plan, reported_by, reported_at, \
        closed_at, version, updated_at";
    crate::sql::insert_rows(tx, "hazard", columns, hazards).await?;
    let counted = rows
        .iter()
        .map(|r| {
            let h = &r.hazard;
            Ok((
                Counted::new(&h.region_code, h.grade, h.source, h.campaign_id.as_deref(), r.reported_at)?,
                r.status.as_str(),
            ))
        })
        .collect::<Result<Vec<_>>>()?;
    tally::add_all(tx, counted).await?;
    let events: Vec<Vec<crate::sql::Value>> = rows
        .iter()
        .zip(&ids)
        .map(|(r, id)| {
            vec![
                r.hazard.region_code.as_str().into(),
                id.as_str().into(),
                1_i64.into(),
                now_ms.into(),
                r.hazard.reported_by.as_str().into(),
                "import".into(),
                "import".into(),
                crate::sql::Value::NullText,
                r.status.as_str().into(),
                "".into(),
                "[]".into(),
                1_i64.into(),
            ]
        })
        .collect();
    let columns = "region_code, hazard_id, seq, at_ms, actor, role, action, from_status, to_status, note, evidence, version_after";
    crate::sql::insert_rows(tx, "hazard_event", columns, events).await?;
    crate::sql::raise_numbers(tx, rows.iter().map(|r| r.hazard_no.as_str())).await
}
