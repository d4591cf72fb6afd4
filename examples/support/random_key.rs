//! How the lookup examples make a key of each type from a random `u64`: the report's plain
//! table (`report/plain.rs`) and its instruction-counting twin (`profile_plain.rs`) make
//! them alike, so that a count and a timing are of the same keys.

use std::hash::Hash;

/// A key type made from a random `u64`.
pub trait RandomKey: Hash + Eq + Clone {
    fn from_random(x: u64) -> Self;
}

impl RandomKey for u64 {
    fn from_random(x: u64) -> u64 {
        x
    }
}

impl RandomKey for String {
    /// Identifier-like: 6 to 13 characters. It keeps only some of `x`'s bits, so a few keys
    /// in 100,000 repeat.
    fn from_random(x: u64) -> String {
        format!("k{:x}", x >> (8 + (x % 5) * 8))
    }
}
