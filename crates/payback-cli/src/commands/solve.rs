//! `payback solve`: goal seek on one parameter, and the top-down rules beside the model.

use std::io::Write;
use std::path::PathBuf;

use payback_report::sensitivity as render;
use payback_sim::sensitivity::{Figures, SensError};
use payback_sim::solve::{self, Status, Target, TopDown, TopDownLine, Vary};

use crate::Context;
use crate::commands::sensitivity::with_threads;
use crate::error::CommandError;
use crate::inputs::Spec;
use crate::output;

/// Find the value of one parameter that meets a target, or run a top-down rule.
///
/// `--vary PATH --target 'npv = 0' | 'irr = 0.12' | 'payback <= 2030Q4'`: brackets the target
/// within the parameter's valid range (narrowed by --lo/--hi), then Brent's method (npv, irr)
/// or bisection on the payback quarter (the least or greatest value meeting it, next to a
/// value that does not). Prints the value and the resulting payback, NPV and IRR. Exit code 1
/// when no value in the range meets the target (the run worked, the check failed).
///
/// `--sequoia SPEND`: revenue needed to pay back one year of accelerator spend (x 2 x 2).
/// `--target-roic --capex C --life L --margin M --roic R`: revenue to cover depreciation and
/// to earn the target return. Both are shown beside the full model's capex, revenue and
/// payback for the scenario. See docs/sensitivity.md.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Scenario file, or the name of a built-in scenario (default: the built-in `default`).
    #[arg(value_name = "SCENARIO")]
    pub scenario: Option<String>,

    /// Overlay file or built-in overlay name; repeat to apply several, in order.
    #[arg(long = "overlay", short = 'o', value_name = "OVERLAY")]
    pub overlays: Vec<String>,

    /// The parameter path to vary.
    #[arg(long, value_name = "PATH")]
    pub vary: Option<String>,

    /// The target: `npv = X`, `irr = X` (or `12%`), `payback <= QUARTER` (also <, >=, >).
    #[arg(long, value_name = "TARGET")]
    pub target: Option<String>,

    /// Lowest value to search (default: the parameter's valid minimum).
    #[arg(long, allow_negative_numbers = true)]
    pub lo: Option<f64>,

    /// Highest value to search (default: the valid maximum, or 10 x max(|base|, 1) above the
    /// base when unbounded).
    #[arg(long, allow_negative_numbers = true)]
    pub hi: Option<f64>,

    /// Vary a common factor on every value the path selects (needed when they differ).
    #[arg(long)]
    pub scale: bool,

    /// Sequoia's rule: revenue needed for this accelerator spend (USD, e.g. 150e9).
    #[arg(long, value_name = "SPEND")]
    pub sequoia: Option<f64>,

    /// Target-ROIC rule (with --capex, --life, --margin, --roic).
    #[arg(long)]
    pub target_roic: bool,

    /// Target-ROIC: capital invested, USD.
    #[arg(long)]
    pub capex: Option<f64>,

    /// Target-ROIC: depreciation life, years.
    #[arg(long)]
    pub life: Option<f64>,

    /// Target-ROIC: margin on revenue (0.25 = 25 %).
    #[arg(long)]
    pub margin: Option<f64>,

    /// Target-ROIC: the return on capital (0.20 = 20 %).
    #[arg(long)]
    pub roic: Option<f64>,

    /// Worker threads (default: one per CPU). Does not change the results.
    #[arg(long)]
    pub threads: Option<usize>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,

    /// Write the output to FILE (atomically) instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Text for a terminal.
    Table,
    /// One JSON document (`schema: "payback-solve/1"`).
    Json,
}

const SCHEMA: &str = "payback-solve/1";

/// What the top-down rules leave out, in the model's terms.
const LEAVES_OUT: [&str; 4] = [
    "timing: capex is spent ahead of capacity (facility lead times, ramps) and revenue arrives over the assets' lives, not in the year of spend",
    "discounting: a dollar of revenue in 2032 is worth less than one in 2026 (the model's NPV, IRR and payback date)",
    "contracts: take-or-pay commitments, prepayments, renewals and counterparty defaults shape when revenue is certain (RPO)",
    "utilization: idle or mothballed capacity earns nothing, and prices fall with each new accelerator generation",
];

/// Run the command.
pub fn run(args: Args, _ctx: &Context) -> Result<(), CommandError> {
    if args.threads == Some(0) {
        return Err(CommandError::usage("--threads must be at least 1"));
    }
    let modes = [
        args.vary.is_some() || args.target.is_some(),
        args.sequoia.is_some(),
        args.target_roic,
    ]
    .iter()
    .filter(|m| **m)
    .count();
    if modes != 1 {
        return Err(CommandError::usage(
            "give one of: --vary PATH --target T, --sequoia SPEND, or --target-roic --capex C --life L --margin M --roic R",
        ));
    }
    let spec = Spec::from_args(args.scenario.as_deref(), &args.overlays)?;
    let loaded = spec.load()?;
    let s = &loaded.scenario;
    if let Some(spend) = args.sequoia {
        if !(spend.is_finite() && spend >= 0.0) {
            return Err(CommandError::usage(
                "--sequoia needs a spend of 0 or more (USD)",
            ));
        }
        let t = topdown(
            s,
            TopDownRule::Sequoia,
            spend,
            vec![
                line("accelerator spend", spend, "USD"),
                line(
                    "revenue needed (spend x 2 x 2)",
                    payback_portfolio::sequoia_revenue_needed(spend),
                    "USD",
                ),
            ],
            payback_portfolio::sequoia_revenue_needed(spend),
        );
        return emit(&args, "sequoia", move |out, f| match f {
            Format::Table => render::topdown_text(out, &t),
            Format::Json => render::json(out, SCHEMA, "sequoia", &t),
        });
    }
    if args.target_roic {
        let (Some(c), Some(l), Some(m), Some(r)) = (args.capex, args.life, args.margin, args.roic)
        else {
            return Err(CommandError::usage(
                "--target-roic needs --capex, --life, --margin and --roic",
            ));
        };
        let Some(check) = payback_portfolio::target_roic(c, l, m, r) else {
            return Err(CommandError::usage(
                "--life and --margin must be above 0 and every value finite",
            ));
        };
        let t = topdown(
            s,
            TopDownRule::Roic,
            c,
            vec![
                line("capital", c, "USD"),
                line("life", l, "years"),
                line("margin on revenue", m, "ratio"),
                line("target ROIC", r, "ratio"),
                line(
                    "depreciation a year (capital / life)",
                    check.depreciation,
                    "USD",
                ),
                line(
                    "revenue to cover depreciation (D / margin)",
                    check.revenue_to_cover_depreciation,
                    "USD",
                ),
                line(
                    "revenue for the target ROIC ((D + ROIC x C) / margin)",
                    check.revenue_for_target,
                    "USD",
                ),
            ],
            check.revenue_for_target,
        );
        return emit(&args, "target_roic", move |out, f| match f {
            Format::Table => render::topdown_text(out, &t),
            Format::Json => render::json(out, SCHEMA, "target_roic", &t),
        });
    }
    let (Some(path), Some(target)) = (&args.vary, &args.target) else {
        return Err(
            CommandError::usage("--vary PATH and --target T go together")
                .hint("e.g. payback solve --vary compute.market_margin --target 'npv = 0'"),
        );
    };
    let target = Target::parse(target).map_err(CommandError::usage)?;
    let v = Vary::new(s, path, args.scale).map_err(|e| match e {
        SensError::Path { .. } => CommandError::usage(e.to_string())
            .hint("`payback explain PATH` shows a parameter; docs/scenario.md lists the paths"),
        _ => CommandError::usage(e.to_string()),
    })?;
    let sol = with_threads(args.threads, || {
        solve::solve(s, &v, &target, args.lo, args.hi)
    })?
    .map_err(|e| CommandError::usage(e.to_string()))?;
    let failed = sol.status == Status::NotMet;
    let message = sol.message.clone();
    emit(&args, "solve", move |out, f| match f {
        Format::Table => render::solve_text(out, &sol),
        Format::Json => render::json(out, SCHEMA, "solve", &sol),
    })?;
    if failed {
        return Err(CommandError::check_failed(message));
    }
    Ok(())
}

fn emit(
    args: &Args,
    _kind: &str,
    write: impl Fn(&mut dyn Write, Format) -> std::io::Result<()>,
) -> Result<(), CommandError> {
    let f = args.format;
    match &args.out {
        Some(path) => output::to_file_atomically(path, |o| write(o, f)),
        None => output::to_stdout(|o| write(o, f)),
    }
}

fn line(label: &str, value: f64, unit: &'static str) -> TopDownLine {
    TopDownLine {
        label: label.to_string(),
        value,
        unit,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TopDownRule {
    Sequoia,
    Roic,
}

fn topdown(
    s: &payback_model::Scenario,
    rule: TopDownRule,
    capex: f64,
    lines: Vec<TopDownLine>,
    revenue_needed: f64,
) -> TopDown {
    let p = payback_model::project(s);
    let years = solve::model_years(&p);
    let sequoia = rule == TopDownRule::Sequoia;
    TopDown {
        rule: if sequoia { "sequoia" } else { "target_roic" },
        title: if sequoia {
            "Sequoia's rule (David Cahn, \"AI's $200B / $600B Question\"): revenue needed = accelerator spend x 2 (accelerators are half of a data centre's cost) x 2 (a 50 % margin for the end user)".into()
        } else {
            "Target-ROIC rule (Kupperman): depreciation D = capital / life; revenue to cover D = D / margin; revenue for a target ROIC = (D + ROIC x capital) / margin".into()
        },
        lines,
        revenue_needed,
        first_year_reaching: solve::first_year_reaching(&years, revenue_needed),
        capex,
        nearest_year: solve::nearest_year(&years, capex, sequoia),
        model_years: years,
        model: Figures::of(&p),
        leaves_out: LEAVES_OUT.to_vec(),
    }
}
