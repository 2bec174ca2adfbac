//! The HTTP layer: server-rendered pages for people ([`pages`]), a JSON API for programs
//! ([`api`], described by `/api/openapi.json`), and the middleware that every request passes
//! (request id and log line, security headers, cross-site request refusal, audit of denials).
//!
//! Handlers are thin: they parse input, call a use-case on [`crate::service::App`], and
//! render the result.

pub mod api;
pub mod assets;
pub mod auth;
pub mod charts;
pub mod error;
pub mod i18n;
pub mod middleware;
pub mod openapi;
pub mod pages;

use crate::service::App;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use std::sync::Arc;

/// Shared state of the server.
#[derive(Debug)]
pub struct AppState {
    /// The use-cases.
    pub app: App,
    /// Whether cookies carry the `Secure` attribute (behind HTTPS).
    pub cookie_secure: bool,
}

/// Shared state handle.
pub type State = Arc<AppState>;

/// The largest request body accepted: uploads up to the web import limit plus form overhead.
pub const MAX_BODY_BYTES: usize = crate::import::Limits::WEB.max_bytes + (1 << 20);

/// The whole URL map.
pub fn router(state: State) -> Router {
    Router::new()
        .merge(pages::router())
        .nest("/api/v1", api::router())
        .route("/api/openapi.json", axum::routing::get(openapi::openapi_json))
        .route("/healthz", axum::routing::get(healthz))
        .route("/assets/{file}", axum::routing::get(assets::asset))
        .layer(axum::middleware::from_fn(middleware::refuse_cross_site))
        .layer(axum::middleware::from_fn_with_state(state.clone(), middleware::audit_denials))
        .layer(axum::middleware::from_fn(middleware::security_headers))
        .layer(axum::middleware::from_fn(middleware::request_id_and_log))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(state)
}

/// `GET /healthz`: 200 "ok" when the database answers, 503 otherwise.
async fn healthz(axum::extract::State(state): axum::extract::State<State>) -> (axum::http::StatusCode, &'static str) {
    match state.app.db.ping().await {
        Ok(()) => (axum::http::StatusCode::OK, "ok"),
        Err(_) => (axum::http::StatusCode::SERVICE_UNAVAILABLE, "database unavailable"),
    }
}

/// Serves the router on a bound listener until the process is asked to stop; requests under
/// way are answered first.
pub async fn serve(state: State, listener: tokio::net::TcpListener) -> std::io::Result<()> {
    axum::serve(listener, router(state)).with_graceful_shutdown(shutdown_signal()).await
}

/// Resolves when the process is asked to stop: Ctrl-C, or SIGTERM, which `systemctl stop`,
/// `docker stop` and `kill` send (without a handler it would end the process at once).
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}
