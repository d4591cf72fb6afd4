//! The dense half of the dict: entries `(hash, key, value)` in insertion order (laid out
//! value first: see [`Bucket`]).
//!
//! The entries array only ever grows at its end, so its order is the insertion order. A deleted
//! entry becomes a *hole* (`None`) that keeps everyone else's slot where it was; a later squeeze
//! removes the holes. An entry keeps the hash of its key, so the index re-hashes a slot without
//! calling `Hash`, and a lookup compares hashes before it calls `Eq`.
//!
//! The stored hash is never zero (bit 56 of every stored hash is set; see [`StoredHash`]). That
//! spare value is Rust's niche: `Option<Bucket<u64, u64>>` takes 24 bytes, like CPython's
//! `(hash, key, value)` triple, instead of 32 for a separate "is this a hole" flag.

use std::num::NonZeroU64;

/// A key's hash as the table stores and compares it: the hasher's 64 bits with bit 56 set, so
/// that it is never 0.
///
/// Equal keys still get equal stored hashes, which is all probing and comparing need; two
/// hashes that differ only in bit 56 get equal stored hashes too, so their keys are compared
/// (a false match the key compare rejects, as it rejects two keys of one hash). Setting the
/// bit is one `or`; the mapping it replaced (0 to `1 << 56`, every other hash as it was) was a
/// test and a select, on every insert and every lookup that compares stored hashes (callgrind,
/// 1,000 u64 keys: reserved insert 117.5 -> 116.5 instructions, overwrite 85.7 -> 83.4, and in
/// a caller's loop `get_with` small enough to inline where the closure's error type is
/// uninhabited: 57.1 -> 40.1 a hit). Bit 56
/// is one no probe reads: hashbrown starts a probe at the hash's low bits (fewer than 56 of
/// them: no table has 2^56 buckets) and keeps its top 7 bits (57 to 63; on a 32-bit target it
/// keeps only the low 32 bits), so a hash and its stored form probe the same buckets for the
/// same control byte. A lookup therefore probes with the hasher's output as it is
/// ([`SoughtHash`]) and makes the stored form only to compare it with entries' stored hashes,
/// which the lookup of a plain-word key never does.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct StoredHash(NonZeroU64);

/// The bit every stored hash has set: see [`StoredHash`].
const STORED_BIT: NonZeroU64 = match NonZeroU64::new(1 << 56) {
    Some(bit) => bit,
    None => unreachable!(),
};

impl StoredHash {
    /// The stored form of the hasher's output `raw`.
    #[inline(always)]
    pub(crate) fn new(raw: u64) -> StoredHash {
        StoredHash(STORED_BIT | raw)
    }

    /// The bits the probe sequence starts from.
    #[inline(always)]
    pub(crate) fn get(self) -> u64 {
        self.0.get()
    }
}

/// The hash of a key being looked up, as the hasher gave it (0 included): it probes the
/// buckets its [`StoredHash`] would, and gives that stored form for comparing.
#[derive(Clone, Copy, Debug)]
pub(crate) struct SoughtHash(u64);

impl SoughtHash {
    /// The hash of the key sought, the hasher's output `raw`.
    #[inline(always)]
    pub(crate) fn new(raw: u64) -> SoughtHash {
        SoughtHash(raw)
    }

    /// The bits to probe with.
    #[inline(always)]
    pub(crate) fn probe(self) -> u64 {
        self.0
    }

    /// The stored hash an entry of the key sought has.
    #[inline(always)]
    pub(crate) fn stored(self) -> StoredHash {
        StoredHash::new(self.0)
    }
}

impl From<StoredHash> for SoughtHash {
    #[inline(always)]
    fn from(hash: StoredHash) -> SoughtHash {
        SoughtHash(hash.get())
    }
}

/// One live entry: what CPython calls a `PyDictKeyEntry`.
///
/// The value comes first, so that a reference to an entry is a reference to its value: a
/// lookup's `Option<&Bucket>` becomes the `Option<&V>` that `get` returns with no work, where
/// a value at an offset costs a select that keeps `None` null (callgrind, u64 keys: 65.1 ->
/// 60.0 instructions per hit at 16 keys, 61.2 -> 58.4 at 1,000; misses 75.7 -> 70.6 and
/// 69.0 -> 66.2). `repr(C)` fixes that order; the hash goes last, so the key and value pack
/// as the compiler would have packed them (their size is rounded up to the hash's 8 bytes
/// either way), and `Option<Bucket>` still uses the hash's niche.
#[derive(Clone, Debug)]
#[repr(C)]
pub(crate) struct Bucket<K, V> {
    pub(crate) value: V,
    pub(crate) key: K,
    pub(crate) hash: StoredHash,
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
    fn the_fixed_field_order_packs_small_keys_and_values() {
        // What the compiler's own order gives: key and value share the word after the hash.
        assert_eq!(std::mem::size_of::<EntrySlot<u32, u32>>(), 16);
        assert_eq!(std::mem::size_of::<EntrySlot<u8, u16>>(), 16);
        assert_eq!(std::mem::size_of::<EntrySlot<u64, u8>>(), 24);
        assert_eq!(std::mem::size_of::<EntrySlot<u8, u64>>(), 24);
        assert_eq!(std::mem::size_of::<EntrySlot<u32, ()>>(), 16);
    }

    #[test]
    fn an_entry_reference_is_a_reference_to_its_value() {
        let bucket = Bucket {
            value: 7u32,
            key: 1u64,
            hash: StoredHash::new(5),
        };
        assert_eq!(
            &bucket as *const Bucket<u64, u32> as usize,
            &bucket.value as *const u32 as usize
        );
    }

    #[test]
    fn a_stored_hash_is_the_hash_with_bit_56_set() {
        assert_eq!(StoredHash::new(0).get(), 1 << 56);
        assert_eq!(StoredHash::new(1).get(), 1 | 1 << 56);
        assert_eq!(StoredHash::new(1 << 56).get(), 1 << 56);
        assert_eq!(StoredHash::new(u64::MAX).get(), u64::MAX);
        assert_eq!(StoredHash::new(!(1 << 56)).get(), u64::MAX);
        assert_eq!(SoughtHash::new(0).stored(), StoredHash::new(0));
        assert_eq!(SoughtHash::from(StoredHash::new(0)).probe(), 1 << 56);
    }

    #[test]
    fn a_hash_and_its_stored_form_probe_alike() {
        // hashbrown's start bucket (low bits under any mask short of 2^56 buckets) and its
        // control byte (top 7 bits) are the same for a hash and its stored form.
        for raw in [0, 1, 0x0123_4567_89ab_cdef, 1 << 56, u64::MAX, !(1 << 56)] {
            let stored = StoredHash::new(raw).get();
            for buckets_log2 in 0..56 {
                let mask = (1u64 << buckets_log2) - 1;
                assert_eq!(stored & mask, raw & mask);
            }
            assert_eq!(
                crate::dict::index::control_tag(stored),
                crate::dict::index::control_tag(raw)
            );
        }
    }
}
