//! Parallel iteration and sorting of a [`Set`] with rayon (the `rayon` feature): the dict's
//! (see `dict/rayon.rs`), element by element.

use super::Set;
use crate::dict;
use rayon::iter::plumbing::UnindexedConsumer;
use rayon::prelude::*;
use std::cmp::Ordering;
use std::hash::{BuildHasher, Hash};

/// `&T` in parallel: [`Set::par_iter`].
pub struct ParIter<'a, T> {
    inner: dict::ParIter<'a, T, ()>,
}

impl<'a, T: Sync> ParallelIterator for ParIter<'a, T> {
    type Item = &'a T;

    fn drive_unindexed<C: UnindexedConsumer<Self::Item>>(self, consumer: C) -> C::Result {
        self.inner
            .map(|(element, ())| element)
            .drive_unindexed(consumer)
    }
}

/// Owned `T` in parallel: `Set::into_par_iter`.
pub struct IntoParIter<T> {
    inner: dict::IntoParIter<T, ()>,
}

impl<T: Send> ParallelIterator for IntoParIter<T> {
    type Item = T;

    fn drive_unindexed<C: UnindexedConsumer<Self::Item>>(self, consumer: C) -> C::Result {
        self.inner
            .map(|(element, ())| element)
            .drive_unindexed(consumer)
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
}

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
