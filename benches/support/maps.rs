//! The dict workloads, shared by `benches/dict.rs` (criterion) and the report's dict table
//! (`examples/report/dict.rs`), so both measure exactly the same work.
//!
//! [`BenchMap`] puts vdict's `Dict`, `indexmap::IndexMap`, `hashbrown::HashMap`,
//! `std::collections::HashMap` and `hashlink::LinkedHashMap` behind one interface, all five
//! built with the same hasher
//! (vdict's default, foldhash). A [`Case`] holds the keys of one size and key type: the keys
//! in insertion order, the same keys shuffled (lookups and overwrites visit them in random
//! order), and as many keys that are absent. Each [`Workload`] is a setup (not timed) and a
//! routine (timed) that performs `elements` operations; cost per operation is routine time
//! divided by `elements`.

#![allow(dead_code)] // each includer uses its part

use std::cell::Cell;
use std::hash::Hash;
use std::hint::black_box;
use vdict::{DefaultHashBuilder, Dict};

pub type IndexMap<K> = indexmap::IndexMap<K, u64, DefaultHashBuilder>;
pub type HashbrownMap<K> = hashbrown::HashMap<K, u64, DefaultHashBuilder>;
pub type StdMap<K> = std::collections::HashMap<K, u64, DefaultHashBuilder>;
pub type VDict<K> = Dict<K, u64, DefaultHashBuilder>;
/// The map a Rust user picks today for O(1) removal that keeps order: a hash map threaded on
/// a doubly linked list.
pub type HashlinkMap<K> = hashlink::LinkedHashMap<K, u64, DefaultHashBuilder>;

/// A key type the workloads run on: `u64`, or a short `String` like an identifier.
pub trait BenchKey: Hash + Eq + Clone {
    /// The name in reports: `u64` or `String`.
    const NAME: &'static str;
    /// The `i`-th distinct key.
    fn make(i: u64) -> Self;
}

impl BenchKey for u64 {
    const NAME: &'static str = "u64";
    fn make(i: u64) -> u64 {
        // Spread out, not sequential, so no hasher gets an easy ride on small integers.
        i.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ 0x5bd1_e995
    }
}

impl BenchKey for String {
    const NAME: &'static str = "String";
    fn make(i: u64) -> String {
        format!("name_{i}")
    }
}

/// One map implementation behind the workloads' interface. Values are `u64`.
pub trait BenchMap<K: BenchKey>: Clone {
    /// `vdict`, `indexmap`, `hashbrown` or `std`.
    const NAME: &'static str;
    /// Whether it keeps insertion order (and so has `pop_last` and order-keeping removal).
    const ORDERED: bool;
    fn with_capacity(capacity: usize) -> Self;
    fn insert(&mut self, key: K, value: u64) -> Option<u64>;
    fn get(&self, key: &K) -> Option<&u64>;
    /// Removal that keeps the order of the rest where the map has one (vdict `remove`,
    /// indexmap `shift_remove`); plain `remove` for the hash maps.
    fn remove_ordered(&mut self, key: &K) -> Option<u64>;
    /// Removal that may reorder (indexmap `swap_remove`; the same as above for the others).
    fn remove_any(&mut self, key: &K) -> Option<u64>;
    /// `swap_remove` (vdict and indexmap: the last entry takes the removed one's place;
    /// plain `remove` for the others, which the swap workload does not apply to).
    fn swap_remove(&mut self, key: &K) -> Option<u64>;
    /// Visits every entry in the map's order by internal iteration (`fold`, what `sum`,
    /// `for_each` and most adapters use); returns a checksum of the values.
    fn sum_values(&self) -> u64;
    /// The same by external iteration: a `for` loop, which calls `next` per entry.
    fn sum_values_for_loop(&self) -> u64;
    /// A `for` loop from the back (`values().rev()`: `next_back` per entry); 0 for the
    /// unordered maps, which the workload does not apply to.
    fn sum_values_rev_for_loop(&self) -> u64;
    /// The last entry inserted, removed; `None` for the unordered maps.
    fn pop_last(&mut self) -> Option<(K, u64)>;
    /// Keeps the entries whose value is odd (`retain`): with values set to insertion
    /// positions, every other entry goes.
    fn retain_odd_values(&mut self);
    /// Reverses the order (vdict and indexmap; a no-op for the others, which the reverse
    /// workload does not apply to).
    fn reverse(&mut self);
    /// Moves `key`, which is present, to the end of the order: vdict and indexmap by the raw
    /// entry's `move_index(len - 1)` (the key by reference, as hashlink takes it), hashlink by
    /// `to_back`; a no-op for the unordered maps, which the workload does not apply to.
    fn move_to_end(&mut self, key: &K);
    /// Removes the `count` oldest entries in one call, in order (vdict and indexmap: `drain(..
    /// count)`; hashlink: `pop_front`, `count` times); returns a checksum of their values. A
    /// no-op for the unordered maps, which the workload does not apply to.
    fn drain_oldest(&mut self, count: usize) -> u64;
    fn len(&self) -> usize;
}

/// Implements [`BenchMap`] for one map type. The four maps share every method but the ones
/// named here: which removal keeps order, which may swap, and how the last entry is popped.
macro_rules! bench_map_impl {
    (
        $map:ident, $name:literal, ordered: $ordered:literal,
        remove_ordered: $remove_ordered:ident, remove_any: $remove_any:ident,
        swap_remove: $swap_remove:ident,
        pop_last: |$popped:ident| $pop_last:expr,
        reverse: |$reversed:ident| $reverse:expr,
        rev_for_loop: |$backwards:ident| $rev_for_loop:expr,
        move_to_end: |$mover:ident, $moved:ident| $move_to_end:expr,
        drain_oldest: |$drainer:ident, $count:ident| $drain_oldest:expr
    ) => {
        impl<K: BenchKey> BenchMap<K> for $map<K> {
            const NAME: &'static str = $name;
            const ORDERED: bool = $ordered;
            fn with_capacity(capacity: usize) -> Self {
                $map::with_capacity_and_hasher(capacity, DefaultHashBuilder::default())
            }
            fn insert(&mut self, key: K, value: u64) -> Option<u64> {
                $map::insert(self, key, value)
            }
            fn get(&self, key: &K) -> Option<&u64> {
                $map::get(self, key)
            }
            fn remove_ordered(&mut self, key: &K) -> Option<u64> {
                $map::$remove_ordered(self, key)
            }
            fn remove_any(&mut self, key: &K) -> Option<u64> {
                $map::$remove_any(self, key)
            }
            fn swap_remove(&mut self, key: &K) -> Option<u64> {
                $map::$swap_remove(self, key)
            }
            fn sum_values(&self) -> u64 {
                self.values().fold(0, |sum, v| sum.wrapping_add(*v))
            }
            fn sum_values_for_loop(&self) -> u64 {
                let mut sum = 0u64;
                for value in self.values() {
                    sum = sum.wrapping_add(*value);
                }
                sum
            }
            fn sum_values_rev_for_loop(&self) -> u64 {
                let $backwards = self;
                $rev_for_loop
            }
            fn pop_last(&mut self) -> Option<(K, u64)> {
                let $popped = self;
                $pop_last
            }
            fn retain_odd_values(&mut self) {
                self.retain(|_, value| *value % 2 == 1);
            }
            fn reverse(&mut self) {
                let $reversed = self;
                $reverse
            }
            fn move_to_end(&mut self, key: &K) {
                let ($mover, $moved) = (self, key);
                $move_to_end
            }
            fn drain_oldest(&mut self, count: usize) -> u64 {
                let ($drainer, $count) = (self, count);
                $drain_oldest
            }
            fn len(&self) -> usize {
                $map::len(self)
            }
        }
    };
}

/// `move_index(len - 1)` through the raw entry, the key by reference: the same code for
/// vdict and indexmap, whose raw entry APIs match, each from its own `module`.
macro_rules! move_to_end_by_raw_entry {
    ($map:ident, $key:ident, $module:path) => {{
        use $module::{RawEntryApiV1, RawEntryMut};
        let last = $map.len() - 1;
        if let RawEntryMut::Occupied(entry) = $map.raw_entry_mut_v1().from_key($key) {
            entry.move_index(last);
        }
    }};
}

bench_map_impl!(VDict, "vdict", ordered: true,
    remove_ordered: remove, remove_any: remove, swap_remove: swap_remove,
    pop_last: |map| map.pop_last(), reverse: |map| map.reverse(),
    rev_for_loop: |map| sum_backwards(map.values()),
    move_to_end: |map, key| move_to_end_by_raw_entry!(map, key, vdict::dict),
    drain_oldest: |map, count| sum_drained(map.drain(..count)));
bench_map_impl!(IndexMap, "indexmap", ordered: true,
    remove_ordered: shift_remove, remove_any: swap_remove, swap_remove: swap_remove,
    pop_last: |map| map.pop(), reverse: |map| map.reverse(),
    rev_for_loop: |map| sum_backwards(map.values()),
    move_to_end: |map, key| move_to_end_by_raw_entry!(map, key, indexmap::map::raw_entry_v1),
    drain_oldest: |map, count| sum_drained(map.drain(..count)));
bench_map_impl!(HashbrownMap, "hashbrown", ordered: false,
    remove_ordered: remove, remove_any: remove, swap_remove: remove,
    pop_last: |_map| None, reverse: |_map| (), rev_for_loop: |_map| 0,
    move_to_end: |_map, _key| (), drain_oldest: |_map, _count| 0);
bench_map_impl!(StdMap, "std", ordered: false,
    remove_ordered: remove, remove_any: remove, swap_remove: remove,
    pop_last: |_map| None, reverse: |_map| (), rev_for_loop: |_map| 0,
    move_to_end: |_map, _key| (), drain_oldest: |_map, _count| 0);
bench_map_impl!(HashlinkMap, "hashlink", ordered: true,
remove_ordered: remove, remove_any: remove, swap_remove: remove,
pop_last: |map| map.pop_back(), reverse: |_map| (),
rev_for_loop: |map| sum_backwards(map.values()),
move_to_end: |map, key| {
    map.to_back(key);
},
drain_oldest: |map, count| {
    sum_drained((0..count).map_while(|_| map.pop_front()))
});

/// The values of the pairs `drained` hands out, summed.
fn sum_drained<K>(drained: impl Iterator<Item = (K, u64)>) -> u64 {
    drained.fold(0, |sum, (_, value)| sum.wrapping_add(value))
}

/// The values `values` hands out from the back, summed by a `for` loop (`next_back` per
/// entry).
fn sum_backwards<'a>(values: impl DoubleEndedIterator<Item = &'a u64>) -> u64 {
    let mut sum = 0u64;
    for value in values.rev() {
        sum = sum.wrapping_add(*value);
    }
    sum
}

/// The keys of one measurement: `size` keys of type `K`.
pub struct Case<K> {
    /// In insertion order.
    pub keys: Vec<K>,
    /// The same keys, shuffled: the order lookups and overwrites visit them in.
    pub shuffled: Vec<K>,
    /// As many keys that are never inserted.
    pub missing: Vec<K>,
    /// Every other key of `keys` (the ones the half-removal workloads remove).
    pub every_other: Vec<K>,
    /// Every 100th key of `keys`: the sample of `every_other` that indexmap's `shift_remove`
    /// removes at large sizes (see [`Workload::removals`]).
    pub every_hundredth: Vec<K>,
    /// Several random orders of `keys`, as positions in `keys`, which the workloads that
    /// remove or move keys in a random order take in turn ([`Case::next_random_order`]):
    /// with one order, repeated round after round, the processor learns the branches a small
    /// map's removals take (vdict removing half of 1,000 u64 keys: 9.1 ns a removal in the
    /// same order every time, 11.3 in a new one; hashlink 4.4 and 4.6), and a program
    /// removes in no fixed order. As many orders as fit [`RANDOM_ORDER_POSITIONS`]
    /// positions, up to 64; none where only one fits, and `shuffled` serves. Positions rather
    /// than copies of the keys: 64 copies of 1,000 `String` keys are 64,000 strings, each
    /// read once in 64 rounds, and a removal of such a cold key cost every map three times as
    /// much.
    random_orders: Vec<Vec<u32>>,
    /// The order [`Case::next_random_order`] hands out next.
    next_order: Cell<usize>,
}

/// How many positions the random orders of one [`Case`] hold at most, all orders together:
/// enough orders that no branch predictor learns them at the sizes where one could, few
/// enough that a large case keeps none (and uses `shuffled`).
const RANDOM_ORDER_POSITIONS: usize = 1 << 16;

/// Keys a workload visits in turn: one of a [`Case`]'s random orders, as positions in its
/// keys ([`Case::next_random_order`]), or a list of keys.
pub enum KeySequence<'c, K> {
    /// Positions in the case's keys.
    Positions(std::slice::Iter<'c, u32>, &'c [K]),
    /// The keys themselves.
    Keys(std::slice::Iter<'c, K>),
}

impl<'c, K> Iterator for KeySequence<'c, K> {
    type Item = &'c K;

    #[inline]
    fn next(&mut self) -> Option<&'c K> {
        match self {
            KeySequence::Positions(positions, keys) => {
                positions.next().map(|&at| &keys[at as usize])
            }
            KeySequence::Keys(keys) => keys.next(),
        }
    }
}

impl<K: BenchKey> Case<K> {
    pub fn new(size: usize) -> Case<K> {
        let keys: Vec<K> = (0..size as u64).map(K::make).collect();
        let mut shuffled = keys.clone();
        shuffle(&mut shuffled, 0x2545_f491_4f6c_dd1d ^ size as u64);
        let missing = (size as u64..2 * size as u64).map(K::make).collect();
        let every_other = keys.iter().step_by(2).cloned().collect();
        let every_hundredth = keys.iter().step_by(100).cloned().collect();
        let orders = (RANDOM_ORDER_POSITIONS / size.max(1)).min(64) as u64;
        let random_orders = if orders > 1 {
            (0..orders)
                .map(|order| {
                    let mut positions: Vec<u32> = (0..size as u32).collect();
                    shuffle(
                        &mut positions,
                        0x9e37_79b9_7f4a_7c15 ^ (size as u64) << 8 ^ order,
                    );
                    positions
                })
                .collect()
        } else {
            Vec::new()
        };
        Case {
            keys,
            shuffled,
            missing,
            every_other,
            every_hundredth,
            random_orders,
            next_order: Cell::new(0),
        }
    }

    /// The first `count` keys of one of the case's random orders, a different one from the
    /// last call (the same sequence of orders in every run), or of `shuffled` where the case
    /// keeps no orders.
    pub fn next_random_order(&self, count: usize) -> KeySequence<'_, K> {
        let order = self.next_order.get();
        match self.random_orders.get(order) {
            Some(positions) => {
                let next = order + 1;
                self.next_order.set(if next == self.random_orders.len() {
                    0
                } else {
                    next
                });
                KeySequence::Positions(positions[..count].iter(), &self.keys)
            }
            None => KeySequence::Keys(self.shuffled[..count].iter()),
        }
    }

    pub fn size(&self) -> usize {
        self.keys.len()
    }
}

/// Whether indexmap, as `M`, removes or moves only a sample of the keys (see
/// [`Workload::removals`]).
fn shift_remove_sampled<K: BenchKey, M: BenchMap<K>>(case: &Case<K>) -> bool {
    M::NAME == "indexmap" && case.size() >= SHIFT_REMOVE_SAMPLED_FROM
}

/// How many keys of `size` a random-holes workload removes: a third.
fn random_third_len(size: usize) -> usize {
    size / 3
}

/// A random third of `case`'s keys ([`random_third_len`]), in a random order: what a
/// random-holes workload removes. Each call draws another third (from a sequence that is the
/// same in every run), so that every map a sample times has its holes in places of their own.
fn random_third<K: BenchKey>(case: &Case<K>) -> Vec<K> {
    use std::sync::atomic::{AtomicU64, Ordering};
    static DRAWS: AtomicU64 = AtomicU64::new(0);
    let draw = DRAWS.fetch_add(1, Ordering::Relaxed);
    let mut keys = case.keys.clone();
    shuffle(
        &mut keys,
        0x9e37_79b9_7f4a_7c15 ^ draw.wrapping_mul(0x2545_f491_4f6c_dd1d),
    );
    keys.truncate(random_third_len(case.size()));
    keys
}

/// Fisher-Yates with a fixed-seed xorshift: the same order in every run.
fn shuffle<T>(items: &mut [T], seed: u64) {
    let mut state = seed | 1;
    for i in (1..items.len()).rev() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        items.swap(i, (state % (i as u64 + 1)) as usize);
    }
}

/// A map holding `keys`, inserted in order, value = position.
pub fn build<K: BenchKey, M: BenchMap<K>>(keys: &[K]) -> M {
    let mut map = M::with_capacity(0);
    for (i, key) in keys.iter().enumerate() {
        map.insert(key.clone(), i as u64);
    }
    map
}

/// Whether the key at position `i` survives the mass delete: one in a thousand does.
fn is_survivor(i: usize) -> bool {
    i % 1000 == 0
}

/// From this many keys on, indexmap's `shift_remove` row times a sample of the removals.
pub const SHIFT_REMOVE_SAMPLED_FROM: usize = 100_000;

/// What the dict table measures. Names are the report's `workload` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Workload {
    LookupHit,
    LookupMiss,
    InsertGrow,
    InsertReserved,
    Overwrite,
    /// Iterate with `fold` (internal iteration).
    Iterate,
    /// Iterate with a `for` loop (external iteration: `next` per entry).
    IterateForLoop,
    /// Iterate after removing every other key (vdict: `remove`, which leaves holes; the
    /// others: `retain`, since their removals leave none to measure).
    IterateHoles,
    /// Iterate with `fold` after removing a random third of the keys in a random order
    /// (vdict: `remove`; the others: built from the survivors). Each timed pass runs on a map
    /// of its own with a third of its own removed (see [`random_third`]), so that the holes
    /// fall where no branch predictor can guess them: iterating one small map over and over,
    /// the processor learns where its holes are.
    IterateRandomHoles,
    /// As `IterateRandomHoles`, with a `for` loop.
    IterateForLoopRandomHoles,
    /// As `IterateRandomHoles`, with a `for` loop from the back (the ordered maps).
    RevForLoopRandomHoles,
    /// Remove every other key, keeping order where the map has one.
    RemoveHalfOrdered,
    /// Remove half the keys in a random order (another each time: see [`Case`]), keeping
    /// order where the map has one: each hole lands anywhere, as most programs' removals do,
    /// where `RemoveHalfOrdered`'s follow one another through the map. indexmap's
    /// `shift_remove` moves every entry after the key, so from [`SHIFT_REMOVE_SAMPLED_FROM`]
    /// keys on it removes only a hundredth of the keys (each costs about the same).
    RemoveHalfRandom,
    /// Remove every other key with `swap_remove` (vdict and indexmap): the drop-in's removal
    /// that may reorder, and the peer of vdict's order-keeping `remove` in indexmap's API.
    SwapRemoveHalf,
    /// A queue: `size` steps of inserting a new key and removing the oldest one (by key,
    /// keeping order where the map has one), so the map keeps its size; per step. What a
    /// cache that evicts its oldest entries does. indexmap's `shift_remove` of the oldest
    /// moves every other entry, so from [`SHIFT_REMOVE_SAMPLED_FROM`] keys on it takes only
    /// the first hundredth of the steps (each costs about the same).
    Queue,
    /// Move every key, in a random order (another each time: see [`Case`]), to the end of the
    /// order (the ordered maps): what a cache that keeps its entries in order of use does on a
    /// hit. Per move. indexmap's `move_index` shifts the entries after the key, so from
    /// [`SHIFT_REMOVE_SAMPLED_FROM`] keys on it moves only the first hundredth of them.
    MoveToEnd,
    /// A queue drained in batches (the ordered maps): rounds of inserting a batch of new keys
    /// and draining as many of the oldest in one call, the batch a hundredth of the map (at
    /// least one key), so the map keeps its size; per entry drained. What a cache that evicts
    /// its oldest entries a batch at a time does. indexmap's `drain(..batch)` moves every
    /// entry after the batch, so from [`SHIFT_REMOVE_SAMPLED_FROM`] keys on it runs only the
    /// first of the hundred rounds.
    DrainOldest,
    /// Insert `size` keys, remove all but one in a thousand, then iterate the survivors;
    /// per survivor. Compare with `IterateSurvivorsFresh`.
    IterateAfterMassDelete,
    /// Iterate a fresh vdict built from just the survivors of `IterateAfterMassDelete`: the
    /// baseline its goal compares with (its row is `vdict_fresh`, under the mass-delete
    /// workload's name). The report samples it in the same rounds as that workload.
    IterateSurvivorsFresh,
    Clone,
    PopLast,
    /// `retain` keeping every other entry; per entry of the map.
    RetainHalf,
    /// Reverse the order (vdict and indexmap); per entry.
    Reverse,
}

impl Workload {
    pub const ALL: [Workload; 23] = [
        Workload::LookupHit,
        Workload::LookupMiss,
        Workload::InsertGrow,
        Workload::InsertReserved,
        Workload::Overwrite,
        Workload::Iterate,
        Workload::IterateForLoop,
        Workload::IterateHoles,
        Workload::IterateRandomHoles,
        Workload::IterateForLoopRandomHoles,
        Workload::RevForLoopRandomHoles,
        Workload::RemoveHalfOrdered,
        Workload::RemoveHalfRandom,
        Workload::SwapRemoveHalf,
        Workload::Queue,
        Workload::MoveToEnd,
        Workload::DrainOldest,
        Workload::IterateAfterMassDelete,
        Workload::IterateSurvivorsFresh,
        Workload::Clone,
        Workload::PopLast,
        Workload::RetainHalf,
        Workload::Reverse,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Workload::LookupHit => "lookup_hit",
            Workload::LookupMiss => "lookup_miss",
            Workload::InsertGrow => "insert_grow",
            Workload::InsertReserved => "insert_reserved",
            Workload::Overwrite => "overwrite",
            Workload::Iterate => "iterate",
            Workload::IterateForLoop => "iterate_for_loop",
            Workload::IterateHoles => "iterate_holes",
            Workload::IterateRandomHoles => "iterate_random_holes",
            Workload::IterateForLoopRandomHoles => "for_loop_random_holes",
            Workload::RevForLoopRandomHoles => "rev_for_loop_random_holes",
            Workload::RemoveHalfOrdered => "remove_half_ordered",
            Workload::RemoveHalfRandom => "remove_half_random",
            Workload::SwapRemoveHalf => "swap_remove_half",
            Workload::Queue => "queue",
            Workload::MoveToEnd => "move_to_end",
            Workload::DrainOldest => "drain_oldest",
            Workload::IterateAfterMassDelete | Workload::IterateSurvivorsFresh => {
                "iterate_after_mass_delete"
            }
            Workload::Clone => "clone",
            Workload::PopLast => "pop_last",
            Workload::RetainHalf => "retain_half",
            Workload::Reverse => "reverse",
        }
    }

    /// The `impl` a row of this workload is filed under for the map named `map`.
    pub fn impl_name(self, map: &'static str) -> &'static str {
        match self {
            Workload::IterateSurvivorsFresh => "vdict_fresh",
            _ => map,
        }
    }

    /// Whether this workload applies to map `M` at `size` (`pop_last` needs order, and
    /// `reverse` and `swap_remove` a map that has them: hashlink's has not; the fresh
    /// survivors' row is vdict's; `shift_remove` of half of a million keys would take minutes).
    pub fn applies<K: BenchKey, M: BenchMap<K>>(self, size: usize) -> bool {
        match self {
            Workload::PopLast | Workload::RevForLoopRandomHoles | Workload::DrainOldest => {
                M::ORDERED
            }
            Workload::MoveToEnd => {
                M::ORDERED && !(M::NAME == "indexmap" && size > SHIFT_REMOVE_SAMPLED_FROM * 10)
            }
            Workload::Reverse | Workload::SwapRemoveHalf => {
                M::NAME == "vdict" || M::NAME == "indexmap"
            }
            Workload::RemoveHalfOrdered | Workload::RemoveHalfRandom | Workload::Queue => {
                !(M::NAME == "indexmap" && size > SHIFT_REMOVE_SAMPLED_FROM * 10)
            }
            Workload::IterateAfterMassDelete => size >= 100_000,
            Workload::IterateSurvivorsFresh => M::NAME == "vdict" && size >= 100_000,
            _ => true,
        }
    }

    /// Whether each timed run needs a fresh setup: the routine changes the map, or (the
    /// random-holes workloads) each run must meet a hole pattern of its own.
    pub fn consumes_setup(self) -> bool {
        !matches!(
            self,
            Workload::LookupHit
                | Workload::LookupMiss
                | Workload::Iterate
                | Workload::IterateForLoop
                | Workload::IterateHoles
                | Workload::IterateAfterMassDelete
                | Workload::IterateSurvivorsFresh
                | Workload::Clone
        )
    }

    /// The map the routine starts from (not timed).
    pub fn setup<K: BenchKey, M: BenchMap<K>>(self, case: &Case<K>) -> M {
        match self {
            Workload::InsertGrow | Workload::InsertReserved => M::with_capacity(0),
            Workload::IterateHoles => {
                let mut map: M = build(&case.keys);
                if M::NAME == "vdict" {
                    for key in &case.every_other {
                        map.remove_ordered(key);
                    }
                } else {
                    map = build(
                        &case
                            .keys
                            .iter()
                            .skip(1)
                            .step_by(2)
                            .cloned()
                            .collect::<Vec<_>>(),
                    );
                }
                map
            }
            Workload::IterateRandomHoles
            | Workload::IterateForLoopRandomHoles
            | Workload::RevForLoopRandomHoles => {
                let removed = random_third(case);
                if M::NAME == "vdict" {
                    let mut map: M = build(&case.keys);
                    for key in &removed {
                        map.remove_ordered(key);
                    }
                    map
                } else {
                    let removed: std::collections::HashSet<&K> = removed.iter().collect();
                    let survivors: Vec<K> = (case.keys.iter())
                        .filter(|key| !removed.contains(key))
                        .cloned()
                        .collect();
                    build(&survivors)
                }
            }
            Workload::IterateAfterMassDelete => {
                let mut map: M = build(&case.keys);
                for (i, key) in case.keys.iter().enumerate() {
                    if !is_survivor(i) {
                        map.remove_any(key);
                    }
                }
                map
            }
            Workload::IterateSurvivorsFresh => {
                let survivors: Vec<K> = (case.keys.iter().enumerate())
                    .filter(|&(i, _)| is_survivor(i))
                    .map(|(_, key)| key.clone())
                    .collect();
                build(&survivors)
            }
            _ => build(&case.keys),
        }
    }

    /// The keys a removal workload removes. Order-keeping removal of half the keys is
    /// quadratic for indexmap's `shift_remove` (half of 100,000 keys takes ~20 s), so from
    /// [`SHIFT_REMOVE_SAMPLED_FROM`] keys on it removes every 100th key instead of every
    /// other (for `RemoveHalfRandom`, the first hundredth of a random order instead of the
    /// first half). That is a fair sample of the same work: a removal's cost is the number of
    /// entries after the removed one, which averages half the map's length either way.
    /// `RemoveHalfRandom` takes the case's next random order on each call.
    pub fn removals<K: BenchKey, M: BenchMap<K>>(self, case: &Case<K>) -> KeySequence<'_, K> {
        match self {
            Workload::RemoveHalfRandom => case.next_random_order(self.removal_count::<K, M>(case)),
            Workload::RemoveHalfOrdered if shift_remove_sampled::<K, M>(case) => {
                KeySequence::Keys(case.every_hundredth.iter())
            }
            _ => KeySequence::Keys(case.every_other.iter()),
        }
    }

    /// How many keys [`removals`](Workload::removals) hands out.
    fn removal_count<K: BenchKey, M: BenchMap<K>>(self, case: &Case<K>) -> usize {
        let sampled = shift_remove_sampled::<K, M>(case);
        match self {
            Workload::RemoveHalfOrdered if sampled => case.every_hundredth.len(),
            Workload::RemoveHalfRandom if sampled => case.size() / 100,
            Workload::RemoveHalfRandom => case.size() / 2,
            _ => case.every_other.len(),
        }
    }

    /// How many steps the queue and move-to-end workloads take on map `M`: one per key, or a
    /// hundredth of that for indexmap from [`SHIFT_REMOVE_SAMPLED_FROM`] keys on.
    fn queue_steps<K: BenchKey, M: BenchMap<K>>(case: &Case<K>) -> usize {
        if shift_remove_sampled::<K, M>(case) {
            case.size() / 100
        } else {
            case.size()
        }
    }

    /// How many rounds of [`DrainOldest`](Workload::DrainOldest) map `M` runs on `case`, and
    /// how many keys each round inserts and drains.
    fn drain_rounds<K: BenchKey, M: BenchMap<K>>(case: &Case<K>) -> (usize, usize) {
        let batch = (case.size() / 100).max(1);
        let rounds = case.size() / batch;
        if M::NAME == "indexmap" && case.size() >= SHIFT_REMOVE_SAMPLED_FROM {
            (1, batch)
        } else {
            (rounds, batch)
        }
    }

    /// How many operations the routine performs on map `M`.
    pub fn elements<K: BenchKey, M: BenchMap<K>>(self, case: &Case<K>) -> usize {
        match self {
            Workload::RemoveHalfOrdered | Workload::RemoveHalfRandom | Workload::SwapRemoveHalf => {
                self.removal_count::<K, M>(case)
            }
            Workload::Queue | Workload::MoveToEnd => Self::queue_steps::<K, M>(case),
            Workload::DrainOldest => {
                let (rounds, batch) = Self::drain_rounds::<K, M>(case);
                rounds * batch
            }
            // Per live entry: what the holes cost shows as a higher price per entry.
            Workload::IterateHoles => case.size() - case.every_other.len(),
            Workload::IterateRandomHoles
            | Workload::IterateForLoopRandomHoles
            | Workload::RevForLoopRandomHoles => case.size() - random_third_len(case.size()),
            Workload::IterateAfterMassDelete | Workload::IterateSurvivorsFresh => {
                case.size().div_ceil(1000)
            }
            _ => case.size(),
        }
    }

    /// The timed work; returns a checksum so nothing is optimised away. `InsertReserved`
    /// reserves inside the routine: the reservation is part of what it measures.
    pub fn routine<K: BenchKey, M: BenchMap<K>>(self, map: &mut M, case: &Case<K>) -> u64 {
        match self {
            Workload::LookupHit => case
                .shuffled
                .iter()
                .fold(0, |sum, key| sum.wrapping_add(*map.get(key).unwrap_or(&0))),
            Workload::LookupMiss => case
                .missing
                .iter()
                .fold(0, |sum, key| sum + map.get(key).is_some() as u64),
            Workload::InsertGrow | Workload::InsertReserved => {
                if self == Workload::InsertReserved {
                    *map = M::with_capacity(case.size());
                }
                for (i, key) in case.keys.iter().enumerate() {
                    map.insert(key.clone(), i as u64);
                }
                map.len() as u64
            }
            Workload::Overwrite => {
                for (i, key) in case.shuffled.iter().enumerate() {
                    map.insert(key.clone(), i as u64);
                }
                map.len() as u64
            }
            Workload::Iterate
            | Workload::IterateHoles
            | Workload::IterateRandomHoles
            | Workload::IterateAfterMassDelete
            | Workload::IterateSurvivorsFresh => map.sum_values(),
            Workload::IterateForLoop | Workload::IterateForLoopRandomHoles => {
                map.sum_values_for_loop()
            }
            Workload::RevForLoopRandomHoles => map.sum_values_rev_for_loop(),
            Workload::RemoveHalfOrdered | Workload::RemoveHalfRandom => {
                self.removals::<K, M>(case).fold(0, |sum, key| {
                    sum.wrapping_add(map.remove_ordered(key).unwrap_or(0))
                })
            }
            Workload::SwapRemoveHalf => case.every_other.iter().fold(0, |sum, key| {
                sum.wrapping_add(map.swap_remove(key).unwrap_or(0))
            }),
            Workload::MoveToEnd => {
                let steps = Self::queue_steps::<K, M>(case);
                for key in case.next_random_order(steps) {
                    map.move_to_end(key);
                }
                map.len() as u64
            }
            Workload::DrainOldest => {
                let (rounds, batch) = Self::drain_rounds::<K, M>(case);
                let mut sum = 0u64;
                for (round, arriving) in case.missing.chunks(batch).take(rounds).enumerate() {
                    for new in arriving {
                        map.insert(new.clone(), round as u64);
                    }
                    sum = sum.wrapping_add(map.drain_oldest(batch));
                }
                sum
            }
            Workload::Queue => {
                let steps = Self::queue_steps::<K, M>(case);
                let (arriving, oldest) = (&case.missing[..steps], &case.keys[..steps]);
                let mut sum = 0u64;
                for (i, (new, old)) in arriving.iter().zip(oldest).enumerate() {
                    map.insert(new.clone(), i as u64);
                    sum = sum.wrapping_add(map.remove_ordered(old).unwrap_or(0));
                }
                sum
            }
            Workload::Clone => {
                let copy = black_box(map.clone());
                copy.len() as u64
            }
            Workload::PopLast => {
                let mut sum = 0u64;
                while let Some((_, value)) = map.pop_last() {
                    sum = sum.wrapping_add(value);
                }
                sum
            }
            Workload::RetainHalf => {
                map.retain_odd_values();
                map.len() as u64
            }
            Workload::Reverse => {
                map.reverse();
                map.len() as u64
            }
        }
    }
}
