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
//!
//! The table is split by job:
//! - `mod.rs` (this file): the table's fields and what they promise, and the accessors;
//! - `lookup.rs`: the probes that find a key;
//! - `grow.rs`: insert, and growing the entries array and the index;
//! - `holes.rs`: deletion, the gap, squeezes;
//! - `retain.rs`: `retain`, one at a time and then in bulk;
//! - `order.rs`: positions, and every operation that moves entries between slots.

mod grow;
mod holes;
mod lookup;
mod order;
mod retain;

use super::entries::{Bucket, EntrySlot, SoughtHash, StoredHash};
use super::index::{slot_bytes_for, with_index, Index, SlotWord};
use super::iter::clone_slots;
use super::ranks::{Positions, Ranks};
use super::TryReserveError;
use hashbrown::{hash_table, HashTable};
use std::mem;

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
    /// The slot of the newest hole made before the array's end: [`Table::compact_if_sparse`]
    /// slides the gap only when it lies a few slots past the gap (see `SLIDE_REACH`).
    newest_hole: usize,
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
            newest_hole: self.newest_hole,
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
            newest_hole: usize::MAX,
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
            newest_hole: usize::MAX,
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

    /// Whether the entries array has holes (dead slots) among or before its live entries.
    #[inline]
    pub(crate) fn has_holes(&self) -> bool {
        self.entries.len() != self.used
    }

    /// Takes the entries out.
    pub(crate) fn into_entries(self) -> Vec<EntrySlot<K, V>> {
        self.entries
    }
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

/// The panic of [`unlink_slot_from`](holes::unlink_slot_from), out of line: formatting the
/// message in place made every caller keep `slot` in memory for it (a spill and a stack frame
/// on `pop_last`'s path).
#[cold]
#[inline(never)]
fn slot_missing_from_index(slot: usize) -> ! {
    panic!("vdict: slot {slot} is missing from the index (corrupt table)")
}

/// Whether keys of type `K` are plain words: no wider than a `usize`, with nothing to drop (an
/// integer, a `char`, a symbol id), so that comparing two costs what comparing two hashes
/// costs. See `entry_is_key`.
const fn is_plain_word<K>() -> bool {
    mem::size_of::<K>() <= mem::size_of::<usize>() && !mem::needs_drop::<K>()
}

#[cfg(test)]
mod tests;
