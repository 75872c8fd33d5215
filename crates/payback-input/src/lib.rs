//! Scenario TOML and overlays to a validated [`payback_model::Scenario`], with diagnostics that
//! point at the line.
//!
//! The pipeline is: parse every file into a spanned document tree (`tree`), apply the overlays
//! to the scenario's tree in order (`overlay`), then run one schema-driven conversion pass
//! (`convert`, table in [`schema`]) that collects every problem at once. Provenance, file
//! names and lines stay here, in [`ParamValue`]s keyed by parameter path; the model crate sees
//! plain values. Rendering diagnostics for a terminal is the CLI's job.
//!
//! Main items: [`load`], [`Loaded`], [`Diagnostic`], [`codes`], [`schema`], [`builtin`],
//! [`explain_param`].

use std::fmt;
use std::ops::Range;

pub mod builtin;
pub mod codes;
mod convert;
mod explain;
mod overlay;
pub mod schema;
mod tree;
mod uncertainty;

pub use codes::Code;
pub use explain::{ExplainError, explain_param};

/// One input file: its name (what diagnostics print: a path or `builtin:default`) and text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// Name shown in diagnostics.
    pub name: String,
    /// The whole text.
    pub text: String,
}

impl SourceFile {
    /// A file from its name and text.
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> SourceFile {
        SourceFile {
            name: name.into(),
            text: text.into(),
        }
    }
}

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// The scenario cannot be loaded.
    Error,
    /// The scenario loads, but something is probably not what the author meant.
    Warning,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        })
    }
}

/// One problem found in an input file, ready to be rendered by a front end.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    /// Stable code (`P0301`), documented in `docs/errors.md`.
    pub code: Code,
    /// Error or warning.
    pub severity: Severity,
    /// Name of the [`SourceFile`] it points into.
    pub file: String,
    /// Byte range in that file's text (always within it).
    pub span: Range<usize>,
    /// 1-based line of the span start.
    pub line: usize,
    /// 1-based column (in characters) of the span start.
    pub column: usize,
    /// Parameter path, e.g. `generations.B200.unit_cost`.
    pub path: Option<String>,
    /// What is wrong.
    pub message: String,
    /// What was expected: `a number in 0..=1`.
    pub expected: Option<String>,
    /// What was found: `1.5`.
    pub found: Option<String>,
    /// How to fix it: "did you mean `price_decline`?".
    pub hints: Vec<String>,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}[{}]: {}",
            self.file, self.line, self.column, self.severity, self.code, self.message
        )?;
        if let Some(p) = &self.path {
            write!(f, " (path {p})")?;
        }
        match (&self.expected, &self.found) {
            (Some(e), Some(x)) => write!(f, ": expected {e}, found {x}")?,
            (Some(e), None) => write!(f, ": expected {e}")?,
            (None, Some(x)) => write!(f, ": found {x}")?,
            (None, None) => {}
        }
        Ok(())
    }
}

/// Where a value comes from, as written next to it in the scenario file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Provenance {
    /// URL or citation.
    pub source: Option<String>,
    /// Date the value was observed or stated.
    pub as_of: Option<String>,
    /// `reported`, `guidance`, `assumption` or `estimate`.
    pub kind: Option<String>,
    /// Free note.
    pub note: Option<String>,
}

/// A parameter value as loaded.
#[derive(Debug, Clone, PartialEq)]
pub enum ParamScalar {
    /// A number.
    Number(f64),
    /// A string (names, choices, periods).
    Text(String),
    /// A boolean.
    Bool(bool),
}

impl fmt::Display for ParamScalar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParamScalar::Number(v) => write!(f, "{v}"),
            ParamScalar::Text(s) => write!(f, "\"{s}\""),
            ParamScalar::Bool(b) => write!(f, "{b}"),
        }
    }
}

/// One leaf parameter after overlays and defaults, with where it was set.
#[derive(Debug, Clone, PartialEq)]
pub struct ParamValue {
    /// Concrete path, `generations.B200.unit_cost`.
    pub path: String,
    /// The value.
    pub value: ParamScalar,
    /// Unit from the schema (empty when none).
    pub unit: &'static str,
    /// Meaning from the schema.
    pub doc: &'static str,
    /// Provenance written with the value, if any.
    pub provenance: Option<Provenance>,
    /// File that set the value (empty for a default).
    pub file: String,
    /// 1-based line that set the value (0 for a default).
    pub line: usize,
    /// Name of the overlay that last set or scaled the value.
    pub set_by_overlay: Option<String>,
    /// Whether the value is the format's default (the files do not set it).
    pub is_default: bool,
}

/// A loaded scenario: the model's input plus everything the front ends explain.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The validated scenario.
    pub scenario: payback_model::Scenario,
    /// Every leaf parameter after overlays and defaults, in schema order (items in file order).
    pub params: Vec<ParamValue>,
    /// Warnings (severity [`Severity::Warning`]).
    pub warnings: Vec<Diagnostic>,
    /// Names of the overlays applied, in order.
    pub overlay_names: Vec<String>,
    /// Distributions and correlations from `[uncertainty]` and `[correlations]` (scenario and
    /// overlays; empty when none), for Monte Carlo.
    pub uncertainty: payback_model::params::dist::Uncertainty,
}

/// A diagnostic while the file is still an index; converted to [`Diagnostic`] at the end.
#[derive(Debug, Clone)]
pub(crate) struct Diag {
    pub code: Code,
    pub severity: Severity,
    pub file: usize,
    pub span: Range<usize>,
    pub path: Option<String>,
    pub message: String,
    pub expected: Option<String>,
    pub found: Option<String>,
    pub hints: Vec<String>,
}

impl Diag {
    pub fn new(code: Code, file: usize, span: Range<usize>, message: String) -> Diag {
        Diag {
            code,
            severity: Severity::Error,
            file,
            span,
            path: None,
            message,
            expected: None,
            found: None,
            hints: Vec::new(),
        }
    }

    pub fn path(mut self, p: impl Into<String>) -> Diag {
        self.path = Some(p.into());
        self
    }

    pub fn expected(mut self, e: impl Into<String>) -> Diag {
        self.expected = Some(e.into());
        self
    }

    pub fn found(mut self, f: impl Into<String>) -> Diag {
        self.found = Some(f.into());
        self
    }

    pub fn hint(mut self, h: impl Into<String>) -> Diag {
        self.hints.push(h.into());
        self
    }

    pub fn warning(mut self) -> Diag {
        self.severity = Severity::Warning;
        self
    }
}

/// The largest char boundary at or before `i`, within `text`.
fn floor_boundary(text: &str, i: usize) -> usize {
    let mut i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

thread_local! {
    /// The text last asked about and its line starts: every parameter records its line, so a
    /// scan per value made loading quadratic in file size. The cache compares the whole text
    /// (a memcmp), not its address, which a later allocation could reuse.
    static LINE_STARTS: std::cell::RefCell<(String, Vec<usize>)> =
        const { std::cell::RefCell::new((String::new(), Vec::new())) };
}

/// 1-based line and column (in characters) of byte offset `at`.
pub(crate) fn line_col(text: &str, at: usize) -> (usize, usize) {
    let at = floor_boundary(text, at);
    let (line, start) = LINE_STARTS.with(|cell| {
        let mut c = cell.borrow_mut();
        if c.1.is_empty() || c.0 != text {
            c.0.clear();
            c.0.push_str(text);
            c.1.clear();
            c.1.push(0);
            c.1.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        }
        // Index of the last line start at or before `at`.
        let k = c.1.partition_point(|&s| s <= at).saturating_sub(1);
        (k + 1, c.1[k])
    });
    (line, text[start..at].chars().count() + 1)
}

fn finish(d: Diag, files: &[&SourceFile]) -> Diagnostic {
    let (name, text) = files
        .get(d.file)
        .map_or(("", ""), |f| (f.name.as_str(), f.text.as_str()));
    // Spans from the parser and from edits are clamped so that renderers can slice safely.
    let start = floor_boundary(text, d.span.start);
    let end = floor_boundary(text, d.span.end.max(start));
    let (line, column) = line_col(text, start);
    Diagnostic {
        code: d.code,
        severity: d.severity,
        file: name.to_string(),
        span: start..end,
        line,
        column,
        path: d.path,
        message: d.message,
        expected: d.expected,
        found: d.found,
        hints: d.hints,
    }
}

/// Load a scenario and apply overlays in order. Returns every error found (after a syntax
/// error, only the syntax errors), warnings included, ordered by file and position.
pub fn load(main: &SourceFile, overlays: &[SourceFile]) -> Result<Loaded, Vec<Diagnostic>> {
    load_impl(main, overlays, None)
}

/// One change of an overlay: a `[set]` or `[scale]` entry, in the order overlays apply them
/// (every `[set]` entry in file order, then every `[scale]` entry).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverlayStep {
    /// The parameter path as written.
    pub path: String,
    /// What it does, e.g. `set compute.market_margin = 0.10` or `scale … x 0.8`.
    pub description: String,
    /// 1-based line of the entry in the overlay file.
    pub line: usize,
}

/// The changes of an overlay, in the order they apply (for the sensitivity bridge). Syntax
/// errors come back as diagnostics; whether the paths exist is checked by [`load`].
pub fn overlay_steps(file: &SourceFile) -> Result<Vec<OverlayStep>, Vec<Diagnostic>> {
    let mut diags = Vec::new();
    let files = [file];
    let Ok(root) = tree::parse(0, &file.text, &mut diags) else {
        return Err(sorted(diags.into_iter(), &files));
    };
    let steps = overlay::entries(&root)
        .into_iter()
        .map(|(path, scale, node)| {
            let shown = match &node.kind {
                tree::Kind::Str(s) => format!("\"{s}\""),
                tree::Kind::Bool(b) => b.to_string(),
                _ => match node.number() {
                    Some(v) => format!("{v}"),
                    None => {
                        let text = file.text.get(node.span.clone()).unwrap_or("…");
                        let first = text.lines().next().unwrap_or("…").trim();
                        first.to_string()
                    }
                },
            };
            let description = if scale {
                format!("scale {path} x {shown}")
            } else {
                format!("set {path} = {shown}")
            };
            OverlayStep {
                line: line_col(&file.text, node.key_span.start).0,
                path,
                description,
            }
        })
        .collect();
    Ok(steps)
}

/// Load a scenario with overlays, applying only the first `steps` changes of the **last**
/// overlay (in the order of [`overlay_steps`]); the other overlays apply whole. With no
/// overlay this is [`load`]. For the sensitivity bridge, which applies an overlay change by
/// change.
pub fn load_partial(
    main: &SourceFile,
    overlays: &[SourceFile],
    steps: usize,
) -> Result<Loaded, Vec<Diagnostic>> {
    load_impl(main, overlays, Some(steps))
}

fn load_impl(
    main: &SourceFile,
    overlays: &[SourceFile],
    last_limit: Option<usize>,
) -> Result<Loaded, Vec<Diagnostic>> {
    let files: Vec<&SourceFile> = std::iter::once(main).chain(overlays.iter()).collect();
    let mut diags = Vec::new();
    let parsed: Vec<Option<tree::Node>> = files
        .iter()
        .enumerate()
        .map(|(i, f)| tree::parse(i, &f.text, &mut diags).ok())
        .collect();
    let mut trees = Vec::with_capacity(parsed.len());
    for t in parsed {
        match t {
            Some(t) => trees.push(t),
            None => {
                return Err(sorted(
                    diags.into_iter().filter(|d| d.code == Code::P0101),
                    &files,
                ));
            }
        }
    }
    let taken: Vec<uncertainty::Taken> = trees.iter_mut().map(uncertainty::take).collect();
    let mut trees = trees.into_iter();
    let Some(mut root) = trees.next() else {
        return Err(Vec::new());
    };
    let mut overlay_names = Vec::new();
    for (k, ov) in trees.enumerate() {
        let limit = last_limit.filter(|_| k + 2 == files.len());
        let name = overlay::apply(&mut root, &ov, k, &files[k + 1].name, limit, &mut diags);
        overlay_names.push(name);
    }
    let converted = convert::convert(&root, &files, &overlay_names, &mut diags);
    let uncertainty = match &converted {
        Some((scenario, _)) => uncertainty::build(&taken, &files, scenario, &mut diags),
        None => Default::default(),
    };
    let has_error = diags.iter().any(|d| d.severity == Severity::Error);
    match converted {
        Some((scenario, params)) if !has_error => Ok(Loaded {
            scenario,
            params,
            warnings: sorted(diags.into_iter(), &files),
            overlay_names,
            uncertainty,
        }),
        _ => {
            if !has_error {
                // The conversion failed without saying why: a bug, but still not a panic.
                diags.push(Diag::new(
                    Code::P0104,
                    0,
                    0..0,
                    "the scenario is incomplete".into(),
                ));
            }
            Err(sorted(diags.into_iter(), &files))
        }
    }
}

fn sorted(diags: impl Iterator<Item = Diag>, files: &[&SourceFile]) -> Vec<Diagnostic> {
    let mut v: Vec<Diag> = diags.collect();
    v.sort_by_key(|d| (d.file, d.span.start));
    v.into_iter().map(|d| finish(d, files)).collect()
}

/// Levenshtein distance, for "did you mean" hints (shared with `payback explain`).
pub(crate) use payback_model::explain::edit_distance;

/// The candidate closest to `word`, if close enough to be a plausible typo.
pub(crate) fn closest<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).max(2);
    candidates
        .into_iter()
        .map(|c| (edit_distance(word, c), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}
