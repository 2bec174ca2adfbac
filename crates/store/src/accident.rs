//! Accidents: recorded with their grade; read by region and period.

use crate::scope::scope_clause;
use crate::sql::{Builder, Row, query};
use crate::{Db, Result, Tx, new_id};
use domain::access::Scope;
use domain::page::{PageRequest, Paged};

/// An accident as stored.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Accident {
    /// Id.
    pub id: String,
    /// Document number.
    pub accident_no: String,
    /// Region.
    pub region_code: String,
    /// When (ms).
    pub occurred_at: i64,
    /// The Asia/Shanghai date it occurred on.
    pub occurred_on: String,
    /// Enterprise, if any.
    pub enterprise_id: Option<String>,
    /// Enterprise name (or place).
    pub enterprise_name: String,
    /// GB 6441 type code.
    pub accident_type: String,
    /// Deaths.
    pub deaths: i64,
    /// Serious injuries.
    pub serious_injuries: i64,
    /// Direct economic loss in fen.
    pub direct_loss_fen: i64,
    /// Grade.
    pub grade: String,
    /// What happened.
    pub description: String,
    /// Who recorded it.
    pub recorded_by: String,
}

const COLUMNS: &str = "id, accident_no, region_code, occurred_at, occurred_on, enterprise_id, enterprise_name, accident_type, \
    deaths, serious_injuries, direct_loss_fen, grade, description, recorded_by";

fn from_row(r: &Row) -> Result<Accident> {
    Ok(Accident {
        id: r.text("id")?,
        accident_no: r.text("accident_no")?,
        region_code: r.text("region_code")?,
        occurred_at: r.int("occurred_at")?,
        occurred_on: r.text("occurred_on")?,
        enterprise_id: r.opt_text("enterprise_id")?,
        enterprise_name: r.text("enterprise_name")?,
        accident_type: r.text("accident_type")?,
        deaths: r.int("deaths")?,
        serious_injuries: r.int("serious_injuries")?,
        direct_loss_fen: r.int("direct_loss_fen")?,
        grade: r.text("grade")?,
        description: r.text("description")?,
        recorded_by: r.text("recorded_by")?,
    })
}

/// Records an accident with the next number of its region and year.
pub async fn create(tx: &mut Tx, a: &Accident, now_ms: i64) -> Result<Accident> {
    let prefix = format!("SG-{}-{}-", a.region_code, &a.occurred_on[..4]);
    let number = crate::sql::next_number(tx, &prefix, 4).await?;
    let id = new_id();
    query(
        "INSERT INTO accident (region_code, id, accident_no, occurred_at, occurred_on, enterprise_id, enterprise_name,
         accident_type, deaths, serious_injuries, direct_loss_fen, grade, description, recorded_by, recorded_at, version)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, 1)",
    )
    .bind(a.region_code.as_str())
    .bind(id.as_str())
    .bind(number.clone())
    .bind(a.occurred_at)
    .bind(a.occurred_on.as_str())
    .bind(a.enterprise_id.as_deref())
    .bind(a.enterprise_name.as_str())
    .bind(a.accident_type.as_str())
    .bind(a.deaths)
    .bind(a.serious_injuries)
    .bind(a.direct_loss_fen)
    .bind(a.grade.as_str())
    .bind(a.description.as_str())
    .bind(a.recorded_by.as_str())
    .bind(now_ms)
    .execute(tx.ex())
    .await?;
    from_row(
        &crate::sql::dynamic_query(format!("SELECT {COLUMNS} FROM accident WHERE id = $1"))
            .bind(id.as_str())
            .fetch_one(tx.ex())
            .await?,
    )
}

/// Writes accidents recorded elsewhere (generated data, or an archive migrated from another
/// system) as they are, ids and numbers included, and moves the number counters past them.
pub async fn insert_historical(tx: &mut Tx, rows: &[Accident], now_ms: i64) -> Result<()> {
    let values: Vec<Vec<crate::sql::Value>> = rows
        .iter()
        .map(|a| {
            vec![
                a.region_code.as_str().into(),
                a.id.as_str().into(),
                a.accident_no.as_str().into(),
                a.occurred_at.into(),
                a.occurred_on.as_str().into(),
                a.enterprise_id.as_deref().into(),
                a.enterprise_name.as_str().into(),
                a.accident_type.as_str().into(),
                a.deaths.into(),
                a.serious_injuries.into(),
                a.direct_loss_fen.into(),
                a.grade.as_str().into(),
                a.description.as_str().into(),
                a.recorded_by.as_str().into(),
                now_ms.into(),
                1_i64.into(),
            ]
        })
        .collect();
    let columns = "region_code, id, accident_no, occurred_at, occurred_on, enterprise_id, enterprise_name, \
        accident_type, deaths, serious_injuries, direct_loss_fen, grade, description, recorded_by, \
        recorded_at, version";
    crate::sql::insert_rows(tx, "accident", columns, values).await?;
    crate::sql::raise_numbers(tx, rows.iter().map(|r| r.accident_no.as_str())).await
}

/// Accidents in scope between two dates (inclusive, YYYY-MM-DD), newest first.
pub async fn list(db: &Db, scope: &Scope, from: &str, to: &str, page: PageRequest) -> Result<Paged<Accident>> {
    let mut b = Builder::default();
    let scoped = scope_clause(&mut b, scope, "region_code", Some("enterprise_id"));
    let (f, t) = (b.arg(from), b.arg(to));
    let w = format!("{scoped} AND occurred_on >= {f} AND occurred_on <= {t}");
    crate::sql::paged(db, b, COLUMNS, &format!("accident WHERE {w}"), "occurred_at DESC, id", page, from_row).await
}
