//! Concurrent callers (include/enh_lee.h: "All functions are thread-safe";
//! "concurrent calls on different buffers are fine (from any thread, or
//! from inside a rayon pool). The result does not depend on the thread
//! count."): many caller threads at once, calls from inside a caller's own
//! rayon pool, with threads = 0, 1, 2, through the Rust API and the C API.
//! Every result must equal, bit for bit, a single-threaded call made first.
//! A watchdog aborts the process when no filtering call of any test has
//! finished for 60 s while a test runs, so a deadlock fails instead of
//! hanging CI. It watches progress, not the test's duration: a slow machine
//! (valgrind, sanitizers, a loaded CI) only makes each call slower, and a
//! single call of these sizes takes well under a second.

mod common;

use common::Rng;
use std::ptr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::Duration;

use enh_lee::capi::{
    enh_lee_filter, enh_lee_plan_filter_region, enh_lee_plan_free, enh_lee_plan_new,
    enh_lee_scratch_size, EnhLeeImage, EnhLeeParams, EnhLeePlan, EnhLeeRegion,
    ENH_LEE_ELEMENT_FLOAT32, ENH_LEE_OK,
};
use enh_lee::{
    filter, filter_in_place, filter_region, scratch_len, source_region, Border, Params, Region,
    Scratch, Statistic,
};
use ndarray::{s, Array2};
use rayon::prelude::*;

/// The descriptor of one plane of `height` rows of `width` float32 pixels,
/// rows `4 * width` bytes apart.
fn descriptor(data: *const f32, width: usize, height: usize) -> EnhLeeImage {
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

/// Filtering calls finished so far, by every test of this process: the
/// watchdog's sign of life.
static CALLS_DONE: AtomicUsize = AtomicUsize::new(0);

/// Counts a finished filtering call.
fn call_done() {
    CALLS_DONE.fetch_add(1, Ordering::Relaxed);
}

/// Aborts the whole test process if no filtering call finishes for `idle`
/// while it lives. (A deadlock in one test while another progresses is
/// caught once the other is done.)
struct Watchdog {
    stop: Option<mpsc::Sender<()>>,
    thread: Option<thread::JoinHandle<()>>,
}

impl Watchdog {
    fn new(name: &'static str, idle: Duration) -> Watchdog {
        let (stop, rx) = mpsc::channel::<()>();
        let thread = thread::spawn(move || {
            let mut seen = CALLS_DONE.load(Ordering::Relaxed);
            while let Err(mpsc::RecvTimeoutError::Timeout) = rx.recv_timeout(idle) {
                let now = CALLS_DONE.load(Ordering::Relaxed);
                if now == seen {
                    eprintln!(
                        "watchdog: test `{name}`: no filtering call finished for {idle:?}: \
                         deadlock? aborting"
                    );
                    std::process::abort();
                }
                seen = now;
            }
        });
        Watchdog {
            stop: Some(stop),
            thread: Some(thread),
        }
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn watchdog(name: &'static str) -> Watchdog {
    Watchdog::new(name, Duration::from_secs(60))
}

/// A speckled image (two fields, a bright target, a few NaN) of `seed`.
fn image(seed: u64, height: usize, width: usize) -> Array2<f32> {
    let mut rng = Rng(seed);
    Array2::from_shape_fn((height, width), |(y, x)| {
        let field = if (x + y / 2) % 97 < 50 { 10.0 } else { 200.0 };
        let target = if (y / 8, x / 8) == (3, 5) { 1e6 } else { 1.0 };
        let v = field * target * -rng.uniform().ln();
        if rng.next().is_multiple_of(211) {
            f32::NAN
        } else {
            v as f32
        }
    })
}

/// Parameters of job `i`: all statistics, borders and windows in turn.
fn params(i: usize) -> Params {
    Params {
        window: [3, 5, 7, 11][i % 4],
        looks: [1.0, 2.0, 4.4][i % 3],
        statistic: if i.is_multiple_of(2) {
            Statistic::Window
        } else {
            Statistic::Residual
        },
        border: [
            Border::Reflect,
            Border::Mirror,
            Border::Nearest,
            Border::Shrink,
        ][(i / 2) % 4],
        ..Params::default()
    }
}

/// One job: an image and its parameters, and the single-threaded result.
struct Job {
    src: Array2<f32>,
    params: Params,
    want: Array2<f32>,
}

fn jobs(n: usize, height: usize, width: usize) -> Vec<Job> {
    (0..n)
        .map(|i| {
            let src = image(1000 + i as u64, height + 7 * i, width + 3 * i);
            let params = Params {
                threads: 1,
                ..params(i)
            };
            let mut want = Array2::zeros(src.dim());
            filter(src.view(), want.view_mut(), &params, None).unwrap();
            Job { src, params, want }
        })
        .collect()
}

fn assert_bits(got: &Array2<f32>, want: &Array2<f32>, what: &str) {
    call_done();
    assert_eq!(got.dim(), want.dim(), "{what}: shape");
    for ((idx, g), w) in got.indexed_iter().zip(want.iter()) {
        assert!(
            g.to_bits() == w.to_bits(),
            "{what}: pixel {idx:?} is {g:?}, the single-threaded call gave {w:?}"
        );
    }
}

/// Runs `job` with `threads` through one of the entry points (by `way`),
/// and returns the output.
fn run(job: &Job, threads: usize, way: usize) -> Array2<f32> {
    let params = Params {
        threads,
        ..job.params
    };
    let (h, w) = job.src.dim();
    match way % 5 {
        // Out of place, library scratch.
        0 => {
            let mut out = Array2::from_elem((h, w), f32::NAN);
            filter(job.src.view(), out.view_mut(), &params, None).unwrap();
            out
        }
        // In place.
        1 => {
            let mut out = job.src.clone();
            filter_in_place(out.view_mut(), &params, None).unwrap();
            out
        }
        // Out of place with caller scratch (queried on this thread).
        2 => {
            let need = scratch_len(w, h, &params).unwrap();
            let (mut f64s, mut f32s) = (vec![0.0f64; need.f64s], vec![0.0f32; need.f32s]);
            let mut out = Array2::from_elem((h, w), f32::NAN);
            let scratch = Scratch {
                f64s: &mut f64s,
                f32s: &mut f32s,
            };
            filter(job.src.view(), out.view_mut(), &params, Some(scratch)).unwrap();
            out
        }
        // Three horizontal strips through the region call.
        3 => {
            let mut out = Array2::from_elem((h, w), f32::NAN);
            let cuts = [0, h / 3, 2 * h / 3, h];
            for k in 0..3 {
                let region = Region {
                    x_off: 0,
                    y_off: cuts[k],
                    width: w,
                    height: cuts[k + 1] - cuts[k],
                };
                if region.height == 0 {
                    continue;
                }
                let src = source_region(w, h, region, &params).unwrap();
                let view = job.src.slice(s![
                    src.y_off..src.y_off + src.height,
                    src.x_off..src.x_off + src.width
                ]);
                let dst = out.slice_mut(s![cuts[k]..cuts[k + 1], ..]);
                filter_region(view, dst, w, h, region, &params, None).unwrap();
            }
            out
        }
        // The C API with caller scratch queried on this thread.
        _ => {
            let p = EnhLeeParams::from(Params {
                window: params.window,
                looks: params.looks,
                statistic: params.statistic,
                border: params.border,
                threads,
                ..Params::default()
            });
            let mut bytes = 0usize;
            // SAFETY: pointers to locals.
            let status = unsafe { enh_lee_scratch_size(w, h, &p, &mut bytes) };
            assert_eq!(status, ENH_LEE_OK);
            let mut scratch = vec![0u8; bytes];
            let src = job.src.as_standard_layout();
            let mut out = Array2::from_elem((h, w), f32::NAN);
            // SAFETY: contiguous h x w buffers and a scratch of the queried size.
            let status = unsafe {
                enh_lee_filter(
                    &p,
                    &descriptor(src.as_ptr(), w, h),
                    &descriptor(out.as_mut_ptr(), w, h),
                    scratch.as_mut_ptr().cast(),
                    bytes,
                )
            };
            assert_eq!(status, ENH_LEE_OK);
            out
        }
    }
}

#[test]
fn many_caller_threads_at_once() {
    let _w = watchdog("many_caller_threads_at_once");
    const CALLERS: usize = 8;
    let jobs = Arc::new(jobs(CALLERS, 260, 200));
    let barrier = Arc::new(Barrier::new(CALLERS));
    let handles: Vec<_> = (0..CALLERS)
        .map(|t| {
            let (jobs, barrier) = (jobs.clone(), barrier.clone());
            thread::spawn(move || {
                barrier.wait();
                // Every caller filters its own image and, later, another
                // caller's, every way, with 0, 1 and 2 threads.
                for round in 0..20 {
                    let job = &jobs[(t + round / 5) % CALLERS];
                    let threads = [0, 1, 2][(t + round) % 3];
                    let got = run(job, threads, t + round);
                    assert_bits(
                        &got,
                        &job.want,
                        &format!("caller {t}, round {round}, threads {threads}"),
                    );
                }
            })
        })
        .collect();
    for h in handles {
        h.join().expect("a caller thread panicked");
    }
}

#[test]
fn calls_from_inside_a_callers_rayon_pool() {
    let _w = watchdog("calls_from_inside_a_callers_rayon_pool");
    let jobs = jobs(4, 100, 90);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(3)
        .build()
        .unwrap();
    pool.install(|| {
        (0..16).into_par_iter().for_each(|i| {
            let job = &jobs[i % jobs.len()];
            let threads = [0, 1, 2][i % 3];
            let got = run(job, threads, i);
            assert_bits(
                &got,
                &job.want,
                &format!("pool task {i}, threads {threads}"),
            );
        });
    });
}

#[test]
fn nested_pools_and_single_thread_pools() {
    let _w = watchdog("nested_pools_and_single_thread_pools");
    let jobs = jobs(3, 90, 70);
    // A one-thread caller pool (threads = 0 means one thread there), and a
    // caller pool inside a caller pool.
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let outer = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap();
    let inner = rayon::ThreadPoolBuilder::new()
        .num_threads(3)
        .build()
        .unwrap();
    one.install(|| {
        for (i, job) in jobs.iter().enumerate() {
            for threads in [0, 1, 2, 3] {
                assert_bits(
                    &run(job, threads, i + threads),
                    &job.want,
                    "one-thread pool",
                );
            }
        }
    });
    outer.install(|| {
        (0..6).into_par_iter().for_each(|i| {
            inner.install(|| {
                (0..3).into_par_iter().for_each(|k| {
                    let job = &jobs[(i + k) % jobs.len()];
                    let threads = [0, 1, 2][k];
                    assert_bits(&run(job, threads, i * 3 + k), &job.want, "nested pools");
                });
            });
        });
    });
}

#[test]
fn first_use_of_many_thread_counts_at_once() {
    // The library starts one pool per thread count on first use: start
    // several at the same moment from several callers.
    let _w = watchdog("first_use_of_many_thread_counts_at_once");
    let jobs = Arc::new(jobs(2, 140, 60));
    let barrier = Arc::new(Barrier::new(6));
    let handles: Vec<_> = (0..6)
        .map(|t| {
            let (jobs, barrier) = (jobs.clone(), barrier.clone());
            thread::spawn(move || {
                barrier.wait();
                for threads in [5, 6, 7] {
                    let job = &jobs[t % 2];
                    assert_bits(
                        &run(job, threads, t),
                        &job.want,
                        &format!("caller {t}, threads {threads}"),
                    );
                }
            })
        })
        .collect();
    for h in handles {
        h.join().expect("a caller thread panicked");
    }
}

#[test]
fn c_region_calls_from_many_threads() {
    // Strips of one raster filtered concurrently by the C region call, each
    // caller thread with its own scratch, reassemble the whole image.
    let _w = watchdog("c_region_calls_from_many_threads");
    let (h, w) = (240usize, 100usize);
    let src = image(77, h, w);
    let p = Params {
        window: 9,
        statistic: Statistic::Residual,
        ..Params::default()
    };
    let want = {
        let params = Params {
            window: 9,
            statistic: Statistic::Residual,
            threads: 1,
            ..Params::default()
        };
        let mut out = Array2::zeros((h, w));
        filter(src.view(), out.view_mut(), &params, None).unwrap();
        out
    };
    // One plan per thread count, each shared by the strips' threads.
    let plans: Vec<usize> = (0..3)
        .map(|threads| {
            let p = EnhLeeParams::from(Params { threads, ..p });
            let mut plan: *mut EnhLeePlan = ptr::null_mut();
            // SAFETY: pointers to locals.
            let status = unsafe { enh_lee_plan_new(&p, w, h, 1, 0, &mut plan) };
            assert_eq!(status, ENH_LEE_OK);
            plan as usize
        })
        .collect();
    let src = Arc::new(src);
    let strips = 12;
    let handles: Vec<_> = (0..strips)
        .map(|k| {
            let src = src.clone();
            let plan = plans[k % 3];
            thread::spawn(move || {
                let plan = plan as *const EnhLeePlan;
                let (y0, y1) = (k * h / strips, (k + 1) * h / strips);
                let p = EnhLeeParams::from(Params {
                    threads: k % 3,
                    ..p
                });
                let halo = 2 * 4;
                let (sy0, sy1) = (y0.saturating_sub(halo), (y1 + halo).min(h));
                let mut bytes = 0usize;
                // SAFETY: pointers to locals.
                let status = unsafe { enh_lee_scratch_size(w, y1 - y0, &p, &mut bytes) };
                assert_eq!(status, ENH_LEE_OK);
                let mut scratch = vec![0u8; bytes];
                let mut out = vec![f32::NAN; w * (y1 - y0)];
                let rows = src.slice(s![sy0..sy1, ..]).to_owned();
                // SAFETY: rows holds the halo-grown strip, out the strip.
                // The plan is live until every strip thread is joined.
                let status = unsafe {
                    enh_lee_plan_filter_region(
                        plan,
                        &descriptor(rows.as_ptr(), w, sy1 - sy0),
                        EnhLeeRegion {
                            x_off: 0,
                            y_off: y0,
                            width: w,
                            height: y1 - y0,
                        },
                        &descriptor(out.as_mut_ptr(), w, y1 - y0),
                        if k % 2 == 0 {
                            scratch.as_mut_ptr().cast()
                        } else {
                            ptr::null_mut()
                        },
                        if k % 2 == 0 { bytes } else { 0 },
                    )
                };
                assert_eq!(status, ENH_LEE_OK, "strip {k}");
                call_done();
                (y0, y1, out)
            })
        })
        .collect();
    let mut got = Array2::from_elem((h, w), f32::NAN);
    for handle in handles {
        let (y0, y1, out) = handle.join().expect("a strip thread panicked");
        got.slice_mut(s![y0..y1, ..])
            .assign(&Array2::from_shape_vec((y1 - y0, w), out).unwrap());
    }
    for plan in plans {
        // SAFETY: made above, every user joined.
        unsafe { enh_lee_plan_free(plan as *mut EnhLeePlan) };
    }
    assert_bits(&got, &want, "strips filtered concurrently");
}
