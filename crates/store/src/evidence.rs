//! Evidence metadata and which hazards a file is attached to. The bytes themselves are kept
//! by the application in a content-addressed directory; the database knows their SM3.

use crate::scope::scope_clause;
use crate::sql::{Builder, query};
use crate::{Db, Result, Tx};
use domain::access::Scope;

/// Stored facts about an evidence file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Evidence {
    /// SM3 of the content (hex): its name.
    pub sm3: String,
    /// MIME type, from the content.
    pub content_type: String,
    /// Size.
    pub size_bytes: i64,
}

/// Records an uploaded file for a region (once: a re-upload of the same file is the same row).
pub async fn record(tx: &mut Tx, region: &str, e: &Evidence, file_name: &str, by: &str, now_ms: i64) -> Result<()> {
    query(
        "INSERT INTO evidence (region_code, sm3, content_type, size_bytes, file_name, uploaded_by, uploaded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (region_code, sm3) DO NOTHING",
    )
    .bind(region)
    .bind(e.sm3.as_str())
    .bind(e.content_type.as_str())
    .bind(e.size_bytes)
    .bind(file_name)
    .bind(by)
    .bind(now_ms)
    .execute(tx.ex())
    .await?;
    Ok(())
}

/// Whether a file with this SM3 was uploaded (in any region).
pub async fn known(tx: &mut Tx, sm3: &str) -> Result<bool> {
    Ok(query("SELECT COUNT(*) AS n FROM evidence WHERE sm3 = $1").bind(sm3).fetch_one(tx.ex()).await?.int("n")? > 0)
}

/// Attaches files to a hazard.
pub async fn attach(tx: &mut Tx, region: &str, hazard_id: &str, sm3s: &[String], now_ms: i64) -> Result<()> {
    for sm3 in sm3s {
        query(
            "INSERT INTO hazard_evidence (region_code, hazard_id, sm3, attached_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (region_code, hazard_id, sm3) DO NOTHING",
        )
        .bind(region)
        .bind(hazard_id)
        .bind(sm3.as_str())
        .bind(now_ms)
        .execute(tx.ex())
        .await?;
    }
    Ok(())
}

/// An uploaded file's description by its hash (callers check access themselves).
pub async fn by_sm3(db: &Db, sm3: &str) -> Result<Option<Evidence>> {
    let row = query("SELECT sm3, content_type, size_bytes FROM evidence WHERE sm3 = $1")
        .bind(sm3)
        .fetch_optional(db.reader())
        .await?;
    row.map(|r| {
        Ok(Evidence { sm3: r.text("sm3")?, content_type: r.text("content_type")?, size_bytes: r.int("size_bytes")? })
    })
    .transpose()
}

/// A file the caller may see: one attached to a hazard in their scope (or uploaded by them
/// and not yet attached). `None` otherwise — the same answer as for an unknown file.
pub async fn visible(db: &Db, scope: &Scope, username: &str, sm3: &str) -> Result<Option<Evidence>> {
    let mut b = Builder::default();
    let scoped = scope_clause(&mut b, scope, "h.region_code", Some("h.enterprise_id"));
    let (s1, who) = (b.arg(sm3), b.arg(username));
    let sql = format!(
        "SELECT e.sm3, e.content_type, e.size_bytes FROM evidence e WHERE e.sm3 = {s1} AND (
           e.uploaded_by = {who} OR EXISTS (SELECT 1 FROM hazard_evidence he JOIN hazard h
             ON h.region_code = he.region_code AND h.id = he.hazard_id WHERE he.sm3 = e.sm3 AND {scoped}))"
    );
    let row = b.build(sql).fetch_all(db.reader()).await?;
    row.first()
        .map(|r| {
            Ok(Evidence {
                sm3: r.text("sm3")?,
                content_type: r.text("content_type")?,
                size_bytes: r.int("size_bytes")?,
            })
        })
        .transpose()
}
