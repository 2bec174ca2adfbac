//! One error type for every handler, mapped to a status code and, for the API, one JSON
//! envelope: `{"error": {"code": "...", "message": "...", "field": "..."}}`.
//!
//! | variant | status |
//! |---|---|
//! | NotFound (unknown or outside the caller's jurisdiction) | 404 |
//! | Forbidden (role lacks the permission; failed CSRF check) | 403 |
//! | Invalid (bad input, with the field) | 422 |
//! | Conflict (stale version) | 409 |
//! | Unauthenticated / BadCredentials | 401 |
//! | Locked | 429 |
//! | PasswordChangeRequired | 403 |
//! | Internal (logged with the request id, details never shown) | 500 |

use crate::service::ServiceError;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// An API error.
#[derive(Debug)]
pub struct ApiError(pub ServiceError);

impl<E: Into<ServiceError>> From<E> for ApiError {
    fn from(e: E) -> Self {
        Self(e.into())
    }
}

/// The JSON error envelope.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// What went wrong.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// Stable machine-readable code (`not_found`, `invalid`, `conflict`, …).
    pub code: &'static str,
    /// Human-readable message.
    pub message: String,
    /// The offending field, for `invalid`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

/// Status code and stable code of a service error.
pub fn classify(e: &ServiceError) -> (StatusCode, &'static str) {
    match e {
        ServiceError::NotFound => (StatusCode::NOT_FOUND, "not_found"),
        ServiceError::Forbidden => (StatusCode::FORBIDDEN, "forbidden"),
        ServiceError::Invalid { .. } => (StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
        ServiceError::Conflict(_) => (StatusCode::CONFLICT, "conflict"),
        ServiceError::BadCredentials => (StatusCode::UNAUTHORIZED, "bad_credentials"),
        ServiceError::Unauthenticated => (StatusCode::UNAUTHORIZED, "unauthenticated"),
        ServiceError::Locked { .. } => (StatusCode::TOO_MANY_REQUESTS, "locked"),
        ServiceError::PasswordChangeRequired => (StatusCode::FORBIDDEN, "password_change_required"),
        ServiceError::Store(_) | ServiceError::Other(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = classify(&self.0);
        let message = if status == StatusCode::INTERNAL_SERVER_ERROR {
            tracing::error!(error = %self.0, "internal error");
            "internal error; the request id is in the x-request-id header".to_owned()
        } else {
            self.0.to_string()
        };
        let field = match &self.0 {
            ServiceError::Invalid { field, .. } => Some(field.clone()),
            _ => None,
        };
        (status, Json(ErrorBody { error: ErrorDetail { code, message, field } })).into_response()
    }
}
