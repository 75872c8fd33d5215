//! The built-in scenario and every overlay combination load without warnings and project to
//! figures that satisfy the model's accounting identities in every quarter.

use payback_input::{SourceFile, builtin, load};
use payback_model::{audit::audit, project};

fn file(name: &str) -> SourceFile {
    let b = builtin::get(name).expect("built-in exists");
    SourceFile::new(format!("builtin:{name}"), b.text.to_string())
}

#[test]
fn every_builtin_combination_satisfies_the_identities() {
    let combos: [&[&str]; 5] = [
        &[],
        &["bull"],
        &["bear"],
        &["bull", "bear"],
        &["bear", "bull"],
    ];
    for overlays in combos {
        let ov: Vec<SourceFile> = overlays.iter().map(|o| file(o)).collect();
        let loaded = match load(&file("default"), &ov) {
            Ok(l) => l,
            Err(e) => panic!("default + {overlays:?}: {e:?}"),
        };
        assert!(
            loaded.warnings.is_empty(),
            "{overlays:?}: {:?}",
            loaded.warnings
        );
        let p = project(&loaded.scenario);
        if let Err(e) = audit(&p) {
            panic!("default + {overlays:?}: {e}");
        }
    }
}

#[test]
fn overlay_order_matters_only_where_both_touch_a_path() {
    // bull then bear and bear then bull differ (later wins), and both differ from base.
    let base = project(&load(&file("default"), &[]).unwrap().scenario);
    let bb = project(
        &load(&file("default"), &[file("bull"), file("bear")])
            .unwrap()
            .scenario,
    );
    let bb2 = project(
        &load(&file("default"), &[file("bear"), file("bull")])
            .unwrap()
            .scenario,
    );
    assert_ne!(base.summary.npv, bb.summary.npv);
    assert_ne!(bb.summary.npv, bb2.summary.npv);
}
