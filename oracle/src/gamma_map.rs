//! Gamma-MAP (Lopes, Nezry, Touzi and Laur 1990), docs/filters.md
//! "Gamma-MAP", in the published form with `alpha`.

/// Lopes et al.'s upper branch point: `Cmax = sqrt(2) Cu`.
pub fn cmax(cu: f64) -> f64 {
    std::f64::consts::SQRT_2 * cu
}

/// The MAP estimate between `Cu` and `Cmax`: `(B m + sqrt(D)) / (2 alpha)`,
/// `alpha = (1 + Cu^2) / (Ci^2 - Cu^2)`, `B = alpha - L - 1`,
/// `D = m^2 B^2 + 4 alpha L m x` (0 where negative). Tends to `m` as `Ci`
/// tends to `Cu` (an `alpha` that overflows gives `m`).
fn map(x: f64, m: f64, ci2: f64, cu2: f64, looks: f64) -> f64 {
    let alpha = (1.0 + cu2) / (ci2 - cu2);
    if !alpha.is_finite() {
        return m;
    }
    let b = alpha - looks - 1.0;
    let d = (m * m * b * b + 4.0 * alpha * looks * m * x).max(0.0);
    (b * m + d.sqrt()) / (2.0 * alpha)
}

/// Gamma-MAP's output for pixel `x`, window mean `m > 0`, variance `var`:
/// `m` up to `Cu`, `x` from `Cmax`, the MAP estimate between. The second
/// value is the other side of the jump at `Cmax`, acceptable where `Ci` is
/// within rounding (1e-9 relative) of `Cmax`; elsewhere both are equal.
pub fn value(x: f64, m: f64, var: f64, cu: f64, cmax: f64, looks: f64) -> [f64; 2] {
    let ci = var.sqrt() / m;
    let (ci2, cu2) = (var / (m * m), cu * cu);
    let v = if ci <= cu {
        m
    } else if ci >= cmax {
        x
    } else {
        map(x, m, ci2, cu2, looks)
    };
    if (ci - cmax).abs() <= 1e-9 * cmax {
        let other = if ci >= cmax {
            map(x, m, ci2, cu2, looks)
        } else {
            x
        };
        [v, other]
    } else {
        [v; 2]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_cases_and_continuity_at_cu() {
        let (m, cu) = (10.0, 0.5);
        assert_eq!(value(3.0, m, 0.0, cu, cmax(cu), 4.0), [m; 2]);
        assert_eq!(value(3.0, m, 100.0, cu, cmax(cu), 4.0), [3.0; 2]);
        // Just above Cu the estimate is near the mean.
        let var = (cu * m * (1.0 + 1e-9)).powi(2);
        assert!((value(3.0, m, var, cu, cmax(cu), 4.0)[0] - m).abs() < 1e-6);
        // Cu^2 = 0.25, Ci^2 = 0.35, L = 4, x = m = 10: alpha = 12.5, B = 7.5,
        // D = 100 * 56.25 + 4 * 12.5 * 4 * 100 = 25625.
        let out = value(m, m, 0.35 * m * m, cu, cmax(cu), 4.0)[0];
        assert!(
            (out - (75.0 + 25625f64.sqrt()) / 25.0).abs() < 1e-12,
            "{out}"
        );
    }
}
