//! Runs the built-in default projection N times (for callgrind and rough timing):
//! `profile N` for the full projection, `profile N lean` for the Monte Carlo path's
//! `project_outcome` with a reused workspace.
use payback_input::{SourceFile, builtin, load};
fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .map_or(1000, |a| a.parse().unwrap_or(1000));
    let b = builtin::get("default").expect("built-in");
    let s = load(&SourceFile::new("default", b.text.to_string()), &[])
        .expect("loads")
        .scenario;
    let lean = std::env::args().nth(2).is_some_and(|a| a == "lean");
    let mut ws = payback_model::engine::Workspace::default();
    let t0 = std::time::Instant::now();
    let mut acc = 0.0;
    for _ in 0..n {
        acc += if lean {
            payback_model::engine::project_outcome(&s, &mut ws).npv
        } else {
            payback_model::project(&s).summary.npv
        };
    }
    println!(
        "{:.1} us per run ({acc:.0})",
        t0.elapsed().as_secs_f64() * 1e6 / n as f64
    );
}
