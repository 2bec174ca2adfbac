//! The append-only, hash-chained audit trail (hashing rules in `domain::audit`).
//!
//! [`append`] runs inside the caller's transaction: the change and its audit entry commit or
//! roll back together. The next sequence number is taken with `UPDATE … RETURNING` on the
//! chain's head row, which serialises writers of one chain (a row lock in PostgreSQL, the
//! single writer in SQLite) while different chains proceed independently; a trigger moves the
//! head's hash to the new entry's when it is inserted.

use crate::sql::{Builder, Row, query};
use crate::{Db, Result, StoreError, Tx};
use domain::audit::{AuditEntry, AuditEvent, ChainBreak, ChainVerifier, GENESIS};
use domain::page::{PageRequest, Paged};

/// Appends an event to `chain` (a region code) inside `tx`.
pub async fn append(tx: &mut Tx, chain: &str, at_ms: i64, event: AuditEvent) -> Result<AuditEntry> {
    // Takes the chain's next number (locking its head until the transaction ends) and the
    // previous entry's hash in one statement.
    let head = query(
        "INSERT INTO audit_chain_head (chain, seq, hash) VALUES ($1, 1, '')
         ON CONFLICT (chain) DO UPDATE SET seq = audit_chain_head.seq + 1 RETURNING seq, hash",
    )
    .bind(chain)
    .fetch_one(tx.ex())
    .await?;
    let seq = head.int("seq")?;
    let prev = decode_hash(&head.text("hash")?)?.unwrap_or(GENESIS);
    let entry = AuditEntry::seal(chain, seq, at_ms, event, prev);
    let e = &entry.event;
    query(
        "INSERT INTO audit_entry (chain, seq, at_ms, actor, role, action, object_type, object_id, result,
         request_id, detail, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(chain)
    .bind(seq)
    .bind(at_ms)
    .bind(e.actor.as_str())
    .bind(e.role.as_str())
    .bind(e.action.as_str())
    .bind(e.object_type.as_str())
    .bind(e.object_id.as_str())
    .bind(e.result.as_str())
    .bind(e.request_id.as_str())
    .bind(e.detail.as_str())
    .bind(hex::encode(entry.prev_hash))
    .bind(hex::encode(entry.hash))
    .execute(tx.ex())
    .await?;
    // The head's hash now follows from the trigger `audit_entry_moves_head` (migration 0020).
    Ok(entry)
}

fn decode_hash(s: &str) -> Result<Option<[u8; 32]>> {
    if s.is_empty() {
        return Ok(None);
    }
    let bytes = hex::decode(s).map_err(|_| StoreError::Corrupt("audit hash is not hex".into()))?;
    bytes.try_into().map(Some).map_err(|_| StoreError::Corrupt("audit hash is not 32 bytes".into()))
}

fn from_row(r: &Row) -> Result<AuditEntry> {
    Ok(AuditEntry {
        chain: r.text("chain")?,
        seq: r.int("seq")?,
        at_ms: r.int("at_ms")?,
        event: AuditEvent {
            actor: r.text("actor")?,
            role: r.text("role")?,
            action: r.text("action")?,
            object_type: r.text("object_type")?,
            object_id: r.text("object_id")?,
            result: r.text("result")?,
            request_id: r.text("request_id")?,
            detail: r.text("detail")?,
        },
        prev_hash: decode_hash(&r.text("prev_hash")?)?.unwrap_or(GENESIS),
        hash: decode_hash(&r.text("hash")?)?.unwrap_or(GENESIS),
    })
}

const COLUMNS: &str =
    "chain, seq, at_ms, actor, role, action, object_type, object_id, result, request_id, detail, prev_hash, hash";

/// The outcome of verifying every chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    /// Chains checked.
    pub chains: usize,
    /// Entries checked.
    pub entries: i64,
    /// The first break found, if any (chains are checked in code order).
    pub first_break: Option<ChainBreak>,
}

/// Verifies every chain, streaming entries so memory stays flat however long the trail.
pub async fn verify(db: &Db) -> Result<VerifyReport> {
    let mut chains: Vec<(String, i64)> = query("SELECT chain, seq FROM audit_chain_head ORDER BY chain")
        .fetch_all(db.reader())
        .await?
        .iter()
        .map(|r| Ok((r.text("chain")?, r.int("seq")?)))
        .collect::<Result<_>>()?;
    // Entries whose chain has no head were written behind the application's back.
    for r in query("SELECT DISTINCT chain FROM audit_entry").fetch_all(db.reader()).await? {
        let c = r.text("chain")?;
        if !chains.iter().any(|(h, _)| *h == c) {
            chains.push((c, 0));
        }
    }
    let mut report = VerifyReport { chains: chains.len(), entries: 0, first_break: None };
    for (chain, head_seq) in chains {
        let mut v = ChainVerifier::new(&chain);
        let mut broken = None;
        let sql = format!("SELECT {COLUMNS} FROM audit_entry WHERE chain = $1 ORDER BY seq");
        crate::sql::dynamic_query(sql)
            .bind(chain.as_str())
            .for_each(db.reader(), |row| {
                if broken.is_none() {
                    report.entries += 1;
                    if let Err(b) = v.push(&from_row(&row)?) {
                        broken = Some(b);
                    }
                }
                Ok(())
            })
            .await?;
        let result = match broken {
            Some(b) => Err(b),
            None => v.finish(head_seq).map(|_| ()),
        };
        if let Err(b) = result {
            report.first_break = Some(b);
            break;
        }
    }
    Ok(report)
}

/// Filters for browsing the trail.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Only this chain.
    pub chain: Option<String>,
    /// Only this actor.
    pub actor: Option<String>,
    /// Only actions starting with this text (`user.` for all account events).
    pub action_prefix: Option<String>,
}

/// One page of the trail, newest first.
pub async fn list(db: &Db, filter: &AuditFilter, page: PageRequest) -> Result<Paged<AuditEntry>> {
    let mut b = Builder::default();
    let mut conds = vec!["1 = 1".to_owned()];
    if let Some(c) = &filter.chain {
        conds.push(format!("chain = {}", b.arg(c.as_str())));
    }
    if let Some(a) = &filter.actor {
        conds.push(format!("actor = {}", b.arg(a.as_str())));
    }
    if let Some(p) = &filter.action_prefix {
        conds.push(format!("action LIKE {} ESCAPE '\\'", b.arg(format!("{}%", p.replace(['%', '_', '\\'], "")))));
    }
    let from_where = format!("audit_entry WHERE {}", conds.join(" AND "));
    crate::sql::paged(db, b, COLUMNS, &from_where, "at_ms DESC, chain, seq DESC", page, from_row).await
}

/// How many entries the trail holds (a database with none holds no data worth keeping).
pub async fn count(db: &Db) -> Result<i64> {
    query("SELECT COUNT(*) AS n FROM audit_entry").fetch_one(db.reader()).await?.int("n")
}
