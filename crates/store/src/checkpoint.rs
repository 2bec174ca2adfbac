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

use crate::Result;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{ConnectOptions, Connection};
use std::sync::Mutex;
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// How often the WAL is checkpointed.
pub const INTERVAL: Duration = Duration::from_millis(500);

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
    /// Opens the checkpointing connection with `opts` and starts the task.
    pub async fn start(opts: &SqliteConnectOptions) -> Result<Self> {
        let conn = opts.connect().await?;
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(run(conn, stopped));
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

async fn run(mut conn: SqliteConnection, mut stopped: watch::Receiver<bool>) {
    loop {
        tokio::select! {
            () = tokio::time::sleep(INTERVAL) => {}
            // Told to stop, or every handle dropped.
            _ = stopped.changed() => break,
        }
        if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)").execute(&mut conn).await {
            tracing::warn!(error = %e, "WAL checkpoint failed");
        }
    }
    let _ = conn.close().await;
}
