//! An independent float64 evaluation of SPEC.md ("Output, per pixel"), with
//! direct window loops, and a bound on its own rounding error.
//!
//! The accuracy clause of SPEC.md compares the library with "a float64
//! evaluation of the formulas in which every window is summed on its own".
//! Two such evaluations that sum in different orders differ by a few units
//! of rounding of the sums; where the rule is ill-conditioned (a large
//! damping with `Ci` just above `Cu`, a mean that cancels to ~0) that
//! difference is amplified. So besides the plain value, [`expect`] returns
//! the range the rule takes over the mean and variance intervals that such
//! rounding allows; the fuzz target accepts an output within the SPEC
//! tolerance of that range, and can also report the strict SPEC check.
//!
//! Nothing here is shared with the library: the border rules are
//! [`crate::border::map`], "bounce until inside", not the library's
//! periodic formula.

pub use crate::border::{map, Border};
pub use crate::window::{Raster, Statistic};

/// Everything the per-pixel rule needs, already derived (Cu, Cmax).
#[derive(Clone, Copy, Debug)]
pub struct Spec {
    pub window: usize,
    pub cu: f64,
    pub cmax: f64,
    pub damping: f64,
    pub statistic: Statistic,
    pub border: Border,
    pub nodata: Option<f32>,
}

impl Spec {
    pub fn valid(&self, x: f32) -> bool {
        x.is_finite() && self.nodata.is_none_or(|nd| x != nd)
    }

    pub fn radius(&self) -> usize {
        self.window / 2
    }
}

/// Unit roundoff of f64, generously rounded up.
const EPS: f64 = 2.3e-16;

/// Bound on the rounding error of any reasonable f64 sum of `n` terms whose
/// absolute values sum to `abs`: the library sums at most a window's rows
/// and columns in blocks; a direct loop adds `n` terms one by one.
fn sum_err(n: f64, abs: f64) -> f64 {
    (4.0 * n + 16.0) * EPS * abs
}

/// The image rows or columns that the padded positions `-r .. n + r` of
/// one axis stand for (`None` outside under `Shrink`), from [`map`] once per
/// position, so that the window loops only look them up.
fn axis(border: Border, n: usize, r: usize) -> Vec<Option<usize>> {
    (-(r as isize)..(n + r) as isize)
        .map(|i| map(border, i, n))
        .collect()
}

/// Local means, computed on demand and kept (the residual statistic needs
/// the mean of every pixel its windows touch), and the border maps of both
/// axes.
pub struct Means<'a> {
    img: Raster<'a>,
    spec: Spec,
    rows: Vec<Option<usize>>,
    cols: Vec<Option<usize>>,
    cache: Vec<Option<Option<(f64, f64)>>>,
}

impl<'a> Means<'a> {
    pub fn new(img: Raster<'a>, spec: Spec) -> Self {
        let cache = if spec.statistic == Statistic::Residual {
            vec![None; img.width * img.height]
        } else {
            Vec::new()
        };
        let r = spec.radius();
        let rows = axis(spec.border, img.height, r);
        let cols = axis(spec.border, img.width, r);
        Means {
            img,
            spec,
            rows,
            cols,
            cache,
        }
    }

    /// The valid pixels of the window centred on `(y, x)`, with multiplicity.
    fn window_values(&self, y: usize, x: usize, mut f: impl FnMut(usize, usize, f32)) {
        let w = self.spec.window;
        for yy in self.rows[y..y + w].iter().flatten() {
            for xx in self.cols[x..x + w].iter().flatten() {
                let v = self.img.at(*yy, *xx);
                if self.spec.valid(v) {
                    f(*yy, *xx, v);
                }
            }
        }
    }

    /// Local mean of the valid pixels of the window at `(y, x)` and a bound
    /// on its rounding error; `None` when the window has no valid pixel.
    fn local_mean(&self, y: usize, x: usize) -> Option<(f64, f64)> {
        let (mut n, mut s, mut a) = (0.0f64, 0.0f64, 0.0f64);
        self.window_values(y, x, |_, _, v| {
            let v = f64::from(v);
            n += 1.0;
            s += v;
            a += v.abs();
        });
        (n > 0.0).then(|| (s / n, sum_err(n, a) / n + EPS * (s / n).abs()))
    }

    fn get(&mut self, y: usize, x: usize) -> Option<(f64, f64)> {
        let i = y * self.img.width + x;
        if let Some(v) = self.cache[i] {
            return v;
        }
        let v = self.local_mean(y, x);
        self.cache[i] = Some(v);
        v
    }
}

/// What the output of one pixel must be.
#[derive(Clone, Copy, Debug)]
pub enum Expect {
    /// Copied unchanged: exactly these bits.
    Bits(u32),
    /// A filtered value: `value` is the plain f64 evaluation; `lo..=hi` the
    /// range over the rounding intervals of the mean and the variance;
    /// `tol` SPEC's tolerance `1e-5 * max(|ref|, |m|, 1e-30)`.
    Value {
        value: f64,
        lo: f64,
        hi: f64,
        tol: f64,
        m: f64,
        var: f64,
        n: f64,
    },
}

impl Expect {
    /// Checks an output. `Err` describes the mismatch.
    pub fn check(&self, out: f32, strict: bool) -> Result<(), String> {
        match *self {
            Expect::Bits(b) if out.to_bits() == b => Ok(()),
            Expect::Bits(b) => Err(format!(
                "expected the input copied unchanged ({:?}, bits {b:#010x}), got {out:?} (bits {:#010x})",
                f32::from_bits(b),
                out.to_bits()
            )),
            Expect::Value { value, lo, hi, tol, .. } => {
                let o = f64::from(out);
                if !o.is_finite() {
                    return Err(format!("non-finite output {out:?} for a valid pixel, reference {value:e}"));
                }
                if strict && (o - value).abs() > tol {
                    return Err(format!(
                        "|out - ref| = {:e} > tol {tol:e} (out {out:e}, ref {value:e}) [strict SPEC check]",
                        (o - value).abs()
                    ));
                }
                if o < lo - tol || o > hi + tol {
                    return Err(format!(
                        "out {out:e} outside [{lo:e}, {hi:e}] +- {tol:e} (reference {value:e}, |out-ref| = {:e})",
                        (o - value).abs()
                    ));
                }
                Ok(())
            }
        }
    }

    /// Whether the plain SPEC check `|out - ref| <= tol` holds.
    pub fn strict_ok(&self, out: f32) -> bool {
        match *self {
            Expect::Bits(b) => out.to_bits() == b,
            Expect::Value { value, tol, .. } => (f64::from(out) - value).abs() <= tol,
        }
    }
}

/// SPEC's weight and its complement `(W, 1 - W)`: 1 up to Cu, 0 from
/// Cmax, `exp(-K (Ci-Cu)/(Cmax-Ci))` between. The complement comes from
/// `exp_m1`, not from `1 - W`, which would round to an absolute 1e-16 that
/// a pixel far from its mean multiplies.
fn weight(ci: f64, cu: f64, cmax: f64, damping: f64) -> (f64, f64) {
    if ci <= cu {
        (1.0, 0.0)
    } else if ci >= cmax {
        (0.0, 1.0)
    } else {
        let t = damping * (ci - cu) / (cmax - ci);
        ((-t).exp(), -(-t).exp_m1())
    }
}

/// `m W + x (1 - W)`.
fn blend(x: f64, m: f64, (w, complement): (f64, f64)) -> f64 {
    m * w + x * complement
}

/// Lopes et al.'s upper branch point `Cmax = sqrt(1 + 2/L)` (SPEC).
pub fn cmax(looks: f64) -> f64 {
    (1.0 + 2.0 / looks).sqrt()
}

/// SPEC's rule for a valid pixel `x` with window mean `m > 0` and variance
/// `var`, with `Cu`, `Cmax` and the damping `K`.
pub fn value(x: f64, m: f64, var: f64, cu: f64, cmax: f64, damping: f64) -> f64 {
    blend(x, m, weight(var.max(0.0).sqrt() / m, cu, cmax, damping))
}

/// The expected output at raster pixel `(y, x)`.
pub fn expect(means: &mut Means, y: usize, x: usize) -> Expect {
    let img = means.img;
    let spec = means.spec;
    let xv = img.at(y, x);
    if !spec.valid(xv) {
        return Expect::Bits(xv.to_bits());
    }
    let (mut n, mut s, mut a, mut q) = (0.0f64, 0.0f64, 0.0f64, 0.0f64);
    let mut positions = Vec::new();
    means.window_values(y, x, |yy, xx, v| {
        let v = f64::from(v);
        n += 1.0;
        s += v;
        a += v.abs();
        q += v * v;
        if spec.statistic == Statistic::Residual {
            positions.push((yy, xx));
        }
    });
    // x itself is valid and in its own window.
    assert!(n > 0.0);
    let m = s / n;
    let em = sum_err(n, a) / n + EPS * m.abs();
    let (var, evar) = match spec.statistic {
        Statistic::Window => {
            let eq = sum_err(n, q);
            let var = q / n - m * m;
            (
                var.max(0.0),
                eq / n + (2.0 * m.abs() + em) * em + 4.0 * EPS * (q / n + m * m),
            )
        }
        Statistic::Residual => {
            let (mut d2, mut ed2) = (0.0f64, 0.0f64);
            for (yy, xx) in positions {
                let xj = f64::from(img.at(yy, xx));
                let (mj, emj) = means
                    .get(yy, xx)
                    .expect("a valid pixel is in its own window");
                let d = xj - mj;
                let e = emj + EPS * (xj.abs() + mj.abs());
                d2 += d * d;
                ed2 += (2.0 * d.abs() + e) * e;
            }
            let var = d2 / n;
            (var, (ed2 + sum_err(n, d2)) / n + 4.0 * EPS * var)
        }
    };
    let x64 = f64::from(xv);
    let value = if m > 0.0 {
        value(x64, m, var, spec.cu, spec.cmax, spec.damping)
    } else {
        x64
    };
    let tol = 1e-5 * value.abs().max(m.abs()).max(1e-30);
    let (m_lo, m_hi) = (m - em, m + em);
    let (v_lo, v_hi) = ((var - evar).max(0.0), var + evar);
    let mut candidates = Vec::with_capacity(5);
    if m_lo <= 0.0 {
        // The library's mean may be <= 0: the pixel passes through.
        candidates.push(x64);
    }
    if m_hi > 0.0 {
        // Over m in [ma, m_hi] and Ci in [ci_lo, ci_hi], the output
        // m*W + x*(1-W) is bilinear in (m, W) and W is monotone in Ci.
        let ma = m_lo.max(f64::MIN_POSITIVE);
        let w_hi = weight(v_lo.sqrt() / m_hi, spec.cu, spec.cmax, spec.damping);
        let w_lo = weight(v_hi.sqrt() / ma, spec.cu, spec.cmax, spec.damping);
        for mm in [ma, m_hi] {
            for w in [w_lo, w_hi] {
                candidates.push(blend(x64, mm, w));
            }
        }
    }
    let lo = candidates.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = candidates.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    Expect::Value {
        value,
        lo,
        hi,
        tol,
        m,
        var,
        n,
    }
}
