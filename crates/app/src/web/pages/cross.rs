//! Cross-inspection pages: the rounds (and the city office's form for a new one), and a
//! round's page with its steps (commit, grouping beacon, team draw) and the pairs' results.

use super::{Layout, Pager, SelectOption, check_csrf, error_page, region_name, render};
use crate::service::ServiceError;
use crate::service::cross::{RoundInput, RoundView};
use crate::web::State;
use crate::web::auth::WebUser;
use crate::web::i18n::{Lang, Tr};
use askama::Template;
use axum::extract::State as S;
use axum::extract::{Form, Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::access::Permission;
use domain::page::PageRequest;
use domain::plan::STRATA;

struct RoundRow {
    id: String,
    no: String,
    name: String,
    window: String,
    participants: String,
    status: &'static str,
}

#[derive(Template)]
#[template(path = "cross_list.html")]
struct ListPage {
    l: Layout,
    rows: Vec<RoundRow>,
    total: i64,
    pager: Pager,
    counties: Vec<SelectOption>,
    can_manage: bool,
    error: Option<String>,
}

fn names(t: Tr, codes: &[String]) -> String {
    codes.iter().map(|c| region_name(t, c)).collect::<Vec<_>>().join("、")
}

#[derive(Debug, Default, serde::Deserialize)]
pub(super) struct PageQuery {
    page: Option<u32>,
}

async fn list_page(state: &State, lang: Lang, user: &WebUser, page: Option<u32>, error: Option<String>) -> Response {
    let p = &user.auth.principal;
    let paged = match state.app.list_rounds(p, PageRequest::new(page, None)).await {
        Ok(x) => x,
        Err(e) => return error_page(lang, &e),
    };
    let l = Layout::for_user(lang, user, "rounds.title", "/cross");
    let t = l.t;
    let rows = paged
        .items
        .iter()
        .map(|r| RoundRow {
            id: r.id.clone(),
            no: r.round_no.clone(),
            name: r.name.clone(),
            window: format!("{} – {}", r.date_from, r.date_to),
            participants: names(t, &serde_json::from_str::<Vec<String>>(&r.participants).unwrap_or_default()),
            status: t.s(&format!("round_status.{}", r.status.as_str())),
        })
        .collect();
    let counties = super::REGIONS
        .iter()
        .filter(|r| r.parent.as_ref().is_some_and(|x| x.as_str() == p.region.as_str()))
        .map(|r| SelectOption { value: r.code.to_string(), label: r.name(t.lang.tag()).to_owned(), selected: true })
        .collect();
    let pager = Pager::new("/cross", &[], &paged);
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let page =
        ListPage { rows, total: paged.total, pager, counties, can_manage: p.can(Permission::ManageRounds), error, l };
    (status, render(&page)).into_response()
}

pub(super) async fn list_rounds(S(state): S<State>, lang: Lang, user: WebUser, Query(q): Query<PageQuery>) -> Response {
    list_page(&state, lang, &user, q.page, None).await
}

pub(super) async fn create_round(
    S(state): S<State>,
    lang: Lang,
    user: WebUser,
    Form(f): Form<super::FormPairs>,
) -> Response {
    if let Err(e) = check_csrf(&user, super::form_field(&f, "csrf")) {
        return error_page(lang, &e);
    }
    let input = RoundInput {
        name: super::form_field(&f, "name").to_owned(),
        date_from: super::form_field(&f, "date_from").to_owned(),
        date_to: super::form_field(&f, "date_to").to_owned(),
        participants: f.iter().filter(|(k, _)| k == "participant").map(|(_, v)| v.clone()).collect(),
        team_size: super::form_field(&f, "team_size").trim().parse().unwrap_or(0),
        quotas: STRATA
            .iter()
            .map(|s| (s.as_str().to_owned(), super::form_field(&f, &format!("quota_{}", s.as_str())).to_owned()))
            .collect(),
    };
    match state.app.create_round(&user.actor(), &input).await {
        Ok(v) => Redirect::to(&format!("/cross/{}", v.round.id)).into_response(),
        Err(ServiceError::Invalid { field, message }) => {
            list_page(&state, lang, &user, None, Some(format!("{field}: {message}"))).await
        }
        Err(e) => error_page(lang, &e),
    }
}

struct PairRow {
    visiting: String,
    inspected: String,
    plan_id: String,
    plan_no: String,
    plan_status: &'static str,
    inspected_count: i64,
    general: i64,
    major: i64,
    rectified: i64,
}

#[derive(Template)]
#[template(path = "cross.html")]
struct RoundPage {
    l: Layout,
    v: RoundView,
    city: String,
    participants: String,
    status: &'static str,
    status_code: &'static str,
    pairs: Vec<PairRow>,
    missing_plans: bool,
    drawable: bool,
    can_manage: bool,
    error: Option<String>,
}

async fn round_page(state: &State, lang: Lang, user: &WebUser, id: &str, error: Option<String>) -> Response {
    let p = &user.auth.principal;
    let v = match state.app.get_round(p, id).await {
        Ok(x) => x,
        Err(e) => return error_page(lang, &e),
    };
    let l = Layout::for_user(lang, user, "rounds.title", "/cross");
    let t = l.t;
    let pairs: Vec<PairRow> = v
        .pairs
        .iter()
        .map(|x| PairRow {
            visiting: region_name(t, &x.visiting),
            inspected: region_name(t, &x.inspected),
            plan_id: x.plan.as_ref().map(|p| p.id.clone()).unwrap_or_default(),
            plan_no: x.plan.as_ref().map(|p| p.plan_no.clone()).unwrap_or_default(),
            plan_status: x.plan.as_ref().map(|p| t.s(&format!("plan_status.{}", p.status.as_str()))).unwrap_or(""),
            inspected_count: x.enterprises_inspected,
            general: x.general,
            major: x.major,
            rectified: x.rectified,
        })
        .collect();
    let missing_plans =
        v.pairs.iter().any(|x| x.plan.as_ref().is_none_or(|p| p.status == domain::plan::PlanStatus::Draft));
    let drawable =
        v.pairs.iter().any(|x| x.plan.as_ref().is_some_and(|p| p.status == domain::plan::PlanStatus::Committed));
    let page = RoundPage {
        city: region_name(t, &v.round.region_code),
        participants: names(t, &v.participants),
        status: t.s(&format!("round_status.{}", v.round.status.as_str())),
        status_code: v.round.status.as_str(),
        missing_plans: v.round.status == domain::plan::PlanStatus::Drawn && missing_plans,
        drawable,
        can_manage: p.can(Permission::ManageRounds) && p.governs(&v.round.region_code),
        pairs,
        error,
        v,
        l,
    };
    let status = if page.error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    (status, render(&page)).into_response()
}

pub(super) async fn show_round(S(state): S<State>, lang: Lang, user: WebUser, Path(id): Path<String>) -> Response {
    round_page(&state, lang, &user, &id, None).await
}

/// `POST /cross/{id}/{commit|group|prepare|draw}`.
pub(super) async fn step(
    S(state): S<State>,
    lang: Lang,
    user: WebUser,
    Path((id, step)): Path<(String, String)>,
    Form(f): Form<super::FormPairs>,
) -> Response {
    if let Err(e) = check_csrf(&user, super::form_field(&f, "csrf")) {
        return error_page(lang, &e);
    }
    let (actor, version, beacon) =
        (user.actor(), super::form_field(&f, "version").parse().unwrap_or(0), super::form_field(&f, "beacon"));
    let result = match step.as_str() {
        "commit" => state.app.commit_round(&actor, &id, version).await,
        "group" => state.app.group_round(&actor, &id, version, beacon).await,
        "prepare" => state.app.prepare_pairs(&actor, &id).await,
        "draw" => state.app.draw_round_teams(&actor, &id, beacon).await,
        _ => Err(ServiceError::NotFound),
    };
    match result {
        Ok(_) => Redirect::to(&format!("/cross/{id}")).into_response(),
        Err(ServiceError::Invalid { message, .. } | ServiceError::Conflict(message)) => {
            round_page(&state, lang, &user, &id, Some(message)).await
        }
        Err(e) => error_page(lang, &e),
    }
}
