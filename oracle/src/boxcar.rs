//! Boxcar: the mean of the window's valid pixels (SNAP's `Boxcar.java`),
//! SPEC's statistics without a rule.

/// The mean of `values` (the window's valid pixels); NaN for none.
pub fn value(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / values.len() as f64
}

#[cfg(test)]
mod tests {
    #[test]
    fn mean_of_the_valid_pixels() {
        assert_eq!(super::value(&[1.0, 2.0, 6.0]), 3.0);
        assert!(super::value(&[]).is_nan());
    }
}
