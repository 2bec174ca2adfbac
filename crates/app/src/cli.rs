//! The `inspectorate` command line. Every command that touches data takes `--database URL`
//! (or `INSPECTORATE_DATABASE`); defaults come from `--config FILE` and then
//! `sqlite://inspectorate.db`.

use crate::clock::SystemClock;
use crate::config::{Config, FileConfig};
use crate::import::Limits;
use crate::service::registers::{ImportOptions, rejects_csv};
use crate::service::{Actor, App};
use crate::web::{AppState, serve};
use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};
use domain::register_row::RegisterKind;
use indicatif::{ProgressBar, ProgressStyle};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

/// Inspectorate: find, fix and prove the fixing of accident hazards.
#[derive(Debug, Parser)]
#[command(name = "inspectorate", version, about)]
pub struct Cli {
    /// Database URL: sqlite://PATH or postgres://USER@HOST/DB.
    #[arg(long, global = true, env = "INSPECTORATE_DATABASE")]
    database: Option<String>,
    /// Optional TOML configuration file.
    #[arg(long, global = true, env = "INSPECTORATE_CONFIG")]
    config: Option<PathBuf>,
    /// Log format: text or json.
    #[arg(long, global = true, env = "INSPECTORATE_LOG_FORMAT")]
    log_format: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the web server (UI, JSON API, public pages).
    Serve {
        /// Address to listen on.
        #[arg(long, env = "INSPECTORATE_ADDR")]
        addr: Option<String>,
        /// Load the demo data (registers and demo accounts) before serving.
        #[arg(long)]
        demo: bool,
        /// Mark cookies Secure (when served over HTTPS).
        #[arg(long, env = "INSPECTORATE_COOKIE_SECURE")]
        cookie_secure: Option<bool>,
    },
    /// Load the demo data into the database and exit.
    Demo,
    /// Fill an empty database with a deterministic province-scale data set (for benchmarks
    /// and load tests; see docs/benchmarks.md).
    Generate {
        /// Fraction of the province-scale counts (1.0: 1,000,000 enterprises, 3,000,000
        /// inspections, 2,000,000 hazards…).
        #[arg(long, default_value_t = 1.0)]
        scale: f64,
        /// Seed of the random choices (the same seed gives the same data).
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
    /// Import a register from a .csv or .xlsx file.
    Import {
        /// Which register.
        kind: Kind,
        /// The file.
        file: PathBuf,
        /// Write the good rows even if some are bad; bad rows go to a rejects file.
        #[arg(long)]
        skip_bad: bool,
        /// Where to write rejected rows (default: FILE.rejects.csv).
        #[arg(long)]
        rejects: Option<PathBuf>,
    },
    /// Export data to a spreadsheet.
    Export {
        #[command(subcommand)]
        command: ExportCommand,
    },
    /// Verifiable random draws.
    Draw {
        #[command(subcommand)]
        command: DrawCommand,
    },
    /// Covert-check commands.
    Covert {
        #[command(subcommand)]
        command: CovertCommand,
    },
    /// Score and rank the sub-regions of a region for a quarter (published runs as published).
    Evaluate {
        /// Quarter, e.g. 2023Q3.
        #[arg(long)]
        period: String,
        /// Level of the regions ranked: `city` (the cities of a province) or `county`.
        #[arg(long)]
        level: String,
        /// The region whose sub-regions are ranked (e.g. 340000).
        #[arg(long)]
        parent: String,
        /// Publish the run (frozen from then on).
        #[arg(long)]
        publish: bool,
        /// `text` (default) or `json`.
        #[arg(long, default_value = "text")]
        format: String,
    },
    /// Evaluation schemes.
    Scheme {
        #[command(subcommand)]
        command: SchemeCommand,
    },
    /// Print the figures of a region for a period (BRIEF §9), computed from the records.
    Figures {
        /// Region code (e.g. 341500).
        #[arg(long)]
        region: String,
        /// A year (2023), a quarter (2023Q3) or a range (2023-07-01..2023-09-30).
        #[arg(long, conflicts_with_all = ["from", "to"])]
        period: Option<String>,
        /// First day (with --to).
        #[arg(long, requires = "to")]
        from: Option<String>,
        /// Last day (with --from).
        #[arg(long, requires = "from")]
        to: Option<String>,
        /// `text` (default) or `json`.
        #[arg(long, default_value = "text")]
        format: String,
    },
    /// Audit trail commands.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Write a consistent copy of the database to FILE.
    Backup {
        /// Target file (must not exist).
        file: PathBuf,
    },
    /// Measure hot paths against baselines on scratch databases (see docs/benchmarks.md).
    Bench {
        /// What to measure.
        #[arg(value_enum, default_value = "import")]
        what: BenchWhat,
        /// Rows of generated data.
        #[arg(long, default_value_t = 100_000)]
        rows: usize,
        /// Which backends (PostgreSQL scratch databases are created through INSPECTORATE_TEST_PG).
        #[arg(long, value_enum, default_value = "both")]
        backend: BenchBackend,
        /// `http`: how long each phase (baseline, mixed load) runs, in seconds.
        #[arg(long, default_value_t = 20.0)]
        seconds: f64,
        /// `http`: concurrent keep-alive connections of the load generator.
        #[arg(long, default_value_t = 32)]
        connections: usize,
        /// `ledger`, `http`: measure on this database, filled before by `inspectorate generate`,
        /// instead of generating `--rows` hazards into a scratch database (`http` adds hazards
        /// and an account to it).
        #[arg(long)]
        database: Option<String>,
    },
    /// Replace the database with a backup (stop the server first).
    Restore {
        /// The backup file.
        file: PathBuf,
        /// Overwrite a database that already holds data.
        #[arg(long)]
        force: bool,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Kind {
    /// Enterprises (生产经营单位).
    #[value(alias = "enterprises")]
    Entities,
    /// Officers (执法人员).
    Officers,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum BenchWhat {
    /// Import enterprises from CSV.
    Import,
    /// A spot-check draw over the whole register (with 5,000 officers) and its verification.
    Draw,
    /// Ledger pages, special-action progress, dashboards and the evaluation over `--rows` hazards.
    Ledger,
    /// The server (this binary, as a child process) under a mixed HTTP load over `--rows`
    /// hazards, against the same server answering `/healthz`; reports its peak memory.
    Http,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum BenchBackend {
    /// SQLite only.
    Sqlite,
    /// PostgreSQL only.
    Postgres,
    /// Both.
    Both,
}

#[derive(Debug, Subcommand)]
enum ExportCommand {
    /// The hazard ledger, filtered as on the ledger page, to an .xlsx file.
    Hazards {
        /// Region code (includes the regions under it).
        #[arg(long, default_value = "")]
        region: String,
        /// Status (reported, assigned, rectifying, submitted, verified, closed).
        #[arg(long, default_value = "")]
        status: String,
        /// Grade (general, major).
        #[arg(long, default_value = "")]
        grade: String,
        /// Source (self_check, spot_check, covert_check, cross_inspection, …).
        #[arg(long, default_value = "")]
        source: String,
        /// Only hazards overdue today.
        #[arg(long)]
        overdue: bool,
        /// Reported on or after (YYYY-MM-DD).
        #[arg(long, default_value = "")]
        from: String,
        /// Reported on or before (YYYY-MM-DD).
        #[arg(long, default_value = "")]
        to: String,
        /// The .xlsx file to write.
        file: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum DrawCommand {
    /// Verify a published draw or grouping record offline (docs/specs/random-draw.md);
    /// exit 0 when it verifies, 1 (saying what differs) when it does not.
    Verify {
        /// The record (JSON).
        record: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum CovertCommand {
    /// Append a new key to the covert key file and re-seal every covert plan with it. Old keys
    /// stay in the file (they can be removed once this has run and a backup was taken).
    RotateKey,
}

#[derive(Debug, Subcommand)]
enum SchemeCommand {
    /// Import a new scheme version from a TOML file (see data/evaluation-scheme.toml).
    Import {
        /// The TOML file.
        file: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// Verify every hash chain; exit 1 and name the first broken entry if any.
    Verify,
}

/// Runs the CLI and turns the outcome into an exit code (0 ok, 1 a check failed, 2 an error).
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::from(2);
        }
    };
    // On a worker thread rather than the main one: every database call wakes the waiting
    // task, and waking a runtime worker costs half of waking a thread parked in `block_on`
    // (measured: 82 against 153 µs per SQLite statement on this 2-core machine).
    let outcome = runtime.block_on(async { tokio::spawn(run(cli)).await }).unwrap_or_else(|e| Err(e.into()));
    match outcome {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn init_logs(json: bool) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info,sqlx=warn".into());
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _ = if json { builder.json().try_init() } else { builder.try_init() };
}

async fn open_app(config: &Config) -> anyhow::Result<App> {
    let db =
        store::Db::connect(&config.database).await.with_context(|| format!("opening {}", redact(&config.database)))?;
    crate::refdata::sync(&db).await.context("loading reference data")?;
    Ok(App {
        db,
        clock: Arc::new(SystemClock),
        root_region: config.root_region.clone(),
        evidence_dir: config.evidence_dir.clone(),
        keys: Arc::new(crate::sealing::load_or_create(&config.covert_key_file)?),
        drawn: Default::default(),
    })
}

/// Hides a password in a database URL before printing it.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if url[s + 3..at].contains(':') => {
            let user_end = s + 3 + url[s + 3..at].find(':').unwrap_or(0);
            format!("{}:***{}", &url[..user_end], &url[at..])
        }
        _ => url.to_owned(),
    }
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let file = match &cli.config {
        Some(p) => FileConfig::load(p)?,
        None => FileConfig::default(),
    };
    let (addr, cookie_secure) = match &cli.command {
        Command::Serve { addr, cookie_secure, .. } => (addr.clone(), *cookie_secure),
        _ => (None, None),
    };
    let config = Config::resolve(file, cli.database.clone(), addr, cli.log_format.clone(), cookie_secure);
    init_logs(config.log_json);
    match cli.command {
        Command::Serve { demo, .. } => {
            let app = open_app(&config).await?;
            announce_admin(&app).await?;
            if demo {
                load_demo(&app).await?;
            }
            let listener = tokio::net::TcpListener::bind(&config.addr)
                .await
                .with_context(|| format!("binding {}", config.addr))?;
            eprintln!(
                "Inspectorate is serving on http://{} (database {})",
                listener.local_addr()?,
                redact(&config.database)
            );
            let state = Arc::new(AppState { app, cookie_secure: config.cookie_secure });
            serve(state.clone(), listener).await?;
            // Stopped: the database file whole on its own (the WAL copied back).
            state.app.db.close().await;
            eprintln!("Inspectorate stopped");
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo => {
            let app = open_app(&config).await?;
            announce_admin(&app).await?;
            load_demo(&app).await?;
            // The database file whole on its own when the command ends (the WAL copied back).
            app.db.close().await;
            Ok(ExitCode::SUCCESS)
        }
        Command::Generate { scale, seed } => {
            anyhow::ensure!(scale > 0.0 && scale <= 10.0, "--scale must be above 0 and at most 10");
            let app = open_app(&config).await?;
            let bar = ProgressBar::new(0).with_style(
                ProgressStyle::with_template("  {msg:38} {bar:30} {pos}/{len} {elapsed_precise}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            let spec = crate::generate::Spec { seed, scale };
            // Each stage's time goes to stderr as the next one starts.
            let stage = std::sync::Mutex::new((String::new(), std::time::Instant::now()));
            let report = |name: &str| {
                if let Ok(mut s) = stage.lock()
                    && s.0 != name
                {
                    if !s.0.is_empty() {
                        let line = format!("{}: {:.1} s", s.0, s.1.elapsed().as_secs_f64());
                        // A hidden bar (stderr not a terminal) prints nothing of its own.
                        if bar.is_hidden() { eprintln!("{line}") } else { bar.println(line) }
                    }
                    *s = (name.to_owned(), std::time::Instant::now());
                }
            };
            let summary = crate::generate::generate(&app, &spec, &|name, done, total| {
                report(name);
                bar.set_message(name.to_owned());
                bar.set_length(total);
                bar.set_position(done);
            })
            .await?;
            // Closing copies the WAL into the database file (on SQLite; the generator's large
            // transactions leave gigabytes there) and removes it: the file is whole on its own.
            report("closing the database (WAL checkpoint)");
            app.db.close().await;
            report("");
            bar.finish_and_clear();
            println!("{}", serde_json::to_string_pretty(&summary)?);
            Ok(ExitCode::SUCCESS)
        }
        Command::Import { kind, file, skip_bad, rejects } => import(&config, kind, file, skip_bad, rejects).await,
        Command::Draw { command: DrawCommand::Verify { record } } => verify_record(&record),
        Command::Export {
            command: ExportCommand::Hazards { region, status, grade, source, overdue, from, to, file },
        } => {
            let app = open_app(&config).await?;
            let q = crate::service::hazard_query::HazardQuery {
                region,
                status,
                grade,
                source,
                overdue: if overdue { "1".into() } else { String::new() },
                from,
                to,
                sort: "region".into(),
                ..Default::default()
            };
            let (filter, sort) = q.to_filter(&app)?;
            let bytes = app.export_hazards(&Actor::cli(), &filter, sort).await?;
            std::fs::write(&file, bytes).with_context(|| format!("writing {}", file.display()))?;
            println!("hazard ledger written to {}", file.display());
            Ok(ExitCode::SUCCESS)
        }
        Command::Evaluate { period, level, parent, publish, format } => {
            let quarter = domain::period::Quarter::parse(&period)
                .ok_or_else(|| anyhow::anyhow!("'{period}' is not a quarter like 2023Q3"))?;
            let expected = match level.as_str() {
                "city" => domain::region::RegionLevel::City,
                "county" => domain::region::RegionLevel::County,
                other => anyhow::bail!("--level {other}: use city or county"),
            };
            let children =
                crate::refdata::REGIONS.iter().filter(|r| r.parent.as_ref().is_some_and(|p| p.as_str() == parent));
            if !children.clone().any(|r| r.level == expected) {
                anyhow::bail!("{parent} has no {level}-level regions under it");
            }
            let app = open_app(&config).await?;
            let actor = Actor::cli();
            let view = if publish {
                app.publish_evaluation(&actor, &parent, quarter).await?
            } else {
                app.evaluation(&actor, &parent, quarter).await?
            };
            if format == "json" {
                println!("{}", serde_json::to_string_pretty(&evaluation_json(&view))?);
            } else {
                print!("{}", evaluation_text(&view));
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Scheme { command: SchemeCommand::Import { file } } => {
            let text = std::fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))?;
            let app = open_app(&config).await?;
            let scheme = app.import_scheme(&Actor::cli(), &text).await?;
            println!("scheme {} imported; it applies to periods from {}", scheme.version, scheme.valid_from);
            Ok(ExitCode::SUCCESS)
        }
        Command::Figures { region, period, from, to, format } => {
            let text = match (period, from, to) {
                (Some(p), _, _) => p,
                (None, Some(f), Some(t)) => format!("{f}..{t}"),
                _ => anyhow::bail!("give --period or --from and --to"),
            };
            let period = domain::period::Period::parse(&text).ok_or_else(|| {
                anyhow::anyhow!("'{text}' is not a year (2023), a quarter (2023Q3) or a range of days")
            })?;
            let app = open_app(&config).await?;
            let f = app.figures(&Actor::cli(), &region, &period).await?;
            if format == "json" {
                println!("{}", serde_json::to_string_pretty(&f)?);
            } else {
                print!("{}", figures_text(&f));
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Covert { command: CovertCommand::RotateKey } => {
            let id = crate::sealing::append_key(&config.covert_key_file)?;
            let app = open_app(&config).await?;
            let n = app.reseal_covert_plans(&Actor::cli()).await?;
            println!(
                "new key {id} appended to {}; {n} covert plans re-sealed with it",
                config.covert_key_file.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Audit { command: AuditCommand::Verify } => {
            let app = open_app(&config).await?;
            let report = app.verify_audit(&Actor::cli()).await?;
            match report.first_break {
                None => {
                    println!("audit trail intact: {} chains, {} entries verified", report.chains, report.entries);
                    Ok(ExitCode::SUCCESS)
                }
                Some(b) => {
                    println!("AUDIT TRAIL BROKEN: {b}");
                    Ok(ExitCode::from(1))
                }
            }
        }
        Command::Backup { file } => {
            let app = open_app(&config).await?;
            store::backup::backup(&app.db, &file).await?;
            println!("backup written to {}", file.display());
            Ok(ExitCode::SUCCESS)
        }
        Command::Restore { file, force } => restore(&config, &file, force).await,
        Command::Bench { what, rows, backend, seconds, connections, database } => {
            let backends = match backend {
                BenchBackend::Sqlite => vec![store::Backend::Sqlite],
                BenchBackend::Postgres => vec![store::Backend::Postgres],
                BenchBackend::Both => vec![store::Backend::Sqlite, store::Backend::Postgres],
            };
            let data: Vec<crate::bench::Data> = match &database {
                Some(url) => {
                    anyhow::ensure!(
                        matches!(what, BenchWhat::Ledger | BenchWhat::Http),
                        "--database is for `ledger` and `http`; `import` and `draw` need empty scratch databases"
                    );
                    vec![crate::bench::Data::Existing(url.clone())]
                }
                None => backends.iter().map(|b| crate::bench::Data::Scratch { backend: *b, hazards: rows }).collect(),
            };
            let (mut results, mut loads) = (Vec::new(), Vec::new());
            for (b, d) in backends.into_iter().zip(&data) {
                match d {
                    crate::bench::Data::Existing(url) => eprintln!("measuring {what:?} on {}…", redact(url)),
                    _ => eprintln!("measuring {what:?} with {rows} rows on {b:?}…"),
                }
                match what {
                    BenchWhat::Import => results.push(crate::bench::import(b, rows).await?),
                    BenchWhat::Draw => results.extend(crate::bench::draw(b, rows, 5_000).await?),
                    BenchWhat::Ledger => results.extend(crate::bench::ledger(d).await?),
                    BenchWhat::Http => {
                        let exe = std::env::current_exe().context("finding this binary to start the server")?;
                        loads.push(crate::bench::http(d, &exe, seconds, connections).await?);
                    }
                }
            }
            if loads.is_empty() {
                print!("{}", crate::bench::table(&results));
            } else {
                print!("{}", crate::bench::load_table(&loads));
                for (run, base) in &loads {
                    for (what, r) in [("load", run), ("baseline", base)] {
                        if let Some(e) = &r.first_error {
                            eprintln!("{} {what}: first of {} errors: {e}", r.backend, r.errors);
                        }
                    }
                }
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Verifies a draw record; needs no database.
fn verify_record(path: &std::path::Path) -> anyhow::Result<ExitCode> {
    use domain::draw::record::{Verdict, verify_json};
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    match verify_json(&text)? {
        Verdict::Verified { spec, results, empty_beacon } => {
            println!(
                "verified: {} ({spec}): commitment, inputs, seed and all {results} results recompute exactly",
                path.display()
            );
            if empty_beacon {
                println!(
                    "note: the beacon is empty, so this draw is only as trustworthy as the operator who committed it"
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Verdict::Differs(diffs) => {
            println!("DOES NOT VERIFY: {}", path.display());
            for d in diffs {
                println!("  - {d}");
            }
            Ok(ExitCode::from(1))
        }
    }
}

async fn announce_admin(app: &App) -> anyhow::Result<()> {
    if let Some(password) = app.bootstrap_admin().await? {
        eprintln!(
            "\n  First start: created the system administrator account.\n    username: admin\n    one-time password: {password}\n  \
             It is shown only this once and must be changed at first login.\n"
        );
    }
    Ok(())
}

async fn load_demo(app: &App) -> anyhow::Result<()> {
    eprintln!("loading the reference scenario (synthetic data: Anhui 2023, Lu'an in detail)");
    let bar = ProgressBar::new(0).with_style(
        ProgressStyle::with_template("  {bar:40} {percent:>3}% {elapsed_precise} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let started = std::time::Instant::now();
    let loaded = crate::demo::scenario::load(app, &|done, total| {
        bar.set_length(total);
        bar.set_position(done);
    })
    .await?;
    bar.finish_and_clear();
    crate::demo::load_activity(app).await?;
    if loaded {
        eprintln!(
            "demo data (synthetic) loaded in {:.0} s: accounts province, luan, huoqiu, jinzhai, huoqiu_housing, inspector1, enterprise1, auditor \
             and office<region code> for the other offices; password demo-password",
            started.elapsed().as_secs_f64()
        );
    } else {
        eprintln!("demo data already present");
    }
    Ok(())
}

async fn import(
    config: &Config,
    kind: Kind,
    file: PathBuf,
    skip_bad: bool,
    rejects: Option<PathBuf>,
) -> anyhow::Result<ExitCode> {
    let app = open_app(config).await?;
    let name = file.file_name().and_then(|n| n.to_str()).unwrap_or("import").to_owned();
    let meta = std::fs::metadata(&file).with_context(|| format!("reading {}", file.display()))?;
    anyhow::ensure!(
        meta.len() as usize <= Limits::CLI.max_bytes,
        "{} is {} bytes; the limit is {} bytes",
        file.display(),
        meta.len(),
        Limits::CLI.max_bytes
    );
    let bytes = std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
    let kind = match kind {
        Kind::Entities => RegisterKind::Enterprises,
        Kind::Officers => RegisterKind::Officers,
    };
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} rows {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let progress = |n: u64| {
        if bar.length() == Some(0) {
            bar.set_length(n.max(1) * 2);
        }
        bar.set_position(n);
    };
    let report = app
        .import_register(&Actor::cli(), kind, &name, &bytes, ImportOptions { skip_bad, limits: Limits::CLI }, &progress)
        .await;
    bar.finish_and_clear();
    // The database file whole on its own when the command ends (the WAL copied back, unless a
    // server still has the database open, which then does it).
    app.db.close().await;
    let report = report?;
    for e in report.errors.iter().take(50) {
        println!("row {}, column {}: {}", e.row, e.column, e.reason);
    }
    if report.errors.len() > 50 {
        println!("… and {} more errors", report.errors.len() - 50);
    }
    if report.written {
        println!(
            "imported {}: {} rows, {} inserted, {} updated, {} unchanged, {} rejected",
            file.display(),
            report.rows,
            report.counts.inserted,
            report.counts.updated,
            report.counts.unchanged,
            report.rejected.len()
        );
        if !report.rejected.is_empty() {
            let path = rejects.unwrap_or_else(|| file.with_extension("rejects.csv"));
            std::fs::write(&path, rejects_csv(&report)).with_context(|| format!("writing {}", path.display()))?;
            println!("rejected rows written to {}", path.display());
        }
        Ok(ExitCode::SUCCESS)
    } else {
        println!(
            "nothing was written: {} of {} rows have errors (fix them, or use --skip-bad)",
            report.rejected.len(),
            report.rows
        );
        Ok(ExitCode::from(1))
    }
}

async fn restore(config: &Config, file: &std::path::Path, force: bool) -> anyhow::Result<ExitCode> {
    // Refuse to overwrite a database holding data unless told to: a restore must lose nothing
    // by accident.
    if let Some(path) = config.database.strip_prefix("sqlite://") {
        if std::path::Path::new(path).exists() && !force {
            let db = store::Db::connect(&config.database).await?;
            let entries = store::audit::count(&db).await? + store::user::count(&db).await?;
            db.close().await;
            anyhow::ensure!(entries == 0, "{path} already holds data; stop the server and pass --force to replace it");
        }
    } else {
        anyhow::ensure!(force, "restoring into PostgreSQL replaces its objects; pass --force to confirm");
    }
    store::backup::restore(file, &config.database).await?;
    let app = open_app(config).await?;
    let report = app.verify_audit(&Actor::cli()).await?;
    match report.first_break {
        None => {
            println!(
                "restored {}; audit trail intact ({} chains, {} entries)",
                file.display(),
                report.chains,
                report.entries
            );
            Ok(ExitCode::SUCCESS)
        }
        Some(b) => {
            println!("restored {}, but its AUDIT TRAIL IS BROKEN: {b}", file.display());
            Ok(ExitCode::from(1))
        }
    }
}

/// A run as the scriptable JSON of the evaluation issue: per region its code, name, total,
/// grade, rank, previous rank, change, and each indicator's value and points.
pub fn evaluation_json(v: &crate::service::evaluation::RunView) -> serde_json::Value {
    let regions: Vec<serde_json::Value> = v
        .run
        .rows
        .iter()
        .map(|r| {
            let indicators: serde_json::Map<String, serde_json::Value> = r
                .result
                .indicators
                .iter()
                .map(|i| (i.id.clone(), serde_json::json!({"value": i.value, "points": i.points})))
                .collect();
            serde_json::json!({"code": r.result.region, "name": r.name, "total": r.result.total, "grade": r.result.grade,
                "rank": r.result.rank, "previous_rank": r.previous_rank, "change": r.change, "veto": r.result.veto,
                "indicators": indicators})
        })
        .collect();
    serde_json::json!({"parent": v.run.parent, "period": v.run.period, "scheme_version": v.run.scheme_version,
        "inputs_digest": v.run.inputs_digest, "published": v.published.is_some(), "changed_since_publication": v.changed_since,
        "regions": regions})
}

fn evaluation_text(v: &crate::service::evaluation::RunView) -> String {
    let mut out = format!(
        "{} {} (scheme {}){}\n",
        v.run.parent,
        v.run.period,
        v.run.scheme_version,
        if v.published.is_some() { ", published" } else { "" }
    );
    for r in &v.run.rows {
        let change = match r.change {
            Some(c) if c > 0 => format!("▲{c}"),
            Some(c) if c < 0 => format!("▼{}", -c),
            Some(_) => "—".to_owned(),
            None => String::new(),
        };
        out +=
            &format!("{:>3}  {:<8} {:>7.2}  {:<9} {change}\n", r.result.rank, r.name, r.result.total, r.result.grade);
    }
    out
}

/// The figures as a plain table for a terminal.
fn figures_text(f: &crate::service::figures::Figures) -> String {
    let t = &f.total;
    let name = crate::refdata::REGION_BY_CODE.get(f.region.as_str()).map(|r| r.name_zh.clone()).unwrap_or_default();
    let rows = [
        ("major hazards found in special actions", t.major_found),
        ("  of which closed", t.major_closed),
        ("hazards found", t.hazards_found),
        ("  of which rectified", t.hazards_rectified),
        ("major hazards overdue today", t.major_overdue),
        ("distinct enterprises spot-checked", t.enterprises_spot_checked),
        ("penalty decisions", t.penalty_decisions),
        ("covert inspections completed", t.covert_inspections),
        ("covert problems handled", t.covert_problems_handled),
        ("hazards from cross-inspections", t.cross_hazards),
        ("accidents", t.accidents),
        ("deaths", t.deaths),
    ];
    let mut out = format!("{} {name}, {} .. {}\n", f.region, f.from, f.to);
    for (label, v) in rows {
        out += &format!("{label:<42}{v:>10}\n");
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_in_database_urls_are_redacted() {
        assert_eq!(super::redact("postgres://app:secret@db/x"), "postgres://app:***@db/x");
        assert_eq!(super::redact("postgres://app@db/x"), "postgres://app@db/x");
        assert_eq!(super::redact("sqlite://a.db"), "sqlite://a.db");
    }
}
