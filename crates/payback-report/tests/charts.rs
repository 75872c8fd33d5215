//! The charts of the built-in default scenario: structure of the SVG, PNGs that decode.

mod common;

use payback_report::charts::uncertainty::{
    self, PaybackProbability, Percentiles, Tornado, TornadoRow, Uncertainty,
};
use payback_report::charts::{self, model};

/// Plausible uncertainty around the base run: percentiles that widen with time.
fn uncertainty_around(p: &payback_model::Projection) -> Uncertainty {
    let n = p.quarters.len();
    let levels = vec![0.1, 0.25, 0.5, 0.75, 0.9];
    let z = [-1.28, -0.67, 0.0, 0.67, 1.28];
    let values = z
        .iter()
        .map(|z| {
            p.q.fcf_cumulative
                .iter()
                .enumerate()
                .map(|(t, c)| c + z * 6e9 * t as f64)
                .collect()
        })
        .collect();
    let cumulative = (0..n)
        .map(|t| ((t as f64 - 34.0) / 14.0).clamp(0.0, 0.9))
        .collect();
    Uncertainty {
        draws: 10_000,
        fcf_cumulative: Percentiles {
            quarters: p.quarters.clone(),
            levels,
            values,
            deterministic: Some(p.q.fcf_cumulative.clone()),
        },
        payback: PaybackProbability {
            quarters: p.quarters.clone(),
            cumulative,
        },
        tornado: Some(Tornado {
            base_npv: p.summary.npv,
            rows: vec![
                TornadoRow {
                    label: "demand.open_market.growth".into(),
                    low: "25%".into(),
                    high: "55%".into(),
                    npv_low: p.summary.npv - 140e9,
                    npv_high: p.summary.npv + 120e9,
                },
                TornadoRow {
                    label: "generations.B200.unit_cost".into(),
                    low: "$30,000".into(),
                    high: "$45,000".into(),
                    npv_low: p.summary.npv + 60e9,
                    npv_high: p.summary.npv - 70e9,
                },
                TornadoRow {
                    label: "power.price".into(),
                    low: "$40/MWh".into(),
                    high: "$90/MWh".into(),
                    npv_low: p.summary.npv + 12e9,
                    npv_high: p.summary.npv - 18e9,
                },
            ],
        }),
    }
}

#[test]
fn preview() {
    let done = common::default_three();
    let runs = common::runs(&done);
    let mut all = model::all(&runs).unwrap();
    let mut queued = done[0].projection.clone();
    for (t, (a, c)) in queued
        .q
        .queued_accelerators
        .iter_mut()
        .zip(queued.q.queued_cost.iter_mut())
        .enumerate()
    {
        let x = ((t as f64 - 10.0) * (30.0 - t as f64)).max(0.0) * 900.0;
        *a = x;
        *c = x * 35_000.0;
    }
    let mut run = runs[0];
    run.projection = &queued;
    all.push(model::power_queue(&run).unwrap());
    all.extend(uncertainty::all(&uncertainty_around(&done[0].projection)).unwrap());
    let dir = common::preview_dir("charts");
    for (name, bytes) in charts::files(&all).unwrap() {
        let path = dir.join(name.trim_start_matches("charts/"));
        std::fs::write(path, bytes).unwrap();
    }
}

/// Share of pixels that are not (nearly) white.
fn ink(png: &resvg::tiny_skia::Pixmap) -> f64 {
    let px = png.pixels();
    let n = px
        .iter()
        .filter(|p| p.red() < 235 || p.green() < 235 || p.blue() < 235)
        .count();
    n as f64 / px.len() as f64
}

#[test]
fn default_scenario_charts_have_titles_axes_legends_and_real_pngs() {
    let done = common::default_three();
    let runs = common::runs(&done);
    let mut all = model::all(&runs).unwrap();
    all.extend(uncertainty::all(&uncertainty_around(&done[0].projection)).unwrap());
    let names: Vec<&str> = all.iter().map(|c| c.name).collect();
    for want in [
        "jcurve",
        "flywheel",
        "capacity",
        "rpo",
        "tokens",
        "depreciation",
        "vintages",
        "fan",
        "payback_probability",
        "tornado",
    ] {
        assert!(names.contains(&want), "no {want} chart: {names:?}");
    }
    // The default scenario never waits for power: no power-queue chart.
    assert!(!names.contains(&"power_queue"));
    for c in &all {
        let texts = common::svg_texts(&c.svg);
        assert_eq!(texts.first(), Some(&c.title));
        // Every chart names the unit on its value axis.
        assert!(
            texts.iter().any(|t| t.contains("US$")
                || t.contains("%")
                || t.contains("reference-hours")
                || t.contains("accelerators")),
            "{}: no unit in {texts:?}",
            c.name
        );
        let files = charts::files(std::slice::from_ref(c)).unwrap();
        let png = resvg::tiny_skia::Pixmap::decode_png(&files[1].1).unwrap();
        let (w, h) = (png.width(), png.height());
        assert_eq!(w, 2000, "{}", c.name);
        assert!(h >= 1120, "{}", c.name);
        let ink = ink(&png);
        assert!(
            ink > 0.02 && ink < 0.9,
            "{}: {ink:.3} of the PNG is ink",
            c.name
        );
    }
    // Series counts, from the legends.
    let texts = |name: &str| common::svg_texts(&all.iter().find(|c| c.name == name).unwrap().svg);
    let j = texts("jcurve");
    for d in &done {
        assert!(
            j.iter()
                .any(|t| t.starts_with(&format!("{}: payback ", d.label))),
            "no J-curve legend entry for {}",
            d.label
        );
    }
    assert!(j.iter().any(|t| t == "US$ billions (cumulative)"));
    assert!(j.iter().any(|t| t.starts_with("base pays back ")));
    let f = texts("flywheel");
    let tiers = &done[0].projection.tiers;
    for t in tiers {
        assert!(f.contains(&format!("Tier: {}", t.name)));
    }
    assert!(f.iter().any(|t| t == "Capex (below zero)"));
    let v = texts("vintages");
    let n_vintages = done[0]
        .projection
        .vintages
        .iter()
        .filter(|v| v.capex > 0.0)
        .count();
    assert_eq!(
        v.iter()
            .filter(|t| t.contains(" (pays back ") || t.contains("(not within horizon)"))
            .count(),
        n_vintages
    );
    // SVG and PNG are the same for the same inputs.
    assert_eq!(charts::files(&all).unwrap(), charts::files(&all).unwrap());
}
