//! Whole-engine tests on scenarios built in code.
mod common;

#[test]
fn smoke_print() {
    let s = common::representative();
    let p = payback_model::project(&s);
    for (t, qq) in p.quarters.iter().enumerate().step_by(4) {
        let q = &p.q;
        eprintln!(
            "{qq} cap {:.3e} util {:.2} pref {:.2} mk {:.2} rev {:.1} contr {:.1} pipe {:.1} tiers {:.1} inf {:.1} ag {:.1} capex {:.1} fcf {:.1} cum {:.1} rpo {:.1} q {:.0} mw {:.0}/{:.0}",
            q.capacity[t],
            q.utilization[t],
            q.p_ref[t],
            q.markup[t],
            q.revenue[t] / 1e9,
            q.revenue_contracts[t] / 1e9,
            q.revenue_pipeline[t] / 1e9,
            q.revenue_tiers[t] / 1e9,
            q.revenue_inference[t] / 1e9,
            q.revenue_agents[t] / 1e9,
            q.capex[t] / 1e9,
            q.fcf[t] / 1e9,
            q.fcf_cumulative[t] / 1e9,
            q.rpo[t] / 1e9,
            q.queued_accelerators[t],
            q.mw_occupied[t],
            q.mw_in_service[t]
        );
    }
    eprintln!("{:#?}", p.summary);
    eprintln!("{:?}", p.warnings);
}
