//! Spot-check plan pages: list, new-plan form, plan page with the commit and draw steps.

use super::{Layout, Pager, SelectOption, check_csrf, error_page, region_name, render, sector_name};
use crate::service::ServiceError;
use crate::service::plans::{PlanInput, plan_quotas};
use crate::web::State;
use crate::web::auth::WebUser;
use crate::web::i18n::{Lang, Tr};
use askama::Template;
use axum::extract::{Form, Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::access::Permission;
use domain::page::PageRequest;
use domain::plan::STRATA;
use std::collections::HashMap;
use store::plan::Plan;

/// A plan row in a list.
pub(super) struct PlanRow {
    pub id: String,
    pub plan_no: String,
    pub name: String,
    pub region: String,
    pub period: String,
    pub status: &'static str,
}

pub(super) fn plan_row(t: Tr, p: &Plan) -> PlanRow {
    PlanRow {
        id: p.id.clone(),
        plan_no: p.plan_no.clone(),
        name: p.name.clone(),
        region: region_name(t, &p.region_code),
        period: format!("{} – {}", p.period_start, p.period_end),
        status: t.s(&format!("plan_status.{}", p.status.as_str())),
    }
}

/// Quotas as one line of text ("重大风险 30% · 较大风险 20%").
pub(super) fn quotas_text(t: Tr, p: &Plan) -> String {
    plan_quotas(p)
        .iter()
        .map(|q| format!("{} {}", t.s(&format!("risk.{}", q.stratum.as_str())), q.quota.display()))
        .collect::<Vec<_>>()
        .join(" · ")
}

#[derive(Template)]
#[template(path = "plans.html")]
struct PlansPage {
    l: Layout,
    rows: Vec<PlanRow>,
    can_manage: bool,
    pager: Pager,
}

#[derive(Debug, Default, serde::Deserialize)]
pub(super) struct PageQuery {
    page: Option<u32>,
}

pub(super) async fn list_plans(
    axum::extract::State(state): axum::extract::State<State>,
    lang: Lang,
    user: WebUser,
    Query(q): Query<PageQuery>,
) -> Response {
    let p = &user.auth.principal;
    let paged = match state.app.list_plans(p, PageRequest::new(q.page, None)).await {
        Ok(x) => x,
        Err(e) => return error_page(lang, &e),
    };
    let l = Layout::for_user(lang, &user, "plans.title", "/plans");
    let rows = paged.items.iter().map(|x| plan_row(l.t, x)).collect();
    render(&PlansPage { rows, can_manage: p.can(Permission::ManagePlans), pager: Pager::new("/plans", &[], &paged), l })
}

/// The form's fields, kept to re-show them after an error.
#[derive(Debug, Default, serde::Deserialize)]
pub(super) struct PlanForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    period_start: String,
    #[serde(default)]
    period_end: String,
    #[serde(default)]
    quota_major: String,
    #[serde(default)]
    quota_high: String,
    #[serde(default)]
    quota_general: String,
    #[serde(default)]
    quota_low: String,
    #[serde(default)]
    team_size: String,
    #[serde(default)]
    sector: String,
    #[serde(default)]
    check_items: String,
}

struct QuotaField {
    value: &'static str,
    label: &'static str,
    text: String,
    field: String,
}

#[derive(Template)]
#[template(path = "plan_new.html")]
struct NewPlanPage {
    l: Layout,
    f: PlanForm,
    quotas: Vec<QuotaField>,
    sectors: Vec<SelectOption>,
    errors: HashMap<String, String>,
}

fn new_plan_page(lang: Lang, user: &WebUser, f: PlanForm, errors: HashMap<String, String>) -> Response {
    let l = Layout::for_user(lang, user, "plans.new", "/plans/new");
    let t = l.t;
    let texts = [&f.quota_major, &f.quota_high, &f.quota_general, &f.quota_low];
    let quotas = STRATA
        .iter()
        .zip(texts)
        .map(|(s, text)| QuotaField {
            value: s.as_str(),
            label: t.s(&format!("risk.{}", s.as_str())),
            text: text.clone(),
            field: format!("quota_{}", s.as_str()),
        })
        .collect();
    let sectors = super::SECTORS
        .iter()
        .map(|s| SelectOption { value: s.code.clone(), label: sector_name(t, &s.code), selected: s.code == f.sector })
        .collect();
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    (status, render(&NewPlanPage { l, f, quotas, sectors, errors })).into_response()
}

pub(super) async fn new_plan_form(lang: Lang, user: WebUser) -> Response {
    if !user.auth.principal.can(Permission::ManagePlans) {
        return error_page(lang, &ServiceError::Forbidden);
    }
    let f = PlanForm {
        quota_major: "30%".into(),
        quota_high: "20%".into(),
        quota_general: "5%".into(),
        quota_low: "3%".into(),
        team_size: "2".into(),
        ..Default::default()
    };
    new_plan_page(lang, &user, f, HashMap::new())
}

pub(super) async fn create_plan(
    axum::extract::State(state): axum::extract::State<State>,
    lang: Lang,
    user: WebUser,
    Form(f): Form<PlanForm>,
) -> Response {
    if let Err(e) = check_csrf(&user, &f.csrf) {
        return error_page(lang, &e);
    }
    let input = PlanInput {
        name: f.name.clone(),
        period_start: f.period_start.clone(),
        period_end: f.period_end.clone(),
        sectors: if f.sector.is_empty() { vec![] } else { vec![f.sector.clone()] },
        quotas: [f.quota_major.clone(), f.quota_high.clone(), f.quota_general.clone(), f.quota_low.clone()],
        team_size: f.team_size.trim().parse().unwrap_or(0),
        check_items: f.check_items.clone(),
    };
    match state.app.create_plan(&user.actor(), &input).await {
        Ok(plan) => Redirect::to(&format!("/plans/{}", plan.id)).into_response(),
        Err(ServiceError::Invalid { field, message }) => new_plan_page(lang, &user, f, [(field, message)].into()),
        Err(e) => error_page(lang, &e),
    }
}

#[derive(Template)]
#[template(path = "plan.html")]
struct PlanPage {
    l: Layout,
    p: Plan,
    region: String,
    quotas: String,
    status: &'static str,
    status_code: &'static str,
    can_manage: bool,
    can_inspect: bool,
    assignments: Vec<AssignmentRow>,
    error: Option<String>,
}

/// A drawn enterprise on the plan page.
struct AssignmentRow {
    entity: String,
    stratum: &'static str,
    team: String,
}

async fn plan_page(state: &State, lang: Lang, user: &WebUser, id: &str, error: Option<String>) -> Response {
    let principal = &user.auth.principal;
    let plan = match state.app.get_plan(principal, id).await {
        Ok(p) => p,
        Err(e) => return error_page(lang, &e),
    };
    let mut l = Layout::for_user(lang, user, "plans.title", "/plans");
    l.title = plan.name.clone();
    let t = l.t;
    let assignments = match store::plan::reveal_of(&state.app.db, &plan.id).await {
        Ok(Some(json)) => serde_json::from_str::<domain::draw::record::SpotReveal>(&json)
            .ok()
            .map(|r| r.assignments)
            .unwrap_or_default()
            .into_iter()
            .map(|a| AssignmentRow {
                stratum: t.s(&format!("risk.{}", a.stratum)),
                team: a.team.join(", "),
                entity: a.entity,
            })
            .collect(),
        _ => vec![],
    };
    let page = PlanPage {
        can_inspect: principal.can(Permission::RecordInspection),
        assignments,
        region: region_name(t, &plan.region_code),
        quotas: quotas_text(t, &plan),
        status: t.s(&format!("plan_status.{}", plan.status.as_str())),
        status_code: plan.status.as_str(),
        can_manage: principal.can(Permission::ManagePlans),
        error: error.clone(),
        p: plan,
        l,
    };
    let status = if error.is_some() { StatusCode::CONFLICT } else { StatusCode::OK };
    (status, render(&page)).into_response()
}

pub(super) async fn show_plan(
    axum::extract::State(state): axum::extract::State<State>,
    lang: Lang,
    user: WebUser,
    Path(id): Path<String>,
) -> Response {
    plan_page(&state, lang, &user, &id, None).await
}

#[derive(Debug, serde::Deserialize)]
pub(super) struct StepForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    version: i64,
    #[serde(default)]
    beacon: String,
}

pub(super) async fn commit_plan(
    axum::extract::State(state): axum::extract::State<State>,
    lang: Lang,
    user: WebUser,
    Path(id): Path<String>,
    Form(f): Form<StepForm>,
) -> Response {
    if let Err(e) = check_csrf(&user, &f.csrf) {
        return error_page(lang, &e);
    }
    match state.app.commit_plan(&user.actor(), &id, f.version).await {
        Ok(_) => Redirect::to(&format!("/plans/{id}")).into_response(),
        Err(ServiceError::Invalid { message, .. } | ServiceError::Conflict(message)) => {
            plan_page(&state, lang, &user, &id, Some(message)).await
        }
        Err(e) => error_page(lang, &e),
    }
}

pub(super) async fn draw_plan(
    axum::extract::State(state): axum::extract::State<State>,
    lang: Lang,
    user: WebUser,
    Path(id): Path<String>,
    Form(f): Form<StepForm>,
) -> Response {
    if let Err(e) = check_csrf(&user, &f.csrf) {
        return error_page(lang, &e);
    }
    match state.app.draw_plan(&user.actor(), &id, f.version, &f.beacon).await {
        Ok(_) => Redirect::to(&format!("/plans/{id}")).into_response(),
        Err(ServiceError::Invalid { message, .. } | ServiceError::Conflict(message)) => {
            plan_page(&state, lang, &user, &id, Some(message)).await
        }
        Err(e) => error_page(lang, &e),
    }
}
