//! Covert checks (四不两直): plan a sealed visit, record it (which unseals the plan for the
//! regions concerned), record the problems found — as ledger hazards (source "covert check")
//! and/or handovers (交办) to the county government or department that should have caught them
//! — and follow each handover to acceptance, with a re-check (回头看) when needed.
//!
//! A plan's name, dates, targets and draw record, and later its visit record, are sealed with
//! the deployment's key ([`App::keys`]) before they reach the store. Every view of a sealed
//! plan is audited.

use super::hazards::HazardInput;
use super::{Actor, App, ServiceError, invalid, random_bytes};
use domain::access::{Permission, Principal, Role};
use domain::covert::{self, HandoverAction, HandoverStatus, PlanStatus};
use domain::draw::record::SpotRecord;
use domain::draw::spot::SpotInputs;
use domain::hazard::Escalation;
use domain::page::{PageRequest, Paged};
use domain::region::RegionLevel;
use serde_json::json;
use store::covert::{CovertPlan, HandoverEvent, NewProblem, Problem, ProblemFilter, Target, Viewer};

/// What is sealed with a plan: everything that would tip off its targets.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct SealedPlan {
    /// Title.
    pub name: String,
    /// First day of the visit window.
    pub date_from: String,
    /// Last day of the visit window.
    pub date_to: String,
    /// Target enterprises.
    #[schema(value_type = Vec<Object>)]
    pub targets: Vec<Target>,
    /// The draw record (spec §4, kind `covert_check`) when the targets were drawn.
    pub draw_record: Option<String>,
}

/// What is recorded (and sealed) when the visit is done.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Visit {
    /// When (local time, `YYYY-MM-DDTHH:MM`).
    pub visited_at: String,
    /// Where the team went.
    pub place: String,
    /// The enterprises actually visited.
    #[schema(value_type = Vec<Object>)]
    pub enterprises: Vec<Target>,
    /// What the team saw.
    pub notes: String,
    /// Photos and documents (SM3 of uploaded files), sealed with the rest of the record.
    #[serde(default)]
    pub evidence: Vec<String>,
}

/// A plan as its viewers see it: the stored row with its sealed parts opened.
#[derive(Debug, Clone)]
pub struct CovertView {
    /// The stored row.
    pub plan: CovertPlan,
    /// Status.
    pub status: PlanStatus,
    /// Name, dates, targets.
    pub sealed: SealedPlan,
    /// The visit, once recorded.
    pub visit: Option<Visit>,
    /// Planning team (usernames).
    pub members: Vec<String>,
}

/// Input for a new plan.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct CovertInput {
    /// Title.
    pub name: String,
    /// First day (YYYY-MM-DD).
    pub date_from: String,
    /// Last day (YYYY-MM-DD).
    pub date_to: String,
    /// Planning team besides the planner (usernames of city office or inspector accounts of the city).
    #[serde(default)]
    pub members: Vec<String>,
    /// Targets chosen by hand (enterprise ids among the high-risk ones).
    #[serde(default)]
    pub targets: Vec<String>,
    /// Or: draw this many targets at random among the high-risk enterprises…
    #[serde(default)]
    pub draw_count: Option<u32>,
    /// …of this region (default: the whole city).
    #[serde(default)]
    pub draw_region: Option<String>,
}

/// Input for recording the visit.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct VisitInput {
    /// Version the caller saw.
    pub version: i64,
    /// When (`YYYY-MM-DDTHH:MM`, Beijing time).
    pub visited_at: String,
    /// Where.
    pub place: String,
    /// Enterprise ids visited (default: all targets).
    #[serde(default)]
    pub enterprises: Vec<String>,
    /// Notes.
    #[serde(default)]
    pub notes: String,
    /// Evidence already uploaded (`POST /evidence`), by SM3.
    #[serde(default)]
    pub evidence: Vec<String>,
}

/// Where a problem is handed over.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct HandoverInput {
    /// The responsible region (a county, or the city itself).
    pub region_code: String,
    /// The department (code from `/departments`); empty: the region's government.
    #[serde(default)]
    pub department: Option<String>,
    /// Answer due (YYYY-MM-DD).
    pub deadline: String,
}

/// Input for a problem found on a visit.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct ProblemInput {
    /// What was found.
    pub description: String,
    /// The enterprise it is attributed to (one of the visited ones).
    #[serde(default)]
    pub enterprise_id: Option<String>,
    /// The hazard to record in the ledger for that enterprise (source is set to covert check).
    #[serde(default)]
    pub hazard: Option<HazardInput>,
    /// The body that should have caught it.
    #[serde(default)]
    pub handover: Option<HandoverInput>,
}

/// A problem with its handover state worked out for today.
#[derive(Debug, Clone)]
pub struct ProblemView {
    /// The stored problem.
    pub problem: Problem,
    /// Handover status.
    pub handover: Option<HandoverStatus>,
    /// Days the handover is overdue.
    pub days_overdue: i64,
    /// Rung of the escalation ladder.
    pub escalation: Escalation,
    /// Whether the problem is handled (hazard closed, handover accepted).
    pub handled: bool,
}

/// Whether the account belongs to a city (not a county or the province).
fn at_city(p: &Principal) -> bool {
    p.region_prefix.as_str().len() == RegionLevel::City.prefix_len()
}

fn viewer(p: &Principal) -> (domain::access::Scope, Option<String>) {
    let leads = (p.role == Role::CityOffice && at_city(p)).then(|| p.region.to_string());
    (p.scope(), leads)
}

fn need(actor: &Actor, perm: Permission) -> Result<&Principal, ServiceError> {
    match &actor.principal {
        Some(p) if p.can(perm) => Ok(p),
        _ => Err(ServiceError::Forbidden),
    }
}

fn text(field: &str, v: &str, max: usize, required: bool) -> Result<String, ServiceError> {
    let v = v.trim();
    if required && v.is_empty() {
        return Err(invalid(field, "is required"));
    }
    if v.chars().count() > max {
        return Err(invalid(field, format!("at most {max} characters")));
    }
    Ok(v.to_owned())
}

fn day(field: &str, v: &str) -> Result<jiff::civil::Date, ServiceError> {
    v.trim().parse().map_err(|_| invalid(field, "use YYYY-MM-DD"))
}

impl App {
    fn seal_json<T: serde::Serialize>(&self, row_id: &str, value: &T) -> String {
        let bytes = serde_json::to_vec(value).expect("plain data serialises");
        self.keys.seal(row_id, &bytes, random_bytes::<12>())
    }

    fn open_json<T: serde::de::DeserializeOwned>(&self, row_id: &str, sealed: &str) -> Result<T, ServiceError> {
        let bytes = self
            .keys
            .open(row_id, sealed)
            .map_err(|e| ServiceError::Other(anyhow::anyhow!("covert plan {row_id}: {e}")))?;
        serde_json::from_slice(&bytes).map_err(|e| ServiceError::Other(e.into()))
    }

    async fn open_plan(&self, plan: CovertPlan) -> Result<CovertView, ServiceError> {
        let sealed = self.open_json(&plan.id, &plan.sealed)?;
        let visit = match &plan.visit {
            Some(v) => Some(self.open_json(&plan.id, v)?),
            None => None,
        };
        let members = store::covert::members(&self.db, &plan.id).await?;
        let status =
            PlanStatus::parse(&plan.status).ok_or_else(|| ServiceError::Other(anyhow::anyhow!("plan status")))?;
        Ok(CovertView { plan, status, sealed, visit, members })
    }

    /// The high-risk enterprises of the caller's jurisdiction a covert visit may target.
    pub async fn covert_candidates(&self, p: &Principal) -> Result<Vec<Target>, ServiceError> {
        if !p.can(Permission::PlanCovert) {
            return Err(ServiceError::Forbidden);
        }
        Ok(store::covert::high_risk(&self.db, &p.scope(), &self.today().to_string()).await?)
    }

    /// Plans a sealed covert visit (the city office).
    pub async fn plan_covert(&self, actor: &Actor, input: &CovertInput) -> Result<CovertView, ServiceError> {
        let p = need(actor, Permission::PlanCovert)?;
        if !at_city(p) {
            return Err(ServiceError::Forbidden);
        }
        let name = text("name", &input.name, 200, true)?;
        let (from, to) = (day("date_from", &input.date_from)?, day("date_to", &input.date_to)?);
        if to < from {
            return Err(invalid("date_to", "is before the first day"));
        }
        let mut members: Vec<String> = vec![p.username.clone()];
        for m in &input.members {
            let m = m.trim();
            if m.is_empty() || members.iter().any(|x| x == m) {
                continue;
            }
            let user = store::user::by_username(&self.db, m).await?;
            let ok = user.as_ref().is_some_and(|u| {
                p.governs(&u.region_code) && !u.disabled && matches!(u.role, Role::CityOffice | Role::Inspector)
            });
            if !ok {
                return Err(invalid(
                    "members",
                    format!("'{m}' is not a city office or inspector account of your city"),
                ));
            }
            members.push(m.to_owned());
        }
        let candidates = self.covert_candidates(p).await?;
        let id = store::new_id();
        let (targets, draw_record) = match input.draw_count.filter(|n| *n > 0) {
            Some(n) => {
                if !input.targets.is_empty() {
                    return Err(invalid("targets", "choose targets by hand or draw them, not both"));
                }
                let within = match input.draw_region.as_deref().filter(|r| !r.is_empty()) {
                    Some(r) => match crate::refdata::REGION_BY_CODE.get(r) {
                        Some(region) if p.governs(r) => Some(region.prefix()),
                        _ => return Err(invalid("draw_region", "is not a region of your city")),
                    },
                    None => None,
                };
                let pool: Vec<Target> = candidates
                    .into_iter()
                    .filter(|t| within.as_ref().is_none_or(|w| w.contains(&t.region_code)))
                    .collect();
                self.draw_covert_targets(pool, n, &members)?
            }
            None => {
                if input.targets.is_empty() {
                    return Err(invalid("targets", "choose at least one high-risk enterprise, or draw some"));
                }
                let mut chosen = Vec::new();
                for t in &input.targets {
                    let found = candidates.iter().find(|c| &c.enterprise_id == t).ok_or_else(|| {
                        invalid("targets", format!("'{t}' is not a high-risk enterprise of your city"))
                    })?;
                    if !chosen.contains(found) {
                        chosen.push(found.clone());
                    }
                }
                (chosen, None)
            }
        };
        let sealed = SealedPlan { name, date_from: from.to_string(), date_to: to.to_string(), targets, draw_record };
        let ciphertext = self.seal_json(&id, &sealed);
        let mut tx = self.db.begin().await?;
        let new = store::covert::NewPlan {
            id: &id,
            region_code: p.region.as_str(),
            sealed: &ciphertext,
            members: &members,
            created_by: &p.username,
        };
        let plan_no = store::covert::create(&mut tx, &new, self.today().year(), self.now_ms()).await?;
        // The audit entry names the plan, never its targets or dates.
        let detail = json!({"plan_no": plan_no, "members": members.len(), "drawn": sealed.draw_record.is_some()});
        self.audit(&mut tx, actor, Some(p.region.as_str()), "covert.plan", ("covert_plan", &plan_no), "ok", detail)
            .await?;
        tx.commit().await?;
        self.get_covert(actor, &id).await
    }

    /// Draws `n` targets among `pool` with the spot-check algorithm (spec §4, one stratum), the
    /// whole team going to each; the beacon is empty because a sealed plan cannot announce
    /// one, so the record says the draw relied on the operator.
    fn draw_covert_targets(
        &self,
        pool: Vec<Target>,
        n: u32,
        members: &[String],
    ) -> Result<(Vec<Target>, Option<String>), ServiceError> {
        if (n as usize) > pool.len() {
            return Err(invalid("draw_count", format!("only {} high-risk enterprises to draw from", pool.len())));
        }
        let inputs = SpotInputs {
            kind: covert::DRAW_KIND.into(),
            team_size: members.len() as i64,
            candidates: pool.iter().map(|t| (t.credit_code.clone(), covert::DRAW_STRATUM.to_owned())).collect(),
            quotas: vec![(covert::DRAW_STRATUM.to_owned(), i64::from(n))],
            inspectors: members.to_vec(),
            conflicts: vec![],
        };
        let frozen = inputs.freeze().map_err(|e| invalid("draw_count", e.to_string()))?;
        let record =
            SpotRecord::reveal(&frozen, &random_bytes::<32>(), "").map_err(|e| invalid("draw_count", e.to_string()))?;
        let chosen = record
            .assignments
            .iter()
            .flatten()
            .filter_map(|a| pool.iter().find(|t| t.credit_code == a.entity).cloned())
            .collect();
        Ok((chosen, Some(serde_json::to_string(&record).map_err(|e| ServiceError::Other(e.into()))?)))
    }

    /// The plans the caller may know of, newest first. A page that shows sealed plans is
    /// audited like a view of each of them.
    pub async fn list_covert(&self, actor: &Actor, page: PageRequest) -> Result<Paged<CovertView>, ServiceError> {
        let p = need(actor, Permission::ViewCovert)?;
        let (scope, leads) = viewer(p);
        let v = Viewer { scope: &scope, username: &p.username, leads_region: leads.as_deref() };
        let paged = store::covert::list(&self.db, &v, page).await?;
        let sealed: Vec<&str> = paged
            .items
            .iter()
            .filter(|x| x.status == PlanStatus::Sealed.as_str())
            .map(|x| x.plan_no.as_str())
            .collect();
        if !sealed.is_empty() {
            let mut tx = self.db.begin().await?;
            let detail = json!({"sealed_plans": sealed});
            self.audit(&mut tx, actor, None, "covert.list", ("covert_plan", "*"), "ok", detail).await?;
            tx.commit().await?;
        }
        let mut items = Vec::with_capacity(paged.items.len());
        for plan in paged.items {
            items.push(self.open_plan(plan).await?);
        }
        Ok(Paged { items, total: paged.total, page: paged.page, per_page: paged.per_page })
    }

    /// One plan, if the caller may know of it (otherwise `NotFound`, as for an unknown id).
    /// Viewing a sealed plan is audited.
    pub async fn get_covert(&self, actor: &Actor, id: &str) -> Result<CovertView, ServiceError> {
        let p = need(actor, Permission::ViewCovert).map_err(|_| ServiceError::NotFound)?;
        let (scope, leads) = viewer(p);
        let v = Viewer { scope: &scope, username: &p.username, leads_region: leads.as_deref() };
        let plan = store::covert::get(&self.db, &v, id).await?;
        if plan.status == PlanStatus::Sealed.as_str() {
            let mut tx = self.db.begin().await?;
            self.audit(
                &mut tx,
                actor,
                Some(&plan.region_code),
                "covert.view",
                ("covert_plan", &plan.plan_no),
                "ok",
                json!({}),
            )
            .await?;
            tx.commit().await?;
        }
        self.open_plan(plan).await
    }

    /// Records the visit: the plan is done and unsealed for the regions of its targets.
    pub async fn complete_covert(
        &self,
        actor: &Actor,
        id: &str,
        input: &VisitInput,
    ) -> Result<CovertView, ServiceError> {
        let view = self.get_covert(actor, id).await?;
        let p = actor.principal.as_ref().ok_or(ServiceError::Forbidden)?;
        if !p.can(Permission::PlanCovert) && !view.members.contains(&p.username) {
            return Err(ServiceError::Forbidden);
        }
        if view.status != PlanStatus::Sealed {
            return Err(ServiceError::Conflict("the visit is already recorded".into()));
        }
        let visited_at = input.visited_at.trim();
        if jiff::civil::DateTime::strptime("%Y-%m-%dT%H:%M", visited_at).is_err() {
            return Err(invalid("visited_at", "use YYYY-MM-DDTHH:MM"));
        }
        let enterprises: Vec<Target> = if input.enterprises.is_empty() {
            view.sealed.targets.clone()
        } else {
            let mut out = Vec::new();
            for e in &input.enterprises {
                let t = view
                    .sealed
                    .targets
                    .iter()
                    .find(|t| &t.enterprise_id == e)
                    .ok_or_else(|| invalid("enterprises", format!("'{e}' is not a target of this plan")))?;
                out.push(t.clone());
            }
            out
        };
        let visit = Visit {
            visited_at: visited_at.to_owned(),
            place: text("place", &input.place, 200, true)?,
            enterprises,
            notes: text("notes", &input.notes, 5000, false)?,
            evidence: input.evidence.clone(),
        };
        let mut concerned: Vec<String> =
            view.sealed.targets.iter().chain(&visit.enterprises).map(|t| t.region_code.clone()).collect();
        concerned.sort();
        concerned.dedup();
        let sealed_visit = self.seal_json(id, &visit);
        let mut tx = self.db.begin().await?;
        self.check_evidence(&mut tx, &visit.evidence).await?;
        store::covert::complete(
            &mut tx,
            &view.plan,
            input.version,
            &sealed_visit,
            &concerned,
            &p.username,
            self.now_ms(),
        )
        .await?;
        let detail = json!({"plan_no": view.plan.plan_no, "enterprises": visit.enterprises.len()});
        self.audit(
            &mut tx,
            actor,
            Some(&view.plan.region_code),
            "covert.complete",
            ("covert_plan", &view.plan.plan_no),
            "ok",
            detail,
        )
        .await?;
        tx.commit().await?;
        self.get_covert(actor, id).await
    }

    /// Adds evidence (already uploaded files) to a recorded visit, sealed with it.
    pub async fn attach_covert_evidence(
        &self,
        actor: &Actor,
        id: &str,
        version: i64,
        sm3s: &[String],
    ) -> Result<CovertView, ServiceError> {
        let view = self.get_covert(actor, id).await?;
        let p = actor.principal.as_ref().ok_or(ServiceError::Forbidden)?;
        if !p.can(Permission::PlanCovert) && !view.members.contains(&p.username) {
            return Err(ServiceError::Forbidden);
        }
        let mut visit = view.visit.clone().ok_or_else(|| ServiceError::Conflict("record the visit first".into()))?;
        for s in sm3s {
            if !visit.evidence.contains(s) {
                visit.evidence.push(s.clone());
            }
        }
        let mut tx = self.db.begin().await?;
        self.check_evidence(&mut tx, sm3s).await?;
        store::covert::update_visit(&mut tx, &view.plan, version, &self.seal_json(id, &visit)).await?;
        let detail = json!({"plan_no": view.plan.plan_no, "evidence": sm3s});
        self.audit(
            &mut tx,
            actor,
            Some(&view.plan.region_code),
            "covert.evidence",
            ("covert_plan", &view.plan.plan_no),
            "ok",
            detail,
        )
        .await?;
        tx.commit().await?;
        self.get_covert(actor, id).await
    }

    /// A file of a visit record, for those who may see the plan.
    pub async fn covert_evidence(
        &self,
        actor: &Actor,
        id: &str,
        sm3: &str,
    ) -> Result<(store::evidence::Evidence, Vec<u8>), ServiceError> {
        let view = self.get_covert(actor, id).await?;
        if !view.visit.as_ref().is_some_and(|v| v.evidence.iter().any(|e| e == sm3)) {
            return Err(ServiceError::NotFound);
        }
        let e = store::evidence::by_sm3(&self.db, sm3).await?.ok_or(ServiceError::NotFound)?;
        let bytes = crate::evidence_files::get(&self.evidence_dir, &e.sm3).ok_or(ServiceError::NotFound)?;
        Ok((e, bytes))
    }

    fn problem_view(&self, problem: Problem) -> ProblemView {
        let handover = problem.handover_status.as_deref().and_then(HandoverStatus::parse);
        let today = self.today();
        let deadline = problem.deadline.as_deref().and_then(|d| d.parse().ok()).unwrap_or(today);
        let (days_overdue, escalation) = match handover {
            Some(s) => (covert::days_overdue(s, deadline, today), covert::escalation(s, deadline, today)),
            None => (0, Escalation::None),
        };
        let hazard = problem.hazard_status.as_deref().and_then(domain::hazard::Status::parse);
        let handled = covert::problem_handled(hazard, handover);
        ProblemView { problem, handover, days_overdue, escalation, handled }
    }

    /// Records a problem found on a done visit: a ledger hazard for the enterprise and/or a
    /// handover to the responsible body, in one transaction.
    pub async fn add_covert_problem(
        &self,
        actor: &Actor,
        plan_id: &str,
        input: &ProblemInput,
    ) -> Result<ProblemView, ServiceError> {
        let view = self.get_covert(actor, plan_id).await?;
        let p = need(actor, Permission::PlanCovert)?;
        if view.status != PlanStatus::Done {
            return Err(ServiceError::Conflict("record the visit before its problems".into()));
        }
        let description = text("description", &input.description, 2000, true)?;
        let enterprise = match input.enterprise_id.as_deref().filter(|e| !e.is_empty()) {
            Some(e) => Some(
                view.visit
                    .iter()
                    .flat_map(|v| &v.enterprises)
                    .find(|t| t.enterprise_id == e)
                    .cloned()
                    .ok_or_else(|| invalid("enterprise_id", "is not an enterprise visited on this plan"))?,
            ),
            None => None,
        };
        let hazard = match (&input.hazard, &enterprise) {
            (Some(h), Some(t)) => {
                let h = HazardInput {
                    enterprise_id: t.enterprise_id.clone(),
                    source: domain::hazard::Source::CovertCheck.as_str().to_owned(),
                    ..h.clone()
                };
                Some((self.prepare_hazard(actor, &h).await?, h.evidence))
            }
            (Some(_), None) => return Err(invalid("hazard", "a hazard needs the enterprise it was found at")),
            (None, _) => None,
        };
        let handover = match &input.handover {
            Some(h) => {
                let region = h.region_code.trim();
                if !p.governs(region) || !crate::refdata::REGION_BY_CODE.contains_key(region) {
                    return Err(invalid("handover.region_code", "is not a region of your city"));
                }
                let dept = h.department.clone().filter(|d| !d.is_empty());
                if let Some(d) = &dept
                    && !crate::refdata::DEPARTMENTS.iter().any(|x| &x.code == d)
                {
                    return Err(invalid("handover.department", "is not a department"));
                }
                let deadline = day("handover.deadline", &h.deadline)?;
                if deadline < self.today() {
                    return Err(invalid("handover.deadline", "is in the past"));
                }
                Some((region.to_owned(), dept, deadline.to_string()))
            }
            None => None,
        };
        let region = match (&handover, &enterprise) {
            (Some((r, _, _)), _) => r.clone(),
            (None, Some(t)) => t.region_code.clone(),
            (None, None) => {
                return Err(invalid("handover", "attribute the problem to an enterprise or hand it to a body"));
            }
        };
        for attempt in 0..3 {
            let mut tx = self.db.begin().await?;
            let hazard_row = match &hazard {
                Some((new, evidence)) => match self.insert_hazard(&mut tx, actor, new, evidence).await {
                    Ok(h) => Some(h),
                    Err(ServiceError::Store(store::StoreError::Duplicate(_))) if attempt < 2 => continue,
                    Err(e) => return Err(e),
                },
                None => None,
            };
            let new = NewProblem {
                region_code: region.clone(),
                plan_id: view.plan.id.clone(),
                plan_region: view.plan.region_code.clone(),
                description: description.clone(),
                enterprise: enterprise.as_ref().map(|t| (t.enterprise_id.clone(), t.name.clone())),
                hazard_id: hazard_row.map(|h| h.id),
                handover: handover.as_ref().map(|(_, d, dl)| (d.clone(), dl.clone())),
                created_by: p.username.clone(),
                kind: "covert",
            };
            let problem = match store::covert::add_problem(&mut tx, &new, self.today().year(), self.now_ms()).await {
                Ok(x) => x,
                Err(store::StoreError::Duplicate(_)) if attempt < 2 => continue,
                Err(e) => return Err(e.into()),
            };
            store::covert::add_concerned(&mut tx, &view.plan.id, &region).await?;
            let detail = json!({"plan_no": view.plan.plan_no, "region": region, "hazard": problem.hazard_id.is_some(),
                "handover": problem.handover_status.is_some()});
            self.audit(
                &mut tx,
                actor,
                Some(&view.plan.region_code),
                "covert.problem",
                ("covert_problem", &problem.problem_no),
                "ok",
                detail,
            )
            .await?;
            tx.commit().await?;
            return Ok(self.problem_view(problem));
        }
        Err(ServiceError::Conflict("could not number the problem; try again".into()))
    }

    /// Problems in the caller's scope: of one plan, or the handovers addressed to (or issued
    /// by) the caller's region, optionally only the overdue ones.
    pub async fn list_covert_problems(
        &self,
        p: &Principal,
        filter: &ProblemFilter,
        page: PageRequest,
    ) -> Result<Paged<ProblemView>, ServiceError> {
        if !p.can(Permission::ViewCovert) {
            return Err(ServiceError::Forbidden);
        }
        let paged = store::covert::list_problems(&self.db, &p.scope(), filter, page).await?;
        Ok(Paged {
            items: paged.items.into_iter().map(|x| self.problem_view(x)).collect(),
            total: paged.total,
            page: paged.page,
            per_page: paged.per_page,
        })
    }

    /// The filter for the problems behind a region's covert-check figures for a period (the
    /// evaluation's drill-down): `region` a region code, `from`/`to` days; all three needed.
    pub fn visited_filter(&self, region: &str, from: &str, to: &str) -> Result<ProblemFilter, ServiceError> {
        let (Some(region), Some(from), Some(to)) =
            (super::optional_region(region)?, super::optional_day("from", from)?, super::optional_day("to", to)?)
        else {
            return Ok(ProblemFilter { handovers_only: true, ..Default::default() });
        };
        // Both days were checked by `optional_day`; the period ends the morning after `to`.
        let day = |d: &str| d.parse::<jiff::civil::Date>().map_err(|e| ServiceError::Other(e.into()));
        let after = day(&to)?.tomorrow().map_err(|e| ServiceError::Other(e.into()))?;
        let (from_ms, to_ms) = (super::figures::day_ms(day(&from)?)?, super::figures::day_ms(after)?);
        Ok(ProblemFilter { visited: Some((region, from_ms, to_ms)), ..Default::default() })
    }

    /// One problem with its handover timeline.
    pub async fn get_covert_problem(
        &self,
        p: &Principal,
        id: &str,
    ) -> Result<(ProblemView, Vec<HandoverEvent>), ServiceError> {
        if !p.can(Permission::ViewCovert) {
            return Err(ServiceError::NotFound);
        }
        let problem = store::covert::get_problem(&self.db, &p.scope(), id).await?;
        let events = store::covert::events(&self.db, &problem.id).await?;
        Ok((self.problem_view(problem), events))
    }

    /// A step in a handover: the body answers; the city office accepts or returns it.
    pub async fn act_on_handover(
        &self,
        actor: &Actor,
        id: &str,
        version: i64,
        action: HandoverAction,
        note: &str,
    ) -> Result<ProblemView, ServiceError> {
        let p = actor.principal.as_ref().ok_or(ServiceError::Forbidden)?;
        let (view, _) = self.get_covert_problem(p, id).await?;
        let allowed = match action {
            HandoverAction::Answer => p.answers_handover(&view.problem.region_code, view.problem.department.as_deref()),
            HandoverAction::Accept | HandoverAction::Return => {
                p.can(Permission::PlanCovert) && p.governs(&view.problem.plan_region)
            }
        };
        if !allowed {
            return Err(ServiceError::Forbidden);
        }
        let from = view.handover.ok_or_else(|| ServiceError::Conflict("this problem was not handed over".into()))?;
        let to = covert::transition(from, action).map_err(|e| ServiceError::Conflict(e.to_string()))?;
        let needs_note = matches!(action, HandoverAction::Answer | HandoverAction::Return);
        let note = text("note", note, 5000, needs_note)?;
        let step = store::covert::HandoverStep {
            action: action.as_str(),
            status: to.as_str(),
            answer: (action == HandoverAction::Answer).then_some(note.as_str()),
            recheck_on: None,
            recheck_result: None,
            note: &note,
            actor: &p.username,
        };
        self.handover_step(actor, &view.problem, version, &step).await
    }

    /// Schedules a re-check (回头看) of a handed-over problem, or records its finding.
    pub async fn recheck_handover(
        &self,
        actor: &Actor,
        id: &str,
        version: i64,
        on: Option<&str>,
        finding: Option<&str>,
    ) -> Result<ProblemView, ServiceError> {
        let p = need(actor, Permission::PlanCovert)?;
        let (view, _) = self.get_covert_problem(p, id).await?;
        if !p.governs(&view.problem.plan_region) {
            return Err(ServiceError::Forbidden);
        }
        let status = view.handover.ok_or_else(|| ServiceError::Conflict("this problem was not handed over".into()))?;
        let (action, on, finding) =
            match (on.filter(|s| !s.trim().is_empty()), finding.filter(|s| !s.trim().is_empty())) {
                (Some(d), None) => ("schedule_recheck", Some(day("recheck_on", d)?.to_string()), None),
                (None, Some(f)) => {
                    if view.problem.recheck_on.is_none() {
                        return Err(invalid("recheck_result", "schedule the re-check first"));
                    }
                    ("recheck", None, Some(text("recheck_result", f, 5000, true)?))
                }
                _ => return Err(invalid("recheck_on", "give either a day to schedule or a finding to record")),
            };
        let note = on.clone().or(finding.clone()).unwrap_or_default();
        let step = store::covert::HandoverStep {
            action,
            status: status.as_str(),
            answer: None,
            recheck_on: on.as_deref(),
            recheck_result: finding.as_deref(),
            note: &note,
            actor: &p.username,
        };
        self.handover_step(actor, &view.problem, version, &step).await
    }

    async fn handover_step(
        &self,
        actor: &Actor,
        problem: &Problem,
        version: i64,
        step: &store::covert::HandoverStep<'_>,
    ) -> Result<ProblemView, ServiceError> {
        let mut tx = self.db.begin().await?;
        store::covert::step(&mut tx, problem, version, step, self.now_ms()).await?;
        let detail = json!({"action": step.action, "status": step.status});
        self.audit(
            &mut tx,
            actor,
            Some(&problem.region_code),
            "covert.handover",
            ("covert_problem", &problem.problem_no),
            "ok",
            detail,
        )
        .await?;
        tx.commit().await?;
        let p = actor.principal.as_ref().ok_or(ServiceError::Forbidden)?;
        Ok(self.get_covert_problem(p, &problem.id).await?.0)
    }

    /// Re-seals every covert plan with the keyring's current key (after a key was appended to
    /// the key file). Returns how many plans were re-sealed. Operator only (CLI).
    pub async fn reseal_covert_plans(&self, actor: &Actor) -> Result<usize, ServiceError> {
        if actor.principal.is_some() {
            return Err(ServiceError::Forbidden);
        }
        let mut tx = self.db.begin().await?;
        let rows = store::covert::all_sealed(&mut tx).await?;
        let mut n = 0;
        for (region, id, sealed, visit) in rows {
            if self.keys.is_current(&sealed) && visit.as_deref().is_none_or(|v| self.keys.is_current(v)) {
                continue;
            }
            let plan: SealedPlan = self.open_json(&id, &sealed)?;
            let visit: Option<Visit> = match visit {
                Some(v) => Some(self.open_json(&id, &v)?),
                None => None,
            };
            let visit = visit.map(|v| self.seal_json(&id, &v));
            store::covert::reseal(&mut tx, &region, &id, &self.seal_json(&id, &plan), visit.as_deref()).await?;
            n += 1;
        }
        let detail = json!({"plans": n, "key": self.keys.current_id()});
        self.audit(&mut tx, actor, None, "covert.reseal", ("covert_key", self.keys.current_id()), "ok", detail).await?;
        tx.commit().await?;
        Ok(n)
    }
}
