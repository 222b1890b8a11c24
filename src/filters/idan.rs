//! IDAN, the intensity-driven adaptive-neighbourhood filter (Vasile,
//! Trouvé, Ciuc, Bolon & Buzuloiu 2006), single channel, as SNAP's
//! `IDAN.java` computes it (`docs/median-idan-notes.md`).
//!
//! For pixel `x_c`, in intensity (`signal=amplitude`: the squares of the
//! amplitudes, as SNAP), with `sigma_v = 1 / sqrt(looks)`:
//!
//! 1. **Seed** `s`: the median of the valid pixels of the 3x3 neighbourhood
//!    (an even count: SNAP's upper middle value, or numpy's mean of the two
//!    middle ones). No valid pixel, or `s = 0`: the neighbourhood is the
//!    pixel alone.
//! 2. **Growth** from the pixel, breadth first, generation by generation,
//!    each pixel's 8 neighbours in the fixed order `(-1,-1) (0,-1) (1,-1)
//!    (-1,0) (1,0) (-1,1) (0,1) (1,1)` (`(dx, dy)`); a position is examined
//!    once; a valid pixel `v` with `|(v - s) / s| < 2/3 sigma_v` joins the
//!    neighbourhood `AN` and the next generation's front, any other goes to
//!    the background list `BG` (the pixel itself is examined first, but it
//!    is the first front whatever its value). A generation starts only while
//!    `|AN| < an_size`; within one, the front stops after the pixel whose
//!    neighbours took `|AN|` above `an_size` (so `|AN| <= an_size + 8`).
//! 3. **Second pass**: `s'` the mean of `AN` (`s` when empty); each pixel of
//!    `BG`, in order, joins `AN` when valid and `|(v - s') / s'| < 2
//!    sigma_v`. `AN` empty: the pixel alone.
//! 4. **MMSE** over `AN` (`n` pixels, mean `m`, variance `var` over `n`, or
//!    `n - 1` with `compat=snap`, 0 for one pixel): `b = max(0, (var - m^2
//!    sigma_v^2) / (1 + sigma_v^2)) / var` (0 when `var = 0`), output `m + b
//!    (x_c - m)`; for amplitude the mean and `x_c` are amplitudes
//!    (`sqrt` of the intensities) and `b` is the intensities'.
//!
//! **Reach.** Generation `g` is examined only when `|AN| < an_size`, and its
//! front is non-empty only when each of generations `1..=g` added a pixel
//! to `AN`, so `g < an_size`: every position examined lies within
//! Chebyshev distance `an_size` of the pixel (and the 3x3 seed within 1).
//! The result depends only on the box of radius `reach = max(an_size, 1)`:
//! the halo. SNAP's tiles carry the same halo (`halfSizeX = anSize`), so
//! SNAP's own result does not depend on its tiles either.

use std::ops::Range;

use super::{RowKernel, SpeckleFilter};
use crate::band::{BandIo, Plan, Weighting};
use crate::error::Error;
use crate::params::{Compat, Params, Signal, Variance};
use crate::vocabulary::Parameter;
use crate::window_rows::{output, WindowRows};

/// The largest `an_size`: the window rows grow with its square.
const MAX_AN_SIZE: usize = 250;

impl SpeckleFilter for Idan {
    const NAME: &'static str = "idan";
    const SOURCE: &'static str = "Vasile et al. 2006, adaptive neighbourhoods";
    const PARAMETERS: &'static [&'static str] = &["looks", "signal"];
    const OWN_PARAMETERS: &'static [Parameter] = &[Parameter::own(
        "an_size",
        true,
        "50",
        (1.0, MAX_AN_SIZE as f64),
        false,
        "idan's adaptive neighbourhood size (SNAP's anSize), 1 to 250: the region grows while \
            it has fewer pixels, and never beyond this distance from the pixel",
    )];
    /// It reads no window statistic.
    const READS_WINDOW_STATISTICS_WHERE_VALID: bool = false;

    /// Its neighbourhood is grown, not a window: a window other than the
    /// default is a mistake worth saying.
    fn check(p: &Params) -> Result<(), Error> {
        if p.window != Params::default().window {
            return Err(Error::InvalidWindow);
        }
        Ok(())
    }

    fn rule(error: Error) -> Option<&'static str> {
        (error == Error::InvalidWindow)
            .then_some("idan takes no window: its neighbourhood grows up to an_size")
    }

    /// `sigma_v = 1 / sqrt(looks)`.
    fn uses_looks(_p: &Params) -> bool {
        true
    }

    /// The reach of its growth, `an_size`.
    fn context_radius(p: &Params) -> usize {
        an_size(p)
    }

    /// Its window rows cover the reach.
    fn pixel_radius(p: &Params) -> usize {
        an_size(p)
    }

    /// The engine's statistics are not read: the smallest window, inside
    /// the reach.
    fn stats_window(_p: &Params) -> usize {
        3
    }

    fn row_scratch(p: &Params, n: usize) -> Option<usize> {
        let w = 2 * an_size(p) + 1;
        Some(n + 2 * w * (n + w - 1) + 2 * (w * w + 1))
    }
}

impl RowKernel for Idan {
    #[inline(always)]
    fn write_row(
        io: &mut impl BandIo,
        plan: &Plan,
        y: usize,
        tile: &Range<usize>,
        dense: bool,
        weighting: &mut Weighting,
        _stats: impl Fn(usize) -> (f64, f64),
    ) {
        weighting.load_through(io, plan, y, dense);
        let Weighting { rows, work, .. } = weighting;
        let p = &plan.params;
        let idan = Idan::new(
            an_size(p),
            plan.coeffs.looks,
            p.signal == Signal::Amplitude,
            plan.coeffs.variance,
            p.compat == Compat::Snap,
        );
        let estimates = idan.estimates(rows, y as isize, tile.len(), dense, work);
        io.write_row(
            y,
            tile.clone(),
            #[inline(always)]
            |j, x| output(x, dense || p.is_valid(x), estimates[j]),
        );
    }
}

/// `an_size` of validated parameters.
fn an_size(p: &Params) -> usize {
    p.own("an_size") as usize
}

/// The IDAN filter of a row of pixels.
#[derive(Clone, Copy, Debug)]
pub struct Idan {
    an_size: usize,
    /// `sigma_v^2 = 1 / looks`.
    sigma_v2: f64,
    /// `2/3 sigma_v` and `2 sigma_v`.
    threshold_first: f64,
    threshold_second: f64,
    amplitude: bool,
    variance: Variance,
    /// SNAP's seed for an even count of valid pixels: the upper middle one.
    upper_seed: bool,
}

/// The 8 neighbours `(dx, dy)` in SNAP's order (`IDAN.java`,
/// `regionGrowing`).
const NEIGHBOURS: [(isize, isize); 8] = [
    (-1, -1),
    (0, -1),
    (1, -1),
    (-1, 0),
    (1, 0),
    (-1, 1),
    (0, 1),
    (1, 1),
];

impl Idan {
    /// IDAN of neighbourhood size `an_size` (SNAP's `anSize`, at least 1)
    /// for `looks` looks (> 0), on amplitude (`signal=amplitude`) or
    /// intensity data; `variance` is the MMSE's (`compat=snap`: `Sample`)
    /// and `upper_seed` the seed's even-count rule (`compat=snap`: true).
    pub fn new(
        an_size: usize,
        looks: f64,
        amplitude: bool,
        variance: Variance,
        upper_seed: bool,
    ) -> Self {
        assert!(
            an_size >= 1 && looks > 0.0,
            "an_size {an_size}, looks {looks}"
        );
        let sigma_v = 1.0 / looks.sqrt();
        Idan {
            an_size,
            sigma_v2: sigma_v * sigma_v,
            threshold_first: (2.0 / 3.0) * sigma_v,
            threshold_second: 2.0 * sigma_v,
            amplitude,
            variance,
            upper_seed,
        }
    }

    /// The reach: a pixel's result depends only on the box of this radius
    /// around it (the halo; the window rows' side is `2 reach + 1`).
    pub fn reach(&self) -> usize {
        self.an_size
    }

    /// Scratch (f64) for a row of `n` output pixels: the output (`n`), the
    /// window rows with invalid pixels as NaN and the visited marks (each
    /// `w (n + w - 1)`, `w = 2 reach + 1`) and the lists `AN` and `BG`
    /// (each `w^2 + 1`: every position of the box, and one written past the
    /// last without being counted).
    #[cfg(test)]
    pub fn scratch_len(&self, n: usize) -> usize {
        let w = 2 * self.reach() + 1;
        n + 2 * w * (n + w - 1) + 2 * (w * w + 1)
    }

    /// The IDAN estimates of the pixels of padded row `y`, columns `0..n`
    /// (the box of pixel `j` is positions `j..j + w` of the padded rows
    /// `y - reach..=y + reach`, which `rows` must hold): steps 1-4 of the
    /// module's documentation. The result is in the first `n` elements of
    /// the returned slice; NaN where the pixel is invalid (the caller keeps
    /// it).
    pub fn estimates<'s>(
        &self,
        rows: &WindowRows,
        y: isize,
        n: usize,
        dense: bool,
        scratch: &'s mut [f64],
    ) -> &'s [f64] {
        let reach = self.reach();
        let w = 2 * reach + 1;
        assert_eq!(rows.window(), w, "window rows of another side");
        let line = n + w - 1;
        let (out, rest) = scratch.split_at_mut(n);
        let (band, rest) = rest.split_at_mut(w * line);
        let (visited, rest) = rest.split_at_mut(w * line);
        let (an, rest) = rest.split_at_mut(w * w + 1);
        let bg = &mut rest[..w * w + 1];
        // The box rows in one block, invalid pixels as NaN (every test of a
        // NaN is false: it joins no list but BG, and BG's second pass).
        for (i, b) in band.chunks_exact_mut(line).enumerate() {
            let (values, counts) = rows.row(y - reach as isize + i as isize);
            for ((b, v), c) in b.iter_mut().zip(&values[..line]).zip(&counts[..line]) {
                *b = if dense || *c != 0.0 {
                    if self.amplitude {
                        *v * *v
                    } else {
                        *v
                    }
                } else {
                    f64::NAN
                };
            }
        }
        visited.fill(0.0);
        let mut lists = Lists { an, bg, visited };
        for (j, o) in out.iter_mut().enumerate() {
            *o = self.estimate(band, line, reach * line + reach + j, &mut lists);
        }
        out
    }

    /// The estimate of the pixel at `centre` in `band` (rows of `line`).
    #[inline(always)]
    fn estimate(&self, band: &[f64], line: usize, centre: usize, lists: &mut Lists) -> f64 {
        let xc = band[centre];
        if xc.is_nan() {
            return f64::NAN;
        }
        let alone = || if self.amplitude { xc.sqrt() } else { xc };
        // 1. The seed.
        let mut seed9 = [0.0f64; 9];
        let mut k = 0;
        for dy in [-1isize, 0, 1] {
            for dx in [-1isize, 0, 1] {
                let v = band[offset(centre, line, dx, dy)];
                if !v.is_nan() {
                    seed9[k] = v;
                    k += 1;
                }
            }
        }
        let seed9 = &mut seed9[..k];
        seed9.sort_unstable_by(f64::total_cmp);
        let seed = if k % 2 == 1 || self.upper_seed {
            seed9[k / 2]
        } else {
            (seed9[k / 2 - 1] + seed9[k / 2]) * 0.5
        };
        if seed == 0.0 {
            return alone();
        }
        // 2. Growth.
        let Lists { an, bg, visited } = lists;
        let (mut n_an, mut n_bg) = (0usize, 0usize);
        let t1 = self.threshold_first;
        let joins = |v: f64, s: f64, t: f64| ((v - s) / s).abs() < t;
        if joins(xc, seed, t1) {
            an[n_an] = centre as f64;
            n_an += 1;
        } else {
            bg[n_bg] = centre as f64;
            n_bg += 1;
        }
        visited[centre] = 1.0;
        // The front: the centre, then the pixels that the previous
        // generation added to AN (a segment of AN).
        let (mut front, mut front_end) = (usize::MAX, 0usize);
        let mut generation = 0;
        while n_an < self.an_size {
            let next_start = n_an;
            let members = if front == usize::MAX {
                0..1
            } else {
                front..front_end
            };
            if members.is_empty() {
                break;
            }
            debug_assert!(generation < self.an_size);
            for m in members {
                let p = if front == usize::MAX {
                    centre
                } else {
                    an[m] as usize
                };
                // Without branches on the data (a branch per neighbour is
                // mispredicted about half the time): the position is written
                // to both lists, and each count advances or not.
                for (dx, dy) in NEIGHBOURS {
                    let q = offset(p, line, dx, dy);
                    let fresh = visited[q] == 0.0;
                    visited[q] = 1.0;
                    let join = joins(band[q], seed, t1);
                    an[n_an] = q as f64;
                    bg[n_bg] = q as f64;
                    n_an += usize::from(fresh & join);
                    n_bg += usize::from(fresh & !join);
                }
                if n_an > self.an_size {
                    break;
                }
            }
            (front, front_end) = (next_start, n_an);
            generation += 1;
        }
        // The marks are cleared for the next pixel: every examined position
        // is in AN or BG.
        for &q in an[..n_an].iter().chain(bg[..n_bg].iter()) {
            visited[q as usize] = 0.0;
        }
        // 3. The second pass over the background.
        let seed2 = if n_an > 0 {
            an[..n_an].iter().map(|&q| band[q as usize]).sum::<f64>() / n_an as f64
        } else {
            seed
        };
        let t2 = self.threshold_second;
        for i in 0..n_bg {
            let q = bg[i];
            an[n_an] = q;
            n_an += usize::from(joins(band[q as usize], seed2, t2));
        }
        if n_an == 0 {
            return alone();
        }
        // 4. MMSE.
        let members = &an[..n_an];
        let count = n_an as f64;
        let mean = members.iter().map(|&q| band[q as usize]).sum::<f64>() / count;
        let squares: f64 = members
            .iter()
            .map(|&q| {
                let d = band[q as usize] - mean;
                d * d
            })
            .sum();
        let var = match self.variance {
            Variance::Population => squares / count,
            Variance::Sample if n_an > 1 => squares / (count - 1.0),
            Variance::Sample => 0.0,
        };
        let b = if var == 0.0 {
            0.0
        } else {
            ((var - mean * mean * self.sigma_v2) / (1.0 + self.sigma_v2)).max(0.0) / var
        };
        if self.amplitude {
            let mean = members
                .iter()
                .map(|&q| band[q as usize].sqrt())
                .sum::<f64>()
                / count;
            mean + b * (xc.sqrt() - mean)
        } else {
            mean + b * (xc - mean)
        }
    }
}

/// The lists of a pixel's growth (indices into the band, as f64) and the
/// band's visited marks.
struct Lists<'a> {
    an: &'a mut [f64],
    bg: &'a mut [f64],
    visited: &'a mut [f64],
}

/// The band index of `(dx, dy)` from index `p` (inside the box: see the
/// module's reach).
#[inline(always)]
fn offset(p: usize, line: usize, dx: isize, dy: isize) -> usize {
    (p as isize + dy * line as isize + dx) as usize
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::carve::Carve;
    use crate::Filter;
    use std::collections::HashSet;

    #[test]
    fn an_size_is_a_parameter_of_its_own() {
        let mut p = Params::default();
        assert_eq!(p.own("an_size"), 50.0);
        p.set("AN_SIZE", "17").unwrap();
        assert_eq!(
            (p.own("an_size"), p.get("an_size").unwrap()),
            (17.0, "17".into())
        );
        for bad in ["0", "251", "5.5", "fifty"] {
            assert_eq!(p.set("an_size", bad), Err(Error::InvalidValue), "{bad}");
        }
        assert_eq!(p.own("an_size"), 17.0);
        let info = crate::parameter("an_size").unwrap();
        assert!(info.applies_to(Filter::Idan) && !info.applies_to(Filter::Lee));
        // The halo is the reach; a window is refused, naming idan's rule.
        p.filter = Filter::Idan;
        assert_eq!(p.halo(), Ok(17));
        p.window = 9;
        let error = p.validate().unwrap_err();
        assert_eq!(
            p.explain(error),
            "idan takes no window: its neighbourhood grows up to an_size"
        );
    }

    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }
        fn unit(&mut self) -> f64 {
            (self.next() >> 11) as f64 / (1u64 << 53) as f64
        }
    }

    /// SNAP's `IDAN.java` transcribed on a plane `at(row, col)` (None:
    /// invalid or outside), with no bound on the growth other than SNAP's
    /// own stop, and our rules where we differ (invalid pixels never join
    /// AN; the seed's and the variance's conventions as parameters).
    #[allow(clippy::too_many_arguments)]
    fn reference(
        at: &dyn Fn(isize, isize) -> Option<f64>,
        yc: isize,
        xc: isize,
        an_size: usize,
        looks: f64,
        amplitude: bool,
        sample: bool,
        upper: bool,
    ) -> f64 {
        let int = |y: isize, x: isize| at(y, x).map(|v| if amplitude { v * v } else { v });
        let Some(centre) = int(yc, xc) else {
            return f64::NAN;
        };
        let sigma_v = 1.0 / looks.sqrt();
        let mut s: Vec<f64> = (-1..=1)
            .flat_map(|dy| (-1..=1).map(move |dx| (dy, dx)))
            .filter_map(|(dy, dx)| int(yc + dy, xc + dx))
            .collect();
        s.sort_by(f64::total_cmp);
        let seed = if s.len() % 2 == 1 || upper {
            s[s.len() / 2]
        } else {
            (s[s.len() / 2 - 1] + s[s.len() / 2]) / 2.0
        };
        let mut an: Vec<(isize, isize)> = Vec::new();
        if seed != 0.0 {
            let ok = |v: Option<f64>, s: f64, t: f64| v.is_some_and(|v| ((v - s) / s).abs() < t);
            let t50 = 2.0 / 3.0 * sigma_v;
            let mut bg = Vec::new();
            let mut visited = HashSet::new();
            if ok(Some(centre), seed, t50) {
                an.push((yc, xc));
            } else {
                bg.push((yc, xc));
            }
            visited.insert((yc, xc));
            let mut front = vec![(yc, xc)];
            while an.len() < an_size && !front.is_empty() {
                let mut newfront = Vec::new();
                for &(py, px) in &front {
                    let xs = [px - 1, px, px + 1, px - 1, px + 1, px - 1, px, px + 1];
                    let ys = [py - 1, py - 1, py - 1, py, py, py + 1, py + 1, py + 1];
                    for i in 0..8 {
                        if visited.insert((ys[i], xs[i])) {
                            if ok(int(ys[i], xs[i]), seed, t50) {
                                an.push((ys[i], xs[i]));
                                newfront.push((ys[i], xs[i]));
                            } else {
                                bg.push((ys[i], xs[i]));
                            }
                        }
                    }
                    if an.len() > an_size {
                        break;
                    }
                }
                front = newfront;
            }
            let mut seed2 = seed;
            if !an.is_empty() {
                seed2 = an.iter().map(|&(y, x)| int(y, x).unwrap()).sum::<f64>() / an.len() as f64;
            }
            for &(y, x) in &bg {
                if ok(int(y, x), seed2, 2.0 * sigma_v) {
                    an.push((y, x));
                }
            }
        }
        if an.is_empty() {
            an.push((yc, xc));
        }
        let v: Vec<f64> = an.iter().map(|&(y, x)| int(y, x).unwrap()).collect();
        let n = v.len() as f64;
        let mean = v.iter().sum::<f64>() / n;
        let ss: f64 = v.iter().map(|x| (x - mean) * (x - mean)).sum();
        let var = if v.len() < 2 && sample {
            0.0
        } else if sample {
            ss / (n - 1.0)
        } else {
            ss / n
        };
        let sv2 = sigma_v * sigma_v;
        let b = if var == 0.0 {
            0.0
        } else {
            ((var - mean * mean * sv2) / (1.0 + sv2)).max(0.0) / var
        };
        if amplitude {
            let ma = v.iter().map(|x| x.sqrt()).sum::<f64>() / n;
            ma + b * (centre.sqrt() - ma)
        } else {
            mean + b * (centre - mean)
        }
    }

    /// Fields of a few levels with speckle, some nodata; the kernel through
    /// `WindowRows` (outside the raster invalid, or reflected) against the
    /// reference on the same plane.
    #[allow(clippy::too_many_arguments)]
    fn check(
        h: usize,
        wd: usize,
        invalid: f64,
        an_size: usize,
        looks: f64,
        amplitude: bool,
        snap: bool,
        reflect: bool,
        seed: u64,
    ) {
        let mut rng = Rng(seed);
        let img: Vec<Vec<Option<f64>>> = (0..h)
            .map(|y| {
                (0..wd)
                    .map(|x| {
                        let level = [0.2, 1.0, 5.0][(x / 7 + y / 5) % 3];
                        let v = level * -(rng.unit().max(1e-9)).ln();
                        let v = if rng.unit() < 0.05 { 0.0 } else { v };
                        (rng.unit() >= invalid).then_some(v as f32 as f64)
                    })
                    .collect()
            })
            .collect();
        let at = |p: isize, q: isize| -> Option<f64> {
            let map = |v: isize, len: usize| {
                let len = len as isize;
                if (0..len).contains(&v) {
                    Some(v as usize)
                } else if reflect {
                    Some(
                        v.rem_euclid(2 * len)
                            .min(2 * len - 1 - v.rem_euclid(2 * len))
                            as usize,
                    )
                } else {
                    None
                }
            };
            img[map(p, h)?][map(q, wd)?]
        };
        let variance = if snap {
            Variance::Sample
        } else {
            Variance::Population
        };
        let idan = Idan::new(an_size, looks, amplitude, variance, snap);
        let r = idan.reach();
        let w = 2 * r + 1;
        let n = wd;
        let line = n + w - 1;
        let mut buf = vec![0.0; 2 * w * line];
        let mut carve = Carve::new(&mut buf);
        let mut rows = WindowRows::new(w, n, 0, &mut carve);
        let mut scratch = vec![0.0; idan.scratch_len(n)];
        for y in 0..h as isize {
            rows.advance_to(y + r as isize, |p, values, counts| {
                for i in 0..line {
                    let v = at(p, i as isize - r as isize);
                    values[i] = v.unwrap_or(0.0);
                    counts[i] = f64::from(u8::from(v.is_some()));
                }
            });
            let got = idan.estimates(&rows, y, n, invalid == 0.0 && reflect, &mut scratch);
            for (x, &g) in got[..n].iter().enumerate() {
                let want = reference(&at, y, x as isize, an_size, looks, amplitude, snap, snap);
                assert!(
                    (g.is_nan() && want.is_nan()) || (g - want).abs() <= 1e-12 * want.abs().max(1e-300),
                    "an {an_size} L {looks} amp {amplitude} snap {snap} reflect {reflect} ({y}, {x}): {g} != {want}"
                );
            }
        }
    }

    #[test]
    fn matches_snaps_definition() {
        let mut seed = 1;
        for an_size in [1, 2, 5, 12, 50] {
            for looks in [1.0, 4.0, 0.2] {
                for (amplitude, snap, reflect) in [
                    (false, true, false),
                    (false, false, true),
                    (true, true, false),
                    (true, false, true),
                ] {
                    for invalid in [0.0, 0.1] {
                        seed += 1;
                        check(
                            23, 31, invalid, an_size, looks, amplitude, snap, reflect, seed,
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn uniform_areas_grow_to_the_reach_and_no_further() {
        // Constant fields: everything joins, growth stops by an_size; the
        // reference grows unbounded, so agreement shows the box suffices.
        for an_size in [1, 3, 8] {
            check(20, 26, 0.0, an_size, 0.01, false, true, false, 5);
        }
    }

    #[test]
    fn all_invalid_and_lonely_pixels() {
        check(9, 12, 1.0, 4, 1.0, false, true, false, 3);
        check(9, 12, 0.8, 4, 1.0, false, false, false, 4);
        assert_eq!(output(2.0, false, 1.0), 2.0);
        assert_eq!(output(2.0, true, f64::NAN), 2.0);
        assert_eq!(output(2.0, true, 1.0), 1.0);
    }
}
