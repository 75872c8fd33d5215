//! The runs of `payback run` and `payback report`: which scenarios with which overlays, loaded
//! and projected, and the manifest of the files they read.

use payback_input::{Loaded, SourceFile};
use payback_report::{Inputs, Run};

use crate::error::CommandError;
use crate::inputs::{DEFAULT_SCENARIO, Spec};

/// One run to make: its label (by default the names in the files) and its inputs.
pub(crate) struct Planned {
    pub(crate) label: Option<String>,
    pub(crate) spec: Spec,
}

/// A finished run.
pub(crate) struct Done {
    pub(crate) label: String,
    pub(crate) loaded: Loaded,
    pub(crate) projection: payback_model::Projection,
    pub(crate) warnings: Vec<String>,
}

impl Done {
    /// The run as the report renderers take it.
    pub(crate) fn run(&self) -> Run<'_> {
        Run {
            label: &self.label,
            settings: &self.loaded.scenario.scenario,
            overlays: &self.loaded.overlay_names,
            projection: &self.projection,
            input_warnings: &self.warnings,
        }
    }
}

/// The runs to make. With no scenario, no overlay and no comparison: the built-in default as
/// base, base+bull and base+bear. Otherwise `scenario` with `overlays`, then one run per
/// `compare` overlay applied on top of them.
pub(crate) fn plan(
    scenario: Option<&str>,
    overlays: &[String],
    compare: &[String],
) -> Result<Vec<Planned>, CommandError> {
    if scenario.is_none() && overlays.is_empty() && compare.is_empty() {
        let mut plans = vec![Planned {
            label: Some("base".into()),
            spec: Spec::from_args(Some(DEFAULT_SCENARIO), &[])?,
        }];
        for overlay in ["bull", "bear"] {
            plans.push(Planned {
                label: Some(format!("base+{overlay}")),
                spec: Spec::from_args(Some(DEFAULT_SCENARIO), &[overlay.to_string()])?,
            });
        }
        return Ok(plans);
    }
    let mut plans = vec![Planned {
        label: None,
        spec: Spec::from_args(scenario, overlays)?,
    }];
    for c in compare {
        let mut with = overlays.to_vec();
        with.push(c.clone());
        plans.push(Planned {
            label: None,
            spec: Spec::from_args(scenario, &with)?,
        });
    }
    Ok(plans)
}

/// Load and project every run. The first broken file says it all: the same file would fail
/// every run, so only the first error is returned.
pub(crate) fn load(plans: &[Planned]) -> Result<Vec<Done>, CommandError> {
    plans
        .iter()
        .map(|p| {
            let loaded = p.spec.load()?;
            let projection = payback_model::project(&loaded.scenario);
            let warnings = loaded.warnings.iter().map(ToString::to_string).collect();
            Ok(Done {
                label: p.label.clone().unwrap_or_else(|| label_for(&loaded)),
                loaded,
                projection,
                warnings,
            })
        })
        .collect()
}

/// `name+overlay+...`: the scenario's `[scenario] name` and the overlays' names.
fn label_for(loaded: &Loaded) -> String {
    std::iter::once(&loaded.scenario.scenario.name)
        .chain(&loaded.overlay_names)
        .cloned()
        .collect::<Vec<_>>()
        .join("+")
}

/// The manifest: every distinct input file in the order first used.
pub(crate) fn manifest(plans: &[Planned], done: &[Done]) -> Inputs {
    let mut files: Vec<&SourceFile> = Vec::new();
    for p in plans {
        for f in p.spec.files() {
            if !files.iter().any(|g| g.name == f.name && g.text == f.text) {
                files.push(f);
            }
        }
    }
    let mut overlays: Vec<String> = Vec::new();
    for d in done {
        for o in &d.loaded.overlay_names {
            if !overlays.contains(o) {
                overlays.push(o.clone());
            }
        }
    }
    let pairs: Vec<(&str, &str)> = files
        .iter()
        .map(|f| (f.name.as_str(), f.text.as_str()))
        .collect();
    Inputs::new(&pairs, overlays)
}
