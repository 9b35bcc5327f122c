//! A small seeded PRNG: SplitMix64.
//!
//! Our own rather than a crate's because the corpus must be byte-identical on every platform and
//! every future version: SplitMix64 is a dozen lines of wrapping `u64` arithmetic (Steele, Lea and
//! Flood, "Fast splittable pseudorandom number generators", OOPSLA 2014), with no floating point
//! and no version drift to track.

/// SplitMix64 generator. Passes BigCrush; plenty for shaping text.
#[derive(Debug, Clone)]
pub struct Rng(u64);

const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

/// The SplitMix64 output function, also used to derive independent streams.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// An independent generator for sub-stream `stream` (an article index, say), so each
    /// article's text depends only on the seed and its index, not on generation order.
    pub fn stream(seed: u64, stream: u64) -> Rng {
        Rng(mix(seed ^ mix(stream.wrapping_add(GOLDEN))))
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(GOLDEN);
        mix(self.0)
    }

    /// Uniform in `0..n` (Lemire's multiply-shift; the bias is below 2^-40 for our small `n`).
    /// Returns 0 when `n` is 0.
    pub fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below((hi.saturating_sub(lo) + 1) as u64) as usize
    }

    /// True with probability `num / den`.
    pub fn chance(&mut self, num: u64, den: u64) -> bool {
        self.below(den) < num
    }

    /// One element of a non-empty slice.
    pub fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len() as u64) as usize]
    }

    /// Put `xs` in a random order (Fisher-Yates): each order equally likely, the same one for
    /// the same generator.
    pub fn shuffle<T>(&mut self, xs: &mut [T]) {
        for i in (1..xs.len()).rev() {
            let j = self.below(i as u64 + 1) as usize;
            xs.swap(i, j);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A shuffle is a permutation, the same for the same stream, and over streams every
    /// element comes first: the benchmark's rounds take the query kinds this way, so that no
    /// kind always follows the same one.
    #[test]
    fn shuffles_are_permutations_that_vary_by_stream() {
        let order = |stream: u64| {
            let mut o: Vec<usize> = (0..6).collect();
            Rng::stream(42, stream).shuffle(&mut o);
            o
        };
        let mut firsts = std::collections::HashSet::new();
        for stream in 0..50 {
            let o = order(stream);
            assert_eq!(o, order(stream));
            let mut sorted = o.clone();
            sorted.sort();
            assert_eq!(sorted, (0..6).collect::<Vec<_>>());
            firsts.insert(o[0]);
        }
        assert_eq!(firsts.len(), 6, "every element comes first for some stream");
    }

    #[test]
    fn known_sequence() {
        // Reference values of SplitMix64 seeded with 1234567 (from the paper's C code): pins the
        // generator so the corpus never changes by accident.
        let mut r = Rng::new(1234567);
        assert_eq!(r.next_u64(), 6457827717110365317);
        assert_eq!(r.next_u64(), 3203168211198807973);
    }

    #[test]
    fn below_stays_in_range() {
        let mut r = Rng::new(7);
        assert!((0..10_000).all(|_| r.below(13) < 13));
        assert_eq!(r.below(0), 0);
    }
}
