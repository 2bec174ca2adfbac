//! What the SQLite paths that bypass sqlx share: compiled statements, binding [`Value`]s,
//! reading cells, and SQLite's errors in sqlx's shape.
//!
//! sqlx runs each SQLite connection on a thread of its own and hands every statement, every
//! row and every reply across threads; on two cores, under the HTTP mix, those hand-offs cost
//! more than SQLite's own work (docs/benchmarks.md). The store's SQLite connections
//! ([`crate::sqlite_conn`]) and its bulk insert ([`crate::sqlite_bulk`]) call the library
//! directly instead, on the thread that needs the result. Every `unsafe` block is one call
//! into SQLite (the library sqlx links) on a connection that no other thread uses meanwhile,
//! and says why it holds.
#![allow(unsafe_code)]

use crate::StoreError;
use crate::sql::Value;
use libsqlite3_sys as ffi;
use sqlx::error::{DatabaseError, ErrorKind};
use std::borrow::Cow;
use std::ffi::{CStr, c_int};
use std::ptr::NonNull;

/// A compiled statement, finalized when dropped. It belongs to one connection, which must
/// outlive it.
pub(crate) struct Statement(NonNull<ffi::sqlite3_stmt>);

impl Statement {
    /// Compiles `sql` on `db`.
    pub(crate) fn prepare(db: NonNull<ffi::sqlite3>, sql: &str) -> Result<Self, StoreError> {
        let len = c_int::try_from(sql.len()).map_err(|_| RawError::new(ffi::SQLITE_TOOBIG, "statement too long"))?;
        let mut stmt = std::ptr::null_mut();
        let mut tail: *const std::ffi::c_char = std::ptr::null();
        // SAFETY: `db` is an open connection used by this thread alone; `sql` is valid for
        // `len` bytes (its length is given, so no terminating NUL is needed); `stmt` receives
        // the compiled statement, owned by the returned value; `tail` points into `sql`.
        let rc = unsafe {
            ffi::sqlite3_prepare_v3(
                db.as_ptr(),
                sql.as_ptr().cast(),
                len,
                ffi::SQLITE_PREPARE_PERSISTENT,
                &raw mut stmt,
                &raw mut tail,
            )
        };
        check(db, rc)?;
        let statement =
            NonNull::new(stmt).map(Self).ok_or_else(|| RawError::new(ffi::SQLITE_MISUSE, "empty statement"))?;
        // A second statement in the text would be silently skipped: refuse it instead.
        let used = (tail as usize).saturating_sub(sql.as_ptr() as usize).min(sql.len());
        if !sql[used..].trim_matches(|c: char| c.is_whitespace() || c == ';').is_empty() {
            return Err(RawError::new(ffi::SQLITE_MISUSE, "one statement per query").into());
        }
        Ok(statement)
    }

    /// Binds `values` to parameters `first`, `first + 1` … (1-based).
    pub(crate) fn bind(&self, db: NonNull<ffi::sqlite3>, first: c_int, values: &[Value]) -> Result<(), StoreError> {
        for (index, value) in (first..).zip(values) {
            check(db, bind(self.0.as_ptr(), index, value))?;
        }
        Ok(())
    }

    /// How many parameters the statement has.
    pub(crate) fn parameters(&self) -> usize {
        // SAFETY: a live statement.
        let n = unsafe { ffi::sqlite3_bind_parameter_count(self.0.as_ptr()) };
        usize::try_from(n).unwrap_or(0)
    }

    /// Runs the statement one step with the values bound last: `true` when a row is ready to
    /// read, `false` when it is done. The values must still be alive (bound without a copy).
    pub(crate) fn step(&self, db: NonNull<ffi::sqlite3>) -> Result<bool, StoreError> {
        // SAFETY: a live statement of `db`, its parameters bound to values that are alive.
        match unsafe { ffi::sqlite3_step(self.0.as_ptr()) } {
            ffi::SQLITE_ROW => Ok(true),
            ffi::SQLITE_DONE => Ok(false),
            rc => {
                let err = check(db, rc);
                self.reset();
                err.map(|()| false)
            }
        }
    }

    /// Ends a run, so that the statement can run again (and holds no read lock meanwhile).
    pub(crate) fn reset(&self) {
        // SAFETY: a live statement; the result repeats the last step's, already reported.
        unsafe { ffi::sqlite3_reset(self.0.as_ptr()) };
    }

    /// The names of the result columns.
    pub(crate) fn column_names(&self) -> Result<Vec<String>, StoreError> {
        let stmt = self.0.as_ptr();
        // SAFETY: a live statement; each name is a NUL-terminated string SQLite owns until the
        // statement is finalized or compiled again, copied here at once.
        unsafe {
            (0..ffi::sqlite3_column_count(stmt))
                .map(|i| {
                    let name = ffi::sqlite3_column_name(stmt, i);
                    if name.is_null() {
                        Err(RawError::new(ffi::SQLITE_NOMEM, "no memory for a column name").into())
                    } else {
                        Ok(CStr::from_ptr(name).to_string_lossy().into_owned())
                    }
                })
                .collect()
        }
    }

    /// The cells of the row the last step made ready.
    pub(crate) fn row(&self, columns: usize) -> Result<Vec<Cell>, StoreError> {
        let stmt = self.0.as_ptr();
        (0..c_int::try_from(columns).unwrap_or(c_int::MAX))
            .map(|i| {
                // SAFETY: a live statement with a row ready and `i` one of its columns; a
                // text's bytes are SQLite's until the next step, copied here at once.
                unsafe {
                    Ok(match ffi::sqlite3_column_type(stmt, i) {
                        ffi::SQLITE_INTEGER => Cell::Int(ffi::sqlite3_column_int64(stmt, i)),
                        ffi::SQLITE_NULL => Cell::Null,
                        ffi::SQLITE_FLOAT => Cell::Real(ffi::sqlite3_column_double(stmt, i)),
                        _ => {
                            let text = ffi::sqlite3_column_text(stmt, i);
                            let len = usize::try_from(ffi::sqlite3_column_bytes(stmt, i)).unwrap_or(0);
                            let bytes = if text.is_null() { &[][..] } else { std::slice::from_raw_parts(text, len) };
                            Cell::Text(
                                String::from_utf8(bytes.to_vec())
                                    .map_err(|_| StoreError::Corrupt(format!("column {i} is not UTF-8")))?,
                            )
                        }
                    })
                }
            })
            .collect()
    }
}

impl Drop for Statement {
    fn drop(&mut self) {
        // SAFETY: the statement was compiled by `prepare` and is finalized exactly once.
        unsafe { ffi::sqlite3_finalize(self.0.as_ptr()) };
    }
}

/// One cell of a result row.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cell {
    /// NULL.
    Null,
    /// An integer.
    Int(i64),
    /// A floating-point number (no column of ours holds one; an expression might).
    Real(f64),
    /// Text (a BLOB is read as its bytes, which must then be UTF-8).
    Text(String),
}

/// Binds `value` to parameter `index` (1-based) of `stmt`; returns SQLite's result code.
fn bind(stmt: *mut ffi::sqlite3_stmt, index: c_int, value: &Value) -> c_int {
    match value {
        Value::Text(s) => {
            let Ok(len) = c_int::try_from(s.len()) else { return ffi::SQLITE_TOOBIG };
            // SAFETY: `s` is valid UTF-8 of `len` bytes and is neither moved nor freed before
            // the statement's run ends (SQLITE_STATIC: SQLite does not copy it).
            unsafe { ffi::sqlite3_bind_text(stmt, index, s.as_ptr().cast(), len, ffi::SQLITE_STATIC()) }
        }
        // SAFETY (all three): `stmt` is a live statement and `index` one of its parameters.
        Value::Int(n) => unsafe { ffi::sqlite3_bind_int64(stmt, index, *n) },
        Value::Bool(b) => unsafe { ffi::sqlite3_bind_int64(stmt, index, i64::from(*b)) },
        Value::NullText | Value::NullInt => unsafe { ffi::sqlite3_bind_null(stmt, index) },
    }
}

/// `Ok` for a success code, else the connection's error (its extended code and message).
pub(crate) fn check(db: NonNull<ffi::sqlite3>, rc: c_int) -> Result<(), StoreError> {
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

/// Whether `e` is SQLite's "database is locked" (any of its `SQLITE_BUSY` codes).
pub(crate) fn is_busy(e: &StoreError) -> bool {
    match e {
        StoreError::Backend(sqlx::Error::Database(db)) => {
            db.code().and_then(|c| c.parse::<c_int>().ok()).is_some_and(|c| c & 0xff == ffi::SQLITE_BUSY)
        }
        _ => false,
    }
}

/// An error SQLite reported to a call made here, as sqlx's other SQLite errors are reported:
/// a unique violation becomes [`StoreError::Duplicate`] like any other.
#[derive(Debug, thiserror::Error)]
#[error("(code: {code}) {message}")]
pub(crate) struct RawError {
    code: c_int,
    message: String,
}

impl RawError {
    pub(crate) fn new(code: c_int, message: impl Into<String>) -> Self {
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
