//! `payback run portfolio.toml`: several company scenarios side by side, and the industry.
//!
//! A SCENARIO argument naming a file with a top-level `[portfolio]` table is a portfolio
//! (`payback_portfolio::is_portfolio`). Its companies' scenarios and overlays are built-in names
//! or paths relative to the portfolio file. Output: the side-by-side table, the industry by
//! year, each lab's commitments beside its revenue, and the top-down cross-checks; or the same
//! as tidy CSV or one JSON document ([`export`]).

mod export;

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use payback_input::SourceFile;
use payback_input::builtin::BuiltinKind;
use payback_model::finance::Payback;
use payback_portfolio::{FileKind, Portfolio, PortfolioError, PortfolioFile};
use payback_report::{Inputs, fmt};

use crate::Context;
use crate::commands::run::{Args, Format};
use crate::diagnostics;
use crate::error::CommandError;
use crate::inputs;
use crate::output;

/// The portfolio file's text when `scenario` names a readable file that is a portfolio.
pub fn detect(scenario: Option<&str>) -> Option<(PathBuf, String)> {
    let path = Path::new(scenario?);
    if !path.is_file() {
        return None;
    }
    let text = std::fs::read_to_string(path).ok()?;
    payback_portfolio::is_portfolio(&text).then(|| (path.to_path_buf(), text))
}

/// Run a portfolio and print it as tables, tidy CSV or JSON.
pub fn run(args: &Args, path: &Path, text: &str, ctx: &Context) -> Result<(), CommandError> {
    no_overlays(&args.overlays)?;
    let file = parse(path, text)?;
    // Every file the companies read, in the order read, for the manifest.
    let mut read: Vec<SourceFile> = Vec::new();
    let portfolio =
        payback_portfolio::run(&file, &mut recording(path, &mut read)).map_err(load_error)?;
    let inputs = manifest(path, text, &read, &portfolio);
    emit(
        &portfolio,
        &inputs,
        args.format,
        args.out.as_deref(),
        ctx,
        None,
    )
}

/// Print `portfolio` (or write it to `out`, atomically) as tables, tidy CSV or JSON with its
/// manifest `inputs`. `path` is a Monte Carlo path's replay ([`Replayed`]): what it drew is
/// printed before the tables, appended as `drawn` rows to the CSV, or added to the JSON as
/// `monte_carlo_path`.
pub(crate) fn emit(
    portfolio: &Portfolio,
    inputs: &Inputs,
    format: Format,
    out: Option<&Path>,
    ctx: &Context,
    path: Option<&dyn Replayed>,
) -> Result<(), CommandError> {
    if format == Format::Csv {
        export::check_ids(portfolio)?;
    }
    let width = ctx.width;
    let write = |w: &mut dyn Write| match format {
        Format::Table => {
            if let Some(p) = path {
                p.table(w)?;
            }
            render(w, portfolio, width)
        }
        Format::Csv => {
            export::csv(w, portfolio)?;
            path.map_or(Ok(()), |p| p.csv(w))
        }
        Format::Json => export::json(w, inputs, portfolio, path.map(|p| p.json())),
    };
    match out {
        Some(p) => output::to_file_atomically(p, write),
        None => output::to_stdout(write),
    }
}

/// What a replayed Monte Carlo path drew, as each format prints it (`payback simulate
/// --replay`).
pub(crate) trait Replayed {
    /// A heading and one line per input and event.
    fn table(&self, out: &mut dyn Write) -> io::Result<()>;
    /// One `path N,drawn,name,unit,value` row per input and event.
    fn csv(&self, out: &mut dyn Write) -> io::Result<()>;
    /// The `monte_carlo_path` object.
    fn json(&self) -> &serde_json::Value;
}

/// [`resolver`], also recording every file it reads, in order, into `read` (for the manifest).
pub(crate) fn recording<'a>(
    path: &Path,
    read: &'a mut Vec<SourceFile>,
) -> impl FnMut(&str, FileKind) -> Result<SourceFile, String> + 'a {
    let mut resolve = resolver(path);
    move |name: &str, kind: FileKind| -> Result<SourceFile, String> {
        let f = resolve(name, kind)?;
        read.push(f.clone());
        Ok(f)
    }
}

/// The manifest: the portfolio file as named on the command line, then every distinct file its
/// companies read (scenario, then overlays, company by company), and the overlays applied.
pub(crate) fn manifest(path: &Path, text: &str, read: &[SourceFile], p: &Portfolio) -> Inputs {
    let name = path.to_string_lossy();
    let mut files: Vec<(&str, &str)> = vec![(name.as_ref(), text)];
    for f in read {
        let pair = (f.name.as_str(), f.text.as_str());
        if !files.contains(&pair) {
            files.push(pair);
        }
    }
    let mut overlays: Vec<String> = Vec::new();
    for c in &p.companies {
        for o in &c.loaded.overlay_names {
            if !overlays.contains(o) {
                overlays.push(o.clone());
            }
        }
    }
    Inputs::new(&files, overlays)
}

/// `--overlay` given for a portfolio: a usage error, overlays are listed per company.
pub(crate) fn no_overlays(overlays: &[String]) -> Result<(), CommandError> {
    if overlays.is_empty() {
        return Ok(());
    }
    Err(CommandError::usage(
        "--overlay does not apply to a portfolio: overlays are listed per company in the file",
    )
    .hint("add `overlays = [\"...\"]` to the company's [[companies]] entry"))
}

/// Parse the portfolio file at `path`: the first problem is the message, the others hints.
pub(crate) fn parse(path: &Path, text: &str) -> Result<PortfolioFile, CommandError> {
    payback_portfolio::parse(text).map_err(|errors| {
        let mut e = CommandError::input(format!(
            "`{}` is not a valid portfolio file: {}",
            path.display(),
            errors.first().map_or("", String::as_str)
        ));
        for more in errors.iter().skip(1) {
            e = e.hint(more.clone());
        }
        e
    })
}

/// The resolver of the companies' scenarios and overlays: a path relative to the portfolio
/// file at `path` when that file exists, else a built-in name (or a path as given).
pub(crate) fn resolver(
    path: &Path,
) -> impl FnMut(&str, FileKind) -> Result<SourceFile, String> + use<> {
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    move |name: &str, kind: FileKind| -> Result<SourceFile, String> {
        let relative = dir.join(name);
        let arg = if relative.is_file() {
            relative.to_string_lossy().into_owned()
        } else {
            name.to_string()
        };
        let kind = match kind {
            FileKind::Scenario => BuiltinKind::Scenario,
            FileKind::Overlay => BuiltinKind::Overlay,
        };
        inputs::resolve(&arg, kind).map_err(message_of)
    }
}

/// A company's files that did not load (diagnostics rendered), or another portfolio error.
pub(crate) fn load_error(e: PortfolioError) -> CommandError {
    match e {
        PortfolioError::Load {
            company,
            files,
            diagnostics: d,
        } => CommandError::rendered(format!(
            "company `{company}`:\n{}",
            diagnostics::render(&d, &files)
        )),
        other => CommandError::input(other.to_string()),
    }
}

/// The text of a resolver error, hints appended.
fn message_of(e: CommandError) -> String {
    let mut s = match e.message {
        crate::error::Message::Line(s) | crate::error::Message::Rendered(s) => s,
    };
    for h in e.hints {
        s.push_str("; ");
        s.push_str(&h);
    }
    s
}

/// A plain table: first column left-aligned, the others right-aligned.
pub(crate) fn table(out: &mut dyn Write, title: &str, rows: &[Vec<String>]) -> io::Result<()> {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..cols)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|s| s.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    writeln!(out, "{title}")?;
    for (i, r) in rows.iter().enumerate() {
        let mut line = String::new();
        for (c, cell) in r.iter().enumerate() {
            let pad = widths[c].saturating_sub(cell.chars().count());
            if c == 0 {
                line.push(' ');
                line.push_str(cell);
                line.push_str(&" ".repeat(pad));
            } else {
                line.push_str("   ");
                line.push_str(&" ".repeat(pad));
                line.push_str(cell);
            }
        }
        writeln!(out, "{}", line.trim_end())?;
        if i == 0 {
            let total: usize =
                widths.iter().sum::<usize>() + 1 + 3 * widths.len().saturating_sub(1);
            writeln!(out, "{}", "─".repeat(total))?;
        }
    }
    writeln!(out)
}

fn payback_text(p: &Payback, q: Option<payback_model::Quarter>) -> String {
    match (p, q) {
        (Payback::Reached { years, .. }, Some(q)) => format!("{q} ({})", fmt::years(*years)),
        (Payback::NeverNegative, _) => "never negative".into(),
        (Payback::NotWithinHorizon { shortfall }, _) => {
            format!("not by horizon (-{})", fmt::money_b(*shortfall))
        }
        _ => fmt::NONE.into(),
    }
}

fn share(part: f64, total: f64) -> String {
    if total == 0.0 {
        fmt::NONE.into()
    } else {
        fmt::pct(part / total)
    }
}

fn render(out: &mut dyn Write, p: &Portfolio, _width: Option<u16>) -> io::Result<()> {
    let a = &p.aggregate;
    writeln!(out, "Portfolio — {}", p.file.name)?;
    if let Some(d) = &p.file.description {
        writeln!(out, "{d}")?;
    }
    writeln!(
        out,
        "Money in billions of US dollars; each company on its own scenario and discount rate.\n"
    )?;

    let mut header = vec![String::new()];
    header.extend(p.companies.iter().map(|c| c.label.clone()));
    header.push("Industry".into());
    let mut rows = vec![header];
    let mut row =
        |name: &str, per: &dyn Fn(&payback_portfolio::CompanyRun) -> String, agg: String| {
            let mut r = vec![name.to_string()];
            r.extend(p.companies.iter().map(per));
            r.push(agg);
            rows.push(r);
        };
    row(
        "Overlays",
        &|c| {
            if c.loaded.overlay_names.is_empty() {
                "base".into()
            } else {
                c.loaded.overlay_names.join("+")
            }
        },
        String::new(),
    );
    row(
        "Payback (programme)",
        &|c| {
            let s = &c.projection.summary;
            payback_text(&s.payback, s.payback_quarter)
        },
        payback_text(&a.payback, a.payback_quarter),
    );
    row(
        "NPV",
        &|c| fmt::money_b(c.projection.summary.npv),
        format!("{} (sum)", fmt::money_b(a.npv_sum)),
    );
    row(
        "IRR",
        &|c| fmt::opt_pct(c.projection.summary.irr.primary),
        fmt::opt_pct(a.irr.primary),
    );
    row(
        "Peak funding need",
        &|c| {
            let d = c.projection.summary.peak_funding;
            format!("{} {}", fmt::money_b(d.value), d.quarter)
        },
        a.peak_funding.map_or(fmt::NONE.into(), |d| {
            format!("{} {}", fmt::money_b(d.value), d.quarter)
        }),
    );
    row(
        "Peak RPO",
        &|c| {
            let d = c.projection.summary.peak_rpo;
            format!("{} {}", fmt::money_b(d.value), d.quarter)
        },
        a.peak_rpo.map_or(fmt::NONE.into(), |d| {
            format!("{} {}", fmt::money_b(d.value), d.quarter)
        }),
    );
    row(
        "Capex in horizon (AI)",
        &|c| fmt::money_b(c.projection.summary.capex_total),
        fmt::money_b(a.capex.iter().sum()),
    );
    let total_rev: f64 = a.revenue.iter().sum();
    row(
        "Revenue in horizon",
        &|c| fmt::money_b(c.projection.summary.revenue_mix.total),
        fmt::money_b(total_rev),
    );
    let mix_sum = |f: &dyn Fn(&payback_model::projection::RevenueMix) -> f64| -> f64 {
        p.companies
            .iter()
            .map(|c| f(&c.projection.summary.revenue_mix))
            .sum()
    };
    type MixGet = fn(&payback_model::projection::RevenueMix) -> f64;
    let levers: [(&str, MixGet); 5] = [
        ("  mix: contracts", |m| m.contracts),
        ("  mix: pipeline", |m| m.pipeline),
        ("  mix: tiers", |m| m.tiers.iter().map(|t| t.1).sum()),
        ("  mix: inference", |m| m.inference),
        ("  mix: agents", |m| m.agents),
    ];
    for (name, get) in levers {
        row(
            name,
            &|c| {
                let m = &c.projection.summary.revenue_mix;
                share(get(m), m.total)
            },
            share(mix_sum(&get), total_rev),
        );
    }
    row(
        "Circular share",
        &|c| fmt::opt_pct(c.projection.summary.circular_share),
        fmt::opt_pct(a.circular_share),
    );
    row(
        "Inter-company revenue",
        &|c| fmt::money_b(c.revenue_intercompany.iter().sum()),
        format!(
            "{} ({})",
            fmt::money_b(a.revenue_intercompany.iter().sum()),
            fmt::opt_pct(a.intercompany_share)
        ),
    );
    row(
        "NPV of levered FCF",
        &|c| {
            c.projection
                .summary
                .debt
                .as_ref()
                .map_or("unlevered".into(), |d| fmt::money_b(d.npv_levered))
        },
        String::new(),
    );
    row(
        "First covenant breach",
        &|c| match &c.projection.summary.debt {
            None => fmt::NONE.into(),
            Some(d) => d.first_breach.map_or("none".into(), |q| q.to_string()),
        },
        String::new(),
    );
    table(out, "Side by side", &rows)?;

    // The industry by calendar year.
    let years: Vec<i32> = {
        let mut y: Vec<i32> = a.quarters.iter().map(|q| q.year()).collect();
        y.dedup();
        y
    };
    let yearly = |values: &[f64]| -> Vec<String> {
        years
            .iter()
            .map(|y| {
                let s: f64 = a
                    .quarters
                    .iter()
                    .zip(values)
                    .filter(|(q, _)| q.year() == *y)
                    .map(|(_, v)| v)
                    .sum();
                fmt::number(s / 1e9, 1)
            })
            .collect()
    };
    let year_end = |values: &[f64]| -> Vec<String> {
        years
            .iter()
            .map(|y| {
                a.quarters
                    .iter()
                    .zip(values)
                    .filter(|(q, _)| q.year() == *y)
                    .map(|(_, v)| *v)
                    .next_back()
                    .map_or(fmt::NONE.into(), |v| fmt::number(v / 1e9, 1))
            })
            .collect()
    };
    let mut head = vec![String::new()];
    head.extend(years.iter().map(ToString::to_string));
    let line = |name: &str, cells: Vec<String>| {
        let mut r = vec![name.to_string()];
        r.extend(cells);
        r
    };
    let rows = vec![
        head.clone(),
        line("AI capex", yearly(&a.capex)),
        line("Revenue", yearly(&a.revenue)),
        line("  of which inter-company", yearly(&a.revenue_intercompany)),
        line("End-customer revenue", yearly(&a.revenue_end_customer)),
        line("Circular revenue", yearly(&a.revenue_circular)),
        line("FCF (sum of companies)", yearly(&a.fcf)),
        line("Cumulative FCF", year_end(&a.fcf_cumulative)),
        line("Levered FCF", yearly(&a.levered_fcf)),
        line("RPO (year end)", year_end(&a.rpo)),
    ];
    table(out, "Industry by year ($B)", &rows)?;

    // Labs.
    for lab in &p.labs {
        let who: Vec<String> = lab
            .commitments
            .iter()
            .map(|(c, v)| format!("{c} {}", fmt::money_b(*v)))
            .collect();
        writeln!(
            out,
            "{} ({}): commitments to the modelled companies {} — {}",
            lab.name,
            lab.id,
            fmt::money_b(lab.commitments_total),
            if who.is_empty() {
                "none".into()
            } else {
                who.join(", ")
            }
        )?;
        let mut head = vec![String::new()];
        let mut paid = vec!["Paid to modelled companies".to_string()];
        let mut rev = vec!["Lab revenue (portfolio input)".to_string()];
        let mut ratio = vec!["Paid / revenue".to_string()];
        for (y, pd, r) in &lab.by_year {
            head.push(y.to_string());
            paid.push(fmt::number(pd / 1e9, 1));
            rev.push(r.map_or(fmt::NONE.into(), |v| fmt::number(v / 1e9, 1)));
            ratio.push(match r {
                Some(v) if *v > 0.0 => fmt::pct(pd / v),
                _ => fmt::NONE.into(),
            });
        }
        table(
            out,
            &format!("{} by year ($B)", lab.name),
            &[head, paid, rev, ratio],
        )?;
    }

    // Top-down cross-checks.
    let mut head = vec![String::new()];
    let mut r_capex = vec!["AI capex".to_string()];
    let mut r_acc = vec![format!(
        "Accelerator spend ({} of capex)",
        fmt::pct(p.file.cross_check.gpu_share)
    )];
    let mut r_seq = vec!["Sequoia: needed (x2 x2)".to_string()];
    let mut r_cap = vec![format!(
        "ROIC: capital, trailing {} years",
        p.file.cross_check.roic_life_years
    )];
    let mut r_dep = vec!["ROIC: depreciation".to_string()];
    let mut r_cov = vec!["ROIC: revenue to cover it".to_string()];
    let mut r_tgt = vec![format!(
        "ROIC: revenue for {} ROIC",
        fmt::pct(p.file.cross_check.roic_target)
    )];
    let mut r_rev = vec!["Model: AI revenue".to_string()];
    let mut r_end = vec!["Model: end-customer revenue".to_string()];
    let mut r_ratio = vec!["Model / Sequoia".to_string()];
    let b = |v: f64| fmt::number(v / 1e9, 1);
    for y in &p.cross_check {
        head.push(y.year.to_string());
        r_capex.push(b(y.ai_capex));
        r_acc.push(b(y.accelerator_spend));
        r_seq.push(b(y.sequoia_needed));
        r_cap.push(y.roic.map_or(fmt::NONE.into(), |r| b(r.capital)));
        r_dep.push(y.roic.map_or(fmt::NONE.into(), |r| b(r.depreciation)));
        r_cov.push(
            y.roic
                .map_or(fmt::NONE.into(), |r| b(r.revenue_to_cover_depreciation)),
        );
        r_tgt.push(y.roic.map_or(fmt::NONE.into(), |r| b(r.revenue_for_target)));
        r_rev.push(b(y.model_revenue));
        r_end.push(b(y.model_end_customer_revenue));
        r_ratio.push(if y.sequoia_needed > 0.0 {
            fmt::multiple(Some(y.model_revenue / y.sequoia_needed))
        } else {
            fmt::NONE.into()
        });
    }
    table(
        out,
        "Top-down cross-checks by year ($B): the revenue the industry needs vs the model's",
        &[
            head, r_capex, r_acc, r_seq, r_cap, r_dep, r_cov, r_tgt, r_rev, r_end, r_ratio,
        ],
    )?;
    writeln!(
        out,
        "Sequoia's rule and the target-ROIC method leave out timing (revenue lags capex by \
         quarters to years), discounting, contracts (RPO locks price and volume), utilization and \
         the price erosion of installed hardware; the model's payback includes them."
    )
}
