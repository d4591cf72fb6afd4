//! indexmap's opt-in traits for changing keys in place: [`MutableKeys`] on the dict and
//! [`MutableEntryKey`] on its entries.
//!
//! A key changed in place must keep its hash and its equality with the old key: the dict
//! stores each key's hash and does not look at the key again until it is compared, so a key
//! that hashes differently afterwards is missed by lookups (a logic error, which
//! `check_invariants` reports; never memory unsafety). That is indexmap's contract too.
//!
//! Versions: every method that lends `&mut K` of a stored key bumps both tags, as if the key
//! had been removed and another added: a slot cache remembers *which key* lives in a slot,
//! and a key changed in place could be another name to the interpreter above. (A vacant
//! entry's key is not in the dict yet: lending it moves nothing.)

use super::entries::SoughtHash;
use super::entry::{Entry, OccupiedEntry, VacantEntry};
use super::iter::IterMut2;
use super::Dict;
use equivalent::Equivalent;
use std::hash::{BuildHasher, Hash};

mod private {
    pub trait Sealed {}
}

impl<K, V, S> private::Sealed for Dict<K, V, S> {}
impl<K, V> private::Sealed for Entry<'_, K, V> {}
impl<K, V> private::Sealed for OccupiedEntry<'_, K, V> {}
impl<K, V> private::Sealed for VacantEntry<'_, K, V> {}

/// Access to the dict's keys as `&mut K` (indexmap's `MutableKeys`).
///
/// A key changed in place must keep its hash and its equality with the old key: the dict
/// stores each key's hash and does not look at the key again until it is compared, so a key
/// that hashes differently afterwards is missed by lookups (a logic error, which
/// [`check_invariants`](Dict::check_invariants) reports; never memory unsafety). Every method
/// that lends a stored key mutably bumps both version tags, as if the key had been removed
/// and another added: a slot cache remembers which key lives in a slot.
///
/// ```
/// use vdict::dict::MutableKeys;
///
/// let mut d = vdict::Dict::new();
/// d.insert(String::from("Spam"), 1);
/// let keys_version = d.keys_version();
/// // Changing what a key carries beyond its identity, e.g. a cached rendering.
/// let (position, key, value) = d.get_full_mut2("Spam").unwrap();
/// key.shrink_to_fit();
/// *value += 1;
/// assert_eq!(position, 0);
/// assert_ne!(d.keys_version(), keys_version);
/// assert_eq!(d["Spam"], 2);
/// ```
pub trait MutableKeys: private::Sealed {
    /// The key type.
    type Key;
    /// The value type.
    type Value;

    /// The position, stored key and value of `key`, both mutable. Bumps both tags when the
    /// key is present.
    fn get_full_mut2<Q>(&mut self, key: &Q) -> Option<(usize, &mut Self::Key, &mut Self::Value)>
    where
        Q: ?Sized + Hash + Equivalent<Self::Key>;

    /// The entry at `position`, key and value mutable. Bumps both tags when there is one.
    fn get_index_mut2(&mut self, position: usize) -> Option<(&mut Self::Key, &mut Self::Value)>;

    /// Every entry in order, keys and values mutable. Bumps both tags of a non-empty dict.
    fn iter_mut2(&mut self) -> IterMut2<'_, Self::Key, Self::Value>;

    /// Keeps the entries `keep` returns `true` for, in order, lending it each key and value
    /// mutably. Bumps both tags of a non-empty dict.
    fn retain2<F>(&mut self, keep: F)
    where
        F: FnMut(&mut Self::Key, &mut Self::Value) -> bool;
}

impl<K, V, S> MutableKeys for Dict<K, V, S>
where
    S: BuildHasher,
{
    type Key = K;
    type Value = V;

    fn get_full_mut2<Q>(&mut self, key: &Q) -> Option<(usize, &mut K, &mut V)>
    where
        Q: ?Sized + Hash + Equivalent<K>,
    {
        if self.is_empty() {
            return None;
        }
        let hash = self.hash_builder.hash_one(key);
        let (slot, _) = self
            .table
            .find_slot_and_bucket(SoughtHash::new(hash), |stored| key.equivalent(stored))?;
        let position = self.table.position_of_slot(slot);
        self.tags.keys_changed();
        let bucket = self.table.bucket_at_mut(slot);
        Some((position, &mut bucket.key, &mut bucket.value))
    }

    fn get_index_mut2(&mut self, position: usize) -> Option<(&mut K, &mut V)> {
        let slot = self.table.slot_of_position(position)?;
        self.tags.keys_changed();
        let bucket = self.table.bucket_at_mut(slot);
        Some((&mut bucket.key, &mut bucket.value))
    }

    fn iter_mut2(&mut self) -> IterMut2<'_, K, V> {
        if !self.is_empty() {
            self.tags.keys_changed();
        }
        let (live, live_front, gap) = self.table.walk_shape();
        IterMut2::past_gap(self.table.entries_mut().iter_mut(), live, live_front, gap)
    }

    fn retain2<F>(&mut self, keep: F)
    where
        F: FnMut(&mut K, &mut V) -> bool,
    {
        if !self.is_empty() {
            self.tags.keys_changed();
        }
        self.retain_slots(keep);
    }
}

/// An entry's key as `&mut K` (indexmap's `MutableEntryKey`), under the contract of
/// [`MutableKeys`]: a changed key keeps its hash and equality.
pub trait MutableEntryKey: private::Sealed {
    /// The key type.
    type Key;

    /// The key, mutable: the stored key of an occupied entry (bumps both tags), or the key a
    /// vacant entry would insert (moves nothing).
    fn key_mut(&mut self) -> &mut Self::Key;
}

impl<K, V> MutableEntryKey for Entry<'_, K, V> {
    type Key = K;

    fn key_mut(&mut self) -> &mut K {
        match self {
            Entry::Occupied(entry) => entry.key_mut(),
            Entry::Vacant(entry) => entry.key_mut(),
        }
    }
}

impl<K, V> MutableEntryKey for OccupiedEntry<'_, K, V> {
    type Key = K;

    fn key_mut(&mut self) -> &mut K {
        self.key_value_mut().0
    }
}

impl<K, V> MutableEntryKey for VacantEntry<'_, K, V> {
    type Key = K;

    fn key_mut(&mut self) -> &mut K {
        VacantEntry::key_mut(self)
    }
}
