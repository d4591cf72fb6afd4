//! The std traits a map is expected to have: `Clone`, `Debug`, `PartialEq`/`Eq`, `Default`,
//! `FromIterator`, `Extend`, `IntoIterator`, `Index`/`IndexMut` by key and `From<[(K, V); N]>`.
//!
//! Their version behaviour follows the rules on [`Dict`]: a clone copies the table as it
//! stands (same slots, so the same keys version) under a fresh version; `extend` is a series of
//! inserts; iterating `&mut Dict` is `iter_mut`.

use super::iter::{IntoIter, Iter, IterMut};
use super::{Dict, Tags};
use equivalent::Equivalent;
use std::fmt;
use std::hash::{BuildHasher, Hash};
use std::ops::{Index, IndexMut};

impl<K: Clone, V: Clone, S: Clone> Clone for Dict<K, V, S> {
    /// Copies the table cell for cell, holes included, so every key keeps its slot: the clone
    /// shares the original's keys version (as CPython's `dict.copy()` does) and gets a fresh
    /// version of its own.
    fn clone(&self) -> Self {
        Dict {
            table: self.table.clone(),
            hash_builder: self.hash_builder.clone(),
            tags: Tags::sharing_keys_version(self.keys_version()),
        }
    }
}

impl<K: fmt::Debug, V: fmt::Debug, S> fmt::Debug for Dict<K, V, S> {
    /// Prints like a map, in insertion order: `{"x": 1, "y": 2}`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl<K, V1, S1, V2, S2> PartialEq<Dict<K, V2, S2>> for Dict<K, V1, S1>
where
    K: Hash + Eq,
    V1: PartialEq<V2>,
    S1: BuildHasher,
    S2: BuildHasher,
{
    /// Equal when both hold the same keys with equal values, in any order (as in Python and
    /// indexmap); the value types and the hashers may differ.
    fn eq(&self, other: &Dict<K, V2, S2>) -> bool {
        self.len() == other.len()
            && self
                .iter()
                .all(|(key, value)| other.get(key).is_some_and(|theirs| *value == *theirs))
    }
}

impl<K: Hash + Eq, V: Eq, S: BuildHasher> Eq for Dict<K, V, S> {}

impl<K, V, S: Default> Default for Dict<K, V, S> {
    fn default() -> Self {
        Dict::with_hasher(S::default())
    }
}

impl<K: Hash + Eq, V, S: BuildHasher + Default> FromIterator<(K, V)> for Dict<K, V, S> {
    /// Later pairs overwrite earlier ones with the same key, keeping the first one's place.
    fn from_iter<I: IntoIterator<Item = (K, V)>>(pairs: I) -> Self {
        let pairs = pairs.into_iter();
        let mut dict = Dict::with_capacity_and_hasher(pairs.size_hint().0, S::default());
        dict.extend(pairs);
        dict
    }
}

impl<K: Hash + Eq, V, const N: usize> From<[(K, V); N]> for Dict<K, V> {
    /// A dict with the default hasher holding `pairs` in order (a later pair overwrites an
    /// earlier one with the same key, keeping the first one's place). Only the default hasher,
    /// as `IndexMap::from` and `HashMap::from`: a generic hasher would leave
    /// `Dict::from([(1, 2)])` without a type to infer.
    ///
    /// ```
    /// let d = vdict::Dict::from([("a", 1), ("b", 2)]);
    /// assert_eq!(d.keys().copied().collect::<Vec<_>>(), ["a", "b"]);
    /// ```
    fn from(pairs: [(K, V); N]) -> Self {
        pairs.into_iter().collect()
    }
}

impl<K: Hash + Eq, V, S: BuildHasher> Extend<(K, V)> for Dict<K, V, S> {
    /// Inserts each pair in turn (each insert bumps the version, as in CPython's `update`
    /// with a list of pairs). Reserves room for the iterator's lower size bound first.
    fn extend<I: IntoIterator<Item = (K, V)>>(&mut self, pairs: I) {
        let pairs = pairs.into_iter();
        let lower_bound = pairs.size_hint().0;
        if lower_bound > 0 {
            self.reserve(lower_bound);
        }
        for (key, value) in pairs {
            self.insert(key, value);
        }
    }
}

impl<'a, K, V, S> Extend<(&'a K, &'a V)> for Dict<K, V, S>
where
    K: Hash + Eq + Copy,
    V: Copy,
    S: BuildHasher,
{
    fn extend<I: IntoIterator<Item = (&'a K, &'a V)>>(&mut self, pairs: I) {
        self.extend(pairs.into_iter().map(|(&key, &value)| (key, value)));
    }
}

impl<K, V, S> IntoIterator for Dict<K, V, S> {
    type Item = (K, V);
    type IntoIter = IntoIter<K, V>;

    fn into_iter(self) -> IntoIter<K, V> {
        let remaining = self.len();
        // Owned walks use no live front (with holes they test every slot).
        IntoIter::new(self.table.into_entries().into_iter(), remaining, 0)
    }
}

impl<'a, K, V, S> IntoIterator for &'a Dict<K, V, S> {
    type Item = (&'a K, &'a V);
    type IntoIter = Iter<'a, K, V>;

    fn into_iter(self) -> Iter<'a, K, V> {
        self.iter()
    }
}

impl<'a, K, V, S> IntoIterator for &'a mut Dict<K, V, S> {
    type Item = (&'a K, &'a mut V);
    type IntoIter = IterMut<'a, K, V>;

    /// Same as [`Dict::iter_mut`]: bumps the version of a non-empty dict.
    fn into_iter(self) -> IterMut<'a, K, V> {
        self.iter_mut()
    }
}

impl<K, Q, V, S> Index<&Q> for Dict<K, V, S>
where
    K: Hash + Eq,
    Q: Hash + Equivalent<K> + ?Sized,
    S: BuildHasher,
{
    type Output = V;

    /// The value for `key`. Panics if the key is absent; use [`Dict::get`] to ask.
    fn index(&self, key: &Q) -> &V {
        self.get(key).expect("vdict: key not found in Dict")
    }
}

impl<K, Q, V, S> IndexMut<&Q> for Dict<K, V, S>
where
    K: Hash + Eq,
    Q: Hash + Equivalent<K> + ?Sized,
    S: BuildHasher,
{
    /// The value for `key`, mutable: bumps the version. Panics if the key is absent; use
    /// [`Dict::get_mut`] to ask.
    fn index_mut(&mut self, key: &Q) -> &mut V {
        self.get_mut(key).expect("vdict: key not found in Dict")
    }
}
