//! Commitments: named contracts with their renewal chains, the pipeline, RPO and prepayments,
//! all in expectation over counterparty survival (docs/model/contracts.md).
//!
//! Per instance (one term of one contract), with weight `w` (the probability the chain got
//! this far), survival `S(t)` from the contract's first start, and planned minimum `m_t`:
//! `RPO_t = w S(t) sum_{k>t} m_k`; recognised `w S(t) m_t d_t`; cancelled
//! `w [(S(t-1) - S(t)) sum_{k>=t} m_k + S(t) m_t (1 - d_t)]`, so the roll-forward
//! `RPO_t = RPO_{t-1} + bookings - recognised - cancelled` holds by algebra, not by residual.

use crate::HOURS;

/// One term of a named contract (the first, or a renewal).
#[derive(Debug, Clone)]
pub struct Instance {
    /// Index of the contract in the scenario.
    pub contract: usize,
    /// Simulation index from which the counterparty's hazard applies (the first term's start).
    pub first_start: usize,
    /// Simulation index of signing (RPO booked).
    pub sign: usize,
    /// Simulation index of the first quarter of service.
    pub start: usize,
    /// Quarters in the term.
    pub nq: usize,
    /// Quarters of ramp (0 = flat).
    pub ramp_q: usize,
    /// Reference accelerators at full ramp.
    pub size: f64,
    /// USD per reference-hour.
    pub price: f64,
    /// Probability the chain reached this instance.
    pub weight: f64,
    /// Quarterly survival factor of the counterparty.
    pub survival_q: f64,
    /// Share billed whatever the usage.
    pub take_or_pay: f64,
    /// Expected usage share.
    pub usage: f64,
    /// Prepaid share of the minimum.
    pub prepaid: f64,
    /// Total planned minimum over the term, USD.
    pub minimum: f64,
    /// Planned minimum from the current quarter on (drawn down each quarter).
    pub remaining: f64,
    /// A renewal has been created (or declined) for this instance.
    pub renewed: bool,
    /// Survival to the end of the previous quarter.
    pub s_prev: f64,
    /// Survival to the end of the current quarter.
    pub s_now: f64,
    /// Expected minimum of the quarters not yet processed: sum of m_j S(j).
    pub ra: f64,
}

/// Reserved share in quarter `k` of a term with a ramp of `ramp_q` quarters.
pub fn ramp_share(k: usize, ramp_q: usize) -> f64 {
    if ramp_q == 0 || k + 1 >= ramp_q {
        1.0
    } else {
        (k + 1) as f64 / ramp_q as f64
    }
}

/// Sum of reserved reference-hours over a term.
pub fn reserved_hours_total(size: f64, nq: usize, ramp_q: usize) -> f64 {
    (0..nq).map(|k| size * ramp_share(k, ramp_q) * HOURS).sum()
}

impl Instance {
    /// A new instance; survival and the risk-adjusted minimum are set up from `weight` and
    /// the counterparty's quarterly survival.
    #[expect(
        clippy::too_many_arguments,
        reason = "one call site per kind of instance, named fields"
    )]
    pub fn new(
        contract: usize,
        first_start: usize,
        sign: usize,
        start: usize,
        nq: usize,
        ramp_q: usize,
        size: f64,
        price: f64,
        weight: f64,
        survival_q: f64,
        terms: &crate::scenario::Contract,
    ) -> Instance {
        let mut x = Instance {
            contract,
            first_start,
            sign,
            start,
            nq,
            ramp_q,
            size,
            price,
            weight,
            survival_q,
            take_or_pay: terms.take_or_pay,
            usage: terms.usage,
            prepaid: terms.prepaid,
            minimum: 0.0,
            remaining: 0.0,
            renewed: false,
            s_prev: 1.0,
            s_now: 1.0,
            ra: 0.0,
        };
        x.minimum = reserved_hours_total(size, nq, ramp_q) * x.take_or_pay * price;
        x.remaining = x.minimum;
        x.s_now = x.survival(sign.saturating_sub(1));
        let mut ra = 0.0;
        let mut surv = x.survival(start);
        for j in start..start + nq {
            ra += x.reserved_hours(j) * x.take_or_pay * x.price * surv;
            if j >= first_start {
                surv *= survival_q;
            }
        }
        x.ra = ra;
        x
    }

    /// Move survival on to quarter `i` (called once per quarter from the signing on).
    pub fn advance(&mut self, i: usize) {
        self.s_prev = self.s_now;
        if i > self.first_start {
            self.s_now *= self.survival_q;
        } else {
            self.s_now = 1.0;
        }
    }

    /// Survival to quarter `i` (1 before the hazard applies).
    pub fn survival(&self, i: usize) -> f64 {
        if i <= self.first_start || self.survival_q >= 1.0 {
            1.0
        } else {
            libm::pow(self.survival_q, (i - self.first_start) as f64)
        }
    }

    /// Planned (undiscounted, survival-free) reserved hours in quarter `i`, 0 outside the term.
    pub fn reserved_hours(&self, i: usize) -> f64 {
        if i < self.start || i >= self.start + self.nq {
            0.0
        } else {
            self.size * ramp_share(i - self.start, self.ramp_q) * HOURS
        }
    }

    /// Quarters of the term remaining after quarter `i` (the whole term before the start).
    pub fn quarters_after(&self, i: usize) -> usize {
        if i < self.start {
            self.nq
        } else {
            (self.start + self.nq).saturating_sub(i + 1)
        }
    }

    /// Last quarter of the term.
    pub fn end(&self) -> usize {
        self.start + self.nq - 1
    }
}

/// The pipeline's signings, one per quarter, each held for the term.
#[derive(Debug, Clone, Default)]
pub struct PipelineBook {
    /// Reserved hours per quarter of the signing made in each simulation quarter.
    pub hours: Vec<f64>,
    /// Locked price of each signing.
    pub price: Vec<f64>,
}

/// Flows of commitments in one quarter.
#[derive(Debug, Clone, Copy, Default)]
pub struct CommitmentFlows {
    /// RPO at the end of the quarter.
    pub rpo: f64,
    /// Risk-adjusted RPO.
    pub rpo_risk_adjusted: f64,
    /// Minimum booked.
    pub bookings: f64,
    /// Minimum recognised.
    pub recognised: f64,
    /// Minimum cancelled.
    pub cancelled: f64,
    /// Revenue.
    pub revenue: f64,
    /// Hours used (served).
    pub used: f64,
    /// Reserved hours not delivered.
    pub shortfall: f64,
    /// Prepayments forfeited by defaulting counterparties (revenue).
    pub forfeited: f64,
    /// Deferred revenue balance at the end.
    pub deferred: f64,
    /// Circular revenue.
    pub circular: f64,
}
