//! What a call costs a lookup, apart from everything else: hashbrown's own `HashTable<u32>`
//! (the 4-byte-slot index vdict uses past 65,536 entries) probed by one loop with the probe
//! inlined, and by one that calls it through an `#[inline(never)]` function: the same
//! instructions but for the call.
//!
//! vdict's `get` of a plain-word key probes a 2-byte-slot index inline and a wider one out of
//! line (`Table::find` explains why), so its lookups in big dicts pay this price and
//! hashbrown's do not. INTERNALS.md ("The goals it does not meet") quotes this program.
//!
//! ```text
//! cargo run --release --example call_cost -- 100000
//! ```
//!
//! Prints, for hits and misses, the median ns per lookup of each loop over 15 interleaved
//! rounds, and their ratio. Keys are random `u64`s (a 64-bit xorshift generator); the slots
//! index a plain `Vec` of the keys, as vdict's index holds slots of its entries array.

#[path = "support/random_keys.rs"]
mod random_keys;

use hashbrown::HashTable;
use std::hash::BuildHasher;
use std::hint::black_box;
use std::process::exit;
use std::time::Instant;

/// An index of slots into `keys`, hashed at one fixed seed.
struct SlotIndex {
    table: HashTable<u32>,
    keys: Vec<u64>,
    hasher: foldhash::fast::FixedState,
}

impl SlotIndex {
    fn new(keys: Vec<u64>) -> SlotIndex {
        let hasher = foldhash::fast::FixedState::with_seed(1);
        let mut table = HashTable::with_capacity(keys.len());
        for (slot, &key) in keys.iter().enumerate() {
            let slot = u32::try_from(slot).expect("at most 2^32 keys");
            table.insert_unique(hasher.hash_one(key), slot, |&slot| {
                hasher.hash_one(keys[slot as usize])
            });
        }
        SlotIndex {
            table,
            keys,
            hasher,
        }
    }

    /// The probe, for the compiler to inline.
    #[inline(always)]
    fn find_inline(&self, hash: u64, key: u64) -> Option<u32> {
        self.table
            .find(hash, |&slot| self.keys[slot as usize] == key)
            .copied()
    }

    /// The same probe, called.
    #[inline(never)]
    fn find_called(&self, hash: u64, key: u64) -> Option<u32> {
        self.find_inline(hash, key)
    }
}

/// Looks every key up, with the probe inlined or (`CALLED`) through the call; returns a
/// checksum.
#[inline(never)]
fn sum_found<const CALLED: bool>(index: &SlotIndex, probes: &[u64]) -> u64 {
    let mut sum = 0u64;
    for &key in probes {
        let hash = index.hasher.hash_one(key);
        let found = if CALLED {
            index.find_called(hash, key)
        } else {
            index.find_inline(hash, key)
        };
        if let Some(slot) = found {
            sum = sum.wrapping_add(u64::from(slot));
        }
    }
    sum
}

/// The median of `seconds`.
fn median(mut seconds: Vec<f64>) -> f64 {
    seconds.sort_by(f64::total_cmp);
    seconds[seconds.len() / 2]
}

fn main() {
    let size = match std::env::args().nth(1).map(|arg| arg.parse::<usize>()) {
        Some(Ok(size)) if size > 0 && size <= u32::MAX as usize => size,
        _ => {
            eprintln!("usage: call_cost <number of keys, 1 to 2^32>");
            exit(2)
        }
    };
    let (keys, misses) = random_keys::keys_and_misses(size);
    let hits: Vec<u64> = keys.iter().rev().copied().collect();
    let index = SlotIndex::new(keys);
    for (kind, probes) in [("hit", &hits), ("miss", &misses)] {
        let (mut inline, mut called) = (Vec::new(), Vec::new());
        for _ in 0..15 {
            let start = Instant::now();
            black_box(sum_found::<false>(&index, black_box(probes)));
            inline.push(start.elapsed().as_secs_f64());
            let start = Instant::now();
            black_box(sum_found::<true>(&index, black_box(probes)));
            called.push(start.elapsed().as_secs_f64());
        }
        let (inline, called) = (median(inline), median(called));
        let per_lookup = |seconds: f64| seconds * 1e9 / size as f64;
        println!(
            "{size} keys, {kind}: inline {:.2} ns, called {:.2} ns, called / inline {:.2}",
            per_lookup(inline),
            per_lookup(called),
            called / inline
        );
    }
}
