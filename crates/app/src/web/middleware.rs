//! Middleware every request passes through.

use super::State;
use crate::service::Actor;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use std::sync::{Arc, Mutex};

/// The id of the current request (a UUIDv7), also sent back as `x-request-id` and written
/// to the audit trail, so a log line, a response and an audit entry can be joined.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// Assigns the request id and writes one log line per request (method, path, status,
/// duration; never the query string or body, which may hold personal data).
pub async fn request_id_and_log(mut req: Request, next: Next) -> Response {
    let id = store::new_id();
    req.extensions_mut().insert(RequestId(id.clone()));
    let (method, path) = (req.method().clone(), req.uri().path().to_owned());
    let start = std::time::Instant::now();
    let mut res = next.run(req).await;
    let status = res.status().as_u16();
    let ms = start.elapsed().as_secs_f64() * 1000.0;
    if status >= 500 {
        tracing::error!(request_id = %id, %method, %path, status, ms, "request");
    } else {
        tracing::info!(request_id = %id, %method, %path, status, ms, "request");
    }
    if let Ok(v) = HeaderValue::from_str(&id) {
        res.headers_mut().insert("x-request-id", v);
    }
    res
}

/// Security headers on every response: a CSP that allows no inline script and no framing,
/// no MIME sniffing, a strict referrer policy.
pub async fn security_headers(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
             form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
        ),
    );
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    res
}

/// Refuses state-changing requests that a browser says come from another site
/// (`Sec-Fetch-Site: cross-site`) or whose `Origin` is not this host. Together with the
/// per-session token in every form, this is the CSRF defence.
pub async fn refuse_cross_site(req: Request, next: Next) -> Response {
    if !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) && is_cross_site(&req) {
        return (StatusCode::FORBIDDEN, "cross-site request refused").into_response();
    }
    next.run(req).await
}

fn is_cross_site(req: &Request) -> bool {
    let h = req.headers();
    if h.get("sec-fetch-site").and_then(|v| v.to_str().ok()).is_some_and(|v| v == "cross-site") {
        return true;
    }
    match (h.get(header::ORIGIN).and_then(|v| v.to_str().ok()), h.get(header::HOST).and_then(|v| v.to_str().ok())) {
        (Some("null"), _) => true,
        (Some(origin), Some(host)) => origin.split("://").nth(1).is_none_or(|o| o != host),
        _ => false,
    }
}

/// Filled by the authentication extractors with who is calling, so that a denial further
/// down can be audited with the right actor.
#[derive(Debug, Clone, Default)]
pub struct AuthSlot(pub Arc<Mutex<Option<Actor>>>);

/// Writes an audit entry for every 403 (role not allowed, CSRF failure, cross-site request).
pub async fn audit_denials(
    axum::extract::State(state): axum::extract::State<State>,
    mut req: Request,
    next: Next,
) -> Response {
    let slot = AuthSlot::default();
    req.extensions_mut().insert(slot.clone());
    let request_id = req.extensions().get::<RequestId>().map(|r| r.0.clone()).unwrap_or_default();
    let (method, path) = (req.method().to_string(), req.uri().path().to_owned());
    let res: Response<Body> = next.run(req).await;
    if res.status() == StatusCode::FORBIDDEN {
        let actor =
            slot.0.lock().ok().and_then(|a| a.clone()).unwrap_or_else(|| Actor::anonymous("anonymous", &request_id));
        let detail = json!({"method": method, "path": path});
        if let Err(e) = state.app.audit_alone(&actor, "access.denied", ("route", &path), "denied", detail).await {
            tracing::error!(error = %e, "could not audit a denied access");
        }
    }
    res
}
