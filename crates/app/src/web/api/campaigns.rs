//! `/campaigns` (special actions) and their progress.

use crate::service::campaigns::{CampaignInput, RegionProgress, Stage};
use crate::web::State;
use crate::web::auth::ApiUser;
use crate::web::error::{ApiError, ErrorBody};
use axum::Json;
use axum::extract::{Path, State as S};
use axum::http::StatusCode;
use store::campaign::Campaign;

/// A campaign.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct CampaignJson {
    /// Id.
    pub id: String,
    /// Region running it.
    pub region_code: String,
    /// Name.
    pub name: String,
    /// Regions in scope (empty: all under the running region).
    pub regions: Vec<String>,
    /// Sectors in scope (empty: all).
    pub sectors: Vec<String>,
    /// First day.
    pub start_date: String,
    /// Last day.
    pub end_date: String,
    /// Stages.
    pub stages: Vec<Stage>,
    /// Targets.
    pub targets: String,
}

impl From<Campaign> for CampaignJson {
    fn from(c: Campaign) -> Self {
        Self {
            regions: serde_json::from_str(&c.regions).unwrap_or_default(),
            sectors: serde_json::from_str(&c.sectors).unwrap_or_default(),
            stages: serde_json::from_str(&c.stages).unwrap_or_default(),
            id: c.id,
            region_code: c.region_code,
            name: c.name,
            start_date: c.start_date,
            end_date: c.end_date,
            targets: c.targets,
        }
    }
}

/// A campaign with its progress per region (the last row is the total).
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ProgressJson {
    /// The campaign.
    pub campaign: CampaignJson,
    /// Per region, then `total`.
    pub progress: Vec<RegionProgress>,
}

/// Campaigns the caller may follow.
#[utoipa::path(get, path = "/api/v1/campaigns", tag = "hazards", security(("bearer" = [])), responses((status = 200, body = Vec<CampaignJson>)))]
pub async fn list_campaigns(S(state): S<State>, user: ApiUser) -> Result<Json<Vec<CampaignJson>>, ApiError> {
    Ok(Json(state.app.list_campaigns(&user.auth.principal).await?.into_iter().map(Into::into).collect()))
}

/// Creates a campaign (city office).
#[utoipa::path(post, path = "/api/v1/campaigns", tag = "hazards", security(("bearer" = [])), request_body = CampaignInput,
    responses((status = 201, body = CampaignJson), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn create_campaign(
    S(state): S<State>,
    user: ApiUser,
    Json(input): Json<CampaignInput>,
) -> Result<(StatusCode, Json<CampaignJson>), ApiError> {
    let id = state.app.create_campaign(&user.actor(), &input).await?;
    Ok((StatusCode::CREATED, Json(state.app.get_campaign(&user.auth.principal, &id).await?.into())))
}

/// A campaign and its progress per region.
#[utoipa::path(get, path = "/api/v1/campaigns/{id}", tag = "hazards", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = ProgressJson), (status = 404, body = ErrorBody)))]
pub async fn campaign_progress(
    S(state): S<State>,
    user: ApiUser,
    Path(id): Path<String>,
) -> Result<Json<ProgressJson>, ApiError> {
    let (c, progress) = state.app.campaign_progress(&user.auth.principal, &id).await?;
    Ok(Json(ProgressJson { campaign: c.into(), progress }))
}
