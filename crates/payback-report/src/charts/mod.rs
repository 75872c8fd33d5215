//! Charts as SVG and PNG: the J-curve, the flywheel, capacity, RPO, token economics,
//! depreciation, vintage payback, the power queue and, with uncertainty, the fan chart, the
//! probability of payback and the tornado.
//!
//! Every chart is drawn once, as SVG, with `plotters` (its SVG backend writes text as
//! `<text font-family="sans-serif">`, so a browser uses its own sans-serif font), and the PNG is
//! that SVG rasterised by `resvg` with the DejaVu Sans font embedded in this crate
//! (`assets/`, Bitstream Vera licence), so a PNG never depends on the fonts installed on the
//! machine and the same inputs give the same bytes.
//!
//! The chart functions take plain data: [`model`] builds the deterministic charts from
//! [`crate::Run`]s, [`uncertainty`] takes percentile series, probabilities and tornado rows
//! that any Monte Carlo engine can fill. Every title, axis description (with its unit) and
//! legend entry is a `<text>` element of the SVG, which the tests read back.

pub mod model;
mod png;
mod time;
pub mod uncertainty;

pub use png::{PNG_SCALE, PngError, to_png};

/// A finished chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    /// File stem (`jcurve` → `jcurve.svg`, `jcurve.png`).
    pub name: &'static str,
    /// The title drawn at the top of the chart.
    pub title: String,
    /// A sentence saying what to read in it, for captions.
    pub caption: String,
    /// The SVG document (UTF-8, with the `xmlns` attribute, standalone).
    pub svg: String,
}

impl Chart {
    /// The SVG for inlining in HTML: without the `xmlns` attribute (HTML5 does not need it, and
    /// the report must name no URL but the assumptions' sources) and scaling to its container.
    pub fn inline_svg(&self) -> String {
        let svg = self
            .svg
            .replacen(" xmlns=\"http://www.w3.org/2000/svg\"", "", 1);
        match svg.find('>') {
            Some(end) if svg.starts_with("<svg") => {
                let head = &svg[..end];
                let head = strip_attr(&strip_attr(head, "width"), "height");
                format!(
                    "{head} role=\"img\" aria-label=\"{}\" class=\"chart\"{}",
                    crate::html::escape(&self.title),
                    &svg[end..]
                )
            }
            _ => svg,
        }
    }
}

/// `head` without the first ` name="…"` attribute.
fn strip_attr(head: &str, name: &str) -> String {
    let key = format!(" {name}=\"");
    match head.find(&key) {
        Some(i) => {
            let rest = &head[i + key.len()..];
            match rest.find('"') {
                Some(j) => format!("{}{}", &head[..i], &rest[j + 1..]),
                None => head.to_string(),
            }
        }
        None => head.to_string(),
    }
}

/// Why a chart could not be drawn (a bug: drawing into a string does not fail on data).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChartError(pub String);

impl std::fmt::Display for ChartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "cannot draw a chart: {}", self.0)
    }
}

impl std::error::Error for ChartError {}

/// Colours, chosen to stay apart for colour-blind readers (Okabe–Ito, then Tableau 10).
pub mod palette {
    use plotters::style::RGBColor;

    /// Base case.
    pub const BASE: RGBColor = RGBColor(0x00, 0x72, 0xB2);
    /// Bull case (second run).
    pub const BULL: RGBColor = RGBColor(0x00, 0x9E, 0x73);
    /// Bear case (third run).
    pub const BEAR: RGBColor = RGBColor(0xD5, 0x5E, 0x00);
    /// Further runs.
    pub const MORE: [RGBColor; 4] = [
        RGBColor(0xCC, 0x79, 0xA7),
        RGBColor(0xE6, 0x9F, 0x00),
        RGBColor(0x56, 0xB4, 0xE9),
        RGBColor(0x66, 0x66, 0x66),
    ];
    /// Capex, costs.
    pub const CAPEX: RGBColor = RGBColor(0x7F, 0x7F, 0x7F);
    /// Text and axes.
    pub const INK: RGBColor = RGBColor(0x22, 0x22, 0x22);
    /// Secondary text.
    pub const MUTED: RGBColor = RGBColor(0x55, 0x55, 0x55);
    /// Grid lines.
    pub const GRID: RGBColor = RGBColor(0xE3, 0xE3, 0xE3);
    /// Categorical colours for stacked layers.
    pub const LAYERS: [RGBColor; 14] = [
        RGBColor(0x4E, 0x79, 0xA7),
        RGBColor(0xA0, 0xCB, 0xE8),
        RGBColor(0xF2, 0x8E, 0x2B),
        RGBColor(0xFF, 0xBE, 0x7D),
        RGBColor(0x59, 0xA1, 0x4F),
        RGBColor(0x8C, 0xD1, 0x7D),
        RGBColor(0xB6, 0x99, 0x2D),
        RGBColor(0xF1, 0xCE, 0x63),
        RGBColor(0x49, 0x98, 0x94),
        RGBColor(0x86, 0xBC, 0xB6),
        RGBColor(0xE1, 0x57, 0x59),
        RGBColor(0xFF, 0x9D, 0x9A),
        RGBColor(0xB0, 0x7A, 0xA1),
        RGBColor(0xD4, 0xA6, 0xC8),
    ];

    /// The colour of run `i` (base, bull, bear, then others).
    pub fn run(i: usize) -> RGBColor {
        match i {
            0 => BASE,
            1 => BULL,
            2 => BEAR,
            k => MORE[(k - 3) % MORE.len()],
        }
    }

    /// The colour of stacked layer `i`.
    pub fn layer(i: usize) -> RGBColor {
        LAYERS[i % LAYERS.len()]
    }

    /// Colour `i` of `n` ordered items (vintages): viridis from dark purple to green, so
    /// that order reads as colour.
    pub fn sequential(i: usize, n: usize) -> RGBColor {
        const STOPS: [(f64, f64, f64); 5] = [
            (68.0, 1.0, 84.0),
            (59.0, 82.0, 139.0),
            (33.0, 145.0, 140.0),
            (94.0, 201.0, 98.0),
            (253.0, 231.0, 37.0),
        ];
        let t = if n > 1 {
            0.85 * i as f64 / (n - 1) as f64
        } else {
            0.0
        };
        let x = t * (STOPS.len() - 1) as f64;
        let k = (x.floor() as usize).min(STOPS.len() - 2);
        let f = x - k as f64;
        let (a, b) = (STOPS[k], STOPS[k + 1]);
        let mix = |p: f64, q: f64| (p + (q - p) * f).round().clamp(0.0, 255.0) as u8;
        RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
    }

    /// Ten strong, distinct colours for lines (Tableau 10, yellow and grey darkened).
    pub const CATEGORICAL: [RGBColor; 10] = [
        RGBColor(0x4E, 0x79, 0xA7),
        RGBColor(0xF2, 0x8E, 0x2B),
        RGBColor(0xE1, 0x57, 0x59),
        RGBColor(0x59, 0xA1, 0x4F),
        RGBColor(0xB0, 0x7A, 0xA1),
        RGBColor(0x49, 0x98, 0x94),
        RGBColor(0x9C, 0x75, 0x5F),
        RGBColor(0xFF, 0x9D, 0xA7),
        RGBColor(0xB6, 0x99, 0x2D),
        RGBColor(0x55, 0x55, 0x55),
    ];

    /// Line colour `i`.
    pub fn categorical(i: usize) -> RGBColor {
        CATEGORICAL[i % CATEGORICAL.len()]
    }

    /// `#rrggbb`, for HTML.
    pub fn hex(c: RGBColor) -> String {
        format!("#{:02x}{:02x}{:02x}", c.0, c.1, c.2)
    }
}

/// Units for an axis: the divisor applied to the values and the words for it.
#[derive(Debug, Clone, PartialEq)]
pub struct Scale {
    /// Values are divided by this before plotting.
    pub divisor: f64,
    /// `US$ billions`, `billion reference-hours`.
    pub words: String,
}

/// A money scale for values up to `max_abs` dollars: billions, millions or dollars.
pub fn money_scale(max_abs: f64) -> Scale {
    let (divisor, words) = if max_abs >= 1e9 {
        (1e9, "US$ billions")
    } else if max_abs >= 1e6 {
        (1e6, "US$ millions")
    } else {
        (1.0, "US$")
    };
    Scale {
        divisor,
        words: words.to_string(),
    }
}

/// A count scale (`billion reference-hours`, `thousand accelerators`) for values up to
/// `max_abs` of `unit`.
pub fn count_scale(max_abs: f64, unit: &str) -> Scale {
    let (divisor, prefix) = if max_abs >= 1e12 {
        (1e12, "trillion ")
    } else if max_abs >= 1e9 {
        (1e9, "billion ")
    } else if max_abs >= 1e6 {
        (1e6, "million ")
    } else if max_abs >= 1e4 {
        (1e3, "thousand ")
    } else {
        (1.0, "")
    };
    Scale {
        divisor,
        words: format!("{prefix}{unit}"),
    }
}

/// Largest absolute finite value of `xs` (0 when none).
pub(crate) fn max_abs<'a>(xs: impl IntoIterator<Item = &'a f64>) -> f64 {
    xs.into_iter()
        .filter(|x| x.is_finite())
        .fold(0.0_f64, |m, x| m.max(x.abs()))
}

/// The `<text>` contents of an SVG, trimmed, in document order (titles, legend, axis
/// descriptions, tick labels, annotations).
pub fn svg_texts(svg: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .filter_map(|s| {
            let body = s.split_once('>')?.1;
            Some(body.split("</text>").next()?.trim().to_string())
        })
        .collect()
}

/// A readable outline of a chart's SVG for snapshot tests: its size, how many of each
/// drawing element it has, and every text.
pub fn outline(svg: &str) -> String {
    let size = svg
        .split_once("viewBox=\"")
        .and_then(|(_, rest)| rest.split_once('"'))
        .map_or("", |(v, _)| v);
    let mut out = format!("viewBox {size}\n");
    for tag in ["polyline", "polygon", "rect", "circle", "line", "path"] {
        let n = svg.matches(&format!("<{tag} ")).count();
        out.push_str(&format!("{tag}: {n}\n"));
    }
    for t in svg_texts(svg) {
        out.push_str(&format!("text: {t}\n"));
    }
    out
}

/// Every chart's SVG and PNG file names with their bytes, `charts/<name>.svg|png`.
///
/// # Errors
/// When a PNG cannot be rendered (a bug).
pub fn files(charts: &[Chart]) -> Result<Vec<(String, Vec<u8>)>, PngError> {
    let mut out = Vec::with_capacity(charts.len() * 2);
    for c in charts {
        out.push((format!("charts/{}.svg", c.name), c.svg.clone().into_bytes()));
        out.push((format!("charts/{}.png", c.name), to_png(&c.svg, PNG_SCALE)?));
    }
    Ok(out)
}
