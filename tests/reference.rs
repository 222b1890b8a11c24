//! The fast kernel against a slow, obviously correct float64 reference
//! written straight from SPEC.md and docs/filters.md (every window summed
//! on its own): the oracle crate (`oracle/`), which derives its own
//! coefficients (Cu, Cmax, Lee Sigma's table) and shares no code with the
//! library; on random images and random parameters of every filter. And
//! the bit-for-bit rules: in place, tiled regions, strided buffers and
//! thread counts.

mod common;

use common::{oracle_params, Rng};
use enh_lee::{
    filter, filter_in_place, filter_region, Border, Compat, Filter, Params, Region, Signal,
    Statistic,
};
use enh_lee_oracle::family::{expected, Want};
use enh_lee_oracle::lee_sigma;
use enh_lee_oracle::window::Raster;
use ndarray::{s, Array2, ArrayView2};

/// `img` as the oracle's raster (a contiguous copy).
fn raster(img: ArrayView2<f32>) -> (Vec<f32>, usize, usize) {
    let (h, w) = img.dim();
    (img.iter().copied().collect(), w, h)
}

/// The oracle's expected output of every pixel of `img` under `p`.
fn reference(p: &Params, img: ArrayView2<f32>) -> Array2<Want> {
    let (data, width, height) = raster(img);
    let want = expected(
        &oracle_params(p),
        Raster {
            data: &data,
            width,
            height,
        },
    );
    Array2::from_shape_vec((height, width), want).unwrap()
}

/// Lee Sigma's point threshold, by the oracle (sorting the valid pixels).
fn sorted_threshold(p: &Params, img: ArrayView2<f32>) -> f64 {
    let (data, width, height) = raster(img);
    let frame = oracle_params(p).frame();
    lee_sigma::threshold(
        &frame,
        Raster {
            data: &data,
            width,
            height,
        },
    )
}

fn assert_close(p: &Params, img: ArrayView2<f32>, got: ArrayView2<f32>) {
    let want = reference(p, img);
    for ((idx, &g), w) in got.indexed_iter().zip(want.iter()) {
        assert!(
            w.accepts(g),
            "{idx:?}: got {g}, reference {} (or {}) ({p:?})",
            w.value,
            w.alt
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
    let filter = Filter::ALL[rng.below(Filter::ALL.len())];
    let window = 3 + 2 * rng.below(7);
    Params {
        filter,
        // Refined Lee's window is 7x7 only; IDAN takes none (the default).
        window: if matches!(filter, Filter::RefinedLee | Filter::Idan) {
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
    .with_an_size(rng)
}

trait LeeSigmaCase {
    fn with_lee_sigma(self, rng: &mut Rng) -> Self;
}

trait IdanCase {
    fn with_an_size(self, rng: &mut Rng) -> Self;
}

impl IdanCase for Params {
    /// IDAN's `an_size`: small (a ring or two), the default, and larger
    /// than the images (the reach crosses the raster, reflected again and
    /// again).
    fn with_an_size(mut self, rng: &mut Rng) -> Params {
        if self.filter == Filter::Idan {
            let an_size = [1, 2, 3, 5, 12, 50, 80][rng.below(7)];
            self.set("an_size", &an_size.to_string()).unwrap();
        }
        self
    }
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
            sigma: lee_sigma::SIGMAS[rng.below(6)],
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
        // SPEC: a window wider than twice the larger side plus one (and
        // than 7) is refused.
        if p.window > (2 * h.max(w) + 1).max(7) {
            let mut out = Array2::zeros(img.dim());
            let refused = filter(img.view(), out.view_mut(), &p, None);
            assert_eq!(refused, Err(enh_lee::Error::WindowTooLarge), "{p:?}");
            continue;
        }
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
        let want = reference(&p, dark.view());
        // Interior pixels of the dark strip see only dark windows.
        for y in 8..22 {
            for x in 0..w {
                let g = out[[590 + y, x]];
                assert!(
                    want[[y, x]].accepts(g),
                    "({y},{x}): {g} vs {:?}",
                    want[[y, x]]
                );
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
            sigma: lee_sigma::SIGMAS[case % 6],
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
            oracle_params(&p).frame().moments(&v).1
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

/// IDAN (SNAP's region growing, docs/filters.md "IDAN") against the
/// oracle's growth on an unbounded plane: speckled fields with an edge,
/// bright point targets, nodata, zeros (at 4 looks a zero in the second
/// pass is an exact tie, `|(0 - s) / s| = 1 = 2 sigma_v`, which both reject;
/// the oracle's second result takes such near ties the other way), every
/// border, both conventions, both signals, `an_size` from a ring to more
/// than the raster; and a region read with its halo (`an_size`) is the
/// whole image's, bit for bit. The tolerance is SPEC's, with the
/// neighbourhood's mean as `m`.
#[test]
fn idan_matches_the_reference() {
    let mut rng = Rng(0x01DA_4EED);
    for case in 0..16 {
        let looks = [1.0, 4.0, 3.0, 0.7][case / 2 % 4];
        let mut p = Params {
            filter: Filter::Idan,
            looks,
            signal: [Signal::Intensity, Signal::Amplitude][case % 2],
            border: [
                Border::Reflect,
                Border::Mirror,
                Border::Nearest,
                Border::Shrink,
            ][case % 4],
            compat: [Compat::None, Compat::Snap][case / 8],
            nodata: (case % 3 == 0).then_some(-1.0),
            threads: 1 + case % 2,
            ..Params::default()
        };
        let an_size = [3, 8, 50, 120][(case + case / 4) % 4];
        p.set("an_size", &an_size.to_string()).unwrap();
        let (h, w) = (30 + rng.below(20), 40 + rng.below(30));
        let amplitude = p.signal == Signal::Amplitude;
        let img = Array2::from_shape_fn((h, w), |(y, x)| {
            let field = if 2 * x + y > w { 900.0 } else { 30.0 };
            let v = match rng.below(60) {
                0 if p.nodata.is_some() => return -1.0,
                1 => 0.0,
                2 => 1e5 * rng.speckle(4),
                _ => field * rng.speckle(looks.ceil() as u32),
            };
            (if amplitude { v.sqrt() } else { v }) as f32
        });
        let out = run(&p, img.view());
        assert_close(&p, img.view(), out.view());
        let region = Region {
            x_off: 5,
            y_off: 7,
            width: 13,
            height: 11,
        };
        let src = region.with_halo(enh_lee::halo(&p).unwrap(), w, h);
        let view = img.slice(s![
            src.y_off..src.y_off + src.height,
            src.x_off..src.x_off + src.width
        ]);
        let mut part = Array2::zeros((region.height, region.width));
        filter_region(view, part.view_mut(), w, h, region, &p, None).unwrap();
        assert_eq!(part, out.slice(s![7..18, 5..18]), "case {case}");
    }
}
