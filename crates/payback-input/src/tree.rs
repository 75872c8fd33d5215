//! The spanned document tree: TOML parsed into tables that keep key order, where every node
//! remembers its file, the span of its key and value, and which overlay last changed it.
//!
//! Overlays edit this tree (`overlay.rs`) before the single conversion pass (`convert.rs`)
//! reads it, so that every diagnostic and every `explain` line points at the text that set
//! the value, base file or overlay.

use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::codes::Code;
use crate::{Diag, Severity};

/// A value in the document tree.
#[derive(Debug, Clone)]
pub(crate) struct Node {
    pub kind: Kind,
    /// Index of the file (0 = main scenario, k = overlay k - 1).
    pub file: usize,
    /// Span of the key that introduced the node (the value span for array items).
    pub key_span: Range<usize>,
    /// Span of the value (of the header for a `[table]` or `[[array]]` item).
    pub span: Range<usize>,
    /// Index of the overlay (into the overlay list) that last set or scaled this node.
    pub overlay: Option<usize>,
}

/// What a node holds.
#[derive(Debug, Clone)]
pub(crate) enum Kind {
    Str(String),
    Num(f64),
    Bool(bool),
    /// A TOML date or time (no key accepts one; kept for the type error).
    Datetime,
    /// A number that was already reported as not finite; never reported again.
    Invalid,
    Array(Vec<Node>),
    Table(Vec<(String, Node)>),
}

impl Kind {
    /// The TOML type name for "found" in diagnostics.
    pub fn type_name(&self) -> &'static str {
        match self {
            Kind::Str(_) => "a string",
            Kind::Num(_) | Kind::Invalid => "a number",
            Kind::Bool(_) => "a boolean",
            Kind::Datetime => "a date",
            Kind::Array(_) => "an array",
            Kind::Table(_) => "a table",
        }
    }
}

impl Node {
    /// The entries of a table node.
    pub fn entries(&self) -> Option<&[(String, Node)]> {
        match &self.kind {
            Kind::Table(e) => Some(e),
            _ => None,
        }
    }

    /// The entry `key` of a table node.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entries()?
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, n)| n)
    }

    /// Mutable entry `key` of a table node.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Node> {
        match &mut self.kind {
            Kind::Table(e) => e.iter_mut().find(|(k, _)| k == key).map(|(_, n)| n),
            _ => None,
        }
    }

    /// A string value.
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            Kind::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The number a node holds, directly or as the `value` of a provenance table.
    pub fn number(&self) -> Option<f64> {
        match &self.kind {
            Kind::Num(v) => Some(*v),
            Kind::Table(_) => self.get("value").and_then(|v| match v.kind {
                Kind::Num(x) => Some(x),
                _ => None,
            }),
            _ => None,
        }
    }
}

/// Parse one file into a root table node, reporting syntax errors (P0101) and numbers that are
/// not finite (P0304). `Err` when the syntax is wrong: nothing else is checked then.
pub(crate) fn parse(file: usize, text: &str, diags: &mut Vec<Diag>) -> Result<Node, ()> {
    let (table, errors) = DeTable::parse_recoverable(text);
    if !errors.is_empty() {
        for e in errors {
            let span = e.span().unwrap_or(0..0);
            diags.push(Diag::new(
                Code::P0101,
                file,
                span,
                format!("syntax error: {}", e.message()),
            ));
        }
        return Err(());
    }
    let span = table.span();
    let root = Spanned::new(span.clone(), DeValue::Table(table.into_inner()));
    Ok(convert(file, &root, 0..0, "", diags))
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}

fn convert(
    file: usize,
    v: &Spanned<DeValue<'_>>,
    key_span: Range<usize>,
    path: &str,
    diags: &mut Vec<Diag>,
) -> Node {
    let span = v.span();
    let kind = match v.get_ref() {
        DeValue::String(s) => Kind::Str(s.to_string()),
        DeValue::Boolean(b) => Kind::Bool(*b),
        DeValue::Datetime(_) => Kind::Datetime,
        DeValue::Integer(i) => {
            // i64 covers every integer a scenario needs; beyond it f64 would lose digits anyway.
            match i64::from_str_radix(&i.as_str().replace('_', ""), i.radix()) {
                // i64 -> f64 may round beyond 2^53; such magnitudes are far outside any range.
                Ok(n) => Kind::Num(n as f64),
                Err(_) => {
                    diags.push(not_finite(file, span.clone(), path, &i.to_string()));
                    Kind::Invalid
                }
            }
        }
        DeValue::Float(f) => match f.as_str().replace('_', "").parse::<f64>() {
            Ok(x) if x.is_finite() => Kind::Num(x),
            _ => {
                diags.push(not_finite(file, span.clone(), path, f.as_str()));
                Kind::Invalid
            }
        },
        DeValue::Array(a) => Kind::Array(
            a.iter()
                .enumerate()
                .map(|(i, item)| {
                    convert(file, item, item.span(), &join(path, &i.to_string()), diags)
                })
                .collect(),
        ),
        DeValue::Table(t) => {
            let mut entries: Vec<(String, Node)> = t
                .iter()
                .map(|(k, val)| {
                    let p = join(path, k.get_ref());
                    (
                        k.get_ref().to_string(),
                        convert(file, val, k.span(), &p, diags),
                    )
                })
                .collect();
            // toml's map is sorted by key; the file order is the order of the key spans.
            entries.sort_by_key(|(_, n)| n.key_span.start);
            Kind::Table(entries)
        }
    };
    Node {
        kind,
        file,
        key_span,
        span,
        overlay: None,
    }
}

fn not_finite(file: usize, span: Range<usize>, path: &str, found: &str) -> Diag {
    let mut d = Diag::new(
        Code::P0304,
        file,
        span,
        "number is not finite or too large".to_string(),
    );
    d.severity = Severity::Error;
    d.path = (!path.is_empty()).then(|| path.to_string());
    d.expected = Some("a finite number".to_string());
    d.found = Some(found.to_string());
    d
}
