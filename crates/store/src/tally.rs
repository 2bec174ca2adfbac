//! The hazard tallies, kept in the transaction of every write of a hazard so that counts over
//! many hazards are sums of a few rows: `hazard_tally` (per region, status and grade: the
//! ledger's count, migration 0022) and `hazard_month_tally` (per region, month reported,
//! status and what the figures tell apart: the dashboard's and the evaluation's hazard
//! figures, migration 0024).
//!
//! On PostgreSQL a changed tally row stays locked until commit, so every transaction takes its
//! rows in one order — by region, then status, then `hazard_tally` before
//! `hazard_month_tally` — and two writes can wait for each other but never deadlock.

use crate::sql::query;
use crate::{Result, StoreError, Tx};
use domain::hazard::{Grade, Source};
use std::collections::BTreeMap;

/// What the tallies count a hazard under besides its status: all fixed once it is reported.
#[derive(Debug, Clone)]
pub(crate) struct Counted {
    region: String,
    grade: &'static str,
    /// Month reported (`domain::period::month_of_ms`).
    month: String,
    /// A major hazard found in a special action (the figures' major hazards).
    major_in_campaign: bool,
    /// Found by a cross-inspection.
    cross_inspection: bool,
}

impl Counted {
    /// How a hazard of `region`, `grade` and `source`, in `campaign` or not, reported at
    /// `reported_at` (ms), is counted.
    pub(crate) fn new(
        region: &str,
        grade: Grade,
        source: Source,
        campaign: Option<&str>,
        reported_at: i64,
    ) -> Result<Self> {
        let month = domain::period::month_of_ms(reported_at)
            .ok_or_else(|| StoreError::Corrupt(format!("report time {reported_at} is outside the calendar")))?;
        Ok(Self {
            region: region.to_owned(),
            grade: grade.as_str(),
            month,
            major_in_campaign: grade == Grade::Major && campaign.is_some(),
            cross_inspection: source == Source::CrossInspection,
        })
    }
}

/// Adds `delta` to the hazards counted under `c` in `status`: a report (+1), or one side of a
/// step (a step takes its two statuses in sorted order, see the module's note).
pub(crate) async fn add(tx: &mut Tx, c: &Counted, status: &str, delta: i64) -> Result<()> {
    by_status(tx, &c.region, status, c.grade, delta).await?;
    by_month(tx, &c.region, status, (&c.month, c.major_in_campaign, c.cross_inspection), delta).await
}

/// A row of one of the tallies, besides its region and status; `ByStatus` sorts first, as
/// the module's lock order wants.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
enum TallyRow {
    /// `hazard_tally`, by grade.
    ByStatus(&'static str),
    /// `hazard_month_tally`, by month, major in a special action, cross-inspection.
    ByMonth(String, bool, bool),
}

/// Adds many hazards at once (a migrated ledger): each tally row once, in the module's order.
pub(crate) async fn add_all(tx: &mut Tx, hazards: impl IntoIterator<Item = (Counted, &'static str)>) -> Result<()> {
    let mut rows: BTreeMap<(String, &'static str, TallyRow), i64> = BTreeMap::new();
    for (c, status) in hazards {
        *rows.entry((c.region.clone(), status, TallyRow::ByStatus(c.grade))).or_default() += 1;
        let by_month = TallyRow::ByMonth(c.month, c.major_in_campaign, c.cross_inspection);
        *rows.entry((c.region, status, by_month)).or_default() += 1;
    }
    for ((region, status, row), n) in rows {
        match row {
            TallyRow::ByStatus(grade) => by_status(tx, &region, status, grade, n).await?,
            TallyRow::ByMonth(month, major, cross) => by_month(tx, &region, status, (&month, major, cross), n).await?,
        }
    }
    Ok(())
}

/// `hazard_tally`: hazards of `region` in `status` and `grade`.
async fn by_status(tx: &mut Tx, region: &str, status: &str, grade: &str, n: i64) -> Result<()> {
    query(
        "INSERT INTO hazard_tally (region_code, status, grade, n) VALUES ($1, $2, $3, $4)
         ON CONFLICT (region_code, status, grade) DO UPDATE SET n = hazard_tally.n + $4",
    )
    .bind(region)
    .bind(status)
    .bind(grade)
    .bind(n)
    .execute(tx.ex())
    .await?;
    Ok(())
}

/// `hazard_month_tally`: hazards of `region` in `status` reported in a month, major in a
/// special action or not, from a cross-inspection or not.
async fn by_month(
    tx: &mut Tx,
    region: &str,
    status: &str,
    (month, major, cross): (&str, bool, bool),
    n: i64,
) -> Result<()> {
    query(
        "INSERT INTO hazard_month_tally (region_code, month, status, major_in_campaign, cross_inspection, n)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (region_code, month, status, major_in_campaign, cross_inspection)
         DO UPDATE SET n = hazard_month_tally.n + $6",
    )
    .bind(region)
    .bind(month)
    .bind(status)
    .bind(i64::from(major))
    .bind(i64::from(cross))
    .bind(n)
    .execute(tx.ex())
    .await?;
    Ok(())
}
