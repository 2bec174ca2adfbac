//! Reading register files (CSV or XLSX) into rows of text cells, within size limits.
//!
//! Every cell becomes text: numbers that are really codes (credit codes typed as numbers)
//! are written without a decimal part, Excel dates become `YYYY-MM-DD`, and formulas are
//! never evaluated (we read the value a spreadsheet saved, and a text cell starting with `=`
//! stays text). CSV may be UTF-8 (with or without BOM) or GB18030, as saved by Excel on
//! Chinese Windows.

use std::io::Cursor;

/// Limits that protect the server from huge or malicious files.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest file accepted, in bytes.
    pub max_bytes: usize,
    /// Most data rows accepted.
    pub max_rows: usize,
    /// Largest total uncompressed size of an XLSX archive (zip-bomb guard).
    pub max_unzipped_bytes: u64,
}

impl Limits {
    /// Uploads through the web UI or API: 20 MB, 100,000 rows.
    pub const WEB: Limits = Limits { max_bytes: 20 << 20, max_rows: 100_000, max_unzipped_bytes: 200 << 20 };
    /// Files imported by the operator with the CLI: 1 GB, 2,000,000 rows.
    pub const CLI: Limits = Limits { max_bytes: 1 << 30, max_rows: 2_000_000, max_unzipped_bytes: 4 << 30 };
}

/// Why a file cannot be read at all.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// Larger than the limit.
    #[error("the file is {size} bytes; the limit is {limit} bytes")]
    TooLarge {
        /// Size.
        size: usize,
        /// Limit.
        limit: usize,
    },
    /// More rows than the limit.
    #[error("the file has more than {0} data rows; split it")]
    TooManyRows(usize),
    /// Neither `.csv` nor `.xlsx`.
    #[error("unsupported file type '{0}': use .csv or .xlsx")]
    UnsupportedType(String),
    /// The file has no header row.
    #[error("the file is empty (no header row)")]
    Empty,
    /// The CSV or XLSX is malformed.
    #[error("the file cannot be read: {0}")]
    Malformed(String),
}

impl ReadError {
    /// The reason in Chinese, for the Chinese import page.
    pub fn zh(&self) -> String {
        match self {
            Self::TooLarge { size, limit } => format!("文件大小为 {size} 字节，上限为 {limit} 字节"),
            Self::TooManyRows(n) => format!("文件数据行超过 {n} 行，请拆分后导入"),
            Self::UnsupportedType(t) => format!("不支持的文件类型“{t}”：请使用 .csv 或 .xlsx"),
            Self::Empty => "文件为空（没有表头行）".into(),
            Self::Malformed(e) => format!("文件无法读取：{e}"),
        }
    }
}

/// A register file as text: the header row and the data rows with their spreadsheet row
/// numbers (the header is the first non-blank row). Blank rows are skipped but keep numbering
/// honest.
#[derive(Debug, Clone, Default)]
pub struct Table {
    /// Header cells.
    pub headers: Vec<String>,
    /// `(row number, cells)`.
    pub rows: Vec<(usize, Vec<String>)>,
}

impl Table {
    /// `check` applied to every row, in row order: the rows are cut into one slice per core and
    /// the slices checked at the same time (a million enterprise rows took 1.5 s on one core).
    /// Runs on the calling thread and its helpers until all are done; small tables stay on the
    /// calling thread.
    pub fn check_rows<T: Send>(&self, check: impl Fn(usize, &[String]) -> T + Sync) -> Vec<T> {
        const SERIAL_BELOW: usize = 20_000;
        let cores = cores();
        if cores < 2 || self.rows.len() < SERIAL_BELOW {
            return self.rows.iter().map(|(n, cells)| check(*n, cells)).collect();
        }
        let slice = self.rows.len().div_ceil(cores);
        std::thread::scope(|s| {
            let check = &check;
            let workers: Vec<_> = self
                .rows
                .chunks(slice)
                .map(|rows| s.spawn(move || rows.iter().map(|(n, cells)| check(*n, cells)).collect::<Vec<T>>()))
                .collect();
            workers.into_iter().flat_map(|w| w.join().unwrap_or_else(|p| std::panic::resume_unwind(p))).collect()
        })
    }
}

/// The processor cores the reader and the checks may use (one when unknown).
fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
}

/// Reads a file by its name's extension.
pub fn read_table(file_name: &str, bytes: &[u8], limits: Limits) -> Result<Table, ReadError> {
    if bytes.len() > limits.max_bytes {
        return Err(ReadError::TooLarge { size: bytes.len(), limit: limits.max_bytes });
    }
    let lower = file_name.to_lowercase();
    if lower.ends_with(".csv") {
        read_csv(bytes, limits)
    } else if lower.ends_with(".xlsx") {
        read_xlsx(bytes, limits)
    } else {
        Err(ReadError::UnsupportedType(file_name.rsplit('.').next().unwrap_or("").to_owned()))
    }
}

fn decode_text(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => s.into(),
        Err(_) => encoding_rs::GB18030.decode(bytes).0,
    }
}

fn push_row(table: &mut Table, number: usize, cells: Vec<String>, limits: Limits) -> Result<(), ReadError> {
    if cells.iter().all(|c| c.trim().is_empty()) {
        return Ok(());
    }
    if table.headers.is_empty() {
        table.headers = cells;
        return Ok(());
    }
    if table.rows.len() >= limits.max_rows {
        return Err(ReadError::TooManyRows(limits.max_rows));
    }
    table.rows.push((number, cells));
    Ok(())
}

/// CSV text from which a file without quotes is read on every core (below, one core is as quick).
const PARALLEL_CSV_FROM: usize = 4 << 20;

fn read_csv(bytes: &[u8], limits: Limits) -> Result<Table, ReadError> {
    let text = decode_text(bytes);
    let pieces = line_pieces(&text);
    let mut table = Table::default();
    if pieces.len() < 2 {
        read_records(&text, 0, |line, cells| push_row(&mut table, line, cells, limits))?;
    } else {
        // Each piece into its own list (stopping past the row limit), then all of them in order
        // through `push_row`, which picks the header and enforces the limit as for one piece.
        let read = std::thread::scope(|s| {
            let workers: Vec<_> = pieces
                .iter()
                .map(|&(piece, lines_before)| {
                    s.spawn(move || {
                        let mut rows = Vec::new();
                        read_records(piece, lines_before, |line, cells| {
                            rows.push((line, cells));
                            if rows.len() > limits.max_rows + 1 {
                                return Err(ReadError::TooManyRows(limits.max_rows));
                            }
                            Ok(())
                        })
                        .map(|()| rows)
                    })
                })
                .collect();
            workers.into_iter().map(|w| w.join().unwrap_or_else(|p| std::panic::resume_unwind(p))).collect::<Vec<_>>()
        });
        for rows in read {
            for (line, cells) in rows? {
                push_row(&mut table, line, cells, limits)?;
            }
        }
    }
    if table.headers.is_empty() {
        return Err(ReadError::Empty);
    }
    Ok(table)
}

/// `text` cut at line ends into one piece per core, each with the number of lines before it,
/// when it is large and holds no quote: then no record spans two lines, and a piece starting
/// after a newline starts a record. Otherwise the whole text as one piece.
fn line_pieces(text: &str) -> Vec<(&str, usize)> {
    let cores = cores();
    if cores < 2 || text.len() < PARALLEL_CSV_FROM || text.contains('"') {
        return vec![(text, 0)];
    }
    let mut pieces = Vec::with_capacity(cores);
    let (mut start, mut lines_before) = (0, 0);
    for k in 1..cores {
        let target = (text.len() * k / cores).max(start);
        let Some(cut) = text.as_bytes()[target..].iter().position(|&b| b == b'\n').map(|i| target + i + 1) else {
            break;
        };
        pieces.push((&text[start..cut], lines_before));
        lines_before += text.as_bytes()[start..cut].iter().filter(|&&b| b == b'\n').count();
        start = cut;
    }
    pieces.push((&text[start..], lines_before));
    pieces
}

/// Calls `row` with each record of `text` and the spreadsheet line it starts on (blank lines
/// count), `lines_before` lines into the file.
fn read_records(
    text: &str,
    lines_before: usize,
    mut row: impl FnMut(usize, Vec<String>) -> Result<(), ReadError>,
) -> Result<(), ReadError> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let (mut line, mut counted_to) = (1 + lines_before, 0usize);
    let mut record = csv::StringRecord::new();
    while reader.read_record(&mut record).map_err(|e| ReadError::Malformed(e.to_string()))? {
        // The line a record starts on is the row a spreadsheet shows (blank lines count).
        // (csv reports a record after blank lines as starting at the first blank line.)
        let mut start = record.position().map(|p| p.byte() as usize).unwrap_or(counted_to).min(text.len());
        while start < text.len() && matches!(text.as_bytes()[start], b'\n' | b'\r') {
            start += 1;
        }
        line += text.as_bytes()[counted_to..start].iter().filter(|&&b| b == b'\n').count();
        counted_to = start;
        row(line, record.iter().map(str::to_owned).collect())?;
    }
    Ok(())
}

fn read_xlsx(bytes: &[u8], limits: Limits) -> Result<Table, ReadError> {
    use calamine::{Data, Reader, Xlsx};
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| ReadError::Malformed(e.to_string()))?;
    let mut unzipped = 0u64;
    for i in 0..archive.len() {
        unzipped += archive.by_index_raw(i).map_err(|e| ReadError::Malformed(e.to_string()))?.size();
    }
    if unzipped > limits.max_unzipped_bytes {
        return Err(ReadError::Malformed(format!("it unpacks to {unzipped} bytes, over the limit")));
    }
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes))
        .map_err(|e: calamine::XlsxError| ReadError::Malformed(e.to_string()))?;
    let range = book.worksheet_range_at(0).ok_or(ReadError::Empty)?.map_err(|e| ReadError::Malformed(e.to_string()))?;
    let first_row = range.start().map(|(r, _)| r as usize).unwrap_or(0);
    let mut table = Table::default();
    for (i, row) in range.rows().enumerate() {
        let cells = row
            .iter()
            .map(|d| match *d {
                Data::Empty => String::new(),
                Data::String(ref s) | Data::DateTimeIso(ref s) | Data::DurationIso(ref s) => s.clone(),
                Data::Int(n) => n.to_string(),
                Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e17 => format!("{}", f as i64),
                Data::Float(f) => f.to_string(),
                Data::Bool(b) => b.to_string(),
                Data::DateTime(ref dt) => excel_date(dt.as_f64()),
                Data::Error(ref e) => format!("#ERROR {e}"),
            })
            .collect();
        push_row(&mut table, first_row + i + 1, cells, limits)?;
    }
    if table.headers.is_empty() {
        return Err(ReadError::Empty);
    }
    Ok(table)
}

/// Converts an Excel serial date (days since 1899-12-30) to `YYYY-MM-DD`.
fn excel_date(serial: f64) -> String {
    let days = serial.floor() as i64;
    jiff::civil::date(1899, 12, 30)
        .checked_add(jiff::Span::new().days(days))
        .map(|d| d.to_string())
        .unwrap_or_else(|_| serial.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_checked_on_several_threads_come_back_in_row_order() {
        let rows: Vec<(usize, Vec<String>)> = (0..50_001).map(|i| (i + 2, vec![format!("c{i}")])).collect();
        let table = Table { headers: vec!["code".into()], rows };
        let checked = table.check_rows(|n, cells| (n, cells[0].clone(), std::thread::current().id()));
        assert_eq!(checked.len(), 50_001);
        assert!(checked.iter().enumerate().all(|(i, (n, c, _))| *n == i + 2 && *c == format!("c{i}")));
        let threads: std::collections::HashSet<_> = checked.iter().map(|(_, _, t)| *t).collect();
        assert_eq!(threads.len(), cores(), "one slice of rows per core");
    }

    #[test]
    fn csv_in_gb18030_is_decoded() {
        let (bytes, _, _) = encoding_rs::GB18030.encode("名称,代码\n霍邱县某公司,1\n");
        let t = read_table("a.csv", &bytes, Limits::WEB).unwrap();
        assert_eq!(t.headers, ["名称", "代码"]);
        assert_eq!(t.rows[0].1[0], "霍邱县某公司");
    }

    #[test]
    fn blank_rows_are_skipped_but_row_numbers_stay_true() {
        let t = read_table("a.csv", b"h\n\nx\n", Limits::WEB).unwrap();
        assert_eq!(t.rows, vec![(3, vec!["x".to_owned()])]);
    }

    #[test]
    fn limits_are_enforced_with_clear_errors() {
        let small = Limits { max_bytes: 10, max_rows: 1, max_unzipped_bytes: 0 };
        assert!(matches!(read_table("a.csv", &[b'x'; 11], small), Err(ReadError::TooLarge { size: 11, limit: 10 })));
        assert!(matches!(read_table("a.csv", b"h\n1\n2\n", small), Err(ReadError::TooManyRows(1))));
        assert!(matches!(read_table("a.exe", b"MZ", Limits::WEB), Err(ReadError::UnsupportedType(_))));
    }

    #[test]
    fn a_large_csv_read_in_pieces_equals_the_same_file_read_whole() {
        // Blank lines, CRLF and LF, and a header after blank lines: the row numbers a
        // spreadsheet shows must not depend on where the pieces were cut.
        let mut text = String::from("\r\n\n名称,代码,地址\r\n");
        for i in 0..200_000 {
            text.push_str(&format!("企业{i},9134{i:014},安徽省某县{i}号\n"));
            if i % 997 == 0 {
                text.push_str("\r\n,,\n");
            }
        }
        assert!(text.len() >= PARALLEL_CSV_FROM && line_pieces(&text).len() > 1 || cores() < 2);
        let pieces = read_table("a.csv", text.as_bytes(), Limits::CLI).unwrap();
        let mut whole = Table::default();
        read_records(&text, 0, |line, cells| push_row(&mut whole, line, cells, Limits::CLI)).unwrap();
        assert_eq!(pieces.headers, ["名称", "代码", "地址"]);
        assert_eq!(pieces.rows.len(), 200_000);
        assert_eq!(pieces.rows, whole.rows);
        assert_eq!(
            pieces.rows[998],
            (1006, vec!["企业998".to_owned(), "913400000000000998".to_owned(), "安徽省某县998号".to_owned()])
        );
        let few = Limits { max_rows: 150_000, ..Limits::CLI };
        assert!(matches!(read_table("a.csv", text.as_bytes(), few), Err(ReadError::TooManyRows(150_000))));
    }

    #[test]
    fn csv_with_quotes_is_read_whole() {
        assert_eq!(line_pieces("a,\"b\nc\"\n").len(), 1, "a quoted newline must not be cut");
    }

    #[test]
    fn excel_serial_dates_become_iso_dates() {
        assert_eq!(excel_date(45291.0), "2023-12-31");
    }
}
