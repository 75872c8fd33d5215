//! `payback run`: project a scenario and print the report.

use std::io::{self, Write};
use std::path::PathBuf;

use payback_report::{Run, json, text, tidy};

use crate::Context;
use crate::error::CommandError;
use crate::output;
use crate::runs::{self, Done};

/// Project a scenario quarter by quarter and report when the capex pays back.
///
/// With no SCENARIO and no --overlay, runs the built-in default three times, side by side:
/// base, base+bull and base+bear. Otherwise runs SCENARIO (default: the built-in `default`)
/// with the overlays applied in order, later ones winning.
///
/// The table output starts with the headline programme payback (first quarter whose
/// cumulative free cash flow is back at zero, without terminal value), then the variants with
/// terminal value, NPV, IRR, the funding need and the revenue mix; then per run the vintage,
/// annual and utilization tables. Money is in billions of US dollars.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Scenario file, or the name of a built-in scenario (`payback scenarios` lists them).
    #[arg(value_name = "SCENARIO")]
    pub scenario: Option<String>,

    /// Overlay file or built-in overlay name (`bull`, `bear`); repeat to apply several, in
    /// order.
    #[arg(long = "overlay", short = 'o', value_name = "OVERLAY")]
    pub overlays: Vec<String>,

    /// Output format: a terminal table, tidy long CSV (scenario,period,metric,unit,value) or
    /// JSON (schema in docs/formats.md).
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,

    /// Write the output to FILE (atomically: a temporary file renamed into place) instead of
    /// stdout.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Tables for a terminal.
    Table,
    /// Tidy long CSV: one row per figure.
    Csv,
    /// One JSON document with a manifest of the inputs.
    Json,
}

/// Run the command.
pub fn run(args: Args, ctx: &Context) -> Result<(), CommandError> {
    // A file with a top-level [portfolio] table runs as a portfolio (commands/portfolio.rs).
    if let Some((path, text)) = super::portfolio::detect(args.scenario.as_deref()) {
        return super::portfolio::run(&args, &path, &text, ctx);
    }
    let plans = runs::plan(args.scenario.as_deref(), &args.overlays, &[])?;
    let done = runs::load(&plans)?;
    let inputs = runs::manifest(&plans, &done);
    let runs: Vec<Run<'_>> = done.iter().map(Done::run).collect();
    let width = ctx.width;
    let write = |out: &mut dyn Write| -> io::Result<()> {
        match args.format {
            Format::Table => text::render(out, &runs, text::Options { width }),
            Format::Csv => tidy::render(out, &runs),
            Format::Json => json::render(out, &inputs, &runs),
        }
    };
    match &args.out {
        Some(path) => output::to_file_atomically(path, write),
        None => output::to_stdout(write),
    }
}
