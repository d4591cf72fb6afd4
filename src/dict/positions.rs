//! Positional access, indexmap's way: an entry's *position* (indexmap's "index") is its rank
//! among the live entries, 0 for the first in iteration order.
//!
//! A position is not a slot once something before it was removed: the table translates
//! (`Table::slot_of_position`, `Table::position_of_slot`), in O(1) before the first hole and
//! in O(log n) past it (`ranks.rs`). Everything here is that translation followed by what the
//! slot API does, so `remove` (indexmap's `shift_remove`) stays O(1) and keeps the order.
//!
//! Versions follow the rules on [`Dict`]: handing out `&mut V` bumps `version`; adding or
//! removing a key, or moving any entry to another position, bumps both tags.

use super::entries::{Bucket, EntrySlot, SoughtHash};
use super::{Dict, Entry, GetDisjointMutError};
use equivalent::Equivalent;
use std::hash::{BuildHasher, Hash};
use std::ops::{Bound, IndexMut, RangeBounds};

/// `range` over `0..len` as a start and an end, with `Vec::drain`'s panics.
pub(crate) fn resolve_range(range: impl RangeBounds<usize>, len: usize) -> (usize, usize) {
    let (start, end) = range_ends(&range, len).expect("vdict: range bound overflows usize");
    assert!(
        start <= end,
        "vdict: range starts at {start} but ends at {end}"
    );
    assert!(
        end <= len,
        "vdict: range end {end} is past the length {len}"
    );
    (start, end)
}

/// `range` over `0..len` as a start and an end, or `None` if it is backwards or out of
/// bounds (`slice::get`'s way).
pub(crate) fn try_resolve_range(
    range: impl RangeBounds<usize>,
    len: usize,
) -> Option<(usize, usize)> {
    let (start, end) = range_ends(&range, len)?;
    (start <= end && end <= len).then_some((start, end))
}

/// The start and the end (excluded) of `range` over `0..len`, unchecked; `None` if an
/// included end overflows.
fn range_ends(range: &impl RangeBounds<usize>, len: usize) -> Option<(usize, usize)> {
    let start = match range.start_bound() {
        Bound::Included(&start) => start,
        Bound::Excluded(&start) => start.checked_add(1)?,
        Bound::Unbounded => 0,
    };
    let end = match range.end_bound() {
        Bound::Included(&end) => end.checked_add(1)?,
        Bound::Excluded(&end) => end,
        Bound::Unbounded => len,
    };
    Some((start, end))
}

fn pair<K, V>(bucket: &Bucket<K, V>) -> (&K, &V) {
    (&bucket.key, &bucket.value)
}

fn pair_mut<K, V>(bucket: &mut Bucket<K, V>) -> (&K, &mut V) {
    (&bucket.key, &mut bucket.value)
}

impl<K, V, S> Dict<K, V, S> {
    /// The slot of the entry at `position`, if there is one.
    #[inline]
    fn slot_of(&self, position: usize) -> Option<usize> {
        self.table.slot_of_position(position)
    }

    /// The slot of the entry at `position`, panicking like indexmap's positional methods
    /// when there is none. Inline, with the panic out of line: as a call of its own it cost
    /// `swap_indices` 12 instructions a swap (callgrind, `examples/profile_api <map>
    /// swap_indices 1000`: 168.3 -> 156.3, indexmap 113.2).
    #[inline]
    fn slot_of_or_panic(&self, position: usize, what: &str) -> usize {
        match self.slot_of(position) {
            Some(slot) => slot,
            None => position_out_of_bounds(what, position, self.len()),
        }
    }

    /// The entry at `position` (its rank in iteration order). O(1) while no hole lies before
    /// it, O(log n) otherwise.
    ///
    /// ```
    /// let mut d = vdict::Dict::from([("a", 1), ("b", 2), ("c", 3)]);
    /// d.remove("a"); // leaves a hole: positions move down, slots do not
    /// assert_eq!(d.get_index(0), Some((&"b", &2)));
    /// assert_eq!(d.get_index(2), None);
    /// ```
    #[inline]
    pub fn get_index(&self, position: usize) -> Option<(&K, &V)> {
        let entries = self.table.entries();
        let live = self.table.len();
        if entries.len() == live {
            // No hole: the position is the slot, and the bounds check is the only test, as
            // in indexmap. Leaving out the hole test (a load of the stored hash and a
            // branch) takes a lookup from 10.5 to 7 instructions, indexmap's count
            // (callgrind, random positions in a 1,000-entry u64 dict, through a generic
            // caller that inlines it).
            // The table keeps its count of live entries exact at every return, and
            // `check_invariants` audits it (the argument is `LiveEntries`' in iter.rs).
            let slot = entries.get(position)?;
            #[allow(unsafe_code)]
            // SAFETY: as many live entries as slots: no slot is a hole, so this one is live.
            let bucket = unsafe { slot.as_ref().unwrap_unchecked() };
            return Some(pair(bucket));
        }
        if position >= live {
            return None;
        }
        #[allow(unsafe_code)]
        // SAFETY: `position < live`, the table's count of live entries.
        if let Some(slot) = unsafe { self.table.flat_slot_unchecked(position) } {
            // Holes, and the flat table of positions is built: one more load, and no test of
            // what it says. Leaving out its bounds check (the test against `live` above
            // serves), the entry's and its hole test, and reading the table through one
            // pointer rather than a `OnceLock`, takes a read from 23 to 18 instructions
            // (callgrind, random positions in a 1,000-entry u64 dict with a hole every 10
            // slots, through a generic caller; indexmap: 7.5).
            debug_assert!(entries.get(slot).is_some_and(Option::is_some));
            #[allow(unsafe_code)]
            // SAFETY: the flat table holds the slot of every live entry, in order, and nothing
            // else (`Positions` keeps it so: it follows every slot that turns live or hole,
            // and is dropped with any other change; `check_invariants` audits it), so `slot`
            // is in bounds and not a hole.
            let bucket = unsafe { entries.get_unchecked(slot).as_ref().unwrap_unchecked() };
            return Some(pair(bucket));
        }
        self.get_index_past_holes(position)
    }

    /// `get_index` of a dict with holes: kept out of line, so that the hole-free path above
    /// is small enough for callers to inline (as indexmap's is).
    #[inline(never)]
    fn get_index_past_holes(&self, position: usize) -> Option<(&K, &V)> {
        let slot = self.slot_of(position)?;
        Some(pair(self.table.bucket_at(slot)))
    }

    /// The entry at `position`, its value mutable. Bumps the version when it hands one out.
    #[inline]
    pub fn get_index_mut(&mut self, position: usize) -> Option<(&K, &mut V)> {
        let slot = self.slot_of(position)?;
        self.tags.values_changed();
        Some(pair_mut(self.table.bucket_at_mut(slot)))
    }

    /// The first entry, its value mutable. Bumps the version of a non-empty dict.
    pub fn first_mut(&mut self) -> Option<(&K, &mut V)> {
        self.get_index_mut(0)
    }

    /// The last entry, its value mutable. Bumps the version of a non-empty dict.
    pub fn last_mut(&mut self) -> Option<(&K, &mut V)> {
        let last = self.len().checked_sub(1)?;
        self.get_index_mut(last)
    }

    /// The entry at `position` as an [`OccupiedEntry`](super::OccupiedEntry) (indexmap's
    /// `get_index_entry`), to read, change or remove.
    pub fn get_index_entry(&mut self, position: usize) -> Option<super::OccupiedEntry<'_, K, V>> {
        let slot = self.slot_of(position)?;
        let found = self.table.found_of_slot(slot);
        Some(super::OccupiedEntry::new(
            &mut self.table,
            &mut self.tags,
            found,
        ))
    }

    /// The first entry as an [`OccupiedEntry`](super::OccupiedEntry).
    pub fn first_entry(&mut self) -> Option<super::OccupiedEntry<'_, K, V>> {
        self.get_index_entry(0)
    }

    /// The last entry as an [`OccupiedEntry`](super::OccupiedEntry).
    pub fn last_entry(&mut self) -> Option<super::OccupiedEntry<'_, K, V>> {
        let last = self.len().checked_sub(1)?;
        self.get_index_entry(last)
    }

    /// Values at several positions at once, each mutable: an error if a position is out of
    /// bounds or two are the same. Bumps the version when it hands them out.
    ///
    /// ```
    /// let mut d = vdict::Dict::from([("a", 1), ("b", 2)]);
    /// let [(_, a), (_, b)] = d.get_disjoint_indices_mut([0, 1]).unwrap();
    /// std::mem::swap(a, b);
    /// assert_eq!(d["a"], 2);
    /// assert!(d.get_disjoint_indices_mut([1, 1]).is_err());
    /// ```
    pub fn get_disjoint_indices_mut<const N: usize>(
        &mut self,
        positions: [usize; N],
    ) -> Result<[(&K, &mut V); N], GetDisjointMutError> {
        let slots = disjoint_slots(positions, |position| self.slot_of(position))?;
        self.tags.values_changed();
        let buckets = buckets_at_mut(self.table.entries_mut(), slots.map(Some));
        Ok(buckets.map(|bucket| pair_mut(bucket.expect("every slot was given"))))
    }

    /// Removes the entry at `position` and puts the last entry in its place (indexmap's
    /// `swap_remove_index`): O(1), but the last entry moves. Bumps both tags.
    pub fn swap_remove_index(&mut self, position: usize) -> Option<(K, V)> {
        let slot = self.slot_of(position)?;
        let bucket = self.table.swap_remove_slot(slot);
        // A fresh keys version covers any slots the compaction moves.
        self.tags.keys_changed();
        self.table.compact_after_swap_remove();
        Some((bucket.key, bucket.value))
    }

    /// Removes the entry at `position`, keeping the order of the rest (indexmap's
    /// `shift_remove_index`, which is O(n) there): O(1) amortised here, plus O(log n) while
    /// positions past a hole have been asked for. Bumps both tags.
    pub fn shift_remove_index(&mut self, position: usize) -> Option<(K, V)> {
        let slot = self.slot_of(position)?;
        let bucket = self.table.take_slot(slot);
        self.tags.keys_changed();
        self.table.compact_if_sparse();
        Some((bucket.key, bucket.value))
    }

    /// Removes and returns the last entry: indexmap's name for [`pop_last`](Dict::pop_last).
    pub fn pop(&mut self) -> Option<(K, V)> {
        self.pop_last()
    }

    /// Removes and returns the last entry if `predicate` accepts it (its value mutable; the
    /// version is bumped when it is asked).
    pub fn pop_if(&mut self, predicate: impl FnOnce(&K, &mut V) -> bool) -> Option<(K, V)> {
        let (key, value) = self.last_mut()?;
        if predicate(key, value) {
            self.pop_last()
        } else {
            None
        }
    }

    /// Keeps the first `len` entries and drops the rest, in order (as `Vec::truncate` and
    /// indexmap do); nothing if `len` is not less than the length. Bumps both tags when it
    /// drops something. Through [`drain`](Dict::drain): O(entries dropped) when they are at
    /// most a third of the dict, O(n) otherwise, when rebuilding the index for the entries
    /// kept costs less than a probe per entry dropped (callgrind, a scratch program, half of
    /// 1,000 u64 keys: 23.3 instructions per entry of the dict, against 49.0 popping them one by
    /// one; indexmap 27.6).
    pub fn truncate(&mut self, len: usize) {
        if len < self.len() {
            drop(self.drain(len..));
        }
    }

    /// Exchanges the positions of two entries. O(1). Bumps both tags (the two keys change
    /// slots). Panics if either position is out of bounds.
    pub fn swap_indices(&mut self, a: usize, b: usize) {
        let slot_a = self.slot_of_or_panic(a, "swap_indices");
        let slot_b = self.slot_of_or_panic(b, "swap_indices");
        self.table.swap_slots(slot_a, slot_b);
        self.tags.keys_changed();
    }

    /// Moves the entry at `from` to position `to`, shifting the entries between them by one.
    /// O(n) (as in indexmap), except to the last position: O(1) amortised there (a hole is
    /// left where it was and it is appended, so an order of use, as a cache keeps, costs no
    /// shift). Bumps both tags. Panics if either position is out of bounds.
    ///
    /// ```
    /// let mut d = vdict::Dict::from([("a", 1), ("b", 2), ("c", 3)]);
    /// d.move_index(0, 2);
    /// assert_eq!(d.keys().copied().collect::<Vec<_>>(), ["b", "c", "a"]);
    /// ```
    ///
    /// A cache kept in order of use moves each hit to the end (through its entry, which also
    /// spares asking the key's position) and evicts from the front:
    ///
    /// ```
    /// use vdict::{Dict, Entry};
    ///
    /// let mut recent = Dict::from([("a", 1), ("b", 2), ("c", 3)]);
    /// let last = recent.len() - 1;
    /// if let Entry::Occupied(hit) = recent.entry("a") {
    ///     hit.move_index(last); // O(1) amortised: to the end
    /// }
    /// assert_eq!(recent.shift_remove_index(0), Some(("b", 2))); // the least recently used
    /// assert_eq!(recent.keys().copied().collect::<Vec<_>>(), ["c", "a"]);
    /// ```
    pub fn move_index(&mut self, from: usize, to: usize) {
        let len = self.len();
        assert!(
            from < len && to < len,
            "vdict: move_index({from}, {to}): index out of bounds: the len is {len}"
        );
        if from != to {
            self.table.move_position(from, to);
            self.tags.keys_changed();
        }
    }

    /// Reverses the order of the entries. O(n). Bumps both tags of a dict of two or more.
    pub fn reverse(&mut self) {
        if self.len() < 2 {
            return;
        }
        self.table.reverse();
        self.tags.keys_changed();
    }

    /// Removes the entries at positions `range` and hands them out in order. The dict is
    /// consistent as soon as `drain` returns, even if the iterator is leaked (the entries it
    /// has not handed out are then lost); those not handed out are dropped with it. Bumps both
    /// tags when it removes something. Panics, as `Vec::drain` does, if the range is out of
    /// bounds or decreasing.
    ///
    /// A range of at most a third of the entries costs O(its length), wherever it is, when the
    /// dict has no holes, or its holes are one run that the range touches (as the holes a
    /// queue's removals leave at its front are): the range's slots join that run, which a later
    /// squeeze closes, and nothing else moves. (A dict with no room left in its entries array makes room as an insert would, for
    /// a range of up to an eighth of it.) So a queue drained from the front a batch at a time,
    /// or a suffix cut off (`truncate`), costs what it takes. Otherwise O(n), as in indexmap,
    /// where every range but a suffix is O(n).
    ///
    /// ```
    /// let mut d = vdict::Dict::from([("a", 1), ("b", 2), ("c", 3), ("d", 4)]);
    /// let middle: Vec<_> = d.drain(1..3).collect();
    /// assert_eq!(middle, [("b", 2), ("c", 3)]);
    /// assert_eq!(d.keys().copied().collect::<Vec<_>>(), ["a", "d"]);
    /// ```
    pub fn drain<R: RangeBounds<usize>>(&mut self, range: R) -> super::Drain<'_, K, V> {
        let len = self.len();
        let (start, end) = resolve_range(range, len);
        if start < end {
            self.tags.keys_changed();
        }
        if start == 0 && end == len {
            // Owned walks use no live front (with holes they test every slot).
            return super::Drain::new(self.table.drain(), len, 0);
        }
        let taken = end - start;
        super::Drain::new(self.table.drain_positions(start, end), taken, taken)
    }

    /// Sorts the entries by `compare` on keys and values, stably. O(n log n). Bumps both tags
    /// of a dict of two or more. A panic in `compare` leaves the dict consistent, in some
    /// order.
    pub fn sort_by(&mut self, mut compare: impl FnMut(&K, &V, &K, &V) -> std::cmp::Ordering) {
        self.rearrange_buckets(|buckets| {
            buckets.sort_by(|a, b| compare(&a.key, &a.value, &b.key, &b.value))
        });
    }

    /// Sorts the entries by `compare`, not stably (faster, no allocation). See
    /// [`sort_by`](Dict::sort_by).
    pub fn sort_unstable_by(
        &mut self,
        mut compare: impl FnMut(&K, &V, &K, &V) -> std::cmp::Ordering,
    ) {
        self.rearrange_buckets(|buckets| {
            buckets.sort_unstable_by(|a, b| compare(&a.key, &a.value, &b.key, &b.value))
        });
    }

    /// Sorts the entries by key, stably. See [`sort_by`](Dict::sort_by).
    pub fn sort_keys(&mut self)
    where
        K: Ord,
    {
        self.sort_by(|a, _, b, _| a.cmp(b));
    }

    /// Sorts the entries by key, not stably. See [`sort_by`](Dict::sort_by).
    pub fn sort_unstable_keys(&mut self)
    where
        K: Ord,
    {
        self.sort_unstable_by(|a, _, b, _| a.cmp(b));
    }

    /// Sorts the entries by a key extracted from each, stably (`slice::sort_by_key`).
    pub fn sort_by_key<T: Ord>(&mut self, mut key_of: impl FnMut(&K, &V) -> T) {
        self.sort_by(|k1, v1, k2, v2| key_of(k1, v1).cmp(&key_of(k2, v2)));
    }

    /// Sorts the entries by a key extracted from each, not stably.
    pub fn sort_unstable_by_key<T: Ord>(&mut self, mut key_of: impl FnMut(&K, &V) -> T) {
        self.sort_unstable_by(|k1, v1, k2, v2| key_of(k1, v1).cmp(&key_of(k2, v2)));
    }

    /// Sorts the entries by a key computed once per entry (`slice::sort_by_cached_key`).
    pub fn sort_by_cached_key<T: Ord>(&mut self, mut key_of: impl FnMut(&K, &V) -> T) {
        self.rearrange_buckets(|buckets| {
            buckets.sort_by_cached_key(|bucket| key_of(&bucket.key, &bucket.value))
        });
    }

    /// Consumes the dict and hands out its entries sorted by `compare`, stably.
    pub fn sorted_by(
        mut self,
        compare: impl FnMut(&K, &V, &K, &V) -> std::cmp::Ordering,
    ) -> super::IntoIter<K, V> {
        self.sort_by(compare);
        self.into_iter()
    }

    /// Consumes the dict and hands out its entries sorted by `compare`, not stably.
    pub fn sorted_unstable_by(
        mut self,
        compare: impl FnMut(&K, &V, &K, &V) -> std::cmp::Ordering,
    ) -> super::IntoIter<K, V> {
        self.sort_unstable_by(compare);
        self.into_iter()
    }

    /// Runs a reordering of the entries (handed over as live buckets) and bumps the tags.
    pub(crate) fn rearrange_buckets(&mut self, reorder: impl FnOnce(&mut [Bucket<K, V>])) {
        if self.len() < 2 {
            return;
        }
        // Bumped first: if `reorder` panics the entries may have moved already.
        self.tags.keys_changed();
        self.table.rearrange_live(reorder);
    }

    /// Searches a dict sorted by `compare` for an entry (`slice::binary_search_by`): `Ok` with
    /// its position, or `Err` with the position where it would go. O(log n) probes, each
    /// O(1) before the first hole and O(log n) past it.
    pub fn binary_search_by<'a>(
        &'a self,
        compare: impl FnMut(&'a K, &'a V) -> std::cmp::Ordering,
    ) -> Result<usize, usize> {
        self.as_slice().binary_search_by(compare)
    }

    /// [`binary_search_by`](Dict::binary_search_by) on a key extracted from each entry.
    pub fn binary_search_by_key<'a, B: Ord>(
        &'a self,
        b: &B,
        mut key_of: impl FnMut(&'a K, &'a V) -> B,
    ) -> Result<usize, usize> {
        self.binary_search_by(|k, v| key_of(k, v).cmp(b))
    }

    /// Searches a dict sorted by key for `key`: see [`binary_search_by`](Dict::binary_search_by).
    pub fn binary_search_keys(&self, key: &K) -> Result<usize, usize>
    where
        K: Ord,
    {
        self.binary_search_by(|k, _| k.cmp(key))
    }

    /// The position of the first entry for which `predicate` is false, in a dict partitioned
    /// by it (`slice::partition_point`).
    pub fn partition_point(&self, predicate: impl FnMut(&K, &V) -> bool) -> usize {
        self.as_slice().partition_point(predicate)
    }

    /// Whether the entries are in order by `compare` (each pair not `Greater`).
    pub fn is_sorted_by<'a>(
        &'a self,
        compare: impl FnMut(&'a K, &'a V, &'a K, &'a V) -> bool,
    ) -> bool {
        self.as_slice().is_sorted_by(compare)
    }

    /// Whether the entries are in order of a key extracted from each.
    pub fn is_sorted_by_key<'a, T: PartialOrd>(
        &'a self,
        key_of: impl FnMut(&'a K, &'a V) -> T,
    ) -> bool {
        self.as_slice().is_sorted_by_key(key_of)
    }

    /// Whether the entries are in order by key.
    pub fn is_sorted(&self) -> bool
    where
        K: PartialOrd,
    {
        self.is_sorted_by(|a, _, b, _| a <= b)
    }
}

/// The slots of `positions` (translated by `slot_of`, `None` past the end), or the error
/// `get_disjoint_indices_mut` gives for a position out of bounds or given twice.
pub(crate) fn disjoint_slots<const N: usize>(
    positions: [usize; N],
    slot_of: impl Fn(usize) -> Option<usize>,
) -> Result<[usize; N], GetDisjointMutError> {
    let mut slots = [0usize; N];
    for (i, &position) in positions.iter().enumerate() {
        slots[i] = slot_of(position).ok_or(GetDisjointMutError::IndexOutOfBounds)?;
        if positions[..i].contains(&position) {
            return Err(GetDisjointMutError::OverlappingIndices);
        }
    }
    Ok(slots)
}

/// The live entries in `slots` (distinct where given), each mutable, in the order given:
/// the array is split at each slot in increasing order, so no two references overlap.
pub(crate) fn buckets_at_mut<K, V, const N: usize>(
    entries: &mut [EntrySlot<K, V>],
    slots: [Option<usize>; N],
) -> [Option<&mut Bucket<K, V>>; N] {
    let mut order: [usize; N] = std::array::from_fn(|i| i);
    order.sort_by_key(|&i| slots[i]);
    let mut out: [Option<&mut Bucket<K, V>>; N] = std::array::from_fn(|_| None);
    let mut rest = entries;
    let mut offset = 0;
    for i in order {
        let Some(slot) = slots[i] else { continue };
        let (_, from_slot) = std::mem::take(&mut rest).split_at_mut(slot - offset);
        let (this, after) = from_slot
            .split_first_mut()
            .expect("a live slot is in bounds");
        out[i] = Some(this.as_mut().expect("vdict: a position's slot is live"));
        rest = after;
        offset = slot + 1;
    }
    out
}

impl<K, V, S> Dict<K, V, S>
where
    K: Hash + Eq,
    S: BuildHasher,
{
    /// The position of `key` in iteration order.
    ///
    /// ```
    /// let mut d = vdict::Dict::from([("a", 1), ("b", 2), ("c", 3)]);
    /// d.remove("a");
    /// assert_eq!(d.get_index_of("c"), Some(1));
    /// ```
    #[inline]
    pub fn get_index_of<Q>(&self, key: &Q) -> Option<usize>
    where
        Q: Hash + Equivalent<K> + ?Sized,
    {
        let slot = self.get_slot(key)?;
        Some(self.table.position_of_slot(slot))
    }

    /// The position, the stored key and the value of `key`.
    #[inline]
    pub fn get_full<Q>(&self, key: &Q) -> Option<(usize, &K, &V)>
    where
        Q: Hash + Equivalent<K> + ?Sized,
    {
        let hash = SoughtHash::new(self.hash_key(key));
        let (slot, bucket) = self
            .table
            .find_slot_and_bucket(hash, |stored| key.equivalent(stored))?;
        Some((
            self.table.position_of_slot(slot),
            &bucket.key,
            &bucket.value,
        ))
    }

    /// The position, the stored key and the value (mutable) of `key`. Bumps the version
    /// when the key is present.
    pub fn get_full_mut<Q>(&mut self, key: &Q) -> Option<(usize, &K, &mut V)>
    where
        Q: Hash + Equivalent<K> + ?Sized,
    {
        let slot = self.get_slot(key)?;
        let position = self.table.position_of_slot(slot);
        self.tags.values_changed();
        let (key, value) = pair_mut(self.table.bucket_at_mut(slot));
        Some((position, key, value))
    }

    /// The stored key and the value (mutable) of `key`. Bumps the version when the key is
    /// present.
    pub fn get_key_value_mut<Q>(&mut self, key: &Q) -> Option<(&K, &mut V)>
    where
        Q: Hash + Equivalent<K> + ?Sized,
    {
        let (_, key, value) = self.get_full_mut(key)?;
        Some((key, value))
    }

    /// Values for several keys at once, each mutable. Panics if two keys are the same entry
    /// (as indexmap's does). Bumps the version when it hands out anything.
    pub fn get_disjoint_mut<Q, const N: usize>(&mut self, keys: [&Q; N]) -> [Option<&mut V>; N]
    where
        Q: Hash + Equivalent<K> + ?Sized,
    {
        let slots = keys.map(|key| self.get_slot(key));
        for (i, slot) in slots.iter().enumerate() {
            if slot.is_some() && slots[..i].contains(slot) {
                panic!("vdict: get_disjoint_mut was given the same key twice");
            }
        }
        if slots.iter().any(Option::is_some) {
            self.tags.values_changed();
        }
        buckets_at_mut(self.table.entries_mut(), slots).map(|bucket| bucket.map(|b| &mut b.value))
    }

    /// Inserts `key -> value` and says at which position: a new key goes last, a present one
    /// keeps its position and gets the new value (the old one is returned).
    #[inline]
    pub fn insert_full(&mut self, key: K, value: V) -> (usize, Option<V>) {
        self.insert_locating(key, value, true)
    }

    /// Removes `key` and puts the last entry in its place (indexmap's `swap_remove`): O(1),
    /// but the last entry moves. [`remove`](Dict::remove) keeps the order, also in O(1).
    pub fn swap_remove<Q>(&mut self, key: &Q) -> Option<V>
    where
        Q: Hash + Equivalent<K> + ?Sized,
    {
        self.swap_remove_located(key, false)
            .map(|(_, _, value)| value)
    }

    /// [`swap_remove`](Dict::swap_remove), handing out the stored key too.
    pub fn swap_remove_entry<Q>(&mut self, key: &Q) -> Option<(K, V)>
    where
        Q: Hash + Equivalent<K> + ?Sized,
    {
        self.swap_remove_located(key, false)
            .map(|(_, key, value)| (key, value))
    }

    /// [`swap_remove`](Dict::swap_remove), handing out the removed entry's position and key
    /// too.
    pub fn swap_remove_full<Q>(&mut self, key: &Q) -> Option<(usize, K, V)>
    where
        Q: Hash + Equivalent<K> + ?Sized,
    {
        self.swap_remove_located(key, true)
    }

    /// The swap removals by key, in one probe. With `position_wanted`, also the removed
    /// entry's position (else 0): the position the entry moved into its slot now has, or,
    /// when the removed entry was the last, the new length. (Asked only when wanted: past a
    /// hole it is a rank, which builds the ranks the first time.)
    fn swap_remove_located<Q>(&mut self, key: &Q, position_wanted: bool) -> Option<(usize, K, V)>
    where
        Q: Hash + Equivalent<K> + ?Sized,
    {
        if self.table.len() == 0 {
            return None;
        }
        let hash = SoughtHash::new(self.hash_key(key));
        let (slot, bucket) = self
            .table
            .swap_remove_key(hash, |stored| key.equivalent(stored))?;
        self.tags.keys_changed();
        // Before any squeeze moves the slots.
        let position = match position_wanted {
            false => 0,
            true if slot < self.table.entries().len() => self.table.position_of_slot(slot),
            true => self.table.len(),
        };
        self.table.compact_after_swap_remove();
        Some((position, bucket.key, bucket.value))
    }

    /// Removes `key`, keeping the order of the rest: indexmap's name for
    /// [`remove`](Dict::remove) (O(n) there, O(1) here).
    pub fn shift_remove<Q>(&mut self, key: &Q) -> Option<V>
    where
        Q: Hash + Equivalent<K> + ?Sized,
    {
        self.remove(key)
    }

    /// [`shift_remove`](Dict::shift_remove), handing out the stored key too.
    pub fn shift_remove_entry<Q>(&mut self, key: &Q) -> Option<(K, V)>
    where
        Q: Hash + Equivalent<K> + ?Sized,
    {
        self.remove_entry(key)
    }

    /// [`shift_remove`](Dict::shift_remove), handing out the removed entry's position and
    /// key too.
    pub fn shift_remove_full<Q>(&mut self, key: &Q) -> Option<(usize, K, V)>
    where
        Q: Hash + Equivalent<K> + ?Sized,
    {
        let slot = self.get_slot(key)?;
        let position = self.table.position_of_slot(slot);
        let (key, value) = self.shift_remove_index(position)?;
        Some((position, key, value))
    }

    /// Inserts `key -> value` at `position`, shifting the entries from there on by one; a
    /// present key gets the new value and moves to `position` (indexmap's `shift_insert`).
    /// Returns the old value. O(n). Bumps both tags.
    ///
    /// Panics if `position` is greater than the length (for a new key) or not less than it
    /// (for a present key).
    pub fn shift_insert(&mut self, position: usize, key: K, value: V) -> Option<V> {
        let len = self.len();
        match self.entry(key) {
            Entry::Occupied(mut entry) => {
                assert!(
                    position < len,
                    "vdict: shift_insert: index out of bounds: the len is {len} but the index is {position}"
                );
                let from = entry.index();
                let old = entry.insert(value);
                self.move_index(from, position);
                Some(old)
            }
            Entry::Vacant(entry) => {
                assert!(
                    position <= len,
                    "vdict: shift_insert: index out of bounds: the len is {len} but the index is {position}"
                );
                entry.insert(value);
                self.move_index(len, position);
                None
            }
        }
    }

    /// Inserts `key -> value` before the entry at `position` (or last, for `position ==
    /// len`), returning where it ended up and the old value of a present key, which moves
    /// (indexmap's `insert_before`). O(n). Panics if `position` is greater than the length.
    pub fn insert_before(&mut self, position: usize, key: K, value: V) -> (usize, Option<V>) {
        let len = self.len();
        assert!(
            position <= len,
            "vdict: insert_before: index out of bounds: the len is {len} but the index is {position}"
        );
        match self.get_index_of(&key) {
            Some(from) => {
                // Moving down past `position` frees a place before it.
                let to = if from < position {
                    position - 1
                } else {
                    position
                };
                let old = self.shift_insert(to, key, value);
                (to, old)
            }
            None => {
                self.shift_insert(position, key, value);
                (position, None)
            }
        }
    }

    /// Replaces the key at `position` with `key`, keeping the value and the position: `Ok`
    /// with the old key, or `Err` with the position of an entry that already has `key` (and
    /// `key` back) (indexmap's `replace_index`). Bumps both tags. Panics if `position` is out
    /// of bounds.
    pub fn replace_index(&mut self, position: usize, key: K) -> Result<K, (usize, K)> {
        let slot = self.slot_of_or_panic(position, "replace_index");
        if let Some(existing) = self.get_index_of(&key) {
            if existing == position {
                // The same key: swap the stored key for the new, equal one.
                let old = std::mem::replace(&mut self.table.bucket_at_mut(slot).key, key);
                self.tags.keys_changed();
                return Ok(old);
            }
            return Err((existing, key));
        }
        let hash = self.stored_hash(&key);
        let old = self.table.replace_key(slot, hash, key);
        self.tags.keys_changed();
        Ok(old)
    }

    /// Moves every entry of `other` into this dict, in order (as `insert` does each: a key
    /// present here gets `other`'s value and keeps its place), leaving `other` empty.
    pub fn append<S2>(&mut self, other: &mut Dict<K, V, S2>) {
        self.extend(other.drain(..));
    }

    /// Splits the dict at `position`: this one keeps the entries before it, the returned one
    /// (with a clone of the hasher) gets the rest, in order. O(n) to build the new dict, and
    /// O(n) for this one only when more than a third of it goes (see [`drain`](Dict::drain)).
    /// Panics if `position` is greater than the length.
    pub fn split_off(&mut self, position: usize) -> Self
    where
        S: Clone,
    {
        let len = self.len();
        assert!(
            position <= len,
            "vdict: split_off: index out of bounds: the len is {len} but the index is {position}"
        );
        let mut tail = Dict::with_capacity_and_hasher(len - position, self.hash_builder.clone());
        for (key, value) in self.drain(position..) {
            // The keys were distinct here, and the hasher is the same: no key is compared.
            let hash = tail.stored_hash(&key);
            tail.table
                .push_vacant(super::table::Vacant, hash, key, value);
        }
        tail
    }

    /// Inserts `key -> value` into a dict sorted by key, at the position a binary search
    /// finds (a present key gets the new value and stays where it is). Returns the position
    /// and the old value. O(n).
    pub fn insert_sorted(&mut self, key: K, value: V) -> (usize, Option<V>)
    where
        K: Ord,
    {
        match self.binary_search_keys(&key) {
            Ok(position) => {
                let (_, slot_value) = self.get_index_mut(position).expect("found just now");
                (position, Some(std::mem::replace(slot_value, value)))
            }
            Err(position) => self.insert_before(position, key, value),
        }
    }

    /// Inserts into a dict sorted by `compare` (see [`insert_sorted`](Dict::insert_sorted)).
    pub fn insert_sorted_by(
        &mut self,
        key: K,
        value: V,
        mut compare: impl FnMut(&K, &V, &K, &V) -> std::cmp::Ordering,
    ) -> (usize, Option<V>) {
        let position = match self.get_index_of(&key) {
            Some(_) => return self.insert_full(key, value),
            None => self
                .binary_search_by(|k, v| compare(k, v, &key, &value))
                .unwrap_or_else(|position| position),
        };
        self.insert_before(position, key, value)
    }

    /// Inserts into a dict sorted by a key extracted from each entry.
    pub fn insert_sorted_by_key<B: Ord>(
        &mut self,
        key: K,
        value: V,
        mut key_of: impl FnMut(&K, &V) -> B,
    ) -> (usize, Option<V>) {
        let sought = key_of(&key, &value);
        let position = match self.get_index_of(&key) {
            Some(_) => return self.insert_full(key, value),
            None => self
                .binary_search_by(|k, v| key_of(k, v).cmp(&sought))
                .unwrap_or_else(|position| position),
        };
        self.insert_before(position, key, value)
    }
}

impl<K, V, S> std::ops::Index<usize> for Dict<K, V, S> {
    type Output = V;

    /// The value at `position`. Panics if it is out of bounds; use
    /// [`get_index`](Dict::get_index) to ask.
    fn index(&self, position: usize) -> &V {
        let slot = self.slot_of_or_panic(position, "Dict[position]");
        &self.table.bucket_at(slot).value
    }
}

impl<K, V, S> IndexMut<usize> for Dict<K, V, S> {
    /// The value at `position`, mutable. Bumps the version. Panics if it is out of bounds.
    fn index_mut(&mut self, position: usize) -> &mut V {
        let slot = self.slot_of_or_panic(position, "Dict[position]");
        self.tags.values_changed();
        &mut self.table.bucket_at_mut(slot).value
    }
}

/// The panic of a positional method given a position past the end (indexmap's message).
#[cold]
#[inline(never)]
fn position_out_of_bounds(what: &str, position: usize, len: usize) -> ! {
    panic!("vdict: {what}: index out of bounds: the len is {len} but the index is {position}")
}
