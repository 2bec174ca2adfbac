//! Integration tests of the application: the real router driven in-process (no TCP), on a
//! fresh database per test, on SQLite and on PostgreSQL; plus one browser test against a
//! real server on a loopback port.

mod access;
mod auth;
mod backup;
mod bench;
mod browser;
mod covert;
mod cross;
mod draw;
mod evaluation;
mod figures;
mod generate;
mod guidance;
mod hazards;
mod helpers;
mod ledger;
mod plans;
mod registers;
mod scenario;

/// Declares `sqlite` and `postgres` tests in a module named like the async test function,
/// which takes the backend.
#[macro_export]
macro_rules! on_both_backends {
    ($($f:ident),* $(,)?) => {$(
        mod $f {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() { super::$f(store::Backend::Sqlite).await }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() { super::$f(store::Backend::Postgres).await }
        }
    )*};
}
