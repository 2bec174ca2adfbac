//! The JSON API under `/api/v1`, for programs. Bearer tokens from `POST /auth/login`; errors
//! in one envelope (see [`super::error`]); lists paginated with `page` and `per_page` and
//! answered as `{items, total, page, per_page}`. Described by `/api/openapi.json`.

pub mod accidents;
pub mod account;
pub mod admin;
pub mod campaigns;
pub mod covert;
pub mod cross;
pub mod evaluation;
pub mod figures;
pub mod guidance;
pub mod hazards;
pub mod inspections;
pub mod penalties;
pub mod plans;
pub mod registers;

use super::State;
use axum::Router;
use axum::routing::{get, post};

/// The API URL map (mounted at `/api/v1`).
pub fn router() -> Router<State> {
    Router::new()
        .route("/auth/login", post(account::login))
        .route("/auth/logout", post(account::logout))
        .route("/auth/password", post(account::change_password))
        .route("/me", get(account::me))
        .route("/regions", get(registers::list_regions))
        .route("/enterprises", get(registers::list_enterprises))
        .route("/enterprises/{id}", get(registers::get_enterprise))
        .route("/officers", get(registers::list_officers))
        .route("/officers/{id}", get(registers::get_officer))
        .route("/imports/{kind}", post(registers::import_register))
        .route("/hazards", get(hazards::list_hazards).post(hazards::report_hazard))
        .route("/hazards/export.xlsx", get(hazards::export_hazards))
        .route("/hazards/{id}", get(hazards::get_hazard))
        .route("/hazards/{id}/transitions", post(hazards::transition))
        .route("/hazards/{id}/evidence", post(hazards::attach_evidence))
        .route("/evidence", post(hazards::upload_evidence))
        .route("/evidence/{sm3}", get(hazards::download_evidence))
        .route("/criteria", get(hazards::list_criteria))
        .route("/accidents", get(accidents::list_accidents).post(accidents::record_accident))
        .route("/accident-types", get(accidents::accident_types))
        .route("/campaigns", get(campaigns::list_campaigns).post(campaigns::create_campaign))
        .route("/campaigns/{id}", get(campaigns::campaign_progress))
        .route("/plans", get(plans::list_plans).post(plans::create_plan))
        .route("/plans/{id}", get(plans::get_plan))
        .route("/plans/{id}/commit", post(plans::commit_plan))
        .route("/plans/{id}/draw", post(plans::draw_plan))
        .route("/conflicts", post(plans::declare_conflict))
        .route("/inspections", get(inspections::list_inspections).post(inspections::record_inspection))
        .route("/inspections/{id}", get(inspections::get_inspection))
        .route("/penalties", get(penalties::list_cases).post(penalties::file_case))
        .route("/penalties/{id}", get(penalties::get_case))
        .route("/penalties/{id}/transitions", post(penalties::act))
        .route("/articles", get(penalties::articles))
        .route("/covert-plans", get(covert::list_plans).post(covert::create_plan))
        .route("/covert-plans/{id}", get(covert::get_plan))
        .route("/covert-plans/{id}/visit", post(covert::record_visit))
        .route("/covert-plans/{id}/problems", post(covert::add_problem))
        .route("/covert-plans/{id}/evidence", post(covert::attach_evidence))
        .route("/covert-plans/{id}/evidence/{sm3}", get(covert::download_evidence))
        .route("/covert-candidates", get(covert::candidates))
        .route("/handovers", get(covert::list_handovers))
        .route("/handovers/{id}", get(covert::get_handover))
        .route("/handovers/{id}/transitions", post(covert::act))
        .route("/handovers/{id}/recheck", post(covert::recheck))
        .route("/cross-rounds", get(cross::list_rounds).post(cross::create_round))
        .route("/cross-rounds/{id}", get(cross::get_round))
        .route("/cross-rounds/{id}/commit", post(cross::commit_round))
        .route("/cross-rounds/{id}/group", post(cross::group_round))
        .route("/cross-rounds/{id}/prepare", post(cross::prepare_pairs))
        .route("/cross-rounds/{id}/draw", post(cross::draw_teams))
        .route("/guidance/counties", get(guidance::counties))
        .route("/guidance/targets", post(guidance::set_target))
        .route("/guidance-groups", get(guidance::list_groups).post(guidance::create_group))
        .route("/guidance-groups/{id}", get(guidance::get_group))
        .route("/guidance-groups/{id}/visit", post(guidance::record_visit))
        .route("/guidance-groups/{id}/issues", post(guidance::raise_issue))
        .route("/figures", get(figures::figures))
        .route("/evaluations", get(evaluation::get_run))
        .route("/evaluations/publish", post(evaluation::publish))
        .route("/users", get(admin::list_users).post(admin::create_user))
        .route("/users/{id}/unlock", post(admin::unlock_user))
        .route("/users/{id}/end-sessions", post(admin::end_sessions))
        .route("/users/{id}/reset-password", post(admin::reset_password))
        .route("/audit", get(admin::list_audit))
        .route("/audit/verify", post(admin::verify_audit))
}

/// A page of results as every list returns it.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct PageJson<T> {
    /// Rows of this page.
    pub items: Vec<T>,
    /// Rows matching the filter in all.
    pub total: i64,
    /// Page number (from 1).
    pub page: u32,
    /// Page size.
    pub per_page: u32,
}

impl<T, U: From<T>> From<domain::page::Paged<T>> for PageJson<U> {
    fn from(p: domain::page::Paged<T>) -> Self {
        Self { items: p.items.into_iter().map(U::from).collect(), total: p.total, page: p.page, per_page: p.per_page }
    }
}

/// Page parameters of a list without other filters.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
pub struct PageParams {
    /// Page (from 1).
    pub page: Option<u32>,
    /// Rows per page.
    pub per_page: Option<u32>,
}
