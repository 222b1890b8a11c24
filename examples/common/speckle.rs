//! Speckle for the example programs' synthetic scenes (included by
//! `#[path]`; not an example of its own).

/// A small, deterministic generator (xorshift64*), enough for speckle.
pub struct Rng(pub u64);

impl Rng {
    /// Uniform in (0, 1).
    pub fn uniform(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        ((self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    /// Gamma(looks, 1/looks) for integer looks: the mean of `looks`
    /// unit exponentials, which is fully developed intensity speckle.
    pub fn speckle(&mut self, looks: u32) -> f64 {
        (0..looks).map(|_| -self.uniform().ln()).sum::<f64>() / f64::from(looks)
    }
}
