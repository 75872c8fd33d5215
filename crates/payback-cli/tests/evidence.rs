//! `payback evidence` end to end, each test with its own temporary database.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};

use common::{BIN, ok, root, run_in as run};

fn traps() -> String {
    root()
        .join("crates/payback-evidence/tests/data/companyfacts-traps.json")
        .display()
        .to_string()
}

fn example() -> String {
    root()
        .join("examples/evidence/observations.csv")
        .display()
        .to_string()
}

fn list_json(dir: &Path) -> Vec<serde_json::Value> {
    let out = ok(&run(
        dir,
        &[
            "evidence", "--db", "e.db", "list", "--all", "--format", "json",
        ],
    ));
    serde_json::from_str::<Vec<serde_json::Value>>(&out).unwrap()
}

#[test]
fn import_sec_is_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let first = ok(&run(
        dir.path(),
        &["evidence", "--db", "e.db", "import-sec", &traps()],
    ));
    assert!(
        first.contains("23 observations: 23 added, 0 already stored, 2 revisions"),
        "{first}"
    );
    assert!(first.contains("company TRAP CO (CIK 12345)"), "{first}");
    let again = ok(&run(
        dir.path(),
        &["evidence", "--db", "e.db", "import-sec", &traps()],
    ));
    assert!(again.contains("0 added, 23 already stored"), "{again}");
    assert_eq!(list_json(dir.path()).len(), 23);
    let current = ok(&run(
        dir.path(),
        &[
            "evidence",
            "--db",
            "e.db",
            "list",
            "--company",
            "trap",
            "--signal",
            "rpo",
        ],
    ));
    // Header plus three current balances (the superseded 7000 is hidden without --all).
    assert_eq!(current.lines().count(), 4, "{current}");
    assert!(current.contains("[revises #"), "{current}");
}

#[test]
fn a_bad_csv_is_rejected_whole_and_nothing_changes() {
    let dir = tempfile::tempdir().unwrap();
    ok(&run(
        dir.path(),
        &["evidence", "--db", "e.db", "add", &example()],
    ));
    let before = list_json(dir.path());
    assert_eq!(before.len(), 8);
    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "company,signal,value,end,kind,source,recorded\n\
         Other,rpo,1e9,2026-03-31,reported,x,2026-04-01\n\
         Other,rpo,lots,2026-06-30,reported,x,2026-07-01\n",
    )
    .unwrap();
    let out = run(dir.path(), &["evidence", "--db", "e.db", "add", "bad.csv"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bad.csv: row 2 (line 3): `value` is not a number"),
        "{err}"
    );
    assert_eq!(list_json(dir.path()), before);
}

#[test]
fn score_prints_a_scorecard_and_json() {
    let dir = tempfile::tempdir().unwrap();
    ok(&run(
        dir.path(),
        &["evidence", "--db", "e.db", "add", &example()],
    ));
    let text = ok(&run(
        dir.path(),
        &[
            "evidence",
            "--db",
            "e.db",
            "score",
            "--company",
            "example cloud",
            "--ai-share",
            "rpo=0.4",
            "--ai-share",
            "capex=0.8",
        ],
    ));
    for needle in [
        "Scenario weights",
        "P(payback by 2030Q4)",
        "Contracts & backlog (2026)",
        "Enterprise inference in FCF (2027+)",
        "not compared: the model has no lab_cash_burn series",
    ] {
        assert!(text.contains(needle), "{needle} missing in\n{text}");
    }
    let json = ok(&run(
        dir.path(),
        &[
            "evidence",
            "--db",
            "e.db",
            "score",
            "--company",
            "Example Cloud",
            "--ai-share",
            "rpo=0.4",
            "--format",
            "json",
        ],
    ));
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let scenarios = v["scorecard"]["scenarios"].as_array().unwrap();
    assert_eq!(scenarios.len(), 3);
    let total: f64 = scenarios
        .iter()
        .map(|s| s["posterior"].as_f64().unwrap())
        .sum();
    assert!((total - 1.0).abs() < 1e-12);
    assert_eq!(v["scorecard"]["stages"].as_array().unwrap().len(), 3);
    // Unknown company, bad share, wrong number of priors.
    let none = run(
        dir.path(),
        &["evidence", "--db", "e.db", "score", "--company", "Nobody"],
    );
    assert_eq!(none.status.code(), Some(2));
    let bad = run(
        dir.path(),
        &[
            "evidence",
            "--db",
            "e.db",
            "score",
            "--company",
            "Example Cloud",
            "--ai-share",
            "rpo=1.5",
        ],
    );
    assert_eq!(bad.status.code(), Some(2));
    let priors = run(
        dir.path(),
        &[
            "evidence",
            "--db",
            "e.db",
            "score",
            "--company",
            "Example Cloud",
            "--prior",
            "1",
        ],
    );
    assert_eq!(priors.status.code(), Some(2));
}

#[test]
fn the_default_database_is_in_the_data_directory() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(BIN)
        .args(["evidence", "add", &example()])
        .env_clear()
        .env("XDG_DATA_HOME", dir.path().join("xdg"))
        .stdin(Stdio::null())
        .output()
        .unwrap();
    ok(&out);
    assert!(dir.path().join("xdg/payback/evidence.db").is_file());
}
