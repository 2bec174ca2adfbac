//! Covert plans, their problems and handovers. Who may see a plan is decided in one place,
//! [`visible`]: a sealed plan only by its planning team and the city leadership of its city; a
//! done plan by every region whose scope holds the plan's city or a region it concerns. The
//! sealed columns are opaque here: the store never sees plaintext targets or dates.

use crate::scope::scope_clause;
use crate::sql::{Builder, Row, query};
use crate::{Db, Result, StoreError, Tx, new_id};
use domain::access::Scope;
use domain::page::{PageRequest, Paged};

/// A covert plan as stored (sealed fields still sealed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CovertPlan {
    /// Id (also the associated data of its sealed values).
    pub id: String,
    /// Document number (`AC-341500-2026-0001`).
    pub plan_no: String,
    /// The city whose office planned it.
    pub region_code: String,
    /// `sealed` or `done`.
    pub status: String,
    /// Optimistic version.
    pub version: i64,
    /// Who planned it.
    pub created_by: String,
    /// When (ms).
    pub created_at: i64,
    /// Sealed name, dates, targets and draw record.
    pub sealed: String,
    /// Sealed visit record, once done.
    pub visit: Option<String>,
    /// Who recorded the visit.
    pub done_by: Option<String>,
    /// When the visit was recorded (ms): the plan counts in figures from then on.
    pub done_at: Option<i64>,
}

const COLUMNS: &str = "p.id, p.plan_no, p.region_code, p.status, p.version, p.created_by, p.created_at, p.sealed, p.visit, \
    p.done_by, p.done_at";

fn from_row(r: &Row) -> Result<CovertPlan> {
    Ok(CovertPlan {
        id: r.text("id")?,
        plan_no: r.text("plan_no")?,
        region_code: r.text("region_code")?,
        status: r.text("status")?,
        version: r.int("version")?,
        created_by: r.text("created_by")?,
        created_at: r.int("created_at")?,
        sealed: r.text("sealed")?,
        visit: r.opt_text("visit")?,
        done_by: r.opt_text("done_by")?,
        done_at: r.opt_int("done_at")?,
    })
}

/// Who is looking, as far as covert plans care.
#[derive(Debug, Clone, Copy)]
pub struct Viewer<'a> {
    /// The caller's jurisdiction.
    pub scope: &'a Scope,
    /// The caller's login name (planning-team membership).
    pub username: &'a str,
    /// The city the caller leads (a city office account), if any.
    pub leads_region: Option<&'a str>,
}

/// The SQL condition "the viewer may know plan `p` exists": the only visibility rule for plans.
fn visible(b: &mut Builder, v: &Viewer<'_>) -> String {
    let scoped = scope_clause(b, v.scope, "p.region_code", None);
    let concerned = scope_clause(b, v.scope, "c.region_code", None);
    let user = b.arg(v.username);
    let lead = match v.leads_region {
        Some(r) => format!("p.region_code = {}", b.arg(r)),
        None => "1 = 0".to_owned(),
    };
    format!(
        "((p.status = 'done' AND ({scoped} OR EXISTS (SELECT 1 FROM covert_concerned c WHERE c.plan_id = p.id AND {concerned}))) \
         OR (p.status = 'sealed' AND (p.created_by = {user} OR {lead} \
         OR EXISTS (SELECT 1 FROM covert_member m WHERE m.plan_id = p.id AND m.username = {user}))))"
    )
}

/// A new sealed plan.
#[derive(Debug, Clone)]
pub struct NewPlan<'a> {
    /// Chosen by the caller because the sealed value is bound to it.
    pub id: &'a str,
    /// The planning city.
    pub region_code: &'a str,
    /// The sealed name, dates, targets and draw record.
    pub sealed: &'a str,
    /// The planning team (usernames, the planner included).
    pub members: &'a [String],
    /// The planner.
    pub created_by: &'a str,
}

/// Creates a sealed plan numbered in its city and `year`; returns its document number.
pub async fn create(tx: &mut Tx, p: &NewPlan<'_>, year: i16, now_ms: i64) -> Result<String> {
    let (id, region_code, sealed, members, created_by) = (p.id, p.region_code, p.sealed, p.members, p.created_by);
    let prefix = format!("AC-{region_code}-{year}-");
    let plan_no = crate::sql::next_number(tx, &prefix, 4).await?;
    query(
        "INSERT INTO covert_plan (region_code, id, plan_no, status, version, created_by, created_at, sealed)
         VALUES ($1, $2, $3, 'sealed', 1, $4, $5, $6)",
    )
    .bind(region_code)
    .bind(id)
    .bind(plan_no.as_str())
    .bind(created_by)
    .bind(now_ms)
    .bind(sealed)
    .execute(tx.ex())
    .await?;
    for m in members {
        query("INSERT INTO covert_member (region_code, plan_id, username) VALUES ($1, $2, $3)")
            .bind(region_code)
            .bind(id)
            .bind(m.as_str())
            .execute(tx.ex())
            .await?;
    }
    Ok(plan_no)
}

/// One plan the viewer may see (otherwise `NotFound`, exactly as for an unknown id).
pub async fn get(db: &Db, v: &Viewer<'_>, id: &str) -> Result<CovertPlan> {
    let mut b = Builder::default();
    let vis = visible(&mut b, v);
    let id = b.arg(id);
    from_row(
        &b.build(format!("SELECT {COLUMNS} FROM covert_plan p WHERE p.id = {id} AND {vis}"))
            .fetch_one(db.reader())
            .await?,
    )
}

/// Plans the viewer may see, newest first.
pub async fn list(db: &Db, v: &Viewer<'_>, page: PageRequest) -> Result<Paged<CovertPlan>> {
    let mut b = Builder::default();
    let vis = visible(&mut b, v);
    crate::sql::paged(db, b, COLUMNS, &format!("covert_plan p WHERE {vis}"), "p.created_at DESC, p.id", page, from_row)
        .await
}

/// The planning team of a plan.
pub async fn members(db: &Db, plan_id: &str) -> Result<Vec<String>> {
    let rows = query("SELECT username FROM covert_member WHERE plan_id = $1 ORDER BY username")
        .bind(plan_id)
        .fetch_all(db.reader())
        .await?;
    rows.iter().map(|r| r.text("username")).collect()
}

/// Records the visit: the plan becomes `done` (unsealed for `concerned` regions) if it is
/// still at `version`.
pub async fn complete(
    tx: &mut Tx,
    plan: &CovertPlan,
    version: i64,
    visit: &str,
    concerned: &[String],
    done_by: &str,
    now_ms: i64,
) -> Result<()> {
    let n = query(
        "UPDATE covert_plan SET status = 'done', visit = $1, done_by = $2, done_at = $3, version = version + 1
         WHERE region_code = $4 AND id = $5 AND version = $6 AND status = 'sealed'",
    )
    .bind(visit)
    .bind(done_by)
    .bind(now_ms)
    .bind(plan.region_code.as_str())
    .bind(plan.id.as_str())
    .bind(version)
    .execute(tx.ex())
    .await?;
    if n == 0 {
        return Err(StoreError::Conflict { expected: version, actual: plan.version });
    }
    for region in concerned {
        add_concerned(tx, &plan.id, region).await?;
    }
    Ok(())
}

/// Replaces a done plan's sealed visit record (evidence added) if it is still at `version`.
pub async fn update_visit(tx: &mut Tx, plan: &CovertPlan, version: i64, visit: &str) -> Result<()> {
    let n = query(
        "UPDATE covert_plan SET visit = $1, version = version + 1 WHERE region_code = $2 AND id = $3 AND version = $4
         AND status = 'done'",
    )
    .bind(visit)
    .bind(plan.region_code.as_str())
    .bind(plan.id.as_str())
    .bind(version)
    .execute(tx.ex())
    .await?;
    if n == 0 {
        return Err(StoreError::Conflict { expected: version, actual: plan.version });
    }
    Ok(())
}

/// Adds a region the done plan concerns (no-op if already there).
pub async fn add_concerned(tx: &mut Tx, plan_id: &str, region: &str) -> Result<()> {
    let exists = query("SELECT COUNT(*) AS n FROM covert_concerned WHERE plan_id = $1 AND region_code = $2")
        .bind(plan_id)
        .bind(region)
        .fetch_one(tx.ex())
        .await?
        .int("n")?;
    if exists == 0 {
        query("INSERT INTO covert_concerned (region_code, plan_id) VALUES ($1, $2)")
            .bind(region)
            .bind(plan_id)
            .execute(tx.ex())
            .await?;
    }
    Ok(())
}

/// Every plan's id and sealed values, for key rotation (the operator's CLI only).
pub async fn all_sealed(tx: &mut Tx) -> Result<Vec<(String, String, String, Option<String>)>> {
    let rows = query("SELECT region_code, id, sealed, visit FROM covert_plan ORDER BY id").fetch_all(tx.ex()).await?;
    rows.iter().map(|r| Ok((r.text("region_code")?, r.text("id")?, r.text("sealed")?, r.opt_text("visit")?))).collect()
}

/// Replaces a plan's sealed values with the same content sealed under another key.
pub async fn reseal(tx: &mut Tx, region: &str, id: &str, sealed: &str, visit: Option<&str>) -> Result<()> {
    query("UPDATE covert_plan SET sealed = $1, visit = $2 WHERE region_code = $3 AND id = $4")
        .bind(sealed)
        .bind(visit)
        .bind(region)
        .bind(id)
        .execute(tx.ex())
        .await?;
    Ok(())
}

/// A problem found on a covert visit, with its handover when one was made.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Problem {
    /// Id.
    pub id: String,
    /// Document number (`JB-341500-2026-0001`), quoted on the handover letter.
    pub problem_no: String,
    /// The responsible region (the body handed the problem, else the enterprise's county).
    pub region_code: String,
    /// The plan it was found on.
    pub plan_id: String,
    /// The plan's city.
    pub plan_region: String,
    /// What was found.
    pub description: String,
    /// The enterprise it is attributed to.
    pub enterprise_id: Option<String>,
    /// Its name.
    pub enterprise_name: Option<String>,
    /// The ledger hazard recorded for it.
    pub hazard_id: Option<String>,
    /// The department handed the problem (`None` with a handover: the county government).
    pub department: Option<String>,
    /// Handover deadline.
    pub deadline: Option<String>,
    /// Handover status (`None`: no handover).
    pub handover_status: Option<String>,
    /// The body's latest answer.
    pub answer: Option<String>,
    /// Scheduled re-check (回头看) day.
    pub recheck_on: Option<String>,
    /// Re-check finding.
    pub recheck_result: Option<String>,
    /// Optimistic version.
    pub version: i64,
    /// Who recorded it.
    pub created_by: String,
    /// When (ms).
    pub created_at: i64,
    /// Status of the linked hazard (joined), for "handled".
    pub hazard_status: Option<String>,
    /// `covert` (found on a covert visit; `plan_id` is the covert plan) or `guidance` (raised by
    /// a guidance group with a county government; `plan_id` is the group).
    pub kind: String,
}

const PROBLEM_COLUMNS: &str = "q.id, q.problem_no, q.region_code, q.plan_id, q.plan_region, q.description, q.enterprise_id, \
    q.enterprise_name, q.hazard_id, q.department, q.deadline, q.handover_status, q.answer, q.recheck_on, q.recheck_result, \
    q.version, q.created_by, q.created_at, h.status AS hazard_status, q.kind";
const PROBLEM_FROM: &str = "covert_problem q LEFT JOIN hazard h ON h.id = q.hazard_id";

fn problem_from_row(r: &Row) -> Result<Problem> {
    Ok(Problem {
        id: r.text("id")?,
        problem_no: r.text("problem_no")?,
        region_code: r.text("region_code")?,
        plan_id: r.text("plan_id")?,
        plan_region: r.text("plan_region")?,
        description: r.text("description")?,
        enterprise_id: r.opt_text("enterprise_id")?,
        enterprise_name: r.opt_text("enterprise_name")?,
        hazard_id: r.opt_text("hazard_id")?,
        department: r.opt_text("department")?,
        deadline: r.opt_text("deadline")?,
        handover_status: r.opt_text("handover_status")?,
        answer: r.opt_text("answer")?,
        recheck_on: r.opt_text("recheck_on")?,
        recheck_result: r.opt_text("recheck_result")?,
        version: r.int("version")?,
        created_by: r.text("created_by")?,
        created_at: r.int("created_at")?,
        hazard_status: r.opt_text("hazard_status")?,
        kind: r.text("kind")?,
    })
}

/// A new problem.
#[derive(Debug, Clone)]
pub struct NewProblem {
    /// Responsible region.
    pub region_code: String,
    /// Plan.
    pub plan_id: String,
    /// Plan's city.
    pub plan_region: String,
    /// What was found.
    pub description: String,
    /// Enterprise (id, name).
    pub enterprise: Option<(String, String)>,
    /// Ledger hazard.
    pub hazard_id: Option<String>,
    /// Handover: (department or `None` for the government, deadline).
    pub handover: Option<(Option<String>, String)>,
    /// Recorder.
    pub created_by: String,
    /// `covert` or `guidance`.
    pub kind: &'static str,
}

/// Records a problem (and opens its handover, if any).
pub async fn add_problem(tx: &mut Tx, p: &NewProblem, year: i16, now_ms: i64) -> Result<Problem> {
    let letters = if p.kind == "guidance" { "DD" } else { "JB" };
    let prefix = format!("{letters}-{}-{year}-", p.plan_region);
    // Numbered per issuing city and year, whatever region the problem is handed to.
    let number = crate::sql::next_number(tx, &prefix, 4).await?;
    let id = new_id();
    let (department, deadline, status) = match &p.handover {
        Some((dept, deadline)) => (dept.clone(), Some(deadline.clone()), Some("open")),
        None => (None, None, None),
    };
    query(
        "INSERT INTO covert_problem (region_code, id, problem_no, plan_id, plan_region, description, enterprise_id,
         enterprise_name, hazard_id, department, deadline, handover_status, version, created_by, created_at, kind)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 1, $13, $14, $15)",
    )
    .bind(p.region_code.as_str())
    .bind(id.as_str())
    .bind(number.as_str())
    .bind(p.plan_id.as_str())
    .bind(p.plan_region.as_str())
    .bind(p.description.as_str())
    .bind(p.enterprise.as_ref().map(|e| e.0.as_str()))
    .bind(p.enterprise.as_ref().map(|e| e.1.as_str()))
    .bind(p.hazard_id.as_deref())
    .bind(department)
    .bind(deadline)
    .bind(status)
    .bind(p.created_by.as_str())
    .bind(now_ms)
    .bind(p.kind)
    .execute(tx.ex())
    .await?;
    let row = crate::sql::dynamic_query(format!("SELECT {PROBLEM_COLUMNS} FROM {PROBLEM_FROM} WHERE q.id = $1"))
        .bind(id.as_str())
        .fetch_one(tx.ex())
        .await?;
    problem_from_row(&row)
}

/// Which problems to list.
#[derive(Debug, Clone, Default)]
pub struct ProblemFilter {
    /// Of one plan.
    pub plan_id: Option<String>,
    /// Only those with a handover.
    pub handovers_only: bool,
    /// Only handovers still open past their deadline on this day.
    pub overdue_on: Option<String>,
    /// Only problems of covert visits done in `[from_ms, to_end_ms)` whose responsible region
    /// lies in this jurisdiction: the problems behind a region's covert-check figures.
    pub visited: Option<(domain::region::RegionPrefix, i64, i64)>,
}

/// The responsible region's problems or the issuing city's; a department regulator's only
/// where they were handed to its department.
fn problem_scope(b: &mut Builder, scope: &Scope) -> String {
    let own = scope_clause(b, scope, "q.region_code", None);
    if let Scope::Department(_, department) = scope {
        return format!("({own} AND q.department = {})", b.arg(department.as_str()));
    }
    let issuer = scope_clause(b, scope, "q.plan_region", None);
    format!("({own} OR {issuer})")
}

/// Problems in scope (the responsible region's or the issuing city's), oldest first.
pub async fn list_problems(db: &Db, scope: &Scope, f: &ProblemFilter, page: PageRequest) -> Result<Paged<Problem>> {
    let mut b = Builder::default();
    let mut w = problem_scope(&mut b, scope);
    if let Some(plan) = &f.plan_id {
        w += &format!(" AND q.plan_id = {}", b.arg(plan.as_str()));
    }
    if f.handovers_only {
        w += " AND q.handover_status IS NOT NULL";
    }
    if let Some(day) = &f.overdue_on {
        w += &format!(" AND q.handover_status <> 'accepted' AND q.deadline < {}", b.arg(day.as_str()));
    }
    if let Some((region, from, to)) = &f.visited {
        let within = scope_clause(&mut b, &Scope::Region(region.clone()), "q.region_code", None);
        let (from, to) = (b.arg(*from), b.arg(*to));
        w += &format!(
            " AND {within} AND q.kind = 'covert'
              AND q.plan_id IN (SELECT id FROM covert_plan WHERE done_at >= {from} AND done_at < {to})"
        );
    }
    crate::sql::paged(
        db,
        b,
        PROBLEM_COLUMNS,
        &format!("{PROBLEM_FROM} WHERE {w}"),
        "q.created_at, q.id",
        page,
        problem_from_row,
    )
    .await
}

/// One problem in scope.
pub async fn get_problem(db: &Db, scope: &Scope, id: &str) -> Result<Problem> {
    let mut b = Builder::default();
    let w = problem_scope(&mut b, scope);
    let id = b.arg(id);
    problem_from_row(
        &b.build(format!("SELECT {PROBLEM_COLUMNS} FROM {PROBLEM_FROM} WHERE q.id = {id} AND {w}"))
            .fetch_one(db.reader())
            .await?,
    )
}

/// A change to a handover, with its timeline entry.
#[derive(Debug, Clone)]
pub struct HandoverStep<'a> {
    /// Action name for the timeline (`answer`, `accept`, `return`, `schedule_recheck`, `recheck`).
    pub action: &'a str,
    /// New status.
    pub status: &'a str,
    /// New answer (answer steps).
    pub answer: Option<&'a str>,
    /// Re-check day.
    pub recheck_on: Option<&'a str>,
    /// Re-check finding.
    pub recheck_result: Option<&'a str>,
    /// Note for the timeline.
    pub note: &'a str,
    /// Who.
    pub actor: &'a str,
}

/// Applies a handover step if the problem is still at `version`.
pub async fn step(tx: &mut Tx, p: &Problem, version: i64, s: &HandoverStep<'_>, now_ms: i64) -> Result<()> {
    let n = query(
        "UPDATE covert_problem SET handover_status = $1, answer = COALESCE($2, answer), recheck_on = COALESCE($3, recheck_on),
         recheck_result = COALESCE($4, recheck_result), version = version + 1
         WHERE region_code = $5 AND id = $6 AND version = $7",
    )
    .bind(s.status)
    .bind(s.answer)
    .bind(s.recheck_on)
    .bind(s.recheck_result)
    .bind(p.region_code.as_str())
    .bind(p.id.as_str())
    .bind(version)
    .execute(tx.ex())
    .await?;
    if n == 0 {
        return Err(StoreError::Conflict { expected: version, actual: p.version });
    }
    query("INSERT INTO covert_event (region_code, id, problem_id, action, note, actor, at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(p.region_code.as_str())
        .bind(new_id())
        .bind(p.id.as_str())
        .bind(s.action)
        .bind(s.note)
        .bind(s.actor)
        .bind(now_ms)
        .execute(tx.ex())
        .await?;
    Ok(())
}

/// One entry of a handover's timeline.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct HandoverEvent {
    /// What was done.
    pub action: String,
    /// Answer, reason or finding.
    pub note: String,
    /// Who.
    pub actor: String,
    /// When (ms).
    pub at: i64,
}

/// A handover's timeline, oldest first.
pub async fn events(db: &Db, problem_id: &str) -> Result<Vec<HandoverEvent>> {
    let rows = query("SELECT action, note, actor, at FROM covert_event WHERE problem_id = $1 ORDER BY at, id")
        .bind(problem_id)
        .fetch_all(db.reader())
        .await?;
    rows.iter()
        .map(|r| {
            Ok(HandoverEvent {
                action: r.text("action")?,
                note: r.text("note")?,
                actor: r.text("actor")?,
                at: r.int("at")?,
            })
        })
        .collect()
}

/// A high-risk enterprise a covert visit may target.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Target {
    /// Enterprise id.
    pub enterprise_id: String,
    /// Credit code (the draw's candidate id).
    pub credit_code: String,
    /// Name.
    pub name: String,
    /// County-level region.
    pub region_code: String,
    /// Risk level.
    pub risk_level: String,
}

/// The high-risk enterprises of a jurisdiction on `today`: active, and either of risk major or
/// high or with a major hazard still open past its deadline. Sorted by credit code.
pub async fn high_risk(db: &Db, scope: &Scope, today: &str) -> Result<Vec<Target>> {
    let mut b = Builder::default();
    let scoped = scope_clause(&mut b, scope, "e.region_code", Some("e.id"));
    let today = b.arg(today);
    let rows = b
        .build(format!(
            "SELECT e.id, e.credit_code, e.name, e.region_code, e.risk_level FROM enterprise e
             WHERE {scoped} AND e.status = 'active' AND (e.risk_level IN ('major', 'high') OR EXISTS (
               SELECT 1 FROM hazard h WHERE h.enterprise_id = e.id AND h.grade = 'major'
               AND h.status NOT IN ('verified', 'closed') AND h.deadline < {today}))
             ORDER BY e.credit_code"
        ))
        .fetch_all(db.reader())
        .await?;
    rows.iter()
        .map(|r| {
            Ok(Target {
                enterprise_id: r.text("id")?,
                credit_code: r.text("credit_code")?,
                name: r.text("name")?,
                region_code: r.text("region_code")?,
                risk_level: r.text("risk_level")?,
            })
        })
        .collect()
}
