//! The enterprise register: scoped lists and lookups, and the bulk upsert used by imports.

use crate::scope::scope_clause;
use crate::sql::{Builder, Row, like_pattern, query};
use crate::{Db, Result, StoreError, Tx, new_id};
use domain::access::Scope;
use domain::enterprise::{Enterprise, NewEnterprise, RegisterStatus, RiskLevel, StandardGrade};
use domain::page::{PageRequest, Paged};
use std::collections::{BTreeMap, HashMap, HashSet};

/// Filters for the enterprise list. Empty fields do not filter.
#[derive(Debug, Clone, Default)]
pub struct EnterpriseFilter {
    /// Part of the name, or the start of a credit code.
    pub q: Option<String>,
    /// A region code; matches that region and everything under it.
    pub region: Option<domain::region::RegionPrefix>,
    /// Sector code.
    pub sector: Option<String>,
    /// Risk level.
    pub risk: Option<RiskLevel>,
}

const COLUMNS: &str = "id, version, credit_code, name, region_code, sector, risk_level, standard_grade, \
                       annual_check_cap, address, status, updated_at";

fn from_row(r: &Row) -> Result<Enterprise> {
    let bad = |what: &str| StoreError::Corrupt(format!("enterprise {what}"));
    Ok(Enterprise {
        id: r.text("id")?,
        version: r.int("version")?,
        credit_code: r.text("credit_code")?,
        name: r.text("name")?,
        region_code: r.text("region_code")?,
        sector: r.text("sector")?,
        risk_level: RiskLevel::parse(&r.text("risk_level")?).ok_or_else(|| bad("risk_level"))?,
        standard_grade: r.opt_text("standard_grade")?.and_then(|g| StandardGrade::parse(&g)),
        annual_check_cap: r.int("annual_check_cap")?,
        address: r.text("address")?,
        status: RegisterStatus::parse(&r.text("status")?).ok_or_else(|| bad("status"))?,
        updated_at_ms: r.int("updated_at")?,
    })
}

/// One page of the enterprises the caller may see, matching the filter, ordered by region
/// then name, with the total count.
pub async fn list(db: &Db, scope: &Scope, filter: &EnterpriseFilter, page: PageRequest) -> Result<Paged<Enterprise>> {
    let mut b = Builder::default();
    let mut conds = vec![scope_clause(&mut b, scope, "region_code", Some("id"))];
    if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let name = b.arg(like_pattern(&q.to_lowercase()));
        if q.chars().all(|c| c.is_ascii_alphanumeric()) {
            // Looks like the start of a credit code: match it as a prefix too (index-friendly).
            let code = b.arg(format!("{}%", q.to_uppercase()));
            conds.push(format!("(lower(name) LIKE {name} ESCAPE '\\' OR credit_code LIKE {code})"));
        } else {
            conds.push(format!("lower(name) LIKE {name} ESCAPE '\\'"));
        }
    }
    if let Some(region) = &filter.region {
        conds.push(scope_clause(&mut b, &Scope::Region(region.clone()), "region_code", None));
    }
    if let Some(sector) = &filter.sector {
        conds.push(format!("sector = {}", b.arg(sector.as_str())));
    }
    if let Some(risk) = filter.risk {
        conds.push(format!("risk_level = {}", b.arg(risk.as_str())));
    }
    let from_where = format!("enterprise WHERE {}", conds.join(" AND "));
    crate::sql::paged(db, b, COLUMNS, &from_where, "region_code, name, id", page, from_row).await
}

/// One enterprise by id, if the caller may see it; otherwise `NotFound`, exactly as if it
/// did not exist.
pub async fn get(db: &Db, scope: &Scope, id: &str) -> Result<Enterprise> {
    crate::sql::scoped_one(db, scope, COLUMNS, "enterprise", Some("id"), id, from_row).await
}

/// What an upsert did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct UpsertCount {
    /// New records.
    pub inserted: u64,
    /// Existing records whose content changed (version + 1).
    pub updated: u64,
    /// Existing records already identical (untouched: re-importing a file changes nothing).
    pub unchanged: u64,
}

impl std::ops::AddAssign for UpsertCount {
    fn add_assign(&mut self, o: Self) {
        self.inserted += o.inserted;
        self.updated += o.updated;
        self.unchanged += o.unchanged;
    }
}

/// Keys (credit codes, badge numbers) looked up per query, passed as one JSON parameter
/// (`sql::Builder::text_set`): a 1,000,000-row import makes 200 lookups rather than 2,000.
pub const LOOKUP_ROWS: usize = 5_000;

/// Inserts new enterprises and updates changed ones, keyed by credit code. An update checks
/// the version it read, so a concurrent edit makes the import fail (`Conflict`) instead of
/// being overwritten.
pub async fn upsert(tx: &mut Tx, rows: &[NewEnterprise], now_ms: i64) -> Result<UpsertCount> {
    upsert_reporting(tx, rows, now_ms, |_| {}).await
}

/// [`upsert`], telling `checked` how many rows have been looked up so far (for a progress
/// bar). A whole import goes through one call: the new rows then reach the database in one
/// bulk insert and the register tally is written once, where calls of a few thousand rows
/// each repeated both (on PostgreSQL, 30 COPYs and 30 updates of each region's tally row for
/// 300,000 rows).
pub async fn upsert_reporting(
    tx: &mut Tx,
    rows: &[NewEnterprise],
    now_ms: i64,
    mut checked: impl FnMut(usize) + Send,
) -> Result<UpsertCount> {
    let mut count = UpsertCount::default();
    let mut tally = Tally::default();
    let mut fresh = Vec::new();
    let registered = codes_if_fewer_than(tx, rows.len() / 2).await?;
    for (i, chunk) in rows.chunks(LOOKUP_ROWS).enumerate() {
        count += upsert_chunk(tx, chunk, registered.as_ref(), now_ms, &mut tally, &mut fresh).await?;
        checked((i * LOOKUP_ROWS + chunk.len()).min(rows.len()));
    }
    // The new rows go in together at the end (on PostgreSQL one COPY). A credit code appears
    // once per import (the import refuses repeats), so no later chunk looks for an earlier
    // chunk's new row.
    insert_rows(tx, &fresh, now_ms, &mut tally).await?;
    count.inserted += fresh.len() as u64;
    tally.write(tx).await?;
    Ok(count)
}

/// Every credit code in the register if it holds fewer than `n` enterprises (a first load, or a
/// file much larger than a young register), else `None`. Beside a large import, one scan of a
/// small register's codes costs less than probing for each row (measured: 0.46 s of a
/// 1,000,000-row first load on SQLite went to probes that all found nothing); beside a large
/// register, the scan stops after `n` codes.
async fn codes_if_fewer_than(tx: &mut Tx, n: usize) -> Result<Option<HashSet<String>>> {
    if n < LOOKUP_ROWS {
        return Ok(None);
    }
    let limit = i64::try_from(n).unwrap_or(i64::MAX);
    let codes = query("SELECT credit_code FROM enterprise LIMIT $1").bind(limit).fetch_all(tx.ex()).await?;
    if codes.len() >= n {
        return Ok(None);
    }
    Ok(Some(codes.iter().map(|r| r.text("credit_code")).collect::<Result<_>>()?))
}

/// Changes to the number of active enterprises per region, gathered over a whole import and
/// written once per region at its end (`enterprise_tally`). Once, because PostgreSQL keeps
/// every version of a row changed repeatedly in one transaction, and each change then walks
/// them all.
#[derive(Default)]
struct Tally(BTreeMap<String, i64>);

impl Tally {
    fn count(&mut self, region: &str, status: RegisterStatus, sign: i64) {
        if status == RegisterStatus::Active {
            *self.0.entry(region.to_owned()).or_default() += sign;
        }
    }

    async fn write(self, tx: &mut Tx) -> Result<()> {
        for (region, delta) in self.0.into_iter().filter(|(_, d)| *d != 0) {
            query(
                "INSERT INTO enterprise_tally (region_code, active) VALUES ($1, $2)
                 ON CONFLICT (region_code) DO UPDATE SET active = enterprise_tally.active + $2",
            )
            .bind(region)
            .bind(delta)
            .execute(tx.ex())
            .await?;
        }
        Ok(())
    }
}

/// Active enterprises per region of `scope` (from the tally kept with the register).
pub async fn active_by_region(db: &Db, scope: &Scope) -> Result<Vec<(String, i64)>> {
    let mut b = Builder::default();
    let w = scope_clause(&mut b, scope, "region_code", None);
    b.build(format!("SELECT region_code, active FROM enterprise_tally WHERE {w} AND active <> 0"))
        .fetch_all(db.reader())
        .await?
        .iter()
        .map(|r| Ok((r.text("region_code")?, r.int("active")?)))
        .collect()
}

/// Updates the chunk's changed rows and adds its new ones to `fresh`.
/// `registered`, when known, holds every credit code in the register: rows with another code
/// are new without a lookup.
async fn upsert_chunk<'r>(
    tx: &mut Tx,
    rows: &'r [NewEnterprise],
    registered: Option<&HashSet<String>>,
    now_ms: i64,
    tally: &mut Tally,
    fresh: &mut Vec<&'r NewEnterprise>,
) -> Result<UpsertCount> {
    let (rows, unknown): (Vec<&'r NewEnterprise>, Vec<&'r NewEnterprise>) = match registered {
        Some(codes) => rows.iter().partition(|r| codes.contains(r.credit_code.as_str())),
        None => (rows.iter().collect(), Vec::new()),
    };
    fresh.extend(unknown);
    if rows.is_empty() {
        return Ok(UpsertCount::default());
    }
    let mut b = Builder::default();
    let codes: Vec<&str> = rows.iter().map(|r| r.credit_code.as_str()).collect();
    let set = b.text_set(tx.backend(), &codes);
    let existing: HashMap<String, Enterprise> = b
        .build(format!("SELECT {COLUMNS} FROM enterprise WHERE credit_code IN ({set})"))
        .fetch_all(tx.ex())
        .await?
        .iter()
        .map(|r| from_row(r).map(|e| (e.credit_code.clone(), e)))
        .collect::<Result<_>>()?;
    let mut count = UpsertCount::default();
    for row in rows {
        match existing.get(row.credit_code.as_str()) {
            None => fresh.push(row),
            Some(old) if same(old, row) => count.unchanged += 1,
            Some(old) => {
                update(tx, old, row, now_ms).await?;
                tally.count(&old.region_code, old.status, -1);
                tally.count(row.region.as_str(), row.status, 1);
                count.updated += 1;
            }
        }
    }
    Ok(count)
}

/// Inserts enterprises known to be new, with no existence check, by the same path an import
/// writes the rows it found missing: the import benchmark uses it alone as the storage floor
/// (the baseline an import is compared with).
pub async fn insert_new(tx: &mut Tx, rows: &[&NewEnterprise], now_ms: i64) -> Result<()> {
    let mut tally = Tally::default();
    insert_rows(tx, rows, now_ms, &mut tally).await?;
    tally.write(tx).await
}

/// Writes new rows through the bulk path (`sql::insert_rows`: multi-row INSERTs on SQLite, COPY
/// on PostgreSQL) and counts the active ones into `tally`.
///
/// The rows go in sorted by the register's region index (region, risk, sector, status, credit
/// code) and take their ids in that order, so that three of the four b-trees (the primary key
/// with the region code, the region index, the id index) grow at their ends instead of at
/// random places; only the credit-code index still takes keys in random order, which on SQLite
/// a large batch into a small register avoids by building that index afresh
/// ([`rebuilds_code_index`]). Measured on 1,000,000 rows: a plain COPY into PostgreSQL went
/// from 15.7 s to 6.6 s (docs/benchmarks.md).
async fn insert_rows(tx: &mut Tx, rows: &[&NewEnterprise], now_ms: i64, tally: &mut Tally) -> Result<()> {
    for row in rows {
        tally.count(row.region.as_str(), row.status, 1);
    }
    let rows = in_index_order(rows);
    let rebuild = rebuilds_code_index(tx, rows.len()).await?;
    if rebuild {
        query("DROP INDEX enterprise_credit_code_uq").execute(tx.ex()).await?;
    }
    // Boxed: the future holding a closure over borrowed rows is otherwise not provably `Send`
    // for every lifetime (rustc's higher-ranked auto-trait limitation), which `tokio::spawn`
    // of the CLI and the router require.
    let values: Box<dyn Iterator<Item = Vec<crate::sql::Value>> + Send + '_> = Box::new(rows.into_iter().map(|r| {
        vec![
            r.region.as_str().into(),
            new_id().into(),
            r.credit_code.as_str().into(),
            r.name.as_str().into(),
            r.sector.as_str().into(),
            r.risk.as_str().into(),
            r.standard_grade.map(|g| g.as_str()).into(),
            i64::from(r.annual_check_cap).into(),
            r.address.as_str().into(),
            r.status.as_str().into(),
            1i64.into(),
            now_ms.into(),
            now_ms.into(),
        ]
    }));
    crate::sql::insert_rows(
        tx,
        "enterprise",
        "region_code, id, credit_code, name, sector, risk_level, standard_grade, annual_check_cap, address, status, \
         version, created_at, updated_at",
        values,
    )
    .await?;
    if rebuild {
        // A repeated code fails here as it would have failed the insert, and the transaction
        // (with the dropped index) rolls back.
        query("CREATE UNIQUE INDEX enterprise_credit_code_uq ON enterprise (credit_code)").execute(tx.ex()).await?;
    }
    Ok(())
}

/// New rows from which a bulk insert into SQLite builds the credit-code index afresh.
pub const REBUILD_CODE_INDEX_FROM: usize = 50_000;

/// Whether inserting `n` rows should drop the credit-code index and build it again after:
/// on SQLite, for at least [`REBUILD_CODE_INDEX_FROM`] rows into a register no larger than
/// them. Building sorts every code, old and new, once (1.3 s for a million); inserting them
/// one by one puts each at a random place in the b-tree (3-4 s for a million into an empty
/// table, more into a large one, so a small batch into a large register keeps its index).
/// PostgreSQL's COPY maintains its indexes in bulk already.
async fn rebuilds_code_index(tx: &mut Tx, n: usize) -> Result<bool> {
    if tx.backend() != crate::Backend::Sqlite || n < REBUILD_CODE_INDEX_FROM {
        return Ok(false);
    }
    let limit = i64::try_from(n).unwrap_or(i64::MAX).saturating_add(1);
    let held = query("SELECT COUNT(*) AS n FROM (SELECT 1 FROM enterprise LIMIT $1)")
        .bind(limit)
        .fetch_one(tx.ex())
        .await?
        .int("n")?;
    Ok(held < limit)
}

/// The rows in the order of `enterprise_region_risk_sector_ix` (region, risk, sector,
/// status, credit code; bytewise, as both backends compare these columns). Grouped first by
/// the four short columns, of which an import has a few thousand combinations, then each
/// group sorted by credit code: a million rows sorted in one go spent most of a second
/// waiting for memory, while a group fits in the processor's cache.
fn in_index_order<'r>(rows: &[&'r NewEnterprise]) -> Vec<&'r NewEnterprise> {
    let mut groups: BTreeMap<(&str, &str, &str, &str), Vec<&'r NewEnterprise>> = BTreeMap::new();
    for &r in rows {
        let key = (r.region.as_str(), r.risk.as_str(), r.sector.as_str(), r.status.as_str());
        groups.entry(key).or_default().push(r);
    }
    let mut ordered = Vec::with_capacity(rows.len());
    for mut group in groups.into_values() {
        group.sort_unstable_by(|a, b| a.credit_code.as_str().cmp(b.credit_code.as_str()));
        ordered.extend(group);
    }
    ordered
}

fn same(old: &Enterprise, new: &NewEnterprise) -> bool {
    old.name == new.name
        && old.region_code == new.region.as_str()
        && old.sector == new.sector
        && old.risk_level == new.risk
        && old.standard_grade == new.standard_grade
        && old.annual_check_cap == i64::from(new.annual_check_cap)
        && old.address == new.address
        && old.status == new.status
}

async fn update(tx: &mut Tx, old: &Enterprise, new: &NewEnterprise, now_ms: i64) -> Result<()> {
    let changed = query(
        "UPDATE enterprise SET region_code = $1, name = $2, sector = $3, risk_level = $4, standard_grade = $5,
         annual_check_cap = $6, address = $7, status = $8, version = version + 1, updated_at = $9
         WHERE id = $10 AND version = $11",
    )
    .bind(new.region.as_str())
    .bind(new.name.as_str())
    .bind(new.sector.as_str())
    .bind(new.risk.as_str())
    .bind(new.standard_grade.map(|g| g.as_str()))
    .bind(i64::from(new.annual_check_cap))
    .bind(new.address.as_str())
    .bind(new.status.as_str())
    .bind(now_ms)
    .bind(old.id.as_str())
    .bind(old.version)
    .execute(tx.ex())
    .await?;
    if changed == 0 {
        let actual =
            query("SELECT version FROM enterprise WHERE id = $1").bind(old.id.as_str()).fetch_one(tx.ex()).await?;
        return Err(StoreError::Conflict { expected: old.version, actual: actual.int("version")? });
    }
    Ok(())
}

/// Region codes of the enterprises with the given credit codes that already exist, so an
/// import can refuse to move an enterprise out of another office's jurisdiction.
pub async fn existing_regions(db: &Db, credit_codes: &[&str]) -> Result<HashMap<String, String>> {
    let mut out = HashMap::new();
    for chunk in credit_codes.chunks(LOOKUP_ROWS) {
        let mut b = Builder::default();
        let set = b.text_set(db.backend(), chunk);
        let rows = b
            .build(format!("SELECT credit_code, region_code FROM enterprise WHERE credit_code IN ({set})"))
            .fetch_all(db.reader())
            .await?;
        for r in rows {
            out.insert(r.text("credit_code")?, r.text("region_code")?);
        }
    }
    Ok(out)
}

/// Counts enterprises in scope (for dashboards and tests).
pub async fn count(db: &Db, scope: &Scope) -> Result<i64> {
    let mut b = Builder::default();
    let scoped = scope_clause(&mut b, scope, "region_code", Some("id"));
    b.build(format!("SELECT COUNT(*) AS n FROM enterprise WHERE {scoped}")).fetch_one(db.reader()).await?.int("n")
}

/// Names of enterprises by credit code, for published draw results (enterprise names and
/// codes are public registration data; this query is deliberately unscoped).
pub async fn names_by_codes(db: &Db, credit_codes: &[&str]) -> Result<HashMap<String, String>> {
    let mut out = HashMap::new();
    for chunk in credit_codes.chunks(LOOKUP_ROWS) {
        let mut b = Builder::default();
        let set = b.text_set(db.backend(), chunk);
        let rows = b
            .build(format!("SELECT credit_code, name FROM enterprise WHERE credit_code IN ({set})"))
            .fetch_all(db.reader())
            .await?;
        for r in rows {
            out.insert(r.text("credit_code")?, r.text("name")?);
        }
    }
    Ok(out)
}

/// `(id, region, credit code, name, sector)` of every enterprise (benchmark data generation).
pub async fn all_keys(db: &Db) -> Result<Vec<(String, String, String, String, String)>> {
    let mut out = Vec::new();
    query("SELECT id, region_code, credit_code, name, sector FROM enterprise ORDER BY region_code, credit_code")
        .for_each(db.reader(), |r| {
            out.push((
                r.text("id")?,
                r.text("region_code")?,
                r.text("credit_code")?,
                r.text("name")?,
                r.text("sector")?,
            ));
            Ok(())
        })
        .await?;
    Ok(out)
}
