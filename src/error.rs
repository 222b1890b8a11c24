//! The one error type of the core. The C boundary maps each variant to its
//! own status code (`capi::status`).

use std::fmt;
use std::sync::OnceLock;

use crate::filters::Filter;

/// The thread limit's message, with the number of [`crate::MAX_THREADS`].
const THREADS_MESSAGE: &str = concat!(
    "threads must be 0 (all cores) or a positive count of at most ",
    max_threads!()
);

/// Why a call was refused or failed. Nothing is written to the output when
/// a call returns one of these, except [`Error::Internal`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Error {
    /// A required pointer was null (C boundary only).
    NullPointer,
    /// Width or height is zero.
    EmptyImage,
    /// A size computation overflowed `usize`.
    SizeOverflow,
    /// A row stride is smaller than a row or not a multiple of 4 bytes.
    InvalidStride,
    /// The window is even, smaller than 3, or too large.
    InvalidWindow,
    /// A buffer pointer is not aligned to 4 bytes (C boundary only).
    Misaligned,
    /// `looks` is neither finite and > 0 nor NaN (auto), or auto where the
    /// whole raster is not at hand (a region) or not allowed (Lee Sigma).
    InvalidLooks,
    /// `damping` is not finite or < 0.
    InvalidDamping,
    /// `cu`/`cmax` not finite, `cu` < 0, or `cu >= cmax`.
    InvalidCoefficients,
    /// Unknown `signal` value (C boundary only).
    InvalidSignal,
    /// Unknown `statistic` value (C boundary only).
    InvalidStatistic,
    /// Unknown `border` value (C boundary only).
    InvalidBorder,
    /// `has_nodata` is neither 0 nor 1 (C boundary only).
    InvalidNodataFlag,
    /// More threads than [`crate::MAX_THREADS`].
    InvalidThreads,
    /// The scratch buffer is smaller than the scratch-size query said.
    ScratchTooSmall,
    /// Output and input buffers overlap without being the same buffer.
    PartialOverlap,
    /// The region lies (partly) outside the raster, or the source does not
    /// cover the region plus its halo clipped to the raster.
    InvalidRegion,
    /// The library could not allocate its own scratch buffer.
    OutOfMemory,
    /// The worker thread pool could not be started.
    ThreadPool,
    /// A bug: a panic was caught. The output may be partly written.
    Internal,
    /// No parameter of that name (the text vocabulary).
    UnknownParameter,
    /// Unknown `filter` value.
    InvalidFilter,
    /// The `nodata` text is not a number (the text vocabulary).
    InvalidNodata,
    /// A text buffer is too small for the value (C boundary only).
    BufferTooSmall,
    /// `sigma` is not one of Lee Sigma's table ([`crate::SIGMAS`]).
    InvalidSigma,
    /// `target_window` is not 3 or 5.
    InvalidTargetWindow,
    /// `point_threshold` is NaN, or missing for a Lee Sigma region that is
    /// not the whole raster, or a plan's tally does not fit its pass.
    InvalidPointThreshold,
    /// Unknown `compat` value, or `gee` with a filter other than Refined
    /// Lee.
    InvalidCompat,
    /// The looks cannot be estimated: no block of valid pixels with a
    /// positive mean, or the most homogeneous blocks do not vary.
    LooksNotEstimable,
    /// A filter's own parameter (`enh_lee_param_info` lists it with its
    /// kind and limits) is not a number of its kind within its limits.
    InvalidValue,
    /// `window` is more than twice the raster's larger side plus one.
    WindowTooLarge,
    /// An image's element type is not one the call reads.
    UnsupportedElement,
    /// An image has no plane, or not as many as the plan or the other
    /// image of the call.
    PlaneCount,
    /// A plan call out of order: counting with no pass due, filtering
    /// while one is, a report not asked for or not finished, a plane's
    /// parameter set after the first pass.
    PlanState,
    /// A tally's length is not the plan's for the current pass.
    InvalidTally,
    /// A plan's saved text is not one the library wrote.
    InvalidPlan,
    /// Unknown `temporal` value.
    InvalidTemporal,
    /// The call cannot filter in place with these parameters
    /// (`temporal=quegan` reads every date's input while it writes).
    InPlaceUnsupported,
}

impl Error {
    /// A sentence for people, without trailing punctuation.
    pub fn message(self) -> &'static str {
        match self {
            Error::NullPointer => "a required pointer argument is NULL",
            Error::EmptyImage => "width and height must both be at least 1",
            Error::SizeOverflow => "the image size overflows the address space",
            Error::InvalidStride => {
                "a row stride is smaller than width*4 bytes or not a multiple of 4, or (Rust views) its pixels are not contiguous"
            }
            Error::InvalidWindow => {
                "window must be an odd integer >= 3 (a filter may take fewer: its own rule says which)"
            }
            Error::Misaligned => "a buffer pointer is not aligned to 4 bytes (float)",
            Error::InvalidLooks => {
                "looks must be a finite number > 0, or auto to estimate them from the whole raster (a region of a raster needs a plan of the whole raster, enh_lee_plan_new)"
            }
            Error::InvalidDamping => "damping must be a finite number >= 0",
            Error::InvalidCoefficients => "cu and cmax must be finite with 0 <= cu < cmax",
            Error::InvalidSignal => "unknown signal value (use intensity or amplitude)",
            Error::InvalidStatistic => "unknown statistic value (use window or residual; lee_sigma uses window)",
            Error::InvalidBorder => {
                "unknown border value (use reflect, mirror, nearest or shrink)"
            }
            Error::InvalidNodataFlag => "has_nodata must be 0 or 1",
            Error::InvalidThreads => THREADS_MESSAGE,
            Error::ScratchTooSmall => {
                "the scratch buffer is smaller than enh_lee_scratch_size reported"
            }
            Error::PartialOverlap => {
                "input and output buffers partially overlap (in place needs dst == src and equal strides)"
            }
            Error::InvalidRegion => {
                "the region does not lie inside the raster, or the source or output buffer does not have the region's (plus halo) size"
            }
            Error::OutOfMemory => "out of memory while allocating the scratch buffer",
            Error::ThreadPool => "could not start the worker threads",
            Error::Internal => "internal error (a bug in enh-lee; please report it)",
            Error::UnknownParameter => {
                "unknown parameter name (enh_lee_param_info lists the names)"
            }
            Error::InvalidFilter => filter_message(),
            Error::InvalidNodata => "nodata must be a finite float32 number, or empty for none",
            Error::BufferTooSmall => "the text buffer is too small for the value",
            Error::InvalidSigma => "sigma must be one of 0.5, 0.6, 0.7, 0.8, 0.9, 0.95",
            Error::InvalidTargetWindow => "target_window must be 3 or 5",
            Error::InvalidCompat => "compat must be none or snap, or gee with refined_lee",
            Error::LooksNotEstimable => {
                "the looks cannot be estimated: no 16x16 block of valid pixels with a positive mean that varies (or a plan's passes counted different rasters)"
            }
            Error::WindowTooLarge => {
                "window must be at most twice the raster's larger side plus one, or 7 (a larger window reads no other pixel)"
            }
            Error::UnsupportedElement => {
                "the image's element type is not one this call reads (filters read float32; complex images are detected first)"
            }
            Error::PlaneCount => {
                "the image has no plane, or not as many planes as the plan or the other image, or temporal=quegan has fewer than two dates (planes)"
            }
            Error::PlanState => {
                "the plan is not at the stage this call needs (counting passes remain before filtering, none is due, the report was not asked for or not finished, or a plane's value was set after the first pass)"
            }
            Error::InvalidTally => {
                "the tally does not have the number of entries the plan asks for this pass"
            }
            Error::InvalidPlan => "the text is not a plan this library version saved",
            Error::InvalidTemporal => "unknown temporal value (use none or quegan)",
            Error::InPlaceUnsupported => {
                "temporal=quegan cannot filter in place (it reads every date's input while it writes): give an output image"
            }
            Error::InvalidValue => {
                "the value is not a number of the parameter's kind within its limits (enh_lee_param_info gives them)"
            }
            Error::InvalidPointThreshold => {
                "point_threshold must be a number (not NaN), and lee_sigma needs it for a region of a raster: plan the raster (enh_lee_plan_new) to compute it over the whole raster"
            }
        }
    }
}

/// The message of [`Error::InvalidFilter`], naming the registry's filters.
fn filter_message() -> &'static str {
    static MESSAGE: OnceLock<String> = OnceLock::new();
    MESSAGE.get_or_init(|| format!("unknown filter (use {})", Filter::names(", ")))
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for Error {}
