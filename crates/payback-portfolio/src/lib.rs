//! Portfolios of company scenarios: which pays back first, and does the industry as a whole?
//!
//! A portfolio file ([`mod@file`]) lists company scenarios with their overlays, the frontier labs
//! whose commitments are summed, and the inputs of the top-down cross-checks. [`run`] loads and
//! projects every company (the caller supplies the files: this crate reads nothing itself),
//! then builds the industry [`Aggregate`]:
//!
//! - aggregate FCF = the sum of the companies' FCF, quarter by quarter (the model has no
//!   purchased-compute cost line, so nothing is netted);
//! - end-customer revenue = total revenue - revenue from contracts whose counterparty is
//!   another modelled company (a revenue view: one company's sale to another is not industry
//!   revenue);
//! - the circular share of the aggregate = circular revenue / total revenue;
//! - per lab, its commitments across the portfolio beside its own revenue ([`LabView`]);
//! - year by year, Sequoia's and the target-ROIC revenue needed against the model's AI revenue
//!   ([`crosscheck`]).
//!
//! Companies are aligned by calendar quarter on the union of their horizons; a company
//! contributes zero outside its own.

use std::collections::BTreeMap;

use payback_input::{Loaded, SourceFile};
use payback_model::finance::{self, IrrResult, Payback};
use payback_model::projection::Dated;
use payback_model::{Projection, Quarter};

pub mod crosscheck;
pub mod file;
pub mod sim;

pub use crosscheck::{CrossCheckYear, RoicCheck, sequoia_revenue_needed, target_roic};
pub use file::{
    CompanyEntry, CrossCheckInputs, Lab, LabRevenue, PortfolioFile, is_portfolio, parse,
};

/// What a name in the portfolio file refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// A scenario.
    Scenario,
    /// An overlay.
    Overlay,
}

/// Why a portfolio could not be run.
#[derive(Debug, Clone, PartialEq)]
pub enum PortfolioError {
    /// A scenario or overlay could not be found or read (the resolver's message).
    Resolve {
        /// The company's id.
        company: String,
        /// The resolver's message.
        message: String,
    },
    /// A company's scenario did not load.
    Load {
        /// The company's id.
        company: String,
        /// The files, scenario first (for rendering the diagnostics).
        files: Vec<SourceFile>,
        /// Every diagnostic.
        diagnostics: Vec<payback_input::Diagnostic>,
    },
}

impl std::fmt::Display for PortfolioError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PortfolioError::Resolve { company, message } => {
                write!(f, "company `{company}`: {message}")
            }
            PortfolioError::Load {
                company,
                diagnostics,
                ..
            } => {
                write!(f, "company `{company}`: the scenario does not load")?;
                for d in diagnostics {
                    write!(f, "\n  {d}")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for PortfolioError {}

/// One company, loaded and projected.
#[derive(Debug, Clone)]
pub struct CompanyRun {
    /// Id from the portfolio file.
    pub id: String,
    /// Column label.
    pub label: String,
    /// The loaded scenario (parameters, provenance, warnings).
    pub loaded: Loaded,
    /// Its projection.
    pub projection: Projection,
    /// Per named contract (same order as `projection.contracts`): the counterparty's id.
    pub contract_counterparties: Vec<Option<String>>,
    /// Per quarter of its own projection: revenue from contracts whose counterparty is another
    /// company of the portfolio.
    pub revenue_intercompany: Vec<f64>,
}

/// The industry: every company summed by calendar quarter.
#[derive(Debug, Clone, PartialEq)]
pub struct Aggregate {
    /// The union of the companies' quarters, in order.
    pub quarters: Vec<Quarter>,
    /// Sum of the companies' FCF.
    pub fcf: Vec<f64>,
    /// Cumulative aggregate FCF.
    pub fcf_cumulative: Vec<f64>,
    /// Sum of the companies' revenue.
    pub revenue: Vec<f64>,
    /// Revenue one modelled company earns from another.
    pub revenue_intercompany: Vec<f64>,
    /// `revenue - revenue_intercompany`: what end customers pay.
    pub revenue_end_customer: Vec<f64>,
    /// Sum of the companies' circular revenue.
    pub revenue_circular: Vec<f64>,
    /// Sum of the companies' capex (AI share).
    pub capex: Vec<f64>,
    /// Sum of the companies' accelerator capex.
    pub capex_accelerators: Vec<f64>,
    /// Sum of the companies' RPO.
    pub rpo: Vec<f64>,
    /// Sum of the companies' levered FCF (equal to `fcf` for unlevered companies).
    pub levered_fcf: Vec<f64>,
    /// Programme payback of the aggregate FCF.
    pub payback: Payback,
    /// Quarter of that payback, when reached.
    pub payback_quarter: Option<Quarter>,
    /// Sum of the companies' NPVs (each at its own discount rate).
    pub npv_sum: f64,
    /// Annual IRR of the aggregate FCF.
    pub irr: IrrResult,
    /// Minus the lowest cumulative aggregate FCF (0 if never negative), and when.
    pub peak_funding: Option<Dated>,
    /// Highest aggregate RPO, and when.
    pub peak_rpo: Option<Dated>,
    /// Circular revenue / revenue over the horizon; `None` without revenue.
    pub circular_share: Option<f64>,
    /// Inter-company revenue / revenue over the horizon; `None` without revenue.
    pub intercompany_share: Option<f64>,
}

/// One lab across the portfolio: what it committed to the modelled companies, and its revenue.
#[derive(Debug, Clone, PartialEq)]
pub struct LabView {
    /// Counterparty id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Per company (id, committed minimum of its contracts with the lab, first terms).
    pub commitments: Vec<(String, f64)>,
    /// Sum of `commitments`.
    pub commitments_total: f64,
    /// Per calendar year: (year, what the lab pays the modelled companies, its revenue if
    /// given in the portfolio file).
    pub by_year: Vec<(i32, f64, Option<f64>)>,
}

/// A portfolio run.
#[derive(Debug, Clone)]
pub struct Portfolio {
    /// The file as parsed.
    pub file: PortfolioFile,
    /// Companies in file order.
    pub companies: Vec<CompanyRun>,
    /// The industry.
    pub aggregate: Aggregate,
    /// Labs: those listed in the file, then any other counterparty id used by two or more
    /// companies.
    pub labs: Vec<LabView>,
    /// The top-down cross-check, one row per calendar year of the aggregate.
    pub cross_check: Vec<CrossCheckYear>,
}

/// Load and project every company, then aggregate.
///
/// `resolve(name, kind)` turns a scenario or overlay name from the file into its text (a
/// built-in or a file the caller reads); its error message is reported as is.
pub fn run(
    file: &PortfolioFile,
    resolve: &mut dyn FnMut(&str, FileKind) -> Result<SourceFile, String>,
) -> Result<Portfolio, PortfolioError> {
    let loaded = sim::load_companies(file, None, resolve)?;
    Ok(from_loaded(
        file,
        loaded.into_iter().map(|(_, l)| l).collect(),
    ))
}

/// Project every company's loaded scenario (`loaded`, one per company in file order), then
/// aggregate: what [`run`] does once the files are loaded, and what a Monte Carlo path's replay
/// does with the scenarios the path set up.
pub fn from_loaded(file: &PortfolioFile, loaded: Vec<Loaded>) -> Portfolio {
    let ids: Vec<&str> = file.companies.iter().map(|c| c.id.as_str()).collect();
    let runs: Vec<CompanyRun> = file
        .companies
        .iter()
        .zip(loaded)
        .map(|(c, loaded)| {
            let projection = payback_model::project(&loaded.scenario);
            company_run(c, loaded, projection, &ids)
        })
        .collect();
    assemble(file.clone(), runs)
}

/// Build a [`CompanyRun`]: counterparty ids per contract and the inter-company revenue.
fn company_run(
    c: &CompanyEntry,
    loaded: Loaded,
    projection: Projection,
    ids: &[&str],
) -> CompanyRun {
    let sc = &loaded.scenario;
    let contract_counterparties: Vec<Option<String>> = projection
        .contracts
        .iter()
        .map(|cs| {
            sc.contracts
                .iter()
                .find(|k| k.name == cs.name)
                .and_then(|k| k.counterparty)
                .and_then(|i| sc.counterparties.get(i))
                .map(|cp| cp.id.clone())
        })
        .collect();
    let n = projection.quarters.len();
    let mut revenue_intercompany = vec![0.0; n];
    for (cs, cp) in projection.contracts.iter().zip(&contract_counterparties) {
        let other_company = cp
            .as_deref()
            .is_some_and(|id| id != c.id && ids.contains(&id));
        if other_company {
            for (acc, v) in revenue_intercompany.iter_mut().zip(&cs.revenue) {
                *acc += v;
            }
        }
    }
    CompanyRun {
        id: c.id.clone(),
        label: c.label.clone(),
        loaded,
        projection,
        contract_counterparties,
        revenue_intercompany,
    }
}

/// Sum a series of every company onto the union of quarters.
fn sum_series(
    runs: &[CompanyRun],
    index: &BTreeMap<Quarter, usize>,
    n: usize,
    get: impl Fn(&CompanyRun) -> &[f64],
) -> Vec<f64> {
    let mut out = vec![0.0; n];
    for r in runs {
        for (q, v) in r.projection.quarters.iter().zip(get(r)) {
            if let Some(&i) = index.get(q) {
                out[i] += v;
            }
        }
    }
    out
}

fn ratio(num: f64, den: f64) -> Option<f64> {
    (den != 0.0 && den.is_finite() && num.is_finite()).then(|| num / den)
}

fn assemble(file: PortfolioFile, runs: Vec<CompanyRun>) -> Portfolio {
    let mut all: Vec<Quarter> = runs
        .iter()
        .flat_map(|r| r.projection.quarters.iter().copied())
        .collect();
    all.sort();
    all.dedup();
    let index: BTreeMap<Quarter, usize> = all.iter().enumerate().map(|(i, q)| (*q, i)).collect();
    let n = all.len();
    let fcf = sum_series(&runs, &index, n, |r| &r.projection.q.fcf);
    let revenue = sum_series(&runs, &index, n, |r| &r.projection.q.revenue);
    let revenue_intercompany = sum_series(&runs, &index, n, |r| &r.revenue_intercompany);
    let revenue_end_customer: Vec<f64> = revenue
        .iter()
        .zip(&revenue_intercompany)
        .map(|(t, i)| t - i)
        .collect();
    let revenue_circular = sum_series(&runs, &index, n, |r| &r.projection.q.revenue_circular);
    let capex = sum_series(&runs, &index, n, |r| &r.projection.q.capex);
    let capex_accelerators = sum_series(&runs, &index, n, |r| &r.projection.q.capex_accelerators);
    let rpo = sum_series(&runs, &index, n, |r| &r.projection.q.rpo);
    let levered_fcf = {
        let mut out = vec![0.0; n];
        for r in &runs {
            // A company without debt has no levered series of its own: its FCF is levered FCF.
            let src = if r.projection.summary.debt.is_some() {
                &r.projection.q.levered_fcf
            } else {
                &r.projection.q.fcf
            };
            for (q, v) in r.projection.quarters.iter().zip(src) {
                if let Some(&i) = index.get(q) {
                    out[i] += v;
                }
            }
        }
        out
    };
    let mut fcf_cumulative = Vec::with_capacity(n);
    let mut acc = 0.0;
    for v in &fcf {
        acc += v;
        fcf_cumulative.push(acc);
    }
    let payback = finance::payback(&fcf);
    let payback_quarter = match payback {
        Payback::Reached { period, .. } => all.get(period).copied(),
        _ => None,
    };
    let peak_funding = fcf_cumulative
        .iter()
        .enumerate()
        .min_by(|a, b| a.1.total_cmp(b.1))
        .map(|(i, v)| Dated {
            value: (-v).max(0.0),
            quarter: all[i],
        });
    let peak_rpo = rpo
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.total_cmp(b.1))
        .map(|(i, v)| Dated {
            value: *v,
            quarter: all[i],
        });
    let total_rev: f64 = revenue.iter().sum();
    let aggregate = Aggregate {
        npv_sum: runs.iter().map(|r| r.projection.summary.npv).sum(),
        irr: finance::irr_quarterly_annualised(&fcf),
        circular_share: ratio(revenue_circular.iter().sum(), total_rev),
        intercompany_share: ratio(revenue_intercompany.iter().sum(), total_rev),
        quarters: all,
        fcf,
        fcf_cumulative,
        revenue,
        revenue_intercompany,
        revenue_end_customer,
        revenue_circular,
        capex,
        capex_accelerators,
        rpo,
        levered_fcf,
        payback,
        payback_quarter,
        peak_funding,
        peak_rpo,
    };
    let labs = lab_views(&file, &runs);
    let cross_check = cross_check(&file.cross_check, &aggregate);
    Portfolio {
        file,
        companies: runs,
        aggregate,
        labs,
        cross_check,
    }
}

/// Calendar years of the aggregate, with a per-year sum of `values`.
fn by_year(quarters: &[Quarter], values: &[f64]) -> BTreeMap<i32, f64> {
    let mut out = BTreeMap::new();
    for (q, v) in quarters.iter().zip(values) {
        *out.entry(q.year()).or_insert(0.0) += v;
    }
    out
}

fn lab_views(file: &PortfolioFile, runs: &[CompanyRun]) -> Vec<LabView> {
    // Labs listed in the file first, then any other counterparty id used by two companies.
    let mut order: Vec<(String, String)> = file
        .labs
        .iter()
        .map(|l| (l.id.clone(), l.name.clone()))
        .collect();
    let company_ids: Vec<&str> = runs.iter().map(|r| r.id.as_str()).collect();
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for r in runs {
        let mut ids: Vec<&String> = r.contract_counterparties.iter().flatten().collect();
        ids.sort();
        ids.dedup();
        for id in ids {
            *seen.entry(id.clone()).or_insert(0) += 1;
        }
    }
    for (id, count) in &seen {
        let listed = order.iter().any(|(l, _)| l == id);
        if !listed && *count >= 2 && !company_ids.contains(&id.as_str()) {
            order.push((id.clone(), id.clone()));
        }
    }
    order
        .into_iter()
        .map(|(id, name)| {
            let mut commitments = Vec::new();
            let mut paid: BTreeMap<i32, f64> = BTreeMap::new();
            for r in runs {
                let mut total = 0.0;
                let mut any = false;
                for (cs, cp) in r
                    .projection
                    .contracts
                    .iter()
                    .zip(&r.contract_counterparties)
                {
                    if cp.as_deref() == Some(id.as_str()) {
                        any = true;
                        total += cs.minimum;
                        for (q, v) in r.projection.quarters.iter().zip(&cs.revenue) {
                            *paid.entry(q.year()).or_insert(0.0) += v;
                        }
                    }
                }
                if any {
                    commitments.push((r.id.clone(), total));
                }
            }
            let revenue: BTreeMap<i32, f64> = file
                .labs
                .iter()
                .find(|l| l.id == id)
                .map(|l| l.revenue.iter().map(|r| (r.year, r.value)).collect())
                .unwrap_or_default();
            let mut years: Vec<i32> = paid.keys().chain(revenue.keys()).copied().collect();
            years.sort_unstable();
            years.dedup();
            let by_year = years
                .into_iter()
                .map(|y| {
                    (
                        y,
                        paid.get(&y).copied().unwrap_or(0.0),
                        revenue.get(&y).copied(),
                    )
                })
                .collect();
            LabView {
                commitments_total: commitments.iter().map(|(_, v)| v).sum(),
                id,
                name,
                commitments,
                by_year,
            }
        })
        .collect()
}

fn cross_check(inputs: &CrossCheckInputs, a: &Aggregate) -> Vec<CrossCheckYear> {
    let capex = by_year(&a.quarters, &a.capex);
    let revenue = by_year(&a.quarters, &a.revenue);
    let end = by_year(&a.quarters, &a.revenue_end_customer);
    // Trailing window of whole years for the invested capital (at least one year).
    let window = inputs.roic_life_years.ceil().clamp(1.0, 100.0) as i32;
    capex
        .iter()
        .map(|(&year, &ai_capex)| {
            let capital: f64 = capex.range(year - window + 1..=year).map(|(_, v)| v).sum();
            let accelerator_spend = inputs.gpu_share * ai_capex;
            CrossCheckYear {
                year,
                ai_capex,
                accelerator_spend,
                sequoia_needed: sequoia_revenue_needed(accelerator_spend),
                roic: target_roic(
                    capital,
                    inputs.roic_life_years,
                    inputs.roic_margin,
                    inputs.roic_target,
                ),
                model_revenue: revenue.get(&year).copied().unwrap_or(0.0),
                model_end_customer_revenue: end.get(&year).copied().unwrap_or(0.0),
            }
        })
        .collect()
}
