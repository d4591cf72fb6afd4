//! [`Set`]: an insertion-ordered hash set, `IndexSet`'s API over a [`Dict`] whose values are
//! `()`.
//!
//! Everything the dict does, the set does the same way: elements in insertion order, `remove`
//! in O(1) keeping the order of the rest (a hole in the entries array, squeezed out later),
//! positions as ranks among the live elements (O(1) before the first hole, O(log n) past
//! it), and PEP 509 version tags ([`version`](Set::version), [`keys_version`](Set::keys_version)).
//! The set operations (`union`, `intersection`, ...) are lazy iterators in `iter.rs`, in the
//! order indexmap's `IndexSet` gives them.
//!
//! An element is a dict key with a `()` value; a `Dict<T, ()>` takes no more room per entry
//! than the element and its stored hash. `caller_eq.rs` gives the set the dict's API for
//! elements the caller hashes and compares (an interpreter's objects).

mod caller_eq;
mod iter;
mod mutable;
#[cfg(feature = "rayon")]
mod rayon;
mod slice;

#[cfg(feature = "rayon")]
pub use self::rayon::{
    IntoParIter, ParDifference, ParDrain, ParIntersection, ParIter, ParSymmetricDifference,
    ParUnion,
};
pub use iter::{
    Difference, Drain, ExtractIf, Intersection, IntoIter, Iter, Splice, SymmetricDifference, Union,
};
pub use mutable::MutableValues;
pub use slice::Slice;

use crate::dict::{DefaultHashBuilder, Dict, TryReserveError};
use crate::version::Version;
use equivalent::Equivalent;
use std::cmp::Ordering;
use std::fmt;
use std::hash::{BuildHasher, Hash};
use std::ops::{BitAnd, BitOr, BitXor, Index, RangeBounds, Sub};

/// An insertion-ordered hash set: [`indexmap::IndexSet`]'s API, with an order-keeping
/// [`remove`](Set::remove) in O(1).
///
/// ```
/// use vdict::Set;
///
/// let mut seen = Set::new();
/// for word in ["to", "be", "or", "not", "to", "be"] {
///     seen.insert(word);
/// }
/// assert_eq!(seen.iter().copied().collect::<Vec<_>>(), ["to", "be", "or", "not"]);
/// seen.remove("be"); // O(1), and the rest stay in order
/// assert_eq!(seen.iter().copied().collect::<Vec<_>>(), ["to", "or", "not"]);
/// assert_eq!(seen.get_index_of("not"), Some(2));
/// ```
///
/// [`indexmap::IndexSet`]: https://docs.rs/indexmap/latest/indexmap/set/struct.IndexSet.html
pub struct Set<T, S = DefaultHashBuilder> {
    map: Dict<T, (), S>,
}

impl<T> Set<T> {
    /// An empty set. It allocates nothing until the first insert.
    pub fn new() -> Self {
        Set { map: Dict::new() }
    }

    /// An empty set that takes `capacity` inserts without allocating.
    pub fn with_capacity(capacity: usize) -> Self {
        Set {
            map: Dict::with_capacity(capacity),
        }
    }
}

impl<T, S> Set<T, S> {
    /// An empty set hashing with `hash_builder`.
    pub fn with_hasher(hash_builder: S) -> Self {
        Set {
            map: Dict::with_hasher(hash_builder),
        }
    }

    /// An empty set hashing with `hash_builder` that takes `capacity` inserts without
    /// allocating.
    pub fn with_capacity_and_hasher(capacity: usize, hash_builder: S) -> Self {
        Set {
            map: Dict::with_capacity_and_hasher(capacity, hash_builder),
        }
    }

    /// The dict underneath: element `x` is key `x` with value `()`.
    pub fn as_dict(&self) -> &Dict<T, (), S> {
        &self.map
    }

    /// The set's dict, given up.
    pub fn into_dict(self) -> Dict<T, (), S> {
        self.map
    }

    /// The set's hasher.
    pub fn hasher(&self) -> &S {
        self.map.hasher()
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether the set has no elements.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// How many elements fit before the entries array must grow.
    pub fn capacity(&self) -> usize {
        self.map.capacity()
    }

    /// The set's version tag: changes whenever its content may have (see [`Dict::version`]).
    pub fn version(&self) -> Version {
        self.map.version()
    }

    /// Changes only when elements come or go or move (see [`Dict::keys_version`]).
    pub fn keys_version(&self) -> Version {
        self.map.keys_version()
    }

    /// The elements in order.
    pub fn iter(&self) -> Iter<'_, T> {
        Iter {
            inner: self.map.keys(),
        }
    }

    /// Removes every element, keeping the memory.
    pub fn clear(&mut self) {
        self.map.clear();
    }

    /// Keeps the first `len` elements, dropping the rest.
    pub fn truncate(&mut self, len: usize) {
        self.map.truncate(len);
    }

    /// Removes the elements at the positions in `range` and hands them out in order (see
    /// [`Dict::drain`]). Panics if the range is out of bounds.
    pub fn drain<R: RangeBounds<usize>>(&mut self, range: R) -> Drain<'_, T> {
        Drain {
            inner: self.map.drain(range),
        }
    }

    /// Removes, in order, the elements at positions in `range` for which `predicate` returns
    /// true, handing each out as the iterator reaches it; elements it does not reach stay.
    /// Each removal is O(1) and keeps the order of the rest. Panics if the range is out of
    /// bounds.
    ///
    /// ```
    /// let mut s: vdict::Set<i32> = (0..8).collect();
    /// let evens: Vec<i32> = s.extract_if(.., |x| x % 2 == 0).collect();
    /// assert_eq!(evens, [0, 2, 4, 6]);
    /// assert_eq!(s.iter().copied().collect::<Vec<_>>(), [1, 3, 5, 7]);
    /// ```
    pub fn extract_if<F, R>(
        &mut self,
        range: R,
        mut predicate: F,
    ) -> ExtractIf<'_, T, impl FnMut(&T, &mut ()) -> bool>
    where
        F: FnMut(&T) -> bool,
        R: RangeBounds<usize>,
    {
        ExtractIf {
            inner: self
                .map
                .extract_if(range, move |element, ()| predicate(element)),
        }
    }

    /// Makes room for `additional` more inserts (see [`Dict::reserve`]).
    pub fn reserve(&mut self, additional: usize) {
        self.map.reserve(additional);
    }

    /// The same as [`reserve`](Set::reserve) (indexmap's name).
    pub fn reserve_exact(&mut self, additional: usize) {
        self.map.reserve_exact(additional);
    }

    /// [`reserve`](Set::reserve), reporting failure instead of panicking or aborting.
    pub fn try_reserve(&mut self, additional: usize) -> Result<(), TryReserveError> {
        self.map.try_reserve(additional)
    }

    /// [`try_reserve`](Set::try_reserve) asking for no more than `additional`.
    pub fn try_reserve_exact(&mut self, additional: usize) -> Result<(), TryReserveError> {
        self.map.try_reserve_exact(additional)
    }

    /// Gives back what memory it can (see [`Dict::shrink_to_fit`]).
    pub fn shrink_to_fit(&mut self) {
        self.map.shrink_to_fit();
    }

    /// Shrinks toward `min_capacity` (see [`Dict::shrink_to`]).
    pub fn shrink_to(&mut self, min_capacity: usize) {
        self.map.shrink_to(min_capacity);
    }

    /// Removes and returns the last element. O(1).
    pub fn pop(&mut self) -> Option<T> {
        self.map.pop().map(|(element, ())| element)
    }

    /// Removes and returns the last element if `predicate` accepts it.
    pub fn pop_if(&mut self, predicate: impl FnOnce(&T) -> bool) -> Option<T> {
        self.map
            .pop_if(|element, ()| predicate(element))
            .map(|(element, ())| element)
    }

    /// Keeps the elements for which `keep` returns true, in order.
    pub fn retain(&mut self, mut keep: impl FnMut(&T) -> bool) {
        self.map.retain(|element, ()| keep(element));
    }

    /// The element at `position`. O(1) before the first hole, O(log n) past it.
    pub fn get_index(&self, position: usize) -> Option<&T> {
        self.map.get_index(position).map(|(element, ())| element)
    }

    /// The first element.
    pub fn first(&self) -> Option<&T> {
        self.map.first().map(|(element, ())| element)
    }

    /// The last element.
    pub fn last(&self) -> Option<&T> {
        self.map.last().map(|(element, ())| element)
    }

    /// Removes the element at `position` and puts the last one in its place. O(1).
    pub fn swap_remove_index(&mut self, position: usize) -> Option<T> {
        self.map
            .swap_remove_index(position)
            .map(|(element, ())| element)
    }

    /// Removes the element at `position`, keeping the order of the rest. O(1) amortised
    /// (plus O(log n) to find a position past a hole), where indexmap's is O(n).
    pub fn shift_remove_index(&mut self, position: usize) -> Option<T> {
        self.map
            .shift_remove_index(position)
            .map(|(element, ())| element)
    }

    /// Moves the element at `from` to `to`, shifting those between. O(n), except to the last
    /// position: O(1) amortised. Panics if either is out of bounds.
    pub fn move_index(&mut self, from: usize, to: usize) {
        self.map.move_index(from, to);
    }

    /// Swaps the elements at positions `a` and `b`. Panics if either is out of bounds.
    pub fn swap_indices(&mut self, a: usize, b: usize) {
        self.map.swap_indices(a, b);
    }

    /// Reverses the order of the elements.
    pub fn reverse(&mut self) {
        self.map.reverse();
    }

    /// Sorts the elements with `compare`, stably.
    pub fn sort_by(&mut self, mut compare: impl FnMut(&T, &T) -> Ordering) {
        self.map.sort_by(|a, (), b, ()| compare(a, b));
    }

    /// Sorts the elements with `compare`; equal elements may be reordered.
    pub fn sort_unstable_by(&mut self, mut compare: impl FnMut(&T, &T) -> Ordering) {
        self.map.sort_unstable_by(|a, (), b, ()| compare(a, b));
    }

    /// Sorts the elements by a key extracted from each, stably.
    pub fn sort_by_key<K: Ord>(&mut self, mut key_of: impl FnMut(&T) -> K) {
        self.map.sort_by(|a, (), b, ()| key_of(a).cmp(&key_of(b)));
    }

    /// Sorts the elements by a key extracted from each; equal ones may be reordered.
    pub fn sort_unstable_by_key<K: Ord>(&mut self, mut key_of: impl FnMut(&T) -> K) {
        self.map
            .sort_unstable_by(|a, (), b, ()| key_of(a).cmp(&key_of(b)));
    }

    /// Sorts the elements by a key computed once per element.
    pub fn sort_by_cached_key<K: Ord>(&mut self, mut key_of: impl FnMut(&T) -> K) {
        self.map.sort_by_cached_key(|element, ()| key_of(element));
    }

    /// The elements sorted by `compare` (stably), as an owning iterator.
    pub fn sorted_by(self, mut compare: impl FnMut(&T, &T) -> Ordering) -> IntoIter<T> {
        let mut map = self.map;
        map.sort_by(|a, (), b, ()| compare(a, b));
        Set { map }.into_iter()
    }

    /// The elements sorted by `compare` (equal ones in any order), as an owning iterator.
    pub fn sorted_unstable_by(self, mut compare: impl FnMut(&T, &T) -> Ordering) -> IntoIter<T> {
        let mut map = self.map;
        map.sort_unstable_by(|a, (), b, ()| compare(a, b));
        Set { map }.into_iter()
    }

    /// Binary search by `compare` over a set sorted by it: `Ok(position)` of a match, or
    /// `Err(position)` where it would go.
    pub fn binary_search_by<'a>(
        &'a self,
        mut compare: impl FnMut(&'a T) -> Ordering,
    ) -> Result<usize, usize> {
        self.map.binary_search_by(|element, ()| compare(element))
    }

    /// Binary search by a key extracted from each element.
    pub fn binary_search_by_key<'a, B: Ord>(
        &'a self,
        sought: &B,
        mut key_of: impl FnMut(&'a T) -> B,
    ) -> Result<usize, usize> {
        self.map
            .binary_search_by(|element, ()| key_of(element).cmp(sought))
    }

    /// The position of the first element for which `predicate` is false, in a set
    /// partitioned by it.
    pub fn partition_point(&self, mut predicate: impl FnMut(&T) -> bool) -> usize {
        self.map.partition_point(|element, ()| predicate(element))
    }

    /// Whether the elements are in order by `compare` (`compare(a, b)` true for each pair).
    pub fn is_sorted_by<'a>(&'a self, mut compare: impl FnMut(&'a T, &'a T) -> bool) -> bool {
        self.map.is_sorted_by(|a, (), b, ()| compare(a, b))
    }

    /// Whether the elements are in order by a key extracted from each.
    pub fn is_sorted_by_key<'a, K: PartialOrd>(
        &'a self,
        mut key_of: impl FnMut(&'a T) -> K,
    ) -> bool {
        self.map.is_sorted_by_key(|element, ()| key_of(element))
    }

    /// Whether the elements are in ascending order.
    pub fn is_sorted(&self) -> bool
    where
        T: PartialOrd,
    {
        self.map.is_sorted()
    }
}

impl<T, S> Set<T, S>
where
    T: Hash + Eq,
    S: BuildHasher,
{
    /// Adds `value` at the end if it is absent: true if it was added. A present element is
    /// left as it is (the set keeps its stored element, and its tags do not change).
    #[inline]
    pub fn insert(&mut self, value: T) -> bool {
        self.insert_full(value).1
    }

    /// [`insert`](Set::insert), with the element's position.
    #[inline]
    pub fn insert_full(&mut self, value: T) -> (usize, bool) {
        let (position, present) = self.map.insert_locating(value, (), false);
        (position, present.is_none())
    }

    /// Inserts into a set sorted in ascending order, where a binary search puts it; a present
    /// element stays where it is. Returns its position and whether it was added. O(n).
    pub fn insert_sorted(&mut self, value: T) -> (usize, bool)
    where
        T: Ord,
    {
        match self.binary_search(&value) {
            Ok(position) => (position, false),
            Err(_) => self.insert_before_absent(value, |set, value| set.binary_search(value)),
        }
    }

    /// Inserts into a set sorted by `compare`; a present element stays where it is.
    pub fn insert_sorted_by(
        &mut self,
        value: T,
        mut compare: impl FnMut(&T, &T) -> Ordering,
    ) -> (usize, bool) {
        self.insert_before_absent(value, |set, value| {
            set.binary_search_by(|element| compare(element, value))
        })
    }

    /// Inserts into a set sorted by a key extracted from each element; a present element
    /// stays where it is.
    pub fn insert_sorted_by_key<B: Ord>(
        &mut self,
        value: T,
        mut key_of: impl FnMut(&T) -> B,
    ) -> (usize, bool) {
        self.insert_before_absent(value, |set, value| {
            let sought = key_of(value);
            set.binary_search_by(|element| key_of(element).cmp(&sought))
        })
    }

    /// Inserts `value`, if absent, at the position `search` finds for it.
    fn insert_before_absent(
        &mut self,
        value: T,
        search: impl FnOnce(&Self, &T) -> Result<usize, usize>,
    ) -> (usize, bool) {
        if let Some(position) = self.get_index_of(&value) {
            return (position, false);
        }
        let position = search(self, &value).unwrap_or_else(|position| position);
        self.map.insert_before(position, value, ());
        (position, true)
    }

    /// Inserts `value` before the element at `position` (at the end if `position == len`),
    /// or moves a present equal element there. Returns the element's final position and
    /// whether it was added. O(n). Panics if `position > len`.
    pub fn insert_before(&mut self, position: usize, value: T) -> (usize, bool) {
        let (position, old) = self.map.insert_before(position, value, ());
        (position, old.is_none())
    }

    /// Inserts `value` at `position`, shifting those after it, or moves a present equal
    /// element there. Returns whether it was added. O(n). Panics if `position` is out of
    /// bounds (`> len` for a new element, `>= len` for a present one).
    pub fn shift_insert(&mut self, position: usize, value: T) -> bool {
        self.map.shift_insert(position, value, ()).is_none()
    }

    /// Adds `value`, or replaces a present equal element with it (in place): the replaced
    /// element, if any.
    pub fn replace(&mut self, value: T) -> Option<T> {
        self.replace_full(value).1
    }

    /// [`replace`](Set::replace), with the element's position.
    pub fn replace_full(&mut self, value: T) -> (usize, Option<T>) {
        match self.map.get_index_of(&value) {
            Some(position) => {
                let old = self.map.replace_index(position, value).ok();
                (position, old)
            }
            None => (self.insert_full(value).0, None),
        }
    }

    /// Replaces the element at `position` with `value`: `Ok` with the old element, or `Err`
    /// with the position of another element equal to `value` (and `value` back). Panics if
    /// `position` is out of bounds.
    pub fn replace_index(&mut self, position: usize, value: T) -> Result<T, (usize, T)> {
        self.map.replace_index(position, value)
    }

    /// Moves every element of `other` to the end of this set (those present here stay where
    /// they are), leaving `other` empty.
    pub fn append<S2>(&mut self, other: &mut Set<T, S2>) {
        self.extend(other.drain(..));
    }

    /// Splits the set at `position`: this one keeps the elements before it, the returned
    /// one gets the rest. Panics if `position > len`.
    pub fn split_off(&mut self, position: usize) -> Self
    where
        S: Clone,
    {
        Set {
            map: self.map.split_off(position),
        }
    }

    /// Replaces the elements at positions in `range` with those of `replace_with`, handing
    /// out the removed ones (see [`Dict::splice`]): when the iterator is dropped, elements
    /// already in the set (outside the range) stay where they are, the others go into the
    /// range's place. Panics if the range is out of bounds.
    pub fn splice<R, I>(&mut self, range: R, replace_with: I) -> Splice<'_, I::IntoIter, T, S>
    where
        R: RangeBounds<usize>,
        I: IntoIterator<Item = T>,
    {
        let with_unit: fn(T) -> (T, ()) = |element| (element, ());
        Splice {
            inner: self
                .map
                .splice(range, replace_with.into_iter().map(with_unit)),
        }
    }

    /// Whether `value` is an element.
    pub fn contains<Q>(&self, value: &Q) -> bool
    where
        Q: ?Sized + Hash + Equivalent<T>,
    {
        self.map.contains_key(value)
    }

    /// The stored element equal to `value`.
    pub fn get<Q>(&self, value: &Q) -> Option<&T>
    where
        Q: ?Sized + Hash + Equivalent<T>,
    {
        self.map.get_key_value(value).map(|(element, ())| element)
    }

    /// The position and the stored element equal to `value`.
    pub fn get_full<Q>(&self, value: &Q) -> Option<(usize, &T)>
    where
        Q: ?Sized + Hash + Equivalent<T>,
    {
        self.map
            .get_full(value)
            .map(|(position, element, ())| (position, element))
    }

    /// The position of the element equal to `value`.
    pub fn get_index_of<Q>(&self, value: &Q) -> Option<usize>
    where
        Q: ?Sized + Hash + Equivalent<T>,
    {
        self.map.get_index_of(value)
    }

    /// Removes `value`, keeping the order of the rest, in O(1): true if it was there. (What
    /// indexmap calls `shift_remove`, without its O(n) shift.)
    pub fn remove<Q>(&mut self, value: &Q) -> bool
    where
        Q: ?Sized + Hash + Equivalent<T>,
    {
        self.map.remove(value).is_some()
    }

    /// The same as [`remove`](Set::remove): order kept, O(1) (indexmap's name).
    pub fn shift_remove<Q>(&mut self, value: &Q) -> bool
    where
        Q: ?Sized + Hash + Equivalent<T>,
    {
        self.remove(value)
    }

    /// Removes `value` and puts the last element in its place: true if it was there. O(1).
    pub fn swap_remove<Q>(&mut self, value: &Q) -> bool
    where
        Q: ?Sized + Hash + Equivalent<T>,
    {
        self.map.swap_remove(value).is_some()
    }

    /// Removes and returns the stored element equal to `value`, keeping the order of the rest.
    pub fn take<Q>(&mut self, value: &Q) -> Option<T>
    where
        Q: ?Sized + Hash + Equivalent<T>,
    {
        self.map.remove_entry(value).map(|(element, ())| element)
    }

    /// The same as [`take`](Set::take) (indexmap's name).
    pub fn shift_take<Q>(&mut self, value: &Q) -> Option<T>
    where
        Q: ?Sized + Hash + Equivalent<T>,
    {
        self.take(value)
    }

    /// Removes and returns the stored element equal to `value`, putting the last element in
    /// its place.
    pub fn swap_take<Q>(&mut self, value: &Q) -> Option<T>
    where
        Q: ?Sized + Hash + Equivalent<T>,
    {
        self.map
            .swap_remove_entry(value)
            .map(|(element, ())| element)
    }

    /// [`shift_remove`](Set::shift_remove), returning the position and the stored element.
    pub fn shift_remove_full<Q>(&mut self, value: &Q) -> Option<(usize, T)>
    where
        Q: ?Sized + Hash + Equivalent<T>,
    {
        self.map
            .shift_remove_full(value)
            .map(|(position, element, ())| (position, element))
    }

    /// [`swap_remove`](Set::swap_remove), returning the position and the stored element.
    pub fn swap_remove_full<Q>(&mut self, value: &Q) -> Option<(usize, T)>
    where
        Q: ?Sized + Hash + Equivalent<T>,
    {
        self.map
            .swap_remove_full(value)
            .map(|(position, element, ())| (position, element))
    }

    /// Sorts the elements in ascending order, stably.
    pub fn sort(&mut self)
    where
        T: Ord,
    {
        self.map.sort_keys();
    }

    /// Sorts the elements in ascending order; equal ones may be reordered.
    pub fn sort_unstable(&mut self)
    where
        T: Ord,
    {
        self.map.sort_unstable_keys();
    }

    /// The elements in ascending order, as an owning iterator.
    pub fn sorted(self) -> IntoIter<T>
    where
        T: Ord,
    {
        self.sorted_by(T::cmp)
    }

    /// Binary search for `value` in a set sorted in ascending order.
    pub fn binary_search(&self, value: &T) -> Result<usize, usize>
    where
        T: Ord,
    {
        self.map.binary_search_keys(value)
    }

    /// The elements of `self` not in `other`, in `self`'s order.
    pub fn difference<'a, S2: BuildHasher>(
        &'a self,
        other: &'a Set<T, S2>,
    ) -> Difference<'a, T, S2> {
        Difference {
            iter: self.iter(),
            other,
        }
    }

    /// The elements of `self` not in `other`, in `self`'s order, then those of `other` not in
    /// `self`, in `other`'s order.
    pub fn symmetric_difference<'a, S2: BuildHasher>(
        &'a self,
        other: &'a Set<T, S2>,
    ) -> SymmetricDifference<'a, T, S, S2> {
        SymmetricDifference {
            first: self.difference(other),
            second: other.difference(self),
        }
    }

    /// The elements of `self` that are also in `other`, in `self`'s order.
    pub fn intersection<'a, S2: BuildHasher>(
        &'a self,
        other: &'a Set<T, S2>,
    ) -> Intersection<'a, T, S2> {
        Intersection {
            iter: self.iter(),
            other,
        }
    }

    /// Every element of `self`, then those of `other` not in `self`, each in its own order.
    pub fn union<'a, S2: BuildHasher>(&'a self, other: &'a Set<T, S2>) -> Union<'a, T, S> {
        Union {
            first: self.iter(),
            second: other.difference(self),
        }
    }

    /// Whether no element is in both sets.
    pub fn is_disjoint<S2: BuildHasher>(&self, other: &Set<T, S2>) -> bool {
        if self.len() <= other.len() {
            self.iter().all(|element| !other.contains(element))
        } else {
            other.iter().all(|element| !self.contains(element))
        }
    }

    /// Whether every element of `self` is in `other`.
    pub fn is_subset<S2: BuildHasher>(&self, other: &Set<T, S2>) -> bool {
        self.len() <= other.len() && self.iter().all(|element| other.contains(element))
    }

    /// Whether every element of `other` is in `self`.
    pub fn is_superset<S2: BuildHasher>(&self, other: &Set<T, S2>) -> bool {
        other.is_subset(self)
    }
}

impl<T, S> Index<usize> for Set<T, S> {
    type Output = T;

    /// The element at `position`. Panics if it is out of bounds; use
    /// [`get_index`](Set::get_index) to ask.
    fn index(&self, position: usize) -> &T {
        self.get_index(position).unwrap_or_else(|| {
            panic!(
                "vdict: Set[position]: index out of bounds: the len is {} but the index is {position}",
                self.len()
            )
        })
    }
}

impl<T: Clone, S: Clone> Clone for Set<T, S> {
    fn clone(&self) -> Self {
        Set {
            map: self.map.clone(),
        }
    }

    fn clone_from(&mut self, other: &Self) {
        self.map.clone_from(&other.map);
    }
}

impl<T: fmt::Debug, S> fmt::Debug for Set<T, S> {
    /// Prints like a set, in order: `{1, 2, 3}`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

impl<T, S: Default> Default for Set<T, S> {
    fn default() -> Self {
        Set {
            map: Dict::default(),
        }
    }
}

impl<T, S1, S2> PartialEq<Set<T, S2>> for Set<T, S1>
where
    T: Hash + Eq,
    S1: BuildHasher,
    S2: BuildHasher,
{
    /// Equal when both hold the same elements, in any order.
    fn eq(&self, other: &Set<T, S2>) -> bool {
        self.len() == other.len() && self.is_subset(other)
    }
}

impl<T: Hash + Eq, S: BuildHasher> Eq for Set<T, S> {}

impl<T: Hash + Eq, S: BuildHasher + Default> FromIterator<T> for Set<T, S> {
    /// The elements in order of first appearance.
    fn from_iter<I: IntoIterator<Item = T>>(elements: I) -> Self {
        let elements = elements.into_iter();
        let mut set = Set::with_capacity_and_hasher(elements.size_hint().0, S::default());
        set.extend(elements);
        set
    }
}

impl<T: Hash + Eq, const N: usize> From<[T; N]> for Set<T> {
    /// A set with the default hasher holding `elements` in order of first appearance.
    ///
    /// ```
    /// let s = vdict::Set::from([3, 1, 3, 2]);
    /// assert_eq!(s.iter().copied().collect::<Vec<_>>(), [3, 1, 2]);
    /// ```
    fn from(elements: [T; N]) -> Self {
        elements.into_iter().collect()
    }
}

impl<T: Hash + Eq, S: BuildHasher> Extend<T> for Set<T, S> {
    /// Inserts each element in turn; present ones stay where they are.
    fn extend<I: IntoIterator<Item = T>>(&mut self, elements: I) {
        let elements = elements.into_iter();
        let lower_bound = elements.size_hint().0;
        if lower_bound > 0 {
            self.reserve(lower_bound);
        }
        for element in elements {
            self.insert(element);
        }
    }
}

impl<'a, T: Hash + Eq + Copy + 'a, S: BuildHasher> Extend<&'a T> for Set<T, S> {
    fn extend<I: IntoIterator<Item = &'a T>>(&mut self, elements: I) {
        self.extend(elements.into_iter().copied());
    }
}

impl<T, S> IntoIterator for Set<T, S> {
    type Item = T;
    type IntoIter = IntoIter<T>;

    fn into_iter(self) -> IntoIter<T> {
        IntoIter {
            inner: self.map.into_keys(),
        }
    }
}

impl<'a, T, S> IntoIterator for &'a Set<T, S> {
    type Item = &'a T;
    type IntoIter = Iter<'a, T>;

    fn into_iter(self) -> Iter<'a, T> {
        self.iter()
    }
}

impl<T, S> From<Dict<T, (), S>> for Set<T, S> {
    /// The set of a dict's keys (its values are `()`), as they stand.
    fn from(map: Dict<T, (), S>) -> Self {
        Set { map }
    }
}

/// Defines a set operator on references: a new set, with a clone of the left one's hasher.
macro_rules! set_operator {
    ($(#[$doc:meta])* $trait:ident, $method:ident, $via:ident) => {
        impl<T, S1, S2> $trait<&Set<T, S2>> for &Set<T, S1>
        where
            T: Hash + Eq + Clone,
            S1: BuildHasher + Default,
            S2: BuildHasher,
        {
            type Output = Set<T, S1>;

            $(#[$doc])*
            fn $method(self, other: &Set<T, S2>) -> Set<T, S1> {
                self.$via(other).cloned().collect()
            }
        }
    };
}

set_operator!(
    /// `&a & &b`: the elements in both, in `a`'s order.
    BitAnd, bitand, intersection
);
set_operator!(
    /// `&a - &b`: the elements of `a` not in `b`, in `a`'s order.
    Sub, sub, difference
);

impl<T, S1, S2> BitOr<&Set<T, S2>> for &Set<T, S1>
where
    T: Hash + Eq + Clone,
    S1: BuildHasher + Default,
    S2: BuildHasher,
{
    type Output = Set<T, S1>;

    /// `&a | &b`: every element of `a`, then those of `b` not in `a`.
    fn bitor(self, other: &Set<T, S2>) -> Set<T, S1> {
        self.iter().chain(other.difference(self)).cloned().collect()
    }
}

impl<T, S1, S2> BitXor<&Set<T, S2>> for &Set<T, S1>
where
    T: Hash + Eq + Clone,
    S1: BuildHasher + Default,
    S2: BuildHasher,
{
    type Output = Set<T, S1>;

    /// `&a ^ &b`: the elements of `a` not in `b`, then those of `b` not in `a`.
    fn bitxor(self, other: &Set<T, S2>) -> Set<T, S1> {
        self.difference(other)
            .chain(other.difference(self))
            .cloned()
            .collect()
    }
}
