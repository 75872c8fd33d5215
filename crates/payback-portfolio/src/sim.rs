//! Monte Carlo over a portfolio (`payback simulate portfolio.toml`): every company's and the
//! industry's payback distribution, with the uncertainty the companies share drawn once per
//! path for all of them (`docs/simulation.md`, "Portfolios").
//!
//! What is shared, concretely:
//!
//! - **Market drivers.** An `[uncertainty]` entry whose parameter path (written the same way)
//!   is declared by two or more companies is one draw per path, applied to each of them (with
//!   `scale = true`, each company's own value is multiplied by the same factor). Its
//!   distribution is the portfolio file's `[uncertainty]` entry for that path when there is
//!   one (that table is applied to every company as a last overlay, so its paths must resolve
//!   in every company), else the first company's (file order) that declares it; a note says
//!   when the companies' declarations differ.
//! - **Counterparty defaults.** One default event per counterparty id per path for the whole
//!   portfolio: its uniform, and the hazard it is drawn from, are the first company's that has
//!   contracts with that id; its clock starts at the earliest contract start with that id in
//!   any company; the default quarter then ends that counterparty's contracts in **every**
//!   company on that path (the scenario edit of `payback_sim`: term cut to the quarters served,
//!   no renewal).
//! - Everything else (company-specific entries, renewals) is drawn independently per company.
//!
//! Streams: company `k` (0-based, file order) draws block `b` exactly as `payback_sim` draws a
//! scenario's block `k * 2^32 + b` ([`stream_index`]): `seed_from_u64(seed)` jumped that many
//! times by 2^128 steps, so every (company, block) has its own non-overlapping stream, company
//! 0 uses the very streams `payback simulate` would use for its scenario alone, and a
//! one-company portfolio reproduces `payback simulate` on that scenario bit for bit. A shared
//! value is the draw of the company that owns it (its first declarer: for portfolio-level
//! entries, company 0) from its own stream, after its Latin hypercube and Iman–Conover; the
//! other companies' draws of that column are overwritten. Blocks run in parallel and fold in
//! block order, so results never depend on the thread count.
//!
//! The industry is the aggregate of [`crate::run`]: the sum of the companies' FCF by calendar
//! quarter (union of horizons), its payback, IRR and funding need; NPV and economic recovery
//! are sums; MOIC is `Σ (OCF + terminal value) / Σ capex`.

use std::collections::BTreeMap;

use payback_input::{Loaded, SourceFile};
use payback_model::engine::{Outcome, PathSeries, Workspace, project_outcome};
use payback_model::finance::{self, Payback};
use payback_model::{Quarter, Scenario};
use payback_sim::sample::{end_contract_at, quarters_survived};
use payback_sim::split;
use payback_sim::{
    BLOCK_SIZE, BlockPaths, Config, Draws, EXACT_LIMIT, EventOutcome, PathOutcome, Plan, PlanError,
    SimError, SimReport, SimResult, SimSink, Summary, SummaryPart,
};
use serde::{Deserialize, Serialize};

use crate::{CompanyEntry, FileKind, PortfolioError, PortfolioFile};

/// Company `k`'s block `b` is drawn from `payback_sim`'s block stream `k << STREAM_SHIFT | b`.
pub const STREAM_SHIFT: u32 = 32;

/// The `payback_sim` block index of company `company`'s block `block`: `company * 2^32 +
/// block` (blocks beyond 2^32 are refused by [`simulate`]).
pub fn stream_index(company: usize, block: u64) -> u64 {
    ((company as u64) << STREAM_SHIFT) | block
}

/// How streams are derived, as recorded in every output.
pub const STREAM_DESCRIPTION: &str = "company k (file order, from 0), block b: seed_from_u64(seed), then jump() k*2^32 + b times (2^128 steps each); a shared value is drawn from the stream of its first company";

/// Why a portfolio cannot be simulated.
#[derive(Debug)]
pub enum PortfolioSimError {
    /// A company's uncertainty does not resolve.
    Plan {
        /// The company's id.
        company: String,
        /// Why.
        error: PlanError,
    },
    /// The portfolio has no company.
    NoCompanies,
    /// More paths than the stream layout allows (2^32 blocks).
    TooManyPaths,
    /// The run failed.
    Sim(SimError),
}

impl std::fmt::Display for PortfolioSimError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PortfolioSimError::Plan { company, error } => write!(f, "company `{company}`: {error}"),
            PortfolioSimError::NoCompanies => f.write_str("the portfolio has no company"),
            PortfolioSimError::TooManyPaths => write!(
                f,
                "--paths may be at most {} for a portfolio (2^32 blocks of {BLOCK_SIZE})",
                (1u64 << STREAM_SHIFT) * BLOCK_SIZE as u64
            ),
            PortfolioSimError::Sim(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for PortfolioSimError {}

/// The portfolio file's own `[uncertainty]` table, ready to apply to every company.
#[derive(Debug, Clone, PartialEq)]
pub struct PortfolioUncertainty {
    /// An overlay holding only that table, on the table's original lines (so diagnostics
    /// point at the portfolio file's lines); named after the portfolio file.
    pub overlay: SourceFile,
    /// The paths it declares.
    pub paths: Vec<String>,
}

/// The name of a TOML table header line (`[a]`, `[[a]]`), if `line` is one.
fn header_name(line: &str) -> Option<&str> {
    let t = line.trim();
    let body = t.strip_prefix("[[").or_else(|| t.strip_prefix('['))?;
    let first = body.trim_start().chars().next()?;
    if !(first.is_alphabetic() || matches!(first, '_' | '"' | '\'')) {
        return None;
    }
    let end = body.find(']')?;
    let rest = body[end..].trim_start_matches(']').trim();
    if !(rest.is_empty() || rest.starts_with('#')) {
        return None;
    }
    Some(body[..end].trim())
}

/// Keep the lines of the `[uncertainty]` section, blank every other line.
fn keep_uncertainty_lines(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut inside = false;
    for line in text.split_inclusive('\n') {
        if let Some(h) = header_name(line) {
            let h = h.trim_matches(['"', '\'']);
            inside = h == "uncertainty" || h.starts_with("uncertainty.");
        }
        if inside {
            out.push_str(line);
        } else if line.ends_with("\r\n") {
            out.push_str("\r\n");
        } else if line.ends_with('\n') {
            out.push('\n');
        }
    }
    out
}

/// The portfolio file's `[uncertainty]` table as an overlay for every company, or `None`
/// without one. `name` is the portfolio file's name (shown in diagnostics). Errors are TOML
/// syntax errors or a non-table `uncertainty`.
pub fn portfolio_uncertainty(
    name: &str,
    text: &str,
) -> Result<Option<PortfolioUncertainty>, String> {
    let doc: toml::Table = toml::from_str(text).map_err(|e| e.to_string())?;
    let table = match doc.get("uncertainty") {
        None => return Ok(None),
        Some(toml::Value::Table(t)) => t,
        Some(_) => return Err("`uncertainty` must be a table of parameter paths".into()),
    };
    let paths: Vec<String> = table.keys().cloned().collect();
    // Blank the other sections, keeping line numbers; if that did not isolate the table
    // exactly (an unusual layout), fall back to the table re-serialised.
    let kept = keep_uncertainty_lines(text);
    let same = toml::from_str::<toml::Table>(&kept)
        .ok()
        .is_some_and(|t| t.len() == 1 && t.get("uncertainty") == doc.get("uncertainty"));
    let overlay_text = if same {
        kept
    } else {
        let mut t = toml::Table::new();
        t.insert("uncertainty".into(), toml::Value::Table(table.clone()));
        toml::to_string(&t).map_err(|e| e.to_string())?
    };
    Ok(Some(PortfolioUncertainty {
        overlay: SourceFile::new(name, overlay_text),
        paths,
    }))
}

/// Load every company of the portfolio with its overlays and then `extra` (the portfolio's
/// [`PortfolioUncertainty::overlay`]), as [`crate::run`] loads them.
pub fn load_companies(
    file: &PortfolioFile,
    extra: Option<&SourceFile>,
    resolve: &mut dyn FnMut(&str, FileKind) -> Result<SourceFile, String>,
) -> Result<Vec<(CompanyEntry, Loaded)>, PortfolioError> {
    let mut out = Vec::with_capacity(file.companies.len());
    for c in &file.companies {
        let resolve_err = |message| PortfolioError::Resolve {
            company: c.id.clone(),
            message,
        };
        let main = resolve(&c.scenario, FileKind::Scenario).map_err(resolve_err)?;
        let mut overlays = Vec::with_capacity(c.overlays.len() + 1);
        for o in &c.overlays {
            overlays.push(resolve(o, FileKind::Overlay).map_err(|message| {
                PortfolioError::Resolve {
                    company: c.id.clone(),
                    message,
                }
            })?);
        }
        overlays.extend(extra.cloned());
        let loaded =
            payback_input::load(&main, &overlays).map_err(|diagnostics| PortfolioError::Load {
                company: c.id.clone(),
                files: std::iter::once(main.clone())
                    .chain(overlays.clone())
                    .collect(),
                diagnostics,
            })?;
        out.push((c.clone(), loaded));
    }
    Ok(out)
}

/// A market driver drawn once per path for several companies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SharedDriver {
    /// Parameter path.
    pub path: String,
    /// Its distribution (as drawn).
    pub dist: String,
    /// Whether the draw multiplies each company's own value.
    pub scale: bool,
    /// `portfolio` (the portfolio file's `[uncertainty]`) or the id of the company whose
    /// declaration is drawn.
    pub from: String,
    /// Companies it applies to.
    pub companies: Vec<String>,
}

/// A counterparty whose default is drawn once per path for the whole portfolio.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SharedDefault {
    /// Counterparty id.
    pub counterparty: String,
    /// The company whose hazard (possibly drawn) and stream are used.
    pub owner: String,
    /// The owner's annual hazard in its base scenario.
    pub hazard: f64,
    /// Companies with contracts with it.
    pub companies: Vec<String>,
    /// Earliest contract start with it in any company: the default clock's start.
    pub clock_start: Quarter,
}

#[derive(Debug, Clone)]
struct SharedGroup {
    owner: (usize, usize),
    others: Vec<(usize, usize)>,
}

#[derive(Debug, Clone)]
struct DefaultMember {
    counterparty: usize,
    /// Event column in the company's plan.
    column: usize,
    contracts: Vec<usize>,
}

#[derive(Debug, Clone)]
struct DefaultGroup {
    owner: usize,
    clock: Quarter,
    members: Vec<DefaultMember>,
}

/// Everything fixed across paths: one [`Plan`] per company and what they share.
#[derive(Debug, Clone)]
pub struct PortfolioPlan {
    /// Company ids, file order.
    pub ids: Vec<String>,
    /// Company labels.
    pub labels: Vec<String>,
    /// One plan per company (shared inputs carry the shared distribution).
    pub plans: Vec<Plan>,
    /// Shared market drivers.
    pub shared: Vec<SharedDriver>,
    /// Counterparties drawn once per path.
    pub shared_defaults: Vec<SharedDefault>,
    /// Whether counterparty defaults and renewals are drawn as events.
    pub events: bool,
    /// The union of the companies' quarters (the industry's horizon).
    pub quarters: Vec<Quarter>,
    /// Things a user should know about how the shared draws were resolved.
    pub notes: Vec<String>,
    groups: Vec<SharedGroup>,
    defaults: Vec<DefaultGroup>,
    /// Per company, (default group, member index) in its counterparty order.
    by_company: Vec<Vec<(usize, usize)>>,
    /// Per company, its number of default event columns.
    nd: Vec<usize>,
}

fn horizon(s: &Scenario) -> Vec<Quarter> {
    let s = &s.scenario;
    let n = s.start.quarters_until(s.end).max(0) + 1;
    (0..n).map(|k| s.start.offset(k)).collect()
}

impl PortfolioPlan {
    /// Build the plans and the sharing. `portfolio_paths` are the paths of the portfolio
    /// file's `[uncertainty]` (already applied to every company as an overlay).
    pub fn new(
        companies: &[(CompanyEntry, Loaded)],
        portfolio_paths: &[String],
        events: bool,
    ) -> Result<PortfolioPlan, PortfolioSimError> {
        if companies.is_empty() {
            return Err(PortfolioSimError::NoCompanies);
        }
        let ids: Vec<String> = companies.iter().map(|(c, _)| c.id.clone()).collect();
        let mut plans = Vec::with_capacity(companies.len());
        for (c, l) in companies {
            plans.push(
                Plan::new(&l.scenario, &l.uncertainty, events).map_err(|error| {
                    PortfolioSimError::Plan {
                        company: c.id.clone(),
                        error,
                    }
                })?,
            );
        }
        let mut notes = Vec::new();
        // Shared inputs: the same path in several companies (or in the portfolio file).
        let mut order: Vec<String> = Vec::new();
        let mut members: BTreeMap<String, Vec<(usize, usize)>> = BTreeMap::new();
        for (m, p) in plans.iter().enumerate() {
            for (j, inp) in p.inputs.iter().enumerate() {
                let e = members.entry(inp.path.clone()).or_default();
                if e.is_empty() {
                    order.push(inp.path.clone());
                }
                e.push((m, j));
            }
        }
        let mut groups = Vec::new();
        let mut shared = Vec::new();
        for path in order {
            let list = members.remove(&path).unwrap_or_default();
            let from_portfolio = portfolio_paths.contains(&path);
            let Some((&owner, others)) = list.split_first() else {
                continue;
            };
            if others.is_empty() && !from_portfolio {
                continue;
            }
            let (om, oj) = owner;
            let dist = plans[om].inputs[oj].dist.clone();
            let scale = plans[om].inputs[oj].scale;
            let mut differ = false;
            for &(m, j) in others {
                let inp = &mut plans[m].inputs[j];
                if inp.scale != scale || inp.dist.describe() != dist.describe() {
                    differ = true;
                }
                inp.dist = dist.clone();
                inp.scale = scale;
            }
            if differ && !from_portfolio {
                notes.push(format!(
                    "`{path}`: the companies declare different distributions; {}'s is drawn for all",
                    ids[om]
                ));
            }
            shared.push(SharedDriver {
                path: path.clone(),
                dist: dist.describe(),
                scale,
                from: if from_portfolio {
                    "portfolio".into()
                } else {
                    ids[om].clone()
                },
                companies: list.iter().map(|&(m, _)| ids[m].clone()).collect(),
            });
            groups.push(SharedGroup {
                owner,
                others: others.to_vec(),
            });
        }
        // Counterparties with contracts, in each company's order (as `Plan` lists them).
        let mut defaults: Vec<DefaultGroup> = Vec::new();
        let mut shared_defaults: Vec<SharedDefault> = Vec::new();
        let mut by_id: BTreeMap<String, usize> = BTreeMap::new();
        let mut by_company = vec![Vec::new(); plans.len()];
        let mut nd = vec![0; plans.len()];
        for (m, p) in plans.iter().enumerate() {
            let s = &p.base;
            let mut column = 0;
            for (k, cp) in s.counterparties.iter().enumerate() {
                let cs: Vec<usize> = s
                    .contracts
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| c.counterparty == Some(k))
                    .map(|(i, _)| i)
                    .collect();
                let Some(start) = cs.iter().map(|&i| s.contracts[i].start).min() else {
                    continue;
                };
                let g = match by_id.get(&cp.id) {
                    Some(&g) => g,
                    None => {
                        by_id.insert(cp.id.clone(), defaults.len());
                        defaults.push(DefaultGroup {
                            owner: m,
                            clock: start,
                            members: Vec::new(),
                        });
                        shared_defaults.push(SharedDefault {
                            counterparty: cp.id.clone(),
                            owner: ids[m].clone(),
                            hazard: cp.hazard,
                            companies: Vec::new(),
                            clock_start: start,
                        });
                        defaults.len() - 1
                    }
                };
                let grp = &mut defaults[g];
                grp.clock = grp.clock.min(start);
                let info = &mut shared_defaults[g];
                info.clock_start = grp.clock;
                if !info.companies.contains(&ids[m]) {
                    info.companies.push(ids[m].clone());
                }
                if grp.owner != m && cp.hazard != info.hazard && events {
                    notes.push(format!(
                        "counterparty `{}`: {} declares hazard {}, {} declares {}; {}'s is drawn for the whole portfolio",
                        cp.id, ids[m], cp.hazard, info.owner, info.hazard, info.owner
                    ));
                }
                by_company[m].push((g, grp.members.len()));
                grp.members.push(DefaultMember {
                    counterparty: k,
                    column,
                    contracts: cs,
                });
                column += 1;
            }
            nd[m] = column;
        }
        let mut quarters: Vec<Quarter> = plans.iter().flat_map(|p| horizon(&p.base)).collect();
        quarters.sort();
        quarters.dedup();
        Ok(PortfolioPlan {
            ids,
            labels: companies.iter().map(|(c, _)| c.label.clone()).collect(),
            plans,
            shared,
            shared_defaults,
            events,
            quarters,
            notes,
            groups,
            defaults,
            by_company,
            nd,
        })
    }

    /// Whether anything is uncertain (some company has an `[uncertainty]` entry).
    pub fn has_inputs(&self) -> bool {
        self.plans.iter().any(|p| !p.inputs.is_empty())
    }

    /// The draws of block `block` for every company, shared columns overwritten by their
    /// owner's values.
    pub fn draw_block(&self, cfg: &Config, block: u64, n: usize) -> Vec<Draws> {
        let mut draws: Vec<Draws> = self
            .plans
            .iter()
            .enumerate()
            .map(|(m, p)| p.draw_block(cfg.seed, stream_index(m, block), n, cfg.sampling))
            .collect();
        for g in &self.groups {
            let (om, oj) = g.owner;
            let ko = self.plans[om].inputs.len();
            let vals: Vec<f64> = (0..n).map(|i| draws[om].values[i * ko + oj]).collect();
            for &(m, j) in &g.others {
                let k = self.plans[m].inputs.len();
                for (i, &v) in vals.iter().enumerate() {
                    draws[m].values[i * k + j] = v;
                }
            }
        }
        draws
    }

    /// Set up path `i` of `draws` in `scen` (one scenario per company; any content on entry).
    /// Returns, per shared counterparty ([`PortfolioPlan::shared_defaults`]), the quarter it
    /// defaults in on this path, if within the industry's horizon.
    pub fn set_path(
        &self,
        draws: &[Draws],
        i: usize,
        scen: &mut [Scenario],
    ) -> Vec<Option<Quarter>> {
        // Per default group: None = not drawn yet; Some(None) = no hazard; Some(Some(k)) =
        // whole quarters survived after the clock starts.
        let mut survived: Vec<Option<Option<f64>>> = vec![None; self.defaults.len()];
        for (m, plan) in self.plans.iter().enumerate() {
            let s = &mut scen[m];
            plan.reset(s);
            let k = plan.inputs.len();
            plan.apply_values(s, &draws[m].values[i * k..(i + 1) * k]);
            if !self.events {
                continue;
            }
            let e = plan.event_columns();
            let u = &draws[m].events[i * e..(i + 1) * e];
            // Renewals first, then defaults (which cancel renewals), as `Plan::apply` does.
            for (c, &ur) in u.get(self.nd[m]..).unwrap_or(&[]).iter().enumerate() {
                if let Some(ct) = s.contracts.get_mut(c) {
                    ct.renewal_prob = if ur < ct.renewal_prob { 1.0 } else { 0.0 };
                }
            }
            for &(g, mi) in &self.by_company[m] {
                let grp = &self.defaults[g];
                let mem = &grp.members[mi];
                if survived[g].is_none() && grp.owner == m {
                    let hazard = s.counterparties[mem.counterparty].hazard;
                    survived[g] = Some(quarters_survived(hazard, u[mem.column]));
                }
                s.counterparties[mem.counterparty].hazard = 0.0;
                let Some(Some(k)) = survived[g] else {
                    continue;
                };
                let h = f64::from(grp.clock.quarters_until(s.scenario.end).max(0));
                if k >= h {
                    continue; // survives this company's horizon
                }
                let d = grp.clock.offset(k as i32 + 1);
                for &c in &mem.contracts {
                    end_contract_at(s, c, d);
                }
            }
        }
        let end = self.quarters.last().copied();
        self.defaults
            .iter()
            .zip(&survived)
            .map(|(grp, sv)| {
                let k = (*sv)??;
                let end = end?;
                let h = f64::from(grp.clock.quarters_until(end).max(0));
                (k < h).then(|| grp.clock.offset(k as i32 + 1))
            })
            .collect()
    }

    /// The columns of a per-path samples file, in [`BlockPaths`] order: every company's inputs
    /// as `<company>:<path>`; with events, each shared default as `default:<counterparty>`, then
    /// every company's renewals as `<company>:renews:<contract>`; the members (company ids,
    /// then `industry`); and each member's first quarter.
    pub fn sample_columns(&self) -> (Vec<String>, Vec<String>, Vec<String>, Vec<Quarter>) {
        let mut inputs = Vec::new();
        let mut events = Vec::new();
        for (id, plan) in self.ids.iter().zip(&self.plans) {
            inputs.extend(plan.inputs.iter().map(|i| format!("{id}:{}", i.path)));
        }
        if self.events {
            events.extend(
                self.shared_defaults
                    .iter()
                    .map(|d| format!("default:{}", d.counterparty)),
            );
            for (id, plan) in self.ids.iter().zip(&self.plans) {
                let contracts = &plan.base.contracts;
                events.extend(contracts.iter().map(|c| format!("{id}:renews:{}", c.name)));
            }
        }
        let members = self
            .ids
            .iter()
            .cloned()
            .chain(["industry".into()])
            .collect();
        let starts = self
            .plans
            .iter()
            .map(|p| p.base.scenario.start)
            .chain(self.quarters.first().copied())
            .collect();
        (inputs, events, members, starts)
    }

    /// Append path `i` of `draws` to `p`: every company's inputs as drawn, then (with events)
    /// the shared defaults `d` and every contract's renewal as set up in `scen`, in the order
    /// of [`PortfolioPlan::sample_columns`].
    fn record_path(
        &self,
        draws: &[Draws],
        i: usize,
        scen: &[Scenario],
        d: &[Option<Quarter>],
        p: &mut BlockPaths,
    ) {
        for (plan, dr) in self.plans.iter().zip(draws) {
            let k = plan.inputs.len();
            p.inputs.extend_from_slice(&dr.values[i * k..(i + 1) * k]);
        }
        if self.events {
            p.events.extend(d.iter().map(|&q| EventOutcome::Default(q)));
            for s in scen {
                // A contract renews when its draw said so and no default ended it first.
                let renews = s.contracts.iter().map(|c| c.renewal_prob >= 1.0);
                p.events.extend(renews.map(EventOutcome::Renewal));
            }
        }
    }

    /// Path `path` of the run `cfg` describes, on its own: only its block is drawn. `None` when
    /// `path` is not below `cfg.paths`.
    pub fn replay(&self, cfg: &Config, path: u64) -> Option<PortfolioReplay> {
        if path >= cfg.paths {
            return None;
        }
        let bs = BLOCK_SIZE as u64;
        let block = path / bs;
        let n = (cfg.paths - block * bs).min(bs) as usize;
        let draws = self.draw_block(cfg, block, n);
        let i = (path - block * bs) as usize;
        let mut scenarios: Vec<Scenario> = self.plans.iter().map(|p| p.base.clone()).collect();
        let defaults = self.set_path(&draws, i, &mut scenarios);
        let mut drawn = BlockPaths {
            first: path,
            paths: 1,
            inputs: Vec::new(),
            events: Vec::new(),
            outcomes: Vec::new(),
        };
        self.record_path(&draws, i, &scenarios, &defaults, &mut drawn);
        Some(PortfolioReplay {
            scenarios,
            defaults,
            inputs: drawn.inputs,
            events: drawn.events,
        })
    }
}

/// One path of a portfolio run ([`PortfolioPlan::replay`]).
#[derive(Debug, Clone)]
pub struct PortfolioReplay {
    /// Every company's scenario as the path sets it up (file order).
    pub scenarios: Vec<Scenario>,
    /// Per shared counterparty, the quarter it defaults in within the industry's horizon.
    pub defaults: Vec<Option<Quarter>>,
    /// Every company's inputs as drawn, in the order of [`PortfolioPlan::sample_columns`].
    pub inputs: Vec<f64>,
    /// With events, the shared defaults, then every company's renewals, in that order too.
    pub events: Vec<EventOutcome>,
}

/// The industry's outcome on one path, from the companies' projections.
struct Industry {
    fcf: Vec<f64>,
    npv: f64,
    ocf_and_tv: f64,
    capex: f64,
    economic_recovery: f64,
}

impl Industry {
    fn new(n: usize) -> Industry {
        Industry {
            fcf: vec![0.0; n],
            npv: 0.0,
            ocf_and_tv: 0.0,
            capex: 0.0,
            economic_recovery: 0.0,
        }
    }

    fn reset(&mut self) {
        self.fcf.fill(0.0);
        self.npv = 0.0;
        self.ocf_and_tv = 0.0;
        self.capex = 0.0;
        self.economic_recovery = 0.0;
    }

    /// Add one company's path: its lean outcome `o` and series `q` (from its `start`).
    fn add(&mut self, union: &[Quarter], start: Quarter, q: PathSeries, o: &Outcome) {
        if let Ok(off) = union.binary_search(&start) {
            for (acc, v) in self.fcf.iter_mut().skip(off).zip(q.fcf) {
                *acc += v;
            }
        }
        self.npv += o.npv;
        self.economic_recovery += o.economic_recovery;
        let capex: f64 = q.capex.iter().sum();
        if let Some(m) = o.moic {
            self.ocf_and_tv += m * capex;
            self.capex += capex;
        }
    }

    fn outcome(&self) -> PathOutcome {
        let payback = match finance::payback(&self.fcf) {
            Payback::Reached { period, .. } => Some(period),
            Payback::NeverNegative => Some(0),
            Payback::NotWithinHorizon { .. } => None,
        };
        let mut cum = 0.0;
        let mut min = 0.0;
        let mut at = 0;
        for (t, v) in self.fcf.iter().enumerate() {
            cum += v;
            if t == 0 || cum < min {
                min = cum;
                at = t;
            }
        }
        PathOutcome {
            payback,
            npv: self.npv,
            irr: finance::irr_quarterly_primary(&self.fcf),
            moic: (self.capex > 0.0).then(|| self.ocf_and_tv / self.capex),
            peak_funding: (-min).max(0.0),
            peak_funding_quarter: at,
            economic_recovery: self.economic_recovery,
        }
    }
}

/// One block's outcomes: per member (companies, then the industry), in path order; and per
/// shared counterparty, the paths on which it defaulted within the horizon.
struct BlockOut {
    outcomes: Vec<Vec<PathOutcome>>,
    defaulted: Vec<u64>,
    /// Every path's inputs, events and outcomes, when the sink wants them.
    paths: Option<BlockPaths>,
}

fn run_block(pp: &PortfolioPlan, cfg: &Config, block: u64, n: usize, keep: bool) -> BlockOut {
    let draws = pp.draw_block(cfg, block, n);
    let nm = pp.plans.len();
    let mut scen: Vec<Scenario> = pp.plans.iter().map(|p| p.base.clone()).collect();
    let mut outcomes: Vec<Vec<PathOutcome>> = (0..=nm).map(|_| Vec::with_capacity(n)).collect();
    let mut defaulted = vec![0u64; pp.defaults.len()];
    let mut ind = Industry::new(pp.quarters.len());
    let mut ws: Vec<Workspace> = (0..nm).map(|_| Workspace::default()).collect();
    let mut paths = keep.then(|| BlockPaths {
        first: block * BLOCK_SIZE as u64,
        paths: n,
        inputs: Vec::new(),
        events: Vec::new(),
        outcomes: Vec::new(),
    });
    for i in 0..n {
        let d = pp.set_path(&draws, i, &mut scen);
        for (c, q) in defaulted.iter_mut().zip(&d) {
            *c += u64::from(q.is_some());
        }
        ind.reset();
        for (m, s) in scen.iter().enumerate() {
            let o = project_outcome(s, &mut ws[m]);
            let start = s.scenario.start;
            outcomes[m].push(PathOutcome::of_outcome(&o, start));
            ind.add(&pp.quarters, start, ws[m].series(), &o);
        }
        outcomes[nm].push(ind.outcome());
        if let Some(p) = &mut paths {
            pp.record_path(&draws, i, &scen, &d, p);
            p.outcomes.extend(outcomes.iter().map(|o| o[i].clone()));
        }
    }
    BlockOut {
        outcomes,
        defaulted,
        paths,
    }
}

/// The result of [`simulate`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PortfolioSim {
    /// Companies in file order, then the industry (id `industry`).
    pub members: Vec<(String, String, SimResult)>,
    /// Shared market drivers.
    pub shared: Vec<SharedDriver>,
    /// Shared counterparty defaults, each with the paths on which it defaulted within the
    /// industry's horizon.
    pub shared_defaults: Vec<(SharedDefault, u64)>,
    /// Notes on how shared draws were resolved.
    pub notes: Vec<String>,
}

/// Run `cfg.paths` paths of the portfolio. Results depend only on the plan, the seed, the
/// path count and the sampling — never on `threads`.
pub fn simulate(
    pp: &PortfolioPlan,
    cfg: &Config,
    sink: &mut dyn SimSink,
) -> Result<PortfolioSim, PortfolioSimError> {
    simulate_blocks(pp, cfg, 0..u64::MAX, sink)
}

/// Run only the blocks `blocks` (clamped to the run's blocks) of the run `cfg` describes: one
/// share of a split run ([`payback_sim::split`]). Merging the shares with
/// [`PortfolioSim::merge`] in block order gives exactly the whole run. Beyond the exact limit a
/// share that does not start at block 0 also projects block 0 (uncounted): its values set the
/// sketches' range.
pub fn simulate_blocks(
    pp: &PortfolioPlan,
    cfg: &Config,
    blocks: std::ops::Range<u64>,
    sink: &mut dyn SimSink,
) -> Result<PortfolioSim, PortfolioSimError> {
    if cfg.paths == 0 {
        return Err(PortfolioSimError::Sim(SimError::NoPaths));
    }
    let bs = BLOCK_SIZE as u64;
    let n_blocks = cfg.paths.div_ceil(bs);
    if n_blocks > 1u64 << STREAM_SHIFT {
        return Err(PortfolioSimError::TooManyPaths);
    }
    let pool = payback_sim::thread_pool(cfg.threads).map_err(PortfolioSimError::Sim)?;
    let threads = pool.current_num_threads().max(1);
    let block_len = |b: u64| -> usize { (cfg.paths - b * bs).min(bs) as usize };
    let exact = cfg.paths <= EXACT_LIMIT;
    let last = blocks.end.min(n_blocks);
    let first = blocks.start.min(last);
    let part_paths = payback_sim::split::paths_in(&(first..last), cfg.paths);
    let nm = pp.plans.len();
    let keep_paths = sink.wants_paths();
    // Block 0 runs first when the share starts with it, or (uncounted) for the sketches' range.
    let block0 = (first == 0 && last > 0 || !exact)
        .then(|| pool.install(|| run_block(pp, cfg, 0, block_len(0), keep_paths)));
    let mut summaries: Vec<Summary> = (0..=nm)
        .map(|m| {
            let q = if m < nm {
                horizon(&pp.plans[m].base)
            } else {
                pp.quarters.clone()
            };
            let outcomes = block0.as_ref().map(|b| b.outcomes[m].as_slice());
            Summary::for_outcomes(q, exact, outcomes)
        })
        .collect();
    // Each worker reduces its block against the summaries' modes and ranges; the fold
    // merges the parts in block order.
    let layouts: Vec<Summary> = summaries.iter().map(Summary::layout).collect();
    type Part = (Vec<SummaryPart>, Vec<u64>, Option<BlockPaths>);
    let part = |b: BlockOut| -> Part {
        let parts = layouts.iter().zip(&b.outcomes).map(|(l, o)| l.part(o));
        (parts.collect(), b.defaulted, b.paths)
    };
    let mut defaulted = vec![0u64; pp.defaults.len()];
    let done = |s: &[Summary]| s.first().map_or(0, |s| s.paths);
    let mut fold = |(parts, d, paths): Part| {
        for (s, p) in summaries.iter_mut().zip(&parts) {
            s.absorb(p);
        }
        for (a, x) in defaulted.iter_mut().zip(&d) {
            *a += x;
        }
        if let Some(p) = paths {
            sink.block_paths(&p)?;
        }
        sink.block_done(done(&summaries), part_paths)
    };
    let mut start = first;
    let mut stopped = false;
    if let Some(b0) = block0.filter(|_| first == 0 && last > 0) {
        stopped = fold(part(b0)).is_break();
        start = 1;
    }
    if !stopped {
        stopped = payback_sim::run_chunks(
            &pool,
            start..last,
            (threads * 2) as u64,
            |b| part(run_block(pp, cfg, b, block_len(b), keep_paths)),
            &mut fold,
        );
    }
    let members = summaries
        .into_iter()
        .enumerate()
        .map(|(m, summary)| {
            let inputs = if m < nm {
                pp.plans[m]
                    .inputs
                    .iter()
                    .map(|i| (i.path.clone(), i.dist.describe(), i.scale))
                    .collect()
            } else {
                pp.shared
                    .iter()
                    .map(|d| (d.path.clone(), d.dist.clone(), d.scale))
                    .collect()
            };
            let (id, label) = if m < nm {
                (pp.ids[m].clone(), pp.labels[m].clone())
            } else {
                ("industry".to_string(), "Industry".to_string())
            };
            let result = SimResult {
                config: *cfg,
                exact,
                stopped,
                inputs,
                events: pp.events,
                summary,
            };
            (id, label, result)
        })
        .collect();
    Ok(PortfolioSim {
        members,
        shared: pp.shared.clone(),
        shared_defaults: pp.shared_defaults.iter().cloned().zip(defaulted).collect(),
        notes: pp.notes.clone(),
    })
}

impl split::Merge for PortfolioSim {
    fn merge(&mut self, later: &PortfolioSim) {
        PortfolioSim::merge(self, later);
    }

    fn check(&self, run: &split::RunId, paths: u64) -> Result<(), String> {
        let Some(industry) = self.members.last() else {
            return Err("it has no members".to_string());
        };
        for (id, _, r) in &self.members {
            r.check(run, paths)
                .map_err(|e| format!("member `{id}`: {e}"))?;
            if r.summary.paths != industry.2.summary.paths {
                return Err(format!(
                    "member `{id}` counts other paths than the industry"
                ));
            }
        }
        if let Some((d, _)) = self.shared_defaults.iter().find(|d| d.1 > paths) {
            return Err(format!(
                "counterparty `{}` defaults on more paths than it has",
                d.counterparty
            ));
        }
        Ok(())
    }

    fn layout(&self) -> Vec<payback_sim::Acc> {
        self.members.iter().flat_map(|m| m.2.layout()).collect()
    }

    fn set_threads(&mut self, threads: Option<usize>) {
        for m in &mut self.members {
            m.2.config.threads = threads;
        }
    }
}

/// One member's report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MemberReport {
    /// Company id, or `industry`.
    pub id: String,
    /// Label.
    pub label: String,
    /// Its simulation report (no fan chart: `fan` is empty).
    pub report: SimReport,
}

/// A shared counterparty and how often it defaulted.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DefaultReport {
    /// The counterparty.
    #[serde(flatten)]
    pub counterparty: SharedDefault,
    /// Paths on which it defaulted within the industry's horizon.
    pub paths_defaulted: u64,
    /// Their share.
    pub probability: f64,
    /// Its Monte Carlo standard error.
    pub std_error: f64,
}

/// Everything a front end renders for a portfolio run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PortfolioSimReport {
    /// How company and shared streams are derived ([`STREAM_DESCRIPTION`]).
    pub stream: &'static str,
    /// Shared market drivers.
    pub shared_drivers: Vec<SharedDriver>,
    /// Shared counterparty defaults.
    pub shared_defaults: Vec<DefaultReport>,
    /// Notes.
    pub notes: Vec<String>,
    /// Companies in file order, then the industry.
    pub members: Vec<MemberReport>,
}

impl PortfolioSim {
    /// Merge the share of the same run that follows this one: every member's summary, and the
    /// shared defaults' counts.
    pub fn merge(&mut self, later: &PortfolioSim) {
        for (a, b) in self.members.iter_mut().zip(&later.members) {
            a.2.merge(&b.2);
        }
        for (a, b) in self.shared_defaults.iter_mut().zip(&later.shared_defaults) {
            a.1 += b.1;
        }
    }

    /// The report front ends render.
    pub fn report(&self) -> PortfolioSimReport {
        let paths = self.members.first().map_or(0, |m| m.2.summary.paths);
        let n = paths.max(1) as f64;
        PortfolioSimReport {
            stream: STREAM_DESCRIPTION,
            shared_drivers: self.shared.clone(),
            shared_defaults: self
                .shared_defaults
                .iter()
                .map(|(d, k)| {
                    let p = *k as f64 / n;
                    DefaultReport {
                        counterparty: d.clone(),
                        paths_defaulted: *k,
                        probability: p,
                        std_error: libm::sqrt(p * (1.0 - p) / n),
                    }
                })
                .collect(),
            notes: self.notes.clone(),
            members: self
                .members
                .iter()
                .map(|(id, label, r)| {
                    let mut report = r.report();
                    report.fan.clear();
                    MemberReport {
                        id: id.clone(),
                        label: label.clone(),
                        report,
                    }
                })
                .collect(),
        }
    }
}
