//! The `params` target: the text parameter vocabulary of the C ABI
//! (`enh_lee_params_set`, `enh_lee_params_get`, `enh_lee_params_validate`,
//! `enh_lee_param_info`, `enh_lee_status_parameter`), which every front end
//! (GDAL open options, QGIS parameters, Python keywords) feeds with user
//! text, driven with names and values built from the input; then a small
//! filtering call with whatever parameters the text made.
//!
//! Checked: a refused value leaves the parameters unchanged and its status
//! names the parameter; an accepted value reads back as text that sets the
//! same parameters again; parameters that validate filter a small image
//! without error (where the scratch they need is small).

use std::ffi::{c_char, CStr, CString};

use enh_lee::capi::*;

use crate::fields::Handle;
use crate::input::Input;

/// Pieces of values: numbers at and past every limit, every choice name in
/// several spellings, and junk.
const WORDS: &[&str] = &[
    "",
    " ",
    "0",
    "1",
    "2",
    "3",
    "4",
    "5",
    "7",
    "9",
    "101",
    "-1",
    "-0",
    "0.5",
    "0.6",
    "0.95",
    "0.9",
    "4.4",
    "1e308",
    "1e309",
    "1e-320",
    "inf",
    "-inf",
    "nan",
    "NaN",
    "none",
    "None",
    "4294967295",
    "4294967297",
    "18446744073709551617",
    "1024",
    "1025",
    "0x10",
    "1_000",
    "+3",
    "7.0",
    "3e0",
    ".5",
    "5.",
    "e",
    "-",
    "reflect",
    "SHRINK",
    " mirror ",
    "nearest",
    "snap",
    "none",
    "lee_sigma",
    "refined_lee",
    "frost",
    "gamma_map",
    "kuan",
    "lee",
    "enhanced_lee",
    "amplitude",
    "intensity",
    "residual",
    "window",
    "\u{e9}",
    "\t7\n",
];

/// Text from the input: words and raw bytes, at most 40 bytes, no NUL.
fn text(inp: &mut Input) -> CString {
    let mut out = Vec::new();
    for _ in 0..inp.below(3) + 1 {
        if inp.below(4) == 0 {
            for _ in 0..inp.below(8) {
                out.push(inp.u8());
            }
        } else {
            out.extend_from_slice(inp.pick(WORDS).as_bytes());
        }
    }
    out.retain(|&b| b != 0);
    out.truncate(40);
    CString::new(out).expect("NULs removed")
}

/// What the library tells of each parameter, in its order.
fn infos() -> Vec<EnhLeeParamInfo> {
    (0..enh_lee_param_count())
        .map(|i| {
            let mut info = std::mem::MaybeUninit::<EnhLeeParamInfo>::uninit();
            // SAFETY: `info` is writable; on OK the library wrote all of it.
            let status = unsafe { enh_lee_param_info(i, info.as_mut_ptr()) };
            assert_eq!(status, ENH_LEE_OK, "param_info({i})");
            // SAFETY: written above (status OK).
            unsafe { info.assume_init() }
        })
        .collect()
}

/// The parameters' names, in the library's order.
fn names() -> Vec<&'static CStr> {
    infos()
        .iter()
        // SAFETY: the library's names are static NUL-terminated strings.
        .map(|info| unsafe { CStr::from_ptr(info.name) })
        .collect()
}

/// Whether filter `filter` reads `window` (the library's list of the
/// filters that use it).
fn reads_window(filter: &CStr) -> bool {
    infos().iter().any(|info| {
        // SAFETY: the library's strings are static and NUL-terminated.
        let (name, filters) = unsafe { (CStr::from_ptr(info.name), CStr::from_ptr(info.filters)) };
        name == c"window" && filters.to_bytes().split(|&b| b == b',').any(|f| f == filter.to_bytes())
    })
}

/// `enh_lee_params_get` of `name`, which must succeed.
fn get(p: &Handle, name: &CStr) -> CString {
    let mut buf = [0 as c_char; 64];
    let mut len = usize::MAX;
    // SAFETY: valid pointers; `buf` holds `buf.len()` bytes.
    let status = unsafe {
        enh_lee_params_get(p.as_ptr(), name.as_ptr(), buf.as_mut_ptr(), buf.len(), &mut len)
    };
    assert_eq!(status, ENH_LEE_OK, "params_get({name:?})");
    // SAFETY: on OK the library wrote a NUL-terminated string into `buf`.
    let got = unsafe { CStr::from_ptr(buf.as_ptr()) };
    assert_eq!(got.to_bytes().len(), len, "params_get({name:?}) length");
    got.to_owned()
}

fn set(p: &mut Handle, name: &CStr, value: &CStr) -> EnhLeeStatus {
    // SAFETY: valid, NUL-terminated pointers.
    unsafe { enh_lee_params_set(p.as_mut_ptr(), name.as_ptr(), value.as_ptr()) }
}

/// The parameters as comparable text: every value as the library writes
/// it (text that reads back exactly).
fn state(p: &Handle) -> String {
    names()
        .iter()
        .map(|name| format!("{name:?}={:?} ", get(p, name)))
        .collect()
}

pub fn run(data: &[u8]) {
    let mut inp = Input::new(data);
    let names = names();
    let mut p = Handle::new();
    for _ in 0..1 + inp.below(8) {
        let listed = inp.below(4) != 0;
        let name = if listed {
            names[inp.below(names.len())].to_owned()
        } else {
            text(&mut inp)
        };
        let value = text(&mut inp);
        let before = p.copy();
        let status = set(&mut p, &name, &value);
        if status != ENH_LEE_OK {
            assert_eq!(
                state(&p),
                state(&before),
                "{name:?}={value:?} refused ({status}) but changed"
            );
            // SAFETY: returns a static NUL-terminated string for any status.
            let about = unsafe { CStr::from_ptr(enh_lee_status_parameter(status)) };
            if listed {
                assert_ne!(
                    status, ENH_LEE_ERROR_UNKNOWN_PARAMETER,
                    "{name:?} is listed"
                );
                let about = about.to_str().expect("ASCII names");
                assert!(
                    about.split(", ").any(|n| n.as_bytes() == name.to_bytes()),
                    "{name:?}={value:?}: status {status} is about {about:?}"
                );
            }
            continue;
        }
        // What was set reads back as text that sets the same value.
        let shown = get(&p, &name);
        let mut again = before.copy();
        assert_eq!(
            set(&mut again, &name, &shown),
            ENH_LEE_OK,
            "{name:?}: {shown:?} does not read back"
        );
        assert_eq!(
            state(&again),
            state(&p),
            "{name:?}={value:?} shown as {shown:?}"
        );
    }
    // SAFETY: a valid pointer.
    let valid = unsafe { enh_lee_params_validate(p.as_ptr()) };
    if valid != ENH_LEE_OK {
        // SAFETY: as above.
        let about = unsafe { CStr::from_ptr(enh_lee_status_parameter(valid)) };
        assert!(
            !about.to_bytes().is_empty(),
            "validate: status {valid} names no parameter"
        );
        return;
    }
    filter_small(&mut inp, &p);
}

/// Parameters that validate filter a small image (threads capped at 2).
fn filter_small(inp: &mut Input, p: &Handle) {
    let mut p = p.copy();
    let threads: u32 = get(&p, c"threads").to_str().unwrap().parse().unwrap();
    assert_eq!(p.set("threads", &threads.min(2).to_string()), ENH_LEE_OK);
    let (w, h) = (1 + inp.below(9), 1 + inp.below(9));
    let mut need = 0usize;
    // SAFETY: valid pointers.
    let status = unsafe { enh_lee_scratch_size(w, h, p.as_ptr(), &mut need) };
    if status != ENH_LEE_OK || need > 16 << 20 {
        assert!(
            status == ENH_LEE_OK || status == ENH_LEE_ERROR_SIZE_OVERFLOW,
            "scratch_size: {status}"
        );
        return;
    }
    let src: Vec<f32> = (0..w * h).map(|_| f32::from(inp.u8()) * 0.25).collect();
    let mut dst = vec![0.0f32; w * h];
    // SAFETY: `src` and `dst` hold `w * h` floats with row stride `4 w`;
    // no caller scratch.
    let image = |data: *const f32| EnhLeeImage {
        data: data.cast_mut().cast(),
        element: ENH_LEE_ELEMENT_FLOAT32,
        reserved: 0,
        width: w,
        height: h,
        row_stride: 4 * w,
        planes: 1,
        plane_stride: 0,
    };
    let status = unsafe {
        enh_lee_filter(
            p.as_ptr(),
            &image(src.as_ptr()),
            &image(dst.as_mut_ptr()),
            std::ptr::null_mut(),
            0,
        )
    };
    // looks=auto on a raster too small for a 16x16 block: not estimable.
    // The filter reads the looks when they are auto and its plan has a
    // pass to run (the only other pass, Lee Sigma's threshold, comes with
    // the looks).
    let looks_needed = get(&p, c"looks").to_str() == Ok("auto") && {
        let mut plan: *mut EnhLeePlan = std::ptr::null_mut();
        let mut n = 0usize;
        // SAFETY: valid pointers; the plan is freed once.
        unsafe {
            let made = enh_lee_plan_new(p.as_ptr(), w, h, 1, 0, &mut plan) == ENH_LEE_OK;
            let due = made && enh_lee_plan_tally_len(plan, &mut n) == ENH_LEE_OK && n > 0;
            enh_lee_plan_free(plan);
            due
        }
    };
    // SPEC: a window wider than twice the larger side plus one (and than
    // 7) is refused first.
    let window: usize = get(&p, c"window").to_str().unwrap().parse().unwrap();
    let too_large = reads_window(&get(&p, c"filter")) && window > (2 * w.max(h) + 1).max(7);
    let expected = if too_large {
        ENH_LEE_ERROR_WINDOW_TOO_LARGE
    } else if looks_needed {
        ENH_LEE_ERROR_LOOKS_NOT_ESTIMABLE
    } else {
        ENH_LEE_OK
    };
    assert_eq!(
        status, expected,
        "{w}x{h} with validated parameters {}",
        self::state(&p)
    );
}
