//! SQLite's connections (the writer and the pool of readers), owned here and called directly
//! on the thread that asks (see [`crate::sqlite_c`] for why not through sqlx).
//!
//! A statement runs on the caller's thread: under the server, a runtime worker, which a
//! statement of a few milliseconds holds no longer than the hand-offs to a connection thread
//! and back cost (measured with `bench http`, docs/benchmarks.md). A long scan
//! ([`crate::sql::Query::for_each`]: an audit verification, an export) and a bulk insert hand
//! the worker's other tasks over first.
#![allow(unsafe_code)]

use crate::sql::{Row, Value};
use crate::sqlite_c::{Cell, RawError, Statement, check};
use crate::{Result, StoreError};
use libsqlite3_sys as ffi;
use std::collections::HashMap;
use std::ffi::CString;
use std::path::{Path, PathBuf};
use std::ptr::NonNull;
use std::sync::{Arc, Mutex};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// How long a statement waits for a lock another process holds (WAL recovery for a reader,
/// the write lock for a transaction).
pub(crate) const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// Compiled statements kept per connection; past this many (dynamic filters make new texts)
/// the cache starts over.
const CACHED_STATEMENTS: usize = 256;

/// Runs `work`, which blocks for a while (a long scan, a bulk insert), on this thread: on a
/// multi-threaded runtime its worker first hands its other tasks to another thread.
pub(crate) fn blocking<R>(work: impl FnOnce() -> R) -> R {
    match tokio::runtime::Handle::try_current().map(|h| h.runtime_flavor()) {
        Ok(tokio::runtime::RuntimeFlavor::MultiThread) => tokio::task::block_in_place(work),
        _ => work(),
    }
}

/// A connection and the statements compiled on it.
pub struct Conn {
    db: NonNull<ffi::sqlite3>,
    /// Statements by SQL text, with their result column names.
    cache: HashMap<String, (Statement, Arc<[String]>)>,
}

// SAFETY: a `Conn` is used by one thread at a time (it moves between threads only through
// the pool's lock or a `&mut`), which SQLite allows for a connection opened in its
// multi-thread mode; its statements go with it.
unsafe impl Send for Conn {}

impl Conn {
    /// Opens `path` (created and migrated already), read-only or for writing, with the
    /// settings of [`crate::Db::connect`].
    pub(crate) fn open(path: &Path, writer: bool) -> Result<Self> {
        let name = CString::new(path.as_os_str().as_encoded_bytes())
            .map_err(|_| StoreError::BadUrl(path.display().to_string()))?;
        let mut db = std::ptr::null_mut();
        // SAFETY: `name` is a NUL-terminated path; `db` receives a handle that is closed below
        // on failure, else owned by the returned value.
        let rc = unsafe {
            ffi::sqlite3_open_v2(
                name.as_ptr(),
                &raw mut db,
                if writer { ffi::SQLITE_OPEN_READWRITE | ffi::SQLITE_OPEN_CREATE } else { ffi::SQLITE_OPEN_READONLY }
                    | ffi::SQLITE_OPEN_NOMUTEX,
                std::ptr::null(),
            )
        };
        let Some(handle) = NonNull::new(db) else {
            return Err(RawError::new(ffi::SQLITE_NOMEM, "no memory to open the database").into());
        };
        let conn = Self { db: handle, cache: HashMap::new() };
        check(conn.db, rc)?;
        // SAFETY: an open connection.
        unsafe {
            ffi::sqlite3_extended_result_codes(conn.db.as_ptr(), 1);
            // The writer does not wait inside SQLite: `Db::begin` waits for the write lock
            // asleep, and only `BEGIN IMMEDIATE` meets another process's lock in WAL mode.
            let wait = if writer { 0 } else { BUSY_TIMEOUT.as_millis() };
            ffi::sqlite3_busy_timeout(conn.db.as_ptr(), std::ffi::c_int::try_from(wait).unwrap_or(0));
        }
        let mut conn = conn;
        // 64 MiB of page cache (default 2 MiB): bulk imports insert into several indexes in
        // random key order, and a small cache turns that into I/O.
        let common = ["PRAGMA cache_size = -65536", "PRAGMA temp_store = memory", "PRAGMA foreign_keys = ON"];
        let role: &[&str] = if writer {
            // Checkpoints run on a connection of their own (`checkpoint`), not inside whichever
            // commit fills the WAL; after one, a WAL that grew past 64 MiB (a bulk import) is
            // cut back.
            &["PRAGMA synchronous = NORMAL", "PRAGMA wal_autocheckpoint = 0", "PRAGMA journal_size_limit = 67108864"]
        } else {
            // Opened read-only already; no `query_only`, which would refuse the backup's
            // `VACUUM INTO` (it writes another file, not this database).
            &[]
        };
        for pragma in common.iter().chain(role) {
            conn.run(pragma, &[], &mut |_| Ok(true))?;
        }
        Ok(conn)
    }

    /// The connection's handle, for the bulk insert.
    pub(crate) fn handle(&mut self) -> NonNull<ffi::sqlite3> {
        self.db
    }

    /// Runs `sql`, a statement without parameters or rows (`BEGIN`, `COMMIT`, a savepoint).
    pub(crate) fn exec(&mut self, sql: &str) -> Result<()> {
        self.run(sql, &[], &mut |_| Ok(true)).map(|_| ())
    }

    /// Whether a transaction is open on the connection (SQLite ends one itself after some
    /// errors).
    pub(crate) fn in_transaction(&self) -> bool {
        // SAFETY: an open connection.
        unsafe { ffi::sqlite3_get_autocommit(self.db.as_ptr()) == 0 }
    }

    /// Runs `sql` with `args`, giving each result row to `each`; returns the rows changed.
    /// `each` returns whether it wants more rows.
    pub(crate) fn run(&mut self, sql: &str, args: &[Value], each: &mut dyn FnMut(Row) -> Result<bool>) -> Result<u64> {
        let db = self.db;
        if !self.cache.contains_key(sql) {
            if self.cache.len() >= CACHED_STATEMENTS {
                self.cache.clear();
            }
            let statement = Statement::prepare(db, sql)?;
            let names: Arc<[String]> = statement.column_names()?.into();
            self.cache.insert(sql.to_owned(), (statement, names));
        }
        let (statement, names) = &self.cache[sql];
        if statement.parameters() != args.len() {
            return Err(RawError::new(
                ffi::SQLITE_RANGE,
                format!("{} values for {} parameters", args.len(), statement.parameters()),
            )
            .into());
        }
        // Reset however this ends, a panic in `each` included: a statement left mid-run
        // would keep its read snapshot open on a connection that goes back to the pool.
        let _reset = ResetOnDrop(statement);
        statement.bind(db, 1, args)?;
        while statement.step(db)? {
            if !each(Row::Sqlite(RawRow { names: Arc::clone(names), cells: statement.row(names.len())? }))? {
                break;
            }
        }
        // SAFETY: an open connection.
        Ok(u64::try_from(unsafe { ffi::sqlite3_changes64(db.as_ptr()) }).unwrap_or(0))
    }
}

/// Resets a statement when dropped.
struct ResetOnDrop<'s>(&'s Statement);

impl Drop for ResetOnDrop<'_> {
    fn drop(&mut self) {
        self.0.reset();
    }
}

impl Drop for Conn {
    fn drop(&mut self) {
        // Statements first: a connection with statements left does not close.
        self.cache.clear();
        // SAFETY: an open connection with no statements left, closed exactly once.
        unsafe { ffi::sqlite3_close(self.db.as_ptr()) };
    }
}

/// A result row read by this module: its cells, and the column names shared by every row of
/// the statement.
#[derive(Debug, Clone)]
pub struct RawRow {
    names: Arc<[String]>,
    cells: Vec<Cell>,
}

impl RawRow {
    fn cell(&self, col: &str) -> Result<&Cell> {
        self.names
            .iter()
            .position(|n| n == col)
            .and_then(|i| self.cells.get(i))
            .ok_or_else(|| StoreError::Backend(sqlx::Error::ColumnNotFound(col.to_owned())))
    }

    fn mismatch(col: &str, want: &str, cell: &Cell) -> StoreError {
        StoreError::Backend(sqlx::Error::ColumnDecode {
            index: col.to_owned(),
            source: format!("expected {want}, found {cell:?}").into(),
        })
    }

    fn null(col: &str) -> StoreError {
        StoreError::Backend(sqlx::Error::ColumnDecode { index: col.to_owned(), source: "unexpected NULL".into() })
    }

    /// A non-null text column.
    pub(crate) fn text(&self, col: &str) -> Result<String> {
        self.opt_text(col)?.ok_or_else(|| Self::null(col))
    }

    /// A non-null integer column.
    pub(crate) fn int(&self, col: &str) -> Result<i64> {
        self.opt_int(col)?.ok_or_else(|| Self::null(col))
    }

    /// A boolean column (an integer, 0 or not).
    pub(crate) fn bool(&self, col: &str) -> Result<bool> {
        self.int(col).map(|n| n != 0)
    }

    /// A nullable text column.
    pub(crate) fn opt_text(&self, col: &str) -> Result<Option<String>> {
        match self.cell(col)? {
            Cell::Text(s) => Ok(Some(s.clone())),
            Cell::Null => Ok(None),
            other => Err(Self::mismatch(col, "text", other)),
        }
    }

    /// A nullable integer column (a boolean is one too: 0 or 1).
    pub(crate) fn opt_int(&self, col: &str) -> Result<Option<i64>> {
        match self.cell(col)? {
            Cell::Int(n) => Ok(Some(*n)),
            Cell::Null => Ok(None),
            other => Err(Self::mismatch(col, "an integer", other)),
        }
    }
}

/// The pool of read-only connections: at most `size` at once, opened when first needed.
#[derive(Debug)]
pub struct Readers {
    path: PathBuf,
    idle: Mutex<Vec<Conn>>,
    permits: Arc<Semaphore>,
    /// How many readers the pool lends at most.
    size: usize,
}

impl std::fmt::Debug for Conn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Conn").field("cached", &self.cache.len()).finish()
    }
}

impl Readers {
    /// A pool of up to `size` readers of the database at `path`; opens one now, so that a
    /// database that cannot be read fails here rather than at the first page.
    pub(crate) fn open(path: &Path, size: usize) -> Result<Arc<Self>> {
        let first = Conn::open(path, false)?;
        Ok(Arc::new(Self {
            path: path.to_owned(),
            idle: Mutex::new(vec![first]),
            permits: Arc::new(Semaphore::new(size)),
            size,
        }))
    }

    /// Waits for a reader (as long as a transaction waits for the writer), opening one if none
    /// is idle.
    pub(crate) async fn acquire(self: &Arc<Self>) -> Result<Reader> {
        let permit = tokio::time::timeout(crate::writer::WRITER_WAIT, Arc::clone(&self.permits).acquire_owned())
            .await
            .map_err(|_| StoreError::Backend(sqlx::Error::PoolTimedOut))?
            .map_err(|_| StoreError::Backend(sqlx::Error::PoolClosed))?;
        let idle = self.idle.lock().unwrap_or_else(std::sync::PoisonError::into_inner).pop();
        let conn = match idle {
            Some(conn) => conn,
            None => Conn::open(&self.path, false)?,
        };
        Ok(Reader { conn: Some(conn), readers: Arc::clone(self), _permit: permit })
    }

    /// Whether any reader is lent out (a read is in progress, or a use-case holds one between
    /// reads).
    pub(crate) fn busy(&self) -> bool {
        self.permits.available_permits() < self.size
    }

    /// Closes the idle readers and refuses new ones; a reader in use closes when returned.
    pub(crate) fn close(&self) {
        self.permits.close();
        self.idle.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clear();
    }
}

/// A reader taken from [`Readers`]; it goes back when dropped.
#[derive(Debug)]
pub struct Reader {
    conn: Option<Conn>,
    readers: Arc<Readers>,
    _permit: OwnedSemaphorePermit,
}

impl Reader {
    /// The connection.
    pub(crate) fn conn(&mut self) -> &mut Conn {
        self.conn.as_mut().expect("a reader holds its connection until dropped")
    }
}

impl Drop for Reader {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take()
            && !self.readers.permits.is_closed()
        {
            self.readers.idle.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push(conn);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(conn: &mut Conn) -> i64 {
        let mut n = None;
        conn.run("SELECT COUNT(*) AS n FROM t", &[], &mut |row| {
            n = Some(row.int("n")?);
            Ok(true)
        })
        .unwrap();
        n.unwrap()
    }

    /// A read that ends in a panic half-way through its rows leaves its connection without a
    /// read snapshot: the next read on it sees what was written since.
    #[test]
    fn a_panic_mid_read_leaves_no_snapshot_behind() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        let mut writer = Conn::open(&path, true).unwrap();
        for sql in ["PRAGMA journal_mode = WAL", "CREATE TABLE t (x INTEGER)", "INSERT INTO t VALUES (1), (2), (3)"] {
            writer.run(sql, &[], &mut |_| Ok(true)).unwrap();
        }
        let mut reader = Conn::open(&path, false).unwrap();
        let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            reader.run("SELECT x FROM t", &[], &mut |_| panic!("a bug while reading a row"))
        }));
        assert!(panicked.is_err());
        writer.run("INSERT INTO t VALUES ($1)", &[Value::Int(4)], &mut |_| Ok(true)).unwrap();
        assert_eq!(count(&mut reader), 4, "the reader sees the newer row");
        let err = reader.run("INSERT INTO t VALUES (5)", &[], &mut |_| Ok(true)).expect_err("a reader cannot write");
        assert!(err.to_string().contains("readonly"), "{err}");
        let err = writer.run("SELECT 1; SELECT 2", &[], &mut |_| Ok(true)).expect_err("two statements");
        assert!(err.to_string().contains("one statement per query"), "{err}");
    }
}
