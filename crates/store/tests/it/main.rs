//! Storage conformance tests: each runs on SQLite and on PostgreSQL.

mod audit_chain;
mod bulk;
mod draw_records;
mod group_commit;
mod registers;
mod transactions;

use inspectorate_store::Backend;

/// Declares `#[tokio::test]`s `sqlite` and `postgres` in a module named like the async test
/// function, which takes the backend.
#[macro_export]
macro_rules! on_both_backends {
    ($($f:ident),* $(,)?) => {$(
        mod $f {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() { super::$f($crate::Backend::Sqlite).await }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() { super::$f($crate::Backend::Postgres).await }
        }
    )*};
}

#[test]
fn both_backends_have_the_same_migrations() {
    let sqlite = inspectorate_store::migration_list(Backend::Sqlite);
    let postgres = inspectorate_store::migration_list(Backend::Postgres);
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, postgres, "migrations must have the same numbers and names on both backends");
}
