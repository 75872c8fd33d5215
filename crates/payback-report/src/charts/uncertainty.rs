//! The uncertainty charts, from plain data any Monte Carlo engine can fill: the fan chart of
//! cumulative FCF, the cumulative probability of payback by quarter, and the tornado of NPV
//! swings.
//!
//! Malformed data (series of the wrong length, levels out of order, non-finite numbers) is
//! drawn as far as it makes sense, never a panic: a series that does not match the quarters is
//! left out and a non-finite number is a gap.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use payback_model::Quarter;

use super::palette::{self, INK, MUTED};
use super::time::{
    Axis, DESC_PX, Layer, MARGIN, Place, SIZE, Stroke, Swatch, TICK_PX, TimeChart, draw_header,
    err, fit, font, text_width, tick,
};
use super::{Chart, ChartError, max_abs, money_scale};
use crate::fmt;

/// Percentiles of a quarterly series over the draws.
#[derive(Debug, Clone, PartialEq)]
pub struct Percentiles {
    /// The quarters.
    pub quarters: Vec<Quarter>,
    /// Percentile levels as fractions, ascending (`0.1, 0.25, 0.5, 0.75, 0.9`).
    pub levels: Vec<f64>,
    /// One series per level, each as long as `quarters`, in USD.
    pub values: Vec<Vec<f64>>,
    /// The deterministic run's series, drawn for comparison, if given.
    pub deterministic: Option<Vec<f64>>,
}

impl Percentiles {
    /// The series at `level` (within 1e-9), if present and complete.
    pub fn at(&self, level: f64) -> Option<&[f64]> {
        self.levels
            .iter()
            .position(|l| (l - level).abs() < 1e-9)
            .and_then(|i| self.values.get(i))
            .filter(|v| v.len() == self.quarters.len())
            .map(Vec::as_slice)
    }
}

/// The cumulative probability that the programme has paid back by each quarter.
#[derive(Debug, Clone, PartialEq)]
pub struct PaybackProbability {
    /// The quarters.
    pub quarters: Vec<Quarter>,
    /// Share of draws paid back by the end of each quarter, in `[0, 1]`, non-decreasing.
    pub cumulative: Vec<f64>,
}

impl PaybackProbability {
    /// The probability by the end of each calendar year: `(year, probability)` at the year's
    /// last quarter within the horizon.
    pub fn by_year(&self) -> Vec<(i32, f64)> {
        let mut out: Vec<(i32, f64)> = Vec::new();
        for (q, p) in self.quarters.iter().zip(&self.cumulative) {
            let p = if p.is_finite() {
                p.clamp(0.0, 1.0)
            } else {
                0.0
            };
            match out.last_mut() {
                Some((y, v)) if *y == q.year() => *v = p,
                _ => out.push((q.year(), p)),
            }
        }
        out
    }
}

/// One bar of the tornado: an input moved to its low and its high value.
#[derive(Debug, Clone, PartialEq)]
pub struct TornadoRow {
    /// The input (`demand.growth`), as the reader knows it.
    pub label: String,
    /// The low value, as text with its unit (`8%`).
    pub low: String,
    /// The high value, as text.
    pub high: String,
    /// NPV with the input at its low value, USD.
    pub npv_low: f64,
    /// NPV with the input at its high value, USD.
    pub npv_high: f64,
}

impl TornadoRow {
    /// `|npv_high - npv_low|`, 0 when not finite.
    pub fn swing(&self) -> f64 {
        let s = (self.npv_high - self.npv_low).abs();
        if s.is_finite() { s } else { 0.0 }
    }
}

/// NPV swings by input around the base NPV.
#[derive(Debug, Clone, PartialEq)]
pub struct Tornado {
    /// The NPV with every input at its base value, USD.
    pub base_npv: f64,
    /// The rows, in any order (drawn widest swing first).
    pub rows: Vec<TornadoRow>,
}

impl Tornado {
    /// The rows sorted by swing, widest first (ties by label, so the order is stable).
    pub fn sorted(&self) -> Vec<&TornadoRow> {
        let mut rows: Vec<&TornadoRow> = self.rows.iter().collect();
        rows.sort_by(|a, b| {
            b.swing()
                .total_cmp(&a.swing())
                .then_with(|| a.label.cmp(&b.label))
        });
        rows
    }
}

/// Everything the uncertainty part of a report shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Uncertainty {
    /// Number of draws behind the figures.
    pub draws: usize,
    /// Percentiles of cumulative FCF.
    pub fcf_cumulative: Percentiles,
    /// Probability of payback by quarter.
    pub payback: PaybackProbability,
    /// The tornado, if computed.
    pub tornado: Option<Tornado>,
}

impl Uncertainty {
    /// The fan chart of cumulative FCF and the payback probability from a `payback-sim`
    /// report (which computes no tornado). `deterministic` is the deterministic run's
    /// cumulative FCF, drawn for comparison. `None` when the report has no fan data.
    pub fn from_sim(
        r: &payback_sim::SimReport,
        deterministic: Option<&[f64]>,
    ) -> Option<Uncertainty> {
        let points: Vec<&payback_sim::FanPoint> = r
            .fan
            .iter()
            .filter(|p| p.series == "fcf_cumulative")
            .collect();
        let quarters: Vec<Quarter> = points.iter().map(|p| p.quarter).collect();
        if quarters.is_empty() {
            return None;
        }
        let levels = payback_sim::FAN_PERCENTILES.to_vec();
        let values: Vec<Vec<f64>> = (0..levels.len())
            .map(|k| {
                points
                    .iter()
                    .map(|p| p.stats.values.get(k).copied().flatten().unwrap_or(0.0))
                    .collect()
            })
            .collect();
        let n = r.paths.max(1) as f64;
        let mut done = 0u64;
        let cumulative = quarters
            .iter()
            .map(|q| {
                done += r
                    .payback_by_quarter
                    .iter()
                    .filter(|c| c.quarter == *q)
                    .map(|c| c.paths)
                    .sum::<u64>();
                done as f64 / n
            })
            .collect();
        Some(Uncertainty {
            draws: usize::try_from(r.paths).unwrap_or(usize::MAX),
            fcf_cumulative: Percentiles {
                quarters: quarters.clone(),
                levels,
                values,
                deterministic: deterministic
                    .filter(|d| d.len() == quarters.len())
                    .map(<[f64]>::to_vec),
            },
            payback: PaybackProbability {
                quarters,
                cumulative,
            },
            tornado: None,
        })
    }
}

/// The three uncertainty charts (the tornado only when it has rows).
///
/// # Errors
/// Only on a drawing bug.
pub fn all(u: &Uncertainty) -> Result<Vec<Chart>, ChartError> {
    let mut out = vec![
        fan(&u.fcf_cumulative, u.draws)?,
        payback_probability(&u.payback)?,
    ];
    if let Some(t) = u.tornado.as_ref().filter(|t| !t.rows.is_empty()) {
        out.push(tornado(t)?);
    }
    Ok(out)
}

fn pct_label(level: f64) -> String {
    format!("P{}", fmt::number(level * 100.0, 0))
}

/// The fan chart: bands between symmetric percentiles (P10–P90, P25–P75), the median as a
/// line, and the deterministic run dashed.
pub fn fan(p: &Percentiles, draws: usize) -> Result<Chart, ChartError> {
    let n = p.quarters.len();
    let complete: Vec<(f64, &Vec<f64>)> = p
        .levels
        .iter()
        .zip(&p.values)
        .filter(|(l, v)| v.len() == n && l.is_finite())
        .map(|(l, v)| (*l, v))
        .collect();
    let mut layers = Vec::new();
    let pairs = complete.len() / 2;
    for k in 0..pairs {
        let (lo_level, lo) = complete[k];
        let (hi_level, hi) = complete[complete.len() - 1 - k];
        layers.push(Layer::Band {
            label: format!("{}–{}", pct_label(lo_level), pct_label(hi_level)),
            lo: lo.clone(),
            hi: hi.clone(),
            color: palette::BASE,
            opacity: 0.16 + 0.14 * k as f64,
        });
    }
    if complete.len() % 2 == 1 {
        let (level, mid) = complete[pairs];
        let name = if (level - 0.5).abs() < 1e-9 {
            "Median (P50)".to_string()
        } else {
            pct_label(level)
        };
        layers.push(Layer::line(name, mid, palette::BASE));
    }
    if let Some(d) = p.deterministic.as_ref().filter(|d| d.len() == n) {
        layers.push(Layer::Line {
            label: "Deterministic run".into(),
            values: d.iter().map(|v| Some(*v)).collect(),
            color: palette::BEAR,
            stroke: Stroke::Dashed,
            width: 2,
            right: false,
        });
    }
    let scale = money_scale(max_abs(complete.iter().flat_map(|(_, v)| v.iter())));
    let chart = TimeChart {
        title: "Fan chart: cumulative free cash flow".into(),
        subtitle: format!(
            "Percentiles over {} draws at each quarter end; undiscounted, no terminal value",
            fmt::number(draws as f64, 0)
        ),
        quarters: p.quarters.clone(),
        left: Axis::scaled(&scale, " (cumulative)"),
        right: None,
        layers,
        markers: Vec::new(),
    };
    Ok(Chart {
        name: "fan",
        title: chart.title.clone(),
        caption: "The spread of cumulative free cash flow across the simulated draws: half of \
                  them fall in the darker band."
            .into(),
        svg: chart.render()?,
    })
}

/// The cumulative probability of payback by quarter, with the 50 % line.
pub fn payback_probability(p: &PaybackProbability) -> Result<Chart, ChartError> {
    let values: Vec<Option<f64>> = p
        .cumulative
        .iter()
        .map(|v| v.is_finite().then(|| v.clamp(0.0, 1.0)))
        .collect();
    let first_half = p
        .quarters
        .iter()
        .zip(&values)
        .position(|(_, v)| v.is_some_and(|v| v >= 0.5));
    let mut markers = Vec::new();
    if let Some(i) = first_half {
        let q = p.quarters[i];
        markers.push(super::time::Marker {
            quarter: i,
            value: values[i].unwrap_or(0.5),
            label: format!("50% by {q}"),
            color: palette::BASE,
            place: Place::Vertical(0),
        });
    }
    let chart = TimeChart {
        title: "Probability of payback by quarter".into(),
        subtitle: "Share of draws whose cumulative free cash flow has come back to zero by each quarter end".into(),
        quarters: p.quarters.clone(),
        left: Axis {
            range: Some((0.0, 1.0)),
            ..Axis::percent("Probability of payback (%)")
        },
        right: None,
        layers: vec![
            Layer::Level {
                label: "50%".into(),
                value: 0.5,
                color: MUTED,
            },
            Layer::Line {
                label: "Paid back by the quarter".into(),
                values,
                color: palette::BASE,
                stroke: Stroke::Solid,
                width: 3,
                right: false,
            },
        ],
        markers,
    };
    Ok(Chart {
        name: "payback_probability",
        title: chart.title.clone(),
        caption: "How likely the programme is to have paid back by each quarter.".into(),
        svg: chart.render()?,
    })
}

/// The tornado: for each input, a bar from the NPV at its low value to the NPV at its high
/// value, around the base NPV, widest swing on top.
pub fn tornado(t: &Tornado) -> Result<Chart, ChartError> {
    let rows = t.sorted();
    let base = if t.base_npv.is_finite() {
        t.base_npv
    } else {
        0.0
    };
    let all: Vec<f64> = rows
        .iter()
        .flat_map(|r| [r.npv_low, r.npv_high])
        .chain([base])
        .collect();
    let scale = money_scale(max_abs(&all));
    let d = scale.divisor;
    let (mut x0, mut x1) = fit(&all.iter().map(|v| v / d).collect::<Vec<_>>(), None);
    // Room for the value labels at both ends: the widest label, in axis units.
    let label_px = rows
        .iter()
        .flat_map(|r| [r.low.len() + r.high.len() + 26])
        .max()
        .map_or(60.0, |n| n as f64 * 12.0 * 0.62 + 12.0);
    let plot_px = f64::from(SIZE.0) - 2.0 * f64::from(MARGIN) - 376.0;
    let label_px = label_px.min(plot_px / 3.0);
    let pad = (x1 - x0) * label_px / (plot_px - 2.0 * label_px);
    x0 -= pad;
    x1 += pad;
    let n = rows.len().max(1);
    let label_w = rows
        .iter()
        .map(|r| text_width(&r.label, TICK_PX))
        .fold(120.0_f64, f64::max)
        .min(360.0) as i32
        + 16;
    let row_px = 34;
    let height = (SIZE.1 as i32).max(150 + row_px * n as i32) as u32;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (SIZE.0, height)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let legend = vec![
            (
                Swatch::Block(palette::BEAR, 1.0),
                "Input at its low value".to_string(),
            ),
            (
                Swatch::Block(palette::BULL, 1.0),
                "Input at its high value".to_string(),
            ),
            (
                Swatch::Line(INK, Stroke::Solid),
                format!("Base NPV {}", fmt::money_b(base)),
            ),
        ];
        let header = draw_header(
            &root,
            "Tornado: NPV swing by input",
            "Each input moved alone to its low and high value, all others at base; widest swing on top",
            &legend,
        )?;
        let (_, plot) = root.split_vertically(header);
        let mut chart = ChartBuilder::on(&plot)
            .margin_left(MARGIN)
            .margin_right(MARGIN)
            .margin_bottom(10)
            .x_label_area_size(52)
            .y_label_area_size(label_w)
            .build_cartesian_2d(x0..x1, 0.0..n as f64)
            .map_err(err)?;
        let span = x1 - x0;
        let x_fmt = move |v: &f64| tick(*v, span, false);
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(0)
            .x_labels(8)
            .x_label_formatter(&x_fmt)
            .x_desc(format!("NPV, {}", scale.words))
            .label_style(font(TICK_PX).into_font().color(&INK))
            .axis_desc_style(font(DESC_PX).into_font().color(&INK))
            .bold_line_style(palette::GRID.stroke_width(1))
            .light_line_style(TRANSPARENT)
            .axis_style(MUTED.stroke_width(1))
            .draw()
            .map_err(err)?;
        let b = base / d;
        for (i, r) in rows.iter().enumerate() {
            let y = n as f64 - i as f64 - 0.5;
            let map = |v: f64| if v.is_finite() { v / d } else { b };
            let (lo, hi) = (map(r.npv_low), map(r.npv_high));
            let mut bars = [
                (lo, palette::BEAR, r.low.as_str()),
                (hi, palette::BULL, r.high.as_str()),
            ];
            // The farther bar first, so the nearer one shows on top of it.
            if (hi - b).abs() > (lo - b).abs() {
                bars.swap(0, 1);
            }
            for (v, color, _) in bars {
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [(b, y - 0.32), (v, y + 0.32)],
                        color.filled(),
                    )))
                    .map_err(err)?;
            }
            for (v, text) in bar_labels(b, &bars, d) {
                let (h, dx) = if v < b {
                    (HPos::Right, -6)
                } else {
                    (HPos::Left, 6)
                };
                let style = font(12.0)
                    .into_font()
                    .color(&INK)
                    .pos(Pos::new(h, VPos::Center));
                chart
                    .draw_series(std::iter::once(
                        EmptyElement::at((v, y)) + Text::new(text, (dx, 0), style),
                    ))
                    .map_err(err)?;
            }
            let style = font(TICK_PX)
                .into_font()
                .color(&INK)
                .pos(Pos::new(HPos::Right, VPos::Center));
            chart
                .draw_series(std::iter::once(
                    EmptyElement::at((x0, y)) + Text::new(r.label.clone(), (-8, 0), style),
                ))
                .map_err(err)?;
        }
        chart
            .draw_series(LineSeries::new(
                vec![(b, 0.0), (b, n as f64)],
                INK.stroke_width(2),
            ))
            .map_err(err)?;
        root.present().map_err(err)?;
    }
    Ok(Chart {
        name: "tornado",
        title: "Tornado: NPV swing by input".into(),
        caption: "Which assumptions move the NPV most, each varied alone.".into(),
        svg,
    })
}

/// An input value for a tornado label, to three significant digits; a multiplier of the
/// scenario's value (`scale`) prints as `×0.884`.
pub fn swing_value(x: f64, scale: bool) -> String {
    let v = if x == 0.0 || !x.is_finite() {
        x
    } else {
        let f = libm::pow(10.0, libm::floor(libm::log10(x.abs())) - 2.0);
        libm::round(x / f) * f
    };
    let text = fmt::sig6(v);
    if scale { format!("×{text}") } else { text }
}

/// The value labels of one tornado row: one at each end when the bars go opposite ways, one
/// label with both values at the far end when they go the same way (so they never overlap).
fn bar_labels(base: f64, bars: &[(f64, RGBColor, &str); 2], divisor: f64) -> Vec<(f64, String)> {
    let label = |v: f64, text: &str| format!("{text}: {}", fmt::money_b(v * divisor));
    let [(far, _, far_text), (near, _, near_text)] = *bars;
    if (far - base) * (near - base) < 0.0 {
        vec![(far, label(far, far_text)), (near, label(near, near_text))]
    } else {
        vec![(
            far,
            format!("{}; {}", label(far, far_text), label(near, near_text)),
        )]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quarters(n: usize) -> Vec<Quarter> {
        let q0 = Quarter::new(2025, 1).unwrap();
        (0..n).map(|i| q0.offset(i as i32)).collect()
    }

    /// Synthetic percentiles: a J-curve whose spread widens with time.
    pub(crate) fn synthetic() -> Uncertainty {
        let n = 24;
        let qs = quarters(n);
        let levels = vec![0.1, 0.25, 0.5, 0.75, 0.9];
        let z = [-1.28, -0.67, 0.0, 0.67, 1.28];
        let median: Vec<f64> = (0..n)
            .map(|t| {
                let t = t as f64;
                (-40.0 * t + 3.0 * t * t) * 1e9
            })
            .collect();
        let values = z
            .iter()
            .map(|z| {
                median
                    .iter()
                    .enumerate()
                    .map(|(t, m)| m + z * 8e9 * t as f64)
                    .collect()
            })
            .collect();
        let cumulative = (0..n)
            .map(|t| ((t as f64 - 12.0) / 10.0).clamp(0.0, 0.97))
            .collect();
        Uncertainty {
            draws: 2000,
            fcf_cumulative: Percentiles {
                quarters: qs.clone(),
                levels,
                values,
                deterministic: Some(median.iter().map(|m| m * 1.02).collect()),
            },
            payback: PaybackProbability {
                quarters: qs,
                cumulative,
            },
            tornado: Some(Tornado {
                base_npv: -15e9,
                rows: vec![
                    TornadoRow {
                        label: "generations.B200.unit_cost".into(),
                        low: "$30,000".into(),
                        high: "$45,000".into(),
                        npv_low: 20e9,
                        npv_high: -60e9,
                    },
                    TornadoRow {
                        label: "demand.growth".into(),
                        low: "20%".into(),
                        high: "60%".into(),
                        npv_low: -120e9,
                        npv_high: 110e9,
                    },
                    TornadoRow {
                        label: "power.price".into(),
                        low: "$40/MWh".into(),
                        high: "$90/MWh".into(),
                        npv_low: -5e9,
                        npv_high: -25e9,
                    },
                ],
            }),
        }
    }

    fn texts(svg: &str) -> Vec<String> {
        svg.split("<text")
            .skip(1)
            .filter_map(|s| {
                let body = s.split_once('>')?.1;
                Some(body.split("</text>").next()?.trim().to_string())
            })
            .collect()
    }

    #[test]
    fn fan_chart_has_bands_median_and_labels() {
        let u = synthetic();
        let c = fan(&u.fcf_cumulative, u.draws).unwrap();
        let t = texts(&c.svg);
        for want in [
            "Fan chart: cumulative free cash flow",
            "P10–P90",
            "P25–P75",
            "Median (P50)",
            "Deterministic run",
            "US$ billions (cumulative)",
        ] {
            assert!(t.iter().any(|x| x == want), "missing {want:?} in {t:?}");
        }
        assert!(c.svg.contains("Percentiles over 2,000 draws"));
        // Two bands (polygons) plus the legend swatches.
        assert!(c.svg.matches("<polygon").count() >= 2);
        assert_eq!(c.svg, fan(&u.fcf_cumulative, u.draws).unwrap().svg);
    }

    #[test]
    fn payback_probability_marks_the_median_quarter() {
        let u = synthetic();
        let c = payback_probability(&u.payback).unwrap();
        let t = texts(&c.svg);
        assert!(t.iter().any(|x| x == "Probability of payback by quarter"));
        assert!(t.iter().any(|x| x == "Probability of payback (%)"));
        assert!(t.iter().any(|x| x == "100%"), "{t:?}");
        // (t - 12)/10 >= 0.5 first at t = 17: 2025Q1 + 17 = 2029Q2.
        assert!(t.iter().any(|x| x == "50% by 2029Q2"), "{t:?}");
        let by_year = u.payback.by_year();
        assert_eq!(by_year.first(), Some(&(2025, 0.0)));
        assert_eq!(by_year.last().map(|p| p.0), Some(2030));
    }

    #[test]
    fn tornado_sorts_by_swing_and_labels_both_ends() {
        let u = synthetic();
        let t = u.tornado.unwrap();
        let order: Vec<&str> = t.sorted().iter().map(|r| r.label.as_str()).collect();
        assert_eq!(
            order,
            ["demand.growth", "generations.B200.unit_cost", "power.price"]
        );
        let c = tornado(&t).unwrap();
        let texts = texts(&c.svg);
        assert!(texts.iter().any(|x| x == "demand.growth"));
        assert!(texts.iter().any(|x| x == "20%: -$120.0B"), "{texts:?}");
        assert!(texts.iter().any(|x| x == "Base NPV -$15.0B"));
        assert!(texts.iter().any(|x| x == "NPV, US$ billions"));
        // The widest bar is drawn first, at the top.
        let first_row = c.svg.find("demand.growth").unwrap();
        assert!(first_row < c.svg.find("power.price").unwrap());
    }

    #[test]
    fn malformed_data_draws_without_panicking() {
        let qs = quarters(4);
        let p = Percentiles {
            quarters: qs.clone(),
            levels: vec![0.1, 0.9],
            values: vec![vec![f64::NAN, 1.0, 2.0, 3.0], vec![1.0]],
            deterministic: Some(vec![f64::INFINITY; 4]),
        };
        let c = fan(&p, 0).unwrap();
        assert!(!c.svg.contains("NaN") && !c.svg.contains("inf"));
        let pp = PaybackProbability {
            quarters: qs,
            cumulative: vec![f64::NAN, 2.0],
        };
        let c = payback_probability(&pp).unwrap();
        assert!(!c.svg.contains("NaN"));
        let t = Tornado {
            base_npv: f64::NAN,
            rows: vec![],
        };
        assert!(tornado(&t).is_ok());
        let empty = Percentiles {
            quarters: vec![],
            levels: vec![],
            values: vec![],
            deterministic: None,
        };
        assert!(fan(&empty, 0).unwrap().svg.contains("no quarters to show"));
    }
}
