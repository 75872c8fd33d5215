//! CSV in tidy long format: one table holding every figure of every run.
//!
//! Columns `scenario,period,metric,unit,value` (RFC 4180 quoting, `\n` line ends). `period`
//! is a quarter (`2030Q2`) for quarterly series and runoff flows, or `summary` for summary
//! metrics, the vintage table and contract terms. Numbers are printed in full precision in
//! plain decimal (never an exponent; see [`crate::fmt::plain`]); an undefined figure is an
//! empty cell. The value of a metric whose unit is `quarter` or `status` is a label. The
//! layout is documented in `docs/formats.md`.

use std::io;

use crate::fmt::plain;
use crate::summary::{self, Value};
use crate::{Run, quarter_label};

/// The header row.
pub const HEADER: [&str; 5] = ["scenario", "period", "metric", "unit", "value"];

/// Write every figure of `runs` as one long CSV table.
pub fn render(out: &mut dyn io::Write, runs: &[Run<'_>]) -> io::Result<()> {
    write_row(out, &HEADER)?;
    for run in runs {
        write_run(out, run)?;
    }
    Ok(())
}

/// Write every row of one run, without the header: what [`render`] writes per run.
pub fn write_run(out: &mut dyn io::Write, run: &Run<'_>) -> io::Result<()> {
    let p = run.projection;
    let label = run.label;
    let row = |out: &mut dyn io::Write, period: &str, metric: &str, unit: &str, v: &str| {
        write_row(out, &[label, period, metric, unit, v])
    };
    write_metrics(out, label, "summary", &summary::metrics(run))?;
    for v in &p.vintages {
        let k = |field: &str| format!("vintage.{}.{field}", v.year);
        row(out, "summary", &k("capex"), "USD", &plain(Some(v.capex)))?;
        let q = v.payback.map(|q| q.to_string()).unwrap_or_default();
        row(out, "summary", &k("payback_quarter"), "quarter", &q)?;
        row(
            out,
            "summary",
            &k("payback_years"),
            "years",
            &plain(v.payback_years),
        )?;
        let surplus = plain(Some(v.surplus_at_horizon));
        row(out, "summary", &k("surplus_at_horizon"), "USD", &surplus)?;
        row(
            out,
            "summary",
            &k("price_to_cost"),
            "x",
            &plain(v.price_to_cost),
        )?;
    }
    for c in &p.contracts {
        let k = |field: &str| format!("contract.{}.{field}", c.name);
        row(
            out,
            "summary",
            &k("price"),
            "USD/ref-hour",
            &plain(Some(c.price)),
        )?;
        row(
            out,
            "summary",
            &k("minimum"),
            "USD",
            &plain(Some(c.minimum)),
        )?;
    }
    let quarters: Vec<String> = (0..p.quarters.len()).map(|i| quarter_label(p, i)).collect();
    let series = |out: &mut dyn io::Write,
                  name: &str,
                  unit: &str,
                  values: &mut dyn Iterator<Item = Option<f64>>|
     -> io::Result<()> {
        for (q, v) in quarters.iter().zip(values) {
            row(out, q, name, unit, &plain(v))?;
        }
        Ok(())
    };
    for c in p.q.columns() {
        series(out, c.name, c.unit, &mut c.values.iter().map(|x| Some(*x)))?;
    }
    for (name, unit, values) in optional_series(p) {
        series(out, name, unit, &mut values.iter().copied())?;
    }
    for t in &p.tiers {
        let k = |field: &str| format!("tier.{}.{field}", t.name);
        series(
            out,
            &k("served"),
            "ref-hours",
            &mut t.served.iter().map(|x| Some(*x)),
        )?;
        series(
            out,
            &k("multiplier"),
            "ratio",
            &mut t.multiplier.iter().map(|x| Some(*x)),
        )?;
        series(
            out,
            &k("revenue"),
            "USD",
            &mut t.revenue.iter().map(|x| Some(*x)),
        )?;
    }
    for c in &p.contracts {
        let k = |field: &str| format!("contract.{}.{field}", c.name);
        series(
            out,
            &k("revenue"),
            "USD",
            &mut c.revenue.iter().map(|x| Some(*x)),
        )?;
        series(out, &k("rpo"), "USD", &mut c.rpo.iter().map(|x| Some(*x)))?;
    }
    for v in &p.vintages {
        let name = format!("vintage.{}.contribution_cumulative", v.year);
        let values = &mut v.contribution_cumulative.iter().map(|x| Some(*x));
        series(out, &name, "USD", values)?;
    }
    if let Some(&last) = p.quarters.last() {
        for (k, x) in p.runoff_flows.iter().enumerate() {
            let q = last.offset(k as i32 + 1).to_string();
            row(out, &q, "runoff_fcf", "USD", &plain(Some(*x)))?;
        }
    }
    Ok(())
}

/// Write `metrics` as rows of `scenario` in `period`, as the summary rows of a run: a list
/// becomes `key.1`, `key.2`, ...; named numbers `key.<name>`; a flag `1` or `0`; an undefined
/// figure an empty cell.
pub fn write_metrics(
    out: &mut dyn io::Write,
    scenario: &str,
    period: &str,
    metrics: &[summary::Metric],
) -> io::Result<()> {
    let row = |out: &mut dyn io::Write, metric: &str, unit: &str, v: &str| {
        write_row(out, &[scenario, period, metric, unit, v])
    };
    for m in metrics {
        match &m.value {
            Value::Num(x) => row(out, m.key, m.unit, &plain(*x))?,
            Value::Text(t) => row(out, m.key, m.unit, t.as_deref().unwrap_or(""))?,
            Value::Flag(b) => row(out, m.key, m.unit, if *b { "1" } else { "0" })?,
            Value::List(xs) => {
                for (i, x) in xs.iter().enumerate() {
                    let key = format!("{}.{}", m.key, i + 1);
                    row(out, &key, m.unit, &plain(Some(*x)))?;
                }
            }
            Value::Named(xs) => {
                for (name, x) in xs {
                    let key = format!("{}.{name}", m.key);
                    row(out, &key, m.unit, &plain(Some(*x)))?;
                }
            }
        }
    }
    Ok(())
}

/// The optional series with their units, in a fixed order.
pub fn optional_series(
    p: &payback_model::Projection,
) -> [(&'static str, &'static str, &[Option<f64>]); 5] {
    [
        (
            "inference_cost_per_mtok",
            "USD/Mtok",
            &p.opt.inference_cost_per_mtok,
        ),
        (
            "inference_margin_per_mtok",
            "USD/Mtok",
            &p.opt.inference_margin_per_mtok,
        ),
        ("gross_margin", "ratio", &p.opt.gross_margin),
        ("ebitda_margin", "ratio", &p.opt.ebitda_margin),
        ("interest_coverage", "x", &p.opt.interest_coverage),
    ]
}

/// One RFC 4180 row, quoted only where needed, `\n`-terminated (shared with the wide CSVs).
pub fn write_row(out: &mut dyn io::Write, fields: &[&str]) -> io::Result<()> {
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        if f.contains([',', '"', '\n', '\r']) {
            out.write_all(b"\"")?;
            out.write_all(f.replace('"', "\"\"").as_bytes())?;
            out.write_all(b"\"")?;
        } else {
            out.write_all(f.as_bytes())?;
        }
    }
    out.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{sample_projection, sample_settings};

    fn csv() -> String {
        let p = sample_projection();
        let s = sample_settings();
        let run = Run {
            label: "base, \"quoted\"",
            settings: &s,
            overlays: &[],
            projection: &p,
            input_warnings: &[],
        };
        let mut out = Vec::new();
        render(&mut out, &[run]).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn long_format_with_quoting_and_empty_cells() {
        let text = csv();
        let mut lines = text.lines();
        assert_eq!(lines.next(), Some("scenario,period,metric,unit,value"));
        assert!(text.contains("\"base, \"\"quoted\"\"\",summary,payback_quarter,quarter,2025Q2\n"));
        assert!(text.contains(",summary,irr_roots.2,ratio,0.123\n"));
        assert!(text.contains(",summary,mirr_with_terminal,ratio,\n"));
        assert!(text.contains(",2024Q3,fcf,USD,3\n"));
        assert!(text.contains(",2024Q1,tier.standard.revenue,USD,500000000\n"));
        assert!(text.contains(",2026Q2,runoff_fcf,USD,500000000\n"));
        assert!(text.contains(",2024Q1,inference_cost_per_mtok,USD/Mtok,\n"));
        for line in text.lines().skip(1) {
            let value = line.rsplit(',').next().unwrap();
            let numeric = value.is_empty() || value.parse::<f64>().is_ok();
            assert!(!value.contains(['e', 'E', 'N', 'i']) || !numeric, "{line}");
        }
    }

    #[test]
    fn every_quarterly_series_has_every_quarter() {
        let text = csv();
        for name in payback_model::projection::Quarterly::NAMES {
            let pattern = format!(",{name},");
            let n = text
                .lines()
                .filter(|l| l.contains(&pattern) && !l.contains(",summary,"))
                .count();
            assert_eq!(n, 8, "{name}");
        }
    }
}
