//! The officer register: scoped lists and lookups, and the bulk upsert used by imports.

use crate::enterprise::{LOOKUP_ROWS, UpsertCount};
use crate::scope::scope_clause;
use crate::sql::{Builder, Row, like_pattern, query};
use crate::{Db, Result, StoreError, Tx, new_id};
use domain::access::Scope;
use domain::enterprise::RegisterStatus;
use domain::officer::{NewOfficer, Officer};
use domain::page::{PageRequest, Paged};
use std::collections::HashMap;

/// Filters for the officer list.
#[derive(Debug, Clone, Default)]
pub struct OfficerFilter {
    /// Part of the name or badge number.
    pub q: Option<String>,
    /// A region code; matches that region and everything under it.
    pub region: Option<domain::region::RegionPrefix>,
    /// Department code.
    pub department: Option<String>,
    /// Only officers certified on this date (YYYY-MM-DD).
    pub certified_on: Option<String>,
}

const COLUMNS: &str = "id, version, badge_no, name, unit, department, region_code, cert_valid_until, status";

fn from_row(r: &Row) -> Result<Officer> {
    Ok(Officer {
        id: r.text("id")?,
        version: r.int("version")?,
        badge_no: r.text("badge_no")?,
        name: r.text("name")?,
        unit: r.text("unit")?,
        department: r.text("department")?,
        region_code: r.text("region_code")?,
        cert_valid_until: r.text("cert_valid_until")?,
        status: RegisterStatus::parse(&r.text("status")?)
            .ok_or_else(|| StoreError::Corrupt("officer status".into()))?,
    })
}

/// One page of the officers the caller may see. Enterprise accounts see none.
pub async fn list(db: &Db, scope: &Scope, filter: &OfficerFilter, page: PageRequest) -> Result<Paged<Officer>> {
    let mut b = Builder::default();
    let mut conds = vec![scope_clause(&mut b, scope, "region_code", None)];
    if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let p = b.arg(like_pattern(&q.to_lowercase()));
        conds.push(format!("(lower(name) LIKE {p} ESCAPE '\\' OR lower(badge_no) LIKE {p} ESCAPE '\\')"));
    }
    if let Some(region) = &filter.region {
        conds.push(scope_clause(&mut b, &Scope::Region(region.clone()), "region_code", None));
    }
    if let Some(d) = &filter.department {
        conds.push(format!("department = {}", b.arg(d.as_str())));
    }
    if let Some(day) = &filter.certified_on {
        conds.push(format!("status = 'active' AND cert_valid_until >= {}", b.arg(day.as_str())));
    }
    let from_where = format!("officer WHERE {}", conds.join(" AND "));
    crate::sql::paged(db, b, COLUMNS, &from_where, "region_code, badge_no", page, from_row).await
}

/// One officer by id, if in scope.
pub async fn get(db: &Db, scope: &Scope, id: &str) -> Result<Officer> {
    crate::sql::scoped_one(db, scope, COLUMNS, "officer", None, id, from_row).await
}

/// Inserts new officers and updates changed ones, keyed by badge number, with version checks.
pub async fn upsert(tx: &mut Tx, rows: &[NewOfficer], now_ms: i64) -> Result<UpsertCount> {
    let mut count = UpsertCount::default();
    for chunk in rows.chunks(LOOKUP_ROWS) {
        let mut b = Builder::default();
        let badges: Vec<&str> = chunk.iter().map(|r| r.badge_no.as_str()).collect();
        let set = b.text_set(tx.backend(), &badges);
        let existing: HashMap<String, Officer> = b
            .build(format!("SELECT {COLUMNS} FROM officer WHERE badge_no IN ({set})"))
            .fetch_all(tx.ex())
            .await?
            .iter()
            .map(|r| from_row(r).map(|o| (o.badge_no.clone(), o)))
            .collect::<Result<_>>()?;
        for row in chunk {
            match existing.get(row.badge_no.as_str()) {
                Some(old) if same(old, row) => count.unchanged += 1,
                Some(old) => {
                    update(tx, old, row, now_ms).await?;
                    count.updated += 1;
                }
                None => {
                    insert(tx, row, now_ms).await?;
                    count.inserted += 1;
                }
            }
        }
    }
    Ok(count)
}

fn same(old: &Officer, new: &NewOfficer) -> bool {
    old.name == new.name
        && old.unit == new.unit
        && old.department == new.department
        && old.region_code == new.region.as_str()
        && old.cert_valid_until == new.cert_valid_until.to_string()
        && old.status == new.status
}

async fn insert(tx: &mut Tx, o: &NewOfficer, now_ms: i64) -> Result<()> {
    query(
        "INSERT INTO officer (region_code, id, badge_no, name, unit, department, cert_valid_until, status, version,
         created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9, $9)",
    )
    .bind(o.region.as_str())
    .bind(new_id())
    .bind(o.badge_no.as_str())
    .bind(o.name.as_str())
    .bind(o.unit.as_str())
    .bind(o.department.as_str())
    .bind(o.cert_valid_until.to_string())
    .bind(o.status.as_str())
    .bind(now_ms)
    .execute(tx.ex())
    .await?;
    Ok(())
}

async fn update(tx: &mut Tx, old: &Officer, o: &NewOfficer, now_ms: i64) -> Result<()> {
    let changed = query(
        "UPDATE officer SET region_code = $1, name = $2, unit = $3, department = $4, cert_valid_until = $5,
         status = $6, version = version + 1, updated_at = $7 WHERE id = $8 AND version = $9",
    )
    .bind(o.region.as_str())
    .bind(o.name.as_str())
    .bind(o.unit.as_str())
    .bind(o.department.as_str())
    .bind(o.cert_valid_until.to_string())
    .bind(o.status.as_str())
    .bind(now_ms)
    .bind(old.id.as_str())
    .bind(old.version)
    .execute(tx.ex())
    .await?;
    if changed == 0 {
        return Err(StoreError::Conflict { expected: old.version, actual: old.version + 1 });
    }
    Ok(())
}
