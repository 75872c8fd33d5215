//! `irr_quarterly_primary` must return bit for bit `irr_quarterly_annualised(..).primary`.

use payback_model::finance::{irr_quarterly_annualised, irr_quarterly_primary, quarterly_rate};
use proptest::prelude::*;

/// Asserts that the fast primary IRR has the same bits as the full search's, and returns it.
#[track_caller]
fn same_primary(v: &[f64]) -> Option<f64> {
    let full = irr_quarterly_annualised(v).primary;
    let fast = irr_quarterly_primary(v);
    assert_eq!(
        fast.map(f64::to_bits),
        full.map(f64::to_bits),
        "fast {fast:?} vs full {full:?} for {v:?}"
    );
    fast
}

/// Coefficients (highest power first) of `Π (y - y_i) · Q(y)`: the quarterly series whose NPV
/// `Σ v_t (1+r)^-t`, times `(1+r)^(n-1)`, is that polynomial in `y = 1+r`. `Q` has positive
/// coefficients, so it adds no root with `y > 0`.
fn series_with_roots(ys: &[f64], q: &[f64]) -> Vec<f64> {
    let mut p = q.to_vec();
    for &y in ys {
        let mut next = vec![0.0; p.len() + 1];
        for (i, &c) in p.iter().enumerate() {
            next[i] += c;
            next[i + 1] -= c * y;
        }
        p = next;
    }
    p
}

fn sign_changes(v: &[f64]) -> usize {
    let nz: Vec<f64> = v.iter().copied().filter(|x| *x != 0.0).collect();
    nz.windows(2)
        .filter(|w| (w[0] > 0.0) != (w[1] > 0.0))
        .count()
}

// ------------------------------------------------------------------------------------
// Hand-made cases
// ------------------------------------------------------------------------------------

#[test]
fn classic_two_roots() {
    // y = 1.1 or 1.2: quarterly 10 % and 20 %, annual 46.41 % and 107.36 %; nearest 0 is
    // 46.41 %.
    let p = same_primary(&[-100.0, 230.0, -132.0]).expect("root");
    assert!((p - 0.4641).abs() < 1e-12, "{p}");
    let roots = irr_quarterly_annualised(&[-100.0, 230.0, -132.0]).roots;
    assert_eq!(roots.len(), 2);
    // Mirrored: the same roots, so the same primary.
    let p = same_primary(&[100.0, -230.0, 132.0]).expect("root");
    assert!((p - 0.4641).abs() < 1e-12, "{p}");
}

#[test]
fn roots_on_both_sides_of_zero() {
    // Annual ±a, and nearly equal distances on either side: the one nearer 0 (or, on a
    // tie, the negative one) wins, whichever way the asymmetry of annualising goes.
    for a in [0.05, 0.2, 0.5, 0.9] {
        for eps in [0.0, 1e-15, -1e-15, 1e-12, -1e-12, 1e-9, -1e-9, 1e-6, -1e-6] {
            let ys = [1.0 + quarterly_rate(-a), 1.0 + quarterly_rate(a + eps)];
            let v = series_with_roots(&ys, &[1.0]);
            let p = same_primary(&v).expect("root");
            assert!((p.abs() - a).abs() < 2e-6, "{a} {eps} {p}");
            // Well above the solver's precision, the nearer side wins.
            if eps.abs() >= 1e-9 {
                assert_eq!(p > 0.0, eps < 0.0, "{a} {eps} {p}");
            }
            let v = series_with_roots(&ys, &[2.0, 0.5, 1.0, 3.0]);
            same_primary(&v).expect("root");
            // A third root far away, so the grid search is used with a tie near 0.
            let v = series_with_roots(&[ys[0], ys[1], 1.4], &[1.0, 0.1]);
            same_primary(&v).expect("root");
        }
    }
    // Quarterly ±5 %: annual +21.55 % and -18.55 %, so the negative root is nearer.
    let p = same_primary(&series_with_roots(&[0.95, 1.05], &[1.0])).expect("root");
    assert!(
        (p - (0.95_f64 * 0.95 * 0.95 * 0.95 - 1.0)).abs() < 1e-12,
        "{p}"
    );
}

#[test]
fn root_exactly_zero() {
    // One sign change: the single bracket.
    let p = same_primary(&[-1.0, 1.0]).expect("root at 0");
    assert!(p.abs() < 1e-12, "{p}");
    // Several sign changes summing to 0: r = 0 is a root (refined by the grid search).
    for v in [
        vec![-10.0, 25.0, -20.0, 4.0, 1.0],
        vec![-100.0, 60.0, -30.0, 20.0, 50.0],
        vec![-3.0, 0.0, 4.0, -2.0, 0.0, 1.0],
        vec![5.0, -10.0, 10.0, -5.0],
    ] {
        assert!(sign_changes(&v) >= 2);
        let p = same_primary(&v).expect("root at 0");
        assert!(p.abs() < 1e-11, "{v:?}: {p}");
    }
    // A double root at 0 (the NPV touches 0 at r = 0): found only on a grid point, so
    // whatever the full search reports, the fast one must report the same.
    same_primary(&series_with_roots(&[1.0, 1.0], &[1.0]));
    same_primary(&series_with_roots(&[1.0, 1.0, 1.2], &[1.0]));
}

#[test]
fn no_root_in_range() {
    // Two sign changes but no real root: y² - y + 1 has none.
    assert_eq!(same_primary(&[1.0, -1.0, 1.0]), None);
    // Roots only outside the model range (annual below -95 % or above 300 %).
    assert_eq!(same_primary(&series_with_roots(&[0.3, 1.6], &[1.0])), None);
    assert_eq!(
        same_primary(&series_with_roots(&[1.5, 1.6, 2.0], &[1.0, 1.0])),
        None
    );
    // A pair of roots closer than one grid step: no sign change on the grid.
    same_primary(&series_with_roots(&[1.1, 1.1 + 1e-7], &[1.0]));
    // One sign change with its root out of range.
    assert_eq!(same_primary(&[-1.0, 100.0]), None);
}

#[test]
fn roots_at_the_ends_of_the_range() {
    let (lo, hi) = (quarterly_rate(-0.95), quarterly_rate(3.0));
    for ys in [
        vec![1.0 + lo],
        vec![1.0 + hi],
        vec![1.0 + lo, 1.0 + hi],
        vec![1.0 + lo, 1.0 + hi, 1.1],
        vec![1.0 + lo, 0.99, 1.0 + hi],
    ] {
        same_primary(&series_with_roots(&ys, &[1.0]));
        same_primary(&series_with_roots(&ys, &[1.0, 0.3]));
    }
}

#[test]
fn one_sign_change() {
    let mut v = vec![0.0; 9];
    v[0] = -100.0;
    v[8] = 121.0;
    let p = same_primary(&v).expect("root");
    assert!((p - 0.1).abs() < 1e-12, "{p}");
    same_primary(&[0.0, -5.0, 0.0, 1.0, 2.0, 3.0, 0.0]).expect("root");
    same_primary(&[7.0, 0.0, -1.0, -2.0]).expect("root");
}

#[test]
fn invalid_or_one_signed() {
    assert_eq!(same_primary(&[]), None);
    assert_eq!(same_primary(&[0.0, 0.0]), None);
    assert_eq!(same_primary(&[1.0, 2.0, 3.0]), None);
    assert_eq!(same_primary(&[-1.0, 0.0, -3.0]), None);
    assert_eq!(same_primary(&[-1.0, f64::NAN, 2.0, -1.0]), None);
    assert_eq!(same_primary(&[-1.0, f64::INFINITY, -1.0]), None);
    assert_eq!(same_primary(&[f64::NEG_INFINITY, 3.0, -1.0]), None);
}

#[test]
fn extreme_magnitudes() {
    same_primary(&[-1e300, 2.3e300, -1.32e300]).expect("root");
    same_primary(&[-1e-300, 2.3e-300, -1.32e-300]).expect("root");
    same_primary(&[-1e308, 1.0, 1e-300, -1e-10, 1.5e308]);
    same_primary(&[-f64::MAX, f64::MAX, -f64::MAX, f64::MAX]);
}

// ------------------------------------------------------------------------------------
// Random series
// ------------------------------------------------------------------------------------

/// A value `±m · 10^e`, or exactly 0 with probability 1/8.
fn amount(positive: bool) -> impl Strategy<Value = f64> {
    (0u8..8, 1.0..10.0_f64, -3i32..7).prop_map(move |(z, m, e)| {
        if z == 0 {
            0.0
        } else {
            let a = m * libm::pow(10.0, f64::from(e));
            if positive { a } else { -a }
        }
    })
}

/// Project-like quarterly series of length 3..80 with 2–6 sign changes: a negative
/// (capex) start, then alternating positive and negative runs (dips, reinvestment,
/// decommissioning), magnitudes over several orders, some exact zeros; each run starts
/// with a non-zero amount so the sign changes are really there.
fn multi_sign_series() -> impl Strategy<Value = Vec<f64>> {
    (2usize..=6, 3usize..80, any::<bool>())
        .prop_flat_map(|(changes, len, start_negative)| {
            let len = len.max(changes + 1);
            (
                proptest::sample::subsequence((1..len).collect::<Vec<_>>(), changes),
                Just(len),
                Just(start_negative),
            )
        })
        .prop_flat_map(|(cuts, len, start_negative)| {
            let mut runs = Vec::new();
            let mut start = 0;
            for (i, &end) in cuts.iter().chain(std::iter::once(&len)).enumerate() {
                let positive = (i % 2 == 1) == start_negative;
                let one = if positive { 1.0 } else { -1.0 };
                let head = amount(positive).prop_map(move |a| if a == 0.0 { one } else { a });
                let tail = proptest::collection::vec(amount(positive), end - start - 1);
                runs.push((head, tail).prop_map(|(h, mut t)| {
                    t.insert(0, h);
                    t
                }));
                start = end;
            }
            runs.prop_map(|runs| runs.concat())
        })
}

/// Series built from chosen roots: 2–5 quarterly roots `1+r` in `[0.4, 1.5]` (the model
/// range is about `[0.473, 1.414]`), many near 1 (r ≈ 0) on both sides, times a factor with
/// positive coefficients; gives several roots in range and near-ties around 0.
fn series_from_roots() -> impl Strategy<Value = Vec<f64>> {
    let y = prop_oneof![0.4..1.5_f64, 0.97..1.03_f64, 0.999..1.001_f64];
    (
        proptest::collection::vec(y, 2..=5),
        proptest::collection::vec(0.01..10.0_f64, 1..40),
        any::<bool>(),
    )
        .prop_map(|(mut ys, q, mirror)| {
            // Sometimes a root and the one at the same annual distance on the other side.
            if mirror {
                let a = libm::pow(ys[0], 4.0) - 1.0;
                ys.push(1.0 + quarterly_rate(-a));
            }
            series_with_roots(&ys, &q)
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn multi_sign_series_match(v in multi_sign_series()) {
        let n = sign_changes(&v);
        prop_assert!((2..=6).contains(&n), "{n} sign changes in {v:?}");
        let full = irr_quarterly_annualised(&v).primary;
        prop_assert_eq!(irr_quarterly_primary(&v).map(f64::to_bits), full.map(f64::to_bits));
    }

    #[test]
    fn series_from_roots_match(v in series_from_roots()) {
        let full = irr_quarterly_annualised(&v).primary;
        prop_assert_eq!(irr_quarterly_primary(&v).map(f64::to_bits), full.map(f64::to_bits));
    }

    #[test]
    fn any_series_match(v in proptest::collection::vec(
        prop_oneof![
            3 => -1e6..1e6_f64,
            1 => Just(0.0),
            1 => -1.0..1.0_f64,
        ],
        1..80,
    )) {
        let full = irr_quarterly_annualised(&v).primary;
        prop_assert_eq!(irr_quarterly_primary(&v).map(f64::to_bits), full.map(f64::to_bits));
    }
}

/// How many random cases of each kind have a root, and several roots: the generators must
/// exercise the multi-root path, not only the `None` one.
#[test]
fn generators_reach_multiple_roots() {
    use proptest::strategy::{Strategy, ValueTree};
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    // (series with a root, series with several) among 500 drawn by `strategy`.
    let mut count = |strategy: &dyn Fn() -> proptest::strategy::BoxedStrategy<Vec<f64>>| {
        let (mut some, mut multiple) = (0, 0);
        for _ in 0..500 {
            let v = strategy().new_tree(&mut runner).expect("tree").current();
            let full = irr_quarterly_annualised(&v);
            some += usize::from(full.primary.is_some());
            multiple += usize::from(full.multiple);
        }
        (some, multiple)
    };
    let (some, multiple) = count(&|| series_from_roots().boxed());
    assert!(
        some > 400 && multiple > 200,
        "{some} with a root, {multiple} with several"
    );
    let (some, multiple) = count(&|| multi_sign_series().boxed());
    assert!(
        some > 50 && multiple > 5,
        "{some} with a root, {multiple} with several"
    );
}
