//! One SQL text, two backends: a small query wrapper over sqlx's PostgreSQL driver and the
//! store's own SQLite connections ([`crate::sqlite_conn`]).
//!
//! sqlx's `Any` driver cannot decode several PostgreSQL types, and generic code over
//! `sqlx::Database` drowns in trait bounds. Instead, every query is written once in the
//! portable subset with `$1, $2 …` placeholders, its arguments are collected as [`Value`]s,
//! and the backend is chosen when it runs. Rows are read through [`Row`], whose typed getters
//! hide which backend produced them.

use crate::StoreError;
use futures_util::TryStreamExt;
use sqlx::postgres::{PgPool, PgRow};
use sqlx::{AssertSqlSafe, PgConnection, Postgres, SqlStr};
use std::borrow::Cow;

/// A bound argument.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// Text.
    Text(String),
    /// 64-bit integer (BIGINT in PostgreSQL, INTEGER in SQLite).
    Int(i64),
    /// Boolean.
    Bool(bool),
    /// A NULL text value.
    NullText,
    /// A NULL integer value.
    NullInt,
}

impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Self::Text(v.to_owned())
    }
}
impl From<String> for Value {
    fn from(v: String) -> Self {
        Self::Text(v)
    }
}
impl From<&String> for Value {
    fn from(v: &String) -> Self {
        Self::Text(v.clone())
    }
}
impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Self::Int(v)
    }
}
impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Self::Bool(v)
    }
}
impl From<Option<String>> for Value {
    fn from(v: Option<String>) -> Self {
        v.map_or(Self::NullText, Self::Text)
    }
}
impl From<Option<&str>> for Value {
    fn from(v: Option<&str>) -> Self {
        v.map_or(Self::NullText, |s| Self::Text(s.to_owned()))
    }
}
impl From<Option<i64>> for Value {
    fn from(v: Option<i64>) -> Self {
        v.map_or(Self::NullInt, Self::Int)
    }
}

/// A query: SQL text in the portable subset plus its arguments.
#[derive(Debug, Clone)]
pub struct Query {
    sql: Cow<'static, str>,
    args: Vec<Value>,
}

/// Starts a query from a literal SQL text.
pub fn query(sql: &'static str) -> Query {
    Query { sql: Cow::Borrowed(sql), args: Vec::new() }
}

/// Starts a query from SQL assembled at run time. Callers must only splice in fixed SQL
/// fragments (column names from a whitelist, placeholders); every value goes through `bind`.
pub fn dynamic_query(sql: String) -> Query {
    Query { sql: Cow::Owned(sql), args: Vec::new() }
}

/// Where a query runs: one connection (inside a transaction, or held for a few reads in a row)
/// or one of the pools (a connection per statement).
pub enum Ex<'a> {
    /// On one SQLite connection (the writer in a transaction, or a reader held for a few
    /// reads in a row).
    SqliteConn(&'a mut crate::sqlite_conn::Conn),
    /// On one PostgreSQL connection.
    PgConn(&'a mut PgConnection),
    /// On the SQLite readers (a connection per statement).
    SqliteReaders(&'a std::sync::Arc<crate::sqlite_conn::Readers>),
    /// On the PostgreSQL pool.
    PgPool(&'a PgPool),
}

macro_rules! bind_all {
    ($q:expr, $args:expr) => {{
        let mut q = $q;
        for a in $args {
            q = match a {
                Value::Text(s) => q.bind(s),
                Value::Int(i) => q.bind(i),
                Value::Bool(b) => q.bind(b),
                Value::NullText => q.bind(None::<String>),
                Value::NullInt => q.bind(None::<i64>),
            };
        }
        q
    }};
}

impl Query {
    /// Adds the next positional argument (`$1`, `$2`, … in order of binding).
    pub fn bind(mut self, v: impl Into<Value>) -> Self {
        self.args.push(v.into());
        self
    }

    /// The SQL text and arguments for the backend `ex` runs on. For SQLite every `$N` becomes
    /// an anonymous `?` and the arguments are laid out in the order the placeholders occur
    /// (repeating one that is used twice), so that they bind by position: binding by name made
    /// SQLite scan the names for each value (under sqlx, 73 % of an import's time in
    /// `sqlite3_bind_parameter_name`). Our SQL has no `$` inside string literals.
    fn prepare(self, ex: &Ex<'_>) -> (SqlStr, Vec<Value>) {
        let sqlite = matches!(ex, Ex::SqliteConn(_) | Ex::SqliteReaders(_));
        if sqlite && self.sql.contains('$') {
            let (text, order) = sqlite_placeholders(&self.sql);
            let args = if order.iter().enumerate().all(|(i, &n)| i == n) && order.len() == self.args.len() {
                self.args
            } else {
                order.iter().map(|&n| self.args.get(n).cloned().unwrap_or(Value::NullText)).collect()
            };
            return (sqlx::SqlSafeStr::into_sql_str(AssertSqlSafe(text)), args);
        }
        let sql = match self.sql {
            Cow::Borrowed(s) => sqlx::SqlSafeStr::into_sql_str(s),
            Cow::Owned(s) => sqlx::SqlSafeStr::into_sql_str(AssertSqlSafe(s)),
        };
        (sql, self.args)
    }

    /// Runs a statement; returns the number of rows it changed.
    pub async fn execute(self, ex: Ex<'_>) -> Result<u64, StoreError> {
        let (sql, args) = self.prepare(&ex);
        let done = match ex {
            Ex::PgConn(c) => bind_all!(sqlx::query::<Postgres>(sql), args).execute(&mut *c).await?.rows_affected(),
            Ex::SqliteReaders(r) => r.acquire().await?.conn().run(sql.as_str(), &args, &mut |_| Ok(true))?,
            Ex::SqliteConn(c) => c.run(sql.as_str(), &args, &mut |_| Ok(true))?,
            Ex::PgPool(p) => bind_all!(sqlx::query::<Postgres>(sql), args).execute(p).await?.rows_affected(),
        };
        Ok(done)
    }

    /// Fetches every row.
    pub async fn fetch_all(self, ex: Ex<'_>) -> Result<Vec<Row>, StoreError> {
        let (sql, args) = self.prepare(&ex);
        Ok(match ex {
            Ex::PgConn(c) => bind_all!(sqlx::query::<Postgres>(sql), args)
                .fetch_all(&mut *c)
                .await?
                .into_iter()
                .map(Row::Pg)
                .collect(),
            Ex::SqliteReaders(r) => read_all(r.acquire().await?.conn(), sql.as_str(), &args)?,
            Ex::SqliteConn(c) => read_all(c, sql.as_str(), &args)?,
            Ex::PgPool(p) => {
                bind_all!(sqlx::query::<Postgres>(sql), args).fetch_all(p).await?.into_iter().map(Row::Pg).collect()
            }
        })
    }

    /// Fetches at most one row.
    pub async fn fetch_optional(self, ex: Ex<'_>) -> Result<Option<Row>, StoreError> {
        let (sql, args) = self.prepare(&ex);
        Ok(match ex {
            Ex::PgConn(c) => bind_all!(sqlx::query::<Postgres>(sql), args).fetch_optional(&mut *c).await?.map(Row::Pg),
            Ex::SqliteReaders(r) => read_first(r.acquire().await?.conn(), sql.as_str(), &args)?,
            Ex::SqliteConn(c) => read_first(c, sql.as_str(), &args)?,
            Ex::PgPool(p) => bind_all!(sqlx::query::<Postgres>(sql), args).fetch_optional(p).await?.map(Row::Pg),
        })
    }

    /// Fetches exactly one row.
    pub async fn fetch_one(self, ex: Ex<'_>) -> Result<Row, StoreError> {
        self.fetch_optional(ex).await?.ok_or(StoreError::NotFound)
    }

    /// Streams rows to a callback, one at a time, so that long scans (audit verification,
    /// exports) run in constant memory.
    pub async fn for_each(
        self,
        ex: Ex<'_>,
        mut f: impl FnMut(Row) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let (sql, args) = self.prepare(&ex);
        match ex {
            Ex::SqliteReaders(r) => {
                let mut reader = r.acquire().await?;
                let conn = reader.conn();
                crate::sqlite_conn::blocking(|| conn.run(sql.as_str(), &args, &mut |row| f(row).map(|()| true)))?;
            }
            Ex::PgPool(p) => {
                let mut s = bind_all!(sqlx::query::<Postgres>(sql), args).fetch(p);
                while let Some(r) = s.try_next().await? {
                    f(Row::Pg(r))?;
                }
            }
            other => {
                let q = Query { sql: Cow::Owned(sql.as_str().to_owned()), args };
                for r in q.fetch_all(other).await? {
                    f(r)?;
                }
            }
        }
        Ok(())
    }
}

/// Every row of `sql` on a SQLite reader.
fn read_all(conn: &mut crate::sqlite_conn::Conn, sql: &str, args: &[Value]) -> Result<Vec<Row>, StoreError> {
    let mut rows = Vec::new();
    conn.run(sql, args, &mut |row| {
        rows.push(row);
        Ok(true)
    })?;
    Ok(rows)
}

/// The first row of `sql` on a SQLite reader, if any.
fn read_first(conn: &mut crate::sqlite_conn::Conn, sql: &str, args: &[Value]) -> Result<Option<Row>, StoreError> {
    let mut first = None;
    conn.run(sql, args, &mut |row| {
        first = Some(row);
        Ok(false)
    })?;
    Ok(first)
}

/// Rewrites `$N` placeholders as anonymous `?`, returning the zero-based argument index of
/// each placeholder in order of occurrence.
fn sqlite_placeholders(text: &str) -> (String, Vec<usize>) {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut order = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'$' && bytes.get(i + 1).is_some_and(u8::is_ascii_digit) {
            let mut j = i + 1;
            let mut n = 0usize;
            while j < bytes.len() && bytes[j].is_ascii_digit() {
                n = n * 10 + usize::from(bytes[j] - b'0');
                j += 1;
            }
            out.push('?');
            order.push(n.saturating_sub(1));
            i = j;
        } else {
            let ch = text[i..].chars().next().expect("in bounds");
            out.push(ch);
            i += ch.len_utf8();
        }
    }
    (out, order)
}

/// A result row from either backend.
pub enum Row {
    /// From SQLite ([`crate::sqlite_conn`]).
    Sqlite(crate::sqlite_conn::RawRow),
    /// From PostgreSQL.
    Pg(PgRow),
}

macro_rules! get {
    ($self:ident, $col:ident, $t:ty, $raw:ident) => {
        match $self {
            Row::Sqlite(r) => r.$raw($col),
            Row::Pg(r) => sqlx::Row::try_get::<$t, _>(r, $col).map_err(StoreError::from),
        }
    };
}

impl Row {
    /// A non-null text column.
    pub fn text(&self, col: &str) -> Result<String, StoreError> {
        get!(self, col, String, text)
    }
    /// A nullable text column.
    pub fn opt_text(&self, col: &str) -> Result<Option<String>, StoreError> {
        get!(self, col, Option<String>, opt_text)
    }
    /// A non-null integer column.
    pub fn int(&self, col: &str) -> Result<i64, StoreError> {
        get!(self, col, i64, int)
    }
    /// A nullable integer column.
    pub fn opt_int(&self, col: &str) -> Result<Option<i64>, StoreError> {
        get!(self, col, Option<i64>, opt_int)
    }
    /// A boolean column.
    pub fn bool(&self, col: &str) -> Result<bool, StoreError> {
        get!(self, col, bool, bool)
    }
}

/// Assembles a dynamic query (filters chosen at run time) while keeping every value bound:
/// [`Builder::arg`] records a value and returns its placeholder to splice into the text.
#[derive(Debug, Default)]
pub struct Builder {
    args: Vec<Value>,
}

impl Builder {
    /// Binds a value and returns its placeholder (`$1`, `$2`, …).
    pub fn arg(&mut self, v: impl Into<Value>) -> String {
        self.args.push(v.into());
        format!("${}", self.args.len())
    }

    /// Finishes with the assembled SQL text.
    pub fn build(self, sql: String) -> Query {
        Query { sql: Cow::Owned(sql), args: self.args }
    }

    /// A copy of the arguments bound so far, to run a second query (a count) on the same
    /// filter.
    pub fn snapshot(&self) -> Self {
        Self { args: self.args.clone() }
    }

    /// A subquery yielding `items`, bound as one JSON text, for `column IN (…)`. A list of
    /// one placeholder per item costs a bind each and keeps lists short (500); one parameter
    /// lets a lookup take thousands at a time. Both backends probe the column's index once
    /// per item (checked with their query plans).
    pub fn text_set(&mut self, backend: crate::Backend, items: &[&str]) -> String {
        let json = serde_json::to_string(items).expect("a list of strings always serializes");
        let p = self.arg(json);
        match backend {
            crate::Backend::Sqlite => format!("SELECT value FROM json_each({p})"),
            crate::Backend::Postgres => format!("SELECT json_array_elements_text({p}::json)"),
        }
    }
}

/// Escapes `%`, `_` and `\` so user text is matched literally by `LIKE … ESCAPE '\'`.
pub fn like_pattern(text: &str) -> String {
    let mut out = String::from("%");
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// Runs the count and the page of a filtered list with the same bound filter: the one way
/// every list in the store is paged. `from_where` is `table WHERE …` (placeholders from `b`),
/// `order` the ORDER BY list.
pub async fn paged<T>(
    db: &crate::Db,
    b: Builder,
    columns: &str,
    from_where: &str,
    order: &str,
    page: domain::page::PageRequest,
    map: impl Fn(&Row) -> Result<T, StoreError>,
) -> Result<domain::page::Paged<T>, StoreError> {
    let mut conn = db.read_conn().await?;
    let total =
        b.snapshot().build(format!("SELECT COUNT(*) AS n FROM {from_where}")).fetch_one(conn.ex()).await?.int("n")?;
    let rows = b
        .build(format!("SELECT {columns} FROM {from_where} ORDER BY {order} {}", limit_offset(page)))
        .fetch_all(conn.ex())
        .await?;
    page_of(rows, total, page, map)
}

/// `LIMIT … OFFSET …` of a page, written into the SQL text as numbers rather than bound:
/// SQLite's planner reads a bound LIMIT's value, so it re-prepares the statement whenever the
/// page changes (measured: 3.5 % of the database threads' time under the HTTP benchmark).
/// Both are integers computed here, never text from a caller.
pub(crate) fn limit_offset(page: domain::page::PageRequest) -> String {
    format!("LIMIT {} OFFSET {}", page.size, page.offset())
}

/// Maps a page's rows and wraps them with the total (for [`paged`] and its variants).
pub(crate) fn page_of<T>(
    rows: Vec<Row>,
    total: i64,
    page: domain::page::PageRequest,
    map: impl Fn(&Row) -> Result<T, StoreError>,
) -> Result<domain::page::Paged<T>, StoreError> {
    Ok(domain::page::Paged {
        items: rows.iter().map(map).collect::<Result<_, _>>()?,
        total,
        page: page.number,
        per_page: page.size,
    })
}

/// One row of `table` by id, if it lies in `scope` (else `NotFound`, as for an unknown id): the
/// one way every scoped lookup is written. `enterprise_col` is the column holding the
/// enterprise id, for enterprise-scoped callers (`None`: they see nothing of this table).
pub async fn scoped_one<T>(
    db: &crate::Db,
    scope: &domain::access::Scope,
    columns: &str,
    table: &str,
    enterprise_col: Option<&str>,
    id: &str,
    map: impl Fn(&Row) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    let mut b = Builder::default();
    let scoped = crate::scope::scope_clause(&mut b, scope, "region_code", enterprise_col);
    let id = b.arg(id);
    map(&b.build(format!("SELECT {columns} FROM {table} WHERE id = {id} AND {scoped}")).fetch_one(db.reader()).await?)
}

/// The next document number `PREFIX000123` (`width` digits) of a prefix such as
/// `YH-341522-2023-`, from the prefix's counter, taken inside the caller's transaction: the
/// counter row stays locked until it ends, so concurrent writers get consecutive numbers and a
/// rolled-back insert gives its number back.
pub async fn next_number(tx: &mut crate::Tx, prefix: &str, width: usize) -> Result<String, StoreError> {
    let n = query(
        "INSERT INTO doc_counter (prefix, n) VALUES ($1, 1)
         ON CONFLICT (prefix) DO UPDATE SET n = doc_counter.n + 1 RETURNING n",
    )
    .bind(prefix)
    .fetch_one(tx.ex())
    .await?
    .int("n")?;
    Ok(format!("{prefix}{n:0width$}"))
}

/// Raises the counters of document numbers that came from elsewhere (a migrated ledger), so
/// that [`next_number`] continues after the highest of them instead of handing out a number
/// that is already taken. A number is its counter's prefix followed by digits; others are
/// left alone.
pub async fn raise_numbers<'a>(tx: &mut crate::Tx, numbers: impl Iterator<Item = &'a str>) -> Result<(), StoreError> {
    let mut highest: std::collections::BTreeMap<&str, i64> = std::collections::BTreeMap::new();
    for number in numbers {
        let digits = number.len() - number.trim_end_matches(|c: char| c.is_ascii_digit()).len();
        let (prefix, n) = number.split_at(number.len() - digits);
        if let (false, Ok(n)) = (prefix.is_empty(), n.parse::<i64>()) {
            let top = highest.entry(prefix).or_default();
            *top = (*top).max(n);
        }
    }
    let highest: Vec<_> = highest.into_iter().collect();
    for chunk in highest.chunks(200) {
        let mut b = Builder::default();
        let values: Vec<_> = chunk.iter().map(|(p, n)| format!("({}, {})", b.arg(*p), b.arg(*n))).collect();
        b.build(format!(
            "INSERT INTO doc_counter (prefix, n) VALUES {} ON CONFLICT (prefix) DO UPDATE
             SET n = CASE WHEN excluded.n > doc_counter.n THEN excluded.n ELSE doc_counter.n END",
            values.join(", ")
        ))
        .execute(tx.ex())
        .await?;
    }
    Ok(())
}

/// Inserts `rows` (each its values in the order of `columns`, a comma-separated list) into
/// `table`: the bulk path of rows known to be new (an import's new enterprises, a migrated
/// archive, generated data). SQLite gets one compiled multi-row INSERT stepped through its C
/// interface ([`crate::sqlite_bulk`]); PostgreSQL one `COPY … FROM STDIN`, which it loads
/// several times faster than INSERTs of the same rows (no statement per row batch, no bound
/// parameters). Rows are taken from the iterator as they are sent, so that building them
/// overlaps the database's work. (The bulk tables have no foreign keys.)
pub async fn insert_rows<I>(tx: &mut crate::Tx, table: &str, columns: &str, rows: I) -> Result<(), StoreError>
where
    I: IntoIterator<Item = Vec<Value>>,
    I::IntoIter: Send,
{
    let mut rows = rows.into_iter().peekable();
    if rows.peek().is_none() {
        return Ok(());
    }
    match tx {
        crate::Tx::Pg(t) => copy_rows(t, table, columns, rows).await,
        crate::Tx::Sqlite(t) => crate::sqlite_bulk::insert_rows(t.conn(), table, columns, rows),
    }
}

/// PostgreSQL's `COPY … FROM STDIN` of `rows`, in text format, sent in pieces of about a
/// megabyte. A failure aborts the copy, so the transaction reports the error and rolls back.
async fn copy_rows(
    t: &mut sqlx::Transaction<'static, sqlx::Postgres>,
    table: &str,
    columns: &str,
    rows: impl Iterator<Item = Vec<Value>> + Send,
) -> Result<(), StoreError> {
    const PIECE: usize = 1 << 20;
    let mut copy = t.copy_in_raw(&format!("COPY {table} ({columns}) FROM STDIN")).await?;
    let mut buf = String::with_capacity(PIECE + 4096);
    let mut sent: Result<(), sqlx::Error> = Ok(());
    for row in rows {
        for (i, v) in row.iter().enumerate() {
            if i > 0 {
                buf.push('\t');
            }
            copy_text(&mut buf, v);
        }
        buf.push('\n');
        if buf.len() >= PIECE {
            sent = copy.send(buf.as_bytes()).await.map(drop);
            buf.clear();
            if sent.is_err() {
                break;
            }
        }
    }
    if sent.is_ok() && !buf.is_empty() {
        sent = copy.send(buf.as_bytes()).await.map(drop);
    }
    match sent {
        Ok(()) => {
            copy.finish().await?;
            Ok(())
        }
        Err(e) => {
            copy.abort("the import stopped").await.ok();
            Err(e.into())
        }
    }
}

/// One value in `COPY`'s text format: `\N` for NULL, and a backslash, tab, newline or carriage
/// return inside text escaped.
fn copy_text(buf: &mut String, v: &Value) {
    match v {
        Value::Text(s) if !s.contains(['\\', '\t', '\n', '\r']) => buf.push_str(s),
        Value::Text(s) => {
            for c in s.chars() {
                match c {
                    '\\' => buf.push_str("\\\\"),
                    '\t' => buf.push_str("\\t"),
                    '\n' => buf.push_str("\\n"),
                    '\r' => buf.push_str("\\r"),
                    c => buf.push(c),
                }
            }
        }
        Value::Int(n) => {
            use std::fmt::Write;
            let _ = write!(buf, "{n}");
        }
        Value::Bool(b) => buf.push(if *b { 't' } else { 'f' }),
        Value::NullText | Value::NullInt => buf.push_str("\\N"),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn copy_text_escapes_what_copy_would_read_as_structure() {
        let mut buf = String::new();
        for v in [super::Value::Text("a\tb\\c\nd\re 霍邱".into()), super::Value::NullText, super::Value::Int(-7)] {
            super::copy_text(&mut buf, &v);
            buf.push('|');
        }
        assert_eq!(buf, "a\\tb\\\\c\\nd\\re 霍邱|\\N|-7|");
    }

    #[test]
    fn sqlite_placeholders_become_positional() {
        let (text, order) =
            super::sqlite_placeholders("a = $2 AND b IN ($1, $10) AND c = '$' AND d = $2 AND e = '霍邱'");
        assert_eq!(text, "a = ? AND b IN (?, ?) AND c = '$' AND d = ? AND e = '霍邱'");
        assert_eq!(order, [1, 0, 9, 1]);
    }
}
