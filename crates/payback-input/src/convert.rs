//! The one conversion pass: document tree (after overlays) to [`Scenario`] plus the list of
//! [`ParamValue`]s, checking every value against [`crate::schema`] and collecting every problem
//! (types, ranges, unknown keys, references, exactly-one-of rules) instead of stopping at the
//! first.

use std::ops::Range;

use payback_model::period::{PeriodError, PeriodSpec, Quarter};
use payback_model::scenario::*;

use crate::codes::Code;
use crate::schema::{self, Bound, DefaultValue as Def, KeyDoc, KeyType};
use crate::tree::{Kind, Node};
use crate::{Diag, ParamScalar, ParamValue, Provenance, SourceFile, closest};

const PROVENANCE_KEYS: &[&str] = &["value", "source", "as_of", "kind", "note"];
const PROVENANCE_KINDS: &[&str] = &["reported", "guidance", "assumption", "estimate"];

/// A table being read: its node (absent for an omitted optional table), concrete path, schema
/// pattern, and where to point when a required key is missing.
#[derive(Clone)]
struct Tab<'n> {
    node: Option<&'n Node>,
    path: String,
    pat: String,
    item: usize,
    anchor: (usize, Range<usize>),
}

impl<'n> Tab<'n> {
    fn get(&self, key: &str) -> Option<&'n Node> {
        self.node.and_then(|n| n.get(key))
    }

    fn has(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    fn path_of(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    fn pat_of(&self, key: &str) -> String {
        if self.pat.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.pat)
        }
    }
}

struct Ctx<'a> {
    diags: &'a mut Vec<Diag>,
    params: Vec<((usize, usize, usize), ParamValue)>,
    files: &'a [&'a SourceFile],
    overlay_names: &'a [String],
    fye: Option<u32>,
    end: Option<Quarter>,
}

fn doc(pat: &str) -> Option<&'static KeyDoc> {
    schema::lookup(pat)
}

fn found_text(files: &[&SourceFile], node: &Node) -> String {
    match &node.kind {
        Kind::Num(v) => {
            let raw = files
                .get(node.file)
                .and_then(|f| f.text.get(node.span.clone()))
                .unwrap_or("");
            if raw.is_empty() || raw.len() > 40 {
                format!("{v}")
            } else {
                raw.to_string()
            }
        }
        Kind::Str(s) => format!("\"{s}\""),
        Kind::Bool(b) => b.to_string(),
        k => k.type_name().to_string(),
    }
}

impl Ctx<'_> {
    fn push(&mut self, d: Diag) {
        self.diags.push(d);
    }

    fn at(&self, node: &Node, code: Code, path: &str, message: String) -> Diag {
        Diag::new(code, node.file, node.span.clone(), message).path(path)
    }

    fn found(&self, node: &Node) -> String {
        found_text(self.files, node)
    }

    fn wrong_type(&mut self, node: &Node, path: &str, expected: String) {
        let d = self
            .at(node, Code::P0102, path, format!("wrong type for `{path}`"))
            .expected(expected)
            .found(node.kind.type_name());
        self.push(d);
    }

    /// Report a missing key; `why` says when it is required, if not always.
    fn missing(&mut self, t: &Tab<'_>, key: &str, why: &str) {
        let message = if why.is_empty() {
            format!("missing required value `{key}`")
        } else {
            format!("missing `{key}` ({why})")
        };
        let d =
            Diag::new(Code::P0104, t.anchor.0, t.anchor.1.clone(), message).path(t.path_of(key));
        let d = match doc(&t.pat_of(key)) {
            Some(k) => d
                .expected(k.ty.describe())
                .hint(format!("`{key}`: {}", k.doc)),
            None => d,
        };
        self.push(d);
    }

    fn record(
        &mut self,
        t: &Tab<'_>,
        key: &str,
        value: ParamScalar,
        node: Option<&Node>,
        provenance: Option<Provenance>,
    ) {
        let pat = t.pat_of(key);
        let (unit, docs, pat) = doc(&pat).map_or(("", "", pat.clone()), |k| {
            (k.unit, k.doc, k.path.to_string())
        });
        let section = schema::index_of(pat.split('.').next().unwrap_or(""));
        let (file, line, set_by) = match node {
            Some(n) => {
                let f = self.files.get(n.file);
                let line = f.map_or(0, |f| crate::line_col(&f.text, n.span.start).0);
                (
                    f.map_or(String::new(), |f| f.name.clone()),
                    line,
                    n.overlay.and_then(|k| self.overlay_names.get(k).cloned()),
                )
            }
            None => (String::new(), 0, None),
        };
        self.params.push((
            (section, t.item, schema::index_of(&pat)),
            ParamValue {
                path: t.path_of(key),
                value,
                unit,
                doc: docs,
                provenance,
                file,
                line,
                set_by_overlay: set_by,
                is_default: node.is_none(),
            },
        ));
    }

    /// Report every key of the table that the schema does not know at this place.
    fn unknown_keys(&mut self, t: &Tab<'_>) {
        let Some(Kind::Table(entries)) = t.node.map(|n| &n.kind) else {
            return;
        };
        let valid: Vec<&'static str> = schema::children(&t.pat).map(|k| k.key()).collect();
        for (key, node) in entries {
            if valid.contains(&key.as_str()) {
                continue;
            }
            let place = if t.path.is_empty() {
                "at the top level".to_string()
            } else {
                format!("in `{}`", t.path)
            };
            let mut d = Diag::new(
                Code::P0103,
                node.file,
                node.key_span.clone(),
                format!("unknown key `{key}` {place}"),
            )
            .path(t.path_of(key));
            if let Some(c) = closest(key, valid.iter().copied()) {
                d = d.hint(format!("did you mean `{c}`?"));
            } else if let Some(elsewhere) = schema::keys().iter().find(|k| k.key() == key) {
                d = d.hint(format!("`{key}` is a key of `{}`", elsewhere.parent()));
            } else if !valid.is_empty() {
                d = d.hint(format!("valid keys here: {}", valid.join(", ")));
            }
            self.push(d);
        }
    }

    /// A number (plain or with provenance), checked against its type and range; the default
    /// when absent (recorded), `None` when absent without default or invalid.
    fn num(&mut self, t: &Tab<'_>, key: &str) -> Option<f64> {
        let pat = t.pat_of(key);
        let kd = doc(&pat)?;
        let Some(node) = t.get(key) else {
            return match kd.default {
                Def::Num(v) => {
                    self.record(t, key, ParamScalar::Number(v), None, None);
                    Some(v)
                }
                Def::Required => {
                    self.missing(t, key, "");
                    None
                }
                _ => None,
            };
        };
        let path = t.path_of(key);
        let (v, prov) = self.number_node(node, &path, kd)?;
        self.record(t, key, ParamScalar::Number(v), Some(node), prov);
        Some(v)
    }

    /// An optional number without default: `Some(None)` when absent, else as [`Ctx::num`]
    /// (`None` when invalid).
    fn opt_num(&mut self, t: &Tab<'_>, key: &str) -> Option<Option<f64>> {
        if t.has(key) {
            self.num(t, key).map(Some)
        } else {
            Some(None)
        }
    }

    /// Read a number node (plain or provenance table) and check it; no recording.
    fn number_node(
        &mut self,
        node: &Node,
        path: &str,
        kd: &KeyDoc,
    ) -> Option<(f64, Option<Provenance>)> {
        let (vnode, prov) = match &node.kind {
            Kind::Num(_) => (node, None),
            Kind::Invalid => return None,
            Kind::Table(entries) if node.get("value").is_some() => {
                let mut prov = Provenance::default();
                for (k, n) in entries {
                    let slot = match k.as_str() {
                        "value" => continue,
                        "source" => &mut prov.source,
                        "as_of" => &mut prov.as_of,
                        "kind" => &mut prov.kind,
                        "note" => &mut prov.note,
                        _ => {
                            let mut d = Diag::new(
                                Code::P0103,
                                n.file,
                                n.key_span.clone(),
                                format!("unknown provenance key `{k}`"),
                            )
                            .path(path);
                            if let Some(c) = closest(k, PROVENANCE_KEYS.iter().copied()) {
                                d = d.hint(format!("did you mean `{c}`?"));
                            } else {
                                d = d.hint("provenance keys are value, source, as_of, kind, note");
                            }
                            self.push(d);
                            continue;
                        }
                    };
                    match &n.kind {
                        Kind::Str(s) => *slot = Some(s.clone()),
                        _ => self.wrong_type(n, &format!("{path}.{k}"), "a string".into()),
                    }
                }
                if let (Some(kind), Some(n)) = (&prov.kind, node.get("kind"))
                    && !PROVENANCE_KINDS.contains(&kind.as_str())
                {
                    let mut d = self
                        .at(
                            n,
                            Code::P0106,
                            path,
                            format!("unknown provenance kind `{kind}`"),
                        )
                        .expected("one of \"reported\", \"guidance\", \"assumption\", \"estimate\"")
                        .found(format!("\"{kind}\""));
                    if let Some(c) = closest(kind, PROVENANCE_KINDS.iter().copied()) {
                        d = d.hint(format!("did you mean `{c}`?"));
                    }
                    self.push(d);
                }
                (node.get("value")?, Some(prov))
            }
            _ => {
                let expected = if kd.ty == KeyType::Integer {
                    "a whole number"
                } else {
                    "a number"
                };
                self.wrong_type(node, path, expected.into());
                return None;
            }
        };
        let v = match vnode.kind {
            Kind::Num(v) => v,
            Kind::Invalid => return None,
            _ => {
                self.wrong_type(vnode, path, "a number".into());
                return None;
            }
        };
        if !v.is_finite() {
            let d = self
                .at(vnode, Code::P0304, path, format!("`{path}` is not finite"))
                .expected("a finite number")
                .found(self.found(vnode));
            self.push(d);
            return None;
        }
        if kd.ty == KeyType::Integer && v.fract() != 0.0 {
            let d = self
                .at(
                    vnode,
                    Code::P0105,
                    path,
                    format!("`{path}` must be a whole number"),
                )
                .expected("a whole number")
                .found(self.found(vnode));
            self.push(d);
            return None;
        }
        if !kd.bound.contains(v) {
            let code = match kd.bound {
                Bound::Share | Bound::ShareAboveZero | Bound::ShareBelowOne => Code::P0301,
                Bound::NonNegative => Code::P0302,
                Bound::Positive => Code::P0303,
                _ => Code::P0307,
            };
            let what = match code {
                Code::P0301 => {
                    format!("`{path}` is a share and must be in {}", kd.bound.describe())
                }
                Code::P0302 => format!("`{path}` must not be negative"),
                Code::P0303 => format!("`{path}` must be greater than zero"),
                _ => format!("`{path}` is out of range"),
            };
            let mut d = self
                .at(vnode, code, path, what)
                .expected(format!("a number {}", kd.bound.describe()))
                .found(self.found(vnode));
            if code == Code::P0301 && v > 1.0 && v <= 100.0 {
                d = d.hint(format!(
                    "shares are decimals: write {} for {v} %",
                    v / 100.0
                ));
            }
            self.push(d);
            return None;
        }
        Some((v, prov))
    }

    /// A whole number that fits in `u32`.
    fn int(&mut self, t: &Tab<'_>, key: &str) -> Option<u32> {
        let v = self.num(t, key)?;
        // The schema bounds integers to >= 0 and the check above rejects fractions; values
        // beyond u32 are absurd for quarters and months.
        if v > f64::from(u32::MAX) {
            if let Some(n) = t.get(key) {
                let path = t.path_of(key);
                let d = self
                    .at(n, Code::P0307, &path, format!("`{path}` is too large"))
                    .found(self.found(n));
                self.push(d);
            }
            return None;
        }
        Some(v as u32)
    }

    fn text(&mut self, t: &Tab<'_>, key: &str) -> Option<String> {
        let pat = t.pat_of(key);
        let kd = doc(&pat)?;
        let Some(node) = t.get(key) else {
            return match kd.default {
                Def::Text(s) => {
                    self.record(t, key, ParamScalar::Text(s.into()), None, None);
                    Some(s.to_string())
                }
                Def::Required => {
                    self.missing(t, key, "");
                    None
                }
                _ => None,
            };
        };
        match &node.kind {
            Kind::Str(s) => {
                self.record(t, key, ParamScalar::Text(s.clone()), Some(node), None);
                Some(s.clone())
            }
            _ => {
                self.wrong_type(node, &t.path_of(key), kd.ty.describe());
                None
            }
        }
    }

    fn choice(&mut self, t: &Tab<'_>, key: &str) -> Option<&'static str> {
        let kd = doc(&t.pat_of(key))?;
        let KeyType::Choice(options) = kd.ty else {
            return None;
        };
        let s = self.text(t, key)?;
        if let Some(o) = options.iter().find(|o| **o == s) {
            return Some(o);
        }
        let node = t.get(key)?;
        let path = t.path_of(key);
        let mut d = self
            .at(
                node,
                Code::P0106,
                &path,
                format!("`{s}` is not a valid `{key}`"),
            )
            .expected(kd.ty.describe())
            .found(format!("\"{s}\""));
        if let Some(c) = closest(&s, options.iter().copied()) {
            d = d.hint(format!("did you mean `{c}`?"));
        }
        self.push(d);
        None
    }

    fn boolean(&mut self, t: &Tab<'_>, key: &str) -> Option<bool> {
        let kd = doc(&t.pat_of(key))?;
        let Some(node) = t.get(key) else {
            let Def::Bool(b) = kd.default else {
                return None;
            };
            self.record(t, key, ParamScalar::Bool(b), None, None);
            return Some(b);
        };
        match node.kind {
            Kind::Bool(b) => {
                self.record(t, key, ParamScalar::Bool(b), Some(node), None);
                Some(b)
            }
            _ => {
                self.wrong_type(node, &t.path_of(key), "a boolean".into());
                None
            }
        }
    }

    fn period_error(&mut self, node: &Node, path: &str, e: PeriodError) {
        let d = match e {
            PeriodError::NoFiscalYearEnd(s) => self
                .at(
                    node,
                    Code::P0205,
                    path,
                    format!("`{s}` is a fiscal period but `scenario.fiscal_year_end` is not set"),
                )
                .hint(
                    "set `fiscal_year_end` (the month the fiscal year ends, 1..=12) in [scenario]",
                ),
            PeriodError::Malformed(s) => self
                .at(node, Code::P0201, path, format!("`{s}` is not a period"))
                .expected("a period: 2026Q3, 2026H2, 2026, FY2026, FY2026Q1 or FY2026H1")
                .found(format!("\"{s}\"")),
            PeriodError::NotAQuarter(s) => self
                .at(
                    node,
                    Code::P0201,
                    path,
                    format!("`{s}` is not a single quarter"),
                )
                .expected("a quarter such as 2026Q3 or FY2026Q1")
                .found(format!("\"{s}\"")),
        };
        self.push(d);
    }

    /// A period string to its calendar quarters.
    fn parse_period(
        &mut self,
        node: &Node,
        path: &str,
        s: &str,
        quarter_only: bool,
    ) -> Option<Vec<Quarter>> {
        let spec = match PeriodSpec::parse(s) {
            Ok(spec) => spec,
            Err(e) => {
                self.period_error(node, path, e);
                return None;
            }
        };
        if quarter_only
            && !matches!(
                spec,
                PeriodSpec::Quarter(_) | PeriodSpec::FiscalQuarter { .. }
            )
        {
            self.period_error(node, path, PeriodError::NotAQuarter(s.to_string()));
            return None;
        }
        match spec.quarters(self.fye) {
            Ok(q) if !q.is_empty() => Some(q),
            Ok(_) => None,
            Err(e) => {
                self.period_error(node, path, e);
                None
            }
        }
    }

    /// A single quarter; `default` is used (and recorded) when absent and the schema has no
    /// textual default.
    fn quarter(&mut self, t: &Tab<'_>, key: &str, default: Option<Quarter>) -> Option<Quarter> {
        if !t.has(key)
            && let Some(q) = default
        {
            self.record(t, key, ParamScalar::Text(q.to_string()), None, None);
            return Some(q);
        }
        let s = self.text(t, key)?;
        let node = t.get(key);
        let Some(node) = node else {
            // Textual schema default, already recorded by `text`.
            return Quarter::parse(&s).ok();
        };
        self.parse_period(node, &t.path_of(key), &s, true)?
            .first()
            .copied()
    }

    /// Error when `q` lies after `scenario.end`.
    fn not_after_end(&mut self, t: &Tab<'_>, key: &str, q: Quarter) {
        if let (Some(end), Some(node)) = (self.end, t.get(key))
            && q > end
        {
            let path = t.path_of(key);
            let d = self
                .at(
                    node,
                    Code::P0305,
                    &path,
                    format!("`{path}` ({q}) is after `scenario.end` ({end})"),
                )
                .expected(format!("a period ending by {end}"))
                .found(self.found(node))
                .hint("extend `scenario.end`, or remove the entry");
            self.push(d);
        }
    }

    /// A year or quarter map (`growth`, `valuation`): entries sorted by key.
    fn map<K: Ord + Copy>(
        &mut self,
        t: &Tab<'_>,
        key: &str,
        parse_key: impl Fn(&str) -> Option<K>,
        what: &str,
    ) -> Option<Vec<(K, f64)>> {
        let pat = t.pat_of(key);
        let kd = doc(&pat)?;
        let Some(node) = t.get(key) else {
            if kd.default == Def::Required {
                self.missing(t, key, "");
                return None;
            }
            return Some(Vec::new());
        };
        let Kind::Table(entries) = &node.kind else {
            self.wrong_type(node, &t.path_of(key), kd.ty.describe());
            return None;
        };
        let sub = Tab {
            node: Some(node),
            path: t.path_of(key),
            pat: pat.clone(),
            item: t.item,
            anchor: (node.file, node.span.clone()),
        };
        let mut out = Vec::new();
        let mut ok = true;
        for (k, n) in entries {
            let parsed = parse_key(k);
            if parsed.is_none() {
                let d = Diag::new(
                    Code::P0201,
                    n.file,
                    n.key_span.clone(),
                    format!("`{k}` is not {what}"),
                )
                .path(sub.path_of(k))
                .expected(what.to_string())
                .found(format!("\"{k}\""));
                self.push(d);
                ok = false;
            }
            let v = self.num(&sub, k);
            match (parsed, v) {
                (Some(pk), Some(v)) => out.push((pk, v)),
                _ => ok = false,
            }
        }
        if kd.default == Def::Required && entries.is_empty() {
            let d = self
                .at(
                    node,
                    Code::P0104,
                    &t.path_of(key),
                    format!("`{}` needs at least one entry", t.path_of(key)),
                )
                .expected(kd.ty.describe());
            self.push(d);
            return None;
        }
        out.sort_by_key(|p| p.0);
        ok.then_some(out)
    }

    /// A table section or sub-table. `None` when absent and required (reported) or of the wrong
    /// type; a `Tab` with no node when absent and optional.
    fn table<'n>(&mut self, parent: &Tab<'n>, key: &str, report_missing: bool) -> Option<Tab<'n>> {
        let pat = parent.pat_of(key);
        let path = parent.path_of(key);
        match parent.get(key) {
            None => {
                if report_missing {
                    let d = Diag::new(
                        Code::P0104,
                        parent.anchor.0,
                        parent.anchor.1.clone(),
                        format!("missing required table `[{path}]`"),
                    )
                    .path(path.clone())
                    .expected("a table");
                    self.push(d);
                    return None;
                }
                Some(Tab {
                    node: None,
                    path,
                    pat,
                    item: parent.item,
                    anchor: parent.anchor.clone(),
                })
            }
            Some(n) if matches!(n.kind, Kind::Table(_)) => {
                let t = Tab {
                    node: Some(n),
                    path,
                    pat,
                    item: parent.item,
                    anchor: (n.file, n.span.clone()),
                };
                self.unknown_keys(&t);
                Some(t)
            }
            Some(n) => {
                self.wrong_type(n, &path, "a table".into());
                None
            }
        }
    }

    /// The items of an array of tables, each with its path (`generations.B200`, by `id_key`,
    /// or by index when `id_key` is `None`), after checking names are unique.
    fn items<'n>(&mut self, parent: &Tab<'n>, key: &str, id_key: Option<&str>) -> Vec<Tab<'n>> {
        let pat = format!("{}.*", parent.pat_of(key));
        let base = parent.path_of(key);
        let Some(node) = parent.get(key) else {
            return Vec::new();
        };
        let Kind::Array(items) = &node.kind else {
            self.wrong_type(node, &base, "an array of tables (`[[section]]`)".into());
            return Vec::new();
        };
        let mut out: Vec<Tab<'n>> = Vec::new();
        let mut seen: Vec<(String, usize, usize)> = Vec::new();
        for (i, item) in items.iter().enumerate() {
            if !matches!(item.kind, Kind::Table(_)) {
                self.wrong_type(item, &format!("{base}.{i}"), "a table".into());
                continue;
            }
            let name = id_key
                .and_then(|k| item.get(k))
                .and_then(Node::as_str)
                .map(str::to_string);
            if let (Some(n), Some(k)) = (&name, id_key) {
                if let Some((_, file, line)) = seen.iter().find(|(s, _, _)| s == n) {
                    let fname = self.files.get(*file).map_or("", |f| f.name.as_str());
                    if let Some(kn) = item.get(k) {
                        let d = self
                            .at(
                                kn,
                                Code::P0204,
                                &format!("{base}.{n}"),
                                format!("duplicate {k} `{n}` in `{base}`"),
                            )
                            .hint(format!("first defined at {fname}:{line}"));
                        self.push(d);
                    }
                } else if let Some(kn) = item.get(k) {
                    let line = self
                        .files
                        .get(kn.file)
                        .map_or(0, |f| crate::line_col(&f.text, kn.span.start).0);
                    seen.push((n.clone(), kn.file, line));
                }
            }
            let path = format!("{base}.{}", name.unwrap_or_else(|| i.to_string()));
            let t = Tab {
                node: Some(item),
                path,
                pat: pat.clone(),
                item: i,
                anchor: (item.file, item.span.clone()),
            };
            self.unknown_keys(&t);
            out.push(t);
        }
        out
    }

    /// Resolve a name reference (`generation = "B200"`) to an index in `names`.
    fn reference(
        &mut self,
        t: &Tab<'_>,
        key: &str,
        names: &[String],
        code: Code,
        what: &str,
    ) -> Option<usize> {
        let s = self.text(t, key)?;
        if let Some(i) = names.iter().position(|n| *n == s) {
            return Some(i);
        }
        let node = t.get(key)?;
        let path = t.path_of(key);
        let mut d = self
            .at(node, code, &path, format!("unknown {what} `{s}`"))
            .found(format!("\"{s}\""));
        if let Some(c) = closest(&s, names.iter().map(String::as_str)) {
            d = d.hint(format!("did you mean `{c}`?"));
        } else if names.is_empty() {
            d = d.hint(format!("no {what} is declared"));
        } else {
            d = d.hint(format!("declared: {}", names.join(", ")));
        }
        self.push(d);
        None
    }

    /// Exactly one of `a` and `b` must be present (errors otherwise). Returns which: true = a.
    fn one_of(&mut self, t: &Tab<'_>, a: &str, b: &str) -> Option<bool> {
        match (t.get(a), t.get(b)) {
            (Some(_), None) => Some(true),
            (None, Some(_)) => Some(false),
            (Some(_), Some(nb)) => {
                let d = self
                    .at(
                        nb,
                        Code::P0107,
                        &t.path_of(b),
                        format!("`{a}` and `{b}` are both given in `{}`", t.path),
                    )
                    .hint(format!("give exactly one of `{a}` and `{b}`"));
                self.push(d);
                None
            }
            (None, None) => {
                let d = Diag::new(
                    Code::P0107,
                    t.anchor.0,
                    t.anchor.1.clone(),
                    format!("`{}` needs `{a}` or `{b}`", t.path),
                )
                .path(t.path.clone())
                .hint(format!("give exactly one of `{a}` and `{b}`"));
                self.push(d);
                None
            }
        }
    }

    /// Warn that a key has no effect.
    fn ignored(&mut self, t: &Tab<'_>, key: &str, why: &str) {
        if let Some(n) = t.get(key) {
            let path = t.path_of(key);
            let d = self
                .at(n, Code::P0310, &path, format!("`{path}` is ignored {why}"))
                .warning();
            self.push(d);
        }
    }

    fn inconsistent(&mut self, t: &Tab<'_>, key: &str, message: String) {
        if let Some(n) = t.get(key) {
            let d = self
                .at(n, Code::P0308, &t.path_of(key), message)
                .found(self.found(n));
            self.push(d);
        }
    }
}

/// Convert the tree; `None` when something required is missing or invalid (always reported).
pub(crate) fn convert(
    root: &Node,
    files: &[&SourceFile],
    overlay_names: &[String],
    diags: &mut Vec<Diag>,
) -> Option<(Scenario, Vec<ParamValue>)> {
    let mut cx = Ctx {
        diags,
        params: Vec::new(),
        files,
        overlay_names,
        fye: None,
        end: None,
    };
    let top = Tab {
        node: Some(root),
        path: String::new(),
        pat: String::new(),
        item: 0,
        anchor: (0, 0..0),
    };
    cx.unknown_keys(&top);

    let settings = cx
        .table(&top, "scenario", true)
        .and_then(|t| settings(&mut cx, &t));
    let start = settings
        .as_ref()
        .map_or_else(|| Quarter::new(2024, 1), |s| Some(s.start));

    let (gen_names, generations) = generations(&mut cx, &top);
    let facilities = cx
        .table(&top, "facilities", true)
        .and_then(|t| facilities(&mut cx, &t));
    let capex = capex(&mut cx, &top, &gen_names);
    let compute = cx
        .table(&top, "compute", false)
        .and_then(|t| compute(&mut cx, &t));
    let power = cx
        .table(&top, "power", true)
        .and_then(|t| power(&mut cx, &t));
    let opex = cx.table(&top, "opex", false).and_then(|t| {
        Some(Opex {
            rate: cx.num(&t, "rate")?,
        })
    });
    let open_market = cx
        .table(&top, "open_market", true)
        .and_then(|t| open_market(&mut cx, &t));
    let counterparties = counterparties(&mut cx, &top);
    let cp_ids: Vec<String> = counterparties.iter().map(|c| c.id.clone()).collect();
    let contracts = contracts(
        &mut cx,
        &top,
        start,
        &gen_names,
        generations.as_deref(),
        &cp_ids,
    );
    let pipeline = cx
        .table(&top, "pipeline", false)
        .and_then(|t| pipeline(&mut cx, &t));
    let tiers = tiers(&mut cx, &top);
    let inference = optional_section(&mut cx, &top, "inference", inference);
    let agents = match cx.table(&top, "agents", false) {
        Some(t) if t.node.is_some() => {
            let a = agents(&mut cx, &t, start);
            // Agents need a token rate: their own or the inference fleet's.
            if !top.has("inference") && !t.has("tokens_per_ref_hour") {
                cx.missing(
                    &t,
                    "tokens_per_ref_hour",
                    "required when there is no `[inference]`",
                );
                None
            } else {
                a.map(Some)
            }
        }
        Some(_) => Some(None),
        None => None,
    };
    let equity = equity(&mut cx, &top, &cp_ids);
    let internal = cx
        .table(&top, "internal", false)
        .and_then(|t| internal(&mut cx, &t));
    let debt = debt(&mut cx, &top);

    let scenario = Scenario {
        scenario: settings?,
        generations: generations?,
        facilities: facilities?,
        capex: capex?,
        compute: compute?,
        power: power?,
        opex: opex?,
        open_market: open_market?,
        counterparties,
        contracts: contracts?,
        pipeline: pipeline?,
        tiers: tiers?,
        inference: inference?,
        agents: agents?,
        equity: equity?,
        internal: internal?,
        debt: debt?,
    };
    let mut params = cx.params;
    params.sort_by_key(|(k, _)| *k);
    Some((scenario, params.into_iter().map(|(_, p)| p).collect()))
}

/// Add a converted entry of an array of tables to `out`, or, when the entry is invalid
/// (`None`), mark the whole list invalid. The remaining entries are still converted, so that
/// every error is reported.
fn push_or_fail<T>(out: &mut Option<Vec<T>>, item: Option<T>) {
    match (item, out.as_mut()) {
        (Some(x), Some(v)) => v.push(x),
        _ => *out = None,
    }
}

fn optional_section<T>(
    cx: &mut Ctx<'_>,
    top: &Tab<'_>,
    key: &str,
    f: impl Fn(&mut Ctx<'_>, &Tab<'_>) -> Option<T>,
) -> Option<Option<T>> {
    match cx.table(top, key, false) {
        Some(t) if t.node.is_some() => f(cx, &t).map(Some),
        Some(_) => Some(None),
        None => None,
    }
}

fn settings(cx: &mut Ctx<'_>, t: &Tab<'_>) -> Option<Settings> {
    let fiscal_year_end = if t.has("fiscal_year_end") {
        cx.int(t, "fiscal_year_end")
    } else {
        None
    };
    let fye_ok = !t.has("fiscal_year_end") || fiscal_year_end.is_some();
    cx.fye = fiscal_year_end;
    let name = cx.text(t, "name");
    let start = cx.quarter(t, "start", None);
    let end = cx.quarter(t, "end", None);
    if let (Some(s), Some(e)) = (start, end)
        && e <= s
    {
        let msg = format!("`scenario.end` ({e}) must be after `scenario.start` ({s})");
        if t.has("end") {
            cx.inconsistent(t, "end", msg)
        } else {
            cx.inconsistent(t, "start", msg)
        }
    }
    cx.end = end;
    let discount_rate = cx.num(t, "discount_rate");
    let tax_rate = cx.num(t, "tax_rate");
    let tax = cx.choice(t, "tax").map(|s| {
        if s == "standalone" {
            TaxMode::Standalone
        } else {
            TaxMode::Group
        }
    });
    let terminal_kind = cx.choice(t, "terminal");
    let terminal = match terminal_kind {
        Some("book") => cx
            .num(t, "terminal_recovery")
            .map(|recovery| Terminal::Book { recovery }),
        Some(other) => {
            cx.ignored(t, "terminal_recovery", "unless `terminal = \"book\"`");
            Some(if other == "none" {
                Terminal::None
            } else {
                Terminal::Runoff
            })
        }
        None => None,
    };
    let mothball_quarters = cx.int(t, "mothball_quarters");
    let after_plan = cx.choice(t, "after_plan").map(|s| {
        if s == "replace" {
            AfterPlan::Replace
        } else {
            AfterPlan::None
        }
    });
    let mix_excess = cx.choice(t, "mix_excess").map(|s| {
        if s == "accelerators" {
            MixExcess::Accelerators
        } else {
            MixExcess::None
        }
    });
    fye_ok.then_some(())?;
    Some(Settings {
        name: name?,
        start: start?,
        end: end?,
        fiscal_year_end,
        discount_rate: discount_rate?,
        tax_rate: tax_rate?,
        tax: tax?,
        terminal: terminal?,
        mothball_quarters: mothball_quarters?,
        after_plan: after_plan?,
        mix_excess: mix_excess?,
    })
}

/// The generations: the names references resolve against (in the final order when every
/// generation is valid, else file order) and the generations sorted by launch, `None` when any
/// is invalid or there are none (always reported).
fn generations(cx: &mut Ctx<'_>, top: &Tab<'_>) -> (Vec<String>, Option<Vec<Generation>>) {
    let mut names = Vec::new();
    let mut out = Some(Vec::new());
    for t in cx.items(top, "generations", Some("name")) {
        let name = cx.text(&t, "name");
        let launch = cx.quarter(&t, "launch", None);
        let unit_cost = cx.num(&t, "unit_cost");
        let power_kw = cx.num(&t, "power_kw");
        let perf = cx.num(&t, "perf");
        let availability = cx.num(&t, "availability");
        let accounting = cx.num(&t, "accounting_life_years");
        let economic = derived(cx, &t, "economic_life_years", accounting);
        let pricing = derived(cx, &t, "pricing_life_years", economic);
        let salvage = cx.num(&t, "salvage");
        // Keep the name even of an invalid generation so that references to it do not also fail.
        names.push(
            t.get("name")
                .and_then(Node::as_str)
                .unwrap_or("")
                .to_string(),
        );
        let g = (|| {
            Some(Generation {
                name: name?,
                launch: launch?,
                unit_cost: unit_cost?,
                power_kw: power_kw?,
                perf: perf?,
                availability: availability?,
                accounting_life_years: accounting?,
                economic_life_years: economic?,
                pricing_life_years: pricing?,
                salvage: salvage?,
            })
        })();
        push_or_fail(&mut out, g);
    }
    if names.is_empty() {
        let span = top.get("generations").map_or(0..0, |n| n.span.clone());
        let d = Diag::new(
            Code::P0104,
            0,
            span,
            "at least one `[[generations]]` entry is required".into(),
        )
        .path("generations")
        .expected("at least one `[[generations]]` entry");
        cx.push(d);
        return (names, None);
    }
    if let Some(v) = out.as_mut() {
        // The model wants launch order; a stable sort keeps file order for ties.
        v.sort_by_key(|g| g.launch);
        names = v.iter().map(|g| g.name.clone()).collect();
    }
    (names, out)
}

/// A number whose default is another value (`economic_life_years` = accounting life).
fn derived(cx: &mut Ctx<'_>, t: &Tab<'_>, key: &str, fallback: Option<f64>) -> Option<f64> {
    if t.has(key) {
        return cx.num(t, key);
    }
    let v = fallback?;
    cx.record(t, key, ParamScalar::Number(v), None, None);
    Some(v)
}

fn facilities(cx: &mut Ctx<'_>, t: &Tab<'_>) -> Option<Facilities> {
    let cost_per_mw = cx.num(t, "cost_per_mw");
    let facility_lead_time = cx.int(t, "facility_lead_time");
    let life_years = cx.num(t, "life_years");
    let pue = cx.num(t, "pue");
    let opening_mw = cx.num(t, "opening_mw");
    let opening_nbv_per_mw = cx.num(t, "opening_nbv_per_mw");
    Some(Facilities {
        cost_per_mw: cost_per_mw?,
        facility_lead_time: facility_lead_time?,
        life_years: life_years?,
        pue: pue?,
        opening_mw: opening_mw?,
        opening_nbv_per_mw: opening_nbv_per_mw?,
    })
}

fn capex(cx: &mut Ctx<'_>, top: &Tab<'_>, names: &[String]) -> Option<Vec<Tranche>> {
    let mut out = Some(Vec::new());
    for t in cx.items(top, "capex", None) {
        let label = cx.text(&t, "period");
        let quarters = match (&label, t.get("period")) {
            (Some(s), Some(n)) => cx.parse_period(n, &t.path_of("period"), s, false),
            _ => None,
        };
        if let Some(q) = quarters.as_ref().and_then(|q| q.last()) {
            cx.not_after_end(&t, "period", *q);
        }
        let amount = cx.num(&t, "amount");
        let ai_share = cx.num(&t, "ai_share");
        let kind = match cx.one_of(&t, "buys", "mix") {
            Some(true) => cx.choice(&t, "buys").map(|b| {
                if b == "facilities" {
                    TrancheKind::Facilities
                } else {
                    TrancheKind::Accelerators
                }
            }),
            Some(false) => mix(cx, &t),
            None => {
                // Still check the values given.
                let _ = cx.choice(&t, "buys");
                let _ = mix(cx, &t);
                None
            }
        };
        let needs_generation = !matches!(kind, Some(TrancheKind::Facilities));
        let generation = if t.has("generation") {
            cx.reference(&t, "generation", names, Code::P0202, "generation")
        } else if needs_generation {
            if kind.is_some() {
                cx.missing(&t, "generation", "required unless `buys = \"facilities\"`");
            }
            None
        } else {
            Some(0)
        };
        let lead_time = cx.int(&t, "lead_time");
        let tranche = (|| {
            Some(Tranche {
                quarters: quarters?,
                period_label: label?,
                amount: amount?,
                ai_share: ai_share?,
                kind: kind?,
                generation: generation?,
                lead_time: lead_time?,
            })
        })();
        push_or_fail(&mut out, tranche);
    }
    out
}

fn mix(cx: &mut Ctx<'_>, t: &Tab<'_>) -> Option<TrancheKind> {
    let m = cx.table(t, "mix", false)?;
    m.node?;
    let a = cx.num(&m, "accelerators");
    let f = cx.num(&m, "facilities");
    let (a, f) = (a?, f?);
    if (a + f - 1.0).abs() > 1e-9 {
        let node = t.get("mix")?;
        let d = cx
            .at(
                node,
                Code::P0306,
                &t.path_of("mix"),
                format!("`{}` sums to {}, not 1", t.path_of("mix"), tidy(a + f)),
            )
            .expected("accelerators + facilities = 1")
            .found(format!("{a} + {f} = {}", tidy(a + f)));
        cx.push(d);
        return None;
    }
    Some(TrancheKind::Mix {
        accelerators: a,
        facilities: f,
    })
}

/// A sum for display, without binary floating-point noise (0.6 + 0.3 prints as 0.9).
fn tidy(v: f64) -> f64 {
    let r = (v * 1e12).round() / 1e12;
    if r.is_finite() { r } else { v }
}

fn compute(cx: &mut Ctx<'_>, t: &Tab<'_>) -> Option<Compute> {
    let mode = cx.choice(t, "price_mode");
    let price_mode = match mode {
        Some("path") => {
            let start_price = cx.num(t, "start_price");
            let decline = cx.num(t, "decline");
            if !t.has("start_price") {
                cx.missing(t, "start_price", "required in path mode");
            }
            if !t.has("decline") {
                cx.missing(t, "decline", "required in path mode");
            }
            let floor = cx.num(t, "floor");
            (|| {
                Some(PriceMode::Path {
                    start_price: start_price?,
                    decline: decline?,
                    floor: floor?,
                })
            })()
        }
        Some(_) => {
            for k in ["start_price", "decline", "floor"] {
                cx.ignored(t, k, "unless `price_mode = \"path\"`");
            }
            Some(PriceMode::CostPlus)
        }
        None => None,
    };
    let market_margin = cx.num(t, "market_margin");
    let expected_utilization = cx.num(t, "expected_utilization");
    let pricing_power = cx.num(t, "pricing_power");
    let markup_cap = cx.num(t, "markup_cap");
    let expected_decline = cx.opt_num(t, "expected_decline");
    Some(Compute {
        price_mode: price_mode?,
        market_margin: market_margin?,
        expected_utilization: expected_utilization?,
        pricing_power: pricing_power?,
        markup_cap: markup_cap?,
        expected_decline: expected_decline?,
    })
}

fn power(cx: &mut Ctx<'_>, t: &Tab<'_>) -> Option<Power> {
    let price_per_mwh = cx.num(t, "price_per_mwh");
    let escalation = cx.num(t, "escalation");
    let idle_draw = cx.num(t, "idle_draw");
    Some(Power {
        price_per_mwh: price_per_mwh?,
        escalation: escalation?,
        idle_draw: idle_draw?,
    })
}

fn parse_year(s: &str) -> Option<i32> {
    (s.len() == 4 && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

fn year_path(cx: &mut Ctx<'_>, t: &Tab<'_>, key: &str) -> Option<YearPath> {
    cx.map(t, key, parse_year, "a year (2027)")
        .map(|points| YearPath { points })
}

fn open_market(cx: &mut Ctx<'_>, t: &Tab<'_>) -> Option<OpenMarket> {
    let reference_price = cx.num(t, "reference_price");
    let ref_hours = cx.num(t, "ref_hours");
    let growth = year_path(cx, t, "growth");
    let elasticity = cx.num(t, "elasticity");
    let f_max = cx.num(t, "f_max");
    Some(OpenMarket {
        reference_price: reference_price?,
        ref_hours: ref_hours?,
        growth: growth?,
        elasticity: elasticity?,
        f_max: f_max?,
    })
}

fn counterparties(cx: &mut Ctx<'_>, top: &Tab<'_>) -> Vec<Counterparty> {
    let mut out = Vec::new();
    for t in cx.items(top, "counterparties", Some("id")) {
        let id = cx.text(&t, "id");
        let name = if t.has("name") {
            cx.text(&t, "name")
        } else {
            id.clone()
                .inspect(|id| cx.record(&t, "name", ParamScalar::Text(id.clone()), None, None))
        };
        let hazard = cx.num(&t, "hazard");
        // Keep invalid counterparties by id so that references to them are not also errors.
        out.push(Counterparty {
            id: id
                .clone()
                .or_else(|| t.get("id").and_then(Node::as_str).map(str::to_string))
                .unwrap_or_default(),
            name: name.unwrap_or_default(),
            hazard: hazard.unwrap_or(f64::NAN),
        });
    }
    out
}

fn contracts(
    cx: &mut Ctx<'_>,
    top: &Tab<'_>,
    start: Option<Quarter>,
    names: &[String],
    gens: Option<&[Generation]>,
    cps: &[String],
) -> Option<Vec<Contract>> {
    let mut out = Some(Vec::new());
    for t in cx.items(top, "contracts", Some("name")) {
        let name = cx.text(&t, "name");
        let counterparty = if t.has("counterparty") {
            cx.reference(&t, "counterparty", cps, Code::P0203, "counterparty")
                .map(Some)
        } else {
            Some(None)
        };
        let c_start = cx.quarter(&t, "start", None);
        let signed = cx.quarter(&t, "signed", start);
        if let Some(s) = c_start {
            cx.not_after_end(&t, "start", s);
        }
        if let Some(s) = signed {
            cx.not_after_end(&t, "signed", s);
        }
        if let (Some(sg), Some(st)) = (signed, c_start)
            && sg > st
        {
            let msg = format!("contract signed ({sg}) after it starts ({st})");
            if t.has("signed") {
                cx.inconsistent(&t, "signed", msg)
            } else {
                cx.inconsistent(&t, "start", msg)
            }
        }
        let term_years = cx.num(&t, "term_years");
        let ref_accelerators = match cx.one_of(&t, "ref_accelerators", "accelerators") {
            Some(true) => {
                if t.has("generation") {
                    cx.ignored(&t, "generation", "with `ref_accelerators`");
                }
                cx.num(&t, "ref_accelerators")
            }
            Some(false) => {
                let acc = cx.num(&t, "accelerators");
                if t.has("generation") {
                    let g = cx.reference(&t, "generation", names, Code::P0202, "generation");
                    match (acc, g.and_then(|i| gens?.get(i))) {
                        (Some(a), Some(g)) => Some(a * g.perf).filter(|v| v.is_finite()),
                        _ => None,
                    }
                } else {
                    cx.missing(&t, "generation", "required with `accelerators`");
                    None
                }
            }
            None => None,
        };
        let ramp_years = cx.num(&t, "ramp_years");
        let price = match cx.one_of(&t, "price_per_ref_hour", "total_value") {
            Some(true) => cx
                .num(&t, "price_per_ref_hour")
                .map(ContractPrice::PerRefHour),
            Some(false) => cx.num(&t, "total_value").map(ContractPrice::TotalValue),
            None => None,
        };
        let take_or_pay = cx.num(&t, "take_or_pay");
        let usage = cx.num(&t, "usage");
        let prepaid = cx.num(&t, "prepaid");
        let renewal_prob = cx.num(&t, "renewal_prob");
        let renewal_repricing = cx.num(&t, "renewal_repricing");
        let circular_share = cx.num(&t, "circular_share");
        let c = (|| {
            Some(Contract {
                name: name?,
                counterparty: counterparty?,
                signed: signed?,
                start: c_start?,
                term_years: term_years?,
                ref_accelerators: ref_accelerators?,
                ramp_years: ramp_years?,
                price: price?,
                take_or_pay: take_or_pay?,
                usage: usage?,
                prepaid: prepaid?,
                renewal_prob: renewal_prob?,
                renewal_repricing: renewal_repricing?,
                circular_share: circular_share?,
            })
        })();
        push_or_fail(&mut out, c);
    }
    out
}

fn pipeline(cx: &mut Ctx<'_>, t: &Tab<'_>) -> Option<Pipeline> {
    let commit_share = cx.num(t, "commit_share");
    let term_years = cx.num(t, "term_years");
    let reserved_discount = cx.num(t, "reserved_discount");
    let take_or_pay = cx.num(t, "take_or_pay");
    let usage = cx.num(t, "usage");
    let hazard = cx.num(t, "hazard");
    Some(Pipeline {
        commit_share: commit_share?,
        term_years: term_years?,
        reserved_discount: reserved_discount?,
        take_or_pay: take_or_pay?,
        usage: usage?,
        hazard: hazard?,
    })
}

fn tiers(cx: &mut Ctx<'_>, top: &Tab<'_>) -> Option<Vec<Tier>> {
    let items = cx.items(top, "tiers", Some("name"));
    if items.is_empty() && !top.has("tiers") {
        return Some(vec![Tier {
            name: "standard".into(),
            share: 1.0,
            premium: 1.0,
            premium_decay: 0.0,
            latest_generation: false,
        }]);
    }
    let mut out = Some(Vec::new());
    for t in &items {
        let name = cx.text(t, "name");
        let share = cx.num(t, "share");
        let premium = cx.num(t, "premium");
        let premium_decay = cx.num(t, "premium_decay");
        let latest_generation = cx.boolean(t, "latest_generation");
        let tier = (|| {
            Some(Tier {
                name: name?,
                share: share?,
                premium: premium?,
                premium_decay: premium_decay?,
                latest_generation: latest_generation?,
            })
        })();
        push_or_fail(&mut out, tier);
    }
    if let Some(v) = &out
        && v.iter().all(|t| t.share == 0.0)
    {
        let node = top.get("tiers")?;
        let d = cx
            .at(node, Code::P0309, "tiers", "every tier has share 0".into())
            .hint("give at least one tier a positive `share` (shares are normalised over tiers)");
        cx.push(d);
        return None;
    }
    out
}

fn inference(cx: &mut Ctx<'_>, t: &Tab<'_>) -> Option<Inference> {
    let tokens = cx.num(t, "tokens");
    let growth = year_path(cx, t, "growth");
    let price = cx.num(t, "price");
    let price_decline = cx.num(t, "price_decline");
    let min_margin = cx.num(t, "min_margin");
    let tokens_per_ref_hour = cx.num(t, "tokens_per_ref_hour");
    let efficiency_gain = cx.num(t, "efficiency_gain");
    let elasticity = cx.num(t, "elasticity");
    let max_tokens = cx.num(t, "max_tokens");
    Some(Inference {
        tokens: tokens?,
        growth: growth?,
        price: price?,
        price_decline: price_decline?,
        min_margin: min_margin?,
        tokens_per_ref_hour: tokens_per_ref_hour?,
        efficiency_gain: efficiency_gain?,
        elasticity: elasticity?,
        max_tokens: max_tokens?,
    })
}

fn agents(cx: &mut Ctx<'_>, t: &Tab<'_>, start: Option<Quarter>) -> Option<Agents> {
    let market = cx.num(t, "market");
    let seats = cx.num(t, "seats");
    if let (Some(m), Some(s)) = (market, seats)
        && s > m
    {
        cx.inconsistent(
            t,
            "seats",
            format!("`agents.seats` ({s}) exceeds `agents.market` ({m})"),
        );
    }
    let p = cx.num(t, "p");
    let q = cx.num(t, "q");
    let churn = cx.num(t, "churn");
    let production_start = cx.quarter(t, "production_start", start);
    let pilot_share = cx.num(t, "pilot_share");
    let pricing = match cx.one_of(t, "price", "value") {
        Some(true) => cx.num(t, "price").map(AgentPricing::Fixed),
        Some(false) => cx.table(t, "value", false).and_then(|v| {
            let h = cx.num(&v, "hours_saved_per_month");
            let c = cx.num(&v, "hourly_cost");
            let s = cx.num(&v, "capture_share");
            Some(AgentPricing::Value {
                hours_saved_per_month: h?,
                hourly_cost: c?,
                capture_share: s?,
            })
        }),
        None => None,
    };
    let pilot_price = if t.has("pilot_price") {
        cx.num(t, "pilot_price")
    } else {
        let v = match pricing {
            Some(AgentPricing::Fixed(p)) => Some(p),
            Some(AgentPricing::Value {
                hours_saved_per_month,
                hourly_cost,
                capture_share,
            }) => Some(hours_saved_per_month * hourly_cost * capture_share),
            None => None,
        };
        derived(cx, t, "pilot_price", v)
    };
    let tokens_per_seat_month = cx.num(t, "tokens_per_seat_month");
    let token_growth = cx.num(t, "token_growth");
    let agent_tph = cx.opt_num(t, "tokens_per_ref_hour");
    let noncompute_share = cx.num(t, "noncompute_share");
    Some(Agents {
        market: market?,
        seats: seats.filter(|s| market.is_some_and(|m| *s <= m))?,
        p: p?,
        q: q?,
        churn: churn?,
        production_start: production_start?,
        pilot_share: pilot_share?,
        pilot_price: pilot_price?,
        pricing: pricing?,
        tokens_per_seat_month: tokens_per_seat_month?,
        token_growth: token_growth?,
        tokens_per_ref_hour: agent_tph?,
        noncompute_share: noncompute_share?,
    })
}

fn equity(cx: &mut Ctx<'_>, top: &Tab<'_>, cps: &[String]) -> Option<Vec<EquityStake>> {
    let mut out = Some(Vec::new());
    for t in cx.items(top, "equity", Some("name")) {
        let name = cx.text(&t, "name");
        let counterparty = if t.has("counterparty") {
            cx.reference(&t, "counterparty", cps, Code::P0203, "counterparty")
                .map(Some)
        } else {
            Some(None)
        };
        let opening_stake = cx.num(&t, "opening_stake");
        let cost_basis = cx.num(&t, "cost_basis");
        let mut investments = Some(Vec::new());
        for it in cx.items(&t, "investments", None) {
            let quarter = cx.quarter(&it, "period", None);
            if let Some(q) = quarter {
                cx.not_after_end(&it, "period", q);
            }
            let amount = cx.num(&it, "amount");
            let valuation = cx.opt_num(&it, "valuation");
            let investment = (|| {
                Some(Investment {
                    quarter: quarter?,
                    amount: amount?,
                    valuation: valuation?,
                })
            })();
            push_or_fail(&mut investments, investment);
        }
        let fye = cx.fye;
        let valuation = cx.map(
            &t,
            "valuation",
            |s| {
                PeriodSpec::parse(s).ok().and_then(|p| match p {
                    PeriodSpec::Quarter(q) => Some(q),
                    PeriodSpec::FiscalQuarter { .. } => {
                        p.quarters(fye).ok().and_then(|v| v.first().copied())
                    }
                    _ => None,
                })
            },
            "a quarter (\"2025Q4\")",
        );
        let e = (|| {
            Some(EquityStake {
                name: name?,
                counterparty: counterparty?,
                opening_stake: opening_stake?,
                cost_basis: cost_basis?,
                investments: investments?,
                valuation: valuation?,
            })
        })();
        push_or_fail(&mut out, e);
    }
    out
}

fn internal(cx: &mut Ctx<'_>, t: &Tab<'_>) -> Option<Internal> {
    let Some(node) = t.node else {
        return Some(Internal::None);
    };
    if node.entries().is_some_and(<[_]>::is_empty) {
        return Some(Internal::None);
    }
    match cx.one_of(t, "share", "ref_hours")? {
        true => {
            cx.ignored(t, "growth", "without `ref_hours`");
            cx.num(t, "share").map(Internal::Share)
        }
        false => {
            let ref_hours = cx.num(t, "ref_hours");
            let growth = cx.num(t, "growth");
            Some(Internal::Hours {
                ref_hours: ref_hours?,
                growth: growth?,
            })
        }
    }
}

fn debt(cx: &mut Ctx<'_>, top: &Tab<'_>) -> Option<Vec<DebtFacility>> {
    let mut out = Some(Vec::new());
    for t in cx.items(top, "debt", Some("name")) {
        let name = cx.text(&t, "name");
        let mut draws = Some(Vec::new());
        for d in cx.items(&t, "draws", None) {
            let label = cx.text(&d, "period");
            let quarters = match (&label, d.get("period")) {
                (Some(s), Some(n)) => cx.parse_period(n, &d.path_of("period"), s, false),
                _ => None,
            };
            if let Some(q) = quarters.as_ref().and_then(|q| q.last()) {
                cx.not_after_end(&d, "period", *q);
            }
            let amount = cx.num(&d, "amount");
            let draw = (|| {
                Some(DebtDraw {
                    quarters: quarters?,
                    period_label: label?,
                    amount: amount?,
                })
            })();
            push_or_fail(&mut draws, draw);
        }
        let rate = cx.num(&t, "rate");
        let fee = cx.num(&t, "fee");
        let grace_years = cx.num(&t, "grace_years");
        let maturity_years = cx.num(&t, "maturity_years");
        let amortisation = cx.choice(&t, "amortisation").map(|a| {
            if a == "bullet" {
                Amortisation::Bullet
            } else {
                Amortisation::Straight
            }
        });
        let min_coverage = cx.opt_num(&t, "min_coverage");
        let f = (|| {
            Some(DebtFacility {
                name: name?,
                draws: draws?,
                rate: rate?,
                fee: fee?,
                grace_years: grace_years?,
                maturity_years: maturity_years?,
                amortisation: amortisation?,
                min_coverage: min_coverage?,
            })
        })();
        push_or_fail(&mut out, f);
    }
    out
}
