//! Spot-check plans through the API and the public pages: create → commit → draw → publish,
//! and the rules around them.

use crate::helpers::TestApp;
use axum::http::StatusCode;
use serde_json::{Value, json};
use store::Backend;
use store::domain::draw::record::{Verdict, verify_json};

fn plan_body() -> Value {
    json!({
        "name": "2023年第三季度双随机抽查", "period_start": "2023-07-01", "period_end": "2023-09-30",
        "quotas": {"major": "30%", "high": "20%", "general": "5%", "low": "3%"}, "team_size": 2,
        "check_items": "安全生产责任制；隐患排查治理"
    })
}

async fn total(app: &TestApp, token: &str, query: &str) -> i64 {
    app.get(&format!("/api/v1/enterprises?region=341522&{query}"), Some(token)).await.json()["total"].as_i64().unwrap()
}

async fn a_plan_is_committed_drawn_published_and_its_record_verifies(backend: Backend) {
    let app = TestApp::new(backend).await;
    let t = app.token("huoqiu").await;
    let badge = "AH341522001";
    let target = app.get("/api/v1/enterprises?risk=major&per_page=1", Some(&t)).await.json()["items"][0]["credit_code"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = app
        .post_json("/api/v1/conflicts", Some(&t), json!({"badge_no": badge, "credit_code": target, "reason": "亲属"}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);

    let r = app.post_json("/api/v1/plans", Some(&t), plan_body()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let plan = r.json();
    let (id, no) = (plan["id"].as_str().unwrap().to_owned(), plan["plan_no"].as_str().unwrap().to_owned());
    assert_eq!(no, "SC-341522-2023-0001");
    assert_eq!((plan["status"].as_str(), plan["commitment"].as_str()), (Some("draft"), None));
    assert_eq!(
        app.get(&format!("/public/draws/{no}"), None).await.status,
        StatusCode::NOT_FOUND,
        "drafts are not public"
    );

    let r = app.post_json(&format!("/api/v1/plans/{id}/commit"), Some(&t), json!({"version": 1})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(!r.body.contains("secret"), "the secret is never shown before the draw");
    let committed = r.json();
    let commitment = committed["commitment"].as_str().unwrap().to_owned();
    let published = app.get(&format!("/public/draws/{no}/record.json"), None).await;
    assert_eq!(published.status, StatusCode::OK);
    let before: Value = published.json();
    assert_eq!(before["commitment"], commitment.as_str());
    assert!(before.get("secret").is_none() && before.get("assignments").is_none());
    assert_eq!(before["candidates"].as_array().unwrap().len(), 300, "all active Huoqiu enterprises are candidates");
    assert_eq!(before["inspectors"].as_array().unwrap().len(), 18, "officers with expired certificates are not drawn");
    assert_eq!(before["conflicts"], json!([[badge, target]]));
    // Rates are turned into counts by rounding up.
    for (stratum, bp) in [("major", 3000i64), ("high", 2000), ("general", 500), ("low", 300)] {
        let size = total(&app, &t, &format!("risk={stratum}")).await;
        let count = before["quotas"].as_array().unwrap().iter().find(|q| q["stratum"] == stratum).unwrap()["count"]
            .as_i64()
            .unwrap();
        assert_eq!(count, (size * bp + 9999) / 10_000, "{stratum}: {size} candidates");
    }
    let public = app.get(&format!("/public/draws/{no}"), None).await;
    assert!(public.body.contains(&commitment), "the commitment is published at once");

    let r = app
        .post_json(
            &format!("/api/v1/plans/{id}/draw"),
            Some(&t),
            json!({"version": 2, "beacon": "2023-07-03 双色球 03 09 14 22 27 31 + 05"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let record = app.get(&format!("/public/draws/{no}/record.json"), None).await.body;
    let Verdict::Verified { results, empty_beacon, .. } = verify_json(&record).unwrap() else {
        panic!("the published record must verify")
    };
    let expected: i64 = before["quotas"].as_array().unwrap().iter().map(|q| q["count"].as_i64().unwrap()).sum();
    assert_eq!(results as i64, expected);
    assert!(!empty_beacon);
    let drawn: Value = serde_json::from_str(&record).unwrap();
    for a in drawn["assignments"].as_array().unwrap() {
        assert_eq!(a["team"].as_array().unwrap().len(), 2);
        assert!(
            !(a["entity"] == target.as_str() && a["team"].as_array().unwrap().iter().any(|x| x == badge)),
            "conflict honoured"
        );
    }
    let page = app.get(&format!("/public/draws/{no}"), None).await.body;
    assert!(page.contains(drawn["result_digest"].as_str().unwrap()) && page.contains("draw-result"));
    let actions: Vec<String> = app.audit_actions().await.into_iter().map(|(_, a, _)| a).collect();
    for step in ["plan.create", "plan.commit", "plan.draw", "plan.publish", "conflict.declare"] {
        assert!(actions.iter().any(|a| a == step), "{step} is audited");
    }
}

async fn a_plan_moves_only_forward_and_stale_versions_conflict(backend: Backend) {
    let app = TestApp::new(backend).await;
    let t = app.token("huoqiu").await;
    let id = app.post_json("/api/v1/plans", Some(&t), plan_body()).await.json()["id"].as_str().unwrap().to_owned();
    let draw_draft = app.post_json(&format!("/api/v1/plans/{id}/draw"), Some(&t), json!({"version": 1})).await;
    assert_eq!(draw_draft.status, StatusCode::CONFLICT, "a draft cannot be drawn");
    assert_eq!(
        app.post_json(&format!("/api/v1/plans/{id}/commit"), Some(&t), json!({"version": 1})).await.status,
        StatusCode::OK
    );
    let again = app.post_json(&format!("/api/v1/plans/{id}/commit"), Some(&t), json!({"version": 2})).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "a committed plan cannot change");
    let stale = app.post_json(&format!("/api/v1/plans/{id}/draw"), Some(&t), json!({"version": 1})).await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.body);
    assert_eq!(
        app.post_json(&format!("/api/v1/plans/{id}/draw"), Some(&t), json!({"version": 2})).await.status,
        StatusCode::OK
    );
    let twice = app.post_json(&format!("/api/v1/plans/{id}/draw"), Some(&t), json!({"version": 3})).await;
    assert_eq!(twice.status, StatusCode::CONFLICT, "a plan is drawn once");
}

async fn plans_are_scoped_validated_and_only_offices_manage_them(backend: Backend) {
    let app = TestApp::new(backend).await;
    let huoqiu = app.token("huoqiu").await;
    let id = app.post_json("/api/v1/plans", Some(&huoqiu), plan_body()).await.json()["id"].as_str().unwrap().to_owned();
    let jinzhai = app.token("jinzhai").await;
    assert_eq!(app.get(&format!("/api/v1/plans/{id}"), Some(&jinzhai)).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get(&format!("/api/v1/plans/{id}"), Some(&app.token("luan").await)).await.status, StatusCode::OK);
    let inspector = app.token("inspector1").await;
    assert_eq!(app.get(&format!("/api/v1/plans/{id}"), Some(&inspector)).await.status, StatusCode::OK);
    let r = app.post_json(&format!("/api/v1/plans/{id}/commit"), Some(&inspector), json!({"version": 1})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "inspectors do not draw");
    let mut one = plan_body();
    one["team_size"] = json!(1);
    let r = app.post_json("/api/v1/plans", Some(&huoqiu), one).await;
    assert_eq!((r.status, r.json()["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("team_size")));
    let mut bad = plan_body();
    bad["quotas"]["high"] = json!("many");
    let r = app.post_json("/api/v1/plans", Some(&huoqiu), bad).await;
    assert_eq!(r.json()["error"]["field"], "quota_high");
    let mut too_many = plan_body();
    too_many["quotas"] = json!({"major": "5000"});
    let id = app.post_json("/api/v1/plans", Some(&huoqiu), too_many).await.json()["id"].as_str().unwrap().to_owned();
    let r = app.post_json(&format!("/api/v1/plans/{id}/commit"), Some(&huoqiu), json!({"version": 1})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json()["error"]["message"].as_str().unwrap().contains("asks for 5000"), "{}", r.body);
    let list = app.get("/public/draws", None).await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(!list.body.contains("SC-341522-2023"), "drafts are not listed publicly");
}

crate::on_both_backends!(
    a_plan_is_committed_drawn_published_and_its_record_verifies,
    a_plan_moves_only_forward_and_stale_versions_conflict,
    plans_are_scoped_validated_and_only_offices_manage_them,
);
