//! Build script: gives the shared library (cdylib) a SONAME on Linux, so
//! that programs linked against `libenh_lee.so` record
//! `libenh_lee.so.<MAJOR>` and the installed `libenh_lee.so.<MAJOR>.<MINOR>.<PATCH>`
//! (see CMakeLists.txt) can be upgraded in place within a major version.
//!
//! Build scripts run on the host, so the target OS is read from
//! `CARGO_CFG_TARGET_OS`, not from `cfg!(target_os)`.

use std::env;

fn main() {
    // Only this file affects what the script emits (the version comes from
    // Cargo.toml, whose changes rebuild the package anyway).
    println!("cargo:rerun-if-changed=build.rs");

    let target_os = env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    if target_os == "linux" {
        let major =
            env::var("CARGO_PKG_VERSION_MAJOR").expect("cargo sets CARGO_PKG_VERSION_MAJOR");
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libenh_lee.so.{major}");
    }
}
