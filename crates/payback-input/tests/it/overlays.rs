//! Overlays change exactly what their paths select; an empty overlay changes nothing; several
//! errors in one file are all reported; `explain_param` finds parameters and suggests paths.

use payback_input::{Code, ParamScalar, SourceFile, explain_param};
use payback_model::scenario::{ContractPrice, Internal, PriceMode, Terminal, TrancheKind};

use crate::load_valid;

const OVERLAY: &str = r#"[overlay]
name = "test"
description = "moves one of everything"

[set]
"contracts.lab-a.take_or_pay" = 0.5
"open_market.growth.2027" = 0.25
"open_market.growth.2032" = 0.1
"compute.market_margin" = { value = 0.1, source = "bear case", kind = "assumption" }

[scale]
"tiers.*.premium_decay" = 2
"generations[launch>=2027Q1].unit_cost" = 0.8
"#;

#[test]
fn full_fixture_converts_every_section() {
    let s = load_valid("full.toml", &[]).scenario;
    assert_eq!(
        s.generations
            .iter()
            .map(|g| g.name.as_str())
            .collect::<Vec<_>>(),
        ["H100", "B200", "R100"]
    );
    assert_eq!(s.generations[0].unit_cost, 35_000.0);
    assert_eq!(
        s.generations[0].economic_life_years, 6.0,
        "defaults to the accounting life"
    );
    assert_eq!(
        s.generations[0].pricing_life_years, 6.0,
        "defaults to the economic life"
    );
    assert_eq!(s.generations[0].availability, 0.95);
    assert_eq!(s.scenario.terminal, Terminal::Book { recovery: 0.4 });
    // FY2026 with a June year end: July 2025 - June 2026.
    let q: Vec<String> = s.capex[1].quarters.iter().map(|q| q.to_string()).collect();
    assert_eq!(q, ["2025Q3", "2025Q4", "2026Q1", "2026Q2"]);
    assert_eq!(
        s.capex[1].kind,
        TrancheKind::Mix {
            accelerators: 0.65,
            facilities: 0.35
        }
    );
    assert_eq!(s.capex[1].generation, 1);
    assert_eq!(s.capex[2].kind, TrancheKind::Facilities);
    assert_eq!(s.capex[0].lead_time, 2);
    assert_eq!(s.compute.price_mode, PriceMode::CostPlus);
    assert_eq!(
        s.open_market.growth.points,
        vec![(2024, 0.6), (2027, 0.3), (2030, 0.15)]
    );
    assert_eq!(
        s.counterparties[1].name, "anthropic",
        "name defaults to the id"
    );
    assert_eq!(s.contracts[0].counterparty, Some(0));
    assert_eq!(s.contracts[0].price, ContractPrice::TotalValue(60e9));
    assert_eq!(
        s.contracts[1].ref_accelerators,
        160_000.0 * 2.5,
        "accelerators x perf"
    );
    assert_eq!(
        s.contracts[1].signed, s.scenario.start,
        "signed defaults to the start"
    );
    assert_eq!(s.contracts[1].take_or_pay, 1.0);
    assert_eq!(s.tiers.len(), 2);
    assert!(s.tiers[1].latest_generation);
    let a = s.agents.as_ref().unwrap();
    assert_eq!(
        a.pilot_price,
        10.0 * 60.0 * 0.1,
        "pilot price defaults to the value price"
    );
    assert_eq!(s.equity[0].investments[1].valuation, None);
    assert_eq!(s.equity[0].valuation.len(), 2);
    assert_eq!(
        s.internal,
        Internal::Hours {
            ref_hours: 1e8,
            growth: 0.2
        }
    );
}

#[test]
fn minimal_fixture_takes_defaults() {
    let l = load_valid("minimal.toml", &[]);
    let s = &l.scenario;
    assert_eq!(s.scenario.start.to_string(), "2024Q1");
    assert_eq!(s.scenario.end.to_string(), "2035Q4");
    assert_eq!(s.scenario.terminal, Terminal::Runoff);
    assert_eq!(s.tiers.len(), 1);
    assert_eq!(s.tiers[0].name, "standard");
    assert_eq!(
        (
            s.tiers[0].share,
            s.tiers[0].premium,
            s.tiers[0].premium_decay
        ),
        (1.0, 1.0, 0.0)
    );
    assert_eq!(s.pipeline.commit_share, 0.0);
    assert_eq!(s.pipeline.term_years, 3.0);
    assert_eq!(s.compute.market_margin, 0.3);
    assert_eq!(s.opex.rate, 0.04);
    assert!(s.inference.is_none() && s.agents.is_none());
    assert_eq!(s.internal, Internal::None);
    let margin = l
        .params
        .iter()
        .find(|p| p.path == "compute.market_margin")
        .unwrap();
    assert!(margin.is_default);
    assert_eq!(margin.value, ParamScalar::Number(0.3));
}

#[test]
fn overlay_changes_exactly_what_its_paths_select() {
    let base = load_valid("full.toml", &[]).scenario;
    let l = load_valid("full.toml", &[("test.toml", OVERLAY)]);
    let mut expected = base.clone();
    expected.contracts[0].take_or_pay = 0.5;
    expected.open_market.growth.points = vec![(2024, 0.6), (2027, 0.25), (2030, 0.15), (2032, 0.1)];
    expected.compute.market_margin = 0.1;
    expected.tiers[0].premium_decay = 0.0;
    expected.tiers[1].premium_decay = 0.4;
    expected.generations[2].unit_cost = 70_000.0 * 0.8;
    assert_eq!(l.scenario, expected);
    assert_eq!(l.overlay_names, ["test"]);

    let r100 = explain_param(&l, "generations.R100.unit_cost").unwrap();
    assert_eq!(r100.len(), 1);
    assert_eq!(r100[0].set_by_overlay.as_deref(), Some("test"));
    assert_eq!((r100[0].file.as_str(), r100[0].line), ("test.toml", 13));
    let h100 = explain_param(&l, "generations.H100.unit_cost").unwrap();
    assert_eq!(h100[0].set_by_overlay, None);
    assert_eq!(
        h100[0].provenance.as_ref().unwrap().kind.as_deref(),
        Some("estimate")
    );
    let margin = explain_param(&l, "compute.market_margin").unwrap();
    assert_eq!(
        margin[0].provenance.as_ref().unwrap().source.as_deref(),
        Some("bear case")
    );
}

#[test]
fn scale_keeps_provenance_and_scales_defaults() {
    let ov = "[scale]\n\"open_market.reference_price\" = 0.5\n\"compute.pricing_power\" = 2\n";
    let l = load_valid("full.toml", &[("o.toml", ov)]);
    assert_eq!(l.scenario.open_market.reference_price, 1.2);
    let p = explain_param(&l, "open_market.reference_price").unwrap();
    assert_eq!(
        p[0].provenance.as_ref().unwrap().kind.as_deref(),
        Some("reported")
    );
    assert_eq!(p[0].set_by_overlay.as_deref(), Some("o"));
    let l = load_valid(
        "minimal.toml",
        &[("o.toml", "[scale]\n\"compute.market_margin\" = 2\n")],
    );
    assert_eq!(l.scenario.compute.market_margin, 0.6);
}

#[test]
fn overlays_apply_in_order_and_can_create_tables() {
    let a = "[set]\n\"pipeline.commit_share\" = 0.2\n";
    let b = "[set.pipeline]\ncommit_share = 0.4\n";
    let l = load_valid("minimal.toml", &[("a.toml", a), ("b.toml", b)]);
    assert_eq!(l.scenario.pipeline.commit_share, 0.4);
    assert_eq!(l.overlay_names, ["a", "b"]);
}

#[test]
fn empty_overlay_changes_nothing() {
    let base = load_valid("full.toml", &[]);
    for text in ["", "[overlay]\nname = \"empty\"\n", "[set]\n[scale]\n"] {
        let l = load_valid("full.toml", &[("empty.toml", text)]);
        assert_eq!(l.scenario, base.scenario);
        assert_eq!(l.params, base.params);
    }
}

#[test]
fn overlay_errors_point_at_the_overlay_line() {
    let main = SourceFile::new(
        "full.toml",
        std::fs::read_to_string(crate::dir("valid").join("full.toml")).unwrap(),
    );
    let ov = SourceFile::new(
        "bad.toml",
        "[set]\n\"compute.market_margin\" = -1\n\"contracts.nope.usage\" = 1\n",
    );
    let d = payback_input::load(&main, &[ov]).unwrap_err();
    assert_eq!(d.len(), 2, "{d:?}");
    assert_eq!(
        (d[0].file.as_str(), d[0].line, d[0].code),
        ("bad.toml", 2, Code::P0302)
    );
    assert_eq!(
        (d[1].file.as_str(), d[1].line, d[1].code),
        ("bad.toml", 3, Code::P0401)
    );
}

#[test]
fn several_errors_in_one_file_are_all_reported() {
    let text = std::fs::read_to_string(crate::dir("valid").join("minimal.toml"))
        .unwrap()
        .replace("tax_rate = 0.2", "tax_rate = 20\ntaxx = \"group\"")
        .replace("perf = 1", "perf = 0")
        .replace(
            "growth = { 2024 = 0.3 }",
            "growth = { 2024 = 0.3, 20x7 = 0.1 }",
        )
        .replace(
            "[power]\nprice_per_mwh = 70",
            "[power]\nprice_per_mwh = \"70\"",
        );
    let d = payback_input::load(&SourceFile::new("m.toml", text), &[]).unwrap_err();
    let codes: Vec<Code> = d.iter().map(|d| d.code).collect();
    assert_eq!(
        codes,
        [
            Code::P0301,
            Code::P0103,
            Code::P0303,
            Code::P0102,
            Code::P0201
        ],
        "{d:#?}"
    );
    assert_eq!(d[1].hints, ["did you mean `tax`?"]);
    assert_eq!(d[0].expected.as_deref(), Some("a number 0..=1"));
    assert_eq!(d[0].found.as_deref(), Some("20"));
    assert_eq!(d[0].path.as_deref(), Some("scenario.tax_rate"));
    assert_eq!(
        d[0].to_string(),
        "m.toml:5:12: error[P0301]: `scenario.tax_rate` is a share and must be in 0..=1 (path scenario.tax_rate): expected a number 0..=1, found 20"
    );
}

#[test]
fn explain_supports_wildcards_prefixes_and_suggestions() {
    let l = load_valid("full.toml", &[]);
    let decays = explain_param(&l, "tiers.*.premium_decay").unwrap();
    assert_eq!(
        decays.iter().map(|p| p.path.as_str()).collect::<Vec<_>>(),
        [
            "tiers.standard.premium_decay",
            "tiers.low-latency.premium_decay"
        ]
    );
    assert!(explain_param(&l, "contracts.lab-a").unwrap().len() > 10);
    let e = explain_param(&l, "inference.price_declin").unwrap_err();
    assert_eq!(e.suggestions, ["inference.price_decline"]);
    let e = explain_param(&l, "contracts.lab-a.take_or_play").unwrap_err();
    assert!(
        e.suggestions
            .contains(&"contracts.lab-a.take_or_pay".to_string()),
        "{e}"
    );
}

#[test]
fn params_are_in_schema_order_items_in_file_order() {
    let l = load_valid("full.toml", &[]);
    let paths: Vec<&str> = l.params.iter().map(|p| p.path.as_str()).collect();
    assert_eq!(paths[0], "scenario.name");
    let g = paths
        .iter()
        .position(|p| *p == "generations.H100.name")
        .unwrap();
    assert_eq!(paths[g + 1], "generations.H100.launch");
    assert!(
        paths
            .iter()
            .position(|p| *p == "generations.B200.name")
            .unwrap()
            > g
    );
    let i = paths
        .iter()
        .position(|p| *p == "generations.H100.economic_life_years")
        .unwrap();
    assert!(l.params[i].is_default);
}
