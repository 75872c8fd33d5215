//! Projections to tables and bytes: terminal text, CSV and JSON with a documented schema.
//!
//! This crate turns finished [`Projection`]s into something a person or a program reads. It
//! computes no model numbers (the engine in `payback-model` does); it only rolls quarters up
//! into years ([`annual`]), rounds for display ([`fmt`]) and writes to any [`std::io::Write`]
//! it is given. It reads no files, no environment and no clock, and never writes to stdout
//! itself.
//!
//! - [`text::render`]: side-by-side headline figures, vintage, annual and utilization tables
//!   for a terminal (fixed width when given).
//! - [`tidy::render`]: one long CSV table, `scenario,period,metric,unit,value`.
//! - [`json::render`]: the `schema_version` 1 document described in `docs/formats.md`.
//! - [`bundle::render`]: everything `payback report` writes (`docs/reports.md`), in memory:
//!   [`html::render`] (self-contained HTML), [`charts`] (SVG with plotters, PNG with resvg and
//!   the embedded DejaVu Sans), [`workbook::render`] (xlsx with live Summary formulas) and
//!   [`wide`] CSV tables; with evidence ([`bundle::render_with_evidence`]), the [`evidence`]
//!   section and sheets.
//!
//! Every renderer takes a slice of [`Run`]s (a label, the scenario settings and the
//! projection) so that base, bull and bear print side by side. `None` prints as `—` in text
//! and as an empty cell or `null` in CSV and JSON; a NaN or an infinity is never printed.
//!
//! ```
//! use payback_report::Inputs;
//! let inputs = Inputs::new(&[("base.toml", "x = 1\n")], vec![]);
//! assert_eq!(inputs.files[0].sha256.len(), 64);
//! ```

pub mod annual;
pub mod assumptions;
pub mod bundle;
pub mod charts;
pub mod evidence;
pub mod fmt;
pub mod html;
pub mod json;
pub mod sensitivity;
pub mod sim;
pub mod summary;
pub mod text;
pub mod tidy;
pub mod wide;
pub mod workbook;

#[cfg(test)]
mod testing;

use payback_model::Projection;
use payback_model::scenario::Settings;
use sha2::{Digest, Sha256};

/// One projection to report, with what is needed to label it.
#[derive(Debug, Clone, Copy)]
pub struct Run<'a> {
    /// Column heading and `scenario` value in CSV (`base+bear`).
    pub label: &'a str,
    /// The scenario's settings (name, horizon, discount rate, fiscal year end).
    pub settings: &'a Settings,
    /// Overlay names applied to the scenario, in order.
    pub overlays: &'a [String],
    /// The projection.
    pub projection: &'a Projection,
    /// Warnings from reading the inputs, as text (the projection's own warnings are added).
    pub input_warnings: &'a [String],
}

impl Run<'_> {
    /// Input warnings, then the projection's warnings.
    pub fn warnings(&self) -> Vec<&str> {
        self.input_warnings
            .iter()
            .chain(&self.projection.warnings)
            .map(String::as_str)
            .collect()
    }
}

/// One input file in the manifest.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct InputFile {
    /// The name as given (a path or a built-in's file name).
    pub name: String,
    /// SHA-256 of the file's text (UTF-8 bytes), lowercase hex.
    pub sha256: String,
}

/// What went into a report: the input files with their hashes, and the overlays applied.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Inputs {
    /// Every input file, in the order read.
    pub files: Vec<InputFile>,
    /// Names of the overlays applied, in order (all runs together).
    pub overlays: Vec<String>,
    /// SHA-256 over the files' hex digests in order, each followed by `\n`: the same as
    /// `sha256sum FILES | cut -d' ' -f1 | sha256sum`. Names do not enter it.
    pub sha256: String,
}

impl Inputs {
    /// The manifest of `(name, text)` input files, in order, and the overlay names.
    pub fn new(files: &[(&str, &str)], overlays: Vec<String>) -> Inputs {
        let files: Vec<InputFile> = files
            .iter()
            .map(|(name, text)| InputFile {
                name: (*name).to_string(),
                sha256: hex(&Sha256::digest(text.as_bytes())),
            })
            .collect();
        let mut all = Sha256::new();
        for f in &files {
            all.update(f.sha256.as_bytes());
            all.update(b"\n");
        }
        Inputs {
            files,
            overlays,
            sha256: hex(&all.finalize()),
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::with_capacity(64), |mut s, b| {
        // Writing to a String cannot fail.
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// The quarter label of projection quarter `i`, or `""` when out of range.
pub(crate) fn quarter_label(p: &Projection, i: usize) -> String {
    p.quarters
        .get(i)
        .map(ToString::to_string)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_hashes_match_sha256sum() {
        // printf 'abc' | sha256sum
        let i = Inputs::new(&[("a.toml", "abc")], vec![]);
        assert_eq!(
            i.files[0].sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        // printf 'ba78...15ad\n' | sha256sum
        let mut h = Sha256::new();
        h.update(b"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\n");
        assert_eq!(i.sha256, hex(&h.finalize()));
    }
}
