//! Covert-check pages: the plans the user may know of, planning a sealed visit, a plan with its
//! visit and problems, the handovers addressed to (or issued by) the user's region, one
//! handover with its timeline, and the printable supervision letter of an overdue handover.

use super::{Layout, Pager, SelectOption, check_csrf, department_name, error_page, local_time, region_name, render};
use crate::service::ServiceError;
use crate::service::covert::{CovertInput, CovertView, HandoverInput, ProblemInput, ProblemView, VisitInput};
use crate::service::hazards::HazardInput;
use crate::web::State;
use crate::web::auth::WebUser;
use crate::web::i18n::{Lang, Tr};
use askama::Template;
use axum::extract::{Form, Path, Query};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use domain::access::Permission;
use domain::covert::{HandoverAction, PlanStatus};
use domain::hazard::Escalation;
use domain::page::PageRequest;
use store::covert::{ProblemFilter, Target};

use axum::extract::State as S;

struct PlanRow {
    id: String,
    no: String,
    name: String,
    window: String,
    status: &'static str,
    sealed: bool,
    targets: usize,
}

#[derive(Template)]
#[template(path = "covert_list.html")]
struct ListPage {
    l: Layout,
    rows: Vec<PlanRow>,
    total: i64,
    pager: Pager,
    can_plan: bool,
}

fn status_label(t: Tr, s: PlanStatus) -> &'static str {
    t.s(&format!("covert.status.{}", s.as_str()))
}

#[derive(Debug, Default, serde::Deserialize)]
pub(super) struct PageQuery {
    page: Option<u32>,
}

pub(super) async fn list_plans(S(state): S<State>, lang: Lang, user: WebUser, Query(q): Query<PageQuery>) -> Response {
    let p = &user.auth.principal;
    let paged = match state.app.list_covert(&user.actor(), PageRequest::new(q.page, None)).await {
        Ok(x) => x,
        Err(e) => return error_page(lang, &e),
    };
    let l = Layout::for_user(lang, &user, "covert.title", "/covert");
    let rows = paged
        .items
        .iter()
        .map(|v| PlanRow {
            id: v.plan.id.clone(),
            no: v.plan.plan_no.clone(),
            name: v.sealed.name.clone(),
            window: format!("{} – {}", v.sealed.date_from, v.sealed.date_to),
            status: status_label(l.t, v.status),
            sealed: v.status == PlanStatus::Sealed,
            targets: v.sealed.targets.len(),
        })
        .collect();
    let pager = Pager::new("/covert", &[], &paged);
    render(&ListPage { rows, total: paged.total, pager, can_plan: p.can(Permission::PlanCovert), l })
}

struct Candidate {
    id: String,
    name: String,
    code: String,
    region: String,
    risk: String,
}

#[derive(Template)]
#[template(path = "covert_new.html")]
struct NewPage {
    l: Layout,
    candidates: Vec<Candidate>,
    regions: Vec<SelectOption>,
    error: Option<String>,
}

async fn new_page(state: &State, lang: Lang, user: &WebUser, error: Option<String>) -> Response {
    let p = &user.auth.principal;
    let found = match state.app.covert_candidates(p).await {
        Ok(x) => x,
        Err(e) => return error_page(lang, &e),
    };
    let l = Layout::for_user(lang, user, "covert.new", "/covert");
    let t = l.t;
    let candidates = found
        .iter()
        .map(|c| Candidate {
            id: c.enterprise_id.clone(),
            name: c.name.clone(),
            code: c.credit_code.clone(),
            region: region_name(t, &c.region_code),
            risk: t.s(&format!("risk.{}", c.risk_level)).to_owned(),
        })
        .collect();
    let regions = sub_regions(t, p.region.as_str());
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    (status, render(&NewPage { l, candidates, regions, error })).into_response()
}

/// The city itself and its counties, for "draw among" and "hand over to".
fn sub_regions(t: Tr, city: &str) -> Vec<SelectOption> {
    let mut out = vec![SelectOption { value: city.to_owned(), label: region_name(t, city), selected: false }];
    out.extend(
        super::REGIONS.iter().filter(|r| r.parent.as_ref().is_some_and(|p| p.as_str() == city)).map(|r| SelectOption {
            value: r.code.to_string(),
            label: r.name(t.lang.tag()).to_owned(),
            selected: false,
        }),
    );
    out
}

pub(super) async fn new_plan(S(state): S<State>, lang: Lang, user: WebUser) -> Response {
    new_page(&state, lang, &user, None).await
}

pub(super) async fn create_plan(
    S(state): S<State>,
    lang: Lang,
    user: WebUser,
    Form(f): Form<super::FormPairs>,
) -> Response {
    if let Err(e) = check_csrf(&user, super::form_field(&f, "csrf")) {
        return error_page(lang, &e);
    }
    let draw_count = super::form_field(&f, "draw_count").trim().parse::<u32>().ok().filter(|n| *n > 0);
    let input = CovertInput {
        name: super::form_field(&f, "name").to_owned(),
        date_from: super::form_field(&f, "date_from").to_owned(),
        date_to: super::form_field(&f, "date_to").to_owned(),
        members: super::form_field(&f, "members").split([',', '，', ' ']).map(str::to_owned).collect(),
        targets: if draw_count.is_some() { vec![] } else { super::form_fields(&f, "target") },
        draw_count,
        draw_region: Some(super::form_field(&f, "draw_region").to_owned()),
    };
    match state.app.plan_covert(&user.actor(), &input).await {
        Ok(v) => Redirect::to(&format!("/covert/{}", v.plan.id)).into_response(),
        Err(ServiceError::Invalid { field, message }) => {
            new_page(&state, lang, &user, Some(format!("{field}: {message}"))).await
        }
        Err(e) => error_page(lang, &e),
    }
}

struct TargetRow {
    id: String,
    name: String,
    code: String,
    region: String,
}

fn target_rows(t: Tr, targets: &[Target]) -> Vec<TargetRow> {
    targets
        .iter()
        .map(|x| TargetRow {
            id: x.enterprise_id.clone(),
            name: x.name.clone(),
            code: x.credit_code.clone(),
            region: region_name(t, &x.region_code),
        })
        .collect()
}

struct ProblemRow {
    id: String,
    no: String,
    description: String,
    enterprise: String,
    body: String,
    deadline: String,
    status: &'static str,
    escalation: &'static str,
    overdue: bool,
    handled: bool,
}

fn body_name(t: Tr, v: &ProblemView) -> String {
    let p = &v.problem;
    if v.handover.is_none() {
        return String::new();
    }
    let region = region_name(t, &p.region_code);
    match &p.department {
        Some(d) => format!("{region} · {}", department_name(t, d)),
        None => format!("{region} · {}", t.s("covert.government")),
    }
}

fn problem_row(t: Tr, v: &ProblemView) -> ProblemRow {
    ProblemRow {
        id: v.problem.id.clone(),
        no: v.problem.problem_no.clone(),
        description: v.problem.description.clone(),
        enterprise: v.problem.enterprise_name.clone().unwrap_or_default(),
        body: body_name(t, v),
        deadline: v.problem.deadline.clone().unwrap_or_default(),
        status: match v.handover {
            Some(s) => t.s(&format!("handover.{}", s.as_str())),
            None => t.s("handover.none"),
        },
        escalation: t.s(&format!("escalation.{}", v.escalation.as_str())),
        overdue: v.days_overdue > 0,
        handled: v.handled,
    }
}

#[derive(Template)]
#[template(path = "covert.html")]
struct PlanPage {
    l: Layout,
    v: CovertView,
    region: String,
    status: &'static str,
    sealed: bool,
    targets: Vec<TargetRow>,
    visited: Vec<TargetRow>,
    members: String,
    rows: Vec<ProblemRow>,
    can_record_visit: bool,
    can_add_problem: bool,
    can_record_evidence: bool,
    bodies: Vec<SelectOption>,
    departments: Vec<SelectOption>,
    error: Option<String>,
}

async fn plan_page(state: &State, lang: Lang, user: &WebUser, id: &str, error: Option<String>) -> Response {
    let p = &user.auth.principal;
    let v = match state.app.get_covert(&user.actor(), id).await {
        Ok(x) => x,
        Err(e) => return error_page(lang, &e),
    };
    let filter = ProblemFilter { plan_id: Some(v.plan.id.clone()), ..Default::default() };
    let problems = match state.app.list_covert_problems(p, &filter, PageRequest::new(None, Some(200))).await {
        Ok(x) => x.items,
        Err(e) => return error_page(lang, &e),
    };
    let l = Layout::for_user(lang, user, "covert.title", "/covert");
    let t = l.t;
    let sealed = v.status == PlanStatus::Sealed;
    let departments = super::DEPARTMENTS
        .iter()
        .map(|d| SelectOption { value: d.code.clone(), label: department_name(t, &d.code), selected: false })
        .collect();
    let page = PlanPage {
        region: region_name(t, &v.plan.region_code),
        status: status_label(t, v.status),
        sealed,
        targets: target_rows(t, &v.sealed.targets),
        visited: v.visit.as_ref().map(|x| target_rows(t, &x.enterprises)).unwrap_or_default(),
        members: v.members.join(", "),
        rows: problems.iter().map(|x| problem_row(t, x)).collect(),
        can_record_visit: sealed && (p.can(Permission::PlanCovert) || v.members.contains(&p.username)),
        can_add_problem: !sealed && p.can(Permission::PlanCovert) && p.governs(&v.plan.region_code),
        can_record_evidence: !sealed && (p.can(Permission::PlanCovert) || v.members.contains(&p.username)),
        bodies: sub_regions(t, &v.plan.region_code),
        departments,
        error,
        v,
        l,
    };
    let status = if page.error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    (status, render(&page)).into_response()
}

pub(super) async fn show_plan(S(state): S<State>, lang: Lang, user: WebUser, Path(id): Path<String>) -> Response {
    plan_page(&state, lang, &user, &id, None).await
}

/// The draw record of a plan whose targets were drawn, to verify with `inspectorate draw verify`.
pub(super) async fn draw_record(S(state): S<State>, lang: Lang, user: WebUser, Path(id): Path<String>) -> Response {
    match state.app.get_covert(&user.actor(), &id).await {
        Ok(CovertView { sealed: s, plan, .. }) => match s.draw_record {
            Some(record) => (
                [
                    (header::CONTENT_TYPE, "application/json".to_owned()),
                    (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{}.json\"", plan.plan_no)),
                ],
                record,
            )
                .into_response(),
            None => error_page(lang, &ServiceError::NotFound),
        },
        Err(e) => error_page(lang, &e),
    }
}

pub(super) async fn record_visit(
    S(state): S<State>,
    lang: Lang,
    user: WebUser,
    Path(id): Path<String>,
    Form(f): Form<super::FormPairs>,
) -> Response {
    if let Err(e) = check_csrf(&user, super::form_field(&f, "csrf")) {
        return error_page(lang, &e);
    }
    let input = VisitInput {
        version: super::form_field(&f, "version").parse().unwrap_or(0),
        visited_at: super::form_field(&f, "visited_at").to_owned(),
        place: super::form_field(&f, "place").to_owned(),
        enterprises: super::form_fields(&f, "visited"),
        notes: super::form_field(&f, "notes").to_owned(),
        evidence: vec![],
    };
    let result = state.app.complete_covert(&user.actor(), &id, &input).await.map(|_| ());
    back_to_plan(&state, lang, &user, &id, result).await
}

/// After a form on the plan page: back to the page, with the refusal shown when there is one.
async fn back_to_plan(
    state: &State,
    lang: Lang,
    user: &WebUser,
    id: &str,
    result: Result<(), ServiceError>,
) -> Response {
    match result {
        Ok(()) => Redirect::to(&format!("/covert/{id}")).into_response(),
        Err(ServiceError::Invalid { field, message }) => {
            plan_page(state, lang, user, id, Some(format!("{field}: {message}"))).await
        }
        Err(ServiceError::Conflict(m)) => plan_page(state, lang, user, id, Some(m)).await,
        Err(e) => error_page(lang, &e),
    }
}

pub(super) async fn add_problem(
    S(state): S<State>,
    lang: Lang,
    user: WebUser,
    Path(id): Path<String>,
    Form(f): Form<super::FormPairs>,
) -> Response {
    if let Err(e) = check_csrf(&user, super::form_field(&f, "csrf")) {
        return error_page(lang, &e);
    }
    let enterprise = Some(super::form_field(&f, "enterprise_id").to_owned()).filter(|e| !e.is_empty());
    let hazard = (enterprise.is_some() && super::form_field(&f, "record_hazard") == "on").then(|| HazardInput {
        description: super::form_field(&f, "description").to_owned(),
        grade: "general".into(),
        deadline: super::form_field(&f, "hazard_deadline").to_owned(),
        responsible_unit: super::form_field(&f, "responsible_unit").to_owned(),
        ..Default::default()
    });
    let handover = (!super::form_field(&f, "body_region").is_empty()).then(|| HandoverInput {
        region_code: super::form_field(&f, "body_region").to_owned(),
        department: Some(super::form_field(&f, "department").to_owned()),
        deadline: super::form_field(&f, "handover_deadline").to_owned(),
    });
    let input = ProblemInput {
        description: super::form_field(&f, "description").to_owned(),
        enterprise_id: enterprise,
        hazard,
        handover,
    };
    let result = state.app.add_covert_problem(&user.actor(), &id, &input).await.map(|_| ());
    back_to_plan(&state, lang, &user, &id, result).await
}

#[derive(Template)]
#[template(path = "covert_handovers.html")]
struct HandoversPage {
    l: Layout,
    rows: Vec<ProblemRow>,
    total: i64,
    overdue: bool,
    pager: Pager,
}

#[derive(Debug, Default, serde::Deserialize)]
pub(super) struct HandoverQuery {
    #[serde(default)]
    overdue: String,
    #[serde(default)]
    region: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    page: Option<u32>,
}

pub(super) async fn list_handovers(
    S(state): S<State>,
    lang: Lang,
    user: WebUser,
    Query(q): Query<HandoverQuery>,
) -> Response {
    let overdue = q.overdue == "1";
    let filter = match state.app.visited_filter(&q.region, &q.from, &q.to) {
        Ok(f) => ProblemFilter { overdue_on: overdue.then(|| state.app.today().to_string()), ..f },
        Err(e) => return error_page(lang, &e),
    };
    let paged =
        match state.app.list_covert_problems(&user.auth.principal, &filter, PageRequest::new(q.page, None)).await {
            Ok(x) => x,
            Err(e) => return error_page(lang, &e),
        };
    let l = Layout::for_user(lang, &user, "handovers.title", "/covert/handovers");
    let rows = paged.items.iter().map(|v| problem_row(l.t, v)).collect();
    let params = [("overdue", q.overdue.clone()), ("region", q.region), ("from", q.from), ("to", q.to)];
    let pager = Pager::new("/covert/handovers", &params, &paged);
    render(&HandoversPage { rows, total: paged.total, overdue, pager, l })
}

struct EventRow {
    when: String,
    action: &'static str,
    note: String,
    actor: String,
}

#[derive(Template)]
#[template(path = "covert_problem.html")]
struct ProblemPage {
    l: Layout,
    row: ProblemRow,
    v: ProblemView,
    events: Vec<EventRow>,
    can_answer: bool,
    can_decide: bool,
    letter: bool,
    error: Option<String>,
}

async fn problem_page(state: &State, lang: Lang, user: &WebUser, id: &str, error: Option<String>) -> Response {
    let p = &user.auth.principal;
    let (v, events) = match state.app.get_covert_problem(p, id).await {
        Ok(x) => x,
        Err(e) => return error_page(lang, &e),
    };
    let l = Layout::for_user(lang, user, "handovers.title", "/covert/handovers");
    let t = l.t;
    let status = v.handover;
    let page = ProblemPage {
        row: problem_row(t, &v),
        events: events
            .into_iter()
            .map(|e| EventRow {
                when: local_time(e.at, "%Y-%m-%d %H:%M"),
                action: t.s(&format!("handover.action.{}", e.action)),
                note: e.note,
                actor: e.actor,
            })
            .collect(),
        can_answer: status == Some(domain::covert::HandoverStatus::Open)
            && p.answers_handover(&v.problem.region_code, v.problem.department.as_deref()),
        can_decide: status.is_some() && p.can(Permission::PlanCovert) && p.governs(&v.problem.plan_region),
        letter: v.escalation >= Escalation::Reminder,
        v,
        error,
        l,
    };
    let code = if page.error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    (code, render(&page)).into_response()
}

pub(super) async fn show_problem(S(state): S<State>, lang: Lang, user: WebUser, Path(id): Path<String>) -> Response {
    problem_page(&state, lang, &user, &id, None).await
}

/// `POST /covert/problems/{id}/{answer|accept|return|recheck}`.
pub(super) async fn act(
    S(state): S<State>,
    lang: Lang,
    user: WebUser,
    Path((id, action)): Path<(String, String)>,
    Form(f): Form<super::FormPairs>,
) -> Response {
    if let Err(e) = check_csrf(&user, super::form_field(&f, "csrf")) {
        return error_page(lang, &e);
    }
    let version = super::form_field(&f, "version").parse().unwrap_or(0);
    let actor = user.actor();
    let result = match action.as_str() {
        "recheck" => {
            let on = Some(super::form_field(&f, "recheck_on"));
            let finding = Some(super::form_field(&f, "finding"));
            state.app.recheck_handover(&actor, &id, version, on, finding).await
        }
        other => match HandoverAction::parse(other) {
            Some(a) => state.app.act_on_handover(&actor, &id, version, a, super::form_field(&f, "note")).await,
            None => Err(ServiceError::NotFound),
        },
    };
    match result {
        Ok(_) => Redirect::to(&format!("/covert/problems/{id}")).into_response(),
        Err(ServiceError::Invalid { field, message }) => {
            problem_page(&state, lang, &user, &id, Some(format!("{field}: {message}"))).await
        }
        Err(ServiceError::Conflict(m)) => problem_page(&state, lang, &user, &id, Some(m)).await,
        Err(e) => error_page(lang, &e),
    }
}

/// The supervision letter (督办函) for an overdue handover, addressed to the body that was
/// handed the problem. Always in Chinese: it is an official document.
pub(super) async fn letter(S(state): S<State>, lang: Lang, user: WebUser, Path(id): Path<String>) -> Response {
    let (v, _) = match state.app.get_covert_problem(&user.auth.principal, &id).await {
        Ok(x) => x,
        Err(e) => return error_page(lang, &e),
    };
    if v.days_overdue == 0 {
        return error_page(lang, &ServiceError::Conflict("a supervision letter is for an overdue handover".into()));
    }
    let zh = Tr { lang: Lang::Zh };
    let p = &v.problem;
    let today = state.app.today();
    let city = region_name(zh, &p.plan_region);
    let addressee = match &p.department {
        Some(d) => format!("{}{}局", region_name(zh, &p.region_code), department_name(zh, d)),
        None => format!("{}人民政府", region_name(zh, &p.region_code)),
    };
    let deadline = p.deadline.as_deref().and_then(|d| d.parse().ok()).map(super::chinese_date).unwrap_or_default();
    let reply_by = today.checked_add(jiff::Span::new().days(7)).map(super::chinese_date).unwrap_or_default();
    let page = super::NoticePage {
        title: "交办问题督办函",
        back_href: format!("/covert/problems/{}", p.id),
        back_label: p.problem_no.clone(),
        issuer: format!("{city}安全生产委员会办公室"),
        issuer_seal: format!("{city}安全生产委员会办公室"),
        doc_no: format!("安委办督〔{}〕{}号", today.year(), p.problem_no),
        addressee,
        paragraphs: vec![format!(
            "我办在{}中发现并以{}交办你单位的问题，要求于{deadline}前反馈整改落实情况。截至{}，该问题已逾期{}天，仍未办结。",
            if p.kind == "guidance" { "重点督导" } else { "“四不两直”暗查暗访" },
            p.problem_no,
            super::chinese_date(today),
            v.days_overdue
        )],
        items: vec![p.description.clone()],
        closing: vec![format!(
            "请你单位高度重视，立即组织整改落实，并于{reply_by}前将整改情况（附相关材料）书面报送我办。逾期仍未办结的，我办将按规定予以挂牌督办并约谈相关负责人。"
        )],
        order: false,
        date: super::chinese_date(today),
    };
    render(&page)
}

/// `POST /covert/{id}/evidence` (multipart `file`): a photo or document added to the visit.
pub(super) async fn attach_evidence(
    S(state): S<State>,
    lang: Lang,
    user: WebUser,
    Path(id): Path<String>,
    mut multipart: axum::extract::Multipart,
) -> Response {
    let (mut csrf, mut version, mut file) = (String::new(), 0i64, None);
    while let Ok(Some(field)) = multipart.next_field().await {
        match field.name() {
            Some("csrf") => csrf = field.text().await.unwrap_or_default(),
            Some("version") => version = field.text().await.unwrap_or_default().trim().parse().unwrap_or(0),
            Some("file") => {
                let name = field.file_name().unwrap_or("upload").to_owned();
                match field.bytes().await {
                    Ok(b) if !b.is_empty() => file = Some((name, b)),
                    Ok(_) => {}
                    Err(_) => {
                        return plan_page(&state, lang, &user, &id, Some("file: upload failed (at most 10 MB)".into()))
                            .await;
                    }
                }
            }
            _ => {}
        }
    }
    if let Err(e) = check_csrf(&user, &csrf) {
        return error_page(lang, &e);
    }
    let Some((name, bytes)) = file else {
        return plan_page(&state, lang, &user, &id, Some(Tr { lang }.s("evidence.choose").to_owned())).await;
    };
    let actor = user.actor();
    let result = match state.app.upload_evidence(&actor, &name, &bytes).await {
        Ok(e) => state.app.attach_covert_evidence(&actor, &id, version, &[e.sm3]).await.map(|_| ()),
        Err(e) => Err(e),
    };
    back_to_plan(&state, lang, &user, &id, result).await
}

/// `GET /covert/{id}/evidence/{sm3}`: a file of the visit record, for those who may see the plan.
pub(super) async fn download_evidence(
    S(state): S<State>,
    lang: Lang,
    user: WebUser,
    Path((id, sm3)): Path<(String, String)>,
) -> Response {
    match state.app.covert_evidence(&user.actor(), &id, &sm3).await {
        Ok((e, bytes)) => crate::web::api::hazards::evidence_response(&e, bytes),
        Err(e) => error_page(lang, &e),
    }
}
