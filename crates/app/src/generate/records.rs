//! The bulk of the records, written day by day through the store's bulk paths in batches
//! (each batch its own transaction, numbered in time order per region and year):
//! inspections (the drawn enterprises' and routine ones, a share of the routine ones leading
//! to a penalty case), hazards (their status by age: old ones mostly closed, a few left
//! overdue) and accidents (graded by BRIEF §6). Each table's batch ends with an audit entry.

use super::activity::{Played, Visit};
use super::registers::{Register, weighted};
use super::{DAY_MS, LAST_DAY, Progress, RECORDER, Spec, Summary, at, day, days, on_day, one_in};
use crate::refdata::{ARTICLES, CALENDAR};
use crate::service::{Actor, App};
use domain::hazard::{Grade, ListedLevel, Source, Status};
use serde_json::json;
use std::collections::HashMap;
use store::hazard::{HistoricalHazard, NewHazard};

const BATCH: usize = 20_000;

/// Per-(prefix) sequence numbers, handed out in time order.
#[derive(Default)]
struct Numbers(HashMap<String, u32>);

impl Numbers {
    fn next(&mut self, prefix: String, width: usize) -> String {
        let n = self.0.entry(prefix.clone()).or_default();
        *n += 1;
        format!("{prefix}{n:0width$}")
    }
}

/// Writes the records of `spec`.
pub async fn write(
    app: &App,
    spec: &Spec,
    reg: &Register,
    played: Played,
    summary: &mut Summary,
    progress: Progress<'_>,
) -> anyhow::Result<()> {
    summary.luan_campaign = played.campaigns.get(&("341500".to_owned(), 2026)).cloned().unwrap_or_default();
    inspections(app, spec, reg, &played.visits, summary, progress).await?;
    hazards(app, spec, reg, &played.campaigns, summary, progress).await?;
    accidents(app, spec, reg, summary, progress).await?;
    Ok(())
}

async fn audit(app: &App, table: &str, spec: &Spec, rows: usize) -> anyhow::Result<()> {
    let detail = json!({"generated": rows, "seed": spec.seed, "scale": spec.scale});
    app.audit_alone(&Actor::cli(), "generate", (table, ""), "ok", detail).await?;
    Ok(())
}

const ITEMS: [&str; 4] = ["安全生产责任制落实情况", "隐患排查治理制度", "特种作业人员持证上岗", "应急预案及演练"];

fn items(outcome: &str, r: u64) -> String {
    let failed = if outcome == "no_problem" { usize::MAX } else { (r % ITEMS.len() as u64) as usize };
    let list: Vec<_> = ITEMS
        .iter()
        .enumerate()
        .map(|(k, item)| json!({"item": item, "result": if k == failed { "fail" } else { "pass" }, "note": ""}))
        .collect();
    serde_json::Value::Array(list).to_string()
}

/// Inspections, day by day: that day's drawn enterprises, then the routine ones. One routine
/// inspection in fifteen (exactly the spec's penalty count) leads to a penalty case filed the
/// same day, whose progress depends on its age.
async fn inspections(
    app: &App,
    spec: &Spec,
    reg: &Register,
    visits: &[Visit],
    summary: &mut Summary,
    progress: Progress<'_>,
) -> anyhow::Result<()> {
    let mut rng = crate::demo::SplitMix(spec.seed ^ 0x0049_4e53_5045_4354);
    let routine = spec.inspections().saturating_sub(visits.len());
    let penalties = spec.penalties().min(routine);
    let total = (routine + visits.len()) as u64;
    let (mut numbers, mut cases) = (Numbers::default(), Numbers::default());
    let (mut batch, mut case_batch) = (Vec::with_capacity(BATCH), Vec::new());
    let (mut next_visit, mut i) = (0, 0);
    for d in 0..days() {
        let today = day(d);
        let mut todays: Vec<(usize, Option<&str>, Vec<String>)> = Vec::new();
        while next_visit < visits.len() && visits[next_visit].day == d {
            let v = &visits[next_visit];
            todays.push((v.enterprise, Some(v.plan_id.as_str()), v.team.clone()));
            next_visit += 1;
        }
        for _ in 0..on_day(routine, d) {
            let e = (rng.next() % reg.enterprises.len() as u64) as usize;
            todays.push((e, None, reg.team(&reg.enterprises[e].1, rng.next())));
        }
        for (minute, (e, plan, team)) in todays.into_iter().enumerate() {
            let (id, region, code, name, _) = &reg.enterprises[e];
            let penalty = plan.is_none() && one_in(i - summary.drawn_inspections, penalties, routine);
            let outcome = match (penalty, rng.next() % 100) {
                (true, _) => "penalty_case",
                (false, 0..=57) => "no_problem",
                _ => "order_to_correct",
            };
            let inspection_id = store::new_id();
            let inspected_at = at(today, (minute % 480) as i64);
            batch.push(store::inspection::Inspection {
                id: inspection_id.clone(),
                inspection_no: numbers.next(format!("JC-{region}-{}-", today.year()), 5),
                region_code: region.clone(),
                plan_id: plan.map(str::to_owned),
                enterprise_id: id.clone(),
                credit_code: code.clone(),
                enterprise_name: name.clone(),
                inspected_at,
                inspected_on: today.to_string(),
                officers: serde_json::to_string(&team)?,
                substitutions: "[]".into(),
                items: items(outcome, rng.next()),
                representative: "企业安全负责人".into(),
                outcome: outcome.into(),
                hazards: "[]".into(),
                cap_reason: None,
                recorded_by: RECORDER.into(),
            });
            if plan.is_some() {
                summary.drawn_inspections += 1;
            }
            if penalty {
                let case = penalty_case(&mut rng, &mut cases, &batch[batch.len() - 1], today)?;
                case_batch.push((case, inspected_at + 3_600_000));
            }
            i += 1;
            if batch.len() == BATCH {
                flush_inspections(app, &mut batch, &mut case_batch, summary).await?;
                progress("inspections and penalty cases", i as u64, total);
            }
        }
    }
    flush_inspections(app, &mut batch, &mut case_batch, summary).await?;
    progress("inspections and penalty cases", i as u64, total);
    audit(app, "inspection", spec, summary.inspections).await?;
    audit(app, "penalty_case", spec, summary.penalties).await
}

async fn flush_inspections(
    app: &App,
    batch: &mut Vec<store::inspection::Inspection>,
    cases: &mut Vec<(store::penalty::PenaltyCase, i64)>,
    summary: &mut Summary,
) -> anyhow::Result<()> {
    let mut tx = app.db.begin().await?;
    store::inspection::insert_historical(&mut tx, batch, app.now_ms()).await?;
    store::penalty::insert_historical(&mut tx, cases, app.now_ms()).await?;
    tx.commit().await?;
    summary.inspections += batch.len();
    summary.penalties += cases.len();
    batch.clear();
    cases.clear();
    Ok(())
}

/// A penalty case filed on `filed` after inspection `i`, as far along as its age allows:
/// decided about a month after filing, executed and closed within three months.
fn penalty_case(
    rng: &mut crate::demo::SplitMix,
    numbers: &mut Numbers,
    i: &store::inspection::Inspection,
    filed: jiff::civil::Date,
) -> anyhow::Result<store::penalty::PenaltyCase> {
    let age = (LAST_DAY - filed).get_days();
    let (status, steps) = match age {
        0..=10 => ("filed", 0),
        11..=20 => ("investigated", 1),
        21..=30 => ("notified", 2),
        31..=45 => ("decided", 3),
        46..=60 => ("served", 4),
        61..=90 => ("executed", 5),
        _ if rng.next().is_multiple_of(20) => ("executed", 5),
        _ => ("closed", 6),
    };
    let after = |days: i64| filed.checked_add(jiff::Span::new().days(days));
    let decided = (steps >= 3).then(|| after(30)).transpose()?;
    let status_since = after([0, 10, 20, 30, 45, 60, 90][steps])?;
    let deadline = match status {
        "closed" => None,
        _ => Some(CALENDAR.add_working_days(status_since, 15).to_string()),
    };
    let fine_yuan = 10_000 * (1 + rng.next() % 50) as i64;
    let types = match rng.next() % 3 {
        0 => json!(["fine"]),
        1 => json!(["warning", "fine"]),
        _ => json!(["fine", "order_to_correct"]),
    };
    Ok(store::penalty::PenaltyCase {
        id: store::new_id(),
        case_no: numbers.next(format!("CF-{}-{}-", i.region_code, filed.year()), 4),
        region_code: i.region_code.clone(),
        enterprise_id: i.enterprise_id.clone(),
        credit_code: i.credit_code.clone(),
        enterprise_name: i.enterprise_name.clone(),
        inspection_id: Some(i.id.clone()),
        facts: "检查发现企业未按规定开展隐患排查治理（生成数据）".into(),
        legal_basis: ARTICLES[(rng.next() % ARTICLES.len() as u64) as usize].code.clone(),
        penalty_types: types.to_string(),
        fine_fen: fine_yuan * 100,
        hearing_right: fine_yuan * 100 >= domain::penalty::HEARING_FINE_FEN,
        status: status.into(),
        status_since: status_since.to_string(),
        deadline,
        decided_on: decided.map(|d| d.to_string()),
        publish_by: decided.map(|d| domain::penalty::publish_by(d, &CALENDAR).to_string()),
        filed_by: RECORDER.into(),
        version: steps as i64 + 1,
    })
}

const SOURCES: [(&str, u64); 8] = [
    ("self_check", 35),
    ("department_inspection", 28),
    ("spot_check", 10),
    ("public_report", 10),
    ("cross_inspection", 6),
    ("accident_investigation", 5),
    ("guidance", 4),
    ("covert_check", 2),
];

/// The status of a hazard reported `age` days ago: old ones closed but for a few left open
/// (overdue), recent ones spread over the lifecycle.
fn status_by_age(age: i32, r: u64) -> Status {
    let table: [(Status, u64); 6] = match age {
        91.. => [
            (Status::Closed, 95),
            (Status::Verified, 1),
            (Status::Rectifying, 2),
            (Status::Submitted, 1),
            (Status::Assigned, 1),
            (Status::Reported, 0),
        ],
        31..=90 => [
            (Status::Closed, 62),
            (Status::Verified, 10),
            (Status::Rectifying, 16),
            (Status::Submitted, 7),
            (Status::Assigned, 3),
            (Status::Reported, 2),
        ],
        _ => [
            (Status::Closed, 25),
            (Status::Verified, 10),
            (Status::Rectifying, 35),
            (Status::Submitted, 12),
            (Status::Assigned, 10),
            (Status::Reported, 8),
        ],
    };
    let total: u64 = table.iter().map(|t| t.1).sum();
    let mut x = r % total;
    for (s, w) in table {
        if x < w {
            return s;
        }
        x -= w;
    }
    Status::Closed
}

/// Hazards, day by day: one in twelve major (with its criterion; a fifth of the overdue
/// majors listed for supervision), by source as in [`SOURCES`] (a cross-inspection's finder
/// another county of the city), half of them in their city's special action of the year.
async fn hazards(
    app: &App,
    spec: &Spec,
    reg: &Register,
    campaigns: &HashMap<(String, i16), String>,
    summary: &mut Summary,
    progress: Progress<'_>,
) -> anyhow::Result<()> {
    let mut rng = crate::demo::SplitMix(spec.seed ^ 0x4841_5a41_5244);
    let total = spec.hazards();
    let neighbours: HashMap<&str, &Vec<String>> =
        reg.cities.iter().flat_map(|(_, counties)| counties.iter().map(move |c| (c.as_str(), counties))).collect();
    let mut numbers = Numbers::default();
    let mut batch = Vec::with_capacity(BATCH);
    let mut i = 0usize;
    for d in 0..days() {
        let today = day(d);
        let age = (LAST_DAY - today).get_days();
        for _ in 0..on_day(total, d) {
            let (id, region, code, name, sector) =
                &reg.enterprises[(rng.next() % reg.enterprises.len() as u64) as usize];
            let status = status_by_age(age, rng.next());
            let major = rng.next().is_multiple_of(12);
            let deadline = today.checked_add(jiff::Span::new().days(if major { 90 } else { 30 }))?;
            let overdue = status != Status::Closed && status != Status::Verified && deadline < LAST_DAY;
            let mut source = weighted(&SOURCES, rng.next());
            let found_by = (source == "cross_inspection")
                .then(|| neighbours.get(region.as_str()).and_then(|c| c.iter().find(|k| *k != region)).cloned())
                .flatten();
            if source == "cross_inspection" && found_by.is_none() {
                source = "department_inspection";
            }
            let reported_at = at(today, (rng.next() % 480) as i64);
            let city = format!("{}00", &region[..4]);
            let campaign = (major || rng.next().is_multiple_of(2))
                .then(|| campaigns.get(&(city, today.year())).cloned())
                .flatten();
            batch.push(HistoricalHazard {
                hazard_no: numbers.next(format!("YH-{region}-{}-", today.year()), 6),
                status,
                reported_at,
                closed_at: (status == Status::Closed)
                    .then(|| (reported_at + (5 + rng.next() % 40) as i64 * DAY_MS).min(at(LAST_DAY, 480))),
                hazard: NewHazard {
                    region_code: region.clone(),
                    enterprise_id: id.clone(),
                    credit_code: code.clone(),
                    enterprise_name: name.clone(),
                    sector: sector.clone(),
                    description: format!("生成隐患 {i}：现场检查发现安全防护设施缺失"),
                    location: String::new(),
                    grade: if major { Grade::Major } else { Grade::General },
                    criterion: major.then(|| "industry-trade".into()),
                    criterion_clause: major.then(|| "第八条".into()),
                    source: Source::parse(source).ok_or_else(|| anyhow::anyhow!("source {source}"))?,
                    deadline: deadline.to_string(),
                    responsible_unit: String::new(),
                    responsible_person: String::new(),
                    listed_level: (major && overdue && rng.next().is_multiple_of(5)).then_some(ListedLevel::County),
                    campaign_id: campaign,
                    found_by_region: found_by,
                    five_implementations: None,
                    rectification_plan: String::new(),
                    reported_by: RECORDER.into(),
                    reporter_role: "county_office".into(),
                    evidence: "[]".into(),
                },
            });
            i += 1;
            if batch.len() == BATCH {
                flush_hazards(app, &mut batch, summary).await?;
                progress("hazards", i as u64, total as u64);
            }
        }
    }
    flush_hazards(app, &mut batch, summary).await?;
    progress("hazards", i as u64, total as u64);
    audit(app, "hazard", spec, summary.hazards).await
}

async fn flush_hazards(app: &App, batch: &mut Vec<HistoricalHazard>, summary: &mut Summary) -> anyhow::Result<()> {
    let mut tx = app.db.begin().await?;
    store::hazard::insert_historical(&mut tx, batch, app.now_ms()).await?;
    tx.commit().await?;
    summary.hazards += batch.len();
    batch.clear();
    Ok(())
}

/// Accidents, day by day: most without deaths, about one in a thousand major or worse,
/// graded by the core's rule.
async fn accidents(
    app: &App,
    spec: &Spec,
    reg: &Register,
    summary: &mut Summary,
    progress: Progress<'_>,
) -> anyhow::Result<()> {
    let mut rng = crate::demo::SplitMix(spec.seed ^ 0x4143_4349_4445_4e54);
    let total = spec.accidents();
    let mut numbers = Numbers::default();
    let mut batch = Vec::new();
    for d in 0..days() {
        let today = day(d);
        for _ in 0..on_day(total, d) {
            let (id, region, _, name, _) = &reg.enterprises[(rng.next() % reg.enterprises.len() as u64) as usize];
            let (deaths, injuries) = match rng.next() % 1000 {
                0 => (10 + rng.next() % 5, rng.next() % 20),
                1..=4 => (3 + rng.next() % 4, rng.next() % 10),
                5..=30 => (2, rng.next() % 3),
                31..=150 => (1, rng.next() % 2),
                _ => (0, rng.next() % 2),
            };
            let loss_fen = (20_000 + rng.next() % 2_000_000) as i64 * 100 * (1 + deaths as i64);
            let grade = domain::accident::grade(deaths as u32, injuries as u32, loss_fen);
            let occurred_at = at(today, (rng.next() % 600) as i64);
            batch.push(store::accident::Accident {
                id: store::new_id(),
                accident_no: numbers.next(format!("SG-{region}-{}-", today.year()), 4),
                region_code: region.clone(),
                occurred_at,
                occurred_on: today.to_string(),
                enterprise_id: Some(id.clone()),
                enterprise_name: name.clone(),
                accident_type: domain::accident::TYPES[(rng.next() % 20) as usize].0.into(),
                deaths: deaths as i64,
                serious_injuries: injuries as i64,
                direct_loss_fen: loss_fen,
                grade: grade.as_str().into(),
                description: "生成事故记录".into(),
                recorded_by: RECORDER.into(),
            });
        }
    }
    let mut tx = app.db.begin().await?;
    store::accident::insert_historical(&mut tx, &batch, app.now_ms()).await?;
    tx.commit().await?;
    summary.accidents = batch.len();
    progress("accidents", total as u64, total as u64);
    audit(app, "accident", spec, summary.accidents).await
}
