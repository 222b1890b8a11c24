//! The entry points of the core: checks the call, cuts the output into row
//! bands, gives each band its scratch, and runs the bands on the threads.

use std::ops::Range;
use std::sync::{Arc, Mutex};

use ndarray::{ArrayView2, ArrayViewMut2, Axis};
use rayon::prelude::*;

use crate::band::{BandIo, Geometry, Plan};
use crate::carve::Carve;
use crate::error::Error;
use crate::looks::estimate_looks;
use crate::params::{Params, Temporal, WholeRasterState};
use crate::point_threshold::point_threshold;
use crate::simd::{filter_band, Isa};

/// The largest raster side accepted: border arithmetic on padded indices
/// (`2 * side + window`, as `isize`) must not overflow. No raster comes
/// near it (2^60 pixels).
const MAX_SIDE: usize = 1 << 60;

/// Bands shorter than this are not worth a thread of their own.
const MIN_BAND_ROWS: usize = 32;

/// A rectangle of a raster, in pixels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Region {
    pub x_off: usize,
    pub y_off: usize,
    pub width: usize,
    pub height: usize,
}

impl Region {
    /// A whole `width x height` raster.
    pub fn whole(width: usize, height: usize) -> Region {
        Region {
            x_off: 0,
            y_off: 0,
            width,
            height,
        }
    }

    /// This region grown by `halo` pixels on every side, clipped to a
    /// `raster_width x raster_height` raster: the source a region call reads.
    pub fn with_halo(&self, halo: usize, raster_width: usize, raster_height: usize) -> Region {
        let grow = |off: usize, len: usize, max: usize| {
            let start = off.saturating_sub(halo);
            (
                start,
                off.saturating_add(len).saturating_add(halo).min(max) - start,
            )
        };
        let (x_off, width) = grow(self.x_off, self.width, raster_width);
        let (y_off, height) = grow(self.y_off, self.height, raster_height);
        Region {
            x_off,
            y_off,
            width,
            height,
        }
    }

    fn rows(&self) -> Range<usize> {
        self.y_off..self.y_off + self.height
    }
}

/// How much scratch a call needs, in elements of each type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScratchLen {
    pub f64s: usize,
    pub f32s: usize,
}

/// Caller-provided scratch. Its contents on entry do not matter.
pub struct Scratch<'a> {
    pub f64s: &'a mut [f64],
    pub f32s: &'a mut [f32],
}

/// The thread count a call with these parameters uses.
pub(crate) fn thread_count(params: &Params) -> usize {
    match params.threads {
        0 => rayon::current_num_threads(),
        n => n,
    }
}

fn band_count(params: &Params, height: usize) -> usize {
    thread_count(params)
        .min(height.div_ceil(MIN_BAND_ROWS))
        .max(1)
}

/// Whether a call on `height` rows leaves some of its threads idle (it
/// cuts fewer bands than it has threads).
pub(crate) fn leaves_threads_idle(params: &Params, height: usize) -> bool {
    band_count(params, height) < thread_count(params)
}

/// Scratch needed to filter a `width x height` image (or a region of that
/// size) with `params`. It grows with width, window and threads, never with
/// height beyond the thread count. With `threads == 0` it depends on the
/// rayon pool it is asked from: ask from the pool that will filter. The
/// `f32s` are used only in place; an out-of-place call that allocates its
/// own scratch does not allocate them.
pub fn scratch_len(width: usize, height: usize, params: &Params) -> Result<ScratchLen, Error> {
    Layout::new(params, width, height)?.len()
}

/// The scratch of a call: every band's kernel buffers (f64, carved per
/// tile by the kernel) and, in place, the rows saved before any band
/// writes and every band's carries and held-back outputs (f32).
struct Layout {
    geometry: Geometry,
    width: usize,
    bands: usize,
    /// f64 of one band.
    band_f64s: usize,
    /// f32 of one in-place band.
    band_f32s: usize,
    /// At most this many rows are saved.
    saved_rows: usize,
}

impl Layout {
    fn new(params: &Params, width: usize, height: usize) -> Result<Layout, Error> {
        // Validates the parameters (their errors come first).
        let geometry = Geometry::new(params, width)?;
        if width == 0 || height == 0 {
            return Err(Error::EmptyImage);
        }
        let bands = band_count(params, height);
        let band_f64s = geometry
            .band_scratch_len(params)
            .ok_or(Error::SizeOverflow)?;
        let mut f32s = Carve::measure();
        InPlace::buffers(&geometry, width, &mut f32s);
        let band_f32s = f32s.taken().ok_or(Error::SizeOverflow)?;
        // `halo` rows on each side of every band boundary, and the `r + 1`
        // rows at the top and bottom edges (see [`saved_rows`]).
        let saved_rows = (2 * geometry.halo)
            .checked_mul(bands - 1)
            .and_then(|n| n.checked_add(2 * (params.pixel_radius() + 1)))
            .ok_or(Error::SizeOverflow)?;
        Ok(Layout {
            geometry,
            width,
            bands,
            band_f64s,
            band_f32s,
            saved_rows,
        })
    }

    fn len(&self) -> Result<ScratchLen, Error> {
        let f64s = self.band_f64s.checked_mul(self.bands);
        let f32s = self
            .saved_rows
            .checked_mul(self.width)
            .and_then(|saved| self.band_f32s.checked_mul(self.bands)?.checked_add(saved));
        match (f64s, f32s) {
            (Some(f64s), Some(f32s)) => Ok(ScratchLen { f64s, f32s }),
            _ => Err(Error::SizeOverflow),
        }
    }
}

/// Pixels of context a region needs on each side (SPEC: larger for the
/// `residual` statistic).
pub fn halo(params: &Params) -> Result<usize, Error> {
    params.halo()
}

/// Filters `src` into `dst` (same shape). See [`filter_region`].
pub fn filter(
    src: ArrayView2<f32>,
    dst: ArrayViewMut2<f32>,
    params: &Params,
    scratch: Option<Scratch>,
) -> Result<(), Error> {
    let (height, width) = src.dim();
    filter_region(
        src,
        dst,
        width,
        height,
        Region::whole(width, height),
        params,
        scratch,
    )
}

/// Filters region `region` of a `raster_width x raster_height` raster.
/// `src` holds the region grown by the halo and clipped to the raster
/// ([`Region::with_halo`]); `dst` receives `region.height x region.width`.
/// The result is bit for bit what [`filter`] gives for those pixels of the
/// whole raster. Rows must be contiguous (unit column stride).
///
/// `scratch: None` allocates the scratch for the call.
pub fn filter_region(
    src: ArrayView2<f32>,
    mut dst: ArrayViewMut2<f32>,
    raster_width: usize,
    raster_height: usize,
    region: Region,
    params: &Params,
    scratch: Option<Scratch>,
) -> Result<(), Error> {
    let source = source_region(raster_width, raster_height, region, params)?;
    one_plane(params)?;
    if src.dim() != (source.height, source.width) || dst.dim() != (region.height, region.width) {
        return Err(Error::InvalidRegion);
    }
    if !rows_contiguous(&src) || !rows_contiguous(&dst) {
        return Err(Error::InvalidStride);
    }
    let whole = (region == Region::whole(raster_width, raster_height)).then_some(src);
    let layout = Layout::new(params, region.width, region.height)?;
    let plan = plan(
        params,
        layout.geometry,
        (raster_width, raster_height),
        region,
        source.x_off,
        whole,
    )?;
    with_scratch(&layout, scratch, false, |f64s, _| {
        let bands = band_rows(params, region, &layout);
        let src_y = source.y_off;
        let ios = dst
            .axis_chunks_iter_mut(Axis(0), bands.band_height)
            .enumerate()
            .map(|(i, dst)| Split {
                src: src.view(),
                src_y,
                src_col: region.x_off - source.x_off,
                dst,
                dst_y: bands.band(i).start,
            });
        run_bands(ios, &bands, &plan, f64s)
    })
}

/// Filters `image` in place: peak memory is the image plus the scratch.
pub fn filter_in_place(
    mut image: ArrayViewMut2<f32>,
    params: &Params,
    scratch: Option<Scratch>,
) -> Result<(), Error> {
    let (height, width) = image.dim();
    let region = Region::whole(width, height);
    source_region(width, height, region, params)?;
    one_plane(params)?;
    if !rows_contiguous(&image) {
        return Err(Error::InvalidStride);
    }
    let layout = Layout::new(params, width, height)?;
    let plan = plan(
        params,
        layout.geometry,
        (width, height),
        region,
        0,
        Some(image.view()),
    )?;
    with_scratch(&layout, scratch, true, |f64s, f32s| {
        let bands = band_rows(params, region, &layout);
        // Rows that bands read after they may have been overwritten: the
        // neighbours' halos and the rows the border rule reflects into.
        let rows = saved_rows(params, layout.geometry.halo, &bands, height);
        let mut f32s = Carve::new(f32s);
        let saved = f32s.take(rows.len(), width);
        let saved = SavedRows::copy(&image, rows, saved);
        let geometry = &layout.geometry;
        let ios = image
            .axis_chunks_iter_mut(Axis(0), bands.band_height)
            .enumerate()
            .map(|(i, band)| InPlace::new(band, bands.band(i).start, &saved, geometry, &mut f32s));
        run_bands(ios, &bands, &plan, f64s)
    })
}

/// A call on one plane: [`Error::PlaneCount`] where the parameters
/// combine several (`temporal=quegan`: give every date to a [`crate::Plan`]).
fn one_plane(params: &Params) -> Result<(), Error> {
    match params.temporal {
        Temporal::None => Ok(()),
        Temporal::Quegan => Err(Error::PlaneCount),
    }
}

/// Checks a region call's sizes and parameters and returns the source
/// window it reads: the region grown by the halo, clipped to the raster.
pub fn source_region(
    raster_width: usize,
    raster_height: usize,
    region: Region,
    params: &Params,
) -> Result<Region, Error> {
    let halo = params.halo()?;
    if raster_width == 0 || raster_height == 0 || region.width == 0 || region.height == 0 {
        return Err(Error::EmptyImage);
    }
    if raster_width > MAX_SIDE || raster_height > MAX_SIDE {
        return Err(Error::SizeOverflow);
    }
    // A window wider than twice the raster plus one reaches no pixel that
    // a smaller one does not, yet its scratch grows with it: refused
    // before anything is allocated (SPEC, "Inputs"). The default window
    // is taken on any raster.
    let sized = params.filter.parameters().contains(&"window");
    let limit = (2 * raster_width.max(raster_height) + 1).max(Params::default().window);
    if sized && params.window > limit {
        return Err(Error::WindowTooLarge);
    }
    let x_end = region.x_off.checked_add(region.width);
    let y_end = region.y_off.checked_add(region.height);
    if x_end.is_none_or(|e| e > raster_width) || y_end.is_none_or(|e| e > raster_height) {
        return Err(Error::InvalidRegion);
    }
    Ok(region.with_halo(halo, raster_width, raster_height))
}

fn rows_contiguous<S: ndarray::RawData>(a: &ndarray::ArrayBase<S, ndarray::Ix2>) -> bool {
    a.strides()[1] == 1 || a.dim().1 <= 1
}

/// The plan of a call. `whole`: the whole raster, when the call filters
/// all of it, from which Lee Sigma's point threshold is computed if the
/// parameters do not give it (a region needs it given: computed from the
/// region alone it would depend on how the raster is cut).
fn plan(
    params: &Params,
    geometry: Geometry,
    (raster_width, raster_height): (usize, usize),
    region: Region,
    src_x: usize,
    whole: Option<ArrayView2<f32>>,
) -> Result<Plan, Error> {
    // `looks=auto`: the whole raster's estimate, as a search over pieces
    // of it would give (a region alone would give another value).
    let estimated;
    let params = if params.looks_state() == WholeRasterState::Needed {
        let image = whole.ok_or(Error::InvalidLooks)?;
        estimated = Params {
            looks: estimate_looks(image, params)?,
            ..*params
        };
        &estimated
    } else {
        params
    };
    let mut coeffs = params.validate()?;
    if params.point_threshold_state() == WholeRasterState::Needed {
        let image = whole.ok_or(Error::InvalidPointThreshold)?;
        coeffs.point_threshold = point_threshold(image, params)?;
    }
    Ok(Plan {
        // The windows' border rule is settled here, once for the kernel.
        params: Params {
            border: params.effective_border(),
            ..*params
        },
        coeffs,
        geometry,
        raster_width,
        raster_height,
        region,
        src_x,
        isa: Isa::selected(),
    })
}

/// Runs `f` with the caller's scratch, checked against the query, or with
/// scratch allocated here (the f32 part only `in_place`).
fn with_scratch(
    layout: &Layout,
    scratch: Option<Scratch>,
    in_place: bool,
    f: impl FnOnce(&mut [f64], &mut [f32]) -> Result<(), Error>,
) -> Result<(), Error> {
    let need = layout.len()?;
    match scratch {
        Some(s) if s.f64s.len() < need.f64s || s.f32s.len() < need.f32s => {
            Err(Error::ScratchTooSmall)
        }
        Some(s) => f(&mut s.f64s[..need.f64s], &mut s.f32s[..need.f32s]),
        None => {
            // The f32 part is used only in place.
            let f32s = if in_place { need.f32s } else { 0 };
            let mut own = Buffers::new(ScratchLen { f32s, ..need })?;
            f(&mut own.f64s, &mut own.f32s)
        }
    }
}

/// A scratch allocated for a call, in place of the caller's.
pub(crate) struct Buffers {
    f64s: Vec<f64>,
    f32s: Vec<f32>,
}

impl Buffers {
    /// `need`, or [`Error::OutOfMemory`].
    pub(crate) fn new(need: ScratchLen) -> Result<Buffers, Error> {
        let mut f64s = Vec::new();
        let mut f32s = Vec::new();
        f64s.try_reserve_exact(need.f64s)
            .and_then(|()| f32s.try_reserve_exact(need.f32s))
            .map_err(|_| Error::OutOfMemory)?;
        f64s.resize(need.f64s, 0.0);
        f32s.resize(need.f32s, 0.0);
        Ok(Buffers { f64s, f32s })
    }

    pub(crate) fn scratch(&mut self) -> Scratch<'_> {
        Scratch {
            f64s: &mut self.f64s,
            f32s: &mut self.f32s,
        }
    }
}

/// How the output rows are cut into bands, one per worker.
struct Bands {
    rows: Range<usize>,
    band_height: usize,
    per_band_scratch: usize,
    threads: usize,
}

fn band_rows(params: &Params, region: Region, layout: &Layout) -> Bands {
    Bands {
        rows: region.rows(),
        band_height: region.height.div_ceil(layout.bands),
        per_band_scratch: layout.band_f64s,
        threads: params.threads,
    }
}

impl Bands {
    /// Raster rows of band `i`.
    fn band(&self, i: usize) -> Range<usize> {
        let start = self.rows.start + i * self.band_height;
        start..(start + self.band_height).min(self.rows.end)
    }

    /// First raster rows of every band but the first.
    fn boundaries(&self) -> impl Iterator<Item = usize> + '_ {
        (self.rows.start + self.band_height..self.rows.end).step_by(self.band_height)
    }
}

fn run_bands<IO: BandIo + Send>(
    ios: impl Iterator<Item = IO>,
    bands: &Bands,
    plan: &Plan,
    scratch: &mut [f64],
) -> Result<(), Error> {
    let mut work: Vec<_> = ios
        .zip(scratch.chunks_mut(bands.per_band_scratch))
        .enumerate()
        .map(|(i, (io, s))| (io, bands.band(i), s))
        .collect();
    let isa = plan.isa;
    if work.len() == 1 {
        // One band runs on the caller's thread: no pool is involved.
        let (mut io, rows, s) = work.pop().expect("one band");
        filter_band(isa, &mut io, plan, rows, s);
        return Ok(());
    }
    let job = || {
        work.into_par_iter()
            .for_each(|(mut io, rows, s)| filter_band(isa, &mut io, plan, rows, s));
    };
    in_pool(bands.threads, job)
}

/// Runs `job` in the rayon pool of a call with `threads` (0: the current
/// pool, N: the library's pool of N threads).
pub(crate) fn in_pool<R: Send>(threads: usize, job: impl FnOnce() -> R + Send) -> Result<R, Error> {
    match threads {
        0 => Ok(job()),
        n => Ok(thread_pool(n)?.install(job)),
    }
}

/// The pool for an explicit thread count. The last one built is kept for
/// the next call (callers usually repeat the same count); asking for
/// another count replaces it, so at most one such pool lives at a time.
fn thread_pool(threads: usize) -> Result<Arc<rayon::ThreadPool>, Error> {
    static POOL: Mutex<Option<(usize, Arc<rayon::ThreadPool>)>> = Mutex::new(None);
    let mut cached = POOL.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((n, pool)) = cached.as_ref() {
        if *n == threads {
            return Ok(pool.clone());
        }
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("enh-lee-{i}"))
        .build()
        .map_err(|_| Error::ThreadPool)?;
    let pool = Arc::new(pool);
    *cached = Some((threads, pool.clone()));
    Ok(pool)
}

/// Out of place: read `src`, write this band's rows of `dst`.
struct Split<'a> {
    src: ArrayView2<'a, f32>,
    /// Raster row of `src` row 0.
    src_y: usize,
    /// Column of `src` holding the region's first column.
    src_col: usize,
    /// This band's output rows, from raster row `dst_y` on.
    dst: ArrayViewMut2<'a, f32>,
    dst_y: usize,
}

impl BandIo for Split<'_> {
    #[inline(always)]
    fn source_row(&self, q: usize) -> &[f32] {
        self.src
            .row(q - self.src_y)
            .to_slice()
            .expect("rows are contiguous")
    }

    #[inline(always)]
    fn write_row(&mut self, y: usize, cols: Range<usize>, mut f: impl FnMut(usize, f32) -> f32) {
        let src = self
            .src
            .row(y - self.src_y)
            .to_slice()
            .expect("rows are contiguous");
        let src = &src[self.src_col + cols.start..self.src_col + cols.end];
        let mut dst = self.dst.row_mut(y - self.dst_y);
        let dst = &mut dst.as_slice_mut().expect("rows are contiguous")[cols];
        for (j, (d, x)) in dst.iter_mut().zip(src).enumerate() {
            *d = f(j, *x);
        }
    }

    fn begin_rows(&mut self, _: Range<usize>) {}

    fn end_tile(&mut self) {}
}

/// In place: this band's rows of the image, and copies of what must be
/// read after it may have been overwritten.
///
/// * Rows another band (or the border rule) reads: [`SavedRows`], copied
///   before any band writes.
/// * The last `halo` rows of a sub-band, which the next sub-band reads:
///   copied when the sub-band begins (`carry`).
/// * The last `halo` columns of a tile, which the next tile reads: their
///   outputs are held back (`held`) and written when that tile is done.
struct InPlace<'a> {
    band: ArrayViewMut2<'a, f32>,
    band_y: usize,
    saved: &'a SavedRows<'a>,
    halo: usize,
    /// Rows the previous sub-band overwrote that this one reads, and the
    /// rows of this sub-band the next one will read.
    carry: [Carry<'a>; 2],
    /// Held-back outputs of the previous tile and of the current one.
    held: [Held<'a>; 2],
    /// Output rows of the current sub-band.
    sub_band: Range<usize>,
}

/// Copies of consecutive image rows.
struct Carry<'a> {
    rows: Range<usize>,
    data: &'a mut [f32],
}

/// Outputs not yet written: region columns `cols` of the sub-band's rows.
struct Held<'a> {
    cols: Range<usize>,
    data: &'a mut [f32],
}

impl<'a> InPlace<'a> {
    /// The two carries (`halo` rows of a band `width` wide) and the two
    /// held-back outputs (`halo` columns of a sub-band) of one band, from
    /// `scratch`.
    fn buffers(
        geometry: &Geometry,
        width: usize,
        scratch: &mut Carve<'a, f32>,
    ) -> ([Carry<'a>; 2], [Held<'a>; 2]) {
        let mut carry = || Carry {
            rows: 0..0,
            data: scratch.take(geometry.halo, width),
        };
        let carries = [carry(), carry()];
        let mut held = || Held {
            cols: 0..0,
            data: scratch.take(geometry.halo, geometry.sub_band_rows),
        };
        (carries, [held(), held()])
    }

    fn new(
        band: ArrayViewMut2<'a, f32>,
        band_y: usize,
        saved: &'a SavedRows<'a>,
        geometry: &Geometry,
        scratch: &mut Carve<'a, f32>,
    ) -> Self {
        let (carry, held) = InPlace::buffers(geometry, band.dim().1, scratch);
        InPlace {
            band,
            band_y,
            saved,
            halo: geometry.halo,
            carry,
            held,
            sub_band: band_y..band_y,
        }
    }

    fn row(&self, y: usize) -> &[f32] {
        self.band
            .row(y - self.band_y)
            .to_slice()
            .expect("rows are contiguous")
    }

    /// Writes the previous tile's held-back outputs into the image.
    fn flush_held(&mut self) {
        let Held { cols, data } = &mut self.held[0];
        let n = cols.len();
        if n == 0 {
            return;
        }
        for (i, y) in self.sub_band.clone().enumerate() {
            let mut row = self.band.row_mut(y - self.band_y);
            row.as_slice_mut().expect("rows are contiguous")[cols.clone()]
                .copy_from_slice(&data[i * n..(i + 1) * n]);
        }
        *cols = 0..0;
    }
}

impl BandIo for InPlace<'_> {
    #[inline(always)]
    fn source_row(&self, q: usize) -> &[f32] {
        let carry = &self.carry[0];
        if carry.rows.contains(&q) {
            let width = self.band.dim().1;
            let i = q - carry.rows.start;
            return &carry.data[i * width..(i + 1) * width];
        }
        match self.saved.get(q) {
            Some(row) => row,
            None => self.row(q),
        }
    }

    #[inline(always)]
    fn write_row(&mut self, y: usize, cols: Range<usize>, mut f: impl FnMut(usize, f32) -> f32) {
        let last = cols.end == self.band.dim().1;
        // The last `halo` columns are held back unless this is the last tile.
        let held = if last { 0 } else { self.halo.min(cols.len()) };
        let split = cols.end - held;
        let (i, n) = (y - self.sub_band.start, held);
        let band_y = self.band_y;
        let mut row = self.band.row_mut(y - band_y);
        let row = &mut row.as_slice_mut().expect("rows are contiguous")[cols.start..cols.end];
        let (direct, later) = row.split_at_mut(split - cols.start);
        for (j, v) in direct.iter_mut().enumerate() {
            *v = f(j, *v);
        }
        let first = split - cols.start;
        for (k, (h, v)) in self.held[1].data[i * n..(i + 1) * n]
            .iter_mut()
            .zip(later.iter())
            .enumerate()
        {
            *h = f(first + k, *v);
        }
        self.held[1].cols = split..cols.end;
    }

    fn begin_rows(&mut self, rows: Range<usize>) {
        // What the previous sub-band copied for this one.
        self.carry.swap(0, 1);
        let band_end = self.band_y + self.band.dim().0;
        let next = if rows.end < band_end {
            rows.end - self.halo.min(rows.len())..rows.end
        } else {
            0..0
        };
        let width = self.band.dim().1;
        let Carry { rows: copied, data } = &mut self.carry[1];
        for (i, y) in next.clone().enumerate() {
            data[i * width..(i + 1) * width].copy_from_slice(
                self.band
                    .row(y - self.band_y)
                    .as_slice()
                    .expect("rows are contiguous"),
            );
        }
        *copied = next;
        self.sub_band = rows;
    }

    fn end_tile(&mut self) {
        // The tile just done was the last to read the previous one's
        // held-back columns.
        self.flush_held();
        self.held.swap(0, 1);
    }
}

/// Copies of whole image rows, by raster row.
struct SavedRows<'a> {
    rows: Vec<usize>,
    data: &'a [f32],
    width: usize,
}

impl<'a> SavedRows<'a> {
    fn copy(image: &ArrayViewMut2<f32>, rows: Vec<usize>, buf: &'a mut [f32]) -> Self {
        let width = image.dim().1;
        for (i, &q) in rows.iter().enumerate() {
            for (d, s) in buf[i * width..(i + 1) * width].iter_mut().zip(image.row(q)) {
                *d = *s;
            }
        }
        SavedRows {
            rows,
            data: buf,
            width,
        }
    }

    #[inline(always)]
    fn get(&self, q: usize) -> Option<&[f32]> {
        let i = self.rows.binary_search(&q).ok()?;
        Some(&self.data[i * self.width..(i + 1) * self.width])
    }
}

/// The rows an in-place call must copy before any band writes: `halo` rows
/// on each side of every band boundary, and the `r + 1` rows at the top and
/// bottom edges that the border rule maps window positions into.
fn saved_rows(params: &Params, halo: usize, bands: &Bands, height: usize) -> Vec<usize> {
    let r = params.pixel_radius();
    let edge = (r + 1).min(height);
    let mut rows: Vec<usize> = (0..edge).chain(height - edge..height).collect();
    for b in bands.boundaries() {
        rows.extend(b.saturating_sub(halo)..(b + halo).min(height));
    }
    rows.sort_unstable();
    rows.dedup();
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Filter;
    use ndarray::Array2;

    #[test]
    fn windows_beyond_twice_the_raster_are_refused_before_any_allocation() {
        let image = Array2::<f32>::ones((3, 5));
        let mut out = Array2::<f32>::zeros((3, 5));
        let with = |window| Params {
            window,
            ..Params::default()
        };
        // r = 5 reaches the larger side: allowed; r = 6 is refused, as is
        // a window whose scratch would not fit in memory.
        filter(image.view(), out.view_mut(), &with(11), None).unwrap();
        // The default window, on any raster.
        let tiny = Array2::<f32>::ones((1, 1));
        let mut one = Array2::<f32>::zeros((1, 1));
        filter(tiny.view(), one.view_mut(), &with(7), None).unwrap();
        assert_eq!(
            filter(tiny.view(), one.view_mut(), &with(9), None),
            Err(Error::WindowTooLarge)
        );
        for window in [13, 99_999, u32::MAX as usize] {
            assert_eq!(
                filter(image.view(), out.view_mut(), &with(window), None),
                Err(Error::WindowTooLarge),
                "{window}"
            );
            let region = Region::whole(5, 3);
            assert_eq!(
                source_region(5, 3, region, &with(window)),
                Err(Error::WindowTooLarge)
            );
        }
        // Refined Lee's window is its own 7x7, on any raster.
        let refined = Params {
            filter: Filter::RefinedLee,
            ..Params::default()
        };
        filter(tiny.view(), one.view_mut(), &refined, None).unwrap();
    }
}
