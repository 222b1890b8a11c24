//! libFuzzer target: the enh-lee C ABI driven as a C caller drives it.
//! The harness is in ../src/lib.rs.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    enh_lee_fuzz::run(data);
});
