//! Inspections: the record of an on-site check — who was there (at least two certified
//! officers; for a drawn plan, the drawn team or recorded substitutions), the check items and
//! their results, the outcome — with findings recorded as hazards in the ledger. Completed
//! inspections count toward the enterprise's annual check cap; a visit beyond it needs a reason.

use super::hazards::HazardInput;
use super::{Actor, App, ServiceError, invalid};
use domain::access::{Permission, Principal};
use domain::draw::record::SpotReveal;
use domain::page::{PageRequest, Paged};
use serde_json::json;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use store::inspection::Inspection;

/// A drawn officer replaced by another.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Substitution {
    /// The drawn officer who could not come.
    pub out: String,
    /// The officer who came instead.
    #[serde(rename = "in")]
    pub replacement: String,
    /// Why (leave, illness, conflict found on site…).
    pub reason: String,
}

/// One check item and its result.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct CheckItem {
    /// The item checked.
    pub item: String,
    /// `pass`, `fail` or `not_applicable`.
    pub result: String,
    /// Note.
    #[serde(default)]
    pub note: String,
}

/// What the officers record.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct InspectionInput {
    /// Enterprise id.
    pub enterprise_id: String,
    /// The drawn spot-check plan this carries out, if any.
    #[serde(default)]
    pub plan_id: Option<String>,
    /// Local time in China, `YYYY-MM-DDTHH:MM`.
    pub inspected_at: String,
    /// Badge numbers of the officers present (at least two).
    pub officers: Vec<String>,
    /// Replacements of drawn officers, with reasons.
    #[serde(default)]
    pub substitutions: Vec<Substitution>,
    /// Check items and results.
    #[serde(default)]
    pub items: Vec<CheckItem>,
    /// The enterprise's representative present.
    #[serde(default)]
    pub representative: String,
    /// `no_problem`, `order_to_correct` or `penalty_case`.
    pub outcome: String,
    /// Findings to record as hazards (the enterprise and source are filled in).
    #[serde(default)]
    #[schema(value_type = Vec<Object>)]
    pub findings: Vec<HazardInput>,
    /// Why a visit beyond the enterprise's annual cap was needed.
    #[serde(default)]
    pub cap_reason: Option<String>,
}

/// Drawn teams by enterprise credit code.
type Teams = HashMap<String, Vec<String>>;

/// Drawn plans' teams read so far, by plan id (see [`App::drawn_in_plan`]).
#[derive(Debug, Clone, Default)]
pub struct DrawnTeams(Arc<Mutex<HashMap<String, Arc<Teams>>>>);

impl DrawnTeams {
    /// Plans kept before the cache starts again (a county draws a few plans a quarter).
    const CAPACITY: usize = 256;
}

const OUTCOMES: [&str; 3] = ["no_problem", "order_to_correct", "penalty_case"];
const RESULTS: [&str; 3] = ["pass", "fail", "not_applicable"];

impl App {
    /// Records an inspection and its findings.
    pub async fn record_inspection(
        &self,
        actor: &Actor,
        input: &InspectionInput,
    ) -> Result<(Inspection, Vec<String>), ServiceError> {
        let p =
            actor.principal.as_ref().filter(|p| p.can(Permission::RecordInspection)).ok_or(ServiceError::Forbidden)?;
        let (acting, pair) = self.acting_for_plan(p, input.plan_id.as_deref()).await?;
        let p = &acting;
        let actor = &Actor { principal: Some(acting.clone()), ..actor.clone() };
        let enterprise = self
            .get_enterprise(p, &input.enterprise_id)
            .await
            .map_err(|_| invalid("enterprise_id", "no such enterprise in your jurisdiction"))?;
        let local: jiff::civil::DateTime =
            input.inspected_at.trim().parse().map_err(|_| invalid("inspected_at", "use YYYY-MM-DDTHH:MM"))?;
        let zoned = local.in_tz("Asia/Shanghai").map_err(|e| ServiceError::Other(e.into()))?;
        if zoned.timestamp().as_millisecond() > self.now_ms() {
            return Err(invalid("inspected_at", "is in the future"));
        }
        let day = zoned.date();
        let present: Vec<String> = input.officers.iter().map(|o| o.trim().to_ascii_uppercase()).collect();
        if present.iter().collect::<HashSet<_>>().len() != present.len() || present.len() < 2 {
            return Err(invalid("officers", "at least two different officers inspect together"));
        }
        let certified = store::inspection::certified(&self.db, &present, &day.to_string()).await?;
        if let Some(o) = present.iter().find(|o| !certified.contains_key(*o)) {
            return Err(invalid("officers", format!("{o} is not an officer certified on {day}")));
        }
        if !OUTCOMES.contains(&input.outcome.as_str()) {
            return Err(invalid("outcome", "use no_problem, order_to_correct or penalty_case"));
        }
        if input.outcome == "no_problem" && !input.findings.is_empty() {
            return Err(invalid("outcome", "an inspection with findings is not 'no problem'"));
        }
        if let Some(i) = input.items.iter().find(|i| i.item.trim().is_empty() || !RESULTS.contains(&i.result.as_str()))
        {
            return Err(invalid(
                "items",
                format!("'{}' needs an item and a result of pass, fail or not_applicable", i.item),
            ));
        }
        let source = match input.plan_id.as_deref().filter(|p| !p.is_empty()) {
            Some(plan_id) => {
                self.check_drawn_team(p, plan_id, &enterprise.credit_code, &present, &input.substitutions).await?;
                if pair.is_some() { "cross_inspection" } else { "spot_check" }
            }
            None => "department_inspection",
        };
        let cap_reason = input.cap_reason.as_deref().map(str::trim).filter(|r| !r.is_empty()).map(str::to_owned);
        {
            let done = store::inspection::count_in_year(&self.db, &enterprise.id, day.year()).await?;
            if done >= enterprise.annual_check_cap && cap_reason.is_none() {
                return Err(invalid(
                    "cap_reason",
                    format!(
                        "{} was already inspected {done} times this year (cap {}): record why this visit is needed",
                        enterprise.name, enterprise.annual_check_cap
                    ),
                ));
            }
        }
        // Findings go to the ledger first; each is a hazard with its own audit entry.
        let mut hazard_ids = Vec::new();
        for (n, f) in input.findings.iter().enumerate() {
            let mut f = f.clone();
            f.enterprise_id = enterprise.id.clone();
            f.source = source.to_owned();
            let numbered = |e| match e {
                ServiceError::Invalid { field, message } => invalid(&format!("findings[{n}].{field}"), message),
                other => other,
            };
            let mut new = self.prepare_hazard(actor, &f).await.map_err(numbered)?;
            // Found elsewhere, ordered locally: the hazard is the inspected county's, credited
            // to the visiting county.
            new.found_by_region = pair.clone();
            let h = self.store_hazard(actor, &new, &f.evidence).await.map_err(numbered)?;
            hazard_ids.push(h.hazard.id);
        }
        let record = Inspection {
            id: String::new(),
            inspection_no: String::new(),
            region_code: enterprise.region_code.clone(),
            plan_id: input.plan_id.clone().filter(|p| !p.is_empty()),
            enterprise_id: enterprise.id.clone(),
            credit_code: enterprise.credit_code.clone(),
            enterprise_name: enterprise.name.clone(),
            inspected_at: zoned.timestamp().as_millisecond(),
            inspected_on: day.to_string(),
            officers: serde_json::to_string(&present).unwrap_or_default(),
            substitutions: serde_json::to_string(&input.substitutions).unwrap_or_default(),
            items: serde_json::to_string(&input.items).unwrap_or_default(),
            representative: input.representative.trim().chars().take(100).collect(),
            outcome: input.outcome.clone(),
            hazards: serde_json::to_string(&hazard_ids).unwrap_or_default(),
            cap_reason,
            recorded_by: p.username.clone(),
        };
        let mut tx = self.db.begin().await?;
        let saved = store::inspection::create(&mut tx, &record, self.now_ms()).await?;
        let detail = json!({"inspection_no": saved.inspection_no, "plan_id": saved.plan_id, "outcome": saved.outcome,
            "officers": present, "hazards": hazard_ids});
        self.audit(
            &mut tx,
            actor,
            Some(&saved.region_code),
            "inspection.record",
            ("inspection", &saved.inspection_no),
            "ok",
            detail,
        )
        .await?;
        tx.commit().await?;
        Ok((saved, hazard_ids))
    }

    /// Who records an inspection for a plan: the caller, except for a cross-inspection pair
    /// whose team the caller's county sends, where the caller acts within the inspected county
    /// (and only for that plan's drawn enterprises, checked next). Returns the visiting county
    /// for a pair plan.
    pub async fn acting_for_plan(
        &self,
        p: &Principal,
        plan_id: Option<&str>,
    ) -> Result<(Principal, Option<String>), ServiceError> {
        let Some(plan_id) = plan_id.filter(|x| !x.is_empty()) else {
            return Ok((p.clone(), None));
        };
        let plan =
            self.get_plan(p, plan_id).await.map_err(|_| invalid("plan_id", "no such plan in your jurisdiction"))?;
        let Some(visiting) = plan.round_id.as_ref().and(plan.inspector_region.clone()) else {
            return Ok((p.clone(), None));
        };
        let mut acting = p.clone();
        if !p.governs(&plan.region_code) {
            let inspected = crate::refdata::REGION_BY_CODE.get(&plan.region_code).ok_or(ServiceError::NotFound)?;
            acting.region_prefix = inspected.prefix();
        }
        Ok((acting, Some(visiting)))
    }

    /// The enterprise an inspection form is about, by id or by credit code: one of the caller's
    /// jurisdiction, or — for a cross-inspection pair the caller's county visits — one of that
    /// pair's drawn enterprises.
    pub async fn enterprise_for_inspection(
        &self,
        p: &Principal,
        plan_id: &str,
        id: Option<&str>,
        code: Option<&str>,
    ) -> Result<domain::enterprise::Enterprise, ServiceError> {
        let (acting, _) = self.acting_for_plan(p, Some(plan_id)).await?;
        let found = match (id.filter(|x| !x.is_empty()), code.filter(|x| !x.is_empty())) {
            (Some(id), _) => self.get_enterprise(&acting, id).await?,
            (None, Some(code)) => {
                let filter = store::enterprise::EnterpriseFilter { q: Some(code.to_owned()), ..Default::default() };
                let page = self.list_enterprises(&acting, &filter, PageRequest::new(None, Some(1))).await?;
                page.items.into_iter().find(|e| e.credit_code == code).ok_or(ServiceError::NotFound)?
            }
            (None, None) => return Err(ServiceError::NotFound),
        };
        if acting != *p && !self.drawn_in_plan(plan_id, &found.credit_code).await {
            return Err(ServiceError::NotFound);
        }
        Ok(found)
    }

    /// Whether an enterprise (by credit code) was drawn in a plan.
    pub async fn drawn_in_plan(&self, plan_id: &str, credit_code: &str) -> bool {
        self.drawn_teams(plan_id).await.ok().flatten().is_some_and(|t| t.contains_key(credit_code))
    }

    /// The drawn team of each enterprise of a drawn plan (none if not drawn). Kept once read:
    /// a drawn record never changes, and it holds every candidate of the jurisdiction, too much
    /// to parse again for each inspection recorded.
    async fn drawn_teams(&self, plan_id: &str) -> Result<Option<Arc<Teams>>, ServiceError> {
        if let Some(t) =
            self.drawn.0.lock().map_err(|_| ServiceError::Other(anyhow::anyhow!("cache lock")))?.get(plan_id)
        {
            return Ok(Some(t.clone()));
        }
        let Some(reveal) = store::plan::reveal_of(&self.db, plan_id).await? else { return Ok(None) };
        let reveal: SpotReveal = serde_json::from_str(&reveal).map_err(|e| ServiceError::Other(e.into()))?;
        let teams: Arc<Teams> = Arc::new(reveal.assignments.into_iter().map(|a| (a.entity, a.team)).collect());
        let mut cache = self.drawn.0.lock().map_err(|_| ServiceError::Other(anyhow::anyhow!("cache lock")))?;
        if cache.len() >= DrawnTeams::CAPACITY {
            cache.clear();
        }
        cache.insert(plan_id.to_owned(), teams.clone());
        Ok(Some(teams))
    }

    /// For a drawn plan: the enterprise must have been drawn, and every officer present must be
    /// on its drawn team or replace a team member with a recorded reason.
    async fn check_drawn_team(
        &self,
        p: &Principal,
        plan_id: &str,
        credit_code: &str,
        present: &[String],
        subs: &[Substitution],
    ) -> Result<(), ServiceError> {
        let plan =
            self.get_plan(p, plan_id).await.map_err(|_| invalid("plan_id", "no such plan in your jurisdiction"))?;
        let teams =
            self.drawn_teams(&plan.id).await?.ok_or_else(|| invalid("plan_id", "the plan has not been drawn"))?;
        let team = teams.get(credit_code).ok_or_else(|| invalid("enterprise_id", "was not drawn in this plan"))?;
        for o in present.iter().filter(|o| !team.contains(o)) {
            let ok = subs.iter().any(|s| {
                s.replacement.eq_ignore_ascii_case(o)
                    && team.contains(&s.out.to_ascii_uppercase())
                    && !s.reason.trim().is_empty()
            });
            if !ok {
                return Err(invalid(
                    "substitutions",
                    format!("{o} was not drawn for this enterprise: record whom they replace and why"),
                ));
            }
        }
        Ok(())
    }

    /// Inspections in the caller's scope matching a filter.
    pub async fn list_inspections(
        &self,
        p: &Principal,
        filter: &store::inspection::InspectionFilter,
        page: PageRequest,
    ) -> Result<Paged<Inspection>, ServiceError> {
        if !p.can(Permission::ViewHazards) {
            return Err(ServiceError::Forbidden);
        }
        Ok(store::inspection::list(&self.db, &p.scope(), filter, page).await?)
    }

    /// The filter of an inspection list from its query parameters (region code, days, `spot`).
    pub fn inspection_filter(
        plan: &str,
        region: &str,
        from: &str,
        to: &str,
        spot: bool,
    ) -> Result<store::inspection::InspectionFilter, ServiceError> {
        Ok(store::inspection::InspectionFilter {
            plan_id: Some(plan.to_owned()).filter(|p| !p.is_empty()),
            region: super::optional_region(region)?,
            from: super::optional_day("from", from)?,
            to: super::optional_day("to", to)?,
            spot_only: spot,
        })
    }

    /// One inspection in scope.
    pub async fn get_inspection(&self, p: &Principal, id: &str) -> Result<Inspection, ServiceError> {
        if !p.can(Permission::ViewHazards) {
            return Err(ServiceError::Forbidden);
        }
        Ok(store::inspection::get(&self.db, &p.scope(), id).await?)
    }
}
