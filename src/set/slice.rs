//! [`Slice`]: a read-only view of the elements at a range of positions of a [`Set`], the
//! closest vdict has to indexmap's `&set::Slice<T>` (see the dict's `Slice` for why it is a
//! value rather than a reference).

use super::{Iter, Set};
use crate::dict;
use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::{Index, RangeBounds};

/// The elements at a range of positions of a [`Set`], in order: [`Set::as_slice`],
/// [`Set::get_range`]. Its positions count from the start of the range.
///
/// ```
/// let mut s = vdict::Set::from([10, 20, 30, 40]);
/// s.remove(&20);
/// assert_eq!(s.as_slice(), [10, 30, 40]);
/// assert_eq!(s.get_range(1..).unwrap().first(), Some(&30));
/// ```
pub struct Slice<'a, T> {
    inner: dict::Slice<'a, T, ()>,
}

impl<T> Clone for Slice<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Slice<'_, T> {}

impl<T, S> Set<T, S> {
    /// All the elements, as a [`Slice`] (indexmap's `as_slice`; here a view, not a `&[_]`).
    pub fn as_slice(&self) -> Slice<'_, T> {
        Slice {
            inner: self.map.as_slice(),
        }
    }

    /// The elements at the positions in `range`, or `None` if the range is out of bounds or
    /// backwards.
    pub fn get_range<R: RangeBounds<usize>>(&self, range: R) -> Option<Slice<'_, T>> {
        self.as_slice().get_range(range)
    }
}

impl<'a, T> Slice<'a, T> {
    /// Number of elements.
    pub fn len(&self) -> usize {
        self.inner.len()
    }

    /// Whether it holds no element.
    pub fn is_empty(&self) -> bool {
        self.inner.is_empty()
    }

    /// The element at `position` (from the start of the slice).
    pub fn get_index(&self, position: usize) -> Option<&'a T> {
        self.inner.get_index(position).map(|(element, ())| element)
    }

    /// The first element.
    pub fn first(&self) -> Option<&'a T> {
        self.inner.first().map(|(element, ())| element)
    }

    /// The last element.
    pub fn last(&self) -> Option<&'a T> {
        self.inner.last().map(|(element, ())| element)
    }

    /// The elements at the positions in `range` of this slice, or `None` if it is out of
    /// bounds or backwards.
    pub fn get_range<R: RangeBounds<usize>>(&self, range: R) -> Option<Self> {
        Some(Slice {
            inner: self.inner.get_range(range)?,
        })
    }

    /// The slice cut in two at `mid`. Panics if `mid > len`.
    pub fn split_at(&self, mid: usize) -> (Self, Self) {
        let (head, tail) = self.inner.split_at(mid);
        (Slice { inner: head }, Slice { inner: tail })
    }

    /// The slice cut in two at `mid`, or `None` if `mid > len`.
    pub fn split_at_checked(&self, mid: usize) -> Option<(Self, Self)> {
        let (head, tail) = self.inner.split_at_checked(mid)?;
        Some((Slice { inner: head }, Slice { inner: tail }))
    }

    /// The first element and the rest.
    pub fn split_first(&self) -> Option<(&'a T, Self)> {
        let ((first, ()), rest) = self.inner.split_first()?;
        Some((first, Slice { inner: rest }))
    }

    /// The last element and the rest.
    pub fn split_last(&self) -> Option<(&'a T, Self)> {
        let ((last, ()), rest) = self.inner.split_last()?;
        Some((last, Slice { inner: rest }))
    }

    /// The elements in order.
    pub fn iter(&self) -> Iter<'a, T> {
        Iter {
            inner: self.inner.keys(),
        }
    }

    /// Binary search by `compare` over a slice sorted by it.
    pub fn binary_search_by(
        &self,
        mut compare: impl FnMut(&'a T) -> Ordering,
    ) -> Result<usize, usize> {
        self.inner.binary_search_by(|element, ()| compare(element))
    }

    /// Binary search by a key extracted from each element.
    pub fn binary_search_by_key<B: Ord>(
        &self,
        sought: &B,
        mut key_of: impl FnMut(&'a T) -> B,
    ) -> Result<usize, usize> {
        self.binary_search_by(|element| key_of(element).cmp(sought))
    }

    /// Binary search for `value` in a slice sorted in ascending order.
    pub fn binary_search(&self, value: &T) -> Result<usize, usize>
    where
        T: Ord,
    {
        self.binary_search_by(|element| element.cmp(value))
    }

    /// Whether the elements are in order by `compare` (true for each neighbouring pair).
    pub fn is_sorted_by(&self, mut compare: impl FnMut(&'a T, &'a T) -> bool) -> bool {
        self.inner.is_sorted_by(|a, (), b, ()| compare(a, b))
    }

    /// Whether the elements are in order by a key extracted from each.
    pub fn is_sorted_by_key<K: PartialOrd>(&self, mut key_of: impl FnMut(&'a T) -> K) -> bool {
        self.inner.is_sorted_by_key(|element, ()| key_of(element))
    }

    /// Whether the elements are in ascending order.
    pub fn is_sorted(&self) -> bool
    where
        T: PartialOrd,
    {
        self.inner.is_sorted()
    }

    /// The position of the first element for which `predicate` is false, in a slice
    /// partitioned by it.
    pub fn partition_point(&self, mut predicate: impl FnMut(&T) -> bool) -> usize {
        self.inner.partition_point(|element, ()| predicate(element))
    }
}

impl<'a, T> IntoIterator for Slice<'a, T> {
    type Item = &'a T;
    type IntoIter = Iter<'a, T>;

    fn into_iter(self) -> Iter<'a, T> {
        self.iter()
    }
}

impl<T> Index<usize> for Slice<'_, T> {
    type Output = T;

    /// The element at `position`. Panics if it is out of bounds.
    fn index(&self, position: usize) -> &T {
        self.get_index(position).unwrap_or_else(|| {
            panic!(
                "vdict: set Slice[position]: index out of bounds: the len is {} but the index is {position}",
                self.len()
            )
        })
    }
}

impl<T: fmt::Debug> fmt::Debug for Slice<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<T1: PartialEq<T2>, T2> PartialEq<Slice<'_, T2>> for Slice<'_, T1> {
    /// Equal when the elements are equal in order (as slices compare, unlike sets).
    fn eq(&self, other: &Slice<'_, T2>) -> bool {
        self.len() == other.len() && self.iter().zip(other.iter()).all(|(a, b)| *a == *b)
    }
}

impl<T: Eq> Eq for Slice<'_, T> {}

impl<T1: PartialEq<T2>, T2> PartialEq<[T2]> for Slice<'_, T1> {
    fn eq(&self, other: &[T2]) -> bool {
        self.len() == other.len() && self.iter().zip(other).all(|(a, b)| *a == *b)
    }
}

impl<T1: PartialEq<T2>, T2, const N: usize> PartialEq<[T2; N]> for Slice<'_, T1> {
    fn eq(&self, other: &[T2; N]) -> bool {
        *self == other[..]
    }
}

impl<T1: PartialEq<T2>, T2, const N: usize> PartialEq<&[T2; N]> for Slice<'_, T1> {
    fn eq(&self, other: &&[T2; N]) -> bool {
        *self == other[..]
    }
}

impl<T1: PartialEq<T2>, T2> PartialEq<&[T2]> for Slice<'_, T1> {
    fn eq(&self, other: &&[T2]) -> bool {
        *self == **other
    }
}

impl<T: PartialOrd> PartialOrd for Slice<'_, T> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        self.iter().partial_cmp(other.iter())
    }
}

impl<T: Ord> Ord for Slice<'_, T> {
    fn cmp(&self, other: &Self) -> Ordering {
        self.iter().cmp(other.iter())
    }
}

impl<T: Hash> Hash for Slice<'_, T> {
    /// Hashes the length and each element in order, as a slice does.
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.len().hash(state);
        for element in self.iter() {
            element.hash(state);
        }
    }
}

impl<T1: PartialEq<T2>, T2> PartialEq<Slice<'_, T2>> for [T1] {
    fn eq(&self, other: &Slice<'_, T2>) -> bool {
        self.len() == other.len() && self.iter().zip(other.iter()).all(|(a, b)| *a == *b)
    }
}

impl<T1: PartialEq<T2>, T2, const N: usize> PartialEq<Slice<'_, T2>> for [T1; N] {
    fn eq(&self, other: &Slice<'_, T2>) -> bool {
        self[..] == *other
    }
}
