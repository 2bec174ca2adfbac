//! Penalty case pages: the list with the filing form, and a case with the steps it allows.

use super::{Layout, Pager, SelectOption, check_csrf, error_page, render};
use crate::service::ServiceError;
use crate::service::penalties::CaseInput;
use crate::web::State;
use crate::web::auth::WebUser;
use crate::web::i18n::{Lang, Tr};
use askama::Template;
use axum::extract::{Form, Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::access::Permission;
use domain::page::PageRequest;
use domain::penalty::{CaseAction, PenaltyType};
use store::penalty::PenaltyCase;

const TYPES: [&str; 8] = [
    "warning",
    "fine",
    "confiscation",
    "order_to_correct",
    "suspension",
    "licence_suspension",
    "licence_revocation",
    "closure",
];
const ACTIONS: [&str; 7] = ["investigate", "notify", "request_hearing", "decide", "serve", "execute", "close"];

fn types_text(t: Tr, c: &PenaltyCase) -> String {
    serde_json::from_str::<Vec<String>>(&c.penalty_types)
        .unwrap_or_default()
        .iter()
        .map(|p| t.s(&format!("ptype.{p}")))
        .collect::<Vec<_>>()
        .join("、")
}

fn fine_text(c: &PenaltyCase) -> String {
    if c.fine_fen > 0 { format!("{}.{:02}", c.fine_fen / 100, c.fine_fen % 100) } else { "—".into() }
}

struct Row {
    id: String,
    no: String,
    name: String,
    types: String,
    fine: String,
    status: &'static str,
    deadline: String,
}

#[derive(Template)]
#[template(path = "penalties.html")]
struct ListPage {
    l: Layout,
    total: i64,
    rows: Vec<Row>,
    pager: Pager,
    can_manage: bool,
    articles: Vec<SelectOption>,
    types: Vec<SelectOption>,
    credit_code: String,
    /// The inspection a new case follows, when the form was opened from one in scope.
    inspection: Option<Linked>,
    error: Option<String>,
}

/// An inspection a case follows: its id (sent with the form) and its number (shown).
struct Linked {
    id: String,
    no: String,
}

#[derive(Debug, Default, serde::Deserialize)]
pub(super) struct ListQuery {
    #[serde(default)]
    code: String,
    #[serde(default)]
    region: String,
    #[serde(default)]
    decided_from: String,
    #[serde(default)]
    decided_to: String,
    /// The inspection a new case follows (from the inspections list).
    #[serde(default)]
    inspection: String,
    page: Option<u32>,
}

async fn list_page(state: &State, lang: Lang, user: &WebUser, q: ListQuery, error: Option<String>) -> Response {
    let p = &user.auth.principal;
    let decided = (q.decided_from.as_str(), q.decided_to.as_str());
    let paged = match state.app.list_cases(p, false, &q.region, decided, PageRequest::new(q.page, None)).await {
        Ok(x) => x,
        Err(e) => return error_page(lang, &e),
    };
    let l = Layout::for_user(lang, user, "penalties.title", "/penalties");
    let t = l.t;
    let rows = paged
        .items
        .iter()
        .map(|c| Row {
            id: c.id.clone(),
            no: c.case_no.clone(),
            name: c.enterprise_name.clone(),
            types: types_text(t, c),
            fine: fine_text(c),
            status: t.s(&format!("case.{}", c.status)),
            deadline: c.deadline.clone().unwrap_or_default(),
        })
        .collect();
    let articles = crate::refdata::ARTICLES
        .iter()
        .map(|a| SelectOption {
            value: a.code.clone(),
            label: format!("{} {}", a.article, if t.zh() { &a.title_zh } else { &a.title_en }),
            selected: false,
        })
        .collect();
    let types = TYPES
        .iter()
        .map(|x| SelectOption { value: (*x).into(), label: t.s(&format!("ptype.{x}")).into(), selected: *x == "fine" })
        .collect();
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let params =
        [("region", q.region.clone()), ("decided_from", q.decided_from.clone()), ("decided_to", q.decided_to.clone())];
    let pager = Pager::new("/penalties", &params, &paged);
    let inspection = match q.inspection.as_str() {
        "" => None,
        id => state.app.get_inspection(p, id).await.ok().map(|i| Linked { id: i.id, no: i.inspection_no }),
    };
    let page = ListPage {
        total: paged.total,
        rows,
        pager,
        can_manage: p.can(Permission::ManagePenalties),
        articles,
        types,
        credit_code: q.code,
        inspection,
        error,
        l,
    };
    (status, render(&page)).into_response()
}

pub(super) async fn list_cases(
    axum::extract::State(state): axum::extract::State<State>,
    lang: Lang,
    user: WebUser,
    Query(q): Query<ListQuery>,
) -> Response {
    list_page(&state, lang, &user, q, None).await
}

#[derive(Debug, Default, serde::Deserialize)]
pub(super) struct CaseForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    credit_code: String,
    #[serde(default)]
    facts: String,
    #[serde(default)]
    legal_basis: String,
    #[serde(default)]
    penalty_type: String,
    #[serde(default)]
    fine_yuan: String,
    #[serde(default)]
    inspection_id: String,
}

pub(super) async fn file_case(
    axum::extract::State(state): axum::extract::State<State>,
    lang: Lang,
    user: WebUser,
    Form(f): Form<CaseForm>,
) -> Response {
    if let Err(e) = check_csrf(&user, &f.csrf) {
        return error_page(lang, &e);
    }
    let p = &user.auth.principal;
    let filter = store::enterprise::EnterpriseFilter { q: Some(f.credit_code.trim().to_owned()), ..Default::default() };
    let enterprise = match state.app.list_enterprises(p, &filter, PageRequest::new(None, Some(1))).await {
        Ok(page) if page.total == 1 => page.items[0].id.clone(),
        _ => {
            let q = ListQuery { code: f.credit_code, inspection: f.inspection_id, ..Default::default() };
            return list_page(
                &state,
                lang,
                &user,
                q,
                Some("credit_code: no such enterprise in your jurisdiction".into()),
            )
            .await;
        }
    };
    let ptype: Option<PenaltyType> = serde_json::from_value(serde_json::json!(f.penalty_type)).ok();
    let input = CaseInput {
        enterprise_id: enterprise,
        inspection_id: Some(f.inspection_id.clone()).filter(|i| !i.is_empty()),
        facts: f.facts,
        legal_basis: f.legal_basis,
        penalty_types: ptype.into_iter().collect(),
        fine_yuan: f.fine_yuan,
    };
    match state.app.file_case(&user.actor(), &input).await {
        Ok(c) => Redirect::to(&format!("/penalties/{}", c.id)).into_response(),
        Err(ServiceError::Invalid { field, message }) => {
            let q = ListQuery { code: f.credit_code, inspection: f.inspection_id, ..Default::default() };
            list_page(&state, lang, &user, q, Some(format!("{field}: {message}"))).await
        }
        Err(e) => error_page(lang, &e),
    }
}

#[derive(Template)]
#[template(path = "penalty.html")]
struct CasePage {
    l: Layout,
    c: PenaltyCase,
    inspection_no: Option<String>,
    basis: String,
    types: String,
    fine: String,
    status: &'static str,
    actions: Vec<(&'static str, &'static str)>,
    error: Option<String>,
}

async fn case_page(state: &State, lang: Lang, user: &WebUser, id: &str, error: Option<String>) -> Response {
    let p = &user.auth.principal;
    let c = match state.app.get_case(p, id).await {
        Ok(x) => x,
        Err(e) => return error_page(lang, &e),
    };
    let mut l = Layout::for_user(lang, user, "penalties.title", "/penalties");
    l.title = c.case_no.clone();
    let t = l.t;
    let status: Option<domain::penalty::CaseStatus> = serde_json::from_value(serde_json::json!(c.status)).ok();
    let actions = if p.can(Permission::ManagePenalties) {
        ACTIONS
            .iter()
            .filter(|a| {
                let action: Option<CaseAction> = serde_json::from_value(serde_json::json!(a)).ok();
                matches!((status, action), (Some(s), Some(a)) if domain::penalty::transition(s, a, c.hearing_right).is_ok())
            })
            .map(|a| (*a, t.s(&format!("case_action.{a}"))))
            .collect()
    } else {
        vec![]
    };
    let basis = crate::refdata::ARTICLES
        .iter()
        .find(|a| a.code == c.legal_basis)
        .map(|a| format!("《安全生产法》{} {}", a.article, a.title_zh))
        .unwrap_or_default();
    let inspection_no = match &c.inspection_id {
        Some(id) => state.app.get_inspection(p, id).await.ok().map(|i| i.inspection_no),
        None => None,
    };
    let page = CasePage {
        inspection_no,
        basis,
        types: types_text(t, &c),
        fine: fine_text(&c),
        status: t.s(&format!("case.{}", c.status)),
        actions,
        error: error.clone(),
        c,
        l,
    };
    let code = if error.is_some() { StatusCode::CONFLICT } else { StatusCode::OK };
    (code, render(&page)).into_response()
}

pub(super) async fn show_case(
    axum::extract::State(state): axum::extract::State<State>,
    lang: Lang,
    user: WebUser,
    Path(id): Path<String>,
) -> Response {
    case_page(&state, lang, &user, &id, None).await
}

#[derive(Debug, Default, serde::Deserialize)]
pub(super) struct StepForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    version: i64,
    #[serde(default)]
    note: String,
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
    let Ok(action) = serde_json::from_value::<CaseAction>(serde_json::json!(action)) else {
        return error_page(lang, &ServiceError::NotFound);
    };
    match state.app.act_on_case(&user.actor(), &id, f.version, action, &f.note).await {
        Ok(_) => Redirect::to(&format!("/penalties/{id}")).into_response(),
        Err(ServiceError::Conflict(m) | ServiceError::Invalid { message: m, .. }) => {
            case_page(&state, lang, &user, &id, Some(m)).await
        }
        Err(e) => error_page(lang, &e),
    }
}
