//! Border rules: which image pixel a window position outside the image
//! stands for (SPEC.md, "border"). Padding for radii larger than the image
//! repeats as `numpy.pad` does, which is the periodic extension below.

use crate::params::Border;

impl Border {
    /// The image index (in `0..len`) that padded index `i` maps to, or
    /// `None` when the position contributes nothing (`Shrink` outside).
    #[inline]
    pub fn map(self, i: isize, len: usize) -> Option<usize> {
        let n = len as isize;
        if (0..n).contains(&i) {
            return Some(i as usize);
        }
        let j = match self {
            Border::Shrink => return None,
            Border::Nearest => i.clamp(0, n - 1),
            // numpy 'symmetric': period 2n, d c b a | a b c d | d c b a
            Border::Reflect => {
                let k = i.rem_euclid(2 * n);
                if k < n {
                    k
                } else {
                    2 * n - 1 - k
                }
            }
            // numpy 'reflect': period 2n-2, d c b | a b c d | c b a
            Border::Mirror if n == 1 => 0,
            Border::Mirror => {
                let k = i.rem_euclid(2 * n - 2);
                if k < n {
                    k
                } else {
                    2 * n - 2 - k
                }
            }
        };
        Some(j as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pad(b: Border, len: usize, r: isize) -> Vec<Option<usize>> {
        (-r..len as isize + r).map(|i| b.map(i, len)).collect()
    }

    #[test]
    fn matches_numpy_pad() {
        let s = |v: &[usize]| v.iter().map(|&x| Some(x)).collect::<Vec<_>>();
        // np.pad(np.arange(3), 8, 'symmetric')
        assert_eq!(
            pad(Border::Reflect, 3, 8),
            s(&[1, 0, 0, 1, 2, 2, 1, 0, 0, 1, 2, 2, 1, 0, 0, 1, 2, 2, 1])
        );
        // np.pad(np.arange(3), 8, 'reflect')
        assert_eq!(
            pad(Border::Mirror, 3, 8),
            s(&[0, 1, 2, 1, 0, 1, 2, 1, 0, 1, 2, 1, 0, 1, 2, 1, 0, 1, 2])
        );
        assert_eq!(pad(Border::Mirror, 1, 3), s(&[0; 7]));
        assert_eq!(pad(Border::Nearest, 2, 2), s(&[0, 0, 0, 1, 1, 1]));
        assert_eq!(
            pad(Border::Shrink, 2, 1),
            vec![None, Some(0), Some(1), None]
        );
    }
}
