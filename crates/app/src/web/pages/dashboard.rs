//! A region's dashboard for a period: the figures of BRIEF §9, each linked to the list behind
//! it, hazards found and rectified per sub-region and per month as SVG charts.

use super::{Layout, SelectOption, error_page, region_name, render};
use crate::web::State;
use crate::web::auth::WebUser;
use crate::web::charts::grouped_bars;
use crate::web::i18n::Lang;
use askama::Template;
use axum::extract::Query;
use axum::extract::State as S;
use axum::response::Response;
use domain::period::Period;

struct FigureRow {
    label: &'static str,
    value: String,
    link: String,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    l: Layout,
    period: String,
    region_label: String,
    regions: Vec<SelectOption>,
    rows: Vec<FigureRow>,
    by_region_svg: String,
    monthly_svg: String,
    error: Option<String>,
}

#[derive(Debug, Default, serde::Deserialize)]
pub(super) struct DashboardQuery {
    #[serde(default)]
    region: String,
    #[serde(default)]
    period: String,
}

fn rate(n: i64, d: i64) -> String {
    domain::guidance::rate_bp(n, d).map(|bp| format!("{}.{:02}%", bp / 100, bp % 100)).unwrap_or_else(|| "—".into())
}

pub(super) async fn dashboard(
    S(state): S<State>,
    lang: Lang,
    user: WebUser,
    Query(q): Query<DashboardQuery>,
) -> Response {
    let p = &user.auth.principal;
    let mut l = Layout::for_user(lang, &user, "dashboard.title", "/dashboard");
    let t = l.t;
    let region = if q.region.is_empty() { p.region.to_string() } else { q.region.clone() };
    let text = if q.period.is_empty() { state.app.today().year().to_string() } else { q.period.clone() };
    let (period, error) = match Period::parse(&text) {
        Some(x) => (x, None),
        None => (
            Period::parse(&state.app.today().year().to_string())
                .unwrap_or(Period { from: state.app.today(), to: state.app.today() }),
            Some(t.s("dashboard.bad_period").to_owned()),
        ),
    };
    let f = match state.app.figures(&user.actor(), &region, &period).await {
        Ok(x) => x,
        Err(e) => return error_page(lang, &e),
    };
    let (from, to) = (period.from.to_string(), period.to.to_string());
    let hz = |extra: &str| format!("/hazards?region={region}&from={from}&to={to}{extra}");
    let tt = &f.total;
    let rows = vec![
        FigureRow {
            label: t.s("fig.major_found"),
            value: tt.major_found.to_string(),
            link: hz("&grade=major&campaign=any"),
        },
        FigureRow {
            label: t.s("fig.major_closed"),
            value: tt.major_closed.to_string(),
            link: hz("&grade=major&campaign=any&status=closed"),
        },
        FigureRow { label: t.s("fig.hazards_found"), value: tt.hazards_found.to_string(), link: hz("") },
        FigureRow {
            label: t.s("fig.rectification_rate"),
            value: rate(tt.hazards_rectified, tt.hazards_found),
            link: hz("&status=closed"),
        },
        FigureRow {
            label: t.s("fig.major_overdue"),
            value: tt.major_overdue.to_string(),
            link: format!("/hazards?region={region}&grade=major&overdue=1"),
        },
        FigureRow {
            label: t.s("fig.spot_checked"),
            value: tt.enterprises_spot_checked.to_string(),
            link: format!("/inspections?region={region}&from={from}&to={to}&spot=1"),
        },
        FigureRow {
            label: t.s("fig.penalties"),
            value: tt.penalty_decisions.to_string(),
            link: format!("/penalties?region={region}&decided_from={from}&decided_to={to}"),
        },
        FigureRow { label: t.s("fig.covert"), value: tt.covert_inspections.to_string(), link: "/covert".into() },
        FigureRow {
            label: t.s("fig.covert_handled"),
            value: tt.covert_problems_handled.to_string(),
            link: "/covert/handovers".into(),
        },
        FigureRow {
            label: t.s("fig.cross"),
            value: tt.cross_hazards.to_string(),
            link: hz("&source=cross_inspection"),
        },
        FigureRow {
            label: t.s("fig.accidents"),
            value: format!("{} / {}", tt.accidents, tt.deaths),
            link: format!("/accidents?from={from}&to={to}"),
        },
    ];
    let series = [t.s("fig.found"), t.s("fig.rectified")];
    let bars: Vec<(String, [i64; 2])> =
        f.by_region.iter().map(|(c, x)| (region_name(t, c), [x.hazards_found, x.hazards_rectified])).collect();
    let months: Vec<(String, [i64; 2])> = f.monthly.iter().map(|(m, a, b)| (m[5..].to_owned(), [*a, *b])).collect();
    let mut regions = vec![SelectOption {
        value: p.region.to_string(),
        label: region_name(t, p.region.as_str()),
        selected: region == p.region.as_str(),
    }];
    regions.extend(f.by_region.iter().filter(|(c, _)| c != p.region.as_str()).map(|(c, _)| SelectOption {
        value: c.clone(),
        label: region_name(t, c),
        selected: *c == region,
    }));
    l.title = format!("{} · {}", t.s("dashboard.title"), region_name(t, &region));
    let page = DashboardPage {
        period: text,
        region_label: region_name(t, &region),
        regions,
        rows,
        by_region_svg: grouped_bars(t.s("dashboard.by_region"), series, &bars),
        monthly_svg: grouped_bars(t.s("dashboard.monthly"), series, &months),
        error,
        l,
    };
    render(&page)
}
