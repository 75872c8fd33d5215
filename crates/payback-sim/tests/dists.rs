//! Every distribution against its closed forms: sample moments within a tolerance derived
//! from the standard error (seeded, so the test is deterministic), quantiles against hand
//! values, frequencies of discrete outcomes.

use payback_model::params::dist::{
    Dist, Uncertain, beta_cdf, beta_quantile, normal_cdf, normal_quantile,
};
use payback_sim::block_rng;
use rand_core::Rng;

const N: usize = 200_000;

fn draws(d: &Dist, seed: u64) -> Vec<f64> {
    let mut r = block_rng(seed, 0);
    (0..N)
        .map(|_| d.quantile(((r.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64))
        .collect()
}

/// Mean within 4.5 standard errors and variance within 4.5 standard errors of the sample
/// variance (se from the sample's fourth central moment).
fn check_moments(name: &str, d: &Dist, mean: f64, var: f64) {
    let x = draws(d, 7);
    let n = x.len() as f64;
    let m = x.iter().sum::<f64>() / n;
    let v = x.iter().map(|a| (a - m) * (a - m)).sum::<f64>() / (n - 1.0);
    let m4 = x.iter().map(|a| libm::pow(a - m, 4.0)).sum::<f64>() / n;
    let se_m = libm::sqrt(var / n);
    let se_v = libm::sqrt(((m4 - v * v) / n).max(0.0));
    assert!(
        (m - mean).abs() <= 4.5 * se_m + 1e-12,
        "{name}: mean {m} vs {mean} (se {se_m})"
    );
    assert!(
        (v - var).abs() <= 4.5 * se_v + 1e-12,
        "{name}: var {v} vs {var} (se {se_v})"
    );
    assert!(
        (d.mean() - mean).abs() <= 1e-9 * mean.abs().max(1.0),
        "{name}: closed-form mean"
    );
    assert!(
        (d.variance() - var).abs() <= 1e-9 * var.max(1.0),
        "{name}: closed-form variance"
    );
}

#[test]
fn normal_moments_and_quantiles() {
    let d = Dist::normal(10.0, 2.0).unwrap();
    check_moments("normal", &d, 10.0, 4.0);
    assert!((normal_quantile(0.975) - 1.959_963_984_540_054).abs() < 1e-14);
    assert!((normal_quantile(0.05) + 1.644_853_626_951_472_2).abs() < 1e-14);
    assert!((normal_quantile(1e-10) + 6.361_340_902_404_056).abs() < 1e-12);
    assert!((normal_cdf(1.959_963_984_540_054) - 0.975).abs() < 1e-15);
    assert!((d.quantile(0.5) - 10.0).abs() < 1e-15);
}

#[test]
fn lognormal_three_spellings() {
    let d = Dist::lognormal_mean_sd(100.0, 30.0).unwrap();
    check_moments("lognormal mean/sd", &d, 100.0, 900.0);
    let mu = 0.3;
    let sigma = 0.5;
    let d = Dist::lognormal_log(mu, sigma).unwrap();
    let mean = libm::exp(mu + sigma * sigma / 2.0);
    let var = libm::expm1(sigma * sigma) * libm::exp(2.0 * mu + sigma * sigma);
    check_moments("lognormal mu/sigma", &d, mean, var);
    let d = Dist::lognormal_p5_p95(0.6, 1.5).unwrap();
    assert!((d.quantile(0.05) - 0.6).abs() < 1e-12);
    assert!((d.quantile(0.95) - 1.5).abs() < 1e-12);
    assert!((d.quantile(0.5) - libm::sqrt(0.6 * 1.5)).abs() < 1e-12);
}

#[test]
fn triangular_moments_and_cdf() {
    let (a, c, b) = (1.0, 2.0, 5.0);
    let d = Dist::triangular(a, c, b).unwrap();
    let mean = (a + b + c) / 3.0;
    let var = (a * a + b * b + c * c - a * b - a * c - b * c) / 18.0;
    check_moments("triangular", &d, mean, var);
    // P(X <= mode) = (c - a) / (b - a) = 0.25.
    let x = draws(&d, 11);
    let p = x.iter().filter(|&&v| v <= c).count() as f64 / N as f64;
    let se = libm::sqrt(0.25 * 0.75 / N as f64);
    assert!((p - 0.25).abs() < 4.5 * se, "{p}");
}

#[test]
fn pert_moments_and_beta_functions() {
    let (a, m, b, l) = (0.3, 0.5, 0.8, 4.0);
    let d = Dist::pert(a, m, b, l).unwrap();
    let mean = (a + l * m + b) / (l + 2.0);
    let alpha = 1.0 + l * (m - a) / (b - a);
    let beta = 1.0 + l * (b - m) / (b - a);
    let var =
        (b - a) * (b - a) * alpha * beta / ((alpha + beta) * (alpha + beta) * (alpha + beta + 1.0));
    check_moments("pert", &d, mean, var);
    // Hand values: Beta(2, 5) has CDF 1 - (1-x)^6 - 6x(1-x)^5; at 0.2 that is 0.34464.
    assert!((beta_cdf(0.2, 2.0, 5.0) - 0.34464).abs() < 1e-13);
    assert!((beta_quantile(0.34464, 2.0, 5.0) - 0.2).abs() < 1e-12);
    assert!((beta_quantile(0.5, 3.0, 3.0) - 0.5).abs() < 1e-13);
    // Shape λ changes the spread, not the support.
    let wide = Dist::pert(a, m, b, 2.0).unwrap();
    assert!(wide.variance() > d.variance());
}

#[test]
fn uniform_moments() {
    let d = Dist::uniform(-1.0, 3.0).unwrap();
    check_moments("uniform", &d, 1.0, 16.0 / 12.0);
}

#[test]
fn discrete_and_bernoulli_frequencies() {
    let d = Dist::discrete(&[10.0, 4.0, 6.0], &[0.2, 0.3, 0.5]).unwrap();
    let mean = 10.0 * 0.2 + 4.0 * 0.3 + 6.0 * 0.5;
    let var = 0.2 * (10.0 - mean) * (10.0 - mean)
        + 0.3 * (4.0 - mean) * (4.0 - mean)
        + 0.5 * (6.0 - mean) * (6.0 - mean);
    check_moments("discrete", &d, mean, var);
    let x = draws(&d, 3);
    for (v, w) in [(4.0, 0.3), (6.0, 0.5), (10.0, 0.2)] {
        let p = x.iter().filter(|&&a| a == v).count() as f64 / N as f64;
        assert!(
            (p - w).abs() < 4.5 * libm::sqrt(w * (1.0 - w) / N as f64),
            "{v}: {p}"
        );
    }
    let b = Dist::bernoulli(0.15, 0.5, 1.0).unwrap();
    check_moments("bernoulli", &b, 0.15 * 0.5 + 0.85, 0.15 * 0.85 * 0.25);
    // Quantiles are non-decreasing whichever outcome is larger.
    assert_eq!(b.quantile(0.1), 0.5);
    assert_eq!(b.quantile(0.9), 1.0);
}

#[test]
fn truncated_normal_mean() {
    let (mu, sd, lo, hi) = (75.0, 12.0, 50.0, 120.0);
    let d = Dist::normal(mu, sd).unwrap().truncated(lo, hi).unwrap();
    let (a, b) = ((lo - mu) / sd, (hi - mu) / sd);
    let phi = |z: f64| libm::exp(-z * z / 2.0) / libm::sqrt(2.0 * std::f64::consts::PI);
    let z = normal_cdf(b) - normal_cdf(a);
    let mean = mu + sd * (phi(a) - phi(b)) / z;
    let var =
        sd * sd * (1.0 + (a * phi(a) - b * phi(b)) / z - libm::pow((phi(a) - phi(b)) / z, 2.0));
    let x = draws(&d, 5);
    let m = x.iter().sum::<f64>() / N as f64;
    assert!(
        (m - mean).abs() < 4.5 * libm::sqrt(var / N as f64),
        "{m} vs {mean}"
    );
    assert!(x.iter().all(|&v| (lo..=hi).contains(&v)));
}

#[test]
fn invalid_parameters_are_errors_with_their_key() {
    assert_eq!(Dist::pert(0.5, 0.3, 0.2, 4.0).unwrap_err().key, Some("max"));
    assert_eq!(Dist::normal(0.0, -1.0).unwrap_err().key, Some("sd"));
    assert_eq!(
        Dist::discrete(&[1.0, 2.0], &[0.5, 0.4]).unwrap_err().key,
        Some("weights")
    );
    assert_eq!(
        Dist::triangular(0.0, 2.0, 1.0).unwrap_err().key,
        Some("mode")
    );
    assert_eq!(Dist::bernoulli(1.5, 1.0, 0.0).unwrap_err().key, Some("p"));
    assert!(Dist::lognormal_mean_sd(-1.0, 1.0).is_err());
    assert!(
        Dist::uniform(0.0, 1.0)
            .unwrap()
            .truncated(2.0, 3.0)
            .is_err()
    );
    assert!(
        Dist::discrete(&[1.0], &[1.0])
            .unwrap()
            .truncated(0.0, 2.0)
            .is_err()
    );
}

#[test]
fn collapsed_distributions_are_points() {
    for d in [
        Dist::point(3.5).unwrap(),
        Dist::normal(3.5, 0.0).unwrap(),
        Dist::triangular(3.5, 3.5, 3.5).unwrap(),
        Dist::pert(3.5, 3.5, 3.5, 4.0).unwrap(),
        Dist::discrete(&[3.5], &[1.0]).unwrap(),
    ] {
        for u in [1e-9, 0.3, 0.5, 0.999_999] {
            assert_eq!(d.quantile(u), 3.5, "{}", d.describe());
        }
    }
}

/// Draws are finite numbers or the distribution is refused: the quantiles at the extreme
/// cumulative probabilities a draw can have bound every draw, and a wide lognormal or normal
/// reaches infinity there unless truncated. A scaling input whose finite draws overflow the
/// scenario's value is refused when the plan is made.
#[test]
fn distributions_whose_draws_reach_infinity_are_refused() {
    use payback_sim::{Plan, PlanError};
    let wide = Dist::lognormal_log(0.0, 300.0).unwrap();
    assert!(wide.check_finite_draws().is_err());
    assert_eq!(wide.quantile(1.0), f64::INFINITY);
    let bounded = wide.truncated(0.0, 1e6).unwrap();
    assert!(bounded.check_finite_draws().is_ok());
    assert!(
        Dist::normal(0.0, 1e307)
            .unwrap()
            .check_finite_draws()
            .is_err()
    );
    for d in [
        Dist::normal(75.0, 12.0).unwrap(),
        Dist::lognormal_p5_p95(0.6, 1.5).unwrap(),
        Dist::pert(0.1, 0.25, 0.4, 4.0).unwrap(),
        Dist::uniform(1e300, 1e305).unwrap(),
    ] {
        assert!(d.check_finite_draws().is_ok(), "{d:?}");
        assert!(d.quantile(0.0).is_finite() && d.quantile(1.0).is_finite());
    }
    let l = payback_input::load(
        &payback_input::builtin::get("default").unwrap().source(),
        &[],
    )
    .unwrap();
    let mut u = l.uncertainty.clone();
    u.params[0] = Uncertain {
        path: "open_market.ref_hours".into(),
        dist: Dist::uniform(1e300, 1e305).unwrap(),
        scale: true,
        origin: (String::new(), 0),
    };
    u.correlation = None;
    let err = Plan::new(&l.scenario, &u, true).unwrap_err();
    assert!(matches!(err, PlanError::Infinite(_)), "{err}");
    assert!(
        err.to_string()
            .contains("`open_market.ref_hours` scales the value")
    );
    u.params[0].scale = false;
    assert!(Plan::new(&l.scenario, &u, true).is_ok());
}
