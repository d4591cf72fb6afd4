//! indexmap's raw entry API (`RawEntryApiV1`): lookups and entries by a hash the caller
//! supplies and a match the caller decides, with the names and meanings indexmap gives them.
//!
//! It is a thin layer over what `caller_eq.rs` already offers (`find_with`, `entry_with`):
//! the builder picks the hash (the dict's own, or the caller's), the match runs only on
//! stored keys whose stored hash equals it, and the entries it hands back are the dict's
//! [`OccupiedEntry`] and an insert that takes the key. What it adds is indexmap's shape, so
//! that code written against `indexmap::map::RawEntryApiV1` compiles against vdict unchanged.
//!
//! Versions follow the dict's rules: reading bumps nothing; `&mut V` bumps the version;
//! inserting, removing and moving bump both tags. Handing out `&mut K` (`key_mut`,
//! `into_key`, `get_key_value_mut`, `insert_key`...) bumps both tags too: a key changed in
//! place is, to a cache that remembers where a name lives, a key removed and another added.
//! A changed key must keep its hash and its equality with the old one, as in indexmap; if it
//! does not, lookups may miss it (a logic error, reported by `check_invariants`, never
//! memory unsafety).

use super::entries::{SoughtHash, StoredHash};
use super::entry::OccupiedEntry;
use super::table::{Found, Table, Vacant};
use super::{Dict, Tags};
use equivalent::Equivalent;
use std::convert::Infallible;
use std::fmt;
use std::hash::{BuildHasher, Hash};
use std::marker::PhantomData;

mod private {
    pub trait Sealed {}
}

impl<K, V, S> private::Sealed for Dict<K, V, S> {}

/// indexmap's opt-in raw entry API: lookups and entries by a precomputed hash and a
/// caller-decided match.
///
/// The hash given to the `_hashed_nocheck` and `from_hash` forms must be the dict's own hash
/// of the key ([`Dict::hash_key`]); the match must accept only the key sought (and only keys
/// equal to each other). Getting either wrong makes lookups miss or find the wrong key, never
/// memory unsafety.
///
/// ```
/// use vdict::dict::{RawEntryApiV1, RawEntryMut};
/// use vdict::Dict;
///
/// let mut d: Dict<String, u32> = Dict::new();
/// d.insert("spam".to_string(), 1);
/// let hash = d.hash_key("eggs");
/// match d.raw_entry_mut_v1().from_key_hashed_nocheck(hash, "eggs") {
///     RawEntryMut::Occupied(_) => unreachable!(),
///     RawEntryMut::Vacant(entry) => {
///         entry.insert_hashed_nocheck(hash, "eggs".to_string(), 2);
///     }
/// }
/// assert_eq!(d.raw_entry_v1().from_key("eggs"), Some((&"eggs".to_string(), &2)));
/// let hash = d.hash_key("spam");
/// assert_eq!(d.raw_entry_v1().index_from_hash(hash, |k| k == "spam"), Some(0));
/// ```
pub trait RawEntryApiV1<K, V, S>: private::Sealed {
    /// A builder of read-only lookups.
    fn raw_entry_v1(&self) -> RawEntryBuilder<'_, K, V, S>;
    /// A builder of entries, to read, insert, change or remove in place.
    fn raw_entry_mut_v1(&mut self) -> RawEntryBuilderMut<'_, K, V, S>;
}

impl<K, V, S> RawEntryApiV1<K, V, S> for Dict<K, V, S> {
    fn raw_entry_v1(&self) -> RawEntryBuilder<'_, K, V, S> {
        RawEntryBuilder { dict: self }
    }

    fn raw_entry_mut_v1(&mut self) -> RawEntryBuilderMut<'_, K, V, S> {
        RawEntryBuilderMut { dict: self }
    }
}

/// Read-only raw lookups: [`RawEntryApiV1::raw_entry_v1`].
pub struct RawEntryBuilder<'a, K, V, S> {
    dict: &'a Dict<K, V, S>,
}

impl<K, V, S> fmt::Debug for RawEntryBuilder<'_, K, V, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RawEntryBuilder").finish_non_exhaustive()
    }
}

impl<'a, K, V, S> RawEntryBuilder<'a, K, V, S> {
    /// The entry for `key`, hashed with the dict's hasher.
    pub fn from_key<Q>(self, key: &Q) -> Option<(&'a K, &'a V)>
    where
        S: BuildHasher,
        Q: Hash + Equivalent<K> + ?Sized,
    {
        let hash = self.dict.hash_builder.hash_one(key);
        self.from_key_hashed_nocheck(hash, key)
    }

    /// The entry for `key`, whose hash (the dict's) is `hash`.
    pub fn from_key_hashed_nocheck<Q>(self, hash: u64, key: &Q) -> Option<(&'a K, &'a V)>
    where
        Q: Equivalent<K> + ?Sized,
    {
        // `get_with_hash`'s probe: see `RawEntryBuilderMut::from_key_hashed_nocheck`.
        let dict: &'a Dict<K, V, S> = self.dict;
        let bucket = dict
            .table
            .find_bucket(SoughtHash::new(hash), |stored| key.equivalent(stored))?;
        Some((&bucket.key, &bucket.value))
    }

    /// The entry under `hash` whose key `is_match` accepts.
    pub fn from_hash<F>(self, hash: u64, is_match: F) -> Option<(&'a K, &'a V)>
    where
        F: FnMut(&K) -> bool,
    {
        // Not through `from_hash_full`: its position, past a hole, is a rank query.
        let dict: &'a Dict<K, V, S> = self.dict;
        let found = find_match(&dict.table, hash, is_match)?;
        dict.slot(found.slot)
    }

    /// [`from_hash`](Self::from_hash), with the entry's position (its index in iteration
    /// order).
    pub fn from_hash_full<F>(self, hash: u64, is_match: F) -> Option<(usize, &'a K, &'a V)>
    where
        F: FnMut(&K) -> bool,
    {
        let dict: &'a Dict<K, V, S> = self.dict;
        let slot = find_match(&dict.table, hash, is_match)?.slot;
        let (key, value) = dict.slot(slot).expect("vdict: a found slot is live");
        Some((dict.table.position_of_slot(slot), key, value))
    }

    /// The position of the entry under `hash` whose key `is_match` accepts.
    pub fn index_from_hash<F>(self, hash: u64, is_match: F) -> Option<usize>
    where
        F: FnMut(&K) -> bool,
    {
        let slot = find_match(&self.dict.table, hash, is_match)?.slot;
        Some(self.dict.table.position_of_slot(slot))
    }
}

/// The live entry under `hash` that `is_match` accepts. `is_match` sees only keys whose stored
/// hash is `hash`, whatever the key type (`Table::find` skips that test for plain words, which
/// a caller's match may not expect).
fn find_match<K, V>(
    table: &Table<K, V>,
    hash: u64,
    mut is_match: impl FnMut(&K) -> bool,
) -> Option<Found> {
    let found = table.find_fallible(
        SoughtHash::new(hash),
        |_| false,
        |key| Ok::<_, Infallible>(is_match(key)),
    );
    match found {
        Ok(found) => found,
        Err(never) => match never {},
    }
}

/// Raw entries: [`RawEntryApiV1::raw_entry_mut_v1`].
pub struct RawEntryBuilderMut<'a, K, V, S> {
    dict: &'a mut Dict<K, V, S>,
}

impl<K, V, S> fmt::Debug for RawEntryBuilderMut<'_, K, V, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RawEntryBuilderMut").finish_non_exhaustive()
    }
}

impl<'a, K, V, S> RawEntryBuilderMut<'a, K, V, S> {
    /// The entry for `key`, hashed with the dict's hasher.
    pub fn from_key<Q>(self, key: &Q) -> RawEntryMut<'a, K, V, S>
    where
        S: BuildHasher,
        Q: Hash + Equivalent<K> + ?Sized,
    {
        let hash = self.dict.hash_builder.hash_one(key);
        self.from_key_hashed_nocheck(hash, key)
    }

    /// The entry for `key`, whose hash (the dict's) is `hash`.
    pub fn from_key_hashed_nocheck<Q>(self, hash: u64, key: &Q) -> RawEntryMut<'a, K, V, S>
    where
        Q: Equivalent<K> + ?Sized,
    {
        // The probe `get` and `entry` make, which may skip the stored-hash compare (for
        // plain-word keys, whose equality is cheaper): an equivalence has no side effects to
        // keep from keys that merely share a tag. Through `find_match` instead, a move to the
        // end of a u64 key (the report's `move_to_end`) made its lookup out of line: 60
        // instructions of the move's 350, against `get`'s 35 (callgrind, 1,000 keys).
        // (`Dict::find` asks for `K: Hash + Eq`, which raw entries do not.)
        let table = &self.dict.table;
        let found = table.find(SoughtHash::new(hash), |stored| key.equivalent(stored));
        self.entry_of(found)
    }

    /// The entry under `hash` whose key `is_match` accepts: occupied if there is one, else
    /// vacant (an insert then stores its key under a hash it is given or computes).
    pub fn from_hash<F>(self, hash: u64, is_match: F) -> RawEntryMut<'a, K, V, S>
    where
        F: FnMut(&K) -> bool,
    {
        let found = find_match(&self.dict.table, hash, is_match);
        self.entry_of(found)
    }

    /// The entry for what a lookup `found`.
    fn entry_of(self, found: Option<Found>) -> RawEntryMut<'a, K, V, S> {
        let Dict {
            table,
            hash_builder,
            tags,
        } = self.dict;
        match found {
            Some(found) => RawEntryMut::Occupied(RawOccupiedEntryMut {
                entry: OccupiedEntry::new(table, tags, found),
                hash_builder: PhantomData,
            }),
            None => RawEntryMut::Vacant(RawVacantEntryMut {
                table,
                tags,
                hash_builder,
            }),
        }
    }
}

/// A raw entry: occupied or vacant.
pub enum RawEntryMut<'a, K, V, S> {
    /// The key is present.
    Occupied(RawOccupiedEntryMut<'a, K, V, S>),
    /// The key is absent.
    Vacant(RawVacantEntryMut<'a, K, V, S>),
}

impl<K: fmt::Debug, V: fmt::Debug, S> fmt::Debug for RawEntryMut<'_, K, V, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RawEntryMut::Occupied(entry) => f.debug_tuple("RawEntryMut").field(entry).finish(),
            RawEntryMut::Vacant(entry) => f.debug_tuple("RawEntryMut").field(entry).finish(),
        }
    }
}

impl<'a, K, V, S> RawEntryMut<'a, K, V, S> {
    /// The entry's position: where it is, or where an insert would put it (the end).
    pub fn index(&self) -> usize {
        match self {
            RawEntryMut::Occupied(entry) => entry.index(),
            RawEntryMut::Vacant(entry) => entry.index(),
        }
    }

    /// The entry's key and value, inserting `default_key` and `default_value` if it is
    /// vacant. Bumps both tags (a `&mut K` is handed out).
    pub fn or_insert(self, default_key: K, default_value: V) -> (&'a mut K, &'a mut V)
    where
        K: Hash,
        S: BuildHasher,
    {
        match self {
            RawEntryMut::Occupied(entry) => entry.into_key_value_mut(),
            RawEntryMut::Vacant(entry) => entry.insert(default_key, default_value),
        }
    }

    /// The entry's key and value, inserting what `make` returns if it is vacant. Bumps both
    /// tags.
    pub fn or_insert_with<F>(self, make: F) -> (&'a mut K, &'a mut V)
    where
        F: FnOnce() -> (K, V),
        K: Hash,
        S: BuildHasher,
    {
        match self {
            RawEntryMut::Occupied(entry) => entry.into_key_value_mut(),
            RawEntryMut::Vacant(entry) => {
                let (key, value) = make();
                entry.insert(key, value)
            }
        }
    }

    /// Runs `change` on an occupied entry's key and value (bumping both tags); leaves a
    /// vacant one alone.
    pub fn and_modify<F>(mut self, change: F) -> Self
    where
        F: FnOnce(&mut K, &mut V),
    {
        if let RawEntryMut::Occupied(entry) = &mut self {
            let (key, value) = entry.get_key_value_mut();
            change(key, value);
        }
        self
    }
}

/// A present key's raw entry.
pub struct RawOccupiedEntryMut<'a, K, V, S> {
    entry: OccupiedEntry<'a, K, V>,
    hash_builder: PhantomData<&'a S>,
}

impl<K: fmt::Debug, V: fmt::Debug, S> fmt::Debug for RawOccupiedEntryMut<'_, K, V, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RawOccupiedEntryMut")
            .field("key", self.key())
            .field("value", self.get())
            .finish()
    }
}

impl<'a, K, V, S> RawOccupiedEntryMut<'a, K, V, S> {
    /// The entry's position in iteration order.
    pub fn index(&self) -> usize {
        self.entry.index()
    }

    /// The stored key.
    pub fn key(&self) -> &K {
        self.entry.key()
    }

    /// The stored key, mutable: it must keep its hash and equality. Bumps both tags.
    pub fn key_mut(&mut self) -> &mut K {
        self.entry.key_value_mut().0
    }

    /// The stored key, mutable, for as long as the dict's borrow lasts. Bumps both tags.
    pub fn into_key(self) -> &'a mut K {
        self.entry.into_key_value_mut().0
    }

    /// The value.
    pub fn get(&self) -> &V {
        self.entry.get()
    }

    /// The value, mutable. Bumps the version.
    pub fn get_mut(&mut self) -> &mut V {
        self.entry.get_mut()
    }

    /// The value, mutable, for as long as the dict's borrow lasts. Bumps the version.
    pub fn into_mut(self) -> &'a mut V {
        self.entry.into_mut()
    }

    /// The stored key and the value.
    pub fn get_key_value(&self) -> (&K, &V) {
        (self.entry.key(), self.entry.get())
    }

    /// The stored key and the value, both mutable. Bumps both tags.
    pub fn get_key_value_mut(&mut self) -> (&mut K, &mut V) {
        self.entry.key_value_mut()
    }

    /// The stored key and the value, both mutable, for as long as the dict's borrow lasts.
    /// Bumps both tags.
    pub fn into_key_value_mut(self) -> (&'a mut K, &'a mut V) {
        self.entry.into_key_value_mut()
    }

    /// Replaces the value, returning the old one. Bumps the version.
    pub fn insert(&mut self, value: V) -> V {
        self.entry.insert(value)
    }

    /// Replaces the stored key (which must keep the hash and equality of the old one),
    /// returning the old key. Bumps both tags.
    pub fn insert_key(&mut self, key: K) -> K {
        std::mem::replace(self.key_mut(), key)
    }

    /// Removes the entry, keeping the order of the rest (O(1)); returns the value. Bumps
    /// both tags.
    pub fn remove(self) -> V {
        self.entry.remove()
    }

    /// Removes the entry and moves the last one into its place (indexmap's `swap_remove`).
    pub fn swap_remove(self) -> V {
        self.entry.swap_remove()
    }

    /// indexmap's name for [`remove`](Self::remove): order kept, O(1) here.
    pub fn shift_remove(self) -> V {
        self.entry.shift_remove()
    }

    /// [`remove`](Self::remove), handing out the stored key too.
    pub fn remove_entry(self) -> (K, V) {
        self.entry.remove_entry()
    }

    /// [`swap_remove`](Self::swap_remove), handing out the stored key too.
    pub fn swap_remove_entry(self) -> (K, V) {
        self.entry.swap_remove_entry()
    }

    /// [`shift_remove`](Self::shift_remove), handing out the stored key too.
    pub fn shift_remove_entry(self) -> (K, V) {
        self.entry.shift_remove_entry()
    }

    /// Moves the entry to position `to`, shifting those between by one. O(n), except to the
    /// last position: O(1) amortised. Panics if `to` is out of bounds.
    pub fn move_index(self, to: usize) {
        self.entry.move_index(to)
    }

    /// Exchanges the entry's position with that of the entry at `other`. Panics if `other`
    /// is out of bounds.
    pub fn swap_indices(self, other: usize) {
        self.entry.swap_indices(other)
    }
}

/// An absent key's raw entry: inserting takes the key (and its hash, or hashes it).
pub struct RawVacantEntryMut<'a, K, V, S> {
    table: &'a mut Table<K, V>,
    tags: &'a mut Tags,
    hash_builder: &'a S,
}

impl<K, V, S> fmt::Debug for RawVacantEntryMut<'_, K, V, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RawVacantEntryMut").finish_non_exhaustive()
    }
}

impl<'a, K, V, S> RawVacantEntryMut<'a, K, V, S> {
    /// The position an insert would give the key: the dict's length.
    pub fn index(&self) -> usize {
        self.table.len()
    }

    /// Inserts `key` (hashed with the dict's hasher) with `value` at the end of the order.
    /// Bumps both tags.
    pub fn insert(self, key: K, value: V) -> (&'a mut K, &'a mut V)
    where
        K: Hash,
        S: BuildHasher,
    {
        let hash = self.hash_builder.hash_one(&key);
        self.insert_hashed_nocheck(hash, key, value)
    }

    /// Inserts `key`, whose hash (the dict's) is `hash`, with `value` at the end of the
    /// order. Bumps both tags.
    pub fn insert_hashed_nocheck(self, hash: u64, key: K, value: V) -> (&'a mut K, &'a mut V) {
        let slot = self
            .table
            .push_vacant(Vacant, StoredHash::new(hash), key, value);
        self.tags.keys_changed();
        let bucket = self.table.bucket_at_mut(slot);
        (&mut bucket.key, &mut bucket.value)
    }

    /// Inserts `key` (hashed with the dict's hasher) with `value` at `position`, shifting the
    /// entries from there on by one. O(n). Panics if `position` is greater than the length.
    pub fn shift_insert(self, position: usize, key: K, value: V) -> (&'a mut K, &'a mut V)
    where
        K: Hash,
        S: BuildHasher,
    {
        let hash = self.hash_builder.hash_one(&key);
        self.shift_insert_hashed_nocheck(position, hash, key, value)
    }

    /// [`shift_insert`](Self::shift_insert) of a key whose hash (the dict's) is `hash`.
    pub fn shift_insert_hashed_nocheck(
        self,
        position: usize,
        hash: u64,
        key: K,
        value: V,
    ) -> (&'a mut K, &'a mut V) {
        let len = self.table.len();
        assert!(
            position <= len,
            "vdict: shift_insert: index out of bounds: the len is {len} but the index is {position}"
        );
        self.table
            .push_vacant(Vacant, StoredHash::new(hash), key, value);
        self.tags.keys_changed();
        self.table.move_position(len, position);
        let slot = self
            .table
            .slot_of_position(position)
            .expect("vdict: the entry just inserted is there");
        let bucket = self.table.bucket_at_mut(slot);
        (&mut bucket.key, &mut bucket.value)
    }
}
