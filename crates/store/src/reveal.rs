//! The commit → reveal life of a verifiable draw, shared by every table that holds one
//! (spot-check plans, cross-inspection rounds): the same columns (`status`, `version`,
//! `committed_at`, `inputs_digest`, `commitment`, `secret`, `committed_record`, `record`)
//! and the same guarded updates.

use crate::sql::dynamic_query;
use crate::{Db, Result, StoreError, Tx};

/// What committing stores.
#[derive(Debug, Clone, Copy)]
pub struct Commitment<'a> {
    /// SHA-256 of the canonical inputs (hex).
    pub inputs_digest: &'a str,
    /// SHA-256 of the secret (hex).
    pub commitment: &'a str,
    /// The secret (hex): read back only to reveal.
    pub secret_hex: &'a str,
    /// The record published at commit time (JSON).
    pub committed_record: &'a str,
}

/// Records the commitment if the row is still a draft at `version`.
pub(crate) async fn commit(
    tx: &mut Tx,
    table: &'static str,
    id: &str,
    version: i64,
    c: &Commitment<'_>,
    now_ms: i64,
) -> Result<()> {
    let n = dynamic_query(format!(
        "UPDATE {table} SET status = 'committed', version = version + 1, committed_at = $1, inputs_digest = $2,
         commitment = $3, secret = $4, committed_record = $5 WHERE id = $6 AND version = $7 AND status = 'draft'"
    ))
    .bind(now_ms)
    .bind(c.inputs_digest)
    .bind(c.commitment)
    .bind(c.secret_hex)
    .bind(c.committed_record)
    .bind(id)
    .bind(version)
    .execute(tx.ex())
    .await?;
    check_one(tx, table, id, version, n).await
}

/// `Ok` if exactly one row changed; otherwise the version conflict the caller ran into.
pub(crate) async fn check_one(tx: &mut Tx, table: &'static str, id: &str, version: i64, changed: u64) -> Result<()> {
    if changed == 1 {
        return Ok(());
    }
    let actual = dynamic_query(format!("SELECT version FROM {table} WHERE id = $1"))
        .bind(id)
        .fetch_one(tx.ex())
        .await?
        .int("version")?;
    Err(StoreError::Conflict { expected: version, actual })
}

/// The committed record and the secret of a committed row, for the reveal only.
pub(crate) async fn committed_secret(tx: &mut Tx, table: &'static str, id: &str) -> Result<(String, String)> {
    let r =
        dynamic_query(format!("SELECT committed_record, secret FROM {table} WHERE id = $1 AND status = 'committed'"))
            .bind(id)
            .fetch_one(tx.ex())
            .await?;
    Ok((r.opt_text("committed_record")?.unwrap_or_default(), r.opt_text("secret")?.unwrap_or_default()))
}

/// A published row by its document number (`no_col`), with its record: the committed record
/// before the reveal, the full record after. Drafts are not found.
pub(crate) async fn published<T>(
    db: &Db,
    table: &'static str,
    columns: &str,
    no_col: &'static str,
    no: &str,
    map: impl Fn(&crate::sql::Row) -> Result<T>,
) -> Result<(T, String)> {
    let row = dynamic_query(format!(
        "SELECT {columns}, committed_record, record FROM {table} WHERE {no_col} = $1 AND status <> 'draft'"
    ))
    .bind(no)
    .fetch_one(db.reader())
    .await?;
    let record = match row.opt_text("record")? {
        Some(r) => r,
        None => row.opt_text("committed_record")?.unwrap_or_default(),
    };
    Ok((map(&row)?, record))
}
