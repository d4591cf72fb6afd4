//! How far vdict's order-keeping removal is from the least that its layout can do, and where
//! the difference goes.
//!
//! ```text
//! cargo run --release --example removal_floor            # 1,000 and 100,000 keys
//! cargo run --release --example removal_floor -- 5000    # other sizes
//! ```
//!
//! Three maps remove a random half of their `u64` keys, one at a time, each key by lookup:
//!
//! - `floor`: the least an index-plus-entries layout does. A `hashbrown::HashTable<u32>` of
//!   slots into a `Vec` of `Option<(hash, key, value)>`; a removal finds the key, frees its
//!   bucket and leaves a hole. No versions, no counts, no squeeze: its holes stay forever, and
//!   iterating it would test every slot it ever had.
//! - `hashlink`: `hashlink::LinkedHashMap::remove`, the order-keeping removal a Rust user has
//!   today (a hash table of nodes in a doubly linked list; it unlinks one).
//! - `vdict`: `Dict::remove`, which also bumps the version tags, keeps its live and hole counts,
//!   and squeezes the holes out once they pass half the live entries, so that iteration never
//!   tests more than 1.5 slots per live entry (`Table::compact_if_sparse`).
//!
//! Each round builds all three maps afresh and removes the same keys, in a new random order
//! each round, timing the maps in a rotating order; the table gives the medians of ns per
//! removal. A second pass times each of vdict's removals on its own, to find the one that
//! squeezes (the slowest of its round, far above the others) and what it costs spread over
//! the round's removals: vdict less that is what its removal costs without squeezing.

use hashbrown::HashTable;
use std::hash::BuildHasher;
use std::hint::black_box;
use std::time::Instant;
use vdict::{DefaultHashBuilder, Dict};

#[path = "support/random_keys.rs"]
mod random_keys;

/// The least an index-plus-entries map does to remove a key and keep the order of the rest.
struct Floor {
    index: HashTable<u32>,
    entries: Vec<Option<(u64, u64, u64)>>,
    hasher: DefaultHashBuilder,
}

impl Floor {
    fn new(hasher: DefaultHashBuilder) -> Floor {
        Floor {
            index: HashTable::new(),
            entries: Vec::new(),
            hasher,
        }
    }

    fn insert(&mut self, key: u64, value: u64) {
        let hash = self.hasher.hash_one(key);
        let slot = u32::try_from(self.entries.len()).expect("fewer than 2^32 entries");
        let entries = &self.entries;
        self.index.insert_unique(hash, slot, |&slot| {
            entries[slot as usize]
                .expect("the index names live entries")
                .0
        });
        self.entries.push(Some((hash, key, value)));
    }

    #[inline]
    fn remove(&mut self, key: &u64) -> Option<u64> {
        let hash = self.hasher.hash_one(key);
        let entries = &self.entries;
        let found = self.index.find_entry(
            hash,
            |&slot| matches!(entries[slot as usize], Some((_, stored, _)) if stored == *key),
        );
        let (slot, _) = found.ok()?.remove();
        self.entries[slot as usize]
            .take()
            .map(|(_, _, value)| value)
    }
}

type LinkedHashMap = hashlink::LinkedHashMap<u64, u64, DefaultHashBuilder>;
type VDict = Dict<u64, u64, DefaultHashBuilder>;

/// What the removal loop needs of a map: the one call it times.
trait RemoveKey {
    fn remove_key(&mut self, key: &u64) -> Option<u64>;
}

impl RemoveKey for Floor {
    #[inline]
    fn remove_key(&mut self, key: &u64) -> Option<u64> {
        self.remove(key)
    }
}

impl RemoveKey for LinkedHashMap {
    #[inline]
    fn remove_key(&mut self, key: &u64) -> Option<u64> {
        self.remove(key)
    }
}

impl RemoveKey for VDict {
    #[inline]
    fn remove_key(&mut self, key: &u64) -> Option<u64> {
        self.remove(key)
    }
}

/// The timed loop, a function of its own for each map, the map's `remove` left to the
/// compiler to inline, as in a user's loop.
#[inline(never)]
fn remove_all<M: RemoveKey>(map: &mut M, keys: &[u64]) -> u64 {
    keys.iter().fold(0, |sum, key| {
        sum.wrapping_add(map.remove_key(key).unwrap_or(0))
    })
}

/// Half of `keys` in a random order, another for each `round`.
fn random_half(keys: &[u64], round: u64) -> Vec<u64> {
    let mut order = keys.to_vec();
    let mut state = 0x2545_F491_4F6C_DD1D ^ (round + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    for i in (1..order.len()).rev() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        order.swap(i, (state % (i as u64 + 1)) as usize);
    }
    order.truncate(keys.len() / 2);
    order
}

fn median(mut samples: Vec<f64>) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

/// Medians of ns per removal: floor, hashlink, vdict.
fn time_removals(keys: &[u64], rounds: usize) -> [f64; 3] {
    let hasher = DefaultHashBuilder::default();
    let mut samples: [Vec<f64>; 3] = Default::default();
    for round in 0..rounds {
        let order = random_half(keys, round as u64);
        let mut floor = Floor::new(hasher.clone());
        let mut linked = LinkedHashMap::with_hasher(hasher.clone());
        let mut dict = VDict::with_hasher(hasher.clone());
        for (value, &key) in keys.iter().enumerate() {
            floor.insert(key, value as u64);
            linked.insert(key, value as u64);
            dict.insert(key, value as u64);
        }
        for turn in 0..3 {
            let map = (round + turn) % 3;
            let start = Instant::now();
            match map {
                0 => black_box(remove_all(&mut floor, &order)),
                1 => black_box(remove_all(&mut linked, &order)),
                _ => black_box(remove_all(&mut dict, &order)),
            };
            samples[map].push(start.elapsed().as_secs_f64() * 1e9 / order.len() as f64);
        }
    }
    samples.map(median)
}

/// vdict's squeeze, spread over a round's removals: in each round, every removal timed on its
/// own, the slowest (the one that squeezed) less the round's median removal; the median of
/// that over the rounds, divided by the removals of a round. (Each timed removal also carries
/// the clock's own cost, which the subtraction takes out.)
fn squeeze_share(keys: &[u64], rounds: usize) -> f64 {
    let hasher = DefaultHashBuilder::default();
    let mut shares = Vec::with_capacity(rounds);
    for round in 0..rounds {
        let order = random_half(keys, round as u64);
        let mut dict = VDict::with_hasher(hasher.clone());
        for (value, &key) in keys.iter().enumerate() {
            dict.insert(key, value as u64);
        }
        let each: Vec<f64> = order
            .iter()
            .map(|key| {
                let start = Instant::now();
                black_box(dict.remove(black_box(key)));
                start.elapsed().as_secs_f64() * 1e9
            })
            .collect();
        let slowest = each.iter().copied().fold(0.0, f64::max);
        shares.push((slowest - median(each)) / order.len() as f64);
    }
    median(shares)
}

fn main() {
    let sizes: Vec<usize> = std::env::args()
        .skip(1)
        .map(|arg| arg.parse().expect("usage: removal_floor [size ...]"))
        .collect();
    let sizes = if sizes.is_empty() {
        vec![1_000, 100_000]
    } else {
        sizes
    };
    println!("order-keeping removal of a random half of n u64 keys, ns per removal (medians)");
    println!(
        "{:>9} {:>8} {:>9} {:>8} {:>13} {:>16} {:>18}",
        "n", "floor", "hashlink", "vdict", "its squeeze", "vdict less it", "... / hashlink"
    );
    for size in sizes {
        assert!(size >= 2, "removal_floor: a size of at least 2");
        let (keys, _) = random_keys::keys_and_misses(size);
        let rounds = (300_000 / size).clamp(41, 301);
        let [floor, linked, dict] = time_removals(&keys, rounds);
        let squeeze = squeeze_share(&keys, rounds);
        println!(
            "{size:>9} {floor:>8.2} {linked:>9.2} {dict:>8.2} {squeeze:>13.2} {:>16.2} {:>18.2}",
            dict - squeeze,
            (dict - squeeze) / linked
        );
    }
}
