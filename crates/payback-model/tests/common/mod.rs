//! Scenarios built in code for the model's tests (no TOML: the model crate reads no files).
#![allow(dead_code)]

use payback_model::Quarter;
use payback_model::scenario::*;

pub fn q(s: &str) -> Quarter {
    Quarter::parse(s).unwrap()
}

pub fn year(y: i32) -> Vec<Quarter> {
    (1..=4).map(|k| Quarter::new(y, k).unwrap()).collect()
}

pub fn generation(
    name: &str,
    launch: &str,
    unit_cost: f64,
    power_kw: f64,
    perf: f64,
) -> Generation {
    Generation {
        name: name.into(),
        launch: q(launch),
        unit_cost,
        power_kw,
        perf,
        availability: 0.95,
        accounting_life_years: 6.0,
        economic_life_years: 5.0,
        pricing_life_years: 5.0,
        salvage: 0.05,
    }
}

/// A representative hyperscaler in miniature: every lever switched on.
pub fn representative() -> Scenario {
    let gens = vec![
        generation("H100", "2023Q1", 35_000.0, 1.3, 1.0),
        generation("B200", "2025Q1", 55_000.0, 1.8, 2.5),
        generation("R100", "2027Q1", 70_000.0, 2.2, 5.0),
        generation("R300", "2029Q1", 80_000.0, 2.5, 9.0),
    ];
    let mut capex = Vec::new();
    for (y, amount, g) in [
        (2023, 30e9, 0),
        (2024, 60e9, 0),
        (2025, 90e9, 1),
        (2026, 150e9, 1),
        (2027, 170e9, 2),
        (2028, 180e9, 2),
        (2029, 180e9, 3),
        (2030, 180e9, 3),
    ] {
        capex.push(Tranche {
            quarters: year(y),
            period_label: y.to_string(),
            amount,
            ai_share: 0.8,
            kind: TrancheKind::Mix {
                accelerators: 0.65,
                facilities: 0.35,
            },
            generation: g,
            lead_time: 2,
        });
    }
    Scenario {
        scenario: Settings {
            name: "representative".into(),
            start: q("2024Q1"),
            end: q("2035Q4"),
            fiscal_year_end: None,
            discount_rate: 0.09,
            tax_rate: 0.18,
            tax: TaxMode::Group,
            terminal: Terminal::Runoff,
            mothball_quarters: 4,
            after_plan: AfterPlan::Replace,
            mix_excess: MixExcess::None,
        },
        generations: gens,
        facilities: Facilities {
            cost_per_mw: 11.7e6,
            facility_lead_time: 4,
            life_years: 20.0,
            pue: 1.25,
            opening_mw: 500.0,
            opening_nbv_per_mw: 6e6,
        },
        capex,
        compute: Compute {
            price_mode: PriceMode::CostPlus,
            market_margin: 0.3,
            expected_utilization: 0.85,
            pricing_power: 0.5,
            markup_cap: 2.0,
            expected_decline: None,
        },
        power: Power {
            price_per_mwh: 75.0,
            escalation: 0.02,
            idle_draw: 0.3,
        },
        opex: Opex { rate: 0.04 },
        open_market: OpenMarket {
            reference_price: 2.4,
            ref_hours: 2.0e9,
            growth: YearPath {
                points: vec![(2024, 0.8), (2027, 0.4), (2030, 0.15)],
            },
            elasticity: -0.5,
            f_max: 5.0,
        },
        counterparties: vec![Counterparty {
            id: "openai".into(),
            name: "OpenAI".into(),
            hazard: 0.04,
        }],
        contracts: vec![Contract {
            name: "lab-a".into(),
            counterparty: Some(0),
            signed: q("2025Q3"),
            start: q("2026Q1"),
            term_years: 5.0,
            ref_accelerators: 400_000.0,
            ramp_years: 2.0,
            price: ContractPrice::TotalValue(30e9),
            take_or_pay: 0.8,
            usage: 0.9,
            prepaid: 0.1,
            renewal_prob: 0.6,
            renewal_repricing: 0.0,
            circular_share: 0.3,
        }],
        pipeline: Pipeline {
            commit_share: 0.3,
            term_years: 3.0,
            reserved_discount: 0.15,
            take_or_pay: 0.9,
            usage: 0.95,
            hazard: 0.01,
        },
        tiers: vec![
            Tier {
                name: "standard".into(),
                share: 0.6,
                premium: 1.0,
                premium_decay: 0.0,
                latest_generation: false,
            },
            Tier {
                name: "low-latency".into(),
                share: 0.25,
                premium: 1.5,
                premium_decay: 0.2,
                latest_generation: false,
            },
            Tier {
                name: "latest-generation".into(),
                share: 0.15,
                premium: 1.8,
                premium_decay: 0.3,
                latest_generation: true,
            },
        ],
        inference: Some(Inference {
            tokens: 2e15,
            growth: YearPath {
                points: vec![(2024, 1.0), (2028, 0.4)],
            },
            price: 2.0,
            price_decline: 0.4,
            min_margin: 0.1,
            tokens_per_ref_hour: 3e6,
            efficiency_gain: 0.35,
            elasticity: -0.7,
            max_tokens: 1e18,
        }),
        agents: Some(Agents {
            market: 80e6,
            seats: 1e6,
            p: 0.03,
            q: 0.4,
            churn: 0.1,
            production_start: q("2027Q1"),
            pilot_share: 0.1,
            pilot_price: 20.0,
            pricing: AgentPricing::Fixed(30.0),
            tokens_per_seat_month: 3e6,
            token_growth: 0.3,
            tokens_per_ref_hour: None,
            noncompute_share: 0.3,
        }),
        equity: vec![EquityStake {
            name: "lab-a-stake".into(),
            counterparty: Some(0),
            opening_stake: 0.1,
            cost_basis: 10e9,
            investments: vec![Investment {
                quarter: q("2026Q1"),
                amount: 5e9,
                valuation: None,
            }],
            valuation: vec![(q("2024Q1"), 100e9), (q("2026Q4"), 500e9)],
        }],
        internal: Internal::Share(0.1),
        debt: vec![],
    }
}
