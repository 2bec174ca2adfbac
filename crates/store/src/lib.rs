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
#[cfg(feature = "testing")]
pub mod testing;
pub mod user;

pub use domain;
use sql::Ex;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Postgres, Sqlite, Transaction};
use std::str::FromStr;
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
        read: SqlitePool,
        /// The one connection that writes.
        write: SqlitePool,
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
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true)
                // 64 MiB of page cache per connection (default 2 MiB): bulk imports insert into
                // several indexes in random key order, and a small cache turns that into I/O.
                .pragma("cache_size", "-65536")
                .pragma("temp_store", "memory");
            let write = SqlitePoolOptions::new().max_connections(1).connect_with(opts.clone()).await?;
            SQLITE_MIGRATOR.run(&write).await?;
            let read = SqlitePoolOptions::new().max_connections(4).connect_with(opts.read_only(true)).await?;
            Db::Sqlite { read, write, path: path.into() }
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
            Db::Sqlite { read, .. } => Ex::SqlitePool(read),
            Db::Postgres { pool, .. } => Ex::PgPool(pool),
        }
    }

    /// Starts a write transaction.
    pub async fn begin(&self) -> Result<Tx> {
        Ok(match self {
            Db::Sqlite { write, .. } => Tx::Sqlite(write.begin().await?),
            Db::Postgres { pool, .. } => Tx::Pg(pool.begin().await?),
        })
    }

    /// Closes every connection (before a restore, or at the end of a test).
    pub async fn close(&self) {
        match self {
            Db::Sqlite { read, write, .. } => {
                read.close().await;
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

/// A write transaction on either backend. Dropped without [`Tx::commit`], it rolls back.
pub enum Tx {
    /// SQLite.
    Sqlite(Transaction<'static, Sqlite>),
    /// PostgreSQL.
    Pg(Transaction<'static, Postgres>),
}

impl Tx {
    /// Where queries in this transaction run.
    pub fn ex(&mut self) -> Ex<'_> {
        match self {
            Tx::Sqlite(t) => Ex::SqliteTx(t),
            Tx::Pg(t) => Ex::PgTx(t),
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
