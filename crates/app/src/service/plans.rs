//! Spot-check plans: create a draft, commit (freeze the inputs from the registers and
//! publish the commitment), then enter the beacon and draw (reveal and publish), per
//! docs/specs/random-draw.md. Each step is audited in the plan's region chain.

use super::{Actor, App, ServiceError, invalid, random_bytes};
use domain::access::{Permission, Principal};
use domain::draw::record::{CommittedSpot, SpotRecord, SpotReveal};
use domain::draw::spot::SpotInputs;
use domain::enterprise::RiskLevel;
use domain::page::{PageRequest, Paged};
use domain::plan::{self, MIN_TEAM_SIZE, Quota, STRATA};
use serde_json::json;
use std::collections::{HashMap, HashSet};
use store::plan::{NewPlan, Plan};

/// The quota of one stratum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct StratumQuota {
    /// Risk stratum.
    pub stratum: RiskLevel,
    /// Rate or count.
    pub quota: Quota,
}

/// Input for a new plan.
#[derive(Debug, Clone, Default)]
pub struct PlanInput {
    /// Title.
    pub name: String,
    /// First day (YYYY-MM-DD).
    pub period_start: String,
    /// Last day (YYYY-MM-DD).
    pub period_end: String,
    /// Sector codes in scope; empty for all.
    pub sectors: Vec<String>,
    /// Quota text per stratum (`30%`, `12`; empty = none), in [`STRATA`] order.
    pub quotas: [String; 4],
    /// Officers per team (at least 2).
    pub team_size: i64,
    /// Check items to use.
    pub check_items: String,
}

fn require(actor: &Actor, perm: Permission) -> Result<&Principal, ServiceError> {
    match &actor.principal {
        Some(p) if p.can(perm) => Ok(p),
        Some(_) => Err(ServiceError::Forbidden),
        None => Err(ServiceError::Forbidden),
    }
}

fn date(field: &str, s: &str) -> Result<jiff::civil::Date, ServiceError> {
    s.trim().parse().map_err(|_| invalid(field, "use YYYY-MM-DD"))
}

/// The quotas stored with a plan.
pub fn plan_quotas(plan: &Plan) -> Vec<StratumQuota> {
    serde_json::from_str(&plan.quotas).unwrap_or_default()
}

/// The sectors stored with a plan.
pub fn plan_sectors(plan: &Plan) -> Vec<String> {
    serde_json::from_str(&plan.sectors).unwrap_or_default()
}

impl App {
    /// Creates a draft plan in the caller's jurisdiction.
    pub async fn create_plan(&self, actor: &Actor, input: &PlanInput) -> Result<Plan, ServiceError> {
        let p = require(actor, Permission::ManagePlans)?;
        self.new_plan(actor, input, p.region.as_str(), None).await
    }

    /// Creates a draft plan for `region`; for a cross-inspection pair, `pair` is (round id,
    /// visiting county whose officers form the teams).
    pub(crate) async fn new_plan(
        &self,
        actor: &Actor,
        input: &PlanInput,
        region: &str,
        pair: Option<(&str, &str)>,
    ) -> Result<Plan, ServiceError> {
        let p = require(actor, Permission::ManagePlans)?;
        if !p.governs(region) {
            return Err(ServiceError::Forbidden);
        }
        let name = input.name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            return Err(invalid("name", "give a title of 1-200 characters"));
        }
        let (start, end) = (date("period_start", &input.period_start)?, date("period_end", &input.period_end)?);
        if end < start {
            return Err(invalid("period_end", "is before the start"));
        }
        if input.team_size < MIN_TEAM_SIZE {
            return Err(invalid("team_size", format!("at least {MIN_TEAM_SIZE} officers inspect together")));
        }
        let known: HashSet<String> = store::reference::sectors(&self.db).await?.into_iter().map(|s| s.code).collect();
        if let Some(bad) = input.sectors.iter().find(|s| !known.contains(*s)) {
            return Err(invalid("sectors", format!("'{bad}' is not a sector")));
        }
        let mut quotas = Vec::new();
        for (stratum, text) in STRATA.iter().zip(&input.quotas) {
            if text.trim().is_empty() {
                continue;
            }
            let quota = Quota::parse(text).ok_or_else(|| {
                invalid(&format!("quota_{}", stratum.as_str()), "use a rate like 5% or a count like 12")
            })?;
            quotas.push(StratumQuota { stratum: *stratum, quota });
        }
        if quotas.is_empty() {
            return Err(invalid("quota_major", "give a quota for at least one risk level"));
        }
        let new = NewPlan {
            region_code: region.to_owned(),
            name: name.to_owned(),
            period_start: start.to_string(),
            period_end: end.to_string(),
            sectors: serde_json::to_string(&input.sectors).unwrap_or_default(),
            quotas: serde_json::to_string(&quotas).unwrap_or_default(),
            team_size: input.team_size,
            check_items: input.check_items.trim().chars().take(2000).collect(),
            created_by: p.username.clone(),
            round_id: pair.map(|x| x.0.to_owned()),
            inspector_region: pair.map(|x| x.1.to_owned()),
        };
        let mut tx = self.db.begin().await?;
        let plan = store::plan::create(&mut tx, &new, start.year().into(), self.now_ms()).await?;
        let detail = json!({"plan_no": plan.plan_no, "quotas": quotas, "team_size": plan.team_size});
        self.audit(
            &mut tx,
            actor,
            Some(&plan.region_code),
            "plan.create",
            ("spot_check_plan", &plan.plan_no),
            "ok",
            detail,
        )
        .await?;
        tx.commit().await?;
        Ok(plan)
    }

    /// Plans in the caller's scope.
    pub async fn list_plans(&self, p: &Principal, page: PageRequest) -> Result<Paged<Plan>, ServiceError> {
        if !p.can(Permission::ViewPlans) {
            return Err(ServiceError::Forbidden);
        }
        Ok(store::plan::list(&self.db, &p.scope(), page).await?)
    }

    /// One plan in scope.
    pub async fn get_plan(&self, p: &Principal, id: &str) -> Result<Plan, ServiceError> {
        if !p.can(Permission::ViewPlans) {
            return Err(ServiceError::Forbidden);
        }
        Ok(store::plan::get(&self.db, &p.scope(), id).await?)
    }

    /// Freezes the plan's inputs from today's registers, generates the secret and publishes
    /// the commitment. After this the plan cannot change.
    pub async fn commit_plan(&self, actor: &Actor, id: &str, version: i64) -> Result<Plan, ServiceError> {
        let plan = self.plan_to_manage(actor, id).await?;
        self.commit_plan_at(actor, plan, version).await
    }

    /// A plan the caller may commit or draw: in their own jurisdiction (a visiting county sees
    /// the pair plans it sends teams to, but does not draw them), and not a cross-inspection
    /// pair (those are committed and drawn with their round).
    async fn plan_to_manage(&self, actor: &Actor, id: &str) -> Result<Plan, ServiceError> {
        let p = require(actor, Permission::ManagePlans)?;
        let plan = store::plan::get(&self.db, &p.scope(), id).await?;
        if !p.governs(&plan.region_code) {
            return Err(ServiceError::Forbidden);
        }
        if plan.round_id.is_some() {
            return Err(ServiceError::Conflict("a cross-inspection pair is committed and drawn with its round".into()));
        }
        Ok(plan)
    }

    /// Commits a plan already checked by the caller.
    pub(crate) async fn commit_plan_at(&self, actor: &Actor, plan: Plan, version: i64) -> Result<Plan, ServiceError> {
        let p = require(actor, Permission::ManagePlans)?;
        let id = plan.id.as_str();
        plan::commit(plan.status).map_err(|e| ServiceError::Conflict(e.to_string()))?;
        if plan.version != version {
            return Err(ServiceError::Conflict(format!("the plan changed (version {version}, now {})", plan.version)));
        }
        let prefix_of = |code: &str| crate::refdata::REGION_BY_CODE.get(code).map(|r| r.prefix());
        let prefix = prefix_of(&plan.region_code).ok_or(ServiceError::NotFound)?;
        let officers_prefix = match &plan.inspector_region {
            Some(r) => prefix_of(r).ok_or(ServiceError::NotFound)?,
            None => prefix.clone(),
        };
        // Enterprises that reached their annual cap this year are not drawn again.
        let at_cap: HashSet<String> =
            store::inspection::at_cap(&self.db, &prefix, self.today().year()).await?.into_iter().collect();
        let mut candidates = store::plan::candidates(&self.db, &prefix, &plan_sectors(&plan)).await?;
        candidates.retain(|(code, _)| !at_cap.contains(code));
        let mut sizes: HashMap<&str, usize> = HashMap::new();
        for (_, stratum) in &candidates {
            *sizes.entry(stratum.as_str()).or_default() += 1;
        }
        let quotas: Vec<(String, i64)> = plan_quotas(&plan)
            .iter()
            .map(|q| {
                let size = sizes.get(q.stratum.as_str()).copied().unwrap_or(0);
                let count = q.quota.count(size) as i64;
                // A round sets one count for counties of any size: a small county gives what it has.
                let count = if plan.round_id.is_some() { count.min(size as i64) } else { count };
                (q.stratum.as_str().to_owned(), count)
            })
            .collect();
        let inspectors = store::plan::certified_officers(&self.db, &officers_prefix, &self.today().to_string()).await?;
        // Declared conflicts, plus "this officer inspected this enterprise in the previous plan".
        let mut pairs = store::plan::conflicts(&self.db, &officers_prefix).await?;
        if let Some(previous) = store::inspection::previous_drawn_plan(&self.db, &plan.region_code, &plan.id).await? {
            pairs.extend(store::inspection::pairs_of_plan(&self.db, &previous).await?);
        }
        // Only pairs of this draw's officers and candidates count; the candidates named by a
        // pair are looked up, rather than a set of a province's million candidates built.
        let named: HashSet<&str> = pairs.iter().map(|(_, c)| c.as_str()).collect();
        let known_i: HashSet<&str> = inspectors.iter().map(String::as_str).collect();
        let known_c: HashSet<&str> = if named.is_empty() {
            HashSet::new()
        } else {
            candidates.iter().map(|c| c.0.as_str()).filter(|c| named.contains(c)).collect()
        };
        let mut conflicts: Vec<(String, String)> =
            pairs.into_iter().filter(|(i, c)| known_i.contains(i.as_str()) && known_c.contains(c.as_str())).collect();
        conflicts.sort();
        conflicts.dedup();
        let inputs = SpotInputs {
            kind: if plan.round_id.is_some() { "cross_inspection" } else { "spot_check" }.into(),
            team_size: plan.team_size,
            candidates,
            quotas,
            inspectors,
            conflicts,
        };
        let frozen = inputs
            .into_frozen()
            .map_err(|e| invalid("plan", format!("cannot be drawn from today's registers: {e}")))?;
        let secret = random_bytes::<32>();
        let commitment = domain::draw::commitment(&secret);
        let record = with_plan_fields(&CommittedSpot::new(&frozen, &commitment), &plan)?;
        let now = self.now_ms();
        let mut tx = self.db.begin().await?;
        let stored = store::plan::Commitment {
            inputs_digest: &hex::encode(frozen.digest()),
            commitment: &hex::encode(commitment),
            secret_hex: &hex::encode(secret),
            committed_record: &record,
        };
        store::plan::commit(&mut tx, &plan.id, version, &stored, now).await?;
        let detail = json!({"inputs_digest": hex::encode(frozen.digest()), "commitment": hex::encode(commitment),
            "candidates": frozen.inputs().candidates.len(), "inspectors": frozen.inputs().inspectors.len()});
        self.audit(
            &mut tx,
            actor,
            Some(&plan.region_code),
            "plan.commit",
            ("spot_check_plan", &plan.plan_no),
            "ok",
            detail,
        )
        .await?;
        tx.commit().await?;
        Ok(store::plan::get(&self.db, &p.scope(), id).await?)
    }

    /// Enters the beacon, reveals the secret, draws, and publishes the record.
    pub async fn draw_plan(&self, actor: &Actor, id: &str, version: i64, beacon: &str) -> Result<Plan, ServiceError> {
        let plan = self.plan_to_manage(actor, id).await?;
        self.draw_plan_at(actor, plan, version, beacon).await
    }

    /// Draws a plan already checked by the caller.
    pub(crate) async fn draw_plan_at(
        &self,
        actor: &Actor,
        plan: Plan,
        version: i64,
        beacon: &str,
    ) -> Result<Plan, ServiceError> {
        let p = require(actor, Permission::ManagePlans)?;
        let id = plan.id.as_str();
        if beacon.chars().count() > 200 || beacon.chars().any(char::is_control) {
            return Err(invalid("beacon", "at most 200 characters, no control characters"));
        }
        plan::draw(plan.status).map_err(|e| ServiceError::Conflict(e.to_string()))?;
        let mut tx = self.db.begin().await?;
        let (committed_text, secret_hex) = store::plan::secret_for_draw(&mut tx, &plan.id).await?;
        let committed: SpotRecord = serde_json::from_str(&committed_text).map_err(|e| ServiceError::Other(e.into()))?;
        drop(committed_text);
        let frozen = committed
            .into_inputs()
            .into_frozen()
            .map_err(|e| ServiceError::Other(anyhow::anyhow!("stored inputs: {e}")))?;
        if Some(hex::encode(frozen.digest())) != plan.inputs_digest {
            return Err(ServiceError::Other(anyhow::anyhow!("stored inputs no longer match their digest")));
        }
        let secret: [u8; 32] = hex::decode(&secret_hex)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| ServiceError::Other(anyhow::anyhow!("stored secret is malformed")))?;
        let reveal = SpotReveal::of(&frozen, &secret, beacon).map_err(|e| invalid("plan", e.to_string()))?;
        let result_digest = reveal.result_digest.clone();
        let text = serde_json::to_string(&reveal).map_err(|e| ServiceError::Other(e.into()))?;
        store::plan::record_draw(&mut tx, &plan.id, version, beacon, &text, self.now_ms()).await?;
        let detail = json!({"beacon": beacon, "result_digest": result_digest});
        self.audit(
            &mut tx,
            actor,
            Some(&plan.region_code),
            "plan.draw",
            ("spot_check_plan", &plan.plan_no),
            "ok",
            detail,
        )
        .await?;
        self.audit(
            &mut tx,
            actor,
            Some(&plan.region_code),
            "plan.publish",
            ("spot_check_plan", &plan.plan_no),
            "ok",
            json!({}),
        )
        .await?;
        tx.commit().await?;
        Ok(store::plan::get(&self.db, &p.scope(), id).await?)
    }

    /// Declares a conflict of interest (officer × enterprise) in the caller's jurisdiction.
    pub async fn declare_conflict(
        &self,
        actor: &Actor,
        badge_no: &str,
        credit_code: &str,
        reason: &str,
    ) -> Result<String, ServiceError> {
        let p = require(actor, Permission::ManagePlans)?;
        let badge = domain::officer::BadgeNo::parse(badge_no).map_err(|e| invalid("badge_no", e.to_string()))?;
        let code =
            domain::credit_code::CreditCode::parse(credit_code).map_err(|e| invalid("credit_code", e.to_string()))?;
        let mut tx = self.db.begin().await?;
        let id = store::plan::declare_conflict(
            &mut tx,
            p.region.as_str(),
            badge.as_str(),
            code.as_str(),
            reason.trim(),
            &p.username,
            self.now_ms(),
        )
        .await
        .map_err(|e| match e {
            store::StoreError::Duplicate(_) => invalid("badge_no", "this conflict is already declared"),
            other => other.into(),
        })?;
        let detail = json!({"badge_no": badge.as_str(), "credit_code": code.as_str()});
        self.audit(&mut tx, actor, None, "conflict.declare", ("officer_conflict", &id), "ok", detail).await?;
        tx.commit().await?;
        Ok(id)
    }
}

/// The record's JSON text with the plan's public fields after the record's own (`plan_no`,
/// `region_code`, `name`, `period`). Written straight from the record: a record holds every
/// candidate (a million for a province-wide plan), and building a JSON tree of it first cost
/// more than the draw itself.
fn with_plan_fields(record: &impl serde::Serialize, plan: &Plan) -> Result<String, ServiceError> {
    let fields = json!({
        "plan_no": plan.plan_no,
        "region_code": plan.region_code,
        "name": plan.name,
        "period": format!("{} – {}", plan.period_start, plan.period_end),
    });
    with_fields(record, &fields)
}

/// `record`'s JSON text with the members of the object `fields` appended.
fn with_fields(record: &impl serde::Serialize, fields: &serde_json::Value) -> Result<String, ServiceError> {
    let text = serde_json::to_string(record).map_err(|e| ServiceError::Other(e.into()))?;
    let fields = fields.to_string();
    match (text.strip_suffix('}'), fields.strip_prefix('{')) {
        (Some(open), Some(rest)) if open.len() > 1 && rest.len() > 1 => Ok(format!("{open},{rest}")),
        _ => Err(ServiceError::Other(anyhow::anyhow!("a draw record and its fields must be non-empty JSON objects"))),
    }
}

impl App {
    /// Committed and drawn plans, for the public pages (no login).
    pub async fn published_plans(&self, page: PageRequest) -> Result<Paged<Plan>, ServiceError> {
        Ok(store::plan::list_published(&self.db, page).await?)
    }

    /// A published plan and its record JSON (the committed record before the draw, without
    /// the secret; the full record after). Drafts are not found.
    pub async fn published_plan(&self, plan_no: &str) -> Result<(Plan, String), ServiceError> {
        Ok(store::plan::published(&self.db, plan_no).await?)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn plan_fields_are_appended_to_the_record_text() {
        let record =
            json!({"spec": "random-draw/1", "candidates": [{"id": "a", "stratum": "major"}], "commitment": "ab"});
        let fields =
            json!({"plan_no": "CJ-341522-2026-001", "region_code": "341522", "name": "“双随机”", "period": "a – b"});
        let mut tree = record.clone();
        for (k, v) in fields.as_object().unwrap() {
            tree.as_object_mut().unwrap().insert(k.clone(), v.clone());
        }
        let text = super::with_fields(&record, &fields).unwrap();
        let parsed: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(parsed, tree, "the same members as the record with the fields inserted");
        assert!(text.starts_with(&record.to_string()[..record.to_string().len() - 1]), "the record's text unchanged");
        assert!(text.ends_with(r#""region_code":"341522"}"#), "{text}");
        assert!(super::with_fields(&json!({}), &fields).is_err(), "an empty record is refused");
    }
}
