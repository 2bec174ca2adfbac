//! The audit trail is append-only in the database, and tampering by someone who bypasses
//! that (a database superuser dropping the guard) is detected and located.

use inspectorate_store::domain::audit::{AuditEvent, ChainBreak};
use inspectorate_store::sql::query;
use inspectorate_store::testing::TestDb;
use inspectorate_store::{Backend, Db, audit};

/// An audit event numbered `n` (shared with the transaction tests).
pub(crate) fn event(n: usize) -> AuditEvent {
    AuditEvent {
        actor: format!("user{n}"),
        role: "county_office".into(),
        action: "enterprise.import".into(),
        object_type: "register".into(),
        object_id: format!("file{n}.csv"),
        result: "ok".into(),
        request_id: "r".into(),
        detail: "{}".into(),
    }
}

async fn write_chain(db: &Db, chain: &str, n: usize) {
    for i in 1..=n {
        let mut tx = db.begin().await.unwrap();
        audit::append(&mut tx, chain, 1_700_000_000_000 + i as i64, event(i)).await.unwrap();
        tx.commit().await.unwrap();
    }
}

/// Drops the database's guard, as an attacker with superuser rights could.
async fn drop_guard(db: &Db) {
    let mut tx = db.begin().await.unwrap();
    match db.backend() {
        Backend::Sqlite => {
            query("DROP TRIGGER audit_entry_no_update").execute(tx.ex()).await.unwrap();
            query("DROP TRIGGER audit_entry_no_delete").execute(tx.ex()).await.unwrap();
        }
        Backend::Postgres => {
            query("DROP TRIGGER audit_entry_no_change ON audit_entry").execute(tx.ex()).await.unwrap();
        }
    }
    tx.commit().await.unwrap();
}

async fn exec(db: &Db, sql: &'static str) -> Result<u64, inspectorate_store::StoreError> {
    let mut tx = db.begin().await?;
    let n = query(sql).execute(tx.ex()).await?;
    tx.commit().await?;
    Ok(n)
}

async fn the_database_refuses_to_update_or_delete_audit_entries(backend: Backend) {
    let t = TestDb::new(backend).await;
    write_chain(&t.db, "341522", 3).await;
    assert!(exec(&t.db, "UPDATE audit_entry SET actor = 'x' WHERE seq = 2").await.is_err());
    assert!(exec(&t.db, "DELETE FROM audit_entry WHERE seq = 2").await.is_err());
    let report = audit::verify(&t.db).await.unwrap();
    assert_eq!((report.chains, report.entries, report.first_break), (1, 3, None));
}

async fn an_edited_entry_is_found(backend: Backend) {
    let t = TestDb::new(backend).await;
    write_chain(&t.db, "341522", 4).await;
    write_chain(&t.db, "341524", 2).await;
    drop_guard(&t.db).await;
    exec(&t.db, "UPDATE audit_entry SET result = 'denied' WHERE chain = '341522' AND seq = 3").await.unwrap();
    let report = audit::verify(&t.db).await.unwrap();
    assert_eq!(report.first_break, Some(ChainBreak::Edited { chain: "341522".into(), seq: 3 }));
}

async fn a_deleted_entry_is_found(backend: Backend) {
    let t = TestDb::new(backend).await;
    write_chain(&t.db, "341522", 4).await;
    drop_guard(&t.db).await;
    exec(&t.db, "DELETE FROM audit_entry WHERE chain = '341522' AND seq = 2").await.unwrap();
    let report = audit::verify(&t.db).await.unwrap();
    assert_eq!(report.first_break, Some(ChainBreak::Missing { chain: "341522".into(), seq: 3, expected: 2 }));
}

async fn a_deleted_last_entry_is_found(backend: Backend) {
    let t = TestDb::new(backend).await;
    write_chain(&t.db, "341522", 4).await;
    drop_guard(&t.db).await;
    exec(&t.db, "DELETE FROM audit_entry WHERE chain = '341522' AND seq = 4").await.unwrap();
    let report = audit::verify(&t.db).await.unwrap();
    assert_eq!(report.first_break, Some(ChainBreak::Truncated { chain: "341522".into(), last: 3, head: 4 }));
}

async fn reordered_entries_are_found(backend: Backend) {
    let t = TestDb::new(backend).await;
    write_chain(&t.db, "341522", 4).await;
    drop_guard(&t.db).await;
    // Swap entries 2 and 3 by renumbering them through a free number.
    exec(&t.db, "UPDATE audit_entry SET seq = 100 WHERE chain = '341522' AND seq = 2").await.unwrap();
    exec(&t.db, "UPDATE audit_entry SET seq = 2 WHERE chain = '341522' AND seq = 3").await.unwrap();
    exec(&t.db, "UPDATE audit_entry SET seq = 3 WHERE chain = '341522' AND seq = 100").await.unwrap();
    let report = audit::verify(&t.db).await.unwrap();
    assert_eq!(report.first_break, Some(ChainBreak::Edited { chain: "341522".into(), seq: 2 }));
}

/// Many writers at once take turns (the SQLite writer's lock, the chain head's row lock in
/// PostgreSQL); each also gives up one transaction half-way, which takes no number.
async fn concurrent_appends_to_one_chain_stay_linked(backend: Backend) {
    let t = TestDb::new(backend).await;
    let mut tasks = Vec::new();
    for i in 0..8 {
        let db = t.db.clone();
        tasks.push(tokio::spawn(async move {
            for j in 0..6 {
                let mut tx = db.begin().await.unwrap();
                audit::append(&mut tx, "341500", 1_700_000_000_000, event(i * 10 + j)).await.unwrap();
                if j == 2 {
                    drop(tx); // given up: rolled back
                } else {
                    tx.commit().await.unwrap();
                }
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    assert_eq!(audit::count(&t.db).await.unwrap(), 40);
    let report = audit::verify(&t.db).await.unwrap();
    assert_eq!((report.entries, report.first_break), (40, None));
}

crate::on_both_backends!(
    the_database_refuses_to_update_or_delete_audit_entries,
    an_edited_entry_is_found,
    a_deleted_entry_is_found,
    a_deleted_last_entry_is_found,
    reordered_entries_are_found,
    concurrent_appends_to_one_chain_stay_linked,
);
