//! The one integration-test binary of `payback-input`: annotated invalid fixtures, valid
//! fixtures, overlays, generated docs and a never-panics property.

mod builtins;
mod docs;
mod fixtures;
mod overlays;
mod props;

use std::path::{Path, PathBuf};

use payback_input::{Loaded, SourceFile};

/// `crates/payback-input/tests/<sub>`.
pub fn dir(sub: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join(sub)
}

/// Read a fixture as a source file named by its file name.
pub fn source(path: &Path) -> SourceFile {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("?")
        .to_string();
    SourceFile::new(name, std::fs::read_to_string(path).unwrap())
}

/// Load `tests/valid/<name>` with overlay texts, panicking with the diagnostics on failure.
pub fn load_valid(name: &str, overlays: &[(&str, &str)]) -> Loaded {
    let main = source(&dir("valid").join(name));
    let ovs: Vec<SourceFile> = overlays
        .iter()
        .map(|(n, t)| SourceFile::new(*n, *t))
        .collect();
    match payback_input::load(&main, &ovs) {
        Ok(l) => l,
        Err(d) => panic!(
            "{name} did not load:\n{}",
            d.iter().map(|d| format!("  {d}\n")).collect::<String>()
        ),
    }
}
