//! Sensitivity and goal-seek results as terminal tables, CSV and JSON (`docs/sensitivity.md`).
//!
//! - tornado ([`payback_sim::sensitivity::Tornado`]), ensemble tornado
//!   ([`payback_sim::sensitivity::Ensemble`]), Sobol indices
//!   ([`payback_sim::sobol::SobolResult`]), two-way grid ([`payback_sim::sensitivity::Grid`]),
//!   bridge ([`payback_sim::bridge::Bridge`]): `*_text` and `*_csv` each;
//! - goal seek ([`payback_sim::solve::Solution`]) and top-down rules
//!   ([`payback_sim::solve::TopDown`]): `*_text`;
//! - [`json`]: any of them as one JSON document with a `schema` name
//!   (`payback-sensitivity/1`, `payback-solve/1`).
//!
//! Money prints in billions of US dollars in tables; CSV and JSON carry plain US dollars. Every
//! table states which kind of sensitivity it is. Missing values print as `—` (table), empty
//! (CSV) or `null` (JSON), never NaN.

use std::io::{self, Write};

use payback_model::Quarter;
use payback_sim::bridge::Bridge;
use payback_sim::sensitivity::{Ensemble, Figures, Grid, Tornado};
use payback_sim::sobol::{Index, SobolResult};
use payback_sim::solve::{Solution, Status, TopDown};
use serde::Serialize;

use crate::fmt;

fn q(x: Option<Quarter>) -> String {
    x.map_or_else(|| "never".to_string(), |q| q.to_string())
}

fn csv_q(x: Option<Quarter>) -> String {
    x.map_or_else(|| "never".to_string(), |q| q.to_string())
}

fn num(x: f64) -> String {
    fmt::plain(Some(x))
}

fn opt(x: Option<f64>) -> String {
    fmt::plain(x)
}

fn signed_b(x: f64) -> String {
    if x > 0.0 {
        format!("+{}", fmt::money_b(x))
    } else {
        fmt::money_b(x)
    }
}

fn dq(x: Option<i32>) -> String {
    match x {
        Some(0) => "0".into(),
        Some(v) if v > 0 => format!("+{v} q"),
        Some(v) => format!("{v} q"),
        None => "—".into(),
    }
}

fn quote(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn value(x: f64) -> String {
    fmt::sig6(x)
}

/// The tornado as a table.
pub fn tornado_text(out: &mut dyn Write, t: &Tornado) -> io::Result<()> {
    writeln!(out, "Tornado: {}", t.kind)?;
    writeln!(
        out,
        "  base: NPV {}  payback {}  peak funding {}",
        fmt::money_b(t.base.npv),
        q(t.base.payback),
        fmt::money_b(t.base.peak_funding)
    )?;
    writeln!(
        out,
        "  sorted by |NPV swing|; money in $bn; low/high = the input's low and high value\n"
    )?;
    writeln!(
        out,
        "  {:<40} {:>10} {:>10} {:>10}  {:>9} {:>9} {:>9}  {:>8} {:>8}  {:>9} {:>9}",
        "input",
        "low",
        "base",
        "high",
        "NPV low",
        "NPV high",
        "swing",
        "pb low",
        "pb high",
        "peak low",
        "peak high"
    )?;
    for r in &t.rows {
        let line = format!(
            "  {:<40} {:>10} {:>10} {:>10}  {:>9} {:>9} {:>9}  {:>8} {:>8}  {:>9} {:>9}",
            r.path,
            value(r.low_value),
            value(r.base_value),
            value(r.high_value),
            fmt::money_b(r.low.npv),
            fmt::money_b(r.high.npv),
            signed_b(r.npv_swing),
            q(r.low.payback),
            q(r.high.payback),
            fmt::money_b(r.low.peak_funding),
            fmt::money_b(r.high.peak_funding)
        );
        writeln!(out, "{}", line.trim_end())?;
    }
    writeln!(out, "\nSources of the low and high values")?;
    for r in &t.rows {
        let how = if r.scale {
            " (factors on the scenario's values)"
        } else {
            ""
        };
        writeln!(out, "  {:<40} {}{how}", r.path, r.source)?;
    }
    Ok(())
}

/// The tornado as CSV: one row per input.
pub fn tornado_csv(out: &mut dyn Write, t: &Tornado) -> io::Result<()> {
    writeln!(
        out,
        "kind,path,source,scale,low_value,base_value,high_value,npv_low,npv_high,npv_swing,payback_low,payback_high,payback_swing_quarters,peak_funding_low,peak_funding_high,peak_funding_swing"
    )?;
    writeln!(
        out,
        "base,,,,,,,{},{},0,{},{},0,{},{},0",
        num(t.base.npv),
        num(t.base.npv),
        csv_q(t.base.payback),
        csv_q(t.base.payback),
        num(t.base.peak_funding),
        num(t.base.peak_funding)
    )?;
    for r in &t.rows {
        writeln!(
            out,
            "one_at_a_time,{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
            quote(&r.path),
            quote(&r.source),
            r.scale,
            num(r.low_value),
            num(r.base_value),
            num(r.high_value),
            num(r.low.npv),
            num(r.high.npv),
            num(r.npv_swing),
            csv_q(r.low.payback),
            csv_q(r.high.payback),
            r.payback_swing_quarters
                .map_or_else(String::new, |v| v.to_string()),
            num(r.low.peak_funding),
            num(r.high.peak_funding),
            num(r.peak_funding_swing)
        )?;
    }
    Ok(())
}

fn rho(x: Option<f64>) -> String {
    x.map_or_else(|| "—".into(), |v| format!("{v:+.3}"))
}

/// The ensemble tornado as a table.
pub fn ensemble_text(out: &mut dyn Write, e: &Ensemble) -> io::Result<()> {
    writeln!(out, "Ensemble tornado: {}", e.kind)?;
    writeln!(
        out,
        "  paths {}  seed {}  sampling {}  events {}  mean NPV {}",
        e.paths,
        e.seed,
        e.sampling,
        if e.events { "drawn" } else { "in expectation" },
        fmt::money_b(e.mean_npv)
    )?;
    writeln!(
        out,
        "  sorted by |mean NPV, top 20 % - bottom 20 %|; money in $bn; payback = median quarter of the group (never ranked last)\n"
    )?;
    writeln!(
        out,
        "  {:<40} {:>10} {:>10} {:>9}  {:>8} {:>8}  {:>10} {:>10}  {:>7} {:>7} {:>7}",
        "input",
        "NPV bot.",
        "NPV top",
        "diff",
        "pb bot.",
        "pb top",
        "peak bot.",
        "peak top",
        "ρ NPV",
        "ρ pb",
        "ρ peak"
    )?;
    for r in &e.rows {
        let line = format!(
            "  {:<40} {:>10} {:>10} {:>9}  {:>8} {:>8}  {:>10} {:>10}  {:>7} {:>7} {:>7}",
            r.path,
            fmt::money_b(r.bottom.mean_npv),
            fmt::money_b(r.top.mean_npv),
            signed_b(r.npv_difference),
            q(r.bottom.median_payback),
            q(r.top.median_payback),
            fmt::money_b(r.bottom.mean_peak_funding),
            fmt::money_b(r.top.mean_peak_funding),
            rho(r.spearman_npv),
            rho(r.spearman_payback),
            rho(r.spearman_peak_funding)
        );
        writeln!(out, "{}", line.trim_end())?;
    }
    writeln!(
        out,
        "\nρ: Spearman rank correlation of the input's draws with the output over all paths (payback: \"never\" ranked last, ties averaged)."
    )?;
    Ok(())
}

/// The ensemble tornado as CSV: one row per input.
pub fn ensemble_csv(out: &mut dyn Write, e: &Ensemble) -> io::Result<()> {
    writeln!(
        out,
        "path,paths_per_group,npv_bottom,npv_top,npv_difference,payback_median_bottom,payback_median_top,paid_back_share_bottom,paid_back_share_top,peak_funding_bottom,peak_funding_top,spearman_npv,spearman_payback,spearman_peak_funding"
    )?;
    for r in &e.rows {
        writeln!(
            out,
            "{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
            quote(&r.path),
            r.top.paths,
            num(r.bottom.mean_npv),
            num(r.top.mean_npv),
            num(r.npv_difference),
            csv_q(r.bottom.median_payback),
            csv_q(r.top.median_payback),
            num(r.bottom.paid_back_share),
            num(r.top.paid_back_share),
            num(r.bottom.mean_peak_funding),
            num(r.top.mean_peak_funding),
            opt(r.spearman_npv),
            opt(r.spearman_payback),
            opt(r.spearman_peak_funding)
        )?;
    }
    Ok(())
}

fn idx(x: &Option<Index>) -> String {
    match x {
        Some(i) => format!("{:>6.3} [{:>6.3}, {:>6.3}]", i.estimate, i.lo, i.hi),
        None => format!("{:>24}", "—"),
    }
}

/// Sobol indices as a table, one block per output.
pub fn sobol_text(out: &mut dyn Write, r: &SobolResult) -> io::Result<()> {
    writeln!(out, "Sobol indices: {}", r.method)?;
    writeln!(
        out,
        "  N {}  model runs {}  seed {}  bootstrap {} resamples, {:.0} % intervals",
        r.n,
        r.evaluations,
        r.seed,
        r.bootstrap,
        r.confidence * 100.0
    )?;
    writeln!(
        out,
        "  inputs drawn independently from their distributions ([correlations] ignored), hazards and renewals in expectation"
    )?;
    for o in &r.outputs {
        writeln!(
            out,
            "\n{} (standard deviation {})",
            o.name,
            fmt::sig6(libm::sqrt(o.variance))
        )?;
        writeln!(
            out,
            "  {:<40} {:>24}  {:>24}",
            "input", "first order S [CI]", "total order ST [CI]"
        )?;
        for (i, name) in r.inputs.iter().enumerate() {
            writeln!(
                out,
                "  {:<40} {}  {}",
                name,
                idx(&o.first[i]),
                idx(&o.total[i])
            )?;
        }
    }
    writeln!(
        out,
        "\nS: share of the output's variance due to the input alone; ST: including its interactions. Estimates from few runs can fall below 0 or above 1: widen --sobol N."
    )?;
    Ok(())
}

/// Sobol indices as CSV: `output,input,order,estimate,lo,hi,std_error`.
pub fn sobol_csv(out: &mut dyn Write, r: &SobolResult) -> io::Result<()> {
    writeln!(out, "output,input,order,estimate,lo,hi,std_error")?;
    for o in &r.outputs {
        for (i, name) in r.inputs.iter().enumerate() {
            for (order, x) in [("first", &o.first[i]), ("total", &o.total[i])] {
                match x {
                    Some(x) => writeln!(
                        out,
                        "{},{},{order},{},{},{},{}",
                        o.name,
                        quote(name),
                        num(x.estimate),
                        num(x.lo),
                        num(x.hi),
                        num(x.std_error)
                    )?,
                    None => writeln!(out, "{},{},{order},,,,", o.name, quote(name))?,
                }
            }
        }
    }
    Ok(())
}

/// What a grid shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GridOutput {
    /// NPV.
    Npv,
    /// Headline payback quarter.
    Payback,
    /// Peak funding need.
    PeakFunding,
}

impl GridOutput {
    fn name(self) -> &'static str {
        match self {
            GridOutput::Npv => "npv",
            GridOutput::Payback => "payback",
            GridOutput::PeakFunding => "peak_funding",
        }
    }

    fn text(self, f: &Figures) -> String {
        match self {
            GridOutput::Npv => fmt::money_b(f.npv),
            GridOutput::Payback => q(f.payback),
            GridOutput::PeakFunding => fmt::money_b(f.peak_funding),
        }
    }

    fn csv(self, f: &Figures) -> String {
        match self {
            GridOutput::Npv => num(f.npv),
            GridOutput::Payback => csv_q(f.payback),
            GridOutput::PeakFunding => num(f.peak_funding),
        }
    }
}

/// A two-way grid as a table: rows are the first path's values, columns the second's.
pub fn grid_text(out: &mut dyn Write, g: &Grid, what: GridOutput) -> io::Result<()> {
    let label = match what {
        GridOutput::Npv => "NPV ($bn)",
        GridOutput::Payback => "headline payback quarter",
        GridOutput::PeakFunding => "peak funding need ($bn)",
    };
    writeln!(
        out,
        "Two-way grid: {label}; every other input at the scenario's value (base: {})",
        what.text(&g.base)
    )?;
    writeln!(out, "  rows: {}", g.row_path)?;
    writeln!(out, "  columns: {}\n", g.column_path)?;
    let mut header = format!("  {:>12} |", "");
    for c in &g.column_values {
        header.push_str(&format!(" {:>10}", value(*c)));
    }
    writeln!(out, "{header}")?;
    writeln!(
        out,
        "  {}-+{}",
        "-".repeat(12),
        "-".repeat(11 * g.column_values.len())
    )?;
    for (r, row) in g.row_values.iter().zip(&g.cells) {
        let mut line = format!("  {:>12} |", value(*r));
        for f in row {
            line.push_str(&format!(" {:>10}", what.text(f)));
        }
        writeln!(out, "{line}")?;
    }
    Ok(())
}

/// A two-way grid as long CSV: `row_path,row_value,column_path,column_value,output,value`.
pub fn grid_csv(out: &mut dyn Write, g: &Grid, what: GridOutput) -> io::Result<()> {
    writeln!(
        out,
        "row_path,row_value,column_path,column_value,output,value"
    )?;
    for (r, row) in g.row_values.iter().zip(&g.cells) {
        for (c, f) in g.column_values.iter().zip(row) {
            writeln!(
                out,
                "{},{},{},{},{},{}",
                quote(&g.row_path),
                num(*r),
                quote(&g.column_path),
                num(*c),
                what.name(),
                what.csv(f)
            )?;
        }
    }
    Ok(())
}

/// The bridge as a waterfall table.
pub fn bridge_text(out: &mut dyn Write, b: &Bridge, from: &str, to: &str) -> io::Result<()> {
    writeln!(out, "Bridge from {from} to {to}")?;
    writeln!(out, "  Order matters: {}.\n", b.note)?;
    writeln!(
        out,
        "  {:<58} {:>10} {:>10}  {:>8} {:>7}  {:>10}",
        "step", "NPV chg", "NPV after", "payback", "chg", "peak chg"
    )?;
    let first = format!(
        "  {:<58} {:>10} {:>10}  {:>8}",
        from,
        "",
        fmt::money_b(b.base.npv),
        q(b.base.payback)
    );
    writeln!(out, "{}", first.trim_end())?;
    for s in &b.steps {
        let label = if s.line > 0 {
            format!("{} (line {})", s.label, s.line)
        } else {
            s.label.clone()
        };
        let line = format!(
            "  {:<58} {:>10} {:>10}  {:>8} {:>7}  {:>10}",
            label,
            signed_b(s.npv_change),
            fmt::money_b(s.after.npv),
            q(s.after.payback),
            dq(s.payback_change_quarters),
            signed_b(s.peak_funding_change)
        );
        writeln!(out, "{}", line.trim_end())?;
    }
    writeln!(
        out,
        "  {:<58} {:>10} {:>10}  {:>8} {:>7}  {:>10}",
        format!("total: {to}"),
        signed_b(b.npv_change),
        fmt::money_b(b.target.npv),
        q(b.target.payback),
        dq(b.payback_change_quarters),
        signed_b(b.peak_funding_change)
    )?;
    writeln!(
        out,
        "\nThe steps' NPV changes add up to the total (each is the difference of consecutive cumulative runs). A payback change shows — when either side never pays back within the horizon."
    )?;
    Ok(())
}

/// The bridge as CSV: one row per step, the base first and the total last.
pub fn bridge_csv(out: &mut dyn Write, b: &Bridge) -> io::Result<()> {
    writeln!(
        out,
        "step,label,line,npv_change,npv_after,payback_after,payback_change_quarters,peak_funding_change,peak_funding_after"
    )?;
    writeln!(
        out,
        "0,base,,,{},{},,,{}",
        num(b.base.npv),
        csv_q(b.base.payback),
        num(b.base.peak_funding)
    )?;
    for (i, s) in b.steps.iter().enumerate() {
        writeln!(
            out,
            "{},{},{},{},{},{},{},{},{}",
            i + 1,
            quote(&s.label),
            s.line,
            num(s.npv_change),
            num(s.after.npv),
            csv_q(s.after.payback),
            s.payback_change_quarters
                .map_or_else(String::new, |v| v.to_string()),
            num(s.peak_funding_change),
            num(s.after.peak_funding)
        )?;
    }
    writeln!(
        out,
        "total,total,,{},{},{},{},{},{}",
        num(b.npv_change),
        num(b.target.npv),
        csv_q(b.target.payback),
        b.payback_change_quarters
            .map_or_else(String::new, |v| v.to_string()),
        num(b.peak_funding_change),
        num(b.target.peak_funding)
    )?;
    Ok(())
}

fn summary_line(f: &Figures) -> String {
    format!(
        "payback {}  NPV {}  IRR {}  peak funding {}",
        q(f.payback),
        fmt::money_b(f.npv),
        fmt::opt_pct(f.irr),
        fmt::money_b(f.peak_funding)
    )
}

/// A goal-seek result.
pub fn solve_text(out: &mut dyn Write, s: &Solution) -> io::Result<()> {
    let what = if s.scale {
        format!("a factor on {}", s.path)
    } else {
        s.path.clone()
    };
    writeln!(out, "Goal seek: {what} for `{}`", s.target)?;
    writeln!(
        out,
        "  searched {} to {} ({} projections)",
        fmt::sig6(s.searched.0),
        fmt::sig6(s.searched.1),
        s.evaluations
    )?;
    writeln!(
        out,
        "  base value {}: {}",
        fmt::sig6(s.base_value),
        summary_line(&s.base)
    )?;
    match s.status {
        Status::Found => {
            if let (Some(v), Some(f)) = (s.value, &s.at_value) {
                writeln!(out, "  found {}: {}", fmt::plain(Some(v)), summary_line(f))?;
            }
            if let Some((x, f)) = &s.across {
                writeln!(
                    out,
                    "  across the boundary {}: payback {}",
                    fmt::plain(Some(*x)),
                    q(f.payback)
                )?;
            }
            if let Some(r) = s.residual {
                writeln!(out, "  residual (metric - target): {}", fmt::sig6(r))?;
            }
        }
        Status::AlwaysMet | Status::NotMet => {}
    }
    writeln!(out, "\n{}", s.message)?;
    Ok(())
}

/// A top-down rule beside the model.
pub fn topdown_text(out: &mut dyn Write, t: &TopDown) -> io::Result<()> {
    writeln!(out, "{}", t.title)?;
    for l in &t.lines {
        let shown = match l.unit {
            "USD" => fmt::money_b(l.value),
            "years" => fmt::years(l.value),
            "ratio" => fmt::pct(l.value),
            _ => fmt::sig6(l.value),
        };
        writeln!(out, "  {:<54} {shown:>10}", l.label)?;
    }
    writeln!(
        out,
        "\nThe full model for the scenario (AI capex and revenue by year, $bn; * = {} {})",
        if t.rule == "sequoia" {
            "the year whose accelerator capex is nearest"
        } else {
            "the first year by which the cumulative AI capex reaches"
        },
        fmt::money_b(t.capex)
    )?;
    writeln!(
        out,
        "  {:>6} {:>10} {:>14} {:>10}",
        "year", "AI capex", "accelerators", "revenue"
    )?;
    for y in &t.model_years {
        let mark = if Some(y.year) == t.nearest_year {
            " *"
        } else {
            ""
        };
        writeln!(
            out,
            "  {:>6} {:>10} {:>14} {:>10}{mark}",
            y.year,
            fmt::money_b(y.capex),
            fmt::money_b(y.capex_accelerators),
            fmt::money_b(y.revenue)
        )?;
    }
    writeln!(out, "  model: {}", summary_line(&t.model))?;
    writeln!(
        out,
        "  the model's AI revenue reaches the rule's {} a year: {}",
        fmt::money_b(t.revenue_needed),
        t.first_year_reaching.map_or_else(
            || "not within the horizon".to_string(),
            |y| format!("in {y}")
        )
    )?;
    writeln!(out, "\nWhat the rule leaves out that the model has:")?;
    for l in &t.leaves_out {
        writeln!(out, "  - {l}")?;
    }
    Ok(())
}

/// Any result as one pretty JSON document with a `schema` field.
pub fn json<T: Serialize>(out: &mut dyn Write, schema: &str, kind: &str, v: &T) -> io::Result<()> {
    let mut doc = serde_json::to_value(v).map_err(io::Error::other)?;
    let wrapped = serde_json::json!({ "schema": schema, "kind": kind, "result": doc.take() });
    serde_json::to_writer_pretty(&mut *out, &wrapped).map_err(io::Error::other)?;
    writeln!(out)
}
