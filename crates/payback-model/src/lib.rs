//! The pure quarterly payback model of one company's AI build-out.
//!
//! CapEx → Compute → Contracts → Inference → ROI (agents) → FCF, plus equity value: a
//! [`Scenario`] goes in, a [`Projection`] comes out, with nothing read from files, the
//! environment, the clock or a random source. Every formula is documented in `docs/model/`,
//! one page per stage, exactly as implemented here.
//!
//! Not here: reading TOML (`payback-input`), rendering (`payback-report`), Monte Carlo.
//!
//! Main items: [`project`], [`Scenario`], [`Projection`], [`finance`] (NPV, IRR, XIRR, MIRR,
//! payback) and [`explain`] (any output figure broken into the terms of its formula).

pub mod audit;
pub mod engine;
pub mod explain;
pub mod finance;
pub mod params;
pub mod period;
pub mod projection;
pub mod scenario;

pub use engine::project;
pub use period::{PeriodSpec, Quarter};
pub use projection::Projection;
pub use scenario::Scenario;

/// Hours in a quarter: 8760 / 4.
pub const HOURS: f64 = 2190.0;
