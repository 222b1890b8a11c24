//! Extreme images (SPEC.md): all-invalid images, 1x1 / 1xN / Nx1 and
//! 100000x2 / 2x100000 images, values up to 3.4e38, negative values,
//! denormals, infinities, and a bright target far from dark pixels. Results
//! are checked against the oracle's float64 reference (`oracle/`, written
//! from SPEC.md with direct window loops, shared with the fuzz target), to
//! SPEC's tolerance `1e-5 * max(|ref|, |m|, 1e-30)`.

mod common;

use common::{oracle_border, Rng};
use std::ptr;

use enh_lee::capi::{
    enh_lee_filter, enh_lee_plan_filter_region, enh_lee_plan_free, enh_lee_plan_new, EnhLeeImage,
    EnhLeeParams, EnhLeePlan, EnhLeeRegion, ENH_LEE_ELEMENT_FLOAT32, ENH_LEE_ERROR_SIZE_OVERFLOW,
    ENH_LEE_OK,
};
use enh_lee::{filter, filter_in_place, Border, Error, Params, Signal, Statistic};
use enh_lee_oracle::enhanced_lee::{
    expect, Expect, Means, Raster, Spec, Statistic as OracleStatistic,
};
use ndarray::Array2;

/// The descriptor of one plane of `height` rows of `width` float32 pixels,
/// rows `4 * width` bytes apart.
fn image(data: *const f32, width: usize, height: usize) -> EnhLeeImage {
    EnhLeeImage {
        data: data.cast_mut().cast(),
        element: ENH_LEE_ELEMENT_FLOAT32,
        reserved: 0,
        width,
        height,
        row_stride: 4 * width,
        planes: 1,
        plane_stride: 0,
    }
}

// ---------------------------------------------------------------------------
// The float64 reference

const BORDERS: [Border; 4] = [
    Border::Reflect,
    Border::Mirror,
    Border::Nearest,
    Border::Shrink,
];
const STATISTICS: [Statistic; 2] = [Statistic::Window, Statistic::Residual];

fn coefficients(p: &Params) -> (f64, f64) {
    let cu = p.cu.unwrap_or(match p.signal {
        Signal::Intensity => 1.0 / p.looks.sqrt(),
        Signal::Amplitude => (4.0 / std::f64::consts::PI - 1.0).sqrt() / p.looks.sqrt(),
    });
    (cu, p.cmax.unwrap_or((1.0 + 2.0 / p.looks).sqrt()))
}

/// The oracle's Enhanced Lee (`oracle/src/enhanced_lee.rs`, shared with the
/// fuzz target) for one image and parameters.
struct Reference<'a> {
    img: &'a Array2<f32>,
    means: Means<'a>,
}

impl<'a> Reference<'a> {
    fn new(img: &'a Array2<f32>, p: &Params) -> Self {
        let (cu, cmax) = coefficients(p);
        let spec = Spec {
            window: p.window,
            cu,
            cmax,
            damping: p.damping,
            statistic: match p.statistic {
                Statistic::Window => OracleStatistic::Window,
                Statistic::Residual => OracleStatistic::Residual,
            },
            border: oracle_border(p.border),
            nodata: p.nodata,
        };
        let (height, width) = img.dim();
        let data = img.as_slice().expect("a standard-layout image");
        Reference {
            img,
            means: Means::new(
                Raster {
                    data,
                    width,
                    height,
                },
                spec,
            ),
        }
    }

    /// The reference output at (y, x) and the window mean (NaN for an
    /// invalid pixel, which is copied).
    fn at(&mut self, y: usize, x: usize) -> (f64, f64) {
        match expect(&mut self.means, y, x) {
            Expect::Bits(b) => (f64::from(f32::from_bits(b)), f64::NAN),
            Expect::Value { value, m, .. } => (value, m),
        }
    }

    /// Checks output pixel (y, x) to SPEC's tolerance.
    fn check(&mut self, out: &Array2<f32>, y: usize, x: usize, what: &str) {
        if let Err(e) = self.try_check(out, y, x) {
            panic!("{what}: {e}");
        }
    }

    /// SPEC's plain tolerance `1e-5 * max(|ref|, |m|, 1e-30)` (the
    /// oracle's strict check); an invalid pixel must keep its bits.
    fn try_check(&mut self, out: &Array2<f32>, y: usize, x: usize) -> Result<(), String> {
        let got = out[[y, x]];
        let input = self.img[[y, x]];
        expect(&mut self.means, y, x)
            .check(got, true)
            .map_err(|e| format!("pixel ({y}, {x}), input {input:e}: {e}"))
    }

    fn check_all(&mut self, out: &Array2<f32>, what: &str) {
        let (h, w) = out.dim();
        for y in 0..h {
            for x in 0..w {
                self.check(out, y, x, what);
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Helpers

fn speckle(seed: u64, h: usize, w: usize, mean: f64) -> Array2<f32> {
    let mut rng = Rng(seed);
    Array2::from_shape_fn((h, w), |(y, x)| {
        let field = if (x / 5 + y / 7) % 2 == 0 { 1.0 } else { 3.0 };
        (mean * field * rng.speckle(2)).min(f64::from(f32::MAX)) as f32
    })
}

fn run(img: &Array2<f32>, p: &Params) -> Array2<f32> {
    let mut out = Array2::from_elem(img.dim(), f32::from_bits(0x7fc0_dead));
    filter(img.view(), out.view_mut(), p, None).unwrap();
    out
}

fn run_in_place(img: &Array2<f32>, p: &Params) -> Array2<f32> {
    let mut out = img.clone();
    filter_in_place(out.view_mut(), p, None).unwrap();
    out
}

fn assert_same_bits(a: &Array2<f32>, b: &Array2<f32>, what: &str) {
    for ((idx, x), y) in a.indexed_iter().zip(b.iter()) {
        assert_eq!(
            x.to_bits(),
            y.to_bits(),
            "{what}: pixel {idx:?}: {x:?} vs {y:?}"
        );
    }
}

fn every_params(window: usize) -> impl Iterator<Item = Params> {
    STATISTICS.into_iter().flat_map(move |statistic| {
        BORDERS.into_iter().map(move |border| Params {
            window,
            statistic,
            border,
            looks: 2.0,
            ..Params::default()
        })
    })
}

// ---------------------------------------------------------------------------
// Tests

#[test]
fn all_invalid_images_pass_through_unchanged() {
    let nans = [
        f32::NAN,
        -f32::NAN,
        f32::from_bits(0x7f80_0001),
        f32::from_bits(0x7fc1_2345),
        f32::from_bits(0xffff_ffff),
    ];
    let all_nan = Array2::from_shape_fn((23, 17), |(y, x)| nans[(y * 17 + x) % nans.len()]);
    let all_nodata = Array2::from_elem((19, 21), -9999.0f32);
    let mixed = Array2::from_shape_fn((40, 3), |(y, x)| match (y + x) % 4 {
        0 => f32::NAN,
        1 => f32::INFINITY,
        2 => f32::NEG_INFINITY,
        _ => -9999.0,
    });
    for window in [3, 7, 31] {
        for p in every_params(window) {
            let p = Params {
                nodata: Some(-9999.0),
                ..p
            };
            for (name, img) in [
                ("all NaN", &all_nan),
                ("all nodata", &all_nodata),
                ("NaN/inf/nodata", &mixed),
            ] {
                let what = format!("{name}, {p:?}");
                assert_same_bits(&run(img, &p), img, &what);
                assert_same_bits(&run_in_place(img, &p), img, &what);
            }
        }
    }
    // And through the C API.
    let p = EnhLeeParams::from(Params {
        nodata: Some(-9999.0),
        ..Params::default()
    });
    let mut out = vec![0.0f32; all_nodata.len()];
    let (h, w) = all_nodata.dim();
    // SAFETY: contiguous h x w buffers.
    let status = unsafe {
        enh_lee_filter(
            &p,
            &image(all_nodata.as_ptr(), w, h),
            &image(out.as_mut_ptr(), w, h),
            ptr::null_mut(),
            0,
        )
    };
    assert_eq!(status, ENH_LEE_OK);
    assert!(out.iter().all(|v| *v == -9999.0));
}

#[test]
fn one_pixel_one_row_one_column() {
    for (h, w) in [
        (1, 1),
        (1, 2),
        (2, 1),
        (1, 3),
        (3, 1),
        (1, 7),
        (7, 1),
        (1, 50),
        (50, 1),
        (2, 9),
        (9, 2),
    ] {
        let img = speckle(h as u64 * 100 + w as u64, h, w, 10.0);
        for window in [3, 7, 15] {
            for p in every_params(window) {
                let what = format!("{h}x{w}, {p:?}");
                // SPEC: at most twice the larger side plus one, or 7.
                if window > (2 * h.max(w) + 1).max(7) {
                    let mut out = Array2::zeros(img.dim());
                    let refused = filter(img.view(), out.view_mut(), &p, None);
                    assert_eq!(refused, Err(Error::WindowTooLarge), "{what}");
                    continue;
                }
                let out = run(&img, &p);
                Reference::new(&img, &p).check_all(&out, &what);
                assert_same_bits(&run_in_place(&img, &p), &out, &format!("in place, {what}"));
            }
        }
    }
}

#[test]
fn hundred_thousand_by_two_and_two_by_hundred_thousand() {
    for (h, w) in [(2, 100_000), (100_000, 2), (1, 100_000), (100_000, 1)] {
        let img = speckle(7 + h as u64, h, w, 50.0);
        for (window, statistic, border) in [
            (7, Statistic::Window, Border::Reflect),
            (5, Statistic::Residual, Border::Mirror),
            (9, Statistic::Window, Border::Shrink),
        ] {
            let p = Params {
                window,
                statistic,
                border,
                looks: 3.0,
                ..Params::default()
            };
            let what = format!("{h}x{w}, {p:?}");
            let out = run(&img, &p);
            let mut reference = Reference::new(&img, &p);
            let n = h * w;
            let mut rng = Rng(n as u64);
            let samples = (0..3 * window)
                .chain(n - 3 * window..n)
                .chain((0..200).map(|_| (rng.next() % n as u64) as usize));
            for i in samples {
                reference.check(&out, i / w, i % w, &what);
            }
            let one = run(&img, &Params { threads: 1, ..p });
            assert_same_bits(&one, &out, &format!("one thread vs all, {what}"));
        }
    }
}

#[test]
fn values_up_to_f32_max_give_finite_correct_results() {
    // Squares overflow f32 (3.4e38^2) but not f64.
    let bright = speckle(3, 40, 37, 1e38);
    assert!(
        bright.iter().any(|v| *v == f32::MAX),
        "the image reaches f32::MAX"
    );
    let flat = Array2::from_elem((9, 11), f32::MAX);
    let ramp = Array2::from_shape_fn((20, 20), |(y, x)| f32::MAX / (1.0 + (y * 20 + x) as f32));
    for window in [3, 7] {
        for p in every_params(window) {
            for (name, img) in [
                ("speckle 1e38", &bright),
                ("flat MAX", &flat),
                ("ramp to MAX", &ramp),
            ] {
                let what = format!("{name}, {p:?}");
                let out = run(img, &p);
                assert!(
                    out.iter().all(|v| v.is_finite()),
                    "{what}: non-finite output"
                );
                Reference::new(img, &p).check_all(&out, &what);
            }
            assert!(
                run(&flat, &p).iter().all(|v| *v == f32::MAX),
                "flat f32::MAX stays f32::MAX"
            );
        }
    }
}

#[test]
fn negative_values_and_non_positive_means_pass_through() {
    // Local mean <= 0: the output is the input pixel (SPEC "Output" 3).
    let negative = speckle(5, 30, 30, 1.0).mapv(|v| -v);
    let zeros = Array2::from_elem((12, 9), 0.0f32);
    let signed_zeros =
        Array2::from_shape_fn((12, 9), |(y, x)| if (x + y) % 2 == 0 { 0.0 } else { -0.0 });
    for p in every_params(5).chain(every_params(9)) {
        for (name, img) in [
            ("negative", &negative),
            ("zeros", &zeros),
            ("+-0", &signed_zeros),
        ] {
            assert_same_bits(&run(img, &p), img, &format!("{name}, {p:?}"));
        }
    }
    // Both signs: fields of negative and positive speckle, and a strip where
    // the local mean changes sign.
    let mixed = Array2::from_shape_fn((40, 40), |(y, x)| {
        let s = speckle(9, 40, 40, 1.0)[[y, x]];
        if x < 18 {
            -s
        } else if x < 22 {
            s - 1.0
        } else {
            s
        }
    });
    for p in every_params(5) {
        let what = format!("mixed signs, {p:?}");
        let out = run(&mixed, &p);
        let mut reference = Reference::new(&mixed, &p);
        reference.check_all(&out, &what);
        for y in 0..40 {
            for x in 0..40 {
                let m = reference.at(y, x).1;
                if m.is_nan() || m <= 0.0 {
                    assert_eq!(
                        out[[y, x]].to_bits(),
                        mixed[[y, x]].to_bits(),
                        "{what}: m <= 0 at ({y}, {x})"
                    );
                }
            }
        }
    }
}

#[test]
fn denormals_keep_their_relative_accuracy() {
    // f32 denormals are normal f64 numbers: the result should be as
    // accurate, relative to the values, as for normal ones (the absolute
    // floor of SPEC's tolerance, 1e-35, would accept anything here).
    let tiny = speckle(11, 30, 25, 1e-40);
    assert!(tiny.iter().all(|v| v.is_subnormal() || *v == 0.0));
    let mixed = Array2::from_shape_fn((30, 25), |(y, x)| {
        if (x + 2 * y) % 5 == 0 {
            0.0
        } else {
            tiny[[y, x]]
        }
    });
    for p in every_params(3).chain(every_params(7)) {
        for (name, img) in [("denormal speckle", &tiny), ("denormals and zeros", &mixed)] {
            let what = format!("{name}, {p:?}");
            let out = run(img, &p);
            let mut reference = Reference::new(img, &p);
            for ((y, x), got) in out.indexed_iter() {
                let (want, m) = reference.at(y, x);
                let tol = (1e-5 * want.abs().max(m.abs())).max(f64::from(f32::from_bits(1)));
                assert!(
                    got.is_finite() && (f64::from(*got) - want).abs() <= tol,
                    "{what}: ({y}, {x}) is {got:e}, reference {want:e}"
                );
            }
        }
    }
}

#[test]
fn infinities_are_untouched_and_ignored() {
    let mut img = speckle(13, 30, 30, 5.0);
    for (i, (y, x)) in [
        (0, 0),
        (0, 29),
        (15, 15),
        (15, 16),
        (29, 0),
        (29, 29),
        (7, 3),
        (3, 7),
    ]
    .into_iter()
    .enumerate()
    {
        img[[y, x]] = if i % 2 == 0 {
            f32::INFINITY
        } else {
            f32::NEG_INFINITY
        };
    }
    for p in every_params(5).chain(every_params(11)) {
        let what = format!("infinities, {p:?}");
        let out = run(&img, &p);
        Reference::new(&img, &p).check_all(&out, &what);
        assert_same_bits(&run_in_place(&img, &p), &out, &what);
    }
}

/// Dark speckle (~1) with a bright block (1e7) at one end of the long side.
fn bright_block(vertical: bool, long: usize, short: usize, block: usize) -> Array2<f32> {
    let (h, w) = if vertical {
        (long, short)
    } else {
        (short, long)
    };
    let mut img = speckle(17, h, w, 1.0);
    let mut rng = Rng(99);
    for y in 0..h {
        for x in 0..w {
            let along = if vertical { y } else { x };
            if along < block {
                img[[y, x]] = (1e7 * rng.speckle(2)) as f32;
            }
        }
    }
    img
}

#[test]
fn a_bright_target_does_not_perturb_distant_dark_pixels() {
    // SPEC "Accuracy": float64 running sums down a whole column or along a
    // whole row carry the target's rounding error (1e7^2 = 1e14, times the
    // window) hundreds of pixels on; block-wise sums do not.
    for vertical in [true, false] {
        let img = bright_block(vertical, 700, 24, 40);
        for (window, statistic) in [
            (7, Statistic::Window),
            (7, Statistic::Residual),
            (31, Statistic::Window),
            (15, Statistic::Residual),
        ] {
            for border in [Border::Reflect, Border::Shrink] {
                let p = Params {
                    window,
                    statistic,
                    border,
                    looks: 1.0,
                    ..Params::default()
                };
                let what = format!("bright block, vertical {vertical}, {p:?}");
                let out = run(&img, &p);
                let mut reference = Reference::new(&img, &p);
                // Dark pixels 200..700 pixels from the block, near it, and
                // the block itself.
                for along in (240..700)
                    .step_by(23)
                    .chain([40, 41, 60, 100, 150])
                    .chain([0, 20, 39])
                {
                    for across in [0, 5, 11, 23] {
                        let (y, x) = if vertical {
                            (along, across)
                        } else {
                            (across, along)
                        };
                        reference.check(&out, y, x, &what);
                    }
                }
            }
        }
    }
}

#[test]
fn regions_of_giant_rasters() {
    // A strip of a raster too large to exist in memory: only the region and
    // its halo are passed. The header allows any raster size; the result
    // must be right, or a clean error, never ENH_LEE_ERROR_INTERNAL.
    let sides = [
        1usize << 40,
        1 << 61,
        1 << 62,
        isize::MAX as usize,
        isize::MAX as usize + 1,
        usize::MAX,
    ];
    let (w, h) = (6usize, 5usize);
    let mut failures = Vec::new();
    for &side in &sides {
        for vertical in [true, false] {
            let len = if vertical { h } else { w };
            for at in [0, 1, side / 2, side - len - 1, side - len] {
                let p = EnhLeeParams::from(Params {
                    window: 5,
                    border: Border::Mirror, // reflection arithmetic on the side
                    ..Params::default()
                });
                let halo = 2usize;
                // Raster: `side` along one axis, 12 along the other.
                let (rw, rh, x_off, y_off) = if vertical {
                    (12, side, 3, at)
                } else {
                    (side, 12, at, 3)
                };
                let sx = x_off.saturating_sub(halo);
                let sy = y_off.saturating_sub(halo);
                let sw = (x_off + w).saturating_add(halo).min(rw) - sx;
                let sh = (y_off + h).saturating_add(halo).min(rh) - sy;
                let src = speckle(side as u64 ^ at as u64, sh, sw, 4.0);
                let mut dst = Array2::from_elem((h, w), f32::NAN);
                // The plan of the raster (it needs no pass: looks given).
                let mut plan: *mut EnhLeePlan = ptr::null_mut();
                // SAFETY: pointers to locals.
                let mut status = unsafe { enh_lee_plan_new(&p, rw, rh, 1, 0, &mut plan) };
                if status == ENH_LEE_OK {
                    // SAFETY: src holds the halo-grown region, dst the
                    // region; the plan is live.
                    status = unsafe {
                        enh_lee_plan_filter_region(
                            plan,
                            &image(src.as_ptr(), sw, sh),
                            EnhLeeRegion {
                                x_off,
                                y_off,
                                width: w,
                                height: h,
                            },
                            &image(dst.as_mut_ptr(), w, h),
                            ptr::null_mut(),
                            0,
                        )
                    };
                    // SAFETY: made above, freed once.
                    unsafe { enh_lee_plan_free(plan) };
                }
                let case = format!(
                    "raster {rw}x{rh}, region {w}x{h} at ({x_off}, {y_off}): status {status}"
                );
                match status {
                    ENH_LEE_OK => {
                        // The output depends only on the source window: the
                        // reference on it alone (its inner edges are never
                        // reached; its outer ones are the raster's).
                        let params = Params {
                            window: 5,
                            border: Border::Mirror,
                            ..Params::default()
                        };
                        let mut reference = Reference::new(&src, &params);
                        let out = Array2::from_shape_fn(src.dim(), |(y, x)| {
                            let (ry, rx) = (y + sy, x + sx);
                            if (y_off..y_off + h).contains(&ry) && (x_off..x_off + w).contains(&rx)
                            {
                                dst[[ry - y_off, rx - x_off]]
                            } else {
                                src[[y, x]]
                            }
                        });
                        let wrong = (0..h)
                            .flat_map(|y| (0..w).map(move |x| (y, x)))
                            .filter_map(|(y, x)| {
                                reference
                                    .try_check(&out, y + y_off - sy, x + x_off - sx)
                                    .err()
                            })
                            .collect::<Vec<_>>();
                        if let Some(first) = wrong.first() {
                            failures.push(format!(
                                "{case}, {} wrong pixels, e.g. {first}",
                                wrong.len()
                            ));
                        }
                    }
                    ENH_LEE_ERROR_SIZE_OVERFLOW => {}
                    _ => failures.push(case),
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} region calls on giant rasters failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
