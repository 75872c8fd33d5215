//! Turning a scenario's `[uncertainty]` into per-path scenario edits: the [`Plan`], the
//! seeded block streams, plain and Latin hypercube uniforms, Iman–Conover rank correlation,
//! and counterparty default and renewal events.

use payback_model::Scenario;
use payback_model::engine::{contracts, pricing};
use payback_model::params::dist::{Dist, Uncertainty, cholesky, normal_quantile};
use payback_model::params::{self, Slot};
use payback_model::scenario::ContractPrice;
use rand_core::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

/// How the uniforms of a block are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sampling {
    /// Independent uniforms.
    MonteCarlo,
    /// Latin hypercube per block: each column has one draw in each of `n` equal strata.
    LatinHypercube,
}

impl Sampling {
    /// `mc` or `lhs`.
    pub fn name(self) -> &'static str {
        match self {
            Sampling::MonteCarlo => "mc",
            Sampling::LatinHypercube => "lhs",
        }
    }
}

/// Why a plan cannot be built.
#[derive(Debug, Clone, PartialEq)]
pub enum PlanError {
    /// A path does not resolve in the scenario.
    Path {
        /// The path.
        path: String,
        /// Why.
        error: params::ParamError,
    },
    /// A correlated path has no distribution, or the matrix is not positive definite.
    Correlation(String),
    /// A scaling input's draws times the scenario's value overflow.
    Infinite(String),
}

impl std::fmt::Display for PlanError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PlanError::Path { path, error } => write!(f, "`{path}`: {error}"),
            PlanError::Correlation(m) => write!(f, "correlations: {m}"),
            PlanError::Infinite(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for PlanError {}

/// One uncertain input, resolved.
#[derive(Debug, Clone)]
pub struct Input {
    /// The path as written.
    pub path: String,
    /// The slots it sets, with the scenario's value at each.
    pub slots: Vec<(Slot, f64)>,
    /// Its distribution.
    pub dist: Dist,
    /// Multiply the scenario's value (`true`) or replace it.
    pub scale: bool,
}

/// A counterparty whose default is drawn per path.
#[derive(Debug, Clone)]
struct DefaultEvent {
    counterparty: usize,
    /// Contracts of the counterparty.
    contracts: Vec<usize>,
}

/// Everything fixed across paths: the base scenario, the resolved inputs, the correlation
/// factor and the events.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The scenario every path starts from.
    pub base: Scenario,
    /// Uncertain inputs, in file order.
    pub inputs: Vec<Input>,
    /// Indices (into `inputs`) of the correlated inputs and the Cholesky factor of the target.
    corr: Option<(Vec<usize>, Vec<f64>)>,
    defaults: Vec<DefaultEvent>,
    /// Contracts whose renewal is drawn per path: every contract, so that a renewal column is
    /// its contract's index (a certain or impossible renewal draws 1 or 0 every time).
    renewals: Vec<usize>,
    /// Whether counterparty defaults and renewals are drawn as events.
    pub events: bool,
}

/// The draws of one block: input values (path-major, `n x inputs`) and event uniforms
/// (`n x event columns`).
#[derive(Debug, Clone, PartialEq)]
pub struct Draws {
    /// Paths in the block.
    pub n: usize,
    /// Drawn value of each input (after the distribution, before scaling and clamping).
    pub values: Vec<f64>,
    /// Uniforms of the events: one column per defaulting counterparty, then one per renewal.
    pub events: Vec<f64>,
}

/// The generator of block `b`: `Xoshiro256PlusPlus::seed_from_u64(seed)` then `b` jumps of
/// 2^128 steps (`jump()` `b` times, computed in one `jump_ce(b, 128)`).
pub fn block_rng(seed: u64, block: u64) -> Xoshiro256PlusPlus {
    let mut r = Xoshiro256PlusPlus::seed_from_u64(seed);
    if block > 0 {
        r.jump_ce(block, 128);
    }
    r
}

/// A uniform in (0, 1): the top 53 bits, centred in their cell.
fn uniform(r: &mut Xoshiro256PlusPlus) -> f64 {
    ((r.next_u64() >> 11) as f64 + 0.5) * (1.0 / (1u64 << 53) as f64)
}

/// A uniform integer in `0..n` (Lemire's multiply-shift; its bias, below n / 2^64, is
/// irrelevant at block sizes).
fn below(r: &mut Xoshiro256PlusPlus, n: usize) -> usize {
    ((u128::from(r.next_u64()) * n as u128) >> 64) as usize
}

/// Fisher–Yates shuffle of `v` with `r`.
fn shuffle<T>(r: &mut Xoshiro256PlusPlus, v: &mut [T]) {
    for i in (1..v.len()).rev() {
        let j = below(r, i + 1);
        v.swap(i, j);
    }
}

impl Plan {
    /// Resolve every path of `u` against `base`, factor the correlation matrix, and list the
    /// events (counterparties with a hazard, contracts with an uncertain renewal). With
    /// `events` false, hazards and renewals stay in expectation (the deterministic engine's
    /// treatment).
    pub fn new(base: &Scenario, u: &Uncertainty, events: bool) -> Result<Plan, PlanError> {
        let mut inputs = Vec::with_capacity(u.params.len());
        for p in &u.params {
            let slots = params::resolve(base, &p.path).map_err(|error| PlanError::Path {
                path: p.path.clone(),
                error,
            })?;
            let slots: Vec<(Slot, f64)> = slots
                .into_iter()
                .map(|sl| (sl, params::get(base, sl)))
                .collect();
            if p.scale {
                // A finite multiplier of a finite value can still overflow.
                let (lo, hi) = p.dist.support();
                let (lo, hi) = (p.dist.quantile(0.0).max(lo), p.dist.quantile(1.0).min(hi));
                if let Some(&(_, v)) = slots
                    .iter()
                    .find(|(_, v)| !(v * lo).is_finite() || !(v * hi).is_finite())
                {
                    return Err(PlanError::Infinite(format!(
                        "`{}` scales the value {v:e} by draws from {lo:e} to {hi:e}: some \
                         products are not finite numbers",
                        p.path
                    )));
                }
            }
            inputs.push(Input {
                path: p.path.clone(),
                slots,
                dist: p.dist.clone(),
                scale: p.scale,
            });
        }
        let corr = match &u.correlation {
            None => None,
            Some(c) => {
                let k = c.paths.len();
                let idx = c
                    .paths
                    .iter()
                    .map(|p| {
                        inputs.iter().position(|i| &i.path == p).ok_or_else(|| {
                            PlanError::Correlation(format!("`{p}` has no distribution"))
                        })
                    })
                    .collect::<Result<Vec<usize>, PlanError>>()?;
                // Iman–Conover imposes a Pearson correlation on normal scores; for normal
                // scores Spearman = (6/π) asin(ρ/2), so the target Spearman ρ_s becomes the
                // Pearson 2 sin(π ρ_s / 6) (kept as given if that matrix is not positive
                // definite).
                let pearson: Vec<f64> = c
                    .matrix
                    .iter()
                    .map(|&r| 2.0 * libm::sin(std::f64::consts::PI * r / 6.0))
                    .collect();
                let l = cholesky(&pearson, k)
                    .or_else(|| cholesky(&c.matrix, k))
                    .ok_or_else(|| {
                        PlanError::Correlation("the matrix is not positive definite".into())
                    })?;
                Some((idx, l))
            }
        };
        let mut defaults = Vec::new();
        for (k, _) in base.counterparties.iter().enumerate() {
            let contracts: Vec<usize> = base
                .contracts
                .iter()
                .enumerate()
                .filter(|(_, c)| c.counterparty == Some(k))
                .map(|(i, _)| i)
                .collect();
            if !contracts.is_empty() {
                defaults.push(DefaultEvent {
                    counterparty: k,
                    contracts,
                });
            }
        }
        let renewals = (0..base.contracts.len()).collect();
        Ok(Plan {
            base: base.clone(),
            inputs,
            corr,
            defaults,
            renewals,
            events,
        })
    }

    /// Number of event columns per path.
    pub fn event_columns(&self) -> usize {
        if self.events {
            self.defaults.len() + self.renewals.len()
        } else {
            0
        }
    }

    /// The draws of block `block` with `n` paths. Order of use of the stream: the uniforms
    /// path by path (inputs, then events); for LHS one shuffle per column; then, with
    /// correlations, one shuffle of the scores per correlated column.
    pub fn draw_block(&self, seed: u64, block: u64, n: usize, sampling: Sampling) -> Draws {
        let mut r = block_rng(seed, block);
        let k = self.inputs.len();
        let e = self.event_columns();
        let w = k + e;
        let mut u = vec![0.0; n * w];
        for x in u.iter_mut() {
            *x = uniform(&mut r);
        }
        if sampling == Sampling::LatinHypercube && n > 0 {
            let mut perm: Vec<usize> = (0..n).collect();
            for c in 0..w {
                for (i, p) in perm.iter_mut().enumerate() {
                    *p = i;
                }
                shuffle(&mut r, &mut perm);
                for i in 0..n {
                    let cell = &mut u[i * w + c];
                    *cell = (perm[i] as f64 + *cell) / n as f64;
                }
            }
        }
        let mut values = vec![0.0; n * k];
        for i in 0..n {
            for j in 0..k {
                values[i * k + j] = self.inputs[j].dist.quantile(u[i * w + j]);
            }
        }
        if let Some((idx, l)) = &self.corr {
            iman_conover(&mut r, &mut values, n, k, idx, l);
        }
        let mut events = vec![0.0; n * e];
        for i in 0..n {
            events[i * e..(i + 1) * e].copy_from_slice(&u[i * w + k..(i + 1) * w]);
        }
        Draws { n, values, events }
    }

    /// Undo, in a scenario set up by [`Plan::apply`], what the next `apply` would not
    /// overwrite: the fields the events change (contracts' renewal probability, price, term and
    /// size; counterparties' hazard). The inputs' own slots need nothing, since `apply` sets
    /// every one of them from the base. `reset` then `apply` equals `apply` on a fresh copy of
    /// the base, without cloning the scenario's names and tables for every path.
    pub fn reset(&self, s: &mut Scenario) {
        // Unconditional (not only with events): a portfolio draws events for its members
        // itself and resets them through here.
        for (c, b) in s.contracts.iter_mut().zip(&self.base.contracts) {
            c.renewal_prob = b.renewal_prob;
            c.price = b.price;
            c.term_years = b.term_years;
            c.ref_accelerators = b.ref_accelerators;
        }
        for (c, b) in s.counterparties.iter_mut().zip(&self.base.counterparties) {
            c.hazard = b.hazard;
        }
    }

    /// Set up path `i` of `d` in `s` (which must equal the base on entry, or have been set up
    /// by `apply` and then [`Plan::reset`]): every input's value (scaled if asked, clamped into
    /// the field's valid range), then the events.
    pub fn apply(&self, s: &mut Scenario, d: &Draws, i: usize) {
        self.apply_logged(s, d, i, None);
    }

    /// [`Plan::apply`], and when `log` is given, push onto it what path `i`'s events came to,
    /// one per [`Plan::event_names`] (nothing without events).
    pub fn apply_logged(
        &self,
        s: &mut Scenario,
        d: &Draws,
        i: usize,
        log: Option<&mut Vec<EventOutcome>>,
    ) {
        let k = self.inputs.len();
        self.apply_values(s, &d.values[i * k..(i + 1) * k]);
        if self.events {
            let e = self.event_columns();
            self.apply_events(s, &d.events[i * e..(i + 1) * e], log);
        }
    }

    /// Names of the events drawn per path, in the order of [`Plan::apply_logged`]'s log:
    /// `default:<counterparty id>` for each counterparty with contracts, then
    /// `renews:<contract name>` for each contract (none without events).
    pub fn event_names(&self) -> Vec<String> {
        if !self.events {
            return Vec::new();
        }
        let b = &self.base;
        let defaults = self.defaults.iter().map(|ev| {
            let id = b
                .counterparties
                .get(ev.counterparty)
                .map_or("", |c| c.id.as_str());
            format!("default:{id}")
        });
        let renewals = self.renewals.iter().map(|&c| {
            let name = b.contracts.get(c).map_or("", |c| c.name.as_str());
            format!("renews:{name}")
        });
        defaults.chain(renewals).collect()
    }

    /// Set every input to the given drawn values (one per input, as [`Draws::values`]).
    /// Also the entry point for one-at-a-time sensitivity: pass the base draw except one.
    pub fn apply_values(&self, s: &mut Scenario, values: &[f64]) {
        for (inp, &x) in self.inputs.iter().zip(values) {
            for &(sl, base) in &inp.slots {
                let v = if inp.scale { base * x } else { x };
                let (lo, hi) = sl.bounds();
                params::set(s, sl, v.clamp(lo, hi));
            }
        }
    }

    /// Apply the event uniforms: each counterparty defaults (or not) once; each contract
    /// renews (or not) once. Hazards are then 0 in the path (the event replaced them).
    fn apply_events(&self, s: &mut Scenario, u: &[f64], log: Option<&mut Vec<EventOutcome>>) {
        let nd = self.defaults.len();
        let horizon_end = s.scenario.end;
        for (c, &ur) in self.renewals.iter().zip(&u[nd..]) {
            let Some(ct) = s.contracts.get_mut(*c) else {
                continue;
            };
            ct.renewal_prob = if ur < ct.renewal_prob { 1.0 } else { 0.0 };
        }
        let mut defaulted = Vec::new();
        for (ev, &ud) in self.defaults.iter().zip(&u[..nd]) {
            let hazard = s.counterparties[ev.counterparty].hazard;
            s.counterparties[ev.counterparty].hazard = 0.0;
            let default_q = quarters_survived(hazard, ud).and_then(|k| {
                // The counterparty's clock starts at its earliest contract start (the engine
                // applies a hazard from each contract's start).
                let clock = ev.contracts.iter().map(|&c| s.contracts[c].start).min()?;
                let horizon = f64::from(clock.quarters_until(horizon_end).max(0));
                // First quarter not served, unless it survives the horizon.
                (k < horizon).then(|| clock.offset(k as i32 + 1))
            });
            if let Some(q) = default_q {
                for &c in &ev.contracts {
                    end_contract_at(s, c, q);
                }
            }
            if log.is_some() {
                defaulted.push(EventOutcome::Default(default_q));
            }
        }
        if let Some(log) = log {
            // A contract renews when its draw said so and no default ended it first.
            let renews = self.renewals.iter().map(|&c| {
                EventOutcome::Renewal(s.contracts.get(c).is_some_and(|c| c.renewal_prob >= 1.0))
            });
            log.extend(defaulted.into_iter().chain(renews));
        }
    }
}

/// What one drawn event came to on a path (see [`Plan::event_names`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventOutcome {
    /// A counterparty's default: the first quarter it no longer serves, `None` when it serves
    /// to the horizon.
    Default(Option<payback_model::Quarter>),
    /// A contract's renewal: whether it renews (its draw said so and no default ended it).
    Renewal(bool),
}

/// Whole quarters a counterparty with annual default probability `hazard` survives after
/// its clock starts, given its uniform draw `u` in (0, 1): `P(k >= m) = sq^m` with
/// `sq = (1 - h)^(1/4)`, so `k = ⌊ln u / ln sq⌋` (infinite when it cannot default, 0 when it
/// defaults at once). `None` without a hazard (`hazard <= 0`): nothing to draw.
///
/// The event draw of [`Plan`]; `payback_portfolio` uses it for defaults shared across
/// companies, so both give bit-identical paths.
pub fn quarters_survived(hazard: f64, u: f64) -> Option<f64> {
    if hazard <= 0.0 {
        return None;
    }
    let sq = libm::pow(1.0 - hazard.min(1.0), 0.25);
    Some(if sq <= 0.0 {
        0.0
    } else if sq >= 1.0 {
        f64::INFINITY
    } else {
        libm::floor(libm::log(u) / libm::log(sq))
    })
}

/// End contract `c` of `s` before quarter `d` (its counterparty defaults during `d`): the
/// term is cut to the quarters served, a `total_value` price is converted to the per-hour
/// price of the full term (so the served quarters keep their price), and it does not renew.
/// A contract defaulted before service serves nothing (one quarter of zero capacity). No-op
/// when `c` is out of range.
///
/// The scenario edit of a default event in [`Plan`]; `payback_portfolio` applies shared
/// defaults with it.
pub fn end_contract_at(s: &mut Scenario, c: usize, d: payback_model::Quarter) {
    let Some(ct) = s.contracts.get_mut(c) else {
        return;
    };
    ct.renewal_prob = 0.0;
    let nq = pricing::quarters_in(ct.term_years);
    let served = ct.start.quarters_until(d);
    if served >= nq as i32 {
        return;
    }
    if let ContractPrice::TotalValue(v) = ct.price {
        let ramp_q = if ct.ramp_years > 0.0 {
            pricing::quarters_in(ct.ramp_years)
        } else {
            0
        };
        let billed =
            contracts::reserved_hours_total(ct.ref_accelerators, nq, ramp_q) * ct.take_or_pay;
        ct.price = ContractPrice::PerRefHour(if billed > 0.0 { v / billed } else { 0.0 });
    }
    if served <= 0 {
        // Defaulted before service: nothing is served (one quarter of zero capacity).
        ct.term_years = 0.25;
        ct.ref_accelerators = 0.0;
    } else {
        ct.term_years = f64::from(served) / 4.0;
    }
}

/// Iman–Conover: reorder the correlated columns of `values` (path-major, `n x k`) so that
/// their rank correlation approaches the target whose Cholesky factor is `l` (`m x m`,
/// over inputs `idx`), keeping each column's values (the marginals) unchanged.
///
/// Scores: van der Waerden `Φ⁻¹(i / (n + 1))`, each column shuffled; their sample
/// correlation `E = Q Qᵀ` is removed and the target imposed, `T = S (L Q⁻¹)ᵀ`; each column
/// of values is then sorted and placed in the rank order of the column of `T`.
fn iman_conover(
    r: &mut Xoshiro256PlusPlus,
    values: &mut [f64],
    n: usize,
    k: usize,
    idx: &[usize],
    l: &[f64],
) {
    let m = idx.len();
    if n < 3 || m < 2 {
        return;
    }
    let scores: Vec<f64> = (1..=n)
        .map(|i| normal_quantile(i as f64 / (n + 1) as f64))
        .collect();
    // S: n x m, column-major.
    let mut s = vec![0.0; n * m];
    for c in 0..m {
        let col = &mut s[c * n..(c + 1) * n];
        col.copy_from_slice(&scores);
        shuffle(r, col);
    }
    // Sample correlation of the score columns (each has mean 0 and the same variance).
    let var: f64 = scores.iter().map(|x| x * x).sum();
    let mut e = vec![0.0; m * m];
    for a in 0..m {
        for b in 0..=a {
            let dot: f64 = (0..n).map(|i| s[a * n + i] * s[b * n + i]).sum();
            e[a * m + b] = dot / var;
            e[b * m + a] = dot / var;
        }
    }
    // B = L Q⁻¹ (or L alone when E is not positive definite, e.g. a tiny block).
    let b = match cholesky(&e, m) {
        Some(q) => {
            let qinv = lower_inverse(&q, m);
            let mut b = vec![0.0; m * m];
            for i in 0..m {
                for j in 0..m {
                    b[i * m + j] = (0..m).map(|p| l[i * m + p] * qinv[p * m + j]).sum();
                }
            }
            b
        }
        None => l.to_vec(),
    };
    // T row i = B · S row i.
    let mut t = vec![0.0; n * m];
    for i in 0..n {
        for a in 0..m {
            t[a * n + i] = (0..m).map(|p| b[a * m + p] * s[p * n + i]).sum();
        }
    }
    let mut order: Vec<usize> = (0..n).collect();
    let mut col = vec![0.0; n];
    for (a, &j) in idx.iter().enumerate() {
        let tc = &t[a * n..(a + 1) * n];
        for (i, o) in order.iter_mut().enumerate() {
            *o = i;
        }
        order.sort_by(|&x, &y| tc[x].total_cmp(&tc[y]).then(x.cmp(&y)));
        for i in 0..n {
            col[i] = values[i * k + j];
        }
        col.sort_by(f64::total_cmp);
        // The path with the r-th smallest T gets the r-th smallest value.
        for (rank, &path) in order.iter().enumerate() {
            values[path * k + j] = col[rank];
        }
    }
}

/// Inverse of a lower-triangular matrix (row-major, `m x m`) by forward substitution.
fn lower_inverse(q: &[f64], m: usize) -> Vec<f64> {
    let mut inv = vec![0.0; m * m];
    for c in 0..m {
        for i in 0..m {
            let mut sum = if i == c { 1.0 } else { 0.0 };
            for p in 0..i {
                sum -= q[i * m + p] * inv[p * m + c];
            }
            inv[i * m + c] = sum / q[i * m + i];
        }
    }
    inv
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jump_ce_equals_repeated_jumps() {
        let mut a = Xoshiro256PlusPlus::seed_from_u64(42);
        for _ in 0..3 {
            a.jump();
        }
        let mut b = block_rng(42, 3);
        assert_eq!(a.next_u64(), b.next_u64());
    }

    #[test]
    fn lower_inverse_inverts() {
        let q = [2.0, 0.0, 1.0, 3.0];
        let inv = lower_inverse(&q, 2);
        assert!((inv[0] - 0.5).abs() < 1e-15);
        assert!((inv[3] - 1.0 / 3.0).abs() < 1e-15);
        assert!((inv[2] + 1.0 / 6.0).abs() < 1e-15);
    }
}
