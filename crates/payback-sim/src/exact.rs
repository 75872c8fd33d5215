//! Exact sums of `f64` values, for means that do not depend on the order of the paths.
//!
//! Every finite `f64` is an integer multiple of 2^-1074, so a sum of them is one too: an
//! [`ExactSum`] keeps that integer in 32-bit digits (held in `i64`s, so carries can wait), adds a
//! value into the two or three digits its 53-bit significand covers, and rounds only once, when
//! the value is read (to nearest, ties to even). The result is the correctly rounded sum,
//! whatever the order of the additions and however the values were split into parts and merged —
//! which is what lets a Monte Carlo run split across machines report the very same means, in
//! constant memory.

/// Digits of 32 bits: positions up to 67 × 32 = 2144 bits above 2^-1074, enough for the largest
/// finite `f64` (bit 2097) times 2^46 values.
const DIGITS: usize = 67;
/// Additions between carry propagations: each adds less than 2^32 to a digit, so a digit stays
/// below 2^62 in magnitude.
const CARRY_EVERY: u32 = 1 << 30;

/// The exact sum of the finite `f64` values added (see the module docs).
///
/// Serialised (for the parts of a split run) as its digits with carries propagated, lowest
/// first, trailing zero digits left out.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(into = "Vec<i64>", try_from = "Vec<i64>")]
pub struct ExactSum {
    digits: [i64; DIGITS],
    pending: u32,
}

impl Default for ExactSum {
    fn default() -> ExactSum {
        ExactSum {
            digits: [0; DIGITS],
            pending: 0,
        }
    }
}

impl PartialEq for ExactSum {
    /// Equal sums, whatever the additions that made them.
    fn eq(&self, other: &ExactSum) -> bool {
        self.normalized().digits == other.normalized().digits
    }
}

impl From<ExactSum> for Vec<i64> {
    fn from(s: ExactSum) -> Vec<i64> {
        let d = s.normalized().digits;
        let len = d.iter().rposition(|&x| x != 0).map_or(0, |i| i + 1);
        d[..len].to_vec()
    }
}

impl TryFrom<Vec<i64>> for ExactSum {
    type Error = String;

    /// Digits as [`From<ExactSum>`] writes them: at most 67, each but the 67th in `0 .. 2^32`.
    fn try_from(v: Vec<i64>) -> Result<ExactSum, String> {
        if v.len() > DIGITS {
            return Err(format!(
                "an exact sum has at most {DIGITS} digits, found {}",
                v.len()
            ));
        }
        let low = 0..1i64 << 32;
        if let Some((i, d)) = v
            .iter()
            .enumerate()
            .find(|&(i, d)| i + 1 < DIGITS && !low.contains(d) || d.unsigned_abs() >= 1 << 32)
        {
            return Err(format!("digit {i} of an exact sum is {d}, outside 0..2^32"));
        }
        let mut s = ExactSum::default();
        s.digits[..v.len()].copy_from_slice(&v);
        Ok(s)
    }
}

impl ExactSum {
    /// Add `x`; a non-finite `x` is ignored (outputs are finite by contract).
    pub fn add(&mut self, x: f64) {
        if !x.is_finite() || x == 0.0 {
            return;
        }
        let bits = x.to_bits();
        let exp = ((bits >> 52) & 0x7ff) as u32;
        let frac = bits & ((1 << 52) - 1);
        // x = m × 2^(p − 1074): subnormals have p = 0, normals the hidden bit.
        let (m, p) = if exp == 0 {
            (frac, 0)
        } else {
            (frac | 1 << 52, exp - 1)
        };
        let (k, shift) = ((p / 32) as usize, p % 32);
        let wide = u128::from(m) << shift;
        let sign = if bits >> 63 == 1 { -1 } else { 1 };
        for j in 0..3 {
            self.digits[k + j] += sign * ((wide >> (32 * j)) & 0xffff_ffff) as i64;
        }
        self.pending += 1;
        if self.pending >= CARRY_EVERY {
            self.carry();
        }
    }

    /// Add every value of `o`.
    pub fn merge(&mut self, o: &ExactSum) {
        self.carry();
        for (a, b) in self.digits.iter_mut().zip(o.normalized().digits) {
            *a += b;
        }
        self.carry();
    }

    /// The sum, rounded once to the nearest `f64` (ties to even).
    pub fn value(&self) -> f64 {
        let mut n = self.normalized();
        let negative = n.digits[DIGITS - 1] < 0;
        if negative {
            for d in &mut n.digits {
                *d = -*d;
            }
            n.carry();
        }
        let d = &n.digits;
        let Some(h) = (0..DIGITS).rev().find(|&i| d[i] != 0) else {
            return 0.0;
        };
        let digit = |i: usize| d[i] as u128;
        let base = h.saturating_sub(2);
        let window = (base..=h).rev().fold(0u128, |w, i| w << 32 | digit(i));
        let wbits = 128 - window.leading_zeros();
        let mut sticky = d[..base].iter().any(|&x| x != 0);
        let magnitude = if wbits <= 53 {
            // Below 2^53 units the integer is exact as an `f64`, and so is its scaling: the
            // result is a subnormal or the smallest normals, all multiples of 2^-1074.
            window as f64 * f64::from_bits(1)
        } else {
            let cut = wbits.saturating_sub(64);
            sticky |= window & ((1u128 << cut) - 1) != 0;
            let top = (window >> cut) as u64;
            let drop = wbits.min(64) - 53;
            let mut mant = top >> drop;
            let rest = top & ((1u64 << drop) - 1);
            let half = 1u64 << (drop - 1);
            if rest > half || (rest == half && (sticky || mant & 1 == 1)) {
                mant += 1;
            }
            // `mant` has 53 bits (54 when rounding carried out, which scales exactly).
            let exp = (32 * base) as i32 + cut as i32 + drop as i32 - 1074;
            libm::scalbn(mant as f64, exp)
        };
        if negative { -magnitude } else { magnitude }
    }

    /// Propagate carries so that every digit but the top one is in `0 .. 2^32` (the top one
    /// carries the sign): one form per integer.
    fn carry(&mut self) {
        for i in 0..DIGITS - 1 {
            let c = self.digits[i] >> 32;
            self.digits[i] -= c << 32;
            self.digits[i + 1] += c;
        }
        self.pending = 0;
    }

    fn normalized(&self) -> ExactSum {
        let mut n = self.clone();
        n.carry();
        n
    }
}

#[cfg(test)]
mod tests {
    use super::ExactSum;
    use rand_core::{Rng, SeedableRng};
    use rand_xoshiro::Xoshiro256PlusPlus;

    fn sum(xs: &[f64]) -> f64 {
        let mut s = ExactSum::default();
        xs.iter().for_each(|&x| s.add(x));
        s.value()
    }

    #[test]
    fn cancellation_and_extremes_are_exact() {
        assert_eq!(sum(&[]), 0.0);
        assert_eq!(sum(&[1e16, 1.0, -1e16]), 1.0);
        assert_eq!(sum(&[1e308, 1e308, -1e308]), 1e308);
        assert_eq!(sum(&[f64::MAX, -f64::MAX, 0.1]), 0.1);
        let tiny = f64::from_bits(1);
        assert_eq!(sum(&[tiny, tiny, tiny]), 3.0 * tiny);
        assert_eq!(sum(&[f64::MIN_POSITIVE, -tiny]), f64::MIN_POSITIVE - tiny);
        assert_eq!(sum(&[-2.5, 1.0]), -1.5);
        // 0.1 + 0.2 rounds once: the nearest double to the exact sum of the two doubles.
        assert_eq!(sum(&[0.1, 0.2]), 0.30000000000000004);
        assert_eq!(
            sum(&[1.0, libm::scalbn(1.0, -53)]),
            1.0,
            "a tie rounds to even"
        );
        assert_eq!(
            sum(&[1.0, libm::scalbn(1.0, -53), libm::scalbn(1.0, -100)]),
            1.0 + f64::EPSILON
        );
        assert_eq!(sum(&[f64::NAN, f64::INFINITY, 2.0]), 2.0);
    }

    /// Multiples of 2^-20 below 2^60 sum exactly in an i128; Rust's `i128 as f64` rounds to
    /// nearest, ties to even, and the scaling by 2^-20 is exact: the reference for rounding.
    #[test]
    fn sums_are_correctly_rounded_and_order_free() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(7);
        for round in 0..200 {
            let n = 1 + (rng.next_u64() % 3000) as usize;
            let xs: Vec<f64> = (0..n)
                .map(|_| {
                    let mag = rng.next_u64() >> (4 + rng.next_u64() % 60);
                    let v = mag as i128 * if rng.next_u64() & 1 == 0 { 1 } else { -1 };
                    v as f64 * libm::scalbn(1.0, -20)
                })
                .collect();
            let exact: i128 = xs
                .iter()
                .map(|&x| (x * libm::scalbn(1.0, 20)) as i128)
                .sum();
            let want = exact as f64 * libm::scalbn(1.0, -20);
            assert_eq!(sum(&xs).to_bits(), want.to_bits(), "round {round}");
            // Any order, and any split into parts merged in any order, gives the same bits.
            let mut rev = ExactSum::default();
            xs.iter().rev().for_each(|&x| rev.add(x));
            let cut = (rng.next_u64() as usize) % (n + 1);
            let (mut a, mut b) = (ExactSum::default(), ExactSum::default());
            xs[..cut].iter().for_each(|&x| a.add(x));
            xs[cut..].iter().for_each(|&x| b.add(x));
            b.merge(&a);
            assert_eq!(rev.value().to_bits(), want.to_bits());
            assert_eq!(b.value().to_bits(), want.to_bits());
            assert_eq!(b, rev);
        }
    }
}
