//! Shared by the integration tests: the oracle's deterministic generator
//! (`oracle/`, shared with `fuzz/`), and the library's border rule named in
//! the oracle's terms.

#![allow(unused_imports, dead_code)] // each test file uses a different part

pub use enh_lee_oracle::Rng;

/// The oracle's border rule for the library's (the oracle shares no type
/// with the library it checks).
pub fn oracle_border(border: enh_lee::Border) -> enh_lee_oracle::Border {
    match border {
        enh_lee::Border::Reflect => enh_lee_oracle::Border::Reflect,
        enh_lee::Border::Mirror => enh_lee_oracle::Border::Mirror,
        enh_lee::Border::Nearest => enh_lee_oracle::Border::Nearest,
        enh_lee::Border::Shrink => enh_lee_oracle::Border::Shrink,
    }
}
