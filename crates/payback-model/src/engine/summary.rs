//! From the simulated quarters to the [`Projection`]: slicing off history, paybacks, NPV,
//! IRR, MIRR, MOIC, terminal value (book and runoff), vintages and warnings
//! (docs/model/cash.md and docs/model/payback.md).

use super::pricing::{self, abs_index, quarters_in};
use super::{Ctx, State, valuation_at};
use crate::finance::{
    self, Payback, irr_quarterly_annualised, mirr_quarterly_annualised, npv_quarterly,
    quarterly_rate,
};
use crate::projection::{
    BookCover, ContractSeries, Dated, DebtSummary, OptionalSeries, Quarterly, RevenueMix, Summary,
    TierSeries, Vintage,
};
use crate::scenario::{PriceMode, Terminal};
use crate::{HOURS, Projection, Quarter};
use std::sync::OnceLock;

/// Longest runoff simulated after the horizon, in quarters (no economic life is longer).
const RUNOFF_MAX_QUARTERS: usize = 200;

/// The figures every caller needs, full projection or lean Monte Carlo path, computed once
/// here so the two cannot drift apart. `q` is already trimmed to the horizon, with
/// `fcf_cumulative` and `fcf_discounted_cumulative` filled.
struct Core {
    runoff_flows: Vec<f64>,
    nbv_end: f64,
    terminal_value: f64,
    payback: Payback,
    npv: f64,
    moic: Option<f64>,
    capex_total: f64,
    peak_funding: Dated,
    economic_recovery: f64,
}

/// Accumulate FCF (plain and discounted) over series already sliced to the horizon.
fn accumulate(ctx: &Ctx, q: &mut crate::projection::Quarterly) {
    let rq = quarterly_rate(ctx.s.scenario.discount_rate);
    let mut cum = 0.0;
    let mut dcum = 0.0;
    let mut df = 1.0;
    for t in 0..q.fcf.len() {
        df /= 1.0 + rq;
        cum += q.fcf[t];
        dcum += q.fcf[t] * df;
        q.fcf_cumulative[t] = cum;
        q.fcf_discounted_cumulative[t] = dcum;
    }
}

fn core(ctx: &Ctx, st: &State, q: &crate::projection::Quarterly) -> Core {
    let s = ctx.s;
    let h = q.fcf.len();
    let from = ctx.i_start.min(ctx.n);
    let rq = quarterly_rate(s.scenario.discount_rate);
    let runoff_flows = runoff(ctx, st, q);
    let tv_runoff = discounted_sum(&runoff_flows, rq);
    // Shells on order at the horizon are carried at cost, like queued accelerators.
    let shells_on_order: f64 = st
        .fleet
        .shells
        .iter()
        .filter(|b| b.arrive >= ctx.n)
        .map(|b| b.cost)
        .sum();
    let nbv_end = if h > 0 {
        q.nbv_accelerators[h - 1] + q.nbv_facilities[h - 1] + q.queued_cost[h - 1] + shells_on_order
    } else {
        0.0
    };
    let terminal_value = match s.scenario.terminal {
        Terminal::None => 0.0,
        Terminal::Book { recovery } => nbv_end * recovery,
        Terminal::Runoff => tv_runoff,
    };
    let (mut min_cum, mut min_at) = (0.0, 0);
    for t in 0..h {
        if q.fcf_cumulative[t] < min_cum {
            min_cum = q.fcf_cumulative[t];
            min_at = t;
        }
    }
    let sum = |v: &[f64]| v.iter().sum::<f64>();
    let capex_total = sum(&q.capex);
    let mark_start = if from > 0 {
        st.mark_before_start
    } else {
        s.equity
            .iter()
            .map(|e| e.opening_stake * valuation_at(&e.valuation, ctx.abs0 - 1))
            .sum()
    };
    let mark_end = q.equity_mark.last().copied().unwrap_or(0.0);
    Core {
        runoff_flows,
        nbv_end,
        terminal_value,
        payback: finance::payback(&q.fcf),
        npv: npv_quarterly(s.scenario.discount_rate, &q.fcf),
        moic: (capex_total > 0.0).then(|| (sum(&q.ocf) + terminal_value) / capex_total),
        capex_total,
        peak_funding: Dated {
            value: -min_cum,
            quarter: s.scenario.start.offset(min_at as i32),
        },
        economic_recovery: sum(&q.economic_fcf) + mark_end - mark_start,
    }
}

/// The lean end of a run for Monte Carlo: the headline figures only, no vintages, runoff
/// payback, MIRR or terminal-value IRR. Leaves `st.q` trimmed to the horizon. Every figure is
/// bit-identical to the same field of the full [`finish`].
pub(super) fn outcome(ctx: &Ctx, st: &mut State) -> super::Outcome {
    // A path writes only some series; slicing history off the others (all zeros) needs no
    // moves.
    st.q.trim_front_written(ctx.i_start.min(ctx.n), path_series());
    accumulate(ctx, &mut st.q);
    let c = core(ctx, st, &st.q);
    super::Outcome {
        payback: c.payback,
        npv: c.npv,
        irr: finance::irr_quarterly_primary(&st.q.fcf),
        moic: c.moic,
        peak_funding: c.peak_funding,
        economic_recovery: c.economic_recovery,
    }
}

/// Per series of [`Quarterly`], in column order, whether a lean projection may write it:
/// those of [`super::PathSeries`] and the book values (their last quarter).
fn path_series() -> &'static [bool] {
    static WRITTEN: OnceLock<Vec<bool>> = OnceLock::new();
    WRITTEN.get_or_init(|| {
        Quarterly::NAMES
            .iter()
            .map(|n| super::PathSeries::NAMES.contains(n) || super::AT_HORIZON.contains(n))
            .collect()
    })
}

pub(super) fn finish(ctx: &Ctx, st: State) -> Projection {
    let s = ctx.s;
    let from = ctx.i_start.min(ctx.n);
    let quarters: Vec<Quarter> = (from..ctx.n).map(|i| ctx.quarter(i)).collect();
    let h = quarters.len();
    let mut st = st;
    let mut q = std::mem::take(&mut st.q);
    q.trim_front(from);
    accumulate(ctx, &mut q);
    let mut opt = std::mem::take(&mut st.opt);
    for v in [
        &mut opt.inference_cost_per_mtok,
        &mut opt.inference_margin_per_mtok,
        &mut opt.gross_margin,
        &mut opt.ebitda_margin,
        &mut opt.interest_coverage,
    ] {
        v.drain(..from.min(v.len()));
    }
    let st = st;

    let r = s.scenario.discount_rate;
    let rq = quarterly_rate(r);
    let Core {
        runoff_flows,
        nbv_end,
        terminal_value,
        payback,
        npv,
        moic,
        capex_total,
        peak_funding,
        economic_recovery,
    } = core(ctx, &st, &q);
    let cum = q.fcf_cumulative.last().copied().unwrap_or(0.0);
    let book_recovery = match s.scenario.terminal {
        Terminal::Book { recovery } => recovery,
        _ => 1.0,
    };
    let shortfall = (-cum).max(0.0);
    let book_cover = BookCover {
        value: nbv_end * book_recovery,
        surplus: nbv_end * book_recovery - shortfall,
    };

    let mut with_runoff = q.fcf.clone();
    with_runoff.extend_from_slice(&runoff_flows);
    let payback_runoff = finance::payback(&with_runoff);
    let quarter_of = |p: &Payback| match p {
        Payback::Reached { period, .. } => Some(s.scenario.start.offset(*period as i32)),
        _ => None,
    };
    let cash_flow_positive =
        finance::cash_flow_positive_from(&q.fcf).map(|k| s.scenario.start.offset(k as i32));

    let tv_pv = terminal_value / libm::pow(1.0 + rq, h as f64);
    let mut with_tv = q.fcf.clone();
    if let Some(last) = with_tv.last_mut() {
        *last += terminal_value;
    }

    let (mut max_rpo, mut max_rpo_at) = (0.0, 0);
    for t in 0..h {
        if q.rpo[t] > max_rpo {
            max_rpo = q.rpo[t];
            max_rpo_at = t;
        }
    }
    let at = |t: usize| s.scenario.start.offset(t as i32);

    let sum = |v: &[f64]| v.iter().sum::<f64>();
    let tiers: Vec<TierSeries> = s
        .tiers
        .iter()
        .enumerate()
        .map(|(k, t)| TierSeries {
            name: t.name.clone(),
            served: st.tier_served[k][from..].to_vec(),
            multiplier: st.tier_mult[k][from..].to_vec(),
            revenue: st.tier_revenue[k][from..].to_vec(),
        })
        .collect();
    let revenue_mix = RevenueMix {
        contracts: sum(&q.revenue_contracts),
        pipeline: sum(&q.revenue_pipeline),
        tiers: tiers
            .iter()
            .map(|t| (t.name.clone(), sum(&t.revenue)))
            .collect(),
        inference: sum(&q.revenue_inference),
        agents: sum(&q.revenue_agents),
        forfeited: sum(&q.revenue_forfeited),
        total: sum(&q.revenue),
    };
    let total_revenue = revenue_mix.total;
    let useful_life_gap = sum(&q.depreciation) + sum(&q.impairment) - sum(&q.economic_depreciation);

    let summary = Summary {
        payback_quarter: quarter_of(&payback),
        payback,
        payback_runoff_quarter: quarter_of(&payback_runoff),
        payback_runoff,
        book_cover,
        cash_flow_positive,
        npv,
        npv_with_terminal: npv + tv_pv,
        terminal_value,
        irr: irr_quarterly_annualised(&q.fcf),
        irr_with_terminal: irr_quarterly_annualised(&with_tv),
        mirr: mirr_quarterly_annualised(&q.fcf, r),
        mirr_with_terminal: mirr_quarterly_annualised(&with_tv, r),
        moic,
        peak_funding,
        peak_rpo: Dated {
            value: max_rpo,
            quarter: at(max_rpo_at),
        },
        revenue_mix,
        circular_share: (total_revenue > 0.0).then(|| sum(&q.revenue_circular) / total_revenue),
        economic_recovery,
        useful_life_gap,
        expected_decline: ctx.decline,
        sunk_capex: st.sunk_capex,
        capex_total,
        capex_unspent_total: sum(&q.capex_unspent),
        debt: debt_summary(ctx, &st, &q, &opt, from),
    };

    let contracts = s
        .contracts
        .iter()
        .enumerate()
        .map(|(k, c)| ContractSeries {
            name: c.name.clone(),
            price: st.contract_price[k],
            minimum: st.contract_minimum[k],
            revenue: st.contract_revenue[k][from..].to_vec(),
            rpo: st.contract_rpo[k][from..].to_vec(),
        })
        .collect();

    let vintages = vintages(ctx, &st, from);
    let warnings = warnings(ctx, &q);
    Projection {
        quarters,
        q,
        opt,
        tiers,
        contracts,
        vintages,
        runoff_flows,
        summary,
        warnings,
    }
}

fn debt_summary(
    ctx: &Ctx,
    st: &State,
    q: &crate::projection::Quarterly,
    opt: &OptionalSeries,
    from: usize,
) -> Option<DebtSummary> {
    let s = ctx.s;
    if s.debt.is_empty() {
        return None;
    }
    let at = |t: usize| s.scenario.start.offset(t as i32);
    let h = q.debt_balance.len();
    let (mut peak, mut peak_at) = (0.0, 0);
    let mut min_cov: Option<Dated> = None;
    let mut first_breach = None;
    let mut breaches = 0;
    for t in 0..h {
        if q.debt_balance[t] > peak {
            peak = q.debt_balance[t];
            peak_at = t;
        }
        if let Some(c) = opt.interest_coverage[t] {
            if min_cov.is_none_or(|m| c < m.value) {
                min_cov = Some(Dated {
                    value: c,
                    quarter: at(t),
                });
            }
            if let Some(limit) = st.covenant[from + t]
                && c < limit
            {
                breaches += 1;
                first_breach.get_or_insert(at(t));
            }
        }
    }
    Some(DebtSummary {
        peak_balance: Dated {
            value: peak,
            quarter: at(peak_at),
        },
        balance_at_horizon: q.debt_balance.last().copied().unwrap_or(0.0),
        interest_total: q.debt_interest.iter().sum(),
        min_coverage: min_cov,
        first_breach,
        breach_quarters: breaches,
        npv_levered: npv_quarterly(s.scenario.discount_rate, &q.levered_fcf),
        payback_levered: finance::payback(&q.levered_fcf),
    })
}

fn discounted_sum(flows: &[f64], rq: f64) -> f64 {
    let mut df = 1.0;
    let mut v = 0.0;
    for f in flows {
        df /= 1.0 + rq;
        v += f * df;
    }
    v
}

/// A lot running off after the horizon: what its quarters add to the runoff's cash flow.
struct RunoffLot {
    /// Margin per quarter before tax (a negative one retires the lot at once).
    margin: f64,
    mw: f64,
    /// Received in its last quarter.
    salvage: f64,
    /// Last quarter in service (simulation index).
    last: usize,
}

/// The runoff after the horizon: every lot in service, and hardware still queued as megawatts
/// free up, earns the fleet's margin of the last four quarters per reference-hour of capacity,
/// less its own power and opex, after tax, until its economic life ends; salvage at retirement.
/// No new purchases; shells on order still arrive. A lot with a negative margin retires at once
/// and contributes nothing.
fn runoff(ctx: &Ctx, st: &State, q: &crate::projection::Quarterly) -> Vec<f64> {
    let s = ctx.s;
    let h = q.capacity.len();
    if h == 0 {
        return Vec::new();
    }
    let last4 = h.saturating_sub(4)..h;
    let cap4: f64 = q.capacity[last4.clone()].iter().sum();
    let rev4: f64 = last4
        .clone()
        .map(|t| q.revenue[t] - q.revenue_agents[t])
        .sum();
    let util4: f64 = if cap4 > 0.0 {
        last4.clone().map(|t| q.served[t]).sum::<f64>() / cap4
    } else {
        0.0
    };
    let margin_per_hour = if cap4 > 0.0 { rev4 / cap4 } else { 0.0 };
    let t_end = ctx.t_rel(ctx.n - 1);
    let pmwh = pricing::power_price(s, t_end);
    let draw = s.power.idle_draw + (1.0 - s.power.idle_draw) * util4.clamp(0.0, 1.0);
    let power_per_mw = s.facilities.pue * draw * HOURS * pmwh;
    let fleet = &st.fleet;
    let shell_cost_per_mw = if fleet.mw_in_service > 0.0 {
        fleet.shell_cost_in_service / fleet.mw_in_service
    } else {
        s.facilities.cost_per_mw
    };
    let opex_q = s.opex.rate / 4.0;
    let tax = 1.0 - s.scenario.tax_rate;
    let end = ctx.n - 1;

    // A lot's quarterly margin depends only on the lot, so it is computed once, with the same
    // expression (and bits) as per quarter.
    let margin = |capacity: f64, mw: f64, cost: f64| {
        capacity * margin_per_hour - mw * power_per_mw - opex_q * (cost + mw * shell_cost_per_mw)
    };
    let mut lots: Vec<RunoffLot> = fleet
        .lots
        .iter()
        .filter(|l| l.active)
        .map(|l| RunoffLot {
            margin: margin(l.capacity, l.mw, l.cost),
            mw: l.mw,
            salvage: l.salvage,
            last: l.last,
        })
        .collect();
    let mut waiting: Vec<(usize, f64)> = fleet
        .queue
        .iter()
        .map(|&c| (c, fleet.cohorts[c].waiting))
        .filter(|w| w.1 > 0.0)
        .collect();
    // Shells still on order, by arrival quarter; the stable sort keeps the fleet's order
    // within a quarter, so their megawatts are added in the same order as a scan would.
    let mut arrivals: Vec<(usize, f64)> = fleet
        .shells
        .iter()
        .filter(|b| b.arrive > end)
        .map(|b| (b.arrive, b.mw))
        .collect();
    arrivals.sort_by_key(|a| a.0);
    let mut arrivals = arrivals.into_iter().peekable();
    let mut mw_in_service = fleet.mw_in_service;
    let mut mw_occupied = fleet.mw_occupied;
    let mut flows = Vec::new();
    for k in 1..=RUNOFF_MAX_QUARTERS {
        let i = end + k;
        while let Some((_, mw)) = arrivals.next_if(|a| a.0 == i) {
            mw_in_service += mw;
        }
        // Queued hardware enters in FIFO order as megawatts free up.
        while let Some(&(c_idx, n_wait)) = waiting.first() {
            let c = &fleet.cohorts[c_idx];
            if c.ready > i {
                break;
            }
            let g = &s.generations[c.generation];
            let fit = (mw_in_service - mw_occupied).max(0.0) * 1000.0 / g.power_kw;
            let n = n_wait.min(fit);
            if n > 0.0 {
                let cost = n * c.unit_cost;
                let mw = n * g.power_kw / 1000.0;
                lots.push(RunoffLot {
                    margin: margin(n * g.perf * HOURS * g.availability, mw, cost),
                    mw,
                    salvage: cost * g.salvage,
                    last: i + quarters_in(g.economic_life_years) - 1,
                });
                mw_occupied += mw;
            }
            if n >= n_wait * (1.0 - 1e-12) {
                waiting.remove(0);
            } else {
                waiting[0].1 = n_wait - n;
                break;
            }
        }
        let mut flow = 0.0;
        // Retired lots leave the list; the others keep their order (that of the sums).
        lots.retain(|l| {
            if l.margin < 0.0 {
                mw_occupied -= l.mw;
                return false;
            }
            flow += l.margin * tax;
            if l.last <= i {
                flow += l.salvage;
                mw_occupied -= l.mw;
                return false;
            }
            true
        });
        let done = waiting.is_empty() && lots.is_empty();
        flows.push(flow);
        if done {
            break;
        }
    }
    while flows.last() == Some(&0.0) {
        flows.pop();
    }
    flows
}

fn vintages(ctx: &Ctx, st: &State, from: usize) -> Vec<Vintage> {
    let s = ctx.s;
    let mut out = Vec::new();
    for (y, contrib) in st.vintage_contrib.iter().enumerate() {
        let capex = st.vintage_capex[y];
        if capex <= 0.0 {
            continue;
        }
        let year = st.first_year + y as i32;
        let mut cum = 0.0;
        let mut cumulative = Vec::with_capacity(ctx.n);
        let mut paid = None;
        for (i, c) in contrib.iter().enumerate() {
            cum += c;
            cumulative.push(cum);
            if paid.is_none() && cum >= capex {
                paid = Some(i);
            }
        }
        // Price at spend over the vintage's own flat levelised full cost, cost-weighted.
        let (mut wsum, mut csum) = (0.0, 0.0);
        for c in st.fleet.cohorts.iter().filter(|c| c.year == year) {
            let t_rel = ctx.t_rel(c.bought);
            let full = pricing::unit_costs(s, c.generation, pricing::power_price(s, t_rel))
                .full_per_hour();
            let cost = c.unit_cost * c.count;
            if full > 0.0 {
                wsum += cost * c.p_ref_at_spend / full;
                csum += cost;
            }
        }
        let mid_year = abs_index(Quarter::new(year, 1).unwrap_or(s.scenario.start)) - ctx.abs0;
        out.push(Vintage {
            year,
            capex,
            contribution_cumulative: cumulative.get(from..).unwrap_or(&[]).to_vec(),
            payback: paid.map(|i| ctx.quarter(i)),
            payback_years: paid.map(|i| (i as f64 + 1.0 - (mid_year as f64 + 2.0)) / 4.0),
            surplus_at_horizon: cum - capex,
            price_to_cost: (csum > 0.0).then(|| wsum / csum),
        });
    }
    out
}

fn warnings(ctx: &Ctx, q: &crate::projection::Quarterly) -> Vec<String> {
    let s = ctx.s;
    let mut w = Vec::new();
    let end_rel = ctx.t_rel(ctx.n - 1);
    if ctx.t_last < end_rel {
        let last = s.generations.iter().map(|g| g.launch).max();
        if let Some(last) = last {
            w.push(format!(
                "the roadmap's last generation launches in {last}, before the horizon ({}): the \
                 expected price decline stops there, and the cost-plus price stays at that \
                 generation's cost",
                s.scenario.end
            ));
        }
    }
    if let PriceMode::Path { .. } = s.compute.price_mode {
        let newest = pricing::newest_on_sale(s, ctx.abs0 + ctx.n as i32 - 1);
        let full = pricing::unit_costs(s, newest, pricing::power_price(s, end_rel)).full_per_hour();
        if let Some(p) = q.p_ref.last()
            && *p < full
        {
            w.push(format!(
                "path pricing: at the horizon the reference price ${p:.2}/h is below the newest \
                 generation's levelised full cost ${full:.2}/h (price-to-cost {:.2})",
                p / full
            ));
        }
    }
    let short: f64 = q.contract_shortfall.iter().sum();
    if short > 0.0 {
        w.push(format!(
            "contracts reserved more than capacity in some quarters: {:.3e} reference-hours could \
             not be delivered (billing scaled down, prepayments refunded)",
            short
        ));
    }
    w
}
