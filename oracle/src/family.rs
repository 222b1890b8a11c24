//! Every filter of the family over a whole raster: the parameters in the
//! oracle's own terms, the coefficients derived here from their sources
//! ([`crate::speckle::cu`], [`crate::enhanced_lee::cmax`],
//! [`crate::gamma_map::cmax`], [`crate::lee_sigma::entry`]), and the
//! expected output of every pixel from the filter's module.
//!
//! IDAN reads no window: its tolerance scale is the mean of the pixel's
//! adaptive neighbourhood (the MMSE mean its output moves from), not the
//! `window`'s local mean.

use crate::border::Border;
use crate::frost::Distance;
use crate::speckle::{self, Signal};
use crate::window::{Compat, Frame, Raster, Statistic};
use crate::{
    boxcar, enhanced_lee, frost, gamma_map, idan, kuan, lee, lee_sigma, median, refined_lee,
};

/// The filters, one module each.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Filter {
    /// [`crate::enhanced_lee`].
    EnhancedLee,
    /// [`crate::lee`].
    Lee,
    /// [`crate::kuan`].
    Kuan,
    /// [`crate::gamma_map`].
    GammaMap,
    /// [`crate::frost`].
    Frost,
    /// [`crate::refined_lee`] (SNAP's rule, or the script's under
    /// [`Compat::EarthEngine`]).
    RefinedLee,
    /// [`crate::lee_sigma`].
    LeeSigma,
    /// [`crate::boxcar`].
    Boxcar,
    /// [`crate::median`].
    Median,
    /// [`crate::idan`] (no window: an adaptive neighbourhood of up to
    /// about `an_size` pixels).
    Idan,
}

/// A filter and its parameters (docs/filters.md's vocabulary). `looks` is
/// a number: a caller that filters with `looks=auto` passes the value the
/// call used.
#[derive(Clone, Copy, Debug)]
pub struct Params {
    /// The filter.
    pub filter: Filter,
    /// Window side, odd.
    pub window: usize,
    /// Number of looks `L`.
    pub looks: f64,
    /// Damping `K` (Enhanced Lee, Frost).
    pub damping: f64,
    /// Explicit `Cu`, else derived from `looks` and `signal`.
    pub cu: Option<f64>,
    /// Explicit `Cmax`, else derived (Enhanced Lee, Gamma-MAP).
    pub cmax: Option<f64>,
    /// Intensity or amplitude.
    pub signal: Signal,
    /// The variance statistic.
    pub statistic: Statistic,
    /// The border rule.
    pub border: Border,
    /// The nodata value.
    pub nodata: Option<f32>,
    /// Lee Sigma's probability.
    pub sigma: f64,
    /// Lee Sigma's target window.
    pub target_window: usize,
    /// Lee Sigma's point threshold; `None`: the raster's own.
    pub point_threshold: Option<f64>,
    /// IDAN's neighbourhood size (SNAP's `anSize`).
    pub an_size: usize,
    /// Whose conventions.
    pub compat: Compat,
}

impl Default for Params {
    /// docs/filters.md's defaults.
    fn default() -> Self {
        Params {
            filter: Filter::EnhancedLee,
            window: 7,
            looks: 1.0,
            damping: 1.0,
            cu: None,
            cmax: None,
            signal: Signal::Intensity,
            statistic: Statistic::Window,
            border: Border::Reflect,
            nodata: None,
            sigma: 0.9,
            target_window: 3,
            point_threshold: None,
            an_size: idan::DEFAULT_AN_SIZE,
            compat: Compat::None,
        }
    }
}

impl Params {
    /// The window conventions.
    pub fn frame(&self) -> Frame {
        Frame {
            border: self.border,
            nodata: self.nodata,
            compat: self.compat,
        }
    }

    /// `Cu`: given, or the speckle's.
    pub fn cu(&self) -> f64 {
        self.cu
            .unwrap_or_else(|| speckle::cu(self.signal, self.looks))
    }

    /// `Cmax`: given, or the filter's own (Enhanced Lee, Gamma-MAP; infinite
    /// for the others).
    pub fn cmax(&self) -> f64 {
        match (self.cmax, self.filter) {
            (Some(c), _) => c,
            (None, Filter::EnhancedLee) => enhanced_lee::cmax(self.looks),
            (None, Filter::GammaMap) => gamma_map::cmax(self.cu()),
            (None, _) => f64::INFINITY,
        }
    }
}

/// What one output pixel must be.
#[derive(Clone, Copy, Debug)]
pub struct Want {
    /// The float64 output; for an invalid pixel, the input.
    pub value: f64,
    /// A second acceptable output (Gamma-MAP's jump at `Cmax`, Refined
    /// Lee's and IDAN's near ties), else `value`.
    pub alt: f64,
    /// The window mean, SPEC's tolerance scale (NaN where none; IDAN: the
    /// neighbourhood's mean).
    pub mean: f64,
    /// The input's bits where the pixel is copied unchanged (invalid).
    pub copied: Option<u32>,
}

impl Want {
    /// SPEC's check: the input's bits where copied, else within
    /// `1e-5 * max(|ref|, |m|, 1e-30)` of `value` or `alt`.
    pub fn accepts(&self, out: f32) -> bool {
        if let Some(bits) = self.copied {
            return out.to_bits() == bits;
        }
        let close = |r: f64| {
            let scale = r.abs().max(self.mean.abs()).max(1e-30);
            (f64::from(out) - r).abs() <= 1e-5 * scale
        };
        close(self.value) || close(self.alt)
    }
}

/// The expected output of every pixel of `img` under `p`, row-major.
///
/// # Panics
/// For Lee Sigma outside its table (looks 1-4, the six sigmas).
pub fn expected(p: &Params, img: Raster) -> Vec<Want> {
    let mut family = Family::new(p, img);
    (0..img.height)
        .flat_map(|y| (0..img.width).map(move |x| (y, x)))
        .map(|(y, x)| family.at(y, x))
        .collect()
}

/// A filter over one raster, pixel by pixel: what pixels share (the
/// coefficients, Lee Sigma's threshold) computed once, the local means
/// when first needed and kept.
pub struct Family<'a> {
    p: Params,
    img: Raster<'a>,
    frame: Frame,
    means: Vec<Option<f64>>,
    cu: f64,
    cmax: f64,
    lee_sigma: Option<lee_sigma::Setup>,
}

impl<'a> Family<'a> {
    /// The filter `p` over `img`.
    ///
    /// # Panics
    /// For Lee Sigma outside its table (looks 1-4, the six sigmas).
    pub fn new(p: &Params, img: Raster<'a>) -> Self {
        let frame = p.frame();
        let lee_sigma = (p.filter == Filter::LeeSigma).then(|| {
            let z = p
                .point_threshold
                .unwrap_or_else(|| lee_sigma::threshold(&frame, img));
            lee_sigma::Setup::new(p.signal, p.looks, p.sigma, p.window, p.target_window, z)
                .expect("Lee Sigma's table has looks 1-4 and the six sigmas")
        });
        Family {
            p: *p,
            img,
            frame,
            means: vec![None; img.width * img.height],
            cu: p.cu(),
            cmax: p.cmax(),
            lee_sigma,
        }
    }

    /// The local mean at `(y, x)`, computed once.
    fn mean(&mut self, y: usize, x: usize) -> f64 {
        let (frame, img, window) = (self.frame, self.img, self.p.window);
        *self.means[y * img.width + x].get_or_insert_with(|| frame.mean(img, y, x, window))
    }

    /// The expected output of pixel `(y, x)`.
    pub fn at(&mut self, y: usize, x: usize) -> Want {
        if self.p.filter == Filter::Idan {
            return self.idan(y, x);
        }
        let mean = self.mean(y, x);
        let v = self.img.at(y, x);
        if !self.frame.valid(v) {
            return Want {
                value: f64::from(v),
                alt: f64::from(v),
                mean,
                copied: Some(v.to_bits()),
            };
        }
        let [value, alt] = match &self.lee_sigma {
            // Lee Sigma reads no statistic of the whole window.
            Some(setup) => [lee_sigma::value(&self.frame, self.img, y, x, setup); 2],
            None => self.rule(y, x, f64::from(v)),
        };
        Want {
            value,
            alt,
            mean,
            copied: None,
        }
    }

    /// IDAN's expected output of pixel `(y, x)`: no window statistic, the
    /// tolerance's scale the neighbourhood's mean.
    fn idan(&self, y: usize, x: usize) -> Want {
        let v = self.img.at(y, x);
        if !self.frame.valid(v) {
            return Want {
                value: f64::from(v),
                alt: f64::from(v),
                mean: f64::NAN,
                copied: Some(v.to_bits()),
            };
        }
        let setup = idan::Setup {
            an_size: self.p.an_size,
            looks: self.p.looks,
            signal: self.p.signal,
        };
        let [rule, other] = idan::value(&self.frame, self.img, y, x, &setup);
        Want {
            value: rule.value,
            alt: other.value,
            mean: rule.mean,
            copied: None,
        }
    }

    /// The expected output of the valid pixel `(y, x)` of value `xv` by
    /// every rule but Lee Sigma's, from the window's statistics.
    fn rule(&mut self, y: usize, x: usize, xv: f64) -> [f64; 2] {
        let (p, img, frame) = (self.p, self.img, self.frame);
        let (cu, cmax) = (self.cu, self.cmax);
        let (m, var) =
            frame.statistics(img, |yy, xx| self.mean(yy, xx), y, x, p.window, p.statistic);
        match p.filter {
            Filter::LeeSigma => unreachable!("Lee Sigma: see Family::at"),
            Filter::Idan => unreachable!("IDAN: see Family::idan"),
            Filter::RefinedLee => refined_lee::value(&frame, img, y, x, (m, var))
                .map(|(o, used)| if used > 0.0 { o } else { xv }),
            Filter::Boxcar | Filter::Median => {
                let values: Vec<f64> = frame
                    .pixels(img, y, x, p.window)
                    .iter()
                    .map(|q| q.value)
                    .collect();
                match p.filter {
                    Filter::Boxcar => [boxcar::value(&values); 2],
                    _ => [median::value(&values, p.compat); 2],
                }
            }
            _ if m <= 0.0 => [xv; 2],
            Filter::EnhancedLee => [enhanced_lee::value(xv, m, var, cu, cmax, p.damping); 2],
            Filter::Lee => [lee::value(xv, m, var, cu); 2],
            Filter::Kuan => [kuan::value(xv, m, var, cu); 2],
            Filter::GammaMap => gamma_map::value(xv, m, var, cu, cmax, p.looks),
            Filter::Frost => {
                let distance = match p.compat {
                    Compat::Snap => Distance::Chebyshev,
                    Compat::None | Compat::EarthEngine => Distance::Euclidean,
                };
                [frost::value(
                    &frame.pixels(img, y, x, p.window),
                    m,
                    var,
                    p.damping,
                    distance,
                ); 2]
            }
        }
    }
}
