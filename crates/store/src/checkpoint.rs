//! SQLite's WAL checkpoints, run on a connection of their own.
//!
//! Left to itself, SQLite checkpoints inside the commit that takes the WAL past 1,000 pages:
//! that commit copies the WAL back into the database file and syncs it while the single
//! writer is held, so every other write waits, and a bulk import pays for copying everything
//! it wrote before its commit returns (measured: 6 % of a 1,000,000-row import). The database
//! is opened with automatic checkpoints off, and this task checkpoints every
//! [`INTERVAL`] instead, in `PASSIVE` mode: it copies what no reader still needs and never
//! waits for the writer or a reader. SQLite's own last-connection checkpoint at close still
//! applies.
//!
//! Under a steady stream of reads and writes a passive checkpoint never catches up with the
//! end of the WAL (commits go on while it copies, and a reader is always on an older
//! snapshot), and SQLite starts the WAL over only once all of it has been copied: the file
//! grew by 50 MB a second under the HTTP benchmark, 600 MB in 12 s, every commit appending to
//! new blocks of a growing file. So once the WAL holds more than [`RESTART_FRAMES`], the task
//! takes the writer (writes queue for it asleep, as for any transaction) and checkpoints in
//! `RESTART` mode: it copies everything, waits briefly for readers on older snapshots, and the
//! next commit writes the WAL from its start again. Readers go on meanwhile. If a long read
//! (an export) keeps it waiting past [`RESTART_WAIT`], it gives up until the next round rather
//! than hold the writes.

use crate::Result;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{ConnectOptions, Connection};
use std::sync::Mutex;
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// How often the WAL is checkpointed.
pub const INTERVAL: Duration = Duration::from_millis(500);

/// WAL frames (pages written) past which the WAL is started over: 64 MiB of 4 KiB pages, the
/// size the WAL file is cut back to after a restart (`journal_size_limit`).
pub const RESTART_FRAMES: i64 = 16_384;

/// How long a restart waits for readers on older snapshots while it holds the writer.
pub const RESTART_WAIT: Duration = Duration::from_millis(100);

/// The writer, which a restarting checkpoint holds.
type WriterLock = std::sync::Arc<crate::writer::Writer>;

/// The checkpointing task of one database; it stops when [`Checkpointer::stop`] is called or
/// when the last handle to it is dropped.
pub struct Checkpointer {
    stop: watch::Sender<bool>,
    task: Mutex<Option<JoinHandle<()>>>,
}

impl std::fmt::Debug for Checkpointer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Checkpointer").field("running", &!*self.stop.borrow()).finish()
    }
}

impl Checkpointer {
    /// Opens the checkpointing connection with `opts` and starts the task, which takes
    /// `writer` for a restart.
    pub(crate) async fn start(opts: &SqliteConnectOptions, writer: WriterLock) -> Result<Self> {
        let mut conn = opts.connect().await?;
        let wait = format!("PRAGMA busy_timeout = {}", RESTART_WAIT.as_millis());
        sqlx::query(sqlx::AssertSqlSafe(wait)).execute(&mut conn).await?;
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(run(conn, writer, stopped));
        Ok(Checkpointer { stop, task: Mutex::new(Some(task)) })
    }

    /// Stops the task and closes its connection (before a restore replaces the file, or when
    /// the database closes).
    pub async fn stop(&self) {
        let _ = self.stop.send(true);
        let task = self.task.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take();
        if let Some(task) = task {
            let _ = task.await;
        }
    }
}

async fn run(mut conn: SqliteConnection, writer: WriterLock, mut stopped: watch::Receiver<bool>) {
    loop {
        tokio::select! {
            () = tokio::time::sleep(INTERVAL) => {}
            // Told to stop, or every handle dropped.
            _ = stopped.changed() => break,
        }
        // A group whose members all stopped waiting (their requests were cancelled) would
        // otherwise stay open, unseen by readers, until the next write.
        writer.commit_idle_group();
        match checkpoint(&mut conn, "PASSIVE").await {
            Ok(frames) if frames > RESTART_FRAMES => {
                let Ok(mut writes_wait) = writer.lock(crate::writer::WRITER_WAIT).await else { continue };
                // What the group holds is committed first: the restart copies it too.
                if let Err(e) = writes_wait.commit_group() {
                    tracing::warn!(error = %e, "group commit failed");
                }
                if let Err(e) = checkpoint(&mut conn, "RESTART").await {
                    tracing::warn!(error = %e, "WAL restart failed");
                }
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "WAL checkpoint failed"),
        }
    }
    let _ = conn.close().await;
}

/// Checkpoints in `mode`; returns the frames in the WAL (SQLite's `log` column).
async fn checkpoint(conn: &mut SqliteConnection, mode: &str) -> std::result::Result<i64, sqlx::Error> {
    use sqlx::Row;
    let row = sqlx::query(sqlx::AssertSqlSafe(format!("PRAGMA wal_checkpoint({mode})"))).fetch_one(conn).await?;
    row.try_get::<i64, _>(1)
}
