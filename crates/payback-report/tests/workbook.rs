//! The workbook read back with calamine: every Quarterly cell is the engine's number, and
//! every Summary formula, recomputed from the cells it references, gives the engine's value.

mod common;

use std::collections::BTreeMap;

use calamine::{Data, Reader, Xlsx, open_workbook};
use payback_model::finance;
use payback_report::annual::{Annual, YearBasis};
use payback_report::workbook::{self, QUARTERLY_KEYS};

struct Book {
    _dir: tempfile::TempDir,
    path: std::path::PathBuf,
}

fn write_book(done: &[common::Done]) -> (Book, Vec<u8>) {
    let runs = common::runs(done);
    let assumptions = common::assumptions(done);
    let bytes = workbook::render(&runs, &assumptions, None).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("workbook.xlsx");
    std::fs::write(&path, &bytes).unwrap();
    (Book { _dir: dir, path }, bytes)
}

fn num(d: &Data) -> Option<f64> {
    match d {
        Data::Float(x) => Some(*x),
        Data::Int(i) => Some(*i as f64),
        _ => None,
    }
}

fn text(d: &Data) -> String {
    match d {
        Data::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The Quarterly sheet as series name → per-run values (read back).
type Sheet = calamine::Range<Data>;

fn header_index(sheet: &Sheet) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for c in 0..sheet.width() {
        if let Some(d) = sheet.get((0, c)) {
            out.insert(text(d), c);
        }
    }
    out
}

/// Column of series `name` (its header is `name` or `name (unit)`).
fn column_of(headers: &BTreeMap<String, usize>, name: &str) -> usize {
    let (_, c) = headers
        .iter()
        .find(|(h, _)| *h == name || h.starts_with(&format!("{name} (")))
        .unwrap_or_else(|| panic!("no column for {name}"));
    *c
}

#[test]
fn every_quarterly_cell_is_the_engines_number() {
    let done = common::default_three();
    let (book, _) = write_book(&done);
    let mut wb: Xlsx<_> = open_workbook(&book.path).unwrap();
    let names = wb.sheet_names();
    for s in ["Summary", "Assumptions", "Quarterly", "Annual", "Vintages"] {
        assert!(names.iter().any(|n| n == s), "no sheet {s}: {names:?}");
    }
    let q = wb.worksheet_range("Quarterly").unwrap();
    let headers = header_index(&q);
    assert_eq!(text(q.get((0, 0)).unwrap()), QUARTERLY_KEYS[0]);
    let mut row = 1;
    let mut checked = 0usize;
    for d in &done {
        let p = &d.projection;
        for (t, quarter) in p.quarters.iter().enumerate() {
            assert_eq!(text(q.get((row, 0)).unwrap()), d.label);
            assert_eq!(text(q.get((row, 1)).unwrap()), quarter.to_string());
            for c in p.q.columns() {
                let col = column_of(&headers, c.name);
                let cell = q.get((row, col)).and_then(num);
                assert_eq!(
                    cell,
                    Some(c.values[t]),
                    "{} {} {}",
                    d.label,
                    quarter,
                    c.name
                );
                checked += 1;
            }
            for (name, _, values) in payback_report::tidy::optional_series(p) {
                let col = column_of(&headers, name);
                let cell = q.get((row, col)).and_then(num);
                assert_eq!(cell, values[t], "{} {} {name}", d.label, quarter);
            }
            for tier in &p.tiers {
                let col = column_of(&headers, &format!("tier.{}.revenue", tier.name));
                assert_eq!(q.get((row, col)).and_then(num), Some(tier.revenue[t]));
            }
            row += 1;
        }
    }
    assert!(checked > 3 * 48 * 80, "{checked}");
    assert_eq!(q.height(), row, "extra rows on the Quarterly sheet");

    // Annual: every cell of every series.
    let a = wb.worksheet_range("Annual").unwrap();
    let ah = header_index(&a);
    let mut row = 1;
    for d in &done {
        let annual = Annual::new(&d.projection, YearBasis::Calendar);
        for (y, year) in annual.years.iter().enumerate() {
            assert_eq!(text(a.get((row, 1)).unwrap()), year.label);
            for s in &annual.series {
                let col = column_of(&ah, s.name);
                assert_eq!(
                    a.get((row, col)).and_then(num),
                    s.values[y],
                    "{} {}",
                    year.label,
                    s.name
                );
            }
            row += 1;
        }
    }

    // Vintages.
    let v = wb.worksheet_range("Vintages").unwrap();
    let mut row = 1;
    for d in &done {
        for x in &d.projection.vintages {
            assert_eq!(v.get((row, 1)).and_then(num), Some(f64::from(x.year)));
            assert_eq!(v.get((row, 2)).and_then(num), Some(x.capex));
            row += 1;
        }
    }

    // Assumptions: one row per parameter, the base run's values.
    let s = wb.worksheet_range("Assumptions").unwrap();
    let base = &done[0].loaded.params;
    for p in base.iter().take(50) {
        let r = (1..s.height())
            .find(|r| s.get((*r, 0)).map(text).as_deref() == Some(p.path.as_str()))
            .unwrap_or_else(|| panic!("{} not on the Assumptions sheet", p.path));
        if let payback_input::ParamScalar::Number(x) = p.value {
            assert_eq!(s.get((r, 2)).and_then(num), Some(x), "{}", p.path);
        }
    }
}

/// `Quarterly!$BM$2:$BM$49` → (column, first row, last row), 0-based.
fn parse_range(r: &str) -> (usize, usize, usize) {
    let r = r.strip_prefix("Quarterly!").expect("a Quarterly range");
    let (a, b) = r.split_once(':').expect("a range");
    let cell = |s: &str| -> (usize, usize) {
        let s = s.replace('$', "");
        let letters: String = s.chars().take_while(char::is_ascii_alphabetic).collect();
        let digits = &s[letters.len()..];
        let col = letters
            .bytes()
            .fold(0usize, |acc, b| acc * 26 + usize::from(b - b'A' + 1))
            - 1;
        (col, digits.parse::<usize>().unwrap() - 1)
    };
    let (c0, r0) = cell(a);
    let (c1, r1) = cell(b);
    assert_eq!(c0, c1);
    (c0, r0, r1)
}

fn cell_ref(s: &str) -> (usize, usize) {
    let letters: String = s.chars().take_while(char::is_ascii_alphabetic).collect();
    let col = letters
        .bytes()
        .fold(0usize, |acc, b| acc * 26 + usize::from(b - b'A' + 1))
        - 1;
    (s[letters.len()..].parse::<usize>().unwrap() - 1, col)
}

fn between<'a>(s: &'a str, open: &str, close: &str) -> &'a str {
    let i = s.find(open).unwrap() + open.len();
    let j = s[i..].find(close).unwrap() + i;
    &s[i..j]
}

fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * a.abs().max(b.abs()).max(1.0)
}

#[test]
fn summary_formulas_recomputed_from_their_cells_agree_with_the_engine() {
    let done = common::default_three();
    let (book, bytes) = write_book(&done);
    let mut wb: Xlsx<_> = open_workbook(&book.path).unwrap();
    let q = wb.worksheet_range("Quarterly").unwrap();
    let summary = wb.worksheet_range("Summary").unwrap();
    let formulas = wb.worksheet_formula("Summary").unwrap();
    let column = |col: usize, r0: usize, r1: usize| -> Vec<f64> {
        (r0..=r1)
            .map(|r| q.get((r, col)).and_then(num).expect("a number"))
            .collect()
    };
    let (f0r, f0c) = formulas
        .start()
        .map(|(r, c)| (r as usize, c as usize))
        .unwrap();
    let (s0r, s0c) = summary
        .start()
        .map(|(r, c)| (r as usize, c as usize))
        .unwrap();
    let at = |r: usize, c: usize| summary.get((r - s0r, c - s0c));
    let mut seen = BTreeMap::<String, usize>::new();
    for ((r, c), f) in formulas
        .cells()
        .map(|(r, c, f)| ((r + f0r, c + f0c), f.clone()))
    {
        if f.is_empty() {
            continue;
        }
        let label = text(at(r, 0).unwrap());
        let run = c - 2;
        let d = &done[run];
        let s = &d.projection.summary;
        let cached = at(r, c).and_then(num).expect("a cached number");
        let recomputed = if let Some(inner) = f.strip_prefix("SUM(") {
            let (col, r0, r1) = parse_range(inner.trim_end_matches(')'));
            column(col, r0, r1).iter().sum::<f64>()
        } else if f.starts_with("SUMPRODUCT(") {
            let range = between(&f, "SUMPRODUCT(", "/(1+");
            let rate_cell = between(&f, "/(1+", ")^");
            let (rr, rc) = cell_ref(rate_cell);
            let rate = at(rr, rc).and_then(num).unwrap();
            assert_eq!(rate, d.loaded.scenario.scenario.discount_rate);
            let (col, r0, r1) = parse_range(range);
            assert!(f.contains(&format!("ROW({range})")));
            column(col, r0, r1)
                .iter()
                .enumerate()
                .map(|(t, v)| v / libm::pow(1.0 + rate, (t as f64 + 1.0) / 4.0))
                .sum()
        } else if f.starts_with("(1+IRR(") {
            let inner = between(&f, "(1+IRR(", "))^4-1");
            let (range, guess) = inner.rsplit_once(',').unwrap();
            let (col, r0, r1) = parse_range(range);
            let guess: f64 = guess.parse().unwrap();
            let flows = column(col, r0, r1);
            let quarterly = finance::irr(&flows, Some(guess)).expect("Excel's IRR converges");
            libm::pow(1.0 + quarterly, 4.0) - 1.0
        } else if let Some(inner) = f.strip_prefix("MAX(0,-MIN(") {
            let (col, r0, r1) = parse_range(inner.trim_end_matches("))"));
            -column(col, r0, r1).iter().copied().fold(0.0, f64::min)
        } else {
            panic!("unexpected formula {f}");
        };
        let engine = match label.as_str() {
            "Revenue, total" => s.revenue_mix.total,
            "Operating cash flow, total" => d.projection.q.ocf.iter().sum(),
            "Capex, total" => s.capex_total,
            "Free cash flow, total" => d.projection.q.fcf.iter().sum(),
            "NPV of FCF" => s.npv,
            "IRR of FCF (annual)" => s.irr.primary.unwrap(),
            "Peak funding need" => s.peak_funding.value.abs(),
            other => panic!("a formula in an unexpected row {other}"),
        };
        assert_eq!(cached, engine, "{label} {}: cached result", d.label);
        assert!(
            close(recomputed, engine, 1e-9),
            "{label} {}: formula gives {recomputed}, engine {engine}",
            d.label
        );
        *seen.entry(label).or_default() += 1;
    }
    for label in workbook::FORMULA_ROWS {
        assert_eq!(seen.get(label), Some(&done.len()), "{label}: {seen:?}");
    }
    // Deterministic: no timestamp anywhere.
    let (_, again) = write_book(&done);
    assert_eq!(bytes, again);
    libreoffice_recalculates_the_same(&book.path, &done);
}

/// Where LibreOffice is installed, recalculate a copy and compare (skipped otherwise).
fn libreoffice_recalculates_the_same(path: &std::path::Path, done: &[common::Done]) {
    let Some(office) = ["libreoffice", "soffice"].into_iter().find(|b| {
        std::process::Command::new(b)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    }) else {
        println!("note: LibreOffice not installed; the recalculated-copy check is skipped");
        return;
    };
    let out = tempfile::tempdir().unwrap();
    let profile = tempfile::tempdir().unwrap();
    let src = out.path().join("in.xlsx");
    std::fs::copy(path, &src).unwrap();
    let status = std::process::Command::new(office)
        .arg(format!(
            "-env:UserInstallation=file://{}",
            profile.path().display()
        ))
        .args([
            "--headless",
            "--convert-to",
            "xlsx:Calc MS Excel 2007 XML",
            "--outdir",
        ])
        .arg(out.path().join("re"))
        .arg(&src)
        .status()
        .unwrap();
    assert!(status.success());
    let mut wb: Xlsx<_> = open_workbook(out.path().join("re/in.xlsx")).unwrap();
    let summary = wb.worksheet_range("Summary").unwrap();
    let (s0r, s0c) = summary
        .start()
        .map(|(r, c)| (r as usize, c as usize))
        .unwrap();
    for r in 0..summary.height() {
        let label = summary.get((r, 0)).map(text).unwrap_or_default();
        if !workbook::FORMULA_ROWS.contains(&label.as_str()) {
            continue;
        }
        for (i, d) in done.iter().enumerate() {
            let v = summary.get((r, 2 + i - s0c)).and_then(num).unwrap();
            let s = &d.projection.summary;
            let engine = match label.as_str() {
                "NPV of FCF" => s.npv,
                "IRR of FCF (annual)" => s.irr.primary.unwrap(),
                "Capex, total" => s.capex_total,
                "Peak funding need" => s.peak_funding.value.abs(),
                "Revenue, total" => s.revenue_mix.total,
                _ => continue,
            };
            assert!(
                close(v, engine, 1e-7),
                "LibreOffice {label} {}: {v} vs {engine}",
                d.label
            );
        }
    }
    let _ = s0r;
}
