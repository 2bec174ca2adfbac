//! `/users` and `/audit`.

use super::PageJson;
use crate::service::users::NewAccount;
use crate::web::State;
use crate::web::auth::ApiUser;
use crate::web::error::{ApiError, ErrorBody};
use axum::Json;
use axum::extract::{Path, Query, State as S};
use axum::http::StatusCode;
use domain::audit::AuditEntry;
use domain::page::PageRequest;
use store::audit::AuditFilter;
use store::user::User;

/// An account (never its password hash).
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct UserJson {
    /// Id.
    pub id: String,
    /// Login name.
    pub username: String,
    /// Display name.
    pub display_name: String,
    /// Role.
    pub role: String,
    /// Region code.
    pub region_code: String,
    /// For department regulators: the department whose sectors they see.
    pub department: Option<String>,
    /// Locked until (ms since epoch), if locked.
    pub locked_until: Option<i64>,
    /// Must change a one-time password.
    pub must_change_password: bool,
}

impl From<User> for UserJson {
    fn from(u: User) -> Self {
        Self {
            id: u.id,
            username: u.username,
            display_name: u.display_name,
            role: u.role.as_str().to_owned(),
            region_code: u.region_code,
            department: u.department,
            locked_until: u.locked_until,
            must_change_password: u.must_change_password,
        }
    }
}

/// Every account (system and security administrators).
#[utoipa::path(get, path = "/api/v1/users", tag = "admin", security(("bearer" = [])), responses((status = 200, body = Vec<UserJson>), (status = 403, body = ErrorBody)))]
pub async fn list_users(S(state): S<State>, user: ApiUser) -> Result<Json<Vec<UserJson>>, ApiError> {
    Ok(Json(state.app.list_users(&user.auth.principal).await?.into_iter().map(UserJson::from).collect()))
}

/// A created account and its one-time password (shown once).
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct CreatedUser {
    /// Id.
    pub id: String,
    /// The one-time password to hand to the user.
    pub one_time_password: String,
}

/// Creates an account (system administrator).
#[utoipa::path(post, path = "/api/v1/users", tag = "admin", security(("bearer" = [])), request_body = NewAccount,
    responses((status = 201, body = CreatedUser), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn create_user(
    S(state): S<State>,
    user: ApiUser,
    Json(input): Json<NewAccount>,
) -> Result<(StatusCode, Json<CreatedUser>), ApiError> {
    let (id, one_time_password) = state.app.create_user(&user.actor(), &input).await?;
    Ok((StatusCode::CREATED, Json(CreatedUser { id, one_time_password })))
}

/// Unlocks an account (security administrator).
#[utoipa::path(post, path = "/api/v1/users/{id}/unlock", tag = "admin", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn unlock_user(S(state): S<State>, user: ApiUser, Path(id): Path<String>) -> Result<StatusCode, ApiError> {
    state.app.unlock_user(&user.actor(), &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Ends every session of an account (security administrator); answers how many.
#[utoipa::path(post, path = "/api/v1/users/{id}/end-sessions", tag = "admin", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = Object), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn end_sessions(
    S(state): S<State>,
    user: ApiUser,
    Path(id): Path<String>,
) -> Result<axum::Json<serde_json::Value>, ApiError> {
    let n = state.app.end_sessions(&user.actor(), &id).await?;
    Ok(axum::Json(serde_json::json!({"ended": n})))
}

/// A new one-time password.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct OneTimePassword {
    /// The password to hand over; the user must change it at first login.
    pub one_time_password: String,
}

/// Resets a password to a one-time password and ends the account's sessions (system administrator).
#[utoipa::path(post, path = "/api/v1/users/{id}/reset-password", tag = "admin", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = OneTimePassword), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn reset_password(
    S(state): S<State>,
    user: ApiUser,
    Path(id): Path<String>,
) -> Result<Json<OneTimePassword>, ApiError> {
    Ok(Json(OneTimePassword { one_time_password: state.app.reset_password(&user.actor(), &id).await? }))
}

/// An audit entry.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct AuditJson {
    /// Chain (region code).
    pub chain: String,
    /// Position in the chain.
    pub seq: i64,
    /// When (ms since epoch, UTC).
    pub at_ms: i64,
    /// Who.
    pub actor: String,
    /// Their role.
    pub role: String,
    /// What.
    pub action: String,
    /// Object kind.
    pub object_type: String,
    /// Object id.
    pub object_id: String,
    /// `ok`, `denied`, `failed`.
    pub result: String,
    /// Request id.
    pub request_id: String,
    /// Detail (JSON text).
    pub detail: String,
    /// SM3 hash of the previous entry (hex).
    pub prev_hash: String,
    /// SM3 hash of this entry (hex).
    pub hash: String,
}

impl From<AuditEntry> for AuditJson {
    fn from(e: AuditEntry) -> Self {
        Self {
            chain: e.chain,
            seq: e.seq,
            at_ms: e.at_ms,
            actor: e.event.actor,
            role: e.event.role,
            action: e.event.action,
            object_type: e.event.object_type,
            object_id: e.event.object_id,
            result: e.event.result,
            request_id: e.event.request_id,
            detail: e.event.detail,
            prev_hash: hex::encode(e.prev_hash),
            hash: hex::encode(e.hash),
        }
    }
}

/// Audit list filters.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
pub struct AuditParams {
    /// Chain (region code).
    pub chain: Option<String>,
    /// Actor.
    pub actor: Option<String>,
    /// Action prefix (`user.`).
    pub action: Option<String>,
    /// Page.
    pub page: Option<u32>,
    /// Rows per page.
    pub per_page: Option<u32>,
}

/// The audit trail, newest first (audit administrator).
#[utoipa::path(get, path = "/api/v1/audit", tag = "admin", security(("bearer" = [])), params(AuditParams),
    responses((status = 200, body = PageJson<AuditJson>), (status = 403, body = ErrorBody)))]
pub async fn list_audit(
    S(state): S<State>,
    user: ApiUser,
    Query(q): Query<AuditParams>,
) -> Result<Json<PageJson<AuditJson>>, ApiError> {
    let filter = AuditFilter { chain: q.chain, actor: q.actor, action_prefix: q.action };
    Ok(Json(state.app.list_audit(&user.actor(), &filter, PageRequest::new(q.page, q.per_page)).await?.into()))
}

/// The result of verifying the chains.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct VerifyJson {
    /// True when every chain is intact.
    pub intact: bool,
    /// Chains checked.
    pub chains: usize,
    /// Entries checked.
    pub entries: i64,
    /// The first break, described.
    pub first_break: Option<String>,
}

/// Verifies every audit chain (audit administrator).
#[utoipa::path(post, path = "/api/v1/audit/verify", tag = "admin", security(("bearer" = [])),
    responses((status = 200, body = VerifyJson), (status = 403, body = ErrorBody)))]
pub async fn verify_audit(S(state): S<State>, user: ApiUser) -> Result<Json<VerifyJson>, ApiError> {
    let r = state.app.verify_audit(&user.actor()).await?;
    Ok(Json(VerifyJson {
        intact: r.first_break.is_none(),
        chains: r.chains,
        entries: r.entries,
        first_break: r.first_break.map(|b| b.to_string()),
    }))
}
