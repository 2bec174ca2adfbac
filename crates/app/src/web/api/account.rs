//! `/auth/*` and `/me`.

use crate::service::auth::SessionKind;
use crate::web::State;
use crate::web::auth::ApiUser;
use crate::web::error::{ApiError, ErrorBody};
use crate::web::middleware::RequestId;
use axum::extract::State as S;
use axum::http::StatusCode;
use axum::{Extension, Json};
use domain::session::{ABSOLUTE_TIMEOUT_MS, IDLE_TIMEOUT_MS};

/// Login request.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
pub struct LoginRequest {
    /// Login name.
    pub username: String,
    /// Password.
    pub password: String,
}

/// A bearer token.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct LoginResponse {
    /// Send as `Authorization: Bearer <token>`.
    pub token: String,
    /// When true, every call but `/auth/password` and `/auth/logout` answers 403 until the
    /// one-time password is changed.
    pub must_change_password: bool,
    /// The token ends after this many seconds without a request.
    pub idle_timeout_seconds: i64,
    /// The token ends this many seconds after login regardless.
    pub absolute_timeout_seconds: i64,
}

/// Logs in and returns a bearer token.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = LoginResponse), (status = 401, body = ErrorBody), (status = 429, description = "account locked", body = ErrorBody)))]
pub async fn login(
    S(state): S<State>,
    Extension(rid): Extension<RequestId>,
    Json(req): Json<LoginRequest>,
) -> Result<Json<LoginResponse>, ApiError> {
    let ok = state.app.login(&req.username, &req.password, SessionKind::Api, &rid.0).await?;
    Ok(Json(LoginResponse {
        token: ok.token,
        must_change_password: ok.user.must_change_password,
        idle_timeout_seconds: IDLE_TIMEOUT_MS / 1000,
        absolute_timeout_seconds: ABSOLUTE_TIMEOUT_MS / 1000,
    }))
}

/// Ends the token's session.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody)))]
pub async fn logout(S(state): S<State>, user: ApiUser) -> Result<StatusCode, ApiError> {
    state.app.logout(&user.auth, &user.request_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Password change request.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
pub struct PasswordChange {
    /// The current password.
    pub current_password: String,
    /// The new password (at least 10 characters, not the username).
    pub new_password: String,
}

/// Changes the caller's password; other sessions of the account end.
#[utoipa::path(post, path = "/api/v1/auth/password", tag = "auth", security(("bearer" = [])), request_body = PasswordChange,
    responses((status = 204), (status = 422, body = ErrorBody)))]
pub async fn change_password(
    S(state): S<State>,
    user: ApiUser,
    Json(req): Json<PasswordChange>,
) -> Result<StatusCode, ApiError> {
    state.app.change_password(&user.auth, &req.current_password, &req.new_password, &user.request_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The caller.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Me {
    /// Login name.
    pub username: String,
    /// Display name.
    pub display_name: String,
    /// Role name.
    pub role: String,
    /// Region code.
    pub region_code: String,
    /// Enterprise id, for enterprise accounts.
    pub enterprise_id: Option<String>,
    /// Department code, for department regulators (they see its sectors' enterprises only).
    pub department: Option<String>,
}

/// Who the token belongs to.
#[utoipa::path(get, path = "/api/v1/me", tag = "auth", security(("bearer" = [])), responses((status = 200, body = Me), (status = 401, body = ErrorBody)))]
pub async fn me(user: ApiUser) -> Json<Me> {
    let p = &user.auth.principal;
    Json(Me {
        username: p.username.clone(),
        display_name: user.auth.display_name.clone(),
        role: p.role.as_str().to_owned(),
        region_code: p.region.to_string(),
        enterprise_id: p.enterprise_id.clone(),
        department: p.department.clone(),
    })
}
