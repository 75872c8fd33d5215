//! Portfolio identities, the one-scenario portfolio, labs, and the published top-down arithmetic.

mod common;

use payback_model::finance::Payback;
use payback_portfolio::{parse, run, sequoia_revenue_needed, target_roic};

const BIG_TECH: &str = include_str!("../../../examples/portfolios/big-tech.toml");

fn big_tech() -> payback_portfolio::Portfolio {
    let file = parse(BIG_TECH).expect("big-tech.toml parses");
    run(&file, &mut common::builtins).expect("big-tech.toml runs")
}

#[test]
fn sequoia_reproduces_200b_and_600b_exactly() {
    // Cahn, "AI's $200B Question" (2023): $50B x 2 x 2; "AI's $600B Question" (2024): $150B.
    assert_eq!(sequoia_revenue_needed(50e9), 200e9);
    assert_eq!(sequoia_revenue_needed(150e9), 600e9);
}

#[test]
fn kupperman_target_roic_reproduces_40_160_480_exactly() {
    // $400B capex, 10-year life, 25 % margin: $40B depreciation, $160B to cover it, $480B for a
    // 20 % return on invested capital.
    let r = target_roic(400e9, 10.0, 0.25, 0.20).expect("valid inputs");
    assert_eq!(r.depreciation, 40e9);
    assert_eq!(r.revenue_to_cover_depreciation, 160e9);
    assert_eq!(r.revenue_for_target, 480e9);
    assert!(target_roic(400e9, 0.0, 0.25, 0.2).is_none());
    assert!(target_roic(400e9, 10.0, 0.0, 0.2).is_none());
    assert!(target_roic(f64::NAN, 10.0, 0.25, 0.2).is_none());
}

#[test]
fn aggregate_fcf_is_the_sum_of_the_companies_fcf() {
    let p = big_tech();
    let a = &p.aggregate;
    for (i, q) in a.quarters.iter().enumerate() {
        let mut sum = 0.0;
        for c in &p.companies {
            if let Some(k) = c.projection.quarters.iter().position(|x| x == q) {
                sum += c.projection.q.fcf[k];
            }
        }
        assert!(
            (a.fcf[i] - sum).abs() <= 1e-9 * sum.abs().max(1.0),
            "{q}: {} vs {}",
            a.fcf[i],
            sum
        );
    }
}

#[test]
fn end_customer_revenue_is_total_less_revenue_from_modelled_companies() {
    let p = big_tech();
    let a = &p.aggregate;
    let ids: Vec<&str> = p.companies.iter().map(|c| c.id.as_str()).collect();
    // Independently: every contract whose counterparty id is another company of the portfolio.
    let n = a.quarters.len();
    let mut inter = vec![0.0; n];
    for c in &p.companies {
        let sc = &c.loaded.scenario;
        for cs in &c.projection.contracts {
            let k = sc
                .contracts
                .iter()
                .find(|k| k.name == cs.name)
                .expect("contract");
            let cp = k.counterparty.map(|i| sc.counterparties[i].id.as_str());
            if cp.is_some_and(|id| id != c.id && ids.contains(&id)) {
                for (t, v) in cs.revenue.iter().enumerate() {
                    inter[t] += v;
                }
            }
        }
    }
    let total_inter: f64 = inter.iter().sum();
    assert!(
        total_inter > 0.0,
        "Oracle and CoreWeave sell to Meta and Microsoft"
    );
    for (t, want_inter) in inter.iter().enumerate() {
        assert!((a.revenue_intercompany[t] - want_inter).abs() <= 1e-6);
        let want = a.revenue[t] - want_inter;
        assert!(
            (a.revenue_end_customer[t] - want).abs() <= 1e-9 * want.abs().max(1.0),
            "{}",
            a.quarters[t]
        );
    }
    let circ: f64 = a.revenue_circular.iter().sum();
    let rev: f64 = a.revenue.iter().sum();
    assert_eq!(a.circular_share, Some(circ / rev));
}

#[test]
fn a_portfolio_of_one_scenario_equals_that_scenario() {
    let text = r#"
[portfolio]
name = "one"
[[companies]]
id = "microsoft"
scenario = "microsoft"
overlays = ["microsoft-bear"]
"#;
    let p = run(&parse(text).expect("parses"), &mut common::builtins).expect("runs");
    let alone = common::project("microsoft", &["microsoft-bear"]);
    let a = &p.aggregate;
    assert_eq!(a.quarters, alone.quarters);
    assert_eq!(a.fcf, alone.q.fcf);
    assert_eq!(a.revenue, alone.q.revenue);
    assert_eq!(a.rpo, alone.q.rpo);
    assert_eq!(a.payback, alone.summary.payback);
    assert_eq!(a.payback_quarter, alone.summary.payback_quarter);
    assert_eq!(a.npv_sum, alone.summary.npv);
    assert_eq!(a.irr, alone.summary.irr);
    let pf = a.peak_funding.expect("peak funding");
    assert_eq!(pf.value, alone.summary.peak_funding.value);
    assert_eq!(pf.quarter, alone.summary.peak_funding.quarter);
    assert_eq!(a.circular_share, alone.summary.circular_share);
    assert!(a.revenue_intercompany.iter().all(|v| *v == 0.0));
}

#[test]
fn each_lab_sums_its_commitments_across_companies() {
    let p = big_tech();
    let openai = p.labs.iter().find(|l| l.id == "openai").expect("openai");
    let mut want = 0.0;
    for c in &p.companies {
        for (cs, cp) in c
            .projection
            .contracts
            .iter()
            .zip(&c.contract_counterparties)
        {
            if cp.as_deref() == Some("openai") {
                want += cs.minimum;
            }
        }
    }
    assert!((openai.commitments_total - want).abs() <= 1.0);
    // Microsoft $30B + $250B, Amazon $38B, Oracle $300B, CoreWeave $22.4B.
    assert!(
        (openai.commitments_total - 640.4e9).abs() < 1e6,
        "{}",
        openai.commitments_total
    );
    let names: Vec<&str> = openai.commitments.iter().map(|(c, _)| c.as_str()).collect();
    assert_eq!(names, ["microsoft", "amazon", "oracle", "coreweave"]);
    // Lab revenue from the portfolio file sits beside what it pays.
    let y2025 = openai.by_year.iter().find(|y| y.0 == 2025).expect("2025");
    assert_eq!(y2025.2, Some(13.1e9));
    let anthropic = p
        .labs
        .iter()
        .find(|l| l.id == "anthropic")
        .expect("anthropic");
    assert!(anthropic.commitments_total > 0.0);
}

#[test]
fn cross_check_rows_follow_the_formulas() {
    let p = big_tech();
    let cc = &p.file.cross_check;
    for y in &p.cross_check {
        assert_eq!(y.accelerator_spend, cc.gpu_share * y.ai_capex);
        assert_eq!(y.sequoia_needed, y.accelerator_spend * 4.0);
        let r = y.roic.expect("roic");
        assert!((r.depreciation - r.capital / cc.roic_life_years).abs() <= 1e-6 * r.capital);
        assert!(y.model_revenue.is_finite() && y.model_end_customer_revenue <= y.model_revenue);
    }
    assert_eq!(p.cross_check.first().map(|y| y.year), Some(2024));
}

#[test]
fn every_company_runs_with_each_overlay_and_stays_finite() {
    for c in [
        "microsoft",
        "amazon",
        "alphabet",
        "meta",
        "oracle",
        "coreweave",
    ] {
        for ov in [vec![], vec![format!("{c}-bull")], vec![format!("{c}-bear")]] {
            let ovs: Vec<&str> = ov.iter().map(String::as_str).collect();
            let p = common::project(c, &ovs);
            assert!(p.q.fcf.iter().all(|v| v.is_finite()), "{c} {ov:?}");
            assert!(p.summary.npv.is_finite());
        }
    }
}

#[test]
fn coreweave_is_levered_and_reports_coverage() {
    let p = common::project("coreweave", &[]);
    let d = p.summary.debt.expect("CoreWeave has debt");
    assert!(d.peak_balance.value > 0.0 && d.interest_total > 0.0);
    assert!(p.q.levered_fcf.iter().zip(&p.q.fcf).any(|(l, f)| l != f));
}

#[test]
fn bad_portfolio_files_are_errors_not_panics() {
    assert!(
        parse("[portfolio]\nname = \"x\"\n").is_err(),
        "no companies"
    );
    let dup = "[portfolio]\nname = \"x\"\n[[companies]]\nid = \"a\"\nscenario = \"default\"\n[[companies]]\nid = \"a\"\nscenario = \"default\"\n";
    assert!(parse(dup).is_err());
    let unknown =
        "[portfolio]\nname = \"x\"\nbogus = 1\n[[companies]]\nid = \"a\"\nscenario = \"default\"\n";
    assert!(parse(unknown).is_err());
    let bad = "[portfolio]\nname = \"x\"\n[cross_check]\nroic_margin = 0.0\n[[companies]]\nid = \"a\"\nscenario = \"default\"\n";
    assert!(parse(bad).is_err());
    assert!(!payback_portfolio::is_portfolio(
        "[scenario]\nname = \"x\"\n"
    ));
    assert!(!payback_portfolio::is_portfolio("not toml ["));
    let missing =
        parse("[portfolio]\nname = \"x\"\n[[companies]]\nid = \"a\"\nscenario = \"nope\"\n")
            .expect("parses");
    assert!(run(&missing, &mut common::builtins).is_err());
    // A payback that is never reached is reported as such, never as a sentinel.
    let p = big_tech();
    let meta = p.companies.iter().find(|c| c.id == "meta").expect("meta");
    assert!(matches!(
        meta.projection.summary.payback,
        Payback::NotWithinHorizon { .. }
    ));
}
