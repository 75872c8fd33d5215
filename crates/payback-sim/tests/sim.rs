//! The Monte Carlo driver: Iman–Conover hits its target, thread counts do not change a bit,
//! collapsed distributions reproduce the deterministic engine, and the stream is pinned.

use payback_input::{SourceFile, builtin, load};
use payback_model::Scenario;
use payback_model::params::dist::{Correlation, Dist, Uncertain, Uncertainty};
use payback_model::params::{self};
use payback_sim::stats::Acc;
use payback_sim::{BLOCK_SIZE, Config, NoProgress, Plan, Sampling, percentile_type7, simulate};

fn default_loaded() -> payback_input::Loaded {
    let main = builtin::get("default").expect("built-in default").source();
    load(&main, &[]).expect("default loads")
}

fn uncertain(path: &str, dist: Dist, scale: bool) -> Uncertain {
    Uncertain {
        path: path.into(),
        dist,
        scale,
        origin: (String::new(), 0),
    }
}

fn ranks(x: &[f64]) -> Vec<f64> {
    let mut idx: Vec<usize> = (0..x.len()).collect();
    idx.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
    let mut r = vec![0.0; x.len()];
    for (k, &i) in idx.iter().enumerate() {
        r[i] = k as f64;
    }
    r
}

fn spearman(a: &[f64], b: &[f64]) -> f64 {
    let (ra, rb) = (ranks(a), ranks(b));
    let n = a.len() as f64;
    let m = (n - 1.0) / 2.0;
    let cov: f64 = ra.iter().zip(&rb).map(|(x, y)| (x - m) * (y - m)).sum();
    let var: f64 = ra.iter().map(|x| (x - m) * (x - m)).sum();
    cov / var
}

fn corr_plan(base: &Scenario, with_corr: bool) -> Plan {
    let mut u = Uncertainty {
        params: vec![
            uncertain(
                "compute.market_margin",
                Dist::pert(0.1, 0.25, 0.4, 4.0).unwrap(),
                false,
            ),
            uncertain(
                "power.price_per_mwh",
                Dist::normal(75.0, 12.0).unwrap(),
                false,
            ),
            uncertain(
                "open_market.ref_hours",
                Dist::lognormal_p5_p95(0.6, 1.5).unwrap(),
                true,
            ),
            uncertain("agents.q", Dist::uniform(0.15, 0.55).unwrap(), false),
        ],
        correlation: None,
    };
    if with_corr {
        u.correlation = Some(Correlation {
            paths: vec![
                "compute.market_margin".into(),
                "power.price_per_mwh".into(),
                "open_market.ref_hours".into(),
            ],
            matrix: vec![1.0, 0.6, -0.4, 0.6, 1.0, -0.2, -0.4, -0.2, 1.0],
        });
    }
    Plan::new(base, &u, false).expect("plan")
}

#[test]
fn iman_conover_reaches_the_target_and_keeps_marginals() {
    let base = default_loaded().scenario;
    let plan = corr_plan(&base, true);
    let free = corr_plan(&base, false);
    let k = plan.inputs.len();
    let mut cols = vec![Vec::new(); k];
    for b in 0..10 {
        let d = plan.draw_block(42, b, BLOCK_SIZE, Sampling::MonteCarlo);
        let f = free.draw_block(42, b, BLOCK_SIZE, Sampling::MonteCarlo);
        for (j, col) in cols.iter_mut().enumerate() {
            let mut x: Vec<f64> = (0..d.n).map(|i| d.values[i * k + j]).collect();
            let mut y: Vec<f64> = (0..f.n).map(|i| f.values[i * k + j]).collect();
            col.extend_from_slice(&x);
            x.sort_by(f64::total_cmp);
            y.sort_by(f64::total_cmp);
            assert_eq!(x, y, "marginal of input {j} changed in block {b}");
        }
    }
    assert!(cols[0].len() >= 10_000);
    for (a, b, target) in [(0, 1, 0.6), (0, 2, -0.4), (1, 2, -0.2), (0, 3, 0.0)] {
        let rho = spearman(&cols[a], &cols[b]);
        assert!(
            (rho - target).abs() <= 0.02,
            "({a}, {b}): {rho} vs {target}"
        );
    }
}

#[test]
fn latin_hypercube_has_one_draw_per_stratum() {
    let base = default_loaded().scenario;
    let plan = corr_plan(&base, false);
    let n = 500;
    let d = plan.draw_block(1, 0, n, Sampling::LatinHypercube);
    let k = plan.inputs.len();
    // agents.q is uniform(0.15, 0.55): its strata are equal sub-intervals.
    let mut hit = vec![0; n];
    for i in 0..n {
        let u = (d.values[i * k + 3] - 0.15) / 0.4;
        hit[((u * n as f64) as usize).min(n - 1)] += 1;
    }
    assert!(hit.iter().all(|&h| h == 1));
}

#[test]
fn results_do_not_depend_on_the_thread_count() {
    let l = default_loaded();
    let plan = Plan::new(&l.scenario, &l.uncertainty, true).expect("plan");
    let run = |threads, sampling| {
        let cfg = Config {
            paths: 2 * BLOCK_SIZE as u64 + 37,
            seed: 7,
            sampling,
            threads: Some(threads),
        };
        simulate(&plan, &cfg, &mut NoProgress)
            .expect("runs")
            .report()
    };
    for sampling in [Sampling::MonteCarlo, Sampling::LatinHypercube] {
        let one = run(1, sampling);
        assert_eq!(one, run(2, sampling));
        assert_eq!(one, run(4, sampling));
    }
}

#[test]
fn collapsed_distributions_reproduce_the_deterministic_projection() {
    let l = default_loaded();
    let mut base = l.scenario.clone();
    for c in &mut base.counterparties {
        c.hazard = 0.0;
    }
    for c in &mut base.contracts {
        c.renewal_prob = 1.0;
    }
    // Every uncertain path of the default, collapsed to its base value (or a factor of 1).
    let params = l
        .uncertainty
        .params
        .iter()
        .map(|p| {
            let v = if p.scale {
                1.0
            } else {
                let sl = params::resolve(&base, &p.path).unwrap()[0];
                params::get(&base, sl)
            };
            uncertain(&p.path, Dist::point(v).unwrap(), p.scale)
        })
        .collect();
    let u = Uncertainty {
        params,
        correlation: l.uncertainty.correlation.clone(),
    };
    let plan = Plan::new(&base, &u, true).expect("plan");
    let det = payback_model::project(&base);
    let n = 40;
    for sampling in [Sampling::MonteCarlo, Sampling::LatinHypercube] {
        let d = plan.draw_block(42, 3, n, sampling);
        for i in 0..n {
            let mut s = base.clone();
            plan.apply(&mut s, &d, i);
            assert_eq!(s, base, "path {i} edited the scenario");
            assert_eq!(payback_model::project(&s), det, "path {i}");
        }
    }
    let cfg = Config {
        paths: 60,
        seed: 42,
        sampling: Sampling::MonteCarlo,
        threads: Some(2),
    };
    let r = simulate(&plan, &cfg, &mut NoProgress).unwrap().report();
    let npv = &r.outputs[0].stats;
    assert!(npv.values.iter().all(|v| *v == Some(det.summary.npv)));
}

#[test]
fn value_stability_seed_42() {
    let l = default_loaded();
    let plan = Plan::new(&l.scenario, &l.uncertainty, true).expect("plan");
    let d = plan.draw_block(42, 0, BLOCK_SIZE, Sampling::MonteCarlo);
    let k = plan.inputs.len();
    let first: Vec<Vec<f64>> = (0..3)
        .map(|i| d.values[i * k..i * k + 4].to_vec())
        .collect();
    // The first four inputs (market margin, price decline, ref-hours factor, future unit-cost
    // factor) of the first three paths: a change here changes every published run.
    let pinned: Vec<Vec<f64>> = vec![PIN0.to_vec(), PIN1.to_vec(), PIN2.to_vec()];
    assert_eq!(first, pinned, "the seed-42 stream changed");
    let cfg = Config {
        paths: BLOCK_SIZE as u64,
        seed: 42,
        sampling: Sampling::MonteCarlo,
        threads: None,
    };
    let r = simulate(&plan, &cfg, &mut NoProgress).unwrap().report();
    let q: Vec<String> = r
        .payback_p10_p50_p90
        .iter()
        .map(|q| q.map_or("never".into(), |q| q.to_string()))
        .collect();
    assert_eq!(q, PIN_PAYBACK, "P10/P50/P90 payback quarters for seed 42");
}

const PIN0: [f64; 4] = [
    0.18637079212960966,
    0.5827341176441427,
    1.7226669895003288,
    1.0247387486174382,
];
const PIN1: [f64; 4] = [
    0.2699606023418587,
    0.42459939685013165,
    0.9269668204511285,
    0.9063919335075055,
];
const PIN2: [f64; 4] = [
    0.2512530434028728,
    0.49743492007038703,
    1.1861573242941559,
    0.9686453850124179,
];
const PIN_PAYBACK: [&str; 3] = ["2033Q4", "2035Q3", "never"];

#[test]
fn percentile_type7_matches_excel() {
    // Excel PERCENTILE.INC({1,2,3,4}, p) and ({15,20,35,40,50}, p).
    let a = [1.0, 2.0, 3.0, 4.0];
    assert_eq!(percentile_type7(&a, 0.1), Some(1.3));
    assert_eq!(percentile_type7(&a, 0.5), Some(2.5));
    assert!((percentile_type7(&a, 0.9).unwrap() - 3.7).abs() < 1e-15);
    let b = [15.0, 20.0, 35.0, 40.0, 50.0];
    assert_eq!(percentile_type7(&b, 0.4), Some(29.0));
    assert_eq!(percentile_type7(&b, 0.05), Some(16.0));
    assert_eq!(percentile_type7(&b, 1.0), Some(50.0));
    assert_eq!(percentile_type7(&b, 0.0), Some(15.0));
    assert_eq!(percentile_type7(&[], 0.5), None);
}

#[test]
fn sketch_percentiles_stay_within_their_bound() {
    let d = Dist::lognormal_mean_sd(100.0, 40.0).unwrap();
    let xs: Vec<f64> = (0..50_000)
        .map(|i| d.quantile((i as f64 * 0.618_034).fract()))
        .collect();
    let mut exact = Acc::exact();
    let mut sketch = Acc::sketch(&xs[..1024]);
    for &x in &xs {
        exact.push(x);
        sketch.push(x);
    }
    let ps = [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99];
    let e = exact.percentiles(&ps);
    let s = sketch.percentiles(&ps);
    assert!(s.approximate && !e.approximate);
    for (k, p) in ps.iter().enumerate() {
        let (a, b) = (e.values[k].unwrap(), s.values[k].unwrap());
        assert!(
            (a - b).abs() <= s.error_bound[k] + 1e-9,
            "p {p}: {a} vs {b} ± {}",
            s.error_bound[k]
        );
    }
    // Merging sketches is exact: two halves give the same counts as the whole.
    let mut h1 = Acc::sketch(&xs[..1024]);
    let mut h2 = Acc::sketch(&xs[..1024]);
    xs[..20_000].iter().for_each(|&x| h1.push(x));
    xs[20_000..].iter().for_each(|&x| h2.push(x));
    h1.merge(&h2);
    assert_eq!(h1.percentiles(&ps).values, s.values);
}

#[test]
fn overlays_add_and_replace_distributions() {
    let main = builtin::get("default").unwrap().source();
    let ov = SourceFile::new(
        "u.toml",
        "[uncertainty]\n\"agents.q\" = { dist = \"uniform\", min = 0.2, max = 0.3 }\n\"opex.rate\" = { dist = \"uniform\", min = 0.03, max = 0.05 }\n",
    );
    let l = load(&main, &[ov]).expect("loads");
    let n_base = default_loaded().uncertainty.params.len();
    assert_eq!(l.uncertainty.params.len(), n_base + 1);
    let q = l
        .uncertainty
        .params
        .iter()
        .find(|p| p.path == "agents.q")
        .unwrap();
    assert_eq!(q.dist, Dist::uniform(0.2, 0.3).unwrap());
    assert_eq!(q.origin.0, "u.toml");
}

/// The Monte Carlo loop reuses one scenario (`reset` then `apply`) and one workspace (the lean
/// `project_outcome`); both must give exactly what a fresh copy and a full projection give,
/// on every built-in scenario with its uncertainty, events included.
#[test]
fn reused_scenario_and_lean_projection_match_fresh_copies() {
    use payback_input::builtin::BuiltinKind;
    use payback_model::engine::{PathSeries, Workspace, project_outcome};
    use payback_sim::PathOutcome;
    let scenarios = builtin::all()
        .iter()
        .chain(builtin::companies())
        .filter(|b| b.kind == BuiltinKind::Scenario);
    let mut checked = 0;
    for b in scenarios {
        let l = load(&b.source(), &[]).expect("built-in loads");
        let plan = Plan::new(&l.scenario, &l.uncertainty, true).expect("plan");
        let n = 64;
        let d = plan.draw_block(9, 1, n, Sampling::MonteCarlo);
        let mut reused = l.scenario.clone();
        let mut ws = Workspace::default();
        for i in 0..n {
            plan.reset(&mut reused);
            plan.apply(&mut reused, &d, i);
            let mut fresh = l.scenario.clone();
            plan.apply(&mut fresh, &d, i);
            assert_eq!(reused, fresh, "{}: path {i}", b.name);
            let full = payback_model::project(&fresh);
            let lean = project_outcome(&reused, &mut ws);
            assert_eq!(
                PathOutcome::of_outcome(&lean, reused.scenario.start),
                PathOutcome::of(&full),
                "{}: path {i}",
                b.name
            );
            let last = |v: &[f64]| v.last().copied().unwrap_or(0.0);
            assert_eq!(
                ws.nbv_at_horizon(),
                (last(&full.q.nbv_accelerators), last(&full.q.nbv_facilities)),
                "{}: path {i}: book values at the horizon",
                b.name
            );
            let series = ws.series();
            for name in PathSeries::NAMES {
                let want = full.q.get(name);
                assert!(want.is_some(), "no series {name}");
                assert_eq!(series.get(name), want, "{}: path {i}: {name}", b.name);
            }
            checked += 1;
        }
    }
    assert!(checked >= 7 * 64, "only {checked} paths checked");
}

/// A run split across machines: parts of whole blocks, run separately and merged in block
/// order, report exactly what the whole run reports (means included).
#[test]
fn a_run_split_into_block_ranges_merges_into_the_whole_run() {
    use payback_sim::simulate_blocks;
    let l = default_loaded();
    let plan = Plan::new(&l.scenario, &l.uncertainty, true).expect("plan");
    let cfg = Config {
        paths: 5 * BLOCK_SIZE as u64 + 100,
        seed: 11,
        sampling: Sampling::LatinHypercube,
        threads: Some(2),
    };
    let whole = simulate(&plan, &cfg, &mut NoProgress).expect("runs");
    let part = |blocks| simulate_blocks(&plan, &cfg, blocks, &mut NoProgress).expect("runs");
    let mut merged = part(0..2);
    assert_eq!(merged.summary.paths, 2 * BLOCK_SIZE as u64);
    merged.merge(&part(2..5));
    merged.merge(&part(5..99));
    assert_eq!(merged.summary.paths, cfg.paths);
    assert_eq!(merged.report(), whole.report());
    // An empty range runs nothing.
    assert_eq!(part(7..9).summary.paths, 0);
}

/// The chunk runner folds every block once, in block order, whatever the thread count and
/// chunk size, and stops at the block where the fold breaks.
#[test]
fn chunks_fold_in_block_order_and_stop_where_the_fold_breaks() {
    use std::ops::ControlFlow::{Break, Continue};
    for threads in [1, 2, 3] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("pool");
        for chunk in [1, 2, 5, 40] {
            let mut seen = Vec::new();
            let stopped = payback_sim::run_chunks(
                &pool,
                3..20,
                chunk,
                |b| b * 10,
                |x| {
                    seen.push(x);
                    Continue(())
                },
            );
            assert!(!stopped);
            assert_eq!(seen, (3..20).map(|b| b * 10).collect::<Vec<_>>());

            let mut seen = Vec::new();
            let stopped = payback_sim::run_chunks(
                &pool,
                0..20,
                chunk,
                |b| b,
                |x| {
                    seen.push(x);
                    if x == 7 { Break(()) } else { Continue(()) }
                },
            );
            assert!(stopped, "threads {threads} chunk {chunk}");
            assert_eq!(seen, (0..=7).collect::<Vec<_>>());

            let stopped = payback_sim::run_chunks(&pool, 5..5, chunk, |b| b, |_| Break(()));
            assert!(!stopped, "an empty range folds nothing");
        }
    }
}

/// A sink that keeps every path.
#[derive(Default)]
struct KeepPaths(Vec<payback_sim::BlockPaths>);

impl payback_sim::SimSink for KeepPaths {
    fn block_done(&mut self, _: u64, _: u64) -> std::ops::ControlFlow<()> {
        std::ops::ControlFlow::Continue(())
    }
    fn wants_paths(&self) -> bool {
        true
    }
    fn block_paths(&mut self, p: &payback_sim::BlockPaths) -> std::ops::ControlFlow<()> {
        self.0.push(p.clone());
        std::ops::ControlFlow::Continue(())
    }
}

/// What a sink that wants every path receives is enough to rebuild each path by hand: the
/// base scenario with the inputs as drawn, each logged default cutting its counterparty's
/// contracts at the logged quarter, each logged renewal set, projects to the path's outcome;
/// `replay` gives the same scenario, inputs and events for one path alone. The run itself
/// reports as one whose sink keeps nothing.
#[test]
fn every_path_rebuilds_from_its_inputs_and_logged_events() {
    use payback_sim::EventOutcome;
    use payback_sim::sample::end_contract_at;
    let l = default_loaded();
    let plan = Plan::new(&l.scenario, &l.uncertainty, true).expect("plan");
    let cfg = Config {
        paths: BLOCK_SIZE as u64 + 300,
        seed: 21,
        sampling: Sampling::MonteCarlo,
        threads: Some(2),
    };
    let mut kept = KeepPaths::default();
    let with_paths = simulate(&plan, &cfg, &mut kept).expect("runs");
    let without = simulate(&plan, &cfg, &mut NoProgress).expect("runs");
    assert_eq!(with_paths.report(), without.report());
    assert_eq!(kept.0.len(), 2);
    assert_eq!(kept.0[1].first, BLOCK_SIZE as u64);
    let names = plan.event_names();
    let k = plan.inputs.len();
    let (mut defaults, mut renewals) = (0, 0);
    for b in &kept.0 {
        let e = b.events.len() / b.outcomes.len();
        assert_eq!(e, names.len());
        for (i, o) in b.outcomes.iter().enumerate() {
            let mut s = plan.base.clone();
            plan.apply_values(&mut s, &b.inputs[i * k..(i + 1) * k]);
            for c in &mut s.counterparties {
                c.hazard = 0.0;
            }
            for (name, ev) in names.iter().zip(&b.events[i * e..(i + 1) * e]) {
                match (ev, name.split_once(':')) {
                    (EventOutcome::Renewal(r), Some(("renews", contract))) => {
                        let c = s.contracts.iter_mut().find(|c| c.name == contract).unwrap();
                        c.renewal_prob = if *r { 1.0 } else { 0.0 };
                        renewals += usize::from(*r);
                    }
                    (EventOutcome::Default(q), Some(("default", id))) => {
                        let Some(q) = q else { continue };
                        let cp = s.counterparties.iter().position(|c| c.id == id).unwrap();
                        let ours: Vec<usize> = (0..s.contracts.len())
                            .filter(|&c| s.contracts[c].counterparty == Some(cp))
                            .collect();
                        for c in ours {
                            end_contract_at(&mut s, c, *q);
                        }
                        defaults += 1;
                    }
                    other => panic!("event {name}: {other:?}"),
                }
            }
            let rebuilt = payback_sim::PathOutcome::of(&payback_model::project(&s));
            assert_eq!(&rebuilt, o, "path {}", b.first + i as u64);
            // `replay` rebuilds a path on its own, as drawn in the run.
            let path = b.first + i as u64;
            if path.is_multiple_of(97) || path + 1 == cfg.paths {
                let r = payback_sim::replay(&plan, &cfg, path).expect("in the run");
                assert_eq!(r.scenario, s, "path {path}");
                assert_eq!(r.inputs, b.inputs[i * k..(i + 1) * k], "path {path}");
                assert_eq!(r.events, b.events[i * e..(i + 1) * e], "path {path}");
            }
        }
    }
    assert!(payback_sim::replay(&plan, &cfg, cfg.paths).is_none());
    // Both kinds of event happen on some paths but not all.
    let n = cfg.paths as usize;
    assert!(defaults > 0 && defaults < n, "{defaults} defaults");
    assert!(renewals > 0 && renewals < 2 * n, "{renewals} renewals");
}
