//! Special action pages: the list (and the city office's form), and a campaign's progress
//! per region with links into the ledger.

use super::{Layout, check_csrf, error_page, region_name, render};
use crate::service::ServiceError;
use crate::service::campaigns::{CampaignInput, RegionProgress, Stage};
use crate::web::State;
use crate::web::auth::WebUser;
use crate::web::i18n::Lang;
use askama::Template;
use axum::extract::{Form, Path};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::access::Permission;
use std::collections::HashMap;
use store::campaign::Campaign;

struct Row {
    id: String,
    name: String,
    region: String,
    period: String,
}

#[derive(Template)]
#[template(path = "campaigns.html")]
struct ListPage {
    l: Layout,
    rows: Vec<Row>,
    can_manage: bool,
    errors: HashMap<String, String>,
}

async fn list_page(state: &State, lang: Lang, user: &WebUser, errors: HashMap<String, String>) -> Response {
    let p = &user.auth.principal;
    let list = match state.app.list_campaigns(p).await {
        Ok(x) => x,
        Err(e) => return error_page(lang, &e),
    };
    let l = Layout::for_user(lang, user, "campaigns.title", "/campaigns");
    let t = l.t;
    let rows = list
        .iter()
        .map(|c| Row {
            id: c.id.clone(),
            name: c.name.clone(),
            region: region_name(t, &c.region_code),
            period: format!("{} – {}", c.start_date, c.end_date),
        })
        .collect();
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    (status, render(&ListPage { rows, can_manage: p.can(Permission::ManageCampaigns), errors, l })).into_response()
}

pub(super) async fn list_campaigns(
    axum::extract::State(state): axum::extract::State<State>,
    lang: Lang,
    user: WebUser,
) -> Response {
    list_page(&state, lang, &user, HashMap::new()).await
}

#[derive(Debug, Default, serde::Deserialize)]
pub(super) struct CampaignForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    start_date: String,
    #[serde(default)]
    end_date: String,
    #[serde(default)]
    stages: String,
    #[serde(default)]
    targets: String,
}

pub(super) async fn create_campaign(
    axum::extract::State(state): axum::extract::State<State>,
    lang: Lang,
    user: WebUser,
    Form(f): Form<CampaignForm>,
) -> Response {
    if let Err(e) = check_csrf(&user, &f.csrf) {
        return error_page(lang, &e);
    }
    let input = CampaignInput {
        name: f.name,
        start_date: f.start_date,
        end_date: f.end_date,
        regions: vec![],
        sectors: vec![],
        stages: f.stages,
        targets: f.targets,
    };
    match state.app.create_campaign(&user.actor(), &input).await {
        Ok(id) => Redirect::to(&format!("/campaigns/{id}")).into_response(),
        Err(ServiceError::Invalid { field, message }) => {
            list_page(&state, lang, &user, [(field, message)].into()).await
        }
        Err(e) => error_page(lang, &e),
    }
}

struct ProgressRow {
    total: bool,
    code: String,
    name: String,
    rate: String,
    p: RegionProgress,
}

#[derive(Template)]
#[template(path = "campaign.html")]
struct CampaignPage {
    l: Layout,
    c: Campaign,
    region: String,
    stages: Vec<Stage>,
    rows: Vec<ProgressRow>,
    sources: Vec<(String, i64, i64)>,
}

pub(super) async fn show_campaign(
    axum::extract::State(state): axum::extract::State<State>,
    lang: Lang,
    user: WebUser,
    Path(id): Path<String>,
) -> Response {
    let (c, progress) = match state.app.campaign_progress(&user.auth.principal, &id).await {
        Ok(x) => x,
        Err(e) => return error_page(lang, &e),
    };
    let mut l = Layout::for_user(lang, &user, "campaigns.title", "/campaigns");
    l.title = c.name.clone();
    let t = l.t;
    let sources = progress
        .last()
        .map(|total| {
            total.by_source.iter().map(|(s, (f, r))| (t.s(&format!("source.{s}")).to_owned(), *f, *r)).collect()
        })
        .unwrap_or_default();
    let rows = progress
        .into_iter()
        .map(|p| ProgressRow {
            total: p.region_code == "total",
            code: p.region_code.clone(),
            name: region_name(t, &p.region_code),
            rate: p.rate_percent.map(|r| format!("{r:.1}%")).unwrap_or_else(|| "—".into()),
            p,
        })
        .collect();
    let page = CampaignPage {
        region: region_name(t, &c.region_code),
        stages: serde_json::from_str(&c.stages).unwrap_or_default(),
        rows,
        sources,
        c,
        l,
    };
    render(&page)
}
