//! The re-projection's mixture, by hand: two scenarios whose payback distributions can be read
//! off, their prior and posterior weights, and the mixture's P(payback by 2030Q4).

use payback_evidence::reproject::{PaybackDistribution, PaybackMethod, mixture};
use payback_evidence::score::ScenarioCard;
use payback_model::Quarter;

fn q(s: &str) -> Quarter {
    Quarter::parse(s).unwrap()
}

fn close(a: f64, b: f64) {
    assert!((a - b).abs() < 1e-12, "{a} != {b}");
}

fn card(label: &str, prior: f64, posterior: f64, payback: Option<&str>) -> ScenarioCard {
    ScenarioCard {
        label: label.into(),
        prior,
        posterior,
        loglik: 0.0,
        payback_quarter: payback.map(q),
    }
}

/// Scenario A, simulated: of 1000 paths, 100 pay back in 2029Q3, 300 in 2030Q2, 400 in
/// 2031Q1 and 200 not within the horizon, so P_A(by 2030Q4) = 400 / 1000 = 0.4.
fn a() -> PaybackDistribution {
    let quarters: Vec<Quarter> = (0..12).map(|k| q("2029Q1").offset(k)).collect();
    let mut counts = vec![0u64; 12];
    counts[2] = 100; // 2029Q3
    counts[5] = 300; // 2030Q2
    counts[8] = 400; // 2031Q1
    PaybackDistribution::from_counts(&quarters, &counts, 200, 1000, 7)
}

#[test]
fn two_scenarios_mixed_by_prior_and_posterior_weights() {
    // Scenario B has no uncertainty: deterministic payback in 2032Q1, so P_B(by 2030Q4) = 0.
    let b = PaybackDistribution::deterministic(Some(q("2032Q1")), Some("no [uncertainty]".into()));
    let dist_a = a();
    close(dist_a.p_by(q("2030Q4")), 0.4);
    close(dist_a.never, 0.2);
    close(b.p_by(q("2030Q4")), 0.0);

    // Prior 0.5 / 0.5, posterior 0.8 / 0.2.
    let cards = [
        card("a", 0.5, 0.8, Some("2030Q2")),
        card("b", 0.5, 0.2, Some("2032Q1")),
    ];
    let r = mixture(&cards, &[dist_a, b], q("2030Q4"));
    // Prior: 0.5 * 0.4 + 0.5 * 0 = 0.2. Posterior: 0.8 * 0.4 + 0.2 * 0 = 0.32.
    close(r.prior, 0.2);
    close(r.posterior, 0.32);
    // Standard errors: A's is sqrt(0.4 * 0.6 / 1000); B's is 0.
    let se_a = (0.4f64 * 0.6 / 1000.0).sqrt();
    close(r.prior_std_error, 0.5 * se_a);
    close(r.posterior_std_error, 0.8 * se_a);

    assert_eq!(r.scenarios.len(), 2);
    assert_eq!(r.scenarios[0].method, PaybackMethod::MonteCarlo);
    assert_eq!(r.scenarios[0].paths, 1000);
    assert_eq!(r.scenarios[0].seed, Some(7));
    close(r.scenarios[0].p_by, 0.4);
    assert_eq!(r.scenarios[1].method, PaybackMethod::Deterministic);
    assert_eq!(r.scenarios[1].note.as_deref(), Some("no [uncertainty]"));
    close(r.scenarios[1].p_by, 0.0);
    assert!(r.method.contains("Monte Carlo (1000 paths, seed 7) for a"));
    assert!(r.method.contains("the deterministic payback quarter for b"));

    // The mixture's distribution, quarter by quarter (prior, posterior):
    // 2029Q3: 0.5*0.1, 0.8*0.1; 2030Q2: 0.5*0.3, 0.8*0.3; 2031Q1: 0.5*0.4, 0.8*0.4;
    // 2032Q1 (B): 0.5, 0.2; never (A's 0.2): 0.5*0.2, 0.8*0.2.
    let want = [
        (Some("2029Q3"), 0.05, 0.08),
        (Some("2030Q2"), 0.15, 0.24),
        (Some("2031Q1"), 0.20, 0.32),
        (Some("2032Q1"), 0.50, 0.20),
        (None, 0.10, 0.16),
    ];
    assert_eq!(r.distribution.len(), want.len());
    for ((gq, gp, gw), (wq, wp, ww)) in r.distribution.iter().zip(want) {
        assert_eq!(*gq, wq.map(q));
        close(*gp, wp);
        close(*gw, ww);
    }
    let total: (f64, f64) = r
        .distribution
        .iter()
        .fold((0.0, 0.0), |(x, y), (_, a, b)| (x + a, y + b));
    close(total.0, 1.0);
    close(total.1, 1.0);
}

#[test]
fn the_deterministic_mixture_stays_without_distributions() {
    // No distributions given: each scenario counts with its headline payback quarter. A quarter
    // equal to `by` counts as paid back by it.
    let cards = [
        card("early", 0.25, 0.6, Some("2030Q4")),
        card("late", 0.25, 0.3, Some("2031Q1")),
        card("never", 0.5, 0.1, None),
    ];
    let r = mixture(&cards, &[], q("2030Q4"));
    close(r.prior, 0.25);
    close(r.posterior, 0.6);
    close(r.prior_std_error, 0.0);
    assert!(
        r.scenarios
            .iter()
            .all(|s| s.method == PaybackMethod::Deterministic)
    );
    assert!(
        r.method
            .contains("the deterministic payback quarter for every scenario")
    );
    assert_eq!(r.distribution.last().map(|d| d.0), Some(None));
    // Nothing printed as "-0.000": probabilities of nothing are +0.
    assert!(r.scenarios[1].p_by.is_sign_positive());
}

#[test]
fn empty_and_inconsistent_counts_do_not_panic() {
    let qs = [q("2030Q1"), q("2030Q2")];
    let d = PaybackDistribution::from_counts(&qs, &[], 0, 0, 1);
    close(d.never, 1.0);
    close(d.p_by(q("2040Q4")), 0.0);
    // `paths` smaller than the counts: the counts win.
    let d = PaybackDistribution::from_counts(&qs, &[3, 1], 0, 2, 1);
    assert_eq!(d.paths, 4);
    close(d.p_by(q("2030Q1")), 0.75);
    close(d.p_by(q("2029Q4")), 0.0);
}
