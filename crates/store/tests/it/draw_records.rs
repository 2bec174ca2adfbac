//! Draw records across migration 0019, which moved the committed record out of the plan's row:
//! records published before the upgrade read exactly as they did.

use inspectorate_store::testing::TestDb;
use inspectorate_store::{Backend, cross, plan};

const COMMITTED: &str = r#"{"spec":"inspectorate-draw/1","candidates":[],"commitment":"c1","inputs_digest":"d1"}"#;
const FULL: &str =
    r#"{"spec":"inspectorate-draw/1","candidates":[],"commitment":"c2","inputs_digest":"d2","seed":"s"}"#;
const GROUPING: &str = r#"{"spec":"inspectorate-grouping/1","participants":["341522","341524"],"commitment":"c3"}"#;

fn plan_row(id: &str, no: &str, status: &str, committed: &str, full: Option<&str>) -> String {
    let full = full.map(|f| format!("'{f}'")).unwrap_or_else(|| "NULL".into());
    format!(
        "INSERT INTO spot_check_plan (region_code, id, plan_no, name, period_start, period_end, sectors, quotas,
         team_size, check_items, status, version, created_by, created_at, committed_at, inputs_digest, commitment,
         secret, committed_record, record)
         VALUES ('341522', '{id}', '{no}', 'old plan', '2026-01-01', '2026-12-31', '[]', '[]', 2, '[]', '{status}', 2,
         'huoqiu', 0, 1, 'd', 'c', 'ab', '{committed}', {full})"
    )
}

async fn records_published_before_the_upgrade_read_as_before(backend: Backend) {
    let setup = [
        plan_row("p1", "SC-341522-2026-0001", "committed", COMMITTED, None),
        plan_row("p2", "SC-341522-2026-0002", "drawn", COMMITTED, Some(FULL)),
        format!(
            "INSERT INTO cross_round (region_code, id, round_no, name, date_from, date_to, participants, team_size,
             quotas, status, version, created_by, created_at, secret, committed_record)
             VALUES ('341500', 'r1', 'CR-341500-2026-01', 'old round', '2026-01-01', '2026-01-31', '[]', 2, '{{}}',
             'committed', 2, 'luan', 0, 'ab', '{GROUPING}')"
        ),
    ];
    let setup: Vec<&str> = setup.iter().map(String::as_str).collect();
    let t = TestDb::upgraded_from(backend, 18, &setup).await;
    let (p, record) = plan::published(&t.db, "SC-341522-2026-0001").await.unwrap();
    assert_eq!((p.id.as_str(), record.as_str()), ("p1", COMMITTED), "a committed plan publishes its committed record");
    assert_eq!(plan::published(&t.db, "SC-341522-2026-0002").await.unwrap().1, FULL, "a drawn one its full record");
    assert_eq!(plan::reveal_of(&t.db, "p2").await.unwrap().as_deref(), Some(FULL));
    let mut tx = t.db.begin().await.unwrap();
    let (committed, secret) = plan::secret_for_draw(&mut tx, "p1").await.unwrap();
    assert_eq!((committed.as_str(), secret.as_str()), (COMMITTED, "ab"), "the draw still finds what was committed");
    drop(tx);
    assert_eq!(cross::published(&t.db, "CR-341500-2026-01").await.unwrap().1, GROUPING);
}

crate::on_both_backends!(records_published_before_the_upgrade_read_as_before);
