//! Quegan & Yu's multi-temporal filter (`docs/filters.md`, "Time
//! series"). The planes of an image are co-registered dates `I_k`, each
//! filtered on its own into `F_k` by the chosen filter; then
//!
//! `J_k = F_k * (1/M) * sum over the dates i that count of I_i / F_i`
//!
//! where date `i` counts at a pixel when `I_i` and `F_i` are valid (finite,
//! not the date's nodata) and `F_i != 0`, and `M` is their number. An
//! invalid `I_k` is passed through; where no date counts, `J_k = F_k`.
//! Amplitude dates are squared to intensity before they are filtered and
//! combined, and `sqrt(J_k)` is returned (SNAP combines amplitudes:
//! `compat=snap` keeps them). Every pixel's combination reads only that
//! pixel of every date: each ratio in float32 (relative error at most
//! 2^-24), their sum and `J_k` in float64, rounded once to float32, so that
//! `J_k` is within 2^-23 of the float64 evaluation.

use ndarray::{ArrayView3, ArrayViewMut3};

use crate::Params;

/// Turns the dates' filtered pixels `filtered` (`F`, every date of a
/// strip) into Quegan's `J`, with `input` the same pixels' input (`I`,
/// squared first when `square`) and `dates` each date's parameters (its
/// nodata).
pub(crate) fn combine(
    input: ArrayView3<f32>,
    mut filtered: ArrayViewMut3<f32>,
    dates: &[Params],
    square: bool,
) {
    let (_, rows, cols) = input.dim();
    let mut sums = vec![0f64; cols];
    let mut counts = vec![0u32; cols];
    for y in 0..rows {
        sums.fill(0.0);
        counts.fill(0);
        for ((i, f), date) in input.outer_iter().zip(filtered.outer_iter()).zip(dates) {
            let (i, f) = (i.row(y), f.row(y));
            let (i, f) = (
                i.as_slice().expect("rows are contiguous"),
                f.as_slice().expect("rows"),
            );
            add_ratios(i, f, date, square, &mut sums, &mut counts);
        }
        // The mean ratio of each pixel (1 where no date counts: J = F).
        for (sum, &m) in sums.iter_mut().zip(&counts) {
            *sum = if m > 0 { *sum / f64::from(m) } else { 1.0 };
        }
        for ((i, mut f), date) in input.outer_iter().zip(filtered.outer_iter_mut()).zip(dates) {
            let i = i.row(y);
            let mut f = f.row_mut(y);
            let i = i.as_slice().expect("rows are contiguous");
            let f = f.as_slice_mut().expect("rows are contiguous");
            // Invalid input pixels are passed through.
            let nodata = date.nodata.unwrap_or(f32::NAN);
            if square {
                for ((f, &x), &mean) in f.iter_mut().zip(i).zip(&sums) {
                    let j = (f64::from(*f) * mean).sqrt() as f32;
                    *f = if x.is_finite() & (x != nodata) { j } else { x };
                }
            } else {
                for ((f, &x), &mean) in f.iter_mut().zip(i).zip(&sums) {
                    let j = (f64::from(*f) * mean) as f32;
                    *f = if x.is_finite() & (x != nodata) { j } else { x };
                }
            }
        }
    }
}

/// Adds `I / F` of one date's row where the date counts (branch-free, so
/// that the row vectorises).
fn add_ratios(
    input: &[f32],
    filtered: &[f32],
    date: &Params,
    square: bool,
    sums: &mut [f64],
    counts: &mut [u32],
) {
    let nodata = date.nodata.unwrap_or(f32::NAN);
    let add = |x: f32, i: f32, f: f32, sum: &mut f64, m: &mut u32| {
        let counts = x.is_finite() & f.is_finite() & (x != nodata) & (f != nodata) & (f != 0.0);
        *sum += f64::from(if counts { i / f } else { 0.0 });
        *m += u32::from(counts);
    };
    let rows = input.iter().zip(filtered).zip(sums).zip(counts);
    if square {
        rows.for_each(|(((&x, &f), sum), m)| add(x, x * x, f, sum, m));
    } else {
        rows.for_each(|(((&x, &f), sum), m)| add(x, x, f, sum, m));
    }
}
