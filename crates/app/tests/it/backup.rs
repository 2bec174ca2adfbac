//! The CLI as an operator uses it: import, audit verify, backup and restore of SQLite.

use std::process::Command;

fn cli(args: &[&str], db: &str) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_inspectorate"))
        .args(args)
        .env("INSPECTORATE_DATABASE", db)
        .env("RUST_LOG", "warn")
        .output()
        .expect("run the inspectorate binary");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.code().unwrap_or(-1), text)
}

#[test]
fn the_cli_imports_verifies_backs_up_and_restores_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("live.db").display());
    let csv = dir.path().join("register.csv");
    let code = inspectorate::demo::demo_credit_code("341522", 1);
    let bad =
        inspectorate::demo::demo_credit_code("341522", 2).to_string().replace(|c: char| c.is_ascii_alphabetic(), "I");
    std::fs::write(&csv, format!("credit_code,name,region_code,sector,risk_level\n{code},甲公司,341522,chemicals,high\n{bad},乙,341522,chemicals,low\n")).unwrap();

    let (status, out) = cli(&["import", "entities", csv.to_str().unwrap()], &db);
    assert_eq!(status, 1, "{out}");
    assert!(out.contains("row 3, column credit_code") && out.contains("nothing was written"), "{out}");
    let (status, out) = cli(&["import", "entities", csv.to_str().unwrap(), "--skip-bad"], &db);
    assert_eq!(status, 0, "{out}");
    assert!(out.contains("1 inserted") && out.contains("rejected rows written to"), "{out}");
    assert!(std::fs::read_to_string(dir.path().join("register.rejects.csv")).unwrap().contains("row,errors"));
    // With no server holding the database, the command leaves its rows in the file itself.
    let wal = dir.path().join("live.db-wal");
    assert!(!wal.exists() || std::fs::metadata(&wal).unwrap().len() == 0, "the import's WAL was copied back");

    let (status, out) = cli(&["audit", "verify"], &db);
    assert_eq!(status, 0, "{out}");
    assert!(out.contains("audit trail intact"), "{out}");

    let backup = dir.path().join("backup.db");
    let (status, out) = cli(&["backup", backup.to_str().unwrap()], &db);
    assert_eq!(status, 0, "{out}");
    let (status, out) = cli(&["backup", backup.to_str().unwrap()], &db);
    assert_eq!(status, 2, "an existing backup file is never overwritten: {out}");

    let restored = format!("sqlite://{}", dir.path().join("restored.db").display());
    let (status, out) = cli(&["restore", backup.to_str().unwrap()], &restored);
    assert_eq!(status, 0, "{out}");
    assert!(out.contains("audit trail intact"), "{out}");
    let (status, out) = cli(&["restore", backup.to_str().unwrap()], &db);
    assert_eq!(status, 2, "restoring over a live database needs --force: {out}");
    assert!(out.contains("--force"), "{out}");

    // The restored copy has the imported enterprise and verifies.
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let copy = store::Db::connect(&restored).await.unwrap();
        let all = store::domain::access::Scope::Region(store::domain::region::RegionPrefix::of(
            &store::domain::region::RegionCode::parse("340000").unwrap(),
            store::domain::region::RegionLevel::Province,
        ));
        assert_eq!(store::enterprise::count(&copy, &all).await.unwrap(), 1);
        assert!(store::audit::verify(&copy).await.unwrap().first_break.is_none());
    });
}

#[test]
fn the_cli_exports_the_filtered_hazard_ledger() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("live.db").display());
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let app = inspectorate::service::App {
            db: store::Db::connect(&db).await.unwrap(),
            clock: std::sync::Arc::new(inspectorate::clock::SystemClock),
            root_region: "340000".into(),
            evidence_dir: std::env::temp_dir().join("inspectorate-evidence"),
            keys: inspectorate::sealing::ephemeral_keys(),
            drawn: Default::default(),
        };
        inspectorate::refdata::sync(&app.db).await.unwrap();
        inspectorate::demo::load(&app).await.unwrap();
        let ok = app
            .login("huoqiu", inspectorate::demo::DEMO_PASSWORD, inspectorate::service::auth::SessionKind::Api, "t")
            .await
            .unwrap();
        let actor =
            inspectorate::service::Actor::user(&inspectorate::service::auth::principal_of(&ok.user).unwrap(), "t");
        let enterprise = app
            .list_enterprises(
                actor.principal.as_ref().unwrap(),
                &Default::default(),
                store::domain::page::PageRequest::new(None, Some(1)),
            )
            .await
            .unwrap()
            .items[0]
            .id
            .clone();
        for grade in ["general", "general", "major"] {
            let input = inspectorate::service::hazards::HazardInput {
                enterprise_id: enterprise.clone(),
                description: format!("{grade} 隐患"),
                grade: grade.into(),
                source: "self_check".into(),
                deadline: "2099-01-01".into(),
                criterion: Some("fire".into()),
                criterion_clause: Some("4.1".into()),
                five_implementations: Some(Default::default()),
                rectification_plan: "方案".into(),
                ..Default::default()
            };
            let mut input = input;
            if grade == "major" {
                input.five_implementations = Some(store::domain::hazard::FiveImplementations {
                    responsibility: "a".into(),
                    measures: "b".into(),
                    funds_yuan: 1,
                    deadline: "2099-01-01".into(),
                    contingency_plan: "c".into(),
                });
            }
            app.report_hazard(&actor, &input).await.unwrap();
        }
        app.db.close().await;
    });
    let file = dir.path().join("ledger.xlsx");
    let (status, out) =
        cli(&["export", "hazards", "--region", "341522", "--grade", "general", file.to_str().unwrap()], &db);
    assert_eq!(status, 0, "{out}");
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(&file).unwrap();
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    assert_eq!(sheet.rows().count(), 1 + 2, "header and the two general hazards");
    let (status, out) = cli(&["export", "hazards", "--grade", "extreme", file.to_str().unwrap()], &db);
    assert_eq!(status, 2);
    assert!(out.contains("grade"), "{out}");
}

/// The same on PostgreSQL: `backup` writes a `pg_dump` archive, `restore` needs `--force`,
/// replaces the target's objects with `pg_restore` and verifies the restored audit trail.
#[test]
fn the_cli_backs_up_and_restores_postgresql() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (live, target) = rt.block_on(async {
        (
            store::testing::TestDb::new(store::Backend::Postgres).await,
            store::testing::TestDb::new(store::Backend::Postgres).await,
        )
    });
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("register.csv");
    let code = inspectorate::demo::demo_credit_code("341522", 7);
    std::fs::write(
        &csv,
        format!("credit_code,name,region_code,sector,risk_level\n{code},丙公司,341522,chemicals,high\n"),
    )
    .unwrap();
    let (status, out) = cli(&["import", "entities", csv.to_str().unwrap()], &live.url);
    assert_eq!(status, 0, "{out}");

    let backup = dir.path().join("backup.dump");
    let (status, out) = cli(&["backup", backup.to_str().unwrap()], &live.url);
    assert_eq!(status, 0, "{out}");
    assert!(std::fs::metadata(&backup).unwrap().len() > 1000, "a pg_dump archive was written");
    let (status, out) = cli(&["backup", backup.to_str().unwrap()], &live.url);
    assert_eq!(status, 2, "an existing backup file is never overwritten: {out}");

    let (status, out) = cli(&["restore", backup.to_str().unwrap()], &target.url);
    assert_eq!(status, 2, "restoring into PostgreSQL needs --force: {out}");
    assert!(out.contains("--force"), "{out}");
    let (status, out) = cli(&["restore", backup.to_str().unwrap(), "--force"], &target.url);
    assert_eq!(status, 0, "{out}");
    assert!(out.contains("audit trail intact"), "{out}");

    rt.block_on(async {
        let all = store::domain::access::Scope::Region(store::domain::region::RegionPrefix::of(
            &store::domain::region::RegionCode::parse("340000").unwrap(),
            store::domain::region::RegionLevel::Province,
        ));
        let copy = store::Db::connect(&target.url).await.unwrap();
        assert_eq!(store::enterprise::count(&copy, &all).await.unwrap(), 1);
        let report = store::audit::verify(&copy).await.unwrap();
        assert!(report.first_break.is_none() && report.entries > 0, "{report:?}");
        copy.close().await;
        live.db.close().await;
        target.db.close().await;
    });
    drop((live, target));
}

/// `systemctl stop` and `docker stop` send SIGTERM: the server finishes, closes the database
/// (no WAL left beside it) and exits with success, instead of being killed mid-write.
#[test]
fn the_server_stops_on_sigterm_and_leaves_the_database_whole() {
    use std::io::{BufRead, BufReader, Read, Write};
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("live.db");
    let config = dir.path().join("server.toml");
    std::fs::write(
        &config,
        format!(
            "evidence_dir = {:?}\ncovert_key_file = {:?}\n",
            dir.path().join("evidence").display().to_string(),
            dir.path().join("covert.key").display().to_string()
        ),
    )
    .unwrap();
    let mut server = Command::new(env!("CARGO_BIN_EXE_inspectorate"))
        .arg("--config")
        .arg(&config)
        .args(["--database", &format!("sqlite://{}", file.display()), "serve", "--addr", "127.0.0.1:0"])
        .env("RUST_LOG", "warn")
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start the server");
    let mut stderr = BufReader::new(server.stderr.take().unwrap());
    let mut addr = None;
    let mut line = String::new();
    while addr.is_none() && stderr.read_line(&mut line).unwrap() > 0 {
        addr = line.split("serving on http://").nth(1).and_then(|r| r.split_whitespace().next()).map(str::to_owned);
        line.clear();
    }
    let addr = addr.expect("the server announces its address");
    // One request through the database, so that the WAL exists while it serves.
    let mut conn = std::net::TcpStream::connect(&addr).unwrap();
    write!(conn, "GET /healthz HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\n\r\n").unwrap();
    let mut answer = String::new();
    conn.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(dir.path().join("live.db-wal").exists(), "a serving SQLite database has its WAL");

    let killed = Command::new("kill").args(["-TERM", &server.id().to_string()]).status().unwrap();
    assert!(killed.success());
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(status) = server.try_wait().unwrap() {
            break status;
        }
        assert!(started.elapsed() < std::time::Duration::from_secs(30), "the server did not stop on SIGTERM");
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    let mut rest = String::new();
    stderr.read_to_string(&mut rest).unwrap();
    assert!(status.success(), "exit {status:?}: {rest}");
    assert!(rest.contains("Inspectorate stopped"), "{rest}");
    assert!(!dir.path().join("live.db-wal").exists(), "the WAL was copied back and removed");
}
