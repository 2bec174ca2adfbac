//! Cross-inspection rounds (交叉互查): the city office groups its counties in one cycle with the
//! verifiable grouping of docs/specs/random-draw.md §5 (`previous` = the pairs of the city's
//! last round), with the same commit → beacon → reveal steps as a spot-check plan. Each pair
//! then becomes a spot-check plan of the inspected county whose teams are drawn from the
//! visiting county's officers (§4), committed at once and drawn with a second beacon. Hazards
//! the visiting team finds go to the inspected county's ledger, source "cross-inspection",
//! credited to the visiting county.

use super::plans::PlanInput;
use super::{Actor, App, ServiceError, invalid, random_bytes};
use domain::access::{Permission, Principal};
use domain::draw::grouping::GroupingInputs;
use domain::draw::record::GroupingRecord;
use domain::page::{PageRequest, Paged};
use domain::plan::{self, MIN_TEAM_SIZE, PlanStatus, Quota, STRATA};
use serde_json::json;
use store::cross::{NewRound, Round};
use store::plan::Plan;

/// Input for a new round.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct RoundInput {
    /// Title.
    pub name: String,
    /// First day (YYYY-MM-DD).
    pub date_from: String,
    /// Last day (YYYY-MM-DD).
    pub date_to: String,
    /// Participating counties of the city (at least two).
    pub participants: Vec<String>,
    /// Officers per visiting team (at least 2).
    pub team_size: i64,
    /// Enterprises each team inspects per risk stratum (`major`, `high`, `general`, `low`):
    /// a count like `2` or a rate like `5%`; empty for none.
    #[serde(default)]
    pub quotas: std::collections::BTreeMap<String, String>,
}

/// One pair of a grouped round and what it has produced so far.
#[derive(Debug, Clone)]
pub struct PairView {
    /// The county sending its team.
    pub visiting: String,
    /// The county inspected.
    pub inspected: String,
    /// The pair's spot-check plan (targets and team), once created.
    pub plan: Option<Plan>,
    /// Distinct enterprises inspected under the pair's plan.
    pub enterprises_inspected: i64,
    /// Hazards found: general.
    pub general: i64,
    /// Hazards found: major.
    pub major: i64,
    /// Of those, verified or closed.
    pub rectified: i64,
}

/// A round with its participants and pairs.
#[derive(Debug, Clone)]
pub struct RoundView {
    /// The stored round.
    pub round: Round,
    /// Participating counties.
    pub participants: Vec<String>,
    /// Pairs in cycle order (empty before the grouping).
    pub pairs: Vec<PairView>,
}

fn manager(actor: &Actor) -> Result<&Principal, ServiceError> {
    match &actor.principal {
        Some(p) if p.can(Permission::ManageRounds) => Ok(p),
        _ => Err(ServiceError::Forbidden),
    }
}

fn quota_texts(round: &Round) -> [String; 4] {
    let map: std::collections::BTreeMap<String, String> = serde_json::from_str(&round.quotas).unwrap_or_default();
    STRATA.map(|s| map.get(s.as_str()).cloned().unwrap_or_default())
}

impl App {
    /// Creates a draft round among the caller's counties (city office).
    pub async fn create_round(&self, actor: &Actor, input: &RoundInput) -> Result<RoundView, ServiceError> {
        let p = manager(actor)?;
        let name = input.name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            return Err(invalid("name", "give a title of 1-200 characters"));
        }
        let from: jiff::civil::Date =
            input.date_from.trim().parse().map_err(|_| invalid("date_from", "use YYYY-MM-DD"))?;
        let to: jiff::civil::Date = input.date_to.trim().parse().map_err(|_| invalid("date_to", "use YYYY-MM-DD"))?;
        if to < from {
            return Err(invalid("date_to", "is before the first day"));
        }
        let mut participants: Vec<String> = input.participants.iter().map(|c| c.trim().to_owned()).collect();
        participants.sort();
        participants.dedup();
        for c in &participants {
            let county = crate::refdata::REGION_BY_CODE.get(c.as_str());
            let ok =
                county.is_some_and(|r| r.parent.as_ref().is_some_and(|parent| parent.as_str() == p.region.as_str()));
            if !ok {
                return Err(invalid("participants", format!("'{c}' is not a county of your city")));
            }
        }
        if participants.len() < 2 {
            return Err(invalid("participants", "at least two counties take part"));
        }
        if input.team_size < MIN_TEAM_SIZE {
            return Err(invalid("team_size", format!("at least {MIN_TEAM_SIZE} officers inspect together")));
        }
        let mut quotas = std::collections::BTreeMap::new();
        for (k, v) in &input.quotas {
            if v.trim().is_empty() {
                continue;
            }
            if !STRATA.iter().any(|s| s.as_str() == k) || Quota::parse(v).is_none() {
                return Err(invalid(&format!("quota_{k}"), "use a count like 2 or a rate like 5% for a risk level"));
            }
            quotas.insert(k.clone(), v.trim().to_owned());
        }
        if quotas.is_empty() {
            return Err(invalid(
                "quota_major",
                "give how many enterprises of at least one risk level each team inspects",
            ));
        }
        let new = NewRound {
            region_code: p.region.to_string(),
            name: name.to_owned(),
            date_from: from.to_string(),
            date_to: to.to_string(),
            participants: serde_json::to_string(&participants).unwrap_or_default(),
            team_size: input.team_size,
            quotas: serde_json::to_string(&quotas).unwrap_or_default(),
            created_by: p.username.clone(),
        };
        let mut tx = self.db.begin().await?;
        let round = store::cross::create(&mut tx, &new, from.year(), self.now_ms()).await?;
        let detail = json!({"round_no": round.round_no, "participants": participants});
        self.audit(
            &mut tx,
            actor,
            Some(&round.region_code),
            "round.create",
            ("cross_round", &round.round_no),
            "ok",
            detail,
        )
        .await?;
        tx.commit().await?;
        self.view_round(round).await
    }

    async fn view_round(&self, round: Round) -> Result<RoundView, ServiceError> {
        let participants: Vec<String> = serde_json::from_str(&round.participants).unwrap_or_default();
        let pairs: Vec<(String, String)> =
            round.pairs.as_deref().map(|p| serde_json::from_str(p).unwrap_or_default()).unwrap_or_default();
        let plans = store::plan::of_round(&self.db, &round.id).await?;
        let mut out = Vec::with_capacity(pairs.len());
        for (visiting, inspected) in pairs {
            let plan = plans
                .iter()
                .find(|p| p.region_code == inspected && p.inspector_region.as_deref() == Some(visiting.as_str()))
                .cloned();
            let mut view =
                PairView { visiting, inspected, plan, enterprises_inspected: 0, general: 0, major: 0, rectified: 0 };
            if let Some(plan) = &view.plan {
                let since = round.drawn_at.unwrap_or(round.created_at);
                let (n, hazards) = store::cross::pair_results(&self.db, &plan.id, &view.visiting, since).await?;
                view.enterprises_inspected = n;
                for (grade, status) in hazards {
                    if grade == "major" {
                        view.major += 1;
                    } else {
                        view.general += 1;
                    }
                    if matches!(status.as_str(), "verified" | "closed") {
                        view.rectified += 1;
                    }
                }
            }
            out.push(view);
        }
        Ok(RoundView { round, participants, pairs: out })
    }

    /// Rounds the caller may see (its jurisdiction's, or those its county takes part in).
    pub async fn list_rounds(&self, p: &Principal, page: PageRequest) -> Result<Paged<Round>, ServiceError> {
        if !p.can(Permission::ViewPlans) {
            return Err(ServiceError::Forbidden);
        }
        Ok(store::cross::list(&self.db, &p.scope(), p.region.as_str(), page).await?)
    }

    /// One round with its pairs and their results.
    pub async fn get_round(&self, p: &Principal, id: &str) -> Result<RoundView, ServiceError> {
        if !p.can(Permission::ViewPlans) {
            return Err(ServiceError::NotFound);
        }
        let round = store::cross::get(&self.db, &p.scope(), p.region.as_str(), id).await?;
        self.view_round(round).await
    }

    async fn round_to_manage(&self, actor: &Actor, id: &str) -> Result<Round, ServiceError> {
        let p = manager(actor)?;
        let round = store::cross::get(&self.db, &p.scope(), p.region.as_str(), id).await?;
        if !p.governs(&round.region_code) {
            return Err(ServiceError::Forbidden);
        }
        Ok(round)
    }

    /// Freezes the participants and the pairs to avoid (the city's last round), generates the
    /// secret and publishes the commitment.
    pub async fn commit_round(&self, actor: &Actor, id: &str, version: i64) -> Result<RoundView, ServiceError> {
        let round = self.round_to_manage(actor, id).await?;
        plan::commit(round.status).map_err(|e| ServiceError::Conflict(e.to_string()))?;
        let previous: Vec<(String, String)> = store::cross::last_pairs(&self.db, &round.region_code, &round.id)
            .await?
            .map(|p| serde_json::from_str(&p).unwrap_or_default())
            .unwrap_or_default();
        let participants: Vec<String> = serde_json::from_str(&round.participants).unwrap_or_default();
        let mut previous: Vec<(String, String)> =
            previous.into_iter().filter(|(a, b)| participants.contains(a) && participants.contains(b)).collect();
        previous.sort();
        let frozen =
            GroupingInputs { participants, previous }.freeze().map_err(|e| invalid("participants", e.to_string()))?;
        let secret = random_bytes::<32>();
        let commitment = domain::draw::commitment(&secret);
        let record = with_round_fields(serde_json::to_value(GroupingRecord::committed(&frozen, &commitment)), &round);
        let digest = hex::encode(frozen.digest());
        let stored = store::plan::Commitment {
            inputs_digest: &digest,
            commitment: &hex::encode(commitment),
            secret_hex: &hex::encode(secret),
            committed_record: &record,
        };
        let mut tx = self.db.begin().await?;
        store::cross::commit(&mut tx, &round.id, version, &stored, self.now_ms()).await?;
        let detail = json!({"inputs_digest": digest, "commitment": hex::encode(commitment)});
        self.audit(
            &mut tx,
            actor,
            Some(&round.region_code),
            "round.commit",
            ("cross_round", &round.round_no),
            "ok",
            detail,
        )
        .await?;
        tx.commit().await?;
        self.get_round(manager(actor)?, id).await
    }

    /// Enters the beacon and reveals the grouping; then creates and commits each pair's plan.
    pub async fn group_round(
        &self,
        actor: &Actor,
        id: &str,
        version: i64,
        beacon: &str,
    ) -> Result<RoundView, ServiceError> {
        if beacon.chars().count() > 200 || beacon.chars().any(char::is_control) {
            return Err(invalid("beacon", "at most 200 characters, no control characters"));
        }
        let round = self.round_to_manage(actor, id).await?;
        plan::draw(round.status).map_err(|e| ServiceError::Conflict(e.to_string()))?;
        let mut tx = self.db.begin().await?;
        let (committed, secret_hex) = store::cross::secret_for_grouping(&mut tx, &round.id).await?;
        let committed: GroupingRecord = serde_json::from_str(&committed).map_err(|e| ServiceError::Other(e.into()))?;
        let frozen =
            GroupingInputs { participants: committed.participants.clone(), previous: committed.previous.clone() }
                .freeze()
                .map_err(|e| ServiceError::Other(anyhow::anyhow!("stored inputs: {e}")))?;
        if Some(hex::encode(frozen.digest())) != round.inputs_digest {
            return Err(ServiceError::Other(anyhow::anyhow!("stored inputs no longer match their digest")));
        }
        let secret: [u8; 32] = hex::decode(&secret_hex)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| ServiceError::Other(anyhow::anyhow!("stored secret is malformed")))?;
        let record = GroupingRecord::reveal(&frozen, &secret, beacon);
        let pairs = serde_json::to_string(&record.pairs).unwrap_or_default();
        let text = with_round_fields(serde_json::to_value(&record), &round);
        store::cross::record_grouping(&mut tx, &round.id, version, beacon, &pairs, &text, self.now_ms()).await?;
        let detail = json!({"beacon": beacon, "result_digest": record.result_digest, "pairs": record.pairs});
        self.audit(
            &mut tx,
            actor,
            Some(&round.region_code),
            "round.group",
            ("cross_round", &round.round_no),
            "ok",
            detail,
        )
        .await?;
        tx.commit().await?;
        self.prepare_pairs(actor, id).await
    }

    /// Creates the plan of every pair that has none yet and commits every pair plan still in
    /// draft. Safe to run again after a failure (a county short of certified officers).
    pub async fn prepare_pairs(&self, actor: &Actor, id: &str) -> Result<RoundView, ServiceError> {
        let round = self.round_to_manage(actor, id).await?;
        let view = self.view_round(round.clone()).await?;
        let zh = |code: &str| crate::refdata::REGION_BY_CODE.get(code).map(|r| r.name_zh.clone()).unwrap_or_default();
        for pair in &view.pairs {
            let plan = match &pair.plan {
                Some(plan) => plan.clone(),
                None => {
                    let input = PlanInput {
                        name: format!("{}：{}查{}", round.name, zh(&pair.visiting), zh(&pair.inspected)),
                        period_start: round.date_from.clone(),
                        period_end: round.date_to.clone(),
                        sectors: vec![],
                        quotas: quota_texts(&round),
                        team_size: round.team_size,
                        check_items: String::new(),
                    };
                    self.new_plan(actor, &input, &pair.inspected, Some((&round.id, &pair.visiting))).await?
                }
            };
            if plan.status == PlanStatus::Draft {
                let version = plan.version;
                self.commit_plan_at(actor, plan, version).await.map_err(|e| match e {
                    ServiceError::Invalid { message, .. } => {
                        invalid("pairs", format!("{} → {}: {message}", zh(&pair.visiting), zh(&pair.inspected)))
                    }
                    other => other,
                })?;
            }
        }
        self.get_round(manager(actor)?, id).await
    }

    /// Draws every committed pair plan with the second beacon: each visiting team and the
    /// enterprises it inspects.
    pub async fn draw_round_teams(&self, actor: &Actor, id: &str, beacon: &str) -> Result<RoundView, ServiceError> {
        let round = self.round_to_manage(actor, id).await?;
        for plan in store::plan::of_round(&self.db, &round.id).await? {
            if plan.status == PlanStatus::Committed {
                let version = plan.version;
                self.draw_plan_at(actor, plan, version, beacon).await?;
            }
        }
        self.get_round(manager(actor)?, id).await
    }

    /// Committed and grouped rounds (public list).
    pub async fn published_rounds(&self, page: PageRequest) -> Result<Paged<Round>, ServiceError> {
        Ok(store::cross::list_published(&self.db, page).await?)
    }

    /// A published round and its record JSON.
    pub async fn published_round(&self, round_no: &str) -> Result<(Round, String), ServiceError> {
        Ok(store::cross::published(&self.db, round_no).await?)
    }
}

/// Adds the round's identifying fields to a record (a verifier ignores them).
fn with_round_fields(value: Result<serde_json::Value, serde_json::Error>, round: &Round) -> String {
    let mut v = value.unwrap_or_default();
    if let Some(o) = v.as_object_mut() {
        o.insert("round_no".into(), round.round_no.clone().into());
        o.insert("region_code".into(), round.region_code.clone().into());
        o.insert("name".into(), round.name.clone().into());
        o.insert("period".into(), format!("{} – {}", round.date_from, round.date_to).into());
    }
    v.to_string()
}
