//! SPEC's window statistics ("Inputs", "Output, per pixel" 1-2) and
//! docs/filters.md's `compat=snap` (sample variance, windows clipped at
//! the raster edge), written with direct loops over each window.

use crate::border::{map, Border};

/// Variance statistic (SPEC "statistic").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Statistic {
    /// `mean_w(x^2) - mean_w(x)^2` over the window.
    Window,
    /// `mean_w((x_j - m_j)^2)`, `m_j` the local mean centred on `j`.
    Residual,
}

/// Whose conventions the window statistics follow (docs/filters.md,
/// "compat=snap" and "compat=gee").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compat {
    /// SPEC's: population variance, windows padded by the border rule.
    None,
    /// SNAP's: sample variance (`n - 1`), windows clipped at the edge,
    /// Frost's Chebyshev distance.
    Snap,
    /// The Earth Engine script's Refined Lee rule; SPEC's statistics.
    EarthEngine,
}

/// A whole raster, row-major and contiguous.
#[derive(Clone, Copy)]
pub struct Raster<'a> {
    /// `height` rows of `width` pixels.
    pub data: &'a [f32],
    /// Pixels per row.
    pub width: usize,
    /// Rows.
    pub height: usize,
}

impl Raster<'_> {
    /// The pixel of row `y`, column `x`.
    pub fn at(&self, y: usize, x: usize) -> f32 {
        self.data[y * self.width + x]
    }
}

/// How windows read a raster: the border rule, nodata and the conventions.
#[derive(Clone, Copy, Debug)]
pub struct Frame {
    /// The border rule (unused under `compat=snap`, which clips).
    pub border: Border,
    /// Pixels equal to this (as f32) are invalid, besides non-finite ones.
    pub nodata: Option<f32>,
    /// Whose conventions.
    pub compat: Compat,
}

/// One valid position of a window.
#[derive(Clone, Copy, Debug)]
pub struct Pixel {
    /// Row offset from the window's centre.
    pub dy: isize,
    /// Column offset from the window's centre.
    pub dx: isize,
    /// The raster row the position reads (through the border rule).
    pub y: usize,
    /// The raster column the position reads.
    pub x: usize,
    /// Its value.
    pub value: f64,
}

impl Frame {
    /// SPEC's validity: finite and not `nodata`.
    pub fn valid(&self, x: f32) -> bool {
        x.is_finite() && self.nodata.is_none_or(|nd| x != nd)
    }

    /// The border rule in effect: SNAP clips its windows at the raster
    /// edge, whatever `border` says.
    pub fn border(&self) -> Border {
        match self.compat {
            Compat::Snap => Border::Shrink,
            Compat::None | Compat::EarthEngine => self.border,
        }
    }

    /// The valid positions of the `window x window` window centred on
    /// `(y, x)`, row by row, with multiplicity (a padded position repeats
    /// the pixel it maps to).
    pub fn pixels(&self, img: Raster, y: usize, x: usize, window: usize) -> Vec<Pixel> {
        let r = (window / 2) as isize;
        let border = self.border();
        let mut out = Vec::with_capacity(window * window);
        for dy in -r..=r {
            let Some(yy) = map(border, y as isize + dy, img.height) else {
                continue;
            };
            for dx in -r..=r {
                let Some(xx) = map(border, x as isize + dx, img.width) else {
                    continue;
                };
                let v = img.at(yy, xx);
                if self.valid(v) {
                    out.push(Pixel {
                        dy,
                        dx,
                        y: yy,
                        x: xx,
                        value: f64::from(v),
                    });
                }
            }
        }
        out
    }

    /// The variance of `n` values whose squared deviations from their mean
    /// add up to `ss`: `ss / n`, or under `compat=snap` `ss / (n - 1)` (0
    /// for one value).
    pub fn spread(&self, ss: f64, n: f64) -> f64 {
        match self.compat {
            Compat::Snap if n > 1.0 => ss / (n - 1.0),
            Compat::Snap => 0.0,
            Compat::None | Compat::EarthEngine => ss / n,
        }
    }

    /// Mean and variance (two passes, [`Frame::spread`]) of `values`; the
    /// mean is NaN for no value. The values are summed in increasing order,
    /// so that the same pixels in another order (a sub-area and its mirror
    /// image at a `mirror` or `reflect` border) have the same mean to the
    /// bit, as they have in exact arithmetic: Refined Lee's gradients then
    /// tie where they tie.
    pub fn moments(&self, values: &[f64]) -> (f64, f64) {
        let n = values.len() as f64;
        let mut sorted = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        let m = sorted.iter().sum::<f64>() / n;
        let ss = sorted.iter().map(|v| (v - m).powi(2)).sum();
        (m, self.spread(ss, n))
    }

    /// The local mean of the window at `(y, x)` (NaN where it has no valid
    /// pixel).
    pub fn mean(&self, img: Raster, y: usize, x: usize, window: usize) -> f64 {
        let px = self.pixels(img, y, x, window);
        px.iter().map(|p| p.value).sum::<f64>() / px.len() as f64
    }

    /// The window's mean and variance at `(y, x)` under `statistic`;
    /// `mean(y, x)` gives the local mean of any pixel (the residual
    /// statistic reads every local mean its window touches).
    pub fn statistics(
        &self,
        img: Raster,
        mut mean: impl FnMut(usize, usize) -> f64,
        y: usize,
        x: usize,
        window: usize,
        statistic: Statistic,
    ) -> (f64, f64) {
        let px = self.pixels(img, y, x, window);
        let m = mean(y, x);
        let ss = px
            .iter()
            .map(|p| {
                let centre = match statistic {
                    Statistic::Window => m,
                    Statistic::Residual => mean(p.y, p.x),
                };
                (p.value - centre).powi(2)
            })
            .sum();
        (m, self.spread(ss, px.len() as f64))
    }
}
