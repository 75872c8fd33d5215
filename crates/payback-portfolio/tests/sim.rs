//! `payback simulate portfolio.toml`: a one-scenario portfolio is `payback simulate` bit for
//! bit, a lab's default on a path ends its contracts in every company on that path, shared
//! drivers are one draw for all, and the thread count changes nothing.

mod common;

use payback_input::{Loaded, SourceFile, builtin};
use payback_model::params;
use payback_model::{Quarter, Scenario};
use payback_portfolio::CompanyEntry;
use payback_portfolio::sim::{self, PortfolioPlan, portfolio_uncertainty, stream_index};
use payback_sim::{BLOCK_SIZE, Config, NoProgress, Plan, Sampling, SimReport};

fn entry(id: &str) -> CompanyEntry {
    CompanyEntry {
        id: id.into(),
        label: id.into(),
        scenario: id.into(),
        overlays: Vec::new(),
    }
}

fn load(name: &str, extra: &[SourceFile]) -> Loaded {
    let main = builtin::get(name).expect("built-in").source();
    payback_input::load(&main, extra).unwrap_or_else(|d| {
        panic!(
            "{name}: {}",
            d.iter().map(|d| format!("{d}\n")).collect::<String>()
        )
    })
}

fn cfg(paths: u64, seed: u64, sampling: Sampling, threads: usize) -> Config {
    Config {
        paths,
        seed,
        sampling,
        threads: Some(threads),
    }
}

/// The single-scenario report without its fan chart (portfolios keep none).
fn no_fan(mut r: SimReport) -> SimReport {
    r.fan.clear();
    r
}

#[test]
fn company_zero_uses_the_single_scenario_streams() {
    for b in [0, 1, 7, 1 << 20] {
        assert_eq!(stream_index(0, b), b);
        assert_eq!(stream_index(3, b), (3u64 << 32) + b);
    }
}

#[test]
fn a_portfolio_of_one_scenario_is_payback_simulate_bit_for_bit() {
    // The built-in default has 13 uncertain inputs (3 correlated), a drawn OpenAI hazard and
    // contracts with renewals: every part of the draw is exercised. Two blocks.
    let loaded = load("default", &[]);
    for (paths, sampling) in [
        (BLOCK_SIZE as u64 + 6, Sampling::MonteCarlo),
        (40, Sampling::LatinHypercube),
    ] {
        let c = cfg(paths, 11, sampling, 2);
        let plan = Plan::new(&loaded.scenario, &loaded.uncertainty, true).expect("plan");
        let single = payback_sim::simulate(&plan, &c, &mut NoProgress).expect("runs");
        let pp = PortfolioPlan::new(&[(entry("default"), loaded.clone())], &[], true)
            .expect("portfolio plan");
        assert!(pp.shared.is_empty(), "nothing is shared with one company");
        let port = sim::simulate(&pp, &c, &mut NoProgress).expect("runs");
        let company = &port.members[0].2;
        assert_eq!(
            no_fan(company.report()),
            no_fan(single.report()),
            "{paths} paths, {sampling:?}"
        );
        // The industry of one company is that company (its payback and NPV).
        let (a, b) = (port.members[1].2.report(), single.report());
        assert_eq!(a.by_year, b.by_year);
        assert_eq!(a.payback_p10_p50_p90, b.payback_p10_p50_p90);
        assert_eq!(a.outputs[0], b.outputs[0], "NPV");
        // Default events were drawn, and the portfolio counted them.
        let openai = port
            .shared_defaults
            .iter()
            .find(|(d, _)| d.counterparty == "openai")
            .expect("openai is a counterparty of the default");
        assert!(openai.1 <= paths);
    }
}

/// An overlay that makes OpenAI likely to default within the horizon.
fn fragile_openai() -> SourceFile {
    SourceFile::new(
        "fragile.toml",
        "[overlay]\nname = \"fragile\"\n[set]\n\"counterparties.openai.hazard\" = 0.3\n",
    )
}

fn openai_contracts(s: &Scenario) -> Vec<usize> {
    let Some(k) = s.counterparties.iter().position(|c| c.id == "openai") else {
        return Vec::new();
    };
    (0..s.contracts.len())
        .filter(|&i| s.contracts[i].counterparty == Some(k))
        .collect()
}

#[test]
fn a_labs_default_on_a_path_ends_its_contracts_in_every_company() {
    // Microsoft, Oracle and CoreWeave all contract with OpenAI; a shared driver too.
    let pu = portfolio_uncertainty(
        "portfolio.toml",
        "[portfolio]\nname = \"t\"\n\n[uncertainty]\n\"compute.market_margin\" = { dist = \"uniform\", min = 0.1, max = 0.4 }\n",
    )
    .expect("parses")
    .expect("has [uncertainty]");
    assert_eq!(pu.overlay.text.lines().count(), 5, "line numbers kept");
    let extra = [fragile_openai(), pu.overlay.clone()];
    let companies: Vec<(CompanyEntry, Loaded)> = ["microsoft", "oracle", "coreweave"]
        .iter()
        .map(|n| (entry(n), load(n, &extra)))
        .collect();
    let pp = PortfolioPlan::new(&companies, &pu.paths, true).expect("plan");
    let g = pp
        .shared_defaults
        .iter()
        .position(|d| d.counterparty == "openai")
        .expect("openai shared");
    assert_eq!(
        pp.shared_defaults[g].companies,
        ["microsoft", "oracle", "coreweave"]
    );
    assert_eq!(pp.shared.len(), 1);
    let margin = params::resolve(&pp.plans[0].base, "compute.market_margin").expect("path")[0];
    let c = cfg(300, 5, Sampling::MonteCarlo, 1);
    let draws = pp.draw_block(&c, 0, 300);
    let mut scen: Vec<Scenario> = pp.plans.iter().map(|p| p.base.clone()).collect();
    let (mut defaulted, mut cut) = (0, vec![0; 3]);
    for i in 0..300 {
        let d = pp.set_path(&draws, i, &mut scen);
        // One market margin for all three.
        let m0 = params::get(&scen[0], margin);
        for s in &scen[1..] {
            assert_eq!(params::get(s, margin).to_bits(), m0.to_bits(), "path {i}");
        }
        let dq: Option<Quarter> = d[g];
        defaulted += usize::from(dq.is_some());
        for (m, s) in scen.iter().enumerate() {
            let base = &pp.plans[m].base;
            let cp = s
                .counterparties
                .iter()
                .find(|c| c.id == "openai")
                .expect("declared");
            assert_eq!(cp.hazard, 0.0, "the event replaces the hazard");
            for c in openai_contracts(base) {
                let (b, p) = (&base.contracts[c], &s.contracts[c]);
                let full = (b.term_years * 4.0).round() as i32;
                match dq {
                    Some(q) if b.start.quarters_until(q) < full => {
                        // Cut at the same quarter in every company.
                        cut[m] += 1;
                        assert_eq!(p.renewal_prob, 0.0);
                        let served = b.start.quarters_until(q);
                        if served <= 0 {
                            assert_eq!(p.ref_accelerators, 0.0, "path {i}, {}", b.name);
                        } else {
                            assert_eq!(p.term_years * 4.0, f64::from(served), "path {i}");
                        }
                    }
                    Some(_) => {
                        assert_eq!(p.term_years, b.term_years);
                        assert_eq!(p.renewal_prob, 0.0, "a default cancels renewals");
                    }
                    None => assert_eq!(p.term_years, b.term_years, "path {i}"),
                }
            }
        }
    }
    assert!(defaulted > 30 && defaulted < 300, "{defaulted} defaults");
    assert!(
        cut.iter().all(|&k| k > 0),
        "every company lost contracts: {cut:?}"
    );
    // The same path inspected on its own gives the same edits.
    let alone = pp.replay(&c, 7).expect("path 7 of the run");
    assert_eq!(alone.defaults, pp.set_path(&draws, 7, &mut scen));
    assert_eq!(alone.scenarios[1].contracts, scen[1].contracts);
    assert!(pp.replay(&c, c.paths).is_none());
}

#[test]
fn company_specific_inputs_are_drawn_independently() {
    // The same path declared by one company only is not shared; declared by two, it is.
    let own = SourceFile::new(
        "own.toml",
        "[overlay]\nname = \"own\"\n[uncertainty]\n\"power.price_per_mwh\" = { dist = \"uniform\", min = 50, max = 100 }\n",
    );
    let a = (entry("meta"), load("meta", std::slice::from_ref(&own)));
    let b = (entry("oracle"), load("oracle", std::slice::from_ref(&own)));
    let c = (entry("coreweave"), load("coreweave", &[]));
    let pp = PortfolioPlan::new(&[a.clone(), c.clone()], &[], false).expect("plan");
    assert!(pp.shared.is_empty());
    let pp2 = PortfolioPlan::new(&[a, b, c], &[], false).expect("plan");
    assert_eq!(pp2.shared.len(), 1);
    assert_eq!(pp2.shared[0].from, "meta");
    assert_eq!(pp2.shared[0].companies, ["meta", "oracle"]);
    let cf = cfg(50, 1, Sampling::MonteCarlo, 1);
    let d = pp2.draw_block(&cf, 0, 50);
    assert_eq!(d[0].values, d[1].values, "shared: one draw per path");
    // Company 2 (no [uncertainty]) and a company-specific stream: draws of block 0 of
    // company 1 differ from company 0's before sharing overwrote them.
    let raw1 = pp2.plans[1].draw_block(1, stream_index(1, 0), 50, Sampling::MonteCarlo);
    assert_ne!(raw1.values, d[0].values);
}

fn two_metas() -> PortfolioPlan {
    let text = "[portfolio]\nname = \"t\"\n[uncertainty]\n\"compute.market_margin\" = { dist = \"pert\", min = 0.1, mode = 0.25, max = 0.4 }\n";
    let pu = portfolio_uncertainty("t.toml", text)
        .expect("parses")
        .expect("table");
    let own = SourceFile::new(
        "own.toml",
        "[overlay]\nname = \"own\"\n[uncertainty]\n\"power.price_per_mwh\" = { dist = \"uniform\", min = 50, max = 100 }\n",
    );
    let a = load("meta", &[own, pu.overlay.clone()]);
    let b = load("meta", std::slice::from_ref(&pu.overlay));
    PortfolioPlan::new(
        &[(entry("meta-a"), a), (entry("meta-b"), b)],
        &pu.paths,
        true,
    )
    .expect("plan")
}

#[test]
fn results_do_not_depend_on_the_thread_count() {
    // Three blocks (the second parallel chunk holds two) of the cheapest company, twice.
    let pp = two_metas();
    let run = |threads| {
        let c = cfg(
            2 * BLOCK_SIZE as u64 + 5,
            9,
            Sampling::LatinHypercube,
            threads,
        );
        sim::simulate(&pp, &c, &mut NoProgress)
            .expect("runs")
            .report()
    };
    let (one, two) = (run(1), run(2));
    assert_eq!(one.members[2].report.paths, 2 * BLOCK_SIZE as u64 + 5);
    assert!(one == two, "1 and 2 threads differ");
}

/// Renewal draws land on the right contracts when they differ: with the first contract's
/// renewal certain and the second's drawn, a portfolio of one scenario still equals the
/// single scenario's run, bit for bit.
#[test]
fn renewals_apply_to_the_contracts_drawn_when_some_are_certain() {
    let mut loaded = load("default", &[]);
    loaded.scenario.contracts[0].renewal_prob = 1.0;
    assert!(loaded.scenario.contracts[1].renewal_prob > 0.0);
    assert!(loaded.scenario.contracts[1].renewal_prob < 1.0);
    let c = cfg(300, 5, Sampling::MonteCarlo, 2);
    let plan = Plan::new(&loaded.scenario, &loaded.uncertainty, true).expect("plan");
    let single = payback_sim::simulate(&plan, &c, &mut NoProgress).expect("runs");
    let pp = PortfolioPlan::new(&[(entry("default"), loaded.clone())], &[], true).expect("plan");
    let port = sim::simulate(&pp, &c, &mut NoProgress).expect("runs");
    assert_eq!(no_fan(port.members[0].2.report()), no_fan(single.report()));
}
