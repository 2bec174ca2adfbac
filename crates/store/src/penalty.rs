//! Penalty cases: the case row with its current status and deadline, and an append-only
//! timeline; the public list of decisions.

use crate::scope::scope_clause;
use crate::sql::{Builder, Row, query};
use crate::{Db, Result, StoreError, Tx, new_id};
use domain::access::Scope;
use domain::page::{PageRequest, Paged};

/// A case as stored.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PenaltyCase {
    /// Id.
    pub id: String,
    /// Document number.
    pub case_no: String,
    /// Region.
    pub region_code: String,
    /// Enterprise id.
    pub enterprise_id: String,
    /// Credit code.
    pub credit_code: String,
    /// Enterprise name.
    pub enterprise_name: String,
    /// The inspection that led to it.
    pub inspection_id: Option<String>,
    /// Facts found (internal; never published).
    pub facts: String,
    /// Legal basis (article code).
    pub legal_basis: String,
    /// Penalty types (JSON array).
    pub penalty_types: String,
    /// Fine in fen.
    pub fine_fen: i64,
    /// Whether the party may request a hearing.
    pub hearing_right: bool,
    /// Status.
    pub status: String,
    /// Day the status was reached.
    pub status_since: String,
    /// Deadline of the current step.
    pub deadline: Option<String>,
    /// Decision day.
    pub decided_on: Option<String>,
    /// Last day to publish the decision.
    pub publish_by: Option<String>,
    /// Who filed it.
    pub filed_by: String,
    /// Version.
    pub version: i64,
}

const COLUMNS: &str = "id, case_no, region_code, enterprise_id, credit_code, enterprise_name, inspection_id, facts, legal_basis, \
    penalty_types, fine_fen, hearing_right, status, status_since, deadline, decided_on, publish_by, filed_by, version";

fn from_row(r: &Row) -> Result<PenaltyCase> {
    Ok(PenaltyCase {
        id: r.text("id")?,
        case_no: r.text("case_no")?,
        region_code: r.text("region_code")?,
        enterprise_id: r.text("enterprise_id")?,
        credit_code: r.text("credit_code")?,
        enterprise_name: r.text("enterprise_name")?,
        inspection_id: r.opt_text("inspection_id")?,
        facts: r.text("facts")?,
        legal_basis: r.text("legal_basis")?,
        penalty_types: r.text("penalty_types")?,
        fine_fen: r.int("fine_fen")?,
        hearing_right: r.bool("hearing_right")?,
        status: r.text("status")?,
        status_since: r.text("status_since")?,
        deadline: r.opt_text("deadline")?,
        decided_on: r.opt_text("decided_on")?,
        publish_by: r.opt_text("publish_by")?,
        filed_by: r.text("filed_by")?,
        version: r.int("version")?,
    })
}

/// Files a case with the next number of its region and year.
pub async fn create(tx: &mut Tx, c: &PenaltyCase, year: i16, now_ms: i64) -> Result<PenaltyCase> {
    let prefix = format!("CF-{}-{year}-", c.region_code);
    let number = crate::sql::next_number(tx, &prefix, 4).await?;
    let id = new_id();
    query(
        "INSERT INTO penalty_case (region_code, id, case_no, enterprise_id, credit_code, enterprise_name, inspection_id, facts,
         legal_basis, penalty_types, fine_fen, hearing_right, status, status_since, deadline, filed_by, filed_at, version)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'filed', $13, NULL, $14, $15, 1)",
    )
    .bind(c.region_code.as_str())
    .bind(id.as_str())
    .bind(number.clone())
    .bind(c.enterprise_id.as_str())
    .bind(c.credit_code.as_str())
    .bind(c.enterprise_name.as_str())
    .bind(c.inspection_id.as_deref())
    .bind(c.facts.as_str())
    .bind(c.legal_basis.as_str())
    .bind(c.penalty_types.as_str())
    .bind(c.fine_fen)
    .bind(c.hearing_right)
    .bind(c.status_since.as_str())
    .bind(c.filed_by.as_str())
    .bind(now_ms)
    .execute(tx.ex())
    .await?;
    event(tx, &c.region_code, &id, 1, (&c.filed_by, "filed"), "file", None, "filed", "", now_ms).await?;
    from_row(
        &crate::sql::dynamic_query(format!("SELECT {COLUMNS} FROM penalty_case WHERE id = $1"))
            .bind(id.as_str())
            .fetch_one(tx.ex())
            .await?,
    )
}

/// Writes cases handled elsewhere (generated data, or an archive migrated from another
/// system) as they are now, ids, numbers, status and dates included, each with one `import`
/// event in its timeline (who filed it, when it was written here, the status it came with),
/// and moves the number counters past their numbers. `filed_at` is each case's filing time.
pub async fn insert_historical(tx: &mut Tx, rows: &[(PenaltyCase, i64)], now_ms: i64) -> Result<()> {
    let cases: Vec<Vec<crate::sql::Value>> = rows
        .iter()
        .map(|(c, filed_at)| {
            vec![
                c.region_code.as_str().into(),
                c.id.as_str().into(),
                c.case_no.as_str().into(),
                c.enterprise_id.as_str().into(),
                c.credit_code.as_str().into(),
                c.enterprise_name.as_str().into(),
                c.inspection_id.as_deref().into(),
                c.facts.as_str().into(),
                c.legal_basis.as_str().into(),
                c.penalty_types.as_str().into(),
                c.fine_fen.into(),
                c.hearing_right.into(),
                c.status.as_str().into(),
                c.status_since.as_str().into(),
                c.deadline.as_deref().into(),
                c.decided_on.as_deref().into(),
                c.publish_by.as_deref().into(),
                c.filed_by.as_str().into(),
                (*filed_at).into(),
                c.version.into(),
            ]
        })
        .collect();
    let columns = "region_code, id, case_no, enterprise_id, credit_code, enterprise_name, inspection_id, facts, \
        legal_basis, penalty_types, fine_fen, hearing_right, status, status_since, deadline, decided_on, \
        publish_by, filed_by, filed_at, version";
    crate::sql::insert_rows(tx, "penalty_case", columns, cases).await?;
    let events: Vec<Vec<crate::sql::Value>> = rows
        .iter()
        .map(|(c, _)| {
            vec![
                c.region_code.as_str().into(),
                c.id.as_str().into(),
                1_i64.into(),
                now_ms.into(),
                c.filed_by.as_str().into(),
                "import".into(),
                "import".into(),
                crate::sql::Value::NullText,
                c.status.as_str().into(),
                "".into(),
                c.version.into(),
            ]
        })
        .collect();
    let columns = "region_code, case_id, seq, at_ms, actor, role, action, from_status, to_status, note, \
        version_after";
    crate::sql::insert_rows(tx, "penalty_event", columns, events).await?;
    crate::sql::raise_numbers(tx, rows.iter().map(|(c, _)| c.case_no.as_str())).await
}

#[allow(clippy::too_many_arguments)]
async fn event(
    tx: &mut Tx,
    region: &str,
    case_id: &str,
    version_after: i64,
    who: (&str, &str),
    action: &str,
    from: Option<&str>,
    to: &str,
    note: &str,
    now_ms: i64,
) -> Result<()> {
    query(
        "INSERT INTO penalty_event (region_code, case_id, seq, at_ms, actor, role, action, from_status, to_status, note, version_after)
         VALUES ($1, $2, (SELECT COUNT(*) + 1 FROM penalty_event WHERE region_code = $1 AND case_id = $2), $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(region)
    .bind(case_id)
    .bind(now_ms)
    .bind(who.0)
    .bind(who.1)
    .bind(action)
    .bind(from)
    .bind(to)
    .bind(note)
    .bind(version_after)
    .execute(tx.ex())
    .await?;
    Ok(())
}

/// What a step changes.
#[derive(Debug, Clone)]
pub struct CaseStep<'a> {
    /// Who (username, role).
    pub who: (&'a str, &'a str),
    /// Action name.
    pub action: &'a str,
    /// New status.
    pub to: &'a str,
    /// Day reached.
    pub since: String,
    /// Deadline of the new status.
    pub deadline: Option<String>,
    /// Decision day (set by `decide`).
    pub decided_on: Option<String>,
    /// Last day to publish (set by `decide`).
    pub publish_by: Option<String>,
    /// Note.
    pub note: &'a str,
}

/// Applies a step if the case is still at `version`.
pub async fn apply(tx: &mut Tx, c: &PenaltyCase, version: i64, s: &CaseStep<'_>, now_ms: i64) -> Result<()> {
    let n = query(
        "UPDATE penalty_case SET status = $1, status_since = $2, deadline = $3, decided_on = COALESCE($4, decided_on),
         publish_by = COALESCE($5, publish_by), version = version + 1 WHERE region_code = $6 AND id = $7 AND version = $8",
    )
    .bind(s.to)
    .bind(s.since.as_str())
    .bind(s.deadline.as_deref())
    .bind(s.decided_on.as_deref())
    .bind(s.publish_by.as_deref())
    .bind(c.region_code.as_str())
    .bind(c.id.as_str())
    .bind(version)
    .execute(tx.ex())
    .await?;
    if n == 0 {
        return Err(StoreError::Conflict { expected: version, actual: c.version });
    }
    event(tx, &c.region_code, &c.id, version + 1, s.who, s.action, Some(&c.status), s.to, s.note, now_ms).await
}

/// Which cases to list.
#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    /// Only cases whose step deadline is before this day.
    pub overdue_on: Option<String>,
    /// In one region (and the regions under it).
    pub region: Option<domain::region::RegionPrefix>,
    /// Decided on or after (YYYY-MM-DD).
    pub decided_from: Option<String>,
    /// Decided on or before (YYYY-MM-DD).
    pub decided_to: Option<String>,
}

/// One case in scope.
pub async fn get(db: &Db, scope: &Scope, id: &str) -> Result<PenaltyCase> {
    crate::sql::scoped_one(db, scope, COLUMNS, "penalty_case", Some("enterprise_id"), id, from_row).await
}

/// Cases in scope; with `overdue_on`, only those whose step deadline has passed.
pub async fn list(db: &Db, scope: &Scope, f: &CaseFilter, page: PageRequest) -> Result<Paged<PenaltyCase>> {
    let mut b = Builder::default();
    let mut w = scope_clause(&mut b, scope, "region_code", Some("enterprise_id"));
    if let Some(day) = &f.overdue_on {
        w = format!("{w} AND deadline IS NOT NULL AND deadline < {}", b.arg(day.as_str()));
    }
    if let Some(r) = &f.region {
        w = format!("{w} AND {}", scope_clause(&mut b, &Scope::Region(r.clone()), "region_code", None));
    }
    if let Some(d) = &f.decided_from {
        w = format!("{w} AND decided_on >= {}", b.arg(d.as_str()));
    }
    if let Some(d) = &f.decided_to {
        w = format!("{w} AND decided_on <= {}", b.arg(d.as_str()));
    }
    crate::sql::paged(db, b, COLUMNS, &format!("penalty_case WHERE {w}"), "filed_at DESC, id", page, from_row).await
}

/// Decided cases, newest decision first: the public list.
pub async fn decisions(db: &Db, page: PageRequest) -> Result<Paged<PenaltyCase>> {
    crate::sql::paged(
        db,
        Builder::default(),
        COLUMNS,
        "penalty_case WHERE decided_on IS NOT NULL",
        "decided_on DESC, id",
        page,
        from_row,
    )
    .await
}
