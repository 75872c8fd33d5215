//! Financial functions: NPV, XNPV, IRR, XIRR, MIRR, capital recovery and payback.
//!
//! # Conventions
//!
//! * **Rates** are plain fractions (`0.1` is 10 %). A rate is only meaningful above `-1`
//!   (a `-100 %` rate makes every discount factor infinite); every function states what it
//!   does outside that domain. Powers are evaluated as `exp(t * log1p(r))` with `libm`.
//! * **Periodic series.** `values[i]` is the cash flow of period `i` (0-based).
//!   * [`npv_excel`] (Excel `NPV`): every value sits at the *end* of its period, so
//!     `values[0]` is discounted one full period: `Σ v_i / (1+r)^(i+1)`.
//!   * [`npv_t0`] (numpy-financial `npv`): `values[0]` is at time 0, undiscounted:
//!     `Σ v_i / (1+r)^i`. Hence `npv_t0 = npv_excel · (1+r)`.
//!   * [`npv_quarterly`] (the payback model): `values[t]` is the flow of quarter `t`, booked
//!     at the quarter's end, the rate is **annual** and the present is the start of quarter
//!     0: `Σ CF_t / (1+r)^((t+1)/4)`.
//!   * IRRs of periodic series ([`irr`], [`irr_periodic`]) are roots of `Σ v_i / (1+r)^i`;
//!     shifting every flow by a whole period does not move the roots, so the Excel and
//!     numpy conventions give the same IRR.
//! * **Dated series** ([`xnpv`], [`xirr`]) follow Excel: the first row is the reference date,
//!   `t_i = (d_i − d_0)` in whole days `/ 365` (actual/365 fixed, no leap-year adjustment),
//!   the first flow is undiscounted, and a date earlier than the first one is an error
//!   ([`FinanceError::DateBeforeFirst`]); the remaining dates need not be sorted.
//! * **Quarterly ↔ annual rates** are converted by compounding: `r_q = (1+r)^(1/4) − 1`,
//!   `r = (1+r_q)^4 − 1` ([`quarterly_rate`], [`irr_quarterly_annualised`],
//!   [`mirr_quarterly_annualised`]).
//! * **Root search.** [`irr_periodic`] puts a grid of [`GRID_POINTS`] points evenly spaced in
//!   `log(1+r)` over the requested range, records every grid point where the NPV is exactly
//!   zero and every grid interval whose end values have opposite signs, and refines each
//!   such interval with Brent's method (bisection safeguarded) until the bracket is at most
//!   `1e-14 + 8.9e-16·|r|` wide (so `|Δr| < 1e-12` for any `|r| < 1000`). The NPV is
//!   evaluated by Horner's rule in `x = 1/(1+r)` when `r ≥ 0` and in `1+r` (reversed) when
//!   `r < 0`, after dividing by the largest `|value|`; both forms are the NPV times a
//!   positive factor, so signs and roots are exact and nothing overflows. A root of even
//!   multiplicity (the NPV touches zero without crossing) is found only if it falls on a grid
//!   point, and two roots closer together than one grid step may be missed. With several
//!   roots the *primary* one is the root nearest 0 (numpy-financial's choice).
//!   [`irr_quarterly_primary`] returns only that root of [`irr_quarterly_annualised`], bit
//!   for bit, visiting the grid outward from 0 and stopping once no farther root can be
//!   nearer.
//! * **Excel-compatible solvers** ([`irr`], [`xirr`]) first run Newton's method from the
//!   guess (default `0.1`) like Excel (at most 100 iterations; Newton stepping to `r ≤ -1`
//!   counts as a failure); Newton is accepted only if it converges
//!   (step below `1e-12·max(1, |r|)`) to a rate above `-1` whose NPV is below `1e-9` of the
//!   sum of the absolute discounted flows. Otherwise they fall back to the bracketed search
//!   over `r ∈ [-1 + 1e-12, 1e6]` (8400 grid points) and return the root nearest the
//!   guess, where Excel would give up with `#NUM!`. When the flows have several IRRs the
//!   one returned is whichever Newton reaches from the guess, as in Excel (pyxirr, for
//!   instance, sometimes reports a different root of the same flows).
//! * **Totality.** Nothing here panics and no function returns NaN or an infinity. Functions
//!   returning a bare `f64` document their fallback for invalid input (usually `0.0`);
//!   the others return `Option`/`Result`. Besides the input errors, [`FinanceError`] has
//!   [`FinanceError::InvalidRate`] and [`FinanceError::NonFinite`] for rates `≤ -1` or not
//!   finite and for non-finite values or overflow.

use std::fmt;
use std::sync::OnceLock;

use chrono::NaiveDate;
use serde::Serialize;

/// Number of grid points used by [`irr_periodic`] and [`irr_quarterly_annualised`].
pub const GRID_POINTS: usize = 1000;

/// Grid points of the wide fallback search of [`irr`] and [`xirr`] (step ≈ 0.005 in
/// `log(1+r)`).
const WIDE_GRID_POINTS: usize = 8400;

/// Lowest rate of the wide fallback search: `-1 + 1e-12`.
const WIDE_LO: f64 = -1.0 + 1e-12;

/// Highest rate of the wide fallback search.
const WIDE_HI: f64 = 1e6;

/// Annual bounds of the model's IRR search ([`irr_quarterly_annualised`]).
const MODEL_IRR_LO: f64 = -0.95;
const MODEL_IRR_HI: f64 = 3.0;

/// Maximum Newton iterations for [`irr`] and [`xirr`].
const NEWTON_MAX_ITER: usize = 100;

/// Maximum Brent iterations (bisection alone needs < 80 for any bracket used here).
const BRENT_MAX_ITER: usize = 300;

/// Bracket width at which the IRR search's Brent stops: `2 eps |r| + 5e-15` (see [`brent`]).
const ROOT_XTOL: f64 = 1e-14;

/// Relative NPV residual under which a Newton result is accepted as a root.
const NEWTON_RESIDUAL: f64 = 1e-9;

/// Why a dated-flow computation failed.
#[derive(Debug, Clone, PartialEq)]
pub enum FinanceError {
    /// No cash flows were given.
    Empty,
    /// `values` and `dates` have different lengths.
    LengthMismatch {
        /// Number of values.
        values: usize,
        /// Number of dates.
        dates: usize,
    },
    /// A date is earlier than the first date (Excel requires the first row to be the start).
    DateBeforeFirst {
        /// Index of the offending date.
        index: usize,
    },
    /// The flows do not contain both a positive and a negative amount, so no rate makes
    /// their NPV zero.
    NoSignChange,
    /// Both signs are present but no rate in `(-1, 1e6]` was found at which the NPV is zero
    /// (Newton did not converge and the bracketed search found no sign change).
    NoConvergence,
    /// The rate is not finite or is `≤ -1`.
    InvalidRate,
    /// A value is NaN or infinite, or the result overflowed.
    NonFinite,
}

impl fmt::Display for FinanceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => write!(f, "no cash flows given"),
            Self::LengthMismatch { values, dates } => write!(
                f,
                "{values} cash flows but {dates} dates: every cash flow needs exactly one date"
            ),
            Self::DateBeforeFirst { index } => write!(
                f,
                "date #{} is earlier than the first date; the first row must be the earliest",
                index + 1
            ),
            Self::NoSignChange => write!(
                f,
                "the cash flows need at least one positive and one negative amount to have a rate of return"
            ),
            Self::NoConvergence => write!(
                f,
                "no rate above -100% makes the NPV zero (searched up to 1e6, i.e. 100,000,000%)"
            ),
            Self::InvalidRate => write!(f, "the rate must be a finite number above -1 (-100%)"),
            Self::NonFinite => write!(
                f,
                "a cash flow is not a finite number, or the result overflowed"
            ),
        }
    }
}

impl std::error::Error for FinanceError {}

/// Result of a root search.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IrrResult {
    /// Every root found, ascending (per-period rates for [`irr_periodic`], annual rates for
    /// [`irr_quarterly_annualised`]).
    pub roots: Vec<f64>,
    /// The root reported as *the* IRR: the only root, or the one nearest 0 when there are
    /// several; `None` when no root was found.
    pub primary: Option<f64>,
    /// `true` when more than one root was found (the IRR is then ambiguous).
    pub multiple: bool,
}

impl IrrResult {
    fn none() -> Self {
        Self {
            roots: Vec::new(),
            primary: None,
            multiple: false,
        }
    }

    fn from_roots(roots: Vec<f64>) -> Self {
        let primary = nearest(&roots, 0.0);
        let multiple = roots.len() > 1;
        Self {
            roots,
            primary,
            multiple,
        }
    }
}

/// When cumulative cash first turns non-negative after being negative.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Payback {
    /// Crossed during quarter index `period` (0-based). `years = (period + f)/4` where
    /// `f = -C_{t-1}/CF_t ∈ (0, 1]` is the linear interpolation inside the quarter (flows
    /// at quarter ends, time measured from the start of quarter 0). `recrossed` is true if
    /// the cumulative goes negative again later.
    Reached {
        /// Quarter index (0-based) in which the cumulative cash turns non-negative.
        period: usize,
        /// Payback time in years from the start of quarter 0.
        years: f64,
        /// Whether the cumulative cash goes negative again after `period`.
        recrossed: bool,
    },
    /// The cumulative never went negative (nothing at risk).
    NeverNegative,
    /// Still negative at the end; `shortfall = -cumulative` at the end (> 0).
    NotWithinHorizon {
        /// Cash still missing at the end of the horizon (positive).
        shortfall: f64,
    },
}

// ---------------------------------------------------------------------------------------
// Small numeric helpers
// ---------------------------------------------------------------------------------------

/// A finite rate strictly above -1.
fn valid_rate(r: f64) -> bool {
    r.is_finite() && r > -1.0
}

/// Clamp an infinite result to `±f64::MAX`, map NaN to 0 and `-0.0` to `0.0`.
fn saturate(x: f64) -> f64 {
    if x.is_nan() || x == 0.0 {
        0.0
    } else {
        x.clamp(-f64::MAX, f64::MAX)
    }
}

/// The element of `xs` nearest `target` (first one on ties).
fn nearest(xs: &[f64], target: f64) -> Option<f64> {
    let mut best: Option<f64> = None;
    for &x in xs {
        match best {
            Some(b) if (b - target).abs() <= (x - target).abs() => {}
            _ => best = Some(x),
        }
    }
    best
}

/// Whether `values` has at least one strictly positive and one strictly negative entry.
fn has_both_signs(values: &[f64]) -> bool {
    values.iter().any(|&v| v > 0.0) && values.iter().any(|&v| v < 0.0)
}

/// Largest absolute value (0 for an empty slice).
fn max_abs(values: &[f64]) -> f64 {
    values.iter().fold(0.0_f64, |m, v| m.max(v.abs()))
}

// ---------------------------------------------------------------------------------------
// NPV
// ---------------------------------------------------------------------------------------

/// `Σ v_i (1+r)^(-(i+shift))`, the shared body of the periodic NPVs (`shift` in periods).
fn npv_shifted(rate: f64, values: &[f64], shift: f64, periods_per_rate: f64) -> f64 {
    if !valid_rate(rate) || values.iter().any(|v| !v.is_finite()) {
        return 0.0;
    }
    let l = libm::log1p(rate) / periods_per_rate;
    let sum: f64 = values
        .iter()
        .enumerate()
        .map(|(i, &v)| v * libm::exp(-(i as f64 + shift) * l))
        .sum();
    saturate(sum)
}

/// Excel NPV: first value discounted one full period: `Σ v_i/(1+r)^(i+1)`, `i` from 0.
///
/// Returns `0.0` for an empty slice, and also (as a fallback, never a valid NPV) when
/// `rate` is not a finite number above `-1` or a value is not finite. An overflowing sum
/// saturates at `±f64::MAX`.
pub fn npv_excel(rate: f64, values: &[f64]) -> f64 {
    npv_shifted(rate, values, 1.0, 1.0)
}

/// numpy-financial npv: first value undiscounted: `Σ v_i/(1+r)^i`.
///
/// Same fallback as [`npv_excel`]: `0.0` for invalid input, `±f64::MAX` on overflow.
pub fn npv_t0(rate: f64, values: &[f64]) -> f64 {
    npv_shifted(rate, values, 0.0, 1.0)
}

/// The payback model's convention: quarterly cash flows at quarter ends, annual rate,
/// discounted to the start of the first quarter: `Σ CF_t/(1+r)^((t+1)/4)`.
///
/// Same fallback as [`npv_excel`]: `0.0` for invalid input, `±f64::MAX` on overflow.
pub fn npv_quarterly(annual_rate: f64, values: &[f64]) -> f64 {
    npv_shifted(annual_rate, values, 1.0, 4.0)
}

/// Validated dated flows: year fractions from the first date.
fn year_fractions(values: &[f64], dates: &[NaiveDate]) -> Result<Vec<f64>, FinanceError> {
    if values.len() != dates.len() {
        return Err(FinanceError::LengthMismatch {
            values: values.len(),
            dates: dates.len(),
        });
    }
    let Some(&d0) = dates.first() else {
        return Err(FinanceError::Empty);
    };
    if values.iter().any(|v| !v.is_finite()) {
        return Err(FinanceError::NonFinite);
    }
    dates
        .iter()
        .enumerate()
        .map(|(index, &d)| {
            let days = (d - d0).num_days();
            if days < 0 {
                Err(FinanceError::DateBeforeFirst { index })
            } else {
                Ok(days as f64 / 365.0)
            }
        })
        .collect()
}

/// Excel XNPV: actual/365 fixed from the first date; first flow undiscounted:
/// `Σ v_i / (1+r)^((d_i − d_0)/365)`.
///
/// # Errors
/// [`FinanceError::Empty`], [`FinanceError::LengthMismatch`],
/// [`FinanceError::DateBeforeFirst`] (a date earlier than `dates[0]`),
/// [`FinanceError::InvalidRate`] (`rate` not finite or `≤ -1`) and
/// [`FinanceError::NonFinite`] (a value not finite, or the sum overflows).
pub fn xnpv(rate: f64, values: &[f64], dates: &[NaiveDate]) -> Result<f64, FinanceError> {
    let t = year_fractions(values, dates)?;
    if !valid_rate(rate) {
        return Err(FinanceError::InvalidRate);
    }
    let l = libm::log1p(rate);
    let sum: f64 = values
        .iter()
        .zip(&t)
        .map(|(&v, &ti)| v * libm::exp(-ti * l))
        .sum();
    if sum.is_finite() {
        Ok(saturate(sum))
    } else {
        Err(FinanceError::NonFinite)
    }
}

// ---------------------------------------------------------------------------------------
// Root finding
// ---------------------------------------------------------------------------------------

/// Brent's method on `[a, b]` with `f(a) = fa`, `f(b) = fb` of opposite signs; a missing value
/// inside is treated as a bisection step. Stops at `xtol` or after 300 evaluations.
/// (Brent 1973, as in Numerical Recipes `zbrent`.) Shared by the IRR search and `payback solve`.
pub fn brent(
    f: &mut dyn FnMut(f64) -> Option<f64>,
    a: f64,
    b: f64,
    fa: f64,
    fb: f64,
    xtol: f64,
) -> f64 {
    let (mut a, mut b, mut fa, mut fb) = (a, b, fa, fb);
    if fa == 0.0 {
        return a;
    }
    if fb == 0.0 {
        return b;
    }
    let (mut c, mut fc) = (a, fa);
    let mut d = b - a;
    let mut e = d;
    for _ in 0..BRENT_MAX_ITER {
        if (fb > 0.0) == (fc > 0.0) {
            c = a;
            fc = fa;
            d = b - a;
            e = d;
        }
        if fc.abs() < fb.abs() {
            a = b;
            b = c;
            c = a;
            fa = fb;
            fb = fc;
            fc = fa;
        }
        let tol = 2.0 * f64::EPSILON * b.abs() + 0.5 * xtol;
        let m = 0.5 * (c - b);
        if m.abs() <= tol || fb == 0.0 {
            return b;
        }
        if e.abs() >= tol && fa.abs() > fb.abs() {
            let s = fb / fa;
            let (mut p, mut q);
            if a == c {
                p = 2.0 * m * s;
                q = 1.0 - s;
            } else {
                let qq = fa / fc;
                let r = fb / fc;
                p = s * (2.0 * m * qq * (qq - r) - (b - a) * (r - 1.0));
                q = (qq - 1.0) * (r - 1.0) * (s - 1.0);
            }
            if p > 0.0 {
                q = -q;
            } else {
                p = -p;
            }
            if 2.0 * p < (3.0 * m * q - (tol * q).abs()).min((e * q).abs()) {
                e = d;
                d = p / q;
            } else {
                d = m;
                e = m;
            }
        } else {
            d = m;
            e = m;
        }
        a = b;
        fa = fb;
        b += if d.abs() > tol {
            d
        } else if m > 0.0 {
            tol
        } else {
            -tol
        };
        match f(b) {
            Some(v) => fb = v,
            None => {
                // No value here (no IRR): fall back to the midpoint of the bracket.
                b = a + m;
                fb = f(b).unwrap_or(fa);
                d = m;
                e = m;
            }
        }
    }
    b
}

/// The `n` rates of the root-search grid over `[lo, hi]`, ascending, evenly spaced in
/// `log(1+r)`: `lo`, then `1 + r` multiplied by the constant factor `exp(step)` once per
/// point (one `exp`, then multiplications), and `hi` exactly as the last point.
/// `lo > -1`, `lo < hi`, both finite, `n ≥ 2` are assumed.
fn log_grid(lo: f64, hi: f64, n: usize) -> impl Iterator<Item = f64> {
    let l_lo = libm::log1p(lo);
    let l_hi = libm::log1p(hi);
    let step = (l_hi - l_lo) / (n - 1) as f64;
    let growth = libm::exp(step);
    let mut one_plus = 1.0 + lo;
    (0..n).map(move |k| {
        if k == 0 {
            lo
        } else if k == n - 1 {
            hi
        } else {
            one_plus *= growth;
            one_plus - 1.0
        }
    })
}

/// The root the grid search records at a grid point `r` with `f(r) = fr`, given the
/// previous grid point and its value (`None` for the first point): `r` itself if `fr` is
/// exactly zero, else the Brent-refined root of `[rp, r]` if `fp` and `fr` are non-zero with
/// opposite signs (an interval starting at an exact zero is not a sign change, so that zero
/// is reported once), else nothing. The root lies in `[rp, r]`.
fn grid_point_root(
    f: &dyn Fn(f64) -> f64,
    prev: Option<(f64, f64)>,
    r: f64,
    fr: f64,
) -> Option<f64> {
    if fr == 0.0 {
        Some(r)
    } else if let Some((rp, fp)) = prev
        && fp != 0.0
        && (fp > 0.0) != (fr > 0.0)
    {
        Some(brent(&mut |x| Some(f(x)), rp, r, fp, fr, ROOT_XTOL))
    } else {
        None
    }
}

/// All sign changes and exact zeros of `f` (a function of the rate `r`) on a grid of `n`
/// points evenly spaced in `log(1+r)` over `[lo, hi]` ([`log_grid`]), each refined with
/// Brent ([`grid_point_root`]). Returns the roots ascending. `lo > -1`, `lo < hi`, both
/// finite, `n ≥ 2` are assumed.
fn grid_roots(f: &dyn Fn(f64) -> f64, lo: f64, hi: f64, n: usize) -> Vec<f64> {
    let mut roots = Vec::new();
    let mut prev: Option<(f64, f64)> = None;
    for r in log_grid(lo, hi, n) {
        let fr = f(r);
        roots.extend(grid_point_root(f, prev, r, fr));
        prev = Some((r, fr));
    }
    roots
}

/// The root of `f` on `[lo, hi]` when `f` is known to change sign at most once there: `lo`
/// or `hi` if `f` is exactly zero at that end, else the Brent-refined root if the end values
/// have opposite signs, else `None`.
fn single_bracket_root(f: &dyn Fn(f64) -> f64, lo: f64, hi: f64) -> Option<f64> {
    let (flo, fhi) = (f(lo), f(hi));
    if flo == 0.0 {
        Some(lo)
    } else if fhi == 0.0 {
        Some(hi)
    } else if (flo > 0.0) != (fhi > 0.0) {
        Some(brent(&mut |x| Some(f(x)), lo, hi, flo, fhi, ROOT_XTOL))
    } else {
        None
    }
}

/// Periodic NPV `Σ v_i/(1+r)^i` times a positive factor, safe from overflow: Horner in
/// `x = 1/(1+r)` for `r ≥ 0` and in `y = 1+r` over the reversed series for `r < 0`.
/// `v` must be pre-scaled (|v_i| ≤ 1) and trimmed of leading/trailing zeros so that the
/// term with exponent 0 is non-zero.
fn periodic_scaled(v: &[f64], r: f64) -> f64 {
    if r >= 0.0 {
        let x = 1.0 / (1.0 + r);
        v.iter().rev().fold(0.0, |acc, &c| acc * x + c)
    } else {
        let y = 1.0 + r;
        v.iter().fold(0.0, |acc, &c| acc * y + c)
    }
}

/// `values` with leading/trailing zeros removed and divided by the largest |value|; `None`
/// if a value is not finite or the series lacks either sign.
fn prepare_periodic(values: &[f64]) -> Option<Vec<f64>> {
    if values.iter().any(|v| !v.is_finite()) || !has_both_signs(values) {
        return None;
    }
    let first = values.iter().position(|&v| v != 0.0)?;
    let last = values.iter().rposition(|&v| v != 0.0)?;
    let m = max_abs(values);
    Some(values[first..=last].iter().map(|v| v / m).collect())
}

/// Normalise a `[lo, hi]` search range; `None` if it is empty or not finite.
fn search_range(lo: f64, hi: f64) -> Option<(f64, f64)> {
    if lo.is_nan() || hi.is_nan() {
        return None;
    }
    let lo = lo.max(WIDE_LO);
    let hi = hi.min(f64::MAX);
    (lo < hi && hi > -1.0).then_some((lo, hi))
}

/// IRR per period of a periodic series (`values[i]` at the end of period `i`).
///
/// The roots are bracketed on a grid of [`GRID_POINTS`] points evenly spaced in
/// `log(1+r)` over per-period rates `[lo, hi]` (`lo` is raised to `-1 + 1e-12` if lower)
/// and refined by Brent/bisection to `|Δr| < 1e-12` (see the module conventions). No sign
/// change (or invalid input: non-finite values, empty or NaN range) → `roots` empty and
/// `primary` `None`; several roots → `multiple = true` and `primary` = the root nearest 0.
pub fn irr_periodic(values: &[f64], lo: f64, hi: f64) -> IrrResult {
    let Some(v) = prepare_periodic(values) else {
        return IrrResult::none();
    };
    let Some((lo, hi)) = search_range(lo, hi) else {
        return IrrResult::none();
    };
    let f = |r: f64| periodic_scaled(&v, r);
    // Descartes: with one sign change the polynomial in x = 1/(1+r) has exactly one positive
    // root, so a single bracket over the whole range finds it (or proves it is outside)
    // without the grid. Several sign changes need the grid to find every root.
    if sign_changes(&v) == 1 {
        return IrrResult::from_roots(single_bracket_root(&f, lo, hi).into_iter().collect());
    }
    IrrResult::from_roots(grid_roots(&f, lo, hi, GRID_POINTS))
}

/// Sign changes in a series, zeros skipped.
fn sign_changes(v: &[f64]) -> usize {
    let mut last = 0.0;
    let mut n = 0;
    for &x in v {
        if x != 0.0 {
            if last != 0.0 && (x > 0.0) != (last > 0.0) {
                n += 1;
            }
            last = x;
        }
    }
    n
}

/// The model's IRR: quarterly flows, grid over **annual** rates `[-0.95, 3.0]` (i.e.
/// quarterly rates `[(0.05)^(1/4) − 1, 4^(1/4) − 1]`), roots annualised as
/// `(1+r_q)^4 − 1`. Same root rules as [`irr_periodic`]; `primary` is the annual root
/// nearest 0.
pub fn irr_quarterly_annualised(values: &[f64]) -> IrrResult {
    let q = irr_periodic(
        values,
        quarterly_rate(MODEL_IRR_LO),
        quarterly_rate(MODEL_IRR_HI),
    );
    let roots: Vec<f64> = q.roots.iter().map(|&rq| annualise(rq)).collect();
    IrrResult::from_roots(roots)
}

/// `(1+r_q)^4 − 1` for a quarterly rate `r_q > -1` (saturating).
fn annualise(rq: f64) -> f64 {
    saturate(libm::expm1(4.0 * libm::log1p(rq)))
}

/// Only the primary IRR of the model ([`irr_quarterly_annualised`]`(values).primary`),
/// **bit for bit**, for every input, without searching the whole grid.
///
/// The full search evaluates the NPV at all [`GRID_POINTS`] grid points, refines every sign
/// change and then keeps the annual root nearest 0 (the negative one on an exact tie). This
/// function gets the same value as follows:
///
/// * Invalid input (a non-finite value, or no positive or no negative value) gives `None`,
///   and a normalised series with exactly one sign change gets the same single bracketed
///   Brent solve over the whole range as [`irr_quarterly_annualised`].
/// * Otherwise it uses the same grid: the same rates, built by the same repeated
///   multiplication (computed once per process, as they depend only on the model's
///   constant range), and the same rule at each grid point `r_k`: an exact zero `f(r_k) = 0`
///   is the root `r_k`; otherwise if `f(r_{k-1})` and `f(r_k)` are non-zero with opposite
///   signs, the root is the `brent` refinement of `[r_{k-1}, r_k]` with the same arguments.
///   Every root the grid yields at point `k` therefore lies in `[r_{k-1}, r_k]`, so its
///   annualised distance from 0 is at least that interval's lower bound: 0 if the interval
///   contains 0, else the smaller `|annualise|` of its two ends (annualising is monotone but
///   not symmetric, so the bound is taken on annual rates).
/// * It walks the grid outward from the interval containing 0, upward and downward,
///   always continuing the side whose next point has the smaller bound, evaluating the NPV
///   only at the points it visits (each once), and stops as soon as both sides' next bounds
///   exceed the smallest `|annual root|` found so far: no point it has not visited can then
///   yield a root nearer 0. The bounds are lowered by a relative `1e-9`, far above the few-ulp errors
///   of `log1p`/`expm1`, so that rounding can never make a visited bound exceed the
///   computed annual root it bounds; this only ever visits a point more.
/// * The roots found are a subset of the full search's roots that contains its primary
///   root; sorted ascending, the same nearest-to-0 rule picks the same root (ties between
///   `a` and `-a` go to the negative one in both), and equal roots have equal bits
///   (`annualise` never returns `-0.0` or NaN).
///
/// The cost is proportional to how far from 0 the primary root is: a root at 15–20 % a year
/// needs about 80 NPV evaluations (both sides out to that annual distance) instead of a
/// thousand. With no root in the range the
/// whole grid is still evaluated (and the result is `None`, as for the full search).
pub fn irr_quarterly_primary(values: &[f64]) -> Option<f64> {
    let v = prepare_periodic(values)?;
    let grid = model_grid()?;
    let f = |r: f64| periodic_scaled(&v, r);
    if sign_changes(&v) == 1 {
        return single_bracket_root(&f, grid.lo, grid.hi).map(annualise);
    }
    grid.nearest_annual_root(&f)
}

/// Relative amount by which the distance bounds of [`ScanGrid`] are lowered to absorb the
/// rounding of `annualise` (a few ulps).
const SCAN_BOUND_SLACK: f64 = 1e-9;

/// The grid of [`grid_roots`] over `[lo, hi]`, split at 0 into an upward and a downward
/// side, with lower bounds on the annualised distance from 0 of the roots that
/// [`grid_point_root`] may still report on each side (see [`irr_quarterly_primary`]).
struct ScanGrid {
    lo: f64,
    hi: f64,
    /// The grid rates, exactly as [`log_grid`] yields them.
    rates: Vec<f64>,
    /// The first grid point with a rate `≥ 0` (`rates.len()` if none). The upward side is
    /// the grid points `split, split + 1, …`, the downward side `split - 1, split - 2, …, 0`.
    split: usize,
    /// `remaining[k]` is at most `|annualise(x)|` for every root `x` that grid point `k` or a
    /// later point of its side can report: grid point `k ≥ 1` reports roots in
    /// `[rates[k-1], rates[k]]`, point 0 only `rates[0]`.
    remaining: Vec<f64>,
}

impl ScanGrid {
    fn new(lo: f64, hi: f64, n: usize) -> Self {
        let rates: Vec<f64> = log_grid(lo, hi, n).collect();
        let dist: Vec<f64> = rates.iter().map(|&r| annualise(r).abs()).collect();
        // Bound on |annualise| over the roots point k can report: 0 if its interval
        // contains 0, else the end nearer 0 (annualise is monotone), lowered for rounding.
        let mut remaining: Vec<f64> = (0..n)
            .map(|k| {
                let d = if k == 0 {
                    dist[0]
                } else if rates[k - 1] <= 0.0 && rates[k] >= 0.0 {
                    0.0
                } else {
                    dist[k - 1].min(dist[k])
                };
                d * (1.0 - SCAN_BOUND_SLACK)
            })
            .collect();
        // Minimum over the point and those after it on its side (the bounds already grow
        // outward; the minimum makes the stopping rule independent of that).
        let split = rates.iter().position(|&r| r >= 0.0).unwrap_or(n);
        for k in (split..n.saturating_sub(1)).rev() {
            remaining[k] = remaining[k].min(remaining[k + 1]);
        }
        for k in 1..split {
            remaining[k] = remaining[k].min(remaining[k - 1]);
        }
        Self {
            lo,
            hi,
            rates,
            split,
            remaining,
        }
    }

    /// `nearest(annualised grid_roots(f, lo, hi, n), 0)`: visits the grid points outward
    /// from 0, always on the side whose remaining bound is smaller, each point once, and
    /// stops when neither side can report a root nearer 0 than the nearest one found.
    fn nearest_annual_root(&self, f: &dyn Fn(f64) -> f64) -> Option<f64> {
        let rates = &self.rates;
        let n = rates.len();
        let below = self.split.checked_sub(1).map(|k| (rates[k], f(rates[k])));
        // Upward: the next point is `up`, the point before it is `up_prev`.
        let (mut up, mut up_prev) = (self.split, below);
        // Downward: the next point is `down - 1`, with value `down_value`; the point before
        // it (`down - 2`) is evaluated when it is visited.
        let (mut down, mut down_value) = (self.split, below.map(|(_, v)| v));
        let mut found: Vec<f64> = Vec::new();
        let mut best = f64::INFINITY;
        loop {
            let up_bound = if up < n {
                self.remaining[up]
            } else {
                f64::INFINITY
            };
            let down_bound = if down > 0 {
                self.remaining[down - 1]
            } else {
                f64::INFINITY
            };
            let root = if up < n && up_bound <= down_bound {
                if up_bound > best {
                    break;
                }
                let (r, fr) = (rates[up], f(rates[up]));
                let root = grid_point_root(f, up_prev, r, fr);
                (up, up_prev) = (up + 1, Some((r, fr)));
                root
            } else if let Some(fk) = down_value.filter(|_| down > 0) {
                if down_bound > best {
                    break;
                }
                let k = down - 1;
                let prev = k.checked_sub(1).map(|p| (rates[p], f(rates[p])));
                let root = grid_point_root(f, prev, rates[k], fk);
                (down, down_value) = (k, prev.map(|(_, v)| v));
                root
            } else {
                break;
            };
            if let Some(root) = root {
                let a = annualise(root);
                best = best.min(a.abs());
                found.push(a);
            }
        }
        // Ascending, like the full search's roots, so that ties resolve the same way.
        found.sort_by(f64::total_cmp);
        nearest(&found, 0.0)
    }
}

/// The [`ScanGrid`] of the model's IRR range ([`irr_quarterly_annualised`]), built once;
/// `None` only if that range were invalid.
fn model_grid() -> Option<&'static ScanGrid> {
    static GRID: OnceLock<Option<ScanGrid>> = OnceLock::new();
    GRID.get_or_init(|| {
        let (lo, hi) = search_range(quarterly_rate(MODEL_IRR_LO), quarterly_rate(MODEL_IRR_HI))?;
        Some(ScanGrid::new(lo, hi, GRID_POINTS))
    })
    .as_ref()
}

/// Newton's method for a root of `f` (with derivative `df`, both returning
/// `(f, df, magnitude)` where `magnitude` is the sum of |terms|) from `guess`.
/// Leaves the domain (`r ≤ -1`) or a non-finite value → `None`, like Excel's #NUM!.
fn newton(eval: &dyn Fn(f64) -> Option<(f64, f64, f64)>, guess: f64) -> Option<f64> {
    let mut r = guess;
    for _ in 0..NEWTON_MAX_ITER {
        if !valid_rate(r) {
            return None;
        }
        let (fr, dfr, _) = eval(r)?;
        if dfr == 0.0 || !dfr.is_finite() {
            return None;
        }
        let next = r - fr / dfr;
        if !valid_rate(next) {
            return None;
        }
        if (next - r).abs() <= 1e-12 * r.abs().max(1.0) {
            let (fx, _, mag) = eval(next)?;
            return (fx.abs() <= NEWTON_RESIDUAL * mag).then_some(next);
        }
        r = next;
    }
    None
}

/// NPV `Σ v_i x^i`, its derivative with respect to `r`, and `Σ |v_i| x^i`, with
/// `x = 1/(1+r)`; `None` on overflow.
fn periodic_newton_eval(v: &[f64], r: f64) -> Option<(f64, f64, f64)> {
    let x = 1.0 / (1.0 + r);
    let (mut p, mut dp, mut mag) = (0.0_f64, 0.0_f64, 0.0_f64);
    for &c in v.iter().rev() {
        dp = dp * x + p;
        p = p * x + c;
        mag = mag * x + c.abs();
    }
    // d/dr P(x) = P'(x) · dx/dr = −P'(x) · x².
    let d = -dp * x * x;
    (p.is_finite() && d.is_finite() && mag.is_finite()).then_some((p, d, mag))
}

/// Excel-compatible IRR (per period), Newton from `guess` (default `0.1`) like Excel,
/// falling back to the bracketed search over `[-1 + 1e-12, 1e6]` (root nearest the guess);
/// `None` if no root (also when the values lack either sign or are not finite).
pub fn irr(values: &[f64], guess: Option<f64>) -> Option<f64> {
    let v = prepare_periodic(values)?;
    let guess = guess.filter(|g| valid_rate(*g)).unwrap_or(0.1);
    // Newton runs on the trimmed series: leading zeros multiply the NPV by a power of x
    // and trailing zeros add nothing, so the roots are those of the original series.
    if let Some(r) = newton(&|r| periodic_newton_eval(&v, r), guess) {
        return Some(r);
    }
    let f = |r: f64| periodic_scaled(&v, r);
    nearest(&grid_roots(&f, WIDE_LO, WIDE_HI, WIDE_GRID_POINTS), guess)
}

/// Excel XIRR (annual, actual/365F from the first date); Newton from `guess` (default
/// `0.1`) then bracketing fallback over `[-1 + 1e-12, 1e6]` (root nearest the guess).
///
/// # Errors
/// The input errors of [`xnpv`]; [`FinanceError::NoSignChange`] if the values lack a
/// positive or a negative amount; [`FinanceError::NoConvergence`] if no root was found.
/// An invalid `guess` (not finite or `≤ -1`) is replaced by `0.1`.
pub fn xirr(values: &[f64], dates: &[NaiveDate], guess: Option<f64>) -> Result<f64, FinanceError> {
    let t = year_fractions(values, dates)?;
    if !has_both_signs(values) {
        return Err(FinanceError::NoSignChange);
    }
    let m = max_abs(values);
    let v: Vec<f64> = values.iter().map(|x| x / m).collect();
    let guess = guess.filter(|g| valid_rate(*g)).unwrap_or(0.1);

    let eval = |r: f64| -> Option<(f64, f64, f64)> {
        let l = libm::log1p(r);
        let (mut f, mut df, mut mag) = (0.0_f64, 0.0_f64, 0.0_f64);
        for (&vi, &ti) in v.iter().zip(&t) {
            let term = vi * libm::exp(-ti * l);
            f += term;
            mag += term.abs();
            df -= ti * term / (1.0 + r);
        }
        (f.is_finite() && df.is_finite() && mag.is_finite()).then_some((f, df, mag))
    };
    if let Some(r) = newton(&eval, guess) {
        return Ok(r);
    }

    // Scaled XNPV for the grid: every exponent ≤ 0, the reference term is non-zero.
    let t_nz = || {
        v.iter()
            .zip(&t)
            .filter(|(x, _)| **x != 0.0)
            .map(|(_, &ti)| ti)
    };
    let t_min = t_nz().fold(f64::INFINITY, f64::min);
    let t_max = t_nz().fold(f64::NEG_INFINITY, f64::max);
    let f = |r: f64| -> f64 {
        let l = libm::log1p(r);
        let t_ref = if l >= 0.0 { t_min } else { t_max };
        v.iter()
            .zip(&t)
            .map(|(&vi, &ti)| vi * libm::exp(-(ti - t_ref) * l))
            .sum()
    };
    nearest(&grid_roots(&f, WIDE_LO, WIDE_HI, WIDE_GRID_POINTS), guess)
        .ok_or(FinanceError::NoConvergence)
}

// ---------------------------------------------------------------------------------------
// MIRR
// ---------------------------------------------------------------------------------------

/// `log Σ exp(a_i)` without overflow; `None` for an empty iterator.
fn log_sum_exp(terms: &[f64]) -> Option<f64> {
    let m = terms.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if !m.is_finite() {
        return None;
    }
    let s: f64 = terms.iter().map(|a| libm::exp(a - m)).sum();
    Some(m + libm::log(s))
}

/// Excel MIRR per period:
/// `(-NPV(rrate, positives)·(1+rrate)^n / (NPV(frate, negatives)·(1+frate)))^(1/(n-1)) − 1`,
/// i.e. the `(n−1)`-th root of (future value of the positive flows at the reinvestment
/// rate, at the end of period `n−1`) over (present value at time 0 of the negative flows at
/// the finance rate), minus 1. Computed in log space, so nothing overflows.
///
/// `None` if there is no positive or no negative value, a value or rate is not finite, a
/// rate is `≤ -1`, or the result overflows.
pub fn mirr(values: &[f64], finance_rate: f64, reinvest_rate: f64) -> Option<f64> {
    if !valid_rate(finance_rate)
        || !valid_rate(reinvest_rate)
        || values.iter().any(|v| !v.is_finite())
        || !has_both_signs(values)
    {
        return None;
    }
    let n = values.len();
    let lf = libm::log1p(finance_rate);
    let lr = libm::log1p(reinvest_rate);
    // log of each positive flow compounded to period n-1, and each negative flow
    // discounted to period 0.
    let pos: Vec<f64> = values
        .iter()
        .enumerate()
        .filter(|(_, v)| **v > 0.0)
        .map(|(i, v)| libm::log(*v) + (n - 1 - i) as f64 * lr)
        .collect();
    let neg: Vec<f64> = values
        .iter()
        .enumerate()
        .filter(|(_, v)| **v < 0.0)
        .map(|(i, v)| libm::log(-*v) - i as f64 * lf)
        .collect();
    let log_ratio = log_sum_exp(&pos)? - log_sum_exp(&neg)?;
    let m = libm::expm1(log_ratio / (n - 1) as f64);
    m.is_finite().then_some(m)
}

/// MIRR of quarterly flows with an annual rate used as both finance and reinvestment rate
/// (converted to quarterly `(1+r)^(1/4) − 1`), result annualised `(1+m_q)^4 − 1`.
///
/// `None` in the cases of [`mirr`] (including `annual_rate ≤ -1`) or if the annualised
/// result overflows.
pub fn mirr_quarterly_annualised(values: &[f64], annual_rate: f64) -> Option<f64> {
    if !valid_rate(annual_rate) {
        return None;
    }
    let rq = quarterly_rate(annual_rate);
    let mq = mirr(values, rq, rq)?;
    let a = libm::expm1(4.0 * libm::log1p(mq));
    a.is_finite().then_some(a)
}

// ---------------------------------------------------------------------------------------
// Rates and capital recovery
// ---------------------------------------------------------------------------------------

/// Quarterly rate from an annual one: `(1+r)^(1/4) − 1`.
///
/// Fallbacks: `annual ≤ -1` → `-1.0`; NaN → `0.0`; `+∞` → `f64::MAX`.
pub fn quarterly_rate(annual: f64) -> f64 {
    if annual.is_nan() {
        0.0
    } else if annual <= -1.0 {
        -1.0
    } else {
        saturate(libm::expm1(0.25 * libm::log1p(annual)))
    }
}

/// Quarterly capital-recovery charge per unit of cost over `years` years:
/// `rq/(1-(1+rq)^(-4n))` with `rq = quarterly_rate(annual_rate)`, `n = years`; if `rq == 0`,
/// `1/(4n)`.
///
/// Computed as `rq / −expm1(−n·log1p(r))`, accurate for rates near zero. `years = +∞` gives
/// the perpetuity charge `max(rq, 0)`. Fallback: `0.0` when `annual_rate` is not a finite
/// number above -1 or `years` is NaN or `≤ 0`.
pub fn capital_recovery_quarterly(annual_rate: f64, years: f64) -> f64 {
    if !valid_rate(annual_rate) || years.is_nan() || years <= 0.0 {
        return 0.0;
    }
    let rq = quarterly_rate(annual_rate);
    if rq == 0.0 {
        return saturate(1.0 / (4.0 * years));
    }
    // 1 − (1+rq)^(−4n) = 1 − (1+r)^(−n) = −expm1(−n·log1p(r)).
    let denom = -libm::expm1(-years * libm::log1p(annual_rate));
    saturate(rq / denom)
}

// ---------------------------------------------------------------------------------------
// Payback
// ---------------------------------------------------------------------------------------

/// Programme payback of a quarterly series (see [`Payback`]).
///
/// `C_t` is the cumulative cash after quarter `t`. The first quarter `t` with `C_t ≥ 0`
/// that follows a quarter with `C_{t-1} < 0` is the payback quarter. Non-finite values
/// are sanitised so the result is always finite: NaN counts as `0`, `±∞` as `±f64::MAX`,
/// and the cumulative sum saturates at `±f64::MAX`. An empty series is
/// [`Payback::NeverNegative`].
pub fn payback(values: &[f64]) -> Payback {
    let clean = |v: f64| saturate(v);
    let mut cum = 0.0_f64;
    let mut been_negative = false;
    let mut reached: Option<(usize, f64)> = None;
    let mut recrossed = false;
    for (t, &raw) in values.iter().enumerate() {
        let cf = clean(raw);
        let prev = cum;
        cum = saturate(cum + cf);
        match reached {
            None => {
                if prev < 0.0 && cum >= 0.0 {
                    // cf ≥ -prev > 0, so f ∈ (0, 1].
                    let f = (-prev / cf).clamp(0.0, 1.0);
                    reached = Some((t, (t as f64 + f) / 4.0));
                }
                if cum < 0.0 {
                    been_negative = true;
                }
            }
            Some(_) => {
                if cum < 0.0 {
                    recrossed = true;
                }
            }
        }
    }
    match reached {
        Some((period, years)) => Payback::Reached {
            period,
            years,
            recrossed,
        },
        None if been_negative => Payback::NotWithinHorizon { shortfall: -cum },
        None => Payback::NeverNegative,
    }
}

/// First index from which every later value is `≥ 0` (`None` if the last value is
/// negative, NaN, or the series is empty). A NaN anywhere counts as negative.
pub fn cash_flow_positive_from(values: &[f64]) -> Option<usize> {
    match values.iter().rposition(|&v| v < 0.0 || v.is_nan()) {
        None if values.is_empty() => None,
        None => Some(0),
        Some(i) if i + 1 == values.len() => None,
        Some(i) => Some(i + 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_picks_first_on_ties() {
        assert_eq!(nearest(&[-0.1, 0.1], 0.0), Some(-0.1));
        assert_eq!(nearest(&[], 0.0), None);
    }

    #[test]
    fn saturate_maps_specials() {
        assert_eq!(saturate(f64::NAN), 0.0);
        assert_eq!(saturate(f64::INFINITY), f64::MAX);
        assert_eq!(saturate(f64::NEG_INFINITY), -f64::MAX);
        assert!(saturate(-0.0).is_sign_positive());
    }

    #[test]
    fn periodic_scaled_has_npv_sign() {
        // [-100, 60, 60]: NPV at 0 = 20 > 0; at 50%: -100 + 40 + 26.67 < 0.
        let v = prepare_periodic(&[-100.0, 60.0, 60.0]).unwrap_or_default();
        assert!(periodic_scaled(&v, 0.0) > 0.0);
        assert!(periodic_scaled(&v, 0.5) < 0.0);
        assert!(periodic_scaled(&v, -0.999_999) > 0.0);
    }

    #[test]
    fn brent_finds_sqrt2() {
        let f = |x: f64| x * x - 2.0;
        let r = brent(&mut |x| Some(f(x)), 1.0, 2.0, -1.0, 2.0, ROOT_XTOL);
        assert!((r - std::f64::consts::SQRT_2).abs() < 1e-13);
    }

    #[test]
    fn grid_reports_exact_zero_once() {
        // f(r) = r has an exact zero at the grid point r = 0 when the grid hits it:
        // lo = -0.5, hi = 1.0 gives log range [-ln 2, ln 2], symmetric, so with an odd
        // number of points the middle one is log(1+r) = 0.
        let f = |r: f64| r;
        let roots = grid_roots(&f, -0.5, 1.0, 5);
        assert_eq!(roots.len(), 1);
        assert!(roots[0].abs() < 1e-15);
    }

    /// `nearest(annualised grid_roots)`, the reference the grid scan must equal.
    fn full_nearest(f: &dyn Fn(f64) -> f64, lo: f64, hi: f64, n: usize) -> Option<f64> {
        let roots: Vec<f64> = grid_roots(f, lo, hi, n)
            .into_iter()
            .map(annualise)
            .collect();
        nearest(&roots, 0.0)
    }

    #[test]
    fn scan_grid_matches_full_grid() {
        let ranges = [
            (-0.5, 1.0, 5),
            (-0.5, 1.0, 1000),
            (-0.3, 0.4, 1000),
            (0.01, 0.5, 200),
            (-0.6, -0.01, 300),
            (
                quarterly_rate(MODEL_IRR_LO),
                quarterly_rate(MODEL_IRR_HI),
                GRID_POINTS,
            ),
        ];
        let root_sets: [&[f64]; 8] = [
            &[],
            &[0.0],
            &[-0.2, 0.2],
            &[-0.1, 0.05, 0.3],
            &[0.02, 0.021, 0.3],
            &[-0.4, -0.35, -0.001],
            &[-0.5, 1.0],
            &[0.3, 0.35, 0.36, 0.37],
        ];
        for &(lo, hi, n) in &ranges {
            let grid = ScanGrid::new(lo, hi, n);
            for roots in root_sets {
                let f = |r: f64| roots.iter().fold(1.0, |p, &a| p * (r - a));
                let want = full_nearest(&f, lo, hi, n);
                let got = grid.nearest_annual_root(&f);
                assert_eq!(
                    got.map(f64::to_bits),
                    want.map(f64::to_bits),
                    "{lo} {hi} {n} {roots:?}"
                );
            }
            let wavy = |r: f64| libm::sin(37.0 * r + 0.3);
            let got = grid.nearest_annual_root(&wavy);
            assert_eq!(
                got.map(f64::to_bits),
                full_nearest(&wavy, lo, hi, n).map(f64::to_bits)
            );
        }
    }

    #[test]
    fn scan_grid_exact_zeros_on_grid_points() {
        let (lo, hi, n) = (-0.3, 0.4, 1000);
        let grid = ScanGrid::new(lo, hi, n);
        let r = |k: usize| grid.rates[k];
        // Zero only at a grid point (touching, no sign change), at both ends, next to a
        // sign change, and at two grid points on either side of 0.
        let cases: Vec<Vec<f64>> = vec![
            vec![r(700)],
            vec![lo],
            vec![hi],
            vec![lo, hi],
            vec![r(400), r(700)],
            vec![r(100), r(101)],
            vec![r(428), r(429), r(430)],
        ];
        for zeros in &cases {
            for touch in [false, true] {
                let f = |x: f64| {
                    let p = zeros.iter().fold(1.0, |p, &a| p * (x - a));
                    if touch { p * p } else { p }
                };
                let want = full_nearest(&f, lo, hi, n);
                assert!(want.is_some(), "{zeros:?}");
                let got = grid.nearest_annual_root(&f);
                assert_eq!(
                    got.map(f64::to_bits),
                    want.map(f64::to_bits),
                    "{zeros:?} {touch}"
                );
            }
        }
        // The model grid is the grid_roots grid.
        let (mlo, mhi) = (quarterly_rate(MODEL_IRR_LO), quarterly_rate(MODEL_IRR_HI));
        let model = model_grid().expect("valid model range");
        assert!(log_grid(mlo, mhi, GRID_POINTS).eq(model.rates.iter().copied()));
    }

    #[test]
    fn prepare_rejects_one_signed() {
        assert!(prepare_periodic(&[1.0, 2.0]).is_none());
        assert!(prepare_periodic(&[0.0, 0.0]).is_none());
        assert!(prepare_periodic(&[-1.0, f64::NAN, 2.0]).is_none());
    }

    #[test]
    fn payback_basic() {
        // cum -100, -70, -30, 20: crosses in quarter 3, f = 30/50 = 0.6, years = 3.6/4.
        assert_eq!(
            payback(&[-100.0, 30.0, 40.0, 50.0]),
            Payback::Reached {
                period: 3,
                years: 0.9,
                recrossed: false
            }
        );
    }
}
