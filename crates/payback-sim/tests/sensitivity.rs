//! Sensitivity and goal seek: Sobol indices of the Ishigami function against the analytic
//! values, tornado signs that economics fixes, the grid against direct runs, the bridge
//! identity, the ensemble's paths equal to `simulate`'s, and solves that hit their targets.

use payback_input::{builtin, load, load_partial, overlay_steps};
use payback_model::params;
use payback_model::{Quarter, Scenario};
use payback_sim::bridge::bridge;
use payback_sim::sensitivity::{Figures, axis, ensemble, grid, levers, spearman, tornado};
use payback_sim::sobol::{SobolConfig, ishigami, sobol, sobol_plan};
use payback_sim::solve::{Status, Target, Vary, solve};
use payback_sim::{Config, NoProgress, Plan, Sampling, simulate};

fn default_loaded() -> payback_input::Loaded {
    let main = builtin::get("default").expect("built-in default").source();
    load(&main, &[]).expect("default loads")
}

fn with(s: &Scenario, path: &str, v: f64) -> Scenario {
    let mut t = s.clone();
    for sl in params::resolve(&t, path).expect("path resolves") {
        params::set(&mut t, sl, v);
    }
    t
}

#[test]
fn ishigami_indices_match_the_analytic_values() {
    let (a, b) = (7.0, 0.1);
    // Analytic (Ishigami & Homma 1990; Sobol' & Levitan 1999).
    let pi = std::f64::consts::PI;
    let pi4 = pi * pi * pi * pi;
    let v1 = 0.5 * (1.0 + b * pi4 / 5.0) * (1.0 + b * pi4 / 5.0);
    let v2 = a * a / 8.0;
    let v13 = b * b * pi4 * pi4 * (1.0 / 18.0 - 1.0 / 50.0);
    let v = v1 + v2 + v13;
    let s = [v1 / v, v2 / v, 0.0];
    let st = [(v1 + v13) / v, v2 / v, v13 / v];
    assert!((s[0] - 0.3139).abs() < 1e-4 && (s[1] - 0.4424).abs() < 1e-4);
    assert!((st[0] - 0.5576).abs() < 1e-4 && (st[2] - 0.2437).abs() < 1e-4);
    let names: Vec<String> = ["x1", "x2", "x3"].map(String::from).to_vec();
    let cfg = SobolConfig {
        n: 8192,
        seed: 42,
        bootstrap: 200,
        confidence: 0.95,
    };
    let r = sobol(&names, &["f"], &cfg, |u| vec![ishigami(u, a, b)]);
    assert_eq!(r.evaluations, 8192 * 5);
    let o = &r.outputs[0];
    for i in 0..3 {
        for (est, truth, what) in [(o.first[i], s[i], "S"), (o.total[i], st[i], "ST")] {
            let est = est.expect("the output varies");
            // Tolerance from the bootstrap: four standard errors (and the interval must be
            // informative: narrower than 0.1).
            assert!(
                est.std_error > 0.0 && est.hi - est.lo < 0.1,
                "{what}{i}: {est:?}"
            );
            assert!(
                (est.estimate - truth).abs() <= 4.0 * est.std_error,
                "{what}{} = {} vs {truth} (se {})",
                i + 1,
                est.estimate,
                est.std_error
            );
            assert!(est.lo <= est.estimate && est.estimate <= est.hi);
        }
    }
    // Same seed, same bits.
    let again = sobol(&names, &["f"], &cfg, |u| vec![ishigami(u, a, b)]);
    assert_eq!(r, again);
}

#[test]
fn tornado_swings_have_the_signs_economics_gives_them() {
    let l = default_loaded();
    let s = &l.scenario;
    let paths: Vec<String> = [
        "compute.market_margin",
        "power.price_per_mwh",
        "open_market.ref_hours",
        "opex.rate",
    ]
    .map(String::from)
    .to_vec();
    let lv = levers(s, &l.uncertainty, Some(&paths), Some(0.2)).expect("levers");
    let t = tornado(s, &lv);
    assert_eq!(t.rows.len(), 4);
    assert_eq!(t.base, Figures::project(s));
    let row = |p: &str| t.rows.iter().find(|r| r.path == p).expect("row");
    // A higher margin and more demand raise NPV; dearer power and opex lower it.
    assert!(row("compute.market_margin").npv_swing > 0.0);
    assert!(row("open_market.ref_hours").npv_swing > 0.0);
    assert!(row("power.price_per_mwh").npv_swing < 0.0);
    assert!(row("opex.rate").npv_swing < 0.0);
    // Distributions give P10/P90; paths without one swing by ±20 % of base.
    let m = row("compute.market_margin");
    assert!(m.source.starts_with("P10/P90"));
    assert!(m.low_value < m.base_value && m.base_value < m.high_value);
    assert!(row("opex.rate").source.contains("20"));
    // Sorted by |NPV swing|.
    for w in t.rows.windows(2) {
        assert!(w[0].npv_swing.abs() >= w[1].npv_swing.abs());
    }
    // Each end is a direct run with that one input changed.
    let direct = Figures::project(&with(s, "compute.market_margin", m.high_value));
    assert_eq!(m.high, direct);
    // A listed path without a distribution and without --swing is refused.
    let only = vec!["opex.rate".to_string()];
    assert!(levers(s, &l.uncertainty, Some(&only), None).is_err());
}

#[test]
fn grid_corners_equal_direct_runs() {
    let l = default_loaded();
    let s = &l.scenario;
    let a = axis(s, "generations.*.economic_life_years", 4.0, 8.0, 3).expect("axis a");
    let b = axis(s, "compute.market_margin", 0.1, 0.4, 4).expect("axis b");
    let g = grid(s, &a, &b);
    assert_eq!(g.cells.len(), 3);
    assert_eq!(g.cells[0].len(), 4);
    let both = |x: f64, y: f64| {
        let t = with(s, "generations.*.economic_life_years", x);
        Figures::project(&with(&t, "compute.market_margin", y))
    };
    assert_eq!(g.cells[0][0], both(4.0, 0.1));
    assert_eq!(g.cells[2][3], both(8.0, 0.4));
    assert_eq!(g.column_values, vec![0.1, 0.2, 0.30000000000000004, 0.4]);
    // A range outside the field's valid range is refused.
    assert!(axis(s, "compute.market_margin", -0.5, 0.4, 3).is_err());
}

#[test]
fn bridge_steps_add_up_to_the_total_change() {
    let main = builtin::get("default").expect("default").source();
    let bear = builtin::get("bear").expect("bear").source();
    let steps = overlay_steps(&bear).expect("steps");
    assert!(steps.len() >= 8);
    assert!(
        steps[0]
            .description
            .starts_with("set compute.market_margin")
    );
    assert!(
        steps
            .last()
            .is_some_and(|s| s.description.starts_with("scale "))
    );
    let base = load(&main, &[]).expect("base").scenario;
    let cumulative: Vec<(String, usize, Scenario)> = (1..=steps.len())
        .map(|k| {
            let sc = load_partial(&main, std::slice::from_ref(&bear), k)
                .expect("partial")
                .scenario;
            (steps[k - 1].description.clone(), steps[k - 1].line, sc)
        })
        .collect();
    let full = load(&main, std::slice::from_ref(&bear))
        .expect("bear")
        .scenario;
    assert_eq!(cumulative.last().map(|c| &c.2), Some(&full));
    let b = bridge(&base, &cumulative);
    let sum: f64 = b.steps.iter().map(|s| s.npv_change).sum();
    let scale = b.base.npv.abs().max(1.0);
    assert!(
        (sum - b.npv_change).abs() <= 1e-9 * scale,
        "{sum} vs {}",
        b.npv_change
    );
    assert_eq!(b.target, Figures::project(&full));
    assert!(b.npv_change < 0.0, "the bear case lowers NPV");
    let peak: f64 = b.steps.iter().map(|s| s.peak_funding_change).sum();
    assert!((peak - b.peak_funding_change).abs() <= 1e-9 * b.base.peak_funding.max(1.0));
}

#[test]
fn ensemble_runs_the_same_paths_as_simulate() {
    let l = default_loaded();
    let plan = Plan::new(&l.scenario, &l.uncertainty, true).expect("plan");
    let cfg = Config {
        paths: 300,
        seed: 7,
        sampling: Sampling::MonteCarlo,
        threads: Some(2),
    };
    let e = ensemble(&plan, &cfg).expect("ensemble");
    let sim = simulate(&plan, &cfg, &mut NoProgress).expect("simulate");
    let mean = sim.report().outputs[0].stats.mean.expect("mean NPV");
    assert!((e.mean_npv - mean).abs() <= 1e-9 * mean.abs().max(1.0));
    assert_eq!(e.rows.len(), plan.inputs.len());
    let m = e
        .rows
        .iter()
        .find(|r| r.path == "open_market.ref_hours")
        .expect("demand row");
    // Open-market demand dominates the default's uncertainty (docs/calibration.md).
    assert_eq!(e.rows[0].path, "open_market.ref_hours");
    assert!(m.spearman_npv.expect("varies") > 0.5);
    assert!(m.spearman_peak_funding.expect("varies") < 0.0);
    assert!(m.top.mean_npv > m.bottom.mean_npv);
    assert_eq!(m.top.paths, 60);
    let one = ensemble(
        &plan,
        &Config {
            threads: Some(1),
            ..cfg
        },
    )
    .expect("one thread");
    assert_eq!(e, one);
    // Spearman with ties: average ranks.
    assert_eq!(
        spearman(&[1.0, 2.0, 3.0], &[1.0, 1.0, 2.0]),
        Some(0.8660254037844387)
    );
    assert_eq!(spearman(&[1.0, 1.0], &[1.0, 2.0]), None);
}

#[test]
fn sobol_on_the_model_is_deterministic_and_bounded() {
    let l = default_loaded();
    let mut u = l.uncertainty.clone();
    u.params.truncate(3);
    u.correlation = None;
    let plan = Plan::new(&l.scenario, &u, false).expect("plan");
    let cfg = SobolConfig {
        n: 16,
        seed: 1,
        bootstrap: 20,
        confidence: 0.9,
    };
    let r = sobol_plan(&plan, &cfg);
    assert_eq!(r.evaluations, 16 * 5);
    assert_eq!(r.outputs.len(), 3);
    for o in &r.outputs {
        for x in o.first.iter().chain(&o.total).flatten() {
            assert!(x.estimate.is_finite() && x.lo.is_finite() && x.hi.is_finite());
        }
    }
}

#[test]
fn solve_npv_zero_hits_its_target() {
    let l = default_loaded();
    let s = &l.scenario;
    let v = Vary::new(s, "compute.market_margin", false).expect("vary");
    let t = Target::parse("npv = 0").expect("target");
    let r = solve(s, &v, &t, None, None).expect("solve");
    assert_eq!(r.status, Status::Found, "{}", r.message);
    let x = r.value.expect("value");
    let f = Figures::project(&with(s, "compute.market_margin", x));
    // Within a thousandth of a percent of the base NPV's size.
    assert!(f.npv.abs() <= 1e-5 * r.base.npv.abs().max(1e9), "{}", f.npv);
    assert_eq!(r.at_value, Some(f));
}

#[test]
fn solve_payback_lands_exactly_on_the_boundary() {
    let l = default_loaded();
    let s = &l.scenario;
    let base = Figures::project(s);
    let bq = base.payback.expect("the default pays back");
    // Ask for payback two quarters earlier than the base.
    let q = bq.offset(-2);
    let t = Target::parse(&format!("payback <= {q}")).expect("target");
    let v = Vary::new(s, "compute.market_margin", false).expect("vary");
    let r = solve(s, &v, &t, None, None).expect("solve");
    assert_eq!(r.status, Status::Found, "{}", r.message);
    let x = r.value.expect("value");
    let (y, fy) = r.across.expect("across");
    assert_eq!(r.side, Some("least"));
    let fx = Figures::project(&with(s, "compute.market_margin", x));
    assert!(fx.payback.is_some_and(|p| p <= q));
    assert!(fy.payback.is_none_or(|p| p > q));
    assert!(y < x && x - y <= 1e-8, "{y} .. {x}");
    // Impossible: payback before the start.
    let t = Target::parse("payback <= 2020Q1").expect("target");
    let r = solve(s, &v, &t, None, None).expect("solve");
    assert_eq!(r.status, Status::NotMet);
    assert!(r.message.contains("no value"));
    // Whole-number parameter: adjacent whole numbers.
    let v = Vary::new(s, "facilities.facility_lead_time", false).expect("vary");
    let t = Target::PaybackBy { quarter: bq };
    let r = solve(s, &v, &t, Some(0.0), Some(40.0)).expect("solve");
    if r.status == Status::Found {
        let (y, _) = r.across.expect("across");
        assert_eq!((r.value.expect("value") - y).abs(), 1.0);
    }
}

#[test]
fn targets_parse() {
    assert_eq!(Target::parse("irr = 12%"), Ok(Target::Irr { value: 0.12 }));
    assert_eq!(
        Target::parse("payback < 2031Q1"),
        Ok(Target::PaybackBy {
            quarter: Quarter::new(2030, 4).expect("quarter")
        })
    );
    assert!(Target::parse("npv <= 0").is_err());
    assert!(Target::parse("moic = 2").is_err());
    assert!(Target::parse("payback = 2030Q1").is_err());
    assert!(Target::parse("npv = abc").is_err());
}
