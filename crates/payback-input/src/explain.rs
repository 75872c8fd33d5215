//! `payback explain <path>`: find the loaded parameters a path names (wildcards and prefixes
//! allowed), or say which paths come closest.

use std::fmt;

use crate::{Loaded, ParamValue, closest};

/// A path that names no parameter, with the closest ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExplainError {
    /// What is wrong.
    pub message: String,
    /// Parameter paths that come closest.
    pub suggestions: Vec<String>,
}

impl fmt::Display for ExplainError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if !self.suggestions.is_empty() {
            write!(
                f,
                "; did you mean {}?",
                self.suggestions
                    .iter()
                    .map(|s| format!("`{s}`"))
                    .collect::<Vec<_>>()
                    .join(" or ")
            )?;
        }
        Ok(())
    }
}

impl std::error::Error for ExplainError {}

/// Whether `path` matches `pattern` segment by segment (`*` = any one segment), or lies under
/// it (`generations.B200` matches every key of that generation).
fn matches(pattern: &[&str], path: &str) -> bool {
    let segs: Vec<&str> = path.split('.').collect();
    segs.len() >= pattern.len() && pattern.iter().zip(&segs).all(|(p, s)| *p == "*" || p == s)
}

/// The parameters `path` names: a full path (`inference.price_decline`), a pattern with `*`
/// (`tiers.*.premium_decay`), or a prefix (`contracts.lab-a`). Unknown paths come back with
/// the closest known ones.
pub fn explain_param<'a>(
    loaded: &'a Loaded,
    path: &str,
) -> Result<Vec<&'a ParamValue>, ExplainError> {
    let pattern: Vec<&str> = path.trim().split('.').collect();
    let found: Vec<&ParamValue> = loaded
        .params
        .iter()
        .filter(|p| matches(&pattern, &p.path))
        .collect();
    if !found.is_empty() {
        return Ok(found);
    }
    let mut suggestions: Vec<String> = Vec::new();
    if let Some(c) = closest(path, loaded.params.iter().map(|p| p.path.as_str())) {
        suggestions.push(c.to_string());
    }
    // A typo in the last segment: compare it with the keys under the same prefix.
    if let Some((prefix, last)) = path.rsplit_once('.') {
        let under: Vec<&str> = loaded
            .params
            .iter()
            .filter_map(|p| {
                p.path
                    .strip_prefix(prefix)
                    .and_then(|r| r.strip_prefix('.'))
            })
            .filter(|r| !r.contains('.'))
            .collect();
        if let Some(c) = closest(last, under) {
            let s = format!("{prefix}.{c}");
            if !suggestions.contains(&s) {
                suggestions.push(s);
            }
        }
    } else if let Some(c) = closest(path, crate::schema::keys().iter().map(|k| k.key()))
        && let Some(p) = loaded
            .params
            .iter()
            .find(|p| p.path.ends_with(&format!(".{c}")))
    {
        suggestions.push(p.path.clone());
    }
    Err(ExplainError {
        message: format!("no parameter `{path}` in this scenario"),
        suggestions,
    })
}
