//! Working days in China: Monday to Friday, minus official public holidays, plus the official
//! make-up working days (调休) on weekends. Deadlines of administrative procedures are counted
//! in working days on this calendar.
//!
//! The calendar is data (`data/calendar-cn.csv`, from the State Council's yearly notices), so
//! an operator adds a new year without a new release. A date outside the years the data
//! covers is counted as an ordinary week day or weekend.

use jiff::civil::{Date, Weekday};
use std::collections::HashMap;

/// What the notice says about a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayKind {
    /// Official public holiday (or a weekend day moved into one).
    Holiday,
    /// A weekend day that is a working day (make-up day).
    Workday,
}

/// Why the calendar data cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("calendar line {line}: {reason}")]
pub struct CalendarError {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong.
    pub reason: String,
}

/// The official working-day calendar.
#[derive(Debug, Clone, Default)]
pub struct WorkCalendar {
    days: HashMap<Date, DayKind>,
}

impl WorkCalendar {
    /// Reads `date,kind,name` lines (header first), `kind` being `holiday` or `workday`.
    pub fn parse(csv: &str) -> Result<Self, CalendarError> {
        let mut days = HashMap::new();
        for (i, line) in csv.lines().enumerate().skip(1) {
            let line_no = i + 1;
            if line.trim().is_empty() {
                continue;
            }
            let mut parts = line.split(',');
            let (Some(date), Some(kind)) = (parts.next(), parts.next()) else {
                return Err(CalendarError { line: line_no, reason: "expected date,kind,name".into() });
            };
            let date: Date = date
                .trim()
                .parse()
                .map_err(|_| CalendarError { line: line_no, reason: format!("'{date}' is not a date") })?;
            let kind = match kind.trim() {
                "holiday" => DayKind::Holiday,
                "workday" => DayKind::Workday,
                other => {
                    return Err(CalendarError {
                        line: line_no,
                        reason: format!("'{other}' is not holiday or workday"),
                    });
                }
            };
            if days.insert(date, kind).is_some() {
                return Err(CalendarError { line: line_no, reason: format!("{date} appears twice") });
            }
        }
        Ok(Self { days })
    }

    /// Whether `d` is a working day.
    pub fn is_working_day(&self, d: Date) -> bool {
        match self.days.get(&d) {
            Some(DayKind::Holiday) => false,
            Some(DayKind::Workday) => true,
            None => !matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday),
        }
    }

    /// The date `n` working days after `start` (the day itself does not count: "within 3
    /// working days" of a Thursday notice ends on the third working day after it).
    pub fn add_working_days(&self, start: Date, n: u32) -> Date {
        let mut d = start;
        let mut left = n;
        while left > 0 {
            d = d.tomorrow().expect("dates stay within jiff's range");
            if self.is_working_day(d) {
                left -= 1;
            }
        }
        d
    }

    /// Working days after `from` up to and including `to` (0 when `to` is not after `from`).
    pub fn working_days_between(&self, from: Date, to: Date) -> u32 {
        let mut d = from;
        let mut n = 0;
        while d < to {
            d = d.tomorrow().expect("dates stay within jiff's range");
            if self.is_working_day(d) {
                n += 1;
            }
        }
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn calendar() -> WorkCalendar {
        WorkCalendar::parse(include_str!("../../../data/calendar-cn.csv")).unwrap()
    }

    #[test]
    fn the_2023_national_day_holiday_and_its_make_up_days_count_right() {
        let c = calendar();
        // Thursday 28 September 2023; 29 Sep - 6 Oct are holidays; Sat 7 and Sun 8 Oct are
        // make-up working days.
        assert!(!c.is_working_day(date(2023, 10, 2)));
        assert!(c.is_working_day(date(2023, 10, 7)));
        assert!(c.is_working_day(date(2023, 10, 8)));
        assert_eq!(c.add_working_days(date(2023, 9, 28), 1), date(2023, 10, 7));
        assert_eq!(c.add_working_days(date(2023, 9, 28), 3), date(2023, 10, 9));
        assert_eq!(c.add_working_days(date(2023, 9, 28), 7), date(2023, 10, 13));
        assert_eq!(c.working_days_between(date(2023, 9, 28), date(2023, 10, 13)), 7);
    }

    #[test]
    fn ordinary_weeks_skip_weekends() {
        let c = calendar();
        assert_eq!(c.add_working_days(date(2023, 11, 17), 1), date(2023, 11, 20), "Friday + 1 is Monday");
        assert_eq!(c.add_working_days(date(2023, 11, 13), 5), date(2023, 11, 20));
        assert_eq!(c.add_working_days(date(2023, 11, 13), 0), date(2023, 11, 13));
    }

    #[test]
    fn the_spring_festival_of_2024_and_2026_are_covered() {
        let c = calendar();
        assert!(c.is_working_day(date(2024, 2, 4)), "a Sunday make-up day");
        assert!(!c.is_working_day(date(2024, 2, 16)), "a Friday in the holiday");
        assert!(!c.is_working_day(date(2026, 2, 23)));
        assert!(c.is_working_day(date(2026, 2, 28)));
    }

    #[test]
    fn bad_calendar_data_is_refused_with_its_line() {
        assert_eq!(WorkCalendar::parse("date,kind,name\n2023-13-01,holiday,x").unwrap_err().line, 2);
        assert!(WorkCalendar::parse("date,kind,name\n2023-10-01,holiday,a\n2023-10-01,workday,b").is_err());
        assert!(WorkCalendar::parse("date,kind,name\n2023-10-01,party,a").is_err());
    }
}
