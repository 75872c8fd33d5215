//! `payback simulate portfolio.toml` as a user sees it: the table for 24 paths of the big-tech
//! portfolio (a snapshot: re-bless with `INSTA_UPDATE=always cargo test -p payback-cli --test
//! portfolio_sim` and review), the thread count changing nothing, JSON and CSV, and misuse.

mod common;

use std::process::Output;

use common::quiet_stdout as stdout;

const BIG_TECH: &str = "examples/portfolios/big-tech.toml";

fn payback(args: &[&str]) -> Output {
    common::output(
        common::hermetic("160")
            .args(args)
            .current_dir(common::root()),
    )
}

#[test]
fn big_tech_24_paths_seed_42() {
    let out = stdout(&payback(&[
        "simulate",
        BIG_TECH,
        "--paths",
        "24",
        "--seed",
        "42",
        "--threads",
        "2",
    ]));
    insta::assert_snapshot!(out);
}

#[test]
fn threads_change_nothing_and_json_and_csv_carry_every_member() {
    let run = |threads: &str, format: &str| {
        stdout(&payback(&[
            "simulate",
            BIG_TECH,
            "--paths",
            "12",
            "--seed",
            "3",
            "--threads",
            threads,
            "--sampling",
            "lhs",
            "--format",
            format,
        ]))
    };
    let json = run("1", "json");
    assert_eq!(json, run("2", "json"));
    let v: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    assert_eq!(v["schema"], "payback-simulate-portfolio/1");
    let members = v["members"].as_array().expect("members");
    assert_eq!(members.len(), 7);
    assert_eq!(members[6]["id"], "industry");
    assert_eq!(members[0]["report"]["paths"], 12);
    assert_eq!(members[0]["report"]["sampling"], "lhs");
    assert!(
        v["shared_drivers"]
            .as_array()
            .expect("drivers")
            .iter()
            .any(|d| d["path"] == "compute.market_margin" && d["from"] == "portfolio")
    );
    let openai = v["shared_defaults"]
        .as_array()
        .expect("defaults")
        .iter()
        .find(|d| d["counterparty"] == "openai")
        .expect("openai");
    assert_eq!(openai["owner"], "microsoft");
    let csv = run("1", "csv");
    assert!(csv.starts_with("member,section,name,quarter,stat,value\n"));
    assert!(csv.contains("\nindustry,output,npv,,P50,"));
    assert!(csv.contains("\noracle,payback,by_year,2035,probability,"));
}

#[test]
fn misuse_is_an_error_not_a_panic() {
    let o = payback(&["simulate", BIG_TECH, "--overlay", "bear", "--paths", "2"]);
    assert_eq!(
        o.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    // The bear portfolio has no [uncertainty]: nothing to simulate, with a hint.
    let o = payback(&[
        "simulate",
        "examples/portfolios/big-tech-bear.toml",
        "--paths",
        "2",
    ]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("nothing to simulate"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}
