//! The fast kernel against a slow, obviously correct float64 reference
//! written straight from SPEC.md (every window summed on its own), on
//! random images and random parameters; and the bit-for-bit rules: in
//! place, tiled regions, strided buffers and thread counts.

mod common;

use common::{oracle_border, Rng};
use enh_lee::{
    filter, filter_in_place, filter_region, Border, Coefficients, Compat, Filter, Params, Region,
    Signal, Statistic,
};
use ndarray::{s, Array2, ArrayView2};

/// SPEC's border rule, as numpy.pad extends an axis of length `n`: the
/// oracle's "bounce until inside" (`oracle/src/border.rs`), not the
/// library's periodic formula.
fn map(border: Border, i: isize, n: usize) -> Option<usize> {
    enh_lee_oracle::map(oracle_border(border), i, n)
}

fn valid(p: &Params, x: f32) -> bool {
    x.is_finite() && p.nodata != Some(x)
}

/// The valid image pixels of the window centred on (y, x), with padding.
fn window(p: &Params, img: ArrayView2<f32>, y: usize, x: usize) -> Vec<(usize, usize)> {
    positions(p, img, y, x)
        .into_iter()
        .map(|(_, at)| at)
        .collect()
}

/// [`window`], each pixel with its offset `(dy, dx)` from the centre.
fn positions(
    p: &Params,
    img: ArrayView2<f32>,
    y: usize,
    x: usize,
) -> Vec<((isize, isize), (usize, usize))> {
    let (h, w) = img.dim();
    let r = p.radius() as isize;
    // SNAP clips its windows at the raster edge, whatever the border.
    let border = match p.compat {
        Compat::None | Compat::EarthEngine => p.border,
        Compat::Snap => Border::Shrink,
    };
    let mut out = Vec::new();
    for dy in -r..=r {
        for dx in -r..=r {
            let (Some(yy), Some(xx)) = (
                map(border, y as isize + dy, h),
                map(border, x as isize + dx, w),
            ) else {
                continue;
            };
            if valid(p, img[[yy, xx]]) {
                out.push(((dy, dx), (yy, xx)));
            }
        }
    }
    out
}

/// Frost et al. (1982): the window's valid pixels weighted by
/// `exp(-K Ci^2 |t|)`, `|t|` the Euclidean distance from the centre
/// (SNAP's: the Chebyshev distance).
fn frost(p: &Params, img: ArrayView2<f32>, y: usize, x: usize, m: f64, var: f64) -> f64 {
    let a = p.damping * var / (m * m);
    let (mut num, mut den) = (0.0, 0.0);
    for ((dy, dx), (yy, xx)) in positions(p, img, y, x) {
        let distance = match p.compat {
            Compat::Snap => dy.abs().max(dx.abs()) as f64,
            _ => ((dy * dy + dx * dx) as f64).sqrt(),
        };
        let e = (-a * distance).exp();
        num += e * f64::from(img[[yy, xx]]);
        den += e;
    }
    num / den
}

/// Mean and variance (two passes) of `values`: population variance, or
/// SNAP's sample variance.
fn moments(p: &Params, values: &[f64]) -> (f64, f64) {
    let n = values.len() as f64;
    let m = values.iter().sum::<f64>() / n;
    (
        m,
        spread(p, values.iter().map(|v| (v - m).powi(2)).sum(), n),
    )
}

/// The variance of `n` values whose squared deviations add up to `ss`:
/// `ss / n`, or `ss / (n - 1)` (0 for one value) under `compat=snap`.
fn spread(p: &Params, ss: f64, n: f64) -> f64 {
    match p.compat {
        Compat::Snap if n > 1.0 => ss / (n - 1.0),
        Compat::Snap => 0.0,
        _ => ss / n,
    }
}

/// Refined Lee (Lee 1981) in SNAP's 7x7 form, or the Earth Engine script's
/// under `compat=gee`, as docs/filters.md states them: returns `(output,
/// the mean used)`, the mean NaN where the script names no half; `whole`
/// is the window's `(m, var)`.
fn refined_lee(
    p: &Params,
    img: ArrayView2<f32>,
    y: usize,
    x: usize,
    whole: (f64, f64),
) -> (f64, f64) {
    // The window as a 7x7 grid, None where a position is invalid.
    let mut grid = [[None; 7]; 7];
    for ((dy, dx), (yy, xx)) in positions(p, img, y, x) {
        grid[(dy + 3) as usize][(dx + 3) as usize] = Some(f64::from(img[[yy, xx]]));
    }
    let area = |a: usize, b: usize| -> Option<Vec<f64>> {
        (2 * a..2 * a + 3)
            .flat_map(|r| (2 * b..2 * b + 3).map(move |c| (r, c)))
            .map(|(r, c)| grid[r][c])
            .collect()
    };
    let mut ratios: Vec<f64> = (0..9)
        .filter_map(|q| area(q / 3, q % 3))
        .map(|v| {
            let (m, var) = moments(p, &v);
            if m > 0.0 {
                var / (m * m)
            } else {
                0.0
            }
        })
        .collect();
    ratios.sort_by(f64::total_cmp);
    let k = ratios.len().min(5);
    let sigma2 = if k == 0 {
        0.0
    } else {
        ratios[..k].iter().sum::<f64>() / k as f64
    };
    let (m, var) = if grid.iter().flatten().all(Option::is_some) {
        let mu = |a: usize, b: usize| moments(p, &area(a, b).unwrap()).0;
        let pairs = [
            ((1, 0), (1, 2)),
            ((0, 2), (2, 0)),
            ((0, 1), (2, 1)),
            ((0, 0), (2, 2)),
        ];
        let g: Vec<f64> = pairs
            .iter()
            .map(|&((a0, b0), (a1, b1))| (mu(a0, b0) - mu(a1, b1)).abs())
            .collect();
        let k = (0..4).fold(0, |best, i| if g[i] > g[best] { i } else { best });
        let ((a0, b0), (a1, b1)) = pairs[k];
        let first = (mu(a0, b0) - mu(1, 1)).abs() < (mu(1, 1) - mu(a1, b1)).abs();
        // The script's direction code: its sampled means s0..s8 row by
        // row; each gradient equal to the largest adds g + 1 where
        // s_p - s4 > s4 - s_q, else g + 5.
        let s = |q: usize| mu(q / 3, q % 3);
        let script = [(1, 7), (6, 2), (3, 5), (0, 8)];
        let gradient = |g: usize| (s(script[g].0) - s(script[g].1)).abs();
        let largest = (0..4).map(gradient).fold(f64::NEG_INFINITY, f64::max);
        let code: usize = (0..4)
            .filter(|&g| gradient(g) == largest)
            .map(|g| {
                let (p, q) = script[g];
                if s(p) - s(4) > s(4) - s(q) {
                    g + 1
                } else {
                    g + 5
                }
            })
            .sum();
        if p.compat == Compat::EarthEngine && !(1..=8).contains(&code) {
            return (f64::NAN, f64::NAN);
        }
        let inside = |r: usize, c: usize| match p.compat {
            Compat::EarthEngine => match code {
                1 => r >= 3,
                2 => c <= r,
                3 => c <= 3,
                4 => r + c <= 6,
                5 => r <= 3,
                6 => c >= r,
                7 => c >= 3,
                _ => r + c >= 6,
            },
            _ => match (k, first) {
                (0, true) => c <= 3,
                (0, false) => c >= 3,
                (1, true) => c >= r,
                (1, false) => c <= r,
                (2, true) => r <= 3,
                (2, false) => r >= 3,
                (3, true) => r + c <= 6,
                _ => r + c >= 6,
            },
        };
        let half: Vec<f64> = (0..49)
            .filter(|&i| inside(i / 7, i % 7))
            .map(|i| grid[i / 7][i % 7].unwrap())
            .collect();
        assert_eq!(half.len(), 28);
        moments(p, &half)
    } else {
        whole
    };
    // The script leaves the signal variance negative.
    let floor = if p.compat == Compat::EarthEngine {
        f64::NEG_INFINITY
    } else {
        0.0
    };
    let b = if var > 0.0 {
        ((var - m * m * sigma2) / (1.0 + sigma2)).max(floor) / var
    } else {
        0.0
    };
    (m + b * (f64::from(img[[y, x]]) - m), m)
}

/// Lee Sigma's point threshold from its definition: the `max(1, floor(0.98
/// n))`-th smallest of the `n` valid pixels, by sorting.
fn sorted_threshold(p: &Params, img: ArrayView2<f32>) -> f64 {
    let mut v: Vec<f32> = img.iter().copied().filter(|&x| valid(p, x)).collect();
    if v.is_empty() {
        return f64::INFINITY;
    }
    v.sort_by(f32::total_cmp);
    let k = (v.len() * 98 / 100).max(1);
    f64::from(v[k - 1])
}

/// Lee Sigma (Lee et al. 2009) as docs/filters.md states it, for the valid
/// pixel (y, x) and point threshold `z`.
fn lee_sigma(
    p: &Params,
    c: &Coefficients,
    img: ArrayView2<f32>,
    y: usize,
    x: usize,
    z: f64,
) -> f64 {
    let (h, w) = img.dim();
    let v = f64::from(img[[y, x]]);
    let rt = (p.target_window / 2) as isize;
    let target = Params {
        window: p.target_window,
        ..*p
    };
    let bright = |yy: usize, xx: usize| valid(p, img[[yy, xx]]) && f64::from(img[[yy, xx]]) > z;
    // A point target: a bright neighbour (or the pixel) whose target window
    // holds at least five bright pixels.
    if v > z {
        for cy in y as isize - rt..=y as isize + rt {
            for cx in x as isize - rt..=x as isize + rt {
                if cy < 0 || cx < 0 || cy >= h as isize || cx >= w as isize {
                    continue;
                }
                let (cy, cx) = (cy as usize, cx as usize);
                if !bright(cy, cx) {
                    continue;
                }
                let count = window(&target, img, cy, cx)
                    .into_iter()
                    .filter(|&(a, b)| bright(a, b))
                    .count();
                if count >= 5 {
                    return v;
                }
            }
        }
    }
    let kuan = |m: f64, var: f64, cu2: f64| {
        let ci2 = var / (m * m);
        if var == 0.0 {
            0.0
        } else {
            ((1.0 - cu2 / ci2) / (1.0 + cu2)).clamp(0.0, 1.0)
        }
    };
    let values = |px: Vec<(usize, usize)>| -> Vec<f64> {
        px.into_iter()
            .map(|(a, b)| f64::from(img[[a, b]]))
            .collect()
    };
    let (m, var) = moments(p, &values(window(&target, img, y, x)));
    if m <= 0.0 {
        return v;
    }
    let prior = m + kuan(m, var, c.cu * c.cu) * (v - m);
    let (low, high) = c.sigma_range;
    let inside: Vec<f64> = values(window(p, img, y, x))
        .into_iter()
        .filter(|&u| low * prior <= u && u <= high * prior)
        .collect();
    if inside.is_empty() {
        return v;
    }
    let (ms, vs) = moments(p, &inside);
    if ms <= 0.0 {
        return v;
    }
    ms + kuan(ms, vs, c.revised_cu2) * (v - ms)
}

fn mean(p: &Params, img: ArrayView2<f32>, y: usize, x: usize) -> Option<f64> {
    let px = window(p, img, y, x);
    (!px.is_empty())
        .then(|| px.iter().map(|&(a, b)| f64::from(img[[a, b]])).sum::<f64>() / px.len() as f64)
}

/// Reference output (two acceptable values, see [`rule`]) and local mean
/// of every pixel.
fn reference(p: &Params, img: ArrayView2<f32>) -> (Array2<[f64; 2]>, Array2<f64>) {
    let c = p.validate().unwrap();
    let (h, w) = img.dim();
    let means = Array2::from_shape_fn((h, w), |(y, x)| mean(p, img, y, x).unwrap_or(f64::NAN));
    let z = match p.point_threshold {
        Some(z) => z,
        None if p.filter == Filter::LeeSigma => sorted_threshold(p, img),
        None => f64::NAN,
    };
    let out = Array2::from_shape_fn((h, w), |(y, x)| {
        let v = img[[y, x]];
        if !valid(p, v) {
            return [f64::from(v); 2];
        }
        let px = window(p, img, y, x);
        let n = px.len() as f64;
        let m = means[[y, x]];
        let var = match p.statistic {
            Statistic::Window => {
                let ss = px
                    .iter()
                    .map(|&(a, b)| (f64::from(img[[a, b]]) - m).powi(2))
                    .sum::<f64>();
                spread(p, ss, n)
            }
            Statistic::Residual => {
                let ss = px
                    .iter()
                    .map(|&(a, b)| (f64::from(img[[a, b]]) - means[[a, b]]).powi(2))
                    .sum::<f64>();
                spread(p, ss, n)
            }
        };
        if p.filter == Filter::LeeSigma {
            return [lee_sigma(p, &c, img, y, x, z); 2];
        }
        if p.filter == Filter::RefinedLee {
            let (out, used) = refined_lee(p, img, y, x, (m, var));
            return [if used > 0.0 { out } else { f64::from(v) }; 2];
        }
        if p.filter == Filter::Boxcar {
            // The window mean, whatever its sign.
            return [m; 2];
        }
        if p.filter == Filter::Median {
            // numpy's median (SNAP's upper middle value for an even
            // count), rounded to float32 as the output is.
            let mut sorted: Vec<f64> = px.iter().map(|&(a, b)| f64::from(img[[a, b]])).collect();
            sorted.sort_by(f64::total_cmp);
            let k = sorted.len() / 2;
            let median = if sorted.len() % 2 == 1 || p.compat == Compat::Snap {
                sorted[k]
            } else {
                (sorted[k - 1] + sorted[k]) / 2.0
            };
            return [f64::from(median as f32); 2];
        }
        if m <= 0.0 {
            return [f64::from(v); 2];
        }
        if p.filter == Filter::Frost {
            return [frost(p, img, y, x, m, var); 2];
        }
        rule(p.filter, &c, f64::from(v), m, var)
    });
    (out, means)
}

/// Each filter's rule as its source publishes it (docs/filters.md), and a
/// second acceptable value where the rule jumps: at Gamma-MAP's `Cmax`
/// the kernel and the reference may round `Ci` to either side.
fn rule(filter: Filter, c: &Coefficients, x: f64, m: f64, var: f64) -> [f64; 2] {
    let ci = var.sqrt() / m;
    let ci2 = var / (m * m);
    let cu2 = c.cu * c.cu;
    let blend = |k: f64| m + k * (x - m);
    match filter {
        Filter::EnhancedLee => {
            let v = if ci <= c.cu {
                m
            } else if ci >= c.cmax {
                x
            } else {
                let wt = (-c.damping * (ci - c.cu) / (c.cmax - ci)).exp();
                m * wt + x * (1.0 - wt)
            };
            [v; 2]
        }
        Filter::Frost
        | Filter::RefinedLee
        | Filter::LeeSigma
        | Filter::Boxcar
        | Filter::Median
        | Filter::Idan => {
            unreachable!("see `reference` (IDAN: its own tests, src/filters/idan.rs)")
        }
        Filter::Lee => [blend((1.0 - cu2 / ci2).max(0.0)); 2],
        Filter::Kuan => [blend(((1.0 - cu2 / ci2) / (1.0 + cu2)).clamp(0.0, 1.0)); 2],
        Filter::GammaMap => {
            let l = c.looks;
            let map = || {
                let alpha = (1.0 + cu2) / (ci2 - cu2);
                let b = alpha - l - 1.0;
                let d = (m * m * b * b + 4.0 * alpha * l * m * x).max(0.0);
                (b * m + d.sqrt()) / (2.0 * alpha)
            };
            let v = if ci <= c.cu {
                m
            } else if ci >= c.cmax {
                x
            } else {
                map()
            };
            let other = if ci >= c.cmax { map() } else { x };
            let near_cmax = (ci - c.cmax).abs() <= 1e-9 * c.cmax;
            [v, if near_cmax { other } else { v }]
        }
    }
}

fn assert_close(p: &Params, img: ArrayView2<f32>, got: ArrayView2<f32>) {
    let (want, means) = reference(p, img);
    for ((idx, &g), &[r, alt]) in got.indexed_iter().zip(want.iter()) {
        if !r.is_finite() {
            assert_eq!(
                f64::from(g).to_bits(),
                r.to_bits(),
                "{idx:?}: got {g}, reference {r} ({p:?})"
            );
            continue;
        }
        let close = |r: f64| {
            let scale = r.abs().max(means[idx].abs()).max(1e-30);
            (f64::from(g) - r).abs() <= 1e-5 * scale
        };
        assert!(
            close(r) || close(alt),
            "{idx:?}: got {g}, reference {r} ({p:?})"
        );
    }
}

fn random_params(rng: &mut Rng) -> Params {
    let borders = [
        Border::Reflect,
        Border::Mirror,
        Border::Nearest,
        Border::Shrink,
    ];
    // IDAN grows its neighbourhood instead of reading a window: its own
    // tests (src/filters/idan.rs) hold it to a transcription of SNAP's
    // growth.
    let windowed: Vec<Filter> = Filter::ALL
        .iter()
        .copied()
        .filter(|f| *f != Filter::Idan)
        .collect();
    let filter = windowed[rng.below(windowed.len())];
    let window = 3 + 2 * rng.below(7);
    Params {
        filter,
        // Refined Lee's window is 7x7 only.
        window: if filter == Filter::RefinedLee {
            7
        } else {
            window
        },
        looks: [0.7, 1.0, 2.5, 4.0][rng.below(4)],
        damping: [0.0, 0.5, 1.0, 3.0][rng.below(4)],
        signal: if rng.below(2) == 0 {
            Signal::Intensity
        } else {
            Signal::Amplitude
        },
        statistic: if rng.below(2) == 0 {
            Statistic::Window
        } else {
            Statistic::Residual
        },
        border: borders[rng.below(4)],
        nodata: (rng.below(3) == 0).then_some(-9999.0),
        cu: None,
        cmax: None,
        threads: 1 + rng.below(3),
        compat: match rng.below(3) {
            0 => Compat::Snap,
            1 if filter == Filter::RefinedLee => Compat::EarthEngine,
            _ => Compat::None,
        },
        ..Params::default()
    }
    .with_lee_sigma(rng)
}

trait LeeSigmaCase {
    fn with_lee_sigma(self, rng: &mut Rng) -> Self;
}

impl LeeSigmaCase for Params {
    /// Lee Sigma's own ranges: looks 1-4, window at least 5 and above the
    /// target window, the window statistic.
    fn with_lee_sigma(self, rng: &mut Rng) -> Params {
        if self.filter != Filter::LeeSigma {
            return self;
        }
        let target_window = [3, 5][rng.below(2)];
        Params {
            looks: (1 + rng.below(4)) as f64,
            window: [5, 7, 9, 11][rng.below(4)].max(target_window + 2),
            statistic: Statistic::Window,
            target_window,
            sigma: enh_lee::SIGMAS[rng.below(6)],
            ..self
        }
    }
}

fn random_image(rng: &mut Rng, h: usize, w: usize, p: &Params) -> Array2<f32> {
    let looks = 1 + rng.below(4) as u32;
    Array2::from_shape_fn((h, w), |(y, x)| {
        let field = if (x / 5 + y / 7) % 2 == 0 {
            50.0
        } else {
            400.0
        };
        match rng.below(40) {
            0 => f32::NAN,
            1 if p.nodata.is_some() => -9999.0,
            2 => f32::INFINITY,
            _ => (field * rng.speckle(looks)) as f32,
        }
    })
}

fn run(p: &Params, img: ArrayView2<f32>) -> Array2<f32> {
    let mut out = Array2::zeros(img.dim());
    filter(img, out.view_mut(), p, None).unwrap();
    out
}

#[test]
fn random_images_and_parameters_match_the_reference() {
    let mut rng = Rng(0x1234_5678_9ABC_DEF1);
    for case in 0..600 {
        let p = random_params(&mut rng);
        let (h, w) = match case % 5 {
            0 => (1, 1 + rng.below(20)),
            1 => (1 + rng.below(20), 1),
            _ => (1 + rng.below(30), 1 + rng.below(30)),
        };
        let img = random_image(&mut rng, h, w, &p);
        assert_close(&p, img.view(), run(&p, img.view()).view());
    }
}

#[test]
fn refined_lee_on_edges_matches_the_reference() {
    // Speckled fields with vertical, horizontal and diagonal edges, every
    // pixel valid (the edge-aligned windows), then with a few nodata pixels;
    // SNAP's rule and the Earth Engine script's, with a flat corner where
    // the script's gradients all tie.
    let mut rng = Rng(0x05EE_D0F0_ED6E);
    for case in 0..24 {
        let border = [
            Border::Reflect,
            Border::Mirror,
            Border::Nearest,
            Border::Shrink,
        ][case % 4];
        let p = Params {
            filter: Filter::RefinedLee,
            border,
            nodata: (case >= 12).then_some(-1.0),
            threads: 1 + case % 3,
            compat: [Compat::None, Compat::EarthEngine][case / 4 % 2],
            ..Params::default()
        };
        let (h, w) = (10 + rng.below(30), 10 + rng.below(30));
        let looks = 1 + rng.below(4) as u32;
        let img = Array2::from_shape_fn((h, w), |(y, x)| {
            let field = match case % 3 {
                0 => [30.0, 900.0][usize::from(x > w / 3)],
                1 => [30.0, 900.0][usize::from(y > h / 2)],
                _ => [30.0, 900.0][usize::from(x + y > (w + h) / 2)],
            };
            if p.nodata.is_some() && rng.below(60) == 0 {
                -1.0
            } else if x < 9 && y < 9 {
                field as f32
            } else {
                (field * rng.speckle(looks)) as f32
            }
        });
        assert_close(&p, img.view(), run(&p, img.view()).view());
    }
}

#[test]
fn explicit_coefficients_and_the_questions_compatibility_mode() {
    let mut rng = Rng(7);
    let looks: f64 = 3.0;
    let p = Params {
        window: 5,
        looks,
        cu: Some((1.0 / looks).sqrt()),
        cmax: Some((1.0 + 2.0 * looks).sqrt()),
        statistic: Statistic::Residual,
        ..Params::default()
    };
    let img = random_image(&mut rng, 40, 33, &Params::default());
    assert_close(&p, img.view(), run(&p, img.view()).view());
}

#[test]
fn in_place_strided_tiled_and_threaded_results_are_bit_identical() {
    let mut rng = Rng(99);
    for case in 0..40 {
        let mut p = random_params(&mut rng);
        p.threads = 1;
        let (h, w) = (1 + rng.below(90), 1 + rng.below(40));
        let img = random_image(&mut rng, h, w, &p);
        let whole = run(&p, img.view());

        for threads in [2, 3, 0] {
            let q = Params { threads, ..p };
            let got = run(&q, img.view());
            let same = got
                .iter()
                .zip(whole.iter())
                .all(|(a, b)| a.to_bits() == b.to_bits());
            assert!(same, "threads {threads}, case {case} ({q:?}, {h}x{w})");
        }

        let mut in_place = img.clone();
        filter_in_place(in_place.view_mut(), &Params { threads: 2, ..p }, None).unwrap();
        let same = in_place
            .iter()
            .zip(whole.iter())
            .all(|(a, b)| a.to_bits() == b.to_bits());
        assert!(same, "in place, case {case}");

        // Rows with a stride larger than the width, in and out.
        let mut wide = Array2::from_elem((h, w + 3), 7.0f32);
        wide.slice_mut(s![.., ..w]).assign(&img);
        let mut wide_out = Array2::from_elem((h, w + 5), -1.0f32);
        filter(
            wide.slice(s![.., ..w]),
            wide_out.slice_mut(s![.., 1..w + 1]),
            &p,
            None,
        )
        .unwrap();
        let strided = wide_out.slice(s![.., 1..w + 1]);
        let same = strided
            .iter()
            .zip(whole.iter())
            .all(|(a, b)| a.to_bits() == b.to_bits());
        assert!(same, "strided, case {case}");

        // Tiles of several sizes, each read with its clipped halo (Lee
        // Sigma's tiles are given the whole raster's point threshold).
        let halo = enh_lee::halo(&p).unwrap();
        let p = Params {
            point_threshold: (p.filter == Filter::LeeSigma)
                .then(|| enh_lee::point_threshold(img.view(), &p).unwrap()),
            ..p
        };
        for (th, tw) in [(1, w), (3, 4), (7, 5), (h, 1)] {
            let mut tiled = Array2::from_elem((h, w), f32::NAN);
            for y in (0..h).step_by(th) {
                for x in (0..w).step_by(tw) {
                    let region = Region {
                        x_off: x,
                        y_off: y,
                        width: tw.min(w - x),
                        height: th.min(h - y),
                    };
                    let src = region.with_halo(halo, w, h);
                    let view = img.slice(s![
                        src.y_off..src.y_off + src.height,
                        src.x_off..src.x_off + src.width
                    ]);
                    let mut out = Array2::zeros((region.height, region.width));
                    filter_region(view, out.view_mut(), w, h, region, &p, None).unwrap();
                    tiled
                        .slice_mut(s![y..y + region.height, x..x + region.width])
                        .assign(&out);
                }
            }
            let (a, b) = (tiled.as_slice().unwrap(), whole.as_slice().unwrap());
            let same = a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits());
            assert!(same, "tiles {th}x{tw}, case {case}");
        }
    }
}

#[test]
fn bright_targets_do_not_leak_into_distant_dark_pixels() {
    // 200 bright rows of 1e7 above dark speckle of ~1 (SPEC "Accuracy").
    let mut rng = Rng(5);
    let (h, w) = (700, 64);
    let img = Array2::from_shape_fn((h, w), |(y, _)| {
        let level = if y < 200 { 1e7 } else { 1.0 };
        (level * rng.speckle(2)) as f32
    });
    for statistic in [Statistic::Window, Statistic::Residual] {
        let p = Params {
            window: 7,
            looks: 2.0,
            statistic,
            ..Params::default()
        };
        let out = run(&p, img.view());
        let dark = img.slice(s![590..620, ..]).to_owned();
        let (want, means) = reference(&p, dark.view());
        // Interior pixels of the dark strip see only dark windows.
        for y in 8..22 {
            for x in 0..w {
                let [r, _] = want[[y, x]];
                let scale = r.abs().max(means[[y, x]].abs());
                let g = f64::from(out[[590 + y, x]]);
                assert!((g - r).abs() <= 1e-5 * scale, "({y},{x}): {g} vs {r}");
            }
        }
    }
}

#[test]
fn values_up_to_1e8_stay_accurate() {
    // The question's own test image: arange(N*N) as float32.
    let n = 120;
    let img = Array2::from_shape_fn((n, n), |(y, x)| ((y * n + x) as f32) * 7000.0);
    for statistic in [Statistic::Window, Statistic::Residual] {
        let p = Params {
            window: 9,
            statistic,
            ..Params::default()
        };
        assert_close(&p, img.view(), run(&p, img.view()).view());
    }
}

/// Images wide and tall enough that the kernel cuts each band into several
/// column tiles and sub-bands of rows (with invalid pixels in some tiles
/// only, so that tiles with and without counts meet): accurate, and the
/// same bits whatever the threads, in place, or cut into regions.
#[test]
fn tiles_and_sub_bands_meet_without_seams() {
    let mut rng = Rng(2024);
    let configs = [
        (Statistic::Window, 7, 600, 1000),
        (Statistic::Window, 31, 300, 700),
        (Statistic::Residual, 7, 400, 900),
        (Statistic::Residual, 15, 300, 700),
    ];
    for (i, (statistic, window, h, w)) in configs.into_iter().enumerate() {
        // compat=snap: sample variances, clipped windows (border unused).
        for (border, compat) in [
            (Border::Reflect, Compat::None),
            (Border::Shrink, Compat::None),
            (Border::Reflect, Compat::Snap),
        ] {
            for holes in [false, true] {
                // Frost (which also reads the window's pixels) in the 7x7
                // cases: its reference costs w^2 exps per pixel.
                // Lee Sigma (the same) at 31x31, with its larger context.
                let filter = match i {
                    0 | 2 => Filter::Frost,
                    1 => Filter::LeeSigma,
                    _ => Filter::EnhancedLee,
                };
                let p = Params {
                    filter,
                    window,
                    statistic,
                    border,
                    compat,
                    looks: 2.0,
                    nodata: Some(-9999.0),
                    threads: 1,
                    ..Params::default()
                };
                let img = Array2::from_shape_fn((h, w), |(y, x)| {
                    let hole = holes && (300..340).contains(&x) && rng.below(5) == 0;
                    let bright = if (x * 7 + y * 3) % 211 == 0 { 1e4 } else { 1.0 };
                    match (hole, rng.below(2)) {
                        (true, 0) => f32::NAN,
                        (true, _) => -9999.0,
                        _ => (bright * (20.0 + (y / 50) as f64) * rng.speckle(2)) as f32,
                    }
                });
                let case = format!(
                    "{filter:?} {statistic:?} w={window} {border:?} {compat:?} holes={holes}"
                );
                let whole = run(&p, img.view());
                assert_close(&p, img.view(), whole.view());
                let bits = |a: &Array2<f32>| a.iter().map(|v| v.to_bits()).collect::<Vec<_>>();

                let threaded = run(&Params { threads: 3, ..p }, img.view());
                assert!(bits(&threaded) == bits(&whole), "3 threads, {case}");

                let mut in_place = img.clone();
                filter_in_place(in_place.view_mut(), &Params { threads: 2, ..p }, None).unwrap();
                assert!(bits(&in_place) == bits(&whole), "in place, {case}");

                let region = Region {
                    x_off: 123,
                    y_off: 77,
                    width: w - 200,
                    height: h - 100,
                };
                let src = region.with_halo(enh_lee::halo(&p).unwrap(), w, h);
                let view = img.slice(s![
                    src.y_off..src.y_off + src.height,
                    src.x_off..src.x_off + src.width
                ]);
                let mut out = Array2::zeros((region.height, region.width));
                let given = Params {
                    point_threshold: Some(enh_lee::point_threshold(img.view(), &p).unwrap()),
                    ..p
                };
                filter_region(view, out.view_mut(), w, h, region, &given, None).unwrap();
                let want = whole.slice(s![77..77 + region.height, 123..123 + region.width]);
                assert!(bits(&out) == bits(&want.to_owned()), "region, {case}");
            }
        }
    }
}

/// Lee Sigma on speckle with bright 2x3 and 3x3 clusters (point targets,
/// kept) and single bright pixels: the reference, every border,
/// both target windows; a region needs the whole raster's threshold.
#[test]
fn lee_sigma_keeps_point_targets_and_matches_the_reference() {
    let mut rng = Rng(0x0005_163A);
    for case in 0..16 {
        let p = Params {
            filter: Filter::LeeSigma,
            looks: (1 + case % 4) as f64,
            target_window: [3, 5][case % 2],
            window: [7, 9][case / 8],
            sigma: enh_lee::SIGMAS[case % 6],
            border: [
                Border::Reflect,
                Border::Mirror,
                Border::Nearest,
                Border::Shrink,
            ][case % 4],
            nodata: (case % 3 == 0).then_some(-1.0),
            threads: 1 + case % 2,
            ..Params::default()
        };
        let (h, w) = (60 + rng.below(20), 80 + rng.below(20));
        let img = Array2::from_shape_fn((h, w), |(y, x)| {
            // Under 2% of the pixels: the threshold is a speckle value.
            let cluster = (y % 20 < 3 && x % 40 < 2 + case % 2) || (y == 0 && x < 3);
            let single = (y * 7 + x) % 401 == 100;
            if p.nodata.is_some() && rng.below(50) == 0 {
                -1.0
            } else if cluster || single {
                (1e5 * rng.speckle(4)) as f32
            } else {
                (100.0 * rng.speckle(p.looks as u32)) as f32
            }
        });
        let out = run(&p, img.view());
        assert_close(&p, img.view(), out.view());
        // Cluster pixels are kept; a lone bright pixel is filtered.
        let z = sorted_threshold(&p, img.view());
        assert!(
            img[[1, 0]] as f64 > z && out[[1, 0]] == img[[1, 0]],
            "case {case}"
        );
        // The speckle is smoothed.
        let spread = |a: &Array2<f32>| {
            let v: Vec<f64> = a
                .slice(s![40..55, 5..35])
                .iter()
                .map(|&x| f64::from(x))
                .collect();
            moments(&p, &v).1
        };
        assert!(spread(&out) < 0.5 * spread(&img), "case {case}");
        let region = Region {
            x_off: 3,
            y_off: 2,
            width: 10,
            height: 10,
        };
        let src = region.with_halo(enh_lee::halo(&p).unwrap(), w, h);
        let view = img.slice(s![
            src.y_off..src.y_off + src.height,
            src.x_off..src.x_off + src.width
        ]);
        let mut part = Array2::zeros((10, 10));
        assert_eq!(
            filter_region(view, part.view_mut(), w, h, region, &p, None),
            Err(enh_lee::Error::InvalidPointThreshold)
        );
        let given = Params {
            point_threshold: Some(z),
            ..p
        };
        filter_region(view, part.view_mut(), w, h, region, &given, None).unwrap();
        assert_eq!(part, out.slice(s![2..12, 3..13]));
    }
}
