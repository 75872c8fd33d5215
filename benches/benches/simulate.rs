//! Monte Carlo throughput on the built-in default scenario (13 uncertain parameters, three
//! correlated, default and renewal events): 4096 paths (four blocks) at 1 and 2 threads,
//! and the sampling alone. Paths per second = 4096 / time. Results in docs/simulation.md.

use payback_input::{builtin, load};
use payback_sim::{BLOCK_SIZE, Config, NoProgress, Plan, Sampling, simulate};

fn main() {
    divan::main();
}

fn plan() -> Plan {
    let main = builtin::get("default").expect("built-in default").source();
    let l = load(&main, &[]).expect("the default loads");
    Plan::new(&l.scenario, &l.uncertainty, true).expect("plan")
}

const PATHS: u64 = 4 * BLOCK_SIZE as u64;

/// 4096 paths, plain Monte Carlo, at 1 and 2 threads.
#[divan::bench(args = [1, 2], sample_count = 5, sample_size = 1)]
fn simulate_4096_paths(bencher: divan::Bencher, threads: usize) {
    let plan = plan();
    let cfg = Config {
        paths: PATHS,
        seed: 42,
        sampling: Sampling::MonteCarlo,
        threads: Some(threads),
    };
    bencher
        .counter(divan::counter::ItemsCount::new(PATHS))
        .bench(|| simulate(&plan, &cfg, &mut NoProgress));
}

/// 4096 paths, Latin hypercube, 2 threads.
#[divan::bench(sample_count = 5, sample_size = 1)]
fn simulate_4096_paths_lhs(bencher: divan::Bencher) {
    let plan = plan();
    let cfg = Config {
        paths: PATHS,
        seed: 42,
        sampling: Sampling::LatinHypercube,
        threads: Some(2),
    };
    bencher
        .counter(divan::counter::ItemsCount::new(PATHS))
        .bench(|| simulate(&plan, &cfg, &mut NoProgress));
}

/// Drawing one block (uniforms, quantiles, Iman–Conover, events) without projecting.
#[divan::bench]
fn draw_one_block(bencher: divan::Bencher) {
    let plan = plan();
    bencher
        .counter(divan::counter::ItemsCount::new(BLOCK_SIZE))
        .bench(|| plan.draw_block(42, 1, BLOCK_SIZE, Sampling::MonteCarlo));
}
