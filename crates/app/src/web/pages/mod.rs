//! Server-rendered pages. Every page works without JavaScript; every form that changes
//! something carries the session's CSRF token.

mod accidents;
mod account;
mod admin;
mod campaigns;
mod covert;
mod cross;
mod dashboard;
mod evaluation;
mod guidance;
mod hazards;
mod inspections;
mod penalties;
mod plans;
mod public;
mod registers;

use super::State;
use super::auth::{WebUser, same_secret};
use super::i18n::{Lang, Tr};
use crate::service::ServiceError;
use askama::Template;
use axum::Router;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use domain::access::{Permission, Principal, Role};

/// The page URL map.
pub fn router() -> Router<State> {
    Router::new()
        .route("/", get(home))
        .route("/login", get(account::login_form).post(account::login))
        .route("/logout", post(account::logout))
        .route("/account/password", get(account::password_form).post(account::change_password))
        .route("/lang/{code}", get(account::switch_language))
        .route("/enterprises", get(registers::list_enterprises))
        .route("/enterprises/{id}", get(registers::show_enterprise))
        .route("/officers", get(registers::list_officers))
        .route("/import", get(registers::import_form).post(registers::import_file))
        .route("/hazards", get(hazards::list_hazards).post(hazards::report_hazard))
        .route("/hazards/new", get(hazards::new_hazard_form))
        .route("/hazards/export.xlsx", get(hazards::export_hazards))
        .route("/hazards/{id}", get(hazards::show_hazard))
        .route("/hazards/{id}/evidence", post(hazards::attach_evidence))
        .route("/hazards/{id}/{action}", post(hazards::act).get(hazards::notice))
        .route("/evidence/{sm3}", get(hazards::download_evidence))
        .route("/accidents", get(accidents::list_accidents).post(accidents::record_accident))
        .route("/campaigns", get(campaigns::list_campaigns).post(campaigns::create_campaign))
        .route("/campaigns/{id}", get(campaigns::show_campaign))
        .route("/plans", get(plans::list_plans).post(plans::create_plan))
        .route("/plans/new", get(plans::new_plan_form))
        .route("/plans/{id}", get(plans::show_plan))
        .route("/plans/{id}/commit", post(plans::commit_plan))
        .route("/plans/{id}/draw", post(plans::draw_plan))
        .route("/covert", get(covert::list_plans).post(covert::create_plan))
        .route("/covert/new", get(covert::new_plan))
        .route("/covert/handovers", get(covert::list_handovers))
        .route("/covert/problems/{id}", get(covert::show_problem))
        .route("/covert/problems/{id}/letter", get(covert::letter))
        .route("/covert/problems/{id}/{action}", post(covert::act))
        .route("/covert/{id}", get(covert::show_plan))
        .route("/covert/{id}/draw.json", get(covert::draw_record))
        .route("/covert/{id}/visit", post(covert::record_visit))
        .route("/covert/{id}/problems", post(covert::add_problem))
        .route("/covert/{id}/evidence", post(covert::attach_evidence))
        .route("/covert/{id}/evidence/{sm3}", get(covert::download_evidence))
        .route("/cross", get(cross::list_rounds).post(cross::create_round))
        .route("/cross/{id}", get(cross::show_round))
        .route("/cross/{id}/{step}", post(cross::step))
        .route("/guidance", get(guidance::overview).post(guidance::form_group))
        .route("/guidance/targets", post(guidance::set_target))
        .route("/guidance/{id}", get(guidance::show_group))
        .route("/guidance/{id}/{step}", post(guidance::group_step))
        .route("/dashboard", get(dashboard::dashboard))
        .route("/evaluation", get(evaluation::evaluation))
        .route("/evaluation/publish", post(evaluation::publish))
        .route("/evaluation/bulletin", get(evaluation::bulletin))
        .route("/evaluation/export.xlsx", get(evaluation::export))
        .route("/inspections", get(inspections::list_inspections).post(inspections::record_inspection))
        .route("/inspections/new", get(inspections::new_inspection))
        .route("/penalties", get(penalties::list_cases).post(penalties::file_case))
        .route("/penalties/{id}", get(penalties::show_case))
        .route("/penalties/{id}/{action}", post(penalties::act))
        .route("/public", get(public::index))
        .route("/public/draws", get(public::list_draws))
        .route("/public/draws/{no}", get(public::show_draw))
        .route("/public/draws/{no}/record.json", get(public::draw_record))
        .route("/public/spec", get(public::spec))
        .route("/public/rounds", get(public::list_rounds))
        .route("/public/rounds/{no}/record.json", get(public::round_record))
        .route("/public/inspections", get(public::list_inspections))
        .route("/public/penalties", get(public::list_penalties))
        .route("/admin/users", get(admin::list_users).post(admin::create_user))
        .route("/admin/users/{id}/unlock", post(admin::unlock_user))
        .route("/admin/users/{id}/end-sessions", post(admin::end_sessions))
        .route("/admin/users/{id}/reset", post(admin::reset_password))
        .route("/audit", get(admin::list_audit))
        .route("/audit/verify", post(admin::verify_audit))
}

/// The logged-in user as the page header shows them.
#[derive(Debug, Clone)]
pub struct UserView {
    /// Display name.
    pub display_name: String,
    /// Role, translated.
    pub role_label: String,
}

/// One navigation link.
#[derive(Debug, Clone)]
pub struct NavItem {
    /// Target.
    pub href: &'static str,
    /// Text.
    pub label: &'static str,
    /// Whether it is the current section.
    pub active: bool,
}

/// What every page's frame needs.
#[derive(Debug, Clone)]
pub struct Layout {
    /// Translator.
    pub t: Tr,
    /// Page title.
    pub title: String,
    /// The user, when logged in.
    pub user: Option<UserView>,
    /// The session's CSRF token ("" when logged out).
    pub csrf: String,
    /// Navigation for the user's role.
    pub nav: Vec<NavItem>,
    /// Current path, URL-encoded (for the language switch to come back here).
    pub path: String,
}

impl Layout {
    /// The frame for a logged-in user.
    pub fn for_user(lang: Lang, user: &WebUser, title_key: &str, path: &str) -> Self {
        let t = Tr { lang };
        let p = &user.auth.principal;
        let mut nav = vec![NavItem { href: "/", label: t.s("nav.home"), active: path == "/" }];
        let mut add = |allowed: bool, href: &'static str, key: &str| {
            if allowed {
                nav.push(NavItem { href, label: t.s(key), active: path.starts_with(href) });
            }
        };
        add(p.can(Permission::ViewCampaigns), "/dashboard", "nav.dashboard");
        add(p.can(Permission::Evaluate), "/evaluation", "nav.evaluation");
        add(p.can(Permission::ViewEnterprises), "/enterprises", "nav.enterprises");
        add(p.can(Permission::ViewOfficers), "/officers", "nav.officers");
        add(p.can(Permission::ViewHazards), "/hazards", "nav.hazards");
        add(p.can(Permission::ViewCampaigns), "/campaigns", "nav.campaigns");
        add(p.can(Permission::ViewPlans), "/plans", "nav.plans");
        add(p.can(Permission::ViewPlans), "/inspections", "nav.inspections");
        add(p.can(Permission::ViewCampaigns), "/penalties", "nav.penalties");
        add(p.can(Permission::ViewCovert), "/covert", "nav.covert");
        add(p.can(Permission::ViewPlans), "/cross", "nav.rounds");
        add(p.can(Permission::ViewCampaigns), "/guidance", "nav.guidance");
        add(p.can(Permission::ViewCampaigns), "/accidents", "nav.accidents");
        add(p.can(Permission::ImportRegisters), "/import", "nav.import");
        add(p.can(Permission::ManageUsers) || p.can(Permission::ManageSecurity), "/admin/users", "nav.users");
        add(p.can(Permission::ViewAudit), "/audit", "nav.audit");
        add(true, "/account/password", "nav.password");
        Self {
            t,
            title: t.s(title_key).to_owned(),
            user: Some(UserView {
                display_name: user.auth.display_name.clone(),
                role_label: role_label(t, p.role).to_owned(),
            }),
            csrf: user.auth.session.csrf_token.clone(),
            nav,
            path: super::auth::urlencode(path),
        }
    }

    /// The frame for a visitor who is not logged in.
    pub fn anonymous(lang: Lang, title_key: &str, path: &str) -> Self {
        let t = Tr { lang };
        Self {
            t,
            title: t.s(title_key).to_owned(),
            user: None,
            csrf: String::new(),
            nav: vec![],
            path: super::auth::urlencode(path),
        }
    }
}

/// A role's name in the UI language.
pub fn role_label(t: Tr, role: Role) -> &'static str {
    t.s(&format!("role.{}", role.as_str()))
}

/// An `<option>` of a `<select>`.
#[derive(Debug, Clone)]
pub struct SelectOption {
    /// Submitted value.
    pub value: String,
    /// Shown text.
    pub label: String,
    /// Pre-selected.
    pub selected: bool,
}

/// Links for the previous and next page of a list, keeping its filters.
#[derive(Debug, Clone)]
pub struct Pager {
    /// Current page.
    pub page: u32,
    /// Number of pages.
    pub pages: u32,
    /// Previous page link.
    pub prev: Option<String>,
    /// Next page link.
    pub next: Option<String>,
}

impl Pager {
    /// Builds the pager for `base` (a path) with the filter pairs and a page number.
    pub fn new<T>(base: &str, params: &[(&str, String)], paged: &domain::page::Paged<T>) -> Self {
        let link = |n: u32| {
            let mut q: Vec<String> = params
                .iter()
                .filter(|(_, v)| !v.is_empty())
                .map(|(k, v)| format!("{k}={}", super::auth::urlencode(v)))
                .collect();
            q.push(format!("page={n}"));
            format!("{base}?{}", q.join("&"))
        };
        let pages = paged.pages();
        Self {
            page: paged.page,
            pages,
            prev: (paged.page > 1).then(|| link(paged.page - 1)),
            next: (paged.page < pages).then(|| link(paged.page + 1)),
        }
    }
}

/// Renders a template into a response (500 if rendering fails, which tests rule out).
pub fn render(t: &impl Template) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "template error").into_response()
        }
    }
}

/// An error page in the user's language.
pub fn error_page(lang: Lang, e: &ServiceError) -> Response {
    let (status, code) = super::error::classify(e);
    if status == StatusCode::INTERNAL_SERVER_ERROR {
        tracing::error!(error = %e, "internal error");
    }
    let t = Tr { lang };
    let body = format!(
        "<!doctype html><html lang=\"{}\"><head><meta charset=\"utf-8\"><title>{}</title>\
         <link rel=\"stylesheet\" href=\"/assets/app.css\"></head><body><main><h1>{}</h1><p><a href=\"/\">{}</a></p></main></body></html>",
        lang.tag(),
        status.as_u16(),
        t.s(&format!("error.{code}")),
        t.s("nav.home")
    );
    (status, Html(body)).into_response()
}

/// Checks a submitted CSRF token against the session's.
pub fn check_csrf(user: &WebUser, submitted: &str) -> Result<(), ServiceError> {
    if same_secret(&user.auth.session.csrf_token, submitted) { Ok(()) } else { Err(ServiceError::Forbidden) }
}

use crate::refdata::REGION_BY_CODE;
pub use crate::refdata::{DEPARTMENTS, REGIONS, SECTORS};

/// An instant (ms since the epoch) as China's local time in a `strftime` format; what every
/// page shows for "when" (users work on Beijing time).
pub fn local_time(ms: i64, format: &str) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .ok()
        .and_then(|ts| ts.in_tz("Asia/Shanghai").ok())
        .map(|z| z.strftime(format).to_string())
        .unwrap_or_default()
}

/// A region's name in the UI language (the code itself if unknown).
pub fn region_name(t: Tr, code: &str) -> String {
    REGION_BY_CODE.get(code).map(|r| r.name(t.lang.tag()).to_owned()).unwrap_or_else(|| code.to_owned())
}

/// A sector's name in the UI language.
pub fn sector_name(t: Tr, code: &str) -> String {
    SECTORS
        .iter()
        .find(|s| s.code == code)
        .map(|s| if t.zh() { s.name_zh.clone() } else { s.name_en.clone() })
        .unwrap_or_else(|| code.to_owned())
}

/// The sector choices of a list filter: every sector, or for a department regulator only the
/// sectors its department regulates (it sees no enterprise of any other, so offering them
/// would only lead to empty lists).
pub fn sector_options(t: Tr, p: &Principal, selected: &str) -> Vec<SelectOption> {
    SECTORS
        .iter()
        .filter(|s| p.department.as_deref().is_none_or(|d| s.department == d))
        .map(|s| SelectOption { value: s.code.clone(), label: sector_name(t, &s.code), selected: s.code == selected })
        .collect()
}

/// A department's name in the UI language.
pub fn department_name(t: Tr, code: &str) -> String {
    DEPARTMENTS
        .iter()
        .find(|d| d.code == code)
        .map(|d| if t.zh() { d.name_zh.clone() } else { d.name_en.clone() })
        .unwrap_or_else(|| code.to_owned())
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    l: Layout,
    region_name: String,
    region_code: String,
    enterprise_count: Option<i64>,
    officer_count: Option<i64>,
    open_hazards: Option<i64>,
    overdue_hazards: Option<i64>,
    overdue_major: Option<i64>,
}

async fn home(axum::extract::State(state): axum::extract::State<State>, lang: Lang, user: WebUser) -> Response {
    let p = &user.auth.principal;
    let l = Layout::for_user(lang, &user, "home.title", "/");
    let one = domain::page::PageRequest::new(None, Some(1));
    let enterprise_count = state.app.list_enterprises(p, &Default::default(), one).await.ok().map(|page| page.total);
    let officer_count = state.app.list_officers(p, &Default::default(), one).await.ok().map(|page| page.total);
    let hazards = |filter: store::hazard::HazardFilter| {
        let state = state.clone();
        let p = p.clone();
        async move {
            state
                .app
                .list_hazards(&p, &filter, Default::default(), domain::page::PageRequest::new(None, Some(1)))
                .await
                .ok()
                .map(|page| page.total)
        }
    };
    let today = Some(state.app.today().to_string());
    let open_hazards = {
        let all = hazards(Default::default()).await;
        let closed =
            hazards(store::hazard::HazardFilter { status: Some(domain::hazard::Status::Closed), ..Default::default() })
                .await;
        let verified = hazards(store::hazard::HazardFilter {
            status: Some(domain::hazard::Status::Verified),
            ..Default::default()
        })
        .await;
        all.map(|a| a - closed.unwrap_or(0) - verified.unwrap_or(0))
    };
    let overdue_hazards =
        hazards(store::hazard::HazardFilter { overdue_on: today.clone(), ..Default::default() }).await;
    let overdue_major = hazards(store::hazard::HazardFilter {
        overdue_on: today,
        grade: Some(domain::hazard::Grade::Major),
        ..Default::default()
    })
    .await;
    render(&HomePage {
        region_name: region_name(l.t, p.region.as_str()),
        region_code: p.region.to_string(),
        l,
        enterprise_count,
        officer_count,
        open_hazards,
        overdue_hazards,
        overdue_major,
    })
}

/// A printable official notice (rectification order, supervision letter): one A4 sheet in
/// Chinese with a back link to the record it comes from.
#[derive(Template)]
#[template(path = "notice.html")]
struct NoticePage {
    title: &'static str,
    back_href: String,
    back_label: String,
    issuer: String,
    issuer_seal: String,
    doc_no: String,
    addressee: String,
    paragraphs: Vec<String>,
    items: Vec<String>,
    closing: Vec<String>,
    order: bool,
    date: String,
}

/// A date as official documents write it (2026年11月28日).
fn chinese_date(d: jiff::civil::Date) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

/// A submitted form as name/value pairs, in order (check boxes repeat a name).
pub(super) type FormPairs = Vec<(String, String)>;

/// The first value of a form field ("" when absent).
pub(super) fn form_field<'a>(pairs: &'a FormPairs, name: &str) -> &'a str {
    pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).unwrap_or("")
}

/// Every non-empty value of a repeated form field.
pub(super) fn form_fields(pairs: &FormPairs, name: &str) -> Vec<String> {
    pairs.iter().filter(|(k, v)| k == name && !v.is_empty()).map(|(_, v)| v.clone()).collect()
}
