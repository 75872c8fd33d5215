//! The scenario format as data: one [`KeyDoc`] per key (path pattern, type, unit, default, valid
//! range, meaning). The conversion pass checks every value against this table, overlays resolve
//! paths with it, `payback explain` prints from it, and `docs/scenario.md` is generated from it
//! by [`markdown`], so the documentation cannot drift from what the loader accepts.

/// The type a key accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyType {
    /// A number (integers accepted), optionally with provenance.
    Number,
    /// A whole number (`4` or `4.0`).
    Integer,
    /// Free text.
    Text,
    /// `true` or `false`.
    Bool,
    /// One of a fixed set of strings.
    Choice(&'static [&'static str]),
    /// A single quarter: `2026Q3` or `FY2026Q1`.
    Quarter,
    /// Any period: quarter, half, year or fiscal period.
    Period,
    /// A table (`[section]` or an inline table).
    Table,
    /// An array of tables (`[[section]]`, or an inline array of tables).
    TableArray,
    /// A map from calendar years (`2027`) to numbers.
    YearMap,
    /// A map from quarters (`"2025Q4"`) to numbers.
    QuarterMap,
}

impl KeyType {
    /// How the type is described in messages and docs.
    pub fn describe(&self) -> String {
        match self {
            KeyType::Number => "a number".into(),
            KeyType::Integer => "a whole number".into(),
            KeyType::Text => "a string".into(),
            KeyType::Bool => "a boolean".into(),
            KeyType::Choice(c) => {
                let quoted: Vec<String> = c.iter().map(|s| format!("\"{s}\"")).collect();
                format!("one of {}", quoted.join(", "))
            }
            KeyType::Quarter => "a quarter (\"2026Q3\")".into(),
            KeyType::Period => "a period (\"2026Q3\", \"2026H2\", \"2026\", \"FY2026\")".into(),
            KeyType::Table => "a table".into(),
            KeyType::TableArray => "an array of tables".into(),
            KeyType::YearMap => "a table of year = number".into(),
            KeyType::QuarterMap => "a table of \"quarter\" = number".into(),
        }
    }

    /// Whether the key holds a single value (not a table, array or map).
    pub fn is_leaf(&self) -> bool {
        !matches!(
            self,
            KeyType::Table | KeyType::TableArray | KeyType::YearMap | KeyType::QuarterMap
        )
    }
}

/// The range a numeric value must lie in.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum Bound {
    /// Any finite number.
    Finite,
    /// 0..=1.
    Share,
    /// (0, 1].
    ShareAboveZero,
    /// [0, 1).
    ShareBelowOne,
    /// >= 0.
    NonNegative,
    /// > 0.
    Positive,
    /// > -1 (growth rates).
    AboveMinusOne,
    /// >= 1.
    AtLeastOne,
    /// 1..=12 (a month).
    Month,
}

impl Bound {
    /// The range as written in docs and messages.
    pub fn describe(&self) -> &'static str {
        match self {
            Bound::Finite => "finite",
            Bound::Share => "0..=1",
            Bound::ShareAboveZero => "(0, 1]",
            Bound::ShareBelowOne => "[0, 1)",
            Bound::NonNegative => ">= 0",
            Bound::Positive => "> 0",
            Bound::AboveMinusOne => "> -1",
            Bound::AtLeastOne => ">= 1",
            Bound::Month => "1..=12",
        }
    }

    /// Whether `v` lies in the range.
    pub fn contains(&self, v: f64) -> bool {
        match self {
            Bound::Finite => v.is_finite(),
            Bound::Share => (0.0..=1.0).contains(&v),
            Bound::ShareAboveZero => v > 0.0 && v <= 1.0,
            Bound::ShareBelowOne => (0.0..1.0).contains(&v),
            Bound::NonNegative => v >= 0.0,
            Bound::Positive => v > 0.0,
            Bound::AboveMinusOne => v > -1.0,
            Bound::AtLeastOne => v >= 1.0,
            Bound::Month => (1.0..=12.0).contains(&v),
        }
    }
}

/// A key's default.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum DefaultValue {
    /// No default: the key must be given.
    Required,
    /// Optional; absent means "none" (or, for a table, that the feature is off).
    Optional,
    /// A number.
    Num(f64),
    /// A string.
    Text(&'static str),
    /// A boolean.
    Bool(bool),
    /// Derived from other values, described in words.
    Derived(&'static str),
}

impl DefaultValue {
    /// The default as written in docs.
    pub fn describe(&self) -> String {
        match self {
            DefaultValue::Required => "required".into(),
            DefaultValue::Optional => "optional".into(),
            DefaultValue::Num(v) => format!("{v}"),
            DefaultValue::Text(s) => format!("\"{s}\""),
            DefaultValue::Bool(b) => b.to_string(),
            DefaultValue::Derived(s) => (*s).into(),
        }
    }
}

/// One key of the scenario format.
#[derive(Debug, Clone, Copy)]
pub struct KeyDoc {
    /// Path pattern: `generations.*.unit_cost` (`*` = any item or map key).
    pub path: &'static str,
    /// Accepted type.
    pub ty: KeyType,
    /// Unit of a number (`USD`, `share`, `years`), empty when none.
    pub unit: &'static str,
    /// Default.
    pub default: DefaultValue,
    /// Valid range of a number.
    pub bound: Bound,
    /// What the key means.
    pub doc: &'static str,
}

impl KeyDoc {
    /// The last segment of the pattern (`unit_cost`).
    pub fn key(&self) -> &'static str {
        self.path.rsplit('.').next().unwrap_or(self.path)
    }

    /// The pattern of the table holding the key (`generations.*`), empty at the top level.
    pub fn parent(&self) -> &'static str {
        self.path.rfind('.').map_or("", |i| &self.path[..i])
    }
}

use Bound as B;
use DefaultValue as D;
use KeyType as T;

const fn k(
    path: &'static str,
    ty: KeyType,
    unit: &'static str,
    default: DefaultValue,
    bound: Bound,
    doc: &'static str,
) -> KeyDoc {
    KeyDoc {
        path,
        ty,
        unit,
        default,
        bound,
        doc,
    }
}

const SHARE: &str = "share";
const USD: &str = "USD";
const RATE: &str = "per year";
const YEARS: &str = "years";
const QUARTERS: &str = "quarters";

/// Every key, in the order of `docs/scenario.md` (and of `Loaded::params`).
static KEYS: &[KeyDoc] = &[
    k(
        "scenario",
        T::Table,
        "",
        D::Required,
        B::Finite,
        "Horizon, discounting, tax and terminal value.",
    ),
    k(
        "scenario.name",
        T::Text,
        "",
        D::Required,
        B::Finite,
        "Display name.",
    ),
    k(
        "scenario.start",
        T::Quarter,
        "",
        D::Text("2024Q1"),
        B::Finite,
        "First projected quarter. Inputs dated earlier are history.",
    ),
    k(
        "scenario.end",
        T::Quarter,
        "",
        D::Text("2035Q4"),
        B::Finite,
        "Last projected quarter (after `start`).",
    ),
    k(
        "scenario.fiscal_year_end",
        T::Integer,
        "month",
        D::Optional,
        B::Month,
        "Month in which the fiscal year ends; needed for `FY` periods.",
    ),
    k(
        "scenario.discount_rate",
        T::Number,
        RATE,
        D::Required,
        B::Share,
        "Annual discount rate (decimal).",
    ),
    k(
        "scenario.tax_rate",
        T::Number,
        SHARE,
        D::Required,
        B::Share,
        "Tax rate on EBIT (decimal).",
    ),
    k(
        "scenario.tax",
        T::Choice(&["group", "standalone"]),
        "",
        D::Text("group"),
        B::Finite,
        "`group`: losses offset other profits at once; `standalone`: carried forward.",
    ),
    k(
        "scenario.terminal",
        T::Choice(&["none", "book", "runoff"]),
        "",
        D::Text("runoff"),
        B::Finite,
        "Value beyond the horizon (never inside FCF).",
    ),
    k(
        "scenario.terminal_recovery",
        T::Number,
        SHARE,
        D::Num(0.5),
        B::Share,
        "Share of net book value recovered at the horizon (`terminal = \"book\"` only).",
    ),
    k(
        "scenario.mothball_quarters",
        T::Integer,
        QUARTERS,
        D::Num(4.0),
        B::AtLeastOne,
        "Quarters a shell megawatt stays idle before it is mothballed.",
    ),
    k(
        "scenario.after_plan",
        T::Choice(&["none", "replace"]),
        "",
        D::Text("none"),
        B::Finite,
        "What megawatts freed after the last tranche do: stay empty or are refilled.",
    ),
    k(
        "scenario.mix_excess",
        T::Choice(&["none", "accelerators"]),
        "",
        D::Text("none"),
        B::Finite,
        "What the unspent facility part of a split tranche does.",
    ),
    k(
        "generations",
        T::TableArray,
        "",
        D::Required,
        B::Finite,
        "Accelerator generations (at least one; names unique).",
    ),
    k(
        "generations.*.name",
        T::Text,
        "",
        D::Required,
        B::Finite,
        "Unique name, referenced by tranches and contracts.",
    ),
    k(
        "generations.*.launch",
        T::Quarter,
        "",
        D::Required,
        B::Finite,
        "First quarter on sale.",
    ),
    k(
        "generations.*.unit_cost",
        T::Number,
        "USD per accelerator",
        D::Required,
        B::Positive,
        "All-in cost per accelerator (server, network share).",
    ),
    k(
        "generations.*.power_kw",
        T::Number,
        "kW",
        D::Required,
        B::Positive,
        "IT power per accelerator.",
    ),
    k(
        "generations.*.perf",
        T::Number,
        "H100 = 1",
        D::Required,
        B::Positive,
        "Performance in reference accelerators.",
    ),
    k(
        "generations.*.availability",
        T::Number,
        SHARE,
        D::Num(0.95),
        B::ShareAboveZero,
        "Share of time in service that is sellable.",
    ),
    k(
        "generations.*.accounting_life_years",
        T::Number,
        YEARS,
        D::Required,
        B::Positive,
        "Book depreciation life.",
    ),
    k(
        "generations.*.economic_life_years",
        T::Number,
        YEARS,
        D::Derived("accounting_life_years"),
        B::Positive,
        "When it retires.",
    ),
    k(
        "generations.*.pricing_life_years",
        T::Number,
        YEARS,
        D::Derived("economic_life_years"),
        B::Positive,
        "Life over which cost-plus pricing recovers the capital.",
    ),
    k(
        "generations.*.salvage",
        T::Number,
        "share of unit cost",
        D::Num(0.0),
        B::Share,
        "Salvage value received at retirement.",
    ),
    k(
        "facilities",
        T::Table,
        "",
        D::Required,
        B::Finite,
        "Data-center shells (IT megawatts).",
    ),
    k(
        "facilities.cost_per_mw",
        T::Number,
        "USD per IT MW",
        D::Required,
        B::Positive,
        "Cost of a megawatt of IT (critical) load.",
    ),
    k(
        "facilities.facility_lead_time",
        T::Integer,
        QUARTERS,
        D::Required,
        B::NonNegative,
        "Quarters from spend to service.",
    ),
    k(
        "facilities.life_years",
        T::Number,
        YEARS,
        D::Required,
        B::Positive,
        "Book life of a shell.",
    ),
    k(
        "facilities.pue",
        T::Number,
        "ratio",
        D::Required,
        B::AtLeastOne,
        "Power usage effectiveness (multiplies electricity bought).",
    ),
    k(
        "facilities.opening_mw",
        T::Number,
        "MW",
        D::Num(0.0),
        B::NonNegative,
        "Megawatts in service at the start, not bought by any tranche.",
    ),
    k(
        "facilities.opening_nbv_per_mw",
        T::Number,
        "USD per MW",
        D::Num(0.0),
        B::NonNegative,
        "Net book value per opening megawatt.",
    ),
    k(
        "capex",
        T::TableArray,
        "",
        D::Optional,
        B::Finite,
        "Capex tranches, in file order (addressed by index in paths: `capex.0.amount`).",
    ),
    k(
        "capex.*.period",
        T::Period,
        "",
        D::Required,
        B::Finite,
        "Period the amount is spread over evenly; after `scenario.end` is an error, before `start` is history.",
    ),
    k(
        "capex.*.amount",
        T::Number,
        USD,
        D::Required,
        B::NonNegative,
        "Total spend over the period (whole company).",
    ),
    k(
        "capex.*.ai_share",
        T::Number,
        SHARE,
        D::Num(1.0),
        B::Share,
        "Share of the amount that is AI infrastructure.",
    ),
    k(
        "capex.*.buys",
        T::Choice(&["accelerators", "facilities"]),
        "",
        D::Derived("exactly one of `buys` and `mix`"),
        B::Finite,
        "What the tranche buys.",
    ),
    k(
        "capex.*.mix",
        T::Table,
        "",
        D::Derived("exactly one of `buys` and `mix`"),
        B::Finite,
        "Split of the amount: `{ accelerators = a, facilities = f }`, summing to 1.",
    ),
    k(
        "capex.*.mix.accelerators",
        T::Number,
        SHARE,
        D::Required,
        B::Share,
        "Share to accelerators.",
    ),
    k(
        "capex.*.mix.facilities",
        T::Number,
        SHARE,
        D::Required,
        B::Share,
        "Share to facilities (a cap, not a quota).",
    ),
    k(
        "capex.*.generation",
        T::Text,
        "",
        D::Derived("required unless `buys = \"facilities\"`"),
        B::Finite,
        "Name of the generation bought.",
    ),
    k(
        "capex.*.lead_time",
        T::Integer,
        QUARTERS,
        D::Num(2.0),
        B::NonNegative,
        "Quarters from spend until the accelerators are ready.",
    ),
    k(
        "compute",
        T::Table,
        "",
        D::Optional,
        B::Finite,
        "Market price of a reference accelerator-hour, and scarcity.",
    ),
    k(
        "compute.price_mode",
        T::Choice(&["cost-plus", "path"]),
        "",
        D::Text("cost-plus"),
        B::Finite,
        "Cost-plus pricing of the newest generation, or an exogenous path.",
    ),
    k(
        "compute.start_price",
        T::Number,
        "USD per ref-hour",
        D::Derived("required in path mode"),
        B::Positive,
        "Path mode: price at the start.",
    ),
    k(
        "compute.decline",
        T::Number,
        RATE,
        D::Derived("required in path mode"),
        B::ShareBelowOne,
        "Path mode: annual decline.",
    ),
    k(
        "compute.floor",
        T::Number,
        "USD per ref-hour",
        D::Num(0.0),
        B::NonNegative,
        "Path mode: price floor (0 for none).",
    ),
    k(
        "compute.market_margin",
        T::Number,
        SHARE,
        D::Num(0.3),
        B::NonNegative,
        "Margin over levelised full cost.",
    ),
    k(
        "compute.expected_utilization",
        T::Number,
        SHARE,
        D::Num(0.85),
        B::ShareAboveZero,
        "Utilization cost-plus pricing assumes.",
    ),
    k(
        "compute.pricing_power",
        T::Number,
        "exponent",
        D::Num(0.5),
        B::NonNegative,
        "Exponent of demand/capacity in the scarcity markup.",
    ),
    k(
        "compute.markup_cap",
        T::Number,
        "ratio",
        D::Num(2.0),
        B::AtLeastOne,
        "Cap on the scarcity markup.",
    ),
    k(
        "compute.expected_decline",
        T::Number,
        RATE,
        D::Derived("derived from the roadmap"),
        B::ShareBelowOne,
        "Expected annual decline of the reference price.",
    ),
    k(
        "power",
        T::Table,
        "",
        D::Required,
        B::Finite,
        "Electricity.",
    ),
    k(
        "power.price_per_mwh",
        T::Number,
        "USD per MWh",
        D::Required,
        B::Positive,
        "Electricity price at the start.",
    ),
    k(
        "power.escalation",
        T::Number,
        RATE,
        D::Num(0.0),
        B::AboveMinusOne,
        "Annual escalation of the price.",
    ),
    k(
        "power.idle_draw",
        T::Number,
        SHARE,
        D::Num(0.3),
        B::Share,
        "Draw of an idle accelerator as a share of full draw.",
    ),
    k(
        "opex",
        T::Table,
        "",
        D::Optional,
        B::Finite,
        "Non-power data-center operating cost.",
    ),
    k(
        "opex.rate",
        T::Number,
        "share of gross capex per year",
        D::Num(0.04),
        B::Share,
        "Yearly opex on gross capex in service.",
    ),
    k(
        "open_market",
        T::Table,
        "",
        D::Required,
        B::Finite,
        "Open-market demand for reference-hours.",
    ),
    k(
        "open_market.reference_price",
        T::Number,
        "USD per ref-hour",
        D::Required,
        B::Positive,
        "Price at which `ref_hours` and `growth` were calibrated.",
    ),
    k(
        "open_market.ref_hours",
        T::Number,
        "ref-hours per quarter",
        D::Required,
        B::NonNegative,
        "Demand in the start quarter.",
    ),
    k(
        "open_market.growth",
        T::YearMap,
        "",
        D::Required,
        B::Finite,
        "Annual growth by year, `{ 2024 = 0.6, 2027 = 0.3 }` (at least one point; piecewise constant).",
    ),
    k(
        "open_market.growth.*",
        T::Number,
        RATE,
        D::Required,
        B::AboveMinusOne,
        "Growth rate from that year on.",
    ),
    k(
        "open_market.elasticity",
        T::Number,
        "",
        D::Num(-0.5),
        B::Finite,
        "Elasticity of demand to price surprises.",
    ),
    k(
        "open_market.f_max",
        T::Number,
        "ratio",
        D::Num(5.0),
        B::AtLeastOne,
        "Bound on the price-surprise factor.",
    ),
    k(
        "counterparties",
        T::TableArray,
        "",
        D::Optional,
        B::Finite,
        "Declared buyers (ids unique).",
    ),
    k(
        "counterparties.*.id",
        T::Text,
        "",
        D::Required,
        B::Finite,
        "Stable id, referenced by contracts and equity.",
    ),
    k(
        "counterparties.*.name",
        T::Text,
        "",
        D::Derived("the id"),
        B::Finite,
        "Display name.",
    ),
    k(
        "counterparties.*.hazard",
        T::Number,
        "probability per year",
        D::Num(0.0),
        B::Share,
        "Annual default probability.",
    ),
    k(
        "contracts",
        T::TableArray,
        "",
        D::Optional,
        B::Finite,
        "Named commitments (names unique).",
    ),
    k(
        "contracts.*.name",
        T::Text,
        "",
        D::Required,
        B::Finite,
        "Unique name.",
    ),
    k(
        "contracts.*.counterparty",
        T::Text,
        "",
        D::Optional,
        B::Finite,
        "Id of a declared counterparty.",
    ),
    k(
        "contracts.*.signed",
        T::Quarter,
        "",
        D::Derived("scenario.start"),
        B::Finite,
        "Quarter signed (RPO booked); not after `start`.",
    ),
    k(
        "contracts.*.start",
        T::Quarter,
        "",
        D::Required,
        B::Finite,
        "First quarter of service.",
    ),
    k(
        "contracts.*.term_years",
        T::Number,
        YEARS,
        D::Required,
        B::Positive,
        "Term.",
    ),
    k(
        "contracts.*.ref_accelerators",
        T::Number,
        "reference accelerators",
        D::Derived("exactly one of `ref_accelerators` and `accelerators`"),
        B::NonNegative,
        "Reserved capacity at full ramp.",
    ),
    k(
        "contracts.*.accelerators",
        T::Number,
        "accelerators",
        D::Derived("exactly one of `ref_accelerators` and `accelerators`"),
        B::NonNegative,
        "Reserved accelerators of `generation` (converted with its `perf`).",
    ),
    k(
        "contracts.*.generation",
        T::Text,
        "",
        D::Derived("required with `accelerators`"),
        B::Finite,
        "Generation of `accelerators`.",
    ),
    k(
        "contracts.*.ramp_years",
        T::Number,
        YEARS,
        D::Num(0.0),
        B::NonNegative,
        "Ramp length (0 = flat).",
    ),
    k(
        "contracts.*.total_value",
        T::Number,
        USD,
        D::Derived("exactly one of `total_value` and `price_per_ref_hour`"),
        B::NonNegative,
        "Committed minimum over the term.",
    ),
    k(
        "contracts.*.price_per_ref_hour",
        T::Number,
        "USD per ref-hour",
        D::Derived("exactly one of `total_value` and `price_per_ref_hour`"),
        B::NonNegative,
        "Price per reference-hour.",
    ),
    k(
        "contracts.*.take_or_pay",
        T::Number,
        SHARE,
        D::Num(1.0),
        B::Share,
        "Share of reserved hours billed whatever the usage.",
    ),
    k(
        "contracts.*.usage",
        T::Number,
        SHARE,
        D::Num(1.0),
        B::Share,
        "Expected share of reserved hours used.",
    ),
    k(
        "contracts.*.prepaid",
        T::Number,
        SHARE,
        D::Num(0.0),
        B::Share,
        "Share of the committed minimum paid at signing.",
    ),
    k(
        "contracts.*.renewal_prob",
        T::Number,
        "probability",
        D::Num(0.0),
        B::Share,
        "Probability of renewal at the end of each term.",
    ),
    k(
        "contracts.*.renewal_repricing",
        T::Number,
        "ratio - 1",
        D::Num(0.0),
        B::AboveMinusOne,
        "Renewal price relative to the expected market price.",
    ),
    k(
        "contracts.*.circular_share",
        T::Number,
        SHARE,
        D::Num(0.0),
        B::Share,
        "Share of revenue funded by the company's own investment in the buyer.",
    ),
    k(
        "pipeline",
        T::Table,
        "",
        D::Optional,
        B::Finite,
        "Commitments from the open market (absent: none).",
    ),
    k(
        "pipeline.commit_share",
        T::Number,
        SHARE,
        D::Num(0.0),
        B::Share,
        "Share of open-market demand kept under contract.",
    ),
    k(
        "pipeline.term_years",
        T::Number,
        YEARS,
        D::Num(3.0),
        B::Positive,
        "Term of each signing.",
    ),
    k(
        "pipeline.reserved_discount",
        T::Number,
        SHARE,
        D::Num(0.2),
        B::ShareBelowOne,
        "Discount to the expected term-average market price.",
    ),
    k(
        "pipeline.take_or_pay",
        T::Number,
        SHARE,
        D::Num(1.0),
        B::Share,
        "Share of reserved hours billed whatever the usage.",
    ),
    k(
        "pipeline.usage",
        T::Number,
        SHARE,
        D::Num(1.0),
        B::Share,
        "Expected share of reserved hours used.",
    ),
    k(
        "pipeline.hazard",
        T::Number,
        "probability per year",
        D::Num(0.0),
        B::Share,
        "Annual default hazard of the pipeline's customers.",
    ),
    k(
        "tiers",
        T::TableArray,
        "",
        D::Derived("one tier `standard`, share 1, premium 1, decay 0"),
        B::Finite,
        "Premium tiers over open-market demand (names unique).",
    ),
    k(
        "tiers.*.name",
        T::Text,
        "",
        D::Required,
        B::Finite,
        "Unique name.",
    ),
    k(
        "tiers.*.share",
        T::Number,
        SHARE,
        D::Required,
        B::NonNegative,
        "Share of demand (normalised over tiers; not all zero).",
    ),
    k(
        "tiers.*.premium",
        T::Number,
        "price multiplier",
        D::Num(1.0),
        B::NonNegative,
        "Price multiplier at the start.",
    ),
    k(
        "tiers.*.premium_decay",
        T::Number,
        RATE,
        D::Num(0.0),
        B::Share,
        "Annual decay of the premium above 1.",
    ),
    k(
        "tiers.*.latest_generation",
        T::Bool,
        "",
        D::Bool(false),
        B::Finite,
        "Served only by the newest generation in service.",
    ),
    k(
        "inference",
        T::Table,
        "",
        D::Optional,
        B::Finite,
        "The company's own token business (absent: none).",
    ),
    k(
        "inference.tokens",
        T::Number,
        "tokens per quarter",
        D::Required,
        B::NonNegative,
        "Tokens demanded in the start quarter.",
    ),
    k(
        "inference.growth",
        T::YearMap,
        "",
        D::Required,
        B::Finite,
        "Annual growth of tokens by year (at least one point).",
    ),
    k(
        "inference.growth.*",
        T::Number,
        RATE,
        D::Required,
        B::AboveMinusOne,
        "Growth rate from that year on.",
    ),
    k(
        "inference.price",
        T::Number,
        "USD per million tokens",
        D::Required,
        B::Positive,
        "Price kept by the company at the start.",
    ),
    k(
        "inference.price_decline",
        T::Number,
        RATE,
        D::Required,
        B::ShareBelowOne,
        "Annual decline of the price.",
    ),
    k(
        "inference.min_margin",
        T::Number,
        SHARE,
        D::Num(0.1),
        B::NonNegative,
        "Minimum margin over compute cost in the price floor.",
    ),
    k(
        "inference.tokens_per_ref_hour",
        T::Number,
        "tokens per ref-hour",
        D::Required,
        B::Positive,
        "Tokens served per reference-hour at the start.",
    ),
    k(
        "inference.efficiency_gain",
        T::Number,
        RATE,
        D::Required,
        B::AboveMinusOne,
        "Annual growth of tokens per reference-hour.",
    ),
    k(
        "inference.elasticity",
        T::Number,
        "",
        D::Required,
        B::Finite,
        "Elasticity of tokens to price.",
    ),
    k(
        "inference.max_tokens",
        T::Number,
        "tokens per quarter",
        D::Required,
        B::Positive,
        "Soft ceiling on tokens.",
    ),
    k(
        "agents",
        T::Table,
        "",
        D::Optional,
        B::Finite,
        "Enterprise agents on a Bass curve (absent: none).",
    ),
    k(
        "agents.market",
        T::Number,
        "seats",
        D::Required,
        B::Positive,
        "Seats in the addressable market.",
    ),
    k(
        "agents.seats",
        T::Number,
        "seats",
        D::Num(0.0),
        B::NonNegative,
        "Seats at the start (at most `market`).",
    ),
    k(
        "agents.p",
        T::Number,
        RATE,
        D::Required,
        B::NonNegative,
        "Bass innovation coefficient.",
    ),
    k(
        "agents.q",
        T::Number,
        RATE,
        D::Required,
        B::NonNegative,
        "Bass imitation coefficient.",
    ),
    k(
        "agents.churn",
        T::Number,
        RATE,
        D::Num(0.0),
        B::Share,
        "Annual churn of seats.",
    ),
    k(
        "agents.production_start",
        T::Quarter,
        "",
        D::Derived("scenario.start"),
        B::Finite,
        "First quarter of production budgets.",
    ),
    k(
        "agents.pilot_share",
        T::Number,
        SHARE,
        D::Num(0.1),
        B::Share,
        "Share of the market reachable in pilots.",
    ),
    k(
        "agents.pilot_price",
        T::Number,
        "USD per seat-month",
        D::Derived("the production price"),
        B::NonNegative,
        "Price during pilots.",
    ),
    k(
        "agents.price",
        T::Number,
        "USD per seat-month",
        D::Derived("exactly one of `price` and `value`"),
        B::NonNegative,
        "Fixed production price.",
    ),
    k(
        "agents.value",
        T::Table,
        "",
        D::Derived("exactly one of `price` and `value`"),
        B::Finite,
        "Value pricing: hours saved x hourly cost x capture share.",
    ),
    k(
        "agents.value.hours_saved_per_month",
        T::Number,
        "hours per seat-month",
        D::Required,
        B::NonNegative,
        "Hours of work saved.",
    ),
    k(
        "agents.value.hourly_cost",
        T::Number,
        "USD per hour",
        D::Required,
        B::NonNegative,
        "Cost of an hour of work.",
    ),
    k(
        "agents.value.capture_share",
        T::Number,
        SHARE,
        D::Required,
        B::Share,
        "Share of the value captured in price.",
    ),
    k(
        "agents.tokens_per_seat_month",
        T::Number,
        "tokens",
        D::Required,
        B::NonNegative,
        "Tokens per seat-month at the start.",
    ),
    k(
        "agents.tokens_per_ref_hour",
        T::Number,
        "tokens/ref-hour",
        D::Optional,
        B::Positive,
        "Tokens served per reference-hour for agents (constant); default: `inference.tokens_per_ref_hour` with its efficiency gain. Required when there is no `[inference]`.",
    ),
    k(
        "agents.token_growth",
        T::Number,
        RATE,
        D::Num(0.0),
        B::AboveMinusOne,
        "Annual growth of tokens per seat-month.",
    ),
    k(
        "agents.noncompute_share",
        T::Number,
        SHARE,
        D::Num(0.3),
        B::Share,
        "Share of agent revenue spent on non-compute cost.",
    ),
    k(
        "equity",
        T::TableArray,
        "",
        D::Optional,
        B::Finite,
        "Stakes in frontier labs (names unique).",
    ),
    k(
        "equity.*.name",
        T::Text,
        "",
        D::Required,
        B::Finite,
        "Unique name.",
    ),
    k(
        "equity.*.counterparty",
        T::Text,
        "",
        D::Optional,
        B::Finite,
        "Id of a declared counterparty.",
    ),
    k(
        "equity.*.opening_stake",
        T::Number,
        SHARE,
        D::Num(0.0),
        B::Share,
        "Share owned at the start.",
    ),
    k(
        "equity.*.cost_basis",
        T::Number,
        USD,
        D::Num(0.0),
        B::NonNegative,
        "Cost basis of the opening stake.",
    ),
    k(
        "equity.*.investments",
        T::TableArray,
        "",
        D::Optional,
        B::Finite,
        "Dated investments `[{ period, amount, valuation }]` (addressed by index).",
    ),
    k(
        "equity.*.investments.*.period",
        T::Quarter,
        "",
        D::Required,
        B::Finite,
        "Quarter of the cash outflow.",
    ),
    k(
        "equity.*.investments.*.amount",
        T::Number,
        USD,
        D::Required,
        B::NonNegative,
        "Amount invested.",
    ),
    k(
        "equity.*.investments.*.valuation",
        T::Number,
        USD,
        D::Derived("the valuation path at that date"),
        B::Positive,
        "Post-money valuation.",
    ),
    k(
        "equity.*.valuation",
        T::QuarterMap,
        "",
        D::Optional,
        B::Finite,
        "Valuation path `{ \"2025Q4\" = 5e11 }`, log-linear between points.",
    ),
    k(
        "equity.*.valuation.*",
        T::Number,
        USD,
        D::Required,
        B::Positive,
        "Valuation at that quarter.",
    ),
    k(
        "debt",
        T::TableArray,
        "",
        D::Optional,
        B::Finite,
        "Debt facilities funding the build-out (names unique); none = unlevered.",
    ),
    k(
        "debt.*.name",
        T::Text,
        "",
        D::Required,
        B::Finite,
        "Unique name.",
    ),
    k(
        "debt.*.draws",
        T::TableArray,
        "",
        D::Required,
        B::Finite,
        "Draws `[{ period, amount }]`, each spread evenly over its period (addressed by index).",
    ),
    k(
        "debt.*.draws.*.period",
        T::Text,
        "",
        D::Required,
        B::Finite,
        "Period of the draw: a quarter, half, year or fiscal period.",
    ),
    k(
        "debt.*.draws.*.amount",
        T::Number,
        USD,
        D::Required,
        B::NonNegative,
        "Amount drawn over the period.",
    ),
    k(
        "debt.*.rate",
        T::Number,
        RATE,
        D::Required,
        B::NonNegative,
        "Annual interest rate on the outstanding balance (charged quarterly at (1 + rate)^(1/4) - 1).",
    ),
    k(
        "debt.*.fee",
        T::Number,
        SHARE,
        D::Num(0.0),
        B::Share,
        "Upfront fee, a share of each draw, paid when drawn.",
    ),
    k(
        "debt.*.grace_years",
        T::Number,
        "years",
        D::Num(0.0),
        B::NonNegative,
        "Interest-only years after each draw.",
    ),
    k(
        "debt.*.maturity_years",
        T::Number,
        "years",
        D::Required,
        B::Positive,
        "Years from each draw to its final repayment.",
    ),
    k(
        "debt.*.amortisation",
        T::Choice(&["straight", "bullet"]),
        "",
        D::Text("straight"),
        B::Finite,
        "Straight: equal quarterly repayments from the end of the grace period to maturity; bullet: all at maturity.",
    ),
    k(
        "debt.*.min_coverage",
        T::Number,
        "ratio",
        D::Optional,
        B::NonNegative,
        "Covenant: minimum EBITDA / interest in any quarter with interest.",
    ),
    k(
        "internal",
        T::Table,
        "",
        D::Optional,
        B::Finite,
        "Internal use of capacity: `share`, or `ref_hours` with `growth` (absent: none).",
    ),
    k(
        "internal.share",
        T::Number,
        SHARE,
        D::Derived("exactly one of `share` and `ref_hours`"),
        B::Share,
        "Share of capacity in service used internally.",
    ),
    k(
        "internal.ref_hours",
        T::Number,
        "ref-hours per quarter",
        D::Derived("exactly one of `share` and `ref_hours`"),
        B::NonNegative,
        "Reference-hours used in the start quarter.",
    ),
    k(
        "internal.growth",
        T::Number,
        RATE,
        D::Num(0.0),
        B::AboveMinusOne,
        "Annual growth of `ref_hours`.",
    ),
];

/// Every key, in documentation order.
pub fn keys() -> &'static [KeyDoc] {
    KEYS
}

/// The pattern of a concrete path: item names and map keys become `*`
/// (`contracts.lab-a.take_or_pay` -> `contracts.*.take_or_pay`).
pub fn pattern_of(path: &str) -> String {
    let mut pat = String::new();
    for seg in path.split('.') {
        let candidate = if pat.is_empty() {
            seg.to_string()
        } else {
            format!("{pat}.{seg}")
        };
        let star = if pat.is_empty() {
            "*".to_string()
        } else {
            format!("{pat}.*")
        };
        pat = if known_prefix(&candidate) || !known_prefix(&star) {
            candidate
        } else {
            star
        };
    }
    pat
}

/// Whether `p` is a key pattern or the start of one.
fn known_prefix(p: &str) -> bool {
    KEYS.iter()
        .any(|k| k.path == p || (k.path.starts_with(p) && k.path[p.len()..].starts_with('.')))
}

/// The documentation of a key, by concrete path or pattern (`generations.B200.unit_cost` or
/// `generations.*.unit_cost`).
pub fn lookup(path: &str) -> Option<&'static KeyDoc> {
    KEYS.iter().find(|k| k.path == path).or_else(|| {
        let pat = pattern_of(path);
        KEYS.iter().find(|k| k.path == pat)
    })
}

/// The keys valid directly inside the table with pattern `parent` (`""` for the top level).
pub fn children(parent: &str) -> impl Iterator<Item = &'static KeyDoc> + '_ {
    KEYS.iter()
        .filter(move |k| k.parent() == parent && k.key() != "*")
}

/// Position of a key in [`keys`] (documentation order), for sorting.
pub(crate) fn index_of(pattern: &str) -> usize {
    KEYS.iter()
        .position(|k| k.path == pattern)
        .unwrap_or(usize::MAX)
}

/// The whole of `docs/scenario.md`.
pub fn markdown() -> String {
    let mut out = String::from(
        "# Scenario file format\n\n\
         <!-- Generated by `payback_input::schema::markdown()`. Do not edit: run\n\
         `PAYBACK_BLESS=1 cargo test -p payback-input` to regenerate. -->\n\n\
         A scenario is one TOML file. Money is in US dollars, rates are annual decimals (`0.2` = 20 %),\n\
         periods are written `2026Q3` (quarter), `2026H2` (half), `2026` (year), or `FY2026`, `FY2026Q1`,\n\
         `FY2026H1` (fiscal, given `scenario.fiscal_year_end`). A fiscal quarter is the calendar quarter\n\
         containing its last day. Keys that need a single quarter accept `2026Q3` or `FY2026Q1`.\n\n\
         Unknown keys are errors. Integers are accepted wherever numbers are; `nan` and `inf` are not.\n\
         Every problem is reported at once, each with a code listed in `docs/errors.md`.\n\n\
         ## Provenance\n\n\
         Any number may be written plain or with its provenance:\n\n\
         ```toml\n\
         unit_cost = 55_000\n\
         unit_cost = { value = 55_000, source = \"https://…\", as_of = \"2026-04-29\", kind = \"reported\", note = \"…\" }\n\
         ```\n\n\
         `kind` is one of `reported`, `guidance`, `assumption`, `estimate`; all keys but `value` are\n\
         optional. `payback explain <path>` prints the value with its provenance and the file and line\n\
         that set it.\n\n\
         ## Parameter paths\n\n\
         Every value has a path. Array items are addressed by `name` (counterparties by `id`; capex\n\
         tranches and equity investments by index from 0), map entries by their key:\n\n\
         | path | selects |\n|---|---|\n\
         | `compute.market_margin` | a key of a table |\n\
         | `contracts.lab-a.take_or_pay` | a key of the item named `lab-a` |\n\
         | `tiers.*.premium_decay` | the key in every item |\n\
         | `generations[launch>=2027Q1].unit_cost` | the key in the items the filter keeps |\n\
         | `open_market.growth.2027` | an entry of a map |\n\
         | `capex.0.amount` | the first tranche's amount |\n\n\
         Filters compare an item's key with `>=`, `<=`, `>`, `<`, `==` or `!=`; values compare as numbers\n\
         when both are numbers, as quarters when both are quarters, otherwise as strings. Item names may\n\
         not contain `.`.\n\n\
         ## Overlays\n\n\
         An overlay is a TOML file applied over a scenario (`--overlay bear.toml`, or the built-in\n\
         `bull` and `bear`). Overlays apply in order; a later overlay wins.\n\n\
         ```toml\n\
         [overlay]\n\
         name = \"bear\"                 # default: the file name\n\
         description = \"The seed's bear case\"\n\n\
         [set]                          # path = value (number, string, boolean or table)\n\
         # Open-source models and chip efficiency push compute prices down quickly\n\
         \"compute.market_margin\" = 0.10\n\
         \"open_market.growth.2027\" = 0.2\n\n\
         [scale]                        # path = factor (numbers only)\n\
         \"generations[launch>=2027Q1].unit_cost\" = 0.8\n\
         \"tiers.*.premium_decay\" = 1.5\n\
         ```\n\n\
         A path that matches nothing is an error (P0401). Setting a key the scenario omits is allowed\n\
         when the format knows the key (missing tables are created); scaling a key the scenario omits\n\
         scales its default. Setting a value replaces it, provenance included; scaling keeps the\n\
         provenance. Diagnostics and `payback explain` point at the overlay line that changed a value.\n\n\
         ## Uncertainty\n\n\
         `[uncertainty]` gives parameter paths distributions and `[correlations]` a rank correlation\n\
         matrix, in a scenario or an overlay, for `payback simulate`; `payback run` ignores them. The\n\
         syntax, the distributions and their diagnostics (P05xx) are in `docs/simulation.md`.\n\n\
         ```toml\n\
         [uncertainty]\n\
         \"inference.price_decline\" = { dist = \"pert\", min = 0.3, mode = 0.5, max = 0.8 }\n\
         ```\n\n\
         ## Keys\n",
    );
    let mut section = "";
    for key in KEYS {
        let top = key.path.split('.').next().unwrap_or("");
        if top != section {
            section = top;
            let header = match key.ty {
                T::TableArray => format!("[[{top}]]"),
                _ => format!("[{top}]"),
            };
            let presence = match key.default {
                D::Required => "Required.".to_string(),
                D::Optional => "Optional.".to_string(),
                d => format!("Default: {}.", d.describe()),
            };
            out.push_str(&format!(
                "\n### `{header}`\n\n{} {presence}\n\n| key | type | unit | default | range | meaning |\n|---|---|---|---|---|---|\n",
                key.doc
            ));
            continue;
        }
        let rel = &key.path[top.len() + 1..];
        let rel = rel.strip_prefix("*.").unwrap_or(rel);
        let range = if matches!(key.ty, T::Number | T::Integer) {
            key.bound.describe()
        } else {
            ""
        };
        out.push_str(&format!(
            "| `{rel}` | {} | {} | {} | {} | {} |\n",
            key.ty.describe(),
            key.unit,
            key.default.describe(),
            range,
            key.doc
        ));
    }
    out
}
