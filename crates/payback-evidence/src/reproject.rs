//! Re-projection: `P(payback by a quarter)` under the prior and the posterior mixture of
//! scenarios (docs/evidence.md, "Re-projection").
//!
//! Each scenario brings its own payback-quarter distribution: from a Monte Carlo run over its
//! `[uncertainty]` (the counts of paths paid back per quarter, made by the caller with
//! `payback-sim`), or, for a scenario without uncertainty, its deterministic headline payback
//! quarter (probability 1 at that quarter). The mixture is linear:
//! `P_mix(by) = Σ_s w_s · P_s(by)`, with `w` the prior or the posterior weights, and the same for
//! every quarter of the distribution. Pure: no clock, no IO.

use std::collections::BTreeMap;

use payback_model::Quarter;
use serde::Serialize;

use crate::score::{Reprojection, ScenarioCard};

/// How a scenario's payback distribution was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PaybackMethod {
    /// The deterministic headline payback quarter (probability 1 there).
    Deterministic,
    /// A Monte Carlo run over the scenario's `[uncertainty]`.
    MonteCarlo,
}

impl PaybackMethod {
    /// `deterministic`, `monte-carlo`.
    pub fn name(self) -> &'static str {
        match self {
            PaybackMethod::Deterministic => "deterministic",
            PaybackMethod::MonteCarlo => "monte-carlo",
        }
    }
}

/// One scenario's payback-quarter distribution.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PaybackDistribution {
    /// How it was obtained.
    pub method: PaybackMethod,
    /// Monte Carlo paths (1 for a deterministic one).
    pub paths: u64,
    /// Monte Carlo seed.
    pub seed: Option<u64>,
    /// P(payback in the quarter), quarters with a positive probability, ascending.
    pub by_quarter: Vec<(Quarter, f64)>,
    /// P(not paid back within the horizon).
    pub never: f64,
    /// Why this method (e.g. `no [uncertainty]`).
    pub note: Option<String>,
}

impl PaybackDistribution {
    /// The deterministic distribution: all mass at `payback` (`None`: not within the horizon).
    pub fn deterministic(payback: Option<Quarter>, note: Option<String>) -> PaybackDistribution {
        PaybackDistribution {
            method: PaybackMethod::Deterministic,
            paths: 1,
            seed: None,
            by_quarter: payback.map(|q| vec![(q, 1.0)]).unwrap_or_default(),
            never: if payback.is_some() { 0.0 } else { 1.0 },
            note,
        }
    }

    /// A Monte Carlo distribution from counts: `counts[k]` paths paid back in `quarters[k]`,
    /// `never` paths not within the horizon, `paths` in all (at least the sum; 0 is taken as
    /// the sum, and an empty run as "not within the horizon").
    pub fn from_counts(
        quarters: &[Quarter],
        counts: &[u64],
        never: u64,
        paths: u64,
        seed: u64,
    ) -> PaybackDistribution {
        let total: u64 = counts.iter().sum::<u64>() + never;
        let n = paths.max(total);
        if n == 0 {
            return PaybackDistribution {
                method: PaybackMethod::MonteCarlo,
                paths: 0,
                seed: Some(seed),
                by_quarter: Vec::new(),
                never: 1.0,
                note: Some("no paths".into()),
            };
        }
        let nf = n as f64;
        let mut by_quarter: Vec<(Quarter, f64)> = quarters
            .iter()
            .zip(counts)
            .filter(|(_, c)| **c > 0)
            .map(|(q, c)| (*q, *c as f64 / nf))
            .collect();
        by_quarter.sort_by_key(|(q, _)| *q);
        let paid: u64 = quarters.iter().zip(counts).map(|(_, c)| *c).sum();
        PaybackDistribution {
            method: PaybackMethod::MonteCarlo,
            paths: n,
            seed: Some(seed),
            by_quarter,
            never: n.saturating_sub(paid) as f64 / nf,
            note: None,
        }
    }

    /// `P(payback in or before quarter by)`.
    pub fn p_by(&self, by: Quarter) -> f64 {
        self.by_quarter
            .iter()
            .filter(|(q, _)| *q <= by)
            // From +0.0: `sum` of no f64 is -0.0, which would print as "-0.000".
            .fold(0.0, |acc, (_, p)| acc + p)
    }

    /// The Monte Carlo standard error of [`Self::p_by`], `sqrt(p (1 - p) / n)` (0 when
    /// deterministic).
    pub fn std_error(&self, by: Quarter) -> f64 {
        match self.method {
            PaybackMethod::Deterministic => 0.0,
            PaybackMethod::MonteCarlo => {
                let p = self.p_by(by).clamp(0.0, 1.0);
                libm::sqrt(p * (1.0 - p) / self.paths.max(1) as f64)
            }
        }
    }
}

/// One scenario's part in the re-projection.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScenarioPayback {
    /// Scenario label.
    pub label: String,
    /// How its distribution was obtained.
    pub method: PaybackMethod,
    /// Monte Carlo paths (1 when deterministic).
    pub paths: u64,
    /// Monte Carlo seed.
    pub seed: Option<u64>,
    /// Its `P(payback by)`.
    pub p_by: f64,
    /// Monte Carlo standard error of `p_by` (0 when deterministic).
    pub std_error: f64,
    /// Its P(not paid back within the horizon).
    pub p_never: f64,
    /// Why this method.
    pub note: Option<String>,
}

/// The re-projection from each scenario's distribution (`dists[k]` for `cards[k]`; a
/// scenario without one counts with its deterministic payback quarter), mixed by the prior and
/// the posterior weights.
pub fn mixture(cards: &[ScenarioCard], dists: &[PaybackDistribution], by: Quarter) -> Reprojection {
    let mut dist: BTreeMap<(bool, Option<Quarter>), (f64, f64)> = BTreeMap::new();
    let (mut prior, mut post) = (0.0, 0.0);
    let (mut var_prior, mut var_post) = (0.0, 0.0);
    let mut scenarios = Vec::with_capacity(cards.len());
    for (k, c) in cards.iter().enumerate() {
        let own;
        let d = match dists.get(k) {
            Some(d) => d,
            None => {
                own = PaybackDistribution::deterministic(c.payback_quarter, None);
                &own
            }
        };
        let p = d.p_by(by);
        let se = d.std_error(by);
        prior += c.prior * p;
        post += c.posterior * p;
        var_prior += (c.prior * se) * (c.prior * se);
        var_post += (c.posterior * se) * (c.posterior * se);
        // Reached quarters first, in order; "not within the horizon" last.
        for &(q, pq) in &d.by_quarter {
            let e = dist.entry((false, Some(q))).or_insert((0.0, 0.0));
            e.0 += c.prior * pq;
            e.1 += c.posterior * pq;
        }
        if d.never > 0.0 {
            let e = dist.entry((true, None)).or_insert((0.0, 0.0));
            e.0 += c.prior * d.never;
            e.1 += c.posterior * d.never;
        }
        scenarios.push(ScenarioPayback {
            label: c.label.clone(),
            method: d.method,
            paths: d.paths,
            seed: d.seed,
            p_by: p,
            std_error: se,
            p_never: d.never,
            note: d.note.clone(),
        });
    }
    Reprojection {
        by,
        prior,
        posterior: post,
        prior_std_error: libm::sqrt(var_prior),
        posterior_std_error: libm::sqrt(var_post),
        method: describe(&scenarios),
        scenarios,
        distribution: dist.into_iter().map(|((_, q), (a, b))| (q, a, b)).collect(),
    }
}

/// Which method was used for which scenarios, in words.
fn describe(scenarios: &[ScenarioPayback]) -> String {
    let names = |m: PaybackMethod| -> Vec<&str> {
        scenarios
            .iter()
            .filter(|s| s.method == m)
            .map(|s| s.label.as_str())
            .collect()
    };
    let mc = names(PaybackMethod::MonteCarlo);
    let det = names(PaybackMethod::Deterministic);
    let mut parts = Vec::new();
    if !mc.is_empty() {
        let runs: Vec<(u64, Option<u64>)> = scenarios
            .iter()
            .filter(|s| s.method == PaybackMethod::MonteCarlo)
            .map(|s| (s.paths, s.seed))
            .collect();
        let how = match runs.first() {
            Some(&(n, Some(seed))) if runs.iter().all(|r| *r == (n, Some(seed))) => {
                format!(" ({n} paths, seed {seed})")
            }
            _ => String::new(),
        };
        parts.push(format!(
            "Monte Carlo{how} for {}",
            if det.is_empty() {
                "every scenario".to_string()
            } else {
                mc.join(", ")
            }
        ));
    }
    if !det.is_empty() {
        parts.push(format!(
            "the deterministic payback quarter for {}",
            if mc.is_empty() {
                "every scenario".to_string()
            } else {
                det.join(", ")
            }
        ));
    }
    format!(
        "mixture of the scenarios' P(payback by) weighted by the prior and the posterior \
         weights: {}",
        parts.join("; ")
    )
}
