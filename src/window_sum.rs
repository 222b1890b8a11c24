//! Sliding-window sums whose rounding depends only on the pixels of the
//! window (SPEC.md, "Accuracy"), in O(1) or O(log w) work per position.
//!
//! Down the columns ([`ColumnSums`]), window start positions `u` are cut
//! into blocks of `w` consecutive positions, aligned on multiples of `w` in
//! *raster* coordinates. The window `[u, u + w)` then covers the tail of one
//! block and the head of the next:
//!
//! ```text
//! sum(u) = suffix(u)                       if u is a block start
//!        = suffix(u) + prefix(u + w - 1)   otherwise
//! ```
//!
//! where `suffix(u)` sums from `u` to the end of its block and `prefix(v)`
//! from the start of its block to `v`. Each partial sum adds at most `w`
//! values, so the result carries the rounding error of a direct window sum,
//! and, since blocks are aligned in raster coordinates and summed in a
//! fixed order, is bit-identical however the raster is cut into bands,
//! regions or threads.
//!
//! Along a line ([`line_sums`]), where the prefix and suffix chains would
//! be one long dependency each, sums of `2^k` neighbours are built by
//! doubling (`level_k[i] = level_{k-1}[i] + level_{k-1}[i + 2^(k-1)]`) and
//! a window of `w` is the sum of one level per binary digit of `w`. Every
//! window is summed by the same tree of its own values, whatever its
//! position, so the result is bit-identical for any cut as well; the loops
//! are flat and vectorise.

use crate::carve::Carve;

/// Output positions of [`line_sums`] per chunk: the levels of one chunk
/// stay in the L1 cache.
const CHUNK: usize = 256;

/// Scratch (f64) [`line_sums`] needs for `k` quantities and window `w`
/// (`k * log2(w) * (256 + w)`: below 2^45 for any window of the C ABI's
/// `uint32_t`).
pub fn line_sums_scratch_len(k: usize, w: usize) -> usize {
    k * w.ilog2() as usize * (CHUNK + w - 1)
}

/// Window sums along one line of `K` interleaved quantities:
/// `out[j] = values[j] + ... + values[j + w - 1]` (by doubling, see the
/// module docs).
///
/// `values.len()` must be `out.len() + w - 1`; `levels` is work space of
/// [`line_sums_scratch_len`]`(K, w)`.
#[inline(always)]
pub fn line_sums<const K: usize>(
    values: &[[f64; K]],
    w: usize,
    levels: &mut [f64],
    out: &mut [[f64; K]],
) {
    debug_assert_eq!(values.len(), out.len() + w - 1);
    let top = w.ilog2() as usize;
    let stride = (CHUNK + w - 1) * K;
    let values = values.as_flattened();
    for (chunk, out) in out.as_flattened_mut().chunks_mut(CHUNK * K).enumerate() {
        let start = chunk * CHUNK * K;
        let input = &values[start..start + out.len() + (w - 1) * K];
        // Level k (k >= 1) lives in levels[(k - 1) * stride..]; level 0 is
        // the input itself.
        for k in 1..=top {
            let (lower, upper) = levels.split_at_mut((k - 1) * stride);
            let prev = if k == 1 {
                input
            } else {
                &lower[(k - 2) * stride..]
            };
            let len = input.len() - ((1 << k) - 1) * K;
            let shift = (1 << (k - 1)) * K;
            for ((c, a), b) in upper[..len]
                .iter_mut()
                .zip(&prev[..len])
                .zip(&prev[shift..])
            {
                *c = *a + *b;
            }
        }
        // The window: one level per binary digit of w, highest first, three
        // at a time.
        let level = |k: usize| {
            if k == 0 {
                input
            } else {
                &levels[(k - 1) * stride..]
            }
        };
        let mut terms = [(0, 0); usize::BITS as usize];
        let (mut count, mut offset) = (0, 0);
        for k in (0..=top).rev().filter(|k| w >> k & 1 == 1) {
            terms[count] = (k, offset);
            count += 1;
            offset += (1 << k) * K;
        }
        let n = out.len();
        for (g, group) in terms[..count].chunks(3).enumerate() {
            let part = |i: usize| {
                let (k, offset) = group[i];
                &level(k)[offset..offset + n]
            };
            match (g == 0, group.len()) {
                (true, 1) => out.copy_from_slice(part(0)),
                (true, 2) => {
                    for ((o, a), b) in out.iter_mut().zip(part(0)).zip(part(1)) {
                        *o = *a + *b;
                    }
                }
                (true, _) => {
                    let abc = part(0).iter().zip(part(1)).zip(part(2));
                    for (o, ((a, b), c)) in out.iter_mut().zip(abc) {
                        *o = *a + *b + *c;
                    }
                }
                (false, 1) => {
                    for (o, a) in out.iter_mut().zip(part(0)) {
                        *o += *a;
                    }
                }
                (false, 2) => {
                    for ((o, a), b) in out.iter_mut().zip(part(0)).zip(part(1)) {
                        *o += *a + *b;
                    }
                }
                (false, _) => {
                    let abc = part(0).iter().zip(part(1)).zip(part(2));
                    for (o, ((a, b), c)) in out.iter_mut().zip(abc) {
                        *o += *a + *b + *c;
                    }
                }
            }
        }
    }
}

/// Window sums down the columns of a stream of rows, one output row per
/// call, for consecutive window starts `u`. Rows are flat `row_len` slices
/// (several quantities side by side are just a longer row); each input row
/// is requested once, in increasing order, through the `pull` callback.
pub struct ColumnSums<'a> {
    w: usize,
    row_len: usize,
    /// Suffix sums of block `block`: `w` rows.
    suffix: &'a mut [f64],
    /// Rows of block `block + 1` pulled so far (`pulled` of them).
    pending: &'a mut [f64],
    /// Running sum of the pending rows.
    prefix: &'a mut [f64],
    block: Option<usize>,
    pulled: usize,
}

impl<'a> ColumnSums<'a> {
    /// Takes its buffers (`2 w + 1` rows) from `scratch`.
    pub fn new(w: usize, row_len: usize, scratch: &mut Carve<'a, f64>) -> Self {
        ColumnSums {
            w,
            row_len,
            suffix: scratch.take(w, row_len),
            pending: scratch.take(w, row_len),
            prefix: scratch.take(1, row_len),
            block: None,
            pulled: 0,
        }
    }

    #[inline(always)]
    fn row(buf: &mut [f64], row_len: usize, i: usize) -> &mut [f64] {
        &mut buf[i * row_len..(i + 1) * row_len]
    }

    /// Writes into `out` the sums of rows `u .. u + w`. Successive calls must
    /// pass consecutive `u`. `pull(v, row)` must fill `row` with row `v`.
    #[inline(always)]
    pub fn next(&mut self, u: usize, mut pull: impl FnMut(usize, &mut [f64]), out: &mut [f64]) {
        let (w, len) = (self.w, self.row_len);
        let (block, i) = (u / w, u % w);
        if self.block != Some(block) {
            // The pending rows are the head of this block when it follows
            // the previous one; pull the rest and turn them into suffix sums.
            let have = if self.block.map(|b| b + 1) == Some(block) {
                self.pulled
            } else {
                0
            };
            for s in i.max(have)..w {
                pull(block * w + s, Self::row(self.pending, len, s));
            }
            for s in (i..w - 1).rev() {
                let (head, tail) = self.pending.split_at_mut((s + 1) * len);
                for (a, b) in head[s * len..].iter_mut().zip(&tail[..len]) {
                    *a += *b;
                }
            }
            std::mem::swap(&mut self.suffix, &mut self.pending);
            self.block = Some(block);
            self.pulled = 0;
        }
        let suffix = &self.suffix[i * len..(i + 1) * len];
        if i == 0 {
            out.copy_from_slice(suffix);
            return;
        }
        // The window's head in the next block: rows (block+1)*w .. u+w-1.
        // The last row it needs is added in the same loop that writes `out`.
        while self.pulled < i {
            let s = self.pulled;
            let row = Self::row(self.pending, len, s);
            pull((block + 1) * w + s, row);
            self.pulled += 1;
            let prefix = self.prefix.iter_mut().zip(row.iter());
            if self.pulled < i {
                for (p, v) in prefix {
                    *p = if s == 0 { *v } else { *p + *v };
                }
                continue;
            }
            for ((o, s1), (p, v)) in out.iter_mut().zip(suffix).zip(prefix) {
                *p = if s == 0 { *v } else { *p + *v };
                *o = *s1 + *p;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn direct(values: &[f64], w: usize) -> Vec<f64> {
        values.windows(w).map(|s| s.iter().sum()).collect()
    }

    #[test]
    fn line_sums_match_direct_sums() {
        let values: Vec<f64> = (0..700).map(|i| ((i * 7919) % 23) as f64).collect();
        for w in [3, 5, 7, 9, 15, 31, 33, 255, 257, 301] {
            for len in [w, w + 1, w + 200, 700] {
                let n = len - w + 1;
                let v: Vec<[f64; 2]> = values[..len].iter().map(|&x| [x, -x]).collect();
                let mut levels = vec![0.0; line_sums_scratch_len(2, w)];
                let mut out = vec![[0.0; 2]; n];
                line_sums(&v, w, &mut levels, &mut out);
                let want = direct(&values[..len], w);
                let got: Vec<f64> = out.iter().map(|o| o[0]).collect();
                assert_eq!(got, want, "w={w} len={len}");
                assert!(out.iter().all(|o| o[1] == -o[0]), "w={w} len={len}");
            }
        }
    }

    #[test]
    fn column_sums_match_direct_sums_from_any_start() {
        let rows: Vec<f64> = (0..60).map(|i| ((i * 104729) % 31) as f64).collect();
        for w in [3, 5, 7] {
            for start in 0..2 * w {
                let mut scratch = vec![0.0; 2 * w + 1];
                let mut cs = ColumnSums::new(w, 1, &mut Carve::new(&mut scratch));
                let mut last = None;
                for u in start..rows.len() - w + 1 {
                    let mut out = [0.0];
                    cs.next(
                        u,
                        |v, row| {
                            assert!(last.is_none_or(|l| v > l), "rows pulled in order");
                            last = Some(v);
                            row[0] = rows[v];
                        },
                        &mut out,
                    );
                    assert_eq!(out[0], rows[u..u + w].iter().sum::<f64>(), "w={w} u={u}");
                }
            }
        }
    }
}
