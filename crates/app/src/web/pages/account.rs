//! Login, logout, password change and the language switch.

use super::{Layout, render};
use crate::service::ServiceError;
use crate::service::auth::SessionKind;
use crate::web::State;
use crate::web::auth::{WebUser, clear_session_cookie, safe_next, session_cookie};
use crate::web::i18n::{Lang, Tr};
use crate::web::middleware::RequestId;
use askama::Template;
use axum::Extension;
use axum::extract::{Form, Path, Query};
use axum::http::header::{LOCATION, SET_COOKIE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use std::collections::HashMap;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    l: Layout,
    next: String,
    username: String,
    error: Option<String>,
}

#[derive(Debug, serde::Deserialize)]
pub(super) struct NextQuery {
    next: Option<String>,
}

pub(super) async fn login_form(lang: Lang, Query(q): Query<NextQuery>) -> Response {
    let l = Layout::anonymous(lang, "login.title", "/login");
    render(&LoginPage { l, next: safe_next(q.next.as_deref()), username: String::new(), error: None })
}

#[derive(Debug, serde::Deserialize)]
pub(super) struct LoginForm {
    username: String,
    password: String,
    next: Option<String>,
}

pub(super) async fn login(
    axum::extract::State(state): axum::extract::State<State>,
    Extension(rid): Extension<RequestId>,
    lang: Lang,
    Form(f): Form<LoginForm>,
) -> Response {
    let t = Tr { lang };
    match state.app.login(&f.username, &f.password, SessionKind::Web, &rid.0).await {
        Ok(ok) => {
            let target = if ok.user.must_change_password {
                "/account/password".to_owned()
            } else {
                safe_next(f.next.as_deref())
            };
            let mut res = Redirect::to(&target).into_response();
            res.headers_mut().insert(SET_COOKIE, session_cookie(&ok.token, state.cookie_secure));
            res
        }
        Err(e) => {
            let (status, message) = match &e {
                ServiceError::BadCredentials => (StatusCode::UNAUTHORIZED, t.s("login.bad_credentials").to_owned()),
                ServiceError::Locked { until } => {
                    (StatusCode::TOO_MANY_REQUESTS, format!("{} {until}", t.s("login.locked")))
                }
                _ => return super::error_page(lang, &e),
            };
            let l = Layout::anonymous(lang, "login.title", "/login");
            let page = LoginPage { l, next: safe_next(f.next.as_deref()), username: f.username, error: Some(message) };
            (status, render(&page)).into_response()
        }
    }
}

#[derive(Debug, serde::Deserialize)]
pub(super) struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

pub(super) async fn logout(
    axum::extract::State(state): axum::extract::State<State>,
    lang: Lang,
    user: WebUser,
    Form(f): Form<CsrfForm>,
) -> Response {
    if let Err(e) = super::check_csrf(&user, &f.csrf) {
        return super::error_page(lang, &e);
    }
    if let Err(e) = state.app.logout(&user.auth, &user.request_id).await {
        return super::error_page(lang, &e);
    }
    let mut res = Redirect::to("/login").into_response();
    res.headers_mut().insert(SET_COOKIE, clear_session_cookie());
    res
}

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage {
    l: Layout,
    must_change: bool,
    done: bool,
    errors: HashMap<String, String>,
}

pub(super) async fn password_form(lang: Lang, user: WebUser) -> Response {
    let l = Layout::for_user(lang, &user, "password.title", "/account/password");
    render(&PasswordPage { l, must_change: user.auth.must_change_password, done: false, errors: HashMap::new() })
}

#[derive(Debug, serde::Deserialize)]
pub(super) struct PasswordForm {
    #[serde(default)]
    csrf: String,
    current_password: String,
    new_password: String,
}

pub(super) async fn change_password(
    axum::extract::State(state): axum::extract::State<State>,
    lang: Lang,
    user: WebUser,
    Form(f): Form<PasswordForm>,
) -> Response {
    if let Err(e) = super::check_csrf(&user, &f.csrf) {
        return super::error_page(lang, &e);
    }
    let l = Layout::for_user(lang, &user, "password.title", "/account/password");
    match state.app.change_password(&user.auth, &f.current_password, &f.new_password, &user.request_id).await {
        Ok(()) => render(&PasswordPage { l, must_change: false, done: true, errors: HashMap::new() }),
        Err(ServiceError::Invalid { field, message }) => {
            let page = PasswordPage {
                l,
                must_change: user.auth.must_change_password,
                done: false,
                errors: [(field, message)].into(),
            };
            (StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response()
        }
        Err(e) => super::error_page(lang, &e),
    }
}

pub(super) async fn switch_language(Path(code): Path<String>, Query(q): Query<NextQuery>) -> Response {
    let lang = Lang::from_code(&code).unwrap_or(Lang::Zh);
    let cookie = format!("lang={}; Path=/; SameSite=Lax; Max-Age=31536000", lang.code());
    let target = safe_next(q.next.as_deref());
    let mut res = StatusCode::SEE_OTHER.into_response();
    res.headers_mut().insert(SET_COOKIE, HeaderValue::from_str(&cookie).expect("ascii cookie"));
    res.headers_mut().insert(LOCATION, HeaderValue::from_str(&target).unwrap_or(HeaderValue::from_static("/")));
    res
}
