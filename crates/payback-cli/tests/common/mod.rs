//! Shared by the integration tests: the `payback` binary run hermetically (no inherited
//! environment, a fixed `COLUMNS`, `NO_COLOR`, stdin closed) and checks of what it printed.

// Each test binary uses only some of these.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_payback");

/// The repository root (examples and shared test data).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `payback` with no inherited environment, `COLUMNS=columns`, `NO_COLOR=1` and stdin
/// closed; the test adds the arguments, the directory and any other variable.
pub fn hermetic(columns: &str) -> Command {
    let mut c = Command::new(BIN);
    c.env_clear()
        .env("COLUMNS", columns)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null());
    c
}

/// Run a command; the binary must start.
pub fn output(c: &mut Command) -> Output {
    c.output().expect("the payback binary runs")
}

/// `payback ARGS` run hermetically in `dir` with `HOME=dir` (so a default evidence database
/// would be inside `dir` too).
pub fn run_in(dir: &Path, args: &[&str]) -> Output {
    output(hermetic("120").args(args).current_dir(dir).env("HOME", dir))
}

/// The stdout of a successful run; otherwise panic with the exit status, stdout and stderr.
pub fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

/// The stdout of a successful run that printed nothing on stderr (no progress bar when stderr
/// is not a terminal); otherwise panic with the exit status and stderr.
pub fn quiet_stdout(o: &Output) -> String {
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

/// A samples file (`simulate --samples`): its header and rows, split on commas (its columns
/// hold no quoted commas).
pub struct Samples {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Samples {
    pub fn parse(csv: &str) -> Samples {
        let split = |l: &str| l.split(',').map(str::to_string).collect::<Vec<_>>();
        let mut lines = csv.lines();
        let header = split(lines.next().expect("a header"));
        Samples {
            header,
            rows: lines.map(split).collect(),
        }
    }

    /// The index of column `name`; panics when there is none.
    pub fn col(&self, name: &str) -> usize {
        self.header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no column {name}"))
    }

    /// Column `name` parsed as numbers, sorted.
    pub fn sorted(&self, name: &str) -> Vec<f64> {
        let c = self.col(name);
        let mut v: Vec<f64> = self.rows.iter().map(|r| r[c].parse().unwrap()).collect();
        v.sort_by(f64::total_cmp);
        v
    }
}

/// Hyndman–Fan type 7 (Excel's PERCENTILE.INC) of sorted values, as an analyst recomputes it.
pub fn type7(sorted: &[f64], p: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * p;
    let lo = h as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}
