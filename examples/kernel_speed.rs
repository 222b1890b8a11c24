//! A benchmark of the whole kernel against a copy, in one process
//! (BENCHMARKS.md, "The kernel against a copy, stage by stage"): a
//! speckled scene of `SIZE x SIZE` float32 pixels (fields of 5 levels,
//! bright point targets, 4-look gamma speckle), filtered out of place on 1
//! thread and on every thread of the pool, next to `copy_from_slice` split
//! over the same threads. Prints seconds (best of
//! `REPEAT`), nanoseconds per pixel per core and the ratio to the copy.
//!
//! ```text
//! cargo run --release --example kernel_speed [-- SIZE [REPEAT [FILTERS]]]
//! ```
//!
//! `FILTERS` is a comma-separated list of `name:window`, names as the
//! library's parameter `filter` reads them (default
//! `enhanced_lee:3,enhanced_lee:7,enhanced_lee:15,enhanced_lee:31,lee:7,kuan:7,gamma_map:7`).

use std::time::Instant;

use enh_lee::{filter, Params};
use ndarray::Array2;
use rayon::prelude::*;

#[path = "common/speckle.rs"]
mod speckle;

use speckle::Rng;

/// Fields of five levels on a 160-pixel grid, a point target 1000x brighter
/// every 200 pixels, times 4-look gamma speckle.
fn scene(size: usize) -> Array2<f32> {
    let mut rng = Rng(1234);
    let levels = [0.02, 0.1, 0.3, 0.7, 1.5];
    Array2::from_shape_fn((size, size), |(y, x)| {
        let field = levels[(x / 160 * 7 + y / 160 * 3) % 5];
        let target = if x % 200 == 100 && y % 200 == 100 {
            1000.0
        } else {
            0.0
        };
        ((field + target) * rng.speckle(4)) as f32
    })
}

/// Best wall time of `repeat` runs of `f`.
fn best(repeat: usize, mut f: impl FnMut()) -> f64 {
    (0..repeat)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed().as_secs_f64()
        })
        .fold(f64::MAX, f64::min)
}

/// A copy split into row bands over `threads` threads.
fn copy(src: &[f32], dst: &mut [f32], threads: usize) {
    let chunk = src.len().div_ceil(threads);
    dst.par_chunks_mut(chunk)
        .zip(src.par_chunks(chunk))
        .for_each(|(d, s)| d.copy_from_slice(s));
}

fn main() {
    let mut args = std::env::args().skip(1);
    let size: usize = args.next().map_or(10_000, |a| a.parse().expect("a size"));
    let repeat: usize = args.next().map_or(3, |a| a.parse().expect("a count"));
    let filters = args.next().unwrap_or_else(|| {
        "enhanced_lee:3,enhanced_lee:7,enhanced_lee:15,enhanced_lee:31,lee:7,kuan:7,gamma_map:7"
            .to_owned()
    });
    let image = scene(size);
    let src = image.as_slice().expect("contiguous");
    let mut out = Array2::<f32>::zeros(image.dim());
    let pixels = (size * size) as f64;
    let cores = rayon::current_num_threads();
    println!("{size} x {size} float32, best of {repeat}, {cores} threads in the pool");
    println!("| what | threads | s | ns per pixel per core | / copy |");
    println!("|---|---|---|---|---|");
    for threads in [1, cores] {
        let copy_s = best(repeat, || {
            copy(src, out.as_slice_mut().expect("contiguous"), threads)
        });
        let row = |what: &str, s: f64| {
            let ns = s * 1e9 * threads as f64 / pixels;
            println!(
                "| {what} | {threads} | {s:.3} | {ns:.2} | {:.2} |",
                s / copy_s
            );
        };
        row("copy", copy_s);
        for spec in filters.split(',') {
            // Names and values as the library's vocabulary reads them.
            let (name, window) = spec.split_once(':').expect("name:window");
            let mut params = Params {
                looks: 4.0,
                threads,
                ..Params::default()
            };
            params.set("filter", name).expect("a filter name");
            params.set("window", window).expect("a window");
            let s = best(repeat, || {
                filter(image.view(), out.view_mut(), &params, None).expect("valid parameters")
            });
            row(spec, s);
        }
    }
}
