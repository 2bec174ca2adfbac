//! The reference scenario (BRIEF §9): loaded through the service layer, it shows exactly the
//! brief's figures for Lu'an in 2023 and the published ranking 14th → 1st, on both backends;
//! each figure's drill-down lists exactly that many records; the CLI prints the same.

use crate::helpers::{TestApp, run_cli};
use serde_json::Value;
use store::Backend;

fn region<'a>(run: &'a Value, code: &str) -> &'a Value {
    run["regions"].as_array().unwrap().iter().find(|r| r["code"] == code).unwrap_or_else(|| panic!("{code} in {run}"))
}

async fn the_reference_scenario_shows_the_brief_figures(backend: Backend) {
    let app = TestApp::with_scenario(backend).await;
    let province = app.token("province").await;
    let figures = app.get("/api/v1/figures?region=341500&period=2023", Some(&province)).await.json();
    let t = &figures["total"];
    let got: Vec<i64> = [
        "major_found",
        "major_closed",
        "enterprises_spot_checked",
        "penalty_decisions",
        "covert_inspections",
        "covert_problems_handled",
        "cross_hazards",
    ]
    .iter()
    .map(|k| t[*k].as_i64().unwrap_or(-1))
    .collect();
    assert_eq!(got, [452, 362, 20_272, 1_830, 62, 282, 321], "{figures}");

    // The published rankings: Lu'an 14th in 2023Q2, 1st in 2023Q3 (▲13).
    let q2 = app.get("/api/v1/evaluations?period=2023Q2", Some(&province)).await.json();
    assert_eq!(region(&q2, "341500")["rank"], 14, "{q2}");
    let q3 = app.get("/api/v1/evaluations?period=2023Q3", Some(&province)).await.json();
    let luan = region(&q3, "341500");
    assert_eq!(
        (luan["rank"].as_i64(), luan["previous_rank"].as_i64(), luan["change"].as_i64()),
        (Some(1), Some(14), Some(13))
    );
    assert_eq!(q3["published"], true, "published when the province ranked it: {q3}");
    assert_eq!(q3["regions"].as_array().unwrap().len(), 16);

    // Drill-downs list exactly the records behind each figure.
    let luan_token = app.token("luan").await;
    let total = |path: String| {
        let app = &app;
        let token = luan_token.clone();
        async move {
            let r = app.get(&path, Some(&token)).await;
            assert_eq!(r.status, axum::http::StatusCode::OK, "{path}: {}", r.body);
            r.json()["total"].as_i64().unwrap()
        }
    };
    let year = "from=2023-01-01&to=2023-12-31";
    assert_eq!(total(format!("/api/v1/hazards?region=341500&grade=major&campaign=any&{year}")).await, 452);
    assert_eq!(
        total(format!("/api/v1/hazards?region=341500&grade=major&campaign=any&status=closed&{year}")).await,
        362
    );
    assert_eq!(total(format!("/api/v1/hazards?region=341500&source=cross_inspection&{year}")).await, 321);
    // One random spot check per enterprise and year: the inspections are the distinct enterprises.
    assert_eq!(total(format!("/api/v1/inspections?region=341500&spot=true&{year}")).await, 20_272);
    assert_eq!(
        total("/api/v1/penalties?region=341500&decided_from=2023-01-01&decided_to=2023-12-31".into()).await,
        1_830
    );

    // The covert-check indicator's drill-down: every problem of the year's visits (296), of
    // which the figure counts the handled ones.
    assert_eq!(t["covert_problems"], 296);
    assert_eq!(total(format!("/api/v1/handovers?region=341500&{year}&per_page=1")).await, 296);
    let q3_problems = total("/api/v1/handovers?region=341500&from=2023-07-01&to=2023-09-30".into()).await;
    assert_eq!(q3_problems, 98, "the 20 visits of 2023Q3 found 98 problems");

    if backend == Backend::Sqlite {
        let url = &app._tdb.url;
        let (code, out, err) = run_cli(url, &["figures", "--region", "341500", "--period", "2023", "--format", "json"]);
        assert_eq!(code, Some(0), "{err}");
        let v: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(
            (v["total"]["major_found"].as_i64(), v["total"]["penalty_decisions"].as_i64()),
            (Some(452), Some(1_830))
        );
        let (code, out, err) = run_cli(
            url,
            &["evaluate", "--period", "2023Q3", "--level", "city", "--parent", "340000", "--format", "json"],
        );
        assert_eq!(code, Some(0), "{err}");
        let v: Value = serde_json::from_str(&out).unwrap();
        let first = &v["regions"][0];
        assert_eq!((first["code"].as_str(), first["change"].as_i64()), (Some("341500"), Some(13)), "{v}");
        for key in ["code", "name", "total", "grade", "rank", "previous_rank", "change", "indicators"] {
            assert!(first.get(key).is_some(), "{key} in {first}");
        }
        assert_eq!(first["indicators"].as_object().unwrap().len(), 8);
        let (code, _, err) = run_cli(url, &["figures", "--region", "341500", "--period", "someday"]);
        assert_eq!(code, Some(2));
        assert!(err.contains("not a year"), "{err}");
        let (code, _, err) = run_cli(url, &["audit", "verify"]);
        assert_eq!(code, Some(0), "every change of the scenario is in an intact audit chain: {err}");
    }
}

crate::on_both_backends!(the_reference_scenario_shows_the_brief_figures);
