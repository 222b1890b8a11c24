//! Quegan's multi-temporal filter (`temporal=quegan`): a stack of dates
//! through a plan, in strips, against the formula evaluated in float64 from
//! the library's own single-date outputs (`docs/filters.md`, "Time
//! series"); strips against the whole stack; and what it refuses.

mod common;

use common::Rng;
use enh_lee::{
    filter, source_region, Compat, Error, Filter, Params, Plan, Region, Signal, Temporal,
};
use ndarray::{s, Array2, Array3, Axis};

const NODATA: f32 = -1.0;

/// `dates` dates of one scene: the same fields under independent speckle,
/// a nodata spot moving from date to date, a NaN, and a zero.
fn stack(dates: usize, height: usize, width: usize, amplitude: bool) -> Array3<f32> {
    let mut rng = Rng(42);
    Array3::from_shape_fn((dates, height, width), |(t, y, x)| {
        let field = 2.0 + ((x / 11 + 2 * (y / 13)) % 4) as f64 + 0.3 * t as f64;
        let v = field * rng.speckle(3);
        match (y, x) {
            (y, x) if y / 4 == t && x % 17 == 3 => NODATA,
            (9, 9) if t == 1 => f32::NAN,
            (20, 20) => 0.0,
            _ if amplitude => v.sqrt() as f32,
            _ => v as f32,
        }
    })
}

/// The formula in float64, from `filtered` (`F`, the library's single-date
/// outputs) and the input (`I`, squared for `square`).
fn reference(input: &Array3<f32>, filtered: &Array3<f32>, square: bool) -> Array3<f64> {
    let (dates, height, width) = input.dim();
    let valid = |v: f32| v.is_finite() && v != NODATA;
    let mut out = Array3::<f64>::zeros(input.dim());
    for y in 0..height {
        for x in 0..width {
            let (mut sum, mut m) = (0.0f64, 0u32);
            for i in 0..dates {
                let (a, f) = (input[[i, y, x]], filtered[[i, y, x]]);
                let v = if square {
                    f64::from(a * a)
                } else {
                    f64::from(a)
                };
                if valid(a) && valid(f) && f != 0.0 {
                    sum += v / f64::from(f);
                    m += 1;
                }
            }
            for k in 0..dates {
                let a = input[[k, y, x]];
                let f = f64::from(filtered[[k, y, x]]);
                let j = if m > 0 { f * sum / f64::from(m) } else { f };
                out[[k, y, x]] = if !valid(a) {
                    f64::from(a)
                } else if square {
                    j.sqrt()
                } else {
                    j
                };
            }
        }
    }
    out
}

/// Each date filtered alone by the library (squared to intensity for
/// `square`).
fn single_dates(input: &Array3<f32>, params: &Params, square: bool) -> Array3<f32> {
    let single = Params {
        temporal: Temporal::None,
        signal: if square {
            Signal::Intensity
        } else {
            params.signal
        },
        ..*params
    };
    let mut out = Array3::<f32>::zeros(input.dim());
    for (date, mut dst) in input.outer_iter().zip(out.outer_iter_mut()) {
        let date = if square {
            date.mapv(|a| a * a)
        } else {
            date.to_owned()
        };
        filter(date.view(), dst.view_mut(), &single, None).unwrap();
    }
    out
}

/// The stack through a plan: passes over row strips, then filtered in
/// strips of `rows`.
fn through_plan(input: &Array3<f32>, params: &Params, rows: usize) -> Array3<f32> {
    let (dates, height, width) = input.dim();
    let mut plan = Plan::new(params, width, height, dates, false).unwrap();
    while plan.tally_len() > 0 {
        let mut tally = vec![0u64; plan.tally_len()];
        for y in (0..height).step_by(16).rev() {
            let piece = input.slice(s![.., y..(y + 16).min(height), ..]);
            plan.count(piece, (0, y), &mut tally).unwrap();
        }
        plan.step(&tally).unwrap();
    }
    let mut out = Array3::<f32>::zeros(input.dim());
    for y in (0..height).step_by(rows) {
        let region = Region {
            x_off: 0,
            y_off: y,
            width,
            height: rows.min(height - y),
        };
        let src = source_region(width, height, region, &plan.resolved(0).unwrap()).unwrap();
        let piece = input.slice(s![.., src.y_off..src.y_off + src.height, ..]);
        let dst = out.slice_mut(s![.., y..y + region.height, ..]);
        plan.filter_region(piece, dst, region, None).unwrap();
    }
    out
}

fn quegan(filter: Filter) -> Params {
    Params {
        filter,
        window: 5,
        looks: 3.0,
        nodata: Some(NODATA),
        temporal: Temporal::Quegan,
        threads: 2,
        ..Params::default()
    }
}

fn assert_close(got: &Array3<f32>, want: &Array3<f64>, what: &str) {
    for ((idx, &g), &w) in got.indexed_iter().zip(want) {
        let ok = if w.is_nan() {
            g.is_nan()
        } else {
            (f64::from(g) - w).abs() <= 1e-5 * w.abs().max(1e-30)
        };
        assert!(ok, "{what} at {idx:?}: {g} against {w}");
    }
}

#[test]
fn quegan_is_the_formula_over_the_librarys_single_dates() {
    let cases = [
        quegan(Filter::Lee),
        quegan(Filter::Boxcar),
        Params {
            looks: f64::NAN,
            ..quegan(Filter::EnhancedLee)
        },
        Params {
            window: 7,
            ..quegan(Filter::LeeSigma)
        },
        Params {
            signal: Signal::Amplitude,
            ..quegan(Filter::Lee)
        },
        Params {
            signal: Signal::Amplitude,
            compat: Compat::Snap,
            ..quegan(Filter::Lee)
        },
    ];
    for params in cases {
        let amplitude = params.signal == Signal::Amplitude;
        let square = amplitude && params.compat != Compat::Snap;
        let input = stack(4, 48, 40, amplitude);
        let got = through_plan(&input, &params, 13);
        // Whole-raster values per date: the estimated looks and the
        // threshold of each date alone (squared where the dates are).
        let mut single = params;
        let mut filtered = Array3::<f32>::zeros(input.dim());
        for (k, mut dst) in filtered.outer_iter_mut().enumerate() {
            let date = input.index_axis(Axis(0), k);
            let date = if square {
                date.mapv(|a| a * a)
            } else {
                date.to_owned()
            };
            let one = Array3::from_shape_vec((1, 48, 40), date.iter().copied().collect()).unwrap();
            single.temporal = Temporal::None;
            single.signal = if square {
                Signal::Intensity
            } else {
                params.signal
            };
            let alone = single_dates(&one, &single, false);
            dst.assign(&alone.index_axis(Axis(0), 0));
        }
        let want = reference(&input, &filtered, square);
        let what = format!(
            "{} {:?} {:?}",
            params.filter.name(),
            params.signal,
            params.compat
        );
        assert_close(&got, &want, &what);
        // Strips and the whole stack give the same bits.
        let whole = through_plan(&input, &params, 48);
        assert!(
            got.iter()
                .zip(&whole)
                .all(|(a, b)| a.to_bits() == b.to_bits()),
            "{what}: strips differ from the whole stack"
        );
    }
}

#[test]
fn quegan_refuses_what_it_cannot_do() {
    let params = quegan(Filter::Lee);
    assert_eq!(Plan::new(&params, 8, 8, 1, false), Err(Error::PlaneCount));
    let image = Array2::<f32>::ones((8, 8));
    let mut out = Array2::<f32>::zeros((8, 8));
    assert_eq!(
        filter(image.view(), out.view_mut(), &params, None),
        Err(Error::PlaneCount)
    );
    let plan = Plan::new(&params, 8, 8, 2, false).unwrap();
    let mut stack = Array3::<f32>::ones((2, 8, 8));
    assert_eq!(
        plan.filter_in_place(stack.view_mut(), None),
        Err(Error::InPlaceUnsupported)
    );
    let mut p = Params::default();
    assert_eq!(p.set("temporal", "monthly"), Err(Error::InvalidTemporal));
    p.set("temporal", "QUEGAN").unwrap();
    assert_eq!(p.temporal, Temporal::Quegan);
}
