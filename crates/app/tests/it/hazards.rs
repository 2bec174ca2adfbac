//! The hazard ledger through the API: the full loop from report to close-out, conflicts,
//! jurisdictions, overdue escalation with an injected date, and the XLSX export.

use crate::helpers::{PW, TestApp};
use axum::http::StatusCode;
use serde_json::{Value, json};
use store::Backend;
use store::domain::access::Role;

const DAY: i64 = 24 * 60 * 60 * 1000;

pub(crate) async fn enterprise1_id(app: &TestApp) -> String {
    let t = app.token("enterprise1").await;
    app.get("/api/v1/me", Some(&t)).await.json()["enterprise_id"].as_str().unwrap().to_owned()
}

pub(crate) fn major(enterprise_id: &str) -> Value {
    json!({
        "enterprise_id": enterprise_id, "description": "液氨储罐区未设置泄漏报警装置", "location": "储罐区",
        "grade": "major", "criterion": "chemicals", "criterion_clause": "第十条", "source": "department_inspection",
        "deadline": "2026-12-31", "responsible_unit": "生产部", "responsible_person": "李四", "listed_level": "county",
        "five_implementations": {"responsibility": "总经理负总责", "measures": "加装报警装置并联锁", "funds_yuan": 120000,
            "deadline": "2026-12-31", "contingency_plan": "泄漏应急预案已修订"},
        "rectification_plan": "12月20日前完成安装调试"
    })
}

async fn step(app: &TestApp, token: &str, id: &str, action: &str, version: i64, note: &str) -> (StatusCode, Value) {
    let r = app
        .post_json(
            &format!("/api/v1/hazards/{id}/transitions"),
            Some(token),
            json!({"action": action, "version": version, "note": note}),
        )
        .await;
    let status = r.status;
    (status, r.json())
}

async fn a_major_hazard_goes_from_report_to_close_out(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (inspector, county, ent) =
        (app.token("inspector1").await, app.token("huoqiu").await, app.token("enterprise1").await);
    let r = app.post_json("/api/v1/hazards", Some(&inspector), major(&enterprise1_id(&app).await)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let h = r.json();
    let id = h["id"].as_str().unwrap().to_owned();
    assert!(h["hazard_no"].as_str().unwrap().starts_with("YH-341522-2026-"));
    assert_eq!((h["status"].as_str(), h["version"].as_i64()), (Some("reported"), Some(1)));

    assert_eq!(step(&app, &ent, &id, "assign", 1, "").await.0, StatusCode::FORBIDDEN, "an enterprise does not assign");
    let (s, h) = step(&app, &county, &id, "assign", 1, "").await;
    assert_eq!((s, h["status"].as_str()), (StatusCode::OK, Some("assigned")));
    let (s, e) = step(&app, &ent, &id, "submit_rectification", 2, "").await;
    assert_eq!(
        (s, e["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("note")),
        "say what was done"
    );
    assert_eq!(step(&app, &ent, &id, "submit_rectification", 2, "已安装报警装置").await.0, StatusCode::OK);
    assert_eq!(
        step(&app, &inspector, &id, "reject", 3, "").await.0,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a rejection needs a reason"
    );
    let (s, h) = step(&app, &inspector, &id, "reject", 3, "未与切断阀联锁").await;
    assert_eq!((s, h["status"].as_str()), (StatusCode::OK, Some("rectifying")));
    assert_eq!(step(&app, &ent, &id, "submit_rectification", 4, "已联锁并测试").await.0, StatusCode::OK);
    assert_eq!(step(&app, &inspector, &id, "verify", 5, "现场核查合格").await.0, StatusCode::OK);
    assert_eq!(step(&app, &inspector, &id, "close", 6, "").await.0, StatusCode::FORBIDDEN, "only an office closes out");
    let (s, h) = step(&app, &county, &id, "close", 6, "同意销号").await;
    assert_eq!((s, h["status"].as_str()), (StatusCode::OK, Some("closed")));
    assert!(h["closed_at"].as_i64().is_some());

    let detail = app.get(&format!("/api/v1/hazards/{id}"), Some(&ent)).await.json();
    let timeline: Vec<(String, String)> = detail["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["actor"].as_str().unwrap().to_owned(), e["action"].as_str().unwrap().to_owned()))
        .collect();
    let expected = [
        ("inspector1", "report"),
        ("huoqiu", "assign"),
        ("enterprise1", "submit_rectification"),
        ("inspector1", "reject"),
        ("enterprise1", "submit_rectification"),
        ("inspector1", "verify"),
        ("huoqiu", "close"),
    ];
    assert_eq!(timeline, expected.map(|(a, b)| (a.to_owned(), b.to_owned())));
    assert_eq!(detail["timeline"][3]["note"], "未与切断阀联锁");
    assert_eq!(detail["hazard"]["five_implementations"]["funds_yuan"], 120000);
    let closed = app.get("/api/v1/hazards?status=closed&grade=major", Some(&county)).await.json();
    assert_eq!(closed["total"], 1);
    let audited = app.audit_actions().await.into_iter().filter(|(_, a, _)| a.starts_with("hazard.")).count();
    assert_eq!(audited, 7, "every step is audited");
}

async fn illegal_steps_and_stale_versions_are_refused_with_409(backend: Backend) {
    let app = TestApp::new(backend).await;
    let county = app.token("huoqiu").await;
    let id = app.post_json("/api/v1/hazards", Some(&county), major(&enterprise1_id(&app).await)).await.json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (s, e) = step(&app, &county, &id, "close", 1, "").await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(e["error"]["message"], "cannot close a hazard that is reported");
    // Two people read version 1; the first to act wins, the second is told to reload.
    let other = app.token("luan").await;
    assert_eq!(step(&app, &county, &id, "assign", 1, "").await.0, StatusCode::OK);
    let (s, e) = step(&app, &other, &id, "assign", 1, "").await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert!(e["error"]["message"].as_str().unwrap().contains("your version 1, now 2"), "{e}");
}

async fn hazards_are_visible_only_within_jurisdiction_and_to_their_own_enterprise(backend: Backend) {
    let app = TestApp::new(backend).await;
    let county = app.token("huoqiu").await;
    let id = app.post_json("/api/v1/hazards", Some(&county), major(&enterprise1_id(&app).await)).await.json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        app.get(&format!("/api/v1/hazards/{id}"), Some(&app.token("jinzhai").await)).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(app.get(&format!("/api/v1/hazards/{id}"), Some(&app.token("luan").await)).await.status, StatusCode::OK);
    assert_eq!(
        app.get(&format!("/api/v1/hazards/{id}"), Some(&app.token("province").await)).await.status,
        StatusCode::OK
    );
    // Another enterprise of the same county sees nothing of it.
    let other = app.get("/api/v1/enterprises?per_page=2", Some(&county)).await.json()["items"][1]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let new = store::user::NewUser {
        username: "enterprise2".into(),
        display_name: "e2".into(),
        role: Role::Enterprise,
        region_code: "341522".into(),
        enterprise_id: Some(other),
        department: None,
        password_hash: inspectorate::service::auth::hash_password(PW).await.unwrap(),
        must_change_password: false,
    };
    let mut tx = app.state.app.db.begin().await.unwrap();
    store::user::create(&mut tx, &new, 0).await.unwrap();
    tx.commit().await.unwrap();
    let e2 = app.token("enterprise2").await;
    assert_eq!(app.get(&format!("/api/v1/hazards/{id}"), Some(&e2)).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get("/api/v1/hazards", Some(&e2)).await.json()["total"], 0);
    assert_eq!(step(&app, &e2, &id, "start_rectifying", 1, "").await.0, StatusCode::NOT_FOUND);
    assert_eq!(app.get("/api/v1/hazards", Some(&app.token("enterprise1").await)).await.json()["total"], 1);
}

async fn overdue_hazards_climb_the_ladder_by_themselves(backend: Backend) {
    let app = TestApp::new(backend).await;
    let county = app.token("huoqiu").await;
    let mut body = major(&enterprise1_id(&app).await);
    body["grade"] = json!("general");
    body["deadline"] = json!("2026-11-29");
    let id = app.post_json("/api/v1/hazards", Some(&county), body).await.json()["id"].as_str().unwrap().to_owned();
    let get = |t: String| {
        let app = &app;
        let id = id.clone();
        async move { app.get(&format!("/api/v1/hazards/{id}"), Some(&t)).await.json()["hazard"].clone() }
    };
    assert_eq!(get(county.clone()).await["escalation"], "none");
    assert_eq!(app.get("/api/v1/hazards?overdue=1", Some(&county)).await.json()["total"], 0);
    app.clock.advance_ms(11 * DAY);
    let county = app.token("huoqiu").await; // the old token idled out
    let h = get(county.clone()).await;
    assert_eq!((h["days_overdue"].as_i64(), h["escalation"].as_str()), (Some(10), Some("supervision_letter")));
    assert_eq!(app.get("/api/v1/hazards?overdue=1", Some(&county)).await.json()["total"], 1);
    let home = app.page("/", &app.browser("huoqiu").await.cookie).await.body;
    assert!(
        home.contains("id=\"overdue-hazards\">1<") && home.contains("id=\"overdue-major\">0<"),
        "the region's page shows it"
    );
    app.clock.advance_ms(25 * DAY);
    let county = app.token("huoqiu").await;
    assert_eq!(get(county.clone()).await["escalation"], "interview");
    // Fixed and verified: no longer overdue, whatever the date.
    for (action, v) in [("assign", 1), ("submit_rectification", 2), ("verify", 3)] {
        assert_eq!(step(&app, &county, &id, action, v, "done").await.0, StatusCode::OK, "{action}");
    }
    assert_eq!(get(county.clone()).await["escalation"], "none");
}

async fn the_export_holds_exactly_the_filtered_ledger_and_formulas_stay_text(backend: Backend) {
    let app = TestApp::new(backend).await;
    let county = app.token("huoqiu").await;
    let eid = enterprise1_id(&app).await;
    for i in 0..3 {
        let mut body = major(&eid);
        body["grade"] = json!("general");
        body["description"] = json!(format!("=HYPERLINK(\"http://x\") 配电箱未接地 {i}"));
        assert_eq!(app.post_json("/api/v1/hazards", Some(&county), body).await.status, StatusCode::CREATED);
    }
    assert_eq!(app.post_json("/api/v1/hazards", Some(&county), major(&eid)).await.status, StatusCode::CREATED);
    let r = app.get("/api/v1/hazards/export.xlsx?grade=general&sort=region", Some(&county)).await;
    assert_eq!(r.status, StatusCode::OK);
    let res = router_bytes(&app, "/api/v1/hazards/export.xlsx?grade=general&sort=region", &county).await;
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(res)).unwrap();
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    let rows: Vec<_> = sheet.rows().skip(1).collect();
    assert_eq!(rows.len(), 3, "exactly the three general hazards");
    for (i, row) in rows.iter().enumerate() {
        assert_eq!(
            row[5].to_string(),
            format!("=HYPERLINK(\"http://x\") 配电箱未接地 {i}"),
            "a formula-like description stays text"
        );
        assert_eq!(row[7].to_string(), "general");
    }
    let r = app.post_json("/api/v1/hazards", Some(&county), json!({"enterprise_id": eid, "description": "x", "grade": "major", "source": "self_check", "deadline": "2026-12-01"})).await;
    assert_eq!(r.json()["error"]["field"], "criterion", "a major hazard names its criterion");
    let mut past = major(&eid);
    past["deadline"] = json!("2020-01-01");
    assert_eq!(app.post_json("/api/v1/hazards", Some(&county), past).await.json()["error"]["field"], "deadline");
}

async fn router_bytes(app: &TestApp, path: &str, token: &str) -> Vec<u8> {
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let req = axum::http::Request::get(path)
        .header("authorization", format!("Bearer {token}"))
        .body(axum::body::Body::empty())
        .unwrap();
    let res = inspectorate::web::router(app.state.clone()).oneshot(req).await.unwrap();
    res.into_body().collect().await.unwrap().to_bytes().to_vec()
}

crate::on_both_backends!(
    a_major_hazard_goes_from_report_to_close_out,
    illegal_steps_and_stale_versions_are_refused_with_409,
    hazards_are_visible_only_within_jurisdiction_and_to_their_own_enterprise,
    overdue_hazards_climb_the_ladder_by_themselves,
    the_export_holds_exactly_the_filtered_ledger_and_formulas_stay_text,
);

pub(crate) async fn upload(app: &TestApp, token: &str, name: &str, bytes: &[u8]) -> crate::helpers::Reply {
    let boundary = "XevidenceX";
    let mut body = format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: image/jpeg\r\n\r\n").into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let req = axum::http::Request::post("/api/v1/evidence")
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", format!("multipart/form-data; boundary={boundary}"))
        .body(axum::body::Body::from(body))
        .unwrap();
    app.send(req).await
}

async fn evidence_is_checked_by_content_stored_once_and_served_only_within_scope(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (inspector, ent) = (app.token("inspector1").await, app.token("enterprise1").await);
    let mut photo = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10];
    photo.extend_from_slice(b"JFIF synthetic photo of the tank farm");
    let r = upload(&app, &inspector, "before.jpg", &photo).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let sm3 = r.json()["sm3"].as_str().unwrap().to_owned();
    assert_eq!(sm3, inspectorate::evidence_files::sm3_hex(&photo));
    assert_eq!(
        upload(&app, &inspector, "again.jpg", &photo).await.json()["sm3"],
        sm3.as_str(),
        "same content, same file"
    );
    let stored: usize = walk(app.evidence.path());
    assert_eq!(stored, 1, "a re-upload is stored once");

    let exe =
        upload(&app, &inspector, "photo.jpg", b"MZ\x90\x00\x03\x00\x00\x00 this program cannot be run in DOS mode")
            .await;
    assert_eq!(exe.status, StatusCode::UNPROCESSABLE_ENTITY, "a renamed executable is refused");
    let mut big = vec![0xFF, 0xD8, 0xFF];
    big.resize(10 * 1024 * 1024 + 1, 0);
    let r = upload(&app, &inspector, "huge.jpg", &big).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "over 10 MB is refused");
    assert!(r.json()["error"]["message"].as_str().unwrap().contains("10 MB"));

    let mut body = major(&enterprise1_id(&app).await);
    body["evidence"] = json!([sm3]);
    let h = app.post_json("/api/v1/hazards", Some(&inspector), body).await.json();
    let id = h["id"].as_str().unwrap().to_owned();
    let county = app.token("huoqiu").await;
    assert_eq!(step(&app, &county, &id, "assign", 1, "").await.0, StatusCode::OK);
    let mut after = vec![0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n'];
    after.extend_from_slice(b"after photo");
    let after_sm3 = upload(&app, &ent, "after.png", &after).await.json()["sm3"].as_str().unwrap().to_owned();
    let r = app
        .post_json(
            &format!("/api/v1/hazards/{id}/transitions"),
            Some(&ent),
            json!({"action": "submit_rectification", "version": 2, "note": "已整改", "evidence": [after_sm3]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let timeline = app.get(&format!("/api/v1/hazards/{id}"), Some(&ent)).await.json()["timeline"].clone();
    assert_eq!(timeline[0]["evidence"], json!([sm3]), "{timeline}");
    assert_eq!(timeline[2]["evidence"], json!([after_sm3]));

    let r = app.get(&format!("/api/v1/evidence/{sm3}"), Some(&ent)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.headers.get("content-type").unwrap(), "image/jpeg");
    assert_eq!(
        r.headers.get("content-disposition").unwrap().to_str().unwrap(),
        format!("attachment; filename=\"{sm3}.jpg\"")
    );
    assert_eq!(
        app.get(&format!("/api/v1/evidence/{sm3}"), Some(&app.token("jinzhai").await)).await.status,
        StatusCode::NOT_FOUND
    );
    let unknown = app
        .post_json(
            &format!("/api/v1/hazards/{id}/evidence"),
            Some(&county),
            json!({"version": 3, "evidence": ["ab".repeat(32)]}),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    let audit = store::audit::list(
        &app.state.app.db,
        &store::audit::AuditFilter { action_prefix: Some("evidence.".into()), ..Default::default() },
        store::domain::page::PageRequest::new(None, None),
    )
    .await
    .unwrap();
    assert!(audit.items.iter().any(|e| e.event.detail.contains(&sm3)), "the SM3 is in the audit entry");
}

fn walk(p: &std::path::Path) -> usize {
    std::fs::read_dir(p)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            if e.file_type().unwrap().is_dir() { walk(&e.path()) } else { 1 }
        })
        .sum()
}

crate::on_both_backends!(evidence_is_checked_by_content_stored_once_and_served_only_within_scope);

async fn a_special_action_collects_its_hazards_and_shows_progress_per_region(backend: Backend) {
    let app = TestApp::new(backend).await;
    let luan = app.token("luan").await;
    let body = json!({"name": "2026年重大事故隐患专项排查整治行动", "start_date": "2026-11-01", "end_date": "2026-12-31",
        "stages": "动员部署,2026-11-01,2026-11-15\n精准执法,2026-11-16,2026-12-31", "targets": "重大隐患整改率不低于90%"});
    let huoqiu = app.token("huoqiu").await;
    assert_eq!(
        app.post_json("/api/v1/campaigns", Some(&huoqiu), body.clone()).await.status,
        StatusCode::FORBIDDEN,
        "a county does not run one"
    );
    let r = app.post_json("/api/v1/campaigns", Some(&luan), body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let cid = r.json()["id"].as_str().unwrap().to_owned();
    assert_eq!(r.json()["stages"].as_array().unwrap().len(), 2);

    let eid = enterprise1_id(&app).await;
    let major_id =
        app.post_json("/api/v1/hazards", Some(&huoqiu), major(&eid)).await.json()["id"].as_str().unwrap().to_owned();
    let mut general = major(&eid);
    general["grade"] = json!("general");
    let general_id = app.post_json("/api/v1/hazards", Some(&huoqiu), general.clone()).await.json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let jinzhai_enterprise = app.get("/api/v1/enterprises?region=341524&per_page=1", Some(&luan)).await.json()["items"]
        [0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    general["enterprise_id"] = json!(jinzhai_enterprise);
    let r = app.post_json("/api/v1/hazards", Some(&luan), general).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    for (action, v) in [("assign", 1), ("submit_rectification", 2), ("verify", 3), ("close", 4)] {
        assert_eq!(step(&app, &huoqiu, &general_id, action, v, "done").await.0, StatusCode::OK);
    }
    let h = app.get(&format!("/api/v1/hazards/{major_id}"), Some(&huoqiu)).await.json();
    assert_eq!(
        app.get(&format!("/api/v1/hazards?campaign={cid}"), Some(&luan)).await.json()["total"],
        3,
        "hazards found in the campaign are linked to it"
    );
    assert_eq!(h["hazard"]["grade"], "major");

    let p = app.get(&format!("/api/v1/campaigns/{cid}"), Some(&luan)).await.json();
    let rows = p["progress"].as_array().unwrap();
    let row = |code: &str| rows.iter().find(|r| r["region_code"] == code).unwrap().clone();
    let hq = row("341522");
    assert_eq!(
        (hq["found"].as_i64(), hq["found_major"].as_i64(), hq["rectified"].as_i64()),
        (Some(2), Some(1), Some(1))
    );
    assert_eq!(
        (hq["rate_percent"].as_f64(), hq["enterprises"].as_i64(), hq["listed"].as_i64()),
        (Some(50.0), Some(1), Some(2))
    );
    assert_eq!(row("341524")["found"], 1);
    let total = row("total");
    assert_eq!(
        (total["found"].as_i64(), total["rectified"].as_i64(), total["enterprises"].as_i64()),
        (Some(3), Some(1), Some(2))
    );
    assert_eq!(total["by_source"]["department_inspection"], json!([3, 1]));
    // A county follows the city's campaign, within its own jurisdiction.
    let county_view = app.get(&format!("/api/v1/campaigns/{cid}"), Some(&huoqiu)).await.json();
    let county_rows = county_view["progress"].as_array().unwrap();
    assert_eq!(county_rows.len(), 2, "Huoqiu and the total: {county_rows:?}");
    assert_eq!(county_rows[1]["found"], 2);
    app.clock.advance_ms(70 * DAY);
    let luan = app.token("luan").await;
    let late = app.get(&format!("/api/v1/campaigns/{cid}"), Some(&luan)).await.json();
    assert_eq!(
        late["progress"].as_array().unwrap().last().unwrap()["overdue_major"],
        1,
        "the open major hazard is now overdue"
    );
}

crate::on_both_backends!(a_special_action_collects_its_hazards_and_shows_progress_per_region);

async fn accidents_are_graded_by_the_highest_criterion_and_scoped(backend: Backend) {
    let app = TestApp::new(backend).await;
    let huoqiu = app.token("huoqiu").await;
    let base = json!({"occurred_at": "2026-11-20T09:30", "place": "霍邱县某建筑工地", "accident_type": "fall_from_height",
        "deaths": 2, "serious_injuries": 0, "direct_loss_yuan": "1,250,000.50", "description": "脚手架坍塌"});
    let r = app.post_json("/api/v1/accidents", Some(&huoqiu), base.clone()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let a = r.json();
    assert_eq!((a["grade"].as_str(), a["direct_loss_fen"].as_i64()), (Some("general"), Some(125_000_050)));
    assert!(a["accident_no"].as_str().unwrap().starts_with("SG-341522-2026-"));
    let mut worse = base.clone();
    worse["serious_injuries"] = json!(50);
    assert_eq!(
        app.post_json("/api/v1/accidents", Some(&huoqiu), worse).await.json()["grade"],
        "major",
        "50 serious injuries is major"
    );
    let mut future = base.clone();
    future["occurred_at"] = json!("2027-01-01T00:00");
    assert_eq!(app.post_json("/api/v1/accidents", Some(&huoqiu), future).await.json()["error"]["field"], "occurred_at");
    let mut bad = base.clone();
    bad["direct_loss_yuan"] = json!("12.345");
    assert_eq!(
        app.post_json("/api/v1/accidents", Some(&huoqiu), bad).await.json()["error"]["field"],
        "direct_loss_yuan"
    );
    let mut elsewhere = base.clone();
    elsewhere["region_code"] = json!("341524");
    assert_eq!(
        app.post_json("/api/v1/accidents", Some(&huoqiu), elsewhere).await.json()["error"]["field"],
        "region_code"
    );
    assert_eq!(app.get("/api/v1/accidents?from=2026-01-01", Some(&huoqiu)).await.json()["total"], 2);
    assert_eq!(
        app.get("/api/v1/accidents?from=2026-01-01", Some(&app.token("jinzhai").await)).await.json()["total"],
        0
    );
    assert_eq!(app.get("/api/v1/accidents?from=2026-01-01", Some(&app.token("luan").await)).await.json()["total"], 2);
    let inspector = app.token("inspector1").await;
    assert_eq!(
        app.post_json("/api/v1/accidents", Some(&inspector), base).await.status,
        StatusCode::FORBIDDEN,
        "inspectors do not record accidents"
    );
}

crate::on_both_backends!(accidents_are_graded_by_the_highest_criterion_and_scoped);

async fn a_hazard_prints_its_rectification_order_and_once_overdue_its_supervision_letter(backend: Backend) {
    let app = TestApp::new(backend).await;
    let county = app.token("huoqiu").await;
    let id = app.post_json("/api/v1/hazards", Some(&county), major(&enterprise1_id(&app).await)).await.json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let b = app.browser("huoqiu").await;
    let order = app.page(&format!("/hazards/{id}/order"), &b.cookie).await;
    assert_eq!(order.status, StatusCode::OK);
    for text in [
        "责令限期整改指令书",
        "霍邱县应急管理局",
        "液氨储罐区未设置泄漏报警装置",
        "第一百零二条",
        "2026年12月31日前整改完毕",
        "print.css",
    ] {
        assert!(order.body.contains(text), "the order shows {text}");
    }
    assert_eq!(
        app.page(&format!("/hazards/{id}/letter"), &b.cookie).await.status,
        StatusCode::CONFLICT,
        "not overdue: no letter"
    );
    app.clock.advance_ms(40 * DAY);
    let b = app.browser("huoqiu").await;
    let letter = app.page(&format!("/hazards/{id}/letter"), &b.cookie).await;
    assert_eq!(letter.status, StatusCode::OK);
    assert!(letter.body.contains("隐患整改督办函") && letter.body.contains("已逾期7天"), "{}", letter.body);
    let other = app.browser("jinzhai").await;
    assert_eq!(app.page(&format!("/hazards/{id}/order"), &other.cookie).await.status, StatusCode::NOT_FOUND);
}

crate::on_both_backends!(a_hazard_prints_its_rectification_order_and_once_overdue_its_supervision_letter);

async fn the_demo_activity_loads_once_through_the_use_cases(backend: Backend) {
    let app = TestApp::new(backend).await;
    assert!(inspectorate::demo::load_activity(&app.state.app).await.unwrap());
    assert!(!inspectorate::demo::load_activity(&app.state.app).await.unwrap(), "loading twice changes nothing");
    let luan = app.token("luan").await;
    assert_eq!(app.get("/api/v1/hazards", Some(&luan)).await.json()["total"], 12);
    assert_eq!(app.get("/api/v1/hazards?status=closed", Some(&luan)).await.json()["total"], 4);
    let campaigns = app.get("/api/v1/campaigns", Some(&luan)).await.json();
    let cid = campaigns[0]["id"].as_str().unwrap();
    let progress = app.get(&format!("/api/v1/campaigns/{cid}"), Some(&luan)).await.json();
    assert_eq!(progress["progress"].as_array().unwrap().last().unwrap()["found"], 12);
    let report = store::audit::verify(&app.state.app.db).await.unwrap();
    assert!(report.first_break.is_none());
}

crate::on_both_backends!(the_demo_activity_loads_once_through_the_use_cases);

async fn hazards_reported_after_a_migrated_ledger_get_fresh_numbers(backend: Backend) {
    let app = TestApp::new(backend).await;
    let county = app.token("huoqiu").await;
    let first = app.post_json("/api/v1/hazards", Some(&county), major(&enterprise1_id(&app).await)).await.json();
    assert_eq!(first["hazard_no"], "YH-341522-2026-000001");
    let legacy = |hazard_no: &str| legacy_hazard(&first, hazard_no);
    let db = &app.state.app.db;
    let mut tx = db.begin().await.unwrap();
    let rows = [legacy("YH-341522-2026-000041"), legacy("YH-341522-2026-000007"), legacy("旧-无编号")];
    store::hazard::insert_historical(&mut tx, &rows, 0).await.unwrap();
    tx.commit().await.unwrap();
    let next = app.post_json("/api/v1/hazards", Some(&county), major(&enterprise1_id(&app).await)).await;
    assert_eq!(next.status, StatusCode::CREATED, "{}", next.body);
    assert_eq!(next.json()["hazard_no"], "YH-341522-2026-000042", "numbering continues after the migrated numbers");
}

crate::on_both_backends!(hazards_reported_after_a_migrated_ledger_get_fresh_numbers);

/// A closed general hazard of a legacy ledger, at the enterprise of `reported` (a hazard as the
/// API answers it), for `store::hazard::insert_historical`.
pub(crate) fn legacy_hazard(reported: &Value, hazard_no: &str) -> store::hazard::HistoricalHazard {
    use store::domain::hazard::{Grade, Source, Status};
    store::hazard::HistoricalHazard {
        hazard: store::hazard::NewHazard {
            region_code: "341522".into(),
            enterprise_id: reported["enterprise_id"].as_str().unwrap().into(),
            credit_code: reported["credit_code"].as_str().unwrap().into(),
            enterprise_name: reported["enterprise_name"].as_str().unwrap().into(),
            sector: reported["sector"].as_str().unwrap().into(),
            description: "旧台账隐患".into(),
            location: String::new(),
            grade: Grade::General,
            criterion: None,
            criterion_clause: None,
            source: Source::SelfCheck,
            deadline: "2026-06-30".into(),
            responsible_unit: String::new(),
            responsible_person: String::new(),
            listed_level: None,
            campaign_id: None,
            found_by_region: None,
            five_implementations: None,
            rectification_plan: String::new(),
            reported_by: "migration".into(),
            reporter_role: "county_office".into(),
            evidence: "[]".into(),
        },
        hazard_no: hazard_no.into(),
        status: Status::Closed,
        reported_at: 0,
        closed_at: Some(0),
    }
}

/// How many hazards the ledger lists for `filter`, page by page (its rows, not its count).
async fn listed_rows(app: &TestApp, token: &str, filter: &str) -> (i64, usize) {
    let (mut rows, mut page, mut total) = (0, 1, None);
    loop {
        let r = app.get(&format!("/api/v1/hazards?per_page=200&page={page}{filter}"), Some(token)).await.json();
        total.get_or_insert(r["total"].as_i64().unwrap());
        let n = r["items"].as_array().unwrap().len();
        rows += n;
        if n < 200 {
            return (total.unwrap_or_default(), rows);
        }
        page += 1;
    }
}

/// The ledger's count for a jurisdiction, a status or a grade comes from the tally kept with
/// every write of a hazard: it must agree with the rows listed after reports, steps (which
/// move a hazard between statuses) and a migrated ledger, for every kind of caller.
async fn the_ledger_count_agrees_with_its_rows_after_reports_steps_and_a_migrated_ledger(backend: Backend) {
    let app = TestApp::new(backend).await;
    let county = app.token("huoqiu").await;
    let e = enterprise1_id(&app).await;
    let first = app.post_json("/api/v1/hazards", Some(&county), major(&e)).await.json();
    let second = app.post_json("/api/v1/hazards", Some(&county), major(&e)).await.json();
    let id = second["id"].as_str().unwrap();
    assert_eq!(step(&app, &county, id, "assign", 1, "").await.0, StatusCode::OK);
    let mut tx = app.state.app.db.begin().await.unwrap();
    let rows = [legacy_hazard(&first, "旧-1"), legacy_hazard(&first, "旧-2")];
    store::hazard::insert_historical(&mut tx, &rows, 0).await.unwrap();
    tx.commit().await.unwrap();

    let filters = [
        "",
        "&status=reported",
        "&status=assigned",
        "&status=closed",
        "&grade=major",
        "&grade=general",
        "&grade=major&status=assigned",
        "&region=341522",
        "&region=341502&status=closed",
        "&source=self_check",
    ];
    let mut seen = Vec::new();
    for user in ["huoqiu", "luan", "province", "huoqiu_housing", "enterprise1"] {
        let token = app.token(user).await;
        for filter in filters {
            let (total, rows) = listed_rows(&app, &token, filter).await;
            assert_eq!(total, rows as i64, "{user}{filter}: the count and the rows listed");
            seen.push((user, filter, total));
        }
    }
    let count = |user: &str, filter: &str| seen.iter().find(|s| s.0 == user && s.1 == filter).map(|s| s.2);
    assert!(count("huoqiu", "&status=assigned").is_some_and(|n| n >= 1), "{seen:?}");
    assert!(count("huoqiu", "&grade=general").is_some_and(|n| n >= 2), "the migrated ledger is counted: {seen:?}");
    assert!(count("province", "").unwrap_or(0) >= count("huoqiu", "").unwrap_or(i64::MAX), "{seen:?}");
}

crate::on_both_backends!(the_ledger_count_agrees_with_its_rows_after_reports_steps_and_a_migrated_ledger);

/// Steps moving hazards of one county between the same two statuses in opposite directions at
/// once (submit and reject) each change the same two tally rows; on PostgreSQL, where a changed
/// row stays locked until commit, they must not deadlock (a 500 for the user), and the counts
/// must still agree with the rows.
async fn opposite_steps_at_once_neither_deadlock_nor_miscount(backend: Backend) {
    let app = std::sync::Arc::new(TestApp::new(backend).await);
    let county = app.token("huoqiu").await;
    let e = enterprise1_id(&app).await;
    let mut hazards = Vec::new();
    for i in 0..8 {
        let id =
            app.post_json("/api/v1/hazards", Some(&county), major(&e)).await.json()["id"].as_str().unwrap().to_owned();
        assert_eq!(step(&app, &county, &id, "assign", 1, "").await.0, StatusCode::OK);
        assert_eq!(step(&app, &county, &id, "submit_rectification", 2, "已整改").await.0, StatusCode::OK);
        // Half of them one step further, so that the rounds below go both ways at once.
        let version = if i % 2 == 0 {
            assert_eq!(step(&app, &county, &id, "reject", 3, "退回").await.0, StatusCode::OK);
            4
        } else {
            3
        };
        hazards.push((id, version, i % 2 == 0));
    }
    let tasks: Vec<_> = hazards
        .into_iter()
        .map(|(id, mut version, mut rectifying)| {
            let (app, county) = (app.clone(), county.clone());
            tokio::spawn(async move {
                for _ in 0..6 {
                    let (action, note) =
                        if rectifying { ("submit_rectification", "已整改") } else { ("reject", "退回") };
                    let (status, body) = step(&app, &county, &id, action, version, note).await;
                    assert_eq!(status, StatusCode::OK, "{action} of {id}: {body}");
                    (version, rectifying) = (version + 1, !rectifying);
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    for filter in ["&status=submitted", "&status=rectifying", "&grade=major", ""] {
        let (total, rows) = listed_rows(&app, &county, filter).await;
        assert_eq!(total, rows as i64, "huoqiu{filter}: the count and the rows listed");
    }
}

crate::on_both_backends!(opposite_steps_at_once_neither_deadlock_nor_miscount);
