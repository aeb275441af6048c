//! Spread of published work: adoptions reported by other organisations, and
//! inclusions in national and regional reports.

pub mod adoptions;
pub mod errors;
pub mod inclusions;
