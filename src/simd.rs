//! Runs the band kernel with the widest vector instructions the CPU has.
//!
//! The kernel is plain Rust written so that the compiler vectorises its
//! loops. The release build targets the x86-64 baseline (SSE2), so the
//! kernel is compiled a second and a third time here with AVX2 + FMA and
//! with AVX-512 enabled, and each call picks the widest the CPU supports
//! (`is_x86_feature_detected!` caches what it finds; `ENH_LEE_ISA` can
//! ask for a narrower one). The kernel never
//! calls `mul_add` and the compiler never fuses a multiply and an add on
//! its own, so every instruction set computes the same bits: which one
//! runs changes the speed, never the result.
//!
//! Besides the C boundary (`capi`), this is the one place with `unsafe`:
//! calling a function compiled for instructions the CPU might lack.

use std::ops::Range;

use crate::band::{filter_band_kernel, BandIo, Plan};

/// An instruction set the kernel is compiled for, narrowest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Isa {
    /// The target's baseline (SSE2 on x86-64).
    Baseline,
    /// AVX2 + FMA (x86-64).
    Avx2,
    /// AVX-512 F/VL/DQ/BW (x86-64).
    Avx512,
}

impl Isa {
    /// Every instruction set, narrowest first.
    pub(crate) const ALL: [Isa; 3] = [Isa::Baseline, Isa::Avx2, Isa::Avx512];

    /// Its name, as `ENH_LEE_ISA` spells it.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Isa::Baseline => "baseline",
            Isa::Avx2 => "avx2",
            Isa::Avx512 => "avx512",
        }
    }

    /// Whether this CPU can run it.
    pub(crate) fn supported(self) -> bool {
        match self {
            Isa::Baseline => true,
            #[cfg(target_arch = "x86_64")]
            Isa::Avx2 => x86::has_avx2(),
            #[cfg(target_arch = "x86_64")]
            Isa::Avx512 => x86::has_avx512(),
            #[cfg(not(target_arch = "x86_64"))]
            _ => false,
        }
    }

    /// The widest supported instruction set, or a narrower one named by the
    /// environment variable `ENH_LEE_ISA` (`baseline`, `avx2`, `avx512`; to
    /// compare speeds or results). Read at every call: it costs nothing
    /// next to filtering a band.
    pub(crate) fn selected() -> Isa {
        let widest = Isa::ALL.into_iter().rfind(|isa| isa.supported());
        let widest = widest.unwrap_or(Isa::Baseline);
        std::env::var("ENH_LEE_ISA")
            .ok()
            .and_then(|name| Isa::ALL.into_iter().find(|isa| isa.name() == name))
            .map_or(widest, |asked| asked.min(widest))
    }
}

/// Runs `f` compiled for instruction set `isa` (everything `f` inlines is
/// compiled with its instructions), or for a narrower one when the CPU
/// lacks it. The one place where the choice is made; a filter whose row
/// kernel is too large to inline into every variant of the band kernel
/// calls it for that kernel, from a function of its own marked
/// `#[inline(never)]`.
#[inline(always)]
pub(crate) fn with_isa<R>(isa: Isa, f: impl FnOnce() -> R) -> R {
    #[cfg(target_arch = "x86_64")]
    {
        if isa == Isa::Avx512 && x86::has_avx512() {
            // SAFETY: the CPU has every feature `x86::avx512` is compiled
            // for (`has_avx512` checked them just above).
            return unsafe { x86::avx512(f) };
        }
        if isa >= Isa::Avx2 && x86::has_avx2() {
            // SAFETY: the CPU has every feature `x86::avx2` is compiled for
            // (`has_avx2` checked them just above).
            return unsafe { x86::avx2(f) };
        }
    }
    let _ = isa;
    f()
}

/// Filters output raster rows `rows` of `plan.region` (see
/// [`filter_band_kernel`]) with instruction set `isa`, which must be
/// [`Isa::supported`] (a narrower one runs otherwise).
pub(crate) fn filter_band(
    isa: Isa,
    io: &mut impl BandIo,
    plan: &Plan,
    rows: Range<usize>,
    scratch: &mut [f64],
) {
    with_isa(
        isa,
        #[inline(always)]
        || filter_band_kernel(io, plan, rows, scratch),
    )
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    pub fn has_avx512() -> bool {
        std::arch::is_x86_feature_detected!("avx512f")
            && std::arch::is_x86_feature_detected!("avx512vl")
            && std::arch::is_x86_feature_detected!("avx512dq")
            && std::arch::is_x86_feature_detected!("avx512bw")
            && has_avx2()
    }

    pub fn has_avx2() -> bool {
        std::arch::is_x86_feature_detected!("avx2")
            && std::arch::is_x86_feature_detected!("fma")
            && std::arch::is_x86_feature_detected!("bmi1")
            && std::arch::is_x86_feature_detected!("bmi2")
    }

    #[target_feature(enable = "avx512f,avx512vl,avx512dq,avx512bw,avx2,fma,bmi1,bmi2")]
    pub fn avx512<R>(f: impl FnOnce() -> R) -> R {
        f()
    }

    #[target_feature(enable = "avx2,fma,bmi1,bmi2")]
    pub fn avx2<R>(f: impl FnOnce() -> R) -> R {
        f()
    }
}
