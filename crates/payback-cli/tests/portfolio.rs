//! `payback run portfolio.toml`: detection, the side-by-side table, the industry and the
//! cross-checks; misuse is a usage error (exit 2), never a panic.

use std::process::Command;

fn payback(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_payback"))
        .args(args)
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .env("COLUMNS", "250")
        .output()
        .expect("payback runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_portfolio_file_prints_companies_side_by_side_and_the_industry() {
    let (code, out, err) = payback(&["run", "examples/portfolios/big-tech.toml"]);
    assert_eq!(code, 0, "{err}");
    for want in [
        "Side by side",
        "Microsoft",
        "CoreWeave",
        "Industry",
        "Payback (programme)",
        "Peak funding need",
        "End-customer revenue",
        "OpenAI (openai): commitments",
        "Sequoia: needed (x2 x2)",
        "ROIC: revenue for 20.0% ROIC",
    ] {
        assert!(out.contains(want), "missing `{want}` in:\n{out}");
    }
    assert!(
        !out.split_whitespace().any(|w| w.contains("NaN")
            || w.trim_start_matches(['-', '$']).starts_with("inf") && !w.starts_with("inference")),
        "{out}"
    );
}

#[test]
fn bull_and_bear_portfolios_run() {
    for f in [
        "examples/portfolios/big-tech-bull.toml",
        "examples/portfolios/big-tech-bear.toml",
    ] {
        let (code, out, err) = payback(&["run", f]);
        assert_eq!(code, 0, "{f}: {err}");
        assert!(out.contains("Industry"));
    }
}

#[test]
fn company_built_ins_run_by_name() {
    let (code, out, err) = payback(&["run", "oracle", "--overlay", "oracle-bear"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("Oracle"));
}

#[test]
fn overlays_and_other_formats_are_usage_errors_for_a_portfolio() {
    let (code, _, err) = payback(&[
        "run",
        "examples/portfolios/big-tech.toml",
        "--overlay",
        "bull",
    ]);
    assert_eq!(code, 2, "{err}");
    let (code, _, err) = payback(&[
        "run",
        "examples/portfolios/big-tech.toml",
        "--format",
        "json",
    ]);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn a_broken_portfolio_is_an_input_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path().join("p.toml");
    std::fs::write(
        &p,
        "[portfolio]\nname = \"x\"\n[[companies]]\nid = \"a\"\nscenario = \"no-such\"\n",
    )
    .expect("write");
    let (code, _, err) = payback(&["run", p.to_str().expect("utf-8")]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("no-such"), "{err}");
}
