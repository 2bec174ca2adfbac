//! `/accidents` and `/accident-types`.

use super::PageJson;
use crate::service::accidents::AccidentInput;
use crate::web::State;
use crate::web::auth::ApiUser;
use crate::web::error::{ApiError, ErrorBody};
use axum::Json;
use axum::extract::{Query, State as S};
use axum::http::StatusCode;
use domain::page::PageRequest;
use store::accident::Accident;

/// An accident.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct AccidentJson {
    /// Id.
    pub id: String,
    /// Document number.
    pub accident_no: String,
    /// Region.
    pub region_code: String,
    /// When (ms since epoch).
    pub occurred_at: i64,
    /// Date in China.
    pub occurred_on: String,
    /// Enterprise id.
    pub enterprise_id: Option<String>,
    /// Enterprise or place.
    pub enterprise_name: String,
    /// GB 6441 type.
    pub accident_type: String,
    /// Deaths.
    pub deaths: i64,
    /// Serious injuries.
    pub serious_injuries: i64,
    /// Direct loss in fen (integer).
    pub direct_loss_fen: i64,
    /// `general`, `larger`, `major` or `especially_major` (computed).
    pub grade: String,
    /// What happened.
    pub description: String,
}

impl From<Accident> for AccidentJson {
    fn from(a: Accident) -> Self {
        Self {
            id: a.id,
            accident_no: a.accident_no,
            region_code: a.region_code,
            occurred_at: a.occurred_at,
            occurred_on: a.occurred_on,
            enterprise_id: a.enterprise_id,
            enterprise_name: a.enterprise_name,
            accident_type: a.accident_type,
            deaths: a.deaths,
            serious_injuries: a.serious_injuries,
            direct_loss_fen: a.direct_loss_fen,
            grade: a.grade,
            description: a.description,
        }
    }
}

/// Records an accident; the grade is computed from deaths, serious injuries and loss.
#[utoipa::path(post, path = "/api/v1/accidents", tag = "hazards", security(("bearer" = [])), request_body = AccidentInput,
    responses((status = 201, body = AccidentJson), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn record_accident(
    S(state): S<State>,
    user: ApiUser,
    Json(input): Json<AccidentInput>,
) -> Result<(StatusCode, Json<AccidentJson>), ApiError> {
    Ok((StatusCode::CREATED, Json(state.app.record_accident(&user.actor(), &input).await?.into())))
}

/// Period filter.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
pub struct AccidentParams {
    /// First day (YYYY-MM-DD); default 1 January of this year.
    pub from: Option<String>,
    /// Last day (YYYY-MM-DD); default today.
    pub to: Option<String>,
    /// Page.
    pub page: Option<u32>,
    /// Rows per page.
    pub per_page: Option<u32>,
}

/// Accidents in the caller's jurisdiction in a period.
#[utoipa::path(get, path = "/api/v1/accidents", tag = "hazards", security(("bearer" = [])), params(AccidentParams),
    responses((status = 200, body = PageJson<AccidentJson>), (status = 422, body = ErrorBody)))]
pub async fn list_accidents(
    S(state): S<State>,
    user: ApiUser,
    Query(q): Query<AccidentParams>,
) -> Result<Json<PageJson<AccidentJson>>, ApiError> {
    let today = state.app.today();
    let from = q.from.unwrap_or_else(|| format!("{}-01-01", today.year()));
    let to = q.to.unwrap_or_else(|| today.to_string());
    Ok(Json(
        state.app.list_accidents(&user.auth.principal, &from, &to, PageRequest::new(q.page, q.per_page)).await?.into(),
    ))
}

/// An accident type.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct AccidentTypeJson {
    /// Code.
    pub code: &'static str,
    /// Chinese.
    pub name_zh: &'static str,
    /// English.
    pub name_en: &'static str,
}

/// The GB 6441 accident types.
#[utoipa::path(get, path = "/api/v1/accident-types", tag = "hazards", security(("bearer" = [])), responses((status = 200, body = Vec<AccidentTypeJson>)))]
pub async fn accident_types(_user: ApiUser) -> Json<Vec<AccidentTypeJson>> {
    Json(
        domain::accident::TYPES
            .iter()
            .map(|(code, zh, en)| AccidentTypeJson { code, name_zh: zh, name_en: en })
            .collect(),
    )
}
