//! Reporting quarters: calendar (`2025-Q3`) or the UK financial year that
//! starts on 1 April (`FY2025-Q1` = April–June 2025).

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use std::fmt;
use std::str::FromStr;

/// Which year a quarter belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum YearKind {
    Calendar,
    Financial,
}

/// One quarter of a calendar or financial year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Quarter {
    kind: YearKind,
    year: i32,
    number: u8,
}

/// Why a quarter could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "'{0}' is not a quarter; use 2025-Q3 (calendar) or FY2025-Q2 (financial year from 1 April)"
)]
pub struct QuarterParseError(pub String);

impl Quarter {
    pub fn new(kind: YearKind, year: i32, number: u8) -> Option<Self> {
        ((1..=4).contains(&number) && (1900..=9998).contains(&year)).then_some(Self {
            kind,
            year,
            number,
        })
    }

    pub fn kind(self) -> YearKind {
        self.kind
    }

    pub fn year(self) -> i32 {
        self.year
    }

    pub fn number(self) -> u8 {
        self.number
    }

    /// The first month of this quarter in the calendar (1–12) and its calendar year.
    fn first_month(self) -> (i32, u32) {
        let offset = u32::from(self.number - 1) * 3;
        match self.kind {
            YearKind::Calendar => (self.year, 1 + offset),
            YearKind::Financial => {
                let month = 4 + offset;
                if month > 12 {
                    (self.year + 1, month - 12)
                } else {
                    (self.year, month)
                }
            }
        }
    }

    /// Where the quarter starts (inclusive), midnight UTC.
    pub fn start(self) -> DateTime<Utc> {
        let (year, month) = self.first_month();
        month_start(year, month)
    }

    /// Where the next quarter starts (exclusive end of this one).
    pub fn end(self) -> DateTime<Utc> {
        self.next().start()
    }

    pub fn contains(self, instant: DateTime<Utc>) -> bool {
        self.start() <= instant && instant < self.end()
    }

    pub fn next(self) -> Self {
        if self.number == 4 {
            Self {
                year: self.year + 1,
                number: 1,
                ..self
            }
        } else {
            Self {
                number: self.number + 1,
                ..self
            }
        }
    }

    pub fn previous(self) -> Self {
        if self.number == 1 {
            Self {
                year: self.year - 1,
                number: 4,
                ..self
            }
        } else {
            Self {
                number: self.number - 1,
                ..self
            }
        }
    }

    pub fn same_quarter_last_year(self) -> Self {
        Self {
            year: self.year - 1,
            ..self
        }
    }

    /// The calendar quarter holding an instant.
    pub fn calendar_containing(instant: DateTime<Utc>) -> Self {
        let date = instant.date_naive();
        let number = u8::try_from((chrono::Datelike::month0(&date) / 3) + 1).unwrap_or(1);
        Self {
            kind: YearKind::Calendar,
            year: chrono::Datelike::year(&date),
            number,
        }
    }

    /// Whether the quarter is over at `now`.
    pub fn has_ended(self, now: DateTime<Utc>) -> bool {
        self.end() <= now
    }
}

fn month_start(year: i32, month: u32) -> DateTime<Utc> {
    let date = NaiveDate::from_ymd_opt(year, month, 1).unwrap_or(NaiveDate::MIN);
    Utc.from_utc_datetime(&date.and_time(chrono::NaiveTime::MIN))
}

impl fmt::Display for Quarter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            YearKind::Calendar => write!(f, "{}-Q{}", self.year, self.number),
            YearKind::Financial => write!(f, "FY{}-Q{}", self.year, self.number),
        }
    }
}

impl FromStr for Quarter {
    type Err = QuarterParseError;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        let error = || QuarterParseError(raw.chars().take(40).collect());
        let upper = raw.trim().to_ascii_uppercase();
        let (kind, rest) = match upper.strip_prefix("FY") {
            Some(rest) => (YearKind::Financial, rest),
            None => (YearKind::Calendar, upper.as_str()),
        };
        let (year, number) = rest.split_once("-Q").ok_or_else(error)?;
        if year.len() != 4 || number.len() != 1 {
            return Err(error());
        }
        let year: i32 = year.parse().map_err(|_| error())?;
        let number: u8 = number.parse().map_err(|_| error())?;
        Quarter::new(kind, year, number).ok_or_else(error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(raw: &str) -> Quarter {
        raw.parse().unwrap_or_else(|e| panic!("{e}"))
    }

    fn at(raw: &str) -> DateTime<Utc> {
        raw.parse().unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn calendar_quarters_cover_their_months() {
        assert_eq!(q("2025-Q3").start(), at("2025-07-01T00:00:00Z"));
        assert_eq!(q("2025-Q3").end(), at("2025-10-01T00:00:00Z"));
        assert_eq!(q("2025-Q4").end(), at("2026-01-01T00:00:00Z"));
    }

    #[test]
    fn financial_year_starts_in_april() {
        assert_eq!(q("FY2025-Q1").start(), at("2025-04-01T00:00:00Z"));
        assert_eq!(q("FY2025-Q3").start(), at("2025-10-01T00:00:00Z"));
        assert_eq!(q("FY2025-Q4").start(), at("2026-01-01T00:00:00Z"));
        assert_eq!(q("FY2025-Q4").end(), at("2026-04-01T00:00:00Z"));
    }

    #[test]
    fn boundaries_are_half_open() {
        assert!(q("FY2024-Q4").contains(at("2025-03-31T23:59:59.999999Z")));
        assert!(!q("FY2024-Q4").contains(at("2025-04-01T00:00:00Z")));
        assert!(q("FY2025-Q1").contains(at("2025-04-01T00:00:00Z")));
        assert!(q("2024-Q4").contains(at("2024-12-31T23:59:59Z")));
        assert!(q("2025-Q1").contains(at("2025-01-01T00:00:00Z")));
    }

    #[test]
    fn leap_day_is_in_the_first_quarter() {
        assert!(q("2024-Q1").contains(at("2024-02-29T12:00:00Z")));
        assert!(q("FY2023-Q4").contains(at("2024-02-29T12:00:00Z")));
    }

    #[test]
    fn previous_and_year_before_cross_years() {
        assert_eq!(q("2025-Q1").previous(), q("2024-Q4"));
        assert_eq!(q("FY2025-Q1").previous(), q("FY2024-Q4"));
        assert_eq!(q("2025-Q3").same_quarter_last_year(), q("2024-Q3"));
        assert_eq!(q("2024-Q4").next(), q("2025-Q1"));
    }

    #[test]
    fn parses_and_prints_both_forms() {
        assert_eq!(q("fy2025-q2").to_string(), "FY2025-Q2");
        assert_eq!(q("2025-Q3").to_string(), "2025-Q3");
        for bad in [
            "2025-Q5",
            "2025-Q0",
            "2025Q1",
            "FY25-Q1",
            "",
            "2025-Q1x",
            "'; DROP TABLE",
        ] {
            assert!(bad.parse::<Quarter>().is_err(), "{bad}");
        }
    }

    #[test]
    fn calendar_quarter_of_an_instant() {
        assert_eq!(
            Quarter::calendar_containing(at("2025-09-30T23:00:00Z")),
            q("2025-Q3")
        );
    }
}
