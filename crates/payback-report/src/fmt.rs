//! Number formatting for every renderer, in one place.
//!
//! Rounding happens here and only here: the model's numbers are never rounded (style rule 15).
//! Every function returns `—` for `None` and for a value that is not finite, so no renderer
//! can print `NaN` or `inf`.

/// Shown for an undefined figure.
pub const NONE: &str = "—";

/// Billions of dollars with one decimal: `$12.3B`, `-$4.0B`, `$1,234.5B`.
pub fn money_b(x: f64) -> String {
    money_scaled(x, 1e9, "B", 1)
}

/// `money_b` for an optional value.
pub fn opt_money_b(x: Option<f64>) -> String {
    x.map_or_else(|| NONE.to_string(), money_b)
}

/// A price in dollars: two decimals from $1 (`$2.41`), three significant digits below
/// (`$0.0213`), so that falling token prices stay readable.
pub fn price(x: f64) -> String {
    let a = x.abs();
    if a >= 1.0 || a == 0.0 || !x.is_finite() {
        return money_scaled(x, 1.0, "", 2);
    }
    let decimals = (2.0 - libm::log10(a).floor()).clamp(2.0, 9.0) as usize;
    money_scaled(x, 1.0, "", decimals)
}

/// `price` for an optional value.
pub fn opt_price(x: Option<f64>) -> String {
    x.map_or_else(|| NONE.to_string(), price)
}

/// A ratio as a percentage with one decimal: `0.612` → `61.2%`.
pub fn pct(x: f64) -> String {
    if !x.is_finite() {
        return NONE.to_string();
    }
    format!("{}%", grouped(x * 100.0, 1))
}

/// `pct` for an optional value.
pub fn opt_pct(x: Option<f64>) -> String {
    x.map_or_else(|| NONE.to_string(), pct)
}

/// A multiple with two decimals: `1.45x`.
pub fn multiple(x: Option<f64>) -> String {
    match x {
        Some(v) if v.is_finite() => format!("{}x", grouped(v, 2)),
        _ => NONE.to_string(),
    }
}

/// Years with one decimal: `7.6 years`.
pub fn years(x: f64) -> String {
    if !x.is_finite() {
        return NONE.to_string();
    }
    format!("{} years", grouped(x, 1))
}

/// A plain number with `decimals` decimals and thousands separators: `1,234.5`.
pub fn number(x: f64, decimals: usize) -> String {
    if !x.is_finite() {
        return NONE.to_string();
    }
    grouped(x, decimals)
}

/// A value with its unit, for explanations: money in a readable scale, other units as a
/// number with six significant digits followed by the unit.
pub fn with_unit(x: f64, unit: &str) -> String {
    if !x.is_finite() {
        return NONE.to_string();
    }
    match unit {
        "USD" | "USD/year" => {
            let a = x.abs();
            let body = if a >= 1e9 {
                money_scaled(x, 1e9, "B", 3)
            } else if a >= 1e6 {
                money_scaled(x, 1e6, "M", 3)
            } else {
                money_scaled(x, 1.0, "", 2)
            };
            if unit == "USD/year" {
                format!("{body}/year")
            } else {
                body
            }
        }
        "ratio" => format!("{} ({})", sig6(x), pct(x)),
        "" => sig6(x),
        u => format!("{} {u}", sig6(x)),
    }
}

/// Six significant digits, plain decimal, no exponent, trailing zeros trimmed.
pub fn sig6(x: f64) -> String {
    if !x.is_finite() {
        return NONE.to_string();
    }
    if x == 0.0 {
        return "0".to_string();
    }
    let magnitude = libm::log10(x.abs()).floor();
    // Decimals so that six significant digits are kept, none for large numbers.
    let decimals = (5.0 - magnitude).clamp(0.0, 12.0) as usize;
    let s = grouped(x, decimals);
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// Full precision in plain decimal (never an exponent): the shortest text that reads back as
/// the same `f64`. `None` and non-finite values give an empty string; `-0` prints as `0`.
pub fn plain(x: Option<f64>) -> String {
    match x {
        Some(v) if v.is_finite() => {
            if v == 0.0 {
                "0".to_string()
            } else {
                // `Display` for f64 never uses an exponent and round-trips exactly.
                format!("{v}")
            }
        }
        _ => String::new(),
    }
}

fn money_scaled(x: f64, scale: f64, suffix: &str, decimals: usize) -> String {
    if !x.is_finite() {
        return NONE.to_string();
    }
    let v = x / scale;
    let body = grouped(v.abs(), decimals);
    // A value that rounds to zero prints without a sign.
    let is_zero = body.chars().all(|c| matches!(c, '0' | '.' | ','));
    let sign = if v < 0.0 && !is_zero { "-" } else { "" };
    format!("{sign}${body}{suffix}")
}

/// `x` rounded to `decimals` with `,` between thousands; no `-0`.
fn grouped(x: f64, decimals: usize) -> String {
    let s = format!("{:.*}", decimals, x.abs());
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (s.as_str(), None),
    };
    let mut out = String::with_capacity(s.len() + int.len() / 3 + 1);
    let is_zero = s.chars().all(|c| matches!(c, '0' | '.'));
    if x < 0.0 && !is_zero {
        out.push('-');
    }
    let n = int.len();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (n - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if let Some(f) = frac {
        out.push('.');
        out.push_str(f);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_in_billions() {
        assert_eq!(money_b(12.34e9), "$12.3B");
        assert_eq!(money_b(-4.0e9), "-$4.0B");
        assert_eq!(money_b(1_234.56e9), "$1,234.6B");
        assert_eq!(money_b(-0.01e9), "$0.0B");
        assert_eq!(money_b(f64::NAN), "—");
        assert_eq!(opt_money_b(None), "—");
    }

    #[test]
    fn percentages_and_multiples() {
        assert_eq!(pct(0.612), "61.2%");
        assert_eq!(pct(-0.0001), "0.0%");
        assert_eq!(opt_pct(None), "—");
        assert_eq!(multiple(Some(1.449)), "1.45x");
        assert_eq!(multiple(Some(f64::INFINITY)), "—");
        assert_eq!(years(7.6), "7.6 years");
    }

    #[test]
    fn plain_never_uses_an_exponent() {
        assert_eq!(plain(Some(1e-7)), "0.0000001");
        assert_eq!(plain(Some(1.5e20)), "150000000000000000000");
        assert_eq!(plain(Some(-0.0)), "0");
        assert_eq!(plain(Some(0.1)), "0.1");
        assert_eq!(plain(Some(f64::NAN)), "");
        assert_eq!(plain(None), "");
        let x = 123_456.789_012_345_6_f64;
        assert_eq!(plain(Some(x)).parse::<f64>().unwrap(), x);
    }

    #[test]
    fn significant_digits() {
        assert_eq!(sig6(2.41), "2.41");
        assert_eq!(sig6(1_234_567.0), "1,234,567");
        assert_eq!(sig6(0.000_123_456_7), "0.000123457");
        assert_eq!(with_unit(12.3456e9, "USD"), "$12.346B");
        assert_eq!(with_unit(2.5, "USD/ref-hour"), "2.5 USD/ref-hour");
        assert_eq!(price(2.414), "$2.41");
        assert_eq!(price(0.021_34), "$0.0213");
        assert_eq!(price(0.5), "$0.500");
    }
}
