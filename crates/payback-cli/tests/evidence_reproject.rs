//! `payback evidence score`'s re-projection end to end: a scenario without uncertainty
//! (deterministic payback) and an alternative whose overlay makes the margin a coin toss
//! (Monte Carlo), mixed by their weights.

mod common;

use std::path::Path;

use common::{ok, root, run_in as run};

/// The built-in default scenario without its `[uncertainty]` and `[correlations]` tables.
fn certain_scenario() -> String {
    let text = std::fs::read_to_string(root().join("examples/scenarios/default.toml")).unwrap();
    let mut out = String::new();
    let mut skip = false;
    for line in text.lines() {
        // A table header starts the line (the matrix rows of [correlations] are indented).
        if line.starts_with('[') {
            let t = line.trim();
            skip = t == "[uncertainty]" || t == "[correlations]";
        }
        if !skip {
            out.push_str(line);
            out.push('\n');
        }
    }
    assert!(!out.contains("\n[uncertainty]") && !out.contains("\n[correlations]"));
    assert!(out.contains("\n[compute]"));
    out
}

/// An overlay whose only change is a margin of 0.25 (the base value) or 2.0, half and half.
const COIN: &str = r#"[overlay]
name = "coin"
[uncertainty]
"compute.market_margin" = { dist = "discrete", values = [0.25, 2.0], weights = [0.5, 0.5] }
"#;

#[test]
fn score_mixes_monte_carlo_and_deterministic_payback_by_the_weights() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("base.toml"), certain_scenario()).unwrap();
    std::fs::write(d.join("coin.toml"), COIN).unwrap();
    let csv =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/evidence/observations.csv");
    ok(&run(
        d,
        &[
            "evidence",
            "--db",
            "e.db",
            "add",
            &csv.display().to_string(),
        ],
    ));
    let by = "2033Q4";
    let score = |format: &str| {
        ok(&run(
            d,
            &[
                "evidence",
                "--db",
                "e.db",
                "score",
                "base.toml",
                "--overlay",
                "coin.toml",
                "--company",
                "Example Cloud",
                "--ai-share",
                "rpo=0.4",
                "--prior",
                "3",
                "--prior",
                "1",
                "--by",
                by,
                "--paths",
                "2000",
                "--seed",
                "42",
                "--format",
                format,
            ],
        ))
    };
    let v: serde_json::Value = serde_json::from_str(&score("json")).unwrap();
    let card = &v["scorecard"];
    let r = &card["reprojection"];
    let f = |x: &serde_json::Value| x.as_f64().unwrap();

    // The base has no uncertainty: its P(payback by) is 1 or 0 from its payback quarter.
    let base = &r["scenarios"][0];
    assert_eq!(base["label"], "base");
    assert_eq!(base["method"], "deterministic");
    assert_eq!(base["note"], "no [uncertainty]");
    let base_q = card["scenarios"][0]["payback_quarter"].as_str();
    let p_base = f(&base["p_by"]);
    let reached = base_q.is_some_and(|q| q <= by);
    assert_eq!(p_base, if reached { 1.0 } else { 0.0 }, "{base_q:?}");

    // The coin overlay is simulated; its P(payback by) is what `payback simulate` reports for
    // the same scenario, paths and seed at the end of 2033.
    let coin = &r["scenarios"][1];
    assert_eq!(coin["label"], "base+coin");
    assert_eq!(coin["method"], "monte-carlo");
    assert_eq!(coin["paths"], 2000);
    assert_eq!(coin["seed"], 42);
    let p_coin = f(&coin["p_by"]);
    let sim: serde_json::Value = serde_json::from_str(&ok(&run(
        d,
        &[
            "simulate",
            "base.toml",
            "--overlay",
            "coin.toml",
            "--paths",
            "2000",
            "--seed",
            "42",
            "--format",
            "json",
        ],
    )))
    .unwrap();
    let y2033 = sim["by_year"]
        .as_array()
        .unwrap()
        .iter()
        .find(|y| y["year"] == 2033)
        .unwrap();
    assert_eq!(p_coin, f(&y2033["probability"]));
    // Readable: the paths that drew the 2.0 margin (about half) pay back years earlier than
    // the base value's; counterparty defaults and renewals, drawn as events, move a few.
    assert!((0.3..0.7).contains(&p_coin), "{p_coin}");

    // The mixture: prior weights 3:1 = 0.75, 0.25; posterior weights from the evidence.
    let w: Vec<(f64, f64)> = card["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (f(&s["prior"]), f(&s["posterior"])))
        .collect();
    assert!((w[0].0 - 0.75).abs() < 1e-12);
    let prior = 0.75 * p_base + 0.25 * p_coin;
    let posterior = w[0].1 * p_base + w[1].1 * p_coin;
    assert!((f(&r["prior"]) - prior).abs() < 1e-12);
    assert!((f(&r["posterior"]) - posterior).abs() < 1e-12);
    let method = r["method"].as_str().unwrap();
    assert!(
        method.contains("Monte Carlo (2000 paths, seed 42) for base+coin"),
        "{method}"
    );
    assert!(
        method.contains("the deterministic payback quarter for base"),
        "{method}"
    );

    let text = score("table");
    for needle in [
        format!("P(payback by {by}) moved from {prior:.3}"),
        "(prior mixture) to ".into(),
        format!("{posterior:.3}"),
        "(posterior mixture)".into(),
        "deterministic: no [uncertainty]".into(),
        "Monte Carlo, 2000 paths, seed 42".into(),
    ] {
        assert!(text.contains(&needle), "`{needle}` missing in\n{text}");
    }

    // --paths 0 is a usage error.
    let out = run(
        d,
        &[
            "evidence",
            "--db",
            "e.db",
            "score",
            "--company",
            "Example Cloud",
            "--paths",
            "0",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
}
