//! SQLite's group commit (`inspectorate_store::writer`): a transaction that ends while others
//! are at work waits for the group's commit, a member rolls back alone, a failed commit is
//! reported to every member, and a transaction of its own commits the group first. Each
//! test holds a reader, as the server's reads do, so that ending transactions wait for
//! company; each runs on one thread, so that the order of the steps is the one written.

use inspectorate_store::sql::query;
use inspectorate_store::testing::TestDb;
use inspectorate_store::{Backend, Db, StoreError};

/// A database with the probe tables, and a reader held as if a read were in progress.
async fn probed() -> (TestDb, inspectorate_store::ReadConn) {
    let t = TestDb::new(Backend::Sqlite).await;
    let mut tx = t.db.begin().await.unwrap();
    for ddl in [
        "CREATE TABLE parent (id INTEGER PRIMARY KEY)",
        "CREATE TABLE child (id INTEGER PRIMARY KEY, \
         parent INTEGER REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED)",
    ] {
        query(ddl).execute(tx.ex()).await.unwrap();
    }
    tx.commit().await.unwrap();
    let held = t.db.read_conn().await.unwrap();
    (t, held)
}

/// The parents a fresh reader sees.
async fn parents(db: &Db) -> Vec<i64> {
    let rows = query("SELECT id FROM parent ORDER BY id").fetch_all(db.reader()).await.unwrap();
    rows.iter().map(|r| r.int("id").unwrap()).collect()
}

async fn insert_parent(tx: &mut inspectorate_store::Tx, id: i64) {
    query("INSERT INTO parent (id) VALUES ($1)").bind(id).execute(tx.ex()).await.unwrap();
}

/// A transaction that inserted parent 1 and ended: its commit, which waits for company, runs in
/// a task that starts when the caller next waits (on one thread: when the caller waits for the
/// writer, which the commit then hands on).
async fn first_ended(db: &Db) -> tokio::task::JoinHandle<Result<(), StoreError>> {
    let mut first = db.begin().await.unwrap();
    insert_parent(&mut first, 1).await;
    tokio::spawn(first.commit())
}

/// The first transaction's commit waits while the second, which began as it ended, runs in
/// the same database transaction: a reader sees neither until the group commits, then both.
#[tokio::test(flavor = "current_thread")]
async fn transactions_that_end_together_commit_together() {
    let (t, _held) = probed().await;
    let first = first_ended(&t.db).await;
    // Queued behind the first; it gets the writer as the first ends.
    let mut second = t.db.begin().await.unwrap();
    insert_parent(&mut second, 2).await;
    assert_eq!(parents(&t.db).await, Vec::<i64>::new(), "the first waits for its group's commit");
    second.commit().await.unwrap();
    first.await.unwrap().unwrap();
    assert_eq!(parents(&t.db).await, [1, 2]);
}

/// A member that does not commit rolls back to its savepoint: the group's other work stays
/// and commits.
#[tokio::test(flavor = "current_thread")]
async fn a_member_rolls_back_alone() {
    let (t, _held) = probed().await;
    let first = first_ended(&t.db).await;
    let mut second = t.db.begin().await.unwrap();
    insert_parent(&mut second, 2).await;
    // A statement fails half-way (a duplicate key), and the transaction is dropped.
    let duplicate = query("INSERT INTO parent (id) VALUES (1)").execute(second.ex()).await;
    assert!(matches!(duplicate, Err(StoreError::Duplicate(_))), "{duplicate:?}");
    drop(second);
    first.await.unwrap().unwrap();
    assert_eq!(parents(&t.db).await, [1]);
    // The writer goes on.
    let mut third = t.db.begin().await.unwrap();
    insert_parent(&mut third, 3).await;
    third.commit().await.unwrap();
    assert_eq!(parents(&t.db).await, [1, 3]);
}

/// When the group's commit fails (here a deferred foreign key that one member broke, checked
/// only at the commit), every member is told: none is reported written, and nothing is.
#[tokio::test(flavor = "current_thread")]
async fn a_failed_group_commit_fails_every_member() {
    let (t, _held) = probed().await;
    let first = first_ended(&t.db).await;
    let mut second = t.db.begin().await.unwrap();
    query("INSERT INTO child (id, parent) VALUES (10, 99)").execute(second.ex()).await.unwrap();
    let second = second.commit().await;
    let first = first.await.unwrap();
    for outcome in [first, second] {
        assert!(matches!(&outcome, Err(StoreError::CommitFailed(why)) if why.contains("FOREIGN KEY")), "{outcome:?}");
    }
    assert_eq!(parents(&t.db).await, Vec::<i64>::new());
    let children = query("SELECT COUNT(*) AS n FROM child").fetch_one(t.db.reader()).await.unwrap();
    assert_eq!(children.int("n").unwrap(), 0);
}

/// A transaction of its own (a bulk write) commits the waiting group before it begins: the
/// group's work is visible while it runs, and its members have their answer.
#[tokio::test(flavor = "current_thread")]
async fn a_transaction_of_its_own_commits_the_group_first() {
    let (t, _held) = probed().await;
    let first = first_ended(&t.db).await;
    let mut alone = t.db.begin_alone().await.unwrap();
    assert_eq!(parents(&t.db).await, [1], "committed before the transaction of its own began");
    insert_parent(&mut alone, 2).await;
    first.await.unwrap().unwrap();
    alone.commit().await.unwrap();
    assert_eq!(parents(&t.db).await, [1, 2]);
}

/// With nothing else at work, a transaction commits at once: its commit is done the first
/// time it is polled, without waiting for a group to form.
#[tokio::test(flavor = "current_thread")]
async fn a_lone_transaction_commits_at_once() {
    let t = TestDb::new(Backend::Sqlite).await;
    let mut tx = t.db.begin().await.unwrap();
    query("CREATE TABLE parent (id INTEGER PRIMARY KEY)").execute(tx.ex()).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = t.db.begin().await.unwrap();
    insert_parent(&mut tx, 7).await;
    // A timeout of zero polls the commit once before it gives up.
    let once = tokio::time::timeout(std::time::Duration::ZERO, tx.commit()).await;
    assert!(matches!(once, Ok(Ok(()))), "{once:?}");
    assert_eq!(parents(&t.db).await, [7]);
}
