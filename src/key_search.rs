//! The `k`-th smallest of many 32-bit keys, exact and in bounded memory,
//! whatever pieces they are counted in: two counting passes, the first over
//! the keys' upper 16 bits, the second over the lower 16 bits of the keys
//! in the bin that holds rank `k`. Counts add up, so pieces of a raster
//! (strips, tiles, chunks, in any order) are counted into one table of
//! [`BINS`] entries. Lee Sigma's point threshold ([`crate::ThresholdSearch`])
//! and the looks estimate ([`crate::LooksSearch`]) are such searches.

use crate::Error;

/// Entries of a count table.
pub const BINS: usize = 1 << 16;

/// Where a search stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct KeySearch {
    /// 0: counting the upper halves; 1: the lower halves of bin `prefix`;
    /// 2: found (the key is `key`, or there was none to count).
    pub pass: u32,
    /// The upper 16 bits of the sought key, from the first pass on.
    pub prefix: u32,
    /// The rank sought among the keys the current pass counts (1-based;
    /// 0 once found when nothing was counted).
    pub rank: u64,
    /// The sought key, once found.
    pub key: u32,
}

impl KeySearch {
    /// The table entry that `key` counts in during the current pass, if
    /// any.
    pub fn bin(&self, key: u32) -> Option<usize> {
        match self.pass {
            0 => Some((key >> 16) as usize),
            1 if key >> 16 == self.prefix => Some((key & 0xffff) as usize),
            _ => None,
        }
    }

    /// Whether the key has been found (or nothing was counted).
    pub fn found(&self) -> bool {
        self.pass == 2
    }

    /// Ends a pass with the whole table. `rank_of(n)` is the rank sought
    /// among the `n > 0` keys the first pass counted; `mismatch` is the
    /// error for a table that does not fit the search (the passes did not
    /// count the same keys, or the search is over).
    pub fn step(
        &mut self,
        counts: &[u64],
        rank_of: impl FnOnce(u64) -> u64,
        mismatch: Error,
    ) -> Result<(), Error> {
        if counts.len() != BINS {
            return Err(Error::BufferTooSmall);
        }
        match self.pass {
            0 => {
                let n: u64 = counts.iter().sum();
                if n == 0 {
                    *self = KeySearch {
                        pass: 2,
                        ..KeySearch::default()
                    };
                    return Ok(());
                }
                let k = rank_of(n).clamp(1, n);
                let (bin, before) = find(counts, k).ok_or(mismatch)?;
                *self = KeySearch {
                    pass: 1,
                    prefix: bin as u32,
                    rank: k - before,
                    key: 0,
                };
            }
            1 => {
                let (bin, _) = find(counts, self.rank).ok_or(mismatch)?;
                self.key = self.prefix << 16 | bin as u32;
                self.pass = 2;
            }
            _ => return Err(mismatch),
        }
        Ok(())
    }
}

/// The bin holding the `k`-th counted key (1-based), and how many keys
/// the bins before it hold; `None` when there are fewer than `k`.
fn find(counts: &[u64], k: u64) -> Option<(usize, u64)> {
    let mut before = 0u64;
    for (bin, &c) in counts.iter().enumerate() {
        if before + c >= k {
            return Some((bin, before));
        }
        before += c;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_rank_of_a_sort_in_two_passes() {
        let keys: Vec<u32> = (0..5000u32)
            .map(|i| i.wrapping_mul(2_654_435_761))
            .collect();
        let mut sorted = keys.clone();
        sorted.sort_unstable();
        for k in [1u64, 17, 2500, 5000] {
            let mut s = KeySearch::default();
            while !s.found() {
                let mut counts = vec![0u64; BINS];
                for &key in &keys {
                    if let Some(b) = s.bin(key) {
                        counts[b] += 1;
                    }
                }
                s.step(&counts, |_| k, Error::Internal).unwrap();
            }
            assert_eq!(s.key, sorted[k as usize - 1]);
        }
        let mut s = KeySearch::default();
        let mut first = vec![0u64; BINS];
        first[9] = 4;
        s.step(&first, |n| n, Error::Internal).unwrap();
        assert_eq!(
            s.step(&vec![0u64; BINS], |n| n, Error::Internal),
            Err(Error::Internal)
        );
    }
}
