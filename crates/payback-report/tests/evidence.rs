//! The Evidence section of `payback report --evidence-db`: the HTML section holds the
//! scorecard's statuses and weights, the workbook's Evidence sheet read back (calamine) equals
//! the stored observations with each run's projected value, the Weights sheet equals the
//! weights, and without evidence the bytes are those of the plain report.

mod common;

use std::collections::BTreeMap;

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use payback_evidence::score::Settings;
use payback_evidence::{Signal, csvfile};
use payback_report::Inputs;
use payback_report::bundle::{self, Report};
use payback_report::evidence::{EVIDENCE, EVIDENCE_COLUMNS, Evidence, WEIGHTS};

fn render(done: &[common::Done], evidence: Option<&Evidence>) -> Vec<bundle::OutputFile> {
    let runs = common::runs(done);
    let assumptions = common::assumptions(done);
    let inputs = Inputs::new(&[("builtin:default", "x")], vec![]);
    bundle::render_with_evidence(
        &Report {
            runs: &runs,
            assumptions: &assumptions,
            inputs: &inputs,
            uncertainty: None,
        },
        evidence,
    )
    .unwrap()
}

fn file<'a>(files: &'a [bundle::OutputFile], name: &str) -> &'a [u8] {
    &files.iter().find(|f| f.path == name).unwrap().bytes
}

fn sheet(xlsx: &[u8], name: &str) -> calamine::Range<Data> {
    let mut wb: Xlsx<_> = open_workbook_from_rs(std::io::Cursor::new(xlsx.to_vec())).unwrap();
    wb.worksheet_range(name).unwrap()
}

fn text(d: Option<&Data>) -> String {
    match d {
        None | Some(Data::Empty) => String::new(),
        Some(Data::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

fn num(d: Option<&Data>) -> Option<f64> {
    match d? {
        Data::Float(x) => Some(*x),
        Data::Int(i) => Some(*i as f64),
        _ => None,
    }
}

/// Snowflake's filings scored with stated AI shares (so levels are compared), against base,
/// bull and bear.
fn snowflake_evidence(done: &[common::Done]) -> Evidence {
    let mut settings = Settings::default();
    settings.ai_share.insert(Signal::Rpo, 0.05);
    settings.ai_share.insert(Signal::Capex, 0.05);
    settings.ai_share.insert(Signal::Fcf, 0.05);
    common::evidence(done, &common::snowflake(), "Snowflake", settings)
}

#[test]
fn without_evidence_the_report_is_unchanged() {
    let done = common::default_three();
    let runs = common::runs(&done);
    let assumptions = common::assumptions(&done);
    let inputs = Inputs::new(&[("builtin:default", "x")], vec![]);
    let plain = bundle::render(&Report {
        runs: &runs,
        assumptions: &assumptions,
        inputs: &inputs,
        uncertainty: None,
    })
    .unwrap();
    assert_eq!(plain, render(&done, None));
    let html = String::from_utf8(file(&plain, "report.html").to_vec()).unwrap();
    assert!(!html.contains("id=\"evidence\""));
    let wb: Xlsx<_> =
        open_workbook_from_rs(std::io::Cursor::new(file(&plain, "workbook.xlsx").to_vec()))
            .unwrap();
    assert!(
        !wb.sheet_names()
            .iter()
            .any(|n| n == EVIDENCE || n == WEIGHTS)
    );
}

#[test]
fn the_evidence_sheet_reads_back_as_the_observations() {
    let done = common::default_three();
    let e = snowflake_evidence(&done);
    let card = &e.scorecard;
    assert!(
        e.observations.len() > 100,
        "the Snowflake fixture stores ~200 rows"
    );
    assert!(
        card.observations.iter().filter(|o| o.in_likelihood).count() > 5,
        "some observations are compared with every run"
    );
    let files = render(&done, Some(&e));
    let xlsx = file(&files, "workbook.xlsx");
    let mut wb: Xlsx<_> = open_workbook_from_rs(std::io::Cursor::new(xlsx.to_vec())).unwrap();
    let names = wb.sheet_names();
    assert_eq!(&names[names.len() - 2..], [EVIDENCE, WEIGHTS]);
    let ws = wb.worksheet_range(EVIDENCE).unwrap();
    let headers: BTreeMap<String, usize> =
        (0..ws.width()).map(|c| (text(ws.get((0, c))), c)).collect();
    for (c, h) in EVIDENCE_COLUMNS.iter().enumerate() {
        assert_eq!(headers.get(*h), Some(&c), "column {h}");
    }
    assert_eq!(
        ws.height() - 1,
        e.observations.len(),
        "one row per observation"
    );
    let at = |row: usize, h: &str| ws.get((row, headers[h]));
    let mut seen = std::collections::BTreeSet::new();
    for row in 1..ws.height() {
        let id = num(at(row, "Id")).unwrap() as i64;
        assert!(seen.insert(id), "observation {id} twice");
        let stored = e.stored(id).unwrap();
        let o = &stored.obs;
        assert_eq!(text(at(row, "Company")), o.company);
        assert_eq!(num(at(row, "CIK")), o.cik.map(|c| c as f64));
        assert_eq!(text(at(row, "Signal")), o.signal.name());
        assert_eq!(text(at(row, "Stage")), o.signal.stage().title());
        assert_eq!(text(at(row, "Scope")), o.scope.name());
        assert_eq!(text(at(row, "Kind")), o.kind.name());
        assert_eq!(text(at(row, "Period")), o.period_text());
        assert_eq!(
            text(at(row, "Start")),
            o.start.map(|d| d.to_string()).unwrap_or_default()
        );
        assert_eq!(text(at(row, "End")), o.end.to_string());
        assert_eq!(text(at(row, "Quarter")), o.quarter().to_string());
        assert_eq!(num(at(row, "Value")), Some(o.value), "value of #{id}");
        assert_eq!(text(at(row, "Unit")), o.unit);
        assert_eq!(text(at(row, "Source")), o.source);
        assert_eq!(text(at(row, "Recorded")), o.recorded.to_string());
        assert_eq!(text(at(row, "Derivation")), o.derivation.name());
        assert_eq!(
            text(at(row, "Concept")),
            o.concept.clone().unwrap_or_default()
        );
        assert_eq!(text(at(row, "Form")), o.form.clone().unwrap_or_default());
        assert_eq!(num(at(row, "Revisions")), Some(f64::from(o.revisions)));
        assert_eq!(num(at(row, "Revises")), stored.revises.map(|r| r as f64));
        assert_eq!(text(at(row, "Note")), o.note.clone().unwrap_or_default());
        // Each run's projected value at the same date, and the distance.
        let scored = e.scored(id).unwrap();
        assert_eq!(num(at(row, "Compared value")), scored.compared);
        for (k, s) in card.scenarios.iter().enumerate() {
            let d = scored.distances.get(k);
            assert_eq!(
                num(at(row, &format!("Projected: {}", s.label))),
                d.and_then(|d| d.projected),
                "projected {} of #{id}",
                s.label
            );
            assert_eq!(
                num(at(row, &format!("z: {}", s.label))),
                d.and_then(|d| d.z)
            );
        }
    }
    let ids: std::collections::BTreeSet<i64> = e.observations.iter().map(|s| s.id).collect();
    assert_eq!(seen, ids);
}

#[test]
fn the_weights_sheet_holds_the_weights() {
    let done = common::default_three();
    let e = snowflake_evidence(&done);
    let files = render(&done, Some(&e));
    let ws = sheet(file(&files, "workbook.xlsx"), WEIGHTS);
    let card = &e.scorecard;
    for (k, s) in card.scenarios.iter().enumerate() {
        let row = k + 1;
        assert_eq!(text(ws.get((row, 0))), s.label);
        assert_eq!(num(ws.get((row, 1))), Some(s.prior));
        assert_eq!(num(ws.get((row, 2))), Some(s.posterior));
        assert_eq!(num(ws.get((row, 3))), Some(s.loglik));
        assert_eq!(
            num(ws.get((row, 5))),
            Some(card.reprojection.scenarios[k].p_by)
        );
    }
    let total: f64 = card.scenarios.iter().map(|s| s.posterior).sum();
    assert!((total - 1.0).abs() < 1e-12);
    // The mixture below the table.
    let r = card.reprojection.scenarios.len() + 3;
    assert!(text(ws.get((r - 1, 0))).starts_with("P(payback by 2030Q4)"));
    assert_eq!(num(ws.get((r, 1))), Some(card.reprojection.prior));
    assert_eq!(num(ws.get((r, 2))), Some(card.reprojection.posterior));
}

#[test]
fn the_html_section_holds_statuses_weights_and_observations() {
    let done = common::default_three();
    let obs = csvfile::parse("web.csv", common::EVIDENCE_CSV).unwrap();
    let e = common::evidence(&done, &obs, "web cloud", Settings::default());
    let files = render(&done, Some(&e));
    let html = String::from_utf8(file(&files, "report.html").to_vec()).unwrap();
    let section = &html[html.find("<section id=\"evidence\">").unwrap()..];
    let section = &section[..section.find("</section>").unwrap()];
    assert!(section.contains("<h2>Evidence — Web Cloud</h2>"));
    let card = &e.scorecard;
    for st in &card.stages {
        for (status, s) in st.status.iter().zip(&card.scenarios) {
            let key = serde_json::to_value(st.stage).unwrap();
            let want = serde_json::to_value(status).unwrap();
            let cell = format!(
                "data-stage=\"{}\" data-run=\"{}\" data-status=\"{}\"",
                key.as_str().unwrap(),
                s.label,
                want.as_str().unwrap()
            );
            assert!(section.contains(&cell), "no {cell}");
        }
    }
    for s in &card.scenarios {
        for (metric, v) in [("prior", s.prior), ("posterior", s.posterior)] {
            let cell = format!(
                "data-metric=\"{metric}\" data-run=\"{}\" data-value=\"{}\">{v:.3}</td>",
                s.label,
                payback_report::fmt::plain(Some(v))
            );
            assert!(section.contains(&cell), "no {cell}");
        }
    }
    // The run-rate moves the weights most; every observation is listed with its source.
    assert_eq!(
        card.movers.first(),
        e.observations
            .iter()
            .find(|o| o.obs.signal == Signal::AiRunRate)
            .map(|o| o.id)
            .as_ref()
    );
    for o in &e.observations {
        assert!(section.contains(&format!("<tr data-observation=\"{}\">", o.id)));
    }
    assert!(section.contains(
        "<a href=\"https://investor.example.com/q1-2026?x=1&amp;y=2\" rel=\"noreferrer\">"
    ));
    // A source that is not a URL is text, escaped.
    assert!(section.contains("<td>10-K 2025 &lt;p. 41&gt;</td>"));
    assert!(section.contains("Given what we have seen, P(payback by 2030Q4) moved from"));
}

#[test]
fn a_hostile_source_is_never_a_link() {
    let done = common::default_three();
    let csv = "company,signal,value,unit,start,end,period,kind,source,recorded,scope,note\n\
               Evil,ai_run_rate,37e9,USD/year,,2026-03-31,,reported,javascript:alert(1),2026-04-29,ai,\n\
               Evil,utilization,0.85,ratio,,2026-03-31,,estimate,\"https://x.example/\"\"><script>alert(1)</script>\",2026-04-15,ai,<img src=x onerror=alert(1)>\n";
    let obs = csvfile::parse("evil.csv", csv).unwrap();
    let e = common::evidence(&done, &obs, "Evil", Settings::default());
    let files = render(&done, Some(&e));
    let html = String::from_utf8(file(&files, "report.html").to_vec()).unwrap();
    let lower = html.to_lowercase();
    assert!(!lower.contains("<script"));
    assert!(!lower.contains("<img"));
    assert!(!lower.contains("href=\"javascript"));
    assert!(!lower.contains("href=\"https://x.example"));
}
