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
        department: (role == Role::Department).then(|| "housing".into()),
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

/// The sectors of the housing department (`data/sectors.csv`).
const HOUSING_SECTORS: [&str; 2] = ["construction", "urban-gas"];

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
    // The regulator of housing (dept) sees the enterprises of the housing sectors only.
    let huoqiu = app.token("huoqiu").await;
    let mut housing_sees = std::collections::HashMap::new();
    for id in [&own, &other_huoqiu] {
        let sector = app.get(&format!("/api/v1/enterprises/{id}"), Some(&huoqiu)).await.json()["sector"].clone();
        housing_sees.insert(id.clone(), HOUSING_SECTORS.contains(&sector.as_str().unwrap()));
    }
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
        let narrowed = |id: &String| *role != Role::Department || housing_sees[id];
        let want_other = if admin {
            StatusCode::FORBIDDEN
        } else if sees_huoqiu && narrowed(&other_huoqiu) {
            StatusCode::OK
        } else {
            StatusCode::NOT_FOUND
        };
        expect("GET another Huoqiu enterprise", other, want_other);
        let mine = app.get(&format!("/api/v1/enterprises/{own}"), Some(&t)).await.status;
        let want_mine = if admin {
            StatusCode::FORBIDDEN
        } else if (sees_huoqiu && narrowed(&own)) || *role == Role::Enterprise {
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

/// Every item of a list the caller receives, following the pages.
async fn all_items(app: &TestApp, token: &str, path: &str) -> Vec<serde_json::Value> {
    let mut items = Vec::new();
    for page in 1.. {
        let sep = if path.contains('?') { '&' } else { '?' };
        let r = app.get(&format!("{path}{sep}per_page=100&page={page}"), Some(token)).await.json();
        let got = r["items"].as_array().unwrap().clone();
        let done = got.len() < 100;
        items.extend(got);
        if done {
            break;
        }
    }
    items
}

async fn a_department_regulator_sees_the_enterprises_of_its_sectors_only(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (county, dept) = (app.token("huoqiu").await, app.token("huoqiu_housing").await);
    assert_eq!(app.get("/api/v1/me", Some(&dept)).await.json()["department"], "housing");
    let everything = all_items(&app, &county, "/api/v1/enterprises").await;
    let (housing, others): (Vec<_>, Vec<_>) =
        everything.iter().partition(|e| HOUSING_SECTORS.contains(&e["sector"].as_str().unwrap()));
    assert!(!housing.is_empty() && !others.is_empty(), "the demo county has both kinds");
    let seen = all_items(&app, &dept, "/api/v1/enterprises").await;
    let ids = |v: &[&serde_json::Value]| {
        let mut ids: Vec<String> = v.iter().map(|e| e["id"].as_str().unwrap().to_owned()).collect();
        ids.sort();
        ids
    };
    assert_eq!(ids(&seen.iter().collect::<Vec<_>>()), ids(&housing), "exactly the housing sectors' enterprises");
    let (mine, not_mine) = (housing[0]["id"].as_str().unwrap(), others[0]["id"].as_str().unwrap());
    let path = |id: &str| format!("/api/v1/enterprises/{id}");
    assert_eq!(app.get(&path(mine), Some(&dept)).await.status, StatusCode::OK);
    assert_eq!(app.get(&path(not_mine), Some(&dept)).await.status, StatusCode::NOT_FOUND, "not 403: it does not exist");

    // Hazards: one at each enterprise, recorded by the county; the regulator sees its own.
    let hazard = |enterprise: &str| {
        serde_json::json!({"enterprise_id": enterprise, "description": "消防通道堵塞", "location": "厂区",
            "grade": "general", "source": "department_inspection", "deadline": "2026-12-31",
            "responsible_unit": "安全部", "responsible_person": "张三"})
    };
    let mut made = Vec::new();
    for e in [mine, not_mine] {
        let r = app.post_json("/api/v1/hazards", Some(&county), hazard(e)).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        made.push(r.json()["id"].as_str().unwrap().to_owned());
    }
    let listed = all_items(&app, &dept, "/api/v1/hazards").await;
    assert!(listed.iter().all(|h| HOUSING_SECTORS.contains(&h["sector"].as_str().unwrap())), "{listed:?}");
    assert!(listed.iter().any(|h| h["id"] == made[0].as_str()));
    assert_eq!(app.get(&format!("/api/v1/hazards/{}", made[0]), Some(&dept)).await.status, StatusCode::OK);
    assert_eq!(app.get(&format!("/api/v1/hazards/{}", made[1]), Some(&dept)).await.status, StatusCode::NOT_FOUND);
    // It records hazards at its own sectors' enterprises only.
    let r = app.post_json("/api/v1/hazards", Some(&dept), hazard(not_mine)).await;
    assert_eq!(
        (r.status, r.json()["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("enterprise_id"))
    );
    assert_eq!(app.post_json("/api/v1/hazards", Some(&dept), hazard(mine)).await.status, StatusCode::CREATED);
    // Region-level records stay visible: the county's spot-check plans and officers.
    let plans = app.get("/api/v1/plans", Some(&county)).await.json()["total"].clone();
    assert_eq!(app.get("/api/v1/plans", Some(&dept)).await.json()["total"], plans);
    // The web register shows the same narrowing.
    let b = app.browser("huoqiu_housing").await;
    let html = app.page("/enterprises?per_page=100", &b.cookie).await.body;
    assert!(html.contains(housing[0]["credit_code"].as_str().unwrap()));
    assert!(!html.contains(others[0]["credit_code"].as_str().unwrap()));
    // Its sector filters offer its own sectors only, on the register and on the ledger.
    for page in [html, app.page("/hazards", &b.cookie).await.body] {
        for sector in HOUSING_SECTORS {
            assert!(page.contains(&format!("<option value=\"{sector}\"")), "{sector} offered");
        }
        assert!(!page.contains("<option value=\"chemicals\""), "another department's sector is not offered");
    }
    let county_page = app.page("/enterprises", &app.browser("huoqiu").await.cookie).await.body;
    assert!(county_page.contains("<option value=\"chemicals\""), "a county office is offered every sector");
}

async fn a_regulator_account_must_name_a_known_department_and_others_none(backend: Backend) {
    let app = TestApp::new(backend).await;
    add_user(&app, "sysadmin", Role::SysAdmin, "340000").await;
    let t = app.token("sysadmin").await;
    let account = |name: &str, role: &str, department: Option<&str>| {
        serde_json::json!({"username": name, "display_name": name, "role": role, "region_code": "341522",
            "department": department})
    };
    for (body, why) in [
        (account("reg1", "department", None), "is required for a department regulator"),
        (account("reg2", "department", Some("mystery")), "is not in the department register"),
        (account("insp2", "inspector", Some("housing")), "is only for department regulator accounts"),
    ] {
        let r = app.post_json("/api/v1/users", Some(&t), body).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(r.json()["error"]["field"], "department");
        assert!(r.json()["error"]["message"].as_str().unwrap().contains(why), "{}", r.body);
    }
    let r = app.post_json("/api/v1/users", Some(&t), account("reg3", "department", Some("transport"))).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let users = app.get("/api/v1/users", Some(&t)).await.json();
    let reg3 = users.as_array().unwrap().iter().find(|u| u["username"] == "reg3").unwrap().clone();
    assert_eq!(reg3["department"], "transport");
    // The web form offers the departments and names the field when one is missing.
    let b = app.browser("sysadmin").await;
    let fields = [
        ("csrf", b.csrf.as_str()),
        ("username", "reg4"),
        ("display_name", "r"),
        ("role", "department"),
        ("region_code", "341522"),
        ("department", ""),
    ];
    let r = app.form("/admin/users", Some(&b.cookie), &fields).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("is required for a department regulator"), "{}", r.body);
    assert!(r.body.contains(r#"<option value="transport">"#));
}

crate::on_both_backends!(
    a_department_regulator_sees_the_enterprises_of_its_sectors_only,
    a_regulator_account_must_name_a_known_department_and_others_none,
    every_api_route_answers_each_role_as_the_policy_says,
    every_page_answers_each_role_as_the_policy_says,
    without_credentials_the_api_says_401_and_pages_send_to_login,
    every_documented_api_path_exists,
);
