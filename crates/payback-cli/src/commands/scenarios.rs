//! `payback scenarios`: list the built-in scenarios and overlays, the companies' included.

use std::io::Write;

use payback_input::builtin::{self, BuiltinKind};

use crate::Context;
use crate::error::CommandError;
use crate::output;

/// List the built-in scenarios and overlays, with what each one assumes.
///
/// Use a name where a file is expected: `payback run default --overlay bear`, or for a
/// company `payback run microsoft --overlay microsoft-bear`. `payback init` writes them out as
/// commented TOML files to copy and edit (`--companies` for the company files).
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Run the command.
pub fn run(_args: Args, _ctx: &Context) -> Result<(), CommandError> {
    let main = builtin::all();
    let companies = builtin::companies();
    let width = main
        .iter()
        .chain(companies)
        .map(|b| b.name.len())
        .max()
        .unwrap_or(4)
        .max(4);
    let kind = |b: &builtin::Builtin| match b.kind {
        BuiltinKind::Scenario => "scenario",
        BuiltinKind::Overlay => "overlay",
    };
    output::to_stdout(|out: &mut dyn Write| {
        writeln!(out, "{:width$}  {:8}  DESCRIPTION", "NAME", "KIND")?;
        for b in main {
            writeln!(out, "{:width$}  {:8}  {}", b.name, kind(b), b.description)?;
        }
        writeln!(out)?;
        writeln!(
            out,
            "Companies (AI slices from public filings; docs/companies.md):"
        )?;
        for b in companies {
            writeln!(out, "{:width$}  {:8}  {}", b.name, kind(b), b.description)?;
        }
        Ok(())
    })
}
