//! Spot-check plans ("double random, one public"): how quotas turn into counts, and the
//! plan's life: draft → committed (inputs frozen, commitment published) → drawn (beacon
//! entered, secret revealed, result published). A committed plan never changes; a different
//! plan is a new plan.

use crate::enterprise::RiskLevel;

/// How many of a stratum to draw.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case", tag = "mode", content = "value")]
pub enum Quota {
    /// A share of the stratum in hundredths of a percent (500 = 5 %), rounded up.
    RateBasisPoints(u32),
    /// A fixed count; more than the stratum holds is refused when the plan is committed.
    Count(u32),
}

impl Quota {
    /// The count for a stratum of `size` candidates. Rates round up (a 5 % quota of 21
    /// enterprises is 2), so a non-zero rate always inspects someone in a non-empty stratum.
    pub fn count(self, size: usize) -> u64 {
        match self {
            Quota::RateBasisPoints(bp) => (size as u64 * u64::from(bp)).div_ceil(10_000),
            Quota::Count(n) => u64::from(n),
        }
    }

    /// Parses the form's text: `5%`, `5.5%` or `12` (a count).
    pub fn parse(text: &str) -> Option<Self> {
        let t = text.trim();
        if let Some(rate) = t.strip_suffix('%') {
            let (whole, frac) = rate.trim().split_once('.').unwrap_or((rate.trim(), ""));
            if frac.len() > 2 || !whole.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit())
            {
                return None;
            }
            let bp = whole.parse::<u32>().ok()? * 100 + format!("{frac:0<2}").parse::<u32>().ok()?;
            (bp <= 10_000).then_some(Quota::RateBasisPoints(bp))
        } else if t.is_empty() {
            None
        } else {
            t.parse::<u32>().ok().map(Quota::Count)
        }
    }

    /// The quota as the form shows it.
    pub fn display(self) -> String {
        match self {
            Quota::RateBasisPoints(bp) if bp % 100 == 0 => format!("{}%", bp / 100),
            Quota::RateBasisPoints(bp) => format!("{}.{:02}%", bp / 100, bp % 100),
            Quota::Count(n) => n.to_string(),
        }
    }
}

/// The smallest team: two officers (the law requires at least two for an inspection).
pub const MIN_TEAM_SIZE: i64 = 2;

/// Where a plan is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanStatus {
    /// Being prepared; can still change.
    Draft,
    /// Inputs frozen and commitment published; waiting for the beacon.
    Committed,
    /// Drawn and published.
    Drawn,
}

impl PlanStatus {
    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Committed => "committed",
            Self::Drawn => "drawn",
        }
    }

    /// Parses the stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "draft" => Self::Draft,
            "committed" => Self::Committed,
            "drawn" => Self::Drawn,
            _ => return None,
        })
    }
}

/// A step that is not allowed in the plan's current state.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a {from} plan cannot be {step}")]
pub struct PlanStepError {
    /// Current state.
    pub from: &'static str,
    /// The refused step.
    pub step: &'static str,
}

/// The next state after committing.
pub fn commit(from: PlanStatus) -> Result<PlanStatus, PlanStepError> {
    match from {
        PlanStatus::Draft => Ok(PlanStatus::Committed),
        other => Err(PlanStepError { from: other.as_str(), step: "committed" }),
    }
}

/// The next state after drawing.
pub fn draw(from: PlanStatus) -> Result<PlanStatus, PlanStepError> {
    match from {
        PlanStatus::Committed => Ok(PlanStatus::Drawn),
        other => Err(PlanStepError { from: other.as_str(), step: "drawn" }),
    }
}

/// Strata in the order quotas are processed (highest risk first, so the order is stable
/// and the most important strata come first in the published result).
pub const STRATA: [RiskLevel; 4] = crate::enterprise::RISK_LEVELS;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_round_up_and_counts_stay() {
        assert_eq!(Quota::RateBasisPoints(500).count(21), 2, "5 % of 21 is 1.05, rounded up");
        assert_eq!(Quota::RateBasisPoints(500).count(20), 1);
        assert_eq!(Quota::RateBasisPoints(3000).count(10), 3);
        assert_eq!(Quota::RateBasisPoints(300).count(1), 1, "any non-zero rate inspects someone");
        assert_eq!(Quota::RateBasisPoints(0).count(100), 0);
        assert_eq!(Quota::RateBasisPoints(500).count(0), 0);
        assert_eq!(Quota::Count(7).count(3), 7, "a count is not capped here: the draw refuses it");
    }

    #[test]
    fn the_form_text_parses_rates_and_counts() {
        assert_eq!(Quota::parse("5%"), Some(Quota::RateBasisPoints(500)));
        assert_eq!(Quota::parse(" 2.5 % "), Some(Quota::RateBasisPoints(250)));
        assert_eq!(Quota::parse("12"), Some(Quota::Count(12)));
        assert_eq!(Quota::parse("101%"), None);
        assert_eq!(Quota::parse("1.234%"), None);
        assert_eq!(Quota::parse("-3"), None);
        assert_eq!(Quota::parse(""), None);
        assert_eq!(Quota::RateBasisPoints(250).display(), "2.50%");
        assert_eq!(Quota::RateBasisPoints(3000).display(), "30%");
    }

    #[test]
    fn a_plan_moves_forward_only() {
        assert_eq!(commit(PlanStatus::Draft), Ok(PlanStatus::Committed));
        assert!(commit(PlanStatus::Committed).is_err());
        assert!(commit(PlanStatus::Drawn).is_err());
        assert_eq!(draw(PlanStatus::Committed), Ok(PlanStatus::Drawn));
        assert!(draw(PlanStatus::Draft).is_err());
        assert!(draw(PlanStatus::Drawn).is_err());
    }
}
