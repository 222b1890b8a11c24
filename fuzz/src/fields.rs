//! The harness's own record of the filter parameters: the fields that
//! `EnhLeeParams` had before it became opaque (ABI 0.5), which the model
//! and the reference read, and [`Fields::handle`], which makes the library's
//! `EnhLeeParams` object holding them through `enh_lee_params_new` and
//! `enh_lee_params_set` by name, as a C caller would.

use std::ffi::CString;

use enh_lee::capi::*;

/// Indices into the choice names (the harness's own numbering).
pub const SIGNAL_INTENSITY: u32 = 0;
pub const SIGNAL_AMPLITUDE: u32 = 1;
pub const STATISTIC_WINDOW: u32 = 0;
pub const STATISTIC_RESIDUAL: u32 = 1;
pub const BORDER_SHRINK: u32 = 3;
pub const FILTER_ENHANCED_LEE: u32 = 0;
pub const FILTER_LEE: u32 = 1;
pub const FILTER_KUAN: u32 = 2;
pub const FILTER_GAMMA_MAP: u32 = 3;
pub const FILTER_FROST: u32 = 4;
pub const FILTER_REFINED_LEE: u32 = 5;
pub const FILTER_LEE_SIGMA: u32 = 6;
pub const COMPAT_NONE: u32 = 0;
pub const COMPAT_SNAP: u32 = 1;
pub const COMPAT_GEE: u32 = 2;

const FILTERS: [&str; 7] = ["enhanced_lee", "lee", "kuan", "gamma_map", "frost", "refined_lee", "lee_sigma"];
const SIGNALS: [&str; 2] = ["intensity", "amplitude"];
const STATISTICS: [&str; 2] = ["window", "residual"];
const BORDERS: [&str; 4] = ["reflect", "mirror", "nearest", "shrink"];
const COMPATS: [&str; 3] = ["none", "snap", "gee"];

#[derive(Clone, Copy, Debug)]
pub struct Fields {
    pub filter: u32,
    pub window: u32,
    /// NaN: auto.
    pub looks: f64,
    pub damping: f64,
    /// NaN: derived.
    pub cu: f64,
    /// NaN: derived.
    pub cmax: f64,
    pub signal: u32,
    pub statistic: u32,
    pub border: u32,
    /// 0 or 1.
    pub has_nodata: u32,
    pub nodata: f32,
    pub threads: u32,
    pub target_window: u32,
    pub compat: u32,
    pub sigma: f64,
    /// NaN: computed.
    pub point_threshold: f64,
}

impl Default for Fields {
    /// The SPEC defaults, as `enh_lee_params_new` holds them.
    fn default() -> Self {
        Fields {
            filter: 0,
            window: 7,
            looks: 1.0,
            damping: 1.0,
            cu: f64::NAN,
            cmax: f64::NAN,
            signal: SIGNAL_INTENSITY,
            statistic: STATISTIC_WINDOW,
            border: 0,
            has_nodata: 0,
            nodata: 0.0,
            threads: 0,
            target_window: 3,
            compat: 0,
            sigma: 0.9,
            point_threshold: f64::NAN,
        }
    }
}

/// A library parameters object, freed on drop.
pub struct Handle(*mut EnhLeeParams);

impl Handle {
    pub fn new() -> Handle {
        let p = enh_lee_params_new();
        assert!(!p.is_null(), "enh_lee_params_new returned NULL");
        Handle(p)
    }

    pub fn as_ptr(&self) -> *const EnhLeeParams {
        self.0
    }

    pub fn as_mut_ptr(&mut self) -> *mut EnhLeeParams {
        self.0
    }

    /// `enh_lee_params_copy`.
    pub fn copy(&self) -> Handle {
        // SAFETY: a live object, not written meanwhile.
        let p = unsafe { enh_lee_params_copy(self.0) };
        assert!(!p.is_null(), "enh_lee_params_copy returned NULL");
        Handle(p)
    }

    /// `enh_lee_params_set` from Rust strings.
    pub fn set(&mut self, name: &str, value: &str) -> EnhLeeStatus {
        let (name, value) = (CString::new(name).unwrap(), CString::new(value).unwrap());
        // SAFETY: a live object; NUL-terminated strings.
        unsafe { enh_lee_params_set(self.0, name.as_ptr(), value.as_ptr()) }
    }
}

impl Drop for Handle {
    fn drop(&mut self) {
        // SAFETY: from enh_lee_params_new/copy, freed once.
        unsafe { enh_lee_params_free(self.0) };
    }
}

fn real(v: f64, unset: &str) -> String {
    if v.is_nan() {
        unset.to_owned()
    } else {
        format!("{v:e}")
    }
}

fn choice(names: &[&str], v: u32) -> String {
    names.get(v as usize).copied().unwrap_or("no-such-choice").to_owned()
}

impl Fields {
    /// The library's object holding these values, or the status with which
    /// the library refuses one of them when it is set (a bad window, a
    /// choice out of range): the status the filtering calls gave for it
    /// before parameters were opaque.
    pub fn handle(&self) -> Result<Handle, EnhLeeStatus> {
        let mut h = Handle::new();
        // A non-finite nodata marks no more pixels than none.
        let nodata = if self.has_nodata != 0 && self.nodata.is_finite() {
            format!("{:e}", f64::from(self.nodata))
        } else {
            String::new()
        };
        let values = [
            ("filter", choice(&FILTERS, self.filter)),
            ("compat", choice(&COMPATS, self.compat)),
            ("window", self.window.to_string()),
            ("looks", real(self.looks, "auto")),
            ("damping", real(self.damping, "nan")),
            ("cu", real(self.cu, "")),
            ("cmax", real(self.cmax, "")),
            ("signal", choice(&SIGNALS, self.signal)),
            ("statistic", choice(&STATISTICS, self.statistic)),
            ("border", choice(&BORDERS, self.border)),
            ("threads", self.threads.to_string()),
            ("target_window", self.target_window.to_string()),
            ("point_threshold", real(self.point_threshold, "")),
            ("sigma", real(self.sigma, "nan")),
            ("nodata", nodata),
        ];
        for (name, value) in values {
            let status = h.set(name, &value);
            if status != ENH_LEE_OK {
                return Err(status);
            }
        }
        Ok(h)
    }
}
