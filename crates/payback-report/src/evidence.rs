//! The Evidence section of the report: a company's observations scored against the report's
//! runs (`payback evidence score`, docs/evidence.md), as HTML and as two workbook sheets.
//!
//! Nothing is computed here: the [`Evidence`] holds the finished [`Scorecard`] and the stored
//! observations behind it (for their provenance), and this module only lays them out.
//!
//! - HTML ([`html_section`], after the vintages): P(payback by the quarter) under the prior and
//!   the posterior mixture, the scenario weights, the stage-by-stage scorecard (status per
//!   scenario), the observations that moved the weights most, and every observation of each
//!   stage with its date, value, kind, source (a link when it is an `http(s)` URL: the only
//!   URLs the section writes) and its distance from each scenario's projection.
//! - Workbook ([`sheets`]): `Evidence`, one row per observation with its provenance and each
//!   scenario's projected value at the same date and distance `z`; `Weights`, one row per
//!   scenario with its prior and posterior weight and its P(payback by), then the mixture.

use std::fmt::Write as _;

use payback_evidence::Signal;
use payback_evidence::reproject::PaybackMethod;
use payback_evidence::score::{Comparison, Scorecard, Scored, Status};
use payback_evidence::store::Stored;
use rust_xlsxwriter::{ColNum, Format, RowNum, Workbook, Worksheet, XlsxError};

use crate::fmt;
use crate::html::escape;
use crate::workbook::{add_table, num_format, unique, write_opt};

/// Evidence sheet name.
pub const EVIDENCE: &str = "Evidence";
/// Weights sheet name.
pub const WEIGHTS: &str = "Weights";

/// Leading columns of the Evidence sheet; then `Projected: {label}` and `z: {label}` per
/// scenario.
pub const EVIDENCE_COLUMNS: [&str; 25] = [
    "Id",
    "Company",
    "CIK",
    "Signal",
    "Stage",
    "Scope",
    "Kind",
    "Period",
    "Start",
    "End",
    "Quarter",
    "Value",
    "Unit",
    "Source",
    "Recorded",
    "Derivation",
    "Concept",
    "Form",
    "Revisions",
    "Revises",
    "Note",
    "Compared as",
    "Compared value",
    "Weight in likelihood",
    "Influence",
];

/// Columns of the Weights sheet.
pub const WEIGHTS_COLUMNS: [&str; 9] = [
    "Scenario",
    "Prior weight",
    "Posterior weight",
    "Log-likelihood",
    "Payback quarter",
    "P(payback by)",
    "Method",
    "Monte Carlo paths",
    "Standard error",
];

/// What the Evidence section is made from: the scorecard of `payback evidence score` for
/// the report's runs (in the same order) and the stored rows it scored.
#[derive(Debug, Clone)]
pub struct Evidence {
    /// The company, as stored.
    pub company: String,
    /// The base scenario's name.
    pub scenario: String,
    /// The scores, weights and re-projection.
    pub scorecard: Scorecard,
    /// The observations scored, as stored (ids match `scorecard.observations`).
    pub observations: Vec<Stored>,
}

impl Evidence {
    /// The stored row with id `id`.
    pub fn stored(&self, id: i64) -> Option<&Stored> {
        self.observations.iter().find(|s| s.id == id)
    }

    /// The scored observation with id `id`.
    pub fn scored(&self, id: i64) -> Option<&Scored> {
        self.scorecard.observations.iter().find(|s| s.id == id)
    }
}

/// `s` when it is an `http://` or `https://` URL with nothing that could break out of an
/// attribute (the rule of the assumptions' source links).
pub fn source_url(s: &str) -> Option<&str> {
    let s = s.trim();
    let is_url = (s.starts_with("https://") || s.starts_with("http://"))
        && !s.contains(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '>'));
    is_url.then_some(s)
}

fn source_html(s: &str) -> String {
    match source_url(s) {
        Some(url) => format!("<a href=\"{0}\" rel=\"noreferrer\">{0}</a>", escape(url)),
        None => escape(s),
    }
}

/// A value in its unit, for people.
fn value_text(v: f64, unit: &str) -> String {
    match unit {
        "ratio" => fmt::pct(v),
        "USD" | "USD/year" => fmt::with_unit(v, unit),
        "USD/Mtok" => format!("{}/Mtok", fmt::price(v)),
        _ => fmt::with_unit(v, unit),
    }
}

/// A compared or projected figure: a growth factor as a year-on-year change, else the value in
/// the signal's unit.
fn compared_text(v: f64, c: Comparison, signal: Signal) -> String {
    match c {
        Comparison::Growth => format!("{} y/y", signed_pct(v - 1.0)),
        Comparison::Ratio => fmt::pct(v),
        Comparison::Level | Comparison::Signed => value_text(v, signal.unit()),
    }
}

fn signed_pct(x: f64) -> String {
    if x > 0.0 {
        format!("+{}", fmt::pct(x))
    } else {
        fmt::pct(x)
    }
}

fn comparison_name(c: Comparison) -> &'static str {
    match c {
        Comparison::Level => "level",
        Comparison::Ratio => "ratio",
        Comparison::Signed => "signed",
        Comparison::Growth => "growth",
    }
}

/// The status as in `evidence score --format json` (`no-data-yet`).
fn status_key(s: Status) -> &'static str {
    match s {
        Status::Evidenced => "evidenced",
        Status::Mixed => "mixed",
        Status::Contradicted => "contradicted",
        Status::NoDataYet => "no-data-yet",
    }
}

fn status_style(s: Status) -> &'static str {
    match s {
        Status::Evidenced => "background:#e2f3e2",
        Status::Mixed => "background:#fbf0d5",
        Status::Contradicted => "background:#f8dcdc",
        Status::NoDataYet => "color:#555",
    }
}

/// The HTML Evidence section.
pub fn html_section(h: &mut String, e: &Evidence) {
    let card = &e.scorecard;
    let labels: Vec<&str> = card.scenarios.iter().map(|s| s.label.as_str()).collect();
    let compared = card.observations.iter().filter(|o| o.in_likelihood).count();
    let err = &card.settings.errors;
    let _ = write!(
        h,
        "<section id=\"evidence\">\n<h2>Evidence — {}</h2>\n<p class=\"note\">{} stored \
         observations of {} scored against the runs of this report ({}); {compared} are \
         comparable under every run and enter the likelihood. Each is compared with a run's \
         projection at the calendar quarter of its end; <i>z</i> is the distance in standard \
         deviations of the error model (σ of the log ratio / of a ratio: reported {} / {}, \
         guidance {} / {}, estimate {} / {}), and repeated observations of one series count as \
         one. Method: <code>docs/evidence.md</code>, as <code>payback evidence score</code>.</p>\n",
        escape(&e.company),
        card.observations.len(),
        escape(&e.company),
        escape(&labels.join(", ")),
        err.reported.log,
        err.reported.ratio,
        err.guidance.log,
        err.guidance.ratio,
        err.estimate.log,
        err.estimate.ratio,
    );
    let r = &card.reprojection;
    let _ = write!(
        h,
        "<p class=\"answer\">Given what we have seen, P(payback by {}) moved from \
         <b data-metric=\"p_payback_prior\" data-value=\"{}\">{}</b> (prior weights) to \
         <b data-metric=\"p_payback_posterior\" data-value=\"{}\">{}</b> (posterior weights).</p>\n\
         <p class=\"note\">{}</p>\n",
        r.by,
        fmt::plain(Some(r.prior)),
        fmt::pct(r.prior),
        fmt::plain(Some(r.posterior)),
        fmt::pct(r.posterior),
        escape(&r.method)
    );
    weights_table(h, card);
    stages_table(h, card);
    movers_table(h, e);
    for st in &card.stages {
        let _ = writeln!(
            h,
            "<h3 id=\"evidence-{}\">{} ({})</h3>",
            stage_key(st.stage),
            escape(st.title),
            escape(st.window)
        );
        if st.observations.is_empty() {
            h.push_str("<p class=\"note\">No observations.</p>\n");
            continue;
        }
        observations_table(h, e, &st.observations);
    }
    h.push_str("</section>\n");
}

fn stage_key(s: payback_evidence::Stage) -> &'static str {
    match s {
        payback_evidence::Stage::Contracts => "contracts",
        payback_evidence::Stage::Pricing => "pricing",
        payback_evidence::Stage::Enterprise => "enterprise",
    }
}

fn weights_table(h: &mut String, card: &Scorecard) {
    let r = &card.reprojection;
    let _ = write!(
        h,
        "<h3>Scenario weights</h3>\n<table class=\"weights\">\n<thead><tr><th>Run</th>\
         <th class=\"num\">Prior</th><th class=\"num\">Posterior</th>\
         <th class=\"num\">Log-likelihood</th><th class=\"num\">Payback</th>\
         <th class=\"num\">P(payback by {})</th><th>How</th></tr></thead>\n<tbody>\n",
        r.by
    );
    for (k, s) in card.scenarios.iter().enumerate() {
        let label = escape(&s.label);
        let sp = r.scenarios.get(k);
        let how = sp.map_or_else(String::new, |sp| match sp.method {
            PaybackMethod::MonteCarlo => format!(
                "Monte Carlo, {} paths{}, ± {}",
                fmt::number(sp.paths as f64, 0),
                sp.seed.map(|x| format!(", seed {x}")).unwrap_or_default(),
                fmt::pct(sp.std_error)
            ),
            PaybackMethod::Deterministic => format!(
                "deterministic{}",
                sp.note
                    .as_ref()
                    .map(|n| format!(": {n}"))
                    .unwrap_or_default()
            ),
        });
        let _ = writeln!(
            h,
            "<tr><td>{label}</td>\
             <td class=\"num\" data-metric=\"prior\" data-run=\"{label}\" data-value=\"{}\">{:.3}</td>\
             <td class=\"num\" data-metric=\"posterior\" data-run=\"{label}\" data-value=\"{}\">{:.3}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{}</td>\
             <td class=\"num\" data-metric=\"p_payback_by\" data-run=\"{label}\">{}</td>\
             <td class=\"note\">{}</td></tr>",
            fmt::plain(Some(s.prior)),
            s.prior,
            fmt::plain(Some(s.posterior)),
            s.posterior,
            fmt::number(s.loglik, 3),
            s.payback_quarter
                .map_or_else(|| "not within horizon".to_string(), |q| q.to_string()),
            sp.map_or_else(|| fmt::NONE.to_string(), |sp| fmt::pct(sp.p_by)),
            escape(&how)
        );
    }
    h.push_str("</tbody>\n</table>\n");
}

fn stages_table(h: &mut String, card: &Scorecard) {
    h.push_str(
        "<h3>Stages</h3>\n<p class=\"note\">Status per run, on the latest comparable \
         observation of each series in the stage: <i>evidenced</i> if every |z| ≤ 1, \
         <i>contradicted</i> if more than half have |z| &gt; 2, <i>mixed</i> otherwise.</p>\n\
         <div class=\"scroll\"><table class=\"stages\">\n<thead><tr><th>Stage</th><th>Window</th>",
    );
    for s in &card.scenarios {
        let _ = write!(h, "<th>{}</th>", escape(&s.label));
    }
    h.push_str("<th class=\"num\">Observations</th></tr></thead>\n<tbody>\n");
    for st in &card.stages {
        let key = stage_key(st.stage);
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}</td>",
            escape(st.title),
            escape(st.window)
        );
        for (status, s) in st.status.iter().zip(&card.scenarios) {
            let _ = write!(
                h,
                "<td data-stage=\"{key}\" data-run=\"{}\" data-status=\"{}\" style=\"{}\">{}</td>",
                escape(&s.label),
                status_key(*status),
                status_style(*status),
                status.name()
            );
        }
        let _ = writeln!(
            h,
            "<td class=\"num\">{} ({} series)</td></tr>",
            st.observations.len(),
            st.latest.len()
        );
    }
    h.push_str("</tbody>\n</table></div>\n");
}

fn movers_table(h: &mut String, e: &Evidence) {
    let card = &e.scorecard;
    h.push_str("<h3>Observations that moved the weights most</h3>\n");
    if card.movers.is_empty() {
        h.push_str("<p class=\"note\">None: no observation is comparable under every run.</p>\n");
        return;
    }
    h.push_str(
        "<p class=\"note\">Influence: how far the posterior weights move when the observation \
         is left out (total-variation distance).</p>\n<div class=\"scroll\"><table class=\"movers\">\n\
         <thead><tr><th>#</th><th>Signal</th><th>Period</th><th class=\"num\">Value</th>\
         <th>Kind</th><th>Source</th><th class=\"num\">Influence</th><th>Fits best</th></tr></thead>\n<tbody>\n",
    );
    for id in &card.movers {
        let Some(o) = e.scored(*id) else { continue };
        let unit = e.stored(*id).map_or("", |s| s.obs.unit.as_str());
        let fav = o
            .favours
            .and_then(|k| card.scenarios.get(k))
            .map_or(fmt::NONE, |s| s.label.as_str());
        let _ = writeln!(
            h,
            "<tr data-mover=\"{id}\"><td>{id}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td>\
             <td>{}</td><td>{}</td><td class=\"num\">{}</td><td>{}</td></tr>",
            o.signal,
            escape(&o.period),
            escape(&value_text(o.value, unit)),
            o.kind,
            source_html(&o.source),
            fmt::number(o.influence, 4),
            escape(fav)
        );
    }
    h.push_str("</tbody>\n</table></div>\n");
}

fn observations_table(h: &mut String, e: &Evidence, ids: &[i64]) {
    let card = &e.scorecard;
    h.push_str(
        "<div class=\"scroll\"><table class=\"observations\">\n<thead><tr><th>#</th>\
         <th>Signal</th><th>Date</th><th>Period</th><th class=\"num\">Value</th><th>Kind</th>\
         <th>Source</th><th>Compared as</th>",
    );
    for s in &card.scenarios {
        let _ = write!(
            h,
            "<th class=\"num\">{}: projected (z)</th>",
            escape(&s.label)
        );
    }
    h.push_str("</tr></thead>\n<tbody>\n");
    for id in ids {
        let Some(o) = e.scored(*id) else { continue };
        let stored = e.stored(*id);
        let unit = stored.map_or("", |s| s.obs.unit.as_str());
        let date = stored.map_or_else(String::new, |s| s.obs.end.to_string());
        let mut kind = o.kind.to_string();
        if o.derived {
            kind.push_str(", derived");
        }
        if let Some(s) = stored {
            let _ = write!(kind, "; recorded {}", s.obs.recorded);
        }
        let compared = match (&o.not_compared, o.comparison) {
            (Some(reason), _) => format!("not compared: {reason}"),
            (None, Some(c)) => {
                let mut t = comparison_name(c).to_string();
                if let Some(v) = o.compared {
                    let _ = write!(t, " {}", compared_text(v, c, o.signal));
                }
                if o.in_likelihood {
                    let _ = write!(t, " (weight {})", fmt::number(o.weight, 3));
                }
                t
            }
            (None, None) => String::new(),
        };
        let _ = write!(
            h,
            "<tr data-observation=\"{id}\"><td>{id}</td><td>{}</td><td>{}</td><td>{}</td>\
             <td class=\"num\">{}</td><td>{}</td><td>{}</td><td class=\"note\">{}</td>",
            o.signal,
            escape(&date),
            escape(&o.period),
            escape(&value_text(o.value, unit)),
            escape(&kind),
            source_html(&o.source),
            escape(&compared)
        );
        for (d, s) in o.distances.iter().zip(&card.scenarios) {
            let cell = match (d.projected, d.z, o.comparison) {
                (Some(m), Some(z), Some(c)) => {
                    format!("{} (z {z:+.2})", compared_text(m, c, o.signal))
                }
                _ => format!(
                    "not comparable: {}",
                    d.reason.as_deref().unwrap_or(fmt::NONE)
                ),
            };
            let _ = write!(
                h,
                "<td class=\"num\" data-run=\"{}\">{}</td>",
                escape(&s.label),
                escape(&cell)
            );
        }
        // Not compared at all: no distance per scenario.
        for _ in o.distances.len()..card.scenarios.len() {
            h.push_str("<td class=\"num\">—</td>");
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody>\n</table></div>\n");
}

fn col(k: usize) -> ColNum {
    ColNum::try_from(k).unwrap_or(ColNum::MAX)
}

/// The Evidence and Weights sheets, added to `wb`.
///
/// # Errors
/// When rust_xlsxwriter refuses the content.
pub fn sheets(wb: &mut Workbook, e: &Evidence) -> Result<(), XlsxError> {
    evidence_sheet(wb.add_worksheet().set_name(EVIDENCE)?, e)?;
    weights_sheet(wb.add_worksheet().set_name(WEIGHTS)?, e)?;
    Ok(())
}

fn evidence_sheet(ws: &mut Worksheet, e: &Evidence) -> Result<(), XlsxError> {
    let card = &e.scorecard;
    let mut headers: Vec<String> = EVIDENCE_COLUMNS.iter().map(ToString::to_string).collect();
    for s in &card.scenarios {
        headers.push(format!("Projected: {}", s.label));
        headers.push(format!("z: {}", s.label));
    }
    let headers = unique(headers);
    let general = Format::new().set_num_format("#,##0.######");
    let growth = Format::new().set_num_format("0.0000");
    let mut row: RowNum = 1;
    for o in &card.observations {
        let stored = e.stored(o.id);
        let text = |ws: &mut Worksheet, k: usize, s: &str| -> Result<(), XlsxError> {
            if !s.is_empty() {
                ws.write_string(row, col(k), s)?;
            }
            Ok(())
        };
        ws.write_number(row, 0, o.id as f64)?;
        let unit = stored.map_or("", |s| s.obs.unit.as_str());
        if let Some(s) = stored {
            let ob = &s.obs;
            text(ws, 1, &ob.company)?;
            if let Some(cik) = ob.cik {
                ws.write_number(row, 2, cik as f64)?;
            }
            text(ws, 8, &ob.start.map(|d| d.to_string()).unwrap_or_default())?;
            text(ws, 9, &ob.end.to_string())?;
            text(ws, 12, &ob.unit)?;
            text(ws, 14, &ob.recorded.to_string())?;
            text(ws, 15, ob.derivation.name())?;
            text(ws, 16, ob.concept.as_deref().unwrap_or(""))?;
            text(ws, 17, ob.form.as_deref().unwrap_or(""))?;
            ws.write_number(row, 18, f64::from(ob.revisions))?;
            if let Some(r) = s.revises {
                ws.write_number(row, 19, r as f64)?;
            }
            text(ws, 20, ob.note.as_deref().unwrap_or(""))?;
        }
        text(ws, 3, o.signal.name())?;
        text(ws, 4, o.stage.title())?;
        text(ws, 5, o.scope.name())?;
        text(ws, 6, o.kind.name())?;
        text(ws, 7, &o.period)?;
        text(ws, 10, &o.quarter.to_string())?;
        let value_fmt = if unit.is_empty() {
            general.clone()
        } else {
            num_format(unit)
        };
        write_opt(ws, row, 11, Some(o.value), &value_fmt)?;
        text(ws, 13, &o.source)?;
        let cmp_fmt = match o.comparison {
            Some(Comparison::Growth) => growth.clone(),
            _ => value_fmt.clone(),
        };
        match (&o.not_compared, o.comparison) {
            (Some(reason), _) => text(ws, 21, &format!("not compared: {reason}"))?,
            (None, Some(c)) => text(ws, 21, comparison_name(c))?,
            (None, None) => {}
        }
        write_opt(ws, row, 22, o.compared, &cmp_fmt)?;
        if o.in_likelihood {
            write_opt(ws, row, 23, Some(o.weight), &general)?;
            write_opt(ws, row, 24, Some(o.influence), &general)?;
        }
        let base = EVIDENCE_COLUMNS.len();
        for (k, d) in o.distances.iter().enumerate() {
            write_opt(ws, row, col(base + 2 * k), d.projected, &cmp_fmt)?;
            write_opt(ws, row, col(base + 2 * k + 1), d.z, &general)?;
        }
        row += 1;
    }
    add_table(ws, "EvidenceTable", 0, &headers, row - 1)?;
    ws.set_row_height(0, 30)?;
    for (k, w) in [
        7.0, 18.0, 10.0, 16.0, 20.0, 9.0, 10.0, 24.0, 11.0, 11.0, 9.0, 14.0, 10.0, 40.0, 11.0,
        15.0, 30.0, 8.0, 9.0, 9.0, 30.0, 24.0, 14.0, 11.0, 11.0,
    ]
    .iter()
    .enumerate()
    {
        ws.set_column_width(col(k), *w)?;
    }
    for k in EVIDENCE_COLUMNS.len()..headers.len() {
        ws.set_column_width(col(k), 14)?;
    }
    Ok(())
}

fn weights_sheet(ws: &mut Worksheet, e: &Evidence) -> Result<(), XlsxError> {
    let card = &e.scorecard;
    let r = &card.reprojection;
    let mut headers: Vec<String> = WEIGHTS_COLUMNS.iter().map(ToString::to_string).collect();
    headers[5] = format!("P(payback by {})", r.by);
    let weight = Format::new().set_num_format("0.0000");
    let pct = num_format("ratio");
    let ll = Format::new().set_num_format("#,##0.000");
    let mut row: RowNum = 1;
    for (k, s) in card.scenarios.iter().enumerate() {
        ws.write_string(row, 0, &s.label)?;
        write_opt(ws, row, 1, Some(s.prior), &weight)?;
        write_opt(ws, row, 2, Some(s.posterior), &weight)?;
        write_opt(ws, row, 3, Some(s.loglik), &ll)?;
        ws.write_string(
            row,
            4,
            s.payback_quarter
                .map_or_else(|| "not within horizon".to_string(), |q| q.to_string()),
        )?;
        if let Some(sp) = r.scenarios.get(k) {
            write_opt(ws, row, 5, Some(sp.p_by), &pct)?;
            ws.write_string(row, 6, sp.method.name())?;
            ws.write_number(row, 7, sp.paths as f64)?;
            write_opt(ws, row, 8, Some(sp.std_error), &pct)?;
        }
        row += 1;
    }
    add_table(ws, "WeightsTable", 0, &headers, row - 1)?;
    // The mixture below the table.
    let bold = Format::new().set_bold();
    let note = Format::new().set_italic().set_font_color("#555555");
    let mut at = row.max(2) + 1;
    ws.write_string_with_format(at, 0, format!("P(payback by {}), mixture", r.by), &bold)?;
    ws.write_string_with_format(at, 1, "prior", &bold)?;
    ws.write_string_with_format(at, 2, "posterior", &bold)?;
    at += 1;
    ws.write_string(at, 0, "probability")?;
    write_opt(ws, at, 1, Some(r.prior), &pct)?;
    write_opt(ws, at, 2, Some(r.posterior), &pct)?;
    at += 1;
    ws.write_string(at, 0, "standard error")?;
    write_opt(ws, at, 1, Some(r.prior_std_error), &pct)?;
    write_opt(ws, at, 2, Some(r.posterior_std_error), &pct)?;
    at += 2;
    ws.write_string_with_format(
        at,
        0,
        format!(
            "{} against the runs of {}: {}",
            e.company, e.scenario, r.method
        ),
        &note,
    )?;
    ws.write_string_with_format(
        at + 1,
        0,
        "Weights: prior × exp(Σ −z²/2 / n) normalised, n the observations of a series \
         (docs/evidence.md, \"Scoring\").",
        &note,
    )?;
    ws.set_row_height(0, 30)?;
    ws.set_column_width(0, 30)?;
    for k in 1..WEIGHTS_COLUMNS.len() {
        ws.set_column_width(col(k), 14)?;
    }
    Ok(())
}
