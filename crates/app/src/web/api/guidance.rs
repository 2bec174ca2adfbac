//! `/guidance/counties` (which counties are flagged and why), `/guidance/targets` and
//! `/guidance-groups` (groups, their visit and the issues raised with the county government;
//! issues are then followed under `/handovers`).

use super::covert::ProblemJson;
use super::{PageJson, PageParams};
use crate::service::guidance::{GroupInput, GroupView, Member, Overview, Quarter};
use crate::service::invalid;
use crate::web::State;
use crate::web::auth::ApiUser;
use crate::web::error::{ApiError, ErrorBody};
use axum::Json;
use axum::extract::{Path, Query, State as S};
use axum::http::StatusCode;
use domain::guidance::{Figures, Flag, Targets};
use domain::page::PageRequest;
use store::guidance::Group;

/// A fired rule with its numbers (rates in basis points: 6666 = 66.66 %).
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct FlagJson {
    /// `accidents_rose`, `deaths_rose`, `accidents_above_target`, `deaths_above_target`,
    /// `rectification_lags`, `overdue_lags`, `coverage_lags`.
    pub rule: String,
    /// `situation` or `progress`.
    pub kind: String,
    /// The county's value.
    pub value: i64,
    /// What it was compared with.
    pub compared_with: i64,
}

impl From<&Flag> for FlagJson {
    fn from(f: &Flag) -> Self {
        Self {
            rule: f.rule.as_str().to_owned(),
            kind: if f.rule.is_situation() { "situation" } else { "progress" }.to_owned(),
            value: f.value,
            compared_with: f.compared_with,
        }
    }
}

/// Figures of a region.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct FiguresJson {
    /// Accidents in the quarter.
    pub accidents: i64,
    /// Deaths in the quarter.
    pub deaths: i64,
    /// Accidents in the previous quarter.
    pub prev_accidents: i64,
    /// Deaths in the previous quarter.
    pub prev_deaths: i64,
    /// Major hazards found this year to the quarter's end.
    pub major_found: i64,
    /// Of those, verified or closed.
    pub major_rectified: i64,
    /// Major hazards overdue today.
    pub major_overdue: i64,
    /// Active enterprises.
    pub enterprises: i64,
    /// Distinct enterprises inspected this year to the quarter's end.
    pub inspected: i64,
}

impl From<Figures> for FiguresJson {
    fn from(f: Figures) -> Self {
        Self {
            accidents: f.accidents,
            deaths: f.deaths,
            prev_accidents: f.prev_accidents,
            prev_deaths: f.prev_deaths,
            major_found: f.major_found,
            major_rectified: f.major_rectified,
            major_overdue: f.major_overdue,
            enterprises: f.enterprises,
            inspected: f.inspected,
        }
    }
}

/// A county on the guidance page.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct CountyJson {
    /// Region code.
    pub region_code: String,
    /// Figures.
    pub figures: FiguresJson,
    /// Control targets (per quarter) for the year.
    pub max_accidents: Option<i64>,
    /// Control target for deaths.
    pub max_deaths: Option<i64>,
    /// Fired rules.
    pub flags: Vec<FlagJson>,
}

/// The city's guidance overview.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct OverviewJson {
    /// Quarter (`2026Q4`).
    pub quarter: String,
    /// Margin in basis points.
    pub margin_bp: i64,
    /// The city's own figures.
    pub city: FiguresJson,
    /// Its counties.
    pub counties: Vec<CountyJson>,
}

impl From<Overview> for OverviewJson {
    fn from(o: Overview) -> Self {
        Self {
            quarter: o.quarter.label(),
            margin_bp: o.margin_bp,
            city: o.city.into(),
            counties: o
                .counties
                .into_iter()
                .map(|c| CountyJson {
                    flags: c.flags.iter().map(FlagJson::from).collect(),
                    region_code: c.code,
                    figures: c.figures.into(),
                    max_accidents: c.targets.max_accidents,
                    max_deaths: c.targets.max_deaths,
                })
                .collect(),
        }
    }
}

/// Quarter parameter.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
pub struct QuarterParams {
    /// `2026Q3`; default the current quarter (to date).
    pub quarter: Option<String>,
}

/// The city office's counties with their figures and flags.
#[utoipa::path(get, path = "/api/v1/guidance/counties", tag = "guidance", security(("bearer" = [])), params(QuarterParams),
    responses((status = 200, body = OverviewJson), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn counties(
    S(state): S<State>,
    user: ApiUser,
    Query(q): Query<QuarterParams>,
) -> Result<Json<OverviewJson>, ApiError> {
    let quarter = match q.quarter.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => Some(Quarter::parse(s).ok_or_else(|| invalid("quarter", "use a quarter like 2026Q3"))?),
        None => None,
    };
    Ok(Json(state.app.guidance_overview(&user.actor(), quarter).await?.into()))
}

/// A county's control targets for a year.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
pub struct TargetJson {
    /// County.
    pub county: String,
    /// Year.
    pub year: i64,
    /// Most accidents per quarter.
    pub max_accidents: Option<i64>,
    /// Most deaths per quarter.
    pub max_deaths: Option<i64>,
}

/// Sets a county's quarterly control targets (city office).
#[utoipa::path(post, path = "/api/v1/guidance/targets", tag = "guidance", security(("bearer" = [])), request_body = TargetJson,
    responses((status = 204), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn set_target(S(state): S<State>, user: ApiUser, Json(j): Json<TargetJson>) -> Result<StatusCode, ApiError> {
    let t = Targets { max_accidents: j.max_accidents, max_deaths: j.max_deaths };
    state.app.set_control_target(&user.actor(), &j.county, j.year, &t).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A guidance group.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct GroupJson {
    /// Id.
    pub id: String,
    /// Document number.
    pub group_no: String,
    /// Sending city.
    pub region_code: String,
    /// Title.
    pub name: String,
    /// County guided.
    pub county: String,
    /// Members.
    pub members: Vec<Member>,
    /// The county's flags when the group was formed.
    #[schema(value_type = Vec<Object>)]
    pub reasons: Vec<serde_json::Value>,
    /// Scheduled visit day.
    pub visit_on: String,
    /// When it took place.
    pub visited_at: Option<String>,
    /// What was found and said.
    pub summary: Option<String>,
    /// `planned` or `visited`.
    pub status: String,
    /// Version.
    pub version: i64,
    /// Issues raised with the county government (handovers).
    pub issues: Vec<ProblemJson>,
}

impl From<GroupView> for GroupJson {
    fn from(v: GroupView) -> Self {
        let g = v.group;
        Self {
            id: g.id,
            group_no: g.group_no,
            region_code: g.region_code,
            name: g.name,
            county: g.county,
            members: v.members,
            reasons: v.reasons,
            visit_on: g.visit_on,
            visited_at: g.visited_at,
            summary: g.summary,
            status: g.status,
            version: g.version,
            issues: v.issues.into_iter().map(ProblemJson::from).collect(),
        }
    }
}

/// A group in a list.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct GroupSummaryJson {
    /// Id.
    pub id: String,
    /// Document number.
    pub group_no: String,
    /// Title.
    pub name: String,
    /// County.
    pub county: String,
    /// Visit day.
    pub visit_on: String,
    /// Status.
    pub status: String,
}

impl From<Group> for GroupSummaryJson {
    fn from(g: Group) -> Self {
        Self { id: g.id, group_no: g.group_no, name: g.name, county: g.county, visit_on: g.visit_on, status: g.status }
    }
}

/// Groups of the caller's city, or sent to its county.
#[utoipa::path(get, path = "/api/v1/guidance-groups", tag = "guidance", security(("bearer" = [])), params(PageParams),
    responses((status = 200, body = PageJson<GroupSummaryJson>)))]
pub async fn list_groups(
    S(state): S<State>,
    user: ApiUser,
    Query(q): Query<PageParams>,
) -> Result<Json<PageJson<GroupSummaryJson>>, ApiError> {
    Ok(Json(state.app.list_guidance_groups(&user.auth.principal, PageRequest::new(q.page, q.per_page)).await?.into()))
}

/// Forms a group for a county (city office); 422 without a member from each required department.
#[utoipa::path(post, path = "/api/v1/guidance-groups", tag = "guidance", security(("bearer" = [])), request_body = GroupInput,
    responses((status = 201, body = GroupJson), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn create_group(
    S(state): S<State>,
    user: ApiUser,
    Json(input): Json<GroupInput>,
) -> Result<(StatusCode, Json<GroupJson>), ApiError> {
    Ok((StatusCode::CREATED, Json(state.app.form_guidance_group(&user.actor(), &input).await?.into())))
}

/// One group.
#[utoipa::path(get, path = "/api/v1/guidance-groups/{id}", tag = "guidance", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = GroupJson), (status = 404, body = ErrorBody)))]
pub async fn get_group(S(state): S<State>, user: ApiUser, Path(id): Path<String>) -> Result<Json<GroupJson>, ApiError> {
    Ok(Json(state.app.get_guidance_group(&user.auth.principal, &id).await?.into()))
}

/// The visit record.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
pub struct VisitJson {
    /// Version seen.
    pub version: i64,
    /// When (`YYYY-MM-DDTHH:MM`).
    pub visited_at: String,
    /// What was found and said.
    pub summary: String,
}

/// Records the one-on-one guidance visit.
#[utoipa::path(post, path = "/api/v1/guidance-groups/{id}/visit", tag = "guidance", security(("bearer" = [])), params(("id" = String, Path)),
    request_body = VisitJson, responses((status = 200, body = GroupJson), (status = 409, body = ErrorBody)))]
pub async fn record_visit(
    S(state): S<State>,
    user: ApiUser,
    Path(id): Path<String>,
    Json(j): Json<VisitJson>,
) -> Result<Json<GroupJson>, ApiError> {
    Ok(Json(state.app.record_guidance_visit(&user.actor(), &id, j.version, &j.visited_at, &j.summary).await?.into()))
}

/// An issue raised with the county government.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
pub struct IssueJson {
    /// The issue.
    pub description: String,
    /// Answer due (YYYY-MM-DD).
    pub deadline: String,
}

/// Raises an issue after the visit; it is then a handover (`/handovers/{id}`).
#[utoipa::path(post, path = "/api/v1/guidance-groups/{id}/issues", tag = "guidance", security(("bearer" = [])), params(("id" = String, Path)),
    request_body = IssueJson, responses((status = 201, body = ProblemJson), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn raise_issue(
    S(state): S<State>,
    user: ApiUser,
    Path(id): Path<String>,
    Json(j): Json<IssueJson>,
) -> Result<(StatusCode, Json<ProblemJson>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(state.app.raise_guidance_issue(&user.actor(), &id, &j.description, &j.deadline).await?.into()),
    ))
}
