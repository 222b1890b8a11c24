//! Enhanced Lee (Lopes, Touzi & Nezry 1990): SPEC.md, "Output, per pixel",
//! 2-4; `docs/filters.md`.

use super::{finish, PointRule};
use crate::params::Coefficients;

/// The Enhanced Lee rule over a window's mean and variance.
pub struct EnhancedLee;

impl PointRule for EnhancedLee {
    #[inline(always)]
    fn filtered(x: f32, valid: bool, m: f64, var: f64, c: &Coefficients) -> f32 {
        enhanced_lee(x, valid, m, var, c)
    }
}

/// The filtered value of pixel `x` whose window has mean `m` and variance
/// `var` (negative `var` counts as 0; `m` is NaN when the window has no
/// valid pixel):
///
/// ```text
/// Ci = sqrt(var) / m
/// Ci <= Cu          ->  m
/// Cu < Ci < Cmax    ->  m*W + x*(1 - W),  W = exp(-K (Ci - Cu) / (Cmax - Ci))
/// Ci >= Cmax        ->  x
/// ```
/// and `x` itself when `x` is invalid, `m <= 0` or `m` is NaN.
///
/// Evaluated as: with `s = sqrt(var)`, `Ci - Cu = (s - Cu m) / m` and
/// `Cmax - Ci = (Cmax m - s) / m`, so the branches are the signs of
/// `s - Cu m` and `Cmax m - s`, and `K (Ci - Cu) / (Cmax - Ci)` is one
/// division; the middle branch is `x + W (m - x)`.
///
/// Written without branches (every value is computed, then selected) so
/// that loops over rows vectorise and do not mispredict near `Ci = Cu`.
#[inline(always)]
pub fn enhanced_lee(x: f32, valid: bool, m: f64, var: f64, c: &Coefficients) -> f32 {
    let x64 = f64::from(x);
    let s = var.max(0.0).sqrt();
    let above_cu = s - c.cu * m;
    let below_cmax = c.cmax * m - s;
    // NaN and out-of-range exponents (outside the middle branch) are
    // clamped; their results are not selected. `max`/`min` (unlike `clamp`)
    // turn NaN into a number.
    #[allow(clippy::manual_clamp)]
    let t = (c.damping * above_cu / below_cmax)
        .max(0.0)
        .min(MAX_EXPONENT);
    let mixed = x64 + exp_neg(t) * (m - x64);
    let filtered = if above_cu <= 0.0 {
        m
    } else if below_cmax <= 0.0 {
        x64
    } else {
        mixed
    };
    finish(x, valid, m, filtered)
}

/// Beyond this, `exp(-t)` is below the smallest normal f64.
const MAX_EXPONENT: f64 = 708.0;

/// `exp(-t)` for `0 <= t <= 708`, relative error below 1e-12, in plain
/// arithmetic that vectorises: `exp(-t) = 2^-k exp(-r)`, `k = round(t /
/// ln 2)`, `|r| <= ln 2 / 2`, with a degree-8 polynomial for `exp(-r)`
/// (fitted for the least relative error on that interval: 7.8e-13). The
/// filter output moves by `|m - x|` times the error of `W`, far below
/// SPEC's 1e-5.
#[inline(always)]
fn exp_neg(t: f64) -> f64 {
    // Adding 1.5 * 2^52 rounds to an integer and leaves it in the low
    // mantissa bits.
    const SHIFT: f64 = 6_755_399_441_055_744.0;
    const LN2_HI: f64 = 6.931_471_803_691_238e-1;
    const LN2_LO: f64 = 1.908_214_929_270_587_7e-10;
    let shifted = t * std::f64::consts::LOG2_E + SHIFT;
    let k = shifted - SHIFT;
    let k_bits = shifted.to_bits().wrapping_sub(SHIFT.to_bits());
    let r = (t - k * LN2_HI) - k * LN2_LO;
    // exp(-r) ~ sum c_n r^n, by Horner from c_8 down.
    const COEFFS: [f64; 8] = [
        -1.991_542_488_839_486e-4,
        1.388_917_912_650_381_4e-3,
        -8.333_267_026_661_45e-3,
        4.166_666_421_680_509_4e-2,
        -1.666_666_688_547_480_7e-1,
        5.000_000_000_618_944e-1,
        -9.999_999_999_806_223e-1,
        9.999_999_999_997_586e-1,
    ];
    let mut p = 2.472_699_466_534_735_4e-5;
    for c in COEFFS {
        p = p * r + c;
    }
    let scale = f64::from_bits((1023u64.wrapping_sub(k_bits)) << 52);
    p * scale
}

#[cfg(test)]
mod tests {
    use super::*;

    const C: Coefficients = Coefficients {
        cu: 0.5,
        cmax: 1.5,
        damping: 1.0,
        looks: 4.0,
    };

    fn rule(x: f32, m: f64, var: f64) -> f32 {
        enhanced_lee(x, true, m, var, &C)
    }

    #[test]
    fn exp_neg_is_accurate() {
        for i in 0..=70_000 {
            let t = i as f64 * 0.01;
            let (got, want) = (exp_neg(t), (-t).exp());
            assert!((got - want).abs() <= 1e-12 * want, "t={t}: {got} vs {want}");
        }
    }

    #[test]
    fn branches() {
        assert_eq!(rule(3.0, 2.0, 0.25), 2.0); // Ci = 0.25
        assert_eq!(rule(3.0, 2.0, 16.0), 3.0); // Ci = 2
        let mid = rule(3.0, 2.0, 4.0); // Ci = 1
        let w = (-1.0f64).exp();
        assert_eq!(mid, (3.0 + w * (2.0 - 3.0)) as f32);
        assert_eq!(rule(3.0, -1.0, 1.0), 3.0);
        assert_eq!(rule(3.0, f64::NAN, 0.0), 3.0);
        assert_eq!(enhanced_lee(3.0, false, 2.0, 0.25, &C), 3.0);
    }

    #[test]
    fn continuous_at_the_branch_points() {
        let near = |ci: f64| rule(3.0, 2.0, (ci * 2.0) * (ci * 2.0));
        assert!((near(0.5 + 1e-9) - 2.0).abs() < 1e-6);
        assert!((near(1.5 - 1e-9) - 3.0).abs() < 1e-6);
    }

    /// A benchmark, not a test (ignored; it prints figures): the rule
    /// alone over precomputed windows that stay in the L2 cache, the floor
    /// under the kernel's time per pixel (BENCHMARKS.md, "What limits the
    /// speed"). For the widest instructions of the host:
    ///
    /// ```text
    /// RUSTFLAGS="-C target-cpu=native" CARGO_TARGET_DIR=target/native \
    ///   cargo test --release --lib rule_floor -- --ignored --nocapture
    /// ```
    #[test]
    #[ignore = "benchmark: prints ns per pixel"]
    fn rule_floor() {
        use std::hint::black_box;
        use std::time::Instant;
        const N: usize = 4096;
        const ROUNDS: usize = 20_000;
        let c = Coefficients {
            cu: 0.5,
            cmax: 1.5f64.sqrt(),
            damping: 1.0,
            looks: 4.0,
        };
        // Speckle-like windows: Ci spread over all three branches.
        let ci = |i: usize| (i * 7919 % N) as f64 / N as f64 * 1.5;
        let x: Vec<f32> = (0..N).map(|i| (0.2 + 2.0 * ci(i)) as f32).collect();
        let m = vec![1.0f64; N];
        let var: Vec<f64> = (0..N).map(|i| ci(i) * ci(i)).collect();
        let t: Vec<f64> = (0..N).map(|i| ci(i) * 4.0).collect();
        let mut out = vec![0.0f32; N];
        let mut out64 = vec![0.0f64; N];
        let time = |name: &str, pass: &mut dyn FnMut()| {
            pass();
            let start = Instant::now();
            for _ in 0..ROUNDS {
                pass();
            }
            let ns = start.elapsed().as_secs_f64() * 1e9 / (ROUNDS * N) as f64;
            println!("{name:>28}: {ns:.2} ns per pixel");
        };
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
}
