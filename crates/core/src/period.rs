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

/// China Standard Time (UTC+8 all year, no daylight saving since 1991): the figures count
/// records by the day and month they happened in China.
const CST: jiff::tz::Offset = jiff::tz::Offset::constant(8);

/// The month (`YYYY-MM`) an instant (ms since the epoch) falls in, in China Standard Time: the
/// month a hazard is counted under in the figures' monthly tally. The same arithmetic as that
/// tally's migration (0024): whole seconds, truncated, plus eight hours. `None` for an instant
/// outside the calendar's range.
pub fn month_of_ms(ms: i64) -> Option<String> {
    let t = jiff::Timestamp::from_second(ms / 1000).ok()?;
    Some(CST.to_datetime(t).strftime("%Y-%m").to_string())
}

/// The first instant (ms) of a month (`YYYY-MM`) in China Standard Time.
pub fn month_start_ms(month: &str) -> Option<i64> {
    day_start_ms(format!("{month}-01").parse().ok()?)
}

/// The first instant (ms) of a day in China Standard Time.
fn day_start_ms(day: Date) -> Option<i64> {
    Some(CST.to_timestamp(day.to_datetime(jiff::civil::Time::midnight())).ok()?.as_millisecond())
}

/// The months from `from_ms` up to `to_end_ms` (exclusive), each with its first instant, when
/// both bounds are first instants of months in China Standard Time; else `None` (a period of
/// days that cuts a month).
pub fn whole_months(from_ms: i64, to_end_ms: i64) -> Option<Vec<(String, i64)>> {
    let mut month: Date = format!("{}-01", month_of_ms(from_ms)?).parse().ok()?;
    let mut out = Vec::new();
    loop {
        let start = day_start_ms(month)?;
        if start == to_end_ms && !out.is_empty() {
            return Some(out);
        }
        if start > to_end_ms || (out.is_empty() && start != from_ms) {
            return None;
        }
        out.push((month.strftime("%Y-%m").to_string(), start));
        month = month.checked_add(jiff::Span::new().months(1)).ok()?;
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
    fn instants_fall_in_the_month_of_china_standard_time() {
        let start = month_start_ms("2025-04").unwrap();
        assert_eq!(start, 1_743_436_800_000, "2025-04-01T00:00+08:00");
        assert_eq!(month_of_ms(start).as_deref(), Some("2025-04"));
        assert_eq!(month_of_ms(start - 1).as_deref(), Some("2025-03"), "the last ms of March in Beijing");
        assert_eq!(month_of_ms(0).as_deref(), Some("1970-01"));
        assert_eq!(month_start_ms("2025-13"), None);
    }

    #[test]
    fn a_period_is_whole_months_only_when_both_bounds_start_a_month() {
        let (apr, jul) = (month_start_ms("2025-04").unwrap(), month_start_ms("2025-07").unwrap());
        let months = whole_months(apr, jul).unwrap();
        let names: Vec<&str> = months.iter().map(|m| m.0.as_str()).collect();
        assert_eq!(names, ["2025-04", "2025-05", "2025-06"]);
        assert_eq!(months[1].1, month_start_ms("2025-05").unwrap());
        assert_eq!(whole_months(apr + 86_400_000, jul), None, "starts on the 2nd");
        assert_eq!(whole_months(apr, jul - 86_400_000), None, "ends on the 29th");
        assert_eq!(whole_months(apr, apr), None, "no month");
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
