//! The OpenAPI 3.1 description of the JSON API, served at `/api/openapi.json`.

use super::api::{
    accidents, account, admin, campaigns, covert, cross, evaluation, figures, guidance, hazards, inspections,
    penalties, plans, registers,
};
use axum::Json;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

/// The API description.
#[derive(OpenApi)]
#[openapi(
    info(title = "Inspectorate API", description = "Work-safety supervision: registers, accounts, audit. Errors use one envelope: {\"error\": {\"code\", \"message\", \"field\"}}."),
    paths(
        account::login, account::logout, account::change_password, account::me,
        registers::list_regions, registers::list_enterprises, registers::get_enterprise,
        registers::list_officers, registers::get_officer, registers::import_register,
        hazards::list_hazards, hazards::report_hazard, hazards::get_hazard, hazards::transition, hazards::export_hazards,
        hazards::list_criteria, hazards::upload_evidence, hazards::download_evidence, hazards::attach_evidence,
        accidents::record_accident, accidents::list_accidents, accidents::accident_types,
        campaigns::list_campaigns, campaigns::create_campaign, campaigns::campaign_progress,
        inspections::record_inspection, inspections::list_inspections, inspections::get_inspection,
        penalties::file_case, penalties::list_cases, penalties::get_case, penalties::act, penalties::articles,
        plans::create_plan, plans::list_plans, plans::get_plan, plans::commit_plan, plans::draw_plan, plans::declare_conflict,
        covert::list_plans, covert::create_plan, covert::get_plan, covert::record_visit, covert::candidates,
        covert::add_problem, covert::attach_evidence, covert::download_evidence, covert::list_handovers, covert::get_handover, covert::act, covert::recheck,
        cross::list_rounds, cross::create_round, cross::get_round, cross::commit_round, cross::group_round,
        cross::prepare_pairs, cross::draw_teams,
        guidance::counties, guidance::set_target, guidance::list_groups, guidance::create_group, guidance::get_group,
        guidance::record_visit, guidance::raise_issue,
        figures::figures, evaluation::get_run, evaluation::publish,
        admin::list_users, admin::create_user, admin::unlock_user, admin::end_sessions, admin::reset_password,
        admin::list_audit, admin::verify_audit,
    ),
    modifiers(&BearerAuth),
    tags((name = "auth"), (name = "registers"), (name = "hazards"), (name = "spot checks"), (name = "covert checks"), (name = "cross-inspections"), (name = "guidance"), (name = "evaluation"), (name = "admin"))
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// `GET /api/openapi.json`.
pub async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
