//! The projection: one pass over the quarters, from the earliest dated input (history) to the
//! horizon, in the order of `model.md`'s flywheel. Each quarter:
//!
//! 1. the reference price and the lagged scarcity markup are set ([`pricing`]; purchases
//!    record the price at spend);
//! 2. capex is spent (shells ordered, accelerators bought), `after_plan` replacements bought;
//! 3. shells arrive, the power queue fills free megawatts, hardware depreciates ([`fleet`]);
//! 4. open-market demand, the pipeline's signings, contract holds and renewals;
//! 5. capacity is allocated: contracts, own products (ranked), internal use, tiers;
//! 6. revenue, power, opex, tax and cash; then retirements (salvage, impairment).
//!
//! Quarters before `scenario.start` build the opening state; their cash is sunk. The summary
//! (paybacks, NPV, IRR, terminal value, vintages) is computed in the `summary` module. Every formula is
//! written out in `docs/model/`.

pub mod contracts;
pub mod financing;
pub mod fleet;
pub mod pricing;
mod summary;

use crate::HOURS;
use crate::projection::{OptionalSeries, Quarterly};
use crate::scenario::{AgentPricing, ContractPrice, Internal, Scenario, TrancheKind};
use crate::{Projection, Quarter};
use contracts::{CommitmentFlows, Instance, PipelineBook};
use fleet::Fleet;
use pricing::{abs_index, quarters_in};

/// Project a validated scenario. Pure and deterministic: the same scenario gives the same
/// bits. The scenario is assumed valid (as `payback-input` guarantees); degenerate values give
/// finite, documented results rather than panics.
pub fn project(s: &Scenario) -> Projection {
    let mut pool = Pool::default();
    let ctx = Ctx::new(s, &mut pool);
    let mut st = State::new(&ctx, Quarterly::default(), &mut pool, true);
    for i in 0..ctx.n {
        st.quarter(&ctx, i);
    }
    summary::finish(&ctx, st)
}

/// The headline figures of one projection: what a Monte Carlo path records. Each is
/// bit-identical to the same figure of [`project`]'s summary.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// Programme payback (`Summary::payback`).
    pub payback: crate::finance::Payback,
    /// NPV of FCF (`Summary::npv`).
    pub npv: f64,
    /// IRR without terminal value, the root nearest 0 (`Summary::irr.primary`).
    pub irr: Option<f64>,
    /// MOIC (`Summary::moic`).
    pub moic: Option<f64>,
    /// Peak funding need and its quarter (`Summary::peak_funding`).
    pub peak_funding: crate::projection::Dated,
    /// Economic recovery with equity (`Summary::economic_recovery`).
    pub economic_recovery: f64,
}

/// Buffers kept between projections, so that a loop of [`project_outcome`] calls (a Monte
/// Carlo block) does not allocate the quarterly series afresh for every path.
#[derive(Debug, Default)]
pub struct Workspace {
    q: Quarterly,
    pool: Pool,
}

impl Workspace {
    /// The series of the last [`project_outcome`] run, from the start to the horizon (history
    /// sliced off): each has the bits [`project`] gives the same series.
    pub fn series(&self) -> PathSeries<'_> {
        PathSeries::of(&self.q)
    }

    /// Net book values at the horizon, after its depreciation, of the last
    /// [`project_outcome`] run: (accelerators, facilities), the values the runoff starts from.
    pub fn nbv_at_horizon(&self) -> (f64, f64) {
        let last = |v: &[f64]| v.last().copied().unwrap_or(0.0);
        (last(&self.q.nbv_accelerators), last(&self.q.nbv_facilities))
    }
}

/// Series [`project_outcome`] writes for the horizon's quarter only (the book values the
/// runoff starts from); the lean step leaves their other quarters at zero.
const AT_HORIZON: &[&str] = &["nbv_accelerators", "nbv_facilities"];

macro_rules! path_series {
    ($($name:ident),* $(,)?) => {
        /// The quarterly series a Monte Carlo path records ([`project_outcome`]): what its
        /// headline figures, the runoff, fan charts and portfolio sums read. Each field is the
        /// series of the same name in [`Quarterly`] (units and meaning there), from the
        /// start to the horizon.
        #[derive(Debug, Clone, Copy)]
        pub struct PathSeries<'a> {
            $( #[doc = concat!("[`Quarterly::", stringify!($name), "`].")] pub $name: &'a [f64], )*
        }

        impl<'a> PathSeries<'a> {
            /// The series' names, in field order.
            pub const NAMES: &'static [&'static str] = &[$( stringify!($name) ),*];

            fn of(q: &'a Quarterly) -> PathSeries<'a> {
                PathSeries { $( $name: &q.$name, )* }
            }

            /// A series by name (`None` for a series a path does not record).
            pub fn get(&self, name: &str) -> Option<&'a [f64]> {
                match name {
                    $( stringify!($name) => Some(self.$name), )*
                    _ => None,
                }
            }
        }
    };
}

path_series! {
    capacity,
    queued_cost,
    served,
    utilization,
    revenue_agents,
    revenue,
    deferred_revenue,
    ocf,
    capex,
    fcf,
    fcf_cumulative,
    fcf_discounted_cumulative,
    economic_fcf,
    equity_mark,
    rpo,
}

/// Project `s` for its headline figures only (no vintages, runoff payback, MIRR or
/// terminal-value IRR), reusing `ws`'s buffers; the series a path records stay readable in
/// [`Workspace::series`] until the next call. Same bits as [`project`] for every figure it
/// returns.
pub fn project_outcome(s: &Scenario, ws: &mut Workspace) -> Outcome {
    let mut pool = std::mem::take(&mut ws.pool);
    let ctx = Ctx::new(s, &mut pool);
    let mut st = State::new(&ctx, std::mem::take(&mut ws.q), &mut pool, false);
    for i in 0..ctx.n {
        st.quarter(&ctx, i);
    }
    let out = summary::outcome(&ctx, &mut st);
    ws.q = std::mem::take(&mut st.q);
    st.recycle(&mut pool);
    ctx.recycle(&mut pool);
    ws.pool = pool;
    out
}

/// Time grid and values fixed for the whole run.
pub(crate) struct Ctx<'a> {
    pub s: &'a Scenario,
    /// Absolute index of simulation quarter 0.
    pub abs0: i32,
    /// Simulation index of `scenario.start`.
    pub i_start: usize,
    /// Simulation quarters (history + horizon).
    pub n: usize,
    /// Expected annual decline of the reference price.
    pub decline: f64,
    /// Open-market growth index G, per simulation quarter (1 at the start).
    pub g_open: Vec<f64>,
    /// Inference growth index, per simulation quarter (1 at the start).
    pub g_inf: Vec<f64>,
    /// Capex spends per simulation quarter: (tranche index, AI amount).
    pub spends: Vec<Vec<(usize, f64)>>,
    /// Simulation index of the last quarter with tranche spending.
    pub last_tranche: Option<usize>,
    /// Lead time for `after_plan` replacements (the last tranche's).
    pub replace_lead: u32,
    /// Quarters between the start and the last generation's launch.
    pub t_last: i32,
    /// Tier shares normalised to sum to 1.
    pub tier_share_norm: Vec<f64>,
    /// Reference price before markup, per simulation quarter.
    pub p_ref: Vec<f64>,
    /// Markup floor ratio (newest generation's cash cost / price), per simulation quarter.
    pub floor_ratio: Vec<f64>,
    /// Price the open-market calibration expected, per simulation quarter.
    pub p_exp: Vec<f64>,
    /// Power price per MWh, per simulation quarter.
    pub power_price: Vec<f64>,
    /// Shell rent per megawatt per quarter (vintage payback).
    pub rent_per_mw: f64,
    /// `(1 + efficiency_gain)^(t/4)` of inference, per simulation quarter.
    pub inf_efficiency: Vec<f64>,
    /// `(1 - price_decline)^(t/4)` of inference, per simulation quarter.
    pub inf_list: Vec<f64>,
    /// `(1 + token_growth)^(t/4)` of agents, per simulation quarter.
    pub agent_tokens: Vec<f64>,
    /// Internal use growth `(1 + growth)^(t/4)`, per simulation quarter.
    pub internal_growth: Vec<f64>,
    /// Agent churn per quarter.
    pub churn_q: f64,
    /// Expected term-average price factor of a pipeline signing.
    pub pipe_term_factor: f64,
    /// Pipeline term in quarters.
    pub pipe_nq: usize,
    /// The newest generation on sale ([`pricing::newest_on_sale`]), per simulation quarter.
    pub newest: Vec<usize>,
    /// Each equity stake's valuation path ([`valuation_at`]), per simulation quarter.
    pub valuation: Vec<Vec<f64>>,
    /// Pipeline survival by age in quarters, `0 ..= term`.
    pub pipe_survival: Vec<f64>,
    /// Pipeline: sum of survival over ages after `a` within the term, by age `a`.
    pub pipe_survival_after: Vec<f64>,
}

/// `base^((i - i_start) / 4)` for every simulation quarter `i`, by repeated multiplication
/// from one power (the same bits on every platform, since `libm` computes the powers).
fn geometric(base: f64, n: usize, i_start: usize, pool: &mut Pool) -> Vec<f64> {
    let step = libm::pow(base, 0.25);
    let mut v = pool.filled(n, 0.0);
    let mut f = libm::pow(base, -(i_start as f64) / 4.0);
    for x in v.iter_mut() {
        *x = f;
        f *= step;
    }
    if let Some(x) = v.get_mut(i_start) {
        *x = 1.0;
    }
    v
}

/// The growth index of `path` (1 at `i_start`) for the quarters `abs0, abs0 + 1, …`, `n` of
/// them, written over `g`.
fn growth_index(
    path: &crate::scenario::YearPath,
    abs0: i32,
    n: usize,
    i_start: usize,
    mut g: Vec<f64>,
) -> Vec<f64> {
    g.clear();
    g.resize(n, 1.0);
    // `(1 + rate)^(1/4)` of the quarter's calendar year. The sweeps below move a quarter at a
    // time and the path is piecewise constant: one lookup per year, and one power per stretch
    // of equal rates.
    let mut last: Option<(i32, f64, f64)> = None;
    let mut qf = |i: usize| {
        let year = (abs0 + i as i32).div_euclid(4);
        match last {
            Some((y, _, f)) if y == year => f,
            _ => {
                let rate = path.at(year);
                let f = match last {
                    Some((_, r, f)) if r.to_bits() == rate.to_bits() => f,
                    _ => libm::pow(1.0 + rate, 0.25),
                };
                last = Some((year, rate, f));
                f
            }
        }
    };
    for i in i_start + 1..n {
        g[i] = g[i - 1] * qf(i);
    }
    for i in (0..i_start.min(n)).rev() {
        g[i] = g[i + 1] / qf(i + 1);
    }
    g
}

/// A per-run table kept with the inputs it was computed from, so that the next run recomputes
/// it only if they changed: sampled parameters seldom touch demand growth or a stake's
/// valuation path.
#[derive(Debug, Default)]
struct Memo {
    /// The dated points (values as bits) and the grid `(abs0, n, i_start)` of `table`.
    points: Vec<(i32, u64)>,
    grid: (i32, usize, usize),
    /// Empty before the first run and while lent to a run.
    table: Vec<f64>,
}

impl Memo {
    /// The table of `points` on `grid`: the kept one if it was computed from the same inputs,
    /// else `fill`'s (given the old table to overwrite).
    fn lend(
        &mut self,
        points: impl Iterator<Item = (i32, f64)> + Clone,
        grid: (i32, usize, usize),
        fill: impl FnOnce(Vec<f64>) -> Vec<f64>,
    ) -> Vec<f64> {
        let table = std::mem::take(&mut self.table);
        let key = points.map(|(a, v)| (a, v.to_bits()));
        if !table.is_empty() && self.grid == grid && self.points.iter().copied().eq(key.clone()) {
            return table;
        }
        self.points.clear();
        self.points.extend(key);
        self.grid = grid;
        fill(table)
    }

    /// Keep `table`, lent by [`Memo::lend`], for the next run.
    fn keep(&mut self, table: Vec<f64>) {
        self.table = table;
    }
}

/// Vectors kept from earlier runs for the next (see [`Workspace`]); taking from an empty pool
/// allocates, so a one-off [`project`] behaves as if there were no pool.
#[derive(Debug, Default)]
struct Pool {
    f64s: Vec<Vec<f64>>,
    /// Growth indices of the open market and inference.
    g_open: Memo,
    g_inf: Memo,
    /// Each equity stake's valuation table.
    valuation: Vec<Memo>,
    /// Emptied outer vectors of per-tier, per-contract and per-stake tables.
    tables: Vec<Vec<Vec<f64>>>,
    options: Vec<Vec<Option<f64>>>,
    spends: Vec<Vec<(usize, f64)>>,
    newest: Vec<usize>,
    fleet: Fleet,
    instances: Vec<Instance>,
}

impl Pool {
    /// A vector of `n` copies of `x`.
    fn filled(&mut self, n: usize, x: f64) -> Vec<f64> {
        let mut v = self.f64s.pop().unwrap_or_default();
        v.clear();
        v.resize(n, x);
        v
    }

    /// A vector of the values of `xs`.
    fn collect(&mut self, xs: impl IntoIterator<Item = f64>) -> Vec<f64> {
        let mut v = self.f64s.pop().unwrap_or_default();
        v.clear();
        v.extend(xs);
        v
    }

    /// An empty vector of tables.
    fn tables(&mut self) -> Vec<Vec<f64>> {
        self.tables.pop().unwrap_or_default()
    }

    /// `k` vectors of `n` copies of `x`.
    fn filled_k(&mut self, k: usize, n: usize, x: f64) -> Vec<Vec<f64>> {
        let mut vs = self.tables();
        for _ in 0..k {
            vs.push(self.filled(n, x));
        }
        vs
    }

    /// A vector of `n` `None`s.
    fn nones(&mut self, n: usize) -> Vec<Option<f64>> {
        let mut v = self.options.pop().unwrap_or_default();
        v.clear();
        v.resize(n, None);
        v
    }

    fn give(&mut self, vs: impl IntoIterator<Item = Vec<f64>>) {
        self.f64s.extend(vs);
    }

    /// Take back a vector of tables, the tables and the vector holding them.
    fn give_tables(&mut self, mut vs: Vec<Vec<f64>>) {
        self.f64s.append(&mut vs);
        self.tables.push(vs);
    }
}

impl<'a> Ctx<'a> {
    /// Hand the per-run tables back to `pool`.
    fn recycle(self, pool: &mut Pool) {
        pool.g_open.keep(self.g_open);
        if self.s.inference.is_some() {
            pool.g_inf.keep(self.g_inf);
        } else {
            pool.give([self.g_inf]);
        }
        let mut valuation = self.valuation;
        for (memo, table) in pool.valuation.iter_mut().zip(valuation.drain(..)) {
            memo.keep(table);
        }
        pool.give_tables(valuation);
        pool.give([
            self.tier_share_norm,
            self.p_ref,
            self.floor_ratio,
            self.p_exp,
            self.power_price,
            self.inf_efficiency,
            self.inf_list,
            self.agent_tokens,
            self.internal_growth,
            self.pipe_survival,
            self.pipe_survival_after,
        ]);
        pool.spends = self.spends;
        pool.newest = self.newest;
    }

    fn new(s: &'a Scenario, pool: &mut Pool) -> Ctx<'a> {
        let start = abs_index(s.scenario.start);
        let end = abs_index(s.scenario.end);
        let mut abs0 = start;
        for t in &s.capex {
            for q in &t.quarters {
                abs0 = abs0.min(abs_index(*q));
            }
        }
        for c in &s.contracts {
            abs0 = abs0.min(abs_index(c.signed)).min(abs_index(c.start));
        }
        for e in &s.equity {
            for inv in &e.investments {
                abs0 = abs0.min(abs_index(inv.quarter));
            }
        }
        let n = (end - abs0 + 1).max(1) as usize;
        let i_start = (start - abs0) as usize;
        let mut spends = std::mem::take(&mut pool.spends);
        spends.iter_mut().for_each(Vec::clear);
        spends.resize_with(n, Vec::new);
        let mut last_tranche = None;
        let mut replace_lead = 2;
        let mut last_acc: Option<usize> = None;
        for (k, t) in s.capex.iter().enumerate() {
            if t.quarters.is_empty() {
                continue;
            }
            let per_q = t.amount * t.ai_share / t.quarters.len() as f64;
            for q in &t.quarters {
                let i = abs_index(*q) - abs0;
                if i >= 0 && (i as usize) < n {
                    spends[i as usize].push((k, per_q));
                    if last_tranche.is_none_or(|l| i as usize >= l) {
                        last_tranche = Some(i as usize);
                    }
                    if t.kind != TrancheKind::Facilities && last_acc.is_none_or(|l| i as usize >= l)
                    {
                        last_acc = Some(i as usize);
                        replace_lead = t.lead_time;
                    }
                }
            }
        }
        let last_launch = s
            .generations
            .iter()
            .map(|g| abs_index(g.launch))
            .max()
            .unwrap_or(start);
        let total_share: f64 = s.tiers.iter().map(|t| t.share).sum();
        let tier_share_norm = pool.collect(s.tiers.iter().map(|t| {
            if total_share > 0.0 {
                t.share / total_share
            } else {
                0.0
            }
        }));
        let grid = (abs0, n, i_start);
        let growth = |memo: &mut Memo, path: &crate::scenario::YearPath| {
            let points = path.points.iter().copied();
            memo.lend(points, grid, |g| growth_index(path, abs0, n, i_start, g))
        };
        let g_inf = match &s.inference {
            Some(inf) => growth(&mut pool.g_inf, &inf.growth),
            None => pool.filled(n, 0.0),
        };
        // Per-run price tables: unit costs once per generation, power price by escalation
        // steps, so the quarter loop needs no powers for them. The shell's capital charge is
        // the same for every generation and for the vintage rent.
        let shell_charge = crate::finance::capital_recovery_quarterly(
            s.scenario.discount_rate,
            s.facilities.life_years,
        );
        let unit = pricing::unit_costs_per_mwh(s, shell_charge);
        let decline = pricing::expected_decline_with(s, &unit);
        let decl_step = libm::pow(1.0 - decline, 0.25);
        let rq = crate::finance::quarterly_rate(s.scenario.discount_rate);
        let fronts =
            pricing::per_pricing_life(s, |years| pricing::front_loading_with(rq, decl_step, years));
        let esc_step = libm::pow(1.0 + s.power.escalation, 0.25);
        let mut power_price = pool.filled(n, 0.0);
        let mut pp = pricing::power_price(s, -(i_start as i32));
        let mut p_exp = pool.filled(n, 0.0);
        let mut pe = s.open_market.reference_price
            * libm::pow(
                1.0 - decline,
                f64::from((-(i_start as i32)).min((last_launch - start).max(0))) / 4.0,
            );
        let mut p_ref = pool.filled(n, 0.0);
        let mut floor_ratio = pool.filled(n, 0.0);
        let t_last = last_launch - start;
        let mut newest = std::mem::take(&mut pool.newest);
        pricing::newest_on_sale_series(s, abs0, n, &mut newest);
        for i in 0..n {
            power_price[i] = pp;
            pp *= esc_step;
            p_exp[i] = pe;
            if (i as i32 - i_start as i32) < t_last.max(0) {
                pe *= decl_step;
            }
            let t_rel = i as i32 - i_start as i32;
            let (p, f) =
                pricing::reference_price_with(s, &fronts, &unit, newest[i], t_rel, power_price[i]);
            p_ref[i] = p;
            floor_ratio[i] = f;
        }
        let pipe_nq = quarters_in(s.pipeline.term_years);
        let sq = libm::pow(1.0 - s.pipeline.hazard, 0.25);
        let mut pipe_survival = pool.filled(pipe_nq + 1, 1.0);
        for a in 1..=pipe_nq {
            pipe_survival[a] = pipe_survival[a - 1] * sq;
        }
        let mut pipe_survival_after = pool.filled(pipe_nq + 1, 0.0);
        for a in (0..pipe_nq).rev() {
            let next = if a + 1 < pipe_nq {
                pipe_survival[a + 1]
            } else {
                0.0
            };
            pipe_survival_after[a] = pipe_survival_after[a + 1] + next;
        }
        let g_open = growth(&mut pool.g_open, &s.open_market.growth);
        let mut valuation = pool.tables();
        if pool.valuation.len() < s.equity.len() {
            pool.valuation.resize_with(s.equity.len(), Memo::default);
        }
        for (e, memo) in s.equity.iter().zip(&mut pool.valuation) {
            let points = e.valuation.iter().map(|&(q, v)| (abs_index(q), v));
            valuation.push(memo.lend(points, grid, |mut out| {
                out.clear();
                out.resize(n, 0.0);
                valuation_series(&e.valuation, abs0, out)
            }));
        }
        let mut geo = |base: f64| geometric(base, n, i_start, pool);
        let inf = s.inference.as_ref();
        let ag = s.agents.as_ref();
        Ctx {
            inf_efficiency: geo(inf.map_or(1.0, |x| 1.0 + x.efficiency_gain)),
            inf_list: geo(inf.map_or(1.0, |x| 1.0 - x.price_decline)),
            agent_tokens: geo(ag.map_or(1.0, |a| 1.0 + a.token_growth)),
            internal_growth: geo(match s.internal {
                Internal::Hours { growth, .. } => 1.0 + growth,
                _ => 1.0,
            }),
            churn_q: ag.map_or(0.0, |a| 1.0 - libm::pow(1.0 - a.churn, 0.25)),
            pipe_term_factor: pricing::term_average_factor_with(decl_step, s.pipeline.term_years),
            s,
            abs0,
            i_start,
            n,
            decline,
            p_ref,
            floor_ratio,
            p_exp,
            power_price,
            rent_per_mw: s.facilities.cost_per_mw * shell_charge,
            pipe_nq,
            newest,
            valuation,
            pipe_survival,
            pipe_survival_after,
            g_open,
            g_inf,
            spends,
            last_tranche,
            replace_lead,
            t_last,
            tier_share_norm,
        }
    }

    /// Quarters since the start (negative in history).
    pub fn t_rel(&self, i: usize) -> i32 {
        i as i32 - self.i_start as i32
    }

    /// The calendar quarter of simulation index `i`.
    pub fn quarter(&self, i: usize) -> Quarter {
        let a = self.abs0 + i as i32;
        Quarter::new(a.div_euclid(4), (a.rem_euclid(4) + 1) as u8)
            .expect("rem_euclid(4) + 1 is in 1..=4")
    }
}

/// Mutable state carried across quarters, and the series being filled.
pub(crate) struct State {
    pub fleet: Fleet,
    pub q: Quarterly,
    pub opt: OptionalSeries,
    pub tier_served: Vec<Vec<f64>>,
    pub tier_mult: Vec<Vec<f64>>,
    pub tier_revenue: Vec<Vec<f64>>,
    pub contract_revenue: Vec<Vec<f64>>,
    pub contract_rpo: Vec<Vec<f64>>,
    pub contract_price: Vec<f64>,
    pub contract_minimum: Vec<f64>,
    pub instances: Vec<Instance>,
    pub pipeline: PipelineBook,
    /// Demand and capacity of the previous quarter, for the lagged markup.
    prev_demand: f64,
    prev_capacity: f64,
    prev_p_ref: f64,
    /// Idle megawatts of the last quarters (ring), for mothballing.
    idle_ring: Vec<f64>,
    seats: f64,
    tax_losses: f64,
    stake: Vec<f64>,
    /// Economic value of the accelerator fleet at the end of the previous quarter.
    prev_econ_value: f64,
    /// Per-vintage-year contribution, indexed by year - first year.
    pub vintage_contrib: Vec<Vec<f64>>,
    pub vintage_capex: Vec<f64>,
    pub first_year: i32,
    /// Capex before the start.
    pub sunk_capex: f64,
    /// Equity mark at the end of the quarter before the start.
    pub mark_before_start: f64,
    tier_order: Vec<usize>,
    loans: Vec<financing::Loan>,
    /// Highest covenant minimum in force, per quarter (for the breach count).
    pub covenant: Vec<Option<f64>>,
    /// Whether to track what only the full projection reports (vintage contributions).
    detail: bool,
}

impl State {
    /// A fresh state; `q` is a set of series to reuse (any length: it is reset to zeros).
    fn new(ctx: &Ctx, mut q: Quarterly, pool: &mut Pool, detail: bool) -> State {
        let s = ctx.s;
        let n = ctx.n;
        let first_year = ctx.quarter(0).year();
        let years = (ctx.quarter(n - 1).year() - first_year + 1) as usize;
        // Reserve what the loop can push, so the quarter loop does not allocate: one cohort per
        // spend and per replacement quarter, a few lots per cohort (partial entries).
        let spends: usize = ctx.spends.iter().map(Vec::len).sum();
        let mut fleet = std::mem::take(&mut pool.fleet);
        fleet.clear();
        fleet.cohorts.reserve(spends + n);
        fleet.queue.reserve(spends + n);
        fleet.pending.reserve(spends + n);
        fleet.lots.reserve(4 * (spends + n));
        if s.facilities.opening_mw > 0.0 {
            let cost = s.facilities.opening_mw * s.facilities.opening_nbv_per_mw;
            let life_q = quarters_in(s.facilities.life_years);
            fleet.shells.push(fleet::ShellBatch {
                mw: s.facilities.opening_mw,
                cost,
                arrive: 0,
                dep_q: cost / life_q as f64,
                dep_last: life_q - 1,
                nbv: cost,
            });
            fleet.mw_on_order += s.facilities.opening_mw;
        }
        let n_contracts = s.contracts.len();
        // Renewals: at most one instance per contract per term over the simulation.
        let min_term = s
            .contracts
            .iter()
            .map(|c| quarters_in(c.term_years))
            .min()
            .unwrap_or(1);
        let mut instances = std::mem::take(&mut pool.instances);
        instances.clear();
        instances.reserve(n_contracts * (n / min_term + 2));
        let mut contract_price = pool.filled(n_contracts, 0.0);
        let mut contract_minimum = pool.filled(n_contracts, 0.0);
        for (k, c) in s.contracts.iter().enumerate() {
            let nq = quarters_in(c.term_years);
            let ramp_q = if c.ramp_years > 0.0 {
                quarters_in(c.ramp_years)
            } else {
                0
            };
            let hours = contracts::reserved_hours_total(c.ref_accelerators, nq, ramp_q);
            let price = match c.price {
                ContractPrice::PerRefHour(p) => p,
                ContractPrice::TotalValue(v) => {
                    let billed = hours * c.take_or_pay;
                    if billed > 0.0 { v / billed } else { 0.0 }
                }
            };
            let minimum = hours * c.take_or_pay * price;
            contract_price[k] = price;
            contract_minimum[k] = minimum;
            let start = (abs_index(c.start) - ctx.abs0) as usize;
            let sign = ((abs_index(c.signed) - ctx.abs0) as usize).min(start);
            let hazard = c.counterparty.map_or(0.0, |p| s.counterparties[p].hazard);
            instances.push(Instance::new(
                k,
                start,
                sign,
                start,
                nq,
                ramp_q,
                c.ref_accelerators,
                price,
                1.0,
                libm::pow(1.0 - hazard, 0.25),
                c,
            ));
        }
        if detail {
            q.reset(n);
        } else {
            // A workspace's series hold only what the last path wrote: values every quarter
            // overwrites, and the horizon's book values; the rest are still zero.
            q.resize(n);
            q.nbv_accelerators.fill(0.0); // AT_HORIZON
            q.nbv_facilities.fill(0.0);
        }
        // Margins, coverage and covenants are only written by the full projection.
        let nones = |pool: &mut Pool| pool.nones(if detail { n } else { 0 });
        let mut tier_mult = pool.tables();
        for t in &s.tiers {
            let mut v = geometric(1.0 - t.premium_decay, n, ctx.i_start, pool);
            for f in &mut v {
                *f = 1.0 + (t.premium - 1.0) * *f;
            }
            tier_mult.push(v);
        }
        State {
            fleet,
            q,
            opt: OptionalSeries {
                inference_cost_per_mtok: nones(pool),
                inference_margin_per_mtok: nones(pool),
                gross_margin: nones(pool),
                ebitda_margin: nones(pool),
                interest_coverage: nones(pool),
            },
            tier_served: pool.filled_k(s.tiers.len(), n, 0.0),
            tier_mult,
            tier_revenue: pool.filled_k(s.tiers.len(), n, 0.0),
            contract_revenue: pool.filled_k(n_contracts, n, 0.0),
            contract_rpo: pool.filled_k(n_contracts, n, 0.0),
            contract_price,
            contract_minimum,
            instances,
            pipeline: PipelineBook {
                hours: pool.filled(n, 0.0),
                price: pool.filled(n, 0.0),
            },
            prev_demand: 0.0,
            prev_capacity: 0.0,
            prev_p_ref: 0.0,
            idle_ring: pool.filled(s.scenario.mothball_quarters.max(1) as usize, 0.0),
            seats: s.agents.as_ref().map_or(0.0, |a| a.seats),
            tax_losses: 0.0,
            stake: pool.collect(s.equity.iter().map(|e| e.opening_stake)),
            prev_econ_value: 0.0,
            vintage_contrib: pool.filled_k(if detail { years } else { 0 }, n, 0.0),
            vintage_capex: pool.filled(years, 0.0),
            first_year,
            sunk_capex: 0.0,
            mark_before_start: 0.0,
            tier_order: (0..s.tiers.len()).collect(),
            loans: financing::loans(s, ctx.abs0, n),
            covenant: nones(pool),
            detail,
        }
    }

    /// Hand the state's vectors back to `pool` (the quarterly series go back separately).
    fn recycle(self, pool: &mut Pool) {
        let o = self.opt;
        pool.options.extend([
            o.inference_cost_per_mtok,
            o.inference_margin_per_mtok,
            o.gross_margin,
            o.ebitda_margin,
            o.interest_coverage,
            self.covenant,
        ]);
        for vs in [
            self.tier_served,
            self.tier_mult,
            self.tier_revenue,
            self.contract_revenue,
            self.contract_rpo,
            self.vintage_contrib,
        ] {
            pool.give_tables(vs);
        }
        pool.give([
            self.pipeline.hours,
            self.pipeline.price,
            self.contract_price,
            self.contract_minimum,
            self.idle_ring,
            self.stake,
            self.vintage_capex,
        ]);
        pool.fleet = self.fleet;
        pool.instances = self.instances;
    }

    fn quarter(&mut self, ctx: &Ctx, i: usize) {
        let s = ctx.s;
        let t_rel = ctx.t_rel(i);
        let abs = ctx.abs0 + i as i32;
        let year = ctx.quarter(i).year();
        let active = t_rel >= 0;

        // 3 (first, because purchases record the price at spend): reference price.
        let (p_ref, floor_ratio) = (ctx.p_ref[i], ctx.floor_ratio[i]);
        let markup = if i == 0 || t_rel <= 0 || self.prev_capacity <= 0.0 {
            1.0
        } else {
            let x = libm::pow(
                self.prev_demand / self.prev_capacity,
                s.compute.pricing_power,
            );
            let cap = s.compute.markup_cap.max(floor_ratio);
            x.clamp(floor_ratio.min(cap), cap)
        };
        let price_now = p_ref * markup;

        // 1. Capex.
        let (capex_acc, capex_fac, unspent) = self.spend(ctx, i, year, p_ref);
        let capex_replace = self.replace(ctx, i, year, p_ref);
        let capex_acc = capex_acc + capex_replace;

        // 2. Fleet.
        let fq = self.fleet.step(s, i, !self.detail);
        let capacity = fq.capacity;

        // 4. Demand.
        let p_exp = ctx.p_exp[i];
        let f_max = s.open_market.f_max.max(1.0);
        let surprise = if p_exp > 0.0 && p_ref > 0.0 {
            libm::pow(p_ref / p_exp, s.open_market.elasticity).clamp(1.0 / f_max, f_max)
        } else {
            1.0
        };
        let open_demand = s.open_market.ref_hours * ctx.g_open[i] * surprise;

        for x in self.instances.iter_mut().filter(|x| x.sign <= i) {
            x.advance(i);
        }
        let pipe_nq = ctx.pipe_nq;
        let pipe_before = self.pipeline_held(ctx, i, pipe_nq);
        self.renew(ctx, i, capacity - pipe_before, price_now);
        let named_held: f64 = self
            .instances
            .iter()
            .filter(|x| x.sign <= i)
            .map(|x| x.weight * x.s_now * x.reserved_hours(i))
            .sum();
        let pipe_existing = pipe_before;
        let want = (s.pipeline.commit_share * open_demand - pipe_existing).max(0.0);
        let room = (capacity - named_held - pipe_existing).max(0.0);
        let signing = want.min(room);
        self.pipeline.hours[i] = signing;
        self.pipeline.price[i] =
            price_now * ctx.pipe_term_factor * (1.0 - s.pipeline.reserved_discount);
        let pipe_held = pipe_existing + signing;
        let tier_demand = (open_demand - pipe_held).max(0.0);
        let held = named_held + pipe_held;
        let deliver = if held > capacity && held > 0.0 {
            capacity / held
        } else {
            1.0
        };

        let named = self.named_flows(ctx, i, deliver);
        let pipe = self.pipeline_flows(ctx, i, deliver, pipe_nq);

        // 5. Allocation: contracts hold their reservation whether used or not.
        let mut remaining = (capacity - held.min(capacity)).max(0.0);
        let served_contracts = named.used;
        let served_pipeline = pipe.used;

        // Own products: inference and agents, ranked by net revenue per reference-hour.
        let mut inf = InferenceQuarter::default();
        if let (Some(x), true) = (&s.inference, active) {
            let tph = x.tokens_per_ref_hour * ctx.inf_efficiency[i];
            let list = x.price * ctx.inf_list[i];
            let lag_p = if self.prev_p_ref > 0.0 {
                self.prev_p_ref
            } else {
                p_ref
            };
            let floor = lag_p / (1.0 + s.compute.market_margin) / tph * 1e6 * (1.0 + x.min_margin);
            let price = list.max(floor);
            let raw = x.tokens * ctx.g_inf[i] * libm::pow(price / x.price, x.elasticity);
            let tokens = if x.max_tokens > 0.0 {
                raw * x.max_tokens / (raw + x.max_tokens)
            } else {
                0.0
            };
            inf = InferenceQuarter {
                tph,
                price,
                floor,
                tokens,
                hours: tokens / tph,
                value_per_hour: price / 1e6 * tph,
                served_hours: 0.0,
            };
        }
        let mut ag = AgentQuarter::default();
        if let (Some(a), true) = (&s.agents, active) {
            let production = abs >= abs_index(a.production_start);
            let market = if production {
                a.market
            } else {
                a.market * a.pilot_share
            };
            if t_rel > 0 {
                let n_prev = self.seats;
                let new = ((a.p / 4.0 + a.q / 4.0 * n_prev / a.market.max(1e-300))
                    * (market - n_prev))
                    .max(0.0);
                let churn_q = ctx.churn_q;
                self.seats = (n_prev + new - churn_q * n_prev).max(0.0);
            }
            let price = if production {
                match a.pricing {
                    AgentPricing::Fixed(p) => p,
                    AgentPricing::Value {
                        hours_saved_per_month,
                        hourly_cost,
                        capture_share,
                    } => hours_saved_per_month * hourly_cost * capture_share,
                }
            } else {
                a.pilot_price
            };
            let tpsm = a.tokens_per_seat_month * ctx.agent_tokens[i];
            // Agents run on the inference fleet's efficiency unless given their own.
            let tph = match (a.tokens_per_ref_hour, &s.inference) {
                (Some(x), _) => x,
                (None, Some(x)) => x.tokens_per_ref_hour * ctx.inf_efficiency[i],
                (None, None) => 0.0,
            };
            let hours = if tph > 0.0 {
                self.seats * 3.0 * tpsm / tph
            } else {
                0.0
            };
            let revenue = self.seats * 3.0 * price;
            ag = AgentQuarter {
                price,
                hours,
                revenue,
                value_per_hour: if hours > 0.0 {
                    revenue * (1.0 - a.noncompute_share) / hours
                } else {
                    f64::MAX
                },
                served_hours: 0.0,
            };
        }
        let agents_first = ag.value_per_hour >= inf.value_per_hour;
        for pass in 0..2 {
            if (pass == 0) == agents_first {
                ag.served_hours = ag.hours.min(remaining);
                remaining -= ag.served_hours;
            } else {
                inf.served_hours = inf.hours.min(remaining);
                remaining -= inf.served_hours;
            }
        }
        let internal_demand = match s.internal {
            Internal::None => 0.0,
            Internal::Share(x) => x * capacity,
            Internal::Hours { ref_hours, .. } => {
                if active {
                    ref_hours * ctx.internal_growth[i]
                } else {
                    0.0
                }
            }
        };
        let served_internal = internal_demand.min(remaining);
        remaining -= served_internal;

        // Tiers, highest multiplier first.
        let n_tiers = s.tiers.len();
        let mult = &self.tier_mult;
        let order = |&a: &usize, &b: &usize| mult[b][i].total_cmp(&mult[a][i]).then(a.cmp(&b));
        // The order is total, so last quarter's order, if still sorted, is the sorted order;
        // multipliers decay smoothly, so it rarely changes.
        if !self
            .tier_order
            .windows(2)
            .all(|w| order(&w[0], &w[1]).is_le())
        {
            self.tier_order.sort_unstable_by(order);
        }
        let before_tiers = remaining;
        let newest_room = if capacity > 0.0 {
            fq.capacity_newest * before_tiers / capacity
        } else {
            0.0
        };
        let mut newest_used = 0.0;
        let mut served_tiers = 0.0;
        let mut revenue_tiers = 0.0;
        for idx in 0..n_tiers {
            let k = self.tier_order[idx];
            let demand = tier_demand * ctx.tier_share_norm[k];
            let mut cap = remaining;
            if s.tiers[k].latest_generation {
                cap = cap.min((newest_room - newest_used).max(0.0));
            }
            let served = demand.min(cap).max(0.0);
            if s.tiers[k].latest_generation {
                newest_used += served;
            }
            remaining -= served;
            let rev = served * price_now * self.tier_mult[k][i];
            self.tier_served[k][i] = served;
            self.tier_revenue[k][i] = rev;
            served_tiers += served;
            revenue_tiers += rev;
        }

        let served = served_contracts
            + served_pipeline
            + inf.served_hours
            + ag.served_hours
            + served_internal
            + served_tiers;
        let demand_total = held + internal_demand + inf.hours + ag.hours + tier_demand;
        let unserved = (inf.hours - inf.served_hours)
            + (ag.hours - ag.served_hours)
            + (internal_demand - served_internal)
            + (tier_demand - served_tiers);
        let utilization = if capacity > 0.0 {
            (served / capacity).clamp(0.0, 1.0)
        } else {
            0.0
        };

        // 6. Revenue, costs, cash.
        let inf_fraction = if inf.hours > 0.0 {
            inf.served_hours / inf.hours
        } else {
            0.0
        };
        let tokens_served = inf.tokens * inf_fraction;
        let revenue_inference = tokens_served * inf.price / 1e6;
        let ag_fraction = if ag.hours > 0.0 {
            ag.served_hours / ag.hours
        } else {
            1.0
        };
        let revenue_agents = ag.revenue * ag_fraction;
        let revenue_forfeited = named.forfeited;
        let revenue = named.revenue
            + pipe.revenue
            + revenue_tiers
            + revenue_inference
            + revenue_agents
            + revenue_forfeited;

        let pmwh = ctx.power_price[i];
        let draw = s.power.idle_draw + (1.0 - s.power.idle_draw) * utilization;
        let power_per_mw = s.facilities.pue * draw * HOURS * pmwh;
        let power = self.fleet.mw_occupied * power_per_mw;

        // Mothballing: megawatts idle in each of the last k quarters.
        let mw_idle = (self.fleet.mw_in_service - self.fleet.mw_occupied).max(0.0);
        let k = self.idle_ring.len();
        self.idle_ring[i % k] = mw_idle;
        let mothballed = if i + 1 >= k {
            self.idle_ring.iter().copied().fold(f64::INFINITY, f64::min)
        } else {
            0.0
        };
        let shell_cost_per_mw = if self.fleet.mw_in_service > 0.0 {
            self.fleet.shell_cost_in_service / self.fleet.mw_in_service
        } else {
            0.0
        };
        let opex_dc = s.opex.rate / 4.0
            * (fq.acc_cost_in_service
                + shell_cost_per_mw * (self.fleet.mw_in_service - mothballed).max(0.0));
        let opex_agents = s.agents.as_ref().map_or(0.0, |a| a.noncompute_share) * revenue_agents;
        let opex = opex_dc + opex_agents;
        let ebitda = revenue - power - opex;

        // Vintage contributions (before retirement, so the last quarter counts).
        let rev_ex_agents = revenue - revenue_agents;
        let rent_per_mw = ctx.rent_per_mw;
        // Only the full projection reports vintages; a Monte Carlo path skips them.
        if self.detail && capacity > 0.0 {
            for l in self.fleet.lots.iter().filter(|l| l.active) {
                let year_idx = (self.fleet.cohorts[l.cohort].year - self.first_year) as usize;
                let c = rev_ex_agents * l.capacity / capacity
                    - l.mw * power_per_mw
                    - s.opex.rate / 4.0 * l.cost
                    - l.mw * rent_per_mw;
                if let Some(v) = self.vintage_contrib.get_mut(year_idx) {
                    v[i] += c;
                }
            }
        }

        // Economic value of accelerators: salvage + (cost - salvage) x price ratio x life left.
        // Only the full projection reports economic depreciation.
        let mut econ_value = 0.0;
        for l in self.fleet.lots.iter().filter(|l| self.detail && l.active) {
            let c = &self.fleet.cohorts[l.cohort];
            // `last` was set from the economic life at placement.
            let life = (l.last + 1 - l.in_service) as f64;
            let left = (l.last - i) as f64 / life;
            let ratio = if c.p_ref_at_spend > 0.0 {
                p_ref / c.p_ref_at_spend
            } else {
                1.0
            };
            econ_value += l.salvage + (l.cost - l.salvage) * ratio * left;
        }
        for c in self.fleet.pending.iter().map(|&k| &self.fleet.cohorts[k]) {
            if !self.detail {
                break;
            }
            let g = &s.generations[c.generation];
            let cost = c.waiting * c.unit_cost;
            let ratio = if c.p_ref_at_spend > 0.0 {
                p_ref / c.p_ref_at_spend
            } else {
                1.0
            };
            econ_value += cost * g.salvage + cost * (1.0 - g.salvage) * ratio;
        }

        // Retirements at the end of the quarter.
        let mw_occupied = self.fleet.mw_occupied;
        let (salvage, impairment) = self.fleet.retire(i);
        let econ_dep_acc = self.prev_econ_value + capex_acc - econ_value;
        self.prev_econ_value = econ_value - salvage;

        let depreciation = fq.dep_acc + fq.dep_shell;
        let ebit = ebitda - depreciation - impairment;
        let tax = match s.scenario.tax {
            crate::scenario::TaxMode::Group => s.scenario.tax_rate * ebit,
            crate::scenario::TaxMode::Standalone => {
                if ebit >= 0.0 {
                    let used = self.tax_losses.min(ebit);
                    self.tax_losses -= used;
                    s.scenario.tax_rate * (ebit - used)
                } else {
                    self.tax_losses -= ebit;
                    0.0
                }
            }
        };
        let deferred = named.deferred;
        let deferred_prev = if i > 0 {
            self.q.deferred_revenue[i - 1]
        } else {
            0.0
        };
        let deferred_change = deferred - deferred_prev;
        let ocf = ebitda - tax + deferred_change;
        let capex = capex_acc + capex_fac;
        let fcf = ocf - capex + salvage;
        // Debt moves only levered figures, which a Monte Carlo path does not record.
        let debt = if self.detail {
            financing::step(s, &mut self.loans, i)
        } else {
            financing::DebtQuarter::default()
        };
        let levered_fcf = fcf + debt.draws - debt.repayment - debt.interest
            + financing::tax_shield(s, debt.interest, tax)
            - debt.fees;
        if debt.interest > 0.0 {
            self.opt.interest_coverage[i] = Some(ebitda / debt.interest);
            self.covenant[i] = debt.covenant;
        }

        // Equity.
        let mut equity_investment = 0.0;
        let mut mark = 0.0;
        for (k, e) in s.equity.iter().enumerate() {
            for inv in e.investments.iter().filter(|v| abs_index(v.quarter) == abs) {
                let val = inv.valuation.unwrap_or(ctx.valuation[k][i]);
                if val > 0.0 {
                    self.stake[k] += inv.amount / val;
                }
                equity_investment += inv.amount;
            }
            mark += self.stake[k] * ctx.valuation[k][i];
        }
        if i + 1 == ctx.i_start {
            self.mark_before_start = mark;
        }
        if !active {
            self.sunk_capex += capex;
        }

        // Vintage capex by year of purchase.
        let year_idx = (year - self.first_year) as usize;
        if let Some(v) = self.vintage_capex.get_mut(year_idx) {
            *v += capex_acc;
        }

        let q = &mut self.q;
        // What a Monte Carlo path reads (its summary, runoff and fan chart) is always written;
        // the rest only for the full projection.
        q.capacity[i] = capacity;
        q.queued_cost[i] = fq.queued_cost;
        q.served[i] = served;
        q.utilization[i] = utilization;
        q.revenue_agents[i] = revenue_agents;
        q.revenue[i] = revenue;
        q.deferred_revenue[i] = deferred;
        q.ocf[i] = ocf;
        q.capex[i] = capex;
        q.fcf[i] = fcf;
        q.economic_fcf[i] = fcf - equity_investment;
        q.equity_mark[i] = mark;
        q.rpo[i] = named.rpo + pipe.rpo;
        // A path reads only the last quarter's book values (at the horizon).
        if self.detail || i + 1 == ctx.n {
            q.nbv_accelerators[i] = self
                .fleet
                .lots
                .iter()
                .filter(|l| l.active)
                .map(|l| l.nbv)
                .sum();
        }
        if self.detail {
            q.nbv_facilities[i] = fq.nbv_shell;
        } else if i + 1 == ctx.n {
            q.nbv_facilities[i] = self.fleet.shell_nbv(i);
        }
        if self.detail {
            q.capacity_newest[i] = fq.capacity_newest;
            q.accelerators_in_service[i] = fq.accelerators;
            q.queued_accelerators[i] = fq.queued;
            q.mw_in_service[i] = self.fleet.mw_in_service;
            q.mw_occupied[i] = mw_occupied;
            q.mw_idle[i] = mw_idle;
            q.mw_mothballed[i] = mothballed;
            q.mw_on_order[i] = self.fleet.mw_on_order;
            q.demand_open_market[i] = open_demand;
            q.demand_tiers[i] = tier_demand;
            q.demand_contracts[i] = named_held;
            q.demand_pipeline[i] = pipe_held;
            q.demand_inference[i] = inf.hours;
            q.demand_agents[i] = ag.hours;
            q.demand_internal[i] = internal_demand;
            q.served_contracts[i] = served_contracts;
            q.served_pipeline[i] = served_pipeline;
            q.served_inference[i] = inf.served_hours;
            q.served_agents[i] = ag.served_hours;
            q.served_internal[i] = served_internal;
            q.served_tiers[i] = served_tiers;
            q.unserved[i] = unserved.max(0.0);
            q.contract_shortfall[i] = named.shortfall + pipe.shortfall;
            q.p_ref[i] = p_ref;
            q.p_ref_expected[i] = p_exp;
            q.markup[i] = markup;
            q.revenue_contracts[i] = named.revenue;
            q.revenue_pipeline[i] = pipe.revenue;
            q.revenue_tiers[i] = revenue_tiers;
            q.revenue_inference[i] = revenue_inference;
            q.revenue_forfeited[i] = revenue_forfeited;
            q.revenue_circular[i] = named.circular;
            q.power[i] = power;
            q.opex_datacenter[i] = opex_dc;
            q.opex_agents[i] = opex_agents;
            q.opex[i] = opex;
            q.ebitda[i] = ebitda;
            q.depreciation_accelerators[i] = fq.dep_acc;
            q.depreciation_facilities[i] = fq.dep_shell;
            q.depreciation[i] = depreciation;
            q.impairment[i] = impairment;
            q.economic_depreciation[i] = econ_dep_acc + fq.dep_shell;
            q.ebit[i] = ebit;
            q.tax[i] = tax;
            q.tax_losses_carried[i] = self.tax_losses;
            q.deferred_revenue_change[i] = deferred_change;
            q.capex_accelerators[i] = capex_acc;
            q.capex_facilities[i] = capex_fac;
            q.capex_unspent[i] = unspent;
            q.salvage[i] = salvage;
            q.debt_draws[i] = debt.draws;
            q.debt_repayment[i] = debt.repayment;
            q.debt_interest[i] = debt.interest;
            q.debt_fees[i] = debt.fees;
            q.debt_balance[i] = debt.balance;
            q.levered_fcf[i] = levered_fcf;
            q.fcf_ex_circular[i] = fcf - named.circular * (1.0 - s.scenario.tax_rate);
            q.equity_investment[i] = equity_investment;
            q.rpo_risk_adjusted[i] = named.rpo_risk_adjusted + pipe.rpo_risk_adjusted;
            q.bookings[i] = named.bookings + pipe.bookings;
            q.rpo_recognised[i] = named.recognised + pipe.recognised;
            q.rpo_cancelled[i] = named.cancelled + pipe.cancelled;
            q.run_rate[i] = revenue * 4.0;
            q.inference_tokens[i] = tokens_served;
            q.inference_price[i] = inf.price;
            q.inference_price_floor[i] = inf.floor;
            q.tokens_per_ref_hour[i] = inf.tph;
            q.agent_seats[i] = if active { self.seats } else { 0.0 };
            q.agent_price[i] = ag.price;
            let prev = |v: &Vec<f64>| if i > 0 { v[i - 1] } else { 0.0 };
            q.hardware_placed_cost[i] = prev(&q.hardware_placed_cost) + fq.placed;
            q.hardware_depreciation_cumulative[i] =
                prev(&q.hardware_depreciation_cumulative) + fq.dep_acc;
            q.impairment_cumulative[i] = prev(&q.impairment_cumulative) + impairment;
            q.salvage_cumulative[i] = prev(&q.salvage_cumulative) + salvage;
            let fleet_cost = power + opex_dc + depreciation;
            if tokens_served > 0.0 && served > 0.0 {
                let cost = fleet_cost / served * inf.served_hours / tokens_served * 1e6;
                self.opt.inference_cost_per_mtok[i] = Some(cost);
                self.opt.inference_margin_per_mtok[i] = Some(inf.price - cost);
            }
            if revenue > 0.0 {
                self.opt.gross_margin[i] = Some((revenue - power - depreciation) / revenue);
                self.opt.ebitda_margin[i] = Some(ebitda / revenue);
            }
        }

        // Lagged state for the next quarter's markup and inference floor.
        self.prev_demand = demand_total;
        self.prev_capacity = capacity;
        self.prev_p_ref = p_ref;
    }

    /// Spend the quarter's tranches: returns (accelerator capex, facility capex, unspent).
    fn spend(&mut self, ctx: &Ctx, i: usize, year: i32, p_ref: f64) -> (f64, f64, f64) {
        let s = ctx.s;
        let (mut acc, mut fac, mut unspent) = (0.0, 0.0, 0.0);
        for &(k, amount) in &ctx.spends[i] {
            let t = &s.capex[k];
            match t.kind {
                TrancheKind::Facilities => {
                    self.fleet.buy_shells(s, i, amount);
                    fac += amount;
                }
                TrancheKind::Accelerators => {
                    self.fleet.buy_accelerators(
                        s,
                        i,
                        fleet::Purchase {
                            generation: t.generation,
                            amount,
                            lead: t.lead_time,
                            year,
                            p_ref,
                        },
                    );
                    acc += amount;
                }
                TrancheKind::Mix {
                    accelerators,
                    facilities,
                } => {
                    let g = &s.generations[t.generation];
                    let mut acc_amount = amount * accelerators;
                    let budget = amount * facilities;
                    let need = acc_amount / g.unit_cost * g.power_kw / 1000.0;
                    let free = self.fleet.mw_in_service + self.fleet.mw_on_order
                        - self.fleet.mw_occupied
                        - self.fleet.mw_waiting(s);
                    let mw = (need - free.max(0.0))
                        .max(0.0)
                        .min(budget / s.facilities.cost_per_mw);
                    let shell = mw * s.facilities.cost_per_mw;
                    let mut left = budget - shell;
                    if s.scenario.mix_excess == crate::scenario::MixExcess::Accelerators {
                        acc_amount += left;
                        left = 0.0;
                    }
                    self.fleet.buy_shells(s, i, shell);
                    self.fleet.buy_accelerators(
                        s,
                        i,
                        fleet::Purchase {
                            generation: t.generation,
                            amount: acc_amount,
                            lead: t.lead_time,
                            year,
                            p_ref,
                        },
                    );
                    acc += acc_amount;
                    fac += shell;
                    unspent += left;
                }
            }
        }
        (acc, fac, unspent)
    }

    /// `after_plan = "replace"`: buy the newest generation for megawatts freed after the last
    /// tranche, `lead` quarters ahead of the retirement.
    fn replace(&mut self, ctx: &Ctx, i: usize, year: i32, p_ref: f64) -> f64 {
        let s = ctx.s;
        let Some(last) = ctx.last_tranche else {
            return 0.0;
        };
        if s.scenario.after_plan != crate::scenario::AfterPlan::Replace || s.generations.is_empty()
        {
            return 0.0;
        }
        let lead = ctx.replace_lead as usize;
        // Lots whose last quarter is i + lead - 1 free their megawatts at i + lead.
        let Some(target) = (i + lead).checked_sub(1) else {
            return 0.0;
        };
        if target < last {
            return 0.0;
        }
        // With no lead time the lots retired last quarter are already out of the list.
        let mw: f64 = if self.fleet.just_retired.0 == target && target < i {
            self.fleet.just_retired.1
        } else {
            self.fleet
                .lots
                .iter()
                .filter(|l| l.active && l.last == target)
                .map(|l| l.mw)
                .sum()
        };
        if mw <= 0.0 {
            return 0.0;
        }
        let g = ctx.newest[i];
        let gen_ = &s.generations[g];
        let amount = mw * 1000.0 / gen_.power_kw * gen_.unit_cost;
        self.fleet.buy_accelerators(
            s,
            i,
            fleet::Purchase {
                generation: g,
                amount,
                lead: ctx.replace_lead,
                year,
                p_ref,
            },
        );
        amount
    }

    /// Renew named contracts whose term ended last quarter, within `room` (capacity less the
    /// pipeline's holds).
    fn renew(&mut self, ctx: &Ctx, i: usize, capacity: f64, price_now: f64) {
        let s = ctx.s;
        let n = self.instances.len();
        for k in 0..n {
            let x = &self.instances[k];
            if x.renewed || x.start + x.nq != i {
                continue;
            }
            let c = &s.contracts[x.contract];
            self.instances[k].renewed = true;
            if c.renewal_prob <= 0.0 {
                continue;
            }
            let x = &self.instances[k];
            let weight = x.weight * c.renewal_prob;
            let others: f64 = self
                .instances
                .iter()
                .filter(|y| y.sign <= i)
                .map(|y| y.weight * y.s_now * y.reserved_hours(i))
                .sum();
            let survival = x.s_now;
            let room = (capacity - others).max(0.0) / HOURS / (weight * survival).max(1e-300);
            let size = x.size.min(room);
            if size <= 0.0 {
                continue;
            }
            let nq = x.nq;
            let price = price_now
                * pricing::term_average_factor(ctx.decline, nq as f64 / 4.0)
                * (1.0 + c.renewal_repricing);
            let mut next = Instance::new(
                x.contract,
                x.first_start,
                i,
                i,
                nq,
                0,
                size,
                price,
                weight,
                x.survival_q,
                c,
            );
            next.advance(i);
            self.instances.push(next);
        }
    }

    fn pipeline_held(&self, ctx: &Ctx, i: usize, nq: usize) -> f64 {
        let from = (i + 1).saturating_sub(nq);
        (from..i)
            .map(|s| self.pipeline.hours[s] * ctx.pipe_survival[i - s])
            .sum()
    }

    fn named_flows(&mut self, ctx: &Ctx, i: usize, d: f64) -> CommitmentFlows {
        let s = ctx.s;
        let detail = self.detail;
        let mut f = CommitmentFlows::default();
        for x in self.instances.iter_mut() {
            if i < x.sign {
                continue;
            }
            let s_now = x.s_now;
            let s_prev = if i > x.sign { x.s_prev } else { s_now };
            let w = x.weight;
            let pm = x.prepaid * x.minimum;
            let nqf = x.nq as f64;
            let reserved = x.reserved_hours(i);
            let m_now = reserved * x.take_or_pay * x.price;
            let rem = x.remaining;
            let after = (rem - m_now).max(0.0);
            let billed = reserved * x.usage.max(x.take_or_pay) * x.price;
            let revenue = w * s_now * billed * d;
            f.revenue += revenue;
            f.used += w * s_now * reserved * x.usage * d;
            f.rpo += w * s_now * after;
            if pm > 0.0 {
                if i > x.sign {
                    let r_prev = x.quarters_after(i - 1) as f64;
                    f.forfeited += w * (s_prev - s_now) * pm * r_prev / nqf;
                }
                f.deferred += w * s_now * pm * x.quarters_after(i) as f64 / nqf;
            }
            x.remaining = after;
            // What a Monte Carlo path does not record (bookings, shortfalls, cancellations,
            // the risk-adjusted book, per-contract series) only the full projection computes.
            if !detail {
                continue;
            }
            if i == x.sign {
                f.bookings += w * s_now * x.minimum;
            }
            f.circular += revenue * s.contracts[x.contract].circular_share;
            f.shortfall += w * s_now * reserved * (1.0 - d);
            f.recognised += w * s_now * m_now * d;
            f.cancelled += w * ((s_prev - s_now) * rem + s_now * m_now * (1.0 - d));
            // Risk-adjusted: expected recognised minimum of the quarters after this one.
            x.ra = (x.ra - m_now * s_now).max(0.0);
            f.rpo_risk_adjusted += w * x.ra;
            self.contract_revenue[x.contract][i] += revenue;
            self.contract_rpo[x.contract][i] += w * s_now * after;
        }
        f
    }

    fn pipeline_flows(&mut self, ctx: &Ctx, i: usize, d: f64, nq: usize) -> CommitmentFlows {
        let p = &ctx.s.pipeline;
        let mut f = CommitmentFlows::default();
        let from = (i + 1).saturating_sub(nq);
        for s in from..=i {
            let hours = self.pipeline.hours[s];
            if hours <= 0.0 {
                continue;
            }
            let price = self.pipeline.price[s];
            let age = i - s;
            let s_now = ctx.pipe_survival[age];
            let m = hours * p.take_or_pay * price;
            let left_incl = (nq - age) as f64;
            f.revenue += s_now * hours * p.usage.max(p.take_or_pay) * price * d;
            f.used += s_now * hours * p.usage * d;
            f.rpo += s_now * m * (left_incl - 1.0);
            // The rest only the full projection reports (see `named_flows`).
            if !self.detail {
                continue;
            }
            let s_prev = if age > 0 {
                ctx.pipe_survival[age - 1]
            } else {
                s_now
            };
            if age == 0 {
                f.bookings += m * nq as f64;
            }
            f.shortfall += s_now * hours * (1.0 - d);
            f.recognised += s_now * m * d;
            f.cancelled += (s_prev - s_now) * m * left_incl + s_now * m * (1.0 - d);
            f.rpo_risk_adjusted += m * ctx.pipe_survival_after[age];
        }
        f
    }
}

/// [`valuation_at`] for the quarters `abs0, abs0 + 1, …` (as many as `out` holds), in one
/// sweep: the logarithms of the points are taken once, and the window [`valuation_at`] would
/// pick only moves forward as the quarter does. Same bits as calling it quarter by quarter.
fn valuation_series(path: &[(Quarter, f64)], abs0: i32, mut out: Vec<f64>) -> Vec<f64> {
    let Some(first) = path.first() else {
        out.fill(0.0);
        return out;
    };
    let first_abs = abs_index(first.0);
    let last_value = path.last().map_or(0.0, |p| p.1);
    let points: Vec<(i32, f64, f64)> = path
        .iter()
        .map(|&(q, v)| (abs_index(q), v, if v > 0.0 { libm::log(v) } else { 0.0 }))
        .collect();
    // Window w joins points w and w + 1; it is usable when it has length and positive ends.
    let usable = |w: usize| {
        let (a, va, _) = points[w];
        let (b, vb, _) = points[w + 1];
        b > a && va > 0.0 && vb > 0.0
    };
    let mut w = 0;
    for (i, x) in out.iter_mut().enumerate() {
        let abs = abs0 + i as i32;
        if abs <= first_abs {
            *x = first.1;
            continue;
        }
        while w + 1 < points.len() && !(usable(w) && abs <= points[w + 1].0) {
            w += 1;
        }
        *x = if w + 1 < points.len() {
            let (a, _, la) = points[w];
            let (b, _, lb) = points[w + 1];
            let f = f64::from(abs - a) / f64::from(b - a);
            libm::exp(la * (1.0 - f) + lb * f)
        } else {
            last_value
        };
    }
    out
}

/// Valuation on a log-linear path between points, flat outside.
pub(crate) fn valuation_at(path: &[(Quarter, f64)], abs: i32) -> f64 {
    let Some(first) = path.first() else {
        return 0.0;
    };
    if abs <= abs_index(first.0) {
        return first.1;
    }
    for w in path.windows(2) {
        let (a, b) = (abs_index(w[0].0), abs_index(w[1].0));
        if abs <= b && b > a && w[0].1 > 0.0 && w[1].1 > 0.0 {
            let f = f64::from(abs - a) / f64::from(b - a);
            return libm::exp(libm::log(w[0].1) * (1.0 - f) + libm::log(w[1].1) * f);
        }
    }
    path.last().map_or(0.0, |p| p.1)
}

#[derive(Default)]
struct InferenceQuarter {
    tph: f64,
    price: f64,
    floor: f64,
    tokens: f64,
    hours: f64,
    value_per_hour: f64,
    served_hours: f64,
}

#[derive(Default)]
struct AgentQuarter {
    price: f64,
    hours: f64,
    revenue: f64,
    value_per_hour: f64,
    served_hours: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(year: i32, n: u8) -> Quarter {
        Quarter::new(year, n).expect("valid quarter")
    }

    /// The one-sweep table equals the point-by-point lookup bit for bit, including paths with
    /// repeated quarters, zero or negative values (unusable windows) and a single point.
    #[test]
    fn valuation_series_matches_valuation_at() {
        let paths: Vec<Vec<(Quarter, f64)>> = vec![
            vec![],
            vec![(q(2025, 2), 80e9)],
            vec![
                (q(2024, 1), 80e9),
                (q(2025, 4), 300e9),
                (q(2028, 4), 1.2e12),
            ],
            vec![(q(2024, 1), 0.0), (q(2026, 1), 100e9), (q(2027, 3), 90e9)],
            vec![
                (q(2024, 1), 10.0),
                (q(2024, 1), 20.0),
                (q(2026, 2), -5.0),
                (q(2029, 1), 7.0),
            ],
            vec![(q(2026, 1), 5.0), (q(2027, 1), 0.0), (q(2030, 4), 40.0)],
        ];
        let abs0 = abs_index(q(2022, 3));
        let n = 50;
        for path in &paths {
            let table = valuation_series(path, abs0, vec![0.0; n]);
            for (i, v) in table.iter().enumerate() {
                let want = valuation_at(path, abs0 + i as i32);
                assert_eq!(v.to_bits(), want.to_bits(), "{path:?} at {i}");
            }
        }
    }
}
