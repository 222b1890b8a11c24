//! Filtering images of planes, and the whole-raster plan, in C.

use std::ffi::c_char;

use super::image::{EnhLeeImage, Planes, ENH_LEE_ELEMENT_FLOAT32};
use super::vocabulary::{read_text, write_text};
use super::{allocate, guard, read_params, scratch_byte_len, EnhLeeParams, EnhLeeRegion};
use super::{EnhLeeQualityReport, EnhLeeStatus, ScratchBuffer};
use crate::{Error, Plan, Region};

/// `flags` of `enh_lee_plan_new`: the quality report will be measured
/// (`enh_lee_plan_report_count` after filtering).
pub const ENH_LEE_PLAN_REPORT: u32 = 1;

/// What a raster filtered in pieces needs from the whole raster: an opaque
/// object made by `enh_lee_plan_new` from the parameters and the raster's
/// size, freed with `enh_lee_plan_free`.
///
/// Some filters read a value of the whole raster (the estimated looks of
/// `looks=auto`, Lee Sigma's point threshold), and the quality report
/// measures the whole raster. The plan knows which it needs; a front end
/// runs its passes without naming them:
///
/// ```c
/// size_t n;
/// while (enh_lee_plan_tally_len(plan, &n) == ENH_LEE_OK && n > 0) {
///     uint64_t *tally = calloc(n, sizeof *tally);
///     for each piece (strips of enh_lee_plan_strip_rows rows, tiles, chunks):
///         enh_lee_plan_count(plan, &piece, x_off, y_off, tally, n);
///     enh_lee_plan_step(plan, tally, n);
///     free(tally);
/// }
/// then enh_lee_plan_filter_region(plan, &src, region, &dst, ...) per region.
/// ```
///
/// Every plane is planned as a call on that plane alone would be
/// (`enh_lee_plan_set` gives one its own nodata). Thread-safety: calls
/// taking `const EnhLeePlan *` may run on several threads at once (count
/// pieces into tallies of their own and add them); `enh_lee_plan_set`,
/// `_step`, `_report_finish` and `_free` must not run while another thread
/// uses the plan.
pub struct EnhLeePlan {
    plan: Plan,
}

/// Reads the caller's plan.
///
/// # Safety
/// `plan` is NULL or a live `EnhLeePlan` that no thread writes meanwhile.
unsafe fn read_plan<'a>(plan: *const EnhLeePlan) -> Result<&'a Plan, Error> {
    // SAFETY: the caller guarantees `plan` is NULL or valid for reads.
    Ok(&unsafe { plan.as_ref() }.ok_or(Error::NullPointer)?.plan)
}

/// Reads the caller's plan for a change.
///
/// # Safety
/// `plan` is NULL or a live `EnhLeePlan` that no other thread uses
/// meanwhile.
unsafe fn write_plan<'a>(plan: *mut EnhLeePlan) -> Result<&'a mut Plan, Error> {
    // SAFETY: the caller guarantees `plan` is NULL or valid and exclusive.
    Ok(&mut unsafe { plan.as_mut() }.ok_or(Error::NullPointer)?.plan)
}

/// Writes `value` to `*out` (checked non-NULL).
///
/// # Safety
/// `out` is NULL or writable.
unsafe fn write_out<T>(out: *mut T, value: T) -> Result<(), Error> {
    if out.is_null() {
        return Err(Error::NullPointer);
    }
    // SAFETY: non-null and writable per the caller's contract.
    unsafe { out.write(value) };
    Ok(())
}

/// The caller's tally of `len` entries.
///
/// # Safety
/// `tally` is NULL or readable for `len` entries.
unsafe fn read_tally<'a>(tally: *const u64, len: usize) -> Result<&'a [u64], Error> {
    if tally.is_null() {
        return Err(Error::NullPointer);
    }
    if len > isize::MAX as usize / 8 || tally.align_offset(std::mem::align_of::<u64>()) != 0 {
        return Err(Error::InvalidTally);
    }
    // SAFETY: non-null, aligned, within the address space (checked), and
    // readable for `len` entries per the caller's contract.
    Ok(unsafe { std::slice::from_raw_parts(tally, len) })
}

/// Adds a piece's `counts` to the caller's tally of `len` entries (a
/// count call's output, written only once the piece is counted).
///
/// # Safety
/// `tally` is NULL or writable for `len` entries, not otherwise accessed
/// during the call.
unsafe fn add_to_tally(tally: *mut u64, len: usize, counts: &[u64]) -> Result<(), Error> {
    // SAFETY: forwarded; `read_tally` checks what `from_raw_parts_mut` needs.
    let slice = unsafe { read_tally(tally, len) }?;
    // SAFETY: as above, writable and exclusive per the caller's contract.
    let tally = unsafe { std::slice::from_raw_parts_mut(slice.as_ptr().cast_mut(), len) };
    for (t, c) in tally.iter_mut().zip(counts) {
        *t += c;
    }
    Ok(())
}

/// Filters every plane of a whole float32 image `src` into `dst` (same
/// width, height and planes): each plane as a call on that plane alone,
/// whole-raster values (estimated looks, Lee Sigma's point threshold)
/// computed per plane. `dst` and `src` the same descriptor (same data and
/// strides) filters in place (peak memory: the image plus the scratch);
/// any other overlap is an error.
///
/// Scratch: a buffer of at least `enh_lee_scratch_size(width, height)`
/// bytes (any alignment, contents ignored, not overlapping the images;
/// planes are filtered one after another and share it), or NULL with 0
/// bytes to let the library allocate it.
///
/// Ownership: the caller owns every buffer; nothing is kept after return.
/// Thread-safe: concurrent calls on different buffers are fine (from any
/// thread, or from inside a rayon pool). The result does not depend on
/// the thread count.
/// Errors: `ENH_LEE_ERROR_NULL_POINTER`, `ENH_LEE_ERROR_EMPTY_IMAGE`,
/// `ENH_LEE_ERROR_SIZE_OVERFLOW`, `ENH_LEE_ERROR_INVALID_STRIDE`,
/// `ENH_LEE_ERROR_MISALIGNED`, `ENH_LEE_ERROR_UNSUPPORTED_ELEMENT` (not
/// float32), `ENH_LEE_ERROR_PLANE_COUNT`, `ENH_LEE_ERROR_INVALID_REGION`
/// (`dst` not the size of `src`), `ENH_LEE_ERROR_PARTIAL_OVERLAP`,
/// `ENH_LEE_ERROR_SCRATCH_TOO_SMALL`, `ENH_LEE_ERROR_OUT_OF_MEMORY`,
/// `ENH_LEE_ERROR_THREAD_POOL`, `ENH_LEE_ERROR_LOOKS_NOT_ESTIMABLE`, any
/// parameter error; `dst` is untouched on all of them.
/// `ENH_LEE_ERROR_INTERNAL` (a bug) may leave `dst` partly written.
///
/// # Safety
/// `params` NULL or a live `EnhLeeParams` no thread writes meanwhile;
/// `src` and `dst` NULL or readable descriptors of images readable
/// (`src`) and writable (`dst`) as they describe; `scratch` NULL or
/// writable for `scratch_bytes`.
#[no_mangle]
pub unsafe extern "C" fn enh_lee_filter(
    params: *const EnhLeeParams,
    src: *const EnhLeeImage,
    dst: *const EnhLeeImage,
    scratch: *mut core::ffi::c_void,
    scratch_bytes: usize,
) -> EnhLeeStatus {
    guard(|| {
        // SAFETY: forwarded from this function's contract.
        let params = unsafe { read_params(params, EnhLeeParams::to_params) }?;
        // SAFETY: as above.
        let (source, target) = unsafe { (Planes::read(src)?, Planes::read(dst)?) };
        let (planes, height, width) = source.dim();
        check_pair(&source, &target, Region::whole(width, height), true)?;
        let mut plan = Plan::new(&params, width, height, planes, false)?;
        // SAFETY: `src` is readable per the contract and not written while
        // the plan counts it.
        plan.resolve(unsafe { source.float32() }?)?;
        // SAFETY: forwarded from this function's contract.
        unsafe {
            filter_pair(
                &plan,
                &source,
                Region::whole(width, height),
                &target,
                scratch,
                scratch_bytes,
            )
        }
    })
}

/// Checks a filtering call's images: float32, as many planes, `src` the
/// source of `region` and `dst` its size, overlapping only in place
/// (`in_place_ok`: the region is the whole raster).
fn check_pair(src: &Planes, dst: &Planes, region: Region, in_place_ok: bool) -> Result<(), Error> {
    if src.element() != ENH_LEE_ELEMENT_FLOAT32 || dst.element() != ENH_LEE_ELEMENT_FLOAT32 {
        return Err(Error::UnsupportedElement);
    }
    if src.dim().0 != dst.dim().0 {
        return Err(Error::PlaneCount);
    }
    if dst.dim().1 != region.height || dst.dim().2 != region.width {
        return Err(Error::InvalidRegion);
    }
    if src.overlaps(dst) && !(in_place_ok && src.same(dst)) {
        return Err(Error::PartialOverlap);
    }
    Ok(())
}

/// Filters `region` of `src` into `dst` with the plan's planes (in place
/// when they are the same image).
///
/// # Safety
/// `src` readable and `dst` writable as they describe; `scratch` NULL or
/// writable for `scratch_bytes`.
unsafe fn filter_pair(
    plan: &Plan,
    src: &Planes,
    region: Region,
    dst: &Planes,
    scratch: *mut core::ffi::c_void,
    scratch_bytes: usize,
) -> Result<(), Error> {
    let whole = (region.x_off, region.y_off, region.width, region.height)
        == (0, 0, plan.shape().0, plan.shape().1);
    check_pair(src, dst, region, whole)?;
    let need = plan.scratch_len(region.width, region.height)?;
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
    if src.same(dst) {
        // SAFETY: `dst` is writable and no other view of it exists in this
        // call (the caller's contract).
        let image = unsafe { dst.float32_mut() }?;
        plan.filter_in_place(image, scratch)
    } else {
        // SAFETY: as above; `src` and `dst` do not overlap (checked), so
        // the views alias nothing.
        let (src, dst) = unsafe { (src.float32()?, dst.float32_mut()?) };
        plan.filter_region(src, dst, region, scratch)
    }
}

/// Makes the plan of a `width x height` raster of `planes` planes, each
/// filtered with `*params` (copied: the plan keeps no pointer to it), and
/// writes it to `*out_plan`. `flags`: 0, or `ENH_LEE_PLAN_REPORT` to
/// measure the quality report.
///
/// Ownership: the caller owns the new plan and frees it with
/// `enh_lee_plan_free`; `*out_plan` is written only on success.
/// Thread-safe.
/// Errors: `ENH_LEE_ERROR_NULL_POINTER`, `ENH_LEE_ERROR_EMPTY_IMAGE`,
/// `ENH_LEE_ERROR_PLANE_COUNT` (0 planes), `ENH_LEE_ERROR_SIZE_OVERFLOW`,
/// `ENH_LEE_ERROR_WINDOW_TOO_LARGE`, `ENH_LEE_ERROR_OUT_OF_MEMORY`,
/// `ENH_LEE_ERROR_INVALID_VALUE` (unknown flags), any parameter error.
///
/// # Safety
/// `params` NULL or a live `EnhLeeParams` no thread writes meanwhile;
/// `out_plan` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn enh_lee_plan_new(
    params: *const EnhLeeParams,
    width: usize,
    height: usize,
    planes: usize,
    flags: u32,
    out_plan: *mut *mut EnhLeePlan,
) -> EnhLeeStatus {
    guard(|| {
        // SAFETY: forwarded from this function's contract.
        let params = unsafe { read_params(params, EnhLeeParams::to_params) }?;
        if out_plan.is_null() {
            return Err(Error::NullPointer);
        }
        if flags & !ENH_LEE_PLAN_REPORT != 0 {
            return Err(Error::InvalidValue);
        }
        let plan = Plan::new(
            &params,
            width,
            height,
            planes,
            flags & ENH_LEE_PLAN_REPORT != 0,
        )?;
        // SAFETY: checked non-null, writable per the contract.
        unsafe { write_out(out_plan, Box::into_raw(Box::new(EnhLeePlan { plan }))) }
    })
}

/// Frees a plan. NULL is ignored.
///
/// Ownership: takes back the caller's plan; it must not be used again.
/// Thread-safety: no other thread may use the plan meanwhile.
///
/// # Safety
/// `plan` is NULL or a plan from `enh_lee_plan_new` / `enh_lee_plan_load`
/// not yet freed.
#[no_mangle]
pub unsafe extern "C" fn enh_lee_plan_free(plan: *mut EnhLeePlan) {
    if !plan.is_null() {
        let _ = std::panic::catch_unwind(|| {
            // SAFETY: `plan` came from `Box::into_raw` in this module and is
            // freed once, per the contract.
            drop(unsafe { Box::from_raw(plan) })
        });
    }
}

/// Sets parameter `name` of plane `plane` alone from text, as
/// `enh_lee_params_set` does: a band's own `nodata`, a date's given
/// `looks` or `point_threshold`; the other parameters are the plan's for
/// every plane. Only before the first `enh_lee_plan_step`.
///
/// Ownership: reads `name` and `value`. Thread-safety: no other thread may
/// use the plan meanwhile.
/// Errors: `ENH_LEE_ERROR_NULL_POINTER`, `ENH_LEE_ERROR_PLANE_COUNT` (no
/// such plane), `ENH_LEE_ERROR_PLAN_STATE` (after a step),
/// `ENH_LEE_ERROR_INVALID_VALUE` (a parameter planes cannot hold on their
/// own), and `enh_lee_params_set`'s errors; the plan is unchanged on error.
///
/// # Safety
/// `plan` NULL or a live plan no other thread uses; `name` and `value`
/// NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn enh_lee_plan_set(
    plan: *mut EnhLeePlan,
    plane: usize,
    name: *const c_char,
    value: *const c_char,
) -> EnhLeeStatus {
    guard(|| {
        // SAFETY: forwarded from this function's contract.
        let plan = unsafe { write_plan(plan) }?;
        // SAFETY: as above.
        let name = unsafe { read_text(name, Error::UnknownParameter) }?;
        // SAFETY: as above.
        let value = unsafe { read_text(value, Error::InvalidValue) }?;
        plan.set_plane(plane, name, value)
    })
}

/// Writes to `*out_len` the entries (`uint64_t`) of the tally the next
/// counting pass needs, or 0 when none is due: the plan is ready to filter.
///
/// Ownership: writes `*out_len` only on success. Thread-safe.
/// Errors: `ENH_LEE_ERROR_NULL_POINTER`.
///
/// # Safety
/// `plan` NULL or a live plan no thread writes meanwhile; `out_len` NULL
/// or writable.
#[no_mangle]
pub unsafe extern "C" fn enh_lee_plan_tally_len(
    plan: *const EnhLeePlan,
    out_len: *mut usize,
) -> EnhLeeStatus {
    // SAFETY: forwarded from this function's contract.
    guard(|| unsafe { write_out(out_len, read_plan(plan)?.tally_len()) })
}

/// Writes to `*out_passes` at most how many counting passes remain (0:
/// ready to filter), for a front end that lays out its passes ahead (a
/// Dask graph). Each pass is due while `enh_lee_plan_tally_len` is not 0;
/// a search may end sooner (a raster without valid pixels).
///
/// Ownership, thread-safety, errors and safety: as `enh_lee_plan_tally_len`.
///
/// # Safety
/// `plan` NULL or a live plan no thread writes meanwhile; `out_passes`
/// NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn enh_lee_plan_passes_left(
    plan: *const EnhLeePlan,
    out_passes: *mut usize,
) -> EnhLeeStatus {
    // SAFETY: forwarded from this function's contract.
    guard(|| unsafe { write_out(out_passes, read_plan(plan)?.passes_left()) })
}

/// Writes to `*out_joint` 1 when the planes are filtered together (every
/// output plane reads every plane, as `temporal=quegan` does): a front end
/// that splits the planes (Dask chunks along them) must give each region
/// with all of them; 0 when each plane is filtered on its own.
///
/// Ownership, thread-safety, errors and safety: as `enh_lee_plan_tally_len`.
///
/// # Safety
/// `plan` NULL or a live plan no thread writes meanwhile; `out_joint`
/// NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn enh_lee_plan_joint(
    plan: *const EnhLeePlan,
    out_joint: *mut u32,
) -> EnhLeeStatus {
    // SAFETY: forwarded from this function's contract.
    guard(|| unsafe { write_out(out_joint, u32::from(read_plan(plan)?.joint())) })
}

/// Writes to `*out_side` the side that the offsets of counted pieces must
/// be multiples of, and their widths and heights too except where they
/// reach the raster's right or bottom edge: 16 when the plan measures the
/// looks' 16x16 blocks, else 1.
///
/// Ownership, thread-safety, errors and safety: as `enh_lee_plan_tally_len`.
///
/// # Safety
/// `plan` NULL or a live plan no thread writes meanwhile; `out_side` NULL
/// or writable.
#[no_mangle]
pub unsafe extern "C" fn enh_lee_plan_alignment(
    plan: *const EnhLeePlan,
    out_side: *mut usize,
) -> EnhLeeStatus {
    // SAFETY: forwarded from this function's contract.
    guard(|| unsafe { write_out(out_side, read_plan(plan)?.alignment()) })
}

/// Writes to `*out_rows` the rows per strip suggested to a front end that
/// reads the raster in strips of full rows (to count and to filter): about
/// 16 MiB of float32 over every plane, at least four halos, a multiple of
/// `enh_lee_plan_alignment`, at most the height.
///
/// Ownership, thread-safety, errors and safety: as `enh_lee_plan_tally_len`.
///
/// # Safety
/// `plan` NULL or a live plan no thread writes meanwhile; `out_rows` NULL
/// or writable.
#[no_mangle]
pub unsafe extern "C" fn enh_lee_plan_strip_rows(
    plan: *const EnhLeePlan,
    out_rows: *mut usize,
) -> EnhLeeStatus {
    // SAFETY: forwarded from this function's contract.
    guard(|| unsafe { write_out(out_rows, read_plan(plan)?.strip_rows()) })
}

/// Adds `*piece`, the float32 pixels of every plane of the raster from
/// column `x_off`, row `y_off`, to `tally` (`tally_len` entries, zeroed at
/// the start of the pass). Every pixel of the raster once per pass, in
/// pieces of any size and order (aligned: `enh_lee_plan_alignment`).
/// Threads may count pieces at once into tallies of their own, then add
/// them.
///
/// Ownership: reads the piece, adds to `tally` (written only on success).
/// Thread-safe (the plan is only read).
/// Errors: `ENH_LEE_ERROR_NULL_POINTER`, the descriptor's errors,
/// `ENH_LEE_ERROR_PLAN_STATE` (no pass due), `ENH_LEE_ERROR_PLANE_COUNT`,
/// `ENH_LEE_ERROR_INVALID_TALLY` (`tally_len` not the pass's),
/// `ENH_LEE_ERROR_INVALID_REGION` (outside the raster, or cutting a
/// block), `ENH_LEE_ERROR_THREAD_POOL`.
///
/// # Safety
/// `plan` NULL or a live plan no thread writes meanwhile; `piece` NULL or
/// a readable descriptor of a readable image; `tally` NULL or writable for
/// `tally_len` entries.
#[no_mangle]
pub unsafe extern "C" fn enh_lee_plan_count(
    plan: *const EnhLeePlan,
    piece: *const EnhLeeImage,
    x_off: usize,
    y_off: usize,
    tally: *mut u64,
    tally_len: usize,
) -> EnhLeeStatus {
    guard(|| {
        // SAFETY: forwarded from this function's contract.
        let plan = unsafe { read_plan(plan) }?;
        // SAFETY: as above.
        let piece = unsafe { Planes::read(piece) }?;
        // SAFETY: as above.
        let piece = unsafe { piece.float32() }?;
        let mut counts = vec![0u64; plan.tally_len().min(tally_len)];
        plan.count(piece, (x_off, y_off), &mut counts)?;
        // SAFETY: forwarded from this function's contract.
        unsafe { add_to_tally(tally, tally_len, &counts) }
    })
}

/// Ends a counting pass with the tally of the whole raster (the sum of
/// every piece's counts). The plan is unchanged on error.
///
/// Ownership: reads `tally`. Thread-safety: no other thread may use the
/// plan meanwhile.
/// Errors: `ENH_LEE_ERROR_NULL_POINTER`, `ENH_LEE_ERROR_PLAN_STATE` (no
/// pass due), `ENH_LEE_ERROR_INVALID_TALLY`,
/// `ENH_LEE_ERROR_LOOKS_NOT_ESTIMABLE` (a plane whose looks cannot be
/// estimated), `ENH_LEE_ERROR_INVALID_POINT_THRESHOLD` (a tally that does
/// not fit the pass).
///
/// # Safety
/// `plan` NULL or a live plan no other thread uses; `tally` NULL or
/// readable for `tally_len` entries.
#[no_mangle]
pub unsafe extern "C" fn enh_lee_plan_step(
    plan: *mut EnhLeePlan,
    tally: *const u64,
    tally_len: usize,
) -> EnhLeeStatus {
    guard(|| {
        // SAFETY: forwarded from this function's contract.
        let plan = unsafe { write_plan(plan) }?;
        // SAFETY: as above.
        plan.step(unsafe { read_tally(tally, tally_len) }?)
    })
}

/// Filters `region` of every plane once the plan is ready
/// (`enh_lee_plan_tally_len` 0): `*src` holds the region grown by the halo
/// (`enh_lee_halo`) on every side, clipped to the raster
/// (`enh_lee_source_region` gives it), every plane; `*dst` receives the
/// region's `width x height` pixels of every plane. The result is bit for
/// bit what `enh_lee_filter` gives for those pixels of the whole raster,
/// so a raster is filtered strip by strip or tile by tile with no seams.
/// In place (`dst` the same image as `src`) only when the region is the
/// whole raster. Scratch as `enh_lee_filter`'s, for a `region.width x
/// region.height` image.
///
/// Ownership: the caller owns every buffer; nothing is kept after return.
/// Thread-safe: several threads may filter regions with one plan at once.
/// Errors: `enh_lee_filter`'s, `ENH_LEE_ERROR_PLAN_STATE` (a pass is
/// due), `ENH_LEE_ERROR_INVALID_REGION` (a region outside the raster, or
/// images not its size); `dst` is untouched on all of them.
///
/// # Safety
/// `plan` NULL or a live plan no thread writes meanwhile; `src` and `dst`
/// NULL or readable descriptors of images readable (`src`) and writable
/// (`dst`) as they describe; `scratch` NULL or writable for
/// `scratch_bytes`.
#[no_mangle]
pub unsafe extern "C" fn enh_lee_plan_filter_region(
    plan: *const EnhLeePlan,
    src: *const EnhLeeImage,
    region: EnhLeeRegion,
    dst: *const EnhLeeImage,
    scratch: *mut core::ffi::c_void,
    scratch_bytes: usize,
) -> EnhLeeStatus {
    guard(|| {
        // SAFETY: forwarded from this function's contract.
        let plan = unsafe { read_plan(plan) }?;
        // SAFETY: as above.
        let (src, dst) = unsafe { (Planes::read(src)?, Planes::read(dst)?) };
        let region = Region::from(region);
        // SAFETY: forwarded from this function's contract.
        unsafe { filter_pair(plan, &src, region, &dst, scratch, scratch_bytes) }
    })
}

/// Writes to `*out_params` a new parameters object: plane `plane`'s, with
/// the estimated looks and the point threshold the passes found (what it
/// is filtered with), for a front end that shows them.
///
/// Ownership: the caller owns the new object and frees it with
/// `enh_lee_params_free`. Thread-safe.
/// Errors: `ENH_LEE_ERROR_NULL_POINTER`, `ENH_LEE_ERROR_PLAN_STATE` (a
/// pass is due), `ENH_LEE_ERROR_PLANE_COUNT`,
/// `ENH_LEE_ERROR_OUT_OF_MEMORY`.
///
/// # Safety
/// `plan` NULL or a live plan no thread writes meanwhile; `out_params`
/// NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn enh_lee_plan_params(
    plan: *const EnhLeePlan,
    plane: usize,
    out_params: *mut *mut EnhLeeParams,
) -> EnhLeeStatus {
    guard(|| {
        // SAFETY: forwarded from this function's contract.
        let plan = unsafe { read_plan(plan) }?;
        if out_params.is_null() {
            return Err(Error::NullPointer);
        }
        let params = plan.resolved(plane)?;
        let object = allocate(params);
        if object.is_null() {
            return Err(Error::OutOfMemory);
        }
        // SAFETY: checked non-null, writable per the contract.
        unsafe { write_out(out_params, object) }
    })
}

/// Writes one line saying what the filter does with this plan, for
/// metadata and attributes (GDAL's `ENHLEE` domain, QGIS's log, xarray's
/// attrs): `enh-lee <version>: filter=... window=... looks=...` with every
/// parameter the filter reads, resolved (the estimated looks and point
/// threshold marked `(estimated)`, values that differ between planes
/// separated by commas). The buffer works as `enh_lee_params_get`'s.
///
/// Ownership: writes `buf` and `*out_len` only on success. Thread-safe.
/// Errors: `ENH_LEE_ERROR_NULL_POINTER`, `ENH_LEE_ERROR_BUFFER_TOO_SMALL`.
///
/// # Safety
/// `plan` NULL or a live plan no thread writes meanwhile; `buf` NULL or
/// writable for `buf_len` bytes; `out_len` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn enh_lee_plan_provenance(
    plan: *const EnhLeePlan,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> EnhLeeStatus {
    guard(|| {
        // SAFETY: forwarded from this function's contract.
        let text = unsafe { read_plan(plan) }?.provenance();
        // SAFETY: as above.
        unsafe { write_text(&text, buf, buf_len, out_len) }
    })
}

/// Writes to `*out_len` the entries of the report's tally (65536 per
/// plane), or 0 when the plan was made
/// without `ENH_LEE_PLAN_REPORT`.
///
/// Ownership, thread-safety, errors and safety: as `enh_lee_plan_tally_len`.
///
/// # Safety
/// `plan` NULL or a live plan no thread writes meanwhile; `out_len` NULL
/// or writable.
#[no_mangle]
pub unsafe extern "C" fn enh_lee_plan_report_tally_len(
    plan: *const EnhLeePlan,
    out_len: *mut usize,
) -> EnhLeeStatus {
    // SAFETY: forwarded from this function's contract.
    guard(|| unsafe { write_out(out_len, read_plan(plan)?.report_tally_len()) })
}

/// Adds a piece of the input and the same piece filtered (float32, every
/// plane, from column `x_off`, row `y_off`) to the report's tally, once
/// the plan is ready. Pieces as `enh_lee_plan_count`'s: any order, aligned,
/// the whole raster once.
///
/// Ownership: reads the pieces, adds to `tally` only on success.
/// Thread-safe (the plan is only read).
/// Errors: as `enh_lee_plan_count`'s, and `ENH_LEE_ERROR_PLAN_STATE`
/// without `ENH_LEE_PLAN_REPORT` or while a pass is due.
///
/// # Safety
/// `plan` NULL or a live plan no thread writes meanwhile; `input` and
/// `filtered` NULL or readable descriptors of readable images; `tally`
/// NULL or writable for `tally_len` entries.
#[no_mangle]
pub unsafe extern "C" fn enh_lee_plan_report_count(
    plan: *const EnhLeePlan,
    input: *const EnhLeeImage,
    filtered: *const EnhLeeImage,
    x_off: usize,
    y_off: usize,
    tally: *mut u64,
    tally_len: usize,
) -> EnhLeeStatus {
    guard(|| {
        // SAFETY: forwarded from this function's contract.
        let plan = unsafe { read_plan(plan) }?;
        // SAFETY: as above.
        let (input, filtered) = unsafe { (Planes::read(input)?, Planes::read(filtered)?) };
        // SAFETY: as above.
        let (input, filtered) = unsafe { (input.float32()?, filtered.float32()?) };
        let mut counts = vec![0u64; plan.report_tally_len().min(tally_len)];
        plan.count_report(input, filtered, (x_off, y_off), &mut counts)?;
        // SAFETY: forwarded from this function's contract.
        unsafe { add_to_tally(tally, tally_len, &counts) }
    })
}

/// Ends the report with the tally of the whole raster; then
/// `enh_lee_plan_report` gives each plane's.
///
/// Ownership: reads `tally`. Thread-safety: no other thread may use the
/// plan meanwhile.
/// Errors: `ENH_LEE_ERROR_NULL_POINTER`, `ENH_LEE_ERROR_PLAN_STATE`,
/// `ENH_LEE_ERROR_INVALID_TALLY`.
///
/// # Safety
/// `plan` NULL or a live plan no other thread uses; `tally` NULL or
/// readable for `tally_len` entries.
#[no_mangle]
pub unsafe extern "C" fn enh_lee_plan_report_finish(
    plan: *mut EnhLeePlan,
    tally: *const u64,
    tally_len: usize,
) -> EnhLeeStatus {
    guard(|| {
        // SAFETY: forwarded from this function's contract.
        let plan = unsafe { write_plan(plan) }?;
        // SAFETY: as above.
        plan.finish_report(unsafe { read_tally(tally, tally_len) }?)
    })
}

/// Writes plane `plane`'s quality report to `*out_report`, once finished.
///
/// Ownership: writes `*out_report` only on success. Thread-safe.
/// Errors: `ENH_LEE_ERROR_NULL_POINTER`, `ENH_LEE_ERROR_PLAN_STATE` (not
/// finished), `ENH_LEE_ERROR_PLANE_COUNT`,
/// `ENH_LEE_ERROR_LOOKS_NOT_ESTIMABLE` (no homogeneous block: the plane
/// cannot be measured).
///
/// # Safety
/// `plan` NULL or a live plan no thread writes meanwhile; `out_report`
/// NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn enh_lee_plan_report(
    plan: *const EnhLeePlan,
    plane: usize,
    out_report: *mut EnhLeeQualityReport,
) -> EnhLeeStatus {
    guard(|| {
        // SAFETY: forwarded from this function's contract.
        let plan = unsafe { read_plan(plan) }?;
        if out_report.is_null() {
            return Err(Error::NullPointer);
        }
        // SAFETY: as above.
        unsafe { write_out(out_report, EnhLeeQualityReport::from(plan.report(plane)?)) }
    })
}

/// Writes the plan as text (for another process: a Dask worker), which
/// `enh_lee_plan_load` reads back to the same plan. The buffer works as
/// `enh_lee_params_get`'s.
///
/// Ownership: writes `buf` and `*out_len` only on success. Thread-safe.
/// Errors: `ENH_LEE_ERROR_NULL_POINTER`, `ENH_LEE_ERROR_BUFFER_TOO_SMALL`.
///
/// # Safety
/// `plan` NULL or a live plan no thread writes meanwhile; `buf` NULL or
/// writable for `buf_len` bytes; `out_len` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn enh_lee_plan_save(
    plan: *const EnhLeePlan,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> EnhLeeStatus {
    guard(|| {
        // SAFETY: forwarded from this function's contract.
        let text = unsafe { read_plan(plan) }?.save();
        // SAFETY: as above.
        unsafe { write_text(&text, buf, buf_len, out_len) }
    })
}

/// Makes a plan from the NUL-terminated text `enh_lee_plan_save` wrote and
/// writes it to `*out_plan`.
///
/// Ownership: the caller owns the new plan (`enh_lee_plan_free`);
/// `*out_plan` is written only on success. Thread-safe.
/// Errors: `ENH_LEE_ERROR_NULL_POINTER`, `ENH_LEE_ERROR_INVALID_PLAN`.
///
/// # Safety
/// `text` NULL or NUL-terminated; `out_plan` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn enh_lee_plan_load(
    text: *const c_char,
    out_plan: *mut *mut EnhLeePlan,
) -> EnhLeeStatus {
    guard(|| {
        // SAFETY: forwarded from this function's contract.
        let text = unsafe { read_text(text, Error::InvalidPlan) }?;
        if out_plan.is_null() {
            return Err(Error::NullPointer);
        }
        let plan = Plan::load(text)?;
        // SAFETY: checked non-null, writable per the contract.
        unsafe { write_out(out_plan, Box::into_raw(Box::new(EnhLeePlan { plan }))) }
    })
}
