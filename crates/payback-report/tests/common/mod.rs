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

/// Observations with web sources (and one that is not a URL) for the Evidence section: the
/// AI run-rate and utilization are compared with every run.
pub const EVIDENCE_CSV: &str = "\
company,signal,value,unit,start,end,period,kind,source,recorded,scope,note
Web Cloud,ai_run_rate,37e9,USD/year,,2026-03-31,,reported,https://investor.example.com/q1-2026?x=1&y=2,2026-04-29,ai,
Web Cloud,utilization,0.85,ratio,,2026-03-31,,estimate,https://research.example.org/channel-check,2026-04-15,ai,
Web Cloud,rpo,180e9,USD,,2025-12-31,,reported,10-K 2025 <p. 41>,2026-02-05,company,total \"RPO\"
Web Cloud,lab_cash_burn,9e9,USD,,,2026H1,estimate,http://news.example.net/labs,2026-07-10,company,context only
";

/// `company`'s observations from `observations` (stored in a fresh in-memory database, as
/// `payback evidence add` / `import-sec` do) scored against `done`, as `payback report
/// --evidence-db` does (deterministic re-projection).
pub fn evidence(
    done: &[Done],
    observations: &[payback_evidence::Observation],
    company: &str,
    settings: payback_evidence::score::Settings,
) -> payback_report::evidence::Evidence {
    use payback_evidence::reproject::{PaybackDistribution, mixture};
    use payback_evidence::score::{ScenarioInput, score};
    use payback_evidence::store::{Filter, Store};
    let mut store = Store::in_memory().unwrap();
    store
        .import("csv", "test", "2026-08-01", observations)
        .unwrap();
    let rows = store
        .observations(&Filter {
            company: Some(company.to_string()),
            ..Filter::default()
        })
        .unwrap();
    let inputs: Vec<ScenarioInput<'_>> = done
        .iter()
        .map(|d| ScenarioInput {
            label: &d.label,
            prior: 1.0,
            projection: &d.projection,
        })
        .collect();
    let obs: Vec<(i64, &payback_evidence::Observation)> =
        rows.iter().map(|r| (r.id, &r.obs)).collect();
    let mut card = score(&obs, &inputs, &settings);
    let dists: Vec<PaybackDistribution> = done
        .iter()
        .map(|d| PaybackDistribution::deterministic(d.projection.summary.payback_quarter, None))
        .collect();
    card.reprojection = mixture(&card.scenarios, &dists, settings.payback_by);
    payback_report::evidence::Evidence {
        company: rows[0].obs.company.clone(),
        scenario: done[0].loaded.scenario.scenario.name.clone(),
        scorecard: card,
        observations: rows,
    }
}

/// The Snowflake companyfacts fixture of payback-evidence, normalised.
pub fn snowflake() -> Vec<payback_evidence::Observation> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../payback-evidence/tests/data/companyfacts-CIK0001640147-snowflake.json");
    let file = std::fs::File::open(&path).unwrap();
    let facts =
        payback_evidence::sec::read("snowflake.json", std::io::BufReader::new(file)).unwrap();
    payback_evidence::sec::normalise("snowflake.json", &facts, "Snowflake Inc.")
        .unwrap()
        .observations
}
