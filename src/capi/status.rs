//! Status codes of the C ABI: one code per [`Error`], never reused.

use std::ffi::c_char;

use crate::Error;

/// The result of every fallible call: `ENH_LEE_OK` (0) or one of the
/// `ENH_LEE_ERROR_*` codes. A plain integer, so that any value a C caller
/// holds can be passed to `enh_lee_status_message`.
pub type EnhLeeStatus = i32;

/// Success.
pub const ENH_LEE_OK: EnhLeeStatus = 0;
/// A required pointer argument is NULL.
pub const ENH_LEE_ERROR_NULL_POINTER: EnhLeeStatus = 1;
/// Width or height is zero.
pub const ENH_LEE_ERROR_EMPTY_IMAGE: EnhLeeStatus = 2;
/// A size computation overflows the address space.
pub const ENH_LEE_ERROR_SIZE_OVERFLOW: EnhLeeStatus = 3;
/// A row stride is smaller than a row or not a multiple of 4 bytes.
pub const ENH_LEE_ERROR_INVALID_STRIDE: EnhLeeStatus = 4;
/// A buffer pointer is not aligned to 4 bytes.
pub const ENH_LEE_ERROR_MISALIGNED: EnhLeeStatus = 5;
/// The window is even, smaller than 3, or too large.
pub const ENH_LEE_ERROR_INVALID_WINDOW: EnhLeeStatus = 6;
/// looks is not finite or not > 0.
pub const ENH_LEE_ERROR_INVALID_LOOKS: EnhLeeStatus = 7;
/// damping is not finite or < 0.
pub const ENH_LEE_ERROR_INVALID_DAMPING: EnhLeeStatus = 8;
/// cu/cmax not finite, cu < 0, or cu >= cmax.
pub const ENH_LEE_ERROR_INVALID_COEFFICIENTS: EnhLeeStatus = 9;
/// Unknown signal value.
pub const ENH_LEE_ERROR_INVALID_SIGNAL: EnhLeeStatus = 10;
/// Unknown statistic value.
pub const ENH_LEE_ERROR_INVALID_STATISTIC: EnhLeeStatus = 11;
/// Unknown border value.
pub const ENH_LEE_ERROR_INVALID_BORDER: EnhLeeStatus = 12;
/// has_nodata is neither 0 nor 1 (0.4 and earlier; opaque parameters
/// since 0.5 cannot hold such a value, and no call returns it).
pub const ENH_LEE_ERROR_INVALID_NODATA_FLAG: EnhLeeStatus = 13;
/// threads is larger than 1024 (the library's thread limit).
pub const ENH_LEE_ERROR_INVALID_THREADS: EnhLeeStatus = 14;
/// The scratch buffer is smaller than enh_lee_scratch_size reported.
pub const ENH_LEE_ERROR_SCRATCH_TOO_SMALL: EnhLeeStatus = 15;
/// Input and output buffers partially overlap.
pub const ENH_LEE_ERROR_PARTIAL_OVERLAP: EnhLeeStatus = 16;
/// The region does not lie inside the raster.
pub const ENH_LEE_ERROR_INVALID_REGION: EnhLeeStatus = 17;
/// The library could not allocate its own scratch buffer.
pub const ENH_LEE_ERROR_OUT_OF_MEMORY: EnhLeeStatus = 18;
/// The worker threads could not be started.
pub const ENH_LEE_ERROR_THREAD_POOL: EnhLeeStatus = 19;
/// A bug in enh-lee (a panic was caught); the output may be partly written.
pub const ENH_LEE_ERROR_INTERNAL: EnhLeeStatus = 20;
/// No parameter has that name (enh_lee_params_set, enh_lee_params_get), or
/// no parameter has that index (enh_lee_param_info).
pub const ENH_LEE_ERROR_UNKNOWN_PARAMETER: EnhLeeStatus = 21;
/// Unknown filter value.
pub const ENH_LEE_ERROR_INVALID_FILTER: EnhLeeStatus = 22;
/// The nodata text is not a number.
pub const ENH_LEE_ERROR_INVALID_NODATA: EnhLeeStatus = 23;
/// A text buffer is too small for the value.
pub const ENH_LEE_ERROR_BUFFER_TOO_SMALL: EnhLeeStatus = 24;
/// sigma is not one of Lee Sigma's 0.5, 0.6, 0.7, 0.8, 0.9, 0.95.
pub const ENH_LEE_ERROR_INVALID_SIGMA: EnhLeeStatus = 25;
/// target_window is neither 3 nor 5.
pub const ENH_LEE_ERROR_INVALID_TARGET_WINDOW: EnhLeeStatus = 26;
/// point_threshold is NaN where it is needed (a plan's passes compute it
/// over the whole raster: enh_lee_plan_new), or a plan's tally that does
/// not fit its pass.
pub const ENH_LEE_ERROR_INVALID_POINT_THRESHOLD: EnhLeeStatus = 27;
/// Unknown compat value, or `compat=gee` with a filter other than
/// Refined Lee.
pub const ENH_LEE_ERROR_INVALID_COMPAT: EnhLeeStatus = 28;
/// The looks cannot be estimated (`enh_lee_plan_step`, `enh_lee_filter`,
/// `enh_lee_plan_report`): no 16x16 block of valid pixels with a positive
/// mean, or the most homogeneous blocks do not vary.
pub const ENH_LEE_ERROR_LOOKS_NOT_ESTIMABLE: EnhLeeStatus = 29;
/// A filter's own parameter is not a number of its kind within its limits
/// (`enh_lee_param_info` gives them; `enh_lee_status_parameter` names the
/// parameters).
pub const ENH_LEE_ERROR_INVALID_VALUE: EnhLeeStatus = 30;
/// window is more than twice the raster's larger side plus one, and more
/// than 7 (refused before any allocation).
pub const ENH_LEE_ERROR_WINDOW_TOO_LARGE: EnhLeeStatus = 31;

/// An image's element type is not one the call reads (filters read
/// float32; complex images are detected first, `enh_lee_detect`).
pub const ENH_LEE_ERROR_UNSUPPORTED_ELEMENT: EnhLeeStatus = 32;
/// An image has no plane, or not as many as the plan or the other image
/// of the call.
pub const ENH_LEE_ERROR_PLANE_COUNT: EnhLeeStatus = 33;
/// A plan call out of order: counting with no pass due, filtering while
/// one is, a report not asked for or not finished, a plane's parameter
/// set after the first pass.
pub const ENH_LEE_ERROR_PLAN_STATE: EnhLeeStatus = 34;
/// A tally's length is not `enh_lee_plan_tally_len` (or
/// `enh_lee_plan_report_tally_len`) of the plan.
pub const ENH_LEE_ERROR_INVALID_TALLY: EnhLeeStatus = 35;
/// The text given to `enh_lee_plan_load` is not one `enh_lee_plan_save`
/// of this library version wrote.
pub const ENH_LEE_ERROR_INVALID_PLAN: EnhLeeStatus = 36;

/// Unknown temporal value.
pub const ENH_LEE_ERROR_INVALID_TEMPORAL: EnhLeeStatus = 37;
/// The call cannot filter in place with these parameters
/// (`temporal=quegan` reads every date's input while it writes).
pub const ENH_LEE_ERROR_IN_PLACE_UNSUPPORTED: EnhLeeStatus = 38;

/// Every error with its code: the one place the two are paired.
const CODES: [(Error, EnhLeeStatus); 38] = [
    (Error::NullPointer, ENH_LEE_ERROR_NULL_POINTER),
    (Error::EmptyImage, ENH_LEE_ERROR_EMPTY_IMAGE),
    (Error::SizeOverflow, ENH_LEE_ERROR_SIZE_OVERFLOW),
    (Error::InvalidStride, ENH_LEE_ERROR_INVALID_STRIDE),
    (Error::Misaligned, ENH_LEE_ERROR_MISALIGNED),
    (Error::InvalidWindow, ENH_LEE_ERROR_INVALID_WINDOW),
    (Error::InvalidLooks, ENH_LEE_ERROR_INVALID_LOOKS),
    (Error::InvalidDamping, ENH_LEE_ERROR_INVALID_DAMPING),
    (
        Error::InvalidCoefficients,
        ENH_LEE_ERROR_INVALID_COEFFICIENTS,
    ),
    (Error::InvalidSignal, ENH_LEE_ERROR_INVALID_SIGNAL),
    (Error::InvalidStatistic, ENH_LEE_ERROR_INVALID_STATISTIC),
    (Error::InvalidBorder, ENH_LEE_ERROR_INVALID_BORDER),
    (Error::InvalidNodataFlag, ENH_LEE_ERROR_INVALID_NODATA_FLAG),
    (Error::InvalidThreads, ENH_LEE_ERROR_INVALID_THREADS),
    (Error::ScratchTooSmall, ENH_LEE_ERROR_SCRATCH_TOO_SMALL),
    (Error::PartialOverlap, ENH_LEE_ERROR_PARTIAL_OVERLAP),
    (Error::InvalidRegion, ENH_LEE_ERROR_INVALID_REGION),
    (Error::OutOfMemory, ENH_LEE_ERROR_OUT_OF_MEMORY),
    (Error::ThreadPool, ENH_LEE_ERROR_THREAD_POOL),
    (Error::Internal, ENH_LEE_ERROR_INTERNAL),
    (Error::UnknownParameter, ENH_LEE_ERROR_UNKNOWN_PARAMETER),
    (Error::InvalidFilter, ENH_LEE_ERROR_INVALID_FILTER),
    (Error::InvalidNodata, ENH_LEE_ERROR_INVALID_NODATA),
    (Error::BufferTooSmall, ENH_LEE_ERROR_BUFFER_TOO_SMALL),
    (Error::InvalidSigma, ENH_LEE_ERROR_INVALID_SIGMA),
    (
        Error::InvalidTargetWindow,
        ENH_LEE_ERROR_INVALID_TARGET_WINDOW,
    ),
    (
        Error::InvalidPointThreshold,
        ENH_LEE_ERROR_INVALID_POINT_THRESHOLD,
    ),
    (Error::InvalidCompat, ENH_LEE_ERROR_INVALID_COMPAT),
    (Error::LooksNotEstimable, ENH_LEE_ERROR_LOOKS_NOT_ESTIMABLE),
    (Error::InvalidValue, ENH_LEE_ERROR_INVALID_VALUE),
    (Error::WindowTooLarge, ENH_LEE_ERROR_WINDOW_TOO_LARGE),
    (Error::UnsupportedElement, ENH_LEE_ERROR_UNSUPPORTED_ELEMENT),
    (Error::PlaneCount, ENH_LEE_ERROR_PLANE_COUNT),
    (Error::PlanState, ENH_LEE_ERROR_PLAN_STATE),
    (Error::InvalidTally, ENH_LEE_ERROR_INVALID_TALLY),
    (Error::InvalidPlan, ENH_LEE_ERROR_INVALID_PLAN),
    (Error::InvalidTemporal, ENH_LEE_ERROR_INVALID_TEMPORAL),
    (
        Error::InPlaceUnsupported,
        ENH_LEE_ERROR_IN_PLACE_UNSUPPORTED,
    ),
];

/// Every error with its status code.
pub(super) fn errors() -> impl Iterator<Item = (Error, EnhLeeStatus)> {
    CODES.into_iter()
}

/// The error a status code reports (`None` for `ENH_LEE_OK` and unknown
/// codes).
pub(super) fn error_of(status: EnhLeeStatus) -> Option<Error> {
    CODES.iter().find(|(_, c)| *c == status).map(|(e, _)| *e)
}

/// The status code of a result.
pub fn status_of(result: Result<(), Error>) -> EnhLeeStatus {
    match result {
        Ok(()) => ENH_LEE_OK,
        Err(e) => CODES
            .iter()
            .find(|(err, _)| *err == e)
            .map_or(ENH_LEE_ERROR_INTERNAL, |c| c.1),
    }
}

/// A static, NUL-terminated sentence for any status value.
pub fn message_of(status: EnhLeeStatus) -> *const c_char {
    static MESSAGES: std::sync::OnceLock<Vec<(EnhLeeStatus, std::ffi::CString)>> =
        std::sync::OnceLock::new();
    if status == ENH_LEE_OK {
        return c"success".as_ptr();
    }
    let messages = MESSAGES.get_or_init(|| {
        CODES
            .iter()
            .map(|(e, c)| {
                (
                    *c,
                    std::ffi::CString::new(e.message()).expect("no NUL in messages"),
                )
            })
            .collect()
    });
    messages
        .iter()
        .find(|(c, _)| *c == status)
        .map_or(c"unknown enh-lee status code".as_ptr(), |(_, m)| m.as_ptr())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_distinct_and_nonzero() {
        let mut codes: Vec<_> = CODES.iter().map(|c| c.1).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), CODES.len());
        assert!(codes.iter().all(|&c| c != ENH_LEE_OK));
    }

    #[test]
    fn every_code_has_its_own_message() {
        let msg = |c| {
            // SAFETY: message_of returns static NUL-terminated strings.
            unsafe { std::ffi::CStr::from_ptr(message_of(c)) }
                .to_str()
                .unwrap()
                .to_owned()
        };
        assert_eq!(msg(ENH_LEE_OK), "success");
        assert_eq!(msg(-7), "unknown enh-lee status code");
        for (e, c) in CODES {
            assert_eq!(msg(c), e.message());
        }
    }
}
