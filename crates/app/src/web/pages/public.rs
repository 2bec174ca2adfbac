//! "One public": pages anyone can read without logging in. Each has a stable URL built from
//! the plan's document number.

use super::plans::{PlanRow, plan_row};
use super::{Layout, Pager, error_page, region_name, render};
use crate::web::State;
use crate::web::i18n::{Lang, Tr};
use askama::Template;
use axum::extract::{Path, Query};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use domain::draw::record::SpotRecord;
use domain::page::PageRequest;
use store::plan::Plan;

const SPEC_MD: &str = include_str!("../../../../../docs/specs/random-draw.md");

fn public_layout(lang: Lang, title_key: &str, path: &str) -> Layout {
    let mut l = Layout::anonymous(lang, title_key, path);
    l.nav = [
        ("/public/draws", "public.draws"),
        ("/public/rounds", "public.rounds"),
        ("/public/inspections", "public.inspections"),
        ("/public/penalties", "public.penalties"),
    ]
    .into_iter()
    .map(|(href, key)| super::NavItem { href, label: l.t.s(key), active: path.starts_with(href) })
    .collect();
    l
}

#[derive(Template)]
#[template(path = "public_results.html")]
struct ResultsPage {
    l: Layout,
    intro: &'static str,
    headers: Vec<&'static str>,
    rows: Vec<Vec<String>>,
    pager: Pager,
}

/// Spot-check inspection results: enterprise, date, plan, result; no personal data (no
/// officers' or representatives' names).
pub(super) async fn list_inspections(
    axum::extract::State(state): axum::extract::State<State>,
    lang: Lang,
    Query(q): Query<PageQuery>,
) -> Response {
    let paged = match state.app.public_inspections(PageRequest::new(q.page, None)).await {
        Ok(p) => p,
        Err(e) => return error_page(lang, &e),
    };
    let l = public_layout(lang, "public.inspections", "/public/inspections");
    let t = l.t;
    let rows = paged
        .items
        .iter()
        .map(|i| {
            let problems = i.outcome != "no_problem";
            vec![
                i.inspected_on.clone(),
                i.enterprise_name.clone(),
                i.credit_code.clone(),
                region_name(t, &i.region_code),
                t.s(if problems { "public.problems_found" } else { "public.passed" }).to_owned(),
            ]
        })
        .collect();
    let headers = vec![
        t.s("inspections.when"),
        t.s("field.name"),
        t.s("field.credit_code"),
        t.s("field.region"),
        t.s("inspections.outcome"),
    ];
    render(&ResultsPage {
        intro: t.s("public.inspections_intro"),
        headers,
        rows,
        pager: Pager::new("/public/inspections", &[], &paged),
        l,
    })
}

/// Penalty decisions: enterprise, legal basis, penalty, amount, date; never the facts.
pub(super) async fn list_penalties(
    axum::extract::State(state): axum::extract::State<State>,
    lang: Lang,
    Query(q): Query<PageQuery>,
) -> Response {
    let paged = match state.app.public_decisions(PageRequest::new(q.page, None)).await {
        Ok(p) => p,
        Err(e) => return error_page(lang, &e),
    };
    let l = public_layout(lang, "public.penalties", "/public/penalties");
    let t = l.t;
    let rows = paged
        .items
        .iter()
        .map(|c| {
            let basis = crate::refdata::ARTICLES
                .iter()
                .find(|a| a.code == c.legal_basis)
                .map(|a| format!("《安全生产法》{}", a.article))
                .unwrap_or_else(|| c.legal_basis.clone());
            let types: Vec<String> = serde_json::from_str::<Vec<String>>(&c.penalty_types)
                .unwrap_or_default()
                .iter()
                .map(|p| t.s(&format!("ptype.{p}")).to_owned())
                .collect();
            vec![
                c.decided_on.clone().unwrap_or_default(),
                c.case_no.clone(),
                c.enterprise_name.clone(),
                c.credit_code.clone(),
                basis,
                types.join("、"),
                if c.fine_fen > 0 { format!("{}.{:02}", c.fine_fen / 100, c.fine_fen % 100) } else { "—".into() },
            ]
        })
        .collect();
    let headers = vec![
        t.s("penalties.decided_on"),
        t.s("penalties.no"),
        t.s("field.name"),
        t.s("field.credit_code"),
        t.s("penalties.basis"),
        t.s("penalties.types"),
        t.s("penalties.fine"),
    ];
    render(&ResultsPage {
        intro: t.s("public.penalties_intro"),
        headers,
        rows,
        pager: Pager::new("/public/penalties", &[], &paged),
        l,
    })
}

#[derive(Template)]
#[template(path = "public_draws.html")]
struct DrawsPage {
    l: Layout,
    rows: Vec<PlanRow>,
    pager: Pager,
}

#[derive(Debug, Default, serde::Deserialize)]
pub(super) struct PageQuery {
    page: Option<u32>,
}

pub(super) async fn index() -> Redirect {
    Redirect::to("/public/draws")
}

pub(super) async fn list_draws(
    axum::extract::State(state): axum::extract::State<State>,
    lang: Lang,
    Query(q): Query<PageQuery>,
) -> Response {
    let paged = match state.app.published_plans(PageRequest::new(q.page, None)).await {
        Ok(p) => p,
        Err(e) => return error_page(lang, &e),
    };
    let l = public_layout(lang, "public.draws", "/public/draws");
    let rows = paged.items.iter().map(|p| plan_row(l.t, p)).collect();
    render(&DrawsPage { rows, pager: Pager::new("/public/draws", &[], &paged), l })
}

struct AssignmentRow {
    n: usize,
    entity: String,
    name: String,
    stratum: &'static str,
    team: String,
}

#[derive(Template)]
#[template(path = "public_draw.html")]
struct DrawPage {
    l: Layout,
    p: Plan,
    region: String,
    status: &'static str,
    candidates: usize,
    inspectors: usize,
    inputs_digest: String,
    commitment: String,
    beacon: Option<String>,
    seed: Option<String>,
    result_digest: Option<String>,
    assignments: Vec<AssignmentRow>,
}

pub(super) async fn show_draw(
    axum::extract::State(state): axum::extract::State<State>,
    lang: Lang,
    Path(no): Path<String>,
) -> Response {
    let (plan, json) = match state.app.published_plan(&no).await {
        Ok(x) => x,
        Err(e) => return error_page(lang, &e),
    };
    let record: SpotRecord = match serde_json::from_str(&json) {
        Ok(r) => r,
        Err(e) => return error_page(lang, &crate::service::ServiceError::Other(e.into())),
    };
    let mut l = public_layout(lang, "public.draws", &format!("/public/draws/{no}"));
    l.title = plan.name.clone();
    let t: Tr = l.t;
    let stated = record.assignments.clone().unwrap_or_default();
    let codes: Vec<&str> = stated.iter().map(|a| a.entity.as_str()).collect();
    let names = store::enterprise::names_by_codes(&state.app.db, &codes).await.unwrap_or_default();
    let assignments = stated
        .iter()
        .enumerate()
        .map(|(i, a)| AssignmentRow {
            n: i + 1,
            name: names.get(&a.entity).cloned().unwrap_or_default(),
            entity: a.entity.clone(),
            stratum: t.s(&format!("risk.{}", a.stratum)),
            team: a.team.join(", "),
        })
        .collect();
    let page = DrawPage {
        region: region_name(t, &plan.region_code),
        status: t.s(&format!("plan_status.{}", plan.status.as_str())),
        candidates: record.candidates.len(),
        inspectors: record.inspectors.len(),
        inputs_digest: record.inputs_digest.clone(),
        commitment: record.commitment.clone(),
        beacon: record.beacon.clone(),
        seed: record.seed.clone(),
        result_digest: record.result_digest.clone(),
        assignments,
        p: plan,
        l,
    };
    render(&page)
}

pub(super) async fn draw_record(
    axum::extract::State(state): axum::extract::State<State>,
    lang: Lang,
    Path(no): Path<String>,
) -> Response {
    match state.app.published_plan(&no).await {
        Ok((plan, json)) => (
            [
                (header::CONTENT_TYPE, "application/json".to_owned()),
                (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{}.json\"", plan.plan_no)),
            ],
            json,
        )
            .into_response(),
        Err(e) => error_page(lang, &e),
    }
}

pub(super) async fn spec() -> Response {
    ([(header::CONTENT_TYPE, "text/markdown; charset=utf-8")], SPEC_MD).into_response()
}

struct RoundRow {
    no: String,
    name: String,
    city: String,
    participants: String,
    status: &'static str,
    commitment: String,
    pairs: String,
}

#[derive(Template)]
#[template(path = "public_rounds.html")]
struct RoundsPage {
    l: Layout,
    rows: Vec<RoundRow>,
    pager: Pager,
}

/// Cross-inspection groupings: the commitment as soon as a round is committed, the pairs once
/// grouped, each with its record to verify (`inspectorate draw verify`).
pub(super) async fn list_rounds(
    axum::extract::State(state): axum::extract::State<State>,
    lang: Lang,
    Query(q): Query<PageQuery>,
) -> Response {
    let paged = match state.app.published_rounds(PageRequest::new(q.page, None)).await {
        Ok(p) => p,
        Err(e) => return error_page(lang, &e),
    };
    let l = public_layout(lang, "public.rounds", "/public/rounds");
    let t = l.t;
    let names = |codes: &[String]| codes.iter().map(|c| region_name(t, c)).collect::<Vec<_>>();
    let rows = paged
        .items
        .iter()
        .map(|r| {
            let participants: Vec<String> = serde_json::from_str(&r.participants).unwrap_or_default();
            let pairs: Vec<(String, String)> =
                r.pairs.as_deref().and_then(|p| serde_json::from_str(p).ok()).unwrap_or_default();
            RoundRow {
                no: r.round_no.clone(),
                name: r.name.clone(),
                city: region_name(t, &r.region_code),
                participants: names(&participants).join("、"),
                status: t.s(&format!("plan_status.{}", r.status.as_str())),
                commitment: r.commitment.clone().unwrap_or_default(),
                pairs: pairs
                    .iter()
                    .map(|(a, b)| format!("{} → {}", region_name(t, a), region_name(t, b)))
                    .collect::<Vec<_>>()
                    .join("；"),
            }
        })
        .collect();
    render(&RoundsPage { rows, pager: Pager::new("/public/rounds", &[], &paged), l })
}

/// A round's record (JSON) for `inspectorate draw verify`.
pub(super) async fn round_record(
    axum::extract::State(state): axum::extract::State<State>,
    lang: Lang,
    Path(no): Path<String>,
) -> Response {
    match state.app.published_round(&no).await {
        Ok((round, json)) => (
            [
                (header::CONTENT_TYPE, "application/json".to_owned()),
                (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{}.json\"", round.round_no)),
            ],
            json,
        )
            .into_response(),
        Err(e) => error_page(lang, &e),
    }
}
