//! The C ABI (`include/enh_lee.h`, generated from this module by cbindgen).
//!
//! This is the only module with `unsafe` code. Every export catches panics
//! (`ENH_LEE_ERROR_INTERNAL`), checks every pointer, size and stride
//! (with checked arithmetic) before it makes a slice from a raw pointer, and
//! writes its outputs only on success (except after `ENH_LEE_ERROR_INTERNAL`,
//! a caught panic, when `dst` may be partly written).

mod image;
mod plan;
mod status;
mod vocabulary;

use std::ffi::c_char;
use std::panic::{catch_unwind, AssertUnwindSafe};

use ndarray::{ArrayView2, ArrayViewMut2, ShapeBuilder};

pub use image::*;
pub use plan::*;
pub use status::*;
pub use vocabulary::*;

use crate::{
    filter_in_place, filter_region, scratch_len, source_region, Error, KeySearch, LooksSearch,
    Params, QualityReport, Region, Scratch, ScratchLen, ThresholdSearch, WholeRasterState,
};

/// Major version of the library this header belongs to.
pub const ENH_LEE_VERSION_MAJOR: u32 = 0;
/// Minor version of the library this header belongs to.
pub const ENH_LEE_VERSION_MINOR: u32 = 5;
/// Patch version of the library this header belongs to.
pub const ENH_LEE_VERSION_PATCH: u32 = 0;

/// The filter's parameters: an opaque object, made by
/// `enh_lee_params_new()` (SPEC defaults) or `enh_lee_params_copy()`,
/// changed by name from text with `enh_lee_params_set()`, read with
/// `enh_lee_params_get()`, freed with `enh_lee_params_free()`.
/// `enh_lee_param_info()` lists the names, kinds, defaults and choices.
///
/// Every value is checked when it is set; the checks that need several
/// values (`cu < cmax`, a parameter against the filter) run in
/// `enh_lee_params_validate()` and every call that takes parameters.
///
/// Thread-safety: a params object may be read by several threads at once
/// (every call taking `const EnhLeeParams *`), but must not be written
/// (`enh_lee_params_set`, `enh_lee_params_free`) while another thread uses
/// it.
pub struct EnhLeeParams {
    params: Params,
}

impl EnhLeeParams {
    /// The parameters, validated.
    fn to_params(&self) -> Result<Params, Error> {
        self.params.validate()?;
        Ok(self.params)
    }

    /// The parameters as they are, each value checked when it was set.
    fn decode(&self) -> Result<Params, Error> {
        Ok(self.params)
    }
}

impl From<Params> for EnhLeeParams {
    /// The parameters of `params` as an object for the C calls (Rust
    /// callers of the C ABI: tests, fuzzing).
    fn from(params: Params) -> Self {
        EnhLeeParams { params }
    }
}

/// Runs `f`, turning its result and any panic into a status code.
fn guard(f: impl FnOnce() -> Result<(), Error>) -> EnhLeeStatus {
    status_of(catch_unwind(AssertUnwindSafe(f)).unwrap_or(Err(Error::Internal)))
}

/// Reads the caller's parameters with `read` (as they are, or validated).
///
/// # Safety
/// `params` is NULL or points to a live `EnhLeeParams` (from
/// `enh_lee_params_new` or `enh_lee_params_copy`) that no thread writes
/// during the call.
unsafe fn read_params(
    params: *const EnhLeeParams,
    read: fn(&EnhLeeParams) -> Result<Params, Error>,
) -> Result<Params, Error> {
    // SAFETY: the caller guarantees `params` is NULL or valid for reads;
    // `as_ref` turns NULL into None.
    read(unsafe { params.as_ref() }.ok_or(Error::NullPointer)?)
}

/// A new object on the heap holding `params`, or NULL when the allocation
/// fails (instead of aborting, as `Box::new` would).
fn allocate(params: Params) -> *mut EnhLeeParams {
    let layout = std::alloc::Layout::new::<EnhLeeParams>();
    // SAFETY: the layout has a non-zero size (`Params` is not empty).
    let ptr = unsafe { std::alloc::alloc(layout) }.cast::<EnhLeeParams>();
    if !ptr.is_null() {
        // SAFETY: non-null, allocated for this type's layout and alignment.
        unsafe { ptr.write(EnhLeeParams { params }) };
    }
    ptr
}

/// Bytes of scratch for `need`: the f64 part, the f32 part, and 8 bytes to
/// align the f64 part within any buffer ([`ScratchBuffer::as_scratch`]).
fn scratch_byte_len(need: ScratchLen) -> Result<usize, Error> {
    need.f64s
        .checked_mul(8)
        .and_then(|b| b.checked_add(need.f32s.checked_mul(4)?))
        .and_then(|b| b.checked_add(8))
        .filter(|&b| b <= isize::MAX as usize)
        .ok_or(Error::SizeOverflow)
}

/// Returns a new parameters object holding the SPEC defaults: Enhanced
/// Lee, window 7, looks 1, damping 1, cu and cmax unset (derived),
/// intensity, window statistic, reflect border, no nodata, all threads;
/// Lee Sigma's target window 3, sigma 0.9, point threshold unset
/// (computed); compat none. `enh_lee_param_info` lists every default.
///
/// Ownership: the caller owns the object and frees it with
/// `enh_lee_params_free`.
/// Thread-safe.
/// Errors: returns NULL only when memory cannot be allocated.
#[no_mangle]
pub extern "C" fn enh_lee_params_new() -> *mut EnhLeeParams {
    catch_unwind(|| allocate(Params::default())).unwrap_or(std::ptr::null_mut())
}

/// Returns a new parameters object holding the values of `*params`,
/// independent of it: setting one does not change the other.
///
/// Ownership: reads `*params`; the caller owns the copy and frees it with
/// `enh_lee_params_free`.
/// Thread-safe: `*params` may be read by other threads meanwhile.
/// Errors: returns NULL when `params` is NULL or memory cannot be
/// allocated.
///
/// # Safety
/// `params` is NULL or points to a live `EnhLeeParams` that no thread
/// writes during the call.
#[no_mangle]
pub unsafe extern "C" fn enh_lee_params_copy(params: *const EnhLeeParams) -> *mut EnhLeeParams {
    catch_unwind(|| {
        // SAFETY: forwarded from this function's contract.
        unsafe { read_params(params, EnhLeeParams::decode) }.map_or(std::ptr::null_mut(), allocate)
    })
    .unwrap_or(std::ptr::null_mut())
}

/// Frees a parameters object from `enh_lee_params_new` or
/// `enh_lee_params_copy`. NULL is a no-op.
///
/// Ownership: takes the object back; the pointer is invalid afterwards.
/// Thread-safety: no other thread may use `*params` during or after the
/// call.
/// Errors: none.
///
/// # Safety
/// `params` is NULL or a pointer from `enh_lee_params_new` or
/// `enh_lee_params_copy`, not freed before.
#[no_mangle]
pub unsafe extern "C" fn enh_lee_params_free(params: *mut EnhLeeParams) {
    if !params.is_null() {
        // Dropping `Params` cannot panic (it is `Copy`); caught all the same,
        // as in every export.
        let _ = catch_unwind(|| {
            // SAFETY: `params` came from `allocate` (the global allocator
            // with this type's layout, as `Box` uses) and is freed once, per
            // the contract.
            drop(unsafe { Box::from_raw(params) })
        });
    }
}

/// Writes to `*out_bytes` the scratch size, in bytes, that `enh_lee_f32` on
/// a `width x height` image, or `enh_lee_f32_region` on a `width x height`
/// region, needs with `params`. It grows with width, window and threads;
/// with height only up to 32 rows per thread (shorter images use fewer
/// threads), never beyond. With `threads == 0` it depends on the number of
/// threads of the calling rayon pool: query from the thread that filters.
///
/// Ownership: reads `*params`, writes `*out_bytes` only on success.
/// Thread-safe.
/// Errors: `ENH_LEE_ERROR_NULL_POINTER`, `ENH_LEE_ERROR_EMPTY_IMAGE`,
/// `ENH_LEE_ERROR_SIZE_OVERFLOW`, and any parameter error.
///
/// # Safety
/// `params` is NULL or points to a live `EnhLeeParams` that no thread
/// writes during the call; `out_bytes` is
/// NULL or points to a writable `size_t`.
#[no_mangle]
pub unsafe extern "C" fn enh_lee_scratch_size(
    width: usize,
    height: usize,
    params: *const EnhLeeParams,
    out_bytes: *mut usize,
) -> EnhLeeStatus {
    guard(|| {
        // SAFETY: forwarded from this function's contract.
        let params = unsafe { read_params(params, EnhLeeParams::to_params) }?;
        if out_bytes.is_null() {
            return Err(Error::NullPointer);
        }
        let bytes = scratch_byte_len(scratch_len(width, height, &params)?)?;
        // SAFETY: `out_bytes` is non-null and writable per the contract.
        unsafe { out_bytes.write(bytes) };
        Ok(())
    })
}

/// Writes to `*out_pixels` how many pixels of context a region needs on
/// each side: `(window - 1) / 2` for the window statistic, `window - 1` for
/// the residual statistic (its local means need their own windows).
///
/// Ownership: reads `*params`, writes `*out_pixels` only on success.
/// Thread-safe.
/// Errors: `ENH_LEE_ERROR_NULL_POINTER` and any parameter error.
///
/// # Safety
/// `params` is NULL or points to a live `EnhLeeParams` that no thread
/// writes during the call; `out_pixels` is
/// NULL or points to a writable `size_t`.
#[no_mangle]
pub unsafe extern "C" fn enh_lee_halo(
    params: *const EnhLeeParams,
    out_pixels: *mut usize,
) -> EnhLeeStatus {
    guard(|| {
        // SAFETY: forwarded from this function's contract.
        let params = unsafe { read_params(params, EnhLeeParams::to_params) }?;
        if out_pixels.is_null() {
            return Err(Error::NullPointer);
        }
        let halo = params.halo()?;
        // SAFETY: `out_pixels` is non-null and writable per the contract.
        unsafe { out_pixels.write(halo) };
        Ok(())
    })
}

/// Filters a whole `width x height` float32 image.
///
/// `src` and `dst` point at the first pixel; row `y` starts
/// `y * stride_bytes` bytes further (strides: multiples of 4, at least
/// `4 * width`). `dst == src` with equal strides filters in place (peak
/// memory: the image plus the scratch); any other overlap is an error.
///
/// Scratch: pass a buffer of at least `enh_lee_scratch_size` bytes (any
/// alignment, contents ignored, used only during the call, not overlapping
/// the images), or NULL with 0 bytes to let the library allocate it for the
/// call (out of place, only the part it uses: the query's size includes
/// the in-place bookkeeping, which an out-of-place call leaves alone).
/// Overlap is judged on address ranges: buffers whose rows interleave
/// without sharing a byte are refused too.
///
/// Ownership: the caller owns every buffer; nothing is kept after return.
/// Thread-safe: concurrent calls on different buffers are fine (from any
/// thread, or from inside a rayon pool). The result does not depend on the
/// thread count.
/// Errors: `ENH_LEE_ERROR_NULL_POINTER`, `ENH_LEE_ERROR_EMPTY_IMAGE`,
/// `ENH_LEE_ERROR_SIZE_OVERFLOW` (also for raster sides above 2^60),
/// `ENH_LEE_ERROR_INVALID_STRIDE`, `ENH_LEE_ERROR_MISALIGNED`,
/// `ENH_LEE_ERROR_PARTIAL_OVERLAP` (images, or scratch and an image),
/// `ENH_LEE_ERROR_SCRATCH_TOO_SMALL`, `ENH_LEE_ERROR_OUT_OF_MEMORY`,
/// `ENH_LEE_ERROR_THREAD_POOL`, any parameter error; `dst` is untouched on
/// all of them. `ENH_LEE_ERROR_INTERNAL` (a bug) may leave `dst` partly
/// written.
///
/// # Safety
/// `src` is readable for `height` rows of `src_stride_bytes` (the last row
/// `4 * width` bytes), `dst` writable likewise, `scratch` writable for
/// `scratch_bytes`, `params` readable; or NULL, which is reported.
#[no_mangle]
pub unsafe extern "C" fn enh_lee_f32(
    src: *const f32,
    src_stride_bytes: usize,
    dst: *mut f32,
    dst_stride_bytes: usize,
    width: usize,
    height: usize,
    params: *const EnhLeeParams,
    scratch: *mut core::ffi::c_void,
    scratch_bytes: usize,
) -> EnhLeeStatus {
    // SAFETY: forwarded from this function's contract, which is the
    // region call's contract for the whole raster.
    unsafe {
        enh_lee_f32_region(
            src,
            src_stride_bytes,
            dst,
            dst_stride_bytes,
            width,
            height,
            0,
            0,
            width,
            height,
            params,
            scratch,
            scratch_bytes,
        )
    }
}

/// Filters the region `(x_off, y_off, width, height)` of a
/// `raster_width x raster_height` raster, reading only the region and its
/// halo (`enh_lee_halo`). `src` points at raster pixel
/// `(max(0, x_off - halo), max(0, y_off - halo))` and covers the region
/// grown by the halo on every side, clipped to the raster; `dst` receives
/// `width x height` pixels. The result is bit for bit what `enh_lee_f32`
/// gives for those pixels of the whole raster, so a raster can be filtered
/// strip by strip or tile by tile with no seams.
///
/// In place (`dst == src`, equal strides) is allowed only when the region is
/// the whole raster; any other overlap is an error. Scratch, ownership,
/// thread-safety and errors as `enh_lee_f32`, plus
/// `ENH_LEE_ERROR_INVALID_REGION` for a region not inside the raster.
///
/// # Safety
/// As `enh_lee_f32`, with `src` covering the halo-grown, clipped region and
/// `dst` covering `height` rows of `width` pixels.
#[no_mangle]
pub unsafe extern "C" fn enh_lee_f32_region(
    src: *const f32,
    src_stride_bytes: usize,
    dst: *mut f32,
    dst_stride_bytes: usize,
    raster_width: usize,
    raster_height: usize,
    x_off: usize,
    y_off: usize,
    width: usize,
    height: usize,
    params: *const EnhLeeParams,
    scratch: *mut core::ffi::c_void,
    scratch_bytes: usize,
) -> EnhLeeStatus {
    guard(|| {
        // SAFETY: forwarded from this function's contract.
        let params = unsafe { read_params(params, EnhLeeParams::to_params) }?;
        let region = Region {
            x_off,
            y_off,
            width,
            height,
        };
        let source = source_region(raster_width, raster_height, region, &params)?;
        let src = Image::new(
            src.cast_mut(),
            src_stride_bytes,
            source.width,
            source.height,
        )?;
        let dst = Image::new(dst, dst_stride_bytes, width, height)?;
        let in_place = src.start == dst.start && src.stride == dst.stride && source == region;
        if !in_place && src.overlaps(&dst) {
            return Err(Error::PartialOverlap);
        }
        let need = scratch_len(width, height, &params)?;
        // SAFETY: `scratch` is NULL or writable for `scratch_bytes` bytes.
        let mut buffers = unsafe {
            ScratchBuffer::new(
                scratch,
                scratch_bytes,
                scratch_byte_len(need)?,
                [src.bytes(), dst.bytes()],
            )
        }?;
        let scratch = buffers.as_scratch(need);
        if in_place {
            // SAFETY: `dst` was checked non-null, aligned and of a size that
            // fits the address space; the caller guarantees it is writable
            // for these rows, and no other view of it exists in this call.
            let image = unsafe { dst.view_mut() };
            filter_in_place(image, &params, scratch)
        } else {
            // SAFETY: as above; `src` and `dst` do not overlap (checked), so
            // the shared view of `src` and the mutable view of `dst` alias
            // nothing.
            let (src_view, dst_view) = unsafe { (src.view(), dst.view_mut()) };
            filter_region(
                src_view,
                dst_view,
                raster_width,
                raster_height,
                region,
                &params,
                scratch,
            )
        }
    })
}

/// Entries of a point-threshold count table:
/// `uint64_t counts[ENH_LEE_THRESHOLD_BINS]` (512 KiB).
pub const ENH_LEE_THRESHOLD_BINS: usize = 65536;
const _: () = assert!(ENH_LEE_THRESHOLD_BINS == crate::SEARCH_BINS);

/// Where a search for Lee Sigma's point threshold over a raster read in
/// pieces stands. Start from `enh_lee_threshold_search_new()`; then, pass
/// after pass, zero a count table, add every piece of the raster to it with
/// `enh_lee_threshold_search_count_f32`, and end the pass with
/// `enh_lee_threshold_search_step`, until that reports the search done
/// (two passes). Plain data: copy it freely; the fields are the library's.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct EnhLeeThresholdSearch {
    /// 0 or 1: the pass being counted; 2: done.
    pub pass: u32,
    /// Upper 16 bits of the threshold's ordered key (after pass 0).
    pub prefix: u32,
    /// The rank sought among the pixels this pass counts (1-based; 0 when
    /// done on a raster without valid pixels).
    pub rank: u64,
    /// The threshold's ordered key, once done.
    pub key: u32,
    /// 0 (no padding bytes in the struct).
    pub reserved: u32,
}

impl EnhLeeThresholdSearch {
    fn decode(self) -> ThresholdSearch {
        ThresholdSearch(KeySearch {
            pass: self.pass,
            prefix: self.prefix,
            rank: self.rank,
            key: self.key,
        })
    }

    fn encode(ThresholdSearch(s): ThresholdSearch) -> Self {
        EnhLeeThresholdSearch {
            pass: s.pass,
            prefix: s.prefix,
            rank: s.rank,
            key: s.key,
            reserved: 0,
        }
    }
}

/// Writes to `*out_threshold` Lee Sigma's point threshold of a whole
/// `width x height` float32 raster held in memory: the 98th percentile of
/// its valid pixels (finite, not `params->nodata`; `+inf` when none is
/// valid). Pass it as `point_threshold` to filter regions of the raster.
/// Only `nodata` and `threads` matter; the parameters are
/// validated like a filter call's.
///
/// Ownership: reads `src` and `*params`, writes `*out_threshold` only on
/// success. Thread-safe.
/// Errors: `ENH_LEE_ERROR_NULL_POINTER`, `ENH_LEE_ERROR_EMPTY_IMAGE`,
/// `ENH_LEE_ERROR_SIZE_OVERFLOW`, `ENH_LEE_ERROR_INVALID_STRIDE`,
/// `ENH_LEE_ERROR_MISALIGNED`, `ENH_LEE_ERROR_THREAD_POOL`, any parameter
/// error.
///
/// # Safety
/// `src` is readable for `height` rows of `src_stride_bytes` (the last row
/// `4 * width` bytes), `params` readable, `out_threshold` writable; or
/// NULL, which is reported.
#[no_mangle]
pub unsafe extern "C" fn enh_lee_point_threshold_f32(
    src: *const f32,
    src_stride_bytes: usize,
    width: usize,
    height: usize,
    params: *const EnhLeeParams,
    out_threshold: *mut f64,
) -> EnhLeeStatus {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        whole_raster_statistic(
            (src, src_stride_bytes, width, height),
            params,
            out_threshold,
            crate::point_threshold,
        )
    }
}

/// A statistic of a whole raster in memory, `statistic(view, params)`,
/// written to `*out` only on success: the common body of
/// `enh_lee_point_threshold_f32` and `enh_lee_estimate_looks_f32`.
///
/// # Safety
/// As those functions: `src` is readable for `height` rows of
/// `src_stride_bytes`, `params` readable, `out` writable; or NULL.
unsafe fn whole_raster_statistic(
    (src, src_stride_bytes, width, height): (*const f32, usize, usize, usize),
    params: *const EnhLeeParams,
    out: *mut f64,
    statistic: fn(ArrayView2<f32>, &Params) -> Result<f64, Error>,
) -> EnhLeeStatus {
    guard(|| {
        // SAFETY: forwarded from the caller's contract.
        let params = unsafe { read_params(params, EnhLeeParams::to_params) }?;
        if out.is_null() {
            return Err(Error::NullPointer);
        }
        let image = Image::readable(src, src_stride_bytes, width, height)?;
        // SAFETY: `src` is readable for these rows per the contract and
        // nothing writes it during the call.
        let view = unsafe { image.view() };
        let value = statistic(view, &params)?;
        // SAFETY: non-null and writable per the contract.
        unsafe { out.write(value) };
        Ok(())
    })
}

/// Writes to `*out_looks` the equivalent number of looks of a whole
/// `width x height` float32 raster held in memory, estimated from its most
/// homogeneous 16x16 blocks of valid pixels (docs/filters.md, "Estimating
/// the looks"): deterministic, the same on every thread count. Pass it as
/// `looks`. Only `signal` (intensity or amplitude data) and `nodata`
/// matter; the parameters are validated like a filter call's.
///
/// Ownership: reads `src` and `*params`, writes `*out_looks` only on
/// success. Thread-safe.
/// Errors: `ENH_LEE_ERROR_NULL_POINTER`, `ENH_LEE_ERROR_EMPTY_IMAGE`,
/// `ENH_LEE_ERROR_SIZE_OVERFLOW`, `ENH_LEE_ERROR_INVALID_STRIDE`,
/// `ENH_LEE_ERROR_MISALIGNED`, `ENH_LEE_ERROR_LOOKS_NOT_ESTIMABLE`, any
/// parameter error.
///
/// # Safety
/// `src` is readable for `height` rows of `src_stride_bytes` (the last row
/// `4 * width` bytes), `params` readable, `out_looks` writable; or NULL,
/// which is reported.
#[no_mangle]
pub unsafe extern "C" fn enh_lee_estimate_looks_f32(
    src: *const f32,
    src_stride_bytes: usize,
    width: usize,
    height: usize,
    params: *const EnhLeeParams,
    out_looks: *mut f64,
) -> EnhLeeStatus {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        whole_raster_statistic(
            (src, src_stride_bytes, width, height),
            params,
            out_looks,
            crate::estimate_looks,
        )
    }
}

/// Writes to `dst` the intensity `re^2 + im^2` (`signal` intensity, the
/// default) or the amplitude `sqrt(re^2 + im^2)` (`signal` amplitude) of
/// each pixel of a complex raster, the values the filters then take: a
/// single-look complex (SLC) product filtered as detected data
/// (docs/filters.md, "Complex rasters"). Each `src` row holds `width`
/// pixels as `re, im` float32 pairs (C99 `float complex`, numpy complex64,
/// GDAL CFloat32). Computed in float64 and rounded once to float32, so
/// every front end gets the same bits. Only `signal` matters; the
/// parameters are validated like a filter call's.
///
/// Ownership: reads `src` and `*params`, writes `dst` only on success.
/// Thread-safe.
/// Errors: `ENH_LEE_ERROR_NULL_POINTER`, `ENH_LEE_ERROR_EMPTY_IMAGE`,
/// `ENH_LEE_ERROR_SIZE_OVERFLOW`, `ENH_LEE_ERROR_INVALID_STRIDE`,
/// `ENH_LEE_ERROR_MISALIGNED`, `ENH_LEE_ERROR_PARTIAL_OVERLAP` (`dst`
/// overlaps `src`), any parameter error.
///
/// # Safety
/// `src` is readable for `height` rows of `src_stride_bytes` (the last row
/// `8 * width` bytes), `dst` writable for `height` rows of
/// `dst_stride_bytes` (the last `4 * width` bytes), `params` readable; or
/// NULL, which is reported.
#[no_mangle]
pub unsafe extern "C" fn enh_lee_detect_cf32(
    src: *const f32,
    src_stride_bytes: usize,
    dst: *mut f32,
    dst_stride_bytes: usize,
    width: usize,
    height: usize,
    params: *const EnhLeeParams,
) -> EnhLeeStatus {
    guard(|| {
        // SAFETY: forwarded from this function's contract.
        let params = unsafe { read_params(params, EnhLeeParams::to_params) }?;
        let pairs = width.checked_mul(2).ok_or(Error::SizeOverflow)?;
        let complex = Image::readable(src, src_stride_bytes, pairs, height)?;
        let out = Image::new(dst, dst_stride_bytes, width, height)?;
        if out.overlaps(&complex) {
            return Err(Error::PartialOverlap);
        }
        // SAFETY: `src` is readable and `dst` writable for these rows per
        // the contract, and they do not overlap (checked).
        let (complex, out) = unsafe { (complex.view(), out.view_mut()) };
        crate::detect(complex, out, &params)
    })
}

/// `*out_state` of `enh_lee_point_threshold_state` and
/// `enh_lee_looks_state`: the filter does not use the value.
pub const ENH_LEE_WHOLE_RASTER_UNUSED: u32 = 0;
/// `*out_state` of `enh_lee_point_threshold_state` and
/// `enh_lee_looks_state`: the filter needs a value of the whole raster that
/// the parameters do not hold (`point_threshold` or `looks` NaN). A call
/// on the whole raster computes it; to filter a raster in pieces, compute
/// it first (`enh_lee_point_threshold_f32` / `enh_lee_estimate_looks_f32`,
/// or a threshold / looks search over the pieces) and set it.
pub const ENH_LEE_WHOLE_RASTER_NEEDED: u32 = 1;
/// `*out_state` of `enh_lee_point_threshold_state` and
/// `enh_lee_looks_state`: the filter uses the value the parameters hold.
pub const ENH_LEE_WHOLE_RASTER_GIVEN: u32 = 2;

/// Writes to `*out_state` whether filtering with `*params` needs a
/// statistic of the whole raster, Lee Sigma's point threshold, and whether
/// `*params` holds it: `ENH_LEE_WHOLE_RASTER_UNUSED`, `_NEEDED` or `_GIVEN`.
/// Front ends that filter a raster in pieces (strips, blocks, chunks) ask
/// this instead of naming filters: `_NEEDED` means a pass over the whole
/// raster first.
///
/// Ownership: reads `*params`, writes `*out_state` only on success.
/// Thread-safe.
/// Errors: `ENH_LEE_ERROR_NULL_POINTER`, any parameter error.
///
/// # Safety
/// `params` is NULL or readable; `out_state` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn enh_lee_point_threshold_state(
    params: *const EnhLeeParams,
    out_state: *mut u32,
) -> EnhLeeStatus {
    // SAFETY: forwarded from this function's contract.
    unsafe { whole_raster_state(params, out_state, Params::point_threshold_state) }
}

/// Writes to `*out_state` whether filtering with `*params` uses the looks
/// (to derive `Cu`, `Cmax` or Lee Sigma's ranges: not when `cu` and `cmax`
/// are given, nor for Frost and Refined Lee) and whether they are given or
/// `auto` (NaN): `ENH_LEE_WHOLE_RASTER_UNUSED`, `_NEEDED` (auto: a looks
/// search over the whole raster first, for a raster filtered in pieces) or
/// `_GIVEN`.
///
/// Ownership, thread-safety, errors and safety: as
/// `enh_lee_point_threshold_state`.
///
/// # Safety
/// `params` is NULL or readable; `out_state` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn enh_lee_looks_state(
    params: *const EnhLeeParams,
    out_state: *mut u32,
) -> EnhLeeStatus {
    // SAFETY: forwarded from this function's contract.
    unsafe { whole_raster_state(params, out_state, Params::looks_state) }
}

/// The common body of the `*_state` queries: `state(params)` written to
/// `*out_state` once the parameters are validated.
///
/// # Safety
/// `params` is NULL or readable; `out_state` NULL or writable.
unsafe fn whole_raster_state(
    params: *const EnhLeeParams,
    out_state: *mut u32,
    state: fn(&Params) -> WholeRasterState,
) -> EnhLeeStatus {
    guard(|| {
        // SAFETY: forwarded from the caller's contract.
        let params = unsafe { read_params(params, EnhLeeParams::to_params) }?;
        if out_state.is_null() {
            return Err(Error::NullPointer);
        }
        params.validate()?;
        let value = match state(&params) {
            WholeRasterState::Unused => ENH_LEE_WHOLE_RASTER_UNUSED,
            WholeRasterState::Needed => ENH_LEE_WHOLE_RASTER_NEEDED,
            WholeRasterState::Given => ENH_LEE_WHOLE_RASTER_GIVEN,
        };
        // SAFETY: non-null (checked) and writable per the contract.
        unsafe { out_state.write(value) };
        Ok(())
    })
}

/// Where an estimate of the looks over a raster read in pieces stands.
/// Start from `enh_lee_looks_search_new()`; then, pass after pass, zero a
/// count table of `ENH_LEE_THRESHOLD_BINS` entries, add every piece of
/// the raster to it with `enh_lee_looks_search_count_f32`, and end the
/// pass with `enh_lee_looks_search_step`, until that reports the search
/// done (three passes). The result is bit for bit
/// `enh_lee_estimate_looks_f32` of the whole raster. Plain data: copy it
/// freely; the fields are the library's.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct EnhLeeLooksSearch {
    /// 0 or 1: finding the homogeneous quarter's rank; 2: summing the
    /// kept blocks; 3: done.
    pub pass: u32,
    /// Upper 16 bits of the quarter's rank key (after pass 0).
    pub prefix: u32,
    /// The rank sought among the blocks this pass counts (1-based).
    pub rank: u64,
    /// The quarter's rank key, after pass 1.
    pub key: u32,
    /// 0 (no padding bytes in the struct).
    pub reserved: u32,
}

impl EnhLeeLooksSearch {
    fn decode(self) -> LooksSearch {
        LooksSearch {
            rank: KeySearch {
                pass: self.pass.min(2),
                prefix: self.prefix,
                rank: self.rank,
                key: self.key,
            },
            done: self.pass > 2,
        }
    }

    fn encode(s: LooksSearch) -> Self {
        EnhLeeLooksSearch {
            pass: if s.done { 3 } else { s.rank.pass },
            prefix: s.rank.prefix,
            rank: s.rank.rank,
            key: s.rank.key,
            reserved: 0,
        }
    }
}

/// Side of the square blocks the looks are measured on, from the raster's
/// top left corner: the pieces of a looks search must not cut them.
pub const ENH_LEE_LOOKS_BLOCK: usize = 16;
const _: () = assert!(ENH_LEE_LOOKS_BLOCK == crate::LOOKS_BLOCK);

/// The looks search and the validated parameters of a counting call.
///
/// # Safety
/// `search` and `params` are NULL (reported) or readable.
unsafe fn looks_search_and_params(
    search: *const EnhLeeLooksSearch,
    params: *const EnhLeeParams,
) -> Result<(LooksSearch, Params), Error> {
    // SAFETY: forwarded from the caller's contract.
    let params = unsafe { read_params(params, EnhLeeParams::to_params) }?;
    params.validate()?;
    // SAFETY: NULL or readable per the caller's contract.
    let search = unsafe { search.as_ref() }.ok_or(Error::NullPointer)?;
    Ok((search.decode(), params))
}

/// A looks search at its first pass. Thread-safe; cannot fail.
#[no_mangle]
pub extern "C" fn enh_lee_looks_search_new() -> EnhLeeLooksSearch {
    EnhLeeLooksSearch::encode(LooksSearch::new())
}

/// Adds one piece of a `raster_width x raster_height` raster to `counts`
/// (`ENH_LEE_THRESHOLD_BINS` entries) for `*search`'s current pass: the
/// `width x height` float32 pixels whose top left pixel is `(x_off,
/// y_off)` of the raster. The looks are measured on square blocks of
/// `ENH_LEE_LOOKS_BLOCK` (16) pixels from the raster's corner, so a piece
/// must not cut one: `x_off` and `y_off` multiples of 16, `width` and
/// `height` multiples of 16 except where the piece reaches the raster's
/// right or bottom edge (strips of 16k rows, or tiles of 16k x 16k
/// pixels, do). Any order; every piece once per pass.
/// Only `nodata` and `threads` of `*params` matter, the
/// same for every piece.
///
/// Ownership: reads `src`, `*search` and `*params`; adds to `counts` only
/// on success. Thread-safe: pieces may be counted concurrently into
/// different tables, which the caller then adds up.
/// Errors: `ENH_LEE_ERROR_NULL_POINTER`, `ENH_LEE_ERROR_EMPTY_IMAGE`,
/// `ENH_LEE_ERROR_SIZE_OVERFLOW`, `ENH_LEE_ERROR_INVALID_STRIDE`,
/// `ENH_LEE_ERROR_MISALIGNED`, `ENH_LEE_ERROR_INVALID_REGION` (a piece
/// that cuts a block or leaves the raster), `ENH_LEE_ERROR_THREAD_POOL`,
/// `ENH_LEE_ERROR_LOOKS_NOT_ESTIMABLE` (the search is done), any
/// parameter error.
///
/// # Safety
/// `src` is readable for `height` rows of `src_stride_bytes` (the last row
/// `4 * width` bytes), `search` and `params` readable, `counts` writable
/// for `ENH_LEE_THRESHOLD_BINS` `uint64_t`; or NULL, which is reported.
#[no_mangle]
pub unsafe extern "C" fn enh_lee_looks_search_count_f32(
    search: *const EnhLeeLooksSearch,
    src: *const f32,
    src_stride_bytes: usize,
    raster_width: usize,
    raster_height: usize,
    x_off: usize,
    y_off: usize,
    width: usize,
    height: usize,
    params: *const EnhLeeParams,
    counts: *mut u64,
) -> EnhLeeStatus {
    guard(|| {
        // SAFETY: forwarded from this function's contract.
        let (search, params) = unsafe { looks_search_and_params(search, params) }?;
        let image = Image::readable(src, src_stride_bytes, width, height)?;
        // SAFETY: `src` is readable for these rows per the contract and
        // nothing writes it during the call.
        let view = unsafe { image.view() };
        let (origin, raster) = ((x_off, y_off), (raster_width, raster_height));
        // SAFETY: `counts` is NULL or writable per the contract.
        unsafe {
            add_counts(counts, |table| {
                search.count(view, origin, raster, &params, table)
            })
        }
    })
}

/// Ends `*search`'s current pass with the whole raster's `counts`. When
/// the search is done, writes 1 to `*out_done` and the looks to
/// `*out_looks` (`signal` of `*params` says whether the pixels are
/// intensity or amplitude); otherwise writes 0 to `*out_done` (count
/// another pass, into a zeroed table).
///
/// Ownership: reads `counts` and `*params`, updates `*search`, writes the
/// outputs only on success. Thread-safe for different searches.
/// Errors: `ENH_LEE_ERROR_NULL_POINTER`, any parameter error, and
/// `ENH_LEE_ERROR_LOOKS_NOT_ESTIMABLE` when no block counts, the kept
/// blocks do not vary, the search is already done, or a pass counted
/// fewer blocks than the first said (not the same raster or parameters).
///
/// # Safety
/// `search` readable and writable, `counts` readable for
/// `ENH_LEE_THRESHOLD_BINS` values, `params` readable, the outputs
/// writable; or NULL, which is reported.
#[no_mangle]
pub unsafe extern "C" fn enh_lee_looks_search_step(
    search: *mut EnhLeeLooksSearch,
    counts: *const u64,
    params: *const EnhLeeParams,
    out_looks: *mut f64,
    out_done: *mut u32,
) -> EnhLeeStatus {
    guard(|| {
        // SAFETY: forwarded from this function's contract.
        let params = unsafe { read_params(params, EnhLeeParams::to_params) }?;
        params.validate()?;
        if search.is_null() || counts.is_null() || out_looks.is_null() || out_done.is_null() {
            return Err(Error::NullPointer);
        }
        // SAFETY: non-null and readable per the contract.
        let mut next = unsafe { search.read() }.decode();
        // SAFETY: non-null and readable for ENH_LEE_THRESHOLD_BINS values.
        let counts = unsafe { std::slice::from_raw_parts(counts, ENH_LEE_THRESHOLD_BINS) };
        let found = next.step(counts, params.signal)?;
        // SAFETY: all three are non-null and writable per the contract.
        unsafe {
            search.write(EnhLeeLooksSearch::encode(next));
            out_done.write(u32::from(found.is_some()));
            if let Some(looks) = found {
                out_looks.write(looks);
            }
        }
        Ok(())
    })
}

/// A threshold search at its first pass. Thread-safe; cannot fail.
#[no_mangle]
pub extern "C" fn enh_lee_threshold_search_new() -> EnhLeeThresholdSearch {
    EnhLeeThresholdSearch::encode(ThresholdSearch::new())
}

/// Adds the valid pixels of one piece (`width x height` float32 pixels of
/// the raster, any piece, any order, each pixel of the raster once per
/// pass) to `counts` (`ENH_LEE_THRESHOLD_BINS` entries) for `*search`'s
/// current pass. Only `nodata` and `threads` of `*params`
/// matter, and they must be the same for every piece.
///
/// Ownership: reads `src`, `*search` and `*params`; adds to `counts` only
/// on success. Thread-safe: pieces may be counted concurrently into
/// different tables, which the caller then adds up.
/// Errors: those of `enh_lee_point_threshold_f32`, and
/// `ENH_LEE_ERROR_INVALID_POINT_THRESHOLD` when the search is done.
///
/// # Safety
/// As `enh_lee_point_threshold_f32`, with `search` readable and `counts`
/// writable for `ENH_LEE_THRESHOLD_BINS` `uint64_t`; or NULL, which is
/// reported.
#[no_mangle]
pub unsafe extern "C" fn enh_lee_threshold_search_count_f32(
    search: *const EnhLeeThresholdSearch,
    src: *const f32,
    src_stride_bytes: usize,
    width: usize,
    height: usize,
    params: *const EnhLeeParams,
    counts: *mut u64,
) -> EnhLeeStatus {
    guard(|| {
        // SAFETY: forwarded from this function's contract.
        let params = unsafe { read_params(params, EnhLeeParams::to_params) }?;
        // SAFETY: NULL or readable per the contract.
        let search = unsafe { search.as_ref() }
            .ok_or(Error::NullPointer)?
            .decode();
        let image = Image::readable(src, src_stride_bytes, width, height)?;
        // SAFETY: as in `enh_lee_point_threshold_f32`.
        let view = unsafe { image.view() };
        // SAFETY: `counts` is NULL or writable per the contract.
        unsafe { add_counts(counts, |table| search.count(view, &params, table)) }
    })
}

/// The common end of the `*_count_f32` exports: `count` fills a zeroed
/// table of `ENH_LEE_THRESHOLD_BINS` entries, which is then added to the
/// caller's `counts`, so that an error leaves them untouched.
///
/// # Safety
/// `counts` is NULL (reported) or writable for `ENH_LEE_THRESHOLD_BINS`
/// values.
unsafe fn add_counts(
    counts: *mut u64,
    count: impl FnOnce(&mut [u64]) -> Result<(), Error>,
) -> Result<(), Error> {
    if counts.is_null() {
        return Err(Error::NullPointer);
    }
    let mut table = vec![0u64; ENH_LEE_THRESHOLD_BINS];
    count(&mut table)?;
    // SAFETY: non-null (checked) and writable for ENH_LEE_THRESHOLD_BINS
    // values per the caller's contract.
    let counts = unsafe { std::slice::from_raw_parts_mut(counts, ENH_LEE_THRESHOLD_BINS) };
    for (c, t) in counts.iter_mut().zip(table) {
        *c += t;
    }
    Ok(())
}

/// Ends `*search`'s current pass with the whole raster's `counts`. When
/// the search is done, writes 1 to `*out_done` and the threshold to
/// `*out_threshold`; otherwise writes 0 to `*out_done` (count another
/// pass, into a zeroed table).
///
/// Ownership: reads `counts`, updates `*search`, writes the outputs only
/// on success. Thread-safe for different searches.
/// Errors: `ENH_LEE_ERROR_NULL_POINTER`, and
/// `ENH_LEE_ERROR_INVALID_POINT_THRESHOLD` when the search is already done
/// or the second pass counted fewer pixels than the first said (not the
/// same raster or parameters).
///
/// # Safety
/// `search` readable and writable, `counts` readable for
/// `ENH_LEE_THRESHOLD_BINS` values, the outputs writable; or NULL, which
/// is reported.
#[no_mangle]
pub unsafe extern "C" fn enh_lee_threshold_search_step(
    search: *mut EnhLeeThresholdSearch,
    counts: *const u64,
    out_threshold: *mut f64,
    out_done: *mut u32,
) -> EnhLeeStatus {
    guard(|| {
        if search.is_null() || counts.is_null() || out_threshold.is_null() || out_done.is_null() {
            return Err(Error::NullPointer);
        }
        // SAFETY: non-null and readable per the contract.
        let mut next = unsafe { search.read() }.decode();
        // SAFETY: non-null and readable for ENH_LEE_THRESHOLD_BINS values.
        let counts = unsafe { std::slice::from_raw_parts(counts, ENH_LEE_THRESHOLD_BINS) };
        let found = next.step(counts)?;
        // SAFETY: all three are non-null and writable per the contract.
        unsafe {
            search.write(EnhLeeThresholdSearch::encode(next));
            out_done.write(u32::from(found.is_some()));
            if let Some(t) = found {
                out_threshold.write(t);
            }
        }
        Ok(())
    })
}

/// What a filter did, measured (docs/filters.md, "Quality report"):
/// `enh_lee_quality_report_f32`, or `enh_lee_report_finish` after a report
/// pass over a raster read in pieces.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct EnhLeeQualityReport {
    /// The input's equivalent number of looks on its most homogeneous
    /// 16x16 blocks (the looks estimate).
    pub looks_before: f64,
    /// The filtered image's on the same blocks (infinity where they came
    /// out flat, NaN where none of them has a positive mean).
    pub looks_after: f64,
    /// Mean of the ratio image `x / filtered` over the valid pixels whose
    /// filtered value is positive: 1 for a filter that keeps the mean.
    pub ratio_mean: f64,
    /// Its standard deviation: about `Cu` (`1/sqrt(L)` for intensity) for
    /// a filter that removes only speckle.
    pub ratio_std: f64,
    /// The homogeneous blocks measured.
    pub blocks: u64,
    /// The pixels of the ratio image.
    pub pixels: u64,
}

impl From<QualityReport> for EnhLeeQualityReport {
    fn from(r: QualityReport) -> Self {
        EnhLeeQualityReport {
            looks_before: r.looks_before,
            looks_after: r.looks_after,
            ratio_mean: r.ratio_mean,
            ratio_std: r.ratio_std,
            blocks: r.blocks,
            pixels: r.pixels,
        }
    }
}

/// Writes to `*out` the quality report of a `width x height` raster `src`
/// and its filtered image `filtered` (from any filter: the library's with
/// the same `params`, or another), both in memory: the equivalent number
/// of looks before and after on the input's most homogeneous blocks, and
/// the mean and standard deviation of `src / filtered`. Deterministic,
/// the same on every thread count, bit for bit what a report pass over
/// the raster's pieces gives. Only `signal`, `nodata` and `threads`
/// matter; the parameters are validated like a filter call's.
///
/// Ownership: reads `src`, `filtered` and `*params`, writes `*out` only on
/// success. Thread-safe.
/// Errors: `ENH_LEE_ERROR_NULL_POINTER`, `ENH_LEE_ERROR_EMPTY_IMAGE`,
/// `ENH_LEE_ERROR_SIZE_OVERFLOW`, `ENH_LEE_ERROR_INVALID_STRIDE`,
/// `ENH_LEE_ERROR_MISALIGNED`, `ENH_LEE_ERROR_LOOKS_NOT_ESTIMABLE` (no
/// homogeneous block), `ENH_LEE_ERROR_THREAD_POOL`, any parameter error.
///
/// # Safety
/// `src` and `filtered` are readable for `height` rows of their strides
/// (the last row `4 * width` bytes), `params` readable, `out` writable; or
/// NULL, which is reported.
#[no_mangle]
pub unsafe extern "C" fn enh_lee_quality_report_f32(
    src: *const f32,
    src_stride_bytes: usize,
    filtered: *const f32,
    filtered_stride_bytes: usize,
    width: usize,
    height: usize,
    params: *const EnhLeeParams,
    out: *mut EnhLeeQualityReport,
) -> EnhLeeStatus {
    guard(|| {
        // SAFETY: forwarded from this function's contract.
        let params = unsafe { read_params(params, EnhLeeParams::to_params) }?;
        if out.is_null() {
            return Err(Error::NullPointer);
        }
        let image = Image::readable(src, src_stride_bytes, width, height)?;
        let after = Image::readable(filtered, filtered_stride_bytes, width, height)?;
        // SAFETY: both are readable for these rows per the contract and
        // nothing writes them during the call.
        let (image, after) = unsafe { (image.view(), after.view()) };
        let report = crate::quality_report(image, after, &params)?;
        // SAFETY: non-null and writable per the contract.
        unsafe { out.write(report.into()) };
        Ok(())
    })
}

/// Adds one piece of a raster and the same piece of its filtered image to
/// `counts` (a zeroed table of `ENH_LEE_THRESHOLD_BINS` entries, summed
/// over the whole raster for `enh_lee_report_finish`), once `*search`
/// has found the homogeneous blocks: after its first two passes (pass 2),
/// or done. The pieces are those of `enh_lee_looks_search_count_f32`
/// (`(x_off, y_off)`, `width x height`, not cutting the 16x16 blocks),
/// `src` and `filtered` each with its own stride. Only `nodata`,
/// `threads` (and for the finish, `signal`) matter.
///
/// Ownership: reads the images, `*search` and `*params`; adds to `counts`
/// only on success. Thread-safe: pieces may be counted concurrently into
/// different tables, which the caller then adds up.
/// Errors: those of `enh_lee_looks_search_count_f32`, and
/// `ENH_LEE_ERROR_LOOKS_NOT_ESTIMABLE` when the search has not found the
/// blocks yet.
///
/// # Safety
/// As `enh_lee_looks_search_count_f32`, with `filtered` readable like
/// `src`.
#[no_mangle]
pub unsafe extern "C" fn enh_lee_report_count_f32(
    search: *const EnhLeeLooksSearch,
    src: *const f32,
    src_stride_bytes: usize,
    filtered: *const f32,
    filtered_stride_bytes: usize,
    raster_width: usize,
    raster_height: usize,
    x_off: usize,
    y_off: usize,
    width: usize,
    height: usize,
    params: *const EnhLeeParams,
    counts: *mut u64,
) -> EnhLeeStatus {
    guard(|| {
        // SAFETY: forwarded from this function's contract.
        let (search, params) = unsafe { looks_search_and_params(search, params) }?;
        let image = Image::readable(src, src_stride_bytes, width, height)?;
        let after = Image::readable(filtered, filtered_stride_bytes, width, height)?;
        // SAFETY: both are readable for these rows per the contract and
        // nothing writes them during the call.
        let (image, after) = unsafe { (image.view(), after.view()) };
        let (origin, raster) = ((x_off, y_off), (raster_width, raster_height));
        // SAFETY: `counts` is NULL or writable per the contract.
        unsafe {
            add_counts(counts, |table| {
                search.count_report(image, after, origin, raster, &params, table)
            })
        }
    })
}

/// Writes to `*out` the quality report of the whole raster's `counts`
/// (`enh_lee_report_count_f32` over every piece). `signal` of `*params`
/// says whether the pixels are intensity or amplitude.
///
/// Ownership: reads `counts` and `*params`, writes `*out` only on success.
/// Thread-safe.
/// Errors: `ENH_LEE_ERROR_NULL_POINTER`, any parameter error,
/// `ENH_LEE_ERROR_LOOKS_NOT_ESTIMABLE` (no homogeneous block counted).
///
/// # Safety
/// `counts` readable for `ENH_LEE_THRESHOLD_BINS` values, `params`
/// readable, `out` writable; or NULL, which is reported.
#[no_mangle]
pub unsafe extern "C" fn enh_lee_report_finish(
    counts: *const u64,
    params: *const EnhLeeParams,
    out: *mut EnhLeeQualityReport,
) -> EnhLeeStatus {
    guard(|| {
        // SAFETY: forwarded from this function's contract.
        let params = unsafe { read_params(params, EnhLeeParams::to_params) }?;
        params.validate()?;
        if counts.is_null() || out.is_null() {
            return Err(Error::NullPointer);
        }
        // SAFETY: non-null and readable for ENH_LEE_THRESHOLD_BINS values.
        let counts = unsafe { std::slice::from_raw_parts(counts, ENH_LEE_THRESHOLD_BINS) };
        let report = crate::finish_report(counts, &params)?;
        // SAFETY: non-null and writable per the contract.
        unsafe { out.write(report.into()) };
        Ok(())
    })
}

/// Returns a static, NUL-terminated English sentence describing `status`,
/// for every value including unknown ones. Never NULL; do not free it.
/// Thread-safe.
#[no_mangle]
pub extern "C" fn enh_lee_status_message(status: EnhLeeStatus) -> *const c_char {
    message_of(status)
}

/// Returns the library version as a static, NUL-terminated string
/// "MAJOR.MINOR.PATCH" (equal to the `ENH_LEE_VERSION_*` macros of the
/// header it was built with). Never NULL; do not free it. Thread-safe.
#[no_mangle]
pub extern "C" fn enh_lee_version() -> *const c_char {
    const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), "\0");
    VERSION.as_ptr().cast()
}

/// A caller's image buffer, checked: non-null, aligned, stride and extent
/// valid, total byte length within the address space.
struct Image {
    ptr: *mut f32,
    start: usize,
    len_bytes: usize,
    stride: usize,
    width: usize,
    height: usize,
}

impl Image {
    fn new(ptr: *mut f32, stride: usize, width: usize, height: usize) -> Result<Image, Error> {
        if ptr.is_null() {
            return Err(Error::NullPointer);
        }
        if ptr.align_offset(std::mem::align_of::<f32>()) != 0 {
            return Err(Error::Misaligned);
        }
        let row_bytes = width.checked_mul(4).ok_or(Error::SizeOverflow)?;
        if !stride.is_multiple_of(4) || stride < row_bytes {
            return Err(Error::InvalidStride);
        }
        let len_bytes = (height - 1)
            .checked_mul(stride)
            .and_then(|b| b.checked_add(row_bytes))
            .filter(|&b| b <= isize::MAX as usize)
            .ok_or(Error::SizeOverflow)?;
        let start = ptr as usize;
        start.checked_add(len_bytes).ok_or(Error::SizeOverflow)?;
        Ok(Image {
            ptr,
            start,
            len_bytes,
            stride,
            width,
            height,
        })
    }

    /// A source image of a call that does not filter (no region).
    fn readable(
        ptr: *const f32,
        stride: usize,
        width: usize,
        height: usize,
    ) -> Result<Image, Error> {
        if width == 0 || height == 0 {
            return Err(Error::EmptyImage);
        }
        Image::new(ptr.cast_mut(), stride, width, height)
    }

    /// The image's bytes, as `(start, length)`.
    fn bytes(&self) -> (usize, usize) {
        (self.start, self.len_bytes)
    }

    fn overlaps(&self, other: &Image) -> bool {
        overlap(self.start, self.len_bytes, other.start, other.len_bytes)
    }

    fn shape(&self) -> ndarray::StrideShape<ndarray::Ix2> {
        (self.height, self.width).strides((self.stride / 4, 1))
    }

    /// # Safety
    /// The buffer is readable for `len_bytes` and not written during `'a`.
    unsafe fn view<'a>(&self) -> ArrayView2<'a, f32> {
        // SAFETY: non-null, aligned, and every element lies within
        // `len_bytes` (checked in `new`); readability is the caller's promise.
        unsafe { ArrayView2::from_shape_ptr(self.shape(), self.ptr.cast_const()) }
    }

    /// # Safety
    /// The buffer is writable for `len_bytes` and not otherwise accessed
    /// during `'a`.
    unsafe fn view_mut<'a>(&self) -> ArrayViewMut2<'a, f32> {
        // SAFETY: as `view`, with exclusive access promised by the caller.
        unsafe { ArrayViewMut2::from_shape_ptr(self.shape(), self.ptr) }
    }
}

/// True when the byte ranges `[a, a + a_len)` and `[b, b + b_len)` share a
/// byte (both ends are known not to overflow).
fn overlap(a: usize, a_len: usize, b: usize, b_len: usize) -> bool {
    a < b + b_len && b < a + a_len
}

/// The caller's scratch, or none (the library allocates).
struct ScratchBuffer<'a> {
    bytes: Option<&'a mut [u8]>,
}

impl<'a> ScratchBuffer<'a> {
    /// # Safety
    /// `ptr` is NULL or writable for `len` bytes during `'a`.
    /// The scratch must not overlap the `images`: it is written before
    /// they are read.
    unsafe fn new(
        ptr: *mut core::ffi::c_void,
        len: usize,
        need: usize,
        images: [(usize, usize); 2],
    ) -> Result<Self, Error> {
        if ptr.is_null() {
            return if len == 0 {
                Ok(ScratchBuffer { bytes: None })
            } else {
                Err(Error::NullPointer)
            };
        }
        if len < need {
            return Err(Error::ScratchTooSmall);
        }
        let start = ptr as usize;
        start.checked_add(need).ok_or(Error::SizeOverflow)?;
        if images
            .iter()
            .any(|&(image, len)| overlap(start, need, image, len))
        {
            return Err(Error::PartialOverlap);
        }
        // SAFETY: non-null and writable for `len` bytes per the contract;
        // zeroing first makes every byte initialised before the slice exists.
        let bytes = unsafe {
            std::ptr::write_bytes(ptr.cast::<u8>(), 0, need);
            std::slice::from_raw_parts_mut(ptr.cast::<u8>(), need)
        };
        Ok(ScratchBuffer { bytes: Some(bytes) })
    }

    /// Splits the bytes into the aligned f64 part and the f32 part.
    fn as_scratch(&mut self, need: ScratchLen) -> Option<Scratch<'_>> {
        let bytes = self.bytes.as_deref_mut()?;
        let skip = bytes.as_ptr().align_offset(std::mem::align_of::<f64>());
        let (f64_bytes, rest) = bytes[skip..].split_at_mut(need.f64s * 8);
        let f32_bytes = &mut rest[..need.f32s * 4];
        // SAFETY: `f64_bytes` starts 8-aligned (align_offset above) and holds
        // exactly `need.f64s * 8` initialised bytes; any bit pattern is a
        // valid f64. Likewise `f32_bytes` is 4-aligned (it follows a
        // multiple of 8 bytes from an 8-aligned start).
        let (f64s, f32s) = unsafe {
            (
                std::slice::from_raw_parts_mut(f64_bytes.as_mut_ptr().cast::<f64>(), need.f64s),
                std::slice::from_raw_parts_mut(f32_bytes.as_mut_ptr().cast::<f32>(), need.f32s),
            )
        };
        Some(Scratch { f64s, f32s })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_macros_match_cargo() {
        let v = format!("{ENH_LEE_VERSION_MAJOR}.{ENH_LEE_VERSION_MINOR}.{ENH_LEE_VERSION_PATCH}");
        assert_eq!(v, env!("CARGO_PKG_VERSION"));
    }
}
