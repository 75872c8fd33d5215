//! Scorecard text (in progress).
