//! `exp(-t)` in plain arithmetic that vectorises: the weights of Enhanced
//! Lee and Frost.

/// Beyond this, `exp(-t)` is below the smallest normal f64.
pub const MAX_EXPONENT: f64 = 708.0;

/// `exp(-t)` for `0 <= t <= 708`, relative error below 1e-12 (tested), in
/// plain arithmetic that vectorises (see
/// [`exp_neg_and_complement`]). A weighted mean (Frost) moves by this
/// relative error at most, far below SPEC's 1e-5.
#[inline(always)]
pub fn exp_neg(t: f64) -> f64 {
    exp_neg_and_complement(t).0
}

/// `(exp(-t), 1 - exp(-t))` for `0 <= t <= 708`, each with a relative error
/// below 2e-12 (tested). A blend `m W + x (1 - W)` evaluated from
/// them is within a few times that of exact relative to `max(|result|,
/// |m|)`, whatever `x` (SPEC's accuracy clause is relative to that
/// maximum). `1 - exp(-t)` by subtraction would carry an absolute error of
/// ~1e-16, which a pixel `x` far from `m` multiplies (a fuzz finding: `x =
/// -1e8` beside a mean of 2.7e-4 came out 9% off).
///
/// `exp(-t) = 2^-k exp(-r)`, `k = round(t / ln 2)`, `|r| <= ln 2 / 2`, and
/// `exp(-r) - 1 = -r E(r)` with the series `E(r) = sum (-r)^n / (n + 1)!`
/// to `n = 9` (truncation below 7e-13 on that interval). Where `k = 0`
/// (`t < ln 2 / 2`, and then `r = t`), `1 - exp(-t) = t E(t)` exactly as
/// computed; elsewhere `exp(-t) <= 0.71` and the subtraction loses at most
/// a factor 2.5 of relative accuracy. Plain operations in a fixed order
/// (no fused multiply-add): the same bits on every instruction set.
#[inline(always)]
pub fn exp_neg_and_complement(t: f64) -> (f64, f64) {
    // Adding 1.5 * 2^52 rounds to an integer and leaves it in the low
    // mantissa bits.
    const SHIFT: f64 = 6_755_399_441_055_744.0;
    const LN2_HI: f64 = 6.931_471_803_691_238e-1;
    const LN2_LO: f64 = 1.908_214_929_270_587_7e-10;
    let shifted = t * std::f64::consts::LOG2_E + SHIFT;
    let k = shifted - SHIFT;
    let k_bits = shifted.to_bits().wrapping_sub(SHIFT.to_bits());
    let r = (t - k * LN2_HI) - k * LN2_LO;
    // 1 / (n + 1)!, the coefficients of (-r)^n, for n = 8 down to 0.
    const SERIES: [f64; 9] = [
        1.0 / 362_880.0,
        1.0 / 40_320.0,
        1.0 / 5_040.0,
        1.0 / 720.0,
        1.0 / 120.0,
        1.0 / 24.0,
        1.0 / 6.0,
        1.0 / 2.0,
        1.0,
    ];
    let mut e = 1.0 / 3_628_800.0;
    for c in SERIES {
        e = e * -r + c;
    }
    let below_one = r * e; // 1 - exp(-r)
    let scale = f64::from_bits((1023u64.wrapping_sub(k_bits)) << 52);
    let w = (1.0 - below_one) * scale;
    let complement = if k == 0.0 { below_one } else { 1.0 - w };
    (w, complement)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exp_neg_is_accurate() {
        for i in 0..=70_000 {
            let t = i as f64 * 0.01;
            let (got, want) = (exp_neg(t), (-t).exp());
            assert!((got - want).abs() <= 1e-12 * want, "t={t}: {got} vs {want}");
        }
    }

    #[test]
    fn complement_is_accurate_down_to_tiny_arguments() {
        // Arguments from 1e-300 up: f64's exp_m1 is the reference.
        let mut t = 1e-300;
        while t <= 708.0 {
            let (w, c) = exp_neg_and_complement(t);
            let want = -(-t).exp_m1();
            assert!(
                (c - want).abs() <= 2e-12 * want,
                "t={t}: 1 - exp(-t) = {c} vs {want}"
            );
            assert!(
                (w - (-t).exp()).abs() <= 1e-12 * (-t).exp(),
                "t={t}: exp(-t) = {w}"
            );
            t *= 1.37;
        }
        // Around the switch from the series to the subtraction.
        for i in 0..2000 {
            let t = 0.3 + i as f64 * 1e-4;
            let (_, c) = exp_neg_and_complement(t);
            let want = -(-t).exp_m1();
            assert!((c - want).abs() <= 2e-12 * want, "t={t}: {c} vs {want}");
        }
    }
}
