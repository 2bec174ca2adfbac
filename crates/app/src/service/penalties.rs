//! Administrative penalty cases (BRIEF §5): filed, investigated, notified (statement period,
//! hearing where the penalty gives the right), decided, served, executed, closed, with each
//! step's deadline counted in working days on the official calendar. Decisions are published
//! at once on the public page (the brief allows up to 7 working days), showing the enterprise,
//! basis, penalty, amount and date, never the facts found (which may name people).

use super::{Actor, App, ServiceError, invalid};
use crate::refdata::{ARTICLES, CALENDAR};
use domain::access::{Permission, Principal};
use domain::page::{PageRequest, Paged};
use domain::penalty::{self, CaseAction, CaseStatus, PenaltyType};
use serde_json::json;
use store::penalty::{CaseStep, PenaltyCase};

/// What the office files.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct CaseInput {
    /// Enterprise id.
    pub enterprise_id: String,
    /// The inspection that led to it, if any.
    #[serde(default)]
    pub inspection_id: Option<String>,
    /// Facts found (internal; not published).
    pub facts: String,
    /// Work Safety Law article code (`GET /api/v1/articles`).
    pub legal_basis: String,
    /// Penalty types (`warning`, `fine`, `confiscation`, `order_to_correct`, `suspension`,
    /// `licence_suspension`, `licence_revocation`, `closure`).
    #[schema(value_type = Vec<String>)]
    pub penalty_types: Vec<PenaltyType>,
    /// Fine in yuan, as text (`"50000"`); required with `fine`.
    #[serde(default)]
    pub fine_yuan: String,
}

fn status_of(s: &str) -> Result<CaseStatus, ServiceError> {
    serde_json::from_value(json!(s)).map_err(|_| ServiceError::Other(anyhow::anyhow!("stored case status {s}")))
}

fn name<T: serde::Serialize>(v: T) -> String {
    serde_json::to_value(v).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

impl App {
    /// Files a case.
    pub async fn file_case(&self, actor: &Actor, input: &CaseInput) -> Result<PenaltyCase, ServiceError> {
        let p =
            actor.principal.as_ref().filter(|p| p.can(Permission::ManagePenalties)).ok_or(ServiceError::Forbidden)?;
        let e = self
            .get_enterprise(p, &input.enterprise_id)
            .await
            .map_err(|_| invalid("enterprise_id", "no such enterprise in your jurisdiction"))?;
        if !ARTICLES.iter().any(|a| a.code == input.legal_basis) {
            return Err(invalid("legal_basis", "choose an article of the Work Safety Law from the list"));
        }
        if input.penalty_types.is_empty() {
            return Err(invalid("penalty_types", "choose at least one penalty type"));
        }
        let fine_fen = if input.penalty_types.contains(&PenaltyType::Fine) {
            domain::accident::parse_yuan(&input.fine_yuan)
                .filter(|f| *f > 0)
                .ok_or_else(|| invalid("fine_yuan", "give the fine in yuan"))?
        } else {
            0
        };
        let facts = input.facts.trim();
        if facts.is_empty() {
            return Err(invalid("facts", "are required"));
        }
        if let Some(i) = input.inspection_id.as_deref().filter(|i| !i.is_empty()) {
            self.get_inspection(p, i).await.map_err(|_| invalid("inspection_id", "no such inspection"))?;
        }
        let c = PenaltyCase {
            id: String::new(),
            case_no: String::new(),
            region_code: e.region_code.clone(),
            enterprise_id: e.id.clone(),
            credit_code: e.credit_code.clone(),
            enterprise_name: e.name.clone(),
            inspection_id: input.inspection_id.clone().filter(|i| !i.is_empty()),
            facts: facts.chars().take(5000).collect(),
            legal_basis: input.legal_basis.clone(),
            penalty_types: serde_json::to_string(&input.penalty_types).unwrap_or_default(),
            fine_fen,
            hearing_right: penalty::hearing_right(&input.penalty_types, fine_fen),
            status: "filed".into(),
            status_since: self.today().to_string(),
            deadline: None,
            decided_on: None,
            publish_by: None,
            filed_by: p.username.clone(),
            version: 1,
        };
        let mut tx = self.db.begin().await?;
        let saved = store::penalty::create(&mut tx, &c, self.today().year(), self.now_ms()).await?;
        let detail = json!({"case_no": saved.case_no, "legal_basis": saved.legal_basis, "fine_fen": saved.fine_fen});
        self.audit(
            &mut tx,
            actor,
            Some(&saved.region_code),
            "penalty.file",
            ("penalty_case", &saved.case_no),
            "ok",
            detail,
        )
        .await?;
        tx.commit().await?;
        Ok(saved)
    }

    /// Takes a step in a case.
    pub async fn act_on_case(
        &self,
        actor: &Actor,
        id: &str,
        version: i64,
        action: CaseAction,
        note: &str,
    ) -> Result<PenaltyCase, ServiceError> {
        let p =
            actor.principal.as_ref().filter(|p| p.can(Permission::ManagePenalties)).ok_or(ServiceError::Forbidden)?;
        let c = store::penalty::get(&self.db, &p.scope(), id).await?;
        if c.version != version {
            return Err(ServiceError::Conflict(format!(
                "the case changed since you read it (your version {version}, now {})",
                c.version
            )));
        }
        let to = penalty::transition(status_of(&c.status)?, action, c.hearing_right)
            .map_err(|e| ServiceError::Conflict(e.to_string()))?;
        let today = self.today();
        let decided = to == CaseStatus::Decided;
        let step = CaseStep {
            who: (&p.username, p.role.as_str()),
            action: &name(action),
            to: &name(to),
            since: today.to_string(),
            deadline: penalty::deadline(to, today, c.hearing_right, &CALENDAR).map(|d| d.to_string()),
            decided_on: decided.then(|| today.to_string()),
            publish_by: decided.then(|| penalty::publish_by(today, &CALENDAR).to_string()),
            note: note.trim(),
        };
        let mut tx = self.db.begin().await?;
        store::penalty::apply(&mut tx, &c, version, &step, self.now_ms()).await?;
        let detail = json!({"from": c.status, "to": step.to, "deadline": step.deadline, "note": step.note});
        self.audit(
            &mut tx,
            actor,
            Some(&c.region_code),
            &format!("penalty.{}", step.action),
            ("penalty_case", &c.case_no),
            "ok",
            detail,
        )
        .await?;
        tx.commit().await?;
        Ok(store::penalty::get(&self.db, &p.scope(), id).await?)
    }

    /// Cases in scope: optionally only those past their step deadline today, of a region, or
    /// decided between two days (`YYYY-MM-DD`, empty for open-ended).
    pub async fn list_cases(
        &self,
        p: &Principal,
        overdue: bool,
        region: &str,
        decided: (&str, &str),
        page: PageRequest,
    ) -> Result<Paged<PenaltyCase>, ServiceError> {
        if !p.can(Permission::ViewCampaigns) {
            return Err(ServiceError::Forbidden);
        }
        let filter = store::penalty::CaseFilter {
            overdue_on: overdue.then(|| self.today().to_string()),
            region: super::optional_region(region)?,
            decided_from: super::optional_day("decided_from", decided.0)?,
            decided_to: super::optional_day("decided_to", decided.1)?,
        };
        Ok(store::penalty::list(&self.db, &p.scope(), &filter, page).await?)
    }

    /// One case in scope.
    pub async fn get_case(&self, p: &Principal, id: &str) -> Result<PenaltyCase, ServiceError> {
        if !p.can(Permission::ViewCampaigns) {
            return Err(ServiceError::Forbidden);
        }
        Ok(store::penalty::get(&self.db, &p.scope(), id).await?)
    }

    /// Published penalty decisions (no login).
    pub async fn public_decisions(&self, page: PageRequest) -> Result<Paged<PenaltyCase>, ServiceError> {
        Ok(store::penalty::decisions(&self.db, page).await?)
    }

    /// Published spot-check inspection results (no login).
    pub async fn public_inspections(
        &self,
        page: PageRequest,
    ) -> Result<Paged<store::inspection::Inspection>, ServiceError> {
        Ok(store::inspection::published(&self.db, page).await?)
    }
}
