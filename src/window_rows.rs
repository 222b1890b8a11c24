//! The border-padded source rows of the current windows, for the filters
//! that weight every pixel of a window on its own (Frost): a ring of the
//! last `w` rows, each padded along the row by the border rule, with the
//! valid pixels' values and a count plane (1 valid, 0 not).

use crate::carve::Carve;

/// The output pixel of a filter that computes `value` from the window
/// rows: `value` where `x` is valid and `value` is a number (NaN: the
/// window gave nothing to compute from), else `x` unchanged.
#[inline(always)]
pub fn output(x: f32, valid: bool, value: f64) -> f32 {
    if valid && !value.is_nan() {
        value as f32
    } else {
        x
    }
}

/// A ring of `w` padded rows of `out_len + w - 1` positions: position `i`
/// of padded row `p` is the pixel at raster row `p`, raster column
/// `out_start - r + i` (mapped by the border rule when outside).
pub struct WindowRows<'a> {
    w: usize,
    line: usize,
    values: &'a mut [f64],
    counts: &'a mut [f64],
    /// The next padded row to load.
    next: isize,
}

impl<'a> WindowRows<'a> {
    /// Takes its buffers (`2 w` padded rows) from `scratch`; the first row
    /// to filter is `first_row`, so the first padded row loaded is
    /// `first_row - r`.
    pub fn new(w: usize, out_len: usize, first_row: usize, scratch: &mut Carve<'a, f64>) -> Self {
        let line = out_len + w - 1;
        WindowRows {
            w,
            line,
            values: scratch.take(w, line),
            counts: scratch.take(w, line),
            next: first_row as isize - (w / 2) as isize,
        }
    }

    /// Loads padded rows up to `last`: `load(p, values, counts)` fills
    /// padded row `p` (counts may be left alone when every pixel is valid).
    #[inline(always)]
    pub fn advance_to(&mut self, last: isize, mut load: impl FnMut(isize, &mut [f64], &mut [f64])) {
        while self.next <= last {
            let at = self.slot(self.next);
            load(
                self.next,
                &mut self.values[at.clone()],
                &mut self.counts[at],
            );
            self.next += 1;
        }
    }

    /// The window side.
    pub fn window(&self) -> usize {
        self.w
    }

    /// Padded row `p`, which must be one of the last `w` loaded:
    /// `(values, counts)`.
    #[inline(always)]
    pub fn row(&self, p: isize) -> (&[f64], &[f64]) {
        assert!(
            p < self.next && p + self.w as isize >= self.next,
            "row {p} is not in the window"
        );
        let at = self.slot(p);
        (&self.values[at.clone()], &self.counts[at])
    }

    fn slot(&self, p: isize) -> std::ops::Range<usize> {
        let s = p.rem_euclid(self.w as isize) as usize;
        s * self.line..(s + 1) * self.line
    }
}
