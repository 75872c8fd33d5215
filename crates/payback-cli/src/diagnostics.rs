//! Rendering input diagnostics for the terminal: rustc-style snippets (annotate-snippets,
//! plain, no colour) with `file:line:col`, the code, the message, the parameter path,
//! "expected … found …" and hints. The diagnostics themselves are data from `payback-input`;
//! only presentation lives here.

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use payback_input::{Diagnostic, Severity, SourceFile};

/// Render every diagnostic, each followed by a blank line, then a summary line.
pub fn render(diags: &[Diagnostic], sources: &[SourceFile]) -> String {
    let renderer = Renderer::plain();
    let mut out = String::new();
    for d in diags {
        out.push_str(&renderer.render(&[group(d, sources)]));
        out.push_str("\n\n");
    }
    let errors = diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let warnings = diags.len() - errors;
    let plural = |n: usize, w: &str| {
        if n == 1 {
            format!("{n} {w}")
        } else {
            format!("{n} {w}s")
        }
    };
    match (errors, warnings) {
        (0, 0) => {}
        (0, w) => out.push_str(&format!("{}\n", plural(w, "warning"))),
        (e, 0) => out.push_str(&format!(
            "error: could not load the scenario: {}\n",
            plural(e, "error")
        )),
        (e, w) => out.push_str(&format!(
            "error: could not load the scenario: {}, {}\n",
            plural(e, "error"),
            plural(w, "warning")
        )),
    }
    out
}

fn group<'a>(d: &'a Diagnostic, sources: &'a [SourceFile]) -> Group<'a> {
    let level = match d.severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
    };
    let label = match (&d.expected, &d.found) {
        (Some(e), Some(f)) => format!("expected {e}, found {f}"),
        (Some(e), None) => format!("expected {e}"),
        (None, Some(f)) => format!("found {f}"),
        (None, None) => String::new(),
    };
    let mut g = Group::with_title(level.primary_title(d.message.as_str()).id(d.code.as_str()));
    match sources.iter().find(|s| s.name == d.file) {
        // The input crate guarantees spans lie within the file on char boundaries.
        Some(src) if d.span.end <= src.text.len() => {
            let mut ann = AnnotationKind::Primary.span(d.span.clone());
            if !label.is_empty() {
                ann = ann.label(label);
            }
            g = g.element(
                Snippet::source(src.text.as_str())
                    .path(d.file.as_str())
                    .annotation(ann),
            );
        }
        _ => {
            g = g.element(Level::NOTE.message(format!("at {}:{}:{}", d.file, d.line, d.column)));
            if !label.is_empty() {
                g = g.element(Level::NOTE.message(label));
            }
        }
    }
    if let Some(p) = &d.path {
        g = g.element(Level::NOTE.message(format!("parameter: {p}")));
    }
    for h in &d.hints {
        g = g.element(Level::HELP.message(h.as_str()));
    }
    g
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scenario(text: &str) -> (Vec<Diagnostic>, Vec<SourceFile>) {
        let src = vec![SourceFile::new("m.toml", text)];
        let diags = payback_input::load(&src[0], &[]).err().unwrap_or_default();
        (diags, src)
    }

    const BASE: &str = r#"[scenario]
name = "Snap"
discount_rate = 0.09
tax_rate = 20
taxx = "group"

[[generations]]
name = "H100"
launch = "2023Q1"
unit_cost = 30000
power_kw = 1.3
perf = 1
accounting_life_years = 5

[facilities]
cost_per_mw = 10e6
facility_lead_time = 4
life_years = 20

[power]
price_per_mwh = 70

[open_market]
reference_price = 2.0
ref_hours = 1e9
growth = { 2024 = 0.3 }
"#;

    #[test]
    fn renders_range_unknown_key_and_missing_value() {
        let (d, s) = scenario(BASE);
        insta::assert_snapshot!(render(&d, &s), @r#"
        error[P0301]: `scenario.tax_rate` is a share and must be in 0..=1
         --> m.toml:4:12
          |
        4 | tax_rate = 20
          |            ^^ expected a number 0..=1, found 20
          |
          = note: parameter: scenario.tax_rate
          = help: shares are decimals: write 0.2 for 20 %

        error[P0103]: unknown key `taxx` in `scenario`
         --> m.toml:5:1
          |
        5 | taxx = "group"
          | ^^^^
          |
          = note: parameter: scenario.taxx
          = help: did you mean `tax`?

        error[P0104]: missing required value `pue`
          --> m.toml:15:1
           |
        15 | [facilities]
           | ^^^^^^^^^^^^ expected a number
           |
           = note: parameter: facilities.pue
           = help: `pue`: Power usage effectiveness (multiplies electricity bought).

        error: could not load the scenario: 3 errors
        "#);
    }

    #[test]
    fn renders_syntax_errors_and_overlay_lines() {
        let (d, s) = scenario("[scenario]\nname = Snap\n");
        insta::assert_snapshot!(render(&d, &s), @r#"
        error[P0101]: syntax error: string values must be quoted, expected literal string
         --> m.toml:2:8
          |
        2 | name = Snap
          |        ^^^^

        error: could not load the scenario: 1 error
        "#);
        let base = SourceFile::new(
            "m.toml",
            BASE.replace("tax_rate = 20\ntaxx = \"group\"", "tax_rate = 0.2")
                .replace("life_years = 20", "life_years = 20\npue = 1.2"),
        );
        let ov = SourceFile::new("bear.toml", "[set]\n\"compute.market_margn\" = 0.1\n");
        let d = payback_input::load(&base, std::slice::from_ref(&ov))
            .err()
            .unwrap_or_default();
        insta::assert_snapshot!(render(&d, &[base, ov]), @r#"
        error[P0404]: `market_margn` in overlay path `compute.market_margn` is not a key of the format
         --> bear.toml:2:1
          |
        2 | "compute.market_margn" = 0.1
          | ^^^^^^^^^^^^^^^^^^^^^^
          |
          = note: parameter: compute.market_margn
          = help: did you mean `market_margin`?

        error: could not load the scenario: 1 error
        "#);
    }
}
