//! Evidence for the payback model: observations of real signals, scored against scenarios.
//!
//! The seed's answer to "when do they recover the cost?" is a sequence of evidence rather than
//! a date. This crate connects that evidence to the model:
//!
//! - [`observation`]: an [`Observation`] is a dated value of a [`Signal`] for a company, with
//!   its unit, period, source, kind (reported, guidance, estimate) and recorded date;
//! - [`csvfile`]: observations from CSV files; [`sec`]: from SEC EDGAR XBRL companyfacts JSON,
//!   with the format's traps handled (duplicates, year-to-date cash flows, fiscal years);
//! - [`score`]: each signal mapped to the seed's stages, compared with each scenario's
//!   projection at the same date, and the scenarios re-weighted by the evidence;
//! - [`reproject`]: P(payback by a quarter) under the prior and the posterior mixture of the
//!   scenarios' payback distributions (Monte Carlo or deterministic);
//! - [`report`]: the scorecard as terminal text;
//! - [`store`]: the SQLite store;
//! - [`fetch`]: companyfacts from data.sec.gov (the HTTP client only with the cargo feature
//!   `fetch`).
//!
//! Everything but [`store`] and the feature-gated `fetch::Fetcher` is pure: no files, no
//! network, no clock. The formats and the maths are in
//! `docs/evidence.md`.

pub mod csvfile;
pub mod fetch;
pub mod observation;
pub mod report;
pub mod reproject;
pub mod score;
pub mod sec;
pub mod signal;
pub mod store;

pub use observation::{Derivation, InputError, Observation, PeriodClass};
pub use signal::{Kind, Scope, Signal, Stage};
