//! Reference registers shipped with the product: regions, departments and sectors.
//!
//! They are synchronised from the product's data files at every start (upsert), so a new
//! release can add a region or a sector; nothing is ever removed, because old records keep
//! pointing at retired codes.

use crate::sql::query;
use crate::{Db, Result, Tx};
use domain::region::{Region, RegionCode, RegionLevel};
use domain::register_row::Reference;

/// A department (应急管理, 公安, …).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Department {
    /// Code.
    pub code: String,
    /// Chinese name.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
}

/// An industry sector and the department that regulates it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Sector {
    /// Code.
    pub code: String,
    /// Chinese name.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
    /// Regulating department's code.
    pub department: String,
}

/// Upserts the reference registers.
pub async fn sync(tx: &mut Tx, regions: &[Region], departments: &[Department], sectors: &[Sector]) -> Result<()> {
    for r in regions {
        query(
            "INSERT INTO region (code, parent, level, name_zh, name_en) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (code) DO UPDATE SET parent = excluded.parent, level = excluded.level,
             name_zh = excluded.name_zh, name_en = excluded.name_en",
        )
        .bind(r.code.as_str())
        .bind(r.parent.as_ref().map(|p| p.as_str()))
        .bind(r.level.as_str())
        .bind(&r.name_zh)
        .bind(&r.name_en)
        .execute(tx.ex())
        .await?;
    }
    for d in departments {
        query(
            "INSERT INTO department (code, name_zh, name_en) VALUES ($1, $2, $3)
             ON CONFLICT (code) DO UPDATE SET name_zh = excluded.name_zh, name_en = excluded.name_en",
        )
        .bind(&d.code)
        .bind(&d.name_zh)
        .bind(&d.name_en)
        .execute(tx.ex())
        .await?;
    }
    for s in sectors {
        query(
            "INSERT INTO sector (code, name_zh, name_en, department) VALUES ($1, $2, $3, $4)
             ON CONFLICT (code) DO UPDATE SET name_zh = excluded.name_zh, name_en = excluded.name_en,
             department = excluded.department",
        )
        .bind(&s.code)
        .bind(&s.name_zh)
        .bind(&s.name_en)
        .bind(&s.department)
        .execute(tx.ex())
        .await?;
    }
    Ok(())
}

/// Every region, ordered by code.
pub async fn regions(db: &Db) -> Result<Vec<Region>> {
    let rows =
        query("SELECT code, parent, level, name_zh, name_en FROM region ORDER BY code").fetch_all(db.reader()).await?;
    rows.iter()
        .map(|r| {
            let bad = |what: &str| crate::StoreError::Corrupt(format!("region {what}"));
            Ok(Region {
                code: RegionCode::parse(&r.text("code")?).map_err(|_| bad("code"))?,
                parent: r.opt_text("parent")?.and_then(|p| RegionCode::parse(&p).ok()),
                level: RegionLevel::parse(&r.text("level")?).ok_or_else(|| bad("level"))?,
                name_zh: r.text("name_zh")?,
                name_en: r.text("name_en")?,
            })
        })
        .collect()
}

/// Every department, ordered by code.
pub async fn departments(db: &Db) -> Result<Vec<Department>> {
    let rows = query("SELECT code, name_zh, name_en FROM department ORDER BY code").fetch_all(db.reader()).await?;
    rows.iter()
        .map(|r| Ok(Department { code: r.text("code")?, name_zh: r.text("name_zh")?, name_en: r.text("name_en")? }))
        .collect()
}

/// Every sector, ordered by code.
pub async fn sectors(db: &Db) -> Result<Vec<Sector>> {
    let rows =
        query("SELECT code, name_zh, name_en, department FROM sector ORDER BY code").fetch_all(db.reader()).await?;
    rows.iter()
        .map(|r| {
            Ok(Sector {
                code: r.text("code")?,
                name_zh: r.text("name_zh")?,
                name_en: r.text("name_en")?,
                department: r.text("department")?,
            })
        })
        .collect()
}

/// The lookup tables that imported rows are checked against.
pub async fn load_reference(db: &Db) -> Result<Reference> {
    let mut reference = Reference {
        regions: regions(db).await?.into_iter().map(|r| r.code.as_str().to_owned()).collect(),
        ..Default::default()
    };
    for s in sectors(db).await? {
        for key in [&s.code, &s.name_zh, &s.name_en] {
            reference.sectors.insert(key.to_lowercase(), s.code.clone());
        }
    }
    for d in departments(db).await? {
        for key in [&d.code, &d.name_zh, &d.name_en] {
            reference.departments.insert(key.to_lowercase(), d.code.clone());
        }
    }
    Ok(reference)
}
