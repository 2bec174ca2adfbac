//! The figures of BRIEF §9 on constructed records with a hand-counted answer, their breakdown
//! by region, the drill-down lists that must hold the same numbers, the dashboard page and the
//! `figures` command.

use crate::helpers::TestApp;
use axum::http::StatusCode;
use serde_json::{Value, json};
use store::Backend;

async fn hazard(app: &TestApp, token: &str, enterprise: &str, grade: &str) -> String {
    let mut body = json!({"enterprise_id": enterprise, "description": "测试隐患", "grade": grade, "source": "department_inspection",
        "deadline": "2026-12-31", "responsible_unit": "生产部", "responsible_person": "张三"});
    if grade == "major" {
        body["criterion"] = json!("chemicals");
        body["criterion_clause"] = json!("第十条");
        body["five_implementations"] = json!({"responsibility": "总经理", "measures": "整改", "funds_yuan": 1000,
            "deadline": "2026-12-31", "contingency_plan": "预案"});
        body["rectification_plan"] = json!("按期整改");
    }
    let r = app.post_json("/api/v1/hazards", Some(token), body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.json()["id"].as_str().unwrap().to_owned()
}

async fn figures_count_the_records_and_the_drill_downs_hold_the_same_numbers(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (luan, huoqiu, jinzhai) = (app.token("luan").await, app.token("huoqiu").await, app.token("jinzhai").await);
    let campaign = json!({"name": "重大事故隐患专项排查整治", "start_date": "2026-11-01", "end_date": "2026-12-31",
        "stages": "", "targets": ""});
    assert_eq!(app.post_json("/api/v1/campaigns", Some(&luan), campaign).await.status, StatusCode::CREATED);
    let hq = app.get("/api/v1/enterprises?region=341522&risk=major&per_page=2", Some(&luan)).await.json();
    let (e1, e2) =
        (hq["items"][0]["id"].as_str().unwrap().to_owned(), hq["items"][1]["id"].as_str().unwrap().to_owned());
    // Huoqiu: two major hazards in the special action (one closed) and one general.
    let m1 = hazard(&app, &huoqiu, &e1, "major").await;
    hazard(&app, &huoqiu, &e2, "major").await;
    hazard(&app, &huoqiu, &e1, "general").await;
    for (action, v) in [("assign", 1), ("submit_rectification", 2), ("verify", 3), ("close", 4)] {
        let r = app
            .post_json(
                &format!("/api/v1/hazards/{m1}/transitions"),
                Some(&huoqiu),
                json!({"action": action, "version": v, "note": "ok"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
    // Jinzhai: one accident with one death.
    let accident = json!({"occurred_at": "2026-11-20T10:00", "place": "金寨县", "accident_type": "other", "deaths": 1,
        "serious_injuries": 0, "direct_loss_yuan": "0", "description": "测试"});
    assert_eq!(app.post_json("/api/v1/accidents", Some(&jinzhai), accident).await.status, StatusCode::CREATED);
    // One covert inspection with two problems handed to Huoqiu, one of them accepted.
    let plan = json!({"name": "暗访", "date_from": "2026-11-28", "date_to": "2026-11-30", "targets": [e1]});
    let r = app.post_json("/api/v1/covert-plans", Some(&luan), plan).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let pid = r.json()["id"].as_str().unwrap().to_owned();
    let visit = json!({"version": 1, "visited_at": "2026-11-28T09:00", "place": "霍邱"});
    assert_eq!(
        app.post_json(&format!("/api/v1/covert-plans/{pid}/visit"), Some(&luan), visit).await.status,
        StatusCode::OK
    );
    let mut handed = Vec::new();
    for d in ["问题一", "问题二"] {
        let body = json!({"description": d, "handover": {"region_code": "341522", "deadline": "2026-12-10"}});
        handed.push(
            app.post_json(&format!("/api/v1/covert-plans/{pid}/problems"), Some(&luan), body).await.json()["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    let t = |a: &str, v: i64| json!({"action": a, "version": v, "note": "已整改"});
    app.post_json(&format!("/api/v1/handovers/{}/transitions", handed[0]), Some(&huoqiu), t("answer", 1)).await;
    app.post_json(&format!("/api/v1/handovers/{}/transitions", handed[0]), Some(&luan), t("accept", 2)).await;

    let f = app.get("/api/v1/figures?region=341500&period=2026", Some(&luan)).await.json();
    let total = &f["total"];
    let got: Vec<i64> = [
        "major_found",
        "major_closed",
        "hazards_found",
        "hazards_rectified",
        "covert_inspections",
        "covert_problems_handled",
        "cross_hazards",
        "penalty_decisions",
        "accidents",
        "deaths",
    ]
    .iter()
    .map(|k| total[k].as_i64().unwrap())
    .collect();
    assert_eq!(got, [2, 1, 3, 1, 1, 1, 0, 0, 1, 1], "{total}");
    let row = |code: &str| {
        f["by_region"].as_array().unwrap().iter().find(|r| r[0] == code).map(|r| r[1].clone()).unwrap_or(Value::Null)
    };
    assert_eq!(row("341522")["hazards_found"], 3);
    assert_eq!(row("341524")["deaths"], 1);
    assert_eq!(row("341500")["covert_inspections"], 1, "the city's own covert checks count under the city");
    let november = f["monthly"].as_array().unwrap().iter().find(|m| m[0] == "2026-11").unwrap().clone();
    assert_eq!(november, json!(["2026-11", 3, 1]));
    assert_eq!(f["monthly"].as_array().unwrap().len(), 12);
    // The trend's months are clipped to the period: the hazards of 28 November fall in the
    // first month of a period that starts that day, and outside one that ends the day before.
    let trend = |period: &str| {
        let (app, luan) = (&app, &luan);
        let url = format!("/api/v1/figures?region=341500&period={period}");
        async move { app.get(&url, Some(luan)).await.json()["monthly"].clone() }
    };
    assert_eq!(trend("2026-11-28..2027-01-02").await, json!([["2026-11", 3, 1], ["2026-12", 0, 0], ["2027-01", 0, 0]]));
    assert_eq!(trend("2026-10-15..2026-11-27").await, json!([["2026-10", 0, 0], ["2026-11", 0, 0]]));
    // Drill-down: the lists behind the figures hold the same numbers.
    let list = |q: &str| {
        let (app, luan) = (&app, &luan);
        let q = q.to_owned();
        async move {
            app.get(&format!("/api/v1/hazards?region=341500&from=2026-01-01&to=2026-12-31{q}"), Some(luan)).await.json()
                ["total"]
                .as_i64()
                .unwrap()
        }
    };
    assert_eq!(list("&grade=major&campaign=any").await, 2);
    assert_eq!(list("&grade=major&campaign=any&status=closed").await, 1);
    assert_eq!(list("").await, 3);
    // Scope: a county sees its own figures, not the city's; another year is empty.
    assert_eq!(
        app.get("/api/v1/figures?region=341500&period=2026", Some(&jinzhai)).await.status,
        StatusCode::NOT_FOUND
    );
    let own = app.get("/api/v1/figures?period=2026Q4", Some(&huoqiu)).await.json();
    assert_eq!((own["region"].as_str(), own["total"]["hazards_found"].as_i64()), (Some("341522"), Some(3)));
    assert_eq!(own["total"]["covert_problems_handled"], 1);
    let before = app.get("/api/v1/figures?region=341500&period=2025", Some(&luan)).await.json();
    assert_eq!(before["total"]["hazards_found"], 0);
    // The dashboard shows them with charts and drill-down links.
    let b = app.browser("luan").await;
    let page = app.page("/dashboard?period=2026", &b.cookie).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("<svg") && page.body.contains("campaign=any"), "{}", page.body);
}

crate::on_both_backends!(figures_count_the_records_and_the_drill_downs_hold_the_same_numbers);

/// A quarter's or a year's hazard figures are sums of the monthly tally, kept with every
/// report, step and migrated ledger; a period that cuts a month counts the hazards themselves.
/// Both must give the same numbers: hazards of every status, in and out of a special action,
/// from cross-inspections, on both sides of a month's first instant in Beijing, then moved by
/// steps (closed, rejected, verified).
async fn the_monthly_tally_and_the_hazards_give_the_same_figures(backend: Backend) {
    use store::domain::hazard::{Grade, Source, Status};
    use store::domain::period::month_start_ms;
    let app = TestApp::new(backend).await;
    let (luan, huoqiu) = (app.token("luan").await, app.token("huoqiu").await);
    let campaign =
        json!({"name": "专项整治", "start_date": "2025-01-01", "end_date": "2026-12-31", "stages": "", "targets": ""});
    let campaign =
        app.post_json("/api/v1/campaigns", Some(&luan), campaign).await.json()["id"].as_str().unwrap().to_owned();
    let e = crate::hazards::enterprise1_id(&app).await;
    let reported = app.post_json("/api/v1/hazards", Some(&huoqiu), crate::hazards::major(&e)).await.json();
    let may = month_start_ms("2025-05").unwrap();
    let statuses = [Status::Reported, Status::Rectifying, Status::Submitted, Status::Verified, Status::Closed];
    let rows: Vec<_> = (0..60_i64)
        .map(|i| {
            let mut h = crate::hazards::legacy_hazard(&reported, &format!("月-{i}"));
            h.status = statuses[(i % 5) as usize];
            h.hazard.grade = if i % 3 == 0 { Grade::Major } else { Grade::General };
            h.hazard.campaign_id = (i % 2 == 0).then(|| campaign.clone());
            h.hazard.source = if i % 7 == 0 { Source::CrossInspection } else { Source::SelfCheck };
            // Around the first instant of May (Beijing), and spread over the year.
            h.reported_at = match i % 4 {
                0 => may,
                1 => may - 1,
                _ => may + (i - 30) * 3 * 86_400_000,
            };
            h.closed_at = (h.status == Status::Closed).then_some(h.reported_at);
            h
        })
        .collect();
    let mut tx = app.state.app.db.begin().await.unwrap();
    store::hazard::insert_historical(&mut tx, &rows, may).await.unwrap();
    tx.commit().await.unwrap();
    // This year's hazards, moved by steps.
    for steps in [
        &["assign", "submit_rectification", "verify", "close"][..],
        &["assign", "submit_rectification", "reject"],
        &["assign"],
        &[],
    ] {
        let body = crate::hazards::major(&e);
        let id = app.post_json("/api/v1/hazards", Some(&huoqiu), body).await.json()["id"].as_str().unwrap().to_owned();
        for (v, action) in steps.iter().enumerate() {
            let step = json!({"action": action, "version": v + 1, "note": "ok"});
            let r = app.post_json(&format!("/api/v1/hazards/{id}/transitions"), Some(&huoqiu), step).await;
            assert_eq!(r.status, StatusCode::OK, "{action}: {}", r.body);
        }
    }
    let figures = |region: &str, period: &str| {
        let (app, luan) = (&app, &luan);
        let url = format!("/api/v1/figures?region={region}&period={period}");
        async move { app.get(&url, Some(luan)).await.json() }
    };
    let hazard_figures = |f: &Value| {
        ["hazards_found", "hazards_rectified", "major_found", "major_closed", "cross_hazards"]
            .map(|k| f["total"][k].as_i64().unwrap())
    };
    for region in ["341500", "341522"] {
        for (whole, cut) in [("2025", "2025-01-01..2025-12-30"), ("2026", "2026-01-01..2026-12-30")] {
            let (tallied, counted) = (figures(region, whole).await, figures(region, cut).await);
            assert_eq!(hazard_figures(&tallied), hazard_figures(&counted), "{region} {whole}");
            assert_eq!(tallied["monthly"], counted["monthly"], "{region} {whole}: the months");
        }
    }
    // The migration that filled the tally from the hazards already there (0024) reckons the
    // month in SQL: run on these hazards, it gives the rows kept by the writes above.
    let migration = match backend {
        Backend::Sqlite => include_str!("../../../store/migrations/sqlite/0024_hazard_month_tally.sql"),
        Backend::Postgres => include_str!("../../../store/migrations/postgres/0024_hazard_month_tally.sql"),
    };
    let fill = migration[migration.find("SELECT region_code, month").unwrap()..].trim_end().trim_end_matches(';');
    let rows = |sql: String| {
        let db = &app.state.app.db;
        async move {
            let rows = store::sql::dynamic_query(sql).fetch_all(db.reader()).await.unwrap();
            rows.iter()
                .map(|r| {
                    let t = |c: &str| r.text(c).unwrap();
                    let i = |c: &str| r.int(c).unwrap();
                    (t("region_code"), t("month"), t("status"), i("major_in_campaign"), i("cross_inspection"), i("n"))
                })
                .collect::<std::collections::BTreeSet<_>>()
        }
    };
    let kept = rows("SELECT * FROM hazard_month_tally WHERE n <> 0".into()).await;
    let filled = rows(format!(
        "SELECT region_code, month, status, CAST(major_in_campaign AS BIGINT) AS major_in_campaign,
                CAST(cross_inspection AS BIGINT) AS cross_inspection, n FROM ({fill}) f"
    ))
    .await;
    assert_eq!(filled, kept);
    assert!(kept.iter().any(|k| k.1 == "2025-04") && kept.iter().any(|k| k.1 == "2026-11"), "{kept:?}");
    let year = figures("341500", "2025").await;
    assert_eq!(year["total"]["hazards_found"], 60, "{}", year["total"]);
    // Hand-counted: 15 a millisecond before May in Beijing and 4 spread ones in April; 15 at
    // its first instant and 6 spread ones in May.
    let month = |m: &str| year["monthly"].as_array().unwrap().iter().find(|x| x[0] == m).unwrap()[1].clone();
    assert_eq!((month("2025-04"), month("2025-05")), (json!(19), json!(21)));
    // This year: the first report and four more, all major and in the special action (a report
    // falls into the action running where it is found), one of them closed.
    let this_year = figures("341522", "2026").await;
    assert_eq!(hazard_figures(&this_year)[..4], [5, 1, 5, 1], "{}", this_year["total"]);
}

crate::on_both_backends!(the_monthly_tally_and_the_hazards_give_the_same_figures);
