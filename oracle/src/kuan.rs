//! Kuan, Sawchuk, Strand and Chavel (1985), docs/filters.md "Kuan": the
//! linear MMSE estimate under multiplicative noise.

/// Kuan's weight `k = (1 - Cu^2 / Ci^2) / (1 + Cu^2)` clamped to [0, 1]
/// for a window of mean `m` and variance `var` (0 where `var = 0`); `cu2`
/// is `Cu^2`. Lee Sigma uses it with its own coefficients.
pub fn weight(m: f64, var: f64, cu2: f64) -> f64 {
    if var == 0.0 {
        return 0.0;
    }
    let ci2 = var / (m * m);
    ((1.0 - cu2 / ci2) / (1.0 + cu2)).clamp(0.0, 1.0)
}

/// Kuan's output `m + k (x - m)` for pixel `x`, window mean `m > 0` and
/// variance `var`.
pub fn value(x: f64, m: f64, var: f64, cu: f64) -> f64 {
    m + weight(m, var, cu * cu) * (x - m)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_weight_is_lees_over_one_plus_cu2() {
        // Ci^2 = 4, Cu^2 = 1: (1 - 1/4) / 2.
        assert_eq!(super::weight(1.0, 4.0, 1.0), 0.375);
        assert_eq!(super::weight(1.0, 0.5, 1.0), 0.0);
        assert_eq!(super::weight(1.0, 0.0, 1.0), 0.0);
        assert_eq!(super::weight(1.0, 1e300, 0.0), 1.0);
    }
}
