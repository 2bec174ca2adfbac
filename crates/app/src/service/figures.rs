//! The figures of BRIEF §9 for a region and a period (computed from the records), with the
//! breakdown by sub-region and a monthly trend: what the dashboard, `inspectorate figures` and
//! `GET /figures` show, and what the evaluation reads.

use super::{Actor, App, ServiceError, invalid};
use domain::access::Permission;
use domain::period::Period;
use domain::region::Region;
use store::figures::{RegionFigures, Span};

/// The figures of a region.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Figures {
    /// Region code.
    pub region: String,
    /// First day.
    pub from: String,
    /// Last day.
    pub to: String,
    /// The region's totals.
    pub total: RegionFigures,
    /// Each sub-region (cities of a province, counties of a city; a city's own records, such
    /// as its covert checks, under the city's code).
    pub by_region: Vec<(String, RegionFigures)>,
    /// Hazards found and rectified per month (`YYYY-MM`, found, rectified).
    pub monthly: Vec<(String, i64, i64)>,
}

/// The first instant of a day in China, in ms.
pub(crate) fn day_ms(d: jiff::civil::Date) -> Result<i64, ServiceError> {
    d.in_tz("Asia/Shanghai").map(|z| z.timestamp().as_millisecond()).map_err(|e| ServiceError::Other(e.into()))
}

fn span(from: jiff::civil::Date, to: jiff::civil::Date, today: jiff::civil::Date) -> Result<Span, ServiceError> {
    Ok(Span {
        from: from.to_string(),
        to: to.to_string(),
        from_ms: day_ms(from)?,
        to_end_ms: day_ms(to.tomorrow().map_err(|e| ServiceError::Other(e.into()))?)?,
        today: today.to_string(),
    })
}

/// A region's totals, each sub-region's figures, and the hazards found and rectified in each
/// span of a trend.
pub(crate) type ByChild = (RegionFigures, Vec<(String, RegionFigures)>, Vec<(i64, i64)>);

impl App {
    /// The totals of `region` for `period` and each sub-region's (no access check: callers
    /// check), with the trend over the spans between `edges` (ms; empty: none). A region's own
    /// records that belong to no sub-region (a city's covert checks) are listed under the
    /// region's own code.
    pub(crate) async fn figures_by_child(
        &self,
        region: &str,
        period: &Period,
        edges: &[i64],
    ) -> Result<ByChild, ServiceError> {
        let r: &Region =
            crate::refdata::REGION_BY_CODE.get(region).ok_or_else(|| invalid("region", "is not a region code"))?;
        let scope = domain::access::Scope::Region(r.prefix());
        let (per_region, trend) =
            store::figures::with_trend(&self.db, &scope, &span(period.from, period.to, self.today())?, edges).await?;
        let children: Vec<&Region> = crate::refdata::REGIONS
            .iter()
            .filter(|c| c.parent.as_ref().is_some_and(|x| x.as_str() == region))
            .collect();
        let mut total = RegionFigures::default();
        let mut by_region: Vec<(String, RegionFigures)> =
            children.iter().map(|c| (c.code.to_string(), RegionFigures::default())).collect();
        for (code, f) in &per_region {
            total.add(f);
            match children.iter().position(|c| c.prefix().contains(code)) {
                Some(i) => by_region[i].1.add(f),
                None => match by_region.iter_mut().find(|(c, _)| c == region) {
                    Some((_, own)) => own.add(f),
                    None => by_region.push((region.to_owned(), *f)),
                },
            }
        }
        Ok((total, by_region, trend))
    }

    /// The figures of `region` for `period`. Users see regions of their jurisdiction; the CLI
    /// operator any region.
    pub async fn figures(&self, actor: &Actor, region: &str, period: &Period) -> Result<Figures, ServiceError> {
        if let Some(p) = &actor.principal {
            if !p.can(Permission::ViewCampaigns) {
                return Err(ServiceError::Forbidden);
            }
            if !p.governs(region) {
                return Err(ServiceError::NotFound);
            }
        }
        // The months of the period (the first and last clipped to it), counted in the same
        // pass as the figures.
        let err = |e: jiff::Error| ServiceError::Other(e.into());
        let (mut labels, mut edges) = (Vec::new(), vec![day_ms(period.from)?]);
        let mut month = period.from.first_of_month();
        while month <= period.to {
            let next = month.checked_add(jiff::Span::new().months(1)).map_err(err)?;
            labels.push(month.strftime("%Y-%m").to_string());
            edges.push(day_ms(next.min(period.to.tomorrow().map_err(err)?))?);
            month = next;
        }
        let (total, by_region, counts) = self.figures_by_child(region, period, &edges).await?;
        let monthly = labels.into_iter().zip(counts).map(|(m, (found, rectified))| (m, found, rectified)).collect();
        Ok(Figures {
            region: region.to_owned(),
            from: period.from.to_string(),
            to: period.to.to_string(),
            total,
            by_region,
            monthly,
        })
    }
}
