//! What users wait for: one deterministic projection of the built-in default scenario, and
//! the same with the bear overlay. Results and the machine are recorded in
//! docs/performance.md.

use payback_input::{SourceFile, builtin, load};
use payback_model::Scenario;

fn main() {
    divan::main();
}

fn builtin_scenario(overlays: &[&str]) -> Scenario {
    let file = |name: &str| {
        let b = builtin::get(name).expect("built-in exists");
        SourceFile {
            name: format!("builtin:{name}"),
            text: b.text.to_string(),
        }
    };
    let overlays: Vec<SourceFile> = overlays.iter().map(|o| file(o)).collect();
    match load(&file("default"), &overlays) {
        Ok(l) => l.scenario,
        Err(e) => panic!("the built-in scenario loads: {e:?}"),
    }
}

/// One projection of the default scenario (base).
#[divan::bench]
fn project_default(bencher: divan::Bencher) {
    let s = builtin_scenario(&[]);
    bencher.bench(|| payback_model::project(divan::black_box(&s)));
}

/// The Monte Carlo path's projection of the default scenario: headline figures only, with a
/// workspace reused across iterations as a block of paths reuses it.
#[divan::bench]
fn project_outcome_default(bencher: divan::Bencher) {
    let s = builtin_scenario(&[]);
    let mut ws = payback_model::engine::Workspace::default();
    bencher.bench_local(|| payback_model::engine::project_outcome(divan::black_box(&s), &mut ws));
}

/// One projection of the default scenario with the bear overlay.
#[divan::bench]
fn project_default_bear(bencher: divan::Bencher) {
    let s = builtin_scenario(&["bear"]);
    bencher.bench(|| payback_model::project(divan::black_box(&s)));
}

/// Parsing and validating the default scenario with both overlays' worth of work.
#[divan::bench]
fn load_default(bencher: divan::Bencher) {
    let b = builtin::get("default").expect("built-in exists");
    let main = SourceFile {
        name: "builtin:default".into(),
        text: b.text.to_string(),
    };
    bencher.bench(|| load(divan::black_box(&main), &[]).is_ok());
}
