//! Reporting quarters: calendar (`2025-Q3`) or the UK financial year that
//! starts on 1 April (`FY2025-Q1` = April–June 2025). A quarter runs from
//! midnight on its first day to midnight on the next quarter's first day in
//! the UK's civil time ([`CIVIL_TIME_ZONE`], GMT or BST as the day has it),
//! so 00:30 on 1 July in London (23:30 UTC on 30 June) is in the third
//! quarter. Every count by quarter (summary, list filter, series, rollups,
//! snapshots) takes its bounds from here.

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};
use chrono_tz::Europe::London;
use std::fmt;
use std::str::FromStr;

/// The time zone whose civil dates bound quarters, as the IANA names it.
pub const CIVIL_TIME_ZONE: &str = "Europe/London";

/// How quarters are bounded, in words, for summaries and every export's cover.
pub const QUARTER_BOUNDS_RULE: &str = "Quarters run from midnight on their first day to midnight on the next quarter's first day in UK civil time (Europe/London: GMT, or BST in summer); the bounds are also given as UTC instants.";

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

    /// The quarter's first day, in the UK's civil calendar.
    pub fn first_day(self) -> NaiveDate {
        let (year, month) = self.first_month();
        NaiveDate::from_ymd_opt(year, month, 1).unwrap_or(NaiveDate::MIN)
    }

    /// Where the quarter starts (inclusive): midnight of its first day in
    /// the UK, as a UTC instant.
    pub fn start(self) -> DateTime<Utc> {
        uk_midnight(self.first_day())
    }

    /// The first instant counted and the first not counted, in UTC: what
    /// every SQL filter by quarter compares `submitted_at` with.
    pub fn bounds_utc(self) -> (DateTime<Utc>, DateTime<Utc>) {
        (self.start(), self.end())
    }

    /// The calendar quarter this quarter is, counted from year 0
    /// (`year * 4 + quarter - 1`): a financial quarter is always one calendar
    /// quarter, so both kinds share an index.
    pub fn calendar_index(self) -> i32 {
        let (year, month) = self.first_month();
        year * 4 + i32::try_from((month - 1) / 3).unwrap_or(0)
    }

    /// The calendar quarter of a [`Quarter::calendar_index`].
    pub fn from_calendar_index(index: i32) -> Option<Self> {
        let number = u8::try_from(index.rem_euclid(4) + 1).ok()?;
        Self::new(YearKind::Calendar, index.div_euclid(4), number)
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

    /// The calendar quarter holding an instant: that of its civil date in
    /// the UK.
    pub fn calendar_containing(instant: DateTime<Utc>) -> Self {
        Self::calendar_of_day(uk_date(instant))
    }

    /// The calendar quarter holding a civil day.
    pub fn calendar_of_day(date: NaiveDate) -> Self {
        let number = u8::try_from((date.month0() / 3) + 1).unwrap_or(1);
        Self {
            kind: YearKind::Calendar,
            year: date.year(),
            number,
        }
    }

    /// Whether the quarter is over at `now`.
    pub fn has_ended(self, now: DateTime<Utc>) -> bool {
        self.end() <= now
    }
}

/// The civil date of an instant in the UK.
pub fn uk_date(instant: DateTime<Utc>) -> NaiveDate {
    instant.with_timezone(&London).date_naive()
}

/// Midnight at the start of `day` in the UK, as a UTC instant. Clocks in the
/// UK change at 01:00 or 02:00, so midnight is never skipped nor repeated;
/// should a zone rule ever say otherwise, the earliest midnight is taken.
fn uk_midnight(day: NaiveDate) -> DateTime<Utc> {
    let local = day.and_time(chrono::NaiveTime::MIN);
    London
        .from_local_datetime(&local)
        .earliest()
        .map(|at| at.with_timezone(&Utc))
        .unwrap_or_else(|| Utc.from_utc_datetime(&local))
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
    fn calendar_quarters_cover_their_months_in_uk_civil_time() {
        // April, July and October start in British Summer Time (UTC+1);
        // January in Greenwich Mean Time.
        assert_eq!(q("2025-Q3").start(), at("2025-06-30T23:00:00Z"));
        assert_eq!(q("2025-Q3").end(), at("2025-09-30T23:00:00Z"));
        assert_eq!(q("2025-Q4").end(), at("2026-01-01T00:00:00Z"));
        assert_eq!(q("2025-Q1").start(), at("2025-01-01T00:00:00Z"));
        assert_eq!(q("2025-Q1").end(), at("2025-03-31T23:00:00Z"));
        assert_eq!(
            q("2026-Q3").bounds_utc(),
            (at("2026-06-30T23:00:00Z"), at("2026-09-30T23:00:00Z"))
        );
    }

    #[test]
    fn financial_year_starts_in_april() {
        assert_eq!(q("FY2025-Q1").start(), at("2025-03-31T23:00:00Z"));
        assert_eq!(q("FY2025-Q3").start(), at("2025-09-30T23:00:00Z"));
        assert_eq!(q("FY2025-Q4").start(), at("2026-01-01T00:00:00Z"));
        assert_eq!(q("FY2025-Q4").end(), at("2026-03-31T23:00:00Z"));
        assert_eq!(q("FY2025-Q1").first_day().to_string(), "2025-04-01");
    }

    #[test]
    fn boundaries_are_half_open() {
        assert!(q("FY2024-Q4").contains(at("2025-03-31T22:59:59.999999Z")));
        assert!(!q("FY2024-Q4").contains(at("2025-03-31T23:00:00Z")));
        assert!(q("FY2025-Q1").contains(at("2025-03-31T23:00:00Z")));
        assert!(q("2024-Q4").contains(at("2024-12-31T23:59:59Z")));
        assert!(q("2025-Q1").contains(at("2025-01-01T00:00:00Z")));
    }

    #[test]
    fn the_first_half_hour_of_july_in_the_uk_is_in_the_third_quarter() {
        assert_eq!(
            Quarter::calendar_containing(at("2026-06-30T23:30:00Z")),
            q("2026-Q3")
        );
        assert!(q("2026-Q3").contains(at("2026-06-30T23:30:00Z")));
        assert!(!q("2026-Q2").contains(at("2026-06-30T23:30:00Z")));
        assert!(q("2026-Q2").contains(at("2026-06-30T22:59:59Z")));
        // In winter the UK keeps GMT: 23:30 UTC on 31 December is still 2026.
        assert_eq!(
            Quarter::calendar_containing(at("2026-12-31T23:30:00Z")),
            q("2026-Q4")
        );
        assert_eq!(
            Quarter::calendar_containing(at("2027-01-01T00:00:00Z")),
            q("2027-Q1")
        );
    }

    #[test]
    fn calendar_indexes_round_trip_and_financial_quarters_share_them() {
        assert_eq!(q("2025-Q1").calendar_index(), 2025 * 4);
        assert_eq!(q("2025-Q4").calendar_index(), 2025 * 4 + 3);
        assert_eq!(
            q("FY2025-Q1").calendar_index(),
            q("2025-Q2").calendar_index()
        );
        assert_eq!(q("FY2025-Q4").calendar_index(), 2026 * 4);
        for raw in ["1900-Q1", "2025-Q3", "2026-Q4", "9998-Q4"] {
            assert_eq!(
                Quarter::from_calendar_index(q(raw).calendar_index()),
                Some(q(raw))
            );
        }
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
            Quarter::calendar_containing(at("2025-09-30T22:59:59Z")),
            q("2025-Q3")
        );
        assert_eq!(
            Quarter::calendar_containing(at("2025-09-30T23:00:00Z")),
            q("2025-Q4")
        );
    }
}
