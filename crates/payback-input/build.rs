//! Enables the built-in scenarios (`cfg(payback_examples)`) once `examples/scenarios/` holds
//! `default.toml`, `bull.toml` and `bear.toml`, so the crate builds while they are being written.
//! Delete this file (and the cfg in `src/builtin.rs`) once the examples are committed.

fn main() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/scenarios");
    println!("cargo::rustc-check-cfg=cfg(payback_examples)");
    println!("cargo::rerun-if-changed={dir}");
    let all = ["default.toml", "bull.toml", "bear.toml"].iter().all(|f| std::path::Path::new(dir).join(f).is_file());
    if all {
        println!("cargo::rustc-cfg=payback_examples");
    }
}
