//! The province generator (`inspectorate generate`) at a tiny scale: it writes the counts its
//! spec names through the product's paths, the records show in the product's own figures,
//! the same seed gives the same records, and the use-cases carry on after it.

use crate::helpers::{TestApp, run_cli};
use inspectorate::generate::{FIRST_DAY, LAST_DAY, Spec, generate};
use inspectorate::service::Actor;
use store::Backend;

const SPEC: Spec = Spec { seed: 11, scale: 0.0002 };

async fn the_generator_writes_the_specified_province_through_the_products_paths(backend: Backend) {
    let t = TestApp::empty(backend).await;
    let app = &t.state.app;
    let s = generate(app, &SPEC, &|_, _, _| {}).await.unwrap();
    assert_eq!(s.enterprises, SPEC.enterprises());
    assert_eq!(s.inspections, SPEC.inspections());
    assert_eq!(s.hazards, SPEC.hazards());
    assert_eq!(s.penalties, SPEC.penalties());
    assert_eq!(s.accidents, SPEC.accidents());
    assert_eq!(s.campaigns, 48, "a special action per city and year");
    assert!(s.plans > 48 && s.drawn_inspections > 0, "{s:?}");
    assert!(s.cross_rounds > 0 && s.covert_visits > 0 && s.covert_visits <= SPEC.covert_visits(), "{s:?}");
    assert!(!s.luan_campaign.is_empty());

    // The records are the product's: the province's figures over the whole history count them.
    let period = domain::period::Period { from: FIRST_DAY, to: LAST_DAY };
    let f = app.figures(&Actor::cli(), "340000", &period).await.unwrap().total;
    assert_eq!(f.enterprises, s.enterprises as i64);
    assert_eq!(f.inspections, s.inspections as i64);
    assert_eq!(f.hazards_found, s.hazards as i64);
    assert_eq!(f.accidents, s.accidents as i64);
    assert_eq!(f.covert_inspections, s.covert_visits as i64);
    assert!(f.covert_problems_handled > 0, "older covert problems are answered and accepted: {f:?}");
    assert!(f.penalty_decisions > 0 && f.penalty_decisions < s.penalties as i64, "{f:?}");
    assert!(f.hazards_rectified > f.hazards_found / 2 && f.hazards_rectified < f.hazards_found, "{f:?}");
    assert!(f.enterprises_spot_checked > 0 && f.cross_hazards > 0, "{f:?}");

    // Every change is in the audit trail, and the chain holds.
    let report = store::audit::verify(&app.db).await.unwrap();
    assert!(report.first_break.is_none() && report.entries > 100, "{report:?}");

    // A second run refuses to mix with data already there.
    let err = generate(app, &SPEC, &|_, _, _| {}).await.unwrap_err();
    assert!(err.to_string().contains("already holds"), "{err}");

    // The use-cases carry on after the bulk paths: the next accident of a generated region
    // and year gets the number after the generated ones.
    let last = store::sql::query(
        "SELECT region_code, accident_no FROM accident WHERE occurred_on LIKE '2026%' ORDER BY accident_no DESC LIMIT 1",
    )
    .fetch_one(app.db.reader())
    .await
    .unwrap();
    let (region, number) = (last.text("region_code").unwrap(), last.text("accident_no").unwrap());
    let county = inspectorate::generate::principal(
        &region,
        domain::region::RegionLevel::County,
        domain::access::Role::CountyOffice,
    )
    .unwrap();
    let input = inspectorate::service::accidents::AccidentInput {
        occurred_at: "2026-11-27T09:00".into(),
        region_code: Some(region.clone()),
        place: "某工地".into(),
        accident_type: "vehicle".into(),
        direct_loss_yuan: "1000".into(),
        description: "车辆伤害".into(),
        ..Default::default()
    };
    let recorded = app.record_accident(&Actor::user(&county, "t"), &input).await.unwrap();
    let n = |no: &str| no.rsplit('-').next().unwrap().parse::<u32>().unwrap();
    assert!(recorded.accident_no.starts_with(&format!("SG-{region}-2026-")), "{}", recorded.accident_no);
    assert!(n(&recorded.accident_no) > n(&number), "{} after {number}", recorded.accident_no);
}

crate::on_both_backends!(the_generator_writes_the_specified_province_through_the_products_paths);

/// What the seed decides: every hazard, accident, penalty case and routine inspection.
async fn fingerprint(db: &store::Db) -> Vec<String> {
    let mut out = Vec::new();
    for sql in [
        "SELECT hazard_no || status || grade || source || deadline || reported_at AS r FROM hazard",
        "SELECT accident_no || grade || deaths || direct_loss_fen AS r FROM accident",
        "SELECT case_no || status || fine_fen || credit_code || COALESCE(decided_on, '') AS r FROM penalty_case",
        "SELECT credit_code || inspected_on || outcome AS r FROM inspection WHERE plan_id IS NULL",
    ] {
        // Sorted here: the backends' collations order text differently.
        let mut rows: Vec<String> =
            store::sql::query(sql).fetch_all(db.reader()).await.unwrap().iter().map(|r| r.text("r").unwrap()).collect();
        rows.sort();
        out.extend(rows);
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_seed_gives_the_same_province_on_both_backends() {
    let (a, b) = (TestApp::empty(Backend::Sqlite).await, TestApp::empty(Backend::Postgres).await);
    generate(&a.state.app, &SPEC, &|_, _, _| {}).await.unwrap();
    generate(&b.state.app, &SPEC, &|_, _, _| {}).await.unwrap();
    let (x, y) = (fingerprint(&a.state.app.db).await, fingerprint(&b.state.app.db).await);
    assert!(x.len() > 500, "{}", x.len());
    assert_eq!(x, y, "the same seed must give the same records");
    let c = TestApp::empty(Backend::Sqlite).await;
    generate(&c.state.app, &Spec { seed: 12, ..SPEC }, &|_, _, _| {}).await.unwrap();
    assert_ne!(fingerprint(&c.state.app.db).await, x, "another seed gives other records");
}

#[test]
fn the_generate_command_fills_an_empty_database_and_prints_what_it_wrote() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("gen.db").display());
    let (code, out, err) = run_cli(&db, &["generate", "--scale", "0.0002", "--seed", "3"]);
    assert_eq!(code, Some(0), "{out}{err}");
    let summary: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(summary["enterprises"], SPEC.enterprises());
    assert_eq!(summary["hazards"], SPEC.hazards());
    // The benchmarks measure on it without generating again.
    let (code, out, err) = run_cli(&db, &["bench", "ledger", "--database", &db]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(out.contains(&format!("ledger page (50 rows + count) of {} hazards", SPEC.hazards())), "{out}");
    assert!(out.contains("evaluation run of the 16 cities"), "{out}");
    let (code, _, err) = run_cli(&db, &["generate", "--scale", "0.0002"]);
    assert_eq!(code, Some(2), "an error, not a failed check: {err}");
    assert!(err.contains("already holds"), "{err}");
}

/// Ledger pages of a generated province (chosen region by region on PostgreSQL) are exactly
/// the slices of the whole filtered ledger in order.
async fn ledger_pages_are_slices_of_the_whole_ordered_ledger(backend: Backend) {
    use domain::access::Role;
    use domain::region::{RegionLevel, RegionPrefix};
    use store::hazard::{HazardFilter, HazardSort};
    let t = TestApp::empty(backend).await;
    let app = &t.state.app;
    generate(app, &SPEC, &|_, _, _| {}).await.unwrap();
    let province = inspectorate::generate::principal("340000", RegionLevel::Province, Role::ProvinceEvaluator).unwrap();
    let city = inspectorate::generate::principal("341500", RegionLevel::City, Role::CityOffice).unwrap();
    let luan = RegionPrefix::of(&domain::region::RegionCode::parse("341500").unwrap(), RegionLevel::City);
    let cases = [
        (&province, HazardFilter::default(), HazardSort::Newest),
        (
            &province,
            HazardFilter { grade: Some(domain::hazard::Grade::Major), ..Default::default() },
            HazardSort::Newest,
        ),
        (&province, HazardFilter { overdue_on: Some("2026-11-27".into()), ..Default::default() }, HazardSort::Deadline),
        (&city, HazardFilter::default(), HazardSort::Region),
        (&province, HazardFilter { region: Some(luan), ..Default::default() }, HazardSort::Newest),
    ];
    for (who, filter, sort) in cases {
        let mut whole = Vec::new();
        store::hazard::for_each(&app.db, &who.scope(), &filter, sort, 100_000, |h| whole.push(h.hazard_no))
            .await
            .unwrap();
        assert!(whole.len() > 7, "{filter:?}: {}", whole.len());
        for number in 1..=3 {
            let page = domain::page::PageRequest::new(Some(number), Some(7));
            let got = store::hazard::list(&app.db, &who.scope(), &filter, sort, page).await.unwrap();
            assert_eq!(got.total as usize, whole.len(), "{filter:?}");
            let want: Vec<_> = whole.iter().skip((number as usize - 1) * 7).take(7).cloned().collect();
            let got: Vec<_> = got.items.into_iter().map(|h| h.hazard_no).collect();
            assert_eq!(got, want, "{filter:?} {sort:?} page {number}");
        }
    }
}

crate::on_both_backends!(ledger_pages_are_slices_of_the_whole_ordered_ledger);
