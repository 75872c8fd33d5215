//! The charts of the built-in default scenario: structure of the SVG, PNGs that decode.

mod common;

use payback_report::charts::{self, model};

#[test]
fn preview() {
    let done = common::default_three();
    let runs = common::runs(&done);
    let all = model::all(&runs).unwrap();
    let dir = common::preview_dir("charts");
    for (name, bytes) in charts::files(&all).unwrap() {
        let path = dir.join(name.trim_start_matches("charts/"));
        std::fs::write(path, bytes).unwrap();
    }
}
