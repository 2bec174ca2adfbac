//! The jurisdiction and permission matrix: every route, every role.

use crate::helpers::{PW, TestApp};
use axum::http::StatusCode;
use store::Backend;
use store::domain::access::Role;

/// Adds an account with the demo password (for roles the demo does not have).
async fn add_user(app: &TestApp, username: &str, role: Role, region: &str) {
    let new = store::user::NewUser {
        username: username.into(),
        display_name: username.into(),
        role,
        region_code: region.into(),
        enterprise_id: None,
        password_hash: inspectorate::service::auth::hash_password(PW).await.unwrap(),
        must_change_password: false,
    };
    let mut tx = app.state.app.db.begin().await.unwrap();
    store::user::create(&mut tx, &new, 0).await.unwrap();
    tx.commit().await.unwrap();
}

/// Every role, by account: (username, role).
const ACCOUNTS: [(&str, Role); 10] = [
    ("province", Role::ProvinceEvaluator),
    ("luan", Role::CityOffice),
    ("huoqiu", Role::CountyOffice),
    ("jinzhai", Role::CountyOffice),
    ("dept", Role::Department),
    ("inspector1", Role::Inspector),
    ("enterprise1", Role::Enterprise),
    ("sysadmin", Role::SysAdmin),
    ("secadmin", Role::SecurityAdmin),
    ("auditor", Role::AuditAdmin),
];

fn ok(s: StatusCode) -> bool {
    s.is_success() || s == StatusCode::UNPROCESSABLE_ENTITY
}

async fn every_api_route_answers_each_role_as_the_policy_says(backend: Backend) {
    let app = TestApp::new(backend).await;
    add_user(&app, "dept", Role::Department, "341522").await;
    add_user(&app, "sysadmin", Role::SysAdmin, "340000").await;
    add_user(&app, "secadmin", Role::SecurityAdmin, "340000").await;
    let me = app.token("enterprise1").await;
    let own = app.get("/api/v1/me", Some(&me)).await.json()["enterprise_id"].as_str().unwrap().to_owned();
    let other_huoqiu = {
        let t = app.token("huoqiu").await;
        let page = app.get("/api/v1/enterprises?per_page=2&q=%E9%9C%8D%E9%82%B1", Some(&t)).await.json();
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["id"].as_str().unwrap().to_owned())
            .find(|id| *id != own)
            .unwrap()
    };
    let csv = format!(
        "credit_code,name,region_code,sector,risk_level\n{},Matrix test,341522,chemicals,low\n",
        inspectorate::demo::demo_credit_code("341522", 9000)
    );
    let mut failures = Vec::new();
    for (n, (user, role)) in ACCOUNTS.iter().enumerate() {
        let t = app.token(user).await;
        let gov = !matches!(role, Role::Enterprise | Role::SysAdmin | Role::SecurityAdmin | Role::AuditAdmin);
        let sees_huoqiu = gov && *user != "jinzhai";
        let mut expect = |what: &str, got: StatusCode, want: StatusCode| {
            let fine = if want == StatusCode::OK { ok(got) } else { got == want };
            if !fine {
                failures.push(format!("{user} {what}: got {got}, want {want}"));
            }
        };
        let want = |allowed: bool| if allowed { StatusCode::OK } else { StatusCode::FORBIDDEN };
        expect("GET /me", app.get("/api/v1/me", Some(&t)).await.status, StatusCode::OK);
        expect("GET /regions", app.get("/api/v1/regions", Some(&t)).await.status, StatusCode::OK);
        let admin = matches!(role, Role::SysAdmin | Role::SecurityAdmin | Role::AuditAdmin);
        expect("GET /enterprises", app.get("/api/v1/enterprises", Some(&t)).await.status, want(!admin));
        let other = app.get(&format!("/api/v1/enterprises/{other_huoqiu}"), Some(&t)).await.status;
        let want_other = if admin {
            StatusCode::FORBIDDEN
        } else if sees_huoqiu {
            StatusCode::OK
        } else {
            StatusCode::NOT_FOUND
        };
        expect("GET another Huoqiu enterprise", other, want_other);
        let mine = app.get(&format!("/api/v1/enterprises/{own}"), Some(&t)).await.status;
        let want_mine = if admin {
            StatusCode::FORBIDDEN
        } else if sees_huoqiu || *role == Role::Enterprise {
            StatusCode::OK
        } else {
            StatusCode::NOT_FOUND
        };
        expect("GET enterprise1's own enterprise", mine, want_mine);
        expect("GET /officers", app.get("/api/v1/officers", Some(&t)).await.status, want(gov));
        let up = app.upload(&t, "enterprises", "", "m.csv", csv.as_bytes()).await.status;
        expect("POST /imports/enterprises", up, want(matches!(role, Role::CityOffice | Role::CountyOffice)));
        let manages = matches!(role, Role::SysAdmin | Role::SecurityAdmin);
        expect("GET /users", app.get("/api/v1/users", Some(&t)).await.status, want(manages));
        let new_user = serde_json::json!({"username": format!("new{n}"), "display_name": "x", "role": "inspector", "region_code": "341522"});
        expect(
            "POST /users",
            app.post_json("/api/v1/users", Some(&t), new_user).await.status,
            want(*role == Role::SysAdmin),
        );
        expect("GET /covert-plans", app.get("/api/v1/covert-plans", Some(&t)).await.status, want(gov));
        expect("GET /cross-rounds", app.get("/api/v1/cross-rounds", Some(&t)).await.status, want(gov));
        let round = serde_json::json!({"name": "x", "date_from": "2026-12-01", "date_to": "2026-12-02",
            "participants": ["341522", "341524"], "team_size": 2, "quotas": {"major": "1"}});
        let created = app.post_json("/api/v1/cross-rounds", Some(&t), round).await.status;
        expect(
            "POST /cross-rounds",
            created,
            if *role == Role::CityOffice { StatusCode::CREATED } else { StatusCode::FORBIDDEN },
        );
        let overview = app.get("/api/v1/guidance/counties", Some(&t)).await.status;
        expect("GET /guidance/counties", overview, want(*role == Role::CityOffice));
        expect("GET /guidance-groups", app.get("/api/v1/guidance-groups", Some(&t)).await.status, want(gov));
        expect("GET /handovers", app.get("/api/v1/handovers", Some(&t)).await.status, want(gov));
        let candidates = app.get("/api/v1/covert-candidates", Some(&t)).await.status;
        expect("GET /covert-candidates", candidates, want(*role == Role::CityOffice));
        let plan =
            serde_json::json!({"name": "x", "date_from": "2026-12-01", "date_to": "2026-12-02", "draw_count": 1});
        let planned = app.post_json("/api/v1/covert-plans", Some(&t), plan).await.status;
        expect(
            "POST /covert-plans",
            planned,
            if *role == Role::CityOffice { StatusCode::CREATED } else { StatusCode::FORBIDDEN },
        );
        expect("GET /audit", app.get("/api/v1/audit", Some(&t)).await.status, want(*role == Role::AuditAdmin));
        let verify = app.post_json("/api/v1/audit/verify", Some(&t), serde_json::json!({})).await.status;
        expect("POST /audit/verify", verify, want(*role == Role::AuditAdmin));
    }
    assert!(failures.is_empty(), "policy violations:\n{}", failures.join("\n"));
}

async fn every_page_answers_each_role_as_the_policy_says(backend: Backend) {
    let app = TestApp::new(backend).await;
    add_user(&app, "dept", Role::Department, "341522").await;
    add_user(&app, "sysadmin", Role::SysAdmin, "340000").await;
    add_user(&app, "secadmin", Role::SecurityAdmin, "340000").await;
    let mut failures = Vec::new();
    for (user, role) in ACCOUNTS {
        let b = app.browser(user).await;
        let admin = matches!(role, Role::SysAdmin | Role::SecurityAdmin | Role::AuditAdmin);
        let gov = !admin && role != Role::Enterprise;
        let pages = [
            ("/", true),
            ("/enterprises", !admin),
            ("/officers", gov),
            ("/import", matches!(role, Role::CityOffice | Role::CountyOffice)),
            ("/admin/users", matches!(role, Role::SysAdmin | Role::SecurityAdmin)),
            ("/audit", role == Role::AuditAdmin),
            ("/covert", gov),
            ("/cross", gov),
            ("/guidance", gov),
            ("/dashboard", gov),
            ("/evaluation", matches!(role, Role::ProvinceEvaluator | Role::CityOffice)),
            ("/covert/handovers", gov),
            ("/covert/new", role == Role::CityOffice),
            ("/account/password", true),
        ];
        for (path, allowed) in pages {
            let got = app.page(path, &b.cookie).await.status;
            let want = if allowed { StatusCode::OK } else { StatusCode::FORBIDDEN };
            if got != want {
                failures.push(format!("{user} GET {path}: got {got}, want {want}"));
            }
        }
    }
    assert!(failures.is_empty(), "policy violations:\n{}", failures.join("\n"));
}

async fn without_credentials_the_api_says_401_and_pages_send_to_login(backend: Backend) {
    let app = TestApp::new(backend).await;
    for path in
        ["/api/v1/me", "/api/v1/enterprises", "/api/v1/officers", "/api/v1/users", "/api/v1/audit", "/api/v1/regions"]
    {
        assert_eq!(app.get(path, None).await.status, StatusCode::UNAUTHORIZED, "{path}");
        assert_eq!(app.get(path, Some("not-a-token")).await.status, StatusCode::UNAUTHORIZED, "{path}");
    }
    for path in ["/", "/enterprises", "/officers", "/import", "/admin/users", "/audit"] {
        let r = app.page(path, "insp_session=forged").await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{path}");
        assert!(r.location().starts_with("/login?next="), "{path}: {}", r.location());
    }
    // A web session cookie is not a bearer token and vice versa.
    let b = app.browser("luan").await;
    let cookie_value = b.cookie.split('=').nth(1).unwrap();
    assert_eq!(app.get("/api/v1/me", Some(cookie_value)).await.status, StatusCode::UNAUTHORIZED);
}

async fn every_documented_api_path_exists(backend: Backend) {
    let app = TestApp::new(backend).await;
    let doc = app.get("/api/openapi.json", None).await.json();
    let paths = doc["paths"].as_object().unwrap();
    assert!(paths.len() >= 15);
    for (path, ops) in paths {
        for method in ops.as_object().unwrap().keys() {
            let concrete = path.replace("{id}", "x").replace("{kind}", "enterprises");
            let req = axum::http::Request::builder()
                .method(method.to_uppercase().as_str())
                .uri(&concrete)
                .body(axum::body::Body::empty())
                .unwrap();
            let status = app.send(req).await.status;
            assert_ne!(status, StatusCode::NOT_FOUND, "{method} {path} is documented but not routed");
            assert_ne!(status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
        }
    }
}

crate::on_both_backends!(
    every_api_route_answers_each_role_as_the_policy_says,
    every_page_answers_each_role_as_the_policy_says,
    without_credentials_the_api_says_401_and_pages_send_to_login,
    every_documented_api_path_exists,
);
