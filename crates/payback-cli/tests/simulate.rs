//! `payback simulate` as a user sees it: the seed-42 table for 2000 paths (a snapshot: the
//! numbers are the stream's and the engine's, re-bless with
//! `INSTA_UPDATE=always cargo test -p payback-cli --test simulate` and review), the thread
//! count changing nothing, and the machine-readable formats.

mod common;

use std::process::Output;

use common::quiet_stdout as stdout;

fn payback(args: &[&str]) -> Output {
    common::output(common::hermetic("120").args(args))
}

#[test]
fn simulate_default_2000_paths_seed_42() {
    let out = stdout(&payback(&["simulate", "--paths", "2000", "--seed", "42"]));
    insta::assert_snapshot!(out);
}

#[test]
fn threads_do_not_change_the_output() {
    let args = [
        "simulate", "--paths", "1100", "--seed", "3", "--format", "json",
    ];
    let one = stdout(&payback(&[&args[..], &["--threads", "1"]].concat()));
    let two = stdout(&payback(&[&args[..], &["--threads", "2"]].concat()));
    assert_eq!(one, two);
    let v: serde_json::Value = serde_json::from_str(&one).expect("valid JSON");
    assert_eq!(v["schema"], "payback-simulate/1");
    assert_eq!(v["rng"], "xoshiro256++");
    assert_eq!(v["paths"], 1100);
    assert_eq!(v["fan"].as_array().map(Vec::len), Some(4 * 48));
}

#[test]
fn csv_carries_the_fan_chart() {
    let out = stdout(&payback(&[
        "simulate",
        "--paths",
        "300",
        "--seed",
        "1",
        "--sampling",
        "lhs",
        "--format",
        "csv",
    ]));
    assert!(out.starts_with("section,name,quarter,stat,value\n"));
    assert!(out.contains("run,sampling,,,lhs\n"));
    assert!(out.contains("fan,fcf_cumulative,2030Q4,P50,"));
    assert!(
        !out.lines()
            .any(|l| l.ends_with("NaN") || l.ends_with("inf"))
    );
}

#[test]
fn zero_paths_is_a_usage_error() {
    let o = payback(&["simulate", "--paths", "0"]);
    assert_eq!(o.status.code(), Some(2));
}
