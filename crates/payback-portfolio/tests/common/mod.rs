//! Shared helpers: built-in resolution and projections of the company scenarios.

use payback_input::SourceFile;
use payback_input::builtin;
use payback_portfolio::FileKind;

/// Resolve names as built-ins only (the tests read no files).
#[allow(dead_code)]
pub fn builtins(name: &str, _kind: FileKind) -> Result<SourceFile, String> {
    builtin::get(name)
        .map(|b| b.source())
        .ok_or_else(|| format!("no built-in `{name}`"))
}

/// Load and project a built-in company scenario with overlays.
#[allow(dead_code)]
pub fn project(name: &str, overlays: &[&str]) -> payback_model::Projection {
    let main = builtin::get(name).expect("built-in").source();
    let ovs: Vec<SourceFile> = overlays
        .iter()
        .map(|o| builtin::get(o).expect("overlay").source())
        .collect();
    let loaded = payback_input::load(&main, &ovs).unwrap_or_else(|d| {
        panic!(
            "{name}: {}",
            d.iter().map(|d| format!("{d}\n")).collect::<String>()
        )
    });
    payback_model::project(&loaded.scenario)
}
