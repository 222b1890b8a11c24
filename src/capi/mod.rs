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

use crate::{scratch_len, Error, Params, QualityReport, Scratch, ScratchLen};

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

/// Writes to `*out_bytes` the scratch size, in bytes, that `enh_lee_filter`
/// on a `width x height` image (of any planes), or
/// `enh_lee_plan_filter_region` on a `width x height` region, needs with
/// `params`. It grows with width, window and threads;
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

/// Writes to `*dst` the intensity `re^2 + im^2` (`signal` intensity, the
/// default) or the amplitude `sqrt(re^2 + im^2)` (`signal` amplitude) of
/// each pixel of every plane of the complex image `*src`, the values the
/// filters then take: a single-look complex (SLC) product filtered as
/// detected data (docs/filters.md, "Complex rasters"). `src` is complex
/// float32 (`ENH_LEE_ELEMENT_COMPLEX_FLOAT32`: C99 `float complex`, numpy
/// complex64, GDAL CFloat32) or complex int16
/// (`ENH_LEE_ELEMENT_COMPLEX_INT16`: GDAL CInt16, Sentinel-1 SLC; each
/// part converted to float32 exactly), any number of planes; `dst` is
/// float32 of the same width, height and planes. Computed in float64 and
/// rounded once to float32, so every front end gets the same bits
/// (`enh_lee_detect_cf32`'s for complex float32). Only `signal` matters;
/// the parameters are validated like a filter call's.
///
/// Ownership: reads `*src` and `*params`, writes `dst` only on success.
/// Thread-safe.
/// Errors: `ENH_LEE_ERROR_NULL_POINTER`, `ENH_LEE_ERROR_EMPTY_IMAGE`,
/// `ENH_LEE_ERROR_SIZE_OVERFLOW`, `ENH_LEE_ERROR_INVALID_STRIDE`,
/// `ENH_LEE_ERROR_MISALIGNED`, `ENH_LEE_ERROR_UNSUPPORTED_ELEMENT` (`src`
/// not complex, or `dst` not float32), `ENH_LEE_ERROR_PLANE_COUNT`
/// (planes differ), `ENH_LEE_ERROR_INVALID_REGION` (sizes differ),
/// `ENH_LEE_ERROR_PARTIAL_OVERLAP` (`dst` overlaps `src`), any parameter
/// error.
///
/// # Safety
/// `params` NULL or a live `EnhLeeParams` no thread writes meanwhile;
/// `src` and `dst` NULL or readable descriptors of images readable
/// (`src`) and writable (`dst`) as they describe.
#[no_mangle]
pub unsafe extern "C" fn enh_lee_detect(
    params: *const EnhLeeParams,
    src: *const EnhLeeImage,
    dst: *const EnhLeeImage,
) -> EnhLeeStatus {
    guard(|| {
        // SAFETY: forwarded from this function's contract.
        let params = unsafe { read_params(params, EnhLeeParams::to_params) }?;
        // SAFETY: as above.
        let (complex, out) = unsafe { (Planes::read(src)?, Planes::read(dst)?) };
        if complex.element() == ENH_LEE_ELEMENT_FLOAT32 || out.element() != ENH_LEE_ELEMENT_FLOAT32
        {
            return Err(Error::UnsupportedElement);
        }
        if complex.dim().0 != out.dim().0 {
            return Err(Error::PlaneCount);
        }
        if complex.dim() != out.dim() {
            return Err(Error::InvalidRegion);
        }
        if complex.overlaps(&out) {
            return Err(Error::PartialOverlap);
        }
        // SAFETY: `dst` is writable and `src` readable per the contract,
        // and they do not overlap (checked).
        unsafe { complex.detect_into(out.float32_mut()?, params.signal) }
    })
}

/// What a filter did to one plane, measured (docs/filters.md, "Quality
/// report"): `enh_lee_plan_report` after the report pass of a plan made
/// with `ENH_LEE_PLAN_REPORT`.
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
