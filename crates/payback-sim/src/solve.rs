//! Goal seek: the value of one parameter that meets a target (`docs/sensitivity.md`).
//!
//! Targets: `npv = X`, `irr = X` (roots, found by Brent's method), and `payback <= Q`,
//! `payback < Q`, `payback >= Q`, `payback > Q` on the headline payback quarter (an integer:
//! bisection on the boundary between values that meet it and values that do not, down to a
//! tolerance, or to adjacent whole numbers for whole-number parameters).
//!
//! Bracketing: the search range is the field's valid range ([`Slot::bounds`]) narrowed by
//! `lo`/`hi`; an unbounded side is searched up to 10 x max(|base|, 1) away from the base
//! value, and a strictly positive field from base / 1000. The range is scanned on
//! [`SCAN_POINTS`] evenly spaced points (plus the base value); the bracket nearest the base
//! value is refined. A target not met anywhere on the scan is reported as not met (a root
//! between two scan points that both miss it, such as a double root, is not found).

use payback_model::params::Slot;
use payback_model::{Quarter, Scenario};
use rayon::prelude::*;
use serde::Serialize;

use crate::sensitivity::{Figures, SensError, apply_value, resolve_slots};

/// Points of the initial scan.
pub const SCAN_POINTS: usize = 33;

/// A target.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Target {
    /// NPV equal to a value, USD.
    Npv {
        /// Target NPV.
        value: f64,
    },
    /// IRR equal to a value (annual, 0.12 = 12 %).
    Irr {
        /// Target IRR.
        value: f64,
    },
    /// Headline payback no later than a quarter.
    PaybackBy {
        /// The quarter.
        quarter: Quarter,
    },
    /// Headline payback no earlier than a quarter ("never" counts as later than any).
    PaybackFrom {
        /// The quarter.
        quarter: Quarter,
    },
}

impl Target {
    /// Parse `npv = 0`, `irr = 0.12` (or `12%`), `payback <= 2030Q4`, `payback < 2031Q1`,
    /// `payback >= 2029Q1`, `payback > 2028Q4`.
    pub fn parse(s: &str) -> Result<Target, String> {
        let s = s.trim();
        let ops = ["<=", ">=", "=", "<", ">"];
        let Some((pos, op)) = ops
            .iter()
            .filter_map(|op| s.find(op).map(|p| (p, *op)))
            .min_by_key(|(p, op)| (*p, std::cmp::Reverse(op.len())))
        else {
            return Err(format!(
                "`{s}`: expected `npv = X`, `irr = X` or `payback <= QUARTER`"
            ));
        };
        let metric = s[..pos].trim().to_ascii_lowercase();
        let rhs = s[pos + op.len()..].trim();
        let number = |t: &str| -> Result<f64, String> {
            let (t, pct) = match t.strip_suffix('%') {
                Some(x) => (x.trim(), true),
                None => (t, false),
            };
            let v: f64 = t
                .replace('_', "")
                .parse()
                .map_err(|_| format!("`{t}` is not a number"))?;
            let v = if pct { v / 100.0 } else { v };
            if v.is_finite() {
                Ok(v)
            } else {
                Err(format!("`{t}` is not a finite number"))
            }
        };
        match (metric.as_str(), op) {
            ("npv", "=") => Ok(Target::Npv {
                value: number(rhs)?,
            }),
            ("irr", "=") => Ok(Target::Irr {
                value: number(rhs)?,
            }),
            ("npv" | "irr", _) => Err(format!(
                "`{s}`: use `=` with {metric} (the boundary value is the same for <= and >=)"
            )),
            ("payback", _) => {
                let q = Quarter::parse(rhs).map_err(|e| format!("`{rhs}`: {e}"))?;
                match op {
                    "<=" => Ok(Target::PaybackBy { quarter: q }),
                    "<" => Ok(Target::PaybackBy {
                        quarter: q.offset(-1),
                    }),
                    ">=" => Ok(Target::PaybackFrom { quarter: q }),
                    ">" => Ok(Target::PaybackFrom {
                        quarter: q.offset(1),
                    }),
                    _ => Err(format!(
                        "`{s}`: payback takes <=, <, >= or > (a quarter is a boundary, not a value to hit)"
                    )),
                }
            }
            _ => Err(format!(
                "`{metric}`: the target metric is npv, irr or payback"
            )),
        }
    }

    /// As written back (`payback <= 2030Q4`).
    pub fn describe(&self) -> String {
        match self {
            Target::Npv { value } => format!("npv = {value}"),
            Target::Irr { value } => format!("irr = {value}"),
            Target::PaybackBy { quarter } => format!("payback <= {quarter}"),
            Target::PaybackFrom { quarter } => format!("payback >= {quarter}"),
        }
    }

    /// Whether the figures meet a payback target (`None` for root targets).
    fn meets(&self, f: &Figures) -> Option<bool> {
        match self {
            Target::PaybackBy { quarter } => Some(f.payback.is_some_and(|p| p <= *quarter)),
            Target::PaybackFrom { quarter } => Some(f.payback.is_none_or(|p| p >= *quarter)),
            _ => None,
        }
    }

    /// Signed distance to a root target (`None` for payback targets or a missing IRR).
    fn residual(&self, f: &Figures) -> Option<f64> {
        match self {
            Target::Npv { value } => Some(f.npv - value),
            Target::Irr { value } => f.irr.map(|r| r - value),
            _ => None,
        }
    }
}

/// The parameter varied.
#[derive(Debug, Clone, PartialEq)]
pub struct Vary {
    /// The path.
    pub path: String,
    /// Its slots with the scenario's values.
    pub slots: Vec<(Slot, f64)>,
    /// Vary a factor on every slot's value (`true`) or the value itself.
    pub scale: bool,
    /// Base: the scenario's value (or 1 for a factor).
    pub base: f64,
    /// Valid range of the value (or factor).
    pub bounds: (f64, f64),
    /// Whole-number field (lead times): values are whole numbers.
    pub integer: bool,
}

impl Vary {
    /// Resolve `path` in `s`. Without `scale` every slot must hold the same value (a path
    /// selecting different values is varied by a common factor with `scale`).
    pub fn new(s: &Scenario, path: &str, scale: bool) -> Result<Vary, SensError> {
        let slots = resolve_slots(s, path)?;
        let Some(&(first, v0)) = slots.first() else {
            return Err(SensError::Invalid(format!("`{path}` selects nothing")));
        };
        let integer = !scale && slots.iter().any(|(sl, _)| sl.is_integer());
        let (base, bounds) = if scale {
            if slots.iter().any(|(_, v)| *v == 0.0) {
                return Err(SensError::Invalid(format!(
                    "`{path}` is 0 at some slot: a factor cannot move it; vary the value instead"
                )));
            }
            (1.0, (0.0, f64::INFINITY))
        } else {
            if slots.iter().any(|(_, v)| *v != v0) {
                return Err(SensError::Invalid(format!(
                    "`{path}` selects {} values that differ: add --scale to vary them by a common factor",
                    slots.len()
                )));
            }
            let b = slots.iter().fold(first.bounds(), |(lo, hi), (sl, _)| {
                let (a, c) = sl.bounds();
                (lo.max(a), hi.min(c))
            });
            (v0, b)
        };
        Ok(Vary {
            path: path.to_string(),
            slots,
            scale,
            base,
            bounds,
            integer,
        })
    }

    /// The figures with the parameter at `x`.
    pub fn figures(&self, s: &Scenario, x: f64) -> Figures {
        let mut t = s.clone();
        apply_value(&mut t, &self.slots, self.scale, x);
        Figures::project(&t)
    }

    /// The search range: bounds narrowed by `lo`/`hi`, infinite sides made finite.
    pub fn range(&self, lo: Option<f64>, hi: Option<f64>) -> Result<(f64, f64), SensError> {
        let (blo, bhi) = self.bounds;
        for (name, v) in [("--lo", lo), ("--hi", hi)] {
            if let Some(v) = v
                && (!v.is_finite() || v < blo || v > bhi)
            {
                return Err(SensError::Invalid(format!(
                    "{name} {v} is outside the valid range of `{}` ({blo} to {bhi})",
                    self.path
                )));
            }
        }
        let span = 10.0 * self.base.abs().max(1.0);
        let mut a = lo.unwrap_or(blo);
        let mut b = hi.unwrap_or(bhi);
        if lo.is_none() {
            if !a.is_finite() {
                a = self.base - span;
            } else if a > 0.0 && a < 1e-300 {
                // Strictly positive: start from base / 1000.
                a = (self.base / 1000.0).max(a);
            }
        }
        if !b.is_finite() {
            b = self.base + span;
        }
        if self.integer {
            a = libm::ceil(a);
            b = libm::floor(b);
        }
        if a > b {
            return Err(SensError::Invalid(format!(
                "empty search range for `{}`: {a} > {b}",
                self.path
            )));
        }
        Ok((a, b))
    }
}

/// How a solve ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// A value meets the target.
    Found,
    /// Every value scanned meets the (payback) target: no boundary in the range.
    AlwaysMet,
    /// No value in the range meets the target.
    NotMet,
}

/// The result of a solve.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Solution {
    /// The path varied.
    pub path: String,
    /// Whether a factor on the scenario's values was varied.
    pub scale: bool,
    /// The target, as written back.
    pub target: String,
    /// How it ended.
    pub status: Status,
    /// The value found (status `found`), or the base value otherwise.
    pub value: Option<f64>,
    /// The scenario's value (1 for a factor).
    pub base_value: f64,
    /// Figures at the base value.
    pub base: Figures,
    /// Figures at the value found.
    pub at_value: Option<Figures>,
    /// Payback targets: the nearest value scanned that does not meet the target, across the
    /// boundary, and its figures (the boundary lies between it and `value`).
    pub across: Option<(f64, Figures)>,
    /// Root targets: `metric - target` at the value found.
    pub residual: Option<f64>,
    /// For payback targets: `least` when values above `value` meet it, `greatest` when
    /// values below do.
    pub side: Option<&'static str>,
    /// The range searched.
    pub searched: (f64, f64),
    /// Projections run.
    pub evaluations: usize,
    /// A sentence for the user.
    pub message: String,
}

/// Find a value of `v` in `lo..=hi` (see [`Vary::range`]) meeting `target`.
pub fn solve(
    s: &Scenario,
    v: &Vary,
    target: &Target,
    lo: Option<f64>,
    hi: Option<f64>,
) -> Result<Solution, SensError> {
    let (a, b) = v.range(lo, hi)?;
    let mut xs: Vec<f64> = (0..SCAN_POINTS)
        .map(|i| {
            if i + 1 == SCAN_POINTS {
                b
            } else {
                a + (b - a) * i as f64 / (SCAN_POINTS - 1) as f64
            }
        })
        .map(|x| if v.integer { libm::round(x) } else { x })
        .collect();
    if v.base >= a && v.base <= b {
        xs.push(v.base);
    }
    xs.sort_by(f64::total_cmp);
    xs.dedup();
    let scan: Vec<Figures> = xs.par_iter().map(|&x| v.figures(s, x)).collect();
    let base = v.figures(s, v.base);
    let mut evaluations = xs.len() + 1;
    let mut out = Solution {
        path: v.path.clone(),
        scale: v.scale,
        target: target.describe(),
        status: Status::NotMet,
        value: None,
        base_value: v.base,
        base,
        at_value: None,
        across: None,
        residual: None,
        side: None,
        searched: (a, b),
        evaluations: 0,
        message: String::new(),
    };
    // Distance of a bracket to the base value (0 when it contains it).
    let dist = |i: usize| -> f64 {
        let (l, r) = (xs[i], xs[i + 1]);
        if v.base < l {
            l - v.base
        } else if v.base > r {
            v.base - r
        } else {
            0.0
        }
    };
    let what = if v.scale {
        format!("a factor on `{}`", v.path)
    } else {
        format!("`{}`", v.path)
    };
    if target.meets(&base).is_some() {
        let met: Vec<bool> = scan.iter().map(|f| target.meets(f) == Some(true)).collect();
        if met.iter().all(|m| *m) {
            out.status = Status::AlwaysMet;
            out.message = format!(
                "every value of {what} scanned in [{}, {}] meets `{}`: no boundary in the range",
                fmt_num(a),
                fmt_num(b),
                out.target
            );
            out.evaluations = evaluations;
            return Ok(out);
        }
        let Some(i) = (0..xs.len() - 1)
            .filter(|&i| met[i] != met[i + 1])
            .min_by(|&i, &j| dist(i).total_cmp(&dist(j)).then(i.cmp(&j)))
        else {
            out.message = format!(
                "no value of {what} in [{}, {}] meets `{}` (scanned {} values)",
                fmt_num(a),
                fmt_num(b),
                out.target,
                xs.len()
            );
            out.evaluations = evaluations;
            return Ok(out);
        };
        let (mut yes, mut no) = if met[i] {
            (xs[i], xs[i + 1])
        } else {
            (xs[i + 1], xs[i])
        };
        let (mut f_yes, mut f_no) = if met[i] {
            (scan[i], scan[i + 1])
        } else {
            (scan[i + 1], scan[i])
        };
        let tol = if v.integer {
            1.0
        } else {
            1e-9 * (b - a).abs().max(v.base.abs()).max(1e-12)
        };
        let mut iter = 0;
        while (yes - no).abs() > tol && iter < 200 {
            iter += 1;
            let mut mid = 0.5 * (yes + no);
            if v.integer {
                mid = libm::floor(mid);
                if mid == yes.min(no) {
                    mid += 1.0;
                }
                if mid == yes || mid == no {
                    break;
                }
            }
            let f = v.figures(s, mid);
            evaluations += 1;
            if target.meets(&f) == Some(true) {
                yes = mid;
                f_yes = f;
            } else {
                no = mid;
                f_no = f;
            }
        }
        out.status = Status::Found;
        out.value = Some(yes);
        out.at_value = Some(f_yes);
        out.across = Some((no, f_no));
        out.side = Some(if yes > no { "least" } else { "greatest" });
        out.evaluations = evaluations;
        out.message = format!(
            "{} {what} meeting `{}` near the base value: {yes} (payback {}); at {no} payback is {}",
            if yes > no { "least" } else { "greatest" },
            out.target,
            show_q(f_yes.payback),
            show_q(f_no.payback)
        );
        return Ok(out);
    }
    // Root targets.
    let g: Vec<Option<f64>> = scan.iter().map(|f| target.residual(f)).collect();
    if let Some(i) = (0..xs.len()).find(|&i| g[i] == Some(0.0)) {
        out.status = Status::Found;
        out.value = Some(xs[i]);
        out.at_value = Some(scan[i]);
        out.residual = Some(0.0);
        out.evaluations = evaluations;
        out.message = format!("{what} = {} meets `{}` exactly", fmt_num(xs[i]), out.target);
        return Ok(out);
    }
    let bracket = (0..xs.len() - 1)
        .filter(|&i| matches!((g[i], g[i + 1]), (Some(p), Some(q)) if (p < 0.0) != (q < 0.0)))
        .min_by(|&i, &j| dist(i).total_cmp(&dist(j)).then(i.cmp(&j)));
    let Some(i) = bracket else {
        let vals: Vec<f64> = g.iter().flatten().copied().collect();
        let range = if vals.is_empty() {
            "no value of the metric could be computed (no IRR)".to_string()
        } else {
            let lo = vals.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = vals.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            format!(
                "the metric minus the target runs from {} to {} without crossing 0",
                fmt_num(lo),
                fmt_num(hi)
            )
        };
        out.message = format!(
            "no value of {what} in [{}, {}] meets `{}`: {range} (scanned {} values)",
            fmt_num(a),
            fmt_num(b),
            out.target,
            xs.len()
        );
        out.evaluations = evaluations;
        return Ok(out);
    };
    let (x, f, n) = if v.integer {
        // Whole numbers: the nearer of the two neighbours across the sign change.
        let mut l = xs[i];
        let mut r = xs[i + 1];
        let mut gl = g[i].unwrap_or(0.0);
        let mut n = 0;
        let mut fl = scan[i];
        let mut fr = scan[i + 1];
        while r - l > 1.0 && n < 200 {
            let mid = libm::floor(0.5 * (l + r));
            let fm = v.figures(s, mid);
            n += 1;
            match target.residual(&fm) {
                Some(gm) if (gm < 0.0) == (gl < 0.0) => {
                    l = mid;
                    gl = gm;
                    fl = fm;
                }
                _ => {
                    r = mid;
                    fr = fm;
                }
            }
        }
        let gr = target.residual(&fr).unwrap_or(f64::INFINITY);
        if gl.abs() <= gr.abs() {
            (l, fl, n)
        } else {
            (r, fr, n)
        }
    } else {
        let mut n = 0;
        let mut eval = |x: f64| -> Option<f64> {
            n += 1;
            target.residual(&v.figures(s, x))
        };
        let root = payback_model::finance::brent(
            &mut eval,
            xs[i],
            xs[i + 1],
            g[i].unwrap_or(0.0),
            g[i + 1].unwrap_or(0.0),
            1e-12 * (xs[i].abs() + xs[i + 1].abs()).max(1e-12),
        );
        let f = v.figures(s, root);
        (root, f, n + 1)
    };
    evaluations += n;
    out.status = Status::Found;
    out.value = Some(x);
    out.at_value = Some(f);
    out.residual = target.residual(&f);
    out.evaluations = evaluations;
    out.message = format!(
        "{what} = {} meets `{}`{}",
        fmt_num(x),
        out.target,
        if v.integer {
            " (whole-number parameter: the nearest whole number)"
        } else {
            ""
        }
    );
    Ok(out)
}

fn fmt_num(x: f64) -> String {
    if x != 0.0 && (x.abs() >= 1e6 || x.abs() < 1e-3) {
        format!("{x:.6e}")
    } else {
        let s = format!("{x:.6}");
        let s = s.trim_end_matches('0').trim_end_matches('.');
        if s.is_empty() || s == "-" {
            "0".into()
        } else {
            s.to_string()
        }
    }
}

fn show_q(q: Option<Quarter>) -> String {
    q.map_or_else(|| "never within the horizon".into(), |q| q.to_string())
}

// ---------------------------------------------------------------------------------------
// Top-down rules beside the model
// ---------------------------------------------------------------------------------------

/// One year of the scenario's projection, for the top-down comparisons.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ModelYear {
    /// Calendar year.
    pub year: i32,
    /// AI capex in the year, USD.
    pub capex: f64,
    /// Of which accelerators, USD.
    pub capex_accelerators: f64,
    /// AI revenue in the year, USD.
    pub revenue: f64,
}

/// The projection's capex and revenue by calendar year (quarters summed).
pub fn model_years(p: &payback_model::Projection) -> Vec<ModelYear> {
    let mut out: Vec<ModelYear> = Vec::new();
    for (t, q) in p.quarters.iter().enumerate() {
        let at = |v: &[f64]| v.get(t).copied().unwrap_or(0.0);
        let (c, ca, r) = (
            at(&p.q.capex),
            at(&p.q.capex_accelerators),
            at(&p.q.revenue),
        );
        match out.last_mut() {
            Some(y) if y.year == q.year() => {
                y.capex += c;
                y.capex_accelerators += ca;
                y.revenue += r;
            }
            _ => out.push(ModelYear {
                year: q.year(),
                capex: c,
                capex_accelerators: ca,
                revenue: r,
            }),
        }
    }
    out
}

/// A top-down rule of thumb beside the full model (`payback solve --sequoia`,
/// `--target-roic`). The arithmetic is the caller's (`payback-portfolio`'s cross-check
/// functions); this is what front ends render.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TopDown {
    /// `sequoia` or `target_roic`.
    pub rule: &'static str,
    /// The rule in words, with its source.
    pub title: String,
    /// Labelled amounts: the inputs, then the results.
    pub lines: Vec<TopDownLine>,
    /// The revenue the rule says is needed (a year), USD.
    pub revenue_needed: f64,
    /// The first year whose modelled AI revenue reaches `revenue_needed` (`None`: not within
    /// the horizon).
    pub first_year_reaching: Option<i32>,
    /// The capex the rule is about, USD (accelerator spend for Sequoia, capital for ROIC).
    pub capex: f64,
    /// The scenario's capex and revenue by year.
    pub model_years: Vec<ModelYear>,
    /// The model year matching the rule's capex (see [`nearest_year`]).
    pub nearest_year: Option<i32>,
    /// The model's headline figures for the scenario.
    pub model: Figures,
    /// What the rule leaves out that the model has.
    pub leaves_out: Vec<&'static str>,
}

/// One labelled amount of a top-down rule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TopDownLine {
    /// What it is.
    pub label: String,
    /// The amount.
    pub value: f64,
    /// `USD`, `years` or `ratio`.
    pub unit: &'static str,
}

/// The first year whose revenue reaches `needed`.
pub fn first_year_reaching(years: &[ModelYear], needed: f64) -> Option<i32> {
    years.iter().find(|y| y.revenue >= needed).map(|y| y.year)
}

/// The model year matching the rule's capex: with `accelerators` (Sequoia: one year of spend)
/// the year whose accelerator capex is nearest to `capex`; otherwise (target ROIC: a stock of
/// capital) the first year by whose end the cumulative AI capex within the horizon reaches
/// `capex`.
pub fn nearest_year(years: &[ModelYear], capex: f64, accelerators: bool) -> Option<i32> {
    if !accelerators {
        let mut cum = 0.0;
        return years
            .iter()
            .find(|y| {
                cum += y.capex;
                cum >= capex
            })
            .map(|y| y.year);
    }
    years
        .iter()
        .filter(|y| y.capex > 0.0)
        .min_by(|a, b| {
            (a.capex_accelerators - capex)
                .abs()
                .total_cmp(&(b.capex_accelerators - capex).abs())
                .then(a.year.cmp(&b.year))
        })
        .map(|y| y.year)
}
