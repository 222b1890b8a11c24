//! Build script: gives the shared library (cdylib) a SONAME on Linux, so
//! that programs linked against `libenh_lee.so` record the versions whose
//! ABI they can use: `libenh_lee.so.<MAJOR>` from 1.0 on, and
//! `libenh_lee.so.0.<MINOR>` while the major version is 0, where a minor
//! release may break the ABI (Cargo's semver rules). The installed
//! `libenh_lee.so.<MAJOR>.<MINOR>.<PATCH>` (see CMakeLists.txt) can then be
//! upgraded in place by every release that keeps the ABI.
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
        let version = |part| env::var(part).expect("cargo sets CARGO_PKG_VERSION_*");
        let major = version("CARGO_PKG_VERSION_MAJOR");
        let abi = if major == "0" {
            format!("0.{}", version("CARGO_PKG_VERSION_MINOR"))
        } else {
            major
        };
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libenh_lee.so.{abi}");
    }
}
