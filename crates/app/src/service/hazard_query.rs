//! The ledger's filters as they arrive in a query string, shared by the ledger page, the API
//! and the export link, so "export exactly what is filtered" holds by construction.

use crate::service::{App, ServiceError, invalid};
use domain::hazard::{Grade, ListedLevel, Source, Status};
use store::hazard::{HazardFilter, HazardSort};

/// Ledger query parameters (all optional).
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize, utoipa::IntoParams)]
pub struct HazardQuery {
    /// Region code (includes regions under it).
    #[serde(default)]
    pub region: String,
    /// `general` or `major`.
    #[serde(default)]
    pub grade: String,
    /// Status.
    #[serde(default)]
    pub status: String,
    /// Source.
    #[serde(default)]
    pub source: String,
    /// Sector code.
    #[serde(default)]
    pub sector: String,
    /// Campaign id.
    #[serde(default)]
    pub campaign: String,
    /// `1` or `true`: only open hazards past their deadline today.
    #[serde(default)]
    pub overdue: String,
    /// Listed level.
    #[serde(default)]
    pub listed: String,
    /// Reported on or after (YYYY-MM-DD, Asia/Shanghai).
    #[serde(default)]
    pub from: String,
    /// Reported on or before (YYYY-MM-DD).
    #[serde(default)]
    pub to: String,
    /// Text in the description, enterprise name or number.
    #[serde(default)]
    pub q: String,
    /// `newest` (default), `deadline` or `region`.
    #[serde(default)]
    pub sort: String,
    /// Page.
    pub page: Option<u32>,
    /// Rows per page.
    pub per_page: Option<u32>,
}

fn day_start_ms(field: &str, s: &str, next_day: bool) -> Result<i64, ServiceError> {
    let d: jiff::civil::Date = s.parse().map_err(|_| invalid(field, "use YYYY-MM-DD"))?;
    let d = if next_day { d.tomorrow().map_err(|e| ServiceError::Other(e.into()))? } else { d };
    d.in_tz("Asia/Shanghai").map(|z| z.timestamp().as_millisecond()).map_err(|e| ServiceError::Other(e.into()))
}

impl HazardQuery {
    /// The store filter and order, or which parameter is wrong.
    pub fn to_filter(&self, app: &App) -> Result<(HazardFilter, HazardSort), ServiceError> {
        fn opt<T>(field: &str, v: &str, parse: impl Fn(&str) -> Option<T>) -> Result<Option<T>, ServiceError> {
            if v.is_empty() {
                Ok(None)
            } else {
                parse(v).map(Some).ok_or_else(|| invalid(field, format!("'{v}' is not a valid value")))
            }
        }
        let region = opt("region", &self.region, |c| {
            crate::refdata::REGIONS.iter().find(|r| r.code.as_str() == c).map(|r| r.prefix())
        })?;
        let filter = HazardFilter {
            region,
            grade: opt("grade", &self.grade, Grade::parse)?,
            status: opt("status", &self.status, Status::parse)?,
            source: opt("source", &self.source, Source::parse)?,
            sector: Some(self.sector.clone()).filter(|s| !s.is_empty()),
            campaign: Some(self.campaign.clone()).filter(|s| !s.is_empty()),
            overdue_on: matches!(self.overdue.as_str(), "1" | "true" | "on").then(|| app.today().to_string()),
            listed: opt("listed", &self.listed, ListedLevel::parse)?,
            from_ms: if self.from.is_empty() { None } else { Some(day_start_ms("from", &self.from, false)?) },
            to_ms: if self.to.is_empty() { None } else { Some(day_start_ms("to", &self.to, true)?) },
            q: Some(self.q.clone()).filter(|s| !s.trim().is_empty()),
        };
        let sort = match self.sort.as_str() {
            "" | "newest" => HazardSort::Newest,
            "deadline" => HazardSort::Deadline,
            "region" => HazardSort::Region,
            other => return Err(invalid("sort", format!("'{other}' is not newest, deadline or region"))),
        };
        Ok((filter, sort))
    }

    /// The filter pairs (without paging), to rebuild links: pager, export.
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        vec![
            ("region", self.region.clone()),
            ("grade", self.grade.clone()),
            ("status", self.status.clone()),
            ("source", self.source.clone()),
            ("sector", self.sector.clone()),
            ("campaign", self.campaign.clone()),
            ("overdue", self.overdue.clone()),
            ("listed", self.listed.clone()),
            ("from", self.from.clone()),
            ("to", self.to.clone()),
            ("q", self.q.clone()),
            ("sort", self.sort.clone()),
        ]
    }

    /// The filter as a query string (no paging).
    pub fn query_string(&self) -> String {
        self.pairs()
            .into_iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| format!("{k}={}", crate::web::auth::urlencode(&v)))
            .collect::<Vec<_>>()
            .join("&")
    }
}
