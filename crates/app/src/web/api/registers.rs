//! `/regions`, `/enterprises`, `/officers`, `/imports/{kind}`.

use super::PageJson;
use crate::import::Limits;
use crate::service::invalid;
use crate::service::registers::{ImportError, ImportOptions};
use crate::web::State;
use crate::web::auth::ApiUser;
use crate::web::error::{ApiError, ErrorBody};
use axum::Json;
use axum::extract::{Multipart, Path, Query, State as S};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::enterprise::{Enterprise, RiskLevel};
use domain::officer::Officer;
use domain::page::PageRequest;
use domain::region::RegionCode;
use domain::register_row::{RegisterKind, RowError};
use store::enterprise::{EnterpriseFilter, UpsertCount};
use store::officer::OfficerFilter;

/// A region of the register.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct RegionJson {
    /// Six-digit code.
    pub code: String,
    /// Parent code.
    pub parent: Option<String>,
    /// `province`, `city`, `county` or `dev_zone`.
    pub level: String,
    /// Chinese name.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
}

/// Every region (public reference data, but only to logged-in callers).
#[utoipa::path(get, path = "/api/v1/regions", tag = "registers", security(("bearer" = [])), responses((status = 200, body = Vec<RegionJson>)))]
pub async fn list_regions(S(state): S<State>, _user: ApiUser) -> Result<Json<Vec<RegionJson>>, ApiError> {
    let regions = store::reference::regions(&state.app.db).await?;
    Ok(Json(
        regions
            .into_iter()
            .map(|r| RegionJson {
                code: r.code.to_string(),
                parent: r.parent.map(|p| p.to_string()),
                level: r.level.as_str().to_owned(),
                name_zh: r.name_zh,
                name_en: r.name_en,
            })
            .collect(),
    ))
}

/// An enterprise.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct EnterpriseJson {
    /// Id.
    pub id: String,
    /// Version (optimistic concurrency).
    pub version: i64,
    /// Unified social credit code.
    pub credit_code: String,
    /// Name.
    pub name: String,
    /// Region code.
    pub region_code: String,
    /// Sector code.
    pub sector: String,
    /// `major`, `high`, `general` or `low`.
    pub risk_level: String,
    /// `level1`..`level3` or null.
    pub standard_grade: Option<String>,
    /// Annual cap on checks.
    pub annual_check_cap: i64,
    /// Address.
    pub address: String,
    /// `active` or `inactive`.
    pub status: String,
}

impl From<Enterprise> for EnterpriseJson {
    fn from(e: Enterprise) -> Self {
        Self {
            id: e.id,
            version: e.version,
            credit_code: e.credit_code,
            name: e.name,
            region_code: e.region_code,
            sector: e.sector,
            risk_level: e.risk_level.as_str().to_owned(),
            standard_grade: e.standard_grade.map(|g| g.as_str().to_owned()),
            annual_check_cap: e.annual_check_cap,
            address: e.address,
            status: e.status.as_str().to_owned(),
        }
    }
}

/// Filters and paging of the enterprise list.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
pub struct EnterpriseParams {
    /// Part of the name, or the start of a credit code.
    pub q: Option<String>,
    /// Region code (includes the regions under it).
    pub region: Option<String>,
    /// Sector code.
    pub sector: Option<String>,
    /// Risk level.
    pub risk: Option<String>,
    /// Page number, from 1.
    pub page: Option<u32>,
    /// Rows per page (1-200, default 50).
    pub per_page: Option<u32>,
}

fn region_prefix(code: Option<&str>) -> Result<Option<domain::region::RegionPrefix>, ApiError> {
    let Some(code) = code.filter(|c| !c.is_empty()) else { return Ok(None) };
    let code = RegionCode::parse(code).map_err(|e| invalid("region", e.to_string()))?;
    let region =
        crate::refdata::REGIONS.iter().find(|r| r.code == code).ok_or_else(|| invalid("region", "unknown region"))?;
    Ok(Some(region.prefix()))
}

/// Enterprises in the caller's jurisdiction.
#[utoipa::path(get, path = "/api/v1/enterprises", tag = "registers", security(("bearer" = [])), params(EnterpriseParams),
    responses((status = 200, body = PageJson<EnterpriseJson>), (status = 403, body = ErrorBody)))]
pub async fn list_enterprises(
    S(state): S<State>,
    user: ApiUser,
    Query(q): Query<EnterpriseParams>,
) -> Result<Json<PageJson<EnterpriseJson>>, ApiError> {
    let risk = match q.risk.as_deref().filter(|r| !r.is_empty()) {
        Some(r) => Some(RiskLevel::parse(r).ok_or_else(|| invalid("risk", "use major, high, general or low"))?),
        None => None,
    };
    let filter = EnterpriseFilter {
        q: q.q,
        region: region_prefix(q.region.as_deref())?,
        sector: q.sector.filter(|s| !s.is_empty()),
        risk,
    };
    let page = state.app.list_enterprises(&user.auth.principal, &filter, PageRequest::new(q.page, q.per_page)).await?;
    Ok(Json(page.into()))
}

/// One enterprise (404 if unknown or outside the caller's jurisdiction).
#[utoipa::path(get, path = "/api/v1/enterprises/{id}", tag = "registers", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = EnterpriseJson), (status = 404, body = ErrorBody)))]
pub async fn get_enterprise(
    S(state): S<State>,
    user: ApiUser,
    Path(id): Path<String>,
) -> Result<Json<EnterpriseJson>, ApiError> {
    Ok(Json(state.app.get_enterprise(&user.auth.principal, &id).await?.into()))
}

/// An officer.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct OfficerJson {
    /// Id.
    pub id: String,
    /// Version.
    pub version: i64,
    /// Badge number.
    pub badge_no: String,
    /// Name.
    pub name: String,
    /// Unit.
    pub unit: String,
    /// Department code.
    pub department: String,
    /// Region code.
    pub region_code: String,
    /// Certificate valid until (YYYY-MM-DD).
    pub cert_valid_until: String,
    /// `active` or `inactive`.
    pub status: String,
}

impl From<Officer> for OfficerJson {
    fn from(o: Officer) -> Self {
        Self {
            id: o.id,
            version: o.version,
            badge_no: o.badge_no,
            name: o.name,
            unit: o.unit,
            department: o.department,
            region_code: o.region_code,
            cert_valid_until: o.cert_valid_until,
            status: o.status.as_str().to_owned(),
        }
    }
}

/// Filters and paging of the officer list.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
pub struct OfficerParams {
    /// Part of the name or badge number.
    pub q: Option<String>,
    /// Region code.
    pub region: Option<String>,
    /// Department code.
    pub department: Option<String>,
    /// Only officers certified on this date (YYYY-MM-DD).
    pub certified_on: Option<String>,
    /// Page number.
    pub page: Option<u32>,
    /// Rows per page.
    pub per_page: Option<u32>,
}

/// Officers in the caller's jurisdiction.
#[utoipa::path(get, path = "/api/v1/officers", tag = "registers", security(("bearer" = [])), params(OfficerParams),
    responses((status = 200, body = PageJson<OfficerJson>), (status = 403, body = ErrorBody)))]
pub async fn list_officers(
    S(state): S<State>,
    user: ApiUser,
    Query(q): Query<OfficerParams>,
) -> Result<Json<PageJson<OfficerJson>>, ApiError> {
    if let Some(d) = q.certified_on.as_deref()
        && d.parse::<jiff::civil::Date>().is_err()
    {
        return Err(invalid("certified_on", "use YYYY-MM-DD").into());
    }
    let filter = OfficerFilter {
        q: q.q,
        region: region_prefix(q.region.as_deref())?,
        department: q.department.filter(|s| !s.is_empty()),
        certified_on: q.certified_on,
    };
    let page = state.app.list_officers(&user.auth.principal, &filter, PageRequest::new(q.page, q.per_page)).await?;
    Ok(Json(page.into()))
}

/// One officer.
#[utoipa::path(get, path = "/api/v1/officers/{id}", tag = "registers", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = OfficerJson), (status = 404, body = ErrorBody)))]
pub async fn get_officer(
    S(state): S<State>,
    user: ApiUser,
    Path(id): Path<String>,
) -> Result<Json<OfficerJson>, ApiError> {
    Ok(Json(state.app.get_officer(&user.auth.principal, &id).await?.into()))
}

/// One bad cell.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct RowErrorJson {
    /// Spreadsheet row number (header = 1).
    pub row: usize,
    /// Column name.
    pub column: String,
    /// What is wrong (English).
    pub reason: String,
    /// What is wrong, in Chinese.
    pub reason_zh: String,
}

/// The outcome of an import.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ImportReportJson {
    /// Data rows read.
    pub rows: usize,
    /// Rows that passed validation.
    pub valid: usize,
    /// Whether anything was written (false: nothing changed).
    pub written: bool,
    /// New records.
    pub inserted: u64,
    /// Changed records.
    pub updated: u64,
    /// Identical records left alone.
    pub unchanged: u64,
    /// Every bad cell.
    pub errors: Vec<RowErrorJson>,
}

/// Import options.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
pub struct ImportParams {
    /// Write the good rows even when some rows are bad.
    #[serde(default)]
    pub skip_bad: bool,
}

/// Imports a register file (multipart field `file`, `.csv` or `.xlsx`). 200 when written;
/// 422 with the row-by-row report when nothing was written.
#[utoipa::path(post, path = "/api/v1/imports/{kind}", tag = "registers", security(("bearer" = [])),
    params(("kind" = String, Path, description = "`enterprises` or `officers`"), ImportParams),
    request_body(content_type = "multipart/form-data", description = "field `file`: the register"),
    responses((status = 200, body = ImportReportJson), (status = 422, body = ImportReportJson), (status = 403, body = ErrorBody)))]
pub async fn import_register(
    S(state): S<State>,
    user: ApiUser,
    Path(kind): Path<String>,
    Query(params): Query<ImportParams>,
    mut multipart: Multipart,
) -> Result<Response, ApiError> {
    let kind = match kind.as_str() {
        "enterprises" => RegisterKind::Enterprises,
        "officers" => RegisterKind::Officers,
        _ => return Err(crate::service::ServiceError::NotFound.into()),
    };
    let mut file = None;
    while let Some(field) = multipart.next_field().await.map_err(|e| invalid("file", e.to_string()))? {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or("upload.csv").to_owned();
            file = Some((name, field.bytes().await.map_err(|e| invalid("file", e.to_string()))?));
        }
    }
    let (name, bytes) = file.ok_or_else(|| invalid("file", "no file field in the upload"))?;
    let options = ImportOptions { skip_bad: params.skip_bad, limits: Limits::WEB };
    let report = match state.app.import_register(&user.actor(), kind, &name, &bytes, options, &|_| {}).await {
        Ok(r) => r,
        Err(ImportError::Service(e)) => return Err(e.into()),
        Err(e) => return Err(invalid("file", e.to_string()).into()),
    };
    let UpsertCount { inserted, updated, unchanged } = report.counts;
    let status = if report.written { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let json = ImportReportJson {
        rows: report.rows,
        valid: report.valid,
        written: report.written,
        inserted,
        updated,
        unchanged,
        errors: report
            .errors
            .into_iter()
            .map(|RowError { row, column, reason, reason_zh }| RowErrorJson { row, column, reason, reason_zh })
            .collect(),
    };
    Ok((status, Json(json)).into_response())
}
