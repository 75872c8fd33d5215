//! Debt facilities (`model.md` §8): draws, interest, fees and repayments, levered FCF,
//! interest coverage and the covenant check (docs/model/financing.md).
//!
//! Each draw of each facility is a loan of its own: drawn at the end of its quarter (no
//! interest that quarter), interest-only for `grace_years`, then repaid in equal quarterly
//! instalments until `maturity_years` after the draw (`straight`), or all at maturity
//! (`bullet`). Interest is charged on the balance at the start of the quarter at the
//! quarterly rate `(1 + rate)^(1/4) - 1`. Unlevered FCF is unchanged; levered FCF adds the
//! financing flows and the interest tax shield.

use crate::finance::quarterly_rate;
use crate::scenario::{Amortisation, Scenario, TaxMode};

/// One draw, as a loan.
#[derive(Debug, Clone)]
pub struct Loan {
    /// Facility index.
    pub facility: usize,
    /// Simulation index of the draw.
    pub drawn: usize,
    /// Amount drawn.
    pub amount: f64,
    /// Quarterly interest rate.
    pub rq: f64,
    /// Quarters from the draw to the first repayment - 1.
    pub grace_q: usize,
    /// Quarters from the draw to maturity.
    pub maturity_q: usize,
    /// Repaid at maturity only.
    pub bullet: bool,
    /// Outstanding balance.
    pub balance: f64,
}

/// Loans of every facility, from the scenario's draw schedule.
pub fn loans(s: &Scenario, abs0: i32, n: usize) -> Vec<Loan> {
    let mut out = Vec::new();
    for (k, f) in s.debt.iter().enumerate() {
        // `quarters_in` rounds to at least one quarter; no grace means none.
        let grace_q = if f.grace_years > 0.0 {
            super::pricing::quarters_in(f.grace_years)
        } else {
            0
        };
        let maturity_q = super::pricing::quarters_in(f.maturity_years);
        for d in &f.draws {
            if d.quarters.is_empty() {
                continue;
            }
            let per_q = d.amount / d.quarters.len() as f64;
            for q in &d.quarters {
                let i = super::pricing::abs_index(*q) - abs0;
                if i < 0 || i as usize >= n || per_q <= 0.0 {
                    continue;
                }
                out.push(Loan {
                    facility: k,
                    drawn: i as usize,
                    amount: per_q,
                    rq: quarterly_rate(f.rate),
                    grace_q,
                    maturity_q,
                    bullet: f.amortisation == Amortisation::Bullet || maturity_q <= grace_q,
                    balance: 0.0,
                });
            }
        }
    }
    out
}

/// Financing flows of one quarter.
#[derive(Debug, Clone, Copy, Default)]
pub struct DebtQuarter {
    /// Drawn.
    pub draws: f64,
    /// Repaid.
    pub repayment: f64,
    /// Interest on the opening balance.
    pub interest: f64,
    /// Upfront fees.
    pub fees: f64,
    /// Balance at the end of the quarter.
    pub balance: f64,
    /// Highest `min_coverage` among facilities with interest this quarter.
    pub covenant: Option<f64>,
}

/// Advance every loan through quarter `i`.
pub fn step(s: &Scenario, loans: &mut [Loan], i: usize) -> DebtQuarter {
    let mut q = DebtQuarter::default();
    for l in loans.iter_mut() {
        if i < l.drawn {
            continue;
        }
        if i == l.drawn {
            l.balance = l.amount;
            q.draws += l.amount;
            q.fees += l.amount * s.debt[l.facility].fee;
        } else if l.balance > 0.0 {
            let interest = l.balance * l.rq;
            q.interest += interest;
            if let Some(c) = s.debt[l.facility].min_coverage {
                q.covenant = Some(q.covenant.map_or(c, |x: f64| x.max(c)));
            }
            let k = i - l.drawn;
            let pay = if l.bullet {
                if k >= l.maturity_q { l.balance } else { 0.0 }
            } else if k > l.grace_q && k <= l.maturity_q {
                let n = (l.maturity_q - l.grace_q) as f64;
                (l.amount / n).min(l.balance)
            } else if k > l.maturity_q {
                l.balance
            } else {
                0.0
            };
            l.balance -= pay;
            if l.balance < 1e-9 * l.amount {
                l.balance = 0.0;
            }
            q.repayment += pay;
        }
        q.balance += l.balance;
    }
    q
}

/// The tax saved by interest: at the tax rate for a group; for a standalone business, no
/// more than the tax it pays that quarter (losses carried forward are not refunded).
pub fn tax_shield(s: &Scenario, interest: f64, tax_paid: f64) -> f64 {
    let full = s.scenario.tax_rate * interest;
    match s.scenario.tax {
        TaxMode::Group => full,
        TaxMode::Standalone => full.min(tax_paid.max(0.0)),
    }
}
