//! The reference scenario (BRIEF §9): the year 2023 in Anhui, with Lu'an in detail, played
//! through the service layer on a simulated clock. Every record is made by the same use-case
//! a user would call (plans committed and drawn, inspections recorded by the drawn teams,
//! hazards moved through their lives, penalty cases decided, covert visits sealed and
//! completed, a cross-inspection round grouped and drawn, accidents recorded, the province's
//! quarterly rankings published when they would have been), in time order. The figures and
//! rankings are never stored as totals: they come out of those records (`script.rs` has the
//! numbers that make them).
//!
//! Deterministic in everything the figures count; which enterprises a draw picks depends on
//! the draw's secret (from the OS), as in real use, and does not change any figure.

use super::script::{self, Fates, Quarter};
use super::{DEMO_PASSWORD, LUAN_COUNTIES, Size};
use crate::clock::ManualClock;
use crate::service::auth::{hash_password, principal_of};
use crate::service::campaigns::CampaignInput;
use crate::service::covert::{CovertInput, HandoverInput, ProblemInput, VisitInput};
use crate::service::cross::RoundInput;
use crate::service::hazards::{HazardInput, Step};
use crate::service::inspections::{CheckItem, InspectionInput};
use crate::service::penalties::CaseInput;
use crate::service::plans::PlanInput;
use crate::service::{Actor, App};
use domain::access::Role;
use domain::covert::HandoverAction;
use domain::hazard::{Action, FiveImplementations};
use domain::penalty::{CaseAction, PenaltyType};
use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// The year played.
pub const YEAR: i16 = 2023;
/// Lu'an.
pub const LUAN: &str = "341500";
const DAY_MS: i64 = 86_400_000;
const STRATA: [&str; 4] = ["major", "high", "general", "low"];

/// When the province ranks each quarter (early in the next one).
const RANKING_DAYS: [&str; 4] = ["2023-04-07", "2023-07-05", "2023-10-09", "2024-01-05"];

/// Milliseconds of a Beijing local time.
fn at(day: jiff::civil::Date, hour: i8, minute: i8) -> i64 {
    day.at(hour, minute, 0, 0).in_tz("Asia/Shanghai").map(|z| z.timestamp().as_millisecond()).unwrap_or_default()
}

fn date(s: &str) -> jiff::civil::Date {
    s.parse().expect("scenario dates are valid")
}

/// The first ranking day after `today` (when the province ranks the quarter under way).
fn next_ranking(today: jiff::civil::Date) -> jiff::civil::Date {
    RANKING_DAYS.iter().map(|d| date(d)).find(|d| *d > today).unwrap_or(today)
}

fn quarter_start(q: usize) -> jiff::civil::Date {
    jiff::civil::date(YEAR, (q * 3 + 1) as i8, 1)
}

fn local(ms: i64) -> jiff::civil::DateTime {
    jiff::Timestamp::from_millisecond(ms)
        .ok()
        .and_then(|t| t.in_tz("Asia/Shanghai").ok())
        .map(|z| z.datetime())
        .unwrap_or_default()
}

/// `n` split over `parts` as evenly as possible, the first parts taking the remainder.
fn split(n: u32, parts: usize) -> Vec<u32> {
    (0..parts as u32).map(|i| n / parts as u32 + u32::from(i < n % parts as u32)).collect()
}

/// What becomes of one hazard or problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fate {
    /// Closed within days, before the ranking.
    Quick,
    /// Closed after the ranking; `overdue`: its deadline passes before the ranking.
    Late { overdue: bool },
    /// Never closed.
    Never,
}

/// The fates of `f.total` items in time order: quick ones first, then late (overdue first),
/// then never.
fn fates_in_order(f: &Fates) -> Vec<Fate> {
    let mut out = vec![Fate::Quick; f.closed_by_ranking as usize];
    out.extend((0..f.closed_later).map(|i| Fate::Late { overdue: i < f.overdue_at_ranking }));
    out.extend((0..f.never_closed()).map(|_| Fate::Never));
    out
}

/// A finding to record with an inspection.
#[derive(Debug, Clone)]
struct Finding {
    major: bool,
    fate: Fate,
}

/// Something that happens at a time.
#[derive(Debug, Clone)]
enum Event {
    Inspect { county: String, plan_id: String, code: String, team: Vec<String>, penalty: bool, findings: Vec<Finding> },
    Hazard { id: String, county: String, action: Action },
    Case { id: String, county: String, action: CaseAction },
    CovertPlan { quarter: usize, visit: u32, problems: Vec<Fate> },
    CovertVisit { plan_id: String, version: i64, targets: Vec<store::covert::Target>, problems: Vec<Fate> },
    Handover { id: String, action: HandoverAction, county: String },
    Accident { county: String, deaths: u32 },
    CrossRound(usize),
}

/// What every lane reads: the accounts acting, the enterprises, what is left to draw, progress.
struct Shared {
    /// County and city office accounts by region code; the province as `340000`.
    actors: HashMap<String, Actor>,
    /// Enterprise id by credit code.
    ids: HashMap<String, String>,
    /// Enterprises not yet drawn for a spot check this year, per county and stratum.
    remaining: Mutex<HashMap<String, [u32; 4]>>,
    /// Events done, of about `total`.
    done: AtomicU64,
    total: u64,
}

impl Shared {
    fn actor(&self, region: &str) -> anyhow::Result<&Actor> {
        self.actors.get(region).ok_or_else(|| anyhow::anyhow!("no demo office for {region}"))
    }
}

/// One lane of the simulation: a county's own work, or a city's (covert visits, accidents, the
/// cross-inspection round), played in time order on the lane's own clock. Lanes touch
/// different records, so they run side by side between the moments that need all of them
/// (quarter starts, rankings).
struct Lane {
    app: App,
    clock: ManualClock,
    queue: BinaryHeap<Reverse<(i64, u64)>>,
    events: HashMap<u64, Event>,
    seq: u64,
    /// Current version of the hazards, cases and handovers the lane moves.
    versions: HashMap<String, i64>,
    /// Events done in this lane (varies texts and amounts).
    n: usize,
}

impl Lane {
    fn new(app: &App) -> Self {
        let clock = ManualClock::at(0);
        Lane {
            app: App { clock: Arc::new(clock.clone()), ..app.clone() },
            clock,
            queue: BinaryHeap::new(),
            events: HashMap::new(),
            seq: 0,
            versions: HashMap::new(),
            n: 0,
        }
    }

    fn push(&mut self, at: i64, event: Event) {
        self.seq += 1;
        self.queue.push(Reverse((at, self.seq)));
        self.events.insert(self.seq, event);
    }

    fn set_clock(&self, ms: i64) {
        self.clock.set_ms(ms);
    }

    /// Plays the lane's events before `until`.
    async fn run_until(mut self, shared: Arc<Shared>, until: i64) -> anyhow::Result<Self> {
        while let Some(Reverse((when, seq))) = self.queue.peek().copied() {
            if when >= until {
                break;
            }
            self.queue.pop();
            let event = self.events.remove(&seq).expect("queued events are stored");
            self.set_clock(when);
            run(&mut self, &shared, event).await?;
            self.n += 1;
            shared.done.fetch_add(1, Ordering::Relaxed);
        }
        Ok(self)
    }
}

/// The cities taking part and their active counties: Lu'an's seven, one for each other city.
fn cities(regions: &[domain::region::Region]) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (county, _) in super::register_counties(regions, Size::Reference) {
        out.entry(format!("{}00", &county[..4])).or_default().push(county);
    }
    out
}

fn script_of(city: &str, q: usize) -> Quarter {
    if city == LUAN { script::luan()[q].clone() } else { script::other(city, q) }
}

/// An upper estimate of the service calls, for the progress bar.
fn estimate(cities: &BTreeMap<String, Vec<String>>) -> u64 {
    let mut n = 0u64;
    for city in cities.keys() {
        for q in 0..4 {
            let s = script_of(city, q);
            n += u64::from(s.spot + 7 * s.cross_per_team) + 5 * u64::from(s.majors.total + s.generals.total);
            n += 5 * u64::from(s.decisions) + 4 * u64::from(s.covert_problems.total) + 2 * u64::from(s.covert_visits);
            n += 5 * u64::from(s.cross_hazards) + s.accidents.len() as u64 + 4;
        }
    }
    n
}

/// Loads the reference scenario into an empty database. Returns false (and does nothing) if
/// demo data is already there. `progress(done, total)` is called as it goes.
pub async fn load(app: &App, progress: &(dyn Fn(u64, u64) + Sync)) -> anyhow::Result<bool> {
    if store::user::by_username(&app.db, "province").await?.is_some() {
        return Ok(false);
    }
    let setup = Lane::new(app);
    setup.set_clock(at(date("2023-01-02"), 9, 0));
    super::load_registers(&setup.app, Size::Reference).await?;
    let regions = store::reference::regions(&app.db).await?;
    let cities = cities(&regions);
    let actors = accounts(&setup.app, &cities).await?;
    let ids = store::enterprise::all_keys(&app.db).await?.into_iter().map(|(id, _, code, _, _)| (code, id)).collect();
    let mut remaining = HashMap::new();
    for county in cities.values().flatten() {
        let prefix = domain::region::RegionPrefix::of(
            &domain::region::RegionCode::parse(county)?,
            domain::region::RegionLevel::County,
        );
        let mut strata = [0u32; 4];
        for (_, risk) in store::plan::candidates(&app.db, &prefix, &[]).await? {
            if let Some(i) = STRATA.iter().position(|s| *s == risk) {
                strata[i] += 1;
            }
        }
        remaining.insert(county.clone(), strata);
    }
    let shared = Arc::new(Shared {
        actors,
        ids,
        remaining: Mutex::new(remaining),
        done: AtomicU64::new(0),
        total: estimate(&cities),
    });
    // Every city runs the year's special action against major accident hazards.
    for city in cities.keys() {
        let input = CampaignInput {
            name: format!("{YEAR}年重大事故隐患专项排查整治行动"),
            start_date: format!("{YEAR}-01-01"),
            end_date: format!("{YEAR}-12-31"),
            stages: format!(
                "动员部署,{YEAR}-01-01,{YEAR}-03-31\n企业自查自改和部门帮扶,{YEAR}-04-01,{YEAR}-06-30\n精准执法,{YEAR}-07-01,{YEAR}-11-30\n总结提升,{YEAR}-12-01,{YEAR}-12-31"
            ),
            targets: "重大事故隐患动态清零；整改销号率不低于90%".into(),
            ..Default::default()
        };
        setup.app.create_campaign(shared.actor(city)?, &input).await?;
    }
    let mut lanes: BTreeMap<String, Lane> = cities
        .iter()
        .flat_map(|(c, counties)| std::iter::once(c).chain(counties))
        .map(|r| (r.clone(), Lane::new(app)))
        .collect();
    lanes.get_mut(LUAN).expect("Lu'an takes part").push(at(date("2023-07-10"), 9, 0), Event::CrossRound(2));
    // The moments that need every lane: quarter starts (draws) and rankings.
    let mut barriers: Vec<(i64, Option<usize>, Option<usize>)> = Vec::new();
    for (q, ranking) in RANKING_DAYS.iter().enumerate() {
        barriers.push((at(quarter_start(q), 9, 0) + DAY_MS, Some(q), None));
        barriers.push((at(date(ranking), 10, 0), None, Some(q)));
    }
    barriers.sort();
    barriers.push((i64::MAX, None, None));
    for (when, start, rank) in barriers {
        lanes = run_lanes(lanes, &shared, when, progress).await?;
        // A quarter passes between barriers in seconds. PostgreSQL's autovacuum would have
        // refreshed its statistics in that time; without them it plans the quarter's draws'
        // annual-cap query as if the inspection table were empty (nested loops: up to 9 s
        // instead of 70 ms).
        if start.is_some() && app.db.backend() == store::Backend::Postgres {
            store::sql::query("ANALYZE").execute(app.db.reader()).await?;
        }
        if let Some(q) = start {
            for (city, counties) in &cities {
                start_quarter(&mut lanes, &shared, city, counties, q, when).await?;
            }
        }
        if let Some(q) = rank {
            setup.set_clock(when);
            let quarter = domain::period::Quarter { year: YEAR, q: q as i8 + 1 };
            setup.app.publish_evaluation(shared.actor("340000")?, "340000", quarter).await?;
        }
    }
    progress(shared.total, shared.total);
    Ok(true)
}

/// Plays every lane up to `until`, side by side, reporting progress while they run.
async fn run_lanes(
    lanes: BTreeMap<String, Lane>,
    shared: &Arc<Shared>,
    until: i64,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> anyhow::Result<BTreeMap<String, Lane>> {
    let mut running = tokio::task::JoinSet::new();
    for (key, lane) in lanes {
        let shared = shared.clone();
        running.spawn(async move { lane.run_until(shared, until).await.map(|l| (key, l)) });
    }
    let mut out = BTreeMap::new();
    loop {
        match tokio::time::timeout(std::time::Duration::from_millis(250), running.join_next()).await {
            Ok(Some(done)) => {
                let (key, lane) = done??;
                out.insert(key, lane);
            }
            Ok(None) => break,
            Err(_) => {}
        }
        progress(shared.done.load(Ordering::Relaxed).min(shared.total), shared.total);
    }
    Ok(out)
}

/// The accounts the scenario acts through: the demo accounts, plus an office account (same
/// demo password) for every other active county and city, named `office` + region code.
async fn accounts(app: &App, cities: &BTreeMap<String, Vec<String>>) -> anyhow::Result<HashMap<String, Actor>> {
    let operator = Actor { name: "demo".to_owned(), ..Actor::cli() };
    let names: HashMap<String, String> =
        crate::refdata::REGIONS.iter().map(|r| (r.code.to_string(), r.name_zh.clone())).collect();
    let known = [("province", "340000"), ("luan", LUAN), ("huoqiu", "341522"), ("jinzhai", "341524")];
    let mut wanted: Vec<(String, String, Role)> = Vec::new();
    for (city, counties) in cities {
        wanted.push((city.clone(), format!("{}安委办", names[city]), Role::CityOffice));
        for county in counties {
            wanted.push((county.clone(), format!("{}应急管理局", names[county]), Role::CountyOffice));
        }
    }
    let hash = hash_password(DEMO_PASSWORD).await?;
    let mut tx = app.db.begin().await?;
    for (region, display, role) in &wanted {
        if known.iter().any(|(_, r)| r == region) {
            continue;
        }
        let username = format!("office{region}");
        let new = store::user::NewUser {
            username: username.clone(),
            display_name: display.clone(),
            role: *role,
            region_code: region.clone(),
            enterprise_id: None,
            department: None,
            password_hash: hash.clone(),
            must_change_password: false,
        };
        super::create_account(app, &mut tx, &operator, &new).await?;
    }
    tx.commit().await?;
    let mut actors = HashMap::new();
    for (region, _, _) in &wanted {
        let username = known.iter().find(|(_, r)| r == region).map(|(u, _)| (*u).to_owned());
        let username = username.unwrap_or_else(|| format!("office{region}"));
        let user = store::user::by_username(&app.db, &username)
            .await?
            .ok_or_else(|| anyhow::anyhow!("demo account {username} missing"))?;
        actors.insert(region.clone(), Actor::user(&principal_of(&user)?, "demo-2023"));
    }
    let province = store::user::by_username(&app.db, "province").await?.expect("created with the registers");
    actors.insert("340000".into(), Actor::user(&principal_of(&province)?, "demo-2023"));
    Ok(actors)
}

async fn run(lane: &mut Lane, shared: &Shared, event: Event) -> anyhow::Result<()> {
    match event {
        Event::Inspect { county, plan_id, code, team, penalty, findings } => {
            inspect(lane, shared, &county, &plan_id, &code, team, penalty, &findings).await?;
        }
        Event::Hazard { id, county, action } => {
            let step = Step {
                version: lane.versions[&id],
                note: "已按整改方案完成整改（演示数据）".into(),
                ..Default::default()
            };
            let h = lane.app.act_on_hazard(shared.actor(&county)?, &id, action, &step).await?;
            lane.versions.insert(id, h.hazard.version);
        }
        Event::Case { id, county, action } => {
            let c = lane.app.act_on_case(shared.actor(&county)?, &id, lane.versions[&id], action, "演示数据").await?;
            lane.versions.insert(id, c.version);
        }
        Event::CovertPlan { quarter, visit, problems } => plan_covert(lane, shared, quarter, visit, problems).await?,
        Event::CovertVisit { plan_id, version, targets, problems } => {
            covert_visit(lane, shared, &plan_id, version, &targets, &problems).await?;
        }
        Event::Handover { id, action, county } => {
            let who = if action == HandoverAction::Answer { county.as_str() } else { LUAN };
            let note = if action == HandoverAction::Answer { "已约谈相关单位并督促整改到位" } else { "" };
            let v = lane.app.act_on_handover(shared.actor(who)?, &id, lane.versions[&id], action, note).await?;
            lane.versions.insert(id, v.problem.version);
        }
        Event::Accident { county, deaths } => {
            let input = crate::service::accidents::AccidentInput {
                occurred_at: local(lane.app.now_ms()).strftime("%Y-%m-%dT%H:%M").to_string(),
                region_code: Some(county.clone()),
                place: "某建筑工地".into(),
                accident_type: ["struck_by_object", "vehicle", "machinery", "lifting"][deaths as usize % 4].into(),
                deaths,
                serious_injuries: 0,
                direct_loss_yuan: "186000".into(),
                description: "演示数据：一般生产安全事故".into(),
                enterprise_id: None,
            };
            let city = format!("{}00", &county[..4]);
            lane.app.record_accident(shared.actor(&city)?, &input).await?;
        }
        Event::CrossRound(q) => cross_round(lane, shared, q).await?,
    }
    Ok(())
}

/// The quotas per stratum for `n` enterprises from what is left (higher risk drawn more
/// often), never more than is left; `only` limits the strata used.
fn quotas(left: &[u32; 4], n: u32, only: &[bool; 4]) -> anyhow::Result<[u32; 4]> {
    let available: u32 = (0..4).filter(|i| only[*i]).map(|i| left[i]).sum();
    anyhow::ensure!(available >= n, "the register is too small for the scenario ({n} of {available})");
    let weight = [4.0, 2.0, 1.0, 0.7];
    let w: Vec<f64> = (0..4).map(|i| if only[i] { f64::from(left[i]) * weight[i] } else { 0.0 }).collect();
    let sum: f64 = w.iter().sum();
    let mut out = [0u32; 4];
    for i in 0..4 {
        out[i] = ((f64::from(n) * w[i] / sum).floor() as u32).min(left[i]);
    }
    let mut i = 0;
    while out.iter().sum::<u32>() < n {
        if only[i % 4] && out[i % 4] < left[i % 4] {
            out[i % 4] += 1;
        }
        i += 1;
    }
    Ok(out)
}

/// A quarter begins: each county draws its spot-check plan and schedules the inspections; the
/// city schedules its covert visits and its accidents.
async fn start_quarter(
    lanes: &mut BTreeMap<String, Lane>,
    shared: &Shared,
    city: &str,
    counties: &[String],
    q: usize,
    now: i64,
) -> anyhow::Result<()> {
    let s = script_of(city, q);
    let parts = counties.len();
    let (spot, decisions) = (split(s.spot, parts), split(s.decisions, parts));
    // Split each fate group so every county gets its share of each kind of fate.
    let share = |f: &Fates| -> Vec<Vec<Fate>> {
        let mut per: Vec<Vec<Fate>> = vec![Vec::new(); parts];
        for (i, fate) in fates_in_order(f).into_iter().enumerate() {
            per[i % parts].push(fate);
        }
        per
    };
    let (majors, generals) = (share(&s.majors), share(&s.generals));
    // In the quarter of the cross-inspection, county plans leave the low-risk stratum to it.
    let only = if s.cross_per_team > 0 { [true, true, true, false] } else { [true; 4] };
    for (j, county) in counties.iter().enumerate() {
        let left = shared.remaining.lock().map_err(|_| anyhow::anyhow!("lock"))?[county];
        let quota = quotas(&left, spot[j], &only)?;
        let actor = shared.actor(county)?.clone();
        let lane = lanes.get_mut(county).ok_or_else(|| anyhow::anyhow!("no lane for {county}"))?;
        lane.set_clock(now);
        let first = quarter_start(q);
        let last = first.checked_add(jiff::Span::new().months(3))?.yesterday()?;
        let input = PlanInput {
            name: format!("{YEAR}年第{}季度“双随机、一公开”抽查计划", q + 1),
            period_start: first.to_string(),
            period_end: last.to_string(),
            quotas: quota.map(|n| if n == 0 { String::new() } else { n.to_string() }),
            team_size: 2,
            check_items: "安全生产责任制落实\n隐患排查治理制度\n特种作业人员持证上岗\n应急预案及演练".into(),
            ..Default::default()
        };
        let plan = lane.app.create_plan(&actor, &input).await?;
        let plan = lane.app.commit_plan(&actor, &plan.id, plan.version).await?;
        let beacon = format!("{YEAR}年第{}季度抽查公证随机数 {:06}", q + 1, (j * 7919 + q * 104_729) % 1_000_000);
        let plan = lane.app.draw_plan(&actor, &plan.id, plan.version, &beacon).await?;
        let assignments = drawn(&lane.app, &plan.id).await?;
        take(shared, county, &assignments)?;
        schedule_inspections(lane, county, &plan.id, q, &assignments, &majors[j], &generals[j], decisions[j]);
    }
    let lane = lanes.get_mut(city).ok_or_else(|| anyhow::anyhow!("no lane for {city}"))?;
    // Accidents, spread over the quarter's counties and weeks.
    for (i, deaths) in s.accidents.iter().enumerate() {
        let day = quarter_start(q).checked_add(jiff::Span::new().days(10 + (i * 75 / s.accidents.len()) as i64))?;
        lane.push(at(day, 15, 30), Event::Accident { county: counties[i % parts].clone(), deaths: *deaths });
    }
    // Covert visits (city office), each found problems with their fates.
    let fates = fates_in_order(&s.covert_problems);
    let per_visit = split(s.covert_problems.total, s.covert_visits.max(1) as usize);
    let mut next = 0usize;
    for v in 0..s.covert_visits {
        let n = per_visit[v as usize] as usize;
        let problems = fates[next..next + n].to_vec();
        next += n;
        let day =
            quarter_start(q).checked_add(jiff::Span::new().days(8 + i64::from(v) * 60 / i64::from(s.covert_visits)))?;
        lane.push(at(day, 7, 30) - 5 * DAY_MS, Event::CovertPlan { quarter: q, visit: v, problems });
    }
    Ok(())
}

/// The assignments of a drawn plan: (credit code, stratum, team).
async fn drawn(app: &App, plan_id: &str) -> anyhow::Result<Vec<(String, String, Vec<String>)>> {
    let reveal = store::plan::reveal_of(&app.db, plan_id).await?.ok_or_else(|| anyhow::anyhow!("not drawn"))?;
    let reveal: domain::draw::record::SpotReveal = serde_json::from_str(&reveal)?;
    let mut out: Vec<(String, String, Vec<String>)> =
        reveal.assignments.into_iter().map(|a| (a.entity, a.stratum, a.team)).collect();
    // Inspect in a fixed order whatever the draw picked.
    out.sort();
    Ok(out)
}

/// Counts drawn enterprises off what is left to draw in a county.
fn take(shared: &Shared, county: &str, assignments: &[(String, String, Vec<String>)]) -> anyhow::Result<()> {
    let mut remaining = shared.remaining.lock().map_err(|_| anyhow::anyhow!("lock"))?;
    let left = remaining.get_mut(county).ok_or_else(|| anyhow::anyhow!("unknown county {county}"))?;
    for (_, stratum, _) in assignments {
        if let Some(s) = STRATA.iter().position(|s| s == stratum) {
            left[s] -= 1;
        }
    }
    Ok(())
}

/// Schedules the inspections of a drawn plan over the quarter (days 4 to 72), the findings and
/// penalty cases spread evenly over them.
#[allow(clippy::too_many_arguments)]
fn schedule_inspections(
    lane: &mut Lane,
    county: &str,
    plan_id: &str,
    q: usize,
    assignments: &[(String, String, Vec<String>)],
    majors: &[Fate],
    generals: &[Fate],
    decisions: u32,
) {
    let n = assignments.len();
    if n == 0 {
        return;
    }
    let mut findings: Vec<Vec<Finding>> = vec![Vec::new(); n];
    for (k, fate) in majors.iter().enumerate() {
        findings[k * n / majors.len()].push(Finding { major: true, fate: *fate });
    }
    for (k, fate) in generals.iter().enumerate() {
        findings[(k * n / generals.len() + 1) % n].push(Finding { major: false, fate: *fate });
    }
    let mut penalty = vec![false; n];
    for k in 0..decisions as usize {
        penalty[(k * n / decisions as usize + 2) % n] = true;
    }
    for (i, (code, _, team)) in assignments.iter().enumerate() {
        let day = quarter_start(q).checked_add(jiff::Span::new().days(4 + (i * 68 / n) as i64)).expect("in 2023");
        let when = at(day, 9, 0) + (i % 420) as i64 * 60_000;
        let event = Event::Inspect {
            county: county.to_owned(),
            plan_id: plan_id.to_owned(),
            code: code.clone(),
            team: team.clone(),
            penalty: penalty[i],
            findings: std::mem::take(&mut findings[i]),
        };
        lane.push(when + 2 * 3_600_000, event);
    }
}

/// The ledger entry for a finding found today, with a deadline fitting its fate.
fn hazard_input(app: &App, major: bool, fate: Fate, n: usize) -> HazardInput {
    const MAJOR: [(&str, &str, &str); 3] = [
        ("液氨储罐区未设置泄漏报警装置", "chemicals", "第十条"),
        ("有限空间作业未执行审批制度", "industry-trade", "第八条"),
        ("粉尘涉爆区域使用非防爆电气设备", "industry-trade", "第十一条"),
    ];
    const GENERAL: [&str; 4] = ["配电箱未可靠接地", "消防通道被货物堵塞", "叉车司机无证驾驶", "安全警示标志缺失"];
    let today = app.today();
    let ranking = next_ranking(today);
    let deadline = match fate {
        Fate::Quick => today.checked_add(jiff::Span::new().days(if major { 20 } else { 15 })),
        Fate::Late { overdue: true } => today.checked_add(jiff::Span::new().days(15)),
        Fate::Late { overdue: false } => ranking.checked_add(jiff::Span::new().days(45)),
        Fate::Never => today.checked_add(jiff::Span::new().days(90)),
    }
    .unwrap_or(today)
    .to_string();
    if major {
        let (text, criterion, clause) = MAJOR[n % MAJOR.len()];
        HazardInput {
            description: text.into(),
            location: ["一车间", "储罐区", "仓库"][n % 3].into(),
            grade: "major".into(),
            criterion: Some(criterion.into()),
            criterion_clause: Some(clause.into()),
            deadline: deadline.clone(),
            responsible_unit: "安全管理部".into(),
            responsible_person: "张经理".into(),
            listed_level: Some("county".into()),
            five_implementations: Some(FiveImplementations {
                responsibility: "主要负责人负总责".into(),
                measures: "停用相关区域，限期完成改造".into(),
                funds_yuan: 80_000,
                deadline,
                contingency_plan: "专项应急预案已备案".into(),
            }),
            rectification_plan: "制定专项整改方案，分步实施".into(),
            ..Default::default()
        }
    } else {
        HazardInput {
            description: GENERAL[n % GENERAL.len()].into(),
            location: ["配电室", "厂区通道", "二车间", "仓库"][n % 4].into(),
            grade: "general".into(),
            deadline,
            responsible_unit: "安全管理部".into(),
            responsible_person: "李主任".into(),
            ..Default::default()
        }
    }
}

/// Schedules a hazard's life by its fate: assigned the next day, then rectified, verified and
/// closed out by the county office (quick: within ten days; late: after the ranking).
fn schedule_hazard(lane: &mut Lane, id: &str, version: i64, county: &str, fate: Fate, n: usize) {
    lane.versions.insert(id.to_owned(), version);
    let now = lane.app.now_ms();
    let today = lane.app.today();
    let close = match fate {
        Fate::Quick => Some(now + (6 + (n % 4) as i64) * DAY_MS),
        Fate::Late { .. } => {
            let ranking = next_ranking(today);
            Some(at(ranking, 10, 0) + (10 + (n % 30) as i64) * DAY_MS)
        }
        Fate::Never => None,
    };
    let event = |action| Event::Hazard { id: id.to_owned(), county: county.to_owned(), action };
    lane.push(now + DAY_MS, event(Action::Assign));
    if let Some(close) = close {
        lane.push(close - 3 * DAY_MS + 3_600_000, event(Action::SubmitRectification));
        lane.push(close - DAY_MS, event(Action::Verify));
        lane.push(close, event(Action::Close));
    }
}

#[allow(clippy::too_many_arguments)]
async fn inspect(
    lane: &mut Lane,
    shared: &Shared,
    county: &str,
    plan_id: &str,
    code: &str,
    team: Vec<String>,
    penalty: bool,
    findings: &[Finding],
) -> anyhow::Result<()> {
    let enterprise_id = shared.ids.get(code).cloned().ok_or_else(|| anyhow::anyhow!("unknown enterprise {code}"))?;
    let inspected_at = local(lane.app.now_ms() - 2 * 3_600_000).strftime("%Y-%m-%dT%H:%M").to_string();
    let base = lane.n;
    let input = InspectionInput {
        enterprise_id: enterprise_id.clone(),
        plan_id: Some(plan_id.to_owned()),
        inspected_at,
        officers: team,
        items: vec![
            CheckItem { item: "安全生产责任制落实".into(), result: "pass".into(), note: String::new() },
            CheckItem {
                item: "隐患排查治理制度".into(),
                result: if findings.is_empty() { "pass" } else { "fail" }.into(),
                note: String::new(),
            },
        ],
        representative: "企业安全负责人".into(),
        outcome: if penalty {
            "penalty_case"
        } else if findings.is_empty() {
            "no_problem"
        } else {
            "order_to_correct"
        }
        .into(),
        findings: findings
            .iter()
            .enumerate()
            .map(|(k, f)| hazard_input(&lane.app, f.major, f.fate, base + k))
            .collect(),
        ..Default::default()
    };
    let actor = shared.actor(county)?.clone();
    let (inspection, hazards) = lane.app.record_inspection(&actor, &input).await?;
    // The hazard belongs to the inspected enterprise's county (for a cross-inspection, not the
    // visiting one), whose office moves it along.
    let owner = inspection.region_code.clone();
    for (id, f) in hazards.iter().zip(findings) {
        schedule_hazard(lane, id, 1, &owner, f.fate, base);
    }
    if penalty {
        let case = CaseInput {
            enterprise_id,
            inspection_id: Some(inspection.id.clone()),
            facts: "检查发现未按规定开展隐患排查治理，经责令改正逾期未改正（演示数据）".into(),
            legal_basis: ["wsl-97", "wsl-93", "wsl-94"][base % 3].into(),
            penalty_types: vec![PenaltyType::Fine],
            fine_yuan: (20_000 + (base % 6) * 5_000).to_string(),
        };
        let filed = lane.app.file_case(&actor, &case).await?;
        lane.versions.insert(filed.id.clone(), filed.version);
        let now = lane.app.now_ms();
        let steps =
            [(3, CaseAction::Investigate), (5, CaseAction::Notify), (10, CaseAction::Decide), (11, CaseAction::Serve)];
        for (days, action) in steps {
            lane.push(now + days * DAY_MS, Event::Case { id: filed.id.clone(), county: owner.clone(), action });
        }
    }
    Ok(())
}

/// Lu'an's city office plans a covert visit (sealed) five days ahead: two targets among the
/// high-risk enterprises.
async fn plan_covert(lane: &mut Lane, shared: &Shared, q: usize, v: u32, problems: Vec<Fate>) -> anyhow::Result<()> {
    let luan = shared.actor(LUAN)?.clone();
    let visit_ms = lane.app.now_ms() + 5 * DAY_MS;
    let visit_day = local(visit_ms).date();
    let p = luan.principal.clone().expect("a user");
    let candidates = lane.app.covert_candidates(&p).await?;
    anyhow::ensure!(!candidates.is_empty(), "no high-risk enterprises for covert visits");
    let pick = |k: usize| candidates[(k * 7_919) % candidates.len()].clone();
    let targets = vec![pick(q * 100 + v as usize * 2), pick(q * 100 + v as usize * 2 + 1)];
    let input = CovertInput {
        name: format!("{YEAR}年第{}季度“四不两直”暗查暗访（第{}组）", q + 1, v + 1),
        date_from: visit_day.to_string(),
        date_to: visit_day.to_string(),
        targets: targets.iter().map(|t| t.enterprise_id.clone()).collect(),
        ..Default::default()
    };
    let plan = lane.app.plan_covert(&luan, &input).await?;
    let event = Event::CovertVisit { plan_id: plan.plan.id.clone(), version: plan.plan.version, targets, problems };
    lane.push(visit_ms, event);
    Ok(())
}

/// The visit is carried out and recorded (which unseals it); its problems are recorded: the
/// first as the enterprise's hazard, the others handed over to the county of the enterprise.
async fn covert_visit(
    lane: &mut Lane,
    shared: &Shared,
    plan_id: &str,
    version: i64,
    targets: &[store::covert::Target],
    problems: &[Fate],
) -> anyhow::Result<()> {
    const PROBLEMS: [&str; 5] = [
        "企业隐患排查治理流于形式",
        "属地监管部门未发现企业长期违规动火作业",
        "企业特种作业人员未持证上岗，属地检查未发现",
        "应急预案未演练，部门督促不到位",
        "安全培训记录造假，监管检查未发现",
    ];
    let luan = shared.actor(LUAN)?.clone();
    let visited_ms = lane.app.now_ms();
    lane.set_clock(visited_ms + 6 * 3_600_000);
    let visit = VisitInput {
        version,
        visited_at: local(visited_ms).strftime("%Y-%m-%dT%H:%M").to_string(),
        place: targets[0].name.clone(),
        notes: "不发通知、不打招呼、不听汇报、不用陪同接待，直奔基层、直插现场（演示数据）".into(),
        ..Default::default()
    };
    lane.app.complete_covert(&luan, plan_id, &visit).await?;
    let deadline = lane.app.today().checked_add(jiff::Span::new().days(30))?.to_string();
    for (k, fate) in problems.iter().enumerate() {
        let target = &targets[k % targets.len()];
        let hazard = (k == 0).then(|| hazard_input(&lane.app, false, *fate, k));
        let input = ProblemInput {
            description: PROBLEMS[k % PROBLEMS.len()].into(),
            enterprise_id: Some(target.enterprise_id.clone()),
            handover: hazard.is_none().then(|| HandoverInput {
                region_code: target.region_code.clone(),
                department: None,
                deadline: deadline.clone(),
            }),
            hazard,
        };
        let problem = lane.app.add_covert_problem(&luan, plan_id, &input).await?;
        let county = target.region_code.clone();
        match &problem.problem.hazard_id {
            Some(h) => schedule_hazard(lane, h, 1, &county, *fate, k),
            None => schedule_handover(lane, &problem.problem.id, problem.problem.version, &county, *fate),
        }
    }
    Ok(())
}

/// Schedules a handover's answer and acceptance by its fate.
fn schedule_handover(lane: &mut Lane, id: &str, version: i64, county: &str, fate: Fate) {
    lane.versions.insert(id.to_owned(), version);
    let now = lane.app.now_ms();
    let today = lane.app.today();
    let answer = match fate {
        Fate::Quick => now + 7 * DAY_MS,
        Fate::Late { .. } => {
            let ranking = next_ranking(today);
            at(ranking, 10, 0) + 5 * DAY_MS
        }
        Fate::Never => return,
    };
    let event = |action| Event::Handover { id: id.to_owned(), action, county: county.to_owned() };
    lane.push(answer, event(HandoverAction::Answer));
    lane.push(answer + 2 * DAY_MS, event(HandoverAction::Accept));
}

/// Lu'an's cross-inspection round: grouped and drawn, each visiting team inspects its quota of
/// low-risk enterprises of the county it was paired with, finding the quarter's hazards.
async fn cross_round(lane: &mut Lane, shared: &Shared, q: usize) -> anyhow::Result<()> {
    let s = script_of(LUAN, q);
    let luan = shared.actor(LUAN)?.clone();
    let input = RoundInput {
        name: format!("{YEAR}年六安市安全生产交叉互查"),
        date_from: "2023-07-15".into(),
        date_to: "2023-08-31".into(),
        participants: LUAN_COUNTIES.iter().map(|c| (*c).to_owned()).collect(),
        team_size: 2,
        quotas: [("low".to_owned(), s.cross_per_team.to_string())].into_iter().collect(),
    };
    let round = lane.app.create_round(&luan, &input).await?;
    let round = lane.app.commit_round(&luan, &round.round.id, round.round.version).await?;
    let round = lane
        .app
        .group_round(&luan, &round.round.id, round.round.version, "2023-07-10 福彩3D 第2023182期 开奖号码 517")
        .await?;
    let round = lane.app.draw_round_teams(&luan, &round.round.id, "2023-07-12 福彩3D 第2023184期 开奖号码 093").await?;
    let total = (s.cross_per_team as usize) * round.pairs.len();
    let extra = s.cross_hazards as usize - total.min(s.cross_hazards as usize);
    let mut n = 0usize;
    for pair in &round.pairs {
        let plan = pair.plan.as_ref().ok_or_else(|| anyhow::anyhow!("pair plan missing"))?;
        let assignments = drawn(&lane.app, &plan.id).await?;
        take(shared, &pair.inspected, &assignments)?;
        for (code, _, team) in assignments {
            let findings =
                (0..1 + usize::from(n < extra)).map(|_| Finding { major: false, fate: Fate::Quick }).collect();
            let day = date("2023-07-15").checked_add(jiff::Span::new().days((n * 45 / total) as i64))?;
            let event = Event::Inspect {
                county: pair.visiting.clone(),
                plan_id: plan.id.clone(),
                code,
                team,
                penalty: false,
                findings,
            };
            lane.push(at(day, 14, 0) + (n % 120) as i64 * 60_000 + 2 * 3_600_000, event);
            n += 1;
        }
    }
    Ok(())
}
