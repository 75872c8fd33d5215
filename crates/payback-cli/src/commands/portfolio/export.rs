//! `payback run portfolio.toml --format csv|json`: a portfolio as tidy CSV or one JSON document
//! (layout in `docs/formats.md`, "Portfolio run").
//!
//! Each company is written exactly as a single run of its scenario writes it (the same code:
//! [`tidy::write_run`] and [`json::run_entries`]), under its id; the portfolio only adds the
//! industry, the labs and the cross-checks after the companies.

use std::io::{self, Write};

use payback_model::projection::RevenueMix;
use payback_portfolio::{Aggregate, CompanyRun, CrossCheckYear, LabView, Portfolio};
use payback_report::fmt::plain;
use payback_report::json::{
    self, Engine, NamedJson, Num, SummaryJson, UnitValues, UnitsJson, nums,
};
use payback_report::summary::{self, Metric, Value};
use payback_report::{Inputs, Run, tidy};
use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

use crate::error::CommandError;

/// The `schema` of the JSON document; the number changes when a field changes meaning or goes.
pub const SCHEMA: &str = "payback-portfolio/1";

/// `scenario` of the industry's rows.
const INDUSTRY: &str = "industry";
/// `scenario` of the cross-check rows.
const CROSS_CHECK: &str = "cross_check";

/// Each company's input warnings as text, in company order (what a single run reports).
fn input_warnings(p: &Portfolio) -> Vec<Vec<String>> {
    p.companies
        .iter()
        .map(|c| c.loaded.warnings.iter().map(ToString::to_string).collect())
        .collect()
}

/// The company as the report renderers take a run, labelled `label`.
fn run_of<'a>(c: &'a CompanyRun, label: &'a str, warnings: &'a [String]) -> Run<'a> {
    Run {
        label,
        settings: &c.loaded.scenario.scenario,
        overlays: &c.loaded.overlay_names,
        projection: &c.projection,
        input_warnings: warnings,
    }
}

/// The industry's quarterly series: name, unit, values (one per quarter of `a.quarters`).
fn industry_series(a: &Aggregate) -> [(&'static str, &'static str, &[f64]); 10] {
    [
        ("fcf", "USD", &a.fcf),
        ("fcf_cumulative", "USD", &a.fcf_cumulative),
        ("revenue", "USD", &a.revenue),
        ("revenue_intercompany", "USD", &a.revenue_intercompany),
        ("revenue_end_customer", "USD", &a.revenue_end_customer),
        ("revenue_circular", "USD", &a.revenue_circular),
        ("capex", "USD", &a.capex),
        ("capex_accelerators", "USD", &a.capex_accelerators),
        ("rpo", "USD", &a.rpo),
        ("levered_fcf", "USD", &a.levered_fcf),
    ]
}

/// The industry's headline figures, named as a single run's summary metrics where they mean
/// the same thing.
fn industry_metrics(p: &Portfolio) -> Vec<Metric> {
    let a = &p.aggregate;
    let mut out = Vec::new();
    let push = |out: &mut Vec<Metric>, key, unit, value| out.push(Metric { key, unit, value });
    let num = |x: f64| Value::Num(Some(x));
    summary::payback(
        &mut out,
        summary::PAYBACK_KEYS,
        &a.payback,
        a.payback_quarter,
    );
    push(&mut out, "npv_sum", "USD", num(a.npv_sum));
    summary::irr(&mut out, ["irr", "irr_multiple", "irr_roots"], &a.irr);
    for (keys, d) in [
        (["peak_funding", "peak_funding_quarter"], a.peak_funding),
        (["peak_rpo", "peak_rpo_quarter"], a.peak_rpo),
    ] {
        summary::dated(&mut out, keys, d.map(|d| d.value), d.map(|d| d.quarter));
    }
    let mixes = || {
        p.companies
            .iter()
            .map(|c| &c.projection.summary.revenue_mix)
    };
    // Each part of the revenue mix summed over the companies; tiers by name, in order of
    // first appearance.
    type Part = fn(&RevenueMix) -> f64;
    let parts = |out: &mut Vec<Metric>, parts: &[(&'static str, Part)]| {
        for &(key, part) in parts {
            push(out, key, "USD", num(mixes().map(part).sum()));
        }
    };
    parts(
        &mut out,
        &[
            ("revenue_contracts", |m| m.contracts),
            ("revenue_pipeline", |m| m.pipeline),
        ],
    );
    let mut tiers: Vec<(String, f64)> = Vec::new();
    for (name, v) in mixes().flat_map(|m| &m.tiers) {
        match tiers.iter_mut().find(|(n, _)| n == name) {
            Some((_, acc)) => *acc += v,
            None => tiers.push((name.clone(), *v)),
        }
    }
    push(&mut out, "revenue_tiers", "USD", Value::Named(tiers));
    parts(
        &mut out,
        &[
            ("revenue_inference", |m| m.inference),
            ("revenue_agents", |m| m.agents),
            ("revenue_forfeited", |m| m.forfeited),
        ],
    );
    push(
        &mut out,
        "revenue_total",
        "USD",
        num(a.revenue.iter().sum()),
    );
    push(
        &mut out,
        "revenue_intercompany_total",
        "USD",
        num(a.revenue_intercompany.iter().sum()),
    );
    push(
        &mut out,
        "revenue_end_customer_total",
        "USD",
        num(a.revenue_end_customer.iter().sum()),
    );
    push(
        &mut out,
        "circular_share",
        "ratio",
        Value::Num(a.circular_share),
    );
    push(
        &mut out,
        "intercompany_share",
        "ratio",
        Value::Num(a.intercompany_share),
    );
    push(&mut out, "capex_total", "USD", num(a.capex.iter().sum()));
    out
}

/// The inputs of the cross-checks, as summary metrics of the `cross_check` rows.
fn cross_check_inputs(p: &Portfolio) -> Vec<Metric> {
    let c = &p.file.cross_check;
    let m = |key, unit, x: f64| Metric {
        key,
        unit,
        value: Value::Num(Some(x)),
    };
    vec![
        m("gpu_share", "ratio", c.gpu_share),
        m("roic_life_years", "years", c.roic_life_years),
        m("roic_margin", "ratio", c.roic_margin),
        m("roic_target", "ratio", c.roic_target),
    ]
}

/// Model revenue over Sequoia's revenue needed; `None` when nothing is needed.
fn model_to_sequoia(y: &CrossCheckYear) -> Option<f64> {
    (y.sequoia_needed > 0.0).then(|| y.model_revenue / y.sequoia_needed)
}

/// What a lab pays the modelled companies as a share of its revenue, when that is given.
fn paid_share(paid: f64, revenue: Option<f64>) -> Option<f64> {
    revenue.filter(|r| *r > 0.0).map(|r| paid / r)
}

/// A company id that is also the `scenario` of the portfolio's own rows would mix them in CSV.
pub(crate) fn check_ids(p: &Portfolio) -> Result<(), CommandError> {
    match p
        .companies
        .iter()
        .find(|c| c.id == INDUSTRY || c.id == CROSS_CHECK || c.id.starts_with("lab:"))
    {
        Some(c) => Err(CommandError::input(format!(
            "company id `{}` is reserved in the CSV of a portfolio (`industry`, `cross_check` and \
             `lab:...` name the portfolio's own rows)",
            c.id
        ))
        .hint("give the company another `id` in the portfolio file")),
        None => Ok(()),
    }
}

/// Write the portfolio as one tidy CSV table (`scenario,period,metric,unit,value`).
pub(crate) fn csv(out: &mut dyn Write, p: &Portfolio) -> io::Result<()> {
    tidy::write_row(out, &tidy::HEADER)?;
    let warnings = input_warnings(p);
    for (c, w) in p.companies.iter().zip(&warnings) {
        tidy::write_run(out, &run_of(c, &c.id, w))?;
    }

    // The industry: headline figures, then every quarterly series, then the inter-company
    // revenue of each company.
    let a = &p.aggregate;
    tidy::write_metrics(out, INDUSTRY, "summary", &industry_metrics(p))?;
    let quarters: Vec<String> = a.quarters.iter().map(ToString::to_string).collect();
    for (name, unit, values) in industry_series(a) {
        for (q, v) in quarters.iter().zip(values) {
            tidy::write_row(out, &[INDUSTRY, q, name, unit, &plain(Some(*v))])?;
        }
    }
    for c in &p.companies {
        let name = format!("revenue_intercompany.{}", c.id);
        for (q, v) in c.projection.quarters.iter().zip(&c.revenue_intercompany) {
            let q = q.to_string();
            tidy::write_row(out, &[INDUSTRY, &q, &name, "USD", &plain(Some(*v))])?;
        }
    }

    // The cross-checks: their inputs, then year by year.
    tidy::write_metrics(out, CROSS_CHECK, "summary", &cross_check_inputs(p))?;
    for y in &p.cross_check {
        let year = y.year.to_string();
        let row = |out: &mut dyn Write, metric: &str, unit: &str, v: Option<f64>| {
            tidy::write_row(out, &[CROSS_CHECK, &year, metric, unit, &plain(v)])
        };
        row(out, "ai_capex", "USD", Some(y.ai_capex))?;
        row(out, "accelerator_spend", "USD", Some(y.accelerator_spend))?;
        row(out, "sequoia_needed", "USD", Some(y.sequoia_needed))?;
        row(out, "roic_capital", "USD", y.roic.map(|r| r.capital))?;
        row(
            out,
            "roic_depreciation",
            "USD",
            y.roic.map(|r| r.depreciation),
        )?;
        row(
            out,
            "roic_revenue_to_cover_depreciation",
            "USD",
            y.roic.map(|r| r.revenue_to_cover_depreciation),
        )?;
        row(
            out,
            "roic_revenue_for_target",
            "USD",
            y.roic.map(|r| r.revenue_for_target),
        )?;
        row(out, "model_revenue", "USD", Some(y.model_revenue))?;
        row(
            out,
            "model_end_customer_revenue",
            "USD",
            Some(y.model_end_customer_revenue),
        )?;
        row(out, "model_to_sequoia", "x", model_to_sequoia(y))?;
    }

    // The labs.
    for lab in &p.labs {
        let scenario = format!("lab:{}", lab.id);
        let row = |out: &mut dyn Write, period: &str, metric: &str, unit: &str, v: Option<f64>| {
            tidy::write_row(out, &[&scenario, period, metric, unit, &plain(v)])
        };
        for (company, v) in &lab.commitments {
            row(
                out,
                "summary",
                &format!("commitments.{company}"),
                "USD",
                Some(*v),
            )?;
        }
        row(
            out,
            "summary",
            "commitments_total",
            "USD",
            Some(lab.commitments_total),
        )?;
        for (year, paid, revenue) in &lab.by_year {
            let year = year.to_string();
            row(out, &year, "paid", "USD", Some(*paid))?;
            if revenue.is_some() {
                row(out, &year, "revenue", "USD", *revenue)?;
                row(
                    out,
                    &year,
                    "paid_share_of_revenue",
                    "ratio",
                    paid_share(*paid, *revenue),
                )?;
            }
        }
    }
    Ok(())
}

/// Write the portfolio as one JSON document, pretty-printed, with a final newline.
/// `monte_carlo_path`, when given, is a replayed path's draws (`payback simulate --replay`).
pub(crate) fn json(
    out: &mut dyn Write,
    inputs: &Inputs,
    p: &Portfolio,
    monte_carlo_path: Option<&serde_json::Value>,
) -> io::Result<()> {
    let warnings = input_warnings(p);
    let doc = Document {
        schema: SCHEMA,
        engine: Engine::CURRENT,
        portfolio: PortfolioJson(p),
        manifest: inputs,
        companies: p
            .companies
            .iter()
            .zip(&warnings)
            .map(|(c, w)| CompanyJson {
                company: c,
                run: run_of(c, &c.label, w),
            })
            .collect(),
        industry: IndustryJson(p),
        labs: p.labs.iter().map(|l| LabJson(p, l)).collect(),
        cross_check: p.cross_check.iter().map(CrossCheckJson).collect(),
        monte_carlo_path,
    };
    serde_json::to_writer_pretty(&mut *out, &doc).map_err(io::Error::from)?;
    out.write_all(b"\n")
}

#[derive(Serialize)]
struct Document<'a> {
    schema: &'static str,
    engine: Engine,
    portfolio: PortfolioJson<'a>,
    manifest: &'a Inputs,
    companies: Vec<CompanyJson<'a>>,
    industry: IndustryJson<'a>,
    labs: Vec<LabJson<'a>>,
    cross_check: Vec<CrossCheckJson<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    monte_carlo_path: Option<&'a serde_json::Value>,
}

/// The file's name, description and cross-check inputs.
struct PortfolioJson<'a>(&'a Portfolio);

impl Serialize for PortfolioJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let f = &self.0.file;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("name", &f.name)?;
        m.serialize_entry("description", &f.description)?;
        let inputs = cross_check_inputs(self.0);
        m.serialize_entry("cross_check_inputs", &SummaryJson(&inputs))?;
        m.end()
    }
}

/// A company: its id, then the run object of a single run (with the company's label), then the
/// counterparty of each contract and the inter-company revenue.
struct CompanyJson<'a> {
    company: &'a CompanyRun,
    run: Run<'a>,
}

impl Serialize for CompanyJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let c = self.company;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("id", &c.id)?;
        json::run_entries(&mut m, &self.run)?;
        m.serialize_entry("contract_counterparties", &c.contract_counterparties)?;
        m.serialize_entry(
            "revenue_intercompany",
            &UnitValues {
                unit: "USD",
                values: nums(&c.revenue_intercompany),
            },
        )?;
        m.end()
    }
}

struct IndustryJson<'a>(&'a Portfolio);

impl Serialize for IndustryJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let a = &self.0.aggregate;
        let metrics = industry_metrics(self.0);
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("summary", &SummaryJson(&metrics))?;
        m.serialize_entry("summary_units", &UnitsJson(&metrics))?;
        let quarters: Vec<String> = a.quarters.iter().map(ToString::to_string).collect();
        m.serialize_entry("quarters", &quarters)?;
        m.serialize_entry("series", &IndustrySeries(a))?;
        m.end()
    }
}

struct IndustrySeries<'a>(&'a Aggregate);

impl Serialize for IndustrySeries<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        for (name, unit, values) in industry_series(self.0) {
            m.serialize_entry(
                name,
                &UnitValues {
                    unit,
                    values: nums(values),
                },
            )?;
        }
        m.end()
    }
}

struct LabJson<'a>(&'a Portfolio, &'a LabView);

impl Serialize for LabJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let LabJson(p, lab) = self;
        let given = p.file.labs.iter().find(|l| l.id == lab.id);
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("id", &lab.id)?;
        m.serialize_entry("name", &lab.name)?;
        m.serialize_entry("commitments", &NamedJson(&lab.commitments))?;
        m.serialize_entry("commitments_total", &Num(Some(lab.commitments_total)))?;
        let by_year: Vec<LabYearJson<'_>> = lab
            .by_year
            .iter()
            .map(|&(year, paid, revenue)| {
                let input = given.and_then(|l| l.revenue.iter().find(|r| r.year == year));
                LabYearJson {
                    year,
                    paid: Num(Some(paid)),
                    revenue: Num(revenue),
                    paid_share_of_revenue: Num(paid_share(paid, revenue)),
                    revenue_kind: input.map(|r| r.kind.as_str()),
                    revenue_source: input.and_then(|r| r.source.as_deref()),
                }
            })
            .collect();
        m.serialize_entry("by_year", &by_year)?;
        m.end()
    }
}

#[derive(Serialize)]
struct LabYearJson<'a> {
    year: i32,
    paid: Num,
    revenue: Num,
    paid_share_of_revenue: Num,
    revenue_kind: Option<&'a str>,
    revenue_source: Option<&'a str>,
}

struct CrossCheckJson<'a>(&'a CrossCheckYear);

impl Serialize for CrossCheckJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let y = self.0;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("year", &y.year)?;
        m.serialize_entry("ai_capex", &Num(Some(y.ai_capex)))?;
        m.serialize_entry("accelerator_spend", &Num(Some(y.accelerator_spend)))?;
        m.serialize_entry("sequoia_needed", &Num(Some(y.sequoia_needed)))?;
        let roic = y.roic.map(|r| RoicJson {
            capital: Num(Some(r.capital)),
            depreciation: Num(Some(r.depreciation)),
            revenue_to_cover_depreciation: Num(Some(r.revenue_to_cover_depreciation)),
            revenue_for_target: Num(Some(r.revenue_for_target)),
        });
        m.serialize_entry("roic", &roic)?;
        m.serialize_entry("model_revenue", &Num(Some(y.model_revenue)))?;
        m.serialize_entry(
            "model_end_customer_revenue",
            &Num(Some(y.model_end_customer_revenue)),
        )?;
        m.serialize_entry("model_to_sequoia", &Num(model_to_sequoia(y)))?;
        m.end()
    }
}

#[derive(Serialize)]
struct RoicJson {
    capital: Num,
    depreciation: Num,
    revenue_to_cover_depreciation: Num,
    revenue_for_target: Num,
}
