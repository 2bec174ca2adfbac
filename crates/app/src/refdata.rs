//! The reference data files shipped inside the binary (`data/` at the repository root) and
//! their synchronisation into the database at start-up.

use anyhow::Context;
use domain::region::{Region, RegionCode, RegionLevel};
use std::collections::HashMap;
use std::sync::LazyLock;
use store::Db;
use store::reference::{Department, Sector};

const REGIONS_CSV: &str = include_str!("../../../data/regions-anhui.csv");
const DEPARTMENTS_CSV: &str = include_str!("../../../data/departments.csv");
const SECTORS_CSV: &str = include_str!("../../../data/sectors.csv");
const CRITERIA_CSV: &str = include_str!("../../../data/major-hazard-criteria.csv");
const CALENDAR_CSV: &str = include_str!("../../../data/calendar-cn.csv");
const ARTICLES_CSV: &str = include_str!("../../../data/work-safety-law-articles.csv");

/// The official working-day calendar shipped with the product.
pub static CALENDAR: LazyLock<domain::calendar::WorkCalendar> =
    LazyLock::new(|| domain::calendar::WorkCalendar::parse(CALENDAR_CSV).expect("embedded calendar parses"));

/// An article of the Work Safety Law a penalty decision can cite.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Article {
    /// Code used in records (`wsl-102`).
    pub code: String,
    /// 第一百零二条.
    pub article: String,
    /// Subject (Chinese summary).
    pub title_zh: String,
    /// Subject (English summary).
    pub title_en: String,
}

/// The Work Safety Law articles shipped with the product.
pub static ARTICLES: LazyLock<Vec<Article>> = LazyLock::new(|| {
    records(ARTICLES_CSV)
        .expect("embedded articles parse")
        .iter()
        .map(|r| Article {
            code: r[0].to_owned(),
            article: r[1].to_owned(),
            title_zh: r[2].to_owned(),
            title_en: r[3].to_owned(),
        })
        .collect()
});

/// A national criterion for determining major accident hazards.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Criterion {
    /// Id used in records (`industry-trade`).
    pub id: String,
    /// Sector, Chinese.
    pub sector_zh: String,
    /// Sector, English.
    pub sector_en: String,
    /// Title (Chinese).
    pub title_zh: String,
    /// Document number (应急管理部令第10号, GB 35181-2017, …).
    pub document_no: String,
    /// Effective date, where confirmed.
    pub effective: String,
    /// Caveat (e.g. "title to verify").
    pub note: String,
}

/// The major-hazard criteria shipped with the product.
pub fn criteria() -> anyhow::Result<Vec<Criterion>> {
    Ok(records(CRITERIA_CSV)?
        .iter()
        .map(|r| Criterion {
            id: r[0].to_owned(),
            sector_zh: r[1].to_owned(),
            sector_en: r[2].to_owned(),
            title_zh: r[3].to_owned(),
            document_no: r[4].to_owned(),
            effective: r[5].to_owned(),
            note: r[6].to_owned(),
        })
        .collect())
}

fn records(text: &str) -> anyhow::Result<Vec<csv::StringRecord>> {
    csv::Reader::from_reader(text.as_bytes()).records().collect::<Result<_, _>>().context("reading embedded data")
}

/// The regions shipped with the product.
pub fn regions() -> anyhow::Result<Vec<Region>> {
    records(REGIONS_CSV)?
        .iter()
        .map(|r| {
            Ok(Region {
                code: RegionCode::parse(&r[0])?,
                parent: if r[1].is_empty() { None } else { Some(RegionCode::parse(&r[1])?) },
                level: RegionLevel::parse(&r[2]).with_context(|| format!("region level {}", &r[2]))?,
                name_zh: r[3].to_owned(),
                name_en: r[4].to_owned(),
            })
        })
        .collect()
}

/// The departments shipped with the product.
pub fn departments() -> anyhow::Result<Vec<Department>> {
    Ok(records(DEPARTMENTS_CSV)?
        .iter()
        .map(|r| Department { code: r[0].to_owned(), name_zh: r[1].to_owned(), name_en: r[2].to_owned() })
        .collect())
}

/// The sectors shipped with the product.
pub fn sectors() -> anyhow::Result<Vec<Sector>> {
    Ok(records(SECTORS_CSV)?
        .iter()
        .map(|r| Sector {
            code: r[0].to_owned(),
            name_zh: r[1].to_owned(),
            name_en: r[2].to_owned(),
            department: r[3].to_owned(),
        })
        .collect())
}

/// The shipped regions, by code (for names in lists).
pub static REGIONS: LazyLock<Vec<Region>> = LazyLock::new(|| regions().expect("embedded regions parse"));
/// The shipped regions by code.
pub static REGION_BY_CODE: LazyLock<HashMap<String, Region>> =
    LazyLock::new(|| REGIONS.iter().map(|r| (r.code.as_str().to_owned(), r.clone())).collect());
/// The shipped sectors.
pub static SECTORS: LazyLock<Vec<store::reference::Sector>> =
    LazyLock::new(|| sectors().expect("embedded sectors parse"));
/// The shipped departments.
pub static DEPARTMENTS: LazyLock<Vec<store::reference::Department>> =
    LazyLock::new(|| departments().expect("embedded departments parse"));

/// Upserts the shipped reference data (idempotent; run at every start).
pub async fn sync(db: &Db) -> anyhow::Result<()> {
    let mut tx = db.begin().await?;
    store::reference::sync(&mut tx, &regions()?, &departments()?, &sectors()?).await?;
    tx.commit().await?;
    Ok(())
}

const SCHEME_TOML: &str = include_str!("../../../data/evaluation-scheme.toml");

/// The figure names an evaluation formula may use: every figure of a region for the period,
/// and the previous period's accidents and deaths.
pub static FIGURE_NAMES: LazyLock<Vec<String>> = LazyLock::new(|| {
    let mut names: Vec<String> = match serde_json::to_value(store::figures::RegionFigures::default()) {
        Ok(serde_json::Value::Object(m)) => m.keys().cloned().collect(),
        _ => vec![],
    };
    names.extend(["prev_accidents".to_owned(), "prev_deaths".to_owned()]);
    names
});

/// Parses and checks an evaluation scheme (TOML).
pub fn parse_scheme(text: &str) -> anyhow::Result<domain::evaluation::Scheme> {
    let scheme: domain::evaluation::Scheme = toml::from_str(text)?;
    scheme.check(&FIGURE_NAMES.iter().map(String::as_str).collect::<Vec<_>>())?;
    Ok(scheme)
}

/// The scheme shipped with the product.
pub static DEFAULT_SCHEME: LazyLock<domain::evaluation::Scheme> =
    LazyLock::new(|| parse_scheme(SCHEME_TOML).expect("the shipped evaluation scheme is valid"));

#[cfg(test)]
mod tests {
    #[test]
    fn shipped_data_parses_and_covers_anhui() {
        let regions = super::regions().unwrap();
        assert_eq!(regions.iter().filter(|r| r.level == domain::region::RegionLevel::City).count(), 16);
        assert!(regions.iter().any(|r| r.code.as_str() == "341522" && r.name_zh == "霍邱县"));
        assert!(super::sectors().unwrap().len() >= 10);
        assert!(super::departments().unwrap().iter().any(|d| d.code == "fire"));
        let criteria = super::criteria().unwrap();
        assert!(criteria.iter().any(|c| c.id == "industry-trade" && c.document_no == "应急管理部令第10号"));
        assert!(criteria.iter().any(|c| c.id == "fire" && c.document_no == "GB 35181-2017"));
    }

    #[test]
    fn the_shipped_scheme_is_valid_and_weighs_100_points() {
        let s = &*super::DEFAULT_SCHEME;
        assert_eq!(s.indicators.len(), 8);
        assert_eq!(s.indicators.iter().map(|i| i.weight).sum::<f64>(), 100.0);
        assert!(super::parse_scheme("version = 'x'\nvalid_from = '2023-01-01'\n[[indicator]]\nid = 'a'\nname_zh = 'a'\nname_en = 'a'\nformula = 'nope'\ndirection = 'higher'\nweight = 1.0\nnormalise = 'share_of_best'\n[[band]]\nmin = 0.0\ngrade = 'fail'\n").is_err());
    }
}
