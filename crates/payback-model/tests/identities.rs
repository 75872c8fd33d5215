//! Accounting identities that must hold in every quarter of every scenario, checked on
//! variants of a representative scenario and on random valid scenarios (proptest).
mod common;

use payback_model::audit::audit as check;
use payback_model::scenario::*;
use payback_model::{Projection, project};
use proptest::prelude::*;

fn variants() -> Vec<(&'static str, Scenario)> {
    let base = common::representative();
    let mut out = vec![("representative", base.clone())];
    let mut v = base.clone();
    v.scenario.tax = TaxMode::Standalone;
    v.scenario.terminal = Terminal::Book { recovery: 0.5 };
    out.push(("standalone tax, book terminal", v));
    let mut v = base.clone();
    v.scenario.after_plan = AfterPlan::None;
    v.scenario.mix_excess = MixExcess::Accelerators;
    out.push(("no replacement, excess to accelerators", v));
    let mut v = base.clone();
    v.compute.price_mode = PriceMode::Path {
        start_price: 2.4,
        decline: 0.25,
        floor: 0.6,
    };
    out.push(("path pricing", v));
    let mut v = base.clone();
    // Power queue: few shells, long lead time.
    for t in &mut v.capex {
        t.kind = TrancheKind::Mix {
            accelerators: 0.9,
            facilities: 0.1,
        };
    }
    v.facilities.facility_lead_time = 10;
    out.push(("power queue", v));
    let mut v = base.clone();
    // Contracts far beyond capacity: billing scales down, prepayments refunded.
    v.contracts[0].ref_accelerators = 20e6;
    v.contracts[0].price = ContractPrice::PerRefHour(2.0);
    out.push(("contracts beyond capacity", v));
    let mut v = base.clone();
    v.generations[1].economic_life_years = 3.0;
    v.generations[2].economic_life_years = 8.0;
    out.push(("early and late retirement", v));
    let mut v = base.clone();
    v.scenario.tax = TaxMode::Standalone;
    v.debt.push(DebtFacility {
        name: "term-loan".into(),
        draws: vec![DebtDraw {
            quarters: common::year(2025),
            period_label: "2025".into(),
            amount: 40e9,
        }],
        rate: 0.09,
        fee: 0.01,
        grace_years: 1.0,
        maturity_years: 5.0,
        amortisation: Amortisation::Straight,
        min_coverage: Some(2.0),
    });
    out.push(("levered, standalone", v));
    let mut v = base;
    v.inference = None;
    v.agents = None;
    v.equity.clear();
    v.contracts.clear();
    v.counterparties.clear();
    v.internal = Internal::Hours {
        ref_hours: 1e8,
        growth: 0.2,
    };
    out.push(("bare compute", v));
    out
}

#[test]
fn identities_hold_on_every_variant() {
    for (name, s) in variants() {
        let p = project(&s);
        if let Err(e) = check(&p) {
            panic!("{name}: {e}");
        }
    }
}

#[test]
fn contracts_beyond_capacity_report_a_shortfall() {
    let (_, s) = variants()
        .into_iter()
        .find(|v| v.0 == "contracts beyond capacity")
        .unwrap();
    let p = project(&s);
    assert!(p.q.contract_shortfall.iter().any(|&x| x > 0.0));
    assert!(
        p.warnings
            .iter()
            .any(|w| w.contains("could not be delivered"))
    );
    // Undeliverable minimum is cancelled, so RPO still rolls forward (checked above) and the
    // cancellations exceed what the default hazard alone would cancel.
    let cancelled: f64 = p.q.rpo_cancelled.iter().sum();
    assert!(cancelled > 0.0);
}

#[test]
fn power_queue_holds_hardware_at_cost() {
    let (_, s) = variants()
        .into_iter()
        .find(|v| v.0 == "power queue")
        .unwrap();
    let p = project(&s);
    let t =
        p.q.queued_accelerators
            .iter()
            .position(|&x| x > 0.0)
            .expect("a queue forms");
    assert!(p.q.queued_cost[t] > 0.0);
    // Queued hardware never needs more megawatts than facilities provide (checked above), and
    // while it waits the shells are full.
    assert!(p.q.mw_occupied[t] >= p.q.mw_in_service[t] * 0.99);
}

#[test]
fn same_inputs_give_identical_bits() {
    let s = common::representative();
    let a = project(&s);
    let b = project(&s.clone());
    assert_eq!(a, b);
}

fn arb_scenario() -> impl Strategy<Value = Scenario> {
    (
        (
            0.0..0.6f64,
            0.3..1.0f64,
            0.0..1.0f64,
            -1.5..0.0f64,
            0.5..3.0f64,
        ),
        (
            0.0..0.2f64,
            0.0..0.7f64,
            0.2..0.95f64,
            0u32..12,
            1.0..8.0f64,
        ),
        (
            0.0..1.0f64,
            0.0..1.0f64,
            0.0..1.0f64,
            0.0..0.5f64,
            0.0..60.0f64,
        ),
        (any::<bool>(), any::<bool>(), any::<bool>(), 0.0..0.9f64),
    )
        .prop_map(|(a, b, c, d)| {
            let mut s = common::representative();
            s.compute.market_margin = a.0;
            s.compute.expected_utilization = a.1;
            s.compute.pricing_power = a.2;
            s.open_market.elasticity = a.3;
            s.open_market.ref_hours *= a.4;
            s.counterparties[0].hazard = b.0;
            s.pipeline.commit_share = b.1;
            s.scenario.discount_rate = b.2 * 0.2;
            s.facilities.facility_lead_time = b.3;
            s.generations[2].economic_life_years = b.4;
            s.contracts[0].take_or_pay = c.0;
            s.contracts[0].usage = c.1;
            s.contracts[0].renewal_prob = c.2;
            s.pipeline.hazard = c.3;
            if let Some(ag) = &mut s.agents {
                ag.pricing = AgentPricing::Fixed(c.4);
            }
            s.scenario.tax = if d.0 {
                TaxMode::Group
            } else {
                TaxMode::Standalone
            };
            s.scenario.after_plan = if d.1 {
                AfterPlan::Replace
            } else {
                AfterPlan::None
            };
            if d.2 {
                s.compute.price_mode = PriceMode::Path {
                    start_price: 2.5,
                    decline: d.3,
                    floor: 0.0,
                };
            }
            s
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn identities_hold_on_random_scenarios(s in arb_scenario()) {
        let p = project(&s);
        prop_assert!(check(&p).is_ok(), "{:?}", check(&p));
    }

    #[test]
    fn a_higher_agent_price_never_delays_payback(s in arb_scenario(), bump in 1.0..3.0f64) {
        // Agents are served before tiers only when they earn more per hour, so a higher price
        // can only move capacity towards higher value: cumulative FCF cannot fall.
        let mut hi = s.clone();
        if let Some(ag) = &mut hi.agents {
            if let AgentPricing::Fixed(p) = &mut ag.pricing {
                *p *= bump;
            }
            ag.pilot_price *= bump;
        }
        let (a, b) = (project(&s), project(&hi));
        let at = |p: &Projection| p.summary.payback_quarter.map(|q| q.to_string());
        match (at(&a), at(&b)) {
            (Some(x), Some(y)) => prop_assert!(y <= x, "{y} later than {x}"),
            (Some(x), None) => prop_assert!(false, "payback lost (was {x})"),
            _ => {}
        }
    }
}
