//! `payback run`: project a scenario and print the report.

use std::io::{self, Write};
use std::path::PathBuf;

use payback_input::{Loaded, SourceFile};
use payback_report::{Inputs, Run, json, text, tidy};

use crate::Context;
use crate::error::CommandError;
use crate::inputs::{DEFAULT_SCENARIO, Spec};
use crate::output;

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

/// One run to make: its label (by default the names in the files) and its inputs.
struct Planned {
    label: Option<String>,
    spec: Spec,
}

/// A finished run.
struct Done {
    label: String,
    loaded: Loaded,
    projection: payback_model::Projection,
    warnings: Vec<String>,
}

/// Run the command.
pub fn run(args: Args, ctx: &Context) -> Result<(), CommandError> {
    // A file with a top-level [portfolio] table runs as a portfolio (commands/portfolio.rs).
    if let Some((path, text)) = super::portfolio::detect(args.scenario.as_deref()) {
        return super::portfolio::run(&args, &path, &text, ctx);
    }
    let plans = plan(&args)?;
    let mut done = Vec::with_capacity(plans.len());
    let mut errors = Vec::new();
    for p in &plans {
        match p.spec.load() {
            Ok(loaded) => {
                let projection = payback_model::project(&loaded.scenario);
                let warnings = loaded.warnings.iter().map(ToString::to_string).collect();
                done.push(Done {
                    label: p.label.clone().unwrap_or_else(|| label_for(&loaded)),
                    loaded,
                    projection,
                    warnings,
                });
            }
            Err(e) => errors.push(e),
        }
    }
    if let Some(first) = errors.into_iter().next() {
        // The same broken base file would be reported once per run: the first says it all.
        return Err(first);
    }
    let inputs = manifest(&plans, &done);
    let runs: Vec<Run<'_>> = done
        .iter()
        .map(|d| Run {
            label: &d.label,
            settings: &d.loaded.scenario.scenario,
            overlays: &d.loaded.overlay_names,
            projection: &d.projection,
            input_warnings: &d.warnings,
        })
        .collect();
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

fn plan(args: &Args) -> Result<Vec<Planned>, CommandError> {
    if args.scenario.is_none() && args.overlays.is_empty() {
        let mut plans = vec![Planned {
            label: Some("base".into()),
            spec: Spec::from_args(Some(DEFAULT_SCENARIO), &[])?,
        }];
        for overlay in ["bull", "bear"] {
            plans.push(Planned {
                label: Some(format!("base+{overlay}")),
                spec: Spec::from_args(Some(DEFAULT_SCENARIO), &[overlay.to_string()])?,
            });
        }
        return Ok(plans);
    }
    Ok(vec![Planned {
        label: None,
        spec: Spec::from_args(args.scenario.as_deref(), &args.overlays)?,
    }])
}

/// `name+overlay+...`: the scenario's `[scenario] name` and the overlays' names.
fn label_for(loaded: &Loaded) -> String {
    std::iter::once(&loaded.scenario.scenario.name)
        .chain(&loaded.overlay_names)
        .cloned()
        .collect::<Vec<_>>()
        .join("+")
}

/// The manifest: every distinct input file in the order first used.
fn manifest(plans: &[Planned], done: &[Done]) -> Inputs {
    let mut files: Vec<&SourceFile> = Vec::new();
    for p in plans {
        for f in p.spec.files() {
            if !files.iter().any(|g| g.name == f.name && g.text == f.text) {
                files.push(f);
            }
        }
    }
    let mut overlays: Vec<String> = Vec::new();
    for d in done {
        for o in &d.loaded.overlay_names {
            if !overlays.contains(o) {
                overlays.push(o.clone());
            }
        }
    }
    let pairs: Vec<(&str, &str)> = files
        .iter()
        .map(|f| (f.name.as_str(), f.text.as_str()))
        .collect();
    Inputs::new(&pairs, overlays)
}
