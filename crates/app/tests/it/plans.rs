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
    let committed_text = published.body.clone();
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
    assert!(
        record.starts_with(committed_text.trim_end().strip_suffix('}').unwrap()),
        "the record published at commit is, byte for byte, the start of the full record"
    );
    let drawn: Value = serde_json::from_str(&record).unwrap();
    assert_eq!(drawn["plan_no"], no.as_str(), "the plan's fields stay in the full record");
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

async fn drawn(app: &TestApp, t: &str, body: Value) -> (String, Value) {
    let id = app.post_json("/api/v1/plans", Some(t), body).await.json()["id"].as_str().unwrap().to_owned();
    let committed = app.post_json(&format!("/api/v1/plans/{id}/commit"), Some(t), json!({"version": 1})).await;
    assert_eq!(committed.status, StatusCode::OK, "{}", committed.body);
    let r = app.post_json(&format!("/api/v1/plans/{id}/draw"), Some(t), json!({"version": 2, "beacon": "b"})).await;
    let no = r.json()["plan_no"].as_str().unwrap().to_owned();
    (id, app.get(&format!("/public/draws/{no}/record.json"), None).await.json())
}

async fn inspections_follow_the_drawn_team_count_toward_the_cap_and_feed_the_next_draw(backend: Backend) {
    let app = TestApp::new(backend).await;
    let t = app.token("huoqiu").await;
    let mut body = plan_body();
    body["quotas"] = json!({"major": "2"});
    let (plan_id, record) = drawn(&app, &t, body.clone()).await;
    let first = record["assignments"][0].clone();
    let second = record["assignments"][1].clone();
    let code = first["entity"].as_str().unwrap();
    let team: Vec<String> = first["team"].as_array().unwrap().iter().map(|x| x.as_str().unwrap().to_owned()).collect();
    let eid = app.get(&format!("/api/v1/enterprises?q={code}"), Some(&t)).await.json()["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let inspection = |officers: Value, extra: Value| {
        let mut b = json!({"enterprise_id": eid, "plan_id": plan_id, "inspected_at": "2026-11-27T10:00", "officers": officers,
            "items": [{"item": "安全生产责任制", "result": "pass"}, {"item": "配电设施", "result": "fail", "note": "未接地"}],
            "representative": "王厂长", "outcome": "order_to_correct",
            "findings": [{"description": "配电箱未可靠接地", "grade": "general", "deadline": "2026-12-15"}]});
        for (k, v) in extra.as_object().unwrap() {
            b[k] = v.clone();
        }
        b
    };
    let r = app.post_json("/api/v1/inspections", Some(&t), inspection(json!(team), json!({}))).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.json()["hazards"].as_array().unwrap().len(), 1);
    let found = app.get("/api/v1/hazards?source=spot_check", Some(&t)).await.json();
    assert_eq!(found["total"], 1, "a finding of a spot check is a spot-check hazard in the ledger");

    let outsider = ["AH341522001", "AH341522002", "AH341522003", "AH341522004"]
        .into_iter()
        .find(|b| !team.contains(&b.to_string()))
        .unwrap();
    let mixed = json!([team[0], outsider]);
    let r = app.post_json("/api/v1/inspections", Some(&t), inspection(mixed.clone(), json!({}))).await;
    assert_eq!(
        (r.status, r.json()["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("substitutions"))
    );
    let sub = json!({"substitutions": [{"out": team[1], "in": outsider, "reason": "病假"}]});
    assert_eq!(
        app.post_json("/api/v1/inspections", Some(&t), inspection(mixed, sub)).await.status,
        StatusCode::CREATED
    );
    let expired =
        app.post_json("/api/v1/inspections", Some(&t), inspection(json!([team[0], "AH341522010"]), json!({}))).await;
    assert_eq!(expired.json()["error"]["field"], "officers", "an officer with an expired certificate cannot inspect");
    let one = app.post_json("/api/v1/inspections", Some(&t), inspection(json!([team[0]]), json!({}))).await;
    assert_eq!(one.json()["error"]["field"], "officers", "one officer alone cannot inspect");

    // Major-risk enterprises may be checked 4 times a year; the fifth visit needs a reason.
    for _ in 0..2 {
        assert_eq!(
            app.post_json("/api/v1/inspections", Some(&t), inspection(json!(team), json!({}))).await.status,
            StatusCode::CREATED
        );
    }
    let over = app.post_json("/api/v1/inspections", Some(&t), inspection(json!(team), json!({}))).await;
    assert_eq!(over.json()["error"]["field"], "cap_reason", "{}", over.body);
    let with_reason = inspection(json!(team), json!({"cap_reason": "群众举报复查"}));
    assert_eq!(app.post_json("/api/v1/inspections", Some(&t), with_reason).await.status, StatusCode::CREATED);

    // The second drawn enterprise is inspected once by its team.
    let code2 = second["entity"].as_str().unwrap().to_owned();
    let team2 = second["team"].clone();
    let eid2 = app.get(&format!("/api/v1/enterprises?q={code2}"), Some(&t)).await.json()["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut b2 = inspection(team2.clone(), json!({"outcome": "no_problem", "findings": []}));
    b2["enterprise_id"] = json!(eid2);
    assert_eq!(app.post_json("/api/v1/inspections", Some(&t), b2).await.status, StatusCode::CREATED);

    // The next draw leaves out the enterprise at its cap, and keeps last time's inspectors
    // away from the enterprises they inspected.
    body["quotas"] = json!({"major": "1"});
    let id = app.post_json("/api/v1/plans", Some(&t), body).await.json()["id"].as_str().unwrap().to_owned();
    let r = app.post_json(&format!("/api/v1/plans/{id}/commit"), Some(&t), json!({"version": 1})).await;
    let no = r.json()["plan_no"].as_str().unwrap().to_owned();
    let next = app.get(&format!("/public/draws/{no}/record.json"), None).await.json();
    let candidates: Vec<&str> =
        next["candidates"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert!(!candidates.contains(&code), "an enterprise at its annual cap is not a candidate");
    assert!(candidates.contains(&code2.as_str()));
    let conflicts = next["conflicts"].as_array().unwrap();
    for officer in team2.as_array().unwrap() {
        assert!(conflicts.contains(&json!([officer, code2])), "{officer} inspected {code2} last time: {conflicts:?}");
    }
    let listed = app.get(&format!("/api/v1/inspections?plan={plan_id}"), Some(&t)).await.json();
    assert_eq!(listed["total"], 6);
    assert_eq!(
        app.get(&format!("/api/v1/inspections?plan={plan_id}"), Some(&app.token("jinzhai").await)).await.json()["total"],
        0
    );
}

/// Plans drawn before migration 0019 stored the whole record in `record`; they publish the same
/// record and their teams still check inspections.
async fn a_plan_drawn_before_the_reveal_column_reads_as_before(backend: Backend) {
    let app = TestApp::new(backend).await;
    let t = app.token("huoqiu").await;
    let mut body = plan_body();
    body["quotas"] = json!({"major": "1"});
    let (plan_id, _) = drawn(&app, &t, body).await;
    let no =
        app.get(&format!("/api/v1/plans/{plan_id}"), Some(&t)).await.json()["plan_no"].as_str().unwrap().to_owned();
    let full = app.get(&format!("/public/draws/{no}/record.json"), None).await.body;
    let mut tx = app.state.app.db.begin().await.unwrap();
    store::sql::query("UPDATE spot_check_plan SET record = $1, reveal = NULL WHERE id = $2")
        .bind(full.as_str())
        .bind(plan_id.as_str())
        .execute(tx.ex())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(app.get(&format!("/public/draws/{no}/record.json"), None).await.body, full);
    let reveal = store::plan::reveal_of(&app.state.app.db, &plan_id).await.unwrap().unwrap();
    let teams: store::domain::draw::record::SpotReveal = serde_json::from_str(&reveal).unwrap();
    let record: Value = serde_json::from_str(&full).unwrap();
    assert_eq!(teams.assignments.len(), 1);
    assert_eq!(teams.assignments[0].entity, record["assignments"][0]["entity"].as_str().unwrap());
    // Drafts stay unpublished either way.
    assert_eq!(app.get("/public/draws/SC-NONE/record.json", None).await.status, StatusCode::NOT_FOUND);
}

crate::on_both_backends!(
    inspections_follow_the_drawn_team_count_toward_the_cap_and_feed_the_next_draw,
    a_plan_drawn_before_the_reveal_column_reads_as_before,
);

async fn a_penalty_case_runs_its_course_with_working_day_deadlines_and_is_published_without_facts(backend: Backend) {
    let app = TestApp::new(backend).await;
    let t = app.token("huoqiu").await;
    let eid = app.get("/api/v1/enterprises?per_page=1", Some(&t)).await.json()["items"][0].clone();
    let body = json!({"enterprise_id": eid["id"], "facts": "检查发现张三未经培训上岗，且配电箱未接地", "legal_basis": "wsl-102",
        "penalty_types": ["fine", "order_to_correct"], "fine_yuan": "50000"});
    assert_eq!(
        app.post_json("/api/v1/penalties", Some(&app.token("inspector1").await), body.clone()).await.status,
        StatusCode::FORBIDDEN
    );
    let r = app.post_json("/api/v1/penalties", Some(&t), body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let c = r.json();
    let id = c["id"].as_str().unwrap().to_owned();
    assert_eq!((c["hearing_right"].as_bool(), c["fine_fen"].as_i64()), (Some(false), Some(5_000_000)));
    let step = |action: &'static str, version: i64| {
        let app = &app;
        let t = t.clone();
        let id = id.clone();
        async move {
            app.post_json(
                &format!("/api/v1/penalties/{id}/transitions"),
                Some(&t),
                json!({"action": action, "version": version}),
            )
            .await
        }
    };
    assert_eq!(
        step("decide", 1).await.status,
        StatusCode::CONFLICT,
        "a case is decided after investigation and notice"
    );
    assert_eq!(step("investigate", 1).await.status, StatusCode::OK);
    // Today is Saturday 28 November 2026: 3 working days run Mon 30 Nov, Tue 1 and Wed 2 Dec.
    let notified = step("notify", 2).await.json();
    assert_eq!(notified["deadline"], "2026-12-02");
    assert_eq!(step("request_hearing", 3).await.status, StatusCode::CONFLICT, "a ¥50,000 fine gives no hearing right");
    let decided = step("decide", 3).await.json();
    assert_eq!(
        (decided["decided_on"].as_str(), decided["publish_by"].as_str()),
        (Some("2026-11-28"), Some("2026-12-08"))
    );
    let decisions = |q: &str| {
        let (app, t, q) = (&app, &t, q.to_owned());
        async move { app.get(&format!("/api/v1/penalties?{q}"), Some(t)).await.json()["total"].as_i64().unwrap() }
    };
    assert_eq!(
        decisions("region=341522&decided_from=2026-11-01&decided_to=2026-11-30").await,
        1,
        "the drill-down of decisions"
    );
    assert_eq!(decisions("decided_from=2026-12-01").await, 0);
    let public = app.get("/public/penalties", None).await;
    assert_eq!(public.status, StatusCode::OK);
    assert!(
        public.body.contains(decided["case_no"].as_str().unwrap())
            && public.body.contains("第一百零二条")
            && public.body.contains("50000.00")
    );
    assert!(
        !public.body.contains("张三") && !public.body.contains("未经培训"),
        "the facts (and names in them) are not published"
    );
    for (a, v) in [("serve", 4), ("execute", 5), ("close", 6)] {
        assert_eq!(step(a, v).await.status, StatusCode::OK, "{a}");
    }
    let big = json!({"enterprise_id": eid["id"], "facts": "拒不整改", "legal_basis": "wsl-112", "penalty_types": ["fine"], "fine_yuan": "100000"});
    let big = app.post_json("/api/v1/penalties", Some(&t), big).await.json();
    assert_eq!(big["hearing_right"], true, "a ¥100,000 fine on a unit gives a hearing right");
    let bad = json!({"enterprise_id": eid["id"], "facts": "x", "legal_basis": "art-999", "penalty_types": ["warning"]});
    assert_eq!(app.post_json("/api/v1/penalties", Some(&t), bad).await.json()["error"]["field"], "legal_basis");
    assert_eq!(app.get("/api/v1/penalties", Some(&app.token("jinzhai").await)).await.json()["total"], 0);
}

/// An inspection that ended in a penalty case offers the office the case form with the
/// enterprise and the inspection filled in; the case then names its inspection.
async fn a_penalty_case_is_filed_from_the_inspection_that_called_for_it(backend: Backend) {
    let app = TestApp::new(backend).await;
    let t = app.token("huoqiu").await;
    let e = app.get("/api/v1/enterprises?per_page=1", Some(&t)).await.json()["items"][0].clone();
    let officers = app.get("/api/v1/officers?certified_on=2026-11-27&per_page=2", Some(&t)).await.json();
    let badges: Vec<Value> = officers["items"].as_array().unwrap().iter().map(|o| o["badge_no"].clone()).collect();
    let body = json!({"enterprise_id": e["id"], "inspected_at": "2026-11-27T10:00", "officers": badges,
        "items": [{"item": "安全生产责任制", "result": "fail"}], "representative": "王厂长", "outcome": "penalty_case"});
    let r = app.post_json("/api/v1/inspections", Some(&t), body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let inspection = r.json();
    let (iid, ino) = (inspection["id"].as_str().unwrap(), inspection["inspection_no"].as_str().unwrap());

    let office = app.browser("huoqiu").await;
    let list = app.page("/inspections", &office.cookie).await.body;
    assert!(list.contains("case-link") && list.contains(&format!("inspection={iid}")), "{list}");
    let inspector = app.browser("inspector1").await;
    assert!(!app.page("/inspections", &inspector.cookie).await.body.contains("case-link"), "inspectors file no cases");
    let code = e["credit_code"].as_str().unwrap();
    let form = app.page(&format!("/penalties?code={code}&inspection={iid}"), &office.cookie).await.body;
    assert!(form.contains(&format!(r#"name="inspection_id" value="{iid}""#)) && form.contains(ino), "{form}");
    let fields = [
        ("csrf", office.csrf.as_str()),
        ("credit_code", code),
        ("facts", "检查发现安全生产责任制未落实"),
        ("legal_basis", "wsl-102"),
        ("penalty_type", "fine"),
        ("fine_yuan", "10000"),
        ("inspection_id", iid),
    ];
    let filed = app.form("/penalties", Some(&office.cookie), &fields).await;
    assert_eq!(filed.status, StatusCode::SEE_OTHER, "{}", filed.body);
    let case_page = app.page(filed.location(), &office.cookie).await.body;
    assert!(case_page.contains(r#"id="case-inspection""#) && case_page.contains(ino), "{case_page}");
    let case_id = filed.location().rsplit('/').next().unwrap().to_owned();
    let c = app.get(&format!("/api/v1/penalties/{case_id}"), Some(&t)).await.json();
    assert_eq!(c["inspection_id"], iid);
}

crate::on_both_backends!(
    a_penalty_case_runs_its_course_with_working_day_deadlines_and_is_published_without_facts,
    a_penalty_case_is_filed_from_the_inspection_that_called_for_it,
);
