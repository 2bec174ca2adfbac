//! Who is calling: the session cookie for pages ([`WebUser`]), the bearer token for the API
//! ([`ApiUser`]). Both resolve through `App::authenticate`, so expiry and lockout rules are
//! the same everywhere.

use super::State;
use super::error::ApiError;
use super::middleware::{AuthSlot, RequestId};
use crate::service::auth::{Authenticated, SessionKind};
use crate::service::{Actor, ServiceError};
use axum::extract::FromRequestParts;
use axum::http::header::{AUTHORIZATION, COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Redirect, Response};

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "insp_session";

/// Reads one cookie from the request headers.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers.get_all(COOKIE).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')).find_map(|kv| {
        let (k, v) = kv.trim().split_once('=')?;
        (k == name).then(|| v.to_owned())
    })
}

/// A `Set-Cookie` value for the session (HttpOnly, SameSite=Lax, Path=/, Secure if asked).
/// Without Max-Age it is a browser-session cookie; the server enforces the real timeouts.
pub fn session_cookie(token: &str, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!("{SESSION_COOKIE}={token}; HttpOnly; SameSite=Lax; Path=/{secure}"))
        .expect("hex token is a valid header")
}

/// A `Set-Cookie` value that removes the session cookie.
pub fn clear_session_cookie() -> HeaderValue {
    HeaderValue::from_static("insp_session=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0")
}

fn request_id(parts: &Parts) -> String {
    parts.extensions.get::<RequestId>().map(|r| r.0.clone()).unwrap_or_default()
}

fn remember(parts: &Parts, auth: &Authenticated) {
    if let Some(slot) = parts.extensions.get::<AuthSlot>()
        && let Ok(mut s) = slot.0.lock()
    {
        *s = Some(Actor::user(&auth.principal, &request_id(parts)));
    }
}

/// A logged-in browser user. Without a valid session the page redirects to the login form;
/// with a one-time password, to the password form.
#[derive(Debug, Clone)]
pub struct WebUser {
    /// The identity.
    pub auth: Authenticated,
    /// The request id.
    pub request_id: String,
}

impl WebUser {
    /// The acting user for use-cases and the audit trail.
    pub fn actor(&self) -> Actor {
        Actor::user(&self.auth.principal, &self.request_id)
    }
}

impl FromRequestParts<State> for WebUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &State) -> Result<Self, Self::Rejection> {
        let path = parts.uri.path().to_owned();
        let login = || {
            let next = parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
            Redirect::to(&format!("/login?next={}", urlencode(next))).into_response()
        };
        let Some(token) = cookie(&parts.headers, SESSION_COOKIE) else {
            return Err(login());
        };
        let auth = match state.app.authenticate(&token, SessionKind::Web).await {
            Ok(a) => a,
            Err(ServiceError::Unauthenticated | ServiceError::NotFound) => return Err(login()),
            Err(e) => return Err(ApiError(e).into_response()),
        };
        remember(parts, &auth);
        if auth.must_change_password && path != "/account/password" && path != "/logout" {
            return Err(Redirect::to("/account/password").into_response());
        }
        Ok(Self { auth, request_id: request_id(parts) })
    }
}

/// An API caller with a bearer token.
#[derive(Debug, Clone)]
pub struct ApiUser {
    /// The identity.
    pub auth: Authenticated,
    /// The request id.
    pub request_id: String,
}

impl ApiUser {
    /// The acting user for use-cases and the audit trail.
    pub fn actor(&self) -> Actor {
        Actor::user(&self.auth.principal, &self.request_id)
    }
}

impl FromRequestParts<State> for ApiUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &State) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or(ServiceError::Unauthenticated)?;
        let auth = state.app.authenticate(token.trim(), SessionKind::Api).await.map_err(|e| match e {
            ServiceError::NotFound => ServiceError::Unauthenticated,
            other => other,
        })?;
        remember(parts, &auth);
        let path = parts.uri.path();
        if auth.must_change_password && !path.ends_with("/auth/password") && !path.ends_with("/auth/logout") {
            return Err(ServiceError::PasswordChangeRequired.into());
        }
        Ok(Self { auth, request_id: request_id(parts) })
    }
}

/// Percent-encodes a value for a query string.
pub fn urlencode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A post-login redirect target: only a local path (prevents open redirects), with any byte
/// that is not visible ASCII percent-encoded so it is a valid `Location` header.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => {
            let mut out = String::with_capacity(n.len());
            for b in n.bytes() {
                if b.is_ascii_graphic() {
                    out.push(b as char);
                } else {
                    out.push_str(&format!("%{b:02X}"));
                }
            }
            out
        }
        _ => "/".to_owned(),
    }
}

/// Compares two secrets in constant time.
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
