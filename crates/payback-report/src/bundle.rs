//! Everything `payback report` writes, rendered in memory: the HTML report, the charts as
//! SVG and PNG, the workbook, the wide CSVs and the JSON document.
//!
//! Nothing here touches the file system: [`render`] returns every file as a relative path and
//! its bytes, so the caller can check that all of them rendered before it writes any (and then
//! write each atomically). The same inputs give the same bytes.

use crate::assumptions::Assumption;
use crate::charts::uncertainty::{self, Uncertainty};
use crate::charts::{self, ChartError, PngError, model};
use crate::evidence::Evidence;
use crate::{Inputs, Run, html, json, wide, workbook};

/// What a report is made from.
#[derive(Debug, Clone, Copy)]
pub struct Report<'a> {
    /// The runs, base first (base, bull, bear when the built-in default is used).
    pub runs: &'a [Run<'a>],
    /// The assumptions of each run, in the order of `runs`.
    pub assumptions: &'a [Vec<Assumption>],
    /// The input manifest.
    pub inputs: &'a Inputs,
    /// Monte Carlo results, when the scenario defines uncertainty and they were computed.
    pub uncertainty: Option<&'a Uncertainty>,
}

/// One file of the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    /// Path relative to the output directory, `/`-separated (`charts/jcurve.svg`).
    pub path: String,
    /// The contents.
    pub bytes: Vec<u8>,
}

/// Why a report could not be rendered (each a bug or an input the formats cannot hold).
#[derive(Debug)]
pub enum ReportError {
    /// A chart could not be drawn.
    Chart(ChartError),
    /// A chart could not be rasterised.
    Png(PngError),
    /// The workbook writer refused the content.
    Workbook(String),
    /// A text renderer failed.
    Io(std::io::Error),
}

impl std::fmt::Display for ReportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReportError::Chart(e) => write!(f, "{e}"),
            ReportError::Png(e) => write!(f, "{e}"),
            ReportError::Workbook(e) => write!(f, "cannot write the workbook: {e}"),
            ReportError::Io(e) => write!(f, "cannot render the report: {e}"),
        }
    }
}

impl std::error::Error for ReportError {}

impl From<ChartError> for ReportError {
    fn from(e: ChartError) -> Self {
        ReportError::Chart(e)
    }
}

impl From<PngError> for ReportError {
    fn from(e: PngError) -> Self {
        ReportError::Png(e)
    }
}

impl From<std::io::Error> for ReportError {
    fn from(e: std::io::Error) -> Self {
        ReportError::Io(e)
    }
}

/// The file names at the top of the output directory, in the order they are written.
pub const FILES: [&str; 5] = [
    "report.html",
    "workbook.xlsx",
    "quarterly.csv",
    "annual.csv",
    "summary.json",
];

/// Every chart of the report: the deterministic ones, then the uncertainty ones.
///
/// # Errors
/// Only on a drawing bug.
pub fn all_charts(r: &Report<'_>) -> Result<Vec<charts::Chart>, ChartError> {
    let mut all = model::all(r.runs)?;
    if let Some(u) = r.uncertainty {
        all.extend(uncertainty::all(u)?);
    }
    Ok(all)
}

/// Render every file of the report.
///
/// # Errors
/// See [`ReportError`]; none of them depends on the scenario's numbers, which are always
/// finite.
pub fn render(r: &Report<'_>) -> Result<Vec<OutputFile>, ReportError> {
    render_with_evidence(r, None)
}

/// [`render`], with the Evidence section in `report.html` and the Evidence and Weights sheets
/// in `workbook.xlsx` when `evidence` is given (`payback report --evidence-db`). With `None`
/// the bytes are exactly those of [`render`].
///
/// # Errors
/// As [`render`].
pub fn render_with_evidence(
    r: &Report<'_>,
    evidence: Option<&Evidence>,
) -> Result<Vec<OutputFile>, ReportError> {
    let charts = all_charts(r)?;
    let mut out = Vec::with_capacity(FILES.len() + charts.len() * 2);
    let html = html::render_with_evidence(
        r.runs,
        r.assumptions,
        r.inputs,
        &charts,
        r.uncertainty,
        evidence,
    );
    out.push(OutputFile {
        path: "report.html".into(),
        bytes: html.into_bytes(),
    });
    let xlsx = workbook::render_with_evidence(r.runs, r.assumptions, r.uncertainty, evidence)
        .map_err(|e| ReportError::Workbook(e.to_string()))?;
    out.push(OutputFile {
        path: "workbook.xlsx".into(),
        bytes: xlsx,
    });
    let mut q = Vec::new();
    wide::quarterly(&mut q, r.runs)?;
    out.push(OutputFile {
        path: "quarterly.csv".into(),
        bytes: q,
    });
    let mut a = Vec::new();
    wide::annual(&mut a, r.runs)?;
    out.push(OutputFile {
        path: "annual.csv".into(),
        bytes: a,
    });
    let mut j = Vec::new();
    json::render(&mut j, r.inputs, r.runs)?;
    out.push(OutputFile {
        path: "summary.json".into(),
        bytes: j,
    });
    for (path, bytes) in charts::files(&charts)? {
        out.push(OutputFile { path, bytes });
    }
    Ok(out)
}
