//! `payback report`: the files it writes, byte-identical on a second run, and nothing written
//! on bad input.

use std::path::Path;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_payback");

fn payback(dir: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .current_dir(dir)
        .args(args)
        .env_remove("COLUMNS")
        .output()
        .unwrap()
}

/// Every file under `dir`, relative, sorted, with its bytes.
fn tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.push((rel, std::fs::read(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn writes_every_file_and_the_same_bytes_twice() {
    let tmp = tempfile::tempdir().unwrap();
    let out = payback(tmp.path(), &["report", "--out", "rep", "--paths", "300"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let first = tree(&tmp.path().join("rep"));
    let names: Vec<&str> = first.iter().map(|(n, _)| n.as_str()).collect();
    for want in [
        "report.html",
        "workbook.xlsx",
        "quarterly.csv",
        "annual.csv",
        "summary.json",
        "charts/jcurve.svg",
        "charts/jcurve.png",
        "charts/flywheel.png",
        "charts/capacity.png",
        "charts/rpo.png",
        "charts/tokens.png",
        "charts/depreciation.png",
        "charts/vintages.png",
        "charts/fan.png",
        "charts/payback_probability.png",
        "charts/tornado.png",
    ] {
        assert!(names.contains(&want), "no {want} in {names:?}");
    }
    assert!(
        !names.iter().any(|n| n.ends_with(".tmp")),
        "a temporary file was left: {names:?}"
    );
    let json: serde_json::Value =
        serde_json::from_slice(&first.iter().find(|(n, _)| n == "summary.json").unwrap().1)
            .unwrap();
    let labels: Vec<&str> = json["runs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["base", "base+bull", "base+bear"]);
    let html = String::from_utf8(
        first
            .iter()
            .find(|(n, _)| n == "report.html")
            .unwrap()
            .1
            .clone(),
    )
    .unwrap();
    assert!(html.contains("Probability of payback by the end of each year"));
    // A second run replaces every file with the same bytes, and a file of the user's stays.
    std::fs::write(tmp.path().join("rep/mine.txt"), "keep").unwrap();
    let again = payback(tmp.path(), &["report", "--out", "rep", "--paths", "300"]);
    assert!(again.status.success());
    let second = tree(&tmp.path().join("rep"));
    let without_mine: Vec<_> = second
        .iter()
        .filter(|(n, _)| n != "mine.txt")
        .cloned()
        .collect();
    assert_eq!(first, without_mine, "the report is not deterministic");
    assert!(second.iter().any(|(n, b)| n == "mine.txt" && b == b"keep"));
}

#[test]
fn compare_adds_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let out = payback(
        tmp.path(),
        &[
            "report",
            "default",
            "--compare",
            "bull",
            "--compare",
            "bear",
            "--no-simulation",
            "--out",
            "rep",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(tmp.path().join("rep/summary.json")).unwrap())
            .unwrap();
    let runs = json["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 3);
    assert_eq!(runs[1]["overlays"][0], "bull");
    let html = std::fs::read_to_string(tmp.path().join("rep/report.html")).unwrap();
    assert!(!html.contains("Probability of payback by the end of each year"));
}

#[test]
fn bad_input_fails_like_run_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("bad.toml"), "[scenario]\nname = \n").unwrap();
    let run = payback(tmp.path(), &["run", "bad.toml"]);
    // A DIR that exists keeps exactly what it had.
    std::fs::create_dir(tmp.path().join("rep")).unwrap();
    std::fs::write(tmp.path().join("rep/old.txt"), "old").unwrap();
    let rep = payback(tmp.path(), &["report", "bad.toml", "--out", "rep"]);
    assert_eq!(rep.status.code(), Some(2));
    assert_eq!(run.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&rep.stderr),
        String::from_utf8_lossy(&run.stderr),
        "report and run report bad input differently"
    );
    assert_eq!(
        tree(&tmp.path().join("rep")),
        [("old.txt".to_string(), b"old".to_vec())]
    );
    // A DIR that does not exist is not created.
    let rep = payback(tmp.path(), &["report", "bad.toml", "--out", "new"]);
    assert_eq!(rep.status.code(), Some(2));
    assert!(!tmp.path().join("new").exists());
    // An unknown overlay, and --out naming a file.
    let rep = payback(tmp.path(), &["report", "--overlay", "nope", "--out", "new"]);
    assert_eq!(rep.status.code(), Some(2));
    assert!(!tmp.path().join("new").exists());
    let rep = payback(tmp.path(), &["report", "--out", "bad.toml"]);
    assert_eq!(rep.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&rep.stderr).contains("is not a directory"));
}
