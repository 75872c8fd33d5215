//! Split runs: the blocks of one run shared among machines (or processes, or days), each share
//! saved as a part, and the parts merged into exactly the report the whole run gives.
//!
//! A run of `paths` paths has `ceil(paths / BLOCK_SIZE)` blocks; share `k` of `m` is the blocks
//! `floor((k - 1) nb / m) .. floor(k nb / m)` ([`share_blocks`]). Each block draws from its own
//! stream and the summary's sums are exact, so the merged summary is the whole run's, bit for
//! bit, whatever machine ran which share on how many threads (`docs/simulation.md`, "Split
//! runs"). A [`Part`] records what it belongs to ([`RunId`]: scenario or portfolio, the payback
//! version, a digest of the plan, the path count, seed, sampling and events) so that
//! [`merge_parts`] can refuse parts of different runs, repeated or missing shares, and files
//! that are not parts. What a share accumulates is anything that can [`Merge`]: a scenario's
//! [`SimResult`] here, a portfolio's results in `payback-portfolio`.

use std::ops::Range;

use serde::{Deserialize, Serialize};

use crate::stats::Acc;
use crate::{BLOCK_SIZE, Config, EXACT_LIMIT, FAN_SERIES, Plan, SCALARS, Sampling, SimResult};

/// The `format` field of a part file.
pub const PART_FORMAT: &str = "payback-simulate-part";

/// The part file's layout version; parts of another version are refused.
pub const PART_VERSION: u32 = 1;

/// The blocks of share `k` (from 1) of `m` of a run of `paths` paths: the run's
/// `ceil(paths / BLOCK_SIZE)` blocks cut into `m` contiguous shares whose sizes differ by at
/// most one block (a share is empty when there are fewer blocks than shares).
pub fn share_blocks(k: u64, m: u64, paths: u64) -> Range<u64> {
    let nb = u128::from(paths.div_ceil(BLOCK_SIZE as u64));
    let m = u128::from(m.max(1));
    let k = u128::from(k.clamp(1, m as u64));
    // In u128 so that `k x nb` cannot overflow; the quotients are at most `nb`.
    ((k - 1) * nb / m) as u64..(k * nb / m) as u64
}

/// Paths in `blocks` of a run of `paths` paths.
pub fn paths_in(blocks: &Range<u64>, paths: u64) -> u64 {
    let bs = BLOCK_SIZE as u64;
    let start = blocks.start.saturating_mul(bs).min(paths);
    let end = blocks.end.saturating_mul(bs).min(paths);
    end - start
}

/// What makes two parts parts of the same run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunId {
    /// `scenario` or `portfolio`: what was simulated.
    pub kind: String,
    /// The payback version that ran the part.
    pub engine: String,
    /// [`digest`] of the plan: the scenario as loaded, its overlays applied (or every
    /// company's, and what they share), the uncertain inputs and their correlations, and
    /// whether events are drawn.
    pub plan: String,
    /// Paths of the whole run.
    pub paths: u64,
    /// Seed of the streams.
    pub seed: u64,
    /// Sampling.
    pub sampling: Sampling,
    /// Whether default and renewal events are drawn.
    pub events: bool,
}

impl RunId {
    /// The run `cfg` describes, of a `kind` whose plan is `plan`, by this version of payback.
    pub fn new(kind: &str, plan: &impl std::fmt::Debug, cfg: &Config, events: bool) -> RunId {
        RunId {
            kind: kind.to_string(),
            engine: env!("CARGO_PKG_VERSION").to_string(),
            plan: digest(plan),
            paths: cfg.paths,
            seed: cfg.seed,
            sampling: cfg.sampling,
            events,
        }
    }

    /// A scenario's run.
    pub fn scenario(plan: &Plan, cfg: &Config) -> RunId {
        RunId::new("scenario", plan, cfg, plan.events)
    }
}

/// What a share accumulates, as far as saving and merging it goes: a scenario's [`SimResult`],
/// or a portfolio's results (one per member).
pub trait Merge: Sized {
    /// Merge the share that follows this one.
    fn merge(&mut self, later: &Self);

    /// Whether the result is one of `run`'s shares of `paths` paths: settings, path count and
    /// the shape of every summary. `Err` says what is wrong.
    fn check(&self, run: &RunId, paths: u64) -> Result<(), String>;

    /// The accumulators' modes and sketch ranges, which every share of one run has alike.
    fn layout(&self) -> Vec<Acc>;

    /// Threads for computing the merged result's percentiles.
    fn set_threads(&mut self, threads: Option<usize>);
}

impl Merge for SimResult {
    fn merge(&mut self, later: &SimResult) {
        SimResult::merge(self, later);
    }

    fn check(&self, run: &RunId, paths: u64) -> Result<(), String> {
        let c = &self.config;
        if (c.paths, c.seed, c.sampling) != (run.paths, run.seed, run.sampling)
            || self.events != run.events
        {
            return Err("its result's settings differ from its run's".to_string());
        }
        if self.exact != (run.paths <= EXACT_LIMIT) {
            return Err("its percentile mode does not match its path count".to_string());
        }
        let s = &self.summary;
        if s.paths > paths || (s.paths < paths && !self.stopped) {
            return Err(format!("it counts {} paths, its share {paths}", s.paths));
        }
        let nq = s.quarters.len();
        if s.payback_counts.len() != nq
            || s.scalars.len() != SCALARS.len()
            || s.fan.len() != FAN_SERIES.len()
            || s.fan.iter().any(|f| f.len() != nq)
        {
            return Err("its summary does not have the shape of a run's".to_string());
        }
        Ok(())
    }

    fn layout(&self) -> Vec<Acc> {
        let s = &self.summary;
        s.scalars
            .iter()
            .chain(s.fan.iter().flatten())
            .map(Acc::layout)
            .collect()
    }

    fn set_threads(&mut self, threads: Option<usize>) {
        self.config.threads = threads;
    }
}

/// One share of a split run, as saved to a part file (JSON).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Part<R = SimResult> {
    /// [`PART_FORMAT`].
    pub format: String,
    /// [`PART_VERSION`].
    pub version: u32,
    /// The run it belongs to.
    pub run: RunId,
    /// What was simulated, for people: the scenario and overlays as named on the command line,
    /// or the portfolio's name (not checked).
    pub name: String,
    /// `[k, m]`: share `k` of `m`.
    pub share: [u64; 2],
    /// `[first, end)`: the blocks it ran ([`share_blocks`]).
    pub blocks: [u64; 2],
    /// What the share accumulated ([`crate::simulate_blocks`]).
    pub result: R,
}

impl<R: Merge> Part<R> {
    /// Share `k` of `m` of `run`, with its `result`.
    pub fn new(run: RunId, name: &str, (k, m): (u64, u64), result: R) -> Part<R> {
        let b = share_blocks(k, m, run.paths);
        Part {
            format: PART_FORMAT.to_string(),
            version: PART_VERSION,
            run,
            name: name.to_string(),
            share: [k, m],
            blocks: [b.start, b.end],
            result,
        }
    }

    /// Whether the part is internally consistent: its share's blocks and its result.
    fn check(&self) -> Result<(), String> {
        let [k, m] = self.share;
        if m == 0 || k == 0 || k > m {
            return Err(format!("share {k}/{m} is not a share (1 <= k <= m)"));
        }
        let blocks = share_blocks(k, m, self.run.paths);
        if self.blocks != [blocks.start, blocks.end] {
            return Err(format!(
                "blocks {}..{} are not share {k}/{m}'s ({}..{})",
                self.blocks[0], self.blocks[1], blocks.start, blocks.end
            ));
        }
        self.result
            .check(&self.run, paths_in(&blocks, self.run.paths))
    }
}

/// A digest of everything `plan` holds: FNV-1a (64 bits) of its `Debug` text, which writes
/// every number in full (shortest round-trip form). Two plans with the same digest under the
/// same payback version are, for a split run, the same plan.
pub fn digest(plan: &impl std::fmt::Debug) -> String {
    let text = format!("{plan:?}");
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("fnv1a64:{h:016x}")
}

/// Merge the parts of one run, each with the name to report it by (its file), into the whole
/// run's result: every share exactly once, all of the same run and version. `threads` is what
/// the merged result computes its percentiles with. `Err` names the part and what is wrong.
pub fn merge_parts<R: Merge>(
    mut parts: Vec<(String, Part<R>)>,
    threads: Option<usize>,
) -> Result<R, String> {
    let Some((first_name, first)) = parts.first() else {
        return Err("no parts to merge".to_string());
    };
    for (name, p) in &parts {
        if p.format != PART_FORMAT {
            return Err(format!(
                "`{name}` is not a payback simulate part (its format is `{}`)",
                p.format
            ));
        }
        if p.version != PART_VERSION {
            return Err(format!(
                "`{name}` is a part file of version {}; this payback reads version {PART_VERSION}",
                p.version
            ));
        }
        p.check().map_err(|e| format!("`{name}` is damaged: {e}"))?;
    }
    let (run, m) = (first.run.clone(), first.share[1]);
    let layout = first.result.layout();
    for (name, p) in &parts[1..] {
        if p.run.engine != run.engine {
            return Err(format!(
                "`{name}` was run by payback {}, `{first_name}` by payback {}: the parts of a run must come from one version",
                p.run.engine, run.engine
            ));
        }
        let differs = [
            ("the kind", p.run.kind.clone(), run.kind.clone()),
            (
                "the path count",
                p.run.paths.to_string(),
                run.paths.to_string(),
            ),
            ("the seed", p.run.seed.to_string(), run.seed.to_string()),
            (
                "the sampling",
                p.run.sampling.name().to_string(),
                run.sampling.name().to_string(),
            ),
            (
                "the events",
                events(p.run.events).to_string(),
                events(run.events).to_string(),
            ),
            (
                "the scenario, overlays or uncertainty (plan digest)",
                p.run.plan.clone(),
                run.plan.clone(),
            ),
            (
                "the number of shares",
                p.share[1].to_string(),
                m.to_string(),
            ),
        ];
        if let Some((what, theirs, ours)) = differs.iter().find(|(_, a, b)| a != b) {
            return Err(format!(
                "`{name}` is a part of another run than `{first_name}`: {what} is {theirs}, not {ours}"
            ));
        }
        if p.result.layout() != layout {
            return Err(format!(
                "`{name}`'s sketch ranges differ from `{first_name}`'s, though the runs match: a part was altered"
            ));
        }
    }
    parts.sort_by_key(|(_, p)| p.share[0]);
    for w in parts.windows(2) {
        if w[0].1.share == w[1].1.share {
            return Err(format!(
                "share {}/{m} is given twice: `{}` and `{}`",
                w[0].1.share[0], w[0].0, w[1].0
            ));
        }
    }
    // The gaps between the shares given (in u128: a share may be u64::MAX).
    let mut gaps = Vec::new();
    let mut next = 1u128;
    for k in parts.iter().map(|(_, p)| u128::from(p.share[0])) {
        if k > next {
            gaps.push((next, k - 1));
        }
        next = k + 1;
    }
    if next <= u128::from(m) {
        gaps.push((next, u128::from(m)));
    }
    if !gaps.is_empty() {
        let one = gaps.len() == 1 && gaps[0].0 == gaps[0].1;
        let mut listed: Vec<String> = gaps
            .iter()
            .take(5)
            .map(|&(a, b)| match a == b {
                true => format!("{a}/{m}"),
                false => format!("{a}/{m} to {b}/{m}"),
            })
            .collect();
        if gaps.len() > 5 {
            listed.push("…".to_string());
        }
        return Err(format!(
            "share{} {} of the run {} missing: merge needs every share once",
            if one { "" } else { "s" },
            listed.join(", "),
            if one { "is" } else { "are" }
        ));
    }
    let mut parts = parts.into_iter().map(|(_, p)| p.result);
    let mut merged = parts.next().ok_or("no parts to merge")?;
    for later in parts {
        merged.merge(&later);
    }
    merged.set_threads(threads);
    Ok(merged)
}

fn events(drawn: bool) -> &'static str {
    if drawn { "drawn" } else { "in expectation" }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exact::ExactSum;
    use crate::{BlockOut, Summary};

    #[test]
    fn shares_tile_the_blocks_in_order_and_differ_by_at_most_one_block() {
        let bs = BLOCK_SIZE as u64;
        for paths in [1, bs - 1, bs, bs + 1, 7 * bs + 3, 100 * bs, u64::MAX] {
            let nb = paths.div_ceil(bs);
            for m in [1, 2, 3, 7, 8, 250] {
                let shares: Vec<Range<u64>> = (1..=m).map(|k| share_blocks(k, m, paths)).collect();
                assert_eq!(shares[0].start, 0);
                assert_eq!(
                    shares[shares.len() - 1].end,
                    nb,
                    "{paths} paths, {m} shares"
                );
                for w in shares.windows(2) {
                    assert_eq!(w[0].end, w[1].start);
                }
                let sizes = shares.iter().map(|r| r.end - r.start);
                let (lo, hi) = (sizes.clone().min().unwrap(), sizes.max().unwrap());
                assert!(hi - lo <= 1, "{paths} paths, {m} shares: {lo}..{hi} blocks");
                let counted: u128 = shares.iter().map(|r| u128::from(paths_in(r, paths))).sum();
                assert_eq!(counted, u128::from(paths));
            }
        }
        assert_eq!(share_blocks(2, 3, 5 * bs), 1..3);
        assert_eq!(paths_in(&(4..5), 4 * bs + 10), 10);
    }

    #[test]
    fn exact_sums_round_trip_through_their_digits() {
        for xs in [
            &[][..],
            &[1.5, -2.25e300, 3e-310][..],
            &[-1.0][..],
            &[f64::MAX, f64::MAX, 1e-300][..],
        ] {
            let mut s = ExactSum::default();
            xs.iter().for_each(|&x| s.add(x));
            let digits: Vec<i64> = s.clone().into();
            let back = ExactSum::try_from(digits.clone()).expect("valid digits");
            assert_eq!(back, s);
            assert_eq!(back.value().to_bits(), s.value().to_bits(), "{xs:?}");
            assert!(digits.last().is_none_or(|&d| d != 0));
        }
        assert!(ExactSum::try_from(vec![1 << 32]).is_err());
        assert!(ExactSum::try_from(vec![-1]).is_err());
        assert!(ExactSum::try_from(vec![0; 68]).is_err());
        let mut top = vec![0; 67];
        top[66] = i64::MIN;
        assert!(ExactSum::try_from(top).is_err());
    }

    /// A summary with sketches (as beyond the exact limit), written as JSON and read back,
    /// reports the same bits and merges as the original does; damaged sketches are refused.
    #[test]
    fn sketch_summaries_survive_json_exactly() {
        let (cfg, quarters, blocks) = crate::tests::default_blocks(48, 3);
        let start = Summary::new(quarters, false, Some(&blocks[0]));
        let result = |bs: &[BlockOut]| {
            let mut summary = start.clone();
            for b in bs {
                summary.absorb(&start.layout().part_with_fan(b));
            }
            SimResult {
                config: cfg,
                exact: false,
                stopped: false,
                inputs: Vec::new(),
                events: true,
                summary,
            }
        };
        let (a, b) = (result(&blocks[..2]), result(&blocks[2..]));
        let json = |r: &SimResult| serde_json::to_string(r).expect("serialises");
        let read = |t: &str| serde_json::from_str::<SimResult>(t).expect("reads back");
        let (a2, b2) = (read(&json(&a)), read(&json(&b)));
        assert!(a2.summary.scalars[0].percentiles(&[0.5]).approximate);
        assert_eq!(json(&a2), json(&a));
        let (mut whole, mut whole2) = (a.clone(), a2);
        whole.merge(&b);
        whole2.merge(&b2);
        assert_eq!(whole2.summary.paths, 3 * 48);
        // Debug prints every f64 in full: equal text is equal bits.
        assert_eq!(
            format!("{:?}", whole2.report()),
            format!("{:?}", whole.report())
        );
        let damaged = json(&a).replacen("\"bins\":[", "\"bins\":[7,", 1);
        let err = serde_json::from_str::<SimResult>(&damaged).unwrap_err();
        assert!(
            err.to_string()
                .contains("a sketch has 4096 bins, found 4097"),
            "{err}"
        );
    }
}
