//! `/evaluations`: a quarter's evaluation of the caller's sub-regions, and publishing it.

use crate::service::invalid;
use crate::web::State;
use crate::web::auth::ApiUser;
use crate::web::error::{ApiError, ErrorBody};
use axum::Json;
use axum::extract::{Query, State as S};
use domain::period::Quarter;

/// Which run.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams, utoipa::ToSchema)]
pub struct RunParams {
    /// The region whose sub-regions are ranked; default the caller's region.
    pub parent: Option<String>,
    /// Quarter, e.g. `2023Q3`.
    pub period: String,
}

fn quarter(s: &str) -> Result<Quarter, ApiError> {
    Ok(Quarter::parse(s).ok_or_else(|| invalid("period", "use a quarter like 2023Q3"))?)
}

/// The run (as published, if it is): `{parent, period, scheme_version, inputs_digest, published,
/// changed_since_publication, regions: [{code, name, total, grade, rank, previous_rank, change, veto, indicators}]}`.
#[utoipa::path(get, path = "/api/v1/evaluations", tag = "evaluation", security(("bearer" = [])), params(RunParams),
    responses((status = 200, body = Object), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn get_run(
    S(state): S<State>,
    user: ApiUser,
    Query(q): Query<RunParams>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let parent = q.parent.unwrap_or_else(|| user.auth.principal.region.to_string());
    let view = state.app.evaluation(&user.actor(), &parent, quarter(&q.period)?).await?;
    Ok(Json(crate::cli::evaluation_json(&view)))
}

/// Publishes the run: frozen from then on (409 if the quarter is already published).
#[utoipa::path(post, path = "/api/v1/evaluations/publish", tag = "evaluation", security(("bearer" = [])), request_body = RunParams,
    responses((status = 200, body = Object), (status = 409, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn publish(
    S(state): S<State>,
    user: ApiUser,
    Json(q): Json<RunParams>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let parent = q.parent.unwrap_or_else(|| user.auth.principal.region.to_string());
    let view = state.app.publish_evaluation(&user.actor(), &parent, quarter(&q.period)?).await?;
    Ok(Json(crate::cli::evaluation_json(&view)))
}
