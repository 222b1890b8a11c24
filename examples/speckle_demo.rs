//! Makes a synthetic speckled SAR scene (fields, an edge and a bright target
//! under 4-look gamma speckle), filters it, and prints the equivalent number
//! of looks (ENL = mean^2 / variance) of a homogeneous area before and after,
//! and the throughput.
//!
//! ```text
//! cargo run --release --example speckle_demo [-- SIZE [WINDOW [THREADS]]]
//! ```

use std::time::Instant;

use enh_lee::{filter, filter_in_place, Params};
use ndarray::{s, Array2, ArrayView2};

#[path = "common/speckle.rs"]
mod speckle;

use speckle::Rng;

fn scene(size: usize, looks: u32) -> Array2<f32> {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    Array2::from_shape_fn((size, size), |(y, x)| {
        let field = match (2 * x / size, 2 * y / size) {
            (0, 0) => 40.0,
            (1, 0) => 120.0,
            (0, 1) => 80.0,
            _ => 200.0,
        };
        let edge = if x + y / 3 > size { 1.5 } else { 1.0 };
        let (dx, dy) = (x as f64 - 0.75 * size as f64, y as f64 - 0.25 * size as f64);
        let target = if dx * dx + dy * dy < 9.0 { 1e5 } else { 0.0 };
        ((field * edge + target) * rng.speckle(looks)) as f32
    })
}

/// ENL of a homogeneous patch (inside the top-left field).
fn enl(image: ArrayView2<f32>) -> f64 {
    let size = image.dim().0;
    let patch = image.slice(s![size / 16..size / 4, size / 16..size / 4]);
    let n = patch.len() as f64;
    let mean = patch.iter().map(|&v| f64::from(v)).sum::<f64>() / n;
    let var = patch
        .iter()
        .map(|&v| (f64::from(v) - mean).powi(2))
        .sum::<f64>()
        / n;
    mean * mean / var
}

fn main() {
    let mut args = std::env::args()
        .skip(1)
        .map(|a| a.parse::<usize>().expect("a number"));
    let size = args.next().unwrap_or(4000);
    let window = args.next().unwrap_or(7);
    let threads = args.next().unwrap_or(0);
    let looks = 4;
    let params = Params {
        window,
        looks: f64::from(looks),
        threads,
        ..Params::default()
    };

    let image = scene(size, looks);
    let mut out = Array2::<f32>::zeros(image.dim());
    let mpix = (size * size) as f64 / 1e6;
    let mut best = f64::MAX;
    for _ in 0..3 {
        let start = Instant::now();
        filter(image.view(), out.view_mut(), &params, None).expect("valid parameters");
        best = best.min(start.elapsed().as_secs_f64());
    }
    println!(
        "scene {size}x{size}, {looks}-look speckle, window {window}, threads {threads} (0 = all)"
    );
    println!(
        "ENL of a homogeneous area: before {:.2}, after {:.2}",
        enl(image.view()),
        enl(out.view())
    );
    println!("out of place: {:.3} s, {:.0} Mpixel/s", best, mpix / best);

    let mut in_place = image.clone();
    let start = Instant::now();
    filter_in_place(in_place.view_mut(), &params, None).expect("valid parameters");
    let t = start.elapsed().as_secs_f64();
    assert_eq!(in_place, out, "in place equals out of place");
    println!("in place:     {:.3} s, {:.0} Mpixel/s", t, mpix / t);
}
