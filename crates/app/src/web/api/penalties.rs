//! `/penalties` (administrative penalty cases) and `/articles`.

use super::PageJson;
use crate::service::invalid;
use crate::service::penalties::CaseInput;
use crate::web::State;
use crate::web::auth::ApiUser;
use crate::web::error::{ApiError, ErrorBody};
use axum::Json;
use axum::extract::{Path, Query, State as S};
use axum::http::StatusCode;
use domain::page::PageRequest;
use domain::penalty::CaseAction;
use store::penalty::PenaltyCase;

/// A penalty case.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct CaseJson {
    /// Id.
    pub id: String,
    /// Document number.
    pub case_no: String,
    /// Region.
    pub region_code: String,
    /// Enterprise id.
    pub enterprise_id: String,
    /// Enterprise name.
    pub enterprise_name: String,
    /// The inspection it came from.
    pub inspection_id: Option<String>,
    /// Facts (internal).
    pub facts: String,
    /// Article code.
    pub legal_basis: String,
    /// Penalty types.
    pub penalty_types: Vec<String>,
    /// Fine in fen.
    pub fine_fen: i64,
    /// Whether the party may request a hearing.
    pub hearing_right: bool,
    /// Status.
    pub status: String,
    /// Since (date).
    pub status_since: String,
    /// Deadline of the current step (working days on the official calendar).
    pub deadline: Option<String>,
    /// Decision day.
    pub decided_on: Option<String>,
    /// Last day to publish the decision.
    pub publish_by: Option<String>,
    /// Version.
    pub version: i64,
}

impl From<PenaltyCase> for CaseJson {
    fn from(c: PenaltyCase) -> Self {
        Self {
            penalty_types: serde_json::from_str(&c.penalty_types).unwrap_or_default(),
            id: c.id,
            case_no: c.case_no,
            region_code: c.region_code,
            enterprise_id: c.enterprise_id,
            enterprise_name: c.enterprise_name,
            inspection_id: c.inspection_id,
            facts: c.facts,
            legal_basis: c.legal_basis,
            fine_fen: c.fine_fen,
            hearing_right: c.hearing_right,
            status: c.status,
            status_since: c.status_since,
            deadline: c.deadline,
            decided_on: c.decided_on,
            publish_by: c.publish_by,
            version: c.version,
        }
    }
}

/// Files a case.
#[utoipa::path(post, path = "/api/v1/penalties", tag = "spot checks", security(("bearer" = [])), request_body = CaseInput,
    responses((status = 201, body = CaseJson), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn file_case(
    S(state): S<State>,
    user: ApiUser,
    Json(input): Json<CaseInput>,
) -> Result<(StatusCode, Json<CaseJson>), ApiError> {
    Ok((StatusCode::CREATED, Json(state.app.file_case(&user.actor(), &input).await?.into())))
}

/// Filters.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
pub struct CaseParams {
    /// `true`: only cases past the deadline of their current step.
    #[serde(default)]
    pub overdue: bool,
    /// Region code (and the regions under it).
    #[serde(default)]
    pub region: String,
    /// Decided on or after (YYYY-MM-DD).
    #[serde(default)]
    pub decided_from: String,
    /// Decided on or before (YYYY-MM-DD).
    #[serde(default)]
    pub decided_to: String,
    /// Page.
    pub page: Option<u32>,
    /// Rows per page.
    pub per_page: Option<u32>,
}

/// Cases in the caller's jurisdiction.
#[utoipa::path(get, path = "/api/v1/penalties", tag = "spot checks", security(("bearer" = [])), params(CaseParams),
    responses((status = 200, body = PageJson<CaseJson>)))]
pub async fn list_cases(
    S(state): S<State>,
    user: ApiUser,
    Query(q): Query<CaseParams>,
) -> Result<Json<PageJson<CaseJson>>, ApiError> {
    let decided = (q.decided_from.as_str(), q.decided_to.as_str());
    let page = PageRequest::new(q.page, q.per_page);
    Ok(Json(state.app.list_cases(&user.auth.principal, q.overdue, &q.region, decided, page).await?.into()))
}

/// One case.
#[utoipa::path(get, path = "/api/v1/penalties/{id}", tag = "spot checks", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = CaseJson), (status = 404, body = ErrorBody)))]
pub async fn get_case(S(state): S<State>, user: ApiUser, Path(id): Path<String>) -> Result<Json<CaseJson>, ApiError> {
    Ok(Json(state.app.get_case(&user.auth.principal, &id).await?.into()))
}

/// A step in a case.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
pub struct CaseStepJson {
    /// `investigate`, `notify`, `request_hearing`, `decide`, `serve`, `execute` or `close`.
    pub action: String,
    /// Version as read.
    pub version: i64,
    /// Note.
    #[serde(default)]
    pub note: String,
}

/// Takes a step; the response carries the new step's deadline.
#[utoipa::path(post, path = "/api/v1/penalties/{id}/transitions", tag = "spot checks", security(("bearer" = [])), params(("id" = String, Path)),
    request_body = CaseStepJson, responses((status = 200, body = CaseJson), (status = 409, body = ErrorBody)))]
pub async fn act(
    S(state): S<State>,
    user: ApiUser,
    Path(id): Path<String>,
    Json(j): Json<CaseStepJson>,
) -> Result<Json<CaseJson>, ApiError> {
    let action: CaseAction =
        serde_json::from_value(serde_json::json!(j.action)).map_err(|_| invalid("action", "is not a case action"))?;
    Ok(Json(state.app.act_on_case(&user.actor(), &id, j.version, action, &j.note).await?.into()))
}

/// An article of the Work Safety Law.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ArticleJson {
    /// Code to cite.
    pub code: String,
    /// Article (第一百零二条).
    pub article: String,
    /// Subject, Chinese.
    pub title_zh: String,
    /// Subject, English.
    pub title_en: String,
}

/// The Work Safety Law (2021) articles a decision can cite.
#[utoipa::path(get, path = "/api/v1/articles", tag = "spot checks", security(("bearer" = [])), responses((status = 200, body = Vec<ArticleJson>)))]
pub async fn articles(_user: ApiUser) -> Json<Vec<ArticleJson>> {
    Json(
        crate::refdata::ARTICLES
            .iter()
            .map(|a| ArticleJson {
                code: a.code.clone(),
                article: a.article.clone(),
                title_zh: a.title_zh.clone(),
                title_en: a.title_en.clone(),
            })
            .collect(),
    )
}
