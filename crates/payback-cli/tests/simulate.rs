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

/// `--samples`: one row per path, the same file whatever the thread count, and a report an
/// analyst can recompute from it: the payback probabilities, NPV percentiles (type 7, as
/// Excel's PERCENTILE.INC) and the NPV mean, from the rows alone.
#[test]
fn samples_file_has_every_path_and_recomputes_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let run = |threads: &str, file: &str| {
        let f = dir.path().join(file);
        let out = stdout(&payback(&[
            "simulate",
            "--paths",
            "1500",
            "--seed",
            "8",
            "--threads",
            threads,
            "--format",
            "json",
            "--samples",
            f.to_str().unwrap(),
        ]));
        (out, std::fs::read_to_string(f).expect("samples written"))
    };
    let (json, csv) = run("1", "one.csv");
    assert_eq!(run("2", "two.csv"), (json.clone(), csv.clone()));
    // The report is the one a run without --samples prints.
    let plain = stdout(&payback(&[
        "simulate", "--paths", "1500", "--seed", "8", "--format", "json",
    ]));
    assert_eq!(json, plain);

    let t = common::Samples::parse(&csv);
    assert_eq!(t.header[0], "path");
    assert_eq!(t.header[1], "compute.market_margin");
    t.col("default:openai");
    t.col("renews:openai-compute");
    assert_eq!(
        t.header[t.header.len() - 7..],
        [
            "payback",
            "npv",
            "irr",
            "moic",
            "peak_funding",
            "peak_funding_quarter",
            "economic_recovery"
        ]
    );
    assert_eq!(t.rows.len(), 1500);
    for (i, r) in t.rows.iter().enumerate() {
        assert_eq!(r.len(), t.header.len());
        assert_eq!(r[0], i.to_string());
    }

    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    // P(payback by the end of 2035) and the never-paid-back count.
    let payback: Vec<&str> = t
        .rows
        .iter()
        .map(|r| r[t.col("payback")].as_str())
        .collect();
    let by_2035 = payback
        .iter()
        .filter(|q| !q.is_empty() && **q <= "2035Q4")
        .count();
    let p = v["by_year"]
        .as_array()
        .unwrap()
        .iter()
        .find(|y| y["year"] == 2035)
        .unwrap()["probability"]
        .as_f64()
        .unwrap();
    assert_eq!(p, by_2035 as f64 / 1500.0);
    let never = payback.iter().filter(|q| q.is_empty()).count();
    assert_eq!(v["payback_never"], never as u64);
    assert!(never > 0 && never < 1500);
    // NPV percentiles, type 7 on the sorted column, to the bit.
    let npv = t.sorted("npv");
    let stats = &v["outputs"][0]["stats"];
    assert_eq!(v["outputs"][0]["name"], "npv");
    for (k, p) in [0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95]
        .into_iter()
        .enumerate()
    {
        let want = common::type7(&npv, p);
        assert_eq!(
            stats["values"][k].as_f64().unwrap().to_bits(),
            want.to_bits(),
            "P{p}"
        );
    }
    let mean = npv.iter().sum::<f64>() / 1500.0;
    let reported = stats["mean"].as_f64().unwrap();
    assert!(
        (reported - mean).abs() <= 1e-9 * mean.abs(),
        "{reported} vs {mean}"
    );
    // Scaling inputs are multipliers; the discrete lead time is one of its values.
    let lead = t.col("facilities.facility_lead_time");
    assert!(
        t.rows
            .iter()
            .all(|r| ["4", "6", "8", "10"].contains(&r[lead].as_str()))
    );
}

#[test]
fn samples_and_replay_misuse_is_a_usage_error() {
    let usage = |args: &[&str], says: &str| {
        let o = payback(&[&["simulate", "--paths", "10"][..], args].concat());
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(says), "{args:?}: {err}");
    };
    let portfolio = common::root().join("examples/portfolios/big-tech.toml");
    let p = portfolio.to_str().unwrap();
    let same = "--samples and --out both name";
    usage(&["--samples", "x.csv", "--out", "./x.csv"], same);
    usage(&[p, "--samples", "x.csv", "--out", "./x.csv"], same);
    let together = "--samples and --replay do not go together";
    usage(&[p, "--replay", "3", "--samples", "x.csv"], together);
    let nowhere = "cannot create a file in `/nonexistent-dir`";
    usage(&["--samples", "/nonexistent-dir/x.csv"], nowhere);
}

/// `--replay N` projects one path of a run alone: its JSON summary has the bits of the path's
/// row in `--samples` (NPV, payback quarter, peak funding), in plain Monte Carlo and in a Latin
/// hypercube (whose strata depend on the block, so the path count matters), and the table
/// starts with what the path drew.
#[test]
fn replay_projects_one_path_as_the_run_drew_it() {
    let dir = tempfile::tempdir().unwrap();
    for sampling in ["mc", "lhs"] {
        let f = dir.path().join(format!("{sampling}.csv"));
        let run = [
            "simulate",
            "--paths",
            "1100",
            "--seed",
            "4",
            "--sampling",
            sampling,
        ];
        stdout(&payback(
            &[
                &run[..],
                &["--format", "json", "--samples", f.to_str().unwrap()],
            ]
            .concat(),
        ));
        let t = common::Samples::parse(&std::fs::read_to_string(&f).unwrap());
        let col = |name: &str| t.col(name);
        for path in [0usize, 517, 1099] {
            let row = &t.rows[path];
            let out = stdout(&payback(
                &[
                    &run[..],
                    &["--replay", &path.to_string(), "--format", "json"],
                ]
                .concat(),
            ));
            let v: serde_json::Value = serde_json::from_str(&out).unwrap();
            assert_eq!(v["monte_carlo_path"]["path"], path as u64);
            assert_eq!(v["monte_carlo_path"]["sampling"], sampling);
            let drawn = &v["monte_carlo_path"]["drawn"][0];
            assert_eq!(drawn["name"], "compute.market_margin");
            let want: f64 = row[col("compute.market_margin")].parse().unwrap();
            assert_eq!(drawn["value"].as_f64().unwrap().to_bits(), want.to_bits());
            let s = &v["runs"][0]["summary"];
            let npv: f64 = row[col("npv")].parse().unwrap();
            assert_eq!(
                s["npv"].as_f64().unwrap().to_bits(),
                npv.to_bits(),
                "{sampling} path {path}"
            );
            let payback = s["payback_quarter"].as_str().unwrap_or("");
            assert_eq!(payback, row[col("payback")], "{sampling} path {path}");
            let peak: f64 = row[col("peak_funding")].parse().unwrap();
            assert_eq!(
                s["peak_funding"].as_f64().unwrap().to_bits(),
                peak.to_bits()
            );
        }
    }
    let table = stdout(&payback(&[
        "simulate", "--paths", "50", "--seed", "4", "--replay", "3",
    ]));
    assert!(table.starts_with("Monte Carlo path 3 of 50 (seed 4, sampling mc), as drawn:\n"));
    assert!(table.contains("  facilities.facility_lead_time "));
    assert!(table.contains("Payback (programme)"));
    let o = payback(&["simulate", "--paths", "50", "--replay", "50"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("numbered 0 to 49"));
}

/// A split run: each share run on its own (any thread count) with `--part K/M`, and the part
/// files merged in any order, report exactly what the whole run reports, in every format;
/// more shares than blocks leave some empty; the shares' samples files, their headers but
/// the first dropped, are the whole run's samples file.
#[test]
fn a_split_run_merges_into_the_whole_run() {
    let dir = tempfile::tempdir().unwrap();
    let file = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
    // 2,500 paths are three blocks of 1024, the last one short.
    let run = [
        "simulate",
        "--paths",
        "2500",
        "--seed",
        "5",
        "--sampling",
        "lhs",
    ];
    let whole_samples = file("whole.csv");
    let whole = |format: &str| {
        stdout(&payback(
            &[&run[..], &["--format", format, "--samples", &whole_samples]].concat(),
        ))
    };
    let (table, csv, json) = (whole("table"), whole("csv"), whole("json"));
    for m in [2u64, 4] {
        let mut parts = Vec::new();
        let mut samples = String::new();
        for k in 1..=m {
            let (part, rows) = (
                file(&format!("{k}of{m}.json")),
                file(&format!("{k}of{m}.csv")),
            );
            let share = format!("{k}/{m}");
            let threads = if k % 2 == 0 { "1" } else { "2" };
            let said = stdout(&payback(
                &[
                    &run[..],
                    &["--part", &share, "--out", &part, "--samples", &rows],
                    &["--threads", threads],
                ]
                .concat(),
            ));
            assert!(
                said.starts_with(&format!("share {share} of 2500 paths (blocks ")),
                "{said}"
            );
            let text = std::fs::read_to_string(&rows).unwrap();
            let skip = if k == 1 {
                0
            } else {
                text.find('\n').unwrap() + 1
            };
            samples.push_str(&text[skip..]);
            parts.push(part);
        }
        // Any order.
        parts.reverse();
        let merged = |format: &str| {
            let p: Vec<&str> = parts.iter().map(String::as_str).collect();
            stdout(&payback(
                &[&["simulate", "--merge"][..], &p, &["--format", format]].concat(),
            ))
        };
        assert_eq!(merged("table"), table, "{m} shares");
        assert_eq!(merged("csv"), csv, "{m} shares");
        assert_eq!(merged("json"), json, "{m} shares");
        assert_eq!(samples, std::fs::read_to_string(&whole_samples).unwrap());
        if m == 4 {
            // Four shares of three blocks: the first is empty.
            let first: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(file("1of4.json")).unwrap()).unwrap();
            assert_eq!(first["format"], "payback-simulate-part");
            assert_eq!(first["blocks"], serde_json::json!([0, 0]));
            assert_eq!(first["result"]["summary"]["paths"], 0);
            assert_eq!(first["run"]["paths"], 2500);
        }
    }
}

/// Parts that do not make one whole run are refused, naming the file and what is wrong; a
/// part needs --out and a share that exists.
#[test]
fn parts_of_different_or_incomplete_runs_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
    let part = |name: &str, extra: &[&str]| {
        let f = file(name);
        let base = ["simulate", "--paths", "1100", "--out", &f];
        stdout(&payback(&[&base[..], extra].concat()));
        f
    };
    let a = part("a.json", &["--part", "1/2", "--seed", "2"]);
    let b = part("b.json", &["--part", "2/2", "--seed", "2"]);
    let other_seed = part("c.json", &["--part", "2/2", "--seed", "3"]);
    let bear = part(
        "d.json",
        &["--part", "2/2", "--seed", "2", "--overlay", "bear"],
    );
    let three = part("e.json", &["--part", "2/3", "--seed", "2"]);
    let report = part("report.json", &["--format", "json", "--seed", "2"]);
    let refused = |files: &[&str], says: &str| {
        let o = payback(&[&["simulate", "--merge"][..], files].concat());
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(err.contains(says), "{files:?}: {err}");
    };
    refused(
        &[&a],
        "share 2/2 of the run is missing: merge needs every share once",
    );
    refused(&[&a, &b, &b], "share 2/2 is given twice");
    refused(&[&a, &other_seed], "is a part of another run than");
    refused(&[&a, &other_seed], "the seed is 3, not 2");
    refused(
        &[&a, &bear],
        "the scenario, overlays or uncertainty (plan digest)",
    );
    refused(&[&a, &three], "the number of shares is 3, not 2");
    refused(&[&three], "shares 1/3, 3/3 of the run are missing");
    refused(
        &[&a, &report],
        "is not a payback simulate part file: it has no \"format\"",
    );
    // A part whose path count was edited no longer matches its own run.
    let text = std::fs::read_to_string(&b).unwrap();
    let damaged = file("damaged.json");
    std::fs::write(
        &damaged,
        text.replacen("\"paths\":1100", "\"paths\":1200", 1),
    )
    .unwrap();
    refused(&[&a, &damaged], "is damaged");
    // The report may not replace a part.
    let o = payback(&["simulate", "--merge", &a, &b, "--out", &b]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("one of the parts to merge"), "{err}");
    assert_eq!(std::fs::read_to_string(&b).unwrap(), text);
    // Usage errors.
    let o = payback(&["simulate", "--paths", "10", "--part", "1/2"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--out <FILE>"));
    let o = payback(&["simulate", "--part", "3/2", "--out", &file("x.json")]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("expected K/M with 1 <= K <= M"));
}
