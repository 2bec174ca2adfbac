//! Accident pages: the list for a period and the office's form.

use super::{Layout, Pager, SelectOption, check_csrf, error_page, render};
use crate::service::ServiceError;
use crate::service::accidents::AccidentInput;
use crate::web::State;
use crate::web::auth::WebUser;
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
    kind: String,
    deaths: i64,
    injuries: i64,
    loss: String,
    grade: &'static str,
}

#[derive(Template)]
#[template(path = "accidents.html")]
struct AccidentsPage {
    l: Layout,
    from: String,
    to: String,
    total: i64,
    rows: Vec<Row>,
    pager: Pager,
    can_record: bool,
    types: Vec<SelectOption>,
    error: Option<String>,
}

#[derive(Debug, Default, serde::Deserialize)]
pub(super) struct PeriodQuery {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    page: Option<u32>,
}

async fn page(state: &State, lang: Lang, user: &WebUser, q: PeriodQuery, error: Option<String>) -> Response {
    let p = &user.auth.principal;
    let today = state.app.today();
    let from = if q.from.is_empty() { format!("{}-01-01", today.year()) } else { q.from };
    let to = if q.to.is_empty() { today.to_string() } else { q.to };
    let paged = match state.app.list_accidents(p, &from, &to, PageRequest::new(q.page, None)).await {
        Ok(x) => x,
        Err(e) => return error_page(lang, &e),
    };
    let l = Layout::for_user(lang, user, "accidents.title", "/accidents");
    let t = l.t;
    let type_name = |code: &str| {
        domain::accident::TYPES
            .iter()
            .find(|(c, _, _)| *c == code)
            .map(|(_, zh, en)| if t.zh() { *zh } else { *en })
            .unwrap_or(code)
            .to_owned()
    };
    let rows = paged
        .items
        .iter()
        .map(|a| Row {
            no: a.accident_no.clone(),
            when: super::local_time(a.occurred_at, "%Y-%m-%d %H:%M"),
            name: a.enterprise_name.clone(),
            kind: type_name(&a.accident_type),
            deaths: a.deaths,
            injuries: a.serious_injuries,
            loss: format!("{}.{:02}", a.direct_loss_fen / 100, a.direct_loss_fen % 100),
            grade: t.s(&format!("agrade.{}", a.grade)),
        })
        .collect();
    let types = domain::accident::TYPES
        .iter()
        .map(|(c, zh, en)| SelectOption {
            value: (*c).into(),
            label: if t.zh() { (*zh).into() } else { (*en).into() },
            selected: false,
        })
        .collect();
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let pager = Pager::new("/accidents", &[("from", from.clone()), ("to", to.clone())], &paged);
    (
        status,
        render(&AccidentsPage {
            from,
            to,
            total: paged.total,
            rows,
            pager,
            can_record: p.can(Permission::RecordAccident),
            types,
            error,
            l,
        }),
    )
        .into_response()
}

pub(super) async fn list_accidents(
    axum::extract::State(state): axum::extract::State<State>,
    lang: Lang,
    user: WebUser,
    Query(q): Query<PeriodQuery>,
) -> Response {
    page(&state, lang, &user, q, None).await
}

#[derive(Debug, Default, serde::Deserialize)]
pub(super) struct AccidentForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    occurred_at: String,
    #[serde(default)]
    place: String,
    #[serde(default)]
    accident_type: String,
    #[serde(default)]
    deaths: String,
    #[serde(default)]
    serious_injuries: String,
    #[serde(default)]
    direct_loss_yuan: String,
    #[serde(default)]
    description: String,
}

pub(super) async fn record_accident(
    axum::extract::State(state): axum::extract::State<State>,
    lang: Lang,
    user: WebUser,
    Form(f): Form<AccidentForm>,
) -> Response {
    if let Err(e) = check_csrf(&user, &f.csrf) {
        return error_page(lang, &e);
    }
    let input = AccidentInput {
        occurred_at: f.occurred_at,
        enterprise_id: None,
        region_code: None,
        place: f.place,
        accident_type: f.accident_type,
        deaths: f.deaths.trim().parse().unwrap_or(0),
        serious_injuries: f.serious_injuries.trim().parse().unwrap_or(0),
        direct_loss_yuan: f.direct_loss_yuan,
        description: f.description,
    };
    match state.app.record_accident(&user.actor(), &input).await {
        Ok(_) => Redirect::to("/accidents").into_response(),
        Err(ServiceError::Invalid { field, message }) => {
            page(&state, lang, &user, PeriodQuery::default(), Some(format!("{field}: {message}"))).await
        }
        Err(e) => error_page(lang, &e),
    }
}
