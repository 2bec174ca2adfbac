//! The bulk insert path (`sql::insert_rows`): on SQLite its own calls into the library, on
//! PostgreSQL COPY; both must store exactly what they were given, or nothing.

use inspectorate_store::sql::{Value, insert_rows, query};
use inspectorate_store::testing::TestDb;
use inspectorate_store::{Backend, StoreError};

const COLUMNS: &str = "k, t, n, b, maybe";

/// A scratch table with a value of every kind the bulk path binds.
async fn probe_table(t: &TestDb) {
    let mut tx = t.db.begin().await.unwrap();
    query("CREATE TABLE bulk_probe (k BIGINT PRIMARY KEY, t TEXT NOT NULL, n BIGINT, b BOOLEAN NOT NULL, maybe TEXT)")
        .execute(tx.ex())
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

fn row(k: i64) -> Vec<Value> {
    vec![
        k.into(),
        format!("行{k}\t'x'").into(),
        if k % 3 == 0 { Value::NullInt } else { Value::Int(-k * 1_000_003) },
        (k % 2 == 0).into(),
        if k % 5 == 0 { Value::NullText } else { Value::Text(String::new()) },
    ]
}

/// More rows than one hand-over between the threads of the SQLite path, and a count that
/// leaves a remainder after its multi-row steps: every row arrives once, every value as given.
async fn every_row_and_value_arrives_whatever_the_count(backend: Backend) {
    let t = TestDb::new(backend).await;
    probe_table(&t).await;
    let n: i64 = 2 * 4096 + 3 * 32 + 5;
    let mut tx = t.db.begin().await.unwrap();
    insert_rows(&mut tx, "bulk_probe", COLUMNS, (0..n).map(row)).await.unwrap();
    tx.commit().await.unwrap();
    let got = query("SELECT k, t, n, b, maybe FROM bulk_probe ORDER BY k").fetch_all(t.db.reader()).await.unwrap();
    assert_eq!(got.len() as i64, n);
    for (k, r) in (0..n).zip(&got) {
        let read = vec![
            Value::Int(r.int("k").unwrap()),
            Value::Text(r.text("t").unwrap()),
            r.opt_int("n").unwrap().map_or(Value::NullInt, Value::Int),
            Value::Bool(r.bool("b").unwrap()),
            r.opt_text("maybe").unwrap().map_or(Value::NullText, Value::Text),
        ];
        assert_eq!(read, row(k), "row {k}");
    }
}

/// A repeated key in the middle of a large insert (inside a full multi-row step on SQLite)
/// is reported as a duplicate, and the rows before it are not kept.
async fn a_repeated_key_mid_insert_is_a_duplicate_and_keeps_nothing(backend: Backend) {
    let t = TestDb::new(backend).await;
    probe_table(&t).await;
    let mut tx = t.db.begin().await.unwrap();
    let keys = (0..5000).map(|k| if k == 4500 { 17 } else { k });
    let err = insert_rows(&mut tx, "bulk_probe", COLUMNS, keys.map(row)).await.expect_err("key 17 twice");
    assert!(matches!(err, StoreError::Duplicate(_)), "{err}");
    drop(tx);
    let count = query("SELECT COUNT(*) AS n FROM bulk_probe").fetch_one(t.db.reader()).await.unwrap();
    assert_eq!(count.int("n").unwrap(), 0);
    // The writer is usable again afterwards.
    let mut tx = t.db.begin().await.unwrap();
    insert_rows(&mut tx, "bulk_probe", COLUMNS, (0..40).map(row)).await.unwrap();
    tx.commit().await.unwrap();
    let count = query("SELECT COUNT(*) AS n FROM bulk_probe").fetch_one(t.db.reader()).await.unwrap();
    assert_eq!(count.int("n").unwrap(), 40);
}

crate::on_both_backends!(
    every_row_and_value_arrives_whatever_the_count,
    a_repeated_key_mid_insert_is_a_duplicate_and_keeps_nothing,
);
