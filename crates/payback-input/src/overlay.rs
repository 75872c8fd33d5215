//! Overlays: `[set]` and `[scale]` applied by parameter path to the scenario's document tree,
//! before conversion. Paths: `section.key`, items by name (`contracts.lab-a.take_or_pay`, by
//! `id` for counterparties, by index for capex and investments), all items
//! (`tiers.*.premium_decay`), filtered items (`generations[launch>=2027Q1].unit_cost`) and map
//! entries (`open_market.growth.2027`). Every changed node records the overlay, so later
//! diagnostics and `explain` point at the overlay line.

use std::cmp::Ordering;
use std::ops::Range;

use crate::codes::Code;
use crate::schema::{self, DefaultValue as Def, KeyDoc, KeyType};
use crate::tree::{Kind, Node};
use crate::{Diag, closest};

/// One segment of a path: a key, `*`, or a key with a filter (`generations[launch>=2027Q1]`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Seg {
    pub name: String,
    pub filter: Option<Filter>,
}

/// `[field op value]`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Filter {
    pub field: String,
    pub op: &'static str,
    pub value: String,
}

/// Split a path into segments; `Err` with a reason when malformed.
pub(crate) fn parse_path(path: &str) -> Result<Vec<Seg>, String> {
    let mut segs = Vec::new();
    let mut cur = String::new();
    let mut depth = 0usize;
    let mut raw = Vec::new();
    for c in path.chars() {
        match c {
            '[' => {
                depth += 1;
                cur.push(c);
            }
            ']' => {
                depth = depth
                    .checked_sub(1)
                    .ok_or_else(|| "unbalanced `]`".to_string())?;
                cur.push(c);
            }
            '.' if depth == 0 => raw.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    if depth != 0 {
        return Err("unclosed `[`".into());
    }
    raw.push(cur);
    for r in raw {
        let r = r.trim();
        if r.is_empty() {
            return Err("empty segment (two dots, or a dot at an end)".into());
        }
        let Some(open) = r.find('[') else {
            segs.push(Seg {
                name: r.to_string(),
                filter: None,
            });
            continue;
        };
        if !r.ends_with(']') {
            return Err(format!("text after `]` in `{r}`"));
        }
        let name = r[..open].trim();
        let inner = &r[open + 1..r.len() - 1];
        if name.is_empty() || inner.contains('[') {
            return Err(format!("malformed filter segment `{r}`"));
        }
        let op = [">=", "<=", "!=", "==", ">", "<"]
            .into_iter()
            .find(|op| inner.contains(op))
            .ok_or_else(|| format!("filter `[{inner}]` has no operator (>= <= > < == !=)"))?;
        let (field, value) = inner.split_once(op).unwrap_or((inner, ""));
        let (field, value) = (field.trim(), value.trim().trim_matches('"'));
        if field.is_empty() || value.is_empty() {
            return Err(format!("filter `[{inner}]` needs `field {op} value`"));
        }
        segs.push(Seg {
            name: name.to_string(),
            filter: Some(Filter {
                field: field.into(),
                op,
                value: value.into(),
            }),
        });
    }
    Ok(segs)
}

#[derive(Debug, Clone)]
enum Step {
    Key(String),
    Index(usize),
}

enum Resolve {
    /// Locations (may not exist yet) and the schema entry they hold.
    Found(Vec<Vec<Step>>, &'static KeyDoc),
    Unknown {
        segment: String,
        valid: Vec<&'static str>,
    },
    Malformed(String),
}

fn node_at<'a>(root: &'a Node, steps: &[Step]) -> Option<&'a Node> {
    let mut n = root;
    for s in steps {
        n = match (s, &n.kind) {
            (Step::Key(k), Kind::Table(_)) => n.get(k)?,
            (Step::Index(i), Kind::Array(items)) => items.get(*i)?,
            _ => return None,
        };
    }
    Some(n)
}

fn id_key(array_pat: &str) -> Option<&'static str> {
    match array_pat {
        "counterparties" => Some("id"),
        "capex" | "equity.*.investments" | "debt.*.draws" => None,
        _ => Some("name"),
    }
}

/// The value of an item's field for a filter: as written, else the schema default.
fn field_value(item: &Node, pat: &str, field: &str) -> Option<String> {
    match item.get(field) {
        Some(n) => match &n.kind {
            Kind::Str(s) => Some(s.clone()),
            Kind::Bool(b) => Some(b.to_string()),
            _ => n.number().map(|v| v.to_string()),
        },
        None => match schema::lookup(&format!("{pat}.{field}"))?.default {
            Def::Num(v) => Some(v.to_string()),
            Def::Text(s) => Some(s.to_string()),
            Def::Bool(b) => Some(b.to_string()),
            _ => None,
        },
    }
}

fn compare(a: &str, b: &str) -> Ordering {
    payback_model::params::filter_compare(a, b)
}

fn keep(f: &Filter, v: &str) -> bool {
    payback_model::params::filter_keeps(f.op, compare(v, &f.value))
}

fn join(a: &str, b: &str) -> String {
    if a.is_empty() {
        b.to_string()
    } else {
        format!("{a}.{b}")
    }
}

fn resolve(root: &Node, segs: &[Seg]) -> Resolve {
    let keys = schema::keys();
    let find = |p: &str| keys.iter().find(|k| k.path == p);
    let mut locs: Vec<Vec<Step>> = vec![Vec::new()];
    let mut pat = String::new();
    let mut current: Option<&'static KeyDoc> = None;
    let mut i = 0;
    while i < segs.len() {
        let seg = &segs[i];
        // Inside a map, any key names an entry.
        if let Some(kd) = current
            && matches!(kd.ty, KeyType::YearMap | KeyType::QuarterMap)
        {
            if seg.filter.is_some() || seg.name == "*" {
                return Resolve::Malformed(format!(
                    "`{}` is a map: name one entry (`{}.2027`)",
                    kd.path, kd.path
                ));
            }
            for l in &mut locs {
                l.push(Step::Key(seg.name.clone()));
            }
            pat = join(&pat, "*");
            current = find(&pat);
            i += 1;
            continue;
        }
        if let Some(kd) = current
            && kd.ty.is_leaf()
        {
            return Resolve::Malformed(format!("`{}` is a value and has no keys", kd.path));
        }
        let candidate = join(&pat, &seg.name);
        let Some(kd) = find(&candidate) else {
            return Resolve::Unknown {
                segment: seg.name.clone(),
                valid: schema::children(&pat).map(|k| k.key()).collect(),
            };
        };
        for l in &mut locs {
            l.push(Step::Key(seg.name.clone()));
        }
        pat = candidate;
        current = Some(kd);
        i += 1;
        if kd.ty != KeyType::TableArray {
            if seg.filter.is_some() {
                return Resolve::Malformed(format!(
                    "only arrays of tables take a filter; `{}` is not one",
                    kd.path
                ));
            }
            continue;
        }
        // An array: select items by filter, `*`, name or index.
        let item_pat = join(&pat, "*");
        let selector = match &seg.filter {
            Some(f) => {
                if !schema::children(&item_pat).any(|k| k.key() == f.field) {
                    return Resolve::Unknown {
                        segment: f.field.clone(),
                        valid: schema::children(&item_pat).map(|k| k.key()).collect(),
                    };
                }
                None
            }
            None => {
                let Some(next) = segs.get(i) else {
                    return Resolve::Malformed(format!(
                        "`{pat}` is an array: add an item name, `*` or a filter"
                    ));
                };
                if next.filter.is_some() {
                    return Resolve::Malformed(format!("put the filter on the array: `{pat}[…]`"));
                }
                i += 1;
                Some(next.name.clone())
            }
        };
        let mut next_locs = Vec::new();
        for l in locs {
            let Some(Kind::Array(items)) = node_at(root, &l).map(|n| &n.kind) else {
                continue;
            };
            for (idx, item) in items.iter().enumerate() {
                let selected = match (&seg.filter, &selector) {
                    (Some(f), _) => {
                        field_value(item, &item_pat, &f.field).is_some_and(|v| keep(f, &v))
                    }
                    (None, Some(s)) if s == "*" => true,
                    (None, Some(s)) => match id_key(&pat) {
                        Some(k) => item.get(k).and_then(Node::as_str) == Some(s.as_str()),
                        None => s.parse::<usize>().ok() == Some(idx),
                    },
                    (None, None) => false,
                };
                if selected {
                    let mut l2 = l.clone();
                    l2.push(Step::Index(idx));
                    next_locs.push(l2);
                }
            }
        }
        locs = next_locs;
        pat = item_pat;
        current = None;
    }
    match current {
        Some(kd) => Resolve::Found(locs, kd),
        None => Resolve::Malformed(format!(
            "`{pat}` selects whole items: add the key to change"
        )),
    }
}

/// Mark a node and its children as set by overlay `k`.
fn mark(n: &mut Node, k: usize) {
    n.overlay = Some(k);
    match &mut n.kind {
        Kind::Table(e) => e.iter_mut().for_each(|(_, c)| mark(c, k)),
        Kind::Array(items) => items.iter_mut().for_each(|c| mark(c, k)),
        _ => {}
    }
}

/// The node at `steps`, creating missing tables on the way and the final slot as `fresh`.
fn slot<'a>(root: &'a mut Node, steps: &[Step], fresh: &Node) -> Option<&'a mut Node> {
    let mut n = root;
    for (i, s) in steps.iter().enumerate() {
        let last = i + 1 == steps.len();
        n = match s {
            Step::Index(idx) => match &mut n.kind {
                Kind::Array(items) => items.get_mut(*idx)?,
                _ => return None,
            },
            Step::Key(k) => {
                let Kind::Table(entries) = &mut n.kind else {
                    return None;
                };
                let pos = match entries.iter().position(|(e, _)| e == k) {
                    Some(p) => p,
                    None => {
                        let mut created = fresh.clone();
                        if !last {
                            created.kind = Kind::Table(Vec::new());
                        }
                        entries.push((k.clone(), created));
                        entries.len() - 1
                    }
                };
                &mut entries[pos].1
            }
        };
    }
    Some(n)
}

fn stem(file_name: &str) -> String {
    let base = file_name
        .rsplit(['/', '\\', ':'])
        .next()
        .unwrap_or(file_name);
    let base = base.strip_suffix(".toml").unwrap_or(base);
    base.strip_suffix(".overlay").unwrap_or(base).to_string()
}

/// Flatten `[set]`/`[scale]` entries: nested tables whose path is not a table-valued key are
/// read as path segments (`[set.compute] market_margin = 0.1`).
fn flatten<'a>(prefix: &str, table: &'a Node, out: &mut Vec<(String, &'a Node)>) {
    for (k, n) in table.entries().unwrap_or(&[]) {
        let path = join(prefix, k);
        let is_value = match &n.kind {
            Kind::Table(_) => {
                n.get("value").is_some()
                    || parse_path(&path).ok().is_some_and(|segs| {
                        let names: Vec<&str> = segs.iter().map(|s| s.name.as_str()).collect();
                        schema::lookup(&names.join(".")).is_some_and(|kd| {
                            matches!(
                                kd.ty,
                                KeyType::Table | KeyType::YearMap | KeyType::QuarterMap
                            ) && segs.last().is_none_or(|s| s.filter.is_none())
                        })
                    })
            }
            _ => true,
        };
        if is_value {
            out.push((path, n));
        } else {
            flatten(&path, n, out);
        }
    }
}

/// Apply overlay `k` (file `k + 1`) to `root`; returns the overlay's name.
///
/// With `limit`, only the first `limit` entries of [`entries`] (the order they apply in) are
/// applied: the bridge applies an overlay step by step.
pub(crate) fn apply(
    root: &mut Node,
    ov: &Node,
    k: usize,
    file_name: &str,
    limit: Option<usize>,
    diags: &mut Vec<Diag>,
) -> String {
    let mut name = stem(file_name);
    for (key, n) in ov.entries().unwrap_or(&[]) {
        match key.as_str() {
            "overlay" => {
                for (hk, hn) in n.entries().unwrap_or(&[]) {
                    match (hk.as_str(), &hn.kind) {
                        ("name", Kind::Str(s)) => name = s.clone(),
                        ("description", Kind::Str(_)) => {}
                        ("name" | "description", _) => diags.push(
                            Diag::new(
                                Code::P0102,
                                hn.file,
                                hn.span.clone(),
                                format!("wrong type for `overlay.{hk}`"),
                            )
                            .path(format!("overlay.{hk}"))
                            .expected("a string")
                            .found(hn.kind.type_name()),
                        ),
                        _ => {
                            let mut d = Diag::new(
                                Code::P0103,
                                hn.file,
                                hn.key_span.clone(),
                                format!("unknown key `{hk}` in `[overlay]`"),
                            )
                            .path(format!("overlay.{hk}"));
                            if let Some(c) = closest(hk, ["name", "description"]) {
                                d = d.hint(format!("did you mean `{c}`?"));
                            }
                            diags.push(d);
                        }
                    }
                }
            }
            "set" | "scale" => {}
            _ => {
                let mut d = Diag::new(
                    Code::P0103,
                    n.file,
                    n.key_span.clone(),
                    format!("unknown key `{key}` in an overlay"),
                )
                .hint("an overlay has `[overlay]`, `[set]` and `[scale]`");
                if let Some(c) = closest(key, ["overlay", "set", "scale"]) {
                    d = d.hint(format!("did you mean `{c}`?"));
                }
                diags.push(d);
            }
        }
    }
    let mut applied = 0usize;
    for (section, scale) in [("set", false), ("scale", true)] {
        let Some(table) = ov.get(section) else {
            continue;
        };
        if !matches!(table.kind, Kind::Table(_)) {
            diags.push(
                Diag::new(
                    Code::P0102,
                    table.file,
                    table.span.clone(),
                    format!("`{section}` must be a table"),
                )
                .expected("a table of path = value")
                .found(table.kind.type_name()),
            );
            continue;
        }
        let mut entries = Vec::new();
        flatten("", table, &mut entries);
        for (path, value) in entries {
            if limit.is_some_and(|l| applied >= l) {
                return name;
            }
            applied += 1;
            apply_one(root, &path, value, scale, k, diags);
        }
    }
    name
}

/// The `[set]` and `[scale]` entries of an overlay in the order they apply (every `[set]`
/// entry in file order, then every `[scale]` entry): (path, scale?, value node).
pub(crate) fn entries(ov: &Node) -> Vec<(String, bool, &Node)> {
    let mut out = Vec::new();
    for (section, scale) in [("set", false), ("scale", true)] {
        let Some(table) = ov.get(section) else {
            continue;
        };
        if !matches!(table.kind, Kind::Table(_)) {
            continue;
        }
        let mut e = Vec::new();
        flatten("", table, &mut e);
        out.extend(e.into_iter().map(|(p, n)| (p, scale, n)));
    }
    out
}

fn apply_one(
    root: &mut Node,
    path: &str,
    value: &Node,
    scale: bool,
    k: usize,
    diags: &mut Vec<Diag>,
) {
    let at = |code: Code, span: Range<usize>, msg: String| {
        Diag::new(code, value.file, span, msg).path(path)
    };
    let segs = match parse_path(path) {
        Ok(s) => s,
        Err(why) => {
            diags.push(at(
                Code::P0402,
                value.key_span.clone(),
                format!("malformed overlay path `{path}`: {why}"),
            ));
            return;
        }
    };
    let (locs, kd) = match resolve(root, &segs) {
        Resolve::Found(l, kd) => (l, kd),
        Resolve::Malformed(why) => {
            diags.push(at(
                Code::P0402,
                value.key_span.clone(),
                format!("malformed overlay path `{path}`: {why}"),
            ));
            return;
        }
        Resolve::Unknown { segment, valid } => {
            let mut d = at(
                Code::P0404,
                value.key_span.clone(),
                format!("`{segment}` in overlay path `{path}` is not a key of the format"),
            );
            if let Some(c) = closest(&segment, valid.iter().copied()) {
                d = d.hint(format!("did you mean `{c}`?"));
            } else if !valid.is_empty() {
                d = d.hint(format!("valid keys here: {}", valid.join(", ")));
            }
            diags.push(d);
            return;
        }
    };
    if locs.is_empty() {
        diags.push(
            at(
                Code::P0401,
                value.key_span.clone(),
                format!("overlay path `{path}` matches nothing"),
            )
            .hint("check the item names, the filter, and that the array has items"),
        );
        return;
    }
    if matches!(value.kind, Kind::Invalid) {
        return;
    }
    if !scale {
        for l in &locs {
            let mut fresh = value.clone();
            mark(&mut fresh, k);
            if let Some(n) = slot(root, l, &fresh) {
                *n = fresh;
            }
        }
        return;
    }
    let Kind::Num(factor) = value.kind else {
        diags.push(
            at(
                Code::P0403,
                value.span.clone(),
                format!("scale factor for `{path}` is not a number"),
            )
            .expected("a number")
            .found(value.kind.type_name()),
        );
        return;
    };
    let mut missing_without_default = false;
    for l in &locs {
        let existing = node_at(root, l).map(|n| {
            (
                n.number(),
                matches!(n.kind, Kind::Invalid),
                n.kind.type_name(),
            )
        });
        let base = match existing {
            Some((Some(v), _, _)) => v,
            Some((None, true, _)) => continue,
            Some((None, false, found)) => {
                diags.push(
                    at(
                        Code::P0403,
                        value.key_span.clone(),
                        format!("cannot scale `{path}`: it is not a number"),
                    )
                    .expected("a number")
                    .found(found),
                );
                continue;
            }
            None => match kd.default {
                Def::Num(v) => v,
                _ => {
                    missing_without_default = true;
                    continue;
                }
            },
        };
        let scaled = base * factor;
        if !scaled.is_finite() {
            diags.push(at(
                Code::P0304,
                value.span.clone(),
                format!("scaling `{path}` gives a number that is not finite"),
            ));
            continue;
        }
        let mut fresh = value.clone();
        fresh.kind = Kind::Num(scaled);
        mark(&mut fresh, k);
        if let Some(n) = slot(root, l, &fresh) {
            // Keep the provenance table of a value given with provenance; only its value changes.
            if let Some(inner) = n.get_mut("value") {
                inner.kind = Kind::Num(scaled);
                inner.overlay = Some(k);
                inner.file = value.file;
                inner.span = value.span.clone();
                n.overlay = Some(k);
                n.file = value.file;
                n.span = value.span.clone();
                n.key_span = value.key_span.clone();
            } else {
                *n = fresh;
            }
        }
    }
    if missing_without_default {
        diags.push(
            at(Code::P0401, value.key_span.clone(), format!("nothing to scale at `{path}`: the scenario does not set it and it has no numeric default"))
                .hint("use `[set]` to give it a value"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_filters_and_wildcards() {
        let s = parse_path("generations[launch>=2027Q1].unit_cost").unwrap();
        assert_eq!(s[0].filter.as_ref().unwrap().op, ">=");
        assert_eq!(s[0].filter.as_ref().unwrap().value, "2027Q1");
        assert_eq!(s[1].name, "unit_cost");
        assert_eq!(parse_path("tiers.*.premium_decay").unwrap()[1].name, "*");
        assert!(parse_path("a..b").is_err());
        assert!(parse_path("a[b].c").is_err());
        assert!(parse_path("a[b>1").is_err());
    }

    #[test]
    fn compares_quarters_numbers_and_strings() {
        assert_eq!(compare("2027Q1", "2026Q4"), Ordering::Greater);
        assert_eq!(compare("10", "9"), Ordering::Greater);
        assert_eq!(compare("abc", "abd"), Ordering::Less);
        assert_eq!(stem("examples/scenarios/bear.toml"), "bear");
        assert_eq!(stem("builtin:bull"), "bull");
    }
}
