//! The reference price: levelised full cost of a reference-hour on the newest generation,
//! front-loaded so that a falling price still recovers the whole cost (docs/model/compute.md).

use crate::HOURS;
use crate::finance::{capital_recovery_quarterly, quarterly_rate};
use crate::scenario::{PriceMode, Scenario};

/// Per-quarter cost components of one accelerator of a generation, USD.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct UnitCosts {
    /// Capital charge of the accelerator over its pricing life.
    pub capital: f64,
    /// Capital charge of its share of a shell over the facility life.
    pub shell: f64,
    /// Non-power opex on accelerator and shell cost.
    pub opex: f64,
    /// Electricity at full draw, PUE included.
    pub power: f64,
    /// Sellable reference-hours: HOURS x availability x expected utilization x perf.
    pub sellable_hours: f64,
}

impl UnitCosts {
    /// Flat levelised full cost per sellable reference-hour.
    pub fn full_per_hour(&self) -> f64 {
        (self.capital + self.shell + self.opex + self.power) / self.sellable_hours
    }

    /// Cash cost (power and opex) per sellable reference-hour.
    pub fn cash_per_hour(&self) -> f64 {
        (self.opex + self.power) / self.sellable_hours
    }
}

/// Power price per MWh in the quarter `t_rel` quarters after the start.
pub fn power_price(s: &Scenario, t_rel: i32) -> f64 {
    s.power.price_per_mwh * libm::pow(1.0 + s.power.escalation, f64::from(t_rel) / 4.0)
}

/// Cost components of generation `g` with electricity at `price_per_mwh`.
pub fn unit_costs(s: &Scenario, g: usize, price_per_mwh: f64) -> UnitCosts {
    let r = s.scenario.discount_rate;
    let charges = Charges {
        capital: capital_recovery_quarterly(r, s.generations[g].pricing_life_years),
        shell: capital_recovery_quarterly(r, s.facilities.life_years),
    };
    unit_costs_with(s, g, price_per_mwh, charges)
}

/// Quarterly capital-recovery charges per unit of cost: a generation's over its pricing life,
/// the shell's over the facility life.
#[derive(Debug, Clone, Copy)]
struct Charges {
    capital: f64,
    shell: f64,
}

/// [`unit_costs`] given the generation's capital-recovery charges.
fn unit_costs_with(s: &Scenario, g: usize, price_per_mwh: f64, charges: Charges) -> UnitCosts {
    let gen_ = &s.generations[g];
    let mw = gen_.power_kw / 1000.0;
    let shell_cost = mw * s.facilities.cost_per_mw;
    UnitCosts {
        capital: gen_.unit_cost * charges.capital,
        shell: shell_cost * charges.shell,
        opex: s.opex.rate / 4.0 * (gen_.unit_cost + shell_cost),
        power: mw * s.facilities.pue * HOURS * price_per_mwh,
        sellable_hours: HOURS * gen_.availability * s.compute.expected_utilization * gen_.perf,
    }
}

/// [`unit_costs`] of every generation at a power price of $1/MWh (power scales linearly), with
/// `shell_charge` the shell's capital-recovery charge (`capital_recovery_quarterly(discount_rate,
/// facilities.life_years)`). Each distinct pricing life's charge is computed once: generations
/// usually share one.
pub fn unit_costs_per_mwh(s: &Scenario, shell_charge: f64) -> Vec<UnitCosts> {
    let r = s.scenario.discount_rate;
    let capital = per_pricing_life(s, |years| capital_recovery_quarterly(r, years));
    (0..s.generations.len())
        .map(|g| {
            let charges = Charges {
                capital: capital[g],
                shell: shell_charge,
            };
            unit_costs_with(s, g, 1.0, charges)
        })
        .collect()
}

/// `f(pricing_life_years)` for every generation, calling `f` once per distinct life (the same
/// bits give the same value).
pub(crate) fn per_pricing_life(s: &Scenario, mut f: impl FnMut(f64) -> f64) -> Vec<f64> {
    let gens = &s.generations;
    let mut out: Vec<f64> = Vec::with_capacity(gens.len());
    for (g, gen_) in gens.iter().enumerate() {
        let years = gen_.pricing_life_years;
        let same = (0..g).find(|&k| gens[k].pricing_life_years.to_bits() == years.to_bits());
        let v = match same {
            Some(k) => out[k],
            None => f(years),
        };
        out.push(v);
    }
    out
}

/// Front-loading factor `F = sum df_k / sum (1-d)^(k/4) df_k` over `years` of quarters.
pub fn front_loading(annual_rate: f64, decline: f64, years: f64) -> f64 {
    let rq = quarterly_rate(annual_rate);
    let step = libm::pow(1.0 - decline, 0.25);
    front_loading_with(rq, step, years)
}

/// [`front_loading`] given the quarterly rate `rq = quarterly_rate(annual_rate)` and the
/// quarterly price step `(1 - decline)^(1/4)`, which a caller can compute once for many lives.
pub fn front_loading_with(rq: f64, step: f64, years: f64) -> f64 {
    let n = quarters_in(years);
    let (mut num, mut den) = (0.0, 0.0);
    let (mut df, mut fall) = (1.0, 1.0);
    for _ in 0..n {
        df /= 1.0 + rq;
        num += df;
        den += fall * df;
        fall *= step;
    }
    if den > 0.0 { num / den } else { 1.0 }
}

/// Mean of `(1-d)^(k/4)` over `k = 0 .. 4 x years - 1`: the expected average price over a
/// term relative to its first quarter.
pub fn term_average_factor(decline: f64, years: f64) -> f64 {
    term_average_factor_with(libm::pow(1.0 - decline, 0.25), years)
}

/// [`term_average_factor`] given the quarterly price step `(1 - decline)^(1/4)`.
pub fn term_average_factor_with(step: f64, years: f64) -> f64 {
    let n = quarters_in(years);
    let (mut sum, mut f) = (0.0, 1.0);
    for _ in 0..n {
        sum += f;
        f *= step;
    }
    sum / n as f64
}

/// Whole quarters in a duration of years (at least one).
pub fn quarters_in(years: f64) -> usize {
    let q = libm::round(years * 4.0);
    if q < 1.0 { 1 } else { q as usize }
}

/// Index of the newest generation on sale at absolute quarter index `abs` (the latest launch
/// at or before it, ties to the later one in the file; before any launch, the earliest).
pub fn newest_on_sale(s: &Scenario, abs: i32) -> usize {
    let launches: Vec<i32> = s.generations.iter().map(|g| abs_index(g.launch)).collect();
    newest_on_sale_in(&launches, abs).unwrap_or_else(|| earliest_launch(s))
}

/// [`newest_on_sale`] for the quarters `abs0, abs0 + 1, …`, `n` of them, into `out` (cleared
/// first). The answer changes only when a launch is passed, so it is looked up once per
/// launch, not per quarter.
pub fn newest_on_sale_series(s: &Scenario, abs0: i32, n: usize, out: &mut Vec<usize>) {
    let launches: Vec<i32> = s.generations.iter().map(|g| abs_index(g.launch)).collect();
    let earliest = earliest_launch(s);
    out.clear();
    let end = abs0.saturating_add(i32::try_from(n).unwrap_or(i32::MAX));
    let mut abs = abs0;
    while out.len() < n {
        let g = newest_on_sale_in(&launches, abs).unwrap_or(earliest);
        // The set of launches at or before `abs` stays the same until the next launch.
        let next = launches
            .iter()
            .copied()
            .filter(|&l| l > abs)
            .min()
            .unwrap_or(end)
            .min(end);
        out.extend(std::iter::repeat_n(g, (next - abs) as usize));
        abs = next;
    }
}

/// [`newest_on_sale`] given every generation's launch as an absolute index; `None` before any
/// launch.
pub fn newest_on_sale_in(launches: &[i32], abs: i32) -> Option<usize> {
    let mut best: Option<usize> = None;
    for (i, &l) in launches.iter().enumerate() {
        if l <= abs && best.is_none_or(|b| l >= launches[b]) {
            best = Some(i);
        }
    }
    best
}

fn earliest_launch(s: &Scenario) -> usize {
    let mut best = 0;
    for (i, g) in s.generations.iter().enumerate() {
        if g.launch < s.generations[best].launch {
            best = i;
        }
    }
    best
}

/// A quarter as an absolute integer index.
pub fn abs_index(q: crate::Quarter) -> i32 {
    q.year() * 4 + i32::from(q.q()) - 1
}

/// The expected annual decline of the reference price: given, the path's decline, or
/// `1 - (L_last / L_first)^(4 / quarters between their launches)` from flat levelised full costs
/// at each launch.
pub fn expected_decline(s: &Scenario) -> f64 {
    let r = s.scenario.discount_rate;
    let shell = capital_recovery_quarterly(r, s.facilities.life_years);
    expected_decline_with(s, &unit_costs_per_mwh(s, shell))
}

/// [`expected_decline`] given every generation's [`unit_costs_per_mwh`].
pub fn expected_decline_with(s: &Scenario, unit: &[UnitCosts]) -> f64 {
    if let Some(d) = s.compute.expected_decline {
        return d;
    }
    if let PriceMode::Path { decline, .. } = s.compute.price_mode {
        return decline;
    }
    let start = abs_index(s.scenario.start);
    let first = earliest_launch(s);
    let mut last = first;
    for (i, g) in s.generations.iter().enumerate() {
        if g.launch >= s.generations[last].launch {
            last = i;
        }
    }
    let dq = abs_index(s.generations[last].launch) - abs_index(s.generations[first].launch);
    if dq <= 0 {
        return 0.0;
    }
    let at_launch = |g: usize| {
        let t_rel = abs_index(s.generations[g].launch) - start;
        at_power_price(&unit[g], power_price(s, t_rel)).full_per_hour()
    };
    let ratio = at_launch(last) / at_launch(first);
    let d = 1.0 - libm::pow(ratio, 4.0 / f64::from(dq));
    d.clamp(-0.5, 0.95)
}

/// Unit costs at $1/MWh ([`unit_costs_per_mwh`]) moved to `price_per_mwh`: the same bits as
/// [`unit_costs`] at that price, since multiplying by 1 is exact.
fn at_power_price(unit: &UnitCosts, price_per_mwh: f64) -> UnitCosts {
    UnitCosts {
        power: unit.power * price_per_mwh,
        ..*unit
    }
}

/// Reference price before markup at relative quarter `t_rel`, and the markup floor ratio
/// (newest generation's cash cost per hour over the price).
pub fn reference_price(s: &Scenario, decline: f64, abs: i32, t_rel: i32) -> (f64, f64) {
    let fronts: Vec<f64> = s
        .generations
        .iter()
        .map(|g| front_loading(s.scenario.discount_rate, decline, g.pricing_life_years))
        .collect();
    let unit: Vec<UnitCosts> = (0..s.generations.len())
        .map(|g| unit_costs(s, g, 1.0))
        .collect();
    let g = newest_on_sale(s, abs);
    reference_price_with(s, &fronts, &unit, g, t_rel, power_price(s, t_rel))
}

/// [`reference_price`] with each generation's front-loading factor, its unit costs at a power
/// price of $1/MWh (power scales linearly), the newest generation on sale `g` and the power
/// price given.
pub fn reference_price_with(
    s: &Scenario,
    fronts: &[f64],
    unit: &[UnitCosts],
    g: usize,
    t_rel: i32,
    price_per_mwh: f64,
) -> (f64, f64) {
    let costs = at_power_price(&unit[g], price_per_mwh);
    let p = match s.compute.price_mode {
        PriceMode::CostPlus => costs.full_per_hour() * fronts[g] * (1.0 + s.compute.market_margin),
        PriceMode::Path {
            start_price,
            decline,
            floor,
        } => (start_price * libm::pow(1.0 - decline, f64::from(t_rel) / 4.0)).max(floor),
    };
    let floor = if p > 0.0 {
        costs.cash_per_hour() / p
    } else {
        0.0
    };
    (p, floor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flat_price_needs_no_front_loading() {
        assert_eq!(front_loading(0.09, 0.0, 5.0), 1.0);
    }

    #[test]
    fn falling_price_is_front_loaded() {
        // With a decline the first-quarter price must exceed the flat annuity.
        let f = front_loading(0.09, 0.2, 5.0);
        assert!(f > 1.0 && f < 1.6, "{f}");
        // One quarter: F = df / df = 1 whatever the decline.
        assert_eq!(front_loading(0.09, 0.5, 0.25), 1.0);
    }

    #[test]
    fn term_average_of_two_quarters() {
        // mean(1, 0.75^(1/4)) for a decline of 25 % a year over half a year.
        let want = (1.0 + libm::pow(0.75, 0.25)) / 2.0;
        assert_eq!(term_average_factor(0.25, 0.5), want);
    }
}
