//! The validated inputs of one projection: a company's AI build-out as plain values.
//!
//! These types hold no spans, no provenance and no file names: `payback-input` reads TOML,
//! checks every value and builds a [`Scenario`]; provenance stays in the input layer, keyed by
//! parameter path. Field names are the scenario file's keys (see `docs/scenario.md`), and every
//! numeric field has a parameter path (`inference.price_decline`,
//! `generations.B200.unit_cost`) through [`crate::params`].
//!
//! Units are in the field docs: money in US dollars, rates as annual decimals, durations in
//! years unless the name says quarters.

use crate::period::Quarter;

/// One company's AI infrastructure business, ready to project.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    /// Horizon, discounting, tax and terminal value.
    pub scenario: Settings,
    /// Accelerator generations on the roadmap, in launch order.
    pub generations: Vec<Generation>,
    /// The data-center shell (facility) economics.
    pub facilities: Facilities,
    /// Capex tranches, in file order (history dated before `start` included).
    pub capex: Vec<Tranche>,
    /// Market price of a reference accelerator-hour, and scarcity markup.
    pub compute: Compute,
    /// Electricity.
    pub power: Power,
    /// Non-power data-center opex.
    pub opex: Opex,
    /// Open-market demand for reference-hours.
    pub open_market: OpenMarket,
    /// Declared counterparties (frontier labs and other large buyers).
    pub counterparties: Vec<Counterparty>,
    /// Named contracts (mega-deals).
    pub contracts: Vec<Contract>,
    /// The pipeline of many smaller commitments.
    pub pipeline: Pipeline,
    /// Premium tiers that split the open-market demand left after the pipeline.
    pub tiers: Vec<Tier>,
    /// The company's own inference business (tokens), if any.
    pub inference: Option<Inference>,
    /// Enterprise agents (seats), if any.
    pub agents: Option<Agents>,
    /// Equity stakes in frontier labs.
    pub equity: Vec<EquityStake>,
    /// Internal use of capacity (own training and R&D), no revenue.
    pub internal: Internal,
    /// Debt facilities (financing); empty = unlevered.
    pub debt: Vec<DebtFacility>,
}

/// `[scenario]`: horizon, discounting, tax and terminal value.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// Display name.
    pub name: String,
    /// First projected quarter (default 2024Q1). Inputs dated earlier are history.
    pub start: Quarter,
    /// Last projected quarter (default 2035Q4).
    pub end: Quarter,
    /// Month (1..=12) in which the company's fiscal year ends, if it reports fiscal periods.
    pub fiscal_year_end: Option<u32>,
    /// Annual discount rate (decimal).
    pub discount_rate: f64,
    /// Tax rate on EBIT (decimal).
    pub tax_rate: f64,
    /// How losses are taxed.
    pub tax: TaxMode,
    /// How value beyond the horizon is counted (never inside FCF).
    pub terminal: Terminal,
    /// Quarters a shell megawatt must stay idle before it is mothballed (no opex). Default 4.
    pub mothball_quarters: u32,
    /// What happens to megawatts freed after the last tranche.
    pub after_plan: AfterPlan,
    /// What the unspent facility part of a split tranche does.
    pub mix_excess: MixExcess,
}

/// Tax treatment of losses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaxMode {
    /// Losses offset the group's other profits at once: negative tax is a cash benefit.
    Group,
    /// Losses are carried forward against later profits of this business alone.
    Standalone,
}

/// Terminal value at the horizon.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Terminal {
    /// No value beyond the horizon.
    None,
    /// Net book value at the horizon times `recovery` (decimal).
    Book {
        /// Share of net book value recovered.
        recovery: f64,
    },
    /// Each cohort bought by the horizon runs off over its economic life at the fleet's margin.
    Runoff,
}

/// Megawatts freed by retirements after the last tranche.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterPlan {
    /// Left empty.
    None,
    /// Refilled with the newest generation on sale, bought `lead_time` ahead.
    Replace,
}

/// The part of a split tranche's facility budget not needed for megawatts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MixExcess {
    /// Not spent (reported).
    None,
    /// Buys more accelerators of the tranche's generation.
    Accelerators,
}

/// `[[generations]]`: one accelerator generation (server, accelerator and network share).
#[derive(Debug, Clone, PartialEq)]
pub struct Generation {
    /// Unique name, referenced by tranches and contracts (`B200`).
    pub name: String,
    /// First quarter it is on sale.
    pub launch: Quarter,
    /// USD per accelerator, all-in (server, network share).
    pub unit_cost: f64,
    /// IT power per accelerator, kW.
    pub power_kw: f64,
    /// Performance in reference accelerators (H100 = 1).
    pub perf: f64,
    /// Share of time in service that is sellable (decimal). Default 0.95.
    pub availability: f64,
    /// Book (accounting) depreciation life, years.
    pub accounting_life_years: f64,
    /// Economic life: when it retires, years. Default: the accounting life.
    pub economic_life_years: f64,
    /// Life over which cost-plus pricing recovers the capital, years. Default: economic life.
    pub pricing_life_years: f64,
    /// Salvage value as a share of unit cost, received at retirement.
    pub salvage: f64,
}

/// `[facilities]`: data-center shells (IT megawatts).
#[derive(Debug, Clone, PartialEq)]
pub struct Facilities {
    /// USD per megawatt of IT (critical) load.
    pub cost_per_mw: f64,
    /// Quarters from spend to service (power, permitting, construction).
    pub facility_lead_time: u32,
    /// Book life of a shell, years.
    pub life_years: f64,
    /// Power usage effectiveness: multiplies electricity bought, not megawatts occupied.
    pub pue: f64,
    /// Megawatts in service at the first simulated quarter (the earliest dated input, or
    /// `start`), not bought by any tranche.
    pub opening_mw: f64,
    /// Net book value per opening megawatt, USD, depreciated straight-line over the full
    /// `life_years` from the first simulated quarter (the remaining life is not known).
    pub opening_nbv_per_mw: f64,
}

/// What a tranche buys.
#[derive(Debug, Clone, PartialEq)]
pub enum TrancheKind {
    /// Only data-center shells.
    Facilities,
    /// Only accelerator systems.
    Accelerators,
    /// Split by a mix; the facility share is a cap, not a quota.
    Mix {
        /// Share to accelerators.
        accelerators: f64,
        /// Share to facilities (a cap).
        facilities: f64,
    },
}

/// `[[capex]]`: a dated amount of capital spending.
#[derive(Debug, Clone, PartialEq)]
pub struct Tranche {
    /// The calendar quarters the amount is spread over evenly.
    pub quarters: Vec<Quarter>,
    /// The period as written (for reports).
    pub period_label: String,
    /// Total amount over the period, USD (the whole company's, before `ai_share`).
    pub amount: f64,
    /// Share of the amount that is AI infrastructure (decimal).
    pub ai_share: f64,
    /// What it buys.
    pub kind: TrancheKind,
    /// Index into `Scenario::generations` of the accelerators bought (required unless
    /// `kind` is `Facilities`; ignored then).
    pub generation: usize,
    /// Quarters from spend until the accelerators are ready.
    pub lead_time: u32,
}

/// Pricing mode of the reference-hour.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PriceMode {
    /// Levelised full cost of the newest generation, front-loaded, times (1 + margin).
    CostPlus,
    /// Exogenous path: `start_price` at `start`, falling `decline` a year, not below `floor`.
    Path {
        /// USD per reference-hour at the start.
        start_price: f64,
        /// Annual decline (decimal).
        decline: f64,
        /// Floor, USD per reference-hour (0 for none).
        floor: f64,
    },
}

/// `[compute]`: market price of a reference accelerator-hour and scarcity.
#[derive(Debug, Clone, PartialEq)]
pub struct Compute {
    /// Cost-plus or path.
    pub price_mode: PriceMode,
    /// Margin over levelised full cost (decimal).
    pub market_margin: f64,
    /// Utilization that cost-plus pricing assumes when spreading cost over hours (decimal).
    pub expected_utilization: f64,
    /// Exponent of demand/capacity in the scarcity markup.
    pub pricing_power: f64,
    /// Cap on the markup. Default 2.
    pub markup_cap: f64,
    /// Expected annual decline of the reference price; `None` = derived from the roadmap.
    pub expected_decline: Option<f64>,
}

/// `[power]`: electricity.
#[derive(Debug, Clone, PartialEq)]
pub struct Power {
    /// USD per MWh at the start.
    pub price_per_mwh: f64,
    /// Annual escalation (decimal).
    pub escalation: f64,
    /// Draw of an idle accelerator as a share of full draw.
    pub idle_draw: f64,
}

/// `[opex]`: non-power data-center operating cost.
#[derive(Debug, Clone, PartialEq)]
pub struct Opex {
    /// A year, as a share of gross capex in service (accelerators and shells not mothballed).
    pub rate: f64,
}

/// A piecewise-constant annual path: the value for a year is that of the latest point at or
/// before it (the first point's value before the first point).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct YearPath {
    /// (calendar year, value), sorted by year, unique years.
    pub points: Vec<(i32, f64)>,
}

impl YearPath {
    /// The value in force in `year` (0 when the path is empty).
    pub fn at(&self, year: i32) -> f64 {
        let mut v = self.points.first().map_or(0.0, |p| p.1);
        for &(y, x) in &self.points {
            if y <= year {
                v = x;
            } else {
                break;
            }
        }
        v
    }
}

/// `[open_market]`: demand for reference-hours from customers without a named contract.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenMarket {
    /// USD per reference-hour at which `ref_hours` and `growth` were calibrated.
    pub reference_price: f64,
    /// Reference-hours demanded in the start quarter.
    pub ref_hours: f64,
    /// Annual growth rates by year (includes the expected price trend).
    pub growth: YearPath,
    /// Elasticity of demand to price surprises.
    pub elasticity: f64,
    /// Bound on the price-surprise factor (1/f_max ..= f_max). Default 5.
    pub f_max: f64,
}

/// `[[counterparties]]`: a buyer shared across contracts (and company scenarios).
#[derive(Debug, Clone, PartialEq)]
pub struct Counterparty {
    /// Stable id (`openai`).
    pub id: String,
    /// Display name.
    pub name: String,
    /// Annual default probability (decimal).
    pub hazard: f64,
}

/// How a contract's price is given.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ContractPrice {
    /// USD per reference-hour.
    PerRefHour(f64),
    /// Committed minimum over the term, USD: price = total / (reserved hours x take_or_pay).
    TotalValue(f64),
}

/// `[[contracts]]`: a named commitment.
#[derive(Debug, Clone, PartialEq)]
pub struct Contract {
    /// Unique name.
    pub name: String,
    /// Index into `Scenario::counterparties`.
    pub counterparty: Option<usize>,
    /// Quarter signed (RPO booked). Default: the scenario start.
    pub signed: Quarter,
    /// First quarter of service.
    pub start: Quarter,
    /// Term, years.
    pub term_years: f64,
    /// Reserved capacity at full ramp, reference accelerators.
    pub ref_accelerators: f64,
    /// Ramp length, years (0 = flat). In a ramp of R quarters quarter k reserves (k+1)/R.
    pub ramp_years: f64,
    /// Price.
    pub price: ContractPrice,
    /// Share of reserved hours billed whatever the usage.
    pub take_or_pay: f64,
    /// Expected share of reserved hours used.
    pub usage: f64,
    /// Share of the committed minimum paid in cash at signing.
    pub prepaid: f64,
    /// Probability that the contract renews at the end of each term.
    pub renewal_prob: f64,
    /// Renewal price relative to the expected term-average market price at renewal.
    pub renewal_repricing: f64,
    /// Share of the contract's revenue funded by the company's own investment in the buyer.
    pub circular_share: f64,
}

/// `[pipeline]`: commitments from the open market.
#[derive(Debug, Clone, PartialEq)]
pub struct Pipeline {
    /// Share of open-market demand the company keeps under contract.
    pub commit_share: f64,
    /// Term of each signing, years.
    pub term_years: f64,
    /// Discount to the expected term-average market price.
    pub reserved_discount: f64,
    /// Share of reserved hours billed whatever the usage.
    pub take_or_pay: f64,
    /// Expected share of reserved hours used.
    pub usage: f64,
    /// Annual default hazard shared by the pipeline's many customers, in expectation.
    pub hazard: f64,
}

/// `[[tiers]]`: a premium tier over open-market demand.
#[derive(Debug, Clone, PartialEq)]
pub struct Tier {
    /// Unique name.
    pub name: String,
    /// Share of the open-market demand left after the pipeline (normalised over tiers).
    pub share: f64,
    /// Price multiplier at the start, m_0.
    pub premium: f64,
    /// Annual decay of the premium above 1.
    pub premium_decay: f64,
    /// Served only by the newest generation in service.
    pub latest_generation: bool,
}

/// `[inference]`: the company's own token business.
#[derive(Debug, Clone, PartialEq)]
pub struct Inference {
    /// Tokens demanded in the start quarter at `price`.
    pub tokens: f64,
    /// Annual growth of tokens at constant price (includes tokens-per-task growth).
    pub growth: YearPath,
    /// USD per million tokens kept by the company, at the start.
    pub price: f64,
    /// Annual decline of the price (decimal).
    pub price_decline: f64,
    /// Minimum margin over the compute cost in the price floor.
    pub min_margin: f64,
    /// Tokens served per reference-hour at the start.
    pub tokens_per_ref_hour: f64,
    /// Annual growth of tokens per reference-hour (decimal).
    pub efficiency_gain: f64,
    /// Elasticity of tokens to price.
    pub elasticity: f64,
    /// Soft ceiling on tokens per quarter.
    pub max_tokens: f64,
}

/// How an agent seat is priced.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum AgentPricing {
    /// USD per seat-month.
    Fixed(f64),
    /// Hours saved per month x hourly cost x capture share.
    Value {
        /// Hours of work saved per seat-month.
        hours_saved_per_month: f64,
        /// USD per hour of work saved.
        hourly_cost: f64,
        /// Share of the value captured in price.
        capture_share: f64,
    },
}

/// `[agents]`: enterprise agents on a discrete Bass curve.
#[derive(Debug, Clone, PartialEq)]
pub struct Agents {
    /// Seats in the addressable market, M.
    pub market: f64,
    /// Seats at the start.
    pub seats: f64,
    /// Bass innovation coefficient, annual.
    pub p: f64,
    /// Bass imitation coefficient, annual.
    pub q: f64,
    /// Annual churn of seats (decimal).
    pub churn: f64,
    /// First quarter of production budgets; before it the ceiling is `pilot_share x market`.
    pub production_start: Quarter,
    /// Share of the market reachable in pilots.
    pub pilot_share: f64,
    /// USD per seat-month during pilots.
    pub pilot_price: f64,
    /// Production pricing.
    pub pricing: AgentPricing,
    /// Tokens per seat-month at the start.
    pub tokens_per_seat_month: f64,
    /// Annual growth of tokens per seat-month.
    pub token_growth: f64,
    /// Tokens an agent's model serves per reference-hour at the start; `None` = the same as
    /// `[inference]` (including its efficiency gain). Required without `[inference]`.
    pub tokens_per_ref_hour: Option<f64>,
    /// Share of agent revenue spent on non-compute cost.
    pub noncompute_share: f64,
}

/// `[[equity]]`: a stake in a frontier lab.
#[derive(Debug, Clone, PartialEq)]
pub struct EquityStake {
    /// Unique name.
    pub name: String,
    /// Index into `Scenario::counterparties`, if the lab is one.
    pub counterparty: Option<usize>,
    /// Share owned at the start (as converted, decimal).
    pub opening_stake: f64,
    /// Cost basis of the opening stake, USD.
    pub cost_basis: f64,
    /// Dated investments: cash out; each adds amount / valuation to the stake.
    pub investments: Vec<Investment>,
    /// Valuation path (USD), log-linear between points, flat outside.
    pub valuation: Vec<(Quarter, f64)>,
}

/// One equity investment.
#[derive(Debug, Clone, PartialEq)]
pub struct Investment {
    /// Quarter of the cash outflow.
    pub quarter: Quarter,
    /// USD invested.
    pub amount: f64,
    /// Post-money valuation at which it buys, USD; `None` = the valuation path at that date.
    pub valuation: Option<f64>,
}

/// `[internal]`: capacity used by the company itself.
#[derive(Debug, Clone, PartialEq)]
pub enum Internal {
    /// None.
    None,
    /// A share of capacity in service.
    Share(f64),
    /// Reference-hours per quarter at the start, growing at an annual rate.
    Hours {
        /// Reference-hours in the start quarter.
        ref_hours: f64,
        /// Annual growth (decimal).
        growth: f64,
    },
}

/// How a debt draw is repaid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Amortisation {
    /// Equal repayments each quarter between the end of the grace period and maturity.
    Straight,
    /// Everything at maturity.
    Bullet,
}

/// One scheduled draw of a facility.
#[derive(Debug, Clone, PartialEq)]
pub struct DebtDraw {
    /// The quarters the amount is drawn over evenly.
    pub quarters: Vec<Quarter>,
    /// The period as written (for reports).
    pub period_label: String,
    /// USD drawn over the period.
    pub amount: f64,
}

/// `[[debt]]`: a debt facility funding the build-out (neoclouds).
#[derive(Debug, Clone, PartialEq)]
pub struct DebtFacility {
    /// Unique name.
    pub name: String,
    /// Draws.
    pub draws: Vec<DebtDraw>,
    /// Annual interest rate on the outstanding balance (decimal).
    pub rate: f64,
    /// Upfront fee as a share of each draw, paid when drawn.
    pub fee: f64,
    /// Interest-only years after each draw.
    pub grace_years: f64,
    /// Years from each draw to its final repayment.
    pub maturity_years: f64,
    /// Repayment profile.
    pub amortisation: Amortisation,
    /// Covenant: minimum EBITDA / interest in any quarter with interest, if any.
    pub min_coverage: Option<f64>,
}
