//! Global sensitivity: Sobol first-order and total-order indices by Saltelli sampling, with
//! bootstrap confidence intervals (`docs/sensitivity.md`).
//!
//! Design (Saltelli et al. 2010, "Variance based sensitivity analysis of model output"):
//! two independent `N x k` matrices of uniforms `A` and `B`, and for each input `i` the matrix
//! `AB_i` (= `A` with column `i` taken from `B`): `N (k + 2)` evaluations. With `f` centred on
//! the mean of `f(A) ∪ f(B)` and `V` their variance:
//!
//! - first order (Saltelli 2010): `S_i = mean(f(B) (f(AB_i) - f(A))) / V`;
//! - total order (Jansen 1999): `ST_i = mean((f(A) - f(AB_i))²) / (2 V)`.
//!
//! Confidence intervals: `R` bootstrap resamples of the `N` rows (with replacement), the
//! indices recomputed on each, percentile interval (type 7) at the chosen level, and the
//! bootstrap standard error. Uniforms: `A` then `B`, row by row, from the stream of block 0
//! ([`crate::block_rng`]`(seed, 0)`); resampling from the stream of block 1. Evaluations run in
//! parallel and are collected in row order, so results do not depend on the thread count.
//!
//! The model wrapper [`sobol_plan`] maps each uniform through its input's quantile function
//! (independently: `[correlations]` are ignored, as the indices assume independent inputs)
//! and projects without events (hazards and renewals in expectation).

use rand_core::Rng;
use rayon::prelude::*;
use serde::Serialize;

use crate::percentile_type7;
use crate::sample::{Plan, block_rng};

/// How to estimate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SobolConfig {
    /// Base sample size `N` (rows of `A` and of `B`).
    pub n: usize,
    /// Seed.
    pub seed: u64,
    /// Bootstrap resamples (0: no intervals).
    pub bootstrap: usize,
    /// Confidence level of the intervals (0.95).
    pub confidence: f64,
}

/// One index with its bootstrap interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Index {
    /// The estimate on the full sample.
    pub estimate: f64,
    /// Lower end of the bootstrap percentile interval.
    pub lo: f64,
    /// Upper end.
    pub hi: f64,
    /// Bootstrap standard error (0 without resamples).
    pub std_error: f64,
}

/// The indices of one output.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SobolOutput {
    /// Output name.
    pub name: String,
    /// Variance of the output over `A ∪ B`.
    pub variance: f64,
    /// First-order index per input; `None` when the output does not vary.
    pub first: Vec<Option<Index>>,
    /// Total-order index per input; `None` when the output does not vary.
    pub total: Vec<Option<Index>>,
}

/// Sobol indices of every output.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SobolResult {
    /// Method, as printed.
    pub method: &'static str,
    /// Input names.
    pub inputs: Vec<String>,
    /// Base sample size `N`.
    pub n: usize,
    /// Model evaluations, `N (k + 2)`.
    pub evaluations: usize,
    /// Seed.
    pub seed: u64,
    /// Bootstrap resamples.
    pub bootstrap: usize,
    /// Confidence level of the intervals.
    pub confidence: f64,
    /// One entry per output.
    pub outputs: Vec<SobolOutput>,
}

/// The method, as printed.
pub const SOBOL_METHOD: &str = "Saltelli sampling (A, B, AB_i; N (k + 2) runs), first order by Saltelli (2010), total order by Jansen (1999), bootstrap percentile intervals";

fn uniform(r: &mut impl Rng) -> f64 {
    ((r.next_u64() >> 11) as f64 + 0.5) * (1.0 / (1u64 << 53) as f64)
}

/// Estimate the indices of `f`, a function of `k` uniforms in (0, 1) returning
/// `outputs.len()` values (non-finite values are counted as 0). `f` must be deterministic.
pub fn sobol<F>(inputs: &[String], outputs: &[&str], cfg: &SobolConfig, f: F) -> SobolResult
where
    F: Fn(&[f64]) -> Vec<f64> + Sync,
{
    let k = inputs.len();
    let m = outputs.len();
    let n = cfg.n.max(2);
    let mut r = block_rng(cfg.seed, 0);
    let a: Vec<f64> = (0..n * k).map(|_| uniform(&mut r)).collect();
    let b: Vec<f64> = (0..n * k).map(|_| uniform(&mut r)).collect();
    // Row index e: 0..n is A, n..2n is B, (2 + i) n.. is AB_i.
    let rows = n * (k + 2);
    let y: Vec<Vec<f64>> = (0..rows)
        .into_par_iter()
        .map(|e| {
            let (blk, j) = (e / n, e % n);
            let row: Vec<f64> = match blk {
                0 => a[j * k..(j + 1) * k].to_vec(),
                1 => b[j * k..(j + 1) * k].to_vec(),
                _ => {
                    let i = blk - 2;
                    let mut v = a[j * k..(j + 1) * k].to_vec();
                    v[i] = b[j * k + i];
                    v
                }
            };
            let mut out = f(&row);
            out.resize(m, 0.0);
            for x in &mut out {
                if !x.is_finite() {
                    *x = 0.0;
                }
            }
            out
        })
        .collect();
    let col = |blk: usize, o: usize| -> Vec<f64> { (0..n).map(|j| y[blk * n + j][o]).collect() };
    let mut rb = block_rng(cfg.seed, 1);
    let resamples: Vec<Vec<usize>> = (0..cfg.bootstrap)
        .map(|_| {
            (0..n)
                .map(|_| ((u128::from(rb.next_u64()) * n as u128) >> 64) as usize)
                .collect()
        })
        .collect();
    let identity: Vec<usize> = (0..n).collect();
    let level = cfg.confidence.clamp(0.5, 0.999);
    let mut outs = Vec::with_capacity(m);
    for (o, name) in outputs.iter().enumerate() {
        let fa = col(0, o);
        let fb = col(1, o);
        let fab: Vec<Vec<f64>> = (0..k).map(|i| col(2 + i, o)).collect();
        let full = estimate(&fa, &fb, &fab, &identity);
        let boots: Vec<Option<Estimate>> = resamples
            .par_iter()
            .map(|idx| estimate(&fa, &fb, &fab, idx))
            .collect();
        let interval = |est: f64, pick: &dyn Fn(&Estimate) -> f64| -> Index {
            let mut v: Vec<f64> = boots.iter().flatten().map(pick).collect();
            v.sort_by(f64::total_cmp);
            if v.is_empty() {
                return Index {
                    estimate: est,
                    lo: est,
                    hi: est,
                    std_error: 0.0,
                };
            }
            let mean = v.iter().sum::<f64>() / v.len() as f64;
            let var =
                v.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / v.len().max(2) as f64;
            Index {
                estimate: est,
                lo: percentile_type7(&v, (1.0 - level) / 2.0).unwrap_or(est),
                hi: percentile_type7(&v, (1.0 + level) / 2.0).unwrap_or(est),
                std_error: libm::sqrt(var),
            }
        };
        let (first, total, variance) = match &full {
            Some((s1, st, var)) => (
                (0..k).map(|i| Some(interval(s1[i], &|t| t.0[i]))).collect(),
                (0..k).map(|i| Some(interval(st[i], &|t| t.1[i]))).collect(),
                *var,
            ),
            None => (vec![None; k], vec![None; k], 0.0),
        };
        outs.push(SobolOutput {
            name: (*name).to_string(),
            variance,
            first,
            total,
        });
    }
    SobolResult {
        method: SOBOL_METHOD,
        inputs: inputs.to_vec(),
        n,
        evaluations: rows,
        seed: cfg.seed,
        bootstrap: cfg.bootstrap,
        confidence: level,
        outputs: outs,
    }
}

/// First-order indices, total-order indices and the variance.
type Estimate = (Vec<f64>, Vec<f64>, f64);

/// First- and total-order indices and the variance on the rows `idx`; `None` when the
/// output does not vary.
fn estimate(fa: &[f64], fb: &[f64], fab: &[Vec<f64>], idx: &[usize]) -> Option<Estimate> {
    let n = idx.len() as f64;
    let mean = idx.iter().map(|&j| fa[j] + fb[j]).sum::<f64>() / (2.0 * n);
    let var = idx
        .iter()
        .map(|&j| {
            let (x, y) = (fa[j] - mean, fb[j] - mean);
            x * x + y * y
        })
        .sum::<f64>()
        / (2.0 * n);
    let scale = mean.abs().max(1.0);
    if var.is_nan() || var <= 1e-24 * scale * scale {
        return None;
    }
    let mut s1 = Vec::with_capacity(fab.len());
    let mut st = Vec::with_capacity(fab.len());
    for col in fab {
        let (mut a1, mut at) = (0.0, 0.0);
        for &j in idx {
            let (ya, yb, yab) = (fa[j] - mean, fb[j] - mean, col[j] - mean);
            a1 += yb * (yab - ya);
            at += (ya - yab) * (ya - yab);
        }
        s1.push(a1 / n / var);
        st.push(at / n / (2.0 * var));
    }
    Some((s1, st, var))
}

/// The outputs of [`sobol_plan`], in order.
pub const SOBOL_OUTPUTS: [&str; 3] = ["npv", "payback_quarter", "peak_funding"];

/// Sobol indices of the model's NPV, headline payback quarter (index from the start; "never"
/// counted as the quarter after the horizon) and peak funding with respect to the plan's
/// uncertain inputs (independent, no events).
pub fn sobol_plan(plan: &Plan, cfg: &SobolConfig) -> SobolResult {
    let names: Vec<String> = plan.inputs.iter().map(|i| i.path.clone()).collect();
    let nq = {
        let sc = &plan.base.scenario;
        (sc.start.quarters_until(sc.end).max(0) + 1) as usize
    };
    sobol(&names, &SOBOL_OUTPUTS, cfg, |u| {
        let values: Vec<f64> = plan
            .inputs
            .iter()
            .zip(u)
            .map(|(inp, &x)| inp.dist.quantile(x))
            .collect();
        let o = crate::outcome_with(plan, &values);
        vec![
            o.npv,
            o.payback.unwrap_or(nq).min(nq) as f64,
            o.peak_funding,
        ]
    })
}

/// The Ishigami function `sin x1 + a sin² x2 + b x3⁴ sin x1` on `[-π, π]³` from three
/// uniforms (the standard test of Sobol estimators).
pub fn ishigami(u: &[f64], a: f64, b: f64) -> f64 {
    let x = |i: usize| -std::f64::consts::PI + 2.0 * std::f64::consts::PI * u[i];
    let (x1, x2, x3) = (x(0), x(1), x(2));
    let s2 = libm::sin(x2);
    libm::sin(x1) + a * s2 * s2 + b * x3 * x3 * x3 * x3 * libm::sin(x1)
}
