//! Calendar quarters and the period expressions scenario files use.
//!
//! A [`Quarter`] is a calendar quarter (`2026Q3`). Inputs may also name a half (`2026H2`), a
//! year (`2026`), or a fiscal period (`FY2026`, `FY2026Q1`, `FY2026H1`) given the scenario's
//! `fiscal_year_end` month; a [`PeriodSpec`] resolves to the calendar quarters it covers. A
//! fiscal quarter maps to the calendar quarter containing its last day (Oracle's FQ1,
//! June–August with a May year end, is calendar Q3). See `docs/model/conventions.md`.

use std::fmt;

/// A calendar quarter, stored as `year * 4 + (q - 1)` so that arithmetic is plain integer maths.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(into = "String", try_from = "String")]
pub struct Quarter(i32);

impl Quarter {
    /// The quarter `q` (1..=4) of `year`. Returns `None` outside 1..=4.
    pub fn new(year: i32, q: u8) -> Option<Quarter> {
        (1..=4)
            .contains(&q)
            .then(|| Quarter(year * 4 + i32::from(q) - 1))
    }

    /// Calendar year.
    pub fn year(self) -> i32 {
        self.0.div_euclid(4)
    }

    /// Quarter of the year, 1..=4.
    pub fn q(self) -> u8 {
        // rem_euclid(4) is in 0..4, so the cast cannot truncate.
        self.0.rem_euclid(4) as u8 + 1
    }

    /// The quarter `n` quarters later (earlier when negative).
    pub fn offset(self, n: i32) -> Quarter {
        Quarter(self.0 + n)
    }

    /// Number of quarters from `self` to `later` (negative when `later` is earlier).
    pub fn quarters_until(self, later: Quarter) -> i32 {
        later.0 - self.0
    }

    /// The quarter containing the given calendar month (1..=12) of `year`.
    pub fn containing_month(year: i32, month: u32) -> Quarter {
        Quarter(year * 4 + ((month.clamp(1, 12) - 1) / 3) as i32)
    }

    /// Last day of the quarter, for date-based functions (XNPV) and spreadsheets.
    pub fn end_date(self) -> chrono::NaiveDate {
        let (y, m) = match self.q() {
            1 => (self.year(), 3),
            2 => (self.year(), 6),
            3 => (self.year(), 9),
            _ => (self.year(), 12),
        };
        let d = if m == 3 || m == 12 { 31 } else { 30 };
        // Every quarter ends on one of these four valid dates.
        chrono::NaiveDate::from_ymd_opt(y, m, d).expect("quarter end dates are valid")
    }

    /// Parse `2026Q3` (also lower-case `q`).
    pub fn parse(s: &str) -> Result<Quarter, PeriodError> {
        match PeriodSpec::parse(s)? {
            PeriodSpec::Quarter(q) => Ok(q),
            _ => Err(PeriodError::NotAQuarter(s.to_string())),
        }
    }
}

impl fmt::Display for Quarter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}Q{}", self.year(), self.q())
    }
}

impl From<Quarter> for String {
    fn from(q: Quarter) -> String {
        q.to_string()
    }
}

impl TryFrom<String> for Quarter {
    type Error = PeriodError;

    fn try_from(s: String) -> Result<Quarter, PeriodError> {
        Quarter::parse(&s)
    }
}

/// A period as written in a scenario file, before it is resolved to calendar quarters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeriodSpec {
    /// A calendar quarter, `2026Q3`.
    Quarter(Quarter),
    /// A calendar half, `2026H2` (`half` is 1 or 2).
    Half {
        /// Calendar year.
        year: i32,
        /// 1 or 2.
        half: u8,
    },
    /// A calendar year, `2026`.
    Year(i32),
    /// A fiscal year, `FY2026` (the year in which the fiscal year ends).
    FiscalYear(i32),
    /// A fiscal half, `FY2026H1`.
    FiscalHalf {
        /// Fiscal year (the year in which it ends).
        year: i32,
        /// 1 or 2.
        half: u8,
    },
    /// A fiscal quarter, `FY2026Q1`.
    FiscalQuarter {
        /// Fiscal year (the year in which it ends).
        year: i32,
        /// 1..=4.
        q: u8,
    },
}

/// Why a period expression could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PeriodError {
    /// Not one of the accepted forms.
    Malformed(String),
    /// A fiscal period in a scenario without `fiscal_year_end`.
    NoFiscalYearEnd(String),
    /// A quarter was required.
    NotAQuarter(String),
}

impl fmt::Display for PeriodError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PeriodError::Malformed(s) => write!(
                f,
                "`{s}` is not a period: expected a quarter (2026Q3), a half (2026H2), a year \
                 (2026) or a fiscal period (FY2026, FY2026Q1, FY2026H1)"
            ),
            PeriodError::NoFiscalYearEnd(s) => write!(
                f,
                "`{s}` is a fiscal period but the scenario has no `scenario.fiscal_year_end`"
            ),
            PeriodError::NotAQuarter(s) => write!(f, "`{s}` is not a single quarter (2026Q3)"),
        }
    }
}

impl std::error::Error for PeriodError {}

fn parse_year(s: &str) -> Option<i32> {
    (s.len() == 4 && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

impl PeriodSpec {
    /// Parse one of `2026Q3`, `2026H2`, `2026`, `FY2026`, `FY2026Q1`, `FY2026H1`.
    pub fn parse(s: &str) -> Result<PeriodSpec, PeriodError> {
        let bad = || PeriodError::Malformed(s.to_string());
        let t = s.trim();
        let (fiscal, rest) = match t.strip_prefix("FY").or_else(|| t.strip_prefix("fy")) {
            Some(r) => (true, r),
            None => (false, t),
        };
        // `get` rather than indexing: the text is user input and may not be ASCII.
        let (Some(head), Some(tail)) = (rest.get(..4), rest.get(4..)) else {
            return Err(bad());
        };
        let year = parse_year(head).ok_or_else(bad)?;
        let spec = if tail.is_empty() {
            if fiscal {
                PeriodSpec::FiscalYear(year)
            } else {
                PeriodSpec::Year(year)
            }
        } else {
            let Some((kind, num)) = tail.split_at_checked(1) else {
                return Err(bad());
            };
            let n: u8 = num.parse().map_err(|_| bad())?;
            match (kind, fiscal) {
                ("Q" | "q", false) if (1..=4).contains(&n) => {
                    PeriodSpec::Quarter(Quarter::new(year, n).ok_or_else(bad)?)
                }
                ("Q" | "q", true) if (1..=4).contains(&n) => {
                    PeriodSpec::FiscalQuarter { year, q: n }
                }
                ("H" | "h", false) if (1..=2).contains(&n) => PeriodSpec::Half { year, half: n },
                ("H" | "h", true) if (1..=2).contains(&n) => {
                    PeriodSpec::FiscalHalf { year, half: n }
                }
                _ => return Err(bad()),
            }
        };
        Ok(spec)
    }

    /// The calendar quarters this period covers, in order. `fiscal_year_end` is the month
    /// (1..=12) in which the fiscal year ends; it is required for fiscal periods.
    pub fn quarters(self, fiscal_year_end: Option<u32>) -> Result<Vec<Quarter>, PeriodError> {
        let fiscal = |desc: String| fiscal_year_end.ok_or(PeriodError::NoFiscalYearEnd(desc));
        Ok(match self {
            PeriodSpec::Quarter(q) => vec![q],
            PeriodSpec::Half { year, half } => {
                let first = Quarter::new(year, if half == 1 { 1 } else { 3 }).unwrap_or(Quarter(0));
                vec![first, first.offset(1)]
            }
            PeriodSpec::Year(year) => (0..4).map(|k| Quarter(year * 4 + k)).collect(),
            PeriodSpec::FiscalYear(year) => {
                let fye = fiscal(format!("FY{year}"))?;
                let last = fiscal_quarter_end(year, 4, fye);
                (0..4).map(|k| last.offset(k - 3)).collect()
            }
            PeriodSpec::FiscalHalf { year, half } => {
                let fye = fiscal(format!("FY{year}H{half}"))?;
                let last = fiscal_quarter_end(year, half * 2, fye);
                vec![last.offset(-1), last]
            }
            PeriodSpec::FiscalQuarter { year, q } => {
                let fye = fiscal(format!("FY{year}Q{q}"))?;
                vec![fiscal_quarter_end(year, q, fye)]
            }
        })
    }
}

/// The calendar quarter containing the last day of fiscal quarter `q` of fiscal year `year`
/// (the fiscal year ending in month `fye` of calendar year `year`).
fn fiscal_quarter_end(year: i32, q: u8, fye: u32) -> Quarter {
    // Last month of fiscal Q4 is `fye` of `year`; fiscal quarter q ends 3*(4-q) months earlier.
    let months_back = 3 * (4 - i32::from(q));
    let abs_month = year * 12 + (fye as i32 - 1) - months_back;
    Quarter::containing_month(
        abs_month.div_euclid(12),
        (abs_month.rem_euclid(12) + 1) as u32,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(s: &str) -> Quarter {
        Quarter::parse(s).unwrap()
    }

    #[test]
    fn parses_and_prints_quarters() {
        assert_eq!(q("2026Q3").to_string(), "2026Q3");
        assert_eq!(q("2026Q3").offset(2).to_string(), "2027Q1");
        assert_eq!(q("2024Q1").quarters_until(q("2035Q4")), 47);
        assert!(PeriodSpec::parse("2026Q5").is_err());
        assert!(PeriodSpec::parse("2026H3").is_err());
        assert!(PeriodSpec::parse("26Q1").is_err());
        // Non-ASCII input is an error, not a panic on a char boundary.
        assert!(PeriodSpec::parse("2026é").is_err());
        assert!(PeriodSpec::parse("20é6Q1").is_err());
        assert!(PeriodSpec::parse("2026Qé").is_err());
    }

    #[test]
    fn oracle_fiscal_q1_is_calendar_q3() {
        // Oracle's fiscal year ends in May: FY2026 runs June 2025 - May 2026, and FQ1
        // (June-August 2025) ends in August, calendar 2025Q3.
        let fq1 = PeriodSpec::parse("FY2026Q1")
            .unwrap()
            .quarters(Some(5))
            .unwrap();
        assert_eq!(fq1, vec![q("2025Q3")]);
        let fy = PeriodSpec::parse("FY2026")
            .unwrap()
            .quarters(Some(5))
            .unwrap();
        assert_eq!(fy, vec![q("2025Q3"), q("2025Q4"), q("2026Q1"), q("2026Q2")]);
    }

    #[test]
    fn microsoft_fiscal_year_ends_in_june() {
        // Microsoft FY2026 = July 2025 - June 2026: calendar 2025Q3 .. 2026Q2.
        let fy = PeriodSpec::parse("FY2026")
            .unwrap()
            .quarters(Some(6))
            .unwrap();
        assert_eq!(fy, vec![q("2025Q3"), q("2025Q4"), q("2026Q1"), q("2026Q2")]);
        let h2 = PeriodSpec::parse("FY2026H2")
            .unwrap()
            .quarters(Some(6))
            .unwrap();
        assert_eq!(h2, vec![q("2026Q1"), q("2026Q2")]);
    }

    #[test]
    fn december_fiscal_year_is_the_calendar_year() {
        let fy = PeriodSpec::parse("FY2026")
            .unwrap()
            .quarters(Some(12))
            .unwrap();
        let cy = PeriodSpec::parse("2026").unwrap().quarters(None).unwrap();
        assert_eq!(fy, cy);
    }

    #[test]
    fn fiscal_period_needs_a_year_end() {
        let err = PeriodSpec::parse("FY2026")
            .unwrap()
            .quarters(None)
            .unwrap_err();
        assert_eq!(err, PeriodError::NoFiscalYearEnd("FY2026".into()));
    }
}
