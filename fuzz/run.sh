#!/usr/bin/env bash
# The "fuzz" suite of enh-lee (scripts/test.sh): builds the libFuzzer targets
# `capi` (the filtering calls) and `params` (the text parameter vocabulary)
# with AddressSanitizer and runs each on a copy of its seed corpus, capi for
# ENH_LEE_FUZZ_SECONDS (default 60) seconds and params for
# ENH_LEE_FUZZ_PARAMS_SECONDS (default 20). Fails on any finding; the input
# that triggered it is kept in fuzz/artifacts/<target>/.
#
# Works on stable Rust: cargo-fuzz asks rustc for -Zsanitizer=address and
# other -Z flags, which stable accepts with RUSTC_BOOTSTRAP=1 (the stable
# toolchain ships the ASan runtime; libfuzzer-sys builds libFuzzer with g++).
# No clang is needed.
#
# Environment: ENH_LEE_FUZZ_SECONDS, ENH_LEE_FUZZ_PARAMS_SECONDS, ENH_LEE_FUZZ_JOBS (parallel fuzzing
# processes, default 1), ENH_LEE_FUZZ_STRICT=1 (plain SPEC tolerance even
# where the rule is ill-conditioned; see fuzz/README.md).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$here"
cargo_fuzz_version=0.13.2
seconds=${ENH_LEE_FUZZ_SECONDS:-60}
params_seconds=${ENH_LEE_FUZZ_PARAMS_SECONDS:-20}
jobs=${ENH_LEE_FUZZ_JOBS:-1}
start=$SECONDS

if ! cargo fuzz --version 2>/dev/null | grep -qx "cargo-fuzz $cargo_fuzz_version"; then
  echo "fuzz: installing cargo-fuzz $cargo_fuzz_version"
  cargo install cargo-fuzz --version "$cargo_fuzz_version" --locked --quiet
fi

export RUSTC_BOOTSTRAP=1
# Several codegen units: the kernel compiles on every core (the same flags
# for build and run, so that run does not rebuild). No comparison tracing:
# the harnesses decode bytes through `%` and palettes, so tracing operands
# finds nothing that edge coverage does not, and it halved the capi
# target's speed (fuzz/README.md).
build_flags=(--codegen-units 8 --no-trace-compares)
echo "fuzz: building the capi and params targets (ASan, debug assertions) ($((SECONDS - start)) s)"
cargo fuzz build "${build_flags[@]}" capi
cargo fuzz build "${build_flags[@]}" params

# ASan's fake stacks (use after return) cost 10-15% of the time and guard
# against what the borrow checker already excludes (fuzz/README.md, "Speed").
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_stack_use_after_return=0}
# Worker threads of a replaced rayon pool exit asynchronously (lsan.supp).
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$here/lsan.supp}

work=$(mktemp -d "${TMPDIR:-/tmp}/enh-lee-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT

# fuzz TARGET SECONDS: runs TARGET on a copy of corpus/TARGET.
fuzz() {
  local target=$1 secs=$2
  mkdir -p "$work/$target" "artifacts/$target"
  cp "corpus/$target"/* "$work/$target/"
  echo "fuzz: running $target for $secs s on a copy of corpus/$target ($((SECONDS - start)) s)"
  # -timeout: an input that runs for 60 s is a finding (a hang; the slowest
  # inputs take ~3 s under ASan); -rss_limit_mb: the harness allocates a few
  # MB per input, so 2 GB means a runaway allocation.
  local args=(-max_total_time="$secs" -timeout=60 -rss_limit_mb=2048 -print_final_stats=1)
  if [ "$jobs" -gt 1 ]; then
    args+=(-fork="$jobs")
  fi
  if ! cargo fuzz run "${build_flags[@]}" "$target" "$work/$target" -- "${args[@]}"; then
    echo "fuzz: FAILED: finding kept in $here/artifacts/$target/ (replay: cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run $target artifacts/$target/<file>)" >&2
    exit 1
  fi
}

fuzz capi "$seconds"
fuzz params "$params_seconds"
echo "fuzz: no finding ($((SECONDS - start)) s in all)"
