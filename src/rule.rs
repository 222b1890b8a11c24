//! The per-pixel Enhanced Lee rule (SPEC.md, "Output, per pixel", 2-4).

use crate::params::Coefficients;

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
/// Written without branches (every value is computed, then selected) so
/// that loops over rows vectorise and do not mispredict near `Ci = Cu`.
#[inline(always)]
pub fn enhanced_lee(x: f32, valid: bool, m: f64, var: f64, c: &Coefficients) -> f32 {
    let x64 = f64::from(x);
    let ci = var.max(0.0).sqrt() / m;
    // NaN and out-of-range exponents (outside the middle branch) are
    // clamped; their results are not selected. `max`/`min` (unlike `clamp`)
    // turn NaN into a number.
    #[allow(clippy::manual_clamp)]
    let t = (c.damping * (ci - c.cu) / (c.cmax - ci))
        .max(0.0)
        .min(MAX_EXPONENT);
    let w = exp_neg(t);
    let mixed = m * w + x64 * (1.0 - w);
    let filtered = if ci <= c.cu {
        m
    } else if ci >= c.cmax {
        x64
    } else {
        mixed
    };
    if valid && m > 0.0 {
        filtered as f32
    } else {
        x
    }
}

/// Beyond this, `exp(-t)` is below the smallest normal f64.
const MAX_EXPONENT: f64 = 708.0;

/// `exp(-t)` for `0 <= t <= 708`, relative error below 1e-11, in plain
/// arithmetic that vectorises: `exp(-t) = 2^-k exp(-r)`, `k = round(t /
/// ln 2)`, `|r| <= ln 2 / 2`, with a degree-9 Taylor polynomial for
/// `exp(-r)` (truncation error `r^10 / 10! < 8e-12`). The filter output
/// moves by `|m - x|` times the error of `W`, far below SPEC's 1e-5.
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
    // 1/n! for n = 8 down to 0: exp(-r) = sum (-r)^n / n!, by Horner.
    const INV_FACTORIALS: [f64; 9] = [
        1.0 / 40_320.0,
        1.0 / 5_040.0,
        1.0 / 720.0,
        1.0 / 120.0,
        1.0 / 24.0,
        1.0 / 6.0,
        1.0 / 2.0,
        1.0,
        1.0,
    ];
    let mut p = 1.0 / 362_880.0;
    for c in INV_FACTORIALS {
        p = c - r * p;
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
    };

    fn rule(x: f32, m: f64, var: f64) -> f32 {
        enhanced_lee(x, true, m, var, &C)
    }

    #[test]
    fn exp_neg_is_accurate() {
        for i in 0..=70_000 {
            let t = i as f64 * 0.01;
            let (got, want) = (exp_neg(t), (-t).exp());
            assert!((got - want).abs() <= 1e-11 * want, "t={t}: {got} vs {want}");
        }
    }

    #[test]
    fn branches() {
        assert_eq!(rule(3.0, 2.0, 0.25), 2.0); // Ci = 0.25
        assert_eq!(rule(3.0, 2.0, 16.0), 3.0); // Ci = 2
        let mid = rule(3.0, 2.0, 4.0); // Ci = 1
        let w = (-1.0f64).exp();
        assert_eq!(mid, (2.0 * w + 3.0 * (1.0 - w)) as f32);
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
}
