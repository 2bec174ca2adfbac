//! The ledger's orders and filters page by page: whatever index or plan a backend answers a
//! page from, the pages together are exactly the filtered hazards in the order asked for.

use crate::hazards::{enterprise1_id, legacy_hazard, major};
use crate::helpers::TestApp;
use serde_json::Value;
use store::Backend;
use store::domain::hazard::{Grade, Status};

const DAY: i64 = 24 * 60 * 60 * 1000;
/// The statuses before verification.
const OPEN: [&str; 4] = ["reported", "assigned", "rectifying", "submitted"];

/// Every row of the ledger for `query`, page by page (`per_page` rows a page), and its total.
async fn all_pages(app: &TestApp, token: &str, query: &str, per_page: usize) -> (i64, Vec<Value>) {
    let (mut rows, mut page, mut total) = (Vec::new(), 1, None);
    loop {
        let r = app.get(&format!("/api/v1/hazards?per_page={per_page}&page={page}{query}"), Some(token)).await.json();
        total.get_or_insert(r["total"].as_i64().unwrap());
        let items = r["items"].as_array().unwrap().clone();
        let n = items.len();
        rows.extend(items);
        if n < per_page {
            return (total.unwrap_or_default(), rows);
        }
        page += 1;
    }
}

fn text<'a>(h: &'a Value, k: &str) -> &'a str {
    h[k].as_str().unwrap()
}

/// The ledger's order for `sort`: newest first, or earliest deadline first; ties by report
/// time and id.
fn in_order(mut rows: Vec<Value>, sort: &str) -> Vec<Value> {
    let key = |h: &Value| (h["reported_at"].as_i64().unwrap(), text(h, "id").to_owned());
    if sort == "deadline" {
        rows.sort_by(|a, b| text(a, "deadline").cmp(text(b, "deadline")).then_with(|| key(a).cmp(&key(b))));
    } else {
        rows.sort_by_key(|h| std::cmp::Reverse(key(h)));
    }
    rows
}

/// Hazards of every status and grade, with shared report times and deadlines (so that the
/// orders' ties matter) on both sides of today, some of them overdue; then, for callers of
/// every kind of jurisdiction, every filter and order is paged through in small pages and
/// compared with the whole ledger filtered and sorted here.
async fn every_order_and_filter_pages_through_exactly_the_filtered_hazards(backend: Backend) {
    let app = TestApp::new(backend).await;
    let county = app.token("huoqiu").await;
    let reported = app.post_json("/api/v1/hazards", Some(&county), major(&enterprise1_id(&app).await)).await.json();
    let today = app.state.app.today();
    let statuses =
        [Status::Reported, Status::Assigned, Status::Rectifying, Status::Submitted, Status::Verified, Status::Closed];
    let base = app.state.app.now_ms() - 400 * DAY;
    let rows: Vec<_> = (0..150_i64)
        .map(|i| {
            let mut h = legacy_hazard(&reported, &format!("序-{i}"));
            h.status = statuses[(i % 6) as usize];
            h.hazard.grade = if i % 4 == 0 { Grade::Major } else { Grade::General };
            h.hazard.deadline = today.checked_add(jiff::Span::new().days(i % 17 - 8)).unwrap().to_string();
            h.reported_at = base + (i % 40) * DAY;
            h.closed_at = (h.status == Status::Closed).then_some(h.reported_at + DAY);
            h
        })
        .collect();
    let mut tx = app.state.app.db.begin().await.unwrap();
    store::hazard::insert_historical(&mut tx, &rows, base).await.unwrap();
    tx.commit().await.unwrap();

    let today = today.to_string();
    type Keep = fn(&Value, &str) -> bool;
    let filters: [(&str, Keep); 5] = [
        ("", |_, _| true),
        ("&overdue=true", |h, today| OPEN.contains(&text(h, "status")) && text(h, "deadline") < today),
        ("&grade=major", |h, _| text(h, "grade") == "major"),
        ("&status=rectifying", |h, _| text(h, "status") == "rectifying"),
        ("&grade=major&status=submitted", |h, _| text(h, "grade") == "major" && text(h, "status") == "submitted"),
    ];
    let mut checked = 0;
    for user in ["huoqiu", "luan", "province", "huoqiu_housing"] {
        let token = app.token(user).await;
        let (_, everything) = all_pages(&app, &token, "", 200).await;
        for (filter, keep) in filters {
            for sort in ["newest", "deadline"] {
                let query = format!("{filter}&sort={sort}");
                let (total, listed) = all_pages(&app, &token, &query, 7).await;
                let expected = in_order(everything.iter().filter(|h| keep(h, &today)).cloned().collect(), sort);
                let ids = |rows: &[Value]| rows.iter().map(|h| text(h, "id").to_owned()).collect::<Vec<_>>();
                assert_eq!(ids(&listed), ids(&expected), "{user}{query}: the pages, in order");
                assert_eq!(total, expected.len() as i64, "{user}{query}: the total");
                checked += listed.len();
            }
        }
        if user == "huoqiu" {
            assert!(everything.len() > 150, "{user} sees the hazards made here");
        }
    }
    assert!(checked > 1000, "enough rows were compared: {checked}");
}

crate::on_both_backends!(every_order_and_filter_pages_through_exactly_the_filtered_hazards);
