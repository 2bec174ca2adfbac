//! Reporting periods: a year (`2023`), a quarter (`2023Q3`) or a range of days, as the
//! figures, the dashboard and the evaluation take them.

use jiff::civil::{Date, date};

/// A quarter, e.g. `2026Q3`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quarter {
    /// Year.
    pub year: i16,
    /// 1-4.
    pub q: i8,
}

impl Quarter {
    /// Parses `2026Q3` (also `2026q3`).
    pub fn parse(s: &str) -> Option<Self> {
        let (y, q) = s.trim().to_ascii_uppercase().split_once('Q').map(|(a, b)| (a.to_owned(), b.to_owned()))?;
        let (year, q) = (y.parse().ok()?, q.parse().ok()?);
        (1..=4).contains(&q).then_some(Self { year, q })
    }

    /// The quarter a day falls in.
    pub fn of(day: Date) -> Self {
        Self { year: day.year(), q: (day.month() - 1) / 3 + 1 }
    }

    /// First day.
    pub fn first_day(self) -> Date {
        date(self.year, (self.q - 1) * 3 + 1, 1)
    }

    /// Last day.
    pub fn last_day(self) -> Date {
        self.next().first_day().yesterday().unwrap_or_default()
    }

    /// The quarter before.
    pub fn prev(self) -> Self {
        if self.q == 1 { Self { year: self.year - 1, q: 4 } } else { Self { year: self.year, q: self.q - 1 } }
    }

    fn next(self) -> Self {
        if self.q == 4 { Self { year: self.year + 1, q: 1 } } else { Self { year: self.year, q: self.q + 1 } }
    }

    /// `2026Q3`.
    pub fn label(self) -> String {
        format!("{}Q{}", self.year, self.q)
    }
}

/// A closed range of days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    /// First day.
    pub from: Date,
    /// Last day.
    pub to: Date,
}

impl Period {
    /// Parses `2023` (a year), `2023Q3` (a quarter) or `2023-07-01..2023-09-30`.
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        if let Some((a, b)) = s.split_once("..") {
            let (from, to): (Date, Date) = (a.trim().parse().ok()?, b.trim().parse().ok()?);
            return (from <= to).then_some(Self { from, to });
        }
        if let Some(q) = Quarter::parse(s) {
            return Some(Self { from: q.first_day(), to: q.last_day() });
        }
        let year: i16 = s.parse().ok().filter(|y| (1900..=2999).contains(y))?;
        Some(Self { from: date(year, 1, 1), to: date(year, 12, 31) })
    }

    /// How the period is written back (`2023-01-01..2023-12-31`).
    pub fn label(&self) -> String {
        format!("{}..{}", self.from, self.to)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quarters_parse_and_span_their_months() {
        let q = Quarter::parse("2023q3").unwrap();
        assert_eq!((q.first_day().to_string(), q.last_day().to_string()), ("2023-07-01".into(), "2023-09-30".into()));
        assert_eq!(Quarter::parse("2023Q1").unwrap().prev().label(), "2022Q4");
        assert_eq!(Quarter::of("2026-11-28".parse().unwrap()).label(), "2026Q4");
        assert_eq!(Quarter::parse("2023Q5"), None);
    }

    #[test]
    fn periods_are_years_quarters_or_ranges() {
        assert_eq!(Period::parse("2023").unwrap().label(), "2023-01-01..2023-12-31");
        assert_eq!(Period::parse("2023Q4").unwrap().label(), "2023-10-01..2023-12-31");
        assert_eq!(Period::parse("2023-03-01..2023-03-31").unwrap().to.to_string(), "2023-03-31");
        assert_eq!(Period::parse("2023-03-31..2023-03-01"), None);
        assert_eq!(Period::parse("soon"), None);
    }
}
