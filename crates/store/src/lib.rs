//! Storage for Inspectorate: the only crate that talks SQL.
//!
//! Two backends behind one type: SQLite (the embedded default: WAL, busy timeout, foreign
//! keys on every connection, a single writer connection so writes never fight for the lock)
//! and PostgreSQL (production). Queries are written once in the SQL both understand (see
//! [`sql`]); each backend has its own migrations folder with the same numbered files.
//!
//! Writes happen in a [`Tx`]; every write that changes business state appends its audit
//! entry in the same transaction ([`audit::append`]), so a failed audit write rolls the
//! change back.

pub mod accident;
pub mod audit;
pub mod backup;
pub mod campaign;
pub mod checkpoint;
pub mod covert;
pub mod cross;
pub mod enterprise;
pub mod evaluation;
pub mod evidence;
pub mod figures;
pub mod guidance;
pub mod hazard;
pub mod inspection;
pub mod officer;
pub mod penalty;
pub mod plan;
pub mod reference;
pub mod reveal;
pub mod scope;
pub mod sql;
mod sqlite_bulk;
mod sqlite_c;
pub mod sqlite_conn;
mod tally;
#[cfg(feature = "testing")]
pub mod testing;
pub mod user;
pub mod writer;

pub use domain;
use sql::Ex;
use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sqlx::{ConnectOptions, Connection, Postgres, Transaction};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

/// What can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The record does not exist (or is outside the caller's scope: the same thing to them).
    #[error("not found")]
    NotFound,
    /// The record changed since the caller read it (optimistic concurrency).
    #[error("the record was changed by someone else (your version {expected}, now {actual})")]
    Conflict {
        /// The version the caller based the change on.
        expected: i64,
        /// The version now stored.
        actual: i64,
    },
    /// A uniqueness rule was broken; names the constraint.
    #[error("duplicate value for {0}")]
    Duplicate(String),
    /// The database URL is not one we understand.
    #[error("unsupported database URL '{0}': use sqlite://PATH or postgres://…")]
    BadUrl(String),
    /// Stored data does not decode into a domain value (a bug or tampering).
    #[error("stored data is invalid: {0}")]
    Corrupt(String),
    /// A migration failed.
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// Any other database error.
    #[error("database error: {0}")]
    Backend(sqlx::Error),
    /// The transaction ended but its commit, shared with others (SQLite's group commit,
    /// [`writer`]), failed: nothing of it was written.
    #[error("the commit failed, nothing was written: {0}")]
    CommitFailed(String),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::RowNotFound => Self::NotFound,
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                Self::Duplicate(db.constraint().unwrap_or("unique").to_owned())
            }
            _ => Self::Backend(e),
        }
    }
}

/// Result with [`StoreError`].
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Which database a [`Db`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// Embedded SQLite.
    Sqlite,
    /// PostgreSQL.
    Postgres,
}

/// A connected database.
#[derive(Debug, Clone)]
pub enum Db {
    /// SQLite: a pool of readers and a single writer connection.
    Sqlite {
        /// Read-only work.
        read: Arc<sqlite_conn::Readers>,
        /// The one connection that writes, lent to one transaction at a time.
        write: Arc<writer::Writer>,
        /// The task that checkpoints the WAL.
        checkpoints: Arc<checkpoint::Checkpointer>,
        /// The database file.
        path: std::path::PathBuf,
    },
    /// PostgreSQL.
    Postgres {
        /// The pool.
        pool: PgPool,
        /// The URL it was opened with (for pg_dump).
        url: String,
    },
}

static SQLITE_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// The migrations of each backend, as (version, description) pairs, for the parity test.
pub fn migration_list(backend: Backend) -> Vec<(i64, String)> {
    let m = match backend {
        Backend::Sqlite => &SQLITE_MIGRATOR,
        Backend::Postgres => &POSTGRES_MIGRATOR,
    };
    m.iter().map(|m| (m.version, m.description.to_string())).collect()
}

impl Db {
    /// Opens (creating if needed) the database at `url` and brings its schema up to date.
    pub async fn connect(url: &str) -> Result<Self> {
        let db = if let Some(path) = url.strip_prefix("sqlite://") {
            let opts = SqliteConnectOptions::from_str(&format!("sqlite://{path}"))?
                .create_if_missing(true)
                // Pages stay at SQLite's 4 KiB: 16 KiB pages made a 1,000,000-row import 10-14 %
                // faster but doubled the median of the HTTP mix's writes, each commit then
                // copying four times the bytes into the WAL (docs/benchmarks.md).
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true)
                // 64 MiB of page cache per connection (default 2 MiB): bulk imports insert into
                // several indexes in random key order, and a small cache turns that into I/O.
                .pragma("cache_size", "-65536")
                .pragma("temp_store", "memory")
                // Checkpoints run on a connection of their own (`checkpoint`), not inside
                // whichever commit fills the WAL; after one, a WAL that grew past 64 MiB (a
                // bulk import) is cut back.
                .pragma("wal_autocheckpoint", "0")
                .pragma("journal_size_limit", "67108864");
            // The schema is brought up to date through sqlx (its migrator), on a connection
            // closed afterwards. The store's own connections (`sqlite_conn`) then do the work:
            // one writer behind a lock, lent to one transaction at a time, and a pool of readers.
            let mut migrator = opts.connect().await?;
            SQLITE_MIGRATOR.run_direct(None, &mut migrator, false).await?;
            migrator.close().await?;
            let write = sqlite_conn::Conn::open(opts.get_filename(), true)?;
            let read = sqlite_conn::Readers::open(opts.get_filename(), sqlite_readers())?;
            let write = Arc::new(writer::Writer::new(write, Arc::clone(&read)));
            let checkpoints = Arc::new(checkpoint::Checkpointer::start(&opts, Arc::clone(&write)).await?);
            Db::Sqlite { read, write, checkpoints, path: path.into() }
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let opts = PgConnectOptions::from_str(url)?;
            let pool = PgPoolOptions::new().max_connections(16).connect_with(opts).await?;
            POSTGRES_MIGRATOR.run(&pool).await?;
            Db::Postgres { pool, url: url.to_owned() }
        } else {
            return Err(StoreError::BadUrl(url.to_owned()));
        };
        Ok(db)
    }

    /// Which backend this is.
    pub fn backend(&self) -> Backend {
        match self {
            Db::Sqlite { .. } => Backend::Sqlite,
            Db::Postgres { .. } => Backend::Postgres,
        }
    }

    /// Where read-only queries run.
    pub fn reader(&self) -> Ex<'_> {
        match self {
            Db::Sqlite { read, .. } => Ex::SqliteReaders(read),
            Db::Postgres { pool, .. } => Ex::PgPool(pool),
        }
    }

    /// One reader connection held for several reads in a row. Each statement on
    /// [`Db::reader`] takes a connection from the pool and gives it back, and sqlx checks a
    /// returned connection with a ping: for SQLite a round trip to the connection's thread. A
    /// use-case that reads several times in a row saves those round trips with one connection.
    pub async fn read_conn(&self) -> Result<ReadConn> {
        Ok(match self {
            Db::Sqlite { read, .. } => ReadConn::Sqlite(read.acquire().await?),
            Db::Postgres { pool, .. } => ReadConn::Pg(pool.acquire().await?),
        })
    }

    /// Starts a write transaction. On SQLite, under load, it commits together with the
    /// transactions that end about when it does ([`writer`]).
    pub async fn begin(&self) -> Result<Tx> {
        Ok(match self {
            Db::Sqlite { write, .. } => Tx::Sqlite(write.begin().await?),
            Db::Postgres { pool, .. } => Tx::Pg(pool.begin().await?),
        })
    }

    /// Starts a write transaction that commits on its own: for a bulk write (an import),
    /// which on SQLite would otherwise keep the original of every page it changes in memory
    /// until it ends ([`writer`]).
    pub async fn begin_alone(&self) -> Result<Tx> {
        Ok(match self {
            Db::Sqlite { write, .. } => Tx::Sqlite(write.begin_alone().await?),
            Db::Postgres { pool, .. } => Tx::Pg(pool.begin().await?),
        })
    }

    /// Closes every connection (before a restore, or at the end of a test).
    pub async fn close(&self) {
        match self {
            Db::Sqlite { read, write, checkpoints, .. } => {
                checkpoints.stop().await;
                read.close();
                // The last connection to close checkpoints the WAL into the database file.
                write.close().await;
            }
            Db::Postgres { pool, .. } => pool.close().await,
        }
    }

    /// Checks the database answers (for `/healthz`).
    pub async fn ping(&self) -> Result<()> {
        sql::query("SELECT 1 AS one").fetch_one(self.reader()).await.map(|_| ())
    }
}

/// How many reader connections SQLite gets: one per core plus one. Each reader runs on a
/// thread of its own; with more readers than cores, reads crowd out the single writer under
/// load (measured with `bench http` on two cores: four readers gave writes a p50 of 39 ms
/// against 16 ms with three, and the whole mix a p99 over 50 ms), while one spare reader keeps
/// a long read (an export, a province dashboard) from holding up every other page.
fn sqlite_readers() -> usize {
    let cores = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
    cores.saturating_add(1).max(3)
}

/// A reader connection taken from the pool (see [`Db::read_conn`]); it goes back when dropped.
pub enum ReadConn {
    /// SQLite (a read-only connection).
    Sqlite(sqlite_conn::Reader),
    /// PostgreSQL.
    Pg(PoolConnection<Postgres>),
}

impl ReadConn {
    /// Where queries on this connection run.
    pub fn ex(&mut self) -> Ex<'_> {
        match self {
            ReadConn::Sqlite(c) => Ex::SqliteConn(c.conn()),
            ReadConn::Pg(c) => Ex::PgConn(c),
        }
    }
}

/// A write transaction on either backend. Dropped without [`Tx::commit`], it rolls back.
pub enum Tx {
    /// SQLite.
    Sqlite(writer::SqliteTx),
    /// PostgreSQL.
    Pg(Transaction<'static, Postgres>),
}

impl Tx {
    /// Which backend this transaction runs on.
    pub fn backend(&self) -> Backend {
        match self {
            Tx::Sqlite(_) => Backend::Sqlite,
            Tx::Pg(_) => Backend::Postgres,
        }
    }

    /// Where queries in this transaction run.
    pub fn ex(&mut self) -> Ex<'_> {
        match self {
            Tx::Sqlite(t) => Ex::SqliteConn(t.conn()),
            Tx::Pg(t) => Ex::PgConn(t),
        }
    }

    /// Commits.
    pub async fn commit(self) -> Result<()> {
        match self {
            Tx::Sqlite(t) => t.commit().await?,
            Tx::Pg(t) => t.commit().await?,
        }
        Ok(())
    }
}

/// A new application-generated id: UUIDv7, time-ordered so inserts stay local in indexes.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}
