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
    movement_svg: String,
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
    // Rank movement over four quarters: the two before the previous one evaluated (published
    // runs as published), the previous ranks and this quarter's from this run.
    let (q3, q2) = (quarter.prev().prev().prev(), quarter.prev().prev());
    let mut older = Vec::new();
    for q in [q3, q2] {
        older.push(state.app.evaluation(&user.actor(), p.region.as_str(), q).await.ok());
    }
    let periods = vec![q3.label(), q2.label(), quarter.prev().label(), quarter.label()];
    let lines: Vec<(String, Vec<Option<usize>>)> = view
        .run
        .rows
        .iter()
        .map(|r| {
            let old = |v: &Option<crate::service::evaluation::RunView>| {
                v.as_ref()
                    .and_then(|v| v.run.rows.iter().find(|x| x.result.region == r.result.region).map(|x| x.result.rank))
            };
            (
                region_name(t, &r.result.region),
                vec![old(&older[0]), old(&older[1]), r.previous_rank, Some(r.result.rank)],
            )
        })
        .collect();
    let movement_svg = crate::web::charts::rank_lines(t.s("evaluation.movement"), &periods, &lines);
    let published =
        view.published.as_ref().map(|(by, at)| format!("{by} · {}", super::local_time(*at, "%Y-%m-%d %H:%M")));
    let page = EvaluationPage {
        period: quarter.label(),
        scheme_version: view.run.scheme_version.clone(),
        headers,
        rows,
        published,
        changed_since: !view.changed_since.is_empty(),
        movement_svg,
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

#[derive(Template)]
#[template(path = "bulletin.html")]
struct BulletinPage {
    title: String,
    issuer: String,
    doc_no: String,
    period: String,
    intro: String,
    rows: Vec<(usize, String, String, String, String, String)>,
    commentary: Vec<String>,
    published: bool,
    date: String,
}

const GRADES_ZH: [(&str, &str); 4] = [("excellent", "优秀"), ("good", "良好"), ("pass", "合格"), ("fail", "不合格")];

/// The quarterly bulletin (通报): a printable A4 page in Chinese with the ranking, the changes,
/// the grades and a short commentary on who rose and who fell. Always Chinese: it is an
/// official document.
pub(super) async fn bulletin(S(state): S<State>, lang: Lang, user: WebUser, Query(q): Query<EvalQuery>) -> Response {
    let p = &user.auth.principal;
    let Some(quarter) = Quarter::parse(&q.period) else {
        return error_page(lang, &ServiceError::NotFound);
    };
    let view = match state.app.evaluation(&user.actor(), p.region.as_str(), quarter).await {
        Ok(v) => v,
        Err(e) => return error_page(lang, &e),
    };
    let region = crate::refdata::REGION_BY_CODE.get(p.region.as_str()).map(|r| r.name_zh.clone()).unwrap_or_default();
    let level = if p.region_prefix.as_str().len() == 2 { "各市" } else { "各县（市、区）" };
    let grade =
        |g: &str| GRADES_ZH.iter().find(|(k, _)| *k == g).map(|(_, v)| (*v).to_owned()).unwrap_or_else(|| g.to_owned());
    let change = |c: Option<i64>| match c {
        Some(c) if c > 0 => format!("▲{c}"),
        Some(c) if c < 0 => format!("▼{}", -c),
        Some(_) => "—".into(),
        None => String::new(),
    };
    let rows = view
        .run
        .rows
        .iter()
        .map(|r| {
            (
                r.result.rank,
                r.name.clone(),
                format!("{:.2}", r.result.total),
                grade(&r.result.grade),
                r.previous_rank.map(|x| x.to_string()).unwrap_or_default(),
                change(r.change),
            )
        })
        .collect();
    let mut commentary = Vec::new();
    let first: Vec<&str> = view.run.rows.iter().filter(|r| r.result.rank == 1).map(|r| r.name.as_str()).collect();
    if !first.is_empty() {
        commentary.push(format!("{}综合得分位列第一。", first.join("、")));
    }
    let risers: Vec<String> = view
        .run
        .rows
        .iter()
        .filter(|r| r.change.is_some_and(|c| c >= 3))
        .map(|r| format!("{}（上升{}位）", r.name, r.change.unwrap_or(0)))
        .collect();
    if !risers.is_empty() {
        commentary.push(format!("进步明显的有：{}，予以通报表扬。", risers.join("、")));
    }
    let fallers: Vec<String> = view
        .run
        .rows
        .iter()
        .filter(|r| r.change.is_some_and(|c| c <= -3))
        .map(|r| format!("{}（下降{}位）", r.name, -r.change.unwrap_or(0)))
        .collect();
    if !fallers.is_empty() {
        commentary.push(format!("排名下降较多的有：{}，请认真分析原因，切实加以改进。", fallers.join("、")));
    }
    let vetoed: Vec<&str> = view.run.rows.iter().filter(|r| r.result.veto.is_some()).map(|r| r.name.as_str()).collect();
    if !vetoed.is_empty() {
        commentary
            .push(format!("{}本季度发生重大及以上生产安全事故，实行一票否决，考核等次为不合格。", vetoed.join("、")));
    }
    let today = state.app.today();
    let page = BulletinPage {
        title: format!("关于{}年第{}季度{}安全生产工作考核情况的通报", quarter.year, quarter.q, level),
        issuer: format!("{region}安全生产委员会办公室"),
        doc_no: format!("安委办通〔{}〕{}号", today.year(), quarter.q),
        period: quarter.label(),
        intro: format!(
            "根据安全生产工作考核办法（考核方案{}），现将{}年第{}季度{}安全生产工作考核情况通报如下：",
            view.run.scheme_version, quarter.year, quarter.q, level
        ),
        rows,
        commentary,
        published: view.published.is_some(),
        date: super::chinese_date(today),
    };
    render(&page)
}

/// The ranking with every indicator's value and points, as XLSX.
pub(super) async fn export(S(state): S<State>, lang: Lang, user: WebUser, Query(q): Query<EvalQuery>) -> Response {
    let Some(quarter) = Quarter::parse(&q.period) else {
        return error_page(lang, &ServiceError::NotFound);
    };
    let view = match state.app.evaluation(&user.actor(), user.auth.principal.region.as_str(), quarter).await {
        Ok(v) => v,
        Err(e) => return error_page(lang, &e),
    };
    match crate::export::evaluation_xlsx(&view.run, &view.scheme) {
        Ok(bytes) => crate::web::api::hazards::xlsx_response(bytes, &format!("evaluation-{}.xlsx", quarter.label())),
        Err(e) => error_page(lang, &ServiceError::Other(e.into())),
    }
}
