//! Shared by the integration tests: the oracle's deterministic generator
//! (`oracle/`, shared with `fuzz/`).

#![allow(unused_imports)] // each test file uses a different part

pub use enh_lee_oracle::Rng;
