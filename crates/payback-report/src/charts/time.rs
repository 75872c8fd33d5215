//! One renderer for every chart over quarters: stacked areas, bars, bands, lines on a left
//! (and optionally a right) axis, point markers and vertical markers, with a title, a
//! subtitle and a legend drawn above the plot.
//!
//! A quarter is plotted at the middle of its span on a time axis in years (2026Q1 at
//! 2026.125), so the axis ticks fall on the first day of each year and read as years.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use payback_model::Quarter;

use super::palette::{GRID, INK, MUTED};
use super::{ChartError, Scale};

/// Width and height of every chart, in SVG pixels.
pub(crate) const SIZE: (u32, u32) = (1000, 560);

/// Plotters shrinks font sizes by 1.24 when it writes SVG: pass `px * 1.24` to get `px`.
pub(crate) fn font(px: f64) -> (&'static str, f64) {
    ("sans-serif", px * 1.24)
}

/// Title, subtitle and legend sizes.
pub(crate) const TITLE_PX: f64 = 22.0;
pub(crate) const SUBTITLE_PX: f64 = 14.0;
pub(crate) const LEGEND_PX: f64 = 14.0;
pub(crate) const TICK_PX: f64 = 13.0;
pub(crate) const DESC_PX: f64 = 14.0;
pub(crate) const MARGIN: i32 = 18;

/// An axis on the left or right.
#[derive(Debug, Clone)]
pub(crate) struct Axis {
    /// Description with the unit, drawn along the axis.
    pub desc: String,
    /// Values are divided by this.
    pub divisor: f64,
    /// Tick labels as percentages (values are ratios).
    pub percent: bool,
    /// A fixed range in plotted units instead of one fitted to the data.
    pub range: Option<(f64, f64)>,
    /// A logarithmic axis (powers of ten); values that are not positive are gaps.
    pub log: bool,
}

impl Axis {
    pub fn scaled(scale: &Scale, per: &str) -> Axis {
        Axis {
            desc: format!("{}{per}", scale.words),
            divisor: scale.divisor,
            percent: false,
            range: None,
            log: false,
        }
    }

    pub fn percent(desc: &str) -> Axis {
        Axis {
            desc: desc.to_string(),
            divisor: 1.0,
            percent: true,
            range: None,
            log: false,
        }
    }

    /// The plotted coordinate of value `v`: divided, and `log10` on a log axis; `None` for
    /// a value that cannot be drawn.
    pub fn map(&self, v: f64) -> Option<f64> {
        let x = v / self.divisor;
        if !x.is_finite() {
            return None;
        }
        if self.log {
            (x > 0.0).then(|| libm::log10(x))
        } else {
            Some(x)
        }
    }

    /// Fit the axis range to the plotted coordinates `values`.
    fn fit(&self, values: &[f64]) -> (f64, f64) {
        if self.log && self.range.is_none() {
            let lo = values
                .iter()
                .copied()
                .filter(|v| v.is_finite())
                .fold(f64::INFINITY, f64::min);
            let hi = values
                .iter()
                .copied()
                .filter(|v| v.is_finite())
                .fold(f64::NEG_INFINITY, f64::max);
            if !(lo.is_finite() && hi.is_finite()) {
                return (-1.0, 1.0);
            }
            let pad = ((hi - lo) * 0.05).max(0.05);
            return (lo - pad, hi + pad);
        }
        fit(values, self.range)
    }

    /// The tick label of plotted coordinate `v` on an axis spanning `span`.
    fn tick(&self, v: f64, span: f64) -> String {
        if self.log {
            let x = libm::pow(10.0, v);
            return crate::fmt::sig6(round_sig2(x));
        }
        tick(v, span, self.percent)
    }
}

/// `x` rounded to two significant digits (tick labels of a log axis).
fn round_sig2(x: f64) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return 0.0;
    }
    let f = libm::pow(10.0, libm::floor(libm::log10(x.abs())) - 1.0);
    libm::round(x / f) * f
}

/// How a line is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stroke {
    Solid,
    Dashed,
}

/// Something drawn over the quarters.
#[derive(Debug, Clone)]
pub(crate) enum Layer {
    /// A stacked area: drawn on top of the previous `Stack` layers (negative values count as
    /// zero).
    Stack {
        label: String,
        values: Vec<f64>,
        color: RGBColor,
    },
    /// Bars centred on each quarter, from zero.
    Bars {
        label: String,
        values: Vec<f64>,
        color: RGBColor,
    },
    /// A shaded band between two series.
    Band {
        label: String,
        lo: Vec<f64>,
        hi: Vec<f64>,
        color: RGBColor,
        opacity: f64,
    },
    /// A line; `None` leaves a gap. `right` puts it on the right axis.
    Line {
        label: String,
        values: Vec<Option<f64>>,
        color: RGBColor,
        stroke: Stroke,
        width: u32,
        right: bool,
    },
    /// A horizontal reference line at a value of the left axis.
    Level {
        label: String,
        value: f64,
        color: RGBColor,
    },
}

impl Layer {
    pub fn line(label: impl Into<String>, values: &[f64], color: RGBColor) -> Layer {
        Layer::Line {
            label: label.into(),
            values: values.iter().map(|v| Some(*v)).collect(),
            color,
            stroke: Stroke::Solid,
            width: 3,
            right: false,
        }
    }

    fn label(&self) -> &str {
        match self {
            Layer::Stack { label, .. }
            | Layer::Bars { label, .. }
            | Layer::Band { label, .. }
            | Layer::Line { label, .. }
            | Layer::Level { label, .. } => label,
        }
    }
}

/// Where a marker's label goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Place {
    /// Above the point.
    Above,
    /// Below the point.
    Below,
    /// A vertical dashed line through the whole plot at the quarter, with the label at the
    /// top, on row `n` (rows stack downwards so labels of nearby markers do not collide).
    Vertical(u8),
}

/// A point of interest, in left-axis values (not divided).
#[derive(Debug, Clone)]
pub(crate) struct Marker {
    pub quarter: usize,
    pub value: f64,
    pub label: String,
    pub color: RGBColor,
    pub place: Place,
}

/// A chart over quarters.
#[derive(Debug, Clone)]
pub(crate) struct TimeChart {
    pub title: String,
    pub subtitle: String,
    pub quarters: Vec<Quarter>,
    pub left: Axis,
    pub right: Option<Axis>,
    pub layers: Vec<Layer>,
    pub markers: Vec<Marker>,
}

/// x of quarter `q`: the middle of its span, in years.
pub(crate) fn x_of(q: Quarter) -> f64 {
    f64::from(q.year()) + (f64::from(q.q()) - 0.5) / 4.0
}

pub(crate) fn err<E: std::fmt::Debug>(e: E) -> ChartError {
    ChartError(format!("{e:?}"))
}

/// Estimated width in pixels of `text` at `px` in DejaVu Sans (wide enough for layout).
pub(crate) fn text_width(text: &str, px: f64) -> f64 {
    text.chars().count() as f64 * px * 0.62
}

/// A legend entry's swatch.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Swatch {
    Line(RGBColor, Stroke),
    Block(RGBColor, f64),
}

/// Lay out legend entries in rows across `width`; returns the rows' entries.
fn legend_rows(entries: &[(Swatch, String)], width: f64) -> Vec<Vec<usize>> {
    let mut rows: Vec<Vec<usize>> = Vec::new();
    let mut x = 0.0;
    for (i, (_, label)) in entries.iter().enumerate() {
        let w = 30.0 + text_width(label, LEGEND_PX) + 22.0;
        match rows.last_mut() {
            Some(row) if x + w <= width => {
                row.push(i);
                x += w;
            }
            _ => {
                rows.push(vec![i]);
                x = w;
            }
        }
    }
    rows
}

/// Draw the title, subtitle and legend at the top of `root`; returns the height used.
pub(crate) fn draw_header(
    root: &DrawingArea<SVGBackend<'_>, Shift>,
    title: &str,
    subtitle: &str,
    entries: &[(Swatch, String)],
) -> Result<i32, ChartError> {
    let (w, _) = root.dim_in_pixel();
    let left = MARGIN;
    let mut y = 14;
    root.draw(&Text::new(
        title.to_string(),
        (left, y),
        font(TITLE_PX)
            .into_font()
            .style(FontStyle::Bold)
            .color(&INK),
    ))
    .map_err(err)?;
    y += 30;
    if !subtitle.is_empty() {
        root.draw(&Text::new(
            subtitle.to_string(),
            (left, y),
            font(SUBTITLE_PX).into_font().color(&MUTED),
        ))
        .map_err(err)?;
        y += 22;
    }
    y += 4;
    let rows = legend_rows(entries, f64::from(w) - 2.0 * f64::from(left));
    for row in rows {
        let mut x = left;
        for i in row {
            let (swatch, label) = &entries[i];
            let cy = y + 9;
            match *swatch {
                Swatch::Line(c, stroke) => {
                    let style = c.stroke_width(3);
                    match stroke {
                        Stroke::Solid => root
                            .draw(&PathElement::new(vec![(x, cy), (x + 24, cy)], style))
                            .map_err(err)?,
                        Stroke::Dashed => {
                            for k in 0..3 {
                                root.draw(&PathElement::new(
                                    vec![(x + k * 9, cy), (x + k * 9 + 6, cy)],
                                    style,
                                ))
                                .map_err(err)?;
                            }
                        }
                    }
                }
                Swatch::Block(c, opacity) => root
                    .draw(&Rectangle::new(
                        [(x + 2, cy - 7), (x + 22, cy + 7)],
                        c.mix(opacity).filled(),
                    ))
                    .map_err(err)?,
            }
            root.draw(&Text::new(
                label.clone(),
                (x + 30, cy),
                font(LEGEND_PX)
                    .into_font()
                    .color(&INK)
                    .pos(Pos::new(HPos::Left, VPos::Center)),
            ))
            .map_err(err)?;
            x += 30 + text_width(label, LEGEND_PX) as i32 + 22;
        }
        y += 22;
    }
    Ok(y + 6)
}

/// Tick label: thousands separators, decimals by the step, or a percentage.
pub(crate) fn tick(v: f64, span: f64, percent: bool) -> String {
    let v = if v.abs() < span * 1e-9 { 0.0 } else { v };
    if percent {
        let decimals = if span * 100.0 >= 10.0 { 0 } else { 1 };
        return format!("{}%", crate::fmt::number(v * 100.0, decimals));
    }
    let decimals = if span >= 20.0 {
        0
    } else if span >= 2.0 {
        1
    } else {
        2
    };
    crate::fmt::number(v, decimals)
}

/// The range of the plotted values, with zero included and some air.
pub(crate) fn fit(values: &[f64], fixed: Option<(f64, f64)>) -> (f64, f64) {
    if let Some(r) = fixed {
        return r;
    }
    let mut lo = 0.0_f64;
    let mut hi = 0.0_f64;
    for v in values.iter().filter(|v| v.is_finite()) {
        lo = lo.min(*v);
        hi = hi.max(*v);
    }
    let span = hi - lo;
    if span <= 0.0 || !span.is_finite() {
        return (-1.0, 1.0);
    }
    let pad = span * 0.06;
    (
        if lo < 0.0 { lo - pad } else { lo },
        if hi > 0.0 { hi + pad } else { hi + pad * 0.2 },
    )
}

fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

impl TimeChart {
    /// The legend: every layer in order.
    fn legend(&self) -> Vec<(Swatch, String)> {
        self.layers
            .iter()
            .filter(|l| !l.label().is_empty())
            .map(|l| {
                let swatch = match l {
                    Layer::Stack { color, .. } | Layer::Bars { color, .. } => {
                        Swatch::Block(*color, 1.0)
                    }
                    Layer::Band { color, opacity, .. } => Swatch::Block(*color, *opacity),
                    Layer::Line { color, stroke, .. } => Swatch::Line(*color, *stroke),
                    Layer::Level { color, .. } => Swatch::Line(*color, Stroke::Dashed),
                };
                (swatch, l.label().to_string())
            })
            .collect()
    }

    /// Stacked tops of the `Stack` layers, per layer: (bottom, top) per quarter.
    fn stacks(&self) -> Vec<(Vec<f64>, Vec<f64>)> {
        let n = self.quarters.len();
        let mut base = vec![0.0; n];
        let mut out = Vec::new();
        for l in &self.layers {
            if let Layer::Stack { values, .. } = l {
                let bottom = base.clone();
                for (i, b) in base.iter_mut().enumerate() {
                    let v = values.get(i).copied().and_then(finite).unwrap_or(0.0);
                    *b += v.max(0.0);
                }
                out.push((bottom, base.clone()));
            }
        }
        out
    }

    /// The right axis, or a plain one.
    fn right_axis(&self) -> Axis {
        self.right.clone().unwrap_or_else(|| Axis::percent(""))
    }

    /// Every plotted coordinate on the left axis, and on the right axis.
    fn extents(&self) -> (Vec<f64>, Vec<f64>) {
        let a = &self.left;
        let b = self.right_axis();
        let mut left: Vec<f64> = Vec::new();
        let mut right: Vec<f64> = Vec::new();
        for (_, top) in self.stacks() {
            left.extend(top.iter().filter_map(|v| a.map(*v)));
        }
        for l in &self.layers {
            match l {
                Layer::Bars { values, .. } => left.extend(values.iter().filter_map(|v| a.map(*v))),
                Layer::Band { lo, hi, .. } => {
                    left.extend(lo.iter().chain(hi).filter_map(|v| a.map(*v)));
                }
                Layer::Line {
                    values, right: r, ..
                } => {
                    if *r {
                        right.extend(values.iter().flatten().filter_map(|v| b.map(*v)));
                    } else {
                        left.extend(values.iter().flatten().filter_map(|v| a.map(*v)));
                    }
                }
                Layer::Level { value, .. } => left.extend(a.map(*value)),
                Layer::Stack { .. } => {}
            }
        }
        left.extend(self.markers.iter().filter_map(|m| a.map(m.value)));
        (left, right)
    }

    /// Draw the chart as an SVG document.
    pub fn render(&self) -> Result<String, ChartError> {
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
            root.fill(&WHITE).map_err(err)?;
            let header = draw_header(&root, &self.title, &self.subtitle, &self.legend())?;
            let (_, plot) = root.split_vertically(header);
            self.draw_plot(&plot)?;
            root.present().map_err(err)?;
        }
        Ok(svg)
    }

    fn draw_plot(&self, area: &DrawingArea<SVGBackend<'_>, Shift>) -> Result<(), ChartError> {
        let (Some(&first), Some(&last)) = (self.quarters.first(), self.quarters.last()) else {
            area.draw(&Text::new(
                "no quarters to show",
                (MARGIN, 20),
                font(LEGEND_PX).into_font().color(&MUTED),
            ))
            .map_err(err)?;
            return Ok(());
        };
        let x0 = x_of(first) - 0.125;
        let x1 = x_of(last) + 0.125;
        let (left_values, right_values) = self.extents();
        let (y0, y1) = self.left.fit(&left_values);
        let (r0, r1) = match &self.right {
            Some(a) => a.fit(&right_values),
            None => (0.0, 1.0),
        };
        let years = (x1 - x0).ceil().max(1.0) as usize;
        let mut chart = ChartBuilder::on(area)
            .margin_left(MARGIN)
            .margin_right(MARGIN)
            .margin_bottom(10)
            .margin_top(6)
            .x_label_area_size(52)
            .y_label_area_size(86)
            .right_y_label_area_size(if self.right.is_some() { 80 } else { 0 })
            .build_cartesian_2d(x0..x1, y0..y1)
            .map_err(err)?
            .set_secondary_coord(x0..x1, r0..r1);
        let span = y1 - y0;
        let left_axis = self.left.clone();
        let y_fmt = move |v: &f64| left_axis.tick(*v, span);
        let x_fmt = |v: &f64| {
            if (v - v.round()).abs() < 1e-9 {
                format!("{:.0}", v)
            } else {
                String::new()
            }
        };
        chart
            .configure_mesh()
            .x_labels(years.min(16) + 1)
            .y_labels(if self.left.log {
                (span.ceil() as usize + 1).clamp(3, 8)
            } else {
                8
            })
            .x_label_formatter(&x_fmt)
            .y_label_formatter(&y_fmt)
            .x_desc("Calendar year (quarters plotted at mid-quarter)")
            .y_desc(self.left.desc.clone())
            .label_style(font(TICK_PX).into_font().color(&INK))
            .axis_desc_style(font(DESC_PX).into_font().color(&INK))
            .bold_line_style(GRID.stroke_width(1))
            .light_line_style(TRANSPARENT)
            .axis_style(MUTED.stroke_width(1))
            .draw()
            .map_err(err)?;
        if let Some(right) = &self.right {
            let span2 = r1 - r0;
            let right_axis = right.clone();
            let r_fmt = move |v: &f64| right_axis.tick(*v, span2);
            chart
                .configure_secondary_axes()
                .y_labels(8)
                .y_label_formatter(&r_fmt)
                .y_desc(right.desc.clone())
                .label_style(font(TICK_PX).into_font().color(&INK))
                .axis_desc_style(font(DESC_PX).into_font().color(&INK))
                .axis_style(MUTED.stroke_width(1))
                .draw()
                .map_err(err)?;
        }
        let xs: Vec<f64> = self.quarters.iter().map(|q| x_of(*q)).collect();
        let a = &self.left;
        let b = self.right_axis();
        // A value that cannot be drawn (not positive on a log axis) sits at the bottom.
        let at = |v: f64| a.map(v).unwrap_or(y0);
        let mut stacks = self.stacks().into_iter();
        for l in &self.layers {
            match l {
                Layer::Stack { color, .. } => {
                    let Some((bottom, top)) = stacks.next() else {
                        continue;
                    };
                    let mut pts: Vec<(f64, f64)> = Vec::with_capacity(xs.len() * 2 + 2);
                    // Steps: each quarter spans its whole width, like the bars.
                    for (i, x) in xs.iter().enumerate() {
                        pts.push((x - 0.125, at(top[i])));
                        pts.push((x + 0.125, at(top[i])));
                    }
                    for (i, x) in xs.iter().enumerate().rev() {
                        pts.push((x + 0.125, at(bottom[i])));
                        pts.push((x - 0.125, at(bottom[i])));
                    }
                    chart
                        .draw_series(std::iter::once(Polygon::new(pts, color.filled())))
                        .map_err(err)?;
                }
                Layer::Bars { values, color, .. } => {
                    chart
                        .draw_series(xs.iter().zip(values).filter_map(|(x, v)| {
                            let v = a.map(*v)?;
                            (v != 0.0).then(|| {
                                Rectangle::new([(x - 0.09, at(0.0)), (x + 0.09, v)], color.filled())
                            })
                        }))
                        .map_err(err)?;
                }
                Layer::Band {
                    lo,
                    hi,
                    color,
                    opacity,
                    ..
                } => {
                    let mut pts: Vec<(f64, f64)> =
                        xs.iter().zip(hi).map(|(x, v)| (*x, at(*v))).collect();
                    pts.extend(xs.iter().zip(lo).rev().map(|(x, v)| (*x, at(*v))));
                    chart
                        .draw_series(std::iter::once(Polygon::new(
                            pts,
                            color.mix(*opacity).filled(),
                        )))
                        .map_err(err)?;
                }
                Layer::Line {
                    values,
                    color,
                    stroke,
                    width,
                    right,
                    ..
                } => {
                    let axis = if *right { &b } else { a };
                    for segment in segments(&xs, values, axis) {
                        let style = color.stroke_width(*width);
                        match (stroke, right) {
                            (Stroke::Solid, false) => chart
                                .draw_series(LineSeries::new(segment, style))
                                .map(|_| ()),
                            (Stroke::Dashed, false) => chart
                                .draw_series(DashedLineSeries::new(segment, 8, 5, style))
                                .map(|_| ()),
                            (Stroke::Solid, true) => chart
                                .draw_secondary_series(LineSeries::new(segment, style))
                                .map(|_| ()),
                            (Stroke::Dashed, true) => chart
                                .draw_secondary_series(DashedLineSeries::new(segment, 8, 5, style))
                                .map(|_| ()),
                        }
                        .map_err(err)?;
                    }
                }
                Layer::Level { value, color, .. } => {
                    let Some(v) = a.map(*value) else {
                        continue;
                    };
                    chart
                        .draw_series(DashedLineSeries::new(
                            vec![(x0, v), (x1, v)],
                            6,
                            4,
                            color.stroke_width(2),
                        ))
                        .map_err(err)?;
                }
            }
        }
        // The zero line, over the areas.
        if y0 < 0.0 && y1 > 0.0 && !a.log {
            chart
                .draw_series(LineSeries::new(
                    vec![(x0, 0.0), (x1, 0.0)],
                    INK.stroke_width(1),
                ))
                .map_err(err)?;
        }
        let label_font = font(13.0).into_font();
        for m in &self.markers {
            let Some(q) = self.quarters.get(m.quarter) else {
                continue;
            };
            let x = x_of(*q);
            let y = at(m.value);
            // Keep labels inside the plot: anchor right of the point in the first half,
            // left of it in the second.
            let right_half = x > (x0 + x1) / 2.0;
            let h = if right_half { HPos::Right } else { HPos::Left };
            let dx = if right_half { -8 } else { 8 };
            match m.place {
                Place::Vertical(row) => {
                    chart
                        .draw_series(DashedLineSeries::new(
                            vec![(x, y0), (x, y1)],
                            6,
                            4,
                            m.color.stroke_width(2),
                        ))
                        .map_err(err)?;
                    let style = label_font
                        .clone()
                        .color(&m.color)
                        .pos(Pos::new(h, VPos::Top));
                    chart
                        .draw_series(std::iter::once(
                            EmptyElement::at((x, y1))
                                + Text::new(
                                    m.label.clone(),
                                    (dx / 2, 4 + i32::from(row) * 17),
                                    style,
                                ),
                        ))
                        .map_err(err)?;
                    chart
                        .draw_series(std::iter::once(Circle::new((x, y), 5, m.color.filled())))
                        .map_err(err)?;
                }
                Place::Above | Place::Below => {
                    let (v, dy) = if m.place == Place::Above {
                        (VPos::Bottom, -8)
                    } else {
                        (VPos::Top, 8)
                    };
                    let style = label_font.clone().color(&m.color).pos(Pos::new(h, v));
                    chart
                        .draw_series(std::iter::once(
                            EmptyElement::at((x, y))
                                + Circle::new((0, 0), 6, m.color.filled())
                                + Circle::new((0, 0), 6, WHITE.stroke_width(2))
                                + Text::new(m.label.clone(), (dx, dy), style),
                        ))
                        .map_err(err)?;
                }
            }
        }
        Ok(())
    }
}

/// Runs of drawable points of a line, mapped onto `axis`.
fn segments(xs: &[f64], values: &[Option<f64>], axis: &Axis) -> Vec<Vec<(f64, f64)>> {
    let mut out: Vec<Vec<(f64, f64)>> = Vec::new();
    let mut current: Vec<(f64, f64)> = Vec::new();
    for (x, v) in xs.iter().zip(values) {
        match v.and_then(|v| axis.map(v)) {
            Some(v) => current.push((*x, v)),
            None => {
                if !current.is_empty() {
                    out.push(std::mem::take(&mut current));
                }
            }
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}
