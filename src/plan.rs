//! The whole-raster plan: everything a raster filtered in pieces needs
//! from the whole raster, resolved once for every front end.
//!
//! Some filters read a value of the whole raster (the estimated looks of
//! `looks=auto`, Lee Sigma's point threshold), and the optional quality
//! report measures the whole raster before and after. A [`Plan`] made from
//! the parameters and the raster's size knows which of them it needs. While
//! [`Plan::tally_len`] is not 0, a counting pass is due: zero a tally of
//! that many entries, [`Plan::count`] every piece of the raster into it
//! (strips, tiles, chunks; any order, any thread, pieces starting at
//! multiples of [`Plan::alignment`]), and end the pass with
//! [`Plan::step`]. Then [`Plan::filter_region`] filters any region with
//! each plane's resolved parameters ([`Plan::resolved`]), bit for bit what
//! a whole-raster call gives, and with the report asked for,
//! [`Plan::count_report`] and [`Plan::finish_report`] measure it.
//!
//! Every plane (a band, a date, a matrix element) is planned on its own,
//! as a call on that plane alone would be; [`Plan::set_plane`] gives a plane
//! its own values (a band's nodata). The passes of all planes and of all
//! whole-raster values run together: a plan counts the raster at most
//! three times.

use std::fmt::Write as _;

use ndarray::{s, ArrayView2, ArrayView3, ArrayViewMut3, Axis, CowArray, Ix2};

use rayon::prelude::*;

use crate::filter::{
    filter_in_place, filter_region, in_pool, leaves_threads_idle, scratch_len, source_region,
    Buffers,
};
use crate::key_search::{KeySearch, BINS};
use crate::looks::BLOCK;
use crate::{
    Compat, Error, LooksSearch, Params, QualityReport, Region, Scratch, ScratchLen, Signal,
    Temporal, ThresholdSearch, WholeRasterState,
};

/// Bytes of float32 pixels (every plane's) in the strips [`Plan::strip_rows`]
/// suggests.
const STRIP_BYTES: usize = 16 << 20;

/// Bytes of every date's pixels in the strips of [`Plan::filter_dates`].
const DATES_BYTES: usize = 8 << 20;

/// The first line of [`Plan::save`]'s text: its format and version.
const SAVED: &str = "enh-lee plan 1";

/// What a raster filtered in pieces needs from the whole raster (see the
/// module docs). Plain data: clone it, send it between threads, save it as
/// text ([`Plan::save`]) for another process.
#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    width: usize,
    height: usize,
    /// The quality report was asked for.
    report: bool,
    /// Counting passes ended ([`Plan::step`] calls).
    passes: usize,
    planes: Vec<Plane>,
}

/// One plane's parameters, searches and results.
#[derive(Clone, Debug, PartialEq)]
struct Plane {
    /// As given: `looks` NaN (auto) and `point_threshold` `None` are
    /// resolved by the searches; [`Plane::single`] filters the plane.
    params: Params,
    /// The looks search: for `looks=auto`, and for the report (which
    /// measures the blocks the search ranks most homogeneous).
    looks: Option<LooksSearch>,
    /// The estimate, once the looks search is done.
    estimated: Option<f64>,
    /// The point-threshold search, for Lee Sigma without a given one.
    threshold: Option<ThresholdSearch>,
    /// The report cannot be measured: its ranking found no block
    /// ([`Error::LooksNotEstimable`]).
    unmeasurable: bool,
    /// The report, once finished.
    report: Option<QualityReport>,
}

impl Plane {
    fn new(params: Params, report: bool) -> Plane {
        let single = single(&params);
        let looks_needed = single.looks_state() == WholeRasterState::Needed;
        let threshold_needed = single.point_threshold_state() == WholeRasterState::Needed;
        Plane {
            params,
            looks: (looks_needed || report).then(LooksSearch::new),
            estimated: None,
            threshold: threshold_needed.then(ThresholdSearch::new),
            unmeasurable: false,
            report: None,
        }
    }

    /// Whether the looks search counts this pass: until it is done for an
    /// estimate, until it has ranked the blocks for the report alone.
    fn counts_looks(&self) -> bool {
        let estimate = self.single().looks_state() == WholeRasterState::Needed;
        match self.looks {
            Some(s) => !self.unmeasurable && !s.done && (estimate || !s.rank.found()),
            None => false,
        }
    }

    fn counts_threshold(&self) -> bool {
        self.threshold.is_some_and(|s| !s.0.found())
    }

    /// At most this many passes remain for this plane: a key search
    /// counts twice (`KeySearch::pass` 0 and 1), the looks estimate once
    /// more over the kept blocks.
    fn passes_left(&self) -> usize {
        let key = |s: KeySearch| 2usize.saturating_sub(s.pass as usize);
        let looks = match self.looks {
            Some(s) if self.counts_looks() => {
                let estimate = self.single().looks_state() == WholeRasterState::Needed;
                key(s.rank) + usize::from(estimate)
            }
            _ => 0,
        };
        let threshold = match self.threshold {
            Some(s) if self.counts_threshold() => key(s.0),
            _ => 0,
        };
        looks.max(threshold)
    }

    /// Entries of this plane's part of the tally this pass.
    fn tally_len(&self) -> usize {
        BINS * (usize::from(self.counts_looks()) + usize::from(self.counts_threshold()))
    }

    /// The parameters the plane is filtered with alone ([`single`]).
    fn single(&self) -> Params {
        single(&self.params)
    }

    /// The parameters the plane is filtered with alone, with the
    /// searches' results.
    fn resolved(&self) -> Params {
        self.with_results(self.single())
    }

    /// The given parameters with the searches' results (to show).
    fn shown(&self) -> Params {
        self.with_results(self.params)
    }

    fn with_results(&self, mut params: Params) -> Params {
        if let Some(looks) = self.estimated.filter(|_| params.looks.is_nan()) {
            params.looks = looks;
        }
        if let Some(threshold) = self.threshold.and_then(|s| s.threshold()) {
            params.point_threshold = Some(threshold);
        }
        params
    }
}

/// The parameters a plane is filtered with on its own: `temporal=none`,
/// and intensity where Quegan's filter squares amplitude dates.
fn single(params: &Params) -> Params {
    let mut single = Params {
        temporal: Temporal::None,
        ..*params
    };
    if squares(params) {
        single.signal = Signal::Intensity;
    }
    single
}

/// Whether the planes are squared before they are filtered: amplitude
/// dates of Quegan's filter are filtered and combined as intensity (SNAP,
/// `compat=snap`, combines amplitudes).
fn squares(params: &Params) -> bool {
    params.temporal == Temporal::Quegan
        && params.signal == Signal::Amplitude
        && params.compat != Compat::Snap
}

/// `image` squared (float32), when `square`.
fn squared(image: ArrayView2<f32>, square: bool) -> CowArray<f32, Ix2> {
    if square {
        image.mapv(|x| x * x).into()
    } else {
        image.into()
    }
}

impl Plan {
    /// The plan of a `width x height` raster of `planes` planes, each
    /// filtered with `params`; `report`: the quality report will be
    /// measured. Fails on invalid parameters, an empty raster, no plane,
    /// or a window too large for the raster, as a filtering call would.
    pub fn new(
        params: &Params,
        width: usize,
        height: usize,
        planes: usize,
        report: bool,
    ) -> Result<Plan, Error> {
        source_region(width, height, Region::whole(width, height), &single(params))?;
        let dates = params.temporal == Temporal::Quegan;
        if planes == 0 || (dates && planes < 2) {
            return Err(Error::PlaneCount);
        }
        let mut all = Vec::new();
        all.try_reserve_exact(planes)
            .map_err(|_| Error::OutOfMemory)?;
        all.resize(planes, Plane::new(*params, report));
        Ok(Plan {
            width,
            height,
            report,
            passes: 0,
            planes: all,
        })
    }

    /// The raster's width, height and plane count.
    pub fn shape(&self) -> (usize, usize, usize) {
        (self.width, self.height, self.planes.len())
    }

    /// Sets parameter `name` of plane `plane` alone, as [`Params::set`]
    /// does (a band's own `nodata`, a date's given `looks`). Only the
    /// values a plane may hold on its own can differ: `nodata`, `looks`
    /// and `point_threshold` (else [`Error::InvalidValue`]); only before
    /// the first pass is counted (else [`Error::PlanState`]).
    pub fn set_plane(&mut self, plane: usize, name: &str, value: &str) -> Result<(), Error> {
        if self.passes > 0 {
            return Err(Error::PlanState);
        }
        let report = self.report;
        let slot = self.planes.get_mut(plane).ok_or(Error::PlaneCount)?;
        let mut params = slot.params;
        params.set(name, value)?;
        let own = |p: &Params| Params {
            nodata: None,
            looks: 1.0,
            point_threshold: None,
            ..*p
        };
        if own(&params) != own(&slot.params) {
            return Err(Error::InvalidValue);
        }
        params.validate()?;
        *slot = Plane::new(params, report);
        Ok(())
    }

    /// Entries of the tally the current counting pass needs (`u64`s), or 0
    /// when no pass is due: the plan is ready to filter.
    pub fn tally_len(&self) -> usize {
        self.planes.iter().map(Plane::tally_len).sum()
    }

    /// At most this many counting passes remain (0: ready to filter), for
    /// a front end that lays out its passes ahead (a Dask graph): each
    /// pass is due while [`Plan::tally_len`] is not 0, and a search may
    /// end sooner (a raster without valid pixels).
    pub fn passes_left(&self) -> usize {
        self.planes
            .iter()
            .map(Plane::passes_left)
            .max()
            .unwrap_or(0)
    }

    /// Whether the planes are filtered together (every output plane reads
    /// every plane: `temporal=quegan`), so that a region must be given with
    /// all of them; else each plane is filtered on its own.
    pub fn joint(&self) -> bool {
        self.planes[0].params.temporal != Temporal::None
    }

    /// The side that pieces' offsets must be multiples of, and their
    /// sides too except where they reach the raster's right or bottom
    /// edge: 16 (the looks' blocks, [`crate::LOOKS_BLOCK`]) when the plan
    /// estimates looks or measures the report, else 1.
    pub fn alignment(&self) -> usize {
        if self.planes.iter().any(|p| p.looks.is_some()) {
            BLOCK
        } else {
            1
        }
    }

    /// Rows per strip for a front end that reads the raster in strips of
    /// full rows: about 16 MiB of float32 over every plane, at least four
    /// halos (re-read context stays a small part), a multiple of
    /// [`Plan::alignment`], at most the height.
    pub fn strip_rows(&self) -> usize {
        let halo = self.planes[0].single().halo().unwrap_or(0);
        let row_bytes = 4usize
            .saturating_mul(self.width)
            .saturating_mul(self.planes.len());
        let rows = (STRIP_BYTES / row_bytes.max(1)).max(4 * halo).max(1);
        let align = self.alignment();
        rows.div_ceil(align).saturating_mul(align).min(self.height)
    }

    /// Adds `piece` (every plane of the raster's pixels from column, row
    /// `origin`) to `tally`, a table of [`Plan::tally_len`] entries zeroed
    /// at the start of the pass. Every pixel of the raster once per pass,
    /// in pieces of any size and order (aligned: [`Plan::alignment`]);
    /// several threads may count into tallies of their own and add them.
    /// Errors: [`Error::PlanState`] when no pass is due,
    /// [`Error::PlaneCount`], [`Error::InvalidTally`],
    /// [`Error::InvalidRegion`] for a piece outside the raster or cutting
    /// a block.
    pub fn count(
        &self,
        piece: ArrayView3<f32>,
        origin: (usize, usize),
        tally: &mut [u64],
    ) -> Result<(), Error> {
        let len = self.tally_len();
        if len == 0 {
            return Err(Error::PlanState);
        }
        self.check_piece(piece.dim(), origin)?;
        if tally.len() != len {
            return Err(Error::InvalidTally);
        }
        let raster = (self.width, self.height);
        let mut rest = tally;
        for (plane, image) in self.planes.iter().zip(piece.outer_iter()) {
            let single = plane.single();
            let image = squared(image, squares(&plane.params));
            if plane.counts_looks() {
                let (table, tail) = rest.split_at_mut(BINS);
                let search = plane.looks.expect("counts_looks has a search");
                search.count(image.view(), origin, raster, &single, table)?;
                rest = tail;
            }
            if plane.counts_threshold() {
                let (table, tail) = rest.split_at_mut(BINS);
                let search = plane.threshold.expect("counts_threshold has a search");
                search.count(image.view(), &single, table)?;
                rest = tail;
            }
        }
        Ok(())
    }

    /// Ends a counting pass with the tally of the whole raster (the sum of
    /// its pieces' tallies). On error the plan is unchanged. Errors:
    /// [`Error::PlanState`], [`Error::InvalidTally`],
    /// [`Error::LooksNotEstimable`] (a plane whose looks cannot be
    /// estimated), [`Error::InvalidPointThreshold`] (a tally that does not
    /// fit the pass).
    pub fn step(&mut self, tally: &[u64]) -> Result<(), Error> {
        let len = self.tally_len();
        if len == 0 {
            return Err(Error::PlanState);
        }
        if tally.len() != len {
            return Err(Error::InvalidTally);
        }
        let mut next = self.clone();
        let mut tables = tally.chunks_exact(BINS);
        for plane in &mut next.planes {
            if plane.counts_looks() {
                let table = tables.next().expect("tally_len counts this table");
                let single = plane.single();
                let search = plane.looks.as_mut().expect("counts_looks has a search");
                match search.step(table, single.signal) {
                    Ok(looks) => plane.estimated = plane.estimated.or(looks),
                    // Only the report needed the ranking: the plane is
                    // filtered all the same, its report is not measurable.
                    Err(_) if single.looks_state() != WholeRasterState::Needed => {
                        plane.unmeasurable = true
                    }
                    Err(e) => return Err(e),
                }
            }
            if plane.counts_threshold() {
                let table = tables.next().expect("tally_len counts this table");
                let search = plane.threshold.as_mut().expect("counts_threshold");
                search.step(table)?;
            }
        }
        next.passes += 1;
        *self = next;
        Ok(())
    }

    /// Runs every counting pass over a raster held in memory (one piece).
    pub fn resolve(&mut self, image: ArrayView3<f32>) -> Result<(), Error> {
        loop {
            let len = self.tally_len();
            if len == 0 {
                return Ok(());
            }
            let mut tally = Vec::new();
            tally
                .try_reserve_exact(len)
                .map_err(|_| Error::OutOfMemory)?;
            tally.resize(len, 0);
            self.count(image, (0, 0), &mut tally)?;
            self.step(&tally)?;
        }
    }

    /// The parameters plane `plane` is filtered with: its own, with the
    /// estimated looks and the point threshold the passes found.
    /// [`Error::PlanState`] while a pass is due; [`Error::PlaneCount`]
    /// for a plane the raster does not have.
    pub fn resolved(&self, plane: usize) -> Result<Params, Error> {
        if self.tally_len() > 0 {
            return Err(Error::PlanState);
        }
        Ok(self.planes.get(plane).ok_or(Error::PlaneCount)?.resolved())
    }

    /// Scratch for [`Plan::filter_region`] on regions of `width x height`:
    /// one plane's (given scratch serves the planes one after another).
    pub fn scratch_len(&self, width: usize, height: usize) -> Result<ScratchLen, Error> {
        scratch_len(width, height, &self.planes[0].single())
    }

    /// Filters `region` of every plane: `src` holds the region grown by
    /// the halo and clipped to the raster (as [`crate::filter_region`]'s),
    /// `dst` receives the region, each plane with its resolved parameters:
    /// bit for bit what filtering each whole plane gives. Every plane's
    /// arguments are checked before any is written. Threads work across
    /// the rows of each plane, and across planes when a plane's rows leave
    /// some idle (`scratch: None`). Errors: those of
    /// [`crate::filter_region`], [`Error::PlanState`] while a pass is due,
    /// [`Error::PlaneCount`].
    pub fn filter_region(
        &self,
        src: ArrayView3<f32>,
        mut dst: ArrayViewMut3<f32>,
        region: Region,
        scratch: Option<Scratch>,
    ) -> Result<(), Error> {
        let resolved = self.checked(src.len_of(Axis(0)), region)?;
        if dst.len_of(Axis(0)) != resolved.len() {
            return Err(Error::PlaneCount);
        }
        if self.joint() {
            return self.filter_dates(src, dst, region, &resolved);
        }
        let planes = src.outer_iter().zip(dst.outer_iter_mut());
        self.run_planes(
            resolved,
            planes,
            region,
            scratch,
            |params, (src, dst), scratch| {
                let (width, height) = (self.width, self.height);
                filter_region(src, dst, width, height, region, params, Some(scratch))
            },
        )
    }

    /// Quegan's filter of `region` ([`crate::temporal`]): in strips of a
    /// few rows of every date, side by side on the threads, each date of a
    /// strip filtered alone into `dst` (from its squares for amplitude
    /// dates) and the strip combined while it is in the cache. The strips
    /// are about [`DATES_BYTES`] of every date and at least eight halos
    /// high (the halo rows each strip reads again stay a small part). Each
    /// thread allocates its own scratch (a given one is not used).
    fn filter_dates(
        &self,
        src: ArrayView3<f32>,
        mut dst: ArrayViewMut3<f32>,
        region: Region,
        resolved: &[Params],
    ) -> Result<(), Error> {
        let first = &resolved[0];
        let source = source_region(self.width, self.height, region, first)?;
        if src.dim() != (resolved.len(), source.height, source.width) {
            return Err(Error::InvalidRegion);
        }
        let square = squares(&self.planes[0].params);
        let row_bytes = (4 * resolved.len()).saturating_mul(region.width);
        let rows = (DATES_BYTES / row_bytes.max(1))
            .max(16 * first.halo()?)
            .clamp(1, region.height);
        // One thread per strip: each date's call runs on it alone.
        let alone: Vec<Params> = resolved
            .iter()
            .map(|p| Params { threads: 1, ..*p })
            .collect();
        let need = scratch_len(region.width, rows, &alone[0])?;
        let strips: Vec<_> = dst
            .axis_chunks_iter_mut(Axis(1), rows)
            .enumerate()
            .map(|(i, out)| (i * rows, out))
            .collect();
        let (width, height) = (self.width, self.height);
        let strip = |buffer: &mut Result<Buffers, Error>,
                     (y, mut out): (usize, ArrayViewMut3<f32>)| {
            let buffer = buffer.as_mut().map_err(|e| *e)?;
            let part = Region {
                y_off: region.y_off + y,
                height: out.len_of(Axis(1)),
                ..region
            };
            for ((k, params), out) in alone.iter().enumerate().zip(out.outer_iter_mut()) {
                let from = source_region(width, height, part, params)?;
                let at = from.y_off - source.y_off;
                let rows = src.slice(s![k, at..at + from.height, ..]);
                let rows = squared(rows, square);
                filter_region(
                    rows.view(),
                    out,
                    width,
                    height,
                    part,
                    params,
                    Some(buffer.scratch()),
                )?;
            }
            let (dy, dx) = (part.y_off - source.y_off, part.x_off - source.x_off);
            let input = src.slice(s![.., dy..dy + part.height, dx..dx + part.width]);
            crate::temporal::combine(input, out, resolved, square);
            Ok(())
        };
        in_pool(first.threads, || {
            strips
                .into_par_iter()
                .try_for_each_init(|| Buffers::new(need), strip)
        })?
    }

    /// Filters every plane of the whole raster `image` in place.
    pub fn filter_in_place(
        &self,
        mut image: ArrayViewMut3<f32>,
        scratch: Option<Scratch>,
    ) -> Result<(), Error> {
        let region = Region::whole(self.width, self.height);
        let resolved = self.checked(image.len_of(Axis(0)), region)?;
        if self.planes[0].params.temporal != Temporal::None {
            return Err(Error::InPlaceUnsupported);
        }
        let (_, height, width) = image.dim();
        if (width, height) != (self.width, self.height) {
            return Err(Error::InvalidRegion);
        }
        self.run_planes(
            resolved,
            image.outer_iter_mut(),
            region,
            scratch,
            |params, plane, scratch| filter_in_place(plane, params, Some(scratch)),
        )
    }

    /// Every plane's resolved parameters, checked for a call on `region`
    /// of an image of `planes` planes.
    fn checked(&self, planes: usize, region: Region) -> Result<Vec<Params>, Error> {
        if self.tally_len() > 0 {
            return Err(Error::PlanState);
        }
        if planes != self.planes.len() {
            return Err(Error::PlaneCount);
        }
        self.planes
            .iter()
            .map(|plane| {
                let params = plane.resolved();
                params.validate()?;
                source_region(self.width, self.height, region, &params)?;
                Ok(params)
            })
            .collect()
    }

    /// Runs `job` on every plane (its resolved parameters and images) with
    /// a scratch: the caller's, plane after plane; else allocated here
    /// before any plane is written, one for the planes in turn, or one per
    /// plane when a plane's rows leave threads idle, the planes then
    /// running side by side.
    fn run_planes<T: Send>(
        &self,
        resolved: Vec<Params>,
        images: impl Iterator<Item = T>,
        region: Region,
        scratch: Option<Scratch>,
        job: impl Fn(&Params, T, Scratch) -> Result<(), Error> + Sync,
    ) -> Result<(), Error> {
        let work: Vec<(Params, T)> = resolved.into_iter().zip(images).collect();
        if let Some(s) = scratch {
            return work.into_iter().try_for_each(|(params, io)| {
                let scratch = Scratch {
                    f64s: &mut *s.f64s,
                    f32s: &mut *s.f32s,
                };
                job(&params, io, scratch)
            });
        }
        let need = self.scratch_len(region.width, region.height)?;
        let first = &self.planes[0].single();
        let side_by_side = work.len() > 1 && leaves_threads_idle(first, region.height);
        let count = if side_by_side { work.len() } else { 1 };
        let mut buffers = (0..count)
            .map(|_| Buffers::new(need))
            .collect::<Result<Vec<_>, _>>()?;
        if !side_by_side {
            let buffer = &mut buffers[0];
            return work
                .into_iter()
                .try_for_each(|(params, io)| job(&params, io, buffer.scratch()));
        }
        let jobs: Vec<_> = work.into_iter().zip(&mut buffers).collect();
        let run = || {
            jobs.into_par_iter()
                .try_for_each(|((params, io), buffer)| job(&params, io, buffer.scratch()))
        };
        in_pool(first.threads, run)?
    }

    /// Entries of the report's tally: [`BINS`] per plane, or 0 when the
    /// report was not asked for.
    pub fn report_tally_len(&self) -> usize {
        if self.report {
            BINS * self.planes.len()
        } else {
            0
        }
    }

    /// Adds a piece of the input and the same piece filtered (every plane,
    /// from `origin`) to the report's `tally` ([`Plan::report_tally_len`]
    /// entries, zeroed first). Pieces as [`Plan::count`]'s. Errors:
    /// [`Error::PlanState`] without a report or while a pass is due,
    /// [`Error::PlaneCount`], [`Error::InvalidTally`],
    /// [`Error::InvalidRegion`].
    pub fn count_report(
        &self,
        input: ArrayView3<f32>,
        filtered: ArrayView3<f32>,
        origin: (usize, usize),
        tally: &mut [u64],
    ) -> Result<(), Error> {
        if !self.report || self.tally_len() > 0 {
            return Err(Error::PlanState);
        }
        self.check_piece(input.dim(), origin)?;
        if filtered.dim() != input.dim() {
            return Err(Error::InvalidRegion);
        }
        if tally.len() != self.report_tally_len() {
            return Err(Error::InvalidTally);
        }
        let raster = (self.width, self.height);
        let planes = input.outer_iter().zip(filtered.outer_iter());
        for ((plane, (input, filtered)), table) in self
            .planes
            .iter()
            .zip(planes)
            .zip(tally.chunks_exact_mut(BINS))
        {
            if !plane.unmeasurable {
                let search = plane.looks.expect("a report plans a looks search");
                let square = squares(&plane.params);
                let (input, filtered) = (squared(input, square), squared(filtered, square));
                let params = plane.resolved();
                search.count_report(
                    input.view(),
                    filtered.view(),
                    origin,
                    raster,
                    &params,
                    table,
                )?;
            }
        }
        Ok(())
    }

    /// Ends the report with the tally of the whole raster. Errors:
    /// [`Error::PlanState`] without a report or while a pass is due,
    /// [`Error::InvalidTally`].
    pub fn finish_report(&mut self, tally: &[u64]) -> Result<(), Error> {
        if !self.report || self.tally_len() > 0 {
            return Err(Error::PlanState);
        }
        if tally.len() != self.report_tally_len() {
            return Err(Error::InvalidTally);
        }
        for (plane, table) in self.planes.iter_mut().zip(tally.chunks_exact(BINS)) {
            if !plane.unmeasurable {
                match crate::finish_report(table, &plane.resolved()) {
                    Ok(report) => plane.report = Some(report),
                    Err(_) => plane.unmeasurable = true,
                }
            }
        }
        Ok(())
    }

    /// Plane `plane`'s report, once finished. Errors: [`Error::PlanState`]
    /// before [`Plan::finish_report`], [`Error::PlaneCount`],
    /// [`Error::LooksNotEstimable`] where no homogeneous block was found.
    pub fn report(&self, plane: usize) -> Result<QualityReport, Error> {
        let p = self.planes.get(plane).ok_or(Error::PlaneCount)?;
        match (p.report, p.unmeasurable) {
            (Some(report), _) => Ok(report),
            (None, true) => Err(Error::LooksNotEstimable),
            (None, false) => Err(Error::PlanState),
        }
    }

    /// One line saying what the filter did, for metadata and attributes
    /// (GDAL's, QGIS's, xarray's): the library and its version, then
    /// `name=value` for every parameter the filter reads, resolved (the
    /// estimated looks and the point threshold marked so; values that
    /// differ between planes listed per plane, separated by commas).
    pub fn provenance(&self) -> String {
        let ready = self.tally_len() == 0;
        let filter = self.planes[0].params.filter;
        let mut text = format!("enh-lee {}:", env!("CARGO_PKG_VERSION"));
        for parameter in crate::parameters() {
            if parameter.name != "filter" && !parameter.applies_to(filter) {
                continue;
            }
            let values: Vec<String> = self
                .planes
                .iter()
                .map(|p| {
                    let params = if ready { p.shown() } else { p.params };
                    let value = params.get(parameter.name).unwrap_or_default();
                    if value.is_empty() {
                        "none".to_owned()
                    } else {
                        value
                    }
                })
                .collect();
            let all_same = values.iter().all(|v| *v == values[0]);
            let value = if all_same {
                values[0].clone()
            } else {
                values.join(",")
            };
            let searched = match parameter.name {
                "looks" => self.planes[0].single().looks_state() == WholeRasterState::Needed,
                "point_threshold" => {
                    self.planes[0].single().point_threshold_state() == WholeRasterState::Needed
                }
                _ => false,
            };
            let _ = write!(text, " {}={value}", parameter.name);
            if searched {
                text.push_str(if ready {
                    " (estimated)"
                } else {
                    " (to estimate)"
                });
            }
        }
        text
    }

    /// The plan as text that [`Plan::load`] reads back to an equal plan
    /// (in another process: a Dask worker), parameters by name.
    pub fn save(&self) -> String {
        let mut text = format!(
            "{SAVED}\nraster {} {} {} {} {}\n",
            self.width,
            self.height,
            self.planes.len(),
            u8::from(self.report),
            self.passes
        );
        for plane in &self.planes {
            text.push_str("plane");
            for parameter in crate::parameters() {
                let value = plane.params.get(parameter.name).unwrap_or_default();
                let _ = write!(text, " {}={value}", parameter.name);
            }
            let search = |s: Option<KeySearch>| match s {
                Some(s) => format!("{} {} {} {}", s.pass, s.prefix, s.rank, s.key),
                None => "-".to_owned(),
            };
            let bits = |v: Option<f64>| v.map_or("-".to_owned(), |v| format!("{:x}", v.to_bits()));
            let _ = writeln!(
                text,
                "\nsearches {} {} {} {} {}",
                search(plane.looks.map(|s| s.rank)),
                u8::from(plane.looks.is_some_and(|s| s.done)),
                bits(plane.estimated),
                search(plane.threshold.map(|s| s.0)),
                u8::from(plane.unmeasurable)
            );
        }
        text
    }

    /// The plan that [`Plan::save`] wrote. [`Error::InvalidPlan`] for any
    /// other text (also a plan saved by another format version).
    pub fn load(text: &str) -> Result<Plan, Error> {
        load(text).ok_or(Error::InvalidPlan)
    }

    fn check_piece(
        &self,
        (planes, height, width): (usize, usize, usize),
        origin: (usize, usize),
    ) -> Result<(), Error> {
        if planes != self.planes.len() {
            return Err(Error::PlaneCount);
        }
        if width == 0 || height == 0 {
            return Err(Error::EmptyImage);
        }
        let inside =
            |off: usize, len: usize, max: usize| off.checked_add(len).is_some_and(|e| e <= max);
        if !inside(origin.0, width, self.width) || !inside(origin.1, height, self.height) {
            return Err(Error::InvalidRegion);
        }
        Ok(())
    }
}

/// [`Plan::load`], `None` for text it did not write.
fn load(text: &str) -> Option<Plan> {
    let mut lines = text.lines();
    if lines.next()? != SAVED {
        return None;
    }
    let raster: Vec<usize> = words(lines.next()?, "raster")?;
    let [width, height, planes, report, passes] = raster[..] else {
        return None;
    };
    let report = report == 1;
    let mut plan = Plan::new(&Params::default(), width, height, planes, report).ok()?;
    plan.passes = passes;
    for plane in &mut plan.planes {
        let mut params = Params::default();
        for pair in lines.next()?.strip_prefix("plane")?.split_whitespace() {
            let (name, value) = pair.split_once('=')?;
            params.set(name, value).ok()?;
        }
        params.validate().ok()?;
        let mut fields = lines.next()?.strip_prefix("searches ")?.split(' ');
        let looks = search(&mut fields)?;
        let done = fields.next()? == "1";
        let estimated = match fields.next()? {
            "-" => None,
            bits => Some(f64::from_bits(u64::from_str_radix(bits, 16).ok()?)),
        };
        let threshold = search(&mut fields)?;
        let unmeasurable = fields.next()? == "1";
        let mut fresh = Plane::new(params, report);
        if fresh.looks.is_some() != looks.is_some()
            || fresh.threshold.is_some() != threshold.is_some()
        {
            return None;
        }
        fresh.looks = looks.map(|rank| LooksSearch { rank, done });
        fresh.estimated = estimated;
        fresh.threshold = threshold.map(ThresholdSearch);
        fresh.unmeasurable = unmeasurable;
        *plane = fresh;
    }
    Some(plan)
}

/// A saved [`KeySearch`] (`-`: none) from the next words of `fields`.
fn search<'a>(fields: &mut impl Iterator<Item = &'a str>) -> Option<Option<KeySearch>> {
    let first = fields.next()?;
    if first == "-" {
        return Some(None);
    }
    let mut next = || fields.next()?.parse::<u64>().ok();
    let pass = u32::try_from(first.parse::<u64>().ok()?).ok()?;
    let prefix = u32::try_from(next()?).ok()?;
    let rank = next()?;
    let key = u32::try_from(next()?).ok()?;
    Some(Some(KeySearch {
        pass,
        prefix,
        rank,
        key,
    }))
}

/// The numbers after `tag` on a line.
fn words(line: &str, tag: &str) -> Option<Vec<usize>> {
    let mut words = line.split(' ');
    if words.next()? != tag {
        return None;
    }
    words.map(|w| w.parse().ok()).collect()
}
