//! The whole-raster plan and images with planes: a raster of several
//! planes counted in pieces (any order) and filtered in tiles gives, plane
//! by plane, the bits of filtering each whole plane alone; the report,
//! per-plane values and saved plans likewise.

mod common;

use common::Rng;
use enh_lee::{filter, quality_report, source_region, Error, Filter, Params, Plan, Region};
use ndarray::{s, Array2, Array3, Axis};

/// Three planes of gamma speckle on different means, with a nodata spot in
/// the last one and bright points in the second (Lee Sigma's targets).
fn planes(height: usize, width: usize, seed: u64) -> Array3<f32> {
    let mut rng = Rng(seed);
    Array3::from_shape_fn((3, height, width), |(p, y, x)| {
        let mean = [1.0, 4.0, 20.0][p] * (1.0 + ((x / 9 + y / 7) % 3) as f64);
        let value = mean * rng.speckle(4);
        match (p, y % 23, x % 31) {
            (1, 5, 6) => 500.0,
            (2, 10..=12, 3..=5) => -9999.0,
            _ => value as f32,
        }
    })
}

/// Every filter, with its whole-raster values left to the plan where it
/// has them (looks auto; Lee Sigma's threshold unset).
fn every_filter() -> Vec<Params> {
    Filter::ALL
        .iter()
        .map(|&filter| {
            let mut p = Params {
                filter,
                threads: 2,
                ..Params::default()
            };
            for (name, value) in [("window", "5"), ("looks", "auto")] {
                let mut q = p;
                if q.set(name, value).is_ok() && q.validate().is_ok() {
                    p = q;
                }
            }
            if filter == Filter::Idan {
                p.window = 7;
            }
            p
        })
        .collect()
}

/// Runs the plan's passes over `image` cut in tiles of `side` (a multiple
/// of 16) counted in a scrambled order into tallies of their own, summed.
fn run_passes(plan: &mut Plan, image: &Array3<f32>, side: usize) {
    let (_, height, width) = image.dim();
    let mut tiles = Vec::new();
    for y in (0..height).step_by(side) {
        for x in (0..width).step_by(side) {
            tiles.push((x, y));
        }
    }
    tiles.reverse();
    let third = tiles.len() / 3;
    tiles.rotate_left(third);
    let mut passes = 0;
    let most = plan.passes_left();
    while plan.tally_len() > 0 {
        passes += 1;
        let mut sum = vec![0u64; plan.tally_len()];
        for &(x, y) in &tiles {
            let piece = image.slice(s![.., y..(y + side).min(height), x..(x + side).min(width)]);
            let mut tally = vec![0u64; plan.tally_len()];
            plan.count(piece, (x, y), &mut tally).unwrap();
            for (s, t) in sum.iter_mut().zip(tally) {
                *s += t;
            }
        }
        plan.step(&sum).unwrap();
        assert!(plan.passes_left() <= most - passes);
    }
    assert_eq!(plan.passes_left(), 0);
    assert!(
        passes <= most && most <= 3,
        "{passes} passes, {most} announced"
    );
}

/// Filters every plane in row strips of `rows` through the plan (strips
/// shorter than 32 rows per thread: the planes run side by side).
fn filter_strips(plan: &Plan, image: &Array3<f32>, rows: usize) -> Array3<f32> {
    let (planes, height, width) = image.dim();
    let mut out = Array3::<f32>::zeros((planes, height, width));
    for y in (0..height).step_by(rows) {
        let region = Region {
            x_off: 0,
            y_off: y,
            width,
            height: rows.min(height - y),
        };
        let params = plan.resolved(0).unwrap();
        let src = source_region(width, height, region, &params).unwrap();
        let piece = image.slice(s![
            ..,
            src.y_off..src.y_off + src.height,
            src.x_off..src.x_off + src.width
        ]);
        let dst = out.slice_mut(s![.., y..y + region.height, ..]);
        plan.filter_region(piece, dst, region, None).unwrap();
    }
    out
}

/// Each plane filtered alone, whole, with `params` (its own nodata).
fn per_plane(image: &Array3<f32>, params: &[Params]) -> Array3<f32> {
    let mut out = Array3::<f32>::zeros(image.dim());
    for ((plane, mut dst), p) in image.outer_iter().zip(out.outer_iter_mut()).zip(params) {
        filter(plane, dst.view_mut(), p, None).unwrap();
    }
    out
}

fn same_bits(a: &Array3<f32>, b: &Array3<f32>, what: &str) {
    let differ = a
        .iter()
        .zip(b)
        .filter(|(x, y)| x.to_bits() != y.to_bits())
        .count();
    assert_eq!(differ, 0, "{what}: {differ} pixels differ");
}

#[test]
fn planes_in_pieces_are_each_plane_whole() {
    let image = planes(75, 90, 7);
    for params in every_filter() {
        let mut plan = Plan::new(&params, 90, 75, 3, false).unwrap();
        plan.set_plane(2, "nodata", "-9999").unwrap();
        let mut own = [params; 3];
        own[2].nodata = Some(-9999.0);
        run_passes(&mut plan, &image, 32);
        let strips = filter_strips(&plan, &image, 20);
        let expected = per_plane(&image, &own);
        same_bits(&strips, &expected, params.filter.name());
        // The whole raster in memory: one piece.
        let mut whole = Plan::new(&params, 90, 75, 3, false).unwrap();
        whole.set_plane(2, "nodata", "-9999").unwrap();
        whole.resolve(image.view()).unwrap();
        // (Plans compare as saved text: `looks` auto is NaN.)
        assert_eq!(whole.save(), plan.save(), "{}", params.filter.name());
        let mut in_place = image.clone();
        whole.filter_in_place(in_place.view_mut(), None).unwrap();
        same_bits(&in_place, &expected, "in place");
    }
}

#[test]
fn the_report_in_pieces_is_each_planes_report() {
    let image = planes(64, 80, 11);
    let params = Params {
        looks: f64::NAN,
        ..Params::default()
    };
    let mut plan = Plan::new(&params, 80, 64, 3, true).unwrap();
    run_passes(&mut plan, &image, 16);
    let filtered = filter_strips(&plan, &image, 48);
    let mut tally = vec![0u64; plan.report_tally_len()];
    for y in (0..64).step_by(32) {
        let rows = s![.., y..y + 32, ..];
        plan.count_report(image.slice(rows), filtered.slice(rows), (0, y), &mut tally)
            .unwrap();
    }
    plan.finish_report(&tally).unwrap();
    for p in 0..3 {
        let expected = quality_report(
            image.index_axis(Axis(0), p),
            filtered.index_axis(Axis(0), p),
            &params,
        )
        .unwrap();
        assert_eq!(plan.report(p).unwrap(), expected, "plane {p}");
    }
}

#[test]
fn a_saved_plan_goes_on_where_it_stood() {
    let image = planes(48, 48, 3);
    let params = Params {
        filter: Filter::LeeSigma,
        looks: 2.0,
        ..Params::default()
    };
    let mut plan = Plan::new(&params, 48, 48, 3, true).unwrap();
    let mut tally = vec![0u64; plan.tally_len()];
    plan.count(image.view(), (0, 0), &mut tally).unwrap();
    plan.step(&tally).unwrap();
    let mut loaded = Plan::load(&plan.save()).unwrap();
    assert_eq!(loaded, plan);
    plan.resolve(image.view()).unwrap();
    loaded.resolve(image.view()).unwrap();
    assert_eq!(loaded, plan);
    assert_eq!(Plan::load(&plan.save()).unwrap(), plan);
    assert_eq!(Plan::load("enh-lee plan 0\n"), Err(Error::InvalidPlan));
}

#[test]
fn plans_refuse_calls_out_of_order() {
    let image = planes(32, 32, 5);
    let params = Params {
        looks: f64::NAN,
        ..Params::default()
    };
    let mut plan = Plan::new(&params, 32, 32, 3, false).unwrap();
    let mut out = Array3::<f32>::zeros((3, 32, 32));
    let whole = Region::whole(32, 32);
    assert_eq!(
        plan.filter_region(image.view(), out.view_mut(), whole, None),
        Err(Error::PlanState)
    );
    assert_eq!(plan.resolved(0), Err(Error::PlanState));
    let mut short = vec![0u64; plan.tally_len() - 1];
    assert_eq!(
        plan.count(image.view(), (0, 0), &mut short),
        Err(Error::InvalidTally)
    );
    let two = image.slice(s![..2, .., ..]);
    let mut tally = vec![0u64; plan.tally_len()];
    assert_eq!(plan.count(two, (0, 0), &mut tally), Err(Error::PlaneCount));
    assert_eq!(
        plan.count(image.view(), (8, 0), &mut tally),
        Err(Error::InvalidRegion)
    );
    assert_eq!(plan.set_plane(0, "window", "5"), Err(Error::InvalidValue));
    assert_eq!(plan.set_plane(3, "nodata", "0"), Err(Error::PlaneCount));
    plan.count(image.view(), (0, 0), &mut tally).unwrap();
    plan.step(&tally).unwrap();
    assert_eq!(plan.set_plane(0, "nodata", "0"), Err(Error::PlanState));
    plan.resolve(image.view()).unwrap();
    assert_eq!(
        plan.count(image.view(), (0, 0), &mut tally),
        Err(Error::PlanState)
    );
    assert_eq!(plan.finish_report(&tally), Err(Error::PlanState));
    assert_eq!(Plan::new(&params, 32, 32, 0, false), Err(Error::PlaneCount));
    assert!(
        plan.provenance().contains(" (estimated)"),
        "{}",
        plan.provenance()
    );
}

#[test]
fn given_values_need_no_pass() {
    let params = Params {
        looks: 3.0,
        ..Params::default()
    };
    let plan = Plan::new(&params, 100, 50, 2, false).unwrap();
    assert_eq!(plan.tally_len(), 0);
    assert_eq!(plan.alignment(), 1);
    assert_eq!(plan.resolved(1).unwrap(), params);
    assert_eq!(plan.strip_rows(), 50);
    let image = Array2::<f32>::ones((50, 100));
    let stacked = ndarray::stack(Axis(0), &[image.view(), image.view()]).unwrap();
    let mut out = Array3::<f32>::zeros((2, 50, 100));
    plan.filter_region(stacked.view(), out.view_mut(), Region::whole(100, 50), None)
        .unwrap();
    assert!(out.iter().all(|&v| v == 1.0));
}
