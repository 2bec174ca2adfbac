//! `/hazards` (the ledger, a hazard, its steps, the export) and `/criteria`.

use super::PageJson;
use crate::service::hazard_query::HazardQuery;
use crate::service::hazards::{HazardInput, HazardView, Step};
use crate::service::{ServiceError, invalid};
use crate::web::State;
use crate::web::auth::ApiUser;
use crate::web::error::{ApiError, ErrorBody};
use axum::Json;
use axum::extract::{Path, Query, State as S};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::hazard::Action;
use domain::page::PageRequest;
use store::hazard::HazardEvent;

/// A hazard in the ledger, with what today's date makes of it.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct HazardJson {
    /// Id.
    pub id: String,
    /// Document number.
    pub hazard_no: String,
    /// Region that orders the rectification.
    pub region_code: String,
    /// Enterprise id.
    pub enterprise_id: String,
    /// Enterprise credit code.
    pub credit_code: String,
    /// Enterprise name.
    pub enterprise_name: String,
    /// Sector.
    pub sector: String,
    /// Description.
    pub description: String,
    /// Location.
    pub location: String,
    /// `general` or `major`.
    pub grade: String,
    /// Criterion id (major).
    pub criterion: Option<String>,
    /// Clause (major).
    pub criterion_clause: Option<String>,
    /// Source.
    pub source: String,
    /// For a cross-inspection finding: the visiting county credited with it.
    pub found_by_region: Option<String>,
    /// Deadline.
    pub deadline: String,
    /// Responsible unit.
    pub responsible_unit: String,
    /// Responsible person.
    pub responsible_person: String,
    /// Status.
    pub status: String,
    /// Listed level.
    pub listed_level: Option<String>,
    /// Version (send it back with a step).
    pub version: i64,
    /// Days past the deadline (0 when not overdue).
    pub days_overdue: i64,
    /// `none`, `reminder`, `supervision_letter`, `listing` or `interview`.
    pub escalation: String,
    /// Five implementations (major).
    #[schema(value_type = Option<Object>)]
    pub five_implementations: Option<serde_json::Value>,
    /// Rectification plan.
    pub rectification_plan: String,
    /// Reported by.
    pub reported_by: String,
    /// Reported at (ms).
    pub reported_at: i64,
    /// Closed at (ms).
    pub closed_at: Option<i64>,
}

impl From<HazardView> for HazardJson {
    fn from(v: HazardView) -> Self {
        let h = v.hazard;
        Self {
            id: h.id,
            hazard_no: h.hazard_no,
            region_code: h.region_code,
            enterprise_id: h.enterprise_id,
            credit_code: h.credit_code,
            enterprise_name: h.enterprise_name,
            sector: h.sector,
            description: h.description,
            location: h.location,
            grade: h.grade.as_str().to_owned(),
            criterion: h.criterion,
            criterion_clause: h.criterion_clause,
            source: h.source.as_str().to_owned(),
            found_by_region: h.found_by_region,
            deadline: h.deadline,
            responsible_unit: h.responsible_unit,
            responsible_person: h.responsible_person,
            status: h.status.as_str().to_owned(),
            listed_level: h.listed_level.map(|l| l.as_str().to_owned()),
            version: h.version,
            days_overdue: v.days_overdue,
            escalation: v.escalation.as_str().to_owned(),
            five_implementations: h.five_implementations.and_then(|f| serde_json::from_str(&f).ok()),
            rectification_plan: h.rectification_plan,
            reported_by: h.reported_by,
            reported_at: h.reported_at,
            closed_at: h.closed_at,
        }
    }
}

/// One step of the timeline.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct EventJson {
    /// Position.
    pub seq: i64,
    /// When (ms).
    pub at_ms: i64,
    /// Who.
    pub actor: String,
    /// Role.
    pub role: String,
    /// What.
    pub action: String,
    /// Status before.
    pub from_status: Option<String>,
    /// Status after.
    pub to_status: String,
    /// Note.
    pub note: String,
    /// Evidence hashes.
    pub evidence: Vec<String>,
    /// Version after.
    pub version_after: i64,
}

impl From<HazardEvent> for EventJson {
    fn from(e: HazardEvent) -> Self {
        Self {
            seq: e.seq,
            at_ms: e.at_ms,
            actor: e.actor,
            role: e.role,
            action: e.action,
            from_status: e.from_status,
            to_status: e.to_status,
            note: e.note,
            evidence: serde_json::from_str(&e.evidence).unwrap_or_default(),
            version_after: e.version_after,
        }
    }
}

/// A hazard and its full timeline.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct HazardDetailJson {
    /// The hazard.
    pub hazard: HazardJson,
    /// Who did what, when.
    pub timeline: Vec<EventJson>,
}

/// The ledger, filtered, sorted, paginated.
#[utoipa::path(get, path = "/api/v1/hazards", tag = "hazards", security(("bearer" = [])), params(HazardQuery),
    responses((status = 200, body = PageJson<HazardJson>), (status = 422, body = ErrorBody)))]
pub async fn list_hazards(
    S(state): S<State>,
    user: ApiUser,
    Query(q): Query<HazardQuery>,
) -> Result<Json<PageJson<HazardJson>>, ApiError> {
    let (filter, sort) = q.to_filter(&state.app)?;
    Ok(Json(
        state.app.list_hazards(&user.auth.principal, &filter, sort, PageRequest::new(q.page, q.per_page)).await?.into(),
    ))
}

/// Records a hazard.
#[utoipa::path(post, path = "/api/v1/hazards", tag = "hazards", security(("bearer" = [])), request_body = HazardInput,
    responses((status = 201, body = HazardJson), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn report_hazard(
    S(state): S<State>,
    user: ApiUser,
    Json(input): Json<HazardInput>,
) -> Result<(StatusCode, Json<HazardJson>), ApiError> {
    Ok((StatusCode::CREATED, Json(state.app.report_hazard(&user.actor(), &input).await?.into())))
}

/// A hazard with its timeline (404 outside the caller's jurisdiction or enterprise).
#[utoipa::path(get, path = "/api/v1/hazards/{id}", tag = "hazards", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = HazardDetailJson), (status = 404, body = ErrorBody)))]
pub async fn get_hazard(
    S(state): S<State>,
    user: ApiUser,
    Path(id): Path<String>,
) -> Result<Json<HazardDetailJson>, ApiError> {
    let (h, events) = state.app.get_hazard(&user.auth.principal, &id).await?;
    Ok(Json(HazardDetailJson { hazard: h.into(), timeline: events.into_iter().map(Into::into).collect() }))
}

/// A step in a hazard's life.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
pub struct TransitionJson {
    /// `assign`, `start_rectifying`, `submit_rectification`, `verify`, `reject` or `close`.
    pub action: String,
    /// The version you read (a stale one gets 409 and nothing changes).
    pub version: i64,
    /// Note; required for `reject` (the reason) and `submit_rectification` (what was done).
    #[serde(default)]
    pub note: String,
    /// For `assign`.
    #[serde(default)]
    pub responsible_unit: Option<String>,
    /// For `assign`.
    #[serde(default)]
    pub responsible_person: Option<String>,
    /// For `assign`: a new deadline.
    #[serde(default)]
    pub deadline: Option<String>,
    /// SM3 hashes of uploaded files to attach with this step (after-photos with a submitted rectification).
    #[serde(default)]
    pub evidence: Vec<String>,
}

/// Takes a step. 409 when the step is not possible now or the version is stale.
#[utoipa::path(post, path = "/api/v1/hazards/{id}/transitions", tag = "hazards", security(("bearer" = [])), params(("id" = String, Path)),
    request_body = TransitionJson,
    responses((status = 200, body = HazardJson), (status = 409, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn transition(
    S(state): S<State>,
    user: ApiUser,
    Path(id): Path<String>,
    Json(j): Json<TransitionJson>,
) -> Result<Json<HazardJson>, ApiError> {
    let action = Action::parse(&j.action).ok_or_else(|| invalid("action", "is not a hazard action"))?;
    let step = Step {
        version: j.version,
        note: j.note,
        unit: j.responsible_unit,
        person: j.responsible_person,
        deadline: j.deadline,
        evidence: j.evidence,
    };
    Ok(Json(state.app.act_on_hazard(&user.actor(), &id, action, &step).await?.into()))
}

/// Exactly the filtered ledger as an XLSX workbook.
#[utoipa::path(get, path = "/api/v1/hazards/export.xlsx", tag = "hazards", security(("bearer" = [])), params(HazardQuery),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = 422, body = ErrorBody)))]
pub async fn export_hazards(
    S(state): S<State>,
    user: ApiUser,
    Query(q): Query<HazardQuery>,
) -> Result<Response, ApiError> {
    let (filter, sort) = q.to_filter(&state.app)?;
    let bytes = state.app.export_hazards(&user.actor(), &filter, sort).await?;
    Ok(xlsx_response(bytes, "hazards.xlsx"))
}

/// An XLSX download.
pub fn xlsx_response(bytes: Vec<u8>, name: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        bytes,
    )
        .into_response()
}

/// A national major-hazard criterion.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct CriterionJson {
    /// Id to use in `criterion`.
    pub id: String,
    /// Sector (Chinese).
    pub sector_zh: String,
    /// Sector (English).
    pub sector_en: String,
    /// Title.
    pub title_zh: String,
    /// Document number.
    pub document_no: String,
    /// Caveat.
    pub note: String,
}

/// The national criteria for major hazards.
#[utoipa::path(get, path = "/api/v1/criteria", tag = "hazards", security(("bearer" = [])), responses((status = 200, body = Vec<CriterionJson>)))]
pub async fn list_criteria(_user: ApiUser) -> Result<Json<Vec<CriterionJson>>, ApiError> {
    let list = crate::refdata::criteria().map_err(ServiceError::Other)?;
    Ok(Json(
        list.into_iter()
            .map(|c| CriterionJson {
                id: c.id,
                sector_zh: c.sector_zh,
                sector_en: c.sector_en,
                title_zh: c.title_zh,
                document_no: c.document_no,
                note: c.note,
            })
            .collect(),
    ))
}

/// An uploaded evidence file.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct EvidenceJson {
    /// SM3 of the content (hex): refer to the file by it.
    pub sm3: String,
    /// `image/jpeg`, `image/png` or `application/pdf` (from the content).
    pub content_type: String,
    /// Size in bytes.
    pub size_bytes: i64,
}

/// Uploads an evidence file (multipart field `file`; JPEG, PNG or PDF by content; at most
/// 10 MB). The same content uploaded twice is stored once.
#[utoipa::path(post, path = "/api/v1/evidence", tag = "hazards", security(("bearer" = [])),
    request_body(content_type = "multipart/form-data", description = "field `file`"),
    responses((status = 201, body = EvidenceJson), (status = 422, body = ErrorBody)))]
pub async fn upload_evidence(
    S(state): S<State>,
    user: ApiUser,
    mut multipart: axum::extract::Multipart,
) -> Result<(StatusCode, Json<EvidenceJson>), ApiError> {
    let mut file = None;
    while let Some(field) = multipart.next_field().await.map_err(|e| invalid("file", e.to_string()))? {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or("upload").to_owned();
            file = Some((name, field.bytes().await.map_err(|e| invalid("file", e.to_string()))?));
        }
    }
    let (name, bytes) = file.ok_or_else(|| invalid("file", "no file field in the upload"))?;
    let e = state.app.upload_evidence(&user.actor(), &name, &bytes).await?;
    Ok((StatusCode::CREATED, Json(EvidenceJson { sm3: e.sm3, content_type: e.content_type, size_bytes: e.size_bytes })))
}

/// Downloads an evidence file attached to a hazard you may see (404 otherwise).
#[utoipa::path(get, path = "/api/v1/evidence/{sm3}", tag = "hazards", security(("bearer" = [])), params(("sm3" = String, Path)),
    responses((status = 200, description = "the file, with its content type and as an attachment"), (status = 404, body = ErrorBody)))]
pub async fn download_evidence(
    S(state): S<State>,
    user: ApiUser,
    Path(sm3): Path<String>,
) -> Result<Response, ApiError> {
    let (e, bytes) = state.app.download_evidence(&user.auth.principal, &sm3).await?;
    Ok(evidence_response(&e, bytes))
}

/// A stored file as a download: its own content type, `attachment`, named by its hash.
pub fn evidence_response(e: &store::evidence::Evidence, bytes: Vec<u8>) -> Response {
    let ext = domain::evidence::Kind::from_content_type(&e.content_type).map(|k| k.extension()).unwrap_or("bin");
    (
        [
            (header::CONTENT_TYPE, e.content_type.clone()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{}.{ext}\"", e.sm3)),
        ],
        bytes,
    )
        .into_response()
}

/// Files to attach.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
pub struct AttachJson {
    /// The hazard's version as read.
    pub version: i64,
    /// SM3 hashes of uploaded files.
    pub evidence: Vec<String>,
    /// What they show.
    #[serde(default)]
    pub note: String,
}

/// Attaches uploaded files to a hazard (a step of its timeline; the status stays).
#[utoipa::path(post, path = "/api/v1/hazards/{id}/evidence", tag = "hazards", security(("bearer" = [])), params(("id" = String, Path)),
    request_body = AttachJson, responses((status = 204), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn attach_evidence(
    S(state): S<State>,
    user: ApiUser,
    Path(id): Path<String>,
    Json(j): Json<AttachJson>,
) -> Result<StatusCode, ApiError> {
    state.app.attach_evidence(&user.actor(), &id, j.version, &j.evidence, &j.note).await?;
    Ok(StatusCode::NO_CONTENT)
}
