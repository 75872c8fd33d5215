//! A hand-computed golden scenario: one shell, one tranche of accelerators, one contract,
//! one tier, four quarters. Every expected figure below is worked out in the comments from
//! the formulas in docs/model/; the test compares the engine with that arithmetic.
//!
//! Inputs
//! - horizon 2024Q1..=2024Q4; discount rate 0 (so NPV = sum of FCF); tax 25 %, group.
//! - generation G: launch 2024Q1, $10,000 per accelerator, 1 kW, perf 1, availability 1,
//!   accounting and economic life 1 year (4 quarters), salvage 0.
//! - shells: $2M per MW, lead time 0, life 2 years (8 quarters), PUE 1.
//! - capex 2024Q1: $200,000 of facilities (0.1 MW) and $1,000,000 of accelerators
//!   (100 accelerators, 0.1 MW), lead time 0.
//! - price: path mode, $3.00 per reference-hour, no decline; pricing power 0 (markup 1).
//! - power $100/MWh, idle draw 0; opex 4 % a year (1 % a quarter).
//! - open market: 100,000 reference-hours a quarter, no growth, elasticity 0.
//! - contract "c": 20 reference accelerators, 2024Q1 for 1 year, $1.50/h, take-or-pay 0.5,
//!   usage 0.8, no prepayment, no renewal, no counterparty.
//! - one tier "standard" (share 1, premium 1).
//!
//! Each quarter (all four alike)
//! - capacity = 100 x 1 x 2190 x 1 = 219,000 h.
//! - contract reserves 20 x 2190 = 43,800 h; uses 0.8 x 43,800 = 35,040 h;
//!   revenue = 43,800 x 1.50 x max(0.8, 0.5) = 52,560; minimum = 43,800 x 0.5 x 1.50 = 32,850.
//! - left after the reservation: 219,000 - 43,800 = 175,200 h; the tier serves its demand
//!   100,000 h at 3.00 x 1 x 1 = 300,000.
//! - served = 135,040 h; utilization = 135,040 / 219,000 = 0.616621...
//! - revenue = 352,560.
//! - power = 0.1 MW x PUE 1 x (0 + 1 x 0.616621) x 2190 h x $100 = 13,504.
//! - opex = 0.01 x (1,000,000 + 200,000) = 12,000.
//! - EBITDA = 352,560 - 13,504 - 12,000 = 327,056.
//! - depreciation = 1,000,000 / 4 + 200,000 / 8 = 250,000 + 25,000 = 275,000.
//! - EBIT = 52,056; tax = 0.25 x 52,056 = 13,014; OCF = 314,042.
//! - FCF: 2024Q1 = 314,042 - 1,200,000 = -885,958; then 314,042.
//! - cumulative: -885,958; -571,916; -257,874; +56,168.
//! - payback in 2024Q4 (index 3): f = 257,874 / 314,042 = 0.8211449...;
//!   years = (3 + f) / 4 = 0.9552862...
//! - RPO: booked 4 x 32,850 = 131,400 in 2024Q1; then 98,550; 65,700; 32,850; 0.
//! - vintage 2024: contribution = 352,560 (all revenue, the cohort is the whole fleet)
//!   less 13,504 power, 10,000 opex on its own cost and 0.1 MW x $2M / 8 shell rent
//!   (25,000), so 304,056 a quarter; cumulative 912,168 after three quarters, 1,216,224
//!   after four: it pays back its 1,000,000 in 2024Q4 with a surplus of 216,224.
//! - economic depreciation: the price never moves, so value = cost x life left:
//!   750,000 after Q1 -> 250,000 a quarter, equal to book: useful-life gap 0.
//! - MOIC = 4 x 314,042 / 1,200,000 = 1.0468066...
mod common;

use payback_model::finance::Payback;
use payback_model::project;
use payback_model::scenario::*;

fn golden() -> Scenario {
    let q = common::q;
    Scenario {
        scenario: Settings {
            name: "golden".into(),
            start: q("2024Q1"),
            end: q("2024Q4"),
            fiscal_year_end: None,
            discount_rate: 0.0,
            tax_rate: 0.25,
            tax: TaxMode::Group,
            terminal: Terminal::None,
            mothball_quarters: 4,
            after_plan: AfterPlan::None,
            mix_excess: MixExcess::None,
        },
        generations: vec![Generation {
            name: "G".into(),
            launch: q("2024Q1"),
            unit_cost: 10_000.0,
            power_kw: 1.0,
            perf: 1.0,
            availability: 1.0,
            accounting_life_years: 1.0,
            economic_life_years: 1.0,
            pricing_life_years: 1.0,
            salvage: 0.0,
        }],
        facilities: Facilities {
            cost_per_mw: 2e6,
            facility_lead_time: 0,
            life_years: 2.0,
            pue: 1.0,
            opening_mw: 0.0,
            opening_nbv_per_mw: 0.0,
        },
        capex: vec![
            Tranche {
                quarters: vec![q("2024Q1")],
                period_label: "2024Q1".into(),
                amount: 200_000.0,
                ai_share: 1.0,
                kind: TrancheKind::Facilities,
                generation: 0,
                lead_time: 0,
            },
            Tranche {
                quarters: vec![q("2024Q1")],
                period_label: "2024Q1".into(),
                amount: 1_000_000.0,
                ai_share: 1.0,
                kind: TrancheKind::Accelerators,
                generation: 0,
                lead_time: 0,
            },
        ],
        compute: Compute {
            price_mode: PriceMode::Path {
                start_price: 3.0,
                decline: 0.0,
                floor: 0.0,
            },
            market_margin: 0.3,
            expected_utilization: 0.85,
            pricing_power: 0.0,
            markup_cap: 2.0,
            expected_decline: None,
        },
        power: Power {
            price_per_mwh: 100.0,
            escalation: 0.0,
            idle_draw: 0.0,
        },
        opex: Opex { rate: 0.04 },
        open_market: OpenMarket {
            reference_price: 3.0,
            ref_hours: 100_000.0,
            growth: YearPath {
                points: vec![(2024, 0.0)],
            },
            elasticity: 0.0,
            f_max: 5.0,
        },
        counterparties: vec![],
        contracts: vec![Contract {
            name: "c".into(),
            counterparty: None,
            signed: q("2024Q1"),
            start: q("2024Q1"),
            term_years: 1.0,
            ref_accelerators: 20.0,
            ramp_years: 0.0,
            price: ContractPrice::PerRefHour(1.5),
            take_or_pay: 0.5,
            usage: 0.8,
            prepaid: 0.0,
            renewal_prob: 0.0,
            renewal_repricing: 0.0,
            circular_share: 0.0,
        }],
        pipeline: Pipeline {
            commit_share: 0.0,
            term_years: 3.0,
            reserved_discount: 0.2,
            take_or_pay: 1.0,
            usage: 1.0,
            hazard: 0.0,
        },
        tiers: vec![Tier {
            name: "standard".into(),
            share: 1.0,
            premium: 1.0,
            premium_decay: 0.0,
            latest_generation: false,
        }],
        inference: None,
        agents: None,
        equity: vec![],
        internal: Internal::None,
        debt: vec![],
    }
}

fn assert_eq_f(got: f64, want: f64, what: &str) {
    assert!(
        (got - want).abs() <= 1e-9 * want.abs().max(1.0),
        "{what}: got {got}, want {want}"
    );
}

#[test]
fn golden_quarters() {
    let p = project(&golden());
    let q = &p.q;
    assert_eq!(p.quarters.len(), 4);
    for t in 0..4 {
        assert_eq_f(q.capacity[t], 219_000.0, "capacity");
        assert_eq_f(q.served_contracts[t], 35_040.0, "contract hours used");
        assert_eq_f(q.served_tiers[t], 100_000.0, "tier hours");
        assert_eq_f(q.utilization[t], 135_040.0 / 219_000.0, "utilization");
        assert_eq_f(q.revenue_contracts[t], 52_560.0, "contract revenue");
        assert_eq_f(q.revenue_tiers[t], 300_000.0, "tier revenue");
        assert_eq_f(q.revenue[t], 352_560.0, "revenue");
        assert_eq_f(q.power[t], 13_504.0, "power");
        assert_eq_f(q.opex[t], 12_000.0, "opex");
        assert_eq_f(q.ebitda[t], 327_056.0, "EBITDA");
        assert_eq_f(q.depreciation[t], 275_000.0, "depreciation");
        assert_eq_f(q.ebit[t], 52_056.0, "EBIT");
        assert_eq_f(q.tax[t], 13_014.0, "tax");
        assert_eq_f(q.ocf[t], 314_042.0, "OCF");
        assert_eq_f(q.markup[t], 1.0, "markup");
        assert_eq_f(
            q.economic_depreciation[t],
            275_000.0,
            "economic depreciation",
        );
    }
    let fcf = [-885_958.0, 314_042.0, 314_042.0, 314_042.0];
    let cum = [-885_958.0, -571_916.0, -257_874.0, 56_168.0];
    let rpo = [98_550.0, 65_700.0, 32_850.0, 0.0];
    for t in 0..4 {
        assert_eq_f(q.fcf[t], fcf[t], "FCF");
        assert_eq_f(q.fcf_cumulative[t], cum[t], "cumulative FCF");
        assert_eq_f(q.rpo[t], rpo[t], "RPO");
        assert_eq_f(q.rpo_recognised[t], 32_850.0, "recognised minimum");
    }
    assert_eq_f(q.bookings[0], 131_400.0, "bookings");
    assert_eq_f(q.capex[0], 1_200_000.0, "capex");
}

#[test]
fn golden_summary() {
    let p = project(&golden());
    let s = &p.summary;
    match s.payback {
        Payback::Reached {
            period,
            years,
            recrossed,
        } => {
            assert_eq!(period, 3);
            assert_eq_f(years, (3.0 + 257_874.0 / 314_042.0) / 4.0, "payback years");
            assert!(!recrossed);
        }
        ref other => panic!("expected payback, got {other:?}"),
    }
    assert_eq!(s.payback_quarter.unwrap().to_string(), "2024Q4");
    assert_eq!(s.cash_flow_positive.unwrap().to_string(), "2024Q2");
    assert_eq_f(s.npv, 56_168.0, "NPV at 0 %");
    assert_eq_f(s.peak_funding.value, 885_958.0, "peak funding");
    assert_eq!(s.peak_funding.quarter.to_string(), "2024Q1");
    assert_eq_f(s.moic.unwrap(), 4.0 * 314_042.0 / 1_200_000.0, "MOIC");
    assert_eq_f(s.useful_life_gap, 0.0, "useful-life gap");
    assert_eq_f(s.peak_rpo.value, 98_550.0, "peak RPO");
    let v = &p.vintages[0];
    assert_eq!(v.year, 2024);
    assert_eq_f(v.capex, 1_000_000.0, "vintage capex");
    assert_eq!(v.payback.unwrap().to_string(), "2024Q4");
    assert_eq_f(v.surplus_at_horizon, 216_224.0, "vintage surplus");
    assert_eq_f(
        v.contribution_cumulative[2],
        912_168.0,
        "vintage contribution after Q3",
    );
    // The IRR is the rate at which the quarterly flows' NPV is zero.
    let irr = s.irr.primary.expect("one sign change: one IRR");
    assert!(!s.irr.multiple);
    let npv = payback_model::finance::npv_quarterly(irr, &fcf_of(&p));
    assert!(npv.abs() < 1e-3, "NPV at the IRR: {npv}");
}

fn fcf_of(p: &payback_model::Projection) -> Vec<f64> {
    p.q.fcf.clone()
}

#[test]
fn explain_breaks_fcf_into_its_formula() {
    use payback_model::explain::{ExplainError, explain};
    let s = golden();
    let p = project(&s);
    let e = explain(&s, &p, "fcf", common::q("2024Q1")).unwrap();
    assert_eq!(e.formula, "ocf - capex + salvage");
    assert_eq_f(e.value, -885_958.0, "fcf");
    let [ocf, capex, salvage] = [&e.terms[0], &e.terms[1], &e.terms[2]];
    assert_eq_f(
        ocf.value - capex.value + salvage.value,
        e.value,
        "terms make the figure",
    );
    // OCF expands to EBITDA, tax and deferred revenue; EBITDA to revenue, power and opex.
    let ebitda = &ocf.terms[0];
    assert_eq!(ebitda.label, "ebitda");
    assert_eq_f(
        ebitda.terms[0].value - ebitda.terms[1].value - ebitda.terms[2].value,
        327_056.0,
        "EBITDA terms",
    );
    // The power price is traced to its inputs.
    let power = &ebitda.terms[1];
    assert!(
        power
            .terms
            .iter()
            .any(|t| t.input.as_deref() == Some("facilities.pue"))
    );
    match explain(&s, &p, "fcff", common::q("2024Q1")) {
        Err(ExplainError::UnknownFigure { suggestions, .. }) => {
            assert!(
                suggestions.contains(&"`fcf`".to_string()),
                "{suggestions:?}"
            )
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        explain(&s, &p, "fcf", common::q("2030Q1")),
        Err(ExplainError::OutsideHorizon { .. })
    ));
}

/// Financing on the golden scenario. One draw of $1,000 in 2024Q1 at a rate whose quarterly
/// equivalent is 2 % (annual 1.02^4 - 1), a 1 % fee, one quarter of grace, maturity after three
/// quarters, straight amortisation, covenant EBITDA / interest >= 20,000:
/// - 2024Q1: drawn 1,000 (end of quarter, no interest), fee 10; balance 1,000.
/// - 2024Q2: interest 1,000 x 0.02 = 20, no repayment (grace); balance 1,000.
/// - 2024Q3: interest 20, repay 1,000 / (3 - 1) = 500; balance 500.
/// - 2024Q4: interest 500 x 0.02 = 10, repay 500; balance 0.
///
/// Levered FCF = FCF + draws - repayments - interest + 25 % x interest - fees:
/// -885,958 + 1,000 - 10 = -884,968; 314,042 - 20 + 5 = 314,027;
/// 314,042 - 500 - 20 + 5 = 313,527; 314,042 - 500 - 10 + 2.5 = 313,534.5.
///
/// Coverage = EBITDA 327,056 / interest: 16,352.8 (Q2, Q3: below 20,000) and 32,705.6 (Q4).
#[test]
fn golden_debt() {
    let mut s = golden();
    s.debt.push(DebtFacility {
        name: "loan".into(),
        draws: vec![DebtDraw {
            quarters: vec![common::q("2024Q1")],
            period_label: "2024Q1".into(),
            amount: 1_000.0,
        }],
        rate: libm::pow(1.02, 4.0) - 1.0,
        fee: 0.01,
        grace_years: 0.25,
        maturity_years: 0.75,
        amortisation: Amortisation::Straight,
        min_coverage: Some(20_000.0),
    });
    let p = project(&s);
    let q = &p.q;
    let balance = [1_000.0, 1_000.0, 500.0, 0.0];
    let interest = [0.0, 20.0, 20.0, 10.0];
    let repaid = [0.0, 0.0, 500.0, 500.0];
    let levered = [-884_968.0, 314_027.0, 313_527.0, 313_534.5];
    for t in 0..4 {
        assert!((q.debt_balance[t] - balance[t]).abs() < 1e-9, "balance {t}");
        assert!(
            (q.debt_interest[t] - interest[t]).abs() < 1e-9,
            "interest {t}: {}",
            q.debt_interest[t]
        );
        assert!((q.debt_repayment[t] - repaid[t]).abs() < 1e-9, "repaid {t}");
        assert_eq_f(q.levered_fcf[t], levered[t], "levered FCF");
    }
    // Unlevered FCF is unchanged by financing.
    assert_eq_f(q.fcf[0], -885_958.0, "unlevered FCF");
    let d = p.summary.debt.as_ref().expect("debt summary");
    assert_eq!(d.first_breach.unwrap().to_string(), "2024Q2");
    assert_eq!(d.breach_quarters, 2);
    assert_eq_f(
        d.min_coverage.unwrap().value,
        327_056.0 / 20.0,
        "min coverage",
    );
    assert_eq_f(d.interest_total, 50.0, "interest total");
    assert_eq_f(d.peak_balance.value, 1_000.0, "peak debt");
    assert!(payback_model::audit::audit(&p).is_ok());
}
