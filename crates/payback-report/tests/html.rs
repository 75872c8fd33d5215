//! The HTML report in a real headless Chromium: the screenshot is not blank, the DOM holds the
//! headline numbers; and a static check finds no script and no URL but the source links.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use payback_report::bundle::{self, Report};
use payback_report::charts::uncertainty::{PaybackProbability, Percentiles, Uncertainty};
use payback_report::{Inputs, fmt};
use resvg::tiny_skia::Pixmap;

fn report_html(
    done: &[common::Done],
    uncertainty: Option<&Uncertainty>,
) -> (String, Vec<bundle::OutputFile>) {
    report_html_with(done, uncertainty, None)
}

fn report_html_with(
    done: &[common::Done],
    uncertainty: Option<&Uncertainty>,
    evidence: Option<&payback_report::evidence::Evidence>,
) -> (String, Vec<bundle::OutputFile>) {
    let runs = common::runs(done);
    let assumptions = common::assumptions(done);
    let inputs = Inputs::new(
        &[("builtin:default", "x")],
        vec!["bull".into(), "bear".into()],
    );
    let files = bundle::render_with_evidence(
        &Report {
            runs: &runs,
            assumptions: &assumptions,
            inputs: &inputs,
            uncertainty,
        },
        evidence,
    )
    .unwrap();
    let html = String::from_utf8(files[0].bytes.clone()).unwrap();
    (html, files)
}

/// Every `http://`/`https://` URL in `s`, up to the next quote, `<` or space.
fn urls(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    for scheme in ["http://", "https://"] {
        let mut rest = s;
        while let Some(i) = rest.find(scheme) {
            let tail = &rest[i..];
            let end = tail
                .find(|c: char| c == '"' || c == '<' || c == '\'' || c.is_whitespace())
                .unwrap_or(tail.len());
            out.push(tail[..end].to_string());
            rest = &tail[end..];
        }
    }
    out
}

#[test]
fn static_check_no_script_and_only_source_links() {
    let done = common::default_three();
    let (html, _) = report_html(&done, None);
    static_check(&html, &done, &[]);
}

/// The same check with an Evidence section: the observations' sources are the only other URLs.
#[test]
fn static_check_with_evidence() {
    let done = common::default_three();
    let obs = payback_evidence::csvfile::parse("web.csv", common::EVIDENCE_CSV).unwrap();
    let e = common::evidence(&done, &obs, "Web Cloud", Default::default());
    let (html, _) = report_html_with(&done, None, Some(&e));
    assert!(html.contains("<section id=\"evidence\">"));
    let sources: Vec<String> = obs.iter().map(|o| o.source.clone()).collect();
    static_check(&html, &done, &sources);
    // Each web source is a link.
    for s in sources.iter().filter(|s| s.starts_with("http")) {
        let href = format!("href=\"{}\"", s.replace('&', "&amp;"));
        assert!(html.contains(&href), "no link {href}");
    }
}

/// No script, no event handler, the CSP, and no URL but `evidence_sources` and the
/// assumptions' sources.
fn static_check(html: &str, done: &[common::Done], evidence_sources: &[String]) {
    let lower = html.to_lowercase();
    assert!(!lower.contains("<script"), "the report has a script");
    assert!(!lower.contains("javascript:"));
    assert!(
        !regexless_has_event_handler(&lower),
        "an inline event handler"
    );
    assert!(html.contains(&format!(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"{}\">",
        "default-src &#39;none&#39;; style-src &#39;unsafe-inline&#39;; img-src data:"
    )));
    let allowed: Vec<String> = done
        .iter()
        .flat_map(|d| d.loaded.params.iter())
        .filter_map(|p| p.provenance.as_ref())
        .flat_map(|p| [p.source.clone(), p.note.clone()])
        .flatten()
        .chain(evidence_sources.iter().cloned())
        .collect();
    let found = urls(html);
    assert!(!found.is_empty(), "the default scenario cites web sources");
    for u in &found {
        let u = u.replace("&amp;", "&");
        assert!(
            allowed.iter().any(|a| a.contains(&u)),
            "URL {u} is not an assumption's or an observation's source"
        );
    }
    // External resources would be src= or href= other than the source links.
    assert!(!lower.contains(" src="));
    assert!(!lower.contains("<link"));
    assert!(!lower.contains("@import"));
    assert!(!html.contains("NaN") && !html.contains("inf%"));
}

/// ` onload=`, ` onclick=`... inside a tag.
fn regexless_has_event_handler(s: &str) -> bool {
    s.split('<').skip(1).any(|tag| {
        let tag = tag.split('>').next().unwrap_or("");
        tag.split_whitespace()
            .skip(1)
            .any(|attr| attr.starts_with("on") && attr.contains('='))
    })
}

fn chromium() -> Option<PathBuf> {
    for name in ["chromium", "chromium-browser", "google-chrome"] {
        if let Ok(out) = Command::new("which").arg(name).output()
            && out.status.success()
        {
            let p = String::from_utf8_lossy(&out.stdout).trim().to_string();
            if !p.is_empty() {
                return Some(PathBuf::from(p));
            }
        }
    }
    None
}

fn browser_args(profile: &Path) -> Vec<String> {
    [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--hide-scrollbars",
    ]
    .iter()
    .map(ToString::to_string)
    .chain([format!("--user-data-dir={}", profile.display())])
    .collect()
}

#[test]
fn chromium_renders_the_report() {
    let Some(browser) = chromium() else {
        if std::env::var_os("PAYBACK_SKIP_BROWSER").is_some() {
            println!("note: PAYBACK_SKIP_BROWSER is set and no Chromium found; skipped");
            return;
        }
        panic!(
            "this test needs a headless Chromium: `apt-get install chromium` (Debian; .ci/run \
             installs it), or set PAYBACK_SKIP_BROWSER=1 to skip it"
        );
    };
    let done = common::default_three();
    let p = &done[0].projection;
    let n = p.quarters.len();
    let u = Uncertainty {
        draws: 1000,
        fcf_cumulative: Percentiles {
            quarters: p.quarters.clone(),
            levels: vec![0.05, 0.5, 0.95],
            values: vec![
                p.q.fcf_cumulative.iter().map(|v| v - 50e9).collect(),
                p.q.fcf_cumulative.clone(),
                p.q.fcf_cumulative.iter().map(|v| v + 50e9).collect(),
            ],
            deterministic: None,
        },
        payback: PaybackProbability {
            quarters: p.quarters.clone(),
            cumulative: (0..n).map(|t| t as f64 / n as f64).collect(),
        },
        tornado: None,
    };
    let (html, _) = report_html(&done, Some(&u));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("report.html");
    std::fs::write(&file, &html).unwrap();
    let url = format!("file://{}", file.display());
    let shot = dir.path().join("shot.png");
    let profile = dir.path().join("profile");
    let out = Command::new(&browser)
        .args(browser_args(&profile))
        .arg(format!("--screenshot={}", shot.display()))
        .arg("--window-size=1280,2000")
        .arg(&url)
        .output()
        .unwrap();
    assert!(
        shot.exists(),
        "no screenshot: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let png = Pixmap::load_png(&shot).unwrap();
    assert_eq!((png.width(), png.height()), (1280, 2000));
    let pixels = png.pixels();
    let non_white = pixels
        .iter()
        .filter(|p| p.red() < 240 || p.green() < 240 || p.blue() < 240)
        .count();
    let share = non_white as f64 / pixels.len() as f64;
    assert!(
        share > 0.03,
        "the screenshot is nearly blank ({share:.4} non-white)"
    );
    let colored = pixels
        .iter()
        .filter(|p| p.red().abs_diff(p.blue()) > 60)
        .count();
    assert!(colored > 1000, "no chart colours in the screenshot");
    std::fs::copy(&shot, common::preview_dir("html").join("screenshot.png")).unwrap();

    let dom = Command::new(&browser)
        .args(browser_args(&profile))
        .arg("--dump-dom")
        .arg(&url)
        .output()
        .unwrap();
    let dom = String::from_utf8_lossy(&dom.stdout);
    for d in &done {
        let s = &d.projection.summary;
        let payback = payback_report::text::payback_text(&s.payback, s.payback_quarter);
        for (metric, want) in [
            ("payback", payback),
            ("npv", fmt::money_b(s.npv)),
            ("irr", payback_report::text::irr_text(&s.irr)),
            (
                "peak_funding",
                format!(
                    "{} in {}",
                    fmt::money_b(s.peak_funding.value.abs()),
                    s.peak_funding.quarter
                ),
            ),
        ] {
            let cell = format!(
                "data-metric=\"{metric}\" data-run=\"{}\">{want}</td>",
                d.label
            );
            assert!(dom.contains(&cell), "the DOM lacks {cell}");
        }
    }
    assert!(dom.contains("data-metric=\"p_payback\""));
    assert!(dom.contains("<svg"), "no inline charts in the DOM");
    assert!(dom.contains("J-curve: cumulative free cash flow"));
}
