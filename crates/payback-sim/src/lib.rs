//! Monte Carlo for the payback model: distributions on parameter paths, seeded block
//! sampling (plain or Latin hypercube), Iman–Conover rank correlation, counterparty default
//! and renewal events, and summaries that merge exactly across blocks.
//!
//! Reproducibility (`docs/simulation.md`, `docs/decisions/0004-monte-carlo.md`): paths are cut
//! into fixed blocks of [`BLOCK_SIZE`]; block `b` draws from its own stream,
//! `Xoshiro256PlusPlus::seed_from_u64(seed)` jumped `b` times by 2^128 steps; blocks run in
//! parallel with rayon and are folded into the [`Summary`] in block order, so the result is
//! bit-identical whatever the thread count. LHS and Iman–Conover act within a block.
//!
//! Main items: [`Plan`] (what varies), [`Config`], [`simulate`], [`Summary`] and
//! [`SimResult::report`] ([`SimReport`], what front ends render), [`SimSink`] (progress).
//! Parameter paths and distributions themselves are in [`payback_model::params`].

use std::ops::ControlFlow;

use payback_model::engine::{Outcome, Workspace, project_outcome};
use payback_model::finance::Payback;
use payback_model::projection::Dated;
use payback_model::{Projection, Quarter, Scenario};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

pub mod bridge;
pub mod exact;
pub mod sample;
pub mod sensitivity;
pub mod sobol;
pub mod solve;
pub mod split;
pub mod stats;

pub use sample::{Draws, EventOutcome, Plan, PlanError, Sampling, block_rng};
pub use stats::{Acc, AccPart, Percentiles, percentile_type7};

/// Paths per block: the unit of seeding, LHS strata, Iman–Conover and parallel work.
pub const BLOCK_SIZE: usize = 1024;

/// Up to this many paths every value is kept and percentiles are exact (type 7); beyond it
/// they come from histogram sketches (see [`stats`]) and are labelled approximate.
pub const EXACT_LIMIT: u64 = 100_000;

/// The random number generator, as recorded in every output.
pub const RNG_NAME: &str = "xoshiro256++";

/// The percentiles reported (P5 … P95).
pub const PERCENTILES: [f64; 7] = [0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95];

/// The percentiles of fan charts (P5, P25, P50, P75, P95).
pub const FAN_PERCENTILES: [f64; 5] = [0.05, 0.25, 0.50, 0.75, 0.95];

/// Quarterly series in the fan chart, in order.
pub const FAN_SERIES: [&str; 4] = ["fcf_cumulative", "revenue", "utilization", "rpo"];

/// Scalar outputs with percentiles, in order.
pub const SCALARS: [&str; 6] = [
    "npv",
    "irr",
    "moic",
    "peak_funding",
    "peak_funding_quarter",
    "economic_recovery",
];

/// How to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Config {
    /// Number of paths.
    pub paths: u64,
    /// Seed of the streams.
    pub seed: u64,
    /// Plain Monte Carlo or Latin hypercube.
    pub sampling: Sampling,
    /// Worker threads (`None`: rayon's default, the number of CPUs). Never changes results.
    pub threads: Option<usize>,
}

/// Progress of a run, reported after each block is folded (style rule 3: the engine reports,
/// the front end draws).
pub trait SimSink {
    /// `done` of `total` paths are folded. Return `Break` to stop after this block.
    fn block_done(&mut self, done: u64, total: u64) -> ControlFlow<()>;

    /// Whether the sink wants every path ([`SimSink::block_paths`]); asked once per run.
    fn wants_paths(&self) -> bool {
        false
    }

    /// Every path of the next block, in block order, before its [`SimSink::block_done`]
    /// (only when [`SimSink::wants_paths`]). Return `Break` to stop the run.
    fn block_paths(&mut self, _paths: &BlockPaths) -> ControlFlow<()> {
        ControlFlow::Continue(())
    }
}

/// Every path of one block: what was drawn and what came of it, for a sink that keeps or
/// writes them ([`SimSink::wants_paths`]). Each list is path-major with the same number of
/// entries per path. Path `i` of a scenario's block reproduces exactly with [`Plan::apply`] of
/// its block's draws, or on its own with [`replay`].
#[derive(Debug, Clone, PartialEq)]
pub struct BlockPaths {
    /// The run's index of the block's first path (`block x BLOCK_SIZE`).
    pub first: u64,
    /// Paths in the block.
    pub paths: usize,
    /// Inputs as drawn (a multiplier for an input that scales): a scenario's [`Plan::inputs`]
    /// (path `i`'s input `j` at `i x k + j`), or a portfolio's companies' inputs in turn.
    pub inputs: Vec<f64>,
    /// What the events came to ([`Plan::event_names`]; empty without events).
    pub events: Vec<EventOutcome>,
    /// Outcomes: one per path for a scenario, one per member (companies, then the industry)
    /// for a portfolio.
    pub outcomes: Vec<PathOutcome>,
}

/// A sink that ignores progress.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;

impl SimSink for NoProgress {
    fn block_done(&mut self, _done: u64, _total: u64) -> ControlFlow<()> {
        ControlFlow::Continue(())
    }
}

/// Why a run failed.
#[derive(Debug)]
pub enum SimError {
    /// No paths asked for.
    NoPaths,
    /// The thread pool could not be built.
    Threads(String),
}

impl std::fmt::Display for SimError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SimError::NoPaths => f.write_str("--paths must be at least 1"),
            SimError::Threads(m) => write!(f, "could not start the worker threads: {m}"),
        }
    }
}

impl std::error::Error for SimError {}

/// What one path produced (the figures summarised).
#[derive(Debug, Clone, PartialEq)]
pub struct PathOutcome {
    /// Headline payback: quarter index from the start, `None` when not within the horizon.
    /// A cumulative FCF that never goes negative counts as paid back in quarter 0.
    pub payback: Option<usize>,
    /// NPV of FCF.
    pub npv: f64,
    /// Annual IRR, `None` when there is none.
    pub irr: Option<f64>,
    /// MOIC, `None` without capex.
    pub moic: Option<f64>,
    /// Peak funding need (positive).
    pub peak_funding: f64,
    /// Its quarter index from the start.
    pub peak_funding_quarter: usize,
    /// Economic recovery with equity.
    pub economic_recovery: f64,
}

impl PathOutcome {
    /// The outcome of one projection.
    pub fn of(p: &Projection) -> PathOutcome {
        let s = &p.summary;
        let start = p.quarters.first().copied();
        PathOutcome::new(
            &s.payback,
            s.npv,
            s.irr.primary,
            s.moic,
            s.peak_funding,
            s.economic_recovery,
            start,
        )
    }

    /// The outcome of a lean projection ([`payback_model::engine::project_outcome`]) of a
    /// scenario starting in `start`: the same values as [`PathOutcome::of`] the full one.
    pub fn of_outcome(o: &Outcome, start: Quarter) -> PathOutcome {
        PathOutcome::new(
            &o.payback,
            o.npv,
            o.irr,
            o.moic,
            o.peak_funding,
            o.economic_recovery,
            Some(start),
        )
    }

    fn new(
        payback: &Payback,
        npv: f64,
        irr: Option<f64>,
        moic: Option<f64>,
        peak: Dated,
        economic_recovery: f64,
        start: Option<Quarter>,
    ) -> PathOutcome {
        let payback = match payback {
            Payback::Reached { period, .. } => Some(*period),
            Payback::NeverNegative => Some(0),
            Payback::NotWithinHorizon { .. } => None,
        };
        let peak_q = start.map_or(0, |q0| q0.quarters_until(peak.quarter).max(0) as usize);
        PathOutcome {
            payback,
            npv,
            irr,
            moic,
            peak_funding: peak.value,
            peak_funding_quarter: peak_q,
            economic_recovery,
        }
    }

    /// The figure of [`SCALARS`]`[k]` (`None` for a missing IRR or MOIC); any `k` past the
    /// last is the last, economic recovery.
    pub fn scalar(&self, k: usize) -> Option<f64> {
        match k {
            0 => Some(self.npv),
            1 => self.irr,
            2 => self.moic,
            3 => Some(self.peak_funding),
            4 => Some(self.peak_funding_quarter as f64),
            _ => Some(self.economic_recovery),
        }
    }
}

/// The outcomes of one block, in path order.
#[derive(Debug, Clone)]
struct BlockOut {
    outcomes: Vec<PathOutcome>,
    /// Every path's inputs, events and outcomes, when the sink wants them.
    paths: Option<BlockPaths>,
    /// Fan-chart values, series-major: `fan[(f x quarters + t) x paths + i]` for series `f`,
    /// quarter `t`, path `i`, so the fold reads each accumulator's values in one run.
    fan: Vec<f64>,
}

impl BlockOut {
    /// Series `f`'s values in quarter `t`, one per path.
    fn fan_values(&self, f: usize, t: usize, nq: usize) -> &[f64] {
        let n = self.outcomes.len();
        &self.fan[(f * nq + t) * n..(f * nq + t + 1) * n]
    }
}

fn run_block(plan: &Plan, cfg: &Config, block: u64, n: usize, nq: usize, paths: bool) -> BlockOut {
    let draws = plan.draw_block(cfg.seed, block, n, cfg.sampling);
    let mut s = plan.base.clone();
    let mut ws = Workspace::default();
    let mut outcomes = Vec::with_capacity(n);
    let mut fan = vec![0.0; n * FAN_SERIES.len() * nq];
    let mut events = Vec::new();
    for i in 0..n {
        plan.reset(&mut s);
        plan.apply_logged(&mut s, &draws, i, paths.then_some(&mut events));
        let o = project_outcome(&s, &mut ws);
        outcomes.push(PathOutcome::of_outcome(&o, s.scenario.start));
        let q = ws.series();
        for (f, series) in [q.fcf_cumulative, q.revenue, q.utilization, q.rpo]
            .into_iter()
            .enumerate()
        {
            for t in 0..nq {
                fan[(f * nq + t) * n + i] = series.get(t).copied().unwrap_or(0.0);
            }
        }
    }
    let paths = paths.then(|| BlockPaths {
        first: block * BLOCK_SIZE as u64,
        paths: n,
        inputs: draws.values,
        events,
        outcomes: outcomes.clone(),
    });
    BlockOut {
        outcomes,
        paths,
        fan,
    }
}

/// One block's paths reduced for the fold ([`Summary::part`]).
#[derive(Debug, Clone)]
pub struct SummaryPart {
    paths: u64,
    payback_counts: Vec<u64>,
    payback_never: u64,
    irr_none: u64,
    moic_none: u64,
    scalars: Vec<AccPart>,
    /// Series-major, as [`Summary::fan`] flattened.
    fan: Vec<AccPart>,
}

/// Everything a run accumulates; merges exactly (integer counts, value lists or sketches
/// with a shared range, exact sums).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Summary {
    /// Projected quarters.
    pub quarters: Vec<Quarter>,
    /// Paths folded.
    pub paths: u64,
    /// Paths paid back, by quarter index.
    pub payback_counts: Vec<u64>,
    /// Paths not paid back within the horizon.
    pub payback_never: u64,
    /// One accumulator per entry of [`SCALARS`].
    pub scalars: Vec<Acc>,
    /// Paths without an IRR.
    pub irr_none: u64,
    /// Paths without a MOIC.
    pub moic_none: u64,
    /// Per series of [`FAN_SERIES`], per quarter.
    pub fan: Vec<Vec<Acc>>,
}

impl Summary {
    fn new(quarters: Vec<Quarter>, exact: bool, first: Option<&BlockOut>) -> Summary {
        let mut s = Summary::for_outcomes(quarters, exact, first.map(|b| b.outcomes.as_slice()));
        if let (false, Some(b)) = (exact, first) {
            let nq = s.quarters.len();
            for (f, accs) in s.fan.iter_mut().enumerate() {
                for (t, acc) in accs.iter_mut().enumerate() {
                    *acc = Acc::sketch(b.fan_values(f, t, nq));
                }
            }
        }
        s
    }

    /// An empty summary. Beyond the exact limit (`exact` false) each scalar's sketch takes its
    /// range from `first`, the outcomes of block 0; without them, or in exact mode, every
    /// accumulator keeps its values. The fan-chart accumulators start empty and exact (a
    /// driver that keeps no fan chart, like a portfolio's, leaves them so).
    pub fn for_outcomes(
        quarters: Vec<Quarter>,
        exact: bool,
        first: Option<&[PathOutcome]>,
    ) -> Summary {
        let nq = quarters.len();
        let scalars = (0..SCALARS.len())
            .map(|k| match (exact, first) {
                (false, Some(outs)) => Acc::sketch(
                    &outs
                        .iter()
                        .filter_map(|o| o.scalar(k))
                        .collect::<Vec<f64>>(),
                ),
                _ => Acc::exact(),
            })
            .collect();
        Summary {
            quarters,
            paths: 0,
            payback_counts: vec![0; nq],
            payback_never: 0,
            scalars,
            irr_none: 0,
            moic_none: 0,
            fan: (0..FAN_SERIES.len())
                .map(|_| (0..nq).map(|_| Acc::exact()).collect())
                .collect(),
        }
    }

    /// The contribution of `outcomes`, the paths of one block in path order, reduced against
    /// this summary's modes and sketch ranges (by the worker that ran the block, usually
    /// against the run's [`Summary::layout`]): the path count, payback quarters, missing IRRs
    /// and MOICs and the [`SCALARS`]; no fan chart (a portfolio keeps none). Folding the parts
    /// in block order with [`Summary::absorb`] gives the same summary, bit for bit, as adding
    /// the paths one by one.
    pub fn part(&self, outcomes: &[PathOutcome]) -> SummaryPart {
        let nq = self.quarters.len();
        let mut payback_counts = vec![0; nq];
        let mut payback_never = 0;
        for o in outcomes {
            match o.payback {
                Some(t) if t < nq => payback_counts[t] += 1,
                _ => payback_never += 1,
            }
        }
        let missing = |k: usize| outcomes.iter().filter(|o| o.scalar(k).is_none()).count() as u64;
        SummaryPart {
            paths: outcomes.len() as u64,
            payback_counts,
            payback_never,
            irr_none: missing(1),
            moic_none: missing(2),
            scalars: (0..SCALARS.len())
                .map(|k| self.scalars[k].part(outcomes.iter().filter_map(|o| o.scalar(k))))
                .collect(),
            fan: Vec::new(),
        }
    }

    /// [`Summary::part`] of a scenario block, with its fan-chart values.
    fn part_with_fan(&self, b: &BlockOut) -> SummaryPart {
        let nq = self.quarters.len();
        SummaryPart {
            fan: (0..FAN_SERIES.len())
                .flat_map(|f| (0..nq).map(move |t| (f, t)))
                .map(|(f, t)| self.fan[f][t].part(b.fan_values(f, t, nq).iter().copied()))
                .collect(),
            ..self.part(&b.outcomes)
        }
    }

    /// An empty summary with this one's modes and sketch ranges and no storage
    /// ([`Acc::layout`]): what workers reduce their blocks against.
    pub fn layout(&self) -> Summary {
        Summary {
            quarters: self.quarters.clone(),
            paths: 0,
            payback_counts: Vec::new(),
            payback_never: 0,
            scalars: self.scalars.iter().map(Acc::layout).collect(),
            irr_none: 0,
            moic_none: 0,
            fan: self
                .fan
                .iter()
                .map(|accs| accs.iter().map(Acc::layout).collect())
                .collect(),
        }
    }

    /// Fold a block's [`Summary::part`] (blocks in order).
    pub fn absorb(&mut self, p: &SummaryPart) {
        self.paths += p.paths;
        for (a, b) in self.payback_counts.iter_mut().zip(&p.payback_counts) {
            *a += b;
        }
        self.payback_never += p.payback_never;
        self.irr_none += p.irr_none;
        self.moic_none += p.moic_none;
        for (a, b) in self.scalars.iter_mut().zip(&p.scalars) {
            a.absorb(b);
        }
        for (a, b) in self.fan.iter_mut().flatten().zip(&p.fan) {
            a.absorb(b);
        }
    }

    /// Merge the summary of later paths into this one (a run split across machines: same
    /// plan, same seed, disjoint block ranges, merged in block order).
    pub fn merge(&mut self, o: &Summary) {
        self.paths += o.paths;
        for (a, b) in self.payback_counts.iter_mut().zip(&o.payback_counts) {
            *a += b;
        }
        self.payback_never += o.payback_never;
        self.irr_none += o.irr_none;
        self.moic_none += o.moic_none;
        for (a, b) in self.scalars.iter_mut().zip(&o.scalars) {
            a.merge(b);
        }
        for (fa, fb) in self.fan.iter_mut().zip(&o.fan) {
            for (a, b) in fa.iter_mut().zip(fb) {
                a.merge(b);
            }
        }
    }
}

/// The result of [`simulate`]: the run's settings and its summary.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SimResult {
    /// Settings, as run.
    pub config: Config,
    /// Whether percentiles are exact (paths <= [`EXACT_LIMIT`]).
    pub exact: bool,
    /// Whether the sink stopped the run early.
    pub stopped: bool,
    /// The uncertain inputs: (path, distribution, scale?).
    pub inputs: Vec<(String, String, bool)>,
    /// Whether default and renewal events were drawn.
    pub events: bool,
    /// The accumulated summary.
    pub summary: Summary,
}

/// Run `cfg.paths` paths of `plan`. Results depend only on the plan, the seed, the path
/// count and the sampling — never on `threads`.
pub fn simulate(plan: &Plan, cfg: &Config, sink: &mut dyn SimSink) -> Result<SimResult, SimError> {
    simulate_blocks(plan, cfg, 0..u64::MAX, sink)
}

/// Run only the blocks `blocks` (clamped to the run's `ceil(paths / BLOCK_SIZE)` blocks) of
/// the run `cfg` describes: one machine's share of a run split across machines. Merging the
/// parts with [`SimResult::merge`], in block order, gives exactly the whole run's report.
/// Beyond [`EXACT_LIMIT`] paths a part that does not start at block 0 also projects block 0
/// (without counting it), because block 0's values set the sketches' range.
pub fn simulate_blocks(
    plan: &Plan,
    cfg: &Config,
    blocks: std::ops::Range<u64>,
    sink: &mut dyn SimSink,
) -> Result<SimResult, SimError> {
    if cfg.paths == 0 {
        return Err(SimError::NoPaths);
    }
    let pool = thread_pool(cfg.threads)?;
    let threads = pool.current_num_threads().max(1);
    let quarters = {
        let s = &plan.base.scenario;
        let n = s.start.quarters_until(s.end).max(0) + 1;
        (0..n).map(|k| s.start.offset(k)).collect::<Vec<_>>()
    };
    let nq = quarters.len();
    let bs = BLOCK_SIZE as u64;
    let n_blocks = cfg.paths.div_ceil(bs);
    let block_len = |b: u64| -> usize { (cfg.paths - b * bs).min(bs) as usize };
    let exact = cfg.paths <= EXACT_LIMIT;
    let last = blocks.end.min(n_blocks);
    let first = blocks.start.min(last);
    let part_paths = (first..last).map(|b| block_len(b) as u64).sum::<u64>();
    // Beyond the exact limit block 0's values set the sketches' range, so it runs first (and
    // counts when this part starts with it).
    let keep_paths = sink.wants_paths();
    let run = |b: u64| run_block(plan, cfg, b, block_len(b), nq, keep_paths);
    let (mut summary, block0) = if exact {
        (Summary::new(quarters, true, None), None)
    } else {
        let block0 = pool.install(|| run(0));
        (Summary::new(quarters, false, Some(&block0)), Some(block0))
    };
    let template = summary.layout();
    let mut fold = |(part, paths): (SummaryPart, Option<BlockPaths>)| {
        summary.absorb(&part);
        if let Some(p) = paths {
            sink.block_paths(&p)?;
        }
        sink.block_done(summary.paths, part_paths)
    };
    let mut start = first;
    let mut stopped = false;
    if let Some(block0) = block0.filter(|_| first == 0 && last > 0) {
        stopped = fold((template.part_with_fan(&block0), block0.paths)).is_break();
        start = 1;
    }
    // The other blocks run in chunks of `4 x threads`; each worker reduces its own block
    // against the summary's modes and ranges, and the parts are folded in block order.
    if !stopped {
        stopped = run_chunks(
            &pool,
            start..last,
            (threads * 4) as u64,
            |b| {
                let o = run(b);
                (template.part_with_fan(&o), o.paths)
            },
            &mut fold,
        );
    }
    Ok(SimResult {
        config: *cfg,
        exact,
        stopped,
        inputs: plan
            .inputs
            .iter()
            .map(|i| (i.path.clone(), i.dist.describe(), i.scale))
            .collect(),
        events: plan.events,
        summary,
    })
}

/// The pool a run works in: `threads` workers (`None`: one per CPU, rayon's default).
pub fn thread_pool(threads: Option<usize>) -> Result<rayon::ThreadPool, SimError> {
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(t) = threads {
        builder = builder.num_threads(t.max(1));
    }
    builder
        .build()
        .map_err(|e| SimError::Threads(e.to_string()))
}

/// Run `run` on each block of `blocks`, `chunk` blocks at a time on `pool`, and hand the
/// results to `fold` one by one in block order, so the fold sees the same blocks in the same
/// order whatever the thread count. At most one chunk of results is held at a time. Stops, and
/// returns `true`, when `fold` breaks.
pub fn run_chunks<T: Send>(
    pool: &rayon::ThreadPool,
    blocks: std::ops::Range<u64>,
    chunk: u64,
    run: impl Fn(u64) -> T + Sync,
    mut fold: impl FnMut(T) -> ControlFlow<()>,
) -> bool {
    let mut next = blocks.start;
    while next < blocks.end {
        let end = next.saturating_add(chunk.max(1)).min(blocks.end);
        let outs: Vec<T> = pool.install(|| (next..end).into_par_iter().map(&run).collect());
        if outs.into_iter().try_for_each(&mut fold).is_break() {
            return true;
        }
        next = end;
    }
    false
}

impl SimResult {
    /// Merge the part of the same run (same plan and `config`) that comes after this one,
    /// as [`simulate_blocks`] returns it: counts add, value lists and sketches merge, block
    /// sums append.
    pub fn merge(&mut self, later: &SimResult) {
        self.summary.merge(&later.summary);
        self.stopped |= later.stopped;
    }
}

/// The probability of payback by the end of one year.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ByYear {
    /// Calendar year.
    pub year: i32,
    /// P(payback by the end of the year).
    pub probability: f64,
    /// Monte Carlo standard error, `sqrt(p (1 - p) / n)`.
    pub std_error: f64,
}

/// Paths paid back in one quarter.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuarterCount {
    /// The quarter.
    pub quarter: Quarter,
    /// Paths whose headline payback falls in it.
    pub paths: u64,
}

/// Percentiles of one output.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OutputRow {
    /// Output name (see [`SCALARS`]).
    pub name: &'static str,
    /// Unit.
    pub unit: &'static str,
    /// Paths without a value (no IRR, no MOIC).
    pub missing: u64,
    /// The percentiles ([`PERCENTILES`]).
    pub stats: Percentiles,
}

/// Fan-chart percentiles of one series in one quarter.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FanPoint {
    /// Series (see [`FAN_SERIES`]).
    pub series: &'static str,
    /// Quarter.
    pub quarter: Quarter,
    /// Percentiles ([`FAN_PERCENTILES`]).
    pub stats: Percentiles,
}

/// Everything a front end prints or exports.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SimReport {
    /// Seed.
    pub seed: u64,
    /// RNG algorithm ([`RNG_NAME`]).
    pub rng: &'static str,
    /// How block streams are derived.
    pub stream: &'static str,
    /// Paths folded.
    pub paths: u64,
    /// Paths asked for.
    pub paths_requested: u64,
    /// Sampling: `mc` or `lhs`.
    pub sampling: &'static str,
    /// [`BLOCK_SIZE`].
    pub block_size: usize,
    /// Percentile method.
    pub percentile_method: &'static str,
    /// Whether percentiles are exact.
    pub exact: bool,
    /// Whether default and renewal events were drawn.
    pub events: bool,
    /// Uncertain inputs: path, distribution, whether it scales.
    pub inputs: Vec<(String, String, bool)>,
    /// First projected quarter (quarter indices count from it).
    pub start: Option<Quarter>,
    /// The headline payback's distribution, by quarter (quarters with no path omitted).
    pub payback_by_quarter: Vec<QuarterCount>,
    /// Paths not paid back within the horizon.
    pub payback_never: u64,
    /// P(not paid back within the horizon).
    pub p_never: f64,
    /// Its standard error.
    pub p_never_std_error: f64,
    /// P(payback by the end of each year).
    pub by_year: Vec<ByYear>,
    /// Payback quarter at P10, P50, P90 (the first quarter by which that share of paths has
    /// paid back; `None` when that share never does within the horizon).
    pub payback_p10_p50_p90: [Option<Quarter>; 3],
    /// Percentiles of the scalar outputs.
    pub outputs: Vec<OutputRow>,
    /// Fan-chart data.
    pub fan: Vec<FanPoint>,
}

impl SimResult {
    /// The report front ends render.
    pub fn report(&self) -> SimReport {
        let s = &self.summary;
        let n = s.paths.max(1) as f64;
        let se = |p: f64| libm::sqrt(p * (1.0 - p) / n);
        let mut payback_by_quarter = Vec::new();
        let mut by_year = Vec::new();
        let mut cum = 0u64;
        for (t, (&q, &c)) in s.quarters.iter().zip(&s.payback_counts).enumerate() {
            cum += c;
            if c > 0 {
                payback_by_quarter.push(QuarterCount {
                    quarter: q,
                    paths: c,
                });
            }
            let last_of_year = q.q() == 4 || t + 1 == s.quarters.len();
            if last_of_year {
                let p = cum as f64 / n;
                by_year.push(ByYear {
                    year: q.year(),
                    probability: p,
                    std_error: se(p),
                });
            }
        }
        let quantile_quarter = |p: f64| -> Option<Quarter> {
            // Smallest quarter whose cumulative count reaches ceil(p n) (inverse of the
            // empirical CDF).
            let need = libm::ceil(p * s.paths as f64).max(1.0) as u64;
            let mut c = 0;
            for (&q, &k) in s.quarters.iter().zip(&s.payback_counts) {
                c += k;
                if c >= need {
                    return Some(q);
                }
            }
            None
        };
        let units = ["USD", "per year", "x", "USD", "quarters from start", "USD"];
        let jobs: Vec<(&Acc, &[f64])> = (s.scalars.iter().map(|a| (a, &PERCENTILES[..])))
            .chain(s.fan.iter().flatten().map(|a| (a, &FAN_PERCENTILES[..])))
            .collect();
        let mut stats = percentiles_all(&jobs, self.config.threads).into_iter();
        let outputs = SCALARS
            .iter()
            .enumerate()
            .zip(stats.by_ref())
            .map(|((k, &name), stats)| OutputRow {
                name,
                unit: units[k],
                missing: match k {
                    1 => s.irr_none,
                    2 => s.moic_none,
                    _ => 0,
                },
                stats,
            })
            .collect();
        let fan = FAN_SERIES
            .iter()
            .flat_map(|&series| s.quarters.iter().map(move |&q| (series, q)))
            .zip(stats)
            .map(|((series, quarter), stats)| FanPoint {
                series,
                quarter,
                stats,
            })
            .collect();
        let p_never = s.payback_never as f64 / n;
        SimReport {
            seed: self.config.seed,
            rng: RNG_NAME,
            stream: "block b: seed_from_u64(seed), then jump() b times (2^128 steps each)",
            paths: s.paths,
            paths_requested: self.config.paths,
            sampling: self.config.sampling.name(),
            block_size: BLOCK_SIZE,
            percentile_method: if self.exact {
                "Hyndman-Fan type 7 (Excel PERCENTILE.INC), exact"
            } else {
                "histogram sketch (4096 bins, range from block 0), approximate: see error_bound"
            },
            exact: self.exact,
            events: self.events,
            inputs: self.inputs.clone(),
            start: s.quarters.first().copied(),
            payback_by_quarter,
            payback_never: s.payback_never,
            p_never,
            p_never_std_error: se(p_never),
            by_year,
            payback_p10_p50_p90: [
                quantile_quarter(0.10),
                quantile_quarter(0.50),
                quantile_quarter(0.90),
            ],
            outputs,
            fan,
        }
    }
}

/// The percentiles of each `(accumulator, probabilities)` job, in order, on `threads` workers
/// (`None`: one per CPU). Exact accumulators select order statistics among up to
/// [`EXACT_LIMIT`] values each, most of a large exact run's report; each job is independent of
/// the others, so the results do not depend on the thread count.
fn percentiles_all(jobs: &[(&Acc, &[f64])], threads: Option<usize>) -> Vec<Percentiles> {
    let one = |&(acc, ps): &(&Acc, &[f64])| acc.percentiles(ps);
    match thread_pool(threads) {
        Ok(pool) => pool.install(|| jobs.par_iter().map(one).collect()),
        // Without worker threads the same values come from this one.
        Err(_) => jobs.iter().map(one).collect(),
    }
}

/// One path of a run, rebuilt on its own: the scenario it projected and what was drawn.
#[derive(Debug, Clone)]
pub struct Replay {
    /// The base scenario with the path's inputs and events applied: projecting it gives the
    /// path's outcome, bit for bit (and every quarterly figure behind it).
    pub scenario: Scenario,
    /// The path's inputs as drawn, one per [`Plan::inputs`].
    pub inputs: Vec<f64>,
    /// What its events came to, one per [`Plan::event_names`].
    pub events: Vec<EventOutcome>,
}

/// Path `path` (from 0) of the run `cfg` describes, without running the others: its block is
/// drawn (LHS strata and Iman–Conover act on the whole block, so the path count matters) and
/// the path applied as the run applies it. `None` when `path` is not below `cfg.paths`.
pub fn replay(plan: &Plan, cfg: &Config, path: u64) -> Option<Replay> {
    if path >= cfg.paths {
        return None;
    }
    let bs = BLOCK_SIZE as u64;
    let block = path / bs;
    let n = (cfg.paths - block * bs).min(bs) as usize;
    let i = (path % bs) as usize;
    let draws = plan.draw_block(cfg.seed, block, n, cfg.sampling);
    let mut scenario = plan.base.clone();
    let mut events = Vec::new();
    plan.apply_logged(&mut scenario, &draws, i, Some(&mut events));
    let k = plan.inputs.len();
    Some(Replay {
        scenario,
        inputs: draws.values[i * k..(i + 1) * k].to_vec(),
        events,
    })
}

/// The outcome of one path of a plan given its input values (one per input), no events: the
/// lean projection of [`project_with`]'s scenario.
pub fn outcome_with(plan: &Plan, values: &[f64]) -> PathOutcome {
    let mut s: Scenario = plan.base.clone();
    plan.apply_values(&mut s, values);
    let o = project_outcome(&s, &mut Workspace::default());
    PathOutcome::of_outcome(&o, s.scenario.start)
}

/// Project one path of a plan directly (for tests and one-at-a-time tools): the base with
/// the given input values (one per input) and no events.
pub fn project_with(plan: &Plan, values: &[f64]) -> Projection {
    let mut s: Scenario = plan.base.clone();
    plan.apply_values(&mut s, values);
    payback_model::project(&s)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fold as it was before workers reduced their blocks: every path's outcome and fan
    /// values pushed one by one, in path order.
    fn add_paths(s: &mut Summary, b: &BlockOut) {
        let nq = s.quarters.len();
        for o in &b.outcomes {
            s.paths += 1;
            match o.payback {
                Some(t) if t < nq => s.payback_counts[t] += 1,
                _ => s.payback_never += 1,
            }
            s.irr_none += u64::from(o.irr.is_none());
            s.moic_none += u64::from(o.moic.is_none());
            for (k, acc) in s.scalars.iter_mut().enumerate() {
                o.scalar(k).into_iter().for_each(|x| acc.push(x));
            }
        }
        for (f, accs) in s.fan.iter_mut().enumerate() {
            for (t, acc) in accs.iter_mut().enumerate() {
                b.fan_values(f, t, nq).iter().for_each(|&x| acc.push(x));
            }
        }
    }

    /// Blocks reduced by their workers ([`Summary::part_with_fan`] against the run's
    /// [`Summary::layout`]) and folded in block order give the summary of the paths added one
    /// by one: in exact mode and with sketches, events drawn.
    /// Three blocks of `n` paths each of the default scenario (plain Monte Carlo, events
    /// drawn, seed `seed`), as workers run them: the run's settings, quarters and blocks.
    pub(crate) fn default_blocks(n: usize, seed: u64) -> (Config, Vec<Quarter>, Vec<BlockOut>) {
        let l = payback_input::load(
            &payback_input::builtin::get("default").unwrap().source(),
            &[],
        )
        .expect("default loads");
        let plan = Plan::new(&l.scenario, &l.uncertainty, true).expect("plan");
        let cfg = Config {
            paths: 3 * n as u64,
            seed,
            sampling: Sampling::MonteCarlo,
            threads: Some(1),
        };
        let s = &plan.base.scenario;
        let quarters: Vec<Quarter> = (0..=s.start.quarters_until(s.end))
            .map(|k| s.start.offset(k))
            .collect();
        let nq = quarters.len();
        let blocks = (0..3)
            .map(|b| run_block(&plan, &cfg, b, n, nq, false))
            .collect();
        (cfg, quarters, blocks)
    }

    #[test]
    fn block_parts_fold_into_the_summary_of_their_paths() {
        let (_, quarters, blocks) = default_blocks(64, 5);
        for exact in [true, false] {
            let start = Summary::new(quarters.clone(), exact, Some(&blocks[0]));
            let mut one_by_one = start.clone();
            let mut folded = start.clone();
            let layout = start.layout();
            for b in &blocks {
                add_paths(&mut one_by_one, b);
                folded.absorb(&layout.part_with_fan(b));
            }
            assert_eq!(folded.paths, 3 * 64);
            assert_eq!(folded.paths, one_by_one.paths);
            assert_eq!(folded.payback_counts, one_by_one.payback_counts);
            assert_eq!(folded.payback_never, one_by_one.payback_never);
            assert!(folded.payback_never > 0 && folded.payback_never < 3 * 64);
            assert_eq!(folded.irr_none, one_by_one.irr_none);
            assert_eq!(folded.moic_none, one_by_one.moic_none);
            assert_eq!(folded.scalars, one_by_one.scalars, "exact {exact}");
            assert_eq!(folded.fan, one_by_one.fan, "exact {exact}");
        }
    }
}
