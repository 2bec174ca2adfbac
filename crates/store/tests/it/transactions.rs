//! Write transactions: one left unfinished rolls back and leaves the writer usable, and the
//! audit chain's head follows each new entry (the trigger of migration 0020). Many at once:
//! `audit_chain::concurrent_appends_to_one_chain_stay_linked`.

use crate::audit_chain::event;
use inspectorate_store::sql::query;
use inspectorate_store::testing::TestDb;
use inspectorate_store::{Backend, audit};

async fn an_unfinished_transaction_rolls_back(backend: Backend) {
    let t = TestDb::new(backend).await;
    let db = &t.db;
    for _ in 0..3 {
        let mut tx = db.begin().await.unwrap();
        audit::append(&mut tx, "341500", 1, event(1)).await.unwrap();
        drop(tx);
    }
    // Also an error half-way: the statement fails, the transaction is dropped.
    let mut tx = db.begin().await.unwrap();
    audit::append(&mut tx, "341500", 1, event(1)).await.unwrap();
    assert!(query("INSERT INTO no_such_table VALUES (1)").execute(tx.ex()).await.is_err());
    drop(tx);

    let mut tx = db.begin().await.unwrap();
    let first = audit::append(&mut tx, "341500", 2, event(2)).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(first.seq, 1, "the dropped transactions left no entry and took no number");
    assert_eq!(audit::count(db).await.unwrap(), 1);
    assert!(audit::verify(db).await.unwrap().first_break.is_none());
}

async fn the_chain_head_follows_its_newest_entry(backend: Backend) {
    let t = TestDb::new(backend).await;
    let db = &t.db;
    let mut last = None;
    for i in 0..3 {
        let mut tx = db.begin().await.unwrap();
        last = Some(audit::append(&mut tx, "341522", i, event(2)).await.unwrap());
        tx.commit().await.unwrap();
    }
    let head = query("SELECT seq, hash FROM audit_chain_head WHERE chain = $1")
        .bind("341522")
        .fetch_one(db.reader())
        .await
        .unwrap();
    let last = last.unwrap();
    assert_eq!(head.int("seq").unwrap(), 3);
    assert_eq!(head.text("hash").unwrap(), hex::encode(last.hash));
    assert!(audit::verify(db).await.unwrap().first_break.is_none());
}

crate::on_both_backends!(an_unfinished_transaction_rolls_back, the_chain_head_follows_its_newest_entry);

/// SQLite's automatic checkpoints are off (a commit never copies the WAL back itself); what
/// a commit leaves in the WAL still reaches the database file while the database stays open,
/// through the checkpointing task, and closing the database stops that task.
#[tokio::test]
async fn sqlite_checkpoints_the_wal_in_the_background() {
    use inspectorate_store::checkpoint::INTERVAL;
    use std::time::{Duration, Instant};
    let t = TestDb::new(Backend::Sqlite).await;
    let path = t.url.strip_prefix("sqlite://").expect("a SQLite URL").to_owned();
    let size = || std::fs::metadata(&path).expect("the database file").len();
    tokio::time::sleep(INTERVAL * 3).await; // the migrations' pages settle first
    let before = size();
    let mut tx = t.db.begin().await.unwrap();
    for i in 0..400 {
        audit::append(&mut tx, "341500", i, event(i as usize)).await.unwrap();
    }
    tx.commit().await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while size() == before {
        assert!(Instant::now() < deadline, "the new pages never reached the database file");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(size() > before);
    t.db.close().await;
    let wal = std::path::PathBuf::from(format!("{path}-wal"));
    assert!(!wal.exists() || std::fs::metadata(&wal).unwrap().len() == 0, "closing checkpointed and removed the WAL");
}

/// Under a steady stream of commits, with readers at work, the WAL is started over instead of
/// growing with everything written: 192 MB are committed in 128 KB transactions over a few
/// seconds (about the rate of the HTTP benchmark), and the WAL file never grows to twice its
/// 64 MiB restart size. A passive checkpoint alone never catches up with the end of the WAL
/// while commits go on, and SQLite starts a WAL over only once all of it is copied.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_starts_the_wal_over_under_steady_writes() {
    use inspectorate_store::sql::dynamic_query;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    let t = TestDb::new(Backend::Sqlite).await;
    let wal = format!("{}-wal", t.url.strip_prefix("sqlite://").expect("a SQLite URL"));
    let wal_size = || std::fs::metadata(&wal).map_or(0, |m| m.len());
    let mut tx = t.db.begin().await.unwrap();
    query("CREATE TABLE scratch (b BLOB NOT NULL)").execute(tx.ex()).await.unwrap();
    tx.commit().await.unwrap();
    let done = Arc::new(AtomicBool::new(false));
    let readers: Vec<_> = (0..2)
        .map(|_| {
            let (db, done) = (t.db.clone(), Arc::clone(&done));
            tokio::spawn(async move {
                let mut reads = 0;
                while !done.load(Ordering::Relaxed) {
                    query("SELECT COUNT(*) AS n FROM scratch").fetch_one(db.reader()).await.unwrap();
                    reads += 1;
                    tokio::task::yield_now().await;
                }
                reads
            })
        })
        .collect();
    let mut largest = 0;
    for _ in 0..1536 {
        let mut tx = t.db.begin().await.unwrap();
        dynamic_query("INSERT INTO scratch (b) VALUES (randomblob(131072))".into()).execute(tx.ex()).await.unwrap();
        tx.commit().await.unwrap();
        largest = largest.max(wal_size());
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    }
    done.store(true, Ordering::Relaxed);
    for r in readers {
        assert!(r.await.unwrap() > 0, "the readers read meanwhile");
    }
    let limit = 2 * 64 * 1024 * 1024;
    assert!(largest < limit, "the WAL grew to {largest} bytes (limit {limit})");
    assert!(largest > 16 * 1024 * 1024, "the WAL held the writes before they were copied: {largest}");
    t.db.close().await;
}

/// While another process holds SQLite's write lock, a transaction waits for it asleep: on a
/// runtime with a single thread, the task that releases the lock still runs meanwhile (a wait
/// inside SQLite would hold that thread until the busy timeout and then fail).
#[tokio::test(flavor = "current_thread")]
async fn sqlite_waits_for_another_writer_without_holding_the_thread() {
    use sqlx::Connection;
    use std::time::{Duration, Instant};
    let t = TestDb::new(Backend::Sqlite).await;
    let mut other = sqlx::SqliteConnection::connect(&t.url).await.unwrap();
    sqlx::query("BEGIN IMMEDIATE").execute(&mut other).await.unwrap();
    let start = Instant::now();
    let release = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        sqlx::query("COMMIT").execute(&mut other).await.unwrap();
        other
    });
    let mut tx = t.db.begin().await.expect("the other writer lets go after 300 ms");
    assert!(start.elapsed() >= Duration::from_millis(250), "it waited for the other writer");
    audit::append(&mut tx, "341500", 1, event(1)).await.unwrap();
    tx.commit().await.unwrap();
    release.await.unwrap().close().await.unwrap();
}
