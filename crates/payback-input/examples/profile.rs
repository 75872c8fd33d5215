//! Runs the built-in default projection N times (for callgrind and rough timing).
use payback_input::{SourceFile, builtin, load};
fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .map_or(1000, |a| a.parse().unwrap_or(1000));
    let b = builtin::get("default").expect("built-in");
    let s = load(&SourceFile::new("default", b.text.to_string()), &[])
        .expect("loads")
        .scenario;
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
