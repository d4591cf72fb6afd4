//! How the lookup examples make a key of each type from a random `u64`: the report's plain
//! table (`report/plain.rs`) and its instruction-counting twin (`profile_plain.rs`) make
//! them alike, so that a count and a timing are of the same keys.

use std::hash::Hash;

/// A key type made from a random `u64`.
pub trait RandomKey: Hash + Eq + Clone {
    fn from_random(x: u64) -> Self;

    /// Whether `stored` is the very object `sought`, as an interpreter's identity test
    /// (`is`) sees it: the identity-first lookups (`get_with_identity`) ask it first.
    fn is_same(stored: &Self, sought: &Self) -> bool;
}

impl RandomKey for u64 {
    fn from_random(x: u64) -> u64 {
        x
    }

    /// A plain integer is its own identity, as a tagged small integer or an object handle
    /// is in an interpreter: every hit is found by identity.
    fn is_same(stored: &u64, sought: &u64) -> bool {
        stored == sought
    }
}

impl RandomKey for String {
    /// Identifier-like: 6 to 13 characters. It keeps only some of `x`'s bits, so a few keys
    /// in 100,000 repeat.
    fn from_random(x: u64) -> String {
        format!("k{:x}", x >> (8 + (x % 5) * 8))
    }

    /// The same buffer (the keys are never empty, whose buffers all share one address).
    /// The lookups look up copies of the stored strings, so this is never true of them:
    /// every hit is found by equality, as for a string that is not interned.
    fn is_same(stored: &String, sought: &String) -> bool {
        stored.as_ptr() == sought.as_ptr()
    }
}
