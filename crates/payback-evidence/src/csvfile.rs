//! Observations from a CSV file (`payback evidence add FILE.csv`); the format is in
//! docs/evidence.md, "CSV format".
//!
//! The whole file is checked before anything is stored: the first bad row rejects the file,
//! with the file name, the row number (1 = first data row) and the line.

use chrono::NaiveDate;
use payback_model::PeriodSpec;

use crate::observation::{Derivation, InputError, Observation, PeriodClass, parse_date};
use crate::signal::{Kind, Scope, Signal};

/// Columns a file may have. `company`, `signal`, `value`, `kind`, `source`, `recorded` and
/// either `end` or `period` are required.
pub const COLUMNS: &[&str] = &[
    "company", "signal", "value", "unit", "start", "end", "period", "kind", "source", "recorded",
    "scope", "note",
];

/// Parse CSV text named `file` into observations, in file order.
pub fn parse(file: &str, text: &str) -> Result<Vec<Observation>, InputError> {
    let mut reader = csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .trim(csv::Trim::All)
        .flexible(false)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| InputError::file(file, format!("cannot read the header: {e}")))?
        .clone();
    let mut index = [None::<usize>; 12];
    for (i, h) in headers.iter().enumerate() {
        let name = h.trim().to_ascii_lowercase();
        match COLUMNS.iter().position(|c| *c == name) {
            Some(k) if index[k].is_none() => index[k] = Some(i),
            Some(_) => {
                return Err(InputError::file(
                    file,
                    format!("column `{name}` appears twice in the header"),
                ));
            }
            None => {
                return Err(InputError::file(
                    file,
                    format!(
                        "unknown column `{h}` in the header (columns: {})",
                        COLUMNS.join(", ")
                    ),
                ));
            }
        }
    }
    for required in ["company", "signal", "value", "kind", "source", "recorded"] {
        if col(&index, required).is_none() {
            return Err(InputError::file(
                file,
                format!("the header has no `{required}` column"),
            ));
        }
    }
    if col(&index, "end").is_none() && col(&index, "period").is_none() {
        return Err(InputError::file(
            file,
            "the header needs an `end` or a `period` column",
        ));
    }
    let mut out = Vec::new();
    for (n, record) in reader.records().enumerate() {
        let row = n + 1;
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, csv::Position::line);
            InputError::at(file, format!("row {row} (line {line})"), e.to_string())
        })?;
        let line = record.position().map_or(0, csv::Position::line);
        let loc = format!("row {row} (line {line})");
        let fields = Fields {
            record: &record,
            index: &index,
        };
        let obs = parse_row(&fields).map_err(|m| InputError::at(file, loc.clone(), m))?;
        out.push(obs);
    }
    Ok(out)
}

fn col(index: &[Option<usize>; 12], name: &str) -> Option<usize> {
    COLUMNS
        .iter()
        .position(|c| *c == name)
        .and_then(|k| index[k])
}

/// One record's fields by column name.
struct Fields<'a> {
    record: &'a csv::StringRecord,
    index: &'a [Option<usize>; 12],
}

impl<'a> Fields<'a> {
    /// The trimmed field, empty when the column is absent.
    fn get(&self, name: &str) -> &'a str {
        col(self.index, name)
            .and_then(|i| self.record.get(i))
            .unwrap_or("")
            .trim()
    }

    fn required(&self, name: &str) -> Result<&'a str, String> {
        let v = self.get(name);
        if v.is_empty() {
            Err(format!("`{name}` is empty"))
        } else {
            Ok(v)
        }
    }
}

fn parse_row(f: &Fields<'_>) -> Result<Observation, String> {
    let get = |name: &str| f.get(name);
    let required = |name: &str| f.required(name);
    let company = required("company")?.to_string();
    let signal_text = required("signal")?;
    let signal = Signal::parse(signal_text).ok_or_else(|| {
        format!(
            "unknown signal `{signal_text}` (signals: {})",
            Signal::names()
        )
    })?;
    let value_text = required("value")?;
    let value: f64 = value_text
        .replace('_', "")
        .parse()
        .map_err(|_| format!("`value` is not a number: `{value_text}`"))?;
    if !value.is_finite() {
        return Err(format!("`value` must be finite, found `{value_text}`"));
    }
    let unit = get("unit");
    if !unit.is_empty() && unit != signal.unit() {
        return Err(format!(
            "`{signal}` is in {}, not `{unit}` (write the value in {} or leave `unit` empty)",
            signal.unit(),
            signal.unit()
        ));
    }
    let kind_text = required("kind")?;
    let kind = Kind::parse(kind_text).ok_or_else(|| {
        format!("unknown kind `{kind_text}` (expected reported, guidance or estimate)")
    })?;
    let scope = match get("scope") {
        "" => Scope::Company,
        s => Scope::parse(s).ok_or_else(|| format!("unknown scope `{s}` (company or ai)"))?,
    };
    let source = required("source")?.to_string();
    let recorded_text = required("recorded")?;
    let recorded = parse_date(recorded_text)
        .ok_or_else(|| format!("`recorded` is not a date (YYYY-MM-DD): `{recorded_text}`"))?;
    let (start, end) = period(f, signal)?;
    let note = Some(get("note").to_string()).filter(|n| !n.is_empty());
    Ok(Observation {
        company,
        cik: None,
        signal,
        unit: signal.unit().to_string(),
        scope,
        start,
        end,
        value,
        kind,
        source,
        recorded,
        derivation: Derivation::Direct,
        concept: None,
        form: None,
        revisions: 0,
        note,
    })
}

/// The period from `start`/`end` or from `period` (a calendar quarter, half or year).
fn period(f: &Fields<'_>, signal: Signal) -> Result<(Option<NaiveDate>, NaiveDate), String> {
    let (start_text, end_text, period_text) = (f.get("start"), f.get("end"), f.get("period"));
    let (start, end) = if !period_text.is_empty() {
        if !start_text.is_empty() || !end_text.is_empty() {
            return Err("give either `period` or `start`/`end`, not both".into());
        }
        let spec = PeriodSpec::parse(period_text).map_err(|e| e.to_string())?;
        let quarters = spec
            .quarters(None)
            .map_err(|_| format!("`period` must be a calendar period, found `{period_text}`"))?;
        let (Some(first), Some(last)) = (quarters.first(), quarters.last()) else {
            return Err(format!("`period` `{period_text}` covers no quarter"));
        };
        let start = first.offset(-1).end_date().succ_opt();
        let end = last.end_date();
        if signal.instant() {
            (None, end)
        } else {
            (start, end)
        }
    } else {
        let end = parse_date(end_text).ok_or_else(|| {
            if end_text.is_empty() {
                "`end` is empty (or give a `period`)".to_string()
            } else {
                format!("`end` is not a date (YYYY-MM-DD): `{end_text}`")
            }
        })?;
        let start = match start_text {
            "" => None,
            t => Some(
                parse_date(t)
                    .ok_or_else(|| format!("`start` is not a date (YYYY-MM-DD): `{t}`"))?,
            ),
        };
        (start, end)
    };
    if let Some(s) = start {
        if s > end {
            return Err(format!("`start` {s} is after `end` {end}"));
        }
        if signal.instant() {
            return Err(format!(
                "`{signal}` is a balance at a date: leave `start` empty and put the date in `end`"
            ));
        }
        if PeriodClass::of(start, end) == PeriodClass::Other {
            let days = (end - s).num_days();
            // Flows are compared over whole quarters: the period must be about 3, 6, 9 or
            // 12 months.
            if signal.needs_period() {
                return Err(format!(
                    "the period {s}..{end} ({days} days) is not a quarter, half, nine months or \
                     year"
                ));
            }
        }
    } else if signal.needs_period() {
        return Err(format!(
            "`{signal}` is a flow over a period: give `start` and `end`, or a `period`"
        ));
    }
    Ok((start, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = "company,signal,value,start,end,kind,source,recorded,scope\n";

    #[test]
    fn reads_rows_and_periods() {
        let text = format!(
            "{HEAD}Acme,rpo,1.5e9,,2025-12-31,reported,10-K,2026-02-01,\n\
             # a comment\n\
             Acme,capex,40e9,2026-01-01,2026-12-31,guidance,call,2026-01-30,ai\n"
        );
        let obs = parse("a.csv", &text).unwrap();
        assert_eq!(obs.len(), 2);
        assert_eq!(obs[0].signal, Signal::Rpo);
        assert_eq!(obs[0].start, None);
        assert_eq!(obs[1].scope, Scope::Ai);
        assert_eq!(obs[1].class(), PeriodClass::Year);
        let p = "company,signal,value,period,kind,source,recorded\n\
                 Acme,capex,10e9,2026Q3,reported,x,2026-11-01\n";
        let obs = parse("p.csv", p).unwrap();
        assert_eq!(obs[0].start, parse_date("2026-07-01"));
        assert_eq!(obs[0].end, parse_date("2026-09-30").unwrap());
    }

    #[test]
    fn the_example_file_parses() {
        let text = include_str!("../../../examples/evidence/observations.csv");
        let obs = parse("observations.csv", text).unwrap();
        assert_eq!(obs.len(), 8);
        assert!(obs.iter().any(|o| o.signal == Signal::LabCashBurn));
    }

    #[test]
    fn names_the_row_and_line() {
        let text = format!(
            "{HEAD}Acme,rpo,1.5e9,,2025-12-31,reported,10-K,2026-02-01,\n\
             Acme,rp0,1.5e9,,2025-12-31,reported,10-K,2026-02-01,\n"
        );
        let e = parse("a.csv", &text).unwrap_err();
        assert_eq!(e.location.as_deref(), Some("row 2 (line 3)"));
        assert!(
            e.to_string()
                .starts_with("a.csv: row 2 (line 3): unknown signal `rp0`")
        );
        let bad = format!("{HEAD}Acme,capex,1e9,,2025-12-31,reported,x,2026-01-01,\n");
        assert!(
            parse("b.csv", &bad)
                .unwrap_err()
                .message
                .contains("flow over a period")
        );
        let nan = format!("{HEAD}Acme,rpo,NaN,,2025-12-31,reported,x,2026-01-01,\n");
        assert!(parse("c.csv", &nan).unwrap_err().message.contains("finite"));
        let short = format!("{HEAD}Acme,rpo,1\n");
        assert!(
            parse("d.csv", &short)
                .unwrap_err()
                .to_string()
                .contains("row 1")
        );
    }
}
