//! `payback sensitivity`: tornado, ensemble tornado, Sobol indices, two-way grid and bridge.

use std::io::Write;
use std::path::PathBuf;

use payback_input::builtin::BuiltinKind;
use payback_report::sensitivity::{self as render, GridOutput};
use payback_sim::sensitivity::{self, SensError};
use payback_sim::sobol::{SobolConfig, sobol_plan};
use payback_sim::{Config, Plan};

use super::simulate::SamplingArg;

use crate::Context;
use crate::error::CommandError;
use crate::inputs::{self, Spec};
use crate::output;

/// Which inputs move the payback, NPV and peak funding, and by how much.
///
/// Default: a one-at-a-time tornado — each uncertain parameter of `[uncertainty]` (or each
/// path of --params) swung to its P10 and P90 (paths without a distribution: ±--swing % of
/// their base) with everything else at the scenario's value, sorted by |NPV swing|. Other
/// kinds, one per run: --ensemble (tornado and Spearman rank correlations from Monte Carlo
/// paths), --sobol N (Sobol first- and total-order indices with bootstrap intervals), --grid
/// twice (a two-way table), --bridge OVERLAY (waterfall of the overlay's changes in turn). See
/// docs/sensitivity.md.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Scenario file, or the name of a built-in scenario (default: the built-in `default`).
    #[arg(value_name = "SCENARIO")]
    pub scenario: Option<String>,

    /// Overlay file or built-in overlay name; repeat to apply several, in order.
    #[arg(long = "overlay", short = 'o', value_name = "OVERLAY")]
    pub overlays: Vec<String>,

    /// Tornado: only these parameter paths (comma-separated).
    #[arg(long, value_delimiter = ',', value_name = "PATH,...")]
    pub params: Vec<String>,

    /// Tornado: swing paths without a distribution by ±PCT % of their base value.
    #[arg(long, value_name = "PCT")]
    pub swing: Option<f64>,

    /// Tornado from a Monte Carlo ensemble: mean outputs in each input's top vs bottom 20 %
    /// of paths, and Spearman rank correlations.
    #[arg(long)]
    pub ensemble: bool,

    /// Ensemble: number of paths (the same paths as `payback simulate` with the same seed).
    #[arg(long, default_value_t = 4096, requires = "ensemble")]
    pub paths: u64,

    /// Ensemble and Sobol: seed of the random streams.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,

    /// Ensemble: sampling, plain Monte Carlo or Latin hypercube.
    #[arg(long, value_enum, default_value_t = SamplingArg::Mc, requires = "ensemble")]
    pub sampling: SamplingArg,

    /// Ensemble: keep counterparty hazards and renewals in expectation.
    #[arg(long, requires = "ensemble")]
    pub no_events: bool,

    /// Worker threads (default: one per CPU). Does not change the results.
    #[arg(long)]
    pub threads: Option<usize>,

    /// Sobol indices from N base samples (N x (inputs + 2) model runs).
    #[arg(long, value_name = "N")]
    pub sobol: Option<usize>,

    /// Sobol: bootstrap resamples for the confidence intervals.
    #[arg(long, default_value_t = 200, requires = "sobol")]
    pub bootstrap: usize,

    /// Two-way grid axis `PATH=lo:hi:n`; give it twice (rows, then columns).
    #[arg(long, value_name = "PATH=LO:HI:N")]
    pub grid: Vec<String>,

    /// Grid: the figure in the cells.
    #[arg(long, value_enum, default_value_t = OutputArg::Npv)]
    pub output: OutputArg,

    /// Bridge from the scenario (with --overlay) to the scenario with this overlay added, one
    /// change at a time.
    #[arg(long, value_name = "OVERLAY")]
    pub bridge: Option<String>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,

    /// Write the output to FILE (atomically) instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// Grid cell figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputArg {
    /// NPV.
    Npv,
    /// Headline payback quarter.
    Payback,
    /// Peak funding need.
    PeakFunding,
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A table for a terminal.
    Table,
    /// CSV.
    Csv,
    /// One JSON document (`schema: "payback-sensitivity/1"`).
    Json,
}

const SCHEMA: &str = "payback-sensitivity/1";

fn sens_err(e: SensError) -> CommandError {
    match e {
        SensError::Path { .. } => CommandError::usage(e.to_string())
            .hint("`payback explain PATH` shows a parameter; docs/scenario.md lists the paths"),
        SensError::NoSwing(_) => CommandError::usage(e.to_string()),
        SensError::Invalid(_) => CommandError::usage(e.to_string()),
    }
}

/// `PATH=lo:hi:n`.
fn parse_axis(s: &str) -> Result<(String, f64, f64, usize), CommandError> {
    let bad = || {
        CommandError::usage(format!("--grid `{s}`: expected PATH=LO:HI:N"))
            .hint("e.g. --grid 'generations.*.economic_life_years=4:8:5'")
    };
    let (path, range) = s.rsplit_once('=').ok_or_else(bad)?;
    let parts: Vec<&str> = range.split(':').collect();
    let [lo, hi, n] = parts.as_slice() else {
        return Err(bad());
    };
    let lo: f64 = lo.trim().parse().map_err(|_| bad())?;
    let hi: f64 = hi.trim().parse().map_err(|_| bad())?;
    let n: usize = n.trim().parse().map_err(|_| bad())?;
    Ok((path.trim().to_string(), lo, hi, n))
}

/// Run the command.
pub fn run(args: Args, _ctx: &Context) -> Result<(), CommandError> {
    if args.threads == Some(0) {
        return Err(CommandError::usage("--threads must be at least 1"));
    }
    let modes = [
        args.ensemble,
        args.sobol.is_some(),
        !args.grid.is_empty(),
        args.bridge.is_some(),
    ]
    .iter()
    .filter(|m| **m)
    .count();
    if modes > 1 {
        return Err(CommandError::usage(
            "choose one of --ensemble, --sobol, --grid and --bridge per run",
        ));
    }
    let spec = Spec::from_args(args.scenario.as_deref(), &args.overlays)?;
    let loaded = spec.load()?;
    let s = &loaded.scenario;
    type Writer = Box<dyn Fn(&mut dyn Write) -> std::io::Result<()>>;
    let format = args.format;
    let write: Writer = if args.ensemble || args.sobol.is_some() {
        if loaded.uncertainty.params.is_empty() {
            return Err(CommandError::input(
                "the scenario has no `[uncertainty]` table: nothing to sample",
            )
            .hint("add distributions by parameter path (docs/simulation.md)"));
        }
        let plan = Plan::new(s, &loaded.uncertainty, !args.no_events)
            .map_err(|e| CommandError::input(e.to_string()))?;
        if let Some(n) = args.sobol {
            if !(2..=1_000_000).contains(&n) {
                return Err(CommandError::usage("--sobol N must be 2 to 1,000,000"));
            }
            let cfg = SobolConfig {
                n,
                seed: args.seed,
                bootstrap: args.bootstrap.min(10_000),
                confidence: 0.95,
            };
            let r = with_threads(args.threads, || sobol_plan(&plan, &cfg))?;
            Box::new(move |out| match format {
                Format::Table => render::sobol_text(out, &r),
                Format::Csv => render::sobol_csv(out, &r),
                Format::Json => render::json(out, SCHEMA, "sobol", &r),
            })
        } else {
            if args.paths == 0 || args.paths > sensitivity::ENSEMBLE_MAX_PATHS {
                return Err(CommandError::usage(format!(
                    "--paths must be 1 to {} for an ensemble (every path is kept)",
                    sensitivity::ENSEMBLE_MAX_PATHS
                )));
            }
            let cfg = Config {
                paths: args.paths,
                seed: args.seed,
                sampling: args.sampling.into(),
                threads: args.threads,
            };
            let e = sensitivity::ensemble(&plan, &cfg)
                .map_err(|e| CommandError::internal(e.to_string()))?;
            Box::new(move |out| match format {
                Format::Table => render::ensemble_text(out, &e),
                Format::Csv => render::ensemble_csv(out, &e),
                Format::Json => render::json(out, SCHEMA, "ensemble", &e),
            })
        }
    } else if !args.grid.is_empty() {
        let [a, b] = args.grid.as_slice() else {
            return Err(CommandError::usage(
                "--grid takes exactly two axes: --grid PATH_A=lo:hi:n --grid PATH_B=lo:hi:n",
            ));
        };
        let (pa, lo_a, hi_a, na) = parse_axis(a)?;
        let (pb, lo_b, hi_b, nb) = parse_axis(b)?;
        let ax = sensitivity::axis(s, &pa, lo_a, hi_a, na).map_err(sens_err)?;
        let bx = sensitivity::axis(s, &pb, lo_b, hi_b, nb).map_err(sens_err)?;
        let g = with_threads(args.threads, || sensitivity::grid(s, &ax, &bx))?;
        let what = match args.output {
            OutputArg::Npv => GridOutput::Npv,
            OutputArg::Payback => GridOutput::Payback,
            OutputArg::PeakFunding => GridOutput::PeakFunding,
        };
        Box::new(move |out| match format {
            Format::Table => render::grid_text(out, &g, what),
            Format::Csv => render::grid_csv(out, &g, what),
            Format::Json => render::json(out, SCHEMA, "grid", &g),
        })
    } else if let Some(bridge_arg) = &args.bridge {
        let ov = inputs::resolve(bridge_arg, BuiltinKind::Overlay)?;
        let steps = payback_input::overlay_steps(&ov).map_err(|d| {
            CommandError::rendered(crate::diagnostics::render(&d, std::slice::from_ref(&ov)))
        })?;
        let mut all = spec.overlays.clone();
        all.push(ov.clone());
        // The whole overlay first: any error is reported against the files.
        Spec {
            main: spec.main.clone(),
            overlays: all.clone(),
        }
        .load()?;
        let mut cumulative = Vec::with_capacity(steps.len());
        for (k, st) in steps.iter().enumerate() {
            let l = payback_input::load_partial(&spec.main, &all, k + 1).map_err(|d| {
                let files: Vec<_> = spec.files().cloned().chain([ov.clone()]).collect();
                CommandError::rendered(crate::diagnostics::render(&d, &files))
            })?;
            cumulative.push((st.description.clone(), st.line, l.scenario));
        }
        let b = with_threads(args.threads, || payback_sim::bridge::bridge(s, &cumulative))?;
        let from = std::iter::once(spec.main.name.as_str())
            .chain(spec.overlays.iter().map(|o| o.name.as_str()))
            .collect::<Vec<_>>()
            .join(" + ");
        let to = format!("{from} + {}", ov.name);
        Box::new(move |out| match format {
            Format::Table => render::bridge_text(out, &b, &from, &to),
            Format::Csv => render::bridge_csv(out, &b),
            Format::Json => render::json(out, SCHEMA, "bridge", &b),
        })
    } else {
        let listed = (!args.params.is_empty()).then_some(args.params.as_slice());
        if listed.is_none() && loaded.uncertainty.params.is_empty() {
            return Err(CommandError::input(
                "the scenario has no `[uncertainty]` table: list paths with --params and give --swing PCT",
            ));
        }
        if let Some(w) = args.swing
            && !(w.is_finite() && w > 0.0 && w < 100.0)
        {
            return Err(CommandError::usage(
                "--swing must be a percentage above 0 and below 100",
            ));
        }
        let lv = sensitivity::levers(
            s,
            &loaded.uncertainty,
            listed,
            args.swing.map(|w| w / 100.0),
        )
        .map_err(sens_err)?;
        let t = with_threads(args.threads, || sensitivity::tornado(s, &lv))?;
        Box::new(move |out| match format {
            Format::Table => render::tornado_text(out, &t),
            Format::Csv => render::tornado_csv(out, &t),
            Format::Json => render::json(out, SCHEMA, "tornado", &t),
        })
    };
    match &args.out {
        Some(path) => output::to_file_atomically(path, |o| write(o)),
        None => output::to_stdout(|o| write(o)),
    }
}

/// Run `f` on a pool of `threads` workers (default: one per CPU).
pub fn with_threads<T: Send>(
    threads: Option<usize>,
    f: impl FnOnce() -> T + Send,
) -> Result<T, CommandError> {
    sensitivity::with_threads(threads, f).map_err(|e| CommandError::internal(e.to_string()))
}
