//! Annual roll-up of a projection, by calendar year or by fiscal year.
//!
//! How each quarterly series becomes a yearly figure is declared once, in [`ROLLUPS`], keyed
//! by series name: flows are summed, stocks are taken at year end, prices and markups are
//! averaged, and true ratios are recomputed from their summed parts (utilization = served /
//! capacity over the year, never a mean of quarterly ratios). A test checks that every
//! `Quarterly::NAMES` entry is classified.

use payback_model::Projection;
use payback_model::Quarter;
use payback_model::projection::Quarterly;

/// How a quarterly series becomes a yearly figure.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Rollup {
    /// A flow: the sum of the year's quarters.
    Sum,
    /// A stock: the value in the year's last quarter.
    YearEnd,
    /// A price or multiplier: the mean of the year's quarters.
    Mean,
    /// `sum(num) / sum(den) x scale` over the year.
    Ratio {
        /// Numerator series.
        num: &'static str,
        /// Denominator series.
        den: &'static str,
        /// Multiplier (1e6 for a price per million tokens).
        scale: f64,
        /// `true`: 0 when the denominator sums to 0 (utilization); `false`: undefined.
        zero_when_empty: bool,
    },
}

impl Rollup {
    /// A short word for documentation and CSV consumers: `flow`, `stock`, `mean`, `ratio`.
    pub fn kind(self) -> &'static str {
        match self {
            Rollup::Sum => "flow",
            Rollup::YearEnd => "stock",
            Rollup::Mean => "mean",
            Rollup::Ratio { .. } => "ratio",
        }
    }
}

use Rollup::{Mean, Sum, YearEnd};

const UTILIZATION: Rollup = Rollup::Ratio {
    num: "served",
    den: "capacity",
    scale: 1.0,
    zero_when_empty: true,
};

const INFERENCE_PRICE: Rollup = Rollup::Ratio {
    num: "revenue_inference",
    den: "inference_tokens",
    scale: 1e6,
    zero_when_empty: false,
};

/// The roll-up of every quarterly series, keyed by series name, in column order.
pub const ROLLUPS: &[(&str, Rollup)] = &[
    ("capacity", Sum),
    ("capacity_newest", Sum),
    ("accelerators_in_service", YearEnd),
    ("queued_accelerators", YearEnd),
    ("queued_cost", YearEnd),
    ("mw_in_service", YearEnd),
    ("mw_occupied", YearEnd),
    ("mw_idle", YearEnd),
    ("mw_mothballed", YearEnd),
    ("mw_on_order", YearEnd),
    ("demand_open_market", Sum),
    ("demand_tiers", Sum),
    ("demand_contracts", Sum),
    ("demand_pipeline", Sum),
    ("demand_inference", Sum),
    ("demand_agents", Sum),
    ("demand_internal", Sum),
    ("served_contracts", Sum),
    ("served_pipeline", Sum),
    ("served_inference", Sum),
    ("served_agents", Sum),
    ("served_internal", Sum),
    ("served_tiers", Sum),
    ("served", Sum),
    ("unserved", Sum),
    ("contract_shortfall", Sum),
    ("utilization", UTILIZATION),
    ("p_ref", Mean),
    ("p_ref_expected", Mean),
    ("markup", Mean),
    ("revenue_contracts", Sum),
    ("revenue_pipeline", Sum),
    ("revenue_tiers", Sum),
    ("revenue_inference", Sum),
    ("revenue_agents", Sum),
    ("revenue_forfeited", Sum),
    ("revenue", Sum),
    ("revenue_circular", Sum),
    ("power", Sum),
    ("opex_datacenter", Sum),
    ("opex_agents", Sum),
    ("opex", Sum),
    ("ebitda", Sum),
    ("depreciation_accelerators", Sum),
    ("depreciation_facilities", Sum),
    ("depreciation", Sum),
    ("impairment", Sum),
    ("economic_depreciation", Sum),
    ("ebit", Sum),
    ("tax", Sum),
    ("tax_losses_carried", YearEnd),
    ("deferred_revenue", YearEnd),
    ("deferred_revenue_change", Sum),
    ("ocf", Sum),
    ("capex_accelerators", Sum),
    ("capex_facilities", Sum),
    ("capex", Sum),
    ("capex_unspent", Sum),
    ("salvage", Sum),
    ("fcf", Sum),
    ("fcf_cumulative", YearEnd),
    ("fcf_discounted_cumulative", YearEnd),
    ("fcf_ex_circular", Sum),
    ("equity_investment", Sum),
    ("economic_fcf", Sum),
    ("equity_mark", YearEnd),
    ("debt_draws", Sum),
    ("debt_repayment", Sum),
    ("debt_interest", Sum),
    ("debt_fees", Sum),
    ("debt_balance", YearEnd),
    ("levered_fcf", Sum),
    ("rpo", YearEnd),
    ("rpo_risk_adjusted", YearEnd),
    ("bookings", Sum),
    ("rpo_recognised", Sum),
    ("rpo_cancelled", Sum),
    // Quarter revenue x 4: the run-rate at year end is the last quarter's.
    ("run_rate", YearEnd),
    ("inference_tokens", Sum),
    ("inference_price", INFERENCE_PRICE),
    ("inference_price_floor", Mean),
    ("tokens_per_ref_hour", Mean),
    ("agent_seats", YearEnd),
    ("agent_price", Mean),
    ("nbv_accelerators", YearEnd),
    ("nbv_facilities", YearEnd),
    ("hardware_placed_cost", YearEnd),
    ("hardware_depreciation_cumulative", YearEnd),
    ("impairment_cumulative", YearEnd),
    ("salvage_cumulative", YearEnd),
];

/// The roll-up of the series `name`, if it is a quarterly series.
pub fn rollup_of(name: &str) -> Option<Rollup> {
    ROLLUPS.iter().find(|(n, _)| *n == name).map(|(_, r)| *r)
}

/// Which years the quarters are grouped into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum YearBasis {
    /// Calendar years (`2030`).
    Calendar,
    /// Fiscal years ending in the given month (`FY2030` ends in that month of 2030).
    Fiscal {
        /// Month (1..=12) in which the fiscal year ends.
        year_end_month: u32,
    },
}

/// One year of the roll-up.
#[derive(Debug, Clone, PartialEq)]
pub struct Year {
    /// `2030` or `FY2030`.
    pub label: String,
    /// The calendar or fiscal year number.
    pub year: i32,
    /// Indices into `Projection::quarters` covered (contiguous, in order).
    pub quarters: std::ops::Range<usize>,
}

impl Year {
    /// Whether the projection covers only part of the year (fewer than four quarters).
    pub fn is_partial(&self) -> bool {
        self.quarters.len() < 4
    }
}

/// One series, rolled up.
#[derive(Debug, Clone, PartialEq)]
pub struct AnnualSeries {
    /// Series name (the quarterly series' name).
    pub name: &'static str,
    /// Unit (the quarterly series' unit).
    pub unit: &'static str,
    /// How it was rolled up.
    pub rollup: Rollup,
    /// One value per year; `None` where undefined (a ratio without denominator).
    pub values: Vec<Option<f64>>,
}

/// A projection rolled up by year.
#[derive(Debug, Clone, PartialEq)]
pub struct Annual {
    /// Calendar or fiscal.
    pub basis: YearBasis,
    /// The years, in order.
    pub years: Vec<Year>,
    /// Every quarterly series, then the optional series, rolled up.
    pub series: Vec<AnnualSeries>,
}

/// Names, units and roll-up words of the optional series, which are not in `Quarterly`.
pub const OPTIONAL_ROLLUPS: &[(&str, &str, &str)] = &[
    ("inference_cost_per_mtok", "USD/Mtok", "token-weighted mean"),
    (
        "inference_margin_per_mtok",
        "USD/Mtok",
        "token-weighted mean",
    ),
    (
        "gross_margin",
        "ratio",
        "(revenue - power - depreciation) / revenue",
    ),
    ("ebitda_margin", "ratio", "ebitda / revenue"),
    ("interest_coverage", "x", "ebitda / interest"),
];

impl Annual {
    /// Roll a projection up by calendar year or by fiscal year.
    pub fn new(p: &Projection, basis: YearBasis) -> Annual {
        let years = group_years(&p.quarters, basis);
        let mut series: Vec<AnnualSeries> =
            p.q.columns()
                .into_iter()
                .map(|c| {
                    let rollup = rollup_of(c.name).unwrap_or(Rollup::Sum);
                    AnnualSeries {
                        name: c.name,
                        unit: c.unit,
                        rollup,
                        values: years
                            .iter()
                            .map(|y| apply(&p.q, c.values, rollup, y.quarters.clone()))
                            .collect(),
                    }
                })
                .collect();
        let weighted = |v: &[Option<f64>], r: std::ops::Range<usize>| {
            token_weighted(&p.q.inference_tokens, v, r)
        };
        let ratio_of = |num: &dyn Fn(usize) -> f64, r: std::ops::Range<usize>| {
            let rev: f64 = p.q.revenue.get(r.clone()).unwrap_or(&[]).iter().sum();
            let n: f64 = r.map(num).sum();
            (rev != 0.0).then(|| n / rev).filter(|x| x.is_finite())
        };
        let at = |v: &Vec<f64>, i: usize| v.get(i).copied().unwrap_or(0.0);
        let q = &p.q;
        let optional: [(usize, Vec<Option<f64>>); 5] = [
            (
                0,
                years
                    .iter()
                    .map(|y| weighted(&p.opt.inference_cost_per_mtok, y.quarters.clone()))
                    .collect(),
            ),
            (
                1,
                years
                    .iter()
                    .map(|y| weighted(&p.opt.inference_margin_per_mtok, y.quarters.clone()))
                    .collect(),
            ),
            (
                2,
                years
                    .iter()
                    .map(|y| {
                        ratio_of(
                            &|i| at(&q.revenue, i) - at(&q.power, i) - at(&q.depreciation, i),
                            y.quarters.clone(),
                        )
                    })
                    .collect(),
            ),
            (
                3,
                years
                    .iter()
                    .map(|y| ratio_of(&|i| at(&q.ebitda, i), y.quarters.clone()))
                    .collect(),
            ),
            (
                4,
                years
                    .iter()
                    .map(|y| {
                        let r = y.quarters.clone();
                        let interest: f64 = r.clone().map(|i| at(&q.debt_interest, i)).sum();
                        let ebitda: f64 = r.map(|i| at(&q.ebitda, i)).sum();
                        (interest > 0.0)
                            .then(|| ebitda / interest)
                            .filter(|x| x.is_finite())
                    })
                    .collect(),
            ),
        ];
        for (k, values) in optional {
            let (name, unit, _) = OPTIONAL_ROLLUPS[k];
            series.push(AnnualSeries {
                name,
                unit,
                rollup: Rollup::Mean,
                values,
            });
        }
        Annual {
            basis,
            years,
            series,
        }
    }

    /// The series called `name`, if any.
    pub fn get(&self, name: &str) -> Option<&AnnualSeries> {
        self.series.iter().find(|s| s.name == name)
    }

    /// The values of `name`, or all `None` for an unknown name.
    pub fn values(&self, name: &str) -> Vec<Option<f64>> {
        self.get(name)
            .map_or_else(|| vec![None; self.years.len()], |s| s.values.clone())
    }
}

/// The calendar roll-up, and the fiscal one when the scenario reports fiscal years.
pub fn rollups_for(s: &payback_model::scenario::Settings, p: &Projection) -> Vec<Annual> {
    let mut out = vec![Annual::new(p, YearBasis::Calendar)];
    if let Some(m) = s.fiscal_year_end.filter(|m| (1..=11).contains(m)) {
        // A December year end is the calendar year: no second table.
        out.push(Annual::new(p, YearBasis::Fiscal { year_end_month: m }));
    }
    out
}

/// The fiscal year (the year in which it ends) that calendar quarter `q` belongs to: the
/// quarter containing the year-end month is the fiscal year's last quarter, as in
/// `payback_model::period` (Oracle, May year end: calendar 2025Q3 is FY2026Q1).
pub fn fiscal_year(q: Quarter, year_end_month: u32) -> i32 {
    let first_month = u32::from(q.q()) * 3 - 2;
    if first_month <= year_end_month {
        q.year()
    } else {
        q.year() + 1
    }
}

fn group_years(quarters: &[Quarter], basis: YearBasis) -> Vec<Year> {
    let key = |q: Quarter| match basis {
        YearBasis::Calendar => q.year(),
        YearBasis::Fiscal { year_end_month } => fiscal_year(q, year_end_month),
    };
    let mut years: Vec<Year> = Vec::new();
    for (i, &q) in quarters.iter().enumerate() {
        let y = key(q);
        match years.last_mut() {
            Some(last) if last.year == y => last.quarters.end = i + 1,
            _ => years.push(Year {
                label: match basis {
                    YearBasis::Calendar => y.to_string(),
                    YearBasis::Fiscal { .. } => format!("FY{y}"),
                },
                year: y,
                quarters: i..i + 1,
            }),
        }
    }
    years
}

fn slice(v: &[f64], r: std::ops::Range<usize>) -> &[f64] {
    v.get(r).unwrap_or(&[])
}

fn apply(q: &Quarterly, values: &[f64], rollup: Rollup, r: std::ops::Range<usize>) -> Option<f64> {
    let xs = slice(values, r.clone());
    let out = match rollup {
        Rollup::Sum => Some(xs.iter().sum()),
        Rollup::YearEnd => xs.last().copied(),
        Rollup::Mean => (!xs.is_empty()).then(|| xs.iter().sum::<f64>() / xs.len() as f64),
        Rollup::Ratio {
            num,
            den,
            scale,
            zero_when_empty,
        } => {
            let n: f64 = q.get(num).map_or(0.0, |v| slice(v, r.clone()).iter().sum());
            let d: f64 = q.get(den).map_or(0.0, |v| slice(v, r.clone()).iter().sum());
            if d == 0.0 {
                zero_when_empty.then_some(0.0)
            } else {
                Some(n / d * scale)
            }
        }
    };
    out.filter(|x| x.is_finite())
}

/// Mean of the defined quarters weighted by tokens served.
fn token_weighted(tokens: &[f64], v: &[Option<f64>], r: std::ops::Range<usize>) -> Option<f64> {
    let (mut num, mut den) = (0.0, 0.0);
    for i in r {
        if let (Some(&t), Some(Some(x))) = (tokens.get(i), v.get(i)) {
            num += t * x;
            den += t;
        }
    }
    (den > 0.0).then(|| num / den).filter(|x| x.is_finite())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::sample_projection;
    use payback_model::period::PeriodSpec;

    #[test]
    fn every_quarterly_series_is_classified() {
        for name in Quarterly::NAMES {
            assert!(
                rollup_of(name).is_some(),
                "`{name}` has no roll-up in ROLLUPS"
            );
        }
        for (name, _) in ROLLUPS {
            assert!(
                Quarterly::NAMES.contains(name),
                "ROLLUPS names `{name}`, which is not a quarterly series"
            );
        }
        assert_eq!(
            ROLLUPS.len(),
            Quarterly::NAMES.len(),
            "a series is listed twice"
        );
    }

    #[test]
    fn fiscal_years_agree_with_the_period_parser() {
        for fye in 1..=12 {
            for y in [2025, 2026] {
                let qs = PeriodSpec::FiscalYear(y).quarters(Some(fye)).unwrap();
                for q in qs {
                    assert_eq!(fiscal_year(q, fye), y, "{q} with year end month {fye}");
                }
            }
        }
    }

    #[test]
    fn flows_sum_stocks_take_year_end_and_utilization_is_recomputed() {
        let p = sample_projection();
        let a = Annual::new(&p, YearBasis::Calendar);
        assert_eq!(a.years.len(), 2);
        assert_eq!(a.years[0].label, "2024");
        // fcf is 1, 2, 3, ... per quarter in the sample.
        assert_eq!(a.values("fcf")[0], Some(1.0 + 2.0 + 3.0 + 4.0));
        assert_eq!(
            a.values("fcf_cumulative")[1],
            p.q.fcf_cumulative.last().copied()
        );
        let served: f64 = p.q.served[..4].iter().sum();
        let capacity: f64 = p.q.capacity[..4].iter().sum();
        assert_eq!(a.values("utilization")[0], Some(served / capacity));
        // The sample has no tokens: the inference price is undefined, never NaN.
        assert_eq!(a.values("inference_price")[0], None);
    }

    #[test]
    fn quarterly_and_annual_flows_agree() {
        let p = sample_projection();
        let a = Annual::new(&p, YearBasis::Fiscal { year_end_month: 6 });
        for s in a.series.iter().filter(|s| s.rollup == Rollup::Sum) {
            let total: f64 = s.values.iter().flatten().sum();
            let quarterly: f64 = p.q.get(s.name).unwrap().iter().sum();
            assert!(
                (total - quarterly).abs() <= 1e-9 * quarterly.abs().max(1.0),
                "{}",
                s.name
            );
        }
        assert_eq!(a.years[0].label, "FY2024");
        assert!(a.years[0].is_partial());
    }
}
