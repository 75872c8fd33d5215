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
