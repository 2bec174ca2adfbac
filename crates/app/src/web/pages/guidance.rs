//! Focused-guidance pages: the city's counties with their flags (and the forms for control
//! targets and a new guidance group), and a group's page (members, reasons, the visit, the
//! issues raised with the county government, which are then followed as handovers).

use super::{Layout, SelectOption, check_csrf, department_name, error_page, region_name, render};
use crate::service::ServiceError;
use crate::service::guidance::{GroupInput, GroupView, Member, Quarter};
use crate::web::State;
use crate::web::auth::WebUser;
use crate::web::i18n::{Lang, Tr};
use askama::Template;
use axum::extract::State as S;
use axum::extract::{Form, Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::access::Permission;
use domain::guidance::{Flag, REQUIRED_DEPARTMENTS, Rule};

fn percent(bp: i64) -> String {
    format!("{}.{:02}%", bp / 100, bp % 100)
}

/// A flag in words, with its numbers.
fn flag_text(t: Tr, f: &Flag) -> String {
    let (v, c) = match f.rule {
        Rule::RectificationLags | Rule::OverdueLags | Rule::CoverageLags => {
            (percent(f.value), percent(f.compared_with))
        }
        _ => (f.value.to_string(), f.compared_with.to_string()),
    };
    format!("{} {v} / {c}", t.s(&format!("flag.{}", f.rule.as_str())))
}

struct CountyRow {
    code: String,
    name: String,
    accidents: String,
    deaths: String,
    rectification: String,
    overdue: i64,
    coverage: String,
    targets: String,
    flags: Vec<String>,
}

struct GroupRow {
    id: String,
    no: String,
    name: String,
    county: String,
    visit_on: String,
    status: &'static str,
}

#[derive(Template)]
#[template(path = "guidance.html")]
struct OverviewPage {
    l: Layout,
    quarter: String,
    city_rectification: String,
    city_coverage: String,
    rows: Vec<CountyRow>,
    groups: Vec<GroupRow>,
    counties: Vec<SelectOption>,
    departments: Vec<SelectOption>,
    member_rows: Vec<&'static str>,
    can_manage: bool,
    error: Option<String>,
}

#[derive(Debug, Default, serde::Deserialize)]
pub(super) struct QuarterQuery {
    #[serde(default)]
    quarter: String,
}

fn rate(n: i64, d: i64) -> String {
    domain::guidance::rate_bp(n, d).map(percent).unwrap_or_else(|| "—".into())
}

async fn overview_page(state: &State, lang: Lang, user: &WebUser, quarter: &str, error: Option<String>) -> Response {
    let p = &user.auth.principal;
    let l = Layout::for_user(lang, user, "guidance.title", "/guidance");
    let t = l.t;
    let groups = match state.app.list_guidance_groups(p, domain::page::PageRequest::new(None, Some(100))).await {
        Ok(x) => x.items,
        Err(e) => return error_page(lang, &e),
    };
    let groups = groups
        .iter()
        .map(|g| GroupRow {
            id: g.id.clone(),
            no: g.group_no.clone(),
            name: g.name.clone(),
            county: region_name(t, &g.county),
            visit_on: g.visit_on.clone(),
            status: t.s(&format!("guidance.status.{}", g.status)),
        })
        .collect();
    let can_manage = p.can(Permission::ManageGuidance);
    let (rows, quarter_label, city_rectification, city_coverage) = if can_manage {
        let q = Quarter::parse(quarter);
        let o = match state.app.guidance_overview(&user.actor(), q).await {
            Ok(o) => o,
            Err(e) => return error_page(lang, &e),
        };
        let rows = o
            .counties
            .iter()
            .map(|c| {
                let f = &c.figures;
                let target = |v: Option<i64>| v.map(|x| x.to_string()).unwrap_or_else(|| "—".into());
                CountyRow {
                    code: c.code.clone(),
                    name: region_name(t, &c.code),
                    accidents: format!("{} ({})", f.accidents, f.prev_accidents),
                    deaths: format!("{} ({})", f.deaths, f.prev_deaths),
                    rectification: rate(f.major_rectified, f.major_found),
                    overdue: f.major_overdue,
                    coverage: rate(f.inspected, f.enterprises),
                    targets: format!("{} / {}", target(c.targets.max_accidents), target(c.targets.max_deaths)),
                    flags: c.flags.iter().map(|x| flag_text(t, x)).collect(),
                }
            })
            .collect();
        let city = o.city;
        (rows, o.quarter.label(), rate(city.major_rectified, city.major_found), rate(city.inspected, city.enterprises))
    } else {
        (vec![], String::new(), String::new(), String::new())
    };
    let counties = super::REGIONS
        .iter()
        .filter(|r| r.parent.as_ref().is_some_and(|x| x.as_str() == p.region.as_str()))
        .map(|r| SelectOption { value: r.code.to_string(), label: r.name(t.lang.tag()).to_owned(), selected: false })
        .collect();
    let departments = super::DEPARTMENTS
        .iter()
        .map(|d| SelectOption { value: d.code.clone(), label: department_name(t, &d.code), selected: false })
        .collect();
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let member_rows = REQUIRED_DEPARTMENTS.iter().copied().chain(["", ""]).collect();
    let page = OverviewPage {
        quarter: quarter_label,
        city_rectification,
        city_coverage,
        rows,
        groups,
        counties,
        departments,
        member_rows,
        can_manage,
        error,
        l,
    };
    (status, render(&page)).into_response()
}

pub(super) async fn overview(S(state): S<State>, lang: Lang, user: WebUser, Query(q): Query<QuarterQuery>) -> Response {
    overview_page(&state, lang, &user, &q.quarter, None).await
}

pub(super) async fn form_group(
    S(state): S<State>,
    lang: Lang,
    user: WebUser,
    Form(f): Form<super::FormPairs>,
) -> Response {
    if let Err(e) = check_csrf(&user, super::form_field(&f, "csrf")) {
        return error_page(lang, &e);
    }
    let members = (0..7)
        .map(|i| Member {
            department: super::form_field(&f, &format!("member_dept_{i}")).to_owned(),
            name: super::form_field(&f, &format!("member_name_{i}")).to_owned(),
            unit: super::form_field(&f, &format!("member_unit_{i}")).to_owned(),
        })
        .collect();
    let input = GroupInput {
        name: super::form_field(&f, "name").to_owned(),
        county: super::form_field(&f, "county").to_owned(),
        members,
        visit_on: super::form_field(&f, "visit_on").to_owned(),
    };
    match state.app.form_guidance_group(&user.actor(), &input).await {
        Ok(v) => Redirect::to(&format!("/guidance/{}", v.group.id)).into_response(),
        Err(ServiceError::Invalid { field, message }) => {
            overview_page(&state, lang, &user, "", Some(format!("{field}: {message}"))).await
        }
        Err(e) => error_page(lang, &e),
    }
}

pub(super) async fn set_target(
    S(state): S<State>,
    lang: Lang,
    user: WebUser,
    Form(f): Form<super::FormPairs>,
) -> Response {
    if let Err(e) = check_csrf(&user, super::form_field(&f, "csrf")) {
        return error_page(lang, &e);
    }
    let num = |k: &str| super::form_field(&f, k).trim().parse::<i64>().ok();
    let t = domain::guidance::Targets { max_accidents: num("max_accidents"), max_deaths: num("max_deaths") };
    let year = num("year").unwrap_or_else(|| state.app.today().year().into());
    match state.app.set_control_target(&user.actor(), super::form_field(&f, "county"), year, &t).await {
        Ok(()) => Redirect::to("/guidance").into_response(),
        Err(ServiceError::Invalid { field, message }) => {
            overview_page(&state, lang, &user, "", Some(format!("{field}: {message}"))).await
        }
        Err(e) => error_page(lang, &e),
    }
}

struct IssueRow {
    id: String,
    no: String,
    description: String,
    deadline: String,
    status: &'static str,
    escalation: &'static str,
    overdue: bool,
}

#[derive(Template)]
#[template(path = "guidance_group.html")]
struct GroupPage {
    l: Layout,
    v: GroupView,
    county: String,
    status: &'static str,
    members: Vec<(String, String, String)>,
    reasons: Vec<String>,
    issues: Vec<IssueRow>,
    can_manage: bool,
    error: Option<String>,
}

async fn group_page(state: &State, lang: Lang, user: &WebUser, id: &str, error: Option<String>) -> Response {
    let p = &user.auth.principal;
    let v = match state.app.get_guidance_group(p, id).await {
        Ok(x) => x,
        Err(e) => return error_page(lang, &e),
    };
    let l = Layout::for_user(lang, user, "guidance.title", "/guidance");
    let t = l.t;
    let reasons = v
        .reasons
        .iter()
        .filter_map(|r| {
            let rule = domain::guidance::Rule::parse(r["rule"].as_str()?)?;
            Some(flag_text(t, &Flag { rule, value: r["value"].as_i64()?, compared_with: r["compared_with"].as_i64()? }))
        })
        .collect();
    let issues = v
        .issues
        .iter()
        .map(|i| IssueRow {
            id: i.problem.id.clone(),
            no: i.problem.problem_no.clone(),
            description: i.problem.description.clone(),
            deadline: i.problem.deadline.clone().unwrap_or_default(),
            status: i.handover.map(|s| t.s(&format!("handover.{}", s.as_str()))).unwrap_or(""),
            escalation: t.s(&format!("escalation.{}", i.escalation.as_str())),
            overdue: i.days_overdue > 0,
        })
        .collect();
    let page = GroupPage {
        county: region_name(t, &v.group.county),
        status: t.s(&format!("guidance.status.{}", v.group.status)),
        members: v
            .members
            .iter()
            .map(|m| (department_name(t, &m.department), m.name.clone(), m.unit.clone()))
            .collect(),
        reasons,
        issues,
        can_manage: p.can(Permission::ManageGuidance) && p.governs(&v.group.region_code),
        error,
        v,
        l,
    };
    let status = if page.error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    (status, render(&page)).into_response()
}

pub(super) async fn show_group(S(state): S<State>, lang: Lang, user: WebUser, Path(id): Path<String>) -> Response {
    group_page(&state, lang, &user, &id, None).await
}

/// `POST /guidance/{id}/{visit|issues}`.
pub(super) async fn group_step(
    S(state): S<State>,
    lang: Lang,
    user: WebUser,
    Path((id, step)): Path<(String, String)>,
    Form(f): Form<super::FormPairs>,
) -> Response {
    if let Err(e) = check_csrf(&user, super::form_field(&f, "csrf")) {
        return error_page(lang, &e);
    }
    let actor = user.actor();
    let result = match step.as_str() {
        "visit" => {
            let version = super::form_field(&f, "version").parse().unwrap_or(0);
            state
                .app
                .record_guidance_visit(
                    &actor,
                    &id,
                    version,
                    super::form_field(&f, "visited_at"),
                    super::form_field(&f, "summary"),
                )
                .await
                .map(|_| ())
        }
        "issues" => state
            .app
            .raise_guidance_issue(&actor, &id, super::form_field(&f, "description"), super::form_field(&f, "deadline"))
            .await
            .map(|_| ()),
        _ => Err(ServiceError::NotFound),
    };
    match result {
        Ok(()) => Redirect::to(&format!("/guidance/{id}")).into_response(),
        Err(ServiceError::Invalid { field, message }) => {
            group_page(&state, lang, &user, &id, Some(format!("{field}: {message}"))).await
        }
        Err(ServiceError::Conflict(m)) => group_page(&state, lang, &user, &id, Some(m)).await,
        Err(e) => error_page(lang, &e),
    }
}
