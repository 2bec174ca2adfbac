//! Administration pages: accounts (system and security administrators) and the audit trail
//! (audit administrator).

use super::{Layout, Pager, SelectOption, check_csrf, department_name, error_page, region_name, render, role_label};
use crate::service::ServiceError;
use crate::service::users::NewAccount;
use crate::web::State;
use crate::web::auth::WebUser;
use crate::web::i18n::Lang;
use askama::Template;
use axum::extract::{Form, Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::access::{ALL_ROLES, Permission};
use domain::page::PageRequest;
use std::collections::HashMap;

struct UserRow {
    id: String,
    username: String,
    display_name: String,
    role: &'static str,
    region: String,
    department: String,
    state: &'static str,
}

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    l: Layout,
    users: Vec<UserRow>,
    roles: Vec<SelectOption>,
    regions: Vec<SelectOption>,
    departments: Vec<SelectOption>,
    can_create: bool,
    can_unlock: bool,
    message: Option<String>,
    errors: HashMap<String, String>,
}

async fn users_page(
    state: &State,
    lang: Lang,
    user: &WebUser,
    message: Option<String>,
    errors: HashMap<String, String>,
) -> Response {
    let p = &user.auth.principal;
    let users = match state.app.list_users(p).await {
        Ok(u) => u,
        Err(e) => return error_page(lang, &e),
    };
    let l = Layout::for_user(lang, user, "users.title", "/admin/users");
    let t = l.t;
    let now = state.app.now_ms();
    let page = UsersPage {
        users: users
            .iter()
            .map(|u| UserRow {
                id: u.id.clone(),
                username: u.username.clone(),
                display_name: u.display_name.clone(),
                role: role_label(t, u.role),
                region: region_name(t, &u.region_code),
                department: u.department.as_deref().map(|d| department_name(t, d)).unwrap_or_default(),
                state: if u.disabled {
                    t.s("users.state_disabled")
                } else if u.locked_until.is_some_and(|x| x > now) {
                    t.s("users.state_locked")
                } else if u.must_change_password {
                    t.s("users.state_one_time")
                } else {
                    t.s("users.state_active")
                },
            })
            .collect(),
        roles: ALL_ROLES
            .iter()
            .map(|r| SelectOption { value: r.as_str().into(), label: role_label(t, *r).into(), selected: false })
            .collect(),
        regions: super::REGIONS
            .iter()
            .map(|r| SelectOption {
                value: r.code.to_string(),
                label: format!("{} {}", r.code, r.name(t.lang.tag())),
                selected: false,
            })
            .collect(),
        departments: std::iter::once(SelectOption {
            value: String::new(),
            label: t.s("users.no_department").into(),
            selected: false,
        })
        .chain(super::DEPARTMENTS.iter().map(|d| SelectOption {
            value: d.code.clone(),
            label: department_name(t, &d.code),
            selected: false,
        }))
        .collect(),
        can_create: p.can(Permission::ManageUsers),
        can_unlock: p.can(Permission::ManageSecurity),
        message,
        errors,
        l,
    };
    render(&page)
}

pub(super) async fn list_users(
    axum::extract::State(state): axum::extract::State<State>,
    lang: Lang,
    user: WebUser,
) -> Response {
    users_page(&state, lang, &user, None, HashMap::new()).await
}

#[derive(Debug, serde::Deserialize)]
pub(super) struct CreateUserForm {
    #[serde(default)]
    csrf: String,
    username: String,
    display_name: String,
    role: String,
    region_code: String,
    #[serde(default)]
    enterprise_credit_code: String,
    #[serde(default)]
    department: String,
}

pub(super) async fn create_user(
    axum::extract::State(state): axum::extract::State<State>,
    lang: Lang,
    user: WebUser,
    Form(f): Form<CreateUserForm>,
) -> Response {
    if let Err(e) = check_csrf(&user, &f.csrf) {
        return error_page(lang, &e);
    }
    let input = NewAccount {
        username: f.username,
        display_name: f.display_name,
        role: f.role,
        region_code: f.region_code,
        enterprise_credit_code: Some(f.enterprise_credit_code),
        department: Some(f.department),
    };
    let t = crate::web::i18n::Tr { lang };
    match state.app.create_user(&user.actor(), &input).await {
        Ok((_, password)) => {
            let msg = format!("{} {}: {password}", t.s("users.created"), input.username);
            users_page(&state, lang, &user, Some(msg), HashMap::new()).await
        }
        Err(ServiceError::Invalid { field, message }) => {
            let res = users_page(&state, lang, &user, None, [(field, message)].into()).await;
            (StatusCode::UNPROCESSABLE_ENTITY, res).into_response()
        }
        Err(e) => error_page(lang, &e),
    }
}

#[derive(Debug, serde::Deserialize)]
pub(super) struct CsrfOnly {
    #[serde(default)]
    csrf: String,
}

pub(super) async fn unlock_user(
    axum::extract::State(state): axum::extract::State<State>,
    lang: Lang,
    user: WebUser,
    Path(id): Path<String>,
    Form(f): Form<CsrfOnly>,
) -> Response {
    if let Err(e) = check_csrf(&user, &f.csrf) {
        return error_page(lang, &e);
    }
    match state.app.unlock_user(&user.actor(), &id).await {
        Ok(()) => {
            users_page(
                &state,
                lang,
                &user,
                Some(crate::web::i18n::Tr { lang }.s("users.unlocked").into()),
                HashMap::new(),
            )
            .await
        }
        Err(e) => error_page(lang, &e),
    }
}

pub(super) async fn end_sessions(
    axum::extract::State(state): axum::extract::State<State>,
    lang: Lang,
    user: WebUser,
    Path(id): Path<String>,
    Form(f): Form<CsrfOnly>,
) -> Response {
    if let Err(e) = check_csrf(&user, &f.csrf) {
        return error_page(lang, &e);
    }
    match state.app.end_sessions(&user.actor(), &id).await {
        Ok(n) => {
            let message = format!("{} {n}", crate::web::i18n::Tr { lang }.s("users.sessions_ended"));
            users_page(&state, lang, &user, Some(message), HashMap::new()).await
        }
        Err(e) => error_page(lang, &e),
    }
}

pub(super) async fn reset_password(
    axum::extract::State(state): axum::extract::State<State>,
    lang: Lang,
    user: WebUser,
    Path(id): Path<String>,
    Form(f): Form<CsrfOnly>,
) -> Response {
    if let Err(e) = check_csrf(&user, &f.csrf) {
        return error_page(lang, &e);
    }
    match state.app.reset_password(&user.actor(), &id).await {
        Ok(pw) => {
            let msg = format!("{}: {pw}", crate::web::i18n::Tr { lang }.s("users.reset_done"));
            users_page(&state, lang, &user, Some(msg), HashMap::new()).await
        }
        Err(e) => error_page(lang, &e),
    }
}

struct AuditRow {
    at: String,
    chain: String,
    seq: i64,
    actor: String,
    role: String,
    action: String,
    object: String,
    result: String,
}

struct VerifyView {
    ok: bool,
    text: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    l: Layout,
    verify: Option<VerifyView>,
    total: i64,
    rows: Vec<AuditRow>,
    pager: Pager,
}

#[derive(Debug, Default, serde::Deserialize)]
pub(super) struct AuditQuery {
    page: Option<u32>,
}

async fn audit_page(
    state: &State,
    lang: Lang,
    user: &WebUser,
    page: Option<u32>,
    verify: Option<VerifyView>,
) -> Response {
    let paged = match state.app.list_audit(&user.actor(), &Default::default(), PageRequest::new(page, None)).await {
        Ok(p) => p,
        Err(e) => return error_page(lang, &e),
    };
    let l = Layout::for_user(lang, user, "audit.title", "/audit");
    let rows = paged
        .items
        .iter()
        .map(|e| AuditRow {
            at: jiff::Timestamp::from_millisecond(e.at_ms)
                .map(|t| t.strftime("%Y-%m-%d %H:%M:%S UTC").to_string())
                .unwrap_or_default(),
            chain: e.chain.clone(),
            seq: e.seq,
            actor: e.event.actor.clone(),
            role: e.event.role.clone(),
            action: e.event.action.clone(),
            object: format!("{}:{}", e.event.object_type, e.event.object_id),
            result: e.event.result.clone(),
        })
        .collect();
    render(&AuditPage { verify, total: paged.total, rows, pager: Pager::new("/audit", &[], &paged), l })
}

pub(super) async fn list_audit(
    axum::extract::State(state): axum::extract::State<State>,
    lang: Lang,
    user: WebUser,
    Query(q): Query<AuditQuery>,
) -> Response {
    audit_page(&state, lang, &user, q.page, None).await
}

pub(super) async fn verify_audit(
    axum::extract::State(state): axum::extract::State<State>,
    lang: Lang,
    user: WebUser,
    Form(f): Form<CsrfOnly>,
) -> Response {
    if let Err(e) = check_csrf(&user, &f.csrf) {
        return error_page(lang, &e);
    }
    let t = crate::web::i18n::Tr { lang };
    match state.app.verify_audit(&user.actor()).await {
        Ok(r) => {
            let view = match &r.first_break {
                None => {
                    VerifyView { ok: true, text: format!("{} ({} / {})", t.s("audit.intact"), r.chains, r.entries) }
                }
                Some(b) => VerifyView { ok: false, text: format!("{} {b}", t.s("audit.broken")) },
            };
            audit_page(&state, lang, &user, None, Some(view)).await
        }
        Err(e) => error_page(lang, &e),
    }
}
