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

/// The newest generation on sale, swept over the quarters, is the quarter-by-quarter lookup:
/// with launches out of date order, two on the same quarter, and quarters before any launch.
#[test]
fn newest_on_sale_series_matches_lookup() {
    use payback_model::engine::pricing;
    let mut s = common::representative();
    s.generations
        .push(common::generation("B300", "2025Q1", 60_000.0, 1.9, 2.8));
    s.generations.swap(0, 2);
    let abs0 = pricing::abs_index(common::q("2021Q3"));
    let mut out = vec![99];
    pricing::newest_on_sale_series(&s, abs0, 60, &mut out);
    assert_eq!(out.len(), 60);
    for (i, &g) in out.iter().enumerate() {
        assert_eq!(
            g,
            pricing::newest_on_sale(&s, abs0 + i as i32),
            "quarter {i}"
        );
    }
}

/// The per-run unit-cost table and expected decline, which compute each capital charge once,
/// equal the per-generation functions, with pricing lives shared and not.
#[test]
fn unit_cost_table_matches_unit_costs() {
    use payback_model::engine::pricing;
    let mut s = common::representative();
    s.compute.expected_decline = None;
    s.generations[1].pricing_life_years = 4.0;
    s.generations[3].pricing_life_years = 4.0;
    let shell = payback_model::finance::capital_recovery_quarterly(
        s.scenario.discount_rate,
        s.facilities.life_years,
    );
    let table = pricing::unit_costs_per_mwh(&s, shell);
    for (g, costs) in table.iter().enumerate() {
        assert_eq!(*costs, pricing::unit_costs(&s, g, 1.0), "generation {g}");
    }
    // The first and last launches, each at its launch quarter's power price.
    let start = pricing::abs_index(s.scenario.start);
    let launch = |g: usize| pricing::abs_index(s.generations[g].launch);
    let full = |g: usize| {
        let price = pricing::power_price(&s, launch(g) - start);
        pricing::unit_costs(&s, g, price).full_per_hour()
    };
    let years = f64::from(launch(3) - launch(0));
    let want = (1.0 - libm::pow(full(3) / full(0), 4.0 / years)).clamp(-0.5, 0.95);
    let d = pricing::expected_decline_with(&s, &table);
    assert_eq!(d.to_bits(), want.to_bits());
    assert_eq!(d.to_bits(), pricing::expected_decline(&s).to_bits());
}
