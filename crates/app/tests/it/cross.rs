//! Cross-inspection rounds through the API: a verifiable grouping in one cycle, each pair's
//! team and targets drawn as a spot-check plan from the visiting county's officers, and a
//! hazard found by the visiting team recorded against the inspected county.

use crate::helpers::TestApp;
use axum::http::StatusCode;
use serde_json::{Value, json};
use store::Backend;
use store::domain::draw::record::{Verdict, verify_json};

/// Lu'an's county-level divisions.
fn luan_counties() -> Vec<String> {
    inspectorate::refdata::REGIONS
        .iter()
        .filter(|r| r.parent.as_ref().is_some_and(|p| p.as_str() == "341500"))
        .map(|r| r.code.to_string())
        .collect()
}

async fn grouped_round(app: &TestApp, luan: &str, name: &str) -> Value {
    let body = json!({"name": name, "date_from": "2026-12-01", "date_to": "2026-12-20",
        "participants": luan_counties(), "team_size": 2, "quotas": {"major": "1", "high": "1"}});
    let r = app.post_json("/api/v1/cross-rounds", Some(luan), body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.json()["id"].as_str().unwrap().to_owned();
    let r = app.post_json(&format!("/api/v1/cross-rounds/{id}/commit"), Some(luan), json!({"version": 1})).await;
    assert_eq!((r.status, r.json()["status"].as_str()), (StatusCode::OK, Some("committed")), "{}", r.body);
    let no = r.json()["round_no"].as_str().unwrap().to_owned();
    let committed = app.get(&format!("/public/rounds/{no}/record.json"), None).await.json();
    assert!(committed["secret"].is_null() && committed["pairs"].is_null(), "nothing revealed before the beacon");
    let r = app
        .post_json(
            &format!("/api/v1/cross-rounds/{id}/group"),
            Some(luan),
            json!({"version": 2, "beacon": "2026-11-27 福彩3D 3 0 8"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.json()
}

async fn a_round_groups_counties_in_one_verifiable_cycle_and_draws_each_pair(backend: Backend) {
    let app = TestApp::new(backend).await;
    let luan = app.token("luan").await;
    let round = grouped_round(&app, &luan, "2026年冬季交叉互查").await;
    let (id, no) = (round["id"].as_str().unwrap().to_owned(), round["round_no"].as_str().unwrap().to_owned());
    assert_eq!(round["status"], "drawn");
    let pairs = round["pairs"].as_array().unwrap();
    let counties = luan_counties();
    assert_eq!(pairs.len(), counties.len());
    let visiting: std::collections::BTreeSet<&str> = pairs.iter().map(|p| p["visiting"].as_str().unwrap()).collect();
    let inspected: std::collections::BTreeSet<&str> = pairs.iter().map(|p| p["inspected"].as_str().unwrap()).collect();
    assert_eq!(visiting.len(), counties.len(), "each county visits exactly once");
    assert_eq!(inspected.len(), counties.len(), "each county is inspected exactly once");
    assert!(pairs.iter().all(|p| p["visiting"] != p["inspected"]), "nobody inspects itself");
    assert!(pairs.iter().all(|p| p["plan_status"] == "committed"), "every pair's plan is committed at once");

    // The public grouping record verifies; a tampered one does not.
    let record = app.get(&format!("/public/rounds/{no}/record.json"), None).await.body;
    match verify_json(&record).unwrap() {
        Verdict::Verified { spec, results, .. } => {
            assert_eq!((spec, results), ("inspectorate-grouping/1", counties.len()))
        }
        other => panic!("{other:?}"),
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(format!("{no}.json"));
    std::fs::write(&file, &record).unwrap();
    let (code, out, err) = crate::helpers::run_cli("sqlite://unused.db", &["draw", "verify", file.to_str().unwrap()]);
    assert_eq!(code, Some(0), "inspectorate draw verify accepts the round's record: {out}{err}");
    let mut tampered: Value = serde_json::from_str(&record).unwrap();
    let first = tampered["pairs"][0].clone();
    tampered["pairs"][0] = tampered["pairs"][1].clone();
    tampered["pairs"][1] = first;
    assert!(!matches!(verify_json(&tampered.to_string()), Ok(Verdict::Verified { .. })), "a reordered grouping fails");
    let public = app.get("/public/rounds", None).await;
    assert!(public.body.contains(&no), "{}", public.body);

    // The teams: every pair plan drawn with a second beacon, teams from the visiting county.
    let r =
        app.post_json(&format!("/api/v1/cross-rounds/{id}/draw"), Some(&luan), json!({"beacon": "第二个随机源"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let round = r.json();
    for pair in round["pairs"].as_array().unwrap() {
        assert_eq!(pair["plan_status"], "drawn");
        let plan_no = pair["plan_no"].as_str().unwrap();
        let rec = app.get(&format!("/public/draws/{plan_no}/record.json"), None).await.body;
        assert!(matches!(verify_json(&rec).unwrap(), Verdict::Verified { .. }), "{plan_no}");
        let rec: Value = serde_json::from_str(&rec).unwrap();
        assert_eq!(rec["kind"], "cross_inspection");
        let visiting = pair["visiting"].as_str().unwrap();
        for a in rec["assignments"].as_array().unwrap() {
            for badge in a["team"].as_array().unwrap() {
                assert!(
                    badge.as_str().unwrap().starts_with(&format!("AH{visiting}")),
                    "{badge} is not from {visiting}"
                );
            }
        }
    }

    // Huoqiu's team inspects in the county it visits; the hazard is that county's, credited to Huoqiu.
    let pair = round["pairs"].as_array().unwrap().iter().find(|p| p["visiting"] == "341522").unwrap().clone();
    let (plan_id, plan_no, target_county) =
        (pair["plan_id"].as_str().unwrap(), pair["plan_no"].as_str().unwrap(), pair["inspected"].as_str().unwrap());
    let rec = app.get(&format!("/public/draws/{plan_no}/record.json"), None).await.json();
    let first = &rec["assignments"][0];
    let code = first["entity"].as_str().unwrap();
    let eid = app.get(&format!("/api/v1/enterprises?q={code}"), Some(&luan)).await.json()["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let huoqiu = app.token("huoqiu").await;
    assert_eq!(
        app.get(&format!("/api/v1/plans/{plan_id}"), Some(&huoqiu)).await.status,
        StatusCode::OK,
        "the visiting county sees its pair plan"
    );
    let commit = app
        .post_json(&format!("/api/v1/plans/{plan_id}/draw"), Some(&huoqiu), json!({"version": 3, "beacon": "x"}))
        .await;
    assert_eq!(commit.status, StatusCode::FORBIDDEN, "but does not draw it: {}", commit.body);
    let inspection = json!({"enterprise_id": eid, "plan_id": plan_id, "inspected_at": "2026-11-28T09:00",
        "officers": first["team"], "items": [{"item": "安全生产责任制", "result": "fail"}], "representative": "张经理",
        "outcome": "order_to_correct", "findings": [{"description": "消防通道堵塞", "grade": "general", "deadline": "2026-12-15"}]});
    let r = app.post_json("/api/v1/inspections", Some(&huoqiu), inspection.clone()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let hazard_id = r.json()["hazards"][0].as_str().unwrap().to_owned();
    let luan_view = app.get(&format!("/api/v1/hazards/{hazard_id}"), Some(&luan)).await.json();
    assert_eq!(
        (
            luan_view["hazard"]["region_code"].as_str(),
            luan_view["hazard"]["source"].as_str(),
            luan_view["hazard"]["found_by_region"].as_str()
        ),
        (Some(target_county), Some("cross_inspection"), Some("341522"))
    );
    assert_eq!(
        app.get(&format!("/api/v1/hazards/{hazard_id}"), Some(&huoqiu)).await.status,
        StatusCode::NOT_FOUND,
        "the order is issued locally: the hazard is in the inspected county's ledger"
    );
    // Only the drawn enterprises: another of that county's enterprises is refused.
    let other = app.get(&format!("/api/v1/enterprises?region={target_county}&per_page=50"), Some(&luan)).await.json();
    let drawn: Vec<&str> =
        rec["assignments"].as_array().unwrap().iter().map(|a| a["entity"].as_str().unwrap()).collect();
    let undrawn = other["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| !drawn.contains(&e["credit_code"].as_str().unwrap()))
        .unwrap();
    let mut wrong = inspection.clone();
    wrong["enterprise_id"] = undrawn["id"].clone();
    assert_eq!(
        app.post_json("/api/v1/inspections", Some(&huoqiu), wrong).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    // Drill-down lists filter by region, days and kind.
    let listed = |q: String| {
        let (app, luan) = (&app, &luan);
        async move { app.get(&format!("/api/v1/inspections?{q}"), Some(luan)).await.json()["total"].as_i64().unwrap() }
    };
    assert_eq!(listed(format!("region={target_county}&from=2026-11-01&to=2026-11-30&spot=true")).await, 1);
    assert_eq!(listed(format!("region={target_county}&from=2026-12-01")).await, 0);
    assert_eq!(app.get("/api/v1/inspections?from=soon", Some(&luan)).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    // The round's page counts it for the pair.
    let round = app.get(&format!("/api/v1/cross-rounds/{id}"), Some(&huoqiu)).await.json();
    let pair = round["pairs"].as_array().unwrap().iter().find(|p| p["visiting"] == "341522").unwrap().clone();
    assert_eq!((pair["enterprises_inspected"].as_i64(), pair["general_hazards"].as_i64()), (Some(1), Some(1)));

    // The next round avoids this round's pairs.
    let next = grouped_round(&app, &luan, "2027年春季交叉互查").await;
    let next_no = next["round_no"].as_str().unwrap();
    let rec: Value = app.get(&format!("/public/rounds/{next_no}/record.json"), None).await.json();
    assert_eq!(rec["previous"].as_array().unwrap().len(), counties.len());
    assert_eq!(rec["repeats"], 0);
}

async fn round_rules_are_enforced(backend: Backend) {
    let app = TestApp::new(backend).await;
    let luan = app.token("luan").await;
    let base = json!({"name": "x", "date_from": "2026-12-01", "date_to": "2026-12-02", "team_size": 2, "quotas": {"major": "1"}});
    let with = |participants: Value| {
        let mut b = base.clone();
        b["participants"] = participants;
        b
    };
    let r = app.post_json("/api/v1/cross-rounds", Some(&luan), with(json!(["341522"]))).await;
    assert_eq!(r.json()["error"]["field"], "participants", "at least two");
    let r = app.post_json("/api/v1/cross-rounds", Some(&luan), with(json!(["341522", "340102"]))).await;
    assert_eq!(r.json()["error"]["field"], "participants", "only the city's own counties");
    let huoqiu = app.token("huoqiu").await;
    let r = app.post_json("/api/v1/cross-rounds", Some(&huoqiu), with(json!(["341522", "341524"]))).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app.post_json("/api/v1/cross-rounds", Some(&luan), with(json!(["341522", "341524"]))).await;
    let id = r.json()["id"].as_str().unwrap().to_owned();
    let early = app
        .post_json(&format!("/api/v1/cross-rounds/{id}/group"), Some(&luan), json!({"version": 1, "beacon": ""}))
        .await;
    assert_eq!(early.status, StatusCode::CONFLICT, "no grouping before the commitment");
    // A participant sees the round; a county outside it does not.
    assert_eq!(app.get(&format!("/api/v1/cross-rounds/{id}"), Some(&huoqiu)).await.status, StatusCode::OK);
    let shucheng = app.get("/api/v1/cross-rounds", Some(&app.token("jinzhai").await)).await.json();
    assert_eq!(shucheng["total"], 1, "Jinzhai takes part");
}

crate::on_both_backends!(a_round_groups_counties_in_one_verifiable_cycle_and_draws_each_pair, round_rules_are_enforced);
