//! `/cross-rounds`: cross-inspection rounds (交叉互查) — grouping with commit → beacon →
//! reveal, then each pair's team and targets drawn as a spot-check plan.

use super::{PageJson, PageParams};
use crate::service::cross::{RoundInput, RoundView};
use crate::web::State;
use crate::web::auth::ApiUser;
use crate::web::error::{ApiError, ErrorBody};
use axum::Json;
use axum::extract::{Path, Query, State as S};
use axum::http::StatusCode;
use domain::page::PageRequest;
use store::cross::Round;

/// A pair of a grouped round.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct PairJson {
    /// County sending its team.
    pub visiting: String,
    /// County inspected.
    pub inspected: String,
    /// The pair's spot-check plan (teams and targets; `/plans/{id}`, public record under `/public/draws/{plan_no}`).
    pub plan_id: Option<String>,
    /// Its document number.
    pub plan_no: Option<String>,
    /// `draft`, `committed`, `drawn`.
    pub plan_status: Option<String>,
    /// Distinct enterprises inspected so far.
    pub enterprises_inspected: i64,
    /// General hazards found.
    pub general_hazards: i64,
    /// Major hazards found.
    pub major_hazards: i64,
    /// Of those, verified or closed.
    pub rectified: i64,
}

/// A round.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct RoundJson {
    /// Id.
    pub id: String,
    /// Document number.
    pub round_no: String,
    /// Organising city.
    pub region_code: String,
    /// Title.
    pub name: String,
    /// First day.
    pub date_from: String,
    /// Last day.
    pub date_to: String,
    /// Participating counties.
    pub participants: Vec<String>,
    /// Team size.
    pub team_size: i64,
    /// `draft`, `committed` (commitment published) or `drawn` (grouped).
    pub status: String,
    /// Version.
    pub version: i64,
    /// Inputs digest.
    pub inputs_digest: Option<String>,
    /// Commitment.
    pub commitment: Option<String>,
    /// Beacon of the grouping.
    pub beacon: Option<String>,
    /// Pairs in cycle order.
    pub pairs: Vec<PairJson>,
}

impl From<RoundView> for RoundJson {
    fn from(v: RoundView) -> Self {
        let r = v.round;
        Self {
            id: r.id,
            round_no: r.round_no,
            region_code: r.region_code,
            name: r.name,
            date_from: r.date_from,
            date_to: r.date_to,
            participants: v.participants,
            team_size: r.team_size,
            status: r.status.as_str().to_owned(),
            version: r.version,
            inputs_digest: r.inputs_digest,
            commitment: r.commitment,
            beacon: r.beacon,
            pairs: v
                .pairs
                .into_iter()
                .map(|p| PairJson {
                    plan_id: p.plan.as_ref().map(|x| x.id.clone()),
                    plan_no: p.plan.as_ref().map(|x| x.plan_no.clone()),
                    plan_status: p.plan.as_ref().map(|x| x.status.as_str().to_owned()),
                    visiting: p.visiting,
                    inspected: p.inspected,
                    enterprises_inspected: p.enterprises_inspected,
                    general_hazards: p.general,
                    major_hazards: p.major,
                    rectified: p.rectified,
                })
                .collect(),
        }
    }
}

/// A round in a list.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct RoundSummaryJson {
    /// Id.
    pub id: String,
    /// Document number.
    pub round_no: String,
    /// Title.
    pub name: String,
    /// Status.
    pub status: String,
    /// Participants (JSON array).
    pub participants: String,
}

impl From<Round> for RoundSummaryJson {
    fn from(r: Round) -> Self {
        Self {
            id: r.id,
            round_no: r.round_no,
            name: r.name,
            status: r.status.as_str().to_owned(),
            participants: r.participants,
        }
    }
}

/// Rounds of the caller's jurisdiction or that its county takes part in.
#[utoipa::path(get, path = "/api/v1/cross-rounds", tag = "cross-inspections", security(("bearer" = [])), params(PageParams),
    responses((status = 200, body = PageJson<RoundSummaryJson>)))]
pub async fn list_rounds(
    S(state): S<State>,
    user: ApiUser,
    Query(q): Query<PageParams>,
) -> Result<Json<PageJson<RoundSummaryJson>>, ApiError> {
    Ok(Json(state.app.list_rounds(&user.auth.principal, PageRequest::new(q.page, q.per_page)).await?.into()))
}

/// Creates a draft round (city office).
#[utoipa::path(post, path = "/api/v1/cross-rounds", tag = "cross-inspections", security(("bearer" = [])), request_body = RoundInput,
    responses((status = 201, body = RoundJson), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn create_round(
    S(state): S<State>,
    user: ApiUser,
    Json(input): Json<RoundInput>,
) -> Result<(StatusCode, Json<RoundJson>), ApiError> {
    Ok((StatusCode::CREATED, Json(state.app.create_round(&user.actor(), &input).await?.into())))
}

/// One round with its pairs and their results.
#[utoipa::path(get, path = "/api/v1/cross-rounds/{id}", tag = "cross-inspections", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = RoundJson), (status = 404, body = ErrorBody)))]
pub async fn get_round(S(state): S<State>, user: ApiUser, Path(id): Path<String>) -> Result<Json<RoundJson>, ApiError> {
    Ok(Json(state.app.get_round(&user.auth.principal, &id).await?.into()))
}

/// A step: the version seen and, for the grouping and the team draw, the beacon.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
pub struct StepJson {
    /// Version the caller saw (commit and group).
    #[serde(default)]
    pub version: i64,
    /// A public value announced after the commitment; may be empty.
    #[serde(default)]
    pub beacon: String,
}

/// Freezes the inputs and publishes the commitment.
#[utoipa::path(post, path = "/api/v1/cross-rounds/{id}/commit", tag = "cross-inspections", security(("bearer" = [])), params(("id" = String, Path)),
    request_body = StepJson, responses((status = 200, body = RoundJson), (status = 409, body = ErrorBody)))]
pub async fn commit_round(
    S(state): S<State>,
    user: ApiUser,
    Path(id): Path<String>,
    Json(j): Json<StepJson>,
) -> Result<Json<RoundJson>, ApiError> {
    Ok(Json(state.app.commit_round(&user.actor(), &id, j.version).await?.into()))
}

/// Enters the beacon, reveals the grouping, and creates and commits each pair's plan.
#[utoipa::path(post, path = "/api/v1/cross-rounds/{id}/group", tag = "cross-inspections", security(("bearer" = [])), params(("id" = String, Path)),
    request_body = StepJson, responses((status = 200, body = RoundJson), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn group_round(
    S(state): S<State>,
    user: ApiUser,
    Path(id): Path<String>,
    Json(j): Json<StepJson>,
) -> Result<Json<RoundJson>, ApiError> {
    Ok(Json(state.app.group_round(&user.actor(), &id, j.version, &j.beacon).await?.into()))
}

/// Creates and commits the pair plans still missing (after fixing what stopped them).
#[utoipa::path(post, path = "/api/v1/cross-rounds/{id}/prepare", tag = "cross-inspections", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = RoundJson), (status = 422, body = ErrorBody)))]
pub async fn prepare_pairs(
    S(state): S<State>,
    user: ApiUser,
    Path(id): Path<String>,
) -> Result<Json<RoundJson>, ApiError> {
    Ok(Json(state.app.prepare_pairs(&user.actor(), &id).await?.into()))
}

/// Draws every committed pair plan (teams and targets) with a second beacon.
#[utoipa::path(post, path = "/api/v1/cross-rounds/{id}/draw", tag = "cross-inspections", security(("bearer" = [])), params(("id" = String, Path)),
    request_body = StepJson, responses((status = 200, body = RoundJson), (status = 409, body = ErrorBody)))]
pub async fn draw_teams(
    S(state): S<State>,
    user: ApiUser,
    Path(id): Path<String>,
    Json(j): Json<StepJson>,
) -> Result<Json<RoundJson>, ApiError> {
    Ok(Json(state.app.draw_round_teams(&user.actor(), &id, &j.beacon).await?.into()))
}
