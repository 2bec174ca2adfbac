//! The registers of the generated province: enterprises spread over the county-level regions
//! with a skew (a seeded shuffle of the regions, the k-th largest holding about 1/k^0.8 of
//! the weight), and officers spread the same way, every county with at least three. Both go
//! through the register import, as an operator's files would.

use super::{Progress, Spec};
use crate::import::Limits;
use crate::service::registers::ImportOptions;
use crate::service::{Actor, App};
use domain::region::{Region, RegionLevel};
use domain::register_row::RegisterKind;
use std::collections::HashMap;

/// An enterprise as the generator uses it: `(id, region, credit code, name, sector)`.
pub type Enterprise = (String, String, String, String, String);

/// The loaded registers.
pub struct Register {
    /// Every enterprise, ordered by region and credit code.
    pub enterprises: Vec<Enterprise>,
    /// Index into `enterprises` by credit code (the draws name enterprises by it).
    pub by_code: HashMap<String, usize>,
    /// Badge numbers of the officers of each region (county, city and province offices).
    pub badges: HashMap<String, Vec<String>>,
    /// Officers imported.
    pub officers: usize,
    /// The cities, each with its county-level regions.
    pub cities: Vec<(Region, Vec<String>)>,
}

impl Register {
    /// Two officers of `region` (falling back to its city's), picked by `r`.
    pub fn team(&self, region: &str, r: u64) -> Vec<String> {
        let own = self.badges.get(region).filter(|b| b.len() >= 2);
        let list = own.or_else(|| self.badges.get(&format!("{}00", &region[..4]))).map(Vec::as_slice).unwrap_or(&[]);
        if list.len() < 2 {
            return list.to_vec();
        }
        let first = (r % list.len() as u64) as usize;
        let second = (first + 1 + ((r >> 20) % (list.len() as u64 - 1)) as usize) % list.len();
        vec![list[first].clone(), list[second].clone()]
    }
}

const SECTORS: [(&str, u64); 8] = [
    ("commerce-trade", 30),
    ("machinery", 18),
    ("construction", 14),
    ("building-materials", 9),
    ("road-transport", 9),
    ("chemicals", 8),
    ("light-industry", 8),
    ("metallurgy", 4),
];
const RISKS: [(&str, u64); 4] = [("major", 2), ("high", 8), ("general", 30), ("low", 60)];

/// Picks from `(item, weight)` pairs.
pub fn weighted<'a>(choices: &[(&'a str, u64)], r: u64) -> &'a str {
    let total: u64 = choices.iter().map(|c| c.1).sum();
    let mut x = r % total;
    for (item, w) in choices {
        if x < *w {
            return item;
        }
        x -= w;
    }
    choices[0].0
}

/// `total` split over `weights` in proportion, the largest remainders rounded up.
fn apportion(total: usize, weights: &[f64]) -> Vec<usize> {
    let sum: f64 = weights.iter().sum();
    let exact: Vec<f64> = weights.iter().map(|w| total as f64 * w / sum).collect();
    let mut counts: Vec<usize> = exact.iter().map(|x| x.floor() as usize).collect();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(|a, b| (exact[*b] - counts[*b] as f64).total_cmp(&(exact[*a] - counts[*a] as f64)).then(a.cmp(b)));
    let short = total - counts.iter().sum::<usize>();
    for i in order.into_iter().take(short) {
        counts[i] += 1;
    }
    counts
}

/// Imports the registers of `spec` and reads back what the other records need.
pub async fn load(app: &App, spec: &Spec, progress: Progress<'_>) -> anyhow::Result<Register> {
    let regions = crate::refdata::regions()?;
    let counties: Vec<Region> =
        regions.iter().filter(|r| matches!(r.level, RegionLevel::County | RegionLevel::DevZone)).cloned().collect();
    let cities: Vec<(Region, Vec<String>)> = regions
        .iter()
        .filter(|r| r.level == RegionLevel::City)
        .map(|c| {
            let under = counties.iter().filter(|k| k.parent.as_ref() == Some(&c.code)).map(|k| k.code.to_string());
            (c.clone(), under.collect())
        })
        .collect();
    let mut rng = crate::demo::SplitMix(spec.seed ^ 0x5245_4749_5354_4552);
    // The skew: a seeded order of the counties, the k-th getting weight 1/k^0.8.
    let mut rank: Vec<usize> = (0..counties.len()).collect();
    for i in (1..rank.len()).rev() {
        rank.swap(i, rng.below(i as u64 + 1) as usize);
    }
    let weights: Vec<f64> = rank.iter().map(|k| 1.0 / ((*k + 1) as f64).powf(0.8)).collect();
    let per_county = apportion(spec.enterprises(), &weights);

    let mut csv = String::with_capacity(spec.enterprises() * 110);
    csv.push_str("credit_code,name,region_code,sector,risk_level,address\n");
    for (county, n) in counties.iter().zip(&per_county) {
        for k in 0..*n as u32 {
            let code = crate::demo::demo_credit_code(county.code.as_str(), k);
            let sector = weighted(&SECTORS, rng.next());
            let risk = weighted(&RISKS, rng.next());
            let name = &county.name_zh;
            csv.push_str(&format!("{code},{name}生成企业{k}号,{},{sector},{risk},{name}工业路{k}号\n", county.code));
        }
    }
    let options = ImportOptions { skip_bad: false, limits: Limits::CLI };
    let total = spec.enterprises() as u64;
    progress("enterprises", 0, total);
    let report = app
        .import_register(
            &Actor::cli(),
            RegisterKind::Enterprises,
            "generated-enterprises.csv",
            csv.as_bytes(),
            options,
            &|done| progress("enterprises", done, total),
        )
        .await?;
    anyhow::ensure!(report.written, "the generated register did not import: {:?}", report.errors.first());
    drop(csv);

    // Officers: three in each county, then a tenth of the others at the province and city
    // offices and the rest over the counties by the same weights as the enterprises.
    let officers = spec.officers(counties.len());
    let floor = 3 * counties.len();
    let upper = (officers - floor) / 10;
    let mut per_region: Vec<(String, usize)> = Vec::new();
    per_region.push(("340000".into(), upper - upper * 16 / 20));
    for ((city, _), n) in cities.iter().zip(apportion(upper * 16 / 20, &[1.0; 16])) {
        per_region.push((city.code.to_string(), n));
    }
    for (county, n) in counties.iter().zip(apportion(officers - upper - floor, &weights)) {
        per_region.push((county.code.to_string(), n + 3));
    }
    let mut csv = String::from("badge_no,name,unit,department,region_code,cert_valid_until\n");
    let mut badges: HashMap<String, Vec<String>> = HashMap::new();
    let mut i = 0;
    for (region, n) in &per_region {
        for _ in 0..*n {
            let badge = format!("AH-G{i:05}");
            csv.push_str(&format!("{badge},执法人员{i},{region}应急管理局,emergency,{region},2099-12-31\n"));
            badges.entry(region.clone()).or_default().push(badge);
            i += 1;
        }
    }
    progress("officers", 0, i as u64);
    let report = app
        .import_register(
            &Actor::cli(),
            RegisterKind::Officers,
            "generated-officers.csv",
            csv.as_bytes(),
            options,
            &|_| {},
        )
        .await?;
    anyhow::ensure!(report.written, "the generated officers did not import: {:?}", report.errors.first());

    let enterprises = store::enterprise::all_keys(&app.db).await?;
    let by_code = enterprises.iter().enumerate().map(|(i, e)| (e.2.clone(), i)).collect();
    Ok(Register { enterprises, by_code, badges, officers: i, cities })
}

#[cfg(test)]
mod tests {
    #[test]
    fn apportioning_keeps_the_total_and_the_order_of_weights() {
        let counts = super::apportion(1000, &[1.0, 0.5, 0.25, 0.25]);
        assert_eq!(counts.iter().sum::<usize>(), 1000);
        assert_eq!(counts, vec![500, 250, 125, 125]);
        let counts = super::apportion(7, &[1.0; 3]);
        assert_eq!(counts, vec![3, 2, 2]);
    }
}
