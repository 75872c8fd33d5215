//! `payback report --evidence-db`: the Evidence section holds what `payback evidence score
//! --format json` says for the same inputs (statuses, weights, P(payback by)), the workbook
//! gains its sheets, and a wrong evidence option writes nothing.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_payback");

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .env_clear()
        .env("COLUMNS", "120")
        .env("HOME", dir)
        .stdin(Stdio::null())
        .output()
        .expect("the payback binary runs")
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

/// A database with the example observations.
fn example_db(dir: &Path) {
    let csv = root().join("examples/evidence/observations.csv");
    ok(&run(
        dir,
        &[
            "evidence",
            "--db",
            "e.db",
            "add",
            &csv.display().to_string(),
        ],
    ));
}

/// The text of attribute `attr` of the element carrying `marker` (`data-x="y"` pairs).
fn attr_after<'a>(html: &'a str, marker: &str, attr: &str) -> Option<&'a str> {
    let at = html.find(marker)?;
    let tag_end = html[at..].find('>')? + at;
    let tag_start = html[..at].rfind('<')?;
    let tag = &html[tag_start..tag_end];
    let key = format!("{attr}=\"");
    let i = tag.find(&key)? + key.len();
    let j = tag[i..].find('"')? + i;
    Some(&tag[i..j])
}

#[test]
fn the_section_matches_evidence_score() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    example_db(d);
    let common = [
        "--company",
        "example cloud",
        "--ai-share",
        "capex=0.5",
        "--prior",
        "2",
        "--prior",
        "1",
        "--prior",
        "1",
        "--paths",
        "60",
        "--seed",
        "7",
    ];
    let mut score_args = vec!["evidence", "--db", "e.db", "score", "--format", "json"];
    score_args.extend(common);
    let json: serde_json::Value = serde_json::from_str(&ok(&run(d, &score_args))).unwrap();
    let card = &json["scorecard"];

    let mut report_args = vec!["report", "--out", "rep", "--evidence-db", "e.db"];
    report_args.extend(common);
    ok(&run(d, &report_args));
    let html = std::fs::read_to_string(d.join("rep/report.html")).unwrap();
    let start = html
        .find("<section id=\"evidence\">")
        .expect("an Evidence section");
    let section = &html[start..start + html[start..].find("</section>").unwrap()];
    assert!(section.contains("<h2>Evidence — Example Cloud</h2>"));

    let labels: Vec<&str> = card["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["base", "base+bull", "base+bear"]);
    // Statuses, stage by stage and run by run.
    let mut statuses = 0;
    for st in card["stages"].as_array().unwrap() {
        for (k, label) in labels.iter().enumerate() {
            let want = st["status"][k].as_str().unwrap();
            let cell = format!(
                "data-stage=\"{}\" data-run=\"{label}\" data-status=\"{want}\"",
                st["stage"].as_str().unwrap()
            );
            assert!(section.contains(&cell), "no {cell}");
            statuses += 1;
        }
    }
    assert_eq!(statuses, 9);
    // Weights, to the last digit (the same code path).
    for (k, label) in labels.iter().enumerate() {
        for metric in ["prior", "posterior"] {
            let want = card["scenarios"][k][metric].as_f64().unwrap();
            let got: f64 = attr_after(
                section,
                &format!("data-metric=\"{metric}\" data-run=\"{label}\""),
                "data-value",
            )
            .unwrap()
            .parse()
            .unwrap();
            assert_eq!(got, want, "{metric} of {label}");
        }
    }
    assert_eq!(card["scenarios"][0]["prior"].as_f64(), Some(0.5));
    // P(payback by 2030Q4), prior and posterior mixture.
    for (metric, key) in [
        ("p_payback_prior", "prior"),
        ("p_payback_posterior", "posterior"),
    ] {
        let got: f64 = attr_after(section, &format!("data-metric=\"{metric}\""), "data-value")
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(Some(got), card["reprojection"][key].as_f64(), "{metric}");
    }
    assert!(section.contains("Monte Carlo, 60 paths, seed 7"));
    // The movers, in order.
    let movers: Vec<i64> = card["movers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_i64().unwrap())
        .collect();
    assert!(!movers.is_empty());
    let mut last = 0;
    for id in &movers {
        let at = section
            .find(&format!("<tr data-mover=\"{id}\">"))
            .unwrap_or_else(|| panic!("mover {id} missing"));
        assert!(at > last, "movers out of order");
        last = at;
    }
    // Every observation is listed.
    for o in card["observations"].as_array().unwrap() {
        let id = o["id"].as_i64().unwrap();
        assert!(section.contains(&format!("<tr data-observation=\"{id}\">")));
    }
    // The workbook's Evidence and Weights sheets are read back in payback-report's tests.
    assert!(
        std::fs::read(d.join("rep/workbook.xlsx"))
            .unwrap()
            .starts_with(b"PK")
    );
}

#[test]
fn without_evidence_nothing_changes_and_wrong_options_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    example_db(d);
    // The same report with and without an Evidence section: every file but report.html and
    // workbook.xlsx is identical, and the plain report has no Evidence section.
    ok(&run(d, &["report", "--out", "plain", "--no-simulation"]));
    ok(&run(
        d,
        &[
            "report",
            "--out",
            "ev",
            "--no-simulation",
            "--evidence-db",
            "e.db",
            "--company",
            "Example Cloud",
        ],
    ));
    let plain = std::fs::read_to_string(d.join("plain/report.html")).unwrap();
    assert!(!plain.contains("id=\"evidence\""));
    let ev = std::fs::read_to_string(d.join("ev/report.html")).unwrap();
    assert!(ev.contains("deterministic: --no-simulation"));
    // The evidence section is inserted whole: removing it gives the plain report.
    let s = ev.find("<section id=\"evidence\">").unwrap();
    let e = s + ev[s..].find("</section>\n").unwrap() + "</section>\n".len();
    assert_eq!(format!("{}{}", &ev[..s], &ev[e..]), plain);
    assert_ne!(
        std::fs::read(d.join("plain/workbook.xlsx")).unwrap(),
        std::fs::read(d.join("ev/workbook.xlsx")).unwrap(),
        "the workbook gains the Evidence and Weights sheets"
    );
    for f in [
        "quarterly.csv",
        "annual.csv",
        "summary.json",
        "charts/jcurve.svg",
    ] {
        assert_eq!(
            std::fs::read(d.join("plain").join(f)).unwrap(),
            std::fs::read(d.join("ev").join(f)).unwrap(),
            "{f}"
        );
    }

    for (args, code) in [
        // --company without --evidence-db, and the other way round.
        (vec!["--company", "Example Cloud"], 2),
        (vec!["--evidence-db", "e.db"], 2),
        (vec!["--evidence-db", "e.db", "--company", "Nobody"], 2),
        (
            vec!["--evidence-db", "missing.db", "--company", "Example Cloud"],
            2,
        ),
        (
            vec![
                "--evidence-db",
                "e.db",
                "--company",
                "Example Cloud",
                "--ai-share",
                "rpo=2",
            ],
            2,
        ),
        (
            vec![
                "--evidence-db",
                "e.db",
                "--company",
                "Example Cloud",
                "--prior",
                "1",
            ],
            2,
        ),
        (
            vec![
                "--evidence-db",
                "e.db",
                "--company",
                "Example Cloud",
                "--by",
                "2030Q9",
            ],
            2,
        ),
    ] {
        let mut all = vec!["report", "--out", "bad", "--no-simulation"];
        all.extend(&args);
        let out = run(d, &all);
        assert_eq!(
            out.status.code(),
            Some(code),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!d.join("bad").exists(), "{args:?} wrote files");
        assert!(!d.join("missing.db").exists(), "a database was created");
    }
}
