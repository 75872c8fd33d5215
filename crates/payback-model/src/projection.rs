//! What a projection produces: quarterly series, the vintage table and the summary.
//!
//! Every quarterly series is declared once in `quarterly_series!` with its name, unit and
//! meaning, so that CSV, JSON, spreadsheets and `payback explain` all list the same columns in
//! the same order. A series that can be undefined (a margin without revenue) is an
//! `Option<f64>` per quarter, never NaN.

use crate::finance::{IrrResult, Payback};
use crate::period::Quarter;

macro_rules! quarterly_series {
    ($( $(#[doc = $doc:literal])* $name:ident : $unit:literal ),* $(,)?) => {
        /// Per-quarter outputs, one `Vec` per series, each as long as `Projection::quarters`.
        #[derive(Debug, Clone, Default, PartialEq)]
        pub struct Quarterly {
            $( $(#[doc = $doc])* pub $name: Vec<f64>, )*
        }

        impl Quarterly {
            /// Every series with its name, unit and description, in a fixed order.
            pub fn columns(&self) -> Vec<Column<'_>> {
                vec![$( Column {
                    name: stringify!($name),
                    unit: $unit,
                    doc: concat!($($doc),*).trim_ascii(),
                    values: &self.$name,
                }, )*]
            }

            /// Names of every series, in column order.
            pub const NAMES: &'static [&'static str] = &[$( stringify!($name) ),*];

            /// A zeroed set of series for `n` quarters.
            pub fn zeros(n: usize) -> Quarterly {
                Quarterly { $( $name: vec![0.0; n], )* }
            }

            /// Make every series `n` zeros, keeping the allocations (repeated projections).
            pub fn reset(&mut self, n: usize) {
                $( self.$name.clear(); self.$name.resize(n, 0.0); )*
            }

            /// Make every series `n` quarters long, keeping the values it has (quarters added
            /// are zero): for a caller that overwrites or has left zero every value it reads.
            pub fn resize(&mut self, n: usize) {
                $( self.$name.resize(n, 0.0); )*
            }

            /// Drop the first `from` quarters of every series, in place (no allocation).
            pub fn trim_front(&mut self, from: usize) {
                $( { let k = from.min(self.$name.len()); self.$name.drain(..k); } )*
            }

            /// [`Quarterly::trim_front`] when only the series flagged in `written` (one flag
            /// per series, in column order) may hold anything but zeros: the others lose
            /// `from` zeros from the back instead, which leaves the same zeros without
            /// moving them.
            pub fn trim_front_written(&mut self, from: usize, written: &[bool]) {
                let mut written = written.iter();
                $( {
                    let k = from.min(self.$name.len());
                    if written.next() == Some(&true) {
                        self.$name.drain(..k);
                    } else {
                        self.$name.truncate(self.$name.len() - k);
                    }
                } )*
            }

            /// The quarters from index `from` on, of every series.
            pub fn slice_from(&self, from: usize) -> Quarterly {
                Quarterly { $( $name: self.$name.get(from..).unwrap_or(&[]).to_vec(), )* }
            }

            /// The series called `name`, if any.
            pub fn get(&self, name: &str) -> Option<&[f64]> {
                match name {
                    $( stringify!($name) => Some(&self.$name), )*
                    _ => None,
                }
            }
        }
    };
}

/// One quarterly series, borrowed, with its metadata.
#[derive(Debug, Clone, Copy)]
pub struct Column<'a> {
    /// Series name (`fcf`).
    pub name: &'static str,
    /// Unit (`USD`, `ref-hours`, `ratio`).
    pub unit: &'static str,
    /// One-line meaning.
    pub doc: &'static str,
    /// One value per quarter.
    pub values: &'a [f64],
}

quarterly_series! {
    /// Sellable reference-accelerator-hours in service: count x perf x 2190 x availability.
    capacity: "ref-hours",
    /// Capacity of the newest generation in service.
    capacity_newest: "ref-hours",
    /// Accelerators in service.
    accelerators_in_service: "accelerators",
    /// Accelerators bought and ready but waiting for megawatts (the power queue).
    queued_accelerators: "accelerators",
    /// Cost of the queued hardware, carried at cost and not depreciated.
    queued_cost: "USD",
    /// Shell megawatts in service.
    mw_in_service: "MW",
    /// Megawatts occupied by accelerators in service.
    mw_occupied: "MW",
    /// Shell megawatts idle (in service, not occupied).
    mw_idle: "MW",
    /// Idle megawatts that are mothballed (no opex).
    mw_mothballed: "MW",
    /// Shell megawatts on order (spent, not yet in service).
    mw_on_order: "MW",
    /// Open-market demand before the pipeline.
    demand_open_market: "ref-hours",
    /// Open-market demand left for the tiers after the pipeline held.
    demand_tiers: "ref-hours",
    /// Hours reserved (held) under named contracts, expected over survival and renewals.
    demand_contracts: "ref-hours",
    /// Hours reserved (held) under the pipeline, expected over its hazard.
    demand_pipeline: "ref-hours",
    /// Compute demanded by inference.
    demand_inference: "ref-hours",
    /// Compute demanded by agents.
    demand_agents: "ref-hours",
    /// Compute demanded for internal use.
    demand_internal: "ref-hours",
    /// Hours served to named contracts.
    served_contracts: "ref-hours",
    /// Hours served to the pipeline.
    served_pipeline: "ref-hours",
    /// Hours served to inference.
    served_inference: "ref-hours",
    /// Hours served to agents.
    served_agents: "ref-hours",
    /// Hours served to internal use.
    served_internal: "ref-hours",
    /// Hours served to the open-market tiers.
    served_tiers: "ref-hours",
    /// All hours served.
    served: "ref-hours",
    /// Demand not served for lack of capacity.
    unserved: "ref-hours",
    /// Reserved contract hours that could not be delivered.
    contract_shortfall: "ref-hours",
    /// Served / capacity (0 before any capacity).
    utilization: "ratio",
    /// Market price of a reference-hour before markup.
    p_ref: "USD/ref-hour",
    /// Price the open-market calibration expected.
    p_ref_expected: "USD/ref-hour",
    /// Scarcity markup.
    markup: "ratio",
    /// Revenue from named contracts.
    revenue_contracts: "USD",
    /// Revenue from the pipeline.
    revenue_pipeline: "USD",
    /// Revenue from all premium tiers.
    revenue_tiers: "USD",
    /// Revenue from inference.
    revenue_inference: "USD",
    /// Revenue from agents.
    revenue_agents: "USD",
    /// Prepaid revenue of defaulted contracts, forfeited to the company.
    revenue_forfeited: "USD",
    /// Total revenue.
    revenue: "USD",
    /// Revenue funded by the company's own investment in the buyer.
    revenue_circular: "USD",
    /// Electricity.
    power: "USD",
    /// Data-center opex (on gross capex in service).
    opex_datacenter: "USD",
    /// Agents' non-compute cost.
    opex_agents: "USD",
    /// All opex.
    opex: "USD",
    /// Revenue - power - opex.
    ebitda: "USD",
    /// Book depreciation of accelerators.
    depreciation_accelerators: "USD",
    /// Book depreciation of shells.
    depreciation_facilities: "USD",
    /// All book depreciation.
    depreciation: "USD",
    /// Net book value less salvage written off at early retirement.
    impairment: "USD",
    /// Economic depreciation (accelerators at market value, shells at book).
    economic_depreciation: "USD",
    /// EBITDA - depreciation - impairment.
    ebit: "USD",
    /// Tax (negative = a benefit to the group).
    tax: "USD",
    /// Tax losses carried forward (standalone tax).
    tax_losses_carried: "USD",
    /// Deferred revenue balance (prepayments not yet recognised).
    deferred_revenue: "USD",
    /// Change in deferred revenue.
    deferred_revenue_change: "USD",
    /// EBITDA - tax + change in deferred revenue.
    ocf: "USD",
    /// Capex on accelerators.
    capex_accelerators: "USD",
    /// Capex on shells.
    capex_facilities: "USD",
    /// All capex (AI share).
    capex: "USD",
    /// Facility budget of split tranches left unspent.
    capex_unspent: "USD",
    /// Salvage cash at retirement.
    salvage: "USD",
    /// OCF - capex + salvage.
    fcf: "USD",
    /// Cumulative FCF from the start.
    fcf_cumulative: "USD",
    /// Cumulative discounted FCF (to the start of the first quarter).
    fcf_discounted_cumulative: "USD",
    /// FCF less circular revenue after tax.
    fcf_ex_circular: "USD",
    /// Cash invested in equity stakes.
    equity_investment: "USD",
    /// FCF - equity investments.
    economic_fcf: "USD",
    /// Mark-to-model value of equity stakes.
    equity_mark: "USD",
    /// Debt drawn.
    debt_draws: "USD",
    /// Debt repaid.
    debt_repayment: "USD",
    /// Interest on the opening debt balance.
    debt_interest: "USD",
    /// Upfront fees on draws.
    debt_fees: "USD",
    /// Debt outstanding at the end of the quarter.
    debt_balance: "USD",
    /// FCF + draws - repayments - interest + interest tax shield - fees.
    levered_fcf: "USD",
    /// Remaining performance obligations (contractual minimum not yet recognised).
    rpo: "USD",
    /// Risk-adjusted RPO (expected recognised minimum).
    rpo_risk_adjusted: "USD",
    /// Minimum value booked this quarter.
    bookings: "USD",
    /// Minimum recognised this quarter.
    rpo_recognised: "USD",
    /// Minimum cancelled this quarter (undeliverable, expected default loss).
    rpo_cancelled: "USD",
    /// Quarter revenue x 4.
    run_rate: "USD/year",
    /// Tokens served.
    inference_tokens: "tokens",
    /// Inference price kept by the company.
    inference_price: "USD/Mtok",
    /// Inference price floor (lagged cost-plus floor).
    inference_price_floor: "USD/Mtok",
    /// Tokens per reference-hour.
    tokens_per_ref_hour: "tokens/ref-hour",
    /// Agent seats.
    agent_seats: "seats",
    /// Agent price per seat-month.
    agent_price: "USD/seat-month",
    /// Net book value of accelerators in service.
    nbv_accelerators: "USD",
    /// Net book value of shells.
    nbv_facilities: "USD",
    /// Cost of hardware placed in service, cumulative (history included).
    hardware_placed_cost: "USD",
    /// Book depreciation of accelerators, cumulative (history included).
    hardware_depreciation_cumulative: "USD",
    /// Impairment, cumulative (history included).
    impairment_cumulative: "USD",
    /// Salvage received, cumulative (history included).
    salvage_cumulative: "USD",
}

/// Per-quarter figures that can be undefined (`None`), never NaN.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OptionalSeries {
    /// Cost per million tokens: (power + opex + book depreciation) per served hour x inference
    /// hours / tokens x 1e6.
    pub inference_cost_per_mtok: Vec<Option<f64>>,
    /// Price - cost per million tokens.
    pub inference_margin_per_mtok: Vec<Option<f64>>,
    /// (revenue - power - depreciation) / revenue.
    pub gross_margin: Vec<Option<f64>>,
    /// EBITDA / revenue.
    pub ebitda_margin: Vec<Option<f64>>,
    /// EBITDA / interest, in quarters with interest.
    pub interest_coverage: Vec<Option<f64>>,
}

/// Revenue of one premium tier.
#[derive(Debug, Clone, PartialEq)]
pub struct TierSeries {
    /// Tier name.
    pub name: String,
    /// Hours served.
    pub served: Vec<f64>,
    /// Price multiplier m_t.
    pub multiplier: Vec<f64>,
    /// Revenue.
    pub revenue: Vec<f64>,
}

/// Revenue and RPO of one named contract (renewals included).
#[derive(Debug, Clone, PartialEq)]
pub struct ContractSeries {
    /// Contract name.
    pub name: String,
    /// Price per reference-hour of the first term.
    pub price: f64,
    /// Committed minimum of the first term, USD.
    pub minimum: f64,
    /// Revenue (expected).
    pub revenue: Vec<f64>,
    /// RPO.
    pub rpo: Vec<f64>,
}

/// The payback of one capex year's accelerators.
#[derive(Debug, Clone, PartialEq)]
pub struct Vintage {
    /// Calendar year of the spend.
    pub year: i32,
    /// Accelerator capex of the year (AI share), USD.
    pub capex: f64,
    /// Contribution, cumulative, by quarter of the projection.
    pub contribution_cumulative: Vec<f64>,
    /// First quarter whose cumulative contribution covers the capex.
    pub payback: Option<Quarter>,
    /// Years from the middle of the spend year to payback.
    pub payback_years: Option<f64>,
    /// Cumulative contribution at the horizon less capex (negative = shortfall).
    pub surplus_at_horizon: f64,
    /// Price of a reference-hour at spend over the vintage's own levelised full cost.
    pub price_to_cost: Option<f64>,
}

/// How the book terminal value compares with the shortfall at the horizon.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct BookCover {
    /// Net book value x recovery at the horizon.
    pub value: f64,
    /// Value - shortfall (negative: not covered).
    pub surplus: f64,
}

/// A figure and the quarter where it occurs.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Dated {
    /// The figure.
    pub value: f64,
    /// When.
    pub quarter: Quarter,
}

/// Totals by lever over the horizon.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RevenueMix {
    /// Named contracts.
    pub contracts: f64,
    /// Pipeline.
    pub pipeline: f64,
    /// Premium tiers, each (name, revenue).
    pub tiers: Vec<(String, f64)>,
    /// Inference.
    pub inference: f64,
    /// Agents.
    pub agents: f64,
    /// Forfeited prepayments.
    pub forfeited: f64,
    /// Sum.
    pub total: f64,
}

/// Headline results.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// Programme payback without terminal value: the headline.
    pub payback: Payback,
    /// Quarter of the headline payback, when reached.
    pub payback_quarter: Option<Quarter>,
    /// Programme payback with the runoff's cash flows appended after the horizon.
    pub payback_runoff: Payback,
    /// Quarter of the runoff payback, when reached (may be after the horizon).
    pub payback_runoff_quarter: Option<Quarter>,
    /// Whether the book terminal value covers the shortfall.
    pub book_cover: BookCover,
    /// First quarter from which FCF stays non-negative.
    pub cash_flow_positive: Option<Quarter>,
    /// NPV of FCF at the discount rate, to the start of the first quarter.
    pub npv: f64,
    /// NPV with the terminal value.
    pub npv_with_terminal: f64,
    /// Terminal value at the horizon (by the scenario's mode).
    pub terminal_value: f64,
    /// Annual IRR of FCF.
    pub irr: IrrResult,
    /// Annual IRR with the terminal value added to the last quarter.
    pub irr_with_terminal: IrrResult,
    /// Annual MIRR (finance and reinvestment at the discount rate).
    pub mirr: Option<f64>,
    /// Annual MIRR with the terminal value.
    pub mirr_with_terminal: Option<f64>,
    /// (sum OCF + terminal value) / sum capex; `None` without capex.
    pub moic: Option<f64>,
    /// Peak funding need: minus the lowest cumulative FCF (a positive amount; 0 if the
    /// cumulative never goes negative), and the quarter of that low.
    pub peak_funding: Dated,
    /// Highest RPO, and when.
    pub peak_rpo: Dated,
    /// Revenue by lever over the horizon.
    pub revenue_mix: RevenueMix,
    /// Circular revenue / total revenue; `None` without revenue.
    pub circular_share: Option<f64>,
    /// Sum of economic FCF + equity mark at the end - mark at the start.
    pub economic_recovery: f64,
    /// Cumulative (book depreciation + impairment) - economic depreciation.
    pub useful_life_gap: f64,
    /// Expected annual decline of the reference price used by pricing and demand.
    pub expected_decline: f64,
    /// Capex before the start (sunk, excluded from FCF).
    pub sunk_capex: f64,
    /// Capex within the horizon.
    pub capex_total: f64,
    /// Unspent facility budget within the horizon.
    pub capex_unspent_total: f64,
    /// Financing, when the scenario has debt.
    pub debt: Option<DebtSummary>,
}

/// Financing figures over the horizon.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct DebtSummary {
    /// Highest debt outstanding, and when.
    pub peak_balance: Dated,
    /// Debt outstanding at the horizon.
    pub balance_at_horizon: f64,
    /// Interest paid within the horizon.
    pub interest_total: f64,
    /// Lowest EBITDA / interest, and when (quarters with interest).
    pub min_coverage: Option<Dated>,
    /// First quarter whose coverage is below a facility's covenant.
    pub first_breach: Option<Quarter>,
    /// Quarters in breach.
    pub breach_quarters: usize,
    /// NPV of levered FCF at the discount rate.
    pub npv_levered: f64,
    /// Programme payback of levered FCF.
    pub payback_levered: Payback,
}

/// The whole output of [`crate::project`].
#[derive(Debug, Clone, PartialEq)]
pub struct Projection {
    /// The projected quarters, `start ..= end`.
    pub quarters: Vec<Quarter>,
    /// Quarterly series.
    pub q: Quarterly,
    /// Series that may be undefined.
    pub opt: OptionalSeries,
    /// Per premium tier.
    pub tiers: Vec<TierSeries>,
    /// Per named contract.
    pub contracts: Vec<ContractSeries>,
    /// Vintage table, by capex year.
    pub vintages: Vec<Vintage>,
    /// Runoff cash flows after the horizon (after tax, salvage included), by quarter.
    pub runoff_flows: Vec<f64>,
    /// Headline figures.
    pub summary: Summary,
    /// Things the user should know (roadmap ends before the horizon, price below cost...).
    pub warnings: Vec<String>,
}
