//! The `payback` binary as a user sees it: stdout, stderr and the exit status, run
//! hermetically (no inherited environment, fixed `COLUMNS`, `NO_COLOR`, temporary
//! directories) and compared with insta snapshots in `tests/snapshots/`.
//!
//! Snapshots that show engine numbers churn while the engine is tuned; re-bless them with
//! `INSTA_UPDATE=always cargo test -p payback-cli --test cli` and review the diff. Versions
//! and temporary paths are redacted; numbers never are.

mod common;

use std::io::Read as _;
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn command(dir: &Path, args: &[&str]) -> Command {
    let mut c = common::hermetic("120");
    c.args(args).current_dir(dir);
    c
}

fn payback(dir: &Path, args: &[&str]) -> Output {
    common::output(&mut command(dir, args))
}

/// stdout, stderr and the exit status, with versions and the temporary directory redacted.
fn shown(out: &Output, dir: &Path) -> String {
    let mut s = String::from_utf8_lossy(&out.stdout).into_owned();
    let err = String::from_utf8_lossy(&out.stderr);
    if !err.is_empty() {
        s.push_str("----- stderr -----\n");
        s.push_str(&err);
    }
    s.push_str(&format!(
        "[exit status: {}]\n",
        out.status.code().unwrap_or(-1)
    ));
    redact(&s, dir)
}

fn redact(s: &str, dir: &Path) -> String {
    s.replace(&dir.display().to_string(), "[TEMP]")
        .replace(env!("CARGO_PKG_VERSION"), "[VERSION]")
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("stdout is UTF-8")
}

fn temp() -> tempfile::TempDir {
    tempfile::tempdir().expect("a temporary directory")
}

fn builtin_text(name: &str) -> &'static str {
    payback_input::builtin::get(name)
        .expect("built-in exists")
        .text
}

#[test]
fn run_default_base_bull_bear() {
    let dir = temp();
    let out = payback(dir.path(), &["run"]);
    assert_eq!(out.status.code(), Some(0));
    insta::assert_snapshot!("run_default", shown(&out, dir.path()));
}

#[test]
fn run_json_manifest_and_subset() {
    let dir = temp();
    let out = payback(dir.path(), &["run", "--format", "json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = stdout(&out);
    for bad in ["NaN", "Infinity", "inf"] {
        assert!(
            !text.contains(&format!(": {bad}")),
            "non-finite number `{bad}` in the JSON"
        );
    }
    let doc: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    assert_finite(&doc);
    assert_eq!(doc["schema_version"], 1);
    assert_eq!(doc["engine"]["name"], "payback");
    assert_eq!(doc["engine"]["version"], env!("CARGO_PKG_VERSION"));
    let files = doc["inputs"]["files"].as_array().expect("files");
    assert_eq!(files.len(), 3);
    for f in files {
        let h = f["sha256"].as_str().expect("sha256");
        assert!(
            h.len() == 64 && h.chars().all(|c| c.is_ascii_hexdigit()),
            "{h}"
        );
    }
    assert_eq!(doc["inputs"]["sha256"].as_str().map(str::len), Some(64));
    let runs = doc["runs"].as_array().expect("runs");
    assert_eq!(runs.len(), 3);
    let mut subset = serde_json::Map::new();
    subset.insert("inputs".into(), doc["inputs"].clone());
    for run in runs {
        let quarters = run["quarters"].as_array().expect("quarters");
        let mut series = serde_json::Map::new();
        for name in [
            "capex",
            "revenue",
            "fcf",
            "fcf_cumulative",
            "rpo",
            "utilization",
            "p_ref",
        ] {
            let s = &run["series"][name];
            let values = s["values"].as_array().expect("values");
            assert_eq!(values.len(), quarters.len(), "{name}");
            series.insert(
                name.into(),
                serde_json::json!({
                    "unit": s["unit"],
                    "first": [quarters[0], values[0]],
                    "last": [quarters[quarters.len() - 1], values[values.len() - 1]],
                }),
            );
        }
        let label = run["label"].as_str().expect("label").to_string();
        subset.insert(
            label,
            serde_json::json!({
                "scenario": run["scenario"],
                "summary": run["summary"],
                "series": series,
                "vintages": run["vintages"].as_array().map(Vec::len),
                "warnings": run["warnings"],
            }),
        );
    }
    let pretty = serde_json::to_string_pretty(&subset).expect("serialises");
    insta::assert_snapshot!("run_json_subset", pretty);
}

fn assert_finite(v: &serde_json::Value) {
    match v {
        serde_json::Value::Number(n) => {
            assert!(
                n.as_f64().is_some_and(f64::is_finite),
                "non-finite number {n}"
            );
        }
        serde_json::Value::Array(xs) => xs.iter().for_each(assert_finite),
        serde_json::Value::Object(m) => m.values().for_each(assert_finite),
        _ => {}
    }
}

#[test]
fn run_csv_head() {
    let dir = temp();
    let out = payback(dir.path(), &["run", "--format", "csv"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(text.lines().all(|l| !l.is_empty()));
    let head: Vec<&str> = text.lines().take(60).collect();
    insta::assert_snapshot!("run_csv_head", head.join("\n"));
}

#[test]
fn explain_parameter() {
    let dir = temp();
    let out = payback(dir.path(), &["explain", "inference.price_decline"]);
    insta::assert_snapshot!("explain_parameter", shown(&out, dir.path()));
}

#[test]
fn explain_figure() {
    let dir = temp();
    let out = payback(dir.path(), &["explain", "fcf@2030Q2"]);
    insta::assert_snapshot!("explain_figure", shown(&out, dir.path()));
}

#[test]
fn explain_unknown_targets_suggest() {
    let dir = temp();
    let param = payback(dir.path(), &["explain", "inference.price_declin"]);
    let figure = payback(dir.path(), &["explain", "fcff@2030Q2"]);
    assert_eq!(param.status.code(), Some(2));
    assert_eq!(figure.status.code(), Some(2));
    let both = format!(
        "{}{}",
        shown(&param, dir.path()),
        shown(&figure, dir.path())
    );
    insta::assert_snapshot!("explain_unknown", both);
}

#[test]
fn scenarios_lists_builtins() {
    let dir = temp();
    let out = payback(dir.path(), &["scenarios"]);
    insta::assert_snapshot!("scenarios", shown(&out, dir.path()));
}

#[test]
fn init_then_run_gives_the_builtin_output() {
    let dir = temp();
    let init = payback(dir.path(), &["init", "models"]);
    insta::assert_snapshot!("init", shown(&init, dir.path()));
    for name in ["default", "bull", "bear"] {
        let written =
            std::fs::read_to_string(dir.path().join("models").join(format!("{name}.toml")))
                .expect("init wrote the file");
        assert_eq!(written, builtin_text(name));
    }
    let from_files = payback(
        dir.path(),
        &[
            "run",
            "models/default.toml",
            "--overlay",
            "models/bear.toml",
        ],
    );
    let builtin = payback(dir.path(), &["run", "default", "--overlay", "bear"]);
    assert_eq!(from_files.status.code(), Some(0));
    assert_eq!(stdout(&from_files), stdout(&builtin));

    let again = payback(dir.path(), &["init", "models"]);
    assert_eq!(again.status.code(), Some(2));
    insta::assert_snapshot!("init_refuses_to_overwrite", shown(&again, dir.path()));
    let forced = payback(dir.path(), &["init", "models", "--force"]);
    assert_eq!(forced.status.code(), Some(0));
}

#[test]
fn init_companies_writes_company_files_that_run_like_the_builtins() {
    let dir = temp();
    let init = payback(dir.path(), &["init", "models", "--companies"]);
    assert_eq!(init.status.code(), Some(0), "{}", shown(&init, dir.path()));
    let out = stdout(&init);
    for b in payback_input::builtin::all()
        .iter()
        .chain(payback_input::builtin::companies())
    {
        let path = dir.path().join("models").join(format!("{}.toml", b.name));
        let written = std::fs::read_to_string(&path).expect("init wrote the file");
        assert_eq!(written, b.text, "{}", b.name);
        assert!(out.contains(&format!("{}.toml", b.name)), "{}", b.name);
    }
    // The suggested next command still pairs the main scenario with its own overlay.
    assert!(out.contains("next: payback run models/default.toml --overlay models/bear.toml"));
    let from_files = payback(
        dir.path(),
        &[
            "run",
            "models/coreweave.toml",
            "--overlay",
            "models/coreweave-bear.toml",
        ],
    );
    let builtin = payback(
        dir.path(),
        &["run", "coreweave", "--overlay", "coreweave-bear"],
    );
    assert_eq!(from_files.status.code(), Some(0));
    assert_eq!(stdout(&from_files), stdout(&builtin));
}

#[test]
fn error_toml_syntax() {
    let dir = temp();
    std::fs::write(dir.path().join("broken.toml"), "[scenario\nname = \"x\"\n").unwrap();
    let out = payback(dir.path(), &["run", "broken.toml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    insta::assert_snapshot!("error_toml_syntax", shown(&out, dir.path()));
}

#[test]
fn error_unknown_key_with_hint() {
    let dir = temp();
    let text = builtin_text("default").replacen("\nprice_decline =", "\nprice_declin =", 1);
    assert_ne!(text, builtin_text("default"), "the typo was made");
    std::fs::write(dir.path().join("typo.toml"), text).unwrap();
    let out = payback(dir.path(), &["run", "typo.toml"]);
    assert_eq!(out.status.code(), Some(2));
    insta::assert_snapshot!("error_unknown_key", shown(&out, dir.path()));
}

#[test]
fn error_overlay_path_matches_nothing() {
    let dir = temp();
    let overlay = "[overlay]\nname = \"oops\"\n\n[set]\n\"tiers.no-such-tier.premium\" = 2\n";
    std::fs::write(dir.path().join("oops.toml"), overlay).unwrap();
    let out = payback(dir.path(), &["run", "default", "--overlay", "oops.toml"]);
    assert_eq!(out.status.code(), Some(2));
    insta::assert_snapshot!("error_overlay_matches_nothing", shown(&out, dir.path()));
}

#[test]
fn error_missing_scenario_and_usage() {
    let dir = temp();
    let missing = payback(dir.path(), &["run", "no-such-file.toml"]);
    let overlay_as_scenario = payback(dir.path(), &["run", "bear"]);
    let bad_flag = payback(dir.path(), &["run", "--format", "xlsx"]);
    for o in [&missing, &overlay_as_scenario, &bad_flag] {
        assert_eq!(o.status.code(), Some(2));
    }
    let all = [missing, overlay_as_scenario, bad_flag]
        .iter()
        .map(|o| shown(o, dir.path()))
        .collect::<String>();
    insta::assert_snapshot!("error_usage", all);
}

#[test]
fn out_writes_the_file_atomically_and_nothing_on_stdout() {
    let dir = temp();
    let out = payback(
        dir.path(),
        &["run", "--format", "csv", "--out", "report.csv"],
    );
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty() && out.stderr.is_empty());
    let written = std::fs::read_to_string(dir.path().join("report.csv")).unwrap();
    let direct = stdout(&payback(dir.path(), &["run", "--format", "csv"]));
    assert_eq!(written, direct);
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["report.csv"], "no temporary file is left behind");
}

#[test]
fn broken_pipe_ends_quietly() {
    let dir = temp();
    let mut child = command(dir.path(), &["run", "--format", "json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 16];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    // stdout is closed now; the rest of the document cannot be written.
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn help_and_version() {
    let dir = temp();
    let help = payback(dir.path(), &["--help"]);
    let run_help = payback(dir.path(), &["run", "--help"]);
    let version = payback(dir.path(), &["--version"]);
    let all = [help, run_help, version]
        .iter()
        .map(|o| shown(o, dir.path()))
        .collect::<String>();
    insta::assert_snapshot!("help", all);
}
