//! Accounting identities every projection must satisfy, as a function: used by the tests of
//! every crate (built-in scenarios, random scenarios) and available to users who want to check
//! a projection they changed.
//!
//! Checked in every quarter: revenue by lever sums to revenue; tiers sum to tier revenue;
//! EBITDA, OCF and FCF = OCF - capex + salvage; cumulative book depreciation + impairment +
//! salvage + net book value of accelerators in service = cost placed in service; the RPO
//! roll-forward; served <= capacity; megawatts occupied <= in service; utilization in 0..=1;
//! served by source sums to served; cumulative FCF; economic FCF; the debt balance
//! roll-forward; every figure finite.

use crate::Projection;

/// Relative tolerance for sums of a few dozen terms of size up to 1e12.
fn close(a: f64, b: f64, scale: f64) -> bool {
    (a - b).abs() <= 1e-9 * scale.max(1.0)
}

/// Check the accounting identities of `docs/model/cash.md` in every quarter; `Err` names the
/// first quarter and identity that fails, with both sides.
pub fn audit(p: &Projection) -> Result<(), String> {
    let q = &p.q;
    let n = p.quarters.len();
    for c in q.columns() {
        if c.values.len() != n {
            return Err(format!(
                "{} has {} values for {n} quarters",
                c.name,
                c.values.len()
            ));
        }
        if let Some(v) = c.values.iter().find(|v| !v.is_finite()) {
            return Err(format!("{} holds {v}", c.name));
        }
    }
    let scale = q
        .revenue
        .iter()
        .chain(&q.capex)
        .chain(&q.rpo)
        .chain(&q.hardware_placed_cost)
        .fold(1.0f64, |m, v| m.max(v.abs()));
    let fail = |t: usize, what: &str, a: f64, b: f64| {
        Err(format!(
            "{} {what}: {a} != {b} (diff {})",
            p.quarters[t],
            a - b
        ))
    };
    for t in 0..n {
        let tiers: f64 = p.tiers.iter().map(|x| x.revenue[t]).sum();
        if !close(tiers, q.revenue_tiers[t], scale) {
            return fail(t, "tiers sum to revenue_tiers", tiers, q.revenue_tiers[t]);
        }
        let levers = q.revenue_contracts[t]
            + q.revenue_pipeline[t]
            + q.revenue_tiers[t]
            + q.revenue_inference[t]
            + q.revenue_agents[t]
            + q.revenue_forfeited[t];
        if !close(levers, q.revenue[t], scale) {
            return fail(t, "levers sum to revenue", levers, q.revenue[t]);
        }
        let ebitda = q.revenue[t] - q.power[t] - q.opex[t];
        if !close(ebitda, q.ebitda[t], scale) {
            return fail(t, "EBITDA", ebitda, q.ebitda[t]);
        }
        let ocf = q.ebitda[t] - q.tax[t] + q.deferred_revenue_change[t];
        if !close(ocf, q.ocf[t], scale) {
            return fail(t, "OCF", ocf, q.ocf[t]);
        }
        let fcf = q.ocf[t] - q.capex[t] + q.salvage[t];
        if !close(fcf, q.fcf[t], scale) {
            return fail(t, "FCF = OCF - capex + salvage", fcf, q.fcf[t]);
        }
        let hw = q.hardware_depreciation_cumulative[t]
            + q.impairment_cumulative[t]
            + q.salvage_cumulative[t]
            + q.nbv_accelerators[t];
        if !close(hw, q.hardware_placed_cost[t], scale) {
            return fail(
                t,
                "dep + impairment + salvage + NBV = cost placed",
                hw,
                q.hardware_placed_cost[t],
            );
        }
        if t > 0 {
            let rpo = q.rpo[t - 1] + q.bookings[t] - q.rpo_recognised[t] - q.rpo_cancelled[t];
            if !close(rpo, q.rpo[t], scale) {
                return fail(t, "RPO roll-forward", rpo, q.rpo[t]);
            }
        }
        if q.rpo_cancelled[t] < -1e-9 * scale || q.rpo[t] < -1e-9 * scale {
            return fail(
                t,
                "RPO and cancellations non-negative",
                q.rpo_cancelled[t],
                q.rpo[t],
            );
        }
        if q.served[t] > q.capacity[t] * (1.0 + 1e-9) + 1e-6 {
            return fail(t, "served <= capacity", q.served[t], q.capacity[t]);
        }
        if q.mw_occupied[t] > q.mw_in_service[t] * (1.0 + 1e-9) + 1e-9 {
            return fail(
                t,
                "MW occupied <= MW in service",
                q.mw_occupied[t],
                q.mw_in_service[t],
            );
        }
        if !(0.0..=1.0).contains(&q.utilization[t]) {
            return fail(t, "utilization in 0..=1", q.utilization[t], 0.0);
        }
        let served = q.served_contracts[t]
            + q.served_pipeline[t]
            + q.served_inference[t]
            + q.served_agents[t]
            + q.served_internal[t]
            + q.served_tiers[t];
        if !close(served, q.served[t], scale) {
            return fail(t, "served by source sums to served", served, q.served[t]);
        }
        if t > 0 {
            let cum = q.fcf_cumulative[t - 1] + q.fcf[t];
            if !close(cum, q.fcf_cumulative[t], scale) {
                return fail(t, "cumulative FCF", cum, q.fcf_cumulative[t]);
            }
        }
        let prev_debt = if t > 0 {
            q.debt_balance[t - 1]
        } else {
            q.debt_balance[0] - q.debt_draws[0] + q.debt_repayment[0]
        };
        let debt = prev_debt + q.debt_draws[t] - q.debt_repayment[t];
        if t > 0 && !close(debt, q.debt_balance[t], scale) {
            return fail(t, "debt balance roll-forward", debt, q.debt_balance[t]);
        }
        if q.debt_balance[t] < 0.0 {
            return fail(t, "debt balance non-negative", q.debt_balance[t], 0.0);
        }
        if !close(q.economic_fcf[t], q.fcf[t] - q.equity_investment[t], scale) {
            return fail(
                t,
                "economic FCF",
                q.economic_fcf[t],
                q.fcf[t] - q.equity_investment[t],
            );
        }
    }
    for v in p
        .opt
        .gross_margin
        .iter()
        .chain(&p.opt.inference_cost_per_mtok)
        .flatten()
    {
        if !v.is_finite() {
            return Err(format!("optional series holds {v}"));
        }
    }
    let s = &p.summary;
    for v in [
        s.npv,
        s.npv_with_terminal,
        s.terminal_value,
        s.economic_recovery,
        s.useful_life_gap,
    ] {
        if !v.is_finite() {
            return Err(format!("summary holds {v}"));
        }
    }
    Ok(())
}
