//! The checked-in C header must be exactly what the pinned cbindgen
//! generates from the sources. Regenerate with `scripts/update-header.sh`.

use std::path::Path;

fn generate() -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = cbindgen::Config::from_file(root.join("cbindgen.toml")).expect("cbindgen.toml");
    let mut out = Vec::new();
    cbindgen::Builder::new()
        .with_crate(root)
        .with_config(config)
        .generate()
        .expect("cbindgen generates the header")
        .write(&mut out);
    String::from_utf8(out).expect("header is UTF-8")
}

#[test]
fn header_is_current() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("include/enh_lee.h");
    let generated = generate();
    if std::env::var_os("ENH_LEE_UPDATE_HEADER").is_some() {
        std::fs::write(&path, &generated).expect("write include/enh_lee.h");
    }
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        checked_in == generated,
        "include/enh_lee.h is stale: run scripts/update-header.sh and commit it"
    );
}

#[test]
fn header_version_macros_match_cargo() {
    let header = generate();
    for (name, value) in [
        ("MAJOR", env!("CARGO_PKG_VERSION_MAJOR")),
        ("MINOR", env!("CARGO_PKG_VERSION_MINOR")),
        ("PATCH", env!("CARGO_PKG_VERSION_PATCH")),
    ] {
        let line = format!("#define ENH_LEE_VERSION_{name} {value}");
        assert!(header.contains(&line), "header lacks `{line}`");
    }
}
