//! Whole-engine tests on scenarios built in code.
mod common;

use payback_model::engine::{Workspace, project_outcome};

/// A Monte Carlo path's projection (`project_outcome`) leaves the shells' book values alone
/// while no shell is in its last depreciation quarter and brings them up to date at the
/// horizon. With facility lives shorter than the run, shells reach that quarter mid-run and
/// the lean step falls back to the full one: every figure must keep the full projection's
/// bits, also when the same workspace served a different scenario before.
#[test]
fn lean_projection_equals_full_whatever_the_facility_life() {
    let mut ws = Workspace::default();
    for life in [30.0, 1.0, 2.25, 0.25, 6.0, 30.0] {
        let mut s = common::representative();
        s.facilities.life_years = life;
        let full = payback_model::project(&s);
        let lean = project_outcome(&s, &mut ws);
        assert_eq!(
            lean.npv.to_bits(),
            full.summary.npv.to_bits(),
            "life {life}"
        );
        assert_eq!(lean.payback, full.summary.payback, "life {life}");
        assert_eq!(ws.series().fcf, full.q.fcf, "life {life}");
        assert_eq!(Some(&ws.nbv_at_horizon().1), full.q.nbv_facilities.last());
        // The shells bought in the last `life` years still carry book value (none with a
        // one-quarter life); a shell life of 30 years keeps most of the cost on the books.
        let h = full.q.nbv_facilities.len() - 1;
        let cost: f64 = full.q.capex_facilities.iter().sum();
        let nbv = full.q.nbv_facilities[h];
        assert!(nbv < cost, "life {life}: nbv {nbv} of {cost}");
        assert_eq!(nbv > 0.0, life > 0.25, "life {life}: nbv {nbv}");
        if life >= 30.0 {
            assert!(nbv > 0.5 * cost, "life {life}: nbv {nbv} of {cost}");
        }
    }
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
