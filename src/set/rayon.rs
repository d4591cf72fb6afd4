//! Parallel iteration and sorting of a [`Set`] with rayon (the `rayon` feature): the dict's
//! (see `dict/rayon.rs`), element by element.

use super::Set;
use crate::dict;
use rayon::iter::plumbing::{Consumer, ProducerCallback, UnindexedConsumer};
use rayon::prelude::*;
use std::cmp::Ordering;
use std::hash::{BuildHasher, Hash};
use std::ops::RangeBounds;

/// The element of one of the dict's `(element, ())` pairs (or `(&element, &())`).
fn element<T, Unit>((element, _): (T, Unit)) -> T {
    element
}

/// `&T` in parallel: [`Set::par_iter`].
pub struct ParIter<'a, T> {
    inner: dict::ParIter<'a, T, ()>,
}

impl<'a, T: Sync> ParallelIterator for ParIter<'a, T> {
    type Item = &'a T;

    fn drive_unindexed<C: UnindexedConsumer<Self::Item>>(self, consumer: C) -> C::Result {
        self.inner.map(element).drive_unindexed(consumer)
    }
}

/// Owned `T` in parallel: `Set::into_par_iter`.
pub struct IntoParIter<T> {
    inner: dict::IntoParIter<T, ()>,
}

impl<T: Send> ParallelIterator for IntoParIter<T> {
    type Item = T;

    fn drive_unindexed<C: UnindexedConsumer<Self::Item>>(self, consumer: C) -> C::Result {
        self.inner.map(element).drive_unindexed(consumer)
    }
}

impl<T, S> Set<T, S> {
    /// The elements in parallel.
    pub fn par_iter(&self) -> ParIter<'_, T> {
        ParIter {
            inner: self.map.par_iter(),
        }
    }

    /// Sorts the elements by `compare`, stably, in parallel.
    pub fn par_sort_by<F>(&mut self, compare: F)
    where
        T: Send,
        F: Fn(&T, &T) -> Ordering + Sync,
    {
        self.map.par_sort_by(|a, (), b, ()| compare(a, b));
    }

    /// Sorts the elements by `compare` in parallel, not stably.
    pub fn par_sort_unstable_by<F>(&mut self, compare: F)
    where
        T: Send,
        F: Fn(&T, &T) -> Ordering + Sync,
    {
        self.map.par_sort_unstable_by(|a, (), b, ()| compare(a, b));
    }

    /// Sorts the elements in ascending order, stably, in parallel.
    pub fn par_sort(&mut self)
    where
        T: Ord + Send,
    {
        self.map.par_sort_keys();
    }

    /// Sorts the elements in ascending order in parallel, not stably.
    pub fn par_sort_unstable(&mut self)
    where
        T: Ord + Send,
    {
        self.map.par_sort_unstable_keys();
    }
    /// Sorts the elements by `compare` in parallel, stably, and hands them out by value in
    /// that order.
    pub fn par_sorted_by<F>(self, compare: F) -> IntoParIter<T>
    where
        T: Send,
        F: Fn(&T, &T) -> Ordering + Sync,
    {
        IntoParIter {
            inner: self.map.par_sorted_by(|a, (), b, ()| compare(a, b)),
        }
    }

    /// Sorts the elements by `compare` in parallel, not stably, and hands them out by value
    /// in that order.
    pub fn par_sorted_unstable_by<F>(self, compare: F) -> IntoParIter<T>
    where
        T: Send,
        F: Fn(&T, &T) -> Ordering + Sync,
    {
        IntoParIter {
            inner: self
                .map
                .par_sorted_unstable_by(|a, (), b, ()| compare(a, b)),
        }
    }

    /// Sorts the elements by the key `sort_key` extracts, stably, in parallel.
    pub fn par_sort_by_key<K, F>(&mut self, sort_key: F)
    where
        T: Send,
        K: Ord,
        F: Fn(&T) -> K + Sync,
    {
        self.map.par_sort_by_key(|element, ()| sort_key(element));
    }

    /// Sorts the elements by the key `sort_key` extracts in parallel, not stably.
    pub fn par_sort_unstable_by_key<K, F>(&mut self, sort_key: F)
    where
        T: Send,
        K: Ord,
        F: Fn(&T) -> K + Sync,
    {
        self.map
            .par_sort_unstable_by_key(|element, ()| sort_key(element));
    }

    /// Sorts the elements by the key `sort_key` extracts, stably, in parallel, calling it
    /// once per element.
    pub fn par_sort_by_cached_key<K, F>(&mut self, sort_key: F)
    where
        T: Send,
        K: Ord + Send,
        F: Fn(&T) -> K + Sync,
    {
        self.map
            .par_sort_by_cached_key(|element, ()| sort_key(element));
    }
}

impl<T, S> Set<T, S>
where
    T: Hash + Eq + Sync,
    S: BuildHasher + Sync,
{
    /// The elements of `self` that are not in `other`, in parallel (`collect` and `reduce`
    /// keep `self`'s order).
    pub fn par_difference<'a, S2>(&'a self, other: &'a Set<T, S2>) -> ParDifference<'a, T, S, S2>
    where
        S2: BuildHasher + Sync,
    {
        ParDifference {
            set1: self,
            set2: other,
        }
    }

    /// The elements in exactly one of `self` and `other`, in parallel: `self`'s in its
    /// order, then `other`'s in its order.
    pub fn par_symmetric_difference<'a, S2>(
        &'a self,
        other: &'a Set<T, S2>,
    ) -> ParSymmetricDifference<'a, T, S, S2>
    where
        S2: BuildHasher + Sync,
    {
        ParSymmetricDifference {
            set1: self,
            set2: other,
        }
    }

    /// The elements of `self` that are also in `other`, in parallel, in `self`'s order.
    pub fn par_intersection<'a, S2>(
        &'a self,
        other: &'a Set<T, S2>,
    ) -> ParIntersection<'a, T, S, S2>
    where
        S2: BuildHasher + Sync,
    {
        ParIntersection {
            set1: self,
            set2: other,
        }
    }

    /// The elements of either set, in parallel: `self`'s in its order, then those only in
    /// `other`, in its order.
    pub fn par_union<'a, S2>(&'a self, other: &'a Set<T, S2>) -> ParUnion<'a, T, S, S2>
    where
        S2: BuildHasher + Sync,
    {
        ParUnion {
            set1: self,
            set2: other,
        }
    }

    /// Whether both sets hold the same elements, whatever the order, checked in parallel.
    pub fn par_eq<S2>(&self, other: &Set<T, S2>) -> bool
    where
        S2: BuildHasher + Sync,
    {
        self.len() == other.len() && self.par_is_subset(other)
    }

    /// Whether the sets have no element in common, checked in parallel.
    pub fn par_is_disjoint<S2>(&self, other: &Set<T, S2>) -> bool
    where
        S2: BuildHasher + Sync,
    {
        if self.len() <= other.len() {
            self.par_iter().all(|element| !other.contains(element))
        } else {
            other.par_iter().all(|element| !self.contains(element))
        }
    }

    /// Whether every element of `other` is in `self`, checked in parallel.
    pub fn par_is_superset<S2>(&self, other: &Set<T, S2>) -> bool
    where
        S2: BuildHasher + Sync,
    {
        other.par_is_subset(self)
    }

    /// Whether every element of `self` is in `other`, checked in parallel.
    pub fn par_is_subset<S2>(&self, other: &Set<T, S2>) -> bool
    where
        S2: BuildHasher + Sync,
    {
        self.len() <= other.len() && self.par_iter().all(|element| other.contains(element))
    }
}

/// Declares a parallel set operation: a struct holding both sets, `Clone` and `Copy`, driven
/// by the body given.
macro_rules! parallel_set_operation {
    ($(#[$doc:meta])* $name:ident, |$set1:ident, $set2:ident| $body:expr) => {
        $(#[$doc])*
        pub struct $name<'a, T, S1, S2> {
            set1: &'a Set<T, S1>,
            set2: &'a Set<T, S2>,
        }

        impl<T, S1, S2> Clone for $name<'_, T, S1, S2> {
            fn clone(&self) -> Self {
                *self
            }
        }

        impl<T, S1, S2> Copy for $name<'_, T, S1, S2> {}

        impl<'a, T, S1, S2> ParallelIterator for $name<'a, T, S1, S2>
        where
            T: Hash + Eq + Sync,
            S1: BuildHasher + Sync,
            S2: BuildHasher + Sync,
        {
            type Item = &'a T;

            fn drive_unindexed<C: UnindexedConsumer<Self::Item>>(self, consumer: C) -> C::Result {
                let $name { set1: $set1, set2: $set2 } = self;
                $body.drive_unindexed(consumer)
            }
        }
    };
}

parallel_set_operation!(
    /// The elements of one set not in another, in parallel: [`Set::par_difference`].
    ParDifference,
    |set1, set2| set1.par_iter().filter(move |element| !set2.contains(*element))
);

parallel_set_operation!(
    /// The elements of both sets, in parallel: [`Set::par_intersection`].
    ParIntersection,
    |set1, set2| set1.par_iter().filter(move |element| set2.contains(*element))
);

parallel_set_operation!(
    /// The elements in exactly one of two sets, in parallel:
    /// [`Set::par_symmetric_difference`].
    ParSymmetricDifference,
    |set1, set2| set1
        .par_difference(set2)
        .chain(set2.par_difference(set1))
);

parallel_set_operation!(
    /// The elements of either of two sets, in parallel: [`Set::par_union`].
    ParUnion,
    |set1, set2| set1.par_iter().chain(set2.par_difference(set1))
);

impl<T: Send, S> IntoParallelIterator for Set<T, S> {
    type Item = T;
    type Iter = IntoParIter<T>;

    fn into_par_iter(self) -> IntoParIter<T> {
        IntoParIter {
            inner: self.map.into_par_iter(),
        }
    }
}

impl<'a, T: Sync, S> IntoParallelIterator for &'a Set<T, S> {
    type Item = &'a T;
    type Iter = ParIter<'a, T>;

    fn into_par_iter(self) -> ParIter<'a, T> {
        self.par_iter()
    }
}

/// Owned `T` removed by `par_drain`, in parallel: the dict's
/// [`ParDrain`](crate::dict::ParDrain), element by element.
pub struct ParDrain<'a, T: Send> {
    inner: dict::ParDrain<'a, T, ()>,
}

impl<T: Send> ParallelIterator for ParDrain<'_, T> {
    type Item = T;

    fn drive_unindexed<C: UnindexedConsumer<Self::Item>>(self, consumer: C) -> C::Result {
        self.inner.map(element).drive_unindexed(consumer)
    }

    fn opt_len(&self) -> Option<usize> {
        Some(self.inner.len())
    }
}

impl<T: Send> IndexedParallelIterator for ParDrain<'_, T> {
    fn len(&self) -> usize {
        self.inner.len()
    }

    fn drive<C: Consumer<Self::Item>>(self, consumer: C) -> C::Result {
        self.inner.map(element).drive(consumer)
    }

    fn with_producer<CB: ProducerCallback<Self::Item>>(self, callback: CB) -> CB::Output {
        self.inner.map(element).with_producer(callback)
    }
}

impl<'a, T: Send, S> ParallelDrainRange<usize> for &'a mut Set<T, S> {
    type Iter = ParDrain<'a, T>;
    type Item = T;

    /// Removes the elements at positions in `range` now and hands them out in parallel.
    /// Panics if the range is out of bounds.
    fn par_drain<R: RangeBounds<usize>>(self, range: R) -> ParDrain<'a, T> {
        ParDrain {
            inner: self.map.par_drain(range),
        }
    }
}

impl<T, S> FromParallelIterator<T> for Set<T, S>
where
    T: Hash + Eq + Send,
    S: BuildHasher + Default,
{
    /// Runs `elements` in parallel, then inserts them in its order.
    fn from_par_iter<I: IntoParallelIterator<Item = T>>(elements: I) -> Self {
        let mut set = Set::default();
        set.par_extend(elements);
        set
    }
}

impl<T, S> ParallelExtend<T> for Set<T, S>
where
    T: Hash + Eq + Send,
    S: BuildHasher,
{
    /// Runs `elements` in parallel, then inserts them in its order.
    fn par_extend<I: IntoParallelIterator<Item = T>>(&mut self, elements: I) {
        let elements: Vec<T> = elements.into_par_iter().collect();
        self.extend(elements);
    }
}
