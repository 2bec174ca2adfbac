//! `/plans` (spot-check plans and their draws) and `/conflicts`.

use super::{PageJson, PageParams};
use crate::service::plans::{PlanInput, plan_quotas, plan_sectors};
use crate::web::State;
use crate::web::auth::ApiUser;
use crate::web::error::{ApiError, ErrorBody};
use axum::Json;
use axum::extract::{Path, Query, State as S};
use axum::http::StatusCode;
use domain::page::PageRequest;
use store::plan::Plan;

/// A plan. The secret never appears here; after the draw, the full record is at
/// `/public/draws/{plan_no}/record.json`.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct PlanJson {
    /// Id.
    pub id: String,
    /// Document number.
    pub plan_no: String,
    /// Jurisdiction.
    pub region_code: String,
    /// Title.
    pub name: String,
    /// First day.
    pub period_start: String,
    /// Last day.
    pub period_end: String,
    /// Sector codes in scope (empty: all).
    pub sectors: Vec<String>,
    /// Quotas per risk stratum: `{"stratum": "major", "quota": {"mode": "rate_basis_points", "value": 3000}}`.
    #[schema(value_type = Vec<Object>)]
    pub quotas: serde_json::Value,
    /// Officers per team.
    pub team_size: i64,
    /// Check items.
    pub check_items: String,
    /// `draft`, `committed` or `drawn`.
    pub status: String,
    /// Version (send it back with commit and draw).
    pub version: i64,
    /// SHA-256 of the frozen inputs, once committed.
    pub inputs_digest: Option<String>,
    /// SHA-256 of the secret, once committed.
    pub commitment: Option<String>,
    /// The beacon, once drawn.
    pub beacon: Option<String>,
    /// Where the public record is, once committed.
    pub public_url: Option<String>,
}

impl From<Plan> for PlanJson {
    fn from(p: Plan) -> Self {
        Self {
            quotas: serde_json::to_value(plan_quotas(&p)).unwrap_or_default(),
            sectors: plan_sectors(&p),
            public_url: (p.status != domain::plan::PlanStatus::Draft).then(|| format!("/public/draws/{}", p.plan_no)),
            id: p.id,
            plan_no: p.plan_no,
            region_code: p.region_code,
            name: p.name,
            period_start: p.period_start,
            period_end: p.period_end,
            team_size: p.team_size,
            check_items: p.check_items,
            status: p.status.as_str().to_owned(),
            version: p.version,
            inputs_digest: p.inputs_digest,
            commitment: p.commitment,
            beacon: p.beacon,
        }
    }
}

/// A new plan.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
pub struct NewPlanJson {
    /// Title.
    pub name: String,
    /// First day (YYYY-MM-DD).
    pub period_start: String,
    /// Last day (YYYY-MM-DD).
    pub period_end: String,
    /// Sector codes (empty: all).
    #[serde(default)]
    pub sectors: Vec<String>,
    /// Quota per risk level as text: a rate (`"30%"`, rounded up) or a count (`"12"`); omit a level to skip it.
    #[serde(default)]
    pub quotas: std::collections::HashMap<String, String>,
    /// Officers per team (at least 2).
    pub team_size: i64,
    /// Check items.
    #[serde(default)]
    pub check_items: String,
}

/// Creates a draft plan in the caller's jurisdiction (county and city offices).
#[utoipa::path(post, path = "/api/v1/plans", tag = "spot checks", security(("bearer" = [])), request_body = NewPlanJson,
    responses((status = 201, body = PlanJson), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn create_plan(
    S(state): S<State>,
    user: ApiUser,
    Json(j): Json<NewPlanJson>,
) -> Result<(StatusCode, Json<PlanJson>), ApiError> {
    let q = |k: &str| j.quotas.get(k).cloned().unwrap_or_default();
    let input = PlanInput {
        name: j.name,
        period_start: j.period_start,
        period_end: j.period_end,
        sectors: j.sectors,
        quotas: [q("major"), q("high"), q("general"), q("low")],
        team_size: j.team_size,
        check_items: j.check_items,
    };
    let plan = state.app.create_plan(&user.actor(), &input).await?;
    Ok((StatusCode::CREATED, Json(plan.into())))
}

/// Plans in the caller's jurisdiction.
#[utoipa::path(get, path = "/api/v1/plans", tag = "spot checks", security(("bearer" = [])), params(PageParams),
    responses((status = 200, body = PageJson<PlanJson>), (status = 403, body = ErrorBody)))]
pub async fn list_plans(
    S(state): S<State>,
    user: ApiUser,
    Query(q): Query<PageParams>,
) -> Result<Json<PageJson<PlanJson>>, ApiError> {
    Ok(Json(state.app.list_plans(&user.auth.principal, PageRequest::new(q.page, q.per_page)).await?.into()))
}

/// One plan.
#[utoipa::path(get, path = "/api/v1/plans/{id}", tag = "spot checks", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = PlanJson), (status = 404, body = ErrorBody)))]
pub async fn get_plan(S(state): S<State>, user: ApiUser, Path(id): Path<String>) -> Result<Json<PlanJson>, ApiError> {
    Ok(Json(state.app.get_plan(&user.auth.principal, &id).await?.into()))
}

/// The version a step is based on.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
pub struct StepJson {
    /// The plan's version as last read (a stale version gets 409).
    pub version: i64,
    /// For the draw: the public beacon value (may be empty: then the record says the draw relied on the operator).
    #[serde(default)]
    pub beacon: String,
}

/// Freezes the inputs and publishes the commitment. 409 if already committed or stale.
#[utoipa::path(post, path = "/api/v1/plans/{id}/commit", tag = "spot checks", security(("bearer" = [])), params(("id" = String, Path)), request_body = StepJson,
    responses((status = 200, body = PlanJson), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn commit_plan(
    S(state): S<State>,
    user: ApiUser,
    Path(id): Path<String>,
    Json(j): Json<StepJson>,
) -> Result<Json<PlanJson>, ApiError> {
    Ok(Json(state.app.commit_plan(&user.actor(), &id, j.version).await?.into()))
}

/// Enters the beacon, draws and publishes. 409 unless committed and current.
#[utoipa::path(post, path = "/api/v1/plans/{id}/draw", tag = "spot checks", security(("bearer" = [])), params(("id" = String, Path)), request_body = StepJson,
    responses((status = 200, body = PlanJson), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn draw_plan(
    S(state): S<State>,
    user: ApiUser,
    Path(id): Path<String>,
    Json(j): Json<StepJson>,
) -> Result<Json<PlanJson>, ApiError> {
    Ok(Json(state.app.draw_plan(&user.actor(), &id, j.version, &j.beacon).await?.into()))
}

/// A declared conflict of interest.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
pub struct ConflictJson {
    /// Officer's badge number.
    pub badge_no: String,
    /// Enterprise's credit code.
    pub credit_code: String,
    /// Why (kinship, former employment, …).
    #[serde(default)]
    pub reason: String,
}

/// Declares that an officer must not inspect an enterprise.
#[utoipa::path(post, path = "/api/v1/conflicts", tag = "spot checks", security(("bearer" = [])), request_body = ConflictJson,
    responses((status = 201), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn declare_conflict(
    S(state): S<State>,
    user: ApiUser,
    Json(j): Json<ConflictJson>,
) -> Result<StatusCode, ApiError> {
    state.app.declare_conflict(&user.actor(), &j.badge_no, &j.credit_code, &j.reason).await?;
    Ok(StatusCode::CREATED)
}
