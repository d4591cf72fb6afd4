//! The Entry API for a borrowed key: [`Dict::entry_ref`](crate::Dict::entry_ref) and
//! [`entry_ref_with_hash`](crate::Dict::entry_ref_with_hash).
//!
//! [`Dict::entry`](crate::Dict::entry) takes an owned key, which a caller holding only a
//! reference (an interpreter's interned name) must clone even when the key is present and the
//! clone is dropped unused. An [`EntryRef`] looks the key up by reference; an occupied one is
//! the same [`OccupiedEntry`] that `entry` gives, and only a vacant one, on insert, asks for
//! an owned key: made from the reference (`K: From<&Q>`), or handed over by the caller.

use super::entries::StoredHash;
use super::entry::OccupiedEntry;
use super::table::{Table, Vacant};
use super::Tags;
use equivalent::Equivalent;
use std::borrow::Borrow;
use std::fmt;

/// A borrowed key's place in a [`Dict`](crate::Dict), occupied or vacant.
pub enum EntryRef<'a, 'q, K, V, Q: ?Sized> {
    /// The key is present.
    Occupied(OccupiedEntry<'a, K, V>),
    /// The key is absent.
    Vacant(VacantEntryRef<'a, 'q, K, V, Q>),
}

/// An absent key's place, found by reference: inserting fills it, with an owned key.
pub struct VacantEntryRef<'a, 'q, K, V, Q: ?Sized> {
    table: &'a mut Table<K, V>,
    tags: &'a mut Tags,
    hash: StoredHash,
    /// Where the key goes, found by the probe that found it absent.
    vacant: Vacant,
    key: &'q Q,
}

impl<'a, 'q, K, V, Q: ?Sized> EntryRef<'a, 'q, K, V, Q> {
    /// The value, inserting `default` (under `K::from(key)`) if the key is absent. Hands out
    /// `&mut V`, so it bumps the version either way.
    pub fn or_insert(self, default: V) -> &'a mut V
    where
        K: From<&'q Q>,
    {
        self.or_insert_with(|| default)
    }

    /// The value, inserting `make()` if the key is absent. Bumps the version either way.
    pub fn or_insert_with(self, make: impl FnOnce() -> V) -> &'a mut V
    where
        K: From<&'q Q>,
    {
        match self {
            EntryRef::Occupied(entry) => entry.into_mut(),
            EntryRef::Vacant(entry) => entry.insert(make()),
        }
    }

    /// The value, inserting `V::default()` if the key is absent. Bumps the version either way.
    pub fn or_default(self) -> &'a mut V
    where
        K: From<&'q Q>,
        V: Default,
    {
        self.or_insert_with(V::default)
    }

    /// Calls `change` on the value if the key is present (bumping the version), and passes
    /// the entry on.
    pub fn and_modify(mut self, change: impl FnOnce(&mut V)) -> Self {
        if let EntryRef::Occupied(entry) = &mut self {
            change(entry.get_mut());
        }
        self
    }

    /// The key: the stored one if present, the borrowed one sought if not.
    pub fn key(&self) -> &Q
    where
        K: Borrow<Q>,
    {
        match self {
            EntryRef::Occupied(entry) => entry.key().borrow(),
            EntryRef::Vacant(entry) => entry.key,
        }
    }
}

impl<'a, 'q, K, V, Q: ?Sized> VacantEntryRef<'a, 'q, K, V, Q> {
    pub(super) fn new(
        table: &'a mut Table<K, V>,
        tags: &'a mut Tags,
        hash: StoredHash,
        vacant: Vacant,
        key: &'q Q,
    ) -> Self {
        VacantEntryRef {
            table,
            tags,
            hash,
            vacant,
            key,
        }
    }

    /// The key sought.
    pub fn key(&self) -> &'q Q {
        self.key
    }

    /// Inserts `K::from(key)` with `value` at the end of the order. Bumps both tags.
    pub fn insert(self, value: V) -> &'a mut V
    where
        K: From<&'q Q>,
    {
        let key = K::from(self.key);
        self.insert_unchecked(key, value)
    }

    /// Inserts the caller's owned `key`, which must equal the key sought (and so hash alike),
    /// with `value` at the end of the order. Bumps both tags.
    ///
    /// A different key would be stored under the sought key's hash, where lookups of it
    /// cannot find it (and [`check_invariants`](crate::Dict::check_invariants) reports it);
    /// debug builds check the keys are equal and panic if not.
    pub fn insert_with_key(self, key: K, value: V) -> &'a mut V
    where
        Q: Equivalent<K>,
    {
        debug_assert!(
            self.key.equivalent(&key),
            "vdict: VacantEntryRef::insert_with_key was given a key other than the one sought"
        );
        self.insert_unchecked(key, value)
    }

    fn insert_unchecked(self, key: K, value: V) -> &'a mut V {
        let slot = self.table.push_vacant(self.vacant, self.hash, key, value);
        self.tags.keys_changed();
        &mut self.table.entries_mut()[slot]
            .as_mut()
            .expect("vdict: a just-pushed slot is live")
            .value
    }
}

impl<K: fmt::Debug, V: fmt::Debug, Q: fmt::Debug + ?Sized> fmt::Debug
    for EntryRef<'_, '_, K, V, Q>
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EntryRef::Occupied(entry) => f.debug_tuple("Occupied").field(entry).finish(),
            EntryRef::Vacant(entry) => f.debug_tuple("Vacant").field(entry).finish(),
        }
    }
}

impl<K, V, Q: fmt::Debug + ?Sized> fmt::Debug for VacantEntryRef<'_, '_, K, V, Q> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("VacantEntryRef").field(&self.key).finish()
    }
}
