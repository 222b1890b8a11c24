//! libFuzzer target: the text parameter vocabulary of the C ABI, as GDAL,
//! QGIS and Python feed it with user text. The harness is in
//! ../src/params.rs.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    enh_lee_fuzz::params::run(data);
});
