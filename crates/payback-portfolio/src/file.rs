//! The portfolio file: which company scenarios (and overlays) to run together, the labs whose
//! commitments are summed, and the inputs of the top-down cross-checks.
//!
//! ```toml
//! [portfolio]
//! name = "Big Tech AI build-out"
//!
//! [cross_check]
//! gpu_share = 0.5          # Sequoia: GPUs are half of data-centre TCO
//! roic_life_years = 10     # Kupperman
//! roic_margin = 0.25
//! roic_target = 0.20
//!
//! [[companies]]
//! id = "microsoft"
//! scenario = "microsoft"                 # a built-in name or a path (relative to this file)
//! overlays = ["microsoft-bull"]
//!
//! [[labs]]
//! id = "openai"
//! name = "OpenAI"
//! revenue = [ { year = 2025, value = 13.1e9, kind = "reported", source = "https://…" } ]
//! ```

use std::collections::BTreeSet;

use serde::Deserialize;

/// A parsed and checked portfolio file.
#[derive(Debug, Clone, PartialEq)]
pub struct PortfolioFile {
    /// Display name.
    pub name: String,
    /// One line on what it is.
    pub description: Option<String>,
    /// Companies, in file order (at least one; ids unique).
    pub companies: Vec<CompanyEntry>,
    /// Frontier labs whose commitments are summed across the portfolio.
    pub labs: Vec<Lab>,
    /// Inputs of the top-down cross-checks.
    pub cross_check: CrossCheckInputs,
}

/// One company: a scenario and its overlays.
#[derive(Debug, Clone, PartialEq)]
pub struct CompanyEntry {
    /// Stable id (`microsoft`): contracts whose counterparty has this id are inter-company.
    pub id: String,
    /// Column label (default: the id).
    pub label: String,
    /// Scenario: a built-in name or a path.
    pub scenario: String,
    /// Overlays in order: built-in names or paths.
    pub overlays: Vec<String>,
}

/// A frontier lab: its id as used by the scenarios' counterparties, and its revenue.
#[derive(Debug, Clone, PartialEq)]
pub struct Lab {
    /// Counterparty id (`openai`).
    pub id: String,
    /// Display name.
    pub name: String,
    /// Annual revenue by calendar year, with provenance.
    pub revenue: Vec<LabRevenue>,
}

/// One year of a lab's revenue.
#[derive(Debug, Clone, PartialEq)]
pub struct LabRevenue {
    /// Calendar year.
    pub year: i32,
    /// USD.
    pub value: f64,
    /// `reported`, `guidance`, `estimate` or `assumption`.
    pub kind: String,
    /// URL or citation.
    pub source: Option<String>,
    /// Free note.
    pub note: Option<String>,
}

/// Inputs of the Sequoia and target-ROIC cross-checks.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CrossCheckInputs {
    /// Share of AI capex that is accelerator (GPU) spend: Sequoia's "GPUs are half of the total
    /// cost of ownership" gives 0.5.
    pub gpu_share: f64,
    /// Useful life for the target-ROIC method, years (Kupperman: 10).
    pub roic_life_years: f64,
    /// Margin on revenue (Kupperman: 25 %).
    pub roic_margin: f64,
    /// Target return on invested capital (Kupperman: 20 %).
    pub roic_target: f64,
}

impl Default for CrossCheckInputs {
    fn default() -> Self {
        CrossCheckInputs {
            gpu_share: 0.5,
            roic_life_years: 10.0,
            roic_margin: 0.25,
            roic_target: 0.20,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    portfolio: RawHead,
    #[serde(default)]
    cross_check: Option<RawCross>,
    #[serde(default)]
    companies: Vec<RawCompany>,
    #[serde(default)]
    labs: Vec<RawLab>,
    /// Portfolio-level distributions for `payback simulate` (read by [`crate::sim`]; `payback
    /// run` ignores them, as it ignores a scenario's).
    #[serde(default, rename = "uncertainty")]
    _uncertainty: Option<toml::Table>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHead {
    name: String,
    #[serde(default)]
    description: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCross {
    gpu_share: Option<f64>,
    roic_life_years: Option<f64>,
    roic_margin: Option<f64>,
    roic_target: Option<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCompany {
    id: String,
    #[serde(default)]
    label: Option<String>,
    scenario: String,
    #[serde(default)]
    overlays: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLab {
    id: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    revenue: Vec<RawRevenue>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRevenue {
    year: i32,
    value: f64,
    kind: String,
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    note: Option<String>,
}

/// Whether `text` is a portfolio file: TOML with a top-level `[portfolio]` table. Text that is
/// not TOML is not a portfolio (the scenario loader will report its syntax error).
pub fn is_portfolio(text: &str) -> bool {
    match toml::from_str::<toml::Table>(text) {
        Ok(t) => matches!(t.get("portfolio"), Some(toml::Value::Table(_))),
        Err(_) => false,
    }
}

/// Parse and check a portfolio file; every problem found is returned, one message each.
pub fn parse(text: &str) -> Result<PortfolioFile, Vec<String>> {
    let raw: Raw = toml::from_str(text).map_err(|e| vec![e.to_string()])?;
    let mut errors = Vec::new();
    if raw.companies.is_empty() {
        errors.push("a portfolio needs at least one [[companies]] entry".to_string());
    }
    let mut ids = BTreeSet::new();
    for c in &raw.companies {
        if c.id.trim().is_empty() {
            errors.push("a company id may not be empty".into());
        }
        if !ids.insert(c.id.clone()) {
            errors.push(format!("company id `{}` is listed twice", c.id));
        }
    }
    let mut lab_ids = BTreeSet::new();
    for l in &raw.labs {
        if !lab_ids.insert(l.id.clone()) {
            errors.push(format!("lab id `{}` is listed twice", l.id));
        }
        let mut years = BTreeSet::new();
        for r in &l.revenue {
            if !r.value.is_finite() || r.value < 0.0 {
                errors.push(format!(
                    "lab `{}` revenue for {}: expected a finite amount >= 0, found {}",
                    l.id, r.year, r.value
                ));
            }
            if !years.insert(r.year) {
                errors.push(format!("lab `{}` lists revenue for {} twice", l.id, r.year));
            }
            if !matches!(
                r.kind.as_str(),
                "reported" | "guidance" | "estimate" | "assumption"
            ) {
                errors.push(format!(
                    "lab `{}` revenue for {}: kind must be reported, guidance, estimate or assumption, found `{}`",
                    l.id, r.year, r.kind
                ));
            }
        }
    }
    let d = CrossCheckInputs::default();
    let cc = raw.cross_check.map_or(d, |c| CrossCheckInputs {
        gpu_share: c.gpu_share.unwrap_or(d.gpu_share),
        roic_life_years: c.roic_life_years.unwrap_or(d.roic_life_years),
        roic_margin: c.roic_margin.unwrap_or(d.roic_margin),
        roic_target: c.roic_target.unwrap_or(d.roic_target),
    });
    let checks = [
        ("cross_check.gpu_share", cc.gpu_share, 0.0, 1.0, false),
        (
            "cross_check.roic_life_years",
            cc.roic_life_years,
            0.0,
            100.0,
            true,
        ),
        ("cross_check.roic_margin", cc.roic_margin, 0.0, 1.0, true),
        ("cross_check.roic_target", cc.roic_target, 0.0, 10.0, false),
    ];
    for (path, v, lo, hi, strict_lo) in checks {
        let ok = v.is_finite() && v <= hi && if strict_lo { v > lo } else { v >= lo };
        if !ok {
            let range = if strict_lo {
                format!("({lo}, {hi}]")
            } else {
                format!("[{lo}, {hi}]")
            };
            errors.push(format!("{path}: expected a number in {range}, found {v}"));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(PortfolioFile {
        name: raw.portfolio.name,
        description: raw.portfolio.description,
        companies: raw
            .companies
            .into_iter()
            .map(|c| CompanyEntry {
                label: c.label.unwrap_or_else(|| c.id.clone()),
                id: c.id,
                scenario: c.scenario,
                overlays: c.overlays,
            })
            .collect(),
        labs: raw
            .labs
            .into_iter()
            .map(|l| {
                let mut revenue: Vec<LabRevenue> = l
                    .revenue
                    .into_iter()
                    .map(|r| LabRevenue {
                        year: r.year,
                        value: r.value,
                        kind: r.kind,
                        source: r.source,
                        note: r.note,
                    })
                    .collect();
                revenue.sort_by_key(|r| r.year);
                Lab {
                    name: l.name.unwrap_or_else(|| l.id.clone()),
                    id: l.id,
                    revenue,
                }
            })
            .collect(),
        cross_check: cc,
    })
}
