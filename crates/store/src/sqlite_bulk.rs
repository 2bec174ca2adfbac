//! The SQLite side of [`crate::sql::insert_rows`]: rows bound and stepped through SQLite's C
//! interface on the writer connection, skipping sqlx's per-statement machinery.
//!
//! Through sqlx, every bound value of a bulk insert was copied into an argument buffer, handed
//! to the connection's thread and bound there, and every multi-row statement text was built,
//! sent and compiled: measured on a million enterprises, about 1.7 s of a 4.4 s insert. Here
//! one statement of [`ROWS_PER_STEP`] rows is compiled once and stepped again and again with
//! values bound in place, while a second thread builds the rows that follow.
//!
//! This is the one module of the product with `unsafe` code: each block is a call into the
//! SQLite library that sqlx itself links, on a connection whose handle sqlx has locked for us
//! (`SqliteConnection::lock_handle`), so no other statement runs on it meanwhile.
#![allow(unsafe_code)]

use crate::StoreError;
use crate::sql::Value;
use libsqlite3_sys as ffi;
use sqlx::SqliteConnection;
use sqlx::error::{DatabaseError, ErrorKind};
use std::borrow::Cow;
use std::ffi::{CStr, c_int};
use std::ptr::NonNull;

/// Rows per compiled statement (fewer in the last one). Measured on a million enterprises: a
/// step per row took 4.7-4.8 s for the whole import, 32 rows per step 3.9 s, 128 the same.
const ROWS_PER_STEP: usize = 32;

/// Rows handed from the thread that builds them to the one that inserts them, per message.
const ROWS_PER_BATCH: usize = 4096;

/// Inserts `rows` (each its values in the order of `columns`) into `table` within the
/// transaction open on `conn`. `OR FAIL`: on a broken rule the statement stops with the error
/// and the caller's transaction rolls back, so SQLite keeps no statement journal to undo a
/// single statement (measured: 12 % of an import's time).
pub(crate) async fn insert_rows<I>(
    conn: &mut SqliteConnection,
    table: &str,
    columns: &str,
    rows: I,
) -> Result<(), StoreError>
where
    I: Iterator<Item = Vec<Value>> + Send,
{
    let width = columns.matches(',').count() + 1;
    let mut handle = conn.lock_handle().await?;
    let db = handle.as_raw_handle();
    let statement = |n: usize| {
        let one_row = format!("({})", vec!["?"; width].join(", "));
        format!("INSERT OR FAIL INTO {table} ({columns}) VALUES {}", vec![one_row.as_str(); n].join(", "))
    };
    let run = || {
        std::thread::scope(|s| {
            let (send, batches) = std::sync::mpsc::sync_channel::<Vec<Vec<Value>>>(4);
            s.spawn(move || {
                let mut rows = rows;
                loop {
                    let batch: Vec<_> = rows.by_ref().take(ROWS_PER_BATCH).collect();
                    if batch.is_empty() || send.send(batch).is_err() {
                        break;
                    }
                }
            });
            // Leaving early drops `batches`, which stops the builder at its next send.
            insert_batches(db, width, &statement, batches.into_iter())
        })
    };
    // The steps block for as long as the insert takes: on the server's runtime, its worker
    // thread hands its other tasks over meanwhile.
    match tokio::runtime::Handle::try_current().map(|h| h.runtime_flavor()) {
        Ok(tokio::runtime::RuntimeFlavor::MultiThread) => tokio::task::block_in_place(run),
        _ => run(),
    }
}

/// Inserts the rows of `batches`, [`ROWS_PER_STEP`] per step of one compiled statement and
/// the rest through a statement for just them.
fn insert_batches(
    db: NonNull<ffi::sqlite3>,
    width: usize,
    statement: &dyn Fn(usize) -> String,
    batches: impl Iterator<Item = Vec<Vec<Value>>>,
) -> Result<(), StoreError> {
    let full = Statement::prepare(db, &statement(ROWS_PER_STEP))?;
    let mut pending: Vec<Vec<Value>> = Vec::with_capacity(ROWS_PER_BATCH + ROWS_PER_STEP);
    for batch in batches {
        pending.extend(batch);
        let whole = pending.len() - pending.len() % ROWS_PER_STEP;
        for group in pending[..whole].chunks_exact(ROWS_PER_STEP) {
            full.run(db, width, group)?;
        }
        pending.drain(..whole);
    }
    if !pending.is_empty() {
        Statement::prepare(db, &statement(pending.len()))?.run(db, width, &pending)?;
    }
    Ok(())
}

/// A compiled statement, finalized when dropped.
struct Statement(NonNull<ffi::sqlite3_stmt>);

impl Statement {
    fn prepare(db: NonNull<ffi::sqlite3>, sql: &str) -> Result<Self, StoreError> {
        let len = c_int::try_from(sql.len()).map_err(|_| RawError::new(ffi::SQLITE_TOOBIG, "statement too long"))?;
        let mut stmt = std::ptr::null_mut();
        // SAFETY: `db` is an open connection locked for this thread; `sql` is valid for `len`
        // bytes (its length is given, so no terminating NUL is needed); `stmt` receives the
        // compiled statement, owned by the returned value.
        let rc = unsafe {
            ffi::sqlite3_prepare_v3(
                db.as_ptr(),
                sql.as_ptr().cast(),
                len,
                ffi::SQLITE_PREPARE_PERSISTENT,
                &raw mut stmt,
                std::ptr::null_mut(),
            )
        };
        check(db, rc)?;
        NonNull::new(stmt).map(Self).ok_or_else(|| RawError::new(ffi::SQLITE_MISUSE, "empty statement").into())
    }

    /// Binds `rows` (their values in order, `width` per row) and steps the statement once.
    fn run(&self, db: NonNull<ffi::sqlite3>, width: usize, rows: &[Vec<Value>]) -> Result<(), StoreError> {
        let stmt = self.0.as_ptr();
        let mut index: c_int = 0;
        for row in rows {
            if row.len() != width {
                return Err(RawError::new(ffi::SQLITE_RANGE, "a row has the wrong number of values").into());
            }
            for value in row {
                index += 1;
                check(db, bind(stmt, index, value))?;
            }
        }
        // SAFETY: `stmt` is a live statement of `db`, every parameter bound above to values
        // that outlive this call (bound as static: SQLite reads them during the step only).
        let rc = unsafe { ffi::sqlite3_step(stmt) };
        // SAFETY: as above; reset ends the step and keeps the statement for the next rows.
        let reset = unsafe { ffi::sqlite3_reset(stmt) };
        if rc == ffi::SQLITE_DONE { check(db, reset) } else { check(db, rc) }
    }
}

impl Drop for Statement {
    fn drop(&mut self) {
        // SAFETY: the statement was compiled by `prepare` and is finalized exactly once.
        unsafe { ffi::sqlite3_finalize(self.0.as_ptr()) };
    }
}

/// Binds `value` to parameter `index` (1-based) of `stmt`; returns SQLite's result code.
fn bind(stmt: *mut ffi::sqlite3_stmt, index: c_int, value: &Value) -> c_int {
    match value {
        Value::Text(s) => {
            let Ok(len) = c_int::try_from(s.len()) else { return ffi::SQLITE_TOOBIG };
            // SAFETY: `s` is valid UTF-8 of `len` bytes and is neither moved nor freed before
            // the statement is stepped and reset (SQLITE_STATIC: SQLite does not copy it).
            unsafe { ffi::sqlite3_bind_text(stmt, index, s.as_ptr().cast(), len, ffi::SQLITE_STATIC()) }
        }
        // SAFETY (all three): `stmt` is a live statement and `index` one of its parameters.
        Value::Int(n) => unsafe { ffi::sqlite3_bind_int64(stmt, index, *n) },
        Value::Bool(b) => unsafe { ffi::sqlite3_bind_int64(stmt, index, i64::from(*b)) },
        Value::NullText | Value::NullInt => unsafe { ffi::sqlite3_bind_null(stmt, index) },
    }
}

/// `Ok` for a success code, else the connection's error (its extended code and message).
fn check(db: NonNull<ffi::sqlite3>, rc: c_int) -> Result<(), StoreError> {
    if matches!(rc, ffi::SQLITE_OK | ffi::SQLITE_DONE | ffi::SQLITE_ROW) {
        return Ok(());
    }
    // SAFETY: `db` is an open connection; the message is a NUL-terminated string that SQLite
    // owns until the next call on the connection, copied here before that.
    let (code, message) = unsafe {
        let message = ffi::sqlite3_errmsg(db.as_ptr());
        let message = if message.is_null() { Cow::Borrowed("") } else { CStr::from_ptr(message).to_string_lossy() };
        (ffi::sqlite3_extended_errcode(db.as_ptr()), message.into_owned())
    };
    Err(RawError::new(code, message).into())
}

/// An error SQLite reported to a call made here, as sqlx's other SQLite errors are reported:
/// a unique violation becomes [`StoreError::Duplicate`] like any other.
#[derive(Debug, thiserror::Error)]
#[error("(code: {code}) {message}")]
struct RawError {
    code: c_int,
    message: String,
}

impl RawError {
    fn new(code: c_int, message: impl Into<String>) -> Self {
        Self { code, message: message.into() }
    }
}

impl From<RawError> for StoreError {
    fn from(e: RawError) -> Self {
        sqlx::Error::Database(Box::new(e)).into()
    }
}

impl DatabaseError for RawError {
    fn message(&self) -> &str {
        &self.message
    }

    fn code(&self) -> Option<Cow<'_, str>> {
        Some(Cow::Owned(self.code.to_string()))
    }

    fn as_error(&self) -> &(dyn std::error::Error + Send + Sync + 'static) {
        self
    }

    fn as_error_mut(&mut self) -> &mut (dyn std::error::Error + Send + Sync + 'static) {
        self
    }

    fn into_error(self: Box<Self>) -> Box<dyn std::error::Error + Send + Sync + 'static> {
        self
    }

    fn kind(&self) -> ErrorKind {
        match self.code {
            ffi::SQLITE_CONSTRAINT_UNIQUE | ffi::SQLITE_CONSTRAINT_PRIMARYKEY => ErrorKind::UniqueViolation,
            ffi::SQLITE_CONSTRAINT_FOREIGNKEY => ErrorKind::ForeignKeyViolation,
            ffi::SQLITE_CONSTRAINT_NOTNULL => ErrorKind::NotNullViolation,
            ffi::SQLITE_CONSTRAINT_CHECK => ErrorKind::CheckViolation,
            _ => ErrorKind::Other,
        }
    }
}
