//! The hazard ledger pages: the ledger with filters and export, the report form, a hazard's
//! page with the steps the user may take and its timeline.

use super::{Layout, Pager, SelectOption, check_csrf, error_page, region_name, render};
use crate::service::ServiceError;
use crate::service::hazard_query::HazardQuery;
use crate::service::hazards::{HazardInput, Step};
use crate::web::State;
use crate::web::auth::WebUser;
use crate::web::i18n::{Lang, Tr};
use askama::Template;
use axum::extract::{Form, Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::access::Permission;
use domain::hazard::{ACTIONS, Action, FiveImplementations, Grade, ListedLevel, SOURCES, STATUSES};
use domain::page::PageRequest;
use std::collections::HashMap;

fn options<T: Copy>(
    t: Tr,
    prefix: &str,
    items: &[T],
    name: impl Fn(T) -> &'static str,
    selected: &str,
) -> Vec<SelectOption> {
    items
        .iter()
        .map(|&x| SelectOption {
            value: name(x).to_owned(),
            label: t.s(&format!("{prefix}.{}", name(x))).to_owned(),
            selected: name(x) == selected,
        })
        .collect()
}

const GRADES: [Grade; 2] = [Grade::General, Grade::Major];
const LISTED: [ListedLevel; 3] = [ListedLevel::County, ListedLevel::City, ListedLevel::Province];

struct Row {
    id: String,
    no: String,
    enterprise: String,
    description: String,
    grade: &'static str,
    grade_code: &'static str,
    source: &'static str,
    status: &'static str,
    deadline: String,
    overdue: i64,
    escalation: &'static str,
    escalation_code: &'static str,
}

#[derive(Template)]
#[template(path = "hazards.html")]
struct LedgerPage {
    l: Layout,
    q: HazardQuery,
    regions: Vec<SelectOption>,
    grades: Vec<SelectOption>,
    statuses: Vec<SelectOption>,
    sources: Vec<SelectOption>,
    sectors: Vec<SelectOption>,
    listed: Vec<SelectOption>,
    sorts: Vec<SelectOption>,
    overdue: bool,
    total: i64,
    rows: Vec<Row>,
    export_query: String,
    pager: Pager,
}

pub(super) async fn list_hazards(
    axum::extract::State(state): axum::extract::State<State>,
    lang: Lang,
    user: WebUser,
    Query(q): Query<HazardQuery>,
) -> Response {
    let p = &user.auth.principal;
    let (filter, sort) = match q.to_filter(&state.app) {
        Ok(x) => x,
        Err(e) => return error_page(lang, &e),
    };
    let paged = match state.app.list_hazards(p, &filter, sort, PageRequest::new(q.page, q.per_page)).await {
        Ok(x) => x,
        Err(e) => return error_page(lang, &e),
    };
    let l = Layout::for_user(lang, &user, "hazards.title", "/hazards");
    let t = l.t;
    let scope = p.scope();
    let rows = paged
        .items
        .iter()
        .map(|v| {
            let h = &v.hazard;
            Row {
                id: h.id.clone(),
                no: h.hazard_no.clone(),
                enterprise: h.enterprise_name.clone(),
                description: h.description.chars().take(60).collect(),
                grade: t.s(&format!("grade_h.{}", h.grade.as_str())),
                grade_code: h.grade.as_str(),
                source: t.s(&format!("source.{}", h.source.as_str())),
                status: t.s(&format!("hstatus.{}", h.status.as_str())),
                deadline: h.deadline.clone(),
                overdue: v.days_overdue,
                escalation: t.s(&format!("escalation.{}", v.escalation.as_str())),
                escalation_code: v.escalation.as_str(),
            }
        })
        .collect();
    let sorts = ["newest", "deadline", "region"]
        .iter()
        .map(|s| SelectOption { value: (*s).into(), label: t.s(&format!("sort.{s}")).into(), selected: q.sort == *s })
        .collect();
    let page = LedgerPage {
        regions: super::REGIONS
            .iter()
            .filter(|r| scope.region_prefix().is_some_and(|pre| pre.contains(r.code.as_str())))
            .map(|r| SelectOption {
                value: r.code.to_string(),
                label: format!("{} {}", r.code, r.name(t.lang.tag())),
                selected: r.code.as_str() == q.region,
            })
            .collect(),
        grades: options(t, "grade_h", &GRADES, Grade::as_str, &q.grade),
        statuses: options(t, "hstatus", &STATUSES, |s| s.as_str(), &q.status),
        sources: options(t, "source", &SOURCES, |s| s.as_str(), &q.source),
        sectors: super::sector_options(t, p, &q.sector),
        listed: options(t, "listed", &LISTED, ListedLevel::as_str, &q.listed),
        sorts,
        overdue: matches!(q.overdue.as_str(), "1" | "true" | "on"),
        total: paged.total,
        rows,
        export_query: q.query_string(),
        pager: Pager::new("/hazards", &q.pairs(), &paged),
        q,
        l,
    };
    render(&page)
}

pub(super) async fn export_hazards(
    axum::extract::State(state): axum::extract::State<State>,
    lang: Lang,
    user: WebUser,
    Query(q): Query<HazardQuery>,
) -> Response {
    let result = match q.to_filter(&state.app) {
        Ok((filter, sort)) => state.app.export_hazards(&user.actor(), &filter, sort).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(bytes) => crate::web::api::hazards::xlsx_response(bytes, "hazards.xlsx"),
        Err(e) => error_page(lang, &e),
    }
}

/// The report form's fields.
#[derive(Debug, Default, serde::Deserialize)]
pub(super) struct ReportForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    enterprise_id: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    location: String,
    #[serde(default)]
    grade: String,
    #[serde(default)]
    source: String,
    #[serde(default)]
    deadline: String,
    #[serde(default)]
    responsible_unit: String,
    #[serde(default)]
    responsible_person: String,
    #[serde(default)]
    criterion: String,
    #[serde(default)]
    criterion_clause: String,
    #[serde(default)]
    five_responsibility: String,
    #[serde(default)]
    five_measures: String,
    #[serde(default)]
    five_funds_yuan: String,
    #[serde(default)]
    five_deadline: String,
    #[serde(default)]
    five_contingency_plan: String,
    #[serde(default)]
    rectification_plan: String,
    #[serde(default)]
    listed_level: String,
}

#[derive(Template)]
#[template(path = "hazard_new.html")]
struct NewHazardPage {
    l: Layout,
    f: ReportForm,
    enterprise_name: String,
    grades: Vec<SelectOption>,
    sources: Vec<SelectOption>,
    criteria: Vec<SelectOption>,
    listed: Vec<SelectOption>,
    errors: HashMap<String, String>,
    five_errors: Vec<(String, String)>,
}

async fn report_page(
    state: &State,
    lang: Lang,
    user: &WebUser,
    f: ReportForm,
    errors: HashMap<String, String>,
) -> Response {
    let enterprise = match state.app.get_enterprise(&user.auth.principal, &f.enterprise_id).await {
        Ok(e) => e,
        Err(e) => return error_page(lang, &e),
    };
    let l = Layout::for_user(lang, user, "hazards.new", "/hazards/new");
    let t = l.t;
    let criteria = crate::refdata::criteria()
        .unwrap_or_default()
        .into_iter()
        .map(|c| SelectOption {
            selected: c.id == f.criterion,
            label: format!("{} · {} ({})", if t.zh() { &c.sector_zh } else { &c.sector_en }, c.title_zh, c.document_no),
            value: c.id,
        })
        .collect();
    let five_errors =
        errors.iter().filter(|(k, _)| k.starts_with("five_")).map(|(k, v)| (k.clone(), v.clone())).collect();
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let page = NewHazardPage {
        grades: options(t, "grade_h", &GRADES, Grade::as_str, &f.grade),
        sources: options(
            t,
            "source",
            &SOURCES,
            |s| s.as_str(),
            if f.source.is_empty() { "department_inspection" } else { &f.source },
        ),
        listed: options(t, "listed", &LISTED, ListedLevel::as_str, &f.listed_level),
        enterprise_name: enterprise.name,
        criteria,
        errors,
        five_errors,
        f,
        l,
    };
    (status, render(&page)).into_response()
}

#[derive(Debug, Default, serde::Deserialize)]
pub(super) struct NewQuery {
    #[serde(default)]
    enterprise: String,
}

pub(super) async fn new_hazard_form(
    axum::extract::State(state): axum::extract::State<State>,
    lang: Lang,
    user: WebUser,
    Query(q): Query<NewQuery>,
) -> Response {
    if !user.auth.principal.can(Permission::ReportHazard) {
        return error_page(lang, &ServiceError::Forbidden);
    }
    let deadline = state.app.today().checked_add(jiff::Span::new().days(30)).map(|d| d.to_string()).unwrap_or_default();
    let f = ReportForm { enterprise_id: q.enterprise, deadline, grade: "general".into(), ..Default::default() };
    report_page(&state, lang, &user, f, HashMap::new()).await
}

pub(super) async fn report_hazard(
    axum::extract::State(state): axum::extract::State<State>,
    lang: Lang,
    user: WebUser,
    Form(f): Form<ReportForm>,
) -> Response {
    if let Err(e) = check_csrf(&user, &f.csrf) {
        return error_page(lang, &e);
    }
    let major = f.grade == "major";
    let input = HazardInput {
        enterprise_id: f.enterprise_id.clone(),
        description: f.description.clone(),
        location: f.location.clone(),
        grade: f.grade.clone(),
        criterion: Some(f.criterion.clone()).filter(|c| !c.is_empty()),
        criterion_clause: Some(f.criterion_clause.clone()),
        source: f.source.clone(),
        deadline: f.deadline.clone(),
        responsible_unit: f.responsible_unit.clone(),
        responsible_person: f.responsible_person.clone(),
        listed_level: Some(f.listed_level.clone()),
        five_implementations: major.then(|| FiveImplementations {
            responsibility: f.five_responsibility.clone(),
            measures: f.five_measures.clone(),
            funds_yuan: f.five_funds_yuan.trim().parse().unwrap_or(-1),
            deadline: f.five_deadline.clone(),
            contingency_plan: f.five_contingency_plan.clone(),
        }),
        rectification_plan: f.rectification_plan.clone(),
        campaign_id: None,
        evidence: vec![],
    };
    match state.app.report_hazard(&user.actor(), &input).await {
        Ok(h) => Redirect::to(&format!("/hazards/{}", h.hazard.id)).into_response(),
        Err(ServiceError::Invalid { field, message }) => {
            let field = field.replace("five_implementations.", "five_");
            report_page(&state, lang, &user, f, [(field, message)].into()).await
        }
        Err(e) => error_page(lang, &e),
    }
}

struct ActionButton {
    code: &'static str,
    label: &'static str,
}

struct EventRow {
    evidence: Vec<String>,
    seq: i64,
    at: String,
    actor: String,
    action: &'static str,
    status: &'static str,
    note: String,
}

#[derive(Template)]
#[template(path = "hazard.html")]
struct HazardPage {
    l: Layout,
    h: store::hazard::Hazard,
    region: String,
    grade: &'static str,
    grade_code: &'static str,
    source: &'static str,
    status: &'static str,
    overdue: i64,
    escalation: &'static str,
    escalation_code: &'static str,
    criterion: Option<String>,
    five: Option<FiveImplementations>,
    listed: Option<&'static str>,
    actions: Vec<ActionButton>,
    can_attach: bool,
    timeline: Vec<EventRow>,
    error: Option<String>,
}

async fn hazard_page(state: &State, lang: Lang, user: &WebUser, id: &str, error: Option<String>) -> Response {
    let p = &user.auth.principal;
    let (v, events) = match state.app.get_hazard(p, id).await {
        Ok(x) => x,
        Err(e) => return error_page(lang, &e),
    };
    let mut l = Layout::for_user(lang, user, "hazards.title", "/hazards");
    l.title = v.hazard.hazard_no.clone();
    let t = l.t;
    let h = v.hazard;
    let actions = ACTIONS
        .iter()
        .filter(|a| p.role.may(**a) && domain::hazard::transition(h.status, **a).is_ok())
        .map(|a| ActionButton { code: a.as_str(), label: t.s(&format!("action.{}", a.as_str())) })
        .collect();
    let criterion = h.criterion.as_ref().map(|id| {
        let c = crate::refdata::criteria().unwrap_or_default().into_iter().find(|c| &c.id == id);
        let clause = h.criterion_clause.clone().unwrap_or_default();
        c.map(|c| format!("{} ({}) {clause}", c.title_zh, c.document_no)).unwrap_or_else(|| id.clone())
    });
    let timeline = events
        .iter()
        .map(|e| EventRow {
            evidence: serde_json::from_str(&e.evidence).unwrap_or_default(),
            seq: e.seq,
            at: super::local_time(e.at_ms, "%Y-%m-%d %H:%M"),
            actor: e.actor.clone(),
            action: t.s(&format!("action.{}", e.action)),
            status: t.s(&format!("hstatus.{}", e.to_status)),
            note: e.note.clone(),
        })
        .collect();
    let page = HazardPage {
        region: region_name(t, &h.region_code),
        grade: t.s(&format!("grade_h.{}", h.grade.as_str())),
        grade_code: h.grade.as_str(),
        source: t.s(&format!("source.{}", h.source.as_str())),
        status: t.s(&format!("hstatus.{}", h.status.as_str())),
        overdue: v.days_overdue,
        escalation: t.s(&format!("escalation.{}", v.escalation.as_str())),
        escalation_code: v.escalation.as_str(),
        criterion,
        five: h.five_implementations.as_deref().and_then(|f| serde_json::from_str(f).ok()),
        listed: h.listed_level.map(|lv| t.s(&format!("listed.{}", lv.as_str()))),
        actions,
        can_attach: h.status.is_open()
            && (p.can(Permission::ReportHazard) || p.role == domain::access::Role::Enterprise),
        timeline,
        error: error.clone(),
        h,
        l,
    };
    let status = if error.is_some() { StatusCode::CONFLICT } else { StatusCode::OK };
    (status, render(&page)).into_response()
}

pub(super) async fn show_hazard(
    axum::extract::State(state): axum::extract::State<State>,
    lang: Lang,
    user: WebUser,
    Path(id): Path<String>,
) -> Response {
    hazard_page(&state, lang, &user, &id, None).await
}

#[derive(Debug, Default, serde::Deserialize)]
pub(super) struct StepForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    version: i64,
    #[serde(default)]
    note: String,
    responsible_unit: Option<String>,
    responsible_person: Option<String>,
}

pub(super) async fn act(
    axum::extract::State(state): axum::extract::State<State>,
    lang: Lang,
    user: WebUser,
    Path((id, action)): Path<(String, String)>,
    Form(f): Form<StepForm>,
) -> Response {
    if let Err(e) = check_csrf(&user, &f.csrf) {
        return error_page(lang, &e);
    }
    let Some(action) = Action::parse(&action) else { return error_page(lang, &ServiceError::NotFound) };
    let step = Step {
        version: f.version,
        note: f.note,
        unit: f.responsible_unit,
        person: f.responsible_person,
        deadline: None,
        evidence: vec![],
    };
    match state.app.act_on_hazard(&user.actor(), &id, action, &step).await {
        Ok(_) => Redirect::to(&format!("/hazards/{id}")).into_response(),
        Err(ServiceError::Invalid { field, message }) => {
            hazard_page(&state, lang, &user, &id, Some(format!("{field}: {message}"))).await
        }
        Err(ServiceError::Conflict(message)) => hazard_page(&state, lang, &user, &id, Some(message)).await,
        Err(e) => error_page(lang, &e),
    }
}

pub(super) async fn attach_evidence(
    axum::extract::State(state): axum::extract::State<State>,
    lang: Lang,
    user: WebUser,
    Path(id): Path<String>,
    mut multipart: axum::extract::Multipart,
) -> Response {
    let (mut csrf, mut version, mut note, mut file) = (String::new(), 0i64, String::new(), None);
    while let Ok(Some(field)) = multipart.next_field().await {
        match field.name() {
            Some("csrf") => csrf = field.text().await.unwrap_or_default(),
            Some("version") => version = field.text().await.unwrap_or_default().trim().parse().unwrap_or(0),
            Some("note") => note = field.text().await.unwrap_or_default(),
            Some("file") => {
                let name = field.file_name().unwrap_or("upload").to_owned();
                match field.bytes().await {
                    Ok(b) if !b.is_empty() => file = Some((name, b)),
                    Ok(_) => {}
                    Err(_) => {
                        return hazard_page(
                            &state,
                            lang,
                            &user,
                            &id,
                            Some("file: upload failed (at most 10 MB)".into()),
                        )
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
        return hazard_page(&state, lang, &user, &id, Some(Tr { lang }.s("evidence.choose").to_owned())).await;
    };
    let actor = user.actor();
    let result = match state.app.upload_evidence(&actor, &name, &bytes).await {
        Ok(e) => state.app.attach_evidence(&actor, &id, version, &[e.sm3], &note).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Redirect::to(&format!("/hazards/{id}")).into_response(),
        Err(ServiceError::Invalid { field, message }) => {
            hazard_page(&state, lang, &user, &id, Some(format!("{field}: {message}"))).await
        }
        Err(ServiceError::Conflict(message)) => hazard_page(&state, lang, &user, &id, Some(message)).await,
        Err(e) => error_page(lang, &e),
    }
}

pub(super) async fn download_evidence(
    axum::extract::State(state): axum::extract::State<State>,
    lang: Lang,
    user: WebUser,
    Path(sm3): Path<String>,
) -> Response {
    match state.app.download_evidence(&user.auth.principal, &sm3).await {
        Ok((e, bytes)) => crate::web::api::hazards::evidence_response(&e, bytes),
        Err(e) => error_page(lang, &e),
    }
}

/// The printable notices a hazard produces: the rectification order (责令限期整改指令书) and,
/// once overdue, the supervision letter (督办函). Always in Chinese: they are official
/// documents served in China.
pub(super) async fn notice(
    axum::extract::State(state): axum::extract::State<State>,
    lang: Lang,
    user: WebUser,
    Path((id, kind)): Path<(String, String)>,
) -> Response {
    let (v, _) = match state.app.get_hazard(&user.auth.principal, &id).await {
        Ok(x) => x,
        Err(e) => return error_page(lang, &e),
    };
    let h = &v.hazard;
    let today = state.app.today();
    let county = crate::refdata::REGION_BY_CODE.get(&h.region_code).map(|r| r.name_zh.clone()).unwrap_or_default();
    let city_code = format!("{}00", &h.region_code[..4]);
    let city = crate::refdata::REGION_BY_CODE.get(&city_code).map(|r| r.name_zh.clone()).unwrap_or_default();
    let province = crate::refdata::REGION_BY_CODE
        .get(&format!("{}0000", &h.region_code[..2]))
        .map(|r| r.name_zh.clone())
        .unwrap_or_default();
    let deadline = h.deadline.parse().map(super::chinese_date).unwrap_or_else(|_| h.deadline.clone());
    let item =
        if h.location.is_empty() { h.description.clone() } else { format!("{}（{}）", h.description, h.location) };
    let page = match kind.as_str() {
        "order" => super::NoticePage {
            title: "责令限期整改指令书",
            issuer: format!("{county}应急管理局"),
            issuer_seal: format!("{county}应急管理局"),
            doc_no: format!("应急责改〔{}〕{}号", today.year(), h.hazard_no),
            addressee: h.enterprise_name.clone(),
            paragraphs: vec!["经查，你单位存在下列事故隐患：".to_owned()],
            items: vec![item],
            closing: vec![
                format!("以上问题违反了《中华人民共和国安全生产法》第四十一条的规定。依据《中华人民共和国安全生产法》第一百零二条的规定，现责令你单位于{deadline}前整改完毕，达到有关法律法规规章和标准规定的要求。由此造成的一切后果由你单位负责。"),
                "整改期间，你单位应当采取措施，确保安全生产。对安全不能保障的，应当从危险区域内撤出作业人员，并疏散可能危及的其他人员，设置警戒标志，暂时停产停业或者停止使用相关设施、设备。".to_owned(),
                format!("如果不服本指令，可以依法在60日内向{county}人民政府或者{city}应急管理局申请行政复议，或者在6个月内依法向人民法院提起行政诉讼，但本指令不停止执行，法律另有规定的除外。"),
            ],
            order: true,
            date: super::chinese_date(today),
            back_href: format!("/hazards/{}", h.id),
            back_label: h.hazard_no.clone(),
        },
        "letter" => {
            if v.days_overdue == 0 {
                return error_page(lang, &ServiceError::Conflict("a supervision letter is for an overdue hazard".into()));
            }
            let reply_by = today.checked_add(jiff::Span::new().days(7)).map(super::chinese_date).unwrap_or_default();
            let grade = if h.grade == Grade::Major { "重大事故隐患" } else { "事故隐患" };
            super::NoticePage {
                title: "隐患整改督办函",
                issuer: format!("{county}安全生产委员会办公室"),
                issuer_seal: format!("{county}安全生产委员会办公室"),
                doc_no: format!("安委办督〔{}〕{}号", today.year(), h.hazard_no),
                addressee: h.enterprise_name.clone(),
                paragraphs: vec![format!(
                    "你单位编号为{}的{grade}（{item}），整改期限为{deadline}。截至{}，该隐患已逾期{}天，仍未完成整改。",
                    h.hazard_no,
                    super::chinese_date(today),
                    v.days_overdue
                )],
                items: vec![],
                closing: vec![
                    "请你单位收到本函后立即组织整改，落实整改责任、措施、资金、时限和应急预案，整改期间采取有效防范措施，确保安全。".to_owned(),
                    format!("请于{reply_by}前将整改情况书面报送我办。逾期仍未完成整改的，将依法予以挂牌督办，并约谈你单位主要负责人；情节严重的，依法报请{city}、{province}有关部门处理。"),
                ],
                order: false,
                date: super::chinese_date(today),
                back_href: format!("/hazards/{}", h.id),
                back_label: h.hazard_no.clone(),
            }
        }
        _ => return error_page(lang, &ServiceError::NotFound),
    };
    render(&page)
}
