//! Scoring against hand-computed values, and the self-consistency check.

use chrono::NaiveDate;
use payback_evidence::score::{self, Comparison, ScenarioInput, Settings, Status};
use payback_evidence::store::Store;
use payback_evidence::{Derivation, Kind, Observation, Scope, Signal};
use payback_input::SourceFile;
use payback_model::{Projection, Quarter};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn load(overlays: &[&str]) -> Projection {
    let main = payback_input::builtin::get("default").unwrap().source();
    let ov: Vec<SourceFile> = overlays
        .iter()
        .map(|o| payback_input::builtin::get(o).unwrap().source())
        .collect();
    let loaded = payback_input::load(&main, &ov).unwrap();
    payback_model::project(&loaded.scenario)
}

fn obs(signal: Signal, start: Option<&str>, end: &str, value: f64, kind: Kind) -> Observation {
    Observation {
        company: "Acme".into(),
        cik: None,
        signal,
        unit: signal.unit().into(),
        scope: Scope::Ai,
        start: start.map(d),
        end: d(end),
        value,
        kind,
        source: "test".into(),
        recorded: d("2028-01-01"),
        derivation: Derivation::Direct,
        concept: None,
        form: None,
        revisions: 0,
        note: None,
    }
}

fn idx(p: &Projection, q: &str) -> usize {
    p.quarters.iter().position(|x| x.to_string() == q).unwrap()
}

fn close(a: f64, b: f64, tol: f64) {
    assert!((a - b).abs() <= tol, "{a} vs {b}");
}

/// Two scenarios whose RPO and capex are set by hand.
fn two() -> (Projection, Projection) {
    let mut a = load(&[]);
    let mut b = a.clone();
    let (q26, q27) = (idx(&a, "2026Q4"), idx(&a, "2027Q4"));
    a.q.rpo[q26] = 100e9;
    b.q.rpo[q26] = 200e9;
    a.q.rpo[q27] = 120e9;
    b.q.rpo[q27] = 240e9;
    for i in idx(&a, "2026Q1")..=q26 {
        a.q.capex[i] = 2.5e9;
        b.q.capex[i] = 3.75e9;
    }
    a.summary.payback_quarter = Quarter::new(2029, 4);
    b.summary.payback_quarter = None;
    (a, b)
}

#[test]
fn one_observation_hand_computed() {
    let (a, b) = two();
    let scenarios = [
        ScenarioInput {
            label: "a",
            prior: 1.0,
            projection: &a,
        },
        ScenarioInput {
            label: "b",
            prior: 1.0,
            projection: &b,
        },
    ];
    // RPO at 2026-12-31 = 100e9 * e^0.15, reported (σ_log = 0.15):
    // z_a = ln(e^0.15) / 0.15 = 1; z_b = (0.15 - ln 2) / 0.15 = -3.6209812.
    // loglik_a = -0.5, loglik_b = -6.5557524; w_a = 1 / (1 + e^(-6.0557524)) = 0.9976611.
    let o = obs(
        Signal::Rpo,
        None,
        "2026-12-31",
        100e9 * libm::exp(0.15),
        Kind::Reported,
    );
    let card = score::score(&[(1, &o)], &scenarios, &Settings::default());
    let s = &card.observations[0];
    assert_eq!(s.comparison, Some(Comparison::Level));
    close(s.distances[0].z.unwrap(), 1.0, 1e-9);
    close(s.distances[1].z.unwrap(), -3.620_981_203_7, 1e-9);
    close(card.scenarios[0].posterior, 0.997_661_145_6, 1e-9);
    close(card.scenarios[1].posterior, 1.0 - 0.997_661_145_6, 1e-9);
    // P(payback by 2030Q4): only a pays back (2029Q4): 0.5 before, w_a after.
    close(card.reprojection.prior, 0.5, 1e-12);
    close(card.reprojection.posterior, 0.997_661_145_6, 1e-9);
    // Contracts stage: |z_a| = 1 is consistent, |z_b| > 2 contradicts.
    assert_eq!(
        card.stages[0].status,
        vec![Status::Evidenced, Status::Contradicted]
    );
    assert_eq!(
        card.stages[1].status,
        vec![Status::NoDataYet, Status::NoDataYet]
    );
    assert_eq!(card.movers, vec![1]);
    // Removing the only observation gives back the prior: influence = |0.99766 - 0.5|.
    close(s.influence, 0.497_661_145_6, 1e-9);
}

#[test]
fn repeated_series_count_once_hand_computed() {
    let (a, b) = two();
    let scenarios = [
        ScenarioInput {
            label: "a",
            prior: 1.0,
            projection: &a,
        },
        ScenarioInput {
            label: "b",
            prior: 1.0,
            projection: &b,
        },
    ];
    let o1 = obs(
        Signal::Rpo,
        None,
        "2026-12-31",
        100e9 * libm::exp(0.15),
        Kind::Reported,
    );
    let o2 = obs(Signal::Rpo, None, "2027-12-31", 120e9, Kind::Reported);
    let o3 = obs(
        Signal::Capex,
        Some("2026-01-01"),
        "2026-12-31",
        10e9,
        Kind::Estimate,
    );
    let card = score::score(
        &[(1, &o1), (2, &o2), (3, &o3)],
        &scenarios,
        &Settings::default(),
    );
    // RPO is one series of two observations: each weighs 1/2. Capex (estimate, σ 0.40) over
    // the four quarters of 2026: a = 4 x 2.5e9 = 10e9 (z 0), b = 15e9 (z = ln(10/15)/0.4 =
    // -1.0136628, loglik -0.5137561).
    // RPO 2027Q4: z_a = 0, z_b = -ln 2 / 0.15 = -4.6209812, loglik_b = -10.6767355.
    // L_a = 0.5 (-0.5) + 0.5 (0) + 0 = -0.25;
    // L_b = 0.5 (-6.5557524) + 0.5 (-10.6767355) - 0.5137561 = -9.1299991;
    // w_a = 1 / (1 + e^(L_b - L_a)) = 0.9998609.
    let by_id = |id| card.observations.iter().find(|o| o.id == id).unwrap();
    close(by_id(1).weight, 0.5, 0.0);
    close(by_id(2).weight, 0.5, 0.0);
    close(by_id(3).weight, 1.0, 0.0);
    close(by_id(3).distances[1].z.unwrap(), -1.013_662_770_3, 1e-9);
    close(card.scenarios[0].loglik, -0.25, 1e-12);
    close(card.scenarios[1].loglik, -9.129_999_146_7, 1e-9);
    close(card.scenarios[0].posterior, 0.999_860_875_1, 1e-9);
    // Priors move the answer: 1:9 against a.
    let skewed = [
        ScenarioInput {
            label: "a",
            prior: 1.0,
            projection: &a,
        },
        ScenarioInput {
            label: "b",
            prior: 9.0,
            projection: &b,
        },
    ];
    let card2 = score::score(
        &[(1, &o1), (2, &o2), (3, &o3)],
        &skewed,
        &Settings::default(),
    );
    // w_a = 0.1 / (0.1 + 0.9 e^(-8.8799991)) = 0.9987493.
    close(card2.scenarios[0].posterior, 0.998_749_267_7, 1e-9);
    assert!(card.observations.iter().all(|o| o.influence.is_finite()));
}

#[test]
fn whole_company_figures_use_the_ai_share_or_growth() {
    let (a, b) = two();
    let scenarios = [
        ScenarioInput {
            label: "a",
            prior: 1.0,
            projection: &a,
        },
        ScenarioInput {
            label: "b",
            prior: 1.0,
            projection: &b,
        },
    ];
    let mut o1 = obs(Signal::Rpo, None, "2026-12-31", 250e9, Kind::Reported);
    o1.scope = Scope::Company;
    let mut o0 = obs(Signal::Rpo, None, "2027-12-31", 300e9, Kind::Reported);
    o0.scope = Scope::Company;
    // With an AI share of 0.4: 250e9 x 0.4 = 100e9 = a's RPO (z 0).
    let mut settings = Settings::default();
    settings.ai_share.insert(Signal::Rpo, 0.4);
    let card = score::score(&[(1, &o1)], &scenarios, &settings);
    close(card.observations[0].compared.unwrap(), 100e9, 1e-3);
    close(card.observations[0].distances[0].z.unwrap(), 0.0, 1e-12);
    // Without a share: growth 300/250 = 1.2 against a's 120/100 = 1.2 and b's 240/200 = 1.2:
    // both z = 0, and the year-earlier base itself has no base (not compared).
    let card = score::score(&[(1, &o1), (2, &o0)], &scenarios, &Settings::default());
    let g = card.observations.iter().find(|o| o.id == 2).unwrap();
    assert_eq!(g.comparison, Some(Comparison::Growth));
    close(g.compared.unwrap(), 1.2, 1e-12);
    close(g.distances[0].z.unwrap(), 0.0, 1e-9);
    let base = card.observations.iter().find(|o| o.id == 1).unwrap();
    assert!(base.not_compared.is_some());
    // A whole-company FCF with no share is context only.
    let mut f = obs(
        Signal::Fcf,
        Some("2026-01-01"),
        "2026-12-31",
        5e9,
        Kind::Reported,
    );
    f.scope = Scope::Company;
    let card = score::score(&[(1, &f)], &scenarios, &Settings::default());
    assert!(
        card.observations[0]
            .not_compared
            .as_deref()
            .unwrap()
            .contains("--ai-share fcf")
    );
    close(card.scenarios[0].posterior, 0.5, 0.0);
}

#[test]
fn a_scenarios_own_projection_gets_the_highest_weight() {
    let base = load(&[]);
    let bull = load(&["bull"]);
    let bear = load(&["bear"]);
    let scenarios = [
        ScenarioInput {
            label: "base",
            prior: 1.0,
            projection: &base,
        },
        ScenarioInput {
            label: "bull",
            prior: 1.0,
            projection: &bull,
        },
        ScenarioInput {
            label: "bear",
            prior: 1.0,
            projection: &bear,
        },
    ];
    for (k, truth) in [&base, &bull, &bear].into_iter().enumerate() {
        let mut list = Vec::new();
        for q in ["2025Q4", "2026Q4", "2027Q4", "2028Q4"] {
            let i = idx(truth, q);
            let end = truth.quarters[i].end_date().to_string();
            let start = truth.quarters[i]
                .offset(-1)
                .end_date()
                .succ_opt()
                .unwrap()
                .to_string();
            list.push(obs(Signal::Rpo, None, &end, truth.q.rpo[i], Kind::Reported));
            list.push(obs(
                Signal::Capex,
                Some(&start),
                &end,
                truth.q.capex[i],
                Kind::Reported,
            ));
            list.push(obs(
                Signal::Utilization,
                None,
                &end,
                truth.q.utilization[i],
                Kind::Estimate,
            ));
            list.push(obs(
                Signal::Fcf,
                Some(&start),
                &end,
                truth.q.fcf[i],
                Kind::Reported,
            ));
            // A whole-company revenue twice the AI slice, with its AI share stated.
            let mut r = obs(
                Signal::Revenue,
                Some(&start),
                &end,
                2.0 * truth.q.revenue[i],
                Kind::Reported,
            );
            r.scope = Scope::Company;
            list.push(r);
        }
        let pairs: Vec<(i64, &Observation)> = list
            .iter()
            .enumerate()
            .map(|(i, o)| (i as i64 + 1, o))
            .collect();
        let mut settings = Settings::default();
        settings.ai_share.insert(Signal::Revenue, 0.5);
        let card = score::score(&pairs, &scenarios, &settings);
        let best = card
            .scenarios
            .iter()
            .enumerate()
            .max_by(|x, y| x.1.posterior.total_cmp(&y.1.posterior))
            .unwrap()
            .0;
        assert_eq!(best, k, "{:?}", card.scenarios);
        assert!(card.observations.iter().filter(|o| o.in_likelihood).count() >= 16);
        assert_eq!(card.stages[0].status[k], Status::Evidenced);
        assert!(
            card.scenarios
                .iter()
                .all(|s| s.posterior.is_finite() && s.loglik.is_finite())
        );
        assert!(card.observations.iter().all(|o| o.influence.is_finite()
            && o.distances.iter().all(|d| d.z.is_none_or(f64::is_finite))));
    }
}

#[test]
fn a_failing_row_rolls_the_whole_import_back() {
    let mut store = Store::in_memory().unwrap();
    let good = obs(Signal::Rpo, None, "2026-12-31", 1e9, Kind::Reported);
    store
        .import(
            "csv",
            "first.csv",
            "2026-01-01",
            std::slice::from_ref(&good),
        )
        .unwrap();
    let mut later = good.clone();
    later.value = 2e9;
    later.recorded = d("2029-01-01");
    let mut bad = obs(
        Signal::Capex,
        Some("2026-01-01"),
        "2026-03-31",
        1e9,
        Kind::Reported,
    );
    bad.company = String::new(); // violates the store's CHECK
    let e = store
        .import("csv", "second.csv", "2026-01-02", &[later, bad])
        .unwrap_err();
    assert!(e.message.starts_with("second.csv: observation 2"), "{e}");
    // Nothing of second.csv is stored and the first row is not marked superseded.
    assert_eq!(store.count().unwrap(), 1);
    assert_eq!(store.import_count().unwrap(), 1);
    let rows = store.observations(&Default::default()).unwrap();
    assert_eq!((rows[0].obs.value, rows[0].superseded_by), (1e9, None));
}
