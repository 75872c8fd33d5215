//! `payback report`: the HTML report, charts, workbook and machine-readable files in a
//! directory.

use std::path::{Path, PathBuf};

use payback_input::{ParamScalar, ParamValue};
use payback_report::Run;
use payback_report::assumptions::{Assumption, AssumptionValue};
use payback_report::bundle::{self, Report};
use payback_report::charts::uncertainty::{Tornado, TornadoRow, Uncertainty, swing_value};
use payback_sim::{Config, NoProgress, Plan, Sampling, sensitivity};

use crate::Context;
use crate::commands::evidence;
use crate::error::CommandError;
use crate::output;
use crate::runs::{self, Done};

/// Write an HTML report, charts, an Excel workbook, CSV and JSON into a directory.
///
/// Writes into DIR (created if missing; each file replaced atomically, nothing else touched):
/// report.html (self-contained, no JavaScript, prints to PDF), charts/*.svg and charts/*.png,
/// workbook.xlsx (Summary with live formulas, Assumptions, Quarterly, Annual, Vintages),
/// quarterly.csv, annual.csv and summary.json. Nothing is written when an input is wrong.
///
/// With no SCENARIO, no --overlay and no --compare, reports the built-in default as base,
/// base+bull and base+bear, like `payback run`. Otherwise the first run is SCENARIO with the
/// overlays, and each --compare adds a run with that overlay applied on top. When the first
/// run's scenario has an `[uncertainty]` table, a Monte Carlo simulation adds the fan chart and
/// the probability of payback (same seed and paths as `payback simulate`), and the tornado of
/// `payback sensitivity` (each input alone at its P10 and P90). See docs/reports.md.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Scenario file, or the name of a built-in scenario (`payback scenarios` lists them).
    #[arg(value_name = "SCENARIO")]
    pub scenario: Option<String>,

    /// Overlay file or built-in overlay name, applied to every run; repeat to apply several.
    #[arg(long = "overlay", short = 'o', value_name = "OVERLAY")]
    pub overlays: Vec<String>,

    /// Add a run with this overlay applied on top (e.g. `--compare bull --compare bear`).
    #[arg(long = "compare", value_name = "OVERLAY")]
    pub compare: Vec<String>,

    /// Directory to write into (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,

    /// Monte Carlo paths for the uncertainty charts.
    #[arg(long, default_value_t = 10_000)]
    pub paths: u64,

    /// Seed of the Monte Carlo streams.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,

    /// Skip the Monte Carlo simulation even when the scenario defines uncertainty.
    #[arg(long)]
    pub no_simulation: bool,

    /// Evidence: --evidence-db PATH --company NAME [--ai-share S=X]... [--prior W]... [--by Q].
    #[command(flatten)]
    pub evidence: evidence::ReportArgs,
}

/// Run the command.
pub fn run(args: Args, _ctx: &Context) -> Result<(), CommandError> {
    if args.paths == 0 {
        return Err(CommandError::usage("--paths must be at least 1"));
    }
    if args.out.exists() && !args.out.is_dir() {
        return Err(
            CommandError::usage(format!("`{}` is not a directory", args.out.display()))
                .hint("--out names a directory to write the report files into"),
        );
    }
    let plans = runs::plan(args.scenario.as_deref(), &args.overlays, &args.compare)?;
    let done = runs::load(&plans)?;
    // --evidence-db: the runs scored against the stored observations, as `evidence score`.
    let scored: Vec<evidence::Scenario<'_>> = done
        .iter()
        .map(|d| evidence::Scenario {
            label: &d.label,
            loaded: &d.loaded,
            projection: &d.projection,
        })
        .collect();
    let how = evidence::Reprojection {
        paths: args.paths,
        seed: args.seed,
        simulate: !args.no_simulation,
    };
    let evidence = evidence::for_report(&args.evidence, &scored, how)?;
    let uncertainty = match done.first() {
        Some(first) if !args.no_simulation && !first.loaded.uncertainty.params.is_empty() => {
            simulate(first, &args)?
        }
        _ => None,
    };
    let inputs = runs::manifest(&plans, &done);
    let runs: Vec<Run<'_>> = done.iter().map(Done::run).collect();
    let assumptions: Vec<Vec<Assumption>> = done
        .iter()
        .map(|d| d.loaded.params.iter().map(assumption).collect())
        .collect();
    let report = Report {
        runs: &runs,
        assumptions: &assumptions,
        inputs: &inputs,
        uncertainty: uncertainty.as_ref(),
    };
    let files = bundle::render_with_evidence(&report, evidence.as_ref())
        .map_err(|e| CommandError::internal(e.to_string()))?;
    write_all(&args.out, &files)?;
    println!(
        "wrote {} files to {}: report.html, workbook.xlsx, quarterly.csv, annual.csv, \
         summary.json and {} charts (SVG and PNG) in charts/",
        files.len(),
        args.out.display(),
        files.iter().filter(|f| f.path.ends_with(".svg")).count()
    );
    Ok(())
}

/// Create DIR (and `charts/`) and write every file atomically.
fn write_all(dir: &Path, files: &[bundle::OutputFile]) -> Result<(), CommandError> {
    for f in files {
        let path = f
            .path
            .split('/')
            .fold(dir.to_path_buf(), |p, part| p.join(part));
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| {
                let err = CommandError::io(format!("cannot create `{}`", parent.display()), e);
                err.into_usage()
            })?;
        }
        output::to_file_atomically(&path, |w| w.write_all(&f.bytes))?;
    }
    Ok(())
}

fn simulate(first: &Done, args: &Args) -> Result<Option<Uncertainty>, CommandError> {
    let plan = Plan::new(&first.loaded.scenario, &first.loaded.uncertainty, true)
        .map_err(|e| CommandError::input(e.to_string()))?;
    let cfg = Config {
        paths: args.paths,
        seed: args.seed,
        sampling: Sampling::MonteCarlo,
        threads: None,
    };
    let result = payback_sim::simulate(&plan, &cfg, &mut NoProgress)
        .map_err(|e| CommandError::internal(e.to_string()))?;
    let mut u = Uncertainty::from_sim(&result.report(), Some(&first.projection.q.fcf_cumulative));
    if let Some(u) = u.as_mut() {
        u.tornado = tornado(first)?;
    }
    Ok(u)
}

/// The tornado of `payback sensitivity`: each uncertain input alone at its P10 and P90.
fn tornado(first: &Done) -> Result<Option<Tornado>, CommandError> {
    let s = &first.loaded.scenario;
    let levers = sensitivity::levers(s, &first.loaded.uncertainty, None, None)
        .map_err(|e| CommandError::input(e.to_string()))?;
    if levers.is_empty() {
        return Ok(None);
    }
    let t = sensitivity::tornado(s, &levers);
    Ok(Some(Tornado {
        base_npv: t.base.npv,
        rows: t
            .rows
            .iter()
            .map(|r| TornadoRow {
                label: r.path.clone(),
                low: swing_value(r.low_value, r.scale),
                high: swing_value(r.high_value, r.scale),
                npv_low: r.low.npv,
                npv_high: r.high.npv,
            })
            .collect(),
    }))
}

/// A loaded parameter as the report lists it.
fn assumption(p: &ParamValue) -> Assumption {
    let prov = p.provenance.clone().unwrap_or_default();
    Assumption {
        path: p.path.clone(),
        value: match &p.value {
            ParamScalar::Number(x) => AssumptionValue::Number(*x),
            ParamScalar::Text(s) => AssumptionValue::Text(s.clone()),
            ParamScalar::Bool(b) => AssumptionValue::Bool(*b),
        },
        unit: p.unit.to_string(),
        doc: p.doc.to_string(),
        kind: prov.kind,
        as_of: prov.as_of,
        source: prov.source,
        note: prov.note,
        origin: if p.is_default || p.file.is_empty() {
            "default".to_string()
        } else {
            format!("{}:{}", p.file, p.line)
        },
        overlay: p.set_by_overlay.clone(),
    }
}
