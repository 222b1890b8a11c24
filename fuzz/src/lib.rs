//! The fuzz harness of the enh-lee C ABI (fuzz target `capi`).
//!
//! Every input decodes to one scenario, which calls the C entry points
//! through raw pointers exactly as a C caller does:
//!
//! - `small` (whole image or region of a raster up to 40x40 or 130x6, or a
//!   small region of a raster up to `usize::MAX` pixels wide or high): random
//!   parameters, strides, in place or not, adjacent or overlapping buffers,
//!   caller or library scratch, pixels full of NaN, inf, nodata, zeros,
//!   negatives, denormals and values near `f32::MAX`; zero, one or two
//!   injected faults (NULL pointers, garbage enums, bad looks/damping/
//!   coefficients/threads, empty sizes, bad strides, misalignment, scratch
//!   too small, partial overlap, region off the raster, address-space
//!   overflow). Valid calls are checked against the float64 reference
//!   (`oracle/src/enhanced_lee.rs`; every pixel, or a sample within a
//!   budget: [`checked_pixels`]) and every pixel bit for bit against a
//!   second call (whole image, out of place, one thread, library scratch);
//!   invalid ones must return one of the errors that apply (`model.rs`).
//! - `long`: 1100x1, 1x1100, 1100x2, ... images, sampled against the
//!   reference, and bit for bit against in-place and strip-wise calls.
//! - `huge`: sizes, strides, offsets and pointers up to `usize::MAX` with a
//!   64-float buffer; only calls that must fail before touching memory are
//!   made.
//! - `queries`: `enh_lee_scratch_size`, `enh_lee_halo`,
//!   `enh_lee_status_message`, `enh_lee_version` with hostile arguments.
//!
//! In every call, all memory around the buffers is sentinel-filled: an
//! error must leave every byte as it was, a success may change exactly the
//! `width x height` output pixels (not the row padding, not src).
//! Any violation panics, which libFuzzer reports as a crash.

pub mod fields;
pub mod input;
pub mod model;
pub mod params;

use std::ffi::CStr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

use enh_lee::capi::*;
use enh_lee_oracle::enhanced_lee::{self as reference, Border, Means, Raster, Spec, Statistic};
use enh_lee_oracle::{family, lee_sigma, speckle, window};
use enh_lee_oracle::Rng;
use fields::*;
use input::Input;
use model::{Api, Call, Rect};

/// A quiet NaN with a payload nothing computes: fills every byte a call
/// must not write.
const SENTINEL: u32 = 0x7fc0_dead;
/// Written to `*out_bytes` / `*out_pixels` before the queries.
const OUT_SENTINEL: usize = 0x5eed_dead_beef_0001;
/// The harness never lets the library allocate more scratch than this, and
/// never allocates a caller scratch larger than this.
const SCRATCH_CAP: usize = 64 << 20;

/// `ENH_LEE_FUZZ_STRICT=1`: also fail when an output misses the plain
/// SPEC tolerance only because the rule is ill-conditioned there (see
/// reference.rs); by default such outputs are counted and reported.
fn strict() -> bool {
    static STRICT: OnceLock<bool> = OnceLock::new();
    *STRICT.get_or_init(|| std::env::var("ENH_LEE_FUZZ_STRICT").is_ok_and(|v| v == "1"))
}

static STRICT_NOTES: AtomicUsize = AtomicUsize::new(0);

pub fn run(data: &[u8]) {
    let mut inp = Input::new(data);
    // The long scenario costs about ten small ones: rarer.
    match inp.u8() % 32 {
        0..=11 => small(&mut inp, Api::Whole),
        12..=21 => small(&mut inp, Api::Region),
        22 => long(&mut inp),
        23..=26 => huge(&mut inp),
        _ => queries(&mut inp),
    }
}

// ---------------------------------------------------------------------------
// Parameters

const LOOKS: [f64; 14] = [1.0, 2.0, 3.0, 4.0, 0.5, 0.25, 16.0, 100.0, 1e-3, 1e6, 4.4, 1e-300, 1e300, 5e-324];
const DAMPING: [f64; 10] = [1.0, 0.0, -0.0, 0.5, 2.0, 10.0, 1e3, 1e-6, 1e300, f64::MAX];
const NODATA: [f32; 8] = [0.0, -9999.0, 1.0, f32::NAN, -0.0, f32::MAX, 1e-45, -1.0];
/// Mostly one thread: rasters of up to 40 rows make at most two bands, and
/// every call on a pool's threads costs a hand-over (and, for a new count,
/// a new pool); the `long` scenario cuts into more bands.
const THREADS: [u32; 8] = [0, 1, 1, 1, 2, 0, 1, 3];

/// Parameters that are valid, except where a palette value makes the
/// derived coefficients invalid (looks = 5e-324 gives Cmax = inf).
fn decode_params(inp: &mut Input) -> Fields {
    let mut p = Fields::default();
    let wb = inp.u8();
    p.window = if wb < 200 { 3 + 2 * (wb % 7) } else { 3 + 2 * (wb % 24) } as u32;
    p.looks = inp.pick(&LOOKS);
    p.damping = inp.pick(&DAMPING);
    p.signal = inp.below(2) as u32;
    p.statistic = inp.below(2) as u32;
    p.border = inp.below(4) as u32;
    p.has_nodata = inp.below(2) as u32;
    p.nodata = inp.pick(&NODATA);
    p.threads = inp.pick(&THREADS);
    let (dcu, dcmax) = model::derived(p.signal, p.looks);
    let (dcu, dcmax) = (dcu.unwrap(), dcmax.unwrap());
    let c = inp.u8();
    let cu = inp.pick(&[0.0, 0.1, 0.25, 0.5, 1.0, dcu, (1.0 / p.looks).sqrt(), 0.9]);
    let delta = inp.pick(&[1e-9, 0.01, 0.5, 1.0, 10.0, 1e6]);
    match c % 6 {
        2 => p.cu = if cu < dcmax { cu } else { 0.5 * dcmax },
        3 => p.cmax = dcu + delta,
        4 => {
            p.cu = cu;
            p.cmax = cu + delta;
        }
        5 => {
            // The original question's code: Cu = sqrt(1/L), Cmax = sqrt(1 + 2L).
            p.cu = (1.0 / p.looks).sqrt();
            p.cmax = (1.0 + 2.0 * p.looks).sqrt();
        }
        _ => {}
    }
    p
}

/// `p` with looks=auto (NaN, where Cu or Cmax derive from it) replaced by
/// the whole raster's estimate, which a successful call used.
fn resolved_looks(mut p: Fields, image: &Raster) -> Fields {
    if p.looks.is_nan() && (p.cu.is_nan() || p.cmax.is_nan()) {
        let h = p.handle().expect("the parameters of a successful call");
        // The plan of the raster, its passes counted in one whole piece;
        // its resolved parameters hold the estimate.
        let status = plan_looks(image, &h);
        let looks = status.unwrap_or_else(|status| {
            panic!("enh-lee fuzz finding: a looks=auto call succeeded but the estimate fails ({status}): {p:?}")
        });
        p.looks = looks;
    }
    p
}

/// One float32 plane of `height` rows of `width` pixels, rows
/// `row_stride` bytes apart.
fn image(data: *const f32, width: usize, height: usize, row_stride: usize) -> EnhLeeImage {
    EnhLeeImage {
        data: data.cast_mut().cast(),
        element: ENH_LEE_ELEMENT_FLOAT32,
        reserved: 0,
        width,
        height,
        row_stride,
        planes: 1,
        plane_stride: 0,
    }
}

/// The looks a plan of `raster` with `h` estimates (its passes counted in
/// one whole piece), or the status of the call that failed.
fn plan_looks(raster: &Raster, h: &Handle) -> Result<f64, EnhLeeStatus> {
    let check = |status: EnhLeeStatus| if status == ENH_LEE_OK { Ok(()) } else { Err(status) };
    let mut plan: *mut EnhLeePlan = std::ptr::null_mut();
    let piece = image(raster.data.as_ptr(), raster.width, raster.height, 4 * raster.width);
    // SAFETY: valid pointers; the piece is the whole raster; the plan and
    // its parameters are freed once.
    unsafe {
        check(enh_lee_plan_new(h.as_ptr(), raster.width, raster.height, 1, 0, &mut plan))?;
        let result = (|| {
            let mut n = 0usize;
            while {
                check(enh_lee_plan_tally_len(plan, &mut n))?;
                n > 0
            } {
                let mut tally = vec![0u64; n];
                check(enh_lee_plan_count(plan, &piece, 0, 0, tally.as_mut_ptr(), n))?;
                check(enh_lee_plan_step(plan, tally.as_ptr(), n))?;
            }
            let mut resolved: *mut EnhLeeParams = std::ptr::null_mut();
            check(enh_lee_plan_params(plan, 0, &mut resolved))?;
            let mut text = [0 as std::ffi::c_char; 64];
            let mut len = 0usize;
            let status = enh_lee_params_get(resolved, c"looks".as_ptr(), text.as_mut_ptr(), text.len(), &mut len);
            enh_lee_params_free(resolved);
            check(status)?;
            let text = std::ffi::CStr::from_ptr(text.as_ptr()).to_str().expect("ASCII");
            Ok(text.parse::<f64>().expect("the looks as a number"))
        })();
        enh_lee_plan_free(plan);
        result
    }
}

fn spec_of(p: &Fields) -> Spec {
    let (cu, cmax) = model::coefficients(p);
    Spec {
        window: p.window as usize,
        cu: cu.unwrap(),
        cmax: cmax.unwrap(),
        damping: p.damping,
        statistic: if p.statistic == STATISTIC_WINDOW { Statistic::Window } else { Statistic::Residual },
        border: [Border::Reflect, Border::Mirror, Border::Nearest, Border::Shrink][p.border as usize],
        nodata: (p.has_nodata == 1).then_some(p.nodata),
    }
}

/// Draws a filter of the family other than Enhanced Lee (an eighth of the
/// `small` inputs: they cost about five Enhanced Lee inputs) and makes `p` a valid call of it: `compat` (`gee` for
/// Refined Lee), Lee Sigma's looks 1-4, sigma, target window and point
/// threshold (set later, [`point_threshold`]), windows up to 9 (7 for
/// Refined Lee, with `border=shrink`), damping up to 10 (Frost), an explicit `Cu` only for the
/// rules that use one, looks=auto only where a whole-raster call estimates
/// them for Lee, Kuan or Gamma-MAP. Returns whether it drew one; such calls
/// get no fault and tame pixels ([`gen_pixels`]).
fn decode_family(inp: &mut Input, p: &mut Fields, api: Api) -> bool {
    let b = inp.u8();
    if b % 8 != 1 {
        return false;
    }
    p.filter = 1 + u32::from(b / 8 % 6);
    p.compat = match inp.u8() % 3 {
        1 => COMPAT_SNAP,
        2 if p.filter == FILTER_REFINED_LEE => COMPAT_GEE,
        _ => COMPAT_NONE,
    };
    p.window = 3 + 2 * ((p.window / 2) % 4);
    // Looks whose coefficients every filter accepts (the model derives
    // Enhanced Lee's Cmax for every filter).
    p.looks = inp.pick(&[1.0, 2.0, 3.0, 4.0, 0.5, 4.4, 16.0, 0.7]);
    p.cmax = f64::NAN;
    if !(p.cu < 1.0) || (p.cu == 0.0 && p.filter == FILTER_GAMMA_MAP) {
        // The model refuses a Cu from Enhanced Lee's Cmax (above 1); and
        // Gamma-MAP's Cmax = sqrt(2) Cu = Cu is refused.
        p.cu = f64::NAN;
    }
    if !matches!(
        p.filter,
        FILTER_LEE | FILTER_KUAN | FILTER_GAMMA_MAP
    ) {
        p.cu = f64::NAN;
    }
    p.damping = p.damping.min(10.0);
    match p.filter {
        FILTER_REFINED_LEE => {
            p.window = 7;
            p.statistic = STATISTIC_WINDOW;
            // Windows padded by reflection repeat rows or columns, whose
            // sub-areas tie in real arithmetic (several ties at once near a
            // corner, which the oracle's one flip does not cover); the
            // padded borders are tests/reference.rs's.
            p.border = BORDER_SHRINK;
        }
        FILTER_LEE_SIGMA => {
            p.looks = f64::from(1 + inp.below(4) as u32);
            p.sigma = inp.pick(&lee_sigma::SIGMAS);
            p.target_window = inp.pick(&[3, 5]);
            p.window = p.window.max(5).max(p.target_window + 2);
            p.statistic = STATISTIC_WINDOW;
        }
        FILTER_LEE | FILTER_KUAN | FILTER_GAMMA_MAP
            if api == Api::Whole && p.cu.is_nan() && inp.u8() % 8 == 0 =>
        {
            p.looks = f64::NAN
        }
        _ => {}
    }
    true
}

/// Lee Sigma's point threshold of a call on `image`: given (the oracle's
/// 98th percentile, none, every pixel bright, or a pixel's value), or left
/// to a whole-raster call to compute; a region always needs it.
fn point_threshold(inp: &mut Input, p: &mut Fields, image: Raster, api: Api) {
    if p.filter != FILTER_LEE_SIGMA {
        return;
    }
    let frame = window::Frame {
        border: Border::Reflect,
        nodata: (p.has_nodata == 1).then_some(p.nodata),
        compat: window::Compat::None,
    };
    let any = f64::from(image.data[inp.below(image.data.len())]);
    p.point_threshold = match inp.u8() % 5 {
        0 if api == Api::Whole => f64::NAN,
        1 => f64::INFINITY,
        2 => 0.0,
        3 if any.is_finite() => any,
        _ => lee_sigma::threshold(&frame, image),
    };
}

/// The oracle's parameters of a call of the family (after looks=auto is
/// resolved), for [`family::Family`].
fn family_of(p: &Fields) -> family::Params {
    let filters = [
        family::Filter::EnhancedLee,
        family::Filter::Lee,
        family::Filter::Kuan,
        family::Filter::GammaMap,
        family::Filter::Frost,
        family::Filter::RefinedLee,
        family::Filter::LeeSigma,
    ];
    let spec = spec_of(p);
    family::Params {
        filter: filters[p.filter as usize],
        window: p.window as usize,
        looks: p.looks,
        damping: p.damping,
        cu: (!p.cu.is_nan()).then_some(p.cu),
        cmax: (!p.cmax.is_nan()).then_some(p.cmax),
        signal: if p.signal == SIGNAL_INTENSITY {
            speckle::Signal::Intensity
        } else {
            speckle::Signal::Amplitude
        },
        statistic: spec.statistic,
        border: spec.border,
        nodata: spec.nodata,
        sigma: p.sigma,
        target_window: p.target_window as usize,
        point_threshold: (!p.point_threshold.is_nan()).then_some(p.point_threshold),
        // IDAN is not drawn here (nor Boxcar and Median): the harness's
        // fields have no an_size.
        an_size: enh_lee_oracle::idan::DEFAULT_AN_SIZE,
        compat: [
            window::Compat::None,
            window::Compat::Snap,
            window::Compat::EarthEngine,
        ][p.compat as usize],
    }
}

// ---------------------------------------------------------------------------
// Pixels

fn special(code: u8, inp: &mut Input, nodata: f32) -> f32 {
    match code % 24 {
        0 => f32::NAN,
        1 => -f32::NAN,
        2 => f32::from_bits(0x7f80_0001), // signalling NaN
        3 => f32::from_bits(0x7fc1_2345),
        4 => f32::INFINITY,
        5 => f32::NEG_INFINITY,
        6 => nodata,
        7 => 0.0,
        8 => -0.0,
        9 => f32::MAX,
        10 => -f32::MAX,
        11 => f32::MIN_POSITIVE,
        12 => f32::from_bits(1),
        13 => f32::from_bits(0x007f_ffff),
        14 => 1.0,
        15 => -1.0,
        16 => 1e7,
        17 => 3.4e38,
        18 => 1e-38,
        19 => 1e8,
        20 => -1e8,
        21 => 65504.0,
        22 => 0.5,
        _ => f32::from_bits(inp.u32()),
    }
}

/// Which pixels [`gen_pixels`] may draw: any, or (for the filters of the
/// family, whose float64 references have no rounding range) speckle with
/// bright targets and invalid pixels, and ramps where they allow.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Tame {
    No,
    Ramps,
    Speckle,
}

/// A `width x height` image: a style drawn from the input, then pixels the
/// input spells out one by one (positions from `u16`, or `u32` when `wide`).
fn gen_pixels(inp: &mut Input, width: usize, height: usize, nodata: f32, wide: bool, tame: Tame) -> Vec<f32> {
    let n = width * height;
    let style = match (tame, inp.u8()) {
        (Tame::No, style) => style,
        // Speckle, a bright target on speckle, or a ramp.
        (Tame::Ramps, style) => [0, 5, 7][style as usize % 3] + (style & !7),
        (Tame::Speckle, style) => [0, 5][style as usize % 2] + (style & !7),
    };
    let mut rng = Rng(inp.u64() ^ 0x0123_4567_89ab_cdef);
    let looks = 1 + (style as usize / 8) % 4;
    let gamma = |rng: &mut Rng| (0..looks).map(|_| -rng.uniform().ln()).sum::<f64>() / looks as f64;
    let mut v = vec![0f32; n];
    match style % 8 {
        0 => {
            let mu = inp.pick(&[1.0, 100.0, 1e4, 1e-3, 1e8]);
            for (i, p) in v.iter_mut().enumerate() {
                let (y, x) = ((i / width) as f64, (i % width) as f64);
                *p = (mu * (1.0 + 0.5 * (x * 0.3).sin() * (y * 0.2).cos()) * gamma(&mut rng)) as f32;
            }
        }
        1 => {
            let c = inp.pick(&[1.0f32, 0.0, -1.0, 1e30, 3.4e38, 1e-40, 7.5, f32::MAX]);
            v.fill(c);
        }
        2 => {
            let mu = inp.pick(&[1e38, 3e38, f64::from(f32::MAX)]);
            for p in v.iter_mut() {
                *p = (mu * gamma(&mut rng)).min(f64::from(f32::MAX)) as f32;
            }
        }
        3 => {
            let mu = inp.pick(&[1.0, 1e6, 1e30, 3e38]);
            for p in v.iter_mut() {
                *p = (mu * (2.0 * rng.uniform() - 1.0)) as f32;
            }
        }
        4 => {
            for p in v.iter_mut() {
                let r = rng.next();
                let bits = (r as u32 % 0x0080_0000) * u32::from(r >> 40 & 3 != 0);
                *p = f32::from_bits(bits | if r >> 63 == 1 { 0x8000_0000 } else { 0 });
            }
        }
        5 => {
            // A bright target (1e7) on dark speckle (~1).
            for p in v.iter_mut() {
                *p = gamma(&mut rng) as f32;
            }
            let (bw, bh) = (1 + rng.below(width.min(8)), 1 + rng.below(height.min(8)));
            let (bx, by) = (rng.below(width - bw + 1), rng.below(height - bh + 1));
            for y in by..by + bh {
                for x in bx..bx + bw {
                    v[y * width + x] = 1e7 * (0.5 + rng.uniform()) as f32;
                }
            }
        }
        6 => {
            for p in v.iter_mut() {
                *p = f32::from_bits(rng.next() as u32);
            }
        }
        _ => {
            let scale = inp.pick(&[1.0, 1e8 / n as f64, 1e3]);
            for (i, p) in v.iter_mut().enumerate() {
                *p = (i as f64 * scale) as f32;
            }
        }
    }
    let edits = inp.u8() as usize % 48;
    for _ in 0..edits {
        let pos = if wide { inp.u32() as usize } else { inp.u16() as usize } % n;
        let code = inp.u8();
        v[pos] = match tame {
            Tame::No => special(code, inp, nodata),
            // Invalid pixels, zeros and bright ones.
            _ => special([0, 1, 2, 3, 4, 5, 6, 7, 14, 16][code as usize % 10], inp, nodata),
        };
    }
    v
}

// ---------------------------------------------------------------------------
// Memory

/// One allocation holding src, dst and sentinel-filled space around them.
struct Arena {
    buf: Vec<f32>,
}

impl Arena {
    fn new(floats: usize) -> Arena {
        Arena { buf: vec![f32::from_bits(SENTINEL); floats.max(1)] }
    }

    fn base(&self) -> usize {
        self.buf.as_ptr() as usize
    }

    fn addr(&self, float_index: usize) -> usize {
        self.base() + 4 * float_index
    }

    fn bits(&self) -> Vec<u32> {
        self.buf.iter().map(|f| f.to_bits()).collect()
    }

    /// Whether `len` bytes from `addr` lie inside the arena.
    fn contains(&self, addr: usize, len: usize) -> bool {
        addr >= self.base() && addr.checked_add(len).is_some_and(|e| e <= self.base() + 4 * self.buf.len())
    }
}

/// A caller scratch buffer: `len` bytes at an arbitrary offset in a
/// `Vec<u8>` allocated to end exactly there (AddressSanitizer sees writes
/// past it).
struct ScratchBuf {
    buf: Vec<u8>,
    offset: usize,
}

impl ScratchBuf {
    fn new(len: usize, offset: usize) -> ScratchBuf {
        let mut buf = Vec::with_capacity(offset + len);
        buf.resize(offset + len, 0xa5);
        ScratchBuf { buf, offset }
    }

    fn addr(&mut self) -> usize {
        self.buf.as_mut_ptr() as usize + self.offset
    }
}

// ---------------------------------------------------------------------------
// Faults

const FAULTS: u8 = 24;

fn decode_fault(b: u8, threshold: u8) -> Option<u8> {
    (b < threshold).then_some(b % FAULTS)
}

/// Makes `call` wrong in way `fault` (see the module docs); the layout
/// stays what the harness allocated, so a fault that turns out not to apply
/// leaves a valid call.
fn apply_fault(fault: u8, call: &mut Call, inp: &mut Input, arena: &Arena, scratch: &mut Option<ScratchBuf>) {
    // Parameter faults change the caller's parameters (a default set when
    // an earlier fault made them NULL, which stays NULL).
    let had_params = call.params.is_some();
    let mut params = call.params.unwrap_or_else(|| Fields::default());
    let p = &mut params;
    let garbage = |inp: &mut Input, first: u32| first + inp.u32() % (u32::MAX - first + 1);
    match fault {
        0 => call.src = 0,
        1 => call.dst = 0,
        2 => call.params = None,
        3 => p.signal = garbage(inp, 2),
        4 => p.statistic = garbage(inp, 2),
        5 => p.border = garbage(inp, 4),
        6 => p.compat = garbage(inp, 3),
        7 => p.window = inp.pick(&[0, 1, 2, 4, 6, 8, 16, 100, u32::MAX - 1, 1 << 31]),
        8 => p.looks = inp.pick(&[f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 0.0, -0.0, -1.0, -1e-300, f64::MIN]),
        9 => p.damping = inp.pick(&[f64::NAN, f64::INFINITY, f64::NEG_INFINITY, -1e-300, -1.0, f64::MIN]),
        10 => {
            let (dcu, dcmax) = model::derived(p.signal, p.looks);
            match inp.below(9) {
                0 => (p.cu, p.cmax) = (0.5, 0.5),
                1 => (p.cu, p.cmax) = (2.0, 1.0),
                2 => (p.cu, p.cmax) = (-1e-300, f64::NAN),
                3 => p.cu = f64::INFINITY,
                4 => p.cmax = f64::INFINITY,
                5 => p.cmax = f64::NEG_INFINITY,
                6 => p.cu = f64::NEG_INFINITY,
                7 => (p.cu, p.cmax) = (f64::NAN, 0.5 * dcu.unwrap_or(1.0)),
                _ => (p.cu, p.cmax) = (dcmax.filter(|c| c.is_finite()).unwrap_or(1.0), f64::NAN),
            }
        }
        11 => p.threads = inp.pick(&[1025, 2000, u32::MAX, 1 << 31]),
        12 => match (call.api, inp.u8() % 2) {
            (Api::Whole, _) => (call.raster_width, call.width) = (0, 0),
            (Api::Region, 0) => call.raster_width = 0,
            (Api::Region, _) => call.width = 0,
        },
        13 => match (call.api, inp.u8() % 2) {
            (Api::Whole, _) => (call.raster_height, call.height) = (0, 0),
            (Api::Region, 0) => call.raster_height = 0,
            (Api::Region, _) => call.height = 0,
        },
        14 | 15 => {
            let row = 4usize.wrapping_mul(if fault == 14 { stride_row_floats(call).0 } else { call.width });
            let stride = if fault == 14 { &mut call.src_stride } else { &mut call.dst_stride };
            *stride = match inp.u8() % 4 {
                0 => row.saturating_sub(4),
                1 => stride.wrapping_add(1 + inp.below(3)),
                2 => 0,
                _ => row.saturating_sub(1),
            };
        }
        16 => call.src = call.src.wrapping_add(1 + inp.below(3)),
        17 => call.dst = call.dst.wrapping_add(1 + inp.below(3)),
        18 => {
            if let Some(p) = call.params {
                if let (ENH_LEE_OK, need) = model::scratch_query(call.width, call.height, &p) {
                    if need > 0 {
                        // Any length below the need will do: a short one
                        // keeps the buffer cheap to allocate and fill.
                        let len = (need - 1 - inp.u16() as usize % need).min(inp.u16() as usize);
                        let mut s = ScratchBuf::new(len, inp.below(8));
                        (call.scratch, call.scratch_bytes) = (s.addr(), len);
                        *scratch = Some(s);
                    }
                }
            }
        }
        19 => (call.scratch, call.scratch_bytes) = (0, 1 + inp.u16() as usize),
        20 | 21 if fault == 20 || call.api == Api::Whole => {
            // dst moved into src (or src into dst), or the same start with
            // another stride.
            match inp.u8() % 3 {
                0 => call.dst = call.src.wrapping_add(4 * (1 + inp.u16() as usize % 64)),
                1 => call.dst = call.src.saturating_sub(4 * (1 + inp.u16() as usize % 64)).max(arena.base()),
                _ => {
                    call.dst = call.src;
                    call.dst_stride = call.src_stride.wrapping_add(4 * (1 + inp.below(4)));
                }
            }
        }
        21 => {
            // Region off the raster.
            match inp.u8() % 5 {
                0 => call.x_off = call.raster_width.wrapping_sub(call.width).wrapping_add(1 + inp.below(4)),
                1 => call.y_off = call.raster_height.wrapping_sub(call.height).wrapping_add(1 + inp.below(4)),
                2 => call.width = call.raster_width.wrapping_sub(call.x_off).wrapping_add(1),
                3 => call.x_off = usize::MAX - inp.below(4),
                _ => call.y_off = (usize::MAX - call.height).wrapping_add(1 + inp.below(4)),
            }
        }
        22 => {
            // A pointer so high that the buffer would wrap the address space.
            let high = (usize::MAX - 4 * inp.below(16)) & !3;
            if inp.u8() % 2 == 0 {
                call.src = high;
            } else {
                call.dst = high;
            }
        }
        _ => {
            // A row that overflows the address space.
            let huge = (usize::MAX >> 2) + 1 + inp.below(1000);
            match call.api {
                Api::Whole => (call.raster_width, call.width) = (huge, huge),
                Api::Region => call.raster_width = call.raster_width.max(huge),
            }
        }
    }
    if (3..=11).contains(&fault) && had_params {
        call.params = Some(params);
    }
}

/// The source window's width and height (the region's when unknown).
fn stride_row_floats(call: &Call) -> (usize, usize) {
    let halo = call.params.as_ref().and_then(model::halo).unwrap_or(0);
    let region = Rect { x: call.x_off, y: call.y_off, w: call.width, h: call.height };
    if call.x_off.checked_add(call.width).is_some_and(|e| e <= call.raster_width)
        && call.y_off.checked_add(call.height).is_some_and(|e| e <= call.raster_height)
    {
        let s = model::source_rect(region, halo, call.raster_width, call.raster_height);
        (s.w, s.h)
    } else {
        (call.width, call.height)
    }
}

// ---------------------------------------------------------------------------
// Running and checking one call

fn fail(what: &str, call: &Call, extra: &str) -> ! {
    panic!("enh-lee fuzz finding: {what}\n{extra}\ncall: {call:#?}");
}

/// Makes `call` when the model says it is safe, checks its status and the
/// bytes of `arena` (only the `dst` pixels may change, and only on success).
/// Returns whether the call was made and succeeded.
fn run_call(call: &Call, arena: &Arena) -> bool {
    let verdict = model::model(call);
    if verdict.errors.is_empty() {
        // A valid call touches src, dst and maybe the library's own scratch:
        // the harness makes it only when those are inside its buffers.
        let (Some(s), Some(d)) = (verdict.src_range, verdict.dst_range) else {
            fail("the model found no error but no buffer ranges", call, "")
        };
        if !arena.contains(s.0, s.1) || !arena.contains(d.0, d.1) {
            return false;
        }
        if call.scratch == 0 && verdict.scratch_need.is_none_or(|n| n > SCRATCH_CAP) {
            return false;
        }
    }
    let before = arena.bits();
    let status = call.invoke();
    let after = arena.bits();
    let describe = |s: EnhLeeStatus| {
        // SAFETY: the message is a static NUL-terminated string.
        format!("{s} ({})", unsafe { CStr::from_ptr(enh_lee_status_message(s)) }.to_string_lossy())
    };
    if status == ENH_LEE_ERROR_INTERNAL {
        fail("ENH_LEE_ERROR_INTERNAL (a panic inside the library)", call, &format!("expected: {:?}", verdict.errors));
    }
    if verdict.errors.is_empty() && status != ENH_LEE_OK && !verdict.may_fail.contains(&status) {
        fail(&format!("a valid call failed with {}", describe(status)), call, "");
    }
    if !verdict.errors.is_empty() && !verdict.errors.contains(&status) && !verdict.may_fail.contains(&status) {
        let expected: Vec<String> = verdict.errors.iter().map(|&e| describe(e)).collect();
        fail(&format!("returned {}", describe(status)), call, &format!("expected one of {expected:?}"));
    }
    // Which arena floats may change: the dst pixels, on success.
    let mut may_change = vec![false; before.len()];
    if status == ENH_LEE_OK {
        let first = (call.dst - arena.base()) / 4;
        for y in 0..call.height {
            for x in 0..call.width {
                may_change[first + y * call.dst_stride / 4 + x] = true;
            }
        }
    }
    for (i, (b, a)) in before.iter().zip(&after).enumerate() {
        if b != a && !may_change[i] {
            fail(
                &format!("status {} but a float outside the output pixels changed", describe(status)),
                call,
                &format!("arena float {i} (address {:#x}): {b:#010x} -> {a:#010x}", arena.addr(i)),
            );
        }
    }
    status == ENH_LEE_OK
}

/// The dst pixels of a successful call, row by row.
fn read_dst(call: &Call, arena: &Arena) -> Vec<f32> {
    let first = (call.dst - arena.base()) / 4;
    let mut out = Vec::with_capacity(call.width * call.height);
    for y in 0..call.height {
        let row = first + y * call.dst_stride / 4;
        out.extend_from_slice(&arena.buf[row..row + call.width]);
    }
    out
}

/// Checks output pixel `(y, x)` of a region at `(x0, y0)` in a raster.
fn check_pixel(means: &mut Means, ry: usize, rx: usize, out: f32, call: &Call) {
    let expect = reference::expect(means, ry, rx);
    if let Err(e) = expect.check(out, strict()) {
        fail(
            &format!("pixel (row {ry}, col {rx}) of the raster: {e}"),
            call,
            &format!("expectation: {expect:?}"),
        );
    }
    if !expect.strict_ok(out) && STRICT_NOTES.fetch_add(1, Ordering::Relaxed) < 5 {
        eprintln!(
            "note: pixel (row {ry}, col {rx}) misses the plain SPEC tolerance but is within the rounding \
             range of an f64 evaluation (ill-conditioned): out {out:e}, {expect:?}"
        );
    }
}

/// Window pixels the reference may visit per input: it is the cost of the
/// target (a direct loop over each checked pixel's window, instrumented),
/// so it bounds the time of an input.
const REFERENCE_BUDGET: usize = 16_000;

/// Window pixels the reference may visit for the local means of the
/// residual statistic (see [`small`]).
const MEANS_BUDGET: usize = 64_000;

/// The pixels of a `width x height` region checked against the reference:
/// every one when their windows fit [`REFERENCE_BUDGET`], else the corners,
/// then the pixels of the edge rows and columns (where the border rules
/// and the region's halo apply), then random ones, as many as fit.
fn checked_pixels(width: usize, height: usize, p: &Fields, rng: &mut Rng) -> Vec<(usize, usize)> {
    let per_pixel = (p.window as usize).pow(2) * if p.statistic == STATISTIC_RESIDUAL { 2 } else { 1 };
    let count = (REFERENCE_BUDGET / per_pixel).max(8);
    if width * height <= count {
        return (0..height).flat_map(|y| (0..width).map(move |x| (y, x))).collect();
    }
    let (last_y, last_x) = (height - 1, width - 1);
    let mut pixels = vec![(0, 0), (0, last_x), (last_y, 0), (last_y, last_x)];
    let edges = (0..width).flat_map(|x| [(0, x), (last_y, x)]).chain((0..height).flat_map(|y| [(y, 0), (y, last_x)]));
    let edges: Vec<_> = edges.collect();
    let half = count / 2;
    while pixels.len() < half {
        pixels.push(edges[rng.below(edges.len())]);
    }
    while pixels.len() < count {
        pixels.push((rng.below(height), rng.below(width)));
    }
    pixels
}

/// Filters `raster` whole, out of place, with one thread and library
/// scratch: the result every other call must reproduce bit for bit.
fn canonical(raster: &Raster, p: &Fields) -> Option<Vec<f32>> {
    let p = Fields { threads: 1, ..*p };
    let mut out = vec![f32::from_bits(SENTINEL); raster.data.len()];
    let stride = 4 * raster.width;
    let (status, need) = model::scratch_query(raster.width, raster.height, &p);
    if status != ENH_LEE_OK || need > SCRATCH_CAP {
        return None;
    }
    let h = p.handle().ok()?;
    // SAFETY: both buffers hold the whole raster contiguously.
    let status = unsafe {
        enh_lee_filter(
            h.as_ptr(),
            &image(raster.data.as_ptr(), raster.width, raster.height, stride),
            &image(out.as_mut_ptr(), raster.width, raster.height, stride),
            std::ptr::null_mut(),
            0,
        )
    };
    assert_eq!(status, ENH_LEE_OK, "canonical call failed: {p:?} {}x{}", raster.width, raster.height);
    Some(out)
}

fn compare_bits(what: &str, got: &[f32], want: &[f32], call: &Call) {
    if let Some(i) = got.iter().zip(want).position(|(g, w)| g.to_bits() != w.to_bits()) {
        fail(
            &format!("{what}: output pixel {i} differs bit for bit"),
            call,
            &format!("got {:?} ({:#010x}), want {:?} ({:#010x})", got[i], got[i].to_bits(), want[i], want[i].to_bits()),
        );
    }
}

// ---------------------------------------------------------------------------
// Scenarios

/// Giant raster sides for regions: only the region and its halo exist.
/// Up to the library's limit (2^60) and beyond (finding 1).
const GIANT: [usize; 12] = [
    1 << 20,
    1 << 32,
    (1 << 60) - 1,
    1 << 60,
    (1 << 60) + 1,
    1 << 61,
    1 << 62,
    usize::MAX >> 1,
    usize::MAX - 1,
    usize::MAX,
    100_000,
    40,
];

fn small(inp: &mut Input, api: Api) {
    let mut fault1 = decode_fault(inp.u8(), 96);
    let mut fault2 = decode_fault(inp.u8(), 24);
    let mut p = decode_params(inp);
    let of_family = decode_family(inp, &mut p, api);
    if of_family {
        (fault1, fault2) = (None, None);
    }
    // Raster and region.
    let giant = api == Api::Region && inp.u8() % 4 == 0;
    let (rw, rh, region) = if giant {
        let (rw, rh) = (inp.pick(&GIANT), inp.pick(&GIANT));
        let (w, h) = (1 + inp.below(12), 1 + inp.below(12));
        let halo = model::halo(&p).unwrap();
        let place = |inp: &mut Input, len: usize, side: usize| -> usize {
            let last = side - len;
            match inp.u8() % 8 {
                0 => 0,
                1 => 1.min(last),
                2 => halo.min(last),
                3 => side / 2 - len / 2,
                4 => last,
                5 => last.saturating_sub(1),
                6 => last.saturating_sub(halo + 1),
                _ => last.saturating_sub(inp.u16() as usize),
            }
        };
        let (w, h) = (w.min(rw), h.min(rh));
        let x = place(inp, w, rw);
        let y = place(inp, h, rh);
        (rw, rh, Rect { x, y, w, h })
    } else {
        let (rw, rh) = match inp.u8() % 4 {
            0 | 1 => (1 + inp.below(40), 1 + inp.below(40)),
            2 => (1 + inp.below(4), 1 + inp.below(4)),
            _ if inp.u8() % 2 == 0 => (1 + inp.below(6), 33 + inp.below(98)),
            _ => (33 + inp.below(98), 1 + inp.below(6)),
        };
        let region = if api == Api::Region {
            let (x, y) = (inp.below(rw), inp.below(rh));
            let (w, h) = (1 + inp.below(rw - x), 1 + inp.below(rh - y));
            if inp.u8() % 4 == 0 { Rect { x: 0, y: 0, w: rw, h: rh } } else { Rect { x, y, w, h } }
        } else {
            Rect { x: 0, y: 0, w: rw, h: rh }
        };
        (rw, rh, region)
    };
    // Keep the reference cheap: under the residual statistic it needs the
    // local mean of every pixel the checked windows touch (up to the whole
    // source window), each a loop over a window; large windows only where
    // that fits MEANS_BUDGET.
    let mut source = model::source_rect(region, model::halo(&p).unwrap(), rw, rh);
    while p.statistic == STATISTIC_RESIDUAL
        && p.window > 3
        && source.w * source.h * (p.window as usize).pow(2) > MEANS_BUDGET
    {
        p.window -= 2;
        source = model::source_rect(region, model::halo(&p).unwrap(), rw, rh);
    }
    let halo = model::halo(&p).unwrap();
    // Pixels: the whole raster when it is small, else the source window
    // only (the region's output depends on nothing else).
    let full = !giant;
    let (img_w, img_h) = if full { (rw, rh) } else { (source.w, source.h) };
    let tame = match p.filter {
        _ if !of_family => Tame::No,
        // A ramp ties Refined Lee's gradients, and puts pixels exactly on
        // Lee Sigma's range ends (docs/filters.md: either side is right).
        FILTER_REFINED_LEE | FILTER_LEE_SIGMA => Tame::Speckle,
        _ => Tame::Ramps,
    };
    let pixels = gen_pixels(inp, img_w, img_h, p.nodata, false, tame);
    let image = Raster { data: &pixels, width: img_w, height: img_h };
    point_threshold(inp, &mut p, image, api);
    let (ox, oy) = if full { (0, 0) } else { (source.x, source.y) };

    // Layout in one arena: [guard] src [gap] dst [tail] or dst first, or
    // in place, or dst inside src's rows.
    let layout = inp.u8();
    let src_pad = inp.below(4);
    let dst_pad = inp.below(4);
    let ssf = source.w + src_pad;
    let whole = source == region;
    let in_place = layout % 4 == 2 && whole;
    let dsf = if in_place { ssf } else { region.w + dst_pad };
    let src_ext = (source.h - 1) * ssf + source.w;
    let dst_ext = (region.h - 1) * dsf + region.w;
    let guard = 1 + inp.below(3);
    let gap = inp.below(3);
    let (src_off, dst_off) = match layout % 4 {
        _ if in_place => (guard, guard),
        1 => (guard + dst_ext + gap, guard),
        3 => (guard, guard + source.w.min(src_ext - 1) + gap), // rows interleaved or overlapping
        _ => (guard, guard + src_ext + gap),
    };
    let total = (src_off + src_ext).max(dst_off + dst_ext) + inp.below(3);
    let mut arena = Arena::new(total);
    for y in 0..source.h {
        for x in 0..source.w {
            arena.buf[src_off + y * ssf + x] = image.at(source.y - oy + y, source.x - ox + x);
        }
    }
    let mut call = Call {
        api,
        src: arena.addr(src_off),
        src_stride: 4 * ssf,
        dst: arena.addr(dst_off),
        dst_stride: 4 * dsf,
        raster_width: rw,
        raster_height: rh,
        x_off: region.x,
        y_off: region.y,
        width: region.w,
        height: region.h,
        params: Some(p),
        scratch: 0,
        scratch_bytes: 0,
    };
    // Scratch: the library's, exactly the query, more, or at an odd address.
    let mode = inp.u8() % 4;
    let extra = inp.below(64);
    let offset = 1 + inp.below(7);
    let mut scratch = None;
    if mode != 0 {
        if let (ENH_LEE_OK, need) = model::scratch_query(region.w, region.h, &p) {
            if need <= SCRATCH_CAP {
                let (len, off) = match mode {
                    1 => (need, 0),
                    2 => (need + extra, 0),
                    _ => (need, offset),
                };
                let mut s = ScratchBuf::new(len, off);
                (call.scratch, call.scratch_bytes) = (s.addr(), len);
                scratch = Some(s);
            }
        }
    }
    let planned = call;
    for f in [fault1, fault2].into_iter().flatten() {
        apply_fault(f, &mut call, inp, &arena, &mut scratch);
    }
    if !run_call(&call, &arena) {
        return;
    }
    // A fault that did not make the call invalid but moved a buffer or
    // resized the raster: the call was checked, its pixels mean nothing.
    let same_geometry = (call.src, call.src_stride, call.dst, call.dst_stride)
        == (planned.src, planned.src_stride, planned.dst, planned.dst_stride)
        && (call.raster_width, call.raster_height, call.x_off, call.y_off, call.width, call.height)
            == (rw, rh, region.x, region.y, region.w, region.h)
        && call.params.as_ref().and_then(model::halo) == Some(halo);
    if !same_geometry {
        return;
    }
    // The call succeeded: check every output pixel against the reference.
    let p = resolved_looks(call.params.unwrap(), &image);
    let out = read_dst(&call, &arena);
    let mut rng = Rng(inp.u64());
    let checked = checked_pixels(region.w, region.h, &p, &mut rng);
    if of_family {
        let oracle = family_of(&p);
        let mut expected = family::Family::new(&oracle, image);
        // A quarter of the budget (corners and edges first): the rules that
        // read the window pixel by pixel cost several times the point rules.
        let budget = checked.len().div_ceil(4).max(8.min(checked.len()));
        for (y, x) in checked.into_iter().take(budget) {
            let (ry, rx) = (region.y + y - oy, region.x + x - ox);
            let (got, want) = (out[y * region.w + x], expected.at(ry, rx));
            if !want.accepts(got) {
                fail(
                    &format!("pixel (row {ry}, col {rx}) of the raster: {got:e} against the oracle's {oracle:?}"),
                    &call,
                    &format!("expectation: {want:?}"),
                );
            }
        }
    } else {
        let mut means = Means::new(image, spec_of(&p));
        for (y, x) in checked {
            check_pixel(&mut means, region.y + y - oy, region.x + x - ox, out[y * region.w + x], &call);
        }
    }
    // And bit for bit against the canonical call.
    if full {
        if let Some(want) = canonical(&image, &p) {
            let want: Vec<f32> = (0..region.h)
                .flat_map(|y| want[(region.y + y) * rw + region.x..][..region.w].to_vec())
                .collect();
            compare_bits("against the whole image, out of place, one thread", &out, &want, &call);
        }
    }
    drop(scratch);
}

/// Long thin images, sampled against the reference.
fn long(inp: &mut Input) {
    let (w, h) = inp.pick(&[
        (1_100, 1),
        (1, 1_100),
        (1_100, 2),
        (2, 1_100),
        (1_099, 1),
        (1, 513),
        (3, 401),
        (401, 3),
    ]);
    let mut p = decode_params(inp);
    // Scratch grows with window * width, and a row costs O(width + window):
    // small windows keep this scenario cheap. 1100 pixels are still
    // several tiles (512 to 574 columns at these windows) and sub-bands
    // (128 rows).
    p.window = p.window.min(9);
    p.threads = inp.pick(&[0, 1, 2, 3, 4]);
    if !model::params_valid(&p) {
        return;
    }
    let Ok(handle) = p.handle() else { return };
    let pixels = gen_pixels(inp, w, h, p.nodata, true, Tame::No);
    let raster = Raster { data: &pixels, width: w, height: h };
    let mut out = vec![f32::from_bits(SENTINEL); w * h];
    let (status, need) = model::scratch_query(w, h, &p);
    assert_eq!(status, ENH_LEE_OK, "scratch query failed for a valid {w}x{h} call: {p:?}");
    let mut scratch = (inp.u8() % 2 == 1).then(|| ScratchBuf::new(need, 0));
    let call = Call {
        api: Api::Whole,
        src: pixels.as_ptr() as usize,
        src_stride: 4 * w,
        dst: out.as_mut_ptr() as usize,
        dst_stride: 4 * w,
        raster_width: w,
        raster_height: h,
        x_off: 0,
        y_off: 0,
        width: w,
        height: h,
        params: Some(p),
        scratch: scratch.as_mut().map_or(0, |s| s.addr()),
        scratch_bytes: scratch.as_ref().map_or(0, |_| need),
    };
    let status = call.invoke();
    if status != ENH_LEE_OK {
        fail(&format!("a valid long call failed with {status}"), &call, "");
    }
    // Sample: both ends along the long side, and random pixels.
    let mut means = Means::new(raster, spec_of(&p));
    let halo = model::halo(&p).unwrap();
    let n = w * h;
    let mut rng = Rng(inp.u64());
    let ends = (2 * halo + 2).min(n);
    let samples: Vec<usize> = (0..ends).chain(n - ends..n).chain((0..48).map(|_| rng.below(n))).collect();
    for i in samples {
        check_pixel(&mut means, i / w, i % w, out[i], &call);
    }
    // In place, one thread: the same bits.
    let mut again = pixels.clone();
    let p1 = Fields { threads: 1, ..p };
    let h1 = p1.handle().expect("valid parameters");
    // SAFETY: in place on a whole contiguous image.
    let status = unsafe {
        let inout = image(again.as_mut_ptr(), w, h, 4 * w);
        enh_lee_filter(h1.as_ptr(), &inout, &inout, std::ptr::null_mut(), 0)
    };
    assert_eq!(status, ENH_LEE_OK);
    compare_bits("in place with one thread", &again, &out, &call);
    // A strip of the long side, through the region call.
    let long_x = w >= h;
    let side = if long_x { w } else { h };
    let start = rng.below(side);
    let len = 1 + rng.below((side - start).min(600));
    let region = if long_x {
        Rect { x: start, y: 0, w: len, h }
    } else {
        Rect { x: 0, y: start, w, h: len }
    };
    let source = model::source_rect(region, halo, w, h);
    let src: Vec<f32> =
        (0..source.h).flat_map(|y| pixels[(source.y + y) * w + source.x..][..source.w].to_vec()).collect();
    let mut dst = vec![f32::from_bits(SENTINEL); region.w * region.h];
    // SAFETY: src holds the source window, dst the region, both contiguous.
    let status = unsafe {
        let mut plan: *mut EnhLeePlan = std::ptr::null_mut();
        let status = enh_lee_plan_new(handle.as_ptr(), w, h, 1, 0, &mut plan);
        if status == ENH_LEE_OK {
            let status = enh_lee_plan_filter_region(
                plan,
                &image(src.as_ptr(), source.w, source.h, 4 * source.w),
                EnhLeeRegion { x_off: region.x, y_off: region.y, width: region.w, height: region.h },
                &image(dst.as_mut_ptr(), region.w, region.h, 4 * region.w),
                std::ptr::null_mut(),
                0,
            );
            enh_lee_plan_free(plan);
            status
        } else {
            status
        }
    };
    assert_eq!(status, ENH_LEE_OK, "strip {region:?} of {w}x{h}");
    let want: Vec<f32> =
        (0..region.h).flat_map(|y| out[(region.y + y) * w + region.x..][..region.w].to_vec()).collect();
    compare_bits(&format!("strip {region:?} through the region call"), &dst, &want, &call);
}

/// Sizes, strides and offsets up to `usize::MAX` with a tiny buffer: only
/// calls that must fail before they touch anything are made.
fn huge(inp: &mut Input) {
    const BIG: [usize; 18] = [
        0,
        1,
        2,
        3,
        7,
        100_000,
        1 << 20,
        1 << 31,
        1 << 32,
        1 << 40,
        1 << 61,
        1 << 62,
        usize::MAX >> 2,
        (usize::MAX >> 2) + 1,
        isize::MAX as usize,
        isize::MAX as usize + 1,
        usize::MAX - 1,
        usize::MAX,
    ];
    let dim = |inp: &mut Input| if inp.u8() < 230 { inp.pick(&BIG) } else { inp.u64() as usize };
    let fault = decode_fault(inp.u8(), 128);
    let mut p = decode_params(inp);
    if inp.u8() % 4 == 0 {
        p.window = inp.pick(&[101, 1001, 65_537, 1 << 20 | 1, u32::MAX - 2, u32::MAX]);
    }
    let api = if inp.u8() % 2 == 0 { Api::Whole } else { Api::Region };
    let (rw, rh) = (dim(inp), dim(inp));
    let (x_off, y_off, w, h) = match api {
        Api::Whole => (0, 0, rw, rh),
        Api::Region => {
            let off = |inp: &mut Input, side: usize| match inp.u8() % 6 {
                0 => 0,
                1 => 1,
                2 => side.wrapping_sub(1),
                3 => side,
                4 => side / 2,
                _ => dim(inp),
            };
            (off(inp, rw), off(inp, rh), dim(inp), dim(inp))
        }
    };
    let stride = |inp: &mut Input, width: usize| match inp.u8() % 12 {
        0 => inp.pick(&[0, 1, 2, 3, 4, 5, 8]),
        1..=3 => width.wrapping_mul(4),
        4 => width.wrapping_mul(4).wrapping_add(1),
        5 => width.wrapping_mul(4).wrapping_sub(4),
        6 => usize::MAX,
        7 => usize::MAX & !3,
        8 => 1 << 62,
        9 => (1 << 62) + 4,
        10 => width.wrapping_mul(8),
        _ => inp.u64() as usize,
    };
    let ss = stride(inp, rw);
    let ds = stride(inp, w);
    let arena = Arena::new(64);
    let ptr = |inp: &mut Input| match inp.u8() % 8 {
        0..=2 => arena.addr(0),
        3 => arena.addr(0) + 1 + inp.below(3),
        4 => 0,
        5 => (usize::MAX & !3) - 4 * inp.below(64),
        6 => arena.addr(1 + inp.below(32)),
        _ => 0x1000,
    };
    let src = ptr(inp);
    let dst = if inp.u8() % 4 == 0 { src } else { ptr(inp) };
    let mut scratch_buf = ScratchBuf::new(16, 0);
    let (scratch, scratch_bytes) = match inp.u8() % 4 {
        0 => (0, 0),
        1 => (0, dim(inp)),
        2 => (scratch_buf.addr(), 16),
        _ => (scratch_buf.addr(), inp.below(17)),
    };
    let mut call = Call {
        api,
        src,
        src_stride: ss,
        dst,
        dst_stride: ds,
        raster_width: rw,
        raster_height: rh,
        x_off,
        y_off,
        width: w,
        height: h,
        params: Some(p),
        scratch,
        scratch_bytes,
    };
    let mut no_scratch = None;
    if let Some(f) = fault {
        apply_fault(f, &mut call, inp, &arena, &mut no_scratch);
    }
    if model::model(&call).errors.is_empty() {
        // Valid: it would read and write gigabytes. Not made.
        return;
    }
    run_call(&call, &arena);
}

/// The queries and the static strings, with hostile arguments.
fn queries(inp: &mut Input) {
    // Status messages: any value, a static non-empty ASCII sentence.
    let status = inp.u32() as i32;
    for s in [status, -1, 0, 20, 21, i32::MIN, i32::MAX] {
        let m = enh_lee_status_message(s);
        assert!(!m.is_null(), "enh_lee_status_message({s}) is NULL");
        // SAFETY: documented as a static NUL-terminated string.
        let m = unsafe { CStr::from_ptr(m) }.to_str().expect("UTF-8 message");
        assert!(!m.is_empty() && m.is_ascii(), "message of {s}: {m:?}");
    }
    // SAFETY: documented as a static NUL-terminated string.
    let version = unsafe { CStr::from_ptr(enh_lee_version()) }.to_str().unwrap();
    assert_eq!(
        version,
        format!("{ENH_LEE_VERSION_MAJOR}.{ENH_LEE_VERSION_MINOR}.{ENH_LEE_VERSION_PATCH}")
    );

    let fault = decode_fault(inp.u8(), 128);
    let mut p = decode_params(inp);
    if inp.u8() % 3 == 0 {
        p.window = inp.pick(&[101, 1001, 65_537, 1 << 20 | 1, 1 << 30 | 1, u32::MAX - 2, u32::MAX]);
    }
    if inp.u8() % 4 == 0 {
        p.threads = inp.pick(&[0, 1, 7, 64, 1024]);
    }
    let mut params = Some(p);
    let dims = [0usize, 1, 2, 31, 32, 33, 1000, 100_000, 1 << 32, 1 << 61, usize::MAX >> 3, usize::MAX];
    let (w, h) = (inp.pick(&dims), inp.pick(&dims));
    let (mut out_null, mut halo_out_null) = (false, false);
    if let Some(f) = fault {
        match f % 6 {
            0 => params = None,
            1 => out_null = true,
            2 => halo_out_null = true,
            _ => {
                let arena = Arena::new(1);
                let mut call = Call {
                    api: Api::Whole,
                    src: 0,
                    src_stride: 0,
                    dst: 0,
                    dst_stride: 0,
                    raster_width: w,
                    raster_height: h,
                    x_off: 0,
                    y_off: 0,
                    width: w,
                    height: h,
                    params,
                    scratch: 0,
                    scratch_bytes: 0,
                };
                // Only the parameter faults matter here.
                apply_fault(3 + inp.below(9) as u8, &mut call, inp, &arena, &mut None);
                params = call.params;
            }
        }
    }
    // Parameters the library refuses when they are set give that status
    // for every call (they cannot reach one since ABI 0.5).
    let handle = params.as_ref().map(Fields::handle);
    let refused = match &handle {
        Some(Err(status)) => Some(*status),
        _ => None,
    };
    let pp = match &handle {
        Some(Ok(h)) => h.as_ptr(),
        _ => std::ptr::null(),
    };

    // enh_lee_scratch_size
    let mut bytes = OUT_SENTINEL;
    let out = if out_null { std::ptr::null_mut() } else { &mut bytes as *mut usize };
    // SAFETY: pp and out are NULL or point at locals.
    let status = refused.unwrap_or_else(|| unsafe { enh_lee_scratch_size(w, h, pp, out) });
    let mut expected = Vec::new();
    match &params {
        None => expected.push(ENH_LEE_ERROR_NULL_POINTER),
        Some(p) => {
            model::param_errors(p, &mut expected);
            if out_null {
                expected.push(ENH_LEE_ERROR_NULL_POINTER);
            }
            if w == 0 || h == 0 {
                expected.push(ENH_LEE_ERROR_EMPTY_IMAGE);
            }
        }
    }
    let pool = rayon::current_num_threads();
    let bound = params.as_ref().map(|p| model::scratch_bound(w, p, pool));
    let ctx = || format!("enh_lee_scratch_size({w}, {h}, {params:?}, out null: {out_null})");
    if status == ENH_LEE_ERROR_INTERNAL {
        panic!("enh-lee fuzz finding: ENH_LEE_ERROR_INTERNAL from {}", ctx());
    }
    if expected.is_empty() {
        let may_overflow = bound.is_some_and(|b| b >= 1u128 << 62);
        match status {
            ENH_LEE_OK => {
                assert!(bytes <= isize::MAX as usize, "enh-lee fuzz finding: {} = {bytes}", ctx());
                assert!(
                    (bytes as u128) <= bound.unwrap(),
                    "enh-lee fuzz finding: {} = {bytes} exceeds O(threads*window*width) bound {}",
                    ctx(),
                    bound.unwrap()
                );
                // Not more for a taller image than for the tallest one, and
                // not less for a wider one.
                // (The tallest raster may be refused: sides above 2^60 and
                // pixel counts that overflow are SIZE_OVERFLOW, finding 1.)
                let (s2, tallest) = model::scratch_query(w, usize::MAX, params.as_ref().unwrap());
                assert!(
                    s2 == ENH_LEE_ERROR_SIZE_OVERFLOW || (s2 == ENH_LEE_OK && bytes <= tallest),
                    "enh-lee fuzz finding: {} = {bytes}, height MAX gives {s2}/{tallest}",
                    ctx()
                );
                if let Some(w2) = w.checked_add(1) {
                    let (s3, wider) = model::scratch_query(w2, h, params.as_ref().unwrap());
                    assert!(
                        s3 != ENH_LEE_OK || wider >= bytes,
                        "enh-lee fuzz finding: {} = {bytes} but width + 1 gives {wider}",
                        ctx()
                    );
                }
            }
            ENH_LEE_ERROR_SIZE_OVERFLOW if may_overflow => assert_eq!(bytes, OUT_SENTINEL),
            _ => panic!("enh-lee fuzz finding: {} returned {status} (bound {bound:?})", ctx()),
        }
    } else {
        assert!(expected.contains(&status), "enh-lee fuzz finding: {} returned {status}, expected one of {expected:?}", ctx());
        assert_eq!(bytes, OUT_SENTINEL, "enh-lee fuzz finding: {} wrote *out_bytes on error", ctx());
    }

    // enh_lee_halo
    let mut pixels = OUT_SENTINEL;
    let out = if halo_out_null { std::ptr::null_mut() } else { &mut pixels as *mut usize };
    // SAFETY: pp and out are NULL or point at locals.
    let status = refused.unwrap_or_else(|| unsafe { enh_lee_halo(pp, out) });
    let mut expected = Vec::new();
    match &params {
        None => expected.push(ENH_LEE_ERROR_NULL_POINTER),
        Some(p) => {
            model::param_errors(p, &mut expected);
            if halo_out_null {
                expected.push(ENH_LEE_ERROR_NULL_POINTER);
            }
        }
    }
    let ctx = || format!("enh_lee_halo({params:?}, out null: {halo_out_null})");
    if expected.is_empty() {
        assert_eq!(status, ENH_LEE_OK, "enh-lee fuzz finding: {}", ctx());
        assert_eq!(Some(pixels), model::halo(params.as_ref().unwrap()), "enh-lee fuzz finding: {}", ctx());
    } else {
        assert!(expected.contains(&status), "enh-lee fuzz finding: {} returned {status}, expected one of {expected:?}", ctx());
        assert_eq!(pixels, OUT_SENTINEL, "enh-lee fuzz finding: {} wrote *out_pixels on error", ctx());
    }
}
