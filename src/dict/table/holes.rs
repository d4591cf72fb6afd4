//! Deleting: holes, the gap, and squeezes.
//!
//! A deletion takes the entry's slot out of the index and leaves a hole in the entries array,
//! so every other entry keeps its slot and the order of the rest is kept. Trailing holes are
//! trimmed at once. Past [`NEVER_SLID_UP_TO`] slots, a hole made just past the gap slides the
//! gap on by one entry ([`Table::slide_gap`]), so that holes made in order gather into one run an
//! iteration steps over. When the holes pass the thresholds of
//! [`Table::compact_if_sparse`], a squeeze moves the live entries down over them and renumbers
//! the index in place ([`squeeze_into`]), or, when every hole is in the gap, closes the gap with
//! one memmove ([`close_gap`]).

use super::lookup::entry_is_key;
use super::*;

/// Holes are squeezed out after a deletion only when there are at least this many of them (of
/// those an iteration tests) and they exceed half the live entries; below this a small dict
/// keeps its holes.
pub(super) const COMPACT_MIN_HOLES: usize = 8;

/// An entries array of at most this many slots is squeezed by all its holes and never slid
/// (`Table::compact_if_sparse`): its squeeze is cheap (its renumbering table is on the
/// stack), and iterating 16 u64 keys with a gap and a few holes after it measured 1.3-1.5 x
/// indexmap against 0.93-1.0 squeezed, the fixed cost of stepping over a gap. The fuzzers
/// (whose dicts hold at most 24 keys) slide from 9 slots on, so that they exercise it.
pub(super) const NEVER_SLID_UP_TO: usize = if cfg!(fuzzing) { 8 } else { 64 };

/// Whether an array of at most [`NEVER_SLID_UP_TO`] slots, with `holes` holes and `live` live
/// entries, is squeezed: its holes are [`COMPACT_MIN_HOLES`] or more and exceed half the live
/// entries (see [`Table::compact_if_sparse`], and `Table::drain_into_gap`, which leaves no
/// more). As one compare: `2 * holes` is even, so it exceeds `2 * COMPACT_MIN_HOLES - 1`
/// exactly when the holes reach `COMPACT_MIN_HOLES` (two compares with their flags combined
/// cost a removal 1 instruction more, u64 keys).
#[inline(always)]
pub(super) fn small_array_too_sparse(holes: usize, live: usize) -> bool {
    2 * holes > live.max(2 * COMPACT_MIN_HOLES - 1)
}

/// The same for a larger array, `scattered` of whose holes lie outside the gap: the scattered
/// ones exceed half the live entries (and are `COMPACT_MIN_HOLES` or more), or all of them
/// twice the live entries and `COMPACT_MIN_HOLES` more.
#[inline(always)]
pub(super) fn large_array_too_sparse(holes: usize, scattered: usize, live: usize) -> bool {
    small_array_too_sparse(scattered, live) || holes > 2 * (live + COMPACT_MIN_HOLES)
}

/// A hole made past the gap's end, at most this many slots on, slides the gap
/// ([`Table::compact_if_sparse`]); a hole made farther on, before the gap, or at its end
/// (which the gap takes in at once) does not.
const SLIDE_REACH: usize = 16;

/// How many slots one step of [`Table::slide_gap`] looks at, at most: a gap left behind by a
/// deletion before it (which starts a new gap) is taken in again that many holes a step, so
/// that no deletion pays for a long one at once.
const GAP_STEP_BUDGET: usize = 16;

impl<K, V> Table<K, V> {
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
    pub(super) fn squeeze(&mut self) {
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
    pub(super) fn holes_gone(&mut self) {
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
    pub(super) fn unlink_key(
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

    /// Deletes the live entry at `slot` (for deletions that walk the entries, like `retain`).
    pub(crate) fn take_slot(&mut self, slot: usize) -> Bucket<K, V> {
        self.unlink_slot(slot);
        self.take_entry(slot)
    }

    /// Takes `slot`, a live entry's, out of the index. Never calls user code: it compares
    /// slots, not keys (CPython's `lookdict_index`).
    #[inline]
    pub(super) fn unlink_slot(&mut self, slot: usize) {
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
    pub(super) fn take_entry(&mut self, slot: usize) -> Bucket<K, V> {
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
    pub(super) fn count_hole(&mut self, slot: usize) {
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
    pub(super) fn hole_before_the_end(&mut self, slot: usize) {
        self.newest_hole = slot;
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
    pub(super) fn positions_follow_holes(&mut self) {
        if self.has_holes() {
            self.positions.holes_exist(self.entries.capacity());
        }
    }

    /// Drops the holes at the end of the entries array, so that the last entry is live.
    pub(super) fn trim_trailing_holes(&mut self) {
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
    /// there are holes outside it and the newest hole lies just past it (within
    /// [`SLIDE_REACH`] slots), or squeezes out all the holes when those outside the gap
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
    ///
    /// Why only a hole just past the gap (2026-12-07): the slide gathers holes made in order
    /// (every other key removed front to back), each a slot or two past the gap. Holes
    /// made at random land mostly out of its reach or before it (which starts a new gap and
    /// leaves the old one scattered), so there each slide moved an entry and gathered next to
    /// nothing: 100,000 moves to the end of random keys of a dict of 1,000 u64 keys squeezed
    /// 198 times with the slide and 199 without it. Sliding for every hole cost such a move 440
    /// instructions, 350 now; a random half of 1,000 keys removed, 289.5 -> 206.1 a removal
    /// (`remove_half_random`); every other key removed front to back, 247.7 -> 245.7, at 16
    /// keys 197.8 -> 198.8 and at 100,000 251.1 -> 257.1 (the removal's code laid out
    /// differently around one more store); iterating the survivors of a random third removed
    /// 22.2 -> 23.1 instructions an entry (callgrind, `VDICT_HASH_SEED=1 examples/profile
    /// vdict <workload> u64 <n>`).
    #[inline]
    pub(crate) fn compact_if_sparse(&mut self) -> bool {
        let len = self.entries.len();
        let holes = len - self.used;
        if len <= NEVER_SLID_UP_TO {
            // A small array is squeezed by all the holes it has, and never slid.
            let sparse = small_array_too_sparse(holes, self.used);
            if sparse {
                self.squeeze();
            }
            return sparse;
        }
        // The gap's holes (`gap_end - live_prefix`, both `usize::MAX` when there are no holes).
        let scattered = holes - self.gap_end.wrapping_sub(self.live_prefix);
        if large_array_too_sparse(holes, scattered, self.used) {
            self.squeeze();
            return true;
        }
        if scattered == 0 || self.newest_hole.wrapping_sub(self.gap_end) >= SLIDE_REACH {
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
    shift_slots_down(table, end, end - start);
}

/// Renumbers the slots `table` holds from `from` on to `by` less: what the index needs once
/// the entries from `from` on have moved down by `by` slots (over holes, or over entries
/// whose slots were taken out of the index first). One pass over the buckets, touching no
/// entry.
pub(super) fn shift_slots_down<W: SlotWord>(table: &mut HashTable<W>, from: usize, by: usize) {
    for slot in table.iter_mut() {
        let old = slot.get();
        if old >= from {
            *slot = W::new(old - by);
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
/// `first_moved` on, which [`compact_live`] fills.
#[inline(always)]
fn squeeze_with<K, V, W: SlotWord>(
    table: &mut HashTable<W>,
    entries: &mut Vec<EntrySlot<K, V>>,
    first_moved: usize,
    new_slots: &mut [W],
) {
    compact_live(entries, first_moved, new_slots);
    for slot in table.iter_mut() {
        // A slot below `first_moved` wraps around to past the table's end, so that one
        // compare tells both "it moved" and "it is in the table".
        if let Some(&new) = new_slots.get(slot.get().wrapping_sub(first_moved)) {
            *slot = new;
        }
    }
}

/// Moves the live entries from `first_moved` on down over the holes among them, keeping
/// their order, and cuts off what is left at the end: `entries.retain(Option::is_some)` from
/// `first_moved` on, without a branch on a slot. On the way it writes each slot's new slot
/// (the live entries before it) into `new_slots`, one word per slot from `first_moved` on: the
/// renumbering the index then takes (a hole's word is never read).
///
/// Every slot is copied to the place the next live entry goes, and that place moves on only
/// past a live entry, so a hole's copy is overwritten by the next live entry's. `retain`
/// branches on each slot instead, and where the holes lie at random that branch mispredicts
/// about once for every two holes: a squeeze after random removals is mostly mispredicts.
/// Callgrind (`VDICT_HASH_SEED=1 examples/profile vdict remove_half_random <key> <n>`, per
/// removal, its squeezes included), `retain` -> this: u64 at 1,000 keys 205.9 -> 206.6
/// instructions and 1.60 -> 0.79 mispredicted branches, at 100,000 202.5 -> 203.1 and 1.48 ->
/// 0.68; `String` at 1,000 302.9 -> 308.7 and 3.35 -> 0.52. The clock, half of a fresh
/// dict's keys removed in a new random order each time: 1,000 u64 keys 16.1-16.7 -> 11.1-11.9
/// ns a removal, `String` 32.6-33.9 -> 28.1-28.5, 100,000 u64 keys 25.0-26.6 -> 19.9-21.2.
/// (Removing the same keys in the same order round after round, as the report's
/// `remove_half_random` row did until 2026-12-07, the processor learns where `retain`'s holes
/// fall at 1,000 keys: 9.0-9.3 -> 9.2-9.4 there.) A safe version, swapping each slot with
/// that place, cost 28 instructions more a removal and read 9.1 -> 10.2 ns in the same order
/// round after round. (Those counts are of the report's removals in one order; in the random
/// orders it takes since, numbering the slots in this loop rather than in a pass of its own
/// before it: u64 214.1 -> 207.1 a removal at 1,000 keys, 207.1 -> 200.1 at 100,000, `String`
/// 319.6 -> 308.7; a move to the end 343.9 -> 334.1.)
///
/// Why the copies are sound: `live_end <= slot < len` throughout, so both pointers are in
/// bounds, and each slot is read before anything is written to it (the writes go to
/// `live_end`, below it or onto itself; `copy` allows the overlap). Only a live entry moves
/// `live_end` on, so every live entry ends up exactly once in `..live_end`, in order (a hole's
/// copy is overwritten by the next live entry's, or lies past `live_end`), and what is left
/// past `live_end` are holes and stale copies of entries below it, which the length cut
/// forgets without dropping. Nothing in the loop can panic (its one check, of the slot
/// words' width, is made before it) or call user code, so no one sees the stale copies.
#[allow(unsafe_code)]
fn compact_live<K, V, W: SlotWord>(
    entries: &mut Vec<EntrySlot<K, V>>,
    first_moved: usize,
    new_slots: &mut [W],
) {
    let len = entries.len();
    // Checked once here, so that nothing in the loop can panic: every slot the loop numbers
    // is below `len`, which then fits a slot word (`W::new` asserts it in debug builds).
    assert!(first_moved <= len && new_slots.len() == len - first_moved && len <= W::MAX_ENTRIES);
    let base = entries.as_mut_ptr();
    let mut live_end = first_moved;
    // SAFETY: in bounds, each slot read before it is written, every live entry kept once and
    // the stale copies past `live_end` forgotten: see "Why the copies are sound" above.
    unsafe {
        for (slot, new_slot) in (first_moved..len).zip(new_slots) {
            *new_slot = W::new(live_end);
            let live = (*base.add(slot)).is_some();
            std::ptr::copy(base.add(slot), base.add(live_end), 1);
            live_end += usize::from(live);
        }
        entries.set_len(live_end);
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
        entry_is_key(entries, *slot, hash, is_key)
    });
    Some(found.ok()?.remove().0.get())
}

/// Takes `slot`, stored under `hash`, out of `table`, comparing slots, not keys.
///
/// # Panics
///
/// If the index does not hold `slot` under `hash` (a corrupt table).
#[inline(always)]
pub(super) fn unlink_slot_from<S: SlotWord>(table: &mut HashTable<S>, hash: u64, slot: usize) {
    table
        .find_entry(hash, |stored| stored.get() == slot)
        .unwrap_or_else(|_| slot_missing_from_index(slot))
        .remove();
}
