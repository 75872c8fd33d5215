//! Scoring: observations against each scenario's projection, stage statuses, and posterior
//! scenario weights. The maths is in docs/evidence.md, "Scoring"; in short:
//!
//! - each observation is compared with the projection at the calendar quarter containing its
//!   end (flows: the sum over the quarters its period covers; balances and run-rates: the
//!   quarter's level; ratios and prices: the average over the quarters);
//! - a whole-company figure is scaled by the stated AI share of its signal; with no share, a
//!   positive signal is compared as a year-on-year growth rate against the same series a year
//!   earlier, and a signed one (OCF, FCF) is not compared;
//! - the standardised distance `z` is a log ratio over `σ_log(kind)` for positive money and
//!   prices, `(y - m) / σ_ratio(kind)` for ratios, `(a·y - m) / (σ_log(kind) · a·S)` for signed
//!   flows (`S` the series' mean absolute value), and a difference of log growth factors over
//!   `√2 · σ_log(kind)` for growth rates;
//! - the log-likelihood of an observation under a scenario is `-z²/2`; the `n` observations of
//!   one series (company, signal, kind, scope, period length, comparison) each count `1/n`,
//!   so a series weighs as one observation however often it is reported;
//! - posterior weights are `prior × exp(Σ loglik / n)`, normalised; an observation's influence
//!   is the total-variation distance between the posterior with and without it.

use std::collections::BTreeMap;

use payback_model::{Projection, Quarter};
use serde::Serialize;

use crate::observation::{Observation, PeriodClass};
use crate::signal::{Kind, ModelSeries, Nature, Scope, Signal, Stage};

/// Spreads of the error model for one kind.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Spread {
    /// Standard deviation of `ln(observed / projected)` (money, prices, growth factors).
    pub log: f64,
    /// Standard deviation of `observed - projected` for ratios (absolute).
    pub ratio: f64,
}

/// The error model: a spread per kind.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ErrorModel {
    /// Reported figures.
    pub reported: Spread,
    /// Company guidance.
    pub guidance: Spread,
    /// Third-party estimates.
    pub estimate: Spread,
}

impl Default for ErrorModel {
    fn default() -> ErrorModel {
        ErrorModel {
            reported: Spread {
                log: 0.15,
                ratio: 0.05,
            },
            guidance: Spread {
                log: 0.25,
                ratio: 0.08,
            },
            estimate: Spread {
                log: 0.40,
                ratio: 0.12,
            },
        }
    }
}

impl ErrorModel {
    /// The spread for a kind.
    pub fn spread(&self, kind: Kind) -> Spread {
        match kind {
            Kind::Reported => self.reported,
            Kind::Guidance => self.guidance,
            Kind::Estimate => self.estimate,
        }
    }
}

/// How observations are scored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Settings {
    /// AI share of whole-company figures, per signal (0 < share <= 1).
    pub ai_share: BTreeMap<Signal, f64>,
    /// The error model.
    pub errors: ErrorModel,
    /// `P(payback by)` is reported for this quarter (default 2030Q4).
    pub payback_by: Quarter,
    /// `|z|` at or below which an observation is consistent with a scenario (default 1).
    pub consistent_z: f64,
    /// `|z|` above which an observation contradicts a scenario (default 2).
    pub contradicts_z: f64,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            ai_share: BTreeMap::new(),
            errors: ErrorModel::default(),
            payback_by: Quarter::containing_month(2030, 12),
            consistent_z: 1.0,
            contradicts_z: 2.0,
        }
    }
}

/// One scenario to score: a label, its prior weight (> 0) and its projection.
#[derive(Debug, Clone, Copy)]
pub struct ScenarioInput<'a> {
    /// Label (`base`, `base+bull`).
    pub label: &'a str,
    /// Prior weight, > 0 (normalised over the scenarios).
    pub prior: f64,
    /// Its projection.
    pub projection: &'a Projection,
}

/// How an observation is compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Comparison {
    /// An AI-scope value or a whole-company value times its AI share, in logs.
    Level,
    /// A ratio, as a difference.
    Ratio,
    /// A signed flow (times its AI share), relative to the series' mean absolute value.
    Signed,
    /// Year-on-year growth against the same series a year earlier.
    Growth,
}

/// One observation under one scenario.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Distance {
    /// The projection's figure (for growth: the projected growth factor `m / m₋₄`).
    pub projected: Option<f64>,
    /// Standardised distance; `None` when not comparable under this scenario.
    pub z: Option<f64>,
    /// `-z²/2`.
    pub loglik: Option<f64>,
    /// Why not comparable.
    pub reason: Option<String>,
}

/// One observation, scored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scored {
    /// Store id (or position).
    pub id: i64,
    /// Signal.
    pub signal: Signal,
    /// Seed stage.
    pub stage: Stage,
    /// Kind.
    pub kind: Kind,
    /// Scope.
    pub scope: Scope,
    /// Period as text.
    pub period: String,
    /// Calendar quarter of the end.
    pub quarter: Quarter,
    /// The value as recorded.
    pub value: f64,
    /// The value as compared: times the AI share, or the growth factor `y / y₋₄`.
    pub compared: Option<f64>,
    /// How it is compared; `None` = context only.
    pub comparison: Option<Comparison>,
    /// Why it is not compared with any scenario.
    pub not_compared: Option<String>,
    /// Source.
    pub source: String,
    /// Derived (not as stated by the source).
    pub derived: bool,
    /// Per scenario, in input order.
    pub distances: Vec<Distance>,
    /// Whether it enters the likelihood (comparable under every scenario).
    pub in_likelihood: bool,
    /// Weight in the likelihood: 1 / (observations of its series in the likelihood).
    pub weight: f64,
    /// Total-variation distance between the posterior with and without it.
    pub influence: f64,
    /// The scenario it fits best (index), when in the likelihood.
    pub favours: Option<usize>,
}

/// The status of a stage under one scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Every series' latest observation is consistent (`|z| <= 1`).
    Evidenced,
    /// Neither all consistent nor mostly contradicting.
    Mixed,
    /// More than half of the series' latest observations contradict (`|z| > 2`).
    Contradicted,
    /// No comparable observation.
    NoDataYet,
}

impl Status {
    /// Text for the scorecard.
    pub fn name(self) -> &'static str {
        match self {
            Status::Evidenced => "evidenced",
            Status::Mixed => "mixed",
            Status::Contradicted => "contradicted",
            Status::NoDataYet => "no data yet",
        }
    }
}

/// One stage of the seed's sequence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StageCard {
    /// The stage.
    pub stage: Stage,
    /// Its title.
    pub title: &'static str,
    /// The seed's window.
    pub window: &'static str,
    /// Status per scenario, in input order.
    pub status: Vec<Status>,
    /// Ids of the observations of the stage (compared or not), in report order.
    pub observations: Vec<i64>,
    /// Ids of the latest observation per series, on which the status rests.
    pub latest: Vec<i64>,
}

/// One scenario's result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScenarioCard {
    /// Label.
    pub label: String,
    /// Prior weight (normalised).
    pub prior: f64,
    /// Posterior weight.
    pub posterior: f64,
    /// Sum of weighted log-likelihoods.
    pub loglik: f64,
    /// Headline payback quarter, when reached within the horizon.
    pub payback_quarter: Option<Quarter>,
}

/// `P(payback by the quarter)` before and after the evidence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reprojection {
    /// The quarter.
    pub by: Quarter,
    /// Under the prior weights.
    pub prior: f64,
    /// Under the posterior weights.
    pub posterior: f64,
    /// Monte Carlo standard error of `prior`, `sqrt(Σ w_s² se_s²)` (0 when deterministic).
    pub prior_std_error: f64,
    /// Monte Carlo standard error of `posterior`.
    pub posterior_std_error: f64,
    /// How, in words: which scenarios were simulated and which counted with their
    /// deterministic payback quarter.
    pub method: String,
    /// Each scenario's `P(payback by)` and how it was obtained, in scenario order.
    pub scenarios: Vec<crate::reproject::ScenarioPayback>,
    /// The payback-quarter distribution of the mixture: (quarter or `None` = not within the
    /// horizon, probability under the prior weights, under the posterior weights), by quarter.
    pub distribution: Vec<(Option<Quarter>, f64, f64)>,
}

/// The whole result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scorecard {
    /// Scenarios with their weights.
    pub scenarios: Vec<ScenarioCard>,
    /// The three stages.
    pub stages: Vec<StageCard>,
    /// Every observation, by stage, signal, end, id.
    pub observations: Vec<Scored>,
    /// Ids of the observations that moved the weights most (influence > 0), largest first.
    pub movers: Vec<i64>,
    /// `P(payback by …)`.
    pub reprojection: Reprojection,
    /// The settings used.
    pub settings: Settings,
}

/// Clamp so that squares and sums stay finite.
fn clamp_z(z: f64) -> f64 {
    if z.is_finite() {
        z.clamp(-1e6, 1e6)
    } else {
        1e6
    }
}

/// Index of quarter `q` in the projection, if within it.
fn index(p: &Projection, q: Quarter) -> Option<usize> {
    let first = *p.quarters.first()?;
    let i = usize::try_from(first.quarters_until(q)).ok()?;
    (i < p.quarters.len()).then_some(i)
}

/// The number of quarters an observation's period covers (1 for a date).
fn span(o: &Observation) -> usize {
    match o.class() {
        PeriodClass::Instant => 1,
        PeriodClass::Other => {
            let days = o.start.map_or(0, |s| (o.end - s).num_days());
            // Whole quarters, at least one: days / 91.3 rounded.
            usize::try_from((days * 10 + 456) / 913).unwrap_or(1).max(1)
        }
        c => usize::try_from(c.quarters()).unwrap_or(1),
    }
}

/// The projection's figure for `series` of nature `nature` over the `n` quarters ending at `q`.
fn projected(
    p: &Projection,
    series: ModelSeries,
    nature: Nature,
    q: Quarter,
    n: usize,
) -> Result<f64, String> {
    let (Some(first), Some(last)) = (p.quarters.first(), p.quarters.last()) else {
        return Err("the projection is empty".into());
    };
    let outside = || format!("{q} is outside the projection ({first}..{last})");
    let end = index(p, q).ok_or_else(outside)?;
    let n = match nature {
        Nature::Flow | Nature::SignedFlow | Nature::Ratio | Nature::Price => n.max(1),
        Nature::Stock | Nature::RunRate => 1,
    };
    let begin = (end + 1).checked_sub(n).ok_or_else(|| {
        format!("the period's first quarter is before the projection's start {first}")
    })?;
    let per_quarter = |i: usize| -> Result<f64, String> {
        let undefined = || format!("{series:?} is undefined in {}", p.quarters[i]);
        match series {
            ModelSeries::Quarterly(name) => {
                p.q.get(name)
                    .and_then(|v| v.get(i).copied())
                    .ok_or_else(|| format!("the projection has no series `{name}`"))
            }
            ModelSeries::NetBookValue => Ok(p.q.nbv_accelerators[i] + p.q.nbv_facilities[i]),
            ModelSeries::ContractRpo => Ok(p.contracts.iter().filter_map(|c| c.rpo.get(i)).sum()),
            ModelSeries::GrossMargin => p.opt.gross_margin[i].ok_or_else(undefined),
            ModelSeries::CostPerMtok => p.opt.inference_cost_per_mtok[i].ok_or_else(undefined),
            ModelSeries::OperatingMargin => {
                let r = p.q.revenue[i];
                if r > 0.0 {
                    Ok(p.q.ebit[i] / r)
                } else {
                    Err(undefined())
                }
            }
            ModelSeries::PriceChangeYoy => {
                let j = i.checked_sub(4).ok_or_else(|| {
                    format!("no price a year before {} in the projection", p.quarters[i])
                })?;
                let base = p.q.p_ref[j];
                if base > 0.0 {
                    Ok(p.q.p_ref[i] / base - 1.0)
                } else {
                    Err(undefined())
                }
            }
        }
    };
    let values = (begin..=end)
        .map(per_quarter)
        .collect::<Result<Vec<f64>, String>>()?;
    let sum: f64 = values.iter().sum();
    let v = match nature {
        Nature::Flow | Nature::SignedFlow => sum,
        Nature::Ratio | Nature::Price => sum / values.len() as f64,
        Nature::Stock | Nature::RunRate => values.last().copied().unwrap_or(0.0),
    };
    if v.is_finite() {
        Ok(v)
    } else {
        Err("the projected figure is not finite".into())
    }
}

/// Key of the scale of a signed series: company, signal, kind, scope, quarters.
type ScaleKey = (String, Signal, Kind, Scope, usize);

/// Key of a series: observations of it are not independent evidence.
type SeriesKey = (String, Signal, Kind, Scope, usize, Comparison);

fn series_key(o: &Observation, c: Comparison) -> SeriesKey {
    (
        o.company.to_lowercase(),
        o.signal,
        o.kind,
        o.scope,
        span(o),
        c,
    )
}

/// How an observation is compared, or why not.
fn comparison(o: &Observation, settings: &Settings) -> Result<(Comparison, f64), String> {
    if o.signal.model().is_none() {
        return Err(format!(
            "the model has no {} series: context only",
            o.signal
        ));
    }
    let nature = o.signal.nature();
    if nature == Nature::Ratio {
        return Ok((Comparison::Ratio, 1.0));
    }
    let share = match o.scope {
        Scope::Ai => Some(1.0),
        Scope::Company => settings.ai_share.get(&o.signal).copied(),
    };
    match (share, nature) {
        (Some(a), Nature::SignedFlow) => Ok((Comparison::Signed, a)),
        (Some(a), _) => Ok((Comparison::Level, a)),
        (None, Nature::SignedFlow) => Err(format!(
            "a whole-company {} can be compared only with a stated AI share (--ai-share {}=...)",
            o.signal, o.signal
        )),
        (None, _) => Ok((Comparison::Growth, 1.0)),
    }
}

/// Score `observations` (id, observation) against `scenarios`.
pub fn score(
    observations: &[(i64, &Observation)],
    scenarios: &[ScenarioInput<'_>],
    settings: &Settings,
) -> Scorecard {
    // Deterministic order: stage, signal, company, kind, scope, end, start, id.
    let mut obs: Vec<(i64, &Observation)> = observations.to_vec();
    obs.sort_by(|(ia, a), (ib, b)| {
        (
            a.signal.stage(),
            a.signal,
            &a.company,
            a.kind,
            a.scope,
            a.end,
            a.start,
            *ia,
        )
            .cmp(&(
                b.signal.stage(),
                b.signal,
                &b.company,
                b.kind,
                b.scope,
                b.end,
                b.start,
                *ib,
            ))
    });

    // Mean absolute value per series (for signed flows), scenario-independent.
    let mut abs_sum: BTreeMap<ScaleKey, (f64, usize)> = BTreeMap::new();
    for (_, o) in &obs {
        let e = abs_sum
            .entry((o.company.to_lowercase(), o.signal, o.kind, o.scope, span(o)))
            .or_insert((0.0, 0));
        e.0 += o.value.abs();
        e.1 += 1;
    }

    let mut scored: Vec<Scored> = Vec::with_capacity(obs.len());
    for &(id, o) in &obs {
        let mut s = Scored {
            id,
            signal: o.signal,
            stage: o.signal.stage(),
            kind: o.kind,
            scope: o.scope,
            period: o.period_text(),
            quarter: o.quarter(),
            value: o.value,
            compared: None,
            comparison: None,
            not_compared: None,
            source: o.source.clone(),
            derived: o.derived(),
            distances: Vec::new(),
            in_likelihood: false,
            weight: 0.0,
            influence: 0.0,
            favours: None,
        };
        match comparison(o, settings) {
            Err(reason) => s.not_compared = Some(reason),
            Ok((c, share)) => {
                s.comparison = Some(c);
                compare(&mut s, o, c, share, &obs, &abs_sum, scenarios, settings);
            }
        }
        scored.push(s);
    }

    // Series counts and weights.
    let mut counts: BTreeMap<SeriesKey, usize> = BTreeMap::new();
    for (s, (_, o)) in scored.iter().zip(&obs) {
        if let (true, Some(c)) = (s.in_likelihood, s.comparison) {
            *counts.entry(series_key(o, c)).or_default() += 1;
        }
    }
    let keys: Vec<Option<SeriesKey>> = scored
        .iter()
        .zip(&obs)
        .map(|(s, (_, o))| {
            s.comparison
                .filter(|_| s.in_likelihood)
                .map(|c| series_key(o, c))
        })
        .collect();
    for (s, k) in scored.iter_mut().zip(&keys) {
        if let Some(k) = k {
            s.weight = 1.0 / counts.get(k).copied().unwrap_or(1).max(1) as f64;
        }
    }

    let priors = normalise_priors(scenarios);
    let (post, loglik) = posterior(&scored, &keys, &counts, &priors, None);

    // Influence: leave one out.
    for i in 0..scored.len() {
        if !scored[i].in_likelihood {
            continue;
        }
        let (without, _) = posterior(&scored, &keys, &counts, &priors, Some(i));
        let tv: f64 = post
            .iter()
            .zip(&without)
            .map(|(a, b)| (a - b).abs())
            .sum::<f64>()
            / 2.0;
        scored[i].influence = if tv.is_finite() { tv } else { 0.0 };
        let best = scored[i]
            .distances
            .iter()
            .enumerate()
            .filter_map(|(k, d)| d.loglik.map(|l| (k, l)))
            .fold(None::<(usize, f64)>, |acc, (k, l)| match acc {
                Some((_, bl)) if bl >= l => acc,
                _ => Some((k, l)),
            });
        scored[i].favours = best.map(|(k, _)| k);
    }
    let mut movers: Vec<(f64, i64)> = scored
        .iter()
        .filter(|s| s.influence > 1e-12)
        .map(|s| (s.influence, s.id))
        .collect();
    movers.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let movers: Vec<i64> = movers.into_iter().take(10).map(|(_, id)| id).collect();

    let stages = stage_cards(&scored, &keys, scenarios.len(), settings);
    let cards: Vec<ScenarioCard> = scenarios
        .iter()
        .enumerate()
        .map(|(k, sc)| ScenarioCard {
            label: sc.label.to_string(),
            prior: priors[k],
            posterior: post[k],
            loglik: loglik[k],
            payback_quarter: sc.projection.summary.payback_quarter,
        })
        .collect();
    let reprojection = reproject(&cards, settings.payback_by);
    Scorecard {
        scenarios: cards,
        stages,
        observations: scored,
        movers,
        reprojection,
        settings: settings.clone(),
    }
}

#[allow(clippy::too_many_arguments)]
fn compare(
    s: &mut Scored,
    o: &Observation,
    c: Comparison,
    share: f64,
    all: &[(i64, &Observation)],
    abs_sum: &BTreeMap<ScaleKey, (f64, usize)>,
    scenarios: &[ScenarioInput<'_>],
    settings: &Settings,
) {
    let Some(series) = o.signal.model() else {
        return;
    };
    let nature = o.signal.nature();
    let spread = settings.errors.spread(o.kind);
    let n = span(o);
    let q = o.quarter();
    // The growth base: the same series a year earlier (365 ± 10 days).
    let base = if c == Comparison::Growth {
        let found = all.iter().find(|(_, b)| {
            b.company.eq_ignore_ascii_case(&o.company)
                && b.signal == o.signal
                && b.kind == o.kind
                && b.scope == o.scope
                && span(b) == n
                && b.class() == o.class()
                && (355..=375).contains(&(o.end - b.end).num_days())
        });
        match found {
            Some((_, b)) if b.value > 0.0 && o.value > 0.0 => Some(*b),
            Some(_) => {
                s.not_compared = Some("growth needs positive values a year apart".into());
                return;
            }
            None => {
                s.not_compared = Some(format!(
                    "whole-company figure with no AI share and no observation a year earlier: \
                     state --ai-share {}=... or add the year-earlier value",
                    o.signal
                ));
                return;
            }
        }
    } else {
        None
    };
    let observed = match (c, base) {
        (Comparison::Growth, Some(b)) => o.value / b.value,
        (Comparison::Ratio, _) => o.value,
        _ => share * o.value,
    };
    if !observed.is_finite() {
        s.not_compared = Some("the compared value is not finite".into());
        return;
    }
    s.compared = Some(observed);
    let series_scale = abs_sum
        .get(&(o.company.to_lowercase(), o.signal, o.kind, o.scope, n))
        .map_or(0.0, |(sum, k)| share * sum / (*k).max(1) as f64);
    for sc in scenarios {
        let p = sc.projection;
        let result: Result<(f64, f64), String> = (|| {
            let m = projected(p, series, nature, q, n)?;
            match c {
                Comparison::Level => {
                    if m <= 0.0 {
                        return Err(format!("the projected {} is not positive ({m})", o.signal));
                    }
                    if observed <= 0.0 {
                        return Err("the observed value is not positive".into());
                    }
                    Ok((m, libm::log(observed / m) / spread.log))
                }
                Comparison::Ratio => Ok((m, (observed - m) / spread.ratio)),
                Comparison::Signed => {
                    if series_scale <= 0.0 {
                        return Err("the series is zero throughout".into());
                    }
                    Ok((m, (observed - m) / (spread.log * series_scale)))
                }
                Comparison::Growth => {
                    let Some(b) = base else {
                        return Err("no growth base".into());
                    };
                    let m0 = projected(p, series, nature, b.quarter(), n)?;
                    if m <= 0.0 || m0 <= 0.0 {
                        return Err(format!(
                            "the projected {} is not positive a year apart",
                            o.signal
                        ));
                    }
                    let g = m / m0;
                    Ok((
                        g,
                        (libm::log(observed) - libm::log(g))
                            / (core::f64::consts::SQRT_2 * spread.log),
                    ))
                }
            }
        })();
        s.distances.push(match result {
            Ok((m, z)) => {
                let z = clamp_z(z);
                Distance {
                    projected: Some(m),
                    z: Some(z),
                    loglik: Some(-z * z / 2.0),
                    reason: None,
                }
            }
            Err(reason) => Distance {
                projected: None,
                z: None,
                loglik: None,
                reason: Some(reason),
            },
        });
    }
    s.in_likelihood = !scenarios.is_empty() && s.distances.iter().all(|d| d.loglik.is_some());
}

fn normalise_priors(scenarios: &[ScenarioInput<'_>]) -> Vec<f64> {
    let clean: Vec<f64> = scenarios
        .iter()
        .map(|s| {
            if s.prior.is_finite() && s.prior > 0.0 {
                s.prior
            } else {
                0.0
            }
        })
        .collect();
    let total: f64 = clean.iter().sum();
    if total > 0.0 {
        clean.iter().map(|p| p / total).collect()
    } else {
        let n = scenarios.len().max(1) as f64;
        vec![1.0 / n; scenarios.len()]
    }
}

/// Posterior weights and weighted log-likelihoods, leaving out observation `skip`.
fn posterior(
    scored: &[Scored],
    keys: &[Option<SeriesKey>],
    counts: &BTreeMap<SeriesKey, usize>,
    priors: &[f64],
    skip: Option<usize>,
) -> (Vec<f64>, Vec<f64>) {
    let k = priors.len();
    let mut ll = vec![0.0; k];
    for (i, (s, key)) in scored.iter().zip(keys).enumerate() {
        let Some(key) = key else { continue };
        if Some(i) == skip || !s.in_likelihood {
            continue;
        }
        let mut n = counts.get(key).copied().unwrap_or(1);
        if let Some(j) = skip
            && keys[j].as_ref() == Some(key)
        {
            n -= 1;
        }
        let w = 1.0 / n.max(1) as f64;
        for (acc, d) in ll.iter_mut().zip(&s.distances) {
            *acc += w * d.loglik.unwrap_or(0.0);
        }
    }
    let logs: Vec<f64> = priors
        .iter()
        .zip(&ll)
        .map(|(p, l)| {
            if *p > 0.0 {
                libm::log(*p) + l
            } else {
                f64::NEG_INFINITY
            }
        })
        .collect();
    let max = logs
        .iter()
        .copied()
        .filter(|v| v.is_finite())
        .fold(f64::NEG_INFINITY, f64::max);
    if !max.is_finite() {
        return (priors.to_vec(), ll);
    }
    let exps: Vec<f64> = logs
        .iter()
        .map(|v| {
            if v.is_finite() {
                libm::exp(v - max)
            } else {
                0.0
            }
        })
        .collect();
    let total: f64 = exps.iter().sum();
    (exps.iter().map(|e| e / total).collect(), ll)
}

fn stage_cards(
    scored: &[Scored],
    keys: &[Option<SeriesKey>],
    n_scenarios: usize,
    settings: &Settings,
) -> Vec<StageCard> {
    Stage::ALL
        .iter()
        .map(|&stage| {
            let members: Vec<usize> = (0..scored.len())
                .filter(|&i| scored[i].stage == stage)
                .collect();
            // Latest in-likelihood observation per series (scored is sorted by end within a
            // series, so the last one wins).
            let mut latest: BTreeMap<&SeriesKey, usize> = BTreeMap::new();
            for &i in &members {
                if let (true, Some(k)) = (scored[i].in_likelihood, &keys[i]) {
                    latest.insert(k, i);
                }
            }
            let latest_ids: Vec<usize> = latest.values().copied().collect();
            let status = (0..n_scenarios)
                .map(|k| {
                    if latest_ids.is_empty() {
                        return Status::NoDataYet;
                    }
                    let zs: Vec<f64> = latest_ids
                        .iter()
                        .filter_map(|&i| scored[i].distances[k].z)
                        .map(f64::abs)
                        .collect();
                    let consistent = zs.iter().filter(|z| **z <= settings.consistent_z).count();
                    let contra = zs.iter().filter(|z| **z > settings.contradicts_z).count();
                    if consistent == zs.len() {
                        Status::Evidenced
                    } else if 2 * contra > zs.len() {
                        Status::Contradicted
                    } else {
                        Status::Mixed
                    }
                })
                .collect();
            StageCard {
                stage,
                title: stage.title(),
                window: stage.window(),
                status,
                observations: members.iter().map(|&i| scored[i].id).collect(),
                latest: latest_ids.iter().map(|&i| scored[i].id).collect(),
            }
        })
        .collect()
}

/// The re-projection with each scenario's deterministic payback quarter; the CLI replaces it
/// with [`crate::reproject::mixture`] of Monte Carlo distributions where a scenario has
/// uncertainty.
fn reproject(cards: &[ScenarioCard], by: Quarter) -> Reprojection {
    crate::reproject::mixture(cards, &[], by)
}
