//! `payback simulate`: Monte Carlo over the scenario's `[uncertainty]`.

use std::io::{IsTerminal as _, Write};
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

use payback_portfolio::sim::{PortfolioSimReport, portfolio_uncertainty};
use payback_report::fmt;
use payback_sim::{Config, EventOutcome, PERCENTILES, Plan, Sampling, SimSink, split};

use crate::Context;
use crate::commands::portfolio::{self, Replayed as _, table};
use crate::commands::run;
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
///
/// A SCENARIO file with a top-level `[portfolio]` table simulates every company and the industry
/// on the same paths: shared market drivers and counterparty defaults are drawn once per path for
/// all companies (docs/simulation.md, "Portfolios").
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

    /// Also write every path to FILE (CSV, atomically): its index, each input as drawn, what
    /// each drawn event came to, and its payback quarter, NPV, IRR, MOIC, peak funding need
    /// and quarter, and economic recovery (docs/simulation.md, "Per-path samples").
    #[arg(long, value_name = "FILE")]
    pub samples: Option<PathBuf>,

    /// Instead of the summary, project path N (from 0) of the run the other options describe,
    /// alone and in full: what it drew, then every table `payback run` prints for it (or its
    /// CSV or JSON). Give the same --paths, --seed, --sampling and --no-events as the run.
    #[arg(long, value_name = "N")]
    pub replay: Option<u64>,

    /// Run only share K of M of the run the other options describe (`--part 2/4`: the second
    /// quarter of its blocks) and write it to --out as a part file, for `--merge`. Run every
    /// share, on any machines and thread counts, with the same scenario, overlays, --paths,
    /// --seed, --sampling and --no-events (docs/simulation.md, "Split runs").
    #[arg(long, value_name = "K/M", value_parser = parse_share, requires = "out",
          conflicts_with_all = ["format", "replay"])]
    pub part: Option<Share>,

    /// Merge the part files of a split run (every share once, in any order) and report the
    /// whole run: exactly what the run unsplit reports.
    #[arg(long, value_name = "PART", num_args = 1..,
          conflicts_with_all = ["scenario", "overlays", "paths", "seed", "sampling", "no_events",
                                "samples", "replay", "part"])]
    pub merge: Vec<PathBuf>,
}

/// Share `k` of `m` of a split run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Share {
    k: u64,
    m: u64,
}

fn parse_share(s: &str) -> Result<Share, String> {
    let bad = || format!("expected K/M with 1 <= K <= M (e.g. 2/4), found `{s}`");
    let (k, m) = s.split_once('/').ok_or_else(bad)?;
    let (k, m) = (
        k.trim().parse::<u64>().map_err(|_| bad())?,
        m.trim().parse::<u64>().map_err(|_| bad())?,
    );
    if k == 0 || k > m {
        return Err(bad());
    }
    Ok(Share { k, m })
}

/// Sampling methods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SamplingArg {
    /// Plain Monte Carlo.
    Mc,
    /// Latin hypercube.
    Lhs,
}

impl From<SamplingArg> for Sampling {
    fn from(a: SamplingArg) -> Sampling {
        match a {
            SamplingArg::Mc => Sampling::MonteCarlo,
            SamplingArg::Lhs => Sampling::LatinHypercube,
        }
    }
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

/// The progress bar, and every path written to the samples file as its block is folded.
struct Samples<'a> {
    progress: &'a mut Progress,
    out: &'a mut dyn Write,
    /// Each member's first quarter (one for a scenario).
    starts: Vec<payback_model::Quarter>,
    /// The first write error, which stops the run.
    failed: Option<std::io::Error>,
}

impl SimSink for Samples<'_> {
    fn block_done(&mut self, done: u64, total: u64) -> ControlFlow<()> {
        self.progress.block_done(done, total)
    }

    fn wants_paths(&self) -> bool {
        true
    }

    fn block_paths(&mut self, paths: &payback_sim::BlockPaths) -> ControlFlow<()> {
        match payback_report::sim::samples_rows(self.out, &self.starts, paths) {
            Ok(()) => ControlFlow::Continue(()),
            Err(e) => {
                self.failed = Some(e);
                ControlFlow::Break(())
            }
        }
    }
}

/// The columns of a samples file ([`payback_report::sim::samples_header`]) and each member's
/// first quarter.
struct SampleColumns {
    inputs: Vec<String>,
    events: Vec<String>,
    members: Vec<String>,
    starts: Vec<payback_model::Quarter>,
}

/// Run `simulate` with the progress bar as its sink, and with `samples`, also write every path
/// to that file (atomically; a write error stops the run and is returned).
fn with_samples<R>(
    samples: Option<&Path>,
    progress: &mut Progress,
    columns: SampleColumns,
    simulate: impl FnOnce(&mut dyn SimSink) -> R,
) -> Result<R, CommandError> {
    let Some(file) = samples else {
        return Ok(simulate(progress));
    };
    let mut result = None;
    output::to_file_atomically(file, |out| {
        payback_report::sim::samples_header(
            out,
            &columns.inputs,
            &columns.events,
            &columns.members,
        )?;
        let mut sink = Samples {
            progress,
            out,
            starts: columns.starts,
            failed: None,
        };
        let r = simulate(&mut sink);
        if let Some(e) = sink.failed {
            return Err(e);
        }
        result = Some(r);
        Ok(())
    })?;
    result.ok_or_else(|| CommandError::internal("the samples were written without a run"))
}

/// Run the command.
pub fn run(args: Args, ctx: &Context) -> Result<(), CommandError> {
    if args.paths == 0 {
        return Err(CommandError::usage("--paths must be at least 1"));
    }
    if args.threads == Some(0) {
        return Err(CommandError::usage("--threads must be at least 1"));
    }
    let same = |a: &Path, b: &Path| std::path::absolute(a).ok() == std::path::absolute(b).ok();
    if let Some(out) = &args.out {
        if args.samples.as_deref().is_some_and(|s| same(s, out)) {
            return Err(CommandError::usage(format!(
                "--samples and --out both name `{}`: the report would replace the samples",
                out.display()
            )));
        }
        if args.merge.iter().any(|p| same(p, out)) {
            return Err(CommandError::usage(format!(
                "--out names `{}`, one of the parts to merge: the report would replace it",
                out.display()
            )));
        }
    }
    if !args.merge.is_empty() {
        return merge(&args);
    }
    if args.samples.is_some() && args.replay.is_some() {
        return Err(CommandError::usage(
            "--samples and --replay do not go together: --replay projects one path",
        ));
    }
    // A file with a top-level [portfolio] table is simulated as a portfolio, as `run` does.
    if let Some((path, text)) = portfolio::detect(args.scenario.as_deref()) {
        return simulate_portfolio(&args, ctx, &path, &text);
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
    if let Some(path) = args.replay {
        return replay(&args, ctx, spec, loaded, &plan, path);
    }
    let cfg = config(&args);
    let blocks = share(&args);
    let mut progress = Progress::new(split::paths_in(&blocks, cfg.paths));
    let columns = SampleColumns {
        inputs: plan.inputs.iter().map(|i| i.path.clone()).collect(),
        events: plan.event_names(),
        members: Vec::new(),
        starts: vec![plan.base.scenario.start],
    };
    let result = with_samples(args.samples.as_deref(), &mut progress, columns, |sink| {
        payback_sim::simulate_blocks(&plan, &cfg, blocks.clone(), sink)
    })?
    .map_err(|e| CommandError::internal(e.to_string()))?;
    progress.bar.finish_and_clear();
    let files: Vec<&str> = std::iter::once(&spec.main)
        .chain(&spec.overlays)
        .map(|f| f.name.as_str())
        .collect();
    let run = split::RunId::scenario(&plan, &cfg);
    match save_part(&args, run, &files.join(" + "), &blocks, result)? {
        Some(result) => report(&args, &result),
        None => Ok(()),
    }
}

/// The blocks to run: `--part K/M`'s share, or all.
fn share(args: &Args) -> std::ops::Range<u64> {
    match args.part {
        Some(Share { k, m }) => split::share_blocks(k, m, args.paths),
        None => 0..u64::MAX,
    }
}

/// With `--part`, write `result` as the part file (`--out`) and say so; otherwise hand it back
/// for the report.
fn save_part<R: split::Merge + serde::Serialize>(
    args: &Args,
    run: split::RunId,
    name: &str,
    blocks: &std::ops::Range<u64>,
    result: R,
) -> Result<Option<R>, CommandError> {
    let (Some(Share { k, m }), Some(file)) = (args.part, &args.out) else {
        return Ok(Some(result));
    };
    let paths = run.paths;
    let part = split::Part::new(run, name, (k, m), result);
    output::to_file_atomically(file, |out| {
        serde_json::to_writer(&mut *out, &part).map_err(std::io::Error::other)?;
        writeln!(out)
    })?;
    output::to_stdout(|out| {
        writeln!(
            out,
            "share {k}/{m} of {paths} paths (blocks {}..{}, {} paths) written to {}; merge every share with `payback simulate --merge`",
            blocks.start,
            blocks.end,
            split::paths_in(blocks, paths),
            file.display()
        )
    })?;
    Ok(None)
}

/// Print or write `result`'s report in the format `args` asks for.
fn report(args: &Args, result: &payback_sim::SimResult) -> Result<(), CommandError> {
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

/// `--merge PART...`: the whole run's report from the part files of its shares (a scenario's
/// or a portfolio's).
fn merge(args: &Args) -> Result<(), CommandError> {
    // The format and kind first, so that another JSON file is named as such rather than by
    // the first field it lacks, and so that the parts are read as what they hold.
    #[derive(serde::Deserialize)]
    struct Header {
        format: Option<String>,
        run: Option<Kind>,
    }
    #[derive(serde::Deserialize)]
    struct Kind {
        kind: String,
    }
    let mut texts = Vec::with_capacity(args.merge.len());
    for file in &args.merge {
        let shown = file.display().to_string();
        let text = std::fs::read_to_string(file)
            .map_err(|e| CommandError::io(format!("could not read `{shown}`"), e))?;
        let header: Header =
            serde_json::from_str(&text).map_err(|e| not_a_part(&shown, e.to_string()))?;
        let want = split::PART_FORMAT;
        match header.format {
            Some(f) if f == want => {}
            Some(f) => {
                let why = format!("its \"format\" is \"{f}\", not \"{want}\"");
                return Err(not_a_part(&shown, why));
            }
            None => {
                let why = format!("it has no \"format\": \"{want}\"");
                return Err(not_a_part(&shown, why));
            }
        }
        let kind = header.run.map(|r| r.kind).unwrap_or_default();
        texts.push((shown, kind, text));
    }
    fn read<R: serde::de::DeserializeOwned>(
        texts: Vec<(String, String, String)>,
    ) -> Result<Vec<(String, split::Part<R>)>, CommandError> {
        texts
            .into_iter()
            .map(|(shown, _, text)| {
                serde_json::from_str(&text)
                    .map(|p| (shown.clone(), p))
                    .map_err(|e| not_a_part(&shown, e.to_string()))
            })
            .collect()
    }
    let kinds: Vec<&str> = texts.iter().map(|t| t.1.as_str()).collect();
    if let Some(i) = kinds.iter().position(|&k| k != kinds[0]) {
        return Err(CommandError::input(format!(
            "`{}` is a part of a {} run, `{}` of a {} run: they cannot be merged",
            texts[i].0, kinds[i], texts[0].0, kinds[0]
        )));
    }
    let merged = |e: String| CommandError::input(e);
    if kinds[0] == "portfolio" {
        let parts = read::<payback_portfolio::sim::PortfolioSim>(texts)?;
        let name = parts[0].1.name.clone();
        let result = split::merge_parts(parts, args.threads).map_err(merged)?;
        portfolio_report(args, &name, &result)
    } else {
        let result = split::merge_parts(read::<payback_sim::SimResult>(texts)?, args.threads)
            .map_err(merged)?;
        report(args, &result)
    }
}

fn not_a_part(shown: &str, why: String) -> CommandError {
    CommandError::input(format!(
        "`{shown}` is not a payback simulate part file: {why}"
    ))
    .hint("part files are what `payback simulate --part K/M --out FILE` writes")
}

/// `--replay N`: path `path` of the run, projected alone and printed as `payback run` prints a
/// scenario, after what it drew.
fn replay(
    args: &Args,
    ctx: &Context,
    spec: Spec,
    loaded: payback_input::Loaded,
    plan: &Plan,
    path: u64,
) -> Result<(), CommandError> {
    use crate::runs::{Done, Planned};
    let cfg = config(args);
    let Some(r) = payback_sim::replay(plan, &cfg, path) else {
        return Err(not_a_path(&cfg, path));
    };
    let inputs = plan.inputs.iter().map(|i| (i.path.clone(), i.scale));
    let drawn = Drawn::new(
        &cfg,
        plan.events,
        path,
        inputs,
        &r.inputs,
        plan.event_names(),
        &r.events,
    );
    let label = format!("path {path}");
    let projection = payback_model::project(&r.scenario);
    let warnings = loaded.warnings.iter().map(ToString::to_string).collect();
    let plans = [Planned {
        label: Some(label.clone()),
        spec,
    }];
    let done = [Done {
        label,
        loaded,
        projection,
        warnings,
    }];
    let inputs = crate::runs::manifest(&plans, &done);
    let runs: Vec<payback_report::Run<'_>> = done.iter().map(Done::run).collect();
    let write = |out: &mut dyn Write| -> std::io::Result<()> {
        match args.format {
            Format::Table => {
                drawn.table(out)?;
                let options = payback_report::text::Options { width: ctx.width };
                payback_report::text::render(out, &runs, options)
            }
            Format::Csv => {
                payback_report::tidy::render(out, &runs)?;
                drawn.csv(out)
            }
            Format::Json => payback_report::json::render_replay(out, &inputs, &runs, &drawn.json),
        }
    };
    match &args.out {
        Some(file) => output::to_file_atomically(file, write),
        None => output::to_stdout(write),
    }
}

/// `--replay` of a path the run does not have.
fn not_a_path(cfg: &Config, path: u64) -> CommandError {
    CommandError::usage(format!(
        "--replay {path} is not a path of this run: with --paths {} they are numbered 0 to {}",
        cfg.paths,
        cfg.paths - 1
    ))
}

/// What a replayed path drew, ready to print before its projection: a heading and one line
/// per input and event (table), `drawn` rows (CSV), or the `monte_carlo_path` object (JSON).
struct Drawn {
    heading: String,
    /// `path N`: the scenario column of its CSV rows.
    label: String,
    /// (name, unit, value as printed, value for JSON).
    rows: Vec<(String, &'static str, String, serde_json::Value)>,
    json: serde_json::Value,
}

impl Drawn {
    /// `inputs` (name, whether it scales) with their `values`, then `event_names` with their
    /// `events`, of path `path` of the run `cfg`.
    fn new(
        cfg: &Config,
        events_drawn: bool,
        path: u64,
        inputs: impl Iterator<Item = (String, bool)>,
        values: &[f64],
        event_names: Vec<String>,
        events: &[EventOutcome],
    ) -> Drawn {
        let mut rows: Vec<(String, &'static str, String, serde_json::Value)> = inputs
            .zip(values)
            .map(|((name, scale), &x)| {
                let unit = if scale { "multiplier" } else { "value" };
                (name, unit, format!("{x}"), serde_json::json!(x))
            })
            .collect();
        for (name, ev) in event_names.into_iter().zip(events) {
            rows.push(match *ev {
                EventOutcome::Default(q) => {
                    let q = q.map(|q| q.to_string());
                    let json = q
                        .as_ref()
                        .map_or(serde_json::Value::Null, |q| serde_json::json!(q));
                    (name, "quarter", q.unwrap_or_default(), json)
                }
                EventOutcome::Renewal(b) => (
                    name,
                    "bool",
                    u8::from(b).to_string(),
                    serde_json::json!(u8::from(b)),
                ),
            });
        }
        let sampling = cfg.sampling.name();
        let heading = format!(
            "Monte Carlo path {path} of {} (seed {}, sampling {sampling}{}), as drawn:",
            cfg.paths,
            cfg.seed,
            if events_drawn { "" } else { ", no events" }
        );
        let json = serde_json::json!({
            "path": path,
            "paths": cfg.paths,
            "seed": cfg.seed,
            "sampling": sampling,
            "events_drawn": events_drawn,
            "drawn": rows.iter().map(|(name, unit, _, value)| serde_json::json!({
                "name": name,
                "unit": unit,
                "value": value,
            })).collect::<Vec<_>>(),
        });
        Drawn {
            heading,
            label: format!("path {path}"),
            rows,
            json,
        }
    }
}

impl portfolio::Replayed for Drawn {
    fn table(&self, out: &mut dyn Write) -> std::io::Result<()> {
        writeln!(out, "{}", self.heading)?;
        let width = self
            .rows
            .iter()
            .map(|r| r.0.chars().count())
            .max()
            .unwrap_or(0);
        for (name, unit, v, _) in &self.rows {
            let v = if v.is_empty() {
                "none within the horizon"
            } else {
                v
            };
            writeln!(out, "  {name:<width$} {v}  ({unit})")?;
        }
        writeln!(out)
    }

    fn csv(&self, out: &mut dyn Write) -> std::io::Result<()> {
        for (name, unit, v, _) in &self.rows {
            let row = [self.label.as_str(), "drawn", name, unit, v];
            payback_report::tidy::write_row(out, &row)?;
        }
        Ok(())
    }

    fn json(&self) -> &serde_json::Value {
        &self.json
    }
}

fn config(args: &Args) -> Config {
    Config {
        paths: args.paths,
        seed: args.seed,
        sampling: args.sampling.into(),
        threads: args.threads,
    }
}

/// `payback simulate portfolio.toml`: every company and the industry, shared drivers and
/// counterparty defaults drawn once per path (`payback_portfolio::sim`).
fn simulate_portfolio(
    args: &Args,
    ctx: &Context,
    path: &Path,
    text: &str,
) -> Result<(), CommandError> {
    portfolio::no_overlays(&args.overlays)?;
    let file = portfolio::parse(path, text)?;
    let shown = path.display().to_string();
    let pu = portfolio_uncertainty(&shown, text)
        .map_err(|m| CommandError::input(format!("`{shown}`: {m}")))?;
    // Every file the companies read, for a replay's manifest.
    let mut read = Vec::new();
    let companies = payback_portfolio::sim::load_companies(
        &file,
        pu.as_ref().map(|u| &u.overlay),
        &mut portfolio::recording(path, &mut read),
    )
    .map_err(portfolio::load_error)?;
    let paths = pu.map(|u| u.paths).unwrap_or_default();
    let plan = payback_portfolio::sim::PortfolioPlan::new(&companies, &paths, !args.no_events)
        .map_err(|e| CommandError::input(e.to_string()))?;
    if !plan.has_inputs() {
        return Err(CommandError::input(
            "no company of the portfolio has an `[uncertainty]` table, and the portfolio has none: nothing to simulate",
        )
        .hint("add a portfolio-level `[uncertainty]` table of shared market drivers, e.g. `\"compute.market_margin\" = { dist = \"pert\", min = 0.10, mode = 0.25, max = 0.40 }` (docs/simulation.md, \"Portfolios\")"));
    }
    let cfg = config(args);
    if let Some(n) = args.replay {
        let Some(r) = plan.replay(&cfg, n) else {
            return Err(not_a_path(&cfg, n));
        };
        let (names, event_names, _, _) = plan.sample_columns();
        let scales = plan
            .plans
            .iter()
            .flat_map(|p| p.inputs.iter().map(|i| i.scale));
        let inputs = names.into_iter().zip(scales);
        let drawn = Drawn::new(
            &cfg,
            plan.events,
            n,
            inputs,
            &r.inputs,
            event_names,
            &r.events,
        );
        let loaded = companies
            .into_iter()
            .zip(r.scenarios)
            .map(|((_, mut loaded), scenario)| {
                loaded.scenario = scenario;
                loaded
            })
            .collect();
        let replayed = payback_portfolio::from_loaded(&file, loaded);
        let inputs = portfolio::manifest(path, text, &read, &replayed);
        let format = match args.format {
            Format::Table => run::Format::Table,
            Format::Csv => run::Format::Csv,
            Format::Json => run::Format::Json,
        };
        let out = args.out.as_deref();
        return portfolio::emit(&replayed, &inputs, format, out, ctx, Some(&drawn));
    }
    let blocks = share(args);
    let mut progress = Progress::new(split::paths_in(&blocks, cfg.paths));
    let (inputs, events, members, starts) = plan.sample_columns();
    let columns = SampleColumns {
        inputs,
        events,
        members,
        starts,
    };
    let result = with_samples(args.samples.as_deref(), &mut progress, columns, |sink| {
        payback_portfolio::sim::simulate_blocks(&plan, &cfg, blocks.clone(), sink)
    })?
    .map_err(|e| CommandError::internal(e.to_string()))?;
    progress.bar.finish_and_clear();
    let run = split::RunId::new("portfolio", &plan, &cfg, plan.events);
    match save_part(args, run, &file.name, &blocks, result)? {
        Some(result) => portfolio_report(args, &file.name, &result),
        None => Ok(()),
    }
}

/// Print or write a portfolio run's report in the format `args` asks for.
fn portfolio_report(
    args: &Args,
    name: &str,
    result: &payback_portfolio::sim::PortfolioSim,
) -> Result<(), CommandError> {
    let report = result.report();
    let write = |out: &mut dyn Write| -> std::io::Result<()> {
        match args.format {
            Format::Table => portfolio_text(out, name, &report),
            Format::Csv => portfolio_csv(out, &report),
            Format::Json => portfolio_json(out, name, &report),
        }
    };
    match &args.out {
        Some(p) => output::to_file_atomically(p, write),
        None => output::to_stdout(write),
    }
}

fn pname(p: f64) -> String {
    format!("P{}", (p * 100.0).round() as i64)
}

/// `61.2% ±1.5`: a probability and its standard error, in percentage points.
fn prob(p: f64, se: f64) -> String {
    format!("{} ±{}", fmt::pct(p), fmt::number(se * 100.0, 1))
}

fn portfolio_text(out: &mut dyn Write, name: &str, r: &PortfolioSimReport) -> std::io::Result<()> {
    let Some(first) = r.members.first().map(|m| &m.report) else {
        return Ok(());
    };
    writeln!(
        out,
        "Monte Carlo: {name} — {} companies and the industry (sum of their FCF)",
        r.members.len().saturating_sub(1)
    )?;
    writeln!(
        out,
        "{} paths ({}, blocks of {}), seed {}, {}{}; events {}; percentiles {}",
        first.paths,
        first.sampling,
        first.block_size,
        first.seed,
        first.rng,
        if first.paths < first.paths_requested {
            format!(" (stopped early: {} requested)", first.paths_requested)
        } else {
            String::new()
        },
        if first.events {
            "drawn"
        } else {
            "in expectation"
        },
        first.percentile_method
    )?;
    writeln!(out, "Streams: {}", r.stream)?;
    writeln!(out)?;
    let mut rows = vec![vec![
        "Shared driver (one draw per path)".to_string(),
        "distribution".into(),
        "applied".into(),
        "from".into(),
        "companies".into(),
    ]];
    for d in &r.shared_drivers {
        rows.push(vec![
            d.path.clone(),
            d.dist.clone(),
            if d.scale { "x own value" } else { "replaces" }.into(),
            d.from.clone(),
            d.companies.len().to_string(),
        ]);
    }
    if r.shared_drivers.is_empty() {
        rows.push(vec!["(none)".into()]);
    }
    table(out, "Shared market drivers", &rows)?;
    if !r.shared_defaults.is_empty() {
        let end = r
            .members
            .last()
            .and_then(|m| m.report.by_year.last())
            .map_or_else(String::new, |y| format!(" by end-{}", y.year));
        let mut rows = vec![vec![
            "Counterparty (one event per path)".to_string(),
            "base hazard".into(),
            "drawn from".into(),
            "clock from".into(),
            "companies".into(),
            format!("P(default{end})"),
        ]];
        for d in &r.shared_defaults {
            let c = &d.counterparty;
            rows.push(vec![
                c.counterparty.clone(),
                fmt::pct(c.hazard),
                c.owner.clone(),
                c.clock_start.to_string(),
                c.companies.join(", "),
                if first.events {
                    prob(d.probability, d.std_error)
                } else {
                    "—".into()
                },
            ]);
        }
        table(out, "Counterparty defaults", &rows)?;
    }
    for n in &r.notes {
        writeln!(out, "Note: {n}")?;
    }
    if !r.notes.is_empty() {
        writeln!(out)?;
    }
    let head: Vec<String> = std::iter::once("Year".to_string())
        .chain(r.members.iter().map(|m| m.label.clone()))
        .collect();
    // P(payback by the end of each year): the years of the longest member's horizon.
    let mut years: Vec<i32> = r
        .members
        .iter()
        .flat_map(|m| m.report.by_year.iter().map(|y| y.year))
        .collect();
    years.sort_unstable();
    years.dedup();
    let mut rows = vec![head.clone()];
    for y in &years {
        let mut row = vec![y.to_string()];
        for m in &r.members {
            row.push(
                m.report
                    .by_year
                    .iter()
                    .find(|b| b.year == *y)
                    .map_or_else(|| "—".into(), |b| prob(b.probability, b.std_error)),
            );
        }
        rows.push(row);
    }
    let mut never = vec!["never".to_string()];
    never.extend(
        r.members
            .iter()
            .map(|m| prob(m.report.p_never, m.report.p_never_std_error)),
    );
    rows.push(never);
    table(
        out,
        "P(programme payback by the end of the year) ± standard error (pp)",
        &rows,
    )?;
    let mut rows = vec![{
        let mut h = head.clone();
        h[0] = "Payback quarter".into();
        h
    }];
    for (k, label) in ["P10", "P50", "P90"].iter().enumerate() {
        let mut row = vec![(*label).to_string()];
        for m in &r.members {
            row.push(
                m.report.payback_p10_p50_p90[k]
                    .map_or_else(|| "not within".into(), |q| q.to_string()),
            );
        }
        rows.push(row);
    }
    table(
        out,
        "Payback quarter percentiles (the first quarter by which that share of paths has paid back)",
        &rows,
    )?;
    let mut rows = vec![{
        let mut h = head;
        h[0] = "NPV".into();
        h
    }];
    for (k, p) in PERCENTILES.iter().enumerate() {
        let mut row = vec![pname(*p)];
        for m in &r.members {
            let v = m
                .report
                .outputs
                .iter()
                .find(|o| o.name == "npv")
                .and_then(|o| o.stats.values.get(k).copied().flatten());
            row.push(fmt::opt_money_b(v));
        }
        rows.push(row);
    }
    let mut mean = vec!["mean".to_string()];
    for m in &r.members {
        let v = m
            .report
            .outputs
            .iter()
            .find(|o| o.name == "npv")
            .and_then(|o| o.stats.mean);
        mean.push(fmt::opt_money_b(v));
    }
    rows.push(mean);
    table(
        out,
        "NPV of FCF (the industry's: sum of the companies', each at its own rate)",
        &rows,
    )?;
    if !first.exact {
        writeln!(
            out,
            "Percentiles are approximate (histogram sketches beyond 100,000 paths); see --format json for their error bounds."
        )?;
    }
    Ok(())
}

fn csv_cell(x: Option<f64>) -> String {
    x.filter(|v| v.is_finite())
        .map_or_else(String::new, |v| format!("{v}"))
}

/// Long CSV: `member,section,name,quarter,stat,value` (the single-scenario layout with the
/// member first; no fan chart).
fn portfolio_csv(out: &mut dyn Write, r: &PortfolioSimReport) -> std::io::Result<()> {
    writeln!(out, "member,section,name,quarter,stat,value")?;
    if let Some(f) = r.members.first().map(|m| &m.report) {
        let settings = [
            ("seed", f.seed.to_string()),
            ("rng", f.rng.to_string()),
            ("paths", f.paths.to_string()),
            ("sampling", f.sampling.to_string()),
            ("block_size", f.block_size.to_string()),
            ("exact_percentiles", f.exact.to_string()),
            ("events", f.events.to_string()),
        ];
        for (k, v) in settings {
            writeln!(out, "portfolio,run,{k},,,{v}")?;
        }
    }
    for d in &r.shared_drivers {
        writeln!(
            out,
            "portfolio,shared_driver,\"{}\",,from,{}",
            d.path.replace('"', "\"\""),
            d.from
        )?;
    }
    for d in &r.shared_defaults {
        let id = &d.counterparty.counterparty;
        writeln!(out, "portfolio,default,{id},,paths,{}", d.paths_defaulted)?;
        writeln!(out, "portfolio,default,{id},,probability,{}", d.probability)?;
        writeln!(out, "portfolio,default,{id},,std_error,{}", d.std_error)?;
    }
    for m in &r.members {
        let id = &m.id;
        let rep = &m.report;
        for c in &rep.payback_by_quarter {
            writeln!(out, "{id},payback,paths,{},count,{}", c.quarter, c.paths)?;
        }
        writeln!(out, "{id},payback,paths,never,count,{}", rep.payback_never)?;
        for y in &rep.by_year {
            writeln!(
                out,
                "{id},payback,by_year,{},probability,{}",
                y.year, y.probability
            )?;
            writeln!(
                out,
                "{id},payback,by_year,{},std_error,{}",
                y.year, y.std_error
            )?;
        }
        writeln!(out, "{id},payback,never,,probability,{}", rep.p_never)?;
        writeln!(
            out,
            "{id},payback,never,,std_error,{}",
            rep.p_never_std_error
        )?;
        for (label, q) in ["P10", "P50", "P90"].iter().zip(&rep.payback_p10_p50_p90) {
            writeln!(
                out,
                "{id},payback,quarter,,{label},{}",
                q.map_or_else(String::new, |q| q.to_string())
            )?;
        }
        for row in &rep.outputs {
            for (p, v) in PERCENTILES.iter().zip(&row.stats.values) {
                writeln!(
                    out,
                    "{id},output,{},,{},{}",
                    row.name,
                    pname(*p),
                    csv_cell(*v)
                )?;
            }
            writeln!(
                out,
                "{id},output,{},,mean,{}",
                row.name,
                csv_cell(row.stats.mean)
            )?;
            writeln!(out, "{id},output,{},,missing,{}", row.name, row.missing)?;
            if row.stats.approximate {
                for (p, e) in PERCENTILES.iter().zip(&row.stats.error_bound) {
                    writeln!(
                        out,
                        "{id},output,{},,{}_error_bound,{e}",
                        row.name,
                        pname(*p)
                    )?;
                }
            }
        }
    }
    Ok(())
}

fn portfolio_json(out: &mut dyn Write, name: &str, r: &PortfolioSimReport) -> std::io::Result<()> {
    let mut v = serde_json::to_value(r).map_err(std::io::Error::other)?;
    if let Some(o) = v.as_object_mut() {
        o.insert("schema".into(), "payback-simulate-portfolio/1".into());
        o.insert("portfolio".into(), name.into());
        o.insert(
            "percentiles".into(),
            serde_json::to_value(PERCENTILES.map(pname)).map_err(std::io::Error::other)?,
        );
    }
    serde_json::to_writer_pretty(&mut *out, &v).map_err(std::io::Error::other)?;
    writeln!(out)
}
