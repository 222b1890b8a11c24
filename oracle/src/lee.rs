//! Lee (1980, 1981), docs/filters.md "Lee": the MMSE blend
//! `m + k (x - m)` with `k = max(0, 1 - Cu^2 / Ci^2)`.

/// Lee's output for pixel `x` whose window has mean `m > 0` and variance
/// `var`; a window with no variance gives its mean (`k = 0`).
pub fn value(x: f64, m: f64, var: f64, cu: f64) -> f64 {
    let ci2 = var / (m * m);
    let k = if var > 0.0 {
        (1.0 - cu * cu / ci2).max(0.0)
    } else {
        0.0
    };
    m + k * (x - m)
}

#[cfg(test)]
mod tests {
    #[test]
    fn flat_windows_give_the_mean_and_texture_the_pixel() {
        assert_eq!(super::value(5.0, 2.0, 0.0, 1.0), 2.0);
        // Ci = Cu: the mean.
        assert_eq!(super::value(5.0, 2.0, 4.0, 1.0), 2.0);
        // Ci^2 = 4 Cu^2: k = 3/4.
        assert_eq!(super::value(6.0, 2.0, 16.0, 1.0), 5.0);
    }
}
