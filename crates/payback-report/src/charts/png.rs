//! SVG to PNG with `resvg`, using only the embedded DejaVu Sans (never the system's fonts).

use std::sync::{Arc, OnceLock};

use resvg::{tiny_skia, usvg};

/// DejaVu Sans, from Debian's `fonts-dejavu-core` (licence in `assets/LICENSE-DejaVu.txt`).
const FONT_REGULAR: &[u8] = include_bytes!("../../assets/DejaVuSans.ttf");
/// DejaVu Sans Bold, for titles.
const FONT_BOLD: &[u8] = include_bytes!("../../assets/DejaVuSans-Bold.ttf");

/// PNGs are drawn at this multiple of the SVG's size (crisp on high-density screens and in
/// slides).
pub const PNG_SCALE: f32 = 2.0;

/// Why an SVG could not be rasterised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PngError(pub String);

impl std::fmt::Display for PngError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "cannot render a chart as PNG: {}", self.0)
    }
}

impl std::error::Error for PngError {}

/// The font database: the embedded fonts only, every generic family mapped to DejaVu Sans.
fn fonts() -> Arc<usvg::fontdb::Database> {
    static DB: OnceLock<Arc<usvg::fontdb::Database>> = OnceLock::new();
    DB.get_or_init(|| {
        let mut db = usvg::fontdb::Database::new();
        db.load_font_data(FONT_REGULAR.to_vec());
        db.load_font_data(FONT_BOLD.to_vec());
        let family = "DejaVu Sans";
        db.set_sans_serif_family(family);
        db.set_serif_family(family);
        db.set_monospace_family(family);
        db.set_cursive_family(family);
        db.set_fantasy_family(family);
        Arc::new(db)
    })
    .clone()
}

/// Rasterise `svg` at `scale` times its size on a white background, as PNG bytes.
///
/// # Errors
/// When the SVG does not parse or its size is empty or too large to allocate.
pub fn to_png(svg: &str, scale: f32) -> Result<Vec<u8>, PngError> {
    let options = usvg::Options {
        font_family: "DejaVu Sans".to_string(),
        fontdb: fonts(),
        ..usvg::Options::default()
    };
    let tree = usvg::Tree::from_str(svg, &options).map_err(|e| PngError(e.to_string()))?;
    let size = tree
        .size()
        .to_int_size()
        .scale_by(scale)
        .ok_or_else(|| PngError("the chart has no size".into()))?;
    let mut pixmap = tiny_skia::Pixmap::new(size.width(), size.height()).ok_or_else(|| {
        PngError(format!(
            "cannot allocate {}x{}",
            size.width(),
            size.height()
        ))
    })?;
    pixmap.fill(tiny_skia::Color::WHITE);
    resvg::render(
        &tree,
        tiny_skia::Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    pixmap.encode_png().map_err(|e| PngError(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_renders_with_the_embedded_font() {
        let svg = r#"<svg width="200" height="50" viewBox="0 0 200 50" xmlns="http://www.w3.org/2000/svg"><text x="10" y="30" font-family="sans-serif" font-size="20">Payback</text></svg>"#;
        let png = to_png(svg, 1.0).unwrap();
        let blank = r#"<svg width="200" height="50" viewBox="0 0 200 50" xmlns="http://www.w3.org/2000/svg"></svg>"#;
        assert_ne!(png, to_png(blank, 1.0).unwrap(), "the text drew nothing");
        assert_eq!(png, to_png(svg, 1.0).unwrap(), "not deterministic");
        assert!(to_png("<not svg", 1.0).is_err());
    }
}
