//! The bridge (waterfall) from one scenario to another: the change in NPV, headline payback
//! and peak funding attributed to each change of an overlay applied in turn
//! (`docs/sensitivity.md`).
//!
//! The caller supplies the scenarios cumulatively: the base, then the base with the first
//! change, with the first two, …, with all of them. Each step's attribution is the difference
//! between consecutive scenarios, so the steps add up to the total change (up to floating-point
//! rounding of the differences, far below a dollar). Attributions depend on the order: a change
//! that interacts with another is credited with the interaction when it comes second.

use payback_model::{Quarter, Scenario};
use rayon::prelude::*;
use serde::Serialize;

use crate::sensitivity::Figures;

/// One step of the bridge.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BridgeStep {
    /// What the step changes (`set compute.market_margin = 0.1`).
    pub label: String,
    /// Line of the change in its file (0 when not from a file).
    pub line: usize,
    /// Figures after the step (cumulative).
    pub after: Figures,
    /// NPV change of this step, USD.
    pub npv_change: f64,
    /// Headline payback change in quarters (`None` when either side is "never").
    pub payback_change_quarters: Option<i32>,
    /// Peak funding change, USD.
    pub peak_funding_change: f64,
}

/// A bridge from a base scenario to a target.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bridge {
    /// The order note, as printed.
    pub note: &'static str,
    /// Figures of the base.
    pub base: Figures,
    /// Steps in order.
    pub steps: Vec<BridgeStep>,
    /// Figures of the target (after the last step).
    pub target: Figures,
    /// Total NPV change.
    pub npv_change: f64,
    /// Total payback change in quarters.
    pub payback_change_quarters: Option<i32>,
    /// Total peak funding change.
    pub peak_funding_change: f64,
}

/// The note printed with every bridge.
pub const BRIDGE_NOTE: &str = "each change is applied in turn, in the order the overlay applies them ([set] entries in file order, then [scale] entries); the attribution of interacting changes depends on that order";

fn dq(a: Option<Quarter>, b: Option<Quarter>) -> Option<i32> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.quarters_until(b)),
        _ => None,
    }
}

/// The bridge through `steps` (label, line, cumulative scenario) from `base`.
pub fn bridge(base: &Scenario, steps: &[(String, usize, Scenario)]) -> Bridge {
    let b = Figures::project(base);
    let figs: Vec<Figures> = steps
        .par_iter()
        .map(|(_, _, s)| Figures::project(s))
        .collect();
    let mut prev = b;
    let mut out = Vec::with_capacity(steps.len());
    for ((label, line, _), f) in steps.iter().zip(&figs) {
        out.push(BridgeStep {
            label: label.clone(),
            line: *line,
            after: *f,
            npv_change: f.npv - prev.npv,
            payback_change_quarters: dq(prev.payback, f.payback),
            peak_funding_change: f.peak_funding - prev.peak_funding,
        });
        prev = *f;
    }
    Bridge {
        note: BRIDGE_NOTE,
        base: b,
        steps: out,
        target: prev,
        npv_change: prev.npv - b.npv,
        payback_change_quarters: dq(b.payback, prev.payback),
        peak_funding_change: prev.peak_funding - b.peak_funding,
    }
}
