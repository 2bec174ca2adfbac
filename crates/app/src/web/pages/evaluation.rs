//! The quarterly evaluation page: the ranking of the user's sub-regions for a quarter, with the
//! previous rank and the change, each indicator's points linked to the records behind it, and
//! the button that publishes (freezes) the run.

use super::{Layout, check_csrf, error_page, region_name, render};
use crate::service::ServiceError;
use crate::web::State;
use crate::web::auth::WebUser;
use crate::web::i18n::Lang;
use askama::Template;
use axum::extract::State as S;
use axum::extract::{Form, Query};
use axum::response::{IntoResponse, Redirect, Response};
use domain::period::Quarter;

struct Cell {
    points: String,
    title: String,
    link: String,
}

struct Row {
    rank: usize,
    name: String,
    total: String,
    grade: &'static str,
    previous: String,
    change: String,
    rose: bool,
    veto: Option<String>,
    changed: bool,
    cells: Vec<Cell>,
}

#[derive(Template)]
#[template(path = "evaluation.html")]
struct EvaluationPage {
    l: Layout,
    period: String,
    scheme_version: String,
    headers: Vec<String>,
    rows: Vec<Row>,
    published: Option<String>,
    changed_since: bool,
    error: Option<String>,
}

#[derive(Debug, Default, serde::Deserialize)]
pub(super) struct EvalQuery {
    #[serde(default)]
    period: String,
}

async fn page(state: &State, lang: Lang, user: &WebUser, period: &str, error: Option<String>) -> Response {
    let p = &user.auth.principal;
    let quarter = Quarter::parse(period).unwrap_or_else(|| Quarter::of(state.app.today()).prev());
    let view = match state.app.evaluation(&user.actor(), p.region.as_str(), quarter).await {
        Ok(v) => v,
        Err(e) => return error_page(lang, &e),
    };
    let l = Layout::for_user(lang, user, "evaluation.title", "/evaluation");
    let t = l.t;
    let (from, to) = (quarter.first_day().to_string(), quarter.last_day().to_string());
    let headers =
        view.scheme.indicators.iter().map(|i| if t.zh() { i.name_zh.clone() } else { i.name_en.clone() }).collect();
    let rows = view
        .run
        .rows
        .iter()
        .map(|r| Row {
            rank: r.result.rank,
            name: region_name(t, &r.result.region),
            total: format!("{:.2}", r.result.total),
            grade: t.s(&format!("eval_grade.{}", r.result.grade)),
            previous: r.previous_rank.map(|x| x.to_string()).unwrap_or_default(),
            change: match r.change {
                Some(c) if c > 0 => format!("▲{c}"),
                Some(c) if c < 0 => format!("▼{}", -c),
                Some(_) => "—".into(),
                None => String::new(),
            },
            rose: r.change.is_some_and(|c| c > 0),
            veto: r.result.veto.clone(),
            changed: view.changed_since.contains(&r.result.region),
            cells: r
                .result
                .indicators
                .iter()
                .map(|s| {
                    let drill = view
                        .scheme
                        .indicators
                        .iter()
                        .find(|i| i.id == s.id)
                        .and_then(|i| i.drill.clone())
                        .unwrap_or_default();
                    Cell {
                        points: format!("{:.2}", s.points),
                        title: s.value.map(|v| format!("{v:.4}")).unwrap_or_else(|| "—".into()),
                        link: drill.replace("{region}", &r.result.region).replace("{from}", &from).replace("{to}", &to),
                    }
                })
                .collect(),
        })
        .collect();
    let published =
        view.published.as_ref().map(|(by, at)| format!("{by} · {}", super::local_time(*at, "%Y-%m-%d %H:%M")));
    let page = EvaluationPage {
        period: quarter.label(),
        scheme_version: view.run.scheme_version.clone(),
        headers,
        rows,
        published,
        changed_since: !view.changed_since.is_empty(),
        error,
        l,
    };
    render(&page)
}

pub(super) async fn evaluation(S(state): S<State>, lang: Lang, user: WebUser, Query(q): Query<EvalQuery>) -> Response {
    page(&state, lang, &user, &q.period, None).await
}

pub(super) async fn publish(
    S(state): S<State>,
    lang: Lang,
    user: WebUser,
    Form(f): Form<super::FormPairs>,
) -> Response {
    if let Err(e) = check_csrf(&user, super::form_field(&f, "csrf")) {
        return error_page(lang, &e);
    }
    let period = super::form_field(&f, "period").to_owned();
    let Some(quarter) = Quarter::parse(&period) else {
        return error_page(lang, &ServiceError::NotFound);
    };
    match state.app.publish_evaluation(&user.actor(), user.auth.principal.region.as_str(), quarter).await {
        Ok(_) => Redirect::to(&format!("/evaluation?period={period}")).into_response(),
        Err(ServiceError::Conflict(m)) => page(&state, lang, &user, &period, Some(m)).await,
        Err(e) => error_page(lang, &e),
    }
}
