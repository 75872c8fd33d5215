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

/// `--samples` with a portfolio: one row per path with every company's inputs, the shared
/// defaults and renewals, and each member's outcomes; the same file whatever the thread count;
/// each member's NPV column gives its reported percentiles bit for bit (type 7), and its
/// payback column its never-paid-back count.
#[test]
fn samples_carry_every_member_and_recompute_its_report() {
    let dir = tempfile::tempdir().unwrap();
    let run = |threads: &str, file: &str| {
        let f = dir.path().join(file);
        let out = stdout(&payback(&[
            "simulate",
            BIG_TECH,
            "--paths",
            "300",
            "--seed",
            "6",
            "--threads",
            threads,
            "--format",
            "json",
            "--samples",
            f.to_str().unwrap(),
        ]));
        (out, std::fs::read_to_string(f).unwrap())
    };
    let (json, csv) = run("1", "one.csv");
    assert_eq!(run("2", "two.csv"), (json.clone(), csv.clone()));
    let t = common::Samples::parse(&csv);
    assert_eq!(t.rows.len(), 300);
    assert!(t.rows.iter().all(|r| r.len() == t.header.len()));
    t.col("microsoft:compute.market_margin");
    t.col("default:openai");
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let members = v["members"].as_array().unwrap();
    assert_eq!(members.len(), 7);
    for m in members {
        let id = m["id"].as_str().unwrap();
        let report = &m["report"];
        let payback = t.col(&format!("{id}:payback"));
        let never = t.rows.iter().filter(|r| r[payback].is_empty()).count();
        assert_eq!(report["payback_never"], never as u64, "{id}");
        let npv = t.sorted(&format!("{id}:npv"));
        assert_eq!(report["outputs"][0]["name"], "npv");
        let p50 = report["outputs"][0]["stats"]["values"][3].as_f64().unwrap();
        let want = common::type7(&npv, 0.5);
        assert_eq!(p50.to_bits(), want.to_bits(), "{id} P50");
    }
    // A driver shared by every company has one value per path in each company's column.
    let (ms, am) = (
        t.col("microsoft:compute.market_margin"),
        t.col("amazon:compute.market_margin"),
    );
    assert!(t.rows.iter().all(|r| r[ms] == r[am]));
}

/// A portfolio run split into shares (threads differing) and merged in any order reports
/// exactly the whole run, table and JSON; a portfolio's part and a scenario's do not merge.
#[test]
fn a_split_portfolio_run_merges_into_the_whole_run() {
    let dir = tempfile::tempdir().unwrap();
    let file = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
    let run = ["simulate", BIG_TECH, "--paths", "1100", "--seed", "6"];
    let whole = |format: &str| stdout(&payback(&[&run[..], &["--format", format]].concat()));
    let (table, json) = (whole("table"), whole("json"));
    let mut parts = Vec::new();
    for (k, threads) in [(1, "2"), (2, "1"), (3, "2")] {
        let part = file(&format!("{k}.json"));
        let share = format!("{k}/3");
        let args = ["--part", &share, "--out", &part, "--threads", threads];
        stdout(&payback(&[&run[..], &args].concat()));
        parts.push(part);
    }
    parts.swap(0, 2);
    let merged = |format: &str| {
        let p: Vec<&str> = parts.iter().map(String::as_str).collect();
        stdout(&payback(
            &[&["simulate", "--merge"][..], &p, &["--format", format]].concat(),
        ))
    };
    assert_eq!(merged("table"), table);
    assert_eq!(merged("json"), json);

    let scenario_part = file("scenario.json");
    stdout(&payback(&[
        "simulate",
        "--paths",
        "1100",
        "--seed",
        "6",
        "--part",
        "2/3",
        "--out",
        &scenario_part,
    ]));
    let o = payback(&["simulate", "--merge", &parts[2], &scenario_part]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("of a scenario run"), "{err}");
    assert!(
        err.contains("of a portfolio run: they cannot be merged"),
        "{err}"
    );
}

/// `--replay N` with a portfolio projects every company on path N alone, as `payback run`
/// prints a portfolio: what it drew is the path's row of `--samples` (inputs, shared defaults,
/// renewals, bit for bit), and each company's NPV, payback quarter and peak funding are that
/// row's too. A path the run does not have is a usage error.
#[test]
fn replay_projects_every_company_on_one_path() {
    let dir = tempfile::tempdir().unwrap();
    let samples = dir.path().join("s.csv");
    let run = ["simulate", BIG_TECH, "--paths", "1100", "--seed", "6"];
    let s = samples.to_str().unwrap();
    stdout(&payback(&[&run[..], &["--samples", s]].concat()));
    let rows = common::Samples::parse(&std::fs::read_to_string(&samples).unwrap());
    for path in [0usize, 1050] {
        let n = path.to_string();
        let json = stdout(&payback(
            &[&run[..], &["--replay", &n, "--format", "json"]].concat(),
        ));
        let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
        let row = &rows.rows[path];
        assert_eq!(row[rows.col("path")], n);
        let mc = &doc["monte_carlo_path"];
        assert_eq!(mc["path"], path);
        let drawn = mc["drawn"].as_array().unwrap();
        // Every column between `path` and the first member's outcomes is drawn, in order.
        let first_outcome = rows.col("microsoft:payback");
        assert_eq!(drawn.len(), first_outcome - 1);
        for (k, d) in drawn.iter().enumerate() {
            let (name, cell) = (&rows.header[k + 1], &row[k + 1]);
            assert_eq!(d["name"].as_str(), Some(name.as_str()));
            match &d["value"] {
                serde_json::Value::Null => assert_eq!(cell, "", "{name}"),
                serde_json::Value::String(q) => assert_eq!(q, cell, "{name}"),
                v => assert_eq!(v.as_f64(), Some(cell.parse::<f64>().unwrap()), "{name}"),
            }
        }
        let companies = doc["companies"].as_array().unwrap();
        assert_eq!(companies.len(), 6);
        for c in companies {
            let id = c["id"].as_str().unwrap();
            let cell = |what: &str| row[rows.col(&format!("{id}:{what}"))].clone();
            let summary = &c["summary"];
            assert_eq!(
                summary["npv"].as_f64(),
                Some(cell("npv").parse().unwrap()),
                "{id}"
            );
            let peak = summary["peak_funding"].as_f64();
            assert_eq!(peak, Some(cell("peak_funding").parse().unwrap()), "{id}");
            let payback = summary["payback_quarter"].as_str().unwrap_or("");
            assert_eq!(payback, cell("payback"), "{id}");
        }
        // The table starts with the same draws.
        let table = stdout(&payback(&[&run[..], &["--replay", &n]].concat()));
        let heading = format!("Monte Carlo path {path} of 1100 (seed 6, sampling mc), as drawn:");
        assert!(table.starts_with(&heading), "{table}");
    }
    let o = payback(&[&run[..], &["--replay", "1100"]].concat());
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("they are numbered 0 to 1099"), "{err}");
}
