//! The quarterly evaluation through the API and the CLI: ranks with ties and a veto on records
//! with a hand-computed answer, previous rank and change, publish-and-freeze, and a later
//! change to old records shown as a difference.

use crate::helpers::TestApp;
use axum::http::StatusCode;
use serde_json::{Value, json};
use store::Backend;

async fn accident(app: &TestApp, token: &str, deaths: i64) {
    let body = json!({"occurred_at": "2026-11-20T10:00", "place": "某厂", "accident_type": "other", "deaths": deaths,
        "serious_injuries": 0, "direct_loss_yuan": "0", "description": "测试"});
    let r = app.post_json("/api/v1/accidents", Some(token), body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
}

fn region<'a>(run: &'a Value, code: &str) -> &'a Value {
    run["regions"].as_array().unwrap().iter().find(|r| r["code"] == code).unwrap()
}

async fn counties_are_ranked_vetoed_published_and_frozen(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (luan, huoqiu, jinzhai) = (app.token("luan").await, app.token("huoqiu").await, app.token("jinzhai").await);
    accident(&app, &huoqiu, 10).await; // a major accident (10 deaths): veto
    accident(&app, &jinzhai, 0).await;
    let run = app.get("/api/v1/evaluations?period=2026Q4", Some(&luan)).await.json();
    assert_eq!(run["regions"].as_array().unwrap().len(), 7, "Lu'an's seven county-level divisions");
    // Hand-computed with the default scheme: with no records every rate has no basis (full
    // points) and the accident change 0 scores (5 - 0) / 10 of 15 = 7.5, so 92.5; Jinzhai's one
    // accident scores 6.0, so 91.0; Huoqiu (11 accidents and deaths) scores 0 there and is vetoed.
    let h = region(&run, "341522");
    assert_eq!((h["rank"].as_i64(), h["grade"].as_str(), h["total"].as_f64()), (Some(7), Some("fail"), Some(85.0)));
    assert!(h["veto"].as_str().unwrap().contains("accident"));
    let j = region(&run, "341524");
    assert_eq!(
        (j["rank"].as_i64(), j["total"].as_f64(), j["grade"].as_str()),
        (Some(6), Some(91.0), Some("excellent"))
    );
    assert_eq!(j["indicators"]["accidents_change"], json!({"value": 1.0, "points": 6.0}));
    let others: Vec<&Value> =
        run["regions"].as_array().unwrap().iter().filter(|r| r["code"] != "341522" && r["code"] != "341524").collect();
    assert!(others.iter().all(|r| r["rank"] == 1 && r["total"] == 92.5), "ties share rank 1: {others:?}");
    assert_eq!(
        (j["previous_rank"].as_i64(), j["change"].as_i64()),
        (Some(1), Some(-5)),
        "2026Q3 had no records: all first"
    );
    // Recomputing gives the identical run.
    let again = app.get("/api/v1/evaluations?period=2026Q4", Some(&luan)).await.json();
    assert_eq!(run, again);
    // Publish: frozen; a second publish is refused; a later change shows as a difference.
    let r = app.post_json("/api/v1/evaluations/publish", Some(&luan), json!({"period": "2026Q4"})).await;
    assert_eq!((r.status, r.json()["published"].as_bool()), (StatusCode::OK, Some(true)), "{}", r.body);
    assert_eq!(
        app.post_json("/api/v1/evaluations/publish", Some(&luan), json!({"period": "2026Q4"})).await.status,
        StatusCode::CONFLICT
    );
    accident(&app, &jinzhai, 0).await;
    let later = app.get("/api/v1/evaluations?period=2026Q4", Some(&luan)).await.json();
    assert_eq!(region(&later, "341524")["total"], 91.0, "the published ranking does not change silently");
    assert_eq!(later["changed_since_publication"], json!(["341524"]));
    assert_eq!(later["inputs_digest"], run["inputs_digest"]);
    // The province ranks the cities; Lu'an carries Huoqiu's veto.
    let province = app.token("province").await;
    let cities = app.get("/api/v1/evaluations?period=2026Q4", Some(&province)).await.json();
    assert_eq!(cities["regions"].as_array().unwrap().len(), 16);
    assert_eq!(region(&cities, "341500")["rank"], 16);
    // Who may: not a county, not another city's counties.
    assert_eq!(app.get("/api/v1/evaluations?period=2026Q4", Some(&huoqiu)).await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.get("/api/v1/evaluations?period=2026Q4&parent=340000", Some(&luan)).await.status,
        StatusCode::NOT_FOUND
    );
    // The page shows the ranking with drill-down links and the published mark.
    let b = app.browser("luan").await;
    let page = app.page("/evaluation?period=2026Q4", &b.cookie).await;
    assert!(page.body.contains("id=\"published\"") && page.body.contains("id=\"changed-since\""), "{}", page.body);
    assert!(page.body.contains("/accidents?from=2026-10-01&#38;to=2026-12-31"), "drill-down links");
    assert_eq!(page.body.matches("class=\"rank-line\"").count(), 7, "a rank line per county over four quarters");
    // The bulletin: a printable page with the ranking and the commentary; the ranking as XLSX.
    let bulletin = app.page("/evaluation/bulletin?period=2026Q4", &b.cookie).await;
    assert_eq!(bulletin.status, StatusCode::OK);
    assert!(
        bulletin.body.contains("2026年第4季度")
            && bulletin.body.contains("一票否决")
            && bulletin.body.contains("霍邱县"),
        "{}",
        bulletin.body
    );
    assert!(bulletin.body.contains("下降6位"), "Huoqiu fell from 1st to 7th: {}", bulletin.body);
    let xlsx = app.page("/evaluation/export.xlsx?period=2026Q4", &b.cookie).await;
    assert_eq!(xlsx.status, StatusCode::OK);
    assert!(xlsx.headers.get("content-type").unwrap().to_str().unwrap().contains("spreadsheetml"));
}

crate::on_both_backends!(counties_are_ranked_vetoed_published_and_frozen);
