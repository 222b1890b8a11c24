//! Median: the median of the window's valid pixels.
//!
//! With an even count numpy's `median` (the default here) takes the mean
//! of the two middle values. SNAP's `Median.java` (`getMedianValue`: sort
//! the valid values, return `tmp[numSamples / 2]`) takes the upper of the
//! two, which `compat=snap` follows; with an odd count both are the middle
//! value.

use crate::window::Compat;

/// The median of `values` (the window's valid pixels) under `compat`;
/// NaN for none.
pub fn value(values: &[f64], compat: Compat) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    match compat {
        Compat::Snap => v[n / 2],
        Compat::None | Compat::EarthEngine if n % 2 == 1 => v[n / 2],
        Compat::None | Compat::EarthEngine => 0.5 * (v[n / 2 - 1] + v[n / 2]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numpy_and_snap_medians() {
        // np.median([4, 1, 3, 2]) == 2.5; SNAP: sorted[2] == 3.
        assert_eq!(value(&[4.0, 1.0, 3.0, 2.0], Compat::None), 2.5);
        assert_eq!(value(&[4.0, 1.0, 3.0, 2.0], Compat::Snap), 3.0);
        assert_eq!(value(&[5.0, 1.0, 3.0], Compat::None), 3.0);
        assert_eq!(value(&[5.0, 1.0, 3.0], Compat::Snap), 3.0);
        assert!(value(&[], Compat::None).is_nan());
    }
}
