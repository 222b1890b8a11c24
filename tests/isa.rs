//! Every instruction set the kernel is compiled for (`ENH_LEE_ISA`) gives
//! the same bits: which one runs changes the speed, never the result.
//! One test function, because the variable is process-wide.

mod common;

use common::Rng;
use enh_lee::{filter, filter_in_place, Border, Compat, Filter, Params, Statistic};
use ndarray::Array2;

fn image(rng: &mut Rng, h: usize, w: usize, holes: bool) -> Array2<f32> {
    Array2::from_shape_fn((h, w), |(y, x)| {
        if holes && rng.below(17) == 0 {
            return [f32::NAN, -9999.0][rng.below(2)];
        }
        let bright = if (y * 31 + x * 17) % 97 == 0 {
            1e6
        } else {
            1.0
        };
        (bright * (1.0 + (x / 9) as f64) * rng.speckle(2)) as f32
    })
}

fn run(isa: &str, img: &Array2<f32>, params: &Params, in_place: bool) -> Vec<u32> {
    std::env::set_var("ENH_LEE_ISA", isa);
    let mut out = img.clone();
    if in_place {
        filter_in_place(out.view_mut(), params, None).unwrap();
    } else {
        filter(img.view(), out.view_mut(), params, None).unwrap();
    }
    std::env::remove_var("ENH_LEE_ISA");
    out.iter().map(|v| v.to_bits()).collect()
}

/// The instruction sets this CPU can run, as `ENH_LEE_ISA` names them,
/// detected here with the same feature lists as `src/simd.rs` (the library
/// silently runs a narrower one for a set the CPU lacks, so comparing it
/// would compare the baseline with itself).
fn runnable() -> Vec<&'static str> {
    let mut isas = vec!["baseline"];
    #[cfg(target_arch = "x86_64")]
    {
        let has_avx2 = std::is_x86_feature_detected!("avx2")
            && std::is_x86_feature_detected!("fma")
            && std::is_x86_feature_detected!("bmi1")
            && std::is_x86_feature_detected!("bmi2");
        let has_avx512 = has_avx2
            && std::is_x86_feature_detected!("avx512f")
            && std::is_x86_feature_detected!("avx512vl")
            && std::is_x86_feature_detected!("avx512dq")
            && std::is_x86_feature_detected!("avx512bw");
        if has_avx2 {
            isas.push("avx2");
        }
        if has_avx512 {
            isas.push("avx512");
        }
    }
    isas
}

#[test]
fn every_instruction_set_gives_the_same_bits() {
    let isas = runnable();
    for skipped in ["avx2", "avx512"].iter().filter(|i| !isas.contains(i)) {
        eprintln!("isa: SKIPPED {skipped}: this CPU lacks it");
    }
    assert!(
        isas.len() >= 2,
        "only {isas:?} can run here: nothing to compare the baseline with"
    );
    eprintln!("isa: comparing {isas:?}");
    let filters = Filter::ALL;
    let mut rng = Rng(7);
    let mut case = 0;
    for (h, w, window) in [(61, 83, 3), (40, 129, 7), (97, 33, 11), (9, 300, 31)] {
        for holes in [false, true] {
            let img = image(&mut rng, h, w, holes);
            for statistic in [Statistic::Window, Statistic::Residual] {
                for border in [Border::Reflect, Border::Shrink] {
                    let filter = filters[case % filters.len()];
                    case += 1;
                    let params = Params {
                        filter,
                        // Refined Lee's window is 7x7 only; Lee Sigma's at
                        // least 5, with its window statistic; IDAN takes
                        // none (the default).
                        window: match filter {
                            Filter::RefinedLee | Filter::Idan => 7,
                            Filter::LeeSigma => window.max(5),
                            _ => window,
                        },
                        looks: 2.0,
                        statistic: if filter == Filter::LeeSigma {
                            Statistic::Window
                        } else {
                            statistic
                        },
                        border,
                        // Every filter meets SNAP's statistics too, and
                        // Refined Lee the Earth Engine rule (21 cases
                        // cover each filter with each compat).
                        compat: match case % 3 {
                            0 => Compat::Snap,
                            1 if filter == Filter::RefinedLee => Compat::EarthEngine,
                            _ => Compat::None,
                        },
                        nodata: holes.then_some(-9999.0),
                        threads: 2,
                        ..Params::default()
                    };
                    let want = run("baseline", &img, &params, false);
                    for isa in &isas[1..] {
                        for in_place in [false, true] {
                            let got = run(isa, &img, &params, in_place);
                            assert!(
                                got == want,
                                "{isa} differs from baseline: {filter:?} {h}x{w} w={window} \
                                 {statistic:?} {border:?} {:?} holes={holes} in_place={in_place}",
                                params.compat
                            );
                        }
                    }
                }
            }
        }
    }
}
