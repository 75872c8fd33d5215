//! Statistics that merge exactly across blocks: exact value lists (percentiles by
//! Hyndman–Fan type 7, Excel's `PERCENTILE.INC`) up to [`crate::EXACT_LIMIT`] paths, and beyond
//! it a fixed-bin histogram sketch whose range is learned from the first block.
//!
//! Sketch error bound: a percentile that falls inside the histogram's range is within one bin
//! width ((hi - lo) / [`SKETCH_BINS`]) of the exact type-7 value; one that falls in the
//! under- or overflow is bounded by the exact minimum or maximum, and its bound is the gap
//! to the range (reported with each value). Counts are integers, so merging sketches is exact
//! and order-free; sums are exact ([`crate::exact::ExactSum`]), so means are too.

use crate::exact::ExactSum;
use serde::{Deserialize, Serialize};

/// Bins of a histogram sketch.
pub const SKETCH_BINS: usize = 4096;

/// The `p`-th percentile (0..=1) of sorted values, Hyndman–Fan type 7 (Excel
/// `PERCENTILE.INC`, NumPy's default): `h = (n - 1) p`, interpolate between the order
/// statistics around `h`. `None` for no values.
pub fn percentile_type7(sorted: &[f64], p: f64) -> Option<f64> {
    let n = sorted.len();
    if n == 0 {
        return None;
    }
    let (h, lo, hi) = type7_ranks(n, p);
    Some(type7_interpolate(h, lo, sorted[lo], sorted[hi]))
}

/// Where type 7 reads `n > 0` sorted values for percentile `p`: `h = (n - 1) p` and the
/// 0-based ranks of the order statistics around it.
fn type7_ranks(n: usize, p: f64) -> (f64, usize, usize) {
    let h = (n - 1) as f64 * p.clamp(0.0, 1.0);
    let lo = libm::floor(h) as usize;
    (h, lo, (lo + 1).min(n - 1))
}

/// Type 7's interpolation between the order statistics of ranks `lo` and `lo + 1` (or `lo`).
fn type7_interpolate(h: f64, lo: usize, x_lo: f64, x_hi: f64) -> f64 {
    x_lo + (h - lo as f64) * (x_hi - x_lo)
}

/// [`percentile_type7`] at every `ps` of values in any order, which are reordered: instead
/// of a full sort, only the order statistics the percentiles read are selected into their
/// sorted positions. Values equal under `total_cmp` are equal bit for bit, so each order
/// statistic, and each percentile, has the same bits as from the sorted values.
fn percentiles_type7_unsorted(values: &mut [f64], ps: &[f64]) -> Vec<Option<f64>> {
    let n = values.len();
    if n == 0 {
        return vec![None; ps.len()];
    }
    let mut ranks: Vec<usize> = ps
        .iter()
        .flat_map(|&p| {
            let (_, lo, hi) = type7_ranks(n, p);
            [lo, hi]
        })
        .collect();
    ranks.sort_unstable();
    ranks.dedup();
    select_ranks(values, 0, &ranks);
    ps.iter()
        .map(|&p| {
            let (h, lo, hi) = type7_ranks(n, p);
            Some(type7_interpolate(h, lo, values[lo], values[hi]))
        })
        .collect()
}

/// Put the order statistic of every rank in `ranks` (ascending, distinct, each in
/// `offset .. offset + v.len()`) at its sorted position in `v`, which holds the ranks from
/// `offset` on: select the middle rank, then recurse into the two sides, so each level of
/// the recursion partitions disjoint parts of `v`.
fn select_ranks(v: &mut [f64], offset: usize, ranks: &[usize]) {
    if ranks.is_empty() {
        return;
    }
    let mid = ranks.len() / 2;
    let r = ranks[mid] - offset;
    let (below, _, above) = v.select_nth_unstable_by(r, f64::total_cmp);
    select_ranks(below, offset, &ranks[..mid]);
    select_ranks(above, offset + r + 1, &ranks[mid + 1..]);
}

/// A fixed-bin histogram over `[lo, lo + width x bins)`, with under/overflow counts and the
/// exact minimum and maximum.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "SketchRepr", into = "SketchRepr")]
pub struct Sketch {
    lo: f64,
    width: f64,
    bins: Vec<u64>,
    under: u64,
    over: u64,
    min: f64,
    max: f64,
}

/// A [`Sketch`] as a split run's part file holds it: the extremes are `null` until a value is
/// counted ([`extreme`]), and reading one checks what counting relies on.
#[derive(Serialize, Deserialize)]
struct SketchRepr {
    lo: f64,
    width: f64,
    bins: Vec<u64>,
    under: u64,
    over: u64,
    #[serde(with = "extreme::min")]
    min: f64,
    #[serde(with = "extreme::max")]
    max: f64,
}

impl From<Sketch> for SketchRepr {
    fn from(s: Sketch) -> SketchRepr {
        SketchRepr {
            lo: s.lo,
            width: s.width,
            bins: s.bins,
            under: s.under,
            over: s.over,
            min: s.min,
            max: s.max,
        }
    }
}

impl TryFrom<SketchRepr> for Sketch {
    type Error = String;

    fn try_from(r: SketchRepr) -> Result<Sketch, String> {
        if r.bins.len() != SKETCH_BINS {
            return Err(format!(
                "a sketch has {SKETCH_BINS} bins, found {}",
                r.bins.len()
            ));
        }
        if !(r.width > 0.0 && (r.lo + r.width * SKETCH_BINS as f64).is_finite()) {
            return Err(format!(
                "a sketch's range must be finite with a positive bin width, found lo {} and width {}",
                r.lo, r.width
            ));
        }
        Ok(Sketch {
            lo: r.lo,
            width: r.width,
            bins: r.bins,
            under: r.under,
            over: r.over,
            min: r.min,
            max: r.max,
        })
    }
}

impl Sketch {
    /// A sketch whose range covers `[min, max]` of a first sample, widened by half its span
    /// on each side (a degenerate span is widened by 1 % of the value, at least 1e-9).
    pub fn from_range(min: f64, max: f64) -> Sketch {
        let span = max - min;
        let pad = if span > 0.0 {
            span / 2.0
        } else {
            (min.abs() * 0.01).max(1e-9)
        };
        let lo = min - pad;
        let hi = max + pad;
        Sketch {
            lo,
            width: (hi - lo) / SKETCH_BINS as f64,
            bins: vec![0; SKETCH_BINS],
            under: 0,
            over: 0,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
        }
    }

    fn add(&mut self, x: f64) {
        self.min = self.min.min(x);
        self.max = self.max.max(x);
        match self.slot(x) {
            Slot::Under => self.under += 1,
            Slot::Over => self.over += 1,
            Slot::Bin(k) => self.bins[usize::from(k)] += 1,
        }
    }

    /// Where `x` is counted.
    fn slot(&self, x: f64) -> Slot {
        let k = (x - self.lo) / self.width;
        if k < 0.0 {
            Slot::Under
        } else if k >= SKETCH_BINS as f64 {
            Slot::Over
        } else {
            // 0 <= k < SKETCH_BINS <= 2^16, so the cast is in range.
            Slot::Bin(k as u16)
        }
    }

    fn merge(&mut self, o: &Sketch) {
        for (a, b) in self.bins.iter_mut().zip(&o.bins) {
            *a += b;
        }
        self.under += o.under;
        self.over += o.over;
        self.min = self.min.min(o.min);
        self.max = self.max.max(o.max);
    }

    fn count(&self) -> u64 {
        self.under + self.over + self.bins.iter().sum::<u64>()
    }

    /// Estimate of the order statistic of 0-based rank `r`, and its error bound.
    fn order_stat(&self, r: u64) -> (f64, f64) {
        if r < self.under {
            // Between the exact minimum and the range's lower end.
            return (
                (self.min + self.lo) / 2.0,
                (self.lo - self.min).max(0.0) / 2.0,
            );
        }
        let mut before = self.under;
        for (k, &c) in self.bins.iter().enumerate() {
            if c > 0 && r < before + c {
                let left = self.lo + k as f64 * self.width;
                let x = left + ((r - before) as f64 + 0.5) / c as f64 * self.width;
                return (x.clamp(self.min, self.max), self.width);
            }
            before += c;
        }
        let hi = self.lo + self.width * SKETCH_BINS as f64;
        ((hi + self.max) / 2.0, (self.max - hi).max(0.0) / 2.0)
    }

    /// Type-7 percentile estimated from the sketch, with its error bound.
    fn percentile(&self, p: f64) -> Option<(f64, f64)> {
        let n = self.count();
        if n == 0 {
            return None;
        }
        let h = (n - 1) as f64 * p.clamp(0.0, 1.0);
        let lo = libm::floor(h);
        let (a, ea) = self.order_stat(lo as u64);
        let (b, eb) = self.order_stat((lo as u64 + 1).min(n - 1));
        Some((a + (h - lo) * (b - a), ea.max(eb)))
    }
}

/// Where a sketch counts a value.
#[derive(Debug, Clone, Copy)]
enum Slot {
    Under,
    Over,
    Bin(u16),
}

const _: () = assert!(SKETCH_BINS <= 1 << 16, "bin indices are kept as u16");

/// One output's values over the paths: kept exactly, or sketched.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stat {
    /// Every value, in path order.
    Exact(Vec<f64>),
    /// A histogram sketch.
    Sketch(Sketch),
}

/// Percentiles of one output.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Percentiles {
    /// Paths with a value.
    pub n: u64,
    /// Mean of the values (summed in path order).
    pub mean: Option<f64>,
    /// Smallest value.
    pub min: Option<f64>,
    /// Largest value.
    pub max: Option<f64>,
    /// One value per requested probability (`None` without values).
    pub values: Vec<Option<f64>>,
    /// Error bound of each value: 0 for exact percentiles.
    pub error_bound: Vec<f64>,
    /// Whether the values come from the sketch (approximate).
    pub approximate: bool,
}

/// One block's values of an [`Acc`], reduced by the worker that ran the block
/// ([`Acc::part`]): their exact sum, count and extremes, and the values themselves (exact mode)
/// or the sketch bins they fall in (a `u16` each, a quarter of the values' size).
#[derive(Debug, Clone, PartialEq)]
pub struct AccPart {
    moments: Moments,
    kept: Kept,
}

/// The exact sum, count and extremes of finite values: what an [`Acc`] and an [`AccPart`]
/// both keep, added to one value at a time or merged, exactly, in any order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Moments {
    sum: ExactSum,
    n: u64,
    /// `null` in a part file until a value is added ([`extreme`]).
    #[serde(with = "extreme::min")]
    min: f64,
    #[serde(with = "extreme::max")]
    max: f64,
}

/// The running minimum and maximum start at +inf and -inf; a part file writes them as `null`.
mod extreme {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    fn write<S: Serializer>(x: f64, s: S) -> Result<S::Ok, S::Error> {
        x.is_finite().then_some(x).serialize(s)
    }

    fn read<'de, D: Deserializer<'de>>(d: D, empty: f64) -> Result<f64, D::Error> {
        Ok(Option::<f64>::deserialize(d)?.unwrap_or(empty))
    }

    pub mod min {
        use serde::{Deserializer, Serializer};

        pub fn serialize<S: Serializer>(x: &f64, s: S) -> Result<S::Ok, S::Error> {
            super::write(*x, s)
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
            super::read(d, f64::INFINITY)
        }
    }

    pub mod max {
        use serde::{Deserializer, Serializer};

        pub fn serialize<S: Serializer>(x: &f64, s: S) -> Result<S::Ok, S::Error> {
            super::write(*x, s)
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
            super::read(d, f64::NEG_INFINITY)
        }
    }
}

impl Default for Moments {
    fn default() -> Moments {
        Moments {
            sum: ExactSum::default(),
            n: 0,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
        }
    }
}

impl Moments {
    fn add(&mut self, x: f64) {
        self.sum.add(x);
        self.n += 1;
        self.min = self.min.min(x);
        self.max = self.max.max(x);
    }

    fn merge(&mut self, o: &Moments) {
        self.sum.merge(&o.sum);
        self.n += o.n;
        self.min = self.min.min(o.min);
        self.max = self.max.max(o.max);
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Kept {
    Values(Vec<f64>),
    Bins {
        bins: Vec<u16>,
        under: u64,
        over: u64,
    },
}

/// Values of one output accumulated over paths, with their sum.
///
/// The sum is exact ([`ExactSum`]) and rounded once when the mean is asked for, so the mean is
/// the same whatever the order of the paths: a run split into parts and merged gives the very
/// same mean as the whole run, and the accumulator's memory does not grow with the blocks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Acc {
    stat: Stat,
    moments: Moments,
}

impl Acc {
    /// An exact accumulator.
    pub fn exact() -> Acc {
        Acc {
            stat: Stat::Exact(Vec::new()),
            moments: Moments::default(),
        }
    }

    /// A sketch accumulator whose range is learned from `first` (the first block's values).
    pub fn sketch(first: &[f64]) -> Acc {
        let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
        for &x in first {
            lo = lo.min(x);
            hi = hi.max(x);
        }
        if !lo.is_finite() {
            (lo, hi) = (0.0, 0.0);
        }
        Acc {
            stat: Stat::Sketch(Sketch::from_range(lo, hi)),
            ..Acc::exact()
        }
    }

    /// Add one value (non-finite values are ignored: outputs are finite by contract).
    pub fn push(&mut self, x: f64) {
        if !x.is_finite() {
            return;
        }
        self.moments.add(x);
        match &mut self.stat {
            Stat::Exact(v) => v.push(x),
            Stat::Sketch(s) => s.add(x),
        }
    }

    /// Merge `o` (the later paths) into `self`. Exact with exact appends; sketches add
    /// counts (their ranges must match: both learned from the same first block); sums are
    /// exact, so merged means equal the whole run's.
    pub fn merge(&mut self, o: &Acc) {
        self.moments.merge(&o.moments);
        match (&mut self.stat, &o.stat) {
            (Stat::Exact(a), Stat::Exact(b)) => a.extend_from_slice(b),
            (Stat::Sketch(a), Stat::Sketch(b)) => a.merge(b),
            (Stat::Sketch(a), Stat::Exact(b)) => b.iter().for_each(|&x| a.add(x)),
            (Stat::Exact(_), Stat::Sketch(_)) => {
                // Not produced by the driver (exactness is decided up front); keep the sketch.
                self.stat = o.stat.clone();
            }
        }
    }

    /// An empty accumulator with this one's mode and sketch range but no storage (a sketch's
    /// bins are left out): all [`Acc::part`] reads, so what a worker holds of the run's
    /// accumulator. Only for making parts: absorbing into it keeps no sketch counts.
    pub fn layout(&self) -> Acc {
        Acc {
            stat: match &self.stat {
                Stat::Exact(_) => Stat::Exact(Vec::new()),
                Stat::Sketch(s) => Stat::Sketch(Sketch {
                    lo: s.lo,
                    width: s.width,
                    bins: Vec::new(),
                    under: 0,
                    over: 0,
                    min: f64::INFINITY,
                    max: f64::NEG_INFINITY,
                }),
            },
            ..Acc::exact()
        }
    }

    /// Reduce `xs`, the values of one block, as [`Acc::push`] would add them to this
    /// accumulator (same mode, same sketch range), without changing it: a worker does this for
    /// its block, and folding the blocks in order is then only [`Acc::absorb`].
    pub fn part(&self, xs: impl IntoIterator<Item = f64>) -> AccPart {
        let mut p = AccPart {
            moments: Moments::default(),
            kept: match &self.stat {
                Stat::Exact(_) => Kept::Values(Vec::new()),
                Stat::Sketch(_) => Kept::Bins {
                    bins: Vec::new(),
                    under: 0,
                    over: 0,
                },
            },
        };
        for x in xs.into_iter().filter(|x| x.is_finite()) {
            p.moments.add(x);
            match (&mut p.kept, &self.stat) {
                (Kept::Bins { bins, under, over }, Stat::Sketch(s)) => match s.slot(x) {
                    Slot::Under => *under += 1,
                    Slot::Over => *over += 1,
                    Slot::Bin(k) => bins.push(k),
                },
                (Kept::Values(v), _) => v.push(x),
                (Kept::Bins { .. }, Stat::Exact(_)) => {}
            }
        }
        p
    }

    /// Fold a block's part ([`Acc::part`] of this accumulator, or of one with the same mode and
    /// range): the same state, bit for bit, as pushing the block's values one by one.
    pub fn absorb(&mut self, p: &AccPart) {
        self.moments.merge(&p.moments);
        match (&mut self.stat, &p.kept) {
            (Stat::Exact(v), Kept::Values(x)) => v.extend_from_slice(x),
            (Stat::Sketch(s), Kept::Values(x)) => x.iter().for_each(|&x| s.add(x)),
            (Stat::Sketch(s), Kept::Bins { bins, under, over }) => {
                s.min = s.min.min(p.moments.min);
                s.max = s.max.max(p.moments.max);
                s.under += under;
                s.over += over;
                for &k in bins {
                    if let Some(c) = s.bins.get_mut(usize::from(k)) {
                        *c += 1;
                    }
                }
            }
            // A part made from a sketch holds no values to keep (`part` follows the
            // accumulator's mode, so a driver does not produce this).
            (Stat::Exact(_), Kept::Bins { .. }) => {}
        }
    }

    /// Number of values.
    pub fn n(&self) -> u64 {
        self.moments.n
    }

    /// Percentiles at `ps` (0..=1).
    pub fn percentiles(&self, ps: &[f64]) -> Percentiles {
        let m = &self.moments;
        let has = m.n > 0;
        let (values, error_bound, approximate) = match &self.stat {
            Stat::Exact(v) => (
                percentiles_type7_unsorted(&mut v.clone(), ps),
                vec![0.0; ps.len()],
                false,
            ),
            Stat::Sketch(s) => {
                let est: Vec<Option<(f64, f64)>> = ps.iter().map(|&p| s.percentile(p)).collect();
                (
                    est.iter().map(|e| e.map(|x| x.0)).collect(),
                    est.iter().map(|e| e.map_or(0.0, |x| x.1)).collect(),
                    true,
                )
            }
        };
        Percentiles {
            n: m.n,
            mean: has.then(|| m.sum.value() / m.n as f64),
            min: has.then_some(m.min),
            max: has.then_some(m.max),
            values,
            error_bound,
            approximate,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selected_percentiles_equal_sorted_ones() {
        // Ties, a signed zero and a spread of magnitudes, in a scrambled order.
        let mut v: Vec<f64> = (0..1000)
            .map(|i| {
                let k = (i * 7919 % 1000) as f64;
                if i % 97 == 0 { 0.0 } else { (k - 500.0) * 1.5 }
            })
            .collect();
        v.push(-0.0);
        let ps = [0.0, 0.05, 0.1, 0.25, 0.5, 0.5, 0.75, 0.9, 0.95, 1.0];
        let mut sorted = v.clone();
        sorted.sort_unstable_by(f64::total_cmp);
        let want: Vec<Option<u64>> = ps
            .iter()
            .map(|&p| percentile_type7(&sorted, p).map(f64::to_bits))
            .collect();
        for n in [1, 2, 3, 10, v.len()] {
            let mut part = v[..n].to_vec();
            let mut sorted = part.clone();
            sorted.sort_unstable_by(f64::total_cmp);
            let got = percentiles_type7_unsorted(&mut part, &ps);
            for (&p, g) in ps.iter().zip(got) {
                assert_eq!(
                    g.map(f64::to_bits),
                    percentile_type7(&sorted, p).map(f64::to_bits),
                    "n {n}, p {p}"
                );
            }
        }
        assert_eq!(
            percentiles_type7_unsorted(&mut v, &ps)
                .into_iter()
                .map(|x| x.map(f64::to_bits))
                .collect::<Vec<_>>(),
            want
        );
        assert_eq!(
            percentiles_type7_unsorted(&mut [], &ps),
            vec![None; ps.len()]
        );
    }

    /// A block reduced by its worker ([`Acc::part`] of the run's accumulator or of its
    /// [`Acc::layout`]) and folded with [`Acc::absorb`] leaves the accumulator exactly as
    /// pushing the block's values one by one: exact lists, sketch counts (in range, under and
    /// over it), extremes, counts and sums; non-finite values are ignored either way.
    #[test]
    fn absorbed_parts_equal_values_pushed_one_by_one() {
        let xs: Vec<f64> = (0..3000)
            .map(|i| match i % 211 {
                0 => f64::NAN,
                1 => f64::INFINITY,
                2 => -0.0,
                3 => 1e6,  // far above the sketch's range
                4 => -1e6, // far below it
                _ => ((i * 7919 % 3001) as f64 - 1500.0) * 0.37,
            })
            .collect();
        let first: Vec<f64> = xs[..500]
            .iter()
            .copied()
            .filter(|x| x.abs() < 1e3)
            .collect();
        for start in [Acc::exact(), Acc::sketch(&first)] {
            let mut pushed = start.clone();
            xs.iter().for_each(|&x| pushed.push(x));
            let (mut from_layout, mut from_acc) = (start.clone(), start.clone());
            for block in xs.chunks(1024) {
                let p = start.layout().part(block.iter().copied());
                from_layout.absorb(&p);
                from_acc.absorb(&from_acc.part(block.iter().copied()));
            }
            assert_eq!(from_layout, pushed);
            assert_eq!(from_acc, pushed);
            assert_eq!(pushed.n(), 3000 - 2 * 15);
            let ps = [0.0, 0.05, 0.5, 0.95, 1.0];
            assert_eq!(
                format!("{:?}", from_layout.percentiles(&ps)),
                format!("{:?}", pushed.percentiles(&ps))
            );
        }
    }
}
