//! The core of the dict: the index and the entries array kept in step.
//!
//! This is CPython's `PyDictKeysObject` without the hasher and without versions: it takes
//! hashes already computed and a closure that says whether a stored key is the one sought, so
//! it never calls user code except that closure, and the façade in `mod.rs` owns the rest.
//!
//! - **Lookup** asks the index (`index.rs`, hashbrown's SwissTable holding slots) for the
//!   slots whose control byte matches the hash's top 7 bits, and reads each such slot's entry:
//!   the key is found when the closure accepts the entry's key.
//! - **Insert** of a key known to be absent appends its entry and puts the new slot in the
//!   index.
//! - **Delete** takes the slot out of the index (hashbrown leaves a tombstone where a probe
//!   may need to walk past it) and turns the entry into a hole: every other entry keeps its
//!   slot, so the order of the rest is kept and nothing else moves.
//! - **Squeeze** slides the live entries down over the holes, in order, and re-indexes them
//!   from their stored hashes (no key is hashed, none compared).
//!
//! The entries array grows by a quarter when full (at least 4 entries), out of step with the
//! index, which hashbrown doubles when it holds 7/8 of its buckets: an array that doubled
//! would leave up to half of its entries (each as big as a key and a value and a hash) unused
//! just after growing; growing by a quarter leaves at most a fifth, for an entry moved about
//! four times over the array's life instead of once (a `realloc`, often in place). See
//! INTERNALS.md for the memory this buys. Past 65,536 entries the index needs 4-byte slots:
//! the array's growth is lined up with the index's so that one rebuild both widens and
//! doubles it (`entries_growth`).
//!
//! Holes: trailing holes are trimmed right away (so the last entry is always live and
//! `pop_last` is O(1)). The table remembers a live prefix (no hole before it), which iteration
//! walks untested, and after it a *gap*, a run of holes, which iteration steps over. Every
//! deletion past 64 slots that leaves a hole outside the gap *slides* the gap one entry on:
//! the first live entry after the gap moves down to its start (one slot renamed in the index),
//! and the gap takes in the holes it meets, so that deletions scattered through the array
//! gather into one run instead of leaving an iteration to test slot after slot. When the holes
//! outside the gap exceed half the live entries anyway, or all holes twice the live entries,
//! the table squeezes them out (a small array of at most 64 slots squeezes by all its holes
//! and never slides); and a full entries array with at least an eighth of holes is squeezed
//! rather than grown (and grown as well if that leaves room for fewer appends than half the
//! live entries, as a queue's squeezes would). A squeeze whose holes are all in the gap just
//! closes it: the entries past it move down at once. So iteration tests at most 1.5 slots per
//! live entry and steps over the rest; a slide is O(1), and each squeeze costs O(live) and
//! follows at least `live / 8` deletions or appends, so every operation stays O(1) amortised.

use super::entries::{Bucket, EntrySlot, SoughtHash, StoredHash};
use super::index::{slot_bytes_for, with_index, Index, SlotWord};
use super::iter::clone_slots;
use super::ranks::{Positions, Ranks};
use super::TryReserveError;
use hashbrown::{hash_table, HashTable};
use std::mem;

/// Holes are squeezed out after a deletion only when there are at least this many of them (of
/// those an iteration tests) and they exceed half the live entries; below this a small dict
/// keeps its holes.
pub(crate) const COMPACT_MIN_HOLES: usize = 8;

/// An entries array of at most this many slots is squeezed by all its holes and never slid
/// (`Table::compact_if_sparse`): its squeeze is cheap (its renumbering table is on the
/// stack), and iterating 16 u64 keys with a gap and a few holes after it measured 1.3-1.5 x
/// indexmap against 0.93-1.0 squeezed, the fixed cost of stepping over a gap. The fuzzers
/// (whose dicts hold at most 24 keys) slide from 9 slots on, so that they exercise it.
const NEVER_SLID_UP_TO: usize = if cfg!(fuzzing) { 8 } else { 64 };

/// [`Table::retain`] deletes one entry at a time, each found by a probe, up to this fraction
/// (1 / `RETAIN_ONE_BY_ONE`) of the live entries it started with; past it, it rebuilds the
/// index once at the end.
const RETAIN_ONE_BY_ONE: usize = 32;

/// ... and always this many: a retain that deletes a handful of entries never rebuilds the
/// index (and the fuzzers' dicts, of at most 24 keys, go through both phases).
const RETAIN_ONE_BY_ONE_AT_LEAST: usize = 4;

/// How many refused entries [`Table::retain`] takes out of the array before unlinking their
/// slots from the index, a probe each ([`Unlinking`]): a retain that goes on in bulk within
/// that many deletions has spent no probe on them. (32 saved 1 instruction an entry more at
/// 1,000 keys and cost 2 at 16, in clearing the larger batch.)
const RETAIN_REFUSED_BATCH: usize = 16;

/// How many slots one step of [`Table::slide_gap`] looks at, at most: a gap left behind by a
/// deletion before it (which starts a new gap) is taken in again that many holes a step, so
/// that no deletion pays for a long one at once.
const GAP_STEP_BUDGET: usize = 16;

/// The capacity an entries array of `len` entries grows to when full: a quarter more, and at
/// least 4 more. Panics with a clear message when that does not fit in `usize`.
pub(crate) fn grown_capacity(len: usize) -> usize {
    len.checked_add((len / 4).max(4))
        .expect("vdict: capacity overflow")
}

/// Where a key lives: the index bucket holding its slot, and the slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Found {
    pub(crate) bucket: usize,
    pub(crate) slot: usize,
}

/// A probe's finding that a key is absent. An insert that follows puts it where the index has
/// room then (after growing, if it must).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Vacant;

/// How positions map to slots while the entries are borrowed mutably (see
/// [`Table::entries_with_positions`]).
#[derive(Clone, Copy)]
pub(crate) struct SlotsOf<'t> {
    /// The flat table of positions, if built.
    flat: Option<&'t [u32]>,
    /// The ranks, if the entries have holes.
    ranks: Option<&'t Ranks>,
    live_prefix: usize,
}

impl SlotsOf<'_> {
    /// The slot of the live entry at `position`, which must be below the number of live
    /// entries.
    pub(crate) fn slot(&self, position: usize) -> usize {
        if position < self.live_prefix {
            return position;
        }
        match (self.flat, self.ranks) {
            (Some(flat), _) => flat[position] as usize,
            (None, Some(ranks)) => ranks.select(position),
            (None, None) => position,
        }
    }

    /// Slots below this one are all live.
    pub(crate) fn live_prefix(&self) -> usize {
        self.live_prefix
    }
}

/// The index and the entries array. See the module comment for how they work together.
pub(crate) struct Table<K, V> {
    /// The slots of the live entries, by hash.
    index: Index,
    /// Live entries and holes, in insertion order; the last one, if any, is live.
    entries: Vec<EntrySlot<K, V>>,
    /// Live entries.
    used: usize,
    /// Every slot below this one is live (so it is at most the first hole, if any; `usize::MAX`
    /// when no slot was deleted since the last squeeze). Iteration walks that prefix without
    /// testing for holes. Only a deletion makes a hole, and it lowers this to its slot; a
    /// squeeze, which removes every hole, and `clear` and `drain` raise it back. (It can end up
    /// lower than it need be, e.g. after trailing holes are trimmed: still true, just less
    /// useful.)
    live_prefix: usize,
    /// Every slot from `live_prefix` up to this one is a hole: the *gap*, a run of holes that
    /// iteration steps over without testing its slots, and that removals slide toward the end
    /// of the array (see [`Table::slide_gap`]). Never below `live_prefix` while there are
    /// holes; it may reach past the array's end only when there are none.
    gap_end: usize,
    /// Positions past the first hole (`ranks.rs`): built by the first positional question
    /// that needs them, kept up to date by every change of a slot from live to hole or back,
    /// dropped by a squeeze. (Built through `&self`, so that lookups may build them.)
    positions: Positions,
}

impl<K: Clone, V: Clone> Clone for Table<K, V> {
    /// Slot for slot (the slot cache relies on a clone's slots being its original's: see
    /// `Tags`), the entries through [`clone_slots`], which skips the hole tests of a
    /// hole-free array.
    fn clone(&self) -> Self {
        Table {
            index: self.index.clone(),
            entries: clone_slots(&self.entries, self.used),
            used: self.used,
            live_prefix: self.live_prefix,
            gap_end: self.gap_end,
            positions: self.positions.clone(),
        }
    }
}

/// The stored hash of the entry in `slot`, which the index holds and so is live: how the index
/// re-hashes a slot when it grows or is rebuilt.
#[inline]
fn hash_at<K, V>(entries: &[EntrySlot<K, V>], slot: usize) -> u64 {
    entries[slot]
        .as_ref()
        .expect("vdict: the index holds the slot of a hole (corrupt table)")
        .hash
        .get()
}

impl<K, V> Table<K, V> {
    /// An empty table that owns no heap memory.
    pub(crate) const fn new() -> Self {
        Table {
            index: Index::new(),
            entries: Vec::new(),
            used: 0,
            live_prefix: usize::MAX,
            gap_end: usize::MAX,
            positions: Positions::new(),
        }
    }

    /// An empty table that takes `capacity` inserts without allocating.
    pub(crate) fn with_capacity(capacity: usize) -> Self {
        if capacity == 0 {
            return Table::new();
        }
        Table {
            index: Index::with_capacity(capacity, capacity),
            entries: Vec::with_capacity(capacity),
            used: 0,
            live_prefix: usize::MAX,
            gap_end: usize::MAX,
            positions: Positions::new(),
        }
    }

    /// Live entries.
    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.used
    }

    /// How many entries the table holds in all without allocating: what both the entries
    /// array (less its holes) and the index have room for.
    pub(crate) fn capacity(&self) -> usize {
        let holes = self.entries.len() - self.used;
        (self.entries.capacity() - holes).min(self.index.capacity())
    }

    pub(crate) fn index(&self) -> &Index {
        &self.index
    }

    /// How many slots at the start of the entries array are known to be live: all of them
    /// when there is no hole, else a prefix that ends at or before the first hole (every hole
    /// left was made by a deletion since the last reset, which lowered `live_prefix` to its
    /// slot, so then it is below the length).
    #[inline]
    pub(crate) fn live_prefix(&self) -> usize {
        if !self.has_holes() {
            self.entries.len()
        } else {
            self.live_prefix
        }
    }

    /// How many holes follow the live prefix (the gap: see `gap_end`), which an iteration may
    /// step over untested. 0 when there are no holes.
    #[inline]
    pub(crate) fn gap_after_live_prefix(&self) -> usize {
        if !self.has_holes() {
            0
        } else {
            self.gap_end - self.live_prefix
        }
    }

    /// What an iterator over the entries array needs to know of it: the live entries, the
    /// live prefix, and the gap after it.
    #[inline]
    pub(crate) fn walk_shape(&self) -> (usize, usize, usize) {
        (self.used, self.live_prefix(), self.gap_after_live_prefix())
    }

    /// The entries array, holes included.
    #[inline]
    pub(crate) fn entries(&self) -> &[EntrySlot<K, V>] {
        &self.entries
    }

    /// The entries array for in-place value updates. Callers must not change keys or make or
    /// fill holes through it (lookups read the entry a slot in the index names without
    /// testing it for a hole: see `entry_is_key`).
    #[inline]
    pub(crate) fn entries_mut(&mut self) -> &mut [EntrySlot<K, V>] {
        &mut self.entries
    }

    /// How many entries the entries array holds without reallocating.
    pub(crate) fn entries_capacity(&self) -> usize {
        self.entries.capacity()
    }

    /// Bytes of heap owned by the table itself (not by its keys and values).
    pub(crate) fn heap_bytes(&self) -> usize {
        self.index.heap_bytes() + self.entries.capacity() * mem::size_of::<EntrySlot<K, V>>()
    }

    /// Finds the live entry whose stored hash is `hash` and whose key `is_key` accepts.
    ///
    /// For plain-word keys (see `is_plain_word`) this and the other lookups probe a
    /// 2-byte-slot index inline and a wider one out of line, so that a caller holds one
    /// probe loop, not three: small enough for the compiler to inline a lookup into a
    /// user's loop, as it inlines hashbrown's. Measured (plain caller, 1,000 `u64` keys,
    /// INTERNALS.md §7): 44 instructions a hit and 37 a miss, against 56 and 48 with all
    /// three widths inline, which kept `get` out of line; on the clock hits 20-30% faster.
    /// Past 65,536 entries the call is the price: the same probe called rather than inlined
    /// measured 1.3-1.5 x on the clock (INTERNALS.md, "The goals it does not meet"), as
    /// indexmap's lookup, never inlined, pays too. The out-of-line half takes the caller's `is_key` as it is:
    /// building the probe's closure before the call put enough set-up in the caller to keep
    /// it from being inlined.
    ///
    /// Other keys keep every width inline: hashing a string or comparing one is a call, so
    /// their lookup is never small enough to inline, and a second call for a wide index
    /// cost 30 instructions a hit (1,000,000 `String` keys: 154 against 124).
    #[inline]
    pub(crate) fn find(
        &self,
        hash: SoughtHash,
        mut is_key: impl FnMut(&K) -> bool,
    ) -> Option<Found> {
        match &self.index {
            Index::Narrow(table) => probe_bucket(table, &self.entries, hash, &mut is_key),
            index if !is_plain_word::<K>() => {
                with_index!(index, table => probe_bucket(table, &self.entries, hash, &mut is_key))
            }
            _ => self.find_in_wide_index(hash, is_key),
        }
    }

    /// [`find`](Table::find) in a 4- or 8-byte-slot index, out of line.
    ///
    /// Each out-of-line half probes a 4-byte-slot index in place and leaves an 8-byte one
    /// (past 2^32 entries) to a cold call that serves any width. Probing both widths in place
    /// made the half test the width twice and hold more registers: callgrind, 100,000 u64
    /// keys, `get` from a caller's loop, 55.5 -> 52.5 instructions a hit, 50.1 -> 47.2 a miss.
    #[inline(never)]
    fn find_in_wide_index(
        &self,
        hash: SoughtHash,
        mut is_key: impl FnMut(&K) -> bool,
    ) -> Option<Found> {
        match &self.index {
            Index::Wide(table) => probe_bucket(table, &self.entries, hash, &mut is_key),
            _ => self.find_in_any_index(hash, is_key),
        }
    }

    /// [`find`](Table::find) in an index of any width, out of line and cold.
    #[cold]
    #[inline(never)]
    fn find_in_any_index(
        &self,
        hash: SoughtHash,
        mut is_key: impl FnMut(&K) -> bool,
    ) -> Option<Found> {
        with_index!(&self.index, table => probe_bucket(table, &self.entries, hash, &mut is_key))
    }

    /// [`find`](Table::find) with an equality that may fail: `is_key` is asked only about
    /// entries whose stored hash is `hash` (whatever the key type: the caller's equality may
    /// have side effects, so it must not see keys that merely share 7 bits), and its first
    /// error ends the probe and comes back unchanged. Changes nothing.
    pub(crate) fn find_fallible<E>(
        &self,
        hash: SoughtHash,
        mut is_key: impl FnMut(&K) -> Result<bool, E>,
    ) -> Result<Option<Found>, E> {
        let entries = &self.entries;
        let mut failure = None;
        let mut compare = |slot: usize| {
            let bucket = live_entry(entries, slot);
            if bucket.hash != hash.stored() {
                return false;
            }
            match is_key(&bucket.key) {
                Ok(found) => found,
                Err(error) => {
                    // Stop the probe here; the error is what the caller gets.
                    failure = Some(error);
                    true
                }
            }
        };
        let found = with_index!(&self.index, table => {
            table
                .find_bucket_index(hash.probe(), |slot| compare(slot.get()))
                .and_then(|bucket| Some(Found { bucket, slot: table.get_bucket(bucket)?.get() }))
        });
        match failure {
            Some(error) => Err(error),
            None => Ok(found),
        }
    }

    /// The slot of [`find_fallible`](Table::find_fallible)'s entry: for `find_with`. Inline
    /// for a 2-byte-slot index only, as [`find`](Table::find).
    #[inline]
    pub(crate) fn find_slot_fallible<E>(
        &self,
        hash: SoughtHash,
        mut is_key: impl FnMut(&K) -> Result<bool, E>,
    ) -> Result<Option<usize>, E> {
        match &self.index {
            Index::Narrow(table) => probe_slot_fallible(table, &self.entries, hash, &mut is_key),
            index if !is_plain_word::<K>() => with_index!(index, table =>
                probe_slot_fallible(table, &self.entries, hash, &mut is_key)),
            _ => self.find_slot_fallible_in_wide_index(hash, is_key),
        }
    }

    /// [`find_slot_fallible`](Table::find_slot_fallible) in a 4- or 8-byte-slot index, out of
    /// line (see [`find_in_wide_index`](Table::find_in_wide_index)).
    #[inline(never)]
    fn find_slot_fallible_in_wide_index<E>(
        &self,
        hash: SoughtHash,
        mut is_key: impl FnMut(&K) -> Result<bool, E>,
    ) -> Result<Option<usize>, E> {
        match &self.index {
            Index::Wide(table) => probe_slot_fallible(table, &self.entries, hash, &mut is_key),
            _ => self.find_slot_fallible_in_any_index(hash, is_key),
        }
    }

    /// [`find_slot_fallible`](Table::find_slot_fallible) in an index of any width, out of line
    /// and cold.
    #[cold]
    #[inline(never)]
    fn find_slot_fallible_in_any_index<E>(
        &self,
        hash: SoughtHash,
        mut is_key: impl FnMut(&K) -> Result<bool, E>,
    ) -> Result<Option<usize>, E> {
        with_index!(&self.index, table => probe_slot_fallible(table, &self.entries, hash, &mut is_key))
    }

    /// The entry [`find_fallible`](Table::find_fallible) finds: for `get_with`. Inline for a
    /// 2-byte-slot index only, as [`find`](Table::find); each half hands back what fits in two
    /// registers (with the slot as well, the out-of-line half's answer went through memory,
    /// and that set-up kept `get_with` from being inlined into a caller's loop).
    #[inline]
    pub(crate) fn find_bucket_fallible<E>(
        &self,
        hash: SoughtHash,
        mut is_key: impl FnMut(&K) -> Result<bool, E>,
    ) -> Result<Option<&Bucket<K, V>>, E> {
        let slot = match &self.index {
            Index::Narrow(table) => probe_slot_fallible(table, &self.entries, hash, &mut is_key)?,
            index if !is_plain_word::<K>() => with_index!(index, table =>
                probe_slot_fallible(table, &self.entries, hash, &mut is_key))?,
            _ => return self.find_bucket_fallible_in_wide_index(hash, is_key),
        };
        Ok(slot.map(|slot| live_entry(&self.entries, slot)))
    }

    /// [`find_bucket_fallible`](Table::find_bucket_fallible) in a 4- or 8-byte-slot index, out
    /// of line (see [`find_in_wide_index`](Table::find_in_wide_index)).
    #[inline(never)]
    fn find_bucket_fallible_in_wide_index<E>(
        &self,
        hash: SoughtHash,
        mut is_key: impl FnMut(&K) -> Result<bool, E>,
    ) -> Result<Option<&Bucket<K, V>>, E> {
        let slot = match &self.index {
            Index::Wide(table) => probe_slot_fallible(table, &self.entries, hash, &mut is_key)?,
            _ => self.find_slot_fallible_in_any_index(hash, is_key)?,
        };
        Ok(slot.map(|slot| live_entry(&self.entries, slot)))
    }

    /// The first live slot at or after `from` whose entry is stored under `hash`: the
    /// candidates of a step-by-step lookup, in slot order (which an in-place rehash of the
    /// index, unlike the order of its buckets, leaves alone). O(candidates): it looks at
    /// every slot the index holds under `hash`'s control byte.
    pub(crate) fn first_candidate_from(&self, hash: StoredHash, from: usize) -> Option<usize> {
        let entries = &self.entries;
        with_index!(&self.index, table => {
            table
                .iter_hash(hash.get())
                .map(|slot| slot.get())
                .filter(|&slot| slot >= from && live_entry(entries, slot).hash == hash)
                .min()
        })
    }

    /// [`find`](Table::find), saying [`Vacant`] rather than `None`: for the entry API, whose
    /// vacant entry inserts later.
    #[inline]
    pub(crate) fn find_or_vacant(
        &self,
        hash: SoughtHash,
        is_key: impl FnMut(&K) -> bool,
    ) -> Result<Found, Vacant> {
        self.find(hash, is_key).ok_or(Vacant)
    }

    /// Like [`find`](Table::find), but hands out the entry itself: what read-only lookups
    /// want.
    #[inline]
    pub(crate) fn find_bucket(
        &self,
        hash: SoughtHash,
        is_key: impl FnMut(&K) -> bool,
    ) -> Option<&Bucket<K, V>> {
        self.find_slot_and_bucket(hash, is_key)
            .map(|(_, bucket)| bucket)
    }

    /// Like [`find_bucket`](Table::find_bucket), with the entry's slot too (for the caches,
    /// which remember it). Inline for a 2-byte-slot index only, as [`find`](Table::find).
    #[inline]
    pub(crate) fn find_slot_and_bucket(
        &self,
        hash: SoughtHash,
        mut is_key: impl FnMut(&K) -> bool,
    ) -> Option<(usize, &Bucket<K, V>)> {
        let slot = match &self.index {
            Index::Narrow(table) => probe_slot(table, &self.entries, hash, &mut is_key)?,
            index if !is_plain_word::<K>() => {
                with_index!(index, table => probe_slot(table, &self.entries, hash, &mut is_key))?
            }
            _ => return self.find_slot_and_bucket_in_wide_index(hash, is_key),
        };
        Some((slot, live_entry(&self.entries, slot)))
    }

    /// [`find_slot_and_bucket`](Table::find_slot_and_bucket) in a 4- or 8-byte-slot index,
    /// out of line (see [`find_in_wide_index`](Table::find_in_wide_index)).
    #[inline(never)]
    fn find_slot_and_bucket_in_wide_index(
        &self,
        hash: SoughtHash,
        mut is_key: impl FnMut(&K) -> bool,
    ) -> Option<(usize, &Bucket<K, V>)> {
        let slot = match &self.index {
            Index::Wide(table) => probe_slot(table, &self.entries, hash, &mut is_key)?,
            // Cold: through the fallible probe, whose answer comes back in registers (the
            // stored hash it compares first is the key's own whenever the keys are equal).
            _ => {
                let mut is_key = is_key;
                let found = self.find_slot_fallible_in_any_index(hash, |key| {
                    Ok::<_, std::convert::Infallible>(is_key(key))
                });
                match found {
                    Ok(slot) => slot?,
                    Err(never) => match never {},
                }
            }
        };
        Some((slot, live_entry(&self.entries, slot)))
    }

    /// Finds `key` (whose hash is `hash`), or appends it with `value`. `Eq` (user code)
    /// runs before anything changes that a caller could see: the index may have grown (its
    /// slots unmoved), nothing else.
    ///
    /// One probe, hashbrown's `entry`, serves both outcomes. When the key is absent and the
    /// entries array is full, the vacant entry is let go unused and the key goes in through
    /// [`push_vacant`](Table::push_vacant), which makes room first (a squeeze moves slots, so
    /// it cannot happen while the probe's result is held). Testing for a full array before the
    /// probe instead sent every overwrite of a full dict (a 16-key dict built by inserts has
    /// a full array) down a slower path: callgrind, u64 keys, overwrite 140.7 -> 93.8
    /// instructions at 16 keys, 97.1 -> 91.1 at 1,000.
    ///
    /// The stored form of the hash is made only on the way to appending (it probes as the
    /// hash itself does): an overwrite does not pay for it (callgrind, u64 keys, 1,000:
    /// 84.1 -> 82.1 instructions an overwrite).
    #[inline]
    pub(crate) fn insert(&mut self, hash: SoughtHash, key: K, value: V) -> Inserted<K, V>
    where
        K: Eq,
    {
        let Table {
            index,
            entries,
            used,
            positions,
            ..
        } = self;
        with_index!(index, table => {
            let entry = table.entry(
                hash.probe(),
                |slot| entry_is_key(entries, slot.get(), hash, &mut |stored: &K| *stored == key),
                |slot| hash_at(entries, slot.get()),
            );
            match entry {
                hash_table::Entry::Occupied(occupied) => {
                    return Inserted::Present { slot: occupied.get().get(), key, value };
                }
                // Whether the array has room is read here, after the probe, and the entry is
                // pushed before its slot goes in the index: read before the probe, the two
                // words were kept live across the probe loop and spilled, and a push after
                // the index's write tested the capacity again (callgrind, u64 keys, 1,000:
                // 126.4 -> 117.5 instructions a reserved insert).
                hash_table::Entry::Vacant(vacant) if entries.len() < entries.capacity() => {
                    // The slot fits the index's width: the width is chosen for the entries
                    // array's capacity, and the array has room.
                    let slot = append_entry(entries, used, positions, hash.stored(), key, value);
                    vacant.insert(SlotWord::new(slot));
                    return Inserted::Added;
                }
                hash_table::Entry::Vacant(_) => {}
            }
        });
        self.push_vacant(Vacant, hash.stored(), key, value);
        Inserted::Added
    }

    /// The entry in `slot`, which [`insert`](Table::insert) has just reported
    /// [`Present`](Inserted::Present), read without a bounds check or a hole test, as a
    /// lookup reads the entries the index names. Callgrind, `examples/profile_api vdict
    /// <operation> 1000`, `insert_full` of a present key (`insert_full_hit`) 96.2 -> 91.2
    /// instructions (indexmap 80.2), of an absent one (`insert_full_new`) 212.1 -> 214.2
    /// (225.1).
    ///
    /// # Safety
    ///
    /// `slot` is the slot of an `Inserted::Present` this table returned, and the table has
    /// not changed since (it was read from the index, which holds only live slots: see
    /// [`live_entry`]).
    #[inline]
    #[allow(unsafe_code)]
    pub(crate) unsafe fn present_bucket_mut(&mut self, slot: usize) -> &mut Bucket<K, V> {
        live_entry_mut(&mut self.entries, slot)
    }

    /// Appends an entry for a key that a probe found absent, the table unchanged since, and
    /// puts its slot in the index; makes room first if the entries array is full (which may
    /// squeeze out holes, moving slots). Returns the new entry's slot.
    pub(crate) fn push_vacant(
        &mut self,
        _vacant: Vacant,
        hash: StoredHash,
        key: K,
        value: V,
    ) -> usize {
        if self.entries.len() == self.entries.capacity() {
            self.make_room();
        }
        let slot = self.entries.len();
        let Table { index, entries, .. } = self;
        with_index!(index, table => {
            table.insert_unique(hash.get(), SlotWord::new(slot), |slot| hash_at(entries, slot.get()));
        });
        append_entry(
            &mut self.entries,
            &mut self.used,
            &mut self.positions,
            hash,
            key,
            value,
        );
        slot
    }

    /// Makes room for one more entry in a full entries array: squeezes out the holes if they
    /// are at least an eighth of it (so the next squeeze is at least that many appends
    /// away), else grows it (by [`entries_growth`](Table::entries_growth)), widening the
    /// index's slots if the new capacity calls for it. Slots move only in the first case,
    /// and the answer says whether they did.
    ///
    /// A squeeze that leaves room for fewer appends than half the live entries grows the
    /// array too. Without that, a queue (insert at the back, remove the oldest) of 1,000 keys
    /// filled its array every 294 steps and paid a squeeze of the whole dict each time, 143
    /// instructions a step amortised of its 401 (callgrind, u64 keys); growing once, it
    /// squeezes every 616 steps. What it costs: its entries array holds up to about twice
    /// its live entries, where it held 1.3 times; its heap peaks at 1.45-1.8 × a
    /// fresh dict's of the same keys built by inserts (100 to 50,000 u64 keys,
    /// `tests/queue_memory.rs`, which holds it under 2).
    fn make_room(&mut self) -> bool {
        let len = self.entries.len();
        let holes = len - self.used;
        let squeezed = holes > 0 && holes * 8 >= len;
        if squeezed {
            self.squeeze();
            // The squeeze left room for `holes` appends. If that is fewer than half the live
            // entries, grow as well, so that a dict whose removals keep pace with its inserts
            // (a queue, a cache that evicts) squeezes at most once per that many appends.
            if holes * 2 >= self.used {
                return true;
            }
        }
        self.entries
            .reserve_exact(self.entries_growth(len) - self.entries.len());
        self.fit_index_width();
        // Holes kept in an array that may now be too big to scan for positions.
        self.positions_follow_holes();
        squeezed
    }

    /// The capacity a full entries array of `len` entries grows to: a quarter more
    /// ([`grown_capacity`]), except when the index would fill up within that quarter and the
    /// growth after it would need wider slots. Then it grows only to one short of what the
    /// index holds, so that the next growth rebuilds the index at the new width and the new
    /// size at once, before hashbrown grows it (an insert's probe, which comes before the
    /// entries array is asked for room, grows a full index).
    ///
    /// Without that, a dict growing past 57,344 entries rebuilt its index twice within 33
    /// inserts: hashbrown doubled the 2-byte-slot index when it was full, at 57,344 entries,
    /// and the entries array, full at 57,377, grew past the 65,536 entries 2-byte slots can
    /// name, which rebuilt the index with 4-byte slots (callgrind, `examples/profile vdict
    /// insert_grow u64 100000`: 199.1 instructions an insert, about 21 of them that second
    /// rebuild).
    fn entries_growth(&self, len: usize) -> usize {
        let grown = grown_capacity(len);
        if grown_capacity(grown) <= u16::MAX_ENTRIES {
            // The next two growths keep 2-byte slots: nothing to line up. Every small dict
            // leaves here on one compare with a constant; asking the index its width instead
            // (which would cover the 4-to-8-byte limit too, 2^32 entries away) cost a
            // growing insert at 16 u64 keys 7 instructions, 321.5 -> 328.4.
            return grown;
        }
        let last_before_index_grows = self.index.capacity().saturating_sub(1);
        let index_fills_first = len < last_before_index_grows && last_before_index_grows < grown;
        if index_fills_first
            && slot_bytes_for(grown_capacity(last_before_index_grows)) > self.index.slot_bytes()
        {
            last_before_index_grows
        } else {
            grown
        }
    }

    /// Rebuilds the index at the slot width the entries array's capacity calls for, if it is
    /// not at that width already (slots unmoved). The new index is sized for the whole
    /// entries array, which bounds the slots it can hold: sized for the slots it held, it was
    /// often full, and hashbrown rebuilt it again at the next insert to grow it.
    fn fit_index_width(&mut self) {
        if slot_bytes_for(self.entries.capacity()) != self.index.slot_bytes() {
            self.index = Index::with_capacity(
                self.index.capacity().max(self.entries.capacity()),
                self.entries.capacity(),
            );
            self.reindex();
        }
    }

    /// Empties the index and puts every live entry's slot back in, from the stored hashes.
    /// Calls no user code; the index has room for them all, so it does not allocate.
    fn reindex(&mut self) {
        let Table { index, entries, .. } = self;
        with_index!(index, table => {
            table.clear();
            for (slot, bucket) in entries.iter().enumerate() {
                if let Some(bucket) = bucket {
                    table.insert_unique(bucket.hash.get(), SlotWord::new(slot), |slot| {
                        hash_at(entries, slot.get())
                    });
                }
            }
        });
    }

    /// Slides the live entries down over the holes, keeping their order, and renumbers the
    /// slots the index holds to match. Calls no user code (no key or value is dropped or
    /// compared), and the only allocation, the renumbering table, is made before anything
    /// changes, so the table is never seen half squeezed.
    ///
    /// The index is renumbered in place, not rebuilt: each bucket keeps its place (its hash
    /// did not change) and gets its entry's new slot. Against clearing the index and putting
    /// every slot back in from its stored hash: no probe, no control byte written, no entry's
    /// hash read. Only slots from the live prefix on move, so only they are in the
    /// renumbering table.
    ///
    /// When every hole is in the gap (the holes a queue's removals from the front leave, or
    /// any run of neighbouring removals), the squeeze closes the gap instead: the entries past
    /// it move down by one memmove, and each slot past it in the index by the gap's length,
    /// with no renumbering table (see [`close_gap`]).
    fn squeeze(&mut self) {
        if self.only_gap().is_some() {
            let (start, end) = (self.live_prefix, self.gap_end);
            with_index!(&mut self.index, table => close_gap(table, &mut self.entries, start, end));
        } else {
            let first_moved = self.live_prefix().min(self.entries.len());
            with_index!(&mut self.index, table => squeeze_into(table, &mut self.entries, first_moved));
        }
        self.holes_gone();
    }

    /// After a change that left no hole (a squeeze, a rebuild, emptying the array): no live
    /// prefix or gap to remember, and no positions past a hole to keep.
    fn holes_gone(&mut self) {
        self.live_prefix = usize::MAX;
        self.gap_end = usize::MAX;
        self.positions.forget();
    }

    /// Deletes the entry at `found`, leaving a hole (trimmed if it is the last entry).
    /// Consistent at return; does not squeeze (see [`Table::compact_if_sparse`]).
    #[inline]
    pub(crate) fn take(&mut self, found: Found) -> Bucket<K, V> {
        with_index!(&mut self.index, table => {
            table
                .get_bucket_entry(found.bucket)
                .unwrap_or_else(|_| panic!("vdict: bucket {} is empty (corrupt table)", found.bucket))
                .remove();
        });
        self.take_entry(found.slot)
    }

    /// Finds the key `is_key` accepts under `hash` and deletes it, leaving a hole (trimmed if
    /// it is the last entry): [`find`](Table::find) and [`take`](Table::take) in one probe,
    /// whose bucket is removed where the probe found it rather than looked up again by its
    /// index (callgrind, `examples/profile vdict remove_half_ordered u64 1000`: 214.9 -> 201.5
    /// instructions a removal). `is_key` (user code) runs before anything changes.
    /// Consistent at return; does not squeeze (see [`Table::compact_if_sparse`]).
    #[inline]
    pub(crate) fn remove_key(
        &mut self,
        hash: SoughtHash,
        is_key: impl FnMut(&K) -> bool,
    ) -> Option<Bucket<K, V>> {
        let slot = self.unlink_key(hash, is_key)?;
        Some(self.take_entry(slot))
    }

    /// Finds the key `is_key` accepts under `hash` and takes its slot out of the index, in
    /// one probe (hashbrown's `find_entry`); returns the slot, whose entry the caller then
    /// deals with. `is_key` (user code) runs before anything changes. The by-key half of a
    /// deletion, as [`unlink_slot`](Table::unlink_slot) is the by-slot half.
    #[inline(always)]
    fn unlink_key(
        &mut self,
        hash: SoughtHash,
        mut is_key: impl FnMut(&K) -> bool,
    ) -> Option<usize> {
        let entries = &self.entries;
        match &mut self.index {
            Index::Narrow(table) => unlink_key_from(table, entries, hash, &mut is_key),
            Index::Wide(table) => unlink_key_from(table, entries, hash, &mut is_key),
            Index::Huge(_) => self.unlink_key_from_huge_index(hash, is_key),
        }
    }

    /// [`unlink_key`](Table::unlink_key) in an 8-byte-slot index (past 2^32 entries), out of
    /// line and cold: with its probe inline too, a removal cost 6 instructions more at every
    /// size (three probe loops in one function hold more registers than two).
    #[cold]
    #[inline(never)]
    fn unlink_key_from_huge_index(
        &mut self,
        hash: SoughtHash,
        mut is_key: impl FnMut(&K) -> bool,
    ) -> Option<usize> {
        let entries = &self.entries;
        with_index!(&mut self.index, table => unlink_key_from(table, entries, hash, &mut is_key))
    }

    /// Keeps the live entries `keep` accepts, in order, and deletes the others (the dict's
    /// `retain`). `before_first_deletion` runs once, before the first entry is deleted (the
    /// dict bumps its tags there, so that they have changed even if a later `keep` or `Drop`
    /// panics). Returns whether slots moved.
    ///
    /// The first deletions are made one at a time, as `remove` makes them: a probe finds each
    /// one's bucket and takes it out of the index, and nothing else moves (each entry is
    /// dropped when `keep` refuses it, its probe made later, a batch at a time: see
    /// [`Unlinking`]). Past
    /// 1 / [`RETAIN_ONE_BY_ONE`] of the entries the walk started with (and at least
    /// [`RETAIN_ONE_BY_ONE_AT_LEAST`]), it goes on in bulk
    /// ([`retain_in_bulk`](Table::retain_in_bulk)): one `Vec::retain_mut` moves the
    /// survivors down over the holes, and the index is rebuilt once at the end. A probe per
    /// deletion costs more than putting a survivor back once deletions are more than a few
    /// in a hundred; a rebuild costs every survivor, which a retain that deletes a few
    /// entries of a large dict should not pay. Callgrind, `VDICT_HASH_SEED=1
    /// examples/profile vdict retain_half u64 <n>`, per entry, all deletions one at a time
    /// (as until 2026-12-05) -> now: 95.2 -> 46.4 at 1,000 keys, 101.8 -> 48.7 at 100,000
    /// (indexmap 29.7, 28.8, its `retain` a `Vec::retain` and a rebuild); `String` keys
    /// 157.8 -> 80.4 and 114.5 -> 54.4 (indexmap 58.3, 34.3). Deleting one entry in 64 of
    /// 1,000 stays one at a time: 11.6 per entry, where indexmap's rebuild costs 51.6 (a
    /// scratch program, the same build).
    ///
    /// Since 2026-12-06 the probes of the first deletions wait for a batch
    /// ([`RETAIN_REFUSED_BATCH`]) to fill, and a retain that goes on in bulk first skips
    /// them; the walk up to the first deletion and the walk between deletions are loops of
    /// their own. Callgrind, per entry, before -> after (`examples/profile_api vdict
    /// <operation> <n>`, indexmap in brackets): `retain_half` 83.8 -> 63.1 at 16 keys (31.6),
    /// 52.3 -> 43.2 at 64 (26.3), 45.5 -> 42.9 at 1,000 (28.1), 46.2 -> 44.6 at 100,000
    /// (28.5); `retain_most`, one key in 64 deleted, 14.0 -> 12.4 (9.1), 10.4 -> 9.2 (6.8),
    /// 11.1 -> 10.7 (51.7), 11.0 -> 10.7 (51.3). Later that day the bulk walk became a
    /// `Vec::retain_mut` (see [`retain_in_bulk`](Table::retain_in_bulk)): `retain_half` 63.1
    /// -> 57.2 at 16 keys, 43.2 -> 37.2 at 64, 42.9 -> 36.7 at 1,000, 44.6 -> 38.2 at
    /// 100,000. What is left against indexmap's is the walk's test for holes and its test of
    /// which side of the first refusal an entry is on (2 instructions an entry each), the
    /// first deletions' probes and the stretch before the bulk walk walked twice (about 3 an
    /// entry), and at 16 keys the fixed costs (the batch cleared, the version taken); the
    /// rebuild costs what indexmap's does.
    ///
    /// If `keep` or a deleted entry's `Drop` panics, the table is left consistent, holding
    /// the entries not deleted yet.
    pub(crate) fn retain(
        &mut self,
        mut keep: impl FnMut(&mut K, &mut V) -> bool,
        mut before_first_deletion: impl FnMut(),
    ) -> bool {
        // Up to the first entry `keep` refuses, nothing changes.
        let mut slot = 0;
        loop {
            let Some(entry) = self.entries.get_mut(slot) else {
                return false;
            };
            if let Some(bucket) = entry {
                if !keep(&mut bucket.key, &mut bucket.value) {
                    break;
                }
            }
            slot += 1;
        }
        before_first_deletion();
        self.retain_from_refused(slot, keep)
    }

    /// [`retain`](Table::retain) from `first`, the first entry `keep` refused (live, not yet
    /// deleted), to the end. Returns whether slots moved.
    ///
    /// A refused entry is taken out of the array (and dropped) at once, but its slot is
    /// unlinked from the index later, a batch at a time ([`Unlinking`]): a retain that goes
    /// on in bulk within the batch has spent no probe on them, since the bulk walk rebuilds
    /// the index anyway.
    fn retain_from_refused(
        &mut self,
        first: usize,
        mut keep: impl FnMut(&mut K, &mut V) -> bool,
    ) -> bool {
        let one_by_one = (self.used / RETAIN_ONE_BY_ONE).max(RETAIN_ONE_BY_ONE_AT_LEAST);
        let len = self.entries.len();
        let mut unlinking = Unlinking {
            table: self,
            taken: [(0, 0); RETAIN_REFUSED_BATCH],
            count: 0,
        };
        unlinking.take(first);
        let mut deleted = 1;
        // The array's length stays as it is until the end: a batch's trim of trailing holes
        // stops at the live entry the walk is at.
        let mut from = first + 1;
        while let Some(refused) = next_refused(&mut unlinking.table.entries[from..len], &mut keep) {
            let slot = from + refused;
            from = slot + 1;
            if deleted == one_by_one {
                // The entries taken and not yet unlinked are holes to the bulk walk, which
                // rebuilds the index.
                unlinking.count = 0;
                unlinking.table.retain_in_bulk(slot, keep);
                return true;
            }
            deleted += 1;
            if unlinking.count == RETAIN_REFUSED_BATCH {
                unlinking.finish();
            }
            unlinking.take(slot);
        }
        drop(unlinking);
        self.compact_if_sparse()
    }

    /// [`retain`](Table::retain) in bulk from `first`, a live entry `keep` has refused, to
    /// the end; the slots before `first` hold entries `keep` has kept and holes (some of them
    /// not yet counted: see [`Unlinking`]). One `Vec::retain_mut` walks the whole array: it
    /// drops the holes (`first` made one first) and every entry `keep` refuses past `first`,
    /// and moves each survivor down over what it dropped (the order is kept). Then, or when
    /// `keep` or a `Drop` panics, a guard squeezes out any holes left and rebuilds the index
    /// from the stored hashes, which also settles the holes not yet counted. The index holds
    /// stale slots meanwhile, which nothing reads: the table is borrowed for the whole walk,
    /// and `keep` sees only the entry it is given.
    ///
    /// Until 2026-12-06 a loop of its own moved each survivor down as it met it
    /// (`entries[free] = entries[slot].take()`: through the stack, a `None` written behind
    /// it): callgrind, `VDICT_HASH_SEED=1 examples/profile vdict retain_half <key> <n> 20`,
    /// per entry, before -> after, indexmap in brackets: u64 66.5 -> 59.1 at 16 keys (33.9),
    /// 46.0 -> 38.5 at 1,000 (29.7), 49.4 -> 41.9 at 100,000 (28.8); `String` 67.6 -> 53.3
    /// (30.9), 80.2 -> 67.2 (58.3), 55.3 -> 42.3 (34.3). On the clock it is not a clean win:
    /// the report's `retain_half` (every other entry kept) went 1.23-1.28 -> 1.17 x indexmap
    /// at 1,000 u64 keys and 1.18-1.26 -> 1.05-1.09 at 100,000, but with a random half kept
    /// (`examples/profile_api clock retain_half`) 1.17-1.31 -> 1.29-1.41 at 1,000 (1.24-1.25
    /// -> 1.19-1.21 at 100,000). Making refused entries holes in one walk and squeezing them
    /// out with `Vec::retain` in a second counted fewer still (38.9 at 1,000 u64 keys, by
    /// `examples/profile_api`) but ran slower (`examples/profile_api clock retain_half`,
    /// vdict / indexmap 1.21-1.23 -> 1.41-1.47 at 1,000 keys, 1.25 -> 1.74 at 100,000): each
    /// walk branches on which entries `keep` refused, and with a
    /// random half refused each of those branches is a coin toss the predictor misses half
    /// the time; one walk tosses once an entry.
    fn retain_in_bulk(&mut self, first: usize, mut keep: impl FnMut(&mut K, &mut V) -> bool) {
        /// Settles the table when dropped, on return or unwinding.
        struct Rebuild<'t, K, V> {
            table: &'t mut Table<K, V>,
            /// Whether the walk finished: every entry is then live.
            walked: bool,
        }
        impl<K, V> Drop for Rebuild<'_, K, V> {
            fn drop(&mut self) {
                let table = &mut *self.table;
                if !self.walked {
                    // `Vec::retain_mut` unwound with the entries it had not reached in
                    // place, holes among them.
                    table.entries.retain(Option::is_some);
                }
                table.used = table.entries.len();
                table.holes_gone();
                table.reindex();
            }
        }
        let mut guard = Rebuild {
            table: self,
            walked: false,
        };
        // `retain_mut` hands each entry over where it lies, before moving it, so its address
        // says which side of `first` it is on (a count of the calls, which the closure keeps
        // in memory, cost 5 instructions an entry more). `std` does not promise that; a unit
        // test, `vec_retain_mut_hands_each_element_over_where_it_lies`, checks it.
        let first_entry: *const EntrySlot<K, V> = &guard.table.entries[first];
        drop(guard.table.entries[first].take());
        guard.table.entries.retain_mut(|entry| {
            let at: *const EntrySlot<K, V> = entry;
            match entry {
                None => false,
                Some(bucket) => at < first_entry || keep(&mut bucket.key, &mut bucket.value),
            }
        });
        guard.walked = true;
    }

    /// Reverses the order of the live entries (the dict's `reverse`): squeezes out any holes,
    /// reverses the array, and renames every slot the index holds, `s` becoming `len - 1 - s`
    /// (indexmap's way): no probe and no hash read, where rebuilding the index puts every slot
    /// back in from its stored hash. Calls no user code. Callgrind, `VDICT_HASH_SEED=1
    /// examples/profile vdict reverse u64 1000`: 60.3 -> 23.1 instructions per entry
    /// (indexmap 24.1); `String` keys 102.4 -> 63.2 (indexmap 71.1).
    pub(crate) fn reverse(&mut self) {
        if self.has_holes() {
            self.squeeze();
        }
        self.entries.reverse();
        let last = self.entries.len().wrapping_sub(1);
        with_index!(&mut self.index, table => {
            for slot in table.iter_mut() {
                *slot = SlotWord::new(last - slot.get());
            }
        });
    }

    /// Deletes the live entry at `slot` (for deletions that walk the entries, like `retain`).
    pub(crate) fn take_slot(&mut self, slot: usize) -> Bucket<K, V> {
        self.unlink_slot(slot);
        self.take_entry(slot)
    }

    /// Takes `slot`, a live entry's, out of the index. Never calls user code: it compares
    /// slots, not keys (CPython's `lookdict_index`).
    #[inline]
    fn unlink_slot(&mut self, slot: usize) {
        let hash = hash_at(&self.entries, slot);
        with_index!(&mut self.index, table => unlink_slot_from(table, hash, slot));
    }

    /// The second half of a deletion, once the slot is out of the index: the entry becomes a
    /// hole, and trailing holes are trimmed.
    ///
    /// Two paths, told apart by one compare: the last entry is popped with any holes before
    /// it, and any other becomes a hole. The hole's path asks the positions one question
    /// (are there cells: then mark the hole, else make room for them, unless the array is
    /// small enough to count its positions: see `SCANNED_UP_TO` in ranks.rs), where asking
    /// `mark_hole`, `trim_trailing_holes` and `positions_follow_holes` in turn tested the
    /// array's end and the cells three times. With `make_room` out of line and the squeeze's
    /// test moved before the version bump (`Dict::remove_hashed`): callgrind, `examples/profile
    /// vdict remove_half_ordered u64 1000`, 201.1 -> 196.3 instructions a removal.
    #[inline]
    fn take_entry(&mut self, slot: usize) -> Bucket<K, V> {
        let bucket = self.entries[slot]
            .take()
            .expect("vdict: the index held the slot of a hole (corrupt table)");
        self.count_hole(slot);
        bucket
    }

    /// The bookkeeping of a deletion whose entry at `slot` has just become a hole (and whose
    /// slot is out of the index): the count, trailing holes trimmed, the live prefix, the gap
    /// and the positions.
    #[inline(always)]
    fn count_hole(&mut self, slot: usize) {
        self.used -= 1;
        if slot + 1 == self.entries.len() {
            // The last entry: every hole left is before it, so the live prefix stands.
            self.positions.mark_hole(slot);
            self.trim_trailing_holes();
        } else {
            self.hole_before_the_end(slot);
        }
    }

    /// The bookkeeping of a hole just made at `slot`, which is not the last slot: the live
    /// prefix, the gap and the positions.
    #[inline(always)]
    fn hole_before_the_end(&mut self, slot: usize) {
        if slot < self.live_prefix {
            if slot + 1 != self.live_prefix {
                // A hole before the live prefix's end, not touching the gap: it starts a gap
                // of its own, and the old gap's holes are left behind as scattered ones.
                self.gap_end = slot + 1;
            }
            self.live_prefix = slot;
        } else if slot == self.gap_end {
            self.gap_end = slot + 1;
        }
        self.positions.hole_made(slot, self.entries.capacity());
    }

    /// After a change that may have left holes or grown the entries array: the positions get
    /// room for their ranks while there are holes in an array too big to scan (see
    /// `Positions`).
    #[inline]
    fn positions_follow_holes(&mut self) {
        if self.has_holes() {
            self.positions.holes_exist(self.entries.capacity());
        }
    }

    /// Drops the holes at the end of the entries array, so that the last entry is live.
    fn trim_trailing_holes(&mut self) {
        while let Some(None) = self.entries.last() {
            self.entries.pop();
        }
        // The gap ends at the array's end at most (and never before the live prefix, which is
        // `usize::MAX` while there are no holes).
        self.gap_end = self.gap_end.min(self.entries.len().max(self.live_prefix));
        if !self.has_holes() {
            // No hole left: positions are slots again, and the rank structure has no use.
            self.positions.forget();
        }
    }

    /// Deletes the last live entry (Python's `popitem`). The last entry is always live (trailing
    /// holes are trimmed), so it is popped off the array rather than turned into a hole, and
    /// no hole is made: a pop never calls for a squeeze.
    #[inline]
    pub(crate) fn pop_last(&mut self) -> Option<Bucket<K, V>> {
        let bucket = self
            .entries
            .pop()?
            .expect("vdict: the last entry is a hole (corrupt table)");
        // The index still holds the popped slot until the next statement, which runs no user
        // code and no lookup.
        let slot = self.entries.len();
        match &mut self.index {
            Index::Narrow(table) => unlink_slot_from(table, bucket.hash.get(), slot),
            Index::Wide(table) => unlink_slot_from(table, bucket.hash.get(), slot),
            Index::Huge(_) => self.unlink_popped_slot_from_huge_index(bucket.hash.get(), slot),
        }
        self.used -= 1;
        if self.has_holes() {
            self.popped_before_holes(slot);
        }
        // Else no hole anywhere, so none at the end, and no cells to tell or free (they
        // exist only while holes do; the audit checks it). The common case: walking the
        // array's end and calling `forget` for nothing on every pop cost a pop of a u64 key
        // 133.1 instructions at 1,000 keys against 105.6 then (callgrind, `examples/profile`);
        // inlined into `Dict::pop_last` (the entry no longer handed back through memory, no
        // frame of its own) 105.2 -> 103.9, and 142.3 -> 135.6 for a `String` key. Then, on
        // 2026-12-05, the path past a hole went out of line and cold, the 8-byte-slot index's
        // probe too, and the unlinking's panic message (which had kept `slot` spilled to the
        // stack): three pushes instead of six, u64 105.0 -> 99.0 at 1,000 keys, 108.7 -> 102.3
        // at 16, 106.6 -> 100.6 at 100,000; `String` 133.7 -> 128.7, 116.4 -> 111.4, 129.9 ->
        // 124.9 (`VDICT_HASH_SEED=1`; indexmap's `pop`: 71.7 at 1,000).
        Some(bucket)
    }

    /// [`pop_last`](Table::pop_last)'s unlinking in an 8-byte-slot index (past 2^32 entries),
    /// out of line and cold.
    #[cold]
    #[inline(never)]
    fn unlink_popped_slot_from_huge_index(&mut self, hash: u64, slot: usize) {
        with_index!(&mut self.index, table => unlink_slot_from(table, hash, slot));
    }

    /// [`pop_last`](Table::pop_last) of an entry with holes before it: the cells learn that
    /// its slot is gone, and the holes it leaves at the end go too. Out of line and cold: a
    /// dict without holes never comes here. (`take_entry` keeps the same two calls inline:
    /// out of line there, a removal cost one instruction more, not less.)
    #[cold]
    #[inline(never)]
    fn popped_before_holes(&mut self, slot: usize) {
        self.positions.mark_hole(slot);
        self.trim_trailing_holes();
    }

    /// After a deletion: slides the gap one entry on ([`slide_gap`](Table::slide_gap)) if
    /// there are holes outside it, or squeezes out all the holes when those outside the gap
    /// exceed half the live entries (and there are enough of them to matter) or all of them
    /// twice the live entries. An array of at most [`NEVER_SLID_UP_TO`] slots is only ever
    /// squeezed, by all its holes. Returns whether slots moved.
    ///
    /// Why half: with holes allowed up to the live count (the first rule tried), iterating
    /// the survivors of a mass deletion measured 1.2-2.4 x a fresh dict of them, run to run
    /// (two slots per entry, in an irregular pattern); at half, 1.5 slots per entry at most.
    /// Squeezing sooner made iteration cheap and removal dear (callgrind, u64 keys, every
    /// other key of 1,000 removed, 2026-12-04: at a quarter, iterating the survivors 3.41 ->
    /// 1.65 instructions per entry, indexmap 1.5, and removing 214.9 -> 299.7 per removal).
    ///
    /// Why the slide (2026-12-05): deletions spread through the array left up to a third of
    /// the slots an iteration walks as holes it tested one by one, 1.3-1.6 x indexmap's
    /// iteration on the clock. Sliding the gap over them as they are made gathers them into
    /// the run iteration steps over, at the price of one entry moved and one index probe per
    /// deletion (the squeeze's renumbering is cheaper per entry, but comes in bursts).
    /// Callgrind, `VDICT_HASH_SEED=1 examples/profile vdict <workload> u64 <n>`, every other
    /// key removed, without -> with the slide: iterating the survivors 3.4 -> 1.5
    /// instructions per entry at 1,000 keys (indexmap 1.5), 3.3 -> 1.4 at 100,000; removing
    /// 187.2 -> 239.7 per removal at 1,000, 200.3 -> 250.3 at 100,000 (the slide is about 94
    /// of them, out of line: inline, it took every removal's frame from three saved
    /// registers to six, 187.7 -> 200.3 at 16 keys, where no slide runs). The clock is in
    /// INTERNALS.md, "The goals of the index, one run".
    #[inline]
    pub(crate) fn compact_if_sparse(&mut self) -> bool {
        let len = self.entries.len();
        let holes = len - self.used;
        // `holes >= COMPACT_MIN_HOLES && 2 * holes > used`, as one compare: 2 * holes is even,
        // so it exceeds 2 * COMPACT_MIN_HOLES - 1 exactly when holes reach COMPACT_MIN_HOLES
        // (two compares with their flags combined cost a removal 1 instruction more, u64 keys).
        let floor = 2 * COMPACT_MIN_HOLES - 1;
        if len <= NEVER_SLID_UP_TO {
            // A small array is squeezed by all the holes it has, and never slid.
            let sparse = 2 * holes > self.used.max(floor);
            if sparse {
                self.squeeze();
            }
            return sparse;
        }
        // The gap's holes (`gap_end - live_prefix`, both `usize::MAX` when there are no holes).
        let scattered = holes - self.gap_end.wrapping_sub(self.live_prefix);
        if 2 * scattered > self.used.max(floor) || holes > 2 * (self.used + COMPACT_MIN_HOLES) {
            self.squeeze();
            return true;
        }
        if scattered == 0 {
            return false;
        }
        self.slide_gap();
        true
    }

    /// One step of compaction: the first live entry past the gap moves down to the gap's
    /// start (its order among the live entries unchanged: only holes lay between), so the gap
    /// moves one slot on, and takes in the holes it meets. Calls no user code.
    #[inline(never)]
    fn slide_gap(&mut self) {
        let len = self.entries.len();
        let mut from = self.gap_end;
        // Holes met at the gap's end join it (a bounded number a step: a gap left behind by
        // a hole made before it is taken in again only a step at a time).
        let looked_to = len.min(from + GAP_STEP_BUDGET);
        while from < looked_to && self.entries[from].is_none() {
            from += 1;
        }
        self.gap_end = from;
        if from == looked_to {
            return;
        }
        let to = self.live_prefix;
        if to != from {
            // Live: the loop above stopped at it.
            let moved = self.entries[from].take();
            let hash = moved.as_ref().map_or(0, |bucket| bucket.hash.get());
            self.entries[to] = moved;
            with_index!(&mut self.index, table => {
                *table
                    .find_mut(hash, |stored| stored.get() == from)
                    .unwrap_or_else(|| slot_missing_from_index(from)) = SlotWord::new(to);
            });
            self.positions.slot_moved(from, to);
        }
        self.live_prefix = to + 1;
        self.gap_end = from + 1;
        if from + 1 == len {
            // The last entry moved: the array ends in the gap now.
            self.trim_trailing_holes();
        }
    }

    /// Makes sure `additional` more inserts fit without allocating. Returns whether slots moved
    /// (holes are squeezed out when the entries array lacks room).
    pub(crate) fn reserve(&mut self, additional: usize) -> bool {
        let mut squeezed = false;
        if self.entries.capacity() - self.entries.len() < additional {
            if self.has_holes() {
                self.squeeze();
                squeezed = true;
            }
            self.entries.reserve_exact(additional);
            self.fit_index_width();
        }
        let Table { index, entries, .. } = self;
        with_index!(index, table => table.reserve(additional, |slot| hash_at(entries, slot.get())));
        squeezed
    }

    /// [`reserve`](Table::reserve) that reports a failed allocation instead of aborting.
    /// `exact` asks the entries array for exactly `additional` more (else it may take more,
    /// as `Vec::try_reserve` does). Returns whether slots moved (true even on failure, if the
    /// holes were squeezed out first) and the outcome. The squeeze's renumbering table, one
    /// slot-width word per entry past the live prefix, is still allocated the ordinary way.
    pub(crate) fn try_reserve(
        &mut self,
        additional: usize,
        exact: bool,
    ) -> (bool, Result<(), TryReserveError>) {
        let mut squeezed = false;
        if self.entries.capacity() - self.entries.len() < additional {
            if self.has_holes() {
                self.squeeze();
                squeezed = true;
            }
            let grown = if exact {
                self.entries.try_reserve_exact(additional)
            } else {
                self.entries.try_reserve(additional)
            };
            if let Err(error) = grown.map_err(TryReserveError::entries) {
                return (squeezed, Err(error));
            }
            if slot_bytes_for(self.entries.capacity()) != self.index.slot_bytes() {
                // An empty index of the new width allocates nothing until asked.
                let mut wider = Index::with_capacity(0, self.entries.capacity());
                let room = self.index.capacity().max(self.used);
                let made = with_index!(&mut wider, table => table.try_reserve(room, |_| 0));
                if let Err(error) = made.map_err(TryReserveError::index) {
                    return (squeezed, Err(error));
                }
                self.index = wider;
                self.reindex();
            }
        }
        let Table { index, entries, .. } = self;
        let made = with_index!(index, table =>
            table.try_reserve(additional, |slot| hash_at(entries, slot.get())));
        (squeezed, made.map_err(TryReserveError::index))
    }

    /// Shrinks the entries array and the index toward `min_capacity` (never below what the
    /// live entries need), squeezing out the holes first. Returns whether slots moved.
    pub(crate) fn shrink_to(&mut self, min_capacity: usize) -> bool {
        if min_capacity == 0 {
            return self.shrink_to_fit();
        }
        let squeezed = self.has_holes();
        if squeezed {
            self.squeeze();
        }
        self.entries.shrink_to(min_capacity);
        if slot_bytes_for(self.entries.capacity()) != self.index.slot_bytes() {
            self.index = Index::with_capacity(min_capacity.max(self.used), self.entries.capacity());
            self.reindex();
        } else {
            let keep = min_capacity.max(self.used);
            let Table { index, entries, .. } = self;
            with_index!(index, table => table.shrink_to(keep, |slot| hash_at(entries, slot.get())));
        }
        squeezed
    }

    /// Gives back what memory it can: drops every hole, then shrinks the entries array to its
    /// length and the index to the smallest that holds it (at the narrowest width that fits).
    /// An empty table gives back everything. Returns whether slots moved.
    pub(crate) fn shrink_to_fit(&mut self) -> bool {
        if self.used == 0 {
            let had_entries = !self.entries.is_empty();
            *self = Table::new();
            return had_entries;
        }
        let squeezed = self.has_holes();
        if squeezed {
            self.squeeze();
        }
        self.entries.shrink_to_fit();
        if slot_bytes_for(self.entries.capacity()) != self.index.slot_bytes() {
            self.index = Index::with_capacity(self.used, self.entries.capacity());
            self.reindex();
        } else {
            let Table { index, entries, .. } = self;
            with_index!(index, table => table.shrink_to_fit(|slot| hash_at(entries, slot.get())));
        }
        squeezed
    }

    /// Drops every entry, keeping the allocation. Consistent even if a value's `Drop` panics:
    /// the table is emptied before any entry is dropped.
    pub(crate) fn clear(&mut self) {
        with_index!(&mut self.index, table => table.clear());
        self.used = 0;
        self.holes_gone();
        self.entries.clear();
    }

    /// Empties the table and hands out the entries, holes included, in order. The table is
    /// consistent (and empty) before the first entry is handed out, and stays so if the drain
    /// is leaked.
    pub(crate) fn drain(&mut self) -> std::vec::Drain<'_, EntrySlot<K, V>> {
        with_index!(&mut self.index, table => table.clear());
        self.used = 0;
        self.holes_gone();
        self.entries.drain(..)
    }

    /// The slot of the live entry at `position` (its rank among the live entries), if there
    /// are that many. O(1) before the first hole, O(log n) past it.
    #[inline]
    pub(crate) fn slot_of_position(&self, position: usize) -> Option<usize> {
        if position >= self.used {
            return None;
        }
        if position < self.live_prefix() {
            return Some(position);
        }
        if let Some(gap) = self.only_gap() {
            return Some(position + gap);
        }
        Some(self.positions.select(&self.entries, position))
    }

    /// The position of the live entry in `slot`. O(1) before the first hole, O(log n) past it.
    #[inline]
    pub(crate) fn position_of_slot(&self, slot: usize) -> usize {
        if slot < self.live_prefix() {
            return slot;
        }
        if let Some(gap) = self.only_gap() {
            return slot - gap;
        }
        self.positions.rank(&self.entries, slot)
    }

    /// The gap's length, if every hole is in it: then the live entries are the live prefix
    /// and every slot past the gap, and a position past the prefix is its slot less the gap,
    /// with no ranks to build or keep (a queue, whose removals take the oldest entries, never
    /// needs them). `None` if there are scattered holes (or none at all: callers have tested
    /// the live prefix first).
    #[inline]
    fn only_gap(&self) -> Option<usize> {
        let gap = self.gap_end.wrapping_sub(self.live_prefix);
        (self.has_holes() && self.entries.len() - self.used == gap).then_some(gap)
    }

    /// Moves the live entry at position `from` to position `to`, shifting the entries
    /// between by one. O(n), except to the last position, which
    /// [`move_slot_to_end`](Table::move_slot_to_end) reaches in O(1) amortised. Both must be
    /// in bounds. Calls no user code.
    ///
    /// After a squeeze (positions are slots then), the index is renumbered in place, as
    /// indexmap does: the moved entry's bucket is found first (before another takes its
    /// number), then each shifted entry's bucket is found by its stored hash and renumbered
    /// by one, or, when more than half the index's capacity shifts, every bucket is looked
    /// at once. Rebuilding the whole index instead (clear it, put every slot back) cost
    /// `move_index(0, len - 1)` of 1,000 u64 keys 76.3 instructions per entry, now 47.1
    /// (indexmap 47.1; `examples/profile_api <map> move_index 1000`); `shift_insert(0, ..)` of
    /// 100,000, 53.8 -> 24.8 (indexmap 24.8).
    pub(crate) fn move_position(&mut self, from: usize, to: usize) {
        if to + 1 == self.used {
            let slot = self
                .slot_of_position(from)
                .expect("vdict: move_position's positions are in bounds");
            self.move_slot_to_end(slot, None);
            return;
        }
        if from == to {
            return;
        }
        if self.has_holes() {
            self.squeeze();
        }
        let Table { index, entries, .. } = self;
        with_index!(index, table => move_slot_in_index(table, entries, from, to));
        if from < to {
            entries[from..=to].rotate_left(1);
        } else {
            entries[to..=from].rotate_right(1);
        }
    }

    /// Moves the live entry in `slot` to the end of the order: the slot becomes a hole, the
    /// entry is appended, and its bucket in the index gets the new slot: `bucket`, if the
    /// caller knows it (an occupied entry does), else found by one probe of the entry's stored
    /// hash, comparing slots. O(1) amortised, where moving it by shifting the
    /// entries after it down one, as indexmap's `move_index(i, len - 1)` does, is O(n): the
    /// hole stands in for the shift. What a cache that keeps its entries in order of use does
    /// on every hit. Then, as after a removal, the gap slides or the holes are squeezed
    /// ([`compact_if_sparse`](Table::compact_if_sparse)). Returns whether it moved (not if
    /// it was the last already). Calls no user code.
    pub(crate) fn move_slot_to_end(&mut self, mut slot: usize, mut bucket: Option<usize>) -> bool {
        debug_assert!(self.entries[slot].is_some(), "vdict: moving a hole");
        if slot + 1 == self.entries.len() {
            // The last slot holds the last entry.
            return false;
        }
        if self.entries.len() == self.entries.capacity() {
            // A squeeze keeps the order and drops the holes: the entry's slot then is the
            // number of live entries before it. (Counted here, O(n), only when the array is
            // full, as often as a squeeze, which is O(n) too.)
            let holes_before = self.entries[..slot].iter().filter(|e| e.is_none()).count();
            if self.make_room() {
                slot -= holes_before;
            }
            // Making room may have rebuilt the index at a wider slot width, which puts the
            // slots in other buckets.
            bucket = None;
        }
        let to = self.entries.len();
        match bucket {
            Some(bucket) => with_index!(&mut self.index, table => {
                *table
                    .get_bucket_mut(bucket)
                    .filter(|held| held.get() == slot)
                    .unwrap_or_else(|| slot_missing_from_index(slot)) = SlotWord::new(to);
            }),
            None => self.rename_slot(slot, to),
        }
        let moved = self.entries[slot].take();
        self.hole_before_the_end(slot);
        self.entries.push(moved);
        self.positions.mark_live(to);
        self.compact_if_sparse();
        true
    }

    /// The slot of the live entry at `position` from the flat table of positions, with no
    /// bounds check, if that table is built (see `Positions::flat_slot_unchecked`).
    ///
    /// # Safety
    /// `position < self.len()`.
    #[inline(always)]
    #[allow(unsafe_code)]
    pub(crate) unsafe fn flat_slot_unchecked(&self, position: usize) -> Option<usize> {
        debug_assert!(position < self.used);
        // SAFETY: the caller's promise, and `positions` describes `entries`.
        unsafe { self.positions.flat_slot_unchecked(position) }
    }

    /// The entries array, mutable, with what translates positions to slots alongside (the
    /// rank structure, built now if there are holes, and the live prefix): for a mutable
    /// view of a range of positions, which writes values but moves nothing.
    pub(crate) fn entries_with_positions(&mut self) -> (&mut [EntrySlot<K, V>], SlotsOf<'_>) {
        if self.has_holes() {
            self.positions.holes_exist_with_ranks(&self.entries);
        }
        let live_prefix = self.live_prefix();
        let Table {
            entries, positions, ..
        } = self;
        let slots_of = SlotsOf {
            flat: positions.flat(),
            ranks: positions.built_ranks(),
            live_prefix,
        };
        (entries.as_mut_slice(), slots_of)
    }

    /// The rank structure, if a positional question has built it (for the invariant check).
    pub(crate) fn built_positions(&self) -> &Positions {
        &self.positions
    }

    /// The live entry in `slot`, which must be live.
    #[inline]
    pub(crate) fn bucket_at(&self, slot: usize) -> &Bucket<K, V> {
        self.entries[slot]
            .as_ref()
            .expect("vdict: a position's slot is live")
    }

    /// The live entry in `slot`, which must be live, for a value update.
    #[inline]
    pub(crate) fn bucket_at_mut(&mut self, slot: usize) -> &mut Bucket<K, V> {
        self.entries[slot]
            .as_mut()
            .expect("vdict: a position's slot is live")
    }

    /// Deletes the live entry at `slot` and moves the last entry into its slot (indexmap's
    /// `swap_remove`): O(1), no hole made unless `slot` was the last. Calls no user code.
    pub(crate) fn swap_remove_slot(&mut self, slot: usize) -> Bucket<K, V> {
        self.unlink_slot(slot);
        self.move_last_into(slot)
    }

    /// Finds the key `is_key` accepts under `hash`, deletes it and moves the last entry into
    /// its slot: [`swap_remove_slot`](Table::swap_remove_slot) after one probe that finds the
    /// key and removes its bucket (where finding its slot first, then unlinking that slot,
    /// probed twice; callgrind, swapping out half of 1,000 u64 keys: 266.9 -> 214.9
    /// instructions a removal, indexmap's `swap_remove` 145.1). Returns the slot, which now
    /// holds the entry that was last (or is gone, if the removed entry was the last).
    /// `is_key` (user code) runs before anything changes.
    #[inline]
    pub(crate) fn swap_remove_key(
        &mut self,
        hash: SoughtHash,
        is_key: impl FnMut(&K) -> bool,
    ) -> Option<(usize, Bucket<K, V>)> {
        let slot = self.unlink_key(hash, is_key)?;
        Some((slot, self.move_last_into(slot)))
    }

    /// The second half of a swap removal, once the live entry at `slot` is out of the index:
    /// the last entry takes its slot (its bucket renamed to it), or, if it was the last, it
    /// becomes a hole and trailing holes are trimmed.
    ///
    /// The common case, another slot of a dense array, is inlined into the swap removals:
    /// no hole is made or mended, and the compaction test after it is skipped too
    /// ([`compact_after_swap_remove`](Table::compact_after_swap_remove)); the rest is out of
    /// line. (Inlining all of it took the hole bookkeeping it shares with `remove` into more
    /// callers, and `remove` lost 30 instructions a removal to the compiler's other choices.)
    /// Callgrind, `VDICT_HASH_SEED=1 examples/profile vdict swap_remove_half <key> 1000`
    /// (every other key swap-removed), per removal: u64 235.1 -> 169.2 (indexmap 142.1),
    /// `String` 356.8 -> 280.9 (indexmap 307.9); `remove_half_ordered` unchanged (239.7).
    #[inline]
    fn move_last_into(&mut self, slot: usize) -> Bucket<K, V> {
        let last = self.entries.len() - 1;
        if slot == last || self.has_holes() {
            return self.move_last_into_past_holes(slot);
        }
        self.last_into_slot(last, slot)
    }

    /// [`move_last_into`](Table::move_last_into) when `slot` is the last or the array has
    /// holes: out of line.
    #[inline(never)]
    fn move_last_into_past_holes(&mut self, slot: usize) -> Bucket<K, V> {
        let last = self.entries.len() - 1;
        if slot == last {
            return self.take_entry(slot);
        }
        let removed = self.last_into_slot(last, slot);
        // Holes before the last entry may now trail, and the positions past the first hole
        // lost one.
        self.positions.mark_hole(last);
        self.trim_trailing_holes();
        removed
    }

    /// The entry in slot `last` (the array's last) moves into `slot`, whose entry is already
    /// out of the index: its bucket renamed, the array one shorter. Returns `slot`'s entry.
    #[inline(always)]
    fn last_into_slot(&mut self, last: usize, slot: usize) -> Bucket<K, V> {
        self.rename_slot(last, slot);
        let moved = self.entries.pop().expect("the last entry exists");
        let removed = mem::replace(&mut self.entries[slot], moved)
            .expect("vdict: swap_remove_slot of a hole (corrupt table)");
        self.used -= 1;
        removed
    }

    /// The index's bucket for the live entry in slot `from` names slot `to` instead. Calls
    /// no user code.
    #[inline]
    fn rename_slot(&mut self, from: usize, to: usize) {
        let hash = hash_at(&self.entries, from);
        with_index!(&mut self.index, table => {
            *table
                .find_mut(hash, |stored| stored.get() == from)
                .unwrap_or_else(|| slot_missing_from_index(from)) = SlotWord::new(to);
        });
    }

    /// Whether the entries array has holes (dead slots) among or before its live entries.
    #[inline]
    pub(crate) fn has_holes(&self) -> bool {
        self.entries.len() != self.used
    }

    /// [`compact_if_sparse`](Table::compact_if_sparse) after a swap removal, which makes no
    /// hole: only an array that had holes before can need it. Returns whether slots moved.
    #[inline]
    pub(crate) fn compact_after_swap_remove(&mut self) -> bool {
        self.has_holes() && self.compact_if_sparse()
    }

    /// Exchanges the entries in slots `a` and `b`, both live, and the slots the index holds
    /// for them. O(1); calls no user code.
    pub(crate) fn swap_slots(&mut self, a: usize, b: usize) {
        if a == b {
            return;
        }
        let (hash_a, hash_b) = (hash_at(&self.entries, a), hash_at(&self.entries, b));
        with_index!(&mut self.index, table => {
            let missing = |slot: usize| -> ! { panic!("vdict: slot {slot} is missing from the index (corrupt table)") };
            let bucket_a = table.find_bucket_index(hash_a, |s| s.get() == a).unwrap_or_else(|| missing(a));
            let bucket_b = table.find_bucket_index(hash_b, |s| s.get() == b).unwrap_or_else(|| missing(b));
            *table.get_bucket_mut(bucket_a).expect("found just now") = SlotWord::new(b);
            *table.get_bucket_mut(bucket_b).expect("found just now") = SlotWord::new(a);
        });
        self.entries.swap(a, b);
    }

    /// Where the live entry in `slot` is: its index bucket and its slot. Calls no user code.
    pub(crate) fn found_of_slot(&self, slot: usize) -> Found {
        let hash = hash_at(&self.entries, slot);
        let bucket = with_index!(&self.index, table => {
            table.find_bucket_index(hash, |stored| stored.get() == slot)
        })
        .unwrap_or_else(|| panic!("vdict: slot {slot} is missing from the index (corrupt table)"));
        Found { bucket, slot }
    }

    /// Gives the live entry in `slot` a new key, stored under `hash`, keeping its value and
    /// its slot; returns the old key. The caller has made sure no entry holds the new key.
    /// Calls no user code.
    pub(crate) fn replace_key(&mut self, slot: usize, hash: StoredHash, key: K) -> K {
        self.unlink_slot(slot);
        let bucket = self.entries[slot]
            .as_mut()
            .expect("vdict: replace_key of a hole (corrupt table)");
        bucket.hash = hash;
        let old = mem::replace(&mut bucket.key, key);
        let Table { index, entries, .. } = self;
        with_index!(index, table => {
            table.insert_unique(hash.get(), SlotWord::new(slot), |slot| hash_at(entries, slot.get()));
        });
        old
    }

    /// Removes the live entries at positions `start..end` (not all of them; none if `start ==
    /// end`)
    /// and hands them out: the holes are squeezed out, the range is rotated to the end of the
    /// entries array, the index is rebuilt for what stays, and the array's tail is drained.
    /// The table is consistent when this returns: `Vec::drain` cuts the array's length to the
    /// range's start at once, so a leaked drain loses the entries it did not hand out and
    /// nothing else.
    pub(crate) fn drain_positions(
        &mut self,
        start: usize,
        end: usize,
    ) -> std::vec::Drain<'_, EntrySlot<K, V>> {
        debug_assert!(start <= end && end <= self.used && end - start < self.used);
        if start == end {
            // Nothing to take: nothing moves (an empty drain of the array's end).
            let len = self.entries.len();
            return self.entries.drain(len..);
        }
        if self.has_holes() {
            self.squeeze();
        }
        let taken = end - start;
        self.entries[start..].rotate_left(taken);
        let kept = self.used - taken;
        self.used = kept;
        self.holes_gone();
        let Table { index, entries, .. } = self;
        with_index!(index, table => {
            table.clear();
            for (slot, bucket) in entries[..kept].iter().enumerate() {
                let hash = bucket.as_ref().expect("squeezed: every entry is live").hash.get();
                table.insert_unique(hash, SlotWord::new(slot), |slot| hash_at(entries, slot.get()));
            }
        });
        self.entries.drain(kept..)
    }

    /// Runs `rearrange` on the entries array with the holes squeezed out (every element is
    /// `Some` when it starts), then puts the table back in order around what it left: holes
    /// it made are counted, trailing ones trimmed, and the index is rebuilt from the stored
    /// hashes. For the operations that move many entries at once (sorting, splicing a run of
    /// entries in at a position): O(n), plus what `rearrange` does.
    ///
    /// `rearrange` may call user code (a sort's comparator) and may panic: the rebuild runs
    /// on unwinding too, so the table is consistent either way, holding whatever permutation
    /// the entries were left in. It must not grow the array (the index's slot width is
    /// chosen for its capacity); what it takes out, it returns, to be dropped by the caller
    /// once the table is consistent.
    pub(crate) fn rearrange<R>(
        &mut self,
        rearrange: impl FnOnce(&mut Vec<EntrySlot<K, V>>) -> R,
    ) -> R {
        /// Rebuilds the table around its entries when dropped, on return or unwinding.
        struct Rebuild<'t, K, V>(&'t mut Table<K, V>);
        impl<K, V> Drop for Rebuild<'_, K, V> {
            fn drop(&mut self) {
                let table = &mut *self.0;
                table.trim_trailing_holes();
                table.used = table.entries.iter().filter(|e| e.is_some()).count();
                table.live_prefix = table
                    .entries
                    .iter()
                    .position(Option::is_none)
                    .unwrap_or(usize::MAX);
                table.gap_end = table.live_prefix;
                table.positions.forget();
                table.positions_follow_holes();
                table.reindex();
            }
        }
        if self.has_holes() {
            self.squeeze();
        }
        let capacity = self.entries.capacity();
        let guard = Rebuild(self);
        let result = rearrange(&mut guard.0.entries);
        debug_assert_eq!(
            guard.0.entries.capacity(),
            capacity,
            "rearrange grew the entries array"
        );
        drop(guard);
        result
    }

    /// [`rearrange`](Table::rearrange) for a permutation of the live entries (a sort): it
    /// gets them as plain buckets, every one live, so that a comparator does not test each
    /// entry it is handed for a hole. Moving the array to buckets and back is done in place
    /// (the element types have one size, the stored hash's niche making the hole), a pass
    /// each way. Callgrind, `examples/profile_api <map> sort_unstable_keys 1000`, per entry:
    /// 265.8 -> 230.8 instructions, against indexmap's 215.6; at 100,000, 417.0 -> 354.3,
    /// indexmap 339.3.
    ///
    /// If `permute` panics, the buckets go back into the array in whatever order it left
    /// them, and the table is rebuilt around them: nothing is lost.
    pub(crate) fn rearrange_live<R>(
        &mut self,
        permute: impl FnOnce(&mut [Bucket<K, V>]) -> R,
    ) -> R {
        /// Puts the buckets back into the entries array when dropped, on return or unwinding.
        struct PutBack<'e, K, V> {
            entries: &'e mut Vec<EntrySlot<K, V>>,
            buckets: Vec<Bucket<K, V>>,
            capacity: usize,
        }
        impl<K, V> Drop for PutBack<'_, K, V> {
            fn drop(&mut self) {
                *self.entries = mem::take(&mut self.buckets).into_iter().map(Some).collect();
                // In place, the capacity is kept; were it not, the array gets its room back.
                let room = self.capacity - self.entries.len();
                self.entries.reserve_exact(room);
            }
        }
        self.rearrange(|entries| {
            let capacity = entries.capacity();
            let buckets = mem::take(entries)
                .into_iter()
                .map(|slot| slot.expect("vdict: a rearranged entry is live"))
                .collect();
            let mut put_back = PutBack {
                entries,
                buckets,
                capacity,
            };
            permute(&mut put_back.buckets)
        })
    }

    /// Takes the entries out.
    pub(crate) fn into_entries(self) -> Vec<EntrySlot<K, V>> {
        self.entries
    }
}

/// Appends an entry to an entries array that has room, counting it live; returns its slot,
/// which the caller puts in the index (before or after: nothing here can fail). A function of
/// the table's fields rather than a method, so that [`Table::insert`] can call it while the
/// index is still borrowed by its probe's vacant entry.
#[inline(always)]
fn append_entry<K, V>(
    entries: &mut Vec<EntrySlot<K, V>>,
    used: &mut usize,
    positions: &mut Positions,
    hash: StoredHash,
    key: K,
    value: V,
) -> usize {
    debug_assert!(entries.len() < entries.capacity());
    let slot = entries.len();
    entries.push(Some(Bucket { hash, key, value }));
    *used += 1;
    positions.mark_live(slot);
    slot
}

/// What [`Table::insert`] did.
pub(crate) enum Inserted<K, V> {
    /// The key was present at `slot` (read from the index: see
    /// [`Table::present_bucket_mut`]); the key and value given come back unused.
    Present { slot: usize, key: K, value: V },
    /// The key was absent and now has the last entry.
    Added,
}

/// The live entry in `slot`, which the index holds, read without a bounds check or a hole
/// test.
///
/// # Why every slot the index holds is live
///
/// Every slot the index holds is the slot of a live entry, so `slot` is in bounds and not a
/// hole. The table keeps that at every return, and at every call of user code: a slot enters
/// the index only in `insert` and `push_vacant`, naming the entry they push next into an array
/// with room for it (tested just before, or made by `make_room`), so the push cannot fail and
/// leave the slot naming nothing; and in `reindex`, naming the live entries it walks (and
/// `drain_positions`, naming the entries it keeps before it drains the rest);
/// `swap_remove_slot`, `swap_slots` and `replace_key` change which slot a bucket names, each
/// naming an entry that is live when they return, with no user code run in between; `rearrange`
/// runs its closure (which may call user code: a comparator) with the index stale, but the
/// closure holds the only borrow of the table (nothing can look up through it), and its guard
/// rebuilds the index before anyone can, on unwinding too. An entry becomes a hole only in
/// `take_entry`, whose callers take its slot out of the index first (no other code writes a
/// hole: `entries_mut` and `entries_with_positions`, for `SliceMut`, are borrowed only to reach
/// live entries' values); the entries array
/// shrinks only by `pop_last`, which takes the popped slot out of the index before it returns
/// (no lookup or user code runs in between), by trimming holes, by `squeeze`, which renumbers
/// the index's slots before it returns and calls no user code, and by `clear` and `drain`,
/// which empty the index first. `check_invariants` audits it ("the index holds slot .., which
/// is not a live entry") after every step of the model tests and the fuzzers, and after every
/// panic of the panic-safety tests.
#[inline(always)]
#[allow(unsafe_code)]
fn live_entry<K, V>(entries: &[EntrySlot<K, V>], slot: usize) -> &Bucket<K, V> {
    debug_assert!(
        entries.get(slot).is_some_and(Option::is_some),
        "vdict: the index holds slot {slot}, past the entries or a hole"
    );
    // SAFETY: the index holds only slots of live entries (the argument is in this function's
    // doc), so `slot` is in bounds and not a hole.
    unsafe { entries.get_unchecked(slot).as_ref().unwrap_unchecked() }
}

/// [`live_entry`], mutable.
#[inline(always)]
#[allow(unsafe_code)]
fn live_entry_mut<K, V>(entries: &mut [EntrySlot<K, V>], slot: usize) -> &mut Bucket<K, V> {
    debug_assert!(
        entries.get(slot).is_some_and(Option::is_some),
        "vdict: the index holds slot {slot}, past the entries or a hole"
    );
    // SAFETY: as in `live_entry`: the index holds only slots of live entries.
    unsafe { entries.get_unchecked_mut(slot).as_mut().unwrap_unchecked() }
}

/// The slot of the live entry whose key `is_key` accepts, probing `table` for `hash`.
#[inline(always)]
fn probe_slot<K, V, W: SlotWord>(
    table: &HashTable<W>,
    entries: &[EntrySlot<K, V>],
    hash: SoughtHash,
    is_key: &mut impl FnMut(&K) -> bool,
) -> Option<usize> {
    table
        .find(hash.probe(), |slot| {
            entry_is_key(entries, slot.get(), hash, is_key)
        })
        .map(|slot| slot.get())
}

/// [`Table::move_position`]'s renumbering of an index of slot width `W`, over a dense
/// `entries` array not yet rotated: slot `from` becomes `to`, and the slots between move one
/// towards `from`'s old place. A bucket is looked for by its number (the probe of its
/// entry's hash may meet others with the same 7-bit tag), so no number may be held by two
/// buckets while it is still to be looked for: the moved entry's bucket is found before any
/// other takes its number, and the others are renumbered up from `from` when shifting down
/// and down towards `to` when shifting up, each taking a number already renumbered away.
fn move_slot_in_index<K, V, W: SlotWord>(
    table: &mut HashTable<W>,
    entries: &[EntrySlot<K, V>],
    from: usize,
    to: usize,
) {
    let missing = |slot: usize| -> ! { slot_missing_from_index(slot) };
    let moved = table
        .find_bucket_index(hash_at(entries, from), |stored| stored.get() == from)
        .unwrap_or_else(|| missing(from));
    let (first, last, down) = if from < to {
        (from + 1, to, true)
    } else {
        (to, from - 1, false)
    };
    let renumber = |slot: usize| if down { slot - 1 } else { slot + 1 };
    if last + 1 - first > table.capacity() / 2 {
        for stored in table.iter_mut() {
            let slot = stored.get();
            if (first..=last).contains(&slot) {
                *stored = W::new(renumber(slot));
            }
        }
    } else {
        let mut shift = |slot: usize| {
            *table
                .find_mut(hash_at(entries, slot), |stored| stored.get() == slot)
                .unwrap_or_else(|| missing(slot)) = W::new(renumber(slot));
        };
        if down {
            (first..=last).for_each(&mut shift);
        } else {
            (first..=last).rev().for_each(&mut shift);
        }
    }
    *table.get_bucket_mut(moved).expect("found above") = W::new(to);
}

/// [`Table::squeeze`] when the holes are exactly the slots `start..end`: the entries from
/// `end` on move down by `end - start` (one memmove), and so do their slots in the index.
///
/// Callgrind, a queue of 1,000 u64 keys (insert a new key, remove the oldest, 300,000 times):
/// the general squeeze, with its renumbering table and a move per entry, cost 42
/// instructions an entry of the dict; this one 20 and a memmove of the entries (which
/// callgrind counts by the byte, `rep movsb`).
fn close_gap<K, V, W: SlotWord>(
    table: &mut HashTable<W>,
    entries: &mut Vec<EntrySlot<K, V>>,
    start: usize,
    end: usize,
) {
    debug_assert!(entries[start..end].iter().all(Option::is_none));
    // Only holes go: no key or value is dropped.
    entries.drain(start..end);
    let gap = end - start;
    for slot in table.iter_mut() {
        let old = slot.get();
        if old >= end {
            *slot = W::new(old - gap);
        }
    }
}

/// How many slots past the live prefix a squeeze renumbers with a table on the stack; more
/// take one from the heap.
const SQUEEZE_ON_STACK: usize = 64;

/// [`Table::squeeze`] for an index of slot width `W`: every slot below `first_moved` is live
/// and stays where it is.
///
/// The renumbering table (a slot-width word per slot from `first_moved` on) lives on the stack
/// when it is small, so that a small dict's squeeze allocates nothing. Callgrind, `Dict::remove`
/// inclusive of its squeezes, half of 16 keys removed (`examples/profile vdict
/// remove_half_ordered <key> 16`): 245.6 -> 243.8 instructions a removal for `u64` keys,
/// 417.9 -> 382.8 for `String` keys, whose drops leave `malloc` more to sort through. Filling
/// the table by a loop over it, rather than collecting it from an iterator: 196.3 -> 191.2 a
/// removal at 1,000 `u64` keys. (Numbering and sliding in one safe pass instead, each live
/// entry moved down by `Option::take` and the tail truncated, cost more than `retain`'s
/// copies: 187.2 -> 202.2 a removal, u64 at 1,000; `String` 375.1 -> 402.8. Dropped,
/// 2026-12-05.)
fn squeeze_into<K, V, W: SlotWord>(
    table: &mut HashTable<W>,
    entries: &mut Vec<EntrySlot<K, V>>,
    first_moved: usize,
) {
    let moved = entries.len() - first_moved;
    if moved <= SQUEEZE_ON_STACK {
        let mut new_slots = [W::new(0); SQUEEZE_ON_STACK];
        squeeze_with(table, entries, first_moved, &mut new_slots[..moved]);
    } else {
        squeeze_with(table, entries, first_moved, &mut vec![W::new(0); moved]);
    }
}

/// [`squeeze_into`] with its renumbering table, `new_slots`, one word per slot from
/// `first_moved` on.
#[inline(always)]
fn squeeze_with<K, V, W: SlotWord>(
    table: &mut HashTable<W>,
    entries: &mut Vec<EntrySlot<K, V>>,
    first_moved: usize,
    new_slots: &mut [W],
) {
    // The new slot of each slot from `first_moved` on: the live entries before it. (A hole's
    // is never read.)
    let mut live = first_moved;
    for (new_slot, entry) in new_slots.iter_mut().zip(&entries[first_moved..]) {
        *new_slot = W::new(live);
        live += usize::from(entry.is_some());
    }
    entries.retain(Option::is_some);
    for slot in table.iter_mut() {
        // A slot below `first_moved` wraps around to past the table's end, so that one
        // compare tells both "it moved" and "it is in the table".
        if let Some(&new) = new_slots.get(slot.get().wrapping_sub(first_moved)) {
            *slot = new;
        }
    }
}

/// The position in `entries` of the first live entry `keep` refuses, asking `keep` about
/// each live entry up to it. (A loop of its own over a slice, which holds the array's start
/// in a register: walked through the table, it was reloaded for every entry.)
#[inline(always)]
fn next_refused<K, V>(
    entries: &mut [EntrySlot<K, V>],
    keep: &mut impl FnMut(&mut K, &mut V) -> bool,
) -> Option<usize> {
    entries.iter_mut().position(|entry| match entry {
        Some(bucket) => !keep(&mut bucket.key, &mut bucket.value),
        None => false,
    })
}

/// The entries [`Table::retain`] has refused and taken out of the array, whose slots are
/// still in the index: until [`finish`](Unlinking::finish) unlinks them, the table is not
/// consistent (its count and index still hold them), so it is reached only through this
/// guard, which finishes when dropped, on unwinding from `keep` or a `Drop` too. Finishing
/// calls no user code: it finds each bucket by its slot, not its key.
struct Unlinking<'t, K, V> {
    table: &'t mut Table<K, V>,
    /// The slots taken, in order, each with its entry's stored hash.
    taken: [(usize, u64); RETAIN_REFUSED_BATCH],
    count: usize,
}

impl<K, V> Unlinking<'_, K, V> {
    /// Takes the live entry at `slot` out of the array and drops it (which may panic: the
    /// slot is written down first). There must be room for one more.
    fn take(&mut self, slot: usize) {
        let bucket = self.table.entries[slot]
            .take()
            .expect("vdict: retain refused a hole");
        self.taken[self.count] = (slot, bucket.hash.get());
        self.count += 1;
        drop(bucket);
    }

    /// Unlinks every slot taken from the index and counts its hole, in order, as deleting
    /// each one at the time would have.
    fn finish(&mut self) {
        let table = &mut *self.table;
        for &(slot, hash) in &self.taken[..self.count] {
            with_index!(&mut table.index, index => unlink_slot_from(index, hash, slot));
            table.count_hole(slot);
        }
        self.count = 0;
    }
}

impl<K, V> Drop for Unlinking<'_, K, V> {
    fn drop(&mut self) {
        self.finish();
    }
}

/// [`probe_slot`] with the bucket that holds the slot.
#[inline(always)]
fn probe_bucket<K, V, W: SlotWord>(
    table: &HashTable<W>,
    entries: &[EntrySlot<K, V>],
    hash: SoughtHash,
    is_key: &mut impl FnMut(&K) -> bool,
) -> Option<Found> {
    // The slot is kept as the probe accepts it, rather than read back from the bucket (which
    // hashbrown bounds-checks and tests for a full control byte again).
    let mut found_slot = 0;
    let bucket = table.find_bucket_index(hash.probe(), |slot| {
        let accepted = entry_is_key(entries, slot.get(), hash, is_key);
        if accepted {
            found_slot = slot.get();
        }
        accepted
    })?;
    Some(Found {
        bucket,
        slot: found_slot,
    })
}

/// [`probe_slot`] with an equality that may fail: asked only about entries stored under `hash`
/// itself, its first error ends the probe and comes back unchanged.
#[inline(always)]
fn probe_slot_fallible<K, V, W: SlotWord, E>(
    table: &HashTable<W>,
    entries: &[EntrySlot<K, V>],
    hash: SoughtHash,
    is_key: &mut impl FnMut(&K) -> Result<bool, E>,
) -> Result<Option<usize>, E> {
    let mut failure = None;
    let slot = table.find(hash.probe(), |slot| {
        let bucket = live_entry(entries, slot.get());
        if bucket.hash != hash.stored() {
            return false;
        }
        is_key(&bucket.key).unwrap_or_else(|error| {
            // Stop the probe here; the error is what the caller gets.
            failure = Some(error);
            true
        })
    });
    match failure {
        Some(error) => Err(error),
        None => Ok(slot.map(|slot| slot.get())),
    }
}

/// Takes the slot of the key `is_key` accepts under `hash` out of `table`, in one probe;
/// returns it.
#[inline(always)]
fn unlink_key_from<K, V, S: SlotWord>(
    table: &mut HashTable<S>,
    entries: &[EntrySlot<K, V>],
    hash: SoughtHash,
    is_key: &mut impl FnMut(&K) -> bool,
) -> Option<usize> {
    let found = table.find_entry(hash.probe(), |slot| {
        entry_is_key(entries, slot.get(), hash, is_key)
    });
    Some(found.ok()?.remove().0.get())
}

/// Takes `slot`, stored under `hash`, out of `table`, comparing slots, not keys.
///
/// # Panics
///
/// If the index does not hold `slot` under `hash` (a corrupt table).
#[inline(always)]
fn unlink_slot_from<S: SlotWord>(table: &mut HashTable<S>, hash: u64, slot: usize) {
    table
        .find_entry(hash, |stored| stored.get() == slot)
        .unwrap_or_else(|_| slot_missing_from_index(slot))
        .remove();
}

/// The panic of [`unlink_slot_from`], out of line: formatting the message in place made every
/// caller keep `slot` in memory for it (a spill and a stack frame on `pop_last`'s path).
#[cold]
#[inline(never)]
fn slot_missing_from_index(slot: usize) -> ! {
    panic!("vdict: slot {slot} is missing from the index (corrupt table)")
}

/// Whether the entry in `slot` (which the index holds) is the key sought: its key accepted by
/// `is_key`, after its stored hash is compared with the one sought (unless the key is a plain
/// word).
#[inline(always)]
fn entry_is_key<K, V>(
    entries: &[EntrySlot<K, V>],
    slot: usize,
    hash: SoughtHash,
    is_key: &mut impl FnMut(&K) -> bool,
) -> bool {
    let bucket = live_entry(entries, slot);
    // A plain-word key compares as cheaply as a hash does, so its stored hash is not compared
    // first: the hash sought is then needed only to start the probe.
    if is_plain_word::<K>() {
        return is_key(&bucket.key);
    }
    if bucket.hash != hash.stored() {
        return false;
    }
    if is_key(&bucket.key) {
        return true;
    }
    // Equal hashes with unequal keys almost never happen, and saying so pays for the other
    // keys: a `String` or `&str` compares through a call to `memcmp`, and unless that call's
    // failure is marked rare the compiler keeps the probe's state safe across it by saving
    // registers at the start of *every* lookup, the misses that never make the call included.
    // (A hit still stores the probe's state before the call: 6 stores. Comparing the key after
    // the probe instead, the probe stopping at the first entry stored under the hash and an
    // out-of-line second probe for the rare unequal key, traded them for as many register
    // moves and a check of the bucket found: callgrind, 1,000 `String` keys, 118.0 -> 121.1
    // instructions a hit, 76.0 -> 80.3 a miss; the report's plain table, two alternating runs,
    // no better. Dropped, 2026-12-05.)
    equal_hashes_unequal_keys();
    false
}

/// Whether keys of type `K` are plain words: no wider than a `usize`, with nothing to drop (an
/// integer, a `char`, a symbol id), so that comparing two costs what comparing two hashes
/// costs. See `entry_is_key`.
const fn is_plain_word<K>() -> bool {
    mem::size_of::<K>() <= mem::size_of::<usize>() && !mem::needs_drop::<K>()
}

/// Called where a stored hash equals the one sought but the keys differ, to tell the compiler
/// that this path is rare (an out-of-line call to a `#[cold]` function is the way to say so
/// before Rust 1.95's `std::hint::cold_path`). See `entry_is_key`.
#[cold]
#[inline(never)]
fn equal_hashes_unequal_keys() {}

#[cfg(test)]
mod tests {
    use super::*;

    /// `retain_in_bulk` tells the entries `keep` has seen from the rest by their address when
    /// `Vec::retain_mut` hands them over, which holds only while it hands each one over where
    /// it lies, before moving it. Its docs promise the order of the visits, not that; this
    /// fails if a new `std` moves elements first (`retain` would then skip asking `keep`).
    #[test]
    fn vec_retain_mut_hands_each_element_over_where_it_lies() {
        let mut v: Vec<u64> = (0..64).collect();
        let addresses: Vec<*const u64> = v.iter().map(|x| x as *const u64).collect();
        let mut visited = 0;
        v.retain_mut(|x| {
            assert_eq!(
                x as *const u64, addresses[visited],
                "element {visited} moved"
            );
            visited += 1;
            *x % 3 == 0
        });
        assert_eq!(visited, 64);
        assert_eq!(v, (0..64).filter(|x| x % 3 == 0).collect::<Vec<_>>());
    }

    #[test]
    fn entries_grow_by_a_quarter_and_at_least_four() {
        assert_eq!(grown_capacity(0), 4);
        assert_eq!(grown_capacity(4), 8);
        assert_eq!(grown_capacity(16), 20);
        assert_eq!(grown_capacity(1000), 1250);
    }

    #[test]
    #[should_panic(expected = "capacity overflow")]
    fn impossible_capacity_panics_clearly() {
        grown_capacity(usize::MAX - 1);
    }

    /// A dict growing from empty past what 2-byte slots can name widens them in the same
    /// rebuild that grows the index: every change of the index's shape is a growth of its
    /// buckets. (Until 2026-12-05 the widening came 33 inserts after hashbrown had doubled
    /// the 2-byte index, a second rebuild of all 57,000 slots.)
    #[test]
    fn widening_the_slots_is_one_rebuild_with_growing_the_index() {
        let mut table: Table<u64, u64> = Table::new();
        let shape = |table: &Table<u64, u64>| (table.index.buckets(), table.index.slot_bytes());
        let mut last = shape(&table);
        for k in 0..70_000u64 {
            table.insert(spread_hash(k).into(), k, k);
            let now = shape(&table);
            if now != last {
                assert!(
                    now.0 > last.0,
                    "after {} inserts the index went from {last:?} to {now:?} (buckets, slot \
                     bytes) without growing: a rebuild of its own",
                    k + 1
                );
                last = now;
            }
        }
        assert_eq!(last.1, 4, "70,000 entries need 4-byte slots");
    }

    /// A stored hash for test key `k`, its bits spread by a multiply.
    fn spread_hash(k: u64) -> StoredHash {
        StoredHash::new(k.wrapping_mul(0x9e37_79b9_7f4a_7c15))
    }

    /// A table of keys `0..n`, key `k` holding `k * 10`, hashed by [`spread_hash`].
    fn table_of_keys(n: u64) -> Table<u64, u64> {
        let mut table = Table::new();
        for k in 0..n {
            assert!(matches!(
                table.insert(spread_hash(k).into(), k, k * 10),
                Inserted::Added
            ));
        }
        table
    }

    /// Rebuilds `table`'s index with `width`-byte slots, whatever its entries call for (an
    /// 8-byte index honestly takes 2^32 entries).
    fn set_index_width(table: &mut Table<u64, u64>, width: usize) {
        let capacity = table.index.capacity();
        table.index = match width {
            2 => Index::Narrow(HashTable::with_capacity(capacity)),
            4 => Index::Wide(HashTable::with_capacity(capacity)),
            _ => Index::Huge(HashTable::with_capacity(capacity)),
        };
        table.reindex();
        assert_eq!(table.index().slot_bytes(), width);
    }

    /// Every lookup of a plain-word key, in an index of each width: the 2-byte one is probed
    /// inline, the 4-byte one by the out-of-line halves, the 8-byte one (made here by hand: it
    /// takes 2^32 entries to get one honestly) by their cold fallbacks.
    #[test]
    fn every_lookup_finds_the_same_slots_at_every_index_width() {
        let mut table = table_of_keys(1_000);
        for width in [2, 4, 8] {
            set_index_width(&mut table, width);
            for k in 0..1_100u64 {
                let hash = spread_hash(k);
                let slot = (k < 1_000).then_some(k as usize);
                let is_k = |stored: &u64| *stored == k;
                let fallible = |stored: &u64| Ok::<_, ()>(*stored == k);
                assert_eq!(
                    table.find(hash.into(), is_k).map(|f| f.slot),
                    slot,
                    "{width} {k}"
                );
                let found = table.find_slot_and_bucket(hash.into(), is_k);
                assert_eq!(found.map(|(slot, _)| slot), slot, "{width} {k}");
                assert_eq!(found.map(|(_, b)| b.value), slot.map(|_| k * 10));
                assert_eq!(table.find_slot_fallible(hash.into(), fallible), Ok(slot));
                let bucket = table.find_bucket_fallible(hash.into(), fallible);
                assert_eq!(bucket.map(|b| b.map(|b| b.key)), Ok(slot.map(|_| k)));
                // A failing compare comes back unchanged from every width.
                let failing = |_: &u64| Err::<bool, _>(k);
                if slot.is_some() {
                    assert_eq!(table.find_slot_fallible(hash.into(), failing), Err(k));
                    let bucket = table.find_bucket_fallible(hash.into(), failing);
                    assert_eq!(bucket.map(|b| b.map(|b| b.key)), Err(k));
                }
            }
        }
    }

    /// `pop_last` at every index width (each probed by its own path: 2- and 4-byte inline,
    /// 8-byte out of line), before and past holes: every pop hands back the last live entry,
    /// and every key left is still found at its slot.
    #[test]
    fn pop_last_unlinks_the_last_slot_at_every_index_width() {
        for width in [2, 4, 8] {
            let mut table = table_of_keys(300);
            set_index_width(&mut table, width);
            // Holes in the middle and just before the end, so that some pops trim them.
            let removed = |k: u64| k % 7 == 3 || (280..290).contains(&k);
            for k in (0..300u64).filter(|&k| removed(k)) {
                let bucket = table.remove_key(spread_hash(k).into(), |&stored| stored == k);
                assert_eq!(bucket.map(|b| b.key), Some(k));
            }
            let mut expected: Vec<u64> = (0..300u64).filter(|&k| !removed(k)).collect();
            while let Some(last) = expected.pop() {
                let bucket = table.pop_last().expect("a live entry is left");
                assert_eq!(
                    (bucket.key, bucket.value),
                    (last, last * 10),
                    "width {width}"
                );
                assert_eq!(table.len(), expected.len());
                assert_eq!(table.index().len(), expected.len());
                assert!(matches!(table.entries().last(), None | Some(Some(_))));
                if expected.len() % 23 == 0 {
                    for &k in &expected {
                        let found = table.find_slot_and_bucket(spread_hash(k).into(), |&s| s == k);
                        assert_eq!(found.map(|(_, b)| b.key), Some(k), "width {width}");
                    }
                    assert!(table
                        .find(spread_hash(last).into(), |&s| s == last)
                        .is_none());
                }
            }
            assert!(table.pop_last().is_none());
        }
    }

    #[test]
    fn the_index_widens_with_the_entries_array_and_keeps_every_slot() {
        let mut table: Table<u64, u64> = Table::new();
        let n = 70_000u64;
        for k in 0..n {
            let hash = spread_hash(k);
            assert!(matches!(table.insert(hash.into(), k, k), Inserted::Added));
        }
        assert_eq!(table.index().slot_bytes(), 4);
        for k in (0..n).step_by(997) {
            let hash = spread_hash(k);
            let found = table
                .find(hash.into(), |&stored| stored == k)
                .expect("present");
            assert_eq!(found.slot, k as usize);
        }
    }

    /// Removes key `k` from a table made by [`table_of_keys`], as `Dict::remove` does (the
    /// compaction step after it), and checks the holes' bounds: the holes an iteration must
    /// test (those not in the gap) at most half the live entries (or under
    /// `COMPACT_MIN_HOLES`), all holes at most twice the live entries (plus
    /// `2 * COMPACT_MIN_HOLES`), and the gap all holes.
    fn remove_and_check(table: &mut Table<u64, u64>, k: u64) {
        let bucket = table
            .remove_key(spread_hash(k).into(), |stored| *stored == k)
            .expect("present");
        assert_eq!(bucket.value, k * 10);
        table.compact_if_sparse();
        let (len, used) = (table.entries.len(), table.used);
        let holes = len - used;
        let gap = table.gap_after_live_prefix();
        let prefix = table.live_prefix();
        assert!(prefix + gap <= len, "gap past the end after removing {k}");
        assert!(table.entries[..prefix].iter().all(Option::is_some), "{k}");
        assert!(
            table.entries[prefix..prefix + gap]
                .iter()
                .all(Option::is_none),
            "{k}"
        );
        let scattered = holes - gap;
        assert!(
            2 * scattered <= used.max(2 * COMPACT_MIN_HOLES - 1),
            "{scattered} holes outside the gap for {used} live entries after removing {k}"
        );
        assert!(
            holes <= 2 * (used + COMPACT_MIN_HOLES),
            "{holes} holes for {used}"
        );
    }

    /// Every key of `keys` that is still in `table` is found at a live slot, and the entries
    /// are in the order of `keys`.
    fn check_keys(table: &Table<u64, u64>, keys: &[u64]) {
        let in_order: Vec<u64> = table.entries.iter().flatten().map(|b| b.key).collect();
        assert_eq!(in_order, keys);
        for &k in keys {
            let found = table.find(spread_hash(k).into(), |stored| *stored == k);
            let slot = found.expect("a key left is found").slot;
            assert_eq!(table.entries[slot].as_ref().map(|b| b.key), Some(k));
        }
    }

    /// Removal patterns (every other key, front to back, back to front, a random order, and
    /// first every third key then the rest of the front half): the holes stay within their
    /// bounds after every removal, at every index width (each probed by its own path when the
    /// gap slides an entry down), and every key left is found, in order.
    #[test]
    fn removals_keep_the_holes_few_and_the_gap_all_holes() {
        let n = 600u64;
        let mut random = 0x2545_f491_4f6c_dd1du64;
        let mut shuffled: Vec<u64> = (0..n).collect();
        for i in (1..shuffled.len()).rev() {
            random ^= random << 13;
            random ^= random >> 7;
            random ^= random << 17;
            shuffled.swap(i, (random % (i as u64 + 1)) as usize);
        }
        let patterns: Vec<Vec<u64>> = vec![
            (0..n).step_by(2).collect(),
            (0..n).collect(),
            (0..n).rev().collect(),
            shuffled,
            (0..n)
                .step_by(3)
                .chain((0..n / 2).filter(|k| k % 3 != 0))
                .collect(),
        ];
        for width in [2, 4, 8] {
            for removals in &patterns {
                let mut table = table_of_keys(n);
                set_index_width(&mut table, width);
                let mut left: Vec<u64> = (0..n).collect();
                for (i, &k) in removals.iter().enumerate() {
                    remove_and_check(&mut table, k);
                    left.retain(|&x| x != k);
                    if i % 50 == 0 {
                        check_keys(&table, &left);
                    }
                }
                check_keys(&table, &left);
            }
        }
    }

    /// Removing every other key leaves its holes in one gap, which iteration steps over: the
    /// removals slide the live entries down as they go, so that nearly no hole lies among them
    /// (without the slide, every hole would: one every other slot).
    #[test]
    fn removing_every_other_key_gathers_the_holes_in_the_gap() {
        for n in [200u64, 1_000, 5_000] {
            let mut table = table_of_keys(n);
            for k in (0..n).step_by(2) {
                remove_and_check(&mut table, k);
            }
            let holes = table.entries.len() - table.used;
            let gap = table.gap_after_live_prefix();
            assert!(
                holes - gap <= 2,
                "{n} keys: {holes} holes, {gap} of them in the gap"
            );
            check_keys(&table, &(1..n).step_by(2).collect::<Vec<_>>());
        }
    }
}
