//! `payback simulate`: Monte Carlo over the scenario's `[uncertainty]`.

use std::io::{IsTerminal as _, Write};
use std::ops::ControlFlow;
use std::path::PathBuf;

use payback_sim::{Config, Plan, Sampling, SimSink};

use crate::Context;
use crate::error::CommandError;
use crate::inputs::Spec;
use crate::output;

/// Draw the scenario's uncertain parameters many times and report how likely payback is.
///
/// Every `[uncertainty]` distribution (scenario and overlays) is drawn per path, correlated
/// by `[correlations]` (Iman–Conover); each counterparty with a hazard defaults (or not) once
/// per path, ending its contracts, and each contract renews (or not) once. Prints the seed,
/// RNG and sampling (so any run can be reproduced), the probability of payback by the end of
/// each year with its Monte Carlo standard error, and percentiles (P5…P95) of NPV, IRR, MOIC,
/// peak funding need and its quarter, and economic recovery. CSV and JSON add per-quarter
/// fan-chart percentiles of cumulative FCF, revenue, utilization and RPO. Results are
/// identical for a seed whatever --threads is. See docs/simulation.md.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Scenario file, or the name of a built-in scenario (default: the built-in `default`).
    #[arg(value_name = "SCENARIO")]
    pub scenario: Option<String>,

    /// Overlay file or built-in overlay name; repeat to apply several, in order. Overlays may
    /// carry their own `[uncertainty]` and `[correlations]`.
    #[arg(long = "overlay", short = 'o', value_name = "OVERLAY")]
    pub overlays: Vec<String>,

    /// Number of paths.
    #[arg(long, default_value_t = 10_000)]
    pub paths: u64,

    /// Seed of the random streams.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,

    /// Worker threads (default: one per CPU). Does not change the results.
    #[arg(long)]
    pub threads: Option<usize>,

    /// Sampling: plain Monte Carlo or Latin hypercube (per block of 1024 paths).
    #[arg(long, value_enum, default_value_t = SamplingArg::Mc)]
    pub sampling: SamplingArg,

    /// Keep counterparty hazards and renewals in expectation instead of drawing them as events.
    #[arg(long)]
    pub no_events: bool,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,

    /// Write the output to FILE (atomically) instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// Sampling methods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SamplingArg {
    /// Plain Monte Carlo.
    Mc,
    /// Latin hypercube.
    Lhs,
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Tables for a terminal.
    Table,
    /// Long CSV `section,name,quarter,stat,value`, fan chart included.
    Csv,
    /// One JSON document, fan chart included.
    Json,
}

/// A progress bar on stderr, drawn only when stderr is a terminal.
struct Progress {
    bar: indicatif::ProgressBar,
}

impl Progress {
    fn new(total: u64) -> Progress {
        let bar = if std::io::stderr().is_terminal() {
            let b = indicatif::ProgressBar::new(total);
            b.set_style(
                indicatif::ProgressStyle::with_template(
                    "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} paths ({per_sec}, eta {eta})",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            b
        } else {
            indicatif::ProgressBar::hidden()
        };
        Progress { bar }
    }
}

impl SimSink for Progress {
    fn block_done(&mut self, done: u64, _total: u64) -> ControlFlow<()> {
        self.bar.set_position(done);
        ControlFlow::Continue(())
    }
}

/// Run the command.
pub fn run(args: Args, _ctx: &Context) -> Result<(), CommandError> {
    if args.paths == 0 {
        return Err(CommandError::usage("--paths must be at least 1"));
    }
    if args.threads == Some(0) {
        return Err(CommandError::usage("--threads must be at least 1"));
    }
    let spec = Spec::from_args(args.scenario.as_deref(), &args.overlays)?;
    let loaded = spec.load()?;
    if loaded.uncertainty.params.is_empty() {
        return Err(CommandError::input(
            "the scenario has no `[uncertainty]` table: nothing to simulate",
        )
        .hint("add distributions by parameter path, e.g. `\"inference.price_decline\" = { dist = \"pert\", min = 0.3, mode = 0.5, max = 0.8 }` (docs/simulation.md)"));
    }
    let plan = Plan::new(&loaded.scenario, &loaded.uncertainty, !args.no_events)
        .map_err(|e| CommandError::input(e.to_string()))?;
    let cfg = Config {
        paths: args.paths,
        seed: args.seed,
        sampling: match args.sampling {
            SamplingArg::Mc => Sampling::MonteCarlo,
            SamplingArg::Lhs => Sampling::LatinHypercube,
        },
        threads: args.threads,
    };
    let mut progress = Progress::new(args.paths);
    let result = payback_sim::simulate(&plan, &cfg, &mut progress)
        .map_err(|e| CommandError::internal(e.to_string()))?;
    progress.bar.finish_and_clear();
    let report = result.report();
    let write = |out: &mut dyn Write| -> std::io::Result<()> {
        match args.format {
            Format::Table => payback_report::sim::text(out, &report),
            Format::Csv => payback_report::sim::csv(out, &report),
            Format::Json => payback_report::sim::json(out, &report),
        }
    };
    match &args.out {
        Some(path) => output::to_file_atomically(path, write),
        None => output::to_stdout(write),
    }
}
