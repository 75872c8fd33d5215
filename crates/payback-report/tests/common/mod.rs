//! Shared by the integration tests: the built-in default scenario run as base, bull and bear.

#![allow(dead_code)]

use payback_input::builtin;
use payback_model::Projection;
use payback_report::Run;

/// One finished run: label, loaded inputs, projection.
pub struct Done {
    pub label: String,
    pub loaded: payback_input::Loaded,
    pub projection: Projection,
}

/// Load the built-in `default` with `overlays` (built-in names) and project it.
pub fn project(label: &str, overlays: &[&str]) -> Done {
    let main = builtin::get("default").unwrap().source();
    let overlays: Vec<_> = overlays
        .iter()
        .map(|o| builtin::get(o).unwrap().source())
        .collect();
    let loaded = payback_input::load(&main, &overlays).expect("the built-ins load");
    let projection = payback_model::project(&loaded.scenario);
    Done {
        label: label.to_string(),
        loaded,
        projection,
    }
}

/// base, base+bull, base+bear, as `payback run` makes them.
pub fn default_three() -> Vec<Done> {
    vec![
        project("base", &[]),
        project("base+bull", &["bull"]),
        project("base+bear", &["bear"]),
    ]
}

/// The runs to hand to the renderers.
pub fn runs(done: &[Done]) -> Vec<Run<'_>> {
    done.iter()
        .map(|d| Run {
            label: &d.label,
            settings: &d.loaded.scenario.scenario,
            overlays: &d.loaded.overlay_names,
            projection: &d.projection,
            input_warnings: &[],
        })
        .collect()
}

/// The `<text>` contents of an SVG, trimmed, in document order.
pub fn svg_texts(svg: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .filter_map(|s| {
            let body = s.split_once('>')?.1;
            Some(body.split("</text>").next()?.trim().to_string())
        })
        .collect()
}

/// Where tests may leave files for a person to look at: `target/report-preview/<name>`.
pub fn preview_dir(name: &str) -> std::path::PathBuf {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../target/report-preview")
        .join(name);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A loaded parameter as the report lists it (what `payback report` does).
pub fn assumption(p: &payback_input::ParamValue) -> payback_report::assumptions::Assumption {
    use payback_report::assumptions::{Assumption, AssumptionValue};
    let prov = p.provenance.clone().unwrap_or_default();
    Assumption {
        path: p.path.clone(),
        value: match &p.value {
            payback_input::ParamScalar::Number(x) => AssumptionValue::Number(*x),
            payback_input::ParamScalar::Text(s) => AssumptionValue::Text(s.clone()),
            payback_input::ParamScalar::Bool(b) => AssumptionValue::Bool(*b),
        },
        unit: p.unit.to_string(),
        doc: p.doc.to_string(),
        kind: prov.kind,
        as_of: prov.as_of,
        source: prov.source,
        note: prov.note,
        origin: if p.is_default {
            "default".into()
        } else {
            format!("{}:{}", p.file, p.line)
        },
        overlay: p.set_by_overlay.clone(),
    }
}

/// Every run's assumptions.
pub fn assumptions(done: &[Done]) -> Vec<Vec<payback_report::assumptions::Assumption>> {
    done.iter()
        .map(|d| d.loaded.params.iter().map(assumption).collect())
        .collect()
}
