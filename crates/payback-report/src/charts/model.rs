//! The deterministic charts, drawn from finished runs.
//!
//! The J-curve shows every run; the others show one run (the first, the base case, in a
//! report). A chart with nothing to show (the power queue of a scenario that never waits for
//! megawatts, token prices without inference) is left out by [`all`].

use payback_model::Projection;
use payback_model::finance::Payback;

use super::palette::{self, CAPEX, INK, MUTED};
use super::time::{Axis, Layer, Marker, Place, Stroke, TimeChart};
use super::{Chart, ChartError, count_scale, max_abs, money_scale};
use crate::Run;
use crate::fmt;

/// Every chart worth drawing for `runs`: the J-curve over all runs, then the first run's
/// flywheel, capacity, RPO, token economics, depreciation, vintages and power queue.
///
/// # Errors
/// Only on a drawing bug.
pub fn all(runs: &[Run<'_>]) -> Result<Vec<Chart>, ChartError> {
    let mut out = Vec::new();
    let Some(base) = runs.first() else {
        return Ok(out);
    };
    out.push(j_curve(runs)?);
    out.push(flywheel(base)?);
    out.push(capacity(base)?);
    out.push(rpo(base)?);
    if has_tokens(base.projection) {
        out.push(tokens(base)?);
    }
    out.push(depreciation(base)?);
    if base.projection.vintages.iter().any(|v| v.capex > 0.0) {
        out.push(vintages(base)?);
    }
    if has_power_queue(base.projection) {
        out.push(power_queue(base)?);
    }
    Ok(out)
}

/// Whether the projection serves any tokens.
pub fn has_tokens(p: &Projection) -> bool {
    p.q.inference_tokens.iter().any(|t| *t > 0.0)
}

/// Whether hardware ever waits for megawatts.
pub fn has_power_queue(p: &Projection) -> bool {
    p.q.queued_accelerators.iter().any(|a| *a > 0.0)
}

fn subtitle(run: &Run<'_>, text: &str) -> String {
    format!("{} — {text}", run.label)
}

/// Short payback words for a legend: `2034Q3`, `not within horizon`, `never negative`.
pub fn payback_short(p: &Projection) -> String {
    match (&p.summary.payback, p.summary.payback_quarter) {
        (Payback::Reached { .. }, Some(q)) => q.to_string(),
        (Payback::Reached { .. }, None) => fmt::NONE.to_string(),
        (Payback::NeverNegative, _) => "never negative".to_string(),
        (Payback::NotWithinHorizon { .. }, _) => "not within horizon".to_string(),
    }
}

/// Index of the quarter of peak funding, when the cumulative goes negative.
fn peak_index(p: &Projection) -> Option<usize> {
    let s = &p.summary.peak_funding;
    if s.value.abs() <= 0.0 {
        return None;
    }
    let first = *p.quarters.first()?;
    usize::try_from(first.quarters_until(s.quarter)).ok()
}

/// The J-curve: cumulative FCF of every run, with each payback quarter (dashed vertical
/// line) and each peak funding need (a dot at the low) marked.
pub fn j_curve(runs: &[Run<'_>]) -> Result<Chart, ChartError> {
    let mut layers = Vec::new();
    let mut markers = Vec::new();
    let mut quarters = Vec::new();
    for (i, run) in runs.iter().enumerate() {
        let p = run.projection;
        if p.quarters.len() > quarters.len() {
            quarters.clone_from(&p.quarters);
        }
        let color = palette::run(i);
        let peak = p.summary.peak_funding.value.abs();
        layers.push(Layer::line(
            format!(
                "{}: payback {}, peak funding {}",
                run.label,
                payback_short(p),
                fmt::money_b(peak)
            ),
            &p.q.fcf_cumulative,
            color,
        ));
        if let (Payback::Reached { period, .. }, Some(q)) =
            (&p.summary.payback, p.summary.payback_quarter)
        {
            markers.push(Marker {
                quarter: *period,
                value: p.q.fcf_cumulative.get(*period).copied().unwrap_or(0.0),
                label: format!("{} pays back {q}", run.label),
                color,
                place: Place::Vertical(u8::try_from(i).unwrap_or(u8::MAX)),
            });
        }
        if let Some(k) = peak_index(p) {
            markers.push(Marker {
                quarter: k,
                value: p.q.fcf_cumulative.get(k).copied().unwrap_or(0.0),
                label: format!("−{}", fmt::money_b(peak)),
                color,
                place: Place::Below,
            });
        }
    }
    let all: Vec<f64> = runs
        .iter()
        .flat_map(|r| r.projection.q.fcf_cumulative.iter().copied())
        .collect();
    let scale = money_scale(max_abs(&all));
    let start = quarters
        .first()
        .map(ToString::to_string)
        .unwrap_or_default();
    let chart = TimeChart {
        title: "J-curve: cumulative free cash flow".into(),
        subtitle: format!(
            "Undiscounted, from {start}, no terminal value; dots mark the peak funding need, dashed lines the payback quarter"
        ),
        quarters,
        left: Axis::scaled(&scale, " (cumulative)"),
        right: None,
        layers,
        markers,
    };
    Ok(Chart {
        name: "jcurve",
        title: chart.title.clone(),
        caption: "Cumulative free cash flow of each run: the programme pays back when its curve \
                  comes back to zero; the low point is the peak funding need."
            .into(),
        svg: chart.render()?,
    })
}

/// The flywheel: revenue per quarter stacked by lever, with capex as bars below zero.
pub fn flywheel(run: &Run<'_>) -> Result<Chart, ChartError> {
    let p = run.projection;
    let q = &p.q;
    let mut levers: Vec<(String, &[f64])> = vec![
        ("Contracts".into(), &q.revenue_contracts),
        ("Pipeline".into(), &q.revenue_pipeline),
    ];
    for t in &p.tiers {
        levers.push((format!("Tier: {}", t.name), &t.revenue));
    }
    levers.push(("Inference".into(), &q.revenue_inference));
    levers.push(("Agents".into(), &q.revenue_agents));
    levers.push(("Forfeited prepayments".into(), &q.revenue_forfeited));
    let mut layers: Vec<Layer> = levers
        .into_iter()
        .filter(|(_, v)| v.iter().any(|x| *x > 0.0))
        .enumerate()
        .map(|(i, (label, values))| Layer::Stack {
            label,
            values: values.to_vec(),
            color: palette::layer(i),
        })
        .collect();
    layers.push(Layer::Bars {
        label: "Capex (below zero)".into(),
        values: q.capex.iter().map(|c| -c).collect(),
        color: CAPEX,
    });
    let top = q
        .revenue
        .iter()
        .chain(&q.capex)
        .fold(0.0_f64, |m, v| m.max(v.abs()));
    let scale = money_scale(top);
    let chart = TimeChart {
        title: "Flywheel: revenue by lever, capex beneath".into(),
        subtitle: subtitle(
            run,
            "revenue per quarter stacked by lever; capex per quarter below zero",
        ),
        quarters: p.quarters.clone(),
        left: Axis::scaled(&scale, " per quarter"),
        right: None,
        layers,
        markers: Vec::new(),
    };
    Ok(Chart {
        name: "flywheel",
        title: chart.title.clone(),
        caption: "Where the revenue comes from, quarter by quarter, against the capex that buys \
                  the capacity."
            .into(),
        svg: chart.render()?,
    })
}

/// Capacity against demand (reference-hours) and utilization on the right axis.
pub fn capacity(run: &Run<'_>) -> Result<Chart, ChartError> {
    let p = run.projection;
    let q = &p.q;
    let demand: Vec<f64> = q
        .served
        .iter()
        .zip(&q.unserved)
        .map(|(s, u)| s + u)
        .collect();
    let scale = count_scale(max_abs(q.capacity.iter().chain(&demand)), "reference-hours");
    let chart = TimeChart {
        title: "Capacity vs demand, and utilization".into(),
        subtitle: subtitle(
            run,
            "sellable capacity and demand per quarter; utilization = served / capacity",
        ),
        quarters: p.quarters.clone(),
        left: Axis::scaled(&scale, " per quarter"),
        right: Some(Axis {
            range: Some((0.0, 1.05)),
            ..Axis::percent("Utilization (%)")
        }),
        layers: vec![
            Layer::line("Capacity", &q.capacity, palette::BASE),
            Layer::line("Demand (served + unserved)", &demand, palette::BEAR),
            Layer::Line {
                label: "Served".into(),
                values: q.served.iter().map(|v| Some(*v)).collect(),
                color: palette::BULL,
                stroke: Stroke::Dashed,
                width: 2,
                right: false,
            },
            Layer::Line {
                label: "Utilization (right axis)".into(),
                values: q.utilization.iter().map(|v| Some(*v)).collect(),
                color: INK,
                stroke: Stroke::Solid,
                width: 2,
                right: true,
            },
        ],
        markers: Vec::new(),
    };
    Ok(Chart {
        name: "capacity",
        title: chart.title.clone(),
        caption: "Whether the capacity bought finds demand: demand above capacity goes unserved, \
                  capacity above demand sits idle."
            .into(),
        svg: chart.render()?,
    })
}

/// RPO (and risk-adjusted RPO) as lines, bookings as bars.
pub fn rpo(run: &Run<'_>) -> Result<Chart, ChartError> {
    let p = run.projection;
    let q = &p.q;
    let scale = money_scale(max_abs(q.rpo.iter().chain(&q.bookings)));
    let chart = TimeChart {
        title: "Remaining performance obligations and bookings".into(),
        subtitle: subtitle(
            run,
            "RPO at each quarter end; bookings (minimum value booked) per quarter",
        ),
        quarters: p.quarters.clone(),
        left: Axis::scaled(&scale, ""),
        right: None,
        layers: vec![
            Layer::Bars {
                label: "Bookings in the quarter".into(),
                values: q.bookings.clone(),
                color: palette::layer(1),
            },
            Layer::line("RPO", &q.rpo, palette::BASE),
            Layer::Line {
                label: "RPO, risk-adjusted".into(),
                values: q.rpo_risk_adjusted.iter().map(|v| Some(*v)).collect(),
                color: palette::BEAR,
                stroke: Stroke::Dashed,
                width: 3,
                right: false,
            },
        ],
        markers: Vec::new(),
    };
    Ok(Chart {
        name: "rpo",
        title: chart.title.clone(),
        caption: "Contracted revenue not yet recognised, and the new commitments booked each \
                  quarter."
            .into(),
        svg: chart.render()?,
    })
}

/// Inference price against cost per million tokens; the gap between them is the margin.
pub fn tokens(run: &Run<'_>) -> Result<Chart, ChartError> {
    let p = run.projection;
    let q = &p.q;
    let served = |i: usize| q.inference_tokens.get(i).is_some_and(|t| *t > 0.0);
    let price: Vec<Option<f64>> = q
        .inference_price
        .iter()
        .enumerate()
        .map(|(i, v)| served(i).then_some(*v))
        .collect();
    let cost = p.opt.inference_cost_per_mtok.clone();
    let floor: Vec<Option<f64>> = q
        .inference_price_floor
        .iter()
        .enumerate()
        .map(|(i, v)| (served(i) && *v > 0.0).then_some(*v))
        .collect();
    let (lo, hi): (Vec<f64>, Vec<f64>) = price
        .iter()
        .zip(&cost)
        .map(|(p, c)| match (p, c) {
            (Some(p), Some(c)) => (p.min(*c), p.max(*c)),
            _ => (0.0, 0.0),
        })
        .unzip();
    // Token prices fall by orders of magnitude: past a factor of 20 a log scale keeps the
    // later years readable.
    let positive = price.iter().chain(&cost).flatten().filter(|v| **v > 0.0);
    let (lo_v, hi_v) = positive.fold((f64::INFINITY, 0.0_f64), |(l, h), v| (l.min(*v), h.max(*v)));
    let log = lo_v.is_finite() && hi_v > 20.0 * lo_v;
    let chart = TimeChart {
        title: "Price vs cost per million tokens".into(),
        subtitle: subtitle(
            run,
            "inference price kept and full cost (power, opex, book depreciation); the shaded gap is the margin",
        ),
        quarters: p.quarters.clone(),
        left: Axis {
            desc: if log {
                "US$ per million tokens (log scale)".into()
            } else {
                "US$ per million tokens".into()
            },
            divisor: 1.0,
            percent: false,
            range: None,
            log,
        },
        right: None,
        layers: vec![
            Layer::Band {
                label: "Margin per million tokens".into(),
                lo,
                hi,
                color: palette::BULL,
                opacity: 0.18,
            },
            Layer::Line {
                label: "Price".into(),
                values: price,
                color: palette::BASE,
                stroke: Stroke::Solid,
                width: 3,
                right: false,
            },
            Layer::Line {
                label: "Cost".into(),
                values: cost,
                color: palette::BEAR,
                stroke: Stroke::Solid,
                width: 3,
                right: false,
            },
            Layer::Line {
                label: "Price floor".into(),
                values: floor,
                color: MUTED,
                stroke: Stroke::Dashed,
                width: 2,
                right: false,
            },
        ],
        markers: Vec::new(),
    };
    Ok(Chart {
        name: "tokens",
        title: chart.title.clone(),
        caption: "The margin per token: what a million tokens sells for against what it costs to \
                  serve."
            .into(),
        svg: chart.render()?,
    })
}

/// Book depreciation (with impairment) against economic depreciation, and the cumulative
/// gap on the right axis.
pub fn depreciation(run: &Run<'_>) -> Result<Chart, ChartError> {
    let p = run.projection;
    let q = &p.q;
    let book: Vec<f64> = q
        .depreciation
        .iter()
        .zip(&q.impairment)
        .map(|(d, i)| d + i)
        .collect();
    let mut gap = Vec::with_capacity(book.len());
    let mut acc = 0.0;
    for (b, e) in book.iter().zip(&q.economic_depreciation) {
        acc += b - e;
        gap.push(Some(acc));
    }
    let scale = money_scale(max_abs(book.iter().chain(&q.economic_depreciation)));
    let gap_scale = money_scale(max_abs(gap.iter().flatten()));
    let chart = TimeChart {
        title: "Book vs economic depreciation".into(),
        subtitle: subtitle(
            run,
            "per quarter; the right axis shows the cumulative gap (the useful-life gap)",
        ),
        quarters: p.quarters.clone(),
        left: Axis::scaled(&scale, " per quarter"),
        right: Some(Axis::scaled(&gap_scale, " cumulative (book − economic)")),
        layers: vec![
            Layer::line("Book depreciation + impairment", &book, palette::BASE),
            Layer::line(
                "Economic depreciation",
                &q.economic_depreciation,
                palette::BEAR,
            ),
            Layer::Line {
                label: "Cumulative gap (right axis)".into(),
                values: gap,
                color: INK,
                stroke: Stroke::Dashed,
                width: 2,
                right: true,
            },
        ],
        markers: Vec::new(),
    };
    Ok(Chart {
        name: "depreciation",
        title: chart.title.clone(),
        caption: "Whether the accounts depreciate the hardware as fast as its market value falls: \
                  a negative gap means the books flatter the economics."
            .into(),
        svg: chart.render()?,
    })
}

/// Each capex year's cumulative contribution as a share of its accelerator capex: a
/// vintage has paid back where its line crosses 100 %.
pub fn vintages(run: &Run<'_>) -> Result<Chart, ChartError> {
    let p = run.projection;
    let mut layers = vec![Layer::Level {
        label: "Capex recovered (100%)".into(),
        value: 1.0,
        color: INK,
    }];
    let shown: Vec<_> = p.vintages.iter().filter(|v| v.capex > 0.0).collect();
    let mut markers = Vec::new();
    for (i, v) in shown.iter().enumerate() {
        // Each crossing of 100% is labelled with its year, alternately above and below.
        let first = p.quarters.first().copied();
        if let (Some(q), Some(q0)) = (v.payback, first)
            && let Ok(k) = usize::try_from(q0.quarters_until(q))
            && let Some(c) = v.contribution_cumulative.get(k)
        {
            markers.push(Marker {
                quarter: k,
                value: c / v.capex,
                label: v.year.to_string(),
                color: palette::categorical(i),
                place: if i % 2 == 0 {
                    Place::Above
                } else {
                    Place::Below
                },
            });
        }
        let values: Vec<Option<f64>> = p
            .quarters
            .iter()
            .zip(&v.contribution_cumulative)
            .map(|(q, c)| (q.year() >= v.year).then(|| c / v.capex))
            .collect();
        let label = match v.payback {
            Some(q) => format!("{} (pays back {q})", v.year),
            None => format!("{} (not within horizon)", v.year),
        };
        layers.push(Layer::Line {
            label,
            values,
            color: palette::categorical(i),
            stroke: Stroke::Solid,
            width: 3,
            right: false,
        });
    }
    let chart = TimeChart {
        title: "Vintage payback: each capex year against its capex".into(),
        subtitle: subtitle(
            run,
            "cumulative pre-tax contribution of each year's accelerators, as a share of their capex",
        ),
        quarters: p.quarters.clone(),
        left: Axis::percent("Share of the vintage's capex recovered (%)"),
        right: None,
        layers,
        markers,
    };
    Ok(Chart {
        name: "vintages",
        title: chart.title.clone(),
        caption: "A programme that keeps investing can be cash negative while its early vintages \
                  have paid back: each line crossing 100% is a vintage that has."
            .into(),
        svg: chart.render()?,
    })
}

/// The power queue: accelerators ready but waiting for megawatts, and their cost.
pub fn power_queue(run: &Run<'_>) -> Result<Chart, ChartError> {
    let p = run.projection;
    let q = &p.q;
    let scale = count_scale(max_abs(&q.queued_accelerators), "accelerators");
    let cost_scale = money_scale(max_abs(&q.queued_cost));
    let chart = TimeChart {
        title: "Power queue: accelerators waiting for megawatts".into(),
        subtitle: subtitle(
            run,
            "hardware bought and ready but not in service for lack of power, at each quarter end",
        ),
        quarters: p.quarters.clone(),
        left: Axis::scaled(&scale, " waiting"),
        right: Some(Axis::scaled(&cost_scale, " carried at cost")),
        layers: vec![
            Layer::Stack {
                label: "Accelerators waiting".into(),
                values: q.queued_accelerators.clone(),
                color: palette::layer(2),
            },
            Layer::Line {
                label: "Cost of the queued hardware (right axis)".into(),
                values: q.queued_cost.iter().map(|v| Some(*v)).collect(),
                color: INK,
                stroke: Stroke::Dashed,
                width: 2,
                right: true,
            },
        ],
        markers: Vec::new(),
    };
    Ok(Chart {
        name: "power_queue",
        title: chart.title.clone(),
        caption:
            "Capex spent on hardware that cannot earn yet because the megawatts are not there."
                .into(),
        svg: chart.render()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::charts::{PNG_SCALE, outline, svg_texts, to_png};
    use crate::testing::{sample_projection, sample_settings};

    fn run<'a>(p: &'a Projection, s: &'a payback_model::scenario::Settings) -> Run<'a> {
        Run {
            label: "sample",
            settings: s,
            overlays: &[],
            projection: p,
            input_warnings: &[],
        }
    }

    #[test]
    fn every_chart_has_title_axes_and_legend() {
        let mut p = sample_projection();
        p.q.queued_accelerators[3] = 2000.0;
        p.q.queued_cost[3] = 60e6;
        p.q.inference_tokens = vec![1e12; 8];
        p.q.inference_price = vec![2.0, 1.8, 1.5, 1.2, 1.0, 0.9, 0.8, 0.7];
        p.opt.inference_cost_per_mtok = vec![Some(0.5); 8];
        p.opt.inference_cost_per_mtok[0] = None;
        let s = sample_settings();
        let runs = [run(&p, &s)];
        let charts = all(&runs).unwrap();
        let names: Vec<&str> = charts.iter().map(|c| c.name).collect();
        assert_eq!(
            names,
            [
                "jcurve",
                "flywheel",
                "capacity",
                "rpo",
                "tokens",
                "depreciation",
                "vintages",
                "power_queue"
            ]
        );
        for c in &charts {
            insta::assert_snapshot!(format!("chart_{}", c.name), outline(&c.svg));
            let texts = svg_texts(&c.svg);
            assert_eq!(texts.first(), Some(&c.title), "{}", c.name);
            assert!(
                texts.iter().any(|t| t.starts_with("Calendar year")),
                "{}: no x axis description",
                c.name
            );
            assert!(
                !c.svg.contains("NaN") && !c.svg.contains("=\"inf") && !c.svg.contains("=\"-inf"),
                "{}",
                c.name
            );
            let png = to_png(&c.svg, PNG_SCALE).unwrap();
            assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        }
        // Same inputs, same bytes.
        assert_eq!(charts, all(&runs).unwrap());
    }

    #[test]
    fn charts_without_data_are_left_out() {
        let p = sample_projection();
        let s = sample_settings();
        let names: Vec<&str> = all(&[run(&p, &s)])
            .unwrap()
            .iter()
            .map(|c| c.name)
            .collect();
        assert!(!names.contains(&"power_queue") && !names.contains(&"tokens"));
        assert!(all(&[]).unwrap().is_empty());
    }
}
