//! The parameter vocabulary at the C boundary: parameters by name from
//! text, the list of names with their kinds, defaults and allowed values,
//! the parameter a status refers to, and the source region of a tile.
//! Front ends build their options from these instead of keeping tables.

use std::ffi::{c_char, CStr, CString};
use std::sync::OnceLock;

use super::{guard, read_params, EnhLeeParams, EnhLeeStatus};
use crate::vocabulary::{parameters, parameters_of, Kind};
use crate::{source_region, Error, Region};

/// `EnhLeeParamInfo.kind`: a decimal integer.
pub const ENH_LEE_KIND_INTEGER: u32 = 0;
/// `EnhLeeParamInfo.kind`: a real number (`4.4`, `1e-3`, `inf`).
pub const ENH_LEE_KIND_REAL: u32 = 1;
/// `EnhLeeParamInfo.kind`: one of the names in `EnhLeeParamInfo.choices`.
pub const ENH_LEE_KIND_CHOICE: u32 = 2;

/// What `enh_lee_param_info` tells of one parameter. Every string is
/// static and NUL-terminated; do not free them.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct EnhLeeParamInfo {
    /// Lower-case name (`"window"`); `enh_lee_params_set` matches names
    /// without regard to case, so GDAL-style `"WINDOW"` works too.
    pub name: *const c_char,
    /// `ENH_LEE_KIND_*`.
    pub kind: u32,
    /// 1: the value may be empty text (unset: derived from other
    /// parameters, or none); 0: it may not.
    pub optional: u32,
    /// The default as text, as `enh_lee_params_get` writes it; `""` when
    /// unset by default.
    pub default_value: *const c_char,
    /// For `ENH_LEE_KIND_CHOICE`: the allowed names separated by commas,
    /// the default first (`"reflect,mirror,nearest,shrink"`); else `""`.
    pub choices: *const c_char,
    /// Smallest allowed number, or NaN for none (whether the limit itself
    /// is allowed is in the description: looks must be above 0).
    pub minimum: f64,
    /// Largest allowed number, or NaN for none.
    pub maximum: f64,
    /// The filters that use the parameter, as `filter` names separated by
    /// commas (the others ignore it).
    pub filters: *const c_char,
    /// 1: a setting most users leave at its default.
    pub advanced: u32,
    /// One English sentence for people.
    pub description: *const c_char,
}

/// A rectangle of a raster, in pixels (GDAL's order: column and row of its
/// top-left pixel, then width and height).
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EnhLeeRegion {
    /// Column of the top-left pixel.
    pub x_off: usize,
    /// Row of the top-left pixel.
    pub y_off: usize,
    /// Width in pixels.
    pub width: usize,
    /// Height in pixels.
    pub height: usize,
}

impl From<EnhLeeRegion> for Region {
    fn from(r: EnhLeeRegion) -> Region {
        Region {
            x_off: r.x_off,
            y_off: r.y_off,
            width: r.width,
            height: r.height,
        }
    }
}

/// The C strings of one parameter, made once.
struct InfoStrings {
    name: CString,
    default: CString,
    choices: CString,
    filters: CString,
    description: CString,
}

fn c_string(text: &str) -> CString {
    CString::new(text).expect("no NUL in the vocabulary")
}

fn info_strings() -> &'static [InfoStrings] {
    static STRINGS: OnceLock<Vec<InfoStrings>> = OnceLock::new();
    STRINGS.get_or_init(|| {
        parameters()
            .iter()
            .map(|p| {
                let filters: Vec<&str> = p.filters().map(|f| f.name()).collect();
                InfoStrings {
                    name: c_string(p.name),
                    default: c_string(p.default),
                    choices: c_string(&p.choices().join(",")),
                    filters: c_string(&filters.join(",")),
                    description: c_string(&p.description()),
                }
            })
            .collect()
    })
}

/// Reads a NUL-terminated UTF-8 argument.
///
/// # Safety
/// `text` is NULL or points to a NUL-terminated string.
pub(super) unsafe fn read_text<'a>(text: *const c_char, invalid: Error) -> Result<&'a str, Error> {
    if text.is_null() {
        return Err(Error::NullPointer);
    }
    // SAFETY: non-null and NUL-terminated per the caller's contract.
    unsafe { CStr::from_ptr(text) }
        .to_str()
        .map_err(|_| invalid)
}

/// Sets the parameter called `name` (any case: `"window"`, `"WINDOW"`)
/// from the text `value`: a decimal integer, a real number
/// (locale-independent: `4.4`, `1e-3`), a choice name (any case), or empty
/// text (or `none`) to unset an optional parameter (`cu`, `cmax`: derive;
/// `nodata`: none). The value is checked on its own; `cu < cmax`, which
/// needs both, is checked by `enh_lee_params_validate` and every filtering
/// call. `enh_lee_param_info` lists the names.
///
/// Ownership: reads the strings, updates `*params` only on success.
/// Thread-safety: no other thread may use `*params` during the call
/// (different objects may be set concurrently).
/// Errors: `ENH_LEE_ERROR_NULL_POINTER`, `ENH_LEE_ERROR_UNKNOWN_PARAMETER`
/// (no such name), the parameter's own error for a bad value
/// (`ENH_LEE_ERROR_INVALID_WINDOW` for `window=4` or `window=seven`, ...:
/// `enh_lee_status_parameter` names it).
///
/// # Safety
/// `params` is NULL or points to a live `EnhLeeParams` (from
/// `enh_lee_params_new` or `enh_lee_params_copy`);
/// `name` and `value` are NULL or NUL-terminated strings.
#[no_mangle]
pub unsafe extern "C" fn enh_lee_params_set(
    params: *mut EnhLeeParams,
    name: *const c_char,
    value: *const c_char,
) -> EnhLeeStatus {
    guard(|| {
        // SAFETY: forwarded from this function's contract.
        let mut p = unsafe { read_params(params.cast_const(), EnhLeeParams::decode) }?;
        // SAFETY: as above.
        let name = unsafe { read_text(name, Error::UnknownParameter) }?;
        let parameter = crate::vocabulary::parameter(name)?;
        // SAFETY: as above.
        let value = unsafe { read_text(value, parameter.error) }?;
        p.set(name, value)?;
        // SAFETY: `params` is non-null (read_params checked), live and not
        // used by another thread per the contract.
        unsafe { (*params).params = p };
        Ok(())
    })
}

/// Writes the value of the parameter called `name` (any case) as text
/// that `enh_lee_params_set` reads back to the same value: `"7"`, `"4.4"`,
/// `"reflect"`, or `""` for an unset optional parameter. Values are
/// short (under 32 bytes).
///
/// `*out_len` receives the length of the text, without the terminating
/// NUL. Pass `buf` NULL and `buf_len` 0 to ask for it; otherwise `buf`
/// receives the text and a NUL when `buf_len` is larger than the length.
///
/// Ownership: reads `*params` and `name`; writes `buf` and `*out_len`
/// only on success. Thread-safe: `*params` may be read by several threads
/// at once, not written meanwhile.
/// Errors: `ENH_LEE_ERROR_NULL_POINTER`, `ENH_LEE_ERROR_UNKNOWN_PARAMETER`,
/// `ENH_LEE_ERROR_BUFFER_TOO_SMALL` (`buf_len` not above the length).
///
/// # Safety
/// `params` is NULL or a live `EnhLeeParams` no thread writes meanwhile; `name` NULL or NUL-terminated; `buf` NULL
/// or writable for `buf_len` bytes; `out_len` NULL or a writable `size_t`.
#[no_mangle]
pub unsafe extern "C" fn enh_lee_params_get(
    params: *const EnhLeeParams,
    name: *const c_char,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> EnhLeeStatus {
    guard(|| {
        // SAFETY: forwarded from this function's contract.
        let p = unsafe { read_params(params, EnhLeeParams::decode) }?;
        // SAFETY: as above.
        let name = unsafe { read_text(name, Error::UnknownParameter) }?;
        let text = p.get(name)?;
        // SAFETY: forwarded from this function's contract.
        unsafe { write_text(&text, buf, buf_len, out_len) }
    })
}

/// Writes `text` to `buf` as `enh_lee_params_get` does: its length to
/// `*out_len`, and (unless `buf` is NULL) the text and a NUL.
///
/// # Safety
/// `buf` NULL or writable for `buf_len` bytes; `out_len` NULL or a
/// writable `size_t`.
pub(super) unsafe fn write_text(
    text: &str,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> Result<(), Error> {
    if out_len.is_null() || (buf.is_null() && buf_len != 0) {
        return Err(Error::NullPointer);
    }
    if !buf.is_null() {
        if buf_len <= text.len() {
            return Err(Error::BufferTooSmall);
        }
        // SAFETY: `buf` is writable for `buf_len > text.len()` bytes per
        // the caller's contract; `text` is a distinct Rust allocation.
        unsafe {
            std::ptr::copy_nonoverlapping(text.as_ptr().cast(), buf, text.len());
            buf.add(text.len()).write(0);
        }
    }
    // SAFETY: non-null (checked) and writable per the caller's contract.
    unsafe { out_len.write(text.len()) };
    Ok(())
}

/// Writes what `status`, returned by a call with `*params`, means for
/// people: the filter's own rule where the filter refuses these parameters
/// with it (`"refined_lee takes window 7"`, `"lee_sigma takes 1, 2, 3 or 4
/// looks (its table's rows)"`), else `enh_lee_status_message(status)`.
/// The buffer works as `enh_lee_params_get`'s; messages are under 512
/// bytes.
///
/// Ownership: reads `*params`; writes `buf` and `*out_len` only on
/// success. Thread-safe: `*params` may be read by several threads at once,
/// not written meanwhile.
/// Errors: `ENH_LEE_ERROR_NULL_POINTER`, `ENH_LEE_ERROR_BUFFER_TOO_SMALL`.
///
/// # Safety
/// `params` is NULL or a live `EnhLeeParams` no thread writes meanwhile;
/// `buf` NULL or writable for `buf_len` bytes; `out_len` NULL or a
/// writable `size_t`.
#[no_mangle]
pub unsafe extern "C" fn enh_lee_params_explain(
    params: *const EnhLeeParams,
    status: EnhLeeStatus,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> EnhLeeStatus {
    guard(|| {
        // SAFETY: forwarded from this function's contract.
        let p = unsafe { read_params(params, EnhLeeParams::decode) }?;
        let text = match super::status::error_of(status) {
            Some(error) => p.explain(error),
            // SAFETY: `message_of` returns a static NUL-terminated string.
            None => unsafe { CStr::from_ptr(super::status::message_of(status)) }
                .to_string_lossy()
                .into_owned(),
        };
        // SAFETY: forwarded from this function's contract.
        unsafe { write_text(&text, buf, buf_len, out_len) }
    })
}

/// Checks every value of `*params` together, as each filtering call does
/// (including `cu < cmax`).
///
/// Ownership: reads `*params`. Thread-safe: `*params` may be read by
/// several threads at once, not written meanwhile.
/// Errors: `ENH_LEE_ERROR_NULL_POINTER` and any parameter error.
///
/// # Safety
/// `params` is NULL or a live `EnhLeeParams` no thread writes meanwhile.
#[no_mangle]
pub unsafe extern "C" fn enh_lee_params_validate(params: *const EnhLeeParams) -> EnhLeeStatus {
    // SAFETY: forwarded from this function's contract.
    guard(|| unsafe { read_params(params, EnhLeeParams::to_params) }.map(drop))
}

/// Returns how many parameters there are: `enh_lee_param_info` takes
/// indices `0 .. enh_lee_param_count() - 1`. Thread-safe; cannot fail.
#[no_mangle]
pub extern "C" fn enh_lee_param_count() -> usize {
    parameters().len()
}

/// Writes to `*out` what the library knows of parameter `index`: name,
/// kind, default, allowed values, limits, the filters that use it, a
/// description. Front ends list their options from it, in this order.
///
/// Ownership: writes `*out` only on success; its strings are static.
/// Thread-safe.
/// Errors: `ENH_LEE_ERROR_NULL_POINTER`, `ENH_LEE_ERROR_UNKNOWN_PARAMETER`
/// (`index >= enh_lee_param_count()`).
///
/// # Safety
/// `out` is NULL or points to a writable `EnhLeeParamInfo`.
#[no_mangle]
pub unsafe extern "C" fn enh_lee_param_info(
    index: usize,
    out: *mut EnhLeeParamInfo,
) -> EnhLeeStatus {
    guard(|| {
        let p = parameters().get(index).ok_or(Error::UnknownParameter)?;
        if out.is_null() {
            return Err(Error::NullPointer);
        }
        let s = &info_strings()[index];
        let info = EnhLeeParamInfo {
            name: s.name.as_ptr(),
            kind: match p.kind {
                Kind::Integer => ENH_LEE_KIND_INTEGER,
                Kind::Real => ENH_LEE_KIND_REAL,
                Kind::Choice => ENH_LEE_KIND_CHOICE,
            },
            optional: u32::from(p.optional),
            default_value: s.default.as_ptr(),
            choices: s.choices.as_ptr(),
            minimum: p.minimum,
            maximum: p.maximum,
            filters: s.filters.as_ptr(),
            advanced: u32::from(p.advanced),
            description: s.description.as_ptr(),
        };
        // SAFETY: non-null (checked) and writable per the contract.
        unsafe { out.write(info) };
        Ok(())
    })
}

/// Returns the names of the parameters whose bad values `status` reports,
/// separated by ", " (`"window"` for `ENH_LEE_ERROR_INVALID_WINDOW`,
/// `"cu, cmax"` for `ENH_LEE_ERROR_INVALID_COEFFICIENTS`), or `""` when it
/// is not about a parameter. Static, NUL-terminated; never NULL; do not
/// free it. Thread-safe.
#[no_mangle]
pub extern "C" fn enh_lee_status_parameter(status: EnhLeeStatus) -> *const c_char {
    static NAMES: OnceLock<Vec<(EnhLeeStatus, CString)>> = OnceLock::new();
    let names = NAMES.get_or_init(|| {
        super::status::errors()
            .map(|(e, code)| (code, c_string(&parameters_of(e))))
            .collect()
    });
    names
        .iter()
        .find(|(code, _)| *code == status)
        .map_or(c"".as_ptr(), |(_, n)| n.as_ptr())
}

/// Writes to `*out` the source region that `enh_lee_plan_filter_region`
/// reads to
/// filter `*region` of a `raster_width x raster_height` raster with
/// `*params`: the region grown by `enh_lee_halo` pixels on every side,
/// clipped to the raster. Read these pixels, pass them as `src`.
///
/// Ownership: reads `*region` and `*params`, writes `*out` only on
/// success. Thread-safe.
/// Errors: `ENH_LEE_ERROR_NULL_POINTER`, `ENH_LEE_ERROR_EMPTY_IMAGE`,
/// `ENH_LEE_ERROR_SIZE_OVERFLOW` (raster sides above 2^60),
/// `ENH_LEE_ERROR_INVALID_REGION` (not inside the raster), any parameter
/// error: exactly what `enh_lee_plan_filter_region` would report for
/// them.
///
/// # Safety
/// `region` and `params` are NULL or readable; `out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn enh_lee_source_region(
    raster_width: usize,
    raster_height: usize,
    region: *const EnhLeeRegion,
    params: *const EnhLeeParams,
    out: *mut EnhLeeRegion,
) -> EnhLeeStatus {
    guard(|| {
        // SAFETY: NULL or readable per the contract; `as_ref` turns NULL
        // into None.
        let r = unsafe { region.as_ref() }.ok_or(Error::NullPointer)?;
        if out.is_null() {
            return Err(Error::NullPointer);
        }
        // SAFETY: forwarded from this function's contract.
        let params = unsafe { read_params(params, EnhLeeParams::to_params) }?;
        let region = Region {
            x_off: r.x_off,
            y_off: r.y_off,
            width: r.width,
            height: r.height,
        };
        let s = source_region(raster_width, raster_height, region, &params)?;
        // SAFETY: non-null (checked) and writable per the contract.
        unsafe {
            out.write(EnhLeeRegion {
                x_off: s.x_off,
                y_off: s.y_off,
                width: s.width,
                height: s.height,
            })
        };
        Ok(())
    })
}
