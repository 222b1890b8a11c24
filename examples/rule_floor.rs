//! A benchmark of the per-pixel rule alone (BENCHMARKS.md, "What limits the
//! speed"): `enhanced_lee` applied as it is to precomputed `(x, m, var)`
//! arrays that stay in the L2 cache, the floor under the kernel's time per
//! pixel, next to its parts (`exp`, the square root and the division). It
//! needs the library's internals (feature `bench-internals`, not part of
//! the API). For the widest instructions of the host:
//!
//! ```text
//! RUSTFLAGS="-C target-cpu=native" CARGO_TARGET_DIR=target/native \
//!   cargo run --release --features bench-internals --example rule_floor
//! ```

use std::hint::black_box;
use std::time::Instant;

use enh_lee::internals::{enhanced_lee, exp_neg};
use enh_lee::{Coefficients, Variance};

const N: usize = 4096;
const ROUNDS: usize = 20_000;

/// Prints the time per pixel of `pass` (one warm-up, then `ROUNDS`).
fn time(name: &str, pass: &mut dyn FnMut()) {
    pass();
    let start = Instant::now();
    for _ in 0..ROUNDS {
        pass();
    }
    let ns = start.elapsed().as_secs_f64() * 1e9 / (ROUNDS * N) as f64;
    println!("{name:>28}: {ns:.2} ns per pixel");
}

fn main() {
    let c = Coefficients {
        cu: 0.5,
        cmax: 1.5f64.sqrt(),
        damping: 1.0,
        looks: 4.0,
        sigma_range: (f64::NAN, f64::NAN),
        revised_cu2: f64::NAN,
        point_threshold: f64::NAN,
        variance: Variance::Population,
        chebyshev: false,
        earth_engine: false,
    };
    // Speckle-like windows: Ci spread over all three branches.
    let ci = |i: usize| (i * 7919 % N) as f64 / N as f64 * 1.5;
    let x: Vec<f32> = (0..N).map(|i| (0.2 + 2.0 * ci(i)) as f32).collect();
    let m = vec![1.0f64; N];
    let var: Vec<f64> = (0..N).map(|i| ci(i) * ci(i)).collect();
    let t: Vec<f64> = (0..N).map(|i| ci(i) * 4.0).collect();
    let mut out = vec![0.0f32; N];
    let mut out64 = vec![0.0f64; N];
    let c = black_box(&c);
    time("rule (enhanced_lee)", &mut || {
        for (o, ((x, m), var)) in out.iter_mut().zip(x.iter().zip(&m).zip(&var)) {
            *o = enhanced_lee(*x, true, *m, *var, c);
        }
        black_box(&mut out);
    });
    time("exp_neg alone", &mut || {
        for (o, t) in out64.iter_mut().zip(&t) {
            *o = exp_neg(*t);
        }
        black_box(&mut out64);
    });
    time("square root and division", &mut || {
        for (o, (m, var)) in out64.iter_mut().zip(m.iter().zip(&var)) {
            let s = var.sqrt();
            *o = (s - c.cu * m) / (c.cmax * m - s);
        }
        black_box(&mut out64);
    });
}
