//! Focused guidance through the API: flags computed from the records with their numbers, a
//! group that must include the five departments, its visit, and an issue handed to the county
//! government that escalates when overdue and is answered and accepted.

use crate::helpers::TestApp;
use axum::http::StatusCode;
use serde_json::{Value, json};
use store::Backend;

const DAY_MS: i64 = 86_400_000;

fn county<'a>(overview: &'a Value, code: &str) -> &'a Value {
    overview["counties"].as_array().unwrap().iter().find(|c| c["region_code"] == code).unwrap()
}

fn five() -> Value {
    json!([
        {"department": "public-security", "name": "李警官", "unit": "市公安局治安支队"},
        {"department": "housing", "name": "王工", "unit": "市住建局"},
        {"department": "transport", "name": "赵科长", "unit": "市交通运输局"},
        {"department": "emergency", "name": "陈处长", "unit": "市应急管理局"},
        {"department": "fire", "name": "刘队长", "unit": "市消防救援支队"}
    ])
}

async fn counties_are_flagged_with_the_numbers_that_fired(backend: Backend) {
    let app = TestApp::new(backend).await;
    let luan = app.token("luan").await;
    let huoqiu = app.token("huoqiu").await;
    // Huoqiu: one accident last quarter, three this quarter (2 deaths); target 2 accidents.
    for (when, deaths) in
        [("2026-08-10T10:00", 0), ("2026-10-05T10:00", 1), ("2026-11-02T10:00", 1), ("2026-11-20T10:00", 0)]
    {
        let body = json!({"occurred_at": when, "place": "霍邱县某厂", "accident_type": "other", "deaths": deaths,
            "serious_injuries": 0, "direct_loss_yuan": "1000", "description": "测试"});
        let r = app.post_json("/api/v1/accidents", Some(&huoqiu), body).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }
    let r = app
        .post_json(
            "/api/v1/guidance/targets",
            Some(&luan),
            json!({"county": "341522", "year": 2026, "max_accidents": 2}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let o = app.get("/api/v1/guidance/counties?quarter=2026Q4", Some(&luan)).await.json();
    assert_eq!(o["quarter"], "2026Q4");
    let h = county(&o, "341522");
    assert_eq!((h["figures"]["accidents"].as_i64(), h["figures"]["prev_accidents"].as_i64()), (Some(3), Some(1)));
    let flags: Vec<(&str, i64, i64)> = h["flags"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == "situation")
        .map(|f| (f["rule"].as_str().unwrap(), f["value"].as_i64().unwrap(), f["compared_with"].as_i64().unwrap()))
        .collect();
    assert_eq!(flags, [("accidents_rose", 3, 1), ("deaths_rose", 2, 0), ("accidents_above_target", 3, 2)]);
    let jinzhai = county(&o, "341524");
    assert!(jinzhai["flags"].as_array().unwrap().iter().all(|f| f["kind"] != "situation"), "no accidents in Jinzhai");
    // Progress: the city's coverage equals the sum over its counties.
    let sum =
        |k: &str| o["counties"].as_array().unwrap().iter().map(|c| c["figures"][k].as_i64().unwrap()).sum::<i64>();
    assert_eq!(o["city"]["enterprises"].as_i64(), Some(sum("enterprises")));
    assert!(o["city"]["enterprises"].as_i64().unwrap() >= 2_000);
    // Only a city office sees the overview.
    assert_eq!(app.get("/api/v1/guidance/counties", Some(&huoqiu)).await.status, StatusCode::FORBIDDEN);
    let bad = app.get("/api/v1/guidance/counties?quarter=2026Q9", Some(&luan)).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
}

async fn a_group_needs_five_departments_visits_and_hands_issues_to_the_county(backend: Backend) {
    let app = TestApp::new(backend).await;
    let luan = app.token("luan").await;
    let mut four = five();
    four.as_array_mut().unwrap().retain(|m| m["department"] != "fire");
    let body = |members: Value| json!({"name": "霍邱县安全生产督导组", "county": "341522", "members": members, "visit_on": "2026-12-03"});
    let r = app.post_json("/api/v1/guidance-groups", Some(&luan), body(four)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json()["error"]["message"].as_str().unwrap().contains("fire"), "{}", r.body);
    let r = app.post_json("/api/v1/guidance-groups", Some(&luan), body(five())).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let g = r.json();
    let id = g["id"].as_str().unwrap().to_owned();
    assert_eq!(g["members"].as_array().unwrap().len(), 5);
    let inspections_before = store::sql::query("SELECT COUNT(*) AS n FROM inspection")
        .fetch_one(app.state.app.db.reader())
        .await
        .unwrap()
        .int("n")
        .unwrap();

    let early = app
        .post_json(
            &format!("/api/v1/guidance-groups/{id}/issues"),
            Some(&luan),
            json!({"description": "x", "deadline": "2026-12-10"}),
        )
        .await;
    assert_eq!(early.status, StatusCode::CONFLICT, "issues come from the visit");
    let visit = json!({"version": 1, "visited_at": "2026-11-28T09:00", "summary": "县政府对重大隐患挂牌督办不力"});
    let r = app.post_json(&format!("/api/v1/guidance-groups/{id}/visit"), Some(&luan), visit).await;
    assert_eq!((r.status, r.json()["status"].as_str()), (StatusCode::OK, Some("visited")), "{}", r.body);
    let r = app
        .post_json(
            &format!("/api/v1/guidance-groups/{id}/issues"),
            Some(&luan),
            json!({"description": "重大隐患挂牌督办未落实", "deadline": "2026-12-01"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let issue = r.json();
    assert!(issue["problem_no"].as_str().unwrap().starts_with("DD-341500-"));
    let iid = issue["id"].as_str().unwrap().to_owned();
    let after = store::sql::query("SELECT COUNT(*) AS n FROM inspection")
        .fetch_one(app.state.app.db.reader())
        .await
        .unwrap()
        .int("n")
        .unwrap();
    assert_eq!(after, inspections_before, "guidance records no inspection and counts toward no cap");

    // The county sees the group and the issue, answers it after it went overdue; the city accepts.
    let huoqiu = app.token("huoqiu").await;
    assert_eq!(app.get(&format!("/api/v1/guidance-groups/{id}"), Some(&huoqiu)).await.status, StatusCode::OK);
    let jinzhai = app.token("jinzhai").await;
    assert_eq!(app.get(&format!("/api/v1/guidance-groups/{id}"), Some(&jinzhai)).await.status, StatusCode::NOT_FOUND);
    app.clock.advance_ms(4 * DAY_MS); // 2026-12-02: one day past 2026-12-01
    let huoqiu = app.token("huoqiu").await;
    let v = app.get(&format!("/api/v1/handovers/{iid}"), Some(&huoqiu)).await.json();
    assert_eq!(
        (v["problem"]["days_overdue"].as_i64(), v["problem"]["escalation"].as_str()),
        (Some(1), Some("reminder"))
    );
    let path = format!("/api/v1/handovers/{iid}/transitions");
    let r = app
        .post_json(&path, Some(&huoqiu), json!({"action": "answer", "version": 1, "note": "已召开专题会议部署整改"}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let luan = app.token("luan").await;
    let r = app.post_json(&path, Some(&luan), json!({"action": "accept", "version": 2})).await;
    assert_eq!((r.json()["handover_status"].as_str(), r.json()["handled"].as_bool()), (Some("accepted"), Some(true)));
    let b = app.browser("luan").await;
    let page = app.page(&format!("/guidance/{id}"), &b.cookie).await;
    assert!(page.body.contains("重大隐患挂牌督办未落实") && page.body.contains("DD-341500-"), "{}", page.body);
    assert_eq!(app.page("/guidance", &b.cookie).await.status, StatusCode::OK);
}

crate::on_both_backends!(
    counties_are_flagged_with_the_numbers_that_fired,
    a_group_needs_five_departments_visits_and_hands_issues_to_the_county
);
