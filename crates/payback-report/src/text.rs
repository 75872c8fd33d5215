//! Terminal text: headline figures side by side, then per run the vintage, annual and
//! utilization tables, then warnings.
//!
//! Plain text only (no colours, no terminal queries): the caller passes the width. Money is
//! in billions of dollars with one decimal (`$12.3B`), ratios in percent, undefined figures
//! as `—`. Years run across the columns, as in a spreadsheet model, split into blocks that
//! fit the width.

use std::io;

use comfy_table::{CellAlignment, ColumnConstraint, ContentArrangement, Table, presets};
use payback_model::Projection;
use payback_model::Quarter;
use payback_model::finance::{IrrResult, Payback};

use crate::Run;
use crate::annual::{Annual, YearBasis};
use crate::fmt::{self, NONE};

/// Layout options.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// Total width in characters; `None` = no limit (every year in one table).
    pub width: Option<u16>,
}

/// Write the report of `runs` as text.
pub fn render(out: &mut dyn io::Write, runs: &[Run<'_>], options: Options) -> io::Result<()> {
    writeln!(out, "{}", headline(runs, options))?;
    for run in runs {
        writeln!(out)?;
        write_run(out, run, options)?;
    }
    let warned: Vec<&Run<'_>> = runs.iter().filter(|r| !r.warnings().is_empty()).collect();
    if !warned.is_empty() {
        writeln!(out)?;
        writeln!(out, "Warnings")?;
        for run in warned {
            for w in run.warnings() {
                writeln!(out, "  {}: {}", run.label, w)?;
            }
        }
    }
    Ok(())
}

/// No borders, a rule under the header only: quiet, and pastes cleanly into a spreadsheet.
const PRESET: &str = "     ──            ";

fn new_table(options: Options) -> Table {
    let mut t = Table::new();
    t.load_preset(PRESET).force_no_tty();
    match options.width {
        Some(w) => {
            t.set_width(w)
                .set_content_arrangement(ContentArrangement::Dynamic);
        }
        None => {
            t.set_content_arrangement(ContentArrangement::Disabled);
        }
    }
    t
}

/// Right-align the value columns; the label column never wraps.
fn align_right_from(t: &mut Table, first: usize) {
    for (i, col) in t.column_iter_mut().enumerate() {
        if i >= first {
            col.set_cell_alignment(CellAlignment::Right);
        } else {
            col.set_constraint(ColumnConstraint::ContentWidth);
        }
    }
}

/// `2031Q3 (7.6 years)`, `not within horizon, shortfall $3.2B` or `never negative`.
pub fn payback_text(p: &Payback, quarter: Option<Quarter>) -> String {
    match p {
        Payback::Reached {
            years, recrossed, ..
        } => {
            let q = quarter.map_or_else(|| NONE.to_string(), |q| q.to_string());
            let again = if *recrossed {
                ", negative again later"
            } else {
                ""
            };
            format!("{q} ({}){again}", fmt::years(*years))
        }
        Payback::NeverNegative => "never negative".to_string(),
        Payback::NotWithinHorizon { shortfall } => {
            format!("not within horizon, shortfall {}", fmt::money_b(*shortfall))
        }
    }
}

/// The primary IRR, with every root listed when there are several.
pub fn irr_text(irr: &IrrResult) -> String {
    let primary = fmt::opt_pct(irr.primary);
    if irr.multiple {
        let roots: Vec<String> = irr.roots.iter().map(|r| fmt::pct(*r)).collect();
        format!("{primary} (multiple roots: {})", roots.join(", "))
    } else {
        primary
    }
}

fn book_cover_text(p: &Projection) -> String {
    let b = &p.summary.book_cover;
    if b.surplus >= 0.0 {
        format!("yes, {} to spare", fmt::money_b(b.surplus))
    } else {
        format!("no, short {}", fmt::money_b(-b.surplus))
    }
}

fn share_text(x: f64, total: f64) -> String {
    let share = (total != 0.0).then(|| x / total);
    format!("{} ({})", fmt::money_b(x), fmt::opt_pct(share))
}

/// The side-by-side headline table.
fn headline(runs: &[Run<'_>], options: Options) -> Table {
    let mut t = new_table(options);
    let mut header = vec![String::new()];
    header.extend(runs.iter().map(|r| r.label.to_string()));
    t.set_header(header);
    let mut row = |label: &str, f: &dyn Fn(&Run<'_>) -> String| {
        let mut cells = vec![label.to_string()];
        cells.extend(runs.iter().map(f));
        t.add_row(cells);
    };
    fn s<'a>(r: &Run<'a>) -> &'a payback_model::projection::Summary {
        &r.projection.summary
    }
    row("Payback (programme)", &|r| {
        payback_text(&s(r).payback, s(r).payback_quarter)
    });
    row("Payback with runoff", &|r| {
        payback_text(&s(r).payback_runoff, s(r).payback_runoff_quarter)
    });
    row("Book value at horizon", &|r| {
        fmt::money_b(s(r).book_cover.value)
    });
    row("Book value covers shortfall", &|r| {
        book_cover_text(r.projection)
    });
    row("Cash-flow positive from", &|r| {
        s(r).cash_flow_positive
            .map_or_else(|| "not within horizon".to_string(), |q| q.to_string())
    });
    row("Discount rate", &|r| fmt::pct(r.settings.discount_rate));
    row("NPV", &|r| fmt::money_b(s(r).npv));
    row("NPV with terminal value", &|r| {
        fmt::money_b(s(r).npv_with_terminal)
    });
    row("Terminal value", &|r| fmt::money_b(s(r).terminal_value));
    row("IRR", &|r| irr_text(&s(r).irr));
    row("IRR with terminal value", &|r| {
        irr_text(&s(r).irr_with_terminal)
    });
    row("MIRR", &|r| fmt::opt_pct(s(r).mirr));
    row("MIRR with terminal value", &|r| {
        fmt::opt_pct(s(r).mirr_with_terminal)
    });
    row("MOIC", &|r| fmt::multiple(s(r).moic));
    row("Capex in horizon", &|r| fmt::money_b(s(r).capex_total));
    row("Peak funding need", &|r| {
        // The need is reported as a positive amount whichever sign the engine stores.
        let d = s(r).peak_funding;
        if d.value != 0.0 {
            format!("{} in {}", fmt::money_b(d.value.abs()), d.quarter)
        } else {
            "none".to_string()
        }
    });
    if runs.iter().any(|r| r.projection.summary.debt.is_some()) {
        row("Peak debt", &|r| match &s(r).debt {
            Some(d) => format!(
                "{} in {}",
                fmt::money_b(d.peak_balance.value),
                d.peak_balance.quarter
            ),
            None => "none".to_string(),
        });
        row(
            "Min interest coverage",
            &|r| match s(r).debt.as_ref().and_then(|d| d.min_coverage) {
                Some(c) => format!("{:.1}x in {}", c.value, c.quarter),
                None => "—".to_string(),
            },
        );
        row("Covenant breach", &|r| match &s(r).debt {
            Some(d) => match d.first_breach {
                Some(q) => format!("from {q} ({} quarters)", d.breach_quarters),
                None => "none".to_string(),
            },
            None => "—".to_string(),
        });
        row("NPV of levered FCF", &|r| match &s(r).debt {
            Some(d) => fmt::money_b(d.npv_levered),
            None => "—".to_string(),
        });
    }
    row("Peak RPO", &|r| {
        let d = s(r).peak_rpo;
        format!("{} in {}", fmt::money_b(d.value), d.quarter)
    });
    row("Revenue: contracts", &|r| {
        let m = &s(r).revenue_mix;
        share_text(m.contracts, m.total)
    });
    row("Revenue: pipeline", &|r| {
        let m = &s(r).revenue_mix;
        share_text(m.pipeline, m.total)
    });
    let mut tier_names: Vec<&str> = Vec::new();
    for r in runs {
        for (name, _) in &r.projection.summary.revenue_mix.tiers {
            if !tier_names.contains(&name.as_str()) {
                tier_names.push(name);
            }
        }
    }
    for name in tier_names {
        row(&format!("Revenue: tier {name}"), &|r| {
            let m = &s(r).revenue_mix;
            match m.tiers.iter().find(|(n, _)| n == name) {
                Some((_, x)) => share_text(*x, m.total),
                None => NONE.to_string(),
            }
        });
    }
    row("Revenue: inference", &|r| {
        let m = &s(r).revenue_mix;
        share_text(m.inference, m.total)
    });
    row("Revenue: agents", &|r| {
        let m = &s(r).revenue_mix;
        share_text(m.agents, m.total)
    });
    if runs
        .iter()
        .any(|r| r.projection.summary.revenue_mix.forfeited != 0.0)
    {
        row("Revenue: forfeited", &|r| {
            let m = &s(r).revenue_mix;
            share_text(m.forfeited, m.total)
        });
    }
    row("Revenue: total", &|r| fmt::money_b(s(r).revenue_mix.total));
    row("Circular share", &|r| fmt::opt_pct(s(r).circular_share));
    row("Economic recovery", &|r| {
        fmt::money_b(s(r).economic_recovery)
    });
    row("Useful-life gap", &|r| fmt::money_b(s(r).useful_life_gap));
    align_right_from(&mut t, 1);
    t
}

fn write_run(out: &mut dyn io::Write, run: &Run<'_>, options: Options) -> io::Result<()> {
    let p = run.projection;
    writeln!(out, "Vintages — {}", run.label)?;
    writeln!(out, "{}", vintages(p, options))?;
    for annual in crate::annual::rollups_for(run.settings, p) {
        let basis = match annual.basis {
            YearBasis::Calendar => "calendar years".to_string(),
            YearBasis::Fiscal { year_end_month } => {
                format!("fiscal years ending in month {year_end_month}")
            }
        };
        writeln!(out)?;
        writeln!(out, "Annual — {} ({basis}; $B unless stated)", run.label)?;
        for t in annual_tables(&annual, options) {
            writeln!(out, "{t}")?;
        }
    }
    writeln!(out)?;
    writeln!(out, "Utilization path — {}", run.label)?;
    writeln!(out, "{}", utilization_path(p, options))?;
    Ok(())
}

fn vintages(p: &Projection, options: Options) -> Table {
    let mut t = new_table(options);
    t.set_header(vec![
        "Year",
        "Accelerator capex",
        "Payback",
        "Years",
        "Surplus at horizon",
        "Price / cost",
    ]);
    for v in &p.vintages {
        t.add_row(vec![
            v.year.to_string(),
            fmt::money_b(v.capex),
            v.payback
                .map_or_else(|| "not within horizon".to_string(), |q| q.to_string()),
            v.payback_years.map_or_else(|| NONE.to_string(), fmt::years),
            fmt::money_b(v.surplus_at_horizon),
            fmt::multiple(v.price_to_cost),
        ]);
    }
    align_right_from(&mut t, 1);
    t
}

/// Rows of the annual table: label, series, how to format it.
const ANNUAL_ROWS: &[(&str, &str, Style)] = &[
    ("Capex", "capex", Style::Money),
    ("Revenue: contracts", "revenue_contracts", Style::Money),
    ("Revenue: pipeline", "revenue_pipeline", Style::Money),
    ("Revenue: tiers", "revenue_tiers", Style::Money),
    ("Revenue: inference", "revenue_inference", Style::Money),
    ("Revenue: agents", "revenue_agents", Style::Money),
    ("Revenue", "revenue", Style::Money),
    ("EBITDA", "ebitda", Style::Money),
    ("Book depreciation", "depreciation", Style::Money),
    ("Impairment", "impairment", Style::Money),
    (
        "Economic depreciation",
        "economic_depreciation",
        Style::Money,
    ),
    ("FCF", "fcf", Style::Money),
    ("Cumulative FCF", "fcf_cumulative", Style::Money),
    ("RPO (year end)", "rpo", Style::Money),
    ("Utilization", "utilization", Style::Pct),
    ("Price per Mtok ($)", "inference_price", Style::Price),
    ("Cost per Mtok ($)", "inference_cost_per_mtok", Style::Price),
    ("P_ref ($/ref-hour)", "p_ref", Style::Price),
];

#[derive(Debug, Clone, Copy)]
enum Style {
    Money,
    Pct,
    Price,
}

fn annual_tables(a: &Annual, options: Options) -> Vec<Table> {
    const LABEL_WIDTH: usize = 26;
    const YEAR_WIDTH: usize = 11;
    let per_block = match options.width {
        Some(w) => (usize::from(w).saturating_sub(LABEL_WIDTH) / YEAR_WIDTH).max(1),
        None => a.years.len().max(1),
    };
    let mut tables = Vec::new();
    let n = a.years.len();
    let mut start = 0;
    while start < n {
        let end = (start + per_block).min(n);
        let mut t = new_table(options);
        let mut header = vec![String::new()];
        header.extend(a.years[start..end].iter().map(|y| {
            if y.is_partial() {
                format!("{}*", y.label)
            } else {
                y.label.clone()
            }
        }));
        t.set_header(header);
        for (label, name, style) in ANNUAL_ROWS {
            let values = a.values(name);
            // Rows that are zero throughout (no impairment) are left out.
            if *name == "impairment" && values.iter().all(|v| v.unwrap_or(0.0) == 0.0) {
                continue;
            }
            let mut cells = vec![(*label).to_string()];
            cells.extend(values[start..end].iter().map(|v| match style {
                Style::Money => v.map_or_else(|| NONE.to_string(), |x| fmt::number(x / 1e9, 1)),
                Style::Pct => fmt::opt_pct(*v),
                Style::Price => fmt::opt_price(*v),
            }));
            t.add_row(cells);
        }
        align_right_from(&mut t, 1);
        tables.push(t);
        start = end;
    }
    if a.years.iter().any(|y| y.is_partial()) {
        // The note travels with the last block.
        tables.push({
            let mut t = Table::new();
            t.load_preset(presets::NOTHING).force_no_tty();
            t.add_row(vec!["* part of the year only (the horizon cuts it)"]);
            t
        });
    }
    tables
}

fn utilization_path(p: &Projection, options: Options) -> Table {
    let mut t = new_table(options);
    t.set_header(vec!["Year", "Q1", "Q2", "Q3", "Q4", "Year"]);
    let a = Annual::new(p, YearBasis::Calendar);
    let yearly = a.values("utilization");
    for (y, year_value) in a.years.iter().zip(yearly) {
        let mut cells = vec![y.label.clone()];
        let mut by_q = [
            NONE.to_string(),
            NONE.to_string(),
            NONE.to_string(),
            NONE.to_string(),
        ];
        for i in y.quarters.clone() {
            if let (Some(q), Some(u)) = (p.quarters.get(i), p.q.utilization.get(i)) {
                by_q[usize::from(q.q()) - 1] = fmt::pct(*u);
            }
        }
        cells.extend(by_q);
        cells.push(fmt::opt_pct(year_value));
        t.add_row(cells);
    }
    align_right_from(&mut t, 1);
    t
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{sample_projection, sample_settings};

    fn render_sample(width: Option<u16>) -> String {
        let p = sample_projection();
        let s = sample_settings();
        let run = Run {
            label: "base",
            settings: &s,
            overlays: &[],
            projection: &p,
            input_warnings: &[],
        };
        let mut out = Vec::new();
        render(
            &mut out,
            &[
                run,
                Run {
                    label: "base+bear",
                    ..run
                },
            ],
            Options { width },
        )
        .unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn headline_figures_read_like_an_analyst_note() {
        let text = render_sample(Some(120));
        assert!(text.contains("2025Q2 (1.4 years)"), "{text}");
        assert!(
            text.contains("not within horizon, shortfall $3.2B"),
            "{text}"
        );
        assert!(
            text.contains("3.1% (multiple roots: 3.1%, 12.3%)"),
            "{text}"
        );
        assert!(text.contains("$20.0B in 2024Q4"), "{text}");
        assert!(text.contains("$8.0B (66.7%)"), "{text}");
        assert!(
            text.contains("base: the roadmap ends before the horizon"),
            "{text}"
        );
        let bad = |w: &str| w.contains("NaN") || w.trim_start_matches(['-', '$']) == "inf";
        assert!(!text.split_whitespace().any(bad), "{text}");
    }

    #[test]
    fn fixed_width_is_respected() {
        let text = render_sample(Some(80));
        for line in text.lines() {
            assert!(line.chars().count() <= 80, "too wide: {line:?}");
        }
    }
}
