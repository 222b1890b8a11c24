//! What the C ABI must answer, written from include/enh_lee.h and SPEC.md
//! ("Errors"): for a call, the set of error codes that apply to it. The
//! header does not fix an order among several errors, so a call with
//! several must return one of them; a call with none must succeed.

use enh_lee::capi::*;

use crate::fields::*;

/// Which entry point a call goes through.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Api {
    /// `enh_lee_filter` on one plane (the region is the whole raster).
    Whole,
    /// `enh_lee_plan_filter_region` with a plan of the raster
    /// (`enh_lee_plan_new`).
    Region,
}

/// One filtering call, every argument as the C caller passes it
/// (pointers as addresses).
#[derive(Clone, Copy, Debug)]
pub struct Call {
    pub api: Api,
    pub src: usize,
    pub src_stride: usize,
    pub dst: usize,
    pub dst_stride: usize,
    pub raster_width: usize,
    pub raster_height: usize,
    pub x_off: usize,
    pub y_off: usize,
    pub width: usize,
    pub height: usize,
    /// `None`: a NULL params pointer.
    pub params: Option<Fields>,
    pub scratch: usize,
    pub scratch_bytes: usize,
}

impl Call {
    /// Makes the call.
    pub fn invoke(&self) -> EnhLeeStatus {
        // Parameters the library refuses when they are set give that status
        // (they cannot reach a call since ABI 0.5).
        let handle = match self.params.as_ref().map(Fields::handle) {
            Some(Err(status)) => return status,
            handle => handle.map(Result::unwrap),
        };
        let params = handle.as_ref().map_or(std::ptr::null(), Handle::as_ptr);
        let image = |data: usize, width: usize, height: usize, row_stride: usize| EnhLeeImage {
            data: data as *mut core::ffi::c_void,
            element: ENH_LEE_ELEMENT_FLOAT32,
            reserved: 0,
            width,
            height,
            row_stride,
            planes: 1,
            plane_stride: 0,
        };
        let scratch = self.scratch as *mut core::ffi::c_void;
        // SAFETY: the fuzz harness only makes calls whose buffers are valid
        // for what the call may touch, or calls the model says must fail
        // before touching anything.
        unsafe {
            match self.api {
                Api::Whole => enh_lee_filter(
                    params,
                    &image(self.src, self.raster_width, self.raster_height, self.src_stride),
                    &image(self.dst, self.raster_width, self.raster_height, self.dst_stride),
                    scratch,
                    self.scratch_bytes,
                ),
                Api::Region => {
                    // The source: the region grown by the halo, clipped
                    // (enh_lee_source_region); where that fails, the
                    // region's size, and the plan's calls report it.
                    let region = EnhLeeRegion {
                        x_off: self.x_off,
                        y_off: self.y_off,
                        width: self.width,
                        height: self.height,
                    };
                    let mut source = region;
                    if enh_lee_source_region(self.raster_width, self.raster_height, &region, params, &mut source)
                        != ENH_LEE_OK
                    {
                        source = region;
                    }
                    let mut plan: *mut EnhLeePlan = std::ptr::null_mut();
                    let status = enh_lee_plan_new(params, self.raster_width, self.raster_height, 1, 0, &mut plan);
                    if status != ENH_LEE_OK {
                        return status;
                    }
                    let status = enh_lee_plan_filter_region(
                        plan,
                        &image(self.src, source.width, source.height, self.src_stride),
                        region,
                        &image(self.dst, self.width, self.height, self.dst_stride),
                        scratch,
                        self.scratch_bytes,
                    );
                    enh_lee_plan_free(plan);
                    status
                }
            }
        }
    }
}

/// The largest raster side the library accepts (src/filter.rs `MAX_SIDE`,
/// since 644efb7: border arithmetic is done in `isize`); larger sides give
/// SIZE_OVERFLOW. The header does not state it.
pub const MAX_SIDE: usize = 1 << 60;

/// A rectangle in raster coordinates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rect {
    pub x: usize,
    pub y: usize,
    pub w: usize,
    pub h: usize,
}

/// The source window of a region: grown by `halo`, clipped to the raster
/// (the header's "src covers the region grown by the halo on every side,
/// clipped to the raster"). The region must lie inside the raster.
pub fn source_rect(region: Rect, halo: usize, raster_width: usize, raster_height: usize) -> Rect {
    let x0 = region.x.saturating_sub(halo);
    let y0 = region.y.saturating_sub(halo);
    let x1 = (region.x + region.w).saturating_add(halo).min(raster_width);
    let y1 = (region.y + region.h).saturating_add(halo).min(raster_height);
    Rect { x: x0, y: y0, w: x1 - x0, h: y1 - y0 }
}

/// Cu and Cmax derived from looks and signal (SPEC "Inputs"), when they can be.
pub fn derived(signal: u32, looks: f64) -> (Option<f64>, Option<f64>) {
    if !(looks.is_finite() && looks > 0.0) {
        return (None, None);
    }
    let cu = match signal {
        SIGNAL_INTENSITY => Some(1.0 / looks.sqrt()),
        SIGNAL_AMPLITUDE => Some((4.0 / std::f64::consts::PI - 1.0).sqrt() / looks.sqrt()),
        _ => None,
    };
    (cu, Some((1.0 + 2.0 / looks).sqrt()))
}

/// The (cu, cmax) a call uses: explicit ones, or derived.
pub fn coefficients(p: &Fields) -> (Option<f64>, Option<f64>) {
    let (dcu, dcmax) = derived(p.signal, p.looks);
    let cu = if p.cu.is_nan() { dcu } else { Some(p.cu) };
    let cmax = if p.cmax.is_nan() { dcmax } else { Some(p.cmax) };
    (cu, cmax)
}

/// Errors of the parameters alone.
pub fn param_errors(p: &Fields, errors: &mut Vec<EnhLeeStatus>) {
    if p.signal > SIGNAL_AMPLITUDE {
        errors.push(ENH_LEE_ERROR_INVALID_SIGNAL);
    }
    if p.statistic > STATISTIC_RESIDUAL {
        errors.push(ENH_LEE_ERROR_INVALID_STATISTIC);
    }
    if p.border > BORDER_SHRINK {
        errors.push(ENH_LEE_ERROR_INVALID_BORDER);
    }
    if p.compat > 2 {
        errors.push(ENH_LEE_ERROR_INVALID_COMPAT);
    }
    if p.window < 3 || p.window % 2 == 0 {
        errors.push(ENH_LEE_ERROR_INVALID_WINDOW);
    }
    // NaN is looks=auto: estimated by a whole-raster call (see `model`).
    if !(p.looks.is_nan() || (p.looks.is_finite() && p.looks > 0.0)) {
        errors.push(ENH_LEE_ERROR_INVALID_LOOKS);
    }
    if !(p.damping.is_finite() && p.damping >= 0.0) {
        errors.push(ENH_LEE_ERROR_INVALID_DAMPING);
    }
    if p.threads > 1024 {
        errors.push(ENH_LEE_ERROR_INVALID_THREADS);
    }
    let bad = match coefficients(p) {
        (Some(cu), Some(cmax)) => !(cu.is_finite() && cmax.is_finite() && cu >= 0.0 && cu < cmax),
        // One of them cannot be derived (auto, bad looks or signal): the
        // other may still be wrong on its own.
        (cu, cmax) => {
            cu.is_some_and(|c| !(c.is_finite() && c >= 0.0))
                || cmax.is_some_and(|c| !(c.is_finite() && c >= 0.0))
        }
    };
    if bad {
        errors.push(ENH_LEE_ERROR_INVALID_COEFFICIENTS);
    }
}

pub fn params_valid(p: &Fields) -> bool {
    let mut e = Vec::new();
    param_errors(p, &mut e);
    e.is_empty()
}

/// The halo of the header (`enh_lee_halo`), where window and statistic
/// allow computing it.
pub fn halo(p: &Fields) -> Option<usize> {
    if p.window < 3 || p.window % 2 == 0 {
        return None;
    }
    let r = (p.window / 2) as usize;
    match p.statistic {
        // Lee Sigma: a point target's cluster is found by its neighbours'
        // target windows (docs/filters.md).
        _ if p.filter == FILTER_LEE_SIGMA => Some(r.max(2 * (p.target_window / 2) as usize)),
        STATISTIC_WINDOW => Some(r),
        STATISTIC_RESIDUAL => Some(2 * r),
        _ => None,
    }
}

/// Errors of one image buffer; its byte range when it has none.
fn image_errors(
    ptr: usize,
    stride: usize,
    width: usize,
    height: usize,
    errors: &mut Vec<EnhLeeStatus>,
) -> Option<(usize, usize)> {
    let mut ok = true;
    if ptr == 0 {
        errors.push(ENH_LEE_ERROR_NULL_POINTER);
        ok = false;
    } else if ptr % 4 != 0 {
        errors.push(ENH_LEE_ERROR_MISALIGNED);
        ok = false;
    }
    let Some(row) = width.checked_mul(4) else {
        errors.push(ENH_LEE_ERROR_SIZE_OVERFLOW);
        return None;
    };
    if stride % 4 != 0 || stride < row {
        errors.push(ENH_LEE_ERROR_INVALID_STRIDE);
        ok = false;
    }
    let len = (height - 1)
        .checked_mul(stride)
        .and_then(|b| b.checked_add(row))
        .filter(|&b| b <= isize::MAX as usize);
    match len {
        Some(len) if ptr.checked_add(len).is_some() => ok.then_some((ptr, len)),
        _ => {
            errors.push(ENH_LEE_ERROR_SIZE_OVERFLOW);
            None
        }
    }
}

/// `enh_lee_scratch_size` for a region of `width x height` pixels.
pub fn scratch_query(width: usize, height: usize, p: &Fields) -> (EnhLeeStatus, usize) {
    let mut bytes = 0usize;
    let h = match p.handle() {
        Ok(h) => h,
        Err(status) => return (status, bytes),
    };
    // SAFETY: both pointers point at locals.
    let status = unsafe { enh_lee_scratch_size(width, height, h.as_ptr(), &mut bytes) };
    (status, bytes)
}

/// Everything the model says about a call.
#[derive(Clone, Debug)]
pub struct Verdict {
    /// Error codes that apply; empty: the call must succeed, or return one
    /// of `may_fail`.
    pub errors: Vec<EnhLeeStatus>,
    /// Errors any call may also return: SIZE_OVERFLOW for a raster whose
    /// pixels would not fit the address space, or with a side above
    /// [`MAX_SIDE`] (only a region of it is passed, but refusing such a
    /// raster is reasonable).
    pub may_fail: Vec<EnhLeeStatus>,
    /// The source window (raster coordinates), when the region is valid.
    pub source: Option<Rect>,
    /// Byte ranges of src and dst, when both are valid.
    pub src_range: Option<(usize, usize)>,
    pub dst_range: Option<(usize, usize)>,
    /// The scratch size the query reports, when it succeeds.
    pub scratch_need: Option<usize>,
}

pub fn model(call: &Call) -> Verdict {
    let mut errors = Vec::new();
    let mut verdict =
        Verdict {
            errors: Vec::new(),
            may_fail: Vec::new(),
            source: None,
            src_range: None,
            dst_range: None,
            scratch_need: None,
        };
    let Some(p) = call.params else {
        verdict.errors.push(ENH_LEE_ERROR_NULL_POINTER);
        return verdict;
    };
    param_errors(&p, &mut errors);
    let (rw, rh) = (call.raster_width, call.raster_height);
    // looks=auto where the looks are used (Enhanced Lee: Cu or Cmax
    // derived): `enh_lee_filter` estimates them, which can fail, and
    // derives the coefficients from the estimate, which can be refused
    // then; the plan of a region asks for its passes first (the harness
    // runs none).
    if p.looks.is_nan() && (p.cu.is_nan() || p.cmax.is_nan()) {
        if call.api == Api::Whole {
            verdict.may_fail.extend([ENH_LEE_ERROR_LOOKS_NOT_ESTIMABLE, ENH_LEE_ERROR_INVALID_COEFFICIENTS]);
        } else {
            errors.push(ENH_LEE_ERROR_PLAN_STATE);
        }
    }
    if rw > MAX_SIDE
        || rh > MAX_SIDE
        || (rw as u128).checked_mul(rh as u128).map_or(true, |n| n > isize::MAX as u128 / 4)
    {
        verdict.may_fail.push(ENH_LEE_ERROR_SIZE_OVERFLOW);
    }
    if rw == 0 || rh == 0 || call.width == 0 || call.height == 0 {
        errors.push(ENH_LEE_ERROR_EMPTY_IMAGE);
        // Each image descriptor is checked on its own too (a NULL image
        // before an empty one).
        if call.src == 0 || call.dst == 0 {
            errors.push(ENH_LEE_ERROR_NULL_POINTER);
        }
    } else if call.x_off.checked_add(call.width).map_or(true, |e| e > rw)
        || call.y_off.checked_add(call.height).map_or(true, |e| e > rh)
    {
        errors.push(ENH_LEE_ERROR_INVALID_REGION);
        // The descriptors (the source of the region's size: it has no
        // source region) are checked before the region.
        let s = image_errors(call.src, call.src_stride, call.width, call.height, &mut errors);
        let d = image_errors(call.dst, call.dst_stride, call.width, call.height, &mut errors);
        if let (Some(s), Some(d)) = (s, d) {
            if s.0 < d.0 + d.1 && d.0 < s.0 + s.1 {
                errors.push(ENH_LEE_ERROR_PARTIAL_OVERLAP);
            }
        }
    } else if let Some(halo) = halo(&p) {
        let region = Rect { x: call.x_off, y: call.y_off, w: call.width, h: call.height };
        let source = source_rect(region, halo, rw, rh);
        verdict.source = Some(source);
        let s = image_errors(call.src, call.src_stride, source.w, source.h, &mut errors);
        let d = image_errors(call.dst, call.dst_stride, call.width, call.height, &mut errors);
        if let (Some(s), Some(d)) = (s, d) {
            let in_place = call.src == call.dst && call.src_stride == call.dst_stride && source == region;
            if !in_place && s.0 < d.0 + d.1 && d.0 < s.0 + s.1 {
                errors.push(ENH_LEE_ERROR_PARTIAL_OVERLAP);
            }
            verdict.src_range = Some(s);
            verdict.dst_range = Some(d);
        }
    }
    // SPEC: a window wider than twice the raster's larger side plus one
    // (and than 7) is refused; Refined Lee's is its own 7.
    let limit = rw.max(rh).saturating_mul(2).saturating_add(1).max(7);
    if rw > 0 && rh > 0 && p.filter != FILTER_REFINED_LEE && p.window as usize > limit {
        errors.push(ENH_LEE_ERROR_WINDOW_TOO_LARGE);
    }
    if call.scratch == 0 && call.scratch_bytes != 0 {
        errors.push(ENH_LEE_ERROR_NULL_POINTER);
    }
    let (status, need) = scratch_query(call.width, call.height, &p);
    match status {
        ENH_LEE_OK => {
            verdict.scratch_need = Some(need);
            if call.scratch != 0 && call.scratch_bytes < need {
                errors.push(ENH_LEE_ERROR_SCRATCH_TOO_SMALL);
            }
        }
        ENH_LEE_ERROR_SIZE_OVERFLOW => errors.push(ENH_LEE_ERROR_SIZE_OVERFLOW),
        // Parameter or size errors, already in the list (the query scenario
        // checks the query itself).
        _ => {}
    }
    errors.sort_unstable();
    errors.dedup();
    verdict.errors = errors;
    verdict
}

/// A loose upper bound of the scratch a region `width` pixels wide needs
/// (SPEC: O(threads * window * width)); the query must not report more, and
/// may report SIZE_OVERFLOW only when this bound is itself enormous.
pub fn scratch_bound(width: usize, p: &Fields, pool_threads: usize) -> u128 {
    let t = (if p.threads == 0 { pool_threads } else { p.threads as usize } as u128).max(1);
    let w = p.window as u128;
    let width = width as u128;
    // Saturating: with a width near usize::MAX, a window near u32::MAX and
    // thousands of threads the product exceeds u128 (a finding of this
    // harness's own); saturated, it is "enormous", which is all it says.
    let mul = |terms: &[u128]| terms.iter().fold(1u128, |a, &b| a.saturating_mul(b));
    let line = width.saturating_add(3 * w + 3);
    let per_band = mul(&[48, 2 * w + 2, line]).saturating_add(mul(&[64, line]));
    let in_place = mul(&[4, 4 * w * t + 2 * w + 4, width]);
    // Twice the current layout's needs: room for the core to change.
    mul(&[2, mul(&[t, per_band]).saturating_add(in_place).saturating_add(64)])
}
