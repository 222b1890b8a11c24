#!/usr/bin/env bash
# The "fuzz" suite of enh-lee (scripts/test.sh): builds the libFuzzer target
# `capi` with AddressSanitizer and runs it on a copy of the seed corpus for
# ENH_LEE_FUZZ_SECONDS (default 60) seconds. Fails on any finding; the input
# that triggered it is kept in fuzz/artifacts/capi/.
#
# Works on stable Rust: cargo-fuzz asks rustc for -Zsanitizer=address and
# other -Z flags, which stable accepts with RUSTC_BOOTSTRAP=1 (the stable
# toolchain ships the ASan runtime; libfuzzer-sys builds libFuzzer with g++).
# No clang is needed.
#
# Environment: ENH_LEE_FUZZ_SECONDS, ENH_LEE_FUZZ_JOBS (parallel fuzzing
# processes, default 1), ENH_LEE_FUZZ_STRICT=1 (plain SPEC tolerance even
# where the rule is ill-conditioned; see fuzz/README.md).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$here"
cargo_fuzz_version=0.13.2
seconds=${ENH_LEE_FUZZ_SECONDS:-60}
jobs=${ENH_LEE_FUZZ_JOBS:-1}
start=$SECONDS

if ! cargo fuzz --version 2>/dev/null | grep -qx "cargo-fuzz $cargo_fuzz_version"; then
  echo "fuzz: installing cargo-fuzz $cargo_fuzz_version"
  cargo install cargo-fuzz --version "$cargo_fuzz_version" --locked --quiet
fi

export RUSTC_BOOTSTRAP=1
# Several codegen units: the kernel compiles on every core (the same flags
# for build and run, so that run does not rebuild).
build_flags=(--codegen-units 8)
echo "fuzz: building the capi target (ASan, debug assertions) ($((SECONDS - start)) s)"
cargo fuzz build "${build_flags[@]}" capi

work=$(mktemp -d "${TMPDIR:-/tmp}/enh-lee-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus" artifacts/capi
cp corpus/capi/* "$work/corpus/"

echo "fuzz: running for $seconds s on a copy of corpus/capi ($((SECONDS - start)) s)"
# -timeout: an input that runs for 60 s is a finding (a hang; the slowest
# inputs take ~3 s under ASan); -rss_limit_mb: the
# harness allocates a few MB per input, so 2 GB means a runaway allocation.
args=(-max_total_time="$seconds" -timeout=60 -rss_limit_mb=2048 -print_final_stats=1)
if [ "$jobs" -gt 1 ]; then
  args+=(-fork="$jobs")
fi
if ! cargo fuzz run "${build_flags[@]}" capi "$work/corpus" -- "${args[@]}"; then
  echo "fuzz: FAILED: finding kept in $here/artifacts/capi/ (replay: cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run capi artifacts/capi/<file>)" >&2
  exit 1
fi
echo "fuzz: no finding in $seconds s ($((SECONDS - start)) s in all)"
