//! The Entry API: look a key up once, then read, insert, change or remove it in place.
//!
//! It follows std's and indexmap's shape. [`Dict::entry`](crate::Dict::entry) does the lookup
//! (hash and `Eq`, the user code) and hands back either an [`OccupiedEntry`] that remembers
//! where the key lives, or a [`VacantEntry`] that remembers its hash. What follows touches the
//! table without hashing again. Version tags are bumped by the methods that change content or
//! hand out `&mut V`, never by `entry` itself or by the read-only ones.

use super::entries::{Bucket, StoredHash};
use super::table::{Found, Table, Vacant};
use super::Tags;
use std::fmt;

/// A key's place in a [`Dict`](crate::Dict), occupied or vacant.
pub enum Entry<'a, K, V> {
    /// The key is present.
    Occupied(OccupiedEntry<'a, K, V>),
    /// The key is absent.
    Vacant(VacantEntry<'a, K, V>),
}

/// A present key's place. (The key given to [`Dict::entry`](crate::Dict::entry) was dropped
/// there: the dict keeps its own stored key.)
//
// Its slot names a live entry for as long as it exists, which its reads and writes rely on
// (they skip the bounds check and the hole test): every `Found` it is made with comes from a
// probe of the index (which holds only live slots: see `live_entry` in table/mod.rs) or from
// `Table::found_of_slot`, which reads the slot's entry first; the entry holds the table's only
// borrow; and of its methods, those that take `&mut self` change a value or a key in place,
// never making a hole or moving an entry (the ones that remove or move take `self`).
pub struct OccupiedEntry<'a, K, V> {
    table: &'a mut Table<K, V>,
    tags: &'a mut Tags,
    found: Found,
}

/// An absent key's place: inserting fills it.
pub struct VacantEntry<'a, K, V> {
    table: &'a mut Table<K, V>,
    tags: &'a mut Tags,
    hash: StoredHash,
    /// Where the key goes, found by the probe that found it absent.
    vacant: Vacant,
    key: K,
}

impl<'a, K, V> Entry<'a, K, V> {
    // The `or_*` methods are `#[inline(always)]`: with `#[inline]` the compiler kept
    // `or_insert` a call of its own in a counting loop (`*d.entry(k).or_insert(0) += 1`),
    // whose prologue, epilogue and reloads were a third of a hit. Callgrind,
    // `examples/profile_api <map> entry_count 1000` (each of 1,000 u64 keys counted once
    // more), per key: 110.1 instructions with neither `entry` nor `or_insert` inlined, 61.2
    // with both (indexmap 42.1: no version to bump); `entry_build`, 277.1 -> 236.2 (235.7).
    // (53.2 since 2026-12-06: see `OccupiedEntry::into_parts`.)
    /// The value, inserting `default` if the key is absent. Hands out `&mut V`, so it bumps
    /// the version either way.
    #[inline(always)]
    pub fn or_insert(self, default: V) -> &'a mut V {
        match self {
            Entry::Occupied(entry) => entry.into_mut(),
            Entry::Vacant(entry) => entry.insert(default),
        }
    }

    /// The value, inserting `make()` if the key is absent. Bumps the version either way.
    #[inline(always)]
    pub fn or_insert_with(self, make: impl FnOnce() -> V) -> &'a mut V {
        match self {
            Entry::Occupied(entry) => entry.into_mut(),
            Entry::Vacant(entry) => entry.insert(make()),
        }
    }

    /// The value, inserting `make(&key)` if the key is absent. Bumps the version either way.
    #[inline(always)]
    pub fn or_insert_with_key(self, make: impl FnOnce(&K) -> V) -> &'a mut V {
        match self {
            Entry::Occupied(entry) => entry.into_mut(),
            Entry::Vacant(entry) => {
                let value = make(&entry.key);
                entry.insert(value)
            }
        }
    }

    /// The value, inserting `V::default()` if the key is absent. Bumps the version either way.
    #[inline(always)]
    pub fn or_default(self) -> &'a mut V
    where
        V: Default,
    {
        self.or_insert_with(V::default)
    }

    /// Calls `change` on the value if the key is present (bumping the version), and passes
    /// the entry on.
    #[inline]
    pub fn and_modify(mut self, change: impl FnOnce(&mut V)) -> Self {
        if let Entry::Occupied(entry) = &mut self {
            change(entry.get_mut());
        }
        self
    }

    /// The entry's position in iteration order: the key's if present, else the one an insert
    /// would give it (the length).
    pub fn index(&self) -> usize {
        match self {
            Entry::Occupied(entry) => entry.index(),
            Entry::Vacant(entry) => entry.index(),
        }
    }

    /// Sets the value (inserting the key if absent) and hands back the occupied entry.
    /// Bumps the version, and the keys version too if the key was absent.
    pub fn insert_entry(self, value: V) -> OccupiedEntry<'a, K, V> {
        match self {
            Entry::Occupied(mut entry) => {
                entry.insert(value);
                entry
            }
            Entry::Vacant(entry) => entry.insert_entry(value),
        }
    }

    /// The key: the stored one if present, the one given if not.
    pub fn key(&self) -> &K {
        match self {
            Entry::Occupied(entry) => entry.key(),
            Entry::Vacant(entry) => entry.key(),
        }
    }
}

impl<'a, K, V> OccupiedEntry<'a, K, V> {
    pub(super) fn new(table: &'a mut Table<K, V>, tags: &'a mut Tags, found: Found) -> Self {
        debug_assert!(
            table.entries().get(found.slot).is_some_and(Option::is_some),
            "vdict: an occupied entry made for slot {}, not a live entry's",
            found.slot
        );
        OccupiedEntry { table, tags, found }
    }

    fn bucket(&self) -> &Bucket<K, V> {
        let slot = self.found.slot;
        let entries = self.table.entries();
        debug_assert!(entries.get(slot).is_some_and(Option::is_some));
        #[allow(unsafe_code)]
        // SAFETY: an occupied entry's slot is live (the argument is on the type).
        unsafe {
            entries.get_unchecked(slot).as_ref().unwrap_unchecked()
        }
    }

    /// The entry, mutable, and the tags, for as long as the dict's borrow lasts; bumps
    /// nothing. Unchecked: callgrind, `examples/profile_api vdict entry_count <n>`
    /// (`*d.entry(k).or_insert(0) += 1`), 58.9 -> 55.0 instructions a call at 16 keys, 57.1
    /// -> 53.2 at 1,000 (indexmap 44.3, 42.1).
    fn into_parts(self) -> (&'a mut Bucket<K, V>, &'a mut Tags) {
        let OccupiedEntry { table, tags, found } = self;
        let entries = table.entries_mut();
        debug_assert!(entries.get(found.slot).is_some_and(Option::is_some));
        #[allow(unsafe_code)]
        // SAFETY: an occupied entry's slot is live (the argument is on the type).
        let bucket = unsafe {
            entries
                .get_unchecked_mut(found.slot)
                .as_mut()
                .unwrap_unchecked()
        };
        (bucket, tags)
    }

    /// [`into_parts`](Self::into_parts), borrowed.
    fn parts_mut(&mut self) -> (&mut Bucket<K, V>, &mut Tags) {
        OccupiedEntry {
            table: &mut *self.table,
            tags: &mut *self.tags,
            found: self.found,
        }
        .into_parts()
    }

    fn value_mut(&mut self) -> &mut V {
        let (bucket, tags) = self.parts_mut();
        tags.values_changed();
        &mut bucket.value
    }

    /// The stored key.
    pub fn key(&self) -> &K {
        &self.bucket().key
    }

    /// The entry slot the key lives in.
    pub fn slot(&self) -> usize {
        self.found.slot
    }

    /// The entry's position in iteration order (indexmap's `index`). O(1) while no hole lies
    /// before it, O(log n) otherwise.
    pub fn index(&self) -> usize {
        self.table.position_of_slot(self.found.slot)
    }

    /// Removes the entry and puts the last entry in its place (indexmap's `swap_remove`).
    pub fn swap_remove(self) -> V {
        self.swap_remove_entry().1
    }

    /// [`swap_remove`](Self::swap_remove), handing out the stored key too.
    pub fn swap_remove_entry(self) -> (K, V) {
        let bucket = self.table.swap_remove_slot(self.found.slot);
        self.tags.keys_changed();
        self.table.compact_after_swap_remove();
        (bucket.key, bucket.value)
    }

    /// Removes the entry, keeping the order of the rest: indexmap's name for
    /// [`remove`](Self::remove) (O(1) here).
    pub fn shift_remove(self) -> V {
        self.remove()
    }

    /// [`shift_remove`](Self::shift_remove), handing out the stored key too.
    pub fn shift_remove_entry(self) -> (K, V) {
        self.remove_entry()
    }

    /// The value. Does not bump the version.
    #[inline]
    pub fn get(&self) -> &V {
        &self.bucket().value
    }

    /// The value, mutably. Bumps the version.
    #[inline]
    pub fn get_mut(&mut self) -> &mut V {
        self.value_mut()
    }

    /// The value, mutably, for as long as the dict's borrow lasts. Bumps the version.
    #[inline]
    pub fn into_mut(self) -> &'a mut V {
        let (bucket, tags) = self.into_parts();
        // After the value is found: the version's store would otherwise make the compiler
        // load the entries array's length and start again (callgrind, `examples/profile_api
        // vdict entry_count 1000`: 60.2 -> 57.1 instructions a call, before the checks went).
        tags.values_changed();
        &mut bucket.value
    }

    /// The stored key and the value, both mutable (for the raw entry API and `MutableKeys`).
    /// Bumps both tags: a key changed in place is a key removed and another added, to a cache
    /// that remembers where a name lives.
    pub(crate) fn key_value_mut(&mut self) -> (&mut K, &mut V) {
        let (bucket, tags) = self.parts_mut();
        tags.keys_changed();
        (&mut bucket.key, &mut bucket.value)
    }

    /// [`key_value_mut`](Self::key_value_mut), for as long as the dict's borrow lasts.
    pub(crate) fn into_key_value_mut(self) -> (&'a mut K, &'a mut V) {
        let (bucket, tags) = self.into_parts();
        tags.keys_changed();
        (&mut bucket.key, &mut bucket.value)
    }

    /// Replaces the value, returning the old one. Bumps the version.
    #[inline]
    pub fn insert(&mut self, value: V) -> V {
        std::mem::replace(self.value_mut(), value)
    }

    /// Removes the entry, returning its value (O(1), order of the rest kept). Bumps both tags.
    pub fn remove(self) -> V {
        self.remove_entry().1
    }

    /// Removes the entry, returning the stored key and the value. Bumps both tags.
    pub fn remove_entry(self) -> (K, V) {
        let bucket = self.table.take(self.found);
        self.tags.keys_changed();
        self.table.compact_if_sparse();
        (bucket.key, bucket.value)
    }
}

impl<'a, K, V> VacantEntry<'a, K, V> {
    pub(super) fn new(
        table: &'a mut Table<K, V>,
        tags: &'a mut Tags,
        hash: StoredHash,
        vacant: Vacant,
        key: K,
    ) -> Self {
        VacantEntry {
            table,
            tags,
            hash,
            vacant,
            key,
        }
    }

    /// The key that would be inserted.
    pub fn key(&self) -> &K {
        &self.key
    }

    /// The position an insert would give the key: the dict's length.
    pub fn index(&self) -> usize {
        self.table.len()
    }

    /// The key that would be inserted, mutable (for `MutableEntryKey`): it is not in the
    /// dict yet, so no tag moves. It must keep the hash and equality it was looked up with.
    pub(crate) fn key_mut(&mut self) -> &mut K {
        &mut self.key
    }

    /// Gives the key back without inserting.
    pub fn into_key(self) -> K {
        self.key
    }

    /// Inserts the key with `value` at the end of the order. Bumps both tags.
    #[inline]
    pub fn insert(self, value: V) -> &'a mut V {
        let slot = self
            .table
            .push_vacant(self.vacant, self.hash, self.key, value);
        self.tags.keys_changed();
        &mut self.table.entries_mut()[slot]
            .as_mut()
            .expect("vdict: a just-pushed slot is live")
            .value
    }
}

impl<'a, K, V> VacantEntry<'a, K, V> {
    /// Inserts the key with `value` at the end of the order and hands back the occupied
    /// entry. Bumps both tags.
    pub fn insert_entry(self, value: V) -> OccupiedEntry<'a, K, V> {
        let slot = self
            .table
            .push_vacant(self.vacant, self.hash, self.key, value);
        self.tags.keys_changed();
        let found = self.table.found_of_slot(slot);
        OccupiedEntry::new(self.table, self.tags, found)
    }
}

/// Positional moves of a present entry (indexmap's, on its `OccupiedEntry` and
/// `IndexedEntry`).
impl<K, V> OccupiedEntry<'_, K, V> {
    /// Moves the entry to position `to`, shifting the entries between by one. O(n), except
    /// to the last position, `len - 1`: O(1) amortised (see
    /// [`Dict::move_index`](crate::Dict::move_index)). Bumps both tags if it moves. Panics if
    /// `to` is out of bounds.
    pub fn move_index(self, to: usize) {
        let len = self.table.len();
        assert!(
            to < len,
            "vdict: move_index: index out of bounds: the len is {len} but the index is {to}"
        );
        if to + 1 == len {
            // To the end: no need to know where from (a position past a hole is a rank
            // query), only whether it is there already.
            if self
                .table
                .move_slot_to_end(self.found.slot, Some(self.found.bucket))
            {
                self.tags.keys_changed();
            }
            return;
        }
        let from = self.index();
        if from != to {
            self.table.move_position(from, to);
            self.tags.keys_changed();
        }
    }

    /// Exchanges the entry's position with that of the entry at `other`. O(1). Bumps both
    /// tags. Panics if `other` is out of bounds.
    pub fn swap_indices(self, other: usize) {
        let len = self.table.len();
        let other_slot = self.table.slot_of_position(other).unwrap_or_else(|| {
            panic!("vdict: swap_indices: index out of bounds: the len is {len} but the index is {other}")
        });
        self.table.swap_slots(self.found.slot, other_slot);
        self.tags.keys_changed();
    }
}

/// Positional inserts of an absent key (indexmap's, on its `VacantEntry`).
impl<'a, K, V> VacantEntry<'a, K, V> {
    /// The dict's entries, to search for where the key goes.
    fn all_entries(&self) -> super::Slice<'_, K, V> {
        super::Slice::of_table(self.table)
    }

    /// Inserts the key with `value` at `position`, shifting the entries from there on by one.
    /// O(n). Bumps both tags. Panics if `position` is greater than the length.
    pub fn shift_insert(self, position: usize, value: V) -> &'a mut V {
        let len = self.table.len();
        assert!(
            position <= len,
            "vdict: shift_insert: index out of bounds: the len is {len} but the index is {position}"
        );
        let table: &'a mut Table<K, V> = self.table;
        table.push_vacant(self.vacant, self.hash, self.key, value);
        self.tags.keys_changed();
        table.move_position(len, position);
        let slot = table
            .slot_of_position(position)
            .expect("vdict: the entry just inserted is there");
        &mut table.bucket_at_mut(slot).value
    }

    /// Inserts into a dict sorted by key, where a binary search puts the key. Returns the
    /// position and the value. O(n).
    pub fn insert_sorted(self, value: V) -> (usize, &'a mut V)
    where
        K: Ord,
    {
        let position = self
            .all_entries()
            .binary_search_by(|key, _| key.cmp(&self.key))
            .unwrap_or_else(|position| position);
        (position, self.shift_insert(position, value))
    }

    /// Inserts into a dict sorted by `compare`. O(n).
    pub fn insert_sorted_by(
        self,
        value: V,
        mut compare: impl FnMut(&K, &V, &K, &V) -> std::cmp::Ordering,
    ) -> (usize, &'a mut V) {
        let position = self
            .all_entries()
            .binary_search_by(|key, other| compare(key, other, &self.key, &value))
            .unwrap_or_else(|position| position);
        (position, self.shift_insert(position, value))
    }

    /// Inserts into a dict sorted by a key extracted from each entry. O(n).
    pub fn insert_sorted_by_key<B: Ord>(
        self,
        value: V,
        mut key_of: impl FnMut(&K, &V) -> B,
    ) -> (usize, &'a mut V) {
        let sought = key_of(&self.key, &value);
        let position = self
            .all_entries()
            .binary_search_by(|key, other| key_of(key, other).cmp(&sought))
            .unwrap_or_else(|position| position);
        (position, self.shift_insert(position, value))
    }

    /// Puts the key in place of the key at `position` (keeping that entry's value and
    /// position), returning the old key and the entry. Bumps both tags. Panics if
    /// `position` is out of bounds.
    pub fn replace_index(self, position: usize) -> (K, OccupiedEntry<'a, K, V>) {
        let len = self.table.len();
        let slot = self.table.slot_of_position(position).unwrap_or_else(|| {
            panic!("vdict: replace_index: index out of bounds: the len is {len} but the index is {position}")
        });
        let old = self.table.replace_key(slot, self.hash, self.key);
        self.tags.keys_changed();
        let found = self.table.found_of_slot(slot);
        (old, OccupiedEntry::new(self.table, self.tags, found))
    }
}

impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for Entry<'_, K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Entry::Occupied(entry) => f.debug_tuple("Occupied").field(entry).finish(),
            Entry::Vacant(entry) => f.debug_tuple("Vacant").field(entry).finish(),
        }
    }
}

impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for OccupiedEntry<'_, K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OccupiedEntry")
            .field("key", self.key())
            .field("value", self.get())
            .field("slot", &self.found.slot)
            .finish()
    }
}

impl<K: fmt::Debug, V> fmt::Debug for VacantEntry<'_, K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("VacantEntry").field(&self.key).finish()
    }
}
