//! Parameter paths against the overlay machinery: scaling a path with an overlay file
//! through `payback-input` and scaling the same slots with `params::set` give equal
//! scenarios.

use payback_input::{SourceFile, builtin, load};
use payback_model::Scenario;
use payback_model::params::{self, ParamError};

fn default_scenario() -> (SourceFile, Scenario) {
    let main = builtin::get("default").expect("built-in default").source();
    let s = load(&main, &[]).expect("default loads").scenario;
    (main, s)
}

const PATHS: &[&str] = &[
    "inference.price_decline",
    "generations.GB200.unit_cost",
    "contracts.openai-compute.take_or_pay",
    "contracts.anthropic-compute.total_value",
    "tiers.*.premium_decay",
    "generations[launch>=2027Q1].unit_cost",
    "generations[launch<2025Q1].power_kw",
    "open_market.growth.2027",
    "inference.growth.2029",
    "capex.3.amount",
    "capex.*.ai_share",
    "counterparties.openai.hazard",
    "compute.market_margin",
    "agents.q",
    "equity.anthropic-stake.valuation.2028Q4",
    "equity.anthropic-stake.investments.1.amount",
    "internal.share",
    "scenario.discount_rate",
    "power.price_per_mwh",
    "pipeline.commit_share",
];

#[test]
fn scaling_by_overlay_equals_scaling_by_set() {
    let (main, base) = default_scenario();
    for &path in PATHS {
        let factor = 0.9;
        let overlay = SourceFile::new(
            "scale.toml",
            format!("[overlay]\nname = \"scale\"\n\n[scale]\n\"{path}\" = {factor}\n"),
        );
        let via_overlay = match load(&main, &[overlay]) {
            Ok(l) => l.scenario,
            Err(d) => panic!("{path}: overlay failed: {d:?}"),
        };
        let slots = params::resolve(&base, path).unwrap_or_else(|e| panic!("{path}: {e}"));
        assert!(!slots.is_empty(), "{path}");
        let mut via_set = base.clone();
        for sl in &slots {
            params::set(&mut via_set, *sl, params::get(&base, *sl) * factor);
        }
        assert_eq!(via_overlay, via_set, "{path}");
        assert_ne!(via_set, base, "{path} changed nothing");
    }
}

#[test]
fn whole_numbers_round_like_an_overlay_set() {
    let (main, base) = default_scenario();
    let overlay = SourceFile::new(
        "set.toml",
        "[set]\n\"facilities.facility_lead_time\" = 9\n\"capex.2.lead_time\" = 3\n",
    );
    let via_overlay = load(&main, &[overlay]).expect("loads").scenario;
    let mut via_set = base.clone();
    for (p, v) in [
        ("facilities.facility_lead_time", 8.6),
        ("capex.2.lead_time", 3.2),
    ] {
        for sl in params::resolve(&base, p).expect(p) {
            params::set(&mut via_set, sl, v);
        }
    }
    assert_eq!(via_overlay, via_set);
}

#[test]
fn every_listed_path_resolves_to_itself_and_round_trips() {
    let (_, base) = default_scenario();
    let all = params::all_paths(&base);
    assert!(all.len() > 150, "{}", all.len());
    let slots = params::all_slots(&base);
    for (path, sl) in all.iter().zip(&slots) {
        let got = params::resolve(&base, path).unwrap_or_else(|e| panic!("{path}: {e}"));
        assert_eq!(got, vec![*sl], "{path}");
        let mut s = base.clone();
        let v = params::get(&base, *sl);
        let w = if sl.is_integer() {
            v + 1.0
        } else {
            v * 0.5 + 0.125
        };
        params::set(&mut s, *sl, w);
        assert_eq!(params::get(&s, *sl), w, "{path}");
        params::set(&mut s, *sl, v);
        assert_eq!(s, base, "{path}");
    }
}

#[test]
fn errors_say_what_is_wrong() {
    let (_, base) = default_scenario();
    assert!(matches!(
        params::resolve(&base, "compute.market_margn"),
        Err(ParamError::Unknown { .. })
    ));
    assert!(matches!(
        params::resolve(&base, "generations.B999.unit_cost"),
        Err(ParamError::MatchesNothing(_))
    ));
    assert!(matches!(
        params::resolve(&base, "compute.start_price"),
        Err(ParamError::NotInUse(_))
    ));
    assert!(matches!(
        params::resolve(&base, "generations.H100.launch"),
        Err(ParamError::NotNumeric(_))
    ));
    assert!(matches!(
        params::resolve(&base, "inference..price"),
        Err(ParamError::Malformed(_))
    ));
    assert!(matches!(
        params::resolve(&base, "open_market.growth.1999"),
        Err(ParamError::MatchesNothing(_))
    ));
}
