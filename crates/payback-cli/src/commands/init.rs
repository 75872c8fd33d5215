//! `payback init`: write the built-in scenario and overlays as files to edit.

use std::io::Write;
use std::path::PathBuf;

use payback_input::builtin;

use crate::Context;
use crate::error::CommandError;
use crate::output;

/// Write the built-in scenario and overlays into DIR as commented TOML files (with
/// --companies, the company scenarios too).
///
/// Every value in them carries its source or says that it is an assumption. Existing files
/// are never overwritten unless --force is given. Then edit them and run, for example,
/// `payback run default.toml --overlay bear.toml`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Directory to write into (created if missing).
    #[arg(value_name = "DIR", default_value = ".")]
    pub dir: PathBuf,

    /// Overwrite files that already exist.
    #[arg(long)]
    pub force: bool,

    /// Also write the company scenarios and their bull and bear overlays (`microsoft.toml`,
    /// `microsoft-bear.toml`, …; see `payback scenarios`).
    #[arg(long)]
    pub companies: bool,
}

/// The file name a built-in is written to: `<name>.toml`.
pub fn file_name(b: &builtin::Builtin) -> String {
    format!("{}.toml", b.name)
}

/// Run the command.
pub fn run(args: Args, _ctx: &Context) -> Result<(), CommandError> {
    let companies: &[builtin::Builtin] = if args.companies {
        builtin::companies()
    } else {
        &[]
    };
    let targets: Vec<(PathBuf, &builtin::Builtin)> = builtin::all()
        .iter()
        .chain(companies)
        .map(|b| (args.dir.join(file_name(b)), b))
        .collect();
    if !args.force {
        // Check every file before writing any, so that a refusal leaves the directory alone.
        if let Some((path, _)) = targets.iter().find(|(p, _)| p.exists()) {
            return Err(CommandError::usage(format!(
                "`{}` already exists; nothing was written",
                path.display()
            ))
            .hint("use --force to overwrite it, or name another directory"));
        }
    }
    std::fs::create_dir_all(&args.dir)
        .map_err(|e| CommandError::io(format!("cannot create `{}`", args.dir.display()), e))?;
    for (path, b) in &targets {
        output::to_file_atomically(path, |out: &mut dyn Write| out.write_all(b.text.as_bytes()))?;
    }
    output::to_stdout(|out: &mut dyn Write| {
        for (path, b) in &targets {
            writeln!(out, "wrote {} ({})", path.display(), b.description)?;
        }
        // The suggestion pairs the main scenario with its last overlay (not a company's).
        let main = &targets[..builtin::all().len().min(targets.len())];
        if let (Some(scenario), Some(overlay)) = (
            main.iter()
                .find(|(_, b)| b.kind == builtin::BuiltinKind::Scenario),
            main.iter()
                .rfind(|(_, b)| b.kind == builtin::BuiltinKind::Overlay),
        ) {
            writeln!(
                out,
                "next: payback run {} --overlay {}",
                scenario.0.display(),
                overlay.0.display()
            )?;
        }
        Ok(())
    })
}
