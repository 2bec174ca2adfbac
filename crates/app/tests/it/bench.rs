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
    let ms = inspectorate::bench::ledger(backend, 400).await.unwrap();
    assert_eq!(ms.len(), 7, "three ledger pages, the campaign progress, two dashboards and the evaluation run");
    assert!(ms.iter().any(|m| m.operation.starts_with("evaluation run of the 16 cities")));
    assert!(ms.iter().all(|m| m.seconds > 0.0 && m.p95_seconds >= m.seconds && m.baseline_seconds > 0.0));
}

crate::on_both_backends!(the_ledger_benchmark_runs_and_reports_pages_progress_dashboards_and_evaluation);
