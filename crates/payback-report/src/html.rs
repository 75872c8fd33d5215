//! The self-contained HTML report: one file, no JavaScript, no external resource.
//!
//! The charts are inline SVG, the styles inline, and a Content-Security-Policy meta tag
//! (`default-src 'none'; style-src 'unsafe-inline'; img-src data:`) makes the browser refuse
//! anything else, which proves the file loads nothing. The only URLs in the file are the
//! assumptions' and the evidence's source links. The headline comes first (payback quarter of every run, NPV,
//! IRR, peak funding need, and the probability of payback by year when uncertainty is given),
//! then the charts, the annual table, the vintages, every assumption with its provenance, the
//! warnings and the input manifest. `@media print` rules make it print cleanly to PDF.
//!
//! There is no timestamp: the same inputs give the same bytes.

use std::fmt::Write as _;

use payback_model::finance::Payback;

use crate::annual::{Annual, YearBasis};
use crate::assumptions::{Assumption, merged};
use crate::charts::Chart;
use crate::charts::palette;
use crate::charts::uncertainty::Uncertainty;
use crate::evidence::Evidence;
use crate::text::{irr_text, payback_text};
use crate::{Inputs, Run, fmt};

/// The Content-Security-Policy of the report.
pub const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

/// `s` with `&`, `<`, `>`, `"` and `'` escaped for HTML text and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = r#"
:root { --ink: #222; --muted: #555; --rule: #d9d9d9; --band: #f5f7fa; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", "Segoe UI", Helvetica, Arial, sans-serif; color: var(--ink);
  max-width: 1100px; margin: 0 auto; padding: 24px 28px 48px; line-height: 1.45; font-size: 15px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 20px; margin: 36px 0 10px; border-bottom: 2px solid var(--ink); padding-bottom: 4px; }
p.sub { color: var(--muted); margin: 0 0 18px; }
p.answer { font-size: 18px; margin: 14px 0 16px; }
table { border-collapse: collapse; width: 100%; margin: 8px 0 12px; font-variant-numeric: tabular-nums; }
th, td { padding: 5px 8px; border-bottom: 1px solid var(--rule); vertical-align: top; }
th { text-align: left; background: var(--band); font-weight: 600; }
td.num, th.num { text-align: right; white-space: nowrap; }
table.headline td.num { font-size: 16px; }
table.headline tr.key td { font-weight: 700; font-size: 17px; }
.swatch { display: inline-block; width: 12px; height: 12px; border-radius: 2px; margin-right: 6px; vertical-align: -1px; }
figure { margin: 18px 0 26px; }
figure svg.chart { width: 100%; height: auto; display: block; border: 1px solid var(--rule); }
figcaption { color: var(--muted); font-size: 14px; margin-top: 6px; }
table.assumptions { font-size: 13px; }
table.assumptions td.path { font-family: "DejaVu Sans Mono", Consolas, monospace; font-size: 12px; white-space: nowrap; }
table.assumptions td.wide { min-width: 280px; }
table.assumptions td.num { white-space: normal; }
.scroll { overflow-x: auto; }
.note { color: var(--muted); font-size: 13px; }
a { color: #0b5cad; word-break: break-all; }
footer { margin-top: 40px; color: var(--muted); font-size: 12px; }
footer code { font-size: 11px; }
@media print {
  @page { size: A4; margin: 14mm 12mm; }
  body { max-width: none; padding: 0; font-size: 11px; }
  h1 { font-size: 20px; }
  h2 { font-size: 15px; margin-top: 18px; break-after: avoid; }
  p.answer { font-size: 13px; }
  figure, tr, table.headline { break-inside: avoid; }
  thead { display: table-header-group; }
  .scroll { overflow: visible; }
  table.annual { font-size: 9px; }
  th, td { padding: 3px 5px; }
  a { color: inherit; text-decoration: none; }
  table.assumptions { font-size: 8px; }
  table.assumptions td.path { white-space: normal; word-break: break-all; font-size: 8px; }
  table.assumptions td.wide { min-width: 0; }
}
"#;

/// The whole report as an HTML document.
pub fn render(
    runs: &[Run<'_>],
    assumptions: &[Vec<Assumption>],
    inputs: &Inputs,
    charts: &[Chart],
    uncertainty: Option<&Uncertainty>,
) -> String {
    render_with_evidence(runs, assumptions, inputs, charts, uncertainty, None)
}

/// [`render`], with the Evidence section ([`crate::evidence::html_section`]) after the
/// vintages when `evidence` is given.
pub fn render_with_evidence(
    runs: &[Run<'_>],
    assumptions: &[Vec<Assumption>],
    inputs: &Inputs,
    charts: &[Chart],
    uncertainty: Option<&Uncertainty>,
    evidence: Option<&Evidence>,
) -> String {
    let mut h = String::with_capacity(256 * 1024);
    let name = runs
        .first()
        .map_or_else(String::new, |r| r.settings.name.clone());
    // Writing into a String cannot fail.
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{}\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>payback report — {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        escape(CSP),
        escape(&name)
    );
    headline(&mut h, runs, uncertainty);
    charts_section(&mut h, charts);
    if let Some(first) = runs.first() {
        annual_section(&mut h, first);
        vintages_section(&mut h, first);
    }
    if let Some(e) = evidence {
        crate::evidence::html_section(&mut h, e);
    }
    assumptions_section(&mut h, runs, assumptions);
    warnings_section(&mut h, runs);
    footer(&mut h, inputs);
    h.push_str("</body>\n</html>\n");
    h
}

fn headline(h: &mut String, runs: &[Run<'_>], uncertainty: Option<&Uncertainty>) {
    let Some(first) = runs.first() else {
        h.push_str("<h1>payback report</h1>\n<p>No runs.</p>\n");
        return;
    };
    let s = first.settings;
    let _ = write!(
        h,
        "<header>\n<h1>When does the AI capex pay back?</h1>\n<p class=\"sub\">Scenario \
         <b>{}</b>, {} to {}, quarterly; money in US dollars, $B = billions. Payback is the \
         first quarter whose cumulative free cash flow is back at zero, without terminal \
         value.</p>\n</header>\n<section id=\"headline\">\n",
        escape(&s.name),
        s.start,
        s.end
    );
    let sentences: Vec<String> = runs
        .iter()
        .map(|r| {
            let p = r.projection;
            let what = match (&p.summary.payback, p.summary.payback_quarter) {
                (Payback::Reached { years, .. }, Some(q)) => {
                    format!("pays back in <b>{q}</b> ({})", fmt::years(*years))
                }
                (Payback::NeverNegative, _) => "never needs funding".to_string(),
                (Payback::NotWithinHorizon { shortfall }, _) => format!(
                    "does <b>not</b> pay back by {} (still {} short)",
                    s.end,
                    fmt::money_b(*shortfall)
                ),
                _ => "—".to_string(),
            };
            format!("<b>{}</b> {what}", escape(r.label))
        })
        .collect();
    let _ = writeln!(h, "<p class=\"answer\">{}.</p>", sentences.join("; "));
    h.push_str("<table class=\"headline\">\n<thead><tr><th></th>");
    for (i, r) in runs.iter().enumerate() {
        let _ = write!(
            h,
            "<th class=\"num\"><span class=\"swatch\" style=\"background:{}\"></span>{}</th>",
            palette::hex(palette::run(i)),
            escape(r.label)
        );
    }
    h.push_str("</tr></thead>\n<tbody>\n");
    type Row<'a> = (&'a str, &'a str, bool, Box<dyn Fn(&Run<'_>) -> String>);
    let rows: Vec<Row<'_>> = vec![
        (
            "Payback (programme)",
            "payback",
            true,
            Box::new(|r| {
                payback_text(
                    &r.projection.summary.payback,
                    r.projection.summary.payback_quarter,
                )
            }),
        ),
        (
            "NPV of free cash flow",
            "npv",
            true,
            Box::new(|r| fmt::money_b(r.projection.summary.npv)),
        ),
        (
            "IRR (annual)",
            "irr",
            true,
            Box::new(|r| irr_text(&r.projection.summary.irr)),
        ),
        (
            "Peak funding need",
            "peak_funding",
            true,
            Box::new(|r| {
                let pf = &r.projection.summary.peak_funding;
                format!("{} in {}", fmt::money_b(pf.value.abs()), pf.quarter)
            }),
        ),
        (
            "Discount rate",
            "discount_rate",
            false,
            Box::new(|r| fmt::pct(r.settings.discount_rate)),
        ),
        (
            "Payback with runoff",
            "payback_runoff",
            false,
            Box::new(|r| {
                payback_text(
                    &r.projection.summary.payback_runoff,
                    r.projection.summary.payback_runoff_quarter,
                )
            }),
        ),
        (
            "NPV with terminal value",
            "npv_with_terminal",
            false,
            Box::new(|r| fmt::money_b(r.projection.summary.npv_with_terminal)),
        ),
        (
            "IRR with terminal value",
            "irr_with_terminal",
            false,
            Box::new(|r| irr_text(&r.projection.summary.irr_with_terminal)),
        ),
        (
            "MOIC",
            "moic",
            false,
            Box::new(|r| fmt::multiple(r.projection.summary.moic)),
        ),
        (
            "Cash-flow positive from",
            "cash_flow_positive",
            false,
            Box::new(|r| {
                r.projection
                    .summary
                    .cash_flow_positive
                    .map_or_else(|| "not within horizon".to_string(), |q| q.to_string())
            }),
        ),
        (
            "Capex in horizon",
            "capex_total",
            false,
            Box::new(|r| fmt::money_b(r.projection.summary.capex_total)),
        ),
        (
            "Revenue in horizon",
            "revenue_total",
            false,
            Box::new(|r| fmt::money_b(r.projection.summary.revenue_mix.total)),
        ),
        (
            "Peak RPO",
            "peak_rpo",
            false,
            Box::new(|r| {
                let p = &r.projection.summary.peak_rpo;
                format!("{} in {}", fmt::money_b(p.value), p.quarter)
            }),
        ),
    ];
    for (label, key, is_key, f) in &rows {
        let _ = write!(
            h,
            "<tr{}><td>{label}</td>",
            if *is_key { " class=\"key\"" } else { "" }
        );
        for r in runs {
            let _ = write!(
                h,
                "<td class=\"num\" data-metric=\"{key}\" data-run=\"{}\">{}</td>",
                escape(r.label),
                escape(&f(r))
            );
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody>\n</table>\n");
    if let Some(u) = uncertainty {
        let by_year = u.payback.by_year();
        let _ = write!(
            h,
            "<h2>Probability of payback by the end of each year</h2>\n<p class=\"note\">Share of \
             {} simulated draws whose cumulative free cash flow is back at zero.</p>\n\
             <div class=\"scroll\"><table class=\"probability\">\n<thead><tr>",
            fmt::number(u.draws as f64, 0)
        );
        for (y, _) in &by_year {
            let _ = write!(h, "<th class=\"num\">{y}</th>");
        }
        h.push_str("</tr></thead>\n<tbody><tr>");
        for (y, p) in &by_year {
            let _ = write!(
                h,
                "<td class=\"num\" data-metric=\"p_payback\" data-year=\"{y}\">{}</td>",
                fmt::pct(*p)
            );
        }
        h.push_str("</tr></tbody>\n</table></div>\n");
    }
    h.push_str("</section>\n");
}

fn charts_section(h: &mut String, charts: &[Chart]) {
    if charts.is_empty() {
        return;
    }
    h.push_str("<section id=\"charts\">\n<h2>Charts</h2>\n");
    for c in charts {
        let _ = write!(
            h,
            "<figure id=\"chart-{}\">\n{}\n<figcaption>{}</figcaption>\n</figure>\n",
            c.name,
            c.inline_svg(),
            escape(&c.caption)
        );
    }
    h.push_str("</section>\n");
}

fn annual_section(h: &mut String, run: &Run<'_>) {
    let p = run.projection;
    let a = Annual::new(p, YearBasis::Calendar);
    if a.years.is_empty() {
        return;
    }
    let _ = write!(
        h,
        "<section id=\"annual\">\n<h2>Annual figures — {}</h2>\n<p class=\"note\">Calendar \
         years, $B unless stated; flows summed over the year, balances at year end. Every \
         quarter of every series is in <code>workbook.xlsx</code> and <code>quarterly.csv</code>.</p>\n\
         <div class=\"scroll\"><table class=\"annual\">\n<thead><tr><th></th>",
        escape(run.label)
    );
    for y in &a.years {
        let partial = if y.is_partial() { "*" } else { "" };
        let _ = write!(h, "<th class=\"num\">{}{partial}</th>", escape(&y.label));
    }
    h.push_str("</tr></thead>\n<tbody>\n");
    let b = |x: Option<f64>| x.map_or_else(|| fmt::NONE.to_string(), |v| fmt::number(v / 1e9, 1));
    let pct = |x: Option<f64>| fmt::opt_pct(x);
    type Show<'a> = &'a dyn Fn(Option<f64>) -> String;
    let rows: [(&str, &str, Show<'_>); 10] = [
        ("Revenue", "revenue", &b),
        ("EBITDA", "ebitda", &b),
        ("Operating cash flow", "ocf", &b),
        ("Capex", "capex", &b),
        ("Free cash flow", "fcf", &b),
        ("Cumulative FCF (year end)", "fcf_cumulative", &b),
        ("RPO (year end)", "rpo", &b),
        ("Bookings", "bookings", &b),
        ("Book depreciation", "depreciation", &b),
        ("Utilization", "utilization", &pct),
    ];
    for (label, series, f) in rows {
        let _ = write!(h, "<tr><td>{label}</td>");
        for v in a.values(series) {
            let _ = write!(h, "<td class=\"num\">{}</td>", f(v));
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody>\n</table></div>\n");
    if a.years.iter().any(|y| y.is_partial()) {
        h.push_str("<p class=\"note\">* part of the year is outside the projection.</p>\n");
    }
    h.push_str("</section>\n");
}

fn vintages_section(h: &mut String, run: &Run<'_>) {
    let v = &run.projection.vintages;
    if v.is_empty() {
        return;
    }
    let _ = write!(
        h,
        "<section id=\"vintages\">\n<h2>Vintages — {}</h2>\n<p class=\"note\">Each capex \
         year's accelerators against their own pre-tax contribution.</p>\n<table>\n<thead><tr>\
         <th>Capex year</th><th class=\"num\">Accelerator capex</th><th class=\"num\">Payback</th>\
         <th class=\"num\">Years</th><th class=\"num\">Surplus at horizon</th>\
         <th class=\"num\">Price / cost</th></tr></thead>\n<tbody>\n",
        escape(run.label)
    );
    for x in v {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td \
             class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            x.year,
            fmt::money_b(x.capex),
            x.payback
                .map_or_else(|| "not within horizon".to_string(), |q| q.to_string()),
            x.payback_years
                .map_or_else(|| fmt::NONE.to_string(), fmt::years),
            fmt::money_b(x.surplus_at_horizon),
            fmt::multiple(x.price_to_cost)
        );
    }
    h.push_str("</tbody>\n</table>\n</section>\n");
}

fn source_cell(a: &Assumption) -> String {
    match (a.source_url(), a.source.as_deref()) {
        (Some(url), _) => format!("<a href=\"{0}\" rel=\"noreferrer\">{0}</a>", escape(url)),
        (None, Some(s)) => escape(s),
        (None, None) => String::new(),
    }
}

fn assumptions_section(h: &mut String, runs: &[Run<'_>], per_run: &[Vec<Assumption>]) {
    let rows = merged(per_run);
    if rows.is_empty() {
        return;
    }
    let _ = write!(
        h,
        "<section id=\"assumptions\">\n<h2>Assumptions</h2>\n<p class=\"note\">Every parameter \
         of {} after overlays and defaults, with where its value comes from. Values that an \
         overlay changes show each other run's value under the base value.</p>\n<div class=\"scroll\">\
         <table class=\"assumptions\">\n<thead><tr><th>Parameter (where set)</th><th class=\"num\">Value</th>\
         <th>Unit</th><th>Provenance</th><th>Source and note</th></tr></thead>\n<tbody>\n",
        escape(runs.first().map_or("", |r| r.label)),
    );
    for (a, each) in rows {
        let first = each.first().copied().flatten();
        let value = first.map_or_else(String::new, |f| f.value.display(&f.unit));
        let mut value_html = escape(&value);
        if per_run.len() > 1 {
            let others: Vec<String> = each
                .iter()
                .enumerate()
                .skip(1)
                .filter_map(|(i, v)| {
                    let v = (*v)?;
                    let differs = first.is_none_or(|f| f.value != v.value);
                    differs.then(|| {
                        format!(
                            "{}: {}",
                            runs.get(i).map_or("", |r| r.label),
                            v.value.display(&v.unit)
                        )
                    })
                })
                .collect();
            for o in others {
                let _ = write!(value_html, "<br><span class=\"note\">{}</span>", escape(&o));
            }
        }
        let provenance = match (a.kind.as_deref(), a.as_of.as_deref()) {
            (Some(k), Some(d)) => format!(
                "{}<br><span class=\"note\">as of {}</span>",
                escape(k),
                escape(d)
            ),
            (Some(k), None) => escape(k),
            (None, Some(d)) => format!("<span class=\"note\">as of {}</span>", escape(d)),
            (None, None) => String::new(),
        };
        let source = source_cell(a);
        let note = a.note.as_deref().map_or_else(String::new, |n| {
            let br = if source.is_empty() { "" } else { "<br>" };
            format!("{br}<span class=\"note\">{}</span>", escape(n))
        });
        let _ = write!(
            h,
            "<tr><td class=\"path\" title=\"{}\">{}<br><span class=\"note\">{}</span></td>\
             <td class=\"num\">{}</td><td>{}</td><td>{provenance}</td>\
             <td class=\"wide\">{source}{note}</td>",
            escape(&a.doc),
            escape(&a.path),
            escape(&a.origin),
            value_html,
            escape(&a.unit),
        );
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody>\n</table></div>\n</section>\n");
}

fn warnings_section(h: &mut String, runs: &[Run<'_>]) {
    let warned: Vec<(&str, &str)> = runs
        .iter()
        .flat_map(|r| r.warnings().into_iter().map(move |w| (r.label, w)))
        .collect();
    if warned.is_empty() {
        return;
    }
    h.push_str("<section id=\"warnings\">\n<h2>Warnings</h2>\n<ul>\n");
    for (label, w) in warned {
        let _ = writeln!(h, "<li><b>{}</b>: {}</li>", escape(label), escape(w));
    }
    h.push_str("</ul>\n</section>\n");
}

fn footer(h: &mut String, inputs: &Inputs) {
    let _ = write!(
        h,
        "<footer>\n<p>Made by payback {} from these inputs (SHA-256):</p>\n<ul>\n",
        env!("CARGO_PKG_VERSION")
    );
    for f in &inputs.files {
        let _ = writeln!(
            h,
            "<li>{} <code>{}</code></li>",
            escape(&f.name),
            escape(&f.sha256)
        );
    }
    let _ = write!(
        h,
        "</ul>\n<p>All inputs together: <code>{}</code>. The same inputs give the same report, \
         byte for byte.</p>\n</footer>\n",
        escape(&inputs.sha256)
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape("<a href='x'>&\"</a>"),
            "&lt;a href=&#39;x&#39;&gt;&amp;&quot;&lt;/a&gt;"
        );
    }
}
