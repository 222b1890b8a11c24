//! One layout for the scratch: the code that carves a call's buffers off
//! its scratch is the code that sizes it.
//!
//! Each user of scratch (a stage of window sums, the window rows, a tile,
//! an in-place band) has one constructor that takes its buffers from a
//! [`Carve`]. Run on a slice, it hands out the buffers; run on
//! [`Carve::measure`], it hands out empty ones and adds up what it would
//! have taken, with overflow checked. So the size a call asks for and the
//! buffers it slices cannot drift apart.

/// Takes buffers off the front of a scratch slice, or, when measuring, only
/// adds up their lengths.
pub struct Carve<'a, T> {
    rest: &'a mut [T],
    /// Elements taken so far; `None` after an overflow.
    taken: Option<usize>,
    measuring: bool,
}

impl<T> Carve<'static, T> {
    /// A carve that slices nothing and measures what its user takes.
    pub fn measure() -> Self {
        Carve {
            rest: &mut [],
            taken: Some(0),
            measuring: true,
        }
    }
}

impl<'a, T> Carve<'a, T> {
    /// Buffers from the front of `scratch`, which must be at least the
    /// length the same user measured.
    pub fn new(scratch: &'a mut [T]) -> Self {
        Carve {
            rest: scratch,
            taken: Some(0),
            measuring: false,
        }
    }

    /// The next `rows * len` elements (empty when measuring).
    ///
    /// # Panics
    /// When slicing a scratch shorter than the measured length, which the
    /// callers rule out by sizing with [`Carve::measure`].
    pub fn take(&mut self, rows: usize, len: usize) -> &'a mut [T] {
        let n = rows.checked_mul(len);
        self.taken = self.taken.zip(n).and_then(|(t, n)| t.checked_add(n));
        if self.measuring {
            return &mut [];
        }
        let n = n.expect("the length was measured");
        let (head, rest) = std::mem::take(&mut self.rest).split_at_mut(n);
        self.rest = rest;
        head
    }

    /// The next `n` groups of `K` elements.
    pub fn take_chunks<const K: usize>(&mut self, n: usize) -> &'a mut [[T; K]] {
        self.take(n, K).as_chunks_mut::<K>().0
    }

    /// Elements taken so far; `None` when the total overflows `usize`.
    pub fn taken(&self) -> Option<usize> {
        self.taken
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slices_what_it_measures() {
        let layout = |c: &mut Carve<f64>| {
            let a = c.take(2, 3);
            let b = c.take_chunks::<2>(4);
            (a.len(), b.len())
        };
        let mut m = Carve::measure();
        assert_eq!(layout(&mut m), (0, 0));
        assert_eq!(m.taken(), Some(14));
        let mut buf = vec![0.0; 15];
        let mut c = Carve::new(&mut buf);
        assert_eq!(layout(&mut c), (6, 4));
        assert_eq!(c.taken(), Some(14));
    }

    #[test]
    fn overflow_is_reported_not_wrapped() {
        let mut m = Carve::<f32>::measure();
        m.take(usize::MAX, 2);
        assert_eq!(m.taken(), None);
        let mut m = Carve::<f32>::measure();
        m.take(usize::MAX, 1);
        m.take(1, 1);
        assert_eq!(m.taken(), None);
    }
}
