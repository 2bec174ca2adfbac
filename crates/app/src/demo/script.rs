//! The numbers of the reference scenario (BRIEF §9): what happens in Lu'an and in the other
//! cities in each quarter of 2023. The driver (`scenario.rs`) turns them into work done through
//! the service layer; the figures and rankings are then computed from those records like any
//! others. Lu'an's rows add up to the reference figures:
//!
//! | figure | Q1 | Q2 | Q3 | Q4 | 2023 |
//! |---|---|---|---|---|---|
//! | major hazards found in the special action | 80 | 120 | 150 | 102 | 452 |
//! | of which closed (by the end of the year) | 80 | 120 | 150 | 12 | 362 |
//! | enterprises spot-checked (county plans + cross-inspection) | 3,600 | 1,400 | 8,400 + 280 | 6,592 | 20,272 |
//! | penalty decisions | 300 | 60 | 900 | 570 | 1,830 |
//! | covert inspections | 12 | 16 | 20 | 14 | 62 |
//! | covert-inspection problems handled (of found) | 56/56 | 72/72 | 98/98 | 56/70 | 282/296 |
//! | hazards found by cross-inspections | | | 321 | | 321 |
//!
//! Q2 is a bad quarter for Lu'an when the province ranks it in early July (many hazards still
//! open, three major ones overdue, few spot checks, more accidents than in Q1): 14th of 16.
//! In Q3 it closes everything it finds, checks the most, leads the cross-inspections and has
//! fewer accidents: 1st.

/// What becomes of a group of hazards (or covert-check problems) found in a quarter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fates {
    /// How many are found.
    pub total: u32,
    /// Closed before the province ranks the quarter (early in the next quarter).
    pub closed_by_ranking: u32,
    /// Closed later (within six weeks after the ranking).
    pub closed_later: u32,
    /// Of those closed later: how many are past their deadline on the day of the ranking.
    pub overdue_at_ranking: u32,
}

impl Fates {
    /// Never closed (still open in the demo's present).
    pub fn never_closed(&self) -> u32 {
        self.total - self.closed_by_ranking - self.closed_later
    }
}

const fn fates(total: u32, closed_by_ranking: u32, closed_later: u32, overdue_at_ranking: u32) -> Fates {
    Fates { total, closed_by_ranking, closed_later, overdue_at_ranking }
}

/// One quarter of one city.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quarter {
    /// Enterprises drawn by the county spot-check plans (every one is inspected).
    pub spot: u32,
    /// Major hazards found by those inspections.
    pub majors: Fates,
    /// General hazards found by those inspections.
    pub generals: Fates,
    /// Penalty decisions (each from an inspection whose outcome is a penalty case).
    pub decisions: u32,
    /// Deaths in each accident of the quarter.
    pub accidents: Vec<u32>,
    /// Covert inspections by the city office.
    pub covert_visits: u32,
    /// Problems found by them (the first of each visit is the enterprise's hazard, the others
    /// are handed over to the county that should have caught them).
    pub covert_problems: Fates,
    /// Enterprises each visiting team inspects in a cross-inspection round this quarter.
    pub cross_per_team: u32,
    /// Hazards found by the cross-inspections (all general, all closed by the ranking).
    pub cross_hazards: u32,
}

/// Lu'an, quarter by quarter.
pub fn luan() -> [Quarter; 4] {
    [
        Quarter {
            spot: 3_600,
            majors: fates(80, 70, 10, 0),
            generals: fates(250, 230, 20, 0),
            decisions: 300,
            accidents: vec![1, 0],
            covert_visits: 12,
            covert_problems: fates(56, 56, 0, 0),
            cross_per_team: 0,
            cross_hazards: 0,
        },
        Quarter {
            spot: 1_400,
            majors: fates(120, 72, 48, 3),
            generals: fates(200, 110, 90, 0),
            decisions: 60,
            accidents: vec![1, 1, 1, 1, 1, 0],
            covert_visits: 16,
            covert_problems: fates(72, 50, 22, 0),
            cross_per_team: 0,
            cross_hazards: 0,
        },
        Quarter {
            spot: 8_400,
            majors: fates(150, 150, 0, 0),
            generals: fates(400, 400, 0, 0),
            decisions: 900,
            accidents: vec![1, 0],
            covert_visits: 20,
            covert_problems: fates(98, 98, 0, 0),
            cross_per_team: 40,
            cross_hazards: 321,
        },
        Quarter {
            spot: 6_592,
            majors: fates(102, 12, 0, 0),
            generals: fates(350, 300, 0, 0),
            decisions: 570,
            accidents: vec![1, 1, 0],
            covert_visits: 14,
            covert_problems: fates(70, 56, 0, 0),
            cross_per_team: 0,
            cross_hazards: 0,
        },
    ]
}

/// The two cities that do worse than Lu'an in 2023Q2 (Bengbu and Huainan).
pub const WEAK_IN_Q2: [&str; 2] = ["340300", "340400"];

/// Another city's quarter, from a quality between 0 (bad) and 1 (excellent) drawn per city and
/// quarter from a fixed seed (0.45–0.95; 0 for the weak cities in Q2). Its register has 800
/// enterprises.
pub fn other(city: &str, quarter: usize) -> Quarter {
    let weak = quarter == 1 && WEAK_IN_Q2.contains(&city);
    let k = if weak {
        0.0
    } else {
        let mut rng = super::SplitMix(city.parse::<u64>().unwrap_or_default() * 10 + quarter as u64);
        0.45 + (rng.below(501) as f64) / 1000.0
    };
    let round = |x: f64| x.round() as u32;
    let spot = round(800.0 * (0.03 + 0.14 * k));
    let by = round(12.0 * (0.3 + 0.7 * k));
    let later = 12 - by;
    let overdue = round((1.0 - k) * 10.0).min(later);
    let general_by = round(12.0 * (0.4 + 0.6 * k));
    let seed = city[2..4].parse::<u32>().unwrap_or_default() + quarter as u32;
    let accidents = if weak {
        vec![1, 1, 1]
    } else {
        (0..1 + seed % 2).map(|i| u32::from(i == 0 && seed.is_multiple_of(3))).collect()
    };
    Quarter {
        spot,
        majors: fates(12, by, later, overdue),
        generals: fates(12, general_by, 12 - general_by, 0),
        decisions: round(spot as f64 * (0.015 + 0.075 * k)),
        accidents,
        covert_visits: 0,
        covert_problems: fates(0, 0, 0, 0),
        cross_per_team: 0,
        cross_hazards: 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn luan_adds_up_to_the_reference_figures() {
        let q = luan();
        let sum = |f: fn(&Quarter) -> u32| q.iter().map(f).sum::<u32>();
        assert_eq!(sum(|q| q.majors.total), 452);
        assert_eq!(sum(|q| q.majors.closed_by_ranking + q.majors.closed_later), 362);
        assert_eq!(sum(|q| q.spot) + 7 * sum(|q| q.cross_per_team), 20_272);
        assert_eq!(sum(|q| q.decisions), 1_830);
        assert_eq!(sum(|q| q.covert_visits), 62);
        assert_eq!(sum(|q| q.covert_problems.closed_by_ranking + q.covert_problems.closed_later), 282);
        assert_eq!(sum(|q| q.cross_hazards), 321);
    }

    #[test]
    fn other_cities_stay_within_their_register() {
        for city in ["340100", "340300", "341800"] {
            let spot: u32 = (0..4).map(|q| other(city, q).spot).sum();
            assert!(spot <= 800, "{city}: {spot}");
            for q in 0..4 {
                let o = other(city, q);
                assert!(o.majors.overdue_at_ranking <= o.majors.closed_later);
                assert!(o.decisions <= o.spot);
            }
        }
    }
}
