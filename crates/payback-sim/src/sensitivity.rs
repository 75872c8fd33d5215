//! Sensitivity: the one-at-a-time tornado, the tornado and rank correlations of a Monte Carlo
//! ensemble, and two-way grids (`docs/sensitivity.md`).
//!
//! - [`levers`] + [`tornado`]: each lever swung to its low and high value (P10 and P90 of its
//!   distribution, or ±X % of its base) with everything else at the scenario's values; swings
//!   of NPV, the headline payback quarter and peak funding, sorted by |NPV swing|.
//! - [`ensemble`]: the paths of a Monte Carlo run (the same paths as `payback simulate` with the
//!   same seed, path count and sampling), with, per input, the mean outputs of the paths in its
//!   top and bottom 20 % and the Spearman rank correlation of the input with each output.
//! - [`axis`] + [`grid`]: two paths over ranges, every combination projected.
//!
//! Every projection is independent, so they run in parallel (rayon) and are collected in a
//! fixed order: results never depend on the thread count.

use payback_model::engine::{Workspace, project_outcome};
use payback_model::params::dist::Uncertainty;
use payback_model::params::{self, ParamError, Slot};
use payback_model::{Projection, Quarter, Scenario};
use rayon::prelude::*;
use serde::Serialize;

use crate::sample::Plan;
use crate::{BLOCK_SIZE, Config, SimError};

/// The headline figures of one projection.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Figures {
    /// NPV of FCF, USD.
    pub npv: f64,
    /// Headline payback quarter (programme, no terminal value); `None` when not within the
    /// horizon. A cumulative FCF that never goes negative counts as the first quarter.
    pub payback: Option<Quarter>,
    /// Peak funding need (positive), USD.
    pub peak_funding: f64,
    /// Annual IRR of FCF, when there is one.
    pub irr: Option<f64>,
}

impl Figures {
    /// The figures of a projection.
    pub fn of(p: &Projection) -> Figures {
        Figures::of_path(&crate::PathOutcome::of(p), p.quarters.first().copied())
    }

    fn of_path(o: &crate::PathOutcome, start: Option<Quarter>) -> Figures {
        Figures {
            npv: finite_or_zero(o.npv),
            payback: o.payback.and_then(|t| start.map(|q0| q0.offset(t as i32))),
            peak_funding: finite_or_zero(o.peak_funding),
            irr: o.irr.filter(|x| x.is_finite()),
        }
    }

    /// Project `s` and take its figures.
    pub fn project(s: &Scenario) -> Figures {
        let o = project_outcome(s, &mut Workspace::default());
        let start = s.scenario.start;
        Figures::of_path(&crate::PathOutcome::of_outcome(&o, start), Some(start))
    }
}

fn finite_or_zero(x: f64) -> f64 {
    if x.is_finite() { x } else { 0.0 }
}

/// Why a sensitivity cannot be set up.
#[derive(Debug, Clone, PartialEq)]
pub enum SensError {
    /// A path does not resolve in the scenario.
    Path {
        /// The path.
        path: String,
        /// Why.
        error: ParamError,
    },
    /// A listed path has no distribution and no `--swing` was given.
    NoSwing(String),
    /// A bad range or setting.
    Invalid(String),
}

impl std::fmt::Display for SensError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SensError::Path { path, error } => write!(f, "`{path}`: {error}"),
            SensError::NoSwing(p) => write!(
                f,
                "`{p}` has no distribution in `[uncertainty]`: give --swing PCT to swing it by ±PCT % of its base value"
            ),
            SensError::Invalid(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for SensError {}

/// Resolve a path, with the scenario's value at each slot.
pub fn resolve_slots(s: &Scenario, path: &str) -> Result<Vec<(Slot, f64)>, SensError> {
    let slots = params::resolve(s, path).map_err(|error| SensError::Path {
        path: path.to_string(),
        error,
    })?;
    Ok(slots
        .into_iter()
        .map(|sl| (sl, params::get(s, sl)))
        .collect())
}

/// Set every slot of a lever to `x` (`scale`: each slot's base times `x`), clamped into the
/// field's valid range (as Monte Carlo draws are).
pub fn apply_value(s: &mut Scenario, slots: &[(Slot, f64)], scale: bool, x: f64) {
    for &(sl, base) in slots {
        let v = if scale { base * x } else { x };
        let (lo, hi) = sl.bounds();
        params::set(s, sl, v.clamp(lo, hi));
    }
}

/// One input of a one-at-a-time tornado.
#[derive(Debug, Clone, PartialEq)]
pub struct Lever {
    /// The path as written.
    pub path: String,
    /// Its slots, with the scenario's value at each.
    pub slots: Vec<(Slot, f64)>,
    /// The values multiply each slot's base (`true`) or replace it.
    pub scale: bool,
    /// The base: 1 for a factor, else the scenario's value (at the first slot).
    pub base: f64,
    /// Low value (P10, or base x (1 - swing)).
    pub low: f64,
    /// High value (P90, or base x (1 + swing)).
    pub high: f64,
    /// Where low and high come from.
    pub source: String,
}

/// The levers of a tornado: every uncertain input of `u` (`paths` = `None`), or the listed
/// paths. A path with a distribution swings to its P10 and P90; a listed path without one
/// swings by ±`swing` (a fraction, 0.2 = 20 %) of its base value, and is an error without
/// `swing`. With `swing` given, paths with a distribution still use P10/P90.
pub fn levers(
    s: &Scenario,
    u: &Uncertainty,
    paths: Option<&[String]>,
    swing: Option<f64>,
) -> Result<Vec<Lever>, SensError> {
    if let Some(w) = swing
        && !(w.is_finite() && w > 0.0 && w < 1.0)
    {
        return Err(SensError::Invalid(
            "--swing must be a percentage above 0 and below 100".into(),
        ));
    }
    let listed: Vec<String> = match paths {
        Some(p) => p.to_vec(),
        None => u.params.iter().map(|p| p.path.clone()).collect(),
    };
    let mut out = Vec::with_capacity(listed.len());
    for path in listed {
        let slots = resolve_slots(s, &path)?;
        let first = slots.first().map_or(0.0, |x| x.1);
        if let Some(p) = u.params.iter().find(|p| p.path == path) {
            out.push(Lever {
                base: if p.scale { 1.0 } else { first },
                low: p.dist.quantile(0.1),
                high: p.dist.quantile(0.9),
                source: format!("P10/P90 of {}", p.dist.describe()),
                scale: p.scale,
                path,
                slots,
            });
        } else if let Some(w) = swing {
            out.push(Lever {
                base: 1.0,
                low: 1.0 - w,
                high: 1.0 + w,
                source: format!("±{} % of base", libm::round(w * 1000.0) / 10.0),
                scale: true,
                path,
                slots,
            });
        } else {
            return Err(SensError::NoSwing(path));
        }
    }
    Ok(out)
}

/// One bar of a tornado.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TornadoRow {
    /// The path.
    pub path: String,
    /// Where the low and high values come from.
    pub source: String,
    /// Whether the values are factors on the scenario's values.
    pub scale: bool,
    /// Base value (1 for a factor).
    pub base_value: f64,
    /// Low value.
    pub low_value: f64,
    /// High value.
    pub high_value: f64,
    /// Figures with the lever at its low value.
    pub low: Figures,
    /// Figures with the lever at its high value.
    pub high: Figures,
    /// `high.npv - low.npv`.
    pub npv_swing: f64,
    /// `high.payback - low.payback` in quarters, when both pay back within the horizon.
    pub payback_swing_quarters: Option<i32>,
    /// `high.peak_funding - low.peak_funding`.
    pub peak_funding_swing: f64,
}

/// A one-at-a-time tornado.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Tornado {
    /// What kind of tornado this is (always stated, as analysts expect).
    pub kind: &'static str,
    /// Figures of the scenario as it is.
    pub base: Figures,
    /// Bars, sorted by |NPV swing| (largest first; ties by path).
    pub rows: Vec<TornadoRow>,
}

/// The one-at-a-time tornado kind, as printed.
pub const TORNADO_KIND: &str = "one-at-a-time (deterministic): each input at its low and high value (P10/P90 of its distribution, or ±X % of base), every other input at the scenario's value; hazards and renewals in expectation";

/// Swing each lever to its low and high value with the others at the scenario's values.
pub fn tornado(s: &Scenario, levers: &[Lever]) -> Tornado {
    let base = Figures::project(s);
    let runs: Vec<(Figures, Figures)> = levers
        .par_iter()
        .map(|l| {
            let at = |x: f64| {
                let mut t = s.clone();
                apply_value(&mut t, &l.slots, l.scale, x);
                Figures::project(&t)
            };
            (at(l.low), at(l.high))
        })
        .collect();
    let mut rows: Vec<TornadoRow> = levers
        .iter()
        .zip(runs)
        .map(|(l, (lo, hi))| TornadoRow {
            path: l.path.clone(),
            source: l.source.clone(),
            scale: l.scale,
            base_value: l.base,
            low_value: l.low,
            high_value: l.high,
            npv_swing: hi.npv - lo.npv,
            payback_swing_quarters: match (lo.payback, hi.payback) {
                (Some(a), Some(b)) => Some(a.quarters_until(b)),
                _ => None,
            },
            peak_funding_swing: hi.peak_funding - lo.peak_funding,
            low: lo,
            high: hi,
        })
        .collect();
    rows.sort_by(|a, b| {
        b.npv_swing
            .abs()
            .total_cmp(&a.npv_swing.abs())
            .then_with(|| a.path.cmp(&b.path))
    });
    Tornado {
        kind: TORNADO_KIND,
        base,
        rows,
    }
}

// ---------------------------------------------------------------------------------------
// Ensemble tornado and rank correlations
// ---------------------------------------------------------------------------------------

/// Largest ensemble kept in memory (every path's inputs and outputs are kept).
pub const ENSEMBLE_MAX_PATHS: u64 = 1_000_000;

/// Share of paths in the top and in the bottom group of each input.
pub const ENSEMBLE_TAIL: f64 = 0.2;

/// The outputs of the paths in one tail of an input.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Tail {
    /// Paths in the group.
    pub paths: usize,
    /// Mean NPV, USD.
    pub mean_npv: f64,
    /// Mean peak funding, USD.
    pub mean_peak_funding: f64,
    /// Median headline payback quarter ("never" ranked last; `None` when the median path
    /// does not pay back).
    pub median_payback: Option<Quarter>,
    /// Share of the group's paths paid back within the horizon.
    pub paid_back_share: f64,
}

/// One input of an ensemble tornado.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EnsembleRow {
    /// The path.
    pub path: String,
    /// Its distribution.
    pub dist: String,
    /// Paths with the input in its bottom 20 %.
    pub bottom: Tail,
    /// Paths with the input in its top 20 %.
    pub top: Tail,
    /// `top.mean_npv - bottom.mean_npv`.
    pub npv_difference: f64,
    /// Spearman rank correlation of the input with NPV (`None` when the input or output
    /// does not vary).
    pub spearman_npv: Option<f64>,
    /// With the headline payback quarter ("never" ranked last, ties averaged).
    pub spearman_payback: Option<f64>,
    /// With peak funding.
    pub spearman_peak_funding: Option<f64>,
}

/// A tornado from a Monte Carlo ensemble.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ensemble {
    /// What kind of tornado this is.
    pub kind: &'static str,
    /// Paths.
    pub paths: u64,
    /// Seed.
    pub seed: u64,
    /// `mc` or `lhs`.
    pub sampling: &'static str,
    /// Whether default and renewal events were drawn.
    pub events: bool,
    /// Mean NPV over all paths.
    pub mean_npv: f64,
    /// Rows sorted by |NPV difference| (largest first; ties by path).
    pub rows: Vec<EnsembleRow>,
}

/// The ensemble tornado kind, as printed.
pub const ENSEMBLE_KIND: &str = "Monte Carlo ensemble: mean output of the paths whose input is in its top 20 % vs its bottom 20 % (ties broken by path order), and Spearman rank correlations of each input with each output";

struct PathRow {
    values: Vec<f64>,
    npv: f64,
    /// Payback quarter index, `nq` for never.
    payback: usize,
    peak: f64,
}

/// Run the paths of a Monte Carlo run (same draws and events as [`crate::simulate`] for the
/// same plan, seed, path count and sampling) and keep every path's inputs and outputs.
pub fn ensemble(plan: &Plan, cfg: &Config) -> Result<Ensemble, SimError> {
    if cfg.paths == 0 {
        return Err(SimError::NoPaths);
    }
    let paths = cfg.paths.min(ENSEMBLE_MAX_PATHS);
    let pool = crate::thread_pool(cfg.threads)?;
    let nq = {
        let sc = &plan.base.scenario;
        (sc.start.quarters_until(sc.end).max(0) + 1) as usize
    };
    let bs = BLOCK_SIZE as u64;
    let n_blocks = paths.div_ceil(bs);
    let k = plan.inputs.len();
    let blocks: Vec<Vec<PathRow>> = pool.install(|| {
        (0..n_blocks)
            .into_par_iter()
            .map(|b| {
                let n = (paths - b * bs).min(bs) as usize;
                let d = plan.draw_block(cfg.seed, b, n, cfg.sampling);
                let mut s = plan.base.clone();
                let mut ws = Workspace::default();
                (0..n)
                    .map(|i| {
                        plan.reset(&mut s);
                        plan.apply(&mut s, &d, i);
                        let o = project_outcome(&s, &mut ws);
                        let o = crate::PathOutcome::of_outcome(&o, s.scenario.start);
                        PathRow {
                            values: d.values[i * k..(i + 1) * k].to_vec(),
                            npv: finite_or_zero(o.npv),
                            payback: o.payback.unwrap_or(nq).min(nq),
                            peak: finite_or_zero(o.peak_funding),
                        }
                    })
                    .collect()
            })
            .collect()
    });
    let rows: Vec<PathRow> = blocks.into_iter().flatten().collect();
    let n = rows.len();
    let start = plan.base.scenario.start;
    let npv: Vec<f64> = rows.iter().map(|r| r.npv).collect();
    let pay: Vec<f64> = rows.iter().map(|r| r.payback as f64).collect();
    let peak: Vec<f64> = rows.iter().map(|r| r.peak).collect();
    let r_npv = ranks(&npv);
    let r_pay = ranks(&pay);
    let r_peak = ranks(&peak);
    let tail = ((n as f64) * ENSEMBLE_TAIL) as usize;
    let tail = tail.max(1).min(n);
    let summarise = |idx: &[usize]| -> Tail {
        let m = idx.len().max(1) as f64;
        let mut q: Vec<usize> = idx.iter().map(|&i| rows[i].payback).collect();
        q.sort_unstable();
        // Lower median (an actual path's quarter).
        let med = q
            .get((q.len().saturating_sub(1)) / 2)
            .copied()
            .unwrap_or(nq);
        Tail {
            paths: idx.len(),
            mean_npv: idx.iter().map(|&i| rows[i].npv).sum::<f64>() / m,
            mean_peak_funding: idx.iter().map(|&i| rows[i].peak).sum::<f64>() / m,
            median_payback: (med < nq).then(|| start.offset(med as i32)),
            paid_back_share: idx.iter().filter(|&&i| rows[i].payback < nq).count() as f64 / m,
        }
    };
    let mut out_rows: Vec<EnsembleRow> = (0..k)
        .map(|j| {
            let x: Vec<f64> = rows.iter().map(|r| r.values[j]).collect();
            let mut order: Vec<usize> = (0..n).collect();
            order.sort_by(|&a, &b| x[a].total_cmp(&x[b]).then(a.cmp(&b)));
            let bottom = summarise(&order[..tail]);
            let top = summarise(&order[n - tail..]);
            let rx = ranks(&x);
            EnsembleRow {
                path: plan.inputs[j].path.clone(),
                dist: plan.inputs[j].dist.describe(),
                npv_difference: top.mean_npv - bottom.mean_npv,
                bottom,
                top,
                spearman_npv: pearson(&rx, &r_npv),
                spearman_payback: pearson(&rx, &r_pay),
                spearman_peak_funding: pearson(&rx, &r_peak),
            }
        })
        .collect();
    out_rows.sort_by(|a, b| {
        b.npv_difference
            .abs()
            .total_cmp(&a.npv_difference.abs())
            .then_with(|| a.path.cmp(&b.path))
    });
    Ok(Ensemble {
        kind: ENSEMBLE_KIND,
        paths: n as u64,
        seed: cfg.seed,
        sampling: cfg.sampling.name(),
        events: plan.events,
        mean_npv: npv.iter().sum::<f64>() / n.max(1) as f64,
        rows: out_rows,
    })
}

/// Ranks 1..=n, ties given their average rank.
pub fn ranks(x: &[f64]) -> Vec<f64> {
    let n = x.len();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| x[a].total_cmp(&x[b]).then(a.cmp(&b)));
    let mut r = vec![0.0; n];
    let mut i = 0;
    while i < n {
        let mut j = i;
        while j + 1 < n && x[order[j + 1]].total_cmp(&x[order[i]]).is_eq() {
            j += 1;
        }
        let avg = (i + j) as f64 / 2.0 + 1.0;
        for &o in &order[i..=j] {
            r[o] = avg;
        }
        i = j + 1;
    }
    r
}

/// Pearson correlation; `None` when either side does not vary.
pub fn pearson(a: &[f64], b: &[f64]) -> Option<f64> {
    let n = a.len().min(b.len());
    if n < 2 {
        return None;
    }
    let ma = a[..n].iter().sum::<f64>() / n as f64;
    let mb = b[..n].iter().sum::<f64>() / n as f64;
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for i in 0..n {
        let (da, db) = (a[i] - ma, b[i] - mb);
        sab += da * db;
        saa += da * da;
        sbb += db * db;
    }
    if saa <= 0.0 || sbb <= 0.0 {
        return None;
    }
    let r = sab / libm::sqrt(saa * sbb);
    r.is_finite().then(|| r.clamp(-1.0, 1.0))
}

/// Spearman rank correlation (Pearson of average ranks).
pub fn spearman(a: &[f64], b: &[f64]) -> Option<f64> {
    pearson(&ranks(a), &ranks(b))
}

// ---------------------------------------------------------------------------------------
// Two-way grid
// ---------------------------------------------------------------------------------------

/// One axis of a grid: a path and the values it takes (each replaces the value at every
/// slot the path selects).
#[derive(Debug, Clone, PartialEq)]
pub struct Axis {
    /// The path.
    pub path: String,
    /// Its slots.
    pub slots: Vec<(Slot, f64)>,
    /// The values, `lo` to `hi`.
    pub values: Vec<f64>,
}

/// Most points on one grid axis.
pub const MAX_AXIS_POINTS: usize = 1000;

/// An axis from `lo` to `hi` in `n` evenly spaced points (`n` = 1: `lo` only). The range must
/// lie within the field's valid range at every slot.
pub fn axis(s: &Scenario, path: &str, lo: f64, hi: f64, n: usize) -> Result<Axis, SensError> {
    let slots = resolve_slots(s, path)?;
    if !(lo.is_finite() && hi.is_finite()) || lo > hi {
        return Err(SensError::Invalid(format!(
            "`{path}`: the range needs finite lo <= hi"
        )));
    }
    if n == 0 || n > MAX_AXIS_POINTS {
        return Err(SensError::Invalid(format!(
            "`{path}`: the number of points must be 1 to {MAX_AXIS_POINTS}"
        )));
    }
    for &(sl, _) in &slots {
        let (a, b) = sl.bounds();
        if lo < a || hi > b {
            return Err(SensError::Invalid(format!(
                "`{path}`: {lo}..{hi} is outside the valid range {a}..{b}"
            )));
        }
    }
    let values = (0..n)
        .map(|i| {
            if i + 1 == n && n > 1 {
                hi
            } else if n == 1 {
                lo
            } else {
                lo + (hi - lo) * i as f64 / (n - 1) as f64
            }
        })
        .collect();
    Ok(Axis {
        path: path.to_string(),
        slots,
        values,
    })
}

/// A two-way grid: the figures for every pair of values.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Grid {
    /// Row path.
    pub row_path: String,
    /// Row values.
    pub row_values: Vec<f64>,
    /// Column path.
    pub column_path: String,
    /// Column values.
    pub column_values: Vec<f64>,
    /// `cells[i][j]`: row value `i`, column value `j`.
    pub cells: Vec<Vec<Figures>>,
    /// The scenario as it is.
    pub base: Figures,
}

/// Project every combination of the two axes (the row path is set first, then the column
/// path, so a column path overlapping the row path wins).
pub fn grid(s: &Scenario, rows: &Axis, cols: &Axis) -> Grid {
    let nc = cols.values.len();
    let flat: Vec<Figures> = (0..rows.values.len() * nc)
        .into_par_iter()
        .map(|c| {
            let mut t = s.clone();
            apply_value(&mut t, &rows.slots, false, rows.values[c / nc]);
            apply_value(&mut t, &cols.slots, false, cols.values[c % nc]);
            Figures::project(&t)
        })
        .collect();
    Grid {
        row_path: rows.path.clone(),
        row_values: rows.values.clone(),
        column_path: cols.path.clone(),
        column_values: cols.values.clone(),
        cells: flat.chunks(nc.max(1)).map(<[Figures]>::to_vec).collect(),
        base: Figures::project(s),
    }
}

/// Run `f` on a pool of `threads` workers (`None`: one per CPU). The tools of this module
/// give the same results whatever the pool.
pub fn with_threads<T: Send>(
    threads: Option<usize>,
    f: impl FnOnce() -> T + Send,
) -> Result<T, SimError> {
    Ok(crate::thread_pool(threads)?.install(f))
}
