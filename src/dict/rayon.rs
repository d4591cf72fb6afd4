//! Parallel iteration and sorting with rayon (the `rayon` feature), as indexmap's `rayon`
//! module offers them.
//!
//! The entries array is split among rayon's threads as a slice is; each part skips its holes.
//! So the iterators are unindexed (a part cannot know how many live entries it holds without
//! counting): `collect`, `for_each`, `sum`, `reduce`... work as usual, `zip` and `enumerate`
//! do not. Sorting squeezes the holes out first, then sorts the dense array in parallel.
//! Collecting and extending run the user's iterator in parallel and insert sequentially, as
//! indexmap does (the order of a parallel iterator is kept).
//!
//! Versions: `par_iter_mut` and `par_values_mut` lend `&mut V` (the version moves); sorting
//! moves entries (both tags); the rest read.

use super::entries::{Bucket, EntrySlot};
use super::{Dict, Slice, SliceMut};
use rayon::iter::plumbing::{Consumer, ProducerCallback, UnindexedConsumer};
use rayon::prelude::*;
use std::cmp::Ordering;
use std::hash::{BuildHasher, Hash};
use std::marker::PhantomData;
use std::ops::RangeBounds;

/// `(&K, &V)` in parallel: [`Dict::par_iter`].
pub struct ParIter<'a, K, V> {
    slots: &'a [EntrySlot<K, V>],
}

impl<'a, K: Sync, V: Sync> ParallelIterator for ParIter<'a, K, V> {
    type Item = (&'a K, &'a V);

    fn drive_unindexed<C: UnindexedConsumer<Self::Item>>(self, consumer: C) -> C::Result {
        self.slots
            .par_iter()
            .filter_map(Option::as_ref)
            .map(|bucket| (&bucket.key, &bucket.value))
            .drive_unindexed(consumer)
    }
}

/// `(&K, &mut V)` in parallel: [`Dict::par_iter_mut`].
pub struct ParIterMut<'a, K, V> {
    slots: &'a mut [EntrySlot<K, V>],
}

impl<'a, K: Sync + Send, V: Send> ParallelIterator for ParIterMut<'a, K, V> {
    type Item = (&'a K, &'a mut V);

    fn drive_unindexed<C: UnindexedConsumer<Self::Item>>(self, consumer: C) -> C::Result {
        self.slots
            .par_iter_mut()
            .filter_map(Option::as_mut)
            .map(|bucket| (&bucket.key, &mut bucket.value))
            .drive_unindexed(consumer)
    }
}

/// Owned `(K, V)` in parallel: `Dict::into_par_iter`.
pub struct IntoParIter<K, V> {
    slots: Vec<EntrySlot<K, V>>,
}

impl<K: Send, V: Send> ParallelIterator for IntoParIter<K, V> {
    type Item = (K, V);

    fn drive_unindexed<C: UnindexedConsumer<Self::Item>>(self, consumer: C) -> C::Result {
        self.slots
            .into_par_iter()
            .flatten_iter()
            .map(|bucket: Bucket<K, V>| (bucket.key, bucket.value))
            .drive_unindexed(consumer)
    }
}

/// `sort_key` applied to an entry a rearrangement sees: what the sorts by key sort by.
fn entry_key<'f, K, V, T>(
    sort_key: &'f (impl Fn(&K, &V) -> T + Sync),
) -> impl Fn(&Bucket<K, V>) -> T + Sync + 'f {
    move |bucket| sort_key(&bucket.key, &bucket.value)
}

impl<K, V, S> Dict<K, V, S> {
    /// The entries in parallel.
    pub fn par_iter(&self) -> ParIter<'_, K, V> {
        ParIter {
            slots: self.table.entries(),
        }
    }

    /// The keys in parallel.
    pub fn par_keys(&self) -> impl ParallelIterator<Item = &K>
    where
        K: Sync,
        V: Sync,
    {
        self.par_iter().map(|(key, _)| key)
    }

    /// The values in parallel.
    pub fn par_values(&self) -> impl ParallelIterator<Item = &V>
    where
        K: Sync,
        V: Sync,
    {
        self.par_iter().map(|(_, value)| value)
    }

    /// The entries in parallel, values mutable. Bumps the version of a non-empty dict.
    pub fn par_iter_mut(&mut self) -> ParIterMut<'_, K, V> {
        if !self.is_empty() {
            self.tags.values_changed();
        }
        ParIterMut {
            slots: self.table.entries_mut(),
        }
    }

    /// The values in parallel, mutable. Bumps the version of a non-empty dict.
    pub fn par_values_mut(&mut self) -> impl ParallelIterator<Item = &mut V>
    where
        K: Sync + Send,
        V: Send,
    {
        self.par_iter_mut().map(|(_, value)| value)
    }

    /// Sorts the entries by `compare`, stably, in parallel. Bumps both tags (of a dict of
    /// two or more).
    pub fn par_sort_by<F>(&mut self, compare: F)
    where
        K: Send,
        V: Send,
        F: Fn(&K, &V, &K, &V) -> Ordering + Sync,
    {
        self.rearrange_buckets(|slots| {
            slots.par_sort_by(|a, b| compare(&a.key, &a.value, &b.key, &b.value))
        });
    }

    /// Sorts the entries by `compare` in parallel, not stably.
    pub fn par_sort_unstable_by<F>(&mut self, compare: F)
    where
        K: Send,
        V: Send,
        F: Fn(&K, &V, &K, &V) -> Ordering + Sync,
    {
        self.rearrange_buckets(|slots| {
            slots.par_sort_unstable_by(|a, b| compare(&a.key, &a.value, &b.key, &b.value))
        });
    }

    /// Sorts the entries by key, stably, in parallel.
    pub fn par_sort_keys(&mut self)
    where
        K: Ord + Send,
        V: Send,
    {
        self.par_sort_by(|a, _, b, _| a.cmp(b));
    }

    /// Sorts the entries by key in parallel, not stably.
    pub fn par_sort_unstable_keys(&mut self)
    where
        K: Ord + Send,
        V: Send,
    {
        self.par_sort_unstable_by(|a, _, b, _| a.cmp(b));
    }
    /// Sorts the entries by `compare` in parallel, stably, and hands them out by value in
    /// that order.
    pub fn par_sorted_by<F>(mut self, compare: F) -> IntoParIter<K, V>
    where
        K: Send,
        V: Send,
        F: Fn(&K, &V, &K, &V) -> Ordering + Sync,
    {
        self.par_sort_by(compare);
        self.into_par_iter()
    }

    /// Sorts the entries by `compare` in parallel, not stably, and hands them out by value in
    /// that order.
    pub fn par_sorted_unstable_by<F>(mut self, compare: F) -> IntoParIter<K, V>
    where
        K: Send,
        V: Send,
        F: Fn(&K, &V, &K, &V) -> Ordering + Sync,
    {
        self.par_sort_unstable_by(compare);
        self.into_par_iter()
    }

    /// Sorts the entries by the key `sort_key` extracts, stably, in parallel.
    pub fn par_sort_by_key<T, F>(&mut self, sort_key: F)
    where
        K: Send,
        V: Send,
        T: Ord,
        F: Fn(&K, &V) -> T + Sync,
    {
        self.rearrange_buckets(|slots| slots.par_sort_by_key(entry_key(&sort_key)));
    }

    /// Sorts the entries by the key `sort_key` extracts in parallel, not stably.
    pub fn par_sort_unstable_by_key<T, F>(&mut self, sort_key: F)
    where
        K: Send,
        V: Send,
        T: Ord,
        F: Fn(&K, &V) -> T + Sync,
    {
        self.rearrange_buckets(|slots| slots.par_sort_unstable_by_key(entry_key(&sort_key)));
    }

    /// Sorts the entries by the key `sort_key` extracts, stably, in parallel, calling it
    /// once per entry (the keys are computed in parallel and kept while sorting).
    pub fn par_sort_by_cached_key<T, F>(&mut self, sort_key: F)
    where
        K: Send,
        V: Send,
        T: Ord + Send,
        F: Fn(&K, &V) -> T + Sync,
    {
        self.rearrange_buckets(|slots| slots.par_sort_by_cached_key(entry_key(&sort_key)));
    }
}

impl<K, V, S> Dict<K, V, S>
where
    K: Hash + Eq + Sync,
    V: Sync,
    S: BuildHasher,
{
    /// Whether `other` holds the same keys with equal values, whatever the order, checked in
    /// parallel (as `==`, which ignores order too).
    pub fn par_eq<V2, S2>(&self, other: &Dict<K, V2, S2>) -> bool
    where
        V: PartialEq<V2>,
        V2: Sync,
        S2: BuildHasher + Sync,
    {
        self.len() == other.len()
            && self
                .par_iter()
                .all(|(key, value)| other.get(key).is_some_and(|v| *value == *v))
    }
}

impl<'a, K, V> Slice<'a, K, V> {
    /// The slice's entries in parallel.
    pub fn par_iter(&self) -> ParIter<'a, K, V> {
        ParIter {
            slots: self.slots().0,
        }
    }

    /// The slice's keys in parallel.
    pub fn par_keys(&self) -> impl ParallelIterator<Item = &'a K>
    where
        K: Sync,
        V: Sync,
    {
        self.par_iter().map(|(key, _)| key)
    }

    /// The slice's values in parallel.
    pub fn par_values(&self) -> impl ParallelIterator<Item = &'a V>
    where
        K: Sync,
        V: Sync,
    {
        self.par_iter().map(|(_, value)| value)
    }
}

impl<'a, K: Sync, V: Sync> IntoParallelIterator for Slice<'a, K, V> {
    type Item = (&'a K, &'a V);
    type Iter = ParIter<'a, K, V>;

    fn into_par_iter(self) -> ParIter<'a, K, V> {
        self.par_iter()
    }
}

impl<K, V> SliceMut<'_, K, V> {
    /// The view's entries in parallel, values mutable. (The dict's version moved when the
    /// view was made.)
    pub fn par_iter_mut(&mut self) -> ParIterMut<'_, K, V> {
        ParIterMut {
            slots: self.slots_mut(),
        }
    }

    /// The view's values in parallel, mutable.
    pub fn par_values_mut(&mut self) -> impl ParallelIterator<Item = &mut V>
    where
        K: Sync + Send,
        V: Send,
    {
        self.par_iter_mut().map(|(_, value)| value)
    }
}

impl<'a, K: Sync + Send, V: Send> IntoParallelIterator for SliceMut<'a, K, V> {
    type Item = (&'a K, &'a mut V);
    type Iter = ParIterMut<'a, K, V>;

    fn into_par_iter(self) -> ParIterMut<'a, K, V> {
        ParIterMut {
            slots: self.into_slots(),
        }
    }
}

impl<K: Send, V: Send, S> IntoParallelIterator for Dict<K, V, S> {
    type Item = (K, V);
    type Iter = IntoParIter<K, V>;

    fn into_par_iter(self) -> IntoParIter<K, V> {
        IntoParIter {
            slots: self.table.into_entries(),
        }
    }
}

impl<'a, K: Sync, V: Sync, S> IntoParallelIterator for &'a Dict<K, V, S> {
    type Item = (&'a K, &'a V);
    type Iter = ParIter<'a, K, V>;

    fn into_par_iter(self) -> ParIter<'a, K, V> {
        self.par_iter()
    }
}

impl<'a, K: Sync + Send, V: Send, S> IntoParallelIterator for &'a mut Dict<K, V, S> {
    type Item = (&'a K, &'a mut V);
    type Iter = ParIterMut<'a, K, V>;

    /// As [`Dict::par_iter_mut`]: bumps the version of a non-empty dict.
    fn into_par_iter(self) -> ParIterMut<'a, K, V> {
        self.par_iter_mut()
    }
}

/// Owned `(K, V)` removed by `par_drain`, in parallel.
///
/// The range is removed when `par_drain` is called (as `drain` would, each removal O(1)
/// with the order of the rest kept); the removed entries are then handed out in parallel,
/// in their order. Dropping the iterator unused drops them.
pub struct ParDrain<'a, K: Send, V: Send> {
    entries: Vec<(K, V)>,
    dict: PhantomData<&'a mut ()>,
}

impl<K: Send, V: Send> ParallelIterator for ParDrain<'_, K, V> {
    type Item = (K, V);

    fn drive_unindexed<C: UnindexedConsumer<Self::Item>>(self, consumer: C) -> C::Result {
        self.entries.into_par_iter().drive_unindexed(consumer)
    }

    fn opt_len(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

impl<K: Send, V: Send> IndexedParallelIterator for ParDrain<'_, K, V> {
    fn len(&self) -> usize {
        self.entries.len()
    }

    fn drive<C: Consumer<Self::Item>>(self, consumer: C) -> C::Result {
        self.entries.into_par_iter().drive(consumer)
    }

    fn with_producer<CB: ProducerCallback<Self::Item>>(self, callback: CB) -> CB::Output {
        self.entries.into_par_iter().with_producer(callback)
    }
}

impl<'a, K: Send, V: Send, S> ParallelDrainRange<usize> for &'a mut Dict<K, V, S> {
    type Iter = ParDrain<'a, K, V>;
    type Item = (K, V);

    /// Removes the entries at positions in `range` now (both tags move if any is removed)
    /// and hands them out in parallel. Panics if the range is out of bounds, as
    /// [`Dict::drain`] does.
    fn par_drain<R: RangeBounds<usize>>(self, range: R) -> ParDrain<'a, K, V> {
        ParDrain {
            entries: self.drain(range).collect(),
            dict: PhantomData,
        }
    }
}

impl<K, V, S> FromParallelIterator<(K, V)> for Dict<K, V, S>
where
    K: Hash + Eq + Send,
    V: Send,
    S: BuildHasher + Default,
{
    /// Runs `pairs` in parallel, then inserts them in its order (a later pair overwrites an
    /// earlier one with the same key, keeping the first one's place).
    fn from_par_iter<I: IntoParallelIterator<Item = (K, V)>>(pairs: I) -> Self {
        let mut dict = Dict::default();
        dict.par_extend(pairs);
        dict
    }
}

impl<K, V, S> ParallelExtend<(K, V)> for Dict<K, V, S>
where
    K: Hash + Eq + Send,
    V: Send,
    S: BuildHasher,
{
    /// Runs `pairs` in parallel, then inserts them in its order.
    fn par_extend<I: IntoParallelIterator<Item = (K, V)>>(&mut self, pairs: I) {
        let pairs: Vec<(K, V)> = pairs.into_par_iter().collect();
        self.extend(pairs);
    }
}
