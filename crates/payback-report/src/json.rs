//! The JSON document (`schema_version` 1), documented field by field in `docs/formats.md`.
//!
//! Keys come in a fixed, documented order (declaration order, series in column order), so the
//! same inputs give the same bytes. Every number is finite: an undefined figure, or anything
//! that is not finite, is `null`.

use std::io;

use payback_model::scenario::{TaxMode, Terminal};
use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

use crate::summary::{self, Value};
use crate::tidy::optional_series;
use crate::{Inputs, Run, quarter_label};

/// The schema version written in every document. Changes are listed in the changelog.
pub const SCHEMA_VERSION: u32 = 1;

/// Write the document for `runs` made from `inputs`, pretty-printed, with a final newline.
pub fn render(out: &mut dyn io::Write, inputs: &Inputs, runs: &[Run<'_>]) -> io::Result<()> {
    write_document(out, inputs, runs, None)
}

/// [`render`] for one Monte Carlo path replayed on its own (`payback simulate --replay`): the
/// same document with a `monte_carlo_path` object (the run's settings and what the path drew)
/// after `inputs`.
pub fn render_replay(
    out: &mut dyn io::Write,
    inputs: &Inputs,
    runs: &[Run<'_>],
    path: &serde_json::Value,
) -> io::Result<()> {
    write_document(out, inputs, runs, Some(path))
}

fn write_document(
    out: &mut dyn io::Write,
    inputs: &Inputs,
    runs: &[Run<'_>],
    monte_carlo_path: Option<&serde_json::Value>,
) -> io::Result<()> {
    let doc = Document {
        schema_version: SCHEMA_VERSION,
        engine: Engine::CURRENT,
        inputs,
        monte_carlo_path,
        runs: runs.iter().map(RunJson).collect(),
    };
    serde_json::to_writer_pretty(&mut *out, &doc).map_err(io::Error::from)?;
    out.write_all(b"\n")
}

#[derive(Serialize)]
struct Document<'a> {
    schema_version: u32,
    engine: Engine,
    inputs: &'a Inputs,
    #[serde(skip_serializing_if = "Option::is_none")]
    monte_carlo_path: Option<&'a serde_json::Value>,
    runs: Vec<RunJson<'a>>,
}

/// What wrote a document: the `engine` object.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Engine {
    /// `payback`.
    pub name: &'static str,
    /// The crate version.
    pub version: &'static str,
}

impl Engine {
    /// This build.
    pub const CURRENT: Engine = Engine {
        name: "payback",
        version: env!("CARGO_PKG_VERSION"),
    };
}

/// A number that is `null` when undefined or not finite (`-0` is written `0`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Num(pub Option<f64>);

impl Serialize for Num {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            // `-0.0` prints as `0`: the same inputs give the same bytes.
            Some(x) if x.is_finite() => s.serialize_f64(if x == 0.0 { 0.0 } else { x }),
            _ => s.serialize_none(),
        }
    }
}

/// Every value of `xs` as a [`Num`].
pub fn nums(xs: &[f64]) -> Vec<Num> {
    xs.iter().map(|x| Num(Some(*x))).collect()
}

/// One run as an object of the `runs` array.
pub struct RunJson<'a>(pub &'a Run<'a>);

impl Serialize for RunJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        run_entries(&mut m, self.0)?;
        m.end()
    }
}

/// Write the keys of one run object (`label` to `warnings`, in the documented order) into an
/// open map, so that a caller can put keys of its own before or after them.
pub fn run_entries<M: SerializeMap>(m: &mut M, run: &Run<'_>) -> Result<(), M::Error> {
    let p = run.projection;
    let metrics = summary::metrics(run);
    m.serialize_entry("label", run.label)?;
    m.serialize_entry("overlays", run.overlays)?;
    m.serialize_entry("scenario", &ScenarioJson(run))?;
    m.serialize_entry("summary", &SummaryJson(&metrics))?;
    m.serialize_entry("summary_units", &UnitsJson(&metrics))?;
    let vintages: Vec<VintageJson<'_>> = p.vintages.iter().map(VintageJson).collect();
    m.serialize_entry("vintages", &vintages)?;
    let quarters: Vec<String> = (0..p.quarters.len()).map(|i| quarter_label(p, i)).collect();
    m.serialize_entry("quarters", &quarters)?;
    m.serialize_entry("series", &SeriesJson(p))?;
    let tiers: Vec<TierJson<'_>> = p
        .tiers
        .iter()
        .map(|t| TierJson {
            name: &t.name,
            served: nums(&t.served),
            multiplier: nums(&t.multiplier),
            revenue: nums(&t.revenue),
        })
        .collect();
    m.serialize_entry("tiers", &tiers)?;
    let contracts: Vec<ContractJson<'_>> = p
        .contracts
        .iter()
        .map(|c| ContractJson {
            name: &c.name,
            price: Num(Some(c.price)),
            minimum: Num(Some(c.minimum)),
            revenue: nums(&c.revenue),
            rpo: nums(&c.rpo),
        })
        .collect();
    m.serialize_entry("contracts", &contracts)?;
    let runoff_quarters: Vec<String> = match p.quarters.last() {
        Some(&last) => (0..p.runoff_flows.len())
            .map(|k| last.offset(k as i32 + 1).to_string())
            .collect(),
        None => Vec::new(),
    };
    m.serialize_entry(
        "runoff",
        &RunoffJson {
            quarters: runoff_quarters,
            fcf: nums(&p.runoff_flows),
        },
    )?;
    m.serialize_entry("warnings", &run.warnings())?;
    Ok(())
}

struct ScenarioJson<'a>(&'a Run<'a>);

impl Serialize for ScenarioJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let st = self.0.settings;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("name", &st.name)?;
        m.serialize_entry("start", &st.start.to_string())?;
        m.serialize_entry("end", &st.end.to_string())?;
        m.serialize_entry("fiscal_year_end", &st.fiscal_year_end)?;
        m.serialize_entry("discount_rate", &Num(Some(st.discount_rate)))?;
        m.serialize_entry("tax_rate", &Num(Some(st.tax_rate)))?;
        let tax = match st.tax {
            TaxMode::Group => "group",
            TaxMode::Standalone => "standalone",
        };
        m.serialize_entry("tax", tax)?;
        let (terminal, recovery) = match st.terminal {
            Terminal::None => ("none", None),
            Terminal::Book { recovery } => ("book", Some(recovery)),
            Terminal::Runoff => ("runoff", None),
        };
        m.serialize_entry("terminal", terminal)?;
        m.serialize_entry("terminal_recovery", &Num(recovery))?;
        m.end()
    }
}

/// Summary metrics as the `summary` object: key to value (a list as an array, named numbers
/// as an object).
pub struct SummaryJson<'a>(pub &'a [summary::Metric]);

impl Serialize for SummaryJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for metric in self.0 {
            match &metric.value {
                Value::Num(x) => m.serialize_entry(metric.key, &Num(*x))?,
                Value::Text(t) => m.serialize_entry(metric.key, t)?,
                Value::Flag(b) => m.serialize_entry(metric.key, b)?,
                Value::List(xs) => m.serialize_entry(metric.key, &nums(xs))?,
                Value::Named(xs) => m.serialize_entry(metric.key, &NamedJson(xs))?,
            }
        }
        m.end()
    }
}

/// Named values as one JSON object, name to number.
pub struct NamedJson<'a>(pub &'a [(String, f64)]);

impl Serialize for NamedJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (name, x) in self.0 {
            m.serialize_entry(name, &Num(Some(*x)))?;
        }
        m.end()
    }
}

/// The units of summary metrics as the `summary_units` object: key to unit.
pub struct UnitsJson<'a>(pub &'a [summary::Metric]);

impl Serialize for UnitsJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for metric in self.0 {
            m.serialize_entry(metric.key, metric.unit)?;
        }
        m.end()
    }
}

struct VintageJson<'a>(&'a payback_model::projection::Vintage);

impl Serialize for VintageJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let v = self.0;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("year", &v.year)?;
        m.serialize_entry("capex", &Num(Some(v.capex)))?;
        m.serialize_entry("payback_quarter", &v.payback.map(|q| q.to_string()))?;
        m.serialize_entry("payback_years", &Num(v.payback_years))?;
        m.serialize_entry("surplus_at_horizon", &Num(Some(v.surplus_at_horizon)))?;
        m.serialize_entry("price_to_cost", &Num(v.price_to_cost))?;
        m.serialize_entry("contribution_cumulative", &nums(&v.contribution_cumulative))?;
        m.end()
    }
}

/// A series as written under `series`: `{ "unit", "values" }`.
#[derive(Serialize)]
pub struct UnitValues<'a> {
    /// The unit (`USD`, `ref-hours`, ...).
    pub unit: &'a str,
    /// One value per quarter.
    pub values: Vec<Num>,
}

struct SeriesJson<'a>(&'a payback_model::Projection);

impl Serialize for SeriesJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let p = self.0;
        let mut m = s.serialize_map(None)?;
        for c in p.q.columns() {
            let v = UnitValues {
                unit: c.unit,
                values: nums(c.values),
            };
            m.serialize_entry(c.name, &v)?;
        }
        for (name, unit, values) in optional_series(p) {
            let v = UnitValues {
                unit,
                values: values.iter().map(|x| Num(*x)).collect(),
            };
            m.serialize_entry(name, &v)?;
        }
        m.end()
    }
}

#[derive(Serialize)]
struct TierJson<'a> {
    name: &'a str,
    served: Vec<Num>,
    multiplier: Vec<Num>,
    revenue: Vec<Num>,
}

#[derive(Serialize)]
struct ContractJson<'a> {
    name: &'a str,
    price: Num,
    minimum: Num,
    revenue: Vec<Num>,
    rpo: Vec<Num>,
}

#[derive(Serialize)]
struct RunoffJson {
    quarters: Vec<String>,
    fcf: Vec<Num>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{sample_projection, sample_settings};

    fn document() -> serde_json::Value {
        let mut p = sample_projection();
        // A NaN that slipped through must come out as null, never as invalid JSON.
        p.q.markup[0] = f64::NAN;
        let s = sample_settings();
        let run = Run {
            label: "base",
            settings: &s,
            overlays: &[],
            projection: &p,
            input_warnings: &[],
        };
        let inputs = Inputs::new(&[("default.toml", "x = 1")], vec![]);
        let mut out = Vec::new();
        render(&mut out, &inputs, &[run]).unwrap();
        serde_json::from_slice(&out).unwrap()
    }

    #[test]
    fn document_shape() {
        let d = document();
        assert_eq!(d["schema_version"], 1);
        assert_eq!(d["engine"]["name"], "payback");
        assert_eq!(d["inputs"]["files"][0]["name"], "default.toml");
        let run = &d["runs"][0];
        assert_eq!(run["summary"]["payback_quarter"], "2025Q2");
        assert_eq!(run["summary_units"]["npv"], "USD");
        assert_eq!(run["quarters"][7], "2025Q4");
        assert_eq!(run["series"]["fcf"]["unit"], "USD");
        assert_eq!(run["series"]["fcf"]["values"][2], 3.0);
        assert!(run["series"]["markup"]["values"][0].is_null());
        assert!(run["series"]["inference_cost_per_mtok"]["values"][0].is_null());
        assert_eq!(run["runoff"]["quarters"][0], "2026Q1");
    }

    #[test]
    fn every_series_is_in_the_document() {
        let d = document();
        let series = d["runs"][0]["series"].as_object().unwrap();
        for name in payback_model::projection::Quarterly::NAMES {
            assert!(series.contains_key(*name), "{name}");
        }
    }

    #[test]
    fn every_key_is_documented_in_formats_md() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/formats.md");
        let docs = std::fs::read_to_string(path).expect("docs/formats.md exists");
        let d = document();
        let mentioned = |key: &str, where_: &str| {
            assert!(
                docs.contains(&format!("`{key}`")),
                "`{key}` ({where_}) is not documented in docs/formats.md"
            );
        };
        let keys = |v: &serde_json::Value| -> Vec<String> {
            v.as_object().unwrap().keys().cloned().collect()
        };
        for k in keys(&d) {
            mentioned(&k, "top level");
        }
        for k in keys(&d["inputs"]) {
            mentioned(&k, "inputs");
        }
        let run = &d["runs"][0];
        for k in keys(run) {
            mentioned(&k, "run");
        }
        for k in keys(&run["scenario"]) {
            mentioned(&k, "scenario");
        }
        for k in keys(&run["summary"]) {
            mentioned(&k, "summary");
        }
        for k in keys(&run["vintages"][0]) {
            mentioned(&k, "vintages");
        }
        for k in keys(&run["series"]) {
            mentioned(&k, "series");
        }
    }
}
