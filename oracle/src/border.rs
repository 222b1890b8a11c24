//! SPEC's border rules ("border"), as numpy.pad extends an axis.

/// How a window position outside the image is filled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Border {
    /// `d c b a | a b c d | d c b a` (numpy `symmetric`).
    Reflect,
    /// `d c b | a b c d | c b a` (numpy `reflect`).
    Mirror,
    /// `a a a | a b c d | d d d` (numpy `edge`).
    Nearest,
    /// No pixel: the window shrinks at the edge.
    Shrink,
}

/// The image index that padded index `i` of an axis of `n` pixels stands
/// for (numpy.pad semantics, repeated for pads wider than the image), by
/// reflecting until inside; `None` under `Shrink` outside the image.
pub fn map(border: Border, mut i: isize, n: usize) -> Option<usize> {
    let n = n as isize;
    match border {
        Border::Shrink => (0..n).contains(&i).then_some(i as usize),
        Border::Nearest => Some(i.clamp(0, n - 1) as usize),
        Border::Reflect => {
            while !(0..n).contains(&i) {
                i = if i < 0 { -1 - i } else { 2 * n - 1 - i };
            }
            Some(i as usize)
        }
        Border::Mirror => {
            if n == 1 {
                return Some(0);
            }
            while !(0..n).contains(&i) {
                i = if i < 0 { -i } else { 2 * (n - 1) - i };
            }
            Some(i as usize)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn borders_match_numpy_pad() {
        let pad = |b, n: usize, r: isize| {
            (-r..n as isize + r)
                .map(|i| map(b, i, n).unwrap())
                .collect::<Vec<_>>()
        };
        // np.pad(np.arange(3), 8, 'symmetric')
        assert_eq!(
            pad(Border::Reflect, 3, 8),
            [1, 0, 0, 1, 2, 2, 1, 0, 0, 1, 2, 2, 1, 0, 0, 1, 2, 2, 1]
        );
        // np.pad(np.arange(3), 8, 'reflect')
        assert_eq!(
            pad(Border::Mirror, 3, 8),
            [0, 1, 2, 1, 0, 1, 2, 1, 0, 1, 2, 1, 0, 1, 2, 1, 0, 1, 2]
        );
        assert_eq!(pad(Border::Mirror, 1, 3), [0; 7]);
        assert_eq!(pad(Border::Reflect, 1, 3), [0; 7]);
        assert_eq!(pad(Border::Nearest, 2, 2), [0, 0, 0, 1, 1, 1]);
        assert_eq!(map(Border::Shrink, -1, 2), None);
    }
}
