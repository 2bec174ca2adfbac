//! Test and benchmark support (feature `testing`): a fresh, migrated scratch database on either backend,
//! dropped afterwards.
//!
//! PostgreSQL is never skipped silently: if the server cannot be reached the test fails and
//! says how to start it. `INSPECTORATE_TEST_PG` overrides the admin URL
//! (default `postgres://postgres@127.0.0.1:5432/postgres`).

use crate::{Backend, Db};
use sqlx::Connection;

/// The admin URL used to create and drop per-test PostgreSQL databases.
pub fn pg_admin_url() -> String {
    std::env::var("INSPECTORATE_TEST_PG").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

/// A database that exists for one test.
pub struct TestDb {
    /// The connected store.
    pub db: Db,
    /// Its URL (to open it again, e.g. from the CLI code paths).
    pub url: String,
    pg_name: Option<String>,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    /// Creates and migrates a fresh database.
    pub async fn new(backend: Backend) -> Self {
        Self::upgraded_from(backend, i64::MAX, &[]).await
    }

    /// A database migrated only up to `version`, with `setup` run on it (rows in the schema of
    /// that time), then opened as the product opens it, which applies the later migrations:
    /// what a deployment of that version meets when it upgrades.
    pub async fn upgraded_from(backend: Backend, version: i64, setup: &[&str]) -> Self {
        let (url, pg_name, dir) = Self::create(backend).await;
        if version != i64::MAX {
            match backend {
                Backend::Sqlite => {
                    let opts = <sqlx::sqlite::SqliteConnectOptions as std::str::FromStr>::from_str(&url)
                        .expect("SQLite URL")
                        .create_if_missing(true);
                    let pool = sqlx::SqlitePool::connect_with(opts).await.expect("open SQLite");
                    crate::SQLITE_MIGRATOR.run_to(version, &pool).await.expect("migrate SQLite");
                    for sql in setup {
                        sqlx::raw_sql(sqlx::AssertSqlSafe(*sql)).execute(&pool).await.expect("setup");
                    }
                    pool.close().await;
                }
                Backend::Postgres => {
                    let pool = sqlx::PgPool::connect(&url).await.expect("open PostgreSQL");
                    crate::POSTGRES_MIGRATOR.run_to(version, &pool).await.expect("migrate PostgreSQL");
                    for sql in setup {
                        sqlx::raw_sql(sqlx::AssertSqlSafe(*sql)).execute(&pool).await.expect("setup");
                    }
                    pool.close().await;
                }
            }
        }
        let db = Db::connect(&url).await.expect("open the test database");
        Self { db, url, pg_name, _dir: dir }
    }

    /// A new empty database: its URL, and what to drop afterwards.
    async fn create(backend: Backend) -> (String, Option<String>, Option<tempfile::TempDir>) {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = format!("sqlite://{}", dir.path().join("test.db").display());
                (url, None, Some(dir))
            }
            Backend::Postgres => {
                let admin = pg_admin_url();
                let mut conn = sqlx::PgConnection::connect(&admin).await.unwrap_or_else(|e| {
                    panic!(
                        "PostgreSQL is required for the storage tests and is not reachable at {admin}: {e}.\n\
                         Start it with `pg_ctlcluster --skip-systemctl-redirect 15 main start` or run ./scripts/test, \
                         which starts it."
                    )
                });
                let name = format!("insp_test_{}", uuid::Uuid::now_v7().simple());
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                    .execute(&mut conn)
                    .await
                    .expect("create test database");
                conn.close().await.ok();
                let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin);
                (format!("{base}/{name}"), Some(name), None)
            }
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(name) = self.pg_name.take() {
            let admin = pg_admin_url();
            // Drop runs outside async context: use a short-lived runtime on its own thread.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
                rt.block_on(async {
                    if let Ok(mut conn) = sqlx::PgConnection::connect(&admin).await {
                        let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                        let _ = sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&mut conn).await;
                    }
                });
            })
            .join();
        }
    }
}
