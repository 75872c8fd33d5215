//! Annotated fixtures: every file in `tests/invalid/` must produce exactly the diagnostics its
//! `# error[CODE]: message` comments announce, on the lines they sit on; every code has one.
//! Every file in `tests/valid/` (and `examples/scenarios/`) must load without diagnostics.

use std::collections::BTreeSet;
use std::path::PathBuf;

use payback_input::codes;

use crate::{dir, source};

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Expected {
    file: String,
    line: usize,
    severity: String,
    code: String,
    message: String,
}

/// `# error[P0301]: message` (or `# warning[...]`) anywhere on a line.
fn annotations(file: &payback_input::SourceFile) -> Vec<Expected> {
    let mut out = Vec::new();
    for (i, line) in file.text.lines().enumerate() {
        for sev in ["error", "warning"] {
            let marker = format!("# {sev}[");
            let Some(at) = line.find(&marker) else {
                continue;
            };
            let rest = &line[at + marker.len()..];
            let Some((code, msg)) = rest.split_once("]:") else {
                continue;
            };
            out.push(Expected {
                file: file.name.clone(),
                line: i + 1,
                severity: sev.to_string(),
                code: code.to_string(),
                message: msg.trim().to_string(),
            });
        }
    }
    out
}

fn invalid_fixtures() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir("invalid"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.extension().is_some_and(|e| e == "toml")
                && !p.to_string_lossy().ends_with(".overlay.toml")
        })
        .collect();
    v.sort();
    v
}

#[test]
fn invalid_fixtures_report_their_annotated_diagnostics() {
    let mut failures = String::new();
    for path in invalid_fixtures() {
        let main = source(&path);
        let ov_path = PathBuf::from(path.to_string_lossy().replace(".toml", ".overlay.toml"));
        let overlays: Vec<_> = if ov_path.exists() {
            vec![source(&ov_path)]
        } else {
            vec![]
        };
        let mut expected: Vec<Expected> = annotations(&main);
        for o in &overlays {
            expected.extend(annotations(o));
        }
        assert!(
            !expected.is_empty(),
            "{} has no `# error[CODE]: message` annotation",
            main.name
        );
        let diags = match payback_input::load(&main, &overlays) {
            Ok(l) => l.warnings,
            Err(d) => d,
        };
        let mut unmatched: Vec<&payback_input::Diagnostic> = diags.iter().collect();
        for e in &expected {
            let pos = unmatched.iter().position(|d| {
                d.file == e.file
                    && d.line == e.line
                    && d.code.as_str() == e.code
                    && d.severity.to_string() == e.severity
                    && d.message.contains(&e.message)
            });
            match pos {
                Some(p) => {
                    unmatched.remove(p);
                }
                None => failures.push_str(&format!(
                    "{}:{}: expected {}[{}]: {}\n",
                    e.file, e.line, e.severity, e.code, e.message
                )),
            }
        }
        for d in unmatched {
            failures.push_str(&format!("unexpected: {d}\n"));
        }
    }
    assert!(failures.is_empty(), "fixture mismatches:\n{failures}");
}

#[test]
fn every_code_has_a_fixture() {
    let names: BTreeSet<String> = invalid_fixtures()
        .iter()
        .filter_map(|p| p.file_name()?.to_str().map(str::to_string))
        .collect();
    let missing: Vec<&str> = codes::all()
        .iter()
        .map(|c| c.as_str())
        .filter(|c| !names.iter().any(|n| n.starts_with(&format!("{c}-"))))
        .collect();
    assert!(
        missing.is_empty(),
        "codes without a fixture in tests/invalid/: {missing:?}"
    );
}

#[test]
fn no_forgotten_fixture_files() {
    for entry in std::fs::read_dir(dir("invalid")).unwrap() {
        let p = entry.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        assert!(
            name.ends_with(".toml"),
            "stray file in tests/invalid: {name}"
        );
        let code = name.split('-').next().unwrap_or("");
        assert!(
            codes::parse(code).is_some(),
            "{name} does not start with a known code"
        );
        if let Some(base) = name.strip_suffix(".overlay.toml") {
            assert!(
                dir("invalid").join(format!("{base}.toml")).exists(),
                "{name} has no base scenario"
            );
        }
    }
}

#[test]
fn valid_fixtures_load_without_diagnostics() {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir("valid"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    assert!(!paths.is_empty());
    for p in paths {
        let f = source(&p);
        match payback_input::load(&f, &[]) {
            Ok(l) => assert!(l.warnings.is_empty(), "{}: {:?}", f.name, l.warnings),
            Err(d) => panic!(
                "{} failed:\n{}",
                f.name,
                d.iter().map(|d| format!("  {d}\n")).collect::<String>()
            ),
        }
    }
}

#[test]
fn builtins_load_alone_and_with_each_overlay() {
    let builtins = payback_input::builtin::all();
    let Some(main) = builtins
        .iter()
        .find(|b| b.kind == payback_input::builtin::BuiltinKind::Scenario)
    else {
        // examples/scenarios/ not written yet (see build.rs).
        return;
    };
    let show = |d: Vec<payback_input::Diagnostic>| {
        d.iter().map(|d| format!("  {d}\n")).collect::<String>()
    };
    match payback_input::load(&main.source(), &[]) {
        Ok(l) => assert!(l.warnings.is_empty(), "{}", show(l.warnings)),
        Err(d) => panic!("{} failed:\n{}", main.name, show(d)),
    }
    for ov in builtins
        .iter()
        .filter(|b| b.kind == payback_input::builtin::BuiltinKind::Overlay)
    {
        if let Err(d) = payback_input::load(&main.source(), &[ov.source()]) {
            panic!("{} + {} failed:\n{}", main.name, ov.name, show(d));
        }
    }
}

#[test]
fn every_code_has_a_catalogue_example() {
    for c in codes::all() {
        let (stem, text) = c
            .example()
            .unwrap_or_else(|| panic!("{c} has no example in codes.rs EXAMPLES"));
        assert!(
            dir("invalid").join(format!("{stem}.toml")).exists(),
            "{stem}"
        );
        assert!(text.contains(&format!("[{c}]")), "{c}: {text}");
    }
}
