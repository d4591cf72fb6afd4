//! Helpers shared by the integration tests: hashers that force collisions.

#![allow(dead_code)]

use std::hash::{BuildHasher, Hasher};

/// A hasher that sends every key to the same hash: every lookup walks one long probe chain.
#[derive(Clone, Default)]
pub struct OneHash;

impl BuildHasher for OneHash {
    type Hasher = ConstHasher;
    fn build_hasher(&self) -> ConstHasher {
        ConstHasher
    }
}

pub struct ConstHasher;

impl Hasher for ConstHasher {
    fn finish(&self) -> u64 {
        0x5eed
    }
    fn write(&mut self, _bytes: &[u8]) {}
}

/// A hasher that keeps only a few distinct hash values (the key's bytes summed, modulo
/// `buckets`), so full-hash collisions, long probe chains and DUMMY reuse happen constantly.
#[derive(Clone)]
pub struct FewHashes {
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

pub struct SumHasher {
    sum: u64,
    buckets: u64,
}

impl Hasher for SumHasher {
    fn finish(&self) -> u64 {
        // Spread the few values over the high bits too, so the perturbation does some work.
        (self.sum % self.buckets).wrapping_mul(0x9e37_79b9_7f4a_7c15)
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.sum = self.sum.wrapping_add(b as u64);
        }
    }
}
