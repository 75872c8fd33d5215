//! Monte Carlo results ([`payback_sim::SimReport`]) as a terminal table, CSV or JSON.
//!
//! - [`text`]: the run's settings (seed, RNG, paths, sampling, block size, percentile method),
//!   the payback distribution by year with standard errors, and the percentile table.
//! - [`csv`]: one long table `section,name,quarter,stat,value` with the same figures plus the
//!   fan-chart percentiles per quarter.
//! - [`json`]: the whole report (`schema: "payback-simulate/1"`), fan chart included.
//!
//! Money prints in billions of US dollars in the table; CSV and JSON carry plain US dollars.
//! Missing values print as `—` (table), empty (CSV) or `null` (JSON), never NaN.

use std::io::{self, Write};

use payback_sim::{FAN_PERCENTILES, PERCENTILES, SCALARS, SimReport};

use crate::fmt;

fn pname(p: f64) -> String {
    format!("P{}", libm::round(p * 100.0) as i64)
}

fn show(unit: &str, x: Option<f64>, start: Option<payback_model::Quarter>) -> String {
    match x {
        None => "—".into(),
        Some(v) => match unit {
            "quarters from start" => match start {
                Some(q) => q.offset(libm::round(v) as i32).to_string(),
                None => format!("{v:.1}"),
            },
            "USD" => fmt::money_b(v),
            "per year" => fmt::pct(v),
            "x" => format!("{v:.2}x"),
            _ => format!("{v:.1}"),
        },
    }
}

/// The terminal table.
pub fn text(out: &mut dyn Write, r: &SimReport) -> io::Result<()> {
    writeln!(out, "Monte Carlo simulation")?;
    writeln!(
        out,
        "  seed {}  rng {}  paths {}{}  sampling {}  block size {}",
        r.seed,
        r.rng,
        r.paths,
        if r.paths < r.paths_requested {
            format!(" (stopped early, of {})", r.paths_requested)
        } else {
            String::new()
        },
        r.sampling,
        r.block_size
    )?;
    writeln!(out, "  streams: {}", r.stream)?;
    writeln!(out, "  percentiles: {}", r.percentile_method)?;
    writeln!(
        out,
        "  events: {}",
        if r.events {
            "counterparty defaults and contract renewals drawn per path"
        } else {
            "hazards and renewals in expectation"
        }
    )?;
    writeln!(out, "\nUncertain inputs ({})", r.inputs.len())?;
    for (path, dist, scale) in &r.inputs {
        let how = if *scale { "  (scales the value)" } else { "" };
        writeln!(out, "  {path:<44} {dist}{how}")?;
    }
    writeln!(
        out,
        "\nHeadline payback (programme, no terminal value): P(paid back by end of year) ± standard error"
    )?;
    for y in &r.by_year {
        let bar_len = libm::round(y.probability * 40.0) as usize;
        let line = format!(
            "  {}  {:>6.1} % ± {:>4.1}  {}",
            y.year,
            y.probability * 100.0,
            y.std_error * 100.0,
            "#".repeat(bar_len)
        );
        writeln!(out, "{}", line.trim_end())?;
    }
    writeln!(
        out,
        "  never within horizon: {:.1} % ± {:.1} ({} paths)",
        r.p_never * 100.0,
        r.p_never_std_error * 100.0,
        r.payback_never
    )?;
    let q = |x: &Option<payback_model::Quarter>| x.map_or("never".to_string(), |q| q.to_string());
    writeln!(
        out,
        "  payback quarter P10 {}  P50 {}  P90 {}",
        q(&r.payback_p10_p50_p90[0]),
        q(&r.payback_p10_p50_p90[1]),
        q(&r.payback_p10_p50_p90[2])
    )?;
    writeln!(
        out,
        "\nPercentiles (money in $bn; the funding quarter's percentiles are rounded to quarters)"
    )?;
    let mut header = format!("  {:<22}", "output");
    for p in PERCENTILES {
        header.push_str(&format!("{:>10}", pname(p)));
    }
    header.push_str(&format!("{:>10}  note", "mean"));
    writeln!(out, "{header}")?;
    for row in &r.outputs {
        let mut line = format!("  {:<22}", row.name);
        for v in &row.stats.values {
            line.push_str(&format!("{:>10}", show(row.unit, *v, r.start)));
        }
        line.push_str(&format!("{:>10}", show(row.unit, row.stats.mean, r.start)));
        if row.missing > 0 {
            line.push_str(&format!("  {} paths without a value", row.missing));
        }
        if row.stats.approximate {
            let bound = row.stats.error_bound.iter().fold(0.0_f64, |a, b| a.max(*b));
            line.push_str(&format!("  approx. ±{}", show(row.unit, Some(bound), None)));
        }
        writeln!(out, "{}", line.trim_end())?;
    }
    writeln!(
        out,
        "\nFan-chart data (per-quarter P5/P25/P50/P75/P95 of cumulative FCF, revenue, utilization, RPO): --format csv or json"
    )?;
    Ok(())
}

fn cell(x: Option<f64>) -> String {
    x.filter(|v| v.is_finite())
        .map_or_else(String::new, |v| format!("{v}"))
}

/// The long CSV: `section,name,quarter,stat,value`.
pub fn csv(out: &mut dyn Write, r: &SimReport) -> io::Result<()> {
    writeln!(out, "section,name,quarter,stat,value")?;
    let settings = [
        ("seed", r.seed.to_string()),
        ("rng", r.rng.to_string()),
        ("paths", r.paths.to_string()),
        ("sampling", r.sampling.to_string()),
        ("block_size", r.block_size.to_string()),
        ("exact_percentiles", r.exact.to_string()),
        ("events", r.events.to_string()),
    ];
    for (k, v) in settings {
        writeln!(out, "run,{k},,,{v}")?;
    }
    for (path, _, _) in &r.inputs {
        writeln!(out, "input,\"{}\",,,", path.replace('"', "\"\""))?;
    }
    for c in &r.payback_by_quarter {
        writeln!(out, "payback,paths,{},count,{}", c.quarter, c.paths)?;
    }
    writeln!(out, "payback,paths,never,count,{}", r.payback_never)?;
    for y in &r.by_year {
        writeln!(
            out,
            "payback,by_year,{},probability,{}",
            y.year, y.probability
        )?;
        writeln!(out, "payback,by_year,{},std_error,{}", y.year, y.std_error)?;
    }
    writeln!(out, "payback,never,,probability,{}", r.p_never)?;
    writeln!(out, "payback,never,,std_error,{}", r.p_never_std_error)?;
    for row in &r.outputs {
        for (p, v) in PERCENTILES.iter().zip(&row.stats.values) {
            writeln!(out, "output,{},,{},{}", row.name, pname(*p), cell(*v))?;
        }
        writeln!(out, "output,{},,mean,{}", row.name, cell(row.stats.mean))?;
        writeln!(out, "output,{},,missing,{}", row.name, row.missing)?;
        if row.stats.approximate {
            for (p, e) in PERCENTILES.iter().zip(&row.stats.error_bound) {
                writeln!(out, "output,{},,{}_error_bound,{e}", row.name, pname(*p))?;
            }
        }
    }
    for f in &r.fan {
        for (p, v) in FAN_PERCENTILES.iter().zip(&f.stats.values) {
            writeln!(
                out,
                "fan,{},{},{},{}",
                f.series,
                f.quarter,
                pname(*p),
                cell(*v)
            )?;
        }
    }
    Ok(())
}

/// A CSV field: quoted when it holds a comma, a quote or a line break.
fn field(x: &str) -> String {
    if x.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", x.replace('"', "\"\""))
    } else {
        x.to_string()
    }
}

/// The header of the per-path samples CSV: `path`, one column per uncertain input (its
/// parameter path), one per drawn event ([`payback_sim::Plan::event_names`]), then `payback`
/// and the [`SCALARS`]: once for a scenario (`members` empty), or once per member, each
/// column named `<member>:<outcome>` (a portfolio's companies and industry).
pub fn samples_header(
    out: &mut dyn Write,
    inputs: &[String],
    events: &[String],
    members: &[String],
) -> io::Result<()> {
    let outcomes = || std::iter::once("payback").chain(SCALARS);
    let mut cols: Vec<String> = std::iter::once("path")
        .chain(inputs.iter().map(String::as_str))
        .chain(events.iter().map(String::as_str))
        .map(field)
        .collect();
    if members.is_empty() {
        cols.extend(outcomes().map(field));
    } else {
        for m in members {
            cols.extend(outcomes().map(|o| field(&format!("{m}:{o}"))));
        }
    }
    writeln!(out, "{}", cols.join(","))
}

/// One row per path of `b` (see [`samples_header`]): the run's path index; each input as
/// drawn (a multiplier for an input that scales); a default's first unserved quarter (empty:
/// none within the horizon) and a renewal as 1 or 0; the payback quarter (empty: not within
/// the horizon), then the [`SCALARS`]: NPV, IRR and MOIC (empty when there is none), peak
/// funding need and its quarter (as a quarter), economic recovery. Money in US dollars, IRR as
/// an annual fraction; numbers as [`fmt::plain`] writes them (shortest round-trip, no
/// exponent), so a spreadsheet reads the very same `f64`.
///
/// `starts` holds each member's first quarter (one for a scenario), from which its payback and
/// peak-funding quarters count.
pub fn samples_rows(
    out: &mut dyn Write,
    starts: &[payback_model::Quarter],
    b: &payback_sim::BlockPaths,
) -> io::Result<()> {
    use payback_sim::EventOutcome;
    let n = b.paths.max(1);
    let (k, e, m) = (b.inputs.len() / n, b.events.len() / n, b.outcomes.len() / n);
    let mut line = String::new();
    for i in 0..b.paths {
        use std::fmt::Write as _;
        line.clear();
        let _ = write!(line, "{}", b.first + i as u64);
        for &x in &b.inputs[i * k..(i + 1) * k] {
            let _ = write!(line, ",{}", fmt::plain(Some(x)));
        }
        for ev in &b.events[i * e..(i + 1) * e] {
            let _ = match ev {
                EventOutcome::Default(q) => {
                    write!(line, ",{}", q.map(|q| q.to_string()).unwrap_or_default())
                }
                EventOutcome::Renewal(r) => write!(line, ",{}", u8::from(*r)),
            };
        }
        for (o, start) in b.outcomes[i * m..(i + 1) * m].iter().zip(starts) {
            let quarter = |t: Option<usize>| t.map(|t| start.offset(t as i32).to_string());
            let _ = write!(
                line,
                ",{},{},{},{},{},{},{}",
                quarter(o.payback).unwrap_or_default(),
                fmt::plain(Some(o.npv)),
                fmt::plain(o.irr),
                fmt::plain(o.moic),
                fmt::plain(Some(o.peak_funding)),
                quarter(Some(o.peak_funding_quarter)).unwrap_or_default(),
                fmt::plain(Some(o.economic_recovery)),
            );
        }
        writeln!(out, "{line}")?;
    }
    Ok(())
}

/// The JSON document.
pub fn json(out: &mut dyn Write, r: &SimReport) -> io::Result<()> {
    let mut v = serde_json::to_value(r).map_err(io::Error::other)?;
    if let Some(o) = v.as_object_mut() {
        o.insert("schema".into(), "payback-simulate/1".into());
        o.insert(
            "percentiles".into(),
            serde_json::to_value(PERCENTILES.map(pname)).map_err(io::Error::other)?,
        );
        o.insert(
            "fan_percentiles".into(),
            serde_json::to_value(FAN_PERCENTILES.map(pname)).map_err(io::Error::other)?,
        );
    }
    serde_json::to_writer_pretty(&mut *out, &v).map_err(io::Error::other)?;
    writeln!(out)
}
