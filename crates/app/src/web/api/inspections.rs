//! `/inspections`.

use super::PageJson;
use crate::service::inspections::{CheckItem, InspectionInput, Substitution};
use crate::web::State;
use crate::web::auth::ApiUser;
use crate::web::error::{ApiError, ErrorBody};
use axum::Json;
use axum::extract::{Path, Query, State as S};
use axum::http::StatusCode;
use domain::page::PageRequest;
use store::inspection::Inspection;

/// An inspection.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct InspectionJson {
    /// Id.
    pub id: String,
    /// Document number.
    pub inspection_no: String,
    /// Region.
    pub region_code: String,
    /// Plan carried out.
    pub plan_id: Option<String>,
    /// Enterprise id.
    pub enterprise_id: String,
    /// Credit code.
    pub credit_code: String,
    /// Enterprise name.
    pub enterprise_name: String,
    /// When (ms).
    pub inspected_at: i64,
    /// Date in China.
    pub inspected_on: String,
    /// Officers present.
    pub officers: Vec<String>,
    /// Substitutions.
    pub substitutions: Vec<Substitution>,
    /// Check items.
    pub items: Vec<CheckItem>,
    /// Representative.
    pub representative: String,
    /// Outcome.
    pub outcome: String,
    /// Hazards recorded from the findings.
    pub hazards: Vec<String>,
    /// Reason for a visit beyond the annual cap.
    pub cap_reason: Option<String>,
}

impl From<Inspection> for InspectionJson {
    fn from(i: Inspection) -> Self {
        Self {
            officers: serde_json::from_str(&i.officers).unwrap_or_default(),
            substitutions: serde_json::from_str(&i.substitutions).unwrap_or_default(),
            items: serde_json::from_str(&i.items).unwrap_or_default(),
            hazards: serde_json::from_str(&i.hazards).unwrap_or_default(),
            id: i.id,
            inspection_no: i.inspection_no,
            region_code: i.region_code,
            plan_id: i.plan_id,
            enterprise_id: i.enterprise_id,
            credit_code: i.credit_code,
            enterprise_name: i.enterprise_name,
            inspected_at: i.inspected_at,
            inspected_on: i.inspected_on,
            representative: i.representative,
            outcome: i.outcome,
            cap_reason: i.cap_reason,
        }
    }
}

/// Records an inspection; findings become hazards (source `spot_check` for a plan's inspection).
#[utoipa::path(post, path = "/api/v1/inspections", tag = "spot checks", security(("bearer" = [])), request_body = InspectionInput,
    responses((status = 201, body = InspectionJson), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn record_inspection(
    S(state): S<State>,
    user: ApiUser,
    Json(input): Json<InspectionInput>,
) -> Result<(StatusCode, Json<InspectionJson>), ApiError> {
    let (i, _) = state.app.record_inspection(&user.actor(), &input).await?;
    Ok((StatusCode::CREATED, Json(i.into())))
}

/// Filters.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
pub struct InspectionParams {
    /// Only this plan's inspections.
    pub plan: Option<String>,
    /// Region code (and the regions under it).
    pub region: Option<String>,
    /// Inspected on or after (YYYY-MM-DD).
    pub from: Option<String>,
    /// Inspected on or before (YYYY-MM-DD).
    pub to: Option<String>,
    /// `true`: only spot checks (inspections of a drawn plan).
    pub spot: Option<bool>,
    /// Page.
    pub page: Option<u32>,
    /// Rows per page.
    pub per_page: Option<u32>,
}

/// Inspections in the caller's jurisdiction.
#[utoipa::path(get, path = "/api/v1/inspections", tag = "spot checks", security(("bearer" = [])), params(InspectionParams),
    responses((status = 200, body = PageJson<InspectionJson>)))]
pub async fn list_inspections(
    S(state): S<State>,
    user: ApiUser,
    Query(q): Query<InspectionParams>,
) -> Result<Json<PageJson<InspectionJson>>, ApiError> {
    let s = |v: &Option<String>| v.clone().unwrap_or_default();
    let filter = crate::service::App::inspection_filter(
        &s(&q.plan),
        &s(&q.region),
        &s(&q.from),
        &s(&q.to),
        q.spot.unwrap_or(false),
    )?;
    Ok(Json(
        state.app.list_inspections(&user.auth.principal, &filter, PageRequest::new(q.page, q.per_page)).await?.into(),
    ))
}

/// One inspection.
#[utoipa::path(get, path = "/api/v1/inspections/{id}", tag = "spot checks", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = InspectionJson), (status = 404, body = ErrorBody)))]
pub async fn get_inspection(
    S(state): S<State>,
    user: ApiUser,
    Path(id): Path<String>,
) -> Result<Json<InspectionJson>, ApiError> {
    Ok(Json(state.app.get_inspection(&user.auth.principal, &id).await?.into()))
}
