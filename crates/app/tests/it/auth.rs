//! Accounts, sessions, lockout, CSRF.

use crate::helpers::{PW, TestApp};
use axum::http::StatusCode;
use domain::session::{ABSOLUTE_TIMEOUT_MS, IDLE_TIMEOUT_MS, LOCKOUT_MS};
use serde_json::json;
use store::Backend;
use store::domain;

async fn five_wrong_passwords_lock_the_account_for_fifteen_minutes(backend: Backend) {
    let app = TestApp::new(backend).await;
    let bad = json!({"username": "huoqiu", "password": "wrong-password"});
    for _ in 0..4 {
        assert_eq!(app.post_json("/api/v1/auth/login", None, bad.clone()).await.status, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(app.post_json("/api/v1/auth/login", None, bad.clone()).await.status, StatusCode::TOO_MANY_REQUESTS);
    let good = json!({"username": "huoqiu", "password": PW});
    let r = app.post_json("/api/v1/auth/login", None, good.clone()).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "even the right password is refused while locked");
    assert_eq!(r.json()["error"]["code"], "locked");
    app.clock.advance_ms(LOCKOUT_MS + 1);
    assert_eq!(app.post_json("/api/v1/auth/login", None, good).await.status, StatusCode::OK);
    let denied = app.audit_actions().await.iter().filter(|(_, a, r)| a == "user.login" && r == "denied").count();
    assert_eq!(denied, 6, "every failed login is audited");
}

async fn sessions_end_after_thirty_idle_minutes_and_after_twelve_hours(backend: Backend) {
    let app = TestApp::new(backend).await;
    let token = app.token("luan").await;
    app.clock.advance_ms(IDLE_TIMEOUT_MS - 1000);
    assert_eq!(app.get("/api/v1/me", Some(&token)).await.status, StatusCode::OK);
    app.clock.advance_ms(IDLE_TIMEOUT_MS);
    assert_eq!(app.get("/api/v1/me", Some(&token)).await.status, StatusCode::UNAUTHORIZED, "idle timeout");

    let token = app.token("luan").await;
    for _ in 0..(ABSOLUTE_TIMEOUT_MS / (20 * 60 * 1000)) {
        app.clock.advance_ms(20 * 60 * 1000);
        if app.get("/api/v1/me", Some(&token)).await.status != StatusCode::OK {
            break;
        }
    }
    assert_eq!(app.get("/api/v1/me", Some(&token)).await.status, StatusCode::UNAUTHORIZED, "absolute timeout");
}

async fn tokens_are_stored_hashed_and_each_login_gets_a_new_one(backend: Backend) {
    let app = TestApp::new(backend).await;
    let a = app.token("luan").await;
    let b = app.token("luan").await;
    assert_ne!(a, b);
    let hash = inspectorate::service::auth::token_hash(&a);
    assert!(store::user::find_session(&app.state.app.db, &hash).await.unwrap().is_some());
    assert!(store::user::find_session(&app.state.app.db, &a).await.unwrap().is_none(), "the raw token is not stored");
    let user = store::user::by_username(&app.state.app.db, "luan").await.unwrap().unwrap();
    assert!(user.password_hash.starts_with("$argon2id$"));
}

async fn a_cross_site_post_is_refused(backend: Backend) {
    let app = TestApp::new(backend).await;
    let b = app.browser("luan").await;
    // The form's token is missing: refused, and logged out stays logged in.
    let r = app.form("/logout", Some(&b.cookie), &[("csrf", "forged")]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(app.page("/", &b.cookie).await.status, StatusCode::OK, "the session survived the forged request");
    // A browser that says the request comes from another site is refused before any handler.
    let req = axum::http::Request::post("/logout")
        .header("cookie", &b.cookie)
        .header("sec-fetch-site", "cross-site")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(axum::body::Body::from(format!("csrf={}", b.csrf)))
        .unwrap();
    assert_eq!(app.send(req).await.status, StatusCode::FORBIDDEN);
    let req = axum::http::Request::post("/logout")
        .header("cookie", &b.cookie)
        .header("origin", "http://evil.example")
        .header("host", "inspectorate.local")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(axum::body::Body::from(format!("csrf={}", b.csrf)))
        .unwrap();
    assert_eq!(app.send(req).await.status, StatusCode::FORBIDDEN);
    // With the right token, from the same site, it works.
    let r = app.form("/logout", Some(&b.cookie), &[("csrf", &b.csrf)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(app.page("/", &b.cookie).await.status, StatusCode::SEE_OTHER, "logged out");
    let denials = app.audit_actions().await.iter().filter(|(_, a, _)| a == "access.denied").count();
    assert_eq!(denials, 3, "every refused request is audited");
}

async fn the_first_administrator_must_change_the_one_time_password(backend: Backend) {
    let app = TestApp::new(backend).await;
    let once = app.state.app.bootstrap_admin().await.unwrap();
    assert!(once.is_none(), "accounts exist (demo), so no administrator is created");
    // On an empty database, the administrator is created with a one-time password.
    let fresh = store::testing::TestDb::new(backend).await;
    let bare = inspectorate::service::App {
        db: fresh.db.clone(),
        clock: app.state.app.clock.clone(),
        root_region: "340000".into(),
        evidence_dir: std::env::temp_dir().join("inspectorate-evidence"),
        keys: inspectorate::sealing::ephemeral_keys(),
        drawn: Default::default(),
    };
    inspectorate::refdata::sync(&bare.db).await.unwrap();
    let password = bare.bootstrap_admin().await.unwrap().expect("created");
    assert!(bare.bootstrap_admin().await.unwrap().is_none(), "created once");
    let ok = bare.login("admin", &password, inspectorate::service::auth::SessionKind::Api, "t").await.unwrap();
    assert!(ok.user.must_change_password);
    let state = std::sync::Arc::new(inspectorate::web::AppState { app: bare, cookie_secure: false });
    let call = |path: &'static str, body: Option<serde_json::Value>| {
        let state = state.clone();
        let token = ok.token.clone();
        async move {
            use tower::ServiceExt;
            let mut req = axum::http::Request::builder().uri(path).header("authorization", format!("Bearer {token}"));
            let body = match body {
                Some(b) => {
                    req = req.method("POST").header("content-type", "application/json");
                    axum::body::Body::from(b.to_string())
                }
                None => axum::body::Body::empty(),
            };
            inspectorate::web::router(state).oneshot(req.body(body).unwrap()).await.unwrap().status()
        }
    };
    assert_eq!(call("/api/v1/users", None).await, StatusCode::FORBIDDEN, "nothing works before the change");
    let change = json!({"current_password": password, "new_password": "a much better secret"});
    assert_eq!(call("/api/v1/auth/password", Some(change)).await, StatusCode::NO_CONTENT);
    assert_eq!(call("/api/v1/users", None).await, StatusCode::OK);
}

async fn the_web_login_sets_a_new_http_only_session_cookie(backend: Backend) {
    let app = TestApp::new(backend).await;
    let r = app.form("/login", Some("insp_session=attacker-chosen"), &[("username", "huoqiu"), ("password", PW)]).await;
    let cookie = r.headers.get("set-cookie").unwrap().to_str().unwrap();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"));
    assert!(!cookie.contains("attacker-chosen"), "a session id chosen by someone else is never adopted");
    let r = app.form("/login", None, &[("username", "huoqiu"), ("password", "nope")]).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.body.contains("用户名或密码错误"), "the form shows the error in the user's language");
}

async fn the_security_administrator_ends_an_accounts_sessions(backend: Backend) {
    let app = TestApp::new(backend).await;
    let new = store::user::NewUser {
        username: "secadmin".into(),
        display_name: "安全管理员".into(),
        role: domain::access::Role::SecurityAdmin,
        region_code: "340000".into(),
        enterprise_id: None,
        department: None,
        password_hash: inspectorate::service::auth::hash_password(PW).await.unwrap(),
        must_change_password: false,
    };
    let mut tx = app.state.app.db.begin().await.unwrap();
    store::user::create(&mut tx, &new, 0).await.unwrap();
    tx.commit().await.unwrap();
    let huoqiu = app.token("huoqiu").await;
    let browser = app.browser("huoqiu").await;
    let id = store::user::by_username(&app.state.app.db, "huoqiu").await.unwrap().unwrap().id;
    let luan = app.token("luan").await;
    let path = format!("/api/v1/users/{id}/end-sessions");
    assert_eq!(app.post_json(&path, Some(&luan), json!({})).await.status, StatusCode::FORBIDDEN);
    let sec = app.token("secadmin").await;
    let r = app.post_json(&path, Some(&sec), json!({})).await;
    assert_eq!((r.status, r.json()["ended"].as_i64()), (StatusCode::OK, Some(2)), "{}", r.body);
    assert_eq!(app.get("/api/v1/me", Some(&huoqiu)).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.page("/", &browser.cookie).await.status, StatusCode::SEE_OTHER, "the browser is sent to the login");
    assert!(app.audit_actions().await.iter().any(|(_, a, _)| a == "user.end_sessions"));
    let b = app.browser("secadmin").await;
    assert!(app.page("/admin/users", &b.cookie).await.body.contains("end-sessions-huoqiu"));
}

crate::on_both_backends!(
    five_wrong_passwords_lock_the_account_for_fifteen_minutes,
    the_security_administrator_ends_an_accounts_sessions,
    sessions_end_after_thirty_idle_minutes_and_after_twelve_hours,
    tokens_are_stored_hashed_and_each_login_gets_a_new_one,
    a_cross_site_post_is_refused,
    the_first_administrator_must_change_the_one_time_password,
    the_web_login_sets_a_new_http_only_session_cookie,
);
