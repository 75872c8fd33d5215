//! Distributions of uncertain parameters, as analysts write them (`docs/simulation.md`).
//!
//! A [`Dist`] is plain data with its quantile function (inverse CDF): samplers draw a uniform
//! `u` in (0, 1) (plain Monte Carlo or a Latin hypercube stratum) and map it through
//! [`Dist::quantile`], so one code path serves every sampling method and the sensitivity
//! tools (`P10` of a parameter is `quantile(0.1)`). Everything is computed with `libm`, so the
//! same `u` gives the same bits on every platform. No random source lives here.
//!
//! Shapes: normal (mean, sd); lognormal (mean and sd of the variable, `mu`/`sigma` of its
//! log, or a 90 % interval `p5`/`p95`); triangular and PERT (min, mode, max; PERT's shape
//! λ defaults to 4); uniform; discrete values with weights; bernoulli events (a value with
//! probability `p`, another otherwise). Continuous shapes may be truncated to `[lo, hi]` by
//! inverse CDF on the truncated interval. Quantile functions are non-decreasing in `u`,
//! which rank correlation (Iman–Conover) relies on.

use std::fmt;

/// Why distribution parameters are invalid: the offending key (for diagnostics) and a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DistError {
    /// The key whose value is wrong (`max`, `weights`, `sd`), or `None` for the whole table.
    pub key: Option<&'static str>,
    /// What is wrong.
    pub message: String,
}

impl DistError {
    fn new(key: &'static str, message: impl Into<String>) -> DistError {
        DistError {
            key: Some(key),
            message: message.into(),
        }
    }
}

impl fmt::Display for DistError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for DistError {}

/// The shape of a distribution, with validated parameters.
#[derive(Debug, Clone, PartialEq)]
pub enum Shape {
    /// Normal with mean and standard deviation (sd 0 = a point).
    Normal {
        /// Mean.
        mean: f64,
        /// Standard deviation (>= 0).
        sd: f64,
    },
    /// Lognormal: `exp(N(mu, sigma))`.
    LogNormal {
        /// Mean of the log.
        mu: f64,
        /// Standard deviation of the log (>= 0).
        sigma: f64,
    },
    /// Triangular on `[min, max]` with its peak at `mode`.
    Triangular {
        /// Lower end.
        min: f64,
        /// Most likely value.
        mode: f64,
        /// Upper end.
        max: f64,
    },
    /// PERT: `min + (max - min) Beta(α, β)`, `α = 1 + λ (mode - min)/(max - min)`,
    /// `β = 1 + λ (max - mode)/(max - min)`.
    Pert {
        /// Lower end.
        min: f64,
        /// Most likely value.
        mode: f64,
        /// Upper end.
        max: f64,
        /// Shape λ (default 4).
        lambda: f64,
    },
    /// Uniform on `[min, max]`.
    Uniform {
        /// Lower end.
        min: f64,
        /// Upper end.
        max: f64,
    },
    /// Finitely many values with probabilities (sorted ascending, cumulative).
    Discrete {
        /// Values, ascending.
        values: Vec<f64>,
        /// Cumulative probabilities, the last exactly 1.
        cumulative: Vec<f64>,
    },
}

/// A distribution: a shape, optionally truncated to `[lo, hi]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Dist {
    shape: Shape,
    /// (lo, hi, F(lo), F(hi)) when truncated.
    truncation: Option<(f64, f64, f64, f64)>,
    /// The shape's Beta parameters and `ln B(a, b)` ([`Shape::beta_params`]), which every
    /// PERT quantile needs: fixed by the shape, so computed once rather than per draw.
    beta: (f64, f64, f64),
}

fn finite(key: &'static str, v: f64) -> Result<f64, DistError> {
    if v.is_finite() {
        Ok(v)
    } else {
        Err(DistError::new(
            key,
            format!("`{key}` must be a finite number"),
        ))
    }
}

fn ordered(min: f64, mode: f64, max: f64) -> Result<(), DistError> {
    finite("min", min)?;
    finite("mode", mode)?;
    finite("max", max)?;
    if min > max {
        return Err(DistError::new(
            "max",
            format!("`min` ({min}) is greater than `max` ({max})"),
        ));
    }
    if mode < min || mode > max {
        return Err(DistError::new(
            "mode",
            format!("`mode` ({mode}) is outside `min`..=`max` ({min}..={max})"),
        ));
    }
    Ok(())
}

/// The lowest and highest cumulative probability [`Dist::quantile`] evaluates: a uniform
/// outside is clamped to them, so the quantiles there bound every draw.
const U_LOWEST: f64 = 1e-300;
const U_HIGHEST: f64 = 1.0 - f64::EPSILON / 2.0;

/// z of the 95th percentile of the standard normal.
const Z95: f64 = 1.644_853_626_951_472_2;

impl Dist {
    /// Normal(mean, sd); `sd >= 0`.
    pub fn normal(mean: f64, sd: f64) -> Result<Dist, DistError> {
        finite("mean", mean)?;
        finite("sd", sd)?;
        if sd < 0.0 {
            return Err(DistError::new("sd", format!("`sd` ({sd}) is negative")));
        }
        Ok(Dist::plain(Shape::Normal { mean, sd }))
    }

    /// Lognormal from `mu` and `sigma` of the log; `sigma >= 0`.
    pub fn lognormal_log(mu: f64, sigma: f64) -> Result<Dist, DistError> {
        finite("mu", mu)?;
        finite("sigma", sigma)?;
        if sigma < 0.0 {
            return Err(DistError::new(
                "sigma",
                format!("`sigma` ({sigma}) is negative"),
            ));
        }
        Ok(Dist::plain(Shape::LogNormal { mu, sigma }))
    }

    /// Lognormal from the mean and sd of the variable itself (@RISK's `RiskLognorm`):
    /// `σ² = ln(1 + sd²/mean²)`, `μ = ln(mean) - σ²/2`. `mean > 0`, `sd >= 0`.
    pub fn lognormal_mean_sd(mean: f64, sd: f64) -> Result<Dist, DistError> {
        finite("mean", mean)?;
        finite("sd", sd)?;
        if mean <= 0.0 {
            return Err(DistError::new(
                "mean",
                format!("a lognormal's `mean` must be positive, not {mean}"),
            ));
        }
        if sd < 0.0 {
            return Err(DistError::new("sd", format!("`sd` ({sd}) is negative")));
        }
        let s2 = libm::log1p(sd * sd / (mean * mean));
        Dist::lognormal_log(libm::log(mean) - s2 / 2.0, libm::sqrt(s2))
    }

    /// Lognormal from a 90 % interval: `p5` and `p95` are its 5th and 95th percentiles
    /// (Epoch AI's style): `μ = (ln p5 + ln p95)/2`, `σ = (ln p95 - ln p5)/(2 z₀.₉₅)`.
    pub fn lognormal_p5_p95(p5: f64, p95: f64) -> Result<Dist, DistError> {
        finite("p5", p5)?;
        finite("p95", p95)?;
        if p5 <= 0.0 {
            return Err(DistError::new(
                "p5",
                format!("a lognormal's `p5` must be positive, not {p5}"),
            ));
        }
        if p95 < p5 {
            return Err(DistError::new(
                "p95",
                format!("`p95` ({p95}) is below `p5` ({p5})"),
            ));
        }
        let (a, b) = (libm::log(p5), libm::log(p95));
        Dist::lognormal_log((a + b) / 2.0, (b - a) / (2.0 * Z95))
    }

    /// Triangular(min, mode, max).
    pub fn triangular(min: f64, mode: f64, max: f64) -> Result<Dist, DistError> {
        ordered(min, mode, max)?;
        Ok(Dist::plain(Shape::Triangular { min, mode, max }))
    }

    /// PERT(min, mode, max, λ); λ > 0 (4 by convention).
    pub fn pert(min: f64, mode: f64, max: f64, lambda: f64) -> Result<Dist, DistError> {
        ordered(min, mode, max)?;
        finite("lambda", lambda)?;
        if lambda <= 0.0 {
            return Err(DistError::new(
                "lambda",
                format!("`lambda` must be positive, not {lambda}"),
            ));
        }
        Ok(Dist::plain(Shape::Pert {
            min,
            mode,
            max,
            lambda,
        }))
    }

    /// Uniform(min, max).
    pub fn uniform(min: f64, max: f64) -> Result<Dist, DistError> {
        finite("min", min)?;
        finite("max", max)?;
        if min > max {
            return Err(DistError::new(
                "max",
                format!("`min` ({min}) is greater than `max` ({max})"),
            ));
        }
        Ok(Dist::plain(Shape::Uniform { min, max }))
    }

    /// Discrete values with weights that sum to 1 (± 1e-9); weights >= 0.
    pub fn discrete(values: &[f64], weights: &[f64]) -> Result<Dist, DistError> {
        if values.is_empty() {
            return Err(DistError::new("values", "`values` is empty"));
        }
        if values.len() != weights.len() {
            return Err(DistError::new(
                "weights",
                format!(
                    "{} values but {} weights: give one weight per value",
                    values.len(),
                    weights.len()
                ),
            ));
        }
        for &v in values {
            finite("values", v)?;
        }
        let mut total = 0.0;
        for &w in weights {
            finite("weights", w)?;
            if w < 0.0 {
                return Err(DistError::new("weights", format!("weight {w} is negative")));
            }
            total += w;
        }
        if (total - 1.0).abs() > 1e-9 {
            return Err(DistError::new(
                "weights",
                format!("weights sum to {total}, not 1"),
            ));
        }
        let mut pairs: Vec<(f64, f64)> = values
            .iter()
            .copied()
            .zip(weights.iter().copied())
            .collect();
        pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut cumulative = Vec::with_capacity(pairs.len());
        let mut c = 0.0;
        for (_, w) in &pairs {
            c += w / total;
            cumulative.push(c);
        }
        if let Some(last) = cumulative.last_mut() {
            *last = 1.0;
        }
        Ok(Dist::plain(Shape::Discrete {
            values: pairs.into_iter().map(|p| p.0).collect(),
            cumulative,
        }))
    }

    /// A bernoulli event: `value` with probability `p`, `otherwise` with `1 - p`.
    pub fn bernoulli(p: f64, value: f64, otherwise: f64) -> Result<Dist, DistError> {
        finite("p", p)?;
        if !(0.0..=1.0).contains(&p) {
            return Err(DistError::new("p", format!("`p` ({p}) is outside 0..=1")));
        }
        finite("value", value)?;
        finite("otherwise", otherwise)?;
        Dist::discrete(&[value, otherwise], &[p, 1.0 - p])
    }

    /// A point: every draw is `v` (a collapsed distribution).
    pub fn point(v: f64) -> Result<Dist, DistError> {
        Dist::uniform(v, v)
    }

    fn plain(shape: Shape) -> Dist {
        Dist {
            beta: shape.beta_params(),
            shape,
            truncation: None,
        }
    }

    /// Truncate to `[lo, hi]` (continuous shapes only); the mass inside must be positive.
    pub fn truncated(mut self, lo: f64, hi: f64) -> Result<Dist, DistError> {
        finite("truncate", lo)?;
        finite("truncate", hi)?;
        if lo > hi {
            return Err(DistError::new(
                "truncate",
                format!("`truncate` is [{lo}, {hi}]: the lower end is above the upper"),
            ));
        }
        if matches!(self.shape, Shape::Discrete { .. }) {
            return Err(DistError::new(
                "truncate",
                "only continuous distributions can be truncated",
            ));
        }
        let (a, b) = self.support();
        if hi < a || lo > b {
            return Err(DistError::new(
                "truncate",
                format!("`truncate` [{lo}, {hi}] lies outside the distribution's range [{a}, {b}]"),
            ));
        }
        let (flo, fhi) = (self.shape.cdf(lo), self.shape.cdf(hi));
        let point = a == b;
        if fhi - flo <= 0.0 && !point {
            return Err(DistError::new(
                "truncate",
                format!("`truncate` [{lo}, {hi}] keeps no probability mass"),
            ));
        }
        self.truncation = Some((lo, hi, flo, fhi));
        Ok(self)
    }

    /// The shape.
    pub fn shape(&self) -> &Shape {
        &self.shape
    }

    /// The truncation interval, if any.
    pub fn truncation(&self) -> Option<(f64, f64)> {
        self.truncation.map(|t| (t.0, t.1))
    }

    /// The value at cumulative probability `u` (clamped into `U_LOWEST..=U_HIGHEST`, inside
    /// (0, 1)); non-decreasing in `u`.
    pub fn quantile(&self, u: f64) -> f64 {
        let u = if u.is_nan() { 0.5 } else { u };
        let u = u.clamp(U_LOWEST, U_HIGHEST);
        match self.truncation {
            None => self.shape.quantile(u, self.beta),
            Some((lo, hi, flo, fhi)) => {
                let x = self.shape.quantile(flo + u * (fhi - flo), self.beta);
                x.clamp(lo, hi)
            }
        }
    }

    /// Every draw is a finite number: the quantiles at the lowest and highest cumulative
    /// probability a draw can have bound all the others. A normal or lognormal wide enough
    /// (a `sigma` of a few hundred, say) reaches infinity there, which would put an infinite
    /// value into the model on some path.
    pub fn check_finite_draws(&self) -> Result<(), DistError> {
        let (lo, hi) = (self.quantile(U_LOWEST), self.quantile(U_HIGHEST));
        if lo.is_finite() && hi.is_finite() {
            return Ok(());
        }
        Err(DistError {
            key: None,
            message: format!(
                "its draws are not all finite numbers (they range from {lo} to {hi}); narrow it, \
                 or bound it with `truncate = [lo, hi]`"
            ),
        })
    }

    /// The smallest and largest value a draw can take (before truncation the open ends of
    /// normal and lognormal are infinite).
    pub fn support(&self) -> (f64, f64) {
        let (a, b) = match &self.shape {
            Shape::Normal { mean, sd } => {
                if *sd == 0.0 {
                    (*mean, *mean)
                } else {
                    (f64::NEG_INFINITY, f64::INFINITY)
                }
            }
            Shape::LogNormal { mu, sigma } => {
                if *sigma == 0.0 {
                    let v = libm::exp(*mu);
                    (v, v)
                } else {
                    (0.0, f64::INFINITY)
                }
            }
            Shape::Triangular { min, max, .. }
            | Shape::Pert { min, max, .. }
            | Shape::Uniform { min, max } => (*min, *max),
            Shape::Discrete { values, .. } => (
                values.first().copied().unwrap_or(0.0),
                values.last().copied().unwrap_or(0.0),
            ),
        };
        match self.truncation {
            Some((lo, hi, _, _)) => (a.max(lo), b.min(hi)),
            None => (a, b),
        }
    }

    /// Mean of the untruncated shape (closed form).
    pub fn mean(&self) -> f64 {
        match &self.shape {
            Shape::Normal { mean, .. } => *mean,
            Shape::LogNormal { mu, sigma } => libm::exp(mu + sigma * sigma / 2.0),
            Shape::Triangular { min, mode, max } => (min + mode + max) / 3.0,
            Shape::Pert {
                min,
                mode,
                max,
                lambda,
            } => (min + lambda * mode + max) / (lambda + 2.0),
            Shape::Uniform { min, max } => (min + max) / 2.0,
            Shape::Discrete { values, cumulative } => {
                let mut prev = 0.0;
                let mut m = 0.0;
                for (v, c) in values.iter().zip(cumulative) {
                    m += v * (c - prev);
                    prev = *c;
                }
                m
            }
        }
    }

    /// Variance of the untruncated shape (closed form).
    pub fn variance(&self) -> f64 {
        match &self.shape {
            Shape::Normal { sd, .. } => sd * sd,
            Shape::LogNormal { mu, sigma } => {
                let s2 = sigma * sigma;
                libm::expm1(s2) * libm::exp(2.0 * mu + s2)
            }
            Shape::Triangular { min, mode, max } => {
                (min * min + mode * mode + max * max - min * mode - min * max - mode * max) / 18.0
            }
            Shape::Pert { min, max, .. } => {
                let (a, b) = self.shape.beta_ab();
                let w = max - min;
                w * w * a * b / ((a + b) * (a + b) * (a + b + 1.0))
            }
            Shape::Uniform { min, max } => (max - min) * (max - min) / 12.0,
            Shape::Discrete { values, .. } => {
                let m = self.mean();
                let mut prev = 0.0;
                let mut v2 = 0.0;
                if let Shape::Discrete { cumulative, .. } = &self.shape {
                    for (v, c) in values.iter().zip(cumulative) {
                        v2 += (v - m) * (v - m) * (c - prev);
                        prev = *c;
                    }
                }
                v2
            }
        }
    }

    /// A short description, `pert(0.3, 0.5, 0.8)`.
    pub fn describe(&self) -> String {
        let mut s = match &self.shape {
            Shape::Normal { mean, sd } => format!("normal(mean {mean}, sd {sd})"),
            Shape::LogNormal { mu, sigma } => format!("lognormal(mu {mu:.6}, sigma {sigma:.6})"),
            Shape::Triangular { min, mode, max } => format!("triangular({min}, {mode}, {max})"),
            Shape::Pert {
                min,
                mode,
                max,
                lambda,
            } => format!("pert({min}, {mode}, {max}, λ {lambda})"),
            Shape::Uniform { min, max } => format!("uniform({min}, {max})"),
            Shape::Discrete { values, cumulative } => {
                let mut prev = 0.0;
                let parts: Vec<String> = values
                    .iter()
                    .zip(cumulative)
                    .map(|(v, c)| {
                        let w = c - prev;
                        prev = *c;
                        format!("{v}: {w:.4}")
                    })
                    .collect();
                format!("discrete({})", parts.join(", "))
            }
        };
        if let Some((lo, hi, _, _)) = self.truncation {
            s.push_str(&format!(" truncated to [{lo}, {hi}]"));
        }
        s
    }
}

impl Shape {
    fn beta_ab(&self) -> (f64, f64) {
        match self {
            Shape::Pert {
                min,
                mode,
                max,
                lambda,
            } if max > min => {
                let w = max - min;
                (
                    1.0 + lambda * (mode - min) / w,
                    1.0 + lambda * (max - mode) / w,
                )
            }
            _ => (1.0, 1.0),
        }
    }

    /// [`Shape::beta_ab`] and `ln B(a, b)`.
    fn beta_params(&self) -> (f64, f64, f64) {
        let (a, b) = self.beta_ab();
        (a, b, ln_beta(a, b))
    }

    /// The quantile at `u`, given `beta`, the shape's [`Shape::beta_params`].
    fn quantile(&self, u: f64, beta: (f64, f64, f64)) -> f64 {
        match self {
            Shape::Normal { mean, sd } => {
                if *sd == 0.0 {
                    *mean
                } else {
                    mean + sd * normal_quantile(u)
                }
            }
            Shape::LogNormal { mu, sigma } => {
                if *sigma == 0.0 {
                    libm::exp(*mu)
                } else {
                    libm::exp(mu + sigma * normal_quantile(u))
                }
            }
            Shape::Triangular { min, mode, max } => {
                let w = max - min;
                if w <= 0.0 {
                    return *min;
                }
                let fc = (mode - min) / w;
                if u < fc {
                    min + libm::sqrt(u * w * (mode - min))
                } else {
                    max - libm::sqrt((1.0 - u) * w * (max - mode))
                }
            }
            Shape::Pert { min, max, .. } => {
                if max <= min {
                    return *min;
                }
                let (a, b, lb) = beta;
                min + (max - min) * beta_quantile_with(u, a, b, lb)
            }
            Shape::Uniform { min, max } => min + u * (max - min),
            Shape::Discrete { values, cumulative } => {
                let k = cumulative
                    .partition_point(|&c| c <= u)
                    .min(values.len() - 1);
                values[k]
            }
        }
    }

    fn cdf(&self, x: f64) -> f64 {
        match self {
            Shape::Normal { mean, sd } => {
                if *sd == 0.0 {
                    if x >= *mean { 1.0 } else { 0.0 }
                } else {
                    normal_cdf((x - mean) / sd)
                }
            }
            Shape::LogNormal { mu, sigma } => {
                if x <= 0.0 {
                    0.0
                } else if *sigma == 0.0 {
                    if libm::log(x) >= *mu { 1.0 } else { 0.0 }
                } else {
                    normal_cdf((libm::log(x) - mu) / sigma)
                }
            }
            Shape::Triangular { min, mode, max } => {
                if x <= *min {
                    0.0
                } else if x >= *max {
                    1.0
                } else if x <= *mode {
                    (x - min) * (x - min) / ((max - min) * (mode - min))
                } else {
                    1.0 - (max - x) * (max - x) / ((max - min) * (max - mode))
                }
            }
            Shape::Pert { min, max, .. } => {
                if x <= *min {
                    0.0
                } else if x >= *max {
                    1.0
                } else {
                    let (a, b) = self.beta_ab();
                    beta_cdf((x - min) / (max - min), a, b)
                }
            }
            Shape::Uniform { min, max } => {
                if x <= *min {
                    0.0
                } else if x >= *max {
                    1.0
                } else {
                    (x - min) / (max - min)
                }
            }
            Shape::Discrete { values, cumulative } => {
                let k = values.partition_point(|&v| v <= x);
                if k == 0 { 0.0 } else { cumulative[k - 1] }
            }
        }
    }
}

/// Standard normal CDF, `Φ(z) = erfc(-z/√2)/2`.
pub fn normal_cdf(z: f64) -> f64 {
    0.5 * libm::erfc(-z * std::f64::consts::FRAC_1_SQRT_2)
}

/// Standard normal quantile `Φ⁻¹(p)`, Wichura's AS 241 (PPND16), relative error about 1e-16.
/// `p` is clamped into (0, 1).
#[allow(
    clippy::excessive_precision,
    reason = "AS 241's published coefficients, as printed"
)]
pub fn normal_quantile(p: f64) -> f64 {
    let p = p.clamp(1e-300, 1.0 - 1e-16);
    let q = p - 0.5;
    if q.abs() <= 0.425 {
        let r = 0.180625 - q * q;
        return q
            * (((((((2509.0809287301227 * r + 33430.575583588128) * r + 67265.770927008700)
                * r
                + 45921.953931549871)
                * r
                + 13731.693765509461)
                * r
                + 1971.5909503065513)
                * r
                + 133.14166789178438)
                * r
                + 3.3871328727963665)
            / (((((((5226.4952788525454 * r + 28729.085735721943) * r + 39307.895800092710)
                * r
                + 21213.794301586595)
                * r
                + 5394.1960214247511)
                * r
                + 687.18700749205791)
                * r
                + 42.313330701600911)
                * r
                + 1.0);
    }
    let r0 = if q < 0.0 { p } else { 1.0 - p };
    let mut r = libm::sqrt(-libm::log(r0));
    let val = if r <= 5.0 {
        r -= 1.6;
        (((((((7.7454501427834141e-4 * r + 0.022723844989269184) * r + 0.24178072517745061) * r
            + 1.2704582524523684)
            * r
            + 3.6478483247632045)
            * r
            + 5.7694972214606914)
            * r
            + 4.6303378461565453)
            * r
            + 1.4234371107496835)
            / (((((((1.0507500716444169e-9 * r + 5.4759380849953449e-4) * r
                + 0.015198666563616457)
                * r
                + 0.14810397642748007)
                * r
                + 0.68976733498510005)
                * r
                + 1.6763848301838038)
                * r
                + 2.0531916266377588)
                * r
                + 1.0)
    } else {
        r -= 5.0;
        (((((((2.0103343992922881e-7 * r + 2.7115555687434876e-5) * r + 0.0012426609473880784)
            * r
            + 0.026532189526576123)
            * r
            + 0.29656057182850489)
            * r
            + 1.7848265399172913)
            * r
            + 5.4637849111641144)
            * r
            + 6.6579046435011038)
            / (((((((2.0442631033899397e-15 * r + 1.421511758316446e-7) * r
                + 1.8463183175100548e-5)
                * r
                + 7.8686913114561326e-4)
                * r
                + 0.014875361290850615)
                * r
                + 0.1369298809227358)
                * r
                + 0.5998322065558879)
                * r
                + 1.0)
    };
    if q < 0.0 { -val } else { val }
}

/// Continued fraction of the incomplete beta (modified Lentz, Numerical Recipes `betacf`).
fn beta_cf(x: f64, a: f64, b: f64) -> f64 {
    const TINY: f64 = 1e-300;
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let mut c = 1.0;
    let mut d = 1.0 - qab * x / qap;
    if d.abs() < TINY {
        d = TINY;
    }
    d = 1.0 / d;
    let mut h = d;
    for m in 1..300 {
        let m = f64::from(m);
        let m2 = 2.0 * m;
        let aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 + aa * d;
        if d.abs() < TINY {
            d = TINY;
        }
        c = 1.0 + aa / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        h *= d * c;
        let aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 + aa * d;
        if d.abs() < TINY {
            d = TINY;
        }
        c = 1.0 + aa / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        let del = d * c;
        h *= del;
        if (del - 1.0).abs() < 1e-15 {
            break;
        }
    }
    h
}

fn ln_beta(a: f64, b: f64) -> f64 {
    libm::lgamma(a) + libm::lgamma(b) - libm::lgamma(a + b)
}

/// Regularized incomplete beta `I_x(a, b)`.
pub fn beta_cdf(x: f64, a: f64, b: f64) -> f64 {
    beta_cdf_with(x, a, b, ln_beta(a, b))
}

/// [`beta_cdf`] given `ln_beta(a, b)`.
fn beta_cdf_with(x: f64, a: f64, b: f64, lb: f64) -> f64 {
    beta_cdf_logs(x, a, b, lb, libm::log(x), libm::log1p(-x))
}

/// [`beta_cdf_with`] given also `lx = log(x)` and `l1x = log1p(-x)` (the quantile search
/// shares them with the density at the same `x`).
fn beta_cdf_logs(x: f64, a: f64, b: f64, lb: f64, lx: f64, l1x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let front = libm::exp(a * lx + b * l1x - lb);
    if x < (a + 1.0) / (a + b + 2.0) {
        front * beta_cf(x, a, b) / a
    } else {
        1.0 - front * beta_cf(1.0 - x, b, a) / b
    }
}

/// Inverse of [`beta_cdf`] in `x`: Newton steps safeguarded by bisection, to about 1e-14.
pub fn beta_quantile(u: f64, a: f64, b: f64) -> f64 {
    beta_quantile_with(u, a, b, ln_beta(a, b))
}

/// [`beta_quantile`] given `lb = ln_beta(a, b)`.
fn beta_quantile_with(u: f64, a: f64, b: f64, lb: f64) -> f64 {
    let (mut lo, mut hi) = (0.0_f64, 1.0_f64);
    // Start at the mean.
    let mut x = a / (a + b);
    for _ in 0..100 {
        let (lx, l1x) = (libm::log(x), libm::log1p(-x));
        let f = beta_cdf_logs(x, a, b, lb, lx, l1x) - u;
        if f.abs() < 1e-15 {
            break;
        }
        if f > 0.0 {
            hi = x;
        } else {
            lo = x;
        }
        let pdf = libm::exp((a - 1.0) * lx + (b - 1.0) * l1x - lb);
        let newton = if pdf > 0.0 && pdf.is_finite() {
            x - f / pdf
        } else {
            f64::NAN
        };
        x = if newton > lo && newton < hi {
            newton
        } else {
            0.5 * (lo + hi)
        };
        if hi - lo < 1e-15 {
            break;
        }
    }
    x.clamp(0.0, 1.0)
}

/// One uncertain parameter: a path, its distribution and whether a draw replaces the value
/// (`set`) or multiplies it (`scale`, as an overlay's `[scale]`).
#[derive(Debug, Clone, PartialEq)]
pub struct Uncertain {
    /// The parameter path as written (`inference.price_decline`).
    pub path: String,
    /// Its distribution.
    pub dist: Dist,
    /// `true`: the draw multiplies the scenario's value at every slot the path selects.
    pub scale: bool,
    /// File and 1-based line where it was declared (for reports; empty/0 when built in code).
    pub origin: (String, usize),
}

/// The `[uncertainty]` and `[correlations]` of a scenario after overlays.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Uncertainty {
    /// Uncertain parameters, in file order (overlays append or replace by path).
    pub params: Vec<Uncertain>,
    /// Target Spearman rank correlation among some of them.
    pub correlation: Option<Correlation>,
}

/// A rank correlation matrix over named uncertain paths (validated: symmetric, unit
/// diagonal, |ρ| ≤ 1, positive definite).
#[derive(Debug, Clone, PartialEq)]
pub struct Correlation {
    /// Paths, each one of [`Uncertainty::params`].
    pub paths: Vec<String>,
    /// Row-major `k x k` matrix.
    pub matrix: Vec<f64>,
}

/// Lower-triangular Cholesky factor `L` (row-major, `k x k`) of a symmetric matrix, or `None`
/// when it is not positive definite (a pivot ≤ 1e-12).
pub fn cholesky(m: &[f64], k: usize) -> Option<Vec<f64>> {
    if m.len() != k * k {
        return None;
    }
    let mut l = vec![0.0; k * k];
    for i in 0..k {
        for j in 0..=i {
            let mut sum = m[i * k + j];
            for p in 0..j {
                sum -= l[i * k + p] * l[j * k + p];
            }
            if i == j {
                if sum <= 1e-12 || !sum.is_finite() {
                    return None;
                }
                l[i * k + i] = libm::sqrt(sum);
            } else {
                l[i * k + j] = sum / l[j * k + j];
            }
        }
    }
    Some(l)
}
