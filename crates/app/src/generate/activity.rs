//! The work the offices plan, played through the use-cases on a simulated clock: a special
//! action and a spot-check plan (committed and drawn) per city and year, covert visits (sealed,
//! carried out, their problems handed over and, for the older ones, answered and accepted),
//! and cross-inspection rounds (grouped and their teams drawn). The inspections of the drawn
//! enterprises are returned for the bulk writer to record.

use super::registers::Register;
use super::{DAY_MS, LAST_DAY, Progress, Spec, Summary, at, day, days, principal};
use crate::clock::ManualClock;
use crate::service::campaigns::CampaignInput;
use crate::service::covert::{CovertInput, HandoverInput, ProblemInput, VisitInput};
use crate::service::cross::RoundInput;
use crate::service::plans::PlanInput;
use crate::service::{Actor, App};
use domain::access::Role;
use domain::covert::HandoverAction;
use domain::region::RegionLevel;
use std::collections::HashMap;
use std::sync::Arc;

/// An inspection of a drawn enterprise, to be recorded by the bulk writer.
#[derive(Debug, Clone)]
pub struct Visit {
    /// Day of the history it happens on.
    pub day: i64,
    /// Index of the enterprise in the register.
    pub enterprise: usize,
    /// The plan that drew it.
    pub plan_id: String,
    /// The drawn team's badges.
    pub team: Vec<String>,
}

/// What the played work leaves for the bulk writer.
pub struct Played {
    /// Special action of each (city, year).
    pub campaigns: HashMap<(String, i16), String>,
    /// Inspections of drawn enterprises, by day.
    pub visits: Vec<Visit>,
}

const YEARS: [i16; 3] = [2024, 2025, 2026];

/// Plays the offices' planned work.
pub async fn play(
    app: &App,
    spec: &Spec,
    reg: &Register,
    summary: &mut Summary,
    progress: Progress<'_>,
) -> anyhow::Result<Played> {
    let clock = ManualClock::at(0);
    let app = App { clock: Arc::new(clock.clone()), ..app.clone() };
    let mut played = Played { campaigns: HashMap::new(), visits: Vec::new() };
    let steps = (YEARS.len() * reg.cities.len() + spec.covert_visits() + reg.cities.len()) as u64;
    let mut step = 0;
    for year in YEARS {
        let first = jiff::civil::date(year, 1, 1);
        let last = jiff::civil::date(year, 12, 31).min(LAST_DAY);
        for (city, _) in &reg.cities {
            progress("special actions and spot-check plans", step, steps);
            step += 1;
            let office = Actor::user(&principal(city.code.as_str(), RegionLevel::City, Role::CityOffice)?, "generator");
            clock.set_ms(at(first, 60));
            let input = CampaignInput {
                name: format!("{year}年{}重大事故隐患专项排查整治行动", city.name_zh),
                start_date: first.to_string(),
                end_date: last.to_string(),
                ..Default::default()
            };
            let id = app.create_campaign(&office, &input).await?;
            played.campaigns.insert((city.code.to_string(), year), id);
            summary.campaigns += 1;

            clock.set_ms(at(first.checked_add(jiff::Span::new().days(4))?, 60));
            let input = PlanInput {
                name: format!("{year}年{}“双随机、一公开”抽查计划", city.name_zh),
                period_start: first.checked_add(jiff::Span::new().days(9))?.to_string(),
                period_end: last.to_string(),
                quotas: spec.plan_quotas(),
                team_size: 2,
                ..Default::default()
            };
            let plan = app.create_plan(&office, &input).await?;
            let plan = app.commit_plan(&office, &plan.id, plan.version).await?;
            let plan = app.draw_plan(&office, &plan.id, plan.version, &format!("{year}-01-05 福彩3D 开奖号码")).await?;
            summary.plans += 1;
            let (from, to) = (first.checked_add(jiff::Span::new().days(14))?, last);
            visits_of(&app, reg, &plan.id, (from, to), &mut played.visits).await?;
        }
    }
    covert_visits(&app, &clock, spec, reg, summary, (&mut step, steps), progress).await?;
    cross_rounds(&app, &clock, reg, summary, &mut played.visits, (&mut step, steps), progress).await?;
    played.visits.sort_by_key(|v| v.day);
    Ok(played)
}

/// The drawn enterprises of a plan, inspected by their teams on days spread over `window`.
async fn visits_of(
    app: &App,
    reg: &Register,
    plan_id: &str,
    window: (jiff::civil::Date, jiff::civil::Date),
    out: &mut Vec<Visit>,
) -> anyhow::Result<()> {
    let reveal = store::plan::reveal_of(&app.db, plan_id).await?.ok_or_else(|| anyhow::anyhow!("plan not drawn"))?;
    let reveal: domain::draw::record::SpotReveal = serde_json::from_str(&reveal)?;
    let mut assignments = reveal.assignments;
    assignments.sort_by(|a, b| a.entity.cmp(&b.entity));
    let start = (window.0 - super::FIRST_DAY).get_days() as i64;
    let span = ((window.1 - window.0).get_days() as i64).max(0) + 1;
    let n = assignments.len().max(1) as i64;
    for (k, a) in assignments.into_iter().enumerate() {
        let enterprise = *reg.by_code.get(&a.entity).ok_or_else(|| anyhow::anyhow!("drawn {} is unknown", a.entity))?;
        let day = (start + k as i64 * span / n).min(days() - 1);
        out.push(Visit { day, enterprise, plan_id: plan_id.to_owned(), team: a.team });
    }
    Ok(())
}

/// The slot's day when `total` events are spread over the history, a city's events evenly.
fn slot_day(v: usize, total: usize, cities: usize) -> i64 {
    let per_city = total.div_ceil(cities).max(1);
    let slot = (v / cities) as i64;
    ((2 * slot + 1) * days() / (2 * per_city as i64)).min(days() - 8)
}

/// Covert visits: planned five days ahead with two high-risk targets, carried out, and two
/// problems handed over to the targets' counties; those more than two months old answered
/// by the county and accepted by the city.
async fn covert_visits(
    app: &App,
    clock: &ManualClock,
    spec: &Spec,
    reg: &Register,
    summary: &mut Summary,
    (step, steps): (&mut u64, u64),
    progress: Progress<'_>,
) -> anyhow::Result<()> {
    let total = spec.covert_visits();
    for v in 0..total {
        progress("covert visits", *step, steps);
        *step += 1;
        let (city, _) = &reg.cities[v % reg.cities.len()];
        let p = principal(city.code.as_str(), RegionLevel::City, Role::CityOffice)?;
        let office = Actor::user(&p, "generator");
        let visit_day = day(slot_day(v, total, reg.cities.len()));
        clock.set_ms(at(visit_day, 0) - 5 * DAY_MS);
        let candidates = app.covert_candidates(&p).await?;
        if candidates.is_empty() {
            continue;
        }
        let targets: Vec<_> = (0..2.min(candidates.len()))
            .map(|k| candidates[(v * 7_919 + k * 104_729) % candidates.len()].clone())
            .collect();
        let input = CovertInput {
            name: format!("{}“四不两直”暗查暗访（第{}次）", city.name_zh, v / reg.cities.len() + 1),
            date_from: visit_day.to_string(),
            date_to: visit_day.to_string(),
            targets: targets.iter().map(|t| t.enterprise_id.clone()).collect(),
            ..Default::default()
        };
        let plan = app.plan_covert(&office, &input).await?;
        clock.set_ms(at(visit_day, 120));
        let visit = VisitInput {
            version: plan.plan.version,
            visited_at: visit_day.at(10, 0, 0, 0).strftime("%Y-%m-%dT%H:%M").to_string(),
            place: targets[0].name.clone(),
            notes: "不发通知、不打招呼、不听汇报、不用陪同接待，直奔基层、直插现场（生成数据）".into(),
            ..Default::default()
        };
        app.complete_covert(&office, &plan.plan.id, &visit).await?;
        summary.covert_visits += 1;
        let deadline = visit_day.checked_add(jiff::Span::new().days(30))?.to_string();
        for (k, problem) in ["企业隐患排查治理流于形式", "属地监管部门未发现企业违规动火作业"].iter().enumerate()
        {
            let target = &targets[k % targets.len()];
            let input = ProblemInput {
                description: (*problem).into(),
                enterprise_id: Some(target.enterprise_id.clone()),
                handover: Some(HandoverInput {
                    region_code: target.region_code.clone(),
                    department: None,
                    deadline: deadline.clone(),
                }),
                hazard: None,
            };
            let problem = app.add_covert_problem(&office, &plan.plan.id, &input).await?;
            if (LAST_DAY - visit_day).get_days() > 60 {
                let county = principal(&target.region_code, RegionLevel::County, Role::CountyOffice)?;
                clock.set_ms(at(visit_day, 0) + 20 * DAY_MS);
                let answered = app
                    .act_on_handover(
                        &Actor::user(&county, "generator"),
                        &problem.problem.id,
                        problem.problem.version,
                        HandoverAction::Answer,
                        "已约谈相关单位并督促整改到位",
                    )
                    .await?;
                clock.set_ms(at(visit_day, 0) + 25 * DAY_MS);
                app.act_on_handover(&office, &problem.problem.id, answered.problem.version, HandoverAction::Accept, "")
                    .await?;
            }
        }
    }
    Ok(())
}

/// One cross-inspection round per city with at least three counties: the city's counties
/// grouped and their teams drawn, each team inspecting two low-risk enterprises of the county
/// it visits over six weeks.
async fn cross_rounds(
    app: &App,
    clock: &ManualClock,
    reg: &Register,
    summary: &mut Summary,
    visits: &mut Vec<Visit>,
    (step, steps): (&mut u64, u64),
    progress: Progress<'_>,
) -> anyhow::Result<()> {
    for (v, (city, counties)) in reg.cities.iter().enumerate() {
        progress("cross-inspection rounds", *step, steps);
        *step += 1;
        if counties.len() < 3 {
            continue;
        }
        let office = Actor::user(&principal(city.code.as_str(), RegionLevel::City, Role::CityOffice)?, "generator");
        let from = day(slot_day(v, reg.cities.len(), reg.cities.len()) - 60 + 7 * v as i64);
        let to = from.checked_add(jiff::Span::new().days(42))?;
        clock.set_ms(at(from, 0) - 10 * DAY_MS);
        let input = RoundInput {
            name: format!("{}{}年安全生产交叉互查", city.name_zh, from.year()),
            date_from: from.to_string(),
            date_to: to.to_string(),
            participants: counties.clone(),
            team_size: 2,
            quotas: [("low".to_owned(), "2".to_owned())].into_iter().collect(),
        };
        let round = app.create_round(&office, &input).await?;
        let round = app.commit_round(&office, &round.round.id, round.round.version).await?;
        clock.set_ms(at(from, 0) - 5 * DAY_MS);
        let round = app.group_round(&office, &round.round.id, round.round.version, "福彩3D 开奖号码 517").await?;
        let round = app.draw_round_teams(&office, &round.round.id, "福彩3D 开奖号码 093").await?;
        summary.cross_rounds += 1;
        for pair in &round.pairs {
            let plan = pair.plan.as_ref().ok_or_else(|| anyhow::anyhow!("a pair without its plan"))?;
            summary.plans += 1;
            visits_of(app, reg, &plan.id, (from, to), visits).await?;
        }
    }
    Ok(())
}
