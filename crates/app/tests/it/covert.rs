//! Covert checks through the API and the pages: a sealed plan exists for nobody outside its
//! team and the city leadership until its visit is recorded; problems become hazards and
//! handovers that are answered, returned, accepted and escalate when overdue.

use crate::helpers::TestApp;
use axum::http::StatusCode;
use serde_json::{Value, json};
use store::Backend;
use store::domain::draw::record::{Verdict, verify_json};

const DAY_MS: i64 = 86_400_000;

/// Two high-risk Huoqiu enterprises (id, name, credit code).
async fn huoqiu_targets(app: &TestApp, luan: &str) -> Vec<(String, String, String)> {
    let r = app.get("/api/v1/covert-candidates", Some(luan)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let all = r.json();
    let list: Vec<(String, String, String)> = all
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["region_code"] == "341522")
        .map(|t| {
            let s = |k: &str| t[k].as_str().unwrap().to_owned();
            (s("enterprise_id"), s("name"), s("credit_code"))
        })
        .take(2)
        .collect();
    assert_eq!(list.len(), 2, "the demo has high-risk enterprises in Huoqiu");
    assert!(all.as_array().unwrap().iter().all(|t| matches!(t["risk_level"].as_str(), Some("major" | "high"))));
    list
}

async fn plan(app: &TestApp, luan: &str, targets: &[(String, String, String)]) -> Value {
    let body = json!({"name": "霍邱县危化企业暗查暗访", "date_from": "2026-12-01", "date_to": "2026-12-05",
        "members": ["inspector1"], "targets": targets.iter().map(|t| t.0.clone()).collect::<Vec<_>>()});
    let r = app.post_json("/api/v1/covert-plans", Some(luan), body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.json()
}

async fn total(app: &TestApp, path: &str, token: &str) -> i64 {
    let r = app.get(path, Some(token)).await;
    assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.body);
    r.json()["total"].as_i64().unwrap()
}

async fn a_sealed_plan_exists_only_for_its_team_and_the_city_until_the_visit(backend: Backend) {
    let app = TestApp::new(backend).await;
    let luan = app.token("luan").await;
    let targets = huoqiu_targets(&app, &luan).await;
    let p = plan(&app, &luan, &targets).await;
    let (id, no) = (p["id"].as_str().unwrap().to_owned(), p["plan_no"].as_str().unwrap().to_owned());
    assert_eq!((p["status"].as_str(), p["members"].as_array().unwrap().len()), (Some("sealed"), 2));
    assert!(no.starts_with("AC-341500-2026-"), "{no}");

    // Outsiders: the county concerned, its department, another county, the province.
    for user in ["huoqiu", "huoqiu_housing", "jinzhai", "province"] {
        let t = app.token(user).await;
        assert_eq!(total(&app, "/api/v1/covert-plans", &t).await, 0, "{user} lists no sealed plan");
        let r = app.get(&format!("/api/v1/covert-plans/{id}"), Some(&t)).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{user}: {}", r.body);
        let unknown = app.get("/api/v1/covert-plans/no-such-id", Some(&t)).await;
        assert_eq!(r.body, unknown.body, "{user}: a sealed plan answers exactly like an unknown id");
        assert_eq!(total(&app, "/api/v1/handovers?handovers_only=false", &t).await, 0);
        assert_eq!(total(&app, "/api/v1/hazards?source=covert_check", &t).await, 0);
        let b = app.browser(user).await;
        for path in ["/covert", "/covert/handovers", "/hazards", "/"] {
            let page = app.page(path, &b.cookie).await;
            assert!(!page.body.contains(&no), "{user} sees the plan number on {path}");
            assert!(!page.body.contains("霍邱县危化企业"), "{user} sees the plan name on {path}");
        }
        assert_eq!(app.page(&format!("/covert/{id}"), &b.cookie).await.status, StatusCode::NOT_FOUND);
        let export = app.get("/api/v1/hazards/export.xlsx?source=covert_check", Some(&t)).await;
        assert_eq!(export.status, StatusCode::OK);
    }
    // Insiders: the team member and the city leadership; each view of the sealed plan is audited.
    let inspector = app.token("inspector1").await;
    assert_eq!(total(&app, "/api/v1/covert-plans", &inspector).await, 1);
    let r = app.get(&format!("/api/v1/covert-plans/{id}"), Some(&inspector)).await;
    assert_eq!(r.json()["targets"].as_array().unwrap().len(), 2);
    let views = app.audit_actions().await.into_iter().filter(|(_, a, _)| a == "covert.view").count();
    assert!(views >= 1, "viewing a sealed plan is audited");

    // The visit is recorded: the plan is unsealed for Huoqiu (its targets' county) and the province.
    let r = app
        .post_json(
            &format!("/api/v1/covert-plans/{id}/visit"),
            Some(&luan),
            json!({"version": 1, "visited_at": "2026-11-28T09:30", "place": "霍邱县经济开发区", "notes": "未提前通知"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!((r.json()["status"].as_str(), r.json()["visited"].as_array().unwrap().len()), (Some("done"), 2));
    for (user, sees) in [("huoqiu", 1), ("huoqiu_housing", 1), ("province", 1), ("jinzhai", 0)] {
        let t = app.token(user).await;
        assert_eq!(total(&app, "/api/v1/covert-plans", &t).await, sees, "{user} after the visit");
        let status = app.get(&format!("/api/v1/covert-plans/{id}"), Some(&t)).await.status;
        assert_eq!(status == StatusCode::OK, sees == 1, "{user}: {status}");
    }
    // Evidence of the visit: sealed with it, served to whoever may see the plan.
    let mut photo = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
    photo.extend_from_slice(b"synthetic photo of a blocked fire exit");
    let sm3 = crate::hazards::upload(&app, &luan, "现场.png", &photo).await.json()["sm3"].as_str().unwrap().to_owned();
    let r = app
        .post_json(
            &format!("/api/v1/covert-plans/{id}/evidence"),
            Some(&luan),
            json!({"version": 2, "evidence": [sm3]}),
        )
        .await;
    assert_eq!((r.status, r.json()["evidence"][0].as_str()), (StatusCode::OK, Some(sm3.as_str())), "{}", r.body);
    let huoqiu = app.token("huoqiu").await;
    let got = app.get(&format!("/api/v1/covert-plans/{id}/evidence/{sm3}"), Some(&huoqiu)).await;
    assert_eq!(got.status, StatusCode::OK);
    let jinzhai = app.token("jinzhai").await;
    assert_eq!(
        app.get(&format!("/api/v1/covert-plans/{id}/evidence/{sm3}"), Some(&jinzhai)).await.status,
        StatusCode::NOT_FOUND
    );
    let b = app.browser("huoqiu").await;
    assert!(app.page("/covert", &b.cookie).await.body.contains(&no));
    assert!(app.page(&format!("/covert/{id}"), &b.cookie).await.body.contains(&targets[0].1));
    // A second visit record is refused; a stale version too.
    let again = app
        .post_json(
            &format!("/api/v1/covert-plans/{id}/visit"),
            Some(&luan),
            json!({"version": 3, "visited_at": "2026-11-28T10:00", "place": "x"}),
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
}

async fn sealed_columns_hold_no_plaintext(backend: Backend) {
    let app = TestApp::new(backend).await;
    let luan = app.token("luan").await;
    let targets = huoqiu_targets(&app, &luan).await;
    let p = plan(&app, &luan, &targets).await;
    let rows = store::sql::query("SELECT * FROM covert_plan").fetch_all(app.state.app.db.reader()).await.unwrap();
    assert_eq!(rows.len(), 1);
    let sealed = rows[0].text("sealed").unwrap();
    assert!(sealed.starts_with("seal1:ephemeral:"), "{sealed}");
    for plain in [targets[0].1.as_str(), &targets[0].2, &targets[0].0, &targets[1].1, "2026-12-01", "暗查暗访", "霍邱"]
    {
        assert!(!sealed.contains(plain), "sealed column reveals {plain}");
    }
    // The team, the number and the state stay readable; the audit trail names no target.
    assert_eq!(rows[0].text("plan_no").unwrap(), p["plan_no"].as_str().unwrap());
    let audit = store::sql::query("SELECT detail FROM audit_entry").fetch_all(app.state.app.db.reader()).await.unwrap();
    for r in audit {
        let d = r.text("detail").unwrap();
        assert!(!d.contains(&targets[0].2) && !d.contains(&targets[0].1), "audit detail reveals a target: {d}");
    }
}

async fn drawn_targets_come_with_a_record_that_verifies(backend: Backend) {
    let app = TestApp::new(backend).await;
    let luan = app.token("luan").await;
    let body = json!({"name": "随机暗访", "date_from": "2026-12-01", "date_to": "2026-12-31",
        "members": ["inspector1"], "draw_count": 3, "draw_region": "341522"});
    let r = app.post_json("/api/v1/covert-plans", Some(&luan), body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let p = r.json();
    let targets = p["targets"].as_array().unwrap();
    assert_eq!(targets.len(), 3);
    assert!(targets.iter().all(|t| t["region_code"] == "341522"));
    let record = p["draw_record"].as_str().unwrap();
    match verify_json(record).unwrap() {
        Verdict::Verified { empty_beacon, .. } => assert!(empty_beacon, "no beacon: the record says so"),
        other => panic!("{other:?}"),
    }
    let v: Value = serde_json::from_str(record).unwrap();
    assert_eq!(v["kind"], "covert_check");
    let drawn: Vec<&str> = v["assignments"].as_array().unwrap().iter().map(|a| a["entity"].as_str().unwrap()).collect();
    let chosen: Vec<&str> = targets.iter().map(|t| t["credit_code"].as_str().unwrap()).collect();
    assert_eq!(drawn, chosen, "the targets are the draw's result, in its order");
    // Rules: not both ways, not more than there are, not a county office.
    let both =
        json!({"name": "x", "date_from": "2026-12-01", "date_to": "2026-12-02", "draw_count": 1, "targets": ["x"]});
    assert_eq!(app.post_json("/api/v1/covert-plans", Some(&luan), both).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    let many = json!({"name": "x", "date_from": "2026-12-01", "date_to": "2026-12-02", "draw_count": 100000});
    assert_eq!(app.post_json("/api/v1/covert-plans", Some(&luan), many).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    let huoqiu = app.token("huoqiu").await;
    let by_county = json!({"name": "x", "date_from": "2026-12-01", "date_to": "2026-12-02", "draw_count": 1});
    assert_eq!(app.post_json("/api/v1/covert-plans", Some(&huoqiu), by_county).await.status, StatusCode::FORBIDDEN);
    let not_high_risk = json!({"name": "x", "date_from": "2026-12-01", "date_to": "2026-12-02", "targets": ["nope"]});
    assert_eq!(
        app.post_json("/api/v1/covert-plans", Some(&luan), not_high_risk).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
}

async fn problems_become_hazards_and_handovers_that_are_chased_to_acceptance(backend: Backend) {
    let app = TestApp::new(backend).await;
    let luan = app.token("luan").await;
    let targets = huoqiu_targets(&app, &luan).await;
    let p = plan(&app, &luan, &targets).await;
    let id = p["id"].as_str().unwrap().to_owned();
    let problem = json!({"description": "动火作业未审批", "enterprise_id": targets[0].0,
        "hazard": {"enterprise_id": "", "description": "动火作业未办理审批手续", "grade": "general", "source": "self_check",
                   "deadline": "2026-12-10", "responsible_unit": "生产部"},
        "handover": {"region_code": "341522", "deadline": "2026-12-05"}});
    let early = app.post_json(&format!("/api/v1/covert-plans/{id}/problems"), Some(&luan), problem.clone()).await;
    assert_eq!(early.status, StatusCode::CONFLICT, "no problems before the visit: {}", early.body);
    let visit = json!({"version": 1, "visited_at": "2026-11-28T09:30", "place": "开发区"});
    assert_eq!(
        app.post_json(&format!("/api/v1/covert-plans/{id}/visit"), Some(&luan), visit).await.status,
        StatusCode::OK
    );
    let r = app.post_json(&format!("/api/v1/covert-plans/{id}/problems"), Some(&luan), problem).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let pr = r.json();
    let pid = pr["id"].as_str().unwrap().to_owned();
    assert_eq!((pr["handover_status"].as_str(), pr["handled"].as_bool()), (Some("open"), Some(false)));

    // The hazard is in Huoqiu's ledger with source "covert check"; the handover is Huoqiu's to answer.
    let huoqiu = app.token("huoqiu").await;
    let hz = app.get("/api/v1/hazards?source=covert_check", Some(&huoqiu)).await.json();
    assert_eq!(hz["total"], 1);
    assert_eq!(hz["items"][0]["id"], pr["hazard_id"]);
    assert_eq!(total(&app, "/api/v1/handovers", &huoqiu).await, 1);
    let jinzhai = app.token("jinzhai").await;
    assert_eq!(app.get(&format!("/api/v1/handovers/{pid}"), Some(&jinzhai)).await.status, StatusCode::NOT_FOUND);
    let step = |action: &str, version: i64, note: &str| json!({"action": action, "version": version, "note": note});
    let path = format!("/api/v1/handovers/{pid}/transitions");
    assert_eq!(app.post_json(&path, Some(&luan), step("answer", 1, "x")).await.status, StatusCode::FORBIDDEN);
    // Handed to the county government: not the housing regulator's to see or answer; one handed
    // to housing is.
    let housing = app.token("huoqiu_housing").await;
    assert_eq!(app.post_json(&path, Some(&housing), step("answer", 1, "x")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(total(&app, "/api/v1/handovers", &housing).await, 0);
    let to_housing = json!({"description": "在建工地脚手架未验收", "enterprise_id": targets[0].0,
        "handover": {"region_code": "341522", "department": "housing", "deadline": "2026-12-31"}});
    let r = app.post_json(&format!("/api/v1/covert-plans/{id}/problems"), Some(&luan), to_housing).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let answered = app
        .post_json(
            &format!("/api/v1/handovers/{}/transitions", r.json()["id"].as_str().unwrap()),
            Some(&housing),
            step("answer", 1, "已责令停工整改"),
        )
        .await;
    assert_eq!(answered.status, StatusCode::OK, "{}", answered.body);
    assert_eq!(total(&app, "/api/v1/handovers", &housing).await, 1, "its own department's only");
    assert_eq!(app.post_json(&path, Some(&huoqiu), step("accept", 1, "")).await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.post_json(&path, Some(&huoqiu), step("answer", 1, "")).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let r = app.post_json(&path, Some(&huoqiu), step("answer", 1, "已约谈企业负责人并立案调查")).await;
    assert_eq!((r.status, r.json()["handover_status"].as_str()), (StatusCode::OK, Some("answered")));
    let r = app.post_json(&path, Some(&luan), step("return", 2, "未附整改材料")).await;
    assert_eq!(r.json()["handover_status"], "open");
    assert_eq!(app.post_json(&path, Some(&huoqiu), step("answer", 2, "stale")).await.status, StatusCode::CONFLICT);
    app.post_json(&path, Some(&huoqiu), step("answer", 3, "补充整改照片和处罚决定书")).await;
    let r = app.post_json(&path, Some(&luan), step("accept", 4, "")).await;
    assert_eq!(r.json()["handover_status"], "accepted");
    assert_eq!(r.json()["handled"], false, "still not handled: the hazard is open");
    let recheck = format!("/api/v1/handovers/{pid}/recheck");
    assert_eq!(
        app.post_json(&recheck, Some(&luan), json!({"version": 5, "finding": "x"})).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let r = app.post_json(&recheck, Some(&luan), json!({"version": 5, "recheck_on": "2027-01-10"})).await;
    assert_eq!(r.json()["recheck_on"], "2027-01-10", "{}", r.body);
    let r = app.post_json(&recheck, Some(&luan), json!({"version": 6, "finding": "整改到位"})).await;
    assert_eq!(r.json()["recheck_result"], "整改到位");
    let timeline = app.get(&format!("/api/v1/handovers/{pid}"), Some(&huoqiu)).await.json();
    let actions: Vec<&str> =
        timeline["events"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["answer", "return", "answer", "accept", "schedule_recheck", "recheck"]);

    // A second handover, to the housing department, goes overdue: the ladder climbs with the date.
    let r = app
        .post_json(
            &format!("/api/v1/covert-plans/{id}/problems"),
            Some(&luan),
            json!({"description": "县住建局未督促整改", "handover": {"region_code": "341522", "department": "housing", "deadline": "2026-11-30"}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let late = r.json()["id"].as_str().unwrap().to_owned();
    assert_eq!(total(&app, "/api/v1/handovers?overdue=true", &huoqiu).await, 0);
    app.clock.advance_ms(10 * DAY_MS); // 2026-12-08: 8 days past 2026-11-30; sessions expired meanwhile
    let huoqiu = app.token("huoqiu").await;
    let v = app.get(&format!("/api/v1/handovers/{late}"), Some(&huoqiu)).await.json();
    assert_eq!(
        (v["problem"]["days_overdue"].as_i64(), v["problem"]["escalation"].as_str()),
        (Some(8), Some("supervision_letter"))
    );
    assert_eq!(total(&app, "/api/v1/handovers?overdue=true", &huoqiu).await, 1);
    let b = app.browser("luan").await;
    let letter = app.page(&format!("/covert/problems/{late}/letter"), &b.cookie).await;
    assert_eq!(letter.status, StatusCode::OK);
    assert!(letter.body.contains("督办函") && letter.body.contains("逾期8天"), "{}", letter.body);
    let not_late = app.page(&format!("/covert/problems/{pid}/letter"), &b.cookie).await;
    assert_eq!(not_late.status, StatusCode::CONFLICT, "an accepted handover gets no letter");
}

crate::on_both_backends!(
    a_sealed_plan_exists_only_for_its_team_and_the_city_until_the_visit,
    sealed_columns_hold_no_plaintext,
    drawn_targets_come_with_a_record_that_verifies,
    problems_become_hazards_and_handovers_that_are_chased_to_acceptance,
);

/// Key rotation (`inspectorate covert rotate-key`): after re-sealing, every plan opens with the
/// new key alone, so the old key can be retired.
async fn rotating_the_key_reseals_every_plan(backend: Backend) {
    let app = TestApp::new(backend).await;
    let luan = app.token("luan").await;
    let targets = huoqiu_targets(&app, &luan).await;
    let p = plan(&app, &luan, &targets).await;
    let id = p["id"].as_str().unwrap();
    let new_key = [7u8; 32];
    let mut rotated = app.state.app.clone();
    rotated.keys = std::sync::Arc::new(app.state.app.keys.with_key("k2", new_key).unwrap());
    let actor = inspectorate::service::Actor::cli();
    assert_eq!(rotated.reseal_covert_plans(&actor).await.unwrap(), 1);
    assert_eq!(rotated.reseal_covert_plans(&actor).await.unwrap(), 0, "nothing left to re-seal");
    let mut only_new = app.state.app.clone();
    only_new.keys = std::sync::Arc::new(store::domain::seal::Keyring::single("k2", new_key));
    let view = only_new.get_covert(&actor_of(&app, "luan").await, id).await.unwrap();
    assert_eq!(view.sealed.targets.len(), 2);
    let err = app.state.app.get_covert(&actor_of(&app, "luan").await, id).await.unwrap_err();
    assert!(err.to_string().contains("k2"), "the old keyring cannot open the re-sealed plan: {err}");
}

async fn actor_of(app: &TestApp, username: &str) -> inspectorate::service::Actor {
    let token = app.token(username).await;
    let p = app.state.app.authenticate(&token, inspectorate::service::auth::SessionKind::Api).await.unwrap().principal;
    inspectorate::service::Actor::user(&p, "test")
}

crate::on_both_backends!(rotating_the_key_reseals_every_plan);
