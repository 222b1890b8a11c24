//! The parameter vocabulary: every parameter's name, kind, default,
//! allowed values, limits, the filters that use it and a sentence for
//! people, with parsing from text and formatting to text. The C ABI
//! (`enh_lee_param_info`, `enh_lee_params_set`, `enh_lee_params_get`)
//! exposes it, and every front end (Python keywords, GDAL open options,
//! QGIS parameters) is derived from it: this table is the one place where
//! a parameter is named.

use std::sync::OnceLock;

use crate::error::Error;
use crate::params::{
    check_coefficient, check_damping, check_looks, check_point_threshold, check_sigma,
    check_target_window, check_threads, check_window, Border, Compat, Filter, Params, Signal,
    Statistic, Temporal, MAX_THREADS,
};

/// How a parameter's value is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A decimal integer.
    Integer,
    /// A real number (`1.5`, `4e-3`, `inf`).
    Real,
    /// One of the names in [`Parameter::choices`].
    Choice,
}

/// One parameter of the filters.
pub struct Parameter {
    /// Lower-case name, as Python keywords spell it (GDAL and QGIS use it
    /// upper-cased; names are matched without regard to case).
    pub name: &'static str,
    pub kind: Kind,
    /// May be unset (empty text): derived from other parameters, or none.
    pub optional: bool,
    /// The default as text (empty: unset).
    pub default: &'static str,
    /// The allowed names of a [`Kind::Choice`], default first
    /// ([`Parameter::choices`]).
    choices: Choices,
    /// Smallest and largest allowed numbers (NaN: no limit). Whether a
    /// limit itself is allowed is in [`Parameter::description`].
    pub minimum: f64,
    pub maximum: f64,
    /// Every filter reads it; otherwise those that list it in their
    /// parameters ([`Parameter::applies_to`]) do and the others ignore it.
    pub every_filter: bool,
    /// A setting most users leave at its default.
    pub advanced: bool,
    /// One sentence for people ([`Parameter::description`] completes it
    /// with the filters' names for the `filter` parameter).
    description: &'static str,
    /// The error reported for a bad value.
    pub error: Error,
    set: fn(&Parameter, &mut Params, &str) -> Result<(), Error>,
    get: fn(&Parameter, &Params) -> String,
}

/// A named value of an enum parameter.
trait Named: Copy + PartialEq + 'static {
    const NAMES: &'static [(&'static str, Self)];
}

impl Named for Signal {
    const NAMES: &'static [(&'static str, Signal)] = &[
        ("intensity", Signal::Intensity),
        ("amplitude", Signal::Amplitude),
    ];
}

impl Named for Statistic {
    const NAMES: &'static [(&'static str, Statistic)] = &[
        ("window", Statistic::Window),
        ("residual", Statistic::Residual),
    ];
}

impl Named for Border {
    const NAMES: &'static [(&'static str, Border)] = &[
        ("reflect", Border::Reflect),
        ("mirror", Border::Mirror),
        ("nearest", Border::Nearest),
        ("shrink", Border::Shrink),
    ];
}

impl Named for Compat {
    const NAMES: &'static [(&'static str, Compat)] = &[
        ("none", Compat::None),
        ("snap", Compat::Snap),
        ("gee", Compat::EarthEngine),
    ];
}

impl Named for Temporal {
    const NAMES: &'static [(&'static str, Temporal)] =
        &[("none", Temporal::None), ("quegan", Temporal::Quegan)];
}

/// The names of `T`'s values, in order.
const fn names<T: Named, const N: usize>() -> [&'static str; N] {
    let mut out = [""; N];
    let mut i = 0;
    while i < N {
        out[i] = T::NAMES[i].0;
        i += 1;
    }
    out
}

const SIGNAL_NAMES: [&str; 2] = names::<Signal, 2>();
const STATISTIC_NAMES: [&str; 2] = names::<Statistic, 2>();
const BORDER_NAMES: [&str; 4] = names::<Border, 4>();
const COMPAT_NAMES: [&str; 3] = names::<Compat, 3>();
const TEMPORAL_NAMES: [&str; 2] = names::<Temporal, 2>();

fn name_of<T: Named>(value: T) -> &'static str {
    T::NAMES
        .iter()
        .find(|(_, v)| *v == value)
        .map_or("", |(n, _)| n)
}

fn parse_choice<T: Named>(text: &str, error: Error) -> Result<T, Error> {
    let text = text.trim();
    T::NAMES
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(text))
        .map(|(_, v)| *v)
        .ok_or(error)
}

fn parse_integer(text: &str, error: Error) -> Result<usize, Error> {
    text.trim().parse::<usize>().map_err(|_| error)
}

fn parse_real(text: &str, error: Error) -> Result<f64, Error> {
    text.trim().parse::<f64>().map_err(|_| error)
}

/// Empty text (or `none`) unsets an optional parameter.
fn parse_optional_real(text: &str, error: Error) -> Result<Option<f64>, Error> {
    let t = text.trim();
    if t.is_empty() || t.eq_ignore_ascii_case("none") {
        return Ok(None);
    }
    parse_real(t, error).map(Some)
}

/// Shortest text that reads back as the same `f64`.
fn format_real(v: f64) -> String {
    if v != 0.0 && v.is_finite() && !(1e-5..1e16).contains(&v.abs()) {
        format!("{v:e}")
    } else {
        format!("{v}")
    }
}

fn format_optional(v: Option<f64>) -> String {
    v.map(format_real).unwrap_or_default()
}

/// Where a [`Kind::Choice`]'s names come from.
enum Choices {
    /// Not a choice.
    None,
    /// These names, the default first.
    Names(&'static [&'static str]),
    /// The filters of the registry ([`Filter::ALL`]).
    Filters,
}

const NO_LIMIT: f64 = f64::NAN;

/// Every parameter, in the order front ends list them.
pub static PARAMETERS: &[Parameter] = &[
    Parameter {
        name: "filter",
        kind: Kind::Choice,
        optional: false,
        default: "enhanced_lee",
        choices: Choices::Filters,
        minimum: NO_LIMIT,
        maximum: NO_LIMIT,
        every_filter: true,
        advanced: false,
        description: "Speckle filter: ",
        error: Error::InvalidFilter,
        set: |_, p, t| {
            p.filter = Filter::named(t).ok_or(Error::InvalidFilter)?;
            Ok(())
        },
        get: |_, p| p.filter.name().to_owned(),
    },
    Parameter {
        name: "window",
        kind: Kind::Integer,
        optional: false,
        default: "7",
        choices: Choices::None,
        minimum: 3.0,
        maximum: u32::MAX as f64,
        every_filter: false,
        advanced: false,
        description: "Window side in pixels: odd, at least 3 (refined_lee: 7, its only size; \
            lee_sigma: at least 5 and above target_window)",
        error: Error::InvalidWindow,
        set: |_, p, t| {
            let w = parse_integer(t, Error::InvalidWindow)?;
            check_window(w)?;
            p.window = w;
            Ok(())
        },
        get: |_, p| p.window.to_string(),
    },
    Parameter {
        name: "looks",
        kind: Kind::Real,
        optional: true,
        default: "1",
        choices: Choices::None,
        minimum: 0.0,
        maximum: NO_LIMIT,
        every_filter: false,
        advanced: false,
        description: "Number of looks L, greater than 0 (may be fractional; lee_sigma: 1, 2, \
            3 or 4, its table's), or auto (empty): the equivalent number of looks estimated \
            from the whole raster's most homogeneous areas",
        error: Error::InvalidLooks,
        set: |_, p, t| {
            let t = t.trim();
            p.looks = if t.is_empty() || t.eq_ignore_ascii_case("auto") {
                f64::NAN
            } else {
                let v = parse_real(t, Error::InvalidLooks)?;
                if v.is_nan() {
                    return Err(Error::InvalidLooks);
                }
                check_looks(v)?;
                v
            };
            Ok(())
        },
        get: |_, p| {
            if p.looks.is_nan() {
                "auto".to_owned()
            } else {
                format_real(p.looks)
            }
        },
    },
    Parameter {
        name: "damping",
        kind: Kind::Real,
        optional: false,
        default: "1",
        choices: Choices::None,
        minimum: 0.0,
        maximum: NO_LIMIT,
        every_filter: false,
        advanced: false,
        description: "Damping factor K, at least 0: larger keeps more detail near edges \
            (frost: the weights are exp(-K Ci^2 distance))",
        error: Error::InvalidDamping,
        set: |_, p, t| {
            let v = parse_real(t, Error::InvalidDamping)?;
            check_damping(v)?;
            p.damping = v;
            Ok(())
        },
        get: |_, p| format_real(p.damping),
    },
    Parameter {
        name: "signal",
        kind: Kind::Choice,
        optional: false,
        default: SIGNAL_NAMES[0],
        choices: Choices::Names(&SIGNAL_NAMES),
        minimum: NO_LIMIT,
        maximum: NO_LIMIT,
        every_filter: false,
        advanced: false,
        description: "What the pixels are: intensity (power, Cu = 1/sqrt(L)) or amplitude \
            (Cu = 0.5227/sqrt(L))",
        error: Error::InvalidSignal,
        set: |_, p, t| {
            p.signal = parse_choice(t, Error::InvalidSignal)?;
            Ok(())
        },
        get: |_, p| name_of(p.signal).to_owned(),
    },
    Parameter {
        name: "statistic",
        kind: Kind::Choice,
        optional: false,
        default: STATISTIC_NAMES[0],
        choices: Choices::Names(&STATISTIC_NAMES),
        minimum: NO_LIMIT,
        maximum: NO_LIMIT,
        every_filter: false,
        advanced: true,
        description: "Local variance: window (mean(x^2) - mean(x)^2) or residual \
            (mean((x - local mean)^2), as two uniform_filter passes)",
        error: Error::InvalidStatistic,
        set: |_, p, t| {
            p.statistic = parse_choice(t, Error::InvalidStatistic)?;
            Ok(())
        },
        get: |_, p| name_of(p.statistic).to_owned(),
    },
    Parameter {
        name: "border",
        kind: Kind::Choice,
        optional: false,
        default: BORDER_NAMES[0],
        choices: Choices::Names(&BORDER_NAMES),
        minimum: NO_LIMIT,
        maximum: NO_LIMIT,
        every_filter: true,
        advanced: true,
        description: "How windows crossing the raster edge are filled (scipy names): \
            reflect (d c b a | a b c d), mirror (d c b | a b c d), nearest (a a | a b), \
            shrink (only pixels inside the raster; always, with compat=snap)",
        error: Error::InvalidBorder,
        set: |_, p, t| {
            p.border = parse_choice(t, Error::InvalidBorder)?;
            Ok(())
        },
        get: |_, p| name_of(p.border).to_owned(),
    },
    Parameter {
        name: "compat",
        kind: Kind::Choice,
        optional: false,
        default: COMPAT_NAMES[0],
        choices: Choices::Names(&COMPAT_NAMES),
        minimum: NO_LIMIT,
        maximum: NO_LIMIT,
        every_filter: true,
        advanced: true,
        description: "Whose statistics: none (SPEC's: population variance, windows padded by \
            border) or snap (SNAP's Speckle-Filter: sample variance, windows clipped at the \
            raster edge, Chebyshev distance in frost) or gee (refined_lee only: the Earth \
            Engine script's choice of the half and its unclamped gain)",
        error: Error::InvalidCompat,
        set: |_, p, t| {
            p.compat = parse_choice(t, Error::InvalidCompat)?;
            Ok(())
        },
        get: |_, p| name_of(p.compat).to_owned(),
    },
    Parameter {
        name: "cu",
        kind: Kind::Real,
        optional: true,
        default: "",
        choices: Choices::None,
        minimum: 0.0,
        maximum: NO_LIMIT,
        every_filter: false,
        advanced: true,
        description: "Explicit Cu, the speckle's coefficient of variation, at least 0 and \
            below cmax (empty: derived from looks and signal)",
        error: Error::InvalidCoefficients,
        set: |_, p, t| {
            let v = parse_optional_real(t, Error::InvalidCoefficients)?;
            check_coefficient(v)?;
            p.cu = v;
            Ok(())
        },
        get: |_, p| format_optional(p.cu),
    },
    Parameter {
        name: "cmax",
        kind: Kind::Real,
        optional: true,
        default: "",
        choices: Choices::None,
        minimum: 0.0,
        maximum: NO_LIMIT,
        every_filter: false,
        advanced: true,
        description: "Explicit Cmax, above cu (empty: sqrt(1 + 2/looks) for enhanced_lee, \
            sqrt(2) cu for gamma_map)",
        error: Error::InvalidCoefficients,
        set: |_, p, t| {
            let v = parse_optional_real(t, Error::InvalidCoefficients)?;
            check_coefficient(v)?;
            p.cmax = v;
            Ok(())
        },
        get: |_, p| format_optional(p.cmax),
    },
    Parameter {
        name: "nodata",
        kind: Kind::Real,
        optional: true,
        default: "",
        choices: Choices::None,
        minimum: NO_LIMIT,
        maximum: NO_LIMIT,
        every_filter: true,
        advanced: true,
        description: "Pixel value that marks invalid pixels, compared as float32 (empty: \
            none). Invalid and non-finite pixels are copied unchanged and ignored by the \
            statistics",
        error: Error::InvalidNodata,
        set: |_, p, t| {
            // Rounded to float32 as a C cast of the double would be; a
            // non-finite value would mark nothing that is not already invalid.
            let v = parse_optional_real(t, Error::InvalidNodata)?.map(|v| v as f32);
            if v.is_some_and(|v| !v.is_finite()) {
                return Err(Error::InvalidNodata);
            }
            p.nodata = v;
            Ok(())
        },
        get: |_, p| format_optional(p.nodata.map(f64::from)),
    },
    Parameter {
        name: "sigma",
        kind: Kind::Real,
        optional: false,
        default: "0.9",
        choices: Choices::None,
        minimum: 0.5,
        maximum: 0.95,
        every_filter: false,
        advanced: false,
        description: "Probability of the sigma range: 0.5, 0.6, 0.7, 0.8, 0.9 or 0.95 (Lee et \
            al. 2009, Table I); larger smooths more",
        error: Error::InvalidSigma,
        set: |_, p, t| {
            let v = parse_real(t, Error::InvalidSigma)?;
            check_sigma(v)?;
            p.sigma = v;
            Ok(())
        },
        get: |_, p| format_real(p.sigma),
    },
    Parameter {
        name: "target_window",
        kind: Kind::Integer,
        optional: false,
        default: "3",
        choices: Choices::None,
        minimum: 3.0,
        maximum: 5.0,
        every_filter: false,
        advanced: true,
        description: "Side of the target window that gives the a priori mean and finds point \
            targets: 3 or 5",
        error: Error::InvalidTargetWindow,
        set: |_, p, t| {
            let v = parse_integer(t, Error::InvalidTargetWindow)?;
            check_target_window(v)?;
            p.target_window = v;
            Ok(())
        },
        get: |_, p| p.target_window.to_string(),
    },
    Parameter {
        name: "point_threshold",
        kind: Kind::Real,
        optional: true,
        default: "",
        choices: Choices::None,
        minimum: NO_LIMIT,
        maximum: NO_LIMIT,
        every_filter: false,
        advanced: true,
        description: "Point-target threshold: the whole raster's 98th percentile (empty: \
            computed from the whole raster; give it to filter regions, strips or chunks)",
        error: Error::InvalidPointThreshold,
        set: |_, p, t| {
            let v = parse_optional_real(t, Error::InvalidPointThreshold)?;
            check_point_threshold(v)?;
            p.point_threshold = v;
            Ok(())
        },
        get: |_, p| format_optional(p.point_threshold),
    },
    Parameter {
        name: "temporal",
        kind: Kind::Choice,
        optional: false,
        default: TEMPORAL_NAMES[0],
        choices: Choices::Names(&TEMPORAL_NAMES),
        minimum: NO_LIMIT,
        maximum: NO_LIMIT,
        every_filter: true,
        advanced: false,
        description: "How the planes (bands) are filtered: none (each alone) or quegan (they \
            are co-registered dates of one scene, two or more: Quegan & Yu's multi-temporal \
            filter, each date filtered by filter, then times the mean over the dates of the \
            ratios of input to filtered)",
        error: Error::InvalidTemporal,
        set: |_, p, t| {
            p.temporal = parse_choice(t, Error::InvalidTemporal)?;
            Ok(())
        },
        get: |_, p| name_of(p.temporal).to_owned(),
    },
    Parameter {
        name: "threads",
        kind: Kind::Integer,
        optional: false,
        default: "0",
        choices: Choices::None,
        minimum: 0.0,
        maximum: MAX_THREADS as f64,
        every_filter: true,
        advanced: true,
        description: "Worker threads; 0: every core. Results do not depend on it",
        error: Error::InvalidThreads,
        set: |_, p, t| {
            let n = parse_integer(t, Error::InvalidThreads)?;
            check_threads(n)?;
            p.threads = n;
            Ok(())
        },
        get: |_, p| p.threads.to_string(),
    },
];

/// Every parameter: [`PARAMETERS`], then each filter's own
/// ([`Filter::own_parameters`]), in the registry's order. Front ends list
/// their options in this order.
pub fn parameters() -> &'static [&'static Parameter] {
    static ALL: OnceLock<Vec<&'static Parameter>> = OnceLock::new();
    ALL.get_or_init(|| {
        PARAMETERS
            .iter()
            .chain(Filter::ALL.iter().flat_map(|f| f.own_parameters()))
            .collect()
    })
}

/// The parameter called `name` (any case).
pub fn parameter(name: &str) -> Result<&'static Parameter, Error> {
    let name = name.trim();
    parameters()
        .iter()
        .copied()
        .find(|p| p.name.eq_ignore_ascii_case(name))
        .ok_or(Error::UnknownParameter)
}

/// The filters' own parameters, in the order of their slots in
/// [`OwnValues`].
fn own_parameters() -> &'static [&'static Parameter] {
    &parameters()[PARAMETERS.len()..]
}

/// The slot of own parameter `p` in [`OwnValues`].
fn own_slot(p: &Parameter) -> usize {
    own_parameters()
        .iter()
        .position(|q| std::ptr::eq(*q, p))
        .expect("an own parameter is in the registry")
}

impl Parameter {
    /// A number that one filter declares for itself (IDAN's `an_size`),
    /// kept in [`Params::own`]: an integer when `integer`, else a real, in
    /// `[minimum, maximum]`; a bad value is [`Error::InvalidValue`].
    pub const fn own(
        name: &'static str,
        integer: bool,
        default: &'static str,
        (minimum, maximum): (f64, f64),
        advanced: bool,
        description: &'static str,
    ) -> Parameter {
        Parameter {
            name,
            kind: if integer { Kind::Integer } else { Kind::Real },
            optional: false,
            default,
            choices: Choices::None,
            minimum,
            maximum,
            every_filter: false,
            advanced,
            description,
            error: Error::InvalidValue,
            set: |q, p, t| {
                let v = q.parse_own(t)?;
                p.own.0[own_slot(q)] = v;
                Ok(())
            },
            get: |q, p| format_real(p.own.0[own_slot(q)]),
        }
    }

    /// An own parameter's value from text: a number of its kind within its
    /// limits.
    fn parse_own(&self, text: &str) -> Result<f64, Error> {
        let v = match self.kind {
            Kind::Integer => parse_integer(text, Error::InvalidValue)? as f64,
            _ => parse_real(text, Error::InvalidValue)?,
        };
        if !(self.minimum..=self.maximum).contains(&v) {
            return Err(Error::InvalidValue);
        }
        Ok(v)
    }

    /// Whether `filter` uses this parameter.
    pub fn applies_to(&self, filter: Filter) -> bool {
        self.every_filter
            || filter.parameters().contains(&self.name)
            || filter.own_parameters().iter().any(|p| p.name == self.name)
    }

    /// The filters that use this parameter.
    pub fn filters(&self) -> impl Iterator<Item = Filter> + '_ {
        Filter::ALL.iter().copied().filter(|f| self.applies_to(*f))
    }

    /// The allowed names of a [`Kind::Choice`], default first (empty for
    /// other kinds).
    pub fn choices(&self) -> Vec<&'static str> {
        match self.choices {
            Choices::None => Vec::new(),
            Choices::Names(names) => names.to_vec(),
            Choices::Filters => Filter::ALL.iter().map(|f| f.name()).collect(),
        }
    }

    /// One sentence for people: what the parameter is and what it takes
    /// (for `filter`, every filter with its source).
    pub fn description(&self) -> String {
        match self.choices {
            Choices::Filters => format!("{}{}", self.description, Filter::described()),
            _ => self.description.to_owned(),
        }
    }
}

impl Params {
    /// Sets parameter `name` (any case) from text: a decimal integer, a
    /// real number, a choice name (any case), or empty text to unset an
    /// optional parameter. The value is checked on its own (`cu < cmax`,
    /// which needs both, is checked by [`Params::validate`]); on error
    /// `self` is unchanged and the error names the parameter.
    pub fn set(&mut self, name: &str, value: &str) -> Result<(), Error> {
        let mut next = *self;
        let parameter = parameter(name)?;
        (parameter.set)(parameter, &mut next, value)?;
        *self = next;
        Ok(())
    }

    /// The value of parameter `name` as text that [`Params::set`] reads
    /// back to the same value (empty for an unset optional parameter).
    pub fn get(&self, name: &str) -> Result<String, Error> {
        let parameter = parameter(name)?;
        Ok((parameter.get)(parameter, self))
    }
}

/// The values of the filters' own parameters ([`Parameter::own`]), one
/// slot each in the registry's order.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct OwnValues([f64; OWN_SLOTS]);

/// Slots for own parameters: enough for every filter's
/// (`every_own_parameter_has_a_slot` checks).
const OWN_SLOTS: usize = 4;

impl Default for OwnValues {
    /// Every own parameter's default.
    fn default() -> Self {
        let mut values = [0.0; OWN_SLOTS];
        for (v, p) in values.iter_mut().zip(own_parameters()) {
            *v = p.parse_own(p.default).expect("own defaults are valid");
        }
        OwnValues(values)
    }
}

impl Params {
    /// The value of own parameter `name` (a filter reads its own).
    ///
    /// # Panics
    /// When no filter declares `name`: a bug in the filter that asks.
    pub fn own(&self, name: &str) -> f64 {
        let p = own_parameters()
            .iter()
            .find(|p| p.name == name)
            .unwrap_or_else(|| panic!("no filter declares {name}"));
        self.own.0[own_slot(p)]
    }
}

/// The names of the parameters whose bad values `error` reports, joined
/// with ", " (empty when it names none).
pub fn parameters_of(error: Error) -> String {
    let mut names: Vec<&str> = parameters()
        .iter()
        .filter(|p| p.error == error)
        .map(|p| p.name)
        .collect();
    match error {
        Error::InvalidNodataFlag => names.push("nodata"),
        Error::WindowTooLarge => names.push("window"),
        _ => {}
    }
    names.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_what_params_default_holds() {
        let d = Params::default();
        for p in parameters() {
            assert_eq!(d.get(p.name).unwrap(), p.default, "{}", p.name);
            let mut q = d;
            q.set(p.name, p.default).unwrap();
            assert_eq!(q, d, "{}", p.name);
        }
    }

    #[test]
    fn every_value_reads_back_exactly() {
        let mut p = Params::default();
        for (name, text) in [
            ("LOOKS", "4.4"),
            ("looks", "1e-300"),
            ("damping", "0.1"),
            ("cu", "0.30000000000000004"),
            ("cmax", "1e20"),
            ("nodata", "-9999"),
            ("nodata", "0.1"),
            ("window", "101"),
            ("filter", "Gamma_MAP"),
            ("border", " shrink "),
            ("compat", "SNAP"),
        ] {
            p.set(name, text).unwrap();
            let shown = p.get(name).unwrap();
            let mut q = p;
            q.set(name, &shown).unwrap();
            assert_eq!(q, p, "{name}={text} shown as {shown}");
        }
        assert_eq!(p.nodata, Some(0.1f32));
        assert_eq!(p.get("filter").unwrap(), "gamma_map");
        assert_eq!(p.get("looks").unwrap(), "1e-300");
    }

    #[test]
    fn bad_values_name_their_parameter_and_change_nothing() {
        let d = Params::default();
        for (name, text, error) in [
            ("window", "4", Error::InvalidWindow),
            ("window", "7.0", Error::InvalidWindow),
            ("window", "-7", Error::InvalidWindow),
            ("window", "4294967297", Error::InvalidWindow),
            ("looks", "0", Error::InvalidLooks),
            ("looks", "nan", Error::InvalidLooks),
            ("looks", "four", Error::InvalidLooks),
            ("damping", "-1", Error::InvalidDamping),
            ("cu", "nan", Error::InvalidCoefficients),
            ("cmax", "-2", Error::InvalidCoefficients),
            ("nodata", "n/a", Error::InvalidNodata),
            ("nodata", "nan", Error::InvalidNodata),
            ("nodata", "1e39", Error::InvalidNodata),
            ("threads", "1025", Error::InvalidThreads),
            ("signal", "power", Error::InvalidSignal),
            ("statistic", "", Error::InvalidStatistic),
            ("border", "wrap", Error::InvalidBorder),
            ("filter", "wiener", Error::InvalidFilter),
            ("compat", "esa", Error::InvalidCompat),
            ("windw", "7", Error::UnknownParameter),
        ] {
            let mut p = d;
            assert_eq!(p.set(name, text), Err(error), "{name}={text}");
            assert_eq!(p, d);
        }
        assert_eq!(parameters_of(Error::InvalidCoefficients), "cu, cmax");
        assert_eq!(parameters_of(Error::InvalidWindow), "window");
        assert_eq!(parameters_of(Error::ScratchTooSmall), "");
    }

    #[test]
    fn choices_are_the_registrys_names() {
        for &f in Filter::ALL {
            let mut p = Params::default();
            p.set("filter", f.name()).unwrap();
            assert_eq!(p.filter, f);
        }
        let filter = parameter("filter").unwrap();
        assert_eq!(filter.choices().len(), Filter::ALL.len());
        assert_eq!(filter.default, Filter::ALL[0].name());
        for &f in Filter::ALL {
            assert!(filter.description().contains(f.name()), "{}", f.name());
        }
    }

    #[test]
    fn every_own_parameter_has_a_slot() {
        assert!(own_parameters().len() <= OWN_SLOTS);
        let names: Vec<&str> = parameters().iter().map(|p| p.name).collect();
        for (i, name) in names.iter().enumerate() {
            assert!(!names[..i].contains(name), "{name} declared twice");
        }
    }

    #[test]
    fn every_parameter_a_filter_reads_is_in_the_vocabulary() {
        for &f in Filter::ALL {
            for name in f.parameters() {
                let p = parameter(name).unwrap();
                assert!(!p.every_filter, "{name} is read by every filter");
                assert!(p.applies_to(f));
            }
        }
    }
}
