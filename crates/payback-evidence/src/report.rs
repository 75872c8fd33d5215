//! The scorecard and observation lists as terminal text (pure: returns a `String`).

use std::fmt::Write as _;

use crate::score::{Comparison, Scorecard, Scored};
use crate::store::Stored;

/// A number for people: `6.70B`, `623.6M`, `0.812`.
pub fn num(v: f64) -> String {
    let a = v.abs();
    if a >= 1e9 {
        format!("{:.2}B", v / 1e9)
    } else if a >= 1e6 {
        format!("{:.1}M", v / 1e6)
    } else if a >= 1e3 {
        format!("{:.1}k", v / 1e3)
    } else {
        format!("{v:.3}")
    }
}

fn pad(s: &str, w: usize) -> String {
    format!("{s:<w$}")
}

/// The scorecard for `company`.
pub fn scorecard(card: &Scorecard, company: &str) -> String {
    let mut out = String::new();
    let compared = card.observations.iter().filter(|o| o.in_likelihood).count();
    let _ = writeln!(
        out,
        "Evidence for {company}: {} observations, {compared} in the likelihood, {} scenarios",
        card.observations.len(),
        card.scenarios.len()
    );
    let _ = writeln!(out);
    let _ = writeln!(out, "Scenario weights");
    let w = card
        .scenarios
        .iter()
        .map(|s| s.label.len())
        .max()
        .unwrap_or(8)
        .max(8);
    let _ = writeln!(
        out,
        "  {}  {:>7}  {:>9}  {:>10}  payback",
        pad("scenario", w),
        "prior",
        "posterior",
        "loglik"
    );
    for s in &card.scenarios {
        let _ = writeln!(
            out,
            "  {}  {:>7.3}  {:>9.3}  {:>10.3}  {}",
            pad(&s.label, w),
            s.prior,
            s.posterior,
            s.loglik,
            s.payback_quarter
                .map_or("not within horizon".to_string(), |q| q.to_string())
        );
    }
    let r = &card.reprojection;
    let se = |e: f64| {
        if e > 0.0 {
            format!(" ± {e:.3}")
        } else {
            String::new()
        }
    };
    let _ = writeln!(
        out,
        "  P(payback by {}) moved from {:.3}{} (prior mixture) to {:.3}{} (posterior mixture)",
        r.by,
        r.prior,
        se(r.prior_std_error),
        r.posterior,
        se(r.posterior_std_error)
    );
    let _ = writeln!(out, "    {}", r.method);
    for s in &r.scenarios {
        let how = match s.method {
            crate::reproject::PaybackMethod::MonteCarlo => format!(
                "Monte Carlo, {} paths{}, ± {:.3}",
                s.paths,
                s.seed.map(|x| format!(", seed {x}")).unwrap_or_default(),
                s.std_error
            ),
            crate::reproject::PaybackMethod::Deterministic => format!(
                "deterministic{}",
                s.note
                    .as_ref()
                    .map(|n| format!(": {n}"))
                    .unwrap_or_default()
            ),
        };
        let _ = writeln!(
            out,
            "    {}  P(by {}) {:.3}  ({how})",
            pad(&s.label, w),
            r.by,
            s.p_by
        );
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "Stages (status per scenario)");
    let sw = card
        .stages
        .iter()
        .map(|s| s.title.len() + s.window.len() + 3)
        .max()
        .unwrap_or(20);
    let cw = w.max(12);
    let mut head = format!("  {}", pad("stage", sw));
    for s in &card.scenarios {
        let _ = write!(head, "  {}", pad(&s.label, cw));
    }
    let _ = writeln!(out, "{}", head.trim_end());
    for st in &card.stages {
        let mut line = format!("  {}", pad(&format!("{} ({})", st.title, st.window), sw));
        for status in &st.status {
            let _ = write!(line, "  {}", pad(status.name(), cw));
        }
        let _ = writeln!(
            out,
            "{}   [{} obs, status on {} series]",
            line.trim_end(),
            st.observations.len(),
            st.latest.len()
        );
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "Observations that moved the weights most");
    if card.movers.is_empty() {
        let _ = writeln!(
            out,
            "  none (no observation is comparable under every scenario)"
        );
    }
    for id in &card.movers {
        if let Some(o) = card.observations.iter().find(|o| o.id == *id) {
            let fav = o
                .favours
                .and_then(|k| card.scenarios.get(k))
                .map_or("-", |s| s.label.as_str());
            let _ = writeln!(
                out,
                "  #{id} {} {} {} {} ({}): influence {:.3e}, favours {fav}",
                o.signal,
                o.period,
                num(o.value),
                o.kind,
                o.source,
                o.influence
            );
        }
    }
    for st in &card.stages {
        let _ = writeln!(out);
        let _ = writeln!(out, "{} ({})", st.title, st.window);
        if st.observations.is_empty() {
            let _ = writeln!(out, "  no observations");
            continue;
        }
        // Observations comparable under only some scenarios (or none, e.g. dated before the
        // projection starts) are counted, not listed.
        let mut hidden: Vec<&str> = Vec::new();
        for id in &st.observations {
            if let Some(o) = card.observations.iter().find(|o| o.id == *id) {
                if o.in_likelihood || o.not_compared.is_some() {
                    let _ = writeln!(out, "{}", observation_line(o, card));
                } else {
                    hidden.push(
                        o.distances
                            .iter()
                            .find_map(|d| d.reason.as_deref())
                            .unwrap_or("-"),
                    );
                }
            }
        }
        if let Some(first) = hidden.first() {
            let _ = writeln!(
                out,
                "  ({} more not comparable under every scenario, e.g. {first}; see --format json)",
                hidden.len()
            );
        }
    }
    out
}

fn observation_line(o: &Scored, card: &Scorecard) -> String {
    let mut line = format!(
        "  #{} {} {} [{}] {} {}{}",
        o.id,
        o.signal,
        o.period,
        o.quarter,
        num(o.value),
        o.kind,
        if o.derived { " derived" } else { "" }
    );
    match (&o.not_compared, o.comparison) {
        (Some(reason), _) => {
            let _ = write!(line, ": not compared: {reason}");
        }
        (None, Some(c)) => {
            let what = match c {
                Comparison::Level => "level",
                Comparison::Ratio => "ratio",
                Comparison::Signed => "signed",
                Comparison::Growth => "growth",
            };
            let _ = write!(line, ": {what} {}", o.compared.map_or("-".to_string(), num));
            if o.in_likelihood {
                let _ = write!(line, " (weight {:.3})", o.weight);
            }
            for (d, s) in o.distances.iter().zip(&card.scenarios) {
                match (d.projected, d.z) {
                    (Some(m), Some(z)) => {
                        let _ = write!(line, "; {} {} z={z:+.2}", s.label, num(m));
                    }
                    _ => {
                        let _ = write!(
                            line,
                            "; {} not comparable ({})",
                            s.label,
                            d.reason.as_deref().unwrap_or("-")
                        );
                    }
                }
            }
        }
        (None, None) => {}
    }
    line
}

/// Stored observations as a table, one per line.
pub fn list(rows: &[Stored]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:>6}  {:<18}  {:<14}  {:<23}  {:<7}  {:>12}  {:<8}  {:<7}  {:<15}  {:<10}  source",
        "id",
        "company",
        "signal",
        "period",
        "quarter",
        "value",
        "kind",
        "scope",
        "derivation",
        "recorded"
    );
    for r in rows {
        let o = &r.obs;
        let mut status = String::new();
        if let Some(by) = r.superseded_by {
            let _ = write!(status, " [superseded by #{by}]");
        }
        if let Some(prev) = r.revises {
            let _ = write!(status, " [revises #{prev}]");
        }
        let company: String = o.company.chars().take(18).collect();
        let _ = writeln!(
            out,
            "{:>6}  {:<18}  {:<14}  {:<23}  {:<7}  {:>12}  {:<8}  {:<7}  {:<15}  {:<10}  {}{}",
            r.id,
            company,
            o.signal.name(),
            o.period_text(),
            o.quarter().to_string(),
            num(o.value),
            o.kind.name(),
            o.scope.name(),
            o.derivation.name(),
            o.recorded.to_string(),
            o.source,
            status
        );
    }
    out
}
