//! `payback sensitivity` and `payback solve` as a user sees them: snapshots of the tornado,
//! grid, bridge and goal-seek tables on the built-in default (re-bless with
//! `INSTA_UPDATE=always cargo test -p payback-cli --test sensitivity` and review), the
//! top-down rules reproduced exactly, exit code 1 when no value meets a target, and thread
//! counts changing nothing.

use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_payback");

fn payback(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env_clear()
        .env("COLUMNS", "120")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .expect("the payback binary runs")
}

fn stdout(o: &Output) -> String {
    assert!(
        o.status.success(),
        "exit {:?}: {}",
        o.status,
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        o.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn json(o: &Output) -> serde_json::Value {
    serde_json::from_str(&stdout(o)).expect("valid JSON")
}

#[test]
fn tornado_default() {
    insta::assert_snapshot!(stdout(&payback(&["sensitivity"])));
}

#[test]
fn tornado_listed_paths_with_swing_csv() {
    let out = stdout(&payback(&[
        "sensitivity",
        "--params",
        "compute.market_margin,opex.rate",
        "--swing",
        "20",
        "--format",
        "csv",
    ]));
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 4, "{out}");
    assert!(lines[0].starts_with("kind,path,source"));
    assert!(lines[1].starts_with("base,"));
    assert!(out.contains("one_at_a_time,opex.rate,±20 % of base,true,0.8,1,1.2,"));
    // Without --swing a path with no distribution is a usage error.
    let o = payback(&["sensitivity", "--params", "opex.rate"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--swing"));
}

#[test]
fn grid_life_by_margin() {
    insta::assert_snapshot!(stdout(&payback(&[
        "sensitivity",
        "--grid",
        "generations.*.economic_life_years=4:8:3",
        "--grid",
        "compute.market_margin=0.1:0.4:4",
    ])));
}

#[test]
fn bridge_default_to_bear() {
    insta::assert_snapshot!(stdout(&payback(&["sensitivity", "--bridge", "bear"])));
}

#[test]
fn bridge_csv_steps_sum_to_total() {
    let out = stdout(&payback(&[
        "sensitivity",
        "--bridge",
        "bear",
        "--format",
        "csv",
    ]));
    let rows: Vec<Vec<&str>> = out
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    let total_row = rows.last().expect("total row");
    assert_eq!(total_row[0], "total");
    let total: f64 = total_row[3].parse().expect("number");
    // Steps: labels may hold commas only inside quotes; bear's labels have none.
    let sum: f64 = rows[1..rows.len() - 1]
        .iter()
        .map(|r| r[3].parse::<f64>().expect("number"))
        .sum();
    assert!((sum - total).abs() < 1.0, "{sum} vs {total}");
}

#[test]
fn ensemble_is_thread_independent() {
    let args = [
        "sensitivity",
        "--ensemble",
        "--paths",
        "150",
        "--seed",
        "3",
        "--format",
        "json",
    ];
    let one = stdout(&payback(&[&args[..], &["--threads", "1"]].concat()));
    let two = stdout(&payback(&[&args[..], &["--threads", "2"]].concat()));
    assert_eq!(one, two);
    let v: serde_json::Value = serde_json::from_str(&one).expect("JSON");
    assert_eq!(v["schema"], "payback-sensitivity/1");
    assert_eq!(v["kind"], "ensemble");
    assert_eq!(v["result"]["paths"], 150);
    assert_eq!(v["result"]["rows"][0]["top"]["paths"], 30);
}

#[test]
fn sobol_csv_small() {
    let out = stdout(&payback(&[
        "sensitivity",
        "--sobol",
        "8",
        "--bootstrap",
        "10",
        "--format",
        "csv",
    ]));
    let n_inputs = 13;
    // 3 outputs x inputs x 2 orders + header.
    assert_eq!(out.lines().count(), 1 + 3 * n_inputs * 2, "{out}");
    for line in out.lines().skip(1) {
        for field in line.split(',').skip(3).filter(|f| !f.is_empty()) {
            let x: f64 = field.parse().expect("a number");
            assert!(x.is_finite(), "{line}");
        }
    }
}

#[test]
fn one_kind_per_run() {
    let o = payback(&["sensitivity", "--ensemble", "--sobol", "8"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn solve_npv_zero() {
    insta::assert_snapshot!(stdout(&payback(&[
        "solve",
        "--vary",
        "compute.market_margin",
        "--target",
        "npv = 0",
    ])));
}

#[test]
fn solve_payback_boundary_json() {
    let v = json(&payback(&[
        "solve",
        "--vary",
        "compute.market_margin",
        "--target",
        "payback <= 2033Q4",
        "--format",
        "json",
    ]));
    let r = &v["result"];
    assert_eq!(r["status"], "found");
    assert_eq!(r["at_value"]["payback"], "2033Q4");
    assert_eq!(r["across"][1]["payback"], "2034Q1");
    assert_eq!(r["side"], "least");
}

#[test]
fn solve_unreachable_target_exits_1() {
    let o = payback(&[
        "solve",
        "--vary",
        "compute.market_margin",
        "--target",
        "payback <= 2025Q1",
        "--hi",
        "0.9",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("no value of `compute.market_margin` in [0, 0.9]"),
        "{out}"
    );
    // A bad target is a usage error (2).
    let o = payback(&[
        "solve",
        "--vary",
        "compute.market_margin",
        "--target",
        "moic = 2",
    ]);
    assert_eq!(o.status.code(), Some(2));
    // A bound outside the valid range too.
    let o = payback(&[
        "solve",
        "--vary",
        "compute.market_margin",
        "--target",
        "npv = 0",
        "--lo",
        "-1",
    ]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn sequoia_reproduces_200_and_600_billion() {
    for (spend, needed) in [("50e9", 200e9), ("150e9", 600e9)] {
        let v = json(&payback(&["solve", "--sequoia", spend, "--format", "json"]));
        let r = &v["result"];
        assert_eq!(r["revenue_needed"].as_f64(), Some(needed));
        assert_eq!(r["lines"][1]["value"].as_f64(), Some(needed));
        assert_eq!(r["leaves_out"].as_array().map(Vec::len), Some(4));
    }
    let out = stdout(&payback(&["solve", "--sequoia", "150e9"]));
    assert!(out.contains("$600.0B"));
}

#[test]
fn target_roic_reproduces_kupperman() {
    let v = json(&payback(&[
        "solve",
        "--target-roic",
        "--capex",
        "400e9",
        "--life",
        "10",
        "--margin",
        "0.25",
        "--roic",
        "0.20",
        "--format",
        "json",
    ]));
    let lines = v["result"]["lines"].as_array().expect("lines").clone();
    let at = |label: &str| {
        lines
            .iter()
            .find(|l| l["label"].as_str().is_some_and(|s| s.starts_with(label)))
            .and_then(|l| l["value"].as_f64())
    };
    assert_eq!(at("depreciation"), Some(40e9));
    assert_eq!(at("revenue to cover depreciation"), Some(160e9));
    assert_eq!(at("revenue for the target ROIC"), Some(480e9));
    insta::assert_snapshot!(stdout(&payback(&[
        "solve",
        "--target-roic",
        "--capex",
        "400e9",
        "--life",
        "10",
        "--margin",
        "0.25",
        "--roic",
        "0.20",
    ])));
}

/// Options of one kind given without it are usage errors, not silently ignored.
#[test]
fn options_of_another_kind_are_usage_errors() {
    for (args, kind) in [
        (&["--paths", "0"][..], "--ensemble"),
        (&["--sampling", "lhs"][..], "--ensemble"),
        (&["--no-events"][..], "--ensemble"),
        (&["--bootstrap", "5"][..], "--sobol"),
    ] {
        let o = payback(&[&["sensitivity"][..], args].concat());
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(kind), "{args:?}: {err}");
    }
}
