//! An observation: a dated value of a signal for a company, with its provenance.

use std::fmt;

use chrono::{Datelike as _, NaiveDate};
use payback_model::Quarter;
use serde::Serialize;

use crate::signal::{Kind, Scope, Signal};

/// How a stored value was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Derivation {
    /// As stated by the source (a filing row, a CSV row).
    Direct,
    /// A discrete quarter: a year-to-date total minus the previous year-to-date total.
    YtdDifference,
    /// Free cash flow computed as OCF - capex of the same period.
    OcfMinusCapex,
}

impl Derivation {
    /// Name stored in the database.
    pub fn name(self) -> &'static str {
        match self {
            Derivation::Direct => "direct",
            Derivation::YtdDifference => "ytd-difference",
            Derivation::OcfMinusCapex => "ocf-minus-capex",
        }
    }

    /// Parse a stored name.
    pub fn parse(s: &str) -> Option<Derivation> {
        [
            Derivation::Direct,
            Derivation::YtdDifference,
            Derivation::OcfMinusCapex,
        ]
        .into_iter()
        .find(|d| d.name() == s)
    }
}

/// The length class of a period, from its duration in days (`end - start`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PeriodClass {
    /// A balance at a date (no start).
    Instant,
    /// 80..=100 days.
    Quarter,
    /// 170..=195 days: a half-year (year-to-date in 10-Qs).
    Half,
    /// 260..=290 days: nine months (year-to-date in 10-Qs).
    NineMonths,
    /// 350..=380 days (52/53-week years run 364 or 371).
    Year,
    /// Anything else.
    Other,
}

impl PeriodClass {
    /// Classify a period.
    pub fn of(start: Option<NaiveDate>, end: NaiveDate) -> PeriodClass {
        let Some(start) = start else {
            return PeriodClass::Instant;
        };
        match (end - start).num_days() {
            80..=100 => PeriodClass::Quarter,
            170..=195 => PeriodClass::Half,
            260..=290 => PeriodClass::NineMonths,
            350..=380 => PeriodClass::Year,
            _ => PeriodClass::Other,
        }
    }

    /// Number of quarters a duration of this class covers (0 for instants and others).
    pub fn quarters(self) -> i32 {
        match self {
            PeriodClass::Quarter => 1,
            PeriodClass::Half => 2,
            PeriodClass::NineMonths => 3,
            PeriodClass::Year => 4,
            PeriodClass::Instant | PeriodClass::Other => 0,
        }
    }

    /// Name used in output.
    pub fn name(self) -> &'static str {
        match self {
            PeriodClass::Instant => "instant",
            PeriodClass::Quarter => "quarter",
            PeriodClass::Half => "half",
            PeriodClass::NineMonths => "nine-months",
            PeriodClass::Year => "year",
            PeriodClass::Other => "other",
        }
    }
}

/// The calendar quarter a period ending on `end` belongs to: the quarter containing `end`,
/// except that an end in the first 7 days of a quarter belongs to the quarter before (52/53-week
/// fiscal years end a few days after a calendar quarter: a year "ending" 2 January 2028 is
/// calendar 2027Q4).
pub fn calendar_quarter(end: NaiveDate) -> Quarter {
    let q = Quarter::containing_month(end.year(), end.month());
    let first_month = (q.q() as u32 - 1) * 3 + 1;
    if end.month() == first_month && end.day() <= 7 {
        q.offset(-1)
    } else {
        q
    }
}

/// One observation: a value of a signal for a company, over a period or at a date.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Observation {
    /// Company name as stored (matching is case-insensitive).
    pub company: String,
    /// SEC central index key, when known.
    pub cik: Option<u64>,
    /// The signal.
    pub signal: Signal,
    /// Unit (the signal's unit).
    pub unit: String,
    /// Whole company or AI business.
    pub scope: Scope,
    /// First day of the period; `None` for a balance at `end`.
    pub start: Option<NaiveDate>,
    /// Last day of the period, or the date of a balance.
    pub end: NaiveDate,
    /// The value, finite.
    pub value: f64,
    /// Reported, guidance or estimate.
    pub kind: Kind,
    /// URL, citation or filing accession number.
    pub source: String,
    /// When the value was published or recorded (for a filing: first filed with this value).
    pub recorded: NaiveDate,
    /// How it was obtained.
    pub derivation: Derivation,
    /// XBRL concept it came from (SEC imports).
    pub concept: Option<String>,
    /// Form of the filing (`10-Q`, `10-K/A`).
    pub form: Option<String>,
    /// Times the value changed across filings within the imported file.
    pub revisions: u32,
    /// Free note.
    pub note: Option<String>,
}

impl Observation {
    /// The period's length class.
    pub fn class(&self) -> PeriodClass {
        PeriodClass::of(self.start, self.end)
    }

    /// The calendar quarter the observation is dated in (see [`calendar_quarter`]).
    pub fn quarter(&self) -> Quarter {
        calendar_quarter(self.end)
    }

    /// Whether the value is not as stated by its source.
    pub fn derived(&self) -> bool {
        self.derivation != Derivation::Direct
    }

    /// The period as text: `2023-02-01..2023-04-30` or `@2023-04-30`.
    pub fn period_text(&self) -> String {
        match self.start {
            Some(s) => format!("{s}..{}", self.end),
            None => format!("@{}", self.end),
        }
    }
}

/// A problem with an input file: which file, where in it, and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError {
    /// File name as given.
    pub file: String,
    /// Where: `row 3 (line 4)`, `us-gaap/Revenues/USD[12]`.
    pub location: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl InputError {
    /// An error at a location in `file`.
    pub fn at(file: &str, location: impl Into<String>, message: impl Into<String>) -> InputError {
        InputError {
            file: file.to_string(),
            location: Some(location.into()),
            message: message.into(),
        }
    }

    /// An error about the whole file.
    pub fn file(file: &str, message: impl Into<String>) -> InputError {
        InputError {
            file: file.to_string(),
            location: None,
            message: message.into(),
        }
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.location {
            Some(l) => write!(f, "{}: {l}: {}", self.file, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

impl std::error::Error for InputError {}

/// Parse `YYYY-MM-DD`.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        parse_date(s).unwrap()
    }

    #[test]
    fn classes_by_duration() {
        // Snowflake's FY2024 capex year-to-date spans: 88, 180, 272, 364 days.
        let s = Some(d("2023-02-01"));
        assert_eq!(PeriodClass::of(s, d("2023-04-30")), PeriodClass::Quarter);
        assert_eq!(PeriodClass::of(s, d("2023-07-31")), PeriodClass::Half);
        assert_eq!(PeriodClass::of(s, d("2023-10-31")), PeriodClass::NineMonths);
        assert_eq!(PeriodClass::of(s, d("2024-01-31")), PeriodClass::Year);
        assert_eq!(PeriodClass::of(s, d("2023-03-31")), PeriodClass::Other);
        assert_eq!(PeriodClass::of(None, d("2023-03-31")), PeriodClass::Instant);
    }

    #[test]
    fn fiscal_periods_map_to_calendar_quarters_by_end() {
        // Snowflake's fiscal Q1 (Feb-Apr) ends in April: calendar Q2.
        assert_eq!(calendar_quarter(d("2023-04-30")).to_string(), "2023Q2");
        // Its fiscal year ends 31 January: calendar Q1 of the next year.
        assert_eq!(calendar_quarter(d("2024-01-31")).to_string(), "2024Q1");
        // A 52/53-week year ending 2 January belongs to the previous quarter.
        assert_eq!(calendar_quarter(d("2028-01-02")).to_string(), "2027Q4");
        assert_eq!(calendar_quarter(d("2025-12-31")).to_string(), "2025Q4");
    }
}
