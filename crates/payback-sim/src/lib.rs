//! Monte Carlo (placeholder while it is written).
