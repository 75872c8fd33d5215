//! The stable diagnostic codes: one [`Code`] per kind of problem, with its title and the
//! explanation printed by `payback explain P0301` and collected in `docs/errors.md`.
//!
//! Families: `P01xx` syntax, types and structure; `P02xx` names, periods and references;
//! `P03xx` values out of range; `P04xx` overlays; `P05xx` uncertainty (distributions and
//! correlations). A code is never reused for another meaning.

use std::fmt;

macro_rules! codes {
    ($( $(#[$doc:meta])* $name:ident, $title:literal, $explanation:literal; )*) => {
        /// A stable diagnostic code (`P0301`).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum Code {
            $( $(#[$doc])* $name, )*
        }

        const ALL: &[Code] = &[$(Code::$name),*];

        impl Code {
            /// The code as written in messages, `P0301`.
            pub fn as_str(&self) -> &'static str {
                match self { $(Code::$name => stringify!($name),)* }
            }

            /// A short title, `share outside 0..=1`.
            pub fn title(&self) -> &'static str {
                match self { $(Code::$name => $title,)* }
            }

            /// What the problem means and how to fix it (Markdown).
            pub fn explanation(&self) -> &'static str {
                match self { $(Code::$name => $explanation,)* }
            }
        }
    };
}

codes! {
    /// TOML syntax error.
    P0101, "TOML syntax error",
    "The file is not valid TOML, so nothing else in it was checked. The diagnostic points at the \
     line and column where the parser stopped. Common causes: an unquoted string \
     (`tax = group` instead of `tax = \"group\"`), a missing `]`, a key defined twice.";
    /// A value has the wrong type.
    P0102, "wrong type",
    "The value has a TOML type the key does not accept, for example a string where a number is \
     expected (`unit_cost = \"55000\"`) or a number where a table is expected. Integers are \
     accepted wherever numbers are; `docs/scenario.md` gives the type of every key.";
    /// A key the format does not know.
    P0103, "unknown key",
    "The key is not part of the scenario (or overlay) format at this place. Usually a typo or a \
     key placed in the wrong table; the hint lists the closest valid key. Unknown keys are errors, \
     not warnings, so that a misspelt parameter never silently falls back to its default.";
    /// A required value is missing.
    P0104, "missing required value",
    "A key or table without a default is absent. The diagnostic points at the table that should \
     hold it (or the top of the file for a missing table). `docs/scenario.md` marks required keys.";
    /// A whole number was expected.
    P0105, "not a whole number",
    "The key counts quarters or months and needs a whole number. `4` and `4.0` are accepted; \
     `4.5` is not.";
    /// A string is not one of the accepted choices.
    P0106, "unknown choice",
    "The key accepts only a fixed set of strings (for example `terminal` accepts `none`, `book` \
     and `runoff`). The message lists them.";
    /// Exactly one of two alternatives must be given.
    P0107, "exactly one of two keys",
    "Some values can be given in two ways and need exactly one of them: a contract's \
     `price_per_ref_hour` or `total_value`, its `ref_accelerators` or `accelerators` with \
     `generation`; a tranche's `buys` or `mix`; agents' `price` or `value`; internal use's `share` \
     or `ref_hours`. Remove one, or add the missing one.";
    /// A malformed period.
    P0201, "malformed period",
    "A period is written `2026Q3` (quarter), `2026H2` (half), `2026` (year) or `FY2026`, \
     `FY2026Q1`, `FY2026H1` (fiscal). Keys that need a single quarter accept `2026Q3` or \
     `FY2026Q1`. Map keys of growth paths are years (`2027`).";
    /// A reference to an undefined generation.
    P0202, "unknown generation",
    "A tranche or contract names a generation that no `[[generations]]` entry defines. Names are \
     case-sensitive; the hint lists the closest defined name.";
    /// A reference to an undefined counterparty.
    P0203, "unknown counterparty",
    "A contract or equity stake names a counterparty id that no `[[counterparties]]` entry \
     defines. Declare it, or fix the id (case-sensitive).";
    /// Two items share a name.
    P0204, "duplicate name",
    "Generations, contracts, tiers and equity stakes need unique `name`s, counterparties unique \
     `id`s: parameter paths (`contracts.lab-a.take_or_pay`) address items by them.";
    /// A fiscal period without a fiscal year end.
    P0205, "fiscal period without `fiscal_year_end`",
    "`FY2026`, `FY2026Q1` and `FY2026H1` depend on the month in which the company's fiscal year \
     ends. Set `scenario.fiscal_year_end` (1..=12), or write calendar periods.";
    /// A share outside 0..=1.
    P0301, "share outside 0..=1",
    "Shares, probabilities and rates marked `0..=1` are decimals: 30 % is `0.3`, not `30`.";
    /// A negative amount.
    P0302, "negative value",
    "Money, counts and hours cannot be negative.";
    /// A value that must be strictly positive.
    P0303, "value must be positive",
    "Lives, costs, prices, terms and performance must be greater than zero: a zero life or cost \
     would divide by zero in the model.";
    /// NaN, infinity or a number too large.
    P0304, "number not finite",
    "TOML accepts `nan`, `inf` and integers or floats beyond the range of a 64-bit float; the \
     model does not. Write a finite number.";
    /// A period after the end of the projection.
    P0305, "period after `scenario.end`",
    "Spending, contract dates and investments must fall on or before `scenario.end`. Dates before \
     `scenario.start` are allowed: they are history.";
    /// A mix that does not sum to 1.
    P0306, "mix does not sum to 1",
    "A tranche's `mix = { accelerators = a, facilities = f }` splits the amount: `a + f` must be 1 \
     (within 1e-9).";
    /// A value outside its valid range (other bounds).
    P0307, "value out of range",
    "The value is outside the range given in `docs/scenario.md` for this key (for example \
     `pue >= 1`, growth rates `> -1`, `fiscal_year_end` in 1..=12).";
    /// Two values are inconsistent with each other.
    P0308, "inconsistent values",
    "Two values that are each valid contradict each other: `scenario.end` before \
     `scenario.start`, a contract signed after it starts, more agent seats than the market.";
    /// All tier shares are zero.
    P0309, "tier shares all zero",
    "Tier shares are normalised over the tiers, so at least one must be positive.";
    /// A value that is ignored (warning).
    P0310, "value ignored",
    "Warning: the key is valid but has no effect with the other settings (for example \
     `terminal_recovery` without `terminal = \"book\"`, or `start_price` in cost-plus mode).";
    /// An overlay path that matches nothing.
    P0401, "overlay path matches nothing",
    "The path is valid but selects no value in the scenario: no item has that name, the filter \
     selects no item, or the array is empty. An overlay that silently did nothing would make a \
     scenario look tested when it is not.";
    /// A malformed overlay path.
    P0402, "malformed overlay path",
    "Paths are dot-separated keys: `section.key`, `contracts.lab-a.take_or_pay` (item by name, \
     counterparties by id, capex by index), `tiers.*.premium_decay` (all items), \
     `generations[launch>=2027Q1].unit_cost` (filtered items, operators `>= <= > < == !=`), \
     `open_market.growth.2027` (map entry).";
    /// A scale factor or target that is not a number.
    P0403, "scale needs numbers",
    "`[scale]` multiplies numeric values by a finite numeric factor. Use `[set]` for strings, \
     booleans and tables.";
    /// An overlay path naming a key the format does not know.
    P0404, "unknown parameter in overlay path",
    "A segment of the overlay path is not a key of the scenario format at that place. The hint \
     lists the closest valid key.";
    /// A malformed `[uncertainty]` entry.
    P0501, "malformed distribution",
    "An `[uncertainty]` entry is `\"path\" = { dist = \"…\", … }` with `dist` one of `normal`, \
     `lognormal`, `triangular`, `pert`, `uniform`, `discrete`, `bernoulli`, and the keys that \
     distribution takes (`docs/simulation.md`): `normal` mean, sd; `lognormal` mean, sd or mu, \
     sigma or p5, p95; `triangular` min, mode, max; `pert` min, mode, max, lambda (default 4); \
     `uniform` min, max; `discrete` values, weights; `bernoulli` p, value, otherwise. Every entry \
     may add `scale = true` (the draw multiplies the scenario's value) and `truncate = [lo, hi]`.";
    /// Invalid distribution parameters.
    P0502, "invalid distribution parameters",
    "The distribution's parameters are inconsistent: `min` above `max`, `mode` outside \
     `min..=max`, a negative `sd` or `sigma`, a lognormal `mean` or `p5` that is not positive, \
     `p95` below `p5`, a probability `p` outside 0..=1, a `truncate` interval that keeps no \
     probability (or truncates a discrete distribution), or a distribution so wide that its \
     extreme draws are not finite numbers (bound it with `truncate`).";
    /// Discrete weights that do not sum to 1.
    P0503, "discrete weights do not sum to 1",
    "A `discrete` distribution needs one non-negative weight per value, summing to 1 (within \
     1e-9). Weights are probabilities, not relative frequencies, so that a typo cannot silently \
     reweight the outcomes.";
    /// An uncertain path that names no numeric parameter.
    P0504, "uncertain path names no parameter",
    "The path of an `[uncertainty]` entry must select numeric parameters of the scenario, with \
     the syntax of overlay paths: unknown keys, items that do not exist, names or periods (not \
     numbers), and keys of a variant the scenario does not use (`compute.start_price` in \
     cost-plus mode) are errors.";
    /// A malformed correlation matrix.
    P0505, "malformed correlation matrix",
    "`[correlations]` has `paths` (k paths with distributions) and `matrix` (k rows of k \
     numbers): a rank (Spearman) correlation matrix, symmetric, with 1 on the diagonal and every \
     entry in -1..=1.";
    /// A correlation matrix that is not positive definite.
    P0506, "correlation matrix not positive definite",
    "Iman–Conover imposes rank correlations through the Cholesky factor of the matrix, which \
     exists only when the matrix is positive definite: the correlations must be mutually \
     consistent (if A and B and B and C are strongly positively correlated, A and C cannot be \
     strongly negative). Weaken the offending entries.";
    /// A correlated path without a distribution.
    P0507, "correlated path without a distribution",
    "Every path in `[correlations].paths` must have a distribution in `[uncertainty]` (of the \
     scenario or an overlay), written the same way.";
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One annotated fixture per code, `(code, fixture stem, scenario, overlay)`, shown in the
/// catalogue. The fixture test checks each file produces exactly its annotated diagnostics.
static EXAMPLES: &[(Code, &str, &str, Option<&str>)] = &[
    (
        Code::P0101,
        "P0101-unquoted-string",
        include_str!("../tests/invalid/P0101-unquoted-string.toml"),
        None,
    ),
    (
        Code::P0102,
        "P0102-wrong-type",
        include_str!("../tests/invalid/P0102-wrong-type.toml"),
        None,
    ),
    (
        Code::P0103,
        "P0103-unknown-key",
        include_str!("../tests/invalid/P0103-unknown-key.toml"),
        None,
    ),
    (
        Code::P0104,
        "P0104-missing-required",
        include_str!("../tests/invalid/P0104-missing-required.toml"),
        None,
    ),
    (
        Code::P0105,
        "P0105-not-whole",
        include_str!("../tests/invalid/P0105-not-whole.toml"),
        None,
    ),
    (
        Code::P0106,
        "P0106-unknown-choice",
        include_str!("../tests/invalid/P0106-unknown-choice.toml"),
        None,
    ),
    (
        Code::P0107,
        "P0107-exactly-one",
        include_str!("../tests/invalid/P0107-exactly-one.toml"),
        None,
    ),
    (
        Code::P0201,
        "P0201-malformed-period",
        include_str!("../tests/invalid/P0201-malformed-period.toml"),
        None,
    ),
    (
        Code::P0202,
        "P0202-unknown-generation",
        include_str!("../tests/invalid/P0202-unknown-generation.toml"),
        None,
    ),
    (
        Code::P0203,
        "P0203-unknown-counterparty",
        include_str!("../tests/invalid/P0203-unknown-counterparty.toml"),
        None,
    ),
    (
        Code::P0204,
        "P0204-duplicate-name",
        include_str!("../tests/invalid/P0204-duplicate-name.toml"),
        None,
    ),
    (
        Code::P0205,
        "P0205-fiscal-period",
        include_str!("../tests/invalid/P0205-fiscal-period.toml"),
        None,
    ),
    (
        Code::P0301,
        "P0301-share",
        include_str!("../tests/invalid/P0301-share.toml"),
        None,
    ),
    (
        Code::P0302,
        "P0302-negative",
        include_str!("../tests/invalid/P0302-negative.toml"),
        None,
    ),
    (
        Code::P0303,
        "P0303-not-positive",
        include_str!("../tests/invalid/P0303-not-positive.toml"),
        None,
    ),
    (
        Code::P0304,
        "P0304-not-finite",
        include_str!("../tests/invalid/P0304-not-finite.toml"),
        None,
    ),
    (
        Code::P0305,
        "P0305-after-end",
        include_str!("../tests/invalid/P0305-after-end.toml"),
        None,
    ),
    (
        Code::P0306,
        "P0306-mix-sum",
        include_str!("../tests/invalid/P0306-mix-sum.toml"),
        None,
    ),
    (
        Code::P0307,
        "P0307-out-of-range",
        include_str!("../tests/invalid/P0307-out-of-range.toml"),
        None,
    ),
    (
        Code::P0308,
        "P0308-end-before-start",
        include_str!("../tests/invalid/P0308-end-before-start.toml"),
        None,
    ),
    (
        Code::P0309,
        "P0309-tier-shares-zero",
        include_str!("../tests/invalid/P0309-tier-shares-zero.toml"),
        None,
    ),
    (
        Code::P0310,
        "P0310-ignored",
        include_str!("../tests/invalid/P0310-ignored.toml"),
        None,
    ),
    (
        Code::P0401,
        "P0401-matches-nothing",
        include_str!("../tests/invalid/P0401-matches-nothing.toml"),
        Some(include_str!(
            "../tests/invalid/P0401-matches-nothing.overlay.toml"
        )),
    ),
    (
        Code::P0402,
        "P0402-malformed-path",
        include_str!("../tests/invalid/P0402-malformed-path.toml"),
        Some(include_str!(
            "../tests/invalid/P0402-malformed-path.overlay.toml"
        )),
    ),
    (
        Code::P0403,
        "P0403-scale-text",
        include_str!("../tests/invalid/P0403-scale-text.toml"),
        Some(include_str!(
            "../tests/invalid/P0403-scale-text.overlay.toml"
        )),
    ),
    (
        Code::P0404,
        "P0404-unknown-parameter",
        include_str!("../tests/invalid/P0404-unknown-parameter.toml"),
        Some(include_str!(
            "../tests/invalid/P0404-unknown-parameter.overlay.toml"
        )),
    ),
    (
        Code::P0501,
        "P0501-malformed-distribution",
        include_str!("../tests/invalid/P0501-malformed-distribution.toml"),
        None,
    ),
    (
        Code::P0502,
        "P0502-invalid-parameters",
        include_str!("../tests/invalid/P0502-invalid-parameters.toml"),
        None,
    ),
    (
        Code::P0503,
        "P0503-weights",
        include_str!("../tests/invalid/P0503-weights.toml"),
        None,
    ),
    (
        Code::P0504,
        "P0504-unknown-path",
        include_str!("../tests/invalid/P0504-unknown-path.toml"),
        None,
    ),
    (
        Code::P0505,
        "P0505-not-symmetric",
        include_str!("../tests/invalid/P0505-not-symmetric.toml"),
        None,
    ),
    (
        Code::P0506,
        "P0506-not-positive-definite",
        include_str!("../tests/invalid/P0506-not-positive-definite.toml"),
        None,
    ),
    (
        Code::P0507,
        "P0507-correlated-unknown",
        include_str!("../tests/invalid/P0507-correlated-unknown.toml"),
        None,
    ),
];

/// The lines of a fixture that carry an expected-diagnostic annotation.
fn annotated_lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines()
        .filter(|l| l.contains("# error[") || l.contains("# warning["))
}

impl Code {
    /// The annotated example for this code: the fixture's name and the lines that show the
    /// problem, with the expected diagnostic as a comment.
    pub fn example(&self) -> Option<(&'static str, String)> {
        let (_, stem, main, overlay) = EXAMPLES.iter().find(|e| e.0 == *self)?;
        let mut lines: Vec<&str> = annotated_lines(main).collect();
        if let Some(o) = overlay {
            lines.extend(annotated_lines(o));
        }
        let intro = main
            .lines()
            .next()
            .and_then(|l| l.strip_prefix("# "))
            .unwrap_or("");
        let mut text = String::new();
        if !intro.is_empty() {
            text.push_str(&format!("# {intro}\n"));
        }
        for l in lines {
            text.push_str(l);
            text.push('\n');
        }
        Some((stem, text))
    }
}

/// Every code, in catalogue order.
pub fn all() -> &'static [Code] {
    ALL
}

/// Parse `P0301` (case-insensitive) back into a code.
pub fn parse(s: &str) -> Option<Code> {
    ALL.iter()
        .copied()
        .find(|c| c.as_str().eq_ignore_ascii_case(s.trim()))
}

/// The error catalogue, `docs/errors.md`.
pub fn catalogue_markdown() -> String {
    let mut out = String::from(
        "# Scenario diagnostics\n\n\
         <!-- Generated by `payback_input::codes::catalogue_markdown()`. Do not edit: run\n\
         `PAYBACK_BLESS=1 cargo test -p payback-input` to regenerate. -->\n\n\
         Every problem `payback` finds in a scenario or overlay file has a stable code. \
         `payback explain <CODE>` prints the entry. Each code has an annotated example in \
         `crates/payback-input/tests/invalid/`.\n\n\
         | code | title |\n|---|---|\n",
    );
    for c in ALL {
        out.push_str(&format!(
            "| [{0}](#{1}) | {2} |\n",
            c.as_str(),
            c.as_str().to_lowercase(),
            c.title()
        ));
    }
    for c in ALL {
        out.push_str(&format!(
            "\n## {}\n\n**{}**\n\n{}\n",
            c.as_str(),
            c.title(),
            c.explanation()
        ));
        if let Some((stem, text)) = c.example() {
            let dir = "crates/payback-input/tests/invalid";
            let files = if EXAMPLES.iter().any(|e| e.1 == stem && e.3.is_some()) {
                format!("`{dir}/{stem}.toml` with the overlay `{stem}.overlay.toml`")
            } else {
                format!("`{dir}/{stem}.toml`")
            };
            out.push_str(&format!("\nExample ({files}):\n\n```toml\n{text}```\n"));
        }
    }
    out
}
