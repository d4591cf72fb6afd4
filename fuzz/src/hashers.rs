//! Hashers that force collisions, for the fuzz targets and the tests: with them, probe
//! chains are long, full-hash collisions constant, and tombstones get reused all the time.

use std::hash::{BuildHasher, Hasher};

/// A hasher that sends every key to the same hash: every lookup walks one long probe chain.
#[derive(Debug, Clone, Copy, Default)]
pub struct OneHash;

impl BuildHasher for OneHash {
    type Hasher = ConstHasher;
    fn build_hasher(&self) -> ConstHasher {
        ConstHasher
    }
}

/// [`OneHash`]'s hasher.
pub struct ConstHasher;

impl Hasher for ConstHasher {
    fn finish(&self) -> u64 {
        0x5eed
    }
    fn write(&mut self, _bytes: &[u8]) {}
}

/// A hasher that keeps only a few distinct hash values (the key's bytes summed, modulo
/// `buckets`), so full-hash collisions, long probe chains and tombstone reuse happen constantly.
#[derive(Debug, Clone, Copy)]
pub struct FewHashes {
    /// How many distinct hashes there are (at least 1).
    pub buckets: u64,
}

impl Default for FewHashes {
    fn default() -> Self {
        FewHashes { buckets: 3 }
    }
}

impl BuildHasher for FewHashes {
    type Hasher = SumHasher;
    fn build_hasher(&self) -> SumHasher {
        SumHasher {
            sum: 0,
            buckets: self.buckets,
        }
    }
}

/// [`FewHashes`]' hasher.
pub struct SumHasher {
    sum: u64,
    buckets: u64,
}

impl Hasher for SumHasher {
    fn finish(&self) -> u64 {
        // Spread the few values over the high bits too, so the perturbation does some work.
        (self.sum % self.buckets.max(1)).wrapping_mul(0x9e37_79b9_7f4a_7c15)
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.sum = self.sum.wrapping_add(b as u64);
        }
    }
}

/// The default hasher, or foldhash seeded with a chosen seed: one type, so that two dicts of
/// one type can hash differently (what the caches must never answer wrongly under).
#[derive(Debug, Clone)]
pub enum Switchable {
    /// `vdict::DefaultHashBuilder`: every instance hashes alike.
    Default(vdict::DefaultHashBuilder),
    /// foldhash's fixed-seed hasher: instances with different seeds hash differently.
    Seeded(u8),
}

impl Switchable {
    /// `Seeded(seed)`, or the default hasher for `None`.
    pub fn from_seed(seed: Option<u8>) -> Switchable {
        seed.map_or_else(Switchable::default, Switchable::Seeded)
    }
}

impl Default for Switchable {
    fn default() -> Self {
        Switchable::Default(vdict::DefaultHashBuilder::default())
    }
}

impl BuildHasher for Switchable {
    // Both are foldhash's hasher, differently seeded: one type, no forwarding.
    type Hasher = foldhash::fast::FoldHasher<'static>;
    fn build_hasher(&self) -> Self::Hasher {
        match self {
            Switchable::Default(builder) => builder.build_hasher(),
            Switchable::Seeded(seed) => {
                foldhash::fast::FixedState::with_seed(u64::from(*seed)).build_hasher()
            }
        }
    }
}
