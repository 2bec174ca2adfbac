//! Evaluation schemes imported by an operator, and published (frozen) evaluation runs. A run is
//! published once per region and period; it is never updated.

use crate::sql::query;
use crate::{Db, Result, Tx, new_id};

/// An imported scheme version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredScheme {
    /// Version label.
    pub version: String,
    /// First day it applies to.
    pub valid_from: String,
    /// The TOML text as imported.
    pub source: String,
}

/// Every imported scheme.
pub async fn schemes(db: &Db) -> Result<Vec<StoredScheme>> {
    let rows = query("SELECT version, valid_from, source FROM evaluation_scheme ORDER BY valid_from, version")
        .fetch_all(db.reader())
        .await?;
    rows.iter()
        .map(|r| {
            Ok(StoredScheme {
                version: r.text("version")?,
                valid_from: r.text("valid_from")?,
                source: r.text("source")?,
            })
        })
        .collect()
}

/// Stores a new scheme version (`Duplicate` if the version exists: versions are never replaced).
pub async fn import_scheme(tx: &mut Tx, s: &StoredScheme, by: &str, now_ms: i64) -> Result<()> {
    query("INSERT INTO evaluation_scheme (version, valid_from, source, imported_by, imported_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(s.version.as_str())
        .bind(s.valid_from.as_str())
        .bind(s.source.as_str())
        .bind(by)
        .bind(now_ms)
        .execute(tx.ex())
        .await?;
    Ok(())
}

/// A published run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedRun {
    /// The region whose sub-regions are ranked.
    pub region_code: String,
    /// Period label (`2023Q3`).
    pub period: String,
    /// Scheme version used.
    pub scheme_version: String,
    /// SHA-256 of the inputs (hex).
    pub inputs_digest: String,
    /// The result (JSON).
    pub result: String,
    /// Who published it.
    pub published_by: String,
    /// When (ms).
    pub published_at: i64,
}

/// The published run of a region and period, if any.
pub async fn published(db: &Db, region: &str, period: &str) -> Result<Option<PublishedRun>> {
    let row = query(
        "SELECT region_code, period, scheme_version, inputs_digest, result, published_by, published_at
         FROM evaluation_run WHERE region_code = $1 AND period = $2",
    )
    .bind(region)
    .bind(period)
    .fetch_optional(db.reader())
    .await?;
    row.map(|r| {
        Ok(PublishedRun {
            region_code: r.text("region_code")?,
            period: r.text("period")?,
            scheme_version: r.text("scheme_version")?,
            inputs_digest: r.text("inputs_digest")?,
            result: r.text("result")?,
            published_by: r.text("published_by")?,
            published_at: r.int("published_at")?,
        })
    })
    .transpose()
}

/// Publishes a run (`Duplicate` if the period was already published).
pub async fn publish(tx: &mut Tx, run: &PublishedRun) -> Result<()> {
    query(
        "INSERT INTO evaluation_run (region_code, id, period, scheme_version, inputs_digest, result, published_by, published_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(run.region_code.as_str())
    .bind(new_id())
    .bind(run.period.as_str())
    .bind(run.scheme_version.as_str())
    .bind(run.inputs_digest.as_str())
    .bind(run.result.as_str())
    .bind(run.published_by.as_str())
    .bind(run.published_at)
    .execute(tx.ex())
    .await?;
    Ok(())
}
