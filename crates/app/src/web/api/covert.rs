//! `/covert-plans` (sealed covert visits), `/covert-candidates` and `/handovers` (the
//! problems found, handed to the bodies that should have caught them). A sealed plan is a 404
//! to everyone outside its planning team and the city leadership.

use super::{PageJson, PageParams};
use crate::service::covert::{CovertInput, CovertView, ProblemInput, ProblemView, VisitInput};
use crate::service::invalid;
use crate::web::State;
use crate::web::auth::ApiUser;
use crate::web::error::{ApiError, ErrorBody};
use axum::Json;
use axum::extract::{Path, Query, State as S};
use axum::http::StatusCode;
use domain::covert::HandoverAction;
use domain::page::PageRequest;
use store::covert::{HandoverEvent, ProblemFilter, Target};

/// An enterprise a covert visit targets or visited.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct TargetJson {
    /// Enterprise id.
    pub enterprise_id: String,
    /// Credit code.
    pub credit_code: String,
    /// Name.
    pub name: String,
    /// Region.
    pub region_code: String,
    /// Risk level.
    pub risk_level: String,
}

impl From<&Target> for TargetJson {
    fn from(t: &Target) -> Self {
        Self {
            enterprise_id: t.enterprise_id.clone(),
            credit_code: t.credit_code.clone(),
            name: t.name.clone(),
            region_code: t.region_code.clone(),
            risk_level: t.risk_level.clone(),
        }
    }
}

/// A covert plan.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct CovertPlanJson {
    /// Id.
    pub id: String,
    /// Document number.
    pub plan_no: String,
    /// The planning city.
    pub region_code: String,
    /// `sealed` or `done`.
    pub status: String,
    /// Version (send it back with the visit).
    pub version: i64,
    /// Planner.
    pub created_by: String,
    /// Planning team.
    pub members: Vec<String>,
    /// Title.
    pub name: String,
    /// Visit window.
    pub date_from: String,
    /// Visit window.
    pub date_to: String,
    /// Targets.
    pub targets: Vec<TargetJson>,
    /// The draw record (spec §4, kind `covert_check`) when targets were drawn; verify it with
    /// `inspectorate draw verify`.
    pub draw_record: Option<String>,
    /// When the visit took place (Beijing time).
    pub visited_at: Option<String>,
    /// Where.
    pub place: Option<String>,
    /// Notes.
    pub notes: Option<String>,
    /// Enterprises visited.
    pub visited: Vec<TargetJson>,
    /// When the visit was recorded (ms).
    pub done_at: Option<i64>,
    /// Evidence of the visit (SM3; download under `/covert-plans/{id}/evidence/{sm3}`).
    pub evidence: Vec<String>,
}

impl From<CovertView> for CovertPlanJson {
    fn from(v: CovertView) -> Self {
        Self {
            id: v.plan.id,
            plan_no: v.plan.plan_no,
            region_code: v.plan.region_code,
            status: v.status.as_str().to_owned(),
            version: v.plan.version,
            created_by: v.plan.created_by,
            members: v.members,
            name: v.sealed.name,
            date_from: v.sealed.date_from,
            date_to: v.sealed.date_to,
            targets: v.sealed.targets.iter().map(TargetJson::from).collect(),
            draw_record: v.sealed.draw_record,
            visited_at: v.visit.as_ref().map(|x| x.visited_at.clone()),
            place: v.visit.as_ref().map(|x| x.place.clone()),
            notes: v.visit.as_ref().map(|x| x.notes.clone()),
            visited: v.visit.iter().flat_map(|x| &x.enterprises).map(TargetJson::from).collect(),
            done_at: v.plan.done_at,
            evidence: v.visit.map(|x| x.evidence).unwrap_or_default(),
        }
    }
}

/// The covert plans the caller may know of.
#[utoipa::path(get, path = "/api/v1/covert-plans", tag = "covert checks", security(("bearer" = [])), params(PageParams),
    responses((status = 200, body = PageJson<CovertPlanJson>)))]
pub async fn list_plans(
    S(state): S<State>,
    user: ApiUser,
    Query(q): Query<PageParams>,
) -> Result<Json<PageJson<CovertPlanJson>>, ApiError> {
    Ok(Json(state.app.list_covert(&user.actor(), PageRequest::new(q.page, q.per_page)).await?.into()))
}

/// Plans a sealed covert visit (city office): targets by hand or `draw_count` at random.
#[utoipa::path(post, path = "/api/v1/covert-plans", tag = "covert checks", security(("bearer" = [])), request_body = CovertInput,
    responses((status = 201, body = CovertPlanJson), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn create_plan(
    S(state): S<State>,
    user: ApiUser,
    Json(input): Json<CovertInput>,
) -> Result<(StatusCode, Json<CovertPlanJson>), ApiError> {
    Ok((StatusCode::CREATED, Json(state.app.plan_covert(&user.actor(), &input).await?.into())))
}

/// One plan (404 if sealed from the caller). Viewing a sealed plan is audited.
#[utoipa::path(get, path = "/api/v1/covert-plans/{id}", tag = "covert checks", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = CovertPlanJson), (status = 404, body = ErrorBody)))]
pub async fn get_plan(
    S(state): S<State>,
    user: ApiUser,
    Path(id): Path<String>,
) -> Result<Json<CovertPlanJson>, ApiError> {
    Ok(Json(state.app.get_covert(&user.actor(), &id).await?.into()))
}

/// Records the visit: the plan is done and unsealed for the regions concerned.
#[utoipa::path(post, path = "/api/v1/covert-plans/{id}/visit", tag = "covert checks", security(("bearer" = [])), params(("id" = String, Path)),
    request_body = VisitInput,
    responses((status = 200, body = CovertPlanJson), (status = 409, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn record_visit(
    S(state): S<State>,
    user: ApiUser,
    Path(id): Path<String>,
    Json(input): Json<VisitInput>,
) -> Result<Json<CovertPlanJson>, ApiError> {
    Ok(Json(state.app.complete_covert(&user.actor(), &id, &input).await?.into()))
}

/// The high-risk enterprises a covert visit may target (city office).
#[utoipa::path(get, path = "/api/v1/covert-candidates", tag = "covert checks", security(("bearer" = [])),
    responses((status = 200, body = Vec<TargetJson>), (status = 403, body = ErrorBody)))]
pub async fn candidates(S(state): S<State>, user: ApiUser) -> Result<Json<Vec<TargetJson>>, ApiError> {
    Ok(Json(state.app.covert_candidates(&user.auth.principal).await?.iter().map(TargetJson::from).collect()))
}

/// A problem found on a covert visit, with its handover.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ProblemJson {
    /// Id.
    pub id: String,
    /// Document number (on the handover letter).
    pub problem_no: String,
    /// Responsible region.
    pub region_code: String,
    /// Plan id.
    pub plan_id: String,
    /// Issuing city.
    pub plan_region: String,
    /// What was found.
    pub description: String,
    /// Enterprise.
    pub enterprise_id: Option<String>,
    /// Enterprise name.
    pub enterprise_name: Option<String>,
    /// Ledger hazard id.
    pub hazard_id: Option<String>,
    /// Department handed the problem (none: the region's government).
    pub department: Option<String>,
    /// Answer due.
    pub deadline: Option<String>,
    /// `open`, `answered`, `accepted`; none without a handover.
    pub handover_status: Option<String>,
    /// Latest answer.
    pub answer: Option<String>,
    /// Re-check day.
    pub recheck_on: Option<String>,
    /// Re-check finding.
    pub recheck_result: Option<String>,
    /// Version.
    pub version: i64,
    /// Days overdue.
    pub days_overdue: i64,
    /// `none`, `reminder`, `supervision_letter`, `listing`, `interview`.
    pub escalation: String,
    /// Hazard closed and handover accepted.
    pub handled: bool,
}

impl From<ProblemView> for ProblemJson {
    fn from(v: ProblemView) -> Self {
        let p = v.problem;
        Self {
            id: p.id,
            problem_no: p.problem_no,
            region_code: p.region_code,
            plan_id: p.plan_id,
            plan_region: p.plan_region,
            description: p.description,
            enterprise_id: p.enterprise_id,
            enterprise_name: p.enterprise_name,
            hazard_id: p.hazard_id,
            department: p.department,
            deadline: p.deadline,
            handover_status: p.handover_status,
            answer: p.answer,
            recheck_on: p.recheck_on,
            recheck_result: p.recheck_result,
            version: p.version,
            days_overdue: v.days_overdue,
            escalation: v.escalation.as_str().to_owned(),
            handled: v.handled,
        }
    }
}

/// Records a problem found on a done visit.
#[utoipa::path(post, path = "/api/v1/covert-plans/{id}/problems", tag = "covert checks", security(("bearer" = [])), params(("id" = String, Path)),
    request_body = ProblemInput,
    responses((status = 201, body = ProblemJson), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_problem(
    S(state): S<State>,
    user: ApiUser,
    Path(id): Path<String>,
    Json(input): Json<ProblemInput>,
) -> Result<(StatusCode, Json<ProblemJson>), ApiError> {
    Ok((StatusCode::CREATED, Json(state.app.add_covert_problem(&user.actor(), &id, &input).await?.into())))
}

/// Filter of the problem list.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
pub struct ProblemParams {
    /// Of one plan.
    pub plan_id: Option<String>,
    /// Only problems handed over (default true).
    pub handovers_only: Option<bool>,
    /// Only handovers past their deadline today.
    pub overdue: Option<bool>,
    /// With `from` and `to`: the covert-check problems (handed over or not) of visits done in
    /// that period whose responsible region lies in this one (the evaluation's drill-down).
    pub region: Option<String>,
    /// First day (YYYY-MM-DD).
    pub from: Option<String>,
    /// Last day (YYYY-MM-DD).
    pub to: Option<String>,
    /// Page.
    pub page: Option<u32>,
    /// Rows per page.
    pub per_page: Option<u32>,
}

/// Handovers (and problems) addressed to or issued by the caller's region.
#[utoipa::path(get, path = "/api/v1/handovers", tag = "covert checks", security(("bearer" = [])), params(ProblemParams),
    responses((status = 200, body = PageJson<ProblemJson>)))]
pub async fn list_handovers(
    S(state): S<State>,
    user: ApiUser,
    Query(q): Query<ProblemParams>,
) -> Result<Json<PageJson<ProblemJson>>, ApiError> {
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let visited = state.app.visited_filter(&text(&q.region), &text(&q.from), &text(&q.to))?;
    let filter = ProblemFilter {
        plan_id: q.plan_id,
        handovers_only: visited.visited.is_none() && q.handovers_only.unwrap_or(true),
        overdue_on: q.overdue.unwrap_or(false).then(|| state.app.today().to_string()),
        visited: visited.visited,
    };
    let page = PageRequest::new(q.page, q.per_page);
    Ok(Json(state.app.list_covert_problems(&user.auth.principal, &filter, page).await?.into()))
}

/// A handover with its timeline.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct HandoverJson {
    /// The problem and its handover.
    pub problem: ProblemJson,
    /// Answers, acceptances, returns, re-checks.
    pub events: Vec<EventJson>,
}

/// A timeline entry.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct EventJson {
    /// What.
    pub action: String,
    /// Answer, reason or finding.
    pub note: String,
    /// Who.
    pub actor: String,
    /// When (ms).
    pub at: i64,
}

impl From<HandoverEvent> for EventJson {
    fn from(e: HandoverEvent) -> Self {
        Self { action: e.action, note: e.note, actor: e.actor, at: e.at }
    }
}

/// One handover.
#[utoipa::path(get, path = "/api/v1/handovers/{id}", tag = "covert checks", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = HandoverJson), (status = 404, body = ErrorBody)))]
pub async fn get_handover(
    S(state): S<State>,
    user: ApiUser,
    Path(id): Path<String>,
) -> Result<Json<HandoverJson>, ApiError> {
    let (view, events) = state.app.get_covert_problem(&user.auth.principal, &id).await?;
    Ok(Json(HandoverJson { problem: view.into(), events: events.into_iter().map(EventJson::from).collect() }))
}

/// A step in a handover.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
pub struct HandoverStepJson {
    /// `answer` (the body), `accept` or `return` (the city office).
    pub action: String,
    /// Version the caller saw.
    pub version: i64,
    /// The answer, or the reason for returning it.
    #[serde(default)]
    pub note: String,
}

/// Answers, accepts or returns a handover. 409 when the step is not possible now.
#[utoipa::path(post, path = "/api/v1/handovers/{id}/transitions", tag = "covert checks", security(("bearer" = [])), params(("id" = String, Path)),
    request_body = HandoverStepJson,
    responses((status = 200, body = ProblemJson), (status = 409, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn act(
    S(state): S<State>,
    user: ApiUser,
    Path(id): Path<String>,
    Json(j): Json<HandoverStepJson>,
) -> Result<Json<ProblemJson>, ApiError> {
    let action = HandoverAction::parse(&j.action).ok_or_else(|| invalid("action", "use answer, accept or return"))?;
    Ok(Json(state.app.act_on_handover(&user.actor(), &id, j.version, action, &j.note).await?.into()))
}

/// Schedules a re-check, or records its finding.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
pub struct RecheckJson {
    /// Version the caller saw.
    pub version: i64,
    /// Day to re-check (YYYY-MM-DD)…
    #[serde(default)]
    pub recheck_on: Option<String>,
    /// …or what the re-check found.
    #[serde(default)]
    pub finding: Option<String>,
}

/// Schedules or records a re-check (回头看) of a handover (city office).
#[utoipa::path(post, path = "/api/v1/handovers/{id}/recheck", tag = "covert checks", security(("bearer" = [])), params(("id" = String, Path)),
    request_body = RecheckJson,
    responses((status = 200, body = ProblemJson), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn recheck(
    S(state): S<State>,
    user: ApiUser,
    Path(id): Path<String>,
    Json(j): Json<RecheckJson>,
) -> Result<Json<ProblemJson>, ApiError> {
    let view = state
        .app
        .recheck_handover(&user.actor(), &id, j.version, j.recheck_on.as_deref(), j.finding.as_deref())
        .await?;
    Ok(Json(view.into()))
}

/// Evidence to add to a recorded visit.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
pub struct VisitEvidenceJson {
    /// Version seen.
    pub version: i64,
    /// SM3 of files uploaded with `POST /evidence`.
    pub evidence: Vec<String>,
}

/// Adds evidence to a recorded visit (sealed with the visit record).
#[utoipa::path(post, path = "/api/v1/covert-plans/{id}/evidence", tag = "covert checks", security(("bearer" = [])), params(("id" = String, Path)),
    request_body = VisitEvidenceJson,
    responses((status = 200, body = CovertPlanJson), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn attach_evidence(
    S(state): S<State>,
    user: ApiUser,
    Path(id): Path<String>,
    Json(j): Json<VisitEvidenceJson>,
) -> Result<Json<CovertPlanJson>, ApiError> {
    Ok(Json(state.app.attach_covert_evidence(&user.actor(), &id, j.version, &j.evidence).await?.into()))
}

/// A file of a visit record, for those who may see the plan.
#[utoipa::path(get, path = "/api/v1/covert-plans/{id}/evidence/{sm3}", tag = "covert checks", security(("bearer" = [])),
    params(("id" = String, Path), ("sm3" = String, Path)),
    responses((status = 200, content_type = "application/octet-stream"), (status = 404, body = ErrorBody)))]
pub async fn download_evidence(
    S(state): S<State>,
    user: ApiUser,
    Path((id, sm3)): Path<(String, String)>,
) -> Result<axum::response::Response, ApiError> {
    let (e, bytes) = state.app.covert_evidence(&user.actor(), &id, &sm3).await?;
    Ok(super::hazards::evidence_response(&e, bytes))
}
