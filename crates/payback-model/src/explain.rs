//! Tracing an output figure to the terms of its formula (being written).
