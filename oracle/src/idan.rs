//! IDAN, the intensity-driven adaptive-neighbourhood filter (Vasile,
//! Trouvé, Ciuc, Bolon & Buzuloiu 2006), single channel, as SNAP's
//! `IDAN.java` computes it: docs/filters.md "IDAN" steps 1-4, with the
//! reading of SNAP's source in docs/median-idan-notes.md.
//!
//! Written from those pages as a plain growth over an unbounded plane (a
//! set of visited positions, no box): the library's claim that nothing
//! beyond Chebyshev distance `an_size` is examined (its halo) is checked
//! here, not assumed. The plane reads the raster through the border rule
//! (`compat=snap`: clipped, so positions outside the raster are invalid);
//! invalid positions are examined like any other but never join.
//!
//! **Decisions near a tie.** Membership is a strict comparison
//! `|(v - s) / s| < t`, evaluated in float64 as SNAP writes it
//! (`t = (2/3) sigma_v` or `2 sigma_v`, `sigma_v = 1 / sqrt(looks)`). Its
//! two sides can be equal in real arithmetic (a zero pixel at 4 looks in
//! the second pass: `|(0 - s) / s| = 1 = 2 / sqrt(4)`; integer images
//! where `v / s = 4/3` at 4 looks), or within rounding of each other, and
//! another float64 evaluation (another summation order of the second
//! seed, another way of writing the test) may then decide the other way,
//! after which the two neighbourhoods differ by a pixel and the outputs by
//! far more than rounding. [`value`] therefore gives two results, like
//! Refined Lee's: the rule's, and the rule's with every decision whose two
//! sides are within [`TIE`] (relative) of each other taken the other way.
//! For positive pixels every float64 evaluation of a decision is within
//! about `n * 1e-16` of the exact one (`n` the pixels summed in the second
//! seed), far inside [`TIE`].

use std::collections::HashSet;

use crate::border::map;
use crate::median;
use crate::speckle::Signal;
use crate::window::{Frame, Raster};

/// SNAP's default `anSize`.
pub const DEFAULT_AN_SIZE: usize = 50;

/// A decision whose two sides, `|(v - s) / s|` and the threshold, are
/// within this fraction of the threshold of each other is near a tie.
pub const TIE: f64 = 1e-9;

/// The 8 neighbours `(dx, dy)` in the order SNAP examines them
/// (`regionGrowing`: columns `x-1, x, x+1, x-1, x+1, x-1, x, x+1`, rows
/// `y-1, y-1, y-1, y, y, y+1, y+1, y+1`).
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

/// IDAN's parameters.
#[derive(Clone, Copy, Debug)]
pub struct Setup {
    /// SNAP's `anSize` (at least 1): a new ring is grown only while the
    /// neighbourhood has fewer pixels.
    pub an_size: usize,
    /// The number of looks `L` (> 0): `sigma_v = 1 / sqrt(L)`.
    pub looks: f64,
    /// Intensity or amplitude (grown on the squares, the result an
    /// amplitude).
    pub signal: Signal,
}

/// The adaptive neighbourhood of one pixel, and its estimate.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// The filtered value (intensity, or amplitude for `signal=amplitude`).
    pub value: f64,
    /// The mean of the neighbourhood in the output's unit (the MMSE mean
    /// that the value moves from): the tolerance's scale.
    pub mean: f64,
    /// The neighbourhood's positions `(row, column)` on the padded plane,
    /// first pass then second (the pixel alone: just the pixel).
    pub members: Vec<(isize, isize)>,
    /// Every position examined (in the neighbourhood or not), the 3x3 seed
    /// aside.
    pub examined: Vec<(isize, isize)>,
    /// The decisions near a tie ([`TIE`]) that were met.
    pub ties: usize,
}

/// The pixel of the padded plane at row `py`, column `px`, in intensity
/// (amplitudes squared); `None` where it is invalid or, under a clipping
/// border, outside the raster.
fn intensity(frame: &Frame, img: Raster, signal: Signal, py: isize, px: isize) -> Option<f64> {
    let border = frame.border();
    let y = map(border, py, img.height)?;
    let x = map(border, px, img.width)?;
    let v = img.at(y, x);
    if !frame.valid(v) {
        return None;
    }
    let v = f64::from(v);
    Some(match signal {
        Signal::Intensity => v,
        Signal::Amplitude => v * v,
    })
}

/// One membership test, `|(v - s) / s| < t` for a valid `v`; where `flip`,
/// a decision near a tie is taken the other way. Near ties are counted.
fn joins(v: Option<f64>, s: f64, t: f64, flip: bool, ties: &mut usize) -> bool {
    let Some(v) = v else {
        return false;
    };
    let d = ((v - s) / s).abs();
    let near = (d - t).abs() <= TIE * t;
    *ties += usize::from(near);
    (d < t) != (flip && near)
}

/// IDAN at the valid pixel `(y, x)`: the rule's outcome, and the rule's
/// with every decision near a tie taken the other way (the same where
/// none is).
pub fn value(frame: &Frame, img: Raster, y: usize, x: usize, s: &Setup) -> [Outcome; 2] {
    [false, true].map(|flip| decided(frame, img, y, x, s, flip))
}

/// [`value`]'s rule, with the decisions near a tie taken the other way
/// where `flip`.
fn decided(frame: &Frame, img: Raster, y: usize, x: usize, s: &Setup, flip: bool) -> Outcome {
    assert!(s.an_size >= 1 && s.looks > 0.0, "{s:?}");
    let at = |py: isize, px: isize| intensity(frame, img, s.signal, py, px);
    let centre = (y as isize, x as isize);
    let xc = at(centre.0, centre.1).expect("IDAN's pixel is valid");
    let sigma_v = 1.0 / s.looks.sqrt();
    let mut ties = 0;

    // 1. The seed: the median of the valid pixels of the 3x3 neighbourhood
    //    (through the border rule, as every window), SNAP's upper middle
    //    value for an even count under compat=snap, numpy's otherwise.
    let nine: Vec<f64> = frame
        .pixels(img, y, x, 3)
        .iter()
        .map(|p| match s.signal {
            Signal::Intensity => p.value,
            Signal::Amplitude => p.value * p.value,
        })
        .collect();
    let seed = median::value(&nine, frame.compat);
    let mut members: Vec<(isize, isize)> = Vec::new();
    let mut examined: Vec<(isize, isize)> = Vec::new();
    if seed != 0.0 && !seed.is_nan() {
        // 2. Growth, breadth first, with threshold (2/3) sigma_v.
        let t1 = (2.0 / 3.0) * sigma_v;
        let mut background: Vec<(isize, isize)> = Vec::new();
        let mut visited: HashSet<(isize, isize)> = HashSet::new();
        visited.insert(centre);
        examined.push(centre);
        if joins(Some(xc), seed, t1, flip, &mut ties) {
            members.push(centre);
        } else {
            background.push(centre);
        }
        // The centre is the first front whatever its value.
        let mut front = vec![centre];
        while members.len() < s.an_size && !front.is_empty() {
            let mut next = Vec::new();
            for &(py, px) in &front {
                for (dx, dy) in NEIGHBOURS {
                    let q = (py + dy, px + dx);
                    if !visited.insert(q) {
                        continue;
                    }
                    examined.push(q);
                    if joins(at(q.0, q.1), seed, t1, flip, &mut ties) {
                        members.push(q);
                        next.push(q);
                    } else {
                        background.push(q);
                    }
                }
                if members.len() > s.an_size {
                    break;
                }
            }
            front = next;
        }
        // 3. The second pass over the background, in order, against the
        //    neighbourhood's mean (the seed when it is empty), with
        //    threshold 2 sigma_v.
        let seed2 = if members.is_empty() {
            seed
        } else {
            members
                .iter()
                .map(|&(py, px)| at(py, px).unwrap())
                .sum::<f64>()
                / members.len() as f64
        };
        let t2 = 2.0 * sigma_v;
        for &q in &background {
            if joins(at(q.0, q.1), seed2, t2, flip, &mut ties) {
                members.push(q);
            }
        }
    }
    // No neighbourhood (a zero seed, nothing accepted): the pixel alone.
    if members.is_empty() {
        members.push(centre);
    }

    // 4. MMSE over the neighbourhood: b from the intensities' mean and
    //    variance (population, or sample under compat=snap).
    let values: Vec<f64> = members
        .iter()
        .map(|&(py, px)| at(py, px).unwrap())
        .collect();
    let n = values.len() as f64;
    let m = values.iter().sum::<f64>() / n;
    let ss = values.iter().map(|v| (v - m) * (v - m)).sum::<f64>();
    let var = frame.spread(ss, n);
    let sv2 = sigma_v * sigma_v;
    let b = if var == 0.0 {
        0.0
    } else {
        ((var - m * m * sv2) / (1.0 + sv2)).max(0.0) / var
    };
    let (mean, centre_value) = match s.signal {
        Signal::Intensity => (m, xc),
        Signal::Amplitude => (values.iter().map(|v| v.sqrt()).sum::<f64>() / n, xc.sqrt()),
    };
    Outcome {
        value: mean + b * (centre_value - mean),
        mean,
        members,
        examined,
        ties,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::border::Border;
    use crate::window::Compat;
    use crate::Rng;

    fn frame(compat: Compat, border: Border) -> Frame {
        Frame {
            border,
            nodata: Some(-1.0),
            compat,
        }
    }

    fn raster(data: &[f32], width: usize) -> Raster<'_> {
        Raster {
            data,
            width,
            height: data.len() / width,
        }
    }

    fn setup(an_size: usize, looks: f64) -> Setup {
        Setup {
            an_size,
            looks,
            signal: Signal::Intensity,
        }
    }

    #[test]
    fn a_flat_area_is_its_value() {
        let data = [3.0f32; 25];
        let img = raster(&data, 5);
        for compat in [Compat::None, Compat::Snap] {
            let [a, b] = value(&frame(compat, Border::Reflect), img, 2, 2, &setup(4, 1.0));
            assert_eq!((a.value, a.ties, b.value), (3.0, 0, 3.0));
            // The centre's 8 neighbours join (9 > 4): one ring only.
            assert_eq!(a.members.len(), 9);
        }
    }

    /// A 3x3 worked by hand at 1 look (`t1 = 2/3`, `t2 = 2`), `an_size` 2
    /// (at 1 the accepted centre alone stops the growth):
    ///
    /// ```text
    /// 10 10 40
    /// 10 12  1
    /// 10 30 10
    /// ```
    ///
    /// Seed: median(1, 10 x5, 12, 30, 40) = 10. The centre 12 joins (0.2),
    /// then its neighbours in SNAP's order: 10, 10 join, 40 (3.0) not, 10
    /// joins, 1 (0.9) not, 10 joins, 30 (2.0) not, 10 joins. AN has 6 > 2
    /// pixels: no second ring. Second seed 62/6; of the background 40, 1,
    /// 30, the 1 (0.90) and the 30 (1.90) join, the 40 (2.87) not. So AN
    /// = 12, 10 x5, 1, 30: mean 93/8, sample variance 463.875/7 < mean^2,
    /// b = 0, the output is the mean.
    #[test]
    fn a_worked_example() {
        let data = [10.0, 10.0, 40.0, 10.0, 12.0, 1.0, 10.0, 30.0, 10.0f32];
        let img = raster(&data, 3);
        let [o, _] = value(
            &frame(Compat::Snap, Border::Reflect),
            img,
            1,
            1,
            &setup(2, 1.0),
        );
        let [alone, _] = value(
            &frame(Compat::Snap, Border::Reflect),
            img,
            1,
            1,
            &setup(1, 1.0),
        );
        assert_eq!((alone.value, alone.examined.len()), (12.0, 1));
        let mut got: Vec<f64> = o
            .members
            .iter()
            .map(|&(y, x)| f64::from(data[y as usize * 3 + x as usize]))
            .collect();
        assert_eq!(&got[..6], &[12.0, 10.0, 10.0, 10.0, 10.0, 10.0]);
        got.sort_by(f64::total_cmp);
        assert_eq!(got, [1.0, 10.0, 10.0, 10.0, 10.0, 10.0, 12.0, 30.0]);
        // MMSE: sample variance, sigma_v = 1.
        let m: f64 = 93.0 / 8.0;
        let var = got.iter().map(|v| (v - m).powi(2)).sum::<f64>() / 7.0;
        let b = ((var - m * m) / 2.0).max(0.0) / var;
        assert_eq!(b, 0.0);
        assert!((o.value - m).abs() < 1e-12 * m, "{}", o.value);
        assert_eq!(o.examined.len(), 9);
    }

    #[test]
    fn a_zero_seed_or_no_neighbour_leaves_the_pixel() {
        // Zero seed: the median of the 3x3 is 0.
        let data = [0.0, 0.0, 0.0, 0.0, 5.0, 0.0, 0.0, 0.0, 0.0f32];
        let [o, _] = value(
            &frame(Compat::None, Border::Reflect),
            raster(&data, 3),
            1,
            1,
            &setup(50, 1.0),
        );
        assert_eq!((o.value, o.members.len()), (5.0, 1));
        // An isolated pixel among invalid ones: alone (amplitude: |x|).
        let data = [-1.0, -1.0, -1.0, -1.0, -5.0, -1.0, -1.0, -1.0, -1.0f32];
        let s = Setup {
            signal: Signal::Amplitude,
            ..setup(3, 1.0)
        };
        let [o, _] = value(
            &frame(Compat::Snap, Border::Reflect),
            raster(&data, 3),
            1,
            1,
            &s,
        );
        assert_eq!(o.value, 5.0);
    }

    /// A zero pixel in the second pass at 4 looks is an exact tie
    /// (`|(0 - s) / s| = 1 = 2 sigma_v`): rejected by the rule, taken by
    /// the other result.
    #[test]
    fn exact_ties_give_a_second_result() {
        #[rustfmt::skip]
        let data = [
            4.0, 4.0, 4.0, 4.0, 4.0,
            4.0, 4.0, 4.0, 4.0, 4.0,
            4.0, 4.0, 0.0, 4.0, 4.0,
            4.0, 4.0, 4.0, 4.0, 4.0,
            4.0, 4.0, 4.0, 4.0, 4.0f32,
        ];
        let img = raster(&data, 5);
        // Clipped: reflected copies of the zero would be ties too.
        let [rule, other] = value(
            &frame(Compat::None, Border::Shrink),
            img,
            1,
            1,
            &setup(50, 4.0),
        );
        assert_eq!(rule.ties, 1);
        assert_eq!(rule.members.len() + 1, other.members.len());
        assert!(!rule.members.contains(&(2, 2)) && other.members.contains(&(2, 2)));
        assert_eq!(rule.value, 4.0);
        assert!(other.value < 4.0);
    }

    /// Random speckle with nodata, every border and both conventions: no
    /// examined position lies beyond `an_size` of the pixel (the library's
    /// halo), the neighbourhood has no invalid pixel and no position twice,
    /// and the first pass ends with at most `an_size + 8` pixels.
    #[test]
    fn growth_stays_within_an_size() {
        let mut rng = Rng(11);
        let (h, w) = (17, 19);
        let data: Vec<f32> = (0..h * w)
            .map(|i| {
                let level = [1.0, 8.0][(i % w / 4 + i / w / 5) % 2];
                if rng.below(15) == 0 {
                    -1.0
                } else {
                    (level * rng.speckle(1)) as f32
                }
            })
            .collect();
        let img = raster(&data, w);
        let mut farthest = 0;
        for (compat, border) in [
            (Compat::Snap, Border::Reflect),
            (Compat::None, Border::Reflect),
            (Compat::None, Border::Mirror),
            (Compat::None, Border::Nearest),
            (Compat::None, Border::Shrink),
        ] {
            let f = frame(compat, border);
            for an_size in [1, 2, 3, 6, 20] {
                for looks in [0.5, 1.0, 4.0] {
                    for (y, x) in [(0, 0), (8, 9), (16, 3), (5, 18)] {
                        if !f.valid(img.at(y, x)) {
                            continue;
                        }
                        let [o, _] = value(&f, img, y, x, &setup(an_size, looks));
                        let d = o
                            .examined
                            .iter()
                            .map(|&(py, px)| (py - y as isize).abs().max((px - x as isize).abs()))
                            .max()
                            .unwrap();
                        assert!(d <= an_size as isize, "{compat:?} {border:?} {an_size}");
                        farthest = farthest.max(d as usize * 100 / an_size);
                        let unique: HashSet<_> = o.members.iter().collect();
                        assert_eq!(unique.len(), o.members.len());
                        for &(py, px) in &o.members {
                            assert!(intensity(&f, img, Signal::Intensity, py, px).is_some());
                        }
                        assert!(o.value.is_finite());
                    }
                }
            }
        }
        // The bound is reached.
        assert_eq!(farthest, 100);
    }
}
