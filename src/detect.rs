//! Complex pixels (single-look complex products, SLC) as the filters take
//! them (`docs/filters.md`, "Complex rasters"): the intensity `|z|^2` of
//! each pixel, or its amplitude `|z|`, chosen by the parameters' `signal`.

use ndarray::{ArrayView2, ArrayViewMut2, Zip};

use crate::{Error, Params, Signal};

/// The value of the complex pixel `re + i im` as `signal` data:
/// `re^2 + im^2` (intensity) or its square root (amplitude), computed in
/// float64 (the squares are exact there) and rounded once to float32.
/// NaN stays NaN; a power beyond float32's range becomes infinity, which
/// the filters treat as invalid, like every non-finite pixel.
pub fn detected(re: f32, im: f32, signal: Signal) -> f32 {
    let (re, im) = (f64::from(re), f64::from(im));
    let power = re * re + im * im;
    match signal {
        Signal::Intensity => power as f32,
        Signal::Amplitude => power.sqrt() as f32,
    }
}

/// Writes to `out` the [`detected`] value of each complex pixel of
/// `complex`, whose rows hold `re, im, re, im, ...` (twice `out`'s width,
/// as numpy's complex64 viewed as float32 and GDAL's CFloat32 lay them
/// out). Only `params.signal` matters; the parameters are validated.
/// Fails with [`Error::InvalidRegion`] where the shapes do not match, and
/// [`Error::EmptyImage`] for an empty raster; `out` is then untouched.
pub fn detect(
    complex: ArrayView2<f32>,
    mut out: ArrayViewMut2<f32>,
    params: &Params,
) -> Result<(), Error> {
    params.validate()?;
    let (height, width) = out.dim();
    if height == 0 || width == 0 {
        return Err(Error::EmptyImage);
    }
    if complex.dim() != (height, 2 * width) {
        return Err(Error::InvalidRegion);
    }
    let signal = params.signal;
    Zip::from(out.rows_mut())
        .and(complex.rows())
        .for_each(|mut out, pairs| {
            for (o, i) in out.iter_mut().zip(0..width) {
                *o = detected(pairs[2 * i], pairs[2 * i + 1], signal);
            }
        });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{array, Array2};

    #[test]
    fn intensity_and_amplitude_of_known_pixels() {
        let z = array![[3.0f32, 4.0, -1.0, 0.0], [0.0, 0.0, f32::NAN, 1.0]];
        let mut out = Array2::<f32>::zeros((2, 2));
        detect(z.view(), out.view_mut(), &Params::default()).unwrap();
        assert_eq!(out[[0, 0]], 25.0);
        assert_eq!(out[[0, 1]], 1.0);
        assert_eq!(out[[1, 0]], 0.0);
        assert!(out[[1, 1]].is_nan());
        let amplitude = Params {
            signal: Signal::Amplitude,
            ..Params::default()
        };
        detect(z.view(), out.view_mut(), &amplitude).unwrap();
        assert_eq!(out[[0, 0]], 5.0);
        // CInt16's largest magnitude: the power is exact in float64 and
        // rounded once.
        assert_eq!(
            detected(-32768.0, -32768.0, Signal::Intensity),
            2147483648.0
        );
        assert_eq!(detected(3e38, 3e38, Signal::Intensity), f32::INFINITY);
        // The amplitude's power may exceed float32's range on the way.
        assert_eq!(detected(3e19, 4e19, Signal::Amplitude), 5e19);
    }

    #[test]
    fn mismatched_shapes_are_refused_and_nothing_is_written() {
        let z = Array2::<f32>::ones((2, 5));
        let mut out = Array2::<f32>::from_elem((2, 2), 7.0);
        assert_eq!(
            detect(z.view(), out.view_mut(), &Params::default()),
            Err(Error::InvalidRegion)
        );
        assert!(out.iter().all(|&v| v == 7.0));
    }
}
