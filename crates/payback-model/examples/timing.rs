//! Rough timing of one projection (the benchmark proper lives in benches/).
#[path = "../tests/common/mod.rs"]
mod common;
fn main() {
    let s = common::representative();
    let n: usize = std::env::args().nth(1).map_or(2000, |a| a.parse().unwrap());
    let t0 = std::time::Instant::now();
    let mut acc = 0.0;
    for _ in 0..n {
        acc += payback_model::project(&s).summary.npv;
    }
    println!(
        "{:.1} us per run ({acc:.0})",
        t0.elapsed().as_secs_f64() * 1e6 / n as f64
    );
}
