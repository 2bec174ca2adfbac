//! Enterprises and officers: browsing within scope, and importing register files.
//!
//! An import is validated completely before anything is written. By default one bad row
//! means nothing is written and the report lists every bad cell; with `skip_bad` the good
//! rows are written and the bad ones are returned for a rejects file. Writing is one
//! transaction with one audit entry (counts and the file's SM3), so a crash mid-way leaves
//! the register as it was. Re-importing the same file changes nothing.

use super::{Actor, App, ServiceError};
use crate::import::{Limits, ReadError, Table, read_table};
use domain::access::{Permission, Principal};
use domain::enterprise::{Enterprise, NewEnterprise};
use domain::officer::{NewOfficer, Officer};
use domain::page::{PageRequest, Paged};
use domain::register_row::{ColumnMap, HeaderError, RegisterKind, RowError, parse_enterprise, parse_officer};
use serde_json::json;
use sm3::{Digest, Sm3};
use std::collections::HashMap;
use store::enterprise::{EnterpriseFilter, UpsertCount};
use store::officer::OfficerFilter;

/// What happened to an import.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct ImportReport {
    /// Data rows read.
    pub rows: usize,
    /// Rows that passed validation.
    pub valid: usize,
    /// Every bad cell, by row and column.
    pub errors: Vec<RowError>,
    /// Whether anything was written.
    pub written: bool,
    /// What the write did (when written).
    pub counts: UpsertCount,
    /// The bad rows as read (row number, cells), for a rejects file.
    #[serde(skip)]
    pub rejected: Vec<(usize, Vec<String>)>,
    /// The header row as read, for a rejects file.
    #[serde(skip)]
    pub headers: Vec<String>,
}

/// Why an import could not even be validated.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file could not be read.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// The header row is unusable.
    #[error(transparent)]
    Header(#[from] HeaderError),
    /// Something else failed.
    #[error(transparent)]
    Service(#[from] ServiceError),
}

impl ImportError {
    /// Why the file was refused, in Chinese, for the Chinese import page (a service error has
    /// its own page and is returned in English here).
    pub fn zh(&self, kind: RegisterKind) -> String {
        match self {
            Self::Read(e) => e.zh(),
            Self::Header(e) => e.zh(kind),
            Self::Service(e) => e.to_string(),
        }
    }
}

/// Options of an import.
#[derive(Debug, Clone, Copy)]
pub struct ImportOptions {
    /// Write the good rows even if some are bad.
    pub skip_bad: bool,
    /// Size limits.
    pub limits: Limits,
}

fn require(actor: &Actor, permission: Permission) -> Result<Option<&Principal>, ServiceError> {
    match &actor.principal {
        None => Ok(None), // the CLI operator
        Some(p) if p.can(permission) => Ok(Some(p)),
        Some(_) => Err(ServiceError::Forbidden),
    }
}

impl App {
    /// Lists enterprises in the caller's scope.
    pub async fn list_enterprises(
        &self,
        p: &Principal,
        filter: &EnterpriseFilter,
        page: PageRequest,
    ) -> Result<Paged<Enterprise>, ServiceError> {
        if !p.can(Permission::ViewEnterprises) {
            return Err(ServiceError::Forbidden);
        }
        Ok(store::enterprise::list(&self.db, &p.scope(), filter, page).await?)
    }

    /// One enterprise, or `NotFound` if unknown or outside the caller's scope.
    pub async fn get_enterprise(&self, p: &Principal, id: &str) -> Result<Enterprise, ServiceError> {
        if !p.can(Permission::ViewEnterprises) {
            return Err(ServiceError::Forbidden);
        }
        Ok(store::enterprise::get(&self.db, &p.scope(), id).await?)
    }

    /// Lists officers in the caller's scope.
    pub async fn list_officers(
        &self,
        p: &Principal,
        filter: &OfficerFilter,
        page: PageRequest,
    ) -> Result<Paged<Officer>, ServiceError> {
        if !p.can(Permission::ViewOfficers) {
            return Err(ServiceError::Forbidden);
        }
        Ok(store::officer::list(&self.db, &p.scope(), filter, page).await?)
    }

    /// One officer, or `NotFound`.
    pub async fn get_officer(&self, p: &Principal, id: &str) -> Result<Officer, ServiceError> {
        if !p.can(Permission::ViewOfficers) {
            return Err(ServiceError::Forbidden);
        }
        Ok(store::officer::get(&self.db, &p.scope(), id).await?)
    }

    /// Imports a register file. `progress` is told how many rows have been processed.
    pub async fn import_register(
        &self,
        actor: &Actor,
        kind: RegisterKind,
        file_name: &str,
        bytes: &[u8],
        options: ImportOptions,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<ImportReport, ImportError> {
        let principal = require(actor, Permission::ImportRegisters)?;
        // The file's digest (for the audit entry) on a second core while the table is read.
        let (table, sm3) = std::thread::scope(|s| {
            let digest = s.spawn(|| hex::encode(Sm3::digest(bytes)));
            let table = read_table(file_name, bytes, options.limits);
            (table, digest.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
        });
        let table = table?;
        let map = ColumnMap::from_headers(kind, &table.headers)?;
        let reference = store::reference::load_reference(&self.db).await.map_err(ServiceError::from)?;
        let mut report = ImportReport { rows: table.rows.len(), headers: table.headers.clone(), ..Default::default() };
        match kind {
            RegisterKind::Enterprises => {
                let mut good: Vec<NewEnterprise> = Vec::with_capacity(table.rows.len());
                let mut rows_of_good = Vec::with_capacity(table.rows.len());
                let parsed = table.check_rows(|n, cells| parse_enterprise(&map, n, cells, &reference));
                // The earlier row of a repeated credit code, found with keys borrowed from the
                // parsed rows (a million owned keys cost half a second to allocate and free).
                let earlier: Vec<Option<usize>> = {
                    let mut seen: HashMap<&str, usize> = HashMap::with_capacity(parsed.len());
                    let codes = parsed.iter().map(|p| p.as_ref().ok().map(|e| e.credit_code.as_str()));
                    codes.zip(&table.rows).map(|(code, (n, _))| code.and_then(|c| seen.insert(c, *n))).collect()
                };
                for (((n, cells), parsed), earlier) in table.rows.iter().zip(parsed).zip(earlier) {
                    match parsed {
                        Ok(e) => {
                            if let Some(first) = earlier {
                                reject(&mut report, *n, cells, "credit_code", repeats(first));
                            } else if principal.is_some_and(|p| !p.governs(e.region.as_str())) {
                                reject(&mut report, *n, cells, "region_code", outside());
                            } else {
                                rows_of_good.push((*n, cells));
                                good.push(e);
                            }
                        }
                        Err(errs) => reject_all(&mut report, *n, cells, errs),
                    }
                }
                // An office may not take over, or move, an enterprise registered elsewhere.
                if let Some(p) = principal {
                    let codes: Vec<&str> = good.iter().map(|e| e.credit_code.as_str()).collect();
                    let existing =
                        store::enterprise::existing_regions(&self.db, &codes).await.map_err(ServiceError::from)?;
                    let mut kept = Vec::with_capacity(good.len());
                    for (e, (n, cells)) in good.into_iter().zip(rows_of_good) {
                        match existing.get(e.credit_code.as_str()) {
                            Some(region) if !p.governs(region) => reject(
                                &mut report,
                                n,
                                cells,
                                "credit_code",
                                ("is registered outside your jurisdiction".into(), "登记在您的辖区之外".into()),
                            ),
                            _ => kept.push(e),
                        }
                    }
                    good = kept;
                }
                report.valid = good.len();
                progress(table.rows.len() as u64 / 2);
                if report.errors.is_empty() || options.skip_bad {
                    report.counts = self
                        .write_enterprises(actor, &good, file_name, &sm3, &report, progress, table.rows.len())
                        .await?;
                    report.written = true;
                }
            }
            RegisterKind::Officers => {
                let mut good: Vec<NewOfficer> = Vec::new();
                let mut seen: HashMap<String, usize> = HashMap::new();
                for (n, cells) in &table.rows {
                    match parse_officer(&map, *n, cells, &reference) {
                        Ok(o) => {
                            if let Some(first) = seen.insert(o.badge_no.as_str().to_owned(), *n) {
                                reject(&mut report, *n, cells, "badge_no", repeats(first));
                            } else if principal.is_some_and(|p| !p.governs(o.region.as_str())) {
                                reject(&mut report, *n, cells, "region_code", outside());
                            } else {
                                good.push(o);
                            }
                        }
                        Err(errs) => reject_all(&mut report, *n, cells, errs),
                    }
                }
                report.valid = good.len();
                if report.errors.is_empty() || options.skip_bad {
                    let mut tx = self.db.begin().await.map_err(ServiceError::from)?;
                    let counts =
                        store::officer::upsert(&mut tx, &good, self.now_ms()).await.map_err(ServiceError::from)?;
                    let detail = audit_detail(file_name, &sm3, &report, counts);
                    self.audit(&mut tx, actor, None, "officer.import", ("register", file_name), "ok", detail)
                        .await
                        .map_err(ServiceError::from)?;
                    tx.commit().await.map_err(ServiceError::from)?;
                    report.counts = counts;
                    report.written = true;
                }
            }
        }
        progress(table.rows.len() as u64);
        Ok(report)
    }

    #[allow(clippy::too_many_arguments)]
    async fn write_enterprises(
        &self,
        actor: &Actor,
        rows: &[NewEnterprise],
        file_name: &str,
        sm3: &str,
        report: &ImportReport,
        progress: &(dyn Fn(u64) + Sync),
        total: usize,
    ) -> Result<UpsertCount, ServiceError> {
        let now = self.now_ms();
        // A transaction of its own: an import changes many pages, which a transaction that
        // joined others' group commit would keep copies of until it ended.
        let mut tx = self.db.begin_alone().await?;
        // The second half of the bar: rows looked up (their writes follow at the end).
        let half = |checked: usize| (total / 2 + checked * total / (2 * rows.len().max(1))).min(total) as u64;
        let counts = store::enterprise::upsert_reporting(&mut tx, rows, now, |checked| progress(half(checked))).await?;
        progress(total as u64);
        let detail = audit_detail(file_name, sm3, report, counts);
        self.audit(&mut tx, actor, None, "enterprise.import", ("register", file_name), "ok", detail).await?;
        tx.commit().await?;
        Ok(counts)
    }
}

fn audit_detail(file_name: &str, sm3: &str, report: &ImportReport, counts: UpsertCount) -> serde_json::Value {
    json!({
        "file": file_name,
        "sm3": sm3,
        "rows": report.rows,
        "rejected": report.rejected.len(),
        "inserted": counts.inserted,
        "updated": counts.updated,
        "unchanged": counts.unchanged,
    })
}

/// A row's region outside the importer's jurisdiction (English, Chinese).
fn outside() -> (String, String) {
    ("is outside your jurisdiction".into(), "不在您的辖区内".into())
}

/// "Repeats row N" (English, Chinese).
fn repeats(first: usize) -> (String, String) {
    (format!("repeats row {first}"), format!("与第 {first} 行重复"))
}

fn reject(
    report: &mut ImportReport,
    row: usize,
    cells: &[String],
    column: &str,
    (reason, reason_zh): (String, String),
) {
    reject_all(report, row, cells, vec![RowError { row, column: column.to_owned(), reason, reason_zh }]);
}

fn reject_all(report: &mut ImportReport, row: usize, cells: &[String], errors: Vec<RowError>) {
    report.errors.extend(errors);
    report.rejected.push((row, cells.to_vec()));
}

/// Writes the rejected rows (with a leading `error` column) as CSV, for `--skip-bad`.
pub fn rejects_csv(report: &ImportReport) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["row".to_owned(), "errors".to_owned()];
    header.extend(report.headers.iter().cloned());
    let _ = w.write_record(&header);
    for (row, cells) in &report.rejected {
        let reasons: Vec<String> =
            report.errors.iter().filter(|e| e.row == *row).map(|e| format!("{}: {}", e.column, e.reason)).collect();
        let mut rec = vec![row.to_string(), reasons.join("; ")];
        rec.extend(cells.iter().cloned());
        let _ = w.write_record(&rec);
    }
    w.into_inner().unwrap_or_default()
}

/// Reads the table only (for tests and previews).
pub fn preview(file_name: &str, bytes: &[u8]) -> Result<Table, ReadError> {
    read_table(file_name, bytes, Limits::WEB)
}
