//! SEC companyfacts import: the real Snowflake file and a hand-built file with every trap.

use std::fs::File;
use std::io::BufReader;
use std::path::PathBuf;

use chrono::NaiveDate;
use payback_evidence::sec::{self, SecImport};
use payback_evidence::store::{Filter, Store};
use payback_evidence::{Derivation, Observation, Signal};

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

fn import(name: &str) -> SecImport {
    let path = data(name);
    let facts = sec::read(name, BufReader::new(File::open(path).unwrap())).unwrap();
    let company = facts.entity_name.clone().unwrap();
    sec::normalise(name, &facts, &company).unwrap()
}

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// The current (latest recorded) observation of `signal` for the period `start..end`.
fn current<'a>(
    imp: &'a SecImport,
    signal: Signal,
    start: Option<&str>,
    end: &str,
) -> &'a Observation {
    imp.observations
        .iter()
        .filter(|o| o.signal == signal && o.start == start.map(d) && o.end == d(end))
        .max_by_key(|o| o.recorded)
        .unwrap_or_else(|| panic!("no {signal} for {start:?}..{end}"))
}

fn all<'a>(imp: &'a SecImport, signal: Signal, end: &str) -> Vec<&'a Observation> {
    imp.observations
        .iter()
        .filter(|o| o.signal == signal && o.end == d(end))
        .collect()
}

#[test]
fn snowflake_quarters_match_hand_differenced_rows() {
    let imp = import("companyfacts-CIK0001640147-snowflake.json");
    assert_eq!(imp.cik, Some(1_640_147));
    assert_eq!(imp.entity_name.as_deref(), Some("SNOWFLAKE INC."));

    // Capex (PaymentsToAcquirePropertyPlantAndEquipment), fiscal 2025 = Feb 2024 - Jan 2025.
    // Raw YTD rows, all starting 2024-02-01: to 04-30 16,519,000; to 07-31 21,562,000;
    // to 10-31 35,002,000; to 2025-01-31 46,279,000.
    // Q1 is the 3-month row itself: 16,519,000 (direct).
    let q1 = current(&imp, Signal::Capex, Some("2024-02-01"), "2024-04-30");
    assert_eq!(q1.value, 16_519_000.0);
    assert_eq!(q1.derivation, Derivation::Direct);
    assert_eq!(q1.quarter().to_string(), "2024Q2");
    // Q2 = 21,562,000 - 16,519,000 = 5,043,000, May-Jul, calendar 2024Q3.
    let q2 = current(&imp, Signal::Capex, Some("2024-05-01"), "2024-07-31");
    assert_eq!(q2.value, 5_043_000.0);
    assert_eq!(q2.derivation, Derivation::YtdDifference);
    assert_eq!(q2.quarter().to_string(), "2024Q3");
    // Q3 = 35,002,000 - 21,562,000 = 13,440,000.
    let q3 = current(&imp, Signal::Capex, Some("2024-08-01"), "2024-10-31");
    assert_eq!(q3.value, 13_440_000.0);
    // Q4 = 46,279,000 - 35,002,000 = 11,277,000, Nov-Jan, calendar 2025Q1.
    let q4 = current(&imp, Signal::Capex, Some("2024-11-01"), "2025-01-31");
    assert_eq!(q4.value, 11_277_000.0);
    assert_eq!(q4.quarter().to_string(), "2025Q1");
    // Fiscal 2020 has a 9-month (to 2019-10-31, 14,504,000) and a year (18,583,000) but no
    // half-year: only Q4 can be derived, 18,583,000 - 14,504,000 = 4,079,000; Q2 and Q3 are
    // absent (no data), never zero.
    let q4_2020 = current(&imp, Signal::Capex, Some("2019-11-01"), "2020-01-31");
    assert_eq!(q4_2020.value, 4_079_000.0);
    assert!(all(&imp, Signal::Capex, "2019-07-31").is_empty());

    // OCF (NetCashProvidedByUsedInOperatingActivities), fiscal 2025 YTD: 355,468,000;
    // 425,333,000; 527,039,000; 959,764,000.
    // Q1 355,468,000; Q2 425,333,000 - 355,468,000 = 69,865,000;
    // Q3 527,039,000 - 425,333,000 = 101,706,000; Q4 959,764,000 - 527,039,000 = 432,725,000.
    let ocf = |s, e| current(&imp, Signal::Ocf, Some(s), e).value;
    assert_eq!(ocf("2024-02-01", "2024-04-30"), 355_468_000.0);
    assert_eq!(ocf("2024-05-01", "2024-07-31"), 69_865_000.0);
    assert_eq!(ocf("2024-08-01", "2024-10-31"), 101_706_000.0);
    assert_eq!(ocf("2024-11-01", "2025-01-31"), 432_725_000.0);
    // Fiscal 2024 Q4: 848,122,000 - 503,542,000 = 344,580,000.
    assert_eq!(ocf("2023-11-01", "2024-01-31"), 344_580_000.0);

    // FCF = OCF - capex: Q1 355,468,000 - 16,519,000 = 338,949,000;
    // Q2 69,865,000 - 5,043,000 = 64,822,000; Q3 101,706,000 - 13,440,000 = 88,266,000;
    // Q4 432,725,000 - 11,277,000 = 421,448,000; year 959,764,000 - 46,279,000 = 913,485,000.
    let fcf = |s, e| current(&imp, Signal::Fcf, Some(s), e);
    assert_eq!(fcf("2024-02-01", "2024-04-30").value, 338_949_000.0);
    assert_eq!(fcf("2024-05-01", "2024-07-31").value, 64_822_000.0);
    assert_eq!(fcf("2024-08-01", "2024-10-31").value, 88_266_000.0);
    assert_eq!(fcf("2024-11-01", "2025-01-31").value, 421_448_000.0);
    assert_eq!(fcf("2024-02-01", "2025-01-31").value, 913_485_000.0);
    assert_eq!(
        fcf("2024-02-01", "2024-04-30").derivation,
        Derivation::OcfMinusCapex
    );

    // RPO is a balance: 6.9B at 2025-01-31 (10-K) and 6.7B at 2025-04-30 (10-Q), calendar
    // 2025Q1 and 2025Q2.
    let rpo = current(&imp, Signal::Rpo, None, "2025-04-30");
    assert_eq!(rpo.value, 6_700_000_000.0);
    assert_eq!(rpo.quarter().to_string(), "2025Q2");
    assert_eq!(
        current(&imp, Signal::Rpo, None, "2025-01-31").value,
        6_900_000_000.0
    );
    assert_eq!(
        imp.observations
            .iter()
            .filter(|o| o.signal == Signal::Rpo)
            .count(),
        19
    );

    // The 10-Q filed 2022-06-03 labels every row fp=FY; its Q1 capex (2022-02-01..04-30,
    // 7,413,000) is still a quarter, and the later comparative (filed 2023-06-02) wins.
    let q = current(&imp, Signal::Capex, Some("2022-02-01"), "2022-04-30");
    assert_eq!(q.value, 7_413_000.0);
    assert_eq!(q.source, "0001640147-23-000102");
    assert_eq!(q.recorded, d("2022-06-03"));

    // Revenue: 61 rows for 35 distinct periods (ecosystem notes §5.4); duplicates dropped.
    assert!(imp.report.duplicates > 0);
    assert!(imp.report.derived_quarters > 0);
    // Depreciation comes from DepreciationDepletionAndAmortization.
    assert!(
        imp.observations
            .iter()
            .filter(|o| o.signal == Signal::Depreciation)
            .all(|o| o
                .concept
                .as_deref()
                .is_some_and(|c| c.starts_with("DepreciationDepletion")))
    );
    assert!(imp.observations.iter().all(|o| o.value.is_finite()));
}

#[test]
fn every_trap_in_the_hand_built_file() {
    let imp = import("companyfacts-traps.json");
    // CIK written as the zero-padded string "0000012345".
    assert_eq!(imp.cik, Some(12_345));

    // Capex, fiscal year July 2023 - June 2024, YTD rows: Q1 100 (repeated in next year's
    // 10-Q: a duplicate), H1 250 (a 10-Q labelled fp=FY), 9M 420, FY 600 in the 10-K, amended
    // to 610 by the 10-K/A. A 61-day row (other duration) and an instant row (data error) are
    // skipped.
    // Quarters: Q1 = 100 (direct); Q2 = 250 - 100 = 150; Q3 = 420 - 250 = 170;
    // Q4 = 610 - 420 = 190 (the amended year wins).
    let capex = |s, e| current(&imp, Signal::Capex, Some(s), e);
    assert_eq!(capex("2023-07-01", "2023-09-30").value, 100.0);
    assert_eq!(
        capex("2023-07-01", "2023-09-30").derivation,
        Derivation::Direct
    );
    assert_eq!(
        capex("2023-07-01", "2023-09-30").source,
        "0000012345-24-000050"
    );
    assert_eq!(capex("2023-10-01", "2023-12-31").value, 150.0);
    assert_eq!(capex("2024-01-01", "2024-03-31").value, 170.0);
    let q4 = capex("2024-04-01", "2024-06-30");
    assert_eq!(q4.value, 190.0);
    assert_eq!(q4.derivation, Derivation::YtdDifference);
    assert!(q4.note.as_deref().unwrap().contains("revised"));
    // Fiscal Q4 (April-June) is calendar 2024Q2; fiscal Q1 (July-September) is 2023Q3.
    assert_eq!(q4.quarter().to_string(), "2024Q2");
    assert_eq!(
        capex("2023-07-01", "2023-09-30").quarter().to_string(),
        "2023Q3"
    );
    // The year: 610 current (10-K/A, one revision) and 600 kept as superseded.
    let years = all(&imp, Signal::Capex, "2024-06-30");
    let year_values: Vec<(f64, &str)> = years
        .iter()
        .filter(|o| o.start == Some(d("2023-07-01")))
        .map(|o| (o.value, o.form.as_deref().unwrap()))
        .collect();
    assert_eq!(year_values, vec![(600.0, "10-K"), (610.0, "10-K/A")]);
    assert_eq!(capex("2023-07-01", "2024-06-30").revisions, 1);

    // OCF YTD 1000, 1800, 2900, 4000 (the 10-K/A repeats 4000: no revision):
    // quarters 1000, 800, 1100, 1100.
    let ocf = |s, e| current(&imp, Signal::Ocf, Some(s), e).value;
    assert_eq!(ocf("2023-07-01", "2023-09-30"), 1000.0);
    assert_eq!(ocf("2023-10-01", "2023-12-31"), 800.0);
    assert_eq!(ocf("2024-01-01", "2024-03-31"), 1100.0);
    assert_eq!(ocf("2024-04-01", "2024-06-30"), 1100.0);
    // FCF: 1000-100 = 900, 800-150 = 650, 1100-170 = 930, 1100-190 = 910; year 4000-610 = 3390.
    let fcf = |s, e| current(&imp, Signal::Fcf, Some(s), e).value;
    assert_eq!(fcf("2023-07-01", "2023-09-30"), 900.0);
    assert_eq!(fcf("2023-10-01", "2023-12-31"), 650.0);
    assert_eq!(fcf("2024-01-01", "2024-03-31"), 930.0);
    assert_eq!(fcf("2024-04-01", "2024-06-30"), 910.0);
    assert_eq!(fcf("2023-07-01", "2024-06-30"), 3390.0);

    // RPO balances: 5000 (twice: one fact), 5500, 7000 amended to 7100; the row with a start
    // (2024-03-31) is a data error and gives no observation.
    assert_eq!(current(&imp, Signal::Rpo, None, "2023-09-30").value, 5000.0);
    assert_eq!(current(&imp, Signal::Rpo, None, "2023-12-31").value, 5500.0);
    assert_eq!(current(&imp, Signal::Rpo, None, "2024-06-30").value, 7100.0);
    assert_eq!(all(&imp, Signal::Rpo, "2024-06-30").len(), 2);
    assert!(all(&imp, Signal::Rpo, "2024-03-31").is_empty());

    // Revenue: the primary tag has Q1 (300, wins over Revenues' 310); Revenues fills Q2 (330).
    let r1 = current(&imp, Signal::Revenue, Some("2023-07-01"), "2023-09-30");
    assert_eq!(r1.value, 300.0);
    let r2 = current(&imp, Signal::Revenue, Some("2023-10-01"), "2023-12-31");
    assert_eq!((r2.value, r2.concept.as_deref()), (330.0, Some("Revenues")));

    // Depreciation is absent: no data, never zero. PP&E gross has only a `pure` unit: skipped.
    assert!(
        imp.observations
            .iter()
            .all(|o| o.signal != Signal::Depreciation)
    );
    assert!(
        imp.observations
            .iter()
            .all(|o| o.signal != Signal::PpeGross)
    );
    assert_eq!(
        current(&imp, Signal::PpeNet, None, "2024-06-30").value,
        9000.0
    );

    // rpo 4 + capex 6 (4 quarters, year and its superseded value) + ocf 5 + fcf 5 + revenue 2
    // + ppe_net 1.
    assert_eq!(imp.observations.len(), 23);
    let r = &imp.report;
    assert_eq!(r.skipped_mismatched, 2);
    assert_eq!(r.skipped_other_durations, 1);
    assert_eq!(r.duplicates, 3); // capex Q1, RPO 2023-09-30, OCF year (same value in 10-K/A)
    assert_eq!(r.revisions, 2); // capex year, RPO 2024-06-30
    assert_eq!(r.derived_quarters, 6); // capex 3 + OCF 3
    assert!(
        r.warnings
            .iter()
            .any(|w| w.contains("PropertyPlantAndEquipmentGross"))
    );
}

#[test]
fn store_is_idempotent_and_keeps_revisions() {
    let imp = import("companyfacts-traps.json");
    let mut store = Store::in_memory().unwrap();
    let first = store
        .import("sec", "traps.json", "2025-01-01", &imp.observations)
        .unwrap();
    assert_eq!(first.added, 23);
    // Capex year and RPO 2024-06-30 were revised within the file.
    assert_eq!(first.revisions, 2);
    let again = store
        .import("sec", "traps.json", "2025-01-02", &imp.observations)
        .unwrap();
    assert_eq!((again.added, again.unchanged), (0, 23));
    assert_eq!(store.count().unwrap(), 23);
    assert_eq!(store.import_count().unwrap(), 1);

    // The current rows: 21; the superseded 600 and 7000 point at their revisions.
    let current = store.observations(&Filter::default()).unwrap();
    assert_eq!(current.len(), 21);
    let everything = store
        .observations(&Filter {
            include_superseded: true,
            ..Filter::default()
        })
        .unwrap();
    let old = everything
        .iter()
        .find(|r| r.obs.signal == Signal::Rpo && r.obs.value == 7000.0)
        .unwrap();
    let new = everything
        .iter()
        .find(|r| r.obs.signal == Signal::Rpo && r.obs.value == 7100.0)
        .unwrap();
    assert_eq!(old.superseded_by, Some(new.id));
    assert_eq!(new.revises, Some(old.id));

    // A newer file revising a value: both kept, the newer current.
    let mut later = imp.observations.clone();
    for o in &mut later {
        if o.signal == Signal::Rpo && o.end == d("2023-12-31") {
            o.value = 5600.0;
            o.recorded = d("2024-12-01");
            o.source = "0000012345-24-000099".into();
        }
    }
    let third = store
        .import("sec", "traps-later.json", "2025-02-01", &later)
        .unwrap();
    assert_eq!((third.added, third.revisions), (1, 1));
    let rpo = store
        .observations(&Filter {
            company: Some("trap co".into()),
            signal: Some(Signal::Rpo),
            include_superseded: true,
        })
        .unwrap();
    let dec: Vec<(f64, bool)> = rpo
        .iter()
        .filter(|r| r.obs.end == d("2023-12-31"))
        .map(|r| (r.obs.value, r.superseded_by.is_some()))
        .collect();
    assert_eq!(dec, vec![(5500.0, true), (5600.0, false)]);
    // By CIK too.
    let by_cik = store
        .observations(&Filter {
            company: Some("12345".into()),
            ..Filter::default()
        })
        .unwrap();
    assert_eq!(by_cik.len(), 21);
}

#[test]
fn a_bad_row_rejects_the_file_and_names_the_row() {
    let text = std::fs::read_to_string(data("companyfacts-traps.json")).unwrap();
    let bad = text.replacen("\"end\": \"2023-12-31\"", "\"end\": \"2023-13-31\"", 1);
    let facts = sec::read("bad.json", bad.as_bytes()).unwrap();
    let e = sec::normalise("bad.json", &facts, "Trap Co").unwrap_err();
    assert!(e.to_string().starts_with("bad.json: us-gaap/"), "{e}");
    assert!(e.to_string().contains("`end` is not a date"), "{e}");
    let e = sec::read("trunc.json", &text.as_bytes()[..2000]).unwrap_err();
    assert!(e.to_string().starts_with("trunc.json: line "), "{e}");
    let e = sec::read("nofacts.json", &b"{\"cik\": 5}"[..]).unwrap_err();
    assert!(e.to_string().contains("no `facts`"), "{e}");
    let e = sec::read("cik.json", &b"{\"cik\": \"12x\", \"facts\": {}}"[..]).unwrap_err();
    assert!(e.to_string().contains("`cik` is not a number"), "{e}");
}
