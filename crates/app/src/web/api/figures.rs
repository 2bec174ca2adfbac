//! `/figures`: the figures of BRIEF §9 for a region of the caller's jurisdiction and a period.

use crate::service::invalid;
use crate::web::State;
use crate::web::auth::ApiUser;
use crate::web::error::{ApiError, ErrorBody};
use axum::Json;
use axum::extract::{Query, State as S};

/// Region and period.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
pub struct FiguresParams {
    /// Region code; default the caller's own region.
    pub region: Option<String>,
    /// A year (`2023`), a quarter (`2023Q3`) or a range (`2023-07-01..2023-09-30`); default this year.
    pub period: Option<String>,
}

/// Totals, the breakdown by sub-region and the monthly trend of hazards found and rectified:
/// `{region, from, to, total: {...}, by_region: [[code, {...}]], monthly: [[YYYY-MM, found, rectified]]}`.
#[utoipa::path(get, path = "/api/v1/figures", tag = "evaluation", security(("bearer" = [])), params(FiguresParams),
    responses((status = 200, body = Object), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn figures(
    S(state): S<State>,
    user: ApiUser,
    Query(q): Query<FiguresParams>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let region = q.region.unwrap_or_else(|| user.auth.principal.region.to_string());
    let text = q.period.unwrap_or_else(|| state.app.today().year().to_string());
    let period = domain::period::Period::parse(&text)
        .ok_or_else(|| invalid("period", "use 2023, 2023Q3 or 2023-07-01..2023-09-30"))?;
    let f = state.app.figures(&user.actor(), &region, &period).await?;
    Ok(Json(serde_json::to_value(f).map_err(|e| crate::service::ServiceError::Other(e.into()))?))
}
