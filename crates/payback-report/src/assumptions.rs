//! The assumptions behind a run, as the reports list them: every parameter with its value,
//! unit, provenance and source.
//!
//! This crate does not read scenario files; the caller (the CLI) converts what the input
//! crate loaded into these plain records, one list per run.

/// A parameter's value.
#[derive(Debug, Clone, PartialEq)]
pub enum AssumptionValue {
    /// A number, in the parameter's unit.
    Number(f64),
    /// Text: a name, a choice, a period.
    Text(String),
    /// Yes or no.
    Bool(bool),
}

impl AssumptionValue {
    /// The value as a person reads it, without its unit: numbers with six significant digits
    /// and thousands separators (a `ratio` also as a percentage), text as is.
    pub fn display(&self, unit: &str) -> String {
        match self {
            AssumptionValue::Number(x) if unit == "ratio" => {
                format!("{} ({})", crate::fmt::sig6(*x), crate::fmt::pct(*x))
            }
            AssumptionValue::Number(x) => crate::fmt::sig6(*x),
            AssumptionValue::Text(s) => s.clone(),
            AssumptionValue::Bool(b) => if *b { "yes" } else { "no" }.to_string(),
        }
    }
}

/// One parameter after overlays and defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct Assumption {
    /// Concrete path, `generations.B200.unit_cost`.
    pub path: String,
    /// The value.
    pub value: AssumptionValue,
    /// Unit (empty when none).
    pub unit: String,
    /// What the parameter means.
    pub doc: String,
    /// `reported`, `guidance`, `assumption` or `estimate`, as written with the value.
    pub kind: Option<String>,
    /// When the value was observed or stated.
    pub as_of: Option<String>,
    /// URL or citation.
    pub source: Option<String>,
    /// Free note.
    pub note: Option<String>,
    /// Where it was set: `default.toml:12`, or `default` for the format's default.
    pub origin: String,
    /// The overlay that last set or scaled it, if any.
    pub overlay: Option<String>,
}

impl Assumption {
    /// The source when it is a web link (`http://` or `https://`, no spaces or quotes).
    pub fn source_url(&self) -> Option<&str> {
        let s = self.source.as_deref()?.trim();
        let is_url = (s.starts_with("https://") || s.starts_with("http://"))
            && !s.contains(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '>'));
        is_url.then_some(s)
    }
}

/// The assumptions of every run, merged by path in order of first appearance: one row per
/// path, with each run's value (`None` where a run does not have the parameter).
pub fn merged<'a>(
    per_run: &'a [Vec<Assumption>],
) -> Vec<(&'a Assumption, Vec<Option<&'a Assumption>>)> {
    let mut order: Vec<&'a str> = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for list in per_run {
        for a in list {
            if seen.insert(a.path.as_str()) {
                order.push(a.path.as_str());
            }
        }
    }
    order
        .into_iter()
        .filter_map(|path| {
            let each: Vec<Option<&Assumption>> = per_run
                .iter()
                .map(|list| list.iter().find(|a| a.path == path))
                .collect();
            let first = each.iter().flatten().next().copied()?;
            Some((first, each))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(path: &str, v: f64, source: Option<&str>) -> Assumption {
        Assumption {
            path: path.into(),
            value: AssumptionValue::Number(v),
            unit: "ratio".into(),
            doc: String::new(),
            kind: None,
            as_of: None,
            source: source.map(Into::into),
            note: None,
            origin: "default".into(),
            overlay: None,
        }
    }

    #[test]
    fn merges_by_path_and_recognises_links() {
        let runs = vec![
            vec![
                a("x", 1.0, Some("https://example.com/a")),
                a("y", 2.0, None),
            ],
            vec![a("y", 3.0, Some("10-K 2024, p. 3")), a("z", 4.0, None)],
        ];
        let m = merged(&runs);
        let paths: Vec<&str> = m.iter().map(|(a, _)| a.path.as_str()).collect();
        assert_eq!(paths, ["x", "y", "z"]);
        assert!(m[0].1[1].is_none());
        assert_eq!(
            m[1].1[1].map(|a| &a.value),
            Some(&AssumptionValue::Number(3.0))
        );
        assert_eq!(runs[0][0].source_url(), Some("https://example.com/a"));
        assert_eq!(runs[1][0].source_url(), None);
        assert_eq!(a("q", 0.0, Some("https://x y")).source_url(), None);
    }
}
