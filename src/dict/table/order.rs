//! Positions and reordering: a live entry's position (its rank among the live entries) and
//! every operation that moves entries to other slots.
//!
//! With no hole, a position is its slot. Past the first hole, positions come from
//! `ranks.rs` (built on first use), except while every hole is in the gap, when a position
//! past it is its slot minus the gap ([`Table::only_gap`]). Moving an entry renumbers the
//! slots the index holds for it and for the entries it passes ([`move_slot_in_index`]); moving
//! one to the end is O(1) amortised, a hole and an append ([`Table::move_slot_to_end`]).
//! `swap_remove`, `swap_indices`, `drain` of a range and the sorts (`rearrange`) live here
//! too.

use super::holes::{
    large_array_too_sparse, shift_slots_down, small_array_too_sparse, NEVER_SLID_UP_TO,
};
use super::*;
use std::ops::Range;

impl<K, V> Table<K, V> {
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
    pub(super) fn only_gap(&self) -> Option<usize> {
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
    /// end`) and hands them out as the tail of the entries array, which the caller drains. The
    /// table is consistent when this returns: `Vec::drain` cuts the array's length to the start
    /// of what it drains at once, so a leaked drain loses the entries it did not hand out and
    /// nothing else.
    ///
    /// By the range's size and place:
    /// - **A few entries** (at most a third of the dict) whose slots can join the gap (see
    ///   [`drain_into_gap`](Table::drain_into_gap)): O(taken), nothing else moves. A queue
    ///   drained from the front goes this way batch after batch, and so does a range of a dict
    ///   with no holes that is not a suffix, when the entries array has room for the range past
    ///   its end or can make it.
    /// - **A few others**: the holes are squeezed out first, and the range goes into the gap as
    ///   above if it can; else each entry's slot is taken out of the index by a probe of its
    ///   stored hash, and a suffix (`truncate`, `split_off`) is the array's tail already, while
    ///   for another range the entries after it move down over it and their slots down in one
    ///   pass over the index ([`shift_slots_down`]).
    /// - **Many**: the holes are squeezed out, the range moves to the array's end, and the
    ///   index is rebuilt from the entries that stay, which is then cheaper than a probe per
    ///   entry taken.
    ///
    /// Until 2026-12-07 every drain squeezed and rebuilt the index: O(n) however few it took.
    /// Callgrind, a scratch program, 100,000 u64 keys, instructions a round of draining 100
    /// entries and inserting 100: the first 100, 5.20 M -> 0.029 M (indexmap 1.91 M); 100 from
    /// the middle, 4.78 M -> 0.028 M (3.02 M); the last 100, 4.36 M -> 0.022 M (0.027 M). The
    /// report's `drain_oldest` row (batches of a hundredth of the dict drained from the front,
    /// as many inserted), u64 keys, ns per entry drained, two runs: 274-326 -> 15.5-16.8 at
    /// 1,000 keys (indexmap 127-131, hashlink 14.5-15.0), 328-354 -> 27.1-27.3 at 100,000
    /// (157-222, 39.5-44.7).
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
        let taken = end - start;
        let kept = self.used - taken;
        let few = taken * 2 <= kept;
        if few && self.has_holes() {
            if let Some(first_taken) = self.drain_into_gap(start, end) {
                return self.entries.drain(first_taken..);
            }
        }
        if self.has_holes() {
            self.squeeze();
        }
        if few {
            if let Some(first_taken) = self.drain_into_gap(start, end) {
                return self.entries.drain(first_taken..);
            }
            // (Making room there may have grown the array, never moved an entry: no holes.)
            let len = self.entries.len();
            for slot in start..end {
                self.unlink_slot(slot);
            }
            if end < len {
                move_range_to_end(&mut self.entries, start, end);
                with_index!(&mut self.index, table => shift_slots_down(table, end, taken));
            }
        } else {
            move_range_to_end(&mut self.entries, start, end);
            let Table { index, entries, .. } = self;
            with_index!(index, table => {
                table.clear();
                for (slot, bucket) in entries[..kept].iter().enumerate() {
                    let hash = bucket.as_ref().expect("squeezed: every entry is live").hash.get();
                    table.insert_unique(hash, SlotWord::new(slot), |slot| hash_at(entries, slot.get()));
                }
            });
        }
        self.used = kept;
        self.holes_gone();
        self.entries.drain(kept..)
    }

    /// [`drain_positions`](Table::drain_positions) in O(taken), if the range's slots can
    /// become (part of) the gap: their entries are taken out of the index and moved past the
    /// array's end, in order, and their slots left as holes that join the gap after the live
    /// prefix, as removals from the front of a queue leave them. Returns where the moved
    /// entries start (the array's length before), for the caller to drain; `None` if it
    /// cannot, with nothing changed but the room made for it:
    /// - the array has no room past its end for the entries taken, and more than an eighth of
    ///   it are taken (room for an eighth is made as an append to a full array makes it,
    ///   [`Table::make_room`]);
    /// - the range reaches the array's end (a suffix: cut off instead), or its slots would be
    ///   holes apart from the gap (the array has scattered holes, or the range does not touch
    ///   its gap: see [`slots_joining_gap`](Table::slots_joining_gap));
    /// - the gap would then exceed what a removal lets it grow to before a squeeze (see
    ///   [`compact_if_sparse`](Table::compact_if_sparse)).
    fn drain_into_gap(&mut self, start: usize, end: usize) -> Option<usize> {
        let taken = end - start;
        self.slots_joining_gap(start, end)?;
        // As many holes as a removal leaves before it squeezes, at most (see
        // `compact_if_sparse`: a small array keeps fewer, and never slides, but may keep them
        // in one run). Asked before making room, which can only squeeze holes out.
        let (holes, kept) = (self.entries.len() - self.used + taken, self.used - taken);
        let too_many = if self.entries.len() <= NEVER_SLID_UP_TO {
            small_array_too_sparse(holes, kept)
        } else {
            // Every hole in the gap: none scattered.
            large_array_too_sparse(holes, 0, kept)
        };
        if too_many {
            return None;
        }
        if self.entries.capacity() - self.entries.len() < taken {
            // Room as an append to a full array gets it: the holes squeezed out if they are an
            // eighth of the array, else the array grown by a quarter; either leaves room for an
            // eighth. Without this a queue drained in batches, whose gap takes up the array's
            // spare room, squeezed the whole dict every few batches.
            if taken * 8 > self.entries.len() {
                return None;
            }
            self.make_room();
            if self.entries.capacity() - self.entries.len() < taken {
                return None;
            }
        }
        let len = self.entries.len();
        // Asked again: making room may have squeezed the holes out.
        let (before, after) = self.slots_joining_gap(start, end)?;
        if !self.has_holes() {
            // With no holes the live prefix and the gap's end may be left over from holes
            // trimmed off the end (see `live_prefix`); the new gap starts from none.
            self.holes_gone();
        }
        for slot in before.clone().chain(after.clone()) {
            self.unlink_slot(slot);
            let bucket = self.entries[slot].take();
            self.entries.push(bucket);
        }
        self.used -= taken;
        // Each hole is counted where it touches the gap, so that the gap takes it in: those
        // before it from its start down, those after it from its end up.
        let holes_before = len - self.used - taken;
        for slot in before.rev().chain(after) {
            self.hole_before_the_end(slot);
        }
        debug_assert_eq!(
            self.gap_end - self.live_prefix,
            holes_before + taken,
            "one gap holds every hole"
        );
        Some(len)
    }

    /// The slots of the live entries at positions `start..end`, if they can join the gap: those
    /// before the gap (`start..end` itself when there are no holes), then those after it.
    /// `None` for a suffix (cut off instead) and for a range whose slots would be holes apart
    /// from the gap: with scattered holes, or not touching the gap.
    fn slots_joining_gap(&self, start: usize, end: usize) -> Option<(Range<usize>, Range<usize>)> {
        if !self.has_holes() {
            return (end < self.used).then_some((start..end, 0..0));
        }
        let gap = self.only_gap()?;
        let past_gap = end.checked_sub(self.live_prefix)?;
        if start > self.live_prefix || end + gap == self.entries.len() {
            return None;
        }
        Some((
            start..self.live_prefix,
            self.gap_end..self.gap_end + past_gap,
        ))
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
}

/// Moves `entries[start..end]` to the end of `entries`, the rest keeping their order. When
/// the smaller side is a few hundred bytes, `<[T]>::rotate_left` does it through a buffer on
/// the stack; a larger one goes through a buffer on the heap while the other side moves by one
/// memmove (`Vec::drain` and `extend` or `splice`), where `rotate_left` swapped element by
/// element: a drain of the first 100 of 100,000 u64 entries spent about 750,000 instructions
/// in it (callgrind), against one memmove now.
fn move_range_to_end<T>(entries: &mut Vec<T>, start: usize, end: usize) {
    /// What `rotate_left` keeps on the stack (the standard library's buffer is 32 words).
    const ON_STACK: usize = 256;
    let (range, after) = (end - start, entries.len() - end);
    if range.min(after) * mem::size_of::<T>() <= ON_STACK {
        entries[start..].rotate_left(range);
    } else if range <= after {
        let moved: Vec<T> = entries.drain(start..end).collect();
        entries.extend(moved);
    } else {
        let moved: Vec<T> = entries.drain(end..).collect();
        entries.splice(start..start, moved);
    }
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
