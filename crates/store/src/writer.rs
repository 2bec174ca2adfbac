//! The SQLite writer connection, lent to one transaction at a time, and its group commit.
//!
//! In WAL mode every commit costs twice: the writer appends the pages it changed to the WAL,
//! and every reader whose snapshot is older throws its whole page cache away when it next
//! reads, so that it reads every page again from the operating system. Under the HTTP mix a
//! third of the requests commit, and nearly every read started cold (docs/benchmarks.md).
//!
//! So a transaction that ends while others queue for the writer does not commit on its own:
//! it leaves its work in the open transaction and hands the writer on; the transactions that
//! follow carry on inside it, each in a savepoint of its own so that it can still roll back
//! alone, and the last of the group (nobody queued any more, [`MAX_MEMBERS`] ended, or the
//! first of them [`MAX_WAIT`] old) commits for all. Every member waits for that commit before
//! its own [`SqliteTx::commit`] returns, and learns whether it failed: nothing is reported
//! written before it is, and a reader asked afterwards sees it. A member whose group has not
//! committed within [`MAX_WAIT`] takes the writer back and commits the group itself, so a
//! group never waits for a transaction that is slow to begin.
//!
//! A bulk write ([`crate::Db::begin_alone`]) commits the open group first and runs on its own:
//! a savepoint keeps the original of every page it changes in memory until it ends.

use crate::sqlite_conn::{self, Conn, Readers};
use crate::{Result, StoreError};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::sync::{Mutex, OwnedMutexGuard, oneshot};
use tokio::time::Instant;

/// At most this many transactions commit together.
pub const MAX_MEMBERS: usize = 32;

/// How long the first member of a group waits for the group's commit before it commits the
/// group itself; later members join only while the group is younger than this.
pub const MAX_WAIT: Duration = Duration::from_millis(2);

/// How long a transaction waits for the writer before giving up (a long import holds it
/// meanwhile); the same as sqlx's pools wait for a connection.
pub(crate) const WRITER_WAIT: Duration = Duration::from_secs(30);

/// A group member's savepoint: where it begins, how it rolls back alone, how it ends.
const SAVEPOINT: &str = "SAVEPOINT member";
const ROLLBACK_TO_SAVEPOINT: &str = "ROLLBACK TO member";
const RELEASE_SAVEPOINT: &str = "RELEASE member";

/// Why a commit failed when SQLite had rolled the transaction back itself.
const ROLLED_BACK: &str = "SQLite rolled the transaction back after an error";

/// The writer connection and the tasks queued for it.
pub struct Writer {
    /// The connection and the state of its transaction, held by one task at a time.
    slot: Arc<Mutex<Slot>>,
    /// Tasks waiting for the slot.
    queued: AtomicUsize,
    /// The database's readers: while any is at work (or a task waits for the writer), an
    /// ending transaction leaves its work to the group's commit.
    readers: Arc<Readers>,
}

impl std::fmt::Debug for Writer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Writer").field("queued", &self.queued.load(Ordering::Relaxed)).finish()
    }
}

/// The writer connection and what its open transaction holds.
pub struct Slot {
    /// The connection (`None` once the database is closed).
    conn: Option<Conn>,
    /// Ended transactions whose work waits in the open transaction for the group's commit.
    group: Option<Group>,
}

/// How a transaction in progress rolls back.
#[derive(Clone, Copy)]
enum Undo {
    /// It began the database transaction: roll all of it back.
    Rollback,
    /// It joined a group: roll back to its savepoint, keeping the group's work.
    ToSavepoint,
}

/// Transactions that ended and await the group's commit.
struct Group {
    /// When the first of them ended.
    since: Instant,
    /// How many ended.
    members: usize,
    /// Those waiting to hear how the commit went.
    waiting: Vec<oneshot::Sender<Result<(), Arc<str>>>>,
}

impl Writer {
    /// The writer over `conn`, with no transaction open, beside the pool of `readers`.
    pub(crate) fn new(conn: Conn, readers: Arc<Readers>) -> Self {
        let slot = Slot { conn: Some(conn), group: None };
        Writer { slot: Arc::new(Mutex::new(slot)), queued: 0.into(), readers }
    }

    /// Whether a commit now would be soon followed by others: a task waits for the writer, or
    /// a reader (whose page cache every commit empties) is at work.
    fn in_company(&self) -> bool {
        self.queued.load(Ordering::Acquire) > 0 || self.readers.busy()
    }

    /// Waits (counted in [`Writer::queued`]) up to `wait` for the slot.
    pub(crate) async fn lock(&self, wait: Duration) -> Result<OwnedMutexGuard<Slot>> {
        struct Queued<'a>(&'a AtomicUsize);
        impl Drop for Queued<'_> {
            fn drop(&mut self) {
                self.0.fetch_sub(1, Ordering::AcqRel);
            }
        }
        self.queued.fetch_add(1, Ordering::AcqRel);
        let _queued = Queued(&self.queued);
        tokio::time::timeout(wait, Arc::clone(&self.slot).lock_owned())
            .await
            .map_err(|_| StoreError::Backend(sqlx::Error::PoolTimedOut))
    }

    /// Starts a transaction: inside the open group if there is one, else a database
    /// transaction of its own.
    pub(crate) async fn begin(self: &Arc<Self>) -> Result<SqliteTx> {
        let mut slot = self.lock(WRITER_WAIT).await?;
        let undo = if slot.group.is_some() {
            slot.conn()?.exec(SAVEPOINT)?;
            Undo::ToSavepoint
        } else {
            begin_immediate(slot.conn()?).await?;
            Undo::Rollback
        };
        Ok(SqliteTx { writer: Arc::clone(self), slot: Some(slot), undo })
    }

    /// Starts a transaction of its own, after committing the open group.
    pub(crate) async fn begin_alone(self: &Arc<Self>) -> Result<SqliteTx> {
        let mut slot = self.lock(WRITER_WAIT).await?;
        // The group's members hear of a failure; this transaction starts regardless.
        let _ = slot.commit_group();
        begin_immediate(slot.conn()?).await?;
        Ok(SqliteTx { writer: Arc::clone(self), slot: Some(slot), undo: Undo::Rollback })
    }

    /// Commits the open group now if the writer is free (the checkpointer's backstop for a
    /// group whose members all stopped waiting).
    pub(crate) fn commit_idle_group(&self) {
        if let Ok(mut slot) = self.slot.try_lock()
            && slot.group.is_some()
            && let Err(e) = slot.commit_group()
        {
            tracing::warn!(error = %e, "group commit failed");
        }
    }

    /// Commits the open group and closes the connection.
    pub(crate) async fn close(&self) {
        let mut slot = self.slot.lock().await;
        let _ = slot.commit_group();
        drop(slot.conn.take());
    }
}

/// `BEGIN IMMEDIATE`: it takes the write lock now rather than at the first write, so that a
/// transaction that reads first cannot fail to upgrade when another process (the CLI) has
/// written meanwhile. While that process holds the lock, this waits here, asleep, for up to
/// the busy timeout: the writer's statements run on a runtime worker, which SQLite's own busy
/// wait would hold.
async fn begin_immediate(conn: &mut Conn) -> Result<()> {
    let deadline = Instant::now() + sqlite_conn::BUSY_TIMEOUT;
    loop {
        match conn.exec("BEGIN IMMEDIATE") {
            Err(e) if crate::sqlite_c::is_busy(&e) && Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            begun => return begun,
        }
    }
}

impl Slot {
    /// The connection, unless the database was closed.
    pub(crate) fn conn(&mut self) -> Result<&mut Conn> {
        self.conn.as_mut().ok_or(StoreError::Backend(sqlx::Error::PoolClosed))
    }

    /// Rolls back a transaction that did not end, as `undo` says; if that fails, the group's
    /// work goes with it.
    fn undo(&mut self, undo: Undo) {
        let Ok(conn) = self.conn() else { return };
        let undone = match undo {
            Undo::Rollback => conn.exec("ROLLBACK"),
            Undo::ToSavepoint => conn.exec(ROLLBACK_TO_SAVEPOINT).and_then(|()| conn.exec(RELEASE_SAVEPOINT)),
        };
        if let Err(e) = undone {
            self.fail_group(&e.to_string());
        }
    }

    /// Commits the open group, if any, and tells its waiting members how it went.
    pub(crate) fn commit_group(&mut self) -> Result<()> {
        let Some(group) = self.group.take() else { return Ok(()) };
        let conn = self.conn()?;
        // SQLite rolls a whole transaction back after some errors: the group's work is lost.
        let committed =
            if conn.in_transaction() { conn.exec("COMMIT") } else { Err(StoreError::CommitFailed(ROLLED_BACK.into())) };
        if committed.is_err() && conn.in_transaction() {
            let _ = conn.exec("ROLLBACK");
        }
        let told = committed.as_ref().map(|_| ()).map_err(|e| Arc::<str>::from(e.to_string()));
        for member in group.waiting {
            let _ = member.send(told.clone());
        }
        committed
    }

    /// Rolls back the open transaction, the group's work with it, and tells the group why.
    fn fail_group(&mut self, why: &str) {
        if let Ok(conn) = self.conn()
            && conn.in_transaction()
        {
            let _ = conn.exec("ROLLBACK");
        }
        if let Some(group) = self.group.take() {
            for member in group.waiting {
                let _ = member.send(Err(why.into()));
            }
        }
    }
}

/// A transaction on the SQLite writer connection, which it holds until it ends. Dropped
/// without [`SqliteTx::commit`], it rolls back.
pub struct SqliteTx {
    writer: Arc<Writer>,
    /// The writer's slot; taken when the transaction ends.
    slot: Option<OwnedMutexGuard<Slot>>,
    /// How it rolls back if dropped before it ends.
    undo: Undo,
}

impl SqliteTx {
    /// The connection the transaction runs on.
    pub(crate) fn conn(&mut self) -> &mut Conn {
        self.slot
            .as_mut()
            .and_then(|s| s.conn.as_mut())
            .expect("the writer was open when the transaction began, and the transaction holds it")
    }

    /// Ends the transaction and returns once its work is committed, alone or with its group.
    pub(crate) async fn commit(mut self) -> Result<()> {
        let mut slot = self.slot.take().expect("a transaction holds the writer until it ends");
        if let Undo::ToSavepoint = self.undo
            && let Err(e) = slot.conn()?.exec(RELEASE_SAVEPOINT)
        {
            slot.fail_group(&e.to_string());
            return Err(e);
        }
        // After some errors (a full disk, an I/O error) SQLite rolls the whole transaction
        // back itself: nothing is left to commit, and no later transaction may join it.
        if !slot.conn()?.in_transaction() {
            slot.fail_group(ROLLED_BACK);
            return Err(StoreError::CommitFailed(ROLLED_BACK.into()));
        }
        let group = slot.group.get_or_insert_with(|| Group { since: Instant::now(), members: 0, waiting: Vec::new() });
        group.members += 1;
        let full = group.members >= MAX_MEMBERS || group.since.elapsed() >= MAX_WAIT;
        if full || !self.writer.in_company() {
            return slot.commit_group();
        }
        let (told, mut heard) = oneshot::channel();
        group.waiting.push(told);
        drop(slot);
        if let Ok(outcome) = tokio::time::timeout(MAX_WAIT, &mut heard).await {
            return heard_of(outcome);
        }
        // Nobody committed the group in time: commit it here, unless that happens meanwhile.
        tokio::select! {
            outcome = &mut heard => heard_of(outcome),
            slot = self.writer.lock(WRITER_WAIT) => match slot {
                // The group's commit (ours or another's) tells every member while it holds
                // the writer, so once this holds it, the outcome is known or still to come.
                Ok(mut slot) => {
                    if heard.is_empty() {
                        let _ = slot.commit_group();
                    }
                    heard_of(heard.try_recv())
                }
                // Whoever holds the writer this long commits the group when done.
                Err(_) => heard_of(heard.await),
            },
        }
    }
}

/// What a member heard of its group's commit, as its own result.
fn heard_of<E>(outcome: std::result::Result<Result<(), Arc<str>>, E>) -> Result<()> {
    match outcome {
        Ok(Ok(())) => Ok(()),
        Ok(Err(why)) => Err(StoreError::CommitFailed(why.to_string())),
        Err(_) => Err(StoreError::CommitFailed("the database closed before the commit".into())),
    }
}

impl Drop for SqliteTx {
    /// Rolls the transaction back if it did not end, and commits the group it leaves if
    /// nobody else will.
    fn drop(&mut self) {
        let Some(mut slot) = self.slot.take() else { return };
        slot.undo(self.undo);
        if slot.group.is_some()
            && !self.writer.in_company()
            && let Err(e) = slot.commit_group()
        {
            tracing::warn!(error = %e, "group commit failed");
        }
    }
}
