//! Command-line names to input files, and loading them.
//!
//! A SCENARIO or OVERLAY argument is a file path when such a file exists, and otherwise the
//! name of a built-in (`default`, `bull`, `bear`). Reading files happens here, in the binary:
//! `payback-input` only sees text.

use std::path::Path;

use payback_input::builtin::{self, BuiltinKind};
use payback_input::{Loaded, SourceFile};

use crate::diagnostics;
use crate::error::CommandError;

/// The built-in scenario used when none is named.
pub const DEFAULT_SCENARIO: &str = "default";

/// Read a scenario (`kind` = scenario) or an overlay from a path or a built-in name.
pub fn resolve(arg: &str, kind: BuiltinKind) -> Result<SourceFile, CommandError> {
    let (what, a_what) = match kind {
        BuiltinKind::Scenario => ("scenario", "a scenario"),
        BuiltinKind::Overlay => ("overlay", "an overlay"),
    };
    let path = Path::new(arg);
    if path.is_file() {
        return match std::fs::read_to_string(path) {
            Ok(text) => Ok(SourceFile::new(arg, text)),
            Err(e) => Err(CommandError::input(format!(
                "cannot read {what} `{arg}`: {e}"
            ))),
        };
    }
    if let Some(b) = builtin::get(arg) {
        if b.kind == kind {
            return Ok(b.source());
        }
        let other = match b.kind {
            BuiltinKind::Scenario => "a scenario",
            BuiltinKind::Overlay => "an overlay",
        };
        return Err(
            CommandError::usage(format!("the built-in `{arg}` is {other}, not {a_what}")).hint(
                match b.kind {
                    BuiltinKind::Overlay => format!("apply it with `--overlay {arg}`"),
                    BuiltinKind::Scenario => {
                        format!("name it as the scenario: `payback run {arg}`")
                    }
                },
            ),
        );
    }
    let names: Vec<&str> = builtin::all()
        .iter()
        .filter(|b| b.kind == kind)
        .map(|b| b.name)
        .collect();
    let mut err = CommandError::input(format!(
        "no file `{arg}` and no built-in {what} of that name"
    ));
    if !names.is_empty() {
        err = err.hint(format!("built-in {what}s: {}", names.join(", ")));
    }
    if path.is_dir() {
        err = err.hint(format!("`{arg}` is a directory; name a .toml file in it"));
    }
    Err(err.hint("`payback scenarios` lists the built-ins"))
}

/// A scenario with overlays, read and ready to load.
#[derive(Debug, Clone)]
pub struct Spec {
    /// The scenario file.
    pub main: SourceFile,
    /// Overlay files, in order.
    pub overlays: Vec<SourceFile>,
}

impl Spec {
    /// Read the scenario (default: the built-in default) and overlays named on the command line.
    pub fn from_args(scenario: Option<&str>, overlays: &[String]) -> Result<Spec, CommandError> {
        let main = resolve(scenario.unwrap_or(DEFAULT_SCENARIO), BuiltinKind::Scenario)?;
        let overlays = overlays
            .iter()
            .map(|o| resolve(o, BuiltinKind::Overlay))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Spec { main, overlays })
    }

    /// Load and check; every problem found is rendered into the error.
    pub fn load(&self) -> Result<Loaded, CommandError> {
        payback_input::load(&self.main, &self.overlays).map_err(|diags| {
            let files: Vec<SourceFile> = std::iter::once(self.main.clone())
                .chain(self.overlays.iter().cloned())
                .collect();
            CommandError::rendered(diagnostics::render(&diags, &files))
        })
    }

    /// Every file, scenario first.
    pub fn files(&self) -> impl Iterator<Item = &SourceFile> {
        std::iter::once(&self.main).chain(&self.overlays)
    }
}
