//! The summary metrics of one run as a flat, ordered list of named figures with units.
//!
//! CSV and JSON both print this list, so a metric has the same name and unit in both (see
//! `docs/formats.md`). Quarters are labels (`2031Q3`), paybacks are split into a status, a
//! quarter, years and a shortfall, and an undefined figure is `None`, never NaN.

use payback_model::Quarter;
use payback_model::finance::{IrrResult, Payback};

use crate::Run;

/// A summary value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A number, or undefined.
    Num(Option<f64>),
    /// A label (a quarter, a status), or undefined.
    Text(Option<String>),
    /// Yes or no (CSV: 1 or 0).
    Flag(bool),
    /// Several numbers (the roots of an IRR).
    List(Vec<f64>),
    /// Named numbers (revenue by premium tier).
    Named(Vec<(String, f64)>),
}

/// One summary figure.
#[derive(Debug, Clone, PartialEq)]
pub struct Metric {
    /// Key in JSON, metric name in CSV.
    pub key: &'static str,
    /// Unit: `USD`, `ratio`, `years`, `quarter`, `status`, `bool`, `x` (a multiple).
    pub unit: &'static str,
    /// The figure.
    pub value: Value,
}

fn quarter(q: Option<Quarter>) -> Value {
    Value::Text(q.map(|q| q.to_string()))
}

fn num(x: f64) -> Value {
    Value::Num(Some(x))
}

/// Push the five metrics of a payback, named by `keys`: status, quarter (only when reached),
/// years, shortfall and whether it recrossed (the `payback_*` rows of [`metrics`]).
pub fn payback(out: &mut Vec<Metric>, keys: [&'static str; 5], p: &Payback, q: Option<Quarter>) {
    let (status, years, shortfall, recrossed) = match p {
        Payback::Reached {
            years, recrossed, ..
        } => ("reached", Some(*years), Some(0.0), *recrossed),
        Payback::NeverNegative => ("never_negative", None, Some(0.0), false),
        Payback::NotWithinHorizon { shortfall } => {
            ("not_within_horizon", None, Some(*shortfall), false)
        }
    };
    let reached = matches!(p, Payback::Reached { .. });
    let [k_status, k_quarter, k_years, k_shortfall, k_recrossed] = keys;
    out.push(Metric {
        key: k_status,
        unit: "status",
        value: Value::Text(Some(status.to_string())),
    });
    out.push(Metric {
        key: k_quarter,
        unit: "quarter",
        value: quarter(if reached { q } else { None }),
    });
    out.push(Metric {
        key: k_years,
        unit: "years",
        value: Value::Num(years),
    });
    out.push(Metric {
        key: k_shortfall,
        unit: "USD",
        value: Value::Num(shortfall),
    });
    out.push(Metric {
        key: k_recrossed,
        unit: "bool",
        value: Value::Flag(recrossed),
    });
}

/// Push the three metrics of an IRR, named by `keys`: the primary root, whether there are
/// several, and every root (the `irr*` rows of [`metrics`]).
pub fn irr(out: &mut Vec<Metric>, keys: [&'static str; 3], r: &IrrResult) {
    let [k, k_multiple, k_roots] = keys;
    out.push(Metric {
        key: k,
        unit: "ratio",
        value: Value::Num(r.primary),
    });
    out.push(Metric {
        key: k_multiple,
        unit: "bool",
        value: Value::Flag(r.multiple),
    });
    out.push(Metric {
        key: k_roots,
        unit: "ratio",
        value: Value::List(r.roots.clone()),
    });
}

/// A figure reached in a quarter, as two metrics: `keys[0]`, the amount in USD, and
/// `keys[1]`, the quarter (empty when there is none).
pub fn dated(
    out: &mut Vec<Metric>,
    keys: [&'static str; 2],
    value: Option<f64>,
    q: Option<Quarter>,
) {
    out.push(Metric {
        key: keys[0],
        unit: "USD",
        value: Value::Num(value),
    });
    out.push(Metric {
        key: keys[1],
        unit: "quarter",
        value: Value::Text(q.map(|q| q.to_string())),
    });
}

/// Metric names of the headline (programme) payback, for [`payback`].
pub const PAYBACK_KEYS: [&str; 5] = [
    "payback_status",
    "payback_quarter",
    "payback_years",
    "payback_shortfall",
    "payback_recrossed",
];

/// Every summary metric of `run`, in a fixed order.
pub fn metrics(run: &Run<'_>) -> Vec<Metric> {
    let s = &run.projection.summary;
    let mut out = Vec::new();
    let push = |out: &mut Vec<Metric>, key, unit, value| out.push(Metric { key, unit, value });
    payback(&mut out, PAYBACK_KEYS, &s.payback, s.payback_quarter);
    payback(
        &mut out,
        [
            "payback_runoff_status",
            "payback_runoff_quarter",
            "payback_runoff_years",
            "payback_runoff_shortfall",
            "payback_runoff_recrossed",
        ],
        &s.payback_runoff,
        s.payback_runoff_quarter,
    );
    push(&mut out, "book_cover_value", "USD", num(s.book_cover.value));
    push(
        &mut out,
        "book_cover_surplus",
        "USD",
        num(s.book_cover.surplus),
    );
    push(
        &mut out,
        "cash_flow_positive_quarter",
        "quarter",
        quarter(s.cash_flow_positive),
    );
    push(
        &mut out,
        "discount_rate",
        "ratio",
        num(run.settings.discount_rate),
    );
    push(&mut out, "npv", "USD", num(s.npv));
    push(
        &mut out,
        "npv_with_terminal",
        "USD",
        num(s.npv_with_terminal),
    );
    push(&mut out, "terminal_value", "USD", num(s.terminal_value));
    irr(&mut out, ["irr", "irr_multiple", "irr_roots"], &s.irr);
    irr(
        &mut out,
        [
            "irr_with_terminal",
            "irr_with_terminal_multiple",
            "irr_with_terminal_roots",
        ],
        &s.irr_with_terminal,
    );
    push(&mut out, "mirr", "ratio", Value::Num(s.mirr));
    push(
        &mut out,
        "mirr_with_terminal",
        "ratio",
        Value::Num(s.mirr_with_terminal),
    );
    push(&mut out, "moic", "x", Value::Num(s.moic));
    // A positive amount: the cash the programme needs at its low point.
    dated(
        &mut out,
        ["peak_funding", "peak_funding_quarter"],
        Some(s.peak_funding.value.abs()),
        Some(s.peak_funding.quarter),
    );
    dated(
        &mut out,
        ["peak_rpo", "peak_rpo_quarter"],
        Some(s.peak_rpo.value),
        Some(s.peak_rpo.quarter),
    );
    let m = &s.revenue_mix;
    push(&mut out, "revenue_contracts", "USD", num(m.contracts));
    push(&mut out, "revenue_pipeline", "USD", num(m.pipeline));
    push(
        &mut out,
        "revenue_tiers",
        "USD",
        Value::Named(m.tiers.clone()),
    );
    push(&mut out, "revenue_inference", "USD", num(m.inference));
    push(&mut out, "revenue_agents", "USD", num(m.agents));
    push(&mut out, "revenue_forfeited", "USD", num(m.forfeited));
    push(&mut out, "revenue_total", "USD", num(m.total));
    push(
        &mut out,
        "circular_share",
        "ratio",
        Value::Num(s.circular_share),
    );
    push(
        &mut out,
        "economic_recovery",
        "USD",
        num(s.economic_recovery),
    );
    push(&mut out, "useful_life_gap", "USD", num(s.useful_life_gap));
    push(
        &mut out,
        "expected_decline",
        "ratio",
        num(s.expected_decline),
    );
    push(&mut out, "sunk_capex", "USD", num(s.sunk_capex));
    push(&mut out, "capex_total", "USD", num(s.capex_total));
    push(
        &mut out,
        "capex_unspent_total",
        "USD",
        num(s.capex_unspent_total),
    );
    if let Some(d) = &s.debt {
        dated(
            &mut out,
            ["debt_peak", "debt_peak_quarter"],
            Some(d.peak_balance.value),
            Some(d.peak_balance.quarter),
        );
        push(
            &mut out,
            "debt_at_horizon",
            "USD",
            num(d.balance_at_horizon),
        );
        push(
            &mut out,
            "debt_interest_total",
            "USD",
            num(d.interest_total),
        );
        push(
            &mut out,
            "debt_min_coverage",
            "x",
            Value::Num(d.min_coverage.map(|c| c.value)),
        );
        push(
            &mut out,
            "debt_first_breach",
            "quarter",
            quarter(d.first_breach),
        );
        push(
            &mut out,
            "debt_breach_quarters",
            "quarters",
            num(d.breach_quarters as f64),
        );
        push(&mut out, "npv_levered", "USD", num(d.npv_levered));
    }
    out
}
