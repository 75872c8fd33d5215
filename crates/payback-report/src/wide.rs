//! Wide CSV tables, one row per run and period, one column per series: `quarterly.csv` and
//! `annual.csv` of `payback report`, the same figures as the workbook's Quarterly and Annual
//! sheets.
//!
//! Numbers are printed as in the tidy CSV ([`crate::fmt::plain`]: full precision, never an
//! exponent); an undefined figure is an empty cell. Units are those of `payback explain` and
//! `docs/formats.md`; money is in US dollars.

use std::io;

use crate::annual::{YearBasis, rollups_for};
use crate::fmt::plain;
use crate::tidy::optional_series;
use crate::{Run, quarter_label};

/// Names of the premium tiers over all runs, in order of first appearance.
pub fn tier_names<'a>(runs: &[Run<'a>]) -> Vec<&'a str> {
    let mut names: Vec<&'a str> = Vec::new();
    for r in runs {
        for t in &r.projection.tiers {
            if !names.contains(&t.name.as_str()) {
                names.push(&t.name);
            }
        }
    }
    names
}

/// `scenario,quarter,<every quarterly series>,<optional series>,tier.<name>.revenue...`.
pub fn quarterly(out: &mut dyn io::Write, runs: &[Run<'_>]) -> io::Result<()> {
    let tiers = tier_names(runs);
    let mut header: Vec<String> = vec!["scenario".into(), "quarter".into()];
    header.extend(
        payback_model::projection::Quarterly::NAMES
            .iter()
            .map(|n| n.to_string()),
    );
    if let Some(first) = runs.first() {
        header.extend(
            optional_series(first.projection)
                .iter()
                .map(|(n, _, _)| n.to_string()),
        );
    }
    header.extend(tiers.iter().map(|t| format!("tier.{t}.revenue")));
    write_row(out, &header)?;
    for run in runs {
        let p = run.projection;
        let cols = p.q.columns();
        let opt = optional_series(p);
        for t in 0..p.quarters.len() {
            let mut row: Vec<String> = vec![run.label.to_string(), quarter_label(p, t)];
            row.extend(cols.iter().map(|c| plain(c.values.get(t).copied())));
            row.extend(
                opt.iter()
                    .map(|(_, _, v)| plain(v.get(t).copied().flatten())),
            );
            for name in &tiers {
                let v = p
                    .tiers
                    .iter()
                    .find(|x| x.name == *name)
                    .and_then(|x| x.revenue.get(t).copied());
                row.push(plain(v));
            }
            write_row(out, &row)?;
        }
    }
    Ok(())
}

/// `scenario,basis,year,quarters,<every series rolled up>`: calendar years for every run,
/// then fiscal years for the runs whose scenario has a fiscal year end.
pub fn annual(out: &mut dyn io::Write, runs: &[Run<'_>]) -> io::Result<()> {
    let tables: Vec<(&Run<'_>, crate::annual::Annual)> = runs
        .iter()
        .flat_map(|r| {
            rollups_for(r.settings, r.projection)
                .into_iter()
                .map(move |a| (r, a))
        })
        .collect();
    let mut header: Vec<String> = vec![
        "scenario".into(),
        "basis".into(),
        "year".into(),
        "quarters".into(),
    ];
    if let Some((_, a)) = tables.first() {
        header.extend(a.series.iter().map(|s| s.name.to_string()));
    }
    write_row(out, &header)?;
    for (run, a) in &tables {
        let basis = match a.basis {
            YearBasis::Calendar => "calendar",
            YearBasis::Fiscal { .. } => "fiscal",
        };
        for (i, y) in a.years.iter().enumerate() {
            let mut row: Vec<String> = vec![
                run.label.to_string(),
                basis.into(),
                y.label.clone(),
                y.quarters.len().to_string(),
            ];
            row.extend(
                a.series
                    .iter()
                    .map(|s| plain(s.values.get(i).copied().flatten())),
            );
            write_row(out, &row)?;
        }
    }
    Ok(())
}

/// One RFC 4180 row, quoted only where needed, `\n`-terminated.
fn write_row(out: &mut dyn io::Write, fields: &[String]) -> io::Result<()> {
    let refs: Vec<&str> = fields.iter().map(String::as_str).collect();
    crate::tidy::write_row(out, &refs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{sample_projection, sample_settings};

    #[test]
    fn one_row_per_quarter_and_year() {
        let p = sample_projection();
        let s = sample_settings();
        let run = Run {
            label: "a,b",
            settings: &s,
            overlays: &[],
            projection: &p,
            input_warnings: &[],
        };
        let mut q = Vec::new();
        quarterly(&mut q, &[run]).unwrap();
        let q = String::from_utf8(q).unwrap();
        assert_eq!(q.lines().count(), 1 + p.quarters.len());
        assert!(q.starts_with("scenario,quarter,capacity,"));
        assert!(q.lines().nth(1).unwrap().starts_with("\"a,b\",2024Q1,"));
        let mut a = Vec::new();
        annual(&mut a, &[run]).unwrap();
        let a = String::from_utf8(a).unwrap();
        assert!(a.starts_with("scenario,basis,year,quarters,capacity,"));
        assert!(a.contains("\"a,b\",calendar,2024,4,"));
        let bad = |s: &str| {
            s.lines()
                .skip(1)
                .any(|l| l.split(',').any(|f| f.contains("NaN") || f.contains("inf")))
        };
        assert!(!bad(&q) && !bad(&a));
    }
}
