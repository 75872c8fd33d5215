//! `[uncertainty]` and `[correlations]`: distributions on parameter paths, in the scenario
//! and in overlays (`docs/simulation.md`).
//!
//! ```toml
//! [uncertainty]
//! "inference.price_decline" = { dist = "pert", min = 0.3, mode = 0.5, max = 0.8 }
//! "generations[launch>=2027Q1].unit_cost" = { dist = "triangular", min = 0.7, mode = 1.0, max = 1.1, scale = true }
//!
//! [correlations]
//! paths = ["inference.price_decline", "compute.market_margin"]
//! matrix = [[1.0, -0.4], [-0.4, 1.0]]
//! ```
//!
//! Both tables are taken out of each file's tree before overlays and conversion (the scenario
//! schema does not know them), then checked against the converted scenario: every path must
//! resolve to numeric parameters (`payback_model::params`), every distribution's parameters
//! must be valid, and the correlation matrix must be symmetric with a unit diagonal,
//! entries in [-1, 1], positive definite, over paths that have a distribution. An overlay's
//! entries replace the scenario's for the same path (or add new ones); an overlay's
//! `[correlations]` replaces the scenario's.

use payback_model::Scenario;
use payback_model::params::dist::{Correlation, Dist, DistError, Uncertain, Uncertainty, cholesky};
use payback_model::params::{self, ParamError};

use crate::codes::Code;
use crate::tree::{Kind, Node};
use crate::{Diag, closest};

/// The two tables taken out of one file.
#[derive(Debug, Clone, Default)]
pub(crate) struct Taken {
    uncertainty: Option<Node>,
    correlations: Option<Node>,
}

/// Remove `[uncertainty]` and `[correlations]` from a file's root table.
pub(crate) fn take(root: &mut Node) -> Taken {
    let mut t = Taken::default();
    if let Kind::Table(entries) = &mut root.kind {
        let mut k = 0;
        while k < entries.len() {
            match entries[k].0.as_str() {
                "uncertainty" => t.uncertainty = Some(entries.remove(k).1),
                "correlations" => t.correlations = Some(entries.remove(k).1),
                _ => k += 1,
            }
        }
    }
    t
}

const DISTS: &[&str] = &[
    "normal",
    "lognormal",
    "triangular",
    "pert",
    "uniform",
    "discrete",
    "bernoulli",
];

const PROVENANCE: &[&str] = &["source", "as_of", "kind", "note"];

/// Keys each distribution accepts (besides `dist`, `scale`, `truncate` and provenance).
fn keys_of(dist: &str) -> &'static [&'static str] {
    match dist {
        "normal" => &["mean", "sd"],
        "lognormal" => &["mean", "sd", "mu", "sigma", "p5", "p95"],
        "triangular" => &["min", "mode", "max"],
        "pert" => &["min", "mode", "max", "lambda"],
        "uniform" => &["min", "max"],
        "discrete" => &["values", "weights"],
        "bernoulli" => &["p", "value", "otherwise"],
        _ => &[],
    }
}

struct Entry<'a> {
    path: String,
    node: &'a Node,
}

/// Build the uncertainty of a loaded scenario from the tables taken out of each file.
pub(crate) fn build(
    taken: &[Taken],
    files: &[&crate::SourceFile],
    s: &Scenario,
    diags: &mut Vec<Diag>,
) -> Uncertainty {
    // Later files replace earlier entries with the same path.
    let mut entries: Vec<Entry<'_>> = Vec::new();
    for t in taken {
        let Some(u) = &t.uncertainty else { continue };
        let Some(items) = u.entries() else {
            diags.push(
                Diag::new(
                    Code::P0501,
                    u.file,
                    u.span.clone(),
                    "`uncertainty` must be a table of `\"path\" = { dist = … }`".into(),
                )
                .found(u.kind.type_name()),
            );
            continue;
        };
        for (path, node) in items {
            match entries.iter_mut().find(|e| &e.path == path) {
                Some(e) => e.node = node,
                None => entries.push(Entry {
                    path: path.clone(),
                    node,
                }),
            }
        }
    }
    let mut out = Uncertainty::default();
    for e in &entries {
        let slots_ok = match params::resolve(s, &e.path) {
            Ok(_) => true,
            Err(err) => {
                diags.push(path_diag(e.node, &e.path, &err));
                false
            }
        };
        if let Some((dist, scale)) = dist_of(e.node, &e.path, s, diags)
            && slots_ok
        {
            let (name, line) = files.get(e.node.file).map_or((String::new(), 0), |f| {
                (
                    f.name.clone(),
                    crate::line_col(&f.text, e.node.key_span.start).0,
                )
            });
            out.params.push(Uncertain {
                path: e.path.clone(),
                dist,
                scale,
                origin: (name, line),
            });
        }
    }
    let corr = taken.iter().rev().find_map(|t| t.correlations.as_ref());
    if let Some(c) = corr {
        out.correlation = correlation(c, &entries, diags);
    }
    out
}

fn path_diag(node: &Node, path: &str, err: &ParamError) -> Diag {
    let mut d = Diag::new(
        Code::P0504,
        node.file,
        node.key_span.clone(),
        format!("uncertain path `{path}` does not name a numeric parameter: {err}"),
    )
    .path(path.to_string());
    if let ParamError::Unknown { segment, valid } = err
        && let Some(c) = closest(segment, valid.iter().map(String::as_str))
    {
        d = d.hint(format!("did you mean `{c}`?"));
    }
    d
}

fn num(node: &Node, key: &str) -> Option<f64> {
    node.get(key).and_then(|n| match n.kind {
        Kind::Num(v) => Some(v),
        _ => None,
    })
}

fn numbers(node: &Node) -> Option<Vec<f64>> {
    match &node.kind {
        Kind::Array(items) => items
            .iter()
            .map(|n| match n.kind {
                Kind::Num(v) => Some(v),
                _ => None,
            })
            .collect(),
        _ => None,
    }
}

/// The distribution of one entry; `None` after reporting what is wrong.
fn dist_of(node: &Node, path: &str, s: &Scenario, diags: &mut Vec<Diag>) -> Option<(Dist, bool)> {
    let bad = |span: std::ops::Range<usize>, code: Code, msg: String| {
        Diag::new(code, node.file, span, msg).path(path.to_string())
    };
    let Some(items) = node.entries() else {
        diags.push(
            bad(
                node.span.clone(),
                Code::P0501,
                format!("the distribution of `{path}` must be a table"),
            )
            .expected("{ dist = \"pert\", min = …, mode = …, max = … }")
            .found(node.kind.type_name()),
        );
        return None;
    };
    let Some(name) = node.get("dist").and_then(Node::as_str) else {
        diags.push(
            bad(
                node.span.clone(),
                Code::P0501,
                format!("the distribution of `{path}` has no `dist`"),
            )
            .expected(format!("`dist` = one of {}", DISTS.join(", "))),
        );
        return None;
    };
    let dist_node = node.get("dist").unwrap_or(node);
    if !DISTS.contains(&name) {
        let mut d = bad(
            dist_node.span.clone(),
            Code::P0501,
            format!("unknown distribution `{name}`"),
        )
        .expected(format!("one of {}", DISTS.join(", ")))
        .found(format!("\"{name}\""));
        if let Some(c) = closest(name, DISTS.iter().copied()) {
            d = d.hint(format!("did you mean `{c}`?"));
        }
        diags.push(d);
        return None;
    }
    let allowed = keys_of(name);
    let mut ok = true;
    for (k, n) in items {
        let common =
            ["dist", "scale", "truncate"].contains(&k.as_str()) || PROVENANCE.contains(&k.as_str());
        if !common && !allowed.contains(&k.as_str()) {
            let mut d = bad(
                n.key_span.clone(),
                Code::P0501,
                format!("`{name}` takes no key `{k}`"),
            )
            .expected(format!("keys {}", allowed.join(", ")));
            if let Some(c) = closest(k, allowed.iter().copied()) {
                d = d.hint(format!("did you mean `{c}`?"));
            }
            diags.push(d);
            ok = false;
            continue;
        }
        let numeric = !matches!(
            k.as_str(),
            "dist" | "scale" | "truncate" | "values" | "weights"
        ) && !PROVENANCE.contains(&k.as_str());
        if numeric && !matches!(n.kind, Kind::Num(_) | Kind::Invalid) {
            diags.push(
                bad(n.span.clone(), Code::P0102, format!("wrong type for `{k}`"))
                    .expected("a number")
                    .found(n.kind.type_name()),
            );
            ok = false;
        }
    }
    let scale = match node.get("scale") {
        None => false,
        Some(n) => match n.kind {
            Kind::Bool(b) => b,
            _ => {
                diags.push(
                    bad(n.span.clone(), Code::P0102, "wrong type for `scale`".into())
                        .expected("a boolean")
                        .found(n.kind.type_name()),
                );
                return None;
            }
        },
    };
    if !ok {
        return None;
    }
    let missing = |keys: &[&str], diags: &mut Vec<Diag>| -> bool {
        let absent: Vec<&str> = keys
            .iter()
            .copied()
            .filter(|k| node.get(k).is_none())
            .collect();
        if absent.is_empty() {
            return false;
        }
        diags.push(bad(
            node.span.clone(),
            Code::P0501,
            format!(
                "`{name}` needs {}",
                absent
                    .iter()
                    .map(|k| format!("`{k}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
        true
    };
    let g = |k: &str| num(node, k).unwrap_or(0.0);
    let result: Result<Dist, DistError> = match name {
        "normal" => {
            if missing(&["mean", "sd"], diags) {
                return None;
            }
            Dist::normal(g("mean"), g("sd"))
        }
        "lognormal" => {
            if node.get("p5").is_some() || node.get("p95").is_some() {
                if missing(&["p5", "p95"], diags) {
                    return None;
                }
                Dist::lognormal_p5_p95(g("p5"), g("p95"))
            } else if node.get("mu").is_some() || node.get("sigma").is_some() {
                if missing(&["mu", "sigma"], diags) {
                    return None;
                }
                Dist::lognormal_log(g("mu"), g("sigma"))
            } else {
                if missing(&["mean", "sd"], diags) {
                    return None;
                }
                Dist::lognormal_mean_sd(g("mean"), g("sd"))
            }
        }
        "triangular" => {
            if missing(&["min", "mode", "max"], diags) {
                return None;
            }
            Dist::triangular(g("min"), g("mode"), g("max"))
        }
        "pert" => {
            if missing(&["min", "mode", "max"], diags) {
                return None;
            }
            Dist::pert(
                g("min"),
                g("mode"),
                g("max"),
                num(node, "lambda").unwrap_or(4.0),
            )
        }
        "uniform" => {
            if missing(&["min", "max"], diags) {
                return None;
            }
            Dist::uniform(g("min"), g("max"))
        }
        "discrete" => {
            if missing(&["values", "weights"], diags) {
                return None;
            }
            let mut lists = Vec::new();
            for k in ["values", "weights"] {
                let n = node.get(k).unwrap_or(node);
                match numbers(n) {
                    Some(v) => lists.push(v),
                    None => {
                        diags.push(
                            bad(n.span.clone(), Code::P0102, format!("wrong type for `{k}`"))
                                .expected("an array of numbers")
                                .found(n.kind.type_name()),
                        );
                        return None;
                    }
                }
            }
            Dist::discrete(&lists[0], &lists[1])
        }
        _ => {
            if missing(&["p", "value"], diags) {
                return None;
            }
            let otherwise = match num(node, "otherwise") {
                Some(v) => v,
                None if scale => 1.0,
                None => {
                    // The parameter's own value, when every slot shares it.
                    let slots = params::resolve(s, path).unwrap_or_default();
                    let vals: Vec<f64> = slots.iter().map(|&sl| params::get(s, sl)).collect();
                    match vals.first() {
                        Some(&v) if vals.iter().all(|&x| x == v) => v,
                        _ => {
                            diags.push(bad(
                                node.span.clone(),
                                Code::P0501,
                                format!("`{path}` selects values that differ: give `otherwise`"),
                            ));
                            return None;
                        }
                    }
                }
            };
            Dist::bernoulli(g("p"), g("value"), otherwise)
        }
    };
    let result = result
        .and_then(|d| match node.get("truncate") {
            None => Ok(d),
            Some(t) => match numbers(t).as_deref() {
                Some([lo, hi]) => d.truncated(*lo, *hi),
                _ => Err(DistError {
                    key: Some("truncate"),
                    message: "`truncate` must be `[lo, hi]`".into(),
                }),
            },
        })
        .and_then(|d| d.check_finite_draws().map(|()| d));
    match result {
        Ok(d) => Some((d, scale)),
        Err(e) => {
            let at = e.key.and_then(|k| node.get(k)).unwrap_or(node);
            let code = match e.key {
                Some("weights") => Code::P0503,
                _ => Code::P0502,
            };
            diags.push(bad(
                at.span.clone(),
                code,
                format!("invalid `{name}` distribution for `{path}`: {}", e.message),
            ));
            None
        }
    }
}

fn correlation(c: &Node, entries: &[Entry<'_>], diags: &mut Vec<Diag>) -> Option<Correlation> {
    let bad = |n: &Node, code: Code, msg: String| Diag::new(code, n.file, n.span.clone(), msg);
    let mut ok = true;
    for (k, n) in c.entries().unwrap_or(&[]) {
        if k != "paths" && k != "matrix" {
            diags.push(
                Diag::new(
                    Code::P0103,
                    n.file,
                    n.key_span.clone(),
                    format!("unknown key `{k}` in `[correlations]`"),
                )
                .hint("`[correlations]` has `paths` and `matrix`"),
            );
            ok = false;
        }
    }
    let (Some(pn), Some(mn)) = (c.get("paths"), c.get("matrix")) else {
        diags.push(bad(
            c,
            Code::P0505,
            "`[correlations]` needs `paths` and `matrix`".into(),
        ));
        return None;
    };
    let paths: Vec<(String, &Node)> = match &pn.kind {
        Kind::Array(items) => items
            .iter()
            .filter_map(|n| n.as_str().map(|s| (s.to_string(), n)))
            .collect(),
        _ => Vec::new(),
    };
    if paths.is_empty() || matches!(&pn.kind, Kind::Array(items) if items.len() != paths.len()) {
        diags.push(
            bad(
                pn,
                Code::P0102,
                "wrong type for `correlations.paths`".into(),
            )
            .expected("an array of parameter paths (strings)"),
        );
        return None;
    }
    for (p, n) in &paths {
        if !entries.iter().any(|e| &e.path == p) {
            let mut d = bad(
                n,
                Code::P0507,
                format!("correlated path `{p}` has no distribution in `[uncertainty]`"),
            );
            if let Some(c) = closest(p, entries.iter().map(|e| e.path.as_str())) {
                d = d.hint(format!("did you mean `{c}`?"));
            }
            diags.push(d);
            ok = false;
        }
        if paths.iter().filter(|(q, _)| q == p).count() > 1 {
            diags.push(bad(n, Code::P0505, format!("`{p}` is listed twice")));
            ok = false;
        }
    }
    let k = paths.len();
    let rows: Vec<&Node> = match &mn.kind {
        Kind::Array(items) => items.iter().collect(),
        _ => Vec::new(),
    };
    if rows.len() != k {
        diags.push(bad(
            mn,
            Code::P0505,
            format!("the matrix has {} rows for {k} paths", rows.len()),
        ));
        return None;
    }
    let mut m = vec![0.0; k * k];
    let mut cells: Vec<&Node> = Vec::with_capacity(k * k);
    for (i, row) in rows.iter().enumerate() {
        let items: Vec<&Node> = match &row.kind {
            Kind::Array(items) => items.iter().collect(),
            _ => Vec::new(),
        };
        if items.len() != k {
            diags.push(bad(
                row,
                Code::P0505,
                format!("row {} has {} entries for {k} paths", i + 1, items.len()),
            ));
            return None;
        }
        for (j, cell) in items.iter().enumerate() {
            match cell.kind {
                Kind::Num(v) => m[i * k + j] = v,
                _ => {
                    diags.push(
                        bad(
                            cell,
                            Code::P0102,
                            "wrong type in `correlations.matrix`".into(),
                        )
                        .expected("a number")
                        .found(cell.kind.type_name()),
                    );
                    return None;
                }
            }
            cells.push(cell);
        }
    }
    for i in 0..k {
        for j in 0..k {
            let v = m[i * k + j];
            let cell = cells[i * k + j];
            if i == j && v != 1.0 {
                diags.push(
                    bad(
                        cell,
                        Code::P0505,
                        format!("diagonal entry {} is not 1", i + 1),
                    )
                    .found(v.to_string()),
                );
                ok = false;
            } else if v.abs() > 1.0 {
                diags.push(
                    bad(cell, Code::P0505, "a correlation is outside -1..=1".into())
                        .found(v.to_string()),
                );
                ok = false;
            } else if i > j && v != m[j * k + i] {
                diags.push(bad(
                    cell,
                    Code::P0505,
                    format!(
                        "the matrix is not symmetric: ({}, {}) is {v} but ({}, {}) is {}",
                        i + 1,
                        j + 1,
                        j + 1,
                        i + 1,
                        m[j * k + i]
                    ),
                ));
                ok = false;
            }
        }
    }
    if !ok {
        return None;
    }
    if cholesky(&m, k).is_none() {
        diags.push(
            bad(
                mn,
                Code::P0506,
                "the correlation matrix is not positive definite".into(),
            )
            .hint("Iman–Conover needs its Cholesky factor: make the correlations mutually consistent (e.g. A~B and B~C strongly positive but A~C negative is impossible)"),
        );
        return None;
    }
    Some(Correlation {
        paths: paths.into_iter().map(|p| p.0).collect(),
        matrix: m,
    })
}
