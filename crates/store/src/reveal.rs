//! The commit → reveal life of a verifiable draw, shared by every table that holds one
//! (spot-check plans, cross-inspection rounds): the same columns (`status`, `version`,
//! `committed_at`, `inputs_digest`, `commitment`, `secret`, `record`) and the same guarded
//! updates. The committed record is written once into `draw_record` (migration 0019) and
//! never updated: it can be tens of megabytes, and SQLite rewrites a whole row on any update.

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
         commitment = $3, secret = $4 WHERE id = $5 AND version = $6 AND status = 'draft'"
    ))
    .bind(now_ms)
    .bind(c.inputs_digest)
    .bind(c.commitment)
    .bind(c.secret_hex)
    .bind(id)
    .bind(version)
    .execute(tx.ex())
    .await?;
    check_one(tx, table, id, version, n).await?;
    dynamic_query(format!(
        "INSERT INTO draw_record (region_code, owner_id, committed_record)
         SELECT region_code, id, $1 FROM {table} WHERE id = $2"
    ))
    .bind(c.committed_record)
    .bind(id)
    .execute(tx.ex())
    .await?;
    Ok(())
}

/// The join from a draw's row (`t`) to its committed record (`d`).
fn with_record(table: &str) -> String {
    format!("{table} t LEFT JOIN draw_record d ON d.region_code = t.region_code AND d.owner_id = t.id")
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
    let r = dynamic_query(format!(
        "SELECT d.committed_record, t.secret FROM {} WHERE t.id = $1 AND t.status = 'committed'",
        with_record(table)
    ))
    .bind(id)
    .fetch_one(tx.ex())
    .await?;
    Ok((r.opt_text("committed_record")?.unwrap_or_default(), r.opt_text("secret")?.unwrap_or_default()))
}

/// A published row by its document number (`no_col`), with its record: the committed record
/// before the reveal, the full record after. Drafts are not found. A table that stores only
/// the reveal's members (`reveal_col`, spot-check plans since migration 0019) has its full
/// record put together here: the committed text followed by them.
pub(crate) async fn published<T>(
    db: &Db,
    table: &'static str,
    columns: &str,
    reveal_col: Option<&'static str>,
    (no_col, no): (&'static str, &str),
    map: impl Fn(&crate::sql::Row) -> Result<T>,
) -> Result<(T, String)> {
    let reveal = reveal_col.map(|c| format!("t.{c}")).unwrap_or_else(|| "NULL".into());
    let columns = columns.split(',').map(|c| format!("t.{}", c.trim())).collect::<Vec<_>>().join(", ");
    let row = dynamic_query(format!(
        "SELECT {columns}, d.committed_record, t.record, {reveal} AS reveal FROM {}
         WHERE t.{no_col} = $1 AND t.status <> 'draft'",
        with_record(table)
    ))
    .bind(no)
    .fetch_one(db.reader())
    .await?;
    let record = match (row.opt_text("record")?, row.opt_text("reveal")?) {
        (Some(full), _) => full,
        (None, Some(reveal)) => {
            let committed = row.opt_text("committed_record")?.unwrap_or_default();
            domain::draw::record::join_record(&committed, &reveal)
                .ok_or_else(|| StoreError::Corrupt(format!("{table} {no}: committed record or reveal")))?
        }
        (None, None) => row.opt_text("committed_record")?.unwrap_or_default(),
    };
    Ok((map(&row)?, record))
}
