//! A small hand-made projection for the renderers' unit tests.

use payback_model::finance::{IrrResult, Payback};
use payback_model::projection::{
    BookCover, ContractSeries, Dated, OptionalSeries, Quarterly, RevenueMix, Summary, TierSeries,
    Vintage,
};
use payback_model::{Projection, Quarter};

/// Eight quarters, 2024Q1..=2025Q4, with simple hand-checkable numbers.
pub fn sample_projection() -> Projection {
    let n = 8;
    let start = Quarter::new(2024, 1).unwrap();
    let quarters: Vec<Quarter> = (0..n as i32).map(|k| start.offset(k)).collect();
    let mut q = Quarterly::zeros(n);
    let mut cum = 0.0;
    for i in 0..n {
        let x = i as f64;
        q.fcf[i] = x + 1.0;
        cum += q.fcf[i];
        q.fcf_cumulative[i] = cum;
        q.capacity[i] = 100.0;
        q.served[i] = 50.0 + 5.0 * x;
        q.utilization[i] = q.served[i] / q.capacity[i];
        q.revenue_contracts[i] = 1.0e9;
        q.revenue_tiers[i] = 0.5e9;
        q.revenue[i] = 1.5e9;
        q.capex[i] = 2.0e9;
        q.rpo[i] = 10.0e9 - x * 1.0e9;
        q.p_ref[i] = 2.0 - 0.1 * x;
        q.ebitda[i] = 0.7e9;
        q.power[i] = 0.3e9;
        q.depreciation[i] = 0.4e9;
    }
    let tiers = vec![TierSeries {
        name: "standard".into(),
        served: vec![10.0; n],
        multiplier: vec![1.0; n],
        revenue: vec![0.5e9; n],
    }];
    let contracts = vec![ContractSeries {
        name: "lab-a".into(),
        price: 2.1,
        minimum: 12.0e9,
        revenue: vec![1.0e9; n],
        rpo: q.rpo.clone(),
    }];
    let summary = Summary {
        payback: Payback::Reached {
            period: 5,
            years: 1.4,
            recrossed: false,
        },
        payback_quarter: Some(quarters[5]),
        payback_runoff: Payback::NotWithinHorizon { shortfall: 3.2e9 },
        payback_runoff_quarter: None,
        book_cover: BookCover {
            value: 5.0e9,
            surplus: -1.0e9,
        },
        cash_flow_positive: Some(quarters[0]),
        npv: -1.25e9,
        npv_with_terminal: 2.5e9,
        terminal_value: 4.0e9,
        irr: IrrResult {
            roots: vec![0.031, 0.123],
            primary: Some(0.031),
            multiple: true,
        },
        irr_with_terminal: IrrResult {
            roots: vec![],
            primary: None,
            multiple: false,
        },
        mirr: Some(0.08),
        mirr_with_terminal: None,
        moic: Some(1.45),
        peak_funding: Dated {
            value: -20.0e9,
            quarter: quarters[3],
        },
        peak_rpo: Dated {
            value: 10.0e9,
            quarter: quarters[0],
        },
        revenue_mix: RevenueMix {
            contracts: 8.0e9,
            pipeline: 0.0,
            tiers: vec![("standard".into(), 4.0e9)],
            inference: 0.0,
            agents: 0.0,
            forfeited: 0.0,
            total: 12.0e9,
        },
        circular_share: None,
        economic_recovery: 1.0e9,
        useful_life_gap: -0.5e9,
        expected_decline: 0.2,
        sunk_capex: 0.0,
        capex_total: 16.0e9,
        capex_unspent_total: 0.0,
        debt: None,
    };
    Projection {
        quarters,
        opt: OptionalSeries {
            inference_cost_per_mtok: vec![None; n],
            inference_margin_per_mtok: vec![None; n],
            gross_margin: vec![Some(0.5); n],
            ebitda_margin: vec![Some(0.46); n],
            interest_coverage: vec![None; n],
        },
        q,
        tiers,
        contracts,
        vintages: vec![Vintage {
            year: 2024,
            capex: 8.0e9,
            contribution_cumulative: (0..n).map(|i| i as f64 * 1.0e9).collect(),
            payback: None,
            payback_years: None,
            surplus_at_horizon: -1.0e9,
            price_to_cost: Some(1.1),
        }],
        runoff_flows: vec![1.0e9, 0.5e9],
        summary,
        warnings: vec!["the roadmap ends before the horizon".into()],
    }
}

/// Settings to go with [`sample_projection`].
pub fn sample_settings() -> payback_model::scenario::Settings {
    use payback_model::scenario::{AfterPlan, MixExcess, Settings, TaxMode, Terminal};
    Settings {
        name: "sample".into(),
        start: Quarter::new(2024, 1).unwrap(),
        end: Quarter::new(2025, 4).unwrap(),
        fiscal_year_end: Some(6),
        discount_rate: 0.09,
        tax_rate: 0.18,
        tax: TaxMode::Group,
        terminal: Terminal::Runoff,
        mothball_quarters: 4,
        after_plan: AfterPlan::None,
        mix_excess: MixExcess::None,
    }
}
