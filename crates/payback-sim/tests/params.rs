//! Parameter paths against the overlay machinery: scaling a path with an overlay file
//! through `payback-input` and scaling the same slots with `params::set` give equal
//! scenarios.

use payback_input::{SourceFile, builtin, load};
use payback_model::Scenario;
use payback_model::params::{self, ParamError};

fn default_scenario() -> (SourceFile, Scenario) {
    builtin_scenario("default")
}

fn builtin_scenario(name: &str) -> (SourceFile, Scenario) {
    let main = builtin::get(name).expect("built-in").source();
    let s = load(&main, &[]).expect("built-in loads").scenario;
    (main, s)
}

/// The input crate's full fixture: every section, with one `[[debt]]` facility `term-loan`
/// (two draws, `min_coverage` set).
fn full_scenario() -> (SourceFile, Scenario) {
    let main = SourceFile::new(
        "full.toml",
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../payback-input/tests/valid/full.toml"
        )),
    );
    let s = load(&main, &[]).expect("full.toml loads").scenario;
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

/// Debt paths, against `full.toml` (one facility, `term-loan`).
const DEBT_PATHS: &[&str] = &[
    "debt.term-loan.rate",
    "debt.*.draws.0.amount",
    "debt.term-loan.draws.*.amount",
    "debt.term-loan.draws.1.amount",
    "debt.term-loan.fee",
    "debt.*.grace_years",
    "debt[amortisation==straight].maturity_years",
    "debt[rate>0.05].min_coverage",
];

/// Debt paths, against the built-in `coreweave` (four facilities, one with `min_coverage`).
const COREWEAVE_DEBT_PATHS: &[&str] = &[
    "debt.*.draws.0.amount",
    "debt.*.rate",
    "debt.ddtl-2024.min_coverage",
    "debt[amortisation==bullet].maturity_years",
    "debt[rate<0.1].fee",
];

#[test]
fn scaling_by_overlay_equals_scaling_by_set() {
    assert_scaling_matches(default_scenario(), PATHS);
    assert_scaling_matches(full_scenario(), DEBT_PATHS);
    assert_scaling_matches(builtin_scenario("coreweave"), COREWEAVE_DEBT_PATHS);
}

fn assert_scaling_matches((main, base): (SourceFile, Scenario), paths: &[&str]) {
    for &path in paths {
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
    assert!(
        !all.iter().any(|p| p.starts_with("debt.")),
        "default has no debt"
    );
    assert_round_trips(&base);

    let (_, full) = full_scenario();
    let all = params::all_paths(&full);
    let debt: Vec<&str> = all
        .iter()
        .map(String::as_str)
        .filter(|p| p.starts_with("debt."))
        .collect();
    assert_eq!(
        debt,
        [
            "debt.term-loan.draws.0.amount",
            "debt.term-loan.draws.1.amount",
            "debt.term-loan.rate",
            "debt.term-loan.fee",
            "debt.term-loan.grace_years",
            "debt.term-loan.maturity_years",
            "debt.term-loan.min_coverage",
        ]
    );
    assert_round_trips(&full);

    // Facilities without `min_coverage` list no such path.
    let (_, cw) = builtin_scenario("coreweave");
    let all = params::all_paths(&cw);
    let coverage: Vec<&str> = all
        .iter()
        .map(String::as_str)
        .filter(|p| p.ends_with(".min_coverage"))
        .collect();
    assert_eq!(coverage, ["debt.ddtl-2024.min_coverage"]);
    assert_round_trips(&cw);
}

fn assert_round_trips(base: &Scenario) {
    let all = params::all_paths(base);
    let slots = params::all_slots(base);
    assert_eq!(all.len(), slots.len());
    for (path, sl) in all.iter().zip(&slots) {
        let got = params::resolve(base, path).unwrap_or_else(|e| panic!("{path}: {e}"));
        assert_eq!(got, vec![*sl], "{path}");
        let (lo, hi) = sl.bounds();
        let mut s = base.clone();
        let v = params::get(base, *sl);
        assert!(lo <= v && v <= hi, "{path}: {v} outside {lo}..={hi}");
        let w = if sl.is_integer() {
            v + 1.0
        } else {
            v * 0.5 + 0.125
        };
        params::set(&mut s, *sl, w);
        assert_eq!(params::get(&s, *sl), w, "{path}");
        params::set(&mut s, *sl, v);
        assert_eq!(&s, base, "{path}");
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

#[test]
fn debt_paths() {
    let (_, base) = full_scenario();
    let one = |p: &str| -> params::Slot {
        let got = params::resolve(&base, p).unwrap_or_else(|e| panic!("{p}: {e}"));
        assert_eq!(got.len(), 1, "{p}");
        got[0]
    };
    let t = &base.debt[0];
    assert_eq!(params::get(&base, one("debt.term-loan.rate")), t.rate);
    assert_eq!(params::get(&base, one("debt.0.fee")), t.fee);
    assert_eq!(
        params::get(&base, one("debt.term-loan.draws.1.amount")),
        t.draws[1].amount
    );
    assert_eq!(
        params::resolve(&base, "debt.term-loan.draws.*.amount")
            .unwrap()
            .len(),
        2
    );
    // Bounds as the schema: rate >= 0, fee 0..=1, grace >= 0, maturity > 0, coverage >= 0,
    // amounts >= 0.
    let b = |p: &str| one(p).bounds();
    assert_eq!(b("debt.term-loan.rate"), (0.0, f64::INFINITY));
    assert_eq!(b("debt.term-loan.fee"), (0.0, 1.0));
    assert_eq!(b("debt.term-loan.grace_years"), (0.0, f64::INFINITY));
    let (lo, hi) = b("debt.term-loan.maturity_years");
    assert!(lo > 0.0 && hi == f64::INFINITY);
    assert_eq!(b("debt.term-loan.min_coverage"), (0.0, f64::INFINITY));
    assert_eq!(b("debt.term-loan.draws.0.amount"), (0.0, f64::INFINITY));
    assert!(!one("debt.term-loan.maturity_years").is_integer());

    // `min_coverage` is a parameter only when set, like `compute.expected_decline`.
    let cov = one("debt.term-loan.min_coverage");
    let mut none = base.clone();
    none.debt[0].min_coverage = None;
    assert!(!params::has(&none, cov));
    assert!(matches!(
        params::resolve(&none, "debt.term-loan.min_coverage"),
        Err(ParamError::NotInUse(_))
    ));
    assert!(matches!(
        params::resolve(&none, "debt.*.min_coverage"),
        Err(ParamError::NotInUse(_))
    ));
    let before = none.clone();
    params::set(&mut none, cov, 3.0);
    assert_eq!(none, before, "setting an absent min_coverage does nothing");
    assert_eq!(params::get(&none, cov), 0.0);

    // Only facilities with a covenant are selected by a wildcard.
    let (_, cw) = builtin_scenario("coreweave");
    let got = params::resolve(&cw, "debt.*.min_coverage").unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(params::path_of(&cw, got[0]), "debt.ddtl-2024.min_coverage");
    assert!(matches!(
        params::resolve(&cw, "debt.notes-2026.min_coverage"),
        Err(ParamError::NotInUse(_))
    ));
    assert_eq!(
        params::resolve(&cw, "debt.*.draws.0.amount").unwrap().len(),
        4
    );
    assert_eq!(
        params::resolve(&cw, "debt[amortisation==bullet].rate")
            .unwrap()
            .len(),
        1
    );

    for (p, ok) in [
        ("debt.term-loan.name", "not numeric"),
        ("debt.term-loan.amortisation", "not numeric"),
        ("debt.term-loan.draws.0.period", "not numeric"),
        ("debt.nope.rate", "nothing"),
        ("debt.term-loan.draws.2.amount", "nothing"),
        ("debt.term-loan.draws.first.amount", "malformed"),
        ("debt.term-loan.draws.0", "malformed"),
        ("debt.term-loan.draws", "malformed"),
        ("debt.term-loan.rate.x", "malformed"),
        ("debt.term-loan.draws.0.amout", "unknown"),
        ("debt.term-loan.interest", "unknown"),
    ] {
        let e = params::resolve(&base, p).expect_err(p);
        let matched = match ok {
            "not numeric" => matches!(e, ParamError::NotNumeric(_)),
            "nothing" => matches!(e, ParamError::MatchesNothing(_)),
            "malformed" => matches!(e, ParamError::Malformed(_)),
            _ => matches!(e, ParamError::Unknown { .. }),
        };
        assert!(matched, "{p}: {e:?}");
    }
    // A scenario without debt: nothing to select.
    let (_, default) = default_scenario();
    assert!(matches!(
        params::resolve(&default, "debt.*.rate"),
        Err(ParamError::MatchesNothing(_))
    ));
}
