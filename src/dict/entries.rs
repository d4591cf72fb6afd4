//! The dense half of the dict: entries `(hash, key, value)` in insertion order.
//!
//! The entries array only ever grows at its end, so its order is the insertion order. A deleted
//! entry becomes a *hole* (`None`) that keeps everyone else's slot where it was; the next rebuild
//! squeezes the holes out. An entry keeps the hash of its key, so a rebuild never calls `Hash`
//! again, and a lookup compares hashes before it calls `Eq`.
//!
//! The stored hash is never zero (a key hashing to 0 is stored as 1; see [`StoredHash`]). That
//! spare value is Rust's niche: `Option<Bucket<u64, u64>>` takes 24 bytes, like CPython's
//! `(hash, key, value)` triple, instead of 32 for a separate "is this a hole" flag.

use std::num::NonZeroU64;

/// A key's hash as the table stores and compares it: the hasher's 64 bits, with 0 mapped to 1.
///
/// Equal keys still get equal stored hashes, which is all probing and comparing need; the
/// probe starts from the stored hash, so the table is laid out by it alone.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct StoredHash(NonZeroU64);

impl StoredHash {
    /// The stored form of the hasher's output `raw`.
    #[inline(always)]
    pub(crate) fn new(raw: u64) -> StoredHash {
        StoredHash(NonZeroU64::new(raw).unwrap_or(NonZeroU64::MIN))
    }

    /// The bits the probe sequence starts from.
    #[inline(always)]
    pub(crate) fn get(self) -> u64 {
        self.0.get()
    }
}

/// One live entry: what CPython calls a `PyDictKeyEntry`.
#[derive(Clone, Debug)]
pub(crate) struct Bucket<K, V> {
    pub(crate) hash: StoredHash,
    pub(crate) key: K,
    pub(crate) value: V,
}

/// One position of the entries array: a live entry, or a hole left by a deletion.
pub(crate) type EntrySlot<K, V> = Option<Bucket<K, V>>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hole_costs_no_extra_space() {
        assert_eq!(std::mem::size_of::<EntrySlot<u64, u64>>(), 24);
        assert_eq!(std::mem::size_of::<EntrySlot<String, u64>>(), 40);
    }

    #[test]
    fn zero_hash_is_stored_as_one_and_others_unchanged() {
        assert_eq!(StoredHash::new(0).get(), 1);
        assert_eq!(StoredHash::new(1).get(), 1);
        assert_eq!(StoredHash::new(u64::MAX).get(), u64::MAX);
    }
}
