//! Focused guidance (督导, BRIEF §3): which counties a city sends a multi-department guidance
//! group to, and what such a group must be made of.
//!
//! A county is flagged when its **situation is unstable** (accidents or deaths in the quarter
//! above the previous quarter, or above its control target) or its **campaign progress lags**
//! (major-hazard rectification rate, overdue major hazards, or spot-check coverage worse than
//! the city's own figure by more than a margin). Every flag carries the numbers that fired it.
//! Rates are integers in basis points (1/100 of a percent), so results are exact.

/// The figures of one region (a county, or the whole city) the rules look at.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Figures {
    /// Accidents in the quarter.
    pub accidents: i64,
    /// Deaths in the quarter.
    pub deaths: i64,
    /// Accidents in the previous quarter.
    pub prev_accidents: i64,
    /// Deaths in the previous quarter.
    pub prev_deaths: i64,
    /// Major hazards found this year up to the quarter's end.
    pub major_found: i64,
    /// Of those, verified or closed.
    pub major_rectified: i64,
    /// Major hazards open past their deadline today.
    pub major_overdue: i64,
    /// Active enterprises in the register.
    pub enterprises: i64,
    /// Distinct enterprises inspected this year up to the quarter's end.
    pub inspected: i64,
}

/// A county's control targets for a quarter (none: that rule does not apply).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Targets {
    /// Most accidents allowed in a quarter.
    pub max_accidents: Option<i64>,
    /// Most deaths allowed in a quarter.
    pub max_deaths: Option<i64>,
}

/// Which rule fired.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// More accidents than the previous quarter.
    AccidentsRose,
    /// More deaths than the previous quarter.
    DeathsRose,
    /// More accidents than the control target.
    AccidentsAboveTarget,
    /// More deaths than the control target.
    DeathsAboveTarget,
    /// Major-hazard rectification rate below the city's by more than the margin.
    RectificationLags,
    /// Share of major hazards overdue above the city's by more than the margin.
    OverdueLags,
    /// Spot-check coverage of the register below the city's by more than the margin.
    CoverageLags,
}

names!(Rule, AccidentsRose => "accidents_rose", DeathsRose => "deaths_rose", AccidentsAboveTarget => "accidents_above_target",
    DeathsAboveTarget => "deaths_above_target", RectificationLags => "rectification_lags", OverdueLags => "overdue_lags",
    CoverageLags => "coverage_lags");

/// Whether a rule is about the safety situation (else about campaign progress).
impl Rule {
    /// True for the "situation unstable" rules.
    pub fn is_situation(self) -> bool {
        matches!(self, Self::AccidentsRose | Self::DeathsRose | Self::AccidentsAboveTarget | Self::DeathsAboveTarget)
    }
}

/// One fired rule with its numbers: the county's value and what it was compared with (a count,
/// or a rate in basis points for the progress rules).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Flag {
    /// The rule.
    pub rule: Rule,
    /// The county's value.
    pub value: i64,
    /// The previous quarter's value, the target, or the city's rate.
    pub compared_with: i64,
}

/// `n / d` in basis points, rounded down; `None` when there is nothing to divide by.
pub fn rate_bp(n: i64, d: i64) -> Option<i64> {
    (d > 0).then(|| n * 10_000 / d)
}

/// The default margin: 10 percentage points.
pub const DEFAULT_MARGIN_BP: i64 = 1_000;

/// The flags of a county against its city and its targets. A rate the county or the city has
/// no basis for (no major hazards, no enterprises) does not fire.
pub fn assess(county: &Figures, city: &Figures, targets: &Targets, margin_bp: i64) -> Vec<Flag> {
    let mut flags = Vec::new();
    let mut fire = |rule, value, compared_with, fired: bool| {
        if fired {
            flags.push(Flag { rule, value, compared_with });
        }
    };
    fire(Rule::AccidentsRose, county.accidents, county.prev_accidents, county.accidents > county.prev_accidents);
    fire(Rule::DeathsRose, county.deaths, county.prev_deaths, county.deaths > county.prev_deaths);
    if let Some(max) = targets.max_accidents {
        fire(Rule::AccidentsAboveTarget, county.accidents, max, county.accidents > max);
    }
    if let Some(max) = targets.max_deaths {
        fire(Rule::DeathsAboveTarget, county.deaths, max, county.deaths > max);
    }
    let pair = |f: fn(&Figures) -> Option<i64>| f(county).zip(f(city));
    if let Some((c, m)) = pair(|f| rate_bp(f.major_rectified, f.major_found)) {
        fire(Rule::RectificationLags, c, m, c < m - margin_bp);
    }
    if let Some((c, m)) = pair(|f| rate_bp(f.major_overdue, f.major_found)) {
        fire(Rule::OverdueLags, c, m, c > m + margin_bp);
    }
    if let Some((c, m)) = pair(|f| rate_bp(f.inspected, f.enterprises)) {
        fire(Rule::CoverageLags, c, m, c < m - margin_bp);
    }
    flags
}

/// The departments every guidance group must include at least one member from (BRIEF §3).
pub const REQUIRED_DEPARTMENTS: [&str; 5] = ["public-security", "housing", "transport", "emergency", "fire"];

/// The required departments a group made of members from `departments` lacks (empty: valid).
pub fn missing_departments<'a>(departments: impl IntoIterator<Item = &'a str>) -> Vec<&'static str> {
    let present: Vec<&str> = departments.into_iter().collect();
    REQUIRED_DEPARTMENTS.into_iter().filter(|d| !present.contains(d)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn city() -> Figures {
        Figures {
            accidents: 10,
            deaths: 4,
            prev_accidents: 12,
            prev_deaths: 5,
            major_found: 100,
            major_rectified: 80,
            major_overdue: 10,
            enterprises: 2_000,
            inspected: 400,
        }
    }

    #[test]
    fn a_steady_county_close_to_the_city_is_not_flagged() {
        let county = Figures {
            accidents: 1,
            deaths: 0,
            prev_accidents: 2,
            prev_deaths: 1,
            major_found: 10,
            major_rectified: 8,
            major_overdue: 1,
            enterprises: 300,
            inspected: 55,
        };
        assert_eq!(assess(&county, &city(), &Targets::default(), DEFAULT_MARGIN_BP), vec![]);
    }

    #[test]
    fn each_rule_fires_with_its_numbers() {
        // Hand-computed: rectified 5/10 = 50.00 % vs city 80.00 % (margin 10 points: fires);
        // overdue 4/10 = 40.00 % vs 10.00 % (fires); coverage 20/300 = 6.66 % vs 20.00 % (fires).
        let county = Figures {
            accidents: 3,
            deaths: 2,
            prev_accidents: 1,
            prev_deaths: 2,
            major_found: 10,
            major_rectified: 5,
            major_overdue: 4,
            enterprises: 300,
            inspected: 20,
        };
        let targets = Targets { max_accidents: Some(2), max_deaths: Some(2) };
        let flags = assess(&county, &city(), &targets, DEFAULT_MARGIN_BP);
        assert_eq!(
            flags,
            vec![
                Flag { rule: Rule::AccidentsRose, value: 3, compared_with: 1 },
                Flag { rule: Rule::AccidentsAboveTarget, value: 3, compared_with: 2 },
                Flag { rule: Rule::RectificationLags, value: 5_000, compared_with: 8_000 },
                Flag { rule: Rule::OverdueLags, value: 4_000, compared_with: 1_000 },
                Flag { rule: Rule::CoverageLags, value: 666, compared_with: 2_000 },
            ]
        );
        assert!(flags[0].rule.is_situation() && !flags[2].rule.is_situation());
    }

    #[test]
    fn the_margin_is_exclusive_and_missing_bases_do_not_fire() {
        // 70.00 % against 80.00 % with a 10-point margin: exactly at the margin, not below it.
        let county = Figures { major_found: 10, major_rectified: 7, ..Default::default() };
        assert!(assess(&county, &city(), &Targets::default(), DEFAULT_MARGIN_BP).is_empty());
        let county = Figures { major_found: 10, major_rectified: 6, ..Default::default() };
        assert_eq!(assess(&county, &city(), &Targets::default(), DEFAULT_MARGIN_BP)[0].rule, Rule::RectificationLags);
        let empty = Figures::default();
        assert!(assess(&empty, &city(), &Targets::default(), DEFAULT_MARGIN_BP).is_empty(), "no basis, no flag");
    }

    #[test]
    fn a_group_needs_all_five_departments() {
        assert!(
            missing_departments(["public-security", "housing", "transport", "emergency", "fire", "market"]).is_empty()
        );
        assert_eq!(
            missing_departments(["emergency", "fire", "emergency"]),
            vec!["public-security", "housing", "transport"]
        );
    }
}
