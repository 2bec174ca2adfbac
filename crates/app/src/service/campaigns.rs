//! Special actions (专项行动): a city office runs a campaign with a scope (regions, sectors,
//! dates), stages and targets; hazards found in its scope and dates are linked to it when
//! recorded; its progress per region is computed from the ledger, never stored.

use super::{Actor, App, ServiceError, invalid};
use domain::access::{Permission, Principal};
use serde_json::json;
use std::collections::BTreeMap;
use store::campaign::Campaign;

/// What the city office fills in.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct CampaignInput {
    /// Name.
    pub name: String,
    /// First day (YYYY-MM-DD).
    pub start_date: String,
    /// Last day.
    pub end_date: String,
    /// Region codes in scope (empty: the whole city).
    #[serde(default)]
    pub regions: Vec<String>,
    /// Sector codes in scope (empty: all).
    #[serde(default)]
    pub sectors: Vec<String>,
    /// Stages, one per line: `name,YYYY-MM-DD,YYYY-MM-DD`.
    #[serde(default)]
    pub stages: String,
    /// Targets, in words.
    #[serde(default)]
    pub targets: String,
}

/// A stage of a campaign.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Stage {
    /// Name (动员部署, 企业自查, …).
    pub name: String,
    /// First day.
    pub start: String,
    /// Last day.
    pub end: String,
}

/// A region's progress in a campaign.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct RegionProgress {
    /// Region code (`total` for the sum).
    pub region_code: String,
    /// Distinct enterprises with a hazard found.
    pub enterprises: i64,
    /// Hazards found.
    pub found: i64,
    /// Major hazards found.
    pub found_major: i64,
    /// Hazards rectified (verified or closed).
    pub rectified: i64,
    /// Major hazards rectified.
    pub rectified_major: i64,
    /// Rectified / found, in per cent (one decimal), or null when nothing was found.
    pub rate_percent: Option<f64>,
    /// Open major hazards past their deadline today.
    pub overdue_major: i64,
    /// Hazards listed for supervision.
    pub listed: i64,
    /// Found and rectified by source.
    #[schema(value_type = Object)]
    pub by_source: BTreeMap<String, (i64, i64)>,
}

/// Rectified over found in per cent, one decimal; `None` when nothing was found.
pub fn rate(rectified: i64, found: i64) -> Option<f64> {
    (found > 0).then(|| (rectified as f64 * 1000.0 / found as f64).round() / 10.0)
}

fn stages(text: &str) -> Result<Vec<Stage>, ServiceError> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| {
            let parts: Vec<&str> = l.split([',', '，']).map(str::trim).collect();
            match parts.as_slice() {
                [name, start, end]
                    if start.parse::<jiff::civil::Date>().is_ok() && end.parse::<jiff::civil::Date>().is_ok() =>
                {
                    Ok(Stage { name: (*name).to_owned(), start: (*start).to_owned(), end: (*end).to_owned() })
                }
                _ => Err(invalid("stages", format!("'{l}' is not 'name,YYYY-MM-DD,YYYY-MM-DD'"))),
            }
        })
        .collect()
}

impl App {
    /// Creates a campaign run by the caller's city.
    pub async fn create_campaign(&self, actor: &Actor, input: &CampaignInput) -> Result<String, ServiceError> {
        let p =
            actor.principal.as_ref().filter(|p| p.can(Permission::ManageCampaigns)).ok_or(ServiceError::Forbidden)?;
        let name = input.name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            return Err(invalid("name", "give a name of 1-200 characters"));
        }
        let start: jiff::civil::Date = input.start_date.parse().map_err(|_| invalid("start_date", "use YYYY-MM-DD"))?;
        let end: jiff::civil::Date = input.end_date.parse().map_err(|_| invalid("end_date", "use YYYY-MM-DD"))?;
        if end < start {
            return Err(invalid("end_date", "is before the start"));
        }
        if let Some(r) = input.regions.iter().find(|r| !p.governs(r)) {
            return Err(invalid("regions", format!("{r} is outside your jurisdiction")));
        }
        let c = Campaign {
            id: String::new(),
            region_code: p.region.to_string(),
            name: name.to_owned(),
            regions: serde_json::to_string(&input.regions).unwrap_or_default(),
            sectors: serde_json::to_string(&input.sectors).unwrap_or_default(),
            start_date: start.to_string(),
            end_date: end.to_string(),
            stages: serde_json::to_string(&stages(&input.stages)?).unwrap_or_default(),
            targets: input.targets.trim().chars().take(2000).collect(),
            created_by: p.username.clone(),
            version: 1,
        };
        let mut tx = self.db.begin().await?;
        let id = store::campaign::create(&mut tx, &c, self.now_ms()).await?;
        self.audit(&mut tx, actor, None, "campaign.create", ("campaign", &id), "ok", json!({"name": c.name})).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Campaigns the caller may follow: those of regions in scope and those covering the
    /// caller's own region.
    pub async fn list_campaigns(&self, p: &Principal) -> Result<Vec<Campaign>, ServiceError> {
        if !p.can(Permission::ViewCampaigns) {
            return Err(ServiceError::Forbidden);
        }
        Ok(store::campaign::list(&self.db, &p.scope(), p.region.as_str()).await?)
    }

    /// One campaign, if the caller may follow it.
    pub async fn get_campaign(&self, p: &Principal, id: &str) -> Result<Campaign, ServiceError> {
        self.list_campaigns(p).await?.into_iter().find(|c| c.id == id).ok_or(ServiceError::NotFound)
    }

    /// The campaign's progress per region in the caller's scope, and the total.
    pub async fn campaign_progress(
        &self,
        p: &Principal,
        id: &str,
    ) -> Result<(Campaign, Vec<RegionProgress>), ServiceError> {
        let c = self.get_campaign(p, id).await?;
        let (scope, today) = (p.scope(), self.today().to_string());
        // Side by side: two reads of the same index.
        let (rows, covered) = tokio::try_join!(
            store::campaign::progress(&self.db, &scope, &c.id, &today),
            store::campaign::enterprises_covered(&self.db, &scope, &c.id)
        )?;
        let covered: BTreeMap<String, i64> = covered.into_iter().collect();
        let mut by_region: BTreeMap<String, RegionProgress> = BTreeMap::new();
        let mut total = RegionProgress { region_code: "total".into(), ..Default::default() };
        for r in rows {
            let major = r.grade == "major";
            for acc in [
                by_region
                    .entry(r.region_code.clone())
                    .or_insert_with(|| RegionProgress { region_code: r.region_code.clone(), ..Default::default() }),
                &mut total,
            ] {
                acc.found += r.found;
                acc.rectified += r.rectified;
                acc.listed += r.listed;
                if major {
                    acc.found_major += r.found;
                    acc.rectified_major += r.rectified;
                    acc.overdue_major += r.overdue;
                }
                let s = acc.by_source.entry(r.source.clone()).or_default();
                s.0 += r.found;
                s.1 += r.rectified;
            }
        }
        let mut out: Vec<RegionProgress> = by_region.into_values().collect();
        for r in &mut out {
            r.enterprises = covered.get(&r.region_code).copied().unwrap_or(0);
            r.rate_percent = rate(r.rectified, r.found);
        }
        total.enterprises = covered.values().sum();
        total.rate_percent = rate(total.rectified, total.found);
        out.push(total);
        Ok((c, out))
    }

    /// The campaign a hazard found today at this enterprise belongs to, if one covers it.
    pub async fn campaign_for(&self, region_code: &str, sector: &str) -> Result<Option<String>, ServiceError> {
        let today = self.today().to_string();
        let campaigns = store::campaign::list(&self.db, &domain::access::Scope::Nothing, region_code).await?;
        Ok(campaigns
            .into_iter()
            .filter(|c| c.start_date <= today && today <= c.end_date && region_code.starts_with(&c.region_code[..4]))
            .find(|c| {
                let regions: Vec<String> = serde_json::from_str(&c.regions).unwrap_or_default();
                let sectors: Vec<String> = serde_json::from_str(&c.sectors).unwrap_or_default();
                (regions.is_empty() || regions.iter().any(|r| r == region_code))
                    && (sectors.is_empty() || sectors.iter().any(|s| s == sector))
            })
            .map(|c| c.id))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn rates_have_one_decimal_and_none_without_hazards() {
        assert_eq!(super::rate(362, 452), Some(80.1));
        assert_eq!(super::rate(0, 0), None);
        assert_eq!(super::rate(3, 3), Some(100.0));
    }

    #[test]
    fn stages_are_lines_of_name_and_dates() {
        let s = super::stages("动员部署,2023-04-01,2023-04-30\n企业自查，2023-05-01，2023-06-30\n").unwrap();
        assert_eq!(s.len(), 2);
        assert_eq!(s[1].name, "企业自查");
        assert!(super::stages("bad line").is_err());
    }
}
