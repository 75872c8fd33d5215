//! `payback run portfolio.toml`: detection, the side-by-side table, the industry and the
//! cross-checks; tidy CSV and JSON that keep every company exactly as its own run writes it;
//! misuse is a usage error (exit 2), never a panic.

use std::collections::BTreeMap;
use std::process::Command;

use serde_json::Value;

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
fn overlays_are_a_usage_error_for_a_portfolio_in_every_format() {
    for format in ["table", "csv", "json"] {
        let (code, out, err) = payback(&[
            "run",
            "examples/portfolios/big-tech.toml",
            "--overlay",
            "bull",
            "--format",
            format,
        ]);
        assert_eq!(code, 2, "{format}: {err}");
        assert!(
            err.contains("--overlay does not apply to a portfolio"),
            "{err}"
        );
        assert!(out.is_empty(), "{format}: {out}");
    }
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

/// The stdout of a successful `payback ARGS`.
fn ok(args: &[&str]) -> String {
    let (code, out, err) = payback(args);
    assert_eq!(code, 0, "payback {args:?}: {err}");
    out
}

/// The records of an RFC 4180 table as `payback` writes it: fields quoted only when they hold a
/// comma, a quote or a line break, a quote doubled inside quotes, `\n` line ends.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') if field.is_empty() => quoted = true,
            (false, ',') => record.push(std::mem::take(&mut field)),
            (false, '\n') => {
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            (false, c) => field.push(c),
        }
    }
    assert!(!quoted, "unterminated quote");
    assert!(field.is_empty() && record.is_empty(), "no final line end");
    records
}

/// `(id, scenario, overlays)` of every `[[companies]]` entry of a portfolio file (the simple
/// one-key-a-line layout of the examples).
fn companies_of(path: &str) -> Vec<(String, String, Vec<String>)> {
    let text = std::fs::read_to_string(
        std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../..")).join(path),
    )
    .expect("portfolio file");
    let strings = |v: &str| -> Vec<String> {
        v.split('"')
            .skip(1)
            .step_by(2)
            .map(str::to_string)
            .collect()
    };
    let mut out: Vec<(String, String, Vec<String>)> = Vec::new();
    let mut in_company = false;
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('[') && !line.starts_with("[\"") {
            in_company = line == "[[companies]]";
            if in_company {
                out.push(Default::default());
            }
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let Some(c) = out.last_mut().filter(|_| in_company) else {
            continue;
        };
        match key.trim() {
            "id" => c.0 = strings(value).remove(0),
            "scenario" => c.1 = strings(value).remove(0),
            "overlays" => c.2 = strings(value),
            _ => {}
        }
    }
    assert!(!out.is_empty(), "{path} lists companies");
    out
}

/// `payback run SCENARIO --overlay ... --format FORMAT`: the company on its own.
fn alone(company: &(String, String, Vec<String>), format: &str) -> String {
    let mut args = vec!["run", company.1.as_str(), "--format", format];
    for o in &company.2 {
        args.extend(["--overlay", o.as_str()]);
    }
    ok(&args)
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * a.abs().max(b.abs()).max(1.0)
}

fn number(s: &str) -> f64 {
    s.parse().unwrap_or_else(|_| panic!("`{s}` is a number"))
}

#[test]
fn portfolio_csv_keeps_every_company_as_its_own_run_and_adds_the_industry() {
    for file in [
        "examples/portfolios/big-tech.toml",
        "examples/portfolios/big-tech-bull.toml",
    ] {
        let companies = companies_of(file);
        let rows = parse_csv(&ok(&["run", file, "--format", "csv"]));
        let header = ["scenario", "period", "metric", "unit", "value"];
        assert_eq!(rows[0], header, "{file}");
        assert_eq!(rows.iter().filter(|r| *r == &header).count(), 1, "{file}");
        for r in &rows {
            assert_eq!(r.len(), 5, "{file}: {r:?}");
            let v = r[4].to_ascii_lowercase();
            assert!(!v.contains("nan") && !v.contains("inf"), "{file}: {r:?}");
        }
        let rows = &rows[1..];

        // Each company: exactly the rows of its own run, in the same order, under its id.
        for c in &companies {
            let own: Vec<&[String]> = rows
                .iter()
                .filter(|r| r[0] == c.0)
                .map(|r| &r[1..])
                .collect();
            let single = parse_csv(&alone(c, "csv"));
            let single: Vec<&[String]> = single[1..].iter().map(|r| &r[1..]).collect();
            assert!(!own.is_empty(), "{file}: no rows for `{}`", c.0);
            assert_eq!(own.len(), single.len(), "{file}: `{}` row count", c.0);
            for (i, (a, b)) in own.iter().zip(&single).enumerate() {
                assert_eq!(a, b, "{file}: `{}` row {i}", c.0);
            }
        }

        // Every other row belongs to the industry, the cross-check or a lab.
        let ids: Vec<&str> = companies.iter().map(|c| c.0.as_str()).collect();
        for r in rows {
            let s = r[0].as_str();
            assert!(
                ids.contains(&s) || s == "industry" || s == "cross_check" || s.starts_with("lab:"),
                "{file}: {r:?}"
            );
        }

        // The accounting identity: industry FCF = the companies' FCF, quarter by quarter, and
        // the cumulative series is its running sum.
        let mut sum: BTreeMap<&str, f64> = BTreeMap::new();
        for r in rows
            .iter()
            .filter(|r| ids.contains(&r[0].as_str()) && r[2] == "fcf")
        {
            *sum.entry(r[1].as_str()).or_insert(0.0) += number(&r[4]);
        }
        let industry = |metric: &str| -> Vec<(&str, f64)> {
            rows.iter()
                .filter(|r| r[0] == "industry" && r[2] == metric)
                .map(|r| (r[1].as_str(), number(&r[4])))
                .collect()
        };
        let fcf = industry("fcf");
        assert_eq!(
            fcf.len(),
            sum.len(),
            "{file}: one industry quarter per company quarter"
        );
        let mut running = 0.0;
        for ((q, v), (cq, cum)) in fcf.iter().zip(industry("fcf_cumulative")) {
            assert_eq!(*q, cq);
            assert!(
                close(*v, sum[q]),
                "{file} {q}: industry {v} vs companies {}",
                sum[q]
            );
            running += v;
            assert!(
                close(cum, running),
                "{file} {q}: cumulative {cum} vs {running}"
            );
        }
        for metric in [
            "revenue",
            "revenue_intercompany",
            "revenue_end_customer",
            "revenue_circular",
            "capex",
            "capex_accelerators",
            "rpo",
            "levered_fcf",
        ] {
            assert_eq!(industry(metric).len(), fcf.len(), "{file}: {metric}");
        }
        let summary = |scenario: &str, metric: &str| -> String {
            rows.iter()
                .find(|r| r[0] == scenario && r[1] == "summary" && r[2] == metric)
                .unwrap_or_else(|| panic!("{file}: {scenario} {metric}"))[4]
                .clone()
        };
        assert!(!summary("industry", "payback_status").is_empty());
        assert!(close(
            number(&summary("industry", "npv_sum")),
            companies
                .iter()
                .map(|c| number(&summary(&c.0, "npv")))
                .sum()
        ));

        // Cross-checks by calendar year; labs with their commitments.
        let years: Vec<&str> = rows
            .iter()
            .filter(|r| r[0] == "cross_check" && r[2] == "sequoia_needed")
            .map(|r| r[1].as_str())
            .collect();
        let mut want: Vec<&str> = fcf.iter().map(|(q, _)| &q[..4]).collect();
        want.dedup();
        assert_eq!(years, want, "{file}");
        assert_eq!(summary("cross_check", "gpu_share"), "0.5");
        assert!(number(&summary("lab:openai", "commitments_total")) > 0.0);
        assert!(
            rows.iter()
                .any(|r| r[0] == "lab:openai" && r[1] == "2026" && r[2] == "revenue"),
            "{file}"
        );
    }
}

/// Every key of a JSON object.
fn keys(v: &Value) -> Vec<String> {
    v.as_object()
        .unwrap_or_else(|| panic!("an object: {v}"))
        .keys()
        .cloned()
        .collect()
}

fn values(v: &Value) -> Vec<f64> {
    v.as_array()
        .expect("an array")
        .iter()
        .map(|x| x.as_f64().expect("a number"))
        .collect()
}

#[test]
fn portfolio_json_keeps_every_company_as_its_own_run_and_adds_the_industry() {
    let file = "examples/portfolios/big-tech-bull.toml";
    let companies = companies_of(file);
    let doc: Value =
        serde_json::from_str(&ok(&["run", file, "--format", "json"])).expect("valid JSON");
    assert_eq!(doc["schema"], "payback-portfolio/1");
    assert_eq!(doc["engine"]["name"], "payback");
    let list = doc["companies"].as_array().expect("companies");
    let ids: Vec<&str> = list.iter().map(|c| c["id"].as_str().expect("id")).collect();
    let want: Vec<&str> = companies.iter().map(|c| c.0.as_str()).collect();
    assert_eq!(ids, want);

    // The manifest: the portfolio file first, then each company's scenario and overlays, each
    // with the hash its own run's manifest gives it.
    let files = doc["manifest"]["files"].as_array().expect("files");
    assert_eq!(files[0]["name"], file);
    let hex = files[0]["sha256"].as_str().expect("sha256");
    assert!(
        hex.len() == 64
            && hex
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    );
    let mut expected = vec![files[0].clone()];

    for (c, entry) in companies.iter().zip(list) {
        let single: Value = serde_json::from_str(&alone(c, "json")).expect("valid JSON");
        for f in single["inputs"]["files"].as_array().expect("files") {
            if !expected.contains(f) {
                expected.push(f.clone());
            }
        }
        // The company's entry is its own run's object, with the company's id and label and
        // the inter-company figures added.
        let mut entry = entry.clone();
        let mut run = single["runs"][0].clone();
        let o = entry.as_object_mut().expect("object");
        for k in [
            "id",
            "label",
            "contract_counterparties",
            "revenue_intercompany",
        ] {
            assert!(o.remove(k).is_some(), "{}: `{k}`", c.0);
        }
        run.as_object_mut().expect("object").remove("label");
        assert_eq!(entry, run, "{}", c.0);
    }
    assert_eq!(files, &expected, "manifest order");
    for (c, entry) in companies.iter().zip(list) {
        let n = entry["quarters"].as_array().expect("quarters").len();
        assert_eq!(
            entry["revenue_intercompany"]["values"]
                .as_array()
                .map(Vec::len),
            Some(n)
        );
        assert_eq!(
            entry["contract_counterparties"].as_array().map(Vec::len),
            entry["contracts"].as_array().map(Vec::len),
            "{}",
            c.0
        );
    }

    // Industry FCF = the companies' FCF by quarter.
    let industry = &doc["industry"];
    let quarters: Vec<&str> = industry["quarters"]
        .as_array()
        .expect("quarters")
        .iter()
        .map(|q| q.as_str().expect("quarter"))
        .collect();
    let mut sum = vec![0.0; quarters.len()];
    for c in list {
        let qs = c["quarters"].as_array().expect("quarters");
        for (q, v) in qs.iter().zip(values(&c["series"]["fcf"]["values"])) {
            let i = quarters
                .iter()
                .position(|x| q == x)
                .expect("a quarter of the industry");
            sum[i] += v;
        }
    }
    let fcf = values(&industry["series"]["fcf"]["values"]);
    assert_eq!(fcf.len(), quarters.len());
    for ((q, a), b) in quarters.iter().zip(&fcf).zip(&sum) {
        assert!(close(*a, *b), "{q}: industry {a} vs companies {b}");
    }
    assert_eq!(industry["series"]["fcf"]["unit"], "USD");
    assert!(industry["summary"]["payback_status"].is_string());
    assert_eq!(industry["summary_units"]["npv_sum"], "USD");

    // Cross-checks for every calendar year; labs.
    let years: Vec<i64> = doc["cross_check"]
        .as_array()
        .expect("cross_check")
        .iter()
        .map(|y| y["year"].as_i64().expect("year"))
        .collect();
    let mut want: Vec<i64> = quarters
        .iter()
        .map(|q| q[..4].parse().expect("year"))
        .collect();
    want.dedup();
    assert_eq!(years, want);
    assert!(doc["cross_check"][0]["roic"]["revenue_for_target"].is_number());
    let openai = doc["labs"]
        .as_array()
        .expect("labs")
        .iter()
        .find(|l| l["id"] == "openai")
        .expect("openai");
    assert!(openai["commitments_total"].as_f64().expect("number") > 0.0);
}

#[test]
fn every_portfolio_json_key_is_documented_in_formats_md() {
    let docs = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/formats.md"
    ))
    .expect("docs/formats.md");
    let doc: Value = serde_json::from_str(&ok(&[
        "run",
        "examples/portfolios/big-tech.toml",
        "--format",
        "json",
    ]))
    .expect("valid JSON");
    let section = docs
        .split("## Portfolio run")
        .nth(1)
        .expect("docs/formats.md has a `## Portfolio run` section");
    let mut all = keys(&doc);
    all.extend(keys(&doc["portfolio"]));
    all.extend(keys(&doc["portfolio"]["cross_check_inputs"]));
    for k in ["id", "contract_counterparties", "revenue_intercompany"] {
        assert!(doc["companies"][0].get(k).is_some(), "{k}");
        all.push(k.into());
    }
    all.extend(keys(&doc["industry"]));
    all.extend(keys(&doc["industry"]["summary"]));
    all.extend(keys(&doc["industry"]["series"]));
    all.extend(keys(&doc["labs"][0]));
    all.extend(keys(&doc["labs"][0]["by_year"][0]));
    all.extend(keys(&doc["cross_check"][0]));
    all.extend(keys(&doc["cross_check"][0]["roic"]));
    for k in all {
        assert!(
            section.contains(&format!("`{k}`")),
            "`{k}` is not documented in docs/formats.md, \"Portfolio run\""
        );
    }
}

#[test]
fn portfolio_out_writes_the_same_bytes_as_stdout() {
    let dir = tempfile::tempdir().expect("tempdir");
    for format in ["csv", "json", "table"] {
        let file = "examples/portfolios/big-tech.toml";
        let stdout = ok(&["run", file, "--format", format]);
        let path = dir.path().join(format!("portfolio.{format}"));
        let out = ok(&[
            "run",
            file,
            "--format",
            format,
            "--out",
            path.to_str().expect("utf-8"),
        ]);
        assert!(out.is_empty(), "{format}: {out}");
        let written = std::fs::read_to_string(&path).expect("written");
        assert_eq!(written, stdout, "{format}");
    }
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .expect("read_dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 3, "no temporary file left: {names:?}");
}

#[test]
fn a_portfolio_with_relative_files_lists_them_in_the_manifest_in_order() {
    let dir = tempfile::tempdir().expect("tempdir");
    let scenarios = dir.path().join("s");
    let (code, _, err) = payback(&["init", scenarios.to_str().expect("utf-8"), "--companies"]);
    assert_eq!(code, 0, "{err}");
    let mut names: Vec<String> = std::fs::read_dir(&scenarios)
        .expect("read_dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(names.contains(&"oracle.toml".to_string()), "{names:?}");
    assert!(names.contains(&"oracle-bear.toml".to_string()), "{names:?}");
    let p = dir.path().join("p.toml");
    std::fs::write(
        &p,
        "[portfolio]\nname = \"two\"\n\
         [[companies]]\nid = \"oracle\"\nscenario = \"s/oracle.toml\"\noverlays = [\"s/oracle-bear.toml\"]\n\
         [[companies]]\nid = \"meta\"\nscenario = \"meta\"\n",
    )
    .expect("write");
    let p = p.to_str().expect("utf-8");
    let doc: Value = serde_json::from_str(&ok(&["run", p, "--format", "json"])).expect("JSON");
    let files: Vec<&str> = doc["manifest"]["files"]
        .as_array()
        .expect("files")
        .iter()
        .map(|f| f["name"].as_str().expect("name"))
        .collect();
    assert_eq!(files.len(), 4, "{files:?}");
    assert_eq!(files[0], p);
    assert!(files[1].ends_with("oracle.toml"), "{files:?}");
    assert!(files[2].ends_with("oracle-bear.toml"), "{files:?}");
    assert!(files[3].contains("meta"), "{files:?}");
    assert_eq!(doc["companies"][0]["label"], "oracle");
    assert_eq!(doc["companies"][1]["id"], "meta");
    let overlays = doc["manifest"]["overlays"].as_array().expect("overlays");
    assert_eq!(overlays.len(), 1, "{overlays:?}");
    // CSV of the same file: the two companies, the industry, the cross-check.
    let rows = parse_csv(&ok(&["run", p, "--format", "csv"]));
    for s in ["oracle", "meta", "industry", "cross_check"] {
        assert!(rows.iter().any(|r| r[0] == s), "{s}");
    }
}
