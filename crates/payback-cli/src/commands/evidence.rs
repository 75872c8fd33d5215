//! `payback evidence`: record observations (CSV, SEC companyfacts), list them, and score
//! scenarios against them. Formats and maths: docs/evidence.md.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufReader, Write};
use std::path::{Path, PathBuf};

use payback_evidence::reproject::{self, PaybackDistribution};
use payback_evidence::score::{self, ScenarioInput, Settings};
use payback_evidence::store::{Filter, ImportSummary, Store};
use payback_evidence::{Signal, csvfile, report, sec};
use payback_model::Quarter;

use crate::Context;
use crate::error::CommandError;
use crate::inputs::{DEFAULT_SCENARIO, Spec};
use crate::output;

/// Record evidence (observations of RPO, capex, FCF, ...) and score scenarios against it.
///
/// Observations live in a SQLite database: --db PATH, or by default
/// $XDG_DATA_HOME/payback/evidence.db (else ~/.local/share/payback/evidence.db). Every import
/// is one transaction: a bad row rejects the whole file and nothing stored changes.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The evidence database (created if missing).
    #[arg(long, global = true, value_name = "PATH")]
    pub db: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Sub,
}

/// The evidence subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum Sub {
    /// Add observations from a CSV file (columns in docs/evidence.md).
    Add(AddArgs),
    /// Import an SEC EDGAR XBRL companyfacts JSON file (data.sec.gov/api/xbrl/companyfacts/).
    ImportSec(ImportArgs),
    /// Download a company's companyfacts from the SEC (data.sec.gov) and import it as
    /// import-sec does. Needs a build with `--features fetch`.
    FetchSec(FetchArgs),
    /// List stored observations.
    List(ListArgs),
    /// Score scenarios against a company's observations: stage statuses, posterior weights,
    /// and P(payback by 2030) before and after the evidence.
    Score(ScoreArgs),
}

/// `evidence add`.
#[derive(Debug, clap::Args)]
pub struct AddArgs {
    /// CSV file.
    #[arg(value_name = "FILE.csv")]
    pub file: PathBuf,
}

/// `evidence import-sec`.
#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// companyfacts JSON file (CIK##########.json).
    #[arg(value_name = "FILE.json")]
    pub file: PathBuf,
    /// Company name to store the observations under (default: the file's entityName).
    #[arg(long, value_name = "NAME")]
    pub company: Option<String>,
}

/// `evidence fetch-sec`.
#[derive(Debug, clap::Args)]
pub struct FetchArgs {
    /// Central index key: `1640147`, `0001640147` or `CIK0001640147`.
    #[arg(value_name = "CIK")]
    pub cik: String,
    /// Who is asking, as the SEC requires: a name and an email address, e.g.
    /// "Jane Doe jane@example.com" (default: $PAYBACK_SEC_USER_AGENT).
    #[arg(long, value_name = "\"NAME EMAIL\"")]
    pub user_agent: Option<String>,
    /// Where companyfacts are served (tests and mirrors).
    #[arg(long, value_name = "URL", default_value = payback_evidence::fetch::DEFAULT_BASE)]
    pub base_url: String,
    /// Company name to store the observations under (default: the file's entityName).
    #[arg(long, value_name = "NAME")]
    pub company: Option<String>,
}

/// `evidence list`.
#[derive(Debug, clap::Args)]
pub struct ListArgs {
    /// Only this company (name, case-insensitive, or CIK).
    #[arg(long, value_name = "NAME")]
    pub company: Option<String>,
    /// Only this signal (rpo, capex, fcf, ...).
    #[arg(long, value_name = "SIGNAL")]
    pub signal: Option<String>,
    /// Include values superseded by a later revision.
    #[arg(long)]
    pub all: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// `evidence score`.
#[derive(Debug, clap::Args)]
pub struct ScoreArgs {
    /// Scenario file or built-in name (default: the built-in `default`).
    #[arg(value_name = "SCENARIO")]
    pub scenario: Option<String>,
    /// An alternative scenario: SCENARIO with this overlay applied; repeat for more. With no
    /// --overlay the alternatives are the built-in `bull` and `bear`.
    #[arg(long = "overlay", short = 'o', value_name = "OVERLAY")]
    pub overlays: Vec<String>,
    /// The company whose observations are scored (name, case-insensitive, or CIK).
    #[arg(long, value_name = "NAME")]
    pub company: String,
    /// AI share of a whole-company signal, e.g. `rpo=0.4`; repeat per signal. Without one, a
    /// whole-company signal is compared as a growth rate.
    #[arg(long = "ai-share", value_name = "SIGNAL=SHARE")]
    pub ai_share: Vec<String>,
    /// Prior weight of each scenario, in order (base first); default equal.
    #[arg(long = "prior", value_name = "WEIGHT")]
    pub priors: Vec<f64>,
    /// Quarter for P(payback by).
    #[arg(long, value_name = "QUARTER", default_value = "2030Q4")]
    pub by: String,
    /// Monte Carlo paths per scenario for P(payback by) (scenarios with `[uncertainty]`;
    /// the others count with their deterministic payback quarter).
    #[arg(long, default_value_t = 2000, value_name = "N")]
    pub paths: u64,
    /// Seed of the Monte Carlo streams (the same for every scenario).
    #[arg(long, default_value_t = 42, value_name = "S")]
    pub seed: u64,
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
    /// JSON.
    Json,
}

/// Run the command.
pub fn run(args: Args, _ctx: &Context) -> Result<(), CommandError> {
    let db = match args.db {
        Some(p) => p,
        None => default_db()?,
    };
    match args.command {
        Sub::Add(a) => add(&db, &a),
        Sub::ImportSec(a) => import_sec(&db, &a),
        Sub::FetchSec(a) => fetch_sec(&db, &a),
        Sub::List(a) => list(&db, &a),
        Sub::Score(a) => score_cmd(&db, &a),
    }
}

/// `$XDG_DATA_HOME/payback/evidence.db`, else `$HOME/.local/share/payback/evidence.db`.
fn default_db() -> Result<PathBuf, CommandError> {
    let from = |v: &str| {
        std::env::var_os(v)
            .filter(|s| !s.is_empty())
            .map(PathBuf::from)
    };
    if let Some(x) = from("XDG_DATA_HOME") {
        return Ok(x.join("payback").join("evidence.db"));
    }
    if let Some(h) = from("HOME") {
        return Ok(h.join(".local/share/payback/evidence.db"));
    }
    Err(
        CommandError::usage("no evidence database: neither XDG_DATA_HOME nor HOME is set")
            .hint("name one with --db PATH"),
    )
}

fn open(db: &Path) -> Result<Store, CommandError> {
    if let Some(dir) = db.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| {
            CommandError::usage(format!(
                "cannot create the directory `{}`: {e}",
                dir.display()
            ))
        })?;
    }
    Store::open(db).map_err(|e| CommandError::input(e.to_string()))
}

/// Today's date, for the import log.
fn today() -> String {
    #[allow(clippy::disallowed_methods)] // the CLI edge is where the clock is read
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    chrono::NaiveDate::from_ymd_opt(1970, 1, 1)
        .and_then(|d| d.checked_add_signed(chrono::TimeDelta::days(days)))
        .map_or_else(|| "unknown".to_string(), |d| d.to_string())
}

fn summary_line(file: &str, s: &ImportSummary) -> String {
    format!(
        "{file}: {} observations: {} added, {} already stored, {} revisions\n",
        s.offered, s.added, s.unchanged, s.revisions
    )
}

fn add(db: &Path, a: &AddArgs) -> Result<(), CommandError> {
    let name = a.file.display().to_string();
    let text = std::fs::read_to_string(&a.file)
        .map_err(|e| CommandError::input(format!("cannot read `{name}`: {e}")))?;
    let obs = csvfile::parse(&name, &text).map_err(|e| CommandError::input(e.to_string()))?;
    let mut store = open(db)?;
    let s = store
        .import("csv", &name, &today(), &obs)
        .map_err(|e| CommandError::input(e.to_string()))?;
    let line = summary_line(&name, &s);
    output::to_stdout(|out: &mut dyn Write| out.write_all(line.as_bytes()))
}

fn import_sec(db: &Path, a: &ImportArgs) -> Result<(), CommandError> {
    let name = a.file.display().to_string();
    let file = File::open(&a.file)
        .map_err(|e| CommandError::input(format!("cannot read `{name}`: {e}")))?;
    import_facts(db, &name, BufReader::new(file), a.company.as_deref())
}

/// Import a companyfacts document read from `reader` (`name` in messages and the import log):
/// the one path of `import-sec` and `fetch-sec`. Parsed and normalised before the database is
/// opened; stored in one transaction.
fn import_facts(
    db: &Path,
    name: &str,
    reader: impl std::io::Read,
    company: Option<&str>,
) -> Result<(), CommandError> {
    let facts = sec::read(name, reader).map_err(|e| CommandError::input(e.to_string()))?;
    let company = company
        .map(str::to_string)
        .or_else(|| facts.entity_name.clone())
        .or_else(|| facts.cik.map(|c| format!("CIK{c:010}")))
        .ok_or_else(|| {
            CommandError::input(format!(
                "`{name}` has neither `entityName` nor `cik`: name the company with --company"
            ))
        })?;
    let imp =
        sec::normalise(name, &facts, &company).map_err(|e| CommandError::input(e.to_string()))?;
    let mut store = open(db)?;
    let s = store
        .import("sec", name, &today(), &imp.observations)
        .map_err(|e| CommandError::input(e.to_string()))?;
    let r = &imp.report;
    let mut text = summary_line(name, &s);
    text.push_str(&format!(
        "  company {company}{}; {} USD rows, {} facts, {} repeated rows dropped, {} revisions \
         across filings, {} quarters derived from year-to-date totals\n",
        imp.cik.map(|c| format!(" (CIK {c})")).unwrap_or_default(),
        r.rows,
        r.facts,
        r.duplicates,
        r.revisions,
        r.derived_quarters
    ));
    for w in &r.warnings {
        text.push_str(&format!("  warning: {w}\n"));
    }
    output::to_stdout(|out: &mut dyn Write| out.write_all(text.as_bytes()))
}

/// `fetch-sec`: check the arguments, download, then import exactly as `import-sec` does.
/// Nothing is stored (the database is not even opened) unless the download succeeded and the
/// document parsed.
#[cfg(feature = "fetch")]
fn fetch_sec(db: &Path, a: &FetchArgs) -> Result<(), CommandError> {
    use payback_evidence::fetch;
    let cik =
        fetch::parse_cik(&a.cik).map_err(|e| CommandError::usage(format!("fetch-sec: {e}")))?;
    if !(a.base_url.starts_with("https://") || a.base_url.starts_with("http://")) {
        return Err(CommandError::usage(format!(
            "--base-url `{}`: expected an http:// or https:// URL",
            a.base_url
        )));
    }
    let given = a
        .user_agent
        .clone()
        .or_else(|| std::env::var(fetch::USER_AGENT_ENV).ok())
        .filter(|s| !s.trim().is_empty());
    let Some(given) = given else {
        return Err(CommandError::usage(
            "fetch-sec: the SEC requires a User-Agent naming you, and none was given",
        )
        .hint(format!(
            "pass --user-agent \"Jane Doe jane@example.com\" or set {}",
            fetch::USER_AGENT_ENV
        )));
    };
    let user_agent = fetch::check_user_agent(&given)
        .map_err(|e| CommandError::usage(format!("fetch-sec: {e}")))?;
    let mut fetcher = fetch::Fetcher::new(&a.base_url, &user_agent);
    let url = fetcher.url(cik);
    let body = fetcher
        .companyfacts(cik)
        .map_err(|e| CommandError::input(e.to_string()).hint("nothing was stored"))?;
    import_facts(db, &url, body.as_slice(), a.company.as_deref())
}

/// `fetch-sec` in a build without the `fetch` feature: says how to get one.
#[cfg(not(feature = "fetch"))]
fn fetch_sec(_db: &Path, _a: &FetchArgs) -> Result<(), CommandError> {
    Err(CommandError::usage(
        "fetch-sec needs a payback built with `--features fetch` (this build has no HTTP client)",
    )
    .hint("build it with `cargo install --path crates/payback-cli --features fetch`, or run `cargo run -p payback-cli --features fetch -- evidence fetch-sec CIK`")
    .hint("or download CIK##########.json from data.sec.gov/api/xbrl/companyfacts/ yourself and run `payback evidence import-sec FILE.json`"))
}

fn list(db: &Path, a: &ListArgs) -> Result<(), CommandError> {
    let signal = match &a.signal {
        None => None,
        Some(s) => Some(Signal::parse(s).ok_or_else(|| {
            CommandError::usage(format!("unknown signal `{s}`"))
                .hint(format!("signals: {}", Signal::names()))
        })?),
    };
    let store = open(db)?;
    let rows = store
        .observations(&Filter {
            company: a.company.clone(),
            signal,
            include_superseded: a.all,
        })
        .map_err(|e| CommandError::input(e.to_string()))?;
    let text = match a.format {
        Format::Table => report::list(&rows),
        Format::Json => json(&rows)?,
    };
    output::to_stdout(|out: &mut dyn Write| out.write_all(text.as_bytes()))
}

fn json(value: &impl serde::Serialize) -> Result<String, CommandError> {
    let mut s = serde_json::to_string_pretty(value)
        .map_err(|e| CommandError::internal(format!("cannot write JSON: {e}")))?;
    s.push('\n');
    Ok(s)
}

fn score_cmd(db: &Path, a: &ScoreArgs) -> Result<(), CommandError> {
    if a.paths == 0 {
        return Err(CommandError::usage("--paths must be at least 1"));
    }
    let settings = settings(&a.ai_share, &a.by)?;

    // The scenarios: SCENARIO, then SCENARIO+overlay for each overlay.
    let base = a
        .scenario
        .clone()
        .unwrap_or_else(|| DEFAULT_SCENARIO.to_string());
    let overlays: Vec<String> = if a.overlays.is_empty() {
        vec!["bull".into(), "bear".into()]
    } else {
        a.overlays.clone()
    };
    let mut specs = vec![Spec::from_args(Some(&base), &[])?];
    for o in &overlays {
        specs.push(Spec::from_args(Some(&base), std::slice::from_ref(o))?);
    }
    check_priors(&a.priors, specs.len())?;
    // Labels: `base` and `base+{overlay name}`; the scenario's own name heads the scorecard.
    let mut labels = Vec::new();
    let mut projections = Vec::new();
    let mut loads = Vec::new();
    for spec in &specs {
        let loaded = spec.load()?;
        let mut label = "base".to_string();
        for o in &loaded.overlay_names {
            label.push('+');
            label.push_str(o);
        }
        labels.push(label);
        projections.push(payback_model::project(&loaded.scenario));
        loads.push(loaded);
    }
    let scenarios: Vec<Scenario<'_>> = labels
        .iter()
        .zip(&loads)
        .zip(&projections)
        .map(|((label, loaded), projection)| Scenario {
            label,
            loaded,
            projection,
        })
        .collect();
    let scored = evaluate(
        db,
        &a.company,
        &scenarios,
        &a.priors,
        settings,
        Reprojection {
            paths: a.paths,
            seed: a.seed,
            simulate: true,
        },
    )?;
    let (card, company, scenario_name) = (&scored.scorecard, &scored.company, &scored.scenario);
    let text = match a.format {
        Format::Table => format!(
            "Scenario: {scenario_name} (base), alternatives: {}\n{}",
            overlays.join(", "),
            report::scorecard(card, company)
        ),
        Format::Json => json(&serde_json::json!({
            "company": company,
            "scenario": scenario_name,
            "scorecard": card,
        }))?,
    };
    let write = |out: &mut dyn Write| out.write_all(text.as_bytes());
    match &a.out {
        Some(path) => output::to_file_atomically(path, write),
        None => output::to_stdout(write),
    }
}

/// The scoring settings from `--ai-share SIGNAL=SHARE` items and `--by QUARTER`.
fn settings(ai_share: &[String], by: &str) -> Result<Settings, CommandError> {
    let mut settings = Settings {
        payback_by: Quarter::parse(by).map_err(|e| CommandError::usage(format!("--by: {e}")))?,
        ..Settings::default()
    };
    let mut shares = BTreeMap::new();
    for item in ai_share {
        let (name, value) = item.split_once('=').ok_or_else(|| {
            CommandError::usage(format!(
                "--ai-share `{item}`: expected SIGNAL=SHARE, e.g. rpo=0.4"
            ))
        })?;
        let signal = Signal::parse(name).ok_or_else(|| {
            CommandError::usage(format!("--ai-share: unknown signal `{name}`"))
                .hint(format!("signals: {}", Signal::names()))
        })?;
        let share: f64 = value
            .trim()
            .parse()
            .ok()
            .filter(|v: &f64| v.is_finite() && *v > 0.0 && *v <= 1.0)
            .ok_or_else(|| {
                CommandError::usage(format!(
                    "--ai-share {name}: the share must be a number in (0, 1], found `{value}`"
                ))
            })?;
        shares.insert(signal, share);
    }
    settings.ai_share = shares;
    Ok(settings)
}

/// `--prior` weights: none, or one positive weight per scenario.
fn check_priors(priors: &[f64], scenarios: usize) -> Result<(), CommandError> {
    if !priors.is_empty() && priors.len() != scenarios {
        return Err(CommandError::usage(format!(
            "{} --prior weights for {scenarios} scenarios (the base and one per overlay)",
            priors.len(),
        )));
    }
    if priors.iter().any(|p| !p.is_finite() || *p <= 0.0) {
        return Err(CommandError::usage(
            "--prior weights must be positive numbers",
        ));
    }
    Ok(())
}

/// One scenario to score: its label, its loaded inputs and its projection.
pub struct Scenario<'a> {
    /// Label in the scorecard (`base`, `base+bull`).
    pub label: &'a str,
    /// The loaded inputs (for the Monte Carlo of the re-projection).
    pub loaded: &'a payback_input::Loaded,
    /// Its deterministic projection (scored against the observations).
    pub projection: &'a payback_model::Projection,
}

/// How the re-projection's payback distributions are made.
#[derive(Debug, Clone, Copy)]
pub struct Reprojection {
    /// Monte Carlo paths per scenario (at least 1).
    pub paths: u64,
    /// Seed of the Monte Carlo streams.
    pub seed: u64,
    /// Simulate scenarios with `[uncertainty]`; `false`: every scenario counts with its
    /// deterministic payback quarter.
    pub simulate: bool,
}

/// The result of [`evaluate`].
pub struct Evaluated {
    /// The company as stored.
    pub company: String,
    /// The first scenario's `[scenario] name`.
    pub scenario: String,
    /// Scores, weights and the re-projection.
    pub scorecard: score::Scorecard,
    /// The stored rows scored.
    pub rows: Vec<payback_evidence::store::Stored>,
}

/// Score `company`'s observations in `db` against `scenarios`: the one path of `evidence
/// score` and `report --evidence-db`. Priors are checked here; the database must exist.
fn evaluate(
    db: &Path,
    company: &str,
    scenarios: &[Scenario<'_>],
    priors: &[f64],
    settings: Settings,
    how: Reprojection,
) -> Result<Evaluated, CommandError> {
    check_priors(priors, scenarios.len())?;
    let inputs: Vec<ScenarioInput<'_>> = scenarios
        .iter()
        .enumerate()
        .map(|(k, s)| ScenarioInput {
            label: s.label,
            prior: priors.get(k).copied().unwrap_or(1.0),
            projection: s.projection,
        })
        .collect();

    let store = open(db)?;
    let rows = store
        .observations(&Filter {
            company: Some(company.to_string()),
            ..Filter::default()
        })
        .map_err(|e| CommandError::input(e.to_string()))?;
    if rows.is_empty() {
        return Err(CommandError::input(format!(
            "no observations for company `{company}` in `{}`",
            db.display()
        ))
        .hint("add some with `payback evidence add FILE.csv` or `payback evidence import-sec FILE.json`")
        .hint("`payback evidence list` shows what is stored"));
    }
    let mut companies: Vec<&str> = rows.iter().map(|r| r.obs.company.as_str()).collect();
    companies.dedup();
    if companies.len() > 1 {
        return Err(CommandError::usage(format!(
            "--company `{company}` matches several companies: {}",
            companies.join(", ")
        ))
        .hint("give the full name or the CIK"));
    }
    let obs: Vec<(i64, &payback_evidence::Observation)> =
        rows.iter().map(|r| (r.id, &r.obs)).collect();
    let mut card = score::score(&obs, &inputs, &settings);
    // Re-projection: each scenario's payback distribution (Monte Carlo over its uncertainty,
    // else its deterministic quarter), mixed by the prior and the posterior weights.
    let mut dists = Vec::with_capacity(scenarios.len());
    for s in scenarios {
        dists.push(if how.simulate {
            payback_distribution(s.loaded, s.projection, s.label, how.paths, how.seed)?
        } else {
            PaybackDistribution::deterministic(
                s.projection.summary.payback_quarter,
                Some("--no-simulation".into()),
            )
        });
    }
    card.reprojection = reproject::mixture(&card.scenarios, &dists, settings.payback_by);
    let company = rows
        .first()
        .map_or_else(|| company.to_string(), |r| r.obs.company.clone());
    let scenario = scenarios
        .first()
        .map(|s| s.loaded.scenario.scenario.name.clone())
        .unwrap_or_default();
    Ok(Evaluated {
        company,
        scenario,
        scorecard: card,
        rows,
    })
}

/// The evidence options of `payback report`: those of `evidence score` that are not about the
/// scenarios (the report's runs are the scenarios scored).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ReportArgs {
    /// Add an Evidence section (and Evidence and Weights sheets): the observations in this
    /// evidence database scored against the report's runs, as `payback evidence score`.
    #[arg(long = "evidence-db", value_name = "PATH", requires = "company")]
    pub evidence_db: Option<PathBuf>,
    /// With --evidence-db: the company whose observations are scored (name, case-insensitive,
    /// or CIK).
    #[arg(long, value_name = "NAME", requires = "evidence_db")]
    pub company: Option<String>,
    /// With --evidence-db: AI share of a whole-company signal, e.g. `rpo=0.4`; repeat per
    /// signal. Without one, a whole-company signal is compared as a growth rate.
    #[arg(
        long = "ai-share",
        value_name = "SIGNAL=SHARE",
        requires = "evidence_db"
    )]
    pub ai_share: Vec<String>,
    /// With --evidence-db: prior weight of each run, in order; default equal.
    #[arg(long = "prior", value_name = "WEIGHT", requires = "evidence_db")]
    pub priors: Vec<f64>,
    /// With --evidence-db: quarter for P(payback by) [default: 2030Q4].
    #[arg(long, value_name = "QUARTER", requires = "evidence_db")]
    pub by: Option<String>,
}

/// The report's Evidence section: `None` without `--evidence-db`. `scenarios` are the report's
/// runs; the re-projection uses the report's `--paths` and `--seed` (and no Monte Carlo with
/// `--no-simulation`).
pub fn for_report(
    args: &ReportArgs,
    scenarios: &[Scenario<'_>],
    how: Reprojection,
) -> Result<Option<payback_report::evidence::Evidence>, CommandError> {
    let Some(db) = &args.evidence_db else {
        return Ok(None);
    };
    let Some(company) = &args.company else {
        return Err(CommandError::usage("--evidence-db needs --company NAME"));
    };
    let settings = settings(&args.ai_share, args.by.as_deref().unwrap_or("2030Q4"))?;
    check_priors(&args.priors, scenarios.len())?;
    if !db.is_file() {
        return Err(
            CommandError::usage(format!("--evidence-db `{}`: no such file", db.display()))
                .hint("create it with `payback evidence --db PATH add FILE.csv` or `import-sec`"),
        );
    }
    let e = evaluate(db, company, scenarios, &args.priors, settings, how)?;
    Ok(Some(payback_report::evidence::Evidence {
        company: e.company,
        scenario: e.scenario,
        scorecard: e.scorecard,
        observations: e.rows,
    }))
}

/// One scenario's payback-quarter distribution: `paths` Monte Carlo paths (seed `seed`, events
/// drawn as `payback simulate` does) when it has `[uncertainty]`, else its deterministic
/// headline payback quarter.
fn payback_distribution(
    loaded: &payback_input::Loaded,
    projection: &payback_model::Projection,
    label: &str,
    paths: u64,
    seed: u64,
) -> Result<PaybackDistribution, CommandError> {
    if loaded.uncertainty.params.is_empty() {
        return Ok(PaybackDistribution::deterministic(
            projection.summary.payback_quarter,
            Some("no [uncertainty]".into()),
        ));
    }
    let plan = payback_sim::Plan::new(&loaded.scenario, &loaded.uncertainty, true)
        .map_err(|e| CommandError::input(format!("{label}: {e}")))?;
    let cfg = payback_sim::Config {
        paths,
        seed,
        sampling: payback_sim::Sampling::MonteCarlo,
        threads: None,
    };
    let run = payback_sim::simulate(&plan, &cfg, &mut payback_sim::NoProgress)
        .map_err(|e| CommandError::internal(format!("{label}: Monte Carlo: {e}")))?;
    let s = &run.summary;
    Ok(PaybackDistribution::from_counts(
        &s.quarters,
        &s.payback_counts,
        s.payback_never,
        s.paths,
        seed,
    ))
}
