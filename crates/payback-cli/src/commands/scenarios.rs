//! `payback scenarios`: list the built-in scenarios and overlays.

use std::io::Write;

use payback_input::builtin::{self, BuiltinKind};

use crate::Context;
use crate::error::CommandError;
use crate::output;

/// List the built-in scenario and overlays, with what each one assumes.
///
/// Use a name where a file is expected: `payback run default --overlay bear`. `payback init`
/// writes them out as commented TOML files to copy and edit.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Run the command.
pub fn run(_args: Args, _ctx: &Context) -> Result<(), CommandError> {
    let all = builtin::all();
    let width = all.iter().map(|b| b.name.len()).max().unwrap_or(4).max(4);
    output::to_stdout(|out: &mut dyn Write| {
        writeln!(out, "{:width$}  {:8}  DESCRIPTION", "NAME", "KIND")?;
        for b in all {
            let kind = match b.kind {
                BuiltinKind::Scenario => "scenario",
                BuiltinKind::Overlay => "overlay",
            };
            writeln!(out, "{:width$}  {kind:8}  {}", b.name, b.description)?;
        }
        Ok(())
    })
}
