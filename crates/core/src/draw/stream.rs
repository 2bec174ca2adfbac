//! The random stream of spec §3: the ChaCha20 keystream (RFC 8439) with key = seed, a nonce
//! of 12 zero bytes and the block counter from 0, consumed in order, never skipped or reused.

use chacha20::ChaCha20;
use chacha20::cipher::{KeyIvInit, StreamCipher};

/// The draw's random stream.
pub struct Stream {
    cipher: ChaCha20,
}

impl Stream {
    /// Starts the stream for `seed`.
    pub fn new(seed: &[u8; 32]) -> Self {
        Self { cipher: ChaCha20::new(seed.into(), &[0u8; 12].into()) }
    }

    /// The next 8 keystream bytes as a little-endian u64.
    pub fn next_u64(&mut self) -> u64 {
        let mut buf = [0u8; 8];
        self.cipher.apply_keystream(&mut buf);
        u64::from_le_bytes(buf)
    }

    /// A uniform integer in `0..n` by rejection sampling (`n ≥ 1`): values at or above the
    /// largest multiple of `n` below 2^64 are drawn again, so no value is favoured.
    pub fn uniform(&mut self, n: u64) -> u64 {
        assert!(n >= 1, "uniform(0) is undefined");
        let zone: u128 = (1u128 << 64) - ((1u128 << 64) % u128::from(n));
        loop {
            let x = self.next_u64();
            if u128::from(x) < zone {
                return x % n;
            }
        }
    }

    /// Partial Fisher–Yates: places a uniformly drawn `k`-prefix at the front of `a`.
    pub fn shuffle_prefix<T>(&mut self, a: &mut [T], k: usize) {
        for i in 0..k {
            let j = i + self.uniform((a.len() - i) as u64) as usize;
            a.swap(i, j);
        }
    }

    /// A full shuffle: `shuffle_prefix(a, len − 1)`; no draw at all when `len ≤ 1`.
    pub fn shuffle<T>(&mut self, a: &mut [T]) {
        if a.len() > 1 {
            let k = a.len() - 1;
            self.shuffle_prefix(a, k);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stream_matches_the_spec_vector() {
        let seed: [u8; 32] = hex::decode("704b4f29671616340175bd0447df44b9fef59e5a49bab92174cb6b307e6691c4")
            .unwrap()
            .try_into()
            .unwrap();
        let mut s = Stream::new(&seed);
        assert_eq!(
            [s.next_u64(), s.next_u64(), s.next_u64()],
            [10608360779800711367, 10225886575279965921, 17482437746364160136]
        );
    }

    #[test]
    fn uniform_of_one_consumes_a_value_and_returns_zero() {
        let mut a = Stream::new(&[7; 32]);
        let mut b = Stream::new(&[7; 32]);
        assert_eq!(a.uniform(1), 0);
        b.next_u64();
        assert_eq!(a.next_u64(), b.next_u64());
    }

    #[test]
    fn uniform_stays_in_range() {
        let mut s = Stream::new(&[1; 32]);
        for n in [1u64, 2, 3, 7, 1000, u64::MAX] {
            for _ in 0..100 {
                assert!(s.uniform(n) < n);
            }
        }
    }
}
