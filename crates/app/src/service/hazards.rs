//! The hazard ledger's use-cases: record a hazard, move it through its life, read the ledger
//! and a hazard's timeline, export exactly what is filtered. Overdue and escalation are
//! computed from the deadline and today's Asia/Shanghai date on every read, so they rise by
//! themselves.

use super::{Actor, App, ServiceError, invalid};
use crate::refdata;
use domain::access::{Permission, Principal};
use domain::hazard::{self, Action, Escalation, FiveImplementations, Grade, ListedLevel, Source};
use domain::page::{PageRequest, Paged};
use serde_json::json;
use store::hazard::{Hazard, HazardEvent, HazardFilter, HazardSort, NewEvent, NewHazard};

/// What the officer fills in when recording a hazard.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct HazardInput {
    /// Enterprise id (filled in for an inspection's findings).
    #[serde(default)]
    pub enterprise_id: String,
    /// What is wrong.
    pub description: String,
    /// Where (workshop, equipment).
    #[serde(default)]
    pub location: String,
    /// `general` or `major`.
    pub grade: String,
    /// For a major hazard: the criterion id (`GET /api/v1/criteria`).
    #[serde(default)]
    pub criterion: Option<String>,
    /// For a major hazard: the clause it meets.
    #[serde(default)]
    pub criterion_clause: Option<String>,
    /// Source (`self_check`, `department_inspection`, `spot_check`, …; filled in for an
    /// inspection's findings).
    #[serde(default)]
    pub source: String,
    /// Rectification deadline (YYYY-MM-DD), today or later.
    pub deadline: String,
    /// Responsible unit.
    #[serde(default)]
    pub responsible_unit: String,
    /// Responsible person.
    #[serde(default)]
    pub responsible_person: String,
    /// Listed supervision level (`county`, `city`, `province`) or none.
    #[serde(default)]
    pub listed_level: Option<String>,
    /// For a major hazard: the five implementations
    /// (`{"responsibility", "measures", "funds_yuan", "deadline", "contingency_plan"}`).
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub five_implementations: Option<FiveImplementations>,
    /// Rectification plan (required for a major hazard).
    #[serde(default)]
    pub rectification_plan: String,
    /// Campaign id, if found in a special action.
    #[serde(default)]
    pub campaign_id: Option<String>,
    /// SM3 hashes of uploaded photos of the finding (`POST /api/v1/evidence`).
    #[serde(default)]
    pub evidence: Vec<String>,
}

/// A hazard with what is computed from today's date.
#[derive(Debug, Clone, serde::Serialize)]
pub struct HazardView {
    /// The stored hazard.
    #[serde(flatten)]
    pub hazard: Hazard,
    /// Days past the deadline (0 if not overdue).
    pub days_overdue: i64,
    /// Rung of the escalation ladder.
    pub escalation: Escalation,
}

/// A step someone takes.
#[derive(Debug, Clone, Default)]
pub struct Step {
    /// The hazard's version the step is based on.
    pub version: i64,
    /// Note: required for a rejection (the reason) and a submitted rectification (what was done).
    pub note: String,
    /// For `assign`: responsible unit, person and a new deadline (each optional).
    pub unit: Option<String>,
    /// Responsible person.
    pub person: Option<String>,
    /// New deadline.
    pub deadline: Option<String>,
    /// Evidence (SM3 hashes of uploaded files).
    pub evidence: Vec<String>,
}

fn text(field: &str, value: &str, max: usize, required: bool) -> Result<String, ServiceError> {
    let v = value.trim();
    if required && v.is_empty() {
        return Err(invalid(field, "is required"));
    }
    if v.chars().count() > max {
        return Err(invalid(field, format!("is longer than {max} characters")));
    }
    Ok(v.to_owned())
}

impl App {
    fn view(&self, hazard: Hazard) -> HazardView {
        let today = self.today();
        let deadline = hazard.deadline.parse().unwrap_or(today);
        HazardView {
            days_overdue: hazard::days_overdue(hazard.status, deadline, today),
            escalation: hazard::escalation(hazard.status, deadline, today),
            hazard,
        }
    }

    /// Records a hazard found at an enterprise the caller may see.
    pub async fn report_hazard(&self, actor: &Actor, input: &HazardInput) -> Result<HazardView, ServiceError> {
        let new = self.prepare_hazard(actor, input).await?;
        self.store_hazard(actor, &new, &input.evidence).await
    }

    /// Stores a prepared hazard in its own transaction.
    pub(crate) async fn store_hazard(
        &self,
        actor: &Actor,
        new: &NewHazard,
        evidence: &[String],
    ) -> Result<HazardView, ServiceError> {
        // Document numbers are counted per region and year; two reports racing for the same
        // number (PostgreSQL) retry with the next one.
        for attempt in 0..3 {
            let mut tx = self.db.begin().await?;
            match self.insert_hazard(&mut tx, actor, new, evidence).await {
                Ok(h) => {
                    tx.commit().await?;
                    return Ok(self.view(h));
                }
                Err(ServiceError::Store(store::StoreError::Duplicate(_))) if attempt < 2 => continue,
                Err(e) => return Err(e),
            }
        }
        Err(ServiceError::Conflict("could not number the hazard; try again".into()))
    }

    /// Checks a hazard report and turns it into the row to store (no writes).
    pub(crate) async fn prepare_hazard(&self, actor: &Actor, input: &HazardInput) -> Result<NewHazard, ServiceError> {
        let p = actor.principal.as_ref().ok_or(ServiceError::Forbidden)?;
        if !p.can(Permission::ReportHazard) {
            return Err(ServiceError::Forbidden);
        }
        let enterprise = self.get_enterprise(p, &input.enterprise_id).await.map_err(|e| match e {
            ServiceError::NotFound => invalid("enterprise_id", "no such enterprise in your jurisdiction"),
            other => other,
        })?;
        let grade = Grade::parse(&input.grade).ok_or_else(|| invalid("grade", "use general or major"))?;
        let source = Source::parse(&input.source).ok_or_else(|| invalid("source", "is not a hazard source"))?;
        let deadline: jiff::civil::Date =
            input.deadline.trim().parse().map_err(|_| invalid("deadline", "use YYYY-MM-DD"))?;
        if deadline < self.today() {
            return Err(invalid("deadline", "is in the past"));
        }
        let listed_level = match input.listed_level.as_deref().filter(|l| !l.is_empty()) {
            Some(l) => {
                Some(ListedLevel::parse(l).ok_or_else(|| invalid("listed_level", "use county, city or province"))?)
            }
            None => None,
        };
        let (criterion, clause, five) = match grade {
            Grade::General => (None, None, None),
            Grade::Major => {
                let id = input.criterion.clone().unwrap_or_default();
                if !refdata::criteria()?.iter().any(|c| c.id == id) {
                    return Err(invalid("criterion", "a major hazard must name the national criterion it meets"));
                }
                let clause = text("criterion_clause", input.criterion_clause.as_deref().unwrap_or(""), 200, true)?;
                let five = input
                    .five_implementations
                    .clone()
                    .ok_or_else(|| invalid("five_implementations", "are required for a major hazard"))?;
                for (field, v) in [
                    ("responsibility", &five.responsibility),
                    ("measures", &five.measures),
                    ("contingency_plan", &five.contingency_plan),
                ] {
                    text(&format!("five_implementations.{field}"), v, 2000, true)?;
                }
                if five.funds_yuan < 0 {
                    return Err(invalid("five_implementations.funds_yuan", "cannot be negative"));
                }
                five.deadline
                    .parse::<jiff::civil::Date>()
                    .map_err(|_| invalid("five_implementations.deadline", "use YYYY-MM-DD"))?;
                text("rectification_plan", &input.rectification_plan, 5000, true)?;
                (Some(id), Some(clause), Some(serde_json::to_string(&five).unwrap_or_default()))
            }
        };
        let new = NewHazard {
            region_code: enterprise.region_code.clone(),
            enterprise_id: enterprise.id.clone(),
            credit_code: enterprise.credit_code.clone(),
            enterprise_name: enterprise.name.clone(),
            sector: enterprise.sector.clone(),
            description: text("description", &input.description, 2000, true)?,
            location: text("location", &input.location, 200, false)?,
            grade,
            criterion,
            criterion_clause: clause,
            source,
            deadline: deadline.to_string(),
            responsible_unit: text("responsible_unit", &input.responsible_unit, 200, false)?,
            responsible_person: text("responsible_person", &input.responsible_person, 100, false)?,
            listed_level,
            campaign_id: match input.campaign_id.clone().filter(|c| !c.is_empty()) {
                Some(c) => {
                    Some(self.get_campaign(p, &c).await.map_err(|_| invalid("campaign_id", "no such campaign"))?.id)
                }
                None => self.campaign_for(&enterprise.region_code, &enterprise.sector).await?,
            },
            found_by_region: None,
            five_implementations: five,
            rectification_plan: text("rectification_plan", &input.rectification_plan, 5000, false)?,
            reported_by: p.username.clone(),
            reporter_role: p.role.as_str().to_owned(),
            evidence: serde_json::to_string(&input.evidence).unwrap_or_else(|_| "[]".into()),
        };
        Ok(new)
    }

    /// Stores a prepared hazard with its evidence and audit entry inside `tx` (the caller
    /// commits). A numbering race surfaces as `Store(Duplicate)` for the caller to retry.
    pub(crate) async fn insert_hazard(
        &self,
        tx: &mut store::Tx,
        actor: &Actor,
        new: &NewHazard,
        evidence: &[String],
    ) -> Result<Hazard, ServiceError> {
        self.check_evidence(tx, evidence).await?;
        let h = store::hazard::create(tx, new, self.today().year().into(), self.now_ms())
            .await
            .map_err(ServiceError::Store)?;
        store::evidence::attach(tx, &h.region_code, &h.id, evidence, self.now_ms()).await?;
        let detail = json!({"hazard_no": h.hazard_no, "grade": h.grade.as_str(), "source": h.source.as_str(), "enterprise": h.credit_code});
        self.audit(tx, actor, Some(&h.region_code), "hazard.report", ("hazard", &h.hazard_no), "ok", detail).await?;
        Ok(h)
    }

    /// Takes one step in a hazard's life.
    pub async fn act_on_hazard(
        &self,
        actor: &Actor,
        id: &str,
        action: Action,
        step: &Step,
    ) -> Result<HazardView, ServiceError> {
        let p = actor.principal.as_ref().ok_or(ServiceError::Forbidden)?;
        let h = store::hazard::get(&self.db, &p.scope(), id).await?;
        if !p.role.may(action) {
            return Err(ServiceError::Forbidden);
        }
        if step.version != h.version {
            return Err(ServiceError::Conflict(format!(
                "the hazard changed since you read it (your version {}, now {}): reload to see what changed",
                step.version, h.version
            )));
        }
        let to = hazard::transition(h.status, action).map_err(|e| ServiceError::Conflict(e.to_string()))?;
        let note = text("note", &step.note, 2000, matches!(action, Action::Reject | Action::SubmitRectification))?;
        let assign = if action == Action::Assign {
            let unit = text("responsible_unit", step.unit.as_deref().unwrap_or(&h.responsible_unit), 200, true)?;
            let person =
                text("responsible_person", step.person.as_deref().unwrap_or(&h.responsible_person), 100, true)?;
            let deadline = match step.deadline.as_deref().filter(|d| !d.is_empty()) {
                Some(d) => {
                    d.parse::<jiff::civil::Date>().map_err(|_| invalid("deadline", "use YYYY-MM-DD"))?.to_string()
                }
                None => h.deadline.clone(),
            };
            Some((unit, person, deadline))
        } else {
            None
        };
        let evidence = serde_json::to_string(&step.evidence).unwrap_or_else(|_| "[]".into());
        let event = NewEvent {
            actor: &p.username,
            role: p.role.as_str(),
            action: action.as_str(),
            from: Some(h.status),
            to,
            note: &note,
            evidence: &evidence,
        };
        let mut tx = self.db.begin().await?;
        self.check_evidence(&mut tx, &step.evidence).await?;
        store::evidence::attach(&mut tx, &h.region_code, &h.id, &step.evidence, self.now_ms()).await?;
        let assigned = assign.as_ref().map(|(u, p, d)| (u.as_str(), p.as_str(), d.as_str()));
        let changed = store::hazard::apply(&mut tx, &h, step.version, &event, assigned, self.now_ms()).await?;
        let detail = json!({"from": h.status.as_str(), "to": to.as_str(), "note": note, "evidence": step.evidence});
        self.audit(
            &mut tx,
            actor,
            Some(&h.region_code),
            &format!("hazard.{}", action.as_str()),
            ("hazard", &h.hazard_no),
            "ok",
            detail,
        )
        .await?;
        tx.commit().await?;
        Ok(self.view(changed))
    }

    /// A page of the ledger.
    pub async fn list_hazards(
        &self,
        p: &Principal,
        filter: &HazardFilter,
        sort: HazardSort,
        page: PageRequest,
    ) -> Result<Paged<HazardView>, ServiceError> {
        if !p.can(Permission::ViewHazards) {
            return Err(ServiceError::Forbidden);
        }
        let paged = store::hazard::list(&self.db, &p.scope(), filter, sort, page).await?;
        Ok(Paged {
            items: paged.items.into_iter().map(|h| self.view(h)).collect(),
            total: paged.total,
            page: paged.page,
            per_page: paged.per_page,
        })
    }

    /// One hazard with its timeline.
    pub async fn get_hazard(&self, p: &Principal, id: &str) -> Result<(HazardView, Vec<HazardEvent>), ServiceError> {
        if !p.can(Permission::ViewHazards) {
            return Err(ServiceError::Forbidden);
        }
        let h = store::hazard::get(&self.db, &p.scope(), id).await?;
        let events = store::hazard::events(&self.db, &h).await?;
        Ok((self.view(h), events))
    }

    /// The filtered ledger as an XLSX workbook (every matching row, up to the export limit).
    /// `None` as principal is the CLI operator (whole database).
    pub async fn export_hazards(
        &self,
        actor: &Actor,
        filter: &HazardFilter,
        sort: HazardSort,
    ) -> Result<Vec<u8>, ServiceError> {
        let scope = match &actor.principal {
            Some(p) if p.can(Permission::ViewHazards) => p.scope(),
            Some(_) => return Err(ServiceError::Forbidden),
            None => domain::access::Scope::Region(domain::region::RegionPrefix::of(
                &domain::region::RegionCode::parse(&self.root_region).map_err(|e| ServiceError::Other(e.into()))?,
                domain::region::RegionLevel::Province,
            )),
        };
        let mut rows = Vec::new();
        store::hazard::for_each(&self.db, &scope, filter, sort, EXPORT_LIMIT, |h| rows.push(self.view(h))).await?;
        let bytes = crate::export::hazards_xlsx(&rows).map_err(|e| ServiceError::Other(e.into()))?;
        self.audit_alone(actor, "hazard.export", ("ledger", "xlsx"), "ok", json!({"rows": rows.len()})).await?;
        Ok(bytes)
    }
}

/// The most rows one export holds (Excel's own limit is 1,048,575 data rows).
pub const EXPORT_LIMIT: i64 = 1_000_000;
