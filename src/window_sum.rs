//! Sliding-window sums whose rounding depends only on the pixels of the
//! window (SPEC.md, "Accuracy").
//!
//! Window start positions `u` are cut into blocks of `w` consecutive
//! positions, aligned on multiples of `w` in *raster* coordinates. The window
//! `[u, u + w)` then covers the tail of one block and the head of the next:
//!
//! ```text
//! sum(u) = suffix(u)                       if u is a block start
//!        = suffix(u) + prefix(u + w - 1)   otherwise
//! ```
//!
//! where `suffix(u)` sums from `u` to the end of its block and `prefix(v)`
//! from the start of its block to `v`. Each partial sum adds at most `w`
//! values, so the result carries the rounding error of a direct window sum,
//! costs O(1) per position whatever `w` is, and, since blocks are aligned in
//! raster coordinates and summed in a fixed order, is bit-identical however
//! the raster is cut into bands, regions or threads.

use std::ops::Range;

/// Cuts `0..len` into the pieces that lie in one block each, for a run whose
/// index 0 is raster position `u0`.
#[inline(always)]
fn blocks(u0: usize, w: usize, len: usize) -> impl Iterator<Item = Range<usize>> {
    let first = (w - u0 % w) % w;
    let head = (first > 0).then_some(0..first.min(len));
    let tail = (first..len).step_by(w).map(
        #[inline(always)]
        move |s| s..(s + w).min(len),
    );
    head.into_iter().chain(tail)
}

/// Window sums along one line of `K` interleaved quantities:
/// `out[j] = values[j] + ... + values[j + w - 1]` (block-wise, see the module
/// docs), where `values[0]` is the first value of the window that starts at
/// raster position `u0`.
///
/// `values.len()` must be `out.len() + w - 1`; `suffix` and `prefix` are
/// work space of at least `values.len()`.
#[inline(always)]
pub fn line_sums<const K: usize>(
    values: &[[f64; K]],
    u0: usize,
    w: usize,
    suffix: &mut [[f64; K]],
    prefix: &mut [[f64; K]],
    out: &mut [[f64; K]],
) {
    let len = values.len();
    debug_assert_eq!(len, out.len() + w - 1);
    let (suffix, prefix) = (&mut suffix[..len], &mut prefix[..len]);
    for block in blocks(u0, w, len) {
        let (v, s, p) = (
            &values[block.clone()],
            &mut suffix[block.clone()],
            &mut prefix[block],
        );
        let last = v.len() - 1;
        s[last] = v[last];
        p[0] = v[0];
        // The backward and forward chains are independent: running them in
        // one loop keeps 2K additions in flight.
        for i in 1..v.len() {
            let b = last - i;
            for q in 0..K {
                s[b][q] = v[b][q] + s[b + 1][q];
                p[i][q] = p[i - 1][q] + v[i][q];
            }
        }
    }
    for run in blocks(u0, w, out.len()) {
        let mut j = run.start;
        if (u0 + j).is_multiple_of(w) {
            out[j] = suffix[j];
            j += 1;
        }
        for ((o, s), p) in out[j..run.end]
            .iter_mut()
            .zip(&suffix[j..run.end])
            .zip(&prefix[j + w - 1..run.end + w - 1])
        {
            for q in 0..K {
                o[q] = s[q] + p[q];
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
    /// Scratch length (in f64) for windows of `w` rows of `row_len` values.
    pub fn scratch_len(w: usize, row_len: usize) -> usize {
        (2 * w + 1) * row_len
    }

    /// Takes its buffers from the front of `scratch`, returns the rest.
    pub fn new(w: usize, row_len: usize, scratch: &'a mut [f64]) -> (Self, &'a mut [f64]) {
        let (suffix, rest) = scratch.split_at_mut(w * row_len);
        let (pending, rest) = rest.split_at_mut(w * row_len);
        let (prefix, rest) = rest.split_at_mut(row_len);
        (
            ColumnSums {
                w,
                row_len,
                suffix,
                pending,
                prefix,
                block: None,
                pulled: 0,
            },
            rest,
        )
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
        while self.pulled < i {
            let s = self.pulled;
            let row = Self::row(self.pending, len, s);
            pull((block + 1) * w + s, row);
            if s == 0 {
                self.prefix.copy_from_slice(row);
            } else {
                for (p, v) in self.prefix.iter_mut().zip(row.iter()) {
                    *p += *v;
                }
            }
            self.pulled += 1;
        }
        for ((o, s), p) in out.iter_mut().zip(suffix).zip(self.prefix.iter()) {
            *o = *s + *p;
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
    fn line_sums_match_direct_sums_for_any_alignment() {
        let values: Vec<f64> = (0..40).map(|i| ((i * 7919) % 23) as f64).collect();
        for w in [3, 5, 7, 9] {
            for u0 in 0..2 * w {
                let n = values.len() - w + 1;
                let v: Vec<[f64; 1]> = values.iter().map(|&x| [x]).collect();
                let (mut s, mut p, mut out) = (vec![[0.0]; 40], vec![[0.0]; 40], vec![[0.0]; n]);
                line_sums(&v, u0, w, &mut s, &mut p, &mut out);
                let out: Vec<f64> = out.iter().map(|o| o[0]).collect();
                assert_eq!(out, direct(&values, w), "w={w} u0={u0}");
            }
        }
    }

    #[test]
    fn column_sums_match_direct_sums_from_any_start() {
        let rows: Vec<f64> = (0..60).map(|i| ((i * 104729) % 31) as f64).collect();
        for w in [3, 5, 7] {
            for start in 0..2 * w {
                let mut scratch = vec![0.0; ColumnSums::scratch_len(w, 1)];
                let (mut cs, _) = ColumnSums::new(w, 1, &mut scratch);
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
