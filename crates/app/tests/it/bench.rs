//! The benchmark command keeps working (at a tiny scale; timings are not asserted).

use store::Backend;

async fn the_import_benchmark_runs_and_reports_sane_numbers(backend: Backend) {
    let m = inspectorate::bench::import(backend, 300).await.unwrap();
    assert_eq!(m.n, 300);
    assert!(m.seconds > 0.0 && m.baseline_seconds > 0.0);
    assert!(m.rate().is_finite() && m.ratio().is_finite());
    let table = inspectorate::bench::table(&[m]);
    assert!(table.contains("| import 300 enterprises from CSV |"), "{table}");
}

crate::on_both_backends!(the_import_benchmark_runs_and_reports_sane_numbers);

async fn the_draw_benchmark_runs_and_its_record_verifies(backend: Backend) {
    let ms = inspectorate::bench::draw(backend, 700, 20).await.unwrap();
    assert_eq!(ms.len(), 2);
    assert!(ms[0].n > 0 && ms.iter().all(|m| m.seconds > 0.0 && m.baseline_seconds > 0.0));
}

crate::on_both_backends!(the_draw_benchmark_runs_and_its_record_verifies);

async fn the_ledger_benchmark_runs_and_reports_pages_progress_dashboards_and_evaluation(backend: Backend) {
    let ms = inspectorate::bench::ledger(&inspectorate::bench::Data::Scratch { backend, hazards: 400 }).await.unwrap();
    assert_eq!(ms.len(), 7, "three ledger pages, the campaign progress, two dashboards and the evaluation run");
    assert!(ms.iter().any(|m| m.operation.starts_with("evaluation run of the 16 cities")));
    assert!(ms.iter().all(|m| m.seconds > 0.0 && m.p95_seconds >= m.seconds && m.baseline_seconds > 0.0));
}

crate::on_both_backends!(the_ledger_benchmark_runs_and_reports_pages_progress_dashboards_and_evaluation);

async fn the_http_load_benchmark_runs_the_server_and_reports_rates_latencies_and_memory(backend: Backend) {
    let server = std::path::Path::new(env!("CARGO_BIN_EXE_inspectorate"));
    let (run, base) =
        inspectorate::bench::http(&inspectorate::bench::Data::Scratch { backend, hazards: 400 }, server, 1.5, 4)
            .await
            .unwrap();
    assert_eq!(run.errors, 0, "the mixed load had errors: {:?}", run.first_error);
    assert_eq!(base.errors, 0, "the baseline had errors: {:?}", base.first_error);
    assert!(run.requests > 20 && base.requests > 20, "{run:?} {base:?}");
    assert!(run.p50_seconds > 0.0 && run.p99_seconds >= run.p50_seconds);
    assert!(run.peak_rss_bytes.is_some_and(|b| b > 1_000_000), "the server's peak RSS: {:?}", run.peak_rss_bytes);
    // The server's CPU time over the run (/proc), which the table divides by the requests.
    assert!(run.server_cpu_seconds.is_some_and(|s| s > 0.0), "the server's CPU time: {:?}", run.server_cpu_seconds);
    // Every kind of request answers with a JSON body, whose mean size the table reports.
    assert!(run.by_kind.len() == 4 && run.by_kind.iter().all(|k| k.4 > 10.0), "{:?}", run.by_kind);
    let table = inspectorate::bench::load_table(&[(run, base)]);
    assert!(table.contains("| HTTP mixed load (70 % reads, 20 % transitions, 10 % creates; 400 hazards) |"), "{table}");
}

crate::on_both_backends!(the_http_load_benchmark_runs_the_server_and_reports_rates_latencies_and_memory);
