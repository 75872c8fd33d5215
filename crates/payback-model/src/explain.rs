//! Tracing an output figure to the terms of its formula, down to the inputs.
//!
//! `payback explain fcf@2030Q2` asks [`explain`] for a tree: each node is a figure with its
//! value, unit and the formula that makes it from its children; leaves are either other
//! output series (explainable in turn) or scenario inputs, named by parameter path so the
//! front end can print their provenance. The formulas are those of `docs/model/`, written the
//! same way.

use crate::engine::pricing;
use crate::projection::Quarterly;
use crate::scenario::{AgentPricing, PriceMode, Scenario};
use crate::{Projection, Quarter};
use std::fmt;

/// One figure and the terms it is made of.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Explanation {
    /// What the figure is (`fcf`, `power price`).
    pub label: String,
    /// Its value.
    pub value: f64,
    /// Its unit.
    pub unit: String,
    /// How it is computed from `terms` (empty for an input).
    pub formula: String,
    /// The terms, in the order the formula names them.
    pub terms: Vec<Explanation>,
    /// The parameter path when the figure is a scenario input.
    pub input: Option<String>,
}

/// Why a figure could not be explained.
#[derive(Debug, Clone, PartialEq)]
pub enum ExplainError {
    /// No output series has that name.
    UnknownFigure {
        /// What was asked.
        name: String,
        /// Close names.
        suggestions: Vec<String>,
    },
    /// The quarter is outside the projection.
    OutsideHorizon {
        /// What was asked.
        quarter: Quarter,
        /// First projected quarter.
        start: Quarter,
        /// Last projected quarter.
        end: Quarter,
    },
}

impl fmt::Display for ExplainError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExplainError::UnknownFigure { name, suggestions } => {
                write!(f, "no output figure is called `{name}`")?;
                if !suggestions.is_empty() {
                    write!(f, " (did you mean {}?)", suggestions.join(", "))?;
                }
                Ok(())
            }
            ExplainError::OutsideHorizon {
                quarter,
                start,
                end,
            } => {
                write!(f, "{quarter} is outside the projection ({start} ..= {end})")
            }
        }
    }
}

impl std::error::Error for ExplainError {}

fn leaf(label: &str, value: f64, unit: &str) -> Explanation {
    Explanation {
        label: label.to_string(),
        value,
        unit: unit.to_string(),
        formula: String::new(),
        terms: Vec::new(),
        input: None,
    }
}

fn input(path: &str, value: f64, unit: &str) -> Explanation {
    Explanation {
        input: Some(path.to_string()),
        ..leaf(path, value, unit)
    }
}

fn node(
    label: &str,
    value: f64,
    unit: &str,
    formula: &str,
    terms: Vec<Explanation>,
) -> Explanation {
    Explanation {
        formula: formula.to_string(),
        terms,
        ..leaf(label, value, unit)
    }
}

/// A quarterly series as a leaf, with its unit and meaning.
fn series(q: &Quarterly, name: &str, t: usize) -> Explanation {
    let col = q.columns().into_iter().find(|c| c.name == name);
    match col {
        Some(c) => Explanation {
            formula: c.doc.to_string(),
            ..leaf(name, c.values[t], c.unit)
        },
        None => leaf(name, 0.0, ""),
    }
}

/// Close names by edit distance, for suggestions.
pub fn suggest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut scored: Vec<(usize, &str)> = candidates
        .into_iter()
        .map(|c| (edit_distance(name, c), c))
        .filter(|(d, c)| *d <= 2 + c.len() / 4 || c.contains(name))
        .collect();
    scored.sort();
    scored
        .into_iter()
        .take(3)
        .map(|(_, c)| format!("`{c}`"))
        .collect()
}

/// Levenshtein distance.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// Parse `fcf@2030Q2` into a figure name and a quarter.
pub fn parse_target(target: &str) -> Option<(&str, Quarter)> {
    let (name, q) = target.split_once('@')?;
    Some((name, Quarter::parse(q).ok()?))
}

/// Explain the output series `figure` in `quarter` of projection `p` of scenario `s`.
pub fn explain(
    s: &Scenario,
    p: &Projection,
    figure: &str,
    quarter: Quarter,
) -> Result<Explanation, ExplainError> {
    let (Some(first), Some(last)) = (p.quarters.first(), p.quarters.last()) else {
        return Err(ExplainError::OutsideHorizon {
            quarter,
            start: s.scenario.start,
            end: s.scenario.end,
        });
    };
    if quarter < *first || quarter > *last {
        return Err(ExplainError::OutsideHorizon {
            quarter,
            start: *first,
            end: *last,
        });
    }
    if Quarterly::NAMES.iter().all(|n| *n != figure) {
        return Err(ExplainError::UnknownFigure {
            name: figure.to_string(),
            suggestions: suggest(figure, Quarterly::NAMES.iter().copied()),
        });
    }
    let t = first.quarters_until(quarter) as usize;
    Ok(Tracer { s, p, t }.figure(figure, 3))
}

struct Tracer<'a> {
    s: &'a Scenario,
    p: &'a Projection,
    t: usize,
}

impl Tracer<'_> {
    fn v(&self, name: &str) -> f64 {
        self.p.q.get(name).map_or(0.0, |v| v[self.t])
    }

    fn t_rel(&self) -> i32 {
        self.t as i32
    }

    /// Explain `name`, expanding `depth` levels of sub-formulas.
    fn figure(&self, name: &str, depth: u32) -> Explanation {
        let q = &self.p.q;
        let t = self.t;
        let sub = |n: &str| {
            if depth > 0 {
                self.figure(n, depth - 1)
            } else {
                series(q, n, t)
            }
        };
        let e = |label: &str, formula: &str, terms: Vec<Explanation>| {
            node(label, self.v(label), unit_of(q, label), formula, terms)
        };
        match name {
            "fcf" => e(
                "fcf",
                "ocf - capex + salvage",
                vec![sub("ocf"), sub("capex"), sub("salvage")],
            ),
            "ocf" => e(
                "ocf",
                "ebitda - tax + deferred_revenue_change",
                vec![sub("ebitda"), sub("tax"), sub("deferred_revenue_change")],
            ),
            "ebitda" => e(
                "ebitda",
                "revenue - power - opex",
                vec![sub("revenue"), sub("power"), sub("opex")],
            ),
            "ebit" => e(
                "ebit",
                "ebitda - depreciation - impairment",
                vec![sub("ebitda"), sub("depreciation"), sub("impairment")],
            ),
            "revenue" => e(
                "revenue",
                "revenue_contracts + revenue_pipeline + revenue_tiers + revenue_inference + \
                 revenue_agents + revenue_forfeited",
                [
                    "revenue_contracts",
                    "revenue_pipeline",
                    "revenue_tiers",
                    "revenue_inference",
                    "revenue_agents",
                    "revenue_forfeited",
                ]
                .iter()
                .map(|n| sub(n))
                .collect(),
            ),
            "tax" => self.tax(depth),
            "power" => self.power(),
            "opex" => e(
                "opex",
                "opex_datacenter + opex_agents",
                vec![sub("opex_datacenter"), sub("opex_agents")],
            ),
            "opex_datacenter" => e(
                "opex_datacenter",
                "opex.rate / 4 x (cost of accelerators in service + shell cost of megawatts in \
                 service and not mothballed)",
                vec![
                    input("opex.rate", self.s.opex.rate, "1/year"),
                    series(q, "mw_mothballed", t),
                ],
            ),
            "depreciation" => e(
                "depreciation",
                "depreciation_accelerators + depreciation_facilities",
                vec![
                    sub("depreciation_accelerators"),
                    sub("depreciation_facilities"),
                ],
            ),
            "capex" => self.capex(),
            "revenue_tiers" => self.tiers(depth),
            "revenue_contracts" => self.contracts(),
            "revenue_inference" => self.inference(),
            "revenue_agents" => self.agents(),
            "p_ref" => self.p_ref(),
            "markup" => self.markup(),
            "utilization" => e(
                "utilization",
                "served / capacity",
                vec![sub("served"), series(q, "capacity", t)],
            ),
            "served" => e(
                "served",
                "served_contracts + served_pipeline + served_inference + served_agents + \
                 served_internal + served_tiers",
                [
                    "served_contracts",
                    "served_pipeline",
                    "served_inference",
                    "served_agents",
                    "served_internal",
                    "served_tiers",
                ]
                .iter()
                .map(|n| series(q, n, t))
                .collect(),
            ),
            "rpo" if t > 0 => {
                let prev = leaf("rpo (previous quarter)", q.rpo[t - 1], "USD");
                e(
                    "rpo",
                    "rpo (previous quarter) + bookings - rpo_recognised - rpo_cancelled",
                    vec![
                        prev,
                        sub("bookings"),
                        sub("rpo_recognised"),
                        sub("rpo_cancelled"),
                    ],
                )
            }
            "fcf_cumulative" if t > 0 => e(
                "fcf_cumulative",
                "fcf_cumulative (previous quarter) + fcf",
                vec![
                    leaf(
                        "fcf_cumulative (previous quarter)",
                        q.fcf_cumulative[t - 1],
                        "USD",
                    ),
                    sub("fcf"),
                ],
            ),
            "economic_fcf" => e(
                "economic_fcf",
                "fcf - equity_investment",
                vec![sub("fcf"), sub("equity_investment")],
            ),
            "run_rate" => e("run_rate", "revenue x 4", vec![sub("revenue")]),
            "capacity" => e(
                "capacity",
                "sum over accelerators in service of count x perf x 2190 h x availability",
                vec![series(q, "accelerators_in_service", t)],
            ),
            _ => series(q, name, t),
        }
    }

    fn tax(&self, depth: u32) -> Explanation {
        let s = self.s;
        let ebit = if depth > 0 {
            self.figure("ebit", depth - 1)
        } else {
            series(&self.p.q, "ebit", self.t)
        };
        let rate = input("scenario.tax_rate", s.scenario.tax_rate, "ratio");
        let formula = match s.scenario.tax {
            crate::scenario::TaxMode::Group => {
                "scenario.tax_rate x ebit (group: a loss is a tax benefit)"
            }
            crate::scenario::TaxMode::Standalone => {
                "scenario.tax_rate x max(0, ebit - losses carried forward) (standalone)"
            }
        };
        node(
            "tax",
            self.v("tax"),
            "USD",
            formula,
            vec![rate, ebit, series(&self.p.q, "tax_losses_carried", self.t)],
        )
    }

    fn power(&self) -> Explanation {
        let s = self.s;
        let price = pricing::power_price(s, self.t_rel());
        node(
            "power",
            self.v("power"),
            "USD",
            "mw_occupied x facilities.pue x (power.idle_draw + (1 - power.idle_draw) x utilization) \
             x 2190 h x power price",
            vec![
                series(&self.p.q, "mw_occupied", self.t),
                input("facilities.pue", s.facilities.pue, "ratio"),
                input("power.idle_draw", s.power.idle_draw, "ratio"),
                series(&self.p.q, "utilization", self.t),
                node(
                    "power price",
                    price,
                    "USD/MWh",
                    "power.price_per_mwh x (1 + power.escalation)^(quarters since start / 4)",
                    vec![
                        input("power.price_per_mwh", s.power.price_per_mwh, "USD/MWh"),
                        input("power.escalation", s.power.escalation, "1/year"),
                    ],
                ),
            ],
        )
    }

    fn capex(&self) -> Explanation {
        let s = self.s;
        let quarter = self.p.quarters[self.t];
        let mut terms = Vec::new();
        for (k, tr) in s.capex.iter().enumerate() {
            if tr.quarters.contains(&quarter) {
                let per_q = tr.amount * tr.ai_share / tr.quarters.len() as f64;
                terms.push(node(
                    &format!("capex.{k} ({}) this quarter", tr.period_label),
                    per_q,
                    "USD",
                    "amount x ai_share / quarters in the period (the facility part capped by the \
                     megawatts its accelerators need; the rest unspent)",
                    vec![
                        input(&format!("capex.{k}.amount"), tr.amount, "USD"),
                        input(&format!("capex.{k}.ai_share"), tr.ai_share, "ratio"),
                    ],
                ));
            }
        }
        terms.push(series(&self.p.q, "capex_unspent", self.t));
        node(
            "capex",
            self.v("capex"),
            "USD",
            "capex_accelerators + capex_facilities = tranche spend this quarter - unspent \
             facility budget (+ after_plan replacements)",
            terms,
        )
    }

    fn tiers(&self, depth: u32) -> Explanation {
        let price = self.v("p_ref") * self.v("markup");
        let mut terms = vec![
            if depth > 0 {
                self.p_ref()
            } else {
                series(&self.p.q, "p_ref", self.t)
            },
            if depth > 0 {
                self.markup()
            } else {
                series(&self.p.q, "markup", self.t)
            },
        ];
        for (k, tier) in self.p.tiers.iter().enumerate() {
            let t_in = &self.s.tiers[k];
            terms.push(node(
                &format!("tier {}", tier.name),
                tier.revenue[self.t],
                "USD",
                "served hours x p_ref x markup x m_t, m_t = 1 + (premium - 1) x (1 - \
                 premium_decay)^(t/4)",
                vec![
                    leaf("served hours", tier.served[self.t], "ref-hours"),
                    leaf("price p_ref x markup", price, "USD/ref-hour"),
                    node(
                        "m_t",
                        tier.multiplier[self.t],
                        "ratio",
                        "1 + (premium - 1) x (1 - premium_decay)^(t/4)",
                        vec![
                            input(
                                &format!("tiers.{}.premium", tier.name),
                                t_in.premium,
                                "ratio",
                            ),
                            input(
                                &format!("tiers.{}.premium_decay", tier.name),
                                t_in.premium_decay,
                                "1/year",
                            ),
                        ],
                    ),
                ],
            ));
        }
        node(
            "revenue_tiers",
            self.v("revenue_tiers"),
            "USD",
            "sum over tiers",
            terms,
        )
    }

    fn contracts(&self) -> Explanation {
        let terms = self
            .p
            .contracts
            .iter()
            .map(|c| {
                node(
                    &format!("contract {}", c.name),
                    c.revenue[self.t],
                    "USD",
                    "weight x survival x reserved hours x price x max(usage, take_or_pay) x \
                     delivered share (renewals included)",
                    vec![
                        leaf("price of the first term", c.price, "USD/ref-hour"),
                        input(
                            &format!("contracts.{}.take_or_pay", c.name),
                            self.s
                                .contracts
                                .iter()
                                .find(|x| x.name == c.name)
                                .map_or(0.0, |x| x.take_or_pay),
                            "ratio",
                        ),
                    ],
                )
            })
            .collect();
        node(
            "revenue_contracts",
            self.v("revenue_contracts"),
            "USD",
            "sum over named contracts",
            terms,
        )
    }

    fn inference(&self) -> Explanation {
        let q = &self.p.q;
        let t = self.t;
        let Some(x) = &self.s.inference else {
            return node(
                "revenue_inference",
                0.0,
                "USD",
                "no [inference] in the scenario",
                vec![],
            );
        };
        let price = node(
            "inference_price",
            q.inference_price[t],
            "USD/Mtok",
            "max(inference.price x (1 - price_decline)^(t/4), floor); floor = p_ref (previous \
             quarter) / (1 + market_margin) / tokens_per_ref_hour x 1e6 x (1 + min_margin)",
            vec![
                input("inference.price", x.price, "USD/Mtok"),
                input("inference.price_decline", x.price_decline, "1/year"),
                series(q, "inference_price_floor", t),
                input("inference.min_margin", x.min_margin, "ratio"),
            ],
        );
        let tokens = node(
            "inference_tokens",
            q.inference_tokens[t],
            "tokens",
            "raw x max_tokens / (raw + max_tokens) x served share; raw = tokens x G(t) x \
             (price / inference.price)^elasticity",
            vec![
                input("inference.tokens", x.tokens, "tokens"),
                input("inference.elasticity", x.elasticity, ""),
                input("inference.max_tokens", x.max_tokens, "tokens"),
                series(q, "served_inference", t),
                series(q, "demand_inference", t),
            ],
        );
        node(
            "revenue_inference",
            q.revenue_inference[t],
            "USD",
            "inference_tokens x inference_price / 1e6",
            vec![tokens, price],
        )
    }

    fn agents(&self) -> Explanation {
        let q = &self.p.q;
        let t = self.t;
        let Some(a) = &self.s.agents else {
            return node(
                "revenue_agents",
                0.0,
                "USD",
                "no [agents] in the scenario",
                vec![],
            );
        };
        let price_terms = match a.pricing {
            AgentPricing::Fixed(p) => vec![input("agents.price", p, "USD/seat-month")],
            AgentPricing::Value {
                hours_saved_per_month,
                hourly_cost,
                capture_share,
            } => vec![
                input(
                    "agents.value.hours_saved_per_month",
                    hours_saved_per_month,
                    "hours",
                ),
                input("agents.value.hourly_cost", hourly_cost, "USD/hour"),
                input("agents.value.capture_share", capture_share, "ratio"),
            ],
        };
        node(
            "revenue_agents",
            q.revenue_agents[t],
            "USD",
            "agent_seats x 3 months x agent_price x served share of their compute",
            vec![
                node(
                    "agent_seats",
                    q.agent_seats[t],
                    "seats",
                    "Bass: new = (p/4 + q/4 x N/M) x (M' - N), churn 1 - (1 - churn)^(1/4); M' = \
                     pilot_share x M before production_start",
                    vec![
                        input("agents.market", a.market, "seats"),
                        input("agents.p", a.p, "1/year"),
                        input("agents.q", a.q, "1/year"),
                        input("agents.churn", a.churn, "1/year"),
                        input("agents.pilot_share", a.pilot_share, "ratio"),
                    ],
                ),
                node(
                    "agent_price",
                    q.agent_price[t],
                    "USD/seat-month",
                    "pilot_price before production_start; then fixed or hours_saved x \
                     hourly_cost x capture_share",
                    price_terms,
                ),
            ],
        )
    }

    fn p_ref(&self) -> Explanation {
        let s = self.s;
        let abs = pricing::abs_index(self.p.quarters[self.t]);
        let value = self.v("p_ref");
        match s.compute.price_mode {
            PriceMode::Path {
                start_price,
                decline,
                floor,
            } => node(
                "p_ref",
                value,
                "USD/ref-hour",
                "max(compute.start_price x (1 - compute.decline)^(t/4), compute.floor)",
                vec![
                    input("compute.start_price", start_price, "USD/ref-hour"),
                    input("compute.decline", decline, "1/year"),
                    input("compute.floor", floor, "USD/ref-hour"),
                ],
            ),
            PriceMode::CostPlus => {
                let g = pricing::newest_on_sale(s, abs);
                let gen_ = &s.generations[g];
                let c = pricing::unit_costs(s, g, pricing::power_price(s, self.t_rel()));
                let decline = self.p.summary.expected_decline;
                let f = pricing::front_loading(
                    s.scenario.discount_rate,
                    decline,
                    gen_.pricing_life_years,
                );
                let path = |k: &str| format!("generations.{}.{k}", gen_.name);
                node(
                    "p_ref",
                    value,
                    "USD/ref-hour",
                    "L x F x (1 + compute.market_margin): L = (capital + shell + opex + power) per \
                     quarter / sellable hours of the newest generation on sale",
                    vec![
                        node(
                            &format!("L, levelised full cost of {}", gen_.name),
                            c.full_per_hour(),
                            "USD/ref-hour",
                            "(capital + shell + opex + power) / (2190 x availability x \
                             expected_utilization x perf)",
                            vec![
                                node(
                                    "capital",
                                    c.capital,
                                    "USD/quarter",
                                    "unit_cost x capital recovery over pricing_life_years at the \
                                     discount rate",
                                    vec![
                                        input(&path("unit_cost"), gen_.unit_cost, "USD"),
                                        input(
                                            &path("pricing_life_years"),
                                            gen_.pricing_life_years,
                                            "years",
                                        ),
                                        input(
                                            "scenario.discount_rate",
                                            s.scenario.discount_rate,
                                            "1/year",
                                        ),
                                    ],
                                ),
                                node(
                                    "shell",
                                    c.shell,
                                    "USD/quarter",
                                    "power_kw / 1000 x facilities.cost_per_mw x capital recovery \
                                     over facilities.life_years",
                                    vec![
                                        input(&path("power_kw"), gen_.power_kw, "kW"),
                                        input(
                                            "facilities.cost_per_mw",
                                            s.facilities.cost_per_mw,
                                            "USD/MW",
                                        ),
                                    ],
                                ),
                                node(
                                    "opex",
                                    c.opex,
                                    "USD/quarter",
                                    "opex.rate / 4 x (unit_cost + shell cost)",
                                    vec![input("opex.rate", s.opex.rate, "1/year")],
                                ),
                                node(
                                    "power",
                                    c.power,
                                    "USD/quarter",
                                    "power_kw / 1000 x pue x 2190 x power price",
                                    vec![input(
                                        "power.price_per_mwh",
                                        s.power.price_per_mwh,
                                        "USD/MWh",
                                    )],
                                ),
                                node(
                                    "sellable hours",
                                    c.sellable_hours,
                                    "ref-hours/quarter",
                                    "2190 x availability x expected_utilization x perf",
                                    vec![
                                        input(&path("perf"), gen_.perf, "H100 = 1"),
                                        input(&path("availability"), gen_.availability, "ratio"),
                                        input(
                                            "compute.expected_utilization",
                                            s.compute.expected_utilization,
                                            "ratio",
                                        ),
                                    ],
                                ),
                            ],
                        ),
                        node(
                            "F, front-loading factor",
                            f,
                            "ratio",
                            "sum df_k / sum (1 - expected_decline)^(k/4) df_k over the pricing life",
                            vec![leaf("expected_decline", decline, "1/year")],
                        ),
                        input("compute.market_margin", s.compute.market_margin, "ratio"),
                    ],
                )
            }
        }
    }

    fn markup(&self) -> Explanation {
        let s = self.s;
        let q = &self.p.q;
        let t = self.t;
        let mut terms = vec![
            input("compute.pricing_power", s.compute.pricing_power, ""),
            input("compute.markup_cap", s.compute.markup_cap, "ratio"),
        ];
        if t > 0 {
            let demand = q.demand_contracts[t - 1]
                + q.demand_pipeline[t - 1]
                + q.demand_internal[t - 1]
                + q.demand_inference[t - 1]
                + q.demand_agents[t - 1]
                + q.demand_tiers[t - 1];
            terms.push(leaf("demand (previous quarter)", demand, "ref-hours"));
            terms.push(leaf(
                "capacity (previous quarter)",
                q.capacity[t - 1],
                "ref-hours",
            ));
        }
        node(
            "markup",
            q.markup[t],
            "ratio",
            "clamp((demand / capacity of the previous quarter)^pricing_power, floor, cap); floor \
             = the newest generation's cash cost per hour / p_ref; 1 in the first quarter",
            terms,
        )
    }
}

fn unit_of(q: &Quarterly, name: &str) -> &'static str {
    q.columns()
        .into_iter()
        .find(|c| c.name == name)
        .map_or("", |c| c.unit)
}
