//! Inspection pages: the list, and the form (from a drawn plan's result, prefilled with the
//! drawn team and the plan's check items).

use super::{Layout, Pager, SelectOption, check_csrf, error_page, render};
use crate::service::ServiceError;
use crate::service::hazards::HazardInput;
use crate::service::inspections::{CheckItem, InspectionInput, Substitution};
use crate::web::State;
use crate::web::auth::{WebUser, urlencode};
use crate::web::i18n::Lang;
use askama::Template;
use axum::extract::{Form, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::access::Permission;
use domain::page::PageRequest;

struct Row {
    no: String,
    when: String,
    name: String,
    officers: String,
    outcome: &'static str,
    hazards: usize,
    /// For an inspection that ended in a penalty case, where an office files it (the case
    /// form with the enterprise and the inspection filled in).
    case_link: Option<String>,
}

#[derive(Template)]
#[template(path = "inspections.html")]
struct ListPage {
    l: Layout,
    total: i64,
    rows: Vec<Row>,
    pager: Pager,
}

#[derive(Debug, Default, serde::Deserialize)]
pub(super) struct ListQuery {
    #[serde(default)]
    plan: String,
    #[serde(default)]
    region: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    spot: String,
    page: Option<u32>,
}

pub(super) async fn list_inspections(
    axum::extract::State(state): axum::extract::State<State>,
    lang: Lang,
    user: WebUser,
    Query(q): Query<ListQuery>,
) -> Response {
    let filter = match crate::service::App::inspection_filter(&q.plan, &q.region, &q.from, &q.to, q.spot == "1") {
        Ok(f) => f,
        Err(e) => return error_page(lang, &e),
    };
    let paged = match state.app.list_inspections(&user.auth.principal, &filter, PageRequest::new(q.page, None)).await {
        Ok(x) => x,
        Err(e) => return error_page(lang, &e),
    };
    let l = Layout::for_user(lang, &user, "inspections.title", "/inspections");
    let t = l.t;
    let files_cases = user.auth.principal.can(domain::access::Permission::ManagePenalties);
    let rows = paged
        .items
        .iter()
        .map(|i| Row {
            no: i.inspection_no.clone(),
            when: super::local_time(i.inspected_at, "%Y-%m-%d %H:%M"),
            name: i.enterprise_name.clone(),
            officers: serde_json::from_str::<Vec<String>>(&i.officers).unwrap_or_default().join(", "),
            outcome: t.s(&format!("outcome.{}", i.outcome)),
            hazards: serde_json::from_str::<Vec<String>>(&i.hazards).unwrap_or_default().len(),
            case_link: (files_cases && i.outcome == "penalty_case").then(|| {
                format!("/penalties?code={}&inspection={}#file-case", urlencode(&i.credit_code), urlencode(&i.id))
            }),
        })
        .collect();
    let params = [
        ("plan", q.plan.clone()),
        ("region", q.region.clone()),
        ("from", q.from.clone()),
        ("to", q.to.clone()),
        ("spot", q.spot.clone()),
    ];
    let pager = Pager::new("/inspections", &params, &paged);
    render(&ListPage { total: paged.total, rows, pager, l })
}

/// The form's fields.
#[derive(Debug, Default, serde::Deserialize)]
pub(super) struct InspectionForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    enterprise_id: String,
    #[serde(default)]
    plan_id: String,
    #[serde(default)]
    inspected_at: String,
    #[serde(default)]
    officers: String,
    #[serde(default)]
    substitutions: String,
    #[serde(default)]
    items: String,
    #[serde(default)]
    representative: String,
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    finding_description: String,
    #[serde(default)]
    finding_deadline: String,
    #[serde(default)]
    cap_reason: String,
}

#[derive(Template)]
#[template(path = "inspection_new.html")]
struct FormPage {
    l: Layout,
    f: InspectionForm,
    enterprise_name: String,
    plan_no: String,
    outcomes: Vec<SelectOption>,
    error: Option<String>,
}

async fn form_page(state: &State, lang: Lang, user: &WebUser, f: InspectionForm, error: Option<String>) -> Response {
    let p = &user.auth.principal;
    let enterprise = match state.app.enterprise_for_inspection(p, &f.plan_id, Some(&f.enterprise_id), None).await {
        Ok(e) => e,
        Err(e) => return error_page(lang, &e),
    };
    let plan_no = match f.plan_id.as_str() {
        "" => String::new(),
        id => state.app.get_plan(p, id).await.map(|x| x.plan_no).unwrap_or_default(),
    };
    let l = Layout::for_user(lang, user, "inspections.new", "/inspections/new");
    let t = l.t;
    let outcomes = ["no_problem", "order_to_correct", "penalty_case"]
        .iter()
        .map(|o| SelectOption {
            value: (*o).into(),
            label: t.s(&format!("outcome.{o}")).into(),
            selected: f.outcome == *o,
        })
        .collect();
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    (status, render(&FormPage { enterprise_name: enterprise.name, plan_no, outcomes, error, f, l })).into_response()
}

#[derive(Debug, Default, serde::Deserialize)]
pub(super) struct NewQuery {
    #[serde(default)]
    plan: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    enterprise: String,
}

pub(super) async fn new_inspection(
    axum::extract::State(state): axum::extract::State<State>,
    lang: Lang,
    user: WebUser,
    Query(q): Query<NewQuery>,
) -> Response {
    let p = &user.auth.principal;
    if !p.can(Permission::RecordInspection) {
        return error_page(lang, &ServiceError::Forbidden);
    }
    let mut f = InspectionForm {
        plan_id: q.plan.clone(),
        enterprise_id: q.enterprise.clone(),
        outcome: "no_problem".into(),
        ..Default::default()
    };
    if !q.code.is_empty() {
        match state.app.enterprise_for_inspection(p, &q.plan, None, Some(&q.code)).await {
            Ok(e) => f.enterprise_id = e.id,
            Err(e) => return error_page(lang, &e),
        }
    }
    if !q.plan.is_empty()
        && let Ok(plan) = state.app.get_plan(p, &q.plan).await
    {
        f.items = plan
            .check_items
            .split(['；', ';', '\n'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| format!("{s}|pass"))
            .collect::<Vec<_>>()
            .join("\n");
        if let Ok(Some(json)) = store::plan::reveal_of(&state.app.db, &plan.id).await
            && let Ok(r) = serde_json::from_str::<domain::draw::record::SpotReveal>(&json)
        {
            f.officers =
                r.assignments.into_iter().find(|a| a.entity == q.code).map(|a| a.team.join(",")).unwrap_or_default();
        }
    }
    f.inspected_at = super::local_time(state.app.now_ms(), "%Y-%m-%dT%H:%M");
    form_page(&state, lang, &user, f, None).await
}

fn split_lines(text: &str) -> impl Iterator<Item = Vec<String>> + '_ {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| l.split(['|', ',', '，']).map(|p| p.trim().to_owned()).collect())
}

pub(super) async fn record_inspection(
    axum::extract::State(state): axum::extract::State<State>,
    lang: Lang,
    user: WebUser,
    Form(f): Form<InspectionForm>,
) -> Response {
    if let Err(e) = check_csrf(&user, &f.csrf) {
        return error_page(lang, &e);
    }
    let items = split_lines(&f.items)
        .map(|p| CheckItem {
            item: p.first().cloned().unwrap_or_default(),
            result: p.get(1).cloned().unwrap_or_else(|| "pass".into()),
            note: p.get(2).cloned().unwrap_or_default(),
        })
        .collect();
    let substitutions = split_lines(&f.substitutions)
        .map(|p| Substitution {
            out: p.first().cloned().unwrap_or_default(),
            replacement: p.get(1).cloned().unwrap_or_default(),
            reason: p.get(2).cloned().unwrap_or_default(),
        })
        .collect();
    let findings = if f.finding_description.trim().is_empty() {
        vec![]
    } else {
        vec![HazardInput {
            description: f.finding_description.clone(),
            grade: "general".into(),
            deadline: f.finding_deadline.clone(),
            ..Default::default()
        }]
    };
    let input = InspectionInput {
        enterprise_id: f.enterprise_id.clone(),
        plan_id: Some(f.plan_id.clone()).filter(|p| !p.is_empty()),
        inspected_at: f.inspected_at.clone(),
        officers: f
            .officers
            .split([',', '，', ' '])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
        substitutions,
        items,
        representative: f.representative.clone(),
        outcome: f.outcome.clone(),
        findings,
        cap_reason: Some(f.cap_reason.clone()),
    };
    match state.app.record_inspection(&user.actor(), &input).await {
        Ok(_) => Redirect::to(&format!("/inspections?plan={}", f.plan_id)).into_response(),
        Err(ServiceError::Invalid { field, message }) => {
            form_page(&state, lang, &user, f, Some(format!("{field}: {message}"))).await
        }
        Err(e) => error_page(lang, &e),
    }
}
