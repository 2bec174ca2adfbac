//! Enterprise and officer pages, and the register import form.

use super::{Layout, Pager, SelectOption, check_csrf, department_name, error_page, region_name, render, sector_name};
use crate::import::Limits;
use crate::service::registers::{ImportError, ImportOptions, ImportReport};
use crate::web::State;
use crate::web::auth::WebUser;
use crate::web::i18n::{Lang, Tr};
use askama::Template;
use axum::extract::{Multipart, Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::access::Principal;
use domain::enterprise::{Enterprise, RISK_LEVELS, RiskLevel};
use domain::page::PageRequest;
use domain::region::{RegionCode, RegionPrefix};
use domain::register_row::RegisterKind;
use store::enterprise::EnterpriseFilter;
use store::officer::OfficerFilter;

/// A row of the enterprise table.
struct EnterpriseRow {
    id: String,
    credit_code: String,
    name: String,
    region: String,
    sector: String,
    risk: &'static str,
    risk_code: &'static str,
}

fn risk_label(t: Tr, r: RiskLevel) -> &'static str {
    t.s(&format!("risk.{}", r.as_str()))
}

fn row(t: Tr, e: &Enterprise) -> EnterpriseRow {
    EnterpriseRow {
        id: e.id.clone(),
        credit_code: e.credit_code.clone(),
        name: e.name.clone(),
        region: region_name(t, &e.region_code),
        sector: sector_name(t, &e.sector),
        risk: risk_label(t, e.risk_level),
        risk_code: e.risk_level.as_str(),
    }
}

/// The regions a user can filter by: those inside their jurisdiction.
fn region_options(t: Tr, p: &Principal, selected: &str) -> Vec<SelectOption> {
    let scope = p.scope();
    super::REGIONS
        .iter()
        .filter(|r| scope.region_prefix().is_some_and(|pre| pre.contains(r.code.as_str())))
        .map(|r| SelectOption {
            value: r.code.to_string(),
            label: format!("{} {}", r.code, r.name(t.lang.tag())),
            selected: r.code.as_str() == selected,
        })
        .collect()
}

fn region_filter(code: &str) -> Option<RegionPrefix> {
    let code = RegionCode::parse(code).ok()?;
    super::REGIONS.iter().find(|r| r.code == code).map(|r| r.prefix())
}

#[derive(Debug, Default, serde::Deserialize)]
pub(super) struct EnterpriseQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    region: String,
    #[serde(default)]
    sector: String,
    #[serde(default)]
    risk: String,
    page: Option<u32>,
}

#[derive(Template)]
#[template(path = "enterprises.html")]
struct EnterprisesPage {
    l: Layout,
    q: String,
    regions: Vec<SelectOption>,
    sectors: Vec<SelectOption>,
    risks: Vec<SelectOption>,
    total: i64,
    rows: Vec<EnterpriseRow>,
    pager: Pager,
}

pub(super) async fn list_enterprises(
    axum::extract::State(state): axum::extract::State<State>,
    lang: Lang,
    user: WebUser,
    Query(q): Query<EnterpriseQuery>,
) -> Response {
    let l = Layout::for_user(lang, &user, "enterprises.title", "/enterprises");
    let t = l.t;
    let p = &user.auth.principal;
    let filter = EnterpriseFilter {
        q: Some(q.q.clone()).filter(|s| !s.trim().is_empty()),
        region: region_filter(&q.region),
        sector: Some(q.sector.clone()).filter(|s| !s.is_empty()),
        risk: RiskLevel::parse(&q.risk),
    };
    let paged = match state.app.list_enterprises(p, &filter, PageRequest::new(q.page, None)).await {
        Ok(p) => p,
        Err(e) => return error_page(lang, &e),
    };
    let params =
        [("q", q.q.clone()), ("region", q.region.clone()), ("sector", q.sector.clone()), ("risk", q.risk.clone())];
    let page = EnterprisesPage {
        regions: region_options(t, p, &q.region),
        sectors: super::sector_options(t, p, &q.sector),
        risks: RISK_LEVELS
            .iter()
            .map(|r| SelectOption {
                value: r.as_str().into(),
                label: risk_label(t, *r).into(),
                selected: r.as_str() == q.risk,
            })
            .collect(),
        total: paged.total,
        rows: paged.items.iter().map(|e| row(t, e)).collect(),
        pager: Pager::new("/enterprises", &params, &paged),
        q: q.q,
        l,
    };
    render(&page)
}

struct EnterpriseView {
    name: String,
    credit_code: String,
    region: String,
    sector: String,
    risk: &'static str,
    risk_code: &'static str,
    grade: String,
    cap: i64,
    address: String,
    status: &'static str,
    version: i64,
}

#[derive(Template)]
#[template(path = "enterprise.html")]
struct EnterprisePage {
    l: Layout,
    e: EnterpriseView,
    id: String,
    can_report: bool,
}

pub(super) async fn show_enterprise(
    axum::extract::State(state): axum::extract::State<State>,
    lang: Lang,
    user: WebUser,
    Path(id): Path<String>,
) -> Response {
    let e = match state.app.get_enterprise(&user.auth.principal, &id).await {
        Ok(e) => e,
        Err(e) => return error_page(lang, &e),
    };
    let mut l = Layout::for_user(lang, &user, "enterprises.title", &format!("/enterprises/{id}"));
    let t = l.t;
    l.title = e.name.clone();
    let view = EnterpriseView {
        name: e.name.clone(),
        credit_code: e.credit_code.clone(),
        region: format!("{} ({})", region_name(t, &e.region_code), e.region_code),
        sector: sector_name(t, &e.sector),
        risk: risk_label(t, e.risk_level),
        risk_code: e.risk_level.as_str(),
        grade: e.standard_grade.map(|g| t.s(&format!("grade.{}", g.as_str())).to_owned()).unwrap_or_else(|| "—".into()),
        cap: e.annual_check_cap,
        address: e.address.clone(),
        status: t.s(&format!("status.{}", e.status.as_str())),
        version: e.version,
    };
    let can_report = user.auth.principal.can(domain::access::Permission::ReportHazard);
    render(&EnterprisePage { l, e: view, id, can_report })
}

struct OfficerRow {
    badge_no: String,
    name: String,
    unit: String,
    department: String,
    region: String,
    cert: String,
    certified: bool,
}

#[derive(Debug, Default, serde::Deserialize)]
pub(super) struct OfficerQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    region: String,
    #[serde(default)]
    department: String,
    #[serde(default)]
    certified: String,
    page: Option<u32>,
}

#[derive(Template)]
#[template(path = "officers.html")]
struct OfficersPage {
    l: Layout,
    q: String,
    regions: Vec<SelectOption>,
    departments: Vec<SelectOption>,
    certified: bool,
    total: i64,
    rows: Vec<OfficerRow>,
    pager: Pager,
}

pub(super) async fn list_officers(
    axum::extract::State(state): axum::extract::State<State>,
    lang: Lang,
    user: WebUser,
    Query(q): Query<OfficerQuery>,
) -> Response {
    let l = Layout::for_user(lang, &user, "officers.title", "/officers");
    let t = l.t;
    let p = &user.auth.principal;
    let day = state.app.today();
    let filter = OfficerFilter {
        q: Some(q.q.clone()).filter(|s| !s.trim().is_empty()),
        region: region_filter(&q.region),
        department: Some(q.department.clone()).filter(|s| !s.is_empty()),
        certified_on: (q.certified == "1").then(|| day.to_string()),
    };
    let paged = match state.app.list_officers(p, &filter, PageRequest::new(q.page, None)).await {
        Ok(p) => p,
        Err(e) => return error_page(lang, &e),
    };
    let params = [
        ("q", q.q.clone()),
        ("region", q.region.clone()),
        ("department", q.department.clone()),
        ("certified", q.certified.clone()),
    ];
    let page = OfficersPage {
        regions: region_options(t, p, &q.region),
        departments: super::DEPARTMENTS
            .iter()
            .map(|d| SelectOption {
                value: d.code.clone(),
                label: department_name(t, &d.code),
                selected: d.code == q.department,
            })
            .collect(),
        certified: q.certified == "1",
        total: paged.total,
        rows: paged
            .items
            .iter()
            .map(|o| OfficerRow {
                badge_no: o.badge_no.clone(),
                name: o.name.clone(),
                unit: o.unit.clone(),
                department: department_name(t, &o.department),
                region: region_name(t, &o.region_code),
                cert: o.cert_valid_until.clone(),
                certified: o.is_certified_on(day),
            })
            .collect(),
        pager: Pager::new("/officers", &params, &paged),
        q: q.q,
        l,
    };
    render(&page)
}

#[derive(Template)]
#[template(path = "import.html")]
struct ImportPage {
    l: Layout,
    kind: RegisterKind,
    report: Option<ImportReport>,
    file_error: Option<String>,
}

impl ImportPage {
    /// The report's bad cells in the page's language: (row, column, reason).
    fn errors(&self) -> Vec<(usize, String, String)> {
        let zh = self.l.t.lang == crate::web::i18n::Lang::Zh;
        let errors = self.report.iter().flat_map(|r| &r.errors);
        errors
            .map(|e| match zh {
                true => (e.row, domain::register_row::column_zh(self.kind, &e.column).to_owned(), e.reason_zh.clone()),
                false => (e.row, e.column.clone(), e.reason.clone()),
            })
            .collect()
    }
}

pub(super) async fn import_form(lang: Lang, user: WebUser) -> Response {
    if !user.auth.principal.can(domain::access::Permission::ImportRegisters) {
        return error_page(lang, &crate::service::ServiceError::Forbidden);
    }
    let l = Layout::for_user(lang, &user, "import.title", "/import");
    render(&ImportPage { l, kind: RegisterKind::Enterprises, report: None, file_error: None })
}

pub(super) async fn import_file(
    axum::extract::State(state): axum::extract::State<State>,
    lang: Lang,
    user: WebUser,
    mut multipart: Multipart,
) -> Response {
    let (mut csrf, mut kind, mut skip_bad, mut file) = (String::new(), RegisterKind::Enterprises, false, None);
    while let Ok(Some(field)) = multipart.next_field().await {
        match field.name() {
            Some("csrf") => csrf = field.text().await.unwrap_or_default(),
            Some("kind") => {
                kind = match field.text().await.unwrap_or_default().as_str() {
                    "officers" => RegisterKind::Officers,
                    _ => RegisterKind::Enterprises,
                }
            }
            Some("skip_bad") => skip_bad = true,
            Some("file") => {
                let name = field.file_name().unwrap_or("upload").to_owned();
                match field.bytes().await {
                    Ok(b) => file = Some((name, b)),
                    Err(_) => return error_page(lang, &crate::service::invalid("file", "upload failed")),
                }
            }
            _ => {}
        }
    }
    if let Err(e) = check_csrf(&user, &csrf) {
        return error_page(lang, &e);
    }
    let l = Layout::for_user(lang, &user, "import.title", "/import");
    let Some((name, bytes)) = file else {
        let msg = l.t.s("import.no_file").to_owned();
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            render(&ImportPage { l, kind, report: None, file_error: Some(msg) }),
        )
            .into_response();
    };
    let options = ImportOptions { skip_bad, limits: Limits::WEB };
    match state.app.import_register(&user.actor(), kind, &name, &bytes, options, &|_| {}).await {
        Ok(report) => {
            let status = if report.written { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
            (status, render(&ImportPage { l, kind, report: Some(report), file_error: None })).into_response()
        }
        Err(ImportError::Service(e)) => error_page(lang, &e),
        Err(e) => {
            let reason = if lang == crate::web::i18n::Lang::Zh { e.zh(kind) } else { e.to_string() };
            let page = ImportPage { l, kind, report: None, file_error: Some(reason) };
            (StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response()
        }
    }
}
