//! Register upserts and scoped reads.

use inspectorate_store::domain::access::Scope;
use inspectorate_store::domain::credit_code::CreditCode;
use inspectorate_store::domain::enterprise::{NewEnterprise, RegisterStatus, RiskLevel};
use inspectorate_store::domain::page::PageRequest;
use inspectorate_store::domain::region::{Region, RegionCode, RegionLevel, RegionPrefix};
use inspectorate_store::enterprise::{self, EnterpriseFilter, UpsertCount};
use inspectorate_store::sql::{Value, insert_rows, query};
use inspectorate_store::testing::TestDb;
use inspectorate_store::{Backend, Db, StoreError, reference};

async fn seed_regions(db: &Db) {
    let r = |code: &str, parent: Option<&str>, level| Region {
        code: RegionCode::parse(code).unwrap(),
        parent: parent.map(|p| RegionCode::parse(p).unwrap()),
        level,
        name_zh: code.into(),
        name_en: code.into(),
    };
    let regions = [
        r("341500", None, RegionLevel::City),
        r("341522", Some("341500"), RegionLevel::County),
        r("341524", Some("341500"), RegionLevel::County),
    ];
    let mut tx = db.begin().await.unwrap();
    reference::sync(&mut tx, &regions, &[], &[]).await.unwrap();
    tx.commit().await.unwrap();
}

fn enterprise(code: &str, region: &str, name: &str) -> NewEnterprise {
    NewEnterprise {
        credit_code: CreditCode::parse(code).unwrap(),
        name: name.into(),
        region: RegionCode::parse(region).unwrap(),
        sector: "chemicals".into(),
        risk: RiskLevel::High,
        standard_grade: None,
        annual_check_cap: 3,
        address: String::new(),
        status: RegisterStatus::Active,
    }
}

async fn upsert(db: &Db, rows: &[NewEnterprise]) -> UpsertCount {
    let mut tx = db.begin().await.unwrap();
    let c = enterprise::upsert(&mut tx, rows, 1).await.unwrap();
    tx.commit().await.unwrap();
    c
}

fn county(code: &str) -> Scope {
    Scope::Region(RegionPrefix::of(&RegionCode::parse(code).unwrap(), RegionLevel::County))
}

async fn upserting_the_same_rows_twice_changes_nothing(backend: Backend) {
    let t = TestDb::new(backend).await;
    seed_regions(&t.db).await;
    let rows = [enterprise("914403001922038216", "341522", "甲"), enterprise("9144030071526726XG", "341524", "乙")];
    assert_eq!(upsert(&t.db, &rows).await, UpsertCount { inserted: 2, updated: 0, unchanged: 0 });
    assert_eq!(upsert(&t.db, &rows).await, UpsertCount { inserted: 0, updated: 0, unchanged: 2 });
    let changed = [enterprise("914403001922038216", "341522", "甲改名")];
    assert_eq!(upsert(&t.db, &changed).await, UpsertCount { inserted: 0, updated: 1, unchanged: 0 });
    let page = enterprise::list(&t.db, &county("341522"), &EnterpriseFilter::default(), PageRequest::new(None, None))
        .await
        .unwrap();
    assert_eq!(page.items[0].version, 2, "an update raises the version");
}

async fn a_county_sees_only_its_own_enterprises(backend: Backend) {
    let t = TestDb::new(backend).await;
    seed_regions(&t.db).await;
    upsert(
        &t.db,
        &[enterprise("914403001922038216", "341522", "甲"), enterprise("9144030071526726XG", "341524", "乙")],
    )
    .await;
    let page = enterprise::list(&t.db, &county("341522"), &EnterpriseFilter::default(), PageRequest::new(None, None))
        .await
        .unwrap();
    assert_eq!(page.total, 1);
    let other_id =
        enterprise::list(&t.db, &county("341524"), &EnterpriseFilter::default(), PageRequest::new(None, None))
            .await
            .unwrap()
            .items[0]
            .id
            .clone();
    assert!(matches!(enterprise::get(&t.db, &county("341522"), &other_id).await, Err(StoreError::NotFound)));
    let city = Scope::Region(RegionPrefix::of(&RegionCode::parse("341500").unwrap(), RegionLevel::City));
    assert_eq!(enterprise::count(&t.db, &city).await.unwrap(), 2);
    assert_eq!(enterprise::count(&t.db, &Scope::Nothing).await.unwrap(), 0);
}

async fn search_matches_names_and_code_prefixes_literally(backend: Backend) {
    let t = TestDb::new(backend).await;
    seed_regions(&t.db).await;
    upsert(
        &t.db,
        &[
            enterprise("914403001922038216", "341522", "霍邱化工100%公司"),
            enterprise("9144030071526726XG", "341522", "霍邱建材"),
        ],
    )
    .await;
    let find = |q: &str| EnterpriseFilter { q: Some(q.into()), ..Default::default() };
    let scope = county("341522");
    let n = |f| {
        let db = t.db.clone();
        let scope = scope.clone();
        async move { enterprise::list(&db, &scope, &f, PageRequest::new(None, None)).await.unwrap().total }
    };
    assert_eq!(n(find("化工")).await, 1);
    assert_eq!(n(find("9144030071")).await, 1);
    assert_eq!(n(find("%")).await, 1, "a % in the search is a literal character");
    assert_eq!(n(find("霍邱")).await, 2);
}

/// The tally of active enterprises per region (what the dashboards show) follows inserts,
/// re-imports, closures, reopenings and moves, and always equals a count of the register.
async fn the_active_tally_follows_the_register(backend: Backend) {
    let t = TestDb::new(backend).await;
    seed_regions(&t.db).await;
    let city = Scope::Region(RegionPrefix::of(&RegionCode::parse("341500").unwrap(), RegionLevel::City));
    let check = |expected: Vec<(&'static str, i64)>| {
        let (db, city) = (&t.db, &city);
        async move {
            let mut tally = enterprise::active_by_region(db, city).await.unwrap();
            tally.sort();
            let want: Vec<(String, i64)> = expected.iter().map(|(r, n)| (r.to_string(), *n)).collect();
            assert_eq!(tally, want);
            for (region, n) in &want {
                let page =
                    enterprise::list(db, &county(region), &EnterpriseFilter::default(), PageRequest::new(None, None))
                        .await
                        .unwrap();
                let active = page.items.iter().filter(|e| e.status == RegisterStatus::Active).count();
                assert_eq!(active, *n as usize, "the tally of {region} is a count of its active enterprises");
            }
        }
    };
    let (a, b, c) = ("914403001922038216", "9144030071526726XG", "91341500MA2N0001XH");
    upsert(&t.db, &[enterprise(a, "341522", "甲"), enterprise(b, "341522", "乙"), enterprise(c, "341524", "丙")]).await;
    check(vec![("341522", 2), ("341524", 1)]).await;
    upsert(&t.db, &[enterprise(a, "341522", "甲"), enterprise(b, "341522", "乙")]).await;
    check(vec![("341522", 2), ("341524", 1)]).await;
    let mut closed = enterprise(b, "341522", "乙");
    closed.status = RegisterStatus::Inactive;
    upsert(&t.db, &[closed.clone(), enterprise(a, "341524", "甲")]).await;
    check(vec![("341524", 2)]).await;
    closed.status = RegisterStatus::Active;
    upsert(&t.db, &[closed]).await;
    check(vec![("341522", 1), ("341524", 2)]).await;
}

/// New rows reach PostgreSQL through COPY's text format, where a backslash, a tab or a line
/// break would be structure if not escaped; they must come back exactly as given.
async fn new_rows_keep_every_character(backend: Backend) {
    let t = TestDb::new(backend).await;
    seed_regions(&t.db).await;
    let odd = "霍邱\\N 反斜杠\\t\t制表\n换行\r回车 '引号' \"双\"";
    let mut row = enterprise("914403001922038216", "341522", odd);
    row.address = "\\".into();
    row.standard_grade = None;
    let rows = [row, enterprise("9144030071526726XG", "341522", "")];
    assert_eq!(upsert(&t.db, &rows).await.inserted, 2);
    let page = enterprise::list(&t.db, &county("341522"), &EnterpriseFilter::default(), PageRequest::new(None, None))
        .await
        .unwrap();
    let got = page.items.iter().find(|e| e.credit_code == "914403001922038216").unwrap();
    assert_eq!((got.name.as_str(), got.address.as_str(), got.standard_grade), (odd, "\\", None));
    assert!(page.items.iter().any(|e| e.name.is_empty()), "an empty name stays empty, not NULL");
    assert_eq!(upsert(&t.db, &rows).await.unchanged, 2, "and reads back equal to what was given");
}

/// A bulk row that breaks a rule (here a region code already present) fails the whole
/// transaction, the good rows of the same statement with it (SQLite's bulk insert stops with
/// `OR FAIL`, which keeps the statement's earlier rows until the transaction rolls back).
async fn a_bulk_row_that_breaks_a_rule_writes_nothing(backend: Backend) {
    let t = TestDb::new(backend).await;
    seed_regions(&t.db).await;
    let row =
        |code: &str| -> Vec<Value> { vec![code.into(), "341500".into(), "county".into(), code.into(), code.into()] };
    let mut tx = t.db.begin().await.unwrap();
    let rows = vec![row("341523"), row("341522"), row("341525")];
    let err = insert_rows(&mut tx, "region", "code, parent, level, name_zh, name_en", rows)
        .await
        .expect_err("a region code already present breaks the primary key");
    assert!(matches!(err, StoreError::Duplicate(_)), "{err}");
    drop(tx);
    let codes = query("SELECT code FROM region ORDER BY code").fetch_all(t.db.reader()).await.unwrap();
    let codes: Vec<String> = codes.iter().map(|r| r.text("code").unwrap()).collect();
    assert_eq!(codes, ["341500", "341522", "341524"], "nothing of the failed transaction was kept");
    let mut tx = t.db.begin().await.unwrap();
    insert_rows(&mut tx, "region", "code, parent, level, name_zh, name_en", vec![row("341523")]).await.unwrap();
    tx.commit().await.unwrap();
}

/// New rows take their ids in the order of the register's region index (region, risk,
/// sector, status, credit code), whatever order they came in: the indexes then grow at their
/// ends, which is what makes a large import fast (docs/benchmarks.md).
async fn new_rows_take_ids_in_index_order(backend: Backend) {
    let t = TestDb::new(backend).await;
    seed_regions(&t.db).await;
    let code = |n: u32| CreditCode::with_check(&format!("91341522MA{n:07}")).unwrap();
    let mut rows = Vec::new();
    for n in (0..40u32).rev() {
        let mut e = enterprise(code(n).as_str(), if n % 2 == 0 { "341524" } else { "341522" }, "企业");
        e.risk = [RiskLevel::Low, RiskLevel::Major, RiskLevel::General][n as usize % 3];
        e.sector = ["machinery", "chemicals"][n as usize % 2].into();
        rows.push(e);
    }
    upsert(&t.db, &rows).await;
    let by_index: Vec<String> =
        query("SELECT id FROM enterprise ORDER BY region_code, risk_level, sector, status, credit_code")
            .fetch_all(t.db.reader())
            .await
            .unwrap()
            .iter()
            .map(|r| r.text("id").unwrap())
            .collect();
    let mut sorted = by_index.clone();
    sorted.sort();
    assert_eq!(by_index.len(), 40);
    assert_eq!(by_index, sorted, "ids ascend in index order");
}

/// A large file beside a small register is matched against one scan of the register's codes
/// instead of a probe per row; beside a register as large as the file, rows are probed. Both
/// must count the same: new rows inserted, a changed one updated, an equal one left alone.
async fn a_large_import_counts_the_same_whether_the_register_is_scanned_or_probed(backend: Backend) {
    let t = TestDb::new(backend).await;
    seed_regions(&t.db).await;
    let code = |n: u32| CreditCode::with_check(&format!("91341522MA{n:07}")).unwrap();
    let n = (2 * enterprise::LOOKUP_ROWS + 7) as u32;
    let mut rows: Vec<NewEnterprise> = (0..n).map(|i| enterprise(code(i).as_str(), "341522", "企业")).collect();
    assert_eq!(upsert(&t.db, &rows[..2]).await.inserted, 2, "a small register: two of the file's rows");
    rows[1].name = "改名".into();
    // The register (2 rows) holds fewer than half the file: the scan path.
    let first = upsert(&t.db, &rows).await;
    assert_eq!(first, UpsertCount { inserted: u64::from(n) - 2, updated: 1, unchanged: 1 });
    // Now the register is as large as the file: every row is probed and found equal.
    rows[2].name = "又改名".into();
    let second = upsert(&t.db, &rows).await;
    assert_eq!(second, UpsertCount { inserted: 0, updated: 1, unchanged: u64::from(n) - 1 });
    let total = query("SELECT COUNT(*) AS n FROM enterprise").fetch_one(t.db.reader()).await.unwrap();
    assert_eq!(total.int("n").unwrap(), i64::from(n), "no row was inserted twice");
}

/// A bulk insert large enough to build the credit-code index afresh (on SQLite) still refuses
/// a repeated code, keeps nothing when it does, and leaves the index in place either way.
async fn a_bulk_load_that_rebuilds_the_code_index_keeps_codes_unique(backend: Backend) {
    let t = TestDb::new(backend).await;
    seed_regions(&t.db).await;
    let code = |n: usize| CreditCode::with_check(&format!("91341522MA{n:07}")).unwrap();
    let n = enterprise::REBUILD_CODE_INDEX_FROM;
    let load = |codes: &dyn Fn(usize) -> usize| -> Vec<NewEnterprise> {
        (0..n).map(|i| enterprise(code(codes(i)).as_str(), "341522", "企业")).collect()
    };
    let insert = |rows: Vec<NewEnterprise>| {
        let db = t.db.clone();
        async move {
            let mut tx = db.begin().await.unwrap();
            enterprise::insert_new(&mut tx, &rows.iter().collect::<Vec<_>>(), 1).await?;
            tx.commit().await
        }
    };
    let count = || async {
        query("SELECT COUNT(*) AS n FROM enterprise").fetch_one(t.db.reader()).await.unwrap().int("n").unwrap()
    };
    let err = insert(load(&|i| i % (n - 1))).await.expect_err("the last row repeats the first code");
    assert!(matches!(err, StoreError::Duplicate(_)), "{err}");
    assert_eq!(count().await, 0, "nothing of the failed load was kept");
    insert(load(&|i| i)).await.unwrap();
    assert_eq!(count().await, n as i64);
    let again = vec![enterprise(code(7).as_str(), "341524", "又一家")];
    let err = insert(again).await.expect_err("the index is back after the load");
    assert!(matches!(err, StoreError::Duplicate(_)), "{err}");
}

/// Migration 0021 rebuilds the register on SQLite (credit-code uniqueness becomes an index a
/// bulk load can rebuild): enterprises registered before the upgrade keep every column, and
/// their codes stay unique after it.
async fn enterprises_registered_before_the_upgrade_keep_their_rows_and_unique_codes(backend: Backend) {
    let row = |id: &str, code: &str, name: &str| {
        format!(
            "INSERT INTO enterprise (region_code, id, credit_code, name, sector, risk_level, standard_grade,
             annual_check_cap, address, status, version, created_at, updated_at)
             VALUES ('341522', '{id}', '{code}', '{name}', 'chemicals', 'high', 'II', 3, '某路1号', 'active', 4, 10, 20)"
        )
    };
    let setup = [row("e1", "914403001922038216", "甲"), row("e2", "9144030071526726XG", "乙")];
    let setup: Vec<&str> = setup.iter().map(String::as_str).collect();
    let t = TestDb::upgraded_from(backend, 20, &setup).await;
    let rows = query("SELECT id, credit_code, name, standard_grade, address, version, created_at, updated_at FROM enterprise ORDER BY id")
        .fetch_all(t.db.reader())
        .await
        .unwrap();
    let read: Vec<(String, String, String, i64, i64)> = rows
        .iter()
        .map(|r| {
            let text = |c: &str| r.text(c).unwrap();
            (
                text("id"),
                text("credit_code"),
                format!("{} {} {}", text("name"), text("standard_grade"), text("address")),
                r.int("version").unwrap(),
                r.int("updated_at").unwrap(),
            )
        })
        .collect();
    assert_eq!(
        read,
        [
            ("e1".into(), "914403001922038216".into(), "甲 II 某路1号".into(), 4, 20),
            ("e2".into(), "9144030071526726XG".into(), "乙 II 某路1号".into(), 4, 20)
        ]
    );
    let again = enterprise("914403001922038216", "341522", "丙");
    let mut tx = t.db.begin().await.unwrap();
    let err = enterprise::insert_new(&mut tx, &[&again], 1).await.expect_err("the code is registered");
    assert!(matches!(err, StoreError::Duplicate(_)), "{err}");
}

crate::on_both_backends!(
    enterprises_registered_before_the_upgrade_keep_their_rows_and_unique_codes,
    a_bulk_load_that_rebuilds_the_code_index_keeps_codes_unique,
    a_large_import_counts_the_same_whether_the_register_is_scanned_or_probed,
    new_rows_take_ids_in_index_order,
    a_bulk_row_that_breaks_a_rule_writes_nothing,
    new_rows_keep_every_character,
    the_active_tally_follows_the_register,
    upserting_the_same_rows_twice_changes_nothing,
    a_county_sees_only_its_own_enterprises,
    search_matches_names_and_code_prefixes_literally,
);
