//! Parameter paths: every numeric input of a [`Scenario`] addressable by the path syntax of
//! overlays (`docs/scenario.md`, "Parameter paths"), for Monte Carlo, sensitivity, goal seek
//! and sliders.
//!
//! ```text
//! inference.price_decline                 a key of a table
//! generations.B200.unit_cost              a key of the item named B200
//! contracts.lab-a.take_or_pay             (counterparties by id, capex by index from 0)
//! tiers.*.premium_decay                   the key in every item
//! generations[launch>=2027Q1].unit_cost   the key in the items the filter keeps
//! open_market.growth.2027                 an entry of a map (existing entries only)
//! equity.stake.investments.0.amount       nested arrays by index
//! debt.term-loan.draws.*.amount           (debt facilities by name, their draws by index)
//! ```
//!
//! [`resolve`] turns a path into [`Slot`]s once (a slot is a small `Copy` locator); then
//! [`get`] and [`set`] are a `match` on the slot, cheap enough to call per Monte Carlo draw.
//! Whole-number fields (`facility_lead_time`, `lead_time`, `mothball_quarters`) are rounded to
//! the nearest whole number, not below 0, by [`set`]. [`Slot::bounds`] gives the valid range
//! of each field (what `payback-input` accepts), so samplers can clamp draws into it.
//!
//! Keys that exist only in the file format and are converted on loading (a contract's
//! `accelerators`, converted by `perf`) are not parameters of the model: use the model's key
//! (`ref_accelerators`). Keys of a variant not in use (`compute.start_price` in cost-plus mode,
//! `agents.price` with value pricing) resolve to [`ParamError::NotInUse`].
//!
//! Submodule [`dist`] holds the distributions that `[uncertainty]` attaches to paths.

use std::cmp::Ordering;
use std::fmt;

use crate::period::Quarter;
use crate::scenario::{
    AgentPricing, Amortisation, ContractPrice, Internal, PriceMode, Scenario, Terminal,
};

pub mod dist;

/// A numeric field of the scenario. With the item and entry indices of a [`Slot`], it
/// locates one `f64` (or whole number) in a [`Scenario`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
#[allow(
    missing_docs,
    reason = "each variant is the scenario key of the same name"
)]
pub enum Field {
    DiscountRate,
    TaxRate,
    TerminalRecovery,
    MothballQuarters,
    GenUnitCost,
    GenPowerKw,
    GenPerf,
    GenAvailability,
    GenAccountingLife,
    GenEconomicLife,
    GenPricingLife,
    GenSalvage,
    FacCostPerMw,
    FacLeadTime,
    FacLifeYears,
    FacPue,
    FacOpeningMw,
    FacOpeningNbvPerMw,
    CapexAmount,
    CapexAiShare,
    CapexMixAccelerators,
    CapexMixFacilities,
    CapexLeadTime,
    ComputeStartPrice,
    ComputeDecline,
    ComputeFloor,
    ComputeMarketMargin,
    ComputeExpectedUtilization,
    ComputePricingPower,
    ComputeMarkupCap,
    ComputeExpectedDecline,
    PowerPricePerMwh,
    PowerEscalation,
    PowerIdleDraw,
    OpexRate,
    OpenReferencePrice,
    OpenRefHours,
    OpenGrowth,
    OpenElasticity,
    OpenFMax,
    CpHazard,
    CtTermYears,
    CtRefAccelerators,
    CtRampYears,
    CtTotalValue,
    CtPricePerRefHour,
    CtTakeOrPay,
    CtUsage,
    CtPrepaid,
    CtRenewalProb,
    CtRenewalRepricing,
    CtCircularShare,
    PipeCommitShare,
    PipeTermYears,
    PipeReservedDiscount,
    PipeTakeOrPay,
    PipeUsage,
    PipeHazard,
    TierShare,
    TierPremium,
    TierPremiumDecay,
    InfTokens,
    InfGrowth,
    InfPrice,
    InfPriceDecline,
    InfMinMargin,
    InfTokensPerRefHour,
    InfEfficiencyGain,
    InfElasticity,
    InfMaxTokens,
    AgMarket,
    AgSeats,
    AgP,
    AgQ,
    AgChurn,
    AgPilotShare,
    AgPilotPrice,
    AgPrice,
    AgHoursSaved,
    AgHourlyCost,
    AgCaptureShare,
    AgTokensPerSeatMonth,
    AgTokenGrowth,
    AgNoncomputeShare,
    EqOpeningStake,
    EqCostBasis,
    EqInvestmentAmount,
    EqInvestmentValuation,
    EqValuation,
    DebtDrawAmount,
    DebtRate,
    DebtFee,
    DebtGraceYears,
    DebtMaturityYears,
    DebtMinCoverage,
    IntShare,
    IntRefHours,
    IntGrowth,
}

/// Where one number lives in a [`Scenario`]: a field, the index of the array item (0 for
/// tables) and of the map entry or nested item (0 when none). Valid for scenarios with the
/// same items as the one it was resolved against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Slot {
    /// The field.
    pub field: Field,
    /// Index of the item in its array (`generations`, `capex`, …); 0 for plain tables.
    pub item: u32,
    /// Index of the map entry (`growth` points, `valuation` points) or nested item
    /// (`investments`, `draws`); 0 when none.
    pub sub: u32,
}

/// Why a path does not resolve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParamError {
    /// The path is not well formed.
    Malformed(String),
    /// A segment names no key of the format at that place.
    Unknown {
        /// The segment.
        segment: String,
        /// The keys valid there.
        valid: Vec<String>,
    },
    /// The path is valid but selects nothing in this scenario (no such item or entry).
    MatchesNothing(String),
    /// The key exists but is not used by this scenario (a variant not chosen).
    NotInUse(String),
    /// The key is not a number the model holds (a name, a period, an input-only key).
    NotNumeric(String),
}

impl fmt::Display for ParamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParamError::Malformed(m) => write!(f, "malformed path: {m}"),
            ParamError::Unknown { segment, valid } => {
                write!(f, "unknown parameter `{segment}`")?;
                if !valid.is_empty() {
                    write!(f, " (valid here: {})", valid.join(", "))?;
                }
                Ok(())
            }
            ParamError::MatchesNothing(m) => write!(f, "matches nothing: {m}"),
            ParamError::NotInUse(m) => write!(f, "not in use: {m}"),
            ParamError::NotNumeric(m) => write!(f, "not a numeric model parameter: {m}"),
        }
    }
}

impl std::error::Error for ParamError {}

/// How a field is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A plain number.
    Num,
    /// A whole number (rounded by `set`).
    Int,
}

use Field as F;

/// Scalar keys of each plain table: (section, key, field).
const TABLE_KEYS: &[(&str, &str, Field)] = &[
    ("scenario", "discount_rate", F::DiscountRate),
    ("scenario", "tax_rate", F::TaxRate),
    ("scenario", "terminal_recovery", F::TerminalRecovery),
    ("scenario", "mothball_quarters", F::MothballQuarters),
    ("facilities", "cost_per_mw", F::FacCostPerMw),
    ("facilities", "facility_lead_time", F::FacLeadTime),
    ("facilities", "life_years", F::FacLifeYears),
    ("facilities", "pue", F::FacPue),
    ("facilities", "opening_mw", F::FacOpeningMw),
    ("facilities", "opening_nbv_per_mw", F::FacOpeningNbvPerMw),
    ("compute", "start_price", F::ComputeStartPrice),
    ("compute", "decline", F::ComputeDecline),
    ("compute", "floor", F::ComputeFloor),
    ("compute", "market_margin", F::ComputeMarketMargin),
    (
        "compute",
        "expected_utilization",
        F::ComputeExpectedUtilization,
    ),
    ("compute", "pricing_power", F::ComputePricingPower),
    ("compute", "markup_cap", F::ComputeMarkupCap),
    ("compute", "expected_decline", F::ComputeExpectedDecline),
    ("power", "price_per_mwh", F::PowerPricePerMwh),
    ("power", "escalation", F::PowerEscalation),
    ("power", "idle_draw", F::PowerIdleDraw),
    ("opex", "rate", F::OpexRate),
    ("open_market", "reference_price", F::OpenReferencePrice),
    ("open_market", "ref_hours", F::OpenRefHours),
    ("open_market", "growth", F::OpenGrowth),
    ("open_market", "elasticity", F::OpenElasticity),
    ("open_market", "f_max", F::OpenFMax),
    ("pipeline", "commit_share", F::PipeCommitShare),
    ("pipeline", "term_years", F::PipeTermYears),
    ("pipeline", "reserved_discount", F::PipeReservedDiscount),
    ("pipeline", "take_or_pay", F::PipeTakeOrPay),
    ("pipeline", "usage", F::PipeUsage),
    ("pipeline", "hazard", F::PipeHazard),
    ("inference", "tokens", F::InfTokens),
    ("inference", "growth", F::InfGrowth),
    ("inference", "price", F::InfPrice),
    ("inference", "price_decline", F::InfPriceDecline),
    ("inference", "min_margin", F::InfMinMargin),
    ("inference", "tokens_per_ref_hour", F::InfTokensPerRefHour),
    ("inference", "efficiency_gain", F::InfEfficiencyGain),
    ("inference", "elasticity", F::InfElasticity),
    ("inference", "max_tokens", F::InfMaxTokens),
    ("agents", "market", F::AgMarket),
    ("agents", "seats", F::AgSeats),
    ("agents", "p", F::AgP),
    ("agents", "q", F::AgQ),
    ("agents", "churn", F::AgChurn),
    ("agents", "pilot_share", F::AgPilotShare),
    ("agents", "pilot_price", F::AgPilotPrice),
    ("agents", "price", F::AgPrice),
    ("agents", "value", F::AgHoursSaved),
    ("agents", "tokens_per_seat_month", F::AgTokensPerSeatMonth),
    ("agents", "token_growth", F::AgTokenGrowth),
    ("agents", "noncompute_share", F::AgNoncomputeShare),
    ("internal", "share", F::IntShare),
    ("internal", "ref_hours", F::IntRefHours),
    ("internal", "growth", F::IntGrowth),
];

/// `agents.value.*` keys.
const AGENT_VALUE_KEYS: &[(&str, Field)] = &[
    ("hours_saved_per_month", F::AgHoursSaved),
    ("hourly_cost", F::AgHourlyCost),
    ("capture_share", F::AgCaptureShare),
];

/// Arrays of items: (section, numeric keys).
const ARRAY_KEYS: &[(&str, &[(&str, Field)])] = &[
    (
        "generations",
        &[
            ("unit_cost", F::GenUnitCost),
            ("power_kw", F::GenPowerKw),
            ("perf", F::GenPerf),
            ("availability", F::GenAvailability),
            ("accounting_life_years", F::GenAccountingLife),
            ("economic_life_years", F::GenEconomicLife),
            ("pricing_life_years", F::GenPricingLife),
            ("salvage", F::GenSalvage),
        ],
    ),
    (
        "capex",
        &[
            ("amount", F::CapexAmount),
            ("ai_share", F::CapexAiShare),
            ("mix", F::CapexMixAccelerators),
            ("lead_time", F::CapexLeadTime),
        ],
    ),
    ("counterparties", &[("hazard", F::CpHazard)]),
    (
        "contracts",
        &[
            ("term_years", F::CtTermYears),
            ("ref_accelerators", F::CtRefAccelerators),
            ("ramp_years", F::CtRampYears),
            ("total_value", F::CtTotalValue),
            ("price_per_ref_hour", F::CtPricePerRefHour),
            ("take_or_pay", F::CtTakeOrPay),
            ("usage", F::CtUsage),
            ("prepaid", F::CtPrepaid),
            ("renewal_prob", F::CtRenewalProb),
            ("renewal_repricing", F::CtRenewalRepricing),
            ("circular_share", F::CtCircularShare),
        ],
    ),
    (
        "tiers",
        &[
            ("share", F::TierShare),
            ("premium", F::TierPremium),
            ("premium_decay", F::TierPremiumDecay),
        ],
    ),
    (
        "equity",
        &[
            ("opening_stake", F::EqOpeningStake),
            ("cost_basis", F::EqCostBasis),
            ("investments", F::EqInvestmentAmount),
            ("valuation", F::EqValuation),
        ],
    ),
    (
        "debt",
        &[
            ("draws", F::DebtDrawAmount),
            ("rate", F::DebtRate),
            ("fee", F::DebtFee),
            ("grace_years", F::DebtGraceYears),
            ("maturity_years", F::DebtMaturityYears),
            ("min_coverage", F::DebtMinCoverage),
        ],
    ),
];

/// Non-numeric keys of each array's items (for messages and filters).
const ARRAY_TEXT_KEYS: &[(&str, &[&str])] = &[
    ("generations", &["name", "launch"]),
    ("capex", &["period", "buys", "generation"]),
    ("counterparties", &["id", "name"]),
    ("contracts", &["name", "counterparty", "signed", "start"]),
    ("tiers", &["name", "latest_generation"]),
    ("equity", &["name", "counterparty"]),
    ("debt", &["name", "amortisation"]),
];

fn to_u32(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

fn slot(field: Field, item: usize, sub: usize) -> Slot {
    Slot {
        field,
        item: to_u32(item),
        sub: to_u32(sub),
    }
}

/// One segment of a path: a key, `*`, or a key with a filter.
#[derive(Debug, Clone)]
struct Seg {
    name: String,
    filter: Option<(String, &'static str, String)>,
}

/// Split a path into segments (the grammar of overlay paths).
fn parse_path(path: &str) -> Result<Vec<Seg>, ParamError> {
    let bad = |m: String| ParamError::Malformed(m);
    let mut raw = Vec::new();
    let mut cur = String::new();
    let mut depth = 0usize;
    for c in path.chars() {
        match c {
            '[' => {
                depth += 1;
                cur.push(c);
            }
            ']' => {
                depth = depth
                    .checked_sub(1)
                    .ok_or_else(|| bad("unbalanced `]`".into()))?;
                cur.push(c);
            }
            '.' if depth == 0 => raw.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    if depth != 0 {
        return Err(bad("unclosed `[`".into()));
    }
    raw.push(cur);
    let mut segs = Vec::with_capacity(raw.len());
    for r in raw {
        let r = r.trim();
        if r.is_empty() {
            return Err(bad("empty segment (two dots, or a dot at an end)".into()));
        }
        let Some(open) = r.find('[') else {
            segs.push(Seg {
                name: r.to_string(),
                filter: None,
            });
            continue;
        };
        if !r.ends_with(']') {
            return Err(bad(format!("text after `]` in `{r}`")));
        }
        let name = r[..open].trim();
        let inner = &r[open + 1..r.len() - 1];
        if name.is_empty() || inner.contains('[') {
            return Err(bad(format!("malformed filter segment `{r}`")));
        }
        let op = [">=", "<=", "!=", "==", ">", "<"]
            .into_iter()
            .find(|op| inner.contains(op))
            .ok_or_else(|| bad(format!("filter `[{inner}]` has no operator")))?;
        let (field, value) = inner.split_once(op).unwrap_or((inner, ""));
        let (field, value) = (field.trim(), value.trim().trim_matches('"'));
        if field.is_empty() || value.is_empty() {
            return Err(bad(format!("filter `[{inner}]` needs `field {op} value`")));
        }
        segs.push(Seg {
            name: name.to_string(),
            filter: Some((field.to_string(), op, value.to_string())),
        });
    }
    Ok(segs)
}

/// Compare as numbers when both parse, as quarters when both parse, else as strings (the
/// overlay rule).
/// How a path filter (`[launch>=2027Q1]`) compares an item's value with the filter's: as
/// numbers when both are numbers, as quarters when both are quarters, else as text. Shared
/// with the overlay machinery so both select the same items.
pub fn filter_compare(a: &str, b: &str) -> Ordering {
    if let (Ok(x), Ok(y)) = (a.parse::<f64>(), b.parse::<f64>()) {
        return x.partial_cmp(&y).unwrap_or(Ordering::Equal);
    }
    if let (Ok(x), Ok(y)) = (Quarter::parse(a), Quarter::parse(b)) {
        return x.cmp(&y);
    }
    a.cmp(b)
}

/// Whether a comparison result satisfies a filter operator (`>=`, `<=`, `>`, `<`, `==`, `!=`).
pub fn filter_keeps(op: &str, o: Ordering) -> bool {
    match op {
        ">=" => o != Ordering::Less,
        "<=" => o != Ordering::Greater,
        ">" => o == Ordering::Greater,
        "<" => o == Ordering::Less,
        "==" => o == Ordering::Equal,
        _ => o != Ordering::Equal,
    }
}

fn array_len(s: &Scenario, section: &str) -> usize {
    match section {
        "generations" => s.generations.len(),
        "capex" => s.capex.len(),
        "counterparties" => s.counterparties.len(),
        "contracts" => s.contracts.len(),
        "tiers" => s.tiers.len(),
        "equity" => s.equity.len(),
        "debt" => s.debt.len(),
        _ => 0,
    }
}

/// The name (or id) of an item, `None` for arrays addressed by index.
fn item_name<'a>(s: &'a Scenario, section: &str, i: usize) -> Option<&'a str> {
    match section {
        "generations" => s.generations.get(i).map(|g| g.name.as_str()),
        "counterparties" => s.counterparties.get(i).map(|c| c.id.as_str()),
        "contracts" => s.contracts.get(i).map(|c| c.name.as_str()),
        "tiers" => s.tiers.get(i).map(|t| t.name.as_str()),
        "equity" => s.equity.get(i).map(|e| e.name.as_str()),
        "debt" => s.debt.get(i).map(|d| d.name.as_str()),
        _ => None,
    }
}

/// A field of an item as text, for filters.
fn item_field(s: &Scenario, section: &str, i: usize, field: &str) -> Option<String> {
    let keys = ARRAY_KEYS.iter().find(|(n, _)| *n == section)?.1;
    if let Some((_, f)) = keys.iter().find(|(k, _)| *k == field) {
        let sl = slot(*f, i, 0);
        return has(s, sl).then(|| get(s, sl).to_string());
    }
    let text = match (section, field) {
        ("generations", "name") => s.generations.get(i)?.name.clone(),
        ("generations", "launch") => s.generations.get(i)?.launch.to_string(),
        ("capex", "period") => s.capex.get(i)?.period_label.clone(),
        ("capex", "generation") => s.generations.get(s.capex.get(i)?.generation)?.name.clone(),
        ("counterparties", "id") => s.counterparties.get(i)?.id.clone(),
        ("counterparties", "name") => s.counterparties.get(i)?.name.clone(),
        ("contracts", "name") => s.contracts.get(i)?.name.clone(),
        ("contracts", "counterparty") => s
            .counterparties
            .get(s.contracts.get(i)?.counterparty?)?
            .id
            .clone(),
        ("contracts", "signed") => s.contracts.get(i)?.signed.to_string(),
        ("contracts", "start") => s.contracts.get(i)?.start.to_string(),
        ("tiers", "name") => s.tiers.get(i)?.name.clone(),
        ("tiers", "latest_generation") => s.tiers.get(i)?.latest_generation.to_string(),
        ("equity", "name") => s.equity.get(i)?.name.clone(),
        ("equity", "counterparty") => s
            .counterparties
            .get(s.equity.get(i)?.counterparty?)?
            .id
            .clone(),
        ("debt", "name") => s.debt.get(i)?.name.clone(),
        ("debt", "amortisation") => match s.debt.get(i)?.amortisation {
            Amortisation::Straight => "straight".into(),
            Amortisation::Bullet => "bullet".into(),
        },
        _ => return None,
    };
    Some(text)
}

fn valid_top() -> Vec<String> {
    let mut v: Vec<String> = Vec::new();
    for (sec, _, _) in TABLE_KEYS {
        if !v.iter().any(|x| x == sec) {
            v.push((*sec).to_string());
        }
    }
    v.extend(ARRAY_KEYS.iter().map(|(n, _)| (*n).to_string()));
    v
}

/// Resolve a path against a scenario: the slots it selects, in item order.
pub fn resolve(s: &Scenario, path: &str) -> Result<Vec<Slot>, ParamError> {
    let segs = parse_path(path)?;
    let first = &segs[0];
    if let Some((_, keys)) = ARRAY_KEYS.iter().find(|(n, _)| *n == first.name) {
        return resolve_array(s, path, &first.name, keys, first, &segs[1..]);
    }
    if first.filter.is_some() {
        return Err(ParamError::Malformed(format!(
            "only arrays of tables take a filter; `{}` is not one",
            first.name
        )));
    }
    let section = first.name.as_str();
    if !TABLE_KEYS.iter().any(|(sec, _, _)| *sec == section) {
        if ["name", "start", "end", "tax", "terminal"].contains(&section) {
            return Err(ParamError::NotNumeric(path.into()));
        }
        return Err(ParamError::Unknown {
            segment: section.into(),
            valid: valid_top(),
        });
    }
    let valid = || -> Vec<String> {
        TABLE_KEYS
            .iter()
            .filter(|(sec, _, _)| *sec == section)
            .map(|(_, k, _)| (*k).to_string())
            .collect()
    };
    let Some(key) = segs.get(1) else {
        return Err(ParamError::Malformed(format!(
            "`{section}` is a table: name one of its keys"
        )));
    };
    if key.filter.is_some() {
        return Err(ParamError::Malformed(format!(
            "`{section}.{}` takes no filter",
            key.name
        )));
    }
    let Some(&(_, _, field)) = TABLE_KEYS
        .iter()
        .find(|(sec, k, _)| *sec == section && *k == key.name)
    else {
        return Err(ParamError::Unknown {
            segment: key.name.clone(),
            valid: valid(),
        });
    };
    let rest = &segs[2..];
    match field {
        F::OpenGrowth | F::InfGrowth => {
            let [entry] = rest else {
                return Err(ParamError::Malformed(format!(
                    "`{section}.growth` is a map: name one year (`{section}.growth.2027`)"
                )));
            };
            if entry.filter.is_some() || entry.name == "*" {
                return Err(ParamError::Malformed(format!(
                    "`{section}.growth` is a map: name one year"
                )));
            }
            let year: i32 = entry.name.parse().map_err(|_| {
                ParamError::Malformed(format!("`{}` is not a calendar year", entry.name))
            })?;
            let points = match field {
                F::OpenGrowth => &s.open_market.growth.points,
                _ => match &s.inference {
                    Some(inf) => &inf.growth.points,
                    None => return Err(ParamError::NotInUse(path.into())),
                },
            };
            let k = points
                .iter()
                .position(|p| p.0 == year)
                .ok_or_else(|| ParamError::MatchesNothing(format!("no growth entry for {year}")))?;
            Ok(vec![slot(field, 0, k)])
        }
        F::AgHoursSaved => {
            let [sub] = rest else {
                return Err(ParamError::Malformed(
                    "`agents.value` is a table: name one of its keys".into(),
                ));
            };
            let Some(&(_, f)) = AGENT_VALUE_KEYS.iter().find(|(k, _)| *k == sub.name) else {
                return Err(ParamError::Unknown {
                    segment: sub.name.clone(),
                    valid: AGENT_VALUE_KEYS.iter().map(|(k, _)| (*k).into()).collect(),
                });
            };
            checked(s, path, vec![slot(f, 0, 0)])
        }
        _ => {
            if let Some(r) = rest.first() {
                return Err(ParamError::Malformed(format!(
                    "`{section}.{}` is a value and has no key `{}`",
                    key.name, r.name
                )));
            }
            checked(s, path, vec![slot(field, 0, 0)])
        }
    }
}

/// Every slot must exist in this scenario's variant.
fn checked(s: &Scenario, path: &str, slots: Vec<Slot>) -> Result<Vec<Slot>, ParamError> {
    if slots.iter().all(|&sl| has(s, sl)) {
        Ok(slots)
    } else {
        Err(ParamError::NotInUse(path.into()))
    }
}

fn resolve_array(
    s: &Scenario,
    path: &str,
    section: &str,
    keys: &[(&str, Field)],
    seg: &Seg,
    rest: &[Seg],
) -> Result<Vec<Slot>, ParamError> {
    let n = array_len(s, section);
    let text_keys = ARRAY_TEXT_KEYS
        .iter()
        .find(|(k, _)| *k == section)
        .map_or(&[][..], |x| x.1);
    let valid_keys = || -> Vec<String> {
        keys.iter()
            .map(|(k, _)| (*k).to_string())
            .chain(text_keys.iter().map(|k| (*k).to_string()))
            .collect()
    };
    // Select items.
    let (items, rest): (Vec<usize>, &[Seg]) = match &seg.filter {
        Some((field, op, value)) => {
            if !keys.iter().any(|(k, _)| k == field) && !text_keys.contains(&field.as_str()) {
                return Err(ParamError::Unknown {
                    segment: field.clone(),
                    valid: valid_keys(),
                });
            }
            let items = (0..n)
                .filter(|&i| {
                    item_field(s, section, i, field)
                        .is_some_and(|v| filter_keeps(op, filter_compare(&v, value)))
                })
                .collect();
            (items, rest)
        }
        None => {
            let Some(sel) = rest.first() else {
                return Err(ParamError::Malformed(format!(
                    "`{section}` is an array: select items (`{section}.*.key`)"
                )));
            };
            let items = if sel.name == "*" {
                (0..n).collect()
            } else if let Some(i) = (0..n).find(|&i| item_name(s, section, i) == Some(&sel.name)) {
                vec![i]
            } else if let Ok(i) = sel.name.parse::<usize>() {
                if i < n { vec![i] } else { Vec::new() }
            } else {
                Vec::new()
            };
            if sel.filter.is_some() {
                return Err(ParamError::Malformed(format!(
                    "write the filter on the array: `{section}[…]`"
                )));
            }
            if items.is_empty() {
                return Err(ParamError::MatchesNothing(format!(
                    "no item `{}` in `{section}`",
                    sel.name
                )));
            }
            (items, &rest[1..])
        }
    };
    let Some(key) = rest.first() else {
        return Err(ParamError::Malformed(format!(
            "name a key of the `{section}` items"
        )));
    };
    if key.filter.is_some() {
        return Err(ParamError::Malformed(format!(
            "`{section}.*.{}` takes no filter",
            key.name
        )));
    }
    let Some(&(_, field)) = keys.iter().find(|(k, _)| *k == key.name) else {
        if text_keys.contains(&key.name.as_str()) {
            return Err(ParamError::NotNumeric(path.into()));
        }
        if section == "contracts" && key.name == "accelerators" {
            return Err(ParamError::NotNumeric(format!(
                "{path} (converted by `perf` on loading: use `ref_accelerators`)"
            )));
        }
        return Err(ParamError::Unknown {
            segment: key.name.clone(),
            valid: valid_keys(),
        });
    };
    let rest = &rest[1..];
    let mut out = Vec::new();
    match field {
        F::CapexMixAccelerators => {
            let [sub] = rest else {
                return Err(ParamError::Malformed(
                    "`capex.*.mix` is a table: name `accelerators` or `facilities`".into(),
                ));
            };
            let f = match sub.name.as_str() {
                "accelerators" => F::CapexMixAccelerators,
                "facilities" => F::CapexMixFacilities,
                other => {
                    return Err(ParamError::Unknown {
                        segment: other.into(),
                        valid: vec!["accelerators".into(), "facilities".into()],
                    });
                }
            };
            out.extend(items.iter().map(|&i| slot(f, i, 0)));
        }
        F::EqInvestmentAmount => {
            let [sel, k] = rest else {
                return Err(ParamError::Malformed(
                    "name an investment and its key: `equity.X.investments.0.amount`".into(),
                ));
            };
            let f = match k.name.as_str() {
                "amount" => F::EqInvestmentAmount,
                "valuation" => F::EqInvestmentValuation,
                other => {
                    return Err(ParamError::Unknown {
                        segment: other.into(),
                        valid: vec!["amount".into(), "valuation".into()],
                    });
                }
            };
            for &i in &items {
                let subs = nested_indices("investments", sel, s.equity[i].investments.len())?;
                out.extend(subs.into_iter().map(|j| slot(f, i, j)));
            }
        }
        F::DebtDrawAmount => {
            let [sel, k] = rest else {
                return Err(ParamError::Malformed(
                    "name a draw and its key: `debt.X.draws.0.amount`".into(),
                ));
            };
            match k.name.as_str() {
                "amount" => {}
                "period" => return Err(ParamError::NotNumeric(path.into())),
                other => {
                    return Err(ParamError::Unknown {
                        segment: other.into(),
                        valid: vec!["amount".into(), "period".into()],
                    });
                }
            }
            for &i in &items {
                let subs = nested_indices("draws", sel, s.debt[i].draws.len())?;
                out.extend(subs.into_iter().map(|j| slot(F::DebtDrawAmount, i, j)));
            }
        }
        F::EqValuation => {
            let [entry] = rest else {
                return Err(ParamError::Malformed(
                    "`equity.*.valuation` is a map: name one quarter (`…valuation.2028Q4`)".into(),
                ));
            };
            let q = Quarter::parse(&entry.name)
                .map_err(|_| ParamError::Malformed(format!("`{}` is not a quarter", entry.name)))?;
            for &i in &items {
                if let Some(k) = s.equity[i].valuation.iter().position(|p| p.0 == q) {
                    out.push(slot(F::EqValuation, i, k));
                }
            }
        }
        _ => {
            if let Some(r) = rest.first() {
                return Err(ParamError::Malformed(format!(
                    "`{section}.*.{}` is a value and has no key `{}`",
                    key.name, r.name
                )));
            }
            out.extend(items.iter().map(|&i| slot(field, i, 0)));
        }
    }
    if out.is_empty() {
        return Err(ParamError::MatchesNothing(path.into()));
    }
    // Items whose variant does not use the key (a contract priced per hour, a facilities
    // tranche's mix) are skipped, as an overlay's edit of an absent key would be an error.
    let used: Vec<Slot> = out.iter().copied().filter(|&sl| has(s, sl)).collect();
    if used.is_empty() {
        return Err(ParamError::NotInUse(path.into()));
    }
    Ok(used)
}

/// The nested items (`investments`, `draws`) a segment selects among `m`: `*` or an index.
fn nested_indices(what: &str, sel: &Seg, m: usize) -> Result<Vec<usize>, ParamError> {
    if sel.filter.is_some() {
        return Err(ParamError::Malformed(format!(
            "{what} are selected by index or `*`, not by a filter"
        )));
    }
    if sel.name == "*" {
        return Ok((0..m).collect());
    }
    let j: usize = sel.name.parse().map_err(|_| {
        ParamError::Malformed(format!("{what} are selected by index, not `{}`", sel.name))
    })?;
    Ok(if j < m { vec![j] } else { Vec::new() })
}

/// Whether the slot exists in this scenario (item present, variant in use).
pub fn has(s: &Scenario, sl: Slot) -> bool {
    let i = sl.item as usize;
    let j = sl.sub as usize;
    match sl.field {
        F::TerminalRecovery => matches!(s.scenario.terminal, Terminal::Book { .. }),
        F::GenUnitCost
        | F::GenPowerKw
        | F::GenPerf
        | F::GenAvailability
        | F::GenAccountingLife
        | F::GenEconomicLife
        | F::GenPricingLife
        | F::GenSalvage => i < s.generations.len(),
        F::CapexAmount | F::CapexAiShare | F::CapexLeadTime => i < s.capex.len(),
        F::CapexMixAccelerators | F::CapexMixFacilities => s
            .capex
            .get(i)
            .is_some_and(|t| matches!(t.kind, crate::scenario::TrancheKind::Mix { .. })),
        F::ComputeStartPrice | F::ComputeDecline | F::ComputeFloor => {
            matches!(s.compute.price_mode, PriceMode::Path { .. })
        }
        F::ComputeExpectedDecline => s.compute.expected_decline.is_some(),
        F::OpenGrowth => j < s.open_market.growth.points.len(),
        F::CpHazard => i < s.counterparties.len(),
        F::CtTotalValue => s
            .contracts
            .get(i)
            .is_some_and(|c| matches!(c.price, ContractPrice::TotalValue(_))),
        F::CtPricePerRefHour => s
            .contracts
            .get(i)
            .is_some_and(|c| matches!(c.price, ContractPrice::PerRefHour(_))),
        F::CtTermYears
        | F::CtRefAccelerators
        | F::CtRampYears
        | F::CtTakeOrPay
        | F::CtUsage
        | F::CtPrepaid
        | F::CtRenewalProb
        | F::CtRenewalRepricing
        | F::CtCircularShare => i < s.contracts.len(),
        F::TierShare | F::TierPremium | F::TierPremiumDecay => i < s.tiers.len(),
        F::InfGrowth => s
            .inference
            .as_ref()
            .is_some_and(|x| j < x.growth.points.len()),
        F::InfTokens
        | F::InfPrice
        | F::InfPriceDecline
        | F::InfMinMargin
        | F::InfTokensPerRefHour
        | F::InfEfficiencyGain
        | F::InfElasticity
        | F::InfMaxTokens => s.inference.is_some(),
        F::AgPrice => s
            .agents
            .as_ref()
            .is_some_and(|a| matches!(a.pricing, AgentPricing::Fixed(_))),
        F::AgHoursSaved | F::AgHourlyCost | F::AgCaptureShare => s
            .agents
            .as_ref()
            .is_some_and(|a| matches!(a.pricing, AgentPricing::Value { .. })),
        F::AgMarket
        | F::AgSeats
        | F::AgP
        | F::AgQ
        | F::AgChurn
        | F::AgPilotShare
        | F::AgPilotPrice
        | F::AgTokensPerSeatMonth
        | F::AgTokenGrowth
        | F::AgNoncomputeShare => s.agents.is_some(),
        F::EqOpeningStake | F::EqCostBasis => i < s.equity.len(),
        F::EqInvestmentAmount => s.equity.get(i).is_some_and(|e| j < e.investments.len()),
        F::EqInvestmentValuation => s
            .equity
            .get(i)
            .and_then(|e| e.investments.get(j))
            .is_some_and(|x| x.valuation.is_some()),
        F::EqValuation => s.equity.get(i).is_some_and(|e| j < e.valuation.len()),
        F::DebtDrawAmount => s.debt.get(i).is_some_and(|d| j < d.draws.len()),
        F::DebtRate | F::DebtFee | F::DebtGraceYears | F::DebtMaturityYears => i < s.debt.len(),
        F::DebtMinCoverage => s.debt.get(i).is_some_and(|d| d.min_coverage.is_some()),
        F::IntShare => matches!(s.internal, Internal::Share(_)),
        F::IntRefHours | F::IntGrowth => matches!(s.internal, Internal::Hours { .. }),
        _ => true,
    }
}

/// A mutable reference to the number a slot locates, or `None` when absent. Whole-number
/// fields are handled by [`get`] and [`set`] directly.
fn num_mut(s: &mut Scenario, sl: Slot) -> Option<&mut f64> {
    let i = sl.item as usize;
    let j = sl.sub as usize;
    Some(match sl.field {
        F::DiscountRate => &mut s.scenario.discount_rate,
        F::TaxRate => &mut s.scenario.tax_rate,
        F::TerminalRecovery => match &mut s.scenario.terminal {
            Terminal::Book { recovery } => recovery,
            _ => return None,
        },
        F::GenUnitCost => &mut s.generations.get_mut(i)?.unit_cost,
        F::GenPowerKw => &mut s.generations.get_mut(i)?.power_kw,
        F::GenPerf => &mut s.generations.get_mut(i)?.perf,
        F::GenAvailability => &mut s.generations.get_mut(i)?.availability,
        F::GenAccountingLife => &mut s.generations.get_mut(i)?.accounting_life_years,
        F::GenEconomicLife => &mut s.generations.get_mut(i)?.economic_life_years,
        F::GenPricingLife => &mut s.generations.get_mut(i)?.pricing_life_years,
        F::GenSalvage => &mut s.generations.get_mut(i)?.salvage,
        F::FacCostPerMw => &mut s.facilities.cost_per_mw,
        F::FacLifeYears => &mut s.facilities.life_years,
        F::FacPue => &mut s.facilities.pue,
        F::FacOpeningMw => &mut s.facilities.opening_mw,
        F::FacOpeningNbvPerMw => &mut s.facilities.opening_nbv_per_mw,
        F::CapexAmount => &mut s.capex.get_mut(i)?.amount,
        F::CapexAiShare => &mut s.capex.get_mut(i)?.ai_share,
        F::CapexMixAccelerators | F::CapexMixFacilities => match &mut s.capex.get_mut(i)?.kind {
            crate::scenario::TrancheKind::Mix {
                accelerators,
                facilities,
            } => {
                if sl.field == F::CapexMixAccelerators {
                    accelerators
                } else {
                    facilities
                }
            }
            _ => return None,
        },
        F::ComputeStartPrice | F::ComputeDecline | F::ComputeFloor => {
            match &mut s.compute.price_mode {
                PriceMode::Path {
                    start_price,
                    decline,
                    floor,
                } => match sl.field {
                    F::ComputeStartPrice => start_price,
                    F::ComputeDecline => decline,
                    _ => floor,
                },
                PriceMode::CostPlus => return None,
            }
        }
        F::ComputeMarketMargin => &mut s.compute.market_margin,
        F::ComputeExpectedUtilization => &mut s.compute.expected_utilization,
        F::ComputePricingPower => &mut s.compute.pricing_power,
        F::ComputeMarkupCap => &mut s.compute.markup_cap,
        F::ComputeExpectedDecline => s.compute.expected_decline.as_mut()?,
        F::PowerPricePerMwh => &mut s.power.price_per_mwh,
        F::PowerEscalation => &mut s.power.escalation,
        F::PowerIdleDraw => &mut s.power.idle_draw,
        F::OpexRate => &mut s.opex.rate,
        F::OpenReferencePrice => &mut s.open_market.reference_price,
        F::OpenRefHours => &mut s.open_market.ref_hours,
        F::OpenGrowth => &mut s.open_market.growth.points.get_mut(j)?.1,
        F::OpenElasticity => &mut s.open_market.elasticity,
        F::OpenFMax => &mut s.open_market.f_max,
        F::CpHazard => &mut s.counterparties.get_mut(i)?.hazard,
        F::CtTermYears => &mut s.contracts.get_mut(i)?.term_years,
        F::CtRefAccelerators => &mut s.contracts.get_mut(i)?.ref_accelerators,
        F::CtRampYears => &mut s.contracts.get_mut(i)?.ramp_years,
        F::CtTotalValue => match &mut s.contracts.get_mut(i)?.price {
            ContractPrice::TotalValue(v) => v,
            ContractPrice::PerRefHour(_) => return None,
        },
        F::CtPricePerRefHour => match &mut s.contracts.get_mut(i)?.price {
            ContractPrice::PerRefHour(v) => v,
            ContractPrice::TotalValue(_) => return None,
        },
        F::CtTakeOrPay => &mut s.contracts.get_mut(i)?.take_or_pay,
        F::CtUsage => &mut s.contracts.get_mut(i)?.usage,
        F::CtPrepaid => &mut s.contracts.get_mut(i)?.prepaid,
        F::CtRenewalProb => &mut s.contracts.get_mut(i)?.renewal_prob,
        F::CtRenewalRepricing => &mut s.contracts.get_mut(i)?.renewal_repricing,
        F::CtCircularShare => &mut s.contracts.get_mut(i)?.circular_share,
        F::PipeCommitShare => &mut s.pipeline.commit_share,
        F::PipeTermYears => &mut s.pipeline.term_years,
        F::PipeReservedDiscount => &mut s.pipeline.reserved_discount,
        F::PipeTakeOrPay => &mut s.pipeline.take_or_pay,
        F::PipeUsage => &mut s.pipeline.usage,
        F::PipeHazard => &mut s.pipeline.hazard,
        F::TierShare => &mut s.tiers.get_mut(i)?.share,
        F::TierPremium => &mut s.tiers.get_mut(i)?.premium,
        F::TierPremiumDecay => &mut s.tiers.get_mut(i)?.premium_decay,
        F::InfTokens => &mut s.inference.as_mut()?.tokens,
        F::InfGrowth => &mut s.inference.as_mut()?.growth.points.get_mut(j)?.1,
        F::InfPrice => &mut s.inference.as_mut()?.price,
        F::InfPriceDecline => &mut s.inference.as_mut()?.price_decline,
        F::InfMinMargin => &mut s.inference.as_mut()?.min_margin,
        F::InfTokensPerRefHour => &mut s.inference.as_mut()?.tokens_per_ref_hour,
        F::InfEfficiencyGain => &mut s.inference.as_mut()?.efficiency_gain,
        F::InfElasticity => &mut s.inference.as_mut()?.elasticity,
        F::InfMaxTokens => &mut s.inference.as_mut()?.max_tokens,
        F::AgMarket => &mut s.agents.as_mut()?.market,
        F::AgSeats => &mut s.agents.as_mut()?.seats,
        F::AgP => &mut s.agents.as_mut()?.p,
        F::AgQ => &mut s.agents.as_mut()?.q,
        F::AgChurn => &mut s.agents.as_mut()?.churn,
        F::AgPilotShare => &mut s.agents.as_mut()?.pilot_share,
        F::AgPilotPrice => &mut s.agents.as_mut()?.pilot_price,
        F::AgPrice | F::AgHoursSaved | F::AgHourlyCost | F::AgCaptureShare => {
            match (&mut s.agents.as_mut()?.pricing, sl.field) {
                (AgentPricing::Fixed(p), F::AgPrice) => p,
                (
                    AgentPricing::Value {
                        hours_saved_per_month,
                        ..
                    },
                    F::AgHoursSaved,
                ) => hours_saved_per_month,
                (AgentPricing::Value { hourly_cost, .. }, F::AgHourlyCost) => hourly_cost,
                (AgentPricing::Value { capture_share, .. }, F::AgCaptureShare) => capture_share,
                _ => return None,
            }
        }
        F::AgTokensPerSeatMonth => &mut s.agents.as_mut()?.tokens_per_seat_month,
        F::AgTokenGrowth => &mut s.agents.as_mut()?.token_growth,
        F::AgNoncomputeShare => &mut s.agents.as_mut()?.noncompute_share,
        F::EqOpeningStake => &mut s.equity.get_mut(i)?.opening_stake,
        F::EqCostBasis => &mut s.equity.get_mut(i)?.cost_basis,
        F::EqInvestmentAmount => &mut s.equity.get_mut(i)?.investments.get_mut(j)?.amount,
        F::EqInvestmentValuation => s
            .equity
            .get_mut(i)?
            .investments
            .get_mut(j)?
            .valuation
            .as_mut()?,
        F::EqValuation => &mut s.equity.get_mut(i)?.valuation.get_mut(j)?.1,
        F::DebtDrawAmount => &mut s.debt.get_mut(i)?.draws.get_mut(j)?.amount,
        F::DebtRate => &mut s.debt.get_mut(i)?.rate,
        F::DebtFee => &mut s.debt.get_mut(i)?.fee,
        F::DebtGraceYears => &mut s.debt.get_mut(i)?.grace_years,
        F::DebtMaturityYears => &mut s.debt.get_mut(i)?.maturity_years,
        F::DebtMinCoverage => s.debt.get_mut(i)?.min_coverage.as_mut()?,
        F::IntShare => match &mut s.internal {
            Internal::Share(x) => x,
            _ => return None,
        },
        F::IntRefHours | F::IntGrowth => match &mut s.internal {
            Internal::Hours { ref_hours, growth } => {
                if sl.field == F::IntRefHours {
                    ref_hours
                } else {
                    growth
                }
            }
            _ => return None,
        },
        F::MothballQuarters | F::FacLeadTime | F::CapexLeadTime => return None,
    })
}

fn int_mut(s: &mut Scenario, sl: Slot) -> Option<&mut u32> {
    match sl.field {
        F::MothballQuarters => Some(&mut s.scenario.mothball_quarters),
        F::FacLeadTime => Some(&mut s.facilities.facility_lead_time),
        F::CapexLeadTime => Some(&mut s.capex.get_mut(sl.item as usize)?.lead_time),
        _ => None,
    }
}

impl Field {
    fn kind(self) -> Kind {
        match self {
            F::MothballQuarters | F::FacLeadTime | F::CapexLeadTime => Kind::Int,
            _ => Kind::Num,
        }
    }
}

impl Slot {
    /// The range of values `payback-input` accepts for this field (both ends inclusive).
    /// Samplers clamp draws into it so that every path is a valid scenario.
    pub fn bounds(self) -> (f64, f64) {
        const INF: f64 = f64::INFINITY;
        const TINY: f64 = f64::MIN_POSITIVE;
        match self.field {
            // Shares and probabilities.
            F::TaxRate
            | F::TerminalRecovery
            | F::GenAvailability
            | F::GenSalvage
            | F::CapexAiShare
            | F::CapexMixAccelerators
            | F::CapexMixFacilities
            | F::ComputeExpectedUtilization
            | F::ComputeDecline
            | F::ComputeExpectedDecline
            | F::PowerIdleDraw
            | F::CpHazard
            | F::CtTakeOrPay
            | F::CtUsage
            | F::CtPrepaid
            | F::CtRenewalProb
            | F::CtCircularShare
            | F::PipeCommitShare
            | F::PipeReservedDiscount
            | F::PipeTakeOrPay
            | F::PipeUsage
            | F::PipeHazard
            | F::TierPremiumDecay
            | F::InfPriceDecline
            | F::AgChurn
            | F::AgPilotShare
            | F::AgCaptureShare
            | F::AgNoncomputeShare
            | F::EqOpeningStake
            | F::DebtFee
            | F::IntShare => (0.0, 1.0),
            // Elasticities may be any sign.
            F::OpenElasticity | F::InfElasticity => (-INF, INF),
            // Rates that may be negative but not below -100 %.
            F::PowerEscalation
            | F::OpenGrowth
            | F::InfGrowth
            | F::InfEfficiencyGain
            | F::AgTokenGrowth
            | F::IntGrowth
            | F::CtRenewalRepricing => (-1.0 + 1e-9, INF),
            // Strictly positive quantities.
            F::GenUnitCost
            | F::GenPerf
            | F::GenAccountingLife
            | F::GenEconomicLife
            | F::GenPricingLife
            | F::FacLifeYears
            | F::CtTermYears
            | F::PipeTermYears
            | F::OpenReferencePrice
            | F::InfTokensPerRefHour
            | F::InfMaxTokens
            | F::InfPrice
            | F::AgMarket
            | F::EqValuation
            | F::EqInvestmentValuation
            | F::DebtMaturityYears => (TINY, INF),
            F::FacPue => (1.0, INF),
            F::OpenFMax | F::ComputeMarkupCap => (1.0, INF),
            // Everything else: not negative (debt rates, grace years, coverage, draws…).
            _ => (0.0, INF),
        }
    }

    /// Whether the field holds a whole number (rounded by [`set`]).
    pub fn is_integer(self) -> bool {
        self.field.kind() == Kind::Int
    }
}

/// The value at a slot (0 when the slot does not exist in this scenario; see [`has`]).
pub fn get(s: &Scenario, sl: Slot) -> f64 {
    match sl.field {
        F::MothballQuarters => f64::from(s.scenario.mothball_quarters),
        F::FacLeadTime => f64::from(s.facilities.facility_lead_time),
        F::CapexLeadTime => s
            .capex
            .get(sl.item as usize)
            .map_or(0.0, |t| f64::from(t.lead_time)),
        _ => read(s, sl).unwrap_or(0.0),
    }
}

/// Shared-reference twin of [`num_mut`] (kept in step by the `get_set_round_trip` test).
fn read(s: &Scenario, sl: Slot) -> Option<f64> {
    let i = sl.item as usize;
    let j = sl.sub as usize;
    Some(match sl.field {
        F::DiscountRate => s.scenario.discount_rate,
        F::TaxRate => s.scenario.tax_rate,
        F::TerminalRecovery => match s.scenario.terminal {
            Terminal::Book { recovery } => recovery,
            _ => return None,
        },
        F::GenUnitCost => s.generations.get(i)?.unit_cost,
        F::GenPowerKw => s.generations.get(i)?.power_kw,
        F::GenPerf => s.generations.get(i)?.perf,
        F::GenAvailability => s.generations.get(i)?.availability,
        F::GenAccountingLife => s.generations.get(i)?.accounting_life_years,
        F::GenEconomicLife => s.generations.get(i)?.economic_life_years,
        F::GenPricingLife => s.generations.get(i)?.pricing_life_years,
        F::GenSalvage => s.generations.get(i)?.salvage,
        F::FacCostPerMw => s.facilities.cost_per_mw,
        F::FacLifeYears => s.facilities.life_years,
        F::FacPue => s.facilities.pue,
        F::FacOpeningMw => s.facilities.opening_mw,
        F::FacOpeningNbvPerMw => s.facilities.opening_nbv_per_mw,
        F::CapexAmount => s.capex.get(i)?.amount,
        F::CapexAiShare => s.capex.get(i)?.ai_share,
        F::CapexMixAccelerators | F::CapexMixFacilities => match s.capex.get(i)?.kind {
            crate::scenario::TrancheKind::Mix {
                accelerators,
                facilities,
            } => {
                if sl.field == F::CapexMixAccelerators {
                    accelerators
                } else {
                    facilities
                }
            }
            _ => return None,
        },
        F::ComputeStartPrice | F::ComputeDecline | F::ComputeFloor => match s.compute.price_mode {
            PriceMode::Path {
                start_price,
                decline,
                floor,
            } => match sl.field {
                F::ComputeStartPrice => start_price,
                F::ComputeDecline => decline,
                _ => floor,
            },
            PriceMode::CostPlus => return None,
        },
        F::ComputeMarketMargin => s.compute.market_margin,
        F::ComputeExpectedUtilization => s.compute.expected_utilization,
        F::ComputePricingPower => s.compute.pricing_power,
        F::ComputeMarkupCap => s.compute.markup_cap,
        F::ComputeExpectedDecline => s.compute.expected_decline?,
        F::PowerPricePerMwh => s.power.price_per_mwh,
        F::PowerEscalation => s.power.escalation,
        F::PowerIdleDraw => s.power.idle_draw,
        F::OpexRate => s.opex.rate,
        F::OpenReferencePrice => s.open_market.reference_price,
        F::OpenRefHours => s.open_market.ref_hours,
        F::OpenGrowth => s.open_market.growth.points.get(j)?.1,
        F::OpenElasticity => s.open_market.elasticity,
        F::OpenFMax => s.open_market.f_max,
        F::CpHazard => s.counterparties.get(i)?.hazard,
        F::CtTermYears => s.contracts.get(i)?.term_years,
        F::CtRefAccelerators => s.contracts.get(i)?.ref_accelerators,
        F::CtRampYears => s.contracts.get(i)?.ramp_years,
        F::CtTotalValue => match s.contracts.get(i)?.price {
            ContractPrice::TotalValue(v) => v,
            ContractPrice::PerRefHour(_) => return None,
        },
        F::CtPricePerRefHour => match s.contracts.get(i)?.price {
            ContractPrice::PerRefHour(v) => v,
            ContractPrice::TotalValue(_) => return None,
        },
        F::CtTakeOrPay => s.contracts.get(i)?.take_or_pay,
        F::CtUsage => s.contracts.get(i)?.usage,
        F::CtPrepaid => s.contracts.get(i)?.prepaid,
        F::CtRenewalProb => s.contracts.get(i)?.renewal_prob,
        F::CtRenewalRepricing => s.contracts.get(i)?.renewal_repricing,
        F::CtCircularShare => s.contracts.get(i)?.circular_share,
        F::PipeCommitShare => s.pipeline.commit_share,
        F::PipeTermYears => s.pipeline.term_years,
        F::PipeReservedDiscount => s.pipeline.reserved_discount,
        F::PipeTakeOrPay => s.pipeline.take_or_pay,
        F::PipeUsage => s.pipeline.usage,
        F::PipeHazard => s.pipeline.hazard,
        F::TierShare => s.tiers.get(i)?.share,
        F::TierPremium => s.tiers.get(i)?.premium,
        F::TierPremiumDecay => s.tiers.get(i)?.premium_decay,
        F::InfTokens => s.inference.as_ref()?.tokens,
        F::InfGrowth => s.inference.as_ref()?.growth.points.get(j)?.1,
        F::InfPrice => s.inference.as_ref()?.price,
        F::InfPriceDecline => s.inference.as_ref()?.price_decline,
        F::InfMinMargin => s.inference.as_ref()?.min_margin,
        F::InfTokensPerRefHour => s.inference.as_ref()?.tokens_per_ref_hour,
        F::InfEfficiencyGain => s.inference.as_ref()?.efficiency_gain,
        F::InfElasticity => s.inference.as_ref()?.elasticity,
        F::InfMaxTokens => s.inference.as_ref()?.max_tokens,
        F::AgMarket => s.agents.as_ref()?.market,
        F::AgSeats => s.agents.as_ref()?.seats,
        F::AgP => s.agents.as_ref()?.p,
        F::AgQ => s.agents.as_ref()?.q,
        F::AgChurn => s.agents.as_ref()?.churn,
        F::AgPilotShare => s.agents.as_ref()?.pilot_share,
        F::AgPilotPrice => s.agents.as_ref()?.pilot_price,
        F::AgPrice | F::AgHoursSaved | F::AgHourlyCost | F::AgCaptureShare => {
            match (s.agents.as_ref()?.pricing, sl.field) {
                (AgentPricing::Fixed(p), F::AgPrice) => p,
                (
                    AgentPricing::Value {
                        hours_saved_per_month,
                        ..
                    },
                    F::AgHoursSaved,
                ) => hours_saved_per_month,
                (AgentPricing::Value { hourly_cost, .. }, F::AgHourlyCost) => hourly_cost,
                (AgentPricing::Value { capture_share, .. }, F::AgCaptureShare) => capture_share,
                _ => return None,
            }
        }
        F::AgTokensPerSeatMonth => s.agents.as_ref()?.tokens_per_seat_month,
        F::AgTokenGrowth => s.agents.as_ref()?.token_growth,
        F::AgNoncomputeShare => s.agents.as_ref()?.noncompute_share,
        F::EqOpeningStake => s.equity.get(i)?.opening_stake,
        F::EqCostBasis => s.equity.get(i)?.cost_basis,
        F::EqInvestmentAmount => s.equity.get(i)?.investments.get(j)?.amount,
        F::EqInvestmentValuation => s.equity.get(i)?.investments.get(j)?.valuation?,
        F::EqValuation => s.equity.get(i)?.valuation.get(j)?.1,
        F::DebtDrawAmount => s.debt.get(i)?.draws.get(j)?.amount,
        F::DebtRate => s.debt.get(i)?.rate,
        F::DebtFee => s.debt.get(i)?.fee,
        F::DebtGraceYears => s.debt.get(i)?.grace_years,
        F::DebtMaturityYears => s.debt.get(i)?.maturity_years,
        F::DebtMinCoverage => s.debt.get(i)?.min_coverage?,
        F::IntShare => match s.internal {
            Internal::Share(x) => x,
            _ => return None,
        },
        F::IntRefHours | F::IntGrowth => match s.internal {
            Internal::Hours { ref_hours, growth } => {
                if sl.field == F::IntRefHours {
                    ref_hours
                } else {
                    growth
                }
            }
            _ => return None,
        },
        F::MothballQuarters | F::FacLeadTime | F::CapexLeadTime => return None,
    })
}

/// Set the value at a slot (nothing happens when the slot does not exist in this scenario).
/// Whole-number fields are rounded to the nearest whole number, not below 0. A value that is
/// not finite is ignored: the scenario keeps its value.
pub fn set(s: &mut Scenario, sl: Slot, v: f64) {
    if !v.is_finite() {
        return;
    }
    if sl.is_integer() {
        if let Some(x) = int_mut(s, sl) {
            // Clamped to 0..=u32::MAX first, so the cast is exact.
            *x = libm::round(v).clamp(0.0, f64::from(u32::MAX)) as u32;
        }
    } else if let Some(x) = num_mut(s, sl) {
        *x = v;
    }
}

/// The concrete path of a slot in this scenario (`generations.B200.unit_cost`,
/// `capex.3.amount`, `open_market.growth.2027`).
pub fn path_of(s: &Scenario, sl: Slot) -> String {
    let i = sl.item as usize;
    let j = sl.sub as usize;
    for (sec, key, f) in TABLE_KEYS {
        if *f == sl.field {
            return match sl.field {
                F::OpenGrowth => format!(
                    "open_market.growth.{}",
                    s.open_market.growth.points.get(j).map_or(0, |p| p.0)
                ),
                F::InfGrowth => format!(
                    "inference.growth.{}",
                    s.inference
                        .as_ref()
                        .and_then(|x| x.growth.points.get(j))
                        .map_or(0, |p| p.0)
                ),
                F::AgHoursSaved => "agents.value.hours_saved_per_month".into(),
                _ => format!("{sec}.{key}"),
            };
        }
    }
    match sl.field {
        F::AgHourlyCost => return "agents.value.hourly_cost".into(),
        F::AgCaptureShare => return "agents.value.capture_share".into(),
        _ => {}
    }
    for (sec, keys) in ARRAY_KEYS {
        let name = item_name(s, sec, i).map_or_else(|| i.to_string(), str::to_string);
        let key = match sl.field {
            F::CapexMixAccelerators => Some("mix.accelerators".to_string()),
            F::CapexMixFacilities => Some("mix.facilities".to_string()),
            F::EqInvestmentAmount => Some(format!("investments.{j}.amount")),
            F::EqInvestmentValuation => Some(format!("investments.{j}.valuation")),
            F::DebtDrawAmount => Some(format!("draws.{j}.amount")),
            F::EqValuation => Some(format!(
                "valuation.{}",
                s.equity
                    .get(i)
                    .and_then(|e| e.valuation.get(j))
                    .map_or_else(String::new, |p| p.0.to_string())
            )),
            _ => keys
                .iter()
                .find(|(_, f)| *f == sl.field)
                .map(|(k, _)| (*k).to_string()),
        };
        let in_section = keys.iter().any(|(_, f)| *f == sl.field)
            || (*sec == "capex" && matches!(sl.field, F::CapexMixFacilities))
            || (*sec == "equity" && matches!(sl.field, F::EqInvestmentValuation));
        if in_section && let Some(k) = key {
            return format!("{sec}.{name}.{k}");
        }
    }
    format!("{:?}", sl.field)
}

/// Every slot of the scenario, in a fixed order (tables in format order, then arrays item by
/// item).
pub fn all_slots(s: &Scenario) -> Vec<Slot> {
    let mut out = Vec::new();
    for (_, _, f) in TABLE_KEYS {
        match f {
            F::OpenGrowth => {
                out.extend((0..s.open_market.growth.points.len()).map(|j| slot(*f, 0, j)));
            }
            F::InfGrowth => {
                let m = s.inference.as_ref().map_or(0, |x| x.growth.points.len());
                out.extend((0..m).map(|j| slot(*f, 0, j)));
            }
            F::AgHoursSaved => {
                out.extend(AGENT_VALUE_KEYS.iter().map(|(_, f)| slot(*f, 0, 0)));
            }
            _ => out.push(slot(*f, 0, 0)),
        }
    }
    for (sec, keys) in ARRAY_KEYS {
        for i in 0..array_len(s, sec) {
            for (_, f) in *keys {
                match f {
                    F::CapexMixAccelerators => {
                        out.push(slot(F::CapexMixAccelerators, i, 0));
                        out.push(slot(F::CapexMixFacilities, i, 0));
                    }
                    F::EqInvestmentAmount => {
                        for j in 0..s.equity[i].investments.len() {
                            out.push(slot(F::EqInvestmentAmount, i, j));
                            out.push(slot(F::EqInvestmentValuation, i, j));
                        }
                    }
                    F::EqValuation => {
                        out.extend((0..s.equity[i].valuation.len()).map(|j| slot(*f, i, j)));
                    }
                    F::DebtDrawAmount => {
                        out.extend((0..s.debt[i].draws.len()).map(|j| slot(*f, i, j)));
                    }
                    _ => out.push(slot(*f, i, 0)),
                }
            }
        }
    }
    out.retain(|&sl| has(s, sl));
    out
}

/// The concrete path of every numeric parameter of the scenario (for suggestions and sliders).
/// Each resolves back to exactly its own slot with [`resolve`].
pub fn all_paths(s: &Scenario) -> Vec<String> {
    all_slots(s).into_iter().map(|sl| path_of(s, sl)).collect()
}
