//! `payback explain`: where a parameter comes from, or how an output figure is made.

use std::io::Write;

use payback_input::{Loaded, ParamValue};
use payback_model::explain::Explanation;
use payback_model::{Quarter, explain};
use payback_report::fmt;

use crate::Context;
use crate::error::CommandError;
use crate::inputs::Spec;
use crate::output;

/// Explain a parameter (its value, unit, meaning, source and where it was set) or an output
/// figure (its formula and the terms that make it up, down to the inputs and their sources).
///
/// TARGET is either a parameter path, such as `inference.price_decline`,
/// `generations.B200.unit_cost`, `tiers.*.premium_decay` (every tier) or `contracts.lab-a`
/// (every key of that contract), or an output series at a quarter, such as `fcf@2030Q2`
/// (`payback run --format csv` lists the series).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// A parameter path (`inference.price_decline`) or a figure at a quarter (`fcf@2030Q2`).
    #[arg(value_name = "TARGET")]
    pub target: String,

    /// Scenario file or built-in name (default: the built-in `default`).
    #[arg(value_name = "SCENARIO")]
    pub scenario: Option<String>,

    /// Overlay file or built-in overlay name; repeat to apply several, in order.
    #[arg(long = "overlay", short = 'o', value_name = "OVERLAY")]
    pub overlays: Vec<String>,
}

/// Run the command.
pub fn run(args: Args, _ctx: &Context) -> Result<(), CommandError> {
    let spec = Spec::from_args(args.scenario.as_deref(), &args.overlays)?;
    let loaded = spec.load()?;
    match args.target.split_once('@') {
        Some((figure, quarter)) => explain_figure(&loaded, figure.trim(), quarter.trim()),
        None => explain_params(&loaded, args.target.trim()),
    }
}

fn explain_params(loaded: &Loaded, path: &str) -> Result<(), CommandError> {
    let found = payback_input::explain_param(loaded, path).map_err(|e| {
        let mut err = CommandError::usage(e.message.clone());
        if !e.suggestions.is_empty() {
            let list: Vec<String> = e.suggestions.iter().map(|s| format!("`{s}`")).collect();
            err = err.hint(format!("did you mean {}?", list.join(" or ")));
        }
        err.hint("an output figure is written with a quarter, for example `fcf@2030Q2`")
    })?;
    output::to_stdout(|out: &mut dyn Write| {
        for (i, p) in found.iter().enumerate() {
            if i > 0 {
                writeln!(out)?;
            }
            write_param(out, p)?;
        }
        Ok(())
    })
}

fn value_text(p: &ParamValue) -> String {
    match &p.value {
        payback_input::ParamScalar::Number(x) => fmt::plain(Some(*x)),
        other => other.to_string(),
    }
}

/// Where the value was set: `file:line`, an overlay, or the format's default.
fn set_in(p: &ParamValue) -> String {
    if p.is_default {
        return "default (not set in the files)".to_string();
    }
    let at = if p.line > 0 {
        format!("{}:{}", p.file, p.line)
    } else {
        p.file.clone()
    };
    match &p.set_by_overlay {
        Some(o) => format!("overlay `{o}` ({at})"),
        None => at,
    }
}

fn write_param(out: &mut dyn Write, p: &ParamValue) -> std::io::Result<()> {
    writeln!(out, "{} = {}", p.path, value_text(p))?;
    if !p.unit.is_empty() {
        writeln!(out, "  unit:     {}", p.unit)?;
    }
    if !p.doc.is_empty() {
        writeln!(out, "  meaning:  {}", p.doc)?;
    }
    let prov = p.provenance.clone().unwrap_or_default();
    writeln!(
        out,
        "  kind:     {}",
        prov.kind.as_deref().unwrap_or("not stated")
    )?;
    writeln!(
        out,
        "  source:   {}",
        prov.source.as_deref().unwrap_or("not stated")
    )?;
    if let Some(a) = &prov.as_of {
        writeln!(out, "  as of:    {a}")?;
    }
    if let Some(n) = &prov.note {
        writeln!(out, "  note:     {n}")?;
    }
    writeln!(out, "  set in:   {}", set_in(p))
}

fn explain_figure(loaded: &Loaded, figure: &str, quarter: &str) -> Result<(), CommandError> {
    let q = Quarter::parse(quarter).map_err(|e| {
        CommandError::usage(format!("`{figure}@{quarter}`: {e}"))
            .hint("write a figure at a quarter as `fcf@2030Q2`")
    })?;
    let projection = payback_model::project(&loaded.scenario);
    let tree = explain::explain(&loaded.scenario, &projection, figure, q).map_err(|e| {
        let err = CommandError::usage(e.to_string());
        match e {
            explain::ExplainError::UnknownFigure { .. } => {
                err.hint("`payback run --format csv` lists every series; parameters have no `@`")
            }
            _ => err,
        }
    })?;
    let mut inputs: Vec<&str> = Vec::new();
    collect_inputs(&tree, &mut inputs);
    output::to_stdout(|out: &mut dyn Write| {
        writeln!(
            out,
            "{figure}@{q} = {}",
            fmt::with_unit(tree.value, &tree.unit)
        )?;
        if !tree.formula.is_empty() {
            let bar = if tree.terms.is_empty() {
                "   "
            } else {
                "│  "
            };
            writeln!(out, "{bar}= {}", tree.formula)?;
        }
        write_terms(out, &tree.terms, "")?;
        if !inputs.is_empty() {
            writeln!(out)?;
            writeln!(out, "Inputs")?;
            for path in inputs {
                match find_param(loaded, path) {
                    Some(p) => {
                        let prov = p.provenance.clone().unwrap_or_default();
                        let mut parts = vec![prov.kind.unwrap_or_else(|| "kind not stated".into())];
                        if let Some(s) = prov.source {
                            parts.push(format!("source: {s}"));
                        }
                        if let Some(a) = prov.as_of {
                            parts.push(format!("as of {a}"));
                        }
                        parts.push(format!("set in {}", set_in(p)));
                        writeln!(out, "  {} = {}", p.path, value_text(p))?;
                        writeln!(out, "      {}", parts.join("; "))?;
                    }
                    None => writeln!(out, "  {path} (derived; not a single file value)")?,
                }
            }
        }
        Ok(())
    })
}

/// The parameter at `path`; the engine names list items by index (`capex[16].amount`),
/// the input layer by dotted index (`capex.16.amount`): both are accepted.
fn find_param<'a>(loaded: &'a Loaded, path: &str) -> Option<&'a ParamValue> {
    let dotted = path.replace('[', ".").replace(']', "");
    loaded
        .params
        .iter()
        .find(|p| p.path == path)
        .or_else(|| loaded.params.iter().find(|p| p.path == dotted))
}

fn collect_inputs<'a>(e: &'a Explanation, out: &mut Vec<&'a str>) {
    if let Some(p) = &e.input
        && !out.contains(&p.as_str())
    {
        out.push(p);
    }
    for t in &e.terms {
        collect_inputs(t, out);
    }
}

fn write_terms(out: &mut dyn Write, terms: &[Explanation], indent: &str) -> std::io::Result<()> {
    for (i, t) in terms.iter().enumerate() {
        let last = i + 1 == terms.len();
        let (branch, cont) = if last {
            ("└─ ", "   ")
        } else {
            ("├─ ", "│  ")
        };
        let input = t
            .input
            .as_deref()
            .map(|p| format!("   [input {p}]"))
            .unwrap_or_default();
        writeln!(
            out,
            "{indent}{branch}{} = {}{input}",
            t.label,
            fmt::with_unit(t.value, &t.unit)
        )?;
        let child = format!("{indent}{cont}");
        if !t.formula.is_empty() {
            let bar = if t.terms.is_empty() { "   " } else { "│  " };
            writeln!(out, "{child}{bar}= {}", t.formula)?;
        }
        write_terms(out, &t.terms, &child)?;
    }
    Ok(())
}
