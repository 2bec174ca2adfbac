//! Accidents: recorded by an office with deaths, serious injuries and direct loss; the grade
//! is computed (BRIEF §6), never typed in.

use super::{Actor, App, ServiceError, invalid};
use domain::access::{Permission, Principal};
use domain::accident::{self, TYPES};
use domain::page::{PageRequest, Paged};
use serde_json::json;
use store::accident::Accident;

/// What the office records.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct AccidentInput {
    /// Local time in China, `YYYY-MM-DDTHH:MM`.
    pub occurred_at: String,
    /// Enterprise id, if it happened at a registered enterprise.
    #[serde(default)]
    pub enterprise_id: Option<String>,
    /// Without an enterprise: the region code and the place.
    #[serde(default)]
    pub region_code: Option<String>,
    /// Place or unit name, when there is no enterprise.
    #[serde(default)]
    pub place: String,
    /// GB 6441 type code (`GET /api/v1/accident-types`).
    pub accident_type: String,
    /// Deaths.
    pub deaths: u32,
    /// Serious injuries.
    pub serious_injuries: u32,
    /// Direct economic loss in yuan, as text (`"1234.50"`).
    pub direct_loss_yuan: String,
    /// What happened.
    pub description: String,
}

impl App {
    /// Records an accident and grades it.
    pub async fn record_accident(&self, actor: &Actor, input: &AccidentInput) -> Result<Accident, ServiceError> {
        let p =
            actor.principal.as_ref().filter(|p| p.can(Permission::RecordAccident)).ok_or(ServiceError::Forbidden)?;
        let local: jiff::civil::DateTime =
            input.occurred_at.trim().parse().map_err(|_| invalid("occurred_at", "use YYYY-MM-DDTHH:MM"))?;
        let zoned = local.in_tz("Asia/Shanghai").map_err(|e| ServiceError::Other(e.into()))?;
        if zoned.timestamp().as_millisecond() > self.now_ms() {
            return Err(invalid("occurred_at", "is in the future"));
        }
        if !TYPES.iter().any(|(code, _, _)| *code == input.accident_type) {
            return Err(invalid("accident_type", "is not a GB 6441 accident type"));
        }
        let loss = accident::parse_yuan(&input.direct_loss_yuan)
            .ok_or_else(|| invalid("direct_loss_yuan", "give an amount in yuan, e.g. 125000.50"))?;
        let (region_code, enterprise_id, name) = match input.enterprise_id.as_deref().filter(|e| !e.is_empty()) {
            Some(id) => {
                let e = self
                    .get_enterprise(p, id)
                    .await
                    .map_err(|_| invalid("enterprise_id", "no such enterprise in your jurisdiction"))?;
                (e.region_code, Some(e.id), e.name)
            }
            None => {
                let region = input.region_code.clone().unwrap_or_else(|| p.region.to_string());
                if !p.governs(&region) {
                    return Err(invalid("region_code", "is outside your jurisdiction"));
                }
                let place = input.place.trim();
                if place.is_empty() {
                    return Err(invalid("place", "name the place or unit"));
                }
                (region, None, place.chars().take(200).collect())
            }
        };
        let description = input.description.trim();
        if description.is_empty() {
            return Err(invalid("description", "is required"));
        }
        let grade = accident::grade(input.deaths, input.serious_injuries, loss);
        let a = Accident {
            id: String::new(),
            accident_no: String::new(),
            region_code,
            occurred_at: zoned.timestamp().as_millisecond(),
            occurred_on: zoned.date().to_string(),
            enterprise_id,
            enterprise_name: name,
            accident_type: input.accident_type.clone(),
            deaths: i64::from(input.deaths),
            serious_injuries: i64::from(input.serious_injuries),
            direct_loss_fen: loss,
            grade: grade.as_str().to_owned(),
            description: description.chars().take(5000).collect(),
            recorded_by: p.username.clone(),
        };
        let mut tx = self.db.begin().await?;
        let saved = store::accident::create(&mut tx, &a, self.now_ms()).await?;
        let detail = json!({"accident_no": saved.accident_no, "grade": saved.grade, "deaths": saved.deaths,
            "serious_injuries": saved.serious_injuries, "direct_loss_fen": saved.direct_loss_fen});
        self.audit(
            &mut tx,
            actor,
            Some(&saved.region_code),
            "accident.record",
            ("accident", &saved.accident_no),
            "ok",
            detail,
        )
        .await?;
        tx.commit().await?;
        Ok(saved)
    }

    /// Accidents in the caller's scope between two dates (inclusive).
    pub async fn list_accidents(
        &self,
        p: &Principal,
        from: &str,
        to: &str,
        page: PageRequest,
    ) -> Result<Paged<Accident>, ServiceError> {
        if !p.can(Permission::ViewCampaigns) {
            return Err(ServiceError::Forbidden);
        }
        for (field, d) in [("from", from), ("to", to)] {
            d.parse::<jiff::civil::Date>().map_err(|_| invalid(field, "use YYYY-MM-DD"))?;
        }
        Ok(store::accident::list(&self.db, &p.scope(), from, to, page).await?)
    }
}
