//! The `payback` command-line tool: glue between the files, the engine and the reports.
//!
//! Each subcommand lives in its own module under `commands/` with its clap arguments (whose
//! doc comments are the `--help` text) and a `run(args, ctx) -> Result<(), CommandError>`.
//! The exit policy is in one place, [`error::exit_code`]: 0 success, 1 a check failed (a goal
//! seek with no solution), 2 bad input or usage, 255 internal error; a broken pipe on stdout
//! ends quietly with 0.

mod commands;
mod diagnostics;
mod error;
mod inputs;
mod output;
mod runs;

use std::io::IsTerminal as _;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::error::CommandError;

/// When does AI-infrastructure capex pay back as free cash flow?
///
/// payback projects a company's AI build-out quarter by quarter — capex cohorts, compute
/// capacity, contracts and RPO, premium tiers, inference, enterprise agents, equity stakes —
/// down to free cash flow, and reports the payback, NPV, IRR and the signals to watch.
/// Scenarios are commented TOML files; every number can be traced with `payback explain`.
#[derive(Debug, Parser)]
#[command(
    name = "payback",
    version,
    propagate_version = true,
    max_term_width = 100
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    Run(commands::run::Args),
    Explain(commands::explain::Args),
    Scenarios(commands::scenarios::Args),
    Init(commands::init::Args),
    Evidence(commands::evidence::Args),
    Simulate(commands::simulate::Args),
    Sensitivity(commands::sensitivity::Args),
    Solve(commands::solve::Args),
    Report(commands::report::Args),
}

/// What every command may use from the environment, read once here.
#[derive(Debug, Clone, Copy)]
pub struct Context {
    /// Width for tables: `COLUMNS` if set, else the terminal's width, else no limit.
    pub width: Option<u16>,
}

impl Context {
    fn from_env() -> Context {
        let columns = std::env::var("COLUMNS")
            .ok()
            .and_then(|c| c.trim().parse::<u16>().ok())
            .filter(|w| *w >= 40);
        let width = columns.or_else(|| {
            let stdout = std::io::stdout();
            if stdout.is_terminal() {
                terminal_size::terminal_size_of(&stdout).map(|(w, _)| w.0)
            } else {
                None
            }
        });
        Context { width }
    }
}

fn dispatch(command: Command, ctx: &Context) -> Result<(), CommandError> {
    match command {
        Command::Run(a) => commands::run::run(a, ctx),
        Command::Simulate(a) => commands::simulate::run(a, ctx),
        Command::Sensitivity(a) => commands::sensitivity::run(a, ctx),
        Command::Solve(a) => commands::solve::run(a, ctx),
        Command::Report(a) => commands::report::run(a, ctx),
        Command::Explain(a) => commands::explain::run(a, ctx),
        Command::Scenarios(a) => commands::scenarios::run(a, ctx),
        Command::Init(a) => commands::init::run(a, ctx),
        Command::Evidence(a) => commands::evidence::run(a, ctx),
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // --help and --version go to stdout with 0; usage errors to stderr with 2.
            let code = if e.use_stderr() { 2 } else { 0 };
            // A closed stdout while printing help is not worth reporting.
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let ctx = Context::from_env();
    // A panic is a bug: report it as an internal error (exit 255), not as Rust's 101.
    let result = std::panic::catch_unwind(|| dispatch(cli.command, &ctx)).unwrap_or_else(|_| {
        Err(CommandError::internal(
            "payback hit a bug (see the message above); please report it with the input files",
        ))
    });
    error::exit_code(result)
}
